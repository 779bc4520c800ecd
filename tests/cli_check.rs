//! `wmsim check`: exit statuses against an expected verdict, the `*` marks,
//! witnesses (to the outcome and to a deadlock) without the search's
//! bookkeeping, several models and files at once, and its flag errors.

mod common;

use std::path::Path;

use common::{assert_status, scratch, stdout_json, text, wmsim_in};
use serde_json::json;

/// Store buffering, with `cond` as its final condition (and `header` in
/// the comment herd7's tests carry).
fn sb(header: &str, cond: &str) -> String {
    format!(
        "C SB+test\n\n(*\n * {header}\n *)\n\n{{}}\n\n\
         P0(int *x, int *y)\n{{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONCE(*y);\n}}\n\n\
         P1(int *x, int *y)\n{{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}}\n\n\
         {cond}\n"
    )
}

/// Load buffering, which LKMM allows and no model here exhibits.
const LB_SOMETIMES: &str = "C LB+test\n\n(*\n * Result: Sometimes\n *)\n\n{}\n\n\
P0(int *x, int *y)\n{\n\tint r0;\n\n\tr0 = READ_ONCE(*x);\n\tWRITE_ONCE(*y, 1);\n}\n\n\
P1(int *x, int *y)\n{\n\tint r0;\n\n\tr0 = READ_ONCE(*y);\n\tWRITE_ONCE(*x, 1);\n}\n\n\
exists (0:r0=1 /\\ 1:r0=1)\n";

/// P0 waits for an `x` nobody writes: every run deadlocks.
const HANG: &str = "C hang\n\n{}\n\n\
P0(int *x, int *y)\n{\n\tWRITE_ONCE(*y, 1);\n\tr0 = smp_cond_load_acquire(x, VAL == 1);\n}\n\n\
P1(int *x, int *y)\n{\n\tint r0;\n\n\tr0 = READ_ONCE(*y);\n}\n\n\
exists (1:r0=2)\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

fn stdout(out: &std::process::Output) -> String {
    text(out).0
}

// Item 2: the exit status says whether the verdict was the one expected.

#[test]
fn check_expect_exits_1_when_the_verdict_differs() {
    let dir = scratch("check-expect");
    let out = wmsim_in(
        &dir,
        &["check", "SB", "--model", "tso", "--expect", "Sometimes"],
    );
    assert_status(&out, 0);
    assert!(stdout(&out).contains("\nExpected Sometimes (--expect): met\n"));
    let out = wmsim_in(
        &dir,
        &["check", "SB", "--model", "tso", "--expect", "never"],
    );
    assert_status(&out, 1);
    assert!(stdout(&out).contains(
        "\nExpected Never (--expect): NOT MET, the verdict is Sometimes: this model reaches \
         a final state where the proposition holds\n"
    ));
    let out = wmsim_in(&dir, &["check", "SB", "--expect", "Maybe"]);
    assert_status(&out, 2);
}

#[test]
fn check_expect_never_fails_on_a_deadlock() {
    let dir = scratch("check-expect-deadlock");
    let file = write(&dir, "hang.litmus", HANG);
    let out = wmsim_in(&dir, &["check", &file, "--expect", "Never"]);
    assert_status(&out, 1);
    assert!(stdout(&out).contains(
        "\nExpected Never (--expect): NOT MET, the verdict is Never: the proposition never \
         holds, but 2 deadlocked state(s) are reachable\n"
    ));
    // Without an expectation, a run that only found a deadlock still ran.
    assert_status(&wmsim_in(&dir, &["check", &file]), 0);
    // herd7's Result: line leaves out runs that hang, and so does the
    // comparison with it.
    let file = write(
        &dir,
        "hang2.litmus",
        &HANG.replace("{}", "(* Result: Never *)\n\n{}"),
    );
    let out = wmsim_in(&dir, &["check", &file]);
    assert_status(&out, 0);
    assert!(stdout(&out).contains(
        "\nExpected Never (the file's Result: line): met (like herd7, the verdict leaves out \
         runs that deadlock: 2 deadlocked state(s) below)\n"
    ));
}

