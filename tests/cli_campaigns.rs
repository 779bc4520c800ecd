//! Campaigns as the user sees them (issue 10): runs cut at the step bound
//! are neither passes nor failures in fuzz, sweep, merge and the demo; any
//! run can be saved as a trace; merge prints what the unsharded command
//! prints and names the setting that differs; every flag shows its default.

mod common;

use std::path::Path;

use common::{assert_status, scratch, stdout_json, text, wmsim_in};
use serde_json::{json, Value};

/// A variant whose every run needs more than 20 transitions: with
/// `--steps-max 20` every run is cut at the bound.
const ALL_CUT: [&str; 3] = [
    "xen-shutdown-full:vcpu=none,shutdown=none",
    "--steps-max",
    "20",
];

fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.concat()
}

/// Stdout without the figures that measure time: the `runs/s` of a fuzz
/// summary's first line and the last column of a sweep table.
fn without_timing(stdout: &str) -> String {
    stdout
        .lines()
        .map(|l| match l.split_once(" runs/s") {
            Some(_) => l.rsplit_once(", ").map_or(l, |(a, _)| a).to_string(),
            None if l.ends_with("runs/s/core") => l.to_string(),
            None if l.starts_with("  ") && l.contains("..") => l
                .trim_end()
                .rsplit_once(' ')
                .map_or(l, |(a, _)| a)
                .trim_end()
                .to_string(),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn fuzz_leaves_runs_cut_at_the_step_bound_out_of_the_rate_and_exits_4() {
    let dir = scratch("cut-fuzz");
    let out = wmsim_in(
        &dir,
        &args(&[&["fuzz"], &ALL_CUT, &["--runs", "300", "--json"]]),
    );
    assert_status(&out, 4);
    let v = stdout_json(&out);
    assert_eq!(v["bound_exceeded_runs"], 300);
    assert_eq!(v["decided_runs"], 0);
    assert_eq!(v["violating_runs"], 0);
    assert_eq!(v["violation_rate"], Value::Null);
    assert_eq!(
        (v["ci95_low"].clone(), v["ci95_high"].clone()),
        (json!(0.0), json!(1.0))
    );
    let (_, stderr) = text(&out);
    assert_eq!(
        stderr,
        "wmsim: warning: 300 of 300 runs ended at the step bound (--steps-max 20): neither \
         passes nor failures, they are left out of the rate\n\
         wmsim: that is more than 1% of the runs (--bound-share-max 0.01): the rate is no \
         answer; raise --steps-max (exit status 4)\n"
    );

    let out = wmsim_in(&dir, &args(&[&["fuzz"], &ALL_CUT, &["--runs", "300"]]));
    assert_status(&out, 4);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(
            "\nViolation rate: - (0 violating or deadlocked of 0 decided runs), 95% interval \
             0.00000..1.00000; 300 runs cut at the step bound, left out\n"
        ),
        "{stdout}"
    );

    // A stated share that allows them: still warned, exit 0.
    let allowing = args(&[
        &["fuzz"],
        &ALL_CUT,
        &["--runs", "300", "--bound-share-max", "1"],
    ]);
    let out = wmsim_in(&dir, &allowing);
    assert_status(&out, 0);
    assert!(text(&out).1.starts_with("wmsim: warning: 300 of 300 runs"));

    let out = wmsim_in(&dir, &["fuzz", "SB", "--bound-share-max", "2"]);
    assert_status(&out, 2);
    assert_eq!(
        text(&out).1,
        "wmsim: --bound-share-max 2: a share from 0 to 1\n"
    );
}

#[test]
fn a_rate_counts_only_the_decided_runs() {
    // At --steps-max 80, 138 of 300 runs are cut; 41 of the other 162 fail.
    let dir = scratch("cut-some");
    let out = wmsim_in(
        &dir,
        &[
            "fuzz",
            "xen-shutdown-full:vcpu=none,shutdown=none",
            "--steps-max",
            "80",
            "--runs",
            "300",
            "--save",
            "0",
            "--json",
        ],
    );
    // Failing runs were found: that is a fact whatever the bound (exit 1),
    // but the share cut is still said.
    assert_status(&out, 1);
    assert!(text(&out).1.contains("that is more than 1% of the runs"));
    let v = stdout_json(&out);
    assert_eq!(
        [
            &v["runs"],
            &v["bound_exceeded_runs"],
            &v["decided_runs"],
            &v["violating_runs"]
        ],
        [&json!(300), &json!(138), &json!(162), &json!(41)]
    );
    assert_eq!(v["violation_rate"], json!(0.253086));
    assert_eq!(v["ci95_low"], json!(0.192388));
    assert_eq!(v["ci95_high"], json!(0.325224));
}

#[test]
fn sweep_shows_runs_cut_at_the_bound_beside_every_rate() {
    let dir = scratch("cut-sweep");
    let sweep = args(&[
        &["sweep"],
        &ALL_CUT,
        &["--sb-depth", "1..2", "--runs", "200"],
        &["--csv", "s.csv", "--svg", "s.svg", "--out", "s.json"],
    ]);
    let out = wmsim_in(&dir, &sweep);
    assert_status(&out, 4);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        without_timing(&stdout),
        "xen-shutdown-full:vcpu=none,shutdown=none on weak, seed 0, 200 runs per combination\n\
         fixed: iq_depth=16, miss_latency=20..120, interrupt_rate=20000, \
         interrupt_duration=200..2000, eviction_interval=20..400\n\
         rate: violating (or deadlocked) runs of the decided runs; cut: runs that ended at \
         the step bound, left out of the rate\n      \
         sb_depth      runs  violating       cut      rate        95% interval runs/s/core\n             \
         1       200          0       200         -   0.00000..1.00000\n             \
         2       200          0       200         -   0.00000..1.00000\n\
         Note: rates of sampled runs on this model, not LKMM's; a 0 proves nothing \
         (`wmsim check` explores every run). weak has loads in program order, so no load \
         buffering; multicopy-atomic stores."
    );
    assert_eq!(
        stderr,
        "wmsim: warning: 400 of 400 runs (in 2 of 2 combinations) ended at the step bound \
         (--steps-max 20): neither passes nor failures, they are left out of the rate\n\
         wmsim: that is more than 1% of the runs in 2 combinations (--bound-share-max 0.01): \
         the rate is no answer; raise --steps-max (exit status 4)\n"
    );
    let csv = std::fs::read_to_string(dir.join("s.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().map(|l| l.rsplit_once(',').unwrap().0).collect();
    assert_eq!(
        rows,
        [
            "sb_depth,iq_depth,miss_latency,interrupt_rate,interrupt_duration,\
             eviction_interval,runs,violations,deadlock_runs,bound_exceeded_runs,decided_runs,\
             violating_runs,violation_rate,ci95_low,ci95_high",
            "1,16,20..120,20000,200..2000,20..400,200,0,0,200,0,0,,0.000000,1.000000",
            "2,16,20..120,20000,200..2000,20..400,200,0,0,200,0,0,,0.000000,1.000000",
        ]
    );
    let svg = std::fs::read_to_string(dir.join("s.svg")).unwrap();
    assert!(svg.contains("\u{2020} 400 runs cut at the step bound, left out of the rates"));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s.json")).unwrap()).unwrap();
    for c in v["combinations"].as_array().unwrap() {
        assert_eq!(c["bound_exceeded_runs"], 200);
        assert_eq!(c["decided_runs"], 0);
        assert_eq!(c["violation_rate"], Value::Null);
    }
}

#[test]
fn merged_shards_print_and_exit_as_the_unsharded_command() {
    let dir = scratch("merge-same");
    // Fuzz: three units of 1024 runs, in two shards.
    let fuzz = args(&[&["fuzz"], &ALL_CUT, &["--runs", "3000"]]);
    let whole = wmsim_in(&dir, &fuzz);
    assert_status(&whole, 4);
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out_file = format!("f{i}.json");
        let out = wmsim_in(
            &dir,
            &args(&[&fuzz, &["--shard", &shard, "--out", &out_file]]),
        );
        // A shard is a part: the merge judges the share.
        assert_status(&out, 0);
    }
    let merged = wmsim_in(&dir, &["merge", "f1.json", "f2.json"]);
    assert_status(&merged, 4);
    assert_eq!(
        without_timing(&text(&merged).0),
        without_timing(&text(&whole).0)
    );
    assert_eq!(text(&merged).1, text(&whole).1);

    // Sweep: the table, not JSON, unless --json.
    let sweep = args(&[
        &["sweep", "SB", "--model", "tso", "--sb-depth", "1..2"],
        &["--runs", "2100"],
    ]);
    let whole = wmsim_in(&dir, &sweep);
    assert_status(&whole, 0);
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let out_file = format!("s{i}.json");
        let out = wmsim_in(
            &dir,
            &args(&[&sweep, &["--shard", &shard, "--out", &out_file]]),
        );
        assert_status(&out, 0);
    }
    let merged = wmsim_in(&dir, &["merge", "s2.json", "s1.json", "s3.json"]);
    assert_status(&merged, 0);
    let (merged_text, whole_text) = (text(&merged).0, text(&whole).0);
    assert!(merged_text.starts_with("SB on tso, seed 0, 2100 runs per combination\n"));
    assert_eq!(without_timing(&merged_text), without_timing(&whole_text));
    let json = wmsim_in(&dir, &["merge", "s2.json", "s1.json", "s3.json", "--json"]);
    assert_eq!(stdout_json(&json)["kind"], "sweep");
}

#[test]
fn merge_names_the_setting_that_differs() {
    let dir = scratch("merge-differs");
    let base = ["sweep", "SB", "--model", "tso", "--runs", "100"];
    let cases: [(&[&str], &str); 3] = [
        (&["--seed", "9"], "seed is 9 there, 0 in a.json"),
        (
            &["--steps-max", "50"],
            "timing.steps_max is 50 there, 10000 in a.json",
        ),
        (
            &["--interrupt-rate", "7"],
            "axes.interrupt_rate is [\"7\"] there, [\"20000\"] in a.json",
        ),
    ];
    assert_status(
        &wmsim_in(
            &dir,
            &args(&[&base, &["--shard", "1/2", "--out", "a.json"]]),
        ),
        0,
    );
    for (other, why) in cases {
        let out = wmsim_in(
            &dir,
            &args(&[&base, other, &["--shard", "2/2", "--out", "b.json"]]),
        );
        assert_status(&out, 0);
        let out = wmsim_in(&dir, &["merge", "a.json", "b.json"]);
        assert_status(&out, 2);
        assert_eq!(
            text(&out).1,
            format!("wmsim: b.json belongs to another campaign than a.json: {why}\n")
        );
    }
}

fn replays(dir: &Path, trace: &str) {
    let out = wmsim_in(dir, &["replay", trace, "--quiet"]);
    assert_status(&out, 0);
}

#[test]
fn fuzz_run_saves_any_run_as_a_trace_that_replays() {
    let dir = scratch("run-trace");
    // A passing run of the real code: its smp_mb() waits, and it replays.
    let out = wmsim_in(
        &dir,
        &["fuzz", "xen-shutdown-sb", "--model", "weak", "--run", "0"],
    );
    assert_status(&out, 0);
    let trace = "traces/xen-shutdown-sb_vcpu-mb_shutdown-mb~388edbd6/weak/seed0-run0.ron";
    assert_eq!(
        text(&out).0,
        format!(
            "xen-shutdown-sb:vcpu=mb,shutdown=mb on weak (sb_depth 2, iq_depth 2), seed 0, \
             run 0: completes and passes.\nTrace: {trace}   (wmsim replay {trace})\n"
        )
    );
    replays(&dir, trace);

    // A run cut at the bound: saved, replays, and exit 4 as its campaign.
    let out = wmsim_in(&dir, &args(&[&["fuzz"], &ALL_CUT, &["--run", "2"]]));
    assert_status(&out, 4);
    assert!(text(&out)
        .0
        .contains("run 2: ends at the step bound (neither pass nor failure)."));
    replays(
        &dir,
        "traces/xen-shutdown-full_vcpu-none_shutdown-none~c4c4fa47/weak/seed0-run2.ron",
    );

    // The same run as the campaign's: run 4 of SB on tso violates, and
    // the campaign saved the same trace, byte for byte.
    let out = wmsim_in(
        &dir,
        &["fuzz", "SB", "--model", "tso", "--seed", "5", "--run", "4"],
    );
    assert_status(&out, 1);
    let alone = std::fs::read(dir.join("traces/SB/tso/seed5-run4.ron")).unwrap();
    let campaign = wmsim_in(
        &dir,
        &[
            "fuzz", "SB", "--model", "tso", "--seed", "5", "--runs", "50", "--json", "--traces",
            "c",
        ],
    );
    let v = stdout_json(&campaign);
    assert!(v["failing_runs"].as_array().unwrap().contains(&json!(4)));
    assert_eq!(
        std::fs::read(dir.join("c/SB/tso/seed5-run4.ron")).unwrap(),
        alone
    );
}

#[test]
fn sweep_saves_the_first_failing_runs_of_each_combination() {
    let dir = scratch("sweep-save");
    let sweep = [
        "sweep",
        "SB",
        "--model",
        "tso",
        "--sb-depth",
        "1..2",
        "--runs",
        "100",
    ];
    // By default, none: a sweep does not litter.
    assert_status(&wmsim_in(&dir, &sweep), 0);
    assert!(!dir.join("traces").exists());

    let out = wmsim_in(
        &dir,
        &args(&[&sweep, &["--save", "2", "--traces", "t", "--json"]]),
    );
    assert_status(&out, 0);
    let v = stdout_json(&out);
    for (c, depth) in v["combinations"].as_array().unwrap().iter().zip(["1", "2"]) {
        let folder =
            format!("t/SB/tso/sb{depth}-iq0-miss20..120-irq20000-irqlen200..2000-evict20..400/");
        let traces = c["traces"].as_array().unwrap();
        assert_eq!(traces.len(), 2);
        assert_eq!(c["failing_runs"].as_array().unwrap().len(), 2);
        for t in traces {
            let t = t.as_str().unwrap();
            assert!(t.starts_with(&folder), "{t}");
            replays(&dir, t);
        }
    }
}

#[test]
fn fuzz_takes_interrupt_duration_like_sweep() {
    let dir = scratch("irq-duration");
    let out = wmsim_in(
        &dir,
        &[
            "fuzz",
            "SB",
            "--runs",
            "50",
            "--interrupt-duration",
            "1..2",
            "--json",
        ],
    );
    assert_status(&out, 1);
    let v = stdout_json(&out);
    assert_eq!(
        v["settings"]["timing"]["interrupt_duration"],
        json!({"min": 1, "max": 2})
    );
    let out = wmsim_in(&dir, &["fuzz", "SB", "--interrupt-duration", "5..1"]);
    assert_status(&out, 2);
}

/// Each option of `wmsim COMMAND --help` with its description (clap puts
/// it on the option's line or the next).
fn options(help: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = help.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('-') || line.len() - trimmed.len() > 6 {
            continue;
        }
        let (flag, rest) = trimmed.split_once("  ").unwrap_or((trimmed, ""));
        let description = if rest.trim().is_empty() {
            lines.get(i + 1).map_or("", |l| l.trim()).to_string()
        } else {
            rest.trim().to_string()
        };
        found.push((flag.trim().to_string(), description));
    }
    found
}

