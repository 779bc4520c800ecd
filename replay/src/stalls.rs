//! When a core's next instruction could not fire, and why.
//!
//! A core stalls while its next instruction is not enabled on the machine
//! (`Machine::step_blocked`): a fence waiting for its store buffer or its
//! invalidation queue, an RMW waiting for its store buffer, a lock spin or an
//! `smp_cond_load` waiting for a value, a store waiting for a free slot. A
//! stall starts at the event after which the instruction could not fire (the
//! core's own previous step, when the instruction is blocked as soon as the
//! core reaches it) and ends at the event that enables it; the timed driver
//! fires a step that is due as soon as it is enabled. A core that an
//! interrupt keeps from executing is not held back by its instruction: a
//! stall starts no earlier than the end of the interrupt drawn after the
//! core's last step (the trace records it). A stall still open when a run
//! deadlocks is the blocked core's: the trace records its start (at the
//! latest the end of the run) as `blocked_since`.
//!
//! Stalls are derived from the fired transitions alone, so the same trace
//! gives the same stalls whether it was fuzzed or minimized, recorded by the
//! timed driver or replayed on the machine.

use memory_model::{BlockReason, Machine, State, Transition};

use crate::trace::Event;

/// A stall that has begun and not yet ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OpenStall {
    /// The instruction held back (its index in the thread).
    pub pc: u16,
    /// Why it could not fire when the stall began.
    pub reason: BlockReason,
    /// The fired transition (its index among the fired ones) after which it
    /// could not fire; `None`: from the start of the run.
    pub from: Option<usize>,
    /// The time of that transition, in cycles (0 from the start).
    pub since: u64,
}

/// Follows, transition by transition, which cores are stalled.
pub(crate) struct StallWatch {
    open: Vec<Option<OpenStall>>,
    /// For each core, the end of the interrupt drawn after its last step:
    /// its next instruction is not due before.
    not_before: Vec<u64>,
}

impl StallWatch {
    /// The stalls of the initial state: cores whose first instruction
    /// cannot fire.
    pub fn new(machine: &Machine, initial: &State) -> StallWatch {
        let mut watch = StallWatch {
            open: vec![None; machine.cores()],
            not_before: vec![0; machine.cores()],
        };
        watch.after(machine, initial, (None, None), 0);
        watch
    }

    /// `core` executes nothing until `to`: an interrupt drawn after its
    /// last step.
    pub fn interrupted(&mut self, core: usize, to: u64) {
        if let Some(n) = self.not_before.get_mut(core) {
            *n = to;
        }
        if let Some(Some(stall)) = self.open.get_mut(core) {
            stall.since = stall.since.max(to);
        }
    }

    /// Looks at every core after fired transition `from` (at `time`), a
    /// step of `stepped` if it was one, left `state`; returns the stalls
    /// that this transition ended, by core.
    pub fn after(
        &mut self,
        machine: &Machine,
        state: &State,
        (from, stepped): (Option<usize>, Option<usize>),
        time: u64,
    ) -> Vec<(usize, OpenStall)> {
        if let Some(core) = stepped {
            self.not_before[core] = 0;
        }
        let mut ended = Vec::new();
        for core in 0..machine.cores() {
            let blocked = machine.step_blocked(state, core);
            let pc = state.cores[core].pc;
            match (self.open[core], blocked) {
                (Some(stall), Some(_)) if stall.pc == pc => {}
                (open, blocked) => {
                    if let Some(stall) = open {
                        ended.push((core, stall));
                    }
                    self.open[core] = blocked.map(|reason| OpenStall {
                        pc,
                        reason,
                        from,
                        since: time.max(self.not_before[core]),
                    });
                }
            }
        }
        ended
    }

    /// `core`'s stall, if its next instruction cannot fire now.
    pub fn open(&self, core: usize) -> Option<OpenStall> {
        self.open[core]
    }
}

/// For each core, when its current stall began, re-simulating `events` on
/// the machine: `None` for a core whose next instruction can fire, or that
/// is done. The re-simulation stops at a transition that is not enabled (a
/// damaged trace, refused elsewhere).
pub(crate) fn stalled_since(machine: &Machine, events: &[Event]) -> Vec<Option<u64>> {
    let mut state = machine.initial_state();
    let mut watch = StallWatch::new(machine, &state);
    let mut index = 0;
    for event in events {
        match *event {
            Event::Fire {
                time, transition, ..
            } => {
                if !machine.enabled(&state, transition) {
                    break;
                }
                machine.apply(&mut state, transition);
                let stepped = match transition {
                    Transition::Step { core } => Some(core as usize),
                    Transition::Drain { .. }
                    | Transition::Invalidate { .. }
                    | Transition::Evict { .. } => None,
                };
                watch.after(machine, &state, (Some(index), stepped), time);
                index += 1;
            }
            Event::Interrupt { core, to, .. } => watch.interrupted(core as usize, to),
        }
    }
    (0..machine.cores())
        .map(|c| watch.open(c).map(|s| s.since))
        .collect()
}
