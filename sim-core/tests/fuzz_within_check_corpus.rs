//! The out-of-order timed driver on the litmus corpus: on arm and power,
//! every final state fuzzing reaches is one the exhaustive driver reaches,
//! for every corpus file whose exploration stays small (the built-ins alone
//! exercise few of the window's rules: RMWs, locks, RCU, dependencies,
//! conditional loads, branches guessed both ways).

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeSet;

use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{fuzz_range, Exploration, ExploreOptions, Timing};

/// Explorations above this many states are left out: the test stays a few
/// seconds (power's largest files take minutes): 545 of 650 cells, 5 s.
const STATES_MAX: usize = 5_000;

/// Runs per file and model: a sample in which an unreachable outcome
/// would show.
const RUNS: u64 = 1_000;

#[test]
fn out_of_order_fuzz_outcomes_are_among_reachable_final_states() {
    let Some(dir) =
        corpus::litmus_corpus("out_of_order_fuzz_outcomes_are_among_reachable_final_states")
    else {
        return;
    };
    let mut files: Vec<_> = ["linux", "extra", "races"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "litmus"))
        .collect();
    files.sort();
    let mut cells = 0;
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(scenario) = parse_litmus(&text, &name) else {
            continue; // unsupported
        };
        for model in [ModelName::Arm, ModelName::Power] {
            let machine = Machine::new(&scenario, Config::new(model, None, None, 8).unwrap());
            let options = ExploreOptions {
                states_max: STATES_MAX,
                ..ExploreOptions::default()
            };
            let x = Exploration::run(&machine, options);
            if x.bound_exceeded {
                continue;
            }
            let reachable: BTreeSet<&Vec<_>> = x
                .finals
                .iter()
                .filter(|(_, f)| !f.filtered_out)
                .map(|(values, _)| values)
                .collect();
            let fuzz = fuzz_range(&machine, Timing::default(), 3, 0..RUNS);
            assert_eq!(fuzz.runs, RUNS);
            for values in fuzz.outcomes.keys() {
                assert!(
                    reachable.contains(values),
                    "{name} on {model}: fuzz found {values:?}, which check does not reach"
                );
            }
            if fuzz.deadlock_runs > 0 {
                assert!(
                    !x.deadlocks.is_empty(),
                    "{name} on {model}: fuzz deadlocked, check finds no deadlock"
                );
            }
            cells += 1;
        }
    }
    eprintln!("{cells} (file, model) cells fuzzed within their check");
    assert!(cells >= 300, "only {cells} cells");
}
