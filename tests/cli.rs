//! The `wmsim` command as a user runs it: output, determinism, exit status.

mod common;

use std::process::Output;

use serde_json::Value;

/// Runs wmsim in a scratch folder of its own, where its traces go (removed
/// once it has run).
fn wmsim(args: &[&str]) -> Output {
    common::wmsim_in(&common::scratch("cli"), args)
}

/// Exit status 0, or the test fails showing what wmsim printed on stderr.
fn assert_success(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
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
        (
            &["check", "SB", "--model", "vax"],
            "invalid value 'vax' for '--model <MODEL>'",
        ),
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
            "invalid value 'lukewarm' for '--cache <CACHE>'",
        ),
    ];
    for (args, message) in cases {
        let out = wmsim(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        // clap refuses a value not among an enumerated flag's and lists them.
        if message.starts_with("invalid value") {
            assert!(stderr.contains("[possible values: "), "{args:?}: {stderr}");
        } else if !message.starts_with("--") && !message.starts_with("minimum") {
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

const SB_LITMUS: &str = "C SB\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONCE(*y);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0 /\\ 1:r0=0)\n";

/// A folder with SB.litmus and a verdicts TSV saying `verdict` for it.
fn suite_dir(name: &str, verdict: &str) -> common::Scratch {
    let dir = common::scratch(&format!("suite-{name}"));
    std::fs::create_dir_all(dir.join("t")).unwrap();
    std::fs::write(dir.join("t/SB.litmus"), SB_LITMUS).unwrap();
    std::fs::write(
        dir.join("verdicts.tsv"),
        format!("path\therd7_lkmm_verdict\tstates_allowed_by_herd7\nt/SB.litmus\t{verdict}\t-\n"),
    )
    .unwrap();
    dir
}

/// `wmsim suite DIR --expected DIR/verdicts.tsv --json` with `models`
/// (`--model M` or `--all-models`): the JSON and the exit status.
fn suite(dir: &std::path::Path, models: &[&str]) -> (Value, Option<i32>) {
    let tsv = dir.join("verdicts.tsv");
    let args = [
        &["suite", dir.to_str().unwrap()][..],
        models,
        &["--expected", tsv.to_str().unwrap(), "--json"],
    ]
    .concat();
    let out = wmsim(&args);
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

#[test]
fn suite_agrees_where_herd_agrees_and_fails_on_unsound() {
    let dir = suite_dir("agree", "Sometimes");
    let (v, status) = suite(&dir, &["--model", "tso"]);
    assert_eq!(v["files"][0]["class"], "agree");
    assert_eq!(status, Some(0));
    // sc cannot show SB: allowed, not exhibited.
    let (v, _) = suite(&dir, &["--model", "sc"]);
    assert_eq!(v["files"][0]["class"], "allowed-not-exhibited");

    let dir = suite_dir("unsound", "Never");
    let (v, status) = suite(&dir, &["--all-models"]);
    let classes: Vec<_> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["class"].clone())
        .collect();
    assert_eq!(
        classes,
        ["agree", "unsound", "unsound", "unsound", "unsound"]
    );
    assert_eq!(v["totals"]["weak"]["unsound"], 1);
    assert_eq!(status, Some(1), "an unsound file fails the suite");
}

#[test]
fn check_reads_a_litmus_file_and_prints_herds_result_block() {
    let dir = suite_dir("herd", "Sometimes");
    let file = dir.join("t/SB.litmus");
    let out = wmsim(&[
        "check",
        file.to_str().unwrap(),
        "--model",
        "tso",
        "--format",
        "herd",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Test SB Allowed");
    assert_eq!(lines[1], "States 4");
    assert_eq!(lines[2], "0:r0=0; 1:r0=0;");
    assert!(lines.contains(&"Ok"));
    assert!(lines.contains(&"Positive: 1 Negative: 3"));
    assert!(lines.contains(&"Condition exists (0:r0=0 /\\ 1:r0=0)"));
    assert!(lines.contains(&"Observation SB Sometimes 1 3"));
}

#[test]
fn a_malformed_litmus_file_points_at_line_and_column() {
    let dir = common::scratch("bad");
    let file = dir.join("bad.litmus");
    // `check` on SB with one edit: the exit status and what it printed.
    let check_edited = |from: &str, to: &str| {
        std::fs::write(&file, SB_LITMUS.replace(from, to)).unwrap();
        let out = wmsim(&["check", file.to_str().unwrap()]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (status, stderr) = check_edited("r0 = READ_ONCE(*y);", "r0 = READ_ONCE(*y)");
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("bad.litmus:11:"), "{stderr}");
    assert!(stderr.contains('^'), "{stderr}");

    let (status, stderr) = check_edited("WRITE_ONCE(*x, 1);", "rcu_barrier();");
    assert_eq!(status, Some(5), "{stderr}");
    assert!(stderr.contains("unsupported: rcu_barrier"), "{stderr}");
}

#[test]
fn fuzz_saves_traces_that_replay_minimize_and_draw() {
    let scratch = common::scratch("traces");
    // A folder wmsim makes itself.
    let dir = scratch.join("traces");
    let d = dir.to_str().unwrap();
    let v = json(&[
        "fuzz", "SB", "--model", "weak", "--runs", "500", "--save", "2", "--traces", d, "--json",
    ]);
    let traces: Vec<String> = v["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(traces.len(), 2);
    assert!(traces[0].ends_with("SB/weak/seed0-run0.ron"), "{traces:?}");

    let svg = dir.join("run.svg");
    let out = wmsim(&["replay", &traces[0], "--svg", svg.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_success(&out);
    assert!(
        text.contains("the same transitions and final state"),
        "{text}"
    );
    assert!(text.contains("| P1"), "a column per core: {text}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    let small = dir.join("small.ron");
    let out = wmsim(&["minimize", &traces[0], "-o", small.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_success(&out);
    assert!(text.contains("transitions ("), "{text}");
    let out = wmsim(&["replay", small.to_str().unwrap(), "--quiet"]);
    assert_eq!(out.status.code(), Some(0));

    let empty = dir.join("empty.ron");
    std::fs::write(&empty, "").unwrap();
    let out = wmsim(&["replay", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
