//! `wmsim fuzz`: a seeded campaign of timed runs, split by run index across
//! threads and merged, so the counts never depend on the thread count.

use std::path::{Path, PathBuf};
use std::time::Instant;

use memory_model::{Machine, ModelName};
use sim_core::{FuzzSummary, Timing};

use crate::{bound, exit, load, Failure, FuzzArgs};
use campaign::fuzz;
use campaign::result::{self, FuzzResult};
use campaign::shard::Shard;
use replay::narration;

pub use campaign::RUNS_MAX;

pub fn run(args: &FuzzArgs) -> Result<u8, Failure> {
    if args.runs == 0 {
        return Err(Failure::bad_input("--runs must be at least 1"));
    }
    if args.runs > RUNS_MAX {
        return Err(Failure::bad_input(format!(
            "--runs above the maximum of {RUNS_MAX}"
        )));
    }
    if args.threads == Some(0) {
        return Err(Failure::bad_input("--threads must be at least 1"));
    }
    let share_max = args.bound_share.share_max()?;
    let (scenario, source) = load::scenario_and_source(&args.scenario)?;
    let config = args.model.config(
        memory_model::depth::default_depth(&scenario),
        scenario.threads.len(),
    )?;
    let timing = args.timing.timing()?;
    let machine = Machine::new(&scenario, config);
    if let Some(run) = args.run {
        return run_one(&machine, &source, timing, args, run, share_max);
    }
    let shard = args.shard.shard()?;
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let job = campaign::units::Job {
        machine: &machine,
        timing,
        seed: args.seed,
        runs: args.runs,
    };
    let results = pool.install(|| crate::progress::run(&[job], args.save, shard, "fuzz"));
    let summary = results.summaries.into_iter().next().expect("one job");
    let seconds = started.elapsed().as_secs_f64();
    let per_second = summary.runs as f64 / seconds.max(1e-9);
    let settings = fuzz::settings(
        &machine, &source, timing, args.seed, args.runs, args.save, share_max,
    );
    // The figures first: a failure to save a trace is reported after them,
    // so that it never throws the campaign away.
    let (traces, unsaved) = save_traces(&machine, &source, timing, args, &summary);
    let deadlock = summary
        .first_deadlock
        .map(|run| fuzz::blocked_cores(&machine, timing, args.seed, run));
    let mut result = fuzz::fuzz_result(
        &machine,
        settings,
        shard,
        &summary,
        per_second,
        seconds,
        deadlock.as_deref(),
        &traces,
    );
    result.data_races = crate::races::Races::find(&scenario, &args.scenario).summaries(&scenario);
    let written = match &args.out {
        Some(out) => {
            let text = format!("{}\n", result::to_line(&result));
            crate::traces::write_atomically(out, text.as_bytes())
        }
        None => Ok(()),
    };
    if args.json {
        outln!("{}", result::to_line(&result));
    } else {
        print_text(&result);
    }
    let campaign_status = status(&result);
    written?;
    match unsaved {
        Some(failure) => Err(traces_unsaved(failure, traces.len(), summary.failing.len())),
        None => Ok(campaign_status),
    }
}

/// A failure to save traces, said after the campaign's figures: how many
/// were saved (the result lists those), and why the next one was not.
pub fn traces_unsaved(failure: Failure, saved: usize, failing: usize) -> Failure {
    Failure {
        message: format!(
            "{}; {saved} of {failing} traces saved (the result lists those), the figures above are complete",
            failure.message
        ),
        status: failure.status,
    }
}

/// The exit status of a fuzz result, one run's or merged shards' (the rule
/// is `bound::campaign_status`'s), with its warnings.
pub fn status(result: &FuzzResult) -> u8 {
    let rate = result.rate();
    let s = &result.settings;
    bound::campaign_status(
        &rate,
        s.timing.steps_max,
        s.bound_share_max,
        result.shard.is_none(),
    )
}

/// `--run I`: run I alone, saved as a trace whatever its ending; the exit
/// status is the one a campaign of that run alone would get.
fn run_one(
    machine: &Machine,
    source: &str,
    timing: Timing,
    args: &FuzzArgs,
    run: u64,
    share_max: f64,
) -> Result<u8, Failure> {
    let summary = sim_core::fuzz_range_keeping(machine, timing, args.seed, run..run + 1, 1);
    let dir = trace_dir(&args.traces, machine);
    let path = save_trace(machine, source, timing, args.seed, run, &dir)?;
    let ending = if summary.violations > 0 {
        "violates the condition"
    } else if summary.deadlock_runs > 0 {
        "deadlocks"
    } else if summary.bound_exceeded_runs > 0 {
        "ends at the step bound (neither pass nor failure)"
    } else if summary.filtered_runs > 0 {
        "completes; the filter rejects its final state"
    } else {
        "completes and passes"
    };
    let c = machine.config;
    outln!(
        "{} on {} ({}), seed {}, run {run}: {ending}.",
        machine.scenario.name,
        c.model,
        c.describe(),
        args.seed,
    );
    outln!(
        "Trace: {}   (wmsim replay {})",
        path.display(),
        path.display()
    );
    Ok(bound::campaign_status(
        &summary.rate(),
        timing.steps_max,
        share_max,
        true,
    ))
}

/// Runs `0..runs` of `seed` on the current thread pool (the demo's cells).
pub fn campaign(
    machine: &Machine,
    timing: Timing,
    seed: u64,
    runs: u64,
    keep: usize,
) -> FuzzSummary {
    let job = campaign::units::Job {
        machine,
        timing,
        seed,
        runs,
    };
    let results = crate::progress::run(&[job], keep, Shard::WHOLE, "fuzz");
    results.summaries.into_iter().next().expect("one job")
}

