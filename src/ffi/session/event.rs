//! The event struct `poll` fills, and the conversion from the engine's events.

use crate::client::{ButtonAction, ErrorKind, Event, InputKind, SessionId};
use crate::ffi::connection::mixplay_connection_state;
use crate::ffi::str::{mixplay_str, Arena};
use crate::ffi::tokens::mixplay_tokens;

/// What an event is about; see `mixplay_event` for the fields each kind sets.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_event_kind {
    /// No event (the struct was not filled).
    None = 0,
    /// The connection changed: `connection_state`, `code` (the close code, 0 if none), `text`.
    Connection = 1,
    /// The service's ready state changed: `flag`.
    Ready = 2,
    /// A participant gave input: `participant`, `control`, `input_kind`, and per kind `button`,
    /// `x`/`y` (+ `has_position`), `text`, `transaction`; `json` for custom events.
    Input = 3,
    /// `participant` joined; the cache has them.
    ParticipantJoined = 4,
    /// `participant` left; `json` holds their last known properties.
    ParticipantLeft = 5,
    /// `participant`'s properties changed.
    ParticipantUpdated = 6,
    /// `scene` was created.
    SceneCreated = 7,
    /// `scene`'s own properties changed.
    SceneUpdated = 8,
    /// `scene` was deleted; its groups moved to the scene in `text`.
    SceneDeleted = 9,
    /// `group` was created.
    GroupCreated = 10,
    /// `group` changed (for example its scene).
    GroupUpdated = 11,
    /// `group` was deleted; its participants moved to the group in `text`.
    GroupDeleted = 12,
    /// `control` was created in `scene`.
    ControlCreated = 13,
    /// `control` in `scene` changed.
    ControlUpdated = 14,
    /// `control` was deleted from `scene`.
    ControlDeleted = 15,
    /// The world's properties changed.
    WorldUpdated = 16,
    /// The service warns of memory use: `used_bytes`, `total_bytes`, `json` (the breakdown).
    MemoryWarning = 17,
    /// The answer to request `request_id`: `flag` true with the result in `json`, or `flag`
    /// false with `code`, `text` (message) and `path`.
    Reply = 18,
    /// A method the library does not handle: `text` is its name, `json` its params.
    UnhandledMethod = 19,
    /// Something went wrong outside a request: `error_kind`, `code` (0 if none), `text`.
    Error = 20,
    /// Automatic refresh (`mixplay_config_set_token_refresh`): `flag` true with the new tokens in
    /// `tokens` (store them: the old refresh token is spent; the session connects with the new
    /// access token from now on), or `flag` false when the service refused the refresh token:
    /// `text` says why, refreshing has stopped, and the game should sign in again and hand the
    /// new tokens to `mixplay_session_set_token` and `mixplay_session_set_token_refresh`.
    Tokens = 21,
}

/// `mixplay_event.input_kind`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_input_kind {
    /// Not an input event.
    None = 0,
    /// A button was pressed with the mouse or a touch: `button`; screens also set `x`/`y`.
    MouseDown = 1,
    /// A button was released with the mouse or a touch: `button`; screens also set `x`/`y`.
    MouseUp = 2,
    /// A button was pressed with its key (`keyCode`).
    KeyDown = 3,
    /// A button was released with its key.
    KeyUp = 4,
    /// A joystick or screen move: `x`, `y`.
    Move = 5,
    /// A textbox change (typing): `text`.
    TextChange = 6,
    /// A textbox submission: `text`.
    TextSubmit = 7,
    /// Any other event: its name in `text`, the input object in `json`.
    Custom = 8,
}

/// `mixplay_event.error_kind`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_error_kind {
    /// Not an error event.
    None = 0,
    /// The connection failed or was closed.
    Connection = 1,
    /// A packet from the service could not be read.
    Protocol = 2,
    /// Input was dropped because the game did not poll fast enough.
    QueueOverflow = 3,
    /// Something inside the library failed.
    Internal = 4,
}

