#!/usr/bin/env node
// Drives the official, unmodified @mixer/interactive-node 3.0.1 GameClient and ParticipantClient
// against a running mediator:
//   node conformance.js http://127.0.0.1:PORT
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
'use strict';
const http = require('http');
const WebSocket = require('ws');
const interactive = require('@mixer/interactive-node');
interactive.setWebSocket(WebSocket);

const BASE = process.argv[2];
if (!BASE) {
  console.error('usage: node conformance.js http://HOST:PORT');
  process.exit(2);
}
const STEP_TIMEOUT_MS = 10000;
const problems = [];
process.on('uncaughtException', (e) => problems.push(`uncaught ${e.constructor.name}: ${e.message}`));
process.on('unhandledRejection', (e) => problems.push(`unhandled rejection: ${e && e.message}`));

let stepName = '';
function step(name) {
  stepName = name;
  console.log(`- ${name}`);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Resolves with the first `event` emitted by `emitter` whose arguments satisfy `test`.
function waitFor(emitter, event, test = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`timed out waiting for ${event}`));
    }, STEP_TIMEOUT_MS);
    function onEvent(...args) {
      if (!test(...args)) return;
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      resolve(args);
    }
    emitter.on(event, onEvent);
  });
}

function getJson(path, token) {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    http.get(`${BASE}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(body) });
        } catch (e) {
          reject(new Error(`${path}: bad JSON ${body}`));
        }
      });
    }).on('error', reject);
  });
}

async function main() {
  const game = new interactive.GameClient();
  game.on('error', (e) => problems.push(`game error ${e.code}: ${e.message}`));

  step('the game client discovers the mediator through the hosts endpoint and connects');
  await game.open({
    authToken: 'demo-streamer',
    versionId: 1,
    discoveryUrl: `${BASE}/api/v1/interactive/hosts`,
  });
  await game.synchronizeState();
  assert(game.state.getScene('default'), 'the default scene is in the game state');
  assert(game.state.getGroup('default'), 'the default group is in the game state');

  step('the game creates a scene with controls, more controls, and a group');
  // The mediator sends state events before the reply, so the state is current when a call returns.
  await game.createScenes({
    scenes: [{ sceneID: 'red', controls: [{ controlID: 'red_fire', kind: 'button', text: 'Fire', cost: 25 }] }],
  });
  assert(game.state.getScene('red'), 'the created scene reached the game state');
  const created = await game.createControls({
    sceneID: 'default',
    controls: [
      { controlID: 'jump', kind: 'button', text: 'Jump' },
      { controlID: 'stick', kind: 'joystick', sampleRate: 50 },
    ],
  });
  assert(created.length === 2, `createControls returned ${created.length} controls`);
  assert(game.state.getControl('jump'), 'jump is in the game state');
  await game.createGroups({ groups: [{ groupID: 'redteam', sceneID: 'red' }] });
  assert(game.state.getGroup('redteam'), 'the created group reached the game state');

  step('errors come back as the typed errors interactive-node knows');
  let duplicate = null;
  try {
    await game.createGroups({ groups: [{ groupID: 'redteam' }] });
  } catch (e) {
    duplicate = e;
  }
  assert(duplicate && duplicate.code === 4009, `duplicate group gives 4009, got ${duplicate && duplicate.code}`);

  step('the game goes ready');
  const gameReady = waitFor(game.state, 'ready', (r) => r === true);
  await game.ready(true);
  await gameReady;

  step('a viewer finds the participant socket and joins');
  const channel = await getJson('/api/v1/interactive/1');
  assert(channel.status === 200 && channel.body.online === true, `channel 1 is online: ${JSON.stringify(channel.body)}`);
  const before = await getJson('/api/v1/users/current', 'demo-viewer-1');
  const startSparks = before.body.sparks;
  const viewer = new interactive.ParticipantClient();
  viewer.on('error', (e) => problems.push(`participant error ${e.code}: ${e.message}`));
  const joinAtGame = waitFor(game.state, 'participantJoin', (p) => p.username === 'viewer1');
  const viewerScene = waitFor(viewer.state, 'sceneCreated', (s) => s.sceneID === 'default');
  const viewerReady = waitFor(viewer.state, 'ready', (r) => r === true);
  await viewer.open({
    url: channel.body.address,
    key: 'demo-viewer-1',
    reconnectChecker: () => Promise.resolve(),
  });
  const [participant] = await joinAtGame;
  await viewerScene;
  await viewerReady;
  assert(viewer.state.getControl('jump'), 'the viewer sees the default scene controls');

  step('the viewer presses a button and the game receives it with the participant');
  const jump = game.state.getControl('jump');
  const press = waitFor(jump, 'mousedown');
  await viewer.state.getControl('jump').giveInput({ event: 'mousedown', button: 0 });
  const [input, who] = await press;
  assert(input.input.controlID === 'jump', 'the input names the control');
  assert(who && who.sessionID === participant.sessionID, 'the input carries the participant');

  step('the viewer moves the joystick');
  const stick = game.state.getControl('stick');
  const move = waitFor(stick, 'move');
  await viewer.state.getControl('stick').giveInput({ event: 'move', x: 0.5, y: -0.25 });
  const [moved] = await move;
  assert(moved.input.x === 0.5 && moved.input.y === -0.25, 'joystick coordinates pass through');

  step('the game updates a control and the viewer sees it');
  const viewerUpdate = waitFor(viewer.state.getControl('jump'), 'updated');
  await jump.setText('Jump!');
  await viewerUpdate;
  assert(jump.text === 'Jump!', 'the game state shows the new text');
  assert(viewer.state.getControl('jump').text === 'Jump!', 'the viewer sees the new text');

  step('the game moves the viewer to the red team and the viewer sees the red scene');
  const redScene = waitFor(viewer.state, 'sceneCreated', (s) => s.sceneID === 'red');
  const moveSelf = waitFor(viewer.state, 'selfUpdate', (p) => p.groupID === 'redteam');
  await game.updateParticipants({ participants: [{ sessionID: participant.sessionID, groupID: 'redteam' }] });
  await moveSelf;
  await redScene;
  assert(game.state.getParticipantBySessionID(participant.sessionID).groupID === 'redteam', 'the game state shows the move');

  step('the viewer presses the costed button; the game captures the transaction');
  const fire = game.state.getControl('red_fire');
  const firePress = waitFor(fire, 'mousedown');
  await viewer.state.getControl('red_fire').giveInput({ event: 'mousedown', button: 0 });
  const [fireInput] = await firePress;
  assert(typeof fireInput.transactionID === 'string', 'a costed press carries a transaction id');
  await game.captureTransaction(fireInput.transactionID);
  const after = await getJson('/api/v1/users/current', 'demo-viewer-1');
  assert(after.body.sparks === startSparks - 25, `sparks went from ${startSparks} to ${after.body.sparks}`);
  let recapture = null;
  try {
    await game.captureTransaction(fireInput.transactionID);
  } catch (e) {
    recapture = e;
  }
  assert(recapture && recapture.code === 4006, 'a transaction is captured only once');

  step('the viewer leaves and the game hears it');
  const leave = waitFor(game.state, 'participantLeave', (sid) => sid === participant.sessionID);
  viewer.close();
  await leave;

  game.close();
  if (problems.length) throw new Error(problems.join('; '));
}

main().then(
  () => {
    console.log('interactive-node conformance: all steps passed');
    setTimeout(() => process.exit(0), 50);
  },
  (e) => {
    console.error(`FAILED at "${stepName}": ${e.message}`);
    if (problems.length) console.error(`also: ${problems.join('; ')}`);
    process.exit(1);
  },
);
