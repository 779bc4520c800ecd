//! A path of the LTS told for a person: what each transition did, which
//! newer stores a load missed, and which drains and invalidations a held
//! back core (a fence, an RMW) was waiting for.
//!
//! The path itself stays whole (it is what replays); [`WitnessStep::is_reduction_move`]
//! says which steps are the exhaustive driver's bookkeeping, so a printer
//! can fold them away.

use memory_model::ir::Value;
use memory_model::out_of_order::UNPAIRED;
use memory_model::transition::Effect;
use memory_model::{BlockReason, Machine, Transition};

use crate::exhaustive::PathStep;
use crate::path::PathReplay;

/// A newer value of the location a load read that the load did not see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missed {
    /// Memory already held it (the load read a stale copy).
    Memory(Value),
    /// Another core's store buffer held it, not yet drained.
    StoreBuffer { core: usize, value: Value },
    /// Another SMT pair's shared buffer held it (`power`): `core` is the
    /// pair's first core, `sibling` the other.
    PairBuffer {
        core: usize,
        sibling: usize,
        value: Value,
    },
}

/// A core whose next instruction could not run when a drain or an
/// invalidation of its own happened: what it was waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// The blocked instruction (its index in the thread).
    pub pc: usize,
    pub reason: BlockReason,
}

/// One transition of a path and what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessStep {
    pub step: PathStep,
    pub effect: Effect,
    /// For a load from a copy or memory: the newer stores it did not see.
    pub missed: Vec<Missed>,
    /// For a drain or an invalidation: the core's own next instruction was
    /// held back until its buffers moved (a fence, an RMW, a full buffer).
    pub waiter: Option<Waiter>,
    /// Out of order: the older instructions of the same core (pcs, oldest
    /// first) that had not yet performed when this one did; what makes
    /// the step out of program order.
    pub ahead_of: Vec<usize>,
    /// Out of order: the SMT sibling a commit or a drain shares its buffer
    /// with (`power`).
    pub sibling: Option<usize>,
    /// For the choice of a pairing: its pairs of cores.
    pub pairs: Vec<(usize, usize)>,
}

impl WitnessStep {
    /// An eviction or an invalidation the driver made eagerly for a location
    /// its core never reads again: needed to replay, not to understand.
    pub fn is_reduction_move(&self) -> bool {
        self.step.eager
            && matches!(
                self.step.transition,
                Transition::Evict { .. } | Transition::Invalidate { .. }
            )
    }
}

/// Each step of `path` (from the initial state) with its effect, as
/// re-applied on `machine`. A witness found by the exhaustive driver is
/// made of real transitions, so one that does not replay is a defect of
/// wmsim: it panics, naming the step.
pub fn explain(machine: &Machine, path: &[PathStep]) -> Vec<WitnessStep> {
    let mut replay = PathReplay::new(machine);
    path.iter()
        .map(|&step| {
            let t = step.transition;
            let core = t.core();
            let before = *replay.state();
            let waiter = match t {
                Transition::Drain { .. } | Transition::Invalidate { .. } => {
                    waiting_for_buffers(machine, &before, core)
                }
                Transition::Step { .. }
                | Transition::Evict { .. }
                | Transition::Perform { .. }
                | Transition::Guess { .. }
                | Transition::PairDrain { .. }
                | Transition::Pairing { .. } => None,
            };
            let effect = replay
                .fire(t)
                .unwrap_or_else(|e| panic!("a witness does not replay: {e}"));
            let missed = match effect {
                Effect::Step {
                    read: Some(r),
                    published: None,
                    ..
                } if r.source != memory_model::transition::ReadSource::StoreBuffer => {
                    missed_stores(machine, &before, core, r)
                }
                _ => Vec::new(),
            };
            let ahead_of = match t {
                Transition::Perform { slot, .. } => before.windows[core].instances()
                    [..slot as usize]
                    .iter()
                    .filter(|i| !i.done && machine.orders_or_accesses(core, i.pc as usize))
                    .map(|i| i.pc as usize)
                    .collect(),
                _ => Vec::new(),
            };
            let sibling = match t {
                Transition::Perform { .. } | Transition::PairDrain { .. } => {
                    let unit = machine.unit_of(&before, core) & !(1u32 << core);
                    (unit != 0).then(|| unit.trailing_zeros() as usize)
                }
                _ => None,
            };
            let pairs = match t {
                Transition::Pairing { index } => {
                    let pairing = machine.pairings()[index as usize];
                    let mut pairs = Vec::new();
                    for a in 0..machine.cores() {
                        let partner = (a + 1..machine.cores())
                            .find(|&b| pairing[a] != UNPAIRED && pairing[b] == pairing[a]);
                        if let Some(b) = partner {
                            pairs.push((a, b));
                        }
                    }
                    pairs
                }
                _ => Vec::new(),
            };
            WitnessStep {
                step,
                effect,
                missed,
                waiter,
                ahead_of,
                sibling,
                pairs,
            }
        })
        .collect()
}

/// Whether `core`'s next instruction waits for its own buffers to move.
fn waiting_for_buffers(
    machine: &Machine,
    state: &memory_model::State,
    core: usize,
) -> Option<Waiter> {
    machine.next_instr(state, core)?;
    let reason = machine.step_blocked(state, core)?;
    match reason {
        BlockReason::FenceWaits
        | BlockReason::StoreBufferFull
        | BlockReason::RmwWaitsForStoreBuffer
        | BlockReason::AddressDependency => Some(Waiter {
            pc: state.cores[core].pc as usize,
            reason,
        }),
        BlockReason::InvalidationQueueFull
        | BlockReason::BadAddress
        | BlockReason::LockHeld
        | BlockReason::ConditionNotMet
        | BlockReason::GracePeriodWaitsForReaders => None,
    }
}

