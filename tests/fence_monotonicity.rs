//! The law `wmsim fences` prunes by: making one site's choice stronger
//! never adds a behaviour. On a sample of the corpus, for every site and
//! every choice directly above another, the stronger variant's final states
//! (with the condition's result) are among the weaker one's on every model,
//! and it deadlocks only where the weaker one does.
//!
//! Ignored in the plain test run (minutes); CI runs it with `-- --ignored`.

#[path = "corpus/mod.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use memory_model::{Config, Machine, ModelName};
use rayon::prelude::*;
use scenarios::litmus::{fence_sites, parse_litmus, rewrite};
use sim_core::{Exploration, ExploreOptions};

/// Final states with the condition's result, and whether a run deadlocks;
/// `None` past the bound.
type Behaviours = (BTreeSet<(String, bool)>, bool);

fn behaviours(text: &str, model: ModelName) -> Option<Behaviours> {
    let scenario = parse_litmus(text, "variant").expect("a variant parses");
    let depth = memory_model::depth::default_depth(&scenario);
    let machine = Machine::new(&scenario, Config::new(model, None, None, depth).unwrap());
    let options = ExploreOptions {
        states_max: 200_000,
        ..ExploreOptions::default()
    };
    let x = Exploration::run(&machine, options);
    if x.bound_exceeded {
        return None;
    }
    let finals = x
        .counted_finals()
        .map(|f| (format!("{:?}", f.values), f.satisfies))
        .collect();
    Some((finals, !x.deadlocks.is_empty()))
}

#[test]
#[ignore = "minutes: CI runs it with --ignored"]
fn a_stronger_choice_never_adds_a_behaviour() {
    let Some(root) = corpus::litmus_corpus("a_stronger_choice_never_adds_a_behaviour") else {
        return;
    };
    let files = corpus::litmus_files(&root);
    let sample: Vec<&PathBuf> = files.iter().step_by(5).collect();
    let pairs: usize = sample.par_iter().map(|path| compare_file(path)).sum();
    assert!(pairs > 1000, "only {pairs} comparisons");
}

/// Every one-step strengthening of one site of `path`, on every model:
/// how many comparisons were made.
fn compare_file(path: &Path) -> usize {
    let mut pairs = 0;
    {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        if parse_litmus(&text, &name).is_err() {
            return 0;
        }
        let sites = fence_sites(&text, &name).unwrap();
        let original: Vec<usize> = sites.iter().map(|s| s.original).collect();
        for (i, site) in sites.iter().enumerate() {
            for (weak, choice) in site.choices.iter().enumerate() {
                for &strong in &choice.above {
                    let variant = |c: usize| {
                        let mut p = original.clone();
                        p[i] = c;
                        rewrite(&text, &sites, &p)
                    };
                    let (weak_text, strong_text) = (variant(weak), variant(strong));
                    for model in ModelName::ALL {
                        let (Some(w), Some(s)) = (
                            behaviours(&weak_text, model),
                            behaviours(&strong_text, model),
                        ) else {
                            continue;
                        };
                        assert!(
                            s.0.is_subset(&w.0) && (!s.1 || w.1),
                            "{name} on {model}: {} {} shows what {} does not",
                            site.place(),
                            site.choices[strong].name,
                            site.choices[weak].name
                        );
                        pairs += 1;
                    }
                }
            }
        }
    }
    pairs
}
