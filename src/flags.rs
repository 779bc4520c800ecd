//! The enumerated flags as clap `ValueEnum`s (`--model`, `--cache`,
//! `--format`, `--expect`): clap lists their values in `--help` and refuses
//! any other with its own message and exit status 2. Each converts to the
//! library type it names.

use clap::ValueEnum;
use memory_model::ModelName;
use sim_core::{CacheStart, Verdict};

/// `--model`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// Sequential consistency.
    Sc,
    /// x86-TSO: FIFO store buffers, no invalidation queue.
    Tso,
    /// Per-location store-buffer drain, invalidation queues, evictions.
    Weak,
}

impl From<Model> for ModelName {
    fn from(m: Model) -> ModelName {
        match m {
            Model::Sc => ModelName::Sc,
            Model::Tso => ModelName::Tso,
            Model::Weak => ModelName::Weak,
        }
    }
}

/// `--cache`: the caches' contents when a run starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cache {
    Warm,
    Cold,
    Drawn,
}

impl From<Cache> for CacheStart {
    fn from(c: Cache) -> CacheStart {
        match c {
            Cache::Warm => CacheStart::Warm,
            Cache::Cold => CacheStart::Cold,
            Cache::Drawn => CacheStart::Drawn,
        }
    }
}

/// `check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// herd7's result block.
    Herd,
}

/// `check --expect` (any case: `never` is `Never`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Expect {
    #[value(name = "Never")]
    Never,
    #[value(name = "Sometimes")]
    Sometimes,
    #[value(name = "Always")]
    Always,
}

impl From<Expect> for Verdict {
    fn from(e: Expect) -> Verdict {
        match e {
            Expect::Never => Verdict::Never,
            Expect::Sometimes => Verdict::Sometimes,
            Expect::Always => Verdict::Always,
        }
    }
}
