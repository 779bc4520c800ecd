//! The rules about runs that live in one place each (issue 12): which
//! delay a transition takes, which evictions matter, which cores a state
//! leaves blocked and whether a final state fails the test.

use memory_model::ir::{Loc, Scenario};
use memory_model::{
    BlockReason, Config, Effect, Machine, ModelName, Read, ReadSource, State, Transition,
};
use scenarios::builtin::builtin;
use sim_core::{Cycles, Exploration, ExploreOptions, LatencyClass, PathReplay, Timing};

fn scenario(name: &str) -> Scenario {
    builtin(name).expect("built-in").scenario()
}

fn config(model: ModelName) -> Config {
    Config::new(model, None, None, 2).unwrap()
}

/// The state at the end of `path` from the initial state.
fn after(machine: &Machine, path: &[Transition]) -> State {
    let mut replay = PathReplay::new(machine);
    replay
        .fire_all(path.iter().copied())
        .unwrap_or_else(|e| panic!("{e}"));
    replay.into_state()
}

fn step(pc: u16, source: Option<ReadSource>, published: bool, invalidations: u8) -> Effect {
    let x = Loc(0);
    Effect::Step {
        pc,
        read: source.map(|source| Read {
            loc: x,
            value: 0,
            source,
        }),
        buffered: None,
        published: published.then_some((x, 1)),
        invalidations,
    }
}

#[test]
fn each_effect_has_one_latency_class_and_its_timing_range() {
    use LatencyClass::*;
    let x = Loc(0);
    let table = [
        (step(0, None, false, 0), Hit),
        (step(0, Some(ReadSource::StoreBuffer), false, 0), Hit),
        (step(0, Some(ReadSource::Cache), false, 0), Hit),
        (step(0, Some(ReadSource::StaleCache), false, 0), Hit),
        (step(0, Some(ReadSource::Memory), false, 0), Miss),
        // An RMW reads memory and writes: the write decides.
        (step(0, Some(ReadSource::Memory), true, 0), OwnedDrain),
        (
            step(0, Some(ReadSource::Memory), true, 2),
            InvalidationRoundTrip,
        ),
        (
            Effect::Drain {
                loc: x,
                value: 1,
                invalidations: 0,
            },
            OwnedDrain,
        ),
        (
            Effect::Drain {
                loc: x,
                value: 1,
                invalidations: 1,
            },
            InvalidationRoundTrip,
        ),
        (Effect::Invalidate { loc: x }, QueueProcessing),
        (Effect::Evict { loc: x }, Eviction),
    ];
    for (effect, class) in table {
        assert_eq!(LatencyClass::of(&effect), class, "{effect:?}");
    }
    let timing = Timing::default();
    assert_eq!(Hit.cycles(&timing), timing.hit);
    assert_eq!(Miss.cycles(&timing), timing.miss);
    assert_eq!(OwnedDrain.cycles(&timing), timing.owned_drain);
    assert_eq!(
        InvalidationRoundTrip.cycles(&timing),
        timing.invalidation_round_trip
    );
    assert_eq!(QueueProcessing.cycles(&timing), timing.queue_processing);
    assert_eq!(Eviction.cycles(&timing), Cycles::new(0, 0));
    assert_eq!(LatencyClass::write(true), InvalidationRoundTrip);
    assert_eq!(LatencyClass::write(false), OwnedDrain);
}

#[test]
fn copies_can_be_stale_only_behind_an_invalidation_queue() {
    let sb = scenario("SB");
    for (config, stale) in [
        (config(ModelName::Sc), false),
        (config(ModelName::Tso), false),
        (config(ModelName::Weak), true),
        (
            Config::new(ModelName::Weak, Some(2), Some(0), 2).unwrap(),
            false,
        ),
    ] {
        let machine = Machine::new(&sb, config);
        assert_eq!(machine.copies_can_be_stale(), stale, "{config:?}");
    }
}

#[test]
fn only_the_eviction_of_a_stale_copy_is_not_harmless() {
    let sb = scenario("SB");
    let machine = Machine::new(&sb, config(ModelName::Weak));
    let (x, y) = (Loc(0), Loc(1));
    let evict = |core, loc| Transition::Evict { core, loc };
    // Warm start: every copy equals memory.
    let start = machine.initial_state();
    for core in 0..2 {
        for loc in [x, y] {
            assert!(machine.is_harmless(&start, evict(core, loc)));
        }
        assert!(!machine.is_harmless(&start, Transition::Step { core }));
    }
    // P0 stores x = 1 and drains it: P1's copy of x is stale until its
    // queued invalidation is applied; P0's own copy equals memory.
    let drained = after(
        &machine,
        &[
            Transition::Step { core: 0 },
            Transition::Drain { core: 0, slot: 0 },
        ],
    );
    assert!(!machine.is_harmless(&drained, evict(1, x)));
    assert!(machine.is_harmless(&drained, evict(0, x)));
    assert!(machine.is_harmless(&drained, evict(1, y)));
    assert!(!machine.is_harmless(&drained, Transition::Invalidate { core: 1 }));
    // P0 loads y next, never x again: its copy of x is dead, y is not.
    assert_eq!(machine.dead_copies(&drained, 0), 1 << x.0);
    assert!(machine.is_dead(&drained, 0, x));
    assert!(!machine.is_dead(&drained, 0, y));
}

#[test]
fn blocked_cores_are_the_cores_not_done_with_why_each_cannot_step() {
    let sb = scenario("SB+mbs");
    let machine = Machine::new(&sb, config(ModelName::Weak));
    let start = machine.initial_state();
    let everyone: Vec<_> = machine
        .blocked_cores(&start)
        .iter()
        .map(|b| (b.core, b.pc, b.reason))
        .collect();
    assert_eq!(everyone, [(0, 0, None), (1, 0, None)]);
    // P0's store is buffered: its smp_mb() waits for the buffer.
    let waiting = after(&machine, &[Transition::Step { core: 0 }]);
    let blocked: Vec<_> = machine
        .blocked_cores(&waiting)
        .iter()
        .map(|b| (b.core, b.pc, b.reason))
        .collect();
    assert_eq!(
        blocked,
        [(0, 1, Some(BlockReason::FenceWaits)), (1, 0, None)]
    );
}

#[test]
fn a_final_state_fails_where_the_driver_marks_it_failing() {
    for name in ["SB", "MP+wmb+rmb", "IRIW"] {
        let s = scenario(name);
        for model in ModelName::ALL {
            let machine = Machine::new(&s, config(model));
            let x = Exploration::run(&machine, ExploreOptions::default());
            for f in x.finals.values() {
                let state = after(&machine, &x.path_to(f.state));
                let marked = !f.filtered_out && s.condition.fails_when(f.satisfies);
                assert_eq!(
                    machine.final_state_fails(&state),
                    marked,
                    "{name} on {model}: {:?}",
                    f.values
                );
                assert_eq!(machine.filter_admits(&state), !f.filtered_out);
            }
            let failing = x
                .finals
                .values()
                .any(|f| machine.final_state_fails(&after(&machine, &x.path_to(f.state))));
            assert_eq!(failing, x.witness().is_some(), "{name} on {model}");
        }
    }
}
