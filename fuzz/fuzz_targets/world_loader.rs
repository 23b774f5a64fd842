//! The JSON loaders of the mediator's data: world files (`World::new`, which checks users,
//! channels and projects, and every project's controls) and a version's controls as the Studio
//! receives them (`controls::validate`, the one validator both use).
//!
//! Input: byte 0 picks the loader (even: a world file, odd: a version's controls); the rest is
//! the JSON text.
//!
//! Checked: nothing panics; a loaded world finds every user by id and by token, every channel
//! and every project; validated controls validate again to the same scenes and groups (the
//! normal form is a fixed point), and so do a loaded project's; a refusal names its path and
//! reason in a bounded message (it may quote the peer's keys and ids).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixplay::server::controls::{self, ControlLimits};
use mixplay::server::world::WorldFile;
use mixplay::server::World;
use serde_json::{json, Value};

/// The longest refusal a Studio developer may get back (path and message together).
const REFUSAL_BOUND: usize = 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, text)) = data.split_first() else { return };
    if mode % 2 == 0 {
        world(text);
    } else if let Ok(value) = serde_json::from_slice::<Value>(text) {
        check_controls(&value);
    }
});

fn world(text: &[u8]) {
    let Ok(file) = serde_json::from_slice::<WorldFile>(text) else { return };
    let (users, channels, projects) = (file.users.clone(), file.channels.clone(), file.projects.clone());
    let Ok(world) = World::new(file) else { return };
    for u in &users {
        assert_eq!(world.user(u.id).map(|w| &w.username), Some(&u.username));
        if let Some(token) = &u.token {
            assert_eq!(world.user_by_token(token).map(|w| w.id), Some(u.id));
        }
    }
    for c in &channels {
        assert_eq!(world.channel(c.id).map(|w| w.owner), Some(c.owner));
    }
    for p in &projects {
        let loaded = world.project(p.version_id).expect("a loaded project is found");
        let controls = json!({ "scenes": loaded.scenes, "groups": loaded.groups });
        let again = controls::validate(&controls, &ControlLimits::default()).expect("a loaded project validates");
        assert_eq!((again.scenes(), again.groups()), (&loaded.scenes[..], &loaded.groups[..]));
    }
}

fn check_controls(value: &Value) {
    let limits = ControlLimits::default();
    match controls::validate(value, &limits) {
        Ok(valid) => {
            let normal = json!({ "scenes": valid.scenes(), "groups": valid.groups() });
            let again = controls::validate(&normal, &limits).expect("validated controls validate again");
            assert_eq!(again, valid, "the normal form is a fixed point");
        }
        Err(refusal) => {
            let shown = refusal.to_string();
            assert!(shown.chars().count() <= REFUSAL_BOUND, "a {}-character refusal", shown.chars().count());
        }
    }
}
