/* Misuse of the C API is refused with a result code, never a crash: NULL for every kind of
 * argument, freed and double-freed handles, a config passed as a session, invalid UTF-8 and
 * JSON, polling a session that is already polling (re-entrant from the log sink and from a
 * second pthread), requests after the session disconnected, and calls after free. */
#include "harness.h"

#include <pthread.h>

static const char BAD_UTF8[] = {(char)0xff, (char)0xfe, 'x', 0};

/* ----- BUSY: the log sink runs inside poll, so polling the same session from it is refused ----- */

typedef struct {
    mixplay_session *session;
    unsigned calls;
    unsigned busy_same_thread;
    unsigned busy_other_thread;
    unsigned other_calls_ok;
} sink_ctx;

static void *poll_from_thread(void *arg) {
    sink_ctx *ctx = (sink_ctx *)arg;
    mixplay_event e;
    bool has = true;
    if (mixplay_session_poll(ctx->session, &e, &has) == MIXPLAY_RESULT_BUSY) ctx->busy_other_thread++;
    return NULL;
}

static void busy_sink(void *user_data, uint32_t level, mixplay_str message) {
    sink_ctx *ctx = (sink_ctx *)user_data;
    mixplay_event e;
    bool has = true;
    uint32_t state = 0;
    pthread_t other;
    (void)level;
    (void)message;
    H_CHECK(h()->in_poll);
    ctx->calls++;
    if (ctx->session == NULL) return;
    /* Same thread, re-entrant. */
    if (mixplay_session_poll(ctx->session, &e, &has) == MIXPLAY_RESULT_BUSY) ctx->busy_same_thread++;
    H_CHECK(has); /* out-params untouched on failure */
    /* Another pthread, while this poll is still running. */
    H_CHECK(pthread_create(&other, NULL, poll_from_thread, ctx) == 0);
    H_CHECK(pthread_join(other, NULL) == 0);
    /* Other calls on the session work from inside the sink. */
    if (mixplay_session_connection_state(ctx->session, &state) == MIXPLAY_RESULT_OK && state != 0) ctx->other_calls_ok++;
}

static bool never(void *user_data, const mixplay_participant *p) {
    (void)user_data;
    (void)p;
    return true;
}

