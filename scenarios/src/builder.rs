//! A small construction API for scenarios, and the one table that lowers the
//! kernel's primitives to the IR.
//!
//! Every surface primitive (`smp_load_acquire`, `xchg_release`,
//! `spin_unlock`, ...) is one method of [`ThreadBuilder`], and each method is
//! the row of MACHINE.md's instruction table for it, written as IR. The
//! built-in scenarios and the litmus parser both go through here, so a
//! primitive means the same thing wherever it is written.

use memory_model::ir::{
    address_of, Address, Annotation, BinaryOp, Comparison, Condition, Expr, ExprId, Fence, Instr,
    Loc, Location, Observable, Position, Prop, Quantifier, RcuOp, Reg, RmwOp, RmwOrder, RmwResult,
    Scenario, Term, Thread, UnaryOp, Value, LOCK_HELD,
};

/// The ordering suffix of an RMW primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// `_relaxed`, and the void atomics (`atomic_inc`, `atomic_add`, ...).
    Relaxed,
    /// `_acquire`.
    Acquire,
    /// `_release`.
    Release,
    /// No suffix on a value-returning RMW (`xchg`, `atomic_inc_return`, ...).
    Full,
}

/// Which full fence a `Fence::Mb` is: all are the same fence on the
/// machines, and LKMM tells them apart (`smp_mb__before_atomic()` orders
/// only around an atomic, for instance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FullFence {
    /// `smp_mb()`.
    Mb,
    /// `smp_mb__before_atomic()`.
    BeforeAtomic,
    /// `smp_mb__after_atomic()`.
    AfterAtomic,
    /// `smp_mb__after_spinlock()`.
    AfterSpinlock,
    /// `smp_mb__after_unlock_lock()`.
    AfterUnlockLock,
}

impl FullFence {
    /// The annotation the fence carries for LKMM.
    pub fn annotation(self) -> Annotation {
        match self {
            FullFence::Mb => Annotation::Once,
            FullFence::BeforeAtomic => Annotation::BeforeAtomic,
            FullFence::AfterAtomic => Annotation::AfterAtomic,
            FullFence::AfterSpinlock => Annotation::AfterSpinlock,
            FullFence::AfterUnlockLock => Annotation::AfterUnlockLock,
        }
    }
}

/// A jump target inside one thread, bound with [`ThreadBuilder::bind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(usize);

/// Builds a [`Scenario`].
#[derive(Debug)]
pub struct ScenarioBuilder {
    name: String,
    locations: Vec<Location>,
    threads: Vec<Thread>,
    condition: Option<Condition>,
    filter: Option<Prop>,
    extra_observed: Vec<Observable>,
}

impl ScenarioBuilder {
    pub fn new(name: &str) -> ScenarioBuilder {
        ScenarioBuilder {
            name: name.to_string(),
            locations: Vec::new(),
            threads: Vec::new(),
            condition: None,
            filter: None,
            extra_observed: Vec::new(),
        }
    }

    /// Declares a location with its initial value, or returns the one of
    /// that name.
    pub fn location(&mut self, name: &str, initial: Value) -> Loc {
        if let Some(l) = self.find_location(name) {
            self.locations[l.0 as usize].initial = initial;
            return l;
        }
        self.locations.push(Location {
            name: name.to_string(),
            initial,
        });
        Loc((self.locations.len() - 1) as u8)
    }

    pub fn find_location(&self, name: &str) -> Option<Loc> {
        self.locations
            .iter()
            .position(|l| l.name == name)
            .map(|i| Loc(i as u8))
    }

    pub fn location_count(&self) -> usize {
        self.locations.len()
    }

    /// Adds a thread built by `build`; returns its index.
    pub fn thread(&mut self, build: impl FnOnce(&mut ThreadBuilder)) -> usize {
        let mut t = ThreadBuilder::new();
        build(&mut t);
        self.add_thread(t)
    }

    /// Adds a finished thread builder; returns its index.
    pub fn add_thread(&mut self, t: ThreadBuilder) -> usize {
        self.threads.push(t.finish());
        self.threads.len() - 1
    }

    /// The register `name` of thread `core`, as an observable.
    ///
    /// Panics if there is no such register: builder callers name registers
    /// they created. The parser checks names before calling this.
    pub fn reg(&self, core: usize, name: &str) -> Term {
        Term::Observable(self.reg_observable(core, name).unwrap_or_else(|| {
            panic!("thread {core} has no register {name}");
        }))
    }

