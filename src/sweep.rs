//! `wmsim sweep`: every combination of buffer depths and timing settings,
//! each fuzzed from a seed derived from the base seed and the combination,
//! with the violation rate and its 95% Wilson interval per combination.

use std::fmt::Write as _;
use std::time::Instant;

use memory_model::{Config, Machine};
use sim_core::{Cycles, FuzzSummary, Rate, Timing};

use crate::plot::{Axis, SweepPoint};
use crate::{bound, exit, load, Failure, SweepArgs};
use campaign::result::{self, AxisValues, CombinationRow, Kind, ShardId, SweepAxes, SweepFile};
use campaign::result::{RateFields, SweepSettings};
use campaign::shard::Shard;

/// The most combinations one sweep may ask for.
pub const COMBINATIONS_MAX: usize = 10_000;

/// A swept setting's values.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Values {
    Count(Vec<u64>),
    Cycles(Vec<Cycles>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Count(v) => v.len(),
            Values::Cycles(v) => v.len(),
        }
    }

    fn display(&self, i: usize) -> String {
        match self {
            Values::Count(v) => v[i].to_string(),
            Values::Cycles(v) => format!("{}..{}", v[i].min, v[i].max),
        }
    }
}

pub use campaign::result::AXES;

/// `A..B` (inclusive), `a,b,c`, or one number.
fn parse_counts(flag: &str, text: &str) -> Result<Vec<u64>, Failure> {
    let bad = |what: &str| Failure::bad_input(format!("--{flag} {text:?}: {what}"));
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| bad(&format!("{s:?} is not a whole number")))
    };
    let values = if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (number(a)?, number(b)?);
        if a > b {
            return Err(bad("the range is empty (A..B with A above B)"));
        }
        if b - a >= COMBINATIONS_MAX as u64 {
            return Err(bad("too many values"));
        }
        (a..=b).collect()
    } else {
        text.split(',').map(number).collect::<Result<Vec<_>, _>>()?
    };
    Ok(values)
}

/// `MIN..MAX[,MIN..MAX...]`.
fn parse_cycles_list(flag: &str, text: &str) -> Result<Vec<Cycles>, Failure> {
    text.split(',')
        .map(|r| crate::parse_cycles(r).map_err(|e| Failure::bad_input(format!("--{flag}: {e}"))))
        .collect()
}

/// One combination: an index into each axis.
type Combination = Vec<usize>;

struct Sweep {
    axes: Vec<Values>,
    combinations: Vec<Combination>,
}

impl Sweep {
    fn value(&self, combination: &Combination, axis: usize) -> String {
        self.axes[axis].display(combination[axis])
    }
}

fn count(v: &Values, i: usize) -> u64 {
    match v {
        Values::Count(v) => v[i],
        Values::Cycles(_) => unreachable!("a count axis"),
    }
}

fn cycles(v: &Values, i: usize) -> Cycles {
    match v {
        Values::Cycles(v) => v[i],
        Values::Count(_) => unreachable!("a cycles axis"),
    }
}

/// Counts per combination, mergeable across shards.
#[derive(Clone, Debug, Default, PartialEq)]
struct Counts {
    runs: u64,
    violations: u64,
    deadlock_runs: u64,
    bound_exceeded_runs: u64,
    /// Thread-seconds spent, for runs per second per core.
    cpu_seconds: f64,
    /// The first `--save` failing runs, and where their traces went.
    failing_runs: Vec<u64>,
    traces: Vec<String>,
}

impl Counts {
    fn from_summary(s: &FuzzSummary, seconds: f64, traces: Vec<String>) -> Counts {
        Counts {
            runs: s.runs,
            violations: s.violations,
            deadlock_runs: s.deadlock_runs,
            bound_exceeded_runs: s.bound_exceeded_runs,
            cpu_seconds: seconds,
            failing_runs: s.failing.clone(),
            traces,
        }
    }

    fn violating(&self) -> u64 {
        self.violations + self.deadlock_runs
    }

    /// Violating runs out of the decided ones (runs cut at the bound left out).
    fn rate(&self) -> Rate {
        Rate::new(self.violating(), self.runs, self.bound_exceeded_runs)
    }
}

