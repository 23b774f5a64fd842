/* The streamer signs in by short code (the harness approves it through the mediator's /go page),
 * then the game connects a session and a chat with that token, talks with a viewer's chat, and
 * moderates it. Run by tests/c_api.rs (see README.md). */
#include "harness.h"

/* ----- sign-in ----- */

/* Polls the sign-in until its state is no longer `busy_a` or `busy_b`; returns the status. */
static mixplay_auth_status auth_until_not(mixplay_auth *a, uint32_t busy_a, uint32_t busy_b) {
    mixplay_auth_status st;
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        H_OK(mixplay_auth_poll(a, &st));
        if (st.state != busy_a && st.state != busy_b) return st;
        if (h_now_ms() > end) H_FAIL("the sign-in stayed in state %u", st.state);
        h_nap();
    }
}

/* ----- chat waits ----- */

typedef int (*chat_pred)(const mixplay_chat_event *e, const void *ctx);

static mixplay_chat_event last_chat;

static const mixplay_chat_event *chat_wait(mixplay_chat *c, const char *what, chat_pred pred, const void *ctx) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        bool has = false;
        H_OK(mixplay_chat_poll(c, &last_chat, &has));
        if (has) {
            if (pred(&last_chat, ctx)) return &last_chat;
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static int is_chat_kind(const mixplay_chat_event *e, const void *ctx) {
    return e->kind == *(const uint32_t *)ctx;
}

static int is_chat_reply(const mixplay_chat_event *e, const void *ctx) {
    return e->kind == MIXPLAY_CHAT_EVENT_KIND_REPLY && e->request_id == *(const uint64_t *)ctx;
}

static int is_message_from(const mixplay_chat_event *e, const void *ctx) {
    return e->kind == MIXPLAY_CHAT_EVENT_KIND_MESSAGE && h_eq(e->user_name, (const char *)ctx);
}

static int is_named_event(const mixplay_chat_event *e, const void *ctx) {
    return e->kind == MIXPLAY_CHAT_EVENT_KIND_EVENT && h_eq(e->text, (const char *)ctx);
}

static const mixplay_chat_event *chat_joined(mixplay_chat *c) {
    uint32_t kind = MIXPLAY_CHAT_EVENT_KIND_JOINED;
    return chat_wait(c, "joined", is_chat_kind, &kind);
}

static const mixplay_chat_event *chat_reply(mixplay_chat *c, uint64_t id) {
    return chat_wait(c, "a chat reply", is_chat_reply, &id);
}

static const mixplay_chat_event *chat_reply_ok(mixplay_chat *c, uint64_t id) {
    const mixplay_chat_event *e = chat_reply(c, id);
    if (!e->flag) H_FAIL("chat request %llu failed: %.*s", (unsigned long long)id, (int)e->text.len, e->text.ptr);
    return e;
}

static const mixplay_chat_event *chat_message_from(mixplay_chat *c, const char *user) {
    return chat_wait(c, "a chat message", is_message_from, user);
}

static const mixplay_chat_event *chat_event(mixplay_chat *c, const char *name) {
    return chat_wait(c, name, is_named_event, name);
}

int main(int argc, char **argv) {
    char token[128], refresh[128], code[16], message_id[64], base_chat[300];
    mixplay_auth *auth = NULL;
    mixplay_auth_status st;
    mixplay_config *cfg;
    mixplay_session *session;
    mixplay_chat *chat = NULL, *viewer = NULL;
    const mixplay_chat_event *e;
    uint64_t id;
    int64_t granted_at;
    uint64_t expires_in;
    bool stale = true;
    uint32_t state = 0;

    h_init(argc, argv);
    snprintf(base_chat, sizeof base_chat, "%s", h()->base_url);

    /* --- sign in by short code --- */
    H_OK(mixplay_auth_new(h()->base_url, "c-game", NULL, "interactive:robot:self chat:connect chat:chat", NULL, &auth));
    H_OK(mixplay_auth_poll(auth, &st));
    H_CHECK(st.state == MIXPLAY_AUTH_STATE_IDLE);
    H_OK(mixplay_auth_start(auth));
    st = auth_until_not(auth, MIXPLAY_AUTH_STATE_IDLE, MIXPLAY_AUTH_STATE_STARTING);
    H_CHECK(st.state == MIXPLAY_AUTH_STATE_WAITING);
    H_CHECK(st.code.len == 6);
    H_CHECK(h_contains(st.url, "/go?code="));
    H_CHECK(h_contains(st.url, st.code.ptr));
    H_CHECK(st.code_expires_in_ms > 60000 && st.code_expires_in_ms <= 120000);
    h_copy(st.code, code, sizeof code);
    fprintf(stderr, "show the user: enter %s at %.*s\n", code, (int)st.url.len, st.url.ptr);
    if (h_cmd("APPROVE %s", code) != 0) H_FAIL("APPROVE failed");
    st = auth_until_not(auth, MIXPLAY_AUTH_STATE_WAITING, MIXPLAY_AUTH_STATE_STARTING);
    if (st.state != MIXPLAY_AUTH_STATE_APPROVED) H_FAIL("sign-in ended in state %u: %.*s", st.state, (int)st.message.len, st.message.ptr);
    H_CHECK(st.access_token.len > 0 && st.access_token.len < sizeof token);
    H_CHECK(st.refresh_token.len > 0 && st.refresh_token.len < sizeof refresh);
    h_copy(st.access_token, token, sizeof token);
    h_copy(st.refresh_token, refresh, sizeof refresh);
    granted_at = st.granted_at;
    expires_in = st.expires_in;
    H_CHECK(expires_in == 6 * 60 * 60);
    H_OK(mixplay_token_is_stale(granted_at, expires_in, &stale));
    H_CHECK(!stale);
    H_OK(mixplay_token_is_stale(granted_at - (int64_t)expires_in / 2, expires_in, &stale));
    H_CHECK(stale);
    H_RC(mixplay_token_is_stale(0, 0, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);

    /* --- the game session with that token --- */
    cfg = h_config();
    H_OK(mixplay_config_set_token(cfg, token));
    session = h_connect(cfg);
    H_OK(mixplay_session_ready(session, true, &id));
    h_reply_ok(session, id);

    /* --- the streamer's chat and a viewer's --- */
    H_OK(mixplay_chat_new(base_chat, 1, token, "c-game", cfg, &chat));
    e = chat_joined(chat);
    H_CHECK(e->flag);
    H_CHECK(e->user_id == 1);
    H_STREQ(e->roles, "[\"Owner\",\"User\"]");
    H_OK(mixplay_chat_connection_state(chat, &state));
    H_CHECK(state == MIXPLAY_CONNECTION_STATE_CONNECTED);
    H_OK(mixplay_chat_new(base_chat, 1, "demo-viewer-1", "c-game", NULL, &viewer));
    e = chat_joined(viewer);
    H_CHECK(e->flag && e->user_id == 2);
    e = chat_event(chat, "UserJoin");
    while (!h_contains(e->json, "viewer1")) e = chat_event(chat, "UserJoin");

    /* Messages both ways. */
    H_OK(mixplay_chat_send(chat, "hello from C", &id));
    e = chat_reply_ok(chat, id);
    H_CHECK(h_contains(e->json, "hello from C"));
    e = chat_message_from(viewer, "streamer");
    H_STREQ(e->text, "hello from C");
    H_CHECK(e->user_id == 1 && !e->whisper && !e->action);
    H_OK(mixplay_chat_send(viewer, "hi streamer :)", &id));
    chat_reply_ok(viewer, id);
    e = chat_message_from(chat, "viewer1");
    H_STREQ(e->text, "hi streamer :)");
    H_CHECK(h_contains(e->json, "\"emoticon\""));
    H_CHECK(e->message_id.len > 0 && e->message_id.len < sizeof message_id);
    h_copy(e->message_id, message_id, sizeof message_id);
    H_OK(mixplay_chat_whisper(chat, "viewer1", "psst", &id));
    chat_reply_ok(chat, id);
    e = chat_message_from(viewer, "streamer");
    while (!e->whisper) e = chat_message_from(viewer, "streamer");
    H_STREQ(e->text, "psst");
    H_STREQ(e->target, "viewer1");
    H_OK(mixplay_chat_history(viewer, 10, &id));
    e = chat_reply_ok(viewer, id);
    H_CHECK(h_contains(e->json, message_id));

    /* A viewer may not moderate. */
    H_OK(mixplay_chat_clear_messages(viewer, &id));
    e = chat_reply(viewer, id);
    H_CHECK(!e->flag && e->code == 0);
    H_STREQ(e->text, "UACCESS");

    /* The streamer moderates: the viewer sees each action. */
    H_OK(mixplay_chat_delete_message(chat, message_id, &id));
    chat_reply_ok(chat, id);
    e = chat_event(viewer, "DeleteMessage");
    H_CHECK(h_contains(e->json, message_id));
    H_OK(mixplay_chat_timeout(chat, "viewer1", "30s", &id));
    e = chat_reply_ok(chat, id);
    H_STREQ(e->json, "\"viewer1 has been timed out for 30s.\"");
    e = chat_event(viewer, "PurgeMessage"); /* sent before the UserTimeout */
    H_CHECK(h_contains(e->json, "\"timeout\""));
    e = chat_event(viewer, "UserTimeout");
    H_CHECK(h_contains(e->json, "\"duration\":30000"));
    H_OK(mixplay_chat_send(viewer, "can I talk?", &id));
    e = chat_reply(viewer, id);
    H_CHECK(!e->flag && h_contains(e->text, "timed out"));
    H_OK(mixplay_chat_call(chat, "timeout", "[\"viewer1\", \"clear\"]", &id));
    chat_reply_ok(chat, id);
    H_OK(mixplay_chat_start_poll(chat, "Next map?", "[\"desert\", \"snow\"]", 30, &id));
    chat_reply_ok(chat, id);
    e = chat_event(viewer, "PollStart");
    H_CHECK(h_contains(e->json, "Next map?"));
    H_OK(mixplay_chat_vote(viewer, 1, &id));
    chat_reply_ok(viewer, id);

    /* Misuse of the new handles. */
    H_RC(mixplay_chat_send(chat, NULL, &id), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_chat_call(chat, "msg", "{}", &id), MIXPLAY_RESULT_INVALID_JSON);
    H_RC(mixplay_chat_call(chat, "auth", "[]", &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_chat_start_poll(chat, "q", "[1, 2]", 30, &id), MIXPLAY_RESULT_INVALID_JSON);
    H_RC(mixplay_chat_send((mixplay_chat *)session, "x", &id), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_auth_start((mixplay_auth *)chat), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_chat_new(base_chat, 0, NULL, NULL, NULL, &viewer), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_auth_new(h()->base_url, "", NULL, "", NULL, &auth), MIXPLAY_RESULT_INVALID_ARGUMENT);

    /* --- refresh: new tokens; the old refresh token is spent --- */
    H_OK(mixplay_auth_refresh(auth, refresh));
    st = auth_until_not(auth, MIXPLAY_AUTH_STATE_REFRESHING, MIXPLAY_AUTH_STATE_IDLE);
    H_CHECK(st.state == MIXPLAY_AUTH_STATE_APPROVED);
    H_CHECK(!h_eq(st.access_token, token));
    H_OK(mixplay_auth_refresh(auth, refresh));
    st = auth_until_not(auth, MIXPLAY_AUTH_STATE_REFRESHING, MIXPLAY_AUTH_STATE_IDLE);
    H_CHECK(st.state == MIXPLAY_AUTH_STATE_FAILED);
    H_CHECK(h_contains(st.message, "already used"));
    H_CHECK(!h_contains(st.message, refresh));

    H_OK(mixplay_chat_free(viewer));
    H_OK(mixplay_chat_free(chat));
    H_RC(mixplay_chat_free(chat), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_auth_free(auth));
    H_RC(mixplay_auth_poll(auth, &st), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_session_free(session));
    H_OK(mixplay_config_free(cfg));
    h_done();
    return 0;
}
