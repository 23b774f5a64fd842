// What the mediator's pages share: tiny DOM helpers. Plain JavaScript, no build step; loaded first.
'use strict';
window.MixPlay = {
  /** The element with this id. */
  $: (id) => document.getElementById(id),
  /** A new element with an optional class and text. */
  el: (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  },
};

/**
 * Shows `text` in the page's `#notice` box for a while: `kind` 'info' for good news, 'sticky' to
 * keep it up, anything else for an error.
 */
window.MixPlay.notice = (() => {
  let timer = null;
  return (text, kind) => {
    const n = document.getElementById('notice');
    n.textContent = text;
    n.className = 'notice' + (kind === 'info' ? ' info' : '');
    n.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { n.hidden = true; }, kind === 'sticky' ? 3600000 : 8000);
  };
})();
