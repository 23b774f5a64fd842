// The C++ wrapper (bindings/cpp/mixplay.hpp) against the mediator: RAII and moves, chained
// config setters, errors as exceptions carrying the result code and message, events as
// std::optional<Event>, string views in and out, requests and their replies, the cache
// getters, enumeration, participants, and the per-frame helpers. The participant side is played
// by the Rust harness over the line protocol of tests/c/README.md (helpers from harness.h).
#include "harness.h"

#include <cmath>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "mixplay.hpp"

static_assert(!std::is_copy_constructible_v<mixplay::Session>, "sessions are move-only");
static_assert(!std::is_copy_constructible_v<mixplay::Config>, "configs are move-only");
static_assert(std::is_nothrow_move_constructible_v<mixplay::Session>, "sessions move cheaply");

// Polls until `pred(event)` holds, within the deadline; returns a copy of the kind and lets
// `pred` look at the event's views while they are valid.
static mixplay::Event wait_for(mixplay::Session &s, const char *what, const std::function<bool(const mixplay::Event &)> &pred) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::Event> e = s.poll();
        if (e) {
            if (pred(*e)) return *e;
        } else {
            if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
            h_nap();
        }
    }
}

static mixplay::Event reply(mixplay::Session &s, uint64_t id) {
    return wait_for(s, "a reply", [&](const mixplay::Event &e) { return e.is_reply_to(id); });
}

static void reply_ok(mixplay::Session &s, uint64_t id) {
    mixplay::Event e = reply(s, id);
    if (!e.ok()) H_FAIL("request %llu failed: %u %.*s", (unsigned long long)id, e.code, (int)e.text.size(), e.text.data());
}

