//! The out-of-order models' own flags and timed runs through the binary:
//! `--rob` (window capacity) and `--smt-pairs` (a fixed pairing) on
//! `check` and `fuzz`, their errors, and a fuzzed arm or power run saved
//! as a trace that replays.

mod common;

use std::path::Path;

use common::{assert_status, scratch, text, wmsim_in};

fn litmus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/litmus")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

const IRIW_RMB: &str = "IRIW+rmbonceonces+OnceOnce.litmus";

/// A window of one instance performs in program order: LB is no longer
/// reached on arm; the default window reaches it.
#[test]
fn a_window_of_one_keeps_load_buffering_away() {
    let dir = scratch("rob");
    let whole = wmsim_in(dir.path(), &["check", "LB", "--model", "arm"]);
    assert_status(&whole, 0);
    assert!(text(&whole).0.contains("Verdict: Sometimes"));
    let one = wmsim_in(dir.path(), &["check", "LB", "--model", "arm", "--rob", "1"]);
    let (out, _) = text(&one);
    assert!(out.contains("window 1"), "{out}");
    assert!(out.contains("Verdict: Never"), "{out}");
    let fuzz = wmsim_in(
        dir.path(),
        &[
            "fuzz", "LB", "--model", "arm", "--rob", "1", "--runs", "2000", "--save", "0",
        ],
    );
    assert_status(&fuzz, 0);
    assert!(text(&fuzz).0.contains("Violations: 0 "));
}

/// IRIW with `smp_rmb()` on power needs each reader paired with a writer:
/// fixed to that pairing fuzz finds it, with no pair it cannot.
#[test]
fn a_fixed_pairing_decides_iriw_with_rmb_on_power() {
    let dir = scratch("smt");
    let file = litmus(IRIW_RMB);
    let run = |pairs: &str| {
        let args = [
            "fuzz",
            &file,
            "--model",
            "power",
            "--smt-pairs",
            pairs,
            "--runs",
            "5000",
            "--save",
            "0",
        ];
        wmsim_in(dir.path(), &args)
    };
    assert_status(&run("0-1,2-3"), 1);
    let none = run("none");
    assert_status(&none, 0);
    assert!(text(&none).0.contains("Violations: 0 "));
    let check = wmsim_in(
        dir.path(),
        &["check", &file, "--model", "power", "--smt-pairs", "0-3,1-2"],
    );
    let (out, _) = text(&check);
    assert!(out.contains("SMT pairs 0-3,1-2"), "{out}");
    assert!(out.contains("Verdict: Never"), "{out}");
}

#[test]
fn bad_window_and_pairing_flags_are_refused_with_a_reason() {
    let dir = scratch("flags");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--model", "arm", "--rob", "0"],
            "a window holds from 1 to 32",
        ),
        (
            &["--model", "arm", "--rob", "33"],
            "a window holds from 1 to 32",
        ),
        (&["--model", "weak", "--rob", "4"], "no window"),
        (&["--model", "arm", "--smt-pairs", "0-1"], "no SMT pairs"),
        (&["--model", "power", "--smt-pairs", "0-0"], "with itself"),
        (
            &["--model", "power", "--smt-pairs", "0-1,1-2"],
            "in two pairs",
        ),
        (&["--model", "power", "--smt-pairs", "0-4"], "cores 0 to 3"),
        (
            &["--model", "power", "--smt-pairs", "0+1"],
            "not a pair of cores",
        ),
    ];
    for command in ["check", "fuzz"] {
        for (flags, why) in cases {
            let mut args = vec![command, "IRIW"];
            args.extend_from_slice(flags);
            let out = wmsim_in(dir.path(), &args);
            assert_status(&out, 2);
            let (_, err) = text(&out);
            assert!(err.contains(why), "{command} {flags:?}: {err}");
        }
    }
}

/// A fuzzed power run with a window and a pairing fixed is saved with
/// both, and replays (from its draws and from its seed).
#[test]
fn a_power_trace_keeps_its_window_and_pairing_and_replays() {
    let dir = scratch("trace");
    let file = litmus(IRIW_RMB);
    let args = [
        "fuzz",
        &file,
        "--model",
        "power",
        "--smt-pairs",
        "0-1,2-3",
        "--rob",
        "4",
        "--runs",
        "2000",
        "--save",
        "1",
    ];
    let out = wmsim_in(dir.path(), &args);
    assert_status(&out, 1);
    let (stdout, _) = text(&out);
    let trace = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Trace: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("a saved trace")
        .to_string();
    let saved = std::fs::read_to_string(dir.path().join(&trace)).unwrap();
    assert!(saved.contains("rob: 4,"), "{saved}");
    assert!(saved.contains("smt_pairs: Some((0, 0, 1, 1,"), "{saved}");
    let replayed = wmsim_in(dir.path(), &["replay", &trace]);
    assert_status(&replayed, 0);
    let (out, _) = text(&replayed);
    assert!(out.contains("window 4, SMT pairs 0-1,2-3"), "{out}");
    assert!(out.contains("fires the same events"), "{out}");
}

/// `sweep --rob` sweeps the window: a `rob` column after the others (only
/// then: a sweep without it keeps its columns), a window of one never
/// shows LB, and the result reads back through `merge`.
#[test]
fn sweep_sweeps_the_window_when_asked() {
    let dir = scratch("sweep");
    let args = [
        "sweep", "LB", "--model", "arm", "--rob", "1,4", "--runs", "2000", "--csv", "s.csv",
        "--out", "s.json",
    ];
    assert_status(&wmsim_in(dir.path(), &args), 0);
    let csv = std::fs::read_to_string(dir.path().join("s.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let columns = "interrupt_duration,eviction_interval,rob,runs,violations,";
    assert!(header.contains(columns), "{header}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!((rows[0][6], rows[0][8]), ("1", "0"), "{csv}");
    assert_eq!(rows[1][6], "4", "{csv}");
    assert_ne!(rows[1][8], "0", "{csv}");
    let merged = wmsim_in(dir.path(), &["merge", "s.json"]);
    assert_status(&merged, 0);
    assert!(text(&merged).0.contains("rob"));
    let without = [
        "sweep", "LB", "--model", "arm", "--runs", "10", "--csv", "t.csv",
    ];
    assert_status(&wmsim_in(dir.path(), &without), 0);
    assert!(!std::fs::read_to_string(dir.path().join("t.csv"))
        .unwrap()
        .contains("rob"));
    let weak = wmsim_in(
        dir.path(),
        &[
            "sweep", "LB", "--model", "weak", "--rob", "2", "--runs", "10",
        ],
    );
    assert_status(&weak, 2);
    assert!(text(&weak).1.contains("no window"));
}
