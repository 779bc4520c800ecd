//! The intermediate representation that every scenario lowers to.
//!
//! The IR knows no surface syntax: `smp_load_acquire(x)` arrives here as a
//! `Load` followed by `Fence(Rmb)`, `xchg(x, v)` as `Fence(Mb)`, an `Rmw`
//! and `Fence(Mb)` (see `scenarios::lower`). Each instruction is one `Step`
//! of the machine; the rules for when a step is enabled and what it does live
//! in `transition.rs`, one match arm per instruction.

use serde::{Deserialize, Serialize};

/// A value held in memory or in a register.
///
/// Addresses of locations are values too (`int *p = &x;`): they are encoded
/// with [`ADDRESS_TAG`] so that printing can show `x` rather than a number.
pub type Value = i32;

/// Set on a value that is the address of a location; the low bits are the
/// location index.
pub const ADDRESS_TAG: Value = 0x4000_0000;

/// The value that stands for the address of `loc`.
pub fn address_of(loc: Loc) -> Value {
    ADDRESS_TAG | loc.0 as Value
}

/// The location a value points at, if it is an address.
pub fn location_at(value: Value, locations: usize) -> Option<Loc> {
    if value & !0xff == ADDRESS_TAG && ((value & 0xff) as usize) < locations {
        Some(Loc((value & 0xff) as u8))
    } else {
        None
    }
}

/// Limits on the size of a scenario, checked when a scenario is built so
/// that machine state can be fixed-size arrays.
pub const CORES_MAX: usize = 8;
pub const LOCATIONS_MAX: usize = 32;
pub const REGISTERS_MAX: usize = 32;
pub const INSTRUCTIONS_MAX: usize = 1024;

/// A memory location (one per cache line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Loc(pub u8);

/// A register of one core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reg(pub u8);

/// Index of an expression in [`Thread::exprs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExprId(pub u16);

impl From<Loc> for Address {
    fn from(l: Loc) -> Address {
        Address::Direct(l)
    }
}

/// Where an access goes: a location named in the program text, or the
/// location whose address a register holds (an address dependency).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Address {
    Direct(Loc),
    Indirect(Reg),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Not,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicalAnd,
    LogicalOr,
}

/// A local expression: registers, constants and arithmetic. `Val` is the
/// value a `smp_cond_load_*` would read (C's `VAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Expr {
    Const(Value),
    Reg(Reg),
    Val,
    Unary(UnaryOp, ExprId),
    Binary(BinaryOp, ExprId, ExprId),
}

/// The fences of the machine (MACHINE.md, "Instructions").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fence {
    /// Enabled only when the store buffer and the invalidation queue are empty.
    Mb,
    /// Enabled only when the invalidation queue is empty.
    Rmb,
    /// Appends a marker to the store buffer (on a model whose drain order
    /// needs one).
    Wmb,
    /// The acquire half of `smp_load_acquire`, an `_acquire` RMW,
    /// `spin_lock` and `spin_trylock`, right after the acquiring access.
    /// The in-order models run it as `Rmb`; the out-of-order ones
    /// (OUT-OF-ORDER.md, `acq`) let it order only that access before
    /// everything after it.
    Acquire,
    /// The release half of `smp_store_release`, `rcu_assign_pointer` and
    /// `spin_unlock`, right before the releasing store. The in-order models
    /// run it as `Wmb`; the out-of-order ones (`rel`) also wait for older
    /// loads.
    Release,
}

impl Fence {
    /// The fence an in-order model (`sc`, `tso`, `weak`) runs: acquire is
    /// `smp_rmb()` and release `smp_wmb()` there (MACHINE.md).
    pub fn in_order(self) -> Fence {
        match self {
            Fence::Acquire => Fence::Rmb,
            Fence::Release => Fence::Wmb,
            f => f,
        }
    }
}

