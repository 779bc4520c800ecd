//! `wmsim`: the command line. It parses flags, loads scenarios, splits work
//! across threads, prints, and maps results to exit statuses. The semantics
//! live in `memory-model`, the drivers in `sim-core`.

// First, so that every module after it can use `out!` and `outln!`.
#[macro_use]
mod output;
mod campaign;
mod check;
mod demo;
mod fuzz;
mod herd;
mod load;
mod merge;
mod plot;
mod render;
mod shard;
mod suite;
mod sweep;
mod traces;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use memory_model::{Config, ModelName};
use sim_core::{CacheStart, Cycles, Timing};

/// Exit statuses (ARCHITECTURE.md, "Exit codes").
pub mod exit {
    /// Ran; nothing bad found.
    pub const OK: u8 = 0;
    /// A fuzz campaign found runs that violate the condition or deadlock.
    pub const VIOLATION: u8 = 1;
    /// Bad input: flags, scenario name, model, depth, run count.
    pub const BAD_INPUT: u8 = 2;
    /// Reading or writing a file failed.
    pub const IO: u8 = 3;
    /// An exploration stopped at its state bound: no verdict.
    pub const BOUND_EXCEEDED: u8 = 4;
    /// The scenario uses a construct the machine does not model.
    pub const UNSUPPORTED: u8 = 5;
    /// A defect of wmsim itself (a fresh trace that does not replay).
    pub const INTERNAL: u8 = 70;
}

const ABOUT: &str = "Deterministic simulator of a multicore weak-memory machine: \
store buffers, invalidation queues, seeded timing.";

const MODEL_NOTE: &str = "Models: sc (sequential consistency), tso (x86-TSO: FIFO store \
buffers, no invalidation queue), weak (per-location store-buffer drain with smp_wmb \
markers, invalidation queues, evictions). Every model executes loads in order, so load \
buffering (LB), which LKMM allows, is never exhibited, and a store reaches other cores \
only through memory (no POWER-style forwarding between threads): a Never verdict is a \
statement about the model, not a proof under LKMM.";

#[derive(Parser, Debug)]
#[command(name = "wmsim", version, about = ABOUT, after_help = MODEL_NOTE)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the built-in scenarios with their conditions.
    List,
    /// Run many seeded timed runs of a scenario and count the outcomes.
    #[command(after_help = MODEL_NOTE)]
    Fuzz(FuzzArgs),
    /// Explore every reachable state of a scenario on a model: the final
    /// states, the verdict, the shortest witness.
    #[command(after_help = MODEL_NOTE)]
    Check(CheckArgs),
    /// Check every litmus file under a folder and compare with herd7's
    /// verdicts: agree, unsound, allowed-not-exhibited, unsupported, error.
    #[command(after_help = MODEL_NOTE)]
    Suite(SuiteArgs),
    /// Re-run a saved trace, check it gives the same transitions and final
    /// state, and print its timeline: every event, every instruction held
    /// back (a fence, an RMW, a lock or a wait) and what it waited for, and
    /// since when a deadlocked core is blocked.
    Replay(ReplayArgs),
    /// Shrink a failing trace to the shortest run that fails the same way.
    Minimize(MinimizeArgs),
    /// Fuzz every combination of buffer depths and timing settings.
    #[command(after_help = MODEL_NOTE)]
    Sweep(SweepArgs),
    /// Combine the JSON results of the shards of one campaign.
    Merge(MergeArgs),
}

#[derive(Args, Debug, Clone)]
struct ModelArgs {
    /// sc, tso or weak.
    #[arg(long, default_value = "weak")]
    model: String,
    /// Store-buffer capacity in stores (0: write through; at most 16).
    /// Default: enough that no buffer fills in the scenario.
    #[arg(long)]
    sb_depth: Option<usize>,
    /// Invalidation-queue capacity (weak only; 0: invalidate at once).
    #[arg(long)]
    iq_depth: Option<usize>,
}

#[derive(Args, Debug)]
struct FuzzArgs {
    /// A built-in scenario (see `wmsim list`) or a litmus file.
    scenario: String,
    #[command(flatten)]
    model: ModelArgs,
    /// How many runs. Run i draws from stream i of the seed.
    #[arg(long, default_value_t = 100_000)]
    runs: u64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    json: bool,
    /// Save the first K failing runs (violating or deadlocked) as traces.
    #[arg(long, default_value_t = 10, value_name = "K")]
    save: usize,
    /// Where traces go: DIR/SCENARIO/MODEL/seedS-runR.ron.
    #[arg(long, default_value = "traces", value_name = "DIR")]
    traces: std::path::PathBuf,
    #[command(flatten)]
    shard: ShardArgs,
    /// Also write the JSON result to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    timing: TimingArgs,
}

