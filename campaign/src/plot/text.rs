//! The charts' text: the font and its sizes, estimated text widths (there is
//! no font file to measure with), text styles, and the header of title and
//! subtitle across the top of each chart.

use super::color::TEXT_GREY;
use super::{draw_err, Area};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) const FONT: &str = "sans-serif";
/// Font sizes in plotters' units (the SVG font-size is this / 1.24).
pub(super) const TITLE_SIZE: f64 = 26.0;
pub(super) const SUBTITLE_SIZE: f64 = 17.0;
pub(super) const DESC_SIZE: f64 = 18.0;
pub(super) const TICK_SIZE: f64 = 16.0;
pub(super) const VALUE_SIZE: f64 = 15.0;
pub(super) const LEGEND_SIZE: f64 = 16.0;

/// Estimated width in pixels of `s` at plotters font size `size`.
pub(super) fn text_w(s: &str, size: f64) -> usize {
    (s.chars().count() as f64 * size / 1.24 * 0.6).ceil() as usize
}

pub(super) fn style(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(color).pos(Pos::new(h, v))
}

/// A chart's title and (possibly empty) subtitle.
pub(super) struct Header<'t> {
    pub(super) title: &'t str,
    pub(super) subtitle: String,
}

impl Header<'_> {
    pub(super) fn height(&self) -> usize {
        if self.subtitle.is_empty() {
            44
        } else {
            70
        }
    }

    pub(super) fn width(&self) -> usize {
        text_w(self.title, TITLE_SIZE).max(text_w(&self.subtitle, SUBTITLE_SIZE)) + 40
    }

    /// Draws the title and subtitle across the top of `root`; returns the rest.
    pub(super) fn draw<'a>(&self, root: &Area<'a>) -> Result<Area<'a>, String> {
        let mid = root.dim_in_pixel().0 as i32 / 2;
        let top = style(TITLE_SIZE, &BLACK, HPos::Center, VPos::Top);
        root.draw(&Text::new(self.title.to_string(), (mid, 12), top))
            .map_err(draw_err)?;
        if !self.subtitle.is_empty() {
            let sub = style(SUBTITLE_SIZE, &TEXT_GREY, HPos::Center, VPos::Top);
            root.draw(&Text::new(self.subtitle.clone(), (mid, 42), sub))
                .map_err(draw_err)?;
        }
        Ok(root.margin(self.height() as i32, 0, 0, 0))
    }
}
