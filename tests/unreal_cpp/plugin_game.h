// The plugin's UMixPlaySubsystem without the engine, for tests/unreal_cpp/plugin_loop.cpp:
// std::function for delegates, std::string for FString, the wrapper (bindings/cpp/mixplay.hpp)
// used exactly as bindings/unreal/MixPlay/Source/MixPlay/Private/*.cpp use it, and the plugin's
// own engine-free MixPlayInputFrame.h itself. A per-frame tick drains the session with an event
// budget (then end_frame), copies each event's strings before "broadcasting", stops the drain when
// a handler disconnects or reconnects, maps capture replies to transactions, captures by itself
// when asked, keeps refreshed tokens in a "save slot", polls the chat and the sign-in (silent
// with saved tokens, else a code), and looks the signed-in user up.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "MixPlayInputFrame.h"
#include "harness.h"
#include "mixplay.hpp"

// The subsystem's OptionalView: an empty string as "none".
inline std::optional<std::string_view> optional_view(std::string_view s) {
    return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}

struct Participant {
    std::string id, username, group;
};

// EMixPlayChange.
enum class Change { Created, Updated, Deleted };

// What the save slot holds (UMixPlaySavedTokens).
struct SavedTokens {
    std::string access_token, refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;
};

class Game {
public:
    static constexpr const char *kClientId = "unreal-plugin-test";

    // ----- "delegates" -----
    std::function<void(mixplay::ConnectionState, uint32_t)> on_connection;
    std::function<void(bool)> on_ready;
    std::function<void(const std::string &, const std::string &, const std::string &)> on_button_down;
    std::function<void(const std::string &, const std::string &)> on_button_up;
    std::function<void(const std::string &, const std::string &, double, double, const std::string &)> on_screen_pressed;
    std::function<void(const std::string &, const std::string &, double, double)> on_screen_released;
    std::function<void(const std::string &, const std::string &, double, double)> on_joystick;
    std::function<void(const std::string &, const std::string &, const std::string &)> on_text;
    std::function<void(const std::string &, const std::string &, const std::string &)> on_text_changed;
    std::function<void(const Participant &)> on_joined;
    std::function<void(const std::string &)> on_left;
    std::function<void(Change, const std::string &, const std::string &)> on_scene, on_group, on_control;
    std::function<void()> on_world;
    std::function<void(const std::string &, const std::string &)> on_unhandled;
    std::function<void(uint64_t, const std::string &, bool, uint32_t)> on_transaction;
    std::function<void(uint64_t, bool, uint32_t, const std::string &)> on_reply;
    std::function<void(bool, const std::string &)> on_tokens;
    std::function<void(bool, uint32_t, uint32_t, const std::string &)> on_chat_joined;  // signed in, user, channel, permissions
    std::function<void(const std::string &, const std::string &)> on_chat_message;
    std::function<void(const std::string &, const std::string &)> on_chat_event;
    std::function<void(uint64_t, bool, const std::string &, const std::string &)> on_chat_reply;
    std::function<void(mixplay::AuthState, const std::string &)> on_sign_in;
    std::function<void(uint32_t, const std::string &, uint32_t)> on_user;  // id, name, channel

    int budget = 1024;
    int end_frames = 0;       // how often the budget cut a drain short
    int max_tick_events = 0;  // the most events one tick handed out
    bool auto_capture = false;  // UMixPlaySettings::bAutoCaptureSparks
    uint64_t claimed_lifetime = 0;  // overrides the tokens' lifetime (0: as granted)

    // The signed-in tokens and the save slot.
    std::string token, refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;
    std::optional<SavedTokens> slot;
    MixPlayInputFrame frame;

    mixplay::TokenRefresh refresh() const {
        return mixplay::TokenRefresh{h()->base_url, kClientId, refresh_token, claimed_lifetime ? claimed_lifetime : expires_in,
                                     granted_at};
    }

