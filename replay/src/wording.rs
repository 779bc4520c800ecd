//! The words both renderers share: where a read came from, what a step or
//! a fence did, and the title, ending and final values of a run.
//!
//! The text timeline and the SVG picture say the same things in the same
//! words; each phrase is made here once.

use memory_model::ir::{Fence, Instr, Loc, Value};
use memory_model::{Effect, Machine, ModelName, ReadSource};
use sim_core::RunEnd;

use crate::story::{Fired, Stall, Story, WmbHold};
use crate::trace::{Origin, Trace};

/// Where a read came from, in a few letters.
pub(crate) fn source_word(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "SB",
        ReadSource::Cache => "cache",
        ReadSource::StaleCache => "STALE",
        ReadSource::Memory => "mem",
        ReadSource::PairBuffer => "pair",
    }
}

/// Where a read came from, in words.
pub(crate) fn source_words(source: ReadSource) -> &'static str {
    match source {
        ReadSource::StoreBuffer => "its own store buffer",
        ReadSource::Cache => "its cache",
        ReadSource::StaleCache => "a STALE cached copy (an invalidation still queued)",
        ReadSource::Memory => "memory (a miss)",
        ReadSource::PairBuffer => "its SMT pair's shared store buffer",
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
            // On `power` a commit enters the SMT pair's buffer (PB).
            (Some((l, v)), _) if machine.config.model.is_out_of_order() => {
                format!("{} in PB", at(l, v))
            }
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
        Some(Instr::Rcu(op)) => op.name().to_string(),
        Some(Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. }) | None => {
            String::new()
        }
    }
}

/// What a fence does on this model, in a word or two.
pub(crate) fn fence_word(machine: &Machine, fence: Fence) -> &'static str {
    if machine.config.model.is_out_of_order() {
        return match fence {
            Fence::Mb => "mb done",
            Fence::Rmb => "rmb done",
            Fence::Wmb => "wmb done",
            Fence::Acquire => "acquire done",
            Fence::Release => "release done",
        };
    }
    match (fence.in_order(), machine.config.model) {
        (Fence::Mb, _) => "mb passes",
        (Fence::Rmb, ModelName::Weak) => "rmb passes",
        (Fence::Wmb, ModelName::Weak) => "wmb marker",
        (Fence::Rmb | Fence::Wmb, ModelName::Tso | ModelName::Sc) => "no-op",
        (Fence::Acquire | Fence::Release, _) | (_, ModelName::Arm | ModelName::Power) => {
            unreachable!("in_order() maps them; out of order returned above")
        }
    }
}

fn origin_text(origin: &Origin) -> String {
    match *origin {
        Origin::Fuzz { seed, run } => format!("seed {seed}, run {run}"),
        Origin::Minimized { seed, run } => format!("minimized from seed {seed}, run {run}"),
        Origin::Search => "found by exhaustive search".to_string(),
    }
}

fn end_text(end: RunEnd) -> &'static str {
    match end {
        RunEnd::Complete => "complete",
        RunEnd::Deadlock => "DEADLOCK",
        RunEnd::BoundExceeded => "step bound exceeded",
    }
}