#[derive(Args, Debug)]
struct ShardArgs {
    /// Run only slice I of N (1-based) of the work, for an array job; `auto`
    /// reads Slurm's or Kubernetes' array index. `wmsim merge` combines them.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// The number of shards, for `--shard auto` under a scheduler that does
    /// not say it (Kubernetes Indexed Jobs; or set WMSIM_SHARD_COUNT).
    #[arg(long, value_name = "N")]
    shard_count: Option<u64>,
}

impl ShardArgs {
    fn shard(&self) -> Result<shard::Shard, Failure> {
        match &self.shard {
            None => Ok(shard::Shard::WHOLE),
            Some(text) => shard::Shard::parse(text, self.shard_count),
        }
    }
}

/// A pool of `threads` workers (all cores when not given).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    if threads == Some(0) {
        return Err(Failure::bad_input("--threads must be at least 1"));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure {
            message: format!("cannot start threads: {e}"),
            status: exit::IO,
        })
}

#[derive(Args, Debug)]
struct TimingArgs {
    /// Initial caches: warm, cold or drawn.
    #[arg(long, default_value = "warm")]
    cache: String,
    /// Transitions after which a run ends as bound exceeded.
    #[arg(long, default_value_t = Timing::default().steps_max)]
    steps_max: u32,
    /// Interrupts per million instructions.
    #[arg(long, default_value_t = Timing::default().interrupt_per_million)]
    interrupt_rate: u32,
    /// Cache-miss latency, MIN..MAX cycles.
    #[arg(long, value_parser = parse_cycles)]
    miss_latency: Option<Cycles>,
    /// Cycles between evictions at one core, MIN..MAX (weak only).
    #[arg(long, value_parser = parse_cycles)]
    eviction_interval: Option<Cycles>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// A built-in scenario (see `wmsim list`) or a litmus file.
    scenario: String,
    #[command(flatten)]
    model: ModelArgs,
    /// Print one JSON object (the same as `--format json`).
    #[arg(long)]
    json: bool,
    /// text, json, or herd (herd7's result block, for scripts written
    /// around herd7).
    #[arg(long, default_value = "text")]
    format: String,
    #[command(flatten)]
    bounds: BoundArgs,
}

#[derive(Args, Debug, Clone, Copy)]
struct BoundArgs {
    /// States after which an exploration stops (reported as bound exceeded).
    #[arg(long, default_value_t = sim_core::ExploreOptions::default().states_max)]
    states_max: usize,
    /// Seconds after which an exploration stops (reported as bound exceeded).
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
}

impl BoundArgs {
    fn options(&self) -> Result<sim_core::ExploreOptions, Failure> {
        if self.states_max == 0 {
            return Err(Failure::bad_input("--states-max must be at least 1"));
        }
        if !(self.time_limit > 0.0 && self.time_limit <= 1e6) {
            return Err(Failure::bad_input(
                "--time-limit must be a number of seconds above 0 and at most 10^6",
            ));
        }
        let limit = std::time::Duration::from_secs_f64(self.time_limit);
        Ok(sim_core::ExploreOptions {
            states_max: self.states_max,
            deadline: Some(std::time::Instant::now() + limit),
            ..sim_core::ExploreOptions::default()
        })
    }
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// A built-in scenario or a litmus file.
    scenario: String,
    /// sc, tso or weak.
    #[command(flatten)]
    model: ModelArgsNoDepth,
    /// Store-buffer depths: A..B (inclusive), a,b,c, or one value.
    #[arg(long, value_name = "A..B")]
    sb_depth: Option<String>,
    /// Invalidation-queue depths (weak only): A..B, a,b,c, or one value.
    #[arg(long, value_name = "A..B")]
    iq_depth: Option<String>,
    /// Cache-miss latency bounds, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES")]
    miss_latency: Option<String>,
    /// Interrupts per million instructions: A..B or a,b,c.
    #[arg(long, value_name = "RATES")]
    interrupt_rate: Option<String>,
    /// Interrupt durations, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES")]
    interrupt_duration: Option<String>,
    /// Cycles between evictions at one core, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES")]
    eviction_interval: Option<String>,
    /// Runs per combination.
    #[arg(long, default_value_t = 10_000)]
    runs: u64,
    /// The base seed; each combination's seed is derived from it and the
    /// combination's values.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long)]
    threads: Option<usize>,
    /// One row per combination: parameters, runs, violating runs, rate,
    /// 95% Wilson interval, runs per second per core (the last column is
    /// the only one that depends on the machine).
    #[arg(long, value_name = "FILE")]
    csv: Option<std::path::PathBuf>,
    /// The violation rate plotted: lines for one parameter, a heat map for two.
    #[arg(long, value_name = "FILE")]
    svg: Option<std::path::PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Also write the JSON result to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    timing: SweepTimingArgs,
}

#[derive(Args, Debug, Clone)]
struct ModelArgsNoDepth {
    /// sc, tso or weak.
    #[arg(long = "model", default_value = "weak")]
    name: String,
}

