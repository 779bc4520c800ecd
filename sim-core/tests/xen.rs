//! XEN-SHUTDOWN.md's expected results, for every scenario and barrier pair,
//! by the exhaustive driver (the proof) and by fuzzing (which must reach
//! each failure the proof finds).

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
            let condition = x.verdict() != Verdict::Never;
            let deadlock = !x.deadlocks.is_empty();
            // The full scenario shows P2 as its condition and P1 as a
            // deadlock; the others show their property as the condition.
            if (condition, deadlock) != expected_failures(&v, model) {
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

/// Runs the fuzz gives a variant to show its failures. The exhaustive check
/// above proves the verdicts; the fuzz need only reach every kind of failure
/// the check finds (on this seed the slowest variant takes 643 runs to its
/// first violation and 65 to its first deadlock).
const FUZZ_RUNS_MAX: u64 = 5_000;

/// Runs of a variant that cannot fail, in which the fuzz must find nothing
/// (a sample: the check is the proof).
const CLEAN_RUNS: u64 = 1_000;

/// Whether the check finds a violation of the condition, and a deadlock, for
/// `v` on `model`: only weakened barriers fail, never on `sc`, and only the
/// full scenario, whose P1 is a deadlock, deadlocks.
fn expected_failures(v: &XenVariant, model: ModelName) -> (bool, bool) {
    let bad = !real_code(v) && model != ModelName::Sc;
    (bad, bad && v.template == "xen-shutdown-full")
}

/// Fuzzes `m` in chunks from run 0 until it has seen a violation if
/// `violation` and a deadlock if `deadlock` (at most `FUZZ_RUNS_MAX` runs),
/// or for `CLEAN_RUNS` if neither is expected; returns whether it saw each.
fn fuzz_failures(m: &Machine, violation: bool, deadlock: bool) -> (bool, bool) {
    const CHUNK: u64 = 100;
    let runs = if violation || deadlock {
        FUZZ_RUNS_MAX
    } else {
        CLEAN_RUNS
    };
    let (mut violated, mut deadlocked) = (false, false);
    let mut start = 0;
    while start < runs
        && !((violation || deadlock) && (violated, deadlocked) == (violation, deadlock))
    {
        let end = (start + CHUNK).min(runs);
        let s = fuzz_range(m, Timing::default(), 1, start..end);
        assert_eq!(s.bound_exceeded_runs, 0, "runs {start}..{end}");
        violated |= s.violations > 0;
        deadlocked |= s.deadlock_runs > 0;
        start = end;
    }
    (violated, deadlocked)
}

#[test]
fn fuzz_finds_each_failure_the_check_finds_and_no_other() {
    let mut wrong = Vec::new();
    for v in XenVariant::all() {
        let scenario = v.scenario();
        for model in ModelName::ALL {
            let (violation, deadlock) = expected_failures(&v, model);
            let found = fuzz_failures(&machine(&scenario, model), violation, deadlock);
            if found != (violation, deadlock) {
                wrong.push(format!(
                    "{} on {model}: (violation, deadlock) {found:?} in at most {FUZZ_RUNS_MAX} runs, \
                     expected {:?}",
                    v.name(),
                    (violation, deadlock)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
