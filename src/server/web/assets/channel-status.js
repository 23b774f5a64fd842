// The channel's status for a page, behind one function: `MixPlay.watchChannelStatus(id, callback)`
// calls `callback(channel)` with the channel's public settings (as `GET /api/v1/channels/{id}`
// gives them: `online`, `title`, `streamSource`, …) at once and whenever they change, and returns
// a function that stops watching. It polls every few seconds; a pushed status (a viewer socket)
// can replace the polling here without touching its callers. Plain JavaScript; needs common.js.
'use strict';
(function () {
  const POLL_MS = 3000;

  function watchChannelStatus(channelId, callback) {
    let stopped = false;
    let timer = null;
    let last = null;
    async function poll() {
      try {
        const r = await fetch('/api/v1/channels/' + encodeURIComponent(channelId), { cache: 'no-store' });
        if (r.ok) {
          const channel = await r.json();
          const text = JSON.stringify(channel);
          if (!stopped && text !== last) {
            last = text;
            callback(channel);
          }
        }
      } catch (e) {
        // The mediator is out of reach for a moment: the next poll tries again.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  window.MixPlay.watchChannelStatus = watchChannelStatus;
})();
