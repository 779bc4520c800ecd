//! The latency classes: which of the timing model's delays a transition
//! takes. The timed driver draws within the class's range; `minimize` and
//! `replay` take its minimum. One classifier, so that the two never
//! disagree on what a transition costs.

use memory_model::{Effect, ReadSource, Transition};

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

    /// The class of an out-of-order model's transition `t` that fires
    /// with `effect` (OUT-OF-ORDER.md 4). These models have no caches, so
    /// whether a load from memory (or the pair buffer) hits is drawn by the
    /// timed driver and given as `miss`; a forwarded load hits. A store's
    /// commit, to memory or into a pair buffer, first fetches its line for
    /// ownership: a `Miss`. Were it as quick as a hit (or an owned drain), a
    /// sibling's load could almost never be satisfied before an older
    /// store commits, and `power` would rarely show store buffering or the
    /// Xen pair's failures (they need a commit slower than the other
    /// core's commit, drain and load). A pair-buffer drain is an
    /// invalidation round trip. RMWs, locks and RCU primitives take what
    /// `of` gives them.
    pub fn of_out_of_order(t: Transition, effect: &Effect, miss: bool) -> LatencyClass {
        match (t, effect) {
            (Transition::PairDrain { .. }, _) => LatencyClass::InvalidationRoundTrip,
            (
                _,
                Effect::Step {
                    buffered: Some(_), ..
                },
            )
            | (
                Transition::Perform { .. },
                Effect::Step {
                    read: None,
                    published: Some(_),
                    ..
                },
            ) => LatencyClass::Miss,
            (
                _,
                Effect::Step {
                    read: Some(read),
                    published: None,
                    ..
                },
            ) if matches!(read.source, ReadSource::Memory | ReadSource::PairBuffer) => {
                if miss {
                    LatencyClass::Miss
                } else {
                    LatencyClass::Hit
                }
            }
            _ => LatencyClass::of(effect),
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
