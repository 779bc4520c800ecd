//! The eviction policy: which caches and which evictions can change what a
//! run does. Drivers, the state encoding and `minimize` ask here rather
//! than each keep its own copy of the rule, so that a new model (a new
//! way for a copy to be stale) is taught once.

use crate::ir::{Instr, Loc};
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
    /// instead). A run whose only moves are harmless is stuck. An
    /// exploration may leave them out only where `queues_never_fill`.
    pub fn is_harmless(&self, state: &State, t: Transition) -> bool {
        match t {
            Transition::Evict { core, loc } => {
                state.cores[core as usize].cache.get(loc) == Some(state.mem[loc.0 as usize])
            }
            Transition::Step { .. }
            | Transition::Drain { .. }
            | Transition::Invalidate { .. }
            | Transition::Perform { .. }
            | Transition::Guess { .. }
            | Transition::PairDrain { .. }
            | Transition::Pairing { .. } => false,
        }
    }

    /// Whether no invalidation queue can ever be full, which is where an
    /// exploration may leave harmless evictions out. Where a queue can
    /// fill, a harmless eviction is not always harmless: the copy it drops
    /// is a holder a publish would have to queue an invalidation at, so
    /// dropping it can make room (back-pressure), where keeping it makes the
    /// core apply an older invalidation first and lose a stale copy it
    /// could still read (`sim-core/tests/reduction.rs` has the case). A
    /// queue can never fill without queues, or
    /// where no thread loops and each core's queue has room for every
    /// write of the other threads (a queue receives at most one entry per
    /// write of another core).
    pub fn queues_never_fill(&self) -> bool {
        let depth = self.config.iq_depth as usize;
        if depth == 0 {
            return true;
        }
        let mut writes = Vec::with_capacity(self.cores());
        for thread in &self.scenario.threads {
            let mut n = 0;
            for (pc, instr) in thread.instrs.iter().enumerate() {
                match *instr {
                    Instr::Branch { target, .. } | Instr::Jump { target }
                        if target as usize <= pc =>
                    {
                        return false;
                    }
                    Instr::Store { .. }
                    | Instr::Rmw { .. }
                    | Instr::Lock { .. }
                    | Instr::TryLock { .. } => n += 1,
                    _ => {}
                }
            }
            writes.push(n);
        }
        let all: usize = writes.iter().sum();
        writes.iter().all(|own| all - own <= depth)
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
