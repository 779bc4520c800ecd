//! The bounds that keep wmsim within the machine: `--memory-max` on an
//! exploration, and `suite`'s walk through folder symlinks.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// A litmus file as wide as the machine takes: `threads` threads, each
/// with `registers` loads and as many stores over `locations` locations,
/// every thread touching a different mix. A state of it encodes to a few
/// hundred bytes, so about a hundred thousand states fill 64 MiB (the
/// README's example) and a few thousand fill the 4 MiB the tests give it.
fn wide_litmus(threads: usize, registers: usize, locations: usize) -> String {
    let mut text = String::from("C wide\n\n{\n");
    for l in 0..locations {
        text += &format!("x{l}=0;\n");
    }
    text += "}\n\n";
    let params: Vec<String> = (0..locations).map(|l| format!("int *x{l}")).collect();
    for t in 0..threads {
        text += &format!("P{t}({})\n{{\n", params.join(", "));
        for r in 0..registers {
            text += &format!("\tint r{r} = READ_ONCE(*x{});\n", (t + r) % locations);
            text += &format!("\tWRITE_ONCE(*x{}, {});\n", (t * 7 + r) % locations, r + 1);
        }
        text += "}\n\n";
    }
    text + "exists (0:r0=1)\n"
}

/// The wide file, written into `dir`; explored with the memory bound at
/// 4M and a time limit far off, so that only memory can stop it.
fn check_wide(dir: &Path, format: &str) -> Output {
    std::fs::write(dir.join("wide.litmus"), wide_litmus(8, 30, 32)).unwrap();
    common::wmsim_in(
        dir,
        &[
            "check",
            "wide.litmus",
            "--model",
            "weak",
            "--memory-max",
            "4M",
            "--time-limit",
            "600",
            "--format",
            format,
        ],
    )
}

#[test]
fn memory_max_stops_a_wide_exploration_with_status_4_and_says_memory() {
    let dir = common::scratch("limits-memory");
    let started = Instant::now();
    let out = check_wide(&dir, "text");
    common::assert_status(&out, 4);
    let (stdout, _) = common::text(&out);
    assert!(
        stdout
            .contains("\nVerdict: memory bound exceeded after 5545 states (raise --memory-max)\n"),
        "{stdout}"
    );
    // 4 MiB of states is a fraction of a second of exploration; without
    // the bound this file runs until the time limit or memory runs out.
    assert!(started.elapsed() < Duration::from_secs(60));

    let out = check_wide(&dir, "json");
    common::assert_status(&out, 4);
    let v = common::stdout_json(&out);
    assert_eq!(v["bound"], "memory");
    assert_eq!(v["bound_exceeded"], true);
    assert_eq!(v["verdict"], serde_json::Value::Null);
    assert_eq!(v["explored_states"], 5545);
    assert_eq!(v["exit_status"], 4);

    let out = check_wide(&dir, "herd");
    common::assert_status(&out, 4);
    let (stdout, _) = common::text(&out);
    assert_eq!(
        stdout,
        "Bound exceeded wide after 5545 states: memory bound, no result \
         (raise --memory-max)\n"
    );
}

#[test]
fn the_other_bounds_say_which_they_are() {
    let dir = common::scratch("limits-states");
    let out = common::wmsim_in(&dir, &["check", "SB", "--states-max", "3"]);
    common::assert_status(&out, 4);
    let (stdout, _) = common::text(&out);
    assert!(
        stdout.contains("\nVerdict: state bound exceeded after 3 states (raise --states-max)\n"),
        "{stdout}"
    );
    let out = common::wmsim_in(&dir, &["check", "SB", "--states-max", "3", "--json"]);
    assert_eq!(common::stdout_json(&out)["bound"], "states");
    let out = common::wmsim_in(&dir, &["check", "SB", "--json"]);
    common::assert_status(&out, 0);
    assert_eq!(common::stdout_json(&out)["bound"], serde_json::Value::Null);
}

#[test]
fn memory_max_takes_binary_units_and_refuses_what_is_not_a_size() {
    let dir = common::scratch("limits-sizes");
    for size in ["512M", "4G", "1048576", "2GiB"] {
        let out = common::wmsim_in(&dir, &["check", "SB", "--memory-max", size]);
        common::assert_status(&out, 0);
    }
    let out = common::wmsim_in(&dir, &["check", "SB", "--memory-max", "1.5G"]);
    common::assert_status(&out, 2);
    let (_, stderr) = common::text(&out);
    assert!(
        stderr.contains(
            "invalid value '1.5G' for '--memory-max <SIZE>': expected a size such as 4G, \
             512M or 1048576, got \"1.5G\""
        ),
        "{stderr}"
    );
    let out = common::wmsim_in(&dir, &["check", "SB", "--memory-max", "1000"]);
    common::assert_status(&out, 2);
    let (_, stderr) = common::text(&out);
    assert_eq!(stderr, "wmsim: --memory-max must be at least 1M\n");
}

/// Runs wmsim and kills it if it has not finished within `limit`: a walk
/// that loops must fail the test, not hang it.
fn wmsim_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = common::command(dir)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("wmsim runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("wmsim {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn suite_follows_folder_symlinks_once_and_stops_at_loops() {
    use std::os::unix::fs::symlink;
    let dir = common::scratch("limits-suite-loops");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(corpus.join("a")).unwrap();
    std::fs::create_dir_all(corpus.join("b")).unwrap();
    let sb = "C SB\n\n{}\n\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tint r0 = READ_ONCE(*y);\n}\n\n\
              P1(int *x, int *y)\n{\n\tWRITE_ONCE(*y, 1);\n\tint r0 = READ_ONCE(*x);\n}\n\n\
              exists (0:r0=0 /\\ 1:r0=0)\n";
    std::fs::write(corpus.join("a/SB.litmus"), sb).unwrap();
    std::fs::write(corpus.join("b/SB2.litmus"), sb.replace("C SB", "C SB2")).unwrap();
    // Two loops (one up to the corpus, one to the folder itself) and a
    // link to a sibling folder, whose file is already counted under a/.
    symlink("..", corpus.join("a/up")).unwrap();
    symlink(".", corpus.join("b/self")).unwrap();
    symlink("../a", corpus.join("b/sibling")).unwrap();
    let out = wmsim_within(
        &dir,
        &["suite", "corpus", "--json", "--threads", "1"],
        Duration::from_secs(60),
    );
    common::assert_status(&out, 0);
    let v = common::stdout_json(&out);
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a/SB.litmus", "b/SB2.litmus"]);
}
