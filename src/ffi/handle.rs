//! Handles as registry tokens: the pointer value C sees packs a slot index, a generation and the
//! handle's type, so a freed, double-freed, never-made or wrong-type handle is reported as
//! `MIXPLAY_RESULT_INVALID_HANDLE` instead of being dereferenced.
//!
//! On 64-bit targets a token is `type:4 | generation:28 | slot+1:32`; on 32-bit targets
//! `type:3 | generation:9 | slot+1:20` (generations wrap sooner there).

use std::any::{Any, TypeId};
use std::sync::Arc;

use parking_lot::RwLock;

use super::result::{mixplay_result, Fail, FfiResult};

/// What a handle refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Config = 1,
    Session = 2,
    Chat = 3,
    Auth = 4,
}

#[cfg(target_pointer_width = "64")]
mod layout {
    pub(super) const SLOT_BITS: u32 = 32;
    pub(super) const GEN_BITS: u32 = 28;
}
#[cfg(not(target_pointer_width = "64"))]
mod layout {
    pub(super) const SLOT_BITS: u32 = 20;
    pub(super) const GEN_BITS: u32 = 9;
}
use layout::{GEN_BITS, SLOT_BITS};

const SLOT_MASK: usize = (1usize << SLOT_BITS) - 1;
const GEN_MASK: usize = (1usize << GEN_BITS) - 1;

struct Slot {
    generation: usize,
    entry: Option<Entry>,
}

/// A live handle's value, with its type, checked without a call through `Any`'s vtable.
struct Entry {
    kind: Kind,
    type_id: TypeId,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
struct Registry {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry { slots: Vec::new(), free: Vec::new() });

fn token(kind: Kind, slot: usize, generation: usize) -> usize {
    ((kind as usize) << (SLOT_BITS + GEN_BITS)) | ((generation & GEN_MASK) << SLOT_BITS) | (slot + 1)
}

fn untoken(token: usize) -> Option<(Kind, usize, usize)> {
    let slot = (token & SLOT_MASK).checked_sub(1)?;
    let generation = (token >> SLOT_BITS) & GEN_MASK;
    let kind = match token >> (SLOT_BITS + GEN_BITS) {
        1 => Kind::Config,
        2 => Kind::Session,
        3 => Kind::Chat,
        4 => Kind::Auth,
        _ => return None,
    };
    Some((kind, slot, generation))
}

/// Registers `value` and returns its token.
pub fn insert<T: Send + Sync + 'static>(kind: Kind, value: Arc<T>) -> FfiResult<usize> {
    let mut reg = REGISTRY.write();
    let slot = match reg.free.pop() {
        Some(s) => s,
        None => {
            if reg.slots.len() >= SLOT_MASK {
                return Err(Fail::new(mixplay_result::InvalidArgument, "too many live handles"));
            }
            reg.slots.push(Slot { generation: 0, entry: None });
            reg.slots.len() - 1
        }
    };
    let s = &mut reg.slots[slot];
    s.entry = Some(Entry { kind, type_id: TypeId::of::<T>(), value });
    Ok(token(kind, slot, s.generation))
}

fn invalid(kind: Kind) -> Fail {
    Fail::new(mixplay_result::InvalidHandle, format!("not a live {kind:?} handle (freed, never made, or another type)"))
}

/// The slot and entry a token names, when the token is live and of `kind`. Inlined, with no
/// error value built on success: every call through the C API starts here (the idle poll too).
#[inline]
fn find(reg: &Registry, kind: Kind, token: usize) -> Option<(usize, &Entry)> {
    let (k, slot, generation) = untoken(token)?;
    match reg.slots.get(slot) {
        Some(Slot { generation: g, entry: Some(entry) })
            if k == kind && entry.kind == kind && *g & GEN_MASK == generation =>
        {
            Some((slot, entry))
        }
        _ => None,
    }
}

fn live(reg: &Registry, kind: Kind, token: usize) -> FfiResult<(usize, &Entry)> {
    find(reg, kind, token).ok_or_else(|| invalid(kind))
}

/// Looks a token up; the value stays alive while the caller holds the returned `Arc`.
pub fn get<T: Send + Sync + 'static>(kind: Kind, token: usize) -> FfiResult<Arc<T>> {
    let reg = REGISTRY.read();
    let (_, entry) = live(&reg, kind, token)?;
    entry.value.clone().downcast::<T>().map_err(|_| invalid(kind))
}

/// A value borrowed from the registry while it is read-locked.
pub struct Borrowed<'r, T> {
    value: &'r T,
    entry: &'r Arc<dyn Any + Send + Sync>,
}

impl<T: Send + Sync + 'static> Borrowed<'_, T> {
    /// A reference of the caller's own, to keep the value past the registry's lock.
    pub fn to_arc(&self) -> Arc<T> {
        self.entry.clone().downcast::<T>().unwrap_or_else(|_| unreachable!("the type was checked"))
    }
}

impl<T> std::ops::Deref for Borrowed<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}

/// Runs `f` on the value of a token while the registry is read-locked, without touching the
/// value's reference count unless `f` asks for one (the idle-poll path). `f` must not free or
/// make handles.
pub fn with_ref<T: Send + Sync + 'static, R>(
    kind: Kind,
    token: usize,
    f: impl FnOnce(Borrowed<'_, T>) -> R,
) -> FfiResult<R> {
    let reg = REGISTRY.read();
    let Some((_, entry)) = find(&reg, kind, token).filter(|(_, e)| e.type_id == TypeId::of::<T>()) else {
        return Err(invalid(kind));
    };
    // SAFETY: the entry was registered as an `Arc<T>` (its type id is T's, checked above), and
    // the registry's read lock keeps it alive for `f`.
    let value = unsafe { &*Arc::as_ptr(&entry.value).cast::<T>() };
    Ok(f(Borrowed { value, entry: &entry.value }))
}

/// Unregisters a token and returns its value (the caller drops it outside the registry lock).
pub fn remove<T: Send + Sync + 'static>(kind: Kind, token: usize) -> FfiResult<Arc<T>> {
    let mut reg = REGISTRY.write();
    let (slot, _) = live(&reg, kind, token)?;
    let s = &mut reg.slots[slot];
    let entry = s.entry.take().expect("checked live");
    s.generation = s.generation.wrapping_add(1);
    reg.free.push(slot);
    drop(reg);
    entry.value.downcast::<T>().map_err(|_| invalid(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_and_foreign_tokens_are_refused() {
        let t = insert(Kind::Config, Arc::new(5u32)).unwrap();
        assert_eq!(*get::<u32>(Kind::Config, t).unwrap(), 5);
        assert!(get::<u32>(Kind::Session, t).is_err(), "wrong kind");
        assert!(get::<u64>(Kind::Config, t).is_err(), "wrong type");
        remove::<u32>(Kind::Config, t).unwrap();
        assert!(get::<u32>(Kind::Config, t).is_err(), "freed");
        assert!(remove::<u32>(Kind::Config, t).is_err(), "double free");
        let t2 = insert(Kind::Config, Arc::new(6u32)).unwrap();
        assert_ne!(t, t2, "a reused slot gets a new generation");
        assert!(get::<u32>(Kind::Config, 0).is_err());
        assert!(get::<u32>(Kind::Config, 12345).is_err());
        remove::<u32>(Kind::Config, t2).unwrap();
    }
}
