//! The one source of randomness of a timed run: a seeded ChaCha generator
//! whose every draw can be recorded, or a recorded list of draws played back.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where draws come from. Boxing the generator would cost an allocation
/// per run; a decision source is one per thread, so its size does not matter.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
enum Source {
    /// Run `i` of seed `s` is ChaCha8 seeded with `s` on stream `i`: runs are
    /// independent of each other and of the thread that runs them.
    Seeded(ChaCha8Rng),
    /// A recorded run played back.
    Replay { values: Vec<u32>, next: usize },
}

/// The draws of one run. Every draw is a `u32`; ranges and choices are
/// derived from it the same way whether it was drawn or replayed.
#[derive(Clone, Debug)]
pub struct Decisions {
    source: Source,
    recording: bool,
    log: Vec<u32>,
    /// Set when a replay ran out of recorded draws.
    exhausted: bool,
    /// The generator of the last seed reseeded, before any draw: seeding
    /// ChaCha from a `u64` costs more than a short run's draws, and setting
    /// the stream of a copy of it gives the very generator seeding would.
    fresh: Option<(u64, ChaCha8Rng)>,
}

impl Decisions {
    pub fn seeded(seed: u64, run: u64, recording: bool) -> Decisions {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(run);
        Decisions {
            source: Source::Seeded(rng),
            recording,
            log: Vec::new(),
            exhausted: false,
            fresh: None,
        }
    }

    /// Plays back `values`; draws past the end return 0 and mark the replay
    /// as exhausted.
    pub fn replay(values: Vec<u32>) -> Decisions {
        Decisions {
            source: Source::Replay { values, next: 0 },
            recording: true,
            log: Vec::new(),
            exhausted: false,
            fresh: None,
        }
    }

    /// Starts run `run` of `seed` again, keeping the log's allocation.
    pub fn reseed(&mut self, seed: u64, run: u64) {
        match (&mut self.source, &self.fresh) {
            // The common case, run after run of one seed: overwritten in place.
            (Source::Seeded(rng), Some((s, fresh))) if *s == seed => rng.clone_from(fresh),
            _ => {
                let rng = ChaCha8Rng::seed_from_u64(seed);
                self.fresh = Some((seed, rng.clone()));
                self.source = Source::Seeded(rng);
            }
        }
        if let Source::Seeded(rng) = &mut self.source {
            rng.set_stream(run);
        }
        self.log.clear();
        self.exhausted = false;
    }

    fn next(&mut self) -> u32 {
        let v = match &mut self.source {
            Source::Seeded(rng) => rng.next_u32(),
            Source::Replay { values, next } => match values.get(*next) {
                Some(&v) => {
                    *next += 1;
                    v
                }
                None => {
                    self.exhausted = true;
                    0
                }
            },
        };
        if self.recording {
            self.log.push(v);
        }
        v
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        assert!(lo <= hi, "an empty range {lo}..={hi}");
        if lo == hi {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + ((self.next() as u64 * span) >> 32) as u32
    }

    /// True with probability `per_million` / 1,000,000.
    pub fn chance(&mut self, per_million: u32) -> bool {
        if per_million == 0 {
            return false;
        }
        ((self.next() as u64 * 1_000_000) >> 32) < per_million as u64
    }

    /// An index below `n` (`n > 0`).
    pub fn choose(&mut self, n: usize) -> usize {
        assert!(n > 0, "a choice among no options");
        if n == 1 {
            return 0;
        }
        ((self.next() as u64 * n as u64) >> 32) as usize
    }

    /// Every draw so far, when recording.
    pub fn log(&self) -> &[u32] {
        &self.log
    }

    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_run_replays_the_same_draws() {
        let mut a = Decisions::seeded(7, 3, true);
        let drawn: Vec<u32> = (0..10).map(|i| a.range(0, 100 + i)).collect();
        let mut b = Decisions::replay(a.log().to_vec());
        let replayed: Vec<u32> = (0..10).map(|i| b.range(0, 100 + i)).collect();
        assert_eq!(drawn, replayed);
        assert!(!b.exhausted());
        b.range(0, 5);
        assert!(b.exhausted());
    }

    #[test]
    fn a_reseeded_source_draws_what_a_fresh_one_does() {
        let mut reused = Decisions::seeded(9, 0, false);
        for (seed, run) in [(7, 3), (7, 0), (7, 12), (8, 12), (7, 3)] {
            let mut fresh = Decisions::seeded(seed, run, false);
            reused.range(0, 9);
            reused.reseed(seed, run);
            let a: Vec<u32> = (0..100).map(|_| fresh.range(0, u32::MAX - 1)).collect();
            let b: Vec<u32> = (0..100).map(|_| reused.range(0, u32::MAX - 1)).collect();
            assert_eq!(a, b, "seed {seed}, run {run}");
        }
    }

    #[test]
    fn runs_are_distinct_streams() {
        let mut a = Decisions::seeded(7, 0, false);
        let mut b = Decisions::seeded(7, 1, false);
        let xs: Vec<u32> = (0..4).map(|_| a.range(0, u32::MAX - 1)).collect();
        let ys: Vec<u32> = (0..4).map(|_| b.range(0, u32::MAX - 1)).collect();
        assert_ne!(xs, ys);
    }
}
