/* The whole game-client session through the C API against the mediator: config, connect, every
 * request, the events they cause, input of every kind from real participants, control property
 * setters and getters, enumeration, participant lookups, the per-frame helpers and logging. */
#include "harness.h"

#include <math.h>

/* ----- logging: the sink must only run inside poll, on the polling thread ----- */

static unsigned log_records;

static void sink(void *user_data, uint32_t level, mixplay_str message) {
    H_CHECK(user_data == (void *)&log_records);
    H_CHECK(h()->in_poll);
    H_CHECK(level >= MIXPLAY_LOG_LEVEL_ERROR && level <= MIXPLAY_LOG_LEVEL_DEBUG);
    H_CHECK(message.ptr != NULL && message.ptr[message.len] == '\0');
    log_records++;
}

/* ----- event predicates ----- */

typedef struct {
    uint32_t kind;
    const char *participant; /* NULL: any */
    const char *name;        /* scene, group or control; NULL: any */
} want_t;

static int matches(const mixplay_event *e, const void *ctx) {
    const want_t *w = (const want_t *)ctx;
    if (e->kind != w->kind) return 0;
    if (w->participant != NULL && !h_eq(e->participant, w->participant)) return 0;
    if (w->name != NULL) {
        mixplay_str n = e->kind >= MIXPLAY_EVENT_KIND_SCENE_CREATED && e->kind <= MIXPLAY_EVENT_KIND_SCENE_DELETED ? e->scene
                        : e->kind >= MIXPLAY_EVENT_KIND_GROUP_CREATED && e->kind <= MIXPLAY_EVENT_KIND_GROUP_DELETED ? e->group
                                                                                                                     : e->control;
        if (!h_eq(n, w->name)) return 0;
    }
    return 1;
}

static const mixplay_event *wait_event(mixplay_session *s, uint32_t kind, const char *participant, const char *name) {
    want_t w;
    char what[128];
    w.kind = kind;
    w.participant = participant;
    w.name = name;
    snprintf(what, sizeof what, "event kind %u (%s %s)", kind, participant ? participant : "-", name ? name : "-");
    return h_wait_for(s, what, matches, &w);
}

/* Waits for the successful reply to `id` and for an event matching (kind, participant, name),
 * in either order; the event's `text` is copied to `event_text`. */
static char event_text[256];

typedef struct {
    want_t want;
    uint64_t id;
    int got_event;
    int got_reply;
} both_t;

static int both(const mixplay_event *e, const void *ctx) {
    both_t *b = (both_t *)ctx;
    if (!b->got_event && matches(e, &b->want)) {
        b->got_event = 1;
        h_copy(e->text, event_text, sizeof event_text);
    }
    if (e->kind == MIXPLAY_EVENT_KIND_REPLY && e->request_id == b->id) {
        if (!e->flag) H_FAIL("request %llu failed: %u %.*s", (unsigned long long)b->id, e->code, (int)e->text.len, e->text.ptr);
        b->got_reply = 1;
    }
    return b->got_event && b->got_reply;
}

static void expect(mixplay_session *s, uint64_t id, uint32_t kind, const char *participant, const char *name) {
    both_t b;
    char what[128];
    memset(&b, 0, sizeof b);
    b.want.kind = kind;
    b.want.participant = participant;
    b.want.name = name;
    b.id = id;
    snprintf(what, sizeof what, "reply %llu and event kind %u (%s)", (unsigned long long)id, kind, name ? name : "-");
    h_wait_for(s, what, both, &b);
}

typedef struct {
    uint32_t input_kind;
    const char *control;
} want_input_t;

static int is_input(const mixplay_event *e, const void *ctx) {
    const want_input_t *w = (const want_input_t *)ctx;
    return e->kind == MIXPLAY_EVENT_KIND_INPUT && e->input_kind == w->input_kind && h_eq(e->control, w->control);
}

static const mixplay_event *wait_input(mixplay_session *s, uint32_t kind, const char *control) {
    want_input_t w;
    w.input_kind = kind;
    w.control = control;
    return h_wait_for(s, "an input", is_input, &w);
}

/* ----- for_each_participant ----- */