    // Connect(OAuthToken): empty means the signed-in token, refreshed by itself.
    void connect(const std::string &access_token) {
        const bool signed_in = access_token.empty();
        mixplay::Config config;
        config.discovery_url(std::string_view(h()->hosts_url))
            .token(signed_in ? token : access_token)
            .version_id(1)
            .auto_ready(true)
            .compression("lz4,gzip")
            .reconnect(true, 100, 1000, -1)
            .connect_timeout_ms(10000)
            .request_timeout_ms(15000)
            .handshake_in_query(false)
            .event_queue_capacity(65536);
        if (signed_in && !refresh_token.empty()) config.token_refresh(refresh());
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
    // ConnectChat(ChannelId, OAuthToken).
    void start_chat(uint32_t channel, const std::string &access_token) {
        const bool signed_in = access_token.empty();
        chat.reset();
        ++chat_generation;
        mixplay::Config settings;
        settings.reconnect(true, 100, 1000, -1).connect_timeout_ms(10000).request_timeout_ms(15000);
        if (signed_in && !refresh_token.empty()) settings.token_refresh(refresh());
        // As the subsystem does: an empty token or client id is none.
        chat.emplace(h()->base_url, channel, optional_view(signed_in ? token : access_token), optional_view(kClientId),
                     &settings);
    }
    // DisconnectChat.
    void disconnect_chat() {
        chat.reset();
        ++chat_generation;
    }
    mixplay::Chat &the_chat() {
        if (!chat) H_FAIL("no chat");
        return *chat;
    }
    // StartSignIn: silently with the save slot, else a code.
    void start_sign_in() {
        if (!auth) {
            auth.emplace(h()->base_url, kClientId, "interactive:robot:self chat:connect chat:chat");
            last_auth = mixplay::AuthState::Idle;
        }
        if (slot && !slot->refresh_token.empty()) {
            resuming = true;
            auth->refresh(slot->refresh_token);
        } else {
            resuming = false;
            auth->start();
        }
    }
    void cancel_sign_in() {
        resuming = false;
        auth->cancel();
    }
    // SignOut.
    void sign_out() {
        if (auth) cancel_sign_in();
        slot.reset();
        token.clear();
        refresh_token.clear();
    }
    bool has_session() const { return session.has_value(); }
    bool resumed_silently = false;

    // One frame, in the subsystem's order.
    void tick() {
        poll_sign_in();
        poll_chat();
        poll_session();
    }

private:
    void poll_session() {
        const uint32_t gen = generation;
        frame.Clear();
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

    static Change change_of(mixplay::EventKind kind, mixplay::EventKind created) {
        const uint32_t offset = static_cast<uint32_t>(kind) - static_cast<uint32_t>(created);
        return offset == 0 ? Change::Created : offset == 1 ? Change::Updated : Change::Deleted;
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
            case mixplay::EventKind::Input:
                input(e);
                break;
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
            case mixplay::EventKind::SceneCreated:
            case mixplay::EventKind::SceneUpdated:
            case mixplay::EventKind::SceneDeleted: {
                std::string scene(e.scene), to(e.text);
                if (on_scene) on_scene(change_of(e.kind, mixplay::EventKind::SceneCreated), scene, to);
                break;
            }
            case mixplay::EventKind::GroupCreated:
            case mixplay::EventKind::GroupUpdated:
            case mixplay::EventKind::GroupDeleted: {
                std::string group(e.group), to(e.text);
                if (on_group) on_group(change_of(e.kind, mixplay::EventKind::GroupCreated), group, to);
                break;
            }
            case mixplay::EventKind::ControlCreated:
            case mixplay::EventKind::ControlUpdated:
            case mixplay::EventKind::ControlDeleted: {
                std::string scene(e.scene), control(e.control);
                if (on_control) on_control(change_of(e.kind, mixplay::EventKind::ControlCreated), scene, control);
                break;
            }
            case mixplay::EventKind::WorldUpdated:
                if (on_world) on_world();
                break;
            case mixplay::EventKind::UnhandledMethod: {
                std::string method(e.text), params(e.json);
                if (on_unhandled) on_unhandled(method, params);
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
            case mixplay::EventKind::Tokens:
                tokens(e.new_tokens(), e.text);
                break;
            default:
                break;
        }
    }

    void input(const mixplay::Event &e) {
        std::string control(e.control), who(e.participant), txn(e.transaction);
        const bool press = e.input_kind == mixplay::InputKind::MouseDown || e.input_kind == mixplay::InputKind::KeyDown;
        const bool release = e.input_kind == mixplay::InputKind::MouseUp || e.input_kind == mixplay::InputKind::KeyUp;
        if (press || release) frame.Press(control, who, press, e.has_position, e.x, e.y);
        if (auto_capture && (press || e.input_kind == mixplay::InputKind::TextSubmit) && !txn.empty()) capture(txn);
        switch (e.input_kind) {
            case mixplay::InputKind::MouseDown:
            case mixplay::InputKind::KeyDown:
                if (e.has_position) {
                    if (on_screen_pressed) on_screen_pressed(control, who, e.x, e.y, txn);
                } else if (on_button_down) {
                    on_button_down(control, who, txn);
                }
                break;
            case mixplay::InputKind::MouseUp:
            case mixplay::InputKind::KeyUp:
                if (e.has_position) {
                    if (on_screen_released) on_screen_released(control, who, e.x, e.y);
                } else if (on_button_up) {
                    on_button_up(control, who);
                }
                break;
            case mixplay::InputKind::Move:
                frame.Move(control, who, e.x, e.y);
                if (on_joystick) on_joystick(control, who, e.x, e.y);
                break;
            case mixplay::InputKind::TextChange: {
                std::string text(e.text);
                frame.Type(control, who, text);
                if (on_text_changed) on_text_changed(control, who, text);
                break;
            }
            case mixplay::InputKind::TextSubmit: {
                std::string text(e.text);
                if (on_text) on_text(control, who, text);
                break;
            }
            default:
                break;
        }
    }

    // FMixPlayDispatch::Tokens: keep and save refreshed tokens; a refusal forgets them.
    void tokens(const std::optional<mixplay::Tokens> &fresh, std::string_view why) {
        if (fresh) {
            token = fresh->access_token;
            refresh_token = fresh->refresh_token;
            expires_in = fresh->expires_in;
            granted_at = fresh->granted_at;
            slot = SavedTokens{token, refresh_token, expires_in, granted_at};
        } else {
            slot.reset();
            refresh_token.clear();
        }
        if (on_tokens) on_tokens(fresh.has_value(), std::string(why));
    }

    void poll_chat() {
        const uint32_t gen = chat_generation;
        for (int handled = 0; handled < budget; ++handled) {
            if (!chat || chat_generation != gen) return;
            std::optional<mixplay::ChatEvent> e = chat->poll();
            if (!e) return;
            switch (e->kind) {
                case mixplay::ChatEventKind::Joined: {
                    std::string permissions(e->permissions);
                    if (on_chat_joined) on_chat_joined(e->flag, e->user_id, e->channel_id, permissions);
                    break;
                }
                case mixplay::ChatEventKind::Message: {
                    std::string user(e->user_name), text(e->text);
                    if (on_chat_message) on_chat_message(user, text);
                    break;
                }
                case mixplay::ChatEventKind::Event: {
                    std::string name(e->text), json(e->json);
                    if (on_chat_event) on_chat_event(name, json);
                    break;
                }
                case mixplay::ChatEventKind::Reply: {
                    std::string error(e->text), json(e->json);
                    if (on_chat_reply) on_chat_reply(e->request_id, e->ok(), error, json);
                    break;
                }
                case mixplay::ChatEventKind::Tokens:
                    tokens(e->new_tokens(), e->text);
                    break;
                default:
                    break;
            }
        }
    }

    // PollSignIn: the user look-up, then the sign-in's state changes.
    void poll_sign_in() {
        if (!auth) return;
        if (fetching_user) {
            mixplay::User user = auth->user();
            if (user.found()) {
                fetching_user = false;
                std::string name(user.username);
                if (on_user) on_user(user.id, name, user.channel_id);
            } else if (user.failed()) {
                fetching_user = false;
            }
        }
        mixplay::AuthStatus st = auth->poll();
        if (st.state == last_auth) return;
        last_auth = st.state;
        if (st.approved()) {
            token = std::string(st.access_token);
            refresh_token = std::string(st.refresh_token);
            expires_in = st.expires_in;
            granted_at = st.granted_at;
            resumed_silently = resuming;
            resuming = false;
            slot = SavedTokens{token, refresh_token, expires_in, granted_at};
            auth->fetch_user(token);
            fetching_user = true;
            if (session) {
                session->set_token(token);
                session->set_token_refresh(refresh());
            }
        } else if (resuming && st.failed()) {
            slot.reset();
            resuming = false;
            auth->start();
            return;
        } else if (st.expired()) {
            auth->start();
        }
        std::string code(st.code);
        if (on_sign_in) on_sign_in(st.state, code);
    }

    std::optional<mixplay::Session> session;
    std::optional<mixplay::Chat> chat;
    std::optional<mixplay::Auth> auth;
    std::map<uint64_t, std::string> captures;
    mixplay::AuthState last_auth = mixplay::AuthState::Idle;
    bool resuming = false;
    bool fetching_user = false;
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
