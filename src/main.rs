//! `wmsim`: the command line. It parses flags, loads scenarios, splits work
//! across threads, prints, and maps results to exit statuses. The semantics
//! live in `memory-model`, the drivers in `sim-core`.

// First, so that every module after it can use `out!` and `outln!`.
#[macro_use]
mod output;
mod bound;
mod check;
mod demo;
mod fences;
mod flags;
mod fuzz;
mod herd;
mod limits;
mod load;
mod merge;
mod progress;
mod races;
mod suite;
mod sweep;
mod traces;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use limits::BoundArgs;
use memory_model::{Config, ModelName};
use sim_core::{CacheStart, Cycles, Timing};

pub use campaign::{exit, Failure};

const ABOUT: &str = "Deterministic simulator of a multicore weak-memory machine: \
store buffers, invalidation queues, seeded timing. With no subcommand, wmsim runs the demo \
(`wmsim demo`: see `wmsim demo --help`), which saves traces under ./traces/demo unless given \
`--save 0`.";

const MODEL_NOTE: &str = "Models: sc (sequential consistency), tso (x86-TSO: FIFO store \
buffers, no invalidation queue), weak (per-location store-buffer drain with smp_wmb \
markers, invalidation queues, evictions), arm (ARMv8: each core performs a window of \
instructions out of order, stores multicopy atomic; --rob N bounds the window) and power \
(the same, with SMT pairs sharing a store buffer; --smt-pairs fixes the pairing). sc, tso \
and weak execute loads in order, so they never exhibit load buffering (LB), which LKMM \
allows; arm and power do. Each model is stronger than LKMM somewhere (`check` says where): \
a Never verdict is a statement about the model, not a proof under LKMM.";

