/* The events only limits cause, against a mediator with a per-session memory cap (see
 * tests/c_api.rs): an input flood past a small event queue gives an ERROR event of kind
 * QUEUE_OVERFLOW (and never more inputs than fit), and growing the session to 90% of its cap
 * gives a MEMORY_WARNING event. */
#include "harness.h"

/* How many inputs the viewer sends while the game does not poll. */
#define FLOOD 100
/* The event queue the session is configured with. */
#define QUEUE 16


typedef struct {
    unsigned inputs;
    unsigned dropped;
    unsigned overflows;
} flood_t;

static int after_flood(const mixplay_event *e, const void *ctx) {
    flood_t *f = (flood_t *)ctx;
    if (e->kind == MIXPLAY_EVENT_KIND_INPUT) f->inputs++;
    if (e->kind == MIXPLAY_EVENT_KIND_ERROR) {
        H_CHECK(e->error_kind == MIXPLAY_ERROR_KIND_QUEUE_OVERFLOW);
        H_CHECK(h_contains(e->text, "dropped"));
        /* "N inputs were dropped ..." */
        f->dropped += (unsigned)strtoul(e->text.ptr, NULL, 10);
        f->overflows++;
    }
    if (f->inputs + f->dropped > FLOOD) H_FAIL("%u inputs and %u dropped, of %d", f->inputs, f->dropped, FLOOD);
    return f->inputs + f->dropped == FLOOD;
}

int main(int argc, char **argv) {
    mixplay_config *c;
    mixplay_session *s;
    const mixplay_event *e;
    flood_t flood;
    uint64_t id;
    double used, total, empty;
    size_t pad_len, i;
    char sid[64], *controls;
    int sent;

    h_init(argc, argv);
    c = h_config();
    H_OK(mixplay_config_set_event_queue_capacity(c, QUEUE));
    s = h_connect(c);
    H_OK(mixplay_config_free(c));

    H_OK(mixplay_session_create_controls(s, "default", "[{\"controlID\":\"b\",\"kind\":\"button\"}]", &id));
    h_reply_ok(s, id);
    H_OK(mixplay_session_ready(s, true, &id));
    h_reply_ok(s, id);
    h_join("demo-viewer-1", sid, sizeof sid);
    h_wait_kind(s, MIXPLAY_EVENT_KIND_PARTICIPANT_JOINED);
    h_drain(s);

    /* ----- the flood: the game does not poll while the viewer presses ----- */
    for (sent = 0; sent < FLOOD; sent++) H_CHECK(h_button("demo-viewer-1", "b", sent % 2 ? "mouseup" : "mousedown", 0) == 0);
    /* Every input is either handed out or counted as dropped in an overflow error. */
    memset(&flood, 0, sizeof flood);
    h_wait_for(s, "every input of the flood, delivered or counted", after_flood, &flood);
    H_CHECK(flood.overflows >= 1 && flood.dropped > 0);
    /* Some made it through the queue (how many depends on what else was queued with them). */
    H_CHECK(flood.inputs > 0 && flood.inputs < FLOOD);
    /* Requests still work: replies are never dropped. */
    H_OK(mixplay_session_get_time(s, &id));
    h_reply_ok(s, id);

    /* ----- memory: one control that brings the session to about 90% of its cap ----- */
    H_OK(mixplay_session_get_memory_stats(s, &id));
    e = h_reply_ok(s, id);
    used = h_json_number(e->json, "usedBytes");
    total = h_json_number(e->json, "totalBytes");
    H_CHECK(total > 0 && used < total * 0.8);
    empty = (double)strlen("{\"controlID\":\"pad\",\"kind\":\"button\",\"text\":\"\"}");
    pad_len = (size_t)(total * 0.9 - used - empty);
    controls = (char *)malloc(pad_len + 128);
    H_CHECK(controls != NULL);
    strcpy(controls, "[{\"controlID\":\"pad\",\"kind\":\"button\",\"text\":\"");
    i = strlen(controls);
    memset(controls + i, 'x', pad_len);
    strcpy(controls + i + pad_len, "\"}]");
    H_OK(mixplay_session_create_controls(s, "default", controls, &id));
    free(controls);
    e = h_wait_kind(s, MIXPLAY_EVENT_KIND_MEMORY_WARNING);
    H_CHECK((double)e->total_bytes == total);
    H_CHECK(e->used_bytes * 5 >= e->total_bytes * 4 && e->used_bytes <= e->total_bytes);
    H_CHECK(h_contains(e->json, "resources"));
    h_reply_ok(s, id);

    H_OK(mixplay_session_free(s));
    h_done();
    return 0;
}