    pub fn reg_observable(&self, core: usize, name: &str) -> Option<Observable> {
        let thread = self.threads.get(core)?;
        let r = thread.registers.iter().position(|n| n == name)?;
        Some(Observable::Register(core as u8, Reg(r as u8)))
    }

    /// The location `name` in a final condition.
    pub fn loc(&self, name: &str) -> Term {
        let l = self
            .find_location(name)
            .unwrap_or_else(|| panic!("no location {name}"));
        Term::Observable(Observable::Location(l))
    }

    pub fn exists(&mut self, prop: Prop) {
        self.condition = Some(Condition {
            quantifier: Quantifier::Exists,
            prop,
        });
    }

    pub fn condition(&mut self, quantifier: Quantifier, prop: Prop) {
        self.condition = Some(Condition { quantifier, prop });
    }

    pub fn filter(&mut self, prop: Prop) {
        self.filter = Some(prop);
    }

    /// Adds an observable to the printed final states (`locations [...]`).
    pub fn observe(&mut self, o: Observable) {
        if !self.extra_observed.contains(&o) {
            self.extra_observed.push(o);
        }
    }

    /// The finished scenario, checked against the machine's limits.
    pub fn build(self) -> Result<Scenario, String> {
        let condition = self.condition.unwrap_or(Condition {
            quantifier: Quantifier::Exists,
            prop: Prop::True,
        });
        let mut observed = Vec::new();
        collect_observables(&condition.prop, &mut observed);
        if let Some(f) = &self.filter {
            collect_observables(f, &mut observed);
        }
        for o in self.extra_observed {
            if !observed.contains(&o) {
                observed.push(o);
            }
        }
        let scenario = Scenario {
            name: self.name,
            locations: self.locations,
            threads: self.threads,
            condition,
            filter: self.filter,
            observed,
        };
        scenario.validate()?;
        Ok(scenario)
    }
}

fn collect_observables(p: &Prop, out: &mut Vec<Observable>) {
    let mut add = |t: &Term| {
        if let Term::Observable(o) = t {
            if !out.contains(o) {
                out.push(*o);
            }
        }
    };
    match p {
        Prop::True | Prop::False => {}
        Prop::Compare(_, a, b) => {
            add(a);
            add(b);
        }
        Prop::Not(a) => collect_observables(a, out),
        Prop::And(a, b) | Prop::Or(a, b) => {
            collect_observables(a, out);
            collect_observables(b, out);
        }
    }
}

/// `a = b` in a final condition.
pub fn eq(a: Term, b: impl Into<TermArg>) -> Prop {
    Prop::Compare(Comparison::Eq, a, b.into().0)
}

/// The conjunction of `props` (`True` if empty).
pub fn all(props: impl IntoIterator<Item = Prop>) -> Prop {
    props
        .into_iter()
        .reduce(|a, b| Prop::And(Box::new(a), Box::new(b)))
        .unwrap_or(Prop::True)
}

/// The disjunction of `props` (`False` if empty).
pub fn any(props: impl IntoIterator<Item = Prop>) -> Prop {
    props
        .into_iter()
        .reduce(|a, b| Prop::Or(Box::new(a), Box::new(b)))
        .unwrap_or(Prop::False)
}

/// A term or a constant, for [`eq`].
pub struct TermArg(Term);

impl From<Term> for TermArg {
    fn from(t: Term) -> TermArg {
        TermArg(t)
    }
}

impl From<Value> for TermArg {
    fn from(v: Value) -> TermArg {
        TermArg(Term::Const(v))
    }
}

/// Builds one thread. Methods named after kernel primitives lower them as
/// MACHINE.md's table says, and annotate what they emit as LKMM sees it
/// (see [`Annotation`]): the ordering tag goes on the access, and a fence
/// the lowering adds only to give the access that ordering is `Implied`.
#[derive(Debug, Default)]
pub struct ThreadBuilder {
    thread: Thread,
    /// Where the next instructions come from; see [`ThreadBuilder::at`].
    position: Position,
    labels: Vec<Option<u16>>,
    /// Instructions whose jump target is a label still to be resolved.
    fixups: Vec<(usize, Label)>,
}

