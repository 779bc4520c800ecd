//! The `--out` results of `fuzz` and `sweep`: typed and versioned, written
//! by serde and read back through the same types (`read.rs` checks them
//! field by field and invariant by invariant, so that `merge` combines only
//! what a wmsim run of these semantics could have written). This module is
//! the result format; the binary's fuzz and sweep fill it, `merge` adds it up.

mod read;

pub use read::{read, Read};

use std::collections::BTreeMap;

use memory_model::ir::{Scenario, Value};
use serde::{Deserialize, Serialize};
use sim_core::{Rate, Timing};

use crate::shard::Shard;

/// A sweep's axes, in the order of its result's `axes` and its CSV's columns.
pub const AXES: [&str; 6] = [
    "sb_depth",
    "iq_depth",
    "miss_latency",
    "interrupt_rate",
    "interrupt_duration",
    "eviction_interval",
];

/// The window capacity (`--rob`), an axis only of a sweep that asks for it
/// (out-of-order models), after the others: a sweep without it has the
/// columns, seeds and folders it had before the axis existed.
pub const ROB_AXIS: &str = "rob";

/// The names of a sweep's `count` axes: `AXES`, then `rob` if there.
pub fn axis_names(count: usize) -> Vec<&'static str> {
    let mut names = AXES.to_vec();
    if count > AXES.len() {
        names.push(ROB_AXIS);
    }
    names
}

/// The version of the result format: bumped when a field is added, removed
/// or changes meaning, so that a reader never guesses.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Fuzz,
    Sweep,
}

/// Shard `index` of `count` (1-based); a whole campaign has none.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ShardId {
    pub index: u64,
    pub count: u64,
}

impl ShardId {
    pub fn of(shard: Shard) -> Option<ShardId> {
        (!shard.is_whole()).then_some(ShardId {
            index: shard.index,
            count: shard.count,
        })
    }

    pub fn shard(id: Option<ShardId>) -> Shard {
        id.map_or(Shard::WHOLE, |s| Shard {
            index: s.index,
            count: s.count,
        })
    }
}

/// Everything that decides a fuzz campaign's output, with the versions of
/// the tool and of the run semantics that made it: what `merge` compares
/// between shards, naming the field that differs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FuzzSettings {
    pub wmsim_version: String,
    pub semantics_version: u32,
    pub scenario: String,
    pub scenario_sha256: String,
    pub model: String,
    pub sb_depth: u64,
    pub iq_depth: u64,
    /// `--rob` and `--smt-pairs` (out of order), left out when not given,
    /// so that a campaign without them keeps its identity and reads as
    /// before they existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rob: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smt_pairs: Option<String>,
    pub timing: Timing,
    pub seed: u64,
    pub runs: u64,
    pub save: u64,
    pub bound_share_max: f64,
}

/// A value in a final state: an integer, or the name of the location an
/// address points at.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub enum StateValue {
    Int(i64),
    Location(String),
}

/// A final state by observed name, as a fuzz result records it (the same
/// values as `replay::narration::state_json`, typed).
pub fn state_values(scenario: &Scenario, values: &[Value]) -> BTreeMap<String, StateValue> {
    scenario
        .observed
        .iter()
        .zip(values)
        .map(|(&o, &v)| {
            let value = match memory_model::ir::location_at(v, scenario.locations.len()) {
                Some(_) => StateValue::Location(scenario.format_value(v)),
                None => StateValue::Int(i64::from(v)),
            };
            (scenario.observable_name(o), value)
        })
        .collect()
}

/// One final state and how many runs ended in it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub state: BTreeMap<String, StateValue>,
    pub text: String,
    pub values: Vec<i32>,
    pub count: u64,
    pub matches: bool,
    pub fails: bool,
}

/// A core a deadlocked run left blocked, and at what.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BlockedCore {
    pub core: u64,
    pub instruction: String,
    pub reason: String,
}

/// What `fuzz --out` writes (and `--json` prints).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FuzzResult {
    pub format_version: u32,
    pub kind: Kind,
    pub campaign: String,
    pub settings: FuzzSettings,
    pub shard: Option<ShardId>,
    pub scenario: String,
    pub model: String,
    pub sb_depth: u64,
    pub iq_depth: u64,
    pub seed: u64,
    pub runs: u64,
    pub condition: String,
    pub matches: u64,
    pub violations: u64,
    pub filtered_runs: u64,
    pub deadlock_runs: u64,
    pub bound_exceeded_runs: u64,
    pub violating_runs: u64,
    pub decided_runs: u64,
    pub violation_rate: Option<f64>,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub first_violation_run: Option<u64>,
    pub first_deadlock_run: Option<u64>,
    pub first_deadlock_blocked: Option<Vec<BlockedCore>>,
    pub outcomes: Vec<Outcome>,
    pub save: u64,
    /// The first `save` failing runs, in run order.
    pub failing_runs: Vec<u64>,
    /// The traces of the leading failing runs that were saved (all of them
    /// unless saving failed).
    pub traces: Vec<String>,
    pub runs_per_second: f64,
    pub elapsed_seconds: f64,
    /// The scenario's data races (LKMM's rule on its sequentially
    /// consistent executions): a property of the program, the same in
    /// every shard. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_races: Vec<DataRace>,
}

/// One data race, as a fuzz result names it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DataRace {
    pub location: String,
    /// Each access: thread, kind, `file:line:col` and its source text.
    pub first: String,
    pub second: String,
}

/// The rate fields of a result, derived from its counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateFields {
    pub violating_runs: u64,
    pub decided_runs: u64,
    pub violation_rate: Option<f64>,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

