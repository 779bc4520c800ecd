//! `wmsim check`: every reachable state of each scenario on each model, the
//! verdict, the shortest witnesses (to the condition's outcome and to the
//! first deadlock), and the verdict compared with the one expected.

use memory_model::ir::Scenario;
use memory_model::{Machine, ModelName};
use serde_json::{json, Value as Json};
use sim_core::witness::{explain, WitnessStep};
use sim_core::{Exploration, Verdict};

use crate::{exit, load, render, CheckArgs, Failure, ModelArgs};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Herd,
}

/// The verdict a section is compared with, and where it was written.
#[derive(Clone, Debug)]
struct Expected {
    /// `Never`, `Sometimes`, `Always`, or another word a `Result:` line has.
    word: String,
    from_flag: bool,
}

impl Expected {
    fn source_label(&self) -> &'static str {
        if self.from_flag {
            "--expect"
        } else {
            "the file's Result: line"
        }
    }
}

/// How an exploration stands against an expected verdict.
struct Comparison {
    /// `None`: not compared (no verdict, or a word that is not one).
    met: Option<bool>,
    note: String,
}

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
        let expected = match args.expect {
            Some(v) => Some(Expected {
                word: v.as_str().into(),
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
            match check_one(args, &scenario, model, expected.as_ref(), format) {
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
    match (args.json, args.format.as_deref()) {
        (true, None | Some("json")) | (false, Some("json")) => Ok(Format::Json),
        (true, Some(other @ ("text" | "herd"))) => Err(Failure::bad_input(format!(
            "--json asks for JSON and --format {other} for {other}: give one of them"
        ))),
        (false, None | Some("text")) => Ok(Format::Text),
        (false, Some("herd")) => Ok(Format::Herd),
        (_, Some(other)) => Err(Failure::bad_input(format!(
            "unknown format {other:?}: expected text, json or herd"
        ))),
    }
}

fn models(args: &CheckArgs) -> Result<Vec<ModelName>, Failure> {
    if args.all_models {
        return Ok(ModelName::ALL.to_vec());
    }
    args.model
        .iter()
        .map(|m| {
            ModelName::parse(m).ok_or_else(|| {
                Failure::bad_input(format!("unknown model {m:?}: expected sc, tso or weak"))
            })
        })
        .collect()
}

/// One scenario on one model: prints its section (text, herd) or returns
/// it (JSON), with its exit status.
fn check_one(
    args: &CheckArgs,
    scenario: &Scenario,
    model: ModelName,
    expected: Option<&Expected>,
    format: Format,
) -> Result<(u8, Option<Json>), Failure> {
    let config = ModelArgs {
        model: model.as_str().into(),
        sb_depth: args.sb_depth,
        iq_depth: args.iq_depth,
    }
    .config(load::default_depth(scenario))?;
    let machine = Machine::new(scenario, config);
    let options = args.bounds.options()?;
    let started = std::time::Instant::now();
    let x = Exploration::run(&machine, options);
    let seconds = started.elapsed().as_secs_f64();
    let comparison = expected.map(|e| compare(&x, e));
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
        verbose: args.verbose,
    };
    match format {
        Format::Json => return Ok((status, Some(section.json(status)))),
        Format::Text => section.print_text(),
        Format::Herd => out!("{}", crate::herd::result_block(scenario, &x, seconds)),
    }
    Ok((status, None))
}

/// How the verdict stands against the expected one, in words.
fn compare(x: &Exploration, expected: &Expected) -> Comparison {
    let Some(want) = Verdict::parse(&expected.word) else {
        return Comparison {
            met: None,
            note: "not a verdict check compares (Never, Sometimes or Always)".into(),
        };
    };
    if x.bound_exceeded {
        return Comparison {
            met: None,
            note: "not compared: the exploration stopped at its bound".into(),
        };
    }
    // herd7 does not count runs that hang, so its Result: line is met by
    // the verdict alone; --expect Never also asks that no run deadlocks.
    let lkmm = !expected.from_flag;
    let got = x.verdict();
    if lkmm && got == want {
        let note = match x.deadlocks.len() {
            0 => "met".into(),
            n => format!(
                "met (like herd7, the verdict leaves out runs that deadlock: {n} deadlocked \
                 state(s) below)"
            ),
        };
        return Comparison {
            met: Some(true),
            note,
        };
    }
    if x.meets(want) {
        return Comparison {
            met: Some(true),
            note: "met".into(),
        };
    }
    let forbids = if lkmm { ", which LKMM forbids" } else { "" };
    let why = match (want, got) {
        (Verdict::Never, Verdict::Never) => format!(
            "the proposition never holds, but {} deadlocked state(s) are reachable",
            x.deadlocks.len()
        ),
        (Verdict::Never, _) => {
            format!("this model reaches a final state where the proposition holds{forbids}")
        }
        (Verdict::Sometimes, Verdict::Never) if lkmm => "LKMM allows final states where the \
             proposition holds, but this model reaches none: it did not exhibit what LKMM \
             allows (a limit of the model, not a proof)"
            .into(),
        (Verdict::Sometimes, Verdict::Never) => {
            "this model reaches no final state where the proposition holds".into()
        }
        (Verdict::Sometimes, _) if lkmm => "LKMM allows final states where the proposition \
             fails, but this model reaches none"
            .into(),
        (Verdict::Sometimes, _) => {
            "this model reaches no final state where the proposition fails".into()
        }
        (Verdict::Always, _) if x.counted_finals().next().is_none() => {
            "no final state is reachable".into()
        }
        (Verdict::Always, _) => {
            format!("this model reaches a final state where the proposition fails{forbids}")
        }
    };
    Comparison {
        met: Some(false),
        note: format!("NOT MET, the verdict is {}: {why}", got.as_str()),
    }
}

/// One scenario on one model, ready to print.
struct Section<'a, 'm, 's> {
    machine: &'a Machine<'s>,
    x: &'a Exploration<'m, 's>,
    witness: Option<Vec<WitnessStep>>,
    expected: Option<&'a Expected>,
    comparison: Option<Comparison>,
    verbose: bool,
}

impl Section<'_, '_, '_> {
    fn scenario(&self) -> &Scenario {
        self.machine.scenario
    }

    /// The steps shown: reduction moves folded away unless `--verbose`;
    /// and how many were folded.
    fn shown<'w>(&self, steps: &'w [WitnessStep]) -> (Vec<&'w WitnessStep>, usize) {
        let shown: Vec<_> = steps
            .iter()
            .filter(|s| self.verbose || !s.is_reduction_move())
            .collect();
        let folded = steps.len() - shown.len();
        (shown, folded)
    }

    fn first_deadlock_path(&self) -> Option<Vec<WitnessStep>> {
        let d = self.x.deadlocks.first()?;
        Some(explain(self.machine, &self.x.steps_to(d.state)))
    }

    /// Whether a filter removed every final state: then `Never` was
    /// decided on nothing.
    fn filter_removed_all(&self) -> bool {
        self.scenario().filter.is_some()
            && self.x.counted_finals().next().is_none()
            && self.x.filtered_out() > 0
    }

    /// The steps shown, as JSON objects, and how many were folded away.
    fn steps_json(&self, steps: &[WitnessStep]) -> (Json, usize) {
        let (shown, folded) = self.shown(steps);
        let scenario = self.scenario();
        let steps = shown
            .iter()
            .map(|s| render::step_json(scenario, s))
            .collect();
        (Json::Array(steps), folded)
    }

    fn json(&self, status: u8) -> Json {
        let scenario = self.scenario();
        let x = self.x;
        let condition = &scenario.condition;
        let states: Vec<_> = x
            .counted_finals()
            .map(|f| {
                json!({
                    "state": render::state_json(scenario, &f.values),
                    "matches": f.satisfies,
                    "fails": condition.fails_when(f.satisfies),
                })
            })
            .collect();
        let deadlocks: Vec<_> = x
            .deadlocks
            .iter()
            .map(|d| {
                let path = explain(self.machine, &x.steps_to(d.state));
                let blocked: Vec<_> = d
                    .blocked
                    .iter()
                    .map(|b| {
                        json!({
                            "core": b.core,
                            "instruction": scenario.threads[b.core].source.get(b.pc),
                            "reason": b.reason.map(|r| r.describe()),
                        })
                    })
                    .collect();
                let (transitions, folded) = self.steps_json(&path);
                json!({
                    "state": render::state_json(scenario, &d.values),
                    "blocked": blocked,
                    "transitions": transitions,
                    "folded_moves": folded,
                })
            })
            .collect();
        let expected = match (self.expected, &self.comparison) {
            (Some(e), Some(c)) => json!({
                "verdict": e.word,
                "from": if e.from_flag { "flag" } else { "result_comment" },
                "met": c.met,
                "note": c.note,
            }),
            _ => Json::Null,
        };
        let witness = self.witness.as_deref().map(|w| self.steps_json(w));
        let witness = witness.as_ref().map(|(t, f)| (t, *f));
        let c = self.machine.config;
        json!({
            "scenario": scenario.name,
            "model": c.model.as_str(),
            "sb_depth": c.sb_depth,
            "iq_depth": c.iq_depth,
            "condition": scenario.format_condition(),
            "verdict": if x.bound_exceeded { None } else { Some(x.verdict()) },
            "bound_exceeded": x.bound_exceeded,
            "states": states,
            "filtered_out": x.filtered_out(),
            "filter_removed_every_state": self.filter_removed_all(),
            "deadlocks": deadlocks,
            "transitions": witness.map(|w| w.0),
            "folded_moves": witness.map_or(0, |w| w.1),
            "expected": expected,
            "exit_status": status,
            "explored_states": x.explored_states,
        })
    }

    fn print_steps(&self, title: &str, steps: &[WitnessStep]) {
        let (shown, folded) = self.shown(steps);
        let fold_note = if folded > 0 {
            format!(
                "; {folded} eager evictions and invalidations of the search folded away, \
                 --verbose shows them"
            )
        } else {
            String::new()
        };
        outln!("{title} ({} steps{fold_note}):", shown.len());
        for (i, s) in shown.iter().enumerate() {
            outln!("  {:>3}  {}", i + 1, render::step_text(self.scenario(), s));
        }
    }

    fn print_text(&self) {
        let scenario = self.scenario();
        let x = self.x;
        let c = self.machine.config;
        outln!(
            "Test {} on {} (sb_depth {}, iq_depth {})",
            scenario.name,
            c.model,
            c.sb_depth,
            c.iq_depth
        );
        let finals: Vec<_> = x.counted_finals().collect();
        outln!("States {}", finals.len());
        for f in &finals {
            let mark = render::fail_mark(&scenario.condition, f.satisfies);
            outln!("{mark} {}", render::state_text(scenario, &f.values));
        }
        if finals
            .iter()
            .any(|f| scenario.condition.fails_when(f.satisfies))
        {
            outln!("{}", render::fail_mark_legend(&scenario.condition));
        }
        outln!("Condition {}", scenario.format_condition());
        if x.bound_exceeded {
            outln!(
                "Verdict: bound exceeded after {} states (raise --states-max)",
                x.explored_states
            );
        } else {
            outln!("Verdict: {}", x.verdict().as_str());
        }
        if self.filter_removed_all() {
            outln!(
                "The filter removed every final state ({}): nothing was left to test, so \
                 this verdict says nothing about the condition.",
                x.filtered_out()
            );
        }
        if let (Some(e), Some(cmp)) = (self.expected, &self.comparison) {
            outln!("Expected {} ({}): {}", e.word, e.source_label(), cmp.note);
        }
        if !x.deadlocks.is_empty() {
            outln!("Deadlocks {}", x.deadlocks.len());
            for d in x.deadlocks.iter().take(10) {
                let who: Vec<_> = d
                    .blocked
                    .iter()
                    .map(|b| {
                        format!(
                            "P{} at `{}` ({})",
                            b.core,
                            scenario.threads[b.core].source.get(b.pc).map_or("?", |s| s),
                            b.reason.map_or("?", |r| r.describe())
                        )
                    })
                    .collect();
                outln!(
                    "  {} blocked: {}",
                    render::state_text(scenario, &d.values),
                    who.join(", ")
                );
            }
        }
        if let Some(w) = &self.witness {
            self.print_steps("Witness", w);
        }
        if let Some(path) = self.first_deadlock_path() {
            self.print_steps("Path to the first deadlock", &path);
        }
        outln!("Explored {} states", x.explored_states);
        outln!(
            "Note: a verdict is this model's, not LKMM's: loads execute in order (so load \
             buffering is never exhibited) and a store reaches other cores only through memory."
        );
    }
}
