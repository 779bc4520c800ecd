//! The lanes, one per core: their vertical layout, their backgrounds and
//! labels, the grey spans of interrupts, and the notes of blocked cores.

use ::svg::node::element::{Group, Line, Rectangle, Title};
use memory_model::Machine;

use super::bars::BAR_ROW_PX;
use super::labels::{LABEL_CHAR_PX, LABEL_SLANT_DEGREES};
use super::scale::{TimeAxis, LEFT_PX};
use super::style::{px, text, text_width, COLOUR_INTERRUPT, COLOUR_OLD};
use crate::story::Story;
use crate::trace::Trace;

const LANE_GAP_PX: f64 = 10.0;
const BLOCKED_NOTE_FONT_PX: f64 = 10.0;

/// Vertical layout of one lane.
pub(super) struct Lane {
    pub(super) top: f64,
    /// The markers' baseline.
    pub(super) marker_y: f64,
    pub(super) sb_top: f64,
    pub(super) iq_top: f64,
    pub(super) bottom: f64,
}

/// The lanes top to bottom, from `top`: above each lane's markers, room for
/// its longest slanted label (`labels`, one per fired transition); below
/// them, its rows of store-buffer bars, then of invalidation bars, then
/// room for a blocked note. Returns them and the y just below the last one.
pub(super) fn layout(
    machine: &Machine,
    story: &Story,
    labels: &[String],
    trace: &Trace,
    (sb_rows, iq_rows): (&[usize], &[usize]),
    top: f64,
) -> (Vec<Lane>, f64) {
    let cores = machine.cores();
    // Room above each lane's markers for its longest slanted label.
    let mut label_chars = vec![0; cores];
    for (f, label) in story.fired.iter().zip(labels) {
        label_chars[f.core] = label_chars[f.core].max(label.chars().count());
    }
    let mut lanes = Vec::with_capacity(cores);
    let mut y = top;
    for c in 0..cores {
        let top = y;
        let label_px =
            label_chars[c] as f64 * LABEL_CHAR_PX * LABEL_SLANT_DEGREES.to_radians().sin();
        let marker_y = top + label_px.max(12.0) + 18.0;
        let sb_top = marker_y + 10.0;
        let iq_top = sb_top + sb_rows[c] as f64 * BAR_ROW_PX + 2.0;
        let blocked = trace.ending.blocked.iter().any(|b| b.core as usize == c);
        let bottom = iq_top + iq_rows[c] as f64 * BAR_ROW_PX + if blocked { 16.0 } else { 4.0 };
        lanes.push(Lane {
            top,
            marker_y,
            sb_top,
            iq_top,
            bottom,
        });
        y = bottom + LANE_GAP_PX;
    }
    (lanes, y)
}

pub(super) fn lane_backgrounds(lanes: &[Lane], axis: &TimeAxis, width: f64) -> Group {
    let mut g = Group::new().set("id", "lanes");
    for (c, lane) in lanes.iter().enumerate() {
        let fill = if c % 2 == 0 { "#f6f7fb" } else { "#fbfbf6" };
        g = g.add(
            Rectangle::new()
                .set("x", 4)
                .set("y", px(lane.top))
                .set("width", px(width - 8.0))
                .set("height", px(lane.bottom - lane.top))
                .set("fill", fill)
                .set("stroke", "#dddddd"),
        );
        g = g.add(
            Line::new()
                .set("x1", px(LEFT_PX))
                .set("x2", px(axis.end_x))
                .set("y1", px(lane.marker_y))
                .set("y2", px(lane.marker_y))
                .set("stroke", "#cccccc"),
        );
        g = g.add(
            text(14.0, lane.marker_y + 5.0, 16.0, &format!("P{c}"))
                .set("class", "lane-label")
                .set("font-weight", "bold"),
        );
    }
    g
}

pub(super) fn interrupt_spans(story: &Story, lanes: &[Lane], axis: &TimeAxis) -> Group {
    let mut g = Group::new().set("id", "interrupts");
    for &(core, from, to) in &story.interrupts {
        let lane = &lanes[core];
        let x0 = axis.x_at(from);
        let x1 = axis.x_at(to).max(x0 + 2.0);
        g = g.add(
            Group::new()
                .add(Title::new(format!(
                    "P{core} interrupted from t={from} to t={to}: it executes nothing, its buffers keep draining"
                )))
                .add(
                    Rectangle::new()
                        .set("x", px(x0))
                        .set("y", px(lane.top + 2.0))
                        .set("width", px(x1 - x0))
                        .set("height", px(lane.bottom - lane.top - 4.0))
                        .set("fill", COLOUR_INTERRUPT)
                        .set("fill-opacity", 0.3),
                )
                .add(
                    text(x0 + 3.0, lane.top + 12.0, 9.0, "interrupt")
                        .set("fill", "#555555"),
                ),
        );
    }
    g
}

/// Under each blocked core's lane, what it is blocked at and since when,
/// starting where it blocked (or ending at the right edge, when it would
/// run off it); a red tick at the end of the run.
pub(super) fn blocked_notes(
    trace: &Trace,
    story: &Story,
    lanes: &[Lane],
    axis: &TimeAxis,
    width: f64,
) -> Group {
    let mut g = Group::new().set("id", "blocked");
    for b in &trace.ending.blocked {
        let core = b.core as usize;
        let Some(lane) = lanes.get(core) else {
            continue;
        };
        let note = format!(
            "P{} BLOCKED since t={} at {}: {}",
            b.core, b.blocked_since, b.instruction, b.reason
        );
        let since_x = story
            .stalls
            .iter()
            .find(|s| s.core == core && s.blocked)
            .map_or(LEFT_PX, |s| match s.from {
                Some(i) if story.fired[i].time == s.since => axis.x(i),
                _ => axis.x_at(s.since),
            });
        let right = width - 8.0;
        let mut label = text(since_x, lane.bottom - 4.0, BLOCKED_NOTE_FONT_PX, &note)
            .set("fill", COLOUR_OLD)
            .set("font-weight", "bold");
        if since_x + text_width(&note, BLOCKED_NOTE_FONT_PX) > right {
            label = label.set("x", px(right)).set("text-anchor", "end");
        }
        g = g
            .add(
                Rectangle::new()
                    .set("x", px(axis.end_x - 3.0))
                    .set("y", px(lane.marker_y - 9.0))
                    .set("width", 6)
                    .set("height", 18)
                    .set("fill", COLOUR_OLD),
            )
            .add(label);
    }
    g
}
