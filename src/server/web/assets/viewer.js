// The participant page's viewer socket (`/api/v1/channels/ID/viewer`): it tells the mediator
// whether the page is visible (a signed-in viewer earns sparks while a page of a live channel is
// open and visible) and hears, live or offline, the viewer's balance and the channel's status.
// Plain JavaScript, no build step; load it after common.js and before the scripts that use it.
//
// window.MixPlay.viewer:
//   onBalance(cb)        cb({sparks, change, reason, channel?, control?, streaming?}): the balance
//                        on connecting (change 0, reason 'current'), then every change ('earned',
//                        'spent'); a late subscriber gets the last one at once (as 'current').
//   onChannelStatus(cb)  cb({channel, online, interactive, title, streamSource}) on connecting and
//                        whenever the channel's status changes; a late subscriber gets the last
//                        one at once.
//   pushing()            whether the socket is open and has told the channel's status, so that
//                        every change will come pushed (channel-status.js polls otherwise).
//   onEarning(cb)        cb({earning}) for a signed-in viewer: whether they are watching now (a page
//                        of theirs visible on a live channel), so that every whole interval pays.
//   setVisible(bool)     the page's own say on whether the viewer sees the stream (default true);
//                        a hidden tab never counts as visible.
//   connect(who)         who the socket signs in as: {key} (an access key), {anonymous: true}, or
//                        {} (the session cookie, if any: the default). Reconnects only on a change;
//                        otherwise the balance already heard is told again (as 'current'), since a
//                        page may have passed it over before it knew who was here.
//   user()               {id, username} of the signed-in viewer, or null.
'use strict';
(function () {
  const CHANNEL = document.body.dataset.channel;
  const RETRY_MIN = 1000;
  const RETRY_MAX = 30000;
  const UNKNOWN_KEY = 4019;

  const state = {
    ws: null,
    who: {},
    wanted: true,
    retry: null,
    backoff: RETRY_MIN,
    user: null,
    balance: null,
    channel: null,
    earning: null,
    // Whether the open socket has told the channel's status yet.
    heard: false,
  };
  const listeners = { balance: [], channel: [], earning: [] };

  function visible() {
    return state.wanted && document.visibilityState === 'visible';
  }

  function report() {
    const ws = state.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ visible: visible() }));
  }

  function address() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = scheme + '//' + location.host + '/api/v1/channels/' + encodeURIComponent(CHANNEL) + '/viewer';
    if (state.who.key) url += '?key=' + encodeURIComponent(state.who.key);
    else if (state.who.anonymous) url += '?anonymous=1';
    return url;
  }

  function emit(kind, message) {
    for (const cb of listeners[kind]) {
      try {
        cb(message);
      } catch (e) {
        console.error(e);
      }
    }
  }

  function onMessage(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      return;
    }
    switch (m.event) {
      case 'hello':
        state.user = m.user || null;
        break;
      case 'balance':
        state.balance = m;
        emit('balance', m);
        break;
      case 'channel':
        state.channel = m;
        state.heard = true;
        emit('channel', m);
        break;
      case 'earning':
        state.earning = m;
        emit('earning', m);
        break;
      case 'error':
        console.warn('viewer socket: ' + m.message);
        break;
      default:
    }
  }

  function open() {
    clearTimeout(state.retry);
    const ws = new WebSocket(address());
    state.ws = ws;
    state.user = null;
    state.heard = false;
    ws.onopen = () => {
      if (ws !== state.ws) return;
      state.backoff = RETRY_MIN;
      report();
    };
    ws.onmessage = (e) => {
      if (ws === state.ws && typeof e.data === 'string') onMessage(e.data);
    };
    ws.onclose = (e) => {
      if (ws !== state.ws) return;
      state.ws = null;
      if (e.code === UNKNOWN_KEY) {
        // The key signs nobody in (the page says so): carry on anonymously, still hearing the channel.
        state.who = { key: null, anonymous: true };
        open();
        return;
      }
      const wait = state.backoff * (0.75 + Math.random() / 2);
      state.backoff = Math.min(RETRY_MAX, state.backoff * 2);
      state.retry = setTimeout(open, wait);
    };
  }

  function close() {
    clearTimeout(state.retry);
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000, 'the page changed who is watching');
  }

  document.addEventListener('visibilitychange', report);

  window.MixPlay.viewer = {
    onBalance(cb) {
      listeners.balance.push(cb);
      if (state.balance) cb(Object.assign({}, state.balance, { change: 0, reason: 'current' }));
    },
    onChannelStatus(cb) {
      listeners.channel.push(cb);
      if (state.channel) cb(state.channel);
    },
    onEarning(cb) {
      listeners.earning.push(cb);
      if (state.earning) cb(state.earning);
    },
    setVisible(v) {
      state.wanted = !!v;
      report();
    },
    connect(who) {
      const next = { key: (who && who.key) || null, anonymous: !!(who && who.anonymous) };
      if (state.ws && next.key === (state.who.key || null) && next.anonymous === !!state.who.anonymous) {
        if (state.balance) emit('balance', Object.assign({}, state.balance, { change: 0, reason: 'current' }));
        return;
      }
      state.who = next;
      state.balance = null;
      state.earning = null;
      close();
      open();
    },
    user() {
      return state.user;
    },
    pushing() {
      return state.heard && !!state.ws && state.ws.readyState === WebSocket.OPEN;
    },
  };

  open();
})();
