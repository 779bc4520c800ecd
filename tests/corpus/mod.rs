//! Where the test files of every crate find the shared litmus corpus
//! (`../shared/litmus` beside the workspace), and the one rule for when it is
//! missing: a note and a skip on a developer's machine, a failure under CI
//! (`CI` set, as CI services do), where a skipped corpus test would pass
//! without checking anything. Included with `#[path]` by the test files that
//! read the corpus.
#![allow(dead_code)] // each test file uses part of it

use std::path::{Path, PathBuf};

/// The corpus folder: the one holding herd7's `verdicts.tsv`, in `shared/`
/// beside the workspace root (the folder with `Cargo.lock`, which is the
/// crate's own for the `wmsim` package and its parent for the others).
fn corpus_path() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(crate_dir);
    root.join("../shared/litmus")
}

/// Whether the tests run under CI: `CI` set to anything but empty, `0` or
/// `false`.
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// The corpus folder, or `None` (with a note naming `test`) when it is
/// missing; panics when it is missing under CI.
pub fn litmus_corpus(test: &str) -> Option<PathBuf> {
    let dir = corpus_path();
    if dir.join("verdicts.tsv").is_file() {
        return Some(dir);
    }
    assert!(
        !under_ci(),
        "{test}: no litmus corpus at {} (no verdicts.tsv); under CI the corpus is required",
        dir.display()
    );
    eprintln!(
        "note: {test}: no litmus corpus at {}; skipped",
        dir.display()
    );
    None
}

/// Every `.litmus` file under `dir`, in sorted order, folders included.
pub fn litmus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "litmus") {
            out.push(p);
        }
    }
}
