//! What the binary's test files share: running wmsim in a scratch folder and
//! reading what it printed.
#![allow(dead_code)] // each test file uses part of it

use std::ops::Deref;
use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::assert::OutputAssertExt;
use serde_json::Value;
use tempfile::TempDir;

/// A fresh, empty folder for one test, removed with everything in it when
/// the value is dropped (at the end of the test, passed or failed). It
/// derefs to its `Path`.
#[derive(Debug)]
pub struct Scratch(TempDir);

impl Scratch {
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A scratch folder under the system's temporary folder, its name starting
/// with `name` (unique: several test processes may run at once).
pub fn scratch(name: &str) -> Scratch {
    let dir = tempfile::Builder::new()
        .prefix(&format!("wmsim-test-{name}-"))
        .tempdir()
        .expect("a scratch folder");
    Scratch(dir)
}

/// The wmsim binary (found by `assert_cmd` from Cargo's build) to run in
/// `dir`, with no shard variables inherited.
pub fn command(dir: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("wmsim"));
    c.current_dir(dir);
    for key in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
        "WMSIM_SHARD_COUNT",
    ] {
        c.env_remove(key);
    }
    c
}

/// Runs wmsim with `args` in `dir`, capturing what it prints.
pub fn wmsim_in(dir: &Path, args: &[&str]) -> Output {
    command(dir).args(args).output().expect("wmsim runs")
}

/// Stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The exit status, or the test fails showing the command's stdout and
/// stderr (`assert_cmd`'s report) when it is another.
#[track_caller]
pub fn assert_status(out: &Output, status: i32) {
    out.clone().assert().code(status);
}

/// Stdout parsed as one JSON value.
pub fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}
