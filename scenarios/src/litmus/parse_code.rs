//! Parsing of thread bodies: statements and C expressions.
//!
//! Unsupported constructs (loops, `goto`, arrays, unknown calls) are
//! reported the moment they are seen, before anything after them can fail
//! to parse: a test that uses them is unsupported, not malformed.

use memory_model::ir::{BinaryOp, UnaryOp};

use super::ast::{Call, Declarator, Expr, ExprKind, Ident, Stmt};
use super::lexer::Tok;
use super::parser::{is_type_word, Parser, Result};
use super::primitives::{lookup, Lookup};

/// C's binary operators with their precedence (higher binds tighter).
fn binary_op(tok: &Tok) -> Option<(BinaryOp, u8)> {
    let Tok::Punct(p) = tok else {
        return None;
    };
    Some(match *p {
        "||" => (BinaryOp::LogicalOr, 1),
        "&&" => (BinaryOp::LogicalAnd, 2),
        "|" => (BinaryOp::Or, 3),
        "^" => (BinaryOp::Xor, 4),
        "&" => (BinaryOp::And, 5),
        "==" => (BinaryOp::Eq, 6),
        "!=" => (BinaryOp::Ne, 6),
        "<" => (BinaryOp::Lt, 7),
        "<=" => (BinaryOp::Le, 7),
        ">" => (BinaryOp::Gt, 7),
        ">=" => (BinaryOp::Ge, 7),
        "<<" => (BinaryOp::Shl, 8),
        ">>" => (BinaryOp::Shr, 8),
        "+" => (BinaryOp::Add, 9),
        "-" => (BinaryOp::Sub, 9),
        "*" => (BinaryOp::Mul, 10),
        "/" => (BinaryOp::Div, 10),
        "%" => (BinaryOp::Rem, 10),
        _ => return None,
    })
}

/// `+=` and friends, as the operator they apply.
fn compound_op(tok: &Tok) -> Option<BinaryOp> {
    let Tok::Punct(p) = tok else {
        return None;
    };
    Some(match *p {
        "+=" | "++" => BinaryOp::Add,
        "-=" | "--" => BinaryOp::Sub,
        "*=" => BinaryOp::Mul,
        "/=" => BinaryOp::Div,
        "%=" => BinaryOp::Rem,
        "&=" => BinaryOp::And,
        "|=" => BinaryOp::Or,
        "^=" => BinaryOp::Xor,
        "<<=" => BinaryOp::Shl,
        ">>=" => BinaryOp::Shr,
        _ => return None,
    })
}

fn node(kind: ExprKind, pos: super::error::Pos) -> Expr {
    Expr { kind, pos }
}

