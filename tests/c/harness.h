/* Shared helpers for the C (and C++) test programs: checks, deadline-bounded waits, event
 * bookkeeping, and the line protocol that asks the Rust harness (tests/common/native.rs) to play
 * participants. See README.md beside this file.
 *
 * Include this header first (it selects POSIX 2008). Every helper is `static inline`, so each
 * program is a single translation unit and unused helpers cost nothing. The header compiles as
 * C99 and as C++17. */
#ifndef MIXPLAY_TEST_HARNESS_H
#define MIXPLAY_TEST_HARNESS_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mixplay.h"

/* ----- state ----- */

/* How many event kinds and input kinds the counters track. */
#define H_KINDS 32

typedef struct {
    const char *base_url;    /* argv[1]: the mediator, e.g. http://127.0.0.1:1234 */
    char hosts_url[256];     /* base_url + /api/v1/interactive/hosts */
    char ws_url[256];        /* ws://host:port/gameClient */
    int64_t wait_ms;         /* the deadline of one wait (MIXPLAY_TEST_WAIT_MS, default 10 s) */
    int in_poll;             /* set while a helper runs mixplay_session_poll */
    unsigned seen[H_KINDS];       /* events seen, by mixplay_event_kind */
    unsigned seen_input[H_KINDS]; /* input events seen, by mixplay_input_kind */
    mixplay_event last;      /* the event the last wait returned */
    char line[65536];        /* the last answer of the harness */
} h_state;

static inline h_state *h(void) {
    static h_state state;
    return &state;
}

/* ----- failing ----- */

static inline void h_failv(const char *file, int line, const char *fmt, va_list ap) {
    mixplay_str e = mixplay_last_error();
    fprintf(stderr, "FAILED at %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (mixplay_last_error: \"%.*s\")\n", (int)e.len, e.ptr);
    fflush(stderr);
    exit(1);
}

static inline void h_fail_at(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    h_failv(file, line, fmt, ap);
    va_end(ap);
}

