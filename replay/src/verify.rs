//! Loading a trace and replaying it: first on the machine alone (each
//! recorded transition must be enabled when it fires and have the recorded
//! effect, within the step bound; interrupts only on cores that exist; the
//! ending, its time and blocked cores re-derived from the state the last
//! transition left), then by origin. A fuzzed run is re-run by the timed
//! driver from the recorded decisions and from the seed (both must fire the
//! recorded events and end the same way). A minimized run draws nothing and
//! has no interrupts, each transition takes its least delay, and the run it
//! names (seed, run), re-run, must fail the same way and be no shorter.
//! Nothing recorded is taken on trust: anything that does not match is
//! refused, naming the first differing field and where.

use std::path::Path;

use memory_model::{Config, Machine};
use scenarios::litmus::parse_litmus;
use sim_core::{Decisions, Mismatch, PathReplay, TimedRun};
use thiserror::Error;

use crate::difference;
use crate::minimize::minimum_latency;
use crate::stalls::{step_dues, DueRecorder};
use crate::trace::{
    can_go_on, ending, record_run, source_hash, Event, Origin, Trace, FORMAT_VERSION,
};
use sim_core::{RunEnd, SEMANTICS_VERSION};

/// Where a replay first departs from a trace: an event, or a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// The event at this index of the trace's `events`.
    Event(usize),
    /// The draw at this index of the trace's `decisions`.
    Decision(usize),
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Divergence::Event(i) => write!(f, "event {i}"),
            Divergence::Decision(i) => write!(f, "decision {i}"),
        }
    }
}

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
    #[error("{path}: made by wmsim {tool} under semantics version {found}; this wmsim ({}) runs semantics version {expected} and cannot replay it faithfully", env!("CARGO_PKG_VERSION"))]
    SemanticsVersion {
        path: String,
        found: u32,
        tool: String,
        expected: u32,
    },
    #[error("{path}: the scenario text does not match its recorded hash: it was edited, or belongs to another trace")]
    ScenarioChanged { path: String },
    #[error("{path}: the recorded scenario does not load: {message}")]
    ScenarioInvalid { path: String, message: String },
    #[error("{path}: the recorded settings are not valid: {message}")]
    SettingsInvalid { path: String, message: String },
    #[error("{path}: replay diverges at {at}: {message}")]
    Diverged {
        path: String,
        at: Divergence,
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
            ReplayError::SemanticsVersion { .. } => 18,
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
    // Then the semantics, for the same reason: a run of other semantics
    // may be malformed for this wmsim (a transition it does not know).
    #[derive(serde::Deserialize)]
    struct Provenance {
        wmsim_version: String,
        semantics_version: u32,
    }
    if let Ok(p) = ron::Options::default().from_str::<Provenance>(text) {
        check_semantics(&path, p.semantics_version, &p.wmsim_version)?;
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
    check_semantics(&path, trace.semantics_version, &trace.wmsim_version)?;
    if source_hash(&trace.scenario.source) != trace.scenario.hash {
        return Err(ReplayError::ScenarioChanged { path });
    }
    Ok(trace)
}

fn check_semantics(path: &str, found: u32, tool: &str) -> Result<(), ReplayError> {
    if found == SEMANTICS_VERSION {
        return Ok(());
    }
    const SHOWN_MAX: usize = 40;
    let tool: String = tool.chars().take(SHOWN_MAX).collect();
    let tool = scenarios::printable::escape(&tool).replace('\t', "\\t");
    Err(ReplayError::SemanticsVersion {
        path: path.to_string(),
        found,
        tool,
        expected: SEMANTICS_VERSION,
    })
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
    .map_err(|e| settings(e.to_string()))?
    .with_rob((trace.rob != 0).then_some(trace.rob as usize))
    .map_err(|e| settings(e.to_string()))?;
    // A recorded pairing is taken only if it is one `--smt-pairs` gives for
    // the scenario's cores (its own text read back): a forged one could
    // name a pair buffer the state does not have.
    let config = match trace.smt_pairs {
        None => config,
        Some(pairing) => {
            let text = Config {
                smt_pairs: Some(pairing),
                ..config
            }
            .smt_pairs_text();
            let checked = config
                .with_smt_pairs(text.as_deref(), scenario.threads.len())
                .map_err(|e| settings(e.to_string()))?;
            if checked.smt_pairs != Some(pairing) {
                return Err(settings(format!(
                    "the SMT pairing {pairing:?} is not one of the scenario's cores"
                )));
            }
            checked
        }
    };
    trace.timing.validate().map_err(settings)?;
    let machine = Machine::new(&scenario, config);
    if let (Origin::Minimized { .. } | Origin::Search, Some(&draw)) =
        (&trace.origin, trace.decisions.first())
    {
        return Err(ReplayError::Diverged {
            path,
            at: Divergence::Decision(0),
            message: format!("a minimized run draws nothing, the trace records {draw}"),
        });
    }
    let last = replay_on_machine(&machine, trace, &path)?;
    // The timed driver first: where it departs from a damaged trace names
    // the event, which the ending alone cannot.
    if let Origin::Fuzz { seed, run } = trace.origin {
        rerun_timed(
            &machine,
            trace,
            &path,
            Decisions::replay(trace.decisions.clone()),
        )?;
        rerun_timed(&machine, trace, &path, Decisions::seeded(seed, run, true))?;
    }
    check_ending(&machine, trace, &last, &path)?;
    if let Origin::Minimized { seed, run } = trace.origin {
        check_minimized_from(&machine, trace, &path, seed, run)?;
    }
    Ok(Replayed {
        transitions: last.fired,
        timed_rerun: matches!(trace.origin, Origin::Fuzz { .. }),
    })
}

/// Where re-applying a trace's transitions left the machine.
struct LastState {
    state: memory_model::State,
    /// Transitions fired.
    fired: usize,
    /// The time of the last one (0 if none): when the run ended.
    time: u64,
}

/// Re-applies each recorded event on the machine alone.
fn replay_on_machine(
    machine: &Machine,
    trace: &Trace,
    path: &str,
) -> Result<LastState, ReplayError> {
    let minimized = matches!(trace.origin, Origin::Minimized { .. } | Origin::Search);
    let steps_max = trace.timing.steps_max as usize;
    let mut replay = PathReplay::new(machine);
    let mut last_time = 0;
    // A minimized run's time: every delay at its minimum.
    let mut least_time = 0;
    for (index, event) in trace.events.iter().enumerate() {
        let diverged = |message: String| ReplayError::Diverged {
            path: path.to_string(),
            at: Divergence::Event(index),
            message,
        };
        let (time, transition, effect) = match *event {
            Event::Fire {
                time,
                transition,
                effect,
            } => (time, transition, effect),
            Event::Interrupt { core, .. } => {
                if core as usize >= machine.cores() {
                    return Err(diverged(format!(
                        "an interrupt of P{core}, the test has {} cores",
                        machine.cores()
                    )));
                }
                if minimized {
                    return Err(diverged(
                        "an interrupt, a minimized run has none".to_string(),
                    ));
                }
                continue;
            }
        };
        let what = difference::transition(machine, transition);
        if time < last_time {
            return Err(diverged(format!(
                "time goes back from {last_time} to {time}"
            )));
        }
        last_time = time;
        if replay.fired() >= steps_max {
            return Err(diverged(format!(
                "{what} at t={time} is transition {}, beyond the step bound of {steps_max}",
                replay.fired() + 1
            )));
        }
        let got = match replay.fire_effect(transition, &effect) {
            Ok(got) => got,
            Err(Mismatch::NotEnabled(_)) => {
                return Err(diverged(format!(
                    "{what} at t={time} is not enabled in the machine's state there"
                )))
            }
            Err(Mismatch::EffectDiffers(d)) => {
                return Err(diverged(format!(
                    "{what} at t={time} {}",
                    difference::effect(machine, &d.got, &d.recorded)
                )))
            }
        };
        if minimized {
            least_time += minimum_latency(&trace.timing, &got);
            if time != least_time {
                return Err(diverged(format!(
                    "{what} at t={time}: with every delay at its minimum, as in a minimized run, it fires at t={least_time}"
                )));
            }
        }
    }
    Ok(LastState {
        fired: replay.fired(),
        state: replay.into_state(),
        time: last_time,
    })
}

/// Derives the ending from the state the last transition left and compares
/// it, field by field, with the recorded one.
fn check_ending(
    machine: &Machine,
    trace: &Trace,
    last: &LastState,
    path: &str,
) -> Result<(), ReplayError> {
    let LastState { state, fired, time } = last;
    let (fired, steps_max) = (*fired, trace.timing.steps_max as usize);
    // The ending, from the state: complete first, then the step bound, as
    // the timed driver checks them; otherwise nothing may be left to fire.
    let end = if machine.is_complete(state) {
        RunEnd::Complete
    } else if fired >= steps_max {
        RunEnd::BoundExceeded
    } else if let Some(t) = can_go_on(machine, state) {
        return Err(ReplayError::EndingDiffers {
            path: path.to_string(),
            message: format!(
                "the trace says it {} after {fired} transitions, but {} can still fire",
                difference::end(trace.ending.end),
                difference::transition(machine, t)
            ),
        });
    } else {
        RunEnd::Deadlock
    };
    // When a fuzzed run's steps were due comes from its draws (its timed
    // re-run, which has reproduced its events by now).
    let dues = step_dues(machine, trace);
    let got = ending(machine, state, end, *time, (&trace.events, dues));
    ending_matches(trace, &got, path)
}

fn ending_matches(
    trace: &Trace,
    got: &crate::trace::Ending,
    path: &str,
) -> Result<(), ReplayError> {
    match difference::ending(&trace.ending, got) {
        None => Ok(()),
        Some(message) => Err(ReplayError::EndingDiffers {
            path: path.to_string(),
            message,
        }),
    }
}

/// A minimized run names the run it was shrunk from: re-run, that run must
/// fail the same way (the same ending; for a deadlock, the same cores
/// blocked) and be no shorter.
fn check_minimized_from(
    machine: &Machine,
    trace: &Trace,
    path: &str,
    seed: u64,
    run: u64,
) -> Result<(), ReplayError> {
    let refuse = |message: String| ReplayError::EndingDiffers {
        path: path.to_string(),
        message,
    };
    if !trace.ending.violation {
        return Err(refuse(
            "a minimized run fails, this one does not".to_string(),
        ));
    }
    let original = record_run(machine, &trace.scenario.source, trace.timing, seed, run);
    let from = format!("the run it was minimized from (seed {seed}, run {run})");
    let blocked = |t: &Trace| -> Vec<u8> { t.ending.blocked.iter().map(|b| b.core).collect() };
    if !original.ending.violation {
        return Err(refuse(format!("{from} does not fail")));
    }
    if original.ending.end != trace.ending.end || blocked(&original) != blocked(trace) {
        return Err(refuse(format!(
            "{from} fails another way: it {}{}",
            difference::end(original.ending.end),
            if original.ending.end == RunEnd::Deadlock {
                format!(" with {} blocked", blocked_cores(&original))
            } else {
                String::new()
            }
        )));
    }
    let (shrunk, before) = (trace.transitions().count(), original.transitions().count());
    if shrunk > before {
        return Err(refuse(format!(
            "{from} has {before} transitions, fewer than this minimized run's {shrunk}"
        )));
    }
    Ok(())
}

fn blocked_cores(trace: &Trace) -> String {
    let names: Vec<String> = trace
        .ending
        .blocked
        .iter()
        .map(|b| format!("P{}", b.core))
        .collect();
    names.join(" ")
}

/// Runs the timed driver with `decisions` and compares with the trace. The
/// run is cut one transition past the trace's: a longer run diverges there.
fn rerun_timed(
    machine: &Machine,
    trace: &Trace,
    path: &str,
    mut decisions: Decisions,
) -> Result<(), ReplayError> {
    let mut driver = TimedRun::new(machine, rerun_timing(trace));
    let mut observer = DueRecorder::default();
    let end = driver.run(&mut decisions, &mut observer);
    let recorder = &observer.recorder;
    if let Some(index) = (0..trace.events.len().max(recorder.events.len()))
        .find(|&i| trace.events.get(i) != recorder.events.get(i))
    {
        let (got, want) = (recorder.events.get(index), trace.events.get(index));
        let message = match (got, want) {
            (
                Some(Event::Fire {
                    time,
                    transition,
                    effect,
                }),
                Some(Event::Fire {
                    time: want_time,
                    transition: want_transition,
                    effect: want_effect,
                }),
            ) if transition == want_transition => {
                let what = difference::transition(machine, *transition);
                if time != want_time {
                    format!("the timed driver fires {what} at t={time}, the trace at t={want_time}")
                } else {
                    format!(
                        "{what} at t={time} {}",
                        difference::effect(machine, effect, want_effect)
                    )
                }
            }
            _ => format!(
                "the timed driver gives {}, the trace says {}",
                difference::event(machine, got),
                difference::event(machine, want)
            ),
        };
        return Err(ReplayError::Diverged {
            path: path.to_string(),
            at: Divergence::Event(index),
            message,
        });
    }
    if decisions.log() != trace.decisions.as_slice() {
        let k = (0..trace.decisions.len().max(decisions.log().len()))
            .find(|&k| trace.decisions.get(k) != decisions.log().get(k))
            .unwrap_or(0);
        let draw = |d: Option<&u32>| d.map_or("no more".to_string(), |d| d.to_string());
        return Err(ReplayError::Diverged {
            path: path.to_string(),
            at: Divergence::Decision(k),
            message: format!(
                "the re-run draws {}, the trace records {}",
                draw(decisions.log().get(k)),
                draw(trace.decisions.get(k))
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
    ending_matches(trace, &got, path)
}

/// The trace's timing with the step bound cut to one transition past the
/// trace's own, so that re-running a damaged trace costs no more than its
/// length: a run that goes on past the trace diverges there anyway.
pub(crate) fn rerun_timing(trace: &Trace) -> sim_core::Timing {
    let fired = trace.transitions().count();
    let steps_max = trace
        .timing
        .steps_max
        .min(u32::try_from(fired).unwrap_or(u32::MAX).saturating_add(1));
    sim_core::Timing {
        steps_max,
        ..trace.timing
    }
}

/// The machine a trace runs on, for renderers: the trace must already have
/// been checked by `replay`.
pub fn scenario_of(trace: &Trace) -> Result<memory_model::ir::Scenario, String> {
    parse_litmus(&trace.scenario.source, &trace.scenario.name).map_err(|e| e.to_string())
}
