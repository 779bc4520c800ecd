//! The independence relation of the LTS: which transitions of different
//! cores commute, defined once beside the rules it summarises, for the
//! exhaustive driver's partial-order reduction (`sim-core::reduction`).
//!
//! A transition is summarised by its [`Footprint`]: the locations whose
//! value (`mem`, or a copy) it reads, the locations it publishes (a drain, a
//! write-through store, an RMW or lock), the locations whose copy at its
//! own core it may make valid or invalid (a fill, an eviction, an applied
//! invalidation, and the dead copies the driver evicts eagerly after it),
//! whether it is enabled only while its own invalidation queue is empty
//! (`smp_mb`, `smp_rmb`, an access through a register), and the other cores
//! whose queues its publishes may push into. Two transitions of different
//! cores interact only through `mem` and through a publish, which reads
//! every other core's copy of the location (to queue an invalidation, or
//! drop the copy without a queue), pushes into their queues and waits for
//! room there (MACHINE.md, "Transitions"). So they are dependent exactly
//! when
//! * one publishes a location the other reads, publishes, or whose copy the
//!   other changes (the holders a publish reaches would differ);
//! * one publishes into the queue of the other's core while the other waits
//!   for that queue to be empty (the publish disables it);
//! * both may push into the queue of a third core (the entries' order
//!   would differ, and one may fill the queue for the other).
//!
//! Everything else commutes: a store entering its own store buffer, a
//! marker, a local instruction touch nothing another core sees; a load
//! commutes with every write of another location.
//!
//! A [`Futures`] table says, per thread and pc, what the rest of the
//! thread may still read, publish or wait for, so that the footprint of
//! everything a core may still do ([`Machine::future_footprint`]) is cheap
//! to over-approximate. A model with more ways for cores to interact (an
//! `arm` or `power` model with its own queues or forwarding) extends
//! `Footprint` with a field per new shared resource and `independent`
//! with the rule for it; nothing else needs to change.

use crate::ir::{location_at, Address, Fence, Instr, RcuOp, Thread};
use crate::liveness::live_loads;
use crate::state::{CoreStatus, State};
use crate::transition::{Machine, Transition};

/// What a transition (or everything a core may still do) touches that
/// another core's transitions can see. Location sets are one bit per
/// location; core sets one bit per core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub core: usize,
    /// The cores whose transitions share state with `core`'s beyond
    /// memory, one bit each: `core` itself and, on `power`, its SMT
    /// sibling (their pair buffer). Footprints of one such unit are never
    /// independent.
    pub cores: u32,
    /// Locations whose value it reads (`mem`, a copy or its store buffer).
    pub reads: u32,
    /// Locations it publishes to `mem`.
    pub writes: u32,
    /// Locations whose copy at `core` it may make valid or invalid.
    pub copies: u32,
    /// It is enabled only while `core`'s invalidation queue is empty.
    pub waits_for_queue: bool,
    /// Other cores whose invalidation queues its publishes may push into.
    pub queues_into: u32,
    /// It enters or leaves an RCU read-side critical section.
    pub rcu_reader: bool,
    /// It waits for a grace period (no core inside a reader).
    pub rcu_grace_period: bool,
}

/// Whether `a` and `b`, footprints of transitions of different cores,
/// commute and neither disables the other, in every state where both are
/// enabled and their footprints hold. Transitions of one core are never
/// independent here: the reduction reasons about a core's own transitions
/// itself (`sim-core::reduction`).
#[inline]
pub fn independent(a: &Footprint, b: &Footprint) -> bool {
    if a.core == b.core || a.cores & b.cores != 0 {
        return false;
    }
    let touches = |f: &Footprint| f.reads | f.writes | f.copies;
    if a.writes & touches(b) != 0 || b.writes & touches(a) != 0 {
        return false;
    }
    if (a.waits_for_queue && b.queues_into & (1 << a.core) != 0)
        || (b.waits_for_queue && a.queues_into & (1 << b.core) != 0)
    {
        return false;
    }
    // A reader's lock or unlock enables or disables a grace period.
    if (a.rcu_reader && b.rcu_grace_period) || (b.rcu_reader && a.rcu_grace_period) {
        return false;
    }
    let third = !((1u32 << a.core) | (1u32 << b.core));
    a.queues_into & b.queues_into & third == 0
}

/// Per thread and pc, what the thread may still do from there on: the
/// static half of a core's future footprint.
#[derive(Clone, Debug)]
pub struct Futures {
    threads: Vec<ThreadFutures>,
}

