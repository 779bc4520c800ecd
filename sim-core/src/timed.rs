//! The timed driver: one run of the LTS where every transition fires at a
//! drawn time.
//!
//! Each core has a due time for its next step, drain, invalidation and
//! eviction (`event_queue::Agenda`). The earliest enabled one fires; a step
//! that is not enabled when due (a fence waiting for its queues, a held lock)
//! fires as soon as it becomes enabled. Every latency comes from
//! `Decisions`, so a run is a function of (scenario, configuration, timing,
//! seed, run index), and every run is a path the exhaustive driver knows:
//! this module only chooses among `Machine::enabled` transitions and fires
//! them with `Machine::apply`.
//!
//! Speed: the state is reset in place, and which events may fire is kept
//! per core and recomputed after an event only for the cores it can have
//! changed (`update_enabled` says which), each core's earliest such event
//! kept as one packed word (`ready`), so that the next event is a minimum
//! over one word per core; under memory-model's checks every incremental
//! value is compared with a full recomputation.

use memory_model::ir::{Address, Loc, CORES_MAX};
use memory_model::state::CoreStatus;
use memory_model::{Effect, Machine, State, Transition};

use crate::decision::Decisions;
use crate::event_queue::{Agenda, Earliest, EventKey, EventKind, KINDS, NEVER};
use crate::latency::LatencyClass;
use crate::timing::{CacheStart, Cycles, Timing};

mod out_of_order;

/// How a run ended (MACHINE.md, "How a run ends").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RunEnd {
    /// Every core done and every store buffer empty: a final state.
    Complete,
    /// Nothing can fire and some core is not done.
    Deadlock,
    /// The step bound was reached first.
    BoundExceeded,
}

/// What a run reports as it goes, for traces and timelines. The default
/// methods do nothing, so a fuzz run that records nothing pays nothing.
pub trait Observer {
    fn transition(&mut self, _time: u64, _t: Transition, _effect: &Effect) {}
    /// `core` is interrupted: it executes nothing from `from` to `to`.
    fn interrupt(&mut self, _core: usize, _from: u64, _to: u64) {}
    /// `core`'s next step is due at `due`: it fires then, or as soon after
    /// as it is enabled. Told at the start and after each of its steps.
    fn step_due(&mut self, _core: usize, _due: u64) {}
}

/// Records nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// One timed run's worth of state, reused from run to run.
pub struct TimedRun<'m, 's> {
    machine: &'m Machine<'s>,
    timing: Timing,
    /// `machine.initial_state()`, built once: a run starts by copying the
    /// cores the scenario uses and its locations out of it, not by
    /// rebuilding (and copying) the whole fixed-size state.
    initial: State,
    /// `Machine::is_nothing` for each core and pc, asked once per step.
    nothing: Vec<Box<[bool]>>,
    state: State,
    agenda: Agenda,
    /// Per core, whether its next step is enabled and which drains of its
    /// store buffer are (one bit per slot, `Machine::drainable_slots`): kept
    /// up to date after each event for the cores the event can have changed
    /// (`update_enabled`), not recomputed for every core before every event.
    step_enabled: [bool; CORES_MAX],
    drainable: [u32; CORES_MAX],
    /// For each core, its earliest event that may fire as an `EventKey`
    /// packed in a `u64` (`pack`), else `NEVER`: the agenda masked by
    /// enabledness and refreshed with it, so that finding the earliest event
    /// is a minimum over one word per core. An overdue event (a step enabled
    /// after its due time) counts as due at the refresh; no later event can
    /// come before it, as every event fires at the least of these times.
    ready: [u64; CORES_MAX],
    now: u64,
    steps: u32,
    /// The out-of-order path's due times (OUT-OF-ORDER.md 4), unused on
    /// the in-order models.
    ooo: out_of_order::OutOfOrder,
}

impl<'m, 's> TimedRun<'m, 's> {
    pub fn new(machine: &'m Machine<'s>, timing: Timing) -> TimedRun<'m, 's> {
        let initial = machine.initial_state();
        let nothing = (0..machine.cores())
            .map(|c| {
                let instrs = machine.scenario.threads[c].instrs.len();
                (0..instrs).map(|pc| machine.is_nothing(c, pc)).collect()
            })
            .collect();
        TimedRun {
            machine,
            timing,
            initial,
            nothing,
            state: initial,
            agenda: Agenda::default(),
            step_enabled: [false; CORES_MAX],
            drainable: [0; CORES_MAX],
            ready: [NEVER; CORES_MAX],
            now: 0,
            steps: 0,
            ooo: out_of_order::OutOfOrder::new(
                machine.scenario.threads.iter().map(|t| t.instrs.len()),
            ),
        }
    }

