//! The models: `sc`, `tso` and `weak` are values of one parameter struct,
//! not three code paths (MACHINE.md, "Models").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ir::CORES_MAX;
use crate::state::{IQ_DEPTH_MAX, SB_DEPTH_MAX, WINDOW_MAX};

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
    /// ARMv8-like, out of order, other-multicopy-atomic (OUT-OF-ORDER.md).
    Arm,
    /// `arm` plus SMT pairs sharing a store buffer: not multicopy-atomic.
    Power,
}

impl ModelName {
    pub const ALL: [ModelName; 5] = [
        ModelName::Sc,
        ModelName::Tso,
        ModelName::Weak,
        ModelName::Arm,
        ModelName::Power,
    ];

    /// The models that execute in program order (MACHINE.md).
    pub const IN_ORDER: [ModelName; 3] = [ModelName::Sc, ModelName::Tso, ModelName::Weak];

    pub fn parse(s: &str) -> Option<ModelName> {
        match s {
            "sc" => Some(ModelName::Sc),
            "tso" => Some(ModelName::Tso),
            "weak" => Some(ModelName::Weak),
            "arm" => Some(ModelName::Arm),
            "power" => Some(ModelName::Power),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelName::Sc => "sc",
            ModelName::Tso => "tso",
            ModelName::Weak => "weak",
            ModelName::Arm => "arm",
            ModelName::Power => "power",
        }
    }

    /// Whether the model runs each core's instructions out of order
    /// through a window (OUT-OF-ORDER.md), not one step at a time.
    pub fn is_out_of_order(self) -> bool {
        self.parameters().out_of_order
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
                ..ModelParameters::IN_ORDER
            },
            ModelName::Tso => ModelParameters {
                store_buffer: true,
                invalidation_queue: false,
                drain: DrainOrder::Fifo,
                ..ModelParameters::IN_ORDER
            },
            ModelName::Weak => ModelParameters {
                store_buffer: true,
                invalidation_queue: true,
                drain: DrainOrder::PerLocation,
                ..ModelParameters::IN_ORDER
            },
            ModelName::Arm => ModelParameters {
                out_of_order: true,
                acquire_after_release: true,
                ..ModelParameters::IN_ORDER
            },
            ModelName::Power => ModelParameters {
                out_of_order: true,
                smt_pairs: true,
                ..ModelParameters::IN_ORDER
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
    /// Instructions run out of order through a window (OUT-OF-ORDER.md);
    /// no store buffer, queue or cache then.
    pub out_of_order: bool,
    /// SMT pairs share a store buffer (`power`).
    pub smt_pairs: bool,
    /// An acquire load waits for an older release (RCsc: arm64's
    /// `STLR; LDAR`).
    pub acquire_after_release: bool,
}

/// What no model here does, whatever its parameters: loads complete in
/// program order, and a store reaches other cores only through memory, so
/// all of them at once.
pub const EVERY_MODEL_LACKS: [&str; 2] = [
    "loads in program order, so no load buffering",
    "multicopy-atomic stores",
];

/// What the out-of-order models never do that LKMM allows
/// (OUT-OF-ORDER.md 8): rules stronger than LKMM, kept because they are
/// what the hardware does or what makes the model sound.
pub const OUT_OF_ORDER_LACKS: [&str; 6] = [
    "smp_wmb and release order stores' arrival in memory, so coherence order follows them",
    "a later plain store to a released location is coherence-after the release",
    "smp_rmb orders loads before later stores too",
    "a lock is one atomic read-modify-write",
    "a failed fully ordered cmpxchg is still ordered",
    "a store after an unresolved branch waits even past the join",
];

impl ModelParameters {
    /// The in-order defaults the other fields are written against.
    pub const IN_ORDER: ModelParameters = ModelParameters {
        store_buffer: false,
        invalidation_queue: false,
        drain: DrainOrder::Fifo,
        out_of_order: false,
        smt_pairs: false,
        acquire_after_release: false,
    };

