//! The merge patch: RFC 7386 `merge_patch`, and `TaggedObject`'s priority/sequence rule.
//!
//! Input: an object and a list of patches with their tags, built by `arbitrary` from JSON
//! values over a small key alphabet (including keys with dots, which look like paths), so that
//! patches keep meeting the same properties.
//!
//! Checked: nothing panics; `merge_patch` is idempotent and never leaves a patch's `null` in an
//! object; `TaggedObject::apply` gives the same value and the same "changed" answer as a
//! reference model that keeps tags by lists of keys (so keys with dots cannot be confused with
//! paths);
//! `preview` equals `apply`; applying a patch twice changes nothing the second time; a change
//! newer than every earlier one is a plain merge patch; and an update event built with
//! `value_with_removals`, merged into the old value, gives the new one.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mixplay::protocol::{merge_patch, Tag, TaggedObject};
use serde_json::{Map, Value};

/// Keys that collide on purpose: `a.b` is a key of its own and also looks like the path a → b.
const KEYS: [&str; 6] = ["a", "b", "a.b", "c", ".", ""];

#[derive(Debug)]
struct Json(Value);

impl<'a> Arbitrary<'a> for Json {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        json(u, 0).map(Json)
    }
}

fn json(u: &mut Unstructured, depth: u32) -> arbitrary::Result<Value> {
    let pick = if depth >= 4 { u.int_in_range(0..=3)? } else { u.int_in_range(0..=5)? };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.int_in_range(-2i8..=2)?),
        3 => Value::String(KEYS[u.choose_index(KEYS.len())?].to_owned()),
        4 => Value::Array((0..u.int_in_range(0..=2)?).map(|_| json(u, depth + 1)).collect::<Result<_, _>>()?),
        _ => Value::Object(object(u, depth + 1)?),
    })
}

fn object(u: &mut Unstructured, depth: u32) -> arbitrary::Result<Map<String, Value>> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=4)? {
        map.insert(KEYS[u.choose_index(KEYS.len())?].to_owned(), json(u, depth)?);
    }
    Ok(map)
}

#[derive(Debug)]
struct Patch {
    map: Map<String, Value>,
    tag: Tag,
}

impl<'a> Arbitrary<'a> for Patch {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let tag = Tag::new(u.int_in_range(-2..=2)?, u.int_in_range(0..=4)?);
        Ok(Patch { map: object(u, 1)?, tag })
    }
}

/// At most this many patches are applied from one input. Each patch is checked against the model,
/// which clones the object, so a run costs the square of its patch count: without a cap, inputs
/// grown to hundreds of patches slowed a long run from 9,000 to under 1,000 runs a second, while
/// a few dozen already reach every ordering of tags over the six keys.
const MAX_PATCHES: usize = 32;

#[derive(Debug)]
struct Input {
    start: Json,
    start_seq: u8,
    patches: Vec<Patch>,
    plain: Json,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let start = u.arbitrary()?;
        let start_seq = u.arbitrary()?;
        let count = u.int_in_range(0..=MAX_PATCHES)?;
        let patches = (0..count).map(|_| u.arbitrary()).collect::<Result<_, _>>()?;
        Ok(Input { start, start_seq, patches, plain: u.arbitrary()? })
    }
}

/// The reference: the rule written out plainly, differently from the library: every change
/// remembers its tag under the full path of the property it replaced (a list of keys, so no key
/// can be mistaken for a path); a property is governed by the tag of the longest such path that
/// is a prefix of its own; replacing a property forgets the tags below it.
#[derive(Debug, Clone)]
struct Model {
    value: Map<String, Value>,
    tags: BTreeMap<Vec<String>, Tag>,
}

impl Model {
    fn new(value: Map<String, Value>, tag: Tag) -> Model {
        let tags = value.keys().map(|k| (vec![k.clone()], tag)).collect();
        Model { value, tags }
    }

    fn governing(&self, path: &[String]) -> Option<Tag> {
        (1..=path.len()).rev().find_map(|n| self.tags.get(&path[..n]).copied())
    }

    fn apply(&mut self, patch: &Map<String, Value>, tag: Tag) -> bool {
        let before = self.value.clone();
        let mut value = std::mem::take(&mut self.value);
        self.apply_at(&mut value, &mut Vec::new(), patch, tag);
        self.value = value;
        before != self.value
    }

    fn apply_at(
        &mut self,
        target: &mut Map<String, Value>,
        path: &mut Vec<String>,
        patch: &Map<String, Value>,
        tag: Tag,
    ) {
        for (key, value) in patch {
            path.push(key.clone());
            match (value, target.get_mut(key)) {
                (Value::Object(sub_patch), Some(Value::Object(sub_target))) => {
                    self.apply_at(sub_target, path, sub_patch, tag)
                }
                _ if self.governing(path).is_some_and(|earlier| !tag.wins_over(&earlier)) => {}
                _ => {
                    self.tags.retain(|p, _| !p.starts_with(path));
                    self.tags.insert(path.clone(), tag);
                    // The property is replaced: by the value, nulls dropped (`null` removes it).
                    target.remove(key);
                    let mut merged = Value::Null;
                    merge_patch(&mut merged, value);
                    if !merged.is_null() {
                        target.insert(key.clone(), merged);
                    }
                }
            }
            path.pop();
        }
    }
}

/// Whether a member of `v`, or of objects nested in it, is `null` (arrays are values of their
/// own, copied whole by a merge, and not looked into).
fn has_null_member(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().any(|x| x.is_null() || has_null_member(x)),
        _ => false,
    }
}

fuzz_target!(|input: Input| {
    // Plain merge patch: idempotent, and no `null` member survives from a patch into objects
    // that had none.
    let mut target = Value::Null;
    merge_patch(&mut target, &input.start.0);
    let mut once = target.clone();
    merge_patch(&mut once, &input.plain.0);
    let mut twice = once.clone();
    merge_patch(&mut twice, &input.plain.0);
    assert_eq!(once, twice, "merge_patch is not idempotent");
    if input.plain.0.is_object() && !has_null_member(&target) {
        assert!(!has_null_member(&once), "a patch's null survived: {once}");
    }

    // The tagged object against the model. Start from an object without null members, as the
    // mediator's objects are (they are built by merging).
    let Value::Object(start) = target else { return };
    let start_tag = Tag::new(0, i64::from(input.start_seq % 3));
    let mut object = TaggedObject::new(start.clone(), start_tag);
    let mut model = Model::new(start, start_tag);
    let mut newest = start_tag.seq;
    for Patch { map, tag } in &input.patches {
        let before = object.value().clone();
        let preview = object.preview(map, *tag);
        let changed = object.apply(map, *tag);
        let event = object.value_with_removals(map);
        assert_eq!(model.apply(map, *tag), changed, "changed differs from the model for {map:?} under {tag:?}");
        assert_eq!(object.value(), &model.value, "value differs from the model after {map:?} under {tag:?}");
        assert_eq!(&preview, object.value(), "preview differs from apply");
        assert_eq!(changed, &before != object.value(), "changed does not say whether the value changed");
        assert!(!object.apply(map, *tag), "applying the same patch twice changed something");

        let mut receiver = Value::Object(before.clone());
        merge_patch(&mut receiver, &Value::Object(event));
        assert_eq!(&receiver, &Value::Object(object.value().clone()), "the update event does not rebuild the value");

        if tag.seq > newest {
            let mut plain = Value::Object(before);
            merge_patch(&mut plain, &Value::Object(map.clone()));
            assert_eq!(&plain, &Value::Object(object.value().clone()), "a newest change is not a plain merge");
        }
        newest = newest.max(tag.seq);
    }
});
