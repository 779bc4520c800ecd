//! A trace re-simulated on its machine: who wrote what each load read.
//!
//! Both renderers (the text [`crate::timeline`] and the [`crate::svg`]
//! picture) re-simulate the trace on the machine, transition by transition,
//! so that at every event they know each core's store buffer, invalidation
//! queue and cache. [`Story`] is what that re-simulation finds: which store
//! each load read, how long each store sat in its buffer, how long each
//! invalidation waited in its queue, and which loads read a value older than
//! the newest store to their location, and when each core's next
//! instruction was held back and what it waited for (see `crate::stalls`).
//! A trace that stops matching the machine ends the story there, with the
//! reason.
//!
//! Nothing here draws a random number or iterates a hash map: the same trace
//! always gives the same story.

use std::collections::VecDeque;

use memory_model::ir::{Fence, Instr, Loc, Value};
use memory_model::{BlockReason, Effect, Machine, ReadSource, State, Transition};
use sim_core::{Mismatch, PathReplay, RunEnd};

use crate::stalls::{step_dues, OpenStall, StallWatch};
use crate::trace::{Event, Trace};

/// Index of a store in [`Story::stores`].
pub(crate) type StoreId = usize;
/// Index of a queued invalidation in [`Story::invalidations`].
pub(crate) type InvalidationId = usize;

/// One store: a `WRITE_ONCE`, or the write of an RMW or lock.
pub(crate) struct StoreRecord {
    pub core: usize,
    pub loc: Loc,
    pub value: Value,
    /// The event (index in [`Story::fired`]) that executed it.
    pub entered: usize,
    /// The event at which it reached memory: its drain, or the step itself
    /// for a write-through store or an RMW. `None`: it never left the buffer.
    pub visible: Option<usize>,
}

impl StoreRecord {
    /// Written straight to memory by its step: never in a store buffer.
    pub fn through(&self) -> bool {
        self.visible == Some(self.entered)
    }
}

/// One invalidation sent to a core with a queue.
pub(crate) struct InvalidationRecord {
    /// The receiving core.
    pub core: usize,
    pub loc: Loc,
    /// The event (a drain or an RMW of another core) that sent it.
    pub arrived: usize,
    /// The `Invalidate` event that applied it; `None`: still queued at the end.
    pub applied: Option<usize>,
}

/// A value read by a step, attributed.
pub(crate) struct ReadRecord {
    pub loc: Loc,
    pub value: Value,
    pub source: ReadSource,
    /// The store whose value was read; `None` for the initial value.
    pub from: Option<StoreId>,
    /// The value is older than the newest store to `loc` anywhere: read from
    /// a stale copy, or while another core holds a store to `loc` with a
    /// different value in its store buffer. These are the reads that let a
    /// weak outcome happen.
    pub old: bool,
    /// For an old read, the newer store it did not see: the one in memory
    /// (a stale copy), or the newest one waiting in another core's buffer.
    pub missed: Option<StoreId>,
}

/// One fired transition with what re-simulating it showed.
pub(crate) struct Fired {
    pub time: u64,
    pub effect: Effect,
    pub core: usize,
    /// For a step: the instruction and its source text.
    pub instr: Option<Instr>,
    pub source: String,
    pub read: Option<ReadRecord>,
    /// The store this step executed (buffered, written through, or an RMW's
    /// write).
    pub store: Option<StoreId>,
    /// For a drain: the store that left the buffer.
    pub drained: Option<StoreId>,
    /// Invalidations this event queued at other cores.
    pub sent: Vec<InvalidationId>,
    /// For an `Invalidate`: the invalidation applied.
    pub applied: Option<InvalidationId>,
    /// Out of order: the instances this event's branch resolution squashed
    /// (a wrong guess), per core: `(core, unperformed, performed)`.
    pub squashed: Vec<(usize, usize, usize)>,
}

