//! Forged traces: a real trace edited to claim what its run did not do is
//! refused, whatever its origin (issue 11, item 1). Each case is one edit
//! of the issue's: the origin relabelled `Fuzz` -> `Minimized`, a deadlock
//! relabelled complete, a complete run relabelled a deadlock, the end time
//! edited, interrupts added, the step bound and the cache start edited. A
//! refusal is 16 (the replay departs from the events) or 17 (the run ends
//! otherwise), with a one-line message naming the first differing field.

use std::sync::OnceLock;

use memory_model::{Config, Machine, ModelName};
use replay::trace::BlockedRecord;
use replay::{minimize::minimize, record_run, verify, Event, Origin, Trace};
use scenarios::builtin::builtin_source;
use scenarios::litmus::parse_litmus;
use sim_core::{CacheStart, RunEnd, Timing};

/// A lock taken and never released, the lock that issue 11's Xen deadlock
/// leaves held, in a scenario small enough that minimizing its deadlock
/// (a search of its states, repeated by every replay of the minimized
/// trace) takes no time: P0 or P1 waits forever at the second `spin_lock`.
const STUCK: &str = "C stuck\n\n{}\n\n\
P0(spinlock_t *l, int *x)\n{\n\tspin_lock(l);\n\tWRITE_ONCE(*x, 1);\n}\n\n\
P1(spinlock_t *l, int *x)\n{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n\tspin_lock(l);\n}\n\n\
exists (1:r0=0)\n";

fn machine_trace(name: &str, seed: u64, run: u64) -> Trace {
    let text = match name {
        "stuck" => STUCK.to_string(),
        _ => builtin_source(name).unwrap().unwrap(),
    };
    let scenario = parse_litmus(&text, name).unwrap();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 8).unwrap(),
    );
    record_run(&machine, &text, Timing::default(), seed, run)
}

/// Run 0 of seed 0 of SB on weak: complete, the condition met.
fn sb() -> Trace {
    let t = machine_trace("SB", 0, 0);
    assert_eq!((t.ending.end, t.ending.violation), (RunEnd::Complete, true));
    t
}

/// Run 0 of seed 0 of `STUCK` on weak: a deadlock.
fn deadlocked() -> Trace {
    let t = machine_trace("stuck", 0, 0);
    assert_eq!(t.ending.end, RunEnd::Deadlock);
    assert!(!t.ending.blocked.is_empty());
    t
}

/// `trace` minimized, as `wmsim minimize` writes it.
fn minimized(trace: &Trace) -> Trace {
    let scenario = parse_litmus(&trace.scenario.source, &trace.scenario.name).unwrap();
    let machine = Machine::new(&scenario, trace.config());
    let small = minimize(&machine, trace, Default::default()).unwrap();
    verify::replay(&small, "small.ron").unwrap();
    small
}

/// `minimized(&sb())` and `minimized(&deadlocked())`, made once.
fn sb_minimized() -> Trace {
    static TRACE: OnceLock<Trace> = OnceLock::new();
    TRACE.get_or_init(|| minimized(&sb())).clone()
}

fn deadlocked_minimized() -> Trace {
    static TRACE: OnceLock<Trace> = OnceLock::new();
    TRACE.get_or_init(|| minimized(&deadlocked())).clone()
}

/// Written, read back and replayed: the refusal, as (status, message).
fn refusal(trace: &Trace) -> (u8, String) {
    let text = trace.to_ron();
    let e = match verify::parse(text.as_bytes(), "forged.ron") {
        Err(e) => e,
        Ok(t) => match verify::replay(&t, "forged.ron") {
            Err(e) => e,
            Ok(r) => panic!("a forged trace replays: {r:?}\n{text}"),
        },
    };
    (e.exit_status(), e.to_string())
}

fn relabelled(mut t: Trace) -> Trace {
    if let Origin::Fuzz { seed, run } = t.origin {
        t.origin = Origin::Minimized { seed, run };
    }
    t
}

fn deadlock_relabelled_complete(t: &mut Trace) {
    t.ending.end = RunEnd::Complete;
    t.ending.violation = false;
    t.ending.blocked.clear();
}

fn complete_relabelled_deadlock(t: &mut Trace) {
    t.ending.end = RunEnd::Deadlock;
    t.ending.condition_holds = false;
}

