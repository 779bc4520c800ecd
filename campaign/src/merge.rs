//! Merging: the shards of one campaign checked to be that campaign's, each
//! exactly once, and added back up with checked sums into what one run of
//! the whole campaign gives (a mismatch of campaigns names the setting).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::result::{self, FuzzResult, Read, ShardId};
use crate::{exit, Failure};

fn refuse(message: String) -> Failure {
    Failure {
        message,
        status: exit::BAD_INPUT,
    }
}

/// A shard read back: its kind's result, its campaign, its settings (as
/// JSON, to name a differing field) and which shard it is.
pub struct Part {
    pub name: String,
    pub read: Read,
}

impl Part {
    fn kind(&self) -> &'static str {
        match self.read {
            Read::Fuzz(_) => "fuzz",
            Read::Sweep(_) => "sweep",
        }
    }

    fn campaign(&self) -> &str {
        match &self.read {
            Read::Fuzz(r) => &r.campaign,
            Read::Sweep(r) => &r.campaign,
        }
    }

    fn settings(&self) -> Json {
        match &self.read {
            Read::Fuzz(r) => serde_json::to_value(&r.settings),
            Read::Sweep(r) => serde_json::to_value(&r.settings),
        }
        .expect("settings serialize")
    }

    fn shard(&self) -> Option<ShardId> {
        match &self.read {
            Read::Fuzz(r) => r.shard,
            Read::Sweep(r) => r.shard,
        }
    }
}

/// Checks that `shards` are the shards of one campaign (same kind, same
/// settings), every shard of 1..N exactly once; refuses them naming the
/// file and the setting that differs otherwise.
pub fn check_campaign(shards: &[Part]) -> Result<(), Failure> {
    let Some(first) = shards.first() else {
        return Err(refuse("merge needs at least one shard".into()));
    };
    for part in shards {
        if part.kind() != first.kind() {
            return Err(refuse(format!(
                "{} belongs to another campaign than {}: a {} result, not a {} one",
                part.name,
                first.name,
                part.kind(),
                first.kind()
            )));
        }
        if part.campaign() != first.campaign() {
            let why = match first_difference(&part.settings(), &first.settings(), "") {
                Some((setting, here, there)) => {
                    format!("{setting} is {here} there, {there} in {}", first.name)
                }
                None => format!(
                    "campaign {} there, {} in {}",
                    part.campaign(),
                    first.campaign(),
                    first.name
                ),
            };
            return Err(refuse(format!(
                "{} belongs to another campaign than {}: {why}",
                part.name, first.name
            )));
        }
    }
    check_shards(shards)?;
    Ok(())
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
fn check_shards(shards: &[Part]) -> Result<(), Failure> {
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    let mut count = None;
    for part in shards {
        let name = part.name.as_str();
        let (index, n) = part.shard().map_or((1, 1), |s| (s.index, s.count));
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

/// The first `save` failing runs of several shards, in run order, with
/// their traces: what one run of the whole campaign keeps. A shard lists
/// the traces of its leading failing runs (all of them unless saving
/// failed), so the merged list stops at the first run without one.
pub fn first_failing<'a>(
    parts: impl IntoIterator<Item = (&'a Vec<u64>, &'a Vec<String>)>,
    save: usize,
) -> (Vec<u64>, Vec<String>) {
    let mut runs: Vec<(u64, Option<&String>)> = parts
        .into_iter()
        .flat_map(|(runs, traces)| {
            runs.iter()
                .enumerate()
                .map(move |(i, &run)| (run, traces.get(i)))
        })
        .collect();
    runs.sort_by_key(|&(run, _)| run);
    runs.truncate(save);
    let traces = runs
        .iter()
        .map_while(|&(_, trace)| trace.cloned())
        .collect();
    (runs.into_iter().map(|(run, _)| run).collect(), traces)
}

/// Sums fuzz shards (checked: a sum that overflows is refused): counts
/// add, outcomes add by value, firsts take the least, failing runs keep
/// the first `save` in run order, as one run of the whole campaign does.
pub fn merge_fuzz(shards: Vec<(String, FuzzResult)>) -> Result<FuzzResult, Failure> {
    let mut shards = shards.into_iter();
    let (first_name, mut merged) = shards.next().expect("at least one shard");
    let mut outcomes: BTreeMap<Vec<i32>, result::Outcome> = std::mem::take(&mut merged.outcomes)
        .into_iter()
        .map(|o| (o.values.clone(), o))
        .collect();
    let width = outcomes.keys().next().map(Vec::len);
    let mut failing = vec![(merged.failing_runs.clone(), merged.traces.clone())];
    for (name, r) in shards {
        let add = |x: u64, y: u64, field: &str| {
            x.checked_add(y)
                .ok_or_else(|| refuse(format!("{name}: {field}: the sum overflows")))
        };
        merged.runs = add(merged.runs, r.runs, "runs")?;
        merged.matches = add(merged.matches, r.matches, "matches")?;
        merged.violations = add(merged.violations, r.violations, "violations")?;
        merged.filtered_runs = add(merged.filtered_runs, r.filtered_runs, "filtered_runs")?;
        merged.deadlock_runs = add(merged.deadlock_runs, r.deadlock_runs, "deadlock_runs")?;
        merged.bound_exceeded_runs = add(
            merged.bound_exceeded_runs,
            r.bound_exceeded_runs,
            "bound_exceeded_runs",
        )?;
        for (i, o) in r.outcomes.into_iter().enumerate() {
            if width.is_some_and(|w| w != o.values.len()) {
                return Err(refuse(format!(
                    "{name}: outcomes[{i}].values: not as many values as in {first_name}"
                )));
            }
            match outcomes.get_mut(&o.values) {
                Some(e) => {
                    if (&e.state, &e.text, e.matches, e.fails)
                        != (&o.state, &o.text, o.matches, o.fails)
                    {
                        return Err(refuse(format!(
                            "{name}: outcomes[{i}]: the same values as in {first_name}, \
                             described otherwise"
                        )));
                    }
                    e.count = add(e.count, o.count, &format!("outcomes[{i}].count"))?;
                }
                None => {
                    outcomes.insert(o.values.clone(), o);
                }
            }
        }
        merged.first_violation_run = merged
            .first_violation_run
            .into_iter()
            .chain(r.first_violation_run)
            .min();
        if let Some(run) = r.first_deadlock_run {
            if merged.first_deadlock_run.is_none_or(|m| run < m) {
                merged.first_deadlock_run = Some(run);
                merged.first_deadlock_blocked = r.first_deadlock_blocked;
            }
        }
        failing.push((r.failing_runs, r.traces));
        merged.elapsed_seconds = merged.elapsed_seconds.max(r.elapsed_seconds);
    }
    if merged.runs != merged.settings.runs {
        return Err(refuse(format!(
            "runs: the shards hold {} runs, the campaign has {}",
            merged.runs, merged.settings.runs
        )));
    }
    merged.outcomes = outcomes.into_values().collect();
    (merged.failing_runs, merged.traces) = first_failing(
        failing.iter().map(|(runs, traces)| (runs, traces)),
        merged.save as usize,
    );
    merged.runs_per_second = (merged.runs as f64 / merged.elapsed_seconds.max(1e-9)).round();
    merged.shard = None;
    merged.set_rate();
    Ok(merged)
}
