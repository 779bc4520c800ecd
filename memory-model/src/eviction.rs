//! The eviction policy: which caches and which evictions can change what a
//! run does. Drivers, the state encoding and `minimize` ask here rather
//! than each keep its own copy of the rule, so that a new model (a new
//! way for a copy to be stale) is taught once.

use crate::ir::Loc;
use crate::state::State;
use crate::transition::{Machine, Transition};

impl Machine<'_> {
    /// Whether a cache copy can be older than memory: only behind an
    /// invalidation queue. Where none can, every valid copy reads what a
    /// miss would, so the caches cannot change an outcome: the timed driver
    /// draws no evictions, the state encoding leaves caches and queues out
    /// and the exhaustive driver explores no eviction.
    pub fn copies_can_be_stale(&self) -> bool {
        self.config.has_stale_copies()
    }

    /// Whether `t` changes no value a load can read: the eviction of a copy
    /// equal to memory (a load after it misses and reads the same value; it
    /// only spares the core invalidations, which it can always apply
    /// instead). A run whose only moves are harmless is stuck, and an
    /// exploration need not take them.
    pub fn is_harmless(&self, state: &State, t: Transition) -> bool {
        match t {
            Transition::Evict { core, loc } => {
                state.cores[core as usize].cache.get(loc) == Some(state.mem[loc.0 as usize])
            }
            Transition::Step { .. } | Transition::Drain { .. } | Transition::Invalidate { .. } => {
                false
            }
        }
    }

    /// The copies `core` holds of locations it will never load again (one
    /// bit each): evicting them, or applying their invalidations, cannot
    /// change a value the core reads, so the exhaustive driver does so
    /// eagerly.
    pub fn dead_copies(&self, state: &State, core: usize) -> u32 {
        state.cores[core].cache.valid_mask() & !self.live_loads(state, core)
    }

    /// Whether no load of `core` can read `loc` from where it stands.
    pub fn is_dead(&self, state: &State, core: usize, loc: Loc) -> bool {
        self.live_loads(state, core) & (1 << loc.0) == 0
    }
}
