#!/usr/bin/env node
// The official, unmodified @mixer/chat-client-websocket 1.2.0 Socket against a running
// mediator, with the streamer's token from a short-code sign-in (@mixer/shortcode-oauth,
// approved through /go): connect, auth, send, receive, whisper, anonymous reading, ping.
//   node chat.js http://127.0.0.1:PORT
'use strict';
const WebSocket = require('ws');
const { Socket } = require('@mixer/chat-client-websocket');
const { assert, signIn } = require('./go');

const BASE = process.argv[2];
if (!BASE) {
  console.error('usage: node chat.js http://HOST:PORT');
  process.exit(2);
}
const TIMEOUT_MS = 10000;

function waitFor(emitter, event, test = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, TIMEOUT_MS);
    function on(data) {
      if (!test(data)) return;
      clearTimeout(timer);
      emitter.removeListener(event, on);
      resolve(data);
    }
    emitter.on(event, on);
  });
}

async function details(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${BASE}/api/v1/chats/1`, { headers });
  assert(res.status === 200, `chats/1 answered ${res.status}`);
  return res.json();
}

async function connect(userId, token) {
  const d = await details(token);
  assert(Array.isArray(d.endpoints) && d.endpoints.length > 0, 'endpoints are listed');
  assert(token ? typeof d.authkey === 'string' : d.authkey === undefined, 'an authkey only when signed in');
  const socket = new Socket(WebSocket, d.endpoints, { clientId: 'node-chat' });
  socket.on('error', (e) => console.error(`socket error: ${e && e.message}`));
  socket.boot();
  const auth = token ? await socket.auth(1, userId, d.authkey) : await socket.auth(1);
  return { socket, auth };
}

async function main() {
  console.log('- the streamer signs in with a short code');
  const { tokens } = await signIn(BASE, 'node-chat', ['chat:connect', 'chat:chat', 'chat:whisper'], 'demo-streamer');

  console.log('- connect and auth (streamer by OAuth token, viewer by world token, an anonymous reader)');
  const streamer = await connect(1, tokens.data.accessToken);
  assert(streamer.auth.authenticated === true, 'the streamer is authenticated');
  assert(streamer.auth.roles.includes('Owner'), `the streamer owns the channel: ${streamer.auth.roles}`);
  const viewer = await connect(2, 'demo-viewer-1');
  assert(viewer.auth.authenticated === true && viewer.auth.roles.includes('User'), 'the viewer is a user');
  const anon = await connect(null, null);
  assert(anon.auth.authenticated === false, 'the reader is anonymous');

  console.log('- send and receive');
  const seen = waitFor(viewer.socket, 'ChatMessage', (m) => m.user_name === 'streamer');
  const seenAnon = waitFor(anon.socket, 'ChatMessage', (m) => m.user_name === 'streamer');
  const reply = await streamer.socket.call('msg', ['hello from node']);
  assert(reply.user_id === 1 && typeof reply.id === 'string', `the reply is the message: ${JSON.stringify(reply)}`);
  for (const m of [await seen, await seenAnon]) {
    assert(m.id === reply.id, 'the same message');
    assert(m.message.message[0].type === 'text' && m.message.message[0].text === 'hello from node', 'its text part');
  }
  const answer = waitFor(streamer.socket, 'ChatMessage', (m) => m.user_name === 'viewer1');
  await viewer.socket.call('msg', ['hi streamer']);
  assert((await answer).message.message[0].data === 'hi streamer', 'the streamer receives the viewer');

  console.log('- whisper');
  const whispered = waitFor(streamer.socket, 'ChatMessage', (m) => m.message.meta.whisper === true);
  await viewer.socket.call('whisper', ['streamer', 'just for you']);
  const w = await whispered;
  assert(w.target === 'streamer' && w.user_name === 'viewer1', `a whisper to the streamer: ${JSON.stringify(w)}`);

  console.log('- refusals, history and ping');
  const refused = await anon.socket.call('msg', ['let me in']).then(() => 'sent', (e) => e);
  assert(refused === 'UACCESS', `an anonymous message is refused with UACCESS: ${refused}`);
  const history = await anon.socket.call('history', [10]);
  assert(history.length === 2 && history[0].id === reply.id, 'history holds the two messages, oldest first');
  assert((await viewer.socket.call('ping', [])) === null, 'ping replies with no data');

  console.log('- moderation');
  const deleted = waitFor(viewer.socket, 'DeleteMessage');
  await streamer.socket.call('deleteMessage', [reply.id]);
  assert((await deleted).id === reply.id, 'the viewer sees the deletion');

  for (const s of [streamer, viewer, anon]) s.socket.close();
  console.log('ok');
}

main().then(
  () => process.exit(0), // the short-code client keeps a timer alive until its code expires
  (e) => {
    console.error(`FAILED: ${e && e.stack}`);
    process.exit(1);
  },
);
