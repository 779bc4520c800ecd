//! Every reduction of the exhaustive driver, alone and together, finds the
//! same final states and the same deadlocks (values and blocked cores) as
//! the unreduced exploration, on generated programs that also deadlock
//! (locks taken twice, conditions never met), spin in loops, wait at
//! fences and access through registers, on small buffers and queues (which
//! fill) as well as deep ones.

use std::collections::BTreeSet;
use std::fmt;

use memory_model::ir::{Address, BinaryOp, Loc, Observable, RcuOp, RmwOp, RmwResult, Value};
use memory_model::{Config, Machine, ModelName};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use scenarios::builder::{Ordering, ScenarioBuilder};
use sim_core::{Exploration, ExploreOptions};

mod reductions;
use reductions::variants;

/// One drawn operation over locations `x`, `y` and the lock `l`.
#[derive(Clone, Copy, Debug)]
enum Op {
    Load(u8),
    Store(u8),
    Mb,
    Rmb,
    Wmb,
    Xchg(u8, Ordering),
    /// `smp_cond_load_acquire(x, VAL == v)` for a value some store may
    /// write (or none: a deadlock).
    CondLoad(u8, Value),
    /// `do r = READ_ONCE(x); while (r == 0);`
    Spin(u8),
    /// `r = &x; READ_ONCE(*r)`.
    Indirect(u8),
    Lock,
    Unlock,
    LoadAcquire(u8),
    StoreRelease(u8),
    /// `r = READ_ONCE(x); if (r) WRITE_ONCE(y, v)`: a guessed branch.
    IfStore(u8, u8),
    RcuReadLock,
    RcuReadUnlock,
    SynchronizeRcu,
}

#[derive(Clone)]
struct Program {
    threads: Vec<Vec<Op>>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (t, ops) in self.threads.iter().enumerate() {
            writeln!(f, "P{t}: {ops:?}")?;
        }
        Ok(())
    }
}

const LOCS: usize = 2;

fn op() -> impl Strategy<Value = Op> {
    let loc = 0u8..LOCS as u8;
    prop_oneof![
        4 => loc.clone().prop_map(Op::Load),
        4 => loc.clone().prop_map(Op::Store),
        1 => Just(Op::Mb),
        1 => Just(Op::Rmb),
        1 => Just(Op::Wmb),
        1 => (loc.clone(), prop_oneof![
            Just(Ordering::Relaxed),
            Just(Ordering::Acquire),
            Just(Ordering::Release),
            Just(Ordering::Full),
        ]).prop_map(|(l, o)| Op::Xchg(l, o)),
        1 => (loc.clone(), 0 as Value..3).prop_map(|(l, v)| Op::CondLoad(l, v)),
        1 => loc.clone().prop_map(Op::Spin),
        1 => loc.clone().prop_map(Op::Indirect),
        1 => Just(Op::Lock),
        1 => Just(Op::Unlock),
        1 => loc.clone().prop_map(Op::LoadAcquire),
        1 => loc.clone().prop_map(Op::StoreRelease),
        1 => (loc.clone(), loc).prop_map(|(a, b)| Op::IfStore(a, b)),
        1 => Just(Op::RcuReadLock),
        1 => Just(Op::RcuReadUnlock),
        1 => Just(Op::SynchronizeRcu),
    ]
}

fn program(threads: std::ops::RangeInclusive<usize>, ops: usize) -> impl Strategy<Value = Program> {
    prop::collection::vec(prop::collection::vec(op(), 1..=ops), threads)
        .prop_map(|threads| Program { threads })
}

