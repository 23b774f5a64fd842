// The grid editor: one scene's controls on one of the three grids (large 80×20, medium 45×25,
// small 30×40 units, as the participant page draws them). Controls are dragged onto the grid
// from the control list, moved, resized and removed, with the mouse, a finger or the keyboard;
// a placement that would leave the grid or overlap another control is refused and says why.
'use strict';
(function () {
  const { el } = window.MixPlay;
  const S = window.MixPlay.studio;
  const MAX_UNIT = 14;
  const MIN_UNIT = 5;

  function gridOf(size) {
    return S.schema.grids.find((g) => g.size === size);
  }

  /** The placement of control `c` on the grid `size`, or null. */
  function placement(c, size) {
    return (c.position || []).find((p) => p && p.size === size) || null;
  }

  /** Places `c` at `rect` on the grid `size` (null removes it from that grid). */
  function setPlacement(c, size, rect) {
    const others = (c.position || []).filter((p) => p && p.size !== size);
    if (rect) others.push({ size, x: rect.x, y: rect.y, width: rect.width, height: rect.height });
    const order = S.schema.grids.map((g) => g.size);
    others.sort((a, b) => order.indexOf(a.size) - order.indexOf(b.size));
    if (others.length) c.position = others;
    else delete c.position;
  }

  function overlaps(a, b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  }

  /** Why `rect` cannot hold control `id` on `grid` of `scene` ('' when it can). */
  function problem(scene, grid, id, rect) {
    if (rect.width < 1 || rect.height < 1) return 'a control is at least one unit in each direction';
    if (rect.x < 0 || rect.y < 0 || rect.x + rect.width > grid.cols || rect.y + rect.height > grid.rows) {
      return 'it would leave the ' + grid.size + ' grid (' + grid.cols + '×' + grid.rows + ')';
    }
    for (const c of scene.controls || []) {
      if (c.controlID === id) continue;
      const p = placement(c, grid.size);
      if (p && overlaps(rect, p)) return 'it would overlap “' + c.controlID + '”';
    }
    return '';
  }

  /** The size a control of `kind` gets when first placed on `grid` (null: not placed on grids). */
  function defaultSize(kind, grid) {
    const k = S.schema.kinds.find((x) => x.kind === kind);
    if (!k || !k.size) return null;
    return { width: Math.min(k.size[0], grid.cols), height: Math.min(k.size[1], grid.rows) };
  }

  /** The first free spot, row by row, for control `c` on `grid`; null when there is none. */
  function freeSpot(scene, grid, c) {
    const size = placement(c, grid.size) || defaultSize(c.kind, grid);
    if (!size) return null;
    for (let y = 0; y + size.height <= grid.rows; y++) {
      for (let x = 0; x + size.width <= grid.cols; x++) {
        const rect = { x, y, width: size.width, height: size.height };
        if (!problem(scene, grid, c.controlID, rect)) return rect;
      }
    }
    return null;
  }

  /**
   * A grid editor in `container`. `hooks.changed()` hears every change, `hooks.select(id)` a
   * control being chosen, `hooks.say(text, isProblem)` what happened.
   */
  function create(container, hooks) {
    const canvas = el('div', 'grid-canvas');
    const ghost = el('div', 'ghost');
    ghost.hidden = true;
    canvas.append(ghost);
    container.replaceChildren(canvas);
    const ed = { scene: null, grid: gridOf('large'), selected: null, unit: 12, editable: true };

    function unitFor(grid) {
      const room = Math.max(200, container.clientWidth - 2);
      return Math.max(MIN_UNIT, Math.min(MAX_UNIT, Math.floor(room / grid.cols)));
    }

    function describe(c, p) {
      return c.controlID + ' (' + c.kind + '), at ' + p.x + ', ' + p.y + ', ' + p.width + ' by ' + p.height +
        (ed.editable ? '. Arrow keys move it, Shift and arrows resize it, Delete removes it from this grid.' : '.');
    }

    function render() {
      const grid = ed.grid;
      ed.unit = unitFor(grid);
      const u = ed.unit;
      canvas.style.width = grid.cols * u + 'px';
      canvas.style.height = grid.rows * u + 'px';
      canvas.style.setProperty('--cell', u + 'px');
      canvas.dataset.unit = String(u);
      canvas.dataset.size = grid.size;
      canvas.setAttribute('aria-label', 'The ' + grid.size + ' grid, ' + grid.cols + ' by ' + grid.rows + ' units');
      canvas.setAttribute('role', 'group');
      for (const b of [...canvas.querySelectorAll('.box')]) b.remove();
      for (const c of (ed.scene && ed.scene.controls) || []) {
        const p = placement(c, grid.size);
        if (!p) continue;
        const box = el('div', 'box kind-' + c.kind + (c.controlID === ed.selected ? ' selected' : ''));
        box.dataset.controlId = c.controlID;
        box.tabIndex = 0;
        box.setAttribute('role', 'button');
        box.setAttribute('aria-label', describe(c, p));
        box.style.left = p.x * u + 'px';
        box.style.top = p.y * u + 'px';
        box.style.width = p.width * u + 'px';
        box.style.height = p.height * u + 'px';
        box.append(el('span', 'name', c.controlID), el('span', 'kind', c.kind));
        if (ed.editable) {
          const handle = el('span', 'handle');
          handle.title = 'Drag to resize';
          handle.setAttribute('aria-hidden', 'true');
          box.append(handle);
          handle.addEventListener('pointerdown', (e) => startDrag(e, 'resize', c));
          box.addEventListener('pointerdown', (e) => {
            if (e.target !== handle) startDrag(e, 'move', c);
          });
        }
        box.addEventListener('click', () => hooks.select(c.controlID));
        box.addEventListener('keydown', (e) => onKey(e, c));
        canvas.append(box);
      }
    }

    /** The grid cell under a pointer (may be outside the grid). */
    function cellAt(e) {
      const r = canvas.getBoundingClientRect();
      return { x: Math.floor((e.clientX - r.left) / ed.unit), y: Math.floor((e.clientY - r.top) / ed.unit), inside: e.clientX >= r.left && e.clientX < r.right && e.clientY >= r.top && e.clientY < r.bottom };
    }

    function showGhost(rect, bad) {
      const u = ed.unit;
      ghost.hidden = false;
      ghost.className = 'ghost' + (bad ? ' bad' : '');
      ghost.style.left = rect.x * u + 'px';
      ghost.style.top = rect.y * u + 'px';
      ghost.style.width = rect.width * u + 'px';
      ghost.style.height = rect.height * u + 'px';
    }

    /** Commits `rect` for `c` when it fits; says why not otherwise. */
    function commit(c, rect) {
      const why = problem(ed.scene, ed.grid, c.controlID, rect);
      if (why) {
        hooks.say('“' + c.controlID + '” stays where it was: ' + why + '.', true);
        return false;
      }
      setPlacement(c, ed.grid.size, rect);
      ed.selected = c.controlID;
      hooks.changed();
      hooks.say('“' + c.controlID + '” at ' + rect.x + ', ' + rect.y + ', ' + rect.width + '×' + rect.height + ' on the ' + ed.grid.size + ' grid.');
      return true;
    }

    /** Follows the pointer: `mode` is 'move', 'resize' or 'place' (from the control list). */
    function startDrag(e, mode, c) {
      if (!ed.editable || (e.pointerType === 'mouse' && e.button !== 0)) return;
      e.preventDefault();
      e.stopPropagation();
      const from = placement(c, ed.grid.size);
      const size = from || defaultSize(c.kind, ed.grid);
      if (!size) {
        hooks.say('A ' + c.kind + ' control is not placed on the grid: it covers the stream video.', true);
        return;
      }
      const start = cellAt(e);
      const grab = mode === 'move' && from ? { x: start.x - from.x, y: start.y - from.y } : { x: 0, y: 0 };
      let rect = null;
      const candidate = (ev) => {
        const at = cellAt(ev);
        if (mode === 'resize') return { x: from.x, y: from.y, width: at.x - from.x + 1, height: at.y - from.y + 1 };
        if (mode === 'place' && !at.inside) return null;
        return { x: at.x - grab.x, y: at.y - grab.y, width: size.width, height: size.height };
      };
      const onMove = (ev) => {
        rect = candidate(ev);
        if (rect) showGhost(rect, !!problem(ed.scene, ed.grid, c.controlID, rect));
        else ghost.hidden = true;
      };
      const onUp = (ev) => {
        window.removeEventListener('pointermove', onMove);
        window.removeEventListener('pointerup', onUp);
        window.removeEventListener('pointercancel', onUp);
        ghost.hidden = true;
        rect = ev.type === 'pointercancel' ? null : candidate(ev);
        const moved = rect && (!from || rect.x !== from.x || rect.y !== from.y || rect.width !== from.width || rect.height !== from.height);
        if (moved) commit(c, rect);
        else if (mode === 'place' && !rect) hooks.say('Dropped outside the grid: “' + c.controlID + '” was not placed.', true);
        hooks.select(c.controlID);
      };
      window.addEventListener('pointermove', onMove);
      window.addEventListener('pointerup', onUp);
      window.addEventListener('pointercancel', onUp);
      onMove(e);
    }

    function onKey(e, c) {
      const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
        e.preventDefault();
        hooks.select(c.controlID);
        return;
      }
      if (!ed.editable) return;
      const p = placement(c, ed.grid.size);
      if (step && p) {
        e.preventDefault();
        const rect = e.shiftKey
          ? { x: p.x, y: p.y, width: p.width + step[0], height: p.height + step[1] }
          : { x: p.x + step[0], y: p.y + step[1], width: p.width, height: p.height };
        if (commit(c, rect)) focusBox(c.controlID);
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        ed.unplace(c);
      }
    }

    function focusBox(id) {
      const box = [...canvas.querySelectorAll('.box')].find((b) => b.dataset.controlId === id);
      if (box) box.focus();
    }

    ed.render = render;
    ed.focusBox = focusBox;
    /** Shows `scene` on the grid `size`, with control `selected` marked. */
    ed.show = (scene, size, selected, editable) => {
      ed.scene = scene;
      ed.grid = gridOf(size);
      ed.selected = selected;
      ed.editable = editable;
      render();
    };
    /** Starts dragging `c` from the control list onto the grid. */
    ed.dragNew = (e, c) => startDrag(e, 'place', c);
    /** Places `c` at the first free spot of the grid (keyboard users); false when there is none. */
    ed.placeFree = (c) => {
      if (!defaultSize(c.kind, ed.grid)) {
        hooks.say('A ' + c.kind + ' control is not placed on the grid: it covers the stream video.', true);
        return false;
      }
      const rect = freeSpot(ed.scene, ed.grid, c);
      if (!rect) {
        hooks.say('There is no room left on the ' + ed.grid.size + ' grid for “' + c.controlID + '”.', true);
        return false;
      }
      commit(c, rect);
      focusBox(c.controlID);
      return true;
    };
    /** Takes `c` off the current grid. */
    ed.unplace = (c) => {
      setPlacement(c, ed.grid.size, null);
      hooks.changed();
      hooks.say('“' + c.controlID + '” was removed from the ' + ed.grid.size + ' grid.');
    };
    let lastWidth = 0;
    if (window.ResizeObserver) {
      new ResizeObserver(() => {
        if (container.clientWidth !== lastWidth) {
          lastWidth = container.clientWidth;
          if (ed.scene) render();
        }
      }).observe(container);
    }
    return ed;
  }

  S.grid = { create, placement, gridOf };
})();
