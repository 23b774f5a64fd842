// A version's custom-control bundle (tests/custom_bundle, built on @mixer/cdk-std) on the
// participant page: it runs in a frame sandboxed to scripts only, shows the scene's button, a
// click reaches the game, and a change the game makes reaches it. Driven by
// tests/custom_controls.rs. Usage: node custom.js BASE_URL ARTIFACTS_DIR (protocol: harness.js).
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

  // The bundle's frame: scripts only, no same-origin access; the built-in grid is hidden.
  const frameEl = page.locator('iframe.custom-controls');
  await frameEl.waitFor();
  assert((await frameEl.getAttribute('sandbox')) === 'allow-scripts', 'the frame is sandboxed to scripts only');
  assert(await page.locator('#grid').isHidden(), 'the built-in controls are not shown');
  const frame = page.frameLocator('iframe.custom-controls');
  const fire = frame.getByRole('button', { name: 'Fire' });
  await fire.waitFor();
  await expectText(frame.locator('#probe'), /^isolated$/, 'what the bundle can reach');
  await expectText(frame.locator('#video'), /^\d+x\d+$/, 'the video position the bundle received');
  await page.screenshot({ path: path.join(artifacts, 'custom-controls.png') });
  await step('shown');

  await fire.click();
  await expectText(frame.locator('#last'), /^sent fire$/, 'the reply to the bundle’s giveInput');
  await step('clicked');
  await frame.getByRole('button', { name: 'Fire again' }).waitFor();
  assert(errors.length === 0, 'no page errors: ' + JSON.stringify(errors));
  await step('done');
});
