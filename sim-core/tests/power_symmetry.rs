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

/// `power`'s maximal relevant pairings, as `--smt-pairs` takes them.
fn pairings_of(scenario: &Scenario) -> Vec<String> {
    let config = Config::new(ModelName::Power, None, None, 8).unwrap();
    Machine::new(scenario, config)
        .pairings()
        .iter()
        .map(memory_model::model::pairing_text)
        .collect()
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
        let pairings = pairings_of(&scenario);
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

/// WRC with twin middle threads: a pairing shows the reader a store
/// forwarded early only by the twin paired with the writer, and the
/// swapped pairing only by the other twin. Exploring one of them must
/// still give both, each as the image of the other.
#[test]
fn twin_forwarders_are_both_seen_from_one_pairing() {
    let text = "C twin-wrc
{}
P0(int *x) { WRITE_ONCE(*x, 1); }
P1(int *x, int *y)
{
	int r0;
	r0 = READ_ONCE(*x);
	WRITE_ONCE(*y, r0);
}
P2(int *x, int *y)
{
	int r0;
	r0 = READ_ONCE(*x);
	WRITE_ONCE(*y, r0);
}
P3(int *x, int *y)
{
	int r0;
	int r1;
	r0 = READ_ONCE(*y);
	smp_rmb();
	r1 = READ_ONCE(*x);
}
locations [1:r0; 2:r0;]
exists (3:r0=1 /\\ 3:r1=0)
";
    let scenario = parse_litmus(text, "twin-wrc.litmus").unwrap();
    let pairings = pairings_of(&scenario);
    assert_eq!(pairings, ["0-1,2-3", "0-2,1-3", "0-3"]);
    let (all, _) = explore(&scenario, None).unwrap();
    let mut union = Finals::new();
    for p in &pairings {
        union.extend(explore(&scenario, Some(p)).unwrap().0);
    }
    assert_eq!(all, union);
    // [3:r0, 3:r1, 1:r0, 2:r0]: each twin the forwarder, in one pairing.
    let satisfying: Vec<&Vec<Value>> = all.iter().filter(|(_, f)| f.0).map(|(v, _)| v).collect();
    assert_eq!(
        satisfying,
        [&vec![1, 0, 0, 1], &vec![1, 0, 1, 0], &vec![1, 0, 1, 1]]
    );
}
