//! The title above the lanes: the run, how it ended, its final values and
//! condition; in red for a violation.

use ::svg::node::element::Group;
use memory_model::Machine;

use super::style::{text, COLOUR_OLD};
use crate::story::Story;
use crate::trace::Trace;
use crate::wording::{ending_line, observed_line, title};

pub(super) fn title_group(machine: &Machine, trace: &Trace, story: &Story) -> Group {
    let mut g = Group::new().set("id", "title");
    g = g.add(text(12.0, 20.0, 15.0, &title(trace)).set("font-weight", "bold"));
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
    g.add(text(12.0, 40.0, 12.0, &second).set("fill", colour))
}