#[test]
fn check_compares_with_the_files_result_line_and_says_lkmm_allows_it() {
    let dir = scratch("check-result-line");
    let file = write(&dir, "LB.litmus", LB_SOMETIMES);
    let out = wmsim_in(&dir, &["check", &file]);
    assert_status(&out, 1);
    assert!(stdout(&out).contains(
        "\nVerdict: Never\nExpected Sometimes (the file's Result: line): NOT MET, the verdict \
         is Never: LKMM allows final states where the proposition holds, but this model \
         reaches none: it did not exhibit what LKMM allows (a limit of the model, not a proof)\n"
    ));
    let v = stdout_json(&wmsim_in(&dir, &["check", &file, "--json"]));
    assert_eq!(
        (
            &v["expected"]["verdict"],
            &v["expected"]["from"],
            &v["expected"]["met"]
        ),
        (&json!("Sometimes"), &json!("result_comment"), &json!(false))
    );
    assert_eq!(v["exit_status"], 1);
    // The flag wins over the file.
    assert_status(&wmsim_in(&dir, &["check", &file, "--expect", "Never"]), 0);
    // herd's format keeps herd7's status, for the scripts around herd7.
    assert_status(&wmsim_in(&dir, &["check", &file, "--format", "herd"]), 0);
}

// Item 3: `*` marks the states that make the test fail, in every command.

#[test]
fn check_marks_the_states_that_break_a_forall() {
    let dir = scratch("check-forall-marks");
    let file = write(
        &dir,
        "f.litmus",
        &sb("forall", "forall (0:r0=1 \\/ 1:r0=1)"),
    );
    let out = wmsim_in(&dir, &["check", &file, "--model", "tso"]);
    assert_status(&out, 0);
    assert!(stdout(&out).contains(
        "States 4\n* 0:r0=0; 1:r0=0;\n  0:r0=0; 1:r0=1;\n  0:r0=1; 1:r0=0;\n  0:r0=1; 1:r0=1;\n\
         (* marks the states that make the test fail: the proposition does not hold)\n"
    ));
    let v = stdout_json(&wmsim_in(
        &dir,
        &["check", &file, "--model", "tso", "--json"],
    ));
    let fails: Vec<_> = v["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["matches"].clone(), s["fails"].clone()))
        .collect();
    assert_eq!(
        fails,
        [
            (json!(false), json!(true)),
            (json!(true), json!(false)),
            (json!(true), json!(false)),
            (json!(true), json!(false))
        ]
    );
}

#[test]
fn fuzz_marks_the_states_that_break_a_forall() {
    let dir = scratch("fuzz-forall-marks");
    let file = write(
        &dir,
        "f.litmus",
        &sb("forall", "forall (0:r0=1 \\/ 1:r0=1)"),
    );
    let out = wmsim_in(
        &dir,
        &[
            "fuzz", &file, "--model", "tso", "--runs", "2000", "--save", "0",
        ],
    );
    let marked: Vec<_> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with('*'))
        .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(marked, ["0:r0=0; 1:r0=0;"]);
}

// Item 5: the shortest path to the first deadlock.

#[test]
fn check_prints_the_path_to_the_first_deadlock() {
    let dir = scratch("check-deadlock-path");
    let file = write(&dir, "hang.litmus", HANG);
    let out = wmsim_in(&dir, &["check", &file]);
    assert!(stdout(&out).contains(
        "Path to the first deadlock (3 steps; 5 eager evictions and invalidations of the \
         search folded away, --verbose shows them):\n\
         \x20   1  P0: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]\n\
         \x20   2  P0: drain y=1 to memory\n\
         \x20   3  P1: r0 = READ_ONCE(*y)  [read y=0 from STALE cache, missing y=1 in memory]\n"
    ));
    let v = stdout_json(&wmsim_in(&dir, &["check", &file, "--json"]));
    let d = &v["deadlocks"][0];
    assert_eq!(d["folded_moves"], 5);
    assert_eq!(
        d["transitions"][1],
        json!({"core": 0, "kind": "drain", "location": "y", "value": 1, "eager": false})
    );
    let v = stdout_json(&wmsim_in(
        &dir,
        &["check", "xen-shutdown-full:vcpu=wmb,shutdown=mb", "--json"],
    ));
    let path = v["deadlocks"][0]["transitions"].as_array().unwrap();
    assert_eq!(path.len(), 42);
    assert_eq!(path[25]["instruction"], "atomic_inc(pause_count)");
}

// Item 6: witnesses a person reads, with the search's moves folded away.

