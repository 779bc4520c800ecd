//! Partial-order reduction for the exhaustive driver: of the transitions
//! enabled in a state, explore only a persistent set.
//!
//! A set T of enabled transitions is *persistent* (Godefroid) when every
//! transition reachable from the state by transitions outside T is
//! independent of every transition of T (`memory_model::independence`).
//! Exploring only T from each state keeps every terminal state of a finite
//! LTS, cycles or not: take a path w from the state to a terminal state. If
//! w holds a transition of T, the first one commutes with every transition
//! before it (they are outside T), so moving it to the front gives a path
//! of the same length that starts inside T, and induction on the length of
//! what is left applies. If w holds none, every transition of T is still
//! enabled at its end (nothing on w disabled it), which is then not
//! terminal. A complete state reaches a terminal one with the same values
//! (only invalidations and evictions are left), so final states and
//! deadlocks (values and blocked cores), which is all verdicts and reports
//! read, are kept; intermediate states and path lengths are not.
//!
//! Candidates, tried cheapest first, per core `c`:
//! 1. `c`'s step alone. Persistent when it is independent of everything
//!    the other cores may still do (their future footprints: the rest of
//!    their threads, their buffers, their copies) and of `c`'s own drains,
//!    invalidations and evictions, which may happen before it. Where
//!    harmless evictions are left out, the only evictions of `c` that may
//!    come first are of copies older than memory: those it holds now, or
//!    ones another core's publish makes stale (counted with its queue).
//! 2. one drain of `c` alone, publishing `x`. Persistent when it is
//!    independent of everything the other cores may still do: no other
//!    core may still read (load, RMW, lock, condition) or publish `x`
//!    (coherence order), or hold a copy of `x` (the drain would queue an
//!    invalidation there, or drop the copy), and no other core waits for
//!    a queue it pushes into or pushes into the same third queue. Then
//!    `c`'s own transitions that may come before it must commute with it:
//!    * a store appends behind it, a `smp_wmb` marker too (a marker ahead
//!      of it would keep it from being enabled);
//!    * a load or condition of `x` reads the same value from the buffer
//!      before the drain as from the copy (or `mem`) after it: no other
//!      core writes `x` meanwhile, and `c`'s own invalidation of `x` is
//!      ruled out below;
//!    * a fence waiting for the buffer, an RMW or a lock of `x` wait for
//!      the drain (an entry for `x` is still in the buffer), so they
//!      cannot come first; `smp_rmb` and an access through a register
//!      wait only for `c`'s queue, which the drain does not touch;
//!    * a publish of another location (a drain of another slot, an RMW;
//!      `tso` has none: one drain at a time, RMWs wait for the buffer)
//!      commutes unless both push into one third queue (entry order, and
//!      one may fill the queue for the other): their `queues_into` must
//!      be disjoint;
//!    * an invalidation or an eviction of `x` at `c` would undo, or be
//!      undone by, the copy the drain fills: `x` must not be in `c`'s
//!      queue (no other core publishes `x`, so none will be), and an
//!      eviction of `x` must not be explored: none where copies cannot be
//!      stale, none of an invalid copy (only the drain fills it: a load
//!      of `x` reads the buffer), and, where harmless evictions are left
//!      out, none of a copy equal to memory, which is the only valid copy
//!      of `x` without a queued invalidation of `x`. Invalidations and
//!      evictions of other locations touch other copies.
//!
//!    The eager moves after it (dead copies) are in its footprint. Where
//!    caches are not part of the state (no queue), `Footprint::copies` is
//!    empty and every copy argument above is void.
//! 3. all of `c`'s enabled transitions, when nothing another core does can
//!    enable a transition of `c` (a lock freed, a condition met, room made
//!    in a queue) and they are independent of everything the others may
//!    still do.
//!
//! The smallest accepted set wins, first found on ties; otherwise every
//! enabled transition is explored. The eager moves the driver makes after
//! a transition (local steps, dead copies) are part of its footprint.
//!
//! Out of order (`arm`, `power`), the candidates are per *unit*: a core
//! and its SMT sibling, which share a pair buffer; units share only
//! memory. What another unit may still do is read off its window (fetch is
//! eager, so the window holds the rest of the thread up to the first
//! unresolved branch, from which the static table takes over) and its pair
//! buffer. Guesses need no candidate: while one is pending nothing else is
//! enabled, so a transition and the guesses it forces act as one.
//! 1. A pair drain of `x` alone, when no other unit may still read or write
//!    `x`. The unit's own transitions commute with it: a load of `x` reads
//!    the same value from the buffer before it as from memory after it
//!    (the drained entry is the oldest for `x`); an RMW of `x`, an `smp_mb`
//!    and an RCU primitive wait for it; commits append behind it, markers
//!    keep their place among the stores, and other drains touch other
//!    entries and memory cells.
//! 2. A store committing straight to memory (no pair buffer) alone, when no
//!    other unit may still read or write its location. Its own core's
//!    younger loads of it read the same value forwarded before as from
//!    memory after; younger accesses of it wait; an older branch, fence or
//!    access of it would have kept it from being enabled, so nothing of its
//!    core disables or squashes it.
//! 3. All enabled transitions of one unit, when none touches what another
//!    unit may still do and no instance of the unit waits for another unit
//!    (a lock held, a condition on a value, a grace period).

