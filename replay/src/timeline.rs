//! A run as a timeline a person can follow.
//!
//! Both renderers (this text one and `svg`) re-simulate the trace on the
//! machine, transition by transition, so that at every event they know each
//! core's store buffer, invalidation queue and cache. [`Story`] is what that
//! re-simulation finds: which store each load read, how long each store sat
//! in its buffer, how long each invalidation waited in its queue, and which
//! loads read a value older than the newest store to their location.
//! [`timeline_text`] prints it with one column per core and one row per event.
//!
//! Nothing here draws a random number or iterates a hash map: the same trace
//! always gives the same text.

use std::collections::VecDeque;

use memory_model::ir::{Fence, Instr, Loc, Value};
use memory_model::{Effect, Machine, ModelName, ReadSource, State, Transition};
use sim_core::RunEnd;

use crate::trace::{Event, Origin, Trace};

/// Index of a store in [`Story::stores`].
pub(crate) type StoreId = usize;
/// Index of a queued invalidation in [`Story::invalidations`].
pub(crate) type InvalidationId = usize;

/// One store: a `WRITE_ONCE`, or the write of an RMW or lock.
pub(crate) struct StoreRecord {
    pub core: usize,
    pub loc: Loc,
    pub value: Value,
    /// The event (index in [`Story::fired`]) that executed it.
    pub entered: usize,
    /// The event at which it reached memory: its drain, or the step itself
    /// for a write-through store or an RMW. `None`: it never left the buffer.
    pub visible: Option<usize>,
}

impl StoreRecord {
    /// Written straight to memory by its step: never in a store buffer.
    pub fn through(&self) -> bool {
        self.visible == Some(self.entered)
    }
}

/// One invalidation sent to a core with a queue.
pub(crate) struct InvalidationRecord {
    /// The receiving core.
    pub core: usize,
    pub loc: Loc,
    /// The event (a drain or an RMW of another core) that sent it.
    pub arrived: usize,
    /// The `Invalidate` event that applied it; `None`: still queued at the end.
    pub applied: Option<usize>,
}

/// A value read by a step, attributed.
pub(crate) struct ReadRecord {
    pub loc: Loc,
    pub value: Value,
    pub source: ReadSource,
    /// The store whose value was read; `None` for the initial value.
    pub from: Option<StoreId>,
    /// The value is older than the newest store to `loc` anywhere: read from
    /// a stale copy, or while another core holds a store to `loc` with a
    /// different value in its store buffer. These are the reads that let a
    /// weak outcome happen.
    pub old: bool,
    /// For an old read, the newer store it did not see: the one in memory
    /// (a stale copy), or the newest one waiting in another core's buffer.
    pub missed: Option<StoreId>,
}

/// One fired transition with what re-simulating it showed.
pub(crate) struct Fired {
    pub time: u64,
    pub effect: Effect,
    pub core: usize,
    /// For a step: the instruction and its source text.
    pub instr: Option<Instr>,
    pub source: String,
    pub read: Option<ReadRecord>,
    /// The store this step executed (buffered, written through, or an RMW's
    /// write).
    pub store: Option<StoreId>,
    /// For a drain: the store that left the buffer.
    pub drained: Option<StoreId>,
    /// Invalidations this event queued at other cores.
    pub sent: Vec<InvalidationId>,
    /// For an `Invalidate`: the invalidation applied.
    pub applied: Option<InvalidationId>,
}

/// A trace re-simulated on its machine.
pub(crate) struct Story {
    pub fired: Vec<Fired>,
    pub stores: Vec<StoreRecord>,
    pub invalidations: Vec<InvalidationRecord>,
    /// `(core, from, to)`, in trace order.
    pub interrupts: Vec<(usize, u64, u64)>,
    /// Set when the trace stopped matching the machine; the story ends there.
    pub divergence: Option<String>,
}

/// What re-simulation keeps beside the machine state: who wrote what.
struct Provenance {
    /// For each core, the stores in its buffer, oldest first (markers left out).
    buffered: Vec<Vec<StoreId>>,
    /// For each core, its queued invalidations, oldest first.
    queued: Vec<VecDeque<InvalidationId>>,
    /// For each core and location, the store its cached copy came from
    /// (`None`: the initial value).
    cached_from: Vec<Vec<Option<StoreId>>>,
    /// For each location, the store memory holds (`None`: the initial value).
    in_memory: Vec<Option<StoreId>>,
}

