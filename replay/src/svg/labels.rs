//! The words on and over the markers: each step's short slanted label and
//! each event's hover text (time, core, full source, what it read and from
//! which store).

use memory_model::ir::{Fence, Instr};
use memory_model::{Effect, Machine, ReadSource};

use super::footnotes::Footnotes;
use crate::story::{Fired, Story};
use crate::wording::{fence_word, source_words, step_outcome};

/// Marker labels are cut to this many characters; a cut label ends with
/// the number of the footnote that prints it whole.
const LABEL_CHARS_MAX: usize = 20;
/// About the length of a cut label's `…[n]`, beyond `LABEL_CHARS_MAX`.
const CUT_MARK_CHARS: usize = 4;
/// Roughly the width of one character of a 9 px label.
pub(super) const LABEL_CHAR_PX: f64 = 5.2;
/// Labels are slanted this many degrees up from the axis.
pub(super) const LABEL_SLANT_DEGREES: f64 = 60.0;

/// The hover text of an event's marker: time, core, full source, outcome.
pub(super) fn hover(machine: &Machine, story: &Story, i: usize) -> String {
    let f = &story.fired[i];
    let s = machine.scenario;
    let mut out = format!("t={} P{}: ", f.time, f.core);
    match f.effect {
        Effect::Step { .. } => {
            out.push_str(&f.source);
            let outcome = step_outcome(machine, f, true);
            if !outcome.is_empty() {
                out.push_str(&format!(" -> {outcome}"));
            }
            if let Some(r) = &f.read {
                out.push_str(&format!(
                    "; read {}={} from {}",
                    s.location_name(r.loc),
                    s.format_value(r.value),
                    source_words(r.source)
                ));
                match r.from {
                    Some(id) => {
                        let st = &story.stores[id];
                        out.push_str(&format!(
                            ", written by P{} at t={}",
                            st.core, story.fired[st.entered].time
                        ));
                    }
                    None => out.push_str(", the initial value"),
                }
                if let Some(id) = r.missed {
                    let st = &story.stores[id];
                    let at = match st.visible {
                        Some(v) if v <= i => format!("in memory since t={}", story.fired[v].time),
                        _ => "still in its store buffer".to_string(),
                    };
                    out.push_str(&format!(
                        "; OLD: missed {}={} of P{} ({at})",
                        s.location_name(st.loc),
                        s.format_value(st.value),
                        st.core
                    ));
                } else if r.old {
                    out.push_str("; OLD: a stale copy");
                }
            }
        }
        Effect::Drain { loc, value, .. } => out.push_str(&format!(
            "{}={} leaves the {} for memory",
            s.location_name(loc),
            s.format_value(value),
            if machine.config.model.is_out_of_order() {
                "SMT pair's buffer"
            } else {
                "store buffer"
            }
        )),
        Effect::Invalidate { loc } => {
            out.push_str(&format!("invalidation of {} applied", s.location_name(loc)))
        }
        Effect::Evict { loc } => out.push_str(&format!(
            "evicts {}: its next load misses",
            s.location_name(loc)
        )),
        Effect::Guess { taken, .. } => out.push_str(if taken {
            "fetches past a branch, guessing it taken"
        } else {
            "fetches past a branch, guessing it not taken"
        }),
        Effect::Pairing { index } => out.push_str(&format!("SMT pairing {index}")),
    }
    // Out of order: the branch this event resolved was guessed wrong.
    for &(core, unperformed, performed) in &f.squashed {
        out.push_str(&format!(
            "; squashes P{core}'s instances fetched past a wrong guess: \
             {unperformed} not performed, {performed} performed"
        ));
    }
    out
}

/// The label of each fired transition's marker (empty but for steps), cut
/// to `LABEL_CHARS_MAX` with `…[n]`, `n` the footnote that prints it whole.
pub(super) fn marker_labels(
    machine: &Machine,
    story: &Story,
    notes: &mut Footnotes,
) -> Vec<String> {
    story
        .fired
        .iter()
        .map(|f| match f.effect {
            Effect::Step { .. } => {
                let label = step_label(machine, f);
                // Cut only what the cut and its mark would not make longer.
                if label.chars().count() <= LABEL_CHARS_MAX + CUT_MARK_CHARS {
                    return label;
                }
                let mut cut: String = label.chars().take(LABEL_CHARS_MAX - 1).collect();
                let n = notes.add(&label);
                cut.push_str(&format!("…{}", Footnotes::mark(n)));
                cut
            }
            Effect::Drain { .. }
            | Effect::Invalidate { .. }
            | Effect::Evict { .. }
            | Effect::Guess { .. }
            | Effect::Pairing { .. } => String::new(),
        })
        .collect()
}

/// The whole label of a step's marker: `y=0`, `x:=1`, `l 0->1`, `mb`,
/// or the text of a local instruction.
fn step_label(machine: &Machine, f: &Fired) -> String {
    let s = machine.scenario;
    let label = match (f.instr, f.effect) {
        (Some(Instr::Load { .. } | Instr::CondLoad { .. }), _) => match &f.read {
            Some(r) => {
                let stale = match (r.source, r.from) {
                    (ReadSource::StaleCache, _) => " STALE",
                    (_, None) => " init",
                    (_, Some(_)) => "",
                };
                format!(
                    "{}={}{stale}",
                    s.location_name(r.loc),
                    s.format_value(r.value)
                )
            }
            None => String::new(),
        },
        (
            Some(Instr::Store { .. }),
            Effect::Step {
                buffered: Some((l, v)),
                ..
            }
            | Effect::Step {
                published: Some((l, v)),
                ..
            },
        ) => format!("{}:={}", s.location_name(l), s.format_value(v)),
        (Some(Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }), _) => {
            step_outcome(machine, f, true)
        }
        (Some(Instr::Fence(fence)), _) => {
            let word = match fence.in_order() {
                Fence::Mb => "mb",
                Fence::Rmb => "rmb",
                _ => "wmb",
            };
            if fence_word(machine, fence) == "no-op" {
                format!("{word} (no-op)")
            } else {
                word.to_string()
            }
        }
        _ => f.source.trim_end_matches(';').to_string(),
    };
    label
}
