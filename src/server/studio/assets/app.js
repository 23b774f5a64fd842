// The Studio app: the project list, a project with its versions and four tabs (Info, Build,
// Code, Publish), and the admins' review page, chosen by the address's #fragment:
// #/ (list), #/game/ID/TAB, #/review.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const S = window.MixPlay.studio;
  const ADMIN = document.body.dataset.admin === 'true';
  const TABS = ['info', 'build', 'code', 'publish'];

  const app = {
    game: null, // the open project
    versions: [],
    version: null, // the chosen version, with its controls
    sharing: null,
    tab: 'info',
    hash: location.hash,
    route: 0, // counts routings: a view finishing after a newer one started is not shown
  };

  function showView(id) {
    for (const v of ['list-view', 'project-view', 'review-view']) $(v).hidden = v !== id;
  }

  function member() {
    return app.game && (app.game.role === 'owner' || app.game.role === 'editor');
  }

  function editable() {
    return member() && app.version && app.version.state === 'draft';
  }

  // ----- the list -----

  async function openList(route) {
    app.game = null;
    let games;
    try {
      games = await S.api.get('/games');
    } catch (e) {
      S.status(e.message, true);
      return;
    }
    if (route !== app.route) return;
    showView('list-view');
    document.title = 'Studio · MixPlay';
    const list = $('projects');
    list.replaceChildren();
    for (const g of games) {
      const li = el('li', 'project-item');
      const link = el('a', 'name', g.name);
      link.href = '#/game/' + g.id + '/info';
      const latest = g.latestVersion ? 'version ' + g.latestVersion.version + ' · ' + g.latestVersion.state : 'no version';
      li.append(link, el('span', 'badge', g.role), el('span', 'muted small', latest));
      if (g.description) li.append(el('p', 'muted small description', g.description));
      list.append(li);
    }
    $('no-projects').hidden = games.length > 0;
  }

  $('new-project').addEventListener('click', async () => {
    const name = await S.dialogs.ask('New project', 'Name', '', (v) => (v.length > 80 ? 'A name has at most 80 characters.' : ''), 'Create');
    if (name === null) return;
    try {
      const g = await S.api.post('/games', { name });
      S.status('Created “' + g.name + '”.');
      location.hash = '#/game/' + g.id + '/build';
    } catch (e) {
      S.status(e.message, true);
    }
  });

  // ----- a project -----

  async function loadVersion(id) {
    app.version = await S.api.get('/versions/' + id);
    S.build.open(app.version, editable(), onSaved);
  }

  function onSaved(version) {
    app.version = version;
    const i = app.versions.findIndex((v) => v.id === version.id);
    if (i >= 0) app.versions[i] = version;
    renderHead();
    renderTab();
  }

  async function openProject(id, tab, route) {
    try {
      if (!app.game || app.game.id !== id) {
        // Hidden while another project loads, so nothing of the old one can be used meanwhile.
        showView(null);
        const game = await S.api.get('/games/' + id);
        const canShare = game.role === 'owner' || game.role === 'editor';
        const sharing = canShare ? await S.api.get('/games/' + id + '/sharing') : null;
        const version = await S.api.get('/versions/' + game.versions[game.versions.length - 1].id);
        if (route !== app.route) return;
        Object.assign(app, { game, versions: game.versions, sharing, version });
        S.build.open(version, editable(), onSaved);
      }
    } catch (e) {
      S.status(e.message, true);
      location.hash = '#/';
      return;
    }
    if (route !== app.route) return;
    showView('project-view');
    app.tab = tab;
    document.title = app.game.name + ' · Studio · MixPlay';
    renderHead();
    renderTab();
  }

  function renderHead() {
    const g = app.game;
    $('project-name').textContent = g.name;
    $('project-role').textContent = g.role;
    const select = $('version-select');
    select.replaceChildren(...app.versions.map((v) => {
      const o = el('option', '', 'Version ' + v.version + ' (' + v.state + ')');
      o.value = String(v.id);
      return o;
    }));
    select.value = String(app.version.id);
    $('version-state').textContent = app.version.state;
    $('version-state').className = 'state ' + app.version.state;
    $('new-version').hidden = !member();
    $('share').hidden = !member();
    $('editors').hidden = !member();
    for (const t of TABS) {
      const tab = $('tab-' + t);
      const on = t === app.tab;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      $('panel-' + t).hidden = !on;
    }
  }

  function renderTab() {
    if (app.tab === 'info') renderInfo();
    else if (app.tab === 'code') S.code.render({ game: app.game, version: app.version, shareCode: app.sharing && app.sharing.mode === 'shareCode' ? app.sharing.shareCode : null });
    else if (app.tab === 'publish') renderPublish();
  }

  $('version-select').addEventListener('change', async () => {
    const id = Number($('version-select').value);
    if (S.build.isDirty() && !(await S.dialogs.confirm('Discard your changes?', 'The version you are building has unsaved changes.', 'Discard'))) {
      $('version-select').value = String(app.version.id);
      return;
    }
    try {
      await loadVersion(id);
    } catch (e) {
      S.status(e.message, true);
    }
    renderHead();
    renderTab();
  });

  $('new-version').addEventListener('click', async () => {
    if (S.build.isDirty() && !(await S.dialogs.confirm('Discard your changes?', 'A new version starts from the saved controls of the newest version.', 'Discard'))) return;
    try {
      const v = await S.api.post('/games/' + app.game.id + '/versions');
      app.versions.push(v);
      await loadVersion(v.id);
      S.status('Version ' + v.version + ' is a new draft.');
    } catch (e) {
      S.status(e.message, true);
    }
    renderHead();
    renderTab();
  });

  $('share').addEventListener('click', () => S.dialogs.openShare(app.game, (sharing) => {
    app.sharing = sharing;
    app.game.sharing = sharing.mode;
    renderTab();
  }));
  $('editors').addEventListener('click', () => S.dialogs.openEditors(app.game));

  // Tabs: a click or the arrow keys (Home, End) choose; the address follows.
  for (const t of TABS) {
    const tab = $('tab-' + t);
    tab.addEventListener('click', () => {
      location.hash = '#/game/' + app.game.id + '/' + t;
    });
    tab.addEventListener('keydown', (e) => {
      const i = TABS.indexOf(t);
      const next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: TABS.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      const to = TABS[(next + TABS.length) % TABS.length];
      $('tab-' + to).focus();
      location.hash = '#/game/' + app.game.id + '/' + to;
    });
  }

  // ----- Info -----

  function renderInfo() {
    $('info-name').value = app.game.name;
    $('info-description').value = app.game.description;
    for (const input of $('info-form').elements) input.disabled = !member();
    $('delete-project').hidden = app.game.role !== 'owner';
  }

  $('info-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const g = await S.api.put('/games/' + app.game.id, { name: $('info-name').value, description: $('info-description').value });
      Object.assign(app.game, g);
      renderHead();
      S.status('Saved the name and description.');
    } catch (err) {
      S.status(err.message, true);
    }
  });

  $('delete-project').addEventListener('click', async () => {
    const g = app.game;
    const sure = await S.dialogs.confirm('Delete “' + g.name + '”?', 'Every version goes with it, and games using its version IDs will be refused. This cannot be undone.', 'Delete project');
    if (!sure) return;
    try {
      await S.api.del('/games/' + g.id);
      S.status('Deleted “' + g.name + '”.');
      app.game = null;
      location.hash = '#/';
    } catch (e) {
      S.status(e.message, true);
    }
  });

  // ----- Publish -----

  function renderPublish() {
    const v = app.version;
    $('publish-state').textContent = v.state === 'pending' ? 'pending: waiting for a review' : v.state;
    $('feedback').hidden = !v.feedback;
    $('feedback-text').textContent = v.feedback;
    const controls = v.controls.scenes.reduce((n, s) => n + (s.controls || []).length, 0);
    const checks = [
      [app.game.description.trim() !== '', 'The project has a description (Info tab).'],
      [controls > 0, 'The version has at least one control (Build tab, saved).'],
      [!S.build.isDirty(), 'Every change is saved.'],
    ];
    $('checks').replaceChildren(...checks.map(([ok, text]) => {
      const li = el('li', ok ? 'ok' : 'missing');
      li.append(el('span', 'mark', ok ? '✓' : '✗'), el('span', 'sr-only', ok ? 'Done: ' : 'Missing: '), document.createTextNode(text));
      return li;
    }));
    const owner = app.game.role === 'owner';
    const ready = checks.every(([ok]) => ok);
    $('submit').disabled = !owner || v.state !== 'draft' || !ready;
    $('submit').title = !owner ? 'Only the owner submits' : v.state !== 'draft' ? 'This version is ' + v.state : ready ? '' : 'Finish the checks first';
  }

  $('submit').addEventListener('click', async () => {
    try {
      const v = await S.api.post('/versions/' + app.version.id + '/submit');
      await loadVersion(v.id);
      onSaved(app.version);
      S.status('Submitted version ' + v.version + ' for review.');
    } catch (e) {
      S.status(e.message, true);
    }
  });

  // ----- review -----

  function openReview() {
    showView('review-view');
    document.title = 'Review · Studio · MixPlay';
    S.review.render();
  }

  // ----- routing -----

  async function route() {
    const mine = ++app.route;
    app.hash = location.hash;
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    if (parts[0] === 'game' && /^\d+$/.test(parts[1] || '')) await openProject(Number(parts[1]), TABS.includes(parts[2]) ? parts[2] : 'info', mine);
    else if (parts[0] === 'review' && ADMIN) openReview();
    else await openList(mine);
  }

  /** Leaving a project (or a view) with unsaved changes asks first. */
  window.addEventListener('hashchange', async () => {
    const leaving = !location.hash.startsWith('#/game/' + (app.game ? app.game.id : 'none') + '/');
    if (leaving && S.build.isDirty()) {
      const back = app.hash;
      const sure = await S.dialogs.confirm('Discard your changes?', 'The version you are building has unsaved changes.', 'Discard');
      if (!sure) {
        history.replaceState(null, '', back);
        return;
      }
      S.build.discard();
    }
    route();
  });

  $('review-link').hidden = !ADMIN;
  route();
})();
