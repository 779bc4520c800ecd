//! What a replay found different from what a trace records, in one short
//! line that names the first differing field in words (`P0's step at t=12
//! reads y=1 (memory), the trace says y=0 (cache)`), never an internal
//! record dumped whole: these lines are the messages of `verify`'s refusals.
//!
//! Every location and value read from the trace is named safely: a damaged
//! trace may name a location the scenario does not have.

use memory_model::ir::{Loc, Value};
use memory_model::{Effect, Machine, Read, ReadSource, Transition};
use scenarios::printable::escape;
use sim_core::RunEnd;

use crate::trace::{BlockedRecord, Ending, Event};

/// A location's name, or its number when the scenario has no such location.
fn location(machine: &Machine, loc: Loc) -> String {
    if (loc.0 as usize) < machine.locations() {
        machine.scenario.location_name(loc).to_string()
    } else {
        format!("location #{}", loc.0)
    }
}

fn value(machine: &Machine, v: Value) -> String {
    machine.scenario.format_value(v)
}

fn store(machine: &Machine, store: Option<(Loc, Value)>) -> String {
    store.map_or("nothing".into(), |(l, v)| {
        format!("{}={}", location(machine, l), value(machine, v))
    })
}

fn read(machine: &Machine, read: Option<Read>) -> String {
    read.map_or("nothing".into(), |r| {
        let from = match r.source {
            ReadSource::StoreBuffer => "store buffer",
            ReadSource::Cache => "cache",
            ReadSource::StaleCache => "stale cache",
            ReadSource::Memory => "memory",
            ReadSource::PairBuffer => "pair buffer",
        };
        format!(
            "{}={} ({from})",
            location(machine, r.loc),
            value(machine, r.value)
        )
    })
}

/// A transition in a few words: `P0's step`, `P1's drain of slot 0`.
pub(crate) fn transition(machine: &Machine, t: Transition) -> String {
    match t {
        Transition::Step { core } => format!("P{core}'s step"),
        Transition::Drain { core, slot } => format!("P{core}'s drain of slot {slot}"),
        Transition::Invalidate { core } => format!("P{core}'s invalidation"),
        Transition::Evict { core, loc } => {
            format!("P{core}'s eviction of {}", location(machine, loc))
        }
        Transition::Perform { core, slot } => format!("P{core}'s instance in slot {slot}"),
        Transition::Guess { core, taken } => format!("P{core}'s guess (taken: {taken})"),
        Transition::PairDrain { core, slot } => {
            format!("the drain of slot {slot} of P{core}'s pair buffer")
        }
        Transition::Pairing { index } => format!("pairing {index}"),
    }
}

/// An event in a few words, with its time; `None` is the end of the run.
pub(crate) fn event(machine: &Machine, e: Option<&Event>) -> String {
    match e {
        Some(Event::Fire {
            time,
            transition: t,
            ..
        }) => format!("{} at t={time}", transition(machine, *t)),
        Some(Event::Interrupt { core, from, to }) => {
            format!("an interrupt of P{core} from t={from} to t={to}")
        }
        None => "the end of the run".into(),
    }
}

/// The first field in which `got` (the replay's) differs from `want` (the
/// trace's), for the same transition: `reads y=1 (memory), the trace says
/// y=0 (cache)`.
pub(crate) fn effect(machine: &Machine, got: &Effect, want: &Effect) -> String {
    let differ = |what: &str, g: String, w: String| format!("{what} {g}, the trace says {w}");
    match (*got, *want) {
        (
            Effect::Step {
                pc,
                read: r,
                buffered,
                published,
                invalidations,
            },
            Effect::Step {
                pc: want_pc,
                read: want_read,
                buffered: want_buffered,
                published: want_published,
                invalidations: want_invalidations,
            },
        ) => {
            if pc != want_pc {
                differ("executes instruction", pc.to_string(), want_pc.to_string())
            } else if r != want_read {
                differ("reads", read(machine, r), read(machine, want_read))
            } else if buffered != want_buffered {
                differ(
                    "buffers",
                    store(machine, buffered),
                    store(machine, want_buffered),
                )
            } else if published != want_published {
                differ(
                    "writes to memory",
                    store(machine, published),
                    store(machine, want_published),
                )
            } else {
                differ(
                    "invalidates copies at",
                    invalidations.to_string(),
                    want_invalidations.to_string(),
                )
            }
        }
        (
            Effect::Drain {
                loc,
                value: v,
                invalidations,
            },
            Effect::Drain {
                loc: want_loc,
                value: want_value,
                invalidations: want_invalidations,
            },
        ) => {
            if (loc, v) != (want_loc, want_value) {
                differ(
                    "drains",
                    store(machine, Some((loc, v))),
                    store(machine, Some((want_loc, want_value))),
                )
            } else {
                differ(
                    "invalidates copies at",
                    invalidations.to_string(),
                    want_invalidations.to_string(),
                )
            }
        }
        (Effect::Invalidate { loc }, Effect::Invalidate { loc: want_loc }) => differ(
            "invalidates",
            location(machine, loc),
            location(machine, want_loc),
        ),
        (Effect::Evict { loc }, Effect::Evict { loc: want_loc }) => differ(
            "evicts",
            location(machine, loc),
            location(machine, want_loc),
        ),
        (got, want) => differ("is", kind(&got).into(), kind(&want).into()),
    }
}

