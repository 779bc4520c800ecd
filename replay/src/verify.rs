//! Loading a trace and replaying it: first on the machine alone (each
//! recorded transition must be enabled when it fires and have the recorded
//! effect), then through the timed driver from the recorded decisions and
//! from the seed (both must fire the recorded events and end the same way).
//! Anything that does not match is refused, naming what and where.

use std::path::Path;

use memory_model::{Config, Machine};
use scenarios::litmus::parse_litmus;
use sim_core::{Decisions, TimedRun};
use thiserror::Error;

use crate::stalls::{step_dues, DueRecorder};
use crate::trace::{ending, source_hash, Event, Origin, Trace, FORMAT_VERSION};

/// Why a trace was refused. Each kind has an exit status of its own.
#[derive(Debug, Error)]
pub enum ReplayError {
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: the file is empty, not a trace")]
    Empty { path: String },
    #[error("{path}:{line}:{col}: not a wmsim trace: {message}")]
    NotATrace {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}: trace format version {found}; this wmsim reads version {expected}")]
    FormatVersion {
        path: String,
        found: u32,
        expected: u32,
    },
    #[error("{path}: the scenario text does not match its recorded hash: it was edited, or belongs to another trace")]
    ScenarioChanged { path: String },
    #[error("{path}: the recorded scenario does not load: {message}")]
    ScenarioInvalid { path: String, message: String },
    #[error("{path}: the recorded settings are not valid: {message}")]
    SettingsInvalid { path: String, message: String },
    #[error("{path}: replay diverges at event {index}: {message}")]
    Diverged {
        path: String,
        index: usize,
        message: String,
    },
    #[error("{path}: the run ends differently: {message}")]
    EndingDiffers { path: String, message: String },
}

impl ReplayError {
    /// The exit status `wmsim replay` gives for this refusal.
    pub fn exit_status(&self) -> u8 {
        match self {
            ReplayError::Io { .. } => 3,
            ReplayError::Empty { .. } => 10,
            ReplayError::NotATrace { .. } => 11,
            ReplayError::FormatVersion { .. } => 12,
            ReplayError::ScenarioChanged { .. } => 13,
            ReplayError::ScenarioInvalid { .. } => 14,
            ReplayError::SettingsInvalid { .. } => 15,
            ReplayError::Diverged { .. } => 16,
            ReplayError::EndingDiffers { .. } => 17,
        }
    }
}

/// Reads a trace file: format version, scenario text and hash checked.
pub fn load(path: &Path) -> Result<Trace, ReplayError> {
    let name = path.display().to_string();
    let bytes = crate::file::read_limited(path, crate::file::TRACE_LIMIT).map_err(|e| match e {
        crate::file::ReadError::Io(error) => ReplayError::Io {
            path: name.clone(),
            error,
        },
        too_big => ReplayError::NotATrace {
            path: name.clone(),
            line: 1,
            col: 1,
            message: too_big.to_string(),
        },
    })?;
    parse(&bytes, &name)
}

/// Reads a trace from bytes; `name` is for messages.
pub fn parse(bytes: &[u8], name: &str) -> Result<Trace, ReplayError> {
    let path = name.to_string();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReplayError::Empty { path });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ReplayError::NotATrace {
        path: path.clone(),
        line: 1,
        col: 1,
        message: format!("not UTF-8 text ({e})"),
    })?;
    // The version first, so that a trace of another version is named as
    // such rather than as malformed.
    #[derive(serde::Deserialize)]
    struct Versioned {
        format_version: u32,
    }
    if let Ok(v) = ron::Options::default().from_str::<Versioned>(text) {
        if v.format_version != FORMAT_VERSION {
            return Err(ReplayError::FormatVersion {
                path,
                found: v.format_version,
                expected: FORMAT_VERSION,
            });
        }
    }
    let trace: Trace = ron::from_str(text).map_err(|e| ReplayError::NotATrace {
        path: path.clone(),
        line: e.position.line,
        col: e.position.col,
        message: e.code.to_string(),
    })?;
    if trace.format_version != FORMAT_VERSION {
        return Err(ReplayError::FormatVersion {
            path,
            found: trace.format_version,
            expected: FORMAT_VERSION,
        });
    }
    if source_hash(&trace.scenario.source) != trace.scenario.hash {
        return Err(ReplayError::ScenarioChanged { path });
    }
    Ok(trace)
}

/// What a successful replay checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    pub transitions: usize,
    /// The timed driver was re-run from the decisions and the seed.
    pub timed_rerun: bool,
}

/// Replays `trace` (read from `path`, for messages) in full.
pub fn replay(trace: &Trace, path: &str) -> Result<Replayed, ReplayError> {
    let path = path.to_string();
    let scenario = parse_litmus(&trace.scenario.source, &trace.scenario.name).map_err(|e| {
        ReplayError::ScenarioInvalid {
            path: path.clone(),
            message: e.to_string(),
        }
    })?;
    if scenario.name != trace.scenario.name {
        return Err(ReplayError::ScenarioInvalid {
            path,
            message: format!(
                "the text names test {:?}, the trace {:?}",
                scenario.name, trace.scenario.name
            ),
        });
    }
    let settings = |message: String| ReplayError::SettingsInvalid {
        path: path.clone(),
        message,
    };
    let config = Config::new(
        trace.model,
        Some(trace.sb_depth as usize),
        Some(trace.iq_depth as usize),
        1,
    )
    .map_err(|e| settings(e.to_string()))?;
    trace.timing.validate().map_err(settings)?;
    let machine = Machine::new(&scenario, config);
    let transitions = replay_on_machine(&machine, trace, &path)?;
    let timed_rerun = match trace.origin {
        Origin::Fuzz { seed, run } => {
            rerun_timed(
                &machine,
                trace,
                &path,
                Decisions::replay(trace.decisions.clone()),
            )?;
            rerun_timed(&machine, trace, &path, Decisions::seeded(seed, run, true))?;
            true
        }
        Origin::Minimized { .. } => false,
    };
    Ok(Replayed {
        transitions,
        timed_rerun,
    })
}

