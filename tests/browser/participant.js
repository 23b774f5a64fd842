// Drives the participant page in the system's headless Chromium (playwright-core, no browser
// download) while tests/browser.rs plays the game. Usage: node participant.js BASE_URL ARTIFACTS_DIR
// (the step protocol with the Rust side is described in harness.js).
'use strict';

const fs = require('fs');
const path = require('path');
const { assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];

/** The `giveInput` packets the page sent (recorded by the init script), optionally for one control. */
async function sentInputs(page, control) {
  return page.evaluate(
    (control) =>
      (window.__sent || [])
        .filter((s) => s.p.method === 'giveInput' && (!control || s.p.params.controlID === control))
        .map((s) => Object.assign({ t: s.t }, s.p.params)),
    control,
  );
}

/** Waits until the page has sent `event` on `control` (a release follows the press's reply). */
async function sentEvent(page, control, event) {
  await page.waitForFunction(
    ([control, event]) => (window.__sent || []).some((s) => s.p.method === 'giveInput' && s.p.params.controlID === control && s.p.params.event === event),
    [control, event],
  );
}

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const errors = [];
  const page = watch(context.pages()[0] || (await context.newPage()), errors);

  // The index lists the channel as live; its link opens the viewer page.
  await page.goto(base + '/');
  await expectText(page.locator('.channels li'), /Channel 1.*live/s, 'index');
  await page.getByRole('link', { name: 'Channel 1' }).click();
  await page.waitForURL(/\/channel\/1$/);

  // Sign in as a demo viewer.
  await page.getByLabel('Access key').fill('demo-viewer-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.locator('#username'), /^viewer1$/, 'username');
  await expectText(page.locator('#sparks'), /^1000$/, 'spark balance');
  await expectText(page.locator('#group'), /^default$/, 'group');
  const jump = page.locator('[data-control-id="jump"] button');
  await jump.waitFor();
  assert((await page.locator('#grid').getAttribute('data-size')) === 'large', 'a 1280 px viewport uses the large grid');
  await step('joined');

  // Every property of the initial scene shows.
  await expectText(jump, /Jump/, 'button text');
  assert((await jump.getAttribute('title')) === 'Jump over things', 'tooltip');
  await expectText(jump.locator('.key'), /^J$/, 'key hint');
  const buy = page.locator('[data-control-id="buy"] button');
  await expectText(buy.locator('.cost'), /5/, 'cost');
  const note = page.locator('[data-control-id="note"] .mp-label');
  await expectText(note, /Welcome, viewers/, 'label text');
  const noteStyle = await note.evaluate((e) => {
    const s = getComputedStyle(e);
    return { weight: s.fontWeight, style: s.fontStyle, deco: s.textDecorationLine, color: s.color, size: s.fontSize };
  });
  assert(noteStyle.weight === '700' && noteStyle.style === 'italic' && noteStyle.deco === 'underline', 'label bold/italic/underline: ' + JSON.stringify(noteStyle));
  assert(noteStyle.color === 'rgb(255, 0, 0)' && noteStyle.size === '22px', 'label colour and size: ' + JSON.stringify(noteStyle));
  const jumpStyle = await jump.evaluate((e) => {
    const s = getComputedStyle(e);
    return { bg: s.backgroundColor, border: s.borderTopColor, color: s.color, size: s.fontSize };
  });
  assert(jumpStyle.bg === 'rgb(0, 0, 255)' && jumpStyle.border === 'rgb(0, 255, 0)', 'button colours: ' + JSON.stringify(jumpStyle));
  assert(jumpStyle.color === 'rgb(255, 255, 0)' && jumpStyle.size === '20px', 'button text colour and size: ' + JSON.stringify(jumpStyle));
  const jumpBox = await page.locator('[data-control-id="jump"]').boundingBox();
  const gridBox = await page.locator('#grid').boundingBox();
  assert(Math.abs(jumpBox.x - gridBox.x - 2 * 12) < 1 && Math.abs(jumpBox.width - 10 * 12) < 1, 'large placement: x 2, width 10 units: ' + JSON.stringify([jumpBox, gridBox]));

  // Click the button.
  await jump.click();
  await sentEvent(page, 'jump', 'mouseup');
  await step('clicked');

  // Its key (J, keyCode 74) triggers it when nothing is focused; Enter on the focused button presses it too.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.down('KeyJ');
  await page.keyboard.up('KeyJ');
  await sentEvent(page, 'jump', 'keyup');
  await jump.focus();
  await page.keyboard.press('Enter');
  await step('keys');

  // Drag the joystick past its rim, then up, then let go.
  const pad = page.locator('[data-control-id="stick"] .joystick-pad');
  const box = await pad.boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const r = box.width / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 2 * r, cy + 0.001, { steps: 8 });
  await page.waitForFunction(() => (window.__sent || []).some((s) => s.p.params && s.p.params.controlID === 'stick' && s.p.params.x >= 0.99));
  await page.mouse.move(cx, cy - r / 2, { steps: 8 });
  await page.waitForFunction(() => (window.__sent || []).some((s) => s.p.params && s.p.params.controlID === 'stick' && s.p.params.y <= -0.45 && Math.abs(s.p.params.x) < 0.05));
  await page.mouse.up();
  await page.waitForFunction(() => {
    const moves = (window.__sent || []).filter((s) => s.p.params && s.p.params.controlID === 'stick');
    const last = moves[moves.length - 1];
    return last && last.p.params.x === 0 && last.p.params.y === 0;
  });
  const moves = await sentInputs(page, 'stick');
  for (let i = 1; i < moves.length; i++) {
    assert(moves[i].t - moves[i - 1].t >= 100 - 2, 'moves are sent no faster than the sample rate (100 ms): ' + JSON.stringify(moves.map((m) => Math.round(m.t))));
  }
  for (const m of moves) assert(Math.abs(m.x) <= 1 && Math.abs(m.y) <= 1 && m.x * m.x + m.y * m.y <= 1 + 1e-9, 'move within the circle: ' + JSON.stringify(m));
  await step('dragged', { moves: moves.length });

  // The joystick's halo follows angle and intensity.
  await step('halo-request');
  const halo = page.locator('[data-control-id="stick"] .halo');
  await page.waitForFunction(() => {
    const h = document.querySelector('[data-control-id="stick"] .halo');
    return h && !h.hidden && h.dataset.intensity === '0.5' && Math.abs(Number(h.dataset.angle) - Math.PI / 2) < 1e-9;
  });
  assert(await halo.isVisible(), 'halo visible');

  // Type and submit text: no `change` events for a textbox with a submit button.
  const say = page.locator('[data-control-id="say"] input');
  assert((await say.getAttribute('placeholder')) === 'Say something', 'placeholder');
  await say.fill('hello world');
  await page.locator('[data-control-id="say"] button.submit', { hasText: 'Send' }).click();
  await page.waitForFunction(() => document.querySelector('[data-control-id="say"] input').value === '');
  const sayInputs = await sentInputs(page, 'say');
  assert(sayInputs.length === 1 && sayInputs[0].event === 'submit', 'only submit is sent: ' + JSON.stringify(sayInputs));
  // A textbox without a submit button sends `change` as the viewer types.
  await page.locator('[data-control-id="chat"] textarea').pressSequentially('ab');
  await step('submitted');

  // The screen control: a click on the video area sends mousedown/mouseup with x, y.
  const video = page.locator('#video');
  const vbox = await video.boundingBox();
  await page.mouse.click(vbox.x + vbox.width * 0.25, vbox.y + vbox.height * 0.5);
  await step('screen-clicked');

  // Game-side updates show at once.
  await step('update-request');
  await expectText(jump.locator('.label'), /^Leap$/, 'updated text');
  await page.waitForFunction(() => document.querySelector('[data-control-id="jump"] .progress').getAttribute('aria-valuenow') === '50');
  assert((await say.isDisabled()) === true, 'the disabled textbox is disabled');
  await expectText(note, /Updated note/, 'updated label');

  // A costed press: the game captures the sparks, the page shows the new balance.
  await buy.click();
  await step('bought');
  await expectText(page.locator('#sparks'), /^995$/, 'balance after the capture');

  // A cooldown counts down on the button; a press then is refused in words.
  await step('cooldown-request');
  const cooldown = page.locator('[data-control-id="jump"] .cooldown');
  await expectText(cooldown, /\d(\.\d)? s/, 'cooldown countdown');
  await jump.click();
  await expectText(page.locator('#notice'), /cooling down/, 'cooldown notice');

  // A screenshot of each grid size.
  for (const [size, width, height] of [['large', 1280, 900], ['medium', 720, 1000], ['small', 390, 1100]]) {
    await page.setViewportSize({ width, height });
    await page.waitForFunction((size) => document.getElementById('grid').dataset.size === size, size);
    const placed = await page.locator('[data-control-id="stick"]').boundingBox();
    const g = await page.locator('#grid').boundingBox();
    assert(g.width <= width, size + ' grid fits the viewport: ' + g.width);
    assert(placed.x >= g.x && placed.x + placed.width <= g.x + g.width + 1, size + ' joystick inside the grid');
    await page.screenshot({ path: path.join(artifacts, 'participant-' + size + '.png'), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // The game moves the viewer to another group: its scene replaces the first one.
  await step('move-request');
  await page.locator('[data-control-id="other"] button').waitFor();
  await expectText(page.locator('#group'), /^team$/, 'new group');
  await expectText(page.locator('#scene'), /^second$/, 'new scene');
  assert((await page.locator('[data-control-id="jump"]').count()) === 0, 'the first scene is gone');
  await page.screenshot({ path: path.join(artifacts, 'participant-second-scene.png'), fullPage: true });
  await page.locator('[data-control-id="other"] button').click();
  await step('other-clicked');

  // An anonymous viewer pressing a costed button is told why it did nothing.
  const anon = await context.newPage();
  anon.on('pageerror', (e) => errors.push(String(e)));
  await anon.goto(base + '/channel/1');
  await anon.getByRole('button', { name: 'Join anonymously' }).click();
  await expectText(anon.locator('#username'), /anonymous/, 'anonymous name');
  await anon.locator('[data-control-id="buy"] button').click();
  await expectText(anon.locator('#notice'), /Sign in .* costs 5 sparks/, 'anonymous spark error');
  await anon.screenshot({ path: path.join(artifacts, 'participant-anonymous-error.png') });
  await step('anonymous');

  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('done');
});
