//! The picture's shared vocabulary: its colours, coordinates rounded to a
//! tenth of a pixel, and text elements made safe for XML.

use ::svg::node::element::Text;

pub(super) const COLOUR_LOAD: &str = "#2b8a3e";
pub(super) const COLOUR_OLD: &str = "#d62728";
pub(super) const COLOUR_STORE: &str = "#1f4fa0";
pub(super) const COLOUR_SB: &str = "#6f9fe0";
pub(super) const COLOUR_IQ: &str = "#f0a030";
pub(super) const COLOUR_RMW: &str = "#7b3fa0";
pub(super) const COLOUR_FENCE: &str = "#333333";
pub(super) const COLOUR_LOCAL: &str = "#aaaaaa";
pub(super) const COLOUR_EVICT: &str = "#888888";
pub(super) const COLOUR_ARROW: &str = "#555555";
pub(super) const COLOUR_INTERRUPT: &str = "#9a9a9a";

/// Rounds a coordinate to a tenth of a pixel: shorter text, same picture.
pub(super) fn px(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Text from a trace, with the characters XML 1.0 cannot hold replaced.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

pub(super) fn text(x: f64, y: f64, size: f64, content: &str) -> Text {
    Text::new(clean(content))
        .set("x", px(x))
        .set("y", px(y))
        .set("font-size", size)
}
