// mixplay.hpp: a header-only C++17 wrapper over the mixplay C API (include/mixplay.h).
//
// Design
// ------
// * Handles: `mixplay::Config`, `mixplay::Session`, `mixplay::Chat` and `mixplay::Auth` (alias
//   `mixplay::SignIn`) own their C handle through a `std::unique_ptr` whose deleter calls
//   `mixplay_config_free` / `mixplay_session_free` / `mixplay_chat_free` / `mixplay_auth_free`.
//   They are move-only; a moved-from object holds no handle (calls on it throw `Error` with
//   MIXPLAY_RESULT_NULL_ARGUMENT). `raw()` is the escape hatch to the C API, `release()` gives the
//   handle up, and the `explicit` constructor from a raw pointer adopts one.
// * Errors: every C call that fails throws `mixplay::Error`, carrying the `mixplay_result` code
//   (`code()`) and the library's detail message (`mixplay_last_error`, as `what()`). Service
//   errors are not exceptions: they arrive as data in reply events (`Event::ok()` false, `code`,
//   `text`, `path`), as in C. Destructors never throw.
// * Strings in are `std::string_view`; the wrapper copies each into a NUL-terminated
//   `std::string` for the call. Strings out are `std::string_view`s into the library's storage,
//   valid exactly as long as the C API says: until the next poll of the session, chat or sign-in
//   that returned them (or its destruction). Copy them (`std::string(view)`) to keep them
//   longer. The exceptions are `Session::get_control_string`, `AuthStatus::tokens()` and the
//   `new_tokens()` of token events, which return owning `std::string`s.
// * Tokens: `Config::token_refresh` (or `set_token_refresh` on a running Session or Chat) makes
//   the token refresh by itself; new tokens arrive as `EventKind::Tokens` / `ChatEventKind::Tokens`
//   events. `set_token` swaps the token for the next reconnection. `Auth::fetch_user` tells who a
//   token belongs to, and their channel.
// * Events: `Session::poll()` returns `std::optional<Event>`: empty when the frame's events are
//   used up. `Event` is one flat struct with a `kind` and typed fields, mirroring
//   `mixplay_event` 1:1 (which fields are set depends on the kind; see mixplay.h). We chose this
//   over a `std::variant` of per-kind structs because it keeps the wrapper a thin, allocation-free
//   view of the C event, a `switch (e.kind)` reads like the C code, and new kinds need no new
//   types. Its string fields are views with the lifetime above.
//   `Chat::poll()` likewise returns `std::optional<ChatEvent>` (a flat view of
//   `mixplay_chat_event`), and `Auth::poll()` an `AuthStatus` (a view of `mixplay_auth_status`,
//   with `waiting()`, `approved()`, … and `tokens()`, an owning copy of the tokens).
// * Requests return the request id (`uint64_t`); the answer arrives later as a `Reply` event
//   (`Event` or `ChatEvent`) carrying it.
// * Callbacks (`for_each_participant`) take any callable; an exception thrown inside is caught
//   before it reaches the C library and rethrown after the call returns.
// * Threads: as in C. A Session or Chat may be used from any thread, but `poll` must not overlap
//   itself (the second gets an Error with MIXPLAY_RESULT_BUSY).
#ifndef MIXPLAY_HPP
#define MIXPLAY_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mixplay.h"

namespace mixplay {

// A failed C call: the result code and the library's message.
class Error : public std::runtime_error {
public:
    Error(mixplay_result code, const std::string &message)
        : std::runtime_error(message.empty() ? std::string(mixplay_result_str(code)) : message), code_(code) {}

    // The `mixplay_result` the call returned.
    mixplay_result code() const noexcept { return code_; }

private:
    mixplay_result code_;
};

namespace detail {

inline std::string_view view(mixplay_str s) noexcept { return std::string_view(s.ptr, s.len); }

// Throws an Error for a failed result.
inline void check(mixplay_result rc) {
    if (rc != MIXPLAY_RESULT_OK) {
        mixplay_str e = mixplay_last_error();
        throw Error(rc, std::string(e.ptr, e.len));
    }
}

// A NUL-terminated copy of a view, for the C API.
inline std::string z(std::string_view s) { return std::string(s); }

struct ConfigDeleter {
    void operator()(mixplay_config *c) const noexcept { (void)mixplay_config_free(c); }
};

struct SessionDeleter {
    void operator()(mixplay_session *s) const noexcept { (void)mixplay_session_free(s); }
};

}  // namespace detail

// Whether a token granted at `granted_at` (unix seconds) for `expires_in` seconds is past half
// its lifetime and should be refreshed (`Auth::refresh`).
inline bool token_is_stale(int64_t granted_at, uint64_t expires_in) {
    bool stale = false;
    detail::check(mixplay_token_is_stale(granted_at, expires_in, &stale));
    return stale;
}

// An OAuth token pair to keep: from an approved sign-in (`AuthStatus::tokens()`) or an automatic
// refresh (`Event::new_tokens()`, `ChatEvent::new_tokens()`). They are secrets: keep them out of
// logs.
struct Tokens {
    std::string access_token;
    std::string refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;

    // Past half its lifetime: refresh it (`Auth::refresh(refresh_token)`).
    bool stale() const { return token_is_stale(granted_at, expires_in); }
};

// A token pair as token events carry it (views valid as long as the event's).
struct TokensView {
    std::string_view access_token;
    std::string_view refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;

    static TokensView from(const mixplay_tokens &t) {
        return TokensView{detail::view(t.access_token), detail::view(t.refresh_token), t.expires_in, t.granted_at};
    }
    // An owning copy.
    Tokens copy() const { return Tokens{std::string(access_token), std::string(refresh_token), expires_in, granted_at}; }
};

// Automatic token refresh for a session (`Config::token_refresh`, `Session::set_token_refresh`)
// or a chat: the OAuth service and app, and the refresh token that came with the access token in
// use, with that access token's lifetime (seconds) and grant time (unix seconds; 0 means now).
struct TokenRefresh {
    std::string base_url;
    std::string client_id;
    std::string refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;

