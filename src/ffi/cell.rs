//! The cell behind every handle (config, session, chat, sign-in), and the one way an extern
//! function reaches it: look the handle up (NULL and stale handles refused), lock its value, refuse
//! a value a panic went through, and mark the panic's victim so. Polls also hold the cell's busy
//! flag, released by a guard however the poll ends.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::handle::{self, Kind};
use super::result::{boundary, mixplay_result, Fail, FfiResult};

/// A C handle type (the opaque struct its pointers point to) and what its cell holds.
pub(crate) trait HandleType {
    type Value: Send + 'static;
    const KIND: Kind;
    /// The argument's name in messages: "session is NULL".
    const ARG: &'static str;
    /// What the handle is called in messages: "the session hit an internal error earlier".
    const NOUN: &'static str;
}

/// What a handle's token names in the registry.
pub struct Cell<T> {
    noun: &'static str,
    busy: AtomicBool,
    state: Mutex<State<T>>,
}

struct State<T> {
    value: T,
    /// A panic went through the value: it may be half-changed, so every later call is refused.
    poisoned: bool,
}

impl<T> Cell<T> {
    fn new(noun: &'static str, value: T) -> Cell<T> {
        Cell { noun, busy: AtomicBool::new(false), state: Mutex::new(State { value, poisoned: false }) }
    }

    /// Runs `f` on the value under the cell's lock. A poisoned cell refuses with `PANIC`; a panic
    /// inside `f` poisons the cell and goes on unwinding (to the extern function's boundary).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> FfiResult<R>) -> FfiResult<R> {
        let mut state = self.state.lock();
        if state.poisoned {
            return Err(Fail::new(
                mixplay_result::Panic,
                format!("the {} hit an internal error earlier; free it", self.noun),
            ));
        }
        match catch_unwind(AssertUnwindSafe(|| f(&mut state.value))) {
            Ok(result) => result,
            Err(panic) => {
                state.poisoned = true;
                resume_unwind(panic)
            }
        }
    }

    /// Runs a poll's `f` on the value, as [`Cell::with`] does, or refuses with `BUSY` when a poll
    /// is running already (on another thread, or further up this thread's stack in the log sink).
    /// The busy flag is written only while the lock is held, so an uncontended poll pays for the
    /// lock alone (the idle-poll path). When `keep_busy` says so after `f`, the flag stays set past
    /// the lock until the returned guard is dropped.
    pub fn poll_with<R>(
        &self,
        f: impl FnOnce(&mut T) -> FfiResult<R>,
        keep_busy: impl FnOnce() -> bool,
    ) -> FfiResult<(R, Option<Busy<'_, T>>)> {
        let busy = || Fail::new(mixplay_result::Busy, format!("poll is already running on this {}", self.noun));
        let mut state = match self.state.try_lock() {
            Some(state) => state,
            // Held: by a running poll (refused at once) or by another call (waited for).
            None if self.busy.load(Ordering::Acquire) => return Err(busy()),
            None => self.state.lock(),
        };
        // Set by a poll that released the lock to run the log sink.
        if self.busy.load(Ordering::Acquire) {
            return Err(busy());
        }
        self.busy.store(true, Ordering::Relaxed);
        // Declared after `state`, so it clears the flag before the lock is released.
        let guard = Busy::Borrowed(self);
        if state.poisoned {
            return Err(Fail::new(
                mixplay_result::Panic,
                format!("the {} hit an internal error earlier; free it", self.noun),
            ));
        }
        let result = match catch_unwind(AssertUnwindSafe(|| f(&mut state.value))) {
            Ok(result) => result?,
            Err(panic) => {
                state.poisoned = true;
                resume_unwind(panic)
            }
        };
        Ok((result, keep_busy().then_some(guard)))
    }

    /// Marks a poll running (`BUSY` if one already is) until the returned guard is dropped.
    pub fn begin_poll(&self) -> FfiResult<Busy<'_, T>> {
        if self.busy.swap(true, Ordering::Acquire) {
            return Err(Fail::new(mixplay_result::Busy, format!("poll is already running on this {}", self.noun)));
        }
        Ok(Busy::Borrowed(self))
    }
}

