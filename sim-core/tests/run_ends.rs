//! The three ways a run ends (MACHINE.md, "How a run ends"), on both drivers.

use memory_model::ir::Scenario;
use memory_model::{BlockReason, Config, Machine, ModelName};
use scenarios::builder::{all, eq, ScenarioBuilder};
use sim_core::{
    fuzz_range, Bound, Decisions, Exploration, ExploreOptions, Quiet, RunEnd, TimedRun, Timing,
};

/// P0 takes the lock and never releases it; P1 waits for it forever. P2
/// waits for a flag nobody sets.
fn stuck() -> Scenario {
    let mut b = ScenarioBuilder::new("stuck");
    let l = b.location("l", 0);
    let flag = b.location("flag", 0);
    b.thread(|t| t.spin_lock(l, "spin_lock(l);"));
    b.thread(|t| {
        t.spin_lock(l, "spin_lock(l);");
    });
    b.thread(|t| {
        let r0 = t.register("r0");
        let val = t.expr(memory_model::ir::Expr::Val);
        let one = t.constant(1);
        let cond = t.binary(memory_model::ir::BinaryOp::Eq, val, one);
        t.cond_load(
            r0,
            flag,
            cond,
            false,
            "r0 = smp_cond_load_relaxed(flag, VAL == 1);",
        );
    });
    b.exists(all([]));
    b.build().unwrap()
}

#[test]
fn a_deadlock_names_each_blocked_core_and_is_never_a_final_state() {
    let scenario = stuck();
    for model in ModelName::ALL {
        let machine = Machine::new(&scenario, Config::new(model, None, None, 2).unwrap());
        let x = Exploration::run(&machine, ExploreOptions::default());
        assert!(x.finals.is_empty(), "{model}: a deadlock counted as final");
        assert_eq!(x.verdict(), sim_core::Verdict::Never);
        assert!(!x.deadlocks.is_empty(), "{model}");
        for d in &x.deadlocks {
            let blocked: Vec<_> = d.blocked.iter().map(|b| (b.core, b.reason)).collect();
            // Either P0 or P1 got the lock; the other and P2 are blocked.
            assert_eq!(blocked.len(), 2, "{model}: {blocked:?}");
            assert!(blocked.contains(&(2, Some(BlockReason::ConditionNotMet))));
            assert!(blocked
                .iter()
                .any(|&(c, r)| c < 2 && r == Some(BlockReason::LockHeld)));
        }

        let fuzz = fuzz_range(&machine, Timing::default(), 1, 0..500);
        assert_eq!(fuzz.deadlock_runs, 500, "{model}");
        assert_eq!(fuzz.first_deadlock, Some(0));
        assert!(fuzz.outcomes.is_empty());
    }
}

#[test]
fn a_thread_that_loops_forever_ends_at_the_step_bound() {
    let mut b = ScenarioBuilder::new("spin");
    let x = b.location("x", 0);
    b.thread(|t| {
        let top = t.label();
        t.bind(top);
        let r0 = t.register("r0");
        t.read_once(r0, x, "r0 = READ_ONCE(*x);");
        t.jump(top, "goto top;");
    });
    let cond = eq(b.reg(0, "r0"), 1);
    b.exists(cond);
    let scenario = b.build().unwrap();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 2).unwrap(),
    );
    let timing = Timing {
        steps_max: 300,
        ..Timing::default()
    };
    let mut run = TimedRun::new(&machine, timing);
    let end = run.run(&mut Decisions::seeded(0, 0, false), &mut Quiet);
    assert_eq!(end, RunEnd::BoundExceeded);
    assert_eq!(run.steps(), 300);
    let fuzz = fuzz_range(&machine, timing, 0, 0..10);
    assert_eq!(fuzz.bound_exceeded_runs, 10);

    // The exhaustive driver sees the loop as a cycle: no final state, no
    // deadlock, and it terminates.
    let x = Exploration::run(&machine, ExploreOptions::default());
    assert!(x.finals.is_empty() && x.deadlocks.is_empty() && !x.bound_exceeded);
}

#[test]
fn the_state_bound_stops_an_exploration() {
    let scenario = scenarios::builtin::builtin("IRIW+mbs").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 4).unwrap(),
    );
    let x = Exploration::run(
        &machine,
        ExploreOptions {
            states_max: 100,
            ..ExploreOptions::default()
        },
    );
    assert!(x.bound_exceeded);
    assert_eq!(x.explored_states, 100);
}

#[test]
fn the_memory_bound_stops_an_exploration_before_the_table_outgrows_it() {
    let scenario = scenarios::builtin::builtin("IRIW+mbs").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 4).unwrap(),
    );
    // Without partial-order reduction: enough states for the table to grow
    // past its first allocation.
    let options = ExploreOptions {
        partial_order: false,
        ..ExploreOptions::default()
    };
    let whole = Exploration::run(&machine, options);
    assert_eq!(whole.bound_hit, None);
    let memory_max = whole.memory_bytes() / 2;
    let x = Exploration::run(
        &machine,
        ExploreOptions {
            memory_max,
            ..options
        },
    );
    assert!(x.bound_exceeded);
    assert_eq!(x.bound_hit, Some(Bound::Memory));
    assert!(x.memory_bytes() <= memory_max);
    assert!(x.explored_states > 0 && x.explored_states < whole.explored_states);
    let states = Exploration::run(
        &machine,
        ExploreOptions {
            states_max: 100,
            ..ExploreOptions::default()
        },
    );
    assert_eq!(states.bound_hit, Some(Bound::States));
}
