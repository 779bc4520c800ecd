//! A categorical chart axis: the swept values at evenly spaced positions,
//! with only as many tick labels as fit without colliding.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// Widest plotting area before tick labels are thinned out.
pub(super) const MAX_PLOT_W: usize = 1000;

/// Tick positions (category indices) so that labels `slot` pixels apart
/// do not collide in a plot `plot_w` pixels wide.
pub(super) fn category_ticks(n: usize, need: usize, plot_w: usize) -> Vec<f64> {
    let per = (plot_w / n.max(1)).max(1);
    let step = need.div_ceil(per).max(1);
    (0..n).step_by(step).map(|i| i as f64).collect()
}

/// A categorical axis: category `i` sits at `i`, the axis spans
/// `-0.5..n - 0.5`, with ticks at the given categories only.
pub(super) struct Categories {
    pub(super) n: usize,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for Categories {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = (v + 0.5) / self.n.max(1) as f64;
        limit.0 + ((limit.1 - limit.0) as f64 * frac).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.n as f64 - 0.5
    }
}

/// The label of the category at `x` (a tick position).
pub(super) fn category(cats: &[String], x: f64) -> String {
    let i = x.round();
    if i >= 0.0 && (i as usize) < cats.len() {
        cats[i as usize].clone()
    } else {
        String::new()
    }
}
