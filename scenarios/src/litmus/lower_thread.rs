//! Lowers one thread's statements and expressions to IR through
//! `ThreadBuilder`, whose methods are the one lowering table of primitives.
//!
//! What this module decides is only C's meaning: which names are registers
//! and which locations, what address an access goes to (`*x` with `x` a
//! location is `Direct(x)`, `*r` with `r` a register is `Indirect(r)`, which
//! carries the address-dependency rule), and the order in which memory
//! reads inside an expression happen (each into a fresh temporary `__t<n>`,
//! left to right, before the instruction that uses them).
//!
//! It also says what LKMM needs of each instruction beyond the machine's
//! meaning: a `*p` outside `READ_ONCE` and the like is a plain C access
//! (`read_plain`, `write_plain`), and every instruction records where it
//! comes from: a memory access the `*` or the call's name that makes it, a
//! local instruction (an assignment between registers, a branch) the start
//! of its statement.

use std::collections::HashSet;

use memory_model::ir::{
    address_of, Address, BinaryOp, Expr as IrExpr, ExprId, Loc, Position, Reg, UnaryOp,
    INSTRUCTIONS_MAX, REGISTERS_MAX,
};

use super::ast::{Call, Declarator, Expr, ExprKind, Ident, Span, Stmt, ThreadDef};
use super::error::{LitmusError, Pos, Source};
use super::lower::{check_value, ensure_location, RegInit, Result};
use super::lower_call::Dst;
use crate::builder::{ScenarioBuilder, ThreadBuilder};

/// Bound on the expression nodes one thread creates: `ExprId` is 16 bits.
const EXPRS_MAX: usize = 50_000;

/// Whether `name` is a temporary's (`__t0`, `__t1`, ...), which the program
/// may not use.
pub(crate) fn is_reserved(name: &str) -> bool {
    name.strip_prefix("__t")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) fn lower_thread(
    src: Source<'_>,
    sb: &mut ScenarioBuilder,
    def: &ThreadDef,
    inits: &[&RegInit],
) -> Result<ThreadBuilder> {
    for p in &def.params {
        ensure_location(src, sb, p)?;
    }
    let mut cx = ThreadCx {
        src,
        sb,
        tb: ThreadBuilder::new(),
        thread: def.index,
        params: def.params.iter().map(|p| p.name.clone()).collect(),
        declared: HashSet::new(),
        temps: 0,
        text: String::new(),
        stmt_pos: Pos { line: 0, col: 0 },
        val_ok: false,
        exprs: 0,
    };
    for init in inits {
        let r = cx.new_register(&init.name)?;
        if let Some(v) = init.value {
            cx.tb.set_initial(r, v);
        }
    }
    for s in &def.body {
        cx.stmt(s)?;
    }
    Ok(cx.tb)
}

/// What a name in the program denotes.
enum Named {
    Reg(Reg),
    Loc(Loc),
    Unknown,
}

pub(super) struct ThreadCx<'a, 'b> {
    pub(super) src: Source<'a>,
    pub(super) sb: &'b ScenarioBuilder,
    pub(super) tb: ThreadBuilder,
    pub(super) thread: usize,
    pub(super) params: HashSet<String>,
    /// Registers declared in the body, to reject a second declaration
    /// (scopes are not modelled, so shadowing would silently alias).
    pub(super) declared: HashSet<String>,
    /// Temporaries used by the current statement; they are dead once it is
    /// lowered, so every statement starts again from `__t0`.
    pub(super) temps: usize,
    /// Source text of the current statement.
    pub(super) text: String,
    /// Where the current statement starts.
    pub(super) stmt_pos: Pos,
    /// Inside the condition of `smp_cond_load_*`, where `VAL` is meaningful.
    pub(super) val_ok: bool,
    pub(super) exprs: usize,
}

impl ThreadCx<'_, '_> {
    pub(super) fn invalid(&self, pos: Pos, message: impl Into<String>) -> LitmusError {
        self.src.invalid(pos, message)
    }

    fn begin(&mut self, text: Span) {
        self.temps = 0;
        self.text = self.src.snippet(text.start, text.end);
        self.stmt_pos = text.pos;
        self.at(text.pos);
    }

    /// Makes the instructions emitted next record `pos` as where they come
    /// from.
    pub(super) fn at(&mut self, pos: Pos) {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.tb.at(Position {
            line: clamp(pos.line),
            col: clamp(pos.col),
        });
    }

    /// Back at the start of the statement, for a local instruction.
    fn at_stmt(&mut self) {
        self.at(self.stmt_pos);
    }

