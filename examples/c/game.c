/* A plain C game loop on the mixplay C API.
 *
 *   game [BASE_URL] [SECONDS]
 *
 * Connects to a MixPlay service (default http://127.0.0.1:8080, e.g. `mixplay-server`) as the
 * demo streamer (MIXPLAY_TOKEN, MIXPLAY_VERSION override), creates its controls, goes ready and
 * then polls once a frame (~16 ms):
 *   - `jump` (button): prints who jumped;
 *   - `charge` (button): each press fills the progress bar by a quarter; when full, the button
 *     cools down for 5 s and the bar empties;
 *   - `steer` (joystick): prints the mean position of the frame's moves;
 *   - `vip` (button, costs 10 sparks): captures the transaction, and once the sparks are charged
 *     moves the buyer to the `vips` group.
 * Every reaction is printed as one line on stdout. Runs until Ctrl-C (or SECONDS elapse), then
 * frees the session and exits 0. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mixplay.h"

#define FRAME_MS 16
#define MAX_PENDING 32

static volatile sig_atomic_t quit = 0;

static void on_signal(int sig) {
    (void)sig;
    quit = 1;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Prints the failed call and the library's detail, then exits. */
static void check(mixplay_result rc, const char *what) {
    if (rc != MIXPLAY_RESULT_OK) {
        mixplay_str detail = mixplay_last_error();
        fprintf(stderr, "%s failed: %s (%.*s)\n", what, mixplay_result_str(rc), (int)detail.len, detail.ptr);
        exit(1);
    }
}

/* Requests whose replies the game acts on. */
typedef enum { PENDING_SETUP, PENDING_CAPTURE, PENDING_MOVE } pending_kind;

typedef struct {
    uint64_t id;
    pending_kind kind;
    char participant[64];
} pending_t;

static pending_t pending[MAX_PENDING];
static int pending_count = 0;

static void remember(uint64_t id, pending_kind kind, const char *participant) {
    pending_t *p;
    if (pending_count == MAX_PENDING) return;
    p = &pending[pending_count++];
    p->id = id;
    p->kind = kind;
    snprintf(p->participant, sizeof p->participant, "%s", participant);
}

static int take(uint64_t id, pending_t *out) {
    int i;
    for (i = 0; i < pending_count; i++) {
        if (pending[i].id == id) {
            *out = pending[i];
            pending[i] = pending[--pending_count];
            return 1;
        }
    }
    return 0;
}

/* The participant's username, or their session id when the cache has no entry. */
static void name_of(mixplay_session *s, mixplay_str sid, char *buf, size_t cap) {
    mixplay_participant p;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)sid.len, sid.ptr);
    if (mixplay_session_get_participant(s, id, &p) == MIXPLAY_RESULT_OK)
        snprintf(buf, cap, "%.*s", (int)p.username.len, p.username.ptr);
    else
        snprintf(buf, cap, "%s", id);
}

