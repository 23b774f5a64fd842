// The participant page's stream: a stage on #video that follows the channel's status, so the
// offline card turns into the video as soon as the channel goes live, without a reload. Screen
// controls (page.js) map pointer positions through `MixPlay.stage`. Needs common.js, stage.js and
// channel-status.js.
'use strict';
(function () {
  const { $ } = window.MixPlay;
  const CHANNEL = document.body.dataset.channel;
  const label = 'Channel ' + CHANNEL;
  const stage = new window.MixPlay.Stage($('video'), { label });
  window.MixPlay.stage = stage;
  window.MixPlay.watchChannelStatus(CHANNEL, (channel) => {
    stage.show(channel);
    const title = channel.title || label;
    $('channel-title').textContent = title;
    document.title = title + ' · MixPlay';
  });
})();