// Runs `f`, which must throw mixplay::Error with `code`.
template <class F>
static void expect_error(mixplay_result code, F &&f) {
    try {
        f();
    } catch (const mixplay::Error &e) {
        H_CHECK(e.code() == code);
        H_CHECK(std::string(e.what()).size() > 0);
        return;
    }
    H_FAIL("no mixplay::Error %u was thrown", (unsigned)code);
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    H_CHECK(mixplay::abi_matches());
    H_CHECK(mixplay::abi_version() == MIXPLAY_ABI_VERSION);
    H_CHECK(!mixplay::version().empty());
    H_CHECK(mixplay::result_str(MIXPLAY_RESULT_OK) == "ok");
    mixplay::set_log_level(mixplay::LogLevel::Warning);
    mixplay::set_log_sink(nullptr, nullptr);
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [] { mixplay::set_log_level(static_cast<mixplay::LogLevel>(9)); });
    H_CHECK(!mixplay::last_error().empty());

    // ----- config: chained setters; invalid values throw -----
    mixplay::Config config;
    config.discovery_url(std::string_view(h()->hosts_url))
        .token("demo-streamer")
        .version_id(1)
        .compression("gzip")
        .auto_ready(false)
        .reconnect(true, 100, 1000, -1)
        .connect_timeout_ms(10000)
        .request_timeout_ms(10000)
        .handshake_in_query(false)
        .event_queue_capacity(4096)
        .share_code(std::nullopt)
        .tls_roots_pem(std::nullopt, true);
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { config.version_id(0); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { config.compression("zip"); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { config.tls_roots_pem(std::string_view("junk"), false); });
    {
        mixplay::Config scratch;
        scratch.add_endpoint(std::string_view(h()->ws_url)).share_code(std::string_view("code"));
        expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { mixplay::Session no_token(scratch); });
        // Moves: the moved-from config holds nothing, and calls on it throw.
        mixplay::Config moved = std::move(scratch);
        H_CHECK(moved.raw() != nullptr && scratch.raw() == nullptr);
        expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { scratch.token("x"); });
        // Adopt and release round trip.
        mixplay::Config adopted(moved.release());
        H_CHECK(moved.raw() == nullptr && adopted.raw() != nullptr);
    }

    // ----- connect -----
    mixplay::Session first(config);
    mixplay::Session s = std::move(first);
    H_CHECK(!first && s);
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { (void)first.poll(); });
    wait_for(s, "connected", [](const mixplay::Event &e) {
        return e.kind == mixplay::EventKind::Connection && e.connection_state == mixplay::ConnectionState::Connected;
    });
    H_CHECK(s.connection_state() == mixplay::ConnectionState::Connected);
    H_CHECK(!s.is_ready());
    H_CHECK(std::llabs((long long)(s.server_time_ms() - (int64_t)time(nullptr) * 1000)) < 60000);
    H_CHECK(s.scenes() == std::vector<std::string_view>{"default"});
    H_CHECK(s.group_count() == 1 && s.group_at(0).first == "default" && s.group_at(0).second == "default");

    // ----- controls, properties -----
    std::string scene = "default";  // a std::string converts to the string_view parameters
    uint64_t id = s.create_controls(scene, R"([{"controlID":"b","kind":"button"},{"controlID":"buy","kind":"button","cost":5},)"
                                           R"({"controlID":"j","kind":"joystick"},{"controlID":"t","kind":"textbox"}])");
    reply_ok(s, id);
    H_CHECK(s.control_count("default") == 4 && s.controls("default").size() == 4 && s.control_at("default", 0) == "b");
    uint64_t batch = s.set_control_text("b", "Jump");
    H_CHECK(s.set_control_tooltip("b", "tip") == batch);
    s.set_control_progress("b", 0.75);
    s.set_control_cooldown("j", 1);
    s.set_control_disabled("t", false);
    s.set_control_cost("buy", 5);
    s.set_control_key_code("b", 65);
    s.set_control_int("b", "n", -3);
    s.set_control_bool("b", "on", true);
    s.set_control_float("b", "f", 1.5);
    s.set_control_string("b", "label", "a longer label than sixteen bytes");
    s.set_control_json("b", "obj", R"({"k":[true]})");
    s.set_control_meta_json("b", "owner", R"("cpp")");
    expect_error(MIXPLAY_RESULT_NOT_FOUND, [&] { s.set_control_text("nope", "x"); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { s.set_control_float("b", "f", NAN); });
    expect_error(MIXPLAY_RESULT_INVALID_JSON, [&] { s.set_control_json("b", "obj", "{"); });
    expect_error(MIXPLAY_RESULT_INVALID_UTF8, [&] { s.set_control_text("b", "\xff"); });
    s.end_frame();
    reply_ok(s, batch);
    H_CHECK(s.get_control_string("b", "text") == "Jump");
    H_CHECK(s.get_control_string("b", "label") == "a longer label than sixteen bytes");
    H_CHECK(s.get_control_string("b", "owner", true) == "cpp");
    H_CHECK(s.get_control_int("b", "n") == -3);
    H_CHECK(s.get_control_int("b", "keyCode") == 65);
    H_CHECK(s.get_control_float("b", "f") == 1.5 && s.get_control_float("b", "progress") == 0.75);
    H_CHECK(s.get_control_bool("b", "on"));
    H_CHECK(s.get_control_json("b", "obj") == R"({"k":[true]})");
    H_CHECK(s.get_control("b").find(R"("controlID":"b")") != std::string_view::npos);
    expect_error(MIXPLAY_RESULT_WRONG_TYPE, [&] { (void)s.get_control_int("b", "label"); });
    expect_error(MIXPLAY_RESULT_NOT_FOUND, [&] { (void)s.get_control_string("b", "nothing"); });

    // ----- ready, participants, input -----
    id = s.ready(true);
    reply_ok(s, id);
    H_CHECK(s.is_ready());
    char sid[64];
    h_join("demo-viewer-3", sid, sizeof sid);
    wait_for(s, "the join", [&](const mixplay::Event &e) {
        return e.kind == mixplay::EventKind::ParticipantJoined && e.participant == sid;
    });
    H_CHECK(s.participant_count() == 1);
    mixplay::Participant p = s.participant(sid);
    H_CHECK(p.username == "viewer3" && p.user_id == 4 && p.level == 3 && p.group == "default");
    H_CHECK(s.participant_by_user_id(4).session_id == sid);
    expect_error(MIXPLAY_RESULT_NOT_FOUND, [&] { (void)s.participant_by_user_id(77); });
    int visits = 0;
    s.for_each_participant([&](const mixplay::Participant &q) {
        visits++;
        H_CHECK(q.username == "viewer3");
    });
    H_CHECK(visits == 1);
    // An exception inside the callback crosses back over the C library and is rethrown here.
    bool rethrown = false;
    try {
        s.for_each_participant([](const mixplay::Participant &) -> bool { throw std::runtime_error("inside"); });
    } catch (const std::runtime_error &e) {
        rethrown = std::string(e.what()) == "inside";
    }
    H_CHECK(rethrown);

    H_CHECK(h_button("demo-viewer-3", "b", "mousedown", 1) == 0);
    mixplay::Event e = wait_for(s, "mousedown", [](const mixplay::Event &ev) { return ev.is_input(mixplay::InputKind::MouseDown, "b"); });
    H_CHECK(e.button == 1 && e.participant == sid);
    H_CHECK(s.button_counts("b").first == 1);
    H_CHECK(s.button_presser_at("b", 0) == sid);
    H_CHECK(s.button_holder_count("b") == 1 && s.button_holder_at("b", 0) == sid);
    H_CHECK(h_move("demo-viewer-3", "j", 0.0, 1.0) == 0);
    wait_for(s, "move", [](const mixplay::Event &ev) { return ev.is_input(mixplay::InputKind::Move, "j"); });
    mixplay::Session::JoystickMean m = s.joystick_mean("j");
    H_CHECK(m.moves == 1 && m.x == 0.0 && m.y == 1.0);
    H_CHECK(h_text("demo-viewer-3", "t", "submit", "gg") == 0);
    wait_for(s, "submit", [](const mixplay::Event &ev) { return ev.is_input(mixplay::InputKind::TextSubmit, "t"); });
    H_CHECK(s.text_submission_count("t") == 1);
    H_CHECK(s.text_submission_at("t", 0).first == sid && s.text_submission_at("t", 0).second == "gg");

    H_CHECK(h_button("demo-viewer-3", "buy", "mousedown", 0) == 0);
    e = wait_for(s, "costed press", [](const mixplay::Event &ev) { return ev.is_input(mixplay::InputKind::MouseDown, "buy"); });
    std::string txn(e.transaction);  // copied: views die at the next poll
    H_CHECK(!txn.empty());
    reply_ok(s, s.capture(txn));
    H_CHECK(h_sparks(4) == 995);
    mixplay::Event failed = reply(s, s.capture(txn));
    H_CHECK(!failed.ok() && failed.code == 4006);

    // ----- the rest of the requests -----
    reply_ok(s, s.create_scenes(R"([{"sceneID":"s2"}])"));
    reply_ok(s, s.update_scenes(R"([{"sceneID":"s2","x":1}])"));
    reply_ok(s, s.create_groups(R"([{"groupID":"g2","sceneID":"s2"}])"));
    reply_ok(s, s.update_groups(R"([{"groupID":"g2","sceneID":"s2","y":2}])"));
    reply_ok(s, s.move_participant(sid, "g2"));
    H_CHECK(s.participant(sid).group == "g2");
    reply_ok(s, s.set_participant_disabled(sid, true));
    reply_ok(s, s.set_participant_disabled(sid, false));
    reply_ok(s, s.update_participants(std::string(R"([{"sessionID":")") + sid + R"(","z":1}])"));
    reply_ok(s, s.delete_group("g2", "default"));
    reply_ok(s, s.delete_scene("s2", "default"));
    reply_ok(s, s.update_controls("default", R"([{"controlID":"b","text":"B"}])"));
    reply_ok(s, s.delete_controls("default", R"(["t"])"));
    reply_ok(s, s.update_world(R"({"w":1})"));
    reply_ok(s, s.call("getTime", "null"));
    reply_ok(s, s.get_time());
    reply_ok(s, s.get_memory_stats());
    reply_ok(s, s.set_bandwidth_throttle(R"({"*":{"capacity":1000000,"drainRate":1000000}})"));
    reply_ok(s, s.get_throttle_state());
    reply_ok(s, s.get_all_participants(0));
    reply_ok(s, s.get_active_participants(0));
    reply_ok(s, s.get_participants_by_user_id("[4]"));
    reply_ok(s, s.get_participants_by_session_id(std::string("[\"") + sid + "\"]"));
    reply_ok(s, s.broadcast_event(R"(["everyone"])", R"({"hi":1})"));
    H_CHECK(strstr(h_wait_method("demo-viewer-3", "event"), "hi") != nullptr);
    H_CHECK(!reply(s, s.call("noSuchMethod", "{}")).ok());
    expect_error(MIXPLAY_RESULT_INVALID_JSON, [&] { s.create_scenes("[nope"); });

    h_leave("demo-viewer-3");
    wait_for(s, "the leave", [&](const mixplay::Event &ev) {
        return ev.kind == mixplay::EventKind::ParticipantLeft && ev.participant == sid;
    });
    // poll_many: drain in batches.
    for (;;) {
        std::vector<mixplay::Event> batch_events = s.poll_many(4);
        H_CHECK(batch_events.size() <= 4);
        if (batch_events.size() < 4) break;
    }
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { (void)s.poll_many(0); });

    // Adopt/release round trip of a session; the destructor frees it.
    mixplay::Session adopted(s.release());
    H_CHECK(!s && adopted);
    h_done();
    return 0;
}
