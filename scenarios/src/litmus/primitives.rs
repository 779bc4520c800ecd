//! Which calls the litmus dialect knows, and the shape of their arguments.
//!
//! The parser looks every call up here, so that an unknown one is reported
//! as `Unsupported` where it is written and a wrong argument count as
//! `Invalid`; the lowering then matches on [`Primitive`] and calls the one
//! `ThreadBuilder` method for it (the builder is the lowering table, this is
//! only the names).

use memory_model::ir::{RcuOp, RmwResult};

use crate::builder::{FullFence, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Primitive {
    /// `READ_ONCE(*p)`.
    ReadOnce,
    /// `WRITE_ONCE(*p, v)`.
    WriteOnce,
    /// `smp_store_mb(*p, v)`: `WRITE_ONCE` then `smp_mb()`.
    StoreMb,
    /// `smp_mb()`, `smp_mb__before_atomic()`, `smp_mb__after_atomic()`,
    /// `smp_mb__after_spinlock()`, `smp_mb__after_unlock_lock()`: a full
    /// fence on the machines where LKMM orders less (sound), which one kept
    /// for LKMM's annotation.
    Mb(FullFence),
    Rmb,
    Wmb,
    /// `barrier()`: a compiler barrier, nothing on the machine.
    Barrier,
    /// `smp_load_acquire(p)`, `atomic_read_acquire(p)`.
    LoadAcquire,
    /// `smp_store_release(p, v)`, `atomic_set_release(p, v)`.
    StoreRelease,
    /// `rcu_dereference(*p)`: a `READ_ONCE` of an lvalue.
    RcuDereference,
    /// `rcu_assign_pointer(*p, v)`: a release store to an lvalue.
    RcuAssignPointer,
    /// `atomic_read(p)`.
    AtomicRead,
    /// `atomic_set(p, v)`.
    AtomicSet,
    Rmw(RmwSpec),
    SpinLock,
    SpinUnlock,
    SpinTrylock,
    SpinIsLocked,
    /// `smp_cond_load_relaxed(p, cond)` / `smp_cond_load_acquire(p, cond)`.
    CondLoad {
        acquire: bool,
    },
    /// `rcu_read_lock()`, `rcu_read_unlock()`, `synchronize_rcu()`,
    /// `synchronize_rcu_expedited()`.
    Rcu(RcuOp),
}

/// What an RMW primitive computes, independent of its ordering suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RmwKind {
    /// `(p, v)`.
    Xchg,
    /// `(p, old, new)`.
    CmpXchg,
    /// `(i, p)`, as are the other binary operations below.
    Add,
    Sub,
    And,
    Or,
    Xor,
    AndNot,
    /// `(p)`.
    Inc,
    Dec,
    /// `(p, a, u)`.
    AddUnless,
    /// `(p)`: add 1 unless 0.
    IncNotZero,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RmwSpec {
    pub kind: RmwKind,
    pub result: RmwResult,
    pub ordering: Ordering,
    /// The void atomics (`atomic_inc(v)`) return nothing.
    pub returns: bool,
}

impl RmwKind {
    /// The argument count, and which argument is the pointer.
    pub fn shape(self) -> (usize, usize) {
        match self {
            RmwKind::Inc | RmwKind::Dec | RmwKind::IncNotZero => (1, 0),
            RmwKind::Xchg => (2, 0),
            RmwKind::CmpXchg | RmwKind::AddUnless => (3, 0),
            RmwKind::Add
            | RmwKind::Sub
            | RmwKind::And
            | RmwKind::Or
            | RmwKind::Xor
            | RmwKind::AndNot => (2, 1),
        }
    }
}

impl Primitive {
    pub fn arity(self) -> usize {
        match self {
            Primitive::Mb(_)
            | Primitive::Rmb
            | Primitive::Wmb
            | Primitive::Barrier
            | Primitive::Rcu(_) => 0,
            Primitive::ReadOnce
            | Primitive::LoadAcquire
            | Primitive::RcuDereference
            | Primitive::AtomicRead
            | Primitive::SpinLock
            | Primitive::SpinUnlock
            | Primitive::SpinTrylock
            | Primitive::SpinIsLocked => 1,
            Primitive::WriteOnce
            | Primitive::StoreMb
            | Primitive::StoreRelease
            | Primitive::RcuAssignPointer
            | Primitive::AtomicSet
            | Primitive::CondLoad { .. } => 2,
            Primitive::Rmw(spec) => spec.kind.shape().0,
        }
    }

    /// Whether the call has a value (`r = f(...)` makes sense).
    pub fn returns_value(self) -> bool {
        match self {
            Primitive::ReadOnce
            | Primitive::LoadAcquire
            | Primitive::RcuDereference
            | Primitive::AtomicRead
            | Primitive::SpinTrylock
            | Primitive::SpinIsLocked
            | Primitive::CondLoad { .. } => true,
            Primitive::Rmw(spec) => spec.returns,
            Primitive::WriteOnce
            | Primitive::StoreMb
            | Primitive::Mb(_)
            | Primitive::Rmb
            | Primitive::Wmb
            | Primitive::Barrier
            | Primitive::StoreRelease
            | Primitive::RcuAssignPointer
            | Primitive::AtomicSet
            | Primitive::SpinLock
            | Primitive::SpinUnlock
            | Primitive::Rcu(_) => false,
        }
    }
}

/// The answer for a called name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Known(Primitive),
    /// Not modelled; the string names the construct for the report.
    Unsupported(String),
}

