//! Campaign units: one or many fuzz jobs (a sweep is one job per
//! combination), cut into units of `CHUNK` runs, the units of this shard run
//! on all threads and folded per job. Which thread ran a unit never changes
//! a count, and memory does not grow with the number of runs.

use std::time::Instant;

use memory_model::Machine;
use rayon::prelude::*;
use sim_core::{fuzz_range_keeping, FuzzSummary, Timing};

use crate::shard::Shard;

/// Runs per unit of work: fixed, so the split is the same whatever the
/// thread count or the shard count.
pub const CHUNK: u64 = 1024;

/// One fuzz campaign: runs `0..runs` of `seed`.
pub struct Job<'m, 's> {
    pub machine: &'m Machine<'s>,
    pub timing: Timing,
    pub seed: u64,
    pub runs: u64,
}

/// What the units of this shard found, per job, and the thread-seconds
/// spent on each job (for runs per second per core).
pub struct Results {
    pub summaries: Vec<FuzzSummary>,
    pub seconds: Vec<f64>,
}

/// How many units of `jobs` shard `shard` runs (for a progress bar).
pub fn owned_units(jobs: &[Job], shard: Shard) -> u64 {
    let total: u64 = jobs.iter().map(|job| job.runs.div_ceil(CHUNK)).sum();
    total / shard.count + u64::from(total % shard.count >= shard.index)
}

/// Runs this shard's units of `jobs`, keeping the first `keep` failing runs
/// of each job; after each unit, `unit_done(runs, failing runs)` (from any
/// thread: a progress bar).
pub fn run(
    jobs: &[Job],
    keep: usize,
    shard: Shard,
    unit_done: &(dyn Fn(u64, u64) + Sync),
) -> Results {
    // Unit `u` is chunk `u - first[j]` of job `j`; nothing per unit is
    // stored, so memory does not grow with the number of runs.
    let mut first = Vec::with_capacity(jobs.len() + 1);
    let mut total = 0u64;
    for job in jobs {
        first.push(total);
        total += job.runs.div_ceil(CHUNK);
    }
    first.push(total);
    let locate = |u: u64| {
        let j = first.partition_point(|&f| f <= u) - 1;
        (j, u - first[j])
    };
    let empty = || {
        (
            vec![
                FuzzSummary {
                    keep,
                    ..FuzzSummary::default()
                };
                jobs.len()
            ],
            vec![0.0; jobs.len()],
        )
    };
    let (summaries, seconds) = (0..total)
        .into_par_iter()
        .filter(|&u| shard.owns(u))
        .map(locate)
        .fold(empty, |(mut summaries, mut seconds), (j, k)| {
            let job = &jobs[j];
            let start = k * CHUNK;
            let started = Instant::now();
            let s = fuzz_range_keeping(
                job.machine,
                job.timing,
                job.seed,
                start..(start + CHUNK).min(job.runs),
                keep,
            );
            seconds[j] += started.elapsed().as_secs_f64();
            unit_done(s.runs, s.violations + s.deadlock_runs);
            summaries[j].merge(s);
            (summaries, seconds)
        })
        .reduce(empty, |(mut a, mut at), (b, bt)| {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
            for (x, y) in at.iter_mut().zip(bt) {
                *x += y;
            }
            (a, at)
        });
    Results { summaries, seconds }
}
