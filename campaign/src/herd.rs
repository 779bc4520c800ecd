//! herd7's names for what wmsim observes: an observable (`0:r0`, `[x]`), a
//! final state (`0:r0=0; [x]=1;`, in herd's order) and the final condition
//! as herd7 prints it. What `suite` compares with herd7's allowed states and
//! what the binary's herd output prints.

use memory_model::ir::{format_prop_styled, Comparison, Observable, Scenario, Term, Value};

/// An observable as herd names it in a state: `0:r0`, `[x]`.
pub fn herd_name(scenario: &Scenario, o: Observable) -> String {
    match o {
        Observable::Register(..) => scenario.observable_name(o),
        Observable::Location(_) => format!("[{}]", scenario.observable_name(o)),
    }
}

/// A final state as herd prints it: `0:r0=0; [x]=1;`, names in herd's
/// order (registers by thread, then locations, each by name).
pub fn herd_state(scenario: &Scenario, values: &[Value]) -> String {
    let mut pairs: Vec<(String, String)> = scenario
        .observed
        .iter()
        .zip(values)
        .map(|(&o, &v)| (herd_name(scenario, o), scenario.format_value(v)))
        .collect();
    pairs.sort_by_key(|p| herd_order(&p.0));
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v};"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Registers (`N:r`) before locations (`[x]`), each by thread and name.
fn herd_order(name: &str) -> (u8, usize, String) {
    match name.split_once(':') {
        Some((t, r)) if !name.starts_with('[') => (0, t.parse().unwrap_or(usize::MAX), r.into()),
        _ => (1, 0, name.to_string()),
    }
}

/// The final condition as herd7 prints it on its `Condition` line:
/// locations in brackets (`[x]=1`), `x!=1` as `not ([x]=1)`, and
/// parentheses only where `\/` is inside `/\` (herd's `ConstrGen.pp_prop`).
pub fn herd_condition(scenario: &Scenario) -> String {
    let quantifier = scenario.condition.quantifier.keyword();
    let term = |t: &Term| match t {
        Term::Observable(o) => herd_name(scenario, *o),
        Term::Const(v) => scenario.format_value(*v),
    };
    let atom = |c: Comparison, a: &Term, b: &Term| match c {
        Comparison::Ne => format!("not ({}={})", term(a), term(b)),
        // herd has only `=` and `!=`; wmsim's others as written.
        _ => format!("{}{}{}", term(a), c.symbol(), term(b)),
    };
    let prop = format_prop_styled(&scenario.condition.prop, "not ", &atom);
    format!("{quantifier} ({prop})")
}