/// An instruction held back: from the transition after which it could not
/// fire to the one that let it (see `crate::stalls`).
pub(crate) struct Stall {
    pub core: usize,
    /// The instruction's source text.
    pub source: String,
    /// Why it could not fire when the stall began.
    pub reason: BlockReason,
    /// The fired transition after which it could not fire; `None`: from the
    /// start of the run.
    pub from: Option<usize>,
    /// The time of `from`, in cycles.
    pub since: u64,
    /// The fired transition that let it fire; `None`: still waiting at the
    /// end of the run.
    pub until: Option<usize>,
    /// Still waiting at the end of a deadlocked run: the core is blocked.
    pub blocked: bool,
    /// What it waited for: the drains of its own store buffer's entries and
    /// the applications of its own queued invalidations during the stall
    /// that its instruction needs (a fence, an RMW, a dependent access, a
    /// store to a full buffer), as indices of fired transitions.
    pub waited_for: Vec<usize>,
}

/// An `smp_wmb()` marker in a store buffer (a model that drains per
/// location): the stores behind it cannot drain until the stores ahead of
/// it have, and it vanishes when it reaches the head of the buffer.
pub(crate) struct WmbHold {
    pub core: usize,
    /// The source text of the instruction that put it there.
    pub source: String,
    /// The step (a fired transition) that put it there.
    pub from: usize,
    /// The drain after which it vanished; `None`: still there at the end.
    pub until: Option<usize>,
    /// The stores that entered the buffer behind it while it was there: the
    /// ones it held back.
    pub held: Vec<StoreId>,
    /// The drains of the stores ahead of it, that it waited for.
    pub waited_for: Vec<usize>,
}

/// A trace re-simulated on its machine.
pub(crate) struct Story {
    pub fired: Vec<Fired>,
    pub stores: Vec<StoreRecord>,
    pub invalidations: Vec<InvalidationRecord>,
    /// `(core, from, to)`, in trace order.
    pub interrupts: Vec<(usize, u64, u64)>,
    /// Every instruction held back, by start time, then event, then core.
    pub stalls: Vec<Stall>,
    /// Every `smp_wmb()` marker, in the order they were put in a buffer.
    pub wmb_holds: Vec<WmbHold>,
    /// Set when the trace stopped matching the machine; the story ends there.
    pub divergence: Option<String>,
}

/// What re-simulation keeps beside the machine state: who wrote what.
struct Provenance {
    /// For each core, the stores in its buffer, oldest first (markers left out).
    buffered: Vec<Vec<StoreId>>,
    /// For each core, its queued invalidations, oldest first.
    queued: Vec<VecDeque<InvalidationId>>,
    /// For each core and location, the store its cached copy came from
    /// (`None`: the initial value).
    cached_from: Vec<Vec<Option<StoreId>>>,
    /// For each location, the store memory holds (`None`: the initial value).
    in_memory: Vec<Option<StoreId>>,
    /// For each core, the `smp_wmb()` markers in its buffer (indices in
    /// [`Story::wmb_holds`]), oldest first.
    markers: Vec<VecDeque<usize>>,
    /// For each SMT pair (`power`), the stores in its pair buffer, oldest
    /// first (markers left out), whichever core committed them.
    paired: Vec<Vec<StoreId>>,
}

