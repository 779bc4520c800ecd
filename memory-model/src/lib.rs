//! The machine of MACHINE.md as one labelled transition system.
//!
//! This crate holds the IR that scenarios lower to (`ir`), the machine state
//! (`state`: registers, store buffers, invalidation queues, caches, memory),
//! the models (`model`: `sc`, `tso`, `weak` as values of one parameter struct)
//! and the transitions (`transition`: `Step`, `Drain`, `Invalidate`, `Evict`,
//! with one `enabled`/`apply` pair that both drivers call). Beside them, one
//! module per job: `eval` evaluates a thread's expressions, `condition` a
//! condition's proposition on a state, `liveness` finds the locations a
//! thread may still load, `independence` says which transitions of
//! different cores commute (for partial-order reduction), `eviction` says
//! which caches and evictions can change a run (the policy the drivers, the
//! encoding and minimize share), `depth` the default buffer depths, where no
//! buffer fills. Beside the machines, `lkmm` is LKMM's own data-race rule
//! (`linux-kernel.cat`) on one candidate execution; the machines never
//! read it. It is not a driver: it does no I/O, draws no
//! random numbers and knows nothing of time.
//! The timed and exhaustive drivers live in `sim-core`.

pub mod condition;
pub mod depth;
pub mod eval;
mod eviction;
pub mod independence;
pub mod ir;
mod liveness;
pub mod lkmm;
pub mod model;
pub mod out_of_order;
pub mod state;
pub mod transition;

pub use model::{Config, ConfigError, DrainOrder, ModelName};
pub use state::State;
pub use transition::{BlockReason, BlockedCore, Effect, Machine, Read, ReadSource, Transition};