#define H_FAIL(...) h_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fails the program unless `cond` holds. */
#define H_CHECK(cond)                                                                               \
    do {                                                                                            \
        if (!(cond)) H_FAIL("check failed: %s", #cond);                                             \
    } while (0)

/* Fails the program unless `call` returns `want` (a mixplay_result). */
#define H_RC(call, want)                                                                            \
    do {                                                                                            \
        uint32_t h_rc_ = (uint32_t)(call);                                                          \
        uint32_t h_want_ = (uint32_t)(want);                                                        \
        if (h_rc_ != h_want_)                                                                       \
            H_FAIL("%s returned %u (%s), expected %u (%s)", #call, h_rc_, mixplay_result_str(h_rc_), \
                   h_want_, mixplay_result_str(h_want_));                                           \
    } while (0)

#define H_OK(call) H_RC(call, MIXPLAY_RESULT_OK)

/* Whether a library string equals a C string. */
static inline int h_eq(mixplay_str s, const char *c) {
    size_t n = strlen(c);
    return s.ptr != NULL && s.len == n && memcmp(s.ptr, c, n) == 0 && s.ptr[n] == '\0';
}

/* Whether a library string contains a C string. */
static inline int h_contains(mixplay_str s, const char *c) {
    return s.ptr != NULL && strstr(s.ptr, c) != NULL;
}

#define H_STREQ(s, c)                                                                               \
    do {                                                                                            \
        mixplay_str h_s_ = (s);                                                                     \
        if (!h_eq(h_s_, (c))) H_FAIL("%s is \"%.*s\", expected \"%s\"", #s, (int)h_s_.len, h_s_.ptr, (c)); \
    } while (0)

/* Copies a library string into a caller buffer (truncating), NUL-terminated. */
static inline char *h_copy(mixplay_str s, char *buf, size_t cap) {
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(buf, s.ptr, n);
    buf[n] = '\0';
    return buf;
}

/* ----- time ----- */

static inline int64_t h_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A short pause between idle polls inside a deadline loop (never a synchronisation by itself). */
static inline void h_nap(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

/* A JSON number field of a reply, found by name (enough for flat test payloads). */
static inline double h_json_number(mixplay_str json, const char *field) {
    char key[64];
    const char *at;
    snprintf(key, sizeof key, "\"%s\":", field);
    at = strstr(json.ptr, key);
    if (at == NULL) H_FAIL("no %s in %.*s", field, (int)json.len, json.ptr);
    return strtod(at + strlen(key), NULL);
}

/* ----- start ----- */

/* Reads argv (the mediator's base URL) and the environment. */
static inline void h_init(int argc, char **argv) {
    const char *wait = getenv("MIXPLAY_TEST_WAIT_MS");
    h_state *st = h();
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL (run by tests/c_api.rs)\n", argv[0]);
        exit(2);
    }
    st->base_url = argv[1];
    st->wait_ms = wait != NULL ? atoll(wait) : 10000;
    if (st->wait_ms <= 0) st->wait_ms = 10000;
    snprintf(st->hosts_url, sizeof st->hosts_url, "%s/api/v1/interactive/hosts", st->base_url);
    if (strncmp(st->base_url, "http://", 7) != 0) H_FAIL("the base URL must be http://: %s", st->base_url);
    snprintf(st->ws_url, sizeof st->ws_url, "ws://%s/gameClient", st->base_url + 7);
}

/* ----- the line protocol ----- */

/* Sends one command line and reads the answer. Returns 0 for `OK` (the rest of the answer, if
 * any, is in h()->line after "OK "), the code for `ERR <code>`; fails on `FAIL` or EOF. */
static inline int h_cmdv(const char *fmt, va_list ap) {
    h_state *st = h();
    size_t n;
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    if (fgets(st->line, sizeof st->line, stdin) == NULL) H_FAIL("the harness closed the protocol");
    n = strlen(st->line);
    while (n > 0 && (st->line[n - 1] == '\n' || st->line[n - 1] == '\r')) st->line[--n] = '\0';
    if (strncmp(st->line, "OK", 2) == 0) {
        memmove(st->line, st->line + (n > 2 ? 3 : 2), n > 2 ? n - 2 : 1);
        return 0;
    }
    if (strncmp(st->line, "ERR ", 4) == 0) return atoi(st->line + 4);
    H_FAIL("the harness answered \"%s\"", st->line);
    return -1;
}

static inline int h_cmd(const char *fmt, ...) {
    int rc;
    va_list ap;
    va_start(ap, fmt);
    rc = h_cmdv(fmt, ap);
    va_end(ap);
    return rc;
}

/* Joins viewer `key` (demo-viewer-1..3) to channel 1; writes its session id. */
static inline void h_join(const char *key, char *sid, size_t cap) {
    int rc = h_cmd("JOIN %s", key);
    size_t n = strlen(h()->line);
    if (rc != 0) H_FAIL("JOIN %s refused with %d", key, rc);
    if (n >= cap) H_FAIL("JOIN %s: the session id does not fit", key);
    memcpy(sid, h()->line, n + 1);
}

/* Sends `giveInput` as viewer `key`; 0 if accepted, else the service's error code. */
static inline int h_input(const char *key, const char *json) {
    return h_cmd("INPUT %s %s", key, json);
}

static inline int h_button(const char *key, const char *control, const char *event, int button) {
    char json[512];
    snprintf(json, sizeof json, "{\"controlID\":\"%s\",\"event\":\"%s\",\"button\":%d}", control, event, button);
    return h_input(key, json);
}

static inline int h_key(const char *key, const char *control, const char *event) {
    char json[512];
    snprintf(json, sizeof json, "{\"controlID\":\"%s\",\"event\":\"%s\"}", control, event);
    return h_input(key, json);
}

static inline int h_move(const char *key, const char *control, double x, double y) {
    char json[512];
    snprintf(json, sizeof json, "{\"controlID\":\"%s\",\"event\":\"move\",\"x\":%g,\"y\":%g}", control, x, y);
    return h_input(key, json);
}

static inline int h_text(const char *key, const char *control, const char *event, const char *value) {
    char json[512];
    snprintf(json, sizeof json, "{\"controlID\":\"%s\",\"event\":\"%s\",\"value\":\"%s\"}", control, event, value);
    return h_input(key, json);
}

/* Waits until viewer `key` receives the server method `method`; its params are in h()->line. */
static inline const char *h_wait_method(const char *key, const char *method) {
    if (h_cmd("WAIT_METHOD %s %s", key, method) != 0) H_FAIL("WAIT_METHOD %s %s failed", key, method);
    return h()->line;
}

/* Closes viewer `key`'s socket. */
static inline void h_leave(const char *key) {
    if (h_cmd("LEAVE %s", key) != 0) H_FAIL("LEAVE %s failed", key);
}

/* Has the mediator close every game client with `code`. */
static inline void h_close_game(int code) {
    if (h_cmd("CLOSE_GAME %d", code) != 0) H_FAIL("CLOSE_GAME failed");
}

/* A viewer's spark balance. */
static inline long h_sparks(unsigned user) {
    if (h_cmd("SPARKS %u", user) != 0) H_FAIL("SPARKS failed");
    return atol(h()->line);
}

/* Says the program finished; it must exit 0 next. */
static inline void h_done(void) {
    if (h_cmd("DONE") != 0) H_FAIL("DONE failed");
}

/* ----- sessions ----- */

/* A config for the demo game: discovery at the mediator, the demo streamer, version 1. */
static inline mixplay_config *h_config(void) {
    mixplay_config *c = NULL;
    H_OK(mixplay_config_new(&c));
    H_OK(mixplay_config_set_discovery_url(c, h()->hosts_url));
    H_OK(mixplay_config_set_token(c, "demo-streamer"));
    H_OK(mixplay_config_set_version_id(c, 1));
    return c;
}

/* A predicate over events for h_wait_for. */
typedef int (*h_pred)(const mixplay_event *e, const void *ctx);

/* One poll, counting what it hands out. */
static inline int h_poll1(mixplay_session *s, mixplay_event *e) {
    bool has = false;
    h()->in_poll = 1;
    H_OK(mixplay_session_poll(s, e, &has));
    h()->in_poll = 0;
    if (has) {
        if (e->kind < H_KINDS) h()->seen[e->kind]++;
        if (e->kind == MIXPLAY_EVENT_KIND_INPUT && e->input_kind < H_KINDS) h()->seen_input[e->input_kind]++;
    }
    return has;
}

/* Polls until an event satisfies `pred` or the deadline passes (then fails). The event is
 * returned; it and its strings stay valid until the next poll of `s`. */
static inline const mixplay_event *h_wait_for(mixplay_session *s, const char *what, h_pred pred, const void *ctx) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        if (h_poll1(s, &h()->last)) {
            if (pred(&h()->last, ctx)) return &h()->last;
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static inline int h_is_kind(const mixplay_event *e, const void *ctx) {
    return e->kind == *(const uint32_t *)ctx;
}

static inline const mixplay_event *h_wait_kind(mixplay_session *s, uint32_t kind) {
    char what[64];
    snprintf(what, sizeof what, "an event of kind %u", kind);
    return h_wait_for(s, what, h_is_kind, &kind);
}

static inline int h_is_state(const mixplay_event *e, const void *ctx) {
    return e->kind == MIXPLAY_EVENT_KIND_CONNECTION && e->connection_state == *(const uint32_t *)ctx;
}

static inline const mixplay_event *h_wait_state(mixplay_session *s, uint32_t state) {
    char what[64];
    snprintf(what, sizeof what, "connection state %u", state);
    return h_wait_for(s, what, h_is_state, &state);
}

static inline int h_is_reply(const mixplay_event *e, const void *ctx) {
    return e->kind == MIXPLAY_EVENT_KIND_REPLY && e->request_id == *(const uint64_t *)ctx;
}

/* Waits for the reply to request `id`. */
static inline const mixplay_event *h_wait_reply(mixplay_session *s, uint64_t id) {
    char what[64];
    snprintf(what, sizeof what, "the reply to request %llu", (unsigned long long)id);
    return h_wait_for(s, what, h_is_reply, &id);
}

/* Waits for the reply to `id`, which must succeed; returns it. */
static inline const mixplay_event *h_reply_ok(mixplay_session *s, uint64_t id) {
    const mixplay_event *e = h_wait_reply(s, id);
    if (!e->flag)
        H_FAIL("request %llu failed: %u %.*s (%.*s)", (unsigned long long)id, e->code, (int)e->text.len, e->text.ptr,
               (int)e->path.len, e->path.ptr);
    return e;
}

/* Waits for the reply to `id`, which must fail; returns its code. */
static inline uint32_t h_reply_err(mixplay_session *s, uint64_t id) {
    const mixplay_event *e = h_wait_reply(s, id);
    if (e->flag) H_FAIL("request %llu should have failed: %.*s", (unsigned long long)id, (int)e->json.len, e->json.ptr);
    return e->code;
}

/* A session for the demo game, connected (the Connected event has been polled). */
static inline mixplay_session *h_connect(const mixplay_config *c) {
    mixplay_session *s = NULL;
    H_OK(mixplay_session_new(c, &s));
    h_wait_state(s, MIXPLAY_CONNECTION_STATE_CONNECTED);
    return s;
}

/* Polls until the queue is empty once (which ends the frame). */
static inline void h_drain(mixplay_session *s) {
    mixplay_event e;
    while (h_poll1(s, &e)) {
    }
}

#endif /* MIXPLAY_TEST_HARNESS_H */
