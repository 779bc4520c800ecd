//! The timing model of the timed driver: latency bounds in cycles, the
//! interrupt and eviction rates, and the per-run step bound. Every bound is a
//! setting with a default; every latency is drawn within its bounds.

use serde::{Deserialize, Serialize};

/// An inclusive range of cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cycles {
    pub min: u32,
    pub max: u32,
}

impl Cycles {
    pub const fn new(min: u32, max: u32) -> Cycles {
        Cycles { min, max }
    }
}

/// `MIN..MAX`, as the command line takes it.
impl std::fmt::Display for Cycles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.min, self.max)
    }
}

/// How each core's caches start (MACHINE.md, "State").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheStart {
    /// Every core holds a valid copy of every initial value.
    Warm,
    /// Every line evicted at time 0.
    Cold,
    /// The generator picks the lines to evict at time 0.
    Drawn,
}

impl CacheStart {
    pub fn parse(s: &str) -> Option<CacheStart> {
        match s {
            "warm" => Some(CacheStart::Warm),
            "cold" => Some(CacheStart::Cold),
            "drawn" => Some(CacheStart::Drawn),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timing {
    /// When each core executes its first instruction: cores start out of
    /// step, as they do after an interrupt or a context switch.
    pub start_skew: Cycles,
    /// A load that hits (own store buffer or a valid copy), and any other
    /// instruction that stays in the core.
    pub hit: Cycles,
    /// A load that misses and reads memory.
    pub miss: Cycles,
    /// A drain or RMW that must invalidate other cores' copies.
    pub invalidation_round_trip: Cycles,
    /// A drain or RMW to a line no other core holds.
    pub owned_drain: Cycles,
    /// From an invalidation's arrival, or the previous one's application, to
    /// its application.
    pub queue_processing: Cycles,
    /// Between two evictions at one core (only where copies can be stale).
    pub eviction_interval: Cycles,
    /// Chance, per million instructions, that an interrupt follows one.
    pub interrupt_per_million: u32,
    /// How long an interrupt keeps a core from executing.
    pub interrupt_duration: Cycles,
    pub cache_start: CacheStart,
    /// Transitions after which a run ends as bound exceeded.
    pub steps_max: u32,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            start_skew: Cycles::new(0, 300),
            hit: Cycles::new(1, 4),
            miss: Cycles::new(20, 120),
            invalidation_round_trip: Cycles::new(30, 200),
            owned_drain: Cycles::new(5, 30),
            queue_processing: Cycles::new(5, 150),
            eviction_interval: Cycles::new(20, 400),
            interrupt_per_million: 20_000,
            interrupt_duration: Cycles::new(200, 2_000),
            cache_start: CacheStart::Warm,
            steps_max: 10_000,
        }
    }
}

impl Timing {
    /// Every range well-formed.
    pub fn validate(&self) -> Result<(), String> {
        let ranges = [
            ("start skew", self.start_skew),
            ("hit", self.hit),
            ("miss", self.miss),
            ("invalidation round trip", self.invalidation_round_trip),
            ("owned drain", self.owned_drain),
            ("queue processing", self.queue_processing),
            ("eviction interval", self.eviction_interval),
            ("interrupt duration", self.interrupt_duration),
        ];
        for (name, c) in ranges {
            if c.min > c.max {
                return Err(format!("{name}: minimum {} above maximum {}", c.min, c.max));
            }
            if c.max > 1_000_000_000 {
                return Err(format!("{name}: {} cycles is beyond 10^9", c.max));
            }
        }
        if self.interrupt_per_million > 1_000_000 {
            return Err("interrupt rate above one per instruction".into());
        }
        if self.steps_max == 0 {
            return Err("the step bound must be at least 1".into());
        }
        Ok(())
    }
}
