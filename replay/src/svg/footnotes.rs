//! The numbered notes under the picture: the whole text of every label cut
//! with `…` and of every stall, so that a printed page keeps what a hover
//! text would show only on screen.

use ::svg::node::element::Group;

use super::style::{text, wrap};

const FONT_PX: f64 = 10.0;
const LINE_PX: f64 = 13.0;
const LEFT_PX: f64 = 12.0;

/// The notes, numbered from 1 in the order they were added; the same text
/// twice is one note.
#[derive(Default)]
pub(super) struct Footnotes {
    texts: Vec<String>,
}

impl Footnotes {
    /// The number of the note that prints `text`.
    pub(super) fn add(&mut self, text: &str) -> usize {
        match self.texts.iter().position(|t| t == text) {
            Some(i) => i + 1,
            None => {
                self.texts.push(text.to_string());
                self.texts.len()
            }
        }
    }

    /// How note `n` is pointed to, in a label and under the picture.
    pub(super) fn mark(n: usize) -> String {
        format!("[{n}]")
    }

    /// The notes' lines, each wrapped to `width` pixels.
    fn lines(&self, width: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for (i, note) in self.texts.iter().enumerate() {
            let whole = format!("{} {note}", Footnotes::mark(i + 1));
            for (k, line) in wrap(&whole, width - 2.0 * LEFT_PX, FONT_PX)
                .into_iter()
                .enumerate()
            {
                lines.push(if k == 0 { line } else { format!("    {line}") });
            }
        }
        lines
    }

    /// The notes from `top` down, wrapped to `width`; returns them and their
    /// height (0 when there are none).
    pub(super) fn draw(&self, top: f64, width: f64) -> (Group, f64) {
        let mut g = Group::new().set("id", "footnotes");
        let lines = self.lines(width);
        if lines.is_empty() {
            return (g, 0.0);
        }
        g = g.add(
            text(LEFT_PX, top, 11.0, "Notes (the whole text of each [n])")
                .set("font-weight", "bold"),
        );
        for (i, line) in lines.iter().enumerate() {
            g = g.add(text(
                LEFT_PX,
                top + (i + 1) as f64 * LINE_PX + 2.0,
                FONT_PX,
                line,
            ));
        }
        (g, (lines.len() + 1) as f64 * LINE_PX + 6.0)
    }
}
