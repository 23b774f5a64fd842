// The review page (admins): the versions waiting for a review, each with its project, its
// controls (as JSON) and what the admin decides: publish, or send back with feedback.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const S = window.MixPlay.studio;

  function controlCount(version) {
    return version.controls.scenes.reduce((n, s) => n + (s.controls || []).length, 0);
  }

  function item(entry, reload) {
    const { game, version } = entry;
    const li = el('li', 'pending-item');
    li.dataset.versionId = String(version.id);
    const title = el('h2', '', game.name + ' · version ' + version.version);
    const who = el('p', 'muted small', 'by ' + game.owner + ' · version ID ' + version.id + ' · ' + controlCount(version) + ' controls in ' + version.controls.scenes.length + (version.controls.scenes.length === 1 ? ' scene' : ' scenes'));
    const description = el('p', 'description', game.description);
    const json = el('button', '', 'View JSON');
    json.type = 'button';
    json.addEventListener('click', () => S.dialogs.showJson(game.name + ' · version ' + version.version, version.controls));
    const label = el('label', '', 'Feedback for the owner');
    const feedback = el('textarea');
    feedback.rows = 3;
    feedback.maxLength = 2000;
    feedback.id = 'feedback-' + version.id;
    label.htmlFor = feedback.id;
    const error = el('p', 'error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    const decide = async (accept) => {
      error.hidden = true;
      try {
        await S.api.post('/versions/' + version.id + '/review', { accept, feedback: feedback.value.trim() });
        S.status(accept ? game.name + ' version ' + version.version + ' is published.' : game.name + ' version ' + version.version + ' went back to its owner.');
        reload();
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
    };
    const accept = el('button', 'primary', 'Publish');
    accept.type = 'button';
    accept.addEventListener('click', () => decide(true));
    const reject = el('button', 'danger', 'Send back');
    reject.type = 'button';
    reject.addEventListener('click', () => decide(false));
    const actions = el('div', 'actions');
    actions.append(json, accept, reject);
    li.append(title, who, description, label, feedback, error, actions);
    return li;
  }

  async function render() {
    const list = $('pending');
    let entries;
    try {
      entries = await S.api.get('/reviews');
    } catch (e) {
      S.status(e.message, true);
      return;
    }
    list.replaceChildren(...entries.map((entry) => item(entry, render)));
    $('no-pending').hidden = entries.length > 0;
  }

  S.review = { render };
})();
