//! What the network task hands to the game thread, and how server methods are read into it.
//!
//! Parsing happens on the network thread; applying to the cache happens in `poll`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::events::{ButtonAction, ErrorKind, Input, InputKind, Reply, SessionId};
use crate::net::ConnectionState;
use crate::protocol::{visit_frame, ErrorBody, ErrorCode, FrameError, PacketRef};

pub type Object = Map<String, Value>;

/// The state read right after (re)connecting.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub scenes: Vec<Object>,
    pub groups: Vec<Object>,
    pub participants: Vec<Object>,
}

#[derive(Debug)]
pub enum Incoming {
    Status {
        state: ConnectionState,
        code: Option<u16>,
        message: String,
    },
    Snapshot(Box<Snapshot>),
    Ready(bool),
    Input(Input),
    /// Inputs read in a row, handed over as one item: under a flood, one channel operation per
    /// batch rather than per input.
    Inputs(Vec<Input>),
    ParticipantsJoined(Vec<Object>),
    ParticipantsLeft(Vec<Object>),
    ParticipantsUpdated(Vec<Object>),
    ScenesCreated(Vec<Object>),
    ScenesUpdated(Vec<Object>),
    SceneDeleted {
        scene: String,
        reassigned_to: String,
    },
    GroupsCreated(Vec<Object>),
    GroupsUpdated(Vec<Object>),
    GroupDeleted {
        group: String,
        reassigned_to: String,
    },
    ControlsCreated {
        scene: String,
        controls: Vec<Object>,
    },
    ControlsUpdated {
        scene: String,
        controls: Vec<Object>,
    },
    ControlsDeleted {
        scene: String,
        controls: Vec<String>,
    },
    WorldUpdated(Object),
    MemoryWarning {
        used_bytes: u64,
        total_bytes: u64,
        raw: String,
    },
    Reply(Reply),
    Unhandled {
        method: String,
        params: String,
    },
    Error {
        kind: ErrorKind,
        code: Option<u32>,
        message: String,
    },
}

impl Incoming {
    /// Input may be dropped when the game falls behind; nothing else may.
    pub fn is_droppable(&self) -> bool {
        matches!(self, Incoming::Input(_) | Incoming::Inputs(_))
    }

    /// How many inputs the item holds.
    pub fn input_count(&self) -> usize {
        match self {
            Incoming::Input(_) => 1,
            Incoming::Inputs(list) => list.len(),
            _ => 0,
        }
    }
}

/// Control ids repeat on every input; sharing one allocation per id keeps input cheap.
#[derive(Default)]
pub struct Interner {
    ids: HashMap<Box<str>, Arc<str>, foldhash::fast::RandomState>,
}

/// Enough distinct control ids for any real game; past it, ids are allocated per input so a
/// misbehaving service cannot grow the table without bound.
const INTERNER_LIMIT: usize = 4096;

impl Interner {
    pub fn get(&mut self, id: &str) -> Arc<str> {
        if let Some(a) = self.ids.get(id) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(id);
        if self.ids.len() < INTERNER_LIMIT {
            self.ids.insert(Box::from(id), a.clone());
        }
        a
    }
}

/// `giveInput` params, read in one pass (the hot path: one per input).
#[derive(Deserialize)]
struct GiveInputParams<'a> {
    #[serde(rename = "participantID", borrow)]
    participant: Cow<'a, str>,
    #[serde(rename = "transactionID", default, borrow)]
    transaction: Option<&'a RawValue>,
    #[serde(borrow)]
    input: InputFields<'a>,
}

/// The input object as text, for the custom events that hand it to the game whole.
#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow)]
    input: &'a RawValue,
}

#[derive(Deserialize)]
struct InputFields<'a> {
    #[serde(rename = "controlID", borrow)]
    control: Cow<'a, str>,
    #[serde(borrow)]
    event: Cow<'a, str>,
    #[serde(default)]
    button: Option<i32>,
    #[serde(default)]
    x: Option<f64>,
    #[serde(default)]
    y: Option<f64>,
    #[serde(default, borrow)]
    value: Option<Cow<'a, str>>,
}

fn button_action(event: &str) -> Option<ButtonAction> {
    match event {
        "mousedown" => Some(ButtonAction::MouseDown),
        "mouseup" => Some(ButtonAction::MouseUp),
        "keydown" => Some(ButtonAction::KeyDown),
        "keyup" => Some(ButtonAction::KeyUp),
        _ => None,
    }
}

/// A whole `giveInput` packet, for reading the common case in one pass: the envelope's `type`
/// and `method` are checked as they stream by, and the params go straight into typed fields.
#[derive(Deserialize)]
struct InputPacket<'a> {
    #[serde(rename = "type", deserialize_with = "expect_method_type")]
    _kind: (),
    #[serde(rename = "method", deserialize_with = "expect_give_input")]
    _method: (),
    #[serde(borrow)]
    params: GiveInputParams<'a>,
    #[serde(default)]
    seq: Option<i32>,
}

