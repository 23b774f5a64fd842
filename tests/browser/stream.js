// Drives the participant page's stream in the system's headless Chromium while tests/stream.rs
// plays the game and changes the channel: the offline card, the switch to the HLS video without a
// reload, clicks and drags mapped onto the picture (with and without letterbox bars), mute and
// volume, the browser's own HLS, low-latency HLS, an embed in a sandboxed frame, and back offline.
// Usage: node stream.js BASE_URL ARTIFACTS_DIR (the step protocol is described in harness.js).
'use strict';

const fs = require('fs');
const path = require('path');
const { assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];
const SIZES = [['large', 1280, 900], ['medium', 720, 1000], ['small', 390, 1100]];

/** The stage's box and the picture's rectangle, in viewport pixels. */
async function geometry(page) {
  return page.evaluate(() => {
    const box = document.getElementById('video').getBoundingClientRect().toJSON();
    const r = window.MixPlay.stage.pictureRect();
    return { box, picture: r && { left: r.left, top: r.top, width: r.width, height: r.height } };
  });
}

/** The viewport point at picture position (x, y). */
function at(g, x, y) {
  return [g.picture.left + x * g.picture.width, g.picture.top + y * g.picture.height];
}

/** The screen inputs the page sent so far. */
async function aimInputs(page) {
  return page.evaluate(() =>
    (window.__sent || []).filter((s) => s.p.method === 'giveInput' && s.p.params.controlID === 'aim').map((s) => s.p.params));
}

async function waitForInputs(page, count) {
  await page.waitForFunction(
    (count) => (window.__sent || []).filter((s) => s.p.method === 'giveInput' && s.p.params.controlID === 'aim').length >= count,
    count,
  );
}

/** Waits until the stage's video plays and its time moves on. */
async function playing(page, selector) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && !v.paused && v.readyState >= 3 && v.currentTime > 0.3;
  }, selector, { timeout: 20000 });
  const first = await page.evaluate((sel) => document.querySelector(sel).currentTime, selector);
  await page.waitForFunction(([sel, t]) => document.querySelector(sel).currentTime > t + 0.5, [selector, first], { timeout: 20000 });
  return page.evaluate((sel) => {
    const v = document.querySelector(sel);
    return { time: v.currentTime, paused: v.paused, muted: v.muted, width: v.videoWidth, height: v.videoHeight };
  }, selector);
}

/**
 * Checks that the page's first channel-status change after entry `from` of its log turned the
 * channel online (or offline) and came pushed by the viewer socket, not polled. Returns the log's
 * length, for the next check.
 */
async function arrivedByPush(page, from, online) {
  const log = await page.evaluate(() => window.MixPlay.channelStatusLog);
  const change = log.slice(from).find((entry) => entry.online === online);
  assert(change, 'a change to online=' + online + ' was delivered: ' + JSON.stringify(log));
  assert(change.source === 'push', 'online=' + online + ' arrived by push: ' + JSON.stringify(log));
  return log.length;
}

