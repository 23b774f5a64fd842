// The C++17 wrapper (mixplay.hpp from the packaged SDK's include/) linked against the static
// library: the same game as consumer.c, run by tests/package.rs against the mediator.
#include "harness.h"

#include <optional>
#include <string>

#include "mixplay.hpp"

static mixplay::Event wait_for(mixplay::Session &s, const char *what, bool (*pred)(const mixplay::Event &, const std::string &),
                               const std::string &arg) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::Event> e = s.poll();
        if (e) {
            if (pred(*e, arg)) return *e;
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static bool is_reply(const mixplay::Event &e, const std::string &id) { return e.is_reply_to(std::stoull(id)); }

static bool is_press(const mixplay::Event &e, const std::string &sid) {
    return e.is_input(mixplay::InputKind::MouseDown, "press") && e.participant == sid;
}

static bool is_connected(const mixplay::Event &e, const std::string &) {
    return e.kind == mixplay::EventKind::Connection && e.connection_state == mixplay::ConnectionState::Connected;
}

static void reply_ok(mixplay::Session &s, uint64_t id) {
    mixplay::Event e = wait_for(s, "a reply", is_reply, std::to_string(id));
    if (!e.ok()) H_FAIL("request %llu failed: %u", (unsigned long long)id, e.code);
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    H_CHECK(mixplay::abi_matches());
    mixplay::Config config;
    config.discovery_url(std::string_view(h()->hosts_url)).token("demo-streamer").version_id(1);
    mixplay::Session session(config);
    wait_for(session, "the connection", is_connected, "");

    reply_ok(session, session.create_controls("default", R"([{"controlID":"press","kind":"button","text":"Press"}])"));
    reply_ok(session, session.ready(true));

    char sid[128];
    h_join("demo-viewer-1", sid, sizeof sid);
    H_CHECK(h_button("demo-viewer-1", "press", "mousedown", 0) == 0);
    wait_for(session, "the viewer's press", is_press, sid);
    // stdout carries the line protocol: what the game reports goes to stderr.
    std::fprintf(stderr, "pressed by %s\n", std::string(session.participant(sid).username).c_str());
    h_done();
    return 0;
}
