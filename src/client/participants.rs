//! The state cache's participants, stored compactly: a busy channel has hundreds of thousands.
//!
//! A hash map of whole records leaves about a third of its buckets empty, each as big as a
//! record. Here records sit densely in fixed-size chunks (at most one chunk's slack, and no copy
//! when they grow), and a table of 4-byte positions finds them by session id. A record is 64
//! bytes: UUID ids (what services send) are kept as their 16 bytes in one store, any other id in
//! a second store of the same shape; group ids are interned and referred to by number; the rare
//! custom properties live in a side map.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use indexmap::IndexSet;
use serde_json::{json, Map, Value};

use super::events::SessionId;
use super::incoming::Object;
use crate::protocol::merge_patch;

/// Records per chunk: small enough that a few participants cost little, large enough that the
/// list of chunks stays short.
const CHUNK: usize = 256;

/// The properties every participant has, which the record holds itself.
const STANDARD_KEYS: [&str; 9] =
    ["sessionID", "userID", "username", "level", "lastInputAt", "connectedAt", "disabled", "groupID", "anonymous"];

/// A participant as the cache hands it out, borrowed from the cache.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant<'a> {
    pub id: SessionId,
    /// 0 for anonymous viewers.
    pub user_id: u32,
    pub level: u32,
    pub username: &'a str,
    pub group: &'a str,
    /// Unix milliseconds.
    pub connected_at: i64,
    /// Unix milliseconds; 0 before the first input.
    pub last_input_at: i64,
    pub disabled: bool,
    pub anonymous: bool,
    /// Every other property (custom ones, `channelGroups`, …), when there are any.
    pub extra: Option<&'a Object>,
}

impl Participant<'_> {
    /// The participant as the protocol's JSON object.
    pub fn to_json(&self) -> Object {
        let mut o = Map::new();
        o.insert("sessionID".into(), Value::String(self.id.to_string()));
        o.insert("userID".into(), json!(self.user_id));
        o.insert("username".into(), json!(self.username));
        o.insert("level".into(), json!(self.level));
        o.insert("lastInputAt".into(), json!(self.last_input_at));
        o.insert("connectedAt".into(), json!(self.connected_at));
        o.insert("disabled".into(), json!(self.disabled));
        o.insert("groupID".into(), json!(self.group));
        o.insert("anonymous".into(), json!(self.anonymous));
        if let Some(extra) = self.extra {
            o.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        o
    }
}

/// A record without its id (48 bytes).
#[derive(Debug)]
struct Fields {
    user_id: u32,
    level: u32,
    /// Index into [`Participants::groups`].
    group: u32,
    disabled: bool,
    anonymous: bool,
    connected_at: i64,
    last_input_at: i64,
    username: Box<str>,
}

impl Fields {
    /// Takes what `o` carries; what it leaves out stays as it was.
    fn apply(&mut self, o: &Object, group: Option<u32>) {
        let int = |k: &str| o.get(k).and_then(Value::as_i64);
        let flag = |k: &str| o.get(k).and_then(Value::as_bool);
        if let Some(v) = int("userID") {
            self.user_id = v as u32;
        }
        if let Some(v) = int("level") {
            self.level = v as u32;
        }
        if let Some(v) = o.get("username").and_then(Value::as_str) {
            self.username = v.into();
        }
        if let Some(g) = group {
            self.group = g;
        }
        if let Some(v) = int("connectedAt") {
            self.connected_at = v;
        }
        if let Some(v) = int("lastInputAt") {
            self.last_input_at = v;
        }
        if let Some(v) = flag("disabled") {
            self.disabled = v;
        }
        if let Some(v) = flag("anonymous") {
            self.anonymous = v;
        }
    }
}

/// Records with ids of type `K`, in chunks, found through `positions`.
struct Store<K> {
    positions: HashTable<u32>,
    chunks: Vec<Vec<(K, Fields)>>,
    len: usize,
}

impl<K> Default for Store<K> {
    fn default() -> Self {
        Store { positions: HashTable::new(), chunks: Vec::new(), len: 0 }
    }
}

fn at<K>(chunks: &[Vec<(K, Fields)>], position: u32) -> &(K, Fields) {
    let p = position as usize;
    &chunks[p / CHUNK][p % CHUNK]
}

impl<K: Hash + Eq> Store<K> {
    fn position(&self, hasher: &RandomState, key: &K) -> Option<u32> {
        let chunks = &self.chunks;
        self.positions.find(hasher.hash_one(key), |&p| at(chunks, p).0 == *key).copied()
    }

    fn get(&self, hasher: &RandomState, key: &K) -> Option<&Fields> {
        self.position(hasher, key).map(|p| &at(&self.chunks, p).1)
    }

    fn get_mut(&mut self, hasher: &RandomState, key: &K) -> Option<&mut Fields> {
        let p = self.position(hasher, key)? as usize;
        Some(&mut self.chunks[p / CHUNK][p % CHUNK].1)
    }