impl ThreadBuilder {
    pub fn new() -> ThreadBuilder {
        ThreadBuilder::default()
    }

    /// The register `name`, created (holding 0) on first use.
    pub fn register(&mut self, name: &str) -> Reg {
        if let Some(r) = self.find_register(name) {
            return r;
        }
        self.thread.registers.push(name.to_string());
        self.thread.initial_registers.push(0);
        Reg((self.thread.registers.len() - 1) as u8)
    }

    pub fn find_register(&self, name: &str) -> Option<Reg> {
        self.thread
            .registers
            .iter()
            .position(|n| n == name)
            .map(|i| Reg(i as u8))
    }

    pub fn register_count(&self) -> usize {
        self.thread.registers.len()
    }

    /// Sets a register's initial value (`int *r = &x;` before any code).
    pub fn set_initial(&mut self, r: Reg, v: Value) {
        self.thread.initial_registers[r.0 as usize] = v;
    }

    /// The number of instructions emitted so far.
    pub fn len(&self) -> usize {
        self.thread.instrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.thread.instrs.is_empty()
    }

    // ---- expressions ----

    pub fn expr(&mut self, e: Expr) -> ExprId {
        // Reuse an identical node: expression pools stay small.
        if let Some(i) = self.thread.exprs.iter().position(|x| *x == e) {
            return ExprId(i as u16);
        }
        self.thread.exprs.push(e);
        ExprId((self.thread.exprs.len() - 1) as u16)
    }

    pub fn constant(&mut self, v: Value) -> ExprId {
        self.expr(Expr::Const(v))
    }

    pub fn address_constant(&mut self, l: Loc) -> ExprId {
        self.expr(Expr::Const(address_of(l)))
    }

    pub fn reg_value(&mut self, r: Reg) -> ExprId {
        self.expr(Expr::Reg(r))
    }

    pub fn unary(&mut self, op: UnaryOp, a: ExprId) -> ExprId {
        self.expr(Expr::Unary(op, a))
    }

    pub fn binary(&mut self, op: BinaryOp, a: ExprId, b: ExprId) -> ExprId {
        self.expr(Expr::Binary(op, a, b))
    }

    // ---- emission ----

    /// Sets the source position that every instruction emitted from now
    /// on records, until the next call (the default, 0:0, is "no file").
    pub fn at(&mut self, pos: Position) {
        self.position = pos;
    }

    /// The position the next instruction will record.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Appends one IR instruction with its source text, annotated `Once`:
    /// a marked access, or for any other instruction what its kind says.
    pub fn emit(&mut self, instr: Instr, source: &str) {
        self.emit_annotated(instr, Annotation::Once, source);
    }

    /// Appends one IR instruction with its source text and its annotation,
    /// at the current position.
    pub fn emit_annotated(&mut self, instr: Instr, annotation: Annotation, source: &str) {
        self.thread.instrs.push(instr);
        self.thread.source.push(source.to_string());
        self.thread.positions.push(self.position);
        self.thread.annotations.push(annotation);
    }

    pub fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// Binds `label` to the next instruction emitted.
    pub fn bind(&mut self, label: Label) {
        self.labels[label.0] = Some(self.thread.instrs.len() as u16);
    }

    /// Jumps to `label` when `cond` is non-zero.
    pub fn branch_if(&mut self, cond: ExprId, label: Label, source: &str) {
        self.fixups.push((self.thread.instrs.len(), label));
        self.emit(Instr::Branch { cond, target: 0 }, source);
    }

    pub fn jump(&mut self, label: Label, source: &str) {
        self.fixups.push((self.thread.instrs.len(), label));
        self.emit(Instr::Jump { target: 0 }, source);
    }

    pub fn assign(&mut self, dst: Reg, value: ExprId, source: &str) {
        self.emit(Instr::Assign { dst, value }, source);
    }

    // ---- the lowering table (MACHINE.md, "Instructions") ----

    /// `READ_ONCE`, `atomic_read`, `rcu_dereference`.
    pub fn read_once(&mut self, dst: Reg, addr: impl Into<Address>, source: &str) {
        let addr = addr.into();
        self.emit(Instr::Load { dst, addr }, source);
    }

    /// A plain C load, `r = *x`: the same load on the machines, `Plain`
    /// to LKMM (it may race).
    pub fn read_plain(&mut self, dst: Reg, addr: impl Into<Address>, source: &str) {
        let addr = addr.into();
        self.emit_annotated(Instr::Load { dst, addr }, Annotation::Plain, source);
    }

