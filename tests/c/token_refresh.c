/* Tokens that outlive a stream, from C. The mediator runs with --access-token-ttl 3: the streamer
 * signs in by short code, asks who they are (and which channel is theirs), and connects a session
 * and their own chat (channel 0) with automatic refresh. Both hear of the same refreshed tokens;
 * then the mediator goes down until every token it issued has expired and comes back, and both
 * carry on with a fresh token instead of stopping with 4019. Finally the game swaps tokens by
 * itself, and the new calls refuse misuse. Run by tests/c_api.rs (see README.md). */
#include "harness.h"

#define CLIENT_ID "c-refresh"

/* The access tokens the session's refreshes handed out (the last few), and the chat's newest. */
#define KEPT 8
static char session_access[KEPT][128], chat_access[128];
static unsigned session_refreshes, chat_refreshes;

/* Whether the session handed out `access` lately. */
static int session_saw(const char *access) {
    unsigned i;
    for (i = 0; i < KEPT && i < session_refreshes; i++)
        if (strcmp(session_access[i], access) == 0) return 1;
    return 0;
}

/* ----- waits that keep the tokens events they pass ----- */

static void note_session(const mixplay_event *e) {
    if (e->kind != MIXPLAY_EVENT_KIND_TOKENS) return;
    if (!e->flag) H_FAIL("the session's refresh was refused: %.*s", (int)e->text.len, e->text.ptr);
    H_CHECK(e->tokens.access_token.len > 0 && e->tokens.access_token.len < sizeof session_access[0]);
    H_CHECK(e->tokens.refresh_token.len > 0 && e->tokens.expires_in == 3 && e->tokens.granted_at > 0);
    h_copy(e->tokens.access_token, session_access[session_refreshes % KEPT], sizeof session_access[0]);
    session_refreshes++;
}

static const mixplay_event *session_until(mixplay_session *s, const char *what, h_pred pred, const void *ctx) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        if (h_poll1(s, &h()->last)) {
            note_session(&h()->last);
            if (pred(&h()->last, ctx)) return &h()->last;
            if (h()->last.kind == MIXPLAY_EVENT_KIND_CONNECTION &&
                h()->last.connection_state == MIXPLAY_CONNECTION_STATE_DISCONNECTED)
                H_FAIL("the session stopped (%u): %.*s", h()->last.code, (int)h()->last.text.len, h()->last.text.ptr);
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static int is_connected(const mixplay_event *e, const void *ctx) {
    (void)ctx;
    return e->kind == MIXPLAY_EVENT_KIND_CONNECTION && e->connection_state == MIXPLAY_CONNECTION_STATE_CONNECTED;
}

static int is_reply_to(const mixplay_event *e, const void *ctx) {
    return e->kind == MIXPLAY_EVENT_KIND_REPLY && e->request_id == *(const uint64_t *)ctx;
}

static int is_input(const mixplay_event *e, const void *ctx) {
    return e->kind == MIXPLAY_EVENT_KIND_INPUT && h_eq(e->control, (const char *)ctx);
}

static int is_new_tokens(const mixplay_event *e, const void *ctx) {
    (void)ctx;
    return e->kind == MIXPLAY_EVENT_KIND_TOKENS;
}

static void session_ok(mixplay_session *s, uint64_t id) {
    const mixplay_event *e = session_until(s, "a reply", is_reply_to, &id);
    if (!e->flag) H_FAIL("request %llu failed: %u %.*s", (unsigned long long)id, e->code, (int)e->text.len, e->text.ptr);
}

static mixplay_chat_event last_chat;

static const mixplay_chat_event *chat_until(mixplay_chat *c, const char *what, uint32_t kind) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        bool has = false;
        H_OK(mixplay_chat_poll(c, &last_chat, &has));
        if (!has) {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
            continue;
        }
        if (last_chat.kind == MIXPLAY_CHAT_EVENT_KIND_TOKENS) {
            if (!last_chat.flag) H_FAIL("the chat's refresh was refused: %.*s", (int)last_chat.text.len, last_chat.text.ptr);
            h_copy(last_chat.tokens.access_token, chat_access, sizeof chat_access);
            chat_refreshes++;
        }
        if (last_chat.kind == MIXPLAY_CHAT_EVENT_KIND_CONNECTION &&
            last_chat.connection_state == MIXPLAY_CONNECTION_STATE_DISCONNECTED)
            H_FAIL("the chat stopped: %.*s", (int)last_chat.text.len, last_chat.text.ptr);
        if (last_chat.kind == kind) return &last_chat;
    }
}

