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
