//! OUT-OF-ORDER.md 4's inclusions on the litmus corpus and the race data:
//! every final state `arm` or `weak` finds, `power` finds too. A file is
//! compared where all three explorations finish within `STATES_MAX`.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::path::Path;

use memory_model::ir::Value;
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::parse_litmus;
use sim_core::{Exploration, ExploreOptions};

const STATES_MAX: usize = 20_000;

fn finals(scenario: &memory_model::ir::Scenario, model: ModelName) -> Option<BTreeSet<Vec<Value>>> {
    let machine = Machine::new(scenario, Config::new(model, None, None, 8).unwrap());
    let x = Exploration::run(
        &machine,
        ExploreOptions {
            states_max: STATES_MAX,
            ..ExploreOptions::default()
        },
    );
    (!x.bound_exceeded).then(|| x.finals.keys().cloned().collect())
}

/// The files a `.tsv` of `dir` lists (first column), parsed where supported.
fn compare_listed(dir: &Path, tsv: &str, compared: &mut usize, skipped: &mut usize) {
    let list = std::fs::read_to_string(dir.join(tsv)).unwrap();
    for line in list.lines().skip(1) {
        let file = line.split('\t').next().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let Ok(scenario) = parse_litmus(&text, file) else {
            continue; // unsupported
        };
        let (Some(power), Some(arm), Some(weak)) = (
            finals(&scenario, ModelName::Power),
            finals(&scenario, ModelName::Arm),
            finals(&scenario, ModelName::Weak),
        ) else {
            *skipped += 1;
            continue;
        };
        let missing: Vec<_> = arm.difference(&power).collect();
        assert!(
            missing.is_empty(),
            "{file}: arm shows {missing:?}, power does not"
        );
        let missing: Vec<_> = weak.difference(&power).collect();
        assert!(
            missing.is_empty(),
            "{file}: weak shows {missing:?}, power does not"
        );
        *compared += 1;
    }
}

#[test]
fn power_shows_everything_arm_and_weak_show_on_the_corpus() {
    let Some(dir) = corpus::litmus_corpus("power_shows_everything_arm_and_weak_show_on_the_corpus")
    else {
        return;
    };
    let (mut compared, mut skipped) = (0, 0);
    compare_listed(&dir, "verdicts.tsv", &mut compared, &mut skipped);
    eprintln!("{compared} files compared, {skipped} over {STATES_MAX} states");
    assert!(compared >= 270, "only {compared} files compared");
}

#[test]
fn power_shows_everything_arm_and_weak_show_on_the_race_data() {
    let Some(dir) =
        corpus::litmus_corpus("power_shows_everything_arm_and_weak_show_on_the_race_data")
    else {
        return;
    };
    let (mut compared, mut skipped) = (0, 0);
    compare_listed(&dir.join("races"), "races.tsv", &mut compared, &mut skipped);
    eprintln!("{compared} files compared, {skipped} over {STATES_MAX} states");
    assert!(compared >= 120, "only {compared} files compared");
}
