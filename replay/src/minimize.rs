//! Shrinking a failing run: the shortest run of the same scenario and
//! settings that fails the same way (meets the same condition, or deadlocks
//! with the same cores blocked), with no interrupts and every delay at its
//! minimum.
//!
//! Candidates are the run itself, the exhaustive driver's shortest witness
//! (a breadth-first search, with its eager moves), and the same search
//! without eager moves where it stays small; each is then shrunk by dropping
//! every transition the failure does not need, and the shortest wins. So the
//! result is never longer than the driver's witness nor than the run.

use memory_model::{Effect, Machine, State, Transition};
use sim_core::{Exploration, ExploreOptions, LatencyClass, PathReplay, RunEnd, Timing};

use crate::trace::{can_go_on, ending, Event, Origin, Trace};

/// The shortest failing run like `trace`'s, as a trace of its own.
pub fn minimize(
    machine: &Machine,
    trace: &Trace,
    options: ExploreOptions,
) -> Result<Trace, String> {
    if !trace.ending.violation {
        return Err("the run does not fail: nothing to minimize".into());
    }
    let mut candidates = vec![trace.transitions().collect::<Vec<_>>()];
    for eager_dead_moves in [true, false] {
        // Without eager moves the state space can be orders of magnitude
        // larger; it is only worth a bounded try.
        let states_max = if eager_dead_moves {
            options.states_max
        } else {
            options.states_max.min(PLAIN_SEARCH_STATES_MAX)
        };
        let x = Exploration::run(
            machine,
            ExploreOptions {
                eager_dead_moves,
                states_max,
                // Partial-order reduction keeps final states, not shortest
                // paths.
                partial_order: false,
                ..options
            },
        );
        if x.bound_exceeded {
            continue;
        }
        if let Some(target) = failing_state(&x, trace) {
            candidates.push(x.path_to(target));
        }
    }
    let fails = |state: &State| fails_like(machine, state, trace);
    let path = candidates
        .into_iter()
        .filter_map(|p| shrink(machine, p, &fails))
        .min_by_key(Vec::len)
        .ok_or("the run does not fail the way its trace says")?;
    let end = if trace.ending.end == RunEnd::Deadlock {
        RunEnd::Deadlock
    } else {
        RunEnd::Complete
    };
    Ok(schedule_trace(machine, trace, &path, end))
}

/// The trace of a schedule found by search, run from `trace`'s settings
/// with every delay at its minimum and no draws, as a minimized run of
/// `trace`'s origin that ends with `end`. `path` must run on the machine.
pub fn schedule_trace(machine: &Machine, trace: &Trace, path: &[Transition], end: RunEnd) -> Trace {
    let origin = match trace.origin {
        Origin::Fuzz { seed, run } | Origin::Minimized { seed, run } => {
            Origin::Minimized { seed, run }
        }
        Origin::Search => Origin::Search,
    };
    let mut replay = PathReplay::new(machine);
    let mut time = 0;
    let mut events = Vec::with_capacity(path.len());
    for &t in path {
        let effect = replay
            .fire(t)
            .unwrap_or_else(|e| panic!("a schedule found by search does not run: {e}"));
        time += minimum_latency(&trace.timing, &effect);
        events.push(Event::Fire {
            time,
            transition: t,
            effect,
        });
    }
    Trace {
        format_version: crate::trace::FORMAT_VERSION,
        wmsim_version: env!("CARGO_PKG_VERSION").to_string(),
        semantics_version: sim_core::SEMANTICS_VERSION,
        origin,
        decisions: Vec::new(),
        // No draws: when each step was due is not known (see `stalls`).
        ending: ending(machine, replay.state(), end, time, (&events, None)),
        events,
        ..trace.clone()
    }
}

/// The trace of a failing run the exhaustive driver found (`path`, which
/// must run on the machine, ending with `end`), every delay at its
/// minimum: what `wmsim fences` saves to show why a barrier is needed.
pub fn search_trace(
    machine: &Machine,
    source: &str,
    timing: Timing,
    path: &[Transition],
    end: RunEnd,
) -> Trace {
    // The settings and the scenario record, from a run that is not kept.
    let base = Trace {
        origin: Origin::Search,
        ..crate::trace::record_run(machine, source, timing, 0, 0)
    };
    schedule_trace(machine, &base, path, end)
}

/// The first-found (so shortest-path) state that fails the way `trace`
/// does: the same condition, or a deadlock with the same cores blocked
/// (any deadlock if none blocks the same cores).
fn failing_state(x: &Exploration, trace: &Trace) -> Option<usize> {
    if trace.ending.end == RunEnd::Deadlock {
        let blocked: Vec<usize> = trace
            .ending
            .blocked
            .iter()
            .map(|b| b.core as usize)
            .collect();
        let same = x
            .deadlocks
            .iter()
            .filter(|d| d.blocked.iter().map(|b| b.core).eq(blocked.iter().copied()))
            .map(|d| d.state)
            .min();
        same.or_else(|| x.deadlocks.iter().map(|d| d.state).min())
    } else {
        x.witness().map(|f| f.state)
    }
}

/// States the search without eager moves may visit before it is abandoned.
const PLAIN_SEARCH_STATES_MAX: usize = 1_000_000;

/// Whether `state` fails the way `trace` did: its condition (a complete
/// state), or a deadlock with the same cores blocked. A deadlock here is a
/// state where nothing can move but evictions of copies equal to memory,
/// which change no value a load can read.
fn fails_like(machine: &Machine, state: &State, trace: &Trace) -> bool {
    if trace.ending.end == RunEnd::Deadlock {
        if machine.is_complete(state) {
            return false;
        }
        let blocked: Vec<u8> = machine
            .blocked_cores(state)
            .iter()
            .map(|b| b.core as u8)
            .collect();
        let want: Vec<u8> = trace.ending.blocked.iter().map(|b| b.core).collect();
        can_go_on(machine, state).is_none() && blocked == want
    } else {
        machine.is_complete(state) && machine.final_state_fails(state)
    }
}

/// Drops, one at a time from the end, every transition without which the
/// path still runs (each transition enabled in turn) and still fails.
/// `None` if the path does not fail that way to begin with (a witness of
/// another deadlock): it is no candidate.
fn shrink(
    machine: &Machine,
    mut path: Vec<Transition>,
    fails: &dyn Fn(&State) -> bool,
) -> Option<Vec<Transition>> {
    let runs_and_fails = |p: &[Transition]| {
        let mut replay = PathReplay::new(machine);
        replay.fire_all(p.iter().copied()).is_ok() && fails(replay.state())
    };
    if !runs_and_fails(&path) {
        return None;
    }
    loop {
        let before = path.len();
        let mut i = path.len();
        while i > 0 {
            i -= 1;
            let removed = path.remove(i);
            if !runs_and_fails(&path) {
                path.insert(i, removed);
            }
        }
        if path.len() == before {
            return Some(path);
        }
    }
}

/// How long a transition takes with every delay at its minimum, and at
/// least one cycle.
pub(crate) fn minimum_latency(timing: &Timing, effect: &Effect) -> u64 {
    LatencyClass::of(effect).cycles(timing).min.max(1) as u64
}
