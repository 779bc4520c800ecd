//! `wmsim fences`: the minimal barrier placements, proven on every model,
//! each barrier explained by a failing run of each weaker choice.
//!
//! Each returned placement is written out and run through `check` on every
//! model (it must be Never, with no deadlock), and each is minimal: every
//! one-step weakening of one of its barriers is checked here, apart from
//! the command's own explanations, to fail on some model.

mod common;
#[path = "corpus/mod.rs"]
mod corpus;

use campaign::placement::Strength;
use common::{assert_status, scratch, stdout_json, text, wmsim_in};
use memory_model::{Config, Machine, ModelName};
use scenarios::litmus::{fence_sites, parse_litmus, rewrite};
use serde_json::Value;
use sim_core::{Exploration, ExploreOptions};

/// Whether some model reaches the failing outcome of `text` or a
/// deadlock, or LKMM's axioms allow an execution that fails, or the
/// program has a data race.
fn fails_somewhere(text: &str) -> bool {
    let scenario = parse_litmus(text, "weakened").expect("a weakened placement parses");
    let nodes = sim_core::races::RACE_NODES_MAX_DEFAULT;
    ModelName::ALL.into_iter().any(|model| {
        let depth = memory_model::depth::default_depth(&scenario);
        let machine = Machine::new(&scenario, Config::new(model, None, None, depth).unwrap());
        let x = Exploration::run(&machine, ExploreOptions::default());
        assert!(!x.bound_exceeded, "{model} stopped at a bound:\n{text}");
        x.witness().is_some() || !x.deadlocks.is_empty()
    }) || sim_core::races::lkmm_outcome(&scenario, nodes)
        .witness
        .is_some()
        || !sim_core::races::find_races(&scenario, nodes)
            .races
            .is_empty()
}

/// `check` on every model says Never, with no deadlock, for `litmus`.
#[track_caller]
fn assert_never_everywhere(dir: &std::path::Path, litmus: &str, what: &str) {
    std::fs::write(dir.join("placement.litmus"), litmus).unwrap();
    let out = wmsim_in(
        dir,
        &["check", "placement.litmus", "--all-models", "--json"],
    );
    let json = stdout_json(&out);
    for section in json["sections"].as_array().unwrap() {
        assert_eq!(
            section["verdict"], "Never",
            "{what} on {}",
            section["model"]
        );
        assert_eq!(section["deadlocks"], Value::Array(vec![]), "{what}");
    }
}

/// Every one-step weakening of each barrier of each placement fails on
/// some model. `source` is the input of `fences`, `json` its answer.
#[track_caller]
fn assert_minimal(source: &str, json: &Value, what: &str) {
    let sites = fence_sites(source, what).unwrap();
    for placement in json["placements"].as_array().unwrap() {
        let names = placement["choices"].as_array().unwrap();
        let p: Vec<usize> = sites
            .iter()
            .zip(names)
            .map(|(s, n)| s.choices.iter().position(|c| c.name == *n).unwrap())
            .collect();
        assert_eq!(rewrite(source, &sites, &p), placement["litmus"], "{what}");
        for (i, s) in sites.iter().enumerate() {
            let order = Strength::new(s.choices.iter().map(|c| c.above.clone()).collect());
            for weaker in order.below(p[i]) {
                let mut q = p.clone();
                q[i] = weaker;
                assert!(
                    fails_somewhere(&rewrite(source, &sites, &q)),
                    "{what}: {} {} instead of {} is still safe: not minimal",
                    s.place(),
                    s.choices[weaker].name,
                    s.choices[p[i]].name
                );
            }
        }
    }
}

fn fences_json(dir: &std::path::Path, scenario: &str) -> (Value, i32) {
    let out = wmsim_in(
        dir,
        &[
            "fences",
            scenario,
            "--json",
            "--no-traces",
            "--time-limit",
            "600",
        ],
    );
    let status = out.status.code().unwrap();
    (stdout_json(&out), status)
}