/// A sweep's result: what `--json` prints and `merge` reads back.
pub struct SweepResult {
    pub campaign: String,
    /// Everything that decides the output (`merge` compares it).
    pub settings: SweepSettings,
    pub shard: Shard,
    pub scenario: String,
    pub model: String,
    pub seed: u64,
    pub runs: u64,
    /// Axis names and their values as text.
    pub axes: Vec<(String, Vec<String>)>,
    /// Per combination: the axis values as text, and the counts.
    rows: Vec<(Vec<String>, Counts)>,
    pub elapsed_seconds: f64,
}

pub fn run(args: &SweepArgs) -> Result<u8, Failure> {
    if args.runs == 0 {
        return Err(Failure::bad_input("--runs must be at least 1"));
    }
    if args.runs > campaign::RUNS_MAX {
        return Err(Failure::bad_input("--runs above the maximum"));
    }
    let (scenario, source) = load::scenario_and_source(&args.scenario)?;
    let depth = memory_model::depth::default_depth(&scenario);
    let base_config = args.model.config(depth)?;
    let base_timing = args.timing.timing()?;
    let share_max = args.bound_share.share_max()?;
    let list = |flag: &str, given: &Option<String>, default: u64| match given {
        Some(text) => parse_counts(flag, text),
        None => Ok(vec![default]),
    };
    let axes = vec![
        Values::Count(list(
            "sb-depth",
            &args.sb_depth,
            base_config.sb_depth as u64,
        )?),
        Values::Count(list(
            "iq-depth",
            &args.iq_depth,
            base_config.iq_depth as u64,
        )?),
        Values::Cycles(parse_cycles_list("miss-latency", &args.miss_latency)?),
        Values::Count(parse_counts("interrupt-rate", &args.interrupt_rate)?),
        Values::Cycles(parse_cycles_list(
            "interrupt-duration",
            &args.interrupt_duration,
        )?),
        Values::Cycles(parse_cycles_list(
            "eviction-interval",
            &args.eviction_interval,
        )?),
    ];
    let total: usize = axes.iter().map(Values::len).product();
    if total > COMBINATIONS_MAX {
        return Err(Failure::bad_input(format!(
            "{total} combinations: at most {COMBINATIONS_MAX}"
        )));
    }
    let mut combinations: Vec<Combination> = vec![Vec::new()];
    for axis in &axes {
        combinations = combinations
            .into_iter()
            .flat_map(|c| {
                (0..axis.len()).map(move |i| {
                    let mut c = c.clone();
                    c.push(i);
                    c
                })
            })
            .collect();
    }
    let sweep = Sweep { axes, combinations };
    // What depends on the flags alone is checked before any run: the plot's
    // shape and the folders the outputs go to.
    if let Some(path) = &args.svg {
        crate::plot::check_shape(&plot_axes(&sweep_axes_text(&sweep)))
            .map_err(|e| Failure::bad_input(format!("cannot draw {}: {e}", path.display())))?;
    }
    for (flag, path) in [
        ("--out", &args.out),
        ("--csv", &args.csv),
        ("--svg", &args.svg),
    ] {
        if let Some(path) = path {
            check_writable(flag, path)?;
        }
    }
    if args.save > 0 && args.traces.exists() && !args.traces.is_dir() {
        return Err(Failure {
            message: format!(
                "--traces {}: cannot save traces there: it is not a folder",
                args.traces.display()
            ),
            status: exit::IO,
        });
    }
    // Every combination's configuration and timing, checked before any run.
    let mut settings = Vec::new();
    for c in &sweep.combinations {
        let sb = count(&sweep.axes[0], c[0]) as usize;
        let iq = count(&sweep.axes[1], c[1]) as usize;
        let config = Config::new(base_config.model, Some(sb), Some(iq), depth)
            .map_err(|e| Failure::bad_input(format!("sb_depth {sb}, iq_depth {iq}: {e}")))?;
        let timing = Timing {
            miss: cycles(&sweep.axes[2], c[2]),
            interrupt_per_million: u32::try_from(count(&sweep.axes[3], c[3]))
                .map_err(|_| Failure::bad_input("--interrupt-rate above 10^6"))?,
            interrupt_duration: cycles(&sweep.axes[4], c[4]),
            eviction_interval: cycles(&sweep.axes[5], c[5]),
            ..base_timing
        };
        timing.validate().map_err(Failure::bad_input)?;
        let seed = combination_seed(args.seed, &sweep, c);
        settings.push((config, timing, seed));
    }
    let machines: Vec<Machine> = settings
        .iter()
        .map(|(config, _, _)| Machine::new(&scenario, *config))
        .collect();
    let jobs: Vec<campaign::units::Job> = machines
        .iter()
        .zip(&settings)
        .map(|(machine, (_, timing, seed))| campaign::units::Job {
            machine,
            timing: *timing,
            seed: *seed,
            runs: args.runs,
        })
        .collect();
    let shard = args.shard.shard()?;
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let results = pool.install(|| crate::progress::run(&jobs, args.save, shard, "sweep"));
    let elapsed = started.elapsed().as_secs_f64();
    // The figures first: a failure to save a trace is reported after them.
    let mut traces = Vec::with_capacity(jobs.len());
    let mut unsaved = None;
    let (mut saved_count, mut failing_count) = (0, 0);
    for ((job, c), summary) in jobs.iter().zip(&sweep.combinations).zip(&results.summaries) {
        let folder =
            crate::fuzz::trace_dir(&args.traces, job.machine).join(combination_folder(&sweep, c));
        let mut saved = Vec::new();
        failing_count += summary.failing.len();
        for &run in &summary.failing {
            if unsaved.is_some() {
                break;
            }
            match crate::fuzz::save_trace(job.machine, &source, job.timing, job.seed, run, &folder)
            {
                Ok(path) => saved.push(path.display().to_string()),
                Err(failure) => unsaved = Some(failure),
            }
        }
        saved_count += saved.len();
        traces.push(saved);
    }
    let settings = campaign_settings(
        &source,
        &scenario.name,
        &base_config,
        &base_timing,
        args,
        &sweep,
        share_max,
    );
    let result = SweepResult {
        campaign: result::campaign_id(Kind::Sweep, &settings),
        settings,
        shard,
        scenario: scenario.name.clone(),
        model: base_config.model.as_str().to_string(),
        seed: args.seed,
        runs: args.runs,
        axes: sweep_axes_text(&sweep),
        rows: sweep
            .combinations
            .iter()
            .zip(results.summaries.iter().zip(&results.seconds))
            .zip(traces)
            .map(|((c, (s, secs)), traces)| {
                let values = (0..AXES.len()).map(|a| sweep.value(c, a)).collect();
                (values, Counts::from_summary(s, *secs, traces))
            })
            .collect(),
        elapsed_seconds: elapsed,
    };
    result.emit(
        args.json,
        args.out.as_deref(),
        args.csv.as_deref(),
        args.svg.as_deref(),
    )?;
    let status = result.status();
    match unsaved {
        Some(failure) => Err(crate::fuzz::traces_unsaved(
            failure,
            saved_count,
            failing_count,
        )),
        None => Ok(status),
    }
}