impl Story {
    pub fn build(machine: &Machine, trace: &Trace) -> Story {
        let cores = machine.cores();
        let mut story = Story {
            fired: Vec::with_capacity(trace.events.len()),
            stores: Vec::new(),
            invalidations: Vec::new(),
            interrupts: Vec::new(),
            divergence: None,
        };
        let mut p = Provenance {
            buffered: vec![Vec::new(); cores],
            queued: vec![VecDeque::new(); cores],
            cached_from: vec![vec![None; machine.locations()]; cores],
            in_memory: vec![None; machine.locations()],
        };
        let mut state = machine.initial_state();
        for (n, event) in trace.events.iter().enumerate() {
            match *event {
                Event::Interrupt { core, from, to } => {
                    if (core as usize) < cores {
                        story.interrupts.push((core as usize, from, to));
                    }
                }
                Event::Fire {
                    time,
                    transition,
                    effect,
                } => {
                    if !machine.enabled(&state, transition) {
                        story.divergence = Some(format!(
                            "event {n}: {transition:?} is not enabled here: \
                             the trace does not belong to this scenario and configuration"
                        ));
                        break;
                    }
                    let before = state;
                    let got = machine.apply(&mut state, transition);
                    if got != effect {
                        story.divergence = Some(format!(
                            "event {n}: {transition:?} did {got:?}, the trace says {effect:?}"
                        ));
                        break;
                    }
                    story.record(machine, &mut p, &before, &state, time, transition, got);
                }
            }
        }
        story
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        machine: &Machine,
        p: &mut Provenance,
        before: &State,
        after: &State,
        time: u64,
        transition: Transition,
        effect: Effect,
    ) {
        let index = self.fired.len();
        let core = transition.core();
        let mut fired = Fired {
            time,
            effect,
            core,
            instr: None,
            source: String::new(),
            read: None,
            store: None,
            drained: None,
            sent: Vec::new(),
            applied: None,
        };
        let mut published = None;
        match effect {
            Effect::Step {
                pc,
                read,
                buffered,
                published: wrote,
                ..
            } => {
                let thread = &machine.scenario.threads[core];
                fired.instr = thread.instrs.get(pc as usize).copied();
                fired.source = thread.source.get(pc as usize).cloned().unwrap_or_default();
                if let Some(r) = read {
                    let from = match r.source {
                        ReadSource::StoreBuffer => p.buffered[core]
                            .iter()
                            .rev()
                            .copied()
                            .find(|&s| self.stores[s].loc == r.loc),
                        ReadSource::Cache | ReadSource::StaleCache => {
                            p.cached_from[core][r.loc.0 as usize]
                        }
                        ReadSource::Memory => p.in_memory[r.loc.0 as usize],
                    };
                    if r.source == ReadSource::Memory {
                        p.cached_from[core][r.loc.0 as usize] = from;
                    }
                    let missed = self.missed_by(p, core, r.loc, r.value, r.source);
                    fired.read = Some(ReadRecord {
                        loc: r.loc,
                        value: r.value,
                        source: r.source,
                        from,
                        old: r.source == ReadSource::StaleCache || missed.is_some(),
                        missed,
                    });
                }
                if let Some((loc, value)) = buffered {
                    let id = self.new_store(core, loc, value, index, None);
                    p.buffered[core].push(id);
                    fired.store = Some(id);
                }
                if let Some((loc, value)) = wrote {
                    let id = self.new_store(core, loc, value, index, Some(index));
                    fired.store = Some(id);
                    published = Some(id);
                }
            }
            Effect::Drain { loc, .. } => {
                let Transition::Drain { slot, .. } = transition else {
                    unreachable!("a drain's effect comes from a drain");
                };
                let entries = before.cores[core].sb.entries();
                let k = entries[..slot as usize]
                    .iter()
                    .filter(|e| !e.is_marker())
                    .count();
                let id = p.buffered[core].remove(k);
                debug_assert_eq!(self.stores[id].loc, loc);
                self.stores[id].visible = Some(index);
                fired.drained = Some(id);
                published = Some(id);
            }
            Effect::Invalidate { .. } => {
                if let Some(id) = p.queued[core].pop_front() {
                    self.invalidations[id].applied = Some(index);
                    fired.applied = Some(id);
                }
            }
            Effect::Evict { .. } => {}
        }
        if let Some(id) = published {
            let loc = self.stores[id].loc;
            p.in_memory[loc.0 as usize] = Some(id);
            p.cached_from[core][loc.0 as usize] = Some(id);
            for d in (0..machine.cores()).filter(|&d| d != core) {
                if after.cores[d].iq.len() > before.cores[d].iq.len() {
                    let inv = self.invalidations.len();
                    self.invalidations.push(InvalidationRecord {
                        core: d,
                        loc,
                        arrived: index,
                        applied: None,
                    });
                    p.queued[d].push_back(inv);
                    fired.sent.push(inv);
                }
            }
        }
        self.fired.push(fired);
    }