typedef struct {
    mixplay_session *session;
    int calls;
    int stop_after;
    int saw_viewer1;
    int saw_viewer2;
} visit_t;

static bool visit(void *user_data, const mixplay_participant *p) {
    visit_t *v = (visit_t *)user_data;
    mixplay_participant again;
    v->calls++;
    H_CHECK(p != NULL && p->session_id.len == 36);
    /* The callback runs outside the session's lock: calling back into the session must work. */
    H_OK(mixplay_session_get_participant(v->session, p->session_id.ptr, &again));
    H_CHECK(again.user_id == p->user_id);
    if (h_eq(p->username, "viewer1")) v->saw_viewer1 = p->user_id == 2;
    if (h_eq(p->username, "viewer2")) v->saw_viewer2 = p->user_id == 3;
    return v->stop_after == 0 || v->calls < v->stop_after;
}


static void config_checks(void) {
    mixplay_config *c = NULL;
    mixplay_session *s = NULL;
    H_OK(mixplay_config_new(&c));
    H_RC(mixplay_config_set_discovery_url(c, "ftp://example.com"), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_CHECK(mixplay_last_error().len > 0);
    H_RC(mixplay_config_add_endpoint(c, "http://example.com"), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_OK(mixplay_config_add_endpoint(c, h()->ws_url));
    H_OK(mixplay_config_add_endpoint(c, h()->ws_url));
    H_RC(mixplay_config_set_version_id(c, 0), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_compression(c, "zip"), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_OK(mixplay_config_set_compression(c, "none"));
    H_OK(mixplay_config_set_compression(c, ""));
    H_RC(mixplay_config_set_reconnect(c, true, 0, 100, -1), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_reconnect(c, true, 200, 100, -1), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_connect_timeout_ms(c, 0), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_request_timeout_ms(c, 0), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_event_queue_capacity(c, 15), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_config_set_tls_roots_pem(c, "not a pem", true), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_OK(mixplay_config_set_tls_roots_pem(c, NULL, false));
    H_OK(mixplay_config_set_share_code(c, "abc"));
    H_OK(mixplay_config_set_share_code(c, NULL));
    /* No token and no version yet: the session refuses to start. */
    H_RC(mixplay_session_new(c, &s), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_CHECK(s == NULL);
    H_OK(mixplay_config_set_token(c, "demo-streamer"));
    H_RC(mixplay_session_new(c, &s), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_OK(mixplay_config_free(c));
}

int main(int argc, char **argv) {
    mixplay_config *c;
    mixplay_session *s = NULL;
    mixplay_event events[8];
    mixplay_participant p;
    mixplay_str str, str2;
    visit_t v;
    uint64_t id, id2, batch;
    size_t n, len;
    uint32_t state, presses, releases, moves;
    int64_t i64;
    double x, y, f;
    bool b;
    char sid1[64], sid2[64], buf[256], txn[128];
    const mixplay_event *e;
    uint32_t k;

    h_init(argc, argv);

    /* ----- the library ----- */
    H_CHECK(mixplay_abi_version() == MIXPLAY_ABI_VERSION);
    H_CHECK(strlen(mixplay_version()) > 0 && strchr(mixplay_version(), '.') != NULL);
    H_CHECK(strcmp(mixplay_result_str(MIXPLAY_RESULT_OK), "ok") == 0);
    H_CHECK(strcmp(mixplay_result_str(12345), "unknown result code") == 0);
    for (k = 0; k < 300; k++) H_CHECK(mixplay_result_str(k) != NULL);
    H_CHECK(mixplay_last_error().len == 0 && mixplay_last_error().ptr != NULL);

    H_OK(mixplay_set_log_level(MIXPLAY_LOG_LEVEL_INFO));
    H_OK(mixplay_set_log_sink(sink, &log_records));

    config_checks();

    /* ----- connect ----- */
    c = h_config();
    H_OK(mixplay_config_set_compression(c, "lz4,gzip"));
    H_OK(mixplay_config_set_auto_ready(c, false));
    H_OK(mixplay_config_set_reconnect(c, true, 100, 2000, -1));
    H_OK(mixplay_config_set_connect_timeout_ms(c, 10000));
    H_OK(mixplay_config_set_request_timeout_ms(c, 15000));
    H_OK(mixplay_config_set_handshake_in_query(c, true));
    H_OK(mixplay_config_set_event_queue_capacity(c, 1024));
    H_OK(mixplay_session_new(c, &s));
    /* The config is copied: it can be freed at once. */
    H_OK(mixplay_config_free(c));
    H_OK(mixplay_session_connection_state(s, &state));
    e = h_wait_state(s, MIXPLAY_CONNECTION_STATE_CONNECTED);
    H_CHECK(h()->seen[MIXPLAY_EVENT_KIND_CONNECTION] >= 2); /* connecting, connected */
    H_CHECK(log_records > 0);                               /* connection changes log at INFO */
    H_OK(mixplay_session_connection_state(s, &state));
    H_CHECK(state == MIXPLAY_CONNECTION_STATE_CONNECTED);
    H_OK(mixplay_session_is_ready(s, &b));
    H_CHECK(!b);
    H_OK(mixplay_session_server_time_ms(s, &i64));
    H_CHECK(llabs((long long)(i64 - (int64_t)time(NULL) * 1000)) < 60000);

    /* ----- the demo world's cache ----- */
    H_OK(mixplay_session_scene_count(s, &n));
    H_CHECK(n == 1);
    H_OK(mixplay_session_scene_at(s, 0, &str));
    H_STREQ(str, "default");
    H_RC(mixplay_session_scene_at(s, 1, &str), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_group_count(s, &n));
    H_CHECK(n == 1);
    H_OK(mixplay_session_group_at(s, 0, &str, &str2));
    H_STREQ(str, "default");
    H_STREQ(str2, "default");
    H_OK(mixplay_session_group_at(s, 0, &str, NULL));
    H_RC(mixplay_session_group_at(s, 5, &str, NULL), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_control_count(s, "default", &n));
    H_CHECK(n == 0);
    H_RC(mixplay_session_control_count(s, "nope", &n), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_participant_count(s, &n));
    H_CHECK(n == 0);

    /* ----- scenes, groups, controls ----- */
    H_OK(mixplay_session_create_scenes(
        s, "[{\"sceneID\":\"s2\",\"controls\":[{\"controlID\":\"c2\",\"kind\":\"button\"}]}]", &id));
    expect(s, id, MIXPLAY_EVENT_KIND_SCENE_CREATED, NULL, "s2");
    H_OK(mixplay_session_scene_count(s, &n));
    H_CHECK(n == 2);
    H_OK(mixplay_session_control_count(s, "s2", &n));
    H_CHECK(n == 1);
    H_OK(mixplay_session_control_at(s, "s2", 0, &str));
    H_STREQ(str, "c2");
    H_RC(mixplay_session_control_at(s, "s2", 1, &str), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_update_scenes(s, "[{\"sceneID\":\"s2\",\"mood\":\"calm\"}]", 0, &id));
    expect(s, id, MIXPLAY_EVENT_KIND_SCENE_UPDATED, NULL, "s2");

    H_OK(mixplay_session_create_groups(s, "[{\"groupID\":\"g2\",\"sceneID\":\"s2\"}]", &id));
    expect(s, id, MIXPLAY_EVENT_KIND_GROUP_CREATED, NULL, "g2");
    H_OK(mixplay_session_group_count(s, &n));
    H_CHECK(n == 2);
    H_OK(mixplay_session_group_at(s, 1, &str, &str2));
    H_STREQ(str, "g2");
    H_STREQ(str2, "s2");

    H_OK(mixplay_session_create_controls(s, "default",
                                         "[{\"controlID\":\"b\",\"kind\":\"button\",\"text\":\"B\"},"
                                         "{\"controlID\":\"buy\",\"kind\":\"button\",\"cost\":10},"
                                         "{\"controlID\":\"cd\",\"kind\":\"button\"},"
                                         "{\"controlID\":\"j\",\"kind\":\"joystick\"},"
                                         "{\"controlID\":\"t\",\"kind\":\"textbox\"},"
                                         "{\"controlID\":\"gone\",\"kind\":\"label\"}]",
                                         &id));
    expect(s, id, MIXPLAY_EVENT_KIND_CONTROL_CREATED, NULL, "gone");
    H_OK(mixplay_session_control_count(s, "default", &n));
    H_CHECK(n == 6);
    H_OK(mixplay_session_update_controls(s, "default", "[{\"controlID\":\"b\",\"text\":\"B!\"}]", 0, &id));
    expect(s, id, MIXPLAY_EVENT_KIND_CONTROL_UPDATED, NULL, "b");
    H_OK(mixplay_session_delete_controls(s, "default", "[\"gone\"]", &id));
    expect(s, id, MIXPLAY_EVENT_KIND_CONTROL_DELETED, NULL, "gone");
    H_OK(mixplay_session_control_count(s, "default", &n));
    H_CHECK(n == 5);

    /* ----- control properties: coalesced writes, then the getters ----- */
    H_OK(mixplay_session_set_control_text(s, "b", "Jump", &batch));
    H_OK(mixplay_session_set_control_tooltip(s, "b", "jumps", &id));
    H_CHECK(id == batch); /* one batch per scene and frame */
    H_OK(mixplay_session_set_control_progress(s, "b", 0.5, &id));
    H_OK(mixplay_session_set_control_key_code(s, "b", 32, &id));
    H_OK(mixplay_session_set_control_cost(s, "buy", 10, &id));
    H_OK(mixplay_session_set_control_int(s, "b", "count", 7, &id));
    H_OK(mixplay_session_set_control_bool(s, "b", "flagged", true, &id));
    H_OK(mixplay_session_set_control_float(s, "b", "ratio", 0.25, &id));
    H_OK(mixplay_session_set_control_string(s, "b", "label", "hello world", &id));
    H_OK(mixplay_session_set_control_json(s, "b", "data", "{\"a\":[1,2]}", &id));
    H_OK(mixplay_session_set_control_meta_json(s, "b", "owner", "\"me\"", &id));
    H_OK(mixplay_session_set_control_meta_json(s, "b", "hp", "12", &id));
    H_OK(mixplay_session_set_control_disabled(s, "cd", true, &id));
    H_CHECK(id == batch);
    H_RC(mixplay_session_set_control_int(s, "b", "controlID", 1, &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_set_control_text(s, "nope", "x", &id), MIXPLAY_RESULT_NOT_FOUND);
    H_RC(mixplay_session_set_control_progress(s, "b", NAN, &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_set_control_float(s, "b", "ratio", INFINITY, &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_OK(mixplay_session_end_frame(s));
    h_reply_ok(s, batch);
    H_OK(mixplay_session_get_control_int(s, "b", "count", false, &i64));
    H_CHECK(i64 == 7);
    H_OK(mixplay_session_get_control_int(s, "b", "keyCode", false, &i64));
    H_CHECK(i64 == 32);
    H_OK(mixplay_session_get_control_int(s, "buy", "cost", false, &i64));
    H_CHECK(i64 == 10);
    H_OK(mixplay_session_get_control_float(s, "b", "ratio", false, &f));
    H_CHECK(f == 0.25);
    H_OK(mixplay_session_get_control_float(s, "b", "progress", false, &f));
    H_CHECK(f == 0.5);
    H_OK(mixplay_session_get_control_float(s, "b", "count", false, &f));
    H_CHECK(f == 7.0);
    H_OK(mixplay_session_get_control_bool(s, "b", "flagged", false, &b));
    H_CHECK(b);
    H_OK(mixplay_session_get_control_bool(s, "cd", "disabled", false, &b));
    H_CHECK(b);
    H_RC(mixplay_session_get_control_string(s, "b", "label", false, NULL, 0, &len), MIXPLAY_RESULT_BUFFER_TOO_SMALL);
    H_CHECK(len == 11);
    memset(buf, '#', sizeof buf);
    H_RC(mixplay_session_get_control_string(s, "b", "label", false, buf, 11, &len), MIXPLAY_RESULT_BUFFER_TOO_SMALL);
    H_CHECK(len == 11 && buf[0] == '#'); /* nothing written */
    H_OK(mixplay_session_get_control_string(s, "b", "label", false, buf, 12, &len));
    H_CHECK(len == 11 && strcmp(buf, "hello world") == 0);
    H_OK(mixplay_session_get_control_string(s, "b", "text", false, buf, sizeof buf, &len));
    H_CHECK(strcmp(buf, "Jump") == 0);
    H_OK(mixplay_session_get_control_string(s, "b", "tooltip", false, buf, sizeof buf, &len));
    H_CHECK(strcmp(buf, "jumps") == 0);
    H_OK(mixplay_session_get_control_json(s, "b", "data", false, &str));
    H_STREQ(str, "{\"a\":[1,2]}");
    H_OK(mixplay_session_get_control_json(s, "b", "owner", true, &str));
    H_STREQ(str, "\"me\"");
    H_OK(mixplay_session_get_control_string(s, "b", "owner", true, buf, sizeof buf, &len));
    H_CHECK(strcmp(buf, "me") == 0);
    H_OK(mixplay_session_get_control_int(s, "b", "hp", true, &i64));
    H_CHECK(i64 == 12);
    H_RC(mixplay_session_get_control_int(s, "b", "label", false, &i64), MIXPLAY_RESULT_WRONG_TYPE);
    H_RC(mixplay_session_get_control_bool(s, "b", "count", false, &b), MIXPLAY_RESULT_WRONG_TYPE);
    H_RC(mixplay_session_get_control_string(s, "b", "count", false, buf, sizeof buf, &len), MIXPLAY_RESULT_WRONG_TYPE);
    H_RC(mixplay_session_get_control_float(s, "b", "label", false, &f), MIXPLAY_RESULT_WRONG_TYPE);
    H_RC(mixplay_session_get_control_int(s, "b", "nothing", false, &i64), MIXPLAY_RESULT_NOT_FOUND);
    H_RC(mixplay_session_get_control_int(s, "b", "nothing", true, &i64), MIXPLAY_RESULT_NOT_FOUND);
    H_RC(mixplay_session_get_control_int(s, "nope", "count", false, &i64), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_get_control(s, "b", &str));
    H_CHECK(h_contains(str, "\"controlID\":\"b\"") && h_contains(str, "\"label\":\"hello world\""));
    H_RC(mixplay_session_get_control(s, "nope", &str), MIXPLAY_RESULT_NOT_FOUND);

    /* ----- ready ----- */
    H_OK(mixplay_session_ready(s, true, &id));
    e = wait_event(s, MIXPLAY_EVENT_KIND_READY, NULL, NULL);
    H_CHECK(e->flag);
    h_reply_ok(s, id);
    H_OK(mixplay_session_is_ready(s, &b));
    H_CHECK(b);

    /* ----- participants ----- */
    h_join("demo-viewer-1", sid1, sizeof sid1);
    e = wait_event(s, MIXPLAY_EVENT_KIND_PARTICIPANT_JOINED, sid1, NULL);
    h_join("demo-viewer-2", sid2, sizeof sid2);
    wait_event(s, MIXPLAY_EVENT_KIND_PARTICIPANT_JOINED, sid2, NULL);
    H_OK(mixplay_session_participant_count(s, &n));
    H_CHECK(n == 2);
    H_OK(mixplay_session_get_participant(s, sid1, &p));
    H_STREQ(p.session_id, sid1);
    H_STREQ(p.username, "viewer1");
    H_STREQ(p.group, "default");
    H_CHECK(p.user_id == 2 && p.level == 1 && p.connected_at > 0 && !p.disabled && !p.anonymous);
    H_OK(mixplay_session_get_participant_by_user_id(s, 3, &p));
    H_STREQ(p.session_id, sid2);
    H_STREQ(p.username, "viewer2");
    H_RC(mixplay_session_get_participant(s, "00000000-0000-0000-0000-000000000000", &p), MIXPLAY_RESULT_NOT_FOUND);
    H_RC(mixplay_session_get_participant_by_user_id(s, 99, &p), MIXPLAY_RESULT_NOT_FOUND);
    memset(&v, 0, sizeof v);
    v.session = s;
    H_OK(mixplay_session_for_each_participant(s, visit, &v));
    H_CHECK(v.calls == 2 && v.saw_viewer1 && v.saw_viewer2);
    memset(&v, 0, sizeof v);
    v.session = s;
    v.stop_after = 1;
    H_OK(mixplay_session_for_each_participant(s, visit, &v));
    H_CHECK(v.calls == 1);

    /* ----- input of every kind, and the per-frame helpers ----- */
    H_CHECK(h_button("demo-viewer-1", "b", "mousedown", 0) == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_MOUSE_DOWN, "b");
    H_STREQ(e->participant, sid1);
    H_CHECK(e->button == 0 && e->transaction.len == 0);
    H_OK(mixplay_session_button_counts(s, "b", &presses, &releases));
    H_CHECK(presses == 1 && releases == 0);
    H_OK(mixplay_session_button_counts(s, "b", &presses, NULL));
    H_OK(mixplay_session_button_presser_at(s, "b", 0, &str));
    H_STREQ(str, sid1);
    H_RC(mixplay_session_button_presser_at(s, "b", 1, &str), MIXPLAY_RESULT_NOT_FOUND);
    H_OK(mixplay_session_button_holder_count(s, "b", &n));
    H_CHECK(n == 1);
    H_OK(mixplay_session_button_holder_at(s, "b", 0, &str));
    H_STREQ(str, sid1);
    H_RC(mixplay_session_button_holder_at(s, "b", 1, &str), MIXPLAY_RESULT_NOT_FOUND);

    H_CHECK(h_button("demo-viewer-1", "b", "mouseup", 2) == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_MOUSE_UP, "b");
    H_CHECK(e->button == 2);
    H_OK(mixplay_session_button_counts(s, "b", &presses, &releases));
    H_CHECK(releases == 1);
    H_OK(mixplay_session_button_holder_count(s, "b", &n));
    H_CHECK(n == 0);
    H_CHECK(h_key("demo-viewer-2", "b", "keydown") == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_KEY_DOWN, "b");
    H_STREQ(e->participant, sid2);
    H_CHECK(h_key("demo-viewer-2", "b", "keyup") == 0);
    wait_input(s, MIXPLAY_INPUT_KIND_KEY_UP, "b");

    H_CHECK(h_move("demo-viewer-1", "j", 0.5, -0.25) == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_MOVE, "j");
    H_CHECK(e->has_position && e->x == 0.5 && e->y == -0.25);
    H_OK(mixplay_session_joystick_mean(s, "j", &x, &y, &moves));
    H_CHECK(moves == 1 && x == 0.5 && y == -0.25);
    H_CHECK(h_move("demo-viewer-2", "j", -0.1, 0.75) == 0);
    wait_input(s, MIXPLAY_INPUT_KIND_MOVE, "j");
    H_OK(mixplay_session_joystick_mean(s, "j", &x, &y, &moves));
    /* Whether both moves fall in one frame depends on when they arrived. */
    H_CHECK((moves == 2 && fabs(x - 0.2) < 1e-9 && fabs(y - 0.25) < 1e-9) ||
            (moves == 1 && x == -0.1 && y == 0.75));
    H_OK(mixplay_session_joystick_mean(s, "b", &x, &y, &moves));
    H_CHECK(moves == 0 && x == 0 && y == 0);

    H_CHECK(h_text("demo-viewer-1", "t", "change", "hel") == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_TEXT_CHANGE, "t");
    H_STREQ(e->text, "hel");
    H_CHECK(h_text("demo-viewer-1", "t", "submit", "hello") == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_TEXT_SUBMIT, "t");
    H_STREQ(e->text, "hello");
    H_OK(mixplay_session_text_submission_count(s, "t", &n));
    H_CHECK(n == 1);
    H_OK(mixplay_session_text_submission_at(s, "t", 0, &str, &str2));
    H_STREQ(str, sid1);
    H_STREQ(str2, "hello");
    H_RC(mixplay_session_text_submission_at(s, "t", 1, &str, &str2), MIXPLAY_RESULT_NOT_FOUND);

    /* A disabled control refuses input (the service's code reaches the participant). */
    H_CHECK(h_button("demo-viewer-1", "cd", "mousedown", 0) != 0);
    H_OK(mixplay_session_set_control_disabled(s, "cd", false, &id));
    H_OK(mixplay_session_set_control_cooldown(s, "cd", 60000, &id2));
    H_CHECK(id == id2);
    H_OK(mixplay_session_end_frame(s));
    h_reply_ok(s, id);
    H_OK(mixplay_session_get_control_int(s, "cd", "cooldown", false, &i64));
    H_CHECK(i64 > (int64_t)time(NULL) * 1000);
    H_CHECK(h_button("demo-viewer-1", "cd", "mousedown", 0) != 0);

    /* ----- sparks: a costed press opens a transaction; capture charges it ----- */
    H_CHECK(h_button("demo-viewer-1", "buy", "mousedown", 0) == 0);
    e = wait_input(s, MIXPLAY_INPUT_KIND_MOUSE_DOWN, "buy");
    H_CHECK(e->transaction.len > 0);
    h_copy(e->transaction, txn, sizeof txn);
    H_OK(mixplay_session_capture(s, txn, &id));
    h_reply_ok(s, id);
    H_CHECK(h_sparks(2) == 990);
    H_OK(mixplay_session_capture(s, txn, &id));
    e = h_wait_reply(s, id);
    H_CHECK(!e->flag && e->code == 4006 && e->text.len > 0);

    /* ----- participant updates ----- */
    H_OK(mixplay_session_set_participant_disabled(s, sid2, true, &id));
    expect(s, id, MIXPLAY_EVENT_KIND_PARTICIPANT_UPDATED, sid2, NULL);
    H_OK(mixplay_session_get_participant(s, sid2, &p));
    H_CHECK(p.disabled);
    k = (uint32_t)h_button("demo-viewer-2", "b", "mousedown", 0);
    H_CHECK(k >= 4000 && k < 5000); /* refused: input disabled */
    H_OK(mixplay_session_set_participant_disabled(s, sid2, false, &id));
    h_reply_ok(s, id);
    snprintf(buf, sizeof buf, "[{\"sessionID\":\"%s\",\"score\":5}]", sid2);
    H_OK(mixplay_session_update_participants(s, buf, 0, &id));
    h_reply_ok(s, id);
    H_OK(mixplay_session_move_participant(s, sid2, "g2", &id));
    h_reply_ok(s, id);
    H_OK(mixplay_session_get_participant(s, sid2, &p));
    H_STREQ(p.group, "g2");
    /* viewer2 now sees scene s2, where `b` does not exist. */
    H_CHECK(h_button("demo-viewer-2", "b", "mousedown", 0) != 0);
    H_CHECK(h_button("demo-viewer-2", "c2", "mousedown", 0) == 0);
    wait_input(s, MIXPLAY_INPUT_KIND_MOUSE_DOWN, "c2");

    H_OK(mixplay_session_update_groups(s, "[{\"groupID\":\"g2\",\"sceneID\":\"default\"}]", 0, &id));
    expect(s, id, MIXPLAY_EVENT_KIND_GROUP_UPDATED, NULL, "g2");
    H_OK(mixplay_session_delete_group(s, "g2", "default", &id));
    expect(s, id, MIXPLAY_EVENT_KIND_GROUP_DELETED, NULL, "g2");
    H_CHECK(strcmp(event_text, "default") == 0);
    H_OK(mixplay_session_get_participant(s, sid2, &p));
    H_STREQ(p.group, "default");
    H_OK(mixplay_session_delete_scene(s, "s2", "default", &id));
    expect(s, id, MIXPLAY_EVENT_KIND_SCENE_DELETED, NULL, "s2");
    H_CHECK(strcmp(event_text, "default") == 0);

    /* ----- the world ----- */
    H_OK(mixplay_session_update_world(s, "{\"round\":3}", 0, &id));
    expect(s, id, MIXPLAY_EVENT_KIND_WORLD_UPDATED, NULL, NULL);

    /* ----- the remaining requests ----- */
    H_OK(mixplay_session_call(s, "getTime", "null", &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_json_number(e->json, "time") > 1e12);
    H_OK(mixplay_session_get_time(s, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_json_number(e->json, "time") > 1e12);
    H_OK(mixplay_session_get_memory_stats(s, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_json_number(e->json, "usedBytes") > 0);
    H_OK(mixplay_session_set_bandwidth_throttle(s, "{\"giveInput\":{\"capacity\":100000,\"drainRate\":100000}}", &id));
    h_reply_ok(s, id);
    H_OK(mixplay_session_get_throttle_state(s, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, "giveInput"));
    H_OK(mixplay_session_set_bandwidth_throttle(s, "{\"giveInput\":null}", &id));
    h_reply_ok(s, id);
    H_OK(mixplay_session_get_all_participants(s, 0, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, sid1) && h_contains(e->json, sid2));
    H_OK(mixplay_session_get_active_participants(s, 0, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, sid1));
    H_OK(mixplay_session_get_participants_by_user_id(s, "[2,3]", &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, sid1) && h_contains(e->json, sid2));
    snprintf(buf, sizeof buf, "[\"%s\"]", sid1);
    H_OK(mixplay_session_get_participants_by_session_id(s, buf, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, "viewer1"));
    H_OK(mixplay_session_broadcast_event(s, "[\"everyone\"]", "{\"boom\":1}", &id));
    h_reply_ok(s, id);
    H_CHECK(strstr(h_wait_method("demo-viewer-1", "event"), "boom") != NULL);
    /* A service error arrives as a failed reply with its code. */
    H_OK(mixplay_session_call(s, "noSuchMethod", "{}", &id));
    H_CHECK(h_reply_err(s, id) >= 4000);
    H_OK(mixplay_session_create_groups(s, "[{\"groupID\":\"default\"}]", &id));
    H_CHECK(h_reply_err(s, id) >= 4000);

    /* ----- leaving ----- */
    h_leave("demo-viewer-1");
    e = wait_event(s, MIXPLAY_EVENT_KIND_PARTICIPANT_LEFT, sid1, NULL);
    H_CHECK(h_contains(e->json, "viewer1"));
    H_OK(mixplay_session_participant_count(s, &n));
    H_CHECK(n == 1);

    /* ----- poll_many hands out a batch; an idle poll hands out nothing ----- */
    H_OK(mixplay_session_ready(s, false, &id));
    {
        int64_t end = h_now_ms() + h()->wait_ms;
        int replied = 0;
        while (!replied) {
            size_t i;
            h()->in_poll = 1;
            H_OK(mixplay_session_poll_many(s, events, 8, &n));
            h()->in_poll = 0;
            H_CHECK(n <= 8);
            for (i = 0; i < n; i++) {
                h()->seen[events[i].kind]++;
                if (events[i].kind == MIXPLAY_EVENT_KIND_REPLY && events[i].request_id == id) replied = 1;
            }
            if (n == 0) {
                if (h_now_ms() > end) H_FAIL("timed out waiting for the unready reply");
                h_nap();
            }
        }
    }
    H_OK(mixplay_session_is_ready(s, &b));
    H_CHECK(!b);
    h_drain(s);

    /* Every kind the mediator can cause was seen (memory warnings and errors: limits.c). */
    for (k = MIXPLAY_EVENT_KIND_CONNECTION; k <= MIXPLAY_EVENT_KIND_REPLY; k++) {
        if (k == MIXPLAY_EVENT_KIND_MEMORY_WARNING) continue;
        if (h()->seen[k] == 0) H_FAIL("no event of kind %u was seen", k);
    }
    for (k = MIXPLAY_INPUT_KIND_MOUSE_DOWN; k <= MIXPLAY_INPUT_KIND_TEXT_SUBMIT; k++)
        if (h()->seen_input[k] == 0) H_FAIL("no input of kind %u was seen", k);

    H_OK(mixplay_session_free(s));
    H_OK(mixplay_set_log_sink(NULL, NULL));
    H_OK(mixplay_set_log_level(MIXPLAY_LOG_LEVEL_WARNING));
    h_done();
    return 0;
}