    /// The state the last run ended in.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Simulated time at the end of the last run, in cycles.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Transitions fired by the last run.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Runs from the initial state until the run ends.
    pub fn run<O: Observer>(&mut self, decisions: &mut Decisions, observer: &mut O) -> RunEnd {
        let m = self.machine;
        if m.config.model.is_out_of_order() {
            return self.run_out_of_order(decisions, observer);
        }
        self.reset_state();
        self.agenda.clear();
        self.now = 0;
        self.steps = 0;
        self.start_caches(decisions, observer);
        for c in 0..m.cores() {
            let due = draw(decisions, self.timing.start_skew);
            self.agenda.set(c, EventKind::Step, due);
            observer.step_due(c, due);
            if m.copies_can_be_stale() {
                let due = draw(decisions, self.timing.eviction_interval);
                self.agenda.set(c, EventKind::Evict, due);
            }
        }
        for c in 0..m.cores() {
            self.refresh_enabled(c);
            self.refresh_ready(c);
        }
        // Only a step (a core becomes done) or a drain (a store buffer
        // empties) can complete a run, and only when it leaves its own core
        // done with an empty buffer: it changes no other core's status or
        // buffer, and the run was not complete before it.
        let mut may_complete = true;
        loop {
            if may_complete && m.is_complete(&self.state) {
                return RunEnd::Complete;
            }
            if m.checks_enabled() {
                assert!(may_complete || !m.is_complete(&self.state));
            }
            if self.steps >= self.timing.steps_max {
                return RunEnd::BoundExceeded;
            }
            let Some(next) = self.earliest() else {
                return RunEnd::Deadlock;
            };
            assert!(next.time >= self.now, "time went back");
            self.now = next.time;
            self.fire(next, decisions, observer);
            let core = &self.state.cores[next.core as usize];
            may_complete = matches!(next.kind, EventKind::Step | EventKind::Drain)
                && core.status == CoreStatus::Done
                && core.sb.is_empty();
        }
    }

    /// Puts the state back to the initial one. Only the scenario's cores
    /// and locations ever change (transitions touch nothing else), so only
    /// they are copied.
    fn reset_state(&mut self) {
        let (cores, locations) = (self.machine.cores(), self.machine.locations());
        self.state.cores[..cores].copy_from_slice(&self.initial.cores[..cores]);
        self.state.mem[..locations].copy_from_slice(&self.initial.mem[..locations]);
        if self.machine.checks_enabled() {
            assert_eq!(self.state, self.initial, "a reset left a change behind");
        }
    }

    /// Cold and drawn starts: `Evict` transitions at time 0.
    fn start_caches<O: Observer>(&mut self, decisions: &mut Decisions, observer: &mut O) {
        let m = self.machine;
        if self.timing.cache_start == CacheStart::Warm {
            return;
        }
        for c in 0..m.cores() {
            for l in 0..m.locations() {
                let evict = match self.timing.cache_start {
                    CacheStart::Cold => true,
                    CacheStart::Drawn => decisions.chance(500_000),
                    CacheStart::Warm => false,
                };
                if evict {
                    let t = Transition::Evict {
                        core: c as u8,
                        loc: Loc(l as u8),
                    };
                    self.fire_transition(t, observer);
                }
            }
        }
    }

    /// The earliest enabled event, or `None` when nothing can fire: the
    /// least of the cores' packed keys, which order as (time, kind, core)
    /// as `Earliest` does (checked against it under the checks).
    fn earliest(&self) -> Option<EventKey> {
        let m = self.machine;
        let best = self.ready[..m.cores()]
            .iter()
            .fold(NEVER, |best, &key| best.min(key));
        let best = (best != NEVER).then(|| unpack(best));
        if m.checks_enabled() {
            self.check_enabled();
            for c in 0..m.cores() {
                let mut expected = NEVER;
                for kind in [
                    EventKind::Invalidate,
                    EventKind::Drain,
                    EventKind::Step,
                    EventKind::Evict,
                ] {
                    let due = self.ready_time(c, kind);
                    if due != NEVER {
                        expected = expected.min(pack(due.max(self.now), kind, c));
                    }
                }
                assert_eq!(self.ready[c], expected, "stale earliest event of core {c}");
            }
            assert_eq!(best, self.earliest_offered(), "earliest event differs");
        }
        best
    }

