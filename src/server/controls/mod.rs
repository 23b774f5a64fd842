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

mod kinds;

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::protocol::echo::clipped;

pub use self::kinds::{is_kind, kind, schema, Grid, Kind, Prop, PropType, GRIDS, KINDS};
pub use super::config::ControlLimits;

const DEFAULT_ID: &str = "default";

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
        return Err(at(clipped(other), "a version's controls hold only scenes and groups"));
    }
    let mut scenes = Vec::new();
    let mut scene_ids = HashSet::new();
    for (i, s) in list(root.get("scenes"), "scenes", limits.scenes, "a version")?.iter().enumerate() {
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
    for (i, g) in list(root.get("groups"), "groups", limits.groups, "a version")?.iter().enumerate() {
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

/// The array at `path` (absent: empty) of at most `max` entries; `owner` says whose it is.
fn list<'a>(v: Option<&'a Value>, path: &str, max: usize, owner: &str) -> Result<&'a [Value], Invalid> {
    let what = path.rsplit('.').next().unwrap_or(path);
    let listed: &[Value] = match v {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err(at(path, format!("{what} must be an array"))),
    };
    if listed.len() > max {
        return Err(at(path, format!("{owner} has at most {max} {what}; this one has {}", listed.len())));
    }
    Ok(listed)
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
    let listed = list(s.get("controls"), &join(path, "controls"), limits.controls_per_scene, "a scene")?;
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
        at(
            join(path, "kind"),
            format!("unknown kind “{}”: a control is one of {}", clipped(kind_name), names.join(", ")),
        )
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
            return Err(at(join(&ppath, &clipped(other)), "a placement holds only size, x, y, width and height"));
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

#[cfg(test)]
mod tests;
