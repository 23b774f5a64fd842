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
