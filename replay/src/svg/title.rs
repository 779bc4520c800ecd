//! The title above the lanes: the run, how it ended, its final values and
//! condition; in red for a violation. Lines too long for the picture are
//! wrapped, never cut: a long scenario name keeps every character.

use ::svg::node::element::Group;
use memory_model::Machine;

use super::style::{text, wrap, COLOUR_OLD};
use crate::story::Story;
use crate::trace::Trace;
use crate::wording::{ending_line, observed_line, title};

const LEFT_PX: f64 = 12.0;
const TITLE_FONT_PX: f64 = 15.0;
const SUBTITLE_FONT_PX: f64 = 12.0;

/// The title, wrapped to `width`; returns it and its height.
pub(super) fn title_group(
    machine: &Machine,
    trace: &Trace,
    story: &Story,
    width: f64,
) -> (Group, f64) {
    let room = width - 2.0 * LEFT_PX;
    let mut g = Group::new().set("id", "title");
    let mut y = 20.0;
    for line in wrap(&title(trace), room, TITLE_FONT_PX) {
        g = g.add(
            text(LEFT_PX, y, TITLE_FONT_PX, &line)
                .set("class", "title-line")
                .set("font-weight", "bold"),
        );
        y += TITLE_FONT_PX + 4.0;
    }
    let mut second = format!(
        "ended: {} | final: {} | {}",
        ending_line(trace),
        observed_line(trace),
        machine.scenario.format_condition()
    );
    if let Some(d) = &story.divergence {
        second.push_str(&format!(" | the picture stops early: {d}"));
    }
    let colour = if trace.ending.violation {
        COLOUR_OLD
    } else {
        "#222222"
    };
    y += 1.0;
    for line in wrap(&second, room, SUBTITLE_FONT_PX) {
        g = g.add(
            text(LEFT_PX, y, SUBTITLE_FONT_PX, &line)
                .set("class", "subtitle")
                .set("fill", colour),
        );
        y += SUBTITLE_FONT_PX + 4.0;
    }
    (g, y + 2.0)
}
