//! Splits a litmus file into tokens, on demand.
//!
//! Two things make this more than a C lexer. The header (`C name` and the
//! free text up to the init block) is not C: it is skipped as raw text by
//! [`Lexer::read_header`]. And herd's `(* ... *)` comments exist outside the
//! thread bodies only: inside them `(*` is C (`rcu_dereference(*(char
//! **)x)`), so the lexer tracks braces to know where it is. Tokens are made
//! lazily so that errors come out in source order.

use super::error::{LitmusError, Pos, Source};
use super::herd_warning::{self, HerdWarning};

/// Punctuation, longest first so that `<<=` wins over `<<` and `<`.
const PUNCTS: &[&str] = &[
    "<<=", ">>=", "/\\", "\\/", "==", "!=", "<=", ">=", "<<", ">>", "&&", "||", "->", "++", "--",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "(", ")", "{", "}", "[", "]", ";", ",", ":",
    ".", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">", "=", "?",
];

/// The largest literal: 2^31, which only `-2147483648` may use.
pub(crate) const LITERAL_MAX: u64 = 1 << 31;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    Int(u64),
    Punct(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: Pos,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.tok, Tok::Punct(q) if q == p)
    }

    pub fn is_ident(&self, name: &str) -> bool {
        matches!(&self.tok, Tok::Ident(s) if s == name)
    }

    /// How an error message names this token.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "end of file".to_string(),
        }
    }
}