/// The axes' names and values as text.
fn sweep_axes_text(sweep: &Sweep) -> Vec<(String, Vec<String>)> {
    AXES.iter()
        .zip(&sweep.axes)
        .map(|(name, v)| {
            (
                name.to_string(),
                (0..v.len()).map(|i| v.display(i)).collect(),
            )
        })
        .collect()
}

fn plot_axes(axes: &[(String, Vec<String>)]) -> Vec<Axis> {
    axes.iter()
        .map(|(name, values)| Axis {
            name: name.clone(),
            values: values.clone(),
        })
        .collect()
}

/// An output path whose folder exists and that is not itself a folder:
/// refused before the runs rather than after them (status 3, as the write
/// would fail).
fn check_writable(flag: &str, path: &std::path::Path) -> Result<(), Failure> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let why = if path.is_dir() {
        Some("it is a folder".to_string())
    } else if !folder.is_dir() {
        Some(format!("the folder {} does not exist", folder.display()))
    } else {
        None
    };
    match why {
        Some(why) => Err(Failure {
            message: format!("{flag} {}: cannot write there: {why}", path.display()),
            status: exit::IO,
        }),
        None => Ok(()),
    }
}

/// The folder of a combination's traces, under DIR: named by the value of
/// every axis (`sb2-iq16-miss20..120-irq20000-irqlen200..2000-evict20..400`),
/// so that two combinations never share one and a person can read which it is.
fn combination_folder(sweep: &Sweep, c: &Combination) -> String {
    const SHORT: [&str; 6] = ["sb", "iq", "miss", "irq", "irqlen", "evict"];
    SHORT
        .iter()
        .enumerate()
        .map(|(a, short)| format!("{short}{}", sweep.value(c, a)))
        .collect::<Vec<_>>()
        .join("-")
}

