//! The errors of the litmus front end, and the one place that turns a
//! position into a `file:line:col` error.
//!
//! Three kinds, because callers treat them differently: a `Parse` error is a
//! malformed file, `Unsupported` is a well-formed test that uses something
//! the machine does not model (a conformance run skips it and says why), and
//! `Invalid` is a well-formed file that makes no sense (an unknown register,
//! a limit of the machine exceeded).

use thiserror::Error;

use crate::printable::{escape, escaped_width};

/// A 1-based position; `col` counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LitmusError {
    /// A malformed file. The fields hold the input as it is; printing
    /// escapes its control characters (see `printable`).
    #[error("{}:{line}:{col}: expected {}\n{}\n{caret}", escape(.file), escape(.expected), escape(.line_text), caret = caret_line(.line_text, *.col))]
    Parse {
        file: String,
        line: usize,
        col: usize,
        line_text: String,
        expected: String,
    },
    /// A construct the machine does not model.
    #[error("unsupported: {} at {}:{line}:{col}", escape(.construct), escape(.file))]
    Unsupported {
        construct: String,
        file: String,
        line: usize,
        col: usize,
    },
    /// A semantic error in a well-formed file.
    #[error("{}:{line}:{col}: {}", escape(.file), escape(.message))]
    Invalid {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
}

impl LitmusError {
    /// The position the error points at.
    pub fn position(&self) -> Pos {
        match *self {
            LitmusError::Parse { line, col, .. }
            | LitmusError::Unsupported { line, col, .. }
            | LitmusError::Invalid { line, col, .. } => Pos { line, col },
        }
    }
}

/// Spaces (and the line's own tabs, so that the caret lines up in a
/// terminal) up to column `col` of the line as printed, escaped, then `^`.
fn caret_line(line_text: &str, col: usize) -> String {
    let mut s = String::new();
    for c in line_text.chars().take(col.saturating_sub(1)) {
        if c == '\t' {
            s.push('\t');
        } else {
            s.extend(std::iter::repeat_n(' ', escaped_width(c)));
        }
    }
    s.push('^');
    s
}

/// The file being read, for building errors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn parse_error(&self, pos: Pos, expected: impl Into<String>) -> LitmusError {
        let line_text = self
            .text
            .lines()
            .nth(pos.line.saturating_sub(1))
            .unwrap_or("")
            .to_string();
        LitmusError::Parse {
            file: self.file.to_string(),
            line: pos.line,
            col: pos.col,
            line_text,
            expected: expected.into(),
        }
    }

    pub fn unsupported(&self, pos: Pos, construct: impl Into<String>) -> LitmusError {
        LitmusError::Unsupported {
            construct: construct.into(),
            file: self.file.to_string(),
            line: pos.line,
            col: pos.col,
        }
    }

    pub fn invalid(&self, pos: Pos, message: impl Into<String>) -> LitmusError {
        LitmusError::Invalid {
            file: self.file.to_string(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
        }
    }

    /// The program text of a byte range, whitespace collapsed and control
    /// characters (in a comment) escaped, as the `source` of the
    /// instructions it lowers to.
    pub fn snippet(&self, start: usize, end: usize) -> String {
        let text = self
            .text
            .get(start..end)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        escape(&text)
    }
}