fn interrupt_added(t: &mut Trace, core: u8) {
    t.events.insert(
        0,
        Event::Interrupt {
            core,
            from: 5,
            to: 9,
        },
    );
}

fn expect(trace: Trace, status: u8, message: &str) {
    assert_eq!(
        refusal(&trace),
        (status, format!("forged.ron: {message}")),
        "{:?}",
        trace.origin
    );
}

#[test]
fn a_fuzz_trace_relabelled_minimized_is_refused_for_its_draws() {
    let t = sb();
    let draw = t.decisions[0];
    expect(
        relabelled(t),
        16,
        &format!("replay diverges at decision 0: a minimized run draws nothing, the trace records {draw}"),
    );
    // The case: also relabelled complete, the lock still held.
    let mut t = relabelled(deadlocked());
    let draw = t.decisions[0];
    deadlock_relabelled_complete(&mut t);
    expect(
        t,
        16,
        &format!("replay diverges at decision 0: a minimized run draws nothing, the trace records {draw}"),
    );
}

#[test]
fn a_deadlock_relabelled_complete_is_refused_for_every_origin() {
    let fuzzed = deadlocked();
    for mut t in [fuzzed.clone(), deadlocked_minimized()] {
        deadlock_relabelled_complete(&mut t);
        expect(
            t,
            17,
            "the run ends differently: the trace says it completes, the replay deadlocks",
        );
    }
    // The blocked cores emptied alone.
    for mut t in [fuzzed.clone(), deadlocked_minimized()] {
        let cores: Vec<String> = t
            .ending
            .blocked
            .iter()
            .map(|b: &BlockedRecord| format!("P{}", b.core))
            .collect();
        t.ending.blocked.clear();
        expect(
            t,
            17,
            &format!(
                "the run ends differently: blocked cores: the trace says none, the replay {}",
                cores.join(" ")
            ),
        );
    }
}

#[test]
fn a_complete_run_relabelled_a_deadlock_is_refused_for_every_origin() {
    for mut t in [sb(), sb_minimized()] {
        complete_relabelled_deadlock(&mut t);
        expect(
            t,
            17,
            "the run ends differently: the trace says it deadlocks, the replay completes",
        );
    }
}

#[test]
fn an_edited_end_time_is_refused_for_every_origin() {
    for mut t in [sb(), sb_minimized(), deadlocked(), deadlocked_minimized()] {
        let time = t.ending.time;
        assert!(time > 7);
        t.ending.time = 7;
        expect(
            t,
            17,
            &format!("the run ends differently: the trace ends at t=7, the replay at t={time}"),
        );
    }
}

#[test]
fn the_violation_flag_and_condition_are_re_derived() {
    for mut t in [sb(), sb_minimized()] {
        t.ending.violation = false;
        expect(
            t,
            17,
            "the run ends differently: violation: the trace says no, the replay yes",
        );
    }
    let mut t = sb();
    t.ending.condition_holds = false;
    expect(
        t,
        17,
        "the run ends differently: condition holds: the trace says no, the replay yes",
    );
}

#[test]
fn interrupts_are_refused_on_cores_that_do_not_exist_and_in_minimized_runs() {
    for mut t in [sb(), sb_minimized()] {
        interrupt_added(&mut t, 200);
        expect(
            t,
            16,
            "replay diverges at event 0: an interrupt of P200, the test has 2 cores",
        );
    }
    let mut t = sb_minimized();
    interrupt_added(&mut t, 1);
    expect(
        t,
        16,
        "replay diverges at event 0: an interrupt, a minimized run has none",
    );
    // On a fuzzed run, only the interrupts the timed driver draws.
    let mut t = sb();
    interrupt_added(&mut t, 1);
    let first = match t.events[1] {
        Event::Fire { time, .. } => time,
        Event::Interrupt { .. } => unreachable!(),
    };
    expect(
        t,
        16,
        &format!(
            "replay diverges at event 0: the timed driver gives P0's step at t={first}, \
             the trace says an interrupt of P1 from t=5 to t=9"
        ),
    );
}

