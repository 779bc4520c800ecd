//! Shrinking a failing run: the shortest run of the same scenario and
//! settings that fails the same way (meets the same condition, or deadlocks
//! with the same cores blocked), with no interrupts and every delay at its
//! minimum.
//!
//! The search is the exhaustive driver's breadth-first search, without its
//! eager moves, so the result is at most as long as the driver's shortest
//! witness and as the run it came from (both are candidates too).

use memory_model::ir::Quantifier;
use memory_model::{Effect, Machine, ReadSource, Transition};
use sim_core::{Exploration, ExploreOptions, RunEnd, Timing};

use crate::trace::{ending, Event, Origin, Trace};

/// The shortest failing run like `trace`'s, as a trace of its own.
pub fn minimize(
    machine: &Machine,
    trace: &Trace,
    options: ExploreOptions,
) -> Result<Trace, String> {
    if !trace.ending.violation {
        return Err("the run does not fail: nothing to minimize".into());
    }
    // Candidates, each a path of the LTS that fails the same way: the
    // shortest found without the driver's eager moves, the driver's own
    // shortest witness (eager moves and all), and the run itself.
    let mut candidates = vec![trace.transitions().collect::<Vec<_>>()];
    for eager_dead_moves in [false, true] {
        let x = Exploration::run(
            machine,
            ExploreOptions {
                eager_dead_moves,
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
    let path = candidates
        .into_iter()
        .min_by_key(Vec::len)
        .expect("the run itself is a candidate");
    let (origin_seed, origin_run) = match trace.origin {
        Origin::Fuzz { seed, run } | Origin::Minimized { seed, run } => (seed, run),
    };
    let mut state = machine.initial_state();
    let mut time = 0;
    let mut events = Vec::with_capacity(path.len());
    for t in path {
        let effect = machine.apply(&mut state, t);
        time += minimum_latency(&trace.timing, t, &effect);
        events.push(Event::Fire {
            time,
            transition: t,
            effect,
        });
    }
    let end = if trace.ending.end == RunEnd::Deadlock {
        RunEnd::Deadlock
    } else {
        RunEnd::Complete
    };
    Ok(Trace {
        origin: Origin::Minimized {
            seed: origin_seed,
            run: origin_run,
        },
        decisions: Vec::new(),
        ending: ending(machine, &state, end, time),
        events,
        ..trace.clone()
    })
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
        let want = x.scenario().condition.quantifier != Quantifier::Forall;
        x.counted_finals()
            .filter(|f| f.satisfies == want)
            .map(|f| f.state)
            .min()
    }
}

/// How long a transition takes with every delay at its minimum.
fn minimum_latency(timing: &Timing, t: Transition, effect: &Effect) -> u64 {
    let cycles = match (t, effect) {
        (
            Transition::Step { .. },
            Effect::Step {
                read,
                published,
                invalidations,
                ..
            },
        ) => {
            if published.is_some() {
                if *invalidations > 0 {
                    timing.invalidation_round_trip.min
                } else {
                    timing.owned_drain.min
                }
            } else if read.is_some_and(|r| r.source == ReadSource::Memory) {
                timing.miss.min
            } else {
                timing.hit.min
            }
        }
        (Transition::Drain { .. }, Effect::Drain { invalidations, .. }) => {
            if *invalidations > 0 {
                timing.invalidation_round_trip.min
            } else {
                timing.owned_drain.min
            }
        }
        (Transition::Invalidate { .. }, _) => timing.queue_processing.min,
        _ => 0,
    };
    cycles.max(1) as u64
}