    // The refresh of `tokens`, granted by `base_url` to app `client_id`.
    static TokenRefresh of(const Tokens &tokens, std::string_view base_url, std::string_view client_id) {
        return TokenRefresh{std::string(base_url), std::string(client_id), tokens.refresh_token, tokens.expires_in,
                            tokens.granted_at};
    }
};

// `mixplay_event_kind`.
enum class EventKind : uint32_t {
    None = MIXPLAY_EVENT_KIND_NONE,
    Connection = MIXPLAY_EVENT_KIND_CONNECTION,
    Ready = MIXPLAY_EVENT_KIND_READY,
    Input = MIXPLAY_EVENT_KIND_INPUT,
    ParticipantJoined = MIXPLAY_EVENT_KIND_PARTICIPANT_JOINED,
    ParticipantLeft = MIXPLAY_EVENT_KIND_PARTICIPANT_LEFT,
    ParticipantUpdated = MIXPLAY_EVENT_KIND_PARTICIPANT_UPDATED,
    SceneCreated = MIXPLAY_EVENT_KIND_SCENE_CREATED,
    SceneUpdated = MIXPLAY_EVENT_KIND_SCENE_UPDATED,
    SceneDeleted = MIXPLAY_EVENT_KIND_SCENE_DELETED,
    GroupCreated = MIXPLAY_EVENT_KIND_GROUP_CREATED,
    GroupUpdated = MIXPLAY_EVENT_KIND_GROUP_UPDATED,
    GroupDeleted = MIXPLAY_EVENT_KIND_GROUP_DELETED,
    ControlCreated = MIXPLAY_EVENT_KIND_CONTROL_CREATED,
    ControlUpdated = MIXPLAY_EVENT_KIND_CONTROL_UPDATED,
    ControlDeleted = MIXPLAY_EVENT_KIND_CONTROL_DELETED,
    WorldUpdated = MIXPLAY_EVENT_KIND_WORLD_UPDATED,
    MemoryWarning = MIXPLAY_EVENT_KIND_MEMORY_WARNING,
    Reply = MIXPLAY_EVENT_KIND_REPLY,
    UnhandledMethod = MIXPLAY_EVENT_KIND_UNHANDLED_METHOD,
    Error = MIXPLAY_EVENT_KIND_ERROR,
    Tokens = MIXPLAY_EVENT_KIND_TOKENS,
};

// `mixplay_connection_state` (0 in events of other kinds).
enum class ConnectionState : uint32_t {
    Unknown = 0,
    Connecting = MIXPLAY_CONNECTION_STATE_CONNECTING,
    Connected = MIXPLAY_CONNECTION_STATE_CONNECTED,
    Reconnecting = MIXPLAY_CONNECTION_STATE_RECONNECTING,
    Disconnected = MIXPLAY_CONNECTION_STATE_DISCONNECTED,
};

// `mixplay_input_kind`.
enum class InputKind : uint32_t {
    None = MIXPLAY_INPUT_KIND_NONE,
    MouseDown = MIXPLAY_INPUT_KIND_MOUSE_DOWN,
    MouseUp = MIXPLAY_INPUT_KIND_MOUSE_UP,
    KeyDown = MIXPLAY_INPUT_KIND_KEY_DOWN,
    KeyUp = MIXPLAY_INPUT_KIND_KEY_UP,
    Move = MIXPLAY_INPUT_KIND_MOVE,
    TextChange = MIXPLAY_INPUT_KIND_TEXT_CHANGE,
    TextSubmit = MIXPLAY_INPUT_KIND_TEXT_SUBMIT,
    Custom = MIXPLAY_INPUT_KIND_CUSTOM,
};

// `mixplay_error_kind`.
enum class ErrorKind : uint32_t {
    None = MIXPLAY_ERROR_KIND_NONE,
    Connection = MIXPLAY_ERROR_KIND_CONNECTION,
    Protocol = MIXPLAY_ERROR_KIND_PROTOCOL,
    QueueOverflow = MIXPLAY_ERROR_KIND_QUEUE_OVERFLOW,
    Internal = MIXPLAY_ERROR_KIND_INTERNAL,
};

// `mixplay_log_level`.
enum class LogLevel : uint32_t {
    Off = MIXPLAY_LOG_LEVEL_OFF,
    Error = MIXPLAY_LOG_LEVEL_ERROR,
    Warning = MIXPLAY_LOG_LEVEL_WARNING,
    Info = MIXPLAY_LOG_LEVEL_INFO,
    Debug = MIXPLAY_LOG_LEVEL_DEBUG,
};

// One event from `Session::poll` (a view of `mixplay_event`; strings valid until the next poll).
struct Event {
    EventKind kind = EventKind::None;
    ConnectionState connection_state = ConnectionState::Unknown;
    InputKind input_kind = InputKind::None;
    ErrorKind error_kind = ErrorKind::None;
    uint64_t request_id = 0;
    uint32_t code = 0;
    int32_t button = 0;
    bool flag = false;
    bool has_position = false;
    double x = 0;
    double y = 0;
    uint64_t used_bytes = 0;
    uint64_t total_bytes = 0;
    std::string_view participant;
    std::string_view control;
    std::string_view scene;
    std::string_view group;
    std::string_view text;
    std::string_view json;
    std::string_view transaction;
    std::string_view path;
    // Tokens events: the new tokens (when `flag`; else `text` says why refreshing stopped).
    TokensView tokens;

    // Converts the C event.
    static Event from(const mixplay_event &e) {
        Event out;
        out.kind = static_cast<EventKind>(e.kind);
        out.connection_state = static_cast<ConnectionState>(e.connection_state);
        out.input_kind = static_cast<InputKind>(e.input_kind);
        out.error_kind = static_cast<ErrorKind>(e.error_kind);
        out.request_id = e.request_id;
        out.code = e.code;
        out.button = e.button;
        out.flag = e.flag;
        out.has_position = e.has_position;
        out.x = e.x;
        out.y = e.y;
        out.used_bytes = e.used_bytes;
        out.total_bytes = e.total_bytes;
        out.participant = detail::view(e.participant);
        out.control = detail::view(e.control);
        out.scene = detail::view(e.scene);
        out.group = detail::view(e.group);
        out.text = detail::view(e.text);
        out.json = detail::view(e.json);
        out.transaction = detail::view(e.transaction);
        out.path = detail::view(e.path);
        out.tokens = TokensView::from(e.tokens);
        return out;
    }

    // An owning copy of the new tokens of a successful Tokens event; nothing otherwise.
    std::optional<Tokens> new_tokens() const {
        if (kind != EventKind::Tokens || !flag) return std::nullopt;
        return tokens.copy();
    }

    // A reply: whether it succeeded (`json` holds the result; else `code`, `text`, `path`).
    bool ok() const noexcept { return kind == EventKind::Reply && flag; }
    // Whether this is the reply to `request`.
    bool is_reply_to(uint64_t request) const noexcept { return kind == EventKind::Reply && request_id == request; }
    // An input event of `k` on `control_id`.
    bool is_input(InputKind k, std::string_view control_id) const noexcept {
        return kind == EventKind::Input && input_kind == k && control == control_id;
    }
};

// A participant as the cache holds it (a view; strings valid until the next poll).
struct Participant {
    std::string_view session_id;
    uint32_t user_id = 0;
    uint32_t level = 0;
    std::string_view username;
    std::string_view group;
    int64_t connected_at = 0;
    int64_t last_input_at = 0;
    bool disabled = false;
    bool anonymous = false;