/// One event from `mixplay_session_poll`. Which fields are set depends on `kind` (see
/// `mixplay_event_kind`); the others are zero or empty strings.
///
/// **Lifetime**: every string in the event stays valid until the next poll on the same session
/// or its `mixplay_session_free`. Copy what you keep longer.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_event {
    /// A `mixplay_event_kind` value.
    pub kind: u32,
    /// A `mixplay_connection_state` value (Connection events).
    pub connection_state: u32,
    /// A `mixplay_input_kind` value (Input events).
    pub input_kind: u32,
    /// A `mixplay_error_kind` value (Error events).
    pub error_kind: u32,
    /// The request this answers (Reply events); 0 otherwise.
    pub request_id: u64,
    /// A close code, service error code or library error code; 0 when none.
    pub code: u32,
    /// The mouse button of a button input (0 for touch and keys).
    pub button: i32,
    /// Reply: success. Ready: the new ready state. Input: whether `x`/`y` are set.
    pub flag: bool,
    /// Input: the event carried a position (`x`, `y`).
    pub has_position: bool,
    /// Input position (joystick in [-1, 1], screen as sent).
    pub x: f64,
    pub y: f64,
    /// MemoryWarning: bytes used and the cap (0 when uncapped).
    pub used_bytes: u64,
    pub total_bytes: u64,
    /// The participant's session id.
    pub participant: mixplay_str,
    pub control: mixplay_str,
    pub scene: mixplay_str,
    pub group: mixplay_str,
    /// A message, textbox text, custom event name, method name or reassignment target.
    pub text: mixplay_str,
    /// JSON: a reply's result, a custom input, a departed participant, unhandled params.
    pub json: mixplay_str,
    /// The spark transaction an input opened (capture it with `mixplay_session_capture`).
    pub transaction: mixplay_str,
    /// Reply errors: the path of the offending parameter, when the service gave one.
    pub path: mixplay_str,
    /// Tokens events: the new tokens (secrets: keep them out of logs).
    pub tokens: mixplay_tokens,
}

impl mixplay_event {
    pub fn empty() -> mixplay_event {
        let e = mixplay_str::empty();
        mixplay_event {
            kind: mixplay_event_kind::None as u32,
            connection_state: 0,
            input_kind: 0,
            error_kind: 0,
            request_id: 0,
            code: 0,
            button: 0,
            flag: false,
            has_position: false,
            x: 0.0,
            y: 0.0,
            used_bytes: 0,
            total_bytes: 0,
            participant: e,
            control: e,
            scene: e,
            group: e,
            text: e,
            json: e,
            transaction: e,
            path: e,
            tokens: mixplay_tokens::empty(),
        }
    }
}

fn action_kind(a: ButtonAction) -> mixplay_input_kind {
    match a {
        ButtonAction::MouseDown => mixplay_input_kind::MouseDown,
        ButtonAction::MouseUp => mixplay_input_kind::MouseUp,
        ButtonAction::KeyDown => mixplay_input_kind::KeyDown,
        ButtonAction::KeyUp => mixplay_input_kind::KeyUp,
    }
}

pub fn session_id(arena: &mut Arena, id: &SessionId) -> mixplay_str {
    id.with_str(|s| arena.put(s))
}