impl Program {
    /// Stores write `1 + index` of the store, so values name their store;
    /// every register and location is observed.
    fn scenario(&self) -> memory_model::ir::Scenario {
        let mut b = ScenarioBuilder::new("reduction");
        let locs: Vec<Loc> = ["x", "y", "l"].iter().map(|n| b.location(n, 0)).collect();
        let mut next = 1;
        let mut observed = Vec::new();
        for (t, ops) in self.threads.iter().enumerate() {
            let mut regs = 0;
            b.thread(|tb| {
                let mut reg = |tb: &mut scenarios::builder::ThreadBuilder| {
                    regs += 1;
                    let r = tb.register(&format!("r{}", regs - 1));
                    observed.push(Observable::Register(t as u8, r));
                    r
                };
                for &op in ops {
                    match op {
                        Op::Load(l) => {
                            let r = reg(tb);
                            tb.read_once(r, locs[l as usize], "READ_ONCE");
                        }
                        Op::Store(l) => {
                            let v = tb.constant(next);
                            next += 1;
                            tb.write_once(locs[l as usize], v, "WRITE_ONCE");
                        }
                        Op::Mb => tb.smp_mb("smp_mb"),
                        Op::Rmb => tb.smp_rmb("smp_rmb"),
                        Op::Wmb => tb.smp_wmb("smp_wmb"),
                        Op::Xchg(l, o) => {
                            let r = reg(tb);
                            let v = tb.constant(next);
                            next += 1;
                            tb.rmw(
                                Some(r),
                                locs[l as usize],
                                RmwOp::Xchg(v),
                                RmwResult::Old,
                                o,
                                "xchg",
                            );
                        }
                        Op::CondLoad(l, v) => {
                            let r = reg(tb);
                            let val = tb.expr(memory_model::ir::Expr::Val);
                            let want = tb.constant(v);
                            let cond = tb.binary(BinaryOp::Eq, val, want);
                            tb.cond_load(r, locs[l as usize], cond, true, "cond_load");
                        }
                        Op::Spin(l) => {
                            let r = reg(tb);
                            let top = tb.label();
                            tb.bind(top);
                            tb.read_once(r, locs[l as usize], "READ_ONCE");
                            let rv = tb.reg_value(r);
                            let zero = tb.constant(0);
                            let is_zero = tb.binary(BinaryOp::Eq, rv, zero);
                            tb.branch_if(is_zero, top, "while");
                        }
                        Op::Indirect(l) => {
                            let p = reg(tb);
                            let a = tb.address_constant(locs[l as usize]);
                            tb.assign(p, a, "p = &x");
                            let r = reg(tb);
                            tb.read_once(r, Address::Indirect(p), "READ_ONCE(*p)");
                        }
                        Op::LoadAcquire(l) => {
                            let r = reg(tb);
                            tb.load_acquire(r, locs[l as usize], "smp_load_acquire");
                        }
                        Op::StoreRelease(l) => {
                            let v = tb.constant(next);
                            next += 1;
                            tb.store_release(locs[l as usize], v, "smp_store_release");
                        }
                        Op::IfStore(a, b) => {
                            let r = reg(tb);
                            tb.read_once(r, locs[a as usize], "READ_ONCE");
                            let skip = tb.label();
                            let rv = tb.reg_value(r);
                            let zero = tb.constant(0);
                            let is_zero = tb.binary(BinaryOp::Eq, rv, zero);
                            tb.branch_if(is_zero, skip, "if");
                            let v = tb.constant(next);
                            next += 1;
                            tb.write_once(locs[b as usize], v, "WRITE_ONCE");
                            tb.bind(skip);
                        }
                        Op::RcuReadLock => tb.rcu(RcuOp::ReadLock, "rcu_read_lock"),
                        Op::RcuReadUnlock => tb.rcu(RcuOp::ReadUnlock, "rcu_read_unlock"),
                        Op::SynchronizeRcu => tb.rcu(RcuOp::Synchronize, "synchronize_rcu"),
                        Op::Lock => tb.spin_lock(locs[2], "spin_lock"),
                        Op::Unlock => tb.spin_unlock(locs[2], "spin_unlock"),
                    }
                }
            });
        }
        for l in &locs {
            observed.push(Observable::Location(*l));
        }
        for o in observed {
            b.observe(o);
        }
        b.build().unwrap()
    }
}

/// What an exploration is compared on: final states and deadlocks.
#[derive(Debug, PartialEq, Eq)]
struct Ends {
    finals: BTreeSet<Vec<Value>>,
    deadlocks: BTreeSet<(Vec<Value>, String)>,
}

fn ends(machine: &Machine, options: ExploreOptions) -> Option<(Ends, usize)> {
    let x = Exploration::run(
        machine,
        ExploreOptions {
            states_max: 5_000,
            ..options
        },
    );
    if x.bound_exceeded {
        return None;
    }
    for d in &x.deadlocks {
        // A deadlock's witness is a path of the plain LTS.
        let mut s = machine.initial_state();
        for t in x.path_to(d.state) {
            assert!(machine.enabled(&s, t), "{t:?} not enabled on the witness");
            machine.apply(&mut s, t);
        }
    }
    let ends = Ends {
        finals: x.finals.keys().cloned().collect(),
        deadlocks: x
            .deadlocks
            .iter()
            .map(|d| (d.values.clone(), format!("{:?}", d.blocked)))
            .collect(),
    };
    Some((ends, x.explored_states))
}

