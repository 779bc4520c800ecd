//! Witness narration: how states, outcomes and transitions are told, as
//! text and as JSON (what `check` prints of a witness and its final states,
//! and what a fuzz result records of an outcome).

use memory_model::ir::{Condition, Fence, Instr, Quantifier, Scenario, Value};
use memory_model::transition::{Effect, ReadSource};
use memory_model::Transition;
use serde_json::{json, Map, Value as Json};
use sim_core::witness::{Missed, WitnessStep};

/// Observed values as herd prints a state: `0:r0=0; 1:r0=1; x=1;`.
pub fn state_text(scenario: &Scenario, values: &[Value]) -> String {
    scenario
        .observed
        .iter()
        .zip(values)
        .map(|(&o, &v)| {
            format!(
                "{}={};",
                scenario.observable_name(o),
                scenario.format_value(v)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Observed values as a JSON object from names to integers (an address is
/// shown as the name of the location it points at).
pub fn state_json(scenario: &Scenario, values: &[Value]) -> Json {
    let mut m = Map::new();
    for (&o, &v) in scenario.observed.iter().zip(values) {
        m.insert(scenario.observable_name(o), value_json(scenario, v));
    }
    Json::Object(m)
}

/// A value as JSON: an integer, or the name of the location an address
/// points at.
fn value_json(scenario: &Scenario, v: Value) -> Json {
    match memory_model::ir::location_at(v, scenario.locations.len()) {
        Some(_) => Json::from(scenario.format_value(v)),
        None => Json::from(v),
    }
}

/// The mark of a final state in an outcome table: `*` where the state makes
/// the test fail ([`Condition::fails_when`]), the same in every command.
pub fn fail_mark(condition: &Condition, holds: bool) -> &'static str {
    if condition.fails_when(holds) {
        "*"
    } else {
        " "
    }
}

/// What a model never exhibits, from its parameters, as one sentence:
/// `sc has no store buffer, so no store buffering; ...`. Every command that
/// gives a model's answer ends with it, so none reads as LKMM's.
pub fn model_lacks(model: memory_model::ModelName) -> String {
    format!("{model} has {}.", model.parameters().lacks().join("; "))
}

/// [`model_lacks`] for one configuration: with what its options narrow
/// (`Config::lacks`).
pub fn config_lacks(config: &memory_model::Config) -> String {
    format!("{} has {}.", config.model, config.lacks().join("; "))
}

/// What the `*` of [`fail_mark`] means for this condition, in words.
pub fn fail_mark_legend(condition: &Condition) -> &'static str {
    match condition.quantifier {
        Quantifier::Exists | Quantifier::NotExists => {
            "(* marks the states that make the test fail: the proposition holds)"
        }
        Quantifier::Forall => {
            "(* marks the states that make the test fail: the proposition does not hold)"
        }
    }
}

fn read_source_text(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "own store buffer",
        ReadSource::Cache => "cache",
        ReadSource::StaleCache => "STALE cache",
        ReadSource::Memory => "memory",
        ReadSource::PairBuffer => "the SMT pair's buffer",
    }
}

fn read_source_json(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "own_store_buffer",
        ReadSource::Cache => "cache",
        ReadSource::StaleCache => "stale_cache",
        ReadSource::Memory => "memory",
        ReadSource::PairBuffer => "pair_buffer",
    }
}

fn fence_of(scenario: &Scenario, core: usize, pc: u16) -> Option<Fence> {
    match scenario.threads[core].instrs[pc as usize] {
        Instr::Fence(f) => Some(f),
        _ => None,
    }
}

fn source_line(scenario: &Scenario, core: usize, pc: usize) -> &str {
    scenario.threads[core].source.get(pc).map_or("?", |s| s)
}

/// One step of a witness in words: `P1: r0 = READ_ONCE(*x)  [read x=0
/// from STALE cache, missing x=1 in memory]`.
pub fn step_text(scenario: &Scenario, s: &WitnessStep) -> String {
    let loc = |l: memory_model::ir::Loc| scenario.location_name(l).to_string();
    let value = |v| scenario.format_value(v);
    let core = s.step.transition.core();
    let mut notes = Vec::new();
    let head = match s.effect {
        Effect::Step {
            pc,
            read,
            buffered,
            published,
            ..
        } => {
            if let Some(r) = read {
                // Out of order, a load reads its own older store before it
                // commits: forwarded inside the core, not from a buffer.
                let from = match (s.step.transition, r.source) {
                    (Transition::Perform { .. }, ReadSource::StoreBuffer) => {
                        "its own older store (forwarded)"
                    }
                    _ => read_source_text(r.source),
                };
                let mut note = format!("read {}={} from {from}", loc(r.loc), value(r.value));
                for m in &s.missed {
                    note += &match *m {
                        Missed::Memory(v) => {
                            format!(", missing {}={} in memory", loc(r.loc), value(v))
                        }
                        Missed::StoreBuffer { core, value: v } => format!(
                            ", missing {}={} in P{core}'s store buffer",
                            loc(r.loc),
                            value(v)
                        ),
                        Missed::PairBuffer {
                            core,
                            sibling,
                            value: v,
                        } => format!(
                            ", missing {}={} in the P{core}/P{sibling} pair's buffer",
                            loc(r.loc),
                            value(v)
                        ),
                    };
                }
                notes.push(note);
            }
            if let Some((l, v)) = buffered {
                notes.push(match s.sibling {
                    Some(sib) => {
                        format!("{}={} into the buffer shared with P{sib}", loc(l), value(v))
                    }
                    None => format!("{}={} into the store buffer", loc(l), value(v)),
                });
            }
            if let Some((l, v)) = published {
                notes.push(format!("{}={} to memory", loc(l), value(v)));
            }
            match scenario.threads[core].instrs[pc as usize] {
                Instr::Fence(f) => notes.push(
                    match f.in_order() {
                        Fence::Mb => "full fence passes",
                        Fence::Rmb => "read fence passes",
                        _ => "write fence",
                    }
                    .into(),
                ),
                Instr::Rcu(op) => notes.push(format!("{} (a full fence) passes", op.name())),
                Instr::Branch { .. } | Instr::Jump { .. } => notes.push("branch".into()),
                _ => {}
            }
            if !s.ahead_of.is_empty() {
                let older: Vec<String> = s
                    .ahead_of
                    .iter()
                    .map(|&pc| format!("`{}`", source_line(scenario, core, pc)))
                    .collect();
                notes.push(format!(
                    "out of program order: ahead of {}, not yet performed",
                    older.join(", ")
                ));
            }
            format!("P{core}: {}", source_line(scenario, core, pc as usize))
        }
        Effect::Drain {
            loc: l, value: v, ..
        } => match (s.step.transition, s.sibling) {
            (Transition::PairDrain { .. }, Some(sib)) => format!(
                "P{core}/P{sib} pair: drain {}={} to memory",
                loc(l),
                value(v)
            ),
            _ => format!("P{core}: drain {}={} to memory", loc(l), value(v)),
        },
        Effect::Invalidate { loc: l } => format!("P{core}: apply invalidation of {}", loc(l)),
        Effect::Evict { loc: l } => format!("P{core}: evict {}", loc(l)),
        Effect::Guess { pc, taken } => format!(
            "P{core}: fetch past `{}`, guessing it {}",
            source_line(scenario, core, pc as usize),
            if taken { "taken" } else { "not taken" }
        ),
        Effect::Pairing { index } => {
            let pairs: Vec<String> = s.pairs.iter().map(|(a, b)| format!("P{a}/P{b}")).collect();
            if pairs.is_empty() {
                format!("SMT pairing {index}: no pairs")
            } else {
                format!(
                    "SMT pairing {index}: {} (each pair shares a store buffer)",
                    pairs.join(", ")
                )
            }
        }
    };
    if let Some(w) = s.waiter {
        notes.push(format!(
            "P{core} waits at `{}`: {}",
            source_line(scenario, core, w.pc),
            w.reason.describe()
        ));
    }
    if s.is_reduction_move() {
        notes.push("eager: never read again".into());
    }
    if notes.is_empty() {
        head
    } else {
        format!("{head}  [{}]", notes.join("; "))
    }
}

/// One step of a witness as a JSON object: `core`, `kind` (`instruction`,
/// `drain`, `invalidate`, `evict`), `instruction` (its source text), `read`
/// (`location`, `value`, `from`, `missed`), `write` (`location`, `value`,
/// `to`), `fence`, `location` and `value` (drain, invalidate, evict),
/// `waiting` (the core's held-back instruction a drain or invalidation
/// serves), and `eager` (a move of the search's reductions).
pub fn step_json(scenario: &Scenario, s: &WitnessStep) -> Json {
    let loc = |l: memory_model::ir::Loc| Json::from(scenario.location_name(l));
    let value = |v| value_json(scenario, v);
    let core = s.step.transition.core();
    let mut m = Map::new();
    m.insert("core".into(), Json::from(core));
    let kind = match s.step.transition {
        Transition::Step { .. } => "instruction",
        Transition::Drain { .. } => "drain",
        Transition::Invalidate { .. } => "invalidate",
        Transition::Evict { .. } => "evict",
        Transition::Perform { .. } => "instance",
        Transition::Guess { .. } => "guess",
        Transition::PairDrain { .. } => "pair_drain",
        Transition::Pairing { .. } => "pairing",
    };
    m.insert("kind".into(), Json::from(kind));
    match s.effect {
        Effect::Step {
            pc,
            read,
            buffered,
            published,
            ..
        } => {
            m.insert(
                "instruction".into(),
                Json::from(source_line(scenario, core, pc as usize)),
            );
            if let Some(r) = read {
                let missed: Vec<Json> = s
                    .missed
                    .iter()
                    .map(|m| match *m {
                        Missed::Memory(v) => json!({ "value": value(v), "in": "memory" }),
                        Missed::StoreBuffer { core, value: v } => {
                            json!({ "value": value(v), "in": "store_buffer", "core": core })
                        }
                        Missed::PairBuffer {
                            core,
                            sibling,
                            value: v,
                        } => json!({
                            "value": value(v),
                            "in": "pair_buffer",
                            "core": core,
                            "sibling": sibling,
                        }),
                    })
                    .collect();
                m.insert(
                    "read".into(),
                    json!({
                        "location": loc(r.loc),
                        "value": value(r.value),
                        "from": read_source_json(r.source),
                        "missed": missed,
                    }),
                );
            }
            let write = match (buffered, published) {
                (Some((l, v)), _) => Some((l, v, "store_buffer")),
                (None, Some((l, v))) => Some((l, v, "memory")),
                (None, None) => None,
            };
            if let Some((l, v, to)) = write {
                m.insert(
                    "write".into(),
                    json!({ "location": loc(l), "value": value(v), "to": to }),
                );
            }
            if let Some(f) = fence_of(scenario, core, pc) {
                let name = match f.in_order() {
                    Fence::Mb => "mb",
                    Fence::Rmb => "rmb",
                    _ => "wmb",
                };
                m.insert("fence".into(), Json::from(name));
            }
        }
        Effect::Drain {
            loc: l, value: v, ..
        } => {
            m.insert("location".into(), loc(l));
            m.insert("value".into(), value(v));
        }
        Effect::Invalidate { loc: l } | Effect::Evict { loc: l } => {
            m.insert("location".into(), loc(l));
        }
        Effect::Guess { pc, taken } => {
            m.insert(
                "instruction".into(),
                Json::from(source_line(scenario, core, pc as usize)),
            );
            m.insert("taken".into(), Json::from(taken));
        }
        Effect::Pairing { index } => {
            m.insert("pairing".into(), Json::from(index));
        }
    }
    if let Some(w) = s.waiter {
        m.insert(
            "waiting".into(),
            json!({
                "instruction": source_line(scenario, core, w.pc),
                "reason": w.reason.describe(),
            }),
        );
    }
    m.insert("eager".into(), Json::from(s.step.eager));
    Json::Object(m)
}
