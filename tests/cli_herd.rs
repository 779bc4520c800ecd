//! herd7 parity: `check --format herd`, the `scripts/herd7` drop-in, and
//! what `suite` says about a model.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const SB_LITMUS: &str = "C SB\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONCE(*y);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0 /\\ 1:r0=0)\n";

/// Runs `scripts/herd7` with `args` in `dir`, with this build's wmsim.
fn herd7_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/herd7"))
        .current_dir(dir)
        .args(args)
        .env("WMSIM", assert_cmd::cargo::cargo_bin!("wmsim"))
        .env("WMSIM_MODEL", "tso")
        .output()
        .expect("scripts/herd7 runs")
}

#[test]
fn herd7_drop_in_checks_a_test_whatever_its_name_and_warns_on_an_unreadable_one() {
    let dir = common::scratch("herd7-names");
    std::fs::write(dir.join("sb.txt"), SB_LITMUS).unwrap();
    // herd7 reads any file as a test; `-conf` takes a value, `-v` none.
    let out = herd7_in(
        &dir,
        &[
            "-conf",
            "linux-kernel.cfg",
            "-v",
            "sb.txt",
            "missing.litmus",
        ],
    );
    common::assert_status(&out, 0);
    let (stdout, stderr) = common::text(&out);
    assert!(
        stdout.starts_with("Test SB Allowed\nStates 4\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nObservation SB Sometimes 1 3\n"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "Warning: File \"missing.litmus\": open_in failed: missing.litmus: \
         No such file or directory\n"
    );
    // herd7's `-exit true` stops at the first test it cannot read.
    let out = herd7_in(&dir, &["-exit", "true", "missing.litmus", "sb.txt"]);
    common::assert_status(&out, 1);
    assert_eq!(common::text(&out).0, "");
    // A file that is not a litmus test is refused with wmsim's status.
    std::fs::write(dir.join("notes.txt"), "hello\n").unwrap();
    let out = herd7_in(&dir, &["notes.txt"]);
    common::assert_status(&out, 2);
    assert!(common::text(&out).1.contains("notes.txt:1:1:"));
}

#[test]
fn herd7_drop_in_prints_a_version_line_shaped_like_herd7s() {
    let dir = common::scratch("herd7-version");
    let out = herd7_in(&dir, &["-version"]);
    common::assert_status(&out, 0);
    assert_eq!(
        common::text(&out).0,
        format!("wmsim-{}, Rev: exported\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_format_herd_prints_the_condition_as_herd7_does() {
    let dir = common::scratch("herd-condition");
    let litmus = SB_LITMUS.replace(
        "exists (0:r0=0 /\\ 1:r0=0)",
        "exists ((0:r0=0 \\/ 1:r0=0) /\\ x=1 /\\ ~(y=0) /\\ (0:r0=1 \\/ x!=2))",
    );
    std::fs::write(dir.join("cond.litmus"), litmus).unwrap();
    let out = common::wmsim_in(&dir, &["check", "cond.litmus", "--format", "herd"]);
    common::assert_status(&out, 0);
    let (stdout, _) = common::text(&out);
    assert!(
        stdout.lines().any(|l| l
            == "Condition exists ((0:r0=0 \\/ 1:r0=0) /\\ [x]=1 /\\ not ([y]=0) \
                /\\ (0:r0=1 \\/ not ([x]=2)))"),
        "{stdout}"
    );
    // A disjunction at the top needs no parentheses, in text as in herd.
    let litmus = SB_LITMUS.replace(
        "exists (0:r0=0 /\\ 1:r0=0)",
        "exists (0:r0=0 \\/ 1:r0=0 \\/ x=2)",
    );
    std::fs::write(dir.join("or.litmus"), litmus).unwrap();
    for (format, condition) in [
        ("herd", "Condition exists (0:r0=0 \\/ 1:r0=0 \\/ [x]=2)"),
        ("text", "Condition exists (0:r0=0 \\/ 1:r0=0 \\/ x=2)"),
    ] {
        let out = common::wmsim_in(&dir, &["check", "or.litmus", "--format", format]);
        let (stdout, _) = common::text(&out);
        assert!(stdout.lines().any(|l| l == condition), "{stdout}");
    }
}

#[test]
fn check_format_herd_counts_deadlocks_on_a_line_herd7_scripts_skip() {
    let dir = common::scratch("herd-deadlocks");
    let name = "xen-shutdown-full:vcpu=wmb,shutdown=mb";
    let out = common::wmsim_in(&dir, &["check", name, "--format", "herd"]);
    common::assert_status(&out, 0);
    let (stdout, _) = common::text(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    // herd7's block, then the count, then herd7's closing empty line.
    let n = lines.len();
    assert!(
        lines[n - 3].starts_with(&format!("Time {name} ")),
        "{stdout}"
    );
    assert_eq!(
        lines[n - 2],
        "Deadlocks 1 (wmsim: reachable states where no core can move and not all have \
         finished; herd7 shows none, and they are not among the States above)"
    );
    assert_eq!(lines[n - 1], "");
    // Without deadlocks, no such line.
    let out = common::wmsim_in(&dir, &["check", "SB", "--format", "herd"]);
    assert!(!common::text(&out).0.contains("Deadlocks"));
}

#[test]
fn check_format_herd_gives_no_observation_at_a_bound() {
    let dir = common::scratch("herd-bound");
    let out = common::wmsim_in(
        &dir,
        &["check", "SB", "--format", "herd", "--states-max", "3"],
    );
    common::assert_status(&out, 4);
    let (stdout, _) = common::text(&out);
    // herd7 prints nothing for a test it did not finish; a script that
    // greps `^Observation` must not read a verdict here.
    assert!(!stdout.contains("Observation"), "{stdout}");
    assert!(stdout.starts_with("Bound exceeded SB after "), "{stdout}");
}

#[test]
fn suite_says_what_the_model_lacks_not_what_the_name_suggests() {
    let dir = common::scratch("suite-note");
    // SB under a name that says LB: the note must not follow the name.
    std::fs::write(dir.join("LB+sb.litmus"), SB_LITMUS).unwrap();
    std::fs::write(
        dir.join("verdicts.tsv"),
        "path\therd7_lkmm_verdict\nLB+sb.litmus\tSometimes\n",
    )
    .unwrap();
    let out = common::wmsim_in(
        &dir,
        &[
            "suite",
            ".",
            "--model",
            "sc",
            "--expected",
            "verdicts.tsv",
            "--json",
        ],
    );
    common::assert_status(&out, 0);
    let v = common::stdout_json(&out);
    assert_eq!(v["files"][0]["class"], "allowed-not-exhibited");
    assert_eq!(
        v["files"][0]["note"],
        "sc: no store buffer, so no store buffering; no invalidation queue, so no stale \
         reads; loads in program order, so no load buffering; multicopy-atomic stores"
    );
}
