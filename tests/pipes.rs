//! A reader that goes away (`wmsim list | head -1`) ends wmsim quietly.

mod common;

use std::process::Stdio;

/// Runs wmsim with its standard output a pipe whose reader closed before
/// wmsim started, so its first write fails with EPIPE.
///
/// The read end is closed before the spawn, not after: closing it after
/// raced with wmsim, which could write all it had into the pipe's buffer
/// first and then exit with its ordinary status (fuzz's 1), a flaky test.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    let dir = common::scratch(&format!("pipes-{}", args[0]));
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let child = common::command(&dir)
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .expect("wmsim starts");
    child.wait_with_output().expect("wmsim ends")
}

#[test]
fn a_closed_pipe_stops_every_command_quietly() {
    for args in [
        &["list"][..],
        &["check", "SB", "--model", "weak"],
        &["check", "SB", "--format", "herd"],
        &["fuzz", "SB", "--runs", "1000", "--save", "0"],
    ] {
        let out = with_closed_stdout(args);
        let (_, stderr) = common::text(&out);
        assert!(stderr.is_empty(), "{args:?} printed on stderr: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // A reader gone ends wmsim with 0: not fuzz's 1 for what it found,
        // never a panic's 101.
        assert!(
            matches!(out.status.code(), Some(0)),
            "{args:?}: status {:?}",
            out.status.code()
        );
    }
}