/// What the commands that read a scenario say after their flags: the
/// models, then the litmus dialect and what wmsim accepts beyond herd7's.
fn scenario_note() -> String {
    format!(
        "{MODEL_NOTE}\n\nLitmus files are herd7's C tests for the Linux-kernel memory model. \
         In a thread wmsim also accepts what herd7 refuses: {}. Each use gets a warning on \
         standard error naming it and its file:line:col, so that a test that runs here is not \
         silently unusable with herd7. A scenario with barrier slots takes \
         NAME:SLOT=BARRIER,... (see `wmsim show --help`).",
        scenarios::litmus::HERD_EXTENSIONS
    )
}

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
    /// Print a scenario's litmus text, its barrier slots filled, as herd7
    /// input to copy and edit: `show xen-shutdown-sb:vcpu=wmb,shutdown=mb`,
    /// `show f.litmus:vcpu=wmb`.
    #[command(after_help = SLOTS_NOTE)]
    Show(ShowArgs),
    /// Run many seeded timed runs of a scenario and count the outcomes.
    #[command(after_help = scenario_note())]
    Fuzz(FuzzArgs),
    /// Explore every reachable state of a scenario on a model: the final
    /// states, the verdict, the shortest witness.
    ///
    /// Several scenarios and models give one section each (`--json`: an
    /// object with a `sections` list). The verdict is compared with
    /// `--expect`, or else with the file's `Result:` comment (herd7's LKMM
    /// verdict) when it has one, except in herd's format.
    ///
    /// Exit status, the worst over the sections in this order: 2 bad input,
    /// 3 a file could not be read, 5 a construct the machine does not model,
    /// 4 the state or time bound stopped the exploration (no verdict), 1 the
    /// verdict is not the one expected (or `--expect Never` and a run can
    /// deadlock or the program has a data race), 0 ran.
    ///
    /// Data races, as LKMM defines them (linux-kernel.cat, "plain accesses
    /// and data races"): two accesses to one location from different
    /// threads, at least one a write and at least one plain (`*x = 1`, `r =
    /// *x`), that LKMM's relations do not order. A racy program has no
    /// meaning under LKMM, whatever the model shows, so each race is printed
    /// beside the verdict: both accesses (thread, read or write,
    /// file:line:col), the advice (mark them with READ_ONCE/WRITE_ONCE or
    /// order them) and a run that reaches them. They are found by checking
    /// LKMM's rule on the scenario's executions: the sequentially consistent
    /// ones, then those whose reads return older or later writes (load
    /// buffering), each kept where LKMM's axioms allow it. A reported race
    /// is one herd7 flags; one that needs an RMW or lock to read an older
    /// write can be missed. `--format herd` prints herd7's `Flag
    /// data-race`.
    #[command(after_help = scenario_note())]
    Check(CheckArgs),
    /// Check every litmus file under a folder and compare with herd7's
    /// verdicts: agree, unsound, allowed-not-exhibited, unsupported, error;
    /// and its data races with herd7's flag: race-agree, race-missed,
    /// race-false-alarm, race-free. Exit 1 on an unsound verdict or a false
    /// alarm.
    #[command(after_help = MODEL_NOTE)]
    Suite(SuiteArgs),
    /// Re-run a saved trace, check it gives the same transitions and final
    /// state, and print its timeline: every event, every instruction held
    /// back (a fence, an RMW, a lock or a wait) and what it waited for, and
    /// since when a deadlocked core is blocked. Every recorded field is
    /// re-derived (the ending, its time, the blocked cores, the step bound,
    /// interrupts); a mismatch exits 16 or 17, a trace made under other
    /// semantics 18 (README, "Traces").
    Replay(ReplayArgs),
    /// Shrink a failing trace to the shortest run that fails the same way
    /// (the trace is replayed first, and refused as `replay` refuses it).
    Minimize(MinimizeArgs),
    /// Fuzz every combination of buffer depths and timing settings.
    #[command(after_help = scenario_note())]
    Sweep(SweepArgs),
    /// The weakest barriers that make a scenario safe on every model, and
    /// why each is needed.
    ///
    /// Sites: every barrier of the file, every point between two statements
    /// of a thread with memory accesses before and after it, and every
    /// access with an ordered variant (plain < READ_ONCE < smp_load_acquire,
    /// plain < WRITE_ONCE < smp_store_release, an RMW's _relaxed <
    /// _acquire, _release < fully ordered). Choices at a barrier: nothing <
    /// smp_rmb(), smp_wmb() < smp_mb(). Safe: on every model chosen, the
    /// condition's failing outcome is never reached (Never for `exists`)
    /// and no run deadlocks, proven by the exhaustive driver; and LKMM's own
    /// axioms allow no execution that reaches it (among the executions built
    /// from reads of current, older and later writes), and there is no data
    /// race. A deadlock even the strongest placement has is the code's own
    /// and is left out.
    ///
    /// The answer: every Pareto-minimal safe placement (none strictly
    /// weaker is safe), cheapest first (x86: locked instructions; arm64:
    /// dmb ish 2, dmb ishld/ishst, ldar/stlr 1), each as a diff of the
    /// input, and for each of its barriers what each one-step weaker choice
    /// breaks: the shortest failing run, in `check`'s words, saved as a
    /// trace (`wmsim replay` re-runs it). An input that is already safe is
    /// searched downwards: which of its barriers could be weaker.
    ///
    /// Exit status: 0 answered (placements found, or the input is safe), 1
    /// no placement makes it safe (even the strongest fails: its run is
    /// shown), 4 a bound or --time-limit stopped the search (the placements
    /// left undecided are named), 2 bad input, 3 unreadable file, 5 a
    /// construct the machine does not model.
    #[command(after_help = scenario_note())]
    Fences(FencesArgs),
    /// Combine the JSON results of the shards of one campaign.
    ///
    /// Prints what one run of the whole campaign prints (timing aside). Each
    /// shard is read back through the result's types and checked: format and
    /// semantics version, every field's type, counts that add up, sums that
    /// do not overflow; a shard that fails is refused naming the file and the
    /// field (exit status 2), as are shards of another campaign, or missing or
    /// duplicated ones.
    Merge(MergeArgs),
    /// Xen's shutdown deferral in every barrier variant, fuzzed on every
    /// model, as one table: what `wmsim` with no subcommand runs.
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// Runs per cell (fewer for a quick look; the table's numbers change).
    #[arg(long, default_value_t = demo::RUNS_DEFAULT)]
    runs: u64,
    /// Save the first K failing runs of each cell as traces (0: none).
    #[arg(long, default_value_t = demo::SAVE_DEFAULT, value_name = "K")]
    save: usize,
    /// Where traces go: DIR/SCENARIO/MODEL/seedS-runR.ron.
    #[arg(long, default_value = demo::TRACES_DEFAULT, value_name = "DIR")]
    traces: std::path::PathBuf,
}

