//! What `suite` concludes for one file on one model: herd7's expectations
//! (the verdicts TSV, or the file's `Result:` line) and the class of an
//! exploration against them.
//!
//! A model is **unsound** on a file when it reaches a final state LKMM
//! forbids: the condition's outcome where herd7 says `Never`, a state where
//! the proposition fails where herd7 says `Always`, or, where the expected
//! TSV lists herd7's allowed states, any state outside that list. A model that
//! cannot reach an outcome LKMM allows is **allowed-not-exhibited**: weaker
//! in coverage, not wrong; its note lists what the model lacks, from the
//! model's parameters (`ModelName::lacks_note`), not a guess from the test.

use std::collections::{BTreeMap, BTreeSet};

use memory_model::ModelName;
use sim_core::{Exploration, Verdict};

use crate::herd::{herd_name, herd_state};
use crate::Failure;

/// herd7's verdict for one file, and the final states it allows.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub verdict: Option<String>,
    /// Each state as sorted `(name, value)` pairs; `None` when not known.
    pub states: Option<BTreeSet<Vec<(String, String)>>>,
    /// Whether herd7 flags a data race; `None` when not known.
    pub data_race: Option<bool>,
}

/// A file's data races against herd7's `Flag data-race`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RaceClass {
    /// Both say racy.
    Agree,
    /// herd7 flags a race that was not found.
    Missed,
    /// A race reported where herd7 flags none: a wrong answer.
    FalseAlarm,
    /// Neither finds one.
    Free,
    /// Racy, with nothing to compare with.
    Racy,
    /// Nothing found and nothing to compare with.
    Unknown,
}

impl RaceClass {
    pub const ALL: [RaceClass; 4] = [
        RaceClass::Agree,
        RaceClass::Missed,
        RaceClass::FalseAlarm,
        RaceClass::Free,
    ];

    pub fn of(found: bool, expected: Option<bool>) -> RaceClass {
        match (found, expected) {
            (true, Some(true)) => RaceClass::Agree,
            (false, Some(true)) => RaceClass::Missed,
            (true, Some(false)) => RaceClass::FalseAlarm,
            (false, Some(false)) => RaceClass::Free,
            (true, None) => RaceClass::Racy,
            (false, None) => RaceClass::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RaceClass::Agree => "race-agree",
            RaceClass::Missed => "race-missed",
            RaceClass::FalseAlarm => "race-false-alarm",
            RaceClass::Free => "race-free",
            RaceClass::Racy => "racy",
            RaceClass::Unknown => "-",
        }
    }
}

/// What a `Result:` line says of races: herd7's older versions wrote
/// `Result: Never DATARACE`.
pub fn data_race_in_result_line(source: &str) -> Option<bool> {
    source
        .lines()
        .find(|l| {
            l.trim_start()
                .trim_start_matches('*')
                .trim_start()
                .starts_with("Result:")
        })
        .map(|l| l.contains("DATARACE"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Agree,
    Unsound,
    AllowedNotExhibited,
    Unsupported,
    BoundExceeded,
    NoExpectation,
    Error,
}

impl Class {
    pub const ALL: [Class; 7] = [
        Class::Agree,
        Class::Unsound,
        Class::AllowedNotExhibited,
        Class::Unsupported,
        Class::BoundExceeded,
        Class::NoExpectation,
        Class::Error,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Agree => "agree",
            Class::Unsound => "unsound",
            Class::AllowedNotExhibited => "allowed-not-exhibited",
            Class::Unsupported => "unsupported",
            Class::BoundExceeded => "bound-exceeded",
            Class::NoExpectation => "no-expectation",
            Class::Error => "error",
        }
    }
}

/// The expected verdicts of a TSV shaped like `verdicts.tsv` (`name` for
/// messages: file:line:col), by the `path` column.
pub fn parse_tsv(name: &str, text: &str) -> Result<BTreeMap<String, Expected>, Failure> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.split('\t').collect(),
        None => return Err(Failure::bad_input(format!("{}:1:1: empty TSV", name))),
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| Failure::bad_input(format!("{}:1:1: no column {name:?}", name)))
    };
    let (path_col, verdict_col) = (column("path")?, column("herd7_lkmm_verdict")?);
    let states_col = column("states_allowed_by_herd7").ok();
    // races.tsv says `yes`/`no`; verdicts.tsv notes `data-race` among
    // herd7's flags.
    let race_col = column("herd7_flag_data_race").ok();
    let flags_col = column("herd7_flags").ok();
    let mut out = BTreeMap::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| {
            fields.get(i).copied().ok_or_else(|| {
                Failure::bad_input(format!(
                    "{}:{}:1: expected {} tab-separated fields, found {}",
                    name,
                    n + 1,
                    header.len(),
                    fields.len()
                ))
            })
        };
        let verdict = field(verdict_col)?.to_string();
        let states = match states_col {
            Some(c) => parse_herd_states(field(c)?),
            None => None,
        };
        let data_race = match (race_col, flags_col) {
            (Some(c), _) => match field(c)?.trim() {
                "yes" => Some(true),
                "no" => Some(false),
                "-" | "" => None,
                other => {
                    // The column's place in the line, for file:line:col.
                    let col = fields[..c]
                        .iter()
                        .map(|f| f.chars().count() + 1)
                        .sum::<usize>()
                        + 1;
                    return Err(Failure::bad_input(format!(
                        "{}:{}:{col}: herd7_flag_data_race is {other:?}: expected yes, no or -",
                        name,
                        n + 1
                    )));
                }
            },
            (None, Some(c)) => Some(field(c)?.contains("data-race")),
            (None, None) => None,
        };
        out.insert(
            field(path_col)?.to_string(),
            Expected {
                verdict: Some(verdict),
                states,
                data_race,
            },
        );
    }
    Ok(out)
}

