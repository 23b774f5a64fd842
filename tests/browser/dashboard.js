// Drives the streamer's dashboard in the system's headless Chromium while tests/dashboard.rs checks
// the channel over REST and in chat: sign in, title, stream source with its preview, slow chat,
// mods and bans by username, go live, the game client's state and the participant count, go
// offline. Usage: node dashboard.js BASE_URL ARTIFACTS_DIR (the step protocol is in harness.js).
'use strict';

const fs = require('fs');
const path = require('path');
const { assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const errors = [];
  const page = watch(context.pages()[0] || (await context.newPage()), errors);
  const { username, password, hls, channel } = await step('started');

  // Signed out, the dashboard sends the streamer to sign in, and back.
  await page.goto(base + '/dashboard');
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
  assert((await page.locator('body').getAttribute('data-channel')) === String(channel), 'her own channel');
  await expectText(page.locator('#live-badge'), /^offline$/, 'live badge');
  await expectText(page.locator('#game-state'), /^Not connected$/, 'game state');
  await expectText(page.locator('#participants'), /^0$/, 'participants');
  await expectText(page.locator('#preview-note'), /No stream source yet/, 'preview note');

  // The title.
  await page.getByLabel('What viewers see above your stream').fill('Ann plays');
  await page.getByRole('button', { name: 'Save title' }).click();
  await expectText(page.locator('#notice'), /Title saved/, 'title notice');
  await step('title');

  // A javascript: address never leaves the page (and the mediator would refuse it too).
  const url = page.locator('#source-url');
  await url.fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Save source' }).click();
  await expectText(page.locator('#notice'), /http:\/\/ or https:\/\//, 'refused address');

  // The stream source: the kind follows the address; the preview plays it before it is saved.
  await url.fill(hls);
  assert((await page.locator('#source-kind').inputValue()) === 'hls', 'an .m3u8 address is HLS');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('#preview-note'), /not saved yet/, 'preview note');
  await page.waitForFunction(() => {
    const v = document.querySelector('#preview video');
    return v && !v.paused && v.currentTime > 0.5 && v.muted;
  }, null, { timeout: 20000 });
  await page.getByRole('button', { name: 'Save source' }).click();
  await expectText(page.locator('#notice'), /Stream source saved/, 'source notice');
  await expectText(page.locator('#preview-note'), /Your saved stream source/, 'saved preview note');
  await step('source');

  // Slow chat, in seconds.
  await page.getByLabel(/Slow chat/).fill('30');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(page.locator('#notice'), /one message every 30 s/, 'slow chat notice');
  await step('slow');

  // A moderator and a ban, by username.
  await page.getByLabel('Make a viewer a moderator').fill('viewer1');
  await page.getByRole('button', { name: 'Add moderator' }).click();
  await expectText(page.locator('#mods li'), /viewer1/, 'mods list');
  await page.getByLabel('Ban a viewer from your chat').fill('viewer2');
  await page.getByRole('button', { name: 'Ban', exact: true }).click();
  await expectText(page.locator('#bans li'), /viewer2/, 'bans list');
  // An unknown name is refused in words (a 404, which the browser also logs on its console).
  const before = errors.length;
  await page.getByLabel('Make a viewer a moderator').fill('nobody_at_all');
  await page.getByRole('button', { name: 'Add moderator' }).click();
  await expectText(page.locator('#notice'), /There is no user named nobody_at_all/, 'unknown user');
  const logged = errors.splice(before);
  assert(logged.length === 1 && /status of 404/.test(logged[0]), 'only the refusal was logged: ' + logged.join('; '));
  await step('roles');

  // Go live by hand.
  await page.getByRole('button', { name: 'Go live' }).click();
  await expectText(page.locator('#live-badge'), /^live$/, 'live badge');
  await expectText(page.locator('#live-why'), /You went live/, 'why live');
  await page.getByRole('button', { name: 'Go offline' }).waitFor();
  await step('live');

  // The game client connected (tests/dashboard.rs); she opens her channel page in another tab,
  // signed in there too, and joins as a participant.
  await expectText(page.locator('#game-state'), /^Ready \(version 1\)$/, 'game state');
  const viewer = watch(await context.newPage(), errors);
  await viewer.goto(base + '/channel/' + channel);
  await expectText(viewer.locator('#channel-title'), /^Ann plays$/, 'the viewer page title');
  await expectText(viewer.locator('#username'), /^ann_streams$/, 'joined as herself');
  await expectText(page.locator('#participants'), /^1$/, 'participant count');
  await viewer.locator('#video[data-stage="hls"] video').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 1100 });
  await page.screenshot({ path: path.join(artifacts, 'dashboard-small.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await step('game');

  // Go offline: the game keeps the channel live while it is ready.
  await page.getByRole('button', { name: 'Go offline' }).click();
  await expectText(page.locator('#live-why'), /Your game client is ready/, 'why still live');
  await step('offline');

  // Removing the ban from the list.
  await page.getByRole('button', { name: 'Unban viewer2' }).click();
  await expectText(page.locator('#bans li'), /Nobody is banned/, 'bans list emptied');
  await step('unbanned');

  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('done');
});
