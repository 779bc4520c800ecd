//! Reading a result back: parsed through the result's types (a type error
//! names the field's path), then checked against every invariant a wmsim
//! run keeps. A refusal names the file and the field, exit status 2.

use serde::Serialize;
use serde_json::Value as Json;
use sim_core::Rate;

use super::{campaign_id, FuzzResult, Kind, RateFields, ShardId, SweepFile, FORMAT_VERSION};
use crate::shard::Shard;
use crate::{exit, Failure};

/// A result read back, checked.
pub enum Read {
    Fuzz(FuzzResult),
    Sweep(SweepFile),
}

fn refuse(message: String) -> Failure {
    Failure {
        message,
        status: exit::BAD_INPUT,
    }
}

/// Reads the result `bytes` of the file `name`: refused (status 2) with the
/// file and the field named when it is not one a wmsim of this format and
/// these semantics writes, or when its counts do not add up.
pub fn read(name: &str, bytes: Vec<u8>) -> Result<Read, Failure> {
    let name = name.to_string();
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
    let kind = match v.get("kind").and_then(Json::as_str) {
        Some("fuzz") => Kind::Fuzz,
        Some("sweep") => Kind::Sweep,
        _ => {
            return Err(refuse(format!(
                "{name}: not the JSON result of wmsim fuzz or sweep"
            )))
        }
    };
    match v.get("format_version") {
        Some(Json::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        Some(other) => {
            return Err(refuse(format!(
                "{name}: format_version {other}: this wmsim reads format {FORMAT_VERSION}"
            )))
        }
        None => {
            return Err(refuse(format!(
                "{name}: no format_version: written by an older wmsim, whose results this one \
                 does not merge (format {FORMAT_VERSION})"
            )))
        }
    }
    let semantics = &v["settings"]["semantics_version"];
    if semantics.as_u64() != Some(u64::from(sim_core::SEMANTICS_VERSION)) {
        let made = if semantics.is_null() {
            "no semantics version".to_string()
        } else {
            format!("semantics version {semantics}")
        };
        return Err(refuse(format!(
            "{name}: made under {made}; this wmsim runs semantics version {}: its runs are \
             not those of this wmsim, so they cannot be merged (re-run that shard)",
            sim_core::SEMANTICS_VERSION
        )));
    }
    let checked = match kind {
        Kind::Fuzz => typed::<FuzzResult>(&name, v).and_then(|r| {
            check_fuzz(&r).map_err(|e| refuse(format!("{name}: {e}")))?;
            Ok(Read::Fuzz(r))
        }),
        Kind::Sweep => typed::<SweepFile>(&name, v).and_then(|r| {
            check_sweep(&r).map_err(|e| refuse(format!("{name}: {e}")))?;
            Ok(Read::Sweep(r))
        }),
    }?;
    Ok(checked)
}

/// The typed result, or the path of the field that is not what it must be.
fn typed<T: serde::de::DeserializeOwned>(name: &str, v: Json) -> Result<T, Failure> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let field = e.path().to_string();
        // An unknown field's message lists every known one: the name is enough.
        let inner = e.into_inner().to_string();
        let inner = match inner.split_once(", expected one of") {
            Some((head, _)) if inner.starts_with("unknown field") => head.to_string(),
            _ => inner,
        };
        if field == "." {
            refuse(format!("{name}: {inner}"))
        } else {
            refuse(format!("{name}: {field}: {inner}"))
        }
    })
}

