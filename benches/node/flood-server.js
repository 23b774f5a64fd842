#!/usr/bin/env node
// Copied unchanged from the shared bench yardstick (test tooling, not product code). The Rust
// benches use it only through `--dump`/`--dump-joins`, to check that their own generator
// (benches/support/packets.rs) produces byte-identical packets.
// Mock Mixer Interactive 2.0 mediator ("flood server") for client throughput tests.
// Listens on 127.0.0.1 only. Needs the `ws` package (NODE_PATH=<your npm folder>/node_modules).
//
//   node flood-server.js --port 18080 --n 200000 [--batch 50] [--mode input|joins|probe-gzip]
//   node flood-server.js --dump frames.jsonl --n 200000      # write the giveInput packets, exit
//   node flood-server.js --dump-joins joins.jsonl            # write the onParticipantJoin packets, exit
//
// Protocol behaviour:
//  * on connection: sends a `hello` method (discard:true)
//  * answers every incoming method with a reply (getTime, getScenes, getGroups, ready,
//    setCompression, anything else -> result {})
//  * when the client calls `ready` (after synchronizing state), it first sends
//    onParticipantJoin for the participant pool, then floods:
//      mode input : N giveInput methods (discard:true), one packet per text frame, or
//                   --batch B packets per frame as a JSON array (spec: "Multiple messages MAY be
//                   concatenated together in a single websocket frame as a JSON array")
//      mode joins : --join-packets (100) onParticipantJoin packets of --join-size (1000) participants
//      mode probe-gzip : replies to setCompression with {scheme:"gzip"} and then sends giveInput
//                   frames as binary varint(len)+gzip frames (capability probe, not a benchmark).
//    All flood frames are pre-serialized before the flood starts. Default `--sender raw`: the
//    websocket frames are pre-built and written to the TCP socket in ~256 KiB chunks (respecting
//    'drain'), so the server is never the bottleneck; `--sender ws` uses ws.send() per packet
//    (one syscall per frame, caps at ~80-100k frames/s here).
'use strict';
const fs = require('fs');
const zlib = require('zlib');

function parseArgs(argv) {
  const a = { port: 18080, n: 200000, batch: 1, mode: 'input', participants: 1000,
    joinPackets: 100, joinSize: 1000, seed: 12345, dump: null, dumpJoins: null, sender: 'raw' };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    switch (k) {
      case '--port': a.port = +v; i++; break;
      case '--n': a.n = +v; i++; break;
      case '--batch': a.batch = +v; i++; break;
      case '--mode': a.mode = v; i++; break;
      case '--participants': a.participants = +v; i++; break;
      case '--join-packets': a.joinPackets = +v; i++; break;
      case '--join-size': a.joinSize = +v; i++; break;
      case '--seed': a.seed = +v; i++; break;
      case '--dump': a.dump = v; i++; break;
      case '--dump-joins': a.dumpJoins = v; i++; break;
      case '--sender': a.sender = v; i++; break;
      default: throw new Error('unknown arg ' + k);
    }
  }
  return a;
}

