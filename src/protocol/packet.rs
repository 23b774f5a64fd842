//! Method and reply packets, and frames that hold one packet or a JSON array of packets.

use std::borrow::Cow;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::echo::{bounded, quoted};
use super::error::ErrorCode;

/// The error object of a reply: a code, a message and, optionally, the dotted path of the
/// offending parameter (`controls.0.controlID`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: u32,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl ErrorBody {
    /// An error with the code's default message.
    pub fn new(code: ErrorCode) -> Self {
        ErrorBody { code: code.code().into(), message: code.description().to_owned(), path: None }
    }

    /// An error with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody { code: code.code().into(), message: message.into(), path: None }
    }

    /// Adds the dotted path of the parameter that caused the error.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The typed code, when it is one the spec defines.
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }
}

/// A `method` packet: a call in either direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub id: u32,
    pub method: String,
    pub params: Value,
    /// The sender does not need a successful reply (errors are still replied).
    pub discard: bool,
    /// Sent by the server: its packet counter. Sent by a client: the last server `seq` it saw.
    pub seq: Option<i32>,
}

impl Method {
    pub fn new(id: u32, method: impl Into<String>, params: Value) -> Self {
        Method { id, method: method.into(), params, discard: false, seq: None }
    }

    /// A method that asks for no successful reply.
    pub fn discarded(id: u32, method: impl Into<String>, params: Value) -> Self {
        Method { discard: true, ..Method::new(id, method, params) }
    }
}

/// A `reply` packet answering the method with the same `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: u32,
    pub result: Value,
    pub error: Option<ErrorBody>,
    pub seq: Option<i32>,
}

impl Reply {
    pub fn ok(id: u32, result: Value) -> Self {
        Reply { id, result, error: None, seq: None }
    }

    pub fn err(id: u32, error: ErrorBody) -> Self {
        Reply { id, result: Value::Null, error: Some(error), seq: None }
    }
}

/// One protocol packet.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet {
    Method(Method),
    Reply(Reply),
}

impl Packet {
    pub fn seq(&self) -> Option<i32> {
        match self {
            Packet::Method(m) => m.seq,
            Packet::Reply(r) => r.seq,
        }
    }

    pub fn set_seq(&mut self, seq: i32) {
        match self {
            Packet::Method(m) => m.seq = Some(seq),
            Packet::Reply(r) => r.seq = Some(seq),
        }
    }

    /// Serializes the packet as one JSON object.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128);
        self.write_json(&mut out);
        out
    }

    /// Appends the packet's JSON to `out`.
    pub fn write_json(&self, out: &mut String) {
        // Serializing these shapes into a String cannot fail.
        let json = match self {
            Packet::Method(m) => serde_json::to_string(&MethodOut {
                kind: "method",
                id: m.id,
                method: &m.method,
                params: &m.params,
                discard: m.discard,
                seq: m.seq,
            }),
            Packet::Reply(r) => serde_json::to_string(&ReplyOut {
                kind: "reply",
                id: r.id,
                result: &r.result,
                error: r.error.as_ref(),
                seq: r.seq,
            }),
        };
        out.push_str(&json.unwrap_or_default());
    }
}

impl From<Method> for Packet {
    fn from(m: Method) -> Self {
        Packet::Method(m)
    }
}

impl From<Reply> for Packet {
    fn from(r: Reply) -> Self {
        Packet::Reply(r)
    }
}

#[derive(Serialize)]
struct MethodOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    method: &'a str,
    params: &'a Value,
    discard: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<i32>,
}

#[derive(Serialize)]
struct ReplyOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u32,
    result: &'a Value,
    error: Option<&'a ErrorBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<i32>,
}

/// Why a frame could not be turned into packets. Each maps to the spec's error code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameError {
    /// Not JSON, or JSON that is neither an object nor an array of objects (4000, reply id 0).
    /// The parser's explanation is [bounded](super::echo::bounded): it may quote the peer.
    #[error("payload is not valid JSON: {0}")]
    NotJson(String),
    /// A packet whose `type` is not `method` or `reply` (4002); `kind` is that type,
    /// [quoted](super::echo::quoted) and bounded.
    #[error("unknown packet type {kind}")]
    UnknownType { id: u32, kind: String },
    /// A packet with the right type but a missing or ill-typed field (4004); `reason` is
    /// [bounded](super::echo::bounded).
    #[error("malformed {kind} packet: {reason}")]
    Malformed { id: u32, kind: &'static str, reason: String },
}

