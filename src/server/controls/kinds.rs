//! The kinds of control the mediator knows, their properties (with types and ranges) and the
//! three grids, as one table: what `validate` checks and what the Studio's editor offers
//! ([`schema`]).

use serde_json::{json, Value};

/// One of the participant page's grids: `cols` × `rows` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub size: &'static str,
    pub cols: u32,
    pub rows: u32,
}

/// The three grids, as the participant page lays them out (large from 900 px, medium from 540 px,
/// small below).
pub const GRIDS: [Grid; 3] = [
    Grid { size: "large", cols: 80, rows: 20 },
    Grid { size: "medium", cols: 45, rows: 25 },
    Grid { size: "small", cols: 30, rows: 40 },
];

/// What a property's value must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropType {
    Text,
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    /// A CSS size: text such as `"20px"`, or a number of pixels.
    TextOrNumber,
    Choice(&'static [&'static str]),
}

/// A property a kind of control knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prop {
    pub name: &'static str,
    pub ty: PropType,
    /// What the Studio's editor calls it.
    pub label: &'static str,
}

/// A kind of control: its properties and the size it gets when first placed on a grid (`None`:
/// it is not placed on the grid; a screen control covers the stream's video).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kind {
    pub kind: &'static str,
    pub props: &'static [Prop],
    pub size: Option<(u32, u32)>,
}

const fn prop(name: &'static str, ty: PropType, label: &'static str) -> Prop {
    Prop { name, ty, label }
}

const TEXT: PropType = PropType::Text;
const BOOL: PropType = PropType::Bool;
const SPARKS: PropType = PropType::Int { min: 0, max: 1_000_000 };
const MILLIS: PropType = PropType::Int { min: 0, max: 3_600_000 };
const TIMESTAMP: PropType = PropType::Int { min: 0, max: i64::MAX };
const UNIT: PropType = PropType::Number { min: 0.0, max: 1.0 };

/// Every kind of control the mediator knows, with the properties of Mixer's controls.
pub const KINDS: [Kind; 5] = [
    Kind {
        kind: "button",
        size: Some((10, 5)),
        props: &[
            prop("text", TEXT, "Text"),
            prop("tooltip", TEXT, "Tooltip"),
            prop("cost", SPARKS, "Cost (sparks)"),
            prop("keyCode", PropType::Int { min: 0, max: 255 }, "Key code"),
            prop("progress", UNIT, "Progress (0–1)"),
            prop("cooldown", TIMESTAMP, "Cooldown until (service time, ms)"),
            prop("disabled", BOOL, "Disabled"),
            prop("backgroundColor", TEXT, "Background colour"),
            prop("backgroundImage", TEXT, "Background image URL"),
            prop("borderColor", TEXT, "Border colour"),
            prop("accentColor", TEXT, "Accent colour"),
            prop("focusColor", TEXT, "Focus colour"),
            prop("textColor", TEXT, "Text colour"),
            prop("textSize", PropType::TextOrNumber, "Text size"),
        ],
    },
    Kind {
        kind: "joystick",
        size: Some((10, 10)),
        props: &[
            prop("sampleRate", MILLIS, "Sample rate (ms)"),
            prop("angle", PropType::Number { min: -100.0, max: 100.0 }, "Halo angle (radians)"),
            prop("intensity", UNIT, "Halo intensity (0–1)"),
            prop("disabled", BOOL, "Disabled"),
        ],
    },
    Kind {
        kind: "label",
        size: Some((15, 3)),
        props: &[
            prop("text", TEXT, "Text"),
            prop("textSize", PropType::TextOrNumber, "Text size"),
            prop("textColor", TEXT, "Text colour"),
            prop("bold", BOOL, "Bold"),
            prop("italic", BOOL, "Italic"),
            prop("underline", BOOL, "Underline"),
        ],
    },
    Kind {
        kind: "textbox",
        size: Some((15, 4)),
        props: &[
            prop("placeholder", TEXT, "Placeholder"),
            prop("multiline", BOOL, "Multiline"),
            prop("hasSubmit", BOOL, "Submit button"),
            prop("submitText", TEXT, "Submit button text"),
            prop("cost", SPARKS, "Cost (sparks)"),
            prop("cooldown", TIMESTAMP, "Cooldown until (service time, ms)"),
            prop("disabled", BOOL, "Disabled"),
        ],
    },
    Kind {
        kind: "screen",
        size: None,
        props: &[
            prop("sendMoveEvents", PropType::Choice(&["always", "mousedown", "never"]), "Send moves"),
            prop("moveThrottle", MILLIS, "Move throttle (ms)"),
            prop("disabled", BOOL, "Disabled"),
        ],
    },
];

/// The kind named `name`, if the mediator knows it.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == name)
}

/// Whether the mediator knows the kind `name`.
pub fn is_kind(name: &str) -> bool {
    kind(name).is_some()
}

/// The kinds, their properties and the grids as JSON, for the Studio's editor.
pub fn schema() -> Value {
    let ty = |t: PropType| match t {
        PropType::Text => json!({ "type": "text" }),
        PropType::Bool => json!({ "type": "bool" }),
        PropType::Int { min, max } if max == i64::MAX => json!({ "type": "int", "min": min }),
        PropType::Int { min, max } => json!({ "type": "int", "min": min, "max": max }),
        PropType::Number { min, max } => json!({ "type": "number", "min": min, "max": max }),
        PropType::TextOrNumber => json!({ "type": "size" }),
        PropType::Choice(choices) => json!({ "type": "choice", "choices": choices }),
    };
    let kinds: Vec<Value> = KINDS
        .iter()
        .map(|k| {
            let props: Vec<Value> = k
                .props
                .iter()
                .map(|p| {
                    let mut v = ty(p.ty);
                    v["name"] = json!(p.name);
                    v["label"] = json!(p.label);
                    v
                })
                .collect();
            json!({ "kind": k.kind, "size": k.size.map(|(w, h)| [w, h]), "props": props })
        })
        .collect();
    let grids: Vec<Value> = GRIDS.iter().map(|g| json!({ "size": g.size, "cols": g.cols, "rows": g.rows })).collect();
    json!({ "kinds": kinds, "grids": grids })
}
