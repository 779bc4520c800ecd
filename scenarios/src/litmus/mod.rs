//! Reads C litmus tests in the dialect of the Linux-kernel memory model
//! (herd7's `C` tests, as in `tools/memory-model/litmus-tests/`) and lowers
//! them to a [`Scenario`] through [`crate::builder`], the one table that
//! says what each kernel primitive means on the machine.
//!
//! The pipeline is `lexer` (tokens) → `parser`, `parse_code`, `parse_cond`
//! (the syntax tree of `ast`, calls checked against `primitives`) →
//! `lower`, `lower_thread`, `lower_call`, `lower_cond` (IR). Errors say
//! which of three things went wrong (see [`LitmusError`]): a malformed file,
//! a construct the machine does not model, or a file that makes no sense.

mod ast;
mod error;
mod herd_warning;
mod lexer;
mod lower;
mod lower_call;
mod lower_cond;
mod lower_thread;
mod parse_code;
mod parse_cond;
mod parser;
mod primitives;
mod result_comment;
mod sites;

use memory_model::ir::Scenario;

pub use error::{LitmusError, Pos};
pub use herd_warning::{HerdWarning, EXTENSIONS as HERD_EXTENSIONS};
pub use result_comment::result_comment;
pub use sites::{fence_sites, rewrite, Choice, Cost, Site, SiteKind};

/// A litmus test read and lowered, with what in it herd7 would refuse.
#[derive(Clone, Debug)]
pub struct ParsedLitmus {
    pub scenario: Scenario,
    /// Constructs wmsim accepts and herd7 does not, in source order.
    pub herd_warnings: Vec<HerdWarning>,
}

/// Parses a litmus test and lowers it to the IR. `file_name` is only used
/// in error messages. Never panics, whatever the input.
pub fn parse_litmus(source: &str, file_name: &str) -> Result<Scenario, LitmusError> {
    parse_litmus_for_herd(source, file_name).map(|p| p.scenario)
}

/// [`parse_litmus`], also returning what herd7 would refuse in the file.
pub fn parse_litmus_for_herd(source: &str, file_name: &str) -> Result<ParsedLitmus, LitmusError> {
    let src = error::Source {
        file: file_name,
        text: source,
    };
    let test = parser::parse(src)?;
    let scenario = lower::lower(src, &test)?;
    Ok(ParsedLitmus {
        scenario,
        herd_warnings: test.herd_warnings,
    })
}
