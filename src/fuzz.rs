//! `wmsim fuzz`: a seeded campaign of timed runs, split by run index across
//! threads and merged, so the counts never depend on the thread count.

use std::path::PathBuf;
use std::time::Instant;

use memory_model::Machine;
use serde_json::json;
use sim_core::{Decisions, FuzzSummary, Quiet, RunEnd, TimedRun, Timing};

use crate::shard::Shard;
use crate::{campaign, exit, load, render, Failure, FuzzArgs};

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
    let (scenario, source) = load::scenario_and_source(&args.scenario)?;
    let config = args.model.config(load::default_depth(&scenario))?;
    let timing = args.timing.timing()?;
    let machine = Machine::new(&scenario, config);
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
    let identity = Identity {
        campaign: campaign_id(&machine, &source, timing, args),
        shard,
    };
    let traces = save_traces(&machine, &source, timing, args, &summary)?;
    let deadlock = summary
        .first_deadlock
        .map(|run| blocked_cores(&machine, timing, args.seed, run));
    let json_out = || {
        fuzz_json(
            &machine,
            args,
            &identity,
            &summary,
            per_second,
            seconds,
            deadlock.as_deref(),
            &traces,
        )
    };
    if let Some(out) = &args.out {
        let text = format!("{}\n", json_out());
        crate::traces::write_atomically(out, text.as_bytes())?;
    }
    if args.json {
        outln!("{}", json_out());
    } else {
        print_text(
            &machine,
            args,
            &summary,
            per_second,
            deadlock.as_deref(),
            &traces,
        );
    }
    Ok(if summary.violations > 0 || summary.deadlock_runs > 0 {
        exit::VIOLATION
    } else {
        exit::OK
    })
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

/// Names a campaign by everything that decides its counts.
fn campaign_id(machine: &Machine, source: &str, timing: Timing, args: &FuzzArgs) -> String {
    let description = format!(
        "fuzz|{}|{}|{}|{}|{}|{}|{:?}|{}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        replay::trace::source_hash(source),
        machine.scenario.name,
        machine.config.model,
        machine.config.sb_depth,
        machine.config.iq_depth,
        timing,
        args.seed,
        args.runs,
        args.save
    );
    replay::trace::source_hash(&description)[..16].to_string()
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
    s: &FuzzSummary,
    per_second: f64,
    secs: f64,
    deadlock: Option<&[Blocked]>,
    traces: &[PathBuf],
) -> serde_json::Value {
    let scenario = machine.scenario;
    let (campaign, shard) = identity.json();
    let outcomes: Vec<_> = s
        .outcomes
        .iter()
        .map(|(values, count)| {
            json!({
                "state": render::state_json(scenario, values),
                "values": values,
                "count": count,
                "matches": matches(machine, values),
            })
        })
        .collect();
    json!({
        "kind": "fuzz",
        "campaign": campaign,
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
    })
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

fn print_text(
    machine: &Machine,
    args: &FuzzArgs,
    s: &FuzzSummary,
    per_second: f64,
    deadlock: Option<&[Blocked]>,
    traces: &[PathBuf],
) {
    let scenario = machine.scenario;
    let c = machine.config;
    outln!(
        "{} on {} (sb_depth {}, iq_depth {}), seed {}: {} runs, {:.0} runs/s",
        scenario.name,
        c.model,
        c.sb_depth,
        c.iq_depth,
        args.seed,
        s.runs,
        per_second
    );
    outln!("Condition: {}", scenario.format_condition());
    for (values, count) in &s.outcomes {
        let mark = render::fail_mark(&scenario.condition, matches(machine, values));
        outln!(
            "{mark} {count:>10}  {}",
            render::state_text(scenario, values)
        );
    }
    outln!(
        "Matches: {}  Violations: {}  Deadlocks: {}  Bound exceeded: {}  Filtered: {}",
        s.matches,
        s.violations,
        s.deadlock_runs,
        s.bound_exceeded_runs,
        s.filtered_runs
    );
    if let Some(run) = s.first_violation {
        outln!("First violating run: {run} (seed {})", args.seed);
    }
    if let Some(run) = s.first_deadlock {
        outln!("First deadlocked run: {run} (seed {})", args.seed);
        for b in deadlock.unwrap_or_default() {
            outln!("  P{} blocked at `{}`: {}", b.core, b.instruction, b.reason);
        }
    }
    for path in traces {
        outln!(
            "Trace: {}   (wmsim replay {})",
            path.display(),
            path.display()
        );
    }
}

/// A file name part from a scenario name: `xen-shutdown-sb:vcpu=wmb` gives
/// `xen-shutdown-sb_vcpu-wmb`.
pub fn file_part(name: &str) -> String {
    let last = std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    last.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '.' | '-' | '_' => c,
            '=' => '-',
            _ => '_',
        })
        .collect()
}

/// Re-runs each kept failing run with recording on, replays its trace once
/// (a trace that does not replay is a defect, never saved), and writes it.
fn save_traces(
    machine: &Machine,
    source: &str,
    timing: Timing,
    args: &FuzzArgs,
    summary: &FuzzSummary,
) -> Result<Vec<PathBuf>, Failure> {
    if summary.failing.is_empty() {
        return Ok(Vec::new());
    }
    let dir = args
        .traces
        .join(file_part(&machine.scenario.name))
        .join(machine.config.model.as_str());
    std::fs::create_dir_all(&dir).map_err(|e| Failure {
        message: format!("cannot create {}: {e}", dir.display()),
        status: exit::IO,
    })?;
    let mut paths = Vec::new();
    for &run in &summary.failing {
        let trace = replay::record_run(machine, source, timing, args.seed, run);
        let path = dir.join(format!("seed{}-run{run}.ron", args.seed));
        replay::replay(&trace, &path.display().to_string()).map_err(|e| Failure {
            message: format!("internal error: a fresh trace does not replay: {e}"),
            status: exit::INTERNAL,
        })?;
        trace.write(&path).map_err(|e| Failure {
            message: format!("cannot write {}: {e}", path.display()),
            status: exit::IO,
        })?;
        paths.push(path);
    }
    Ok(paths)
}
