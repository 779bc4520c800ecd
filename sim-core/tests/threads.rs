//! The exhaustive driver gives the same results at any thread count: the
//! same states (numbered alike), final states, deadlocks, verdict and
//! witness paths, and a bound stops it at the same state.

use memory_model::ir::{BinaryOp, Expr, Scenario};
use memory_model::{Config, Machine, ModelName};
use scenarios::builder::{all, ScenarioBuilder};
use scenarios::builtin::{builtin, XenVariant};
use sim_core::{Exploration, ExploreOptions};

/// Everything an exploration found, paths included, in comparable form.
fn summary(x: &Exploration) -> String {
    let mut s = format!(
        "states {} bound {:?} verdict {:?}\n",
        x.explored_states,
        x.bound_hit,
        (!x.bound_exceeded).then(|| x.verdict()),
    );
    for f in x.finals.values() {
        s += &format!(
            "final {:?} {} {} at {}: {:?}\n",
            f.values,
            f.satisfies,
            f.filtered_out,
            f.state,
            x.steps_to(f.state)
        );
    }
    for d in &x.deadlocks {
        s += &format!(
            "deadlock {:?} {:?} at {}: {:?}\n",
            d.values,
            d.blocked,
            d.state,
            x.path_to(d.state)
        );
    }
    s
}

/// Explores on 1, 2 and 4 threads and asserts the summaries agree;
/// returns the states explored.
fn same_at_any_thread_count(
    scenario: &Scenario,
    model: ModelName,
    options: ExploreOptions,
) -> usize {
    let machine = Machine::new(scenario, Config::new(model, None, None, 4).unwrap());
    let one = Exploration::run(
        &machine,
        ExploreOptions {
            threads: 1,
            ..options
        },
    );
    let expected = summary(&one);
    for threads in [2, 4] {
        let x = Exploration::run(&machine, ExploreOptions { threads, ..options });
        assert_eq!(
            summary(&x),
            expected,
            "{} on {model} at {threads} threads",
            scenario.name
        );
        assert_eq!(x.memory_bytes(), one.memory_bytes());
    }
    one.explored_states
}

/// P0 takes the lock and never releases it; P1 waits for it forever.
fn stuck() -> Scenario {
    let mut b = ScenarioBuilder::new("stuck");
    let l = b.location("l", 0);
    let flag = b.location("flag", 0);
    b.thread(|t| t.spin_lock(l, "spin_lock(l);"));
    b.thread(|t| t.spin_lock(l, "spin_lock(l);"));
    b.thread(|t| {
        let r0 = t.register("r0");
        let val = t.expr(Expr::Val);
        let one = t.constant(1);
        let cond = t.binary(BinaryOp::Eq, val, one);
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
fn builtins_and_a_deadlock_explore_alike_on_one_two_and_four_threads() {
    let mut scenarios: Vec<Scenario> = ["SB", "MP+wmb+rmb", "IRIW", "2+2W+wmbs", "WRC+wmb+rmb"]
        .iter()
        .map(|n| builtin(n).unwrap().scenario())
        .collect();
    scenarios.push(stuck());
    for scenario in &scenarios {
        for model in ModelName::ALL {
            same_at_any_thread_count(scenario, model, ExploreOptions::default());
            let plain = ExploreOptions {
                reductions: false,
                ..ExploreOptions::default()
            };
            same_at_any_thread_count(scenario, model, plain);
        }
    }
}

/// A scenario of tens of thousands of states: many rounds of the parallel
/// driver, and bounds that stop it in the middle of one. The smallest full
/// Xen scenario (55,212 states on weak) is large enough; the others, up to
/// three times larger, would only add time.
#[test]
fn a_large_exploration_and_its_bounds_agree_across_thread_counts() {
    let large = XenVariant::parse("xen-shutdown-full:vcpu=mb,shutdown=mb")
        .unwrap()
        .unwrap()
        .scenario();
    let states = same_at_any_thread_count(&large, ModelName::Weak, ExploreOptions::default());
    assert!(
        states > 20_000,
        "{states} states: too few for several rounds"
    );
    for states_max in [1, 2, states / 3, states - 1] {
        let options = ExploreOptions {
            states_max,
            ..ExploreOptions::default()
        };
        let found = same_at_any_thread_count(&large, ModelName::Weak, options);
        assert_eq!(found, states_max);
    }
    let options = ExploreOptions {
        memory_max: 1 << 20,
        ..ExploreOptions::default()
    };
    let found = same_at_any_thread_count(&large, ModelName::Weak, options);
    assert!(found > 0 && found < states, "{found}");
}
