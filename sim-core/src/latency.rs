//! The latency classes: which of the timing model's delays a transition
//! takes. The timed driver draws within the class's range; `minimize` and
//! `replay` take its minimum. One classifier, so that the two never
//! disagree on what a transition costs.

use memory_model::ir::Instr;
use memory_model::{Effect, ReadSource};

use crate::timing::{Cycles, Timing};

/// The delay a transition takes (MACHINE.md, "Timing").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyClass {
    /// A load that hits (own store buffer or a valid copy), and any other
    /// instruction that stays in the core.
    Hit,
    /// A load that misses and reads memory.
    Miss,
    /// A write to memory (a drain, a write-through store, an RMW, a lock)
    /// of a line no other core holds.
    OwnedDrain,
    /// A write to memory that must first invalidate other cores' copies.
    InvalidationRoundTrip,
    /// An invalidation applied from the queue.
    QueueProcessing,
    /// An eviction: it takes no time of its own (the timed driver spaces
    /// evictions by `eviction_interval` instead).
    Eviction,
}

impl LatencyClass {
    /// The class of a transition that fired with `effect`.
    pub fn of(effect: &Effect) -> LatencyClass {
        match *effect {
            Effect::Step {
                published: Some(_),
                invalidations,
                ..
            } => LatencyClass::write(invalidations > 0),
            Effect::Step {
                read,
                published: None,
                ..
            } => match read.map(|r| r.source) {
                Some(ReadSource::Memory | ReadSource::PairBuffer) => LatencyClass::Miss,
                Some(ReadSource::Cache | ReadSource::StaleCache | ReadSource::StoreBuffer)
                | None => LatencyClass::Hit,
            },
            Effect::Drain { invalidations, .. } => LatencyClass::write(invalidations > 0),
            Effect::Invalidate { .. } => LatencyClass::QueueProcessing,
            Effect::Evict { .. } => LatencyClass::Eviction,
            // Fetch past a branch, and the pairing a run starts with: no
            // time of their own.
            Effect::Guess { .. } | Effect::Pairing { .. } => LatencyClass::Eviction,
        }
    }

    /// The class of an out-of-order model's instance of `instr` when it
    /// issues (OUT-OF-ORDER.md 4), before it performs. These models have
    /// no caches, so whether a load hits is drawn by the timed driver and
    /// given as `miss`. A store's commit, to memory or into a pair buffer,
    /// first fetches its line for ownership: a `Miss`. Were it as quick as
    /// a hit (or an owned drain), a sibling's load could almost never be
    /// satisfied before an older store commits, and `power` would rarely
    /// show store buffering or the Xen pair's failures (they need a commit
    /// slower than the other core's commit, drain and load). An RMW or a
    /// lock writes memory (`OwnedDrain`, as `of` gives a write); an RCU
    /// primitive stays in the core (`Hit`). A pair-buffer drain is an
    /// `InvalidationRoundTrip`.
    pub fn of_instance(instr: &Instr, miss: bool) -> LatencyClass {
        match instr {
            Instr::Load { .. } | Instr::CondLoad { .. } if miss => LatencyClass::Miss,
            Instr::Load { .. } | Instr::CondLoad { .. } => LatencyClass::Hit,
            Instr::Store { .. } => LatencyClass::Miss,
            Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. } => {
                LatencyClass::OwnedDrain
            }
            _ => LatencyClass::Hit,
        }
    }

    /// A write to memory: a round trip when other cores hold the line and
    /// must be invalidated, an owned drain when none does.
    pub fn write(others_hold_the_line: bool) -> LatencyClass {
        if others_hold_the_line {
            LatencyClass::InvalidationRoundTrip
        } else {
            LatencyClass::OwnedDrain
        }
    }

    /// The range of cycles the class takes under `timing`.
    pub fn cycles(self, timing: &Timing) -> Cycles {
        match self {
            LatencyClass::Hit => timing.hit,
            LatencyClass::Miss => timing.miss,
            LatencyClass::OwnedDrain => timing.owned_drain,
            LatencyClass::InvalidationRoundTrip => timing.invalidation_round_trip,
            LatencyClass::QueueProcessing => timing.queue_processing,
            LatencyClass::Eviction => Cycles::new(0, 0),
        }
    }
}
