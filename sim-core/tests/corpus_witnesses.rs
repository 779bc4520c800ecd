//! For every file of the litmus corpus where herd7 says `Sometimes` and a
//! model agrees, the shortest witness replays on the plain LTS, transition by
//! transition, to a complete state with the witness's values, meeting the
//! condition.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use memory_model::ir::Quantifier;
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{Exploration, ExploreOptions, PathReplay, Verdict};

#[test]
fn witnesses_of_sometimes_agreements_replay() {
    let Some(dir) = corpus::litmus_corpus("witnesses_of_sometimes_agreements_replay") else {
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    let mut replayed = 0;
    for line in tsv.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.get(1) != Some(&"Sometimes") {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(fields[0])).unwrap();
        let Ok(scenario) = parse_litmus(&text, fields[0]) else {
            continue; // unsupported
        };
        for model in ModelName::ALL {
            let machine = Machine::new(&scenario, Config::new(model, None, None, 8).unwrap());
            let x = Exploration::run(&machine, ExploreOptions::default());
            if x.bound_exceeded || x.verdict() != Verdict::Sometimes {
                continue;
            }
            let witness = x.witness().expect("Sometimes has a witness");
            let mut replay = PathReplay::new(&machine);
            if let Err(e) = replay.fire_all(x.path_to(witness.state)) {
                panic!("{} on {model}: {e}", fields[0]);
            }
            let state = replay.into_state();
            assert!(machine.is_complete(&state), "{} on {model}", fields[0]);
            let values: Vec<_> = scenario
                .observed
                .iter()
                .map(|&o| machine.observe(&state, o))
                .collect();
            assert_eq!(values, witness.values, "{} on {model}", fields[0]);
            let wanted = scenario.condition.quantifier != Quantifier::Forall;
            assert_eq!(machine.holds(&state, &scenario.condition.prop), wanted);
            replayed += 1;
        }
    }
    eprintln!("{replayed} witnesses replayed");
    assert!(replayed >= 15, "only {replayed} witnesses");
}
