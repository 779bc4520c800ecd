//! A fuzz campaign's result: its settings (what decides its output), the
//! result built from the runs' summary, and where a deadlocked run's cores
//! are stuck. Printing it is the binary's.

use std::path::PathBuf;

use memory_model::Machine;
use sim_core::{Decisions, FuzzSummary, Quiet, RunEnd, TimedRun, Timing};

use crate::result::{self, BlockedCore, FuzzResult, FuzzSettings, Kind, Outcome, ShardId};
use crate::shard::Shard;

/// Everything that decides a fuzz campaign's output, field by field: what
/// `merge` compares between shards (naming the field that differs).
pub fn settings(
    machine: &Machine,
    source: &str,
    timing: Timing,
    seed: u64,
    runs: u64,
    save: usize,
    share_max: f64,
) -> FuzzSettings {
    FuzzSettings {
        wmsim_version: crate::WMSIM_VERSION.to_string(),
        semantics_version: sim_core::SEMANTICS_VERSION,
        scenario: machine.scenario.name.clone(),
        scenario_sha256: replay::trace::source_hash(source),
        model: machine.config.model.as_str().to_string(),
        sb_depth: machine.config.sb_depth as u64,
        iq_depth: machine.config.iq_depth as u64,
        rob: (machine.config.rob != 0).then_some(machine.config.rob as u64),
        smt_pairs: machine.config.smt_pairs_text(),
        timing,
        seed,
        runs,
        save: save as u64,
        bound_share_max: share_max,
    }
}

/// A core that a deadlocked run left blocked, and at what.
pub struct Blocked {
    pub core: usize,
    pub instruction: String,
    pub reason: &'static str,
}

/// Runs `run` again (runs are deterministic) and says where each core that
/// is not done is stuck.
pub fn blocked_cores(machine: &Machine, timing: Timing, seed: u64, run: u64) -> Vec<Blocked> {
    let mut driver = TimedRun::new(machine, timing);
    let mut decisions = Decisions::seeded(seed, run, false);
    let end = driver.run(&mut decisions, &mut Quiet);
    assert_eq!(
        end,
        RunEnd::Deadlock,
        "run {run} deadlocked once and not again"
    );
    machine
        .blocked_cores(driver.state())
        .into_iter()
        .map(|b| Blocked {
            core: b.core,
            instruction: machine.scenario.threads[b.core].source[b.pc].clone(),
            reason: b.reason.map_or("?", |r| r.describe()),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
/// The result of a campaign (or of a shard of one) from its summary: what
/// `--json` prints, `--out` writes and `merge` reads back.
pub fn fuzz_result(
    machine: &Machine,
    settings: FuzzSettings,
    shard: Shard,
    s: &FuzzSummary,
    per_second: f64,
    secs: f64,
    deadlock: Option<&[Blocked]>,
    traces: &[PathBuf],
) -> FuzzResult {
    let scenario = machine.scenario;
    let outcomes = s
        .outcomes
        .iter()
        .map(|(values, &count)| Outcome {
            state: crate::result::state_values(scenario, values),
            text: replay::narration::state_text(scenario, values),
            values: values.clone(),
            count,
            matches: matches(machine, values),
            fails: scenario.condition.fails_when(matches(machine, values)),
        })
        .collect();
    let mut result = FuzzResult {
        format_version: result::FORMAT_VERSION,
        kind: Kind::Fuzz,
        campaign: result::campaign_id(Kind::Fuzz, &settings),
        shard: ShardId::of(shard),
        scenario: scenario.name.clone(),
        model: machine.config.model.as_str().to_string(),
        sb_depth: machine.config.sb_depth as u64,
        iq_depth: machine.config.iq_depth as u64,
        seed: settings.seed,
        runs: s.runs,
        condition: scenario.format_condition(),
        matches: s.matches,
        violations: s.violations,
        filtered_runs: s.filtered_runs,
        deadlock_runs: s.deadlock_runs,
        bound_exceeded_runs: s.bound_exceeded_runs,
        violating_runs: 0,
        decided_runs: 0,
        violation_rate: None,
        ci95_low: 0.0,
        ci95_high: 0.0,
        first_violation_run: s.first_violation,
        first_deadlock_run: s.first_deadlock,
        first_deadlock_blocked: deadlock.map(|cores| {
            cores
                .iter()
                .map(|b| BlockedCore {
                    core: b.core as u64,
                    instruction: b.instruction.clone(),
                    reason: b.reason.to_string(),
                })
                .collect()
        }),
        outcomes,
        save: settings.save,
        failing_runs: s.failing.clone(),
        traces: traces.iter().map(|p| p.display().to_string()).collect(),
        runs_per_second: per_second.round(),
        elapsed_seconds: secs,
        settings,
        data_races: Vec::new(),
    };
    result.set_rate();
    result
}

fn matches(machine: &Machine, values: &[i32]) -> bool {
    let scenario = machine.scenario;
    let value_of = |o| {
        let i = scenario
            .observed
            .iter()
            .position(|&x| x == o)
            .expect("observed");
        values[i]
    };
    memory_model::condition::holds(&scenario.condition.prop, &value_of)
}
