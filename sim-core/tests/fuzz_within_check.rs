//! Every outcome fuzzing reports is one the exhaustive driver reaches: the
//! timed driver only fires transitions of the same LTS.

use std::collections::BTreeSet;

use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::{builtin, BUILTINS};
use sim_core::{fuzz_range, Exploration, ExploreOptions, Timing};

/// Runs fuzz at most gives one cell (scenario, model) to reach every
/// final state the exhaustive driver finds. On seed 11 the slowest cell,
/// ISA2+release+acquires on tso, reaches its last outcome at run 26,917
/// (IRIW on weak at 22,930; every other cell within 10,000).
const RUNS_MAX: u64 = 40_000;

/// Runs every cell gets at least, past reaching every final state: a
/// sample in which an outcome the check does not reach would show.
const RUNS_MIN: u64 = 2_000;

/// Fuzzes every built-in on every model in chunks from run 0, until it has
/// seen every unfiltered final state the check reaches (and `RUNS_MIN`
/// runs), asserting at every chunk that each outcome it saw is one of them.
/// So fuzzing never shows an unreachable outcome, and with enough runs it
/// shows every reachable one: the two drivers agree on each cell.
#[test]
fn fuzz_outcomes_are_among_reachable_final_states() {
    const CHUNK: u64 = 1_000;
    for b in BUILTINS {
        let scenario = b.scenario();
        for model in ModelName::ALL {
            let machine = Machine::new(&scenario, Config::new(model, None, None, 4).unwrap());
            let x = Exploration::run(&machine, ExploreOptions::default());
            let reachable: BTreeSet<&Vec<_>> = x
                .finals
                .iter()
                .filter(|(_, f)| !f.filtered_out)
                .map(|(values, _)| values)
                .collect();
            let mut seen = BTreeSet::new();
            let mut runs = 0;
            while runs < RUNS_MIN || (seen.len() < reachable.len() && runs < RUNS_MAX) {
                let fuzz = fuzz_range(&machine, Timing::default(), 11, runs..runs + CHUNK);
                assert_eq!(fuzz.runs, CHUNK);
                assert_eq!(fuzz.bound_exceeded_runs, 0, "{} on {model}", b.name);
                assert_eq!(fuzz.deadlock_runs, 0, "{} on {model}", b.name);
                for values in fuzz.outcomes.into_keys() {
                    assert!(
                        reachable.contains(&values),
                        "{} on {model}: fuzz found {values:?}, which check does not reach",
                        b.name
                    );
                    seen.insert(values);
                }
                runs += CHUNK;
            }
            assert_eq!(
                seen.len(),
                reachable.len(),
                "{} on {model}: fuzz reached {seen:?} of {reachable:?} in {runs} runs",
                b.name
            );
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
    // On seed 0 the first run already ends in (0, 0); a thousand runs show
    // the other outcomes beside it, so that `matches` counts only its runs.
    let fuzz = fuzz_range(&machine, Timing::default(), 0, 0..1_000);
    assert!(fuzz.outcomes.get(&vec![0, 0]).is_some_and(|&n| n > 0));
    assert_eq!(fuzz.outcomes.len(), 4);
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