impl FrameError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::NotJson(_) => ErrorCode::InvalidPayload,
            FrameError::UnknownType { .. } => ErrorCode::UnknownPacketType,
            FrameError::Malformed { .. } => ErrorCode::InvalidParams,
        }
    }

    /// The id to answer with: 0 when the packet could not be read at all.
    pub fn reply_id(&self) -> u32 {
        match self {
            FrameError::NotJson(_) => 0,
            FrameError::UnknownType { id, .. } | FrameError::Malformed { id, .. } => *id,
        }
    }

    /// The reply that tells the peer about this error.
    pub fn to_reply(&self) -> Reply {
        Reply::err(self.reply_id(), ErrorBody::with_message(self.code(), self.to_string()))
    }
}

/// Ids are u32; the spec's own batch example quotes one as a string, so numeric strings pass.
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| de::Error::custom("id must be a 32-bit unsigned integer")),
        Value::String(s) => {
            s.parse::<u32>().map(Some).map_err(|_| de::Error::custom("id must be a 32-bit unsigned integer"))
        }
        _ => Err(de::Error::custom("id must be a 32-bit unsigned integer")),
    }
}

/// `seq` is an i32; out-of-range or fractional values are dropped rather than rejected (the spec
/// allows truncation), so a sloppy peer still gets its call answered.
fn lenient_seq<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().and_then(|v| i32::try_from(v).ok()),
        _ => None,
    })
}

fn raw_to_value(raw: Option<&RawValue>) -> Result<Value, serde_json::Error> {
    match raw {
        Some(r) => serde_json::from_str(r.get()),
        None => Ok(Value::Null),
    }
}

fn packet_from_ref(p: PacketRef<'_>) -> Result<Packet, FrameError> {
    let id = p.id;
    let malformed = |kind: &'static str, reason: String| FrameError::Malformed { id, kind, reason: bounded(&reason) };
    if p.is_method {
        let params = raw_to_value(p.params).map_err(|e| malformed("method", e.to_string()))?;
        Ok(Packet::Method(Method { id, method: p.method.into_owned(), params, discard: p.discard, seq: p.seq }))
    } else {
        let result = raw_to_value(p.result).map_err(|e| malformed("reply", e.to_string()))?;
        let error = p
            .error
            .map(|e| serde_json::from_str::<ErrorBody>(e.get()))
            .transpose()
            .map_err(|err| malformed("reply", format!("bad error object: {err}")))?;
        Ok(Packet::Reply(Reply { id, result, error, seq: p.seq }))
    }
}

/// Reads one frame's text: a single packet object, or a JSON array of packet objects.
///
/// A packet that cannot be read fails the whole frame; callers answer with
/// [`FrameError::to_reply`].
pub fn parse_frame(text: &str) -> Result<Vec<Packet>, FrameError> {
    let mut packets = Vec::with_capacity(1);
    let mut failure = None;
    visit_frame(text, |p| {
        if failure.is_none() {
            match packet_from_ref(p) {
                Ok(packet) => packets.push(packet),
                Err(e) => failure = Some(e),
            }
        }
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(packets),
    }
}

/// A packet borrowed from its frame's text, for readers that want to parse `params` or `result`
/// into their own types without building a `Value` tree first.
#[derive(Debug, Clone)]
pub struct PacketRef<'a> {
    /// `method` or `reply` (other types are refused before a visitor sees them).
    pub is_method: bool,
    pub id: u32,
    /// The method name (methods only).
    pub method: Cow<'a, str>,
    pub params: Option<&'a RawValue>,
    pub result: Option<&'a RawValue>,
    /// The error object, `None` when absent or `null`.
    pub error: Option<&'a RawValue>,
    pub discard: bool,
    pub seq: Option<i32>,
}

/// The envelope: names are borrowed from the frame unless they hold escapes.
#[derive(Deserialize)]
struct BorrowedPacket<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_id")]
    id: Option<u32>,
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    #[serde(default)]
    discard: Option<bool>,
    #[serde(default, deserialize_with = "lenient_seq")]
    seq: Option<i32>,
}