/// The title of a run: scenario, model and its settings, origin.
pub(crate) fn title(trace: &Trace) -> String {
    format!(
        "{} on {} ({}), {}",
        trace.scenario.name,
        trace.model,
        // The depths of an in-order model; the window (and a fixed SMT
        // pairing) of an out-of-order one.
        trace.config().describe(),
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

/// What a stall waited for, in a few words: the entries of its own store
/// buffer that drained (`SB x=1 y=2`) and of its own invalidation queue
/// that were applied (`IQ y`); or why it could not fire, when it waited for
/// nothing of its own (a held lock, a value, another core's full queue).
pub(crate) fn stall_waits(machine: &Machine, story: &Story, stall: &Stall) -> String {
    let s = machine.scenario;
    let mut drained = Vec::new();
    let mut applied = Vec::new();
    for &i in &stall.waited_for {
        let f = &story.fired[i];
        if let Some(id) = f.drained {
            let st = &story.stores[id];
            drained.push(format!(
                "{}={}",
                s.location_name(st.loc),
                s.format_value(st.value)
            ));
        }
        if let Some(id) = f.applied {
            applied.push(s.location_name(story.invalidations[id].loc).to_string());
        }
    }
    let mut parts = Vec::new();
    if !drained.is_empty() {
        parts.push(format!("SB {}", drained.join(" ")));
    }
    if !applied.is_empty() {
        parts.push(format!("IQ {}", applied.join(" ")));
    }
    if parts.is_empty() {
        return stall.reason.describe().to_string();
    }
    parts.join("; ")
}

/// A stall in one line, as its row and its label begin: `WAITS at
/// smp_mb(): SB x=1`, or `BLOCKED at r0 = ...: lock is held` for a core
/// blocked to the end of a deadlocked run.
pub(crate) fn stall_headline(machine: &Machine, story: &Story, stall: &Stall) -> String {
    let source = stall.source.trim_end_matches(';');
    if stall.blocked {
        return format!("BLOCKED at {source}: {}", stall.reason.describe());
    }
    format!("WAITS at {source}: {}", stall_waits(machine, story, stall))
}

/// A stall in a whole sentence: the core, the instruction, from when to
/// when, why, and what it waited for with when each came.
pub(crate) fn stall_sentence(
    machine: &Machine,
    story: &Story,
    stall: &Stall,
    end_time: u64,
) -> String {
    let s = machine.scenario;
    let source = stall.source.trim_end_matches(';');
    if stall.blocked {
        return format!(
            "P{} `{source}` BLOCKED from t={} to the end (t={end_time}): {}",
            stall.core,
            stall.since,
            stall.reason.describe()
        );
    }
    let mut out = match stall.until {
        Some(until) => {
            let to = story.fired[until].time;
            format!(
                "P{} `{source}` held back from t={} to t={to} ({} cycles): {}",
                stall.core,
                stall.since,
                to - stall.since,
                stall.reason.describe()
            )
        }
        None => format!(
            "P{} `{source}` held back from t={} to the end of the run (t={end_time}), \
             still waiting: {}",
            stall.core,
            stall.since,
            stall.reason.describe()
        ),
    };
    let waited: Vec<String> = stall
        .waited_for
        .iter()
        .map(|&i| {
            let f = &story.fired[i];
            match (f.drained, f.applied) {
                (Some(id), _) => {
                    let st = &story.stores[id];
                    format!(
                        "{}={} to drain (t={})",
                        s.location_name(st.loc),
                        s.format_value(st.value),
                        f.time
                    )
                }
                (None, Some(id)) => format!(
                    "the invalidation of {} to be applied (t={})",
                    s.location_name(story.invalidations[id].loc),
                    f.time
                ),
                (None, None) => format!("t={}", f.time),
            }
        })
        .collect();
    if let (true, Some(until)) = (waited.is_empty(), stall.until) {
        out.push_str(&format!(
            "; it could fire after {}",
            event_words(machine, story, until)
        ));
    } else if !waited.is_empty() {
        out.push_str(&format!("; it waited for {}", waited.join(", ")));
    }
    out
}

/// What an `smp_wmb()` marker held back, in a whole sentence: the stores
/// behind it, until when, and the drains ahead of it that it waited for.
pub(crate) fn wmb_sentence(
    machine: &Machine,
    story: &Story,
    hold: &WmbHold,
    end_time: u64,
) -> String {
    let s = machine.scenario;
    let store = |id: usize| {
        let st = &story.stores[id];
        format!("{}={}", s.location_name(st.loc), s.format_value(st.value))
    };
    let held: Vec<String> = hold.held.iter().map(|&id| store(id)).collect();
    let until = match hold.until {
        Some(i) => format!("t={}", story.fired[i].time),
        None => format!("the end (t={end_time})"),
    };
    let waited: Vec<String> = hold
        .waited_for
        .iter()
        .filter_map(|&i| {
            let f = &story.fired[i];
            f.drained.map(|id| format!("{} (t={})", store(id), f.time))
        })
        .collect();
    let mut out = format!(
        "P{} `{}` (t={}) held {} in its store buffer until {until}",
        hold.core,
        hold.source.trim_end_matches(';'),
        story.fired[hold.from].time,
        held.join(" ")
    );
    if !waited.is_empty() {
        out.push_str(&format!(
            ": it waited for the stores ahead of it to drain: {}",
            waited.join(", ")
        ));
    }
    out
}

/// A fired transition in a few words, naming its core and time.
fn event_words(machine: &Machine, story: &Story, i: usize) -> String {
    let s = machine.scenario;
    let f = &story.fired[i];
    let what = match f.effect {
        Effect::Step { .. } => format!("`{}`", f.source.trim_end_matches(';')),
        Effect::Drain { loc, value, .. } => format!(
            "drain of {}={} to memory",
            s.location_name(loc),
            s.format_value(value)
        ),
        Effect::Invalidate { loc } => {
            format!("invalidation of {} applied", s.location_name(loc))
        }
        Effect::Evict { loc } => format!("eviction of {}", s.location_name(loc)),
        Effect::Guess { .. } => "guess at a branch".to_string(),
        Effect::Pairing { index } => format!("SMT pairing {index}"),
    };
    format!("P{}'s {what} (t={})", f.core, f.time)
}