const SLOTS_NOTE: &str = "Barrier slots: a litmus file may leave barriers open. It declares \
each one on a line of a comment, `@slot NAME PLACEHOLDER default BARRIER` (for example \
`(* @slot vcpu VCPU_FENCE default mb *)`), and writes PLACEHOLDER in a thread where the \
barrier goes. `FILE:NAME=BARRIER,...` fills the slots named (the others take their \
default), with BARRIER one of mb, wmb, rmb, barrier, none, exactly as for the Xen \
built-ins; check, fuzz and sweep take the same names.";

#[derive(Args, Debug)]
struct FencesArgs {
    /// A built-in scenario (see `wmsim list`) or a litmus file, either with
    /// `:SLOT=BARRIER,...` for its barrier slots.
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// A model the placements must be safe on; repeat it for several.
    /// Default: every model (sc, tso, weak, arm, power).
    #[arg(long, value_enum)]
    model: Vec<flags::Model>,
    /// Print JSON (the same as `--format json`).
    #[arg(long)]
    json: bool,
    /// The output: patch prints each placement as a unified diff of the
    /// input [default: text].
    #[arg(long, value_enum)]
    format: Option<fences::FencesFormat>,
    /// Where the failing runs that explain each barrier go:
    /// DIR/fences/SCENARIO/placementN-Pt-lineL-CHOICE.ron.
    #[arg(long, default_value = "traces", value_name = "DIR")]
    traces: std::path::PathBuf,
    /// Save no trace.
    #[arg(long)]
    no_traces: bool,
    /// Threads exploring each placement (default: all cores). The answer
    /// does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// The exploration bounds; --time-limit bounds the whole search.
    #[command(flatten)]
    bounds: BoundArgs,
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// A built-in scenario (see `wmsim list`) or a litmus file, either with
    /// `:SLOT=BARRIER,...` to fill its barrier slots.
    scenario: String,
}

#[derive(Args, Debug, Clone)]
struct ModelArgs {
    /// The model.
    #[arg(long, value_enum, default_value_t = flags::Model::Weak)]
    model: flags::Model,
    /// Store-buffer capacity in stores (0: write through; at most 16).
    /// Default: enough that no buffer fills in the scenario.
    #[arg(long)]
    sb_depth: Option<usize>,
    /// Invalidation-queue capacity (weak only; 0: invalidate at once).
    /// Default: enough that no queue fills in the scenario.
    #[arg(long)]
    iq_depth: Option<usize>,
    /// Window capacity of the out-of-order models (arm, power): fetch stops
    /// when a core's window holds N instances (1 to 32). Default: 32, all a
    /// window holds.
    #[arg(long, value_name = "N")]
    rob: Option<usize>,
    /// power's SMT pairing, fixed: disjoint pairs of cores (`0-1,2-3`), or
    /// `none`. Default: every maximal pairing of the cores that can matter
    /// to each other (check explores each; fuzz draws one per run).
    #[arg(long, value_name = "PAIRS")]
    smt_pairs: Option<String>,
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
    /// The seed: with the settings and a run's number, it decides the run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Run only run I of this seed and settings and save it as a trace,
    /// whatever its ending (passing too: watch a fence wait with `wmsim
    /// replay`); the exit status is the one a campaign of that run alone
    /// gets. Append it to a campaign's command: --runs, --save, --json and
    /// --out are then ignored. Default: a campaign of --runs runs.
    #[arg(long, value_name = "I", conflicts_with = "shard")]
    run: Option<u64>,
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
    bound_share: BoundShareArgs,
    #[command(flatten)]
    shard: ShardArgs,
    /// Also write the JSON result to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    timing: TimingArgs,
}

#[derive(Args, Debug, Clone, Copy)]
struct BoundShareArgs {
    /// Runs cut at --steps-max are neither passes nor failures: they are left
    /// out of the rate and counted beside it. Exit 4 when they are more than
    /// this share of the runs (0..1; 0: any such run).
    #[arg(long, value_name = "SHARE", default_value_t = sim_core::BOUND_SHARE_MAX_DEFAULT)]
    bound_share_max: f64,
}

impl BoundShareArgs {
    fn share_max(&self) -> Result<f64, Failure> {
        if (0.0..=1.0).contains(&self.bound_share_max) {
            Ok(self.bound_share_max)
        } else {
            Err(Failure::bad_input(format!(
                "--bound-share-max {}: a share from 0 to 1",
                self.bound_share_max
            )))
        }
    }
}