    /// `WRITE_ONCE`, `atomic_set`.
    pub fn write_once(&mut self, addr: impl Into<Address>, value: ExprId, source: &str) {
        let addr = addr.into();
        self.emit(Instr::Store { addr, value }, source);
    }

    /// A plain C store, `*x = v`: the same store on the machines, `Plain`
    /// to LKMM.
    pub fn write_plain(&mut self, addr: impl Into<Address>, value: ExprId, source: &str) {
        let addr = addr.into();
        self.emit_annotated(Instr::Store { addr, value }, Annotation::Plain, source);
    }

    /// `smp_mb()`.
    pub fn smp_mb(&mut self, source: &str) {
        self.full_fence(FullFence::Mb, source);
    }

    /// `smp_mb()` or one of the `smp_mb__*()` forms: a full fence on the
    /// machines (where LKMM orders less: sound), told apart for LKMM.
    pub fn full_fence(&mut self, which: FullFence, source: &str) {
        self.emit_annotated(Instr::Fence(Fence::Mb), which.annotation(), source);
    }

    /// A full fence that gives an RMW its ordering (`xchg`): no event of
    /// its own to LKMM.
    fn implied_mb(&mut self, source: &str) {
        self.emit_annotated(Instr::Fence(Fence::Mb), Annotation::Implied, source);
    }

    pub fn smp_rmb(&mut self, source: &str) {
        self.emit(Instr::Fence(Fence::Rmb), source);
    }

    pub fn smp_wmb(&mut self, source: &str) {
        self.emit(Instr::Fence(Fence::Wmb), source);
    }

    /// The acquire half of an acquiring access, right after it
    /// (`smp_rmb()` on the in-order models); `Implied` to LKMM, whose
    /// acquire is the access's tag.
    fn acquire(&mut self, source: &str) {
        self.emit_annotated(Instr::Fence(Fence::Acquire), Annotation::Implied, source);
    }

    /// `smp_load_acquire`: a load (`Acquire`), then the acquire fence.
    pub fn load_acquire(&mut self, dst: Reg, addr: impl Into<Address>, source: &str) {
        let addr = addr.into();
        self.emit_annotated(Instr::Load { dst, addr }, Annotation::Acquire, source);
        self.acquire(source);
    }

    /// `smp_store_release`, `rcu_assign_pointer`: the release fence
    /// (`smp_wmb()` on the in-order models), then the store (`Release`).
    pub fn store_release(&mut self, addr: impl Into<Address>, value: ExprId, source: &str) {
        self.release_store(addr.into(), value, Annotation::Release, source);
    }

    /// The release fence (`Implied`), then a store annotated `store`.
    fn release_store(&mut self, addr: Address, value: ExprId, store: Annotation, source: &str) {
        self.emit_annotated(Instr::Fence(Fence::Release), Annotation::Implied, source);
        self.emit_annotated(Instr::Store { addr, value }, store, source);
    }

    /// `rcu_read_lock()`, `rcu_read_unlock()`, `synchronize_rcu()`.
    pub fn rcu(&mut self, op: RcuOp, source: &str) {
        self.emit(Instr::Rcu(op), source);
    }

    /// Any RMW primitive: the ordering suffix picks the fences around the
    /// RMW effect (`Implied`), and the RMW's annotation: `Once` relaxed,
    /// `Acquire`, `Release`, or `Mb` for a fully ordered one.
    pub fn rmw(
        &mut self,
        dst: Option<Reg>,
        addr: impl Into<Address>,
        op: RmwOp,
        result: RmwResult,
        ordering: Ordering,
        source: &str,
    ) {
        let result_dst = dst.map(|d| (d, result));
        self.rmw_ordered(result_dst, true, addr.into(), op, ordering, source);
    }

    /// A void atomic (`atomic_inc(v)`, `atomic_add(i, v)`): it returns
    /// nothing, so `smp_rmb()` need not wait for it on the out-of-order
    /// models (LKMM's `R \ Noreturn`).
    pub fn rmw_void(
        &mut self,
        addr: impl Into<Address>,
        op: RmwOp,
        ordering: Ordering,
        source: &str,
    ) {
        self.rmw_ordered(None, false, addr.into(), op, ordering, source);
    }

