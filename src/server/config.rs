//! The mediator's settings and limits, in one place. Every number an operator may tune has a
//! `mixplay-server` flag in [`FLAGS`] (which also writes the binary's help), and a line in the
//! README's settings or limits table (a unit test checks that each flag is there with its
//! default).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// A rate: at most `burst` at once, refilled at `burst` per `per` (so one every `per / burst`).
/// `burst` 0 turns the limit off. Written `BURST/SECONDS`, e.g. `30/60`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub per: Duration,
}

impl Rate {
    pub const fn new(burst: u32, per_secs: u64) -> Rate {
        Rate { burst, per: Duration::from_secs(per_secs) }
    }

    /// Unlimited.
    pub const OFF: Rate = Rate { burst: 0, per: Duration::from_secs(1) };

    pub fn is_off(&self) -> bool {
        self.burst == 0 || self.per.is_zero()
    }

    /// Reads `BURST/SECONDS` (`off` for no limit).
    pub fn parse(text: &str) -> Result<Rate, String> {
        let bad = || format!("{text:?} is not a rate: write BURST/SECONDS, e.g. 30/60, or off");
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(Rate::OFF);
        }
        let (burst, secs) = text.split_once('/').ok_or_else(bad)?;
        let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
        let per = parse_seconds(secs).map_err(|_| bad())?;
        Ok(Rate { burst, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            f.write_str("off")
        } else {
            write!(f, "{}/{}", self.burst, seconds_text(self.per))
        }
    }
}

/// Stands for "no timeout": far enough never to come, near enough to add to any instant.
pub const NEVER: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// A timeout as the mediator applies it: zero turns it off.
pub fn effective(timeout: Duration) -> Duration {
    if timeout.is_zero() {
        NEVER
    } else {
        timeout
    }
}

/// Mediator settings.
#[derive(Debug, Clone)]
pub struct MediatorConfig {
    /// How long an uncaptured spark transaction stays capturable (the spec: five minutes).
    pub transaction_ttl: Duration,
    /// Per-session memory cap in bytes for `getMemoryStats`/`issueMemoryWarning`; 0 = uncapped.
    pub memory_limit_bytes: u64,
    /// The address clients reach this mediator at, when it is not the one they asked (behind a
    /// TLS terminator or a reverse proxy), e.g. `https://mixplay.example.com`. Discovery and the
    /// channel endpoint then advertise `wss://…` (`ws://…` for `http://`) under it instead of
    /// the request's `Host`; browsers' `Origin` may be this address; with `https://`, cookies are
    /// `Secure`.
    pub public_url: Option<String>,
    /// How long an access token from the OAuth flow (`/api/v1/oauth/token`) works (Mixer: about
    /// six hours). Zero makes tokens that are expired at once (for tests).
    pub access_token_ttl: Duration,
    /// How long a short code (`/api/v1/oauth/shortcode`) can be approved (Mixer: 120 s).
    pub shortcode_ttl: Duration,
    /// How long a chat `authkey` from `GET /api/v1/chats/{id}` can be used (once).
    pub chat_authkey_ttl: Duration,
    /// The longest chat message, in characters.
    pub chat_max_message_chars: usize,
    /// How long a sign-in lasts: the browser session cookie and the token from
    /// `POST /api/v1/users/login`.
    pub session_ttl: Duration,
    /// Sparks a new account starts with (a ledger grant; 0: none).
    pub signup_sparks: u64,
    /// Failed logins for one username within `login_lockout_window` after which every login for
    /// it is refused (429) until the oldest failure leaves the window.
    pub login_lockout_failures: usize,
    pub login_lockout_window: Duration,
    /// The watching economy's interval: a signed-in viewer who watched a live channel all
    /// interval long earns sparks once for it (the original service: a minute).
    pub spark_interval: Duration,

    // ----- connections -----
    /// Peers whose `X-Forwarded-For` names the client (a reverse proxy or TLS terminator on this
    /// host). Their own connections are not counted per address: the proxy carries many clients.
    pub trusted_proxies: Vec<IpAddr>,
    /// Open connections from one address (IPv6: one /64) at most; 0: unlimited.
    pub connections_per_address: usize,
    /// A connection must send a request's complete headers within this long (also the longest a
    /// kept-alive connection may sit idle between requests).
    pub header_read_timeout: Duration,
    /// The largest request head (request line and headers), in bytes.
    pub max_header_bytes: usize,
    /// A request (its body included) must be answered within this long; a websocket's handshake
    /// counts, its life after the upgrade does not.
    pub request_timeout: Duration,
    /// The largest body of a sign-in form, account or OAuth request, in bytes.
    pub form_body_bytes: usize,
    /// A chat socket must `auth` (or join to read) within this long.
    pub auth_timeout: Duration,
    /// A websocket that sends nothing at all (not even a pong to the mediator's pings, sent every
    /// third of this) for this long is closed.
    pub idle_timeout: Duration,
    /// Writing to a socket may stall at most this long; a socket that does not take its data is
    /// closed.
    pub write_timeout: Duration,

