//! The library's internal tokio runtime: started by the first session, chat or sign-in and
//! stopped, with its threads joined, when the last one is gone.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::runtime::{Handle, Runtime};

static RUNTIME: Mutex<Option<(Arc<Runtime>, usize)>> = Mutex::new(None);

/// Keeps the shared runtime alive. Dropping the last guard shuts the runtime down and joins its
/// worker threads.
pub struct RuntimeGuard {
    handle: Handle,
}

impl RuntimeGuard {
    /// Takes a reference on the shared runtime, starting it if needed.
    pub fn acquire() -> std::io::Result<RuntimeGuard> {
        let mut slot = RUNTIME.lock();
        match slot.as_mut() {
            Some((rt, count)) => {
                *count += 1;
                Ok(RuntimeGuard { handle: rt.handle().clone() })
            }
            None => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("mixplay-net")
                    .enable_all()
                    .build()?;
                let handle = rt.handle().clone();
                *slot = Some((Arc::new(rt), 1));
                Ok(RuntimeGuard { handle })
            }
        }
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl Drop for RuntimeGuard {
    fn drop(&mut self) {
        let last = {
            let mut slot = RUNTIME.lock();
            match slot.as_mut() {
                Some((_, count)) if *count > 1 => {
                    *count -= 1;
                    None
                }
                _ => slot.take().map(|(rt, _)| rt),
            }
        };
        if let Some(rt) = last {
            // Dropping a runtime inside one of its own threads panics; only join from outside.
            if Handle::try_current().is_ok() {
                if let Ok(rt) = Arc::try_unwrap(rt) {
                    rt.shutdown_background();
                }
            } else if let Ok(rt) = Arc::try_unwrap(rt) {
                rt.shutdown_timeout(std::time::Duration::from_secs(5));
            }
        }
    }
}

/// How many runtimes are alive (0 or 1); for tests that check clean shutdown.
pub fn runtime_alive() -> bool {
    RUNTIME.lock().is_some()
}
