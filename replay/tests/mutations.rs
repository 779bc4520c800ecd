//! A seeded mutation test of the trace loader and replay (issue 11,
//! acceptance): real traces of every origin and ending, in-order and out of
//! order (arm; power with a fixed window and pairing), are damaged (bytes
//! flipped, deleted, inserted; a number or a variant name changed; an event
//! or a draw dropped, duplicated or swapped) and handed to `verify::parse`
//! and `verify::replay`, which must never panic and never accept wrongly.
//!
//! **Wrong acceptance**, precisely: `replay` accepts a trace `T` (both
//! calls return `Ok`) although `T` is not what wmsim itself makes from what
//! `T` claims. What it claims is its scenario text and name, model, depths,
//! timing and origin, and, for a minimized run, its schedule (the
//! transitions, in order). What wmsim makes from them is, for
//! `Fuzz { seed, run }`, `record_run` of that run; for
//! `Minimized { seed, run }`, `minimize::schedule_trace` of the schedule
//! (the writer `minimize` uses: least delays, no draws, the ending of the
//! state it leaves, complete or, with nothing but evictions left to fire,
//! deadlocked), and the run it names, `record_run` again, must fail the
//! same way (same ending, same blocked cores) with no fewer transitions.
//! (Which of several equally short failing schedules `minimize` picks is
//! not a claim: a schedule is evidence of itself.) Traces are compared as
//! values, so a change of layout that RON reads the same is no change,
//! with `wmsim_version` left out: it names the tool that wrote the trace,
//! and any wmsim of the same semantics version replays it. So an accepted
//! mutant is the original trace or another genuine one (a step bound
//! raised past the run's length, a latency range the run never drew from,
//! ...), never a forgery.
//!
//! The number of cases is `WMSIM_FUZZ_CASES` (default `CASES_DEFAULT`, a
//! few seconds in CI); the generator's seed is fixed, so a run is the same
//! every time. A long run prints what it saw:
//! `WMSIM_FUZZ_CASES=1000000 cargo test --release -p replay --test mutations -- --nocapture`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use memory_model::Transition;
use memory_model::{Config, Machine, ModelName};
use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};
use replay::minimize::{minimize, schedule_trace};
use replay::{record_run, verify, Event, Origin, Trace};
use scenarios::builtin::builtin_source;
use scenarios::litmus::parse_litmus;
use sim_core::{CacheStart, PathReplay, RunEnd, Timing};

/// Cases run when `WMSIM_FUZZ_CASES` is not set.
const CASES_DEFAULT: u32 = 5_000;

/// The generator's seed: every run of the test draws the same mutations.
const SEED: [u8; 32] = *b"wmsim issue 11 trace mutations!!";

/// Variant and keyword names a trace holds, for a mutation to swap.
const NAMES: &[&str] = &[
    "Fuzz",
    "Minimized",
    "Fire",
    "Interrupt",
    "Step",
    "Drain",
    "Invalidate",
    "Evict",
    "Complete",
    "Deadlock",
    "BoundExceeded",
    "Memory",
    "Cache",
    "StaleCache",
    "StoreBuffer",
    "Some",
    "None",
    "true",
    "false",
    "warm",
    "cold",
    "drawn",
    "sc",
    "tso",
    "weak",
];

fn machine_of(name: &str, model: ModelName) -> (String, Machine<'static>) {
    let text = builtin_source(name).unwrap().unwrap();
    let scenario = Box::leak(Box::new(parse_litmus(&text, name).unwrap()));
    let machine = Machine::new(scenario, Config::new(model, None, None, 8).unwrap());
    (text, machine)
}

fn minimized(trace: &Trace) -> Trace {
    let scenario = parse_litmus(&trace.scenario.source, &trace.scenario.name).unwrap();
    let machine = Machine::new(&scenario, trace.config());
    minimize(&machine, trace, Default::default()).unwrap()
}