#[derive(Args, Debug)]
struct ShardArgs {
    /// Run only slice I of N (1-based) of the work, for an array job; `auto`
    /// reads Slurm's or Kubernetes' array index. `wmsim merge` combines them.
    /// Default: the whole campaign.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// The number of shards, for `--shard auto` under a scheduler that does
    /// not say it (Kubernetes Indexed Jobs). Default: the scheduler's
    /// count, else WMSIM_SHARD_COUNT.
    #[arg(long, value_name = "N")]
    shard_count: Option<u64>,
}

impl ShardArgs {
    fn shard(&self) -> Result<campaign::shard::Shard, Failure> {
        match &self.shard {
            None => Ok(campaign::shard::Shard::WHOLE),
            Some(text) => campaign::shard::Shard::parse(text, self.shard_count),
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
    /// Initial caches.
    #[arg(long, value_enum, default_value_t = flags::Cache::Warm)]
    cache: flags::Cache,
    /// Transitions after which a run ends as bound exceeded.
    #[arg(long, default_value_t = Timing::default().steps_max)]
    steps_max: u32,
    /// Interrupts per million instructions.
    #[arg(long, default_value_t = Timing::default().interrupt_per_million)]
    interrupt_rate: u32,
    /// Cycles an interrupt keeps a core from executing, MIN..MAX.
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_cycles,
          default_value_t = Timing::default().interrupt_duration)]
    interrupt_duration: Cycles,
    /// Cache-miss latency, MIN..MAX cycles.
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_cycles,
          default_value_t = Timing::default().miss)]
    miss_latency: Cycles,
    /// Cycles between evictions at one core, MIN..MAX (weak only).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_cycles,
          default_value_t = Timing::default().eviction_interval)]
    eviction_interval: Cycles,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Built-in scenarios (see `wmsim list`) or litmus files, one section
    /// of output each.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<String>,
    /// The model; repeat it for one section per model.
    #[arg(
        long,
        value_enum,
        default_value = "weak",
        conflicts_with = "all_models"
    )]
    model: Vec<flags::Model>,
    /// Every model in turn (sc, tso, weak, arm, power), one section each.
    #[arg(long)]
    all_models: bool,
    /// Store-buffer capacity in stores (0: write through; at most 16).
    /// Default: enough that no buffer fills in the scenario.
    #[arg(long, value_parser = parse_sb_depth)]
    sb_depth: Option<usize>,
    /// Invalidation-queue capacity (weak only; 0: invalidate at once).
    /// Default: enough that no queue fills in the scenario.
    #[arg(long, value_parser = parse_iq_depth)]
    iq_depth: Option<usize>,
    /// Window capacity of the out-of-order models (arm, power): fetch stops
    /// when a core's window holds N instances (1 to 32). Default: 32, all a
    /// window holds.
    #[arg(long, value_name = "N")]
    rob: Option<usize>,
    /// power's SMT pairing, fixed: disjoint pairs of cores (`0-1,2-3`), or
    /// `none`. Default: every maximal pairing of the cores that can matter
    /// to each other (check explores each; fuzz draws one per run).
    #[arg(long, value_name = "PAIRS")]
    smt_pairs: Option<String>,
    /// The verdict expected: Never, Sometimes or Always. Exit 1 when the
    /// verdict differs, or when Never is expected and a run can deadlock.
    /// Default: the file's `Result:` comment, when it has one, compared on
    /// the verdict alone as herd7 would (not with `--format herd`, whose
    /// status stays herd7's: 0 when it ran).
    #[arg(long, value_name = "VERDICT", value_enum, ignore_case = true)]
    expect: Option<flags::Expect>,
    /// Show every transition of a witness, including the evictions and
    /// invalidations the search made eagerly (folded away by default).
    #[arg(long)]
    verbose: bool,
    /// Print JSON (the same as `--format json`).
    #[arg(long)]
    json: bool,
    /// The output: herd is herd7's result block, for scripts written
    /// around herd7 [default: text].
    #[arg(long, value_enum)]
    format: Option<flags::Format>,
    /// Threads exploring each scenario (default: all cores). States,
    /// verdict and witness do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    bounds: BoundArgs,
}