/// Re-applies each recorded transition on the machine alone.
fn replay_on_machine(machine: &Machine, trace: &Trace, path: &str) -> Result<usize, ReplayError> {
    let mut state = machine.initial_state();
    let mut last_time = 0;
    let mut fired = 0;
    for (index, event) in trace.events.iter().enumerate() {
        let Event::Fire {
            time,
            transition,
            effect,
        } = *event
        else {
            continue;
        };
        let diverged = |message: String| ReplayError::Diverged {
            path: path.to_string(),
            index,
            message,
        };
        if time < last_time {
            return Err(diverged(format!(
                "time goes back from {last_time} to {time}"
            )));
        }
        last_time = time;
        if !machine.enabled(&state, transition) {
            return Err(diverged(format!(
                "{transition:?} at t={time} is not enabled in the machine's state there"
            )));
        }
        let got = machine.apply(&mut state, transition);
        if got != effect {
            return Err(diverged(format!(
                "{transition:?} at t={time} does {got:?}, the trace says {effect:?}"
            )));
        }
        fired += 1;
    }
    // When a fuzzed run's steps were due comes from its draws; if they do
    // not reproduce the run, the timed re-run says where, after this.
    let dues = step_dues(machine, trace);
    let unknown_dues = dues.is_none() && matches!(trace.origin, Origin::Fuzz { .. });
    let mut end = ending(
        machine,
        &state,
        trace.ending.end,
        trace.ending.time,
        (&trace.events, dues),
    );
    if unknown_dues {
        for (b, recorded) in end.blocked.iter_mut().zip(&trace.ending.blocked) {
            b.blocked_since = recorded.blocked_since;
        }
    }
    if end != trace.ending {
        return Err(ReplayError::EndingDiffers {
            path: path.to_string(),
            message: describe_difference(&trace.ending, &end),
        });
    }
    Ok(fired)
}

/// Runs the timed driver with `decisions` and compares with the trace.
fn rerun_timed(
    machine: &Machine,
    trace: &Trace,
    path: &str,
    mut decisions: Decisions,
) -> Result<(), ReplayError> {
    let mut driver = TimedRun::new(machine, trace.timing);
    let mut observer = DueRecorder::default();
    let end = driver.run(&mut decisions, &mut observer);
    let recorder = &observer.recorder;
    if let Some(index) = (0..trace.events.len().max(recorder.events.len()))
        .find(|&i| trace.events.get(i) != recorder.events.get(i))
    {
        return Err(ReplayError::Diverged {
            path: path.to_string(),
            index,
            message: format!(
                "the timed driver gives {:?}, the trace says {:?}",
                recorder.events.get(index),
                trace.events.get(index)
            ),
        });
    }
    if decisions.log() != trace.decisions.as_slice() {
        let k = (0..trace.decisions.len().max(decisions.log().len()))
            .find(|&k| trace.decisions.get(k) != decisions.log().get(k))
            .unwrap_or(0);
        return Err(ReplayError::Diverged {
            path: path.to_string(),
            index: k,
            message: format!(
                "decision {k} is {:?} when re-run, the trace says {:?}",
                decisions.log().get(k),
                trace.decisions.get(k)
            ),
        });
    }
    let dues = observer.dues;
    let got = ending(
        machine,
        driver.state(),
        end,
        driver.now(),
        (&observer.recorder.events, Some(dues)),
    );
    if got != trace.ending {
        return Err(ReplayError::EndingDiffers {
            path: path.to_string(),
            message: describe_difference(&trace.ending, &got),
        });
    }
    Ok(())
}

fn describe_difference(want: &crate::trace::Ending, got: &crate::trace::Ending) -> String {
    if want.end != got.end {
        return format!("the trace says {:?}, the replay {:?}", want.end, got.end);
    }
    if want.time != got.time {
        return format!(
            "the trace ends at t={}, the replay at t={}",
            want.time, got.time
        );
    }
    for (w, g) in want.observed.iter().zip(&got.observed) {
        if w != g {
            return format!("the trace says {}={}, the replay {}={}", w.0, w.1, g.0, g.1);
        }
    }
    if want.memory != got.memory {
        return format!(
            "memory: the trace says {:?}, the replay {:?}",
            want.memory, got.memory
        );
    }
    if want.registers != got.registers {
        return "registers differ".into();
    }
    for (w, g) in want.blocked.iter().zip(&got.blocked) {
        if w.blocked_since != g.blocked_since {
            return format!(
                "P{} blocked since t={}, the trace says; since t={}, the replay",
                w.core, w.blocked_since, g.blocked_since
            );
        }
    }
    format!("the trace says {want:?}, the replay {got:?}")
}

/// The machine a trace runs on, for renderers: the trace must already have
/// been checked by `replay`.
pub fn scenario_of(trace: &Trace) -> Result<memory_model::ir::Scenario, String> {
    parse_litmus(&trace.scenario.source, &trace.scenario.name).map_err(|e| e.to_string())
}