/// herd's `0:r0=0; [x]=1; | ...` as sets of sorted pairs; `None` for `-`.
fn parse_herd_states(s: &str) -> Option<BTreeSet<Vec<(String, String)>>> {
    if s.trim() == "-" || s.trim().is_empty() {
        return None;
    }
    Some(s.split('|').map(parse_herd_state).collect())
}

fn parse_herd_state(s: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = s
        .split(';')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    pairs.sort();
    pairs
}

/// How a model's exploration of a file stands against herd7's verdict and
/// allowed states, and why.
pub fn classify(
    scenario: &memory_model::ir::Scenario,
    model: ModelName,
    x: &Exploration,
    verdict: Verdict,
    expected: &Expected,
) -> (Class, String) {
    // Any state outside herd7's allowed list is unsound, whatever the verdict.
    if let Some(allowed) = &expected.states {
        for f in x.counted_finals() {
            let ours: Vec<(String, String)> = {
                let mut p: Vec<_> = scenario
                    .observed
                    .iter()
                    .zip(&f.values)
                    .map(|(&o, &v)| (herd_name(scenario, o), scenario.format_value(v)))
                    .collect();
                p.sort();
                p
            };
            if !allowed.iter().any(|a| agrees_on_common(a, &ours)) {
                return (
                    Class::Unsound,
                    format!(
                        "reaches {} which LKMM forbids",
                        herd_state(scenario, &f.values)
                    ),
                );
            }
        }
    }
    let Some(want) = expected.verdict.as_deref() else {
        return (
            Class::NoExpectation,
            "no verdict in the TSV or a Result: line".into(),
        );
    };
    match (want, verdict) {
        ("Never", Verdict::Never) | ("Sometimes", Verdict::Sometimes) => {
            (Class::Agree, String::new())
        }
        ("Always", Verdict::Always) => (Class::Agree, String::new()),
        ("Never", _) => (
            Class::Unsound,
            "reaches the outcome LKMM says never happens".into(),
        ),
        ("Always", _) if x.counted_finals().count() == 0 => (
            Class::AllowedNotExhibited,
            "no complete run on this model".into(),
        ),
        ("Always", _) => (
            Class::Unsound,
            "a final state fails a condition LKMM says always holds".into(),
        ),
        ("Sometimes", Verdict::Never) => (Class::AllowedNotExhibited, model.lacks_note()),
        ("Sometimes", Verdict::Always) => (
            Class::AllowedNotExhibited,
            "only states that meet the condition; LKMM allows others".into(),
        ),
        ("DEADLOCK", _) if x.counted_finals().count() == 0 && !x.deadlocks.is_empty() => {
            (Class::Agree, "every run deadlocks, as expected".into())
        }
        (other, _) => (
            Class::NoExpectation,
            format!("expected verdict {other:?} not understood"),
        ),
    }
}

/// Two states agree where they name the same things.
fn agrees_on_common(herd: &[(String, String)], ours: &[(String, String)]) -> bool {
    ours.iter().all(|(name, value)| {
        herd.iter()
            .find(|(n, _)| n == name)
            .is_none_or(|(_, v)| v == value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_race_flag_column_is_yes_no_or_unknown() {
        let tsv = |flag: &str| {
            format!("path\therd7_lkmm_verdict\therd7_flag_data_race\na.litmus\tNever\t{flag}\n")
        };
        let race = |flag: &str| parse_tsv("r.tsv", &tsv(flag)).unwrap()["a.litmus"].data_race;
        assert_eq!(race("yes"), Some(true));
        assert_eq!(race("no"), Some(false));
        assert_eq!(race("-"), None);
        let e = parse_tsv("r.tsv", &tsv("maybe")).unwrap_err();
        assert_eq!(
            e.message,
            "r.tsv:2:16: herd7_flag_data_race is \"maybe\": expected yes, no or -"
        );
        assert_eq!(e.status, crate::exit::BAD_INPUT);
    }
}
