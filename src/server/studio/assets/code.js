// The Code tab: the version ID shown large, and ready-to-paste snippets for C, C++, Unity and
// Unreal with this mediator's address, the version ID and (when the project is shared by code)
// the share code filled in. The streamer's token is never written here: it is a secret.
'use strict';
(function () {
  const { $, el } = window.MixPlay;
  const S = window.MixPlay.studio;

  /** The first control of `kind` in the version, for the snippets' input examples. */
  function firstOf(version, kind, fallback) {
    for (const s of version.controls.scenes) {
      for (const c of s.controls || []) if (c.kind === kind) return c.controlID;
    }
    return fallback;
  }

  /** A C or C# string literal. */
  function lit(s) {
    return '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  }

  function snippets(v) {
    const base = location.origin;
    const hosts = base + '/api/v1/interactive/hosts';
    const button = firstOf(v.version, 'button', 'jump');
    const stick = firstOf(v.version, 'joystick', 'move');
    const id = v.version.id;
    const code = v.shareCode;
    const c = [
      '#include <stdio.h>',
      '#include "mixplay.h"',
      '',
      '/* Connect: the streamer\'s OAuth token in `token` (from mixplay_auth, or a login). */',
      'mixplay_config *config;',
      'mixplay_session *session;',
      'mixplay_config_new(&config);',
      'mixplay_config_set_discovery_url(config, ' + lit(hosts) + ');',
      'mixplay_config_set_token(config, token);',
      'mixplay_config_set_version_id(config, ' + id + ');',
      code ? 'mixplay_config_set_share_code(config, ' + lit(code) + ');' : null,
      'mixplay_session_new(config, &session);',
      'mixplay_config_free(config);',
      '',
      '/* Once a frame: */',
      'mixplay_event ev;',
      'bool has;',
      'uint32_t presses, releases;',
      'while (mixplay_session_poll(session, &ev, &has) == MIXPLAY_RESULT_OK && has) {',
      '    /* connection, participants, replies: see mixplay.h */',
      '}',
      'mixplay_session_button_counts(session, ' + lit(button) + ', &presses, &releases);',
      'if (presses > 0) printf("' + button + ' pressed %u times\\n", presses);',
    ];
    const cpp = [
      '#include "mixplay.hpp"',
      '',
      '// Connect: the streamer\'s OAuth token in `token`.',
      'mixplay::Session session(mixplay::Config()',
      '                             .discovery_url(' + lit(hosts) + ')',
      '                             .token(token)',
      '                             .version_id(' + id + ')' + (code ? '' : ');'),
      code ? '                             .share_code(' + lit(code) + '));' : null,
      '',
      '// Once a frame:',
      'while (std::optional<mixplay::Event> e = session.poll()) {',
      '    if (e->kind == mixplay::EventKind::Input && e->is_input(mixplay::InputKind::MouseDown, ' + lit(button) + '))',
      '        Jump();',
      '}',
      'mixplay::Session::JoystickMean aim = session.joystick_mean(' + lit(stick) + ');',
    ];
    const unity = [
      'using MixPlay;',
      '',
      '// Connect: the streamer\'s OAuth token in `token`.',
      'var session = new MixPlaySession(new MixPlaySettings {',
      '    ServiceUrl = ' + lit(base) + ',',
      '    Token = token,',
      '    VersionId = ' + id + (code ? ',' : ''),
      code ? '    ShareCode = ' + lit(code) : null,
      '});',
      '',
      '// In Update():',
      'session.Update();',
      'if (session.GetButtonDown(' + lit(button) + ')) Jump();',
      'float x = (float)session.GetJoystickX(' + lit(stick) + ');',
      '',
      '// Or: add a MixPlayManager to a GameObject and set Service URL ' + base + ', Version Id ' + id + (code ? ', Share Code ' + code : '') + '.',
    ];
    const unreal = [
      '; Config/DefaultGame.ini (or Project Settings > Plugins > MixPlay)',
      '[/Script/MixPlay.MixPlaySettings]',
      'ServiceUrl=' + base,
      'VersionId=' + id,
      code ? 'ShareCode=' + code : null,
      '',
      '// C++ (or the same nodes in a Blueprint): connect with the streamer\'s token,',
      '// or an empty one after Start Sign In was approved.',
      'UMixPlaySubsystem* MixPlay = GetGameInstance()->GetSubsystem<UMixPlaySubsystem>();',
      'MixPlay->OnButtonDown.AddDynamic(this, &AMyActor::HandleButtonDown); // ControlId ' + lit(button),
      'MixPlay->Connect(Token);',
    ];
    const text = (lines) => lines.filter((l) => l !== null).join('\n');
    return [
      { lang: 'c', title: 'C', text: text(c) },
      { lang: 'cpp', title: 'C++', text: text(cpp) },
      { lang: 'unity', title: 'Unity (C#)', text: text(unity) },
      { lang: 'unreal', title: 'Unreal', text: text(unreal) },
    ];
  }

  /** Shows `view` ({game, version, shareCode}) on the Code tab. */
  function render(view) {
    $('version-id').textContent = String(view.version.id);
    $('share-code-line').hidden = !view.shareCode;
    $('share-code').textContent = view.shareCode || '';
    const box = $('snippets');
    box.replaceChildren();
    for (const s of snippets(view)) {
      const section = el('section', 'snippet');
      section.dataset.lang = s.lang;
      const head = el('div', 'snippet-head');
      const title = el('h2', '', s.title);
      title.id = 'snippet-' + s.lang;
      const copy = el('button', '', 'Copy');
      copy.type = 'button';
      copy.setAttribute('aria-label', 'Copy the ' + s.title + ' snippet');
      copy.addEventListener('click', () => S.dialogs.copyText(s.text, copy));
      head.append(title, copy);
      const pre = el('pre');
      pre.tabIndex = 0;
      pre.setAttribute('aria-labelledby', title.id);
      pre.append(el('code', '', s.text));
      section.append(head, pre);
      box.append(section);
    }
  }

  S.code = { render };
})();
