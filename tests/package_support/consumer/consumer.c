/* A game built against the packaged SDK (dist/mixplay-VERSION-PLATFORM, found by CMake or
 * pkg-config), run by tests/package.rs against the mediator: it connects to the demo world as
 * the demo streamer, gives the audience a button, and reacts to a viewer pressing it. */
#include "harness.h"

static int is_press(const mixplay_event *e, const void *ctx) {
    return e->kind == MIXPLAY_EVENT_KIND_INPUT && e->input_kind == MIXPLAY_INPUT_KIND_MOUSE_DOWN &&
           h_eq(e->control, "press") && h_eq(e->participant, (const char *)ctx);
}

int main(int argc, char **argv) {
    mixplay_config *config;
    mixplay_session *session;
    mixplay_participant who;
    uint64_t id;
    char sid[128];
    const mixplay_event *e;

    h_init(argc, argv);
    H_CHECK(mixplay_abi_version() == MIXPLAY_ABI_VERSION);
    config = h_config();
    session = h_connect(config);
    H_OK(mixplay_config_free(config));

    H_OK(mixplay_session_create_controls(session, "default",
                                         "[{\"controlID\":\"press\",\"kind\":\"button\",\"text\":\"Press\"}]", &id));
    h_reply_ok(session, id);
    H_OK(mixplay_session_ready(session, true, &id));
    h_reply_ok(session, id);

    h_join("demo-viewer-1", sid, sizeof sid);
    H_CHECK(h_button("demo-viewer-1", "press", "mousedown", 0) == 0);
    e = h_wait_for(session, "the viewer's press", is_press, sid);
    H_OK(mixplay_session_get_participant(session, sid, &who));
    /* stdout carries the line protocol: what the game reports goes to stderr. */
    fprintf(stderr, "pressed by %.*s\n", (int)who.username.len, who.username.ptr);
    (void)e;

    H_OK(mixplay_session_free(session));
    h_done();
    return 0;
}
