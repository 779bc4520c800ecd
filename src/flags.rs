//! The enumerated flags as clap `ValueEnum`s (`--model`, `--cache`,
//! `--format`, `--expect`): clap lists their values in `--help` and refuses
//! any other with its own message and exit status 2. Each converts to the
//! library type it names. The values carry no doc comment: clap would then
//! print one line per value in `--help` (the models are described in the
//! help's closing note).

use clap::ValueEnum;
use memory_model::ModelName;
use sim_core::{CacheStart, Verdict};

/// `--model`: sc, tso, weak, arm or power.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Model {
    Sc,
    Tso,
    Weak,
    Arm,
    Power,
}

impl From<Model> for ModelName {
    fn from(m: Model) -> ModelName {
        match m {
            Model::Sc => ModelName::Sc,
            Model::Tso => ModelName::Tso,
            Model::Weak => ModelName::Weak,
            Model::Arm => ModelName::Arm,
            Model::Power => ModelName::Power,
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