fn expect_str<'de, D: serde::Deserializer<'de>>(d: D, want: &str) -> Result<(), D::Error> {
    let got: Cow<'de, str> = Deserialize::deserialize(d)?;
    if got == want {
        Ok(())
    } else {
        Err(serde::de::Error::custom("not a giveInput packet"))
    }
}

fn expect_method_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    expect_str(d, "method")
}

fn expect_give_input<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    expect_str(d, "giveInput")
}

/// Turns parsed params into an input; `None` for custom events, which need the raw input.
fn built_in_input(p: &GiveInputParams<'_>, interner: &mut Interner) -> Option<Input> {
    let f = &p.input;
    let action = button_action(&f.event);
    let kind = match (action, f.x, f.y) {
        (Some(action), Some(x), Some(y)) => InputKind::ScreenButton { action, x, y },
        (Some(action), _, _) => InputKind::Button { action, button: f.button.unwrap_or(0) },
        (None, Some(x), Some(y)) if f.event == "move" => InputKind::Move { x, y },
        (None, _, _) if matches!(&*f.event, "change" | "submit") && f.value.is_some() => {
            InputKind::Text { submit: f.event == "submit", text: f.value.as_deref().unwrap_or_default().to_owned() }
        }
        _ => return None,
    };
    Some(Input {
        participant: SessionId::parse(&p.participant),
        control: interner.get(&f.control),
        kind,
        transaction: p.transaction.and_then(transaction_id),
        raw: String::new(),
    })
}

fn transaction_id(t: &RawValue) -> Option<String> {
    match t.get().as_bytes() {
        // A plain string (what services send) needs no JSON parse.
        [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => std::str::from_utf8(inner).ok().map(str::to_owned),
        _ => match serde_json::from_str::<Value>(t.get()) {
            Ok(Value::String(s)) => Some(s),
            Ok(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        },
    }
}

/// Reads a frame that is one `giveInput` packet with a built-in event, in a single pass.
/// Returns the packet's `seq` and the input; `None` sends the frame down the general path.
pub fn read_input_frame(text: &str, interner: &mut Interner) -> Option<(Option<i32>, Input)> {
    let packet: InputPacket<'_> = serde_json::from_str(text).ok()?;
    let seq = packet.seq;
    built_in_input(&packet.params, interner).map(|input| (seq, input))
}

/// Reads a frame that is a JSON array of `giveInput` packets with built-in events, in a single
/// pass. `None` (any other packet among them) sends the frame down the general path.
pub fn read_input_batch(text: &str, interner: &mut Interner) -> Option<(Option<i32>, Vec<Input>)> {
    let packets: Vec<InputPacket<'_>> = serde_json::from_str(text).ok()?;
    let mut seq = None;
    let mut inputs = Vec::with_capacity(packets.len());
    for packet in &packets {
        inputs.push(built_in_input(&packet.params, interner)?);
        seq = packet.seq.or(seq);
    }
    Some((seq, inputs))
}

/// Reads `giveInput` params into an input event.
pub fn read_input(params: &RawValue, interner: &mut Interner) -> Result<Input, String> {
    let p: GiveInputParams<'_> = serde_json::from_str(params.get()).map_err(|e| format!("bad giveInput: {e}"))?;
    if let Some(input) = built_in_input(&p, interner) {
        return Ok(input);
    }
    let raw = serde_json::from_str::<RawInput<'_>>(params.get()).map_err(|e| format!("bad giveInput: {e}"))?;
    Ok(Input {
        participant: SessionId::parse(&p.participant),
        control: interner.get(&p.input.control),
        kind: InputKind::Custom { event: p.input.event.into_owned() },
        transaction: p.transaction.and_then(transaction_id),
        raw: raw.input.get().to_owned(),
    })
}

fn objects(params: &Value, key: &str) -> Result<Vec<Object>, String> {
    match params.get(key) {
        Some(Value::Array(items)) => {
            items.iter().map(|v| v.as_object().cloned().ok_or_else(|| format!("{key} must hold objects"))).collect()
        }
        _ => Err(format!("{key} must be an array")),
    }
}

fn string(params: &Value, key: &str) -> Result<String, String> {
    params.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("{key} must be a string"))
}

/// Reads a server method other than `giveInput`. `None` means the method is not one the library
/// handles (the caller reports it as unhandled).
pub fn read_method(method: &str, params: Option<&RawValue>) -> Option<Result<Incoming, String>> {
    let known = matches!(
        method,
        "onReady"
            | "onParticipantJoin"
            | "onParticipantLeave"
            | "onParticipantUpdate"
            | "onSceneCreate"
            | "onSceneUpdate"
            | "onSceneDelete"
            | "onGroupCreate"
            | "onGroupUpdate"
            | "onGroupDelete"
            | "onControlCreate"
            | "onControlUpdate"
            | "onControlDelete"
            | "onWorldUpdate"
            | "issueMemoryWarning"
    );
    if !known {
        return None;
    }
    let params: Value = match params.map(|p| serde_json::from_str(p.get())) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Some(Err(format!("{method} params are not JSON: {e}"))),
        None => Value::Null,
    };
    let p = &params;
    Some((|| -> Result<Incoming, String> {
        Ok(match method {
            "onReady" => Incoming::Ready(p.get("isReady").and_then(Value::as_bool).ok_or("isReady must be a boolean")?),
            "onParticipantJoin" => Incoming::ParticipantsJoined(objects(p, "participants")?),
            "onParticipantLeave" => Incoming::ParticipantsLeft(objects(p, "participants")?),
            "onParticipantUpdate" => Incoming::ParticipantsUpdated(objects(p, "participants")?),
            "onSceneCreate" => Incoming::ScenesCreated(objects(p, "scenes")?),
            "onSceneUpdate" => Incoming::ScenesUpdated(objects(p, "scenes")?),
            "onSceneDelete" => Incoming::SceneDeleted {
                scene: string(p, "sceneID")?,
                reassigned_to: string(p, "reassignSceneID").unwrap_or_default(),
            },
            "onGroupCreate" => Incoming::GroupsCreated(objects(p, "groups")?),
            "onGroupUpdate" => Incoming::GroupsUpdated(objects(p, "groups")?),
            "onGroupDelete" => Incoming::GroupDeleted {
                group: string(p, "groupID")?,
                reassigned_to: string(p, "reassignGroupID").unwrap_or_default(),
            },
            "onControlCreate" => {
                Incoming::ControlsCreated { scene: string(p, "sceneID")?, controls: objects(p, "controls")? }
            }
            "onControlUpdate" => {
                Incoming::ControlsUpdated { scene: string(p, "sceneID")?, controls: objects(p, "controls")? }
            }
            "onControlDelete" => Incoming::ControlsDeleted {
                scene: string(p, "sceneID")?,
                controls: objects(p, "controls")?
                    .into_iter()
                    .filter_map(|c| c.get("controlID").and_then(Value::as_str).map(str::to_owned))
                    .collect(),
            },
            "onWorldUpdate" => Incoming::WorldUpdated(p.as_object().cloned().unwrap_or_default()),
            "issueMemoryWarning" => Incoming::MemoryWarning {
                used_bytes: p.get("usedBytes").and_then(Value::as_u64).unwrap_or(0),
                total_bytes: p.get("totalBytes").and_then(Value::as_u64).unwrap_or(0),
                raw: p.to_string(),
            },
            _ => unreachable!("checked above"),
        })
    })())
}

