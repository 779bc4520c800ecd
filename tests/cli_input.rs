//! The litmus front end seen from the command line: finding a scenario,
//! showing its text, herd7's dialect, control characters in input.

mod common;

use common::{assert_status, scratch, text, wmsim_in};

#[test]
fn a_missing_file_is_no_such_file() {
    let dir = scratch("input-missing-file");
    for name in ["nothere.litmus", "tests/nothere"] {
        let out = wmsim_in(&dir, &["check", name]);
        assert_status(&out, 2);
        let (_, stderr) = text(&out);
        assert_eq!(stderr, format!("wmsim: {name:?}: no such file\n"));
    }
}

#[test]
fn a_near_builtin_name_gets_a_did_you_mean() {
    let dir = scratch("input-did-you-mean");
    for (name, near) in [
        ("sb", "SB"),
        ("xen-shutdown-sbb", "xen-shutdown-sb"),
        ("xen-shutdown-sbb:vcpu=wmb", "xen-shutdown-sb:vcpu=wmb"),
    ] {
        let out = wmsim_in(&dir, &["check", name]);
        assert_status(&out, 2);
        let (_, stderr) = text(&out);
        assert_eq!(
            stderr,
            format!(
                "wmsim: unknown scenario {name:?}: neither a built-in (`wmsim list`) \
                 nor a file; did you mean {near}?\n"
            )
        );
    }
}

/// Store buffering named with an escape sequence that retitles a terminal,
/// and a comment inside a statement that would clear it.
const CONTROL_NAMED: &str = "C t\x1b]0;pwned\x07\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\
    \tWRITE_ONCE(*x, /* \x1b[2J */ 1);\n\tr0 = READ_ONCE(*y);\n}\nP1(int *x, int *y)\n{\n\
    \tint r0;\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}\nexists (0:r0=0 /\\ 1:r0=0)\n";

fn assert_no_control_characters(what: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{what} has a control character: {text:?}"
    );
}

#[test]
fn control_characters_in_names_and_source_lines_are_escaped() {
    let dir = scratch("input-control-names");
    std::fs::write(dir.join("t.litmus"), CONTROL_NAMED).unwrap();
    let out = wmsim_in(&dir, &["check", "t.litmus", "--model", "weak"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert_no_control_characters("check's output", &stdout);
    assert!(
        stdout.starts_with("Test t\\x1b]0;pwned\\x07 on weak"),
        "{stdout}"
    );
    assert!(
        stdout.contains("P0: WRITE_ONCE(*x, /* \\x1b[2J */ 1)"),
        "{stdout}"
    );
    let out = wmsim_in(&dir, &["check", "t.litmus", "--format", "herd"]);
    let (stdout, _) = text(&out);
    assert_no_control_characters("herd's block", &stdout);
    assert!(stdout.starts_with("Test t\\x1b]0;pwned\\x07 "), "{stdout}");
}

#[test]
fn a_parse_error_echoes_its_line_and_path_escaped() {
    let dir = scratch("input-control-error");
    let name = "e\x1b[2J.litmus";
    std::fs::write(
        dir.join(name),
        "C bad\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1); \x1b[2J\n}\nexists (x=1)\n",
    )
    .unwrap();
    let out = wmsim_in(&dir, &["check", name]);
    assert_status(&out, 2);
    let (_, stderr) = text(&out);
    assert_eq!(
        stderr,
        "wmsim: e\\x1b[2J.litmus:5:21: expected a C token, found unexpected character `\\x1b`\n\
         \tWRITE_ONCE(*x, 1); \\x1b[2J\n\
         \t                   ^\n"
    );
    // A folder's file names reach the output of `suite` escaped too.
    let out = wmsim_in(&dir, &["suite", "."]);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("e\\x1b[2J.litmus"), "{stdout}");
    assert_no_control_characters("suite's output", &stdout);
}

#[test]
fn what_herd7_refuses_is_warned_about_and_listed_in_help() {
    let dir = scratch("input-herd-warnings");
    std::fs::write(
        dir.join("f.litmus"),
        "C f\n{}\nP0(spinlock_t *lock, int *x)\n{\n\tint r0;\n\tspin_lock(lock);\n\
         \tr0 = READ_ONCE(*x);\n\tif (!r0 && r0 == 0)\n\t\tWRITE_ONCE(*x, 1);\n\
         \tspin_unlock(lock);\n}\nexists (x=1)\n",
    )
    .unwrap();
    let out = wmsim_in(&dir, &["check", "f.litmus", "--model", "sc"]);
    assert_status(&out, 0);
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("Verdict: Always"), "{stdout}");
    let keyword = "`lock` as a name (a keyword of herd7's C)";
    assert_eq!(
        stderr,
        format!(
            "warning: herd7 rejects {keyword} at f.litmus:3:16; wmsim accepts it\n\
             warning: herd7 rejects {keyword} at f.litmus:6:12; wmsim accepts it\n\
             warning: herd7 rejects `!` at f.litmus:8:6; wmsim accepts it\n\
             warning: herd7 rejects `&&` at f.litmus:8:10; wmsim accepts it\n\
             warning: herd7 rejects {keyword} at f.litmus:10:14; wmsim accepts it\n"
        )
    );
    for command in ["check", "fuzz", "sweep"] {
        let out = wmsim_in(&dir, &[command, "--help"]);
        let (stdout, _) = text(&out);
        assert!(
            stdout.contains("In a thread wmsim also accepts what herd7 refuses: the operators `!`"),
            "{command} --help: {stdout}"
        );
    }
    // herd7's own dialect, as in the built-ins, gets no warning.
    let out = wmsim_in(&dir, &["check", "xen-shutdown-full", "--model", "sc"]);
    assert_eq!(text(&out).1, "");
}