fn kind(e: &Effect) -> &'static str {
    match e {
        Effect::Step { .. } => "a step",
        Effect::Drain { .. } => "a drain",
        Effect::Invalidate { .. } => "an invalidation",
        Effect::Evict { .. } => "an eviction",
        Effect::Guess { .. } => "a guess",
        Effect::Pairing { .. } => "a pairing",
    }
}

/// How a run ends, as a verb: `the trace says it deadlocks`.
pub(crate) fn end(end: RunEnd) -> &'static str {
    match end {
        RunEnd::Complete => "completes",
        RunEnd::Deadlock => "deadlocks",
        RunEnd::BoundExceeded => "stops at the step bound",
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The first field in which the replay's ending `got` differs from the
/// trace's `want`; `None` when they are the same.
pub(crate) fn ending(want: &Ending, got: &Ending) -> Option<String> {
    if want.end != got.end {
        return Some(format!(
            "the trace says it {}, the replay {}",
            end(want.end),
            end(got.end)
        ));
    }
    if want.time != got.time {
        return Some(format!(
            "the trace ends at t={}, the replay at t={}",
            want.time, got.time
        ));
    }
    let named = [
        ("observed values", &want.observed, &got.observed),
        ("memory locations", &want.memory, &got.memory),
    ];
    for (what, w, g) in named {
        if let Some(m) = values(what, w, g) {
            return Some(m);
        }
    }
    if want.registers.len() != got.registers.len() {
        return Some(format!(
            "the trace records registers of {} cores, the replay {}",
            want.registers.len(),
            got.registers.len()
        ));
    }
    for (c, (w, g)) in want.registers.iter().zip(&got.registers).enumerate() {
        if let Some(m) = values(&format!("registers of P{c}"), w, g) {
            return Some(m);
        }
    }
    if want.condition_holds != got.condition_holds {
        return Some(format!(
            "condition holds: the trace says {}, the replay {}",
            yes_no(want.condition_holds),
            yes_no(got.condition_holds)
        ));
    }
    if want.violation != got.violation {
        return Some(format!(
            "violation: the trace says {}, the replay {}",
            yes_no(want.violation),
            yes_no(got.violation)
        ));
    }
    blocked(&want.blocked, &got.blocked)
}

/// Text from the trace, cut to a length a one-line message can hold, its
/// control characters escaped, tabs too (a damaged name may hold a
/// newline or a tab; a message shows it as written).
fn short(text: &str) -> String {
    const SHOWN_MAX: usize = 60;
    let (shown, cut) = match text.char_indices().nth(SHOWN_MAX) {
        Some((cut, _)) => (&text[..cut], "..."),
        None => (text, ""),
    };
    format!("{}{cut}", escape(shown).replace('\t', "\\t"))
}

/// `name=value` lists: the first entry that differs, or their lengths.
fn values(what: &str, want: &[(String, Value)], got: &[(String, Value)]) -> Option<String> {
    for (w, g) in want.iter().zip(got) {
        if w != g {
            return Some(format!(
                "the trace says {}={}, the replay {}={}",
                short(&w.0),
                w.1,
                escape(&g.0),
                g.1
            ));
        }
    }
    (want.len() != got.len()).then(|| {
        format!(
            "the trace records {} {what}, the replay {}",
            want.len(),
            got.len()
        )
    })
}

fn cores(blocked: &[BlockedRecord]) -> String {
    if blocked.is_empty() {
        return "none".into();
    }
    let names: Vec<String> = blocked.iter().map(|b| format!("P{}", b.core)).collect();
    names.join(" ")
}

fn blocked(want: &[BlockedRecord], got: &[BlockedRecord]) -> Option<String> {
    let same_cores = want.len() == got.len() && want.iter().zip(got).all(|(w, g)| w.core == g.core);
    if !same_cores {
        return Some(format!(
            "blocked cores: the trace says {}, the replay {}",
            cores(want),
            cores(got)
        ));
    }
    for (w, g) in want.iter().zip(got) {
        let core = w.core;
        if w.pc != g.pc {
            return Some(format!(
                "P{core} blocked at instruction {}, the trace says; at {}, the replay",
                w.pc, g.pc
            ));
        }
        if w.instruction != g.instruction {
            return Some(format!(
                "P{core} blocked at `{}`, the trace says; at `{}`, the replay",
                short(&w.instruction),
                g.instruction
            ));
        }
        if w.reason != g.reason {
            return Some(format!(
                "P{core} blocked because {}, the trace says; because {}, the replay",
                short(&w.reason),
                g.reason
            ));
        }
        if w.blocked_since != g.blocked_since {
            return Some(format!(
                "P{core} blocked since t={}, the trace says; since t={}, the replay",
                w.blocked_since, g.blocked_since
            ));
        }
    }
    None
}
