//! The charts' colours: greys for grid and text, the series palette, and the
//! heat map's sequential scale with the ink that reads on it.

use super::MAX_SERIES;
use plotters::prelude::*;

pub(super) const GRID_GREY: RGBColor = RGBColor(225, 225, 225);
pub(super) const TEXT_DARK: RGBColor = RGBColor(40, 40, 40);
pub(super) const TEXT_GREY: RGBColor = RGBColor(90, 90, 90);
/// The colour of a heat-map cell whose rate is exactly 0.
pub(super) const ZERO_COLOR: RGBColor = RGBColor(204, 224, 204);
/// The colour of the single series (and of the bar).
pub(super) const MAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
/// Distinct series colours (Tableau 10, then two more).
pub(super) const PALETTE: [RGBColor; MAX_SERIES] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(0, 0, 0),
];
/// The heat map's sequential scale, white to dark red (ColorBrewer "Reds").
const HEAT_STOPS: [(f64, f64, f64); 5] = [
    (255.0, 245.0, 240.0),
    (252.0, 187.0, 161.0),
    (251.0, 106.0, 74.0),
    (203.0, 24.0, 29.0),
    (103.0, 0.0, 13.0),
];

/// The heat-map colour of a rate `t` of the scale's maximum (0 < t <= 1):
/// never quite white, so that a small rate differs from the background.
pub(super) fn heat_color(t: f64) -> RGBColor {
    let t = 0.08 + 0.92 * t.clamp(0.0, 1.0);
    let pos = t * (HEAT_STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(HEAT_STOPS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (HEAT_STOPS[i], HEAT_STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `c`.
pub(super) fn ink_on(c: RGBColor) -> RGBColor {
    let lum = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if lum < 140.0 {
        WHITE
    } else {
        BLACK
    }
}
