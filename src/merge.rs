//! `wmsim merge`: the shards of one campaign combined into what one run of
//! the whole campaign prints (its table or summary, its JSON with `--json`,
//! its exit status). Refuses shards of different campaigns, naming the
//! setting that differs, and missing or duplicated shards, naming which.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::sweep::SweepResult;
use crate::{exit, Failure, MergeArgs};

fn refuse(message: String) -> Failure {
    Failure {
        message,
        status: exit::BAD_INPUT,
    }
}

pub fn run(args: &MergeArgs) -> Result<u8, Failure> {
    let mut shards: Vec<(String, Json)> = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = crate::load::read_input(path, replay::file::SHARD_LIMIT)?;
        let text = String::from_utf8(bytes).map_err(|e| Failure {
            message: format!("cannot read {name}: {e}"),
            status: exit::IO,
        })?;
        let v: Json = serde_json::from_str(&text).map_err(|e| {
            refuse(format!(
                "{name}:{}:{}: not a wmsim result: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if !matches!(v["kind"].as_str(), Some("fuzz" | "sweep")) || v["campaign"].as_str().is_none()
        {
            return Err(refuse(format!(
                "{name}: not the JSON result of wmsim fuzz or sweep"
            )));
        }
        shards.push((name, v));
    }
    let Some((first_name, first)) = shards.first().cloned() else {
        return Err(refuse("merge needs at least one shard".into()));
    };
    let campaign = first["campaign"].as_str().unwrap_or_default().to_string();
    let kind = first["kind"].as_str().unwrap_or_default().to_string();
    for (name, v) in &shards {
        if v["kind"].as_str() != Some(kind.as_str()) {
            return Err(refuse(format!(
                "{name} belongs to another campaign than {first_name}: a {} result, not a {kind} one",
                v["kind"].as_str().unwrap_or("?"),
            )));
        }
        if v["campaign"].as_str() != Some(&campaign) {
            let why = match first_difference(&v["settings"], &first["settings"], "") {
                Some((setting, here, there)) => {
                    format!("{setting} is {here} there, {there} in {first_name}")
                }
                None => format!(
                    "campaign {} there, {campaign} in {first_name}",
                    v["campaign"].as_str().unwrap_or("?")
                ),
            };
            return Err(refuse(format!(
                "{name} belongs to another campaign than {first_name}: {why}"
            )));
        }
    }
    check_shards(&shards)?;
    let merged = match kind.as_str() {
        "sweep" => {
            let mut total =
                SweepResult::from_json(&first).map_err(|e| refuse(format!("{first_name}: {e}")))?;
            for (name, v) in &shards[1..] {
                let part = SweepResult::from_json(v).map_err(|e| refuse(format!("{name}: {e}")))?;
                total
                    .absorb(&part)
                    .map_err(|e| refuse(format!("{name}: {e}")))?;
            }
            total.make_whole();
            total.emit(
                args.json,
                args.out.as_deref(),
                args.csv.as_deref(),
                args.svg.as_deref(),
            )?;
            return Ok(total.status());
        }
        _ => merge_fuzz(&shards)?,
    };
    if args.csv.is_some() || args.svg.is_some() {
        return Err(refuse("--csv and --svg are for sweeps".into()));
    }
    if let Some(out) = &args.out {
        crate::traces::write_atomically(out, format!("{merged}\n").as_bytes())?;
    }
    if args.json {
        outln!("{merged}");
    } else {
        crate::fuzz::print_text(&merged);
    }
    Ok(crate::fuzz::status(&merged))
}

/// The first setting (in key order, `timing.miss` for a nested one) whose
/// value differs between two campaigns' settings, with both values; none
/// when they agree or a result has no settings (an older wmsim's).
fn first_difference(here: &Json, there: &Json, prefix: &str) -> Option<(String, Json, Json)> {
    let (Json::Object(a), Json::Object(b)) = (here, there) else {
        return None;
    };
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let name = format!("{prefix}{key}");
        let (x, y) = (&a.get(key), &b.get(key));
        match (x, y) {
            (Some(x @ Json::Object(_)), Some(y @ Json::Object(_))) => {
                if let Some(d) = first_difference(x, y, &format!("{name}.")) {
                    return Some(d);
                }
            }
            _ if x != y => {
                let value = |v: &Option<&Json>| v.cloned().unwrap_or(Json::Null);
                return Some((name, value(x), value(y)));
            }
            _ => {}
        }
    }
    None
}

/// Every shard of 1..N exactly once, all of the same N.
fn check_shards(shards: &[(String, Json)]) -> Result<(), Failure> {
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    let mut count = None;
    for (name, v) in shards {
        let (index, n) = match &v["shard"] {
            Json::Null => (1, 1),
            s => (
                s["index"].as_u64().unwrap_or(0),
                s["count"].as_u64().unwrap_or(0),
            ),
        };
        if index == 0 || index > n {
            return Err(refuse(format!("{name}: malformed shard {index} of {n}")));
        }
        match count {
            None => count = Some(n),
            Some(c) if c != n => {
                return Err(refuse(format!(
                    "{name} is shard {index} of {n}, but the others are of {c}"
                )))
            }
            Some(_) => {}
        }
        if let Some(other) = seen.insert(index, name) {
            return Err(refuse(format!(
                "shard {index} of {n} appears twice: {other} and {name}"
            )));
        }
    }
    let n = count.unwrap_or(1);
    let missing: Vec<String> = (1..=n)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "shard{} {} of {n} missing",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
        )));
    }
    Ok(())
}

