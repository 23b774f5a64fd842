// The Build tab: scenes (create, rename, delete, select), controls (create, rename, change kind,
// edit each property of its kind, delete), the grid editor on the three sizes, View JSON, the
// Preview and Save. Works on a copy of the version's controls until Save.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const S = window.MixPlay.studio;
  const ID_CHARS = 64;

  const b = {
    version: null, // the version being edited (as the REST API gave it)
    controls: null, // { scenes, groups }: the working copy
    sceneId: 'default',
    selected: null, // controlID
    size: 'large',
    editable: false,
    dirty: false,
    editor: null,
    onSaved: null,
  };

  function scene() {
    return b.controls.scenes.find((s) => s.sceneID === b.sceneId) || b.controls.scenes[0];
  }

  function control(id) {
    return (scene().controls || []).find((c) => c.controlID === id) || null;
  }

  function kindOf(name) {
    return S.schema.kinds.find((k) => k.kind === name);
  }

  function say(text, problem) {
    $('save-state').textContent = text;
    $('save-state').className = 'save-state small' + (problem ? ' problem' : ' muted');
  }

  /** Something changed: mark unsaved and draw everything again. */
  function changed() {
    b.dirty = true;
    render();
  }

  /** Why `id` cannot name a new thing among `taken` ids ('' when it can). */
  function idProblem(id, taken) {
    if (id.length > ID_CHARS) return 'An ID has at most ' + ID_CHARS + ' characters.';
    if (/[\u0000-\u001f\u007f]/.test(id)) return 'An ID cannot hold control characters.';
    if (taken.includes(id)) return '“' + id + '” is taken here.';
    return '';
  }

  // ----- scenes -----

  function renderScenes() {
    const list = $('scenes');
    list.replaceChildren();
    for (const s of b.controls.scenes) {
      const pick = el('button', 'pick', s.sceneID);
      pick.type = 'button';
      pick.dataset.sceneId = s.sceneID;
      if (s.sceneID === b.sceneId) pick.setAttribute('aria-current', 'true');
      const n = (s.controls || []).length;
      pick.append(el('span', 'muted small', ' ' + n + (n === 1 ? ' control' : ' controls')));
      pick.addEventListener('click', () => {
        b.sceneId = s.sceneID;
        b.selected = null;
        render();
      });
      const li = el('li');
      li.append(pick);
      list.append(li);
    }
    const isDefault = b.sceneId === 'default';
    $('add-scene').disabled = !b.editable;
    $('rename-scene').disabled = !b.editable || isDefault;
    $('delete-scene').disabled = !b.editable || isDefault;
  }

  $('add-scene').addEventListener('click', async () => {
    const taken = b.controls.scenes.map((s) => s.sceneID);
    const id = await S.dialogs.ask('New scene', 'Scene ID', '', (v) => idProblem(v, taken), 'Add scene');
    if (id === null) return;
    b.controls.scenes.push({ sceneID: id, controls: [] });
    b.sceneId = id;
    b.selected = null;
    changed();
  });

  $('rename-scene').addEventListener('click', async () => {
    const old = b.sceneId;
    const taken = b.controls.scenes.map((s) => s.sceneID).filter((s) => s !== old);
    const id = await S.dialogs.ask('Rename scene “' + old + '”', 'Scene ID', old, (v) => idProblem(v, taken), 'Rename');
    if (id === null || id === old) return;
    scene().sceneID = id;
    for (const g of b.controls.groups || []) if (g.sceneID === old) g.sceneID = id;
    b.sceneId = id;
    changed();
  });

  $('delete-scene').addEventListener('click', async () => {
    const id = b.sceneId;
    const n = (scene().controls || []).length;
    const sure = await S.dialogs.confirm('Delete scene “' + id + '”?', 'Its ' + n + ' controls go with it. Groups that showed it show the default scene.', 'Delete scene');
    if (!sure) return;
    b.controls.scenes = b.controls.scenes.filter((s) => s.sceneID !== id);
    for (const g of b.controls.groups || []) if (g.sceneID === id) g.sceneID = 'default';
    b.sceneId = 'default';
    b.selected = null;
    changed();
  });

  // ----- controls -----

  function renderControls() {
    const list = $('control-list');
    list.replaceChildren();
    for (const c of scene().controls || []) {
      const li = el('li');
      li.dataset.controlId = c.controlID;
      const handle = el('span', 'drag-handle', '⠿');
      handle.title = 'Drag onto the grid';
      handle.setAttribute('aria-hidden', 'true');
      handle.hidden = !b.editable || !kindOf(c.kind) || !kindOf(c.kind).size;
      handle.addEventListener('pointerdown', (e) => b.editor.dragNew(e, c));
      const pick = el('button', 'pick', c.controlID);
      pick.type = 'button';
      if (c.controlID === b.selected) pick.setAttribute('aria-current', 'true');
      const p = S.grid.placement(c, b.size);
      const where = kindOf(c.kind) && !kindOf(c.kind).size ? 'over the video' : p ? 'placed' : 'not on this grid';
      pick.append(el('span', 'muted small', ' ' + c.kind + ' · ' + where));
      pick.addEventListener('click', () => select(c.controlID));
      li.append(handle, pick);
      list.append(li);
    }
    if (!(scene().controls || []).length) list.append(el('li', 'muted small', 'No controls in this scene yet.'));
    for (const input of $('add-control').elements) input.disabled = !b.editable;
  }

  function select(id) {
    const focusedBox = document.activeElement && document.activeElement.classList.contains('box');
    b.selected = id;
    render();
    if (focusedBox) b.editor.focusBox(id);
  }

  $('new-control-kind').replaceChildren(...S.schema.kinds.map((k) => el('option', '', k.kind)));
  $('add-control').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $('new-control-id').value.trim();
    const kind = $('new-control-kind').value;
    const taken = (scene().controls || []).map((c) => c.controlID);
    const problem = id ? idProblem(id, taken) : 'Give the new control an ID first.';
    if (problem) {
      say(problem, true);
      $('new-control-id').focus();
      return;
    }
    const c = { controlID: id, kind };
    if (kind === 'button' || kind === 'label') c.text = id;
    scene().controls = (scene().controls || []).concat([c]);
    $('new-control-id').value = '';
    b.selected = id;
    changed();
    say('Added the ' + kind + ' “' + id + '”. Drag it onto the grid, or press Place on this grid.');
  });

  // ----- properties -----

  /** An input for property `p` of control `c`, wired to change it. */
  function field(c, p) {
    const id = 'prop-' + p.name;
    const wrap = el('div', 'field' + (p.type === 'bool' ? ' check' : ''));
    const label = el('label', '', p.label);
    label.htmlFor = id;
    let input;
    const has = Object.prototype.hasOwnProperty.call(c, p.name);
    if (p.type === 'bool') {
      input = el('input');
      input.type = 'checkbox';
      input.checked = c[p.name] === true;
      input.addEventListener('change', () => setProp(c, p.name, input.checked ? true : undefined));
    } else if (p.type === 'choice') {
      input = el('select');
      input.append(el('option', '', ''), ...p.choices.map((v) => el('option', '', v)));
      input.value = has ? String(c[p.name]) : '';
      input.addEventListener('change', () => setProp(c, p.name, input.value || undefined));
    } else {
      input = el('input');
      const numeric = p.type === 'int' || p.type === 'number';
      input.type = numeric ? 'number' : 'text';
      if (numeric) {
        if (p.min !== undefined) input.min = String(p.min);
        if (p.max !== undefined) input.max = String(p.max);
        input.step = p.type === 'int' ? '1' : 'any';
      }
      input.value = has ? String(c[p.name]) : '';
      input.addEventListener('change', () => {
        const raw = input.value.trim();
        if (raw === '') return setProp(c, p.name, undefined);
        if (!numeric) return setProp(c, p.name, p.type === 'size' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : input.value);
        const n = Number(raw);
        const bad = !Number.isFinite(n) || (p.type === 'int' && !Number.isInteger(n)) || (p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max);
        if (bad) {
          say(p.label + ' must be ' + (p.type === 'int' ? 'a whole number' : 'a number') + (p.max !== undefined ? ' from ' + p.min + ' to ' + p.max : p.min !== undefined ? ' from ' + p.min : '') + '.', true);
          input.focus();
          return;
        }
        setProp(c, p.name, n);
      });
    }
    input.id = id;
    input.disabled = !b.editable;
    if (p.type === 'bool') wrap.append(input, label);
    else wrap.append(label, input);
    return wrap;
  }

  function setProp(c, name, value) {
    if (value === undefined) delete c[name];
    else c[name] = value;
    changed();
  }

  function renderProperties() {
    const c = b.selected ? control(b.selected) : null;
    $('properties').hidden = !c;
    if (!c) return;
    $('properties-title').textContent = 'Properties of “' + c.controlID + '”';
    const fields = $('property-fields');
    fields.replaceChildren();
    const idWrap = el('div', 'field');
    const idLabel = el('label', '', 'Control ID');
    idLabel.htmlFor = 'prop-controlID';
    const idInput = el('input');
    idInput.type = 'text';
    idInput.id = 'prop-controlID';
    idInput.value = c.controlID;
    idInput.spellcheck = false;
    idInput.disabled = !b.editable;
    idInput.addEventListener('change', () => {
      const id = idInput.value.trim();
      const taken = scene().controls.map((x) => x.controlID).filter((x) => x !== c.controlID);
      const problem = id ? idProblem(id, taken) : 'A control needs an ID.';
      if (problem) {
        say(problem, true);
        idInput.value = c.controlID;
        return;
      }
      c.controlID = id;
      b.selected = id;
      changed();
    });
    idWrap.append(idLabel, idInput);
    const kindWrap = el('div', 'field');
    const kindLabel = el('label', '', 'Kind');
    kindLabel.htmlFor = 'prop-kind';
    const kindSelect = el('select');
    kindSelect.id = 'prop-kind';
    kindSelect.append(...S.schema.kinds.map((k) => el('option', '', k.kind)));
    kindSelect.value = c.kind;
    kindSelect.disabled = !b.editable;
    kindSelect.addEventListener('change', () => changeKind(c, kindSelect.value));
    kindWrap.append(kindLabel, kindSelect);
    fields.append(idWrap, kindWrap);
    const kind = kindOf(c.kind);
    for (const p of kind ? kind.props : []) fields.append(field(c, p));
    const placed = S.grid.placement(c, b.size);
    $('place-control').hidden = !b.editable || !kind || !kind.size;
    $('place-control').textContent = placed ? 'Move to a free spot' : 'Place on this grid';
    $('unplace-control').hidden = !b.editable || !placed;
    $('delete-control').hidden = !b.editable;
  }

  /** A new kind keeps only the properties the new kind knows (and the placement, on the grid). */
  function changeKind(c, kind) {
    const known = new Set(['controlID', 'kind', 'meta', 'position'].concat(kindOf(kind).props.map((p) => p.name)));
    for (const key of Object.keys(c)) if (!known.has(key)) delete c[key];
    c.kind = kind;
    if (!kindOf(kind).size) delete c.position;
    changed();
    say('“' + c.controlID + '” is a ' + kind + ' now.');
  }

  $('place-control').addEventListener('click', () => {
    const c = control(b.selected);
    if (c) b.editor.placeFree(c);
  });
  $('unplace-control').addEventListener('click', () => {
    const c = control(b.selected);
    if (c) b.editor.unplace(c);
  });
  $('delete-control').addEventListener('click', async () => {
    const c = control(b.selected);
    if (!c) return;
    const sure = await S.dialogs.confirm('Delete “' + c.controlID + '”?', 'It goes from the scene and from every grid.', 'Delete control');
    if (!sure) return;
    scene().controls = scene().controls.filter((x) => x !== c);
    b.selected = null;
    changed();
  });

  // ----- grid sizes, JSON, preview, save -----

  function renderSizes() {
    const box = $('sizes');
    box.replaceChildren();
    for (const g of S.schema.grids) {
      const r = el('button', 'size', g.size[0].toUpperCase() + g.size.slice(1) + ' ' + g.cols + '×' + g.rows);
      r.type = 'button';
      r.setAttribute('role', 'radio');
      r.setAttribute('aria-checked', String(g.size === b.size));
      r.tabIndex = g.size === b.size ? 0 : -1;
      r.dataset.size = g.size;
      r.addEventListener('click', () => {
        b.size = g.size;
        render();
        box.querySelector('[aria-checked=true]').focus();
      });
      r.addEventListener('keydown', (e) => {
        const step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[e.key];
        if (!step) return;
        e.preventDefault();
        const grids = S.schema.grids;
        const next = grids[(grids.indexOf(g) + step + grids.length) % grids.length];
        box.querySelector('[data-size="' + next.size + '"]').click();
      });
      box.append(r);
    }
  }

  $('view-json').addEventListener('click', () => S.dialogs.showJson('Scene “' + scene().sceneID + '”', scene()));

  $('preview').addEventListener('click', () => {
    const panel = $('preview-panel');
    panel.hidden = !panel.hidden;
    $('preview').setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) {
      if (!S.previewer.attached()) S.previewer.attach(panel);
      S.previewer.show(scene());
    }
  });

  async function save() {
    if (!b.editable) return;
    say('Saving…');
    try {
      b.version = await S.api.put('/versions/' + b.version.id, { controls: b.controls });
      b.controls = S.copy(b.version.controls);
      b.dirty = false;
      render();
      say('Saved at ' + new Date().toLocaleTimeString() + '. Games that connect from now on get these controls.');
      if (b.onSaved) b.onSaved(b.version);
    } catch (e) {
      say('Not saved: ' + e.message, true);
      const m = /^controls\.scenes\[(\d+)\](?:\.controls\[(\d+)\])?/.exec(e.path || '');
      const s = m && b.controls.scenes[Number(m[1])];
      if (s) {
        b.sceneId = s.sceneID;
        const c = m[2] !== undefined && (s.controls || [])[Number(m[2])];
        b.selected = c ? c.controlID : null;
        render();
        say('Not saved: ' + e.message, true);
      }
    }
  }
  $('save').addEventListener('click', save);

  function render() {
    if (!b.controls) return;
    if (!b.controls.scenes.some((s) => s.sceneID === b.sceneId)) b.sceneId = b.controls.scenes[0].sceneID;
    if (b.selected && !control(b.selected)) b.selected = null;
    renderScenes();
    renderControls();
    renderProperties();
    renderSizes();
    b.editor.show(scene(), b.size, b.selected, b.editable);
    $('save').hidden = !b.editable;
    $('save').textContent = b.dirty ? 'Save •' : 'Save';
    $('save').setAttribute('aria-label', b.dirty ? 'Save (unsaved changes)' : 'Save');
    if (!$('preview-panel').hidden) S.previewer.show(scene());
  }

  window.addEventListener('beforeunload', (e) => {
    if (b.dirty) {
      e.preventDefault();
      e.returnValue = '';
    }
  });

  S.build = {
    /** Edits `version` (`editable`: the caller may change it and it is a draft). */
    open(version, editable, onSaved) {
      if (!b.editor) b.editor = S.grid.create($('editor'), { changed, select, say });
      b.version = version;
      b.controls = S.copy(version.controls);
      b.sceneId = b.controls.scenes.some((s) => s.sceneID === b.sceneId) ? b.sceneId : 'default';
      b.selected = null;
      b.editable = editable;
      b.dirty = false;
      b.onSaved = onSaved;
      render();
      if (!editable) {
        const why = version.state === 'draft' ? 'You may look, not change: admins review, members build.' : 'This version is ' + version.state + ' and cannot change; make a new version to change it.';
        say(why);
      } else say('');
    },
    isDirty: () => b.dirty,
    /** Forgets unsaved changes (the developer chose to discard them). */
    discard() {
      b.dirty = false;
    },
    save,
  };
})();
