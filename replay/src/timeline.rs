//! A run as text a person can follow.
//!
//! [`timeline_text`] prints the `Story` of a trace with one column per
//! core and one row per event in time order, `!` beside the loads that read
//! an old value, then how the run ended and a legend of the marks.
//!
//! Nothing here draws a random number or iterates a hash map: the same trace
//! always gives the same text.

use memory_model::ir::Loc;
use memory_model::{Effect, Machine};
use sim_core::RunEnd;

use crate::story::{Fired, Story};
use crate::trace::{Event, Trace};
use crate::wording::{
    ending_line, observed_line, stall_headline, stall_sentence, step_outcome, title, wmb_sentence,
};

/// Width of each core's column, in characters: fixed for a timeline, wider
/// when there are few cores, so that a line stays under about 140.
fn column_width(cores: usize) -> usize {
    match cores {
        0..=2 => 46,
        3 => 40,
        _ => 34,
    }
}
/// The column headers are repeated every this many rows.
const HEADER_EVERY_ROWS: usize = 50;

/// `text` cut to `width` characters, the cut marked with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A cell: the instruction's text, then what it did. When the whole text
/// fits with the short outcome, that; otherwise the text is cut so that
/// the outcome, naming its location, stays whole.
fn cell(source: &str, short: &str, named: &str, width: usize) -> String {
    let source = source.trim_end_matches(';');
    if short.is_empty() {
        return fit(source, width);
    }
    let whole = format!("{source} -> {short}");
    if whole.chars().count() <= width {
        return whole;
    }
    let room = width.saturating_sub(named.chars().count() + 4);
    if room < 6 {
        return fit(&format!("{source} -> {named}"), width);
    }
    format!("{} -> {named}", fit(source, room))
}

/// One line of the timeline: a time, a mark, and some cells.
struct Row {
    time: u64,
    old: bool,
    cells: Vec<(usize, String)>,
    /// The fired transition the row shows, if it shows one.
    fired: Option<usize>,
    /// The stall (index in `Story::stalls`) the row begins, if it begins one.
    stall: Option<usize>,
}

impl Row {
    fn new(time: u64, cells: Vec<(usize, String)>) -> Row {
        Row {
            time,
            old: false,
            cells,
            fired: None,
            stall: None,
        }
    }
}

/// Drawn in a stalled core's empty cells, from the row where its stall
/// begins to the row of the transition that ends it (or to the end).
const STALLED_CELL: &str = ":";

/// The cells of one fired transition.
fn fired_cells(machine: &Machine, story: &Story, f: &Fired, width: usize) -> Vec<(usize, String)> {
    let s = machine.scenario;
    let name = |l: Loc| s.location_name(l).to_string();
    let mut cells = Vec::new();
    match f.effect {
        Effect::Step { .. } => {
            let short = step_outcome(machine, f, false);
            let named = step_outcome(machine, f, true);
            cells.push((f.core, cell(&f.source, &short, &named, width)));
        }
        Effect::Drain { loc, value, .. } => {
            // On `power` the entry leaves the pair buffer (PB); it is
            // shown on the core that committed it.
            let (buffer, core) = match f.drained {
                Some(id) if machine.config.model.is_out_of_order() => ("PB", story.stores[id].core),
                _ => ("SB", f.core),
            };
            let text = format!(
                "{}={} leaves {buffer} -> memory",
                name(loc),
                s.format_value(value)
            );
            cells.push((core, fit(&text, width)));
        }
        Effect::Invalidate { loc } => {
            cells.push((f.core, format!("inv {} applied", name(loc))));
        }
        Effect::Evict { loc } => {
            cells.push((f.core, format!("evict {}", name(loc))));
        }
        Effect::Guess { taken, .. } => {
            let guess = if taken { "taken" } else { "not taken" };
            cells.push((f.core, fit(&format!("guess {guess}"), width)));
        }
        Effect::Pairing { index } => cells.push((f.core, format!("pairing {index}"))),
    }
    for &inv in &f.sent {
        let i = &story.invalidations[inv];
        cells.push((i.core, fit(&format!("inv {} arrives", name(i.loc)), width)));
    }
    cells
}

