//! The timed driver on the out-of-order models `arm` and `power`
//! (OUT-OF-ORDER.md 4, "Timed driver").
//!
//! There is no per-core "next step" there: any instance in a window may
//! perform, and a pair buffer may drain, whenever the machine enables it.
//! So each enabled transition gets a due time when it first becomes enabled
//! (its latency class from its instruction, `LatencyClass::of_instance`: a
//! load hits or misses, drawn; a commit fetches its line for ownership; a
//! pair-buffer drain is an invalidation round trip), and the earliest
//! fires, ties broken by (drain before perform, core, slot); enabledness is
//! recomputed from `Machine::for_each_enabled` after every event. A due
//! time is dropped when its transition stops being enabled (a squash, a
//! lock taken by another core): it is drawn anew when it is enabled again.
//!
//! Due times are kept per (core, pc), not per window slot, because slots
//! shift as older instances retire. Litmus programs branch forward only, so
//! a window holds at most one instance of a pc; where a loop puts two in
//! it, they share a due time, which is a timing choice, never a wrong path.
//!
//! Guesses are the one exception: while one is pending nothing else is
//! enabled, so it fires at once, its direction drawn with even odds; how
//! long the speculation lasts is the latency of the load the branch's
//! condition waits for. The pairing (`power`) is drawn first, through the
//! decisions, unless the machine has only one.
//!
//! An interrupt (drawn after each perform, at `interrupt_per_million`)
//! keeps the core from issuing: an instance enabled during it is due only
//! after it ends. Instances already issued (a due time drawn) and pair
//! buffer drains go on, as commits under way do in hardware.

use memory_model::ir::Instr;
use memory_model::state::{PAIRING_UNCHOSEN, PAIRS_MAX};
use memory_model::Transition;

use super::{draw, Observer, RunEnd, TimedRun};
use crate::decision::Decisions;
use crate::event_queue::NEVER;
use crate::latency::LatencyClass;

/// Tie-break between kinds at equal times: a drain before a perform, as
/// the in-order driver drains before it steps.
const DRAIN: u8 = 0;
const PERFORM: u8 = 1;

/// Chance that a load from memory misses. Even odds: a younger load then
/// often completes before an older one, without either being the rule.
const LOAD_MISS_PER_MILLION: u32 = 500_000;

/// Chance that a guess takes the branch: even odds, so that both ways of
/// every branch are speculated on (the exhaustive driver forks on both).
const GUESS_TAKEN_PER_MILLION: u32 = 500_000;

/// Per-run state of the out-of-order path, reused from run to run: no
/// allocation inside a run once the first has sized the vectors.
pub(super) struct OutOfOrder {
    /// Due time of each core's instance of each pc (`NEVER`: none drawn).
    due: Vec<Box<[u64]>>,
    /// The round in which each (core, pc) was last seen enabled, to drop
    /// the due times of instances no longer enabled.
    seen: Vec<Box<[u32]>>,
    /// Due time of each pair buffer's next drain.
    drain_due: [u64; PAIRS_MAX],
    drain_seen: [u32; PAIRS_MAX],
    /// When each core starts issuing (the start skew), and when its current
    /// interrupt ends.
    start: [u64; memory_model::ir::CORES_MAX],
    busy_until: [u64; memory_model::ir::CORES_MAX],
    /// The transitions enabled in the current state, in
    /// `for_each_enabled`'s order.
    enabled: Vec<Transition>,
}

impl OutOfOrder {
    pub(super) fn new(instrs_per_core: impl Iterator<Item = usize>) -> OutOfOrder {
        let sizes: Vec<usize> = instrs_per_core.collect();
        OutOfOrder {
            due: sizes.iter().map(|&n| vec![NEVER; n].into()).collect(),
            seen: sizes.iter().map(|&n| vec![0; n].into()).collect(),
            drain_due: [NEVER; PAIRS_MAX],
            drain_seen: [0; PAIRS_MAX],
            start: [0; memory_model::ir::CORES_MAX],
            busy_until: [0; memory_model::ir::CORES_MAX],
            enabled: Vec::with_capacity(512),
        }
    }
}

