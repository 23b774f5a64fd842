// The Studio's REST calls: JSON in and out, signed in by the session cookie, changes carrying the
// page's CSRF token. A refusal throws an Error whose message is the mediator's sentence (with
// `status` and, for a bad control, the `path` of the bad part).
'use strict';
(function () {
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const BASE = '/api/v1/interactive';

  async function request(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = CSRF;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch (e) {
      const err = new Error('Cannot reach the mediator; check your connection and try again.');
      err.status = 0;
      throw err;
    }
    if (r.status === 204) return null;
    const data = await r.json().catch(() => null);
    if (!r.ok) {
      if (r.status === 401) {
        location.href = '/login?next=' + encodeURIComponent('/studio' + location.hash);
      }
      const err = new Error((data && data.message) || r.status + ' ' + r.statusText);
      err.status = r.status;
      err.path = data && data.path;
      throw err;
    }
    return data;
  }

  window.MixPlay.studio = {
    api: {
      get: (path) => request('GET', path),
      post: (path, body) => request('POST', path, body === undefined ? {} : body),
      put: (path, body) => request('PUT', path, body === undefined ? {} : body),
      del: (path) => request('DELETE', path),
    },
    /** The kinds, their properties and the grids, as the mediator checks them. */
    schema: JSON.parse(document.getElementById('schema').textContent),
    /** A deep copy of plain JSON data. */
    copy: (v) => JSON.parse(JSON.stringify(v)),
    /** Says something in the header's status line (`error`: as a problem). */
    status(text, error) {
      const s = document.getElementById('status');
      s.textContent = text;
      s.className = 'status' + (error ? ' down' : text ? ' live' : '');
    },
  };
})();
