//! Data races on the command line: `check` names both accesses with
//! file:line:col beside the verdict, in JSON and in herd's format; `check
//! --expect Never` fails on one; `suite` classes files against herd7's
//! flag; `fuzz` names them too.

mod common;

use common::{assert_status, scratch, stdout_json, text, wmsim_in};

/// Xen's deferral pair as Xen writes it: plain accesses, `smp_mb()` on
/// each side.
const PLAIN_PAIR: &str = "C plain-pair\n\n{}\n\n\
P0(int *defer, int *shutting)\n{\n\tint r0;\n\n\t*defer = 1;\n\tsmp_mb();\n\tr0 = *shutting;\n}\n\n\
P1(int *defer, int *shutting)\n{\n\tint r0;\n\n\t*shutting = 1;\n\tsmp_mb();\n\tr0 = *defer;\n}\n\n\
exists (0:r0=0 /\\ 1:r0=0)\n";

fn marked_pair() -> String {
    PLAIN_PAIR
        .replace("*defer = 1;", "WRITE_ONCE(*defer, 1);")
        .replace("*shutting = 1;", "WRITE_ONCE(*shutting, 1);")
        .replace("r0 = *shutting;", "r0 = READ_ONCE(*shutting);")
        .replace("r0 = *defer;", "r0 = READ_ONCE(*defer);")
}

#[test]
fn check_names_both_accesses_of_each_race_beside_the_verdict() {
    let dir = scratch("races-check");
    std::fs::write(dir.join("pair.litmus"), PLAIN_PAIR).unwrap();
    let out = wmsim_in(&dir, &["check", "pair.litmus", "--model", "weak"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(
            "Verdict: Never, but data races on defer, shutting: LKMM gives this program no meaning\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("P0's plain write of defer at pair.litmus:9:2 `*defer = 1`"));
    assert!(stdout.contains("P1's plain read of defer at pair.litmus:20:7 `r0 = *defer`"));
    assert!(stdout.contains("mark both accesses (READ_ONCE/WRITE_ONCE)"));
    assert!(stdout.contains("<- racing access"));

    // The marked pair: no race, and the check says what it covered.
    std::fs::write(dir.join("marked.litmus"), marked_pair()).unwrap();
    let out = wmsim_in(&dir, &["check", "marked.litmus", "--model", "weak"]);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("Verdict: Never\n"), "{stdout}");
    assert!(!stdout.contains("Data race"));
}

#[test]
fn expecting_never_fails_on_a_race() {
    let dir = scratch("races-expect");
    std::fs::write(dir.join("pair.litmus"), PLAIN_PAIR).unwrap();
    std::fs::write(dir.join("marked.litmus"), marked_pair()).unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "check",
            "pair.litmus",
            "--model",
            "tso",
            "--expect",
            "Never",
        ],
    );
    assert_status(&out, 1);
    assert!(text(&out)
        .0
        .contains("not met: the program has data races on defer, shutting"));
    let out = wmsim_in(
        &dir,
        &[
            "check",
            "marked.litmus",
            "--model",
            "tso",
            "--expect",
            "Never",
        ],
    );
    assert_status(&out, 0);
}

#[test]
fn json_carries_each_race_as_an_object_and_herd_format_flags_it() {
    let dir = scratch("races-json");
    std::fs::write(dir.join("pair.litmus"), PLAIN_PAIR).unwrap();
    let out = wmsim_in(&dir, &["check", "pair.litmus", "--model", "sc", "--json"]);
    let v = stdout_json(&out);
    let races = v["data_races"]["races"].as_array().unwrap();
    assert_eq!(races.len(), 2);
    let first = &races[0];
    assert_eq!(first["location"], "defer");
    assert_eq!(first["first"]["thread"], 0);
    assert_eq!(first["first"]["access"], "write");
    assert_eq!(first["first"]["line"], 9);
    assert_eq!(first["first"]["column"], 2);
    assert_eq!(first["first"]["plain"], true);
    assert_eq!(first["second"]["thread"], 1);
    assert_eq!(first["second"]["access"], "read");
    assert!(!first["witness"].as_array().unwrap().is_empty());

    let out = wmsim_in(
        &dir,
        &["check", "pair.litmus", "--model", "sc", "--format", "herd"],
    );
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("Positive: 0 Negative: 3\nFlag data-race\nCondition"),
        "{stdout}"
    );
    std::fs::write(dir.join("marked.litmus"), marked_pair()).unwrap();
    let out = wmsim_in(
        &dir,
        &[
            "check",
            "marked.litmus",
            "--model",
            "sc",
            "--format",
            "herd",
        ],
    );
    assert!(!text(&out).0.contains("Flag"));
}

#[test]
fn suite_classes_races_against_herds_flag_and_fails_on_a_false_alarm() {
    let dir = scratch("races-suite");
    std::fs::create_dir_all(dir.join("t")).unwrap();
    std::fs::write(dir.join("t/pair.litmus"), PLAIN_PAIR).unwrap();
    std::fs::write(dir.join("t/marked.litmus"), marked_pair()).unwrap();
    let suite = |flags: [&str; 2]| {
        std::fs::write(
            dir.join("races.tsv"),
            format!(
                "path\therd7_lkmm_verdict\therd7_flag_data_race\tsource\n\
                 t/marked.litmus\tNever\t{}\t-\nt/pair.litmus\tNever\t{}\t-\n",
                flags[0], flags[1]
            ),
        )
        .unwrap();
        let tsv = dir.join("races.tsv");
        let out = wmsim_in(
            &dir,
            &[
                "suite",
                "t",
                "--model",
                "tso",
                "--expected",
                tsv.to_str().unwrap(),
                "--json",
            ],
        );
        let v = stdout_json(&out);
        let races: Vec<String> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["race"].as_str().unwrap().to_string())
            .collect();
        (races, out.status.code())
    };
    assert_eq!(
        suite(["no", "yes"]),
        (vec!["race-free".into(), "race-agree".into()], Some(0))
    );
    // herd7 flagging a race the search does not find is a miss, not a
    // failure; a race herd7 does not flag fails the suite.
    assert_eq!(
        suite(["yes", "yes"]),
        (vec!["race-missed".into(), "race-agree".into()], Some(0))
    );
    assert_eq!(
        suite(["no", "no"]),
        (vec!["race-free".into(), "race-false-alarm".into()], Some(1))
    );
}

#[test]
fn fuzz_names_the_races_of_the_plain_xen_pair() {
    let dir = scratch("races-fuzz");
    let out = wmsim_in(
        &dir,
        &["fuzz", "xen-shutdown-plain", "--runs", "200", "--save", "0"],
    );
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("Data race on defer_shutdown: P0's plain write of defer_shutdown"),
        "{stdout}"
    );
    assert!(stdout.contains("Data race on is_shutting_down"));
    let out = wmsim_in(
        &dir,
        &["fuzz", "xen-shutdown-sb", "--runs", "200", "--save", "0"],
    );
    assert!(!text(&out).0.contains("Data race"));
}
