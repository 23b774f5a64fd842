// The Preview: the selected scene drawn by the participant page's own renderer, once per grid
// size. Each frame is the participant page in preview mode (/studio/preview), as wide as a
// viewport of that size, scaled down to fit; the scene goes to it by postMessage.
'use strict';
(function () {
  const { el } = window.MixPlay;
  const S = window.MixPlay.studio;
  // Frame widths inside each size's viewport range on the participant page (large from 900 px,
  // medium from 540 px, small below), wide enough for 12 px grid units.
  const FRAMES = [
    { size: 'large', width: 1000, says: 'viewports 900 px and wider' },
    { size: 'medium', width: 600, says: 'viewports from 540 px' },
    { size: 'small', width: 400, says: 'narrower viewports' },
  ];

  const pv = { panel: null, frames: [], scene: null };

  function post(frame) {
    if (pv.scene && frame.iframe.contentWindow) {
      frame.iframe.contentWindow.postMessage({ type: 'mixplay-preview-scene', scene: pv.scene }, location.origin);
    }
  }

  /** Scales each frame to the panel's width. */
  function fit() {
    for (const f of pv.frames) {
      const room = Math.max(120, pv.panel.clientWidth - 4);
      const scale = Math.min(1, room / f.width);
      f.iframe.style.transform = 'scale(' + scale + ')';
      f.box.style.width = f.width * scale + 'px';
      f.box.style.height = f.height * scale + 'px';
    }
  }

  window.addEventListener('message', (e) => {
    if (e.origin !== location.origin || !e.data) return;
    const frame = pv.frames.find((f) => f.iframe.contentWindow === e.source);
    if (!frame) return;
    if (e.data.type === 'mixplay-preview-ready') post(frame);
    else if (e.data.type === 'mixplay-preview-height') {
      frame.height = Math.max(80, Math.ceil(e.data.height));
      frame.iframe.style.height = frame.height + 'px';
      frame.figure.dataset.drawnSize = e.data.size || '';
      fit();
    } else if (e.data.type === 'mixplay-preview-input') {
      S.status('Preview: ' + e.data.event + ' on “' + e.data.controlID + '” (a game would receive it).');
    }
  });

  /** Builds the frames in `panel` (once). */
  function attach(panel) {
    pv.panel = panel;
    panel.replaceChildren();
    const head = el('p', 'muted small', 'Drawn by the participant page itself, at each grid size. Try the controls: nothing is sent to a game.');
    panel.append(head);
    pv.frames = FRAMES.map((f) => {
      const figure = el('figure', 'preview-frame');
      figure.dataset.size = f.size;
      const grid = S.grid.gridOf(f.size);
      const caption = el('figcaption', '', f.size[0].toUpperCase() + f.size.slice(1) + ' (' + grid.cols + '×' + grid.rows + ', ' + f.says + ')');
      const box = el('div', 'frame-box');
      const iframe = el('iframe');
      iframe.title = 'Preview on the ' + f.size + ' grid';
      iframe.width = String(f.width);
      iframe.style.width = f.width + 'px';
      iframe.src = '/studio/preview?anonymous';
      box.append(iframe);
      figure.append(caption, box);
      panel.append(figure);
      return { size: f.size, width: f.width, height: 200, iframe, box, figure };
    });
    if (window.ResizeObserver) new ResizeObserver(fit).observe(panel);
    fit();
  }

  /** Shows `scene` (the Studio JSON of one scene) in every frame. */
  function show(scene) {
    pv.scene = S.copy(scene);
    for (const f of pv.frames) post(f);
  }

  S.previewer = { attach, show, attached: () => pv.frames.length > 0 };
})();
