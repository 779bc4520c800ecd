//! The reads-from arrows: from each store to each load that read it, and
//! the dashed lines from the newer stores old loads missed; with their
//! arrow heads.

use ::svg::node::element::{Definitions, Group, Marker, Path};
use memory_model::ReadSource;

use super::bars::{Bar, BAR_ROW_PX};
use super::lanes::Lane;
use super::scale::TimeAxis;
use super::style::{px, COLOUR_ARROW, COLOUR_OLD};
use crate::story::{StoreId, Story};

fn arrow_marker(id: &str, colour: &str) -> Marker {
    Marker::new()
        .set("id", id)
        .set("viewBox", "0 0 10 10")
        .set("refX", 9)
        .set("refY", 5)
        .set("markerWidth", 7)
        .set("markerHeight", 7)
        .set("orient", "auto")
        .add(
            Path::new()
                .set("d", "M0,0 L10,5 L0,10 z")
                .set("fill", colour),
        )
}

pub(super) fn definitions() -> Definitions {
    Definitions::new()
        .add(arrow_marker("reads-from", COLOUR_ARROW))
        .add(arrow_marker("reads-from-old", COLOUR_OLD))
}

/// Where a store is drawn at event `at`: on its store-buffer bar (at `at`
/// while it is still buffered, else at its drain), or at its step for an
/// RMW or a write-through store.
fn store_point(
    story: &Story,
    lanes: &[Lane],
    axis: &TimeAxis,
    bar_of: &[Option<&Bar>],
    store: StoreId,
    at: usize,
) -> (f64, f64) {
    let st = &story.stores[store];
    let lane = &lanes[st.core];
    match bar_of[store] {
        Some(bar) => {
            let y = lane.sb_top + bar.row as f64 * BAR_ROW_PX + (BAR_ROW_PX - 2.0) / 2.0;
            match st.visible {
                Some(v) if v < at => (axis.x(v), y),
                _ => (axis.x(at), y),
            }
        }
        None => (axis.x(st.entered), lane.marker_y),
    }
}

/// `(x0, y0)` to just short of `(x1, y1)`, arched when both ends are in
/// one lane.
fn link(x0: f64, y0: f64, x1: f64, y1: f64, same_lane: bool) -> String {
    // Stop short of the marker so that the head stays visible.
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (x1, y1) = (x1 - dx / len * 5.0, y1 - dy / len * 5.0);
    if same_lane {
        let cx = (x0 + x1) / 2.0;
        let cy = y0.min(y1) - 18.0;
        format!(
            "M{},{} Q{},{} {},{}",
            px(x0),
            px(y0),
            px(cx),
            px(cy),
            px(x1),
            px(y1)
        )
    } else {
        format!("M{},{} L{},{}", px(x0), px(y0), px(x1), px(y1))
    }
}

/// An arrow from each store to each load that read it: from the store's
/// drain (the end of its bar), from its step for an RMW or a write-through
/// store, or from its entry into the buffer when the load forwarded from
/// it. For an old read, a dashed red line from the newer store it missed.
pub(super) fn arrows(story: &Story, lanes: &[Lane], axis: &TimeAxis, sb_bars: &[Bar]) -> Group {
    let mut g = Group::new().set("id", "reads-from");
    // Bars were made from the buffered stores in order.
    let mut bar_of = vec![None; story.stores.len()];
    let mut bars = sb_bars.iter();
    for (id, st) in story.stores.iter().enumerate() {
        if !st.through() {
            bar_of[id] = bars.next();
        }
    }
    for (i, f) in story.fired.iter().enumerate() {
        let Some(read) = &f.read else { continue };
        let (x1, y1) = (axis.x(i), lanes[f.core].marker_y);
        if let Some(missed) = read.missed {
            let (x0, y0) = store_point(story, lanes, axis, &bar_of, missed, i);
            let same_lane = story.stores[missed].core == f.core;
            g = g.add(
                Path::new()
                    .set("d", link(x0, y0, x1, y1, same_lane))
                    .set("fill", "none")
                    .set("stroke", COLOUR_OLD)
                    .set("stroke-width", 1.2)
                    .set("stroke-dasharray", "3,3"),
            );
        }
        let Some(from) = read.from else { continue };
        let st = &story.stores[from];
        let (x0, y0) = match (read.source, bar_of[from]) {
            (ReadSource::StoreBuffer, Some(_)) => {
                let (_, y) = store_point(story, lanes, axis, &bar_of, from, i);
                (axis.x(st.entered), y)
            }
            _ => store_point(story, lanes, axis, &bar_of, from, i),
        };
        let (colour, head) = if read.old {
            (COLOUR_OLD, "url(#reads-from-old)")
        } else {
            (COLOUR_ARROW, "url(#reads-from)")
        };
        g = g.add(
            Path::new()
                .set("d", link(x0, y0, x1, y1, st.core == f.core))
                .set("fill", "none")
                .set("stroke", colour)
                .set("stroke-width", if read.old { 1.6 } else { 1.0 })
                .set("stroke-opacity", 0.75)
                .set("marker-end", head),
        );
    }
    g
}
