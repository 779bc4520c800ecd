//! The stalls on the lanes: a band on a core's baseline from the event
//! after which its next instruction could not fire to the one that let it
//! (to the end of the run, in red, for a blocked core), a tick at each
//! drain or applied invalidation it waited for, and the number of the
//! footnote that says it in words. And on the store-buffer bars, the part
//! during which an `smp_wmb()` marker held a store back.

use ::svg::node::element::{Group, Line, Rectangle, Title};

use super::bars::{Bar, BAR_ROW_PX};
use super::lanes::Lane;
use super::scale::TimeAxis;
use super::style::{clean, px, text, COLOUR_FENCE, COLOUR_OLD, COLOUR_STALL};
use crate::story::{Story, WmbHold};

const BAND_PX: f64 = 8.0;

/// Every stall of `story`; `marks[k]` points to the footnote of stall `k`
/// and `sentences[k]` is its words (the hover text too).
pub(super) fn stall_bands(
    story: &Story,
    lanes: &[Lane],
    axis: &TimeAxis,
    marks: &[String],
    sentences: &[String],
) -> Group {
    let mut g = Group::new().set("id", "stalls");
    for (k, stall) in story.stalls.iter().enumerate() {
        let lane = &lanes[stall.core];
        let y = lane.marker_y;
        // At its event, unless an interrupt made it due later.
        let x0 = match stall.from {
            Some(i) if story.fired[i].time == stall.since => axis.x(i),
            _ => axis.x_at(stall.since),
        };
        let (x1, to) = match stall.until {
            Some(i) => (axis.x(i), story.fired[i].time),
            None => (axis.end_x, axis.end_time),
        };
        let (colour, class) = if stall.blocked {
            (COLOUR_OLD, "stall blocked")
        } else {
            (COLOUR_STALL, "stall")
        };
        let mut item = Group::new()
            .set("class", class)
            .set("data-core", stall.core)
            .set("data-from", stall.since)
            .set("data-to", to)
            .add(Title::new(clean(&sentences[k])))
            .add(
                Rectangle::new()
                    .set("x", px(x0))
                    .set("y", px(y - BAND_PX / 2.0))
                    .set("width", px((x1 - x0).max(2.0)))
                    .set("height", BAND_PX)
                    .set("fill", colour)
                    .set("fill-opacity", 0.3),
            )
            .add(text(x0 + 1.0, y + 9.0, 7.0, &marks[k]).set("fill", colour));
        for &i in &stall.waited_for {
            let x = axis.x(i);
            item = item.add(
                Line::new()
                    .set("class", "stall-waited-for")
                    .set("x1", px(x))
                    .set("x2", px(x))
                    .set("y1", px(y - BAND_PX))
                    .set("y2", px(y + BAND_PX))
                    .set("stroke", colour)
                    .set("stroke-width", 2),
            );
        }
        g = g.add(item);
    }
    g
}

/// On each store-buffer bar of a store held behind an `smp_wmb()` marker,
/// a dark overlay from the store's step until the marker vanished; `holds`
/// pairs each marker that held a store with its footnote mark and words.
pub(super) fn wmb_overlays(
    story: &Story,
    lanes: &[Lane],
    axis: &TimeAxis,
    sb_bars: &[Bar],
    holds: &[(&WmbHold, String, String)],
) -> Group {
    let mut g = Group::new().set("id", "wmb-holds");
    for (hold, mark, sentence) in holds {
        let lane = &lanes[hold.core];
        let until_x = hold.until.map_or(axis.end_x, |i| axis.x(i));
        let to = hold.until.map_or(axis.end_time, |i| story.fired[i].time);
        let mut item = Group::new()
            .set("class", "wmb-hold")
            .set("data-core", hold.core)
            .set("data-from", story.fired[hold.from].time)
            .set("data-to", to)
            .add(Title::new(clean(sentence)));
        for &id in &hold.held {
            let Some(bar) = sb_bars.iter().find(|b| b.store == Some(id)) else {
                continue;
            };
            let y = lane.sb_top + bar.row as f64 * BAR_ROW_PX;
            let x1 = until_x.min(bar.x1).max(bar.x0 + 2.0);
            item = item
                .add(
                    Rectangle::new()
                        .set("x", px(bar.x0))
                        .set("y", px(y))
                        .set("width", px(x1 - bar.x0))
                        .set("height", BAR_ROW_PX - 2.0)
                        .set("fill", COLOUR_FENCE)
                        .set("fill-opacity", 0.45),
                )
                .add(text(x1 + 1.0, y + 7.5, 7.0, mark).set("fill", COLOUR_FENCE));
        }
        g = g.add(item);
    }
    g
}
