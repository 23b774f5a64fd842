//! A version's controls, checked: the one place that decides what the Studio may save and what a
//! world file may hold. [`validate`] is a pure function from JSON to [`ValidControls`] (the
//! scenes and groups a game client gets, normalized) or an [`Invalid`] naming the path of the
//! first bad part, so the Studio's REST answers 400 with it and a world file is refused with it.
//!
//! The rules: scenes and groups have unique, non-empty ids; a scene's controls have unique
//! `controlID`s and a known `kind`; the properties of that kind have their types and ranges (other
//! properties are kept as they are); each `position` entry places the control on one of the three
//! grids ([`GRIDS`]) without leaving it, and no two controls of a scene overlap on a grid; a group
//! shows a scene the version has. The `default` scene and group are added when missing.
//!
//! [`schema`] describes the same kinds, properties and grids as JSON for the Studio's editor.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

pub use super::config::ControlLimits;

const DEFAULT_ID: &str = "default";

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

/// The first bad part of a version's controls: where (`scenes[0].controls[2].kind`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

fn at(path: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid { path: path.into(), message: message.into() }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A list of JSON objects: scenes with their controls, or groups (the Studio's JSON form).
pub type Objects = Vec<Map<String, Value>>;

/// A version's controls that passed [`validate`]: the scenes (with their controls) and groups a
/// game client connecting with the version gets.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidControls {
    scenes: Objects,
    groups: Objects,
}

impl ValidControls {
    pub fn scenes(&self) -> &[Map<String, Value>] {
        &self.scenes
    }

    pub fn groups(&self) -> &[Map<String, Value>] {
        &self.groups
    }

    pub fn into_parts(self) -> (Objects, Objects) {
        (self.scenes, self.groups)
    }
}

/// How many controls the scenes hold together.
pub fn control_count(scenes: &[Map<String, Value>]) -> usize {
    scenes.iter().filter_map(|s| s.get("controls").and_then(Value::as_array)).map(Vec::len).sum()
}

/// Checks `{"scenes": [...], "groups": [...]}` (both optional) against the rules in the module's
/// notes and `limits`.
pub fn validate(controls: &Value, limits: &ControlLimits) -> Result<ValidControls, Invalid> {
    let root = controls
        .as_object()
        .ok_or_else(|| at("", "the controls must be an object: {\"scenes\": [...], \"groups\": [...]}"))?;
    if let Some(other) = root.keys().find(|k| *k != "scenes" && *k != "groups") {
        return Err(at(other.as_str(), "a version's controls hold only scenes and groups"));
    }
    let mut scenes = Vec::new();
    let mut scene_ids = HashSet::new();
    let listed = array(root.get("scenes"), "scenes", "scenes")?;
    if listed.len() > limits.scenes {
        return Err(at(
            "scenes",
            format!("a version has at most {} scenes; this one has {}", limits.scenes, listed.len()),
        ));
    }
    for (i, s) in listed.iter().enumerate() {
        let path = format!("scenes[{i}]");
        let (id, scene) = scene(s, &path, limits)?;
        if !scene_ids.insert(id.clone()) {
            return Err(at(join(&path, "sceneID"), format!("the scene “{id}” appears twice")));
        }
        scenes.push(scene);
    }
    if !scene_ids.contains(DEFAULT_ID) {
        scenes.insert(0, object(json!({ "sceneID": DEFAULT_ID, "controls": [] })));
    }
    let mut groups = Vec::new();
    let mut group_ids = HashSet::new();
    let listed = array(root.get("groups"), "groups", "groups")?;
    if listed.len() > limits.groups {
        return Err(at(
            "groups",
            format!("a version has at most {} groups; this one has {}", limits.groups, listed.len()),
        ));
    }
    for (i, g) in listed.iter().enumerate() {
        let path = format!("groups[{i}]");
        let g = g.as_object().ok_or_else(|| at(&path, "a group must be an object"))?;
        let id = id(g.get("groupID"), &join(&path, "groupID"), limits)?;
        if !group_ids.insert(id.clone()) {
            return Err(at(join(&path, "groupID"), format!("the group “{id}” appears twice")));
        }
        let scene = match g.get("sceneID") {
            None => DEFAULT_ID.to_owned(),
            Some(s) => self::id(Some(s), &join(&path, "sceneID"), limits)?,
        };
        if !scene_ids.contains(&scene) && scene != DEFAULT_ID {
            return Err(at(
                join(&path, "sceneID"),
                format!("the group “{id}” shows the scene “{scene}”, which this version does not have"),
            ));
        }
        let mut group = g.clone();
        group.insert("sceneID".into(), Value::String(scene));
        groups.push(group);
    }
    if !group_ids.contains(DEFAULT_ID) {
        groups.insert(0, object(json!({ "groupID": DEFAULT_ID, "sceneID": DEFAULT_ID })));
    }
    Ok(ValidControls { scenes, groups })
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// The array at `v` (absent: empty).
fn array<'a>(v: Option<&'a Value>, path: &str, what: &str) -> Result<&'a [Value], Invalid> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(at(path, format!("{what} must be an array"))),
    }
}

