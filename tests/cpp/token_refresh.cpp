// tests/c/token_refresh.c through the C++ wrapper (the mediator runs with --access-token-ttl 3):
// mixplay::Auth signs in and tells who signed in (`fetch_user`, `user`); a Session made with
// `Config::token_refresh` and the user's own Chat (channel 0) with the same refresh hear the same
// new tokens (`Event::new_tokens`, `ChatEvent::new_tokens`), and then take tokens the game swaps
// in at the next reconnection, across a mediator restart (`set_token`,
// `clear_token_refresh`, `set_token_refresh`). Misuse comes back as mixplay::Error.
#include "harness.h"

#include <string>
#include <vector>

#include "mixplay.hpp"

static const char *const kClientId = "cpp-refresh";

template <class F>
static void expect_error(mixplay_result code, F &&f) {
    try {
        f();
    } catch (const mixplay::Error &e) {
        if (e.code() != code) H_FAIL("mixplay::Error %u (%s) instead of %u", (unsigned)e.code(), e.what(), (unsigned)code);
        return;
    }
    H_FAIL("no mixplay::Error %u was thrown", (unsigned)code);
}

// Every access token the session's refreshes handed out, and the chat's newest.
static std::vector<std::string> session_tokens;
static std::string chat_token;

template <class Pred>
static mixplay::Event session_wait(mixplay::Session &s, const char *what, Pred pred) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::Event> e = s.poll();
        if (!e) {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
            continue;
        }
        if (e->kind == mixplay::EventKind::Tokens) {
            std::optional<mixplay::Tokens> t = e->new_tokens();
            if (!t) H_FAIL("the refresh was refused: %.*s", (int)e->text.size(), e->text.data());
            H_CHECK(t->expires_in == 3 && !t->refresh_token.empty());
            session_tokens.push_back(t->access_token);
        }
        if (e->kind == mixplay::EventKind::Connection && e->connection_state == mixplay::ConnectionState::Disconnected)
            H_FAIL("the session stopped (%u): %.*s", e->code, (int)e->text.size(), e->text.data());
        if (pred(*e)) return *e;
    }
}

template <class Pred>
static mixplay::ChatEvent chat_wait(mixplay::Chat &c, const char *what, Pred pred) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::ChatEvent> e = c.poll();
        if (!e) {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
            continue;
        }
        if (std::optional<mixplay::Tokens> t = e->new_tokens()) chat_token = t->access_token;
        if (e->kind == mixplay::ChatEventKind::Connection && e->connection_state == mixplay::ConnectionState::Disconnected)
            H_FAIL("the chat stopped: %.*s", (int)e->text.size(), e->text.data());
        if (pred(*e)) return *e;
    }
}

static bool session_saw(const std::string &token) {
    for (const std::string &t : session_tokens)
        if (t == token) return true;
    return false;
}

static bool is_connected(const mixplay::Event &e) {
    return e.kind == mixplay::EventKind::Connection && e.connection_state == mixplay::ConnectionState::Connected;
}