impl RcuOp {
    /// The kernel's name for it.
    pub fn name(self) -> &'static str {
        match self {
            RcuOp::ReadLock => "rcu_read_lock",
            RcuOp::ReadUnlock => "rcu_read_unlock",
            RcuOp::Synchronize => "synchronize_rcu",
        }
    }
}

/// An RCU primitive (OUT-OF-ORDER.md, section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RcuOp {
    /// `rcu_read_lock()`: a full fence, then one level deeper in a
    /// read-side critical section.
    ReadLock,
    /// `rcu_read_unlock()`: a full fence, then one level out.
    ReadUnlock,
    /// `synchronize_rcu()` and `synchronize_rcu_expedited()`: a full fence,
    /// enabled only while no core is inside a read-side critical section.
    Synchronize,
}

/// What an atomic read-modify-write computes from the old value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwOp {
    /// Write the operand.
    Xchg(ExprId),
    /// Write `new` if the old value equals `expected`.
    CmpXchg {
        expected: ExprId,
        new: ExprId,
    },
    /// Write old + operand (sub and dec are adds of a negated operand).
    Add(ExprId),
    /// Write old + `add` unless the old value equals `unless`.
    AddUnless {
        add: ExprId,
        unless: ExprId,
    },
    And(ExprId),
    Or(ExprId),
    Xor(ExprId),
    AndNot(ExprId),
}

/// What an RMW leaves in its destination register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwResult {
    /// The value read (`xchg`, `cmpxchg`, `atomic_fetch_*`).
    Old,
    /// The value written (`atomic_*_return`).
    New,
    /// 1 if the value written is 0 (`atomic_*_and_test`).
    NewIsZero,
    /// 1 if the value written is negative (`atomic_add_negative`).
    NewIsNegative,
    /// 1 if the RMW wrote (`atomic_add_unless`, `atomic_try_cmpxchg`).
    Succeeded,
}

/// How much of the store buffer an RMW waits for (MACHINE.md's RMW rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwOrder {
    /// No store-buffer entry for the location and no `smp_wmb` marker
    /// (`tso`: an empty store buffer, as x86 `lock` does).
    Relaxed,
    /// An empty store buffer.
    Release,
}

/// One instruction: one `Step` of a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Instr {
    /// `dst = READ_ONCE(*addr)`.
    Load {
        dst: Reg,
        addr: Address,
    },
    /// `WRITE_ONCE(*addr, value)`.
    Store {
        addr: Address,
        value: ExprId,
    },
    Fence(Fence),
    /// The atomic RMW effect, in one transition.
    Rmw {
        dst: Option<Reg>,
        addr: Address,
        op: RmwOp,
        result: RmwResult,
        order: RmwOrder,
        /// Whether the primitive returns a value (`xchg`, even when the
        /// value is discarded), unlike a void atomic (`atomic_inc`).
        returns: bool,
    },
    /// `smp_cond_load_relaxed`: a load enabled only when the value it would
    /// read satisfies `cond` (an expression over `Val`).
    CondLoad {
        dst: Reg,
        addr: Address,
        cond: ExprId,
    },
    /// `spin_lock`: enabled only when the lock is free; takes it as a
    /// relaxed RMW (the acquire fence follows as its own instruction).
    Lock {
        addr: Address,
    },
    /// `spin_trylock`: takes the lock and returns 1 if it is free, else a
    /// failed RMW returning 0.
    TryLock {
        dst: Reg,
        addr: Address,
    },
    /// `dst = expr`: local, no memory effect.
    Assign {
        dst: Reg,
        value: ExprId,
    },
    /// Jump to `target` when `cond` is non-zero.
    Branch {
        cond: ExprId,
        target: u16,
    },
    /// Jump to `target`.
    Jump {
        target: u16,
    },
    /// An RCU primitive: never local, never eager.
    Rcu(RcuOp),
}