    static Participant from(const mixplay_participant &p) {
        Participant out;
        out.session_id = detail::view(p.session_id);
        out.user_id = p.user_id;
        out.level = p.level;
        out.username = detail::view(p.username);
        out.group = detail::view(p.group);
        out.connected_at = p.connected_at;
        out.last_input_at = p.last_input_at;
        out.disabled = p.disabled;
        out.anonymous = p.anonymous;
        return out;
    }
};

// The library's version, e.g. "0.1.0".
inline std::string_view version() { return mixplay_version(); }

// The ABI version of the loaded library; compare with MIXPLAY_ABI_VERSION.
inline uint32_t abi_version() noexcept { return mixplay_abi_version(); }

// Whether the loaded library matches the header this code was compiled with.
inline bool abi_matches() noexcept { return mixplay_abi_version() == MIXPLAY_ABI_VERSION; }

// A description of a result code.
inline std::string_view result_str(mixplay_result code) { return mixplay_result_str(code); }

// The last failure's detail on this thread.
inline std::string_view last_error() { return detail::view(mixplay_last_error()); }

// Sets the process-wide log level.
inline void set_log_level(LogLevel level) { detail::check(mixplay_set_log_level(static_cast<uint32_t>(level))); }

// Sends log records to `callback` (called only inside `Session::poll`, on the polling thread);
// nullptr goes back to stderr. The callback must not throw.
inline void set_log_sink(mixplay_log_fn callback, void *user_data) {
    detail::check(mixplay_set_log_sink(callback, user_data));
}

// Session settings (see mixplay_config_* in mixplay.h). Setters return *this for chaining.
class Config {
public:
    // A config with the defaults.
    Config() {
        mixplay_config *c = nullptr;
        detail::check(mixplay_config_new(&c));
        handle_.reset(c);
    }
    // Adopts a config made with the C API.
    explicit Config(mixplay_config *adopt) noexcept : handle_(adopt) {}

    mixplay_config *raw() const noexcept { return handle_.get(); }
    mixplay_config *release() noexcept { return handle_.release(); }

    Config &discovery_url(std::string_view url) {
        detail::check(mixplay_config_set_discovery_url(raw(), detail::z(url).c_str()));
        return *this;
    }
    Config &add_endpoint(std::string_view url) {
        detail::check(mixplay_config_add_endpoint(raw(), detail::z(url).c_str()));
        return *this;
    }
    Config &token(std::string_view token) {
        detail::check(mixplay_config_set_token(raw(), detail::z(token).c_str()));
        return *this;
    }
    // Refreshes the token by itself (for sessions made from this config, and chats given it as
    // settings); new tokens arrive as Tokens events.
    Config &token_refresh(const TokenRefresh &r) {
        detail::check(mixplay_config_set_token_refresh(raw(), r.base_url.c_str(), r.client_id.c_str(),
                                                       r.refresh_token.c_str(), r.expires_in, r.granted_at));
        return *this;
    }
    Config &no_token_refresh() {
        detail::check(mixplay_config_set_token_refresh(raw(), nullptr, nullptr, nullptr, 0, 0));
        return *this;
    }
    Config &version_id(uint32_t id) {
        detail::check(mixplay_config_set_version_id(raw(), id));
        return *this;
    }
    // An empty optional removes the share code.
    Config &share_code(std::optional<std::string_view> code) {
        if (code) {
            detail::check(mixplay_config_set_share_code(raw(), detail::z(*code).c_str()));
        } else {
            detail::check(mixplay_config_set_share_code(raw(), nullptr));
        }
        return *this;
    }
    Config &compression(std::string_view schemes) {
        detail::check(mixplay_config_set_compression(raw(), detail::z(schemes).c_str()));
        return *this;
    }
    Config &auto_ready(bool on) {
        detail::check(mixplay_config_set_auto_ready(raw(), on));
        return *this;
    }
    Config &reconnect(bool enabled, uint32_t initial_delay_ms, uint32_t max_delay_ms, int32_t max_attempts) {
        detail::check(mixplay_config_set_reconnect(raw(), enabled, initial_delay_ms, max_delay_ms, max_attempts));
        return *this;
    }
    Config &connect_timeout_ms(uint32_t ms) {
        detail::check(mixplay_config_set_connect_timeout_ms(raw(), ms));
        return *this;
    }
    Config &request_timeout_ms(uint32_t ms) {
        detail::check(mixplay_config_set_request_timeout_ms(raw(), ms));
        return *this;
    }
    // An empty optional goes back to the system roots only.
    Config &tls_roots_pem(std::optional<std::string_view> pem, bool also_system_roots) {
        if (pem) {
            detail::check(mixplay_config_set_tls_roots_pem(raw(), detail::z(*pem).c_str(), also_system_roots));
        } else {
            detail::check(mixplay_config_set_tls_roots_pem(raw(), nullptr, also_system_roots));
        }
        return *this;
    }
    Config &handshake_in_query(bool on) {
        detail::check(mixplay_config_set_handshake_in_query(raw(), on));
        return *this;
    }
    Config &event_queue_capacity(uint32_t capacity) {
        detail::check(mixplay_config_set_event_queue_capacity(raw(), capacity));
        return *this;
    }

private:
    std::unique_ptr<mixplay_config, detail::ConfigDeleter> handle_;
};

// A game-client session (see mixplay_session_* in mixplay.h).
class Session {
public:
    // Makes a session from `config` (copied) and starts connecting.
    explicit Session(const Config &config) {
        mixplay_session *s = nullptr;
        detail::check(mixplay_session_new(config.raw(), &s));
        handle_.reset(s);
    }
    // Adopts a session made with the C API.
    explicit Session(mixplay_session *adopt) noexcept : handle_(adopt) {}

    mixplay_session *raw() const noexcept { return handle_.get(); }
    mixplay_session *release() noexcept { return handle_.release(); }

    // Connects with `token` from the next reconnection on.
    void set_token(std::string_view token) { detail::check(mixplay_session_set_token(raw(), detail::z(token).c_str())); }
    // Turns automatic refresh on (after `set_token` with the access token that came with it).
    void set_token_refresh(const TokenRefresh &r) {
        detail::check(mixplay_session_set_token_refresh(raw(), r.base_url.c_str(), r.client_id.c_str(),
                                                        r.refresh_token.c_str(), r.expires_in, r.granted_at));
    }
    // Turns automatic refresh off.
    void clear_token_refresh() {
        detail::check(mixplay_session_set_token_refresh(raw(), nullptr, nullptr, nullptr, 0, 0));
    }
    explicit operator bool() const noexcept { return handle_ != nullptr; }

    // ----- polling -----

    // The next event, or nothing when the frame's events are used up (which ends the frame).
    std::optional<Event> poll() {
        mixplay_event e;
        bool has = false;
        detail::check(mixplay_session_poll(raw(), &e, &has));
        if (!has) return std::nullopt;
        return Event::from(e);
    }

