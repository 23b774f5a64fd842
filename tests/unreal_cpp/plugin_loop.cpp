// Everything below the Unreal layer, used the way the plugin's UMixPlaySubsystem uses it
// (bindings/unreal/MixPlay/Source/MixPlay/Private/*.cpp), against the mediator: `Game`
// (plugin_game.h) mirrors the subsystem with std types in place of engine ones, and this program
// drives every call the subsystem makes and every event it broadcasts: sign-in by code and
// silently with saved tokens (and the fallback to a code), the user and their channel, tokens
// refreshed and saved, input of every kind with the per-participant and screen state the state
// nodes read, every property setter and getter, scenes, controls and groups created, updated and
// deleted, participants, the world, broadcasts, throttles, the service queries, automatic and
// manual captures, the event budget, the whole chat (joined, messages, moderation, history, a
// poll), and disconnecting from a handler. Run by tests/unreal.rs (static, shared, ASan/UBSan/LSan,
// valgrind) over the line protocol of tests/c/README.md.
#include "plugin_game.h"

namespace {

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

// Signs `g` in (by code when `approve`, else silently) and waits for the user look-up.
uint32_t sign_in(Game &g, bool approve, std::string *shown) {
    uint32_t channel = 0;
    std::string code;
    g.on_sign_in = [&](mixplay::AuthState st, const std::string &c) {
        if (st == mixplay::AuthState::Waiting) code = c;
    };
    g.on_user = [&](uint32_t id, const std::string &name, uint32_t ch) {
        H_CHECK(id == 1 && name == "streamer");
        channel = ch;
    };
    g.start_sign_in();
    if (approve) {
        tick_until(g, "a short code", [&] { return !code.empty(); });
        H_CHECK(code.size() == 6);
        if (h_cmd("APPROVE %s", code.c_str()) != 0) H_FAIL("APPROVE failed");
    }
    tick_until(g, "the signed-in user", [&] { return channel != 0; });
    if (shown) *shown = code;
    return channel;
}

}  // namespace