fn packet_ref(raw: BorrowedPacket<'_>) -> Result<PacketRef<'_>, FrameError> {
    let id = raw.id.unwrap_or(0);
    let is_method = match raw.kind.as_deref() {
        Some("method") => true,
        Some("reply") => false,
        other => return Err(FrameError::UnknownType { id, kind: quoted(other.unwrap_or("")) }),
    };
    if is_method && raw.method.is_none() {
        return Err(FrameError::Malformed { id, kind: "method", reason: "missing `method` name".into() });
    }
    Ok(PacketRef {
        is_method,
        id,
        method: raw.method.unwrap_or_default(),
        params: raw.params,
        result: raw.result,
        error: raw.error.filter(|e| e.get() != "null"),
        discard: raw.discard.unwrap_or(false),
        seq: raw.seq,
    })
}

/// Reads a frame (one packet or an array of packets) and hands each packet to `visit`, in order,
/// without allocating for a single-packet frame.
pub fn visit_frame<'a>(text: &'a str, mut visit: impl FnMut(PacketRef<'a>)) -> Result<(), FrameError> {
    if text.trim_start().starts_with('[') {
        let raws: Vec<BorrowedPacket<'a>> =
            serde_json::from_str(text).map_err(|e| FrameError::NotJson(bounded(&e.to_string())))?;
        let refs: Result<Vec<_>, _> = raws.into_iter().map(packet_ref).collect();
        refs?.into_iter().for_each(visit);
    } else {
        let raw: BorrowedPacket<'a> =
            serde_json::from_str(text).map_err(|e| FrameError::NotJson(bounded(&e.to_string())))?;
        visit(packet_ref(raw)?);
    }
    Ok(())
}

/// Writes several packets as one frame: the bare object for one, a JSON array for more.
pub fn encode_batch(packets: &[Packet]) -> String {
    let mut out = String::new();
    if packets.len() == 1 {
        packets[0].write_json(&mut out);
        return out;
    }
    out.push('[');
    for (i, p) in packets.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        p.write_json(&mut out);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn method_round_trip() {
        let mut m = Packet::Method(Method::discarded(7, "giveInput", json!({"a": 1})));
        m.set_seq(42);
        let text = m.to_json();
        assert_eq!(parse_frame(&text).unwrap(), vec![m]);
    }

    #[test]
    fn reply_with_error_round_trip() {
        let r = Packet::Reply(Reply::err(9, ErrorBody::new(ErrorCode::UnknownControl).at("controls.0.controlID")));
        let parsed = parse_frame(&r.to_json()).unwrap();
        assert_eq!(parsed, vec![r]);
    }

    #[test]
    fn batch_frames_and_string_ids() {
        let text = r#"[{"type":"method","id":1,"method":"a","params":{}},
                       {"type":"reply","id":"123","result":4,"error":null,"seq":43}]"#;
        let packets = parse_frame(text).unwrap();
        assert_eq!(packets.len(), 2);
        assert!(matches!(&packets[1], Packet::Reply(r) if r.id == 123 && r.seq == Some(43)));
        let again = parse_frame(&encode_batch(&packets)).unwrap();
        assert_eq!(again, packets);
    }

    #[test]
    fn errors_map_to_spec_codes() {
        assert_eq!(parse_frame("{nope").unwrap_err().code(), ErrorCode::InvalidPayload);
        assert_eq!(parse_frame("{nope").unwrap_err().reply_id(), 0);
        let e = parse_frame(r#"{"type":"event","id":5}"#).unwrap_err();
        assert_eq!((e.code(), e.reply_id()), (ErrorCode::UnknownPacketType, 5));
        let e = parse_frame(r#"{"type":"method","id":6}"#).unwrap_err();
        assert_eq!((e.code(), e.reply_id()), (ErrorCode::InvalidParams, 6));
        assert_eq!(parse_frame("42").unwrap_err().code(), ErrorCode::InvalidPayload);
    }

    #[test]
    fn visiting_borrows_params() {
        let text = r#"[{"type":"method","id":1,"method":"giveInput","params":{"a":1},"discard":true,"seq":3},{"type":"reply","id":2,"result":null,"error":null}]"#;
        let mut seen = Vec::new();
        visit_frame(text, |p| {
            seen.push((p.is_method, p.method.into_owned(), p.params.map(|r| r.get().to_owned()), p.error.is_some()))
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(true, "giveInput".into(), Some(r#"{"a":1}"#.into()), false), (false, "".into(), None, false)]
        );
        assert_eq!(visit_frame(r#"{"type":"x"}"#, |_| {}).unwrap_err().code(), ErrorCode::UnknownPacketType);
    }

    #[test]
    fn errors_quote_the_peer_boundedly() {
        let huge = "x".repeat(3 * 1024 * 1024);
        for text in [
            format!(r#"{{"type":"{huge}","id":1}}"#),
            format!(r#"{{"type":"method","id":1,"method":"m","discard":"{huge}"}}"#),
            format!(r#"[{{"type":"method","id":1,"method":"m","discard":"{huge}"}}]"#),
            format!(r#"{{"type":"reply","id":1,"error":{{"code":"{huge}"}}}}"#),
            format!(r#"{{"type":"method","id":1,"method":"m","params":{{"a":"{huge}"#),
        ] {
            let reply = parse_frame(&text).unwrap_err().to_reply();
            let message = reply.error.unwrap().message;
            assert!(message.len() < 1024, "{} bytes: {}…", message.len(), &message[..200]);
        }
    }

    #[test]
    fn missing_fields_are_null() {
        let p = parse_frame(r#"{"type":"method","id":1,"method":"getTime"}"#).unwrap();
        assert!(matches!(&p[0], Packet::Method(m) if m.params.is_null() && !m.discard && m.seq.is_none()));
    }
}
