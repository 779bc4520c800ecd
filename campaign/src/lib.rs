//! What a campaign is and what its results mean, independent of printing:
//! fuzz jobs cut into units and run on all threads (`units`), which units a
//! shard owns (`shard`), the result files and the checks they pass on read
//! (`result`), the sums that merge shards back into one campaign (`merge`),
//! a fuzz campaign's settings and result (`fuzz`), a sweep's combinations
//! and its result (`sweep`) and its picture (`plot`, SVG text); what a
//! verdict means against the one expected (`expectation`), and against
//! herd7's verdicts and allowed states (`suite`, in herd7's names: `herd`);
//! the search for the weakest barrier placements (`placement`, the core of
//! the coming `wmsim fences`).
//! The binary parses flags, calls these, and prints.

pub mod expectation;
pub mod fuzz;
pub mod herd;
pub mod merge;
pub mod placement;
pub mod plot;
pub mod result;
pub mod shard;
pub mod suite;
pub mod sweep;
pub mod units;

/// Exit statuses (ARCHITECTURE.md, "Exit codes").
pub mod exit {
    /// Ran; nothing bad found.
    pub const OK: u8 = 0;
    /// A fuzz campaign found runs that violate the condition or deadlock;
    /// `check` found a verdict other than the one expected; `suite` found
    /// an unsound file.
    pub const VIOLATION: u8 = 1;
    /// Bad input: flags, scenario name, model, depth, run count.
    pub const BAD_INPUT: u8 = 2;
    /// Reading or writing a file failed.
    pub const IO: u8 = 3;
    /// An exploration stopped at its state, time or memory bound: no
    /// verdict; or more than `--bound-share-max` of a campaign's runs were
    /// cut at the step bound: no rate.
    pub const BOUND_EXCEEDED: u8 = 4;
    /// The scenario uses a construct the machine does not model.
    pub const UNSUPPORTED: u8 = 5;
    /// A defect of wmsim itself (a fresh trace that does not replay).
    pub const INTERNAL: u8 = 70;
}

/// The version of wmsim that records results: the workspace's, which is
/// the binary's.
pub const WMSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most runs one campaign (or one sweep combination) may ask for.
pub const RUNS_MAX: u64 = 1 << 40;

/// A failure the user can act on: a one-line message and an exit status.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: u8,
}

impl Failure {
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: exit::BAD_INPUT,
        }
    }
}
