//! JSON Merge Patch (RFC 7386) with the protocol's priority/sequence conflict rule.
//!
//! Every property change is tagged with the requester's `priority` and the `seq` it was made at.
//! When a new change B meets an earlier change A on the same property:
//! - B is newer (`B.seq > A.seq`): B applies;
//! - otherwise the greater priority wins;
//! - equal seq and equal priority: B applies (what the client said explicitly wins).
//!
//! (The spec's first bullet literally says "apply A's change" when B is newer; every other
//! sentence, and the examples, make sense only if the newer change applies, so that is what we do.)
//! A deep change is a change of the deep property only; replacing an object by a primitive, or
//! the reverse, is a change of the property itself.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The priority and sequence number a change was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tag {
    pub priority: i64,
    pub seq: i64,
}

impl Tag {
    pub fn new(priority: i64, seq: i64) -> Self {
        Tag { priority, seq }
    }

    /// Whether `self`, arriving now, replaces a change made under `earlier`.
    pub fn wins_over(&self, earlier: &Tag) -> bool {
        if self.seq > earlier.seq {
            return true;
        }
        self.priority > earlier.priority || (self.seq == earlier.seq && self.priority == earlier.priority)
    }
}

/// Plain RFC 7386 merge patch: `null` removes, objects merge recursively, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target_map) = target else { return };
    for (key, value) in patch_map {
        if value.is_null() {
            target_map.remove(key);
        } else {
            merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// A JSON object whose properties remember the tag of their last change.
#[derive(Debug, Clone, Default)]
pub struct TaggedObject {
    value: Map<String, Value>,
    tags: Tags,
    /// The tag of the object's creation, which every property it was created with keeps until
    /// changed. Kept once here rather than as a tag per property: a top-level property in `value`
    /// with no entry in `tags` has not been touched since (every change records one), and most
    /// objects (a viewer's participant object, say) are never changed at all.
    created: Option<Tag>,
}

/// The tags of an object's properties, shaped like the object: each node holds the tag of the
/// change that last replaced that property (if any) and the tags of its own properties. A tree
/// rather than dotted paths, so that a key containing a dot (or an empty key) is never mistaken
/// for a path, and a change costs the depth of the property rather than a scan of every tag.
#[derive(Debug, Clone, Default)]
struct Tags {
    tag: Option<Tag>,
    props: HashMap<String, Tags>,
}

impl Tags {
    fn leaf(tag: Tag) -> Tags {
        Tags { tag: Some(tag), props: HashMap::new() }
    }
}

impl TaggedObject {
    /// A new object, every property tagged with `tag` (creation counts as a change).
    pub fn new(value: Map<String, Value>, tag: Tag) -> Self {
        TaggedObject { value, tags: Tags::default(), created: Some(tag) }
    }

    pub fn value(&self) -> &Map<String, Value> {
        &self.value
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.value.get(key)
    }

    /// Sets one top-level property unconditionally (server-side bookkeeping such as
    /// `lastInputAt`), tagging it.
    pub fn set(&mut self, key: &str, value: Value, tag: Tag) {
        self.tags.props.insert(key.to_owned(), Tags::leaf(tag));
        self.value.insert(key.to_owned(), value);
    }

    /// Applies `patch` under `tag`, skipping properties whose last change wins over it.
    /// Returns whether anything changed.
    pub fn apply(&mut self, patch: &Map<String, Value>, tag: Tag) -> bool {
        let mut changed = false;
        apply_into(&mut self.value, &mut self.tags, self.created, None, patch, tag, &mut changed);
        changed
    }

    /// The object as an update event should carry it after `patch` was applied: every property,
    /// plus an explicit `null` for each property the patch removed, so that a receiver merging
    /// the event into its copy drops those properties too.
    pub fn value_with_removals(&self, patch: &Map<String, Value>) -> Map<String, Value> {
        let mut out = self.value.clone();
        mark_removals(&mut out, patch);
        out
    }

    /// The result of [`TaggedObject::apply`] without changing `self`.
    pub fn preview(&self, patch: &Map<String, Value>, tag: Tag) -> Map<String, Value> {
        let mut copy = self.clone();
        copy.apply(patch, tag);
        copy.value
    }
}

fn mark_removals(out: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (value, out.get_mut(key)) {
            (Value::Null, None) => {
                out.insert(key.clone(), Value::Null);
            }
            (Value::Object(sub_patch), Some(Value::Object(sub_out))) => mark_removals(sub_out, sub_patch),
            _ => {}
        }
    }
}

/// Applies `patch` to `target`, whose tags are `tags`; `untouched` is the tag of properties of
/// `target` that have no entry in `tags` (the creation tag, at the top level only), and
/// `inherited` the tag of the nearest enclosing property that has one, which governs properties
/// without a tag of their own.
fn apply_into(
    target: &mut Map<String, Value>,
    tags: &mut Tags,
    untouched: Option<Tag>,
    inherited: Option<Tag>,
    patch: &Map<String, Value>,
    tag: Tag,
    changed: &mut bool,
) {
    let inherited = tags.tag.or(inherited);
    for (key, value) in patch {
        // A deep change when both sides are objects; a change of the property itself otherwise.
        if let (Value::Object(sub_patch), Some(Value::Object(sub_target))) = (value, target.get_mut(key)) {
            let sub_tags =
                tags.props.entry(key.clone()).or_insert_with(|| Tags { tag: untouched, props: HashMap::new() });
            apply_into(sub_target, sub_tags, None, inherited, sub_patch, tag, changed);
            continue;
        }
        let own = match tags.props.get(key) {
            Some(t) => t.tag,
            None if target.contains_key(key) => untouched,
            None => None,
        };
        if let Some(earlier) = own.or(inherited) {
            if !tag.wins_over(&earlier) {
                continue;
            }
        }
        tags.props.insert(key.clone(), Tags::leaf(tag));
        if value.is_null() {
            *changed |= target.remove(key).is_some();
        } else {
            let mut merged = Value::Null;
            merge_patch(&mut merged, value);
            if target.get(key) != Some(&merged) {
                target.insert(key.clone(), merged);
                *changed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn rfc7386_examples() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":"b","b":"c"}), json!({"a":null}), json!({"b":"c"})),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (json!({}), json!({"a":{"bb":{"ccc":null}}}), json!({"a":{"bb":{}}})),
        ];
        for (mut target, patch, want) in cases {
            merge_patch(&mut target, &patch);
            assert_eq!(target, want);
        }
    }

    #[test]
    fn newer_changes_win_and_older_need_priority() {
        let mut o = TaggedObject::new(obj(json!({"text":"a","cost":0})), Tag::new(0, 10));
        // Newer, any priority: applies.
        assert!(o.apply(&obj(json!({"text":"b"})), Tag::new(0, 11)));
        assert_eq!(o.get("text"), Some(&json!("b")));
        // Older and not higher priority: ignored.
        assert!(!o.apply(&obj(json!({"text":"stale"})), Tag::new(0, 5)));
        assert_eq!(o.get("text"), Some(&json!("b")));
        // Older but higher priority: applies.
        assert!(o.apply(&obj(json!({"text":"prio"})), Tag::new(3, 5)));
        // Same seq, lower priority than that change: ignored; same seq and priority: applies.
        assert!(!o.apply(&obj(json!({"text":"low"})), Tag::new(1, 5)));
        assert!(o.apply(&obj(json!({"text":"same"})), Tag::new(3, 5)));
        assert_eq!(o.get("text"), Some(&json!("same")));
        // Untouched properties keep their own tags.
        assert!(o.apply(&obj(json!({"cost":5})), Tag::new(0, 10)));
    }

    #[test]
    fn update_views_carry_removals() {
        let mut o = TaggedObject::new(obj(json!({"a": 1, "b": 2, "g": {"x": 1, "y": 2}})), Tag::new(0, 1));
        let patch = obj(json!({"b": null, "g": {"y": null}, "c": 3}));
        o.apply(&patch, Tag::new(0, 2));
        let view = Value::Object(o.value_with_removals(&patch));
        assert_eq!(view, json!({"a": 1, "b": null, "c": 3, "g": {"x": 1, "y": null}}));
        let mut receiver = json!({"a": 1, "b": 2, "g": {"x": 1, "y": 2}});
        merge_patch(&mut receiver, &view);
        assert_eq!(receiver, json!({"a": 1, "c": 3, "g": {"x": 1}}));
    }

    /// Found by the `merge_patch` fuzz target: tags kept by dotted path mistook the key `.` for
    /// a property of the key `` (and `a.b` for `b` inside `a`), so a change to one dropped or
    /// borrowed the other's tag.
    #[test]
    fn keys_with_dots_are_not_paths() {
        let mut o = TaggedObject::new(obj(json!({"a": {"b": 1}, "a.b": 1, "": 1, ".": 1})), Tag::new(0, 1));
        // A high-priority change to the key "a.b" must not protect a.b, nor the reverse.
        assert!(o.apply(&obj(json!({"a.b": 2})), Tag::new(9, 2)));
        assert!(o.apply(&obj(json!({"a": {"b": 2}})), Tag::new(0, 1)));
        assert_eq!(o.get("a"), Some(&json!({"b": 2})));
        // Replacing "" must keep the tag of ".", which then still refuses an older change.
        assert!(o.apply(&obj(json!({".": 2})), Tag::new(9, 2)));
        assert!(o.apply(&obj(json!({"": 2})), Tag::new(0, 3)));
        assert!(!o.apply(&obj(json!({".": 3})), Tag::new(0, 2)));
        assert_eq!(o.get("."), Some(&json!(2)));
        // And "a" being replaced must not take the tag of the key "a.b" with it.
        assert!(o.apply(&obj(json!({"a": 5})), Tag::new(0, 4)));
        assert!(!o.apply(&obj(json!({"a.b": 3})), Tag::new(0, 2)));
        assert_eq!(o.get("a.b"), Some(&json!(2)));
    }

    #[test]
    fn deep_changes_are_tagged_deeply() {
        let mut o = TaggedObject::new(obj(json!({"glow":{"color":"red","radius":1}})), Tag::new(0, 1));
        assert!(o.apply(&obj(json!({"glow":{"color":"blue"}})), Tag::new(5, 2)));
        // radius is still governed by the creation tag, so an old low-priority change to it wins
        // over nothing newer and applies only if it is not older: here seq 1 == 1, prio 0 == 0.
        assert!(o.apply(&obj(json!({"glow":{"radius":2}})), Tag::new(0, 1)));
        // color was changed at priority 5 seq 2; an older priority-0 change loses.
        assert!(!o.apply(&obj(json!({"glow":{"color":"green"}})), Tag::new(0, 1)));
        assert_eq!(o.get("glow"), Some(&json!({"color":"blue","radius":2})));
        // Replacing the object by a primitive is a change of `glow` itself.
        assert!(o.apply(&obj(json!({"glow":false})), Tag::new(0, 9)));
        assert_eq!(o.get("glow"), Some(&json!(false)));
    }
}
