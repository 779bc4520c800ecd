//! The liveness analysis: which locations a thread may still load from
//! each pc, so that the exhaustive driver can drop copies no load will read.

use crate::ir::{Address, Instr, Thread};

/// For each pc of `thread`, the locations it may load at or after that pc
/// (one bit each): a backward fixpoint over the control flow. RMWs and locks
/// read `mem`, not the cache, so they do not count; an access through a
/// register may load anything.
pub(crate) fn live_loads(thread: &Thread, locations: usize) -> Vec<u32> {
    let n = thread.instrs.len();
    let all = if locations >= 32 {
        u32::MAX
    } else {
        (1u32 << locations) - 1
    };
    let uses = |i: &Instr| -> u32 {
        match *i {
            Instr::Load { addr, .. } | Instr::CondLoad { addr, .. } => match addr {
                Address::Direct(l) => 1 << l.0,
                Address::Indirect(_) => all,
            },
            Instr::Store { .. }
            | Instr::Fence(_)
            | Instr::Rmw { .. }
            | Instr::Lock { .. }
            | Instr::TryLock { .. }
            | Instr::Assign { .. }
            | Instr::Branch { .. }
            | Instr::Jump { .. }
            | Instr::Rcu(_) => 0,
        }
    };
    let mut live = vec![0u32; n + 1];
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let instr = &thread.instrs[pc];
            let succ = match *instr {
                Instr::Branch { target, .. } => live[pc + 1] | live[target as usize],
                Instr::Jump { target } => live[target as usize],
                _ => live[pc + 1],
            };
            let v = uses(instr) | succ;
            if v != live[pc] {
                live[pc] = v;
                changed = true;
            }
        }
        if !changed {
            return live;
        }
    }
}
