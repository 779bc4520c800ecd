//! Traces: a recorded run replays byte for byte, its file is the same bytes
//! every time, and a damaged trace is refused with a clear message and an
//! exit status of its own, never a panic.

use memory_model::{Config, Machine, ModelName};
use proptest::prelude::*;
use replay::{record_run, verify, ReplayError, Trace};
use scenarios::builtin::builtin_source;
use scenarios::litmus::parse_litmus;
use sim_core::{CacheStart, Timing};

const NAMES: &[&str] = &[
    "SB",
    "MP",
    "MP+wmb+addr",
    "IRIW",
    "2+2W+wmbs",
    "xen-shutdown-sb:vcpu=wmb,shutdown=mb",
    "xen-shutdown-full:vcpu=none,shutdown=mb",
    "xen-shutdown-start-lock:vcpu=mb,shutdown=barrier",
];

fn trace_of(name: &str, model: ModelName, timing: Timing, seed: u64, run: u64) -> Trace {
    let text = builtin_source(name).unwrap().unwrap();
    let scenario = parse_litmus(&text, name).unwrap();
    let machine = Machine::new(&scenario, Config::new(model, None, None, 8).unwrap());
    record_run(&machine, &text, timing, seed, run)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn recorded_runs_replay_and_write_the_same_bytes(
        name in prop::sample::select(NAMES),
        model in prop::sample::select(&ModelName::ALL[..]),
        cache in prop::sample::select(&[CacheStart::Warm, CacheStart::Cold, CacheStart::Drawn][..]),
        seed in any::<u64>(),
        run in 0u64..1_000_000,
    ) {
        let timing = Timing { cache_start: cache, ..Timing::default() };
        let trace = trace_of(name, model, timing, seed, run);
        let again = trace_of(name, model, timing, seed, run);
        prop_assert_eq!(trace.to_ron(), again.to_ron());
        let back = verify::parse(trace.to_ron().as_bytes(), "t.ron").unwrap();
        prop_assert_eq!(&back, &trace);
        let replayed = verify::replay(&back, "t.ron").unwrap();
        prop_assert!(replayed.timed_rerun);
        prop_assert_eq!(replayed.transitions, trace.transitions().count());
    }
}

/// Saved failing runs of the out-of-order models, as `wmsim fuzz --save`
/// wrote them: LB on arm (loads satisfied after the younger store
/// committed), IRIW with `smp_rmb()` on power (each reader sees its SMT
/// sibling's store in their pair buffer before memory has it).
const SAVED: &[(&str, &str)] = &[
    (
        "LB+poonceonces-arm",
        include_str!("saved/LB+poonceonces-arm.ron"),
    ),
    (
        "IRIW+rmbonceonces-power",
        include_str!("saved/IRIW+rmbonceonces-power.ron"),
    ),
];

/// A saved arm and power trace replays, and recording its run again from
/// the seed gives the same bytes: the out-of-order timed path draws and
/// fires exactly as it did when the trace was saved.
#[test]
fn saved_out_of_order_traces_replay_byte_for_byte() {
    for (name, text) in SAVED {
        let saved = verify::parse(text.as_bytes(), name).unwrap();
        assert!(saved.model.is_out_of_order(), "{name}");
        assert!(saved.ending.violation, "{name}");
        let replayed = verify::replay(&saved, name).unwrap();
        assert!(replayed.timed_rerun, "{name}");
        let replay::Origin::Fuzz { seed, run } = saved.origin else {
            panic!("{name}: not a fuzzed run");
        };
        let source = &saved.scenario.source;
        let scenario = parse_litmus(source, &saved.scenario.name).unwrap();
        let machine = Machine::new(&scenario, saved.config());
        let mut again = record_run(&machine, source, saved.timing, seed, run);
        // The tool's version is a label, not part of the run.
        again.wmsim_version = saved.wmsim_version.clone();
        assert_eq!(again.to_ron(), *text, "{name}");
    }
}

fn sample() -> Trace {
    // A weak SB run with a violation and a few draws.
    let trace = trace_of("SB", ModelName::Weak, Timing::default(), 0, 0);
    assert!(trace.ending.violation);
    trace
}

/// Loads (from text) and replays; the refusal, if any.
fn refusal(text: &[u8]) -> Option<ReplayError> {
    match verify::parse(text, "damaged.ron") {
        Err(e) => Some(e),
        Ok(t) => verify::replay(&t, "damaged.ron").err(),
    }
}

fn edit(f: impl FnOnce(&mut Trace)) -> Vec<u8> {
    let mut t = sample();
    f(&mut t);
    t.to_ron().into_bytes()
}

