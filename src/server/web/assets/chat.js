// The participant page's chat panel. Plain JavaScript, no build step, loaded before page.js: the
// channel's chat socket (`/chat`): `GET /api/v1/chats/{id}` (with the access key as bearer token)
// gives the endpoint and a one-use authkey; `auth` joins the room as the viewer (or anonymously,
// read-only), `history` fills the log, events keep it current. page.js starts and stops it
// through `MixPlay.chat`.
'use strict';
(function () {
  const CHANNEL = document.body.dataset.channel;
  const { $, el } = window.MixPlay;

  // The built-in emoticons, drawn (no emoji font needed): face features as SVG path data.
  const EMOTICONS = {
    ':)': { eyes: 'M8 9.5h.01M16 9.5h.01', mouth: 'M7.5 14.5q4.5 4 9 0' },
    ':(': { eyes: 'M8 9.5h.01M16 9.5h.01', mouth: 'M7.5 17q4.5-4 9 0' },
    ':D': { eyes: 'M8 9.5h.01M16 9.5h.01', mouth: 'M7 13.5h10q-5 8-10 0z', fill: true },
    ';)': { eyes: 'M6.5 9.5h3M16 9.5h.01', mouth: 'M7.5 14.5q4.5 4 9 0' },
    ':P': { eyes: 'M8 9.5h.01M16 9.5h.01', mouth: 'M7.5 14.5h9M11 14.5v2.5q1.5 2 3 0v-2.5', fill: true },
  };
  const HEART = 'M12 20.5l-1.3-1.2C6 15.1 3 12.4 3 9a4.5 4.5 0 0 1 9-1.2A4.5 4.5 0 0 1 21 9c0 3.4-3 6.1-7.7 10.3z';
  const CHAT_KEEP = 200; // messages kept on screen
  const CHAT_HISTORY = 50; // messages asked for on joining

  const chat = {
    active: false,
    key: null,
    session: false, // signed in by the session cookie (no key)
    ws: null,
    gen: 0, // bumped on every (re)connect: stale callbacks check it
    nextId: 1,
    pending: new Map(),
    retry: null,
    joined: false, // in the room (after `auth`)
    me: null, // { id, username } once signed in to the chat; null when reading anonymously
    anonymousWhy: '', // why the viewer reads anonymously
    roles: [],
    shown: new Map(), // message id -> element
    poll: null, // { data, ended, endsAtLocal, vote }
    pollTimer: null,
    timedOutUntil: 0,
  };

  function setChatStatus(text, cls) {
    const s = $('chat-status');
    s.textContent = text;
    s.className = 'chat-status' + (cls ? ' ' + cls : '');
  }

  function showChatError(text) {
    const e = $('chat-error');
    e.textContent = text;
    e.hidden = false;
  }

  function clearChatError() {
    $('chat-error').hidden = true;
    $('chat-error').textContent = '';
  }

  function seconds(ms) {
    const s = Math.max(1, Math.ceil(Number(ms) / 1000));
    return s === 1 ? '1 second' : s + ' seconds';
  }

  /** Shows the service's answer in words. */
  function chatErrorText(err, method) {
    if (err && typeof err === 'object' && err.code === 0) return 'Not connected to the chat; reconnecting…';
    const e = String(err && typeof err === 'object' ? err.message || '' : err);
    let m;
    if (e === 'UACCESS') {
      if (!chat.me) return 'Anonymous viewers can read the chat but not send: sign in with an access key to chat.';
      if (chat.roles.includes('Banned')) return 'You are banned from this chat.';
      return 'You are not allowed to do that in this chat.';
    }
    if ((m = /^slow chat is on: wait (\d+) ms.*one every (\d+) ms/.exec(e))) {
      return 'Slow chat is on: one message every ' + seconds(m[2]) + '. Wait ' + seconds(m[1]) + ' before sending again.';
    }
    if ((m = /^the message is too long: (\d+) characters; the limit is (\d+)/.exec(e))) {
      return 'Your message is too long: ' + m[1] + ' characters, and the limit is ' + m[2] + '. Shorten it and send it again.';
    }
    if ((m = /^you are timed out for another (\d+)s/.exec(e))) {
      return 'You are timed out: you can chat again in ' + seconds(m[1] * 1000) + '.';
    }
    if (e === 'the message is empty') return 'Type a message first.';
    if ((m = /^(.+) is not in this chat$/.exec(e))) {
      return method === 'whisper' ? 'Cannot whisper to ' + m[1] + ': they are not in this chat right now.' : m[1] + ' is not in this chat.';
    }
    if (e === 'there is no poll running') return 'That poll has already ended.';
    if (e === 'UNOTFOUND') return 'The chat did not recognise you; reconnecting…';
    if (!e) return 'The chat refused that.';
    return e.charAt(0).toUpperCase() + e.slice(1) + (/[.!?]$/.test(e) ? '' : '.');
  }

  function chatCall(method, args) {
    return new Promise((resolve, reject) => {
      const ws = chat.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject({ code: 0, message: 'not connected' });
        return;
      }
      const id = chat.nextId++;
      chat.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'method', method, arguments: args, id }));
    });
  }

  /** Joins the chat with an access key, as the session's user (`session`), or anonymously. */
  function startChat(key, session) {
    stopChat();
    chat.active = true;
    chat.key = key;
    chat.session = !key && !!session;
    $('chat').hidden = false;
    renderChatInput();
    connectChat();
  }

  function stopChat() {
    chat.active = false;
    chat.gen++;
    clearTimeout(chat.retry);
    const ws = chat.ws;
    chat.ws = null;
    if (ws) ws.close(1000, 'the viewer left');
    for (const p of chat.pending.values()) p.reject({ code: 0, message: 'not connected' });
    chat.pending.clear();
    chat.joined = false;
    chat.me = null;
    chat.roles = [];
    chat.timedOutUntil = 0;
    clearChatLog();
    clearPoll();
    clearChatError();
    $('chat-input').value = '';
    $('chat').hidden = true;
    setChatStatus('Not connected');
  }

  function retryChat(ms) {
    clearTimeout(chat.retry);
    if (chat.active) chat.retry = setTimeout(connectChat, ms);
  }

  async function connectChat() {
    clearTimeout(chat.retry);
    const gen = ++chat.gen;
    const key = chat.key;
    setChatStatus('Connecting…');
    let me = null;
    let why = '';
    let details;
    try {
      if (key || chat.session) {
        // With no key, the browser's session cookie signs the viewer in.
        const auth = key ? { Authorization: 'Bearer ' + key } : {};
        const r = await fetch('/api/v1/users/current', { headers: auth, cache: 'no-store' });
        if (r.ok) me = await r.json();
        else if (r.status === 401) why = key ? 'Your access key does not sign you in to the chat, so you can read it but not send.' : 'Your sign-in has ended: sign in again to chat.';
        else throw new Error(r.statusText);
      } else {
        why = 'You are reading the chat anonymously. Sign in with an access key or your account to chat and vote.';
      }
      const headers = me && key ? { Authorization: 'Bearer ' + key } : {};
      const r = await fetch('/api/v1/chats/' + encodeURIComponent(CHANNEL), { headers, cache: 'no-store' });
      details = await r.json();
      if (!r.ok) throw new Error(details.message || r.statusText);
    } catch (e) {
      if (gen !== chat.gen) return;
      setChatStatus('Cannot reach the chat; retrying…', 'down');
      retryChat(3000);
      return;
    }
    if (gen !== chat.gen || !chat.active) return;
    let endpoint = details.endpoints && details.endpoints[0];
    if (!endpoint) endpoint = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat';
    const url = endpoint + (endpoint.includes('?') ? '&' : '?') + 'version=1.0&Client-ID=mixplay-participant-page';
    const ws = new WebSocket(url);
    chat.ws = ws;
    const joinAs = { me: me && details.authkey ? me : null, authkey: details.authkey, why: why || (me ? '' : 'You can read the chat but not send.') };
    ws.onmessage = (e) => {
      if (ws === chat.ws && typeof e.data === 'string') onChatFrame(e.data, joinAs);
    };
    ws.onclose = () => {
      if (ws !== chat.ws) return;
      chat.ws = null;
      chat.joined = false;
      for (const p of chat.pending.values()) p.reject({ code: 0, message: 'not connected' });
      chat.pending.clear();
      renderChatInput();
      setChatStatus('Chat connection lost; reconnecting…', 'down');
      retryChat(2000);
    };
  }

  function onChatFrame(text, joinAs) {
    let p;
    try {
      p = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (p.type === 'reply') {
      const waiter = chat.pending.get(p.id);
      if (!waiter) return;
      chat.pending.delete(p.id);
      if (p.error) waiter.reject(p.error);
      else waiter.resolve(p.data);
    } else if (p.type === 'event') {
      if (p.event === 'WelcomeEvent') authChat(joinAs);
      else onChatEvent(p.event, p.data || {});
    }
  }

  function authChat(joinAs) {
    const gen = chat.gen;
    const channel = Number(CHANNEL);
    const args = joinAs.me ? [channel, joinAs.me.id, joinAs.authkey] : [channel];
    chatCall('auth', args)
      .then((r) => {
        if (gen !== chat.gen) return null;
        chat.joined = true;
        chat.me = r && r.authenticated ? { id: joinAs.me.id, username: joinAs.me.username } : null;
        chat.anonymousWhy = joinAs.why;
        chat.roles = (r && r.roles) || [];
        // A fresh start: the history below is the whole truth (a reconnect may have missed deletions).
        clearChatLog();
        setChatStatus(chat.me ? 'Chatting as ' + chat.me.username : 'Reading anonymously', 'live');
        renderChatInput();
        return chatCall('history', [CHAT_HISTORY]);
      })
      .then((list) => {
        if (gen !== chat.gen || !Array.isArray(list)) return;
        addHistory(list);
      })
      .catch((err) => {
        if (gen !== chat.gen) return;
        if (err && err.code === 0) return; // the socket closed: onclose retries
        setChatStatus('Could not join the chat (' + chatErrorText(err, 'auth') + '); retrying…', 'down');
        const ws = chat.ws;
        chat.ws = null;
        if (ws) ws.close(1000, 'retrying');
        retryChat(3000);
      });
  }

  /** Enables the message box for signed-in viewers; says why it is off otherwise. */
  function renderChatInput() {
    const input = $('chat-input');
    const send = $('chat-send');
    const hint = $('chat-hint');
    const banned = chat.roles.includes('Banned');
    const canSend = chat.joined && !!chat.me && !banned;
    input.disabled = !canSend;
    send.disabled = !canSend;
    hint.textContent = '';
    if (!chat.joined) {
      input.placeholder = 'Connecting to the chat…';
      hint.textContent = 'Connecting to the chat…';
    } else if (canSend) {
      input.placeholder = 'Say something…';
      hint.append('Enter sends. Whisper with ', el('kbd', '', '/w name message'), '; ', el('kbd', '', '/me'), ' for actions.');
      const left = chat.timedOutUntil - Date.now();
      if (left > 0) hint.append(' You are timed out for another ' + seconds(left) + '.');
    } else if (banned) {
      input.placeholder = 'You are banned from this chat';
      hint.textContent = 'You are banned from this chat: you can read it but not send.';
    } else {
      input.placeholder = 'Sign in to chat';
      hint.textContent = chat.anonymousWhy || 'Anonymous viewers can read the chat but not send. Sign in with an access key to chat.';
    }
  }

  // ----- chat: the log -----

  function clearChatLog() {
    $('chat-log').textContent = '';
    chat.shown.clear();
  }

  function nearBottom(log) {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  /** Appends (or, with `before`, inserts) a line; keeps the newest CHAT_KEEP and follows the end. */
  function addLine(line, before) {
    const log = $('chat-log');
    const follow = nearBottom(log);
    if (before) log.insertBefore(line, before);
    else log.append(line);
    while (log.children.length > CHAT_KEEP) {
      const old = log.firstElementChild;
      if (old.dataset.id) chat.shown.delete(old.dataset.id);
      old.remove();
    }
    if (follow) log.scrollTop = log.scrollHeight;
  }

  function systemLine(text, warn) {
    addLine(el('div', 'sys' + (warn ? ' warn' : ''), text));
  }

  function safeUrl(u) {
    try {
      const url = new URL(String(u), location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /** One part of a message, as DOM nodes: user text only ever goes into text nodes. */
  function fragmentNode(f, line) {
    const text = typeof f.text === 'string' ? f.text : typeof f.data === 'string' ? f.data : '';
    switch (f.type) {
      case 'emoticon':
        return emoticon(text);
      case 'link': {
        const href = safeUrl(f.url || text);
        if (!href) return document.createTextNode(text);
        const a = el('a', 'link', text);
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer nofollow';
        return a;
      }
      case 'tag': {
        const s = el('span', 'tag', text);
        if (chat.me && typeof f.username === 'string' && f.username.toLowerCase() === chat.me.username.toLowerCase()) {
          s.classList.add('mention');
          line.classList.add('mentions-me');
        }
        return s;
      }
      default:
        return document.createTextNode(text);
    }
  }

  /** A built-in emoticon as a small drawing labelled with its text; others as their text. */
  function emoticon(text) {
    const face = EMOTICONS[text];
    if (!face && text !== '<3') return el('span', 'emoticon text', text);
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'emoticon');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', text);
    const title = document.createElementNS(NS, 'title');
    title.textContent = text;
    svg.append(title);
    const add = (tag, attrs) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      svg.append(e);
    };
    if (!face) {
      add('path', { d: HEART, fill: '#ff5a79' });
      return svg;
    }
    add('circle', { cx: 12, cy: 12, r: 10.5, fill: '#ffcf5a' });
    const ink = { fill: 'none', stroke: '#3b2a00', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };
    add('path', Object.assign({}, ink, { d: face.eyes, 'stroke-width': 2.6 }));
    add('path', Object.assign({}, ink, { d: face.mouth }, face.fill ? { fill: '#7a3b00' } : {}));
    return svg;
  }

  function messageLine(m) {
    const meta = (m.message && m.message.meta) || {};
    const line = el('div', 'msg');
    line.dataset.id = String(m.id);
    line.dataset.userId = String(m.user_id);
    const roles = Array.isArray(m.user_roles) ? m.user_roles : [];
    const role = roles.includes('Owner') ? 'owner' : roles.includes('Mod') ? 'mod' : '';
    const mine = !!chat.me && m.user_id === chat.me.id;
    if (meta.whisper) {
      line.classList.add('whisper');
      line.append(el('span', 'whisper-tag', 'Whisper'), ' ');
    }
    if (meta.me) line.classList.add('action');
    if (role) line.append(el('span', 'role ' + role, role === 'owner' ? 'Streamer' : 'Mod'), ' ');
    const name = el('span', 'name' + (role ? ' ' + role : ''), String(m.user_name));
    line.append(name);
    if (meta.whisper) {
      const target = typeof m.target === 'string' ? m.target : '';
      const toMe = chat.me && target.toLowerCase() === chat.me.username.toLowerCase();
      line.append(el('span', 'to', ' to ' + (toMe && !mine ? 'you' : target)));
    }
    line.append(document.createTextNode(meta.me ? ' ' : ': '));
    const body = el('span', 'body');
    const parts = m.message && Array.isArray(m.message.message) ? m.message.message : [];
    for (const f of parts) if (f && typeof f === 'object') body.append(fragmentNode(f, line));
    line.append(body);
    return line;
  }

  function addMessage(m, before) {
    if (!m || m.id === undefined || chat.shown.has(String(m.id))) return;
    const line = messageLine(m);
    chat.shown.set(String(m.id), line);
    addLine(line, before);
  }

  /** History comes after `auth`; messages that arrived meanwhile are newer, so it goes before them. */
  function addHistory(list) {
    const first = $('chat-log').firstChild;
    for (const m of list) addMessage(m, first);
    const log = $('chat-log');
    log.scrollTop = log.scrollHeight;
  }

  function removeMessage(id) {
    const line = chat.shown.get(String(id));
    if (!line) return;
    chat.shown.delete(String(id));
    line.remove();
  }

  /** Removes a user's messages; returns their name if any were on screen. */
  function removeMessagesOf(userId) {
    let name = null;
    for (const [id, line] of [...chat.shown]) {
      if (line.dataset.userId !== String(userId)) continue;
      name = name || line.querySelector('.name').textContent;
      removeMessage(id);
    }
    return name;
  }

  function onChatEvent(event, data) {
    switch (event) {
      case 'ChatMessage':
        addMessage(data);
        break;
      case 'DeleteMessage':
        removeMessage(data.id);
        break;
      case 'PurgeMessage': {
        const mine = chat.me && data.user_id === chat.me.id;
        const name = removeMessagesOf(data.user_id);
        const who = mine ? 'you' : name || 'a viewer';
        const by = data.moderator && data.moderator.user_name ? data.moderator.user_name : 'a moderator';
        const cause = data.cause || {};
        if (cause.type === 'timeout') systemLine(by + ' timed out ' + who + ' (' + cause.durationString + '); the messages were removed.', mine);
        else if (cause.type === 'ban') systemLine(by + ' banned ' + who + '; the messages were removed.', mine);
        else systemLine(by + ' removed the messages of ' + who + '.', mine);
        break;
      }
      case 'ClearMessages':
        clearChatLog();
        systemLine((data.clearer && data.clearer.user_name ? data.clearer.user_name : 'A moderator') + ' cleared the chat.');
        break;
      case 'UserTimeout': {
        const ms = Number(data.duration) || 0;
        chat.timedOutUntil = Date.now() + ms;
        systemLine('You are timed out for ' + seconds(ms) + ': you can read the chat, but your messages will be refused until then.', true);
        renderChatInput();
        setTimeout(renderChatInput, ms + 100);
        break;
      }
      case 'UserUpdate':
        if (chat.me && data.user === chat.me.id && Array.isArray(data.roles)) {
          const wasBanned = chat.roles.includes('Banned');
          chat.roles = data.roles;
          const banned = chat.roles.includes('Banned');
          if (banned !== wasBanned) systemLine(banned ? 'You have been banned from this chat.' : 'You are no longer banned from this chat.', banned);
          renderChatInput();
        }
        break;
      case 'PollStart':
        showPoll(data, false);
        break;
      case 'PollEnd':
        showPoll(data, true);
        break;
      default:
        break; // UserJoin, UserLeave: not shown
    }
  }

  // ----- chat: polls -----

  function clearPoll() {
    clearInterval(chat.pollTimer);
    chat.pollTimer = null;
    chat.poll = null;
    const box = $('chat-poll');
    box.textContent = '';
    box.hidden = true;
  }

  function showPoll(data, ended) {
    const answers = Array.isArray(data.answers) ? data.answers.map(String) : [];
    const same = chat.poll && chat.poll.data.endsAt === data.endsAt && chat.poll.data.q === data.q;
    if (!same) {
      clearPoll();
      chat.poll = { data, ended: false, vote: null, endsAtLocal: Date.now() + (Number(data.duration) || 0), buttons: [] };
      buildPoll(answers);
    }
    const poll = chat.poll;
    poll.data = data;
    const wasEnded = poll.ended;
    poll.ended = ended;
    updatePoll();
    if (ended && !wasEnded) {
      clearInterval(chat.pollTimer);
      systemLine('Poll ended: ' + pollSummary(data));
    }
  }

  function buildPoll(answers) {
    const box = $('chat-poll');
    const h = el('h3', '', 'Poll: ' + String(chat.poll.data.q));
    h.id = 'chat-poll-question';
    const list = el('div', 'answers');
    list.setAttribute('role', 'group');
    list.setAttribute('aria-labelledby', 'chat-poll-question');
    answers.forEach((answer, index) => {
      const b = el('button', 'answer');
      b.type = 'button';
      b.dataset.index = String(index);
      const bar = el('span', 'bar');
      bar.setAttribute('aria-hidden', 'true');
      b.append(bar, el('span', 'text', answer), el('span', 'count', ''));
      b.addEventListener('click', () => vote(index));
      list.append(b);
      chat.poll.buttons.push(b);
    });
    const foot = el('p', 'poll-foot');
    const info = el('span', 'info', '');
    const dismiss = el('button', 'link', 'Dismiss');
    dismiss.type = 'button';
    dismiss.hidden = true;
    dismiss.addEventListener('click', () => {
      clearPoll();
      $('chat-input').focus();
    });
    foot.append(info, dismiss);
    box.append(h, list, foot);
    box.hidden = false;
    chat.pollTimer = setInterval(updatePoll, 1000);
  }

  function pollSummary(data) {
    const responses = data.responses || {};
    const answers = Array.isArray(data.answers) ? data.answers.map(String) : [];
    const voters = Number(data.voters) || 0;
    if (!voters) return '“' + data.q + '” got no votes.';
    const top = Math.max(...answers.map((a) => Number(responses[a]) || 0));
    const winners = answers.filter((a) => (Number(responses[a]) || 0) === top);
    return '“' + data.q + '”: ' + winners.join(' and ') + ' (' + top + ' of ' + voters + (voters === 1 ? ' vote' : ' votes') + ').';
  }

  function updatePoll() {
    const poll = chat.poll;
    if (!poll) return;
    const data = poll.data;
    const responses = data.responses || {};
    const voters = Number(data.voters) || 0;
    const counts = poll.buttons.map((b) => Number(responses[b.querySelector('.text').textContent]) || 0);
    const top = Math.max(0, ...counts);
    const canVote = !!chat.me && !poll.ended && !chat.roles.includes('Banned');
    poll.buttons.forEach((b, i) => {
      const n = counts[i];
      const pct = voters ? Math.round((n / voters) * 100) : 0;
      b.querySelector('.bar').style.width = pct + '%';
      b.querySelector('.count').textContent = n + (n === 1 ? ' vote' : ' votes') + ' · ' + pct + '%';
      b.setAttribute('aria-pressed', poll.vote === i ? 'true' : 'false');
      b.disabled = !canVote;
      b.classList.toggle('winner', poll.ended && voters > 0 && n === top);
    });
    const box = $('chat-poll');
    const info = box.querySelector('.info');
    const left = Math.max(0, Math.ceil((poll.endsAtLocal - Date.now()) / 1000));
    const time = left >= 60 ? Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0') + ' left' : left + ' s left';
    const votes = voters + (voters === 1 ? ' vote' : ' votes');
    if (poll.ended) info.textContent = 'Ended · ' + votes;
    else if (!chat.me) info.textContent = votes + ' · ' + time + ' · sign in to vote';
    else info.textContent = votes + ' · ' + time + (poll.vote === null ? ' · pick an answer' : '');
    box.querySelector('.poll-foot button').hidden = !poll.ended;
  }

  function vote(index) {
    const poll = chat.poll;
    if (!poll || poll.ended) return;
    chatCall('vote:choose', [index]).then(
      () => {
        if (chat.poll !== poll) return;
        poll.vote = index;
        clearChatError();
        updatePoll();
      },
      (err) => showChatError(chatErrorText(err, 'vote:choose')),
    );
  }

  // ----- chat: sending -----

  $('chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('chat-input');
    const text = input.value;
    if (!text.trim()) {
      showChatError('Type a message first.');
      input.focus();
      return;
    }
    let method = 'msg';
    let args = [text];
    if (/^\/(w|whisper)(\s|$)/i.test(text)) {
      const w = /^\/(?:w|whisper)\s+@?(\S+)\s+([\s\S]*\S[\s\S]*)$/i.exec(text);
      if (!w) {
        showChatError('To whisper, type /w, a username and your message, e.g. “/w viewer2 hello”.');
        return;
      }
      method = 'whisper';
      args = [w[1], w[2].trim()];
    }
    chatCall(method, args).then(
      (data) => {
        if (input.value === text) input.value = '';
        clearChatError();
        // A whisper comes back only to its target: show our own copy from the reply.
        if (method === 'whisper') addMessage(data);
      },
      (err) => {
        showChatError(chatErrorText(err, method));
      },
    );
  });

  window.MixPlay.chat = { start: startChat, stop: stopChat };
})();
