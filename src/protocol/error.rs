//! Every error and close code of the Interactive 2.0 protocol, as one typed enum.

use std::fmt;

/// A protocol error or websocket close code.
///
/// The spec uses one number space for reply errors (`error.code`) and close frames. Codes the
/// spec never assigned (4005) have no variant; [`ErrorCode::from_code`] returns `None` for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// Unknown internal error (close frame or reply).
    InternalError = 1011,
    /// The service is restarting or deploying; the client should reconnect.
    ServiceRestart = 1012,
    /// The payload could not be parsed as JSON (reply id is 0).
    InvalidPayload = 4000,
    /// A compressed frame could not be decompressed.
    DecompressionFailed = 4001,
    /// The packet `type` is neither `method` nor `reply`.
    UnknownPacketType = 4002,
    /// The method name is unknown.
    UnknownMethod = 4003,
    /// The method arguments could not be parsed or are invalid.
    InvalidParams = 4004,
    /// Unknown or expired spark transaction.
    UnknownTransaction = 4006,
    /// The participant does not have enough sparks.
    NotEnoughSparks = 4007,
    /// Unknown group id.
    UnknownGroup = 4008,
    /// The group already exists.
    GroupExists = 4009,
    /// Unknown scene id.
    UnknownScene = 4010,
    /// The scene already exists.
    SceneExists = 4011,
    /// Unknown control id.
    UnknownControl = 4012,
    /// The control already exists.
    ControlExists = 4013,
    /// Unknown control kind.
    UnknownControlKind = 4014,
    /// Unknown participant.
    UnknownParticipant = 4015,
    /// Sent to participants when the interactive session has ended.
    SessionEnded = 4016,
    /// The game client exceeded its memory limit.
    OutOfMemory = 4017,
    /// Default scenes and groups cannot be deleted.
    CannotDeleteDefault = 4018,
    /// Authentication failed during the handshake.
    AuthenticationFailed = 4019,
    /// The interactive version is not found, or the user has no access to it.
    VersionNotFound = 4020,
    /// Another game client is already connected for this channel.
    SessionAlreadyRunning = 4021,
    /// The channel is not interactive right now (participant socket only).
    ChannelNotOnline = 4022,
    /// The custom-control bundle is missing or unpublished.
    BundleNotFound = 4023,
    /// The broadcast scope is invalid.
    InvalidBroadcastScope = 4024,
    /// The participant can no longer access the session (for example banned).
    AccessRevoked = 4025,
    /// An anonymous participant pressed a control that costs sparks.
    AnonymousSparkCost = 4026,
    /// The game client was deliberately terminated and must not reconnect.
    Terminated = 4027,
    /// Bad user input. (interactive-node uses 4999 for the same meaning; both read as this.)
    BadUserInput = 4099,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 30] = [
        ErrorCode::InternalError,
        ErrorCode::ServiceRestart,
        ErrorCode::InvalidPayload,
        ErrorCode::DecompressionFailed,
        ErrorCode::UnknownPacketType,
        ErrorCode::UnknownMethod,
        ErrorCode::InvalidParams,
        ErrorCode::UnknownTransaction,
        ErrorCode::NotEnoughSparks,
        ErrorCode::UnknownGroup,
        ErrorCode::GroupExists,
        ErrorCode::UnknownScene,
        ErrorCode::SceneExists,
        ErrorCode::UnknownControl,
        ErrorCode::ControlExists,
        ErrorCode::UnknownControlKind,
        ErrorCode::UnknownParticipant,
        ErrorCode::SessionEnded,
        ErrorCode::OutOfMemory,
        ErrorCode::CannotDeleteDefault,
        ErrorCode::AuthenticationFailed,
        ErrorCode::VersionNotFound,
        ErrorCode::SessionAlreadyRunning,
        ErrorCode::ChannelNotOnline,
        ErrorCode::BundleNotFound,
        ErrorCode::InvalidBroadcastScope,
        ErrorCode::AccessRevoked,
        ErrorCode::AnonymousSparkCost,
        ErrorCode::Terminated,
        ErrorCode::BadUserInput,
    ];

    /// The numeric code as sent on the wire.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// Reads a numeric code. 4999 (interactive-node's bad-input code) reads as `BadUserInput`.
    pub fn from_code(code: u32) -> Option<ErrorCode> {
        if code == 4999 {
            return Some(ErrorCode::BadUserInput);
        }
        ErrorCode::ALL.iter().copied().find(|c| u32::from(c.code()) == code)
    }

    /// The spec's description of the code, used as the default error message.
    pub fn description(self) -> &'static str {
        match self {
            ErrorCode::InternalError => "Unknown internal error.",
            ErrorCode::ServiceRestart => "The service is restarting; reconnect.",
            ErrorCode::InvalidPayload => "Error parsing payload as JSON.",
            ErrorCode::DecompressionFailed => "Error decompressing a compressed frame.",
            ErrorCode::UnknownPacketType => "Unknown packet type.",
            ErrorCode::UnknownMethod => "Unknown method name.",
            ErrorCode::InvalidParams => "Error parsing method arguments.",
            ErrorCode::UnknownTransaction => "Unknown or expired transaction ID.",
            ErrorCode::NotEnoughSparks => "The participant doesn't have enough sparks.",
            ErrorCode::UnknownGroup => "Unknown group ID specified.",
            ErrorCode::GroupExists => "The specified group already exists.",
            ErrorCode::UnknownScene => "Unknown scene ID specified.",
            ErrorCode::SceneExists => "The specified scene already exists.",
            ErrorCode::UnknownControl => "Unknown control ID specified.",
            ErrorCode::ControlExists => "The specified control already exists.",
            ErrorCode::UnknownControlKind => "Unknown control type.",
            ErrorCode::UnknownParticipant => "Unknown participant ID specified.",
            ErrorCode::SessionEnded => "The interactive session has ended.",
            ErrorCode::OutOfMemory => "The game client exceeded its memory limit.",
            ErrorCode::CannotDeleteDefault => "You cannot delete a default resource.",
            ErrorCode::AuthenticationFailed => "Authentication failed.",
            ErrorCode::VersionNotFound => "The interactive version is not found, or you do not have access to it.",
            ErrorCode::SessionAlreadyRunning => "A different interactive session is already running for the channel.",
            ErrorCode::ChannelNotOnline => "The channel is not online.",
            ErrorCode::BundleNotFound => "No interactive bundle found for this control version.",
            ErrorCode::InvalidBroadcastScope => "Invalid broadcast scope provided.",
            ErrorCode::AccessRevoked => "You can no longer access this session.",
            ErrorCode::AnonymousSparkCost => "Anonymous users cannot use controls that cost sparks.",
            ErrorCode::Terminated => "The session was terminated and must not reconnect.",
            ErrorCode::BadUserInput => "Bad user input.",
        }
    }

    /// Whether a client that sees this close code should give up rather than reconnect.
    pub fn is_fatal_close(self) -> bool {
        matches!(
            self,
            ErrorCode::AuthenticationFailed
                | ErrorCode::VersionNotFound
                | ErrorCode::SessionAlreadyRunning
                | ErrorCode::AccessRevoked
                | ErrorCode::Terminated
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.description())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_aliases() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(u32::from(c.code())), Some(c));
        }
        assert_eq!(ErrorCode::from_code(4999), Some(ErrorCode::BadUserInput));
        assert_eq!(ErrorCode::from_code(4005), None);
        assert!(ErrorCode::Terminated.is_fatal_close());
        assert!(!ErrorCode::ServiceRestart.is_fatal_close());
    }
}
