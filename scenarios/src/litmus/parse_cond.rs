//! Parsing of the clauses after the threads: `locations [...]`,
//! `filter (...)` and the final condition (`exists`, `~exists`, `forall`)
//! in herd's syntax: `/\`, `\/`, `~` or `not`, `N:reg=value`, `x=value`,
//! `[x]`. As in herd7, a `;` may end the condition, and a test without one
//! means `forall (true)`.

use memory_model::ir::{Comparison, Quantifier};

use super::ast::{CProp, CTerm, Final};
use super::lexer::Tok;
use super::parser::{Parser, Result};

/// Which side of a comparison a term is on: a bare location name is its
/// value on the left (`x=1`) and its address on the right (`1:r0=x`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

fn comparison(tok: &Tok) -> Option<Comparison> {
    let Tok::Punct(p) = tok else {
        return None;
    };
    Some(match *p {
        "=" | "==" => Comparison::Eq,
        "!=" => Comparison::Ne,
        "<" => Comparison::Lt,
        "<=" => Comparison::Le,
        ">" => Comparison::Gt,
        ">=" => Comparison::Ge,
        _ => return None,
    })
}

impl Parser<'_> {
    pub fn final_clauses(&mut self) -> Result<Final> {
        let mut locations = Vec::new();
        let mut filter = None;
        loop {
            if self.at_ident("locations")? {
                self.next()?;
                self.location_list(&mut locations)?;
            } else if self.at_ident("filter")? {
                self.next()?;
                filter = Some(self.prop()?);
            } else {
                break;
            }
        }
        if self.peek()?.tok == Tok::Eof {
            // herd7 reads a test without a final condition as `forall (true)`.
            return Ok(Final {
                locations,
                filter,
                quantifier: Quantifier::Forall,
                prop: CProp::True,
            });
        }
        let negation = self.at_punct("~")? || self.at_ident("not")?;
        let quantifier = if negation && self.peek_at(1)?.is_ident("exists") {
            self.next()?;
            self.next()?;
            Quantifier::NotExists
        } else if self.at_ident("exists")? {
            self.next()?;
            Quantifier::Exists
        } else if self.at_ident("forall")? {
            self.next()?;
            Quantifier::Forall
        } else {
            return self.unexpected(
                "a thread `P<n>(...)` or the final condition (`exists`, `~exists`, `forall`, \
                 optionally after `locations [...]` and `filter`)",
            );
        };
        let prop = self.prop()?;
        // herd7 allows one `;` after the condition.
        self.eat_punct(";")?;
        Ok(Final {
            locations,
            filter,
            quantifier,
            prop,
        })
    }

    /// `[x; 0:r0; ...]`, a trailing separator allowed.
    fn location_list(&mut self, out: &mut Vec<CTerm>) -> Result<()> {
        self.expect_punct("[")?;
        loop {
            if self.eat_punct("]")? {
                return Ok(());
            }
            out.push(self.term(Side::Left)?);
            if !self.eat_punct(";")? && !self.eat_punct(",")? && !self.at_punct("]")? {
                return self.unexpected("`;` or `]` in the `locations` list");
            }
        }
    }

    pub fn prop(&mut self) -> Result<CProp> {
        self.prop_binary(true)
    }

    /// `\/` (when `or`) over `/\` over the rest: herd's precedence.
    fn prop_binary(&mut self, or: bool) -> Result<CProp> {
        let (op, sub) = if or { ("\\/", false) } else { ("/\\", true) };
        let mut lhs = if sub {
            self.prop_unary()?
        } else {
            self.prop_binary(false)?
        };
        let mut levels = 0;
        let result = loop {
            let t = self.peek()?.clone();
            if !t.is_punct(op) {
                break Ok(lhs);
            }
            self.next()?;
            if let Err(e) = self.enter(t.pos) {
                break Err(e);
            }
            levels += 1;
            let rhs = if sub {
                self.prop_unary()
            } else {
                self.prop_binary(false)
            };
            let rhs = match rhs {
                Ok(r) => r,
                Err(e) => break Err(e),
            };
            lhs = if or {
                CProp::Or(Box::new(lhs), Box::new(rhs))
            } else {
                CProp::And(Box::new(lhs), Box::new(rhs))
            };
        };
        for _ in 0..levels {
            self.leave();
        }
        result
    }

    fn prop_unary(&mut self) -> Result<CProp> {
        let t = self.peek()?.clone();
        self.enter(t.pos)?;
        let p = self.prop_atom();
        self.leave();
        p
    }

    fn prop_atom(&mut self) -> Result<CProp> {
        let t = self.peek()?.clone();
        // herd7 spells negation `~` or `not`.
        if t.is_punct("~") || t.is_ident("not") {
            self.next()?;
            return Ok(CProp::Not(Box::new(self.prop_unary()?)));
        }
        if t.is_punct("(") {
            self.next()?;
            let p = self.prop()?;
            self.expect_punct(")")?;
            return Ok(p);
        }
        if t.is_ident("true") {
            self.next()?;
            return Ok(CProp::True);
        }
        if t.is_ident("false") {
            self.next()?;
            return Ok(CProp::False);
        }
        let lhs = self.term(Side::Left)?;
        let Some(op) = comparison(&self.peek()?.tok) else {
            return self.unexpected("a comparison operator (`=` or `!=`)");
        };
        self.next()?;
        let rhs = self.term(Side::Right)?;
        Ok(CProp::Compare(op, lhs, rhs))
    }

    fn term(&mut self, side: Side) -> Result<CTerm> {
        let t = self.peek()?.clone();
        match &t.tok {
            Tok::Int(n) if self.peek_at(1)?.is_punct(":") => {
                self.next()?;
                self.next()?;
                let name = self.expect_ident("a register name after `:`")?;
                Ok(CTerm::Register {
                    thread: usize::try_from(*n).unwrap_or(usize::MAX),
                    thread_pos: t.pos,
                    name,
                })
            }
            Tok::Int(_) => {
                let (v, pos) = self.int_literal(false)?;
                Ok(CTerm::Const(v, pos))
            }
            Tok::Punct("-") => {
                self.next()?;
                let (v, _) = self.int_literal(true)?;
                Ok(CTerm::Const(v, t.pos))
            }
            Tok::Punct("[") => {
                self.next()?;
                let name = self.expect_ident("a location name")?;
                self.expect_punct("]")?;
                Ok(CTerm::Value(name))
            }
            Tok::Ident(_) => {
                let name = self.expect_ident("a location")?;
                Ok(match side {
                    Side::Left => CTerm::Value(name),
                    Side::Right => CTerm::Address(name),
                })
            }
            _ => self.unexpected("a register `N:r`, a location or a value"),
        }
    }
}
