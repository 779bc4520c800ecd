//! XEN-SHUTDOWN.md's expected results, for every scenario and barrier pair,
//! by the exhaustive driver and by fuzzing.

use memory_model::ir::{Observable, Scenario, Value};
use memory_model::{Config, Machine, ModelName};
use scenarios::builtin::XenVariant;
use sim_core::{fuzz_range, Exploration, ExploreOptions, Timing, Verdict};

fn machine(scenario: &Scenario, model: ModelName) -> Machine<'_> {
    Machine::new(scenario, Config::new(model, None, None, 8).unwrap())
}

fn real_code(v: &XenVariant) -> bool {
    v.vcpu == "mb" && v.shutdown == "mb"
}

/// The index of a location among the observed values, if observed.
fn observed(scenario: &Scenario, name: &str) -> Option<usize> {
    scenario.observed.iter().position(|&o| match o {
        Observable::Location(l) => scenario.location_name(l) == name,
        Observable::Register(..) => false,
    })
}

/// P3: the shutdown pauses the vCPU at most once, and `is_shut_down`
/// implies `paused_for_shutdown`.
fn p3_holds(scenario: &Scenario, values: &[Value]) -> bool {
    let get = |n| observed(scenario, n).map(|i| values[i]);
    let once = get("pause_count").is_none_or(|c| c <= 1);
    let shut = match (get("is_shut_down"), get("paused_for_shutdown")) {
        (Some(1), Some(p)) => p == 1,
        _ => true,
    };
    once && shut
}

#[test]
fn check_gives_the_expected_table_and_p3_always_holds() {
    let mut wrong = Vec::new();
    for v in XenVariant::all() {
        let scenario = v.scenario();
        for model in ModelName::ALL {
            let m = machine(&scenario, model);
            let x = Exploration::run(&m, ExploreOptions::default());
            assert!(!x.bound_exceeded);
            let bad_expected = !real_code(&v) && model != ModelName::Sc;
            let condition = x.verdict() != Verdict::Never;
            let deadlock = !x.deadlocks.is_empty();
            let full = v.template == "xen-shutdown-full";
            // The full scenario shows P2 as its condition and P1 as a
            // deadlock; the others show their property as the condition.
            let ok = condition == bad_expected && deadlock == (bad_expected && full);
            if !ok {
                wrong.push(format!(
                    "{} on {model}: condition {condition}, deadlock {deadlock}",
                    v.name()
                ));
            }
            for f in x.finals.values() {
                assert!(p3_holds(&scenario, &f.values), "{} {model}: P3", v.name());
            }
            for d in &x.deadlocks {
                assert!(p3_holds(&scenario, &d.values), "{} {model}: P3", v.name());
                // P1 in the full scenario: the vCPU waits to run again.
                assert_eq!(d.blocked.len(), 1, "{}: {:?}", v.name(), d.blocked);
                assert_eq!(d.blocked[0].core, 0);
                let source = &scenario.threads[0].source[d.blocked[0].pc];
                assert!(source.contains("pause_count, VAL == 0"), "{source}");
                let shut = observed(&scenario, "is_shut_down").unwrap();
                let ioreq = observed(&scenario, "ioreq").unwrap();
                assert_eq!(
                    (d.values[shut], d.values[ioreq]),
                    (1, 1),
                    "shut down, request sent"
                );
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Runs until the first violating or deadlocked run, at most `limit`.
fn runs_to_first_failure(m: &Machine, limit: u64) -> Option<u64> {
    let mut start = 0;
    while start < limit {
        let end = (start + 1000).min(limit);
        let s = fuzz_range(m, Timing::default(), 1, start..end);
        let first = [s.first_violation, s.first_deadlock]
            .into_iter()
            .flatten()
            .min();
        if first.is_some() {
            return first;
        }
        start = end;
    }
    None
}

#[test]
fn fuzz_finds_every_weakened_variant_within_100000_runs() {
    for v in XenVariant::all().into_iter().filter(|v| !real_code(v)) {
        let scenario = v.scenario();
        for model in [ModelName::Tso, ModelName::Weak] {
            let first = runs_to_first_failure(&machine(&scenario, model), 100_000);
            assert!(
                first.is_some(),
                "{} on {model}: no violation in 10^5 runs",
                v.name()
            );
        }
        let sc = fuzz_range(
            &machine(&scenario, ModelName::Sc),
            Timing::default(),
            1,
            0..2_000,
        );
        assert_eq!(
            (sc.violations, sc.deadlock_runs),
            (0, 0),
            "{} on sc",
            v.name()
        );
    }
}

#[test]
fn fuzz_never_fails_the_real_code_in_a_million_runs() {
    let cases: Vec<(XenVariant, ModelName)> = XenVariant::all()
        .into_iter()
        .filter(real_code)
        .flat_map(|v| ModelName::ALL.into_iter().map(move |m| (v.clone(), m)))
        .collect();
    std::thread::scope(|scope| {
        let halves: Vec<_> = [0, 1]
            .into_iter()
            .map(|half| {
                let cases = &cases;
                scope.spawn(move || {
                    for (v, model) in cases.iter().skip(half).step_by(2) {
                        let scenario = v.scenario();
                        let s = fuzz_range(
                            &machine(&scenario, *model),
                            Timing::default(),
                            1,
                            0..1_000_000,
                        );
                        assert_eq!(
                            (s.violations, s.deadlock_runs, s.bound_exceeded_runs),
                            (0, 0, 0),
                            "{} on {model}",
                            v.name()
                        );
                    }
                })
            })
            .collect();
        for h in halves {
            h.join().unwrap();
        }
    });
}
