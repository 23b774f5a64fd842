#!/usr/bin/env node
// The official, unmodified @mixer/shortcode-oauth 1.2.0 client against a running mediator:
// a sign-in approved through the /go page's form, a refresh, and a denied code.
//   node shortcode.js http://127.0.0.1:PORT
'use strict';
const { ShortCodeAccessDeniedError } = require('@mixer/shortcode-oauth');
const { assert, answerOnGoPage, signIn, OAuthClient } = require('./go');

const BASE = process.argv[2];
if (!BASE) {
  console.error('usage: node shortcode.js http://HOST:PORT');
  process.exit(2);
}

async function main() {
  console.log('- sign in with a short code approved on /go');
  const scopes = ['interactive:robot:self', 'chat:connect', 'chat:chat'];
  const { client, tokens } = await signIn(BASE, 'node-shortcode', scopes, 'demo-streamer');
  assert(typeof tokens.data.accessToken === 'string' && tokens.data.accessToken.length > 0, 'an access token');
  assert(!tokens.expired(), 'the token is fresh');
  assert(tokens.granted(scopes), 'the scopes are kept');

  console.log('- the token is the streamer\'s');
  const me = await (await fetch(`${BASE}/api/v1/users/current`, { headers: tokens.header() })).json();
  assert(me.id === 1 && me.username === 'streamer', `users/current: ${JSON.stringify(me)}`);

  console.log('- refresh');
  const fresh = await client.refresh(tokens);
  assert(fresh.data.accessToken !== tokens.data.accessToken, 'a new access token');
  const again = await client.refresh(tokens).then(() => 'ok', (e) => e);
  assert(again !== 'ok', 'a refresh token works once');

  console.log('- a denied code');
  const denied = new OAuthClient({ clientId: 'node-shortcode', scopes, host: `${BASE}/api/v1/` });
  const code = await denied.getCode();
  const waiting = code.waitForAccept().then(() => 'accepted', (e) => e);
  await answerOnGoPage(BASE, code.code, 'demo-viewer-1', 'deny');
  const outcome = await waiting;
  assert(outcome instanceof ShortCodeAccessDeniedError, `denied: ${outcome}`);
  console.log('ok');
}

main().then(
  () => process.exit(0), // the client keeps a timer per code alive until it expires
  (e) => {
    console.error(`FAILED: ${e && e.stack}`);
    process.exit(1);
  },
);
