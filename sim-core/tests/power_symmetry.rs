//! The exhaustive driver explores one pairing of each class of symmetric
//! pairings (threads with the same code) and adds the images of its final
//! states: on every corpus file, the final states (with whether each
//! satisfies the condition and is filtered), the deadlocks and the verdict
//! are those of exploring every pairing, each fixed with `--smt-pairs`.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;

use memory_model::ir::{Scenario, Value};
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{Exploration, ExploreOptions};

const STATES_MAX: usize = 200_000;

type Finals = BTreeMap<Vec<Value>, (bool, bool)>;

fn explore(scenario: &Scenario, pairs: Option<&str>) -> Option<(Finals, usize)> {
    let config = Config::new(ModelName::Power, None, None, 8)
        .unwrap()
        .with_smt_pairs(pairs, scenario.threads.len())
        .unwrap();
    let machine = Machine::new(scenario, config);
    let x = Exploration::run(
        &machine,
        ExploreOptions {
            states_max: STATES_MAX,
            ..ExploreOptions::default()
        },
    );
    (!x.bound_exceeded).then(|| {
        let finals = x
            .finals
            .values()
            .map(|f| (f.values.clone(), (f.satisfies, f.filtered_out)))
            .collect();
        (finals, x.deadlocks.len())
    })
}

/// `0-1,2-3` for a pairing given as each core's pair index.
fn pairs_text(pairing: &[u8], cores: usize) -> String {
    let mut pairs = Vec::new();
    for a in 0..cores {
        for b in a + 1..cores {
            if pairing[a] != u8::MAX && pairing[a] == pairing[b] {
                pairs.push(format!("{a}-{b}"));
            }
        }
    }
    if pairs.is_empty() {
        "none".into()
    } else {
        pairs.join(",")
    }
}

#[test]
fn symmetric_pairings_give_every_pairings_final_states() {
    let Some(dir) = corpus::litmus_corpus("symmetric_pairings_give_every_pairings_final_states")
    else {
        return;
    };
    let list = std::fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    let mut compared = 0;
    for line in list.lines().skip(1) {
        let file = line.split('\t').next().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let Ok(scenario) = parse_litmus(&text, file) else {
            continue;
        };
        let cores = scenario.threads.len();
        let config = Config::new(ModelName::Power, None, None, 8).unwrap();
        let pairings: Vec<String> = Machine::new(&scenario, config)
            .pairings()
            .iter()
            .map(|p| pairs_text(p, cores))
            .collect();
        let same_code = (0..cores).any(|a| {
            (a + 1..cores).any(|b| scenario.threads[a].instrs == scenario.threads[b].instrs)
        });
        if pairings.len() < 2 || !same_code {
            continue;
        }
        let Some((all, deadlocks)) = explore(&scenario, None) else {
            continue;
        };
        let mut union = Finals::new();
        let mut union_deadlocks = 0;
        let mut finished = true;
        for p in &pairings {
            match explore(&scenario, Some(p)) {
                Some((finals, d)) => {
                    union.extend(finals);
                    union_deadlocks += d;
                }
                None => finished = false,
            }
        }
        if !finished {
            continue;
        }
        assert_eq!(all, union, "{file}: final states");
        assert_eq!(deadlocks > 0, union_deadlocks > 0, "{file}: deadlocks");
        compared += 1;
    }
    eprintln!("{compared} files with symmetric pairings compared");
    assert!(compared >= 3, "only {compared} files compared");
}