fn push_header(out: &mut String, cores: usize, width: usize) {
    let mut line = format!("{:>8}   ", "cycle");
    for c in 0..cores {
        line.push_str(&format!("| {:<width$} ", format!("P{c}")));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    let mut rule = format!("{:->8}---", "");
    for _ in 0..cores {
        rule.push_str(&format!("+{:-<w$}", "", w = width + 2));
    }
    out.push_str(&rule);
    out.push('\n');
}

fn push_row(out: &mut String, cores: usize, width: usize, row: &Row) {
    let mut texts = vec![String::new(); cores];
    for (c, text) in &row.cells {
        if *c < cores {
            texts[*c] = text.clone();
        }
    }
    let mark = if row.old { '!' } else { ' ' };
    let mut line = format!("{:>8} {mark} ", row.time);
    for text in &texts {
        line.push_str(&format!("| {text:<width$} "));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// The run as text: one column per core, one row per event in time order,
/// the time in cycles on the left, `!` beside the loads that read an old
/// value, each instruction held back from the row where it could not fire
/// (`WAITS at`, or `BLOCKED at` to the end) down a column of `:`; then how
/// the run ended and every stall in words.
pub fn timeline_text(machine: &Machine, trace: &Trace) -> String {
    let story = Story::build(machine, trace);
    let cores = machine.cores();
    let width = column_width(cores);
    let mut rows: Vec<Row> = Vec::with_capacity(trace.events.len() + cores);
    let stall_rows = |from: Option<usize>| {
        story
            .stalls
            .iter()
            .enumerate()
            .filter(move |(_, st)| st.from == from)
            .map(|(k, st)| Row {
                stall: Some(k),
                ..Row::new(
                    st.since,
                    vec![(st.core, fit(&stall_headline(machine, &story, st), width))],
                )
            })
    };
    rows.extend(stall_rows(None));
    let mut fired = story.fired.iter().enumerate();
    for event in &trace.events {
        match *event {
            Event::Fire { .. } => {
                let Some((i, f)) = fired.next() else { break };
                rows.push(Row {
                    old: f.read.as_ref().is_some_and(|r| r.old),
                    fired: Some(i),
                    ..Row::new(f.time, fired_cells(machine, &story, f, width))
                });
                // A wrong guess resolved by this event: the instances
                // fetched past it are gone (a row of its own, as the
                // event's own cell may be on the same core).
                for &(core, unperformed, performed) in &f.squashed {
                    let text = match performed {
                        0 => format!("squash: {unperformed} not performed"),
                        p => format!("squash: {unperformed} not performed, {p} performed"),
                    };
                    rows.push(Row::new(f.time, vec![(core, fit(&text, width))]));
                }
                rows.extend(stall_rows(Some(i)));
            }
            Event::Interrupt { core, from, to } => rows.push(Row::new(
                from,
                vec![(core as usize, format!("interrupted until t={to}"))],
            )),
        }
    }
    // Interrupts are recorded when they are drawn, before their start; the
    // sort is stable, so a stall's row stays right after the transition
    // that began it.
    rows.sort_by_key(|r| r.time);
    mark_stalled_cells(&story, cores, &mut rows);

    let mut out = String::new();
    out.push_str(&format!("wmsim timeline: {}\n", title(trace)));
    out.push_str(&format!(
        "condition: {}\n\n",
        machine.scenario.format_condition()
    ));
    for (i, row) in rows.iter().enumerate() {
        if i % HEADER_EVERY_ROWS == 0 {
            if i > 0 {
                out.push('\n');
            }
            push_header(&mut out, cores, width);
        }
        push_row(&mut out, cores, width, row);
    }
    push_footer(&mut out, machine, trace, &story);
    out
}

/// Fills a stalled core's empty cells with [`STALLED_CELL`], from the row
/// after its stall begins to the row of the transition that ends it.
fn mark_stalled_cells(story: &Story, cores: usize, rows: &mut [Row]) {
    let mut stalled: Vec<Option<usize>> = vec![None; cores];
    for row in rows.iter_mut() {
        for (c, open) in stalled.iter_mut().enumerate() {
            let Some(k) = *open else { continue };
            if !row.cells.iter().any(|(core, _)| *core == c) {
                row.cells.push((c, STALLED_CELL.to_string()));
            }
            if row.fired.is_some() && row.fired == story.stalls[k].until {
                *open = None;
            }
        }
        if let Some(k) = row.stall {
            let core = story.stalls[k].core;
            if core < cores {
                stalled[core] = Some(k);
            }
        }
    }
}

fn push_footer(out: &mut String, machine: &Machine, trace: &Trace, story: &Story) {
    let e = &trace.ending;
    out.push('\n');
    out.push_str(&format!("ended: {}\n", ending_line(trace)));
    for b in &e.blocked {
        out.push_str(&format!(
            "  P{} BLOCKED since t={} at `{}`: {}\n",
            b.core, b.blocked_since, b.instruction, b.reason
        ));
    }
    out.push_str(&format!("final: {}\n", observed_line(trace)));
    let memory: Vec<String> = e.memory.iter().map(|(n, v)| format!("{n}={v}")).collect();
    out.push_str(&format!("memory: {}\n", memory.join(" ")));
    let verdict = match (e.end, e.violation) {
        (RunEnd::Deadlock, _) => "a deadlock: a violation of its own kind".to_string(),
        (RunEnd::BoundExceeded, _) => "no final state (step bound exceeded)".to_string(),
        (RunEnd::Complete, violation) => format!(
            "the proposition {}: {}",
            if e.condition_holds {
                "holds"
            } else {
                "does not hold"
            },
            if violation {
                "VIOLATION"
            } else {
                "no violation"
            }
        ),
    };
    out.push_str(&format!(
        "condition: {}: {verdict}\n",
        machine.scenario.format_condition()
    ));
    if let Some(d) = &story.divergence {
        out.push_str(&format!("warning: the timeline stops early: {d}\n"));
    }
    let mut held: Vec<(u64, String)> = story
        .stalls
        .iter()
        .map(|st| (st.since, stall_sentence(machine, story, st, e.time)))
        .collect();
    held.extend(
        story
            .wmb_holds
            .iter()
            .filter(|h| !h.held.is_empty())
            .map(|h| {
                let since = story.fired[h.from].time;
                (since, wmb_sentence(machine, story, h, e.time))
            }),
    );
    held.sort_by_key(|(since, _)| *since);
    if !held.is_empty() {
        out.push_str(
            "held back (an instruction that could not fire yet, a store behind an \
             smp_wmb(), and what each waited for):\n",
        );
        for (_, sentence) in &held {
            out.push_str(&format!("  {sentence}\n"));
        }
    }
    out.push_str(
        "legend: ! = a load that read a value older than the newest store to its location \
         (a STALE copy, or another core's newer store still in its store buffer): \
         what makes the weak outcome possible\n",
    );
    out.push_str(
        "stalls: WAITS at = the core's next instruction cannot fire yet (a fence or an RMW \
         waiting for its store buffer (SB) to drain or its invalidation queue (IQ) to be \
         applied, a lock or a condition waiting for a value); BLOCKED at = blocked to the \
         end of a deadlocked run; : = still waiting on that row\n",
    );
    out.push_str(
        "reads: SB = forwarded from the core's own store buffer, cache = valid copy, \
         STALE = stale copy (its invalidation still queued), mem = miss, read from memory\n",
    );
    if machine.config.model.is_out_of_order() {
        out.push_str(
            "out of order: rows are in time order, so a core's instructions may appear out \
             of program order; SB = forwarded from an older store not yet committed; \
             PB = the SMT pair's shared buffer (power), pair = read from it\n",
        );
    }
}
