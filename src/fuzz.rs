//! `wmsim fuzz`: a seeded campaign of timed runs, split by run index across
//! threads and merged, so the counts never depend on the thread count.

use std::path::{Path, PathBuf};
use std::time::Instant;

use memory_model::Machine;
use serde_json::{json, Value as Json};
use sim_core::{Decisions, FuzzSummary, Quiet, Rate, RunEnd, TimedRun, Timing};

use crate::shard::Shard;
use crate::{bound, campaign, exit, load, render, Failure, FuzzArgs};

/// The most runs one campaign may ask for.
pub const RUNS_MAX: u64 = 1 << 40;

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
    let config = args.model.config(load::default_depth(&scenario))?;
    let timing = args.timing.timing()?;
    let machine = Machine::new(&scenario, config);
    if let Some(run) = args.run {
        return run_one(&machine, &source, timing, args, run, share_max);
    }
    let shard = args.shard.shard()?;
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let job = campaign::Job {
        machine: &machine,
        timing,
        seed: args.seed,
        runs: args.runs,
    };
    let results = pool.install(|| campaign::run(&[job], args.save, shard, "fuzz"));
    let summary = results.summaries.into_iter().next().expect("one job");
    let seconds = started.elapsed().as_secs_f64();
    let per_second = summary.runs as f64 / seconds.max(1e-9);
    let settings = settings(&machine, &source, timing, args, share_max);
    let identity = Identity {
        campaign: campaign_id("fuzz", &settings),
        shard,
    };
    let traces = save_traces(&machine, &source, timing, args, &summary)?;
    let deadlock = summary
        .first_deadlock
        .map(|run| blocked_cores(&machine, timing, args.seed, run));
    let result = fuzz_json(
        &machine,
        args,
        &identity,
        settings,
        &summary,
        per_second,
        seconds,
        deadlock.as_deref(),
        &traces,
    );
    if let Some(out) = &args.out {
        let text = format!("{result}\n");
        crate::traces::write_atomically(out, text.as_bytes())?;
    }
    if args.json {
        outln!("{result}");
    } else {
        print_text(&result);
    }
    Ok(status(&result))
}

/// The exit status of a fuzz result, one run's or merged shards' (the rule
/// is `bound::campaign_status`'s), with its warnings.
pub fn status(result: &Json) -> u8 {
    let count = |k: &str| result[k].as_u64().unwrap_or(0);
    let rate = Rate::new(
        count("violating_runs"),
        count("runs"),
        count("bound_exceeded_runs"),
    );
    let settings = &result["settings"];
    let steps_max = settings["timing"]["steps_max"].as_u64().unwrap_or(0) as u32;
    let share_max = settings["bound_share_max"]
        .as_f64()
        .unwrap_or(sim_core::BOUND_SHARE_MAX_DEFAULT);
    let whole = result["shard"].is_null();
    bound::campaign_status(&rate, steps_max, share_max, whole)
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
        "{} on {} (sb_depth {}, iq_depth {}), seed {}, run {run}: {ending}.",
        machine.scenario.name,
        c.model,
        c.sb_depth,
        c.iq_depth,
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
    let job = campaign::Job {
        machine,
        timing,
        seed,
        runs,
    };
    let results = campaign::run(&[job], keep, Shard::WHOLE, "fuzz");
    results.summaries.into_iter().next().expect("one job")
}

/// What makes a shard's output mergeable with its siblings'.
pub struct Identity {
    /// The same for every shard of one campaign, and only for them.
    pub campaign: String,
    pub shard: Shard,
}

impl Identity {
    pub fn json(&self) -> (serde_json::Value, serde_json::Value) {
        let shard = if self.shard.is_whole() {
            serde_json::Value::Null
        } else {
            json!({"index": self.shard.index, "count": self.shard.count})
        };
        (json!(self.campaign), shard)
    }
}

/// Everything that decides a fuzz campaign's output, field by field: what
/// `merge` compares between shards (naming the field that differs).
fn settings(
    machine: &Machine,
    source: &str,
    timing: Timing,
    args: &FuzzArgs,
    share_max: f64,
) -> Json {
    json!({
        "wmsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": machine.scenario.name,
        "scenario_sha256": replay::trace::source_hash(source),
        "model": machine.config.model.as_str(),
        "sb_depth": machine.config.sb_depth,
        "iq_depth": machine.config.iq_depth,
        "timing": timing,
        "seed": args.seed,
        "runs": args.runs,
        "save": args.save,
        "bound_share_max": share_max,
    })
}