use memory_model::independence::{independent, Footprint, Futures};
use memory_model::ir::{Loc, CORES_MAX};
use memory_model::state::CoreStatus;
use memory_model::{BlockReason, DrainOrder, Machine, State, Transition};

/// The partial-order reduction of one machine: its static tables.
pub struct PartialOrder {
    futures: Futures,
    /// The driver leaves harmless evictions out: a copy equal to memory
    /// is never evicted by the explored transitions.
    skips_harmless_evictions: bool,
}

/// What every core may still do from one state.
struct Outlook {
    future: [Footprint; CORES_MAX],
    may_hold: [u32; CORES_MAX],
}

impl PartialOrder {
    /// `skips_harmless_evictions`: whether the exploration leaves out
    /// evictions of copies equal to memory (its `Policy`).
    pub fn new(machine: &Machine, skips_harmless_evictions: bool) -> PartialOrder {
        PartialOrder {
            futures: Futures::new(machine),
            skips_harmless_evictions,
        }
    }

    /// Narrows `enabled` (the transitions the driver would explore from
    /// `state`, in its order) to a persistent subset, order kept.
    pub fn narrow(&self, m: &Machine, state: &State, enabled: &mut Vec<Transition>) {
        let cores = m.cores();
        let first = match enabled.first() {
            Some(t) => t.core(),
            None => return,
        };
        if enabled.iter().all(|t| t.core() == first) {
            return; // one core's transitions: nothing to leave out
        }
        let outlook = self.outlook(m, state);
        if m.config.model.is_out_of_order() {
            self.narrow_out_of_order(m, state, &outlook, enabled);
            return;
        }
        for c in 0..cores {
            let step = Transition::Step { core: c as u8 };
            if enabled.contains(&step) && self.step_alone_is_persistent(m, state, &outlook, c) {
                enabled.retain(|&t| t == step);
                return;
            }
        }
        for &t in enabled.iter() {
            if matches!(t, Transition::Drain { .. })
                && self.drain_alone_is_persistent(m, state, &outlook, t)
            {
                enabled.retain(|&u| u == t);
                return;
            }
        }
        let mut best: Option<(usize, usize)> = None;
        for c in 0..cores {
            let count = enabled.iter().filter(|t| t.core() == c).count();
            if count == 0 || count == enabled.len() || best.is_some_and(|(_, n)| n <= count) {
                continue;
            }
            if self.core_is_persistent(m, state, &outlook, enabled, c) {
                best = Some((c, count));
            }
        }
        if let Some((c, _)) = best {
            enabled.retain(|t| t.core() == c);
        }
    }

