// The Studio's dialogs (native <dialog>, so focus and Escape work by themselves): asking for a
// line of text, confirming, showing JSON, sharing a project and its editors.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const S = window.MixPlay.studio;

  /** Opens `dialog` modally; resolves with its returnValue when it closes. */
  function open(dialog) {
    return new Promise((resolve) => {
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true });
      dialog.showModal();
    });
  }

  function showError(p, message) {
    p.textContent = message || '';
    p.hidden = !message;
  }

  // ----- ask and confirm -----

  let askCheck = () => '';
  $('ask-form').addEventListener('submit', (e) => {
    if (!e.submitter || e.submitter.value !== 'ok') return;
    const problem = askCheck($('ask-input').value.trim());
    if (problem) {
      e.preventDefault();
      showError($('ask-error'), problem);
      $('ask-input').focus();
    }
  });

  /** Asks for a line of text; `check(value)` returns a sentence saying what is wrong, or ''. */
  async function ask(title, label, value, check, okLabel) {
    $('ask-title').textContent = title;
    $('ask-label').textContent = label;
    $('ask-ok').textContent = okLabel || 'OK';
    $('ask-input').value = value || '';
    showError($('ask-error'), '');
    askCheck = (v) => (v ? (check ? check(v) : '') : 'Enter something first.');
    const answer = await open($('ask-dialog'));
    return answer === 'ok' ? $('ask-input').value.trim() : null;
  }

  /** Asks to confirm something that cannot be undone. */
  async function confirm(title, text, okLabel) {
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel || 'OK';
    return (await open($('confirm-dialog'))) === 'ok';
  }

  // ----- JSON -----

  function showJson(title, value) {
    $('json-title').textContent = title;
    $('json-text').textContent = JSON.stringify(value, null, 2);
    open($('json-dialog'));
  }

  $('json-copy').addEventListener('click', () => copyText($('json-text').textContent, $('json-copy')));

  /** Copies `text` to the clipboard and says so on `button` for a moment. */
  function copyText(text, button) {
    const done = (ok) => {
      const label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      button.textContent = ok ? 'Copied' : 'Select and copy';
      setTimeout(() => { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
    else done(false);
  }

  // ----- sharing -----

  const share = { game: null, users: [], onChange: null };

  function shareMode() {
    const checked = document.querySelector('#share-form input[name=mode]:checked');
    return checked ? checked.value : 'owner';
  }

  function renderShare(saved) {
    const mode = shareMode();
    $('share-code-box').hidden = mode !== 'shareCode';
    $('share-users-box').hidden = mode !== 'explicit';
    $('share-dialog-code').textContent = saved && saved.mode === 'shareCode' ? saved.shareCode : 'a new code is made when you apply';
    $('new-share-code').hidden = !(saved && saved.mode === 'shareCode');
    const list = $('share-users');
    list.replaceChildren();
    for (const name of share.users) {
      const remove = el('button', 'link', 'Remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', 'Remove ' + name);
      remove.addEventListener('click', () => {
        share.users = share.users.filter((u) => u !== name);
        renderShare(share.saved);
      });
      const li = el('li');
      li.append(el('span', '', name), remove);
      list.append(li);
    }
    if (!share.users.length) list.append(el('li', 'muted', 'Nobody yet.'));
  }

  function setShared(saved) {
    share.saved = saved;
    share.users = saved.mode === 'explicit' ? saved.users.slice() : [];
    for (const r of document.querySelectorAll('#share-form input[name=mode]')) r.checked = r.value === saved.mode;
    renderShare(saved);
    if (share.onChange) share.onChange(saved);
  }

  async function applyShare(body) {
    showError($('share-error'), '');
    try {
      setShared(await S.api.put('/games/' + share.game.id + '/sharing', body));
      S.status('Sharing saved.');
    } catch (e) {
      showError($('share-error'), e.message);
    }
  }

  for (const r of document.querySelectorAll('#share-form input[name=mode]')) r.addEventListener('change', () => renderShare(share.saved));
  $('share-add').addEventListener('click', () => {
    const name = $('share-user').value.trim();
    if (!name) return;
    if (!share.users.some((u) => u.toLowerCase() === name.toLowerCase())) share.users.push(name);
    $('share-user').value = '';
    renderShare(share.saved);
    $('share-user').focus();
  });
  $('share-user').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      $('share-add').click();
    }
  });
  $('share-apply').addEventListener('click', () => {
    const mode = shareMode();
    applyShare(mode === 'explicit' ? { mode, users: share.users } : { mode });
  });
  $('new-share-code').addEventListener('click', async () => {
    const sure = await confirm('Make a new share code?', 'The current code stops working at once: games that present it are refused.', 'Make a new code');
    if (sure) applyShare({ mode: 'shareCode' });
  });

  /** Opens the share dialog of `game`; `onChange(sharing)` hears every applied change. */
  async function openShare(game, onChange) {
    share.game = game;
    share.onChange = onChange;
    showError($('share-error'), '');
    try {
      setShared(await S.api.get('/games/' + game.id + '/sharing'));
    } catch (e) {
      S.status(e.message, true);
      return;
    }
    open($('share-dialog'));
  }

  // ----- editors -----

  const editors = { game: null };

  function renderEditors(names) {
    const owner = editors.game.role === 'owner';
    const list = $('editor-list');
    list.replaceChildren();
    for (const name of names) {
      const li = el('li');
      li.append(el('span', '', name));
      if (owner) {
        const remove = el('button', 'link', 'Remove');
        remove.type = 'button';
        remove.setAttribute('aria-label', 'Remove editor ' + name);
        remove.addEventListener('click', () => changeEditor(name, false));
        li.append(remove);
      }
      list.append(li);
    }
    if (!names.length) list.append(el('li', 'muted', 'No editors.'));
    $('editor-add-row').hidden = !owner;
  }

  async function changeEditor(name, add) {
    showError($('editors-error'), '');
    const path = '/games/' + editors.game.id + '/editors/' + encodeURIComponent(name);
    try {
      const r = add ? await S.api.put(path) : await S.api.del(path);
      renderEditors(r.editors);
      if (add) $('editor-name').value = '';
      S.status(add ? name + ' now edits this project.' : name + ' no longer edits this project.');
    } catch (e) {
      showError($('editors-error'), e.message);
    }
  }

  $('editor-add').addEventListener('click', () => {
    const name = $('editor-name').value.trim();
    if (name) changeEditor(name, true);
  });
  $('editor-name').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      $('editor-add').click();
    }
  });

  async function openEditors(game) {
    editors.game = game;
    showError($('editors-error'), '');
    try {
      renderEditors((await S.api.get('/games/' + game.id + '/editors')).editors);
    } catch (e) {
      S.status(e.message, true);
      return;
    }
    open($('editors-dialog'));
  }

  S.dialogs = { ask, confirm, showJson, copyText, openShare, openEditors };
})();
