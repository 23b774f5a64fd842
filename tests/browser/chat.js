// The participant page's chat panel in headless Chromium while tests/browser.rs plays the
// streamer on a raw chat socket. Usage: node chat.js BASE_URL ARTIFACTS_DIR (the step protocol
// with the Rust side is described in harness.js).
'use strict';

const fs = require('fs');
const path = require('path');
const { TIMEOUT, assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];

/** The chat line whose text matches `pattern`. */
function line(page, pattern) {
  return page.locator('#chat-log .msg').filter({ hasText: pattern });
}

/** Waits until no chat line matches `pattern`. */
async function gone(page, pattern, what) {
  try {
    await line(page, pattern).first().waitFor({ state: 'detached', timeout: TIMEOUT });
  } catch (e) {
    throw new Error(what + ': a line matching ' + pattern + ' is still shown');
  }
}

/** The chat methods the page sent (recorded by the init script). */
async function sentChat(page, method) {
  return page.evaluate((method) => (window.__sent || []).filter((s) => s.p.method === method).map((s) => s.p.arguments), method);
}

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const errors = [];
  const page = watch(context.pages()[0] || (await context.newPage()), errors);

  // Sign in: the chat panel joins the room as the viewer and shows the history.
  await page.goto(base + '/channel/1');
  await page.getByLabel('Access key').fill('demo-viewer-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.locator('#chat-status'), /Chatting as viewer1/, 'chat status');
  const welcome = line(page, /Welcome/);
  await welcome.waitFor();
  // Every part is rendered, and markup in a message stays text.
  await expectText(welcome.locator('.role'), /Streamer/, 'role badge');
  await expectText(welcome.locator('.name'), /^streamer$/, 'author');
  assert((await welcome.locator('.emoticon').getAttribute('aria-label')) === ':)', 'the emoticon is an image labelled with its text');
  const link = welcome.locator('a');
  assert((await link.getAttribute('href')) === 'https://example.com/rules', 'link target');
  assert((await link.textContent()) === 'https://example.com/rules', 'link text');
  const rel = (await link.getAttribute('rel')) || '';
  assert(rel.split(' ').includes('noopener') && (await link.getAttribute('target')) === '_blank', 'link rel/target: ' + rel);
  assert((await welcome.locator('.body').textContent()).includes('<b>bold?</b> <img src=x onerror=alert(1)>'), 'markup shows as text');
  assert((await page.locator('#chat-log b, #chat-log img').count()) === 0, 'no markup from messages became elements');
  const faces = await line(page, /the other emoticons/).locator('.emoticon').evaluateAll((es) => es.map((e) => e.getAttribute('aria-label')));
  assert(JSON.stringify(faces) === JSON.stringify([':(', ':D', ';)', ':P', '<3']), 'every built-in emoticon is drawn: ' + JSON.stringify(faces));
  assert(!(await page.locator('#chat-input').isDisabled()), 'a signed-in viewer can type');
  await step('chat-joined');

  // Send with the keyboard: the streamer's socket receives it, and it shows here too.
  await page.locator('#chat-input').focus();
  await page.keyboard.type('hello from the page @streamer');
  await page.keyboard.press('Enter');
  await line(page, /hello from the page/).waitFor();
  await page.waitForFunction(() => document.getElementById('chat-input').value === '');
  assert((await line(page, /hello from the page/).locator('.tag').textContent()) === '@streamer', 'the tag is its own part');
  await step('chat-sent');

  // The streamer's message and whisper arrive; the whisper stands out.
  await line(page, /thanks for watching/).waitFor();
  const whisper = line(page, /psst, a secret/);
  await whisper.waitFor();
  assert(await whisper.evaluate((e) => e.classList.contains('whisper')), 'a whisper is marked as one');
  await expectText(whisper, /^Whisper Streamer streamer to you: psst, a secret$/, 'whisper line');
  assert(!(await line(page, /thanks for watching/).evaluate((e) => e.classList.contains('whisper'))), 'a message is not a whisper');
  // The viewer whispers back with /w; their copy shows as a whisper to the streamer.
  await page.locator('#chat-input').fill('/w streamer thank you!');
  await page.locator('#chat-input').press('Enter');
  const mine = line(page, /thank you!/);
  await mine.waitFor();
  await expectText(mine, /^Whisper viewer1 to streamer: thank you!$/, 'own whisper');
  assert(JSON.stringify((await sentChat(page, 'whisper'))[0]) === JSON.stringify(['streamer', 'thank you!']), 'the whisper call');
  await step('chat-received');

  // The streamer deleted the viewer's message: it goes.
  await gone(page, /hello from the page/, 'deleted message');
  assert((await line(page, /thanks for watching/).count()) === 1, 'other messages stay');

  // Refusals are explained in words, and the text is kept for another try.
  const long = 'x'.repeat(120);
  await page.locator('#chat-input').fill(long);
  await page.locator('#chat-send').click();
  await expectText(page.locator('#chat-error'), /too long: 120 characters, and the limit is 100/, 'too long');
  assert((await page.locator('#chat-input').inputValue()) === long, 'a refused message stays in the box');
  await page.locator('#chat-input').fill('a second message');
  await page.locator('#chat-input').press('Enter');
  await expectText(page.locator('#chat-error'), /^Slow chat is on: one message every 60 seconds\. Wait \d+ seconds? before sending again\.$/, 'slow chat');
  await page.locator('#chat-input').fill('/w nobody hi');
  await page.locator('#chat-input').press('Enter');
  await expectText(page.locator('#chat-error'), /Cannot whisper to nobody: they are not in this chat/, 'whisper to someone absent');
  await step('chat-errors');

  // A poll: its answers are buttons; the keyboard votes.
  await expectText(page.locator('#chat-poll h3'), /Poll: Best snack\?/, 'poll question');
  const fruit = page.locator('#chat-poll .answer').filter({ hasText: 'Fruit' });
  await fruit.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('#chat-poll .answer')].find((x) => x.textContent.includes('Fruit'));
    return b && b.getAttribute('aria-pressed') === 'true' && /1 vote · 100%/.test(b.textContent);
  });
  assert(JSON.stringify(await sentChat(page, 'vote:choose')) === JSON.stringify([[1]]), 'vote:choose with the answer index');

  // Screenshots with the chat panel: beside the controls when wide, below them when narrow.
  for (const [size, width, height] of [['large', 1280, 900], ['small', 390, 1400]]) {
    await page.setViewportSize({ width, height });
    await page.waitForFunction((size) => document.getElementById('grid').dataset.size === size, size);
    const chat = await page.locator('#chat').boundingBox();
    const controls = await page.locator('#controls').boundingBox();
    if (size === 'large') assert(chat.x >= controls.x + controls.width && chat.x + chat.width <= width, 'the chat is beside the controls: ' + JSON.stringify([chat, controls]));
    else assert(chat.y >= controls.y + controls.height && chat.width <= width, 'the chat is below the controls: ' + JSON.stringify([chat, controls]));
    await page.screenshot({ path: path.join(artifacts, 'chat-' + size + '.png'), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await step('voted');

  // Timed out: the page says so, and a message is refused in words.
  await expectText(page.locator('#chat-log .sys'), /streamer timed out you \(30s\)/, 'timeout announcement');
  await expectText(page.locator('#chat-log .sys'), /You are timed out for 30 seconds/, 'timeout notice');
  await page.locator('#chat-input').fill('am I timed out?');
  await page.locator('#chat-input').press('Enter');
  await expectText(page.locator('#chat-error'), /^You are timed out: you can chat again in \d+ seconds\.$/, 'timed-out error');
  await step('timed-out');

  // An anonymous viewer reads along but cannot send, and is told why.
  const anon = await context.newPage();
  anon.on('pageerror', (e) => errors.push(String(e)));
  await anon.goto(base + '/channel/1?anonymous');
  await expectText(anon.locator('#chat-status'), /Reading anonymously/, 'anonymous chat status');
  await line(anon, /thanks for watching/).waitFor();
  assert((await line(anon, /psst|thank you!/).count()) === 0, 'whispers are not in the history');
  const input = anon.locator('#chat-input');
  assert(await input.isDisabled(), 'the message box is disabled');
  assert(await anon.locator('#chat-send').isDisabled(), 'the send button is disabled');
  assert((await input.getAttribute('placeholder')) === 'Sign in to chat', 'placeholder says why');
  await expectText(anon.locator('#chat-hint'), /reading the chat anonymously.*Sign in with an access key/, 'anonymous explanation');
  await anon.setViewportSize({ width: 390, height: 900 });
  await anon.locator('#chat').scrollIntoViewIfNeeded();
  await anon.screenshot({ path: path.join(artifacts, 'chat-anonymous.png') });
  // Even past the disabled box, the mediator refuses, and the page explains it.
  await input.evaluate((e) => {
    e.disabled = false;
    e.value = 'anonymous words';
  });
  await anon.locator('#chat-form').evaluate((f) => f.requestSubmit());
  await expectText(anon.locator('#chat-error'), /Anonymous viewers can read the chat but not send/, 'UACCESS in words');
  assert((await line(anon, /anonymous words/).count()) === 0, 'nothing was posted');
  await step('anonymous');

  // The streamer clears the chat: both pages empty their logs and say who did it.
  for (const p of [page, anon]) {
    await expectText(p.locator('#chat-log .sys'), /^streamer cleared the chat\.$/, 'clear announcement');
    await p.waitForFunction(() => document.querySelectorAll('#chat-log .msg').length === 0);
  }

  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('done');
});
