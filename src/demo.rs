//! The demo that `wmsim` with no arguments runs: Xen's shutdown deferral in
//! every barrier variant, fuzzed on every model with a fixed seed, as one
//! table of which variants can fail where.

use std::time::Instant;

use memory_model::{Config, Machine, ModelName};
use rayon::prelude::*;
use scenarios::builtin::{XenVariant, XEN};
use sim_core::{FuzzSummary, Rate, Timing};

use crate::{bound, exit, fuzz, DemoArgs, Failure};

const DEMO_SEED: u64 = 1;
/// Runs per cell: enough for every cell that can fail to fail (on seed 1
/// the last first failure is run 455, on power),
/// few enough that the five models' 500 cells take seconds: an
/// out-of-order run costs several in-order ones.
pub const RUNS_DEFAULT: u64 = 2_000;
/// The first failing run of each cell is saved, unless `--save 0`.
pub const SAVE_DEFAULT: usize = 1;
pub const TRACES_DEFAULT: &str = "traces/demo";
/// Columns of the table: every model, in-order and out-of-order.
const MODELS: usize = ModelName::ALL.len();

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
        let failing = match (s.violations, s.deadlock_runs) {
            (0, 0) => "0".into(),
            (v, 0) => format!("{v}"),
            (0, d) => format!("{d}d"),
            (v, d) => format!("{v}+{d}d"),
        };
        match s.bound_exceeded_runs {
            0 => failing,
            b => format!("{failing} ({b}c)"),
        }
    }

    fn first(&self) -> Option<u64> {
        match (self.summary.first_violation, self.summary.first_deadlock) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

pub fn run(args: &DemoArgs) -> Result<u8, Failure> {
    if args.runs == 0 || args.runs > fuzz::RUNS_MAX {
        return Err(Failure::bad_input(format!(
            "--runs must be from 1 to {}",
            fuzz::RUNS_MAX
        )));
    }
    let started = Instant::now();
    let traces = args.traces.as_path();
    // Said before the work starts: the demo writes files where it is run.
    outln!("wmsim: Xen's shutdown deferral (xen/common/domain.c), every barrier variant.");
    if args.save == 0 {
        outln!("Saves no traces (--save 0).");
    } else {
        outln!(
            "Saves the first {} of each cell as a trace under {}/ \
             (`wmsim demo --save 0`: none; `--traces DIR`: elsewhere).",
            if args.save == 1 {
                "failing run".to_string()
            } else {
                format!("{} failing runs", args.save)
            },
            traces.display()
        );
    }
    let variants = XenVariant::all();
    let jobs: Vec<(usize, ModelName)> = (0..variants.len())
        .flat_map(|v| ModelName::ALL.into_iter().map(move |m| (v, m)))
        .collect();
    let cells: Vec<Result<Cell, Failure>> = jobs
        .par_iter()
        .map(|&(v, model)| {
            let source = variants[v].source();
            let scenario = variants[v].scenario();
            let config = Config::new(
                model,
                None,
                None,
                memory_model::depth::default_depth(&scenario),
            )
            .map_err(|e| Failure {
                message: e.to_string(),
                status: exit::BAD_INPUT,
            })?;
            let machine = Machine::new(&scenario, config);
            let summary =
                fuzz::campaign(&machine, Timing::default(), DEMO_SEED, args.runs, args.save);
            // A folder we cannot write to costs the traces, not the table.
            let dir = fuzz::trace_dir(traces, &machine);
            let mut unsaved = None;
            for &run in &summary.failing {
                match fuzz::save_trace(&machine, &source, Timing::default(), DEMO_SEED, run, &dir) {
                    Ok(_) => {}
                    Err(f) if f.status == exit::IO => {
                        unsaved = Some(f.message);
                        break;
                    }
                    Err(f) => return Err(f),
                }
            }
            Ok(Cell { summary, unsaved })
        })
        .collect();
    let cells: Vec<Cell> = cells.into_iter().collect::<Result<_, _>>()?;

    outln!();
    outln!(
        "{} seeded timed runs per cell (seed {DEMO_SEED}): how many of them failed.",
        args.runs
    );
    outln!("N: runs that reached the bad state; Nd: runs that deadlocked (the vCPU paused");
    outln!("with its I/O request in flight, waiting forever); (Nc): runs cut at the step bound,");
    outln!("neither passes nor failures. Variant: vCPU side / shutdown side.");
    outln!("First failing run: on each model where some run failed, the number of the first");
    outln!(
        "one (runs are numbered 0 to {}); `wmsim fuzz VARIANT --model MODEL --seed {DEMO_SEED}",
        args.runs - 1
    );
    outln!("--run N` saves run N as a trace, to replay step by step.");
    let mut any_mb_mb_failure = false;
    let mut racy_templates = std::collections::BTreeSet::new();
    for (t, template) in XEN.iter().enumerate() {
        outln!();
        outln!("{}: {}", template.name, template.about);
        let mut header = format!("  {:<18}", "vcpu / shutdown");
        for m in ModelName::ALL {
            header.push_str(&format!(" {:>10}", m.as_str()));
        }
        outln!("{header}   first failing run (model: run)");
        let per_template = variants.len() / XEN.len();
        for i in 0..per_template {
            let v = &variants[t * per_template + i];
            let row = &cells[(t * per_template + i) * MODELS..][..MODELS];
            let firsts: Vec<String> = ModelName::ALL
                .iter()
                .zip(row)
                .filter_map(|(m, c)| c.first().map(|r| format!("{m}: {r}")))
                .collect();
            if v.vcpu == "mb" && v.shutdown == "mb" && row.iter().any(|c| c.violating() > 0) {
                any_mb_mb_failure = true;
            }
            let mut line = format!("  {:<18}", format!("{} / {}", v.vcpu, v.shutdown));
            for cell in row {
                line.push_str(&format!(" {:>10}", cell.text()));
            }
            // A race is the program's, not a run's: LKMM's rule, found once.
            let scenario = v.scenario();
            let races = crate::races::Races::find(&scenario, template.name);
            let race = if races.any() {
                racy_templates.insert(template.name);
                format!("; data race on {}", races.locations(&scenario).join(", "))
            } else {
                String::new()
            };
            outln!(
                "{line}   {}{race}",
                if firsts.is_empty() {
                    "-".into()
                } else {
                    firsts.join(", ")
                }
            );
        }
    }
    outln!();
    // The closing words are the answer of `wmsim fences`, not ours.
    let fences_traces = (args.save > 0).then_some(traces);
    let options = sim_core::ExploreOptions {
        deadline: Some(Instant::now() + std::time::Duration::from_secs(60)),
        ..sim_core::ExploreOptions::default()
    };
    let repair = crate::fences::find(
        "xen-shutdown-sb:vcpu=none,shutdown=none",
        &ModelName::ALL,
        options,
        fences_traces,
    )?;
    let real = crate::fences::find("xen-shutdown-sb", &ModelName::ALL, options, None)?;
    let verdict_on_real = if real.input_is_minimal() {
        "So the real code, smp_mb() on both sides, is safe and neither barrier can be \
         weakened"
    } else {
        "So the real code, smp_mb() on both sides, is NOT the minimal safe placement \
         (a defect: `wmsim fences xen-shutdown-sb` says why)"
    };
    outln!(
        "What it means: {} {verdict_on_real}{}. Why: tso (x86) and weak (Arm-like) keep \
         the store in a store buffer while the load reads the old flag; arm (ARMv8) \
         satisfies the load out of order, before the older store commits (dmb ishst and \
         dmb ishld order nothing from a store to a later load); power does the same, and \
         its SMT pair buffer shows a committed store to the sibling at once but to other \
         cores only once drained (smp_mb(), sync, waits for that). sc, which has no \
         buffers, never fails.",
        repair.conclusion(),
        if any_mb_mb_failure {
            " (yet the table shows a failure of the real code: a defect)"
        } else {
            ""
        }
    );
    for name in &racy_templates {
        let plain = crate::fences::find(
            &format!("{name}:vcpu=none,shutdown=none"),
            &ModelName::ALL,
            options,
            None,
        )?;
        outln!(
            "{name} is the pair as Xen writes it, with plain C accesses: whatever the \
             barriers and whatever the table shows, LKMM calls it a data race on both flags \
             (two CPUs, one writing, at least one access plain, nothing ordering them), and a \
             racy program has no meaning: the compiler may tear, fuse, repeat or move the \
             accesses. Marking them (Xen's read_atomic/write_atomic, READ_ONCE/WRITE_ONCE: \
             xen-shutdown-sb) removes the race; `wmsim check {name}` names both accesses. {}",
            plain.conclusion()
        );
    }
    if let Some(why) = cells.iter().find_map(|c| c.unsaved.as_deref()) {
        outln!("Traces were not saved: {why}");
    }
    let example_variant = "xen-shutdown-sb:vcpu=mb,shutdown=wmb";
    // The second variant of the first template, on weak.
    let weak = ModelName::ALL.iter().position(|&m| m == ModelName::Weak);
    let example_run = cells[MODELS + weak.expect("weak is a model")]
        .first()
        .unwrap_or(0);
    let example = traces
        .join(fuzz::file_part(example_variant))
        .join("weak")
        .join(format!("seed{DEMO_SEED}-run{example_run}.ron"));
    let example = example.display();
    if args.save == 0 {
        outln!(
            "Next: wmsim fuzz {example_variant} --model weak --seed {DEMO_SEED} --run {example_run} \
             (saves that run as a trace, then wmsim replay it); \
             wmsim check xen-shutdown-full --model weak   (the real code, proven for the model); \
             wmsim fences xen-shutdown-sb:vcpu=none,shutdown=none   (the weakest barriers, each \
             explained by a failing run). ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    } else {
        outln!(
            "Next: wmsim replay {example} --svg run.svg   (the run, step by step, and drawn); \
             wmsim minimize {example} -o short.ron; \
             wmsim check xen-shutdown-full --model weak   (the real code, proven for the model); \
             wmsim fences xen-shutdown-sb:vcpu=none,shutdown=none   (the weakest barriers, each \
             explained by a failing run). ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(status(&cells))
}

/// 4 when some cell had more than the default share of its runs cut at the
/// step bound (the demo's table then answers nothing there), else 0.
fn status(cells: &[Cell]) -> u8 {
    let rates: Vec<Rate> = cells.iter().map(|c| c.summary.rate()).collect();
    let cut: u64 = rates.iter().map(|r| r.bound_exceeded).sum();
    let with_cut = rates.iter().filter(|r| r.bound_exceeded > 0).count();
    let where_ = format!(" (in {with_cut} of {} cells)", rates.len());
    bound::warn(
        cut,
        rates.iter().map(Rate::runs).sum(),
        &where_,
        Timing::default().steps_max,
    );
    let share_max = sim_core::BOUND_SHARE_MAX_DEFAULT;
    if rates.iter().any(|r| r.bound_share_exceeded(share_max)) {
        bound::too_many(share_max, " of some cell's runs")
    } else {
        exit::OK
    }
}