#[test]
fn the_step_bound_is_re_checked_for_every_origin() {
    for mut t in [sb(), sb_minimized()] {
        t.timing.steps_max = 3;
        let (time, what) = match t.events[3] {
            Event::Fire {
                time, transition, ..
            } => (time, transition),
            Event::Interrupt { .. } => unreachable!(),
        };
        let core = what.core();
        let message = refusal(&t);
        assert_eq!(message.0, 16, "{message:?}");
        assert!(
            message.1.starts_with(&format!(
                "forged.ron: replay diverges at event 3: P{core}'s "
            )) && message.1.ends_with(&format!(
                " at t={time} is transition 4, beyond the step bound of 3"
            )),
            "{message:?}"
        );
    }
    // A run cut at the bound, relabelled with a higher bound: it could go on.
    let text = builtin_source("SB").unwrap().unwrap();
    let scenario = parse_litmus(&text, "SB").unwrap();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 8).unwrap(),
    );
    let timing = Timing {
        steps_max: 3,
        ..Timing::default()
    };
    let mut t = record_run(&machine, &text, timing, 0, 0);
    assert_eq!(t.ending.end, RunEnd::BoundExceeded);
    verify::replay(&t, "cut.ron").unwrap();
    t.timing.steps_max = 4;
    let (status, message) = refusal(&t);
    assert_eq!(status, 16, "{message}");
    assert!(
        message.starts_with("forged.ron: replay diverges at event 3: the timed driver gives P")
            && message.ends_with(", the trace says the end of the run"),
        "{message}"
    );
}

#[test]
fn an_edited_cache_start_or_origin_run_is_refused() {
    let mut t = deadlocked();
    t.timing.cache_start = CacheStart::Cold;
    assert_eq!(refusal(&t).0, 16);
    // A minimized run names a run that, re-run, must fail the same way.
    let small = sb_minimized();
    let Origin::Minimized { seed, .. } = small.origin else {
        unreachable!()
    };
    let passing = (1..100)
        .find(|&r| !machine_trace("SB", seed, r).ending.violation)
        .expect("a passing run");
    let mut t = small.clone();
    t.origin = Origin::Minimized { seed, run: passing };
    expect(
        t,
        17,
        &format!(
            "the run ends differently: the run it was minimized from (seed {seed}, run {passing}) does not fail"
        ),
    );
}

#[test]
fn genuine_traces_of_every_origin_still_replay() {
    for t in [sb(), sb_minimized(), deadlocked(), deadlocked_minimized()] {
        let back = verify::parse(t.to_ron().as_bytes(), "t.ron").unwrap();
        verify::replay(&back, "t.ron").unwrap();
    }
}

#[test]
fn a_trace_of_other_semantics_is_refused_with_a_status_of_its_own() {
    let mut t = sb();
    t.semantics_version = sim_core::SEMANTICS_VERSION + 1;
    t.wmsim_version = "9.9.9".into();
    let e = verify::parse(t.to_ron().as_bytes(), "old.ron").unwrap_err();
    assert_eq!(e.exit_status(), 18);
    assert_eq!(
        e.to_string(),
        format!(
            "old.ron: made by wmsim 9.9.9 under semantics version {}; this wmsim ({}) runs \
             semantics version {} and cannot replay it faithfully",
            sim_core::SEMANTICS_VERSION + 1,
            env!("CARGO_PKG_VERSION"),
            sim_core::SEMANTICS_VERSION
        )
    );
}

#[test]
fn divergence_messages_say_decision_in_words_and_dump_no_records() {
    let mut t = sb();
    let last = t.decisions.len() - 1;
    t.decisions[last] = t.decisions[last].wrapping_add(1);
    let (status, message) = refusal(&t);
    assert_eq!(status, 16, "{message}");
    assert!(
        message.starts_with(&format!("forged.ron: replay diverges at decision {last}: "))
            || message.starts_with("forged.ron: replay diverges at event "),
        "{message}"
    );
    // An extra draw the run never makes.
    let mut t = sb();
    t.decisions.push(7);
    let n = t.decisions.len() - 1;
    expect(
        t,
        16,
        &format!("replay diverges at decision {n}: the re-run draws no more, the trace records 7"),
    );
    // A memory value edited: one field, no record dumped.
    let mut t = sb();
    t.ending.memory[0].1 += 1;
    let (name, v) = t.ending.memory[0].clone();
    expect(
        t,
        17,
        &format!(
            "the run ends differently: the trace says {name}={v}, the replay {name}={}",
            v - 1
        ),
    );
}