impl Instr {
    /// Local instructions touch no memory and commute with every other
    /// transition.
    pub fn is_local(&self) -> bool {
        match self {
            Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => true,
            Instr::Load { .. }
            | Instr::Store { .. }
            | Instr::Fence(_)
            | Instr::Rmw { .. }
            | Instr::CondLoad { .. }
            | Instr::Lock { .. }
            | Instr::TryLock { .. }
            | Instr::Rcu(_) => false,
        }
    }

    /// The address the instruction accesses, if any.
    pub fn address(&self) -> Option<Address> {
        match *self {
            Instr::Load { addr, .. }
            | Instr::Store { addr, .. }
            | Instr::Rmw { addr, .. }
            | Instr::CondLoad { addr, .. }
            | Instr::Lock { addr }
            | Instr::TryLock { addr, .. } => Some(addr),
            Instr::Fence(_)
            | Instr::Assign { .. }
            | Instr::Branch { .. }
            | Instr::Jump { .. }
            | Instr::Rcu(_) => None,
        }
    }
}

/// The value a held spinlock has in memory; a free one holds 0.
pub const LOCK_HELD: Value = 1;

/// One thread of a scenario, run by the core of the same index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Thread {
    pub instrs: Vec<Instr>,
    pub exprs: Vec<Expr>,
    /// Register names, indexed by `Reg`.
    pub registers: Vec<String>,
    /// Initial register values (a parameter of the thread may start as an
    /// address, `P0(int *x)` style code keeps these at 0).
    pub initial_registers: Vec<Value>,
    /// Source text of each instruction, for timelines and reports.
    pub source: Vec<String>,
    /// Where each instruction comes from in its file (line and column,
    /// from 1; 0 where there is no file, as for a built-in scenario).
    pub positions: Vec<Position>,
    /// How LKMM classes each instruction's events (`linux-kernel.bell`).
    /// The machines never read it: a plain access runs as a marked one.
    /// The data-race check does.
    pub annotations: Vec<Annotation>,
}

/// A place in a scenario's source: line and column from 1, 0 when unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub col: u32,
}

/// What an instruction is to LKMM, beyond what the machines need: marked
/// or plain, the ordering tag an access carries, and which fence a
/// `Fence::Mb` stands for. The lowering gives an access its ordering with
/// fences around it (`smp_load_acquire` is a load, then `Fence::Acquire`);
/// LKMM puts the ordering on the access itself, so those fences are
/// `Implied` and make no event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Annotation {
    /// `READ_ONCE`, `WRITE_ONCE`, `rcu_dereference`, `atomic_read`,
    /// `atomic_set`, a relaxed RMW; for every other instruction, what its
    /// kind says (a fence is that fence, a lock is a lock).
    #[default]
    Once,
    /// A plain C access: `*x = 1`, `r = *x`.
    Plain,
    /// `smp_load_acquire`, `rcu_dereference`-free acquiring RMWs
    /// (`xchg_acquire`), `spin_trylock`'s and `spin_lock`'s read.
    Acquire,
    /// `smp_store_release`, `rcu_assign_pointer`, `xchg_release`.
    Release,
    /// A fully ordered RMW (`xchg`, `cmpxchg`, `atomic_inc_return`):
    /// LKMM's `Mb` tag on its read and write, none when it fails.
    Mb,
    /// `spin_unlock`'s store (LKMM's `UL` event).
    Unlock,
    /// `smp_mb__before_atomic()` (a `Fence::Mb` here).
    BeforeAtomic,
    /// `smp_mb__after_atomic()`.
    AfterAtomic,
    /// `smp_mb__after_spinlock()`.
    AfterSpinlock,
    /// `smp_mb__after_unlock_lock()`.
    AfterUnlockLock,
    /// A fence the lowering adds to give an access its ordering; LKMM
    /// takes the ordering from the access's tag, so it is no event.
    Implied,
}

impl Thread {
    pub fn expr(&self, id: ExprId) -> Expr {
        self.exprs[id.0 as usize]
    }

