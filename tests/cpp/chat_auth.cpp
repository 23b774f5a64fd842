// tests/c/chat_auth.c through the C++ wrapper: the streamer signs in by short code with
// mixplay::Auth (the harness approves it through the mediator's /go page; a second sign-in is
// denied, a third cancelled), then the game connects a mixplay::Session and two mixplay::Chats
// with that token, talks with a viewer's chat, moderates it (delete, timeout, purge, clear), runs
// a poll, and refreshes the tokens. Errors are exceptions carrying the result code and message;
// events and statuses are views valid until the next poll. The participant side is played by the
// Rust harness over the line protocol of tests/c/README.md (helpers from harness.h).
#include "harness.h"

#include <initializer_list>
#include <string>
#include <type_traits>

#include "mixplay.hpp"

static_assert(!std::is_copy_constructible_v<mixplay::Chat>, "chats are move-only");
static_assert(!std::is_copy_constructible_v<mixplay::Auth>, "sign-ins are move-only");
static_assert(std::is_nothrow_move_constructible_v<mixplay::Chat>, "chats move cheaply");
static_assert(std::is_nothrow_move_assignable_v<mixplay::Auth>, "sign-ins move cheaply");
static_assert(std::is_same_v<mixplay::SignIn, mixplay::Auth>, "SignIn names the sign-in");

static bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Runs `f`, which must throw mixplay::Error with `code` and a message.
template <class F>
static void expect_error(mixplay_result code, F &&f) {
    try {
        f();
    } catch (const mixplay::Error &e) {
        if (e.code() != code) H_FAIL("mixplay::Error %u (%s) instead of %u", (unsigned)e.code(), e.what(), (unsigned)code);
        H_CHECK(std::string(e.what()).size() > 0);
        return;
    }
    H_FAIL("no mixplay::Error %u was thrown", (unsigned)code);
}

// ----- sign-in -----

// Polls the sign-in (as a game would, once a frame) until its state is none of `busy`; returns the
// status, whose views stay valid until the next poll of `a`.
static mixplay::AuthStatus auth_until_not(mixplay::Auth &a, std::initializer_list<mixplay::AuthState> busy) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        mixplay::AuthStatus st = a.poll();
        bool still = false;
        for (mixplay::AuthState b : busy) still |= st.state == b;
        if (!still) return st;
        if (h_now_ms() > end) H_FAIL("the sign-in stayed in state %u", (unsigned)st.state);
        h_nap();
    }
}

// Starts `a` and waits for its code; returns a copy of the code.
static std::string start_and_get_code(mixplay::Auth &a) {
    a.start();
    mixplay::AuthStatus st = auth_until_not(a, {mixplay::AuthState::Idle, mixplay::AuthState::Starting});
    H_CHECK(st.waiting() && !st.done() && !st.busy());
    H_CHECK(st.code.size() == 6);
    H_CHECK(contains(st.url, "/go?code="));
    H_CHECK(contains(st.url, st.code));
    H_CHECK(st.code_expires_in_ms > 60000 && st.code_expires_in_ms <= 120000);
    H_CHECK(st.access_token.empty() && st.refresh_token.empty() && !st.tokens());
    return std::string(st.code);
}

// ----- chat waits -----