    /// What LKMM allows that these parameters rule out, one clause each:
    /// the parts the machine lacks, then `EVERY_MODEL_LACKS`. Derived from
    /// the parameters alone, never from a test, so that a note built on it
    /// says what the model cannot do, not why a given test failed.
    pub fn lacks(&self) -> Vec<&'static str> {
        let mut lacks = Vec::new();
        if self.out_of_order {
            if !self.smt_pairs {
                lacks.push("multicopy-atomic stores to every other core");
            }
            lacks.extend(OUT_OF_ORDER_LACKS);
            lacks.push("rcu_read_lock and rcu_read_unlock are full fences");
            return lacks;
        }
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
    /// Window capacity of an out-of-order core (OUT-OF-ORDER.md 4, `--rob`):
    /// fetch stops when the window holds this many instances; 0 means
    /// `WINDOW_MAX`, all the state holds. Left out of serialized forms at
    /// 0, so that they stay as they were before it existed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rob: u8,
    /// `power`'s SMT pairing fixed (`--smt-pairs`): each core's pair (pairs
    /// numbered from 0 in the order of their lower core) or `UNPAIRED`;
    /// `None`: every maximal pairing of the cores that matter to each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smt_pairs: Option<[u8; CORES_MAX]>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    NoStoreBuffer(ModelName),
    NoInvalidationQueue(ModelName),
    SbDepthTooLarge(usize),
    IqDepthTooLarge(usize),
    /// `--rob` on a model without a window.
    NoWindow(ModelName),
    RobOutOfRange(usize),
    /// `--smt-pairs` on a model without SMT pairs.
    NoSmtPairs(ModelName),
    /// `--smt-pairs` text that names no pairing of the scenario's cores.
    BadSmtPairs(String),
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
            ConfigError::NoWindow(m) => write!(
                f,
                "model {m} runs in order, with no window: --rob applies to arm and power"
            ),
            ConfigError::RobOutOfRange(n) => {
                write!(
                    f,
                    "--rob {n}: a window holds from 1 to {WINDOW_MAX} instances"
                )
            }
            ConfigError::NoSmtPairs(m) => {
                write!(
                    f,
                    "model {m} has no SMT pairs: --smt-pairs applies to power"
                )
            }
            ConfigError::BadSmtPairs(why) => write!(f, "--smt-pairs: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A pairing as `--smt-pairs` takes it (`0-1,2-3`, `none`).
pub fn pairing_text(pairing: &crate::out_of_order::Pairing) -> String {
    let pairs: Vec<String> = (0..CORES_MAX)
        .filter_map(|c| {
            let p = pairing[c];
            let other = (c + 1..CORES_MAX)
                .find(|&d| p != crate::out_of_order::UNPAIRED && pairing[d] == p)?;
            Some(format!("{c}-{other}"))
        })
        .collect();
    if pairs.is_empty() {
        "none".to_string()
    } else {
        pairs.join(",")
    }
}

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
            rob: 0,
            smt_pairs: None,
        })
    }

    /// The configuration with a window of `rob` instances (`None`: as it
    /// is), or why it cannot be.
    pub fn with_rob(self, rob: Option<usize>) -> Result<Config, ConfigError> {
        let Some(n) = rob else {
            return Ok(self);
        };
        if !self.parameters().out_of_order {
            return Err(ConfigError::NoWindow(self.model));
        }
        if n == 0 || n > WINDOW_MAX {
            return Err(ConfigError::RobOutOfRange(n));
        }
        Ok(Config {
            rob: n as u8,
            ..self
        })
    }

    /// The configuration with the SMT pairing `text` fixed (`0-1,2-3`:
    /// disjoint pairs of distinct cores below `cores`; `none`: no pair),
    /// `None`: as it is; or why it cannot be.
    pub fn with_smt_pairs(self, text: Option<&str>, cores: usize) -> Result<Config, ConfigError> {
        let Some(text) = text else {
            return Ok(self);
        };
        if !self.parameters().smt_pairs {
            return Err(ConfigError::NoSmtPairs(self.model));
        }
        let bad = |why: String| ConfigError::BadSmtPairs(why);
        let mut partner = [usize::MAX; CORES_MAX];
        if text.trim() != "none" {
            for pair in text.split(',') {
                let pair = pair.trim();
                let (a, b) = pair.split_once('-').ok_or_else(|| {
                    bad(format!(
                        "{pair:?} is not a pair of cores like 0-1 (or say none)"
                    ))
                })?;
                let core = |c: &str| -> Result<usize, ConfigError> {
                    let n: usize = c.trim().parse().map_err(|_| {
                        bad(format!("{:?} in {pair:?} is not a core number", c.trim()))
                    })?;
                    if n >= cores {
                        return Err(bad(format!(
                            "core {n} in {pair:?}: the scenario has cores 0 to {}",
                            cores - 1
                        )));
                    }
                    Ok(n)
                };
                let (a, b) = (core(a)?, core(b)?);
                if a == b {
                    return Err(bad(format!("{pair:?} pairs core {a} with itself")));
                }
                for c in [a, b] {
                    if partner[c] != usize::MAX {
                        return Err(bad(format!("core {c} is in two pairs")));
                    }
                }
                partner[a] = b;
                partner[b] = a;
            }
        }
        // Numbered as the pairings the machine finds itself are.
        let pairing = crate::out_of_order::pairing_of_partners(&partner[..cores]);
        Ok(Config {
            smt_pairs: Some(pairing),
            ..self
        })
    }

    /// The window capacity: `rob`, or all the state holds.
    pub fn window(&self) -> usize {
        if self.rob == 0 {
            WINDOW_MAX
        } else {
            self.rob as usize
        }
    }

    /// A fixed pairing as `--smt-pairs` takes it (`0-1,2-3`, `none`).
    pub fn smt_pairs_text(&self) -> Option<String> {
        self.smt_pairs.as_ref().map(pairing_text)
    }

    pub fn parameters(&self) -> ModelParameters {
        self.model.parameters()
    }

    /// The settings in a few words, for headings: the depths of an
    /// in-order model, the window of an out-of-order one.
    pub fn describe(&self) -> String {
        let p = self.parameters();
        match (p.out_of_order, p.smt_pairs) {
            (false, _) => format!("sb_depth {}, iq_depth {}", self.sb_depth, self.iq_depth),
            (true, false) => format!("out of order, window {}", self.window()),
            (true, true) => match self.smt_pairs_text() {
                Some(pairs) => format!("out of order, window {}, SMT pairs {pairs}", self.window()),
                None => format!("out of order, window {}, SMT pairs", self.window()),
            },
        }
    }

    /// What LKMM allows that this configuration rules out: its model's
    /// `ModelParameters::lacks`, then what its options narrow further (a
    /// window smaller than the state holds, one fixed SMT pairing).
    pub fn lacks(&self) -> Vec<String> {
        let mut lacks: Vec<String> = self
            .parameters()
            .lacks()
            .into_iter()
            .map(String::from)
            .collect();
        if self.rob != 0 {
            lacks.push(format!(
                "a window of {} instances, so no reordering across more",
                self.rob
            ));
        }
        if let Some(pairs) = self.smt_pairs_text() {
            lacks.push(format!(
                "only the SMT pairing {pairs} (--smt-pairs), not every maximal one"
            ));
        }
        lacks
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
    fn a_configurations_note_names_what_its_options_narrow() {
        let power = Config::new(ModelName::Power, None, None, 4).unwrap();
        assert_eq!(power.lacks(), ModelName::Power.parameters().lacks());
        let narrowed = power
            .with_rob(Some(3))
            .unwrap()
            .with_smt_pairs(Some("0-1"), 4)
            .unwrap();
        let lacks = narrowed.lacks();
        assert_eq!(
            lacks[lacks.len() - 2..],
            [
                "a window of 3 instances, so no reordering across more".to_string(),
                "only the SMT pairing 0-1 (--smt-pairs), not every maximal one".to_string(),
            ]
        );
    }

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
