//! The trace file: everything needed to replay one run byte for byte, and
//! the one serialized type of the project.
//!
//! A trace holds the scenario's whole text (and its hash), the model and
//! every setting, where the run came from (seed and run index), every
//! decision drawn, every transition fired with its time and effect, every
//! interrupt, and how the run ended. It is written as RON, atomically.

use std::path::Path;

use memory_model::ir::Value;
use memory_model::{Config, Effect, Machine, ModelName, State, Transition};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sim_core::{Decisions, Observer, RunEnd, TimedRun, Timing};

use crate::stalls::{stalled_since, DueRecorder, StepDues};

/// Bumped whenever a field's meaning changes; older traces are refused.
/// Version 2: a blocked core records when it blocked (`blocked_since`).
/// Version 3: the semantics version the run was made under
/// (`semantics_version`).
pub const FORMAT_VERSION: u32 = 3;

/// The scenario a trace ran: its text whole, so that the trace stands alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    pub name: String,
    /// SHA-256 of `source`, hex.
    pub hash: String,
    pub source: String,
}

/// Where the run came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Run `run` of a fuzz campaign with seed `seed`.
    Fuzz { seed: u64, run: u64 },
    /// A minimized run: a schedule found by search, not drawn. Replaying it
    /// re-applies its transitions; there is no seed to re-run.
    Minimized { seed: u64, run: u64 },
    /// A shortest failing run found by the exhaustive driver (`wmsim
    /// fences`, showing why a barrier is needed): no seed, no draws;
    /// replaying it re-applies its transitions.
    Search,
}

/// One event of a run, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Fire {
        time: u64,
        transition: Transition,
        effect: Effect,
    },
    /// `core` executes nothing from `from` to `to`.
    Interrupt { core: u8, from: u64, to: u64 },
}

/// A core that was blocked when the run deadlocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedRecord {
    pub core: u8,
    pub pc: u16,
    pub instruction: String,
    pub reason: String,
    /// When its next instruction stopped being able to fire, in cycles: the
    /// time of the transition after which it has been blocked to the end.
    pub blocked_since: u64,
}

/// How the run ended and in what state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub end: RunEnd,
    /// Simulated time at the end, in cycles.
    pub time: u64,
    /// The scenario's observables, by name (`0:r0`, `x`), in its order.
    pub observed: Vec<(String, Value)>,
    /// Every location's value in memory.
    pub memory: Vec<(String, Value)>,
    /// Every register of every core.
    pub registers: Vec<Vec<(String, Value)>>,
    /// The condition's proposition holds (complete runs only).
    pub condition_holds: bool,
    /// The run counts as a violation: the proposition holds under
    /// `exists`/`~exists`, fails under `forall`, or the run deadlocked.
    pub violation: bool,
    pub blocked: Vec<BlockedRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    pub format_version: u32,
    pub wmsim_version: String,
    /// `sim_core::SEMANTICS_VERSION` of the wmsim that made the run: a run
    /// made under other semantics cannot be replayed faithfully.
    pub semantics_version: u32,
    pub scenario: ScenarioRecord,
    pub model: ModelName,
    pub sb_depth: u8,
    pub iq_depth: u8,
    /// `--rob` (out of order), left out at 0 (the whole window), so that a
    /// trace without it reads as it did before the option existed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rob: u8,
    /// `--smt-pairs` (power), each core's pair, left out when not fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smt_pairs: Option<[u8; memory_model::ir::CORES_MAX]>,
    pub timing: Timing,
    pub origin: Origin,
    pub decisions: Vec<u32>,
    pub events: Vec<Event>,
    pub ending: Ending,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// SHA-256 of a scenario's text, as the trace records it.
pub fn source_hash(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records events as a run goes.
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<Event>,
}

impl Observer for Recorder {
    fn transition(&mut self, time: u64, transition: Transition, effect: &Effect) {
        self.events.push(Event::Fire {
            time,
            transition,
            effect: *effect,
        });
    }

    fn interrupt(&mut self, core: usize, from: u64, to: u64) {
        self.events.push(Event::Interrupt {
            core: core as u8,
            from,
            to,
        });
    }
}