    /// When the event of `kind` at `c` is due if it may fire, else `NEVER`.
    fn ready_time(&self, c: usize, kind: EventKind) -> u64 {
        if self.is_enabled(c, kind) {
            self.agenda.due(c, kind)
        } else {
            NEVER
        }
    }

    /// Refreshes `c`'s earliest event in `ready` from the agenda and
    /// enabledness.
    fn refresh_ready(&mut self, c: usize) {
        let mut best = NEVER;
        for kind in [
            EventKind::Invalidate,
            EventKind::Drain,
            EventKind::Step,
            EventKind::Evict,
        ] {
            let due = self.ready_time(c, kind);
            if due != NEVER {
                best = best.min(pack(due.max(self.now), kind, c));
            }
        }
        self.ready[c] = best;
    }

    /// Whether an event of `kind` at core `c` may fire now.
    fn is_enabled(&self, c: usize, kind: EventKind) -> bool {
        let core = &self.state.cores[c];
        match kind {
            EventKind::Invalidate => !core.iq.is_empty(),
            EventKind::Drain => self.drainable[c] != 0,
            EventKind::Step => self.step_enabled[c],
            EventKind::Evict => core.cache.valid_mask() != 0,
        }
    }

    /// `earliest` by offering every enabled event to `Earliest`, to check it.
    fn earliest_offered(&self) -> Option<EventKey> {
        let mut best = Earliest::default();
        for c in 0..self.machine.cores() {
            for kind in [
                EventKind::Invalidate,
                EventKind::Drain,
                EventKind::Step,
                EventKind::Evict,
            ] {
                let due = self.agenda.due(c, kind);
                if due != NEVER && self.is_enabled(c, kind) {
                    best.offer(EventKey {
                        time: due.max(self.now),
                        kind,
                        core: c as u8,
                    });
                }
            }
        }
        best.get()
    }

    /// Recomputes whether `c`'s step and which drains of `c` are enabled.
    fn refresh_enabled(&mut self, c: usize) {
        self.step_enabled[c] = self.machine.step_enabled(&self.state, c);
        self.drainable[c] = self.machine.drainable_slots(&self.state, c);
    }

    /// After a transition of `core`, recomputes enabledness where it can
    /// have changed. A core's step and drains depend on its own state, on
    /// memory, and on other cores only through back-pressure (a holder of
    /// the line whose invalidation queue is full). A transition changes
    /// memory and other cores only when it publishes (a drain, a
    /// write-through store, an RMW or lock that writes); back-pressure is
    /// false everywhere while no queue is full. So only `core` changes,
    /// unless the transition `published` or a queue was or is full
    /// (`queue_was_full`: before the transition).
    ///
    /// A publish of `x` with no queue full changes, at another core, no
    /// store buffer (its drains stay as they were), memory and its copy
    /// only at `x`, and its invalidation queue only by a push (it is then
    /// not empty). So only a step that goes to `x`, goes through a register
    /// (waiting for the queue), or has a queue to wait for can change there.
    ///
    /// Returns the cores whose events may have changed. `everywhere`
    /// forces a full recomputation (a queue was full, or an RCU reader
    /// moved).
    fn update_enabled(
        &mut self,
        core: usize,
        published: Option<Loc>,
        everywhere: bool,
    ) -> std::ops::Range<usize> {
        let cores = self.machine.cores();
        if everywhere || self.some_queue_full() {
            for c in 0..cores {
                self.refresh_enabled(c);
            }
            return 0..cores;
        }
        self.refresh_enabled(core);
        let Some(loc) = published else {
            return core..core + 1;
        };
        for c in (0..cores).filter(|&c| c != core) {
            if self.step_may_see(c, loc) {
                self.step_enabled[c] = self.machine.step_enabled(&self.state, c);
            }
        }
        0..cores
    }

    /// Whether a publish of `loc` (no queue full) can change whether `c`'s
    /// next step is enabled.
    fn step_may_see(&self, c: usize, loc: Loc) -> bool {
        if !self.state.cores[c].iq.is_empty() {
            return true;
        }
        match self
            .machine
            .next_instr(&self.state, c)
            .and_then(|i| i.address())
        {
            Some(Address::Direct(l)) => l == loc,
            Some(Address::Indirect(_)) => true,
            None => false,
        }
    }

