//! When a core's next instruction could not fire, and why.
//!
//! A core stalls while its next instruction is due but not enabled on the
//! machine (`Machine::step_blocked`): a fence waiting for its store buffer
//! or its invalidation queue, an RMW waiting for its store buffer, a lock
//! spin or an `smp_cond_load` waiting for a value, a store waiting for a
//! free slot. A stall starts when the instruction is both due and blocked:
//! the later of the transition after which it could not fire and the time
//! its step was due; it ends at the transition that enables it (the timed
//! driver fires a due step as soon as it is enabled). An instruction enabled
//! again before it was due was never held back. A stall still open when a
//! run deadlocks is the blocked core's: the trace records its start (at the
//! latest the end of the run) as `blocked_since`.
//!
//! When each step was due is not in a trace: for a fuzzed trace it comes
//! from re-running the timed driver on the trace's own draws
//! ([`step_dues`]). A minimized trace has no draws (nor interrupts, nor
//! delays but the least); there a step is taken as due from the transition
//! after the core's previous step.

use memory_model::{BlockReason, Machine, State, Transition};
use sim_core::{Decisions, Observer, PathReplay, TimedRun};

use crate::trace::{Event, Origin, Recorder, Trace};

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
    /// When it began, in cycles: the time of `from`, or the time the step
    /// was due if later.
    pub since: u64,
}

/// For each core, when each of its steps was due (`[c][k]`: its step
/// number `k`, from 0), as the timed driver scheduled them.
pub(crate) type StepDues = Vec<Vec<u64>>;

/// Records every event of a run and when each step was due.
#[derive(Default)]
pub(crate) struct DueRecorder {
    pub recorder: Recorder,
    pub dues: StepDues,
}

impl Observer for DueRecorder {
    fn transition(&mut self, time: u64, t: Transition, effect: &memory_model::Effect) {
        self.recorder.transition(time, t, effect);
    }

    fn interrupt(&mut self, core: usize, from: u64, to: u64) {
        self.recorder.interrupt(core, from, to);
    }

    fn step_due(&mut self, core: usize, due: u64) {
        if self.dues.len() <= core {
            self.dues.resize(core + 1, Vec::new());
        }
        self.dues[core].push(due);
    }
}

/// When each step of a fuzzed trace was due: the timed driver re-run on the
/// trace's draws. `None` for a minimized trace, or one the re-run does not
/// reproduce (refused by `verify` anyway).
pub(crate) fn step_dues(machine: &Machine, trace: &Trace) -> Option<StepDues> {
    let Origin::Fuzz { .. } = trace.origin else {
        return None;
    };
    let mut driver = TimedRun::new(machine, crate::verify::rerun_timing(trace));
    let mut decisions = Decisions::replay(trace.decisions.clone());
    let mut observer = DueRecorder::default();
    driver.run(&mut decisions, &mut observer);
    (observer.recorder.events == trace.events).then_some(observer.dues)
}

/// Follows, transition by transition, which cores are stalled.
pub(crate) struct StallWatch {
    open: Vec<Option<OpenStall>>,
    dues: Option<StepDues>,
    /// For each core, the steps it has fired.
    steps: Vec<usize>,
    /// For each core, when its next step is due (as far as is known).
    due: Vec<u64>,
}

impl StallWatch {
    /// The stalls of the initial state: cores whose first instruction
    /// cannot fire. `dues`: when each step was due, if known.
    pub fn new(machine: &Machine, initial: &State, dues: Option<StepDues>) -> StallWatch {
        let cores = machine.cores();
        let mut watch = StallWatch {
            open: vec![None; cores],
            dues,
            steps: vec![0; cores],
            due: vec![0; cores],
        };
        for core in 0..cores {
            watch.due[core] = watch.known_due(core).unwrap_or(0);
        }
        watch.after(machine, initial, None, None, 0);
        watch
    }

    fn known_due(&self, core: usize) -> Option<u64> {
        let dues = self.dues.as_ref()?;
        dues.get(core)?.get(self.steps[core]).copied()
    }

    /// Looks at every core after fired transition number `from`,
    /// `transition` at `time`, left `state`; returns the stalls that this
    /// transition ended, by core. An ended stall whose start is not before
    /// `time` was never held back.
    pub fn after(
        &mut self,
        machine: &Machine,
        state: &State,
        from: Option<usize>,
        transition: Option<Transition>,
        time: u64,
    ) -> Vec<(usize, OpenStall)> {
        if let Some(Transition::Step { core }) = transition {
            let core = core as usize;
            self.steps[core] += 1;
            self.due[core] = self.known_due(core).unwrap_or(0);
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
                        since: time.max(self.due[core]),
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
/// the machine (`dues`: when each step was due, if known): `None` for a
/// core whose next instruction can fire, or that is done. The
/// re-simulation stops at a transition that is not enabled (a damaged
/// trace, refused elsewhere).
pub(crate) fn stalled_since(
    machine: &Machine,
    events: &[Event],
    dues: Option<StepDues>,
) -> Vec<Option<u64>> {
    let mut replay = PathReplay::new(machine);
    let mut watch = StallWatch::new(machine, replay.state(), dues);
    for event in events {
        match *event {
            Event::Fire {
                time, transition, ..
            } => {
                let index = replay.fired();
                if replay.fire(transition).is_err() {
                    break;
                }
                watch.after(machine, replay.state(), Some(index), Some(transition), time);
            }
            Event::Interrupt { .. } => {}
        }
    }
    (0..machine.cores())
        .map(|c| watch.open(c).map(|s| s.since))
        .collect()
}