/// Sums fuzz shards: counts add, outcomes add by value, firsts take the
/// least, failing runs keep the first `save`.
fn merge_fuzz(shards: &[(String, Json)]) -> Result<Json, Failure> {
    let mut merged = shards[0].1.clone();
    let sum = |key: &str| -> u64 {
        shards
            .iter()
            .map(|(_, v)| v[key].as_u64().unwrap_or(0))
            .sum()
    };
    for key in [
        "runs",
        "matches",
        "violations",
        "filtered_runs",
        "deadlock_runs",
        "bound_exceeded_runs",
    ] {
        merged[key] = json!(sum(key));
    }
    let mut outcomes: BTreeMap<Vec<i64>, Json> = BTreeMap::new();
    for (name, v) in shards {
        for o in v["outcomes"]
            .as_array()
            .ok_or_else(|| refuse(format!("{name}: no outcomes")))?
        {
            let values: Vec<i64> = o["values"]
                .as_array()
                .ok_or_else(|| refuse(format!("{name}: an outcome without values")))?
                .iter()
                .map(|x| x.as_i64().unwrap_or(0))
                .collect();
            let count = o["count"].as_u64().unwrap_or(0);
            outcomes
                .entry(values)
                .and_modify(|e| e["count"] = json!(e["count"].as_u64().unwrap_or(0) + count))
                .or_insert_with(|| o.clone());
        }
    }
    merged["outcomes"] = json!(outcomes.into_values().collect::<Vec<_>>());
    let least = |key: &str| {
        shards
            .iter()
            .filter_map(|(_, v)| v[key].as_u64().map(|r| (r, v)))
            .min_by_key(|(r, _)| *r)
    };
    merged["first_violation_run"] = json!(least("first_violation_run").map(|(r, _)| r));
    match least("first_deadlock_run") {
        Some((r, v)) => {
            merged["first_deadlock_run"] = json!(r);
            merged["first_deadlock_blocked"] = v["first_deadlock_blocked"].clone();
        }
        None => {
            merged["first_deadlock_run"] = Json::Null;
            merged["first_deadlock_blocked"] = Json::Null;
        }
    }
    let save = merged["save"].as_u64().unwrap_or(0) as usize;
    let mut failing: Vec<u64> = shards
        .iter()
        .flat_map(|(_, v)| v["failing_runs"].as_array().cloned().unwrap_or_default())
        .filter_map(|x| x.as_u64())
        .collect();
    failing.sort_unstable();
    failing.truncate(save);
    merged["failing_runs"] = json!(failing);
    let mut traces: Vec<String> = shards
        .iter()
        .flat_map(|(_, v)| v["traces"].as_array().cloned().unwrap_or_default())
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    traces.sort();
    merged["traces"] = json!(traces);
    let elapsed = shards
        .iter()
        .filter_map(|(_, v)| v["elapsed_seconds"].as_f64())
        .fold(0.0, f64::max);
    merged["elapsed_seconds"] = json!(elapsed);
    merged["runs_per_second"] = json!((sum("runs") as f64 / elapsed.max(1e-9)).round());
    merged["shard"] = Json::Null;
    crate::fuzz::set_rate(&mut merged);
    Ok(merged)
}
