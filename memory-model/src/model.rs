//! The models: `sc`, `tso` and `weak` are values of one parameter struct,
//! not three code paths (MACHINE.md, "Models").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::state::{IQ_DEPTH_MAX, SB_DEPTH_MAX};

/// Which store-buffer entries may drain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DrainOrder {
    /// Only the oldest entry (`tso`). `smp_wmb` is then a compiler barrier.
    Fifo,
    /// The oldest entry of each location, unless an `smp_wmb` marker precedes
    /// it (`weak`).
    PerLocation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelName {
    Sc,
    Tso,
    Weak,
}

impl ModelName {
    pub const ALL: [ModelName; 3] = [ModelName::Sc, ModelName::Tso, ModelName::Weak];

    pub fn parse(s: &str) -> Option<ModelName> {
        match s {
            "sc" => Some(ModelName::Sc),
            "tso" => Some(ModelName::Tso),
            "weak" => Some(ModelName::Weak),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelName::Sc => "sc",
            ModelName::Tso => "tso",
            ModelName::Weak => "weak",
        }
    }

    /// What LKMM allows and this model never does, in one line:
    /// `sc: no store buffer, so no store buffering; ...`. For notes in
    /// `suite`, `check` and `--help`, so that all say it in the same words.
    pub fn lacks_note(self) -> String {
        format!("{self}: {}", self.parameters().lacks().join("; "))
    }

    /// What the model has: a store buffer, an invalidation queue, and how
    /// the buffer drains.
    pub fn parameters(self) -> ModelParameters {
        match self {
            ModelName::Sc => ModelParameters {
                store_buffer: false,
                invalidation_queue: false,
                drain: DrainOrder::Fifo,
            },
            ModelName::Tso => ModelParameters {
                store_buffer: true,
                invalidation_queue: false,
                drain: DrainOrder::Fifo,
            },
            ModelName::Weak => ModelParameters {
                store_buffer: true,
                invalidation_queue: true,
                drain: DrainOrder::PerLocation,
            },
        }
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelParameters {
    pub store_buffer: bool,
    pub invalidation_queue: bool,
    pub drain: DrainOrder,
}

/// What no model here does, whatever its parameters: loads complete in
/// program order, and a store reaches other cores only through memory, so
/// all of them at once.
pub const EVERY_MODEL_LACKS: [&str; 2] = [
    "loads in program order, so no load buffering",
    "multicopy-atomic stores",
];

impl ModelParameters {
    /// What LKMM allows that these parameters rule out, one clause each:
    /// the parts the machine lacks, then `EVERY_MODEL_LACKS`. Derived from
    /// the parameters alone, never from a test, so that a note built on it
    /// says what the model cannot do, not why a given test failed.
    pub fn lacks(&self) -> Vec<&'static str> {
        let mut lacks = Vec::new();
        match (self.store_buffer, self.drain) {
            (false, _) => lacks.push("no store buffer, so no store buffering"),
            (true, DrainOrder::Fifo) => {
                lacks.push("stores drain in program order, so never reordered")
            }
            (true, DrainOrder::PerLocation) => {}
        }
        if !self.invalidation_queue {
            lacks.push("no invalidation queue, so no stale reads");
        }
        lacks.extend(EVERY_MODEL_LACKS);
        lacks
    }
}

/// A model with its buffer depths: everything the transitions depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Config {
    pub model: ModelName,
    /// Store-buffer capacity in stores; 0 writes through.
    pub sb_depth: u8,
    /// Invalidation-queue capacity; 0 applies invalidations at once.
    pub iq_depth: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    NoStoreBuffer(ModelName),
    NoInvalidationQueue(ModelName),
    SbDepthTooLarge(usize),
    IqDepthTooLarge(usize),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoStoreBuffer(m) => {
                write!(f, "model {m} has no store buffer: --sb-depth must be 0")
            }
            ConfigError::NoInvalidationQueue(m) => write!(
                f,
                "model {m} has no invalidation queue: --iq-depth must be 0 (use --model weak)"
            ),
            ConfigError::SbDepthTooLarge(d) => {
                write!(
                    f,
                    "store-buffer depth {d} is beyond the maximum of {SB_DEPTH_MAX}"
                )
            }
            ConfigError::IqDepthTooLarge(d) => write!(
                f,
                "invalidation-queue depth {d} is beyond the maximum of {IQ_DEPTH_MAX}"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// A configuration with the depths asked for, or why it cannot be.
    /// `None` picks the model's default for that depth: `default_depth`,
    /// or 0 where the model has no such buffer.
    pub fn new(
        model: ModelName,
        sb_depth: Option<usize>,
        iq_depth: Option<usize>,
        default_depth: usize,
    ) -> Result<Config, ConfigError> {
        let p = model.parameters();
        let default_depth = default_depth.clamp(1, SB_DEPTH_MAX.min(IQ_DEPTH_MAX));
        let sb = match sb_depth {
            Some(d) if d > 0 && !p.store_buffer => return Err(ConfigError::NoStoreBuffer(model)),
            Some(d) if d > SB_DEPTH_MAX => return Err(ConfigError::SbDepthTooLarge(d)),
            Some(d) => d,
            None if p.store_buffer => default_depth,
            None => 0,
        };
        let iq = match iq_depth {
            Some(d) if d > 0 && !p.invalidation_queue => {
                return Err(ConfigError::NoInvalidationQueue(model))
            }
            Some(d) if d > IQ_DEPTH_MAX => return Err(ConfigError::IqDepthTooLarge(d)),
            Some(d) => d,
            None if p.invalidation_queue => default_depth,
            None => 0,
        };
        Ok(Config {
            model,
            sb_depth: sb as u8,
            iq_depth: iq as u8,
        })
    }

    pub fn parameters(&self) -> ModelParameters {
        self.model.parameters()
    }

    /// Whether cache copies can be stale at all: only with a queue.
    pub fn has_stale_copies(&self) -> bool {
        self.iq_depth > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sc_and_tso_refuse_a_queue() {
        assert_eq!(
            Config::new(ModelName::Tso, None, Some(2), 4),
            Err(ConfigError::NoInvalidationQueue(ModelName::Tso))
        );
        assert_eq!(
            Config::new(ModelName::Sc, Some(1), None, 4),
            Err(ConfigError::NoStoreBuffer(ModelName::Sc))
        );
        assert!(Config::new(ModelName::Tso, Some(0), Some(0), 4).is_ok());
    }

    #[test]
    fn each_model_lacks_what_its_parameters_leave_out() {
        assert_eq!(
            ModelName::Sc.lacks_note(),
            "sc: no store buffer, so no store buffering; no invalidation queue, so no \
             stale reads; loads in program order, so no load buffering; multicopy-atomic stores"
        );
        assert_eq!(
            ModelName::Tso.parameters().lacks(),
            [
                "stores drain in program order, so never reordered",
                "no invalidation queue, so no stale reads",
                EVERY_MODEL_LACKS[0],
                EVERY_MODEL_LACKS[1],
            ]
        );
        assert_eq!(ModelName::Weak.parameters().lacks(), EVERY_MODEL_LACKS);
    }

    #[test]
    fn depths_beyond_the_maximum_are_refused() {
        assert_eq!(
            Config::new(ModelName::Weak, Some(SB_DEPTH_MAX + 1), None, 4),
            Err(ConfigError::SbDepthTooLarge(SB_DEPTH_MAX + 1))
        );
        let c = Config::new(ModelName::Weak, None, None, 3).unwrap();
        assert_eq!((c.sb_depth, c.iq_depth), (3, 3));
    }
}
