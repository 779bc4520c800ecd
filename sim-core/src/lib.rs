//! The drivers of the machine: what makes transitions fire.
//!
//! `memory-model` says which transitions are enabled and what they do; this
//! crate decides which fire. The timed driver (`timed`) is a discrete-event
//! engine: simulated time in cycles, an agenda with a fixed tie-break
//! (`event_queue`), latencies and interrupts from the timing model (`timing`, its classes
//! in `latency`),
//! every random draw from one seeded, recordable source (`decision`). The
//! exhaustive driver (`exhaustive`) visits every reachable state (of a
//! persistent subset, `reduction`). `fuzz`
//! runs many timed runs and counts outcomes; `rate` turns the counts into a
//! failure rate that leaves out the runs cut at the step bound; `path`
//! re-simulates a path, checking each transition is enabled; `witness`
//! tells a path step by step; `symmetry` lets the exhaustive driver explore
//! one of each class of symmetric SMT pairings; `races` searches a
//! scenario's executions, outside the machines, for LKMM data races. Nothing here
//! reads the clock, touches files or iterates a hash map into a result.

pub mod decision;
pub mod encoding;
pub mod event_queue;
pub mod exhaustive;
mod frontier;
pub mod fuzz;
pub mod latency;
pub mod path;
pub mod races;
pub mod rate;
pub mod reduction;
pub mod state_table;
mod symmetry;
pub mod timed;
pub mod timing;
pub mod witness;

pub use decision::Decisions;
pub use exhaustive::{Bound, Exploration, ExploreOptions, Verdict, MEMORY_MAX_DEFAULT};
pub use fuzz::{fuzz_range, fuzz_range_keeping, FuzzSummary};
pub use latency::LatencyClass;
pub use path::{Mismatch, NotEnabled, PathReplay};
pub use rate::{Rate, BOUND_SHARE_MAX_DEFAULT};
pub use timed::{Observer, Quiet, RunEnd, TimedRun};
pub use timing::{CacheStart, Cycles, Timing};

/// The version of the run semantics: the transition system (`memory-model`),
/// the order of the timed driver's draws and its latency classes. Bump it
/// whenever any of them changes, so that a trace or a campaign result made
/// under other semantics is refused rather than replayed or merged wrongly.
/// (The tool's own version, `CARGO_PKG_VERSION`, says nothing about this.)
pub const SEMANTICS_VERSION: u32 = 2;