    /// Adds a record whose id is not in the store yet.
    fn insert(&mut self, hasher: &RandomState, key: K, fields: Fields) {
        let position = u32::try_from(self.len).expect("fewer than 2^32 participants");
        let chunks = &self.chunks;
        self.positions.insert_unique(hasher.hash_one(&key), position, |&p| hasher.hash_one(&at(chunks, p).0));
        if self.chunks.last().map_or(true, |c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk with room").push((key, fields));
        self.len += 1;
    }

    /// Removes a record; the last record moves into its place.
    fn remove(&mut self, hasher: &RandomState, key: &K) -> Option<Fields> {
        let chunks = &self.chunks;
        let found = self.positions.find_entry(hasher.hash_one(key), |&p| at(chunks, p).0 == *key).ok()?;
        let (position, _) = found.remove();
        let last_chunk = self.chunks.last_mut().expect("a record exists");
        let last = last_chunk.pop().expect("chunks are never left empty");
        if last_chunk.is_empty() {
            self.chunks.pop();
        }
        self.len -= 1;
        let (position, last_position) = (position as usize, self.len);
        if position == last_position {
            return Some(last.1);
        }
        let moved = hasher.hash_one(&last.0);
        let slot = self.positions.find_mut(moved, |&p| p as usize == last_position).expect("the last record is listed");
        *slot = position as u32;
        let (_, removed) = std::mem::replace(&mut self.chunks[position / CHUNK][position % CHUNK], last);
        Some(removed)
    }

    fn iter(&self) -> impl Iterator<Item = &(K, Fields)> {
        self.chunks.iter().flatten()
    }
}

/// Every participant the session knows of, by session id.
#[derive(Default)]
pub struct Participants {
    uuids: Store<[u8; 16]>,
    others: Store<Arc<str>>,
    /// Custom properties, for the participants that have any.
    extras: HashMap<SessionId, Object, RandomState>,
    /// Group ids, interned: records refer to them by index.
    groups: IndexSet<Box<str>, RandomState>,
    hasher: RandomState,
}

impl std::fmt::Debug for Participants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Participants").field("len", &self.len()).finish_non_exhaustive()
    }
}

impl Participants {
    pub fn len(&self) -> usize {
        self.uuids.len + self.others.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn fields(&self, id: &SessionId) -> Option<&Fields> {
        match id {
            SessionId::Uuid(u) => self.uuids.get(&self.hasher, u),
            SessionId::Other(s) => self.others.get(&self.hasher, s),
        }
    }

    fn view<'a>(&'a self, id: SessionId, f: &'a Fields) -> Participant<'a> {
        Participant {
            user_id: f.user_id,
            level: f.level,
            username: &f.username,
            group: self.groups.get_index(f.group as usize).map_or("default", |g| g),
            connected_at: f.connected_at,
            last_input_at: f.last_input_at,
            disabled: f.disabled,
            anonymous: f.anonymous,
            extra: self.extras.get(&id),
            id,
        }
    }

    pub fn get(&self, id: &SessionId) -> Option<Participant<'_>> {
        self.fields(id).map(|f| self.view(id.clone(), f))
    }

    pub fn contains(&self, id: &SessionId) -> bool {
        self.fields(id).is_some()
    }