#[test]
fn xen_store_buffering_needs_a_full_barrier_on_each_side() {
    let dir = scratch("fences-xen");
    let name = "xen-shutdown-sb:vcpu=none,shutdown=none";
    let (json, status) = fences_json(&dir, name);
    assert_eq!(status, 0);
    assert_eq!(json["input"]["safe"], false);
    let placements = json["placements"].as_array().unwrap();
    assert_eq!(placements.len(), 1, "one minimal placement");
    let sites = json["sites"].as_array().unwrap();
    let p = &placements[0];
    for (site, choice) in sites.iter().zip(p["choices"].as_array().unwrap()) {
        // smp_mb() between the store and the load on each side; the
        // accesses stay READ_ONCE/WRITE_ONCE.
        let expected = match site["kind"].as_str().unwrap() {
            "gap" => "smp_mb()",
            _ => site["choices"][0].as_str().unwrap(),
        };
        assert_eq!(choice, expected, "{site}");
    }
    // Each smp_mb(): smp_rmb(), smp_wmb() and nothing (even with
    // release/acquire accesses) fail, on tso and on weak, with a run.
    let why = p["why"].as_array().unwrap();
    let instead: Vec<(&str, bool)> = why
        .iter()
        .map(|w| {
            (
                w["instead"].as_str().unwrap(),
                w["accesses_strongest"].as_bool().unwrap(),
            )
        })
        .collect();
    let per_side = [
        ("smp_rmb()", false),
        ("smp_wmb()", false),
        ("nothing", true),
    ];
    assert_eq!(instead, [per_side, per_side].concat());
    for w in why {
        let witness = &w["result"]["witness"];
        assert_eq!(w["result"]["safe"], false, "{w}");
        let on = witness["fails_on"].as_array().unwrap();
        assert!(
            on.contains(&"tso".into()) && on.contains(&"weak".into()),
            "{w}"
        );
        assert!(!witness["transitions"].as_array().unwrap().is_empty());
    }
    let source = scenarios::builtin::builtin_source(name).unwrap().unwrap();
    assert_minimal(&source, &json, name);
    assert_never_everywhere(&dir, p["litmus"].as_str().unwrap(), name);

    // In words: the two barriers, the fully ordered store that can replace
    // each, and the witnesses.
    let out = wmsim_in(&dir, &["fences", name, "--no-traces"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.contains(
        "1 minimal placement makes it safe on sc, tso, weak, arm, power (Never, no deadlock)"
    ));
    assert!(stdout.contains("P0 after line 21, after `WRITE_ONCE(*defer_shutdown, 1);`: smp_mb()"));
    assert!(stdout.contains(
        "or, the store and the barrier in one: `smp_store_mb(*defer_shutdown, 1);` or \
         `(void)xchg(defer_shutdown, 1);`"
    ));
    assert!(stdout.contains("+\tsmp_mb();"));
    assert!(stdout.contains("smp_wmb() instead of smp_mb() at P1 after line 30: fails on tso"));
    assert!(stdout.contains("missing defer_shutdown=1 in P0's store buffer"));
}

#[test]
fn every_xen_builtin_gets_a_safe_minimal_placement() {
    let dir = scratch("fences-xen-all");
    for template in scenarios::builtin::XEN {
        let name = format!("{}:vcpu=none,shutdown=none", template.name);
        let (json, status) = fences_json(&dir, &name);
        assert_eq!(status, 0, "{name}");
        let placements = json["placements"].as_array().unwrap();
        assert!(!placements.is_empty(), "{name}");
        for p in placements {
            assert_never_everywhere(&dir, p["litmus"].as_str().unwrap(), &name);
            // Every barrier's weaker choices were each shown failing.
            for w in p["why"].as_array().unwrap() {
                if !w["accesses_strongest"].as_bool().unwrap() {
                    assert_eq!(w["result"]["safe"], false, "{name}: {w}");
                }
            }
        }
    }
}

/// A sample of the corpus tests LKMM says `Sometimes` to: every fourth, in
/// the order of `verdicts.tsv`.
#[test]
fn corpus_placements_are_never_on_every_model_and_minimal() {
    let Some(root) =
        corpus::litmus_corpus("corpus_placements_are_never_on_every_model_and_minimal")
    else {
        return;
    };
    let verdicts = std::fs::read_to_string(root.join("verdicts.tsv")).unwrap();
    let sometimes: Vec<&str> = verdicts
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let path = cols.next()?;
            (cols.next()? == "Sometimes").then_some(path)
        })
        .collect();
    let dir = scratch("fences-corpus");
    let (mut repaired, mut not_shown, mut sequential) = (0, 0, 0);
    for path in sometimes.iter().step_by(4) {
        let file = root.join(path);
        let file = file.to_str().unwrap();
        let (json, status) = fences_json(&dir, file);
        if json["input"]["safe"] == true {
            not_shown += 1; // no model shows it: nothing to repair
            continue;
        }
        if status == 1 {
            // No placement at all: only for an outcome sc reaches, or one
            // no model shows in a racy program (barriers do not order its
            // plain accesses under LKMM).
            let on = &json["strongest_fails"]["witness"]["fails_on"];
            let racy = !json["data_races"]["races"].as_array().unwrap().is_empty();
            assert!(
                on.as_array().unwrap().contains(&"sc".into())
                    || (json["input"]["fails_on"] == "LKMM" && racy),
                "{path}"
            );
            sequential += 1;
            continue;
        }
        assert_eq!(status, 0, "{path}");
        let placements = json["placements"].as_array().unwrap();
        assert!(!placements.is_empty(), "{path}");
        for p in placements {
            assert_never_everywhere(&dir, p["litmus"].as_str().unwrap(), path);
        }
        let source = std::fs::read_to_string(file).unwrap();
        assert_minimal(&source, &json, path);
        repaired += 1;
    }
    assert!(
        repaired >= 15,
        "{repaired} repaired, {not_shown} not shown, {sequential} sc"
    );
}