/* Every session function, with `s` as the session, must return `want`. */
static void every_session_call(mixplay_session *s, uint32_t want) {
    mixplay_event e, many[2];
    mixplay_participant p;
    mixplay_str str;
    uint64_t id;
    size_t n;
    uint32_t u, u2;
    int64_t i64;
    double x, y;
    bool b;
    char buf[8];

    H_RC(mixplay_session_poll(s, &e, &b), want);
    H_RC(mixplay_session_poll_many(s, many, 2, &n), want);
    H_RC(mixplay_session_end_frame(s), want);
    H_RC(mixplay_session_connection_state(s, &u), want);
    H_RC(mixplay_session_is_ready(s, &b), want);
    H_RC(mixplay_session_server_time_ms(s, &i64), want);
    H_RC(mixplay_session_call(s, "getTime", "null", &id), want);
    H_RC(mixplay_session_ready(s, true, &id), want);
    H_RC(mixplay_session_create_scenes(s, "[]", &id), want);
    H_RC(mixplay_session_update_scenes(s, "[]", 0, &id), want);
    H_RC(mixplay_session_delete_scene(s, "a", "b", &id), want);
    H_RC(mixplay_session_create_controls(s, "default", "[]", &id), want);
    H_RC(mixplay_session_update_controls(s, "default", "[]", 0, &id), want);
    H_RC(mixplay_session_delete_controls(s, "default", "[]", &id), want);
    H_RC(mixplay_session_create_groups(s, "[]", &id), want);
    H_RC(mixplay_session_update_groups(s, "[]", 0, &id), want);
    H_RC(mixplay_session_delete_group(s, "a", "b", &id), want);
    H_RC(mixplay_session_update_participants(s, "[]", 0, &id), want);
    H_RC(mixplay_session_move_participant(s, "p", "g", &id), want);
    H_RC(mixplay_session_set_participant_disabled(s, "p", true, &id), want);
    H_RC(mixplay_session_update_world(s, "{}", 0, &id), want);
    H_RC(mixplay_session_capture(s, "t", &id), want);
    H_RC(mixplay_session_broadcast_event(s, "[\"everyone\"]", "{}", &id), want);
    H_RC(mixplay_session_set_bandwidth_throttle(s, "{}", &id), want);
    H_RC(mixplay_session_get_throttle_state(s, &id), want);
    H_RC(mixplay_session_get_memory_stats(s, &id), want);
    H_RC(mixplay_session_get_time(s, &id), want);
    H_RC(mixplay_session_get_all_participants(s, 0, &id), want);
    H_RC(mixplay_session_get_active_participants(s, 0, &id), want);
    H_RC(mixplay_session_get_participants_by_user_id(s, "[1]", &id), want);
    H_RC(mixplay_session_get_participants_by_session_id(s, "[\"a\"]", &id), want);
    H_RC(mixplay_session_set_control_text(s, "b", "t", &id), want);
    H_RC(mixplay_session_set_control_tooltip(s, "b", "t", &id), want);
    H_RC(mixplay_session_set_control_progress(s, "b", 0.5, &id), want);
    H_RC(mixplay_session_set_control_cooldown(s, "b", 10, &id), want);
    H_RC(mixplay_session_set_control_disabled(s, "b", true, &id), want);
    H_RC(mixplay_session_set_control_cost(s, "b", 1, &id), want);
    H_RC(mixplay_session_set_control_key_code(s, "b", 1, &id), want);
    H_RC(mixplay_session_set_control_int(s, "b", "k", 1, &id), want);
    H_RC(mixplay_session_set_control_bool(s, "b", "k", true, &id), want);
    H_RC(mixplay_session_set_control_float(s, "b", "k", 1.0, &id), want);
    H_RC(mixplay_session_set_control_string(s, "b", "k", "v", &id), want);
    H_RC(mixplay_session_set_control_json(s, "b", "k", "1", &id), want);
    H_RC(mixplay_session_set_control_meta_json(s, "b", "k", "1", &id), want);
    H_RC(mixplay_session_get_control_int(s, "b", "k", false, &i64), want);
    H_RC(mixplay_session_get_control_float(s, "b", "k", false, &x), want);
    H_RC(mixplay_session_get_control_bool(s, "b", "k", false, &b), want);
    H_RC(mixplay_session_get_control_string(s, "b", "k", false, buf, sizeof buf, &n), want);
    H_RC(mixplay_session_get_control_json(s, "b", "k", false, &str), want);
    H_RC(mixplay_session_get_control(s, "b", &str), want);
    H_RC(mixplay_session_scene_count(s, &n), want);
    H_RC(mixplay_session_scene_at(s, 0, &str), want);
    H_RC(mixplay_session_control_count(s, "default", &n), want);
    H_RC(mixplay_session_control_at(s, "default", 0, &str), want);
    H_RC(mixplay_session_group_count(s, &n), want);
    H_RC(mixplay_session_group_at(s, 0, &str, NULL), want);
    H_RC(mixplay_session_participant_count(s, &n), want);
    H_RC(mixplay_session_get_participant(s, "p", &p), want);
    H_RC(mixplay_session_get_participant_by_user_id(s, 2, &p), want);
    H_RC(mixplay_session_for_each_participant(s, never, NULL), want);
    H_RC(mixplay_session_button_counts(s, "b", &u, &u2), want);
    H_RC(mixplay_session_button_holder_count(s, "b", &n), want);
    H_RC(mixplay_session_button_holder_at(s, "b", 0, &str), want);
    H_RC(mixplay_session_button_presser_at(s, "b", 0, &str), want);
    H_RC(mixplay_session_joystick_mean(s, "b", &x, &y, &u), want);
    H_RC(mixplay_session_text_submission_count(s, "b", &n), want);
    H_RC(mixplay_session_text_submission_at(s, "b", 0, &str, &str), want);
}