#[derive(Clone, Debug)]
struct ThreadFutures {
    /// Locations loaded, RMW'd or locked at or after each pc.
    reads: Vec<u32>,
    /// Locations stored, RMW'd or locked at or after each pc.
    writes: Vec<u32>,
    /// A fence waiting for the queue, or an access through a register, at
    /// or after each pc.
    waits: Vec<bool>,
    /// An `rcu_read_lock()` or `rcu_read_unlock()` at or after each pc.
    rcu_reader: Vec<bool>,
    /// A `synchronize_rcu()` at or after each pc.
    rcu_grace_period: Vec<bool>,
    /// Locations the thread surely still loads after the step at each pc
    /// and the local steps the driver runs eagerly after it: copies of
    /// the others may be evicted eagerly after that step.
    kept_after: Vec<u32>,
}

impl Futures {
    pub fn new(machine: &Machine) -> Futures {
        let locations = machine.locations();
        let threads = machine
            .scenario
            .threads
            .iter()
            .map(|t| ThreadFutures::new(t, locations))
            .collect();
        Futures { threads }
    }
}

impl ThreadFutures {
    fn new(thread: &Thread, locations: usize) -> ThreadFutures {
        let all = if locations >= 32 {
            u32::MAX
        } else {
            (1u32 << locations) - 1
        };
        let at = |addr: Address| match addr {
            Address::Direct(l) => 1u32 << l.0,
            Address::Indirect(_) => all,
        };
        let indirect = |i: &Instr| matches!(i.address(), Some(Address::Indirect(_)));
        let reads = backward(thread, |i| match *i {
            Instr::Load { addr, .. }
            | Instr::CondLoad { addr, .. }
            | Instr::Rmw { addr, .. }
            | Instr::Lock { addr }
            | Instr::TryLock { addr, .. } => at(addr),
            _ => 0,
        });
        let writes = backward(thread, |i| match *i {
            Instr::Store { addr, .. }
            | Instr::Rmw { addr, .. }
            | Instr::Lock { addr }
            | Instr::TryLock { addr, .. } => at(addr),
            _ => 0,
        });
        let flags = |uses: &dyn Fn(&Instr) -> bool| -> Vec<bool> {
            backward(thread, |i| uses(i) as u32)
                .into_iter()
                .map(|w| w != 0)
                .collect()
        };
        let waits = flags(&|i| {
            let fence = match i {
                Instr::Fence(f) => matches!(f.in_order(), Fence::Mb | Fence::Rmb),
                Instr::Rcu(_) => true,
                _ => false,
            };
            fence || indirect(i)
        });
        let rcu_reader = flags(&|i| matches!(i, Instr::Rcu(RcuOp::ReadLock | RcuOp::ReadUnlock)));
        let rcu_grace_period = flags(&|i| matches!(i, Instr::Rcu(RcuOp::Synchronize)));
        let live = live_loads(thread, locations);
        let n = thread.instrs.len();
        let kept_after = (0..=n)
            .map(|pc| {
                // The pcs the local steps after `pc` may stop at (or pass:
                // their budget may stop them anywhere).
                let mut kept = all;
                let mut seen = vec![false; n + 1];
                let mut todo = vec![(pc + 1).min(n)];
                while let Some(q) = todo.pop() {
                    if std::mem::replace(&mut seen[q], true) {
                        continue;
                    }
                    kept &= live[q];
                    match thread.instrs.get(q) {
                        Some(Instr::Branch { target, .. }) => {
                            todo.push(q + 1);
                            todo.push(*target as usize);
                        }
                        Some(Instr::Jump { target }) => todo.push(*target as usize),
                        Some(Instr::Assign { .. }) => todo.push(q + 1),
                        _ => {}
                    }
                }
                kept
            })
            .collect();
        ThreadFutures {
            reads,
            writes,
            waits,
            rcu_reader,
            rcu_grace_period,
            kept_after,
        }
    }
}

/// For each pc (and the end), the union of `uses` over every instruction
/// reachable from it: a backward fixpoint over the control flow.
fn backward(thread: &Thread, uses: impl Fn(&Instr) -> u32) -> Vec<u32> {
    let n = thread.instrs.len();
    let mut acc = vec![0u32; n + 1];
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let instr = &thread.instrs[pc];
            let succ = match *instr {
                Instr::Branch { target, .. } => acc[pc + 1] | acc[target as usize],
                Instr::Jump { target } => acc[target as usize],
                _ => acc[pc + 1],
            };
            let v = uses(instr) | succ;
            if v != acc[pc] {
                acc[pc] = v;
                changed = true;
            }
        }
        if !changed {
            return acc;
        }
    }
}