    // Up to `max` events at once (fewer means the frame ended).
    std::vector<Event> poll_many(size_t max) {
        std::vector<mixplay_event> raw_events(max > 0 ? max : 1);
        size_t n = 0;
        // With `max` 0 the library itself reports INVALID_ARGUMENT.
        detail::check(mixplay_session_poll_many(raw(), raw_events.data(), max, &n));
        std::vector<Event> out;
        out.reserve(n);
        for (size_t i = 0; i < n; i++) out.push_back(Event::from(raw_events[i]));
        return out;
    }

    void end_frame() { detail::check(mixplay_session_end_frame(raw())); }

    ConnectionState connection_state() const {
        uint32_t s = 0;
        detail::check(mixplay_session_connection_state(raw(), &s));
        return static_cast<ConnectionState>(s);
    }
    bool is_ready() const {
        bool r = false;
        detail::check(mixplay_session_is_ready(raw(), &r));
        return r;
    }
    int64_t server_time_ms() const {
        int64_t t = 0;
        detail::check(mixplay_session_server_time_ms(raw(), &t));
        return t;
    }

    // ----- requests (each returns the request id its reply will carry) -----

    uint64_t call(std::string_view method, std::string_view params_json) {
        return req(mixplay_session_call, detail::z(method).c_str(), detail::z(params_json).c_str());
    }
    uint64_t ready(bool is_ready) { return req(mixplay_session_ready, is_ready); }
    uint64_t create_scenes(std::string_view scenes_json) {
        return req(mixplay_session_create_scenes, detail::z(scenes_json).c_str());
    }
    uint64_t update_scenes(std::string_view scenes_json, int64_t priority = 0) {
        return req(mixplay_session_update_scenes, detail::z(scenes_json).c_str(), priority);
    }
    uint64_t delete_scene(std::string_view scene, std::string_view reassign_to) {
        return req(mixplay_session_delete_scene, detail::z(scene).c_str(), detail::z(reassign_to).c_str());
    }
    uint64_t create_controls(std::string_view scene, std::string_view controls_json) {
        return req(mixplay_session_create_controls, detail::z(scene).c_str(), detail::z(controls_json).c_str());
    }
    uint64_t update_controls(std::string_view scene, std::string_view controls_json, int64_t priority = 0) {
        return req(mixplay_session_update_controls, detail::z(scene).c_str(), detail::z(controls_json).c_str(),
                   priority);
    }
    uint64_t delete_controls(std::string_view scene, std::string_view control_ids_json) {
        return req(mixplay_session_delete_controls, detail::z(scene).c_str(), detail::z(control_ids_json).c_str());
    }
    uint64_t create_groups(std::string_view groups_json) {
        return req(mixplay_session_create_groups, detail::z(groups_json).c_str());
    }
    uint64_t update_groups(std::string_view groups_json, int64_t priority = 0) {
        return req(mixplay_session_update_groups, detail::z(groups_json).c_str(), priority);
    }
    uint64_t delete_group(std::string_view group, std::string_view reassign_to) {
        return req(mixplay_session_delete_group, detail::z(group).c_str(), detail::z(reassign_to).c_str());
    }
    uint64_t update_participants(std::string_view participants_json, int64_t priority = 0) {
        return req(mixplay_session_update_participants, detail::z(participants_json).c_str(), priority);
    }
    uint64_t move_participant(std::string_view participant, std::string_view group) {
        return req(mixplay_session_move_participant, detail::z(participant).c_str(), detail::z(group).c_str());
    }
    uint64_t set_participant_disabled(std::string_view participant, bool disabled) {
        return req(mixplay_session_set_participant_disabled, detail::z(participant).c_str(), disabled);
    }
    uint64_t update_world(std::string_view world_json, int64_t priority = 0) {
        return req(mixplay_session_update_world, detail::z(world_json).c_str(), priority);
    }
    uint64_t capture(std::string_view transaction) {
        return req(mixplay_session_capture, detail::z(transaction).c_str());
    }
    // Stores `size` bytes at `data` (copied before the call returns) as the channel's file `path`
    // (`images/tile.png`), replacing any file there. The reply's json is `{url, path, size,
    // contentType}` (`url` is what a control's `backgroundImage` loads); a failed reply's code is
    // 4004 for a bad path, the upload's HTTP status (413 past the channel's quota) or a local code.
    uint64_t upload_file(std::string_view path, const void *data, size_t size) {
        return req(mixplay_session_upload_file, detail::z(path).c_str(), static_cast<const uint8_t *>(data), size);
    }
    uint64_t upload_file(std::string_view path, const std::vector<uint8_t> &bytes) {
        return upload_file(path, bytes.data(), bytes.size());
    }
    // Deletes the channel's file `path` (a reply of `null`, also when there was none).
    uint64_t delete_file(std::string_view path) { return req(mixplay_session_delete_file, detail::z(path).c_str()); }
    uint64_t broadcast_event(std::string_view scopes_json, std::string_view data_json) {
        return req(mixplay_session_broadcast_event, detail::z(scopes_json).c_str(), detail::z(data_json).c_str());
    }
    uint64_t set_bandwidth_throttle(std::string_view rules_json) {
        return req(mixplay_session_set_bandwidth_throttle, detail::z(rules_json).c_str());
    }
    uint64_t get_throttle_state() { return req(mixplay_session_get_throttle_state); }
    uint64_t get_memory_stats() { return req(mixplay_session_get_memory_stats); }
    uint64_t get_time() { return req(mixplay_session_get_time); }
    uint64_t get_all_participants(int64_t from) { return req(mixplay_session_get_all_participants, from); }
    uint64_t get_active_participants(int64_t threshold) {
        return req(mixplay_session_get_active_participants, threshold);
    }
    uint64_t get_participants_by_user_id(std::string_view user_ids_json) {
        return req(mixplay_session_get_participants_by_user_id, detail::z(user_ids_json).c_str());
    }
    uint64_t get_participants_by_session_id(std::string_view session_ids_json) {
        return req(mixplay_session_get_participants_by_session_id, detail::z(session_ids_json).c_str());
    }

    // ----- control properties (coalesced per frame; the id is the frame's batch for the scene) -----

