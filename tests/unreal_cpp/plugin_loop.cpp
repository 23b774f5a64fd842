// Everything below the Unreal layer, used the way the plugin's UMixPlaySubsystem uses it
// (bindings/unreal/MixPlay/Source/MixPlay/Private/MixPlaySubsystem.cpp), against the mediator:
// the C++ wrapper (bindings/cpp/mixplay.hpp), its chat and sign-in included. `Game` below
// mirrors the subsystem with std types in place of engine ones: a per-frame Tick that drains the session with an event budget (then
// end_frame), copies each event's strings before "broadcasting" to handlers, stops the drain when
// a handler disconnects or reconnects, maps capture replies to transactions, and polls the chat
// and the sign-in. Run by tests/unreal.rs (static, shared, ASan/UBSan/LSan, valgrind) over the
// line protocol of tests/c/README.md.
#include "harness.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mixplay.hpp"

namespace {

// The subsystem's OptionalView: an empty string as "none".
std::optional<std::string_view> optional_view(std::string_view s) {
    return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}

struct Participant {
    std::string id, username, group;
};

// The subsystem without the engine: std::function for delegates, std::string for FString.
class Game {
public:
    // ----- "delegates" -----
    std::function<void(mixplay::ConnectionState, uint32_t)> on_connection;
    std::function<void(bool)> on_ready;
    std::function<void(const std::string &, const std::string &, const std::string &)> on_button_down;
    std::function<void(const std::string &, const std::string &)> on_button_up;
    std::function<void(const std::string &, const std::string &, double, double)> on_joystick;
    std::function<void(const std::string &, const std::string &, const std::string &)> on_text;
    std::function<void(const Participant &)> on_joined;
    std::function<void(const std::string &)> on_left;
    std::function<void(uint64_t, const std::string &, bool, uint32_t)> on_transaction;
    std::function<void(uint64_t, bool, uint32_t, const std::string &)> on_reply;
    std::function<void(const std::string &, const std::string &)> on_chat_message;
    std::function<void(uint64_t, bool, const std::string &)> on_chat_reply;
    std::function<void(mixplay::AuthState, const std::string &)> on_sign_in;

    int budget = 1024;
    int end_frames = 0;      // how often the budget cut a drain short
    int max_tick_events = 0;  // the most events one tick handed out
    std::string token;   // from an approved sign-in

    void connect(const std::string &access_token) {
        mixplay::Config config;
        config.discovery_url(std::string_view(h()->hosts_url)).token(access_token).version_id(1).auto_ready(true);
        session.reset();
        captures.clear();
        ++generation;
        session.emplace(config);
    }
    void disconnect() {
        session.reset();
        captures.clear();
        ++generation;
    }
    mixplay::Session &s() {
        if (!session) H_FAIL("no session");
        return *session;
    }
    uint64_t capture(const std::string &transaction) {
        uint64_t id = s().capture(transaction);
        captures[id] = transaction;
        return id;
    }
    void start_chat(uint32_t channel, const std::string &access_token) {
        chat.reset();
        ++chat_generation;
        // As the subsystem does: an empty token or client id is none.
        chat.emplace(h()->base_url, channel, optional_view(access_token), optional_view("unreal-plugin-test"));
    }
    void start_sign_in() {
        if (!auth) {
            auth.emplace(h()->base_url, "unreal-plugin-test", "interactive:robot:self chat:connect chat:chat");
            last_auth = mixplay::AuthState::Idle;
        }
        auth->start();
    }
    void cancel_sign_in() { auth->cancel(); }
    bool has_session() const { return session.has_value(); }

    // One frame, in the subsystem's order.
    void tick() {
        poll_sign_in();
        poll_chat();
        poll_session();
    }

    mixplay::Chat &the_chat() { return *chat; }

private:
    void poll_session() {
        const uint32_t gen = generation;
        for (int handled = 0;; ++handled) {
            if (handled > max_tick_events) max_tick_events = handled;
            if (!session || generation != gen) return;
            if (handled == budget) {
                session->end_frame();
                ++end_frames;
                return;
            }
            std::optional<mixplay::Event> e = session->poll();
            if (!e) return;
            dispatch(*e);
        }
    }