int main(int argc, char **argv) {
    h_init(argc, argv);
    H_CHECK(mixplay::abi_matches());
    mixplay::set_log_level(mixplay::LogLevel::Warning);

    Game g;
    bool connected = false, ready = false;
    g.on_connection = [&](mixplay::ConnectionState st, uint32_t) { connected = st == mixplay::ConnectionState::Connected; };
    g.on_ready = [&](bool r) { ready = r; };
    std::map<uint64_t, std::pair<bool, uint32_t>> replies;
    g.on_reply = [&](uint64_t id, bool ok, uint32_t code, const std::string &) { replies[id] = {ok, code}; };
    auto reply_ok = [&](uint64_t id) {
        H_CHECK(id != 0);
        tick_until(g, "a reply", [&] { return replies.count(id) > 0; });
        if (!replies[id].first) H_FAIL("request %llu failed with %u", (unsigned long long)id, replies[id].second);
    };

    // ----- sign-in by code: the user and their channel; the tokens go to the save slot -----
    std::string shown;
    H_CHECK(sign_in(g, true, &shown) == 1);
    H_CHECK(!g.resumed_silently && g.slot && g.slot->refresh_token == g.refresh_token);
    const std::string first_refresh = g.refresh_token;

    // ----- connect with the signed-in token, refreshed by itself (said to last 2 s) -----
    std::vector<bool> refreshed;
    g.on_tokens = [&](bool ok, const std::string &) { refreshed.push_back(ok); };
    g.claimed_lifetime = 2;
    g.connect("");
    tick_until(g, "connected and ready", [&] { return connected && ready; });
    tick_until(g, "refreshed tokens", [&] { return !refreshed.empty(); });
    H_CHECK(refreshed[0] && g.refresh_token != first_refresh && g.slot->refresh_token == g.refresh_token);

    std::vector<std::pair<Change, std::string>> controls_changed;
    g.on_control = [&](Change c, const std::string &scene, const std::string &control) { controls_changed.push_back({c, scene + "/" + control}); };
    reply_ok(g.s().create_controls(
        "default", R"([{"controlID":"b","kind":"button"},{"controlID":"buy","kind":"button","cost":5},)"
                   R"({"controlID":"j","kind":"joystick"},{"controlID":"t","kind":"textbox"},{"controlID":"s","kind":"screen"},)"
                   R"({"controlID":"lbl","kind":"label","text":"Score","bold":true,"textSize":"20px"}])"));
    H_CHECK(controls_changed.size() == 6 && controls_changed[0].first == Change::Created);
    H_CHECK(g.s().controls("default").size() == 6);

    // ----- participants -----
    std::vector<Participant> joined;
    std::vector<std::string> left;
    g.on_joined = [&](const Participant &p) { joined.push_back(p); };
    g.on_left = [&](const std::string &id) { left.push_back(id); };
    char sid[64];
    h_join("demo-viewer-3", sid, sizeof sid);
    tick_until(g, "the join", [&] { return !joined.empty(); });
    H_CHECK(joined[0].id == sid && joined[0].username == "viewer3" && joined[0].group == "default");
    H_CHECK(g.s().participant_by_user_id(4).session_id == sid && g.s().participant_count() == 1);

    // ----- a button press; the handler sets the control's text, as a Blueprint would -----
    std::vector<std::string> downs, ups;
    uint64_t text_batch = 0;
    g.on_button_down = [&](const std::string &control, const std::string &who, const std::string &) {
        downs.push_back(control + "/" + who);
        if (control == "b") text_batch = g.s().set_control_text("b", "Pressed by " + who);
    };
    g.on_button_up = [&](const std::string &control, const std::string &) { ups.push_back(control); };
    H_CHECK(h_button("demo-viewer-3", "b", "mousedown", 0) == 0);
    tick_until(g, "the press", [&] { return !downs.empty(); });
    H_CHECK(downs[0] == std::string("b/") + sid);
    // The drain that delivered the press ended the frame: the per-frame helpers hold it, for
    // everyone (GetButtonState without a participant) and per participant.
    H_CHECK(g.s().button_counts("b").first == 1 && g.s().button_holder_count("b") == 1);
    H_CHECK(g.s().button_presser_at("b", 0) == sid && g.s().button_holder_at("b", 0) == sid);
    H_CHECK(g.frame.Presses("b", sid) == 1 && g.frame.Presses("b", "someone-else") == 0);
    reply_ok(text_batch);  // sent when the frame ended
    H_CHECK(g.s().get_control_string("b", "text") == std::string("Pressed by ") + sid);
    H_CHECK(h_button("demo-viewer-3", "b", "mouseup", 0) == 0);
    tick_until(g, "the release", [&] { return !ups.empty(); });
    H_CHECK(g.s().button_holder_count("b") == 0 && g.frame.Releases("b", sid) == 1);

    // ----- a screen: clicks and releases with their place, moves over it -----
    std::vector<std::pair<double, double>> screen_down, screen_up;
    g.on_screen_pressed = [&](const std::string &, const std::string &, double x, double y, const std::string &) { screen_down.push_back({x, y}); };
    g.on_screen_released = [&](const std::string &, const std::string &, double x, double y) { screen_up.push_back({x, y}); };
    H_CHECK(h_input("demo-viewer-3", R"({"controlID":"s","event":"mousedown","button":0,"x":0.25,"y":0.75})") == 0);
    tick_until(g, "the screen press", [&] { return !screen_down.empty(); });
    H_CHECK(screen_down[0].first == 0.25 && screen_down[0].second == 0.75 && downs.size() == 1);
    H_CHECK(g.frame.ScreenDowns("s").size() == 1 && g.frame.ScreenDowns("s")[0].Participant == sid);
    H_CHECK(g.s().button_holder_count("s") == 1);
    H_CHECK(h_move("demo-viewer-3", "s", 0.5, 0.125) == 0);
    double lx = 0, ly = 0;
    tick_until(g, "the move over the screen", [&] { return g.frame.LastMove("s", sid, lx, ly); });
    H_CHECK(lx == 0.5 && ly == 0.125 && g.s().joystick_mean("s").moves == 1);
    H_CHECK(h_input("demo-viewer-3", R"({"controlID":"s","event":"mouseup","button":0,"x":0.5,"y":0.5})") == 0);
    tick_until(g, "the screen release", [&] { return !screen_up.empty(); });
    H_CHECK(screen_up[0].first == 0.5 && g.frame.ScreenUps("s").size() == 1);

    // ----- joystick and textbox (typing and submitting) -----
    double jx = 0, jy = 0;
    int moves = 0;
    std::string submitted, typed;
    g.on_joystick = [&](const std::string &control, const std::string &, double x, double y) {
        if (control != "j") return;
        jx = x;
        jy = y;
        moves++;
    };
    g.on_text = [&](const std::string &, const std::string &, const std::string &text) { submitted = text; };
    g.on_text_changed = [&](const std::string &, const std::string &, const std::string &text) { typed = text; };
    H_CHECK(h_move("demo-viewer-3", "j", 0.5, -0.25) == 0);
    tick_until(g, "the move", [&] { return moves == 1; });
    H_CHECK(jx == 0.5 && jy == -0.25 && g.frame.LastMove("j", sid, lx, ly) && lx == 0.5);
    H_CHECK(h_text("demo-viewer-3", "t", "change", "gg") == 0);
    tick_until(g, "the typing", [&] { return !typed.empty(); });
    H_CHECK(typed == "gg" && g.frame.Changes("t").size() == 1 && g.frame.Changes("t")[0].Text == "gg");
    H_CHECK(h_text("demo-viewer-3", "t", "submit", "gg wp") == 0);
    tick_until(g, "the submission", [&] { return !submitted.empty(); });
    H_CHECK(submitted == "gg wp" && g.s().text_submission_count("t") == 1 && g.s().text_submission_at("t", 0).second == "gg wp");

    // ----- control property setters and getters (all of the subsystem's) -----
    uint64_t batch = g.s().set_control_tooltip("b", "tip");
    g.s().set_control_progress("b", 0.5);
    g.s().set_control_cooldown("j", 1000);
    g.s().set_control_disabled("t", true);
    g.s().set_control_cost("buy", 5);
    g.s().set_control_key_code("b", 32);
    g.s().set_control_int("b", "count", 3);
    g.s().set_control_float("b", "ratio", 0.25);
    g.s().set_control_bool("b", "flag", true);
    g.s().set_control_string("b", "label", "x");
    g.s().set_control_json("b", "style", R"({"c":1})");
    g.s().set_control_meta_json("b", "owner", R"("me")");
    reply_ok(batch);
    H_CHECK(g.s().get_control_float("b", "progress") == 0.5 && g.s().get_control_bool("t", "disabled"));
    H_CHECK(g.s().get_control_int("b", "keyCode") == 32 && g.s().get_control_int("b", "count") == 3);
    H_CHECK(g.s().get_control_json("b", "style") == R"({"c":1})" && contains(g.s().get_control("b"), "\"owner\""));
    H_CHECK(g.s().get_control_int("j", "cooldown") > g.s().server_time_ms());  // GetButtonState's RemainingCooldown
    H_CHECK(g.s().get_control_string("lbl", "text") == "Score" && g.s().get_control_bool("lbl", "bold"));

    // ----- captures: automatic on press, then by the handler; results map to transactions -----
    std::vector<std::pair<std::string, bool>> results;
    g.on_transaction = [&](uint64_t, const std::string &txn, bool ok, uint32_t) { results.push_back({txn, ok}); };
    g.auto_capture = true;
    H_CHECK(h_button("demo-viewer-3", "buy", "mousedown", 0) == 0);
    tick_until(g, "the automatic capture", [&] { return !results.empty(); });
    H_CHECK(results[0].second && h_sparks(4) == 995);
    g.auto_capture = false;
    std::string pending_txn;
    g.on_button_down = [&](const std::string &control, const std::string &, const std::string &txn) {
        if (control == "buy") {
            pending_txn = txn;
            g.capture(txn);
        }
    };
    H_CHECK(h_button("demo-viewer-3", "buy", "mousedown", 0) == 0);
    tick_until(g, "the transaction result", [&] { return results.size() == 2; });
    H_CHECK(!pending_txn.empty() && results[1].first == pending_txn && results[1].second);
    H_CHECK(h_sparks(4) == 990);

    // ----- scenes, controls and groups: created, updated, deleted -----
    std::vector<std::pair<Change, std::string>> scenes_changed, groups_changed;
    g.on_scene = [&](Change c, const std::string &scene, const std::string &) { scenes_changed.push_back({c, scene}); };
    g.on_group = [&](Change c, const std::string &group, const std::string &) { groups_changed.push_back({c, group}); };
    reply_ok(g.s().create_scenes(R"([{"sceneID":"lobby","controls":[]}])"));
    reply_ok(g.s().update_scenes(R"([{"sceneID":"lobby","meta":{"mood":"calm"}}])", 1));
    controls_changed.clear();
    reply_ok(g.s().create_controls("lobby", R"([{"controlID":"wait","kind":"button"}])"));
    reply_ok(g.s().update_controls("lobby", R"([{"controlID":"wait","text":"Wait"}])", 1));
    reply_ok(g.s().delete_controls("lobby", R"(["wait"])"));
    H_CHECK(controls_changed.size() == 3 && controls_changed[2].first == Change::Deleted && controls_changed[2].second == "lobby/wait");
    reply_ok(g.s().create_groups(R"([{"groupID":"vips","sceneID":"default"}])"));
    reply_ok(g.s().update_groups(R"([{"groupID":"vips","sceneID":"lobby"}])"));
    H_CHECK(g.s().group_count() == 2);
    reply_ok(g.s().move_participant(sid, "vips"));
    H_CHECK(g.s().participant(sid).group == "vips");
    reply_ok(g.s().set_participant_disabled(sid, true));
    H_CHECK(g.s().participant(sid).disabled);
    reply_ok(g.s().update_participants(std::string(R"([{"sessionID":")") + sid + R"(","disabled":false}])"));
    H_CHECK(!g.s().participant(sid).disabled);
    reply_ok(g.s().delete_group("vips", "default"));
    H_CHECK(g.s().participant(sid).group == "default");
    reply_ok(g.s().delete_scene("lobby", "default"));
    H_CHECK(scenes_changed.size() >= 3 && scenes_changed.front().first == Change::Created && scenes_changed.back().first == Change::Deleted);
    H_CHECK(groups_changed.size() >= 3 && groups_changed.back().first == Change::Deleted && groups_changed.back().second == "vips");
    H_CHECK(g.s().scenes().size() == 1 && g.s().group_count() == 1 && g.s().group_at(0).first == "default");

    // ----- the world, broadcasts, throttles and the service's queries -----
    bool world = false;
    g.on_world = [&] { world = true; };
    reply_ok(g.s().update_world(R"({"round":3})"));
    tick_until(g, "the world update", [&] { return world; });
    reply_ok(g.s().broadcast_event(R"(["everyone"])", R"({"boom":true})"));
    H_CHECK(contains(h_wait_method("demo-viewer-3", "event"), "boom"));
    reply_ok(g.s().set_bandwidth_throttle(R"({"*":null})"));
    reply_ok(g.s().get_throttle_state());
    reply_ok(g.s().get_memory_stats());
    reply_ok(g.s().get_time());
    reply_ok(g.s().get_all_participants(0));
    reply_ok(g.s().get_active_participants(0));
    reply_ok(g.s().get_participants_by_user_id("[4]"));
    reply_ok(g.s().get_participants_by_session_id(std::string("[\"") + sid + "\"]"));
    reply_ok(g.s().call("getTime", "null"));

    // ----- files: uploaded (what a viewer loads), deleted -----
    const std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};
    reply_ok(g.s().upload_file("unreal/tile.png", png));
    H_CHECK(h_cmd("FETCH %s/files/1/unreal/tile.png", h()->base_url) == 0);
    H_CHECK(std::string(h()->line) == "200 image/png 11 89504e470d0a1a0a010203");
    reply_ok(g.s().delete_file("unreal/tile.png"));
    H_CHECK(h_cmd("FETCH %s/files/1/unreal/tile.png", h()->base_url) == 0);
    H_CHECK(std::string(h()->line).rfind("404 ", 0) == 0);

    // ----- a small budget: a burst of input is spread over frames, each cut ended with end_frame -----
    g.on_button_down = [&](const std::string &control, const std::string &who, const std::string &) {
        downs.push_back(control + "/" + who);
    };
    downs.clear();
    g.budget = 2;
    g.max_tick_events = 0;
    for (int i = 0; i < 6; i++) H_CHECK(h_button("demo-viewer-3", "b", i % 2 ? "mouseup" : "mousedown", 0) == 0);
    tick_until(g, "the burst", [&] { return downs.size() == 3; });
    // However the six inputs were spread over ticks (arrival timing varies), no tick handed out
    // more than the budget; cut drains ended their frame with end_frame (counted in end_frames).
    H_CHECK(g.max_tick_events <= 2);
    g.budget = 1024;

    // ----- chat: the streamer's own channel (0) with the signed-in, refreshed token -----
    std::vector<std::pair<std::string, std::string>> messages;
    std::map<uint64_t, std::pair<bool, std::string>> chat_replies;
    std::vector<std::string> chat_events;
    uint32_t chat_channel = 0;
    std::string permissions;
    g.on_chat_joined = [&](bool signed_in, uint32_t user, uint32_t channel, const std::string &p) {
        H_CHECK(signed_in && user == 1);
        chat_channel = channel;
        permissions = p;
    };
    g.on_chat_message = [&](const std::string &user, const std::string &text) { messages.push_back({user, text}); };
    g.on_chat_event = [&](const std::string &name, const std::string &) { chat_events.push_back(name); };
    g.on_chat_reply = [&](uint64_t id, bool ok, const std::string &error, const std::string &json) {
        chat_replies[id] = {ok, ok ? json : error};
    };
    auto chat_ok = [&](uint64_t id) {
        tick_until(g, "a chat reply", [&] { return chat_replies.count(id) > 0; });
        if (!chat_replies[id].first) H_FAIL("chat request %llu failed: %s", (unsigned long long)id, chat_replies[id].second.c_str());
        return chat_replies[id].second;
    };
    g.start_chat(0, "");
    tick_until(g, "the chat to join", [&] { return chat_channel != 0; });
    H_CHECK(chat_channel == 1 && contains(permissions, "\"poll_start\"") && contains(permissions, "\"timeout\""));
    H_CHECK(g.the_chat().connection_state() == mixplay::ConnectionState::Connected);
    uint64_t sent = g.the_chat().send("hello from the plugin");
    chat_ok(sent);
    tick_until(g, "the echo", [&] { return !messages.empty(); });
    H_CHECK(messages[0].first == "streamer" && messages[0].second == "hello from the plugin");
    {
        mixplay::Chat viewer(h()->base_url, 1, "demo-viewer-1");
        std::string viewer_message_id;
        auto viewer_until = [&](const char *what, auto pred) {
            int64_t end = h_now_ms() + h()->wait_ms;
            for (;;) {
                while (std::optional<mixplay::ChatEvent> e = viewer.poll()) {
                    if (pred(*e)) return;
                }
                g.tick();
                if (h_now_ms() > end) H_FAIL("timed out waiting for the viewer's %s", what);
                h_nap();
            }
        };
        viewer_until("join", [](const mixplay::ChatEvent &e) { return e.kind == mixplay::ChatEventKind::Joined; });
        uint64_t vid = viewer.send("hi streamer");
        viewer_until("reply", [&](const mixplay::ChatEvent &e) {
            if (!e.is_reply_to(vid)) return false;
            const size_t at = e.json.find("\"id\":\"") + 6;
            viewer_message_id = std::string(e.json.substr(at, e.json.find('"', at) - at));
            return true;
        });
        tick_until(g, "the viewer's message", [&] { return messages.size() >= 2 && messages.back().second == "hi streamer"; });
        H_CHECK(messages.back().first == "viewer1");
        H_CHECK(contains(chat_ok(g.the_chat().whisper("viewer1", "psst")), "psst"));
        H_CHECK(contains(chat_ok(g.the_chat().history(10)), "hi streamer"));
        // A poll: the viewer votes; the streamer hears PollStart events.
        chat_ok(g.the_chat().start_poll("Next map?", R"(["desert","snow"])", 30));
        uint64_t vote = viewer.vote(1);
        viewer_until("vote", [&](const mixplay::ChatEvent &e) { return e.is_reply_to(vote); });
        tick_until(g, "PollStart", [&] { return std::find(chat_events.begin(), chat_events.end(), "PollStart") != chat_events.end(); });
        // Moderation.
        chat_ok(g.the_chat().delete_message(viewer_message_id));
        viewer_until("the deletion", [](const mixplay::ChatEvent &e) { return e.is_event("DeleteMessage"); });
        chat_ok(g.the_chat().timeout("viewer1", "30s"));
        viewer_until("the timeout", [](const mixplay::ChatEvent &e) { return e.is_event("UserTimeout"); });
        chat_ok(g.the_chat().timeout("viewer1", "clear"));
        chat_ok(g.the_chat().purge("viewer1"));
        chat_ok(g.the_chat().clear_messages());
        viewer_until("the clear", [](const mixplay::ChatEvent &e) { return e.is_event("ClearMessages"); });
        chat_ok(g.the_chat().call("ping", "[]"));
    }
    g.the_chat().set_token(g.token);

    // ----- leave -----
    h_leave("demo-viewer-3");
    tick_until(g, "the leave", [&] { return !left.empty(); });
    H_CHECK(left[0] == sid);

    // ----- a handler that disconnects mid-drain: the drain stops; nothing touches freed storage -----
    h_join("demo-viewer-2", sid, sizeof sid);
    joined.clear();
    g.on_joined = [&](const Participant &) { g.disconnect(); };
    tick_until(g, "the disconnect from a handler", [&] { return !g.has_session(); });
    for (int i = 0; i < 3; i++) g.tick();

    // ----- reconnect with a token of the game's own; a swapped token is used at the next reconnection -----
    g.on_joined = nullptr;
    connected = false;
    g.connect("demo-streamer");
    tick_until(g, "reconnected", [&] { return connected; });
    g.s().set_token("demo-streamer");
    connected = false;
    h_close_game(1012);
    tick_until(g, "connected again with the swapped token", [&] { return connected; });
    g.disconnect();
    g.disconnect_chat();

    // ----- the next run: the save slot signs in silently (no code), with fresh tokens -----
    {
        Game next;
        next.slot = g.slot;
        std::string code;
        H_CHECK(sign_in(next, false, &code) == 1);
        H_CHECK(next.resumed_silently && code.empty() && next.refresh_token != g.slot->refresh_token);
    }
    // ----- a spent refresh token in the slot: back to a code, and the slot is forgotten -----
    {
        Game stale;
        stale.slot = SavedTokens{"old", first_refresh, 3600, 0};
        std::string code;
        stale.on_sign_in = [&](mixplay::AuthState st, const std::string &c) {
            if (st == mixplay::AuthState::Waiting) code = c;
        };
        stale.start_sign_in();
        tick_until(stale, "a code after the refusal", [&] { return !code.empty(); });
        H_CHECK(!stale.slot);
        stale.sign_out();
    }
    h_done();
    return 0;
}