/// Store buffering with a barrier slot on each side.
const SB_SLOTS: &str = "C sb-slots\n\n(*\n * @slot p0 P0_FENCE default mb\n \
    * @slot p1 P1_FENCE default mb\n *)\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\
    \tWRITE_ONCE(*x, 1);\n\tP0_FENCE\n\tr0 = READ_ONCE(*y);\n}\n\nP1(int *x, int *y)\n{\n\
    \tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tP1_FENCE\n\tr0 = READ_ONCE(*x);\n}\n\n\
    exists (0:r0=0 /\\ 1:r0=0)\n";

#[test]
fn show_prints_a_builtin_s_text_with_its_slots_filled() {
    let dir = scratch("input-show-builtin");
    let out = wmsim_in(&dir, &["show", "SB"]);
    assert_status(&out, 0);
    assert_eq!(text(&out).0, include_str!("../scenarios/litmus/SB.litmus"));
    let out = wmsim_in(&dir, &["show", "xen-shutdown-sb:vcpu=wmb,shutdown=mb"]);
    assert_status(&out, 0);
    let (shown, stderr) = text(&out);
    assert_eq!(stderr, "");
    assert!(
        shown.starts_with("C xen-shutdown-sb:vcpu=wmb,shutdown=mb\n"),
        "{shown}"
    );
    assert!(
        shown.contains(" * slot vcpu = wmb (default mb)\n"),
        "{shown}"
    );
    assert!(
        shown.contains("\tWRITE_ONCE(*defer_shutdown, 1);\n\tsmp_wmb();\n"),
        "{shown}"
    );
    assert!(
        shown.contains("\tWRITE_ONCE(*is_shutting_down, 1);\n\tsmp_mb();\n"),
        "{shown}"
    );
    // herd7 input: no placeholder, no declaration, nothing herd7 refuses.
    for wmsim_only in ["VCPU_FENCE", "SHUTDOWN_FENCE", "@slot"] {
        assert!(!shown.contains(wmsim_only), "{shown}");
    }
    let parsed = scenarios::litmus::parse_litmus_for_herd(&shown, "shown").unwrap();
    assert_eq!(parsed.herd_warnings, []);
    assert_eq!(parsed.scenario.name, "xen-shutdown-sb:vcpu=wmb,shutdown=mb");
}

#[test]
fn a_file_s_slots_are_filled_as_the_builtins_are() {
    let dir = scratch("input-file-slots");
    std::fs::write(dir.join("sb.litmus"), SB_SLOTS).unwrap();
    let out = wmsim_in(&dir, &["show", "sb.litmus:p1=none"]);
    assert_status(&out, 0);
    let expected = SB_SLOTS
        .replace("C sb-slots", "C sb-slots:p0=mb,p1=none")
        .replace("@slot p0 P0_FENCE default mb", "slot p0 = mb (default mb)")
        .replace(
            "@slot p1 P1_FENCE default mb",
            "slot p1 = none (default mb)",
        )
        .replace("P0_FENCE", "smp_mb();")
        .replace("P1_FENCE", "/* no barrier */");
    assert_eq!(text(&out).0, expected);
    // The file alone takes the defaults; a variant changes the verdict.
    for (name, verdict) in [
        ("sb.litmus", "Verdict: Never"),
        ("sb.litmus:p0=mb,p1=mb", "Verdict: Never"),
        ("sb.litmus:p1=none", "Verdict: Sometimes"),
    ] {
        let out = wmsim_in(&dir, &["check", name, "--model", "tso"]);
        assert_status(&out, 0);
        let (stdout, _) = text(&out);
        assert!(stdout.contains(verdict), "{name}: {stdout}");
    }
    let out = wmsim_in(&dir, &["check", "sb.litmus:p1=none", "--model", "tso"]);
    assert!(text(&out)
        .0
        .starts_with("Test sb-slots:p0=mb,p1=none on tso"));
}

#[test]
fn an_unknown_slot_or_barrier_is_refused_alike_for_files_and_builtins() {
    let dir = scratch("input-slot-errors");
    std::fs::write(dir.join("sb.litmus"), SB_SLOTS).unwrap();
    std::fs::write(
        dir.join("plain.litmus"),
        include_str!("../scenarios/litmus/SB.litmus"),
    )
    .unwrap();
    let barriers = "expected one of mb, wmb, rmb, barrier, none";
    for (name, message) in [
        (
            "sb.litmus:p2=mb",
            "sb.litmus:p2=mb: unknown slot \"p2\": expected p0 or p1".to_string(),
        ),
        (
            "xen-shutdown-sb:cpu=mb",
            "xen-shutdown-sb:cpu=mb: unknown slot \"cpu\": expected vcpu or shutdown".to_string(),
        ),
        (
            "sb.litmus:p0=dmb",
            format!("sb.litmus:p0=dmb: unknown barrier \"dmb\": {barriers}"),
        ),
        (
            "xen-shutdown-sb:vcpu=dmb",
            format!("xen-shutdown-sb:vcpu=dmb: unknown barrier \"dmb\": {barriers}"),
        ),
        (
            "plain.litmus:p0=mb",
            "plain.litmus:p0=mb: no barrier slots to fill: the file declares none \
             (`@slot NAME PLACEHOLDER default BARRIER` in a comment)"
                .to_string(),
        ),
    ] {
        for command in ["show", "check"] {
            let out = wmsim_in(&dir, &[command, name]);
            assert_status(&out, 2);
            assert_eq!(
                text(&out).1,
                format!("wmsim: {message}\n"),
                "{command} {name}"
            );
        }
    }
}
