// A new person in the system's headless Chromium: from a channel page to the sign-up form, back
// on the channel page already signed in (by the session cookie), a costed press the game
// captures, and signing out. tests/browser.rs plays the game. Usage: node signup.js BASE ARTIFACTS
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
  await page.getByRole('link', { name: 'create an account' }).click();
  await page.waitForURL(/\/signup\?next=%2Fchannel%2F1$|\/signup\?next=\/channel\/1$/);
  await page.getByLabel('Username').fill('new_fan');
  await page.getByLabel('Password').fill('a long enough password');
  await page.screenshot({ path: path.join(artifacts, 'signup.png') });
  await page.getByRole('button', { name: 'Sign up' }).click();

  // Back on the channel, signed in without typing anything more.
  await page.waitForURL(/\/channel\/1$/);
  await expectText(page.locator('#username'), /^new_fan$/, 'signed in by the session');
  await expectText(page.locator('#sparks'), /^100$/, 'the sign-up sparks');
  assert(await page.locator('#signin').isHidden(), 'no sign-in box for a signed-in viewer');
  assert(!(await page.context().cookies()).some((c) => c.name === 'mixplay_session' && !c.httpOnly), 'the session cookie is HttpOnly');
  const boost = page.locator('[data-control-id="boost"] button');
  await boost.waitFor();
  await step('signed-in');

  await boost.click();
  await step('pressed');
  await expectText(page.locator('#sparks'), /^90$/, 'the captured sparks are gone from the balance');
  await expectText(page.locator('#chat-status'), /Chatting as new_fan/, 'the chat signs in by the session too');
  await page.screenshot({ path: path.join(artifacts, 'signup-signed-in.png') });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/channel\/1$/);
  await page.locator('#signin').waitFor({ state: 'visible' });
  assert(errors.length === 0, 'no page errors: ' + errors.join('; '));
  await step('signed-out');
});
