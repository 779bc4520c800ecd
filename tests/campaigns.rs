//! Sweeps and sharded campaigns: results never depend on the thread count,
//! shards merged equal one run, and merge refuses what does not fit.

mod common;

use std::path::Path;

use common::scratch;
use std::process::Output;

use serde_json::Value;

fn wmsim_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = common::command(dir);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("wmsim runs")
}

fn wmsim(dir: &Path, args: &[&str]) -> Output {
    wmsim_env(dir, args, &[])
}

fn ok(out: Output) -> Output {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The CSV without its one timing column (runs per second, the last).
fn deterministic_csv(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect()
}

/// JSON without the fields that measure time (the traces stay: a merge
/// lists those of the first `--save` failing runs, as one run does).
fn deterministic_json(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    for key in ["runs_per_second", "elapsed_seconds"] {
        o.remove(key);
    }
    if let Some(cs) = o.get_mut("combinations").and_then(|c| c.as_array_mut()) {
        for c in cs {
            let c = c.as_object_mut().unwrap();
            c.remove("cpu_seconds");
            c.remove("runs_per_second");
        }
    }
    v
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const SWEEP: &[&str] = &[
    "sweep",
    "xen-shutdown-sb:vcpu=mb,shutdown=wmb",
    "--model",
    "weak",
    "--sb-depth",
    "0..2",
    "--iq-depth",
    "0..2",
    "--runs",
    "3000",
];

#[test]
fn a_sweep_is_the_same_at_any_thread_count_and_as_merged_shards() {
    let dir = scratch("sweep");
    let run = |extra: &[&str]| ok(wmsim(&dir, &[SWEEP, extra].concat()));
    run(&["--threads", "1", "--csv", "one.csv", "--out", "one.json"]);
    run(&["--threads", "2", "--csv", "two.csv"]);
    assert_eq!(
        deterministic_csv(&dir.join("one.csv")),
        deterministic_csv(&dir.join("two.csv"))
    );
    for i in 1..=3 {
        run(&["--shard", &format!("{i}/3"), "--out", &format!("s{i}.json")]);
    }
    let merged = ok(wmsim(
        &dir,
        &[
            "merge",
            "s3.json",
            "s1.json",
            "s2.json",
            "--csv",
            "merged.csv",
            "--json",
        ],
    ));
    assert_eq!(
        deterministic_csv(&dir.join("one.csv")),
        deterministic_csv(&dir.join("merged.csv"))
    );
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(
        deterministic_json(merged),
        deterministic_json(json_file(&dir.join("one.json")))
    );

    // No buffers at all: the weak machine is sequentially consistent.
    let one = json_file(&dir.join("one.json"));
    let cells = one["combinations"].as_array().unwrap();
    let zero = cells
        .iter()
        .find(|c| c["sb_depth"] == "0" && c["iq_depth"] == "0")
        .unwrap();
    assert_eq!(zero["violating_runs"], 0);
    let buffered = cells
        .iter()
        .find(|c| c["sb_depth"] == "1" && c["iq_depth"] == "0")
        .unwrap();
    assert!(buffered["violating_runs"].as_u64().unwrap() > 0);
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_shards() {
    let dir = scratch("refuse");
    for i in 1..=3 {
        ok(wmsim(
            &dir,
            &[
                SWEEP,
                &["--shard", &format!("{i}/3"), "--out", &format!("s{i}.json")],
            ]
            .concat(),
        ));
    }
    ok(wmsim(
        &dir,
        &[
            SWEEP,
            &["--seed", "9", "--shard", "2/3", "--out", "other.json"],
        ]
        .concat(),
    ));
    std::fs::write(dir.join("junk.json"), "{ not json").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["merge", "s1.json", "s3.json"], "shard 2 of 3 missing"),
        (
            &["merge", "s1.json", "s2.json", "s2.json", "s3.json"],
            "shard 2 of 3 appears twice: s2.json and s2.json",
        ),
        (
            &["merge", "s1.json", "other.json", "s3.json"],
            "other.json belongs to another campaign",
        ),
        (&["merge", "s1.json", "junk.json"], "junk.json:1:"),
    ];
    for (args, message) in cases {
        let out = wmsim(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn fuzz_shards_merge_into_the_single_run() {
    let dir = scratch("fuzz");
    let base = [
        "fuzz", "MP", "--model", "weak", "--runs", "5000", "--seed", "4", "--save", "3",
    ];
    ok_or_violation(wmsim(&dir, &[&base[..], &["--out", "whole.json"]].concat()));
    for i in 1..=2 {
        ok_or_violation(wmsim(
            &dir,
            &[
                &base[..],
                &["--shard", &format!("{i}/2"), "--out", &format!("f{i}.json")],
            ]
            .concat(),
        ));
    }
    // MP on weak fails: the merge exits 1 as the whole campaign does.
    let merged = wmsim(&dir, &["merge", "f1.json", "f2.json", "--json"]);
    assert_eq!(merged.status.code(), Some(1));
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(
        deterministic_json(merged),
        deterministic_json(json_file(&dir.join("whole.json")))
    );
}

fn ok_or_violation(out: Output) {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes_and_refuses_without_them() {
    let dir = scratch("auto");
    let base = [SWEEP, &["--shard", "auto", "--json"]].concat();
    let explicit = ok(wmsim(
        &dir,
        &[SWEEP, &["--shard", "2/3", "--json"]].concat(),
    ));
    let slurm = ok(wmsim_env(
        &dir,
        &base,
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    ));
    let k8s = ok(wmsim_env(
        &dir,
        &base,
        &[("JOB_COMPLETION_INDEX", "1"), ("WMSIM_SHARD_COUNT", "3")],
    ));
    let parse = |o: &Output| deterministic_json(serde_json::from_slice(&o.stdout).unwrap());
    assert_eq!(parse(&explicit), parse(&slurm));
    assert_eq!(parse(&explicit), parse(&k8s));
    let none = wmsim(&dir, &base);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no scheduler found"));
}
