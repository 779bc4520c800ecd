//! On every file of the litmus corpus and every model, where the unreduced
//! exploration finishes within `PLAIN_STATES_MAX` states, every reduction
//! alone and all of them together find the same final states and the same
//! deadlocks (values and blocked cores). Slow (minutes): ignored by default,
//! run with `cargo test --release -p sim-core --test reduction_corpus --
//! --ignored`.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeSet;

use memory_model::ir::Value;
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{Exploration, ExploreOptions};

mod reductions;
use reductions::variants;

/// The unreduced explorations compared: the rest are skipped (counted).
const PLAIN_STATES_MAX: usize = 200_000;

type Ends = (BTreeSet<Vec<Value>>, BTreeSet<(Vec<Value>, String)>);

fn ends(x: &Exploration) -> Ends {
    (
        x.finals.keys().cloned().collect(),
        x.deadlocks
            .iter()
            .map(|d| (d.values.clone(), format!("{:?}", d.blocked)))
            .collect(),
    )
}

#[test]
#[ignore = "minutes: every corpus file, unreduced, on every model"]
fn reductions_keep_finals_and_deadlocks_on_the_corpus() {
    let Some(dir) = corpus::litmus_corpus("reductions_keep_finals_and_deadlocks_on_the_corpus")
    else {
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    let (mut compared, mut too_big, mut with_deadlocks) = (0, 0, 0);
    for line in tsv.lines().skip(1) {
        let file = line.split('\t').next().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let Ok(scenario) = parse_litmus(&text, file) else {
            continue; // unsupported
        };
        for model in ModelName::ALL {
            let machine = Machine::new(&scenario, Config::new(model, None, None, 8).unwrap());
            let plain = Exploration::run(
                &machine,
                ExploreOptions {
                    reductions: false,
                    states_max: PLAIN_STATES_MAX,
                    ..ExploreOptions::default()
                },
            );
            if plain.bound_exceeded {
                too_big += 1;
                continue;
            }
            let want = ends(&plain);
            for (name, options) in variants() {
                let x = Exploration::run(&machine, options);
                assert!(!x.bound_exceeded, "{file} on {model}: {name} hit a bound");
                assert!(
                    ends(&x) == want,
                    "{file} on {model}: {name} changes the final states or deadlocks"
                );
            }
            compared += 1;
            with_deadlocks += !want.1.is_empty() as usize;
        }
    }
    eprintln!(
        "{compared} explorations compared ({with_deadlocks} with deadlocks), \
         {too_big} too big unreduced"
    );
    assert!(compared >= 300, "only {compared} explorations compared");
    assert!(with_deadlocks > 0, "no deadlocking file compared");
}