    /// For each expression, the registers it reads, as a bit mask
    /// (operands come before the expressions that use them).
    pub fn expr_registers(&self) -> Vec<u32> {
        let mut regs: Vec<u32> = Vec::with_capacity(self.exprs.len());
        for e in &self.exprs {
            let m = match *e {
                Expr::Reg(r) => 1u32 << r.0,
                Expr::Const(_) | Expr::Val => 0,
                Expr::Unary(_, a) => regs[a.0 as usize],
                Expr::Binary(_, a, b) => regs[a.0 as usize] | regs[b.0 as usize],
            };
            regs.push(m);
        }
        regs
    }
}

/// A location of the scenario.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub name: String,
    pub initial: Value,
}

/// Something that a final state shows: a register of a core, or a location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Observable {
    Register(u8, Reg),
    Location(Loc),
}

/// A term of a final condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Term {
    Observable(Observable),
    Const(Value),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    /// As written in a condition: `=`, `!=`, `<`...
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "=",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
        }
    }
}

/// A proposition with `not` for negation (then the negated proposition in
/// parentheses) and `atom` for each comparison. The connectives are herd's
/// (`/\` binds tighter than `\/`), and, as herd prints them
/// (`ConstrGen.pp_prop`), parentheses appear only around a `\/` inside a
/// `/\`: `(a \/ b) /\ c`, `a /\ b \/ c`.
pub fn format_prop_styled(
    p: &Prop,
    not: &str,
    atom: &dyn Fn(Comparison, &Term, &Term) -> String,
) -> String {
    fn go(
        p: &Prop,
        inside_and: bool,
        not: &str,
        atom: &dyn Fn(Comparison, &Term, &Term) -> String,
    ) -> String {
        match p {
            Prop::True => "true".into(),
            Prop::False => "false".into(),
            Prop::Compare(c, a, b) => atom(*c, a, b),
            Prop::Not(a) => format!("{not}({})", go(a, false, not, atom)),
            Prop::And(a, b) => format!("{} /\\ {}", go(a, true, not, atom), go(b, true, not, atom)),
            Prop::Or(a, b) => {
                let or = format!(
                    "{} \\/ {}",
                    go(a, false, not, atom),
                    go(b, false, not, atom)
                );
                if inside_and {
                    format!("({or})")
                } else {
                    or
                }
            }
        }
    }
    go(p, false, not, atom)
}

/// A proposition over a final state (herd's `exists` body).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Prop {
    True,
    False,
    Compare(Comparison, Term, Term),
    Not(Box<Prop>),
    And(Box<Prop>, Box<Prop>),
    Or(Box<Prop>, Box<Prop>),
}

/// The quantifier of the final condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantifier {
    Exists,
    NotExists,
    Forall,
}

impl Quantifier {
    /// As herd writes it: `exists`, `~exists`, `forall`.
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Exists => "exists",
            Quantifier::NotExists => "~exists",
            Quantifier::Forall => "forall",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    pub quantifier: Quantifier,
    pub prop: Prop,
}

impl Condition {
    /// Whether a final state where the proposition is `holds` makes the
    /// test fail, the one rule for every `*` mark and witness: under
    /// `exists` and `~exists`, a state where the proposition holds (the
    /// outcome the test is written about); under `forall`, one where it
    /// does not.
    pub fn fails_when(&self, holds: bool) -> bool {
        match self.quantifier {
            Quantifier::Exists | Quantifier::NotExists => holds,
            Quantifier::Forall => !holds,
        }
    }
}

/// A whole scenario: locations, threads, the final condition.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub locations: Vec<Location>,
    pub threads: Vec<Thread>,
    pub condition: Condition,
    /// herd's `filter`: final states it rejects are dropped before the
    /// condition is evaluated.
    pub filter: Option<Prop>,
    /// What a final state shows, in order: the condition's observables,
    /// then those of `locations [...]`.
    pub observed: Vec<Observable>,
}