/// Names a campaign by its settings (`kind` is fuzz or sweep).
pub fn campaign_id(kind: &str, settings: &Json) -> String {
    replay::trace::source_hash(&format!("{kind}|{settings}"))[..16].to_string()
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
    let state = driver.state();
    (0..machine.cores())
        .filter_map(|c| {
            machine.next_instr(state, c)?;
            let pc = state.cores[c].pc as usize;
            Some(Blocked {
                core: c,
                instruction: machine.scenario.threads[c].source[pc].clone(),
                reason: machine.step_blocked(state, c).map_or("?", |r| r.describe()),
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn fuzz_json(
    machine: &Machine,
    args: &FuzzArgs,
    identity: &Identity,
    settings: Json,
    s: &FuzzSummary,
    per_second: f64,
    secs: f64,
    deadlock: Option<&[Blocked]>,
    traces: &[PathBuf],
) -> Json {
    let scenario = machine.scenario;
    let (campaign, shard) = identity.json();
    let outcomes: Vec<_> = s
        .outcomes
        .iter()
        .map(|(values, count)| {
            json!({
                "state": render::state_json(scenario, values),
                "text": render::state_text(scenario, values),
                "values": values,
                "count": count,
                "matches": matches(machine, values),
                "fails": scenario.condition.fails_when(matches(machine, values)),
            })
        })
        .collect();
    let mut result = json!({
        "kind": "fuzz",
        "campaign": campaign,
        "settings": settings,
        "shard": shard,
        "scenario": scenario.name,
        "model": machine.config.model.as_str(),
        "sb_depth": machine.config.sb_depth,
        "iq_depth": machine.config.iq_depth,
        "seed": args.seed,
        "runs": s.runs,
        "condition": scenario.format_condition(),
        "matches": s.matches,
        "violations": s.violations,
        "filtered_runs": s.filtered_runs,
        "deadlock_runs": s.deadlock_runs,
        "bound_exceeded_runs": s.bound_exceeded_runs,
        "first_violation_run": s.first_violation,
        "first_deadlock_run": s.first_deadlock,
        "first_deadlock_blocked": deadlock.map(|cores| cores
            .iter()
            .map(|b| json!({"core": b.core, "instruction": b.instruction, "reason": b.reason}))
            .collect::<Vec<_>>()),
        "outcomes": outcomes,
        "save": args.save,
        "failing_runs": s.failing,
        "traces": traces.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "runs_per_second": per_second.round(),
        "elapsed_seconds": secs,
    });
    set_rate(&mut result);
    result
}

/// Sets a fuzz result's rate fields from its counts (after a merge too).
pub fn set_rate(result: &mut Json) {
    let count = |k: &str| result[k].as_u64().unwrap_or(0);
    let rate = Rate::new(
        count("violations") + count("deadlock_runs"),
        count("runs"),
        count("bound_exceeded_runs"),
    );
    for (key, value) in bound::rate_json(&rate) {
        result[key] = value;
    }
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
    memory_model::transition::holds(&scenario.condition.prop, &value_of)
}

/// The summary, from the JSON result, so that `merge` prints exactly what
/// one unsharded run prints.
pub fn print_text(v: &Json) {
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let text = |k: &str| v[k].as_str().unwrap_or("?").to_string();
    outln!(
        "{} on {} (sb_depth {}, iq_depth {}), seed {}: {} runs, {:.0} runs/s",
        text("scenario"),
        text("model"),
        n("sb_depth"),
        n("iq_depth"),
        n("seed"),
        n("runs"),
        v["runs_per_second"].as_f64().unwrap_or(0.0)
    );
    outln!("Condition: {}", text("condition"));
    for o in v["outcomes"].as_array().into_iter().flatten() {
        // The same mark as `check`'s: the states that make the test fail.
        let mark = if o["fails"].as_bool() == Some(true) {
            "*"
        } else {
            " "
        };
        outln!(
            "{mark} {:>10}  {}",
            o["count"].as_u64().unwrap_or(0),
            o["text"].as_str().unwrap_or("?")
        );
    }
    outln!(
        "Matches: {}  Violations: {}  Deadlocks: {}  Bound exceeded: {}  Filtered: {}",
        n("matches"),
        n("violations"),
        n("deadlock_runs"),
        n("bound_exceeded_runs"),
        n("filtered_runs")
    );
    let rate = Rate::new(n("violating_runs"), n("runs"), n("bound_exceeded_runs"));
    let (low, high) = rate.interval();
    outln!(
        "Violation rate: {} ({} violating or deadlocked of {} decided runs), 95% interval \
         {low:.5}..{high:.5}; {} runs cut at the step bound, left out",
        bound::rate_text(&rate),
        rate.failing,
        rate.decided,
        rate.bound_exceeded
    );
    if let Some(run) = v["first_violation_run"].as_u64() {
        outln!("First violating run: {run} (seed {})", n("seed"));
    }
    if let Some(run) = v["first_deadlock_run"].as_u64() {
        outln!("First deadlocked run: {run} (seed {})", n("seed"));
        for b in v["first_deadlock_blocked"].as_array().into_iter().flatten() {
            outln!(
                "  P{} blocked at `{}`: {}",
                b["core"].as_u64().unwrap_or(0),
                b["instruction"].as_str().unwrap_or("?"),
                b["reason"].as_str().unwrap_or("?")
            );
        }
    }
    for path in v["traces"].as_array().into_iter().flatten() {
        let path = path.as_str().unwrap_or("?");
        outln!("Trace: {path}   (wmsim replay {path})");
    }
}

/// The folder a scenario's traces go in (see `replay::folder`): one path
/// component, distinct for distinct names.
pub fn file_part(name: &str) -> String {
    replay::folder::folder_name(name)
}

/// Re-runs each kept failing run with recording on and saves it.
fn save_traces(
    machine: &Machine,
    source: &str,
    timing: Timing,
    args: &FuzzArgs,
    summary: &FuzzSummary,
) -> Result<Vec<PathBuf>, Failure> {
    summary
        .failing
        .iter()
        .map(|&run| {
            let dir = trace_dir(&args.traces, machine);
            save_trace(machine, source, timing, args.seed, run, &dir)
        })
        .collect()
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