    uint64_t set_control_text(std::string_view control, std::string_view text) {
        return req(mixplay_session_set_control_text, detail::z(control).c_str(), detail::z(text).c_str());
    }
    uint64_t set_control_tooltip(std::string_view control, std::string_view tooltip) {
        return req(mixplay_session_set_control_tooltip, detail::z(control).c_str(), detail::z(tooltip).c_str());
    }
    uint64_t set_control_progress(std::string_view control, double progress) {
        return req(mixplay_session_set_control_progress, detail::z(control).c_str(), progress);
    }
    uint64_t set_control_cooldown(std::string_view control, uint64_t ms) {
        return req(mixplay_session_set_control_cooldown, detail::z(control).c_str(), ms);
    }
    uint64_t set_control_disabled(std::string_view control, bool disabled) {
        return req(mixplay_session_set_control_disabled, detail::z(control).c_str(), disabled);
    }
    uint64_t set_control_cost(std::string_view control, uint32_t sparks) {
        return req(mixplay_session_set_control_cost, detail::z(control).c_str(), sparks);
    }
    uint64_t set_control_key_code(std::string_view control, uint32_t key_code) {
        return req(mixplay_session_set_control_key_code, detail::z(control).c_str(), key_code);
    }
    uint64_t set_control_int(std::string_view control, std::string_view key, int64_t value) {
        return req(mixplay_session_set_control_int, detail::z(control).c_str(), detail::z(key).c_str(), value);
    }
    uint64_t set_control_bool(std::string_view control, std::string_view key, bool value) {
        return req(mixplay_session_set_control_bool, detail::z(control).c_str(), detail::z(key).c_str(), value);
    }
    uint64_t set_control_float(std::string_view control, std::string_view key, double value) {
        return req(mixplay_session_set_control_float, detail::z(control).c_str(), detail::z(key).c_str(), value);
    }
    uint64_t set_control_string(std::string_view control, std::string_view key, std::string_view value) {
        return req(mixplay_session_set_control_string, detail::z(control).c_str(), detail::z(key).c_str(),
                   detail::z(value).c_str());
    }
    uint64_t set_control_json(std::string_view control, std::string_view key, std::string_view value_json) {
        return req(mixplay_session_set_control_json, detail::z(control).c_str(), detail::z(key).c_str(),
                   detail::z(value_json).c_str());
    }
    uint64_t set_control_meta_json(std::string_view control, std::string_view key, std::string_view value_json) {
        return req(mixplay_session_set_control_meta_json, detail::z(control).c_str(), detail::z(key).c_str(),
                   detail::z(value_json).c_str());
    }

    // ----- reading the cache (`meta` reads `meta.<key>.value`) -----

    int64_t get_control_int(std::string_view control, std::string_view key, bool meta = false) const {
        int64_t v = 0;
        detail::check(mixplay_session_get_control_int(raw(), detail::z(control).c_str(), detail::z(key).c_str(), meta, &v));
        return v;
    }
    double get_control_float(std::string_view control, std::string_view key, bool meta = false) const {
        double v = 0;
        detail::check(
            mixplay_session_get_control_float(raw(), detail::z(control).c_str(), detail::z(key).c_str(), meta, &v));
        return v;
    }
    bool get_control_bool(std::string_view control, std::string_view key, bool meta = false) const {
        bool v = false;
        detail::check(
            mixplay_session_get_control_bool(raw(), detail::z(control).c_str(), detail::z(key).c_str(), meta, &v));
        return v;
    }
    // An owning copy (asks for the size, then copies).
    std::string get_control_string(std::string_view control, std::string_view key, bool meta = false) const {
        std::string c = detail::z(control), k = detail::z(key);
        size_t len = 0;
        mixplay_result rc = mixplay_session_get_control_string(raw(), c.c_str(), k.c_str(), meta, nullptr, 0, &len);
        if (rc != MIXPLAY_RESULT_BUFFER_TOO_SMALL) detail::check(rc);
        std::string out(len + 1, '\0');
        detail::check(mixplay_session_get_control_string(raw(), c.c_str(), k.c_str(), meta, out.data(), out.size(), &len));
        out.resize(len);
        return out;
    }
    std::string_view get_control_json(std::string_view control, std::string_view key, bool meta = false) const {
        mixplay_str s;
        detail::check(
            mixplay_session_get_control_json(raw(), detail::z(control).c_str(), detail::z(key).c_str(), meta, &s));
        return detail::view(s);
    }
    std::string_view get_control(std::string_view control) const {
        mixplay_str s;
        detail::check(mixplay_session_get_control(raw(), detail::z(control).c_str(), &s));
        return detail::view(s);
    }

    size_t scene_count() const {
        size_t n = 0;
        detail::check(mixplay_session_scene_count(raw(), &n));
        return n;
    }
    std::string_view scene_at(size_t index) const {
        mixplay_str s;
        detail::check(mixplay_session_scene_at(raw(), index, &s));
        return detail::view(s);
    }
    // Every scene id, in the service's order.
    std::vector<std::string_view> scenes() const {
        std::vector<std::string_view> out;
        for (size_t i = 0, n = scene_count(); i < n; i++) out.push_back(scene_at(i));
        return out;
    }
    size_t control_count(std::string_view scene) const {
        size_t n = 0;
        detail::check(mixplay_session_control_count(raw(), detail::z(scene).c_str(), &n));
        return n;
    }
    std::string_view control_at(std::string_view scene, size_t index) const {
        mixplay_str s;
        detail::check(mixplay_session_control_at(raw(), detail::z(scene).c_str(), index, &s));
        return detail::view(s);
    }
    // Every control id of `scene`.
    std::vector<std::string_view> controls(std::string_view scene) const {
        std::vector<std::string_view> out;
        for (size_t i = 0, n = control_count(scene); i < n; i++) out.push_back(control_at(scene, i));
        return out;
    }
    size_t group_count() const {
        size_t n = 0;
        detail::check(mixplay_session_group_count(raw(), &n));
        return n;
    }
    // The group at `index` and its scene.
    std::pair<std::string_view, std::string_view> group_at(size_t index) const {
        mixplay_str g, s;
        detail::check(mixplay_session_group_at(raw(), index, &g, &s));
        return {detail::view(g), detail::view(s)};
    }
    size_t participant_count() const {
        size_t n = 0;
        detail::check(mixplay_session_participant_count(raw(), &n));
        return n;
    }
    Participant participant(std::string_view session_id) const {
        mixplay_participant p;
        detail::check(mixplay_session_get_participant(raw(), detail::z(session_id).c_str(), &p));
        return Participant::from(p);
    }
    Participant participant_by_user_id(uint32_t user_id) const {
        mixplay_participant p;
        detail::check(mixplay_session_get_participant_by_user_id(raw(), user_id, &p));
        return Participant::from(p);
    }
    // Calls `f(const Participant &)` for each participant; `f` returns bool (false stops) or
    // void. The participant is valid only during its call.
    template <class F>
    void for_each_participant(F &&f) const {
        struct Ctx {
            F *f;
            std::exception_ptr error;
        } ctx{&f, nullptr};
        auto trampoline = [](void *user_data, const mixplay_participant *p) -> bool {
            Ctx *c = static_cast<Ctx *>(user_data);
            try {
                if constexpr (std::is_same_v<decltype((*c->f)(Participant::from(*p))), void>) {
                    (*c->f)(Participant::from(*p));
                    return true;
                } else {
                    return static_cast<bool>((*c->f)(Participant::from(*p)));
                }
            } catch (...) {
                c->error = std::current_exception();
                return false;
            }
        };
        detail::check(mixplay_session_for_each_participant(raw(), trampoline, &ctx));
        if (ctx.error) std::rethrow_exception(ctx.error);
    }