const MP_MBS: &str = "C MP+mbs\n\n{}\n\n\
P0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_mb();\n\tWRITE_ONCE(*y, 1);\n}\n\n\
P1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\n\tr0 = READ_ONCE(*y);\n\tsmp_mb();\n\tr1 = READ_ONCE(*x);\n}\n\n\
exists (1:r0=1 /\\ 1:r1=0)\n";

#[test]
fn an_already_safe_input_is_searched_downwards() {
    let dir = scratch("fences-safe");
    std::fs::write(dir.join("mp.litmus"), MP_MBS).unwrap();
    let out = wmsim_in(&dir, &["fences", "mp.litmus", "--no-traces"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.contains(
        "The input is already safe on sc, tso, weak, arm, power: Never, and no run deadlocks."
    ));
    assert!(
        stdout.contains("Weaker placements that stay safe (1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("P0 line 8: smp_wmb() (the input has smp_mb())"),
        "{stdout}"
    );
    assert!(
        stdout.contains("P1 line 18: smp_rmb() (the input has smp_mb())"),
        "{stdout}"
    );
    assert!(stdout.contains("-\tsmp_mb();\n") && stdout.contains("+\tsmp_wmb();\n"));
    let (json, _) = fences_json(&dir, "mp.litmus");
    assert_minimal(MP_MBS, &json, "MP+mbs");

    // Xen's real code: neither smp_mb() can be weakened.
    let out = wmsim_in(&dir, &["fences", "xen-shutdown-sb", "--no-traces"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("None of its barriers can be weakened"),
        "{stdout}"
    );
}

#[test]
fn a_sequentially_consistent_outcome_has_no_placement() {
    let dir = scratch("fences-sc");
    let sb_final = "C both-late\n\n{}\n\n\
P0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n}\n\n\
P1(int *x)\n{\n\tint r0;\n\tint r1;\n\n\tr0 = READ_ONCE(*x);\n\tr1 = READ_ONCE(*x);\n}\n\n\
exists (1:r0=0 /\\ 1:r1=1)\n";
    std::fs::write(dir.join("t.litmus"), sb_final).unwrap();
    let out = wmsim_in(&dir, &["fences", "t.litmus", "--no-traces"]);
    assert_status(&out, 1);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("No placement makes it safe"), "{stdout}");
    assert!(stdout.contains("The outcome is sequentially consistent"));
}

#[test]
fn a_search_cut_short_exits_4_and_names_what_is_undecided() {
    let dir = scratch("fences-limit");
    let out = wmsim_in(
        &dir,
        &[
            "fences",
            "xen-shutdown-end:vcpu=none,shutdown=none",
            "--no-traces",
            "--time-limit",
            "0.000001",
        ],
    );
    assert_status(&out, 4);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("The input could not be decided"),
        "{stdout}"
    );
    assert!(stdout.contains("Not decided ("), "{stdout}");
}

#[test]
fn patch_output_and_traces_that_replay() {
    let dir = scratch("fences-patch");
    let name = "xen-shutdown-sb:vcpu=none,shutdown=none";
    let out = wmsim_in(&dir, &["fences", name, "--format", "patch"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("# placement 1: x86: 2 locked instructions; arm64: cost 4\n--- "));
    assert_eq!(stdout.matches("\n+\tsmp_mb();\n").count(), 2, "{stdout}");
    // Each witness was saved, and replays.
    let traces = dir.join("traces/fences");
    let folder = std::fs::read_dir(&traces)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut saved: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 6, "{saved:?}");
    for trace in &saved {
        let out = wmsim_in(&dir, &["replay", trace.to_str().unwrap()]);
        assert_status(&out, 0);
        let (stdout, _) = text(&out);
        assert!(stdout.contains("found by exhaustive search"), "{stdout}");
    }
}

#[test]
fn bad_requests_are_refused() {
    let dir = scratch("fences-bad");
    let out = wmsim_in(&dir, &["fences", "no-such-scenario"]);
    assert_status(&out, 2);
    let out = wmsim_in(&dir, &["fences", "SB", "--json", "--format", "patch"]);
    assert_status(&out, 2);
    let out = wmsim_in(&dir, &["fences", "missing.litmus"]);
    assert_status(&out, 2);
}

#[test]
fn the_answer_does_not_depend_on_the_thread_count() {
    let dir = scratch("fences-threads");
    let name = "xen-shutdown-start-lock:vcpu=none,shutdown=none";
    let answer = |threads: &str| {
        let out = wmsim_in(
            &dir,
            &[
                "fences",
                name,
                "--json",
                "--no-traces",
                "--threads",
                threads,
            ],
        );
        assert_status(&out, 0);
        let mut json = stdout_json(&out);
        json["search"]["seconds"] = Value::Null;
        json
    };
    assert_eq!(answer("1"), answer("2"));
}

/// A lock never released: the code deadlocks whatever its barriers, so
/// deadlocks are left out and only the condition counts.
#[test]
fn a_deadlock_no_barrier_can_remove_is_left_out() {
    let dir = scratch("fences-deadlock");
    let held = "C held\n\n{}\n\n\
P0(int *x, spinlock_t *s)\n{\n\tspin_lock(s);\n\tWRITE_ONCE(*x, 1);\n}\n\n\
P1(int *x, spinlock_t *s)\n{\n\tint r1;\n\n\tspin_lock(s);\n\tr1 = READ_ONCE(*x);\n\tspin_unlock(s);\n}\n\n\
exists (1:r1=1)\n";
    std::fs::write(dir.join("held.litmus"), held).unwrap();
    let out = wmsim_in(&dir, &["fences", "held.litmus", "--no-traces"]);
    assert_status(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("Never (deadlocks left out)"), "{stdout}");
    assert!(stdout.contains("even with every barrier at its strongest (its locking"));
    let (json, _) = fences_json(&dir, "held.litmus");
    assert_eq!(json["deadlocks_counted"], false);
    // Xen's full code counts them: a vCPU paused forever is the failure.
    let (json, _) = fences_json(&dir, "xen-shutdown-sb:vcpu=none,shutdown=none");
    assert_eq!(json["deadlocks_counted"], true);
}