    // ----- websockets -----
    /// The largest frame a game client or participant may send, in bytes (compressed or not).
    pub max_frame_bytes: usize,
    /// The most bytes a compressed frame from a game client or participant may declare, and so
    /// inflate to: the frame is inflated to at most one byte more (to tell a lie), so a
    /// decompression bomb costs no more than an honest frame of this size.
    pub max_inflated_bytes: usize,
    /// The largest frame a chat client may send, in bytes.
    pub chat_max_frame_bytes: usize,
    /// Bytes waiting to be written to a game client at most; past it, the session waits (the
    /// game's input is held back, never dropped).
    pub game_queue_bytes: usize,
    /// Bytes waiting to be written to a participant at most; a viewer further behind is closed
    /// (1008), so that a slow viewer holds up nobody.
    pub participant_queue_bytes: usize,
    /// Bytes waiting to be written to a chat socket at most; a chat client further behind is
    /// closed (1008).
    pub chat_queue_bytes: usize,
    /// The kernel's send buffer of a participant, chat or page viewer socket, in bytes (0: the
    /// kernel's own autotuning, which on loopback grows past a megabyte per socket).
    pub viewer_send_buffer_bytes: usize,
    /// The largest message a page's viewer socket (`/api/v1/channels/{id}/viewer`) may send, in
    /// bytes (a larger one closes it with 1009).
    pub viewer_message_bytes: usize,
    /// Bytes waiting to be written to a page's viewer socket at most; one further behind is
    /// closed (1008).
    pub viewer_queue_bytes: usize,

    // ----- rates -----
    /// Failed credential checks (access keys, tokens, passwords, share codes, chat authkeys, short
    /// codes) from one address; past it, every credential check from there is refused (429).
    pub failed_credentials_per_address: Rate,
    /// Failed guesses at one target (a project's share code, a user's chat authkey) from anywhere.
    pub failed_credentials_per_target: Rate,
    /// `POST /api/v1/oauth/shortcode` from one address.
    pub shortcode_rate: Rate,
    /// Accounts created from one address.
    pub signup_rate: Rate,
    /// Chat messages, whispers and votes of one user in one chat (slow chat comes on top).
    pub chat_rate: Rate,
    /// Messages one page's viewer socket may send; past it, the socket is closed (1008).
    pub viewer_message_rate: Rate,

    // ----- sizes and counts -----
    /// The longest `client_id` of a short code, in bytes.
    pub shortcode_max_client_id_bytes: usize,
    /// The longest `scope` of a short code, in bytes.
    pub shortcode_max_scope_bytes: usize,
    /// Short codes waiting for an answer per `client_id`, at most.
    pub shortcode_pending_per_client: usize,
    /// Short codes waiting for an answer in all, at most.
    pub shortcode_pending_total: usize,
    /// The longest chat timeout a moderator may give.
    pub chat_max_timeout: Duration,
    /// Viewer sockets (`/api/v1/channels/{id}/viewer`, one per open participant page) one
    /// signed-in user may hold at once: tabs, devices and channels together (0: unlimited).
    pub viewer_sockets_per_user: usize,
    /// Viewer sockets the mediator holds at once, signed in or anonymous (0: unlimited).
    pub viewer_sockets_max: usize,

    /// What the Studio accepts: projects, versions, and the size of a version's controls.
    pub studio: StudioLimits,

    /// Files games upload (`uploadFile`).
    pub files: FileLimits,
}

/// The bounds of uploaded files (`uploadFile`, `/files/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// Bytes of files one channel's games may keep (the spec's figure: 50 MB); also the largest
    /// single upload.
    pub quota_bytes: usize,
    /// Files one channel may keep.
    pub per_channel: usize,
    /// The largest custom-control bundle (all its files' bytes).
    pub bundle_bytes: usize,
    /// Files one custom-control bundle may hold.
    pub bundle_files: usize,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits { quota_bytes: 50 * MIB, per_channel: 1000, bundle_bytes: 8 * MIB, bundle_files: 200 }
    }
}

