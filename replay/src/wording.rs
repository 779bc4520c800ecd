//! The words both renderers share: where a read came from, what a step or
//! a fence did, and the title, ending and final values of a run.
//!
//! The text timeline and the SVG picture say the same things in the same
//! words; each phrase is made here once.

use memory_model::ir::{Fence, Instr, Loc, Value};
use memory_model::{Effect, Machine, ModelName, ReadSource};
use sim_core::RunEnd;

use crate::story::Fired;
use crate::trace::{Origin, Trace};

/// Where a read came from, in a few letters.
pub(crate) fn source_word(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "SB",
        ReadSource::Cache => "cache",
        ReadSource::StaleCache => "STALE",
        ReadSource::Memory => "mem",
    }
}

/// Where a read came from, in words.
pub(crate) fn source_words(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "its own store buffer",
        ReadSource::Cache => "its cache",
        ReadSource::StaleCache => "a STALE cached copy (an invalidation still queued)",
        ReadSource::Memory => "memory (a miss)",
    }
}

/// What a step did, in a few words: the value read and from where, the
/// store made, the fence passed. Empty for a local instruction. With
/// `named`, the location is named (`y=0 cache`); without, only the value
/// (`0 cache`), for when the instruction's text shows the location.
pub(crate) fn step_outcome(machine: &Machine, f: &Fired, named: bool) -> String {
    let s = machine.scenario;
    let at = |l: Loc, v: Value| {
        if named {
            format!("{}={}", s.location_name(l), s.format_value(v))
        } else {
            s.format_value(v)
        }
    };
    let Effect::Step {
        read,
        buffered,
        published,
        ..
    } = f.effect
    else {
        return String::new();
    };
    match f.instr {
        Some(Instr::Load { .. } | Instr::CondLoad { .. }) => match read {
            Some(r) => format!("{} {}", at(r.loc, r.value), source_word(r.source)),
            None => String::new(),
        },
        Some(Instr::Store { .. }) => match (buffered, published) {
            (Some((l, v)), _) => format!("{} in SB", at(l, v)),
            (None, Some((l, v))) => format!("{} to mem", at(l, v)),
            (None, None) => String::new(),
        },
        Some(Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }) => {
            let loc = |l: Loc| {
                if named {
                    format!("{} ", s.location_name(l))
                } else {
                    String::new()
                }
            };
            match (read, published) {
                (Some(r), Some((_, v))) => format!(
                    "{}{}->{}",
                    loc(r.loc),
                    s.format_value(r.value),
                    s.format_value(v)
                ),
                (Some(r), None) => {
                    format!("{} no write", at(r.loc, r.value))
                }
                (None, _) => String::new(),
            }
        }
        Some(Instr::Fence(fence)) => fence_word(machine, fence).to_string(),
        Some(Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. }) | None => {
            String::new()
        }
    }
}

/// What a fence does on this model, in a word or two.
pub(crate) fn fence_word(machine: &Machine, fence: Fence) -> &'static str {
    match (fence, machine.config.model) {
        (Fence::Mb, _) => "mb passes",
        (Fence::Rmb, ModelName::Weak) => "rmb passes",
        (Fence::Wmb, ModelName::Weak) => "wmb marker",
        (Fence::Rmb | Fence::Wmb, ModelName::Tso | ModelName::Sc) => "no-op",
    }
}

fn origin_text(origin: &Origin) -> String {
    match *origin {
        Origin::Fuzz { seed, run } => format!("seed {seed}, run {run}"),
        Origin::Minimized { seed, run } => format!("minimized from seed {seed}, run {run}"),
    }
}

fn end_text(end: RunEnd) -> &'static str {
    match end {
        RunEnd::Complete => "complete",
        RunEnd::Deadlock => "DEADLOCK",
        RunEnd::BoundExceeded => "step bound exceeded",
    }
}

/// The title of a run: scenario, model and depths, origin.
pub(crate) fn title(trace: &Trace) -> String {
    format!(
        "{} on {} (sb_depth {}, iq_depth {}), {}",
        trace.scenario.name,
        trace.model,
        trace.sb_depth,
        trace.iq_depth,
        origin_text(&trace.origin)
    )
}

/// How the run ended, in one line.
pub(crate) fn ending_line(trace: &Trace) -> String {
    let e = &trace.ending;
    let fired = trace.transitions().count();
    format!(
        "{} at t={} after {fired} transitions{}",
        end_text(e.end),
        e.time,
        if e.violation { ": VIOLATION" } else { "" }
    )
}

/// The observed final values, `name=value` separated by spaces.
pub(crate) fn observed_line(trace: &Trace) -> String {
    let values: Vec<String> = trace
        .ending
        .observed
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    values.join(" ")
}