#[test]
fn every_campaign_flag_has_a_description_and_shows_its_default() {
    let dir = scratch("help");
    for command in ["fuzz", "sweep", "merge", "demo"] {
        let out = wmsim_in(&dir, &[command, "--help"]);
        assert_status(&out, 0);
        let options = options(&text(&out).0);
        assert!(options.len() > 3, "{command}: {options:?}");
        for (flag, description) in &options {
            assert!(
                !description.is_empty() && !description.starts_with('-'),
                "{command} {flag}: no description"
            );
        }
    }
    let described = |command: &str, flag: &str| -> String {
        let out = wmsim_in(&dir, &[command, "--help"]);
        options(&text(&out).0)
            .into_iter()
            .find(|(f, _)| f.starts_with(flag))
            .unwrap_or_else(|| panic!("{command} {flag}"))
            .1
    };
    for (command, flag, default) in [
        ("fuzz", "--seed", "[default: 0]"),
        ("fuzz", "--miss-latency", "[default: 20..120]"),
        ("fuzz", "--interrupt-duration", "[default: 200..2000]"),
        ("fuzz", "--eviction-interval", "[default: 20..400]"),
        ("fuzz", "--bound-share-max", "[default: 0.01]"),
        ("sweep", "--miss-latency", "[default: 20..120]"),
        ("sweep", "--interrupt-duration", "[default: 200..2000]"),
        ("sweep", "--eviction-interval", "[default: 20..400]"),
        ("sweep", "--interrupt-rate", "[default: 20000]"),
        ("sweep", "--save", "[default: 0]"),
        ("sweep", "--threads", "(default: all cores)"),
        ("demo", "--save", "[default: 1]"),
        ("demo", "--traces", "[default: traces/demo]"),
    ] {
        let d = described(command, flag);
        assert!(d.contains(default), "{command} {flag}: {d}");
    }
}