/* NULL (or invalid UTF-8 / JSON) in every other argument of a live, connected session. */
static void bad_arguments(mixplay_session *s) {
    mixplay_event e, many[2];
    mixplay_participant p;
    mixplay_str str;
    uint64_t id = 777;
    size_t n;
    uint32_t u;
    int64_t i64;
    double x, y;
    bool b;
    char buf[8];
    const uint32_t N = MIXPLAY_RESULT_NULL_ARGUMENT, U = MIXPLAY_RESULT_INVALID_UTF8, J = MIXPLAY_RESULT_INVALID_JSON;

    /* Out-pointers. */
    H_RC(mixplay_session_poll(s, NULL, &b), N);
    H_RC(mixplay_session_poll(s, &e, NULL), N);
    H_RC(mixplay_session_poll_many(s, NULL, 2, &n), N);
    H_RC(mixplay_session_poll_many(s, many, 2, NULL), N);
    H_RC(mixplay_session_poll_many(s, many, 0, &n), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_connection_state(s, NULL), N);
    H_RC(mixplay_session_is_ready(s, NULL), N);
    H_RC(mixplay_session_server_time_ms(s, NULL), N);
    H_RC(mixplay_session_get_time(s, NULL), N);
    H_RC(mixplay_session_ready(s, true, NULL), N);
    H_RC(mixplay_session_scene_count(s, NULL), N);
    H_RC(mixplay_session_scene_at(s, 0, NULL), N);
    H_RC(mixplay_session_group_at(s, 0, NULL, NULL), N);
    H_RC(mixplay_session_participant_count(s, NULL), N);
    H_RC(mixplay_session_for_each_participant(s, NULL, NULL), N);
    H_RC(mixplay_session_button_counts(s, "b", NULL, &u), N);
    H_RC(mixplay_session_joystick_mean(s, "b", &x, NULL, &u), N);
    H_RC(mixplay_session_joystick_mean(s, "b", NULL, &y, &u), N);
    H_RC(mixplay_session_joystick_mean(s, "b", &x, &y, NULL), N);
    H_RC(mixplay_session_text_submission_count(s, "b", NULL), N);
    H_RC(mixplay_session_get_control_int(s, "b", "count", false, NULL), N);
    H_RC(mixplay_session_get_control_string(s, "b", "text", false, buf, sizeof buf, NULL), N);
    H_RC(mixplay_session_get_control(s, "b", NULL), N);
    H_RC(mixplay_session_set_control_text(s, "b", "x", NULL), N);
    H_CHECK(id == 777); /* nothing written on failure */

    /* Strings. */
    H_RC(mixplay_session_call(s, NULL, "null", &id), N);
    H_RC(mixplay_session_call(s, "getTime", NULL, &id), N);
    H_RC(mixplay_session_call(s, "", "null", &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_delete_scene(s, NULL, "default", &id), N);
    H_RC(mixplay_session_delete_scene(s, "x", NULL, &id), N);
    H_RC(mixplay_session_create_controls(s, NULL, "[]", &id), N);
    H_RC(mixplay_session_move_participant(s, NULL, "default", &id), N);
    H_RC(mixplay_session_capture(s, NULL, &id), N);
    H_RC(mixplay_session_set_control_text(s, NULL, "x", &id), N);
    H_RC(mixplay_session_set_control_text(s, "b", NULL, &id), N);
    H_RC(mixplay_session_set_control_int(s, "b", NULL, 1, &id), N);
    H_RC(mixplay_session_set_control_string(s, "b", "k", NULL, &id), N);
    H_RC(mixplay_session_get_control_int(s, NULL, "k", false, &i64), N);
    H_RC(mixplay_session_control_count(s, NULL, &n), N);
    H_RC(mixplay_session_get_participant(s, NULL, &p), N);
    H_RC(mixplay_session_button_holder_count(s, NULL, &n), N);
    H_RC(mixplay_session_button_presser_at(s, NULL, 0, &str), N);
    H_RC(mixplay_session_text_submission_at(s, NULL, 0, &str, &str), N);

    /* Invalid UTF-8. */
    H_RC(mixplay_session_call(s, BAD_UTF8, "null", &id), U);
    H_RC(mixplay_session_delete_group(s, BAD_UTF8, "default", &id), U);
    H_RC(mixplay_session_set_control_text(s, "b", BAD_UTF8, &id), U);
    H_RC(mixplay_session_set_control_text(s, BAD_UTF8, "x", &id), U);
    H_RC(mixplay_session_get_participant(s, BAD_UTF8, &p), U);
    H_RC(mixplay_session_get_control_int(s, "b", BAD_UTF8, false, &i64), U);
    H_RC(mixplay_session_button_counts(s, BAD_UTF8, &u, NULL), U);
    H_RC(mixplay_session_control_count(s, BAD_UTF8, &n), U);
    H_RC(mixplay_session_update_world(s, BAD_UTF8, 0, &id), U);

    /* Invalid JSON, and JSON of the wrong shape. */
    H_RC(mixplay_session_call(s, "getTime", "{nope", &id), J);
    H_RC(mixplay_session_create_scenes(s, "[", &id), J);
    H_RC(mixplay_session_update_world(s, "", 0, &id), J);
    H_RC(mixplay_session_delete_controls(s, "default", "[1,2]", &id), J);
    H_RC(mixplay_session_broadcast_event(s, "\"everyone\"", "{}", &id), J);
    H_RC(mixplay_session_get_participants_by_user_id(s, "[\"x\"]", &id), J);
    H_RC(mixplay_session_get_participants_by_session_id(s, "[1]", &id), J);
    H_RC(mixplay_session_set_control_json(s, "b", "k", "{", &id), J);
    H_RC(mixplay_session_set_control_meta_json(s, "b", "k", "nope", &id), J);
    H_CHECK(id == 777);
    H_CHECK(mixplay_last_error().len > 0);
}

int main(int argc, char **argv) {
    mixplay_config *c = NULL, *c2 = NULL;
    mixplay_session *s = NULL, *s2 = NULL;
    mixplay_session *fake = (mixplay_session *)(uintptr_t)12345;
    sink_ctx ctx;
    uint64_t id, batch;
    uint32_t code, state;
    const mixplay_event *e;

    h_init(argc, argv);

    /* ----- process-wide calls ----- */
    H_RC(mixplay_set_log_level(MIXPLAY_LOG_LEVEL_DEBUG + 1), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_CHECK(strcmp(mixplay_result_str(MIXPLAY_RESULT_BUSY), mixplay_result_str(MIXPLAY_RESULT_OK)) != 0);

    /* ----- configs ----- */
    H_RC(mixplay_config_new(NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_OK(mixplay_config_free(NULL));
    H_OK(mixplay_config_new(&c));
    H_RC(mixplay_config_set_token(c, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_token(c, BAD_UTF8), MIXPLAY_RESULT_INVALID_UTF8);
    H_RC(mixplay_config_set_discovery_url(c, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_discovery_url(c, BAD_UTF8), MIXPLAY_RESULT_INVALID_UTF8);
    H_RC(mixplay_config_add_endpoint(c, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_compression(c, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_share_code(c, BAD_UTF8), MIXPLAY_RESULT_INVALID_UTF8);
    H_RC(mixplay_config_set_tls_roots_pem(c, BAD_UTF8, true), MIXPLAY_RESULT_INVALID_UTF8);
    H_RC(mixplay_config_set_token(NULL, "x"), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_version_id(NULL, 1), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_config_set_auto_ready((mixplay_config *)(uintptr_t)12345, true), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_config_free(c));
    /* Freed, then double-freed. */
    H_RC(mixplay_config_set_version_id(c, 1), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_config_set_token(c, "x"), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_config_free(c), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_session_new(c, &s), MIXPLAY_RESULT_INVALID_HANDLE);
    H_CHECK(s == NULL);

    /* ----- a session: NULL and foreign handles ----- */
    c = h_config();
    H_OK(mixplay_config_set_reconnect(c, false, 100, 100, 0));
    H_RC(mixplay_session_new(NULL, &s), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_new(c, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_OK(mixplay_session_free(NULL));
    every_session_call(NULL, MIXPLAY_RESULT_NULL_ARGUMENT);
    every_session_call(fake, MIXPLAY_RESULT_INVALID_HANDLE);
    /* A config is not a session, and a session is not a config. */
    every_session_call((mixplay_session *)c, MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_session_free((mixplay_session *)c), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_config_set_version_id(c, 1)); /* still a live config */

    s = h_connect(c);
    H_RC(mixplay_config_set_token((mixplay_config *)s, "x"), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_config_free((mixplay_config *)s), MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_session_new((mixplay_config *)s, &s2), MIXPLAY_RESULT_INVALID_HANDLE);
    H_OK(mixplay_session_create_controls(s, "default", "[{\"controlID\":\"b\",\"kind\":\"button\",\"text\":\"t\",\"count\":1}]", &id));
    h_reply_ok(s, id);
    bad_arguments(s);
    /* A short buffer still reports the size needed. */
    {
        size_t len = 0;
        H_RC(mixplay_session_get_control_string(s, "b", "text", false, NULL, 100, &len), MIXPLAY_RESULT_BUFFER_TOO_SMALL);
        H_CHECK(len == 1);
    }

    /* ----- BUSY, deterministically: poll again from inside the log sink ----- */
    memset(&ctx, 0, sizeof ctx);
    ctx.session = s;
    H_OK(mixplay_set_log_level(MIXPLAY_LOG_LEVEL_INFO));
    H_OK(mixplay_set_log_sink(busy_sink, &ctx));
    /* A second session is refused by the service (one game client per version): its connection
     * events log at INFO and ERROR, which the sink receives inside polls of `s`. */
    H_OK(mixplay_session_new(c, &s2));
    {
        int64_t end = h_now_ms() + h()->wait_ms;
        mixplay_event ev;
        while (ctx.calls == 0) {
            if (h_now_ms() > end) H_FAIL("timed out waiting for a log record");
            if (!h_poll1(s, &ev)) h_nap();
        }
    }
    H_CHECK(ctx.busy_same_thread == ctx.calls);
    H_CHECK(ctx.busy_other_thread == ctx.calls);
    H_CHECK(ctx.other_calls_ok == ctx.calls);
    ctx.session = NULL;
    e = h_wait_state(s2, MIXPLAY_CONNECTION_STATE_DISCONNECTED);
    H_CHECK(e->code == 4021);
    H_OK(mixplay_session_free(s2));
    H_OK(mixplay_set_log_sink(NULL, NULL));
    H_OK(mixplay_set_log_level(MIXPLAY_LOG_LEVEL_OFF));

    /* ----- after the connection ended for good: requests are answered with reply code 2 ----- */
    h_close_game(1012); /* a restart, but this config does not reconnect */
    e = h_wait_state(s, MIXPLAY_CONNECTION_STATE_DISCONNECTED);
    H_OK(mixplay_session_connection_state(s, &state));
    H_CHECK(state == MIXPLAY_CONNECTION_STATE_DISCONNECTED);
    H_OK(mixplay_session_get_time(s, &id));
    code = h_reply_err(s, id);
    H_CHECK(code == 2);
    H_OK(mixplay_session_call(s, "getTime", "{}", &id));
    H_CHECK(h_reply_err(s, id) == 2);
    H_OK(mixplay_session_set_control_text(s, "b", "later", &batch));
    H_OK(mixplay_session_end_frame(s));
    H_CHECK(h_reply_err(s, batch) == 2);

    /* ----- after free: every call is INVALID_HANDLE, and so is a second free ----- */
    H_OK(mixplay_session_free(s));
    every_session_call(s, MIXPLAY_RESULT_INVALID_HANDLE);
    H_RC(mixplay_session_free(s), MIXPLAY_RESULT_INVALID_HANDLE);
    H_CHECK(mixplay_last_error().len > 0);

    /* A config outlives the sessions made from it and can make more. */
    H_OK(mixplay_config_new(&c2));
    H_OK(mixplay_config_free(c2));
    H_OK(mixplay_config_free(c));
    h_done();
    return 0;
}
