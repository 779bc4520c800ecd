//! The bounds that keep wmsim within the machine: `--memory-max` on an
//! exploration.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// A litmus file as wide as the machine takes: `threads` threads, each
/// with `registers` loads and as many stores over `locations` locations,
/// every thread touching a different mix. A state of it encodes to about
/// a kilobyte, so a few tens of thousands of states fill 64 MiB.
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
/// 64M and a time limit far off, so that only memory can stop it.
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
            "64M",
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
            .contains("\nVerdict: memory bound exceeded after 30411 states (raise --memory-max)\n"),
        "{stdout}"
    );
    // 64 MiB of states is a fraction of a second of exploration; without
    // the bound this file runs until the time limit or memory runs out.
    assert!(started.elapsed() < Duration::from_secs(60));

    let out = check_wide(&dir, "json");
    common::assert_status(&out, 4);
    let v = common::stdout_json(&out);
    assert_eq!(v["bound"], "memory");
    assert_eq!(v["bound_exceeded"], true);
    assert_eq!(v["verdict"], serde_json::Value::Null);
    assert_eq!(v["explored_states"], 30411);
    assert_eq!(v["exit_status"], 4);

    let out = check_wide(&dir, "herd");
    common::assert_status(&out, 4);
    let (stdout, _) = common::text(&out);
    assert_eq!(
        stdout,
        "Bound exceeded wide after 30411 states: memory bound, no result \
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