/// A running poll: dropping it (also while a panic unwinds) clears the cell's busy flag.
pub enum Busy<'c, T> {
    Borrowed(&'c Cell<T>),
    /// Keeps the cell alive by itself, to stay set past the registry's lock.
    Owned(Arc<Cell<T>>),
}

impl<T> Busy<'_, T> {
    /// The same guard holding its own reference to the cell, `cell` (the one it guards).
    pub fn hold(self, cell: Arc<Cell<T>>) -> Busy<'static, T> {
        debug_assert!(std::ptr::eq(self.cell(), &*cell), "hold is given the guarded cell");
        // The flag stays set: the new guard takes over clearing it.
        std::mem::forget(self);
        Busy::Owned(cell)
    }

    fn cell(&self) -> &Cell<T> {
        match self {
            Busy::Borrowed(cell) => cell,
            Busy::Owned(cell) => cell,
        }
    }
}

impl<T> Drop for Busy<'_, T> {
    fn drop(&mut self) {
        self.cell().busy.store(false, Ordering::Release);
    }
}

/// The token of a handle pointer, or `NULL_ARGUMENT`.
pub fn token_of<H: HandleType>(ptr: *const H) -> FfiResult<usize> {
    if ptr.is_null() {
        return Err(Fail::new(mixplay_result::NullArgument, format!("{} is NULL", H::ARG)));
    }
    Ok(ptr as usize)
}

/// The cell a handle names: `NULL_ARGUMENT` for NULL, `INVALID_HANDLE` for a freed, never made
/// or other-type handle.
pub fn cell_of<H: HandleType>(ptr: *const H) -> FfiResult<Arc<Cell<H::Value>>> {
    handle::get(H::KIND, token_of(ptr)?)
}

/// An extern function's body on a handle's value: inside the panic boundary, looked up, locked
/// and poison-checked (see [`Cell::with`]).
pub fn with<H: HandleType>(ptr: *const H, f: impl FnOnce(&mut H::Value) -> FfiResult<()>) -> mixplay_result {
    boundary(|| cell_of(ptr)?.with(f))
}

/// Registers `value` as a new handle; the caller hands the pointer out.
pub fn insert<H: HandleType>(value: H::Value) -> FfiResult<*mut H> {
    let token = handle::insert(H::KIND, Arc::new(Cell::new(H::NOUN, value)))?;
    Ok(token as *mut H)
}

/// Frees a handle (NULL is a no-op). A call still running on another thread keeps its own
/// reference; the value is dropped when the last reference goes.
pub fn free<H: HandleType>(ptr: *mut H) -> mixplay_result {
    boundary(|| {
        if ptr.is_null() {
            return Ok(());
        }
        handle::remove::<Cell<H::Value>>(H::KIND, ptr as usize).map(drop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;
    impl HandleType for Thing {
        type Value = u32;
        const KIND: Kind = Kind::Auth;
        const ARG: &'static str = "thing";
        const NOUN: &'static str = "thing";
    }

    #[test]
    fn null_busy_and_poison() {
        assert_eq!(with::<Thing>(std::ptr::null(), |_| Ok(())), mixplay_result::NullArgument);
        let t = insert::<Thing>(5).unwrap();
        let cell = cell_of(t).unwrap();
        {
            let _busy = cell.begin_poll().unwrap();
            assert_eq!(cell.begin_poll().err().unwrap().code, mixplay_result::Busy);
        }
        let held = cell.begin_poll().unwrap().hold(cell.clone());
        assert_eq!(cell.begin_poll().err().unwrap().code, mixplay_result::Busy, "held past the guard");
        drop(held);
        drop(cell.begin_poll().unwrap());
        assert_eq!(with(t, |v| if *v == 5 { panic!("boom") } else { Ok(()) }), mixplay_result::Panic);
        assert_eq!(with(t, |_| Ok(())), mixplay_result::Panic, "poisoned");
        assert_eq!(free(t), mixplay_result::Ok);
        assert_eq!(with(t, |_| Ok(())), mixplay_result::InvalidHandle);
        assert_eq!(free::<Thing>(std::ptr::null_mut()), mixplay_result::Ok);
    }
}
