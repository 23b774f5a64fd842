// The stream stage: shows a channel's video in a 16:9 box, at the video's own aspect ratio
// (letterboxed, never stretched). HLS plays through the vendored hls.js where the browser has
// Media Source Extensions (low-latency HLS when the playlist offers parts), else through the
// browser's own HLS; an embed address shows in a sandboxed frame; an offline channel shows a card
// with its title. The video starts muted (browsers block autoplay with sound); the viewer can
// unmute and change the volume. Screen controls ask it where a pointer is on the picture itself:
// `toPicture` gives x, y from 0 to 1 over the visible video and nothing over a letterbox bar.
// Plain JavaScript, no build step; needs common.js.
'use strict';
(function () {
  const { el } = window.MixPlay;
  const HLS_SRC = '/page/vendor/hls-1.7.4.min.js';
  const HLS_TYPE = 'application/vnd.apple.mpegurl';
  const VOLUME_KEY = 'mixplay.volume';
  const RETRY_MS = 4000; // a stream that cannot be loaded (not started yet, gone) is tried again
  // An embedded player may run its scripts and keep its own storage, and nothing else: no
  // navigating this page, no pop-ups, no forms. Fullscreen and autoplay come from `allow`.
  const SANDBOX = ['allow-scripts', 'allow-same-origin', 'allow-presentation'];
  const FRAME_ALLOW = 'autoplay; fullscreen; picture-in-picture; encrypted-media';

  // Speaker icons (constant markup), drawn in the text colour.
  const SPEAKER = '<path d="M3 9v6h4l5 5V4L7 9H3z" fill="currentColor"/>';
  const ICON_SOUND = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">' + SPEAKER +
    '<path d="M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';
  const ICON_MUTED = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">' + SPEAKER +
    '<path d="M16 9l5 6M21 9l-5 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';

  let hlsScript = null;
  /** Loads hls.js once, when the first HLS stream needs it. */
  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsScript) {
      hlsScript = new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = HLS_SRC;
        s.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not start')));
        s.onerror = () => {
          hlsScript = null;
          reject(new Error('hls.js could not be loaded'));
        };
        document.head.append(s);
      });
    }
    return hlsScript;
  }

  function hasMediaSource() {
    return !!(window.MediaSource || window.ManagedMediaSource);
  }

  /** The address when it is http(s) (the mediator refuses anything else; this is a second lock). */
  function playable(url) {
    try {
      const u = new URL(url, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
    } catch (e) {
      return null;
    }
  }

  /** The frame's sandbox. A frame of our own origin with scripts and its origin could lift its
   *  sandbox, so such a frame runs without its origin. */
  function sandboxFor(url) {
    const own = url.origin === location.origin;
    return SANDBOX.filter((f) => !(own && f === 'allow-same-origin')).join(' ');
  }

  function savedVolume() {
    const v = Number(localStorage.getItem(VOLUME_KEY));
    return Number.isFinite(v) && v > 0 && v <= 1 ? v : 0.8;
  }

  class Stage {
    /**
     * `box`: the stage element (the page keeps it 16:9). `options.label`: what to call the
     * channel when it has no title (e.g. "Channel 3").
     */
    constructor(box, options) {
      this.box = box;
      this.label = (options && options.label) || 'This channel';
      this.key = null; // what is on show: 'offline', 'empty', 'hls URL' or 'embed URL'
      this.video = null;
      this.frame = null;
      this.hls = null;
      this.retry = null;
      this.channel = null;
      this.media = el('div', 'stage-media');
      this.card = el('div', 'stage-card');
      this.card.setAttribute('role', 'status');
      this.cardBadge = el('span', 'stage-badge', 'Offline');
      this.cardTitle = el('h2', 'stage-title');
      this.cardText = el('p', 'stage-text');
      this.card.append(this.cardBadge, this.cardTitle, this.cardText);
      this.message = el('div', 'stage-message');
      this.message.setAttribute('role', 'status');
      this.message.hidden = true;
      this.chrome = this.makeChrome();
      box.prepend(this.media, this.card, this.message);
      box.append(this.chrome);
      box.dataset.stage = 'loading';
      this.card.hidden = true;
    }

    /** Mute and volume, for the HLS player. */
    makeChrome() {
      const bar = el('div', 'stage-chrome');
      bar.hidden = true;
      const mute = el('button', 'stage-mute');
      mute.type = 'button';
      const volume = el('input', 'stage-volume');
      volume.type = 'range';
      volume.min = '0';
      volume.max = '1';
      volume.step = '0.05';
      volume.setAttribute('aria-label', 'Volume');
      mute.addEventListener('click', () => {
        const v = this.video;
        if (!v) return;
        v.muted = !v.muted;
        if (!v.muted && v.volume === 0) v.volume = savedVolume();
        this.syncChrome();
      });
      volume.addEventListener('input', () => {
        const v = this.video;
        if (!v) return;
        v.volume = Number(volume.value);
        v.muted = v.volume === 0;
        if (v.volume > 0) localStorage.setItem(VOLUME_KEY, String(v.volume));
        this.syncChrome();
      });
      this.muteButton = mute;
      this.volumeSlider = volume;
      bar.append(mute, volume);
      return bar;
    }

    syncChrome() {
      const v = this.video;
      this.chrome.hidden = !v;
      if (!v) return;
      const silent = v.muted || v.volume === 0;
      this.muteButton.innerHTML = silent ? ICON_MUTED : ICON_SOUND;
      this.muteButton.setAttribute('aria-label', silent ? 'Unmute' : 'Mute');
      this.muteButton.setAttribute('aria-pressed', silent ? 'true' : 'false');
      this.volumeSlider.value = String(v.muted ? 0 : v.volume);
    }

    /**
     * Shows a channel: its public settings as `GET /api/v1/channels/{id}` gives them
     * (`online`, `title`, `token`, `streamSource`). Only a change of what plays rebuilds the player.
     */
    show(channel) {
      this.channel = channel;
      const title = channel.title || this.label;
      this.cardTitle.textContent = title;
      this.cardText.textContent = (channel.token ? channel.token + ' is' : 'The channel is') +
        ' not live right now. The stream starts here by itself when the channel goes live.';
      const source = channel.online ? channel.streamSource : null;
      const url = source ? playable(source.url) : null;
      const key = !channel.online ? 'offline' : url ? source.kind + ' ' + url.href : 'empty';
      if (key === this.key) return;
      this.clear();
      this.key = key;
      this.box.dataset.stage = channel.online ? (url ? source.kind : 'empty') : 'offline';
      this.card.hidden = channel.online;
      if (url && source.kind === 'hls') this.playHls(url.href);
      else if (url && source.kind === 'embed') this.embed(url);
    }

    /** Takes down whatever plays. */
    clear() {
      clearTimeout(this.retry);
      if (this.hls) this.hls.destroy();
      this.hls = null;
      if (this.video) {
        this.video.removeAttribute('src');
        this.video.load();
      }
      this.video = null;
      this.frame = null;
      this.media.replaceChildren();
      this.message.hidden = true;
      delete this.box.dataset.player;
      delete this.box.dataset.lowLatency;
      this.syncChrome();
    }

    say(text) {
      this.message.textContent = text;
      this.message.hidden = !text;
    }

    embed(url) {
      const frame = el('iframe', 'stage-frame');
      frame.setAttribute('sandbox', sandboxFor(url));
      frame.setAttribute('allow', FRAME_ALLOW);
      frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
      frame.setAttribute('title', 'Stream player');
      frame.allowFullscreen = true;
      frame.src = url.href;
      this.frame = frame;
      this.media.append(frame);
    }

    playHls(url) {
      const key = this.key;
      const video = el('video', 'stage-video');
      // Muted before it has a source: browsers let a muted video play by itself.
      video.muted = true;
      video.defaultMuted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.volume = savedVolume();
      video.setAttribute('aria-label', 'Stream video');
      for (const e of ['volumechange', 'loadedmetadata']) video.addEventListener(e, () => this.syncChrome());
      video.addEventListener('playing', () => this.say(''));
      this.video = video;
      this.media.append(video);
      this.syncChrome();
      const start = () => video.play().catch(() => {});
      const again = (why) => {
        if (this.key !== key) return;
        this.say(why);
        this.retry = setTimeout(() => {
          if (this.key !== key) return;
          this.key = null; // rebuild the same source
          this.show(this.channel);
        }, RETRY_MS);
      };
      const native = () => {
        this.box.dataset.player = 'native';
        video.addEventListener('error', () => again('Waiting for the stream…'));
        video.src = url;
        start();
      };
      if (!hasMediaSource()) {
        if (video.canPlayType(HLS_TYPE)) native();
        else this.say('This browser cannot play the stream (it has neither HLS nor Media Source Extensions).');
        return;
      }
      loadHls().then(
        (Hls) => {
          if (this.key !== key) return;
          if (!Hls.isSupported()) {
            if (video.canPlayType(HLS_TYPE)) native();
            else this.say('This browser cannot play the stream.');
            return;
          }
          this.box.dataset.player = 'hls.js';
          this.box.dataset.lowLatency = 'false';
          // Low-latency mode follows the playlist's parts when it has them.
          const hls = new Hls({ lowLatencyMode: true, backBufferLength: 30 });
          this.hls = hls;
          hls.on(Hls.Events.LEVEL_LOADED, (_, data) => {
            const parts = data.details && data.details.partList;
            this.box.dataset.lowLatency = parts && parts.length ? 'true' : 'false';
          });
          hls.on(Hls.Events.MANIFEST_PARSED, start);
          let recovered = false;
          hls.on(Hls.Events.ERROR, (_, data) => {
            if (!data.fatal || this.hls !== hls) return;
            if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
              recovered = true;
              hls.recoverMediaError();
              return;
            }
            hls.destroy();
            this.hls = null;
            again('Waiting for the stream…');
          });
          hls.loadSource(url);
          hls.attachMedia(video);
        },
        () => again('The player could not be loaded; trying again…'),
      );
    }

    /** The picture's rectangle in viewport pixels, or null when the stage shows no picture. */
    pictureRect() {
      if (this.key === null || this.key === 'offline') return null;
      const box = this.box.getBoundingClientRect();
      const v = this.video;
      if (!v || !v.videoWidth || !v.videoHeight) return box; // no picture size yet: the whole stage
      const scale = Math.min(box.width / v.videoWidth, box.height / v.videoHeight);
      const width = v.videoWidth * scale;
      const height = v.videoHeight * scale;
      return { left: box.left + (box.width - width) / 2, top: box.top + (box.height - height) / 2, width, height };
    }

    /**
     * Where a viewport point is on the picture: { x, y } from 0 to 1 (top left 0, 0), or null
     * over a letterbox bar or when there is no picture. `clamp` gives the nearest point of the
     * picture instead of null (a release that ends outside it).
     */
    toPicture(clientX, clientY, clamp) {
      const r = this.pictureRect();
      if (!r || !r.width || !r.height) return null;
      const x = (clientX - r.left) / r.width;
      const y = (clientY - r.top) / r.height;
      if (!clamp && (x < 0 || x > 1 || y < 0 || y > 1)) return null;
      return { x: Math.max(0, Math.min(1, x)), y: Math.max(0, Math.min(1, y)) };
    }

    /** A picture point as pixels from the stage's top left (for drawing a cursor), or null. */
    fromPicture(x, y) {
      const r = this.pictureRect();
      if (!r) return null;
      const box = this.box.getBoundingClientRect();
      return { left: r.left - box.left + x * r.width, top: r.top - box.top + y * r.height };
    }

    /** Whether an event target belongs to the stage's own controls (mute, volume). */
    isChrome(target) {
      return !!(target && target.closest && target.closest('.stage-chrome'));
    }
  }

  window.MixPlay.Stage = Stage;
})();