impl Parser<'_> {
    /// `{ statement* }`, braces included.
    pub fn block_body(&mut self) -> Result<Vec<Stmt>> {
        let open = self.expect_punct("{")?;
        self.enter(open.pos)?;
        let mut stmts = Vec::new();
        loop {
            if self.eat_punct("}")? {
                break;
            }
            if self.peek()?.tok == Tok::Eof {
                return self.unexpected("`}` closing the block");
            }
            stmts.push(self.stmt()?);
        }
        self.leave();
        Ok(stmts)
    }

    fn stmt(&mut self) -> Result<Stmt> {
        let t = self.peek()?.clone();
        let word = match &t.tok {
            Tok::Punct("{") => return Ok(Stmt::Block(self.block_body()?)),
            Tok::Punct(";") => {
                self.next()?;
                return Ok(Stmt::Block(Vec::new()));
            }
            Tok::Ident(w) => w.clone(),
            _ => return self.simple_stmt(),
        };
        let unsupported = match word.as_str() {
            "if" => return self.if_stmt(),
            "else" => return self.unexpected("a statement"),
            "while" | "for" => Some(format!("`{word}` loop")),
            "do" => Some("`do` loop".to_string()),
            "goto" | "switch" | "return" | "break" | "continue" | "case" | "default" => {
                Some(format!("`{word}`"))
            }
            "sizeof" => Some("`sizeof`".to_string()),
            _ => None,
        };
        if let Some(construct) = unsupported {
            return Err(self.src.unsupported(t.pos, construct));
        }
        if is_type_word(&word) {
            return self.decl();
        }
        if self.peek_at(1)?.is_punct(":") {
            return Err(self.src.unsupported(t.pos, format!("label `{word}:`")));
        }
        self.simple_stmt()
    }

    fn if_stmt(&mut self) -> Result<Stmt> {
        let kw = self.next()?;
        self.expect_punct("(")?;
        let cond = self.expr()?;
        self.expect_punct(")")?;
        let text = self.span_from(kw.start, kw.pos);
        self.enter(kw.pos)?;
        let then = Box::new(self.stmt()?);
        let els = if self.at_ident("else")? {
            self.next()?;
            Some(Box::new(self.stmt()?))
        } else {
            None
        };
        self.leave();
        Ok(Stmt::If {
            cond,
            then,
            els,
            text,
        })
    }

    /// `int r0, *r1 = e;`
    fn decl(&mut self) -> Result<Stmt> {
        let stmt_start = {
            let t = self.peek()?;
            (t.start, t.pos)
        };
        self.skip_type()?;
        let mut decls = Vec::new();
        loop {
            let (start, start_pos) = if decls.is_empty() {
                stmt_start
            } else {
                let t = self.peek()?;
                (t.start, t.pos)
            };
            while self.eat_punct("*")? {}
            let name = self.expect_ident("a variable name")?;
            if self.at_punct("[")? {
                let pos = self.peek()?.pos;
                return Err(self.src.unsupported(pos, "arrays"));
            }
            let init = if self.eat_punct("=")? {
                Some(self.expr()?)
            } else {
                None
            };
            decls.push(Declarator {
                name,
                init,
                text: self.span_from(start, start_pos),
            });
            let comma = self.peek()?.pos;
            if !self.eat_punct(",")? {
                break;
            }
            self.warn_herd(comma, "several variables in one declaration");
        }
        self.expect_punct(";")?;
        Ok(Stmt::Decl(decls))
    }

    /// An assignment, an increment, or an expression evaluated for effect.
    fn simple_stmt(&mut self) -> Result<Stmt> {
        let first = self.peek()?.clone();
        let (start, start_pos) = (first.start, first.pos);
        if first.is_punct("++") || first.is_punct("--") {
            self.next()?;
            let target = self.unary()?;
            let op = compound_op(&first.tok).unwrap_or(BinaryOp::Add);
            let text = self.span_from(start, start_pos);
            self.expect_punct(";")?;
            return self.assignment(target, op, one(first.pos), text);
        }
        let e = self.expr()?;
        let t = self.peek()?.clone();
        let stmt = if t.is_punct("=") {
            self.next()?;
            let value = self.expr()?;
            self.check_lvalue(&e)?;
            Stmt::Assign {
                target: e,
                value,
                text: self.span_from(start, start_pos),
            }
        } else if let Some(op) = compound_op(&t.tok) {
            self.next()?;
            let rhs = if t.is_punct("++") || t.is_punct("--") {
                one(t.pos)
            } else {
                self.expr()?
            };
            let text = self.span_from(start, start_pos);
            self.assignment(e, op, rhs, text)?
        } else {
            Stmt::Eval {
                expr: e,
                text: self.span_from(start, start_pos),
            }
        };
        if !self.eat_punct(";")? {
            return self.unexpected("`;` after the statement");
        }
        Ok(stmt)
    }

    /// `target op= rhs` as `target = target op rhs`.
    fn assignment(
        &mut self,
        target: Expr,
        op: BinaryOp,
        rhs: Expr,
        text: super::ast::Span,
    ) -> Result<Stmt> {
        self.check_lvalue(&target)?;
        let pos = target.pos;
        let value = node(
            ExprKind::Binary(op, Box::new(target.clone()), Box::new(rhs)),
            pos,
        );
        Ok(Stmt::Assign {
            target,
            value,
            text,
        })
    }

    fn check_lvalue(&self, e: &Expr) -> Result<()> {
        match e.kind {
            ExprKind::Name(_) | ExprKind::Deref(_) => Ok(()),
            _ => Err(self.src.invalid(
                e.pos,
                "cannot assign to this expression: expected a register or `*pointer`",
            )),
        }
    }

    pub fn expr(&mut self) -> Result<Expr> {
        let e = self.binary(1)?;
        if self.at_punct("?")? {
            let pos = self.peek()?.pos;
            return Err(self.src.unsupported(pos, "conditional expression `?:`"));
        }
        Ok(e)
    }

    /// Precedence climbing. Each node built counts as one level of nesting
    /// while the expression is open, so a long chain `1+1+...` is bounded
    /// like a deep one.
    fn binary(&mut self, min_prec: u8) -> Result<Expr> {
        let mut lhs = self.unary()?;
        let mut levels = 0;
        let result = loop {
            let t = self.peek()?.clone();
            let Some((op, prec)) = binary_op(&t.tok) else {
                break Ok(lhs);
            };
            if prec < min_prec {
                break Ok(lhs);
            }
            self.next()?;
            if let Err(e) = self.enter(t.pos) {
                break Err(e);
            }
            levels += 1;
            let rhs = match self.binary(prec + 1) {
                Ok(rhs) => rhs,
                Err(e) => break Err(e),
            };
            let pos = lhs.pos;
            lhs = node(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), pos);
        };
        for _ in 0..levels {
            self.leave();
        }
        result
    }

    pub fn unary(&mut self) -> Result<Expr> {
        let t = self.peek()?.clone();
        self.enter(t.pos)?;
        let e = self.unary_inner();
        self.leave();
        e
    }

    fn unary_inner(&mut self) -> Result<Expr> {
        let t = self.peek()?.clone();
        let op = match &t.tok {
            Tok::Punct("-") => Some(UnaryOp::Neg),
            Tok::Punct("!") => Some(UnaryOp::Not),
            Tok::Punct("~") => Some(UnaryOp::BitNot),
            _ => None,
        };
        if let Some(op) = op {
            self.next()?;
            let a = self.unary()?;
            return Ok(node(ExprKind::Unary(op, Box::new(a)), t.pos));
        }
        match &t.tok {
            Tok::Punct("+") => {
                self.next()?;
                self.unary()
            }
            Tok::Punct("*") => {
                self.next()?;
                let a = self.unary()?;
                Ok(node(ExprKind::Deref(Box::new(a)), t.pos))
            }
            Tok::Punct("&") => {
                self.next()?;
                let a = self.unary()?;
                match a.kind {
                    ExprKind::Name(n) => Ok(node(ExprKind::AddrOf(n), t.pos)),
                    // `&*p` is `p`.
                    ExprKind::Deref(p) => Ok(*p),
                    _ => Err(self.src.unsupported(t.pos, "`&` of an expression")),
                }
            }
            Tok::Punct("++") | Tok::Punct("--") => Err(self
                .src
                .unsupported(t.pos, "`++`/`--` inside an expression")),
            Tok::Punct("(") if self.type_follows(1)? => {
                // A cast: the machine's values are untyped.
                self.next()?;
                self.skip_type()?;
                self.expect_punct(")")?;
                self.unary()
            }
            _ => {
                let e = self.primary()?;
                self.postfix(e)
            }
        }
    }

    fn primary(&mut self) -> Result<Expr> {
        let t = self.peek()?.clone();
        match &t.tok {
            Tok::Int(n) => {
                self.next()?;
                Ok(node(ExprKind::Int(*n), t.pos))
            }
            Tok::Ident(name) => {
                if name == "sizeof" {
                    return Err(self.src.unsupported(t.pos, "`sizeof`"));
                }
                let id = self.expect_ident("a name")?;
                if self.at_punct("(")? {
                    self.call(id)
                } else {
                    Ok(node(ExprKind::Name(id.name), t.pos))
                }
            }
            Tok::Punct("(") => {
                self.next()?;
                let e = self.expr()?;
                self.expect_punct(")")?;
                Ok(e)
            }
            _ => self.unexpected("an expression"),
        }
    }

    fn postfix(&mut self, e: Expr) -> Result<Expr> {
        let t = self.peek()?.clone();
        match &t.tok {
            Tok::Punct("[") => Err(self.src.unsupported(t.pos, "arrays")),
            Tok::Punct("->") | Tok::Punct(".") => {
                Err(self.src.unsupported(t.pos, "struct member access"))
            }
            Tok::Punct("(") => Err(self.src.unsupported(t.pos, "call through a pointer")),
            _ => Ok(e),
        }
    }

    /// `name(args)`: the name is looked up before the arguments are parsed,
    /// so that an unknown call is reported as such whatever its arguments.
    fn call(&mut self, name: Ident) -> Result<Expr> {
        let prim = match lookup(&name.name) {
            Lookup::Known(p) => p,
            Lookup::Unsupported(construct) => {
                return Err(self.src.unsupported(name.pos, construct))
            }
        };
        self.expect_punct("(")?;
        let mut args = Vec::new();
        if !self.at_punct(")")? {
            loop {
                args.push(self.expr()?);
                if !self.eat_punct(",")? {
                    break;
                }
            }
        }
        if !self.at_punct(")")? {
            return self.unexpected("`,` or `)` in the argument list");
        }
        self.next()?;
        if args.len() != prim.arity() {
            let n = prim.arity();
            return Err(self.src.invalid(
                name.pos,
                format!(
                    "`{}` takes {n} argument{}, found {}",
                    name.name,
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        Ok(node(
            ExprKind::Call(Call {
                prim,
                name: name.name,
                args,
            }),
            name.pos,
        ))
    }
}

fn one(pos: super::error::Pos) -> Expr {
    node(ExprKind::Int(1), pos)
}