/// The Studio's bounds (`/api/v1/interactive/games…`, `/studio`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioLimits {
    /// Projects one user may own.
    pub projects_per_user: u32,
    /// Versions one project may have.
    pub versions_per_project: u32,
    /// The largest request body the Studio's REST accepts (a version's controls), in bytes.
    pub body_bytes: usize,
    /// Users a project may be shared with explicitly, and editors it may have (each).
    pub members_per_project: usize,
    /// What a version's controls may hold (scenes, controls, ids, texts).
    pub controls: ControlLimits,
}

/// The bounds of a version's controls (see `server::controls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlLimits {
    pub scenes: usize,
    pub controls_per_scene: usize,
    pub groups: usize,
    /// The longest `sceneID`, `controlID` or `groupID`, in characters.
    pub id_chars: usize,
    /// The longest text property (`text`, `tooltip`, colours, …), in characters.
    pub text_chars: usize,
}

impl Default for ControlLimits {
    fn default() -> Self {
        ControlLimits { scenes: 32, controls_per_scene: 128, groups: 64, id_chars: 64, text_chars: 1000 }
    }
}

impl Default for StudioLimits {
    fn default() -> Self {
        StudioLimits {
            projects_per_user: 100,
            versions_per_project: 100,
            body_bytes: 512 * 1024,
            members_per_project: 100,
            controls: ControlLimits::default(),
        }
    }
}

