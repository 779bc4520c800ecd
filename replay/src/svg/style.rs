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
pub(super) const COLOUR_STALL: &str = "#c2255c";

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

/// A generous average width of a character, in ems: text estimated with it
/// is not wider than it is drawn in a common sans-serif font.
const CHAR_EM: f64 = 0.6;

/// About how wide `text` is drawn at `size` pixels.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * CHAR_EM
}

/// `text` in lines that each fit `width` pixels at `size`: broken between
/// words (the space dropped), a word longer than a line broken where it
/// must be. Nothing else is dropped.
pub(super) fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let chars_max = ((width / (size * CHAR_EM)).floor() as usize).max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() > chars_max {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > chars_max {
            let rest = word.split_off(chars_max);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.extend(word);
    }
    lines.push(line);
    lines
}
