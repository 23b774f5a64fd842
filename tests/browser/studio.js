// The Studio in the system's headless Chromium: a developer signs up, creates a project, adds a
// button and a joystick, drags them onto the large grid, resizes one, moves and places with the
// keyboard, edits properties, views the JSON, previews and saves; reads the version ID on the Code
// tab (tests/studio_browser.rs then runs games with it); shares by code; submits; an admin
// reviews and publishes; the developer sees it published; the pages read at phone width.
// Usage: node studio.js BASE ARTIFACTS
'use strict';

const fs = require('fs');
const path = require('path');
const { assert, expectText, run, step, watch } = require('./harness');

const base = process.argv[2];
const artifacts = process.argv[3];
const DEV = { username: 'studio_dev', password: 'a long enough password' };
const ADMIN = { username: 'site_admin', password: 'another long password' };

/** The page coordinates of the middle of grid cell (x, y) in the editor. */
async function cell(page, x, y) {
  const canvas = page.locator('.grid-canvas');
  const box = await canvas.boundingBox();
  const unit = Number(await canvas.getAttribute('data-unit'));
  // The canvas has a 1 px border; cells start inside it.
  return { x: box.x + 1 + (x + 0.5) * unit, y: box.y + 1 + (y + 0.5) * unit };
}

async function dragTo(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

async function center(locator) {
  const b = await locator.boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Where a control sits on the editor's grid, in units (from its CSS and the unit). */
async function placed(page, id) {
  const unit = Number(await page.locator('.grid-canvas').getAttribute('data-unit'));
  const style = await page.locator('.grid-canvas .box[data-control-id="' + id + '"]').evaluate((e) => [e.style.left, e.style.top, e.style.width, e.style.height]);
  const [x, y, width, height] = style.map((v) => Math.round(parseFloat(v) / unit));
  return { x, y, width, height };
}

function same(a, b, what) {
  assert(JSON.stringify(a) === JSON.stringify(b), what + ': expected ' + JSON.stringify(b) + ', got ' + JSON.stringify(a));
}

async function signUp(page, who) {
  await page.goto(base + '/signup?next=/studio');
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/studio$/);
}

async function addControl(page, kind, id) {
  await page.locator('#new-control-kind').selectOption(kind);
  await page.locator('#new-control-id').fill(id);
  await page.locator('#add-control').getByRole('button', { name: 'Add' }).click();
  await page.locator('#control-list li[data-control-id="' + id + '"]').waitFor();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
}

run(async (context) => {
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });
  const errors = [];
  const page = watch(context.pages()[0] || (await context.newPage()), errors);
  await page.setViewportSize({ width: 1440, height: 1000 });

  // Signed out, the Studio sends people to sign in first.
  await page.goto(base + '/studio');
  await page.waitForURL(/\/login\?next=%2Fstudio|\/login\?next=\/studio/);
  await signUp(page, DEV);
  await page.locator('#list-view').waitFor();
  await expectText(page.locator('#no-projects'), /No projects yet/, 'an empty list');
  await shot(page, 'studio-list');

  // A new project, by the + button and a name.
  await page.getByRole('button', { name: 'New project' }).click();
  await page.locator('#ask-input').fill('Zombie Rush');
  await page.locator('#ask-ok').click();
  await page.waitForURL(/#\/game\/\d+\/build$/);
  await expectText(page.locator('#project-name'), /^Zombie Rush$/, 'the project');
  await expectText(page.locator('#version-state'), /^draft$/, 'a draft version');

  // A button and a joystick, dragged onto the large grid.
  await addControl(page, 'button', 'jump');
  await addControl(page, 'joystick', 'aim');
  const handle = (id) => page.locator('#control-list li[data-control-id="' + id + '"] .drag-handle');
  await dragTo(page, await center(handle('jump')), await cell(page, 2, 1));
  await dragTo(page, await center(handle('aim')), await cell(page, 20, 2));
  same(await placed(page, 'jump'), { x: 2, y: 1, width: 10, height: 5 }, 'jump where it was dropped');
  same(await placed(page, 'aim'), { x: 20, y: 2, width: 10, height: 10 }, 'aim where it was dropped');

  // Resized by its corner handle: the corner follows to cell (31, 13).
  await dragTo(page, await center(page.locator('.grid-canvas .box[data-control-id="aim"] .handle')), await cell(page, 31, 13));
  same(await placed(page, 'aim'), { x: 20, y: 2, width: 12, height: 12 }, 'aim resized');

  // A move onto another control is refused, and says why.
  await dragTo(page, await cell(page, 3, 2), await cell(page, 23, 6));
  await expectText(page.locator('#save-state'), /would overlap “aim”/, 'an overlap is refused');
  same(await placed(page, 'jump'), { x: 2, y: 1, width: 10, height: 5 }, 'jump stays put');
  // Off the grid too.
  await dragTo(page, await cell(page, 3, 2), await cell(page, 77, 2));
  await expectText(page.locator('#save-state'), /would leave the large grid/, 'leaving the grid is refused');
  same(await placed(page, 'jump'), { x: 2, y: 1, width: 10, height: 5 }, 'jump still stays put');

  // The keyboard moves and resizes a focused control.
  const jumpBox = page.locator('.grid-canvas .box[data-control-id="jump"]');
  await jumpBox.focus();
  await page.keyboard.press('ArrowRight');
  same(await placed(page, 'jump'), { x: 3, y: 1, width: 10, height: 5 }, 'moved right by a key');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowDown');
  same(await placed(page, 'jump'), { x: 2, y: 1, width: 10, height: 6 }, 'taller by Shift and a key');
  await page.keyboard.press('Shift+ArrowUp');
  same(await placed(page, 'jump'), { x: 2, y: 1, width: 10, height: 5 }, 'back');

  // Properties of its kind.
  await page.locator('#control-list li[data-control-id="jump"] .pick').click();
  await page.locator('#prop-text').fill('Jump!');
  await page.locator('#prop-text').press('Tab');
  await page.locator('#prop-cost').fill('5');
  await page.locator('#prop-cost').press('Tab');
  await page.locator('#prop-keyCode').fill('74');
  await page.locator('#prop-keyCode').press('Tab');

  // The medium grid, chosen with the keyboard; jump placed there by a button.
  await page.locator('#sizes [data-size="large"]').focus();
  await page.keyboard.press('ArrowRight');
  await expectText(page.locator('#sizes [aria-checked="true"]'), /Medium 45×25/, 'the medium grid');
  await page.getByRole('button', { name: 'Place on this grid' }).click();
  same(await placed(page, 'jump'), { x: 0, y: 0, width: 10, height: 5 }, 'jump at the first free spot');
  await page.locator('#sizes [data-size="large"]').click();

  // View JSON shows the scene.
  await page.getByRole('button', { name: 'View JSON' }).click();
  const json = JSON.parse(await page.locator('#json-text').textContent());
  assert(json.sceneID === 'default' && json.controls.length === 2, 'the scene JSON: ' + JSON.stringify(json));
  same(json.controls[0].position, [{ size: 'large', x: 2, y: 1, width: 10, height: 5 }, { size: 'medium', x: 0, y: 0, width: 10, height: 5 }], 'jump in the JSON');
  assert(json.controls[0].text === 'Jump!' && json.controls[0].cost === 5, 'the edited properties are in the JSON');
  await page.locator('#json-dialog').getByRole('button', { name: 'Close' }).click();

  await page.locator('#save').click();
  await expectText(page.locator('#save-state'), /^Saved at/, 'saved');
  await shot(page, 'studio-build');

  // The Preview: the participant page's renderer, at each grid size.
  await page.getByRole('button', { name: 'Preview' }).click();
  const frame = (size) => page.frameLocator('figure[data-size="' + size + '"] iframe');
  const inFrame = async (size, id) => {
    const ctl = frame(size).locator('[data-control-id="' + id + '"]');
    await ctl.first().waitFor();
    return ctl.first().evaluate((e) => ({ grid: e.parentElement.id, left: e.style.left, top: e.style.top, width: e.style.width, height: e.style.height }));
  };
  await frame('large').locator('#grid[data-size="large"]').waitFor({ state: 'attached' });
  same(await inFrame('large', 'jump'), { grid: 'grid', left: '24px', top: '12px', width: '120px', height: '60px' }, 'jump drawn on the large grid');
  same(await inFrame('large', 'aim'), { grid: 'grid', left: '240px', top: '24px', width: '144px', height: '144px' }, 'aim drawn on the large grid');
  await expectText(frame('large').locator('[data-control-id="jump"] .label'), /^Jump!$/, 'the button text');
  await frame('medium').locator('#grid[data-size="medium"]').waitFor({ state: 'attached' });
  same(await inFrame('medium', 'jump'), { grid: 'grid', left: '0px', top: '0px', width: '120px', height: '60px' }, 'jump on the medium grid');
  assert((await inFrame('medium', 'aim')).grid === 'unplaced', 'aim has no medium placement: laid out after the grid');
  await frame('small').locator('#grid[data-size="small"]').waitFor({ state: 'attached' });
  assert((await inFrame('small', 'jump')).grid === 'unplaced', 'nothing placed on the small grid');
  await frame('large').locator('[data-control-id="jump"] button').click();
  await expectText(page.locator('#status'), /Preview: mouse(down|up) on “jump”/, 'a press in the preview is told, not sent');
  await shot(page, 'studio-preview');

  // The Code tab: the version ID, large, and the snippets.
  await page.getByRole('tab', { name: 'Build' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/\/code$/);
  await expectText(page.locator('#version-id'), /^\d+$/, 'the version ID');
  const versionId = (await page.locator('#version-id').textContent()).trim();
  assert(/^\d+$/.test(versionId), 'a version ID: ' + versionId);
  const snippet = (lang) => page.locator('#snippets [data-lang="' + lang + '"] code').textContent();
  assert((await snippet('c')).includes('mixplay_config_set_version_id(config, ' + versionId + ');'), 'the C snippet');
  assert((await snippet('c')).includes('"' + base + '/api/v1/interactive/hosts"'), 'the C snippet has the address');
  assert((await snippet('cpp')).includes('.version_id(' + versionId + ')'), 'the C++ snippet');
  assert((await snippet('unity')).includes('VersionId = ' + versionId), 'the Unity snippet');
  assert((await snippet('unreal')).includes('VersionId=' + versionId), 'the Unreal snippet');
  assert(!(await snippet('c')).includes('share_code'), 'no share code yet');
  await shot(page, 'studio-code');
  await step('saved', { versionId: Number(versionId), username: DEV.username, password: DEV.password });

  // Share by code: the dialog warns, applies, shows the code; the Code tab fills it in.
  await page.getByRole('button', { name: 'Share…' }).click();
  await expectText(page.locator('#share-dialog .warning'), /Switching deletes the previous setting/, 'the warning');
  await page.getByLabel('Anyone with the version ID and a share code can play').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expectText(page.locator('#share-dialog-code'), /^[a-z2-9]{12}$/, 'a share code');
  const shareCode = (await page.locator('#share-dialog-code').textContent()).trim();
  await page.screenshot({ path: path.join(artifacts, 'studio-share.png') });
  await page.locator('#share-dialog').getByRole('button', { name: 'Close' }).click();
  assert((await snippet('c')).includes('mixplay_config_set_share_code(config, "' + shareCode + '");'), 'the share code in the C snippet');
  assert((await snippet('unity')).includes('ShareCode = "' + shareCode + '"'), 'and in the Unity one');
  await step('shared', { shareCode });

  // Editors: added and removed by name.
  await page.getByRole('button', { name: 'Editors…' }).click();
  await page.locator('#editor-name').fill('viewer2');
  await page.getByRole('button', { name: 'Add editor' }).click();
  await expectText(page.locator('#editor-list'), /viewer2/, 'an editor');
  await page.getByRole('button', { name: 'Remove editor viewer2' }).click();
  await expectText(page.locator('#editor-list'), /No editors/, 'removed again');
  await page.locator('#editors-dialog').getByRole('button', { name: 'Close' }).click();

  // Publish: the checks want a description first.
  await page.getByRole('tab', { name: 'Publish' }).click();
  await expectText(page.locator('#checks .missing'), /description/, 'a missing description');
  assert(await page.locator('#submit').isDisabled(), 'no submitting before the checks pass');
  await page.getByRole('tab', { name: 'Info' }).click();
  await page.getByLabel('Description').fill('Spawn zombies on the streamer.');
  await page.getByRole('button', { name: 'Save info' }).click();
  await expectText(page.locator('#status'), /Saved the name and description/, 'info saved');
  await shot(page, 'studio-info');
  await page.getByRole('tab', { name: 'Publish' }).click();
  await page.locator('#checks .missing').first().waitFor({ state: 'detached' });
  assert((await page.locator('#checks .ok').count()) === 3, 'every check passes');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(page.locator('#publish-state'), /^pending/, 'pending');
  await shot(page, 'studio-publish');
  await page.getByRole('tab', { name: 'Build' }).click();
  assert(await page.locator('#save').isHidden(), 'a pending version cannot be saved');
  await step('submitted');

  // An admin reviews it.
  await signOut(page);
  await signUp(page, ADMIN);
  await step('admin-signed-up');
  await page.reload();
  await page.getByRole('link', { name: 'Review' }).click();
  const item = page.locator('.pending-item').filter({ hasText: 'Zombie Rush · version 1' });
  await item.waitFor();
  await expectText(item.locator('.description'), /Spawn zombies/, 'the description');
  await item.getByRole('button', { name: 'View JSON' }).click();
  await expectText(page.locator('#json-text'), /"jump"/, 'the controls to review');
  await page.locator('#json-dialog').getByRole('button', { name: 'Close' }).click();
  await shot(page, 'studio-review');
  await item.getByLabel('Feedback for the owner').fill('Nice and clear.');
  await item.getByRole('button', { name: 'Publish' }).click();
  await expectText(page.locator('#no-pending'), /Nothing is waiting/, 'reviewed');
  await step('reviewed');

  // The developer sees it published, with the reviewer's words.
  await signOut(page);
  await page.getByLabel('Username').fill(DEV.username);
  await page.getByLabel('Password').fill(DEV.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/studio$/);
  await page.getByRole('link', { name: 'Zombie Rush' }).click();
  await page.getByRole('tab', { name: 'Publish' }).click();
  await expectText(page.locator('#publish-state'), /^published$/, 'published');
  await expectText(page.locator('#feedback-text'), /Nice and clear/, 'the feedback');
  await step('published');

  // Phone width: readable, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const tab of ['Code', 'Build', 'Info']) {
    await page.getByRole('tab', { name: tab }).click();
    await page.locator('#panel-' + tab.toLowerCase()).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(wide <= 0, 'the ' + tab + ' tab fits a phone (' + wide + ' px too wide)');
  }
  await page.getByRole('tab', { name: 'Code' }).click();
  await shot(page, 'studio-phone');
  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('done');
});
