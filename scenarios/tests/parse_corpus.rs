//! Every litmus file of the shared corpus either parses or is reported as
//! `Unsupported` (never `Parse` or `Invalid`), and at least 90% of `linux/`
//! parses.

use std::collections::BTreeMap;
#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use scenarios::litmus::{parse_litmus, LitmusError};

#[derive(Default)]
struct Counts {
    parsed: usize,
    unsupported: usize,
    failed: usize,
}

#[test]
fn corpus_parses_or_is_unsupported() {
    let Some(root) = corpus::litmus_corpus("corpus_parses_or_is_unsupported") else {
        return;
    };
    let files = corpus::litmus_files(&root);
    assert!(
        !files.is_empty(),
        "no .litmus files under {}",
        root.display()
    );
    let mut per_folder: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let folder = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let counts = per_folder.entry(folder).or_default();
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        match parse_litmus(&text, &rel.display().to_string()) {
            Ok(_) => counts.parsed += 1,
            Err(e @ LitmusError::Unsupported { .. }) => {
                counts.unsupported += 1;
                println!("{e}");
            }
            Err(e) => {
                counts.failed += 1;
                failures.push(e.to_string());
            }
        }
    }
    for (folder, c) in &per_folder {
        println!(
            "{folder}: {} parsed, {} unsupported, {} failed",
            c.parsed, c.unsupported, c.failed
        );
    }
    assert!(
        failures.is_empty(),
        "files that neither parse nor are unsupported:\n{}",
        failures.join("\n")
    );
    let linux = per_folder
        .get("linux")
        .expect("the corpus has a linux/ folder");
    let total = linux.parsed + linux.unsupported;
    assert!(
        linux.parsed * 10 >= total * 9,
        "only {} of {total} linux/ tests parse",
        linux.parsed
    );
}