/* The game's button, ready, and a viewer who presses it. */
static void play(mixplay_session *s) {
    uint64_t id;
    H_OK(mixplay_session_create_controls(s, "default", "[{\"controlID\":\"jump\",\"kind\":\"button\"}]", &id));
    session_ok(s, id);
    H_OK(mixplay_session_ready(s, true, &id));
    session_ok(s, id);
    {
        char sid[64];
        h_join("demo-viewer-1", sid, sizeof sid);
    }
    if (h_button("demo-viewer-1", "jump", "mousedown", 0) != 0) H_FAIL("the press was refused");
    session_until(s, "the press", is_input, "jump");
    h_leave("demo-viewer-1");
}

int main(int argc, char **argv) {
    char token[128], refresh[128], code[16];
    mixplay_auth *auth;
    mixplay_auth_status st;
    mixplay_user user;
    mixplay_config *cfg;
    mixplay_session *session = NULL;
    mixplay_chat *chat = NULL;
    const mixplay_chat_event *ce;
    uint64_t id;
    int64_t end;

    h_init(argc, argv);

    /* --- sign in by short code --- */
    H_OK(mixplay_auth_new(h()->base_url, CLIENT_ID, NULL, "interactive:robot:self chat:connect chat:chat", NULL, &auth));
    H_OK(mixplay_auth_start(auth));
    end = h_now_ms() + h()->wait_ms;
    do {
        H_OK(mixplay_auth_poll(auth, &st));
        if (h_now_ms() > end) H_FAIL("no code");
        h_nap();
    } while (st.state != MIXPLAY_AUTH_STATE_WAITING);
    h_copy(st.code, code, sizeof code);
    if (h_cmd("APPROVE %s", code) != 0) H_FAIL("APPROVE failed");
    end = h_now_ms() + h()->wait_ms;
    do {
        H_OK(mixplay_auth_poll(auth, &st));
        if (h_now_ms() > end) H_FAIL("not approved");
        h_nap();
    } while (st.state == MIXPLAY_AUTH_STATE_WAITING);
    H_CHECK(st.state == MIXPLAY_AUTH_STATE_APPROVED);
    H_CHECK(st.expires_in == 3);
    h_copy(st.access_token, token, sizeof token);
    h_copy(st.refresh_token, refresh, sizeof refresh);

    /* --- who signed in, and their channel --- */
    H_OK(mixplay_auth_user(auth, &user));
    H_CHECK(user.state == MIXPLAY_USER_STATE_NONE);
    H_OK(mixplay_auth_fetch_user(auth, token));
    end = h_now_ms() + h()->wait_ms;
    do {
        H_OK(mixplay_auth_user(auth, &user));
        if (h_now_ms() > end) H_FAIL("no user");
        h_nap();
    } while (user.state == MIXPLAY_USER_STATE_FETCHING);
    if (user.state != MIXPLAY_USER_STATE_FOUND) H_FAIL("no user: %.*s", (int)user.message.len, user.message.ptr);
    H_CHECK(user.id == 1 && user.channel_id == 1 && user.level == 50);
    H_STREQ(user.username, "streamer");
    H_CHECK(h_contains(user.json, "\"channel\""));
    H_OK(mixplay_auth_fetch_user(auth, "not-a-token"));
    end = h_now_ms() + h()->wait_ms;
    do {
        H_OK(mixplay_auth_user(auth, &user));
        if (h_now_ms() > end) H_FAIL("a bad token was not refused");
        h_nap();
    } while (user.state == MIXPLAY_USER_STATE_FETCHING);
    H_CHECK(user.state == MIXPLAY_USER_STATE_FAILED && h_contains(user.message, "refused"));

    /* --- a session and the user's own chat, refreshing by themselves --- */
    cfg = h_config();
    H_OK(mixplay_config_set_token(cfg, token));
    H_OK(mixplay_config_set_token_refresh(cfg, h()->base_url, CLIENT_ID, refresh, st.expires_in, st.granted_at));
    H_OK(mixplay_config_set_reconnect(cfg, true, 100, 500, -1));
    H_OK(mixplay_session_new(cfg, &session));
    session_until(session, "connected", is_connected, NULL);
    H_OK(mixplay_chat_new(h()->base_url, 0, token, CLIENT_ID, cfg, &chat));
    ce = chat_until(chat, "joined", MIXPLAY_CHAT_EVENT_KIND_JOINED);
    H_CHECK(ce->flag && ce->user_id == 1 && ce->channel_id == 1);
    H_CHECK(h_contains(ce->permissions, "\"poll_start\"") && h_contains(ce->permissions, "\"chat\""));

    /* Half the lifetime in, one refresh serves both: the chat's new token is one the session got. */
    if (session_refreshes == 0) session_until(session, "new tokens", is_new_tokens, NULL);
    H_CHECK(!session_saw(token));
    if (chat_refreshes == 0) chat_until(chat, "the chat's new tokens", MIXPLAY_CHAT_EVENT_KIND_TOKENS);
    while (!session_saw(chat_access)) session_until(session, "the chat's tokens", is_new_tokens, NULL);
    play(session);

    /* --- the mediator goes down until every token it issued has expired, and comes back --- */
    /* Down 3.3 s: longer than the newest token lives (3 s). */
    if (h_cmd("RESTART 3300") != 0) H_FAIL("RESTART failed");
    session_until(session, "connected again", is_connected, NULL);
    play(session);
    chat_until(chat, "joined again", MIXPLAY_CHAT_EVENT_KIND_JOINED);
    H_CHECK(last_chat.flag && last_chat.user_id == 1);
    H_OK(mixplay_chat_send(chat, "still streaming", &id));
    ce = chat_until(chat, "the reply", MIXPLAY_CHAT_EVENT_KIND_REPLY);
    H_CHECK(ce->request_id == id && ce->flag);

    /* --- the game swaps tokens by itself: refresh off, a world token in --- */
    H_OK(mixplay_session_set_token_refresh(session, NULL, NULL, NULL, 0, 0));
    H_OK(mixplay_session_set_token(session, "demo-streamer"));
    H_OK(mixplay_chat_set_token_refresh(chat, NULL, NULL, NULL, 0, 0));
    H_OK(mixplay_chat_set_token(chat, "demo-viewer-1"));
    if (h_cmd("RESTART 0") != 0) H_FAIL("RESTART failed");
    session_until(session, "connected with the swapped token", is_connected, NULL);
    play(session);
    ce = chat_until(chat, "joined as the viewer", MIXPLAY_CHAT_EVENT_KIND_JOINED);
    H_CHECK(ce->user_id == 2);

    /* --- misuse --- */
    H_RC(mixplay_session_set_token(session, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_set_token(session, ""), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_set_token_refresh(session, NULL, CLIENT_ID, "r", 3, 0), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_set_token_refresh(session, h()->base_url, "", "r", 3, 0), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_token_refresh(cfg, h()->base_url, CLIENT_ID, "", 3, 0), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_chat_set_token(chat, "\xff"), MIXPLAY_RESULT_INVALID_UTF8);
    H_RC(mixplay_chat_set_token((mixplay_chat *)session, "x"), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_chat_new(h()->base_url, 0, NULL, NULL, NULL, &chat), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_auth_user(auth, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_auth_fetch_user(auth, ""), MIXPLAY_RESULT_INVALID_ARGUMENT);

    H_OK(mixplay_chat_free(chat));
    H_RC(mixplay_chat_set_token(chat, "x"), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_session_free(session));
    H_RC(mixplay_session_set_token(session, "x"), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_auth_free(auth));
    H_OK(mixplay_config_free(cfg));
    h_done();
    return 0;
}
