//! herd7's result block, so that scripts written around herd7 (LKMM's
//! `tools/memory-model/scripts/`) can run wmsim in its place.
//!
//! The differences: `Positive`/`Negative` count distinct final states, not
//! candidate executions, and `Time` is wmsim's. There is no `Hash=` line:
//! herd's is a digest of its own printing of the test, which wmsim cannot
//! reproduce, and none of the kernel's scripts reads it. Two lines herd7
//! never prints come after `Time`, where herd7's parsers (the kernel's
//! scripts, `mcompare7`) skip what they do not know: `Deadlocks N (...)`
//! when some reachable states deadlock, and, in place of the whole block,
//! `Bound exceeded ...` when the exploration stopped early (herd7 prints
//! nothing when it times out).

use std::fmt::Write;

use campaign::herd::{herd_condition, herd_state};
use memory_model::ir::{Quantifier, Scenario};
use sim_core::{Exploration, Verdict};

pub fn result_block(scenario: &Scenario, x: &Exploration, racy: bool, seconds: f64) -> String {
    let mut out = String::new();
    let name = &scenario.name;
    if let Some(bound) = x.bound_hit {
        let _ = writeln!(
            out,
            "Bound exceeded {name} after {} states: {} bound, no result (raise {})",
            x.explored_states,
            crate::limits::adjective(bound),
            crate::limits::flag(bound)
        );
        return out;
    }
    let kind = match scenario.condition.quantifier {
        Quantifier::Exists => "Allowed",
        Quantifier::NotExists => "Forbidden",
        Quantifier::Forall => "Required",
    };
    let finals: Vec<_> = x.counted_finals().collect();
    let positive = finals.iter().filter(|f| f.satisfies).count();
    let negative = finals.len() - positive;
    let ok = match scenario.condition.quantifier {
        Quantifier::Exists => positive > 0,
        Quantifier::NotExists => positive == 0,
        Quantifier::Forall => negative == 0,
    };
    let mut states: Vec<String> = finals
        .iter()
        .map(|f| herd_state(scenario, &f.values))
        .collect();
    states.sort();
    let _ = writeln!(out, "Test {name} {kind}");
    let _ = writeln!(out, "States {}", states.len());
    for s in &states {
        let _ = writeln!(out, "{s}");
    }
    let _ = writeln!(out, "{}", if ok { "Ok" } else { "No" });
    let _ = writeln!(out, "Witnesses");
    let _ = writeln!(out, "Positive: {positive} Negative: {negative}");
    if racy {
        let _ = writeln!(out, "Flag data-race");
    }
    let _ = writeln!(out, "Condition {}", herd_condition(scenario));
    let verdict = match x.verdict() {
        Verdict::Never => "Never",
        Verdict::Sometimes => "Sometimes",
        Verdict::Always => "Always",
    };
    let _ = writeln!(out, "Observation {name} {verdict} {positive} {negative}");
    let _ = writeln!(out, "Time {name} {seconds:.2}");
    if !x.deadlocks.is_empty() {
        let _ = writeln!(
            out,
            "Deadlocks {} (wmsim: reachable states where no core can move and not all have \
             finished; herd7 shows none, and they are not among the States above)",
            x.deadlocks.len()
        );
    }
    // herd7 ends each test's block with an empty line.
    let _ = writeln!(out);
    out
}