static void set_up(mixplay_session *s) {
    uint64_t id;
    check(mixplay_session_create_controls(s, "default",
                                          "[{\"controlID\":\"jump\",\"kind\":\"button\",\"text\":\"Jump\"},"
                                          "{\"controlID\":\"charge\",\"kind\":\"button\",\"text\":\"Charge\",\"progress\":0},"
                                          "{\"controlID\":\"steer\",\"kind\":\"joystick\"},"
                                          "{\"controlID\":\"vip\",\"kind\":\"button\",\"text\":\"VIP\",\"cost\":10}]",
                                          &id),
          "create_controls");
    remember(id, PENDING_SETUP, "");
    check(mixplay_session_create_groups(s, "[{\"groupID\":\"vips\",\"sceneID\":\"default\"}]", &id), "create_groups");
    remember(id, PENDING_SETUP, "");
    check(mixplay_session_ready(s, true, &id), "ready");
    remember(id, PENDING_SETUP, "");
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    long seconds = argc > 2 ? atol(argv[2]) : 0;
    const char *token = getenv("MIXPLAY_TOKEN") ? getenv("MIXPLAY_TOKEN") : "demo-streamer";
    unsigned version = getenv("MIXPLAY_VERSION") ? (unsigned)atoi(getenv("MIXPLAY_VERSION")) : 1;
    char url[512], who[128];
    mixplay_config *config = NULL;
    mixplay_session *session = NULL;
    long long end = seconds > 0 ? now_ms() + seconds * 1000 : 0;
    int charges = 0, set = 0, setup_left = 3;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    snprintf(url, sizeof url, "%s/api/v1/interactive/hosts", base);

    check(mixplay_config_new(&config), "config_new");
    check(mixplay_config_set_discovery_url(config, url), "set_discovery_url");
    check(mixplay_config_set_token(config, token), "set_token");
    check(mixplay_config_set_version_id(config, version), "set_version_id");
    check(mixplay_session_new(config, &session), "session_new");
    mixplay_config_free(config);
    printf("connecting to %s\n", base);
    fflush(stdout);

    while (!quit && (end == 0 || now_ms() < end)) {
        long long frame_start = now_ms();
        mixplay_event e;
        bool has = false;
        double x, y;
        uint32_t moves = 0;

        /* 1. Hand out this frame's events. */
        for (;;) {
            check(mixplay_session_poll(session, &e, &has), "poll");
            if (!has) break;
            switch (e.kind) {
            case MIXPLAY_EVENT_KIND_CONNECTION:
                printf("connection state %u%s%.*s\n", e.connection_state, e.text.len ? ": " : "", (int)e.text.len, e.text.ptr);
                if (e.connection_state == MIXPLAY_CONNECTION_STATE_CONNECTED && !set) {
                    set = 1;
                    set_up(session);
                }
                break;
            case MIXPLAY_EVENT_KIND_PARTICIPANT_JOINED:
                name_of(session, e.participant, who, sizeof who);
                printf("joined: %s\n", who);
                break;
            case MIXPLAY_EVENT_KIND_PARTICIPANT_LEFT:
                printf("left: %.*s\n", (int)e.participant.len, e.participant.ptr);
                break;
            case MIXPLAY_EVENT_KIND_INPUT:
                if (e.input_kind != MIXPLAY_INPUT_KIND_MOUSE_DOWN && e.input_kind != MIXPLAY_INPUT_KIND_KEY_DOWN) break;
                name_of(session, e.participant, who, sizeof who);
                if (strcmp(e.control.ptr, "jump") == 0) {
                    printf("jump pressed by %s\n", who);
                } else if (strcmp(e.control.ptr, "charge") == 0) {
                    uint64_t id;
                    charges++;
                    if (charges >= 4) {
                        charges = 0;
                        check(mixplay_session_set_control_progress(session, "charge", 0.0, &id), "progress");
                        check(mixplay_session_set_control_cooldown(session, "charge", 5000, &id), "cooldown");
                        printf("charge full: cooldown 5 s\n");
                    } else {
                        check(mixplay_session_set_control_progress(session, "charge", charges * 0.25, &id), "progress");
                        printf("charge %d%%\n", charges * 25);
                    }
                } else if (strcmp(e.control.ptr, "vip") == 0 && e.transaction.len > 0) {
                    uint64_t id;
                    check(mixplay_session_capture(session, e.transaction.ptr, &id), "capture");
                    remember(id, PENDING_CAPTURE, e.participant.ptr);
                    printf("vip requested by %s\n", who);
                }
                break;
            case MIXPLAY_EVENT_KIND_REPLY: {
                pending_t p;
                if (!take(e.request_id, &p)) break;
                if (!e.flag) {
                    printf("request %llu failed: %u %.*s\n", (unsigned long long)e.request_id, e.code, (int)e.text.len, e.text.ptr);
                } else if (p.kind == PENDING_SETUP && --setup_left == 0) {
                    printf("ready\n");
                } else if (p.kind == PENDING_CAPTURE) {
                    uint64_t id;
                    printf("sparks charged: %s\n", p.participant);
                    check(mixplay_session_move_participant(session, p.participant, "vips", &id), "move_participant");
                    remember(id, PENDING_MOVE, p.participant);
                } else if (p.kind == PENDING_MOVE) {
                    printf("moved %s to vips\n", p.participant);
                }
                break;
            }
            case MIXPLAY_EVENT_KIND_ERROR:
                printf("error %u: %.*s\n", e.error_kind, (int)e.text.len, e.text.ptr);
                break;
            default:
                break;
            }
        }

        /* 2. Read the frame's joystick input (the idle poll above ended the frame; the helpers
         *    describe the events it handed out). */
        if (mixplay_session_joystick_mean(session, "steer", &x, &y, &moves) == MIXPLAY_RESULT_OK && moves > 0)
            printf("steer %.2f %.2f (%u moves)\n", x, y, moves);
        fflush(stdout);

        /* 3. Sleep out the rest of the frame. (The progress and cooldown writes made while
         *    handling events were sent by the idle poll that ended the frame.) */
        {
            long long spent = now_ms() - frame_start;
            if (spent < FRAME_MS) sleep_ms((long)(FRAME_MS - spent));
        }
    }

    check(mixplay_session_free(session), "session_free");
    printf("bye\n");
    return 0;
}