    // Copies first, then calls exactly one handler (which may free the session).
    void dispatch(const mixplay::Event &e) {
        switch (e.kind) {
            case mixplay::EventKind::Connection: {
                auto state = e.connection_state;
                uint32_t code = e.code;
                if (on_connection) on_connection(state, code);
                break;
            }
            case mixplay::EventKind::Ready:
                if (on_ready) on_ready(e.flag);
                break;
            case mixplay::EventKind::Input: {
                std::string control(e.control), who(e.participant);
                switch (e.input_kind) {
                    case mixplay::InputKind::MouseDown:
                    case mixplay::InputKind::KeyDown: {
                        std::string txn(e.transaction);
                        if (on_button_down) on_button_down(control, who, txn);
                        break;
                    }
                    case mixplay::InputKind::MouseUp:
                    case mixplay::InputKind::KeyUp:
                        if (on_button_up) on_button_up(control, who);
                        break;
                    case mixplay::InputKind::Move:
                        if (on_joystick) on_joystick(control, who, e.x, e.y);
                        break;
                    case mixplay::InputKind::TextSubmit: {
                        std::string text(e.text);
                        if (on_text) on_text(control, who, text);
                        break;
                    }
                    default:
                        break;
                }
                break;
            }
            case mixplay::EventKind::ParticipantJoined: {
                Participant p;
                mixplay::Participant c = session->participant(e.participant);
                p.id = std::string(c.session_id);
                p.username = std::string(c.username);
                p.group = std::string(c.group);
                if (on_joined) on_joined(p);
                break;
            }
            case mixplay::EventKind::ParticipantLeft: {
                std::string id(e.participant);
                if (on_left) on_left(id);
                break;
            }
            case mixplay::EventKind::Reply: {
                uint64_t id = e.request_id;
                bool ok = e.ok();
                uint32_t code = e.code;
                std::string message(e.text);
                std::optional<std::string> txn;
                auto it = captures.find(id);
                if (it != captures.end()) {
                    txn = it->second;
                    captures.erase(it);
                }
                if (on_reply) on_reply(id, ok, code, message);
                if (txn && on_transaction) on_transaction(id, *txn, ok, code);
                break;
            }
            default:
                break;
        }
    }

    void poll_chat() {
        const uint32_t gen = chat_generation;
        for (int handled = 0; handled < budget; ++handled) {
            if (!chat || chat_generation != gen) return;
            std::optional<mixplay::ChatEvent> e = chat->poll();
            if (!e) return;
            if (e->kind == mixplay::ChatEventKind::Message) {
                std::string user(e->user_name), text(e->text);
                if (on_chat_message) on_chat_message(user, text);
            } else if (e->kind == mixplay::ChatEventKind::Reply) {
                std::string error(e->text);
                if (on_chat_reply) on_chat_reply(e->request_id, e->ok(), error);
            }
        }
    }

    void poll_sign_in() {
        if (!auth) return;
        mixplay::AuthStatus st = auth->poll();
        if (st.state == last_auth) return;
        last_auth = st.state;
        std::string code(st.code);
        if (st.approved()) token = std::string(st.access_token);
        if (on_sign_in) on_sign_in(st.state, code);
    }

    std::optional<mixplay::Session> session;
    std::optional<mixplay::Chat> chat;
    std::optional<mixplay::Auth> auth;
    std::map<uint64_t, std::string> captures;
    mixplay::AuthState last_auth = mixplay::AuthState::Idle;
    uint32_t generation = 0;
    uint32_t chat_generation = 0;
};

// Ticks until `done()` holds; the nap between frames stands for the rest of a game frame.
template <class F>
void tick_until(Game &g, const char *what, F &&done) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        g.tick();
        if (done()) return;
        if (h_now_ms() > end) H_FAIL("timed out waiting for %s", what);
        h_nap();
    }
}

}  // namespace

