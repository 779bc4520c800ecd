//! The built-in scenarios: litmus files under `scenarios/litmus/`, embedded
//! in the binary, read by the same parser as a user's files.

use memory_model::ir::Scenario;

use crate::litmus::parse_litmus;

/// A built-in scenario: its name, what its condition asks, its text.
pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    pub source: &'static str,
}

impl Builtin {
    pub fn scenario(&self) -> Scenario {
        parse_litmus(self.source, self.name)
            .unwrap_or_else(|e| panic!("built-in {} does not parse: {e}", self.name))
    }
}

macro_rules! builtin {
    ($name:literal, $about:literal) => {
        Builtin {
            name: $name,
            about: $about,
            source: include_str!(concat!("../litmus/", $name, ".litmus")),
        }
    };
}

/// Every built-in scenario, in the order `wmsim list` shows them.
pub const BUILTINS: &[Builtin] = &[
    builtin!(
        "SB",
        "store buffering: both threads read the other's flag as 0"
    ),
    builtin!("SB+mbs", "store buffering with smp_mb() on both sides"),
    builtin!("MP", "message passing: the flag is seen, the data is not"),
    builtin!("MP+wmb+rmb", "message passing with smp_wmb() and smp_rmb()"),
    builtin!(
        "MP+wmb",
        "message passing with smp_wmb() on the writer only"
    ),
    builtin!(
        "MP+rmb",
        "message passing with smp_rmb() on the reader only"
    ),
    builtin!(
        "MP+wmb+addr",
        "message passing through a pointer: the second load goes through the address read"
    ),
    builtin!(
        "LB",
        "load buffering: each thread reads the other's later store"
    ),
    builtin!(
        "IRIW",
        "independent reads of independent writes: readers disagree on the order"
    ),
    builtin!("IRIW+mbs", "IRIW with smp_mb() between the reads"),
    builtin!(
        "2+2W+wmbs",
        "two writers, smp_wmb() between: both first writes last"
    ),
    builtin!(
        "WRC+wmb+rmb",
        "write-to-read causality with smp_wmb() and smp_rmb()"
    ),
    builtin!(
        "ISA2+release+acquires",
        "a release-acquire chain over three threads"
    ),
    builtin!("R", "a write and a read race with two writes in order"),
    builtin!("S+wmb+acquire", "a read-then-write ordered after a flag"),
];

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_is_named_as_listed() {
        for b in BUILTINS {
            let s = b.scenario();
            assert_eq!(s.name, b.name);
            assert!(!s.observed.is_empty(), "{} observes nothing", b.name);
        }
    }
}
