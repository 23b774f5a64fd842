//! The watching economy: sparks earned by watching live channels.
//!
//! A signed-in viewer earns while **watching**: a participant page of a live channel (its game
//! client connected and ready) is open and visible. At the end of each interval
//! (`--spark-interval`, a minute by default, on the wall clock's multiples of it) everyone who
//! watched all of it earns once, however many tabs, devices or channels they had open: 2 sparks,
//! or 4 for a subscriber of a channel they watch and for Pro users. A broadcaster earns 2 for an
//! interval their channel was live all of. Anonymous viewers earn nothing. Every payment is a
//! ledger row with the balance moving in the same database transaction, and no interval is paid
//! twice (see `store::economy`).
//!
//! | file | what |
//! |---|---|
//! | `watching.rs` | who is watching what: viewer sockets, live channels, watching time |
//! | `accrual.rs` | paying each interval as it ends |
//! | `viewer.rs` | `GET /api/v1/channels/{id}/viewer`: the page's socket (visibility up; balance and channel status down) |
//! | `history.rs` | `GET /api/v1/users/current/sparks/history`: the ledger, paged |

pub mod accrual;
pub mod history;
pub mod viewer;
pub mod watching;