impl Machine<'_> {
    /// The footprint of `t`, enabled in `state`, with the eager moves the
    /// exhaustive driver makes after it; `queues_into` is left empty (see
    /// [`Machine::queues_into`]). `copies` is empty where copies cannot be
    /// stale: there every valid copy equals memory, so a copy changes no
    /// value read and no enabledness (no queue, no back-pressure), and the
    /// state encoding leaves caches out: transitions that differ only in
    /// what they do to caches commute on the states the driver tells apart.
    #[inline]
    pub fn footprint(&self, futures: &Futures, state: &State, t: Transition) -> Footprint {
        let core = t.core();
        let c = &state.cores[core];
        let mut f = Footprint {
            core,
            cores: 1 << core,
            ..Footprint::default()
        };
        if self.out_of_order() {
            f.cores = self.unit_of(state, core);
        }
        match t {
            Transition::Step { .. } => {
                let pc = c.pc as usize;
                let instr = self.scenario.threads[core].instrs[pc];
                let loc = instr.address().map(|a| match a {
                    Address::Direct(l) => 1u32 << l.0,
                    // Enabled: the register holds a location's address.
                    Address::Indirect(r) => location_at(c.regs[r.0 as usize], self.locations())
                        .map_or(0, |l| 1u32 << l.0),
                });
                let loc = loc.unwrap_or(0);
                match instr {
                    Instr::Load { .. } | Instr::CondLoad { .. } => {
                        f.reads = loc;
                        f.copies = loc;
                    }
                    Instr::Store { .. } => {
                        if self.config.sb_depth == 0 {
                            f.writes = loc;
                            f.copies = loc;
                        }
                    }
                    Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. } => {
                        f.reads = loc;
                        f.writes = loc;
                        f.copies = loc;
                    }
                    Instr::Fence(fence) => {
                        f.waits_for_queue = matches!(fence.in_order(), Fence::Mb | Fence::Rmb)
                    }
                    Instr::Rcu(op) => {
                        f.waits_for_queue = true;
                        f.rcu_reader = op != RcuOp::Synchronize;
                        f.rcu_grace_period = op == RcuOp::Synchronize;
                    }
                    Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => {}
                }
                if matches!(instr.address(), Some(Address::Indirect(_))) {
                    f.waits_for_queue = true;
                }
                // Copies the driver evicts eagerly once the core is past
                // this step and the local steps after it.
                f.copies |= c.cache.valid_mask() & !futures.threads[core].kept_after[pc];
            }
            Transition::Drain { slot, .. } => {
                if let Some((loc, _)) = c.sb.entries()[slot as usize].store() {
                    f.writes = 1 << loc.0;
                    f.copies = 1 << loc.0;
                }
            }
            Transition::Invalidate { .. } => {
                // The head, and the dead entries behind it the driver
                // applies eagerly.
                f.copies = c.iq.entries().fold(0, |m, l| m | 1 << l.0);
            }
            Transition::Evict { loc, .. } => f.copies = 1 << loc.0,
            // Out of order, memory is the only state shared beyond a unit
            // (a core and its SMT sibling): a load reads it, a store
            // without a pair buffer and a drain write it, an RMW or a lock
            // does both; a store into the pair buffer stays in the unit.
            Transition::Perform { slot, .. } => {
                let slot = slot as usize;
                let loc = self
                    .instance_location(state, core, slot)
                    .map_or(0, |l| 1u32 << l.0);
                let pc = state.windows[core].instances()[slot].pc as usize;
                match self.scenario.threads[core].instrs[pc] {
                    Instr::Load { .. } | Instr::CondLoad { .. } => f.reads = loc,
                    Instr::Store { .. } => {
                        if self.pair_of(state, core).is_none() {
                            f.writes = loc;
                        }
                    }
                    Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. } => {
                        f.reads = loc;
                        f.writes = loc;
                    }
                    Instr::Rcu(op) => {
                        f.rcu_reader = op != RcuOp::Synchronize;
                        f.rcu_grace_period = op == RcuOp::Synchronize;
                    }
                    Instr::Fence(_)
                    | Instr::Assign { .. }
                    | Instr::Branch { .. }
                    | Instr::Jump { .. } => {}
                }
            }
            Transition::PairDrain { slot, .. } => {
                if let Some(p) = self.pair_of(state, core) {
                    if let Some((loc, _)) = state.pair_buffers[p].entries()[slot as usize].store() {
                        f.writes = 1 << loc.0;
                    }
                }
            }
            // A guess only fetches.
            Transition::Guess { .. } => {}
            // The first transition of a run: dependent on everything.
            Transition::Pairing { .. } => {
                f.reads = u32::MAX;
                f.writes = u32::MAX;
            }
        }
        if !self.copies_can_be_stale() {
            f.copies = 0;
        }
        f
    }

    /// Everything `core` may still do from `state`, whatever the other
    /// cores do: the steps of the rest of its thread, the drains of its
    /// store buffer, invalidations and evictions of any copy it holds or
    /// may take; `queues_into` is left empty, and `copies` where copies
    /// cannot be stale (see [`Machine::footprint`]).
    #[inline]
    pub fn future_footprint(&self, futures: &Futures, state: &State, core: usize) -> Footprint {
        let c = &state.cores[core];
        let tf = &futures.threads[core];
        if self.out_of_order() {
            return self.future_footprint_out_of_order(futures, state, core);
        }
        let (reads, mut writes, waits, rcu_reader, rcu_grace_period) = match c.status {
            CoreStatus::Running => {
                let pc = c.pc as usize;
                (
                    tf.reads[pc],
                    tf.writes[pc],
                    tf.waits[pc],
                    tf.rcu_reader[pc],
                    tf.rcu_grace_period[pc],
                )
            }
            CoreStatus::Done => (0, 0, false, false, false),
        };
        for e in c.sb.entries() {
            if let Some((loc, _)) = e.store() {
                writes |= 1 << loc.0;
            }
        }
        let queued = c.iq.entries().fold(0u32, |m, l| m | 1 << l.0);
        let copies = if self.copies_can_be_stale() {
            c.cache.valid_mask() | queued | reads | writes
        } else {
            0
        };
        Footprint {
            core,
            cores: 1 << core,
            reads,
            writes,
            copies,
            waits_for_queue: waits,
            queues_into: 0,
            rcu_reader,
            rcu_grace_period,
        }
    }

    /// Out of order: what the rest of `core`'s thread may still do from its
    /// oldest instance on (a squash refetches within that), and what its
    /// pair buffer still holds.
    fn future_footprint_out_of_order(
        &self,
        futures: &Futures,
        state: &State,
        core: usize,
    ) -> Footprint {
        let tf = &futures.threads[core];
        let mut f = Footprint {
            core,
            cores: self.unit_of(state, core),
            ..Footprint::default()
        };
        if state.cores[core].status == CoreStatus::Running {
            // Fetch is eager, so the window holds what the core will do up
            // to its fetch pc, unless a branch in it is unresolved: a wrong
            // guess refetches from there, the static table's business.
            let thread = &self.scenario.threads[core];
            let mut from = state.cores[core].pc as usize;
            for (slot, i) in state.windows[core].instances().iter().enumerate() {
                if i.done {
                    continue;
                }
                let pc = i.pc as usize;
                let instr = thread.instrs[pc];
                if matches!(instr, Instr::Branch { .. }) {
                    from = pc;
                    break;
                }
                let loc = match self.instance_location(state, core, slot) {
                    Some(l) => 1u32 << l.0,
                    None if instr.address().is_some() => u32::MAX,
                    None => 0,
                };
                match instr {
                    Instr::Load { .. } | Instr::CondLoad { .. } => f.reads |= loc,
                    Instr::Store { .. } => f.writes |= loc,
                    Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. } => {
                        f.reads |= loc;
                        f.writes |= loc;
                    }
                    Instr::Rcu(op) => {
                        f.rcu_reader |= op != RcuOp::Synchronize;
                        f.rcu_grace_period |= op == RcuOp::Synchronize;
                    }
                    Instr::Fence(_) | Instr::Assign { .. } | Instr::Jump { .. } => {}
                    Instr::Branch { .. } => unreachable!(),
                }
            }
            f.reads |= tf.reads[from];
            f.writes |= tf.writes[from];
            f.rcu_reader |= tf.rcu_reader[from];
            f.rcu_grace_period |= tf.rcu_grace_period[from];
        }
        if let Some(p) = self.pair_of(state, core) {
            for e in state.pair_buffers[p].entries() {
                if let Some((loc, _)) = e.store() {
                    f.writes |= 1 << loc.0;
                }
            }
        }
        f
    }

    /// The other cores a publish of `writes` by `core` may push into,
    /// given what each core may hold (`may_hold`, one location set per
    /// core): none without invalidation queues.
    #[inline]
    pub fn queues_into(&self, core: usize, writes: u32, may_hold: &[u32]) -> u32 {
        if self.config.iq_depth == 0 || writes == 0 {
            return 0;
        }
        may_hold
            .iter()
            .enumerate()
            .filter(|&(e, &held)| e != core && held & writes != 0)
            .fold(0, |m, (e, _)| m | 1 << e)
    }
}
