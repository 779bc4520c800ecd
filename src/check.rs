//! `wmsim check`: every reachable state of a scenario on a model, the
//! verdict, and the shortest witness.

use memory_model::ir::{Fence, Instr};
use memory_model::transition::{Effect, ReadSource};
use memory_model::Machine;
use serde_json::json;
use sim_core::exhaustive::PathStep;
use sim_core::Exploration;

use crate::{exit, load, render, CheckArgs, Failure};

enum Format {
    Text,
    Json,
    Herd,
}

pub fn run(args: &CheckArgs) -> Result<u8, Failure> {
    let format = match (args.json, args.format.as_str()) {
        (true, _) | (false, "json") => Format::Json,
        (false, "text") => Format::Text,
        (false, "herd") => Format::Herd,
        (false, other) => {
            return Err(Failure::bad_input(format!(
                "unknown format {other:?}: expected text, json or herd"
            )))
        }
    };
    let options = args.bounds.options()?;
    let scenario = load::scenario(&args.scenario)?;
    let config = args.model.config(load::default_depth(&scenario))?;
    let machine = Machine::new(&scenario, config);
    let started = std::time::Instant::now();
    let x = Exploration::run(&machine, options);
    let seconds = started.elapsed().as_secs_f64();
    let witness = x
        .witness()
        .map(|w| describe_path(&machine, &x.steps_to(w.state)));
    match format {
        Format::Json => print_json(&machine, &x, witness.as_deref()),
        Format::Text => print_text(&machine, &x, witness.as_deref()),
        Format::Herd => out!("{}", crate::herd::result_block(&scenario, &x, seconds)),
    }
    Ok(if x.bound_exceeded {
        exit::BOUND_EXCEEDED
    } else {
        exit::OK
    })
}

/// Each transition of a path in words, from its effect when re-applied.
/// Moves the search made eagerly (dropping a copy, or an invalidation, of a
/// location the core never reads again) say so.
pub fn describe_path(machine: &Machine, path: &[PathStep]) -> Vec<String> {
    let scenario = machine.scenario;
    let mut state = machine.initial_state();
    let loc = |l: memory_model::ir::Loc| scenario.location_name(l).to_string();
    let value = |v| scenario.format_value(v);
    path.iter()
        .map(
            |&PathStep {
                 transition: t,
                 eager,
             }| {
                assert!(machine.enabled(&state, t), "witness step {t:?} not enabled");
                let unread = if eager { "  [never read again]" } else { "" };
                let effect = machine.apply(&mut state, t);
                let core = t.core();
                match effect {
                    Effect::Step {
                        pc,
                        read,
                        buffered,
                        published,
                        ..
                    } => {
                        let thread = &scenario.threads[core];
                        let source = &thread.source[pc as usize];
                        let mut notes = Vec::new();
                        if let Some(r) = read {
                            let whence = match r.source {
                                ReadSource::StoreBuffer => "own store buffer",
                                ReadSource::Cache => "cache",
                                ReadSource::StaleCache => "STALE cache",
                                ReadSource::Memory => "memory",
                            };
                            notes.push(format!(
                                "read {}={} from {whence}",
                                loc(r.loc),
                                value(r.value)
                            ));
                        }
                        if let Some((l, v)) = buffered {
                            notes.push(format!("{}={} into the store buffer", loc(l), value(v)));
                        }
                        if let Some((l, v)) = published {
                            notes.push(format!("{}={} to memory", loc(l), value(v)));
                        }
                        match thread.instrs[pc as usize] {
                            Instr::Fence(Fence::Mb) => notes.push("full fence passes".into()),
                            Instr::Fence(Fence::Rmb) => notes.push("read fence passes".into()),
                            Instr::Fence(Fence::Wmb) => notes.push("write fence".into()),
                            Instr::Branch { .. } | Instr::Jump { .. } => {
                                notes.push("branch".into())
                            }
                            _ => {}
                        }
                        let notes = if notes.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", notes.join("; "))
                        };
                        format!("P{core}: {source}{notes}")
                    }
                    Effect::Drain {
                        loc: l, value: v, ..
                    } => {
                        format!("P{core}: drain {}={} to memory", loc(l), value(v))
                    }
                    Effect::Invalidate { loc: l } => {
                        format!("P{core}: apply invalidation of {}{unread}", loc(l))
                    }
                    Effect::Evict { loc: l } => format!("P{core}: evict {}{unread}", loc(l)),
                }
            },
        )
        .collect()
}

fn blocked_json(machine: &Machine, d: &sim_core::exhaustive::Deadlock) -> serde_json::Value {
    let scenario = machine.scenario;
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
    json!({ "state": render::state_json(scenario, &d.values), "blocked": blocked })
}

fn print_json(machine: &Machine, x: &Exploration, witness: Option<&[String]>) {
    let scenario = machine.scenario;
    let states: Vec<_> = x
        .counted_finals()
        .map(|f| {
            json!({
                "state": render::state_json(scenario, &f.values),
                "matches": f.satisfies,
            })
        })
        .collect();
    let deadlocks: Vec<_> = x
        .deadlocks
        .iter()
        .map(|d| blocked_json(machine, d))
        .collect();
    let out = json!({
        "scenario": scenario.name,
        "model": machine.config.model.as_str(),
        "sb_depth": machine.config.sb_depth,
        "iq_depth": machine.config.iq_depth,
        "condition": scenario.format_condition(),
        "verdict": if x.bound_exceeded { None } else { Some(x.verdict()) },
        "bound_exceeded": x.bound_exceeded,
        "states": states,
        "deadlocks": deadlocks,
        "transitions": witness,
        "explored_states": x.explored_states,
    });
    outln!("{out}");
}

fn print_text(machine: &Machine, x: &Exploration, witness: Option<&[String]>) {
    let scenario = machine.scenario;
    let c = machine.config;
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
        let mark = if f.satisfies { "*" } else { " " };
        outln!("{mark} {}", render::state_text(scenario, &f.values));
    }
    outln!("Condition {}", scenario.format_condition());
    if x.bound_exceeded {
        outln!(
            "Verdict: bound exceeded after {} states (raise --states-max)",
            x.explored_states
        );
    } else {
        outln!("Verdict: {:?}", x.verdict());
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
    if let Some(w) = witness {
        outln!("Witness ({} transitions):", w.len());
        for (i, line) in w.iter().enumerate() {
            outln!("  {:>3}  {line}", i + 1);
        }
    }
    outln!("Explored {} states", x.explored_states);
    outln!(
        "Note: a verdict is this model's, not LKMM's: loads execute in order (so load \
         buffering is never exhibited) and a store reaches other cores only through memory."
    );
}