/// Run `i` of combination `c` draws from stream `i` of this seed: derived
/// from the base seed and the combination's values, so a combination's
/// runs do not change when other values are added to the sweep.
fn combination_seed(base: u64, sweep: &Sweep, c: &Combination) -> u64 {
    let mut text = format!("wmsim-sweep|{base}");
    for (a, name) in AXES.iter().enumerate() {
        let _ = write!(text, "|{name}={}", sweep.value(c, a));
    }
    let hash = replay::trace::source_hash(&text);
    u64::from_str_radix(&hash[..16], 16).expect("hex")
}

/// Everything that decides a sweep's output, field by field.
fn campaign_settings(
    source: &str,
    name: &str,
    config: &Config,
    timing: &Timing,
    args: &SweepArgs,
    sweep: &Sweep,
    share_max: f64,
) -> SweepSettings {
    let lists: Vec<Vec<String>> = sweep
        .axes
        .iter()
        .map(|v| (0..v.len()).map(|i| v.display(i)).collect())
        .collect();
    SweepSettings {
        wmsim_version: env!("CARGO_PKG_VERSION").to_string(),
        semantics_version: sim_core::SEMANTICS_VERSION,
        scenario: name.to_string(),
        scenario_sha256: replay::trace::source_hash(source),
        model: config.model.as_str().to_string(),
        timing: *timing,
        seed: args.seed,
        runs: args.runs,
        axes: SweepAxes::from_lists(&lists),
        save: args.save as u64,
        bound_share_max: share_max,
    }
}

impl SweepResult {
    /// Writes the outputs asked for; prints the table unless `json`.
    pub fn emit(
        &self,
        json: bool,
        out: Option<&std::path::Path>,
        csv: Option<&std::path::Path>,
        svg: Option<&std::path::Path>,
    ) -> Result<(), Failure> {
        if let Some(path) = out {
            crate::traces::write_atomically(path, format!("{}\n", self.to_line()).as_bytes())?;
        }
        if let Some(path) = csv {
            crate::traces::write_atomically(path, self.csv().as_bytes())?;
        }
        if let Some(path) = svg {
            let svg = self.svg().map_err(|e| Failure {
                message: format!("cannot draw {}: {e}", path.display()),
                status: exit::BAD_INPUT,
            })?;
            crate::traces::write_atomically(path, svg.as_bytes())?;
        }
        if json {
            outln!("{}", self.to_line());
        } else {
            out!("{}", self.table());
        }
        Ok(())
    }

    fn to_line(&self) -> String {
        result::to_line(&self.to_file())
    }

    /// The result as `--out` writes it.
    pub fn to_file(&self) -> SweepFile {
        let combinations = self
            .rows
            .iter()
            .map(|(values, c)| {
                let r = RateFields::of(&c.rate());
                CombinationRow {
                    sb_depth: values[0].clone(),
                    iq_depth: values[1].clone(),
                    miss_latency: values[2].clone(),
                    interrupt_rate: values[3].clone(),
                    interrupt_duration: values[4].clone(),
                    eviction_interval: values[5].clone(),
                    runs: c.runs,
                    violations: c.violations,
                    deadlock_runs: c.deadlock_runs,
                    bound_exceeded_runs: c.bound_exceeded_runs,
                    violating_runs: r.violating_runs,
                    decided_runs: r.decided_runs,
                    violation_rate: r.violation_rate,
                    ci95_low: r.ci95_low,
                    ci95_high: r.ci95_high,
                    failing_runs: c.failing_runs.clone(),
                    traces: c.traces.clone(),
                    cpu_seconds: c.cpu_seconds,
                    runs_per_second: per_second(c),
                }
            })
            .collect();
        let total_runs: u64 = self.rows.iter().map(|(_, c)| c.runs).sum();
        SweepFile {
            format_version: result::FORMAT_VERSION,
            kind: Kind::Sweep,
            campaign: self.campaign.clone(),
            settings: self.settings.clone(),
            shard: ShardId::of(self.shard),
            scenario: self.scenario.clone(),
            model: self.model.clone(),
            seed: self.seed,
            runs: self.runs,
            axes: self
                .axes
                .iter()
                .map(|(name, values)| AxisValues {
                    name: name.clone(),
                    values: values.clone(),
                })
                .collect(),
            combinations,
            runs_per_second: (total_runs as f64 / self.elapsed_seconds.max(1e-9)).round(),
            elapsed_seconds: self.elapsed_seconds,
        }
    }