/// An id: non-empty text of at most `id_chars` characters without control characters.
fn id(v: Option<&Value>, path: &str, limits: &ControlLimits) -> Result<String, Invalid> {
    let text = v.and_then(Value::as_str).ok_or_else(|| at(path, "must be text (an id)"))?;
    if text.is_empty() {
        return Err(at(path, "must not be empty"));
    }
    if text.chars().count() > limits.id_chars {
        return Err(at(path, format!("is longer than {} characters", limits.id_chars)));
    }
    if text.chars().any(char::is_control) {
        return Err(at(path, "must not hold control characters"));
    }
    Ok(text.to_owned())
}

/// Where a control sits on one grid: the grid, `(x, y, width, height)`, and the entry's path.
struct Placement {
    grid: &'static Grid,
    rect: (u32, u32, u32, u32),
    path: String,
}

fn overlaps(a: (u32, u32, u32, u32), b: (u32, u32, u32, u32)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn scene(v: &Value, path: &str, limits: &ControlLimits) -> Result<(String, Map<String, Value>), Invalid> {
    let s = v.as_object().ok_or_else(|| at(path, "a scene must be an object"))?;
    let scene_id = id(s.get("sceneID"), &join(path, "sceneID"), limits)?;
    let listed = array(s.get("controls"), &join(path, "controls"), "controls")?;
    if listed.len() > limits.controls_per_scene {
        return Err(at(
            join(path, "controls"),
            format!("a scene has at most {} controls; this one has {}", limits.controls_per_scene, listed.len()),
        ));
    }
    let mut ids = HashSet::new();
    // Every placement so far, with its control's id, to find overlaps.
    let mut placed: Vec<(String, Placement)> = Vec::new();
    for (j, c) in listed.iter().enumerate() {
        let cpath = format!("{}[{j}]", join(path, "controls"));
        let (control_id, placements) = control(c, &cpath, limits)?;
        if !ids.insert(control_id.clone()) {
            return Err(at(
                join(&cpath, "controlID"),
                format!("the control “{control_id}” appears twice in this scene"),
            ));
        }
        for p in placements {
            let hit = placed.iter().find(|(_, q)| q.grid.size == p.grid.size && overlaps(p.rect, q.rect));
            if let Some((other, _)) = hit {
                return Err(at(&p.path, format!("“{control_id}” overlaps “{other}” on the {} grid", p.grid.size)));
            }
            placed.push((control_id.clone(), p));
        }
    }
    let mut out = s.clone();
    out.insert("controls".into(), Value::Array(listed.to_vec()));
    Ok((scene_id, out))
}

/// Checks one control: its id and where it is placed.
fn control(v: &Value, path: &str, limits: &ControlLimits) -> Result<(String, Vec<Placement>), Invalid> {
    let c = v.as_object().ok_or_else(|| at(path, "a control must be an object"))?;
    let control_id = id(c.get("controlID"), &join(path, "controlID"), limits)?;
    let kind_name = c.get("kind").and_then(Value::as_str).unwrap_or("");
    let spec = kind(kind_name).ok_or_else(|| {
        let names: Vec<&str> = KINDS.iter().map(|k| k.kind).collect();
        at(join(path, "kind"), format!("unknown kind “{kind_name}”: a control is one of {}", names.join(", ")))
    })?;
    let mut placements = Vec::new();
    for (name, value) in c {
        let ppath = join(path, name);
        match name.as_str() {
            "controlID" | "kind" => {}
            "position" => placements = positions(value, &ppath, &control_id)?,
            "meta" if !value.is_object() => return Err(at(ppath, "meta must be an object")),
            _ => {
                if let Some(p) = spec.props.iter().find(|p| p.name == name) {
                    check_type(value, p.ty, &ppath, limits)?;
                }
            }
        }
    }
    Ok((control_id, placements))
}

fn check_type(v: &Value, ty: PropType, path: &str, limits: &ControlLimits) -> Result<(), Invalid> {
    let text_ok = |s: &str| s.chars().count() <= limits.text_chars;
    let ok = match ty {
        PropType::Text => match v.as_str() {
            Some(s) if !text_ok(s) => return Err(at(path, format!("is longer than {} characters", limits.text_chars))),
            Some(_) => true,
            None => false,
        },
        PropType::Bool => v.is_boolean(),
        PropType::Int { min, max } => v.as_i64().is_some_and(|n| (min..=max).contains(&n)),
        PropType::Number { min, max } => v.as_f64().is_some_and(|n| (min..=max).contains(&n)),
        PropType::TextOrNumber => v.as_str().is_some_and(text_ok) || v.as_f64().is_some_and(|n| n >= 0.0),
        PropType::Choice(choices) => v.as_str().is_some_and(|s| choices.contains(&s)),
    };
    if ok {
        return Ok(());
    }
    let want = match ty {
        PropType::Text => "must be text".to_owned(),
        PropType::Bool => "must be true or false".to_owned(),
        PropType::Int { min, max } if max == i64::MAX => format!("must be a whole number from {min}"),
        PropType::Int { min, max } => format!("must be a whole number from {min} to {max}"),
        PropType::Number { min, max } => format!("must be a number from {min} to {max}"),
        PropType::TextOrNumber => "must be a CSS size (such as \"20px\") or a number of pixels".to_owned(),
        PropType::Choice(choices) => format!("must be one of {}", choices.join(", ")),
    };
    Err(at(path, want))
}

/// A whole number of grid units from `min`.
fn units(p: &Map<String, Value>, key: &str, min: u64, path: &str) -> Result<u32, Invalid> {
    p.get(key)
        .and_then(Value::as_u64)
        .filter(|n| *n >= min)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| at(join(path, key), format!("must be a whole number of grid units from {min}")))
}

