//! What wmsim reads but herd7 refuses. wmsim accepts more C than herd7's C
//! front end (herdtools7 `lib/CLexer.mll`, `lib/CParser.mly`): a test that
//! uses it runs here and fails in herd7, so each use is reported, as a
//! value beside the scenario, for the caller to print.

use super::error::{Pos, Source};
use crate::printable::escape;

/// One use of a construct herd7 refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HerdWarning {
    /// What herd7 refuses, in words: "`&&`", "`lock` as a name".
    pub construct: String,
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl std::fmt::Display for HerdWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "herd7 rejects {} at {}:{}:{}; wmsim accepts it",
            self.construct,
            escape(&self.file),
            self.line,
            self.col
        )
    }
}

/// The extensions, for `--help`: what wmsim reads in a thread that herd7's
/// C front end does not.
pub const EXTENSIONS: &str = "the operators `!`, `~`, `%`, `&&`, `||`, `<<`, `>>`, `?:`, \
`++`, `--` and compound assignments (`+=`, ...); hexadecimal and suffixed numbers (`0x10`, `1UL`); several variables \
in one declaration; the types `unsigned`, `signed`, `short`, `bool`, `_Bool`, `const`, \
`u8`..`s64` and other `*_t` names; herd7's keywords (`lock`, `unlock`, `mtx_lock`, \
`mtx_unlock`, `WCAS`, `SCAS`) as names";

/// Punctuation that herd7's C lexer has no token for, or that its grammar
/// has no rule for, with how a warning names it.
pub(crate) fn punct(p: &str) -> Option<&'static str> {
    Some(match p {
        "!" => "`!`",
        "~" => "`~`",
        "%" => "`%`",
        "&&" => "`&&`",
        "||" => "`||`",
        "<<" => "`<<`",
        ">>" => "`>>`",
        "?" => "the conditional operator `?:`",
        "++" => "`++`",
        "--" => "`--`",
        "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=" => {
            "a compound assignment"
        }
        _ => return None,
    })
}

/// Words herd7's C lexer reads as keywords, so they cannot name a variable
/// or a parameter there.
pub(crate) fn is_herd_keyword(word: &str) -> bool {
    matches!(
        word,
        "lock" | "unlock" | "mtx_lock" | "mtx_unlock" | "WCAS" | "SCAS"
    )
}

/// Type words herd7's C grammar knows (others are plain identifiers there,
/// so a declaration with one is a syntax error).
pub(crate) fn is_herd_type(word: &str) -> bool {
    matches!(
        word,
        "int"
            | "char"
            | "long"
            | "void"
            | "volatile"
            | "_Atomic"
            | "struct"
            | "atomic_int"
            | "int8_t"
            | "uint8_t"
            | "int16_t"
            | "uint16_t"
            | "int32_t"
            | "uint32_t"
            | "int64_t"
            | "uint64_t"
            | "__int128_t"
            | "__uint128_t"
            | "intptr_t"
            | "uintptr_t"
            | "mtx_t"
            | "spinlock_t"
            | "atomic_t"
    )
}

impl Source<'_> {
    pub fn herd_warning(&self, pos: Pos, construct: impl Into<String>) -> HerdWarning {
        HerdWarning {
            construct: construct.into(),
            file: self.file.to_string(),
            line: pos.line,
            col: pos.col,
        }
    }
}