#[test]
fn check_sb_witness_folds_the_eager_evictions() {
    let dir = scratch("check-witness-folded");
    let out = wmsim_in(&dir, &["check", "SB", "--model", "weak"]);
    assert!(stdout(&out).contains(
        "Witness (6 steps; 7 eager evictions and invalidations of the search folded away, \
         --verbose shows them):\n\
         \x20   1  P0: WRITE_ONCE(*x, 1)  [x=1 into the store buffer]\n\
         \x20   2  P1: WRITE_ONCE(*y, 1)  [y=1 into the store buffer]\n\
         \x20   3  P0: r0 = READ_ONCE(*y)  [read y=0 from cache, missing y=1 in P1's store buffer]\n\
         \x20   4  P1: drain y=1 to memory\n\
         \x20   5  P0: drain x=1 to memory\n\
         \x20   6  P1: r0 = READ_ONCE(*x)  [read x=0 from STALE cache, missing x=1 in memory]\n\
         Explored"
    ));
    let out = wmsim_in(&dir, &["check", "SB", "--model", "weak", "--verbose"]);
    let text = stdout(&out);
    assert!(text.contains("Witness (13 steps):\n    1  P0: evict x  [eager: never read again]\n"));
    assert!(text.contains("\n   13  P1: apply invalidation of x  [eager: never read again]\n"));
}

#[test]
fn check_witness_says_where_a_fence_waited() {
    let dir = scratch("check-witness-fence");
    let file = write(
        &dir,
        "sbmb.litmus",
        &sb("one fence", "exists (0:r0=0 /\\ 1:r0=0)")
            .replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 1);\n\tsmp_mb();"),
    );
    let out = wmsim_in(&dir, &["check", &file, "--model", "tso"]);
    assert!(stdout(&out).contains(
        "    3  P1: r0 = READ_ONCE(*x)  [read x=0 from cache, missing x=1 in P0's store buffer]\n\
         \x20   4  P0: drain x=1 to memory  [P0 waits at `smp_mb()`: fence waits for its buffers to empty]\n\
         \x20   5  P0: smp_mb()  [full fence passes]\n"
    ));
}

#[test]
fn check_json_gives_each_witness_step_as_an_object() {
    let dir = scratch("check-witness-json");
    let v = stdout_json(&wmsim_in(
        &dir,
        &["check", "SB", "--model", "weak", "--json"],
    ));
    assert_eq!(v["folded_moves"], 7);
    let steps = v["transitions"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    assert_eq!(
        steps[0],
        json!({"core": 0, "kind": "instruction", "instruction": "WRITE_ONCE(*x, 1)",
               "write": {"location": "x", "value": 1, "to": "store_buffer"}, "eager": false})
    );
    assert_eq!(
        steps[5],
        json!({"core": 1, "kind": "instruction", "instruction": "r0 = READ_ONCE(*x)",
               "read": {"location": "x", "value": 0, "from": "stale_cache",
                        "missed": [{"value": 1, "in": "memory"}]},
               "eager": false})
    );
    let v = stdout_json(&wmsim_in(
        &dir,
        &["check", "SB", "--model", "weak", "--json", "--verbose"],
    ));
    assert_eq!(v["folded_moves"], 0);
    assert_eq!(
        v["transitions"][0],
        json!({"core": 0, "kind": "evict", "location": "x", "eager": true})
    );
}

// Item 9: several models and files, one section each.

#[test]
fn check_all_models_prints_one_section_per_model() {
    let dir = scratch("check-all-models");
    let out = wmsim_in(&dir, &["check", "SB", "--all-models", "--expect", "Never"]);
    assert_status(&out, 1);
    let text = stdout(&out);
    let heads: Vec<_> = text
        .lines()
        .filter(|l| l.starts_with("Test ") || l.starts_with("Expected "))
        .collect();
    assert_eq!(
        heads,
        [
            "Test SB on sc (sb_depth 0, iq_depth 0)",
            "Expected Never (--expect): met",
            "Test SB on tso (sb_depth 2, iq_depth 0)",
            "Expected Never (--expect): NOT MET, the verdict is Sometimes: this model reaches \
             a final state where the proposition holds",
            "Test SB on weak (sb_depth 2, iq_depth 2)",
            "Expected Never (--expect): NOT MET, the verdict is Sometimes: this model reaches \
             a final state where the proposition holds",
            "Test SB on arm (out of order, window 32)",
            "Expected Never (--expect): NOT MET, the verdict is Sometimes: this model reaches \
             a final state where the proposition holds",
            "Test SB on power (out of order, window 32, SMT pairs)",
            "Expected Never (--expect): NOT MET, the verdict is Sometimes: this model reaches \
             a final state where the proposition holds",
        ]
    );
    let out = wmsim_in(
        &dir,
        &[
            "check", "SB", "MP", "--model", "sc", "--model", "tso", "--json",
        ],
    );
    assert_status(&out, 0);
    let v = stdout_json(&out);
    let sections: Vec<_> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["scenario"], s["model"], s["verdict"]))
        .collect();
    assert_eq!(
        sections,
        [
            r#""SB" "sc" "Never""#,
            r#""SB" "tso" "Sometimes""#,
            r#""MP" "sc" "Never""#,
            r#""MP" "tso" "Never""#
        ]
    );
    assert_eq!(v["exit_status"], 0);
}