    /// The newer store a read of `value` did not see: the one in memory for
    /// a stale copy; for a read from cache or memory, the newest store of
    /// another value to `loc` waiting in another core's buffer. Forwarding
    /// from the own buffer is the newest the core can see: it misses nothing.
    fn missed_by(
        &self,
        p: &Provenance,
        core: usize,
        loc: Loc,
        value: Value,
        source: ReadSource,
    ) -> Option<StoreId> {
        match source {
            ReadSource::StaleCache => p.in_memory[loc.0 as usize],
            ReadSource::StoreBuffer => None,
            ReadSource::Cache | ReadSource::Memory => p
                .buffered
                .iter()
                .enumerate()
                .filter(|&(d, _)| d != core)
                .flat_map(|(_, ids)| ids.iter().copied())
                .filter(|&id| self.stores[id].loc == loc && self.stores[id].value != value)
                .max(),
        }
    }

    fn new_store(
        &mut self,
        core: usize,
        loc: Loc,
        value: Value,
        entered: usize,
        visible: Option<usize>,
    ) -> StoreId {
        self.stores.push(StoreRecord {
            core,
            loc,
            value,
            entered,
            visible,
        });
        self.stores.len() - 1
    }
}

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
}

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
            let text = format!(
                "{}={} leaves SB -> memory",
                name(loc),
                s.format_value(value)
            );
            cells.push((f.core, fit(&text, width)));
        }
        Effect::Invalidate { loc } => {
            cells.push((f.core, format!("inv {} applied", name(loc))));
        }
        Effect::Evict { loc } => {
            cells.push((f.core, format!("evict {}", name(loc))));
        }
    }
    for &inv in &f.sent {
        let i = &story.invalidations[inv];
        cells.push((i.core, fit(&format!("inv {} arrives", name(i.loc)), width)));
    }
    cells
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
/// value; then how the run ended.
pub fn timeline_text(machine: &Machine, trace: &Trace) -> String {
    let story = Story::build(machine, trace);
    let cores = machine.cores();
    let width = column_width(cores);
    let mut rows: Vec<Row> = Vec::with_capacity(trace.events.len() + cores);
    let mut fired = story.fired.iter();
    for event in &trace.events {
        match *event {
            Event::Fire { .. } => {
                let Some(f) = fired.next() else { break };
                rows.push(Row {
                    time: f.time,
                    old: f.read.as_ref().is_some_and(|r| r.old),
                    cells: fired_cells(machine, &story, f, width),
                });
            }
            Event::Interrupt { core, from, to } => rows.push(Row {
                time: from,
                old: false,
                cells: vec![(core as usize, format!("interrupted until t={to}"))],
            }),
        }
    }
    // Interrupts are recorded when they are drawn, before their start.
    rows.sort_by_key(|r| r.time);
    for b in &trace.ending.blocked {
        rows.push(Row {
            time: trace.ending.time,
            old: false,
            cells: vec![(
                b.core as usize,
                fit(
                    &format!("BLOCKED at {}: {}", b.instruction, b.reason),
                    width,
                ),
            )],
        });
    }

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

fn push_footer(out: &mut String, machine: &Machine, trace: &Trace, story: &Story) {
    let e = &trace.ending;
    out.push('\n');
    out.push_str(&format!("ended: {}\n", ending_line(trace)));
    for b in &e.blocked {
        out.push_str(&format!(
            "  P{} BLOCKED at `{}`: {}\n",
            b.core, b.instruction, b.reason
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
    out.push_str(
        "legend: ! = a load that read a value older than the newest store to its location \
         (a STALE copy, or another core's newer store still in its store buffer): \
         what makes the weak outcome possible\n",
    );
    out.push_str(
        "reads: SB = forwarded from the core's own store buffer, cache = valid copy, \
         STALE = stale copy (its invalidation still queued), mem = miss, read from memory\n",
    );
}