impl Story {
    pub fn build(machine: &Machine, trace: &Trace) -> Story {
        let cores = machine.cores();
        let mut story = Story {
            fired: Vec::with_capacity(trace.events.len()),
            stores: Vec::new(),
            invalidations: Vec::new(),
            interrupts: Vec::new(),
            stalls: Vec::new(),
            wmb_holds: Vec::new(),
            divergence: None,
        };
        let mut p = Provenance {
            buffered: vec![Vec::new(); cores],
            queued: vec![VecDeque::new(); cores],
            cached_from: vec![vec![None; machine.locations()]; cores],
            in_memory: vec![None; machine.locations()],
            markers: vec![VecDeque::new(); cores],
            paired: vec![Vec::new(); memory_model::state::PAIRS_MAX],
        };
        let mut replay = PathReplay::new(machine);
        let mut watch = StallWatch::new(machine, replay.state(), step_dues(machine, trace));
        for (n, event) in trace.events.iter().enumerate() {
            match *event {
                Event::Interrupt { core, from, to } => {
                    if (core as usize) < cores {
                        story.interrupts.push((core as usize, from, to));
                    }
                }
                Event::Fire {
                    time,
                    transition,
                    effect,
                } => {
                    let before = *replay.state();
                    let got = match replay.fire_effect(transition, &effect) {
                        Ok(got) => got,
                        Err(Mismatch::NotEnabled(_)) => {
                            story.divergence = Some(format!(
                                "event {n}: {transition:?} is not enabled here: \
                                 the trace does not belong to this scenario and configuration"
                            ));
                            break;
                        }
                        Err(Mismatch::EffectDiffers(d)) => {
                            story.divergence = Some(format!(
                                "event {n}: {transition:?} did {:?}, the trace says {effect:?}",
                                d.got
                            ));
                            break;
                        }
                    };
                    let state = replay.state();
                    story.record(machine, &mut p, &before, state, time, transition, got);
                    let index = story.fired.len() - 1;
                    let ended = watch.after(machine, state, Some(index), Some(transition), time);
                    for (core, open) in ended {
                        // Enabled again before it was due: never held back.
                        if open.since < time {
                            story.add_stall(machine, core, open, Some(index));
                        }
                    }
                }
            }
        }
        // A story cut short by a divergence does not know who waits at the end.
        if story.divergence.is_none() {
            for core in 0..cores {
                if let Some(mut open) = watch.open(core) {
                    // Not due before the end: it waits from the end at the latest.
                    open.since = open.since.min(trace.ending.time);
                    story.add_stall(machine, core, open, None);
                }
            }
            if trace.ending.end == RunEnd::Deadlock {
                for stall in story.stalls.iter_mut().filter(|s| s.until.is_none()) {
                    stall.blocked = true;
                }
            }
        }
        story.stalls.sort_by_key(|s| (s.since, s.from, s.core));
        story
    }