    // ----- this frame's input -----

    // Presses and releases of `control` this frame.
    std::pair<uint32_t, uint32_t> button_counts(std::string_view control) const {
        uint32_t presses = 0, releases = 0;
        detail::check(mixplay_session_button_counts(raw(), detail::z(control).c_str(), &presses, &releases));
        return {presses, releases};
    }
    size_t button_holder_count(std::string_view control) const {
        size_t n = 0;
        detail::check(mixplay_session_button_holder_count(raw(), detail::z(control).c_str(), &n));
        return n;
    }
    std::string_view button_holder_at(std::string_view control, size_t index) const {
        mixplay_str s;
        detail::check(mixplay_session_button_holder_at(raw(), detail::z(control).c_str(), index, &s));
        return detail::view(s);
    }
    std::string_view button_presser_at(std::string_view control, size_t index) const {
        mixplay_str s;
        detail::check(mixplay_session_button_presser_at(raw(), detail::z(control).c_str(), index, &s));
        return detail::view(s);
    }
    // The mean position of this frame's moves and how many there were.
    struct JoystickMean {
        double x = 0;
        double y = 0;
        uint32_t moves = 0;
    };
    JoystickMean joystick_mean(std::string_view control) const {
        JoystickMean m;
        detail::check(mixplay_session_joystick_mean(raw(), detail::z(control).c_str(), &m.x, &m.y, &m.moves));
        return m;
    }
    size_t text_submission_count(std::string_view control) const {
        size_t n = 0;
        detail::check(mixplay_session_text_submission_count(raw(), detail::z(control).c_str(), &n));
        return n;
    }
    // Who submitted the `index`th text this frame, and the text.
    std::pair<std::string_view, std::string_view> text_submission_at(std::string_view control, size_t index) const {
        mixplay_str who, text;
        detail::check(mixplay_session_text_submission_at(raw(), detail::z(control).c_str(), index, &who, &text));
        return {detail::view(who), detail::view(text)};
    }

private:
    // Calls a request function with the session first and the request id last.
    template <class Fn, class... Args>
    uint64_t req(Fn fn, Args... args) {
        uint64_t id = 0;
        detail::check(fn(raw(), args..., &id));
        return id;
    }

    std::unique_ptr<mixplay_session, detail::SessionDeleter> handle_;
};

// ===================================================================================== chat

namespace detail {

struct ChatDeleter {
    void operator()(mixplay_chat *c) const noexcept { (void)mixplay_chat_free(c); }
};

struct AuthDeleter {
    void operator()(mixplay_auth *a) const noexcept { (void)mixplay_auth_free(a); }
};

// A NUL-terminated copy of an optional view; `ptr()` is NULL for an empty optional.
class OptZ {
public:
    explicit OptZ(std::optional<std::string_view> s) : has_(s.has_value()), s_(s ? std::string(*s) : std::string()) {}
    const char *ptr() const noexcept { return has_ ? s_.c_str() : nullptr; }

private:
    bool has_;
    std::string s_;
};

}  // namespace detail

// `mixplay_chat_event_kind`.
enum class ChatEventKind : uint32_t {
    None = MIXPLAY_CHAT_EVENT_KIND_NONE,
    Connection = MIXPLAY_CHAT_EVENT_KIND_CONNECTION,
    Joined = MIXPLAY_CHAT_EVENT_KIND_JOINED,
    Message = MIXPLAY_CHAT_EVENT_KIND_MESSAGE,
    Event = MIXPLAY_CHAT_EVENT_KIND_EVENT,
    Reply = MIXPLAY_CHAT_EVENT_KIND_REPLY,
    Tokens = MIXPLAY_CHAT_EVENT_KIND_TOKENS,
};

// The library's codes in a failed chat reply (`ChatEvent::code`); 0 means the service refused the
// request and `text` is its error (e.g. "UACCESS").
enum class ChatReplyCode : uint32_t {
    Service = 0,
    TimedOut = 1,
    NotConnected = 2,
    ConnectionLost = 3,
};

// One event from `Chat::poll` (a view of `mixplay_chat_event`; strings valid until the next poll
// of the chat, or its destruction). Which fields are set depends on `kind`; see mixplay.h.
struct ChatEvent {
    ChatEventKind kind = ChatEventKind::None;
    // Connection events.
    ConnectionState connection_state = ConnectionState::Unknown;
    // Reply events: the request answered.
    uint64_t request_id = 0;
    // Failed replies: a `ChatReplyCode` value (0 for the service's own error).
    uint32_t code = 0;
    // Message: the sender. Joined: the signed-in user (0 when anonymous).
    uint32_t user_id = 0;
    // Reply: success. Joined: signed in (not anonymous).
    bool flag = false;
    // Message: a whisper to `target`.
    bool whisper = false;
    // Message: a `/me` action.
    bool action = false;
    std::string_view user_name;
    std::string_view message_id;
    // Message: the text. Event: its name. Failed reply: the error. Connection: why.
    std::string_view text;
    std::string_view target;
    // Message, Joined: the roles as a JSON array.
    std::string_view roles;
    // Message: the message data. Event: the event data. Reply: the reply data.
    std::string_view json;
    // Joined: the channel joined, and the user's permissions as a JSON array.
    uint32_t channel_id = 0;
    std::string_view permissions;
    // Tokens: the new tokens (when `flag`; else `text` says why refreshing stopped).
    TokensView tokens;

    // Converts the C event.
    static ChatEvent from(const mixplay_chat_event &e) {
        ChatEvent out;
        out.kind = static_cast<ChatEventKind>(e.kind);
        out.connection_state = static_cast<ConnectionState>(e.connection_state);
        out.request_id = e.request_id;
        out.code = e.code;
        out.user_id = e.user_id;
        out.flag = e.flag;
        out.whisper = e.whisper;
        out.action = e.action;
        out.user_name = detail::view(e.user_name);
        out.message_id = detail::view(e.message_id);
        out.text = detail::view(e.text);
        out.target = detail::view(e.target);
        out.roles = detail::view(e.roles);
        out.json = detail::view(e.json);
        out.channel_id = e.channel_id;
        out.permissions = detail::view(e.permissions);
        out.tokens = TokensView::from(e.tokens);
        return out;
    }

    // An owning copy of the new tokens of a successful Tokens event; nothing otherwise.
    std::optional<Tokens> new_tokens() const {
        if (kind != ChatEventKind::Tokens || !flag) return std::nullopt;
        return tokens.copy();
    }
    // Joined: whether the permissions name `permission` (e.g. "chat", "poll_start").
    bool may(std::string_view permission) const {
        return permissions.find("\"" + std::string(permission) + "\"") != std::string_view::npos;
    }