    /// Every participant, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = Participant<'_>> {
        let uuids = self.uuids.iter().map(|(u, f)| self.view(SessionId::Uuid(*u), f));
        uuids.chain(self.others.iter().map(|(s, f)| self.view(SessionId::Other(s.clone()), f)))
    }

    /// Every participant's session id, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = SessionId> + '_ {
        let uuids = self.uuids.iter().map(|(u, _)| SessionId::Uuid(*u));
        uuids.chain(self.others.iter().map(|(s, _)| SessionId::Other(s.clone())))
    }

    /// A signed-in participant by Mixer user id.
    pub fn by_user(&self, user_id: u32) -> Option<Participant<'_>> {
        self.iter().find(|p| p.user_id == user_id && !p.anonymous)
    }

    fn group_index(&mut self, name: &str) -> u32 {
        let index = match self.groups.get_index_of(name) {
            Some(i) => i,
            None => self.groups.insert_full(name.into()).0,
        };
        u32::try_from(index).expect("fewer than 2^32 group ids")
    }

    /// Applies a participant object from a join or an update: a participant not cached yet is
    /// added, with defaults for what the object leaves out; for a cached one, what the object
    /// carries replaces what was cached, and custom properties are merge-patched (null removes).
    /// Returns the id and whether the participant is new; `None` when the object has no id.
    pub(crate) fn upsert(&mut self, o: &Object) -> Option<(SessionId, bool)> {
        let id = SessionId::parse(o.get("sessionID")?.as_str()?);
        let group = o.get("groupID").and_then(Value::as_str).map(|g| self.group_index(g));
        let hasher = &self.hasher;
        let existing = match &id {
            SessionId::Uuid(u) => self.uuids.get_mut(hasher, u),
            SessionId::Other(s) => self.others.get_mut(hasher, s),
        };
        let new = match existing {
            Some(fields) => {
                fields.apply(o, group);
                false
            }
            None => {
                let default_group = match group {
                    Some(g) => g,
                    None => self.group_index("default"),
                };
                let mut fields = Fields {
                    user_id: 0,
                    level: 0,
                    group: default_group,
                    disabled: false,
                    anonymous: false,
                    connected_at: 0,
                    last_input_at: 0,
                    username: Box::default(),
                };
                fields.apply(o, None);
                match &id {
                    SessionId::Uuid(u) => self.uuids.insert(&self.hasher, *u, fields),
                    SessionId::Other(s) => self.others.insert(&self.hasher, s.clone(), fields),
                }
                true
            }
        };
        self.patch_extra(&id, o);
        Some((id, new))
    }

    fn patch_extra(&mut self, id: &SessionId, o: &Object) {
        let mut custom = o.iter().filter(|(k, _)| !STANDARD_KEYS.contains(&k.as_str())).peekable();
        if custom.peek().is_none() {
            return;
        }
        let extra = self.extras.entry(id.clone()).or_default();
        for (k, v) in custom {
            if v.is_null() {
                extra.remove(k);
            } else {
                merge_patch(extra.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        if extra.is_empty() {
            self.extras.remove(id);
        }
    }

    /// Removes a participant; their last known properties as JSON, when they were cached.
    pub(crate) fn remove(&mut self, id: &SessionId) -> Option<Object> {
        let last = self.get(id)?.to_json();
        match id {
            SessionId::Uuid(u) => self.uuids.remove(&self.hasher, u),
            SessionId::Other(s) => self.others.remove(&self.hasher, s),
        };
        self.extras.remove(id);
        Some(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Object {
        v.as_object().cloned().unwrap()
    }

    fn uuid(i: usize) -> String {
        format!("{i:08x}-0000-4000-8000-000000000000")
    }

    #[test]
    fn records_are_64_bytes() {
        assert_eq!(std::mem::size_of::<([u8; 16], Fields)>(), 64);
        assert_eq!(std::mem::size_of::<(Arc<str>, Fields)>(), 64);
    }

    #[test]
    fn many_joins_and_leaves_keep_every_lookup_right() {
        let mut ps = Participants::default();
        let n = CHUNK * 3 + 17;
        for i in 0..n {
            let id = if i % 5 == 0 { format!("other-{i}") } else { uuid(i) };
            let joined = ps.upsert(&obj(json!({"sessionID": id, "userID": i, "username": format!("u{i}")})));
            assert_eq!(joined.map(|(_, new)| new), Some(true));
        }
        assert_eq!(ps.len(), n);
        // Leave every third, from the middle out, so records move from the end into the gaps.
        let gone: Vec<usize> = (0..n).filter(|i| i % 3 == 0).collect();
        for &i in gone.iter().rev() {
            let id = if i % 5 == 0 { format!("other-{i}") } else { uuid(i) };
            let last = ps.remove(&SessionId::parse(&id)).expect("cached");
            assert_eq!(last["userID"], json!(i));
        }
        assert_eq!(ps.len(), n - gone.len());
        for i in 0..n {
            let id = SessionId::parse(&if i % 5 == 0 { format!("other-{i}") } else { uuid(i) });
            match ps.get(&id) {
                Some(p) => {
                    assert!(i % 3 != 0);
                    assert_eq!((p.user_id, p.username, &p.id), (i as u32, &*format!("u{i}"), &id));
                }
                None => assert!(i % 3 == 0, "participant {i} was lost"),
            }
        }
        assert_eq!(ps.iter().count(), ps.len());
        for p in ps.iter().collect::<Vec<_>>().iter().map(|p| p.id.clone()).collect::<Vec<_>>() {
            ps.remove(&p);
        }
        assert!(ps.is_empty() && ps.uuids.chunks.is_empty() && ps.others.chunks.is_empty());
    }

    #[test]
    fn updates_keep_what_they_leave_out_and_patch_custom_properties() {
        let mut ps = Participants::default();
        let id = uuid(1);
        ps.upsert(&obj(json!({"sessionID": id, "username": "ann", "level": 3, "team": {"a": 1, "b": 2}})));
        let sid = SessionId::parse(&id);
        assert_eq!(ps.get(&sid).unwrap().group, "default");
        let (_, new) = ps.upsert(&obj(json!({"sessionID": id, "groupID": "blue", "team": {"b": null}}))).unwrap();
        assert!(!new);
        let p = ps.get(&sid).unwrap();
        assert_eq!((p.username, p.level, p.group), ("ann", 3, "blue"));
        assert_eq!(p.extra, Some(&obj(json!({"team": {"a": 1}}))));
        ps.upsert(&obj(json!({"sessionID": id, "team": null})));
        assert_eq!(ps.get(&sid).unwrap().extra, None);
        assert!(ps.extras.is_empty());
        assert_eq!(ps.by_user(0), Some(ps.get(&sid).unwrap()));
        assert!(ps.upsert(&obj(json!({"userID": 5}))).is_none(), "no id, nothing cached");
    }
}