int main(int argc, char **argv) {
    h_init(argc, argv);
    H_CHECK(mixplay::abi_matches());

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

    // ----- short-code sign-in: the code to show, approved by a person, then the token connects -----
    std::string shown_code;
    std::vector<mixplay::AuthState> states;
    g.on_sign_in = [&](mixplay::AuthState st, const std::string &code) {
        states.push_back(st);
        if (st == mixplay::AuthState::Waiting) shown_code = code;
    };
    g.start_sign_in();
    tick_until(g, "a short code", [&] { return !shown_code.empty(); });
    H_CHECK(shown_code.size() == 6);
    if (h_cmd("APPROVE %s", shown_code.c_str()) != 0) H_FAIL("APPROVE failed");
    tick_until(g, "approval", [&] { return !g.token.empty(); });
    H_CHECK(states.back() == mixplay::AuthState::Approved);
    g.cancel_sign_in();
    tick_until(g, "the cancelled sign-in", [&] { return states.back() == mixplay::AuthState::Idle; });

    // ----- connect with the signed-in token; auto-ready -----
    g.connect(g.token);
    tick_until(g, "connected and ready", [&] { return connected && ready; });

    reply_ok(g.s().create_controls(
        "default", R"([{"controlID":"b","kind":"button"},{"controlID":"buy","kind":"button","cost":5},)"
                   R"({"controlID":"j","kind":"joystick"},{"controlID":"t","kind":"textbox"}])"));

    // ----- participants -----
    std::vector<Participant> joined;
    std::vector<std::string> left;
    g.on_joined = [&](const Participant &p) { joined.push_back(p); };
    g.on_left = [&](const std::string &id) { left.push_back(id); };
    char sid[64];
    h_join("demo-viewer-3", sid, sizeof sid);
    tick_until(g, "the join", [&] { return !joined.empty(); });
    H_CHECK(joined[0].id == sid && joined[0].username == "viewer3" && joined[0].group == "default");

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
    // The drain that delivered the press ended the frame: the per-frame helpers hold it.
    H_CHECK(g.s().button_counts("b").first == 1 && g.s().button_holder_count("b") == 1);
    reply_ok(text_batch);  // sent when the frame ended
    H_CHECK(g.s().get_control_string("b", "text") == std::string("Pressed by ") + sid);
    H_CHECK(h_button("demo-viewer-3", "b", "mouseup", 0) == 0);
    tick_until(g, "the release", [&] { return !ups.empty(); });
    H_CHECK(g.s().button_holder_count("b") == 0);

    // ----- joystick and textbox -----
    double jx = 0, jy = 0;
    int moves = 0;
    std::string submitted;
    g.on_joystick = [&](const std::string &, const std::string &, double x, double y) {
        jx = x;
        jy = y;
        moves++;
    };
    g.on_text = [&](const std::string &, const std::string &, const std::string &text) { submitted = text; };
    H_CHECK(h_move("demo-viewer-3", "j", 0.5, -0.25) == 0);
    tick_until(g, "the move", [&] { return moves == 1; });
    H_CHECK(jx == 0.5 && jy == -0.25);
    H_CHECK(h_text("demo-viewer-3", "t", "submit", "gg wp") == 0);
    tick_until(g, "the submission", [&] { return !submitted.empty(); });
    H_CHECK(submitted == "gg wp");

    // ----- control property setters (all of the subsystem's) -----
    uint64_t batch = g.s().set_control_tooltip("b", "tip");
    g.s().set_control_progress("b", 0.5);
    g.s().set_control_cooldown("j", 1000);
    g.s().set_control_disabled("t", true);
    g.s().set_control_cost("buy", 5);
    reply_ok(batch);
    H_CHECK(g.s().get_control_float("b", "progress") == 0.5);
    H_CHECK(g.s().get_control_bool("t", "disabled"));

    // ----- a costed press captured from the handler; the transaction result maps back -----
    std::string pending_txn;
    std::vector<std::pair<std::string, bool>> results;
    g.on_button_down = [&](const std::string &control, const std::string &, const std::string &txn) {
        if (control == "buy") {
            pending_txn = txn;
            g.capture(txn);
        }
    };
    g.on_transaction = [&](uint64_t, const std::string &txn, bool ok, uint32_t) { results.push_back({txn, ok}); };
    H_CHECK(h_button("demo-viewer-3", "buy", "mousedown", 0) == 0);
    tick_until(g, "the transaction result", [&] { return !results.empty(); });
    H_CHECK(!pending_txn.empty() && results[0].first == pending_txn && results[0].second);
    H_CHECK(h_sparks(4) == 995);

    // ----- group and scene moves (the JSON the subsystem builds) -----
    reply_ok(g.s().create_scenes(R"([{"sceneID":"lobby"}])"));
    reply_ok(g.s().create_groups(R"([{"groupID":"vips","sceneID":"default"}])"));
    reply_ok(g.s().update_groups(R"([{"groupID":"vips","sceneID":"lobby"}])"));
    reply_ok(g.s().move_participant(sid, "vips"));
    H_CHECK(g.s().participant(sid).group == "vips");
    reply_ok(g.s().move_participant(sid, "default"));

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

    // ----- chat: the signed-in streamer's chat hears itself and a viewer -----
    std::vector<std::pair<std::string, std::string>> messages;
    std::map<uint64_t, bool> chat_replies;
    g.on_chat_message = [&](const std::string &user, const std::string &text) { messages.push_back({user, text}); };
    g.on_chat_reply = [&](uint64_t id, bool ok, const std::string &) { chat_replies[id] = ok; };
    g.start_chat(1, g.token);
    uint64_t sent = 0;
    tick_until(g, "the chat to connect", [&] {
        return g.the_chat().connection_state() == mixplay::ConnectionState::Connected;
    });
    sent = g.the_chat().send("hello from the plugin");
    tick_until(g, "the chat reply and echo", [&] { return chat_replies.count(sent) > 0 && !messages.empty(); });
    H_CHECK(chat_replies[sent]);
    H_CHECK(messages[0].first == "streamer" && messages[0].second == "hello from the plugin");
    {
        mixplay::Chat viewer(h()->base_url, 1, "demo-viewer-1");
        int64_t end = h_now_ms() + h()->wait_ms;
        while (viewer.connection_state() != mixplay::ConnectionState::Connected) {
            while (viewer.poll()) {
            }
            if (h_now_ms() > end) H_FAIL("the viewer's chat did not connect");
            h_nap();
        }
        viewer.send("hi streamer");
        tick_until(g, "the viewer's message", [&] { return messages.size() >= 2 && messages.back().second == "hi streamer"; });
        H_CHECK(messages.back().first == "viewer1");
    }

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

    // ----- reconnect from a handler of the old session's last event is covered by the generation check -----
    connected = false;
    g.connect(g.token);
    tick_until(g, "reconnected", [&] { return connected; });
    g.disconnect();
    h_done();
    return 0;
}