    /// Reads back what `to_file` wrote (checked by `result::read`).
    pub fn from_file(f: SweepFile) -> SweepResult {
        SweepResult {
            campaign: f.campaign,
            shard: ShardId::shard(f.shard),
            scenario: f.scenario,
            model: f.model,
            seed: f.seed,
            runs: f.runs,
            axes: f.axes.into_iter().map(|a| (a.name, a.values)).collect(),
            rows: f
                .combinations
                .into_iter()
                .map(|c| {
                    let values = c.values();
                    let counts = Counts {
                        runs: c.runs,
                        violations: c.violations,
                        deadlock_runs: c.deadlock_runs,
                        bound_exceeded_runs: c.bound_exceeded_runs,
                        cpu_seconds: c.cpu_seconds,
                        failing_runs: c.failing_runs,
                        traces: c.traces,
                    };
                    (values, counts)
                })
                .collect(),
            elapsed_seconds: f.elapsed_seconds,
            settings: f.settings,
        }
    }

    /// Adds another shard's counts (same campaign and combinations, checked
    /// by the caller); refuses counts that overflow.
    pub fn absorb(&mut self, other: &SweepResult) -> Result<(), String> {
        let save = self.settings.save as usize;
        for (i, ((_, a), (_, b))) in self.rows.iter_mut().zip(&other.rows).enumerate() {
            let add = |x: u64, y: u64, field: &str| {
                x.checked_add(y)
                    .ok_or_else(|| format!("combinations[{i}].{field}: the sum overflows"))
            };
            a.runs = add(a.runs, b.runs, "runs")?;
            a.violations = add(a.violations, b.violations, "violations")?;
            a.deadlock_runs = add(a.deadlock_runs, b.deadlock_runs, "deadlock_runs")?;
            a.bound_exceeded_runs = add(
                a.bound_exceeded_runs,
                b.bound_exceeded_runs,
                "bound_exceeded_runs",
            )?;
            a.cpu_seconds += b.cpu_seconds;
            (a.failing_runs, a.traces) = campaign::merge::first_failing(
                [(&a.failing_runs, &a.traces), (&b.failing_runs, &b.traces)],
                save,
            );
        }
        self.elapsed_seconds = self.elapsed_seconds.max(other.elapsed_seconds);
        Ok(())
    }

    /// The merged counts are those of the whole campaign: every combination
    /// ran all its runs.
    pub fn check_whole(&self) -> Result<(), String> {
        for (i, (_, c)) in self.rows.iter().enumerate() {
            if c.runs != self.settings.runs {
                return Err(format!(
                    "combinations[{i}].runs: the shards hold {} runs, the campaign has {}",
                    c.runs, self.settings.runs
                ));
            }
        }
        Ok(())
    }