    // A reply that succeeded (`json` holds the data; else `code` and `text`).
    bool ok() const noexcept { return kind == ChatEventKind::Reply && flag; }
    // Whether this is the reply to `request`.
    bool is_reply_to(uint64_t request) const noexcept { return kind == ChatEventKind::Reply && request_id == request; }
    // A chat message (from `user`, if given).
    bool is_message(std::optional<std::string_view> user = std::nullopt) const noexcept {
        return kind == ChatEventKind::Message && (!user || user_name == *user);
    }
    // A service event named `name` (`UserJoin`, `PollStart`, `DeleteMessage`, …).
    bool is_event(std::string_view name) const noexcept { return kind == ChatEventKind::Event && text == name; }
    // The library's code of a failed reply.
    ChatReplyCode reply_code() const noexcept { return static_cast<ChatReplyCode>(code); }
};

// A channel's chat (see mixplay_chat_* in mixplay.h). Move-only; the destructor closes the
// connection and frees it.
class Chat {
public:
    // Connects to channel `channel_id`'s chat (0: the signed-in user's own) at `base_url` (e.g.
    // "https://mixer.com", or a mediator's "http://127.0.0.1:8080") in the background. `token` is the user's OAuth access
    // token (from `Auth`); without one (or with an empty one) the chat is read anonymously and
    // sending is refused with `UACCESS`. `client_id` is the app's `Client-ID` (none when empty).
    // `settings`, if given, lends its TLS roots, reconnect policy, timeouts and token refresh.
    Chat(std::string_view base_url, uint32_t channel_id, std::optional<std::string_view> token = std::nullopt,
         std::optional<std::string_view> client_id = std::nullopt, const Config *settings = nullptr) {
        detail::OptZ tok(token), cid(client_id);
        mixplay_chat *c = nullptr;
        detail::check(mixplay_chat_new(detail::z(base_url).c_str(), channel_id, tok.ptr(), cid.ptr(),
                                       settings ? settings->raw() : nullptr, &c));
        handle_.reset(c);
    }
    // Adopts a chat made with the C API.
    explicit Chat(mixplay_chat *adopt) noexcept : handle_(adopt) {}

    mixplay_chat *raw() const noexcept { return handle_.get(); }
    mixplay_chat *release() noexcept { return handle_.release(); }
    explicit operator bool() const noexcept { return handle_ != nullptr; }

    // Joins with `token` from the next reconnection on.
    void set_token(std::string_view token) { detail::check(mixplay_chat_set_token(raw(), detail::z(token).c_str())); }
    // Turns automatic refresh on (after `set_token` with the access token that came with it).
    void set_token_refresh(const TokenRefresh &r) {
        detail::check(mixplay_chat_set_token_refresh(raw(), r.base_url.c_str(), r.client_id.c_str(),
                                                     r.refresh_token.c_str(), r.expires_in, r.granted_at));
    }
    // Turns automatic refresh off.
    void clear_token_refresh() { detail::check(mixplay_chat_set_token_refresh(raw(), nullptr, nullptr, nullptr, 0, 0)); }

    // The next event, or nothing when none is waiting. Its views stay valid until the next poll.
    std::optional<ChatEvent> poll() {
        mixplay_chat_event e;
        bool has = false;
        detail::check(mixplay_chat_poll(raw(), &e, &has));
        if (!has) return std::nullopt;
        return ChatEvent::from(e);
    }

    // The connection state as of the events polled so far.
    ConnectionState connection_state() const {
        uint32_t s = 0;
        detail::check(mixplay_chat_connection_state(raw(), &s));
        return static_cast<ConnectionState>(s);
    }

    // ----- requests (each returns the request id its reply will carry) -----

    // Any chat method, with `args_json` a JSON array of its arguments (`auth` is refused).
    uint64_t call(std::string_view method, std::string_view args_json) {
        return req(mixplay_chat_call, detail::z(method).c_str(), detail::z(args_json).c_str());
    }
    // Sends `text` to the channel (`/me …` sends an action).
    uint64_t send(std::string_view text) { return req(mixplay_chat_send, detail::z(text).c_str()); }
    // Whispers `text` to `username`.
    uint64_t whisper(std::string_view username, std::string_view text) {
        return req(mixplay_chat_whisper, detail::z(username).c_str(), detail::z(text).c_str());
    }
    // Times `username` out for `duration` ("30s", "1m15s", "2h", bare seconds), or "clear".
    uint64_t timeout(std::string_view username, std::string_view duration) {
        return req(mixplay_chat_timeout, detail::z(username).c_str(), detail::z(duration).c_str());
    }
    // Removes every message of `username`.
    uint64_t purge(std::string_view username) { return req(mixplay_chat_purge, detail::z(username).c_str()); }
    // Deletes one message by id (`ChatEvent::message_id`).
    uint64_t delete_message(std::string_view message_id) {
        return req(mixplay_chat_delete_message, detail::z(message_id).c_str());
    }
    // Clears the chat.
    uint64_t clear_messages() { return req(mixplay_chat_clear_messages); }
    // The last `count` messages (at most 100): the reply's `json` is an array, oldest first.
    uint64_t history(uint32_t count) { return req(mixplay_chat_history, count); }
    // Starts a poll: `answers_json` is a JSON array of at least two strings.
    uint64_t start_poll(std::string_view question, std::string_view answers_json, uint32_t seconds) {
        return req(mixplay_chat_start_poll, detail::z(question).c_str(), detail::z(answers_json).c_str(), seconds);
    }
    // Votes for answer `index` (0-based) of the running poll.
    uint64_t vote(uint32_t index) { return req(mixplay_chat_vote, index); }

private:
    // Calls a request function with the chat first and the request id last.
    template <class Fn, class... Args>
    uint64_t req(Fn fn, Args... args) {
        uint64_t id = 0;
        detail::check(fn(raw(), args..., &id));
        return id;
    }

    std::unique_ptr<mixplay_chat, detail::ChatDeleter> handle_;
};

// ================================================================================== sign-in

// `mixplay_auth_state`.
enum class AuthState : uint32_t {
    Idle = MIXPLAY_AUTH_STATE_IDLE,
    Starting = MIXPLAY_AUTH_STATE_STARTING,
    Waiting = MIXPLAY_AUTH_STATE_WAITING,
    Approved = MIXPLAY_AUTH_STATE_APPROVED,
    Denied = MIXPLAY_AUTH_STATE_DENIED,
    Expired = MIXPLAY_AUTH_STATE_EXPIRED,
    Refreshing = MIXPLAY_AUTH_STATE_REFRESHING,
    Failed = MIXPLAY_AUTH_STATE_FAILED,
};

// The sign-in's status from `Auth::poll` (a view of `mixplay_auth_status`; strings valid until
// the next poll of the sign-in, or its destruction). Fields the state does not use are empty.
struct AuthStatus {
    AuthState state = AuthState::Idle;
    // Waiting: the code to show, where to enter it (the code filled in), and how long it works.
    std::string_view code;
    std::string_view url;
    uint64_t code_expires_in_ms = 0;
    // Approved: the tokens (secrets), the access token's lifetime in seconds from `granted_at`
    // (unix seconds).
    std::string_view access_token;
    std::string_view refresh_token;
    uint64_t expires_in = 0;
    int64_t granted_at = 0;
    // Failed: what went wrong.
    std::string_view message;

