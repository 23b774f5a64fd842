// The host side of custom controls (protocol 1.6): a version's bundle runs in a sandboxed frame
// (`allow-scripts` only: no same-origin access to this page, its cookies or its storage) and
// talks to this page through the postMessage RPC of the original control development kit
// (@mixer/cdk-std): packets `{type: 'method' | 'reply', serviceID, id, counter, …}`, each side
// numbering what it sends so the other can put them back in order, and `ready` first.
//
// What the bundle gets: every interactive packet the page's socket receives
// (`recieveInteractivePacket`, spelled as the kit spells it) once it said `controlsReady` (the
// ones before are kept and replayed), the display settings (`updateSettings`) and where the video
// is, relative to the frame (`updateVideoPosition`). What it may do: `sendInteractivePacket`
// (its `giveInput` and other methods go out on the page's socket; the reply comes back), `log`,
// `maximize`/`moveVideo` (accepted, nothing to do here), `unloading`.
'use strict';

(function () {
  const SERVICE_ID = '8f5b3a83-dd7b-4b8a-84ad-146948bc8d27';
  const PROTOCOL = '1.0';
  // Most packets kept for a bundle that has not said controlsReady yet.
  const BACKLOG = 2000;

  function start(url, container, video, channelId, sendMethod) {
    const frame = document.createElement('iframe');
    frame.className = 'custom-controls';
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('title', 'Interactive controls');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    let counter = 0;
    let nextId = 0;
    let expected = 0;
    const early = [];
    const backlog = [];
    let ready = false;

    function post(packet) {
      packet.serviceID = SERVICE_ID;
      packet.counter = counter++;
      // The frame's origin is opaque ("null"): '*' is the only target that reaches it.
      if (frame.contentWindow) frame.contentWindow.postMessage(packet, '*');
    }
    function call(method, params) {
      post({ type: 'method', id: nextId++, method, params, discard: true });
    }
    function reply(id, result, error) {
      const packet = { type: 'reply', id, result: result === undefined ? null : result };
      if (error) packet.error = error;
      post(packet);
    }

    function videoPosition() {
      const f = frame.getBoundingClientRect();
      const v = video ? video.getBoundingClientRect() : { top: 0, left: 0, width: 0, height: 0 };
      const rect = {
        channelId: Number(channelId) || 0,
        top: v.top - f.top,
        left: v.left - f.left,
        width: v.width,
        height: v.height,
        right: v.right - f.left,
        bottom: v.bottom - f.top,
      };
      return { connectedPlayer: rect, costreamPlayers: [] };
    }
    function sendDisplay() {
      if (!ready) return;
      call('updateVideoPosition', videoPosition());
    }

    const handlers = {
      ready() {},
      controlsReady() {
        if (ready) return;
        ready = true;
        call('updateSettings', { language: navigator.language || 'en', placesVideo: false, platform: 'desktop' });
        sendDisplay();
        for (const p of backlog.splice(0)) call('recieveInteractivePacket', p);
      },
      sendInteractivePacket(params) {
        if (!params || typeof params.method !== 'string') {
          return Promise.reject({ code: 4000, message: 'sendInteractivePacket needs {method, params}' });
        }
        return sendMethod(params.method, params.params || {});
      },
      log(params) {
        const level = params && params.level;
        console.log('[custom controls]', level || 'info', JSON.stringify((params && params.params) || []));
      },
      maximize() {},
      moveVideo() {},
      unloading() {
        ready = false;
      },
      focusOut() {},
      handleExit() {},
      navigate() {},
    };

    function dispatch(p) {
      if (p.type === 'reply') return; // the page asks nothing that needs an answer
      const handler = handlers[p.method];
      if (!handler) {
        if (!p.discard) reply(p.id, null, { code: 4003, message: 'Unknown method name ' + p.method });
        return;
      }
      Promise.resolve()
        .then(() => handler(p.params))
        .then(
          (r) => { if (!p.discard) reply(p.id, r); },
          (e) => { if (!p.discard) reply(p.id, null, { code: e.code || 4000, message: e.message || String(e), path: e.path }); },
        );
    }

    function onMessage(ev) {
      // Only the bundle's frame is heard; its origin is opaque, so the source says who it is.
      if (ev.source !== frame.contentWindow) return;
      const p = ev.data;
      if (!p || p.serviceID !== SERVICE_ID || typeof p.counter !== 'number') return;
      if (p.type === 'method' && p.method === 'ready') {
        // The bundle (re)started: its numbering starts again, and so does ours.
        expected = p.counter;
        counter = 0;
        early.length = 0;
        ready = false;
        call('ready', { protocolVersion: PROTOCOL });
      }
      if (p.counter > expected) {
        if (early.length < BACKLOG) early.push(p);
        early.sort((a, b) => a.counter - b.counter);
        return;
      }
      expected = p.counter + 1;
      dispatch(p);
      while (early.length && early[0].counter <= expected) {
        const next = early.shift();
        expected = next.counter + 1;
        dispatch(next);
      }
    }

    window.addEventListener('message', onMessage);
    window.addEventListener('resize', sendDisplay);
    frame.src = url;
    container.appendChild(frame);
    frame.addEventListener('load', () => call('resendReady', {}));

    return {
      url,
      /** An interactive packet from the page's socket, for the bundle. */
      packet(p) {
        if (ready) call('recieveInteractivePacket', p);
        else if (backlog.length < BACKLOG) backlog.push(p);
      },
      stop() {
        window.removeEventListener('message', onMessage);
        window.removeEventListener('resize', sendDisplay);
        frame.remove();
      },
    };
  }

  window.MixPlay = window.MixPlay || {};
  window.MixPlay.custom = { start };
})();
