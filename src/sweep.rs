//! `wmsim sweep`: every combination of buffer depths and timing settings,
//! each fuzzed from a seed derived from the base seed and the combination,
//! with the violation rate and its 95% Wilson interval per combination.
//! What a sweep is and its result are `campaign::sweep`'s; here are its
//! flags' lists, the runs on threads, and the table, CSV and plot written.

use std::fmt::Write as _;
use std::time::Instant;

use memory_model::{Config, Machine};
use sim_core::{Cycles, Timing};

use crate::{bound, exit, load, Failure, SweepArgs};
use campaign::plot::{self, Axis, SweepPoint};
use campaign::result::{self, Kind, SweepAxes, SweepSettings};
use campaign::sweep::{
    axes_text, combination_folder, combination_seed, count, cycles, per_second, Counts, Sweep,
    SweepResult, Values, COMBINATIONS_MAX,
};

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
    // The window capacity is an axis only when asked for (out-of-order
    // models): a sweep without it keeps its columns, seeds and folders.
    let mut axes = axes;
    if let Some(text) = &args.rob {
        axes.push(Values::Count(parse_counts("rob", text)?));
    }
    let sweep = Sweep::new(axes)?;
    // What depends on the flags alone is checked before any run: the plot's
    // shape and the folders the outputs go to.
    if let Some(path) = &args.svg {
        plot::check_shape(&plot_axes(&axes_text(&sweep)))
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
        let rob = sweep.axes.get(6).map(|axis| count(axis, c[6]) as usize);
        let config = Config::new(base_config.model, Some(sb), Some(iq), depth)
            .map_err(|e| Failure::bad_input(format!("sb_depth {sb}, iq_depth {iq}: {e}")))?
            .with_rob(rob)
            .map_err(|e| Failure::bad_input(e.to_string()))?;
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
        axes: axes_text(&sweep),
        rows: sweep
            .combinations
            .iter()
            .zip(results.summaries.iter().zip(&results.seconds))
            .zip(traces)
            .map(|((c, (s, secs)), traces)| {
                let values = (0..sweep.axes.len()).map(|a| sweep.value(c, a)).collect();
                (values, Counts::from_summary(s, *secs, traces))
            })
            .collect(),
        elapsed_seconds: elapsed,
    };
    emit(
        &result,
        args.json,
        args.out.as_deref(),
        args.csv.as_deref(),
        args.svg.as_deref(),
    )?;
    let status = status(&result);
    match unsaved {
        Some(failure) => Err(crate::fuzz::traces_unsaved(
            failure,
            saved_count,
            failing_count,
        )),
        None => Ok(status),
    }
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
        wmsim_version: campaign::WMSIM_VERSION.to_string(),
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

/// Writes the outputs asked for; prints the table unless `json`.
pub fn emit(
    r: &SweepResult,
    json: bool,
    out: Option<&std::path::Path>,
    csv: Option<&std::path::Path>,
    svg: Option<&std::path::Path>,
) -> Result<(), Failure> {
    if let Some(path) = out {
        crate::traces::write_atomically(
            path,
            format!("{}\n", result::to_line(&r.to_file())).as_bytes(),
        )?;
    }
    if let Some(path) = csv {
        crate::traces::write_atomically(path, r.csv().as_bytes())?;
    }
    if let Some(path) = svg {
        let svg = plot(r).map_err(|e| Failure {
            message: format!("cannot draw {}: {e}", path.display()),
            status: exit::BAD_INPUT,
        })?;
        crate::traces::write_atomically(path, svg.as_bytes())?;
    }
    if json {
        outln!("{}", result::to_line(&r.to_file()));
    } else {
        out!("{}", table(r));
    }
    Ok(())
}

fn varying(r: &SweepResult) -> Vec<usize> {
    (0..r.axes.len())
        .filter(|&a| r.axes[a].1.len() > 1)
        .collect()
}

fn table(r: &SweepResult) -> String {
    let mut out = String::new();
    let varying = varying(r);
    let _ = writeln!(
        out,
        "{} on {}, seed {}, {} runs per combination{}",
        r.scenario,
        r.model,
        r.seed,
        r.runs,
        if r.shard.is_whole() {
            String::new()
        } else {
            format!(" (shard {} of {})", r.shard.index, r.shard.count)
        }
    );
    let fixed: Vec<String> = (0..r.axes.len())
        .filter(|a| !varying.contains(a))
        .map(|a| format!("{}={}", r.axes[a].0, r.axes[a].1[0]))
        .collect();
    let _ = writeln!(out, "fixed: {}", fixed.join(", "));
    let _ = writeln!(
        out,
        "rate: violating (or deadlocked) runs of the decided runs; cut: runs that \
         ended at the step bound, left out of the rate"
    );
    for &a in &varying {
        let _ = write!(out, "{:>14} ", r.axes[a].0);
    }
    let _ = writeln!(
        out,
        "{:>9} {:>10} {:>9} {:>9} {:>19} {:>11}",
        "runs", "violating", "cut", "rate", "95% interval", "runs/s/core"
    );
    for (values, c) in &r.rows {
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
    for (values, c) in &r.rows {
        for t in &c.traces {
            let which: Vec<String> = varying
                .iter()
                .map(|&a| format!("{}={}", r.axes[a].0, values[a]))
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
    if let Some(model) = memory_model::ModelName::parse(&r.model) {
        let _ = writeln!(
            out,
            "Note: rates of sampled runs on this model, not LKMM's; a 0 proves nothing \
             (`wmsim check` explores every run). {}",
            replay::narration::model_lacks(model)
        );
    }
    out
}

fn plot(r: &SweepResult) -> Result<String, String> {
    let axes = plot_axes(&r.axes);
    let points: Vec<SweepPoint> = r
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
        r.scenario, r.model, r.runs
    );
    plot::sweep_svg(&title, &axes, &points)
}

/// The exit status (4 when some combination had more than the stated
/// share of its runs cut at the step bound, else 0), with the warnings;
/// a shard is a part, judged by `merge` (as `bound::campaign_status`).
pub fn status(r: &SweepResult) -> u8 {
    let cut: u64 = r.rows.iter().map(|(_, c)| c.bound_exceeded_runs).sum();
    let runs: u64 = r.rows.iter().map(|(_, c)| c.runs).sum();
    let with_cut = r
        .rows
        .iter()
        .filter(|(_, c)| c.bound_exceeded_runs > 0)
        .count();
    let steps_max = r.settings.timing.steps_max;
    let share_max = r.settings.bound_share_max;
    let where_ = format!(" (in {with_cut} of {} combinations)", r.rows.len());
    bound::warn(cut, runs, &where_, steps_max);
    let over = r
        .rows
        .iter()
        .filter(|(_, c)| c.rate().bound_share_exceeded(share_max))
        .count();
    if over > 0 && r.shard.is_whole() {
        bound::too_many(
            share_max,
            &format!(" of the runs in {over} combination{}", plural(over)),
        )
    } else {
        exit::OK
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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
