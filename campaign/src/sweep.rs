//! A sweep: the combinations of its axes' values (buffer depths and timing
//! settings), each combination's seed and traces folder, and its result:
//! counts per combination, mergeable across shards, as `--out` writes them
//! and the CSV. Printing the table and the plot is the binary's.

use std::fmt::Write as _;

use sim_core::{Cycles, FuzzSummary, Rate};

use crate::result::{
    self, axis_names, AxisValues, CombinationRow, Kind, RateFields, ShardId, SweepFile,
    SweepSettings,
};
use crate::shard::Shard;
use crate::Failure;

/// The most combinations one sweep may ask for.
pub const COMBINATIONS_MAX: usize = 10_000;

/// A swept setting's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    Count(Vec<u64>),
    Cycles(Vec<Cycles>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Count(v) => v.len(),
            Values::Cycles(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn display(&self, i: usize) -> String {
        match self {
            Values::Count(v) => v[i].to_string(),
            Values::Cycles(v) => format!("{}..{}", v[i].min, v[i].max),
        }
    }
}

/// One combination: an index into each axis.
pub type Combination = Vec<usize>;

pub struct Sweep {
    pub axes: Vec<Values>,
    pub combinations: Vec<Combination>,
}

/// Every choice of one index below each length, in row-major order (the
/// last varies fastest): a sweep's combinations, `fences`' placements.
pub fn every_combination(lens: impl IntoIterator<Item = usize>) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for len in lens {
        out = out
            .into_iter()
            .flat_map(|c| {
                (0..len).map(move |i| {
                    let mut c = c.clone();
                    c.push(i);
                    c
                })
            })
            .collect();
    }
    out
}

impl Sweep {
    /// Every combination of the axes' values, in row-major order (the last
    /// axis varies fastest); refused beyond `COMBINATIONS_MAX`.
    pub fn new(axes: Vec<Values>) -> Result<Sweep, Failure> {
        let total: usize = axes.iter().map(Values::len).product();
        if total > COMBINATIONS_MAX {
            return Err(Failure::bad_input(format!(
                "{total} combinations: at most {COMBINATIONS_MAX}"
            )));
        }
        let combinations = every_combination(axes.iter().map(Values::len));
        Ok(Sweep { axes, combinations })
    }

    pub fn value(&self, combination: &Combination, axis: usize) -> String {
        self.axes[axis].display(combination[axis])
    }
}

pub fn count(v: &Values, i: usize) -> u64 {
    match v {
        Values::Count(v) => v[i],
        Values::Cycles(_) => unreachable!("a count axis"),
    }
}

pub fn cycles(v: &Values, i: usize) -> Cycles {
    match v {
        Values::Cycles(v) => v[i],
        Values::Count(_) => unreachable!("a cycles axis"),
    }
}

/// Counts per combination, mergeable across shards.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub runs: u64,
    pub violations: u64,
    pub deadlock_runs: u64,
    pub bound_exceeded_runs: u64,
    /// Thread-seconds spent, for runs per second per core.
    pub cpu_seconds: f64,
    /// The first `--save` failing runs, and where their traces went.
    pub failing_runs: Vec<u64>,
    pub traces: Vec<String>,
}

impl Counts {
    pub fn from_summary(s: &FuzzSummary, seconds: f64, traces: Vec<String>) -> Counts {
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

    pub fn violating(&self) -> u64 {
        self.violations + self.deadlock_runs
    }

    /// Violating runs out of the decided ones (runs cut at the bound left out).
    pub fn rate(&self) -> Rate {
        Rate::new(self.violating(), self.runs, self.bound_exceeded_runs)
    }
}

/// The axes' names and values as text.
pub fn axes_text(sweep: &Sweep) -> Vec<(String, Vec<String>)> {
    axis_names(sweep.axes.len())
        .iter()
        .zip(&sweep.axes)
        .map(|(name, v)| {
            (
                name.to_string(),
                (0..v.len()).map(|i| v.display(i)).collect(),
            )
        })
        .collect()
}

/// The folder of a combination's traces, under DIR: named by the value of
/// every axis (`sb2-iq16-miss20..120-irq20000-irqlen200..2000-evict20..400`),
/// so that two combinations never share one and a person can read which it is.
pub fn combination_folder(sweep: &Sweep, c: &Combination) -> String {
    const SHORT: [&str; 7] = ["sb", "iq", "miss", "irq", "irqlen", "evict", "rob"];
    SHORT[..sweep.axes.len()]
        .iter()
        .enumerate()
        .map(|(a, short)| format!("{short}{}", sweep.value(c, a)))
        .collect::<Vec<_>>()
        .join("-")
}

/// Run `i` of combination `c` draws from stream `i` of this seed: derived
/// from the base seed and the combination's values, so a combination's
/// runs do not change when other values are added to the sweep.
pub fn combination_seed(base: u64, sweep: &Sweep, c: &Combination) -> u64 {
    let mut text = format!("wmsim-sweep|{base}");
    for (a, name) in axis_names(sweep.axes.len()).iter().enumerate() {
        let _ = write!(text, "|{name}={}", sweep.value(c, a));
    }
    let hash = replay::trace::source_hash(&text);
    u64::from_str_radix(&hash[..16], 16).expect("hex")
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
    pub rows: Vec<(Vec<String>, Counts)>,
    pub elapsed_seconds: f64,
}

impl SweepResult {
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
                    rob: values.get(6).cloned(),
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
            (a.failing_runs, a.traces) = crate::merge::first_failing(
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
            axis_names(self.axes.len()).join(",")
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

    /// The merged result is a whole campaign.
    pub fn make_whole(&mut self) {
        self.shard = Shard::WHOLE;
    }
}

/// Runs per second per core of a combination.
pub fn per_second(c: &Counts) -> f64 {
    (c.runs as f64 / c.cpu_seconds.max(1e-9)).round()
}
