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