/// A depth for `check`, which takes one: a range gets a pointer to `sweep`.
fn parse_depth(s: &str, flag: &str) -> Result<usize, String> {
    if s.contains("..") || s.contains(',') {
        return Err(format!(
            "check takes one depth; to try several, use `wmsim sweep SCENARIO --{flag} {s}`"
        ));
    }
    s.trim()
        .parse()
        .map_err(|_| format!("expected a number of entries, got {s:?}"))
}

fn parse_sb_depth(s: &str) -> Result<usize, String> {
    parse_depth(s, "sb-depth")
}

fn parse_iq_depth(s: &str) -> Result<usize, String> {
    parse_depth(s, "iq-depth")
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// A built-in scenario or a litmus file.
    scenario: String,
    /// sc, tso or weak.
    #[command(flatten)]
    model: ModelArgsNoDepth,
    /// Store-buffer depths: A..B (inclusive), a,b,c, or one value. Default:
    /// the scenario's, as for fuzz.
    #[arg(long, value_name = "A..B")]
    sb_depth: Option<String>,
    /// Invalidation-queue depths (weak only): A..B, a,b,c, or one value.
    /// Default: the scenario's, as for fuzz.
    #[arg(long, value_name = "A..B")]
    iq_depth: Option<String>,
    /// Window capacities (arm, power: `--rob` of fuzz): A..B, a,b,c, or
    /// one value, each from 1 to 32. Default: not an axis (the whole window).
    #[arg(long, value_name = "A..B")]
    rob: Option<String>,
    /// Cache-miss latency bounds, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES", default_value_t = Timing::default().miss.to_string())]
    miss_latency: String,
    /// Interrupts per million instructions: A..B or a,b,c.
    #[arg(long, value_name = "RATES",
          default_value_t = Timing::default().interrupt_per_million.to_string())]
    interrupt_rate: String,
    /// Interrupt durations, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES",
          default_value_t = Timing::default().interrupt_duration.to_string())]
    interrupt_duration: String,
    /// Cycles between evictions at one core, MIN..MAX[,MIN..MAX...].
    #[arg(long, value_name = "RANGES",
          default_value_t = Timing::default().eviction_interval.to_string())]
    eviction_interval: String,
    /// Runs per combination.
    #[arg(long, default_value_t = 10_000)]
    runs: u64,
    /// The base seed; each combination's seed is derived from it and the
    /// combination's values.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Save the first K failing runs (violating or deadlocked) of each
    /// combination as traces; none by default, as a sweep has many
    /// combinations.
    #[arg(long, default_value_t = 0, value_name = "K")]
    save: usize,
    /// Where traces go: DIR/SCENARIO/MODEL/COMBINATION/seedS-runR.ron, the
    /// combination named by its values (sb2-iq16-miss20..120-...).
    #[arg(long, default_value = "traces", value_name = "DIR")]
    traces: std::path::PathBuf,
    #[command(flatten)]
    bound_share: BoundShareArgs,
    /// One row per combination: parameters, runs, violating runs, runs cut
    /// at the step bound, decided runs, rate (violating / decided), 95%
    /// Wilson interval, runs per second per core (the last column is the
    /// only one that depends on the machine).
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
    /// The model.
    #[arg(long = "model", value_name = "MODEL", value_enum, default_value_t = flags::Model::Weak)]
    name: flags::Model,
}

#[derive(Args, Debug)]
struct SweepTimingArgs {
    /// Initial caches.
    #[arg(long, value_enum, default_value_t = flags::Cache::Warm)]
    cache: flags::Cache,
    /// Transitions after which a run ends as bound exceeded.
    #[arg(long, default_value_t = Timing::default().steps_max)]
    steps_max: u32,
}

impl SweepTimingArgs {
    fn timing(&self) -> Result<Timing, Failure> {
        TimingArgs {
            cache: self.cache,
            steps_max: self.steps_max,
            interrupt_rate: Timing::default().interrupt_per_million,
            interrupt_duration: Timing::default().interrupt_duration,
            miss_latency: Timing::default().miss,
            eviction_interval: Timing::default().eviction_interval,
        }
        .timing()
    }
}

