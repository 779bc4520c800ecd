//! `replay` and `minimize` on forged traces (issue 11, items 1 and 12): a
//! real trace edited to claim another ending, or made under other
//! semantics, is refused by both, with its status, and `minimize` writes
//! nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_status, scratch, text, wmsim_in};

/// Run 0 of SB on weak, saved by `fuzz`: complete, the condition met.
fn sb_trace(dir: &Path) -> PathBuf {
    let out = wmsim_in(dir, &["fuzz", "SB", "--save", "1", "--traces", "tr"]);
    assert_status(&out, 1);
    let path = dir.join("tr/SB/weak/seed0-run0.ron");
    assert!(path.exists(), "{:?}", text(&out));
    path
}

fn edited(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let original = std::fs::read_to_string(sb_trace(dir)).unwrap();
    assert!(original.contains(from), "{from}");
    std::fs::write(dir.join(name), original.replacen(from, to, 1)).unwrap();
    name.to_string()
}

#[test]
fn replay_and_minimize_refuse_a_complete_run_relabelled_a_deadlock() {
    let dir = scratch("forged-deadlock");
    let forged = edited(&dir, "forged.ron", "end: Complete", "end: Deadlock");
    let message =
        "wmsim: forged.ron: the run ends differently: the trace says it deadlocks, the replay completes\n";
    let out = wmsim_in(&dir, &["replay", &forged, "--quiet"]);
    assert_status(&out, 17);
    assert_eq!(text(&out), (String::new(), message.to_string()));
    let out = wmsim_in(&dir, &["minimize", &forged, "-o", "small.ron"]);
    assert_status(&out, 17);
    assert_eq!(text(&out), (String::new(), message.to_string()));
    assert!(!dir.join("small.ron").exists());
}

#[test]
fn replay_and_minimize_refuse_a_trace_of_other_semantics_with_status_18() {
    let dir = scratch("other-semantics");
    let now = format!("semantics_version: {},", sim_core::SEMANTICS_VERSION);
    let other = format!("semantics_version: {},", sim_core::SEMANTICS_VERSION + 1);
    let forged = edited(&dir, "other.ron", &now, &other);
    let message = format!(
        "wmsim: other.ron: made by wmsim {v} under semantics version {}; this wmsim ({v}) runs \
         semantics version {} and cannot replay it faithfully\n",
        sim_core::SEMANTICS_VERSION + 1,
        sim_core::SEMANTICS_VERSION,
        v = env!("CARGO_PKG_VERSION"),
    );
    for args in [
        vec!["replay", &forged, "--quiet"],
        vec!["minimize", &forged, "-o", "small.ron"],
    ] {
        let out = wmsim_in(&dir, &args);
        assert_status(&out, 18);
        assert_eq!(text(&out), (String::new(), message.clone()));
    }
    assert!(!dir.join("small.ron").exists());
}
