//! The laws of MACHINE.md as property tests over random small programs.
//!
//! A program has 2–3 threads of up to 4 accesses over 2–3 locations (`x`,
//! `y`, `z`, initially 0). An access is a `READ_ONCE` into a fresh register,
//! a `WRITE_ONCE` of a constant no other store writes (so final values name
//! their store), or (in the RMW strategy) an `xchg`/`atomic_add` of some
//! ordering; fences (`smp_mb`, `smp_rmb`, `smp_wmb`) are drawn between
//! accesses. Every register and every location is observed, so the final
//! states compared below are whole outcomes.
//!
//! Laws:
//! 1. outcomes(sc) ⊆ outcomes(tso) ⊆ outcomes(weak) at equal depth;
//! 2. with `smp_mb()` between every two accesses, every model gives the sc set;
//! 3. the sc set is the set of a plain interleaving interpreter (below);
//! 4. every timed run replays on the LTS, each transition enabled when it
//!    fires, to the same state, with time never going back;
//! 5. fuzz outcomes ⊆ exhaustive final states;
//! 6. the exhaustive driver's reductions keep final states and deadlocks
//!    (also on programs that deadlock; each reduction alone is compared in
//!    `reduction.rs`);
//! 7. a timed run is a function of (scenario, config, timing, seed, run).

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use memory_model::ir::{Loc, Observable, Reg, RmwOp, RmwResult, Scenario, Value};
use memory_model::{Config, Effect, Machine, ModelName, Transition};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use scenarios::builder::{Ordering, ScenarioBuilder};
use sim_core::{
    fuzz_range, CacheStart, Decisions, Exploration, ExploreOptions, Observer, PathReplay, RunEnd,
    TimedRun, Timing,
};

// ---------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fence {
    Mb,
    Rmb,
    Wmb,
}

/// An access as drawn: what it does and to which location (taken modulo the
/// number of locations). Values and registers are assigned when lowering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Load,
    Store,
    Xchg(Ordering),
    Add(Ordering),
}

/// A program as drawn: per thread, accesses each with the fence before it
/// (the first access's fence is dropped).
#[derive(Clone, Debug)]
struct Drawn {
    locs: usize,
    threads: Vec<Vec<(Option<Fence>, Kind, u8)>>,
    /// Threads whose accesses are wrapped in `spin_lock(l)`/`spin_unlock(l)`.
    locked: Vec<bool>,
}

/// One instruction of a lowered program, with its values and registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Load {
        loc: usize,
        reg: usize,
    },
    Store {
        loc: usize,
        val: Value,
    },
    Fence(Fence),
    /// `r = xchg*(loc, val)`.
    Xchg {
        loc: usize,
        val: Value,
        reg: usize,
        ord: Ordering,
    },
    /// `atomic_add(val, loc)` when relaxed (no register), else
    /// `r = atomic_fetch_add*(val, loc)`.
    Add {
        loc: usize,
        val: Value,
        reg: Option<usize>,
        ord: Ordering,
    },
    Lock(usize),
    Unlock(usize),
}

#[derive(Clone, PartialEq, Eq)]
struct Program {
    /// Data locations `x`, `y`, `z` first; the lock `l`, if any, last.
    locs: usize,
    lock: bool,
    threads: Vec<Vec<Op>>,
    /// Registers per thread.
    regs: Vec<usize>,
}

const LOC_NAMES: [&str; 4] = ["x", "y", "z", "l"];

fn loc_name(p: &Program, l: usize) -> &'static str {
    if p.lock && l == p.locs - 1 {
        "l"
    } else {
        LOC_NAMES[l]
    }
}

fn ord_suffix(o: Ordering) -> &'static str {
    match o {
        Ordering::Relaxed => "_relaxed",
        Ordering::Acquire => "_acquire",
        Ordering::Release => "_release",
        Ordering::Full => "",
    }
}