/// The real traces mutated: every origin, every ending, interrupts, cold
/// starts with their evictions.
fn bases() -> &'static [Trace] {
    static BASES: OnceLock<Vec<Trace>> = OnceLock::new();
    BASES.get_or_init(|| {
        let (sb_text, sb) = machine_of("SB", ModelName::Weak);
        let sb_run = record_run(&sb, &sb_text, Timing::default(), 0, 0);
        let (xen_text, xen) = machine_of("xen-shutdown-full:vcpu=wmb,shutdown=mb", ModelName::Weak);
        let deadlock = (0..1000)
            .map(|r| record_run(&xen, &xen_text, Timing::default(), 0, r))
            .find(|t| t.ending.end == RunEnd::Deadlock)
            .expect("a deadlocked run");
        let (mp_text, mp) = machine_of("MP", ModelName::Weak);
        let interrupted = (0..1000)
            .map(|r| record_run(&mp, &mp_text, Timing::default(), 0, r))
            .find(|t| {
                t.events
                    .iter()
                    .any(|e| matches!(e, Event::Interrupt { .. }))
            })
            .expect("an interrupted run");
        let (iriw_text, iriw) = machine_of("IRIW", ModelName::Weak);
        let cold = Timing {
            cache_start: CacheStart::Cold,
            ..Timing::default()
        };
        let cold_run = record_run(&iriw, &iriw_text, cold, 0, 0);
        let (tso_text, tso) = machine_of("SB", ModelName::Tso);
        let cut = Timing {
            steps_max: 3,
            ..Timing::default()
        };
        let cut_run = record_run(&tso, &tso_text, cut, 0, 0);
        assert_eq!(cut_run.ending.end, RunEnd::BoundExceeded);
        // The out-of-order path: an arm run, and a power run with its
        // window and SMT pairing fixed (fields only such traces carry),
        // violating, and minimized.
        let (lb_text, lb) = machine_of("LB", ModelName::Arm);
        let arm_run = record_run(&lb, &lb_text, Timing::default(), 0, 0);
        let (iriw_power_text, _) = machine_of("IRIW", ModelName::Power);
        let iriw_scenario = Box::leak(Box::new(parse_litmus(&iriw_power_text, "IRIW").unwrap()));
        let power_config = Config::new(ModelName::Power, None, None, 8)
            .and_then(|c| c.with_rob(Some(6)))
            .and_then(|c| c.with_smt_pairs(Some("0-2,1-3"), 4))
            .unwrap();
        let power = Machine::new(iriw_scenario, power_config);
        let power_run = (0..5000)
            .map(|r| record_run(&power, &iriw_power_text, Timing::default(), 0, r))
            .find(|t| t.ending.violation)
            .expect("a violating power run");
        vec![
            minimized(&power_run),
            arm_run,
            power_run,
            minimized(&sb_run),
            minimized(&deadlock),
            sb_run,
            deadlock,
            interrupted,
            cold_run,
            cut_run,
        ]
    })
}

/// What wmsim makes from what `trace` claims (see the module comment), or
/// why a minimized trace's origin does not hold.
fn rerecorded(trace: &Trace) -> Result<Trace, String> {
    let scenario = parse_litmus(&trace.scenario.source, &trace.scenario.name).unwrap();
    let machine = Machine::new(&scenario, trace.config());
    let Origin::Minimized { seed, run } = trace.origin else {
        let Origin::Fuzz { seed, run } = trace.origin else {
            unreachable!()
        };
        return Ok(record_run(
            &machine,
            &trace.scenario.source,
            trace.timing,
            seed,
            run,
        ));
    };
    let path: Vec<Transition> = trace.transitions().collect();
    let mut replay = PathReplay::new(&machine);
    replay
        .fire_all(path.iter().copied())
        .map_err(|e| e.to_string())?;
    let state = replay.into_state();
    let end = if machine.is_complete(&state) {
        RunEnd::Complete
    } else {
        let mut moves = false;
        machine.for_each_enabled(&state, |t| {
            moves |= !matches!(t, Transition::Evict { .. });
        });
        if moves {
            return Err("the schedule stops where it can go on".into());
        }
        RunEnd::Deadlock
    };
    let origin = record_run(&machine, &trace.scenario.source, trace.timing, seed, run);
    let blocked = |t: &Trace| -> Vec<u8> { t.ending.blocked.iter().map(|b| b.core).collect() };
    let fails_alike = origin.ending.violation
        && trace.ending.violation
        && origin.ending.end == end
        && blocked(&origin) == blocked(trace);
    if !fails_alike || origin.transitions().count() < path.len() {
        return Err(format!(
            "the run it names ends {:?} after {} transitions, violation {}",
            origin.ending.end,
            origin.transitions().count(),
            origin.ending.violation
        ));
    }
    Ok(schedule_trace(&machine, trace, &path, end))
}

