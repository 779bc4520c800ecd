//! Every outcome fuzzing reports is one the exhaustive driver reaches: the
//! timed driver only fires transitions of the same LTS.

use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::{builtin, BUILTINS};
use sim_core::{fuzz_range, Exploration, ExploreOptions, Timing};

const RUNS: u64 = 100_000;

#[test]
fn fuzz_outcomes_are_among_reachable_final_states() {
    for b in BUILTINS {
        let scenario = b.scenario();
        for model in ModelName::ALL {
            let machine = Machine::new(&scenario, Config::new(model, None, None, 4).unwrap());
            let x = Exploration::run(&machine, ExploreOptions::default());
            let fuzz = fuzz_range(&machine, Timing::default(), 11, 0..RUNS);
            assert_eq!(fuzz.runs, RUNS);
            assert_eq!(fuzz.bound_exceeded_runs, 0, "{} on {model}", b.name);
            assert_eq!(fuzz.deadlock_runs, 0, "{} on {model}", b.name);
            for values in fuzz.outcomes.keys() {
                assert!(
                    x.finals.contains_key(values),
                    "{} on {model}: fuzz found {values:?}, which check does not reach",
                    b.name
                );
            }
        }
    }
}

#[test]
fn fuzz_finds_store_buffering_on_weak() {
    let scenario = builtin("SB").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 4).unwrap(),
    );
    let fuzz = fuzz_range(&machine, Timing::default(), 0, 0..RUNS);
    assert!(fuzz.outcomes.get(&vec![0, 0]).is_some_and(|&n| n > 0));
    assert_eq!(fuzz.matches, fuzz.outcomes[&vec![0, 0]]);
}

#[test]
fn split_campaigns_count_what_one_campaign_counts() {
    let scenario = builtin("MP").unwrap().scenario();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 4).unwrap(),
    );
    let whole = fuzz_range(&machine, Timing::default(), 5, 0..3_000);
    let mut parts = fuzz_range(&machine, Timing::default(), 5, 1_000..3_000);
    parts.merge(fuzz_range(&machine, Timing::default(), 5, 0..1_000));
    assert_eq!(whole, parts);
}