    /// Whether some core's invalidation queue is full, so that a write to
    /// a line it holds is back-pressured.
    fn some_queue_full(&self) -> bool {
        let depth = self.machine.config.iq_depth as usize;
        depth > 0
            && self.state.cores[..self.machine.cores()]
                .iter()
                .any(|core| core.iq.len() >= depth)
    }

    /// The incremental enabledness equals a full recomputation (under the
    /// checks: a wrong update fails the tests).
    fn check_enabled(&self) {
        for c in 0..self.machine.cores() {
            assert_eq!(
                self.step_enabled[c],
                self.machine.step_enabled(&self.state, c),
                "stale step enabledness of core {c}"
            );
            let drainable = (0..self.state.cores[c].sb.len())
                .filter(|&slot| self.drain_enabled(c, slot))
                .fold(0u32, |mask, slot| mask | 1 << slot);
            assert_eq!(
                self.drainable[c], drainable,
                "stale drain enabledness of core {c}"
            );
        }
    }

    fn drain_enabled(&self, c: usize, slot: usize) -> bool {
        self.machine.enabled(
            &self.state,
            Transition::Drain {
                core: c as u8,
                slot: slot as u8,
            },
        )
    }

    fn fire<O: Observer>(&mut self, event: EventKey, decisions: &mut Decisions, observer: &mut O) {
        let c = event.core as usize;
        let core = event.core;
        let queue_was_full = self.some_queue_full();
        let nest_before = self.state.cores[c].nest;
        let effect = match event.kind {
            EventKind::Invalidate => {
                self.agenda.set(c, EventKind::Invalidate, NEVER);
                self.fire_transition(Transition::Invalidate { core }, observer)
            }
            EventKind::Drain => {
                self.agenda.set(c, EventKind::Drain, NEVER);
                let slot = self.choose_drain(c, decisions);
                let t = Transition::Drain {
                    core,
                    slot: slot as u8,
                };
                self.fire_transition(t, observer)
            }
            EventKind::Step => {
                let effect = self.fire_transition(Transition::Step { core }, observer);
                // A fence that is nothing here (`smp_wmb()` on tso) is
                // `barrier()`, which lowers to nothing: it takes no time and
                // draws nothing, so the two programs run alike.
                let nothing = matches!(effect, Effect::Step { pc, .. }
                    if self.nothing[c][pc as usize]);
                let mut latency = if nothing {
                    0
                } else {
                    self.step_latency(&effect, decisions)
                };
                if !nothing && decisions.chance(self.timing.interrupt_per_million) {
                    let from = self.now + latency;
                    let duration = draw(decisions, self.timing.interrupt_duration);
                    latency += duration;
                    observer.interrupt(c, from, from + duration);
                }
                self.agenda.set(c, EventKind::Step, self.now + latency);
                observer.step_due(c, self.now + latency);
                effect
            }
            EventKind::Evict => {
                let valid = self.state.cores[c].cache.valid_mask();
                let pick = decisions.choose(valid.count_ones() as usize);
                let loc = Loc(nth_set_bit(valid, pick) as u8);
                let effect = self.fire_transition(Transition::Evict { core, loc }, observer);
                let due = self.now + draw(decisions, self.timing.eviction_interval);
                self.agenda.set(c, EventKind::Evict, due);
                effect
            }
        };
        // Memory and other cores change only when a transition publishes.
        let published = match effect {
            Effect::Drain { loc, .. }
            | Effect::Step {
                published: Some((loc, _)),
                ..
            } => Some(loc),
            _ => None,
        };
        // A reader entering or leaving its critical section enables or
        // disables every other core's grace period: all are rechecked.
        let reader_moved = self.state.cores[c].nest != nest_before;
        let changed = self.update_enabled(c, published, queue_was_full || reader_moved);
        // The agenda changed at `c` and where `schedule_queues` scheduled,
        // which is among the `changed` cores.
        self.schedule_queues(changed.clone(), decisions);
        for c in changed {
            self.refresh_ready(c);
        }
    }

    /// Which enabled drain fires: under FIFO the head; per location, a drawn
    /// one among those enabled, counted in slot order.
    fn choose_drain(&self, c: usize, decisions: &mut Decisions) -> usize {
        let enabled = self.drainable[c];
        assert!(enabled != 0, "a drain event with no enabled drain");
        let pick = decisions.choose(enabled.count_ones() as usize);
        nth_set_bit(enabled, pick) as usize
    }