    fn check_len(&self, pos: Pos) -> Result<()> {
        if self.tb.len() > INSTRUCTIONS_MAX {
            return Err(self.invalid(
                pos,
                format!(
                    "thread P{} lowers to more than {INSTRUCTIONS_MAX} instructions",
                    self.thread
                ),
            ));
        }
        Ok(())
    }

    // ---- names ----

    fn check_name(&self, name: &str, pos: Pos) -> Result<()> {
        if is_reserved(name) {
            return Err(self.invalid(
                pos,
                format!("`{name}`: names `__t<n>` are reserved for the parser's temporaries"),
            ));
        }
        Ok(())
    }

    fn resolve(&self, name: &str) -> Named {
        if let Some(r) = self.tb.find_register(name) {
            Named::Reg(r)
        } else if let Some(l) = self.sb.find_location(name) {
            Named::Loc(l)
        } else {
            Named::Unknown
        }
    }

    fn new_register(&mut self, id: &Ident) -> Result<Reg> {
        self.check_name(&id.name, id.pos)?;
        self.register(&id.name, id.pos)
    }

    fn register(&mut self, name: &str, pos: Pos) -> Result<Reg> {
        if let Some(r) = self.tb.find_register(name) {
            return Ok(r);
        }
        if self.tb.register_count() >= REGISTERS_MAX {
            return Err(self.invalid(
                pos,
                format!(
                    "thread P{} needs more than {REGISTERS_MAX} registers (temporaries included)",
                    self.thread
                ),
            ));
        }
        Ok(self.tb.register(name))
    }

    pub(super) fn temp(&mut self, pos: Pos) -> Result<Reg> {
        let name = format!("__t{}", self.temps);
        self.temps += 1;
        self.register(&name, pos)
    }

    pub(super) fn ex(&mut self, e: IrExpr, pos: Pos) -> Result<ExprId> {
        self.exprs += 1;
        if self.exprs > EXPRS_MAX {
            return Err(self.invalid(
                pos,
                format!("thread P{} has too many expressions", self.thread),
            ));
        }
        Ok(self.tb.expr(e))
    }

    // ---- statements ----

    fn stmt(&mut self, s: &Stmt) -> Result<()> {
        match s {
            Stmt::Block(stmts) => {
                for s in stmts {
                    self.stmt(s)?;
                }
                Ok(())
            }
            Stmt::Decl(decls) => {
                for d in decls {
                    self.begin(d.text);
                    self.declare(d)?;
                    self.check_len(d.name.pos)?;
                }
                Ok(())
            }
            Stmt::Assign {
                target,
                value,
                text,
            } => {
                self.begin(*text);
                self.assign(target, value)?;
                self.check_len(target.pos)
            }
            Stmt::Eval { expr, text } => {
                self.begin(*text);
                match &expr.kind {
                    ExprKind::Call(c) => {
                        self.call(c, expr.pos, Dst::Discard)?;
                    }
                    _ => {
                        self.value(expr)?;
                    }
                }
                self.check_len(expr.pos)
            }
            Stmt::If {
                cond,
                then,
                els,
                text,
            } => {
                self.begin(*text);
                let if_text = self.text.clone();
                let c = self.value(cond)?;
                let not_c = self.ex(IrExpr::Unary(UnaryOp::Not, c), cond.pos)?;
                let else_label = self.tb.label();
                self.at(text.pos);
                self.tb.branch_if(not_c, else_label, &if_text);
                self.check_len(cond.pos)?;
                self.stmt(then)?;
                match els {
                    None => self.tb.bind(else_label),
                    Some(els) => {
                        let end = self.tb.label();
                        self.at(text.pos);
                        self.tb.jump(end, &if_text);
                        self.tb.bind(else_label);
                        self.stmt(els)?;
                        self.tb.bind(end);
                    }
                }
                self.check_len(cond.pos)
            }
        }
    }

    fn declare(&mut self, d: &Declarator) -> Result<()> {
        let name = &d.name.name;
        if self.params.contains(name) {
            return Err(self.invalid(
                d.name.pos,
                format!("`{name}` is already a parameter of P{}", self.thread),
            ));
        }
        if !self.declared.insert(name.clone()) {
            return Err(self.invalid(
                d.name.pos,
                format!("`{name}` is declared twice in P{}", self.thread),
            ));
        }
        let r = self.new_register(&d.name)?;
        if let Some(init) = &d.init {
            self.assign_to_register(r, init)?;
        }
        Ok(())
    }

