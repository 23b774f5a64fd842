// The streamer's dashboard: reads the channel from `GET /api/v1/channels/{id}/manage` (again every
// few seconds, for the live state, the game client and the participant count) and changes it with
// `PATCH /api/v1/channels/{id}` and `PATCH /api/v1/channels/{id}/roles`, signed in by the session
// cookie with the page's CSRF token. What the owner is typing is never overwritten by a refresh.
// Plain JavaScript, no build step; needs common.js and stage.js.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const CHANNEL = document.body.dataset.channel;
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const API = '/api/v1/channels/' + encodeURIComponent(CHANNEL);
  const REFRESH_MS = 3000;

  const preview = new window.MixPlay.Stage($('preview'), { label: 'Preview' });
  let view = null; // the channel as last read
  const dirty = new Set(); // fields the owner has changed and not saved: 'title', 'source', 'slow'
  let kindChosen = false; // the owner picked the kind by hand: typing an address no longer guesses it

  async function api(method, path, body) {
    const init = { method, cache: 'no-store', headers: { 'X-CSRF-Token': CSRF } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(API + path, init);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      if (r.status === 401) throw new Error('You are signed out. Sign in again to change your channel.');
      throw new Error(data.message || r.statusText || 'the mediator refused the change');
    }
    return data;
  }

  const notice = window.MixPlay.notice;

  /** Runs a change, then shows the channel as the answer has it; says what went wrong in words. */
  async function change(what, path, body, done) {
    try {
      const answer = await api('PATCH', path, body);
      if (path === '') show(answer);
      else await refresh();
      if (done) done();
      notice(what, 'info');
    } catch (e) {
      notice(e.message.charAt(0).toUpperCase() + e.message.slice(1).replace(/([^.])$/, '$1.'));
    }
  }

  // ----- showing the channel -----

  function gameText(game) {
    const version = game.versionId ? ' (version ' + game.versionId + ')' : '';
    if (game.state === 'ready') return 'Ready' + version;
    if (game.state === 'connected') return 'Connected' + version + ', not ready yet';
    return 'Not connected';
  }

  function liveText(v) {
    if (v.live) return 'You went live.';
    if (v.online) return 'Your game client is ready: the channel is live while it runs.';
    return 'Go live, or start your game: the channel is also live while its game client is ready.';
  }

  function people(list, role, holders) {
    const state = JSON.stringify(holders);
    if (list.dataset.state === state) return; // unchanged: keep the buttons (and the focus)
    list.dataset.state = state;
    const items = holders.map((p) => {
      const li = el('li');
      const name = el('span', 'name', p.username);
      const remove = el('button', 'link', role === 'Mod' ? 'Remove' : 'Unban');
      remove.type = 'button';
      remove.setAttribute('aria-label', (role === 'Mod' ? 'Remove moderator ' : 'Unban ') + p.username);
      remove.addEventListener('click', () =>
        change(p.username + (role === 'Mod' ? ' is no longer a moderator.' : ' is no longer banned.'), '/roles', { username: p.username, remove: [role] }));
      li.append(name, remove);
      return li;
    });
    if (!items.length) items.push(el('li', 'none', role === 'Mod' ? 'No moderators yet.' : 'Nobody is banned.'));
    list.replaceChildren(...items);
  }

  function showPreview(source, note) {
    preview.show({ online: true, title: 'Preview', streamSource: source });
    $('preview-note').textContent = note;
  }

  function show(v) {
    view = v;
    const badge = $('live-badge');
    badge.textContent = v.online ? 'live' : 'offline';
    badge.className = 'badge ' + (v.online ? 'live' : 'offline');
    $('live-why').textContent = liveText(v);
    const toggle = $('live-toggle');
    toggle.disabled = false;
    toggle.textContent = v.live ? 'Go offline' : 'Go live';
    $('game-state').textContent = gameText(v.game);
    $('participants').textContent = String(v.participants);
    people($('mods'), 'Mod', v.mods);
    people($('bans'), 'Banned', v.banned);
    if (!dirty.has('title')) $('title').value = v.title;
    if (!dirty.has('slow')) $('slow').value = String(Math.round(v.slowChat / 1000));
    if (!dirty.has('source')) {
      const s = v.streamSource;
      $('source-url').value = s ? s.url : '';
      $('source-kind').value = s ? s.kind : 'hls';
      kindChosen = false;
      showPreview(s, s ? 'Your saved stream source, as viewers see it while you are live.' : 'No stream source yet: viewers see a dark stage while you are live.');
    }
  }

  async function refresh() {
    try {
      show(await api('GET', '/manage'));
    } catch (e) {
      notice(e.message);
    }
  }

  // ----- the owner's changes -----

  $('live-toggle').addEventListener('click', () => {
    if (!view) return;
    const live = !view.live;
    change(live ? 'You are live.' : 'You went offline.', '', { live });
  });

  $('title').addEventListener('input', () => dirty.add('title'));
  $('title-form').addEventListener('submit', (e) => {
    e.preventDefault();
    change('Title saved.', '', { title: $('title').value }, () => dirty.delete('title'));
  });

  /** The typed source, or null (with a notice) when it is not an http(s) address. */
  function typedSource() {
    const url = $('source-url').value.trim();
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch (e) {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      notice('Enter an http:// or https:// address.');
      return null;
    }
    return { kind: $('source-kind').value, url };
  }

  $('source-url').addEventListener('input', () => {
    dirty.add('source');
    if (kindChosen) return;
    const path = $('source-url').value.trim().split(/[?#]/)[0];
    $('source-kind').value = /\.m3u8$/i.test(path) ? 'hls' : 'embed';
  });
  $('source-kind').addEventListener('change', () => {
    dirty.add('source');
    kindChosen = true;
  });
  $('source-preview').addEventListener('click', () => {
    const source = typedSource();
    if (source) showPreview(source, 'Previewing the address above (not saved yet).');
  });
  $('source-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const source = typedSource();
    if (source) change('Stream source saved.', '', { streamSource: source }, () => dirty.delete('source'));
  });
  $('source-remove').addEventListener('click', () => {
    dirty.delete('source');
    change('Stream source removed.', '', { streamSource: null });
  });

  $('slow').addEventListener('input', () => dirty.add('slow'));
  $('slow-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const seconds = Number($('slow').value);
    if (!Number.isInteger(seconds) || seconds < 0) {
      notice('Slow chat is a whole number of seconds (0 turns it off).');
      return;
    }
    const what = seconds ? 'Slow chat: one message every ' + seconds + ' s per viewer.' : 'Slow chat is off.';
    change(what, '', { slowChat: seconds * 1000 }, () => dirty.delete('slow'));
  });

  function roleForm(form, input, role, what) {
    $(form).addEventListener('submit', (e) => {
      e.preventDefault();
      const username = $(input).value.trim();
      if (!username) return;
      change(username + what, '/roles', { username, add: [role] }, () => { $(input).value = ''; });
    });
  }
  roleForm('mod-form', 'mod-name', 'Mod', ' is a moderator now.');
  roleForm('ban-form', 'ban-name', 'Banned', ' is banned from your chat.');

  refresh();
  setInterval(refresh, REFRESH_MS);
})();
