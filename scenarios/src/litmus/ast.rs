//! The syntax tree of a litmus test, as the parser reads it and before any
//! name is resolved. Calls are already matched against the primitive table
//! (an unknown call never gets this far), and casts are dropped: they change
//! nothing on the machine.

use memory_model::ir::{BinaryOp, Comparison, Quantifier, UnaryOp};

use super::error::Pos;
use super::herd_warning::HerdWarning;
use super::primitives::Primitive;

/// A name and where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Ident {
    pub name: String,
    pub pos: Pos,
}

/// A byte range of the source: the text an instruction reports as its own,
/// and where it starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub pos: Pos,
}

#[derive(Debug)]
pub(crate) struct Litmus {
    pub name: String,
    pub init: Vec<InitItem>,
    pub threads: Vec<ThreadDef>,
    pub fin: Final,
    /// What herd7 would refuse, in source order.
    pub herd_warnings: Vec<HerdWarning>,
}

/// One entry of the init block.
#[derive(Debug)]
pub(crate) struct InitItem {
    pub target: InitTarget,
    pub value: Option<InitValue>,
}

#[derive(Debug)]
pub(crate) enum InitTarget {
    /// `int x = 1;`, `x = 1;`, `spinlock_t l;`.
    Location(Ident),
    /// `0:r1 = x;`, `int * 1:r1;`.
    Register {
        thread: usize,
        thread_pos: Pos,
        name: Ident,
    },
}

#[derive(Debug)]
pub(crate) enum InitValue {
    Int(i32, Pos),
    /// `y` or `&y`: the address of location `y`.
    Address(Ident),
}

#[derive(Debug)]
pub(crate) struct ThreadDef {
    pub index: usize,
    pub params: Vec<Ident>,
    pub body: Vec<Stmt>,
}

#[derive(Debug)]
pub(crate) enum Stmt {
    /// `int r0, *r1 = e;`: one entry per declarator.
    Decl(Vec<Declarator>),
    /// `target = value;` with `target` a name or `*pointer` (compound
    /// assignments and `++` arrive here desugared).
    Assign {
        target: Expr,
        value: Expr,
        text: Span,
    },
    /// An expression evaluated for its effect: `smp_mb();`, `(void)xchg(x, 1);`.
    Eval {
        expr: Expr,
        text: Span,
    },
    If {
        cond: Expr,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
        /// `if (cond)`, for the branch's source text.
        text: Span,
    },
    Block(Vec<Stmt>),
}

#[derive(Debug)]
pub(crate) struct Declarator {
    pub name: Ident,
    pub init: Option<Expr>,
    pub text: Span,
}

#[derive(Clone, Debug)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    /// A literal, at most 2^31 (range-checked where its sign is known).
    Int(u64),
    Name(String),
    /// `&x`.
    AddrOf(String),
    /// `*e`.
    Deref(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Call(Call),
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub prim: Primitive,
    pub name: String,
    pub args: Vec<Expr>,
}

impl Expr {
    /// Whether evaluating the expression touches memory (so `&&` and `||`
    /// over it must branch rather than evaluate both sides).
    pub fn has_effects(&self) -> bool {
        match &self.kind {
            ExprKind::Int(_) | ExprKind::Name(_) | ExprKind::AddrOf(_) => false,
            ExprKind::Deref(_) | ExprKind::Call(_) => true,
            ExprKind::Unary(_, a) => a.has_effects(),
            ExprKind::Binary(_, a, b) => a.has_effects() || b.has_effects(),
        }
    }
}

/// The clauses after the threads.
#[derive(Debug)]
pub(crate) struct Final {
    pub locations: Vec<CTerm>,
    pub filter: Option<CProp>,
    pub quantifier: Quantifier,
    pub prop: CProp,
}

/// A proposition of the final condition.
#[derive(Debug)]
pub(crate) enum CProp {
    True,
    False,
    Not(Box<CProp>),
    And(Box<CProp>, Box<CProp>),
    Or(Box<CProp>, Box<CProp>),
    Compare(Comparison, CTerm, CTerm),
}

#[derive(Debug)]
pub(crate) enum CTerm {
    /// `1:r0`.
    Register {
        thread: usize,
        thread_pos: Pos,
        name: Ident,
    },
    /// `x` left of a comparison, or `[x]`: the final value of `x`.
    Value(Ident),
    /// `x` right of a comparison: the address of `x` (`1:r0=x`).
    Address(Ident),
    Const(i32, Pos),
}
