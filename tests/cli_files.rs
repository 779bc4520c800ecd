//! Files wmsim writes and reads (issue 11, items 2 to 6): outputs written
//! in place or through a link as the target asks, unique temporary names,
//! concurrent runs, trace folders named safely, input size limits.
//!
//! Devices are reached through symlinks in a scratch folder: a wmsim that
//! renamed over its target then replaces the link, never a node in /dev.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{assert_status, scratch, text, wmsim_in};

/// SB under another test name: fails on weak in most runs.
fn sb_named(name: &str) -> String {
    format!(
        "C {name}\n\n{{}}\n\nP0(int *x, int *y)\n{{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\
         \tr0 = READ_ONCE(*y);\n}}\n\nP1(int *x, int *y)\n{{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\
         \tr0 = READ_ONCE(*x);\n}}\n\nexists (0:r0=0 /\\ 1:r0=0)\n"
    )
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.push(relative.display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn out_through_a_link_to_dev_full_writes_into_the_device_and_fails() {
    let dir = scratch("files-dev-full");
    symlink("/dev/full", dir.join("full")).unwrap();
    let out = wmsim_in(
        &dir,
        &["fuzz", "SB", "--runs", "10", "--save", "0", "--out", "full"],
    );
    assert_status(&out, 3);
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("cannot write full: No space left on device"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_link(dir.join("full")).unwrap(),
        Path::new("/dev/full")
    );
    assert_eq!(files_under(&dir), ["full"]);
}

#[test]
fn csv_through_a_link_to_dev_stdout_goes_down_the_pipe() {
    let dir = scratch("files-dev-stdout");
    symlink("/dev/stdout", dir.join("stdout")).unwrap();
    let out = common::command(&dir)
        .args(["sweep", "SB", "--runs", "10", "--csv", "stdout"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("sb_depth,iq_depth,"), "{stdout}");
    assert!(fs::symlink_metadata(dir.join("stdout"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn csv_to_dev_stdout_sent_to_a_file_comes_before_the_table_not_over_it() {
    let dir = scratch("files-dev-stdout-file");
    symlink("/dev/stdout", dir.join("stdout")).unwrap();
    let printed = fs::File::create(dir.join("printed.txt")).unwrap();
    let status = common::command(&dir)
        .args(["sweep", "SB", "--runs", "10", "--csv", "stdout"])
        .stdout(printed)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let printed = fs::read_to_string(dir.join("printed.txt")).unwrap();
    assert!(printed.starts_with("sb_depth,iq_depth,"), "{printed}");
    assert!(
        printed.contains("\nSB on weak, seed 0, 10 runs per combination\n"),
        "{printed}"
    );
}

#[test]
fn csv_through_a_link_to_a_file_replaces_the_file_and_keeps_the_link() {
    let dir = scratch("files-link");
    fs::create_dir(dir.join("real")).unwrap();
    fs::write(dir.join("real/rates.csv"), "old\n").unwrap();
    symlink("real/rates.csv", dir.join("rates.csv")).unwrap();
    let out = wmsim_in(&dir, &["sweep", "SB", "--runs", "10", "--csv", "rates.csv"]);
    assert_status(&out, 0);
    assert_eq!(
        fs::read_link(dir.join("rates.csv")).unwrap(),
        Path::new("real/rates.csv")
    );
    let csv = fs::read_to_string(dir.join("real/rates.csv")).unwrap();
    assert!(csv.starts_with("sb_depth,iq_depth,"), "{csv}");
    assert_eq!(files_under(&dir), ["rates.csv", "real/rates.csv"]);
}

#[test]
fn out_naming_a_directory_is_refused_as_bad_input() {
    let dir = scratch("files-out-dir");
    fs::create_dir(dir.join("r.json")).unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "fuzz", "SB", "--runs", "10", "--save", "0", "--out", "r.json",
        ],
    );
    assert_status(&out, 2);
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("cannot write r.json: it is a directory"),
        "{stderr}"
    );
    assert!(dir.join("r.json").is_dir());
    assert_eq!(files_under(&dir), Vec::<String>::new());
}

#[test]
fn links_planted_at_the_old_temporary_names_are_not_followed() {
    let dir = scratch("files-planted");
    fs::write(dir.join("victim"), "victim\n").unwrap();
    fs::create_dir_all(dir.join("tr/SB/weak")).unwrap();
    symlink(
        "../../../victim",
        dir.join("tr/SB/weak/.seed0-run0.ron.tmp"),
    )
    .unwrap();
    symlink("victim", dir.join("r.tmp-wmsim")).unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "fuzz", "SB", "--save", "1", "--traces", "tr", "--out", "r.json",
        ],
    );
    assert_status(&out, 1);
    assert_eq!(fs::read_to_string(dir.join("victim")).unwrap(), "victim\n");
    // The planted links stay as they were, and nothing else is left over.
    assert_eq!(
        files_under(&dir),
        [
            "r.json",
            "r.tmp-wmsim",
            "tr/SB/weak/.seed0-run0.ron.tmp",
            "tr/SB/weak/seed0-run0.ron",
            "victim"
        ]
    );
    assert_status(&wmsim_in(&dir, &["replay", "tr/SB/weak/seed0-run0.ron"]), 0);
}

#[test]
fn two_runs_saving_the_same_traces_both_succeed_with_whole_files() {
    let dir = scratch("files-concurrent");
    // Each run writes its 50 traces (each fsynced) for far longer than the
    // two take to start, so each pair overwrites its own files at once;
    // four pairs race on 200 files.
    let args = ["fuzz", "SB", "--runs", "1000", "--save", "50", "--traces"];
    let alone = wmsim_in(&dir, &[&args[..], &["alone"]].concat());
    assert_status(&alone, 1);
    let reference = files_under(&dir.join("alone"));
    assert_eq!(reference.len(), 50);
    for attempt in 0..4 {
        let folder = format!("tr{attempt}");
        let start = || {
            common::command(&dir)
                .args([&args[..], &[folder.as_str()]].concat())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (start(), start());
        for child in [first, second] {
            assert_status(&child.wait_with_output().unwrap(), 1);
        }
        assert_eq!(
            files_under(&dir.join(&folder)),
            reference,
            "attempt {attempt}"
        );
        for name in &reference {
            assert_eq!(
                fs::read(dir.join(&folder).join(name)).unwrap(),
                fs::read(dir.join("alone").join(name)).unwrap(),
                "attempt {attempt}: {name}"
            );
        }
    }
    let some_trace = PathBuf::from("tr3").join(&reference[0]);
    assert_status(
        &wmsim_in(&dir, &["replay", some_trace.to_str().unwrap()]),
        0,
    );
}

#[test]
fn test_names_stay_inside_the_traces_folder_and_apart() {
    let dir = scratch("files-names");
    fs::create_dir_all(dir.join("out/in")).unwrap();
    let names = ["..", "...", "x/...", "...ron", "SB.v2", "a:b", "a_b"];
    for (i, name) in names.iter().enumerate() {
        let file = format!("t{i}.litmus");
        fs::write(dir.join(&file), sb_named(name)).unwrap();
        // Run 0 fails: ten runs are enough to save it.
        let out = wmsim_in(
            &dir,
            &[
                "fuzz", &file, "--runs", "10", "--save", "1", "--traces", "out/in",
            ],
        );
        assert_status(&out, 1);
    }
    let builtin = wmsim_in(
        &dir,
        &[
            "fuzz", "SB", "--runs", "10", "--save", "1", "--traces", "out/in",
        ],
    );
    assert_status(&builtin, 1);
    let saved = files_under(&dir.join("out"));
    assert_eq!(saved.len(), names.len() + 1, "{saved:?}");
    let mut folders: Vec<&str> = saved
        .iter()
        .map(|path| {
            let mut parts = path.split('/');
            assert_eq!(parts.next(), Some("in"), "{path}");
            let folder = parts.next().unwrap();
            assert_eq!(
                parts.collect::<Vec<_>>(),
                ["weak", "seed0-run0.ron"],
                "{path}"
            );
            folder
        })
        .collect();
    folders.sort();
    folders.dedup();
    assert_eq!(folders.len(), names.len() + 1, "{folders:?}");
    assert!(folders.contains(&"SB") && folders.contains(&"SB.v2") && folders.contains(&"a_b"));
}

#[test]
fn an_endless_litmus_input_is_refused_at_its_limit() {
    let dir = scratch("files-dev-zero");
    let out = wmsim_in(&dir, &["check", "/dev/zero"]);
    assert_status(&out, 2);
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("/dev/zero: larger than 1 MiB, the limit for a litmus file"),
        "{stderr}"
    );
}

#[test]
fn inputs_over_their_limits_are_refused_naming_the_limit() {
    let dir = scratch("files-limits");
    let sized = |name: &str, bytes: u64| {
        let path = dir.join(name);
        fs::File::create(&path).unwrap().set_len(bytes).unwrap();
        name.to_string()
    };
    let cases = [
        (
            vec!["check".to_string(), sized("big.litmus", (1 << 20) + 1)],
            2,
            "big.litmus: larger than 1 MiB, the limit for a litmus file",
        ),
        (
            vec!["merge".to_string(), sized("big.json", (64 << 20) + 1)],
            2,
            "big.json: larger than 64 MiB, the limit for a campaign result",
        ),
        (
            vec!["replay".to_string(), sized("big.ron", (256 << 20) + 1)],
            11,
            "big.ron:1:1: not a wmsim trace: larger than 256 MiB, the limit for a trace",
        ),
    ];
    for (args, status, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = wmsim_in(&dir, &args);
        assert_status(&out, status);
        let (_, stderr) = text(&out);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