    fn fire_transition<O: Observer>(&mut self, t: Transition, observer: &mut O) -> Effect {
        if self.machine.checks_enabled() {
            assert!(
                self.machine.enabled(&self.state, t),
                "timed driver fired {t:?} while not enabled"
            );
        }
        let effect = self.machine.apply(&mut self.state, t);
        self.steps += 1;
        observer.transition(self.now, t, &effect);
        effect
    }

    /// A store buffer or invalidation queue that holds entries and has no
    /// event due gets one. Only the `touched` cores can need one (every
    /// other core met this after the previous event and has not changed),
    /// and they are visited in core order, so the draws are those a visit
    /// of every core makes.
    fn schedule_queues(&mut self, touched: std::ops::Range<usize>, decisions: &mut Decisions) {
        for c in touched {
            let core = &self.state.cores[c];
            if !core.sb.is_empty() && !self.agenda.is_pending(c, EventKind::Drain) {
                let latency = self.drain_latency(c, decisions);
                self.agenda.set(c, EventKind::Drain, self.now + latency);
            }
            let core = &self.state.cores[c];
            if !core.iq.is_empty() && !self.agenda.is_pending(c, EventKind::Invalidate) {
                let latency = draw(
                    decisions,
                    LatencyClass::QueueProcessing.cycles(&self.timing),
                );
                self.agenda
                    .set(c, EventKind::Invalidate, self.now + latency);
            }
        }
        if self.machine.checks_enabled() {
            for (c, core) in self.state.cores[..self.machine.cores()].iter().enumerate() {
                assert!(
                    core.sb.is_empty() || self.agenda.is_pending(c, EventKind::Drain),
                    "core {c}'s store buffer has no drain due"
                );
                assert!(
                    core.iq.is_empty() || self.agenda.is_pending(c, EventKind::Invalidate),
                    "core {c}'s invalidation queue has no invalidation due"
                );
            }
        }
    }

    /// An owned line drains fast; one that other cores hold must invalidate
    /// them first.
    fn drain_latency(&self, c: usize, decisions: &mut Decisions) -> u64 {
        let head = self.state.cores[c]
            .sb
            .entries()
            .iter()
            .find_map(|e| e.store());
        let shared = head.is_some_and(|(loc, _)| self.held_elsewhere(c, loc));
        draw(decisions, LatencyClass::write(shared).cycles(&self.timing))
    }

    fn held_elsewhere(&self, c: usize, loc: Loc) -> bool {
        self.state.cores[..self.machine.cores()]
            .iter()
            .enumerate()
            .any(|(d, core)| d != c && core.cache.is_valid(loc))
    }

    /// How long the instruction just executed keeps the core busy.
    fn step_latency(&self, effect: &Effect, decisions: &mut Decisions) -> u64 {
        debug_assert!(matches!(effect, Effect::Step { .. }));
        draw(decisions, LatencyClass::of(effect).cycles(&self.timing))
    }
}

/// Bits of a packed key below its time: the kind (2 bits) then the core
/// (3 bits, `CORES_MAX` 8).
const KEY_SHIFT: u32 = 5;

/// `EventKey { time, kind, core }` as one word that orders as the key does.
/// Times stay far below 2^59 cycles: a run is at most `steps_max` (a `u32`)
/// transitions of at most a few `u32` cycle draws each.
fn pack(time: u64, kind: EventKind, core: usize) -> u64 {
    const _: () = assert!(CORES_MAX <= 8 && KINDS <= 4);
    assert!(time < NEVER >> KEY_SHIFT, "simulated time overflows");
    time << KEY_SHIFT | (kind as u64) << 3 | core as u64
}

fn unpack(key: u64) -> EventKey {
    let kind = match (key >> 3) & 3 {
        0 => EventKind::Invalidate,
        1 => EventKind::Drain,
        2 => EventKind::Step,
        _ => EventKind::Evict,
    };
    EventKey {
        time: key >> KEY_SHIFT,
        kind,
        core: (key & 7) as u8,
    }
}

fn draw(decisions: &mut Decisions, c: Cycles) -> u64 {
    decisions.range(c.min, c.max) as u64
}

/// The index of the `n`th (from 0) lowest set bit of `mask`.
fn nth_set_bit(mut mask: u32, n: usize) -> u32 {
    for _ in 0..n {
        mask &= mask - 1;
    }
    mask.trailing_zeros()
}
