//! A run as a picture: one horizontal lane per core, time on the x axis.
//!
//! Built from the same re-simulation as the text timeline
//! (`crate::story`), with the `svg` crate's node API (which escapes
//! every text and attribute). In each lane: every executed instruction as a
//! small marker with a short label (hover for its source text and value),
//! each store's residency in the store buffer as a blue bar, each queued
//! invalidation's residency as an orange bar, interrupts as grey spans,
//! each instruction held back as a band on its lane (red to the end for a
//! blocked core); an arrow from each store to each load that read it; loads
//! that read an old value in red. Numbered notes under the picture give
//! the whole text of every cut label and every stall, for a printed page;
//! a legend explains every colour and shape.
//!
//! Time scale: one slot per event, idle gaps compressed logarithmically,
//! the width bounded (see `scale`). [`timeline_svg`] lays the parts out top
//! to bottom (title, lanes, time axis, notes, legend) and draws them in
//! that order.

mod arrows;
mod bars;
mod footnotes;
mod labels;
mod lanes;
mod legend;
mod markers;
mod scale;
mod stalls;
mod style;
mod title;

use ::svg::node::element::Rectangle;
use ::svg::Document;
use memory_model::Machine;

use arrows::{arrows, definitions};
use bars::{bar_group, invalidation_bars, pack, store_bars};
use footnotes::Footnotes;
use labels::marker_labels;
use lanes::{blocked_notes, interrupt_spans, lane_backgrounds};
use legend::legend;
use markers::markers;
use scale::{time_axis, TimeAxis};
use stalls::{stall_bands, wmb_overlays};
use style::{px, COLOUR_IQ, COLOUR_SB};
use title::title_group;

use crate::story::Story;
use crate::trace::Trace;
use crate::wording::{stall_sentence, wmb_sentence};

/// The picture is at least this wide, for the title and the legend.
const WIDTH_MIN_PX: f64 = 1_000.0;
const RIGHT_PX: f64 = 40.0;

/// The run as an SVG picture (see `scale` for the time scale).
pub fn timeline_svg(machine: &Machine, trace: &Trace) -> String {
    let story = Story::build(machine, trace);
    let cores = machine.cores();
    let axis = TimeAxis::new(&story, trace.ending.time);

    let mut sb_bars = store_bars(machine, &story, &axis);
    let mut iq_bars = invalidation_bars(machine, &story, &axis);
    let sb_rows = pack(&mut sb_bars, cores);
    let iq_rows = pack(&mut iq_bars, cores);
    let width = (axis.end_x + RIGHT_PX).max(WIDTH_MIN_PX);

    let mut notes = Footnotes::default();
    let labels = marker_labels(machine, &story, &mut notes);
    let sentences: Vec<String> = story
        .stalls
        .iter()
        .map(|st| stall_sentence(machine, &story, st, trace.ending.time))
        .collect();
    let marks: Vec<String> = sentences
        .iter()
        .map(|s| Footnotes::mark(notes.add(s)))
        .collect();
    let holds: Vec<_> = story
        .wmb_holds
        .iter()
        .filter(|h| !h.held.is_empty())
        .map(|h| {
            let sentence = wmb_sentence(machine, &story, h, trace.ending.time);
            (h, Footnotes::mark(notes.add(&sentence)), sentence)
        })
        .collect();
    let (title, title_height) = title_group(machine, trace, &story, width);
    let (lanes, y) = lanes::layout(
        machine,
        &story,
        &labels,
        trace,
        (&sb_rows, &iq_rows),
        title_height,
    );
    let axis_y = y + 6.0;
    let (notes, notes_height) = notes.draw(axis_y + 44.0, width);
    let legend_top = axis_y + 40.0 + notes_height + if notes_height > 0.0 { 10.0 } else { 0.0 };

    let mut doc = Document::new()
        .set("font-family", "sans-serif")
        .add(definitions())
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "white"),
        );
    doc = doc.add(title);
    doc = doc.add(lane_backgrounds(&lanes, &axis, width));
    doc = doc.add(interrupt_spans(&story, &lanes, &axis));
    doc = doc.add(bar_group(
        "store-buffer",
        &sb_bars,
        &lanes,
        |l| l.sb_top,
        COLOUR_SB,
    ));
    doc = doc.add(bar_group(
        "invalidation-queue",
        &iq_bars,
        &lanes,
        |l| l.iq_top,
        COLOUR_IQ,
    ));
    doc = doc.add(wmb_overlays(&story, &lanes, &axis, &sb_bars, &holds));
    doc = doc.add(arrows(&story, &lanes, &axis, &sb_bars));
    doc = doc.add(stall_bands(&story, &lanes, &axis, &marks, &sentences));
    doc = doc.add(markers(machine, &story, &labels, &lanes, &axis));
    doc = doc.add(blocked_notes(trace, &story, &lanes, &axis, width));
    doc = doc.add(time_axis(&story, &axis, axis_y));
    doc = doc.add(notes);
    let (legend, legend_height) = legend(legend_top);
    doc = doc.add(legend);
    let height = legend_top + legend_height + 10.0;
    doc = doc
        .set("width", px(width))
        .set("height", px(height))
        .set("viewBox", (0.0, 0.0, px(width), px(height)));
    let mut out = doc.to_string();
    out.push('\n');
    out
}
