//! `wmsim suite`: every litmus file under a folder, checked exhaustively on
//! one or every model and compared with herd7's LKMM verdicts.
//!
//! What a row's class means, and the classifying, are `campaign::suite`'s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use memory_model::{Config, Machine, ModelName};
use rayon::prelude::*;
use scenarios::litmus::{parse_litmus, LitmusError};
use serde_json::json;
use sim_core::{Exploration, Verdict};

use campaign::suite::{self, classify, Class, Expected, RaceClass};

use crate::{exit, Failure, SuiteArgs};

/// One file on one model.
struct Row {
    file: String,
    model: ModelName,
    class: Class,
    race: RaceClass,
    verdict: Option<Verdict>,
    expected: Option<String>,
    states: usize,
    deadlocks: usize,
    explored: usize,
    seconds: f64,
    note: String,
}

pub fn run(args: &SuiteArgs) -> Result<u8, Failure> {
    let models = if args.all_models {
        ModelName::ALL.to_vec()
    } else {
        vec![ModelName::from(args.model)]
    };
    if args.threads == Some(0) {
        return Err(Failure::bad_input("--threads must be at least 1"));
    }
    args.bounds.options()?;
    if !args.dir.is_dir() {
        return Err(Failure::bad_input(format!(
            "{} is not a folder",
            args.dir.display()
        )));
    }
    let expected = match &args.expected {
        Some(tsv) => read_tsv(tsv)?,
        None => BTreeMap::new(),
    };
    let tsv_root = args
        .expected
        .as_ref()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .and_then(|p| {
            std::fs::canonicalize(if p.as_os_str().is_empty() {
                ".".into()
            } else {
                p
            })
            .ok()
        });
    let files = collect_litmus(&args.dir).map_err(|e| Failure {
        message: format!("cannot read {}: {e}", args.dir.display()),
        status: exit::IO,
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure {
            message: format!("cannot start threads: {e}"),
            status: exit::IO,
        })?;
    // A file's races are the program's, whatever the model: found once.
    let races: Vec<Option<bool>> = pool.install(|| files.par_iter().map(|f| races_in(f)).collect());
    let mut totals_seconds = BTreeMap::new();
    let mut rows = Vec::new();
    for &model in &models {
        let started = Instant::now();
        let model_rows: Vec<Row> = pool.install(|| {
            files
                .par_iter()
                .zip(&races)
                .map(|(f, &race)| {
                    let key = tsv_key(f, tsv_root.as_deref());
                    check_file(f, &args.dir, model, expected.get(&key), race, args)
                })
                .collect()
        });
        totals_seconds.insert(model, started.elapsed().as_secs_f64());
        rows.extend(model_rows);
    }
    if args.json {
        print_json(&rows, &models, &totals_seconds);
    } else {
        print_table(&rows, &models, &totals_seconds);
    }
    // A race reported where herd7 flags none is a wrong answer, as an
    // unsound verdict is.
    Ok(
        if rows
            .iter()
            .any(|r| r.class == Class::Unsound || r.race == RaceClass::FalseAlarm)
        {
            exit::VIOLATION
        } else {
            exit::OK
        },
    )
}

/// Every `.litmus` file under `dir`, each once, sorted. Folder symlinks
/// are followed (herd users keep corpora with them), except one back to a
/// folder being walked (a loop: walkdir names it and it is skipped), and a
/// file reached by two paths counts once, under the first path in walk
/// order. A dangling link named `.litmus` is kept, for its row to say it
/// cannot be read.
fn collect_litmus(dir: &Path) -> Result<Vec<PathBuf>, walkdir::Error> {
    let mut seen = std::collections::BTreeSet::new();
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walk {
        let path = match entry {
            Ok(entry) if entry.file_type().is_dir() => continue,
            Ok(entry) => entry.into_path(),
            Err(e) if e.loop_ancestor().is_some() => continue,
            Err(e) if is_dangling_link(&e) => e.path().expect("a link has a path").to_path_buf(),
            Err(e) => return Err(e),
        };
        if path.extension().is_some_and(|e| e == "litmus") {
            let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.insert(identity) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A symlink whose target does not exist: walkdir cannot follow it.
fn is_dangling_link(e: &walkdir::Error) -> bool {
    e.io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        && e.path().is_some_and(|p| p.is_symlink())
}

/// The file's path relative to the TSV's folder, as the TSV writes it.
fn tsv_key(file: &Path, tsv_root: Option<&Path>) -> String {
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let rel = tsv_root
        .and_then(|root| abs.strip_prefix(root).ok())
        .unwrap_or(&abs);
    rel.to_string_lossy().replace('\\', "/")
}

fn read_tsv(path: &Path) -> Result<BTreeMap<String, Expected>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure {
        message: format!("cannot read {}: {e}", path.display()),
        status: exit::IO,
    })?;
    suite::parse_tsv(&path.display().to_string(), &text)
}

/// Whether the file's program has a data race (`sim_core::races`); `None`
/// when it cannot be read or parsed (its rows say why).
fn races_in(file: &Path) -> Option<bool> {
    let bytes = replay::file::read_limited(file, replay::file::LITMUS_LIMIT).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let scenario = parse_litmus(&text, &file.to_string_lossy()).ok()?;
    let report = sim_core::races::find_races(&scenario, sim_core::races::RACE_NODES_MAX_DEFAULT);
    Some(!report.races.is_empty())
}

fn check_file(
    file: &Path,
    dir: &Path,
    model: ModelName,
    expected: Option<&Expected>,
    race: Option<bool>,
    args: &SuiteArgs,
) -> Row {
    let name = file
        .strip_prefix(dir)
        .unwrap_or(file)
        .to_string_lossy()
        .into_owned();
    let mut row = Row {
        file: name.clone(),
        model,
        class: Class::Error,
        race: RaceClass::Unknown,
        verdict: None,
        expected: None,
        states: 0,
        deadlocks: 0,
        explored: 0,
        seconds: 0.0,
        note: String::new(),
    };
    // The same size limit as `check` applies to one litmus file.
    let text = match replay::file::read_limited(file, replay::file::LITMUS_LIMIT) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            row.note = format!("cannot read: {e}");
            return row;
        }
    };
    let expected = match expected {
        Some(e) => e.clone(),
        None => Expected {
            verdict: scenarios::litmus::result_comment(&text),
            states: None,
            data_race: suite::data_race_in_result_line(&text),
        },
    };
    row.expected = expected.verdict.clone();
    let scenario = match parse_litmus(&text, &name) {
        Ok(s) => s,
        Err(e @ LitmusError::Unsupported { .. }) => {
            row.class = Class::Unsupported;
            row.note = e.to_string();
            return row;
        }
        Err(e) => {
            row.note = e.to_string().lines().next().unwrap_or_default().to_string();
            return row;
        }
    };
    let config = match Config::new(
        model,
        None,
        None,
        memory_model::depth::default_depth(&scenario),
    ) {
        Ok(c) => c,
        Err(e) => {
            row.note = e.to_string();
            return row;
        }
    };
    if let Some(found) = race {
        row.race = RaceClass::of(found, expected.data_race);
    }
    let machine = Machine::new(&scenario, config);
    let options = match args.bounds.options() {
        Ok(o) => o,
        Err(f) => {
            row.note = f.message;
            return row;
        }
    };
    let started = Instant::now();
    let x = Exploration::run(&machine, options);
    row.seconds = started.elapsed().as_secs_f64();
    row.explored = x.explored_states;
    row.deadlocks = x.deadlocks.len();
    row.states = x.counted_finals().count();
    if let Some(bound) = x.bound_hit {
        row.class = Class::BoundExceeded;
        row.note = format!(
            "stopped at the {} bound after {} states (raise {})",
            crate::limits::adjective(bound),
            x.explored_states,
            crate::limits::flag(bound)
        );
        return row;
    }
    let verdict = x.verdict();
    row.verdict = Some(verdict);
    (row.class, row.note) = classify(&scenario, model, &x, verdict, &expected);
    row
}

