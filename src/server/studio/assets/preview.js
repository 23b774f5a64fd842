// The participant page's preview mode, for the Studio's Preview (served at /studio/preview in
// the place of the viewer socket's script, viewer.js, and of the chat panel's, before the page's
// other scripts). It stands in for the participant socket: page.js connects as usual, and this
// side plays the part of the mediator for one anonymous viewer whose group shows the scene the
// Studio posts (`mixplay-preview-scene`). Inputs are answered (and told to the Studio), never
// sent anywhere. There is no channel behind the preview: the viewer socket's stand-in says it is
// pushing, so that no channel's status is ever asked for, and pushes one status at once, an empty
// live stage (room for screen controls, never an offline card). page.js is unchanged.
'use strict';
(function () {
  const ME = { sessionID: 'preview', userID: 0, username: 'preview', level: 0, anonymous: true, groupID: 'default', disabled: false };
  let socket = null; // the page's socket, once it has opened
  let scene = null; // the scene the Studio posted last
  let shown = null; // the scene id the page was sent

  window.MixPlay.chat = { start() {}, stop() {} };
  window.MixPlay.viewer = {
    onBalance() {},
    onChannelStatus(callback) {
      callback({ channel: '0', online: true, interactive: true, title: 'Preview', streamSource: null });
    },
    onEarning() {},
    setVisible() {},
    connect() {},
    user: () => null,
    pushing: () => true,
  };
  document.documentElement.classList.add('mixplay-preview');
  const style = document.createElement('style');
  style.textContent =
    '.mixplay-preview .bar, .mixplay-preview #signin, .mixplay-preview #viewer, .mixplay-preview #events,' +
    ' .mixplay-preview #chat { display: none !important; }' +
    ' .mixplay-preview #stage { display: none; } .mixplay-preview.has-screen #stage { display: block; }' +
    ' .mixplay-preview body { padding-top: 12px; }';
  document.head.append(style);

  function toStudio(message) {
    if (window.parent !== window) window.parent.postMessage(message, location.origin);
  }

  /** The participant socket, as far as page.js uses it. */
  class PreviewSocket {
    constructor() {
      this.readyState = PreviewSocket.CONNECTING;
      this.onmessage = null;
      this.onclose = null;
      socket = this;
      setTimeout(() => this.open(), 0);
    }

    emit(method, params) {
      if (this.readyState !== PreviewSocket.OPEN || !this.onmessage) return;
      this.onmessage({ data: JSON.stringify({ type: 'method', id: 0, method, params, discard: true }) });
    }

    reply(id, result) {
      if (this.readyState !== PreviewSocket.OPEN || !this.onmessage) return;
      this.onmessage({ data: JSON.stringify({ type: 'reply', id, result, error: null }) });
    }

    open() {
      this.readyState = PreviewSocket.OPEN;
      this.emit('hello', {});
      this.emit('onParticipantJoin', { participants: [ME] });
      shown = null;
      showScene();
      this.emit('onReady', { isReady: true });
      toStudio({ type: 'mixplay-preview-ready' });
    }

    send(text) {
      let packet;
      try {
        packet = JSON.parse(text);
      } catch (e) {
        return;
      }
      const params = packet.params || {};
      if (packet.method === 'getTime') this.reply(packet.id, { time: Date.now() });
      else {
        if (packet.method === 'giveInput') toStudio({ type: 'mixplay-preview-input', controlID: params.controlID, event: params.event });
        // Queued like a real reply, so the page sees it after its own bookkeeping.
        setTimeout(() => this.reply(packet.id, null), 0);
      }
    }

    close() {
      this.readyState = PreviewSocket.CLOSED;
    }
  }
  PreviewSocket.CONNECTING = 0;
  PreviewSocket.OPEN = 1;
  PreviewSocket.CLOSING = 2;
  PreviewSocket.CLOSED = 3;
  window.WebSocket = PreviewSocket;

  // The channel look-up says the (pretend) game is online; everything else goes to the mediator.
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href);
    if (url.origin === location.origin && /^\/api\/v1\/interactive\/\d+$/.test(url.pathname)) {
      const body = { address: 'ws://preview.invalid/participant?channel=0', online: true, participants: 1 };
      return Promise.resolve(new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } }));
    }
    return realFetch(input, init);
  };

  /** Sends the posted scene to the page as the mediator would: the old one goes, the new comes. */
  function showScene() {
    if (!socket || !scene) return;
    if (shown !== null) socket.emit('onSceneDelete', { sceneID: shown, reassignSceneID: 'default' });
    socket.emit('onSceneCreate', { scenes: [scene] });
    const verb = shown === null ? 'onGroupCreate' : 'onGroupUpdate';
    socket.emit(verb, { groups: [{ groupID: 'default', sceneID: scene.sceneID }] });
    shown = scene.sceneID;
    const hasScreen = (scene.controls || []).some((c) => c.kind === 'screen');
    document.documentElement.classList.toggle('has-screen', hasScreen);
    requestAnimationFrame(sendHeight);
  }

  function sendHeight() {
    const grid = document.getElementById('grid');
    toStudio({ type: 'mixplay-preview-height', height: document.documentElement.scrollHeight, size: grid ? grid.dataset.size : '' });
  }

  window.addEventListener('message', (e) => {
    if (e.origin !== location.origin || e.source !== window.parent || !e.data) return;
    if (e.data.type === 'mixplay-preview-scene' && e.data.scene && typeof e.data.scene.sceneID === 'string') {
      scene = e.data.scene;
      showScene();
    }
  });
  if (window.ResizeObserver) {
    window.addEventListener('DOMContentLoaded', () => new ResizeObserver(sendHeight).observe(document.body));
  }
})();
