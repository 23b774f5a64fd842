// The participant page with an uploaded image as a button's backgroundImage, then the page's
// words when an admin ends the session (4027) and when the viewer is banned (4025). Driven by
// tests/browser_files.rs. Usage: node files.js BASE_URL ARTIFACTS_DIR (step protocol: harness.js).
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
  await page.goto(base + '/channel/1');
  await page.getByLabel('Access key').fill('demo-viewer-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const pic = page.locator('[data-control-id="pic"] button');
  await pic.waitFor();
  const { url } = await step('ready');

  // The button's background is the uploaded file, which the browser loaded and decoded: its
  // pixels are the red the game uploaded.
  const shown = await pic.evaluate((e) => getComputedStyle(e).backgroundImage);
  assert(shown === 'url("' + url + '")', 'the button shows the uploaded image: ' + shown);
  await page.waitForFunction((url) => performance.getEntriesByName(url).length > 0, url);
  const pixel = await page.evaluate(async (url) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    return { w: img.naturalWidth, rgba: Array.from(g.getImageData(8, 8, 1, 1).data) };
  }, url);
  assert(pixel.w === 16 && pixel.rgba.join() === '255,0,0,255', 'the image decodes to its red pixels: ' + JSON.stringify(pixel));
  await pic.screenshot({ path: path.join(artifacts, 'files-background.png') });
  await pic.click();
  await step('image-shown');

  // An admin ended the session: the page says who and what happens next.
  await expectText(page.locator('#notice'), /administrator.*ended/, 'the notice after 4027');
  await expectText(page.locator('#status'), /ended by an administrator/, 'the status after 4027');
  await step('ended-shown');
  // The game started again: the page rejoined by itself (it retries every 5 s).
  await page.locator('[data-control-id="pic"] button').waitFor({ timeout: 15000 });
  await step('back');

  // Banned: the page says so, and how it ends.
  await expectText(page.locator('#notice'), /banned from this channel.*lift the ban/, 'the notice after 4025');
  await expectText(page.locator('#status'), /^Banned from this channel$/, 'the status after 4025');
  assert((await page.locator('[data-control-id="pic"]').count()) === 0, 'no controls while banned');
  await page.screenshot({ path: path.join(artifacts, 'files-banned.png') });
  assert(errors.length === 0, 'no page errors: ' + JSON.stringify(errors));
  await step('done');
});