fn positions(v: &Value, path: &str, control_id: &str) -> Result<Vec<Placement>, Invalid> {
    let list = v.as_array().ok_or_else(|| at(path, "position must be an array of placements, one per grid size"))?;
    let mut seen = HashSet::new();
    let mut placements = Vec::new();
    for (k, p) in list.iter().enumerate() {
        let ppath = format!("{path}[{k}]");
        let p = p.as_object().ok_or_else(|| at(&ppath, "a placement must be an object"))?;
        if let Some(other) = p.keys().find(|k| !["size", "x", "y", "width", "height"].contains(&k.as_str())) {
            return Err(at(join(&ppath, other), "a placement holds only size, x, y, width and height"));
        }
        let size = p.get("size").and_then(Value::as_str).unwrap_or("");
        let grid = GRIDS
            .iter()
            .find(|g| g.size == size)
            .ok_or_else(|| at(join(&ppath, "size"), "size must be large, medium or small"))?;
        if !seen.insert(size) {
            return Err(at(join(&ppath, "size"), format!("“{control_id}” is placed twice on the {size} grid")));
        }
        let (x, y) = (units(p, "x", 0, &ppath)?, units(p, "y", 0, &ppath)?);
        let (w, h) = (units(p, "width", 1, &ppath)?, units(p, "height", 1, &ppath)?);
        if u64::from(x) + u64::from(w) > u64::from(grid.cols) || u64::from(y) + u64::from(h) > u64::from(grid.rows) {
            return Err(at(
                &ppath,
                format!(
                    "“{control_id}” leaves the {size} grid ({}×{}): x + width must be at most {}, y + height at most {}",
                    grid.cols, grid.rows, grid.cols, grid.rows
                ),
            ));
        }
        placements.push(Placement { grid, rect: (x, y, w, h), path: ppath });
    }
    Ok(placements)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: Value) -> Result<ValidControls, Invalid> {
        validate(&v, &ControlLimits::default())
    }

    fn err(v: Value) -> Invalid {
        check(v).expect_err("the controls are refused")
    }

    fn at_large(x: u32, y: u32, w: u32, h: u32) -> Value {
        json!([{ "size": "large", "x": x, "y": y, "width": w, "height": h }])
    }

    #[test]
    fn a_good_version_is_kept_and_gets_its_defaults() {
        let v = check(json!({ "scenes": [ { "sceneID": "lobby", "bg": "blue", "controls": [
            { "controlID": "jump", "kind": "button", "text": "Jump", "cost": 5, "position": at_large(0, 0, 10, 5),
              "custom": { "kept": true } },
            { "controlID": "aim", "kind": "joystick", "position": at_large(10, 0, 10, 10) },
            { "controlID": "video", "kind": "screen", "sendMoveEvents": "always" }
        ] } ], "groups": [ { "groupID": "lobbyists", "sceneID": "lobby" } ] }))
        .unwrap();
        let ids: Vec<&str> = v.scenes().iter().map(|s| s["sceneID"].as_str().unwrap()).collect();
        assert_eq!(ids, ["default", "lobby"]);
        assert_eq!(v.scenes()[1]["bg"], "blue");
        assert_eq!(v.scenes()[1]["controls"][0]["custom"], json!({ "kept": true }));
        let groups: Vec<&str> = v.groups().iter().map(|g| g["groupID"].as_str().unwrap()).collect();
        assert_eq!(groups, ["default", "lobbyists"]);
        assert_eq!(control_count(v.scenes()), 3);
    }

    #[test]
    fn each_rule_names_the_path_of_the_bad_part() {
        let e = err(
            json!({ "scenes": [ { "sceneID": "default", "controls": [ { "controlID": "x", "kind": "slider" } ] } ] }),
        );
        assert_eq!(e.path, "scenes[0].controls[0].kind");
        assert!(e.message.contains("unknown kind “slider”"), "{e}");

        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [
            { "controlID": "a", "kind": "button" }, { "controlID": "a", "kind": "label" } ] } ] }));
        assert_eq!(e.path, "scenes[0].controls[1].controlID");
        assert!(e.message.contains("appears twice"), "{e}");

        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [
            { "controlID": "a", "kind": "button", "position": at_large(75, 0, 10, 5) } ] } ] }));
        assert_eq!(e.path, "scenes[0].controls[0].position[0]");
        assert!(e.message.contains("leaves the large grid (80×20)"), "{e}");

        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [
            { "controlID": "a", "kind": "button", "position": at_large(0, 0, 10, 5) },
            { "controlID": "b", "kind": "button", "position": at_large(9, 4, 10, 5) } ] } ] }));
        assert_eq!(e.path, "scenes[0].controls[1].position[0]");
        assert!(e.message.contains("“b” overlaps “a” on the large grid"), "{e}");

        let small = json!([{ "size": "small", "x": 0, "y": 36, "width": 10, "height": 5 }]);
        let e = err(
            json!({ "scenes": [ { "sceneID": "s", "controls": [ { "controlID": "a", "kind": "button", "position": small } ] } ] }),
        );
        assert!(e.message.contains("small grid (30×40)"), "{e}");

        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [
            { "controlID": "a", "kind": "button", "cost": -1 } ] } ] }));
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("scenes[0].controls[0].cost", "must be a whole number from 0 to 1000000")
        );

        let e = err(json!({ "scenes": [ { "sceneID": "s" }, { "sceneID": "s" } ] }));
        assert_eq!(e.path, "scenes[1].sceneID");
        let e = err(json!({ "scenes": [], "groups": [ { "groupID": "g", "sceneID": "nowhere" } ] }));
        assert_eq!(e.path, "groups[0].sceneID");
        let e = err(json!({ "scenes": [], "reportInterval": 50 }));
        assert_eq!(e.path, "reportInterval");
        let e = err(json!({ "scenes": [ { "sceneID": "" } ] }));
        assert_eq!(e.path, "scenes[0].sceneID");
        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [ { "controlID": "a", "kind": "button",
            "position": [ { "size": "large", "x": 0, "y": 0, "width": 0, "height": 5 } ] } ] } ] }));
        assert_eq!(e.path, "scenes[0].controls[0].position[0].width");
        let e = err(json!({ "scenes": [ { "sceneID": "s", "controls": [ { "controlID": "a", "kind": "screen",
            "sendMoveEvents": "sometimes" } ] } ] }));
        assert!(e.message.contains("always, mousedown, never"), "{e}");
    }

    #[test]
    fn the_same_spot_on_different_grids_or_scenes_is_fine() {
        let everywhere = json!([
            { "size": "large", "x": 0, "y": 0, "width": 10, "height": 5 },
            { "size": "medium", "x": 0, "y": 0, "width": 10, "height": 5 },
            { "size": "small", "x": 20, "y": 35, "width": 10, "height": 5 }
        ]);
        check(json!({ "scenes": [
            { "sceneID": "a", "controls": [ { "controlID": "x", "kind": "button", "position": everywhere } ] },
            { "sceneID": "b", "controls": [ { "controlID": "x", "kind": "button", "position": everywhere } ] }
        ] }))
        .unwrap();
    }

    #[test]
    fn limits_are_enforced() {
        let limits = ControlLimits { scenes: 2, controls_per_scene: 1, groups: 1, id_chars: 4, text_chars: 3 };
        let e = validate(&json!({ "scenes": [ { "sceneID": "a" }, { "sceneID": "b" }, { "sceneID": "c" } ] }), &limits);
        assert_eq!(e.unwrap_err().path, "scenes");
        let two = json!({ "scenes": [ { "sceneID": "a", "controls": [
            { "controlID": "x", "kind": "label" }, { "controlID": "y", "kind": "label" } ] } ] });
        assert_eq!(validate(&two, &limits).unwrap_err().path, "scenes[0].controls");
        let long = json!({ "scenes": [ { "sceneID": "abcde" } ] });
        assert_eq!(validate(&long, &limits).unwrap_err().path, "scenes[0].sceneID");
        let text = json!({ "scenes": [ { "sceneID": "a", "controls": [ { "controlID": "x", "kind": "label", "text": "long" } ] } ] });
        assert_eq!(validate(&text, &limits).unwrap_err().path, "scenes[0].controls[0].text");
    }

    /// A valid version mutated at random (values replaced, entries dropped or doubled): never a
    /// panic, and a refusal always names a path of the input.
    #[test]
    fn random_mutations_are_refused_or_accepted_never_a_panic() {
        fn random_value(rng: &mut fastrand::Rng) -> Value {
            let words = ["default", "button", "slider", "large", "small", "", "x"];
            match rng.u8(0..7) {
                0 => Value::Null,
                1 => json!(rng.bool()),
                2 => json!(rng.i64(-5..100)),
                3 => json!(words[rng.usize(0..words.len())]),
                4 => json!(rng.f64() * 90.0),
                5 => json!([]),
                _ => json!({}),
            }
        }
        /// Replaces, drops or doubles one node somewhere below `v`.
        fn mutate(v: &mut Value, rng: &mut fastrand::Rng) {
            let descend = rng.u8(0..3) > 0;
            match v {
                Value::Object(o) if !o.is_empty() => {
                    let key = o.keys().nth(rng.usize(0..o.len())).cloned().unwrap_or_default();
                    match (descend, rng.u8(0..4)) {
                        (true, _) => mutate(o.get_mut(&key).unwrap(), rng),
                        (false, 0) => drop(o.remove(&key)),
                        (false, _) => drop(o.insert(key, random_value(rng))),
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = rng.usize(0..a.len());
                    match (descend, rng.u8(0..3)) {
                        (true, _) => mutate(&mut a[i], rng),
                        (false, 0) => a.push(a[i].clone()),
                        (false, _) => a[i] = random_value(rng),
                    }
                }
                other => *other = random_value(rng),
            }
        }
        let valid = json!({ "scenes": [
            { "sceneID": "default", "controls": [
                { "controlID": "jump", "kind": "button", "text": "Jump", "cost": 5, "position": [
                    { "size": "large", "x": 0, "y": 0, "width": 10, "height": 5 },
                    { "size": "small", "x": 0, "y": 0, "width": 10, "height": 5 } ] },
                { "controlID": "aim", "kind": "joystick", "sampleRate": 50, "position": [
                    { "size": "large", "x": 10, "y": 0, "width": 10, "height": 10 } ] } ] },
            { "sceneID": "lobby", "controls": [ { "controlID": "hi", "kind": "label", "text": "Hi" } ] }
        ], "groups": [ { "groupID": "waiting", "sceneID": "lobby" } ] });
        let mut rng = fastrand::Rng::with_seed(14);
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let mut v = valid.clone();
            for _ in 0..rng.usize(0..4) {
                mutate(&mut v, &mut rng);
            }
            match validate(&v, &ControlLimits::default()) {
                Ok(_) => accepted += 1,
                Err(e) => {
                    refused += 1;
                    let root = e.path.split(['.', '[']).next().unwrap_or("");
                    assert!(root.is_empty() || v.get(root).is_some(), "{e} names a path of {v}");
                }
            }
        }
        assert!(accepted > 1000 && refused > 1000, "{accepted} accepted, {refused} refused");
    }

    #[test]
    fn the_schema_lists_every_kind_and_grid() {
        let s = schema();
        assert_eq!(s["kinds"].as_array().unwrap().len(), KINDS.len());
        assert_eq!(s["grids"][0], json!({ "size": "large", "cols": 80, "rows": 20 }));
        assert_eq!(s["kinds"][4]["size"], Value::Null, "a screen is not placed on the grid");
    }
}