    /// `arm` and `power` (see "Out of order" above).
    fn narrow_out_of_order(
        &self,
        m: &Machine,
        state: &State,
        o: &Outlook,
        enabled: &mut Vec<Transition>,
    ) {
        for &t in enabled.iter() {
            let alone = match t {
                Transition::PairDrain { .. } => true,
                Transition::Perform { core, slot } => {
                    m.commits_to_memory(state, core as usize, slot as usize)
                }
                _ => false,
            };
            if alone && self.apart_from_others(m, o, &self.footprint(m, state, o, t)) {
                enabled.retain(|&u| u == t);
                return;
            }
        }
        let mut best: Option<(u32, usize)> = None;
        for c in 0..m.cores() {
            let unit = m.unit_of(state, c);
            if unit.trailing_zeros() as usize != c {
                continue; // the unit is its first core's
            }
            let ours = |t: &Transition| unit & 1 << t.core() != 0;
            let count = enabled.iter().filter(|t| ours(t)).count();
            if count == 0 || count == enabled.len() || best.is_some_and(|(_, n)| n <= count) {
                continue;
            }
            let apart = enabled
                .iter()
                .filter(|t| ours(t))
                .all(|&t| self.apart_from_others(m, o, &self.footprint(m, state, o, t)));
            let others_cannot_enable =
                (0..m.cores()).all(|d| unit & 1 << d == 0 || !m.waits_for_other_cores(state, d));
            if apart && others_cannot_enable {
                best = Some((unit, count));
            }
        }
        if let Some((unit, _)) = best {
            enabled.retain(|t| unit & 1 << t.core() != 0);
        }
    }

    fn outlook(&self, m: &Machine, state: &State) -> Outlook {
        let cores = m.cores();
        let mut future = [Footprint::default(); CORES_MAX];
        let mut may_hold = [0u32; CORES_MAX];
        for d in 0..cores {
            future[d] = m.future_footprint(&self.futures, state, d);
            may_hold[d] = future[d].copies;
        }
        for f in &mut future[..cores] {
            f.queues_into = m.queues_into(f.core, f.writes, &may_hold[..cores]);
        }
        Outlook { future, may_hold }
    }

    fn footprint(&self, m: &Machine, state: &State, o: &Outlook, t: Transition) -> Footprint {
        let mut f = m.footprint(&self.futures, state, t);
        f.queues_into = m.queues_into(f.core, f.writes, &o.may_hold[..m.cores()]);
        f
    }

    /// Independent of everything the other cores may still do.
    fn apart_from_others(&self, m: &Machine, o: &Outlook, f: &Footprint) -> bool {
        (0..m.cores()).all(|d| f.cores & 1 << d != 0 || independent(f, &o.future[d]))
    }

    fn step_alone_is_persistent(&self, m: &Machine, state: &State, o: &Outlook, c: usize) -> bool {
        let f = self.footprint(m, state, o, Transition::Step { core: c as u8 });
        if !self.apart_from_others(m, o, &f) {
            return false;
        }
        // `c`'s own transitions that may fire before its step: drains of
        // what its buffer holds, invalidations of what its queue holds or
        // will be sent, evictions of copies it holds or its drains fill.
        let core = &state.cores[c];
        let buffered = core
            .sb
            .entries()
            .iter()
            .filter_map(|e| e.store())
            .fold(0u32, |s, (l, _)| s | 1 << l.0);
        let mut queued = core.iq.entries().fold(0u32, |s, l| s | 1 << l.0);
        if m.config.iq_depth > 0 {
            for d in (0..m.cores()).filter(|&d| d != c) {
                queued |= o.future[d].writes & o.may_hold[c];
            }
        }
        // Where harmless evictions are left out, only copies older than
        // memory are evicted; a copy becomes older only by another core's
        // publish while it is held, which `queued` already counts, and a
        // drain fills a copy equal to memory.
        let evictable = if !m.copies_can_be_stale() {
            0
        } else if self.skips_harmless_evictions {
            stale_copies(state, c)
        } else {
            core.cache.valid_mask() | buffered
        };
        // A load commutes with its core's drains (it reads the same value
        // from the buffer or from the copy the drain fills); a fence that
        // waits for the queue is never enabled beside an invalidation. Two
        // publishes of one core may reach a third core's queue in either
        // order.
        f.copies & (queued | evictable) == 0 && (f.writes == 0 || buffered == 0)
    }

