//! The demo that `wmsim` with no arguments runs: Xen's shutdown deferral in
//! every barrier variant, fuzzed on every model with a fixed seed, as one
//! table of which variants can fail where.

use std::time::Instant;

use memory_model::{Config, Machine, ModelName};
use rayon::prelude::*;
use scenarios::builtin::{XenVariant, XEN};
use sim_core::{FuzzSummary, Timing};

use crate::{exit, fuzz, load, Failure};

/// Saves run `run` of the demo's seed as a trace, replayed once first.
fn save_trace(machine: &Machine, source: &str, run: u64) -> Result<(), Failure> {
    let dir = std::path::Path::new(DEMO_TRACES)
        .join(fuzz::file_part(&machine.scenario.name))
        .join(machine.config.model.as_str());
    let io = |e: std::io::Error| Failure {
        message: format!("cannot write traces under {}: {e}", dir.display()),
        status: exit::IO,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let trace = replay::record_run(machine, source, Timing::default(), DEMO_SEED, run);
    let path = dir.join(format!("seed{DEMO_SEED}-run{run}.ron"));
    replay::replay(&trace, &path.display().to_string()).map_err(|e| Failure {
        message: format!("internal error: a fresh trace does not replay: {e}"),
        status: exit::INTERNAL,
    })?;
    trace.write(&path).map_err(io)
}

const DEMO_SEED: u64 = 1;
const DEMO_RUNS: u64 = 10_000;
const DEMO_TRACES: &str = "traces/demo";

struct Cell {
    summary: FuzzSummary,
    /// Why the first failing run's trace could not be saved, if it could not.
    unsaved: Option<String>,
}

impl Cell {
    fn violating(&self) -> u64 {
        self.summary.violations + self.summary.deadlock_runs
    }

    fn text(&self) -> String {
        let s = &self.summary;
        match (s.violations, s.deadlock_runs) {
            (0, 0) => "0".into(),
            (v, 0) => format!("{v}"),
            (0, d) => format!("{d}d"),
            (v, d) => format!("{v}+{d}d"),
        }
    }

    fn first(&self) -> Option<u64> {
        match (self.summary.first_violation, self.summary.first_deadlock) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

pub fn run() -> Result<u8, Failure> {
    let started = Instant::now();
    let variants = XenVariant::all();
    let jobs: Vec<(usize, ModelName)> = (0..variants.len())
        .flat_map(|v| ModelName::ALL.into_iter().map(move |m| (v, m)))
        .collect();
    let cells: Vec<Result<Cell, Failure>> =
        jobs.par_iter()
            .map(|&(v, model)| {
                let source = variants[v].source();
                let scenario = variants[v].scenario();
                let config = Config::new(model, None, None, load::default_depth(&scenario))
                    .map_err(|e| Failure {
                        message: e.to_string(),
                        status: exit::BAD_INPUT,
                    })?;
                let machine = Machine::new(&scenario, config);
                let summary = fuzz::campaign(&machine, Timing::default(), DEMO_SEED, DEMO_RUNS, 1);
                // A folder we cannot write to costs the traces, not the table.
                let unsaved = match summary.failing.first() {
                    Some(&run) => match save_trace(&machine, &source, run) {
                        Ok(()) => None,
                        Err(f) if f.status == exit::IO => Some(f.message),
                        Err(f) => return Err(f),
                    },
                    None => None,
                };
                Ok(Cell { summary, unsaved })
            })
            .collect();
    let cells: Vec<Cell> = cells.into_iter().collect::<Result<_, _>>()?;

    outln!("wmsim: Xen's shutdown deferral (xen/common/domain.c), every barrier variant,");
    outln!(
        "{DEMO_RUNS} seeded timed runs per cell (seed {DEMO_SEED}): violating runs out of {DEMO_RUNS}."
    );
    outln!("N: runs that reached the bad state; Nd: runs that deadlocked (the vCPU paused");
    outln!("with its I/O request in flight, waiting forever). Variant: vCPU side / shutdown side.");
    let mut any_mb_mb_failure = false;
    for (t, template) in XEN.iter().enumerate() {
        outln!();
        outln!("{}: {}", template.name, template.about);
        outln!(
            "  {:<18} {:>12} {:>12} {:>12}   first failing run N (model: N)",
            "vcpu / shutdown",
            "sc",
            "tso",
            "weak"
        );
        let per_template = variants.len() / XEN.len();
        for i in 0..per_template {
            let v = &variants[t * per_template + i];
            let row = &cells[(t * per_template + i) * 3..][..3];
            let firsts: Vec<String> = ModelName::ALL
                .iter()
                .zip(row)
                .filter_map(|(m, c)| c.first().map(|r| format!("{m}: {r}")))
                .collect();
            if v.vcpu == "mb" && v.shutdown == "mb" && row.iter().any(|c| c.violating() > 0) {
                any_mb_mb_failure = true;
            }
            outln!(
                "  {:<18} {:>12} {:>12} {:>12}   {}",
                format!("{} / {}", v.vcpu, v.shutdown),
                row[0].text(),
                row[1].text(),
                row[2].text(),
                if firsts.is_empty() {
                    "-".into()
                } else {
                    firsts.join(", ")
                }
            );
        }
    }
    outln!();
    outln!(
        "What it means: with smp_mb() on both sides (the real code) no run on any model \
         fails{}; weaken either barrier to smp_wmb(), smp_rmb(), barrier() or nothing and \
         the store buffers of tso (x86) and weak (Arm-like) let both sides miss the other's \
         flag: the vCPU is paused with a request in flight (P1) or never paused (P2). sc, \
         which has no buffers, never fails.",
        if any_mb_mb_failure {
            " (EXCEPT AS SHOWN ABOVE: a defect)"
        } else {
            ""
        }
    );
    if let Some(why) = cells.iter().find_map(|c| c.unsaved.as_deref()) {
        outln!("Traces were not saved: {why}");
    }
    let example = format!(
        "{DEMO_TRACES}/{}/weak/seed{DEMO_SEED}-run{}.ron",
        fuzz::file_part("xen-shutdown-sb:vcpu=mb,shutdown=wmb"),
        cells[3 + 2].first().unwrap_or(0)
    );
    outln!(
        "Next: wmsim replay {example} --svg run.svg   (the run, step by step, and drawn); \
         wmsim minimize {example} -o short.ron; \
         wmsim check xen-shutdown-full --model weak   (the real code, proven for the model). \
         ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}