    // Converts the C status.
    static AuthStatus from(const mixplay_auth_status &s) {
        AuthStatus out;
        out.state = static_cast<AuthState>(s.state);
        out.code = detail::view(s.code);
        out.url = detail::view(s.url);
        out.code_expires_in_ms = s.code_expires_in_ms;
        out.access_token = detail::view(s.access_token);
        out.refresh_token = detail::view(s.refresh_token);
        out.expires_in = s.expires_in;
        out.granted_at = s.granted_at;
        out.message = detail::view(s.message);
        return out;
    }

    // Nothing started (or cancelled).
    bool idle() const noexcept { return state == AuthState::Idle; }
    // Talking to the service (getting a code, or refreshing): poll again next frame.
    bool busy() const noexcept { return state == AuthState::Starting || state == AuthState::Refreshing; }
    // Show `code` and `url` to the user.
    bool waiting() const noexcept { return state == AuthState::Waiting; }
    // Signed in: take the tokens (`tokens()`).
    bool approved() const noexcept { return state == AuthState::Approved; }
    // The user said no.
    bool denied() const noexcept { return state == AuthState::Denied; }
    // The code expired unanswered: `Auth::start` again.
    bool expired() const noexcept { return state == AuthState::Expired; }
    // Something failed: `message` says what.
    bool failed() const noexcept { return state == AuthState::Failed; }
    // Finished one way or the other (approved, denied, expired or failed).
    bool done() const noexcept { return approved() || denied() || expired() || failed(); }

    // An owning copy of the tokens when approved; nothing otherwise.
    std::optional<Tokens> tokens() const {
        if (!approved()) return std::nullopt;
        return Tokens{std::string(access_token), std::string(refresh_token), expires_in, granted_at};
    }
};

// `mixplay_user_state`.
enum class UserState : uint32_t {
    None = MIXPLAY_USER_STATE_NONE,
    Fetching = MIXPLAY_USER_STATE_FETCHING,
    Found = MIXPLAY_USER_STATE_FOUND,
    Failed = MIXPLAY_USER_STATE_FAILED,
};

// Who a token belongs to, from `Auth::user` (a view of `mixplay_user`; strings valid until the
// next `Auth::user`, or the sign-in's destruction).
struct User {
    UserState state = UserState::None;
    uint32_t id = 0;
    // The user's own channel (0 when none): the channel of their chat.
    uint32_t channel_id = 0;
    uint32_t level = 0;
    uint64_t sparks = 0;
    std::string_view username;
    // The service's whole answer.
    std::string_view json;
    // Failed: what went wrong.
    std::string_view message;

    static User from(const mixplay_user &u) {
        User out;
        out.state = static_cast<UserState>(u.state);
        out.id = u.id;
        out.channel_id = u.channel_id;
        out.level = u.level;
        out.sparks = u.sparks;
        out.username = detail::view(u.username);
        out.json = detail::view(u.json);
        out.message = detail::view(u.message);
        return out;
    }

    bool found() const noexcept { return state == UserState::Found; }
    bool failed() const noexcept { return state == UserState::Failed; }
    // Still asking: look again next frame.
    bool busy() const noexcept { return state == UserState::Fetching; }
};

// A short-code sign-in (see mixplay_auth_* in mixplay.h): `start()`, then `poll()` once a frame —
// show the code and URL while it is waiting, take the tokens once approved, start again after
// it expired. Move-only; the destructor stops it and frees it. Nothing blocks.
class Auth {
public:
    // A sign-in for OAuth app `client_id` asking for `scopes` (space-separated, e.g.
    // "interactive:robot:self chat:connect chat:chat") at `base_url` ("https://mixer.com", or a
    // mediator's "http://127.0.0.1:8080"), without a client secret (apps on players' machines).
    // `settings`, if given, lends its TLS roots and request timeout. Nothing is sent yet.
    Auth(std::string_view base_url, std::string_view client_id, std::string_view scopes,
         const Config *settings = nullptr)
        : Auth(make(base_url, client_id, std::nullopt, scopes, settings)) {}
    // The same for a confidential app with a client secret (never on players' machines).
    static Auth with_client_secret(std::string_view base_url, std::string_view client_id,
                                   std::string_view client_secret, std::string_view scopes,
                                   const Config *settings = nullptr) {
        return Auth(make(base_url, client_id, client_secret, scopes, settings));
    }
    // Adopts a sign-in made with the C API.
    explicit Auth(mixplay_auth *adopt) noexcept : handle_(adopt) {}

    mixplay_auth *raw() const noexcept { return handle_.get(); }
    mixplay_auth *release() noexcept { return handle_.release(); }
    explicit operator bool() const noexcept { return handle_ != nullptr; }

    // Starts (or starts over, dropping a code in progress): Starting, then Waiting.
    void start() { detail::check(mixplay_auth_start(raw())); }
    // Trades a refresh token (single use) for new tokens: Refreshing, then Approved or Failed.
    void refresh(std::string_view refresh_token) {
        detail::check(mixplay_auth_refresh(raw(), detail::z(refresh_token).c_str()));
    }
    // Stops checking or refreshing: Idle.
    void cancel() { detail::check(mixplay_auth_cancel(raw())); }
    // The current status (cheap: call it once a frame). Its views stay valid until the next poll.
    AuthStatus poll() {
        mixplay_auth_status s;
        detail::check(mixplay_auth_poll(raw(), &s));
        return AuthStatus::from(s);
    }
    // Asks who `access_token` belongs to, and their channel; read the answer with `user()`.
    void fetch_user(std::string_view access_token) {
        detail::check(mixplay_auth_fetch_user(raw(), detail::z(access_token).c_str()));
    }
    // Where the last `fetch_user` stands (cheap: call it once a frame).
    User user() {
        mixplay_user u;
        detail::check(mixplay_auth_user(raw(), &u));
        return User::from(u);
    }

private:
    static mixplay_auth *make(std::string_view base_url, std::string_view client_id,
                              std::optional<std::string_view> client_secret, std::string_view scopes,
                              const Config *settings) {
        detail::OptZ secret(client_secret);
        mixplay_auth *a = nullptr;
        detail::check(mixplay_auth_new(detail::z(base_url).c_str(), detail::z(client_id).c_str(), secret.ptr(),
                                       detail::z(scopes).c_str(), settings ? settings->raw() : nullptr, &a));
        return a;
    }

    std::unique_ptr<mixplay_auth, detail::AuthDeleter> handle_;
};

// The short-code sign-in under the name the game's UI usually gives it.
using SignIn = Auth;


}  // namespace mixplay

#endif  // MIXPLAY_HPP
