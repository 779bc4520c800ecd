//! `wmsim check`: every reachable state of each scenario on each model, the
//! verdict, the shortest witnesses (to the condition's outcome and to the
//! first deadlock), and the verdict compared with the one expected.

mod section;

use memory_model::ir::Scenario;
use memory_model::{Config, Machine, ModelName};
use serde_json::{json, Value as Json};
use sim_core::witness::explain;
use sim_core::Exploration;

use crate::{exit, load, CheckArgs, Failure};
use campaign::expectation::{compare, Expected};
use section::Section;

use crate::flags::Format;

pub fn run(args: &CheckArgs) -> Result<u8, Failure> {
    let format = format(args)?;
    args.bounds.options()?;
    let models = models(args)?;
    let several = args.scenarios.len() * models.len() > 1;
    let mut status = exit::OK;
    let mut sections = Vec::new();
    let mut first = true;
    for name in &args.scenarios {
        let (scenario, source) = match load::scenario_and_source(name) {
            Ok(loaded) => loaded,
            Err(f) if !several => return Err(f),
            Err(f) => {
                status = worst(status, f.status);
                sections.push(failed_section(name, None, f));
                continue;
            }
        };
        let races = crate::races::Races::find(&scenario, name);
        let expected = match args.expect {
            Some(v) => Some(Expected {
                word: sim_core::Verdict::from(v).as_str().into(),
                from_flag: true,
            }),
            // herd7 exits 0 whatever it found, and scripts/herd7 and the
            // kernel's scripts around it rely on that: in herd's format only
            // an explicit --expect changes the status.
            None if format == Format::Herd => None,
            None => scenarios::litmus::result_comment(&source).map(|word| Expected {
                word,
                from_flag: false,
            }),
        };
        for &model in &models {
            if format != Format::Json && !first {
                outln!();
            }
            first = false;
            match check_one(args, &scenario, model, expected.as_ref(), &races, format) {
                Ok((section_status, json)) => {
                    status = worst(status, section_status);
                    sections.extend(json);
                }
                Err(f) if !several => return Err(f),
                Err(f) => {
                    status = worst(status, f.status);
                    sections.push(failed_section(name, Some(model), f));
                }
            }
        }
    }
    if format == Format::Json {
        if several {
            outln!("{}", json!({ "sections": sections, "exit_status": status }));
        } else if let Some(section) = sections.pop() {
            outln!("{section}");
        }
    }
    Ok(status)
}

/// A section that could not be checked: the error on stderr (as `wmsim:
/// ...`), and in the JSON sections.
fn failed_section(name: &str, model: Option<ModelName>, f: Failure) -> Json {
    eprintln!("wmsim: {}", f.message);
    json!({
        "input": name,
        "model": model.map(ModelName::as_str),
        "error": f.message,
        "exit_status": f.status,
    })
}

/// The worst of two statuses, in the order bad input (2) > I/O (3) >
/// unsupported (5) > bound exceeded (4) > expectation not met (1) > ran (0).
pub fn worst(a: u8, b: u8) -> u8 {
    let rank = |s: u8| match s {
        exit::BAD_INPUT => 5,
        exit::IO => 4,
        exit::UNSUPPORTED => 3,
        exit::BOUND_EXCEEDED => 2,
        exit::VIOLATION => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn format(args: &CheckArgs) -> Result<Format, Failure> {
    match (args.json, args.format) {
        (true, None | Some(Format::Json)) => Ok(Format::Json),
        (true, Some(other)) => {
            let other = if other == Format::Text {
                "text"
            } else {
                "herd"
            };
            Err(Failure::bad_input(format!(
                "--json asks for JSON and --format {other} for {other}: give one of them"
            )))
        }
        (false, format) => Ok(format.unwrap_or(Format::Text)),
    }
}

fn models(args: &CheckArgs) -> Result<Vec<ModelName>, Failure> {
    if args.all_models {
        return Ok(ModelName::ALL.to_vec());
    }
    Ok(args.model.iter().map(|&m| ModelName::from(m)).collect())
}

/// One scenario on one model: prints its section (text, herd) or returns
/// it (JSON), with its exit status.
fn check_one(
    args: &CheckArgs,
    scenario: &Scenario,
    model: ModelName,
    expected: Option<&Expected>,
    races: &crate::races::Races,
    format: Format,
) -> Result<(u8, Option<Json>), Failure> {
    let default_depth = memory_model::depth::default_depth(scenario);
    let config = Config::new(model, args.sb_depth, args.iq_depth, default_depth)
        .and_then(|c| c.with_rob(args.rob))
        .and_then(|c| c.with_smt_pairs(args.smt_pairs.as_deref(), scenario.threads.len()))
        .map_err(|e| Failure::bad_input(e.to_string()))?;
    let machine = Machine::new(scenario, config);
    let threads = match args.threads {
        Some(0) => return Err(Failure::bad_input("--threads must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let options = sim_core::ExploreOptions {
        threads,
        ..args.bounds.options()?
    };
    let started = std::time::Instant::now();
    let x = Exploration::run(&machine, options);
    let seconds = started.elapsed().as_secs_f64();
    let mut comparison = expected.map(|e| compare(&x, e));
    // `--expect Never` promises more than the outcome: a racy program has
    // no meaning, so it cannot be relied on never to show it.
    if let (Some(e), Some(c)) = (expected, comparison.as_mut()) {
        if e.from_flag && e.word == "Never" && races.any() && !x.bound_exceeded {
            c.met = Some(false);
            c.note = format!(
                "not met: the program has {} (LKMM gives it no meaning)",
                races.summary(scenario)
            );
        }
    }
    let status = if x.bound_exceeded {
        exit::BOUND_EXCEEDED
    } else if comparison.as_ref().and_then(|c| c.met) == Some(false) {
        exit::VIOLATION
    } else {
        exit::OK
    };
    let witness = x.witness().map(|w| explain(&machine, &x.steps_to(w.state)));
    let section = Section {
        machine: &machine,
        x: &x,
        witness,
        expected,
        comparison,
        races,
        verbose: args.verbose,
    };
    match format {
        Format::Json => return Ok((status, Some(section.json(status)))),
        Format::Text => section.print_text(),
        Format::Herd => out!(
            "{}",
            crate::herd::result_block(scenario, &x, races.any(), seconds)
        ),
    }
    Ok((status, None))
}