    /// Candidate 2: the drain `t` of core `c`, publishing `x`.
    fn drain_alone_is_persistent(
        &self,
        m: &Machine,
        state: &State,
        o: &Outlook,
        t: Transition,
    ) -> bool {
        let f = self.footprint(m, state, o, t);
        if !self.apart_from_others(m, o, &f) {
            return false;
        }
        let c = f.core;
        let core = &state.cores[c];
        let x = f.writes;
        // An invalidation of `x` at `c` would undo or be undone by the
        // copy the drain fills.
        if core.iq.entries().any(|l| 1 << l.0 & x != 0) {
            return false;
        }
        // So would an eviction of `x`: explored only where copies can be
        // stale, of a valid copy, and, where harmless evictions are left
        // out, of a copy older than memory, which only a queued
        // invalidation (ruled out above) makes.
        if m.copies_can_be_stale()
            && core.cache.valid_mask() & x != 0
            && !self.skips_harmless_evictions
        {
            return false;
        }
        // `c`'s publishes of other locations that may come first (drains,
        // RMWs) must not push into a queue the drain pushes into.
        let others = o.future[c].writes & !x;
        f.queues_into & m.queues_into(c, others, &o.may_hold[..m.cores()]) == 0
    }

    fn core_is_persistent(
        &self,
        m: &Machine,
        state: &State,
        o: &Outlook,
        enabled: &[Transition],
        c: usize,
    ) -> bool {
        enabled
            .iter()
            .filter(|t| t.core() == c)
            .all(|&t| self.apart_from_others(m, o, &self.footprint(m, state, o, t)))
            && self.others_cannot_enable(m, state, enabled, c)
    }

    /// Whether no transition of `c` that is disabled in `state` can be
    /// enabled by other cores alone: its step is not waiting for a lock, a
    /// value or room in a queue, and no drain waits for room in a queue.
    fn others_cannot_enable(
        &self,
        m: &Machine,
        state: &State,
        enabled: &[Transition],
        c: usize,
    ) -> bool {
        let core = &state.cores[c];
        if core.status == CoreStatus::Running
            && matches!(
                m.step_blocked(state, c),
                Some(
                    BlockReason::LockHeld
                        | BlockReason::ConditionNotMet
                        | BlockReason::InvalidationQueueFull
                )
            )
        {
            return false;
        }
        let fifo = m.config.parameters().drain == DrainOrder::Fifo;
        (0..core.sb.len()).all(|slot| {
            let in_order = if fifo {
                slot == 0
            } else {
                core.sb.drainable_per_location(slot)
            };
            let drain = Transition::Drain {
                core: c as u8,
                slot: slot as u8,
            };
            !in_order || core.sb.entries()[slot].is_marker() || enabled.contains(&drain)
        })
    }
}

/// The copies `c` holds that are older than memory.
fn stale_copies(state: &State, c: usize) -> u32 {
    let cache = &state.cores[c].cache;
    let mut valid = cache.valid_mask();
    let mut stale = 0;
    while valid != 0 {
        let l = valid.trailing_zeros();
        valid &= valid - 1;
        if cache.get(Loc(l as u8)) != Some(state.mem[l as usize]) {
            stale |= 1 << l;
        }
    }
    stale
}