impl Scenario {
    pub fn location_name(&self, loc: Loc) -> &str {
        &self.locations[loc.0 as usize].name
    }

    /// The name of an observable as herd prints it: `0:r0` or `x`.
    pub fn observable_name(&self, o: Observable) -> String {
        match o {
            Observable::Register(core, reg) => {
                format!(
                    "{}:{}",
                    core, self.threads[core as usize].registers[reg.0 as usize]
                )
            }
            Observable::Location(loc) => self.location_name(loc).to_string(),
        }
    }

    /// A value as herd prints it: a number, or the name of the location an
    /// address points at.
    pub fn format_value(&self, v: Value) -> String {
        match location_at(v, self.locations.len()) {
            Some(loc) => self.location_name(loc).to_string(),
            None => v.to_string(),
        }
    }

    /// A term as herd writes it.
    pub fn format_term(&self, t: &Term) -> String {
        match t {
            Term::Observable(o) => self.observable_name(*o),
            Term::Const(v) => self.format_value(*v),
        }
    }

    /// A proposition as written in a litmus file: `0:r0=0 /\ 1:r0=0`,
    /// `~(x=1)`.
    pub fn format_prop(&self, p: &Prop) -> String {
        let atom = |c: Comparison, a: &Term, b: &Term| {
            format!(
                "{}{}{}",
                self.format_term(a),
                c.symbol(),
                self.format_term(b)
            )
        };
        format_prop_styled(p, "~", &atom)
    }

    /// The final condition as herd writes it: `exists (...)`.
    pub fn format_condition(&self) -> String {
        let q = self.condition.quantifier.keyword();
        format!("{q} ({})", self.format_prop(&self.condition.prop))
    }

