//! A fuzz campaign: many timed runs of one scenario, counted by outcome.
//!
//! Run `i` of seed `s` draws from its own stream (`Decisions::seeded(s, i)`),
//! so a campaign split into ranges of runs, run on any number of threads or
//! machines and merged, counts exactly what one sequential campaign counts.

use std::collections::BTreeMap;
use std::ops::Range;

use memory_model::ir::Value;
use memory_model::Machine;
use rustc_hash::FxHashMap;

use crate::decision::Decisions;
use crate::timed::{Quiet, RunEnd, TimedRun};
use crate::timing::Timing;

/// What a range of runs found. `merge` adds two of them up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FuzzSummary {
    pub runs: u64,
    /// Complete runs whose final state meets the condition's proposition.
    pub matches: u64,
    /// Complete runs the condition counts as a violation: the proposition
    /// holds under `exists`/`~exists`, fails under `forall`.
    pub violations: u64,
    /// Complete runs the filter rejected.
    pub filtered_runs: u64,
    pub deadlock_runs: u64,
    pub bound_exceeded_runs: u64,
    /// Complete, unfiltered runs by observed values.
    pub outcomes: BTreeMap<Vec<Value>, u64>,
    /// The lowest-numbered violating run, and deadlocked run.
    pub first_violation: Option<u64>,
    pub first_deadlock: Option<u64>,
    /// The lowest-numbered failing runs (violating or deadlocked), at most
    /// `keep` of them, in order: the runs whose traces are saved.
    pub failing: Vec<u64>,
    pub keep: usize,
}

impl FuzzSummary {
    /// Failing runs (violating or deadlocked) out of the decided runs.
    pub fn rate(&self) -> crate::Rate {
        crate::Rate::new(
            self.violations + self.deadlock_runs,
            self.runs,
            self.bound_exceeded_runs,
        )
    }

    pub fn merge(&mut self, other: FuzzSummary) {
        self.runs += other.runs;
        self.matches += other.matches;
        self.violations += other.violations;
        self.filtered_runs += other.filtered_runs;
        self.deadlock_runs += other.deadlock_runs;
        self.bound_exceeded_runs += other.bound_exceeded_runs;
        for (k, v) in other.outcomes {
            *self.outcomes.entry(k).or_insert(0) += v;
        }
        self.first_violation = min_some(self.first_violation, other.first_violation);
        self.first_deadlock = min_some(self.first_deadlock, other.first_deadlock);
        self.keep = self.keep.max(other.keep);
        self.failing.extend(other.failing);
        self.failing.sort_unstable();
        self.failing.truncate(self.keep);
    }
}

fn min_some(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Runs `runs` of `seed` one after another on this thread.
pub fn fuzz_range(machine: &Machine, timing: Timing, seed: u64, runs: Range<u64>) -> FuzzSummary {
    fuzz_range_keeping(machine, timing, seed, runs, 0)
}

/// `fuzz_range`, also keeping the numbers of the first `keep` failing runs.
pub fn fuzz_range_keeping(
    machine: &Machine,
    timing: Timing,
    seed: u64,
    runs: Range<u64>,
    keep: usize,
) -> FuzzSummary {
    let scenario = machine.scenario;
    let mut summary = FuzzSummary {
        keep,
        ..FuzzSummary::default()
    };
    let mut counts = OutcomeCounts::default();
    let mut values: Vec<Value> = Vec::with_capacity(scenario.observed.len());
    let mut driver = TimedRun::new(machine, timing);
    let mut decisions = Decisions::seeded(seed, 0, false);
    for run in runs {
        decisions.reseed(seed, run);
        summary.runs += 1;
        match driver.run(&mut decisions, &mut Quiet) {
            RunEnd::Complete => {}
            RunEnd::Deadlock => {
                summary.deadlock_runs += 1;
                summary.first_deadlock.get_or_insert(run);
                if summary.failing.len() < keep {
                    summary.failing.push(run);
                }
                continue;
            }
            RunEnd::BoundExceeded => {
                summary.bound_exceeded_runs += 1;
                continue;
            }
        }
        let state = driver.state();
        if !machine.filter_admits(state) {
            summary.filtered_runs += 1;
            continue;
        }
        let holds = machine.holds(state, &scenario.condition.prop);
        if holds {
            summary.matches += 1;
        }
        if scenario.condition.fails_when(holds) {
            summary.violations += 1;
            summary.first_violation.get_or_insert(run);
            if summary.failing.len() < keep {
                summary.failing.push(run);
            }
        }
        values.clear();
        values.extend(scenario.observed.iter().map(|&o| machine.observe(state, o)));
        counts.add(&values);
    }
    summary.outcomes = counts.into_map();
    summary
}

/// Runs counted by outcome. A scenario has few outcomes, mostly: the first
/// `FEW` are found by comparing with each, which costs less than hashing
/// (a few percent of a short run); any further ones go to a hash map.
#[derive(Default)]
struct OutcomeCounts {
    few: Vec<(Box<[Value]>, u64)>,
    many: FxHashMap<Box<[Value]>, u64>,
}

const FEW: usize = 16;

impl OutcomeCounts {
    fn add(&mut self, values: &[Value]) {
        if let Some((_, n)) = self.few.iter_mut().find(|(k, _)| **k == *values) {
            *n += 1;
        } else if self.few.len() < FEW {
            self.few.push((values.into(), 1));
        } else if let Some(n) = self.many.get_mut(values) {
            *n += 1;
        } else {
            self.many.insert(values.into(), 1);
        }
    }

    /// The counts in order of outcome: each outcome is in exactly one of
    /// the two, so none is counted twice.
    fn into_map(self) -> BTreeMap<Vec<Value>, u64> {
        self.few
            .into_iter()
            .chain(self.many)
            .map(|(k, v)| (k.into_vec(), v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_past_the_few_are_counted_once_each() {
        let mut counts = OutcomeCounts::default();
        for round in 0..3 {
            for v in 0..(2 * FEW as Value) {
                counts.add(&[v, round % 2]);
            }
        }
        let map = counts.into_map();
        assert_eq!(map.len(), 4 * FEW);
        assert_eq!(map[&vec![0, 0]], 2);
        assert_eq!(map[&vec![2 * FEW as Value - 1, 1]], 1);
        assert_eq!(map.values().sum::<u64>(), 6 * FEW as u64);
    }
}