/// Reads a frame into `work`, in order, and returns the last `seq` it carried. Single
/// `giveInput` frames, most of a busy channel's traffic, are read in one pass. Shared with the
/// benchmark support (`super::bench`), which must time exactly this path.
pub(super) fn read_frame(text: &str, interner: &mut Interner, work: &mut Vec<Work>) -> Result<Option<i32>, FrameError> {
    if text.starts_with('[') {
        if let Some((seq, inputs)) = read_input_batch(text, interner) {
            work.extend(inputs.into_iter().map(|i| Work::Item(Incoming::Input(i))));
            return Ok(seq);
        }
    } else if let Some((seq, input)) = read_input_frame(text, interner) {
        work.push(Work::Item(Incoming::Input(input)));
        return Ok(seq);
    }
    let mut max_seq = None;
    visit_frame(text, |p| {
        if let Some(s) = p.seq {
            max_seq = Some(s);
        }
        work.push(read_packet(p, interner));
    })?;
    Ok(max_seq)
}

/// Reads one packet of a frame into the work it asks of the network task.
fn read_packet(p: PacketRef<'_>, interner: &mut Interner) -> Work {
    if p.is_method {
        if p.method == "giveInput" {
            match p.params.map(|raw| read_input(raw, interner)) {
                Some(Ok(input)) => Work::Item(Incoming::Input(input)),
                Some(Err(e)) => Work::Bad(p.id, p.discard, e),
                None => Work::Bad(p.id, p.discard, "giveInput without params".into()),
            }
        } else if p.method == "hello" {
            Work::Ack(p.id, p.discard)
        } else {
            match read_method(&p.method, p.params) {
                Some(Ok(item)) => Work::Event(p.id, p.discard, item),
                Some(Err(e)) => Work::Bad(p.id, p.discard, e),
                None => Work::Unhandled(
                    p.id,
                    p.discard,
                    p.method.into_owned(),
                    p.params.map(|r| r.get().to_owned()).unwrap_or_else(|| "null".into()),
                ),
            }
        }
    } else {
        let error = p.error.map(|e| {
            serde_json::from_str::<ErrorBody>(e.get()).unwrap_or_else(|_| ErrorBody {
                code: ErrorCode::InternalError.code().into(),
                message: e.get().to_owned(),
                path: None,
            })
        });
        Work::Reply(p.id, p.result.map(|r| r.get().to_owned()).unwrap_or_else(|| "null".into()), error)
    }
}

