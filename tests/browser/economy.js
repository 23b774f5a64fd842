// Sparks earned by watching, in the system's headless Chromium: the participant page, visible,
// earns (the chip follows every accrual live, with a "+2 sparks" note); hidden (the page's
// visibility emulated: headless tabs are always visible), it stops; two more tabs and a second
// channel change nothing; the Subscribe button doubles the rate; a capture shows at once; a new
// account's /account page pages through its history. tests/browser_economy.rs plays the games
// and checks the ledger. Usage: node economy.js BASE ARTIFACTS
'use strict';

const fs = require('fs');
const path = require('path');
const { assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];

/** Records what the page's viewer socket hears, and lets the test hide and show the page. */
async function instrument(page) {
  await page.evaluate(() => {
    window.__balances = [];
    window.__earning = [];
    MixPlay.viewer.onBalance((b) => window.__balances.push(b));
    MixPlay.viewer.onEarning((e) => window.__earning.push({ earning: e.earning, at: Date.now() }));
    // A hidden tab, as the page sees one: visibilityState, hidden, and the event.
    window.__setHidden = (hidden) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
}

/** Waits until the viewer's last `earning` message says `earning`; when it came. */
async function earning(page, earning) {
  await page.waitForFunction((want) => {
    const e = window.__earning;
    return e.length > 0 && e[e.length - 1].earning === want;
  }, earning);
  return page.evaluate(() => window.__earning[window.__earning.length - 1].at);
}

/** The chip shows the balance of the last balance message (they change together). */
async function chipFollows(page, what) {
  const [shown, last] = await page.evaluate(() => [
    document.getElementById('sparks').textContent,
    window.__balances[window.__balances.length - 1].sparks,
  ]);
  assert(shown === String(last), what + ': the chip shows ' + shown + ', the last balance was ' + last);
}

async function joined(page, url) {
  await page.goto(base + url);
  await expectText(page.locator('#username'), /^viewer1$/, 'joined with the key on ' + url);
}

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const errors = [];
  const a = watch(context.pages()[0] || (await context.newPage()), errors);
  await joined(a, '/channel/1?key=demo-viewer-1');
  await instrument(a);
  await earning(a, true);
  await step('watching');

  // The balance follows each accrual without a reload.
  await a.locator('#sparks-earned').filter({ hasText: /^\+2 sparks$/ }).waitFor({ state: 'visible' });
  await a.waitForFunction(() => window.__balances.filter((b) => b.reason === 'earned').length >= 2);
  await chipFollows(a, 'after accruals');
  await a.screenshot({ path: path.join(artifacts, 'economy-earning.png') });

  // Hidden: the mediator hears it (and says so), and pays nothing more.
  await a.evaluate(() => window.__setHidden(true));
  const hiddenAt = await earning(a, false);
  await step('hidden', { at: hiddenAt });
  await a.evaluate(() => window.__setHidden(false));
  await earning(a, true);

  // Two more tabs of the same viewer, one on another live channel.
  const b = watch(await context.newPage(), errors);
  await joined(b, '/channel/1?key=demo-viewer-1');
  const c = watch(await context.newPage(), errors);
  await joined(c, '/channel/2?key=demo-viewer-1');
  await step('three-pages');
  await b.close();
  await c.close();

  // Subscribing doubles the rate.
  const subscribe = a.locator('#subscribe');
  await expectText(subscribe, /^Subscribe$/, 'the header offers a subscription');
  await subscribe.click();
  await expectText(subscribe, /Subscribed/, 'the button says so');
  assert((await subscribe.getAttribute('aria-pressed')) === 'true', 'the button is pressed');
  await step('subscribed');
  await a.locator('#sparks-earned').filter({ hasText: /^\+4 sparks$/ }).waitFor({ state: 'visible' });

  // A capture shows at once.
  await a.locator('[data-control-id="buy"] button').click();
  await step('pressed');
  await a.waitForFunction(() => window.__balances.some((b) => b.reason === 'spent' && b.change === -5 && b.control === 'buy'));
  await chipFollows(a, 'after the capture');

  // A new account watches, then reads its history on /account, a page at a time.
  const d = watch(await context.newPage(), errors);
  await d.goto(base + '/signup?next=/channel/1');
  await d.getByLabel('Username').fill('econ_fan');
  await d.getByLabel('Password').fill('a long enough password');
  await d.getByRole('button', { name: 'Sign up' }).click();
  await d.waitForURL(/\/channel\/1$/);
  await expectText(d.locator('#username'), /^econ_fan$/, 'signed in by the session');
  await instrument(d);
  await earning(d, true);
  await step('signed-up');
  await d.getByRole('link', { name: 'Your account' }).click();
  await d.waitForURL(/\/account$/);
  await expectText(d.locator('#username'), /^econ_fan$/, 'the account page knows who');
  await d.goto(base + '/account?limit=2');
  const rows = d.locator('#history tbody tr');
  assert((await rows.count()) === 2, 'two rows a page');
  await expectText(rows.first(), /Earned watching channel 1/, 'newest first: what was earned');
  assert((await rows.first().locator('.num').textContent()) === '+2', 'earned 2');
  await d.screenshot({ path: path.join(artifacts, 'account.png') });
  let pages = 1;
  while (await d.locator('#older').count()) {
    await d.locator('#older').click();
    pages += 1;
    assert(pages < 20, 'the pages end');
  }
  await expectText(d.locator('#history tbody tr').last(), /Granted \(welcome\)/, 'the oldest row is the welcome grant');
  assert(await d.locator('#newest').isVisible(), 'a way back to the newest');
  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('done');
});