#[derive(Args, Debug)]
struct SweepTimingArgs {
    /// Initial caches: warm, cold or drawn.
    #[arg(long, default_value = "warm")]
    cache: String,
    /// Transitions after which a run ends as bound exceeded.
    #[arg(long, default_value_t = Timing::default().steps_max)]
    steps_max: u32,
}

impl SweepTimingArgs {
    fn timing(&self) -> Result<Timing, Failure> {
        TimingArgs {
            cache: self.cache.clone(),
            steps_max: self.steps_max,
            interrupt_rate: Timing::default().interrupt_per_million,
            miss_latency: None,
            eviction_interval: None,
        }
        .timing()
    }
}

impl ModelArgsNoDepth {
    /// The model with its default depths; a sweep sets the depths itself.
    fn config(&self, default_depth: usize) -> Result<Config, Failure> {
        ModelArgs {
            model: self.name.clone(),
            sb_depth: None,
            iq_depth: None,
        }
        .config(default_depth)
    }
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// The shards' JSON results (`--out` of fuzz or sweep).
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// For sweeps: write the merged CSV.
    #[arg(long, value_name = "FILE")]
    csv: Option<std::path::PathBuf>,
    /// For sweeps: draw the merged plot.
    #[arg(long, value_name = "FILE")]
    svg: Option<std::path::PathBuf>,
    /// Also write the merged JSON to FILE.
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// A trace saved by `wmsim fuzz` or `wmsim minimize`.
    trace: std::path::PathBuf,
    /// Also draw the timeline as an SVG picture (numbered notes under it
    /// give the whole text of every cut label and every stall).
    #[arg(long, value_name = "FILE")]
    svg: Option<std::path::PathBuf>,
    /// Print no timeline, only the verdict of the replay.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct MinimizeArgs {
    /// A failing trace.
    trace: std::path::PathBuf,
    /// Where the minimized trace goes.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: std::path::PathBuf,
    #[command(flatten)]
    bounds: BoundArgs,
}

#[derive(Args, Debug)]
struct SuiteArgs {
    /// A folder: every `.litmus` file under it is checked.
    dir: std::path::PathBuf,
    /// sc, tso or weak.
    #[arg(long, default_value = "weak", conflicts_with = "all_models")]
    model: String,
    /// Every model in turn.
    #[arg(long)]
    all_models: bool,
    /// Expected verdicts: a TSV shaped like ../shared/litmus/verdicts.tsv
    /// (paths relative to the TSV's folder). Files it does not list are
    /// judged by their `Result:` comment.
    #[arg(long)]
    expected: Option<std::path::PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    bounds: BoundArgs,
}

pub(crate) fn parse_cycles(s: &str) -> Result<Cycles, String> {
    let (lo, hi) = s
        .split_once("..")
        .ok_or_else(|| format!("expected MIN..MAX, got {s:?}"))?;
    let lo: u32 = lo
        .trim()
        .parse()
        .map_err(|_| format!("bad minimum {lo:?}"))?;
    let hi: u32 = hi
        .trim()
        .parse()
        .map_err(|_| format!("bad maximum {hi:?}"))?;
    if lo > hi {
        return Err(format!("minimum {lo} above maximum {hi}"));
    }
    Ok(Cycles::new(lo, hi))
}

/// A failure the user can act on: a one-line message and an exit status.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: u8,
}

impl Failure {
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: exit::BAD_INPUT,
        }
    }
}

impl ModelArgs {
    /// The configuration asked for; `default_depth` where a depth is not given.
    fn config(&self, default_depth: usize) -> Result<Config, Failure> {
        let model = ModelName::parse(&self.model).ok_or_else(|| {
            Failure::bad_input(format!(
                "unknown model {:?}: expected sc, tso or weak",
                self.model
            ))
        })?;
        Config::new(model, self.sb_depth, self.iq_depth, default_depth)
            .map_err(|e| Failure::bad_input(e.to_string()))
    }
}

impl TimingArgs {
    fn timing(&self) -> Result<Timing, Failure> {
        let mut t = Timing {
            cache_start: CacheStart::parse(&self.cache).ok_or_else(|| {
                Failure::bad_input(format!(
                    "unknown cache start {:?}: expected warm, cold or drawn",
                    self.cache
                ))
            })?,
            steps_max: self.steps_max,
            interrupt_per_million: self.interrupt_rate,
            ..Timing::default()
        };
        if let Some(c) = self.miss_latency {
            t.miss = c;
        }
        if let Some(c) = self.eviction_interval {
            t.eviction_interval = c;
        }
        t.validate().map_err(Failure::bad_input)?;
        Ok(t)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => demo::run(),
        Some(Command::List) => {
            load::list();
            Ok(exit::OK)
        }
        Some(Command::Fuzz(args)) => fuzz::run(&args),
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Suite(args)) => suite::run(&args),
        Some(Command::Replay(args)) => traces::run_replay(&args),
        Some(Command::Minimize(args)) => traces::run_minimize(&args),
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        Err(f) => {
            eprintln!("wmsim: {}", f.message);
            ExitCode::from(f.status)
        }
    }
}
