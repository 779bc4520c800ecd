//! `merge`: shards merged are byte for byte what one run of the whole
//! campaign gives (apart from its timing fields), and a shard that a wmsim
//! of this format and these semantics could not have written is refused,
//! naming the file and the field.

mod common;

use std::path::Path;

use common::{assert_status, scratch, stdout_json, text, wmsim_in};
use serde_json::{json, Value};

const FUZZ: &[&str] = &[
    "fuzz", "SB", "--model", "weak", "--runs", "5000", "--seed", "3", "--save", "5",
];

/// Runs the fuzz campaign whole (`whole.json`) and as three shards
/// (`s1.json`..`s3.json`); returns the whole run's stdout.
fn fuzz_whole_and_shards(dir: &Path) -> String {
    let whole = wmsim_in(dir, &[FUZZ, &["--out", "whole.json"]].concat());
    assert_status(&whole, 1);
    for i in 1..=3 {
        let shard = wmsim_in(
            dir,
            &[
                FUZZ,
                &["--shard", &format!("{i}/3"), "--out", &format!("s{i}.json")],
            ]
            .concat(),
        );
        assert_status(&shard, 1);
    }
    text(&whole).0
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The text with its measured speed (`N runs/s`) blanked.
fn without_speed(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(" runs, ") {
            Some((head, _)) if l.ends_with(" runs/s") => format!("{head} runs, _ runs/s\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}

/// A result without the fields that measure time.
fn without_timing(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    o.remove("runs_per_second");
    o.remove("elapsed_seconds");
    for c in o
        .get_mut("combinations")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let c = c.as_object_mut().unwrap();
        c.remove("cpu_seconds");
        c.remove("runs_per_second");
    }
    v
}

#[test]
fn merged_fuzz_shards_print_and_write_what_the_whole_run_does() {
    let dir = scratch("merge-fuzz-equal");
    let whole_text = fuzz_whole_and_shards(&dir);
    let merged = wmsim_in(&dir, &["merge", "s3.json", "s1.json", "s2.json"]);
    assert_status(&merged, 1);
    assert_eq!(without_speed(&text(&merged).0), without_speed(&whole_text));
    let merged = wmsim_in(
        &dir,
        &["merge", "s1.json", "s2.json", "s3.json", "--out", "m.json"],
    );
    assert_status(&merged, 1);
    let whole = json_file(&dir.join("whole.json"));
    // The first five failing runs in run order, as the whole run saved them.
    assert_eq!(whole["traces"].as_array().unwrap().len(), 5);
    assert_eq!(whole["failing_runs"], json!([0, 1, 2, 4, 6]));
    assert_eq!(
        without_timing(json_file(&dir.join("m.json"))),
        without_timing(whole)
    );
}

const SWEEP: &[&str] = &[
    "sweep",
    "SB",
    "--model",
    "weak",
    "--sb-depth",
    "0..1",
    "--iq-depth",
    "0..1",
    "--runs",
    "3000",
    "--save",
    "2",
];

/// The CSV without its timing column (runs per second, the last).
fn csv_without_speed(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect()
}

/// The table without its timing column (runs/s/core, the last of a row).
fn table_without_speed(text: &str) -> String {
    text.lines()
        .map(|l| {
            let last = l.rsplit(' ').next().unwrap_or("");
            if !l.starts_with("Trace") && last.parse::<f64>().is_ok() {
                l[..l.len() - last.len()].trim_end().to_string() + "\n"
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

#[test]
fn merged_sweep_shards_print_and_write_what_the_whole_sweep_does() {
    let dir = scratch("merge-sweep-equal");
    let whole = wmsim_in(
        &dir,
        &[SWEEP, &["--out", "whole.json", "--csv", "whole.csv"]].concat(),
    );
    assert_status(&whole, 0);
    for i in 1..=3 {
        let shard = wmsim_in(
            &dir,
            &[
                SWEEP,
                &["--shard", &format!("{i}/3"), "--out", &format!("s{i}.json")],
            ]
            .concat(),
        );
        assert_status(&shard, 0);
    }
    let merged = wmsim_in(
        &dir,
        &[
            "merge", "s2.json", "s3.json", "s1.json", "--out", "m.json", "--csv", "m.csv",
        ],
    );
    assert_status(&merged, 0);
    assert_eq!(
        table_without_speed(&text(&merged).0),
        table_without_speed(&text(&whole).0)
    );
    assert_eq!(
        csv_without_speed(&dir.join("m.csv")),
        csv_without_speed(&dir.join("whole.csv"))
    );
    assert_eq!(
        without_timing(json_file(&dir.join("m.json"))),
        without_timing(json_file(&dir.join("whole.json")))
    );
}

/// `s1.json` edited by `edit` into `edited.json`, merged with the other
/// shards: refused with status 2, naming the file and `what`.
fn assert_refused(dir: &Path, shards: &[&str], edit: impl Fn(&mut Value), what: &str) {
    let mut v = json_file(&dir.join(shards[0]));
    edit(&mut v);
    std::fs::write(dir.join("edited.json"), v.to_string()).unwrap();
    let mut args = vec!["merge", "edited.json"];
    args.extend(&shards[1..]);
    let out = wmsim_in(dir, &args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(
        stderr.contains(&format!("edited.json: {what}")),
        "expected `edited.json: {what}` in: {stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn merge_refuses_edited_fuzz_shards_naming_the_field() {
    let dir = scratch("merge-fuzz-edited");
    fuzz_whole_and_shards(&dir);
    let shards = ["s1.json", "s2.json", "s3.json"];
    let refused = |edit: &dyn Fn(&mut Value), what: &str| assert_refused(&dir, &shards, edit, what);
    refused(
        &|v| {
            v.as_object_mut().unwrap().remove("runs");
        },
        "missing field `runs`",
    );
    refused(&|v| v["runs"] = json!("2048"), "runs: invalid type: string");
    refused(
        &|v| v["runs"] = json!(-1),
        "runs: invalid value: integer `-1`",
    );
    refused(
        &|v| v["runs"] = json!(u64::MAX),
        "runs: 18446744073709551615, more than the campaign's 5000",
    );
    refused(
        &|v| v["violations"] = json!(v["runs"].as_u64().unwrap() + 1),
        "violations: 2049, more than runs (2048)",
    );
    refused(
        &|v| v["outcomes"][0]["values"][0] = json!(0.5),
        "outcomes[0].values[0]: invalid type: floating point",
    );
    refused(
        &|v| v["outcomes"][0]["values"] = json!([]),
        "outcomes[0].values: not one value per observed location",
    );
    refused(
        &|v| v["outcomes"] = json!([]),
        "outcomes: 0 runs counted with filtered_runs, but 2048 runs completed",
    );
    refused(
        &|v| v["failing_runs"] = json!([4, 0, 1, 2, 3]),
        "failing_runs: not in increasing order",
    );
    refused(&|v| v["settings"]["seed"] = json!(4), "campaign: ");
    refused(
        &|v| v["settings"]["semantics_version"] = json!(sim_core::SEMANTICS_VERSION + 1),
        &format!(
            "made under semantics version {}; this wmsim runs semantics version {}",
            sim_core::SEMANTICS_VERSION + 1,
            sim_core::SEMANTICS_VERSION
        ),
    );
    refused(
        &|v| {
            v.as_object_mut().unwrap().remove("format_version");
        },
        "no format_version",
    );
    refused(
        &|v| v["unknown"] = json!(1),
        "unknown: unknown field `unknown`\n",
    );
}

#[test]
fn merge_refuses_a_sweep_shard_with_more_violations_than_runs() {
    let dir = scratch("merge-sweep-edited");
    for i in 1..=2 {
        let shard = wmsim_in(
            &dir,
            &[
                SWEEP,
                &["--shard", &format!("{i}/2"), "--out", &format!("s{i}.json")],
            ]
            .concat(),
        );
        assert_status(&shard, 0);
    }
    let shards = ["s1.json", "s2.json"];
    assert_refused(
        &dir,
        &shards,
        |v| v["combinations"][0]["violations"] = json!(1_000_000_000u64),
        "combinations[0].violations: 1000000000, more than runs",
    );
    assert_refused(
        &dir,
        &shards,
        |v| v["combinations"][1]["runs"] = json!(-3),
        "combinations[1].runs: invalid value: integer `-3`",
    );
    assert_refused(
        &dir,
        &shards,
        |v| v["settings"]["semantics_version"] = json!(0),
        "made under semantics version 0",
    );
}

#[test]
fn a_result_records_the_tool_and_semantics_versions() {
    let dir = scratch("merge-versions");
    let out = wmsim_in(
        &dir,
        &["fuzz", "SB", "--runs", "100", "--save", "0", "--json"],
    );
    assert_status(&out, 1);
    let v = stdout_json(&out);
    assert_eq!(v["format_version"], 1);
    assert_eq!(
        v["settings"]["semantics_version"],
        sim_core::SEMANTICS_VERSION
    );
    assert_eq!(v["settings"]["wmsim_version"], env!("CARGO_PKG_VERSION"));
}