fn configs() -> Vec<Config> {
    vec![
        Config::new(ModelName::Sc, Some(0), Some(0), 4).unwrap(),
        Config::new(ModelName::Tso, Some(1), Some(0), 4).unwrap(),
        Config::new(ModelName::Tso, Some(2), Some(0), 4).unwrap(),
        Config::new(ModelName::Tso, Some(4), Some(0), 4).unwrap(),
        Config::new(ModelName::Weak, Some(1), Some(1), 4).unwrap(),
        Config::new(ModelName::Weak, Some(2), Some(2), 4).unwrap(),
        Config::new(ModelName::Weak, Some(4), Some(8), 4).unwrap(),
        Config::new(ModelName::Weak, Some(0), Some(1), 4).unwrap(),
        Config::new(ModelName::Weak, Some(2), Some(0), 4).unwrap(),
        Config::new(ModelName::Arm, None, None, 4).unwrap(),
        Config::new(ModelName::Power, None, None, 4).unwrap(),
    ]
}

/// The comparison on one program and configuration; `false` when the
/// unreduced exploration is too large to compare.
fn same_ends(p: &Program, config: Config) -> Result<bool, TestCaseError> {
    let s = p.scenario();
    let machine = Machine::new(&s, config);
    let plain = ExploreOptions {
        reductions: false,
        ..ExploreOptions::default()
    };
    let Some((want, _)) = ends(&machine, plain) else {
        return Ok(false);
    };
    for (name, options) in variants() {
        let (got, _) = ends(&machine, options).expect("a reduction explored more states");
        prop_assert_eq!(&got, &want, "{} on {:?}", name, config);
    }
    Ok(true)
}

fn cases(n: u32) -> ProptestConfig {
    let scale = std::env::var("LAWS_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1);
    ProptestConfig {
        cases: n * scale,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(24))]

    /// Two threads of up to four operations, every configuration.
    #[test]
    fn reductions_keep_finals_and_deadlocks(p in program(2..=2, 4)) {
        for config in configs() {
            same_ends(&p, config)?;
        }
    }

}

proptest! {
    #![proptest_config(cases(12))]

    /// Three threads of up to two operations (a third core's queue).
    #[test]
    fn reductions_keep_finals_and_deadlocks_three_cores(p in program(3..=3, 2)) {
        for config in configs() {
            same_ends(&p, config)?;
        }
    }
}

/// The operations reach what the test is for: deadlocks (full queues: the
/// test below).
#[test]
fn generated_programs_can_deadlock() {
    let p = Program {
        threads: vec![vec![Op::Lock, Op::Store(0)], vec![Op::Lock, Op::Load(0)]],
    };
    let s = p.scenario();
    let machine = Machine::new(&s, configs()[4]);
    let (e, _) = ends(&machine, ExploreOptions::default()).unwrap();
    assert!(!e.deadlocks.is_empty(), "two locks, no unlock: a deadlock");
    assert!(same_ends(&p, configs()[4]).unwrap());
}

/// The eviction of a copy equal to memory is not harmless where a queue can
/// fill: here it frees P1's one queue slot for `x` while `y` stays stale,
/// the only way to see the new `x` with the old `y` (MP with `smp_wmb()`,
/// queue depth 1). Skipping it lost that final state.
#[test]
fn an_eviction_equal_to_memory_can_make_room_in_a_queue() {
    let p = Program {
        threads: vec![
            vec![Op::Store(1), Op::Wmb, Op::Store(0)],
            vec![Op::Load(0), Op::Load(1)],
        ],
    };
    let s = p.scenario();
    let config = Config::new(ModelName::Weak, Some(2), Some(1), 4).unwrap();
    let machine = Machine::new(&s, config);
    assert!(!machine.queues_never_fill());
    // Observed: P1:r0, P1:r1, x, y, l.
    let (e, _) = ends(&machine, ExploreOptions::default()).unwrap();
    assert!(e.finals.contains(&vec![2, 0, 2, 1, 0]), "{:?}", e.finals);
    assert!(same_ends(&p, config).unwrap());
}
