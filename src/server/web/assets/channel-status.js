// The channel's status for a page, behind one function: `MixPlay.watchChannelStatus(id, callback)`
// calls `callback(channel)` with the channel's public settings (as `GET /api/v1/channels/{id}`
// gives them: `online`, `title`, `streamSource`, …) at once and whenever they change, and returns
// a function that stops watching. Changes come pushed over the page's viewer socket (viewer.js)
// as soon as they happen; only while that socket is not open (connecting, reconnecting, or no
// viewer.js on the page) does it ask the REST route every few seconds instead.
// `MixPlay.channelStatusLog` lists each delivered change's `source` ('poll' or 'push') and
// `online`, and `MixPlay.channelStatusPolls` counts the requests made (the browser tests check
// that a switch arrives by push). Plain JavaScript; needs common.js (and viewer.js, if present,
// loaded first).
'use strict';
(function () {
  // A test may shorten it (`window.mixplayStatusPollMs`, set before the page's scripts run).
  const POLL_MS = Number(window.mixplayStatusPollMs) || 3000;
  // The status fields a push carries (`channel::status_json`); the rest (`token`, `id`, …) stays
  // as the last poll gave it.
  const PUSHED = ['online', 'interactive', 'title', 'streamSource'];
  const log = [];
  window.MixPlay.channelStatusLog = log;
  window.MixPlay.channelStatusPolls = 0;

  function watchChannelStatus(channelId, callback) {
    const viewer = window.MixPlay.viewer;
    let stopped = false;
    let timer = null;
    let current = {};
    let last = null;

    function deliver(channel, source) {
      const text = JSON.stringify(PUSHED.map((k) => channel[k]));
      // The first answer of the REST route completes what an earlier push gave (the owner's name).
      const completes = source === 'poll' && current.id === undefined;
      current = channel;
      if (stopped || (text === last && !completes)) return;
      last = text;
      log.push({ source, online: !!channel.online });
      callback(channel);
    }

    async function poll() {
      if (!viewer || !viewer.pushing()) {
        window.MixPlay.channelStatusPolls += 1;
        try {
          const r = await fetch('/api/v1/channels/' + encodeURIComponent(channelId), { cache: 'no-store' });
          if (r.ok) deliver(await r.json(), 'poll');
        } catch (e) {
          // The mediator is out of reach for a moment: the next poll tries again.
        }
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }

    if (viewer) {
      viewer.onChannelStatus((pushed) => {
        if (String(pushed.channel) !== String(channelId)) return;
        const channel = Object.assign({}, current);
        for (const k of PUSHED) channel[k] = pushed[k];
        deliver(channel, 'push');
      });
    }
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  window.MixPlay.watchChannelStatus = watchChannelStatus;
})();