// Polls `c` until `pred(event)` holds, within the deadline. The returned event's views stay valid
// until the next poll of `c`.
template <class Pred>
static mixplay::ChatEvent chat_wait(mixplay::Chat &c, const char *what, Pred pred) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::ChatEvent> e = c.poll();
        if (e) {
            if (pred(*e)) return *e;
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static mixplay::ChatEvent chat_joined(mixplay::Chat &c) {
    return chat_wait(c, "joined", [](const mixplay::ChatEvent &e) { return e.kind == mixplay::ChatEventKind::Joined; });
}

static mixplay::ChatEvent chat_reply(mixplay::Chat &c, uint64_t id) {
    return chat_wait(c, "a chat reply", [id](const mixplay::ChatEvent &e) { return e.is_reply_to(id); });
}

static mixplay::ChatEvent chat_reply_ok(mixplay::Chat &c, uint64_t id) {
    mixplay::ChatEvent e = chat_reply(c, id);
    if (!e.ok())
        H_FAIL("chat request %llu failed: %u %.*s", (unsigned long long)id, e.code, (int)e.text.size(), e.text.data());
    return e;
}

static mixplay::ChatEvent chat_message_from(mixplay::Chat &c, std::string_view user) {
    return chat_wait(c, "a chat message", [user](const mixplay::ChatEvent &e) { return e.is_message(user); });
}

static mixplay::ChatEvent chat_event(mixplay::Chat &c, std::string_view name) {
    return chat_wait(c, "a chat event", [name](const mixplay::ChatEvent &e) { return e.is_event(name); });
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const std::string base = h()->base_url;
    const char *scopes = "interactive:robot:self chat:connect chat:chat";

    // ----- a sign-in the user denies, then one that is cancelled -----
    {
        mixplay::SignIn denied(base, "cpp-game", scopes);
        H_CHECK(denied.poll().idle());
        std::string code = start_and_get_code(denied);
        if (h_cmd("DENY %s", code.c_str()) != 0) H_FAIL("DENY failed");
        mixplay::AuthStatus st = auth_until_not(denied, {mixplay::AuthState::Waiting, mixplay::AuthState::Starting});
        H_CHECK(st.denied() && st.done() && !st.approved() && !st.tokens());
        // Starting over gives a new code; cancelling goes back to idle.
        std::string again = start_and_get_code(denied);
        H_CHECK(again != code);
        denied.cancel();
        H_CHECK(denied.poll().idle());
    }

    // ----- sign in by short code -----
    mixplay::Auth first(base, "cpp-game", scopes);
    mixplay::Auth auth = std::move(first);  // moves: the moved-from sign-in holds nothing
    H_CHECK(auth && !first && first.raw() == nullptr);
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { (void)first.poll(); });
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { first.start(); });
    H_CHECK(auth.poll().state == mixplay::AuthState::Idle);
    std::string code = start_and_get_code(auth);
    {
        mixplay::AuthStatus st = auth.poll();
        fprintf(stderr, "show the user: enter %s at %.*s\n", code.c_str(), (int)st.url.size(), st.url.data());
    }
    if (h_cmd("APPROVE %s", code.c_str()) != 0) H_FAIL("APPROVE failed");
    mixplay::Tokens tokens;
    {
        mixplay::AuthStatus st = auth_until_not(auth, {mixplay::AuthState::Waiting, mixplay::AuthState::Starting});
        if (!st.approved())
            H_FAIL("sign-in ended in state %u: %.*s", (unsigned)st.state, (int)st.message.size(), st.message.data());
        H_CHECK(st.done() && st.code.empty() && st.message.empty());
        std::optional<mixplay::Tokens> t = st.tokens();
        H_CHECK(t.has_value());
        tokens = *t;  // owning copies: they outlive the next poll
    }
    H_CHECK(!tokens.access_token.empty() && !tokens.refresh_token.empty());
    H_CHECK(tokens.expires_in == 6 * 60 * 60);
    H_CHECK(!tokens.stale());
    H_CHECK(!mixplay::token_is_stale(tokens.granted_at, tokens.expires_in));
    H_CHECK(mixplay::token_is_stale(tokens.granted_at - (int64_t)tokens.expires_in / 2, tokens.expires_in));
    (void)auth.poll();  // the status views die here; the copies live on
    H_CHECK(auth.poll().access_token == tokens.access_token);

    // ----- the game session with that token -----
    mixplay::Config cfg;
    cfg.discovery_url(std::string_view(h()->hosts_url)).token(tokens.access_token).version_id(1);
    mixplay::Session session(cfg);
    {
        int64_t end = h_now_ms() + h()->wait_ms;
        while (session.connection_state() != mixplay::ConnectionState::Connected) {
            if (!session.poll()) {
                if (h_now_ms() > end) H_FAIL("the session did not connect");
                h_nap();
            }
        }
        uint64_t id = session.ready(true);
        for (;;) {
            std::optional<mixplay::Event> e = session.poll();
            if (e && e->is_reply_to(id)) {
                H_CHECK(e->ok());
                break;
            }
            if (!e) {
                if (h_now_ms() > end) H_FAIL("no reply to ready");
                h_nap();
            }
        }
    }

    // ----- the streamer's chat and a viewer's -----
    mixplay::Chat moved(base, 1, tokens.access_token, "cpp-game", &cfg);
    mixplay::Chat chat = std::move(moved);
    H_CHECK(chat && !moved);
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { (void)moved.poll(); });
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { (void)moved.send("x"); });
    mixplay::ChatEvent e = chat_joined(chat);
    H_CHECK(e.flag && e.user_id == 1);
    H_CHECK(e.roles == R"(["Owner","User"])");
    H_CHECK(chat.connection_state() == mixplay::ConnectionState::Connected);
    mixplay::Chat viewer(base, 1, std::string_view("demo-viewer-1"), std::string_view("cpp-game"));
    e = chat_joined(viewer);
    H_CHECK(e.flag && e.user_id == 2);
    e = chat_event(chat, "UserJoin");
    while (!contains(e.json, "viewer1")) e = chat_event(chat, "UserJoin");

    // Messages both ways.
    uint64_t id = chat.send("hello from C++");
    e = chat_reply_ok(chat, id);
    H_CHECK(contains(e.json, "hello from C++"));
    e = chat_message_from(viewer, "streamer");
    H_CHECK(e.text == "hello from C++");
    H_CHECK(e.user_id == 1 && !e.whisper && !e.action);
    chat_reply_ok(viewer, viewer.send("hi streamer :)"));
    e = chat_message_from(chat, "viewer1");
    H_CHECK(e.text == "hi streamer :)");
    H_CHECK(e.user_id == 2 && contains(e.roles, "User"));
    H_CHECK(contains(e.json, "\"emoticon\""));
    const std::string message_id(e.message_id);  // copied: views die at the next poll
    H_CHECK(!message_id.empty());
    chat_reply_ok(chat, chat.send("/me waves"));
    e = chat_message_from(viewer, "streamer");
    while (!e.action) e = chat_message_from(viewer, "streamer");
    H_CHECK(e.text == "waves" && !e.whisper);
    chat_reply_ok(chat, chat.whisper("viewer1", "psst"));
    e = chat_message_from(viewer, "streamer");
    while (!e.whisper) e = chat_message_from(viewer, "streamer");
    H_CHECK(e.text == "psst");
    H_CHECK(e.target == "viewer1");
    e = chat_reply_ok(viewer, viewer.history(10));
    H_CHECK(contains(e.json, message_id));

    // A viewer may not moderate: the service's refusal is data, not an exception.
    e = chat_reply(viewer, viewer.clear_messages());
    H_CHECK(!e.ok() && e.code == 0 && e.reply_code() == mixplay::ChatReplyCode::Service);
    H_CHECK(e.text == "UACCESS");

    // The streamer moderates: the viewer sees each action.
    chat_reply_ok(chat, chat.delete_message(message_id));
    e = chat_event(viewer, "DeleteMessage");
    H_CHECK(contains(e.json, message_id));
    e = chat_reply_ok(chat, chat.timeout("viewer1", "30s"));
    H_CHECK(e.json == R"("viewer1 has been timed out for 30s.")");
    e = chat_event(viewer, "PurgeMessage");  // sent before the UserTimeout
    H_CHECK(contains(e.json, "\"timeout\""));
    e = chat_event(viewer, "UserTimeout");
    H_CHECK(contains(e.json, "\"duration\":30000"));
    e = chat_reply(viewer, viewer.send("can I talk?"));
    H_CHECK(!e.ok() && contains(e.text, "timed out"));
    chat_reply_ok(chat, chat.call("timeout", R"(["viewer1", "clear"])"));
    chat_reply_ok(viewer, viewer.send("thanks"));
    chat_reply_ok(chat, chat.purge("viewer1"));
    e = chat_event(viewer, "PurgeMessage");
    H_CHECK(!contains(e.json, "\"cause\"") && contains(e.json, "\"user_id\":2"));
    chat_reply_ok(chat, chat.clear_messages());
    chat_event(viewer, "ClearMessages");
    e = chat_reply_ok(viewer, viewer.history(10));
    H_CHECK(e.json == "[]");
    chat_reply_ok(chat, chat.start_poll("Next map?", R"(["desert", "snow"])", 30));
    e = chat_event(viewer, "PollStart");
    H_CHECK(contains(e.json, "Next map?"));
    chat_reply_ok(viewer, viewer.vote(1));

    // Misuse of the new handles: each throws mixplay::Error with the C result code.
    expect_error(MIXPLAY_RESULT_INVALID_UTF8, [&] { (void)chat.send("\xff"); });
    expect_error(MIXPLAY_RESULT_INVALID_JSON, [&] { (void)chat.call("msg", "{}"); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { (void)chat.call("auth", "[]"); });
    expect_error(MIXPLAY_RESULT_INVALID_JSON, [&] { (void)chat.start_poll("q", "[1, 2]", 30); });
    {
        // A session's handle adopted as a chat, a chat's as a sign-in: refused, never freed.
        mixplay::Chat wrong(reinterpret_cast<mixplay_chat *>(session.raw()));
        expect_error(MIXPLAY_RESULT_INVALID_HANDLE, [&] { (void)wrong.send("x"); });
        H_CHECK(wrong.release() == reinterpret_cast<mixplay_chat *>(session.raw()));
        mixplay::Auth wrong_auth(reinterpret_cast<mixplay_auth *>(chat.raw()));
        expect_error(MIXPLAY_RESULT_INVALID_HANDLE, [&] { wrong_auth.start(); });
        (void)wrong_auth.release();
    }
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { mixplay::Chat zero(base, 0); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { mixplay::Auth empty(base, "", ""); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { auth.refresh(""); });
    {
        // Adopt and release round trips; a handle freed through the C API is then refused.
        mixplay::Chat anonymous(base, 1);
        mixplay::Chat adopted(anonymous.release());
        H_CHECK(!anonymous && adopted);
        mixplay_chat *raw = adopted.release();
        H_OK(mixplay_chat_free(raw));
        mixplay::Chat dead(raw);
        expect_error(MIXPLAY_RESULT_INVALID_HANDLE, [&] { (void)dead.poll(); });
        (void)dead.release();
    }

    // ----- refresh: new tokens; the old refresh token is spent -----
    auth.refresh(tokens.refresh_token);
    {
        mixplay::AuthStatus st = auth_until_not(auth, {mixplay::AuthState::Refreshing, mixplay::AuthState::Idle});
        H_CHECK(st.approved());
        H_CHECK(st.access_token != tokens.access_token);
        H_CHECK(!st.tokens()->stale());
    }
    auth.refresh(tokens.refresh_token);
    {
        mixplay::AuthStatus st = auth_until_not(auth, {mixplay::AuthState::Refreshing, mixplay::AuthState::Idle});
        H_CHECK(st.failed() && st.done());
        H_CHECK(contains(st.message, "already used"));
        H_CHECK(!contains(st.message, tokens.refresh_token));
    }

    // Destruction order does not matter; the destructors free every handle (the sanitizers and
    // valgrind check nothing leaks).
    mixplay_chat *chat_raw = chat.raw();
    { mixplay::Chat gone = std::move(chat); }
    H_RC(mixplay_chat_free(chat_raw), MIXPLAY_RESULT_INVALID_HANDLE);
    mixplay_auth *auth_raw = auth.raw();
    { mixplay::Auth gone = std::move(auth); }
    mixplay_auth_status raw_status;
    H_RC(mixplay_auth_poll(auth_raw, &raw_status), MIXPLAY_RESULT_INVALID_HANDLE);
    h_done();
    return 0;
}
