//! The default buffer depths: deep enough that no buffer fills in a
//! scenario, so that a verdict is the model's and not the depth's. What
//! every command uses where no depth is given.

use crate::ir::{Instr, Scenario};
use crate::state::{IQ_DEPTH_MAX, SB_DEPTH_MAX};

/// A depth at which no buffer fills in `scenario`, so that a verdict is the
/// model's and not the depth's: the most stores one thread issues, and the
/// most invalidations one queue can receive (every write of every thread).
/// Loops can issue more; then the maximum depth is used.
pub fn default_depth(scenario: &Scenario) -> usize {
    let loops = scenario.threads.iter().any(|t| {
        t.instrs.iter().enumerate().any(|(i, instr)| match *instr {
            Instr::Branch { target, .. } | Instr::Jump { target } => (target as usize) <= i,
            _ => false,
        })
    });
    if loops {
        return SB_DEPTH_MAX.min(IQ_DEPTH_MAX);
    }
    let stores = |i: &Instr| matches!(i, Instr::Store { .. });
    let writes = |i: &Instr| {
        matches!(
            i,
            Instr::Store { .. } | Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }
        )
    };
    let sb = scenario
        .threads
        .iter()
        .map(|t| t.instrs.iter().filter(|i| stores(i)).count())
        .max()
        .unwrap_or(0);
    let iq: usize = scenario
        .threads
        .iter()
        .map(|t| t.instrs.iter().filter(|i| writes(i)).count())
        .sum();
    sb.max(iq).clamp(1, SB_DEPTH_MAX.min(IQ_DEPTH_MAX))
}