async function screenshots(page, name) {
  for (const [size, width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await page.waitForFunction((w) => window.innerWidth === w, width);
    const g = await geometry(page);
    assert(g.box.width <= width && Math.abs(g.box.width / g.box.height - 16 / 9) < 0.01, size + ' stage is 16:9 and fits: ' + JSON.stringify(g.box));
    if (g.picture) {
      const ratio = g.picture.width / g.picture.height;
      const video = await page.evaluate(() => { const v = document.querySelector('#video video'); return v ? v.videoWidth / v.videoHeight : null; });
      if (video) assert(Math.abs(ratio - video) < 0.01, size + ' picture keeps the video aspect ratio: ' + ratio + ' vs ' + video);
    }
    await page.screenshot({ path: path.join(artifacts, 'stream-' + name + '-' + size + '.png'), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const errors = [];
  const page = watch(context.pages()[0] || (await context.newPage()), errors);

  // The channel's status polls every quarter second here (3 s on a real page) while the viewer
  // socket is not open, so that a poll made while it is open could not go unnoticed.
  await page.addInitScript(() => { window.mixplayStatusPollMs = 250; });

  // Offline: the card with the channel's title.
  await page.goto(base + '/channel/1');
  await page.locator('#video[data-stage="offline"]').waitFor();
  await page.waitForFunction(() => window.MixPlay.viewer.pushing());
  let polls = await page.evaluate(() => window.MixPlay.channelStatusPolls);
  await expectText(page.locator('.stage-card .stage-title'), /^Speedrun night$/, 'offline card title');
  await expectText(page.locator('.stage-card'), /streamer is not live right now/, 'offline card text');
  await expectText(page.locator('#channel-title'), /^Speedrun night$/, 'header title');
  await screenshots(page, 'offline');
  await page.evaluate(() => { window.__noReload = true; });
  await step('offline');

  // The game is ready: the page switches to the video by itself, muted.
  await page.locator('#video[data-stage="hls"][data-player="hls.js"]').waitFor({ timeout: 15000 });
  const wide = await playing(page, '#video video');
  assert(wide.muted && wide.width === 640 && wide.height === 360, 'the 16:9 stream plays muted: ' + JSON.stringify(wide));
  assert(await page.evaluate(() => window.__noReload === true), 'no reload');
  assert((await page.locator('#video').getAttribute('data-low-latency')) === 'false', 'a plain HLS stream is not low-latency');

  await page.getByLabel('Access key').fill('demo-viewer-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#video.screen-active').waitFor();
  // Signing in reopens the viewer socket as the viewer; until the new one has told the channel's
  // status, the page may poll. Count from there.
  await page.waitForFunction(() => window.MixPlay.viewer.pushing());
  polls = await page.evaluate(() => window.MixPlay.channelStatusPolls);
  await step('joined');

  // A 16:9 picture fills the 16:9 stage: a click a quarter across, half down.
  let g = await geometry(page);
  assert(Math.abs(g.picture.width - g.box.width) < 1 && Math.abs(g.picture.height - g.box.height) < 1, 'no bars: ' + JSON.stringify(g));
  await page.mouse.click(...at(g, 0.25, 0.5));
  await waitForInputs(page, 2);
  await step('wide-clicked');

  // The browser's own HLS, where there are no Media Source Extensions.
  const native = watch(await context.newPage(), errors);
  await native.addInitScript(() => {
    delete window.MediaSource;
    delete window.ManagedMediaSource;
  });
  await native.goto(base + '/channel/1');
  await native.locator('#video[data-stage="hls"][data-player="native"]').waitFor({ timeout: 15000 });
  const nativePlay = await playing(native, '#video video');
  assert(nativePlay.muted && nativePlay.width === 640, 'native HLS plays: ' + JSON.stringify(nativePlay));
  await native.close();

  // A 4:3 stream on the 16:9 stage: bars left and right.
  await step('square-request');
  await page.waitForFunction(() => { const v = document.querySelector('#video video'); return v && v.videoWidth === 480; }, null, { timeout: 15000 });
  await playing(page, '#video video');
  g = await geometry(page);
  assert(Math.abs(g.picture.height - g.box.height) < 1 && Math.abs(g.picture.width - g.box.height * 4 / 3) < 1, 'a 4:3 picture: ' + JSON.stringify(g));
  assert(Math.abs(g.picture.left - g.box.left - (g.box.width - g.picture.width) / 2) < 1, 'centred between equal bars');
  const shot = path.join(artifacts, 'stream-letterbox.png');
  await page.screenshot({ path: shot, clip: g.box });
  let sent = (await aimInputs(page)).length;
  // A click on the left bar sends nothing; the next click, on the picture, arrives.
  await page.mouse.click(g.box.left + (g.picture.left - g.box.left) / 2, g.box.top + g.box.height / 2);
  await page.mouse.click(...at(g, 0.75, 0.25));
  await waitForInputs(page, sent + 2);
  const afterBar = (await aimInputs(page)).slice(sent);
  assert(afterBar.length === 2 && afterBar[0].event === 'mousedown' && Math.abs(afterBar[0].x - 0.75) < 0.01, 'only the picture click was sent: ' + JSON.stringify(afterBar));
  const rel = { left: g.picture.left - g.box.left, top: g.picture.top - g.box.top, width: g.picture.width, height: g.picture.height };
  await step('square-clicked', { shot, picture: rel });

  // A drag: moves over the picture are sent, moves over the bar are not; a release over the bar
  // ends the press at the picture's edge.
  sent = (await aimInputs(page)).length;
  await page.mouse.move(...at(g, 0.3, 0.6));
  await page.mouse.down();
  await page.mouse.move(...at(g, 0.9, 0.6), { steps: 6 });
  await page.waitForFunction(
    (n) => (window.__sent || []).filter((s) => s.p.params && s.p.params.controlID === 'aim').slice(n).some((s) => s.p.params.event === 'move' && s.p.params.x > 0.85),
    sent,
  );
  const barX = g.picture.left + g.picture.width + (g.box.left + g.box.width - g.picture.left - g.picture.width) / 2;
  await page.mouse.move(barX, g.picture.top + 0.6 * g.picture.height, { steps: 3 });
  await page.mouse.move(barX, g.picture.top + 0.2 * g.picture.height, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction((n) => (window.__sent || []).filter((s) => s.p.params && s.p.params.controlID === 'aim').slice(n).some((s) => s.p.params.event === 'mouseup'), sent);
  const drag = (await aimInputs(page)).slice(sent);
  const moves = drag.filter((i) => i.event === 'move');
  assert(moves.length >= 1 && moves.every((m) => Math.abs(m.y - 0.6) < 0.01 && m.x >= 0 && m.x <= 1), 'moves only from over the picture: ' + JSON.stringify(drag));
  const up = drag[drag.length - 1];
  assert(up.event === 'mouseup' && up.x === 1 && Math.abs(up.y - 0.2) < 0.01, 'the release over the bar is at the edge: ' + JSON.stringify(up));
  await step('dragged', { moves: moves.length });

  // Mute and volume: the page starts muted; the viewer unmutes and turns it down. Neither is a
  // click for the game.
  sent = (await aimInputs(page)).length;
  const mute = page.locator('.stage-mute');
  assert((await mute.getAttribute('aria-label')) === 'Unmute', 'starts muted');
  await mute.click();
  await page.waitForFunction(() => !document.querySelector('#video video').muted);
  await page.locator('.stage-mute[aria-label="Mute"]').waitFor(); // the button says mute once sound is on
  await page.locator('.stage-volume').evaluate((slider) => {
    slider.value = '0.3';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => Math.abs(document.querySelector('#video video').volume - 0.3) < 0.001);
  await mute.click();
  await page.waitForFunction(() => document.querySelector('#video video').muted);
  assert((await aimInputs(page)).length === sent, 'the player controls send nothing to the game');
  await screenshots(page, 'live');

  // A low-latency playlist (parts, PART-HOLD-BACK): played in low-latency mode.
  await step('low-latency-request');
  await page.locator('#video[data-stage="hls"][data-low-latency="true"]').waitFor({ timeout: 15000 });
  await playing(page, '#video video');
  await step('low-latency-played');

  // An embed address: a sandboxed frame; clicks over it still go to the game's screen control.
  await step('embed-request');
  const frame = page.locator('#video iframe.stage-frame');
  await frame.waitFor({ timeout: 15000 });
  assert((await frame.getAttribute('sandbox')) === 'allow-scripts allow-same-origin allow-presentation', 'sandbox: ' + (await frame.getAttribute('sandbox')));
  await expectText(page.frameLocator('#video iframe.stage-frame').locator('#embedded'), /Embedded player/, 'the embedded page');
  await page.frameLocator('#video iframe.stage-frame').locator('body[data-tried="top-navigation"]').waitFor();
  assert(await page.evaluate(() => window.__noReload === true), 'the frame could not navigate the page');
  g = await geometry(page);
  await page.screenshot({ path: path.join(artifacts, 'stream-embed.png'), fullPage: true });
  await page.mouse.click(...at(g, 0.5, 0.5));
  await step('embed-clicked');

  // The game leaves: offline again; the owner goes live by hand: the embed is back. No reload.
  // Both changes come pushed over the page's viewer socket, and the page has not polled since
  // that socket opened (it polls only while the socket is not open).
  let seen = await page.evaluate(() => window.MixPlay.channelStatusLog.length);
  await step('offline-request');
  await page.locator('#video[data-stage="offline"]').waitFor({ timeout: 15000 });
  seen = await arrivedByPush(page, seen, false);
  await step('live-request');
  await page.locator('#video[data-stage="embed"] iframe').waitFor({ timeout: 15000 });
  await arrivedByPush(page, seen, true);
  assert((await page.evaluate(() => window.MixPlay.channelStatusPolls)) === polls, 'no poll since the viewer socket opened');
  assert(await page.evaluate(() => window.__noReload === true), 'no reload all along');

  // The sandbox refusing the frame's top navigation is reported on the console; nothing else may be.
  const unexpected = errors.filter((e) => !/navigat/i.test(e));
  assert(unexpected.length === 0, 'no page errors: ' + unexpected.join('; '));
  await step('done');
});