/// The configuration in a few words, as `Config::describe` gives it: the
/// depths of an in-order model; the window and a fixed SMT pairing of an
/// out-of-order one (its depths mean nothing), from the result's settings.
fn settings_text(v: &FuzzResult) -> String {
    let model = memory_model::ModelName::parse(&v.model);
    let Some(p) = model.map(|m| m.parameters()).filter(|p| p.out_of_order) else {
        return format!("sb_depth {}, iq_depth {}", v.sb_depth, v.iq_depth);
    };
    let window = v
        .settings
        .rob
        .unwrap_or(memory_model::state::WINDOW_MAX as u64);
    match &v.settings.smt_pairs {
        Some(pairs) => format!("out of order, window {window}, SMT pairs {pairs}"),
        None if p.smt_pairs => format!("out of order, window {window}, SMT pairs"),
        None => format!("out of order, window {window}"),
    }
}

/// The summary, from the result, so that `merge` prints exactly what one
/// unsharded run prints.
pub fn print_text(v: &FuzzResult) {
    outln!(
        "{} on {} ({}), seed {}: {} runs, {:.0} runs/s",
        v.scenario,
        v.model,
        settings_text(v),
        v.seed,
        v.runs,
        v.runs_per_second
    );
    outln!("Condition: {}", v.condition);
    for o in &v.outcomes {
        // The same mark as `check`'s: the states that make the test fail.
        let mark = if o.fails { "*" } else { " " };
        outln!("{mark} {:>10}  {}", o.count, o.text);
    }
    outln!(
        "Matches: {}  Violations: {}  Deadlocks: {}  Bound exceeded: {}  Filtered: {}",
        v.matches,
        v.violations,
        v.deadlock_runs,
        v.bound_exceeded_runs,
        v.filtered_runs
    );
    let rate = v.rate();
    let (low, high) = rate.interval();
    outln!(
        "Violation rate: {} ({} violating or deadlocked of {} decided runs), 95% interval \
         {low:.5}..{high:.5}; {} runs cut at the step bound, left out",
        bound::rate_text(&rate),
        rate.failing,
        rate.decided,
        rate.bound_exceeded
    );
    if let Some(run) = v.first_violation_run {
        outln!("First violating run: {run} (seed {})", v.seed);
    }
    if let Some(run) = v.first_deadlock_run {
        outln!("First deadlocked run: {run} (seed {})", v.seed);
        for b in v.first_deadlock_blocked.iter().flatten() {
            outln!("  P{} blocked at `{}`: {}", b.core, b.instruction, b.reason);
        }
    }
    for path in &v.traces {
        outln!("Trace: {path}   (wmsim replay {path})");
    }
    for r in &v.data_races {
        outln!("Data race on {}: {}", r.location, r.first);
        outln!("  and {}", r.second);
    }
    if !v.data_races.is_empty() {
        outln!(
            "  LKMM gives a racy program no meaning, whatever these counts show: mark the \
             accesses (READ_ONCE/WRITE_ONCE) or order them. `wmsim check {}` shows a run \
             that reaches each race.",
            v.scenario
        );
    }
    // What the counts cover: sampled runs of one model, as `check` says.
    if let Some(model) = ModelName::parse(&v.model) {
        outln!(
            "Note: counts of sampled runs on this model, not LKMM's; a 0 proves nothing \
             (`wmsim check` explores every run). {}",
            narration::model_lacks(model)
        );
    }
}

/// The folder a scenario's traces go in (see `replay::folder`): one path
/// component, distinct for distinct names.
pub fn file_part(name: &str) -> String {
    replay::folder::folder_name(name)
}

/// Re-runs each kept failing run with recording on and saves it, in run
/// order; stops at the first that cannot be saved and returns why, with the
/// paths of those saved before it.
fn save_traces(
    machine: &Machine,
    source: &str,
    timing: Timing,
    args: &FuzzArgs,
    summary: &FuzzSummary,
) -> (Vec<PathBuf>, Option<Failure>) {
    let dir = trace_dir(&args.traces, machine);
    let mut saved = Vec::with_capacity(summary.failing.len());
    for &run in &summary.failing {
        match save_trace(machine, source, timing, args.seed, run, &dir) {
            Ok(path) => saved.push(path),
            Err(failure) => return (saved, Some(failure)),
        }
    }
    (saved, None)
}

/// Where a campaign's traces go under `traces`: `SCENARIO/MODEL`.
pub fn trace_dir(traces: &Path, machine: &Machine) -> PathBuf {
    traces
        .join(file_part(&machine.scenario.name))
        .join(machine.config.model.as_str())
}

/// Re-runs `run` of `seed` with recording on, replays its trace once (a
/// trace that does not replay is a defect, never saved), and writes it to
/// `dir/seedS-runR.ron`.
pub fn save_trace(
    machine: &Machine,
    source: &str,
    timing: Timing,
    seed: u64,
    run: u64,
    dir: &Path,
) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure {
        message: format!("cannot create {}: {e}", dir.display()),
        status: exit::IO,
    })?;
    let trace = replay::record_run(machine, source, timing, seed, run);
    let path = dir.join(format!("seed{seed}-run{run}.ron"));
    replay::replay(&trace, &path.display().to_string()).map_err(|e| Failure {
        message: format!("internal error: a fresh trace does not replay: {e}"),
        status: exit::INTERNAL,
    })?;
    trace
        .write(&path)
        .map_err(|e| crate::traces::write_failure(&path, &e))?;
    Ok(path)
}
