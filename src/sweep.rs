//! `wmsim sweep`: every combination of buffer depths and timing settings,
//! each fuzzed from a seed derived from the base seed and the combination,
//! with the violation rate and its 95% Wilson interval per combination.

use std::fmt::Write as _;
use std::time::Instant;

use memory_model::{Config, Machine};
use serde_json::{json, Value as Json};
use sim_core::{Cycles, FuzzSummary, Timing};

use crate::fuzz::Identity;
use crate::plot::{Axis, SweepPoint};
use crate::shard::Shard;
use crate::{campaign, exit, load, Failure, SweepArgs};

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

/// The axes, in the order of the CSV's columns.
const AXES: [&str; 6] = [
    "sb_depth",
    "iq_depth",
    "miss_latency",
    "interrupt_rate",
    "interrupt_duration",
    "eviction_interval",
];

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
}

impl Counts {
    fn from_summary(s: &FuzzSummary, seconds: f64) -> Counts {
        Counts {
            runs: s.runs,
            violations: s.violations,
            deadlock_runs: s.deadlock_runs,
            bound_exceeded_runs: s.bound_exceeded_runs,
            cpu_seconds: seconds,
        }
    }

    fn violating(&self) -> u64 {
        self.violations + self.deadlock_runs
    }
}

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = k as f64 / n;
    let denominator = 1.0 + z * z / n;
    let center = (p + z * z / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// A sweep's result: what `--json` prints and `merge` reads back.
pub struct SweepResult {
    pub identity_campaign: String,
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
    if args.runs > crate::fuzz::RUNS_MAX {
        return Err(Failure::bad_input("--runs above the maximum"));
    }
    let (scenario, source) = load::scenario_and_source(&args.scenario)?;
    let depth = load::default_depth(&scenario);
    let base_config = args.model.config(depth)?;
    let base_timing = args.timing.timing()?;
    let defaults = Timing::default();
    let list = |flag: &str, given: &Option<String>, default: u64| match given {
        Some(text) => parse_counts(flag, text),
        None => Ok(vec![default]),
    };
    let cycle_list = |flag: &str, given: &Option<String>, default: Cycles| match given {
        Some(text) => parse_cycles_list(flag, text),
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
        Values::Cycles(cycle_list(
            "miss-latency",
            &args.miss_latency,
            base_timing.miss,
        )?),
        Values::Count(list(
            "interrupt-rate",
            &args.interrupt_rate,
            base_timing.interrupt_per_million as u64,
        )?),
        Values::Cycles(cycle_list(
            "interrupt-duration",
            &args.interrupt_duration,
            defaults.interrupt_duration,
        )?),
        Values::Cycles(cycle_list(
            "eviction-interval",
            &args.eviction_interval,
            base_timing.eviction_interval,
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
    let jobs: Vec<campaign::Job> = machines
        .iter()
        .zip(&settings)
        .map(|(machine, (_, timing, seed))| campaign::Job {
            machine,
            timing: *timing,
            seed: *seed,
            runs: args.runs,
        })
        .collect();
    let shard = args.shard.shard()?;
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let results = pool.install(|| campaign::run(&jobs, 0, shard, "sweep"));
    let elapsed = started.elapsed().as_secs_f64();
    let result = SweepResult {
        identity_campaign: campaign_id(
            &source,
            &scenario.name,
            &base_config,
            &base_timing,
            args,
            &sweep,
        ),
        shard,
        scenario: scenario.name.clone(),
        model: base_config.model.as_str().to_string(),
        seed: args.seed,
        runs: args.runs,
        axes: AXES
            .iter()
            .zip(&sweep.axes)
            .map(|(name, v)| {
                (
                    name.to_string(),
                    (0..v.len()).map(|i| v.display(i)).collect(),
                )
            })
            .collect(),
        rows: sweep
            .combinations
            .iter()
            .zip(results.summaries.iter().zip(&results.seconds))
            .map(|(c, (s, secs))| {
                let values = (0..AXES.len()).map(|a| sweep.value(c, a)).collect();
                (values, Counts::from_summary(s, *secs))
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
    Ok(exit::OK)
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

fn campaign_id(
    source: &str,
    name: &str,
    config: &Config,
    timing: &Timing,
    args: &SweepArgs,
    sweep: &Sweep,
) -> String {
    let description = format!(
        "sweep|{}|{}|{name}|{}|{timing:?}|{}|{}|{:?}",
        env!("CARGO_PKG_VERSION"),
        replay::trace::source_hash(source),
        config.model,
        args.seed,
        args.runs,
        sweep.axes,
    );
    replay::trace::source_hash(&description)[..16].to_string()
}

impl SweepResult {
    fn identity(&self) -> Identity {
        Identity {
            campaign: self.identity_campaign.clone(),
            shard: self.shard,
        }
    }

    /// Writes the outputs asked for; prints the table unless `json`.
    pub fn emit(
        &self,
        json: bool,
        out: Option<&std::path::Path>,
        csv: Option<&std::path::Path>,
        svg: Option<&std::path::Path>,
    ) -> Result<(), Failure> {
        if let Some(path) = out {
            crate::traces::write_atomically(path, format!("{}\n", self.to_json()).as_bytes())?;
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
            outln!("{}", self.to_json());
        } else {
            out!("{}", self.table());
        }
        Ok(())
    }

    pub fn to_json(&self) -> Json {
        let (campaign, shard) = self.identity().json();
        let combinations: Vec<Json> = self
            .rows
            .iter()
            .map(|(values, c)| {
                let mut o = serde_json::Map::new();
                for (name, v) in AXES.iter().zip(values) {
                    o.insert(name.to_string(), json!(v));
                }
                let (low, high) = wilson(c.violating(), c.runs);
                o.insert("runs".into(), json!(c.runs));
                o.insert("violations".into(), json!(c.violations));
                o.insert("deadlock_runs".into(), json!(c.deadlock_runs));
                o.insert("bound_exceeded_runs".into(), json!(c.bound_exceeded_runs));
                o.insert("violating_runs".into(), json!(c.violating()));
                o.insert("violation_rate".into(), json!(rate(c)));
                o.insert("ci95_low".into(), json!(round6(low)));
                o.insert("ci95_high".into(), json!(round6(high)));
                o.insert("cpu_seconds".into(), json!(c.cpu_seconds));
                o.insert("runs_per_second".into(), json!(per_second(c)));
                Json::Object(o)
            })
            .collect();
        let total_runs: u64 = self.rows.iter().map(|(_, c)| c.runs).sum();
        json!({
            "kind": "sweep",
            "campaign": campaign,
            "shard": shard,
            "scenario": self.scenario,
            "model": self.model,
            "seed": self.seed,
            "runs": self.runs,
            "axes": self.axes.iter().map(|(n, v)| json!({"name": n, "values": v})).collect::<Vec<_>>(),
            "combinations": combinations,
            "runs_per_second": (total_runs as f64 / self.elapsed_seconds.max(1e-9)).round(),
            "elapsed_seconds": self.elapsed_seconds,
        })
    }

    /// Reads back what `to_json` wrote.
    pub fn from_json(v: &Json) -> Result<SweepResult, String> {
        let str_of = |k: &str| v[k].as_str().map(str::to_string).ok_or(format!("no {k}"));
        let u64_of = |k: &str| v[k].as_u64().ok_or(format!("no {k}"));
        let shard = match &v["shard"] {
            Json::Null => Shard::WHOLE,
            s => Shard {
                index: s["index"].as_u64().ok_or("bad shard")?,
                count: s["count"].as_u64().ok_or("bad shard")?,
            },
        };
        let axes = v["axes"]
            .as_array()
            .ok_or("no axes")?
            .iter()
            .map(|a| {
                let name = a["name"].as_str().ok_or("bad axis")?.to_string();
                let values = a["values"]
                    .as_array()
                    .ok_or("bad axis")?
                    .iter()
                    .map(|x| x.as_str().map(str::to_string).ok_or("bad axis value"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((name, values))
            })
            .collect::<Result<Vec<_>, &str>>()?;
        let rows = v["combinations"]
            .as_array()
            .ok_or("no combinations")?
            .iter()
            .map(|c| {
                let values = AXES
                    .iter()
                    .map(|a| c[*a].as_str().map(str::to_string).ok_or(format!("no {a}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let n = |k: &str| c[k].as_u64().ok_or(format!("no {k}"));
                let counts = Counts {
                    runs: n("runs")?,
                    violations: n("violations")?,
                    deadlock_runs: n("deadlock_runs")?,
                    bound_exceeded_runs: n("bound_exceeded_runs")?,
                    cpu_seconds: c["cpu_seconds"].as_f64().ok_or("no cpu_seconds")?,
                };
                Ok((values, counts))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(SweepResult {
            identity_campaign: str_of("campaign")?,
            shard,
            scenario: str_of("scenario")?,
            model: str_of("model")?,
            seed: u64_of("seed")?,
            runs: u64_of("runs")?,
            axes,
            rows,
            elapsed_seconds: v["elapsed_seconds"].as_f64().ok_or("no elapsed_seconds")?,
        })
    }

    /// Adds another shard's counts (same campaign, checked by the caller).
    pub fn absorb(&mut self, other: &SweepResult) -> Result<(), String> {
        if self.rows.len() != other.rows.len() {
            return Err("the shards have different combinations".into());
        }
        for ((va, a), (vb, b)) in self.rows.iter_mut().zip(&other.rows) {
            if va != vb {
                return Err("the shards have different combinations".into());
            }
            a.runs += b.runs;
            a.violations += b.violations;
            a.deadlock_runs += b.deadlock_runs;
            a.bound_exceeded_runs += b.bound_exceeded_runs;
            a.cpu_seconds += b.cpu_seconds;
        }
        self.elapsed_seconds = self.elapsed_seconds.max(other.elapsed_seconds);
        Ok(())
    }

    /// One row per combination. Every column but the last is a function of
    /// the command alone; `runs_per_second` (per core) is the one timing
    /// column.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{},runs,violations,deadlock_runs,bound_exceeded_runs,violating_runs,violation_rate,ci95_low,ci95_high,runs_per_second",
            AXES.join(",")
        );
        for (values, c) in &self.rows {
            let (rate, low, high, speed) = figures(c);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{rate:.6},{low:.6},{high:.6},{speed:.0}",
                values.join(","),
                c.runs,
                c.violations,
                c.deadlock_runs,
                c.bound_exceeded_runs,
                c.violating(),
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
        for &a in &varying {
            let _ = write!(out, "{:>14} ", self.axes[a].0);
        }
        let _ = writeln!(
            out,
            "{:>9} {:>10} {:>9} {:>19} {:>11}",
            "runs", "violating", "rate", "95% interval", "runs/s/core"
        );
        for (values, c) in &self.rows {
            for &a in &varying {
                let _ = write!(out, "{:>14} ", values[a]);
            }
            let (rate, low, high, speed) = figures(c);
            let _ = writeln!(
                out,
                "{:>9} {:>10} {rate:>9.5} {low:>9.5}..{high:<9.5} {speed:>11.0}",
                c.runs,
                c.violating(),
            );
        }
        out
    }

    fn svg(&self) -> Result<String, String> {
        let axes: Vec<Axis> = self
            .axes
            .iter()
            .map(|(name, values)| Axis {
                name: name.clone(),
                values: values.clone(),
            })
            .collect();
        let points: Vec<SweepPoint> = self
            .rows
            .iter()
            .map(|(values, c)| {
                let (ci_low, ci_high) = wilson(c.violating(), c.runs);
                SweepPoint {
                    values: values.clone(),
                    rate: rate(c),
                    ci_low,
                    ci_high,
                }
            })
            .collect();
        let title = format!(
            "{} on {}: violation rate ({} runs per combination)",
            self.scenario, self.model, self.runs
        );
        crate::plot::sweep_svg(&title, &axes, &points)
    }

    /// The merged result is a whole campaign.
    pub fn make_whole(&mut self) {
        self.shard = Shard::WHOLE;
    }
}

/// The rate, its 95% interval and runs per second per core of a row.
fn figures(c: &Counts) -> (f64, f64, f64, f64) {
    let (low, high) = wilson(c.violating(), c.runs);
    (rate(c), low, high, per_second(c))
}

fn rate(c: &Counts) -> f64 {
    if c.runs == 0 {
        0.0
    } else {
        round6(c.violating() as f64 / c.runs as f64)
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn per_second(c: &Counts) -> f64 {
    (c.runs as f64 / c.cpu_seconds.max(1e-9)).round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_known_values() {
        // 0 of 100: [0, 0.0370]; 50 of 100: [0.4038, 0.5962].
        let (l, h) = wilson(0, 100);
        assert!(l.abs() < 1e-9 && (h - 0.036_995).abs() < 1e-4, "{l} {h}");
        let (l, h) = wilson(50, 100);
        assert!(
            (l - 0.403_8).abs() < 1e-3 && (h - 0.596_2).abs() < 1e-3,
            "{l} {h}"
        );
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(parse_counts("x", "0..3").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(parse_counts("x", "1,4").unwrap(), vec![1, 4]);
        assert!(parse_counts("x", "3..1").is_err());
        assert!(parse_counts("x", "a").is_err());
        assert_eq!(parse_cycles_list("x", "1..2,5..9").unwrap().len(), 2);
    }
}
