//! The rules of `validate`, each with the path it names; random mutations of a valid version.

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
    let e =
        err(json!({ "scenes": [ { "sceneID": "default", "controls": [ { "controlID": "x", "kind": "slider" } ] } ] }));
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

/// Names the developer made up (keys, a kind) are cut when a refusal quotes them: a Studio body
/// may be half a megabyte.
#[test]
fn refusals_quote_made_up_names_boundedly() {
    let long = "k".repeat(100_000);
    let placement = json!([{ "size": "large", "x": 0, "y": 0, "width": 1, "height": 1, long.clone(): 1 }]);
    for v in [
        json!({ long.clone(): [] }),
        json!({ "scenes": [ { "sceneID": "s", "controls": [ { "controlID": "a", "kind": long.clone() } ] } ] }),
        json!({ "scenes": [ { "sceneID": "s", "controls": [ { "controlID": "a", "kind": "button", "position": placement } ] } ] }),
    ] {
        let shown = err(v).to_string();
        assert!(shown.chars().count() < 400, "a {}-character refusal", shown.chars().count());
        assert!(shown.contains("kkk…"), "{}", &shown[..200.min(shown.len())]);
    }
}
