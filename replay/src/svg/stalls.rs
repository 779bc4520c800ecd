//! The stalls on the lanes: a band on a core's baseline from the event
//! after which its next instruction could not fire to the one that let it
//! (to the end of the run, in red, for a blocked core), a tick at each
//! drain or applied invalidation it waited for, and the number of the
//! footnote that says it in words.

use ::svg::node::element::{Group, Line, Rectangle, Title};

use super::lanes::Lane;
use super::scale::TimeAxis;
use super::style::{clean, px, text, COLOUR_OLD, COLOUR_STALL};
use crate::story::Story;

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
        let x0 = stall.from.map_or(axis.x_at(stall.since), |i| axis.x(i));
        let (x1, to, colour, class) = match stall.until {
            Some(i) => (axis.x(i), story.fired[i].time, COLOUR_STALL, "stall"),
            None => (axis.end_x, axis.end_time, COLOUR_OLD, "stall blocked"),
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
