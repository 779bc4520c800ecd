//! herd7 parity: `check --format herd`, the `scripts/herd7` drop-in, and
//! what `suite` says about a model.

mod common;

const SB_LITMUS: &str = "C SB\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONCE(*y);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0 /\\ 1:r0=0)\n";

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