pub(crate) struct Lexer<'a> {
    src: Source<'a>,
    bytes: &'a [u8],
    at: usize,
    pos: Pos,
    /// Brace depth, and how many top-level blocks have opened: the first is
    /// the init block, every later one a thread body.
    depth: usize,
    top_blocks: usize,
    /// What herd7 would refuse in the thread bodies read so far.
    pub herd_warnings: Vec<HerdWarning>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    pub fn new(src: Source<'a>) -> Lexer<'a> {
        Lexer {
            src,
            bytes: src.text.as_bytes(),
            at: 0,
            pos: Pos { line: 1, col: 1 },
            depth: 0,
            top_blocks: 0,
            herd_warnings: Vec::new(),
        }
    }

    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// Moves one byte on; columns count characters, so UTF-8 continuation
    /// bytes (inside comments) do not move the column.
    fn bump(&mut self) {
        if let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            if b == b'\n' {
                self.pos.line += 1;
                self.pos.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.pos.col += 1;
            }
        }
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    /// herd's comments are allowed outside thread bodies only.
    fn ocaml_comments_allowed(&self) -> bool {
        self.depth == 0 || self.top_blocks <= 1
    }

    fn non_ascii_error(&self) -> LitmusError {
        let c = self
            .src
            .text
            .get(self.at..)
            .and_then(|s| s.chars().next())
            .unwrap_or('?');
        self.src.parse_error(
            self.pos,
            format!("ASCII text, found non-ASCII character `{c}` outside a comment"),
        )
    }

    /// Skips `(* ... *)`, which nests as in OCaml. The opening is at `at`.
    fn skip_ocaml_comment(&mut self) -> Result<(), LitmusError> {
        let open = self.pos;
        self.bump_n(2);
        let mut nesting = 1usize;
        while nesting > 0 {
            if self.at >= self.bytes.len() {
                return Err(self
                    .src
                    .parse_error(open, "`*)` to close the comment opened here"));
            }
            if self.starts_with("(*") {
                nesting += 1;
                self.bump_n(2);
            } else if self.starts_with("*)") {
                nesting -= 1;
                self.bump_n(2);
            } else {
                self.bump();
            }
        }
        Ok(())
    }

    fn skip_c_comment(&mut self) -> Result<(), LitmusError> {
        let open = self.pos;
        self.bump_n(2);
        loop {
            if self.at >= self.bytes.len() {
                return Err(self
                    .src
                    .parse_error(open, "`*/` to close the comment opened here"));
            }
            if self.starts_with("*/") {
                self.bump_n(2);
                return Ok(());
            }
            self.bump();
        }
    }

    fn skip_line_comment(&mut self) {
        while let Some(b) = self.peek_byte(0) {
            if b == b'\n' {
                break;
            }
            self.bump();
        }
    }

    /// Skips whitespace and comments (herd's only where they are allowed).
    fn skip_trivia(&mut self) -> Result<(), LitmusError> {
        loop {
            match self.peek_byte(0) {
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') => self.bump(),
                Some(b'/') if self.peek_byte(1) == Some(b'/') => self.skip_line_comment(),
                Some(b'/') if self.peek_byte(1) == Some(b'*') => self.skip_c_comment()?,
                Some(b'(') if self.peek_byte(1) == Some(b'*') && self.ocaml_comments_allowed() => {
                    self.skip_ocaml_comment()?
                }
                _ => return Ok(()),
            }
        }
    }

    /// Reads `C <name>` and skips the free text after it (herd's `Cycle=`,
    /// `Prefetch=`, quoted strings) up to the `{` of the init block, which is
    /// left for [`Lexer::next_token`].
    pub fn read_header(&mut self) -> Result<(String, Pos), LitmusError> {
        self.skip_trivia()?;
        let kind_pos = self.pos;
        let start = self.at;
        while self.peek_byte(0).is_some_and(is_ident_char) {
            self.bump();
        }
        let kind = self.src.text.get(start..self.at).unwrap_or("");
        if kind != "C" {
            let found = if kind.is_empty() {
                match self.peek_byte(0) {
                    None => "end of file".to_string(),
                    Some(b) if b.is_ascii() => format!("`{}`", b as char),
                    Some(_) => return Err(self.non_ascii_error()),
                }
            } else {
                format!("`{kind}`")
            };
            return Err(self.src.parse_error(
                kind_pos,
                format!("`C <name>` header (only C litmus tests are read), found {found}"),
            ));
        }
        while matches!(self.peek_byte(0), Some(b' ' | b'\t')) {
            self.bump();
        }
        let name_pos = self.pos;
        let name_start = self.at;
        while let Some(b) = self.peek_byte(0) {
            if b.is_ascii_whitespace() {
                break;
            }
            if !b.is_ascii() {
                return Err(self.non_ascii_error());
            }
            self.bump();
        }
        let name = self.src.text.get(name_start..self.at).unwrap_or("");
        if name.is_empty() {
            return Err(self.src.parse_error(name_pos, "the test's name after `C`"));
        }
        loop {
            match self.peek_byte(0) {
                None => {
                    return Err(self
                        .src
                        .parse_error(self.pos, "`{` opening the init block, found end of file"))
                }
                Some(b'{') => return Ok((name.to_string(), name_pos)),
                Some(b'(') if self.peek_byte(1) == Some(b'*') => self.skip_ocaml_comment()?,
                Some(b'/') if self.peek_byte(1) == Some(b'*') => self.skip_c_comment()?,
                Some(b'/') if self.peek_byte(1) == Some(b'/') => self.skip_line_comment(),
                Some(b'"') => self.skip_string()?,
                Some(b) if !b.is_ascii() => return Err(self.non_ascii_error()),
                Some(_) => self.bump(),
            }
        }
    }

    fn skip_string(&mut self) -> Result<(), LitmusError> {
        let open = self.pos;
        self.bump();
        loop {
            match self.peek_byte(0) {
                None | Some(b'\n') => {
                    return Err(self
                        .src
                        .parse_error(open, "`\"` to close the string opened here"))
                }
                Some(b'"') => {
                    self.bump();
                    return Ok(());
                }
                Some(b) if !b.is_ascii() => return Err(self.non_ascii_error()),
                Some(_) => self.bump(),
            }
        }
    }

    /// The next token, or `Eof` (forever) at the end.
    pub fn next_token(&mut self) -> Result<Token, LitmusError> {
        self.skip_trivia()?;
        let pos = self.pos;
        let start = self.at;
        let Some(b) = self.peek_byte(0) else {
            return Ok(Token {
                tok: Tok::Eof,
                pos,
                start,
                end: start,
            });
        };
        let tok = if is_ident_start(b) {
            while self.peek_byte(0).is_some_and(is_ident_char) {
                self.bump();
            }
            Tok::Ident(self.src.text.get(start..self.at).unwrap_or("").to_string())
        } else if b.is_ascii_digit() {
            Tok::Int(self.number(pos)?)
        } else if !b.is_ascii() {
            return Err(self.non_ascii_error());
        } else if let Some(p) = PUNCTS.iter().find(|p| self.starts_with(p)) {
            self.bump_n(p.len());
            self.track_braces(p);
            Tok::Punct(p)
        } else {
            return Err(self.src.parse_error(
                pos,
                format!("a C token, found unexpected character `{}`", b as char),
            ));
        };
        if self.in_thread_body() {
            self.note_herd_refusal(&tok, pos, start);
        }
        Ok(Token {
            tok,
            pos,
            start,
            end: self.at,
        })
    }

    /// Inside the braces of a thread (the first top-level block is the
    /// init block, read by herd7's state parser, not its C parser).
    fn in_thread_body(&self) -> bool {
        self.top_blocks >= 2 && self.depth >= 1
    }

    /// Records a token of thread code that herd7's C front end refuses.
    fn note_herd_refusal(&mut self, tok: &Tok, pos: Pos, start: usize) {
        let construct = match tok {
            Tok::Punct(p) => herd_warning::punct(p).map(str::to_string),
            Tok::Ident(w) if herd_warning::is_herd_keyword(w) => {
                Some(format!("`{w}` as a name (a keyword of herd7's C)"))
            }
            Tok::Int(_) => {
                let text = self.src.text.get(start..self.at).unwrap_or("");
                if text.starts_with("0x") || text.starts_with("0X") {
                    Some(format!("the hexadecimal number `{text}`"))
                } else if text.ends_with(['u', 'U', 'l', 'L']) {
                    Some(format!("the suffixed number `{text}`"))
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(c) = construct {
            let w = self.src.herd_warning(pos, c);
            self.herd_warnings.push(w);
        }
    }

    fn track_braces(&mut self, p: &str) {
        match p {
            "{" => {
                if self.depth == 0 {
                    self.top_blocks += 1;
                }
                self.depth += 1;
            }
            "}" => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    /// A decimal or hexadecimal literal, with C's `u`/`l` suffixes ignored.
    fn number(&mut self, pos: Pos) -> Result<u64, LitmusError> {
        let start = self.at;
        let hex = self.starts_with("0x") || self.starts_with("0X");
        if hex {
            self.bump_n(2);
        }
        let digits_start = self.at;
        while self.peek_byte(0).is_some_and(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        }) {
            self.bump();
        }
        let digits = self.src.text.get(digits_start..self.at).unwrap_or("");
        while matches!(self.peek_byte(0), Some(b'u' | b'U' | b'l' | b'L')) {
            self.bump();
        }
        if digits.is_empty() || self.peek_byte(0).is_some_and(is_ident_char) {
            while self.peek_byte(0).is_some_and(is_ident_char) {
                self.bump();
            }
            let text = self.src.text.get(start..self.at).unwrap_or("");
            return Err(self
                .src
                .parse_error(pos, format!("a number, found `{text}`")));
        }
        let value = u64::from_str_radix(digits, if hex { 16 } else { 10 }).ok();
        match value {
            Some(v) if v <= LITERAL_MAX => Ok(v),
            _ => {
                let text = self.src.text.get(start..self.at).unwrap_or("");
                Err(self.src.invalid(
                    pos,
                    format!("number `{text}` does not fit in a 32-bit signed value"),
                ))
            }
        }
    }
}