/// What one packet asks of the network task.
pub(super) enum Work {
    /// Hand this to the game.
    Item(Incoming),
    /// Acknowledge method `id` (unless `discard`).
    Ack(u32, bool),
    /// Hand the event to the game, then acknowledge method `id`.
    Event(u32, bool, Incoming),
    /// Method `id` could not be read: report it, and answer with the error.
    Bad(u32, bool, String),
    /// Method `id` is not one the library handles: its name and params.
    Unhandled(u32, bool, String, String),
    /// A reply to packet `id`: its result as JSON text, or its error.
    Reply(u32, String, Option<ErrorBody>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn inputs_of_every_kind() {
        let mut i = Interner::default();
        let b = read_input(
            &raw(r#"{"participantID":"b2f65dea-429f-4105-a280-745fd5d75945","transactionID":"t1","input":{"controlID":"win","event":"mousedown","button":2}}"#),
            &mut i,
        )
        .unwrap();
        assert_eq!(b.kind, InputKind::Button { action: ButtonAction::MouseDown, button: 2 });
        assert_eq!(b.transaction.as_deref(), Some("t1"));
        assert_eq!(&*b.control, "win");
        let m = read_input(
            &raw(r#"{"participantID":"p","input":{"controlID":"s","event":"move","x":0.5,"y":-1}}"#),
            &mut i,
        )
        .unwrap();
        assert_eq!(m.kind, InputKind::Move { x: 0.5, y: -1.0 });
        let t = read_input(
            &raw(r#"{"participantID":"p","input":{"controlID":"t","event":"submit","value":"hi"}}"#),
            &mut i,
        )
        .unwrap();
        assert_eq!(t.kind, InputKind::Text { submit: true, text: "hi".into() });
        let c = read_input(
            &raw(r#"{"participantID":"p","transactionID":7,"input":{"controlID":"c","event":"spin","speed":3}}"#),
            &mut i,
        )
        .unwrap();
        assert_eq!(c.kind, InputKind::Custom { event: "spin".into() });
        assert_eq!(c.transaction.as_deref(), Some("7"));
        assert!(c.raw.contains("speed"));
        assert!(read_input(&raw(r#"{"participantID":"p"}"#), &mut i).is_err());
    }

    #[test]
    fn input_batches_are_read_in_one_pass_or_left_to_the_general_path() {
        let mut i = Interner::default();
        let press = r#"{"type":"method","id":0,"method":"giveInput","discard":true,"seq":5,"params":{"participantID":"p","input":{"controlID":"a","event":"mousedown","button":0}}}"#;
        let moved = r#"{"type":"method","id":0,"method":"giveInput","discard":true,"seq":6,"params":{"participantID":"q","input":{"controlID":"s","event":"move","x":0.5,"y":0}}}"#;
        let (seq, inputs) = read_input_batch(&format!("[{press},{moved}]"), &mut i).unwrap();
        assert_eq!(seq, Some(6));
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[1].kind, InputKind::Move { x: 0.5, y: 0.0 });
        let join =
            r#"{"type":"method","id":0,"method":"onParticipantJoin","discard":true,"params":{"participants":[]}}"#;
        assert!(read_input_batch(&format!("[{press},{join}]"), &mut i).is_none());
        let custom = r#"{"type":"method","id":0,"method":"giveInput","params":{"participantID":"p","input":{"controlID":"c","event":"spin"}}}"#;
        assert!(read_input_batch(&format!("[{custom}]"), &mut i).is_none(), "custom events need the raw input");
        assert!(read_input_frame(press, &mut i).is_some());
        assert!(read_input_frame(join, &mut i).is_none());
    }

    #[test]
    fn methods_are_read_or_left_alone() {
        let p = raw(r#"{"sceneID":"s","controls":[{"controlID":"a"}]}"#);
        assert!(matches!(read_method("onControlDelete", Some(&p)), Some(Ok(Incoming::ControlsDeleted { .. }))));
        assert!(read_method("somethingElse", None).is_none());
        assert!(matches!(read_method("onReady", None), Some(Err(_))));
    }
}