/// The primitive `name` denotes.
pub(crate) fn lookup(name: &str) -> Lookup {
    if let Some(p) = fixed(name).or_else(|| rmw(name)) {
        return Lookup::Known(p);
    }
    let rcu = matches!(name, "call_rcu" | "rcu_barrier")
        || name.starts_with("srcu_")
        || name.starts_with("synchronize_srcu");
    if rcu {
        Lookup::Unsupported(format!(
            "{name}() (of RCU, only rcu_read_lock, rcu_read_unlock, synchronize_rcu and synchronize_rcu_expedited are modelled)"
        ))
    } else {
        Lookup::Unsupported(format!("{name}() (unknown function)"))
    }
}

fn fixed(name: &str) -> Option<Primitive> {
    Some(match name {
        "READ_ONCE" => Primitive::ReadOnce,
        "WRITE_ONCE" => Primitive::WriteOnce,
        "smp_mb" => Primitive::Mb(FullFence::Mb),
        "smp_mb__before_atomic" => Primitive::Mb(FullFence::BeforeAtomic),
        "smp_mb__after_atomic" => Primitive::Mb(FullFence::AfterAtomic),
        "smp_mb__after_spinlock" => Primitive::Mb(FullFence::AfterSpinlock),
        "smp_mb__after_unlock_lock" => Primitive::Mb(FullFence::AfterUnlockLock),
        "smp_store_mb" => Primitive::StoreMb,
        "smp_rmb" => Primitive::Rmb,
        "smp_wmb" => Primitive::Wmb,
        "barrier" => Primitive::Barrier,
        "smp_load_acquire" => Primitive::LoadAcquire,
        "smp_store_release" => Primitive::StoreRelease,
        "rcu_dereference" => Primitive::RcuDereference,
        "rcu_assign_pointer" => Primitive::RcuAssignPointer,
        "rcu_read_lock" => Primitive::Rcu(RcuOp::ReadLock),
        "rcu_read_unlock" => Primitive::Rcu(RcuOp::ReadUnlock),
        "synchronize_rcu" | "synchronize_rcu_expedited" => Primitive::Rcu(RcuOp::Synchronize),
        "spin_lock" => Primitive::SpinLock,
        "spin_unlock" => Primitive::SpinUnlock,
        "spin_trylock" => Primitive::SpinTrylock,
        "spin_is_locked" => Primitive::SpinIsLocked,
        "smp_cond_load_relaxed" => Primitive::CondLoad { acquire: false },
        "smp_cond_load_acquire" => Primitive::CondLoad { acquire: true },
        _ => return None,
    })
}

/// Splits an ordering suffix off; no suffix means `default`.
fn ordering_suffix(name: &str, default: Ordering) -> (&str, Ordering, bool) {
    for (suffix, ordering) in [
        ("_relaxed", Ordering::Relaxed),
        ("_acquire", Ordering::Acquire),
        ("_release", Ordering::Release),
    ] {
        if let Some(base) = name.strip_suffix(suffix) {
            return (base, ordering, true);
        }
    }
    (name, default, false)
}

fn spec(kind: RmwKind, result: RmwResult, ordering: Ordering) -> Primitive {
    Primitive::Rmw(RmwSpec {
        kind,
        result,
        ordering,
        returns: true,
    })
}

fn rmw(name: &str) -> Option<Primitive> {
    let (base, ordering, _) = ordering_suffix(name, Ordering::Full);
    match base {
        "xchg" => return Some(spec(RmwKind::Xchg, RmwResult::Old, ordering)),
        "cmpxchg" => return Some(spec(RmwKind::CmpXchg, RmwResult::Old, ordering)),
        _ => {}
    }
    let rest = ["atomic_long_", "atomic64_", "atomic_"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))?;
    atomic(rest)
}