    fn assign(&mut self, target: &Expr, value: &Expr) -> Result<()> {
        match &target.kind {
            ExprKind::Name(name) => {
                self.check_name(name, target.pos)?;
                let r = match self.resolve(name) {
                    Named::Reg(r) => r,
                    Named::Loc(_) => {
                        return Err(self.invalid(
                            target.pos,
                            format!(
                                "cannot assign to location `{name}`: write `*{name} = ...` or `WRITE_ONCE(*{name}, ...)`"
                            ),
                        ))
                    }
                    // herd accepts registers that are assigned without a
                    // declaration (`r1 = xchg_relaxed(y, 3);`).
                    Named::Unknown => self.register(name, target.pos)?,
                };
                self.assign_to_register(r, value)
            }
            ExprKind::Deref(p) => {
                let addr = self.address(p)?;
                let v = self.value(value)?;
                self.at(target.pos);
                self.tb.write_plain(addr, v, &self.text);
                Ok(())
            }
            _ => Err(self.invalid(target.pos, "cannot assign to this expression")),
        }
    }

    /// `r = value`: a call or a load goes straight into `r`.
    fn assign_to_register(&mut self, r: Reg, value: &Expr) -> Result<()> {
        match &value.kind {
            ExprKind::Call(c) if c.prim.returns_value() => {
                self.call(c, value.pos, Dst::Into(r))?;
            }
            ExprKind::Deref(p) => {
                let addr = self.address(p)?;
                self.at(value.pos);
                self.tb.read_plain(r, addr, &self.text);
            }
            _ => {
                let v = self.value(value)?;
                self.at_stmt();
                self.tb.assign(r, v, &self.text);
            }
        }
        Ok(())
    }

    // ---- expressions ----

    /// The value of `e` as a local expression, its memory reads emitted
    /// first into temporaries.
    pub(super) fn value(&mut self, e: &Expr) -> Result<ExprId> {
        match &e.kind {
            ExprKind::Int(n) => {
                let v = self.literal(*n, false, e.pos)?;
                self.ex(IrExpr::Const(v), e.pos)
            }
            ExprKind::Name(name) => self.name_value(name, e.pos),
            ExprKind::AddrOf(name) => match self.address_of_name(name, e.pos)? {
                Address::Direct(l) => self.ex(IrExpr::Const(address_of(l)), e.pos),
                Address::Indirect(_) => Err(self.invalid(e.pos, "a register has no address")),
            },
            ExprKind::Deref(p) => {
                let addr = self.address(p)?;
                let t = self.temp(e.pos)?;
                self.at(e.pos);
                self.tb.read_plain(t, addr, &self.text);
                self.ex(IrExpr::Reg(t), e.pos)
            }
            ExprKind::Unary(UnaryOp::Neg, a) if matches!(a.kind, ExprKind::Int(_)) => {
                let ExprKind::Int(n) = a.kind else {
                    return Err(self.invalid(e.pos, "a number"));
                };
                let v = self.literal(n, true, e.pos)?;
                self.ex(IrExpr::Const(v), e.pos)
            }
            ExprKind::Unary(op, a) => {
                let x = self.value(a)?;
                self.ex(IrExpr::Unary(*op, x), e.pos)
            }
            ExprKind::Binary(op @ (BinaryOp::LogicalAnd | BinaryOp::LogicalOr), a, b)
                if b.has_effects() =>
            {
                self.short_circuit(*op, a, b, e.pos)
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.value(a)?;
                let y = self.value(b)?;
                self.ex(IrExpr::Binary(*op, x, y), e.pos)
            }
            ExprKind::Call(c) => {
                if !c.prim.returns_value() {
                    return Err(self.invalid(e.pos, format!("`{}` has no value", c.name)));
                }
                let r = self.call(c, e.pos, Dst::Temp)?;
                let r =
                    r.ok_or_else(|| self.invalid(e.pos, format!("`{}` has no value", c.name)))?;
                self.ex(IrExpr::Reg(r), e.pos)
            }
        }
    }

    fn literal(&self, n: u64, negative: bool, pos: Pos) -> Result<i32> {
        let v = if negative { -(n as i64) } else { n as i64 };
        let v = i32::try_from(v).map_err(|_| {
            self.invalid(
                pos,
                format!("number `{n}` does not fit in a 32-bit signed value"),
            )
        })?;
        check_value(self.src, v, pos)
    }