impl RateFields {
    pub fn of(rate: &Rate) -> RateFields {
        let (low, high) = rate.interval();
        RateFields {
            violating_runs: rate.failing,
            decided_runs: rate.decided,
            violation_rate: rate.value(),
            ci95_low: sim_core::rate::round6(low),
            ci95_high: sim_core::rate::round6(high),
        }
    }
}

impl FuzzResult {
    /// Violating or deadlocked runs of the decided ones.
    pub fn rate(&self) -> Rate {
        Rate::new(
            self.violations + self.deadlock_runs,
            self.runs,
            self.bound_exceeded_runs,
        )
    }

    fn rate_fields(&self) -> RateFields {
        RateFields {
            violating_runs: self.violating_runs,
            decided_runs: self.decided_runs,
            violation_rate: self.violation_rate,
            ci95_low: self.ci95_low,
            ci95_high: self.ci95_high,
        }
    }

    /// Sets the rate fields from the counts (after a merge too).
    pub fn set_rate(&mut self) {
        let r = RateFields::of(&self.rate());
        self.violating_runs = r.violating_runs;
        self.decided_runs = r.decided_runs;
        self.violation_rate = r.violation_rate;
        self.ci95_low = r.ci95_low;
        self.ci95_high = r.ci95_high;
    }

    pub fn shard(&self) -> Shard {
        ShardId::shard(self.shard)
    }
}

/// A sweep's axes and their values as text, in the CSV's column order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SweepAxes {
    pub sb_depth: Vec<String>,
    pub iq_depth: Vec<String>,
    pub miss_latency: Vec<String>,
    pub interrupt_rate: Vec<String>,
    pub interrupt_duration: Vec<String>,
    pub eviction_interval: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rob: Vec<String>,
}

impl SweepAxes {
    pub fn from_lists(lists: &[Vec<String>]) -> SweepAxes {
        SweepAxes {
            sb_depth: lists[0].clone(),
            iq_depth: lists[1].clone(),
            miss_latency: lists[2].clone(),
            interrupt_rate: lists[3].clone(),
            interrupt_duration: lists[4].clone(),
            eviction_interval: lists[5].clone(),
            rob: lists.get(6).cloned().unwrap_or_default(),
        }
    }

    /// The axes' values in column order; `rob` only if swept.
    pub fn lists(&self) -> Vec<&Vec<String>> {
        let mut lists = vec![
            &self.sb_depth,
            &self.iq_depth,
            &self.miss_latency,
            &self.interrupt_rate,
            &self.interrupt_duration,
            &self.eviction_interval,
        ];
        if !self.rob.is_empty() {
            lists.push(&self.rob);
        }
        lists
    }
}

/// Everything that decides a sweep's output, with the versions that made it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    pub wmsim_version: String,
    pub semantics_version: u32,
    pub scenario: String,
    pub scenario_sha256: String,
    pub model: String,
    pub timing: Timing,
    pub seed: u64,
    pub runs: u64,
    pub axes: SweepAxes,
    pub save: u64,
    pub bound_share_max: f64,
}

/// An axis and its values, as the result lists them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AxisValues {
    pub name: String,
    pub values: Vec<String>,
}

/// One combination of a sweep: its axis values and what its runs found.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CombinationRow {
    pub sb_depth: String,
    pub iq_depth: String,
    pub miss_latency: String,
    pub interrupt_rate: String,
    pub interrupt_duration: String,
    pub eviction_interval: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rob: Option<String>,
    pub runs: u64,
    pub violations: u64,
    pub deadlock_runs: u64,
    pub bound_exceeded_runs: u64,
    pub violating_runs: u64,
    pub decided_runs: u64,
    pub violation_rate: Option<f64>,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub failing_runs: Vec<u64>,
    pub traces: Vec<String>,
    pub cpu_seconds: f64,
    pub runs_per_second: f64,
}

impl CombinationRow {
    pub fn values(&self) -> Vec<String> {
        [
            &self.sb_depth,
            &self.iq_depth,
            &self.miss_latency,
            &self.interrupt_rate,
            &self.interrupt_duration,
            &self.eviction_interval,
        ]
        .into_iter()
        .chain(&self.rob)
        .cloned()
        .collect()
    }

    fn rate_fields(&self) -> RateFields {
        RateFields {
            violating_runs: self.violating_runs,
            decided_runs: self.decided_runs,
            violation_rate: self.violation_rate,
            ci95_low: self.ci95_low,
            ci95_high: self.ci95_high,
        }
    }
}

/// What `sweep --out` writes (and `--json` prints).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    pub format_version: u32,
    pub kind: Kind,
    pub campaign: String,
    pub settings: SweepSettings,
    pub shard: Option<ShardId>,
    pub scenario: String,
    pub model: String,
    pub seed: u64,
    pub runs: u64,
    pub axes: Vec<AxisValues>,
    pub combinations: Vec<CombinationRow>,
    pub runs_per_second: f64,
    pub elapsed_seconds: f64,
}

/// A campaign's name: a hash of its kind and its typed settings, serialized
/// as JSON (fields in declaration order, so the same settings always give
/// the same bytes).
pub fn campaign_id<S: Serialize>(kind: Kind, settings: &S) -> String {
    let text = serde_json::to_string(&(kind, settings)).expect("settings serialize");
    replay::trace::source_hash(&text)[..16].to_string()
}

/// One JSON line of a result.
pub fn to_line<T: Serialize>(result: &T) -> String {
    serde_json::to_string(result).expect("a result serializes")
}
