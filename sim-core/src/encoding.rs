//! A compact byte encoding of a machine state, for the exhaustive driver's
//! state table.
//!
//! Only the cores, registers and locations the scenario uses are written,
//! and the caches and invalidation queues only where copies can be stale
//! (without a queue every valid copy equals memory, so the cache cannot
//! change an outcome). Two states with the same encoding behave the same.

use memory_model::ir::Loc;
use memory_model::state::CoreStatus;
use memory_model::{Machine, State};

pub fn encode(machine: &Machine, state: &State, out: &mut Vec<u8>) {
    out.clear();
    let stale = machine.copies_can_be_stale();
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &state.cores[c];
        out.extend_from_slice(&core.pc.to_le_bytes());
        out.push(match core.status {
            CoreStatus::Running => 0,
            CoreStatus::Done => 1,
        });
        for r in &core.regs[..thread.registers.len()] {
            out.extend_from_slice(&r.to_le_bytes());
        }
        out.push(core.sb.len() as u8);
        for e in core.sb.entries() {
            match e.store() {
                Some((loc, v)) => {
                    out.push(loc.0);
                    out.extend_from_slice(&v.to_le_bytes());
                }
                None => out.push(u8::MAX),
            }
        }
        if stale {
            out.push(core.iq.len() as u8);
            out.extend(core.iq.entries().map(|l| l.0));
            let valid = core.cache.valid_mask();
            out.extend_from_slice(&valid.to_le_bytes());
            for l in 0..machine.locations() {
                if let Some(v) = core.cache.get(Loc(l as u8)) {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
    }
    for v in &state.mem[..machine.locations()] {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

pub fn decode(machine: &Machine, bytes: &[u8]) -> State {
    let mut state = State::default();
    decode_into(machine, bytes, &mut state);
    state
}

/// Decodes into `state`, rewriting only the cores and locations the
/// scenario uses (the rest is never read): the exhaustive driver's inner
/// loop reuses one state instead of building a fresh one per visit.
pub fn decode_into(machine: &Machine, bytes: &[u8], state: &mut State) {
    let mut r = Reader { bytes, at: 0 };
    let stale = machine.copies_can_be_stale();
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &mut state.cores[c];
        *core = Default::default();
        core.pc = u16::from_le_bytes([r.u8(), r.u8()]);
        core.status = match r.u8() {
            0 => CoreStatus::Running,
            _ => CoreStatus::Done,
        };
        for i in 0..thread.registers.len() {
            core.regs[i] = r.i32();
        }
        let sb_len = r.u8();
        for _ in 0..sb_len {
            match r.u8() {
                u8::MAX => core.sb.push_marker(),
                loc => {
                    let v = r.i32();
                    core.sb.push_store(Loc(loc), v);
                }
            }
        }
        if stale {
            let iq_len = r.u8();
            for _ in 0..iq_len {
                core.iq.push(Loc(r.u8()));
            }
            let valid = u32::from_le_bytes([r.u8(), r.u8(), r.u8(), r.u8()]);
            for l in 0..machine.locations() {
                if valid & (1 << l) != 0 {
                    let v = r.i32();
                    core.cache.fill(Loc(l as u8), v);
                }
            }
        } else {
            // Without a queue every core may be taken to hold every line:
            // copies equal memory, so which are valid changes nothing.
        }
    }
    for l in 0..machine.locations() {
        state.mem[l] = r.i32();
    }
    if !stale {
        for c in 0..machine.cores() {
            for l in 0..machine.locations() {
                let v = state.mem[l];
                state.cores[c].cache.fill(Loc(l as u8), v);
            }
        }
    }
    assert_eq!(r.at, bytes.len(), "decoded state left bytes unread");
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    fn i32(&mut self) -> i32 {
        let v = i32::from_le_bytes(self.bytes[self.at..self.at + 4].try_into().unwrap());
        self.at += 4;
        v
    }
}
