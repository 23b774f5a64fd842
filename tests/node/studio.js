#!/usr/bin/env node
// The official, unmodified @mixer/interactive-node 3.0.1 GameClient runs a version laid out in
// the Studio, and finds the controls where the developer put them:
//   node studio.js http://127.0.0.1:PORT TOKEN VERSION_ID '{"jump": [placements], ...}' [SHARE_CODE]
// Exits 0 when the default scene holds every expected control with exactly those placements.
'use strict';
const WebSocket = require('ws');
const interactive = require('@mixer/interactive-node');
interactive.setWebSocket(WebSocket);

const [BASE, TOKEN, VERSION, EXPECTED, SHARECODE] = process.argv.slice(2);
if (!EXPECTED) {
  console.error('usage: node studio.js BASE TOKEN VERSION_ID EXPECTED_JSON [SHARE_CODE]');
  process.exit(2);
}

function bySize(placements) {
  return JSON.stringify((placements || []).slice().sort((a, b) => a.size.localeCompare(b.size)));
}

async function main() {
  const expected = JSON.parse(EXPECTED);
  const game = new interactive.GameClient();
  const problems = [];
  game.on('error', (e) => problems.push(`game error ${e.code}: ${e.message}`));
  const options = { authToken: TOKEN, versionId: Number(VERSION), discoveryUrl: `${BASE}/api/v1/interactive/hosts` };
  if (SHARECODE) options.sharecode = SHARECODE;
  const timer = setTimeout(() => {
    console.error('timed out');
    process.exit(1);
  }, 20000);
  await game.open(options);
  await game.synchronizeState();
  const scene = game.state.getScene('default');
  if (!scene) throw new Error('the default scene is missing');
  for (const [id, placements] of Object.entries(expected)) {
    const control = scene.getControl(id);
    if (!control) throw new Error(`control ${id} is missing`);
    if (bySize(control.position) !== bySize(placements)) {
      throw new Error(`${id} is at ${JSON.stringify(control.position)}, the Studio laid it out at ${JSON.stringify(placements)}`);
    }
    console.log(`- ${id} (${control.kind}) at ${JSON.stringify(control.position)}`);
  }
  game.close();
  clearTimeout(timer);
  if (problems.length) throw new Error(problems.join('; '));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