/// `Err("field: why")` unless `ok`.
fn need(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

/// The checks every result passes: its identity is its settings' hash, its
/// shard is one of its count, its timing fields are times.
#[allow(clippy::too_many_arguments)]
fn check_common<S: Serialize>(
    kind: Kind,
    expected: Kind,
    campaign: &str,
    settings: &S,
    runs: u64,
    shard: Option<ShardId>,
    seconds: &[(&str, f64)],
) -> Result<(), String> {
    need(kind == expected, || {
        "kind: does not match the result".into()
    })?;
    need(campaign == campaign_id(kind, settings), || {
        format!("campaign: {campaign} is not the identity of its settings (edited?)")
    })?;
    need((1..=crate::RUNS_MAX).contains(&runs), || {
        format!(
            "settings.runs: {runs}, not between 1 and {}",
            crate::RUNS_MAX
        )
    })?;
    if let Some(s) = shard {
        need(s.count >= 2 && (1..=s.count).contains(&s.index), || {
            format!("shard: {} of {} is not a shard", s.index, s.count)
        })?;
    }
    for (field, x) in seconds {
        need(x.is_finite() && *x >= 0.0, || {
            format!("{field}: {x} is not a number of seconds")
        })?;
    }
    Ok(())
}

/// The failing runs a result lists: in increasing order, within the
/// campaign's runs and this shard's units, as many as `save` allows of the
/// `failing` runs; at most one trace for each.
#[allow(clippy::too_many_arguments)]
fn check_failing(
    prefix: &str,
    failing_runs: &[u64],
    traces: &[String],
    failing: u64,
    save: u64,
    runs_max: u64,
    shard: Shard,
    first_unit: u64,
) -> Result<(), String> {
    need(failing_runs.windows(2).all(|w| w[0] < w[1]), || {
        format!("{prefix}failing_runs: not in increasing order")
    })?;
    for &run in failing_runs {
        need(run < runs_max, || {
            format!("{prefix}failing_runs: run {run} is not one of the {runs_max} runs")
        })?;
        need(shard.owns(first_unit + run / crate::units::CHUNK), || {
            format!("{prefix}failing_runs: run {run} is not one of this shard's")
        })?;
    }
    need(failing_runs.len() as u64 == failing.min(save), || {
        format!(
            "{prefix}failing_runs: {} listed, but {} failing runs with --save {save}",
            failing_runs.len(),
            failing
        )
    })?;
    need(traces.len() <= failing_runs.len(), || {
        format!("{prefix}traces: more traces than failing runs")
    })
}

fn check_fuzz(r: &FuzzResult) -> Result<(), String> {
    let s = &r.settings;
    check_common(
        r.kind,
        Kind::Fuzz,
        &r.campaign,
        s,
        s.runs,
        r.shard,
        &[
            ("runs_per_second", r.runs_per_second),
            ("elapsed_seconds", r.elapsed_seconds),
        ],
    )?;
    let same = |field: &str, here: String, there: String| {
        need(here == there, || {
            format!("{field}: {here}, but the settings say {there}")
        })
    };
    same("scenario", r.scenario.clone(), s.scenario.clone())?;
    same("model", r.model.clone(), s.model.clone())?;
    same("sb_depth", r.sb_depth.to_string(), s.sb_depth.to_string())?;
    same("iq_depth", r.iq_depth.to_string(), s.iq_depth.to_string())?;
    same("seed", r.seed.to_string(), s.seed.to_string())?;
    same("save", r.save.to_string(), s.save.to_string())?;
    need(r.runs <= s.runs, || {
        format!("runs: {}, more than the campaign's {}", r.runs, s.runs)
    })?;
    for (field, n) in [
        ("matches", r.matches),
        ("violations", r.violations),
        ("filtered_runs", r.filtered_runs),
        ("deadlock_runs", r.deadlock_runs),
        ("bound_exceeded_runs", r.bound_exceeded_runs),
    ] {
        need(n <= r.runs, || {
            format!("{field}: {n}, more than runs ({})", r.runs)
        })?;
    }
    let completed = r
        .runs
        .checked_sub(r.deadlock_runs + r.bound_exceeded_runs)
        .ok_or("deadlock_runs and bound_exceeded_runs: more than runs together")?;
    let width = r.outcomes.first().map_or(0, |o| o.values.len());
    let mut counted = r.filtered_runs;
    let (mut matches, mut violations) = (0u64, 0u64);
    for (i, o) in r.outcomes.iter().enumerate() {
        need(!o.values.is_empty() && o.values.len() == width, || {
            format!("outcomes[{i}].values: not one value per observed location")
        })?;
        need(o.state.len() == width, || {
            format!("outcomes[{i}].state: not one value per observed location")
        })?;
        need(o.count >= 1, || format!("outcomes[{i}].count: 0"))?;
        if i > 0 {
            need(r.outcomes[i - 1].values < o.values, || {
                format!("outcomes[{i}]: not in increasing order of values (or listed twice)")
            })?;
        }
        counted = counted
            .checked_add(o.count)
            .ok_or_else(|| format!("outcomes[{i}].count: the counts overflow"))?;
        if o.matches {
            matches += o.count;
        }
        if o.fails {
            violations += o.count;
        }
    }
    need(counted == completed, || {
        format!(
            "outcomes: {} runs counted with filtered_runs, but {completed} runs completed",
            counted
        )
    })?;
    need(matches == r.matches, || {
        format!(
            "matches: {}, but the outcomes that match count {matches}",
            r.matches
        )
    })?;
    need(violations == r.violations, || {
        format!(
            "violations: {}, but the outcomes that fail count {violations}",
            r.violations
        )
    })?;
    need(
        r.first_violation_run.is_some() == (r.violations > 0),
        || "first_violation_run: present exactly when there are violations".into(),
    )?;
    need(
        r.first_deadlock_run.is_some() == (r.deadlock_runs > 0)
            && r.first_deadlock_blocked.is_some() == (r.deadlock_runs > 0),
        || "first_deadlock_run: present exactly when there are deadlocks".into(),
    )?;
    for (field, run) in [
        ("first_violation_run", r.first_violation_run),
        ("first_deadlock_run", r.first_deadlock_run),
    ] {
        if let Some(run) = run {
            need(run < s.runs, || {
                format!("{field}: run {run} is not one of the {} runs", s.runs)
            })?;
        }
    }
    check_failing(
        "",
        &r.failing_runs,
        &r.traces,
        r.violations + r.deadlock_runs,
        r.save,
        s.runs,
        r.shard(),
        0,
    )?;
    need(r.rate_fields() == RateFields::of(&r.rate()), || {
        "violating_runs, decided_runs, violation_rate, ci95_low, ci95_high: not the rate of \
         the counts"
            .into()
    })
}

fn check_sweep(r: &SweepFile) -> Result<(), String> {
    let s = &r.settings;
    check_common(
        r.kind,
        Kind::Sweep,
        &r.campaign,
        s,
        s.runs,
        r.shard,
        &[
            ("runs_per_second", r.runs_per_second),
            ("elapsed_seconds", r.elapsed_seconds),
        ],
    )?;
    need(r.scenario == s.scenario, || {
        "scenario: not the settings' scenario".into()
    })?;
    need(r.model == s.model, || {
        "model: not the settings' model".into()
    })?;
    need(r.seed == s.seed, || "seed: not the settings' seed".into())?;
    need(r.runs == s.runs, || "runs: not the settings' runs".into())?;
    let lists = s.axes.lists();
    let names = super::axis_names(lists.len());
    need(
        r.axes.len() == names.len()
            && r.axes
                .iter()
                .zip(names.iter().zip(&lists))
                .all(|(a, (n, l))| a.name == *n && &a.values == *l),
        || "axes: not the settings' axes".into(),
    )?;
    if let Some(l) = lists.iter().position(|l| l.is_empty()) {
        return Err(format!("settings.axes.{}: no values", names[l]));
    }
    // The rows are the combinations of the axes' values, in row-major order.
    let total = lists
        .iter()
        .try_fold(1usize, |n, l| n.checked_mul(l.len()))
        .unwrap_or(usize::MAX);
    need(r.combinations.len() == total, || {
        format!(
            "combinations: {} rows for {total} combinations of the axes",
            r.combinations.len()
        )
    })?;
    let shard = ShardId::shard(r.shard);
    for (i, c) in r.combinations.iter().enumerate() {
        let mut rest = i;
        let mut expected = vec![String::new(); lists.len()];
        for (slot, l) in expected.iter_mut().zip(&lists).rev() {
            *slot = l[rest % l.len()].clone();
            rest /= l.len();
        }
        let at = format!("combinations[{i}].");
        need(c.values() == expected, || {
            format!(
                "combinations[{i}]: axis values {}, expected {}",
                c.values().join(","),
                expected.join(",")
            )
        })?;
        need(c.runs <= s.runs, || {
            format!("{at}runs: {}, more than the campaign's {}", c.runs, s.runs)
        })?;
        for (field, n) in [
            ("violations", c.violations),
            ("deadlock_runs", c.deadlock_runs),
            ("bound_exceeded_runs", c.bound_exceeded_runs),
        ] {
            need(n <= c.runs, || {
                format!("{at}{field}: {n}, more than runs ({})", c.runs)
            })?;
        }
        need(
            c.violations + c.deadlock_runs + c.bound_exceeded_runs <= c.runs,
            || format!("{at}runs: fewer than the violating and cut runs together"),
        )?;
        need(c.cpu_seconds.is_finite() && c.cpu_seconds >= 0.0, || {
            format!("{at}cpu_seconds: not a number of seconds")
        })?;
        need(
            c.runs_per_second.is_finite() && c.runs_per_second >= 0.0,
            || format!("{at}runs_per_second: not a rate"),
        )?;
        check_failing(
            &at,
            &c.failing_runs,
            &c.traces,
            c.violations + c.deadlock_runs,
            s.save,
            s.runs,
            shard,
            i as u64 * s.runs.div_ceil(crate::units::CHUNK),
        )?;
        let rate = Rate::new(
            c.violations + c.deadlock_runs,
            c.runs,
            c.bound_exceeded_runs,
        );
        need(c.rate_fields() == RateFields::of(&rate), || {
            format!("{at}violation_rate: not the rate of the counts")
        })?;
    }
    Ok(())
}
