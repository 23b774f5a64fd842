//! The events a session hands to the game through `poll`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::auth::Tokens;
use crate::net::{ConnectionState, LocalError};
use crate::protocol::ErrorCode;

/// A participant's session id. UUIDs (what services send) are stored as their 16 bytes; any
/// other id is kept as text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SessionId {
    Uuid([u8; 16]),
    Other(Arc<str>),
}

impl SessionId {
    /// Reads a session id; lower-case canonical UUIDs take the compact form.
    pub fn parse(s: &str) -> SessionId {
        parse_uuid(s).map(|v| SessionId::Uuid(v.to_be_bytes())).unwrap_or_else(|| SessionId::Other(Arc::from(s)))
    }

    /// Writes the id's text into `out` (36 bytes for a UUID).
    pub fn write_to(&self, out: &mut String) {
        self.with_str(|s| out.push_str(s));
    }

    /// Runs `f` on the id's text; a UUID is formatted on the stack, so nothing is allocated
    /// (the C API writes one per input event).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            SessionId::Uuid(bytes) => {
                let mut text = [b'-'; 36];
                let word = |i: usize| hex8(u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]));
                // 8-4-4-4-12 digits: the second and third words straddle a dash.
                let (a, b, c, d) = (word(0), word(4), word(8), word(12));
                text[0..8].copy_from_slice(&a);
                text[9..13].copy_from_slice(&b[..4]);
                text[14..18].copy_from_slice(&b[4..]);
                text[19..23].copy_from_slice(&c[..4]);
                text[24..28].copy_from_slice(&c[4..]);
                text[28..36].copy_from_slice(&d);
                f(std::str::from_utf8(&text).expect("hex digits and dashes"))
            }
            SessionId::Other(s) => f(s),
        }
    }
}

// Hashes a UUID as one integer: the derived hash would feed the enum tag, a length and the 16
// bytes separately, once per input on the game thread (the per-frame tables of who holds what).
impl Hash for SessionId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            SessionId::Uuid(bytes) => state.write_u128(u128::from_ne_bytes(*bytes)),
            SessionId::Other(s) => s.hash(state),
        }
    }
}

/// The 8 lower-case hex digits of `v`, most significant first, computed in one 64-bit word: each
/// nibble is spread into its own byte, then turned into '0'..'9' or 'a'..'f' without a branch.
fn hex8(v: u32) -> [u8; 8] {
    let mut x = u64::from(v);
    x = ((x & 0xffff_0000) << 16) | (x & 0xffff);
    x = ((x & 0x0000_ff00_0000_ff00) << 8) | (x & 0x0000_00ff_0000_00ff);
    x = ((x & 0x00f0_00f0_00f0_00f0) << 4) | (x & 0x000f_000f_000f_000f);
    // 1 in each byte whose nibble is 10 or more (adding 6 carries it into bit 4).
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    (x + 0x3030_3030_3030_3030 + letters * (b'a' - b'0' - 10) as u64).to_be_bytes()
}

/// The value of each lower-case hex digit; 0xff for every other byte (upper-case ids keep their
/// exact text, so they are not UUIDs here).
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Where the 32 digits of a canonical UUID are.
const UUID_DIGITS: [usize; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
    35,
];

// One per input event on the network thread: table lookups, no branch per digit.
fn parse_uuid(s: &str) -> Option<u128> {
    let b: &[u8; 36] = s.as_bytes().try_into().ok()?;
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let (mut hi, mut lo, mut bad) = (0u64, 0u64, 0u8);
    for &i in &UUID_DIGITS[..16] {
        let d = HEX_VALUE[b[i] as usize];
        bad |= d;
        hi = (hi << 4) | u64::from(d & 0xf);
    }
    for &i in &UUID_DIGITS[16..] {
        let d = HEX_VALUE[b[i] as usize];
        bad |= d;
        lo = (lo << 4) | u64::from(d & 0xf);
    }
    (bad & 0xf0 == 0).then_some((u128::from(hi) << 64) | u128::from(lo))
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

/// A button event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    MouseDown,
    MouseUp,
    KeyDown,
    KeyUp,
}

impl ButtonAction {
    pub fn is_press(self) -> bool {
        matches!(self, ButtonAction::MouseDown | ButtonAction::KeyDown)
    }
}

