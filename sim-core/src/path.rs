//! The one checked path replayer: re-simulates a path of the LTS from the
//! initial state, checking each transition is enabled before applying it.
//!
//! Everything that re-runs a recorded or found path (witnesses, trace
//! verification, stories, stalls, minimizing) goes through [`PathReplay`],
//! so a path that does not belong to the machine is one typed error,
//! [`NotEnabled`], and never `apply` on a state where the transition cannot
//! fire (whose result MACHINE.md does not define).

use std::fmt;

use memory_model::{Effect, Machine, State, Transition};

/// A transition of a path that could not fire where the path put it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEnabled {
    /// Its index in the path (transitions fired before it).
    pub step: usize,
    pub transition: Transition,
    /// What was enabled instead, in `Machine::for_each_enabled` order.
    pub enabled: Vec<Transition>,
}

impl fmt::Display for NotEnabled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {}: {:?} is not enabled (enabled: {:?})",
            self.step, self.transition, self.enabled
        )
    }
}

impl std::error::Error for NotEnabled {}

/// A recorded transition that fired but did something else than recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectDiffers {
    /// Its index in the path.
    pub step: usize,
    pub transition: Transition,
    /// What it did on the machine.
    pub got: Effect,
    /// What the path says it did.
    pub recorded: Effect,
}

/// Why a recorded step (a transition and its effect) does not replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    NotEnabled(NotEnabled),
    EffectDiffers(EffectDiffers),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::NotEnabled(e) => e.fmt(f),
            Mismatch::EffectDiffers(d) => write!(
                f,
                "step {}: {:?} did {:?}, the path says {:?}",
                d.step, d.transition, d.got, d.recorded
            ),
        }
    }
}

impl std::error::Error for Mismatch {}

/// A machine and the state a path has reached on it so far.
///
/// After an error the state is the one before the refused transition: the
/// replay can be read, not continued as if the path had run.
#[derive(Clone, Debug)]
pub struct PathReplay<'m, 's> {
    machine: &'m Machine<'s>,
    state: State,
    fired: usize,
}

impl<'m, 's> PathReplay<'m, 's> {
    /// At the machine's initial state.
    pub fn new(machine: &'m Machine<'s>) -> Self {
        PathReplay {
            machine,
            state: machine.initial_state(),
            fired: 0,
        }
    }

    pub fn machine(&self) -> &'m Machine<'s> {
        self.machine
    }

    /// The state reached.
    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn into_state(self) -> State {
        self.state
    }

    /// How many transitions have fired.
    pub fn fired(&self) -> usize {
        self.fired
    }

    /// Fires `t` if it is enabled. Allocates nothing unless it is not.
    pub fn fire(&mut self, t: Transition) -> Result<Effect, NotEnabled> {
        if !self.machine.enabled(&self.state, t) {
            return Err(self.not_enabled(t));
        }
        let effect = self.machine.apply(&mut self.state, t);
        self.fired += 1;
        Ok(effect)
    }

    /// Fires `t` and checks it did what the path recorded (`recorded`).
    pub fn fire_effect(&mut self, t: Transition, recorded: &Effect) -> Result<Effect, Mismatch> {
        let step = self.fired;
        let got = self.fire(t).map_err(Mismatch::NotEnabled)?;
        if got != *recorded {
            return Err(Mismatch::EffectDiffers(EffectDiffers {
                step,
                transition: t,
                got,
                recorded: *recorded,
            }));
        }
        Ok(got)
    }

    /// Fires every transition of `path` in turn, stopping at the first
    /// that is not enabled.
    pub fn fire_all(
        &mut self,
        path: impl IntoIterator<Item = Transition>,
    ) -> Result<(), NotEnabled> {
        for t in path {
            self.fire(t)?;
        }
        Ok(())
    }

    fn not_enabled(&self, transition: Transition) -> NotEnabled {
        let mut enabled = Vec::new();
        self.machine
            .for_each_enabled(&self.state, |t| enabled.push(t));
        NotEnabled {
            step: self.fired,
            transition,
            enabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use memory_model::{Config, Machine, ModelName, Transition};
    use scenarios::builtin::builtin;

    use super::{Mismatch, PathReplay};

    fn sb_on_tso(f: impl FnOnce(&Machine)) {
        let scenario = builtin("SB").unwrap().scenario();
        let machine = Machine::new(
            &scenario,
            Config::new(ModelName::Tso, None, None, 4).unwrap(),
        );
        f(&machine);
    }

    #[test]
    fn a_transition_that_is_not_enabled_is_refused_naming_its_step_and_what_was() {
        sb_on_tso(|machine| {
            let mut replay = PathReplay::new(machine);
            // P0's first step buffers its store; only then can it drain.
            replay.fire(Transition::Step { core: 0 }).unwrap();
            let drain = Transition::Drain { core: 1, slot: 0 };
            let before = *replay.state();
            let e = replay.fire(drain).unwrap_err();
            assert_eq!(e.step, 1);
            assert_eq!(e.transition, drain);
            assert!(e.enabled.contains(&Transition::Drain { core: 0, slot: 0 }));
            assert!(e.enabled.contains(&Transition::Step { core: 1 }));
            assert!(!e.enabled.contains(&drain));
            // Refused: nothing fired, the state is the one before.
            assert_eq!(replay.fired(), 1);
            assert_eq!(*replay.state(), before);
            assert!(e.to_string().starts_with("step 1: Drain"), "{e}");
        });
    }

    #[test]
    fn fire_all_stops_at_the_first_refused_transition() {
        sb_on_tso(|machine| {
            let mut replay = PathReplay::new(machine);
            let path = [
                Transition::Step { core: 0 },
                Transition::Drain { core: 0, slot: 0 },
                Transition::Drain { core: 0, slot: 0 },
                Transition::Step { core: 1 },
            ];
            let e = replay.fire_all(path).unwrap_err();
            assert_eq!((e.step, e.transition), (2, path[2]));
            assert_eq!(replay.fired(), 2);
        });
    }

    #[test]
    fn fire_effect_refuses_another_effect_than_the_recorded_one() {
        sb_on_tso(|machine| {
            let mut other = PathReplay::new(machine);
            let p1 = other.fire(Transition::Step { core: 1 }).unwrap();
            let mut replay = PathReplay::new(machine);
            let p0 = Transition::Step { core: 0 };
            match replay.fire_effect(p0, &p1) {
                Err(Mismatch::EffectDiffers(d)) => {
                    assert_eq!((d.step, d.transition, d.recorded), (0, p0, p1));
                    assert_ne!(d.got, p1);
                }
                other => panic!("{other:?}"),
            }
            let mut again = PathReplay::new(machine);
            let got = again.fire(p0).unwrap();
            assert_eq!(PathReplay::new(machine).fire_effect(p0, &got), Ok(got));
        });
    }
}
