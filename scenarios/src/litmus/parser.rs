//! The parser's token cursor and the outline of a litmus file: header, init
//! block, threads `P0`, `P1`, ..., final clauses. Statements and expressions
//! are in `parse_code`, the final condition in `parse_cond`.

use std::collections::VecDeque;

use memory_model::ir::CORES_MAX;

use super::ast::{Ident, InitItem, InitTarget, InitValue, Litmus, Span, ThreadDef};
use super::error::{LitmusError, Pos, Source};
use super::herd_warning::{self, HerdWarning};
use super::lexer::{Lexer, Tok, Token, LITERAL_MAX};

pub(crate) type Result<T> = std::result::Result<T, LitmusError>;

/// How deep expressions, statements and propositions may nest: the tree is
/// walked recursively, so a pathological file must not overflow the stack.
pub(crate) const NESTING_MAX: usize = 200;

pub(crate) struct Parser<'a> {
    pub src: Source<'a>,
    lex: Lexer<'a>,
    ahead: VecDeque<Token>,
    /// End of the last token consumed, for statement source text.
    pub last_end: usize,
    /// Current nesting, checked against [`NESTING_MAX`].
    depth: usize,
    /// Past the init block: reading threads, where herd7's C rules apply.
    in_threads: bool,
    /// What herd7 would refuse, found by the parser (the lexer keeps its own).
    pub herd_warnings: Vec<HerdWarning>,
}

/// Parses a whole file.
pub(crate) fn parse(src: Source<'_>) -> Result<Litmus> {
    let mut p = Parser {
        src,
        lex: Lexer::new(src),
        ahead: VecDeque::new(),
        last_end: 0,
        depth: 0,
        in_threads: false,
        herd_warnings: Vec::new(),
    };
    let (name, _) = p.lex.read_header()?;
    // The name is printed everywhere: no control character may reach a terminal.
    let name = crate::printable::escape(&name);
    let init = p.init_block()?;
    p.in_threads = true;
    let mut threads: Vec<ThreadDef> = Vec::new();
    while let Some(index) = thread_index(p.peek()?) {
        let tok = p.next()?;
        let expected = threads.len();
        let index = index.map_err(|_| p.src.invalid(tok.pos, "thread number too large"))?;
        if index != expected {
            let msg = if index < expected {
                format!("duplicate thread P{index}")
            } else {
                format!("expected thread P{expected}, found P{index}: threads are numbered in order from P0")
            };
            return Err(p.src.invalid(tok.pos, msg));
        }
        if index >= CORES_MAX {
            return Err(p.src.invalid(
                tok.pos,
                format!("too many threads: the machine has at most {CORES_MAX} cores"),
            ));
        }
        threads.push(p.thread(index)?);
    }
    if threads.is_empty() {
        let t = p.peek()?.clone();
        if matches!(t.tok, Tok::Ident(_)) {
            return Err(p
                .src
                .invalid(t.pos, "a litmus test needs at least one thread, P0"));
        }
        return p.unexpected("a thread `P0(...)`");
    }
    let fin = p.final_clauses()?;
    let eof = p.next()?;
    if eof.tok != Tok::Eof {
        return Err(p.src.parse_error(
            eof.pos,
            format!(
                "end of file after the final condition, found {}",
                eof.describe()
            ),
        ));
    }
    let mut herd_warnings = std::mem::take(&mut p.herd_warnings);
    herd_warnings.append(&mut p.lex.herd_warnings);
    herd_warnings.sort_by_key(|w| (w.line, w.col));
    Ok(Litmus {
        name,
        init,
        threads,
        fin,
        herd_warnings,
    })
}

/// `P<n>`: `Some(Ok(n))`, `Some(Err(()))` if `n` overflows.
fn thread_index(tok: &Token) -> Option<std::result::Result<usize, ()>> {
    let Tok::Ident(name) = &tok.tok else {
        return None;
    };
    let digits = name.strip_prefix('P')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().map_err(|_| ()))
}

/// Words that start a C type: the parser needs them to tell a declaration
/// or a cast from an expression.
pub(crate) fn is_type_word(word: &str) -> bool {
    matches!(
        word,
        "int"
            | "char"
            | "short"
            | "long"
            | "unsigned"
            | "signed"
            | "void"
            | "bool"
            | "_Bool"
            | "const"
            | "volatile"
            | "struct"
            | "union"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "s8"
            | "s16"
            | "s32"
            | "s64"
    ) || (word.ends_with("_t") && word.len() > 2)
}