    fn rmw_ordered(
        &mut self,
        dst: Option<(Reg, RmwResult)>,
        returns: bool,
        addr: Address,
        op: RmwOp,
        ordering: Ordering,
        source: &str,
    ) {
        let effect = |tb: &mut Self, order, annotation| {
            let rmw = Self::rmw_effect(dst, returns, addr, op, order);
            tb.emit_annotated(rmw, annotation, source)
        };
        match ordering {
            Ordering::Relaxed => effect(self, RmwOrder::Relaxed, Annotation::Once),
            Ordering::Acquire => {
                effect(self, RmwOrder::Relaxed, Annotation::Acquire);
                self.acquire(source);
            }
            Ordering::Release => effect(self, RmwOrder::Release, Annotation::Release),
            Ordering::Full => {
                self.implied_mb(source);
                effect(self, RmwOrder::Release, Annotation::Mb);
                self.implied_mb(source);
            }
        }
    }

    /// The RMW instruction itself, without its fences.
    fn rmw_effect(
        dst: Option<(Reg, RmwResult)>,
        returns: bool,
        addr: Address,
        op: RmwOp,
        order: RmwOrder,
    ) -> Instr {
        let (dst, result) = match dst {
            Some((d, r)) => (Some(d), r),
            None => (None, RmwResult::Old),
        };
        Instr::Rmw {
            dst,
            addr,
            op,
            result,
            order,
            returns,
        }
    }

    /// `spin_lock(l)`: blocked until free, then an acquire RMW that takes it
    /// (the lock `Acquire`, its fence `Implied`).
    pub fn spin_lock(&mut self, addr: impl Into<Address>, source: &str) {
        let addr = addr.into();
        self.emit_annotated(Instr::Lock { addr }, Annotation::Acquire, source);
        self.acquire(source);
    }

    /// `spin_unlock(l)`: `smp_store_release(l, 0)`, whose store is LKMM's
    /// `Unlock`.
    pub fn spin_unlock(&mut self, addr: impl Into<Address>, source: &str) {
        let free = self.constant(0);
        self.release_store(addr.into(), free, Annotation::Unlock, source);
    }

    /// `spin_trylock(l)`: the lock taken with acquire ordering and 1, or a
    /// failed relaxed RMW and 0. The acquire fence follows either way
    /// (stronger than needed on failure: sound).
    pub fn spin_trylock(&mut self, dst: Reg, addr: impl Into<Address>, source: &str) {
        let addr = addr.into();
        self.emit_annotated(Instr::TryLock { dst, addr }, Annotation::Acquire, source);
        self.acquire(source);
    }

    /// `spin_is_locked(l)`: a `READ_ONCE` of the lock word, as 0 or 1.
    pub fn spin_is_locked(&mut self, dst: Reg, addr: impl Into<Address>, source: &str) {
        self.read_once(dst, addr, source);
        let v = self.reg_value(dst);
        let held = self.constant(LOCK_HELD);
        let is_held = self.binary(BinaryOp::Eq, v, held);
        self.assign(dst, is_held, source);
    }

    /// `smp_cond_load_relaxed(addr, cond)` / `smp_cond_load_acquire`: a
    /// blocking load (and `smp_rmb()` for the acquire form, the load then
    /// `Acquire` and the fence `Implied`).
    pub fn cond_load(
        &mut self,
        dst: Reg,
        addr: impl Into<Address>,
        cond: ExprId,
        acquire: bool,
        source: &str,
    ) {
        let addr = addr.into();
        let annotation = if acquire {
            Annotation::Acquire
        } else {
            Annotation::Once
        };
        self.emit_annotated(Instr::CondLoad { dst, addr, cond }, annotation, source);
        if acquire {
            self.acquire(source);
        }
    }

    /// The finished thread, labels resolved.
    ///
    /// Panics if a label used by a jump was never bound: that is a bug in
    /// the builder's caller, not bad input.
    pub fn finish(mut self) -> Thread {
        for (at, label) in std::mem::take(&mut self.fixups) {
            let target = self.labels[label.0].expect("jump to an unbound label");
            match &mut self.thread.instrs[at] {
                Instr::Branch { target: t, .. } | Instr::Jump { target: t } => *t = target,
                other => unreachable!("fixup on a non-jump {other:?}"),
            }
        }
        self.thread
    }
}