static void play(mixplay::Session &s) {
    uint64_t id = s.create_controls("default", R"([{"controlID":"jump","kind":"button"}])");
    H_CHECK(session_wait(s, "controls", [&](const mixplay::Event &e) { return e.is_reply_to(id); }).ok());
    id = s.ready(true);
    H_CHECK(session_wait(s, "ready", [&](const mixplay::Event &e) { return e.is_reply_to(id); }).ok());
    char sid[64];
    h_join("demo-viewer-1", sid, sizeof sid);
    if (h_button("demo-viewer-1", "jump", "mousedown", 0) != 0) H_FAIL("the press was refused");
    session_wait(s, "the press", [](const mixplay::Event &e) { return e.is_input(mixplay::InputKind::MouseDown, "jump"); });
    h_leave("demo-viewer-1");
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const std::string base = h()->base_url;

    // --- sign in, and who signed in ---
    mixplay::Auth auth(base, kClientId, "interactive:robot:self chat:connect chat:chat");
    auth.start();
    int64_t end = h_now_ms() + h()->wait_ms;
    mixplay::AuthStatus st = auth.poll();
    while (!st.waiting()) {
        if (h_now_ms() > end) H_FAIL("no code");
        h_nap();
        st = auth.poll();
    }
    if (h_cmd("APPROVE %s", std::string(st.code).c_str()) != 0) H_FAIL("APPROVE failed");
    while (!st.done()) {
        if (h_now_ms() > end) H_FAIL("not approved");
        h_nap();
        st = auth.poll();
    }
    const std::optional<mixplay::Tokens> tokens = st.tokens();
    H_CHECK(tokens && tokens->expires_in == 3);
    H_CHECK(auth.user().state == mixplay::UserState::None);
    auth.fetch_user(tokens->access_token);
    mixplay::User me = auth.user();
    while (me.busy()) {
        if (h_now_ms() > end) H_FAIL("no user");
        h_nap();
        me = auth.user();
    }
    H_CHECK(me.found() && me.id == 1 && me.channel_id == 1 && me.username == "streamer");
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { auth.fetch_user(""); });

    // --- a session and the user's own chat, refreshing by themselves ---
    const mixplay::TokenRefresh refresh = mixplay::TokenRefresh::of(*tokens, base, kClientId);
    mixplay::Config config;
    config.discovery_url(h()->hosts_url).token(tokens->access_token).version_id(1).token_refresh(refresh).reconnect(
        true, 100, 500, -1);
    mixplay::Session session(config);
    session_wait(session, "connected", is_connected);
    mixplay::Chat chat(base, 0, tokens->access_token, kClientId, &config);
    mixplay::ChatEvent joined =
        chat_wait(chat, "joined", [](const mixplay::ChatEvent &e) { return e.kind == mixplay::ChatEventKind::Joined; });
    H_CHECK(joined.flag && joined.user_id == 1 && joined.channel_id == 1);
    H_CHECK(joined.may("poll_start") && joined.may("chat") && !joined.may("nothing"));

    if (session_tokens.empty())
        session_wait(session, "new tokens", [](const mixplay::Event &e) { return e.kind == mixplay::EventKind::Tokens; });
    H_CHECK(!session_saw(tokens->access_token));
    if (chat_token.empty())
        chat_wait(chat, "the chat's new tokens", [](const mixplay::ChatEvent &e) { return e.kind == mixplay::ChatEventKind::Tokens; });
    while (!session_saw(chat_token))
        session_wait(session, "the chat's tokens", [](const mixplay::Event &e) { return e.kind == mixplay::EventKind::Tokens; });
    play(session);

    // (tests/c/token_refresh.c outlasts every token with a restart; the wrapper adds nothing to it.)
    uint64_t id = chat.send("still streaming");
    H_CHECK(chat_wait(chat, "the reply", [&](const mixplay::ChatEvent &e) { return e.is_reply_to(id); }).ok());

    // --- tokens the game swaps in ---
    session.clear_token_refresh();
    session.set_token("demo-streamer");
    chat.clear_token_refresh();
    chat.set_token("demo-viewer-1");
    if (h_cmd("RESTART 0") != 0) H_FAIL("RESTART failed");
    session_wait(session, "connected with the swapped token", is_connected);
    play(session);
    joined = chat_wait(chat, "joined as the viewer", [](const mixplay::ChatEvent &e) { return e.kind == mixplay::ChatEventKind::Joined; });
    H_CHECK(joined.user_id == 2 && joined.channel_id == 1 && !joined.may("poll_start"));
    // Refresh on again with tokens from a new sign-in is accepted (the demo token has no lifetime).
    mixplay::TokenRefresh again = refresh;
    again.refresh_token = "from-a-new-sign-in";
    again.expires_in = 0;
    session.set_token_refresh(again);
    chat.set_token_refresh(again);
    config.no_token_refresh();

    // --- misuse ---
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { session.set_token(""); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] {
        mixplay::TokenRefresh bad = refresh;
        bad.client_id.clear();
        chat.set_token_refresh(bad);
    });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { mixplay::Chat nobody(base, 0); });
    mixplay::Session moved = std::move(session);
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { session.set_token("x"); });
    moved.set_token("demo-streamer");
    h_done();
    return 0;
}