/// The values of `loc` newer than `read` that `core` could not see: in
/// memory, or in another core's store buffer.
fn missed_stores(
    machine: &Machine,
    state: &memory_model::State,
    core: usize,
    r: memory_model::transition::Read,
) -> Vec<Missed> {
    let (loc, read) = (r.loc, r.value);
    let mut missed = Vec::new();
    let mem = state.mem[loc.0 as usize];
    // A value read from a pair's buffer is newer than memory's.
    if mem != read && r.source != memory_model::transition::ReadSource::PairBuffer {
        missed.push(Missed::Memory(mem));
    }
    if machine.config.model.is_out_of_order() {
        let own = machine.unit_of(state, core);
        for first in 0..machine.cores() {
            let unit = machine.unit_of(state, first);
            if unit & own != 0 || unit.trailing_zeros() as usize != first {
                continue;
            }
            let Some(p) = machine.pair_of(state, first) else {
                continue;
            };
            if let Some(value) = state.pair_buffers[p].youngest(loc) {
                if value != read {
                    let sibling = (unit & !(1u32 << first)).trailing_zeros() as usize;
                    missed.push(Missed::PairBuffer {
                        core: first,
                        sibling,
                        value,
                    });
                }
            }
        }
        return missed;
    }
    for (other, c) in state.cores.iter().enumerate() {
        if other == core {
            continue;
        }
        if let Some(value) = c.sb.youngest(loc) {
            if value != read {
                missed.push(Missed::StoreBuffer { core: other, value });
            }
        }
    }
    missed
}

#[cfg(test)]
mod tests {
    use memory_model::{Config, Machine, ModelName, Transition};
    use scenarios::builtin::builtin;

    use super::{explain, Missed};
    use crate::{Exploration, ExploreOptions};

    fn sb_witness(model: ModelName) -> Vec<super::WitnessStep> {
        let scenario = builtin("SB").expect("built-in").scenario();
        let machine = Machine::new(&scenario, Config::new(model, None, None, 2).unwrap());
        let x = Exploration::run(&machine, ExploreOptions::default());
        let w = x.witness().expect("SB is Sometimes");
        explain(&machine, &x.steps_to(w.state))
    }

    #[test]
    fn a_load_on_tso_misses_the_other_cores_buffered_store() {
        let steps = sb_witness(ModelName::Tso);
        let missed: Vec<_> = steps.iter().flat_map(|s| s.missed.clone()).collect();
        // Partial-order reduction puts both stores in their buffers first
        // (nothing else sees a buffer): each load misses the other's.
        assert_eq!(
            missed,
            [
                Missed::StoreBuffer { core: 1, value: 1 },
                Missed::StoreBuffer { core: 0, value: 1 }
            ]
        );
        assert!(steps.iter().all(|s| !s.is_reduction_move()));
    }

    #[test]
    fn the_weak_witness_marks_only_eager_evictions_and_invalidations() {
        let steps = sb_witness(ModelName::Weak);
        let folded: Vec<_> = steps
            .iter()
            .filter(|s| s.is_reduction_move())
            .map(|s| s.step.transition)
            .collect();
        assert_eq!(folded.len(), 7);
        assert!(folded
            .iter()
            .all(|t| matches!(t, Transition::Evict { .. } | Transition::Invalidate { .. })));
        let missed: Vec<_> = steps.iter().flat_map(|s| s.missed.clone()).collect();
        // P0 misses P1's buffered y=1; P1 reads a stale x after P0's drain.
        assert_eq!(
            missed,
            [Missed::StoreBuffer { core: 1, value: 1 }, Missed::Memory(1)]
        );
    }

    #[test]
    fn an_out_of_order_witness_names_what_a_step_overtook_and_its_pair() {
        let lb = builtin("LB").expect("built-in").scenario();
        let machine = Machine::new(&lb, Config::new(ModelName::Arm, None, None, 2).unwrap());
        let x = Exploration::run(&machine, ExploreOptions::default());
        let steps = explain(&machine, &x.steps_to(x.witness().expect("LB on arm").state));
        // Each thread's store performs before its older load: the first
        // step of the witness overtakes a load.
        let overtaking = steps.iter().filter(|s| !s.ahead_of.is_empty()).count();
        assert!(overtaking >= 1, "{steps:?}");
        assert!(
            steps.iter().all(|s| s.sibling.is_none()),
            "arm has no pairs"
        );

        let sb = builtin("SB").expect("built-in").scenario();
        let machine = Machine::new(&sb, Config::new(ModelName::Power, None, None, 2).unwrap());
        let x = Exploration::run(&machine, ExploreOptions::default());
        let steps = explain(
            &machine,
            &x.steps_to(x.witness().expect("SB on power").state),
        );
        assert!(steps.iter().any(|s| s.sibling.is_some()), "{steps:?}");
    }

    #[test]
    #[should_panic(expected = "a witness does not replay: step 1: Drain { core: 1, slot: 0 }")]
    fn a_path_that_does_not_replay_is_named_at_its_step() {
        let scenario = builtin("SB").expect("built-in").scenario();
        let machine = Machine::new(
            &scenario,
            Config::new(ModelName::Tso, None, None, 2).unwrap(),
        );
        let step = |transition| crate::exhaustive::PathStep {
            transition,
            eager: false,
        };
        // P1 has stored nothing yet: it has nothing to drain.
        explain(
            &machine,
            &[
                step(Transition::Step { core: 0 }),
                step(Transition::Drain { core: 1, slot: 0 }),
            ],
        );
    }
}
