//! The verdicts of the engine issue's table, on the built-in scenarios
//! (litmus files embedded in the binary, read by the litmus parser).

use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::builtin;
use sim_core::{Exploration, ExploreOptions, Verdict};

fn verdict(name: &str, model: ModelName, sb: Option<usize>, iq: Option<usize>) -> Verdict {
    let scenario = builtin(name).expect("built-in").scenario();
    let config = Config::new(model, sb, iq, 4).expect("valid config");
    let machine = Machine::new(&scenario, config);
    let x = Exploration::run(&machine, ExploreOptions::default());
    assert!(!x.bound_exceeded, "{name} on {model}: bound exceeded");
    x.verdict()
}

use ModelName::{Sc, Tso, Weak};
use Verdict::{Never, Sometimes};

#[test]
fn engine_issue_table() {
    let table: &[(&str, [Verdict; 3])] = &[
        ("SB", [Never, Sometimes, Sometimes]),
        ("SB+mbs", [Never, Never, Never]),
        ("MP", [Never, Never, Sometimes]),
        ("MP+wmb+rmb", [Never, Never, Never]),
        ("MP+wmb", [Never, Never, Sometimes]),
        ("MP+rmb", [Never, Never, Sometimes]),
        ("LB", [Never, Never, Never]),
        ("IRIW+mbs", [Never, Never, Never]),
        ("2+2W+wmbs", [Never, Never, Never]),
        ("MP+wmb+addr", [Never, Never, Never]),
        ("IRIW", [Never, Never, Sometimes]),
        ("WRC+wmb+rmb", [Never, Never, Never]),
        ("ISA2+release+acquires", [Never, Never, Never]),
        ("R", [Never, Sometimes, Sometimes]),
        ("S+wmb+acquire", [Never, Never, Never]),
    ];
    let mut wrong = Vec::new();
    for (name, expected) in table {
        for (model, want) in [Sc, Tso, Weak].into_iter().zip(expected) {
            let got = verdict(name, model, None, None);
            if got != *want {
                wrong.push(format!("{name} on {model}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sb_mbs_is_never_at_every_depth() {
    for sb in 0..=4 {
        assert_eq!(
            verdict("SB+mbs", Tso, Some(sb), Some(0)),
            Never,
            "tso sb={sb}"
        );
        for iq in 0..=4 {
            assert_eq!(
                verdict("SB+mbs", Weak, Some(sb), Some(iq)),
                Never,
                "weak sb={sb} iq={iq}"
            );
        }
    }
    assert_eq!(verdict("SB+mbs", Sc, Some(0), Some(0)), Never);
}

#[test]
fn reductions_keep_iriw_mbs_small() {
    let scenario = builtin("IRIW+mbs").unwrap().scenario();
    let machine = Machine::new(&scenario, Config::new(Weak, None, None, 4).unwrap());
    let reduced = Exploration::run(&machine, ExploreOptions::default());
    let plain = Exploration::run(
        &machine,
        ExploreOptions {
            reductions: false,
            ..ExploreOptions::default()
        },
    );
    eprintln!(
        "IRIW+mbs weak: {} states reduced, {} plain",
        reduced.explored_states, plain.explored_states
    );
    assert_eq!(
        reduced.finals.keys().collect::<Vec<_>>(),
        plain.finals.keys().collect::<Vec<_>>()
    );
    assert!(reduced.explored_states * 10 < plain.explored_states);
}
