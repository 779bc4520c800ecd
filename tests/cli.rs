//! The `wmsim` command as a user runs it: output, determinism, exit status.

use std::process::{Command, Output};

use serde_json::Value;

fn wmsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wmsim"))
        .args(args)
        .output()
        .expect("wmsim runs")
}

fn json(args: &[&str]) -> Value {
    let out = wmsim(args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The JSON minus the fields that measure wall-clock time.
fn without_timing(mut v: Value) -> Value {
    let o = v.as_object_mut().expect("an object");
    o.remove("runs_per_second");
    o.remove("elapsed_seconds");
    v
}

#[test]
fn fuzz_json_is_the_same_twice_and_at_any_thread_count() {
    let args = [
        "fuzz", "MP", "--model", "weak", "--runs", "20000", "--seed", "3", "--json",
    ];
    let once = without_timing(json(&[&args[..], &["--threads", "1"]].concat()));
    let again = without_timing(json(&[&args[..], &["--threads", "1"]].concat()));
    let two = without_timing(json(&[&args[..], &["--threads", "2"]].concat()));
    assert_eq!(once, again);
    assert_eq!(once, two);
    assert_eq!(once["runs"], 20000);
    for field in [
        "matches",
        "outcomes",
        "deadlock_runs",
        "bound_exceeded_runs",
    ] {
        assert!(once.get(field).is_some(), "no {field}");
    }
}

#[test]
fn fuzz_reports_store_buffering_on_weak() {
    let v = json(&["fuzz", "SB", "--model", "weak", "--runs", "10000", "--json"]);
    let outcomes = v["outcomes"].as_array().unwrap();
    let both_zero = outcomes
        .iter()
        .find(|o| o["state"]["0:r0"] == 0 && o["state"]["1:r0"] == 0)
        .expect("r0=0, r1=0 found");
    assert!(both_zero["count"].as_u64().unwrap() > 0);
    assert_eq!(v["matches"], both_zero["count"]);
}

#[test]
fn check_json_gives_verdict_states_and_witness() {
    let v = json(&["check", "SB", "--model", "tso", "--json"]);
    assert_eq!(v["verdict"], "Sometimes");
    assert_eq!(v["states"].as_array().unwrap().len(), 4);
    assert!(!v["transitions"].as_array().unwrap().is_empty());
    assert!(v["explored_states"].as_u64().unwrap() > 0);
    assert_eq!(v["deadlocks"].as_array().unwrap().len(), 0);

    let v = json(&["check", "SB+mbs", "--model", "weak", "--json"]);
    assert_eq!(v["verdict"], "Never");
    assert!(v["transitions"].is_null());
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "NoSuchTest", "--model", "weak"],
            "unknown scenario",
        ),
        (&["check", "SB", "--model", "arm"], "unknown model"),
        (
            &["fuzz", "SB", "--model", "weak", "--sb-depth", "1000000000"],
            "beyond the maximum",
        ),
        (
            &["fuzz", "SB", "--model", "weak", "--iq-depth", "17"],
            "beyond the maximum",
        ),
        (
            &["fuzz", "SB", "--model", "tso", "--iq-depth", "2"],
            "no invalidation queue",
        ),
        (
            &["fuzz", "SB", "--model", "sc", "--sb-depth", "2"],
            "no store buffer",
        ),
        (&["fuzz", "SB", "--runs", "0"], "--runs must be at least 1"),
        (
            &["fuzz", "SB", "--threads", "0"],
            "--threads must be at least 1",
        ),
        (
            &["fuzz", "SB", "--miss-latency", "9..3"],
            "minimum 9 above maximum 3",
        ),
        (
            &["fuzz", "SB", "--cache", "lukewarm"],
            "unknown cache start",
        ),
    ];
    for (args, message) in cases {
        let out = wmsim(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        if !message.starts_with("--") && !message.starts_with("minimum") {
            assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}

#[test]
fn fuzz_exit_status_says_whether_the_condition_was_met() {
    assert_eq!(
        wmsim(&["fuzz", "SB", "--model", "weak", "--runs", "2000"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        wmsim(&["fuzz", "SB+mbs", "--model", "weak", "--runs", "2000"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn list_names_every_builtin_with_its_condition() {
    let out = wmsim(&["list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["SB", "SB+mbs", "MP+wmb+addr", "IRIW+mbs", "2+2W+wmbs", "LB"] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing"
        );
    }
    assert!(text.contains("exists (0:r0=0 /\\ 1:r0=0)"));
}
