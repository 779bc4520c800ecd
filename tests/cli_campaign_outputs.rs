//! A campaign's outputs: its figures survive a failure to save traces, and
//! what depends on the flags alone (the plot's shape, the output folders)
//! is refused before any run.

mod common;

use common::{assert_status, scratch, stdout_json, text, wmsim_in};
use serde_json::Value;

#[test]
fn fuzz_figures_survive_traces_that_cannot_be_saved() {
    let dir = scratch("outputs-fuzz-traces");
    // A file where the traces folder should be: no trace can be saved.
    std::fs::write(dir.join("blocker"), "").unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "fuzz", "SB", "--runs", "3000", "--save", "2", "--traces", "blocker", "--out", "r.json",
        ],
    );
    assert_status(&out, 3);
    let (stdout, stderr) = text(&out);
    assert!(stdout.starts_with("SB on weak"), "{stdout}");
    assert!(stdout.contains("Violation rate: "), "{stdout}");
    assert!(!stdout.contains("Trace: "), "{stdout}");
    assert!(
        stderr.contains("cannot create blocker/SB/weak")
            && stderr.contains("0 of 2 traces saved (the result lists those)"),
        "{stderr}"
    );
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    assert_eq!(r["runs"], 3000);
    assert_eq!(r["failing_runs"].as_array().unwrap().len(), 2);
    assert_eq!(r["traces"], serde_json::json!([]));
    // The result is a whole campaign `merge` accepts as it is.
    let merged = wmsim_in(&dir, &["merge", "r.json", "--json"]);
    assert_status(&merged, 1);
    assert_eq!(stdout_json(&merged)["runs"], 3000);
}

#[test]
fn sweep_figures_survive_traces_that_cannot_be_saved() {
    let dir = scratch("outputs-sweep-traces");
    // The traces folder exists, but a file stands where SB's folder goes.
    std::fs::create_dir(dir.join("tr")).unwrap();
    std::fs::write(dir.join("tr/SB"), "").unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "sweep",
            "SB",
            "--sb-depth",
            "1..2",
            "--runs",
            "500",
            "--save",
            "1",
            "--traces",
            "tr",
            "--out",
            "r.json",
            "--csv",
            "r.csv",
        ],
    );
    assert_status(&out, 3);
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.starts_with("SB on weak, seed 0, 500 runs"),
        "{stdout}"
    );
    assert!(stderr.contains("0 of 2 traces saved"), "{stderr}");
    let csv = std::fs::read_to_string(dir.join("r.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(dir.join("r.json").is_file());
}

/// Four swept parameters: 2 x 2 x 5 x 3 combinations, drawn as one line
/// per combination of the last three: 30, more than a plot holds.
const TOO_MANY_LINES: &[&str] = &[
    "sweep",
    "SB",
    "--sb-depth",
    "0..1",
    "--iq-depth",
    "0..1",
    "--interrupt-rate",
    "0,10,20,30,40",
    "--miss-latency",
    "1..2,3..4,5..6",
    "--runs",
    "200",
];

#[test]
fn a_sweep_plot_that_cannot_be_drawn_is_refused_before_any_run() {
    let dir = scratch("outputs-svg-early");
    let out = wmsim_in(
        &dir,
        &[
            TOO_MANY_LINES,
            &["--svg", "p.svg", "--out", "r.json", "--csv", "r.csv"],
        ]
        .concat(),
    );
    assert_status(&out, 2);
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "wmsim: cannot draw p.svg: plot: 30 lines (one per combination of iq_depth, \
         miss_latency, interrupt_rate) are too many to read; plot at most 12: fix some of \
         these parameters to one value (or sweep fewer values of them)\n"
    );
    for file in ["p.svg", "r.json", "r.csv", "traces"] {
        assert!(!dir.join(file).exists(), "{file} was written");
    }
}

#[test]
fn a_sweep_traces_folder_that_is_a_file_is_refused_before_any_run() {
    let dir = scratch("outputs-traces-early");
    std::fs::write(dir.join("blocker"), "").unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "sweep",
            "SB",
            "--sb-depth",
            "1..2",
            "--runs",
            "500",
            "--save",
            "1",
            "--traces",
            "blocker",
            "--csv",
            "r.csv",
        ],
    );
    assert_status(&out, 3);
    assert_eq!(
        text(&out),
        (
            String::new(),
            "wmsim: --traces blocker: cannot save traces there: it is not a folder\n".into()
        )
    );
    assert!(!dir.join("r.csv").exists());
}

#[test]
fn a_sweep_output_in_a_missing_folder_is_refused_before_any_run() {
    let dir = scratch("outputs-folder-early");
    let out = wmsim_in(
        &dir,
        &[
            "sweep",
            "SB",
            "--sb-depth",
            "0..1",
            "--runs",
            "200",
            "--out",
            "r.json",
            "--csv",
            "missing/r.csv",
        ],
    );
    assert_status(&out, 3);
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "wmsim: --csv missing/r.csv: cannot write there: the folder missing does not exist\n"
    );
    assert!(!dir.join("r.json").exists());
    assert!(!dir.join("traces").exists());
}
