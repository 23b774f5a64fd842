// What the browser scripts share: the step protocol with the Rust test, waits with timeouts, and
// launching the system's headless Chromium (playwright-core, no browser download).
//
// Step protocol: a script prints `STEP {"step": NAME, ...}` lines on stdout and waits for one
// `OK [json]` (or `FAIL message`) line on stdin before it goes on, so that both sides can assert
// and act in turn. Other stdout lines are logs. Every wait is on a condition, with a timeout.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 10000;

const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
const queued = [];
lines.on('line', (line) => {
  if (waiting.length) waiting.shift()(line);
  else queued.push(line);
});
lines.on('close', () => {
  while (waiting.length) waiting.shift()('FAIL stdin closed');
});

function nextLine() {
  if (queued.length) return Promise.resolve(queued.shift());
  return new Promise((resolve) => waiting.push(resolve));
}

/** Tells the Rust side a step happened and waits for its verdict (and the data it sends back). */
async function step(name, data) {
  process.stdout.write('STEP ' + JSON.stringify(Object.assign({ step: name }, data || {})) + '\n');
  const line = await nextLine();
  if (line.startsWith('OK')) {
    const rest = line.slice(2).trim();
    return rest ? JSON.parse(rest) : {};
  }
  throw new Error('the test side failed step ' + name + ': ' + line);
}

function log(...args) {
  process.stdout.write(args.join(' ') + '\n');
}

function assert(cond, message) {
  if (!cond) throw new Error('assertion failed: ' + message);
}

async function expectText(locator, pattern, what) {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch (e) {
    const actual = await locator.first().textContent().catch(() => '(missing)');
    throw new Error(what + ': expected ' + pattern + ', page shows ' + JSON.stringify(actual));
  }
}

/**
 * Runs `body(context)` in a fresh headless Chromium profile whose pages record the websocket
 * packets they send in `window.__sent`; exits 0 when it succeeds, prints `ERROR …` and exits 1
 * when it throws.
 */
function run(body) {
  async function main() {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mixplay-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(TIMEOUT);
    await context.addInitScript(() => {
      window.__sent = [];
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        try {
          window.__sent.push({ t: performance.now(), p: JSON.parse(data) });
        } catch (e) {
          /* not JSON */
        }
        return send.call(this, data);
      };
    });
    try {
      await body(context);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }
  main().then(
    () => process.exit(0),
    (e) => {
      process.stdout.write('ERROR ' + (e && e.stack ? e.stack : String(e)) + '\n');
      process.exit(1);
    },
  );
}

/// Records a page's script errors, console errors and any dialog (which it dismisses) in `errors`.
function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // A failed load names no URL in its text; the location says which resource it was.
    if (m.type() === 'error') errors.push(m.text() + (m.location().url ? ' (' + m.location().url + ')' : ''));
  });
  page.on('dialog', (d) => {
    errors.push('a dialog opened: ' + d.message());
    d.dismiss();
  });
  return page;
}

module.exports = { TIMEOUT, assert, expectText, log, run, step, watch };
