// The bundle's controls: the buttons of the viewer's scene, kept up to date from the packets the
// host forwards (onParticipantJoin, onSceneCreate, onControlUpdate, onParticipantUpdate).
(function () {
  'use strict';
  var scenes = {};
  var me = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function render() {
    var box = byId('buttons');
    var scene = me && scenes[me.sceneID || 'default'];
    box.textContent = '';
    if (!scene) return;
    (scene.controls || []).forEach(function (c) {
      if (c.kind !== 'button') return;
      var b = document.createElement('button');
      b.textContent = c.text || c.controlID;
      b.dataset.control = c.controlID;
      b.addEventListener('click', function () {
        var press = { controlID: c.controlID, event: 'mousedown', button: 0 };
        mixer.socket.call('giveInput', press).then(
          function () {
            byId('last').textContent = 'sent ' + c.controlID;
            mixer.socket.call('giveInput', { controlID: c.controlID, event: 'mouseup', button: 0 }, false);
          },
          function (e) {
            byId('last').textContent = 'refused ' + e.code;
          }
        );
      });
      box.appendChild(b);
    });
  }

  mixer.socket.on('onParticipantJoin', function (p) {
    me = p.participants[0];
    if (!me.sceneID) me.sceneID = 'default';
    render();
  });
  mixer.socket.on('onSceneCreate', function (p) {
    p.scenes.forEach(function (s) {
      scenes[s.sceneID] = s;
    });
    render();
  });
  mixer.socket.on('onControlUpdate', function (p) {
    var scene = scenes[p.sceneID];
    if (!scene) return;
    p.controls.forEach(function (patch) {
      scene.controls.forEach(function (c) {
        if (c.controlID === patch.controlID) Object.assign(c, patch);
      });
    });
    render();
  });
  mixer.display.position().subscribe(function (pos) {
    var v = pos.connectedPlayer;
    byId('video').textContent = Math.round(v.width) + 'x' + Math.round(v.height);
  });

  // What a bundle must not reach: the page's document and this frame's cookies.
  var reached = [];
  try {
    if (window.top.document) reached.push('page');
  } catch (e) {
    /* cross-origin: as it should be */
  }
  try {
    document.cookie; // eslint-disable-line no-unused-expressions
    reached.push('cookies');
  } catch (e) {
    /* a sandboxed frame without allow-same-origin has none */
  }
  byId('probe').textContent = reached.length ? 'reached ' + reached.join(', ') : 'isolated';

  mixer.isLoaded();
})();