    /// One row per combination. Every column but the last is a function of
    /// the command alone; `runs_per_second` (per core) is the one timing
    /// column. The rate is violating / decided runs (empty when none was
    /// decided); runs cut at the step bound are counted beside it.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{},runs,violations,deadlock_runs,bound_exceeded_runs,decided_runs,violating_runs,violation_rate,ci95_low,ci95_high,runs_per_second",
            AXES.join(",")
        );
        for (values, c) in &self.rows {
            let rate = c.rate();
            let (low, high) = rate.interval();
            let value = rate.value().map_or(String::new(), |r| format!("{r:.6}"));
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{value},{low:.6},{high:.6},{:.0}",
                values.join(","),
                c.runs,
                c.violations,
                c.deadlock_runs,
                c.bound_exceeded_runs,
                rate.decided,
                c.violating(),
                per_second(c),
            );
        }
        out
    }

    fn varying(&self) -> Vec<usize> {
        (0..self.axes.len())
            .filter(|&a| self.axes[a].1.len() > 1)
            .collect()
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let varying = self.varying();
        let _ = writeln!(
            out,
            "{} on {}, seed {}, {} runs per combination{}",
            self.scenario,
            self.model,
            self.seed,
            self.runs,
            if self.shard.is_whole() {
                String::new()
            } else {
                format!(" (shard {} of {})", self.shard.index, self.shard.count)
            }
        );
        let fixed: Vec<String> = (0..self.axes.len())
            .filter(|a| !varying.contains(a))
            .map(|a| format!("{}={}", self.axes[a].0, self.axes[a].1[0]))
            .collect();
        let _ = writeln!(out, "fixed: {}", fixed.join(", "));
        let _ = writeln!(
            out,
            "rate: violating (or deadlocked) runs of the decided runs; cut: runs that \
             ended at the step bound, left out of the rate"
        );
        for &a in &varying {
            let _ = write!(out, "{:>14} ", self.axes[a].0);
        }
        let _ = writeln!(
            out,
            "{:>9} {:>10} {:>9} {:>9} {:>19} {:>11}",
            "runs", "violating", "cut", "rate", "95% interval", "runs/s/core"
        );
        for (values, c) in &self.rows {
            for &a in &varying {
                let _ = write!(out, "{:>14} ", values[a]);
            }
            let rate = c.rate();
            let (low, high) = rate.interval();
            let _ = writeln!(
                out,
                "{:>9} {:>10} {:>9} {:>9} {low:>9.5}..{high:<9.5} {:>11.0}",
                c.runs,
                c.violating(),
                c.bound_exceeded_runs,
                bound::rate_text(&rate),
                per_second(c),
            );
        }
        for (values, c) in &self.rows {
            for t in &c.traces {
                let which: Vec<String> = varying
                    .iter()
                    .map(|&a| format!("{}={}", self.axes[a].0, values[a]))
                    .collect();
                let _ = writeln!(
                    out,
                    "Trace{}: {t}   (wmsim replay {t})",
                    if which.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", which.join(", "))
                    }
                );
            }
        }
        if let Some(model) = memory_model::ModelName::parse(&self.model) {
            let _ = writeln!(
                out,
                "Note: rates of sampled runs on this model, not LKMM's; a 0 proves nothing \
                 (`wmsim check` explores every run). {}",
                replay::narration::model_lacks(model)
            );
        }
        out
    }

    fn svg(&self) -> Result<String, String> {
        let axes = plot_axes(&self.axes);
        let points: Vec<SweepPoint> = self
            .rows
            .iter()
            .map(|(values, c)| {
                let rate = c.rate();
                let (ci_low, ci_high) = rate.interval();
                SweepPoint {
                    values: values.clone(),
                    rate: rate.value().unwrap_or(0.0),
                    ci_low,
                    ci_high,
                    decided_runs: rate.decided,
                    bound_exceeded_runs: c.bound_exceeded_runs,
                }
            })
            .collect();
        let title = format!(
            "{} on {}: violation rate ({} runs per combination)",
            self.scenario, self.model, self.runs
        );
        crate::plot::sweep_svg(&title, &axes, &points)
    }

    /// The exit status (4 when some combination had more than the stated
    /// share of its runs cut at the step bound, else 0), with the warnings;
    /// a shard is a part, judged by `merge` (as `bound::campaign_status`).
    pub fn status(&self) -> u8 {
        let cut: u64 = self.rows.iter().map(|(_, c)| c.bound_exceeded_runs).sum();
        let runs: u64 = self.rows.iter().map(|(_, c)| c.runs).sum();
        let with_cut = self
            .rows
            .iter()
            .filter(|(_, c)| c.bound_exceeded_runs > 0)
            .count();
        let steps_max = self.settings.timing.steps_max;
        let share_max = self.settings.bound_share_max;
        let where_ = format!(" (in {with_cut} of {} combinations)", self.rows.len());
        bound::warn(cut, runs, &where_, steps_max);
        let over = self
            .rows
            .iter()
            .filter(|(_, c)| c.rate().bound_share_exceeded(share_max))
            .count();
        if over > 0 && self.shard.is_whole() {
            bound::too_many(
                share_max,
                &format!(" of the runs in {over} combination{}", plural(over)),
            )
        } else {
            exit::OK
        }
    }

    /// The merged result is a whole campaign.
    pub fn make_whole(&mut self) {
        self.shard = Shard::WHOLE;
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn per_second(c: &Counts) -> f64 {
    (c.runs as f64 / c.cpu_seconds.max(1e-9)).round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges() {
        assert_eq!(parse_counts("x", "0..3").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(parse_counts("x", "1,4").unwrap(), vec![1, 4]);
        assert!(parse_counts("x", "3..1").is_err());
        assert!(parse_counts("x", "a").is_err());
        assert_eq!(parse_cycles_list("x", "1..2,5..9").unwrap().len(), 2);
    }
}