impl TimedRun<'_, '_> {
    /// One run on an out-of-order model (see the module's comment).
    pub(super) fn run_out_of_order<O: Observer>(
        &mut self,
        decisions: &mut Decisions,
        observer: &mut O,
    ) -> RunEnd {
        let m = self.machine;
        // Windows, pair buffers and the pairing change too: the whole state.
        self.state = self.initial;
        self.now = 0;
        self.steps = 0;
        let ooo = &mut self.ooo;
        for due in &mut ooo.due {
            due.fill(NEVER);
        }
        for seen in &mut ooo.seen {
            seen.fill(0);
        }
        ooo.drain_due = [NEVER; PAIRS_MAX];
        ooo.drain_seen = [0; PAIRS_MAX];
        ooo.busy_until = [0; memory_model::ir::CORES_MAX];
        // Several pairings (power, none fixed by `--smt-pairs`): one drawn.
        if self.state.pairing == PAIRING_UNCHOSEN {
            let index = decisions.choose(m.pairings().len()) as u8;
            self.fire_transition(Transition::Pairing { index }, observer);
        }
        for c in 0..m.cores() {
            self.ooo.start[c] = draw(decisions, self.timing.start_skew);
        }
        let mut round = 0u32;
        loop {
            if m.is_complete(&self.state) {
                return RunEnd::Complete;
            }
            if self.steps >= self.timing.steps_max {
                return RunEnd::BoundExceeded;
            }
            round += 1;
            let enabled = &mut self.ooo.enabled;
            enabled.clear();
            m.for_each_enabled(&self.state, |t| enabled.push(t));
            let Some(&first) = self.ooo.enabled.first() else {
                return RunEnd::Deadlock;
            };
            if let Transition::Guess { core, .. } = first {
                let taken = decisions.chance(GUESS_TAKEN_PER_MILLION);
                self.fire_transition(Transition::Guess { core, taken }, observer);
                continue;
            }
            let next = self.earliest_out_of_order(round, decisions);
            self.drop_stale_dues(round);
            let (time, kind, core, slot) = next;
            assert!(time >= self.now, "time went back");
            self.now = time;
            let c = core as usize;
            if kind == DRAIN {
                let p = m.pair_of(&self.state, c).expect("a drain of a paired core");
                self.ooo.drain_due[p] = NEVER;
                // Which entry: a drawn one among those enabled, in slot order.
                let drainable = self
                    .ooo
                    .enabled
                    .iter()
                    .filter(|t| matches!(t, Transition::PairDrain { core: d, .. } if *d == core))
                    .count();
                let pick = decisions.choose(drainable);
                let t = self
                    .ooo
                    .enabled
                    .iter()
                    .copied()
                    .filter(|t| matches!(t, Transition::PairDrain { core: d, .. } if *d == core))
                    .nth(pick)
                    .expect("a drainable entry");
                self.fire_transition(t, observer);
            } else {
                let pc = self.state.windows[c].instances()[slot as usize].pc as usize;
                self.ooo.due[c][pc] = NEVER;
                self.fire_transition(Transition::Perform { core, slot }, observer);
                if decisions.chance(self.timing.interrupt_per_million) {
                    let duration = draw(decisions, self.timing.interrupt_duration);
                    self.ooo.busy_until[c] = self.now + duration;
                    observer.interrupt(c, self.now, self.now + duration);
                }
            }
        }
    }

    /// Gives every enabled transition without a due time one, marks it seen
    /// in `round`, and returns the earliest as (time, kind, core, slot).
    fn earliest_out_of_order(
        &mut self,
        round: u32,
        decisions: &mut Decisions,
    ) -> (u64, u8, u8, u8) {
        let m = self.machine;
        let mut best = (NEVER, u8::MAX, u8::MAX, u8::MAX);
        for i in 0..self.ooo.enabled.len() {
            let t = self.ooo.enabled[i];
            let key = match t {
                Transition::Perform { core, slot } => {
                    let c = core as usize;
                    let pc = self.state.windows[c].instances()[slot as usize].pc as usize;
                    self.ooo.seen[c][pc] = round;
                    if self.ooo.due[c][pc] == NEVER {
                        let from = self.now.max(self.ooo.start[c]).max(self.ooo.busy_until[c]);
                        let class = self.class_of(t, decisions);
                        let latency = draw(decisions, class.cycles(&self.timing));
                        self.ooo.due[c][pc] = from + latency;
                    }
                    (self.ooo.due[c][pc].max(self.now), PERFORM, core, slot)
                }
                Transition::PairDrain { core, slot } => {
                    let p = m
                        .pair_of(&self.state, core as usize)
                        .expect("a paired core");
                    self.ooo.drain_seen[p] = round;
                    if self.ooo.drain_due[p] == NEVER {
                        let class = LatencyClass::InvalidationRoundTrip;
                        let latency = draw(decisions, class.cycles(&self.timing));
                        self.ooo.drain_due[p] = self.now + latency;
                    }
                    (self.ooo.drain_due[p].max(self.now), DRAIN, core, slot)
                }
                _ => unreachable!("{t:?} beside other enabled transitions"),
            };
            best = best.min(key);
        }
        best
    }

    /// Drops the due times of the instances and drains not enabled in
    /// `round`: an instance squashed, or blocked again, issues anew.
    fn drop_stale_dues(&mut self, round: u32) {
        let ooo = &mut self.ooo;
        for (due, seen) in ooo.due.iter_mut().zip(&ooo.seen) {
            for (d, &s) in due.iter_mut().zip(seen.iter()) {
                if s != round {
                    *d = NEVER;
                }
            }
        }
        for (d, &s) in ooo.drain_due.iter_mut().zip(&ooo.drain_seen) {
            if s != round {
                *d = NEVER;
            }
        }
    }

    /// The latency class of an enabled perform, from its instruction (not
    /// from applying it to a copy of the state: that settles every core and
    /// made runs several times slower). A load draws whether it misses
    /// (there are no caches to say): a load then often overtakes an older
    /// one that missed, which is what out-of-order hardware shows.
    fn class_of(&self, t: Transition, decisions: &mut Decisions) -> LatencyClass {
        let Transition::Perform { core, slot } = t else {
            unreachable!("a class asked for {t:?}");
        };
        let c = core as usize;
        let pc = self.state.windows[c].instances()[slot as usize].pc as usize;
        let instr = self.machine.scenario.threads[c].instrs[pc];
        let miss = matches!(instr, Instr::Load { .. } | Instr::CondLoad { .. })
            && decisions.chance(LOAD_MISS_PER_MILLION);
        LatencyClass::of_instance(&instr, miss)
    }
}