    /// Records a stall of `core` that ended at `until`, with what it waited
    /// for among the transitions between.
    fn add_stall(&mut self, machine: &Machine, core: usize, open: OpenStall, until: Option<usize>) {
        let thread = &machine.scenario.threads[core];
        let instr = thread.instrs.get(open.pc as usize).copied();
        // The queues the instruction waits on: (store buffer, invalidation queue).
        let (drains, applications) = match (open.reason, instr) {
            (BlockReason::FenceWaits, Some(Instr::Fence(f))) if f.in_order() == Fence::Rmb => {
                (false, true)
            }
            (BlockReason::FenceWaits, _) => (true, true),
            (BlockReason::RmwWaitsForStoreBuffer | BlockReason::StoreBufferFull, _) => {
                (true, false)
            }
            (BlockReason::AddressDependency, _) => (false, true),
            (
                BlockReason::InvalidationQueueFull
                | BlockReason::BadAddress
                | BlockReason::LockHeld
                | BlockReason::ConditionNotMet
                | BlockReason::GracePeriodWaitsForReaders,
                _,
            ) => (false, false),
        };
        let first = open.from.map_or(0, |f| f + 1);
        let end = until.map_or(self.fired.len(), |u| u + 1);
        let waited_for = (first..end)
            .filter(|&i| {
                let f = &self.fired[i];
                f.core == core
                    && ((drains && f.drained.is_some()) || (applications && f.applied.is_some()))
            })
            .collect();
        self.stalls.push(Stall {
            core,
            source: thread
                .source
                .get(open.pc as usize)
                .cloned()
                .unwrap_or_default(),
            reason: open.reason,
            from: open.from,
            since: open.since,
            until,
            blocked: false,
            waited_for,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        machine: &Machine,
        p: &mut Provenance,
        before: &State,
        after: &State,
        time: u64,
        transition: Transition,
        effect: Effect,
    ) {
        let index = self.fired.len();
        let core = transition.core();
        let mut fired = Fired {
            time,
            effect,
            core,
            instr: None,
            source: String::new(),
            read: None,
            store: None,
            drained: None,
            sent: Vec::new(),
            applied: None,
            squashed: if machine.config.model.is_out_of_order() {
                squashes(machine, before, after, transition)
            } else {
                Vec::new()
            },
        };
        let mut published = None;
        match effect {
            Effect::Step {
                pc,
                read,
                buffered,
                published: wrote,
                ..
            } => {
                let thread = &machine.scenario.threads[core];
                fired.instr = thread.instrs.get(pc as usize).copied();
                fired.source = thread.source.get(pc as usize).cloned().unwrap_or_default();
                let pair = machine.pair_of(after, core);
                if let Some(r) = read {
                    let from = match r.source {
                        // Forwarded from an older store instance in the
                        // window, not committed: no store record yet.
                        ReadSource::StoreBuffer if machine.config.model.is_out_of_order() => None,
                        ReadSource::PairBuffer => pair.and_then(|g| {
                            p.paired[g]
                                .iter()
                                .rev()
                                .copied()
                                .find(|&s| self.stores[s].loc == r.loc)
                        }),
                        ReadSource::StoreBuffer => p.buffered[core]
                            .iter()
                            .rev()
                            .copied()
                            .find(|&s| self.stores[s].loc == r.loc),
                        ReadSource::Cache | ReadSource::StaleCache => {
                            p.cached_from[core][r.loc.0 as usize]
                        }
                        ReadSource::Memory => p.in_memory[r.loc.0 as usize],
                    };
                    if r.source == ReadSource::Memory {
                        p.cached_from[core][r.loc.0 as usize] = from;
                    }
                    let missed = self.missed_by(p, core, r.loc, r.value, r.source);
                    fired.read = Some(ReadRecord {
                        loc: r.loc,
                        value: r.value,
                        source: r.source,
                        from,
                        old: r.source == ReadSource::StaleCache || missed.is_some(),
                        missed,
                    });
                }
                if let Some((loc, value)) = buffered {
                    let id = self.new_store(core, loc, value, index, None);
                    // A commit into the pair buffer (`power`), or a store
                    // into the core's own store buffer.
                    match pair {
                        // The buffer keeps its stores in a canonical order
                        // (`PairBuffer::push_store`): the new entry is
                        // where the buffers before and after first differ.
                        Some(g) => {
                            let was = before.pair_buffers[g].entries();
                            let now = after.pair_buffers[g].entries();
                            let at = was
                                .iter()
                                .zip(now)
                                .position(|(a, b)| a != b)
                                .unwrap_or(was.len());
                            let k = now[..at].iter().filter(|e| !e.is_marker()).count();
                            p.paired[g].insert(k, id);
                        }
                        None => p.buffered[core].push(id),
                    }
                    fired.store = Some(id);
                    for &hold in &p.markers[core] {
                        self.wmb_holds[hold].held.push(id);
                    }
                }
                if markers(after, core) > markers(before, core) {
                    p.markers[core].push_back(self.wmb_holds.len());
                    self.wmb_holds.push(WmbHold {
                        core,
                        source: fired.source.clone(),
                        from: index,
                        until: None,
                        held: Vec::new(),
                        waited_for: Vec::new(),
                    });
                }
                if let Some((loc, value)) = wrote {
                    let id = self.new_store(core, loc, value, index, Some(index));
                    fired.store = Some(id);
                    published = Some(id);
                }
            }
            Effect::Drain { loc, .. } if matches!(transition, Transition::PairDrain { .. }) => {
                let Transition::PairDrain { slot, .. } = transition else {
                    unreachable!()
                };
                let g = machine
                    .pair_of(before, core)
                    .expect("a pair drain of a paired core");
                let entries = before.pair_buffers[g].entries();
                let k = entries[..slot as usize]
                    .iter()
                    .filter(|e| !e.is_marker())
                    .count();
                let id = p.paired[g].remove(k);
                assert_eq!(self.stores[id].loc, loc);
                self.stores[id].visible = Some(index);
                fired.drained = Some(id);
                published = Some(id);
            }
            Effect::Drain { loc, .. } => {
                let Transition::Drain { slot, .. } = transition else {
                    unreachable!("a drain's effect comes from a drain");
                };
                let entries = before.cores[core].sb.entries();
                let k = entries[..slot as usize]
                    .iter()
                    .filter(|e| !e.is_marker())
                    .count();
                let id = p.buffered[core].remove(k);
                assert_eq!(self.stores[id].loc, loc);
                self.stores[id].visible = Some(index);
                fired.drained = Some(id);
                published = Some(id);
                // Every marker still in the buffer waited for this drain of a
                // store ahead of it; those that reached the head vanished.
                for &hold in &p.markers[core] {
                    self.wmb_holds[hold].waited_for.push(index);
                }
                for _ in markers(after, core)..markers(before, core) {
                    if let Some(hold) = p.markers[core].pop_front() {
                        self.wmb_holds[hold].until = Some(index);
                    }
                }
            }
            Effect::Invalidate { .. } => {
                if let Some(id) = p.queued[core].pop_front() {
                    self.invalidations[id].applied = Some(index);
                    fired.applied = Some(id);
                }
            }
            Effect::Evict { .. } | Effect::Guess { .. } | Effect::Pairing { .. } => {}
        }
        if let Some(id) = published {
            let loc = self.stores[id].loc;
            p.in_memory[loc.0 as usize] = Some(id);
            p.cached_from[core][loc.0 as usize] = Some(id);
            for d in (0..machine.cores()).filter(|&d| d != core) {
                if after.cores[d].iq.len() > before.cores[d].iq.len() {
                    let inv = self.invalidations.len();
                    self.invalidations.push(InvalidationRecord {
                        core: d,
                        loc,
                        arrived: index,
                        applied: None,
                    });
                    p.queued[d].push_back(inv);
                    fired.sent.push(inv);
                }
            }
        }
        self.fired.push(fired);
    }

    /// The newer store a read of `value` did not see: the one in memory for
    /// a stale copy; for a read from cache or memory, the newest store of
    /// another value to `loc` waiting in another core's buffer. Forwarding
    /// from the own buffer is the newest the core can see: it misses nothing.
    fn missed_by(
        &self,
        p: &Provenance,
        core: usize,
        loc: Loc,
        value: Value,
        source: ReadSource,
    ) -> Option<StoreId> {
        match source {
            ReadSource::StaleCache => p.in_memory[loc.0 as usize],
            ReadSource::StoreBuffer => None,
            ReadSource::Cache | ReadSource::Memory | ReadSource::PairBuffer => p
                .buffered
                .iter()
                .enumerate()
                .filter(|&(d, _)| d != core)
                .flat_map(|(_, ids)| ids.iter().copied())
                .filter(|&id| self.stores[id].loc == loc && self.stores[id].value != value)
                .max(),
        }
    }

    fn new_store(
        &mut self,
        core: usize,
        loc: Loc,
        value: Value,
        entered: usize,
        visible: Option<usize>,
    ) -> StoreId {
        self.stores.push(StoreRecord {
            core,
            loc,
            value,
            entered,
            visible,
        });
        self.stores.len() - 1
    }
}

/// How many `smp_wmb()` markers `core`'s store buffer holds.
/// The instances a transition squashed on each core (OUT-OF-ORDER.md 2,
/// rule 3), found by comparing the windows before and after it; the
/// machine does not report them. Only what is certain is counted:
///
/// * a memory instance (load, store, RMW, lock, RCU primitive) not done
///   before, other than the one performed, leaves a window only by a
///   squash (local instances may finish and retire at once);
/// * in a thread that only branches forward (pcs grow in program order), a
///   done instance that left while an older one (a smaller pc) is still in
///   the window cannot have retired: squashed.
fn squashes(
    machine: &Machine,
    before: &State,
    after: &State,
    transition: Transition,
) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for core in 0..machine.cores() {
        let thread = &machine.scenario.threads[core];
        let forward = thread.instrs.iter().enumerate().all(|(pc, i)| match *i {
            Instr::Branch { target, .. } | Instr::Jump { target } => target as usize > pc,
            _ => true,
        });
        let now: Vec<u16> = after.windows[core]
            .instances()
            .iter()
            .map(|i| i.pc)
            .collect();
        let oldest_left = now.iter().min().copied();
        let (mut unperformed, mut performed) = (0, 0);
        for (slot, i) in before.windows[core].instances().iter().enumerate() {
            if now.contains(&i.pc) {
                continue;
            }
            let this_one = transition
                == Transition::Perform {
                    core: core as u8,
                    slot: slot as u8,
                };
            let memory = thread.instrs[i.pc as usize].address().is_some()
                || matches!(thread.instrs[i.pc as usize], Instr::Rcu(_));
            if !i.done && memory && !this_one {
                unperformed += 1;
            } else if i.done && forward && oldest_left.is_some_and(|o| o < i.pc) {
                performed += 1;
            }
        }
        if unperformed + performed > 0 {
            out.push((core, unperformed, performed));
        }
    }
    out
}

fn markers(state: &State, core: usize) -> usize {
    state.cores[core]
        .sb
        .entries()
        .iter()
        .filter(|e| e.is_marker())
        .count()
}