// Deterministic PRNG (mulberry32) so Node and Rust runs see identical packets.
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function uuid(rnd) {
  const h = [];
  for (let i = 0; i < 16; i++) h.push(Math.floor(rnd() * 256));
  h[6] = (h[6] & 0x0f) | 0x40; h[8] = (h[8] & 0x3f) | 0x80;
  const s = h.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const CONTROL_IDS = ['btn_jump', 'btn_fire', 'btn_heal', 'btn_spawn_zombie', 'btn_boost', 'btn_left', 'btn_right', 'btn_win_the_game'];
const NAMES = ['connor', 'matt', 'jamy', 'alpha', 'bravo', 'charlie', 'delta', 'echo_echo', 'foxtrot99', 'golf'];

function participantObj(rnd, sessionID, i) {
  const anon = rnd() < 0.1;
  return {
    sessionID,
    userID: anon ? 0 : 1000 + i,
    username: anon ? '' : NAMES[i % NAMES.length] + '_' + i,
    level: Math.floor(rnd() * 100),
    lastInputAt: 1484763854277 + Math.floor(rnd() * 100000),
    connectedAt: 1484763846242 + Math.floor(rnd() * 100000),
    disabled: false,
    groupID: 'default',
    anonymous: anon,
  };
}

function scene() {
  return {
    sceneID: 'default',
    etag: '252185589',
    controls: CONTROL_IDS.map((id, i) => ({
      controlID: id, kind: 'button', etag: '26225462' + i, disabled: false,
      text: id.replace('btn_', ''), cost: i === 7 ? 100 : 0, progress: 0, cooldown: 0,
      position: [{ size: 'large', width: 10, height: 8, x: (i % 4) * 10, y: Math.floor(i / 4) * 8 }],
    })),
    groups: [],
  };
}

function buildInputPackets(a) {
  const rnd = mulberry32(a.seed);
  const pids = [];
  for (let i = 0; i < a.participants; i++) pids.push(uuid(rnd));
  const packets = new Array(a.n);
  for (let i = 0; i < a.n; i++) {
    const ctl = Math.floor(rnd() * CONTROL_IDS.length);
    const params = { participantID: pids[Math.floor(rnd() * pids.length)] };
    // paid button always carries a transaction; ~5% of others too ("sometimes")
    if (ctl === 7 || rnd() < 0.05) params.transactionID = uuid(rnd);
    params.input = { controlID: CONTROL_IDS[ctl], event: 'mousedown', button: 0 };
    packets[i] = JSON.stringify({ type: 'method', id: Math.floor(rnd() * 0xffffffff), method: 'giveInput', discard: true, seq: 100 + i, params });
  }
  return { pids, packets };
}

function buildJoinPackets(a, pidPool) {
  const rnd = mulberry32(a.seed + 1);
  const out = [];
  let k = 0;
  for (let p = 0; p < a.joinPackets; p++) {
    const parts = [];
    for (let j = 0; j < a.joinSize; j++, k++) {
      const sid = pidPool && k < pidPool.length ? pidPool[k] : uuid(rnd);
      parts.push(participantObj(rnd, sid, k));
    }
    out.push(JSON.stringify({ type: 'method', id: 0, method: 'onParticipantJoin', discard: true, seq: 10 + p, params: { participants: parts } }));
  }
  return out;
}

function varint(n) {
  const b = [];
  while (n >= 0x80) { b.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  b.push(n);
  return Buffer.from(b);
}

// Server->client websocket text frame (unmasked, FIN) built by hand, so the flood can be written
// to the TCP socket in large pre-built chunks (one write per ~256 KiB) instead of one ws.send()
// (one syscall) per packet; otherwise a fast client is limited by this server, not by itself.
function wsTextFrame(str) {
  const payload = Buffer.from(str, 'utf8');
  const len = payload.length;
  let head;
  if (len < 126) head = Buffer.from([0x81, len]);
  else if (len < 65536) head = Buffer.from([0x81, 126, len >> 8, len & 255]);
  else { head = Buffer.alloc(10); head[0] = 0x81; head[1] = 127; head.writeBigUInt64BE(BigInt(len), 2); }
  return Buffer.concat([head, payload]);
}
function chunkFrames(list, chunkBytes) {
  const out = []; let cur = [], size = 0;
  for (const s of list) {
    const f = wsTextFrame(s); cur.push(f); size += f.length;
    if (size >= chunkBytes) { out.push(Buffer.concat(cur)); cur = []; size = 0; }
  }
  if (cur.length) out.push(Buffer.concat(cur));
  return out;
}

function main() {
  const a = parseArgs(process.argv);
  if (a.dump) {
    const { packets } = buildInputPackets(a);
    fs.writeFileSync(a.dump, packets.join('\n') + '\n');
    console.error(`wrote ${packets.length} giveInput packets to ${a.dump}`);
    return;
  }
  if (a.dumpJoins) {
    const joins = buildJoinPackets(a, null);
    fs.writeFileSync(a.dumpJoins, joins.join('\n') + '\n');
    console.error(`wrote ${joins.length} onParticipantJoin packets to ${a.dumpJoins}`);
    return;
  }
  const WebSocket = require('ws');
  const t0 = Date.now();
  let frames = [], joinFrames = [], pids = [];
  if (a.mode === 'input' || a.mode === 'probe-gzip') {
    const built = buildInputPackets(a);
    pids = built.pids;
    // participant pool joins (one packet) so giveInput can resolve participants
    joinFrames = buildJoinPackets({ ...a, joinPackets: 1, joinSize: a.participants }, pids);
    if (a.batch > 1) {
      for (let i = 0; i < built.packets.length; i += a.batch) frames.push('[' + built.packets.slice(i, i + a.batch).join(',') + ']');
    } else frames = built.packets;
  } else if (a.mode === 'joins') {
    joinFrames = buildJoinPackets(a, null);
  } else throw new Error('mode ' + a.mode);
  let bytes = 0; for (const f of frames) bytes += f.length; for (const f of joinFrames) bytes += f.length;
  const useRaw = a.sender === 'raw' && a.mode !== 'probe-gzip';
  const rawJoin = useRaw ? chunkFrames(joinFrames, 256 * 1024) : null;
  const rawFlood = useRaw ? chunkFrames(frames, 256 * 1024) : null;
  console.error(`[server] prepared ${frames.length} flood frames + ${joinFrames.length} join frames, ${(bytes / 1e6).toFixed(1)} MB, in ${Date.now() - t0} ms`);

  const wss = new WebSocket.Server({ host: '127.0.0.1', port: a.port, perMessageDeflate: false });
  wss.on('listening', () => console.error(`[server] listening on 127.0.0.1:${a.port}`));
  wss.on('connection', (ws) => {
    let seq = 1;
    let gzip = false; // true once setCompression chose gzip (probe mode)
    const sendPacket = (obj) => { obj.seq = seq++; ws.send(JSON.stringify(obj)); };
    sendPacket({ type: 'method', id: 0, method: 'hello', discard: true, params: {} });

    const HIGH = 8 * 1024 * 1024;
    function pumpRaw(chunks, done) {
      let i = 0;
      const sock = ws._socket;
      const step = () => {
        while (i < chunks.length) {
          if (!sock.write(chunks[i++])) { sock.once('drain', step); return; }
        }
        done();
      };
      step();
    }
    function pump(list, done) {
      let i = 0;
      const step = () => {
        while (i < list.length) {
          if (gzip) {
            // probe only: varint(len) + gzip member per frame (the client under test never gets
            // as far as decoding the stream, see notes)
            const raw = Buffer.from(list[i++]);
            ws.send(Buffer.concat([varint(raw.length), zlib.gzipSync(raw)]), { binary: true });
          } else ws.send(list[i++]);
          if (ws.bufferedAmount > HIGH) { ws._socket.once('drain', step); return; }
        }
        done();
      };
      step();
    }

    ws.on('message', (data, isBinary) => {
      let msg;
      try { msg = JSON.parse(isBinary ? data.toString() : data.toString()); } catch (e) { console.error('[server] bad json from client'); return; }
      if (msg.type !== 'method') return;
      let result = {};
      switch (msg.method) {
        case 'getTime': result = { time: Date.now() }; break;
        case 'getScenes': result = { scenes: [scene()] }; break;
        case 'getGroups': result = { groups: [{ groupID: 'default', sceneID: 'default', etag: '1' }] }; break;
        case 'setCompression': result = { scheme: a.mode === 'probe-gzip' ? 'gzip' : 'none' }; break;
        case 'ready': result = null; break;
      }
      ws.send(JSON.stringify({ type: 'reply', id: msg.id, result, error: null, seq: seq++ }));
      if (msg.method === 'setCompression' && a.mode === 'probe-gzip') {
        gzip = true;
      }
      if (msg.method === 'ready' && msg.params && msg.params.isReady) {
        const tStart = process.hrtime.bigint();
        const report = () => {
          const ms = Number(process.hrtime.bigint() - tStart) / 1e6;
          console.error(`[server] flood written (${joinFrames.length + frames.length} frames, sender=${useRaw ? 'raw' : 'ws'}) in ${ms.toFixed(0)} ms`);
        };
        if (useRaw) pumpRaw(rawJoin, () => pumpRaw(rawFlood, report));
        else pump(joinFrames, () => pump(frames, report));
      }
    });
    ws.on('close', () => { console.error('[server] client closed'); wss.close(); process.exit(0); });
  });
}

main();