/// What kind of input a participant gave.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// A button press or release; `button` is the mouse button (0 for touch and keys).
    Button { action: ButtonAction, button: i32 },
    /// A joystick or screen move, x and y as the participant sent them.
    Move { x: f64, y: f64 },
    /// A screen press or release at x, y.
    ScreenButton { action: ButtonAction, x: f64, y: f64 },
    /// A textbox change (typing, when there is no submit button) or submission.
    Text { submit: bool, text: String },
    /// Any other event (custom controls): the event name; the whole input is in `raw`.
    Custom { event: String },
}

/// One input from one participant.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub participant: SessionId,
    pub control: Arc<str>,
    pub kind: InputKind,
    /// The spark transaction this input opened, to `capture`.
    pub transaction: Option<String>,
    /// The input object as JSON, for custom controls (empty for built-in events).
    pub raw: String,
}

/// A failed request, as the service (or the library) reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError {
    /// A protocol code (4xxx, 1011), or one of the local codes of [`LocalError`].
    pub code: u32,
    pub message: String,
    pub path: Option<String>,
}

impl ReplyError {
    pub fn local(kind: LocalError, message: impl Into<String>) -> Self {
        ReplyError { code: kind as u32, message: message.into(), path: None }
    }

    /// The protocol code, when it is one.
    pub fn protocol_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }
}

/// The answer to a request made by the game.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub request_id: u64,
    /// The result as JSON text, or the error.
    pub result: Result<String, ReplyError>,
}

/// Things that went wrong outside any request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The connection failed or was closed; `code` says why when the service said.
    Connection,
    /// A packet from the service could not be read.
    Protocol,
    /// Input events were dropped because the game did not poll fast enough.
    QueueOverflow,
    /// Something inside the library failed.
    Internal,
}

/// Everything `poll` can hand to the game. After an event is returned, the state cache already
/// reflects it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The connection changed state. `code` and `message` explain a loss or a stop.
    Connection {
        state: ConnectionState,
        code: Option<u16>,
        message: String,
    },
    /// The service's ready state changed (participants can interact while ready).
    Ready(bool),
    Input(Input),
    ParticipantJoined(SessionId),
    /// The participant has left; its last known properties as JSON.
    ParticipantLeft {
        participant: SessionId,
        last: String,
    },
    ParticipantUpdated(SessionId),
    SceneCreated(String),
    SceneUpdated(String),
    SceneDeleted {
        scene: String,
        reassigned_to: String,
    },
    GroupCreated(String),
    GroupUpdated(String),
    GroupDeleted {
        group: String,
        reassigned_to: String,
    },
    ControlCreated {
        scene: String,
        control: String,
    },
    ControlUpdated {
        scene: String,
        control: String,
    },
    ControlDeleted {
        scene: String,
        control: String,
    },
    WorldUpdated,
    /// The service warns that the session is near its memory limit.
    MemoryWarning {
        used_bytes: u64,
        total_bytes: u64,
        raw: String,
    },
    Reply(Reply),
    /// A method from the service the library does not handle: its name and params as JSON.
    UnhandledMethod {
        method: String,
        params: String,
    },
    Error {
        kind: ErrorKind,
        code: Option<u32>,
        message: String,
    },
    /// Automatic refresh (`Config::refresh`) got new tokens: store them (the old refresh token
    /// is spent); the session connects with the new access token from now on. `Err`: the service
    /// refused the refresh token, so refreshing has stopped; sign in again and hand the new
    /// tokens to `Session::set_token` and `Session::set_token_refresh`.
    Tokens(Result<Tokens, String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_round_trip() {
        let u = "b2f65dea-429f-4105-a280-745fd5d75945";
        let id = SessionId::parse(u);
        assert!(matches!(id, SessionId::Uuid(_)));
        assert_eq!(id.to_string(), u);
        let odd = SessionId::parse("B2F65DEA-429F-4105-A280-745FD5D75945");
        assert!(matches!(odd, SessionId::Other(_)));
        assert_eq!(SessionId::parse("s1").to_string(), "s1");
        for not_uuid in ["b2f65dea-429f-4105-a280-745fd5d7594g", "b2f65dea4-29f-4105-a280-745fd5d75945"] {
            assert!(matches!(SessionId::parse(not_uuid), SessionId::Other(_)), "{not_uuid}");
        }
    }

    #[test]
    fn uuids_format_every_digit_in_place() {
        let mut bytes = [0u8; 16];
        for seed in 0..4096u32 {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = (seed.wrapping_mul(2_654_435_761).rotate_left(i as u32 * 5) >> 7) as u8 ^ (i as u8 * 17);
            }
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let expected = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
            assert_eq!(SessionId::Uuid(bytes).to_string(), expected);
            assert_eq!(SessionId::parse(&expected), SessionId::Uuid(bytes));
        }
    }
}