/// Fills `out` (an empty event) from `event`, putting its strings in `arena`. It writes in place:
/// a poll hands out hundreds of events a call, and building each on the stack costs a copy.
pub fn convert(event: &Event, arena: &mut Arena, out: &mut mixplay_event) {
    use mixplay_event_kind as K;
    let kind = match event {
        Event::Connection { state, code, message } => {
            out.connection_state = mixplay_connection_state::from(*state) as u32;
            out.code = code.map(u32::from).unwrap_or(0);
            out.text = arena.put(message);
            K::Connection
        }
        Event::Ready(r) => {
            out.flag = *r;
            K::Ready
        }
        Event::Input(input) => {
            out.participant = session_id(arena, &input.participant);
            out.control = arena.put(&input.control);
            if let Some(t) = &input.transaction {
                out.transaction = arena.put(t);
            }
            let kind = match &input.kind {
                InputKind::Button { action, button } => {
                    out.button = *button;
                    action_kind(*action)
                }
                InputKind::ScreenButton { action, x, y } => {
                    (out.x, out.y, out.has_position) = (*x, *y, true);
                    action_kind(*action)
                }
                InputKind::Move { x, y } => {
                    (out.x, out.y, out.has_position) = (*x, *y, true);
                    mixplay_input_kind::Move
                }
                InputKind::Text { submit, text } => {
                    out.text = arena.put(text);
                    if *submit {
                        mixplay_input_kind::TextSubmit
                    } else {
                        mixplay_input_kind::TextChange
                    }
                }
                InputKind::Custom { event } => {
                    out.text = arena.put(event);
                    out.json = arena.put(&input.raw);
                    mixplay_input_kind::Custom
                }
            };
            out.input_kind = kind as u32;
            K::Input
        }
        Event::ParticipantJoined(id) => {
            out.participant = session_id(arena, id);
            K::ParticipantJoined
        }
        Event::ParticipantLeft { participant, last } => {
            out.participant = session_id(arena, participant);
            out.json = arena.put(last);
            K::ParticipantLeft
        }
        Event::ParticipantUpdated(id) => {
            out.participant = session_id(arena, id);
            K::ParticipantUpdated
        }
        Event::SceneCreated(s) => {
            out.scene = arena.put(s);
            K::SceneCreated
        }
        Event::SceneUpdated(s) => {
            out.scene = arena.put(s);
            K::SceneUpdated
        }
        Event::SceneDeleted { scene, reassigned_to } => {
            out.scene = arena.put(scene);
            out.text = arena.put(reassigned_to);
            K::SceneDeleted
        }
        Event::GroupCreated(g) => {
            out.group = arena.put(g);
            K::GroupCreated
        }
        Event::GroupUpdated(g) => {
            out.group = arena.put(g);
            K::GroupUpdated
        }
        Event::GroupDeleted { group, reassigned_to } => {
            out.group = arena.put(group);
            out.text = arena.put(reassigned_to);
            K::GroupDeleted
        }
        Event::ControlCreated { scene, control } => {
            out.scene = arena.put(scene);
            out.control = arena.put(control);
            K::ControlCreated
        }
        Event::ControlUpdated { scene, control } => {
            out.scene = arena.put(scene);
            out.control = arena.put(control);
            K::ControlUpdated
        }
        Event::ControlDeleted { scene, control } => {
            out.scene = arena.put(scene);
            out.control = arena.put(control);
            K::ControlDeleted
        }
        Event::WorldUpdated => K::WorldUpdated,
        Event::MemoryWarning { used_bytes, total_bytes, raw } => {
            (out.used_bytes, out.total_bytes) = (*used_bytes, *total_bytes);
            out.json = arena.put(raw);
            K::MemoryWarning
        }
        Event::Reply(r) => {
            out.request_id = r.request_id;
            match &r.result {
                Ok(json) => {
                    out.flag = true;
                    out.json = arena.put(json);
                }
                Err(e) => {
                    out.code = e.code;
                    out.text = arena.put(&e.message);
                    if let Some(p) = &e.path {
                        out.path = arena.put(p);
                    }
                }
            }
            K::Reply
        }
        Event::UnhandledMethod { method, params } => {
            out.text = arena.put(method);
            out.json = arena.put(params);
            K::UnhandledMethod
        }
        Event::Error { kind, code, message } => {
            out.error_kind = match kind {
                ErrorKind::Connection => mixplay_error_kind::Connection,
                ErrorKind::Protocol => mixplay_error_kind::Protocol,
                ErrorKind::QueueOverflow => mixplay_error_kind::QueueOverflow,
                ErrorKind::Internal => mixplay_error_kind::Internal,
            } as u32;
            out.code = code.unwrap_or(0);
            out.text = arena.put(message);
            K::Error
        }
        Event::Tokens(result) => {
            match result {
                Ok(tokens) => {
                    out.flag = true;
                    out.tokens = mixplay_tokens::put(tokens, arena);
                }
                Err(why) => out.text = arena.put(why),
            }
            K::Tokens
        }
    };
    out.kind = kind as u32;
}