#[test]
fn damaged_traces_are_refused_each_with_its_own_status() {
    let good = sample().to_ron();
    let other = trace_of("MP", ModelName::Weak, Timing::default(), 0, 0);
    let cases: Vec<(&str, Vec<u8>, u8, &str)> = vec![
        ("empty", Vec::new(), 10, "empty"),
        ("blank", b"  \n\n".to_vec(), 10, "empty"),
        (
            "truncated",
            good.as_bytes()[..good.len() / 2].to_vec(),
            11,
            "not a wmsim trace",
        ),
        ("not RON", b"hello, world".to_vec(), 11, "not a wmsim trace"),
        ("binary", vec![0xff, 0xfe, 0x00, 0x41], 11, "not UTF-8"),
        (
            "other format version",
            good.replacen(
                &format!("format_version: {}", replay::FORMAT_VERSION),
                "format_version: 99",
                1,
            )
            .into_bytes(),
            12,
            "format version 99",
        ),
        (
            "scenario text edited",
            edit(|t| {
                t.scenario.source = t
                    .scenario
                    .source
                    .replace("WRITE_ONCE(*x, 1)", "WRITE_ONCE(*x, 2)")
            }),
            13,
            "does not match its recorded hash",
        ),
        (
            "another scenario's text",
            edit(|t| t.scenario = other.scenario.clone()),
            16,
            "diverges at event",
        ),
        (
            "another scenario's text, name kept",
            edit(|t| {
                t.scenario.source = other.scenario.source.clone();
                t.scenario.hash = other.scenario.hash.clone();
            }),
            14,
            "names test",
        ),
        (
            "unparsable scenario",
            edit(|t| {
                t.scenario.source = "C broken\n{".into();
                t.scenario.hash = replay::trace::source_hash(&t.scenario.source);
            }),
            14,
            "does not load",
        ),
        (
            "impossible settings",
            edit(|t| {
                t.model = ModelName::Tso;
            }),
            15,
            "no invalidation queue",
        ),
        (
            "a transition removed",
            edit(|t| {
                t.events.remove(2);
            }),
            16,
            "diverges at event",
        ),
        (
            "time going back",
            edit(|t| {
                if let replay::Event::Fire { time, .. } = &mut t.events[3] {
                    *time = 0;
                }
            }),
            16,
            "time goes back",
        ),
        (
            "a decision edited",
            edit(|t| t.decisions[0] = t.decisions[0].wrapping_add(1 << 31)),
            16,
            "diverges",
        ),
        (
            "a final value edited",
            edit(|t| t.ending.observed[0].1 += 7),
            17,
            "ends differently",
        ),
    ];
    let mut statuses = std::collections::BTreeMap::new();
    for (what, bytes, status, message) in cases {
        let e = refusal(&bytes).unwrap_or_else(|| panic!("{what}: accepted"));
        assert_eq!(e.exit_status(), status, "{what}: {e}");
        assert!(e.to_string().contains(message), "{what}: {e}");
        assert!(e.to_string().contains("damaged.ron"), "{what}: {e}");
        statuses.entry(e.exit_status()).or_insert(what);
    }
    // Each kind of damage has a status of its own, apart from success (0),
    // a violation (1) and bad input (2).
    assert_eq!(statuses.len(), 8);
    assert!(statuses.keys().all(|&s| s >= 10));
    let missing = verify::load(std::path::Path::new("/nonexistent/trace.ron")).unwrap_err();
    assert_eq!(missing.exit_status(), 3);
}

#[test]
fn minimizing_a_xen_trace_gives_no_more_than_the_shortest_witness() {
    let name = "xen-shutdown-sb:vcpu=wmb,shutdown=mb";
    let text = builtin_source(name).unwrap().unwrap();
    let scenario = parse_litmus(&text, name).unwrap();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 8).unwrap(),
    );
    let run = (0..1000)
        .find(|&r| {
            record_run(&machine, &text, Timing::default(), 3, r)
                .ending
                .violation
        })
        .expect("a violating run");
    let trace = record_run(&machine, &text, Timing::default(), 3, run);
    verify::replay(&trace, "t").unwrap();
    let small = replay::minimize::minimize(&machine, &trace, Default::default()).unwrap();
    let witness = {
        let x = sim_core::Exploration::run(&machine, Default::default());
        x.path_to(x.witness().unwrap().state).len()
    };
    assert!(small.transitions().count() <= witness);
    assert!(small.transitions().count() <= trace.transitions().count());
    assert!(small.ending.violation);
    let replayed = verify::replay(&small, "small").unwrap();
    assert!(!replayed.timed_rerun);
    let back = verify::parse(small.to_ron().as_bytes(), "small").unwrap();
    assert_eq!(back, small);
}

/// A deadlocked run of the full Xen scenario, recorded.
fn deadlocked_xen_trace() -> Trace {
    let name = "xen-shutdown-full:vcpu=wmb,shutdown=mb";
    let text = builtin_source(name).unwrap().unwrap();
    let scenario = parse_litmus(&text, name).unwrap();
    let machine = Machine::new(
        &scenario,
        Config::new(ModelName::Weak, None, None, 8).unwrap(),
    );
    (0..1000)
        .map(|r| record_run(&machine, &text, Timing::default(), 0, r))
        .find(|t| t.ending.end == sim_core::RunEnd::Deadlock)
        .expect("a deadlocked run")
}

#[test]
fn a_deadlocked_trace_records_when_each_core_blocked_and_replay_checks_it() {
    let trace = deadlocked_xen_trace();
    let ron = trace.to_ron();
    assert!(ron.contains("blocked_since: "), "{ron}");
    let b = &trace.ending.blocked[0];
    // Blocked before the run ended: the core had waited since then.
    assert!(b.blocked_since < trace.ending.time, "{b:?}");
    verify::replay(&verify::parse(ron.as_bytes(), "t").unwrap(), "t").unwrap();

    let mut edited = trace.clone();
    edited.ending.blocked[0].blocked_since += 1;
    let e = verify::replay(&edited, "damaged.ron").unwrap_err();
    assert_eq!(e.exit_status(), 17, "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "damaged.ron: the run ends differently: P{} blocked since t={}, the trace says; \
             since t={}, the replay",
            b.core,
            b.blocked_since + 1,
            b.blocked_since
        )
    );
}