#[test]
fn check_several_files_exits_with_the_worst_status() {
    let dir = scratch("check-several-files");
    let lb = write(&dir, "LB.litmus", LB_SOMETIMES);
    // 1 (expectation not met) and 0: 1.
    assert_status(&wmsim_in(&dir, &["check", "SB", &lb]), 1);
    // A missing file (2) beats everything; the other sections still print.
    let out = wmsim_in(&dir, &["check", &lb, "nothere.litmus", "SB"]);
    assert_status(&out, 2);
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout.matches("\nVerdict: ").count(), 2, "{stdout}");
    assert!(stderr.contains("nothere.litmus"), "{stderr}");
    let v = stdout_json(&wmsim_in(&dir, &["check", &lb, "nothere.litmus", "--json"]));
    assert_eq!(v["exit_status"], 2);
    assert_eq!(v["sections"][1]["input"], "nothere.litmus");
    assert_eq!(v["sections"][1]["exit_status"], 2);
    // A bound (4) beats an expectation not met (1).
    let out = wmsim_in(&dir, &["check", &lb, "SB", "--states-max", "10"]);
    assert_status(&out, 4);
}

// Item 16: flags that mislead, and a filter that leaves nothing.

#[test]
fn check_depth_range_points_to_sweep() {
    let dir = scratch("check-depth-range");
    let out = wmsim_in(&dir, &["check", "SB", "--sb-depth", "0..4"]);
    assert_status(&out, 2);
    assert!(text(&out).1.contains(
        "check takes one depth; to try several, use `wmsim sweep SCENARIO --sb-depth 0..4`"
    ));
}

#[test]
fn check_json_with_another_format_is_an_error() {
    let dir = scratch("check-json-format");
    for format in ["herd", "text"] {
        let out = wmsim_in(&dir, &["check", "SB", "--json", "--format", format]);
        assert_status(&out, 2);
        assert!(out.stdout.is_empty());
        assert!(text(&out).1.contains("--json"));
    }
    assert_status(
        &wmsim_in(&dir, &["check", "SB", "--json", "--format", "json"]),
        0,
    );
}

#[test]
fn check_says_when_the_filter_removed_every_state() {
    let dir = scratch("check-filter-all");
    let file = write(
        &dir,
        "f.litmus",
        &sb("filter", "filter (0:r0=2)\nexists (0:r0=0 /\\ 1:r0=0)"),
    );
    let out = wmsim_in(&dir, &["check", &file]);
    assert!(stdout(&out).contains(
        "\nVerdict: Never\nThe filter removed every final state (4): nothing was left to \
         test, so this verdict says nothing about the condition.\n"
    ));
    let v = stdout_json(&wmsim_in(&dir, &["check", &file, "--json"]));
    assert_eq!(v["filter_removed_every_state"], true);
    assert_eq!(v["filtered_out"], 4);
}

/// The closing note says what the model lacks from its parameters, not a
/// fixed sentence that blames load order for store buffering on `sc`.
#[test]
fn check_note_says_what_the_model_lacks() {
    let dir = scratch("check-note");
    for (model, lacks) in [
        ("sc", "sc has no store buffer, so no store buffering;"),
        ("tso", "tso has stores drain in program order"),
        (
            "weak",
            "weak has loads in program order, so no load buffering;",
        ),
    ] {
        let out = wmsim_in(&dir, &["check", "SB", "--model", model]);
        assert_status(&out, 0);
        let (stdout, _) = text(&out);
        let note = stdout.lines().last().unwrap();
        assert!(note.contains(lacks), "{model}: {note}");
    }
}