#[test]
fn the_demo_says_where_its_traces_go_and_can_save_none() {
    let dir = scratch("demo");
    let out = wmsim_in(&dir, &["demo", "--runs", "30", "--save", "0"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with(
        "wmsim: Xen's shutdown deferral (xen/common/domain.c), every barrier variant.\n\
         Saves no traces (--save 0).\n"
    ));
    assert!(stdout.contains(
        "First failing run: on each model where some run failed, the number of the first\n\
         one (runs are numbered 0 to 29)"
    ));
    assert!(!dir.join("traces").exists());

    let out = wmsim_in(&dir, &["demo", "--runs", "30"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with(
        "wmsim: Xen's shutdown deferral (xen/common/domain.c), every barrier variant.\n\
         Saves the first failing run of each cell as a trace under traces/demo/ \
         (`wmsim demo --save 0`: none; `--traces DIR`: elsewhere).\n"
    ));
    assert!(dir
        .join("traces/demo/xen-shutdown-sb_vcpu-mb_shutdown-wmb~e1acde0e/tso")
        .is_dir());

    // smp_wmb() and smp_rmb() are compiler barriers on tso: the same
    // program as barrier(), so the same counts.
    let tso = |variant: &str| -> String {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(variant))
            .unwrap_or_else(|| panic!("{variant}"));
        line.split_whitespace().nth(4).unwrap().to_string()
    };
    assert_eq!(tso("mb / wmb"), tso("mb / barrier"));
    assert_eq!(tso("mb / rmb"), tso("mb / barrier"));

    let out = wmsim_in(&dir, &["--help"]);
    assert!(text(&out)
        .0
        .contains("With no subcommand, wmsim runs the demo (`wmsim demo`"));
}

/// A fuzz summary says what its counts cover: sampled runs of one model,
/// and what that model cannot exhibit, so a 0 never reads as "safe".
#[test]
fn fuzz_says_what_its_counts_cover() {
    let dir = scratch("campaigns-note");
    let out = wmsim_in(&dir, &["fuzz", "SB+mbs", "--model", "sc", "--runs", "200"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    let note = stdout.lines().last().unwrap();
    assert!(note.contains("a 0 proves nothing"), "{note}");
    assert!(note.contains("sc has no store buffer"), "{note}");
}