/// What a run ended in, described for the trace; `events` are the run's,
/// re-simulated to find when each blocked core blocked, with `dues`, when
/// each step was due, if known (see `crate::stalls`).
pub(crate) fn ending(
    machine: &Machine,
    state: &State,
    end: RunEnd,
    time: u64,
    (events, dues): (&[Event], Option<StepDues>),
) -> Ending {
    let scenario = machine.scenario;
    let observed = scenario
        .observed
        .iter()
        .map(|&o| (scenario.observable_name(o), machine.observe(state, o)))
        .collect();
    let memory = (0..machine.locations())
        .map(|l| (scenario.locations[l].name.clone(), state.mem[l]))
        .collect();
    let registers = scenario
        .threads
        .iter()
        .enumerate()
        .map(|(c, t)| {
            t.registers
                .iter()
                .enumerate()
                .map(|(r, name)| (name.clone(), state.cores[c].regs[r]))
                .collect()
        })
        .collect();
    let complete = end == RunEnd::Complete;
    let condition_holds =
        complete && machine.filter_admits(state) && machine.holds(state, &scenario.condition.prop);
    let violation = end == RunEnd::Deadlock || (complete && machine.final_state_fails(state));
    let blocked = if end == RunEnd::Deadlock {
        let since = stalled_since(machine, events, dues);
        machine
            .blocked_cores(state)
            .into_iter()
            .map(|b| BlockedRecord {
                core: b.core as u8,
                pc: b.pc as u16,
                instruction: scenario.threads[b.core].source[b.pc].clone(),
                reason: b.reason.map_or("?", |r| r.describe()).to_string(),
                blocked_since: since[b.core].map_or(time, |t| t.min(time)),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ending {
        end,
        time,
        observed,
        memory,
        registers,
        condition_holds,
        violation,
        blocked,
    }
}

/// A transition that can still change the machine's state, if any: `None`
/// means the run is stuck (complete, or deadlocked). Evicting a copy equal
/// to memory changes no value a load can read, so it does not count.
pub(crate) fn can_go_on(machine: &Machine, state: &State) -> Option<Transition> {
    let mut first = None;
    machine.for_each_enabled(state, |t| {
        if !machine.is_harmless(state, t) && first.is_none() {
            first = Some(t);
        }
    });
    first
}

/// Runs run `run` of `seed` again, recording everything, as a trace.
pub fn record_run(machine: &Machine, source: &str, timing: Timing, seed: u64, run: u64) -> Trace {
    let mut driver = TimedRun::new(machine, timing);
    let mut decisions = Decisions::seeded(seed, run, true);
    let mut observer = DueRecorder::default();
    let end = driver.run(&mut decisions, &mut observer);
    let DueRecorder { recorder, dues } = observer;
    Trace {
        format_version: FORMAT_VERSION,
        wmsim_version: env!("CARGO_PKG_VERSION").to_string(),
        semantics_version: sim_core::SEMANTICS_VERSION,
        scenario: ScenarioRecord {
            name: machine.scenario.name.clone(),
            hash: source_hash(source),
            source: source.to_string(),
        },
        model: machine.config.model,
        sb_depth: machine.config.sb_depth,
        iq_depth: machine.config.iq_depth,
        rob: machine.config.rob,
        smt_pairs: machine.config.smt_pairs,
        timing,
        origin: Origin::Fuzz { seed, run },
        decisions: decisions.log().to_vec(),
        ending: ending(
            machine,
            driver.state(),
            end,
            driver.now(),
            (&recorder.events, Some(dues)),
        ),
        events: recorder.events,
    }
}

impl Trace {
    /// The configuration the trace ran on.
    pub fn config(&self) -> Config {
        Config {
            model: self.model,
            sb_depth: self.sb_depth,
            iq_depth: self.iq_depth,
            rob: self.rob,
            smt_pairs: self.smt_pairs,
        }
    }

    /// The transitions fired, in order.
    pub fn transitions(&self) -> impl Iterator<Item = Transition> + '_ {
        self.events.iter().filter_map(|e| match e {
            Event::Fire { transition, .. } => Some(*transition),
            Event::Interrupt { .. } => None,
        })
    }

    /// The trace as RON text: the same trace always gives the same bytes.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new()
            .depth_limit(3)
            .separate_tuple_members(false)
            .enumerate_arrays(false);
        let mut text = ron::ser::to_string_pretty(self, config).expect("a trace serializes");
        text.push('\n');
        text
    }

    /// Writes the trace to `path` atomically (see `file`), so a reader
    /// never sees half a trace.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        crate::file::write_atomically(path, self.to_ron().as_bytes())
    }
}