    fn name_value(&mut self, name: &str, pos: Pos) -> Result<ExprId> {
        if self.val_ok && name == "VAL" {
            return self.ex(IrExpr::Val, pos);
        }
        self.check_name(name, pos)?;
        match self.resolve(name) {
            Named::Reg(r) => self.ex(IrExpr::Reg(r), pos),
            Named::Loc(l) => self.ex(IrExpr::Const(address_of(l)), pos),
            Named::Unknown if name == "NULL" => self.ex(IrExpr::Const(0), pos),
            Named::Unknown if name == "VAL" => Err(self.invalid(
                pos,
                "`VAL` has a meaning only in the condition of smp_cond_load_*()",
            )),
            Named::Unknown => Err(self.invalid(
                pos,
                format!(
                    "unknown identifier `{name}`: not a register of P{} nor a location",
                    self.thread
                ),
            )),
        }
    }

    /// `a && b` / `a || b` where `b` reads memory: `b` runs only if needed.
    fn short_circuit(&mut self, op: BinaryOp, a: &Expr, b: &Expr, pos: Pos) -> Result<ExprId> {
        let t = self.temp(pos)?;
        let zero = self.ex(IrExpr::Const(0), pos)?;
        let x = self.value(a)?;
        let x = self.ex(IrExpr::Binary(BinaryOp::Ne, x, zero), pos)?;
        self.at_stmt();
        self.tb.assign(t, x, &self.text);
        let end = self.tb.label();
        let tv = self.ex(IrExpr::Reg(t), pos)?;
        let skip = if op == BinaryOp::LogicalAnd {
            self.ex(IrExpr::Unary(UnaryOp::Not, tv), pos)?
        } else {
            tv
        };
        self.tb.branch_if(skip, end, &self.text);
        let y = self.value(b)?;
        let y = self.ex(IrExpr::Binary(BinaryOp::Ne, y, zero), pos)?;
        self.at_stmt();
        self.tb.assign(t, y, &self.text);
        self.tb.bind(end);
        Ok(tv)
    }

    // ---- addresses ----

    fn address_of_name(&self, name: &str, pos: Pos) -> Result<Address> {
        self.check_name(name, pos)?;
        match self.resolve(name) {
            Named::Loc(l) => Ok(Address::Direct(l)),
            Named::Reg(_) => {
                Err(self.invalid(pos, format!("`&{name}`: a register has no address")))
            }
            Named::Unknown => Err(self.invalid(pos, format!("unknown location `{name}`"))),
        }
    }

    /// Where a pointer expression points: a location name is `Direct`, a
    /// register (or anything computed) `Indirect`.
    pub(super) fn address(&mut self, p: &Expr) -> Result<Address> {
        match &p.kind {
            ExprKind::Name(name) => {
                self.check_name(name, p.pos)?;
                match self.resolve(name) {
                    Named::Reg(r) => Ok(Address::Indirect(r)),
                    Named::Loc(l) => Ok(Address::Direct(l)),
                    Named::Unknown => Err(self.invalid(
                        p.pos,
                        format!(
                            "unknown pointer `{name}`: not a location nor a register of P{}",
                            self.thread
                        ),
                    )),
                }
            }
            ExprKind::AddrOf(name) => self.address_of_name(name, p.pos),
            ExprKind::Int(_) => Err(self.invalid(p.pos, "a number is not a pointer")),
            // `**q`: the pointer `*q` is read plainly.
            ExprKind::Deref(q) => {
                let addr = self.address(q)?;
                let t = self.temp(p.pos)?;
                self.at(p.pos);
                self.tb.read_plain(t, addr, &self.text);
                Ok(Address::Indirect(t))
            }
            ExprKind::Call(c) if c.prim.returns_value() => {
                let r = self.call(c, p.pos, Dst::Temp)?;
                r.map(Address::Indirect)
                    .ok_or_else(|| self.invalid(p.pos, format!("`{}` has no value", c.name)))
            }
            _ => {
                let v = self.value(p)?;
                let t = self.temp(p.pos)?;
                self.at_stmt();
                self.tb.assign(t, v, &self.text);
                Ok(Address::Indirect(t))
            }
        }
    }

    /// The argument of `READ_ONCE`, `WRITE_ONCE`, `rcu_dereference`,
    /// `rcu_assign_pointer`: an lvalue `*p`.
    pub(super) fn lvalue(&mut self, arg: &Expr, call: &Call) -> Result<Address> {
        match &arg.kind {
            ExprKind::Deref(p) => self.address(p),
            _ => Err(self.invalid(
                arg.pos,
                format!("`{}` takes an lvalue such as `*x`", call.name),
            )),
        }
    }
}