    /// Checks the limits the machine's fixed-size state relies on, and that
    /// every index in the program is in range. Builders and parsers call this;
    /// the machine assumes it.
    pub fn validate(&self) -> Result<(), String> {
        if self.threads.is_empty() {
            return Err("the scenario has no threads".into());
        }
        if self.threads.len() > CORES_MAX {
            return Err(format!(
                "{} threads: at most {CORES_MAX} are supported",
                self.threads.len()
            ));
        }
        if self.locations.len() > LOCATIONS_MAX {
            return Err(format!(
                "{} locations: at most {LOCATIONS_MAX} are supported",
                self.locations.len()
            ));
        }
        let locs = self.locations.len();
        for (t, thread) in self.threads.iter().enumerate() {
            if thread.registers.len() > REGISTERS_MAX {
                return Err(format!(
                    "thread {t} has {} registers: at most {REGISTERS_MAX} are supported",
                    thread.registers.len()
                ));
            }
            if thread.instrs.len() > INSTRUCTIONS_MAX {
                return Err(format!(
                    "thread {t} has {} instructions: at most {INSTRUCTIONS_MAX} are supported",
                    thread.instrs.len()
                ));
            }
            if thread.initial_registers.len() != thread.registers.len() {
                return Err(format!(
                    "thread {t}: initial_registers and registers differ in length"
                ));
            }
            let regs = thread.registers.len();
            let reg_ok = |r: Reg| (r.0 as usize) < regs;
            let expr_ok = |e: ExprId| (e.0 as usize) < thread.exprs.len();
            for (i, expr) in thread.exprs.iter().enumerate() {
                let ok = match *expr {
                    Expr::Const(_) | Expr::Val => true,
                    Expr::Reg(r) => reg_ok(r),
                    // Children come first, so evaluation never loops.
                    Expr::Unary(_, a) => (a.0 as usize) < i,
                    Expr::Binary(_, a, b) => (a.0 as usize) < i && (b.0 as usize) < i,
                };
                if !ok {
                    return Err(format!("thread {t}: expression {i} is malformed"));
                }
            }
            for (i, instr) in thread.instrs.iter().enumerate() {
                let addr_ok = |a: Address| match a {
                    Address::Direct(l) => (l.0 as usize) < locs,
                    Address::Indirect(r) => reg_ok(r),
                };
                let target_ok = |t: u16| (t as usize) <= thread.instrs.len();
                let ok = match *instr {
                    Instr::Load { dst, addr } => reg_ok(dst) && addr_ok(addr),
                    Instr::Store { addr, value } => addr_ok(addr) && expr_ok(value),
                    Instr::Fence(_) | Instr::Rcu(_) => true,
                    Instr::Rmw { dst, addr, op, .. } => {
                        dst.is_none_or(reg_ok)
                            && addr_ok(addr)
                            && match op {
                                RmwOp::Xchg(e)
                                | RmwOp::Add(e)
                                | RmwOp::And(e)
                                | RmwOp::Or(e)
                                | RmwOp::Xor(e)
                                | RmwOp::AndNot(e) => expr_ok(e),
                                RmwOp::CmpXchg { expected, new } => {
                                    expr_ok(expected) && expr_ok(new)
                                }
                                RmwOp::AddUnless { add, unless } => expr_ok(add) && expr_ok(unless),
                            }
                    }
                    Instr::CondLoad { dst, addr, cond } => {
                        reg_ok(dst) && addr_ok(addr) && expr_ok(cond)
                    }
                    Instr::Lock { addr } => addr_ok(addr),
                    Instr::TryLock { dst, addr } => reg_ok(dst) && addr_ok(addr),
                    Instr::Assign { dst, value } => reg_ok(dst) && expr_ok(value),
                    Instr::Branch { cond, target } => expr_ok(cond) && target_ok(target),
                    Instr::Jump { target } => target_ok(target),
                };
                if !ok {
                    return Err(format!(
                        "thread {t}: instruction {i} ({instr:?}) is malformed"
                    ));
                }
            }
        }
        for o in &self.observed {
            match *o {
                Observable::Register(c, r) => {
                    if c as usize >= self.threads.len()
                        || r.0 as usize >= self.threads[c as usize].registers.len()
                    {
                        return Err(format!("observed register {c}:{} does not exist", r.0));
                    }
                }
                Observable::Location(l) => {
                    if l.0 as usize >= locs {
                        return Err(format!("observed location {} does not exist", l.0));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `r<n>=<v>`, for propositions without a scenario.
    fn atom(c: Comparison, a: &Term, b: &Term) -> String {
        let term = |t: &Term| match t {
            Term::Observable(Observable::Register(core, reg)) => format!("{core}:r{}", reg.0),
            Term::Observable(Observable::Location(loc)) => format!("[l{}]", loc.0),
            Term::Const(v) => v.to_string(),
        };
        format!("{}{}{}", term(a), c.symbol(), term(b))
    }

    fn reg(core: u8, v: Value) -> Prop {
        Prop::Compare(
            Comparison::Eq,
            Term::Observable(Observable::Register(core, Reg(0))),
            Term::Const(v),
        )
    }

    #[test]
    fn propositions_have_parentheses_only_around_an_or_inside_an_and() {
        let or = Prop::Or(Box::new(reg(0, 0)), Box::new(reg(1, 0)));
        assert_eq!(format_prop_styled(&or, "~", &atom), "0:r0=0 \\/ 1:r0=0");
        let and = Prop::And(Box::new(or.clone()), Box::new(reg(2, 1)));
        assert_eq!(
            format_prop_styled(&and, "~", &atom),
            "(0:r0=0 \\/ 1:r0=0) /\\ 2:r0=1"
        );
        let or_of_and = Prop::Or(Box::new(and), Box::new(Prop::Not(Box::new(or))));
        assert_eq!(
            format_prop_styled(&or_of_and, "not ", &atom),
            "(0:r0=0 \\/ 1:r0=0) /\\ 2:r0=1 \\/ not (0:r0=0 \\/ 1:r0=0)"
        );
    }
}