/// Loopback: where a reverse proxy on the same host connects from.
pub const LOOPBACK: [IpAddr; 2] = [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

impl Default for MediatorConfig {
    fn default() -> Self {
        MediatorConfig {
            transaction_ttl: Duration::from_secs(5 * 60),
            memory_limit_bytes: 0,
            public_url: None,
            access_token_ttl: Duration::from_secs(6 * 60 * 60),
            shortcode_ttl: Duration::from_secs(120),
            chat_authkey_ttl: Duration::from_secs(60),
            chat_max_message_chars: 360,
            session_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            signup_sparks: 0,
            login_lockout_failures: 10,
            login_lockout_window: Duration::from_secs(15 * 60),
            spark_interval: Duration::from_secs(60),
            trusted_proxies: LOOPBACK.to_vec(),
            connections_per_address: 128,
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 64 * KIB,
            request_timeout: Duration::from_secs(60),
            form_body_bytes: 16 * KIB,
            auth_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(90),
            write_timeout: Duration::from_secs(10),
            max_frame_bytes: crate::protocol::compression::MAX_PACKET_BYTES,
            max_inflated_bytes: crate::protocol::compression::MAX_PACKET_BYTES,
            chat_max_frame_bytes: 64 * KIB,
            game_queue_bytes: 16 * MIB,
            participant_queue_bytes: 256 * KIB,
            chat_queue_bytes: 256 * KIB,
            viewer_send_buffer_bytes: 64 * KIB,
            viewer_message_bytes: 256,
            viewer_queue_bytes: 64 * KIB,
            failed_credentials_per_address: Rate::new(30, 60),
            failed_credentials_per_target: Rate::new(30, 60),
            shortcode_rate: Rate::new(10, 60),
            signup_rate: Rate::new(30, 600),
            chat_rate: Rate::new(10, 10),
            viewer_message_rate: Rate::new(20, 4),
            shortcode_max_client_id_bytes: 256,
            shortcode_max_scope_bytes: 2048,
            shortcode_pending_per_client: 1000,
            shortcode_pending_total: 10_000,
            chat_max_timeout: Duration::from_secs(14 * 24 * 60 * 60),
            viewer_sockets_per_user: 16,
            viewer_sockets_max: 100_000,
            studio: StudioLimits::default(),
            files: FileLimits::default(),
        }
    }
}

/// Where a flag's value goes, and how it reads.
pub enum Setting<'a> {
    /// Seconds, fractions allowed (`0.5`), from 0 to 10⁹.
    Seconds(&'a mut Duration),
    /// A count or a size in bytes.
    Count(&'a mut usize),
    /// A smaller count.
    Count32(&'a mut u32),
    Number(&'a mut u64),
    Rate(&'a mut Rate),
}

impl Setting<'_> {
    /// Sets the value from a flag's text.
    pub fn set(self, text: &str) -> Result<(), String> {
        match self {
            Setting::Seconds(d) => *d = parse_seconds(text)?,
            Setting::Count(n) => *n = text.trim().parse().map_err(|_| format!("{text:?} is not a whole number"))?,
            Setting::Count32(n) => *n = text.trim().parse().map_err(|_| format!("{text:?} is not a whole number"))?,
            Setting::Number(n) => *n = text.trim().parse().map_err(|_| format!("{text:?} is not a whole number"))?,
            Setting::Rate(r) => *r = Rate::parse(text)?,
        }
        Ok(())
    }

    /// The value as a flag would take it.
    pub fn text(&self) -> String {
        match self {
            Setting::Seconds(d) => seconds_text(**d),
            Setting::Count(n) => n.to_string(),
            Setting::Count32(n) => n.to_string(),
            Setting::Number(n) => n.to_string(),
            Setting::Rate(r) => r.to_string(),
        }
    }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(0.0..=1e9).contains(&secs) {
        return Err(format!("{text:?}: seconds go from 0 to 1000000000"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn seconds_text(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        format!("{}", d.as_secs_f64())
    }
}

/// One `mixplay-server` flag: its name, what it sets, and where.
pub struct Flag {
    pub name: &'static str,
    /// What the value is, for the help (`SECS`, `BYTES`, `N`, `RATE`).
    pub value: &'static str,
    pub what: &'static str,
    pub setting: fn(&mut MediatorConfig) -> Setting<'_>,
}

impl Flag {
    /// This flag's value in `config`, as the flag would take it.
    pub fn current(&self, config: &MediatorConfig) -> String {
        (self.setting)(&mut config.clone()).text()
    }
}

/// The flag named `name` (with its leading `--`).
pub fn flag(name: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.name == name)
}

macro_rules! flags {
    ($($name:literal $value:literal $kind:ident $($field:ident).+ $what:literal,)*) => {
        /// Every numeric setting and limit, with its flag.
        pub const FLAGS: &[Flag] = &[$(Flag {
            name: $name,
            value: $value,
            what: $what,
            setting: |c| Setting::$kind(&mut c.$($field).+),
        },)*];
    };
}

flags! {
    "--transaction-ttl" "SECS" Seconds transaction_ttl "how long uncaptured spark transactions live",
    "--memory-limit" "BYTES" Number memory_limit_bytes "per-session memory cap reported by getMemoryStats (0: uncapped)",
    "--access-token-ttl" "SECS" Seconds access_token_ttl "lifetime of access tokens from the OAuth short-code flow",
    "--shortcode-ttl" "SECS" Seconds shortcode_ttl "how long a short code can be approved on /go",
    "--session-ttl" "SECS" Seconds session_ttl "how long a sign-in lasts: browser sessions and login tokens",
    "--signup-sparks" "N" Number signup_sparks "sparks a new account starts with",
    "--spark-interval" "SECS" Seconds spark_interval "the watching economy's interval: signed-in viewers watching a live channel earn 2 sparks (4 subscribed or Pro) each (at least 1)",
    "--connections-per-address" "N" Count connections_per_address "open connections from one address (IPv6: one /64); 0: unlimited",
    "--header-read-timeout" "SECS" Seconds header_read_timeout "a request's headers must arrive within this (also the idle time between requests)",
    "--max-header-bytes" "BYTES" Count max_header_bytes "the largest request head",
    "--request-timeout" "SECS" Seconds request_timeout "a request, body and websocket handshake included, is answered within this",
    "--form-body-bytes" "BYTES" Count form_body_bytes "the largest sign-in form, account or OAuth request body",
    "--auth-timeout" "SECS" Seconds auth_timeout "a chat socket must auth within this",
    "--idle-timeout" "SECS" Seconds idle_timeout "a websocket that sends nothing (not even pongs) this long is closed",
    "--write-timeout" "SECS" Seconds write_timeout "a socket that takes no data for this long is closed",
    "--max-frame-bytes" "BYTES" Count max_frame_bytes "the largest frame a game client or participant may send",
    "--max-inflated-bytes" "BYTES" Count max_inflated_bytes "the most a compressed frame may declare and inflate to",
    "--chat-max-frame-bytes" "BYTES" Count chat_max_frame_bytes "the largest frame a chat client may send",
    "--game-queue-bytes" "BYTES" Count game_queue_bytes "bytes waiting for a game client at most (then the session waits)",
    "--participant-queue-bytes" "BYTES" Count participant_queue_bytes "bytes waiting for a viewer at most (then it is closed, 1008)",
    "--chat-queue-bytes" "BYTES" Count chat_queue_bytes "bytes waiting for a chat socket at most (then it is closed, 1008)",
    "--viewer-send-buffer" "BYTES" Count viewer_send_buffer_bytes "kernel send buffer of a participant, chat or page viewer socket (0: autotuned)",
    "--viewer-message-bytes" "BYTES" Count viewer_message_bytes "the largest message a page's viewer socket may send",
    "--viewer-queue-bytes" "BYTES" Count viewer_queue_bytes "bytes waiting for a page's viewer socket at most (then it is closed, 1008)",
    "--failed-credentials-rate" "RATE" Rate failed_credentials_per_address "failed credential checks from one address (then 429)",
    "--failed-target-rate" "RATE" Rate failed_credentials_per_target "failed guesses at one share code or user's chat authkey",
    "--shortcode-rate" "RATE" Rate shortcode_rate "short codes requested from one address",
    "--signup-rate" "RATE" Rate signup_rate "accounts created from one address",
    "--chat-rate" "RATE" Rate chat_rate "chat messages, whispers and votes of one user in one chat",
    "--viewer-message-rate" "RATE" Rate viewer_message_rate "messages one page's viewer socket may send (then it is closed, 1008)",
    "--shortcode-max-client-id" "BYTES" Count shortcode_max_client_id_bytes "the longest client_id of a short code",
    "--shortcode-max-scope" "BYTES" Count shortcode_max_scope_bytes "the longest scope of a short code",
    "--shortcode-pending-per-client" "N" Count shortcode_pending_per_client "short codes waiting for an answer per client_id",
    "--shortcode-pending-total" "N" Count shortcode_pending_total "short codes waiting for an answer in all",
    "--chat-max-timeout" "SECS" Seconds chat_max_timeout "the longest chat timeout a moderator may give",
    "--viewer-sockets-per-user" "N" Count viewer_sockets_per_user "viewer sockets (open channel pages) one account may hold (0: unlimited)",
    "--viewer-sockets" "N" Count viewer_sockets_max "viewer sockets the mediator holds in all (0: unlimited)",
    "--studio-max-projects" "N" Count32 studio.projects_per_user "projects one user may own in the Studio",
    "--studio-max-versions" "N" Count32 studio.versions_per_project "versions one project may have",
    "--studio-max-body" "BYTES" Count studio.body_bytes "the largest Studio request, e.g. a version's controls",
    "--studio-max-members" "N" Count studio.members_per_project "users a project may be shared with, and editors it may have",
    "--file-quota" "BYTES" Count files.quota_bytes "bytes of uploaded files (uploadFile) one channel may keep",
    "--files-per-channel" "N" Count files.per_channel "uploaded files one channel may keep",
    "--bundle-max-bytes" "BYTES" Count files.bundle_bytes "the largest custom-control bundle (all its files)",
    "--bundle-max-files" "N" Count files.bundle_files "files one custom-control bundle may hold",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_and_print() {
        assert_eq!(Rate::parse("30/60").unwrap(), Rate::new(30, 60));
        assert_eq!(Rate::parse(" 5 / 0.5 ").unwrap(), Rate { burst: 5, per: Duration::from_millis(500) });
        assert!(Rate::parse("off").unwrap().is_off());
        assert!(Rate::parse("0/10").unwrap().is_off());
        for bad in ["30", "a/60", "30/-1", "-1/60", ""] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rate::new(10, 60).to_string(), "10/60");
        assert_eq!(Rate { burst: 5, per: Duration::from_millis(500) }.to_string(), "5/0.5");
    }

    #[test]
    fn flags_set_their_fields() {
        let mut c = MediatorConfig::default();
        (flag("--write-timeout").unwrap().setting)(&mut c).set("0.25").unwrap();
        assert_eq!(c.write_timeout, Duration::from_millis(250));
        (flag("--chat-rate").unwrap().setting)(&mut c).set("3/1").unwrap();
        assert_eq!(c.chat_rate, Rate::new(3, 1));
        (flag("--participant-queue-bytes").unwrap().setting)(&mut c).set("4096").unwrap();
        assert_eq!(c.participant_queue_bytes, 4096);
        assert!((flag("--session-ttl").unwrap().setting)(&mut c).set("1e10").is_err());
        assert!((flag("--signup-sparks").unwrap().setting)(&mut c).set("-1").is_err());
        let mut names: Vec<&str> = FLAGS.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FLAGS.len(), "flag names are unique");
    }

    /// The README's tables list every flag with its default, so the documentation cannot drift.
    #[test]
    fn the_readme_lists_every_flag_with_its_default() {
        let readme = include_str!("../../README.md");
        let defaults = MediatorConfig::default();
        for f in FLAGS {
            let row = readme
                .lines()
                .find(|l| l.starts_with('|') && l.contains(&format!("`{} {}`", f.name, f.value)))
                .unwrap_or_else(|| panic!("the README has no table row for `{} {}`", f.name, f.value));
            let default = format!("`{}`", f.current(&defaults));
            assert!(row.contains(&default), "the README's row for {} should show its default {default}: {row}", f.name);
        }
    }
}
