// The MixPlay participant page. Plain JavaScript, no build step: it speaks the participant socket
// (`/participant?channel=ID`) like interactive-node's ParticipantClient, keeps the channel's groups
// and scenes, renders the viewer's scene on the grid and sends `giveInput`.
'use strict';
(function () {
  const CHANNEL = document.body.dataset.channel;
  const UNIT = 12; // px per grid unit
  const SIZES = [
    { size: 'large', cols: 80, rows: 20, minWidth: 900 },
    { size: 'medium', cols: 45, rows: 25, minWidth: 540 },
    { size: 'small', cols: 30, rows: 40, minWidth: 0 },
  ];
  const ERR_BAD_INPUT = 4099;
  const ERR_ANONYMOUS_COST = 4026;
  const ERR_NOT_ENOUGH_SPARKS = 4007;

  const { $, el } = window.MixPlay;

  const state = {
    ws: null,
    joined: false, // the viewer asked to join (signed in or anonymous)
    key: null, // access key, or null when anonymous or signed in by the session cookie
    session: null, // the signed-in user ({ id, username }) when the session cookie signs us in
    me: null, // our own participant
    groups: new Map(),
    scenes: new Map(), // sceneID -> { props, controls: Map(controlID -> control) }
    ready: false,
    offset: 0, // service time - local time, in ms
    nextId: 1,
    lastSeq: 0,
    pending: new Map(),
    retry: null,
    sparks: null,
    bundle: null, // the address of the running version's custom-control bundle, if it has one
    custom: null, // the bundle's host (custom.js) while it runs
  };
  let widgets = new Map(); // controlID -> widget, for the scene on screen
  let shownScene = null;
  let screenWidget = null;

  // ----- small helpers -----

  function serverNow() {
    return Date.now() + state.offset;
  }

  /** JSON merge patch (RFC 7386): null removes a key, objects merge. */
  function merge(target, patch) {
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete target[k];
      else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] && !Array.isArray(target[k])) merge(target[k], v);
      else target[k] = v;
    }
    return target;
  }

  function controlName(c) {
    if (!c) return 'that control';
    const text = c.text || c.placeholder || c.controlID;
    return String(text);
  }

  function keyName(code) {
    const names = { 8: 'Backspace', 9: 'Tab', 13: 'Enter', 16: 'Shift', 17: 'Ctrl', 18: 'Alt', 27: 'Esc', 32: 'Space', 37: '←', 38: '↑', 39: '→', 40: '↓' };
    if (names[code]) return names[code];
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90)) return String.fromCharCode(code);
    if (code >= 96 && code <= 105) return 'Num ' + (code - 96);
    if (code >= 112 && code <= 123) return 'F' + (code - 111);
    return 'key ' + code;
  }

  function cssSize(v) {
    if (v === undefined || v === null || v === '') return '';
    if (typeof v === 'number' || /^\d+(\.\d+)?$/.test(String(v))) return v + 'px';
    return String(v);
  }

  /** Truncates toward zero so that rounding never pushes a joystick past the unit circle. */
  function trunc4(v) {
    return Math.trunc(v * 10000) / 10000;
  }

  // ----- notices and status -----

  const notice = window.MixPlay.notice;

  function clearNotice() {
    $('notice').hidden = true;
  }

  function setStatus(text, cls) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status' + (cls ? ' ' + cls : '');
  }

  function describeError(err, c) {
    const name = '“' + controlName(c) + '”';
    switch (err.code) {
      case ERR_ANONYMOUS_COST:
        return 'Sign in to use ' + name + ': it costs ' + (c && c.cost ? c.cost + ' sparks' : 'sparks') + ', and anonymous viewers cannot spend sparks.';
      case ERR_NOT_ENOUGH_SPARKS:
        return 'Not enough sparks for ' + name + ': it costs ' + (c && c.cost) + (state.sparks !== null ? ', you have ' + state.sparks : '') + '.';
      case ERR_BAD_INPUT: {
        const m = String(err.message || 'the input was refused').replace(/\.$/, '');
        if (/cooldown/.test(m)) return name + ' is cooling down; try again in a moment.';
        if (/your input is disabled/.test(m)) return 'The game has disabled your input for now.';
        if (/control is disabled/.test(m)) return name + ' is disabled right now.';
        return 'Your input to ' + name + ' was refused: ' + m + '.';
      }
      case 0:
        return 'Not connected to the channel; reconnecting…';
      default:
        return (err.message || 'The service refused the input') + ' (code ' + err.code + ').';
    }
  }

  // ----- the socket -----

  function send(method, params) {
    return new Promise((resolve, reject) => {
      const ws = state.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject({ code: 0, message: 'not connected' });
        return;
      }
      const id = state.nextId++;
      state.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'method', id, method, params, discard: false, seq: state.lastSeq }));
    });
  }

  function scheduleRetry(ms) {
    clearTimeout(state.retry);
    if (state.joined) state.retry = setTimeout(connect, ms);
  }

  async function connect() {
    clearTimeout(state.retry);
    if (!state.joined) return;
    setStatus('Connecting…');
    let address;
    try {
      const r = await fetch('/api/v1/interactive/' + encodeURIComponent(CHANNEL), { cache: 'no-store' });
      const info = await r.json();
      if (!r.ok) throw new Error(info.message || r.statusText);
      if (!info.online) {
        setStatus('Waiting for the game to start…', 'down');
        scheduleRetry(1500);
        return;
      }
      address = info.address;
      state.bundle = info.bundle || null;
    } catch (e) {
      setStatus('Cannot reach the mediator; retrying…', 'down');
      scheduleRetry(3000);
      return;
    }
    if (!state.joined) return;
    let url = address + (address.includes('?') ? '&' : '?') + 'x-protocol-version=2.0';
    if (state.key) url += '&key=' + encodeURIComponent(state.key);
    // Without a key the session cookie signs the viewer in; an anonymous viewer asks not to be.
    else if (!state.session) url += '&anonymous=1';
    const ws = new WebSocket(url);
    state.ws = ws;
    if (state.bundle) {
      // The version's own controls run in a sandboxed frame instead of the built-in ones.
      state.custom = MixPlay.custom.start(state.bundle, $('controls'), $('video'), CHANNEL, (method, params) => send(method, params));
    }
    ws.onmessage = (e) => { if (ws === state.ws && typeof e.data === 'string') onFrame(e.data); };
    ws.onclose = (e) => { if (ws === state.ws) onClosed(e); };
  }

  function disconnect() {
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000, 'the viewer left');
    clearTimeout(state.retry);
    resetSession();
  }

  function resetSession() {
    if (state.custom) state.custom.stop();
    state.custom = null;
    for (const p of state.pending.values()) p.reject({ code: 0, message: 'not connected' });
    state.pending.clear();
    state.me = null;
    state.groups.clear();
    state.scenes.clear();
    state.ready = false;
    render();
  }

  function onClosed(e) {
    state.ws = null;
    resetSession();
    switch (e.code) {
      case 4019:
        state.joined = false;
        sessionStorage.removeItem('mixplay.join');
        MixPlay.chat.stop();
        showSignIn();
        notice('The access key “' + state.key + '” is not known here. Check it, or join anonymously.', 'sticky');
        setStatus('Not connected');
        return;
      case 4016:
        setStatus('The game left; waiting for it to come back…', 'down');
        scheduleRetry(1500);
        return;
      case 4022:
        setStatus('Waiting for the game to start…', 'down');
        scheduleRetry(1500);
        return;
      case 4025:
        // Banned: the ban lasts until the streamer or a moderator lifts it; look again now and then.
        notice('You are banned from this channel, so its game’s controls are closed to you. ' +
          'The streamer or a moderator can lift the ban; this page checks again every 30 seconds.', 'sticky');
        setStatus('Banned from this channel', 'down');
        scheduleRetry(30000);
        return;
      case 4027:
        notice('An administrator of this site ended the game’s session. ' +
          'The controls come back if the streamer starts the game again.', 'sticky');
        setStatus('The session was ended by an administrator; waiting for the game…', 'down');
        scheduleRetry(5000);
        return;
      default:
        setStatus('Connection lost' + (e.reason ? ' (' + e.reason + ')' : '') + '; reconnecting…', 'down');
        scheduleRetry(2000);
    }
  }

  function onFrame(text) {
    let packets;
    try {
      packets = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!Array.isArray(packets)) packets = [packets];
    for (const p of packets) {
      if (typeof p.seq === 'number') state.lastSeq = p.seq;
      if (p.type === 'method') {
        onMethod(p.method, p.params || {});
        if (state.custom) state.custom.packet(p);
      }
      else if (p.type === 'reply') {
        const waiter = state.pending.get(p.id);
        if (!waiter) continue;
        state.pending.delete(p.id);
        if (p.error) waiter.reject(p.error);
        else waiter.resolve(p.result);
      }
    }
  }

  function syncClock() {
    const sent = Date.now();
    send('getTime', {}).then((r) => {
      const now = Date.now();
      if (r && typeof r.time === 'number') state.offset = r.time + (now - sent) / 2 - now;
    }, () => {});
  }

  function onMethod(method, params) {
    switch (method) {
      case 'hello':
        state.groups.clear();
        state.scenes.clear();
        setStatus('Connected', 'live');
        syncClock();
        break;
      case 'onParticipantJoin':
        // Participants only ever hear about themselves.
        if (params.participants && params.participants[0]) state.me = params.participants[0];
        break;
      case 'onParticipantUpdate':
        for (const p of params.participants || []) {
          if (state.me && p.sessionID === state.me.sessionID) merge(state.me, p);
        }
        break;
      case 'onGroupCreate':
      case 'onGroupUpdate':
        for (const g of params.groups || []) {
          const old = state.groups.get(g.groupID);
          state.groups.set(g.groupID, old ? merge(old, g) : merge({}, g));
        }
        break;
      case 'onGroupDelete':
        state.groups.delete(params.groupID);
        break;
      case 'onSceneCreate':
        for (const s of params.scenes || []) {
          const controls = new Map();
          for (const c of s.controls || []) controls.set(c.controlID, c);
          const props = Object.assign({}, s);
          delete props.controls;
          state.scenes.set(s.sceneID, { props, controls });
        }
        break;
      case 'onSceneUpdate':
        for (const s of params.scenes || []) {
          const scene = state.scenes.get(s.sceneID);
          if (scene) merge(scene.props, s);
        }
        break;
      case 'onSceneDelete':
        state.scenes.delete(params.sceneID);
        break;
      case 'onControlCreate':
      case 'onControlUpdate': {
        const scene = state.scenes.get(params.sceneID);
        if (!scene) break;
        for (const c of params.controls || []) {
          const old = scene.controls.get(c.controlID);
          scene.controls.set(c.controlID, old && method === 'onControlUpdate' ? merge(old, c) : merge({}, c));
        }
        break;
      }
      case 'onControlDelete': {
        const scene = state.scenes.get(params.sceneID);
        if (scene) for (const c of params.controls || []) scene.controls.delete(c.controlID);
        break;
      }
      case 'onReady':
        state.ready = !!params.isReady;
        setStatus(state.ready ? 'Connected' : 'The game paused input', state.ready ? 'live' : 'down');
        break;
      case 'event':
        logEvent(params);
        return;
      default:
        return;
    }
    render();
  }

  // ----- the viewer's identity and sparks -----

  // The balance comes live over the viewer socket (viewer.js): on joining and with every change.
  let earnedTimer = null;
  MixPlay.viewer.onBalance((b) => {
    if (!state.key && !state.session) return;
    state.sparks = b.sparks;
    renderViewer();
    if (b.change > 0) {
      const note = $('sparks-earned');
      note.textContent = '+' + b.change + ' sparks';
      note.hidden = false;
      note.style.animation = 'none';
      void note.offsetWidth; // restarts the fade
      note.style.animation = '';
      clearTimeout(earnedTimer);
      earnedTimer = setTimeout(() => { note.hidden = true; }, 2500);
    }
  });

  MixPlay.viewer.onEarning((e) => {
    $('sparks-chip').classList.toggle('earning', !!e.earning);
    $('sparks-chip').title = e.earning ? 'Your spark balance: you are earning sparks while you watch' : 'Your spark balance';
  });

  /** Credentials for REST calls: the access key, else the session cookie with the page's CSRF token. */
  function authHeaders() {
    if (state.key) return { Authorization: 'Bearer ' + state.key };
    const csrf = document.querySelector('meta[name="csrf-token"]');
    return csrf ? { 'X-CSRF-Token': csrf.content } : {};
  }

  /** The header's subscribe button: hidden (null) for anonymous viewers and on one's own channel. */
  function showSubscription(subscribed) {
    const b = $('subscribe');
    b.hidden = typeof subscribed !== 'boolean';
    b.setAttribute('aria-pressed', subscribed ? 'true' : 'false');
    b.textContent = subscribed ? 'Subscribed ✓' : 'Subscribe';
    b.title = subscribed ? 'You earn double sparks watching this channel. Click to unsubscribe.' : 'Subscribers earn double sparks watching this channel.';
  }

  function refreshSubscription() {
    const key = state.key;
    if (!key && !state.session) return showSubscription(null);
    fetch('/api/v1/channels/' + encodeURIComponent(CHANNEL), { headers: authHeaders(), cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((c) => { if (key === state.key) showSubscription(c ? c.subscribed : null); }, () => {});
  }

  $('subscribe').addEventListener('click', () => {
    const on = $('subscribe').getAttribute('aria-pressed') !== 'true';
    const url = '/api/v1/channels/' + encodeURIComponent(CHANNEL) + '/subscribe';
    fetch(url, { method: on ? 'POST' : 'DELETE', headers: authHeaders() })
      .then((r) => r.json().then((body) => {
        if (!r.ok) throw new Error(body.message || r.statusText);
        showSubscription(body.subscribed);
      }))
      .catch((e) => notice('Could not ' + (on ? 'subscribe' : 'unsubscribe') + ': ' + e.message + '.'));
  });

  function renderViewer() {
    const me = state.me;
    const signedIn = !!state.key || !!state.session;
    $('username').textContent = me ? (me.anonymous ? 'an anonymous viewer' : me.username) : signedIn ? '…' : 'an anonymous viewer';
    $('sparks-chip').hidden = !signedIn;
    $('leave').hidden = !!state.session;
    $('signout-form').hidden = !state.session;
    $('sparks').textContent = state.sparks === null ? '–' : String(state.sparks);
    $('group').textContent = me ? me.groupID : '–';
    $('scene').textContent = currentSceneId() || '–';
  }

  function logEvent(data) {
    const log = $('event-log');
    const text = data && typeof data.message === 'string' ? data.message : JSON.stringify(data);
    log.prepend(el('li', '', text));
    while (log.children.length > 5) log.lastChild.remove();
    $('events').hidden = false;
  }

  function showSignIn() {
    $('signin').hidden = false;
    $('viewer').hidden = true;
  }

  /** Joins with an access key, as the signed-in `session` user (key null), or anonymously. */
  function join(key, session) {
    state.key = key;
    state.session = key ? null : session || null;
    state.joined = true;
    state.sparks = null;
    if (state.session) sessionStorage.removeItem('mixplay.join');
    else sessionStorage.setItem('mixplay.join', JSON.stringify({ key }));
    $('signin').hidden = true;
    $('viewer').hidden = false;
    clearNotice();
    renderViewer();
    connect();
    MixPlay.chat.start(key, !!state.session);
    MixPlay.viewer.connect(key ? { key } : state.session ? {} : { anonymous: true });
    refreshSubscription();
  }

  // ----- input -----

  /** Sends one input. Errors of "down" events are shown; "up" and move errors are not worth a notice. */
  function giveInput(c, event, extra, quiet) {
    const params = Object.assign({ controlID: c.controlID, event }, extra || {});
    return send('giveInput', params).catch((err) => {
      if (!quiet) notice(describeError(err, c));
      throw err;
    });
  }

  /** Whether `c` can take input now; says why not in words. */
  function usable(c) {
    if (c.disabled) {
      notice('“' + controlName(c) + '” is disabled right now.');
      return false;
    }
    const left = (c.cooldown || 0) - serverNow();
    if (left > 0) {
      notice('“' + controlName(c) + '” is cooling down: ' + Math.ceil(left / 1000) + ' s left.');
      return false;
    }
    return true;
  }

  function coolingDown(c) {
    return (c.cooldown || 0) - serverNow() > 0;
  }

  function placeCooldown(overlay, c) {
    const left = (c.cooldown || 0) - serverNow();
    if (left > 0) {
      overlay.hidden = false;
      overlay.textContent = (left >= 10000 ? Math.ceil(left / 1000) : (Math.ceil(left / 100) / 10).toFixed(1)) + ' s';
    } else overlay.hidden = true;
  }

  // ----- widgets -----

  function buttonWidget(c) {
    const wrap = el('div', 'ctl button');
    const btn = el('button', 'mp-button');
    btn.type = 'button';
    const label = el('span', 'label');
    const meta = el('span', 'meta');
    const cost = el('span', 'cost');
    const key = el('span', 'key');
    meta.append(cost, key);
    const progress = el('span', 'progress');
    const bar = el('span');
    progress.append(bar);
    const cooldown = el('span', 'cooldown');
    cooldown.setAttribute('aria-hidden', 'true');
    btn.append(label, meta, progress, cooldown);
    wrap.append(btn);
    let mouseDown = false;
    let enterDown = false;
    let keyDown = false;
    // Whether the service took the last press: a release follows only an accepted press.
    let accepted = Promise.resolve(false);

    function down(event, extra) {
      if (!usable(c)) return false;
      btn.classList.add('pressed');
      accepted = giveInput(c, event, extra).then(() => true, () => false);
      return true;
    }
    function up(event, extra) {
      btn.classList.remove('pressed');
      accepted.then((ok) => {
        if (ok && !coolingDown(c) && !c.disabled) giveInput(c, event, extra, true).catch(() => {});
      });
    }

    btn.addEventListener('pointerdown', (e) => {
      if (e.pointerType === 'mouse' && e.button !== 0) return;
      btn.focus();
      mouseDown = down('mousedown', { button: 0 });
      if (mouseDown) btn.setPointerCapture(e.pointerId);
    });
    const release = () => {
      if (!mouseDown) return;
      mouseDown = false;
      up('mouseup', { button: 0 });
    };
    btn.addEventListener('pointerup', release);
    btn.addEventListener('pointercancel', release);
    btn.addEventListener('keydown', (e) => {
      if (e.keyCode === c.keyCode) return; // the button's own key: the document handler sends keydown
      if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
        e.preventDefault();
        enterDown = down('mousedown', { button: 0 });
      }
    });
    btn.addEventListener('keyup', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && enterDown) {
        e.preventDefault();
        enterDown = false;
        up('mouseup', { button: 0 });
      }
    });

    return {
      el: wrap,
      control: () => c,
      hotkey(e, pressed) {
        if (typeof c.keyCode !== 'number' || e.keyCode !== c.keyCode) return false;
        if (pressed && !keyDown) keyDown = down('keydown', {});
        else if (!pressed && keyDown) {
          keyDown = false;
          up('keyup', {});
        }
        return true;
      },
      update(next) {
        c = next;
        label.textContent = c.text !== undefined ? c.text : c.controlID;
        const hasCost = c.cost > 0;
        cost.hidden = !hasCost;
        cost.textContent = hasCost ? '✦ ' + c.cost : '';
        cost.title = hasCost ? 'Costs ' + c.cost + ' sparks' : '';
        const hasKey = typeof c.keyCode === 'number' && c.keyCode > 0;
        key.hidden = !hasKey;
        key.textContent = hasKey ? keyName(c.keyCode) : '';
        meta.hidden = !hasCost && !hasKey;
        const hasProgress = typeof c.progress === 'number';
        progress.hidden = !hasProgress;
        bar.style.width = hasProgress ? Math.max(0, Math.min(1, c.progress)) * 100 + '%' : '0';
        if (hasProgress) {
          progress.setAttribute('role', 'progressbar');
          progress.setAttribute('aria-valuemin', '0');
          progress.setAttribute('aria-valuemax', '100');
          progress.setAttribute('aria-valuenow', String(Math.round(Math.max(0, Math.min(1, c.progress)) * 100)));
        }
        btn.title = c.tooltip || '';
        btn.setAttribute('aria-disabled', c.disabled ? 'true' : 'false');
        const parts = [label.textContent];
        if (hasCost) parts.push('costs ' + c.cost + ' sparks');
        if (hasKey) parts.push('key ' + keyName(c.keyCode));
        if (c.tooltip) parts.push(c.tooltip);
        btn.setAttribute('aria-label', parts.join(', '));
        const st = btn.style;
        st.setProperty('--btn-bg', c.backgroundColor || '');
        st.setProperty('--btn-border', c.borderColor || '');
        st.setProperty('--btn-accent', c.accentColor || '');
        st.setProperty('--btn-focus', c.focusColor || '');
        st.setProperty('--btn-text', c.textColor || '');
        st.setProperty('--btn-size', cssSize(c.textSize));
        st.backgroundImage = c.backgroundImage ? 'url("' + String(c.backgroundImage).replace(/"/g, '%22') + '")' : '';
        st.backgroundSize = c.backgroundImage ? 'cover' : '';
        placeCooldown(cooldown, c);
      },
      tick() {
        placeCooldown(cooldown, c);
      },
      destroy() {},
    };
  }

  function joystickWidget(c) {
    const wrap = el('div', 'ctl joystick');
    const pad = el('div', 'joystick-pad');
    pad.tabIndex = 0;
    pad.setAttribute('role', 'application');
    const halo = el('div', 'halo');
    const knob = el('div', 'knob');
    const readout = el('div', 'readout', '0.00, 0.00');
    pad.append(halo, knob, readout);
    wrap.append(pad);
    let active = false;
    let pos = { x: 0, y: 0 };
    let sent = { x: 0, y: 0 };
    let lastSent = 0;
    let timer = null;
    const held = new Set();

    function rate() {
      return typeof c.sampleRate === 'number' && c.sampleRate >= 0 ? c.sampleRate : 50;
    }
    function flush() {
      timer = null;
      if (pos.x === sent.x && pos.y === sent.y) return;
      lastSent = performance.now();
      sent = pos;
      giveInput(c, 'move', { x: pos.x, y: pos.y }, true).catch((err) => {
        if (err && err.code) notice(describeError(err, c));
      });
    }
    /** Moves are sent no faster than the control's sample rate; the last position always goes out. */
    function queue() {
      if (timer) return;
      const wait = lastSent + rate() - performance.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    }
    function set(x, y) {
      const mag = Math.hypot(x, y);
      if (mag > 1) {
        x /= mag;
        y /= mag;
      }
      pos = { x: trunc4(x), y: trunc4(y) };
      knob.style.left = 50 + pos.x * 33 + '%';
      knob.style.top = 50 + pos.y * 33 + '%';
      readout.textContent = pos.x.toFixed(2) + ', ' + pos.y.toFixed(2);
      queue();
    }
    function fromPointer(e) {
      const r = pad.getBoundingClientRect();
      const radius = r.width / 2;
      set((e.clientX - (r.left + radius)) / radius, (e.clientY - (r.top + r.height / 2)) / radius);
    }
    pad.addEventListener('pointerdown', (e) => {
      if (!usable(c)) return;
      active = true;
      pad.focus();
      pad.setPointerCapture(e.pointerId);
      fromPointer(e);
    });
    pad.addEventListener('pointermove', (e) => {
      if (active) fromPointer(e);
    });
    const release = () => {
      if (!active) return;
      active = false;
      set(0, 0);
    };
    pad.addEventListener('pointerup', release);
    pad.addEventListener('pointercancel', release);
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    function fromKeys() {
      let x = 0;
      let y = 0;
      for (const k of held) {
        x += arrows[k][0];
        y += arrows[k][1];
      }
      set(x, y);
    }
    pad.addEventListener('keydown', (e) => {
      if (!arrows[e.key]) return;
      e.preventDefault();
      if (e.repeat || held.has(e.key)) return;
      if (!usable(c)) return;
      held.add(e.key);
      fromKeys();
    });
    pad.addEventListener('keyup', (e) => {
      if (!held.delete(e.key)) return;
      e.preventDefault();
      fromKeys();
    });
    pad.addEventListener('blur', () => {
      if (held.size) {
        held.clear();
        set(0, 0);
      }
    });

    return {
      el: wrap,
      control: () => c,
      update(next) {
        c = next;
        pad.setAttribute('aria-label', 'Joystick ' + controlName(c) + ': drag it, or hold the arrow keys');
        pad.setAttribute('aria-disabled', c.disabled ? 'true' : 'false');
        const hasAngle = typeof c.angle === 'number';
        const intensity = typeof c.intensity === 'number' ? Math.max(0, Math.min(1, c.intensity)) : hasAngle ? 1 : 0;
        halo.hidden = intensity <= 0;
        halo.style.opacity = String(intensity);
        // The halo's wedge points right at angle 0 and turns clockwise (screen y points down,
        // as joystick y does).
        halo.style.transform = 'rotate(' + (hasAngle ? c.angle : 0) + 'rad)';
        halo.dataset.angle = String(hasAngle ? c.angle : 0);
        halo.dataset.intensity = String(intensity);
      },
      tick() {},
      destroy() {
        clearTimeout(timer);
      },
    };
  }

  function labelWidget(c) {
    const wrap = el('div', 'ctl label');
    const text = el('div', 'mp-label');
    wrap.append(text);
    return {
      el: wrap,
      control: () => c,
      update(next) {
        c = next;
        text.textContent = c.text !== undefined ? c.text : '';
        const st = text.style;
        st.color = c.textColor || '';
        st.fontSize = cssSize(c.textSize);
        st.textDecoration = c.underline ? 'underline' : '';
        st.fontStyle = c.italic ? 'italic' : '';
        st.fontWeight = c.bold ? '700' : '';
      },
      tick() {},
      destroy() {},
    };
  }

  function textboxWidget(c) {
    const wrap = el('div', 'ctl textbox');
    const box = el('div', 'mp-textbox');
    let field = null;
    const submit = el('button', 'submit');
    submit.type = 'button';
    const cooldown = el('span', 'cooldown');
    cooldown.setAttribute('aria-hidden', 'true');
    box.append(submit, cooldown);
    wrap.append(box);

    const hasSubmit = () => !!c.hasSubmit || c.cost > 0;
    function doSubmit() {
      if (!hasSubmit() || !usable(c)) return;
      const value = field.value;
      giveInput(c, 'submit', { value }).then(() => {
        if (field.value === value) field.value = '';
      }, () => {});
    }
    function makeField(multiline) {
      const old = field;
      field = multiline ? el('textarea') : el('input');
      if (!multiline) field.type = 'text';
      field.spellcheck = false;
      if (old) {
        field.value = old.value;
        old.remove();
      }
      box.prepend(field);
      field.addEventListener('input', () => {
        if (hasSubmit() || c.disabled || coolingDown(c)) return;
        giveInput(c, 'change', { value: field.value }).catch(() => {});
      });
      field.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter') return;
        if (field.tagName === 'TEXTAREA' && !(e.ctrlKey || e.metaKey)) return;
        e.preventDefault();
        doSubmit();
      });
    }
    submit.addEventListener('click', doSubmit);

    return {
      el: wrap,
      control: () => c,
      update(next) {
        c = next;
        const multiline = !!c.multiline;
        if (!field || (field.tagName === 'TEXTAREA') !== multiline) makeField(multiline);
        field.placeholder = c.placeholder || '';
        field.setAttribute('aria-label', c.placeholder || c.controlID);
        field.disabled = !!c.disabled;
        submit.hidden = !hasSubmit();
        submit.disabled = !!c.disabled;
        submit.textContent = (c.submitText || 'Submit') + (c.cost > 0 ? ' ✦ ' + c.cost : '');
        submit.setAttribute('aria-label', (c.submitText || 'Submit') + (c.cost > 0 ? ', costs ' + c.cost + ' sparks' : ''));
        placeCooldown(cooldown, c);
      },
      tick() {
        placeCooldown(cooldown, c);
      },
      destroy() {},
    };
  }

  /** A screen control takes mouse input over the stream's video area. */
  function screenWidget_(c) {
    const video = $('video');
    const cursor = $('cursor');
    const placeholder = el('div', 'ctl screen');
    let pressed = false;
    let lastMove = 0;
    let timer = null;
    let pendingMove = null;
    let at = { x: 0.5, y: 0.5 };

    function mode() {
      if (['always', 'mousedown', 'never'].includes(c.sendMoveEvents)) return c.sendMoveEvents;
      if (c.sendOnMove === true) return 'always'; // interactive-node's older names
      if (c.sendMoveOnMouseDown === true) return 'mousedown';
      return 'mousedown';
    }
    function throttle() {
      const t = [c.moveThrottle, c.moveDebounce, c.moveDeboune].find((v) => typeof v === 'number' && v >= 0);
      return t === undefined ? 50 : t;
    }
    // Positions are on the picture itself (stage.js): null over a letterbox bar, which sends nothing.
    function point(e, clamp) {
      const p = MixPlay.stage.toPicture(e.clientX, e.clientY, clamp);
      return p && { x: trunc4(p.x), y: trunc4(p.y) };
    }
    function showCursor() {
      const pos = MixPlay.stage.fromPicture(at.x, at.y);
      cursor.hidden = !pos;
      if (!pos) return;
      cursor.style.left = pos.left + 'px';
      cursor.style.top = pos.top + 'px';
    }
    function flushMove() {
      timer = null;
      if (!pendingMove) return;
      const p = pendingMove;
      pendingMove = null;
      lastMove = performance.now();
      giveInput(c, 'move', p, true).catch(() => {});
    }
    function move(p) {
      at = p;
      showCursor();
      const m = mode();
      if (m === 'never' || (m === 'mousedown' && !pressed) || c.disabled) return;
      pendingMove = p;
      if (timer) return;
      const wait = lastMove + throttle() - performance.now();
      if (wait <= 0) flushMove();
      else timer = setTimeout(flushMove, wait);
    }
    function press(p) {
      at = p;
      showCursor();
      if (!usable(c)) return;
      pressed = true;
      giveInput(c, 'mousedown', { x: p.x, y: p.y, button: 0 }).catch(() => {});
    }
    function release(p) {
      if (!pressed) return;
      pressed = false;
      if (timer) {
        clearTimeout(timer);
        flushMove();
      }
      if (!c.disabled && !coolingDown(c)) giveInput(c, 'mouseup', { x: p.x, y: p.y, button: 0 }, true).catch(() => {});
    }
    const handlers = {
      pointerdown: (e) => {
        if (e.pointerType === 'mouse' && e.button !== 0) return;
        if (MixPlay.stage.isChrome(e.target)) return; // mute and volume are not the game's
        const p = point(e);
        if (!p) return;
        video.setPointerCapture(e.pointerId);
        press(p);
      },
      pointermove: (e) => {
        const p = point(e);
        if (p) move(p);
      },
      pointerup: (e) => release(point(e, true) || at),
      pointercancel: (e) => release(point(e, true) || at),
      keydown: (e) => {
        if (MixPlay.stage.isChrome(e.target) || !MixPlay.stage.pictureRect()) return;
        const step = { ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, -0.05], ArrowDown: [0, 0.05] }[e.key];
        if (step) {
          e.preventDefault();
          move({ x: trunc4(Math.max(0, Math.min(1, at.x + step[0]))), y: trunc4(Math.max(0, Math.min(1, at.y + step[1]))) });
        } else if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
          e.preventDefault();
          press(at);
        }
      },
      keyup: (e) => {
        if (MixPlay.stage.isChrome(e.target)) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          release(at);
        }
      },
    };
    for (const [k, f] of Object.entries(handlers)) video.addEventListener(k, f);
    video.classList.add('screen-active');
    video.tabIndex = 0;

    return {
      el: placeholder,
      control: () => c,
      update(next) {
        c = next;
        video.dataset.controlId = c.controlID;
        video.setAttribute('aria-label', 'Stream video: click or tap to interact' + (mode() === 'never' ? '' : '; your pointer position is shared') + '. Arrow keys move the pointer, Enter or Space presses.');
        video.setAttribute('aria-disabled', c.disabled ? 'true' : 'false');
      },
      tick() {},
      destroy() {
        clearTimeout(timer);
        for (const [k, f] of Object.entries(handlers)) video.removeEventListener(k, f);
        video.classList.remove('screen-active');
        video.removeAttribute('tabindex');
        delete video.dataset.controlId;
        video.setAttribute('aria-label', 'Stream video');
        cursor.hidden = true;
      },
    };
  }

  function makeWidget(c) {
    switch (c.kind) {
      case 'button':
        return buttonWidget(c);
      case 'joystick':
        return joystickWidget(c);
      case 'label':
        return labelWidget(c);
      case 'textbox':
        return textboxWidget(c);
      case 'screen':
        if (screenWidget) return null; // one video area: the first screen control has it
        screenWidget = screenWidget_(c);
        return screenWidget;
      default:
        return null; // custom controls need their bundle; none here
    }
  }

  // ----- rendering -----

  function currentSceneId() {
    if (!state.me) return null;
    const g = state.groups.get(state.me.groupID || 'default');
    return (g && g.sceneID) || 'default';
  }

  function gridSize() {
    const w = window.innerWidth;
    return SIZES.find((s) => w >= s.minWidth);
  }

  function destroyWidget(id) {
    const w = widgets.get(id);
    if (!w) return;
    w.destroy();
    w.el.remove();
    if (w === screenWidget) screenWidget = null;
    widgets.delete(id);
  }

  function render() {
    renderViewer();
    const sceneId = currentSceneId();
    const scene = sceneId ? state.scenes.get(sceneId) : null;
    if (sceneId !== shownScene) {
      for (const id of [...widgets.keys()]) destroyWidget(id);
      shownScene = sceneId;
    }
    const controls = scene ? scene.controls : new Map();
    for (const [id, w] of widgets) {
      const c = controls.get(id);
      if (!c || c.kind !== w.control().kind) destroyWidget(id);
    }
    for (const [id, c] of controls) {
      let w = widgets.get(id);
      if (!w) {
        w = makeWidget(c);
        if (!w) continue;
        w.el.dataset.controlId = id;
        w.el.dataset.kind = c.kind;
        widgets.set(id, w);
      }
      w.update(c);
    }
    layout();
    $('grid').hidden = !!state.custom;
    $('grid').closest('main').hidden = !scene && !state.custom;
    $('empty').hidden = !scene || controls.size > 0 || !!state.custom;
  }

  /** Places every widget on the grid of the size the viewport calls for. */
  function layout() {
    const size = gridSize();
    const grid = $('grid');
    const unplaced = $('unplaced');
    const avail = Math.max(200, grid.parentElement.clientWidth || window.innerWidth);
    const unit = Math.min(UNIT, avail / size.cols);
    document.documentElement.style.setProperty('--u', unit + 'px');
    grid.dataset.size = size.size;
    let rows = 0;
    const order = [];
    for (const [id, w] of widgets) {
      if (w === screenWidget) continue;
      const c = w.control();
      const p = (c.position || []).find((q) => q && q.size === size.size);
      const style = w.el.style;
      if (p && p.width > 0 && p.height > 0) {
        style.left = p.x * unit + 'px';
        style.top = p.y * unit + 'px';
        style.width = p.width * unit + 'px';
        style.height = p.height * unit + 'px';
        rows = Math.max(rows, p.y + p.height);
        if (w.el.parentElement !== grid) grid.append(w.el);
      } else {
        style.left = style.top = style.width = style.height = '';
        order.push(w.el);
        if (w.el.parentElement !== unplaced) unplaced.append(w.el);
      }
      void id;
    }
    const placed = grid.children.length > 0;
    grid.style.width = size.cols * unit + 'px';
    grid.style.height = placed ? Math.max(rows, size.rows) * unit + 'px' : '0';
  }

  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    layout();
  });
  // The controls' column also narrows when the chat panel appears beside it.
  let lastColumn = 0;
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      const w = $('controls').clientWidth;
      if (w === lastColumn) return;
      lastColumn = w;
      layout();
    }).observe($('controls'));
  }

  // Keys that belong to buttons (keyCode) trigger them, unless the viewer is typing.
  function onHotkey(e, pressed) {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (pressed && e.repeat) {
      for (const w of widgets.values()) if (w.hotkey && w.control().keyCode === e.keyCode) e.preventDefault();
      return;
    }
    let used = false;
    for (const w of widgets.values()) if (w.hotkey && w.hotkey(e, pressed)) used = true;
    if (used) e.preventDefault();
  }
  document.addEventListener('keydown', (e) => onHotkey(e, true));
  document.addEventListener('keyup', (e) => onHotkey(e, false));

  setInterval(() => {
    for (const w of widgets.values()) w.tick();
  }, 100);
  setInterval(() => {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) syncClock();
  }, 60000);

  // ----- sign-in -----

  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('key').value.trim();
    if (!key) {
      notice('Enter an access key, or join anonymously.');
      $('key').focus();
      return;
    }
    join(key);
  });
  $('anonymous-button').addEventListener('click', () => join(null));
  $('leave').addEventListener('click', () => {
    state.joined = false;
    sessionStorage.removeItem('mixplay.join');
    disconnect();
    MixPlay.viewer.connect({ anonymous: true });
    showSubscription(null);
    MixPlay.chat.stop();
    setStatus('Not connected');
    showSignIn();
    $('key').focus();
  });

  // Signing out ends the session at once: stop what would still use it (the chat) so nothing
  // asks the server with a revoked cookie.
  $('signout-form').addEventListener('submit', () => {
    state.session = null;
    MixPlay.chat.stop();
  });

  const params = new URLSearchParams(location.search);
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem('mixplay.join') || 'null');
  } catch (e) {
    saved = null;
  }
  // The page says who the session cookie signs in (empty when nobody).
  const signedIn = document.body.dataset.username || '';

  if (params.has('key')) join(params.get('key') || null);
  else if (params.has('anonymous')) join(null);
  else if (signedIn) join(null, { username: signedIn });
  else if (saved) join(saved.key || null);
  else render();
})();