impl<'a> Parser<'a> {
    pub fn peek_at(&mut self, n: usize) -> Result<&Token> {
        while self.ahead.len() <= n {
            let t = self.lex.next_token()?;
            self.ahead.push_back(t);
        }
        // The loop above filled the buffer up to `n`.
        self.ahead
            .get(n)
            .ok_or_else(|| self.src.parse_error(Pos { line: 1, col: 1 }, "a token"))
    }

    pub fn peek(&mut self) -> Result<&Token> {
        self.peek_at(0)
    }

    pub fn next(&mut self) -> Result<Token> {
        self.peek()?;
        let t = self
            .ahead
            .pop_front()
            .ok_or_else(|| self.src.parse_error(Pos { line: 1, col: 1 }, "a token"))?;
        if t.tok != Tok::Eof {
            self.last_end = t.end;
        }
        Ok(t)
    }

    pub fn at_punct(&mut self, p: &str) -> Result<bool> {
        Ok(self.peek()?.is_punct(p))
    }

    pub fn at_ident(&mut self, name: &str) -> Result<bool> {
        Ok(self.peek()?.is_ident(name))
    }

    pub fn eat_punct(&mut self, p: &str) -> Result<bool> {
        if self.at_punct(p)? {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// A parse error at the next token: "expected {what}, found ...".
    pub fn unexpected<T>(&mut self, what: &str) -> Result<T> {
        let t = self.peek()?.clone();
        Err(self
            .src
            .parse_error(t.pos, format!("{what}, found {}", t.describe())))
    }

    pub fn expect_punct(&mut self, p: &str) -> Result<Token> {
        if self.at_punct(p)? {
            self.next()
        } else {
            self.unexpected(&format!("`{p}`"))
        }
    }

    pub fn expect_ident(&mut self, what: &str) -> Result<Ident> {
        let t = self.peek()?.clone();
        match t.tok {
            Tok::Ident(name) => {
                self.next()?;
                Ok(Ident { name, pos: t.pos })
            }
            _ => self.unexpected(what),
        }
    }

    /// Enters one level of nesting; pair with [`Parser::leave`].
    pub fn enter(&mut self, pos: Pos) -> Result<()> {
        self.depth += 1;
        if self.depth > NESTING_MAX {
            return Err(self
                .src
                .invalid(pos, format!("nested more than {NESTING_MAX} levels deep")));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Records a construct herd7 refuses.
    pub fn warn_herd(&mut self, pos: Pos, construct: impl Into<String>) {
        let w = self.src.herd_warning(pos, construct);
        self.herd_warnings.push(w);
    }

    /// The source range from `start` (a token's start, at `pos`) to the
    /// last token consumed.
    pub fn span_from(&self, start: usize, pos: Pos) -> Span {
        Span {
            start,
            end: self.last_end.max(start),
            pos,
        }
    }

    /// An integer literal, optionally negated, as a value.
    pub fn int_literal(&mut self, negative: bool) -> Result<(i32, Pos)> {
        let t = self.next()?;
        let Tok::Int(n) = t.tok else {
            return Err(self
                .src
                .parse_error(t.pos, format!("a number, found {}", t.describe())));
        };
        let v = if negative { -(n as i64) } else { n as i64 };
        match i32::try_from(v) {
            Ok(v) if n <= LITERAL_MAX => Ok((v, t.pos)),
            _ => Err(self.src.invalid(
                t.pos,
                format!("number `{n}` does not fit in a 32-bit signed value"),
            )),
        }
    }

    /// Skips a C type: type words, `struct name`, and pointer stars.
    /// Returns false (consuming nothing) if no type starts here.
    pub fn skip_type(&mut self) -> Result<bool> {
        let mut any = false;
        loop {
            let word = match &self.peek()?.tok {
                Tok::Ident(w) if is_type_word(w) => w.clone(),
                _ => break,
            };
            let t = self.next()?;
            if self.in_threads && !herd_warning::is_herd_type(&word) {
                self.warn_herd(t.pos, format!("the type `{word}`"));
            }
            any = true;
            if word == "struct" || word == "union" {
                self.expect_ident("a struct name")?;
            }
        }
        if any {
            // `int * const p`: stars and qualifiers in any order.
            while self.eat_punct("*")? || self.at_ident("const")? || self.at_ident("volatile")? {
                if self.at_ident("const")? || self.at_ident("volatile")? {
                    self.next()?;
                }
            }
        }
        Ok(any)
    }

    fn init_block(&mut self) -> Result<Vec<InitItem>> {
        self.expect_punct("{")?;
        let mut items = Vec::new();
        loop {
            if self.eat_punct("}")? {
                return Ok(items);
            }
            if self.eat_punct(";")? {
                continue;
            }
            self.init_item(&mut items)?;
            if !self.at_punct("}")? && !self.eat_punct(";")? {
                return self.unexpected("`;` or `}` in the init block");
            }
        }
    }

    /// `int x = 1`, `int *p = &x, y`, `x = 2`, `0:r1 = x`, `int * 1:r1`,
    /// `atomic_t v = ATOMIC_INIT(1)`, `spinlock_t l`.
    fn init_item(&mut self, items: &mut Vec<InitItem>) -> Result<()> {
        let typed = self.skip_type()?;
        loop {
            while self.eat_punct("*")? {}
            let target = self.init_target(typed)?;
            if self.at_punct("[")? {
                let pos = self.peek()?.pos;
                return Err(self.src.unsupported(pos, "arrays"));
            }
            let value = if self.eat_punct("=")? {
                Some(self.init_value()?)
            } else {
                None
            };
            items.push(InitItem { target, value });
            if !(typed && self.eat_punct(",")?) {
                return Ok(());
            }
        }
    }

    fn init_target(&mut self, typed: bool) -> Result<InitTarget> {
        let t = self.peek()?.clone();
        match t.tok {
            Tok::Int(n) if matches!(self.peek_at(1)?.tok, Tok::Punct(":")) => {
                self.next()?;
                self.next()?;
                let name = self.expect_ident("a register name after `:`")?;
                Ok(InitTarget::Register {
                    thread: usize::try_from(n).unwrap_or(usize::MAX),
                    thread_pos: t.pos,
                    name,
                })
            }
            Tok::Ident(_) => Ok(InitTarget::Location(self.expect_ident("a location")?)),
            _ => self.unexpected(if typed {
                "a location name"
            } else {
                "an init item such as `int x = 1;` or `0:r1 = x;`"
            }),
        }
    }

    /// An initial value: a number, a location (its address), `&x`,
    /// `ATOMIC_INIT(v)`, `NULL`, possibly behind a cast.
    fn init_value(&mut self) -> Result<InitValue> {
        if self.at_punct("(")? && self.type_follows(1)? {
            self.next()?;
            self.skip_type()?;
            self.expect_punct(")")?;
            return self.init_value();
        }
        let t = self.peek()?.clone();
        match &t.tok {
            Tok::Punct("-") => {
                self.next()?;
                let (v, _) = self.int_literal(true)?;
                Ok(InitValue::Int(v, t.pos))
            }
            Tok::Int(_) => {
                let (v, pos) = self.int_literal(false)?;
                Ok(InitValue::Int(v, pos))
            }
            Tok::Punct("&") => {
                self.next()?;
                Ok(InitValue::Address(
                    self.expect_ident("a location after `&`")?,
                ))
            }
            Tok::Ident(name) if name == "ATOMIC_INIT" => {
                self.next()?;
                self.expect_punct("(")?;
                let v = self.init_value()?;
                self.expect_punct(")")?;
                Ok(v)
            }
            Tok::Ident(name) if name == "NULL" => {
                self.next()?;
                Ok(InitValue::Int(0, t.pos))
            }
            Tok::Ident(_) => Ok(InitValue::Address(self.expect_ident("a location")?)),
            _ => self.unexpected("an initial value (a number or a location)"),
        }
    }

    /// Whether the token `n` ahead starts a type (for casts).
    pub fn type_follows(&mut self, n: usize) -> Result<bool> {
        Ok(matches!(&self.peek_at(n)?.tok, Tok::Ident(w) if is_type_word(w)))
    }

    /// `P<n>(type *a, ...) { body }`, the name already consumed.
    fn thread(&mut self, index: usize) -> Result<ThreadDef> {
        self.expect_punct("(")?;
        let mut params = Vec::new();
        let void_only = self.at_ident("void")? && matches!(self.peek_at(1)?.tok, Tok::Punct(")"));
        if void_only {
            self.next()?;
        }
        if !self.at_punct(")")? {
            loop {
                if !self.skip_type()? {
                    return self.unexpected("a parameter type such as `int *x`");
                }
                while self.eat_punct("*")? {}
                let name = self.expect_ident("a parameter name")?;
                if herd_warning::is_herd_keyword(&name.name) {
                    let what = format!("`{}` as a name (a keyword of herd7's C)", name.name);
                    self.warn_herd(name.pos, what);
                }
                params.push(name);
                if !self.eat_punct(",")? {
                    break;
                }
            }
        }
        self.expect_punct(")")?;
        if !self.at_punct("{")? {
            return self.unexpected("`{` opening the thread's body");
        }
        let body = self.block_body()?;
        Ok(ThreadDef {
            index,
            params,
            body,
        })
    }
}