/// C-like text, for failure messages and bug reports.
impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        for (t, ops) in self.threads.iter().enumerate() {
            write!(f, "P{t}:")?;
            for op in ops {
                let s = match *op {
                    Op::Load { loc, reg } => {
                        format!("r{reg} = READ_ONCE({});", loc_name(self, loc))
                    }
                    Op::Store { loc, val } => {
                        format!("WRITE_ONCE({}, {val});", loc_name(self, loc))
                    }
                    Op::Fence(Fence::Mb) => "smp_mb();".into(),
                    Op::Fence(Fence::Rmb) => "smp_rmb();".into(),
                    Op::Fence(Fence::Wmb) => "smp_wmb();".into(),
                    Op::Xchg { loc, val, reg, ord } => format!(
                        "r{reg} = xchg{}({}, {val});",
                        ord_suffix(ord),
                        loc_name(self, loc)
                    ),
                    Op::Add {
                        loc,
                        val,
                        reg: None,
                        ..
                    } => format!("atomic_add({val}, {});", loc_name(self, loc)),
                    Op::Add {
                        loc,
                        val,
                        reg: Some(reg),
                        ord,
                    } => format!(
                        "r{reg} = atomic_fetch_add{}({val}, {});",
                        ord_suffix(ord),
                        loc_name(self, loc)
                    ),
                    Op::Lock(l) => format!("spin_lock({});", loc_name(self, l)),
                    Op::Unlock(l) => format!("spin_unlock({});", loc_name(self, l)),
                };
                write!(f, " {s}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl Drawn {
    /// Values and registers: every store, xchg and add gets `1 + counter`.
    fn lower(&self) -> Program {
        let lock = self.locked.iter().any(|&b| b);
        let lock_loc = self.locs;
        let mut next_val = 1;
        let mut threads = Vec::new();
        let mut regs = Vec::new();
        for (t, accesses) in self.threads.iter().enumerate() {
            let mut ops = Vec::new();
            let mut nregs = 0;
            let locked = self.locked.get(t).copied().unwrap_or(false);
            if locked {
                ops.push(Op::Lock(lock_loc));
            }
            for (i, &(fence, kind, loc)) in accesses.iter().enumerate() {
                if i > 0 {
                    if let Some(f) = fence {
                        ops.push(Op::Fence(f));
                    }
                }
                let loc = loc as usize % self.locs;
                let mut val = || {
                    let v = next_val;
                    next_val += 1;
                    v
                };
                let mut reg = || {
                    nregs += 1;
                    nregs - 1
                };
                ops.push(match kind {
                    Kind::Load => Op::Load { loc, reg: reg() },
                    Kind::Store => Op::Store { loc, val: val() },
                    Kind::Xchg(ord) => Op::Xchg {
                        loc,
                        val: val(),
                        reg: reg(),
                        ord,
                    },
                    Kind::Add(ord) => Op::Add {
                        loc,
                        val: val(),
                        reg: (ord != Ordering::Relaxed).then(reg),
                        ord,
                    },
                });
            }
            if locked {
                ops.push(Op::Unlock(lock_loc));
            }
            threads.push(ops);
            regs.push(nregs);
        }
        Program {
            locs: self.locs + lock as usize,
            lock,
            threads,
            regs,
        }
    }
}

impl Program {
    /// The same accesses with `smp_mb()` between every two, and no other
    /// fence.
    fn with_mbs_only(&self) -> Program {
        let mut p = self.clone();
        for ops in &mut p.threads {
            let accesses: Vec<Op> = ops
                .iter()
                .copied()
                .filter(|o| !matches!(o, Op::Fence(_)))
                .collect();
            ops.clear();
            for (i, op) in accesses.into_iter().enumerate() {
                if i > 0 {
                    ops.push(Op::Fence(Fence::Mb));
                }
                ops.push(op);
            }
        }
        p
    }

    /// Writes to memory a run makes at most: stores, RMWs, lock and unlock.
    fn writes(&self) -> usize {
        self.threads
            .iter()
            .flatten()
            .filter(|o| !matches!(o, Op::Load { .. } | Op::Fence(_)))
            .count()
    }

    /// What every final state shows, in order: each thread's registers,
    /// then every location.
    fn observables(&self) -> Vec<Observable> {
        let mut v = Vec::new();
        for (t, &n) in self.regs.iter().enumerate() {
            for r in 0..n {
                v.push(Observable::Register(t as u8, Reg(r as u8)));
            }
        }
        for l in 0..self.locs {
            v.push(Observable::Location(Loc(l as u8)));
        }
        v
    }

    fn scenario(&self) -> Scenario {
        let mut b = ScenarioBuilder::new("law");
        let locs: Vec<Loc> = (0..self.locs)
            .map(|l| b.location(loc_name(self, l), 0))
            .collect();
        for (t, ops) in self.threads.iter().enumerate() {
            b.thread(|tb| {
                let regs: Vec<Reg> = (0..self.regs[t])
                    .map(|r| tb.register(&format!("r{r}")))
                    .collect();
                for op in ops {
                    match *op {
                        Op::Load { loc, reg } => tb.read_once(regs[reg], locs[loc], "READ_ONCE"),
                        Op::Store { loc, val } => {
                            let v = tb.constant(val);
                            tb.write_once(locs[loc], v, "WRITE_ONCE");
                        }
                        Op::Fence(Fence::Mb) => tb.smp_mb("smp_mb();"),
                        Op::Fence(Fence::Rmb) => tb.smp_rmb("smp_rmb();"),
                        Op::Fence(Fence::Wmb) => tb.smp_wmb("smp_wmb();"),
                        Op::Xchg { loc, val, reg, ord } => {
                            let v = tb.constant(val);
                            tb.rmw(
                                Some(regs[reg]),
                                locs[loc],
                                RmwOp::Xchg(v),
                                RmwResult::Old,
                                ord,
                                "xchg",
                            );
                        }
                        Op::Add { loc, val, reg, ord } => {
                            let v = tb.constant(val);
                            tb.rmw(
                                reg.map(|r| regs[r]),
                                locs[loc],
                                RmwOp::Add(v),
                                RmwResult::Old,
                                ord,
                                "atomic_add",
                            );
                        }
                        Op::Lock(l) => tb.spin_lock(locs[l], "spin_lock"),
                        Op::Unlock(l) => tb.spin_unlock(locs[l], "spin_unlock"),
                    }
                }
            });
        }
        let observed = self.observables();
        for &o in &observed {
            b.observe(o);
        }
        let s = b.build().unwrap();
        assert_eq!(s.observed, observed, "observables out of order");
        s
    }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn fence() -> impl Strategy<Value = Option<Fence>> {
    prop::option::weighted(
        0.4,
        prop_oneof![Just(Fence::Mb), Just(Fence::Rmb), Just(Fence::Wmb)],
    )
}

fn ordering() -> impl Strategy<Value = Ordering> {
    prop_oneof![
        Just(Ordering::Relaxed),
        Just(Ordering::Acquire),
        Just(Ordering::Release),
        Just(Ordering::Full),
    ]
}

fn plain_kind() -> BoxedStrategy<Kind> {
    prop_oneof![Just(Kind::Load), Just(Kind::Store)].boxed()
}

fn rmw_kind() -> BoxedStrategy<Kind> {
    prop_oneof![
        3 => Just(Kind::Load),
        3 => Just(Kind::Store),
        1 => ordering().prop_map(Kind::Xchg),
        1 => ordering().prop_map(Kind::Add),
    ]
    .boxed()
}

/// `threads` threads (a range), up to `accesses` each, over `locs`
/// locations (a range).
fn drawn(
    kind: BoxedStrategy<Kind>,
    threads: std::ops::RangeInclusive<usize>,
    accesses: usize,
    locs: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Drawn> {
    let thread = prop::collection::vec((fence(), kind, 0u8..3), 1..=accesses);
    (locs, prop::collection::vec(thread, threads)).prop_map(|(locs, threads)| Drawn {
        locs,
        locked: vec![false; threads.len()],
        threads,
    })
}

fn plain_program() -> impl Strategy<Value = Program> {
    drawn(plain_kind(), 2..=3, 4, 2..=3).prop_map(|d| d.lower())
}

fn rmw_program() -> impl Strategy<Value = Program> {
    drawn(rmw_kind(), 2..=3, 4, 2..=3).prop_map(|d| d.lower())
}

/// Small programs for the unreduced driver.
fn small_program() -> impl Strategy<Value = Program> {
    drawn(rmw_kind(), 2..=2, 3, 2..=2).prop_map(|d| d.lower())
}

/// Two threads, each with its accesses inside `spin_lock(l)`/`spin_unlock(l)`.
fn locked_program() -> impl Strategy<Value = Program> {
    drawn(plain_kind(), 2..=2, 2, 2..=2).prop_map(|mut d| {
        d.locked = vec![true, true];
        d.lower()
    })
}

/// `locked_program` with the first thread's `spin_unlock` left out: when it
/// takes the lock first, the other thread deadlocks.
fn deadlocking_program() -> impl Strategy<Value = Program> {
    locked_program().prop_map(|mut p| {
        p.threads[0].pop();
        p
    })
}

fn cache_start() -> impl Strategy<Value = CacheStart> {
    prop_oneof![
        Just(CacheStart::Warm),
        Just(CacheStart::Cold),
        Just(CacheStart::Drawn)
    ]
}

fn model() -> impl Strategy<Value = ModelName> {
    prop_oneof![
        Just(ModelName::Sc),
        Just(ModelName::Tso),
        Just(ModelName::Weak)
    ]
}

/// `n` cases, times `LAWS_SCALE` if set (for a longer hunt by hand).
fn cases(n: u32) -> ProptestConfig {
    let scale = std::env::var("LAWS_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1);
    ProptestConfig {
        cases: n * scale,
        // Failures are reported, not written next to this file.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn sc() -> Config {
    Config::new(ModelName::Sc, Some(0), Some(0), 4).unwrap()
}

fn tso(sb: usize) -> Config {
    Config::new(ModelName::Tso, Some(sb), Some(0), 4).unwrap()
}

fn weak(sb: usize, iq: usize) -> Config {
    Config::new(ModelName::Weak, Some(sb), Some(iq), 4).unwrap()
}

/// A configuration of `model` at depth `d` (where the model has buffers).
fn config_at(model: ModelName, d: usize) -> Config {
    match model {
        ModelName::Sc => sc(),
        ModelName::Tso => tso(d),
        ModelName::Weak => weak(d, d),
        ModelName::Arm | ModelName::Power => Config::new(model, None, None, 4).unwrap(),
    }
}

type Outcomes = BTreeSet<Vec<Value>>;

fn explore<'m, 's>(machine: &'m Machine<'s>, reductions: bool) -> Exploration<'m, 's> {
    let x = Exploration::run(
        machine,
        ExploreOptions {
            reductions,
            ..ExploreOptions::default()
        },
    );
    assert!(!x.bound_exceeded, "state bound exceeded");
    x
}

fn outcomes(scenario: &Scenario, config: Config) -> Outcomes {
    let machine = Machine::new(scenario, config);
    let x = explore(&machine, true);
    assert!(
        x.deadlocks.is_empty(),
        "{config:?}: unexpected deadlocks {:?}",
        x.deadlocks
    );
    x.finals.keys().cloned().collect()
}

/// Every interleaving of the threads' instructions on one memory, each
/// access atomic, no buffers: the final states (registers of each thread,
/// then locations) and the number of stuck states.
fn interleavings(p: &Program) -> (Outcomes, usize) {
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct S {
        pcs: Vec<usize>,
        regs: Vec<Vec<Value>>,
        mem: Vec<Value>,
    }
    let start = S {
        pcs: vec![0; p.threads.len()],
        regs: p.regs.iter().map(|&n| vec![0; n]).collect(),
        mem: vec![0; p.locs],
    };
    let mut seen = HashSet::new();
    let mut stack = vec![start.clone()];
    seen.insert(start);
    let mut finals = Outcomes::new();
    let mut stuck = 0;
    while let Some(s) = stack.pop() {
        let mut moved = false;
        for (t, ops) in p.threads.iter().enumerate() {
            let Some(&op) = ops.get(s.pcs[t]) else {
                continue;
            };
            let mut n = s.clone();
            n.pcs[t] += 1;
            match op {
                Op::Load { loc, reg } => n.regs[t][reg] = n.mem[loc],
                Op::Store { loc, val } => n.mem[loc] = val,
                Op::Fence(_) => {}
                Op::Xchg { loc, val, reg, .. } => {
                    n.regs[t][reg] = n.mem[loc];
                    n.mem[loc] = val;
                }
                Op::Add { loc, val, reg, .. } => {
                    if let Some(r) = reg {
                        n.regs[t][r] = n.mem[loc];
                    }
                    n.mem[loc] = n.mem[loc].wrapping_add(val);
                }
                Op::Lock(l) => {
                    if n.mem[l] != 0 {
                        continue;
                    }
                    n.mem[l] = 1;
                }
                Op::Unlock(l) => n.mem[l] = 0,
            }
            moved = true;
            if seen.insert(n.clone()) {
                stack.push(n);
            }
        }
        if !moved {
            if s.pcs
                .iter()
                .zip(&p.threads)
                .all(|(&pc, ops)| pc == ops.len())
            {
                let mut v: Vec<Value> = s.regs.concat();
                v.extend(&s.mem);
                finals.insert(v);
            } else {
                stuck += 1;
            }
        }
    }
    (finals, stuck)
}

/// Records what a timed run reports.
#[derive(Default, PartialEq, Eq, Debug)]
struct Recorder {
    transitions: Vec<(u64, Transition, Effect)>,
    interrupts: Vec<(usize, u64, u64)>,
}

impl Observer for Recorder {
    fn transition(&mut self, time: u64, t: Transition, effect: &Effect) {
        self.transitions.push((time, t, *effect));
    }
    fn interrupt(&mut self, core: usize, from: u64, to: u64) {
        self.interrupts.push((core, from, to));
    }
}

fn timing(cache_start: CacheStart) -> Timing {
    Timing {
        cache_start,
        ..Timing::default()
    }
}

fn subset_report(small: &Outcomes, big: &Outcomes) -> Vec<Vec<Value>> {
    small.difference(big).cloned().collect()
}

// ---------------------------------------------------------------------------
// The laws
// ---------------------------------------------------------------------------

fn law_models_nest(p: &Program) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let sc_set = outcomes(&s, sc());
    let tso_set = outcomes(&s, tso(4));
    let weak_set = outcomes(&s, weak(4, 4));
    prop_assert!(
        sc_set.is_subset(&tso_set),
        "sc ⊄ tso: {:?}",
        subset_report(&sc_set, &tso_set)
    );
    prop_assert!(
        tso_set.is_subset(&weak_set),
        "tso ⊄ weak: {:?}",
        subset_report(&tso_set, &weak_set)
    );
    Ok(())
}

/// OUT-OF-ORDER.md 4: a pair whose buffer drains at once behaves as two
/// unpaired cores, and `arm`'s one extra rule (RCsc acquire after release)
/// only removes behaviours, so `power` shows everything `arm` shows; and
/// everything `weak` shows.
fn law_power_contains_arm_and_weak(p: &Program) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let power = outcomes(&s, config_at(ModelName::Power, 4));
    let arm = outcomes(&s, config_at(ModelName::Arm, 4));
    let weak_set = outcomes(&s, weak(4, 4));
    prop_assert!(
        arm.is_subset(&power),
        "arm ⊄ power: {:?}",
        subset_report(&arm, &power)
    );
    prop_assert!(
        weak_set.is_subset(&power),
        "weak ⊄ power: {:?}",
        subset_report(&weak_set, &power)
    );
    Ok(())
}

/// Two threads and a copy of the first: threads with the same code, whose
/// pairings are symmetric. Three threads of at most three accesses, as
/// each case explores every pairing of `power` twice.
fn twin_program(kind: BoxedStrategy<Kind>) -> impl Strategy<Value = Program> {
    drawn(kind, 2..=2, 3, 2..=3).prop_map(|d| {
        let mut p = d.lower();
        p.threads.push(p.threads[0].clone());
        p.regs.push(p.regs[0]);
        p
    })
}

/// The exhaustive driver explores one of each class of symmetric pairings
/// and adds the images of its final states: the same final states as
/// exploring each pairing, fixed, and taking the union.
fn law_symmetric_pairings_are_every_pairing(p: &Program) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let all = outcomes(&s, config_at(ModelName::Power, 4));
    let cores = s.threads.len();
    let pairings: Vec<String> = Machine::new(&s, config_at(ModelName::Power, 4))
        .pairings()
        .iter()
        .map(memory_model::model::pairing_text)
        .collect();
    let fixed = |text: &str| {
        let config = config_at(ModelName::Power, 4)
            .with_smt_pairs(Some(text), cores)
            .unwrap();
        outcomes(&s, config)
    };
    let mut union = Outcomes::new();
    for text in &pairings {
        union.extend(fixed(text));
    }
    prop_assert_eq!(&all, &union);
    // Why it holds: swapping the twins turns each pairing's final states
    // into those of the swapped pairing, their registers swapped.
    let last = cores - 1;
    let swap = |c: usize| match c {
        0 => last,
        c if c == last => 0,
        c => c,
    };
    let observed = p.observables();
    let swapped_value = |values: &Vec<Value>| -> Vec<Value> {
        observed
            .iter()
            .map(|&o| {
                let from = match o {
                    Observable::Register(c, r) => Observable::Register(swap(c as usize) as u8, r),
                    l => l,
                };
                values[observed.iter().position(|&x| x == from).unwrap()]
            })
            .collect()
    };
    for text in &pairings {
        if text == "none" {
            continue;
        }
        let swapped: Vec<String> = text
            .split(',')
            .map(|pair| {
                let (a, b) = pair.split_once('-').unwrap();
                let (a, b) = (swap(a.parse().unwrap()), swap(b.parse().unwrap()));
                format!("{}-{}", a.min(b), a.max(b))
            })
            .collect();
        let images: Outcomes = fixed(text).iter().map(swapped_value).collect();
        prop_assert_eq!(images, fixed(&swapped.join(",")), "{}", text);
    }
    Ok(())
}

fn law_mbs_give_sc(p: &Program) -> Result<(), TestCaseError> {
    let p = p.with_mbs_only();
    let s = p.scenario();
    let sc_set = outcomes(&s, sc());
    for config in [
        tso(1),
        tso(4),
        weak(1, 1),
        weak(4, 4),
        weak(1, 4),
        weak(4, 1),
    ] {
        let got = outcomes(&s, config);
        prop_assert_eq!(
            &got,
            &sc_set,
            "{:?}: extra {:?}, missing {:?}",
            config,
            subset_report(&got, &sc_set),
            subset_report(&sc_set, &got)
        );
    }
    Ok(())
}

fn law_sc_is_interleaving(p: &Program) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let machine = Machine::new(&s, sc());
    let x = explore(&machine, true);
    let got: Outcomes = x.finals.keys().cloned().collect();
    let (want, stuck) = interleavings(p);
    prop_assert_eq!(
        &got,
        &want,
        "extra {:?}, missing {:?}",
        subset_report(&got, &want),
        subset_report(&want, &got)
    );
    prop_assert_eq!(x.deadlocks.len(), stuck);
    Ok(())
}

fn law_fuzz_within_exhaustive(
    p: &Program,
    model: ModelName,
    start: CacheStart,
    seed: u64,
) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let config = config_at(model, 2);
    let machine = Machine::new(&s, config);
    let x = explore(&machine, true);
    let fuzz = fuzz_range(&machine, timing(start), seed, 0..200);
    prop_assert_eq!(fuzz.runs, 200);
    prop_assert_eq!(fuzz.deadlock_runs, 0);
    prop_assert_eq!(fuzz.bound_exceeded_runs, 0);
    for values in fuzz.outcomes.keys() {
        prop_assert!(
            x.finals.contains_key(values),
            "{:?}: fuzz found {:?}, which the exhaustive driver does not reach",
            config,
            values
        );
    }
    Ok(())
}

fn law_reductions_keep_outcomes(p: &Program, config: Config) -> Result<(), TestCaseError> {
    let s = p.scenario();
    let machine = Machine::new(&s, config);
    let reduced = explore(&machine, true);
    let plain = explore(&machine, false);
    let r: Vec<_> = reduced.finals.keys().collect();
    let u: Vec<_> = plain.finals.keys().collect();
    prop_assert_eq!(r, u, "{:?}: final states differ", config);
    // Deadlocks by values and blocked cores (each driver keeps the first
    // state it finds of each).
    let deadlocks = |x: &Exploration| -> BTreeSet<(Vec<Value>, String)> {
        x.deadlocks
            .iter()
            .map(|d| (d.values.clone(), format!("{:?}", d.blocked)))
            .collect()
    };
    prop_assert_eq!(
        deadlocks(&reduced),
        deadlocks(&plain),
        "{:?}: deadlocks differ",
        config
    );
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    /// Law 1, loads and stores.
    #[test]
    fn sc_within_tso_within_weak(p in plain_program()) {
        law_models_nest(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(192))]

    /// Law 1, with RMWs of every ordering.
    #[test]
    fn sc_within_tso_within_weak_rmw(p in rmw_program()) {
        law_models_nest(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(128))]

    /// Law 1 for the out-of-order models, loads and stores.
    #[test]
    fn arm_and_weak_within_power(p in plain_program()) {
        law_power_contains_arm_and_weak(&p)?;
    }

    /// With RMWs of every ordering.
    #[test]
    fn arm_and_weak_within_power_rmw(p in rmw_program()) {
        law_power_contains_arm_and_weak(&p)?;
    }

    /// With locks.
    #[test]
    fn arm_and_weak_within_power_locks(p in locked_program()) {
        law_power_contains_arm_and_weak(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(48))]

    /// Symmetric pairings, loads and stores.
    #[test]
    fn symmetric_pairings_are_every_pairing(p in twin_program(plain_kind())) {
        law_symmetric_pairings_are_every_pairing(&p)?;
    }

    /// With RMWs of every ordering.
    #[test]
    fn symmetric_pairings_are_every_pairing_rmw(p in twin_program(rmw_kind())) {
        law_symmetric_pairings_are_every_pairing(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(160))]

    /// Law 2, loads and stores.
    #[test]
    fn mbs_everywhere_give_sc(p in plain_program()) {
        law_mbs_give_sc(&p)?;
    }

    /// Law 2, with RMWs.
    #[test]
    fn mbs_everywhere_give_sc_rmw(p in rmw_program()) {
        law_mbs_give_sc(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(512))]

    /// Law 3, loads and stores.
    #[test]
    fn sc_is_plain_interleaving(p in plain_program()) {
        law_sc_is_interleaving(&p)?;
    }

    /// Law 3, with RMWs.
    #[test]
    fn sc_is_plain_interleaving_rmw(p in rmw_program()) {
        law_sc_is_interleaving(&p)?;
    }

    /// Law 3, with locks.
    #[test]
    fn sc_is_plain_interleaving_locks(p in locked_program()) {
        law_sc_is_interleaving(&p)?;
    }
}

proptest! {
    #![proptest_config(cases(512))]

    /// Law 4: a timed run is a path of the LTS.
    #[test]
    fn timed_runs_replay_on_the_lts(
        p in rmw_program(),
        model in model(),
        depth in 1usize..=4,
        start in cache_start(),
        seed in any::<u64>(),
        run in 0u64..1_000,
    ) {
        let s = p.scenario();
        let machine = Machine::new(&s, config_at(model, depth));
        let mut driver = TimedRun::new(&machine, timing(start));
        let mut decisions = Decisions::seeded(seed, run, true);
        let mut rec = Recorder::default();
        let end = driver.run(&mut decisions, &mut rec);
        prop_assert_eq!(end, RunEnd::Complete);
        let mut replay = PathReplay::new(&machine);
        let mut last = 0;
        for (i, &(time, t, effect)) in rec.transitions.iter().enumerate() {
            prop_assert!(time >= last, "time went back at #{}: {} after {}", i, time, last);
            last = time;
            let fired = replay.fire_effect(t, &effect);
            prop_assert!(fired.is_ok(), "#{}: {}", i, fired.unwrap_err());
        }
        let state = replay.into_state();
        prop_assert_eq!(rec.transitions.len(), driver.steps() as usize);
        prop_assert_eq!(&state, driver.state());
        prop_assert!(machine.is_complete(&state));
        if start == CacheStart::Cold {
            // Every line of every core is evicted first, at time 0.
            let evicts = machine.cores() * machine.locations();
            prop_assert!(rec.transitions.len() >= evicts);
            for &(time, t, _) in &rec.transitions[..evicts] {
                prop_assert_eq!(time, 0);
                prop_assert!(matches!(t, Transition::Evict { .. }), "{:?}", t);
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// Law 5: fuzzing finds nothing the exhaustive driver does not.
    #[test]
    fn fuzz_within_exhaustive(
        p in rmw_program(),
        model in model(),
        start in cache_start(),
        seed in any::<u64>(),
    ) {
        law_fuzz_within_exhaustive(&p, model, start, seed)?;
    }
}

proptest! {
    #![proptest_config(cases(128))]

    /// Law 6 on weak, the queue deep enough for every write.
    #[test]
    fn reductions_keep_outcomes_weak(p in small_program()) {
        let d = p.writes().max(1);
        law_reductions_keep_outcomes(&p, weak(2, d))?;
    }

    /// Law 6 on tso.
    #[test]
    fn reductions_keep_outcomes_tso(p in small_program()) {
        law_reductions_keep_outcomes(&p, tso(2))?;
    }

    /// Law 6 with locks, on weak and tso.
    #[test]
    fn reductions_keep_outcomes_locks(p in locked_program()) {
        let d = p.writes().max(1);
        law_reductions_keep_outcomes(&p, weak(2, d))?;
        law_reductions_keep_outcomes(&p, tso(2))?;
    }

    /// Law 6 on programs that deadlock, on weak (a queue that can fill,
    /// and one that cannot) and tso.
    #[test]
    fn reductions_keep_outcomes_deadlocks(p in deadlocking_program()) {
        let d = p.writes().max(1);
        law_reductions_keep_outcomes(&p, weak(2, d))?;
        law_reductions_keep_outcomes(&p, weak(1, 1))?;
        law_reductions_keep_outcomes(&p, tso(2))?;
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// Law 7: a run is a function of its inputs, also on a reused driver.
    #[test]
    fn timed_runs_are_deterministic(
        p in rmw_program(),
        model in model(),
        depth in 1usize..=4,
        start in cache_start(),
        seed in any::<u64>(),
        run in 0u64..1_000,
        other in any::<u64>(),
    ) {
        let s = p.scenario();
        let machine = Machine::new(&s, config_at(model, depth));
        let once = |driver: &mut TimedRun, seed: u64| {
            let mut decisions = Decisions::seeded(seed, run, true);
            let mut rec = Recorder::default();
            let end = driver.run(&mut decisions, &mut rec);
            (end, rec, decisions.log().to_vec(), *driver.state(), driver.now())
        };
        let mut a = TimedRun::new(&machine, timing(start));
        let first = once(&mut a, seed);
        let mut b = TimedRun::new(&machine, timing(start));
        let second = once(&mut b, seed);
        prop_assert!(first == second, "two fresh drivers differ");
        prop_assert!(!first.2.is_empty(), "no draws recorded");
        // The same driver, after another run, repeats the first.
        once(&mut a, other);
        let third = once(&mut a, seed);
        prop_assert!(first == third, "a reused driver differs");
    }
}

// ---------------------------------------------------------------------------
// The laws are not vacuous: fixed programs where the models differ
// ---------------------------------------------------------------------------

fn program(threads: Vec<Vec<Op>>) -> Program {
    let locs = threads
        .iter()
        .flatten()
        .filter_map(|o| match *o {
            Op::Load { loc, .. } | Op::Store { loc, .. } => Some(loc + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let regs = threads
        .iter()
        .map(|ops| {
            ops.iter()
                .filter_map(|o| match *o {
                    Op::Load { reg, .. } => Some(reg + 1),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    Program {
        locs,
        lock: false,
        threads,
        regs,
    }
}

/// SB: `WRITE_ONCE(x, 1); r0 = READ_ONCE(y)` against `WRITE_ONCE(y, 2);
/// r0 = READ_ONCE(x)`.
fn sb() -> Program {
    program(vec![
        vec![Op::Store { loc: 0, val: 1 }, Op::Load { loc: 1, reg: 0 }],
        vec![Op::Store { loc: 1, val: 2 }, Op::Load { loc: 0, reg: 0 }],
    ])
}

/// MP: `WRITE_ONCE(x, 1); WRITE_ONCE(y, 2)` against `r0 = READ_ONCE(y);
/// r1 = READ_ONCE(x)`.
fn mp() -> Program {
    program(vec![
        vec![Op::Store { loc: 0, val: 1 }, Op::Store { loc: 1, val: 2 }],
        vec![Op::Load { loc: 1, reg: 0 }, Op::Load { loc: 0, reg: 1 }],
    ])
}

#[test]
fn the_models_differ_where_they_should() {
    // Observed: P0:r0, P1:r0, x, y.
    let s = sb().scenario();
    let sb_relaxed = vec![0, 0, 1, 2];
    let sc_set = outcomes(&s, sc());
    assert_eq!(sc_set.len(), 3);
    assert_eq!(sc_set, interleavings(&sb()).0);
    assert!(!sc_set.contains(&sb_relaxed));
    assert!(outcomes(&s, tso(4)).contains(&sb_relaxed));
    assert!(outcomes(&s, weak(4, 4)).contains(&sb_relaxed));
    let with_mbs = sb().with_mbs_only();
    assert!(with_mbs.threads[0].contains(&Op::Fence(Fence::Mb)));
    assert_eq!(outcomes(&with_mbs.scenario(), weak(4, 4)), sc_set);

    // Observed: P1:r0, P1:r1, x, y.
    let s = mp().scenario();
    let mp_relaxed = vec![2, 0, 1, 2];
    assert!(!outcomes(&s, sc()).contains(&mp_relaxed));
    assert!(!outcomes(&s, tso(4)).contains(&mp_relaxed));
    assert!(outcomes(&s, weak(4, 4)).contains(&mp_relaxed));
}

#[test]
fn a_timed_run_reports_its_transitions() {
    let p = mp();
    let s = p.scenario();
    let machine = Machine::new(&s, weak(4, 4));
    let mut driver = TimedRun::new(&machine, timing(CacheStart::Cold));
    let mut decisions = Decisions::seeded(1, 2, true);
    let mut rec = Recorder::default();
    assert_eq!(driver.run(&mut decisions, &mut rec), RunEnd::Complete);
    // 2 cores x 2 lines evicted, 4 steps, 2 drains at least.
    assert!(rec.transitions.len() >= 10, "{:?}", rec.transitions);
    assert!(!decisions.log().is_empty());
}