impl ModelArgsNoDepth {
    /// The model with its default depths; a sweep sets the depths itself.
    fn config(&self, default_depth: usize) -> Result<Config, Failure> {
        ModelArgs {
            model: self.name,
            sb_depth: None,
            iq_depth: None,
            rob: None,
            smt_pairs: None,
        }
        .config(default_depth, 0)
    }
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// The shards' JSON results (`--out` of fuzz or sweep).
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// Print the merged JSON instead of what the unsharded command prints.
    #[arg(long)]
    json: bool,
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
    /// The model.
    #[arg(long, value_enum, default_value_t = flags::Model::Weak, conflicts_with = "all_models")]
    model: flags::Model,
    /// Every model in turn.
    #[arg(long)]
    all_models: bool,
    /// Expected verdicts: a TSV shaped like ../shared/litmus/verdicts.tsv
    /// (paths relative to the TSV's folder). Files it does not list are
    /// judged by their `Result:` comment. Default: every file is judged by
    /// its `Result:` comment.
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

impl ModelArgs {
    /// The configuration asked for; `default_depth` where a depth is not
    /// given; `cores`, the scenario's, for `--smt-pairs`.
    fn config(&self, default_depth: usize, cores: usize) -> Result<Config, Failure> {
        Config::new(
            ModelName::from(self.model),
            self.sb_depth,
            self.iq_depth,
            default_depth,
        )
        .and_then(|c| c.with_rob(self.rob))
        .and_then(|c| c.with_smt_pairs(self.smt_pairs.as_deref(), cores))
        .map_err(|e| Failure::bad_input(e.to_string()))
    }
}

impl TimingArgs {
    fn timing(&self) -> Result<Timing, Failure> {
        let t = Timing {
            cache_start: CacheStart::from(self.cache),
            steps_max: self.steps_max,
            interrupt_per_million: self.interrupt_rate,
            interrupt_duration: self.interrupt_duration,
            miss: self.miss_latency,
            eviction_interval: self.eviction_interval,
            ..Timing::default()
        };
        t.validate().map_err(Failure::bad_input)?;
        Ok(t)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => demo::run(&DemoArgs {
            runs: demo::RUNS_DEFAULT,
            save: demo::SAVE_DEFAULT,
            traces: demo::TRACES_DEFAULT.into(),
        }),
        Some(Command::Demo(args)) => demo::run(&args),
        Some(Command::List) => {
            load::list();
            Ok(exit::OK)
        }
        Some(Command::Show(args)) => load::show(&args.scenario),
        Some(Command::Fuzz(args)) => fuzz::run(&args),
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Suite(args)) => suite::run(&args),
        Some(Command::Replay(args)) => traces::run_replay(&args),
        Some(Command::Minimize(args)) => traces::run_minimize(&args),
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Fences(args)) => fences::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        Err(f) => {
            // An error may quote input: its control characters are escaped.
            eprintln!("wmsim: {}", scenarios::printable::escape_lines(&f.message));
            ExitCode::from(f.status)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every flag of every command says what it does, and every flag that
    /// takes a value says what it is when not given: a `[default: ...]`, or
    /// the word "default" in its description (a default that depends on the
    /// scenario or the machine).
    #[test]
    fn every_flag_has_a_description_and_its_default() {
        let cli = super::Cli::command();
        let mut missing = Vec::new();
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" || arg.is_positional() {
                    continue;
                }
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.is_empty() {
                    missing.push(format!("{} --{id}: no description", command.get_name()));
                    continue;
                }
                let takes_value = arg.get_action().takes_values();
                let has_default =
                    !arg.get_default_values().is_empty() || help.to_lowercase().contains("default");
                // An optional output file's default is evident: not written.
                let output_file = arg
                    .get_value_names()
                    .is_some_and(|names| names.iter().any(|n| n.as_str() == "FILE"));
                if takes_value && !arg.is_required_set() && !has_default && !output_file {
                    missing.push(format!("{} --{id}: no default shown", command.get_name()));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    /// herd7's -timeout counts CPU time; a user comparing the two must be
    /// told that ours counts wall-clock time.
    #[test]
    fn time_limit_says_it_counts_wall_clock_time() {
        let cli = super::Cli::command();
        for name in ["check", "suite", "minimize"] {
            let command = cli.find_subcommand(name).expect(name);
            let arg = command
                .get_arguments()
                .find(|a| a.get_id() == "time_limit")
                .expect("--time-limit");
            let help = arg.get_help().expect("a description").to_string();
            assert!(help.contains("wall-clock"), "{name}: {help}");
        }
    }
}