/// One change to a trace's text, or (the `Drop`, `Duplicate`, `Swap`
/// kinds) to its value before it is written.
#[derive(Clone, Debug)]
enum Mutation {
    FlipByte { at: usize, xor: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Number { which: usize, to: NewNumber },
    Name { which: usize, to: usize },
    DropEvent(usize),
    DuplicateEvent(usize),
    SwapEvents(usize),
    DropDecision(usize),
    DuplicateDecision(usize),
}

#[derive(Clone, Debug)]
enum NewNumber {
    Plus(u64),
    Minus(u64),
    Zero,
    Any(u64),
    Huge,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let new_number = prop_oneof![
        (1u64..3).prop_map(NewNumber::Plus),
        (1u64..3).prop_map(NewNumber::Minus),
        Just(NewNumber::Zero),
        any::<u64>().prop_map(NewNumber::Any),
        Just(NewNumber::Huge),
    ];
    let byte = prop_oneof![
        prop::sample::select(&b"()[],:0123456789 \n\"-.eE_"[..]),
        any::<u8>()
    ];
    prop_oneof![
        3 => (any::<usize>(), 1u8..=255).prop_map(|(at, xor)| Mutation::FlipByte { at, xor }),
        2 => (any::<usize>(), 1usize..16).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (any::<usize>(), prop::collection::vec(byte, 1..6))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        4 => (any::<usize>(), new_number).prop_map(|(which, to)| Mutation::Number { which, to }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(which, to)| Mutation::Name { which, to }),
        1 => any::<usize>().prop_map(Mutation::DropEvent),
        1 => any::<usize>().prop_map(Mutation::DuplicateEvent),
        1 => any::<usize>().prop_map(Mutation::SwapEvents),
        1 => any::<usize>().prop_map(Mutation::DropDecision),
        1 => any::<usize>().prop_map(Mutation::DuplicateDecision),
    ]
}

/// Applies the mutations that change the value, in order; the others are
/// left for `mutate_text`.
fn mutate_value(trace: &mut Trace, mutations: &[Mutation]) {
    for m in mutations {
        let events = trace.events.len();
        let draws = trace.decisions.len();
        match *m {
            Mutation::DropEvent(i) if events > 0 => {
                trace.events.remove(i % events);
            }
            Mutation::DuplicateEvent(i) if events > 0 => {
                let e = trace.events[i % events].clone();
                trace.events.insert(i % events, e);
            }
            Mutation::SwapEvents(i) if events > 1 => {
                trace.events.swap(i % (events - 1), i % (events - 1) + 1)
            }
            Mutation::DropDecision(i) if draws > 0 => {
                trace.decisions.remove(i % draws);
            }
            Mutation::DuplicateDecision(i) if draws > 0 => {
                let d = trace.decisions[i % draws];
                trace.decisions.insert(i % draws, d);
            }
            _ => {}
        }
    }
}

/// The spans of `text` that are decimal numbers.
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < text.len() && text[i].is_ascii_digit() {
                i += 1;
            }
            spans.push((start, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// The spans of `text` that are one of `NAMES`, as whole words.
fn names(text: &[u8]) -> Vec<(usize, usize)> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if word(text[i]) && (i == 0 || !word(text[i - 1])) {
            let start = i;
            while i < text.len() && word(text[i]) {
                i += 1;
            }
            if NAMES.iter().any(|n| n.as_bytes() == &text[start..i]) {
                spans.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    spans
}

fn mutate_text(text: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        let len = text.len().max(1);
        match m {
            Mutation::FlipByte { at, xor } if !text.is_empty() => text[at % len] ^= xor,
            Mutation::Delete { at, len: n } => {
                let start = at % len;
                let end = (start + n).min(text.len());
                text.drain(start.min(end)..end);
            }
            Mutation::Insert { at, bytes } => {
                let at = at % (text.len() + 1);
                text.splice(at..at, bytes.iter().copied());
            }
            Mutation::Number { which, to } => {
                let spans = numbers(text);
                if spans.is_empty() {
                    continue;
                }
                let (start, end) = spans[which % spans.len()];
                let old: u64 = std::str::from_utf8(&text[start..end])
                    .unwrap()
                    .parse()
                    .unwrap_or(u64::MAX);
                let new = match to {
                    NewNumber::Plus(d) => old.saturating_add(*d).to_string(),
                    NewNumber::Minus(d) => old.saturating_sub(*d).to_string(),
                    NewNumber::Zero => "0".to_string(),
                    NewNumber::Any(v) => v.to_string(),
                    NewNumber::Huge => "340282366920938463463374607431768211456".to_string(),
                };
                text.splice(start..end, new.into_bytes());
            }
            Mutation::Name { which, to } => {
                let spans = names(text);
                if spans.is_empty() {
                    continue;
                }
                let (start, end) = spans[which % spans.len()];
                let new = NAMES[to % NAMES.len()];
                text.splice(start..end, new.bytes());
            }
            _ => {}
        }
    }
}

/// What the cases came to.
#[derive(Default)]
struct Tally {
    cases: AtomicU64,
    /// Accepted, and the same trace as the original.
    accepted_same: AtomicU64,
    /// Accepted, another trace, and the one wmsim makes from its claims.
    accepted_genuine: AtomicU64,
    /// Refused, by exit status.
    refused: [AtomicU64; 19],
}

fn without_tool_version(t: &Trace) -> Trace {
    Trace {
        wmsim_version: String::new(),
        ..t.clone()
    }
}

#[test]
fn mutated_traces_never_panic_and_are_accepted_only_when_genuine() {
    let cases = std::env::var("WMSIM_FUZZ_CASES")
        .ok()
        .map(|v| v.parse().expect("WMSIM_FUZZ_CASES: a number of cases"))
        .unwrap_or(CASES_DEFAULT);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED));
    let bases = bases();
    for t in bases {
        verify::replay(t, "base.ron").expect("a base trace replays");
    }
    let tally = Tally::default();
    let strategy = (0..bases.len(), prop::collection::vec(mutation(), 1..4));
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |(base, mutations)| {
        tally.cases.fetch_add(1, Ordering::Relaxed);
        let original = &bases[base];
        let mut value = original.clone();
        mutate_value(&mut value, &mutations);
        let mut text = value.to_ron().into_bytes();
        mutate_text(&mut text, &mutations);
        let outcome = verify::parse(&text, "mutant.ron")
            .and_then(|t| verify::replay(&t, "mutant.ron").map(|_| t));
        match outcome {
            Err(e) => {
                let message = e.to_string();
                // What replay itself says about a run is one plain line
                // (a scenario's parse error adds its line and a caret).
                let about_the_run = matches!(e.exit_status(), 16..=18);
                prop_assert!(
                    !about_the_run || !message.chars().any(char::is_control),
                    "a refusal of more than one plain line: {:?}",
                    message
                );
                tally.refused[e.exit_status() as usize].fetch_add(1, Ordering::Relaxed);
            }
            Ok(accepted) => {
                let accepted = without_tool_version(&accepted);
                if accepted == without_tool_version(original) {
                    tally.accepted_same.fetch_add(1, Ordering::Relaxed);
                } else {
                    let made = rerecorded(&accepted).map(|t| without_tool_version(&t));
                    let made = match made {
                        Ok(t) => t,
                        Err(why) => {
                            return Err(TestCaseError::fail(format!(
                                "wrong acceptance ({why}) of\n{}",
                                String::from_utf8_lossy(&text)
                            )))
                        }
                    };
                    prop_assert_eq!(
                        &accepted,
                        &made,
                        "wrong acceptance of\n{}",
                        String::from_utf8_lossy(&text)
                    );
                    tally.accepted_genuine.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    });
    let seconds = started.elapsed().as_secs_f64();
    let n = tally.cases.load(Ordering::Relaxed);
    let refused: Vec<String> = tally
        .refused
        .iter()
        .enumerate()
        .filter(|(_, c)| c.load(Ordering::Relaxed) > 0)
        .map(|(s, c)| format!("{s}: {}", c.load(Ordering::Relaxed)))
        .collect();
    eprintln!(
        "{n} mutated traces in {seconds:.1} s ({:.0}/s): accepted as the original {}, accepted as \
         another genuine trace {}, refused by status {{{}}}",
        n as f64 / seconds,
        tally.accepted_same.load(Ordering::Relaxed),
        tally.accepted_genuine.load(Ordering::Relaxed),
        refused.join(", ")
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
