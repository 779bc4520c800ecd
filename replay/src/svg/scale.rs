//! The time scale: where each event, and any time between, falls on the x
//! axis; and the axis drawn under the lanes.
//!
//! Every fired transition gets its own slot, so that events at the same
//! cycle stay apart and a run of a few hundred events stays readable. Slot
//! `i` lies `SLOT_MIN_PX + GAP_PX_PER_DOUBLING * log2(1 + gap)` after slot
//! `i - 1`, where `gap` is the time between them in cycles: idle gaps are
//! compressed logarithmically, the order of events is exact and their times
//! are printed on the axis. If the plot would be wider than
//! `PLOT_WIDTH_MAX_PX`, every distance is scaled down to fit, so the
//! picture's width is bounded whatever the run's length. Times between slots
//! (interrupt bounds) are placed by linear interpolation.

use ::svg::node::element::{Group, Line};

use super::style::{px, text};
use crate::story::Story;

/// Distance between two events at the same cycle.
const SLOT_MIN_PX: f64 = 12.0;
/// Extra distance per doubling of the gap between two events.
const GAP_PX_PER_DOUBLING: f64 = 3.0;
/// The plot (the time axis) is never wider than this.
const PLOT_WIDTH_MAX_PX: f64 = 18_000.0;
/// A short run is stretched to fill at least this much.
const PLOT_WIDTH_MIN_PX: f64 = 860.0;
/// Room for the lane labels on the left.
pub(super) const LEFT_PX: f64 = 70.0;

/// The x position of each event, of the run's end, and of any time between.
pub(super) struct TimeAxis {
    times: Vec<u64>,
    xs: Vec<f64>,
    pub(super) end_time: u64,
    pub(super) end_x: f64,
}

impl TimeAxis {
    pub(super) fn new(story: &Story, end_time: u64) -> TimeAxis {
        let times: Vec<u64> = story.fired.iter().map(|f| f.time).collect();
        let mut offsets = Vec::with_capacity(times.len());
        let mut at = 0.0;
        let mut prev = 0;
        for (i, &t) in times.iter().enumerate() {
            if i > 0 {
                at += slot_distance(t.saturating_sub(prev));
            }
            offsets.push(at);
            prev = t;
        }
        let end_time = end_time.max(prev);
        let end_offset = at + slot_distance(end_time - prev);
        let scale = if end_offset > PLOT_WIDTH_MAX_PX {
            PLOT_WIDTH_MAX_PX / end_offset
        } else if end_offset > 0.0 && end_offset < PLOT_WIDTH_MIN_PX {
            PLOT_WIDTH_MIN_PX / end_offset
        } else {
            1.0
        };
        let start = LEFT_PX + 20.0;
        TimeAxis {
            times,
            xs: offsets.iter().map(|o| start + o * scale).collect(),
            end_time,
            end_x: start + end_offset * scale,
        }
    }

    pub(super) fn x(&self, event: usize) -> f64 {
        self.xs[event]
    }

    /// Where time `t` falls: between the slots around it, in proportion.
    pub(super) fn x_at(&self, t: u64) -> f64 {
        let after = self.times.partition_point(|&s| s <= t);
        let (t0, x0) = match after {
            0 => return self.xs.first().copied().unwrap_or(self.end_x),
            n => (self.times[n - 1], self.xs[n - 1]),
        };
        let (t1, x1) = match self.times.get(after) {
            Some(&t1) => (t1, self.xs[after]),
            None if t >= self.end_time => return self.end_x,
            None => (self.end_time, self.end_x),
        };
        if t1 == t0 {
            return x0;
        }
        x0 + (x1 - x0) * (t - t0) as f64 / (t1 - t0) as f64
    }
}

fn slot_distance(gap_cycles: u64) -> f64 {
    SLOT_MIN_PX + GAP_PX_PER_DOUBLING * (1.0 + gap_cycles as f64).log2()
}

pub(super) fn time_axis(story: &Story, axis: &TimeAxis, y: f64) -> Group {
    let mut g = Group::new().set("id", "time-axis").add(
        Line::new()
            .set("x1", px(LEFT_PX))
            .set("x2", px(axis.end_x))
            .set("y1", px(y))
            .set("y2", px(y))
            .set("stroke", "#444444"),
    );
    let mut last_label = f64::MIN;
    for (i, f) in story.fired.iter().enumerate() {
        let x = axis.x(i);
        g = g.add(
            Line::new()
                .set("x1", px(x))
                .set("x2", px(x))
                .set("y1", px(y))
                .set("y2", px(y + 3.0))
                .set("stroke", "#444444"),
        );
        if x - last_label >= 48.0 {
            g = g.add(text(x, y + 13.0, 9.0, &f.time.to_string()).set("text-anchor", "middle"));
            last_label = x;
        }
    }
    g.add(text(
        LEFT_PX,
        y + 27.0,
        10.0,
        &format!(
            "time in cycles (end t={}): one slot per event, idle gaps compressed logarithmically",
            axis.end_time
        ),
    ))
}
