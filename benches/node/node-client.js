#!/usr/bin/env node
// Copied from the shared bench yardstick (test tooling, not product code). Adapted for the Rust
// benches: `--url ws://127.0.0.1:PORT/MODE` picks the server (default: the flood-server.js port).
//
// Drives the official @mixer/interactive-node GameClient against flood-server.js.
//   NODE_PATH=<your npm folder>/node_modules node --expose-gc node-client.js --port 18080 --n 200000 [--mode input|joins|probe-batch|probe-gzip]
// GameClient.open() would do HTTP endpoint discovery first; we call the base Client.open()
// (lib/Client.js) directly with a ws:// URL, which is exactly what GameClient.open does after discovery.
// App flow: open -> synchronizeState() (getGroups + getScenes) -> register control listeners -> ready(true).
// Prints one JSON line with the result.
'use strict';
const interactive = require('@mixer/interactive-node');
const { Client } = require('@mixer/interactive-node/lib/Client');
interactive.setWebSocket(require('ws'));

const a = { port: 18080, n: 200000, mode: 'input', joins: 100000, probeMs: 3000, url: null };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, ''), v = process.argv[i + 1];
  a[k] = k === 'mode' || k === 'url' ? v : +v;
}

const gcNow = () => { if (global.gc) { global.gc(); global.gc(); } };
const mem = () => { const m = process.memoryUsage(); return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const client = new interactive.GameClient();
  const errors = [];
  client.on('error', (e) => errors.push(String(e && e.message || e)));
  process.on('uncaughtException', (e) => { errors.push('uncaught: ' + (e && e.name) + ': ' + (e && e.message)); });

  await Client.prototype.open.call(client, {
    authToken: 'perf-test-token',
    urls: [a.url || `ws://127.0.0.1:${a.port}/gameClient`],
    extraHeaders: { 'X-Interactive-Version': '12345' },
  });
  await client.synchronizeState();

  let noParticipant = 0, withTxn = 0;
  let count = 0, tFirst = 0n, tLast = 0n, tReady = 0n;
  let cpu0;
  const target = a.mode === 'joins' ? a.joins : a.n;
  let finish;
  const done = new Promise((r) => (finish = r));

  const onInput = (inputEvent, participant) => {
    // touch what an app would use
    if (participant === undefined) noParticipant++;
    if (inputEvent.transactionID !== undefined) withTxn++;
    count++;
    if (count === 1) tFirst = process.hrtime.bigint();
    if (count === target) { tLast = process.hrtime.bigint(); finish(); }
  };
  let controls = 0;
  client.state.getScenes().forEach((scene) => scene.getControls().forEach((c) => { c.on('mousedown', onInput); controls++; }));
  if (a.mode === 'joins') client.state.on('participantJoin', () => {
    count++;
    if (count === 1) tFirst = process.hrtime.bigint();
    if (count === target) { tLast = process.hrtime.bigint(); finish(); }
  });

  if (a.mode === 'probe-gzip') {
    try { await client.setCompression({ scheme: ['gzip'] }); } catch (e) { errors.push('setCompression: ' + e.message); }
  }

  gcNow(); await sleep(100); gcNow();
  const m0 = mem();
  cpu0 = process.cpuUsage();
  const tReq = process.hrtime.bigint();
  await client.ready(true);
  tReady = process.hrtime.bigint();

  if (a.mode.startsWith('probe')) {
    await Promise.race([done, sleep(a.probeMs)]);
  } else {
    await done;
  }
  const cpu = process.cpuUsage(cpu0);
  const res = { mode: a.mode, target, delivered: count, controls, noParticipant, withTxn, errors: errors.slice(0, 5), errorCount: errors.length };
  if (count === target) {
    const wall = Number(tLast - tReady) / 1e9;
    res.seconds = +wall.toFixed(3);
    res.eventsPerSec = Math.round(target / wall);
    res.firstToLastPerSec = Math.round((target - 1) / (Number(tLast - tFirst) / 1e9));
    res.cpuUserSys = +((cpu.user + cpu.system) / 1e6).toFixed(3);
    res.cpuPerWall = +((cpu.user + cpu.system) / 1e6 / (Number(tLast - tReq) / 1e9)).toFixed(2);
  }
  if (a.mode === 'joins') {
    gcNow(); await sleep(300); gcNow(); await sleep(100);
    const m1 = mem();
    res.participantsInState = client.state.getParticipants().size;
    res.mem_before = m0; res.mem_after = m1;
    res.rssDeltaMiB = +((m1.rss - m0.rss) / 1048576).toFixed(1);
    res.heapUsedDeltaMiB = +((m1.heapUsed - m0.heapUsed) / 1048576).toFixed(1);
    res.rssAfterMiB = +(m1.rss / 1048576).toFixed(1);
  }
  console.log(JSON.stringify(res));
  client.close();
  setTimeout(() => process.exit(0), 50);
}
main().catch((e) => { console.error('client failed', e); process.exit(1); });