fn print_table(rows: &[Row], models: &[ModelName], seconds: &BTreeMap<ModelName, f64>) {
    let width = rows.iter().map(|r| r.file.len()).max().unwrap_or(4).min(70);
    outln!(
        "{:width$}  {:5}  {:22} {:16} {:9} {:9} {:>6} {:>9} {:>8}  note",
        "file",
        "model",
        "class",
        "race",
        "verdict",
        "expected",
        "states",
        "deadlocks",
        "seconds"
    );
    for r in rows {
        outln!(
            "{:width$}  {:5}  {:22} {:16} {:9} {:9} {:>6} {:>9} {:>8.3}  {}",
            r.file,
            r.model.as_str(),
            r.class.name(),
            r.race.name(),
            r.verdict.map_or("-".into(), |v| format!("{v:?}")),
            r.expected.as_deref().unwrap_or("-"),
            r.states,
            r.deadlocks,
            r.seconds,
            r.note
        );
    }
    outln!();
    for &m in models {
        let counts: Vec<String> = Class::ALL
            .iter()
            .map(|&c| {
                let n = rows.iter().filter(|r| r.model == m && r.class == c).count();
                format!("{} {n}", c.name())
            })
            .chain(RaceClass::ALL.iter().map(|&c| {
                let n = rows.iter().filter(|r| r.model == m && r.race == c).count();
                format!("{} {n}", c.name())
            }))
            .collect();
        outln!(
            "{:5} {} files: {}; {:.2} s",
            m.as_str(),
            rows.iter().filter(|r| r.model == m).count(),
            counts.join(", "),
            seconds[&m]
        );
    }
}

fn print_json(rows: &[Row], models: &[ModelName], seconds: &BTreeMap<ModelName, f64>) {
    let files: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "file": r.file,
                "model": r.model.as_str(),
                "class": r.class.name(),
                "race": r.race.name(),
                "verdict": r.verdict,
                "expected": r.expected,
                "states": r.states,
                "deadlocks": r.deadlocks,
                "explored_states": r.explored,
                "seconds": r.seconds,
                "note": r.note,
            })
        })
        .collect();
    let totals: serde_json::Map<String, serde_json::Value> = models
        .iter()
        .map(|&m| {
            let mut t = serde_json::Map::new();
            for c in Class::ALL {
                let n = rows.iter().filter(|r| r.model == m && r.class == c).count();
                t.insert(c.name().into(), json!(n));
            }
            for c in RaceClass::ALL {
                let n = rows.iter().filter(|r| r.model == m && r.race == c).count();
                t.insert(c.name().into(), json!(n));
            }
            t.insert("seconds".into(), json!(seconds[&m]));
            (m.as_str().to_string(), serde_json::Value::Object(t))
        })
        .collect();
    outln!("{}", json!({ "files": files, "totals": totals }));
}