fn binary_kind(op: &str) -> Option<RmwKind> {
    Some(match op {
        "add" => RmwKind::Add,
        "sub" => RmwKind::Sub,
        "and" => RmwKind::And,
        "or" => RmwKind::Or,
        "xor" => RmwKind::Xor,
        "andnot" => RmwKind::AndNot,
        "inc" => RmwKind::Inc,
        "dec" => RmwKind::Dec,
        _ => return None,
    })
}

/// The `atomic_*` family, `rest` being the name after the prefix.
fn atomic(rest: &str) -> Option<Primitive> {
    match rest {
        "read" => return Some(Primitive::AtomicRead),
        "set" => return Some(Primitive::AtomicSet),
        "read_acquire" => return Some(Primitive::LoadAcquire),
        "set_release" => return Some(Primitive::StoreRelease),
        _ => {}
    }
    // The void operations are relaxed and take no suffix.
    if let Some(kind) = binary_kind(rest) {
        return Some(Primitive::Rmw(RmwSpec {
            kind,
            result: RmwResult::Old,
            ordering: Ordering::Relaxed,
            returns: false,
        }));
    }
    // The `_and_test` and `_unless` forms have no ordering variants.
    let unsuffixed = match rest {
        "inc_and_test" => Some((RmwKind::Inc, RmwResult::NewIsZero)),
        "dec_and_test" => Some((RmwKind::Dec, RmwResult::NewIsZero)),
        "sub_and_test" => Some((RmwKind::Sub, RmwResult::NewIsZero)),
        "add_unless" => Some((RmwKind::AddUnless, RmwResult::Succeeded)),
        "fetch_add_unless" => Some((RmwKind::AddUnless, RmwResult::Old)),
        "inc_not_zero" => Some((RmwKind::IncNotZero, RmwResult::Succeeded)),
        _ => None,
    };
    if let Some((kind, result)) = unsuffixed {
        return Some(spec(kind, result, Ordering::Full));
    }
    let (base, ordering, _) = ordering_suffix(rest, Ordering::Full);
    let (kind, result) = if let Some(op) = base.strip_suffix("_return") {
        (binary_kind(op)?, RmwResult::New)
    } else if let Some(op) = base.strip_prefix("fetch_") {
        (binary_kind(op)?, RmwResult::Old)
    } else {
        match base {
            "xchg" => (RmwKind::Xchg, RmwResult::Old),
            "cmpxchg" => (RmwKind::CmpXchg, RmwResult::Old),
            "add_negative" => (RmwKind::Add, RmwResult::NewIsNegative),
            _ => return None,
        }
    };
    // `atomic_and_return` does not exist in the kernel: only add, sub, inc
    // and dec have `_return` forms.
    if result == RmwResult::New
        && !matches!(
            kind,
            RmwKind::Add | RmwKind::Sub | RmwKind::Inc | RmwKind::Dec
        )
    {
        return None;
    }
    Some(spec(kind, result, ordering))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let rmw = |name| match lookup(name) {
            Lookup::Known(Primitive::Rmw(s)) => Some(s),
            _ => None,
        };
        let s = rmw("atomic_fetch_add_release").unwrap();
        assert_eq!(
            (s.kind, s.result, s.ordering),
            (RmwKind::Add, RmwResult::Old, Ordering::Release)
        );
        let s = rmw("atomic_inc").unwrap();
        assert_eq!((s.ordering, s.returns), (Ordering::Relaxed, false));
        let s = rmw("xchg_acquire").unwrap();
        assert_eq!((s.kind, s.ordering), (RmwKind::Xchg, Ordering::Acquire));
        let s = rmw("atomic_dec_and_test").unwrap();
        assert_eq!(
            (s.kind, s.result, s.ordering),
            (RmwKind::Dec, RmwResult::NewIsZero, Ordering::Full)
        );
        assert!(rmw("atomic_and_return").is_none());
        assert!(rmw("atomic_inc_relaxed").is_none());
        assert_eq!(
            lookup("rcu_read_lock"),
            Lookup::Known(Primitive::Rcu(RcuOp::ReadLock))
        );
        assert!(matches!(lookup("call_rcu"), Lookup::Unsupported(_)));
        assert!(matches!(lookup("srcu_read_lock"), Lookup::Unsupported(_)));
        assert_eq!(
            lookup("smp_mb__after_spinlock"),
            Lookup::Known(Primitive::Mb(FullFence::AfterSpinlock))
        );
    }
}
