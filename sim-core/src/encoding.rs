//! A compact byte encoding of a machine state, for the exhaustive driver's
//! state table.
//!
//! Only the cores, registers and locations the scenario uses are written,
//! and the caches and invalidation queues only where copies can be stale
//! (without a queue every valid copy equals memory, so the cache cannot
//! change an outcome). Two states with the same encoding behave the same.
//!
//! The encoding is variable-length, because the table holds millions of
//! them: values (registers, memory, stored values, cached copies) as
//! zigzag varints, one byte for -64..=63, which is nearly all of them; the
//! program counter and status as one varint; buffers as their length then
//! their entries; a cache's valid lines as a mask of as many bytes as the
//! scenario has locations to cover. The layout is fixed by the scenario and
//! the model, so it needs no tags and two encodings are equal exactly when
//! the states they encode are.

use memory_model::ir::{Loc, Value};
use memory_model::state::CoreStatus;
use memory_model::{Machine, State};

pub fn encode(machine: &Machine, state: &State, out: &mut Vec<u8>) {
    out.clear();
    if machine.config.model.is_out_of_order() {
        return encode_out_of_order(machine, state, out);
    }
    let stale = machine.copies_can_be_stale();
    let mask_bytes = machine.locations().div_ceil(8);
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &state.cores[c];
        let done = matches!(core.status, CoreStatus::Done) as u32;
        put_varint(out, ((core.pc as u32) << 1) | done);
        if machine.uses_rcu() {
            out.push(core.nest);
        }
        for &r in &core.regs[..thread.registers.len()] {
            put_value(out, r);
        }
        out.push(core.sb.len() as u8);
        for e in core.sb.entries() {
            match e.store() {
                Some((loc, v)) => {
                    out.push(loc.0);
                    put_value(out, v);
                }
                None => out.push(u8::MAX),
            }
        }
        if stale {
            out.push(core.iq.len() as u8);
            out.extend(core.iq.entries().map(|l| l.0));
            let valid = core.cache.valid_mask();
            out.extend_from_slice(&valid.to_le_bytes()[..mask_bytes]);
            let mut bits = valid;
            while bits != 0 {
                let l = bits.trailing_zeros();
                bits &= bits - 1;
                put_value(out, core.cache.get(Loc(l as u8)).unwrap_or(0));
            }
        }
    }
    for &v in &state.mem[..machine.locations()] {
        put_value(out, v);
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
    if machine.config.model.is_out_of_order() {
        decode_out_of_order(machine, &mut r, state);
        assert_eq!(r.at, bytes.len(), "decoded state left bytes unread");
        return;
    }
    let stale = machine.copies_can_be_stale();
    let mask_bytes = machine.locations().div_ceil(8);
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &mut state.cores[c];
        *core = Default::default();
        let pc = r.varint();
        core.pc = (pc >> 1) as u16;
        core.status = match pc & 1 {
            0 => CoreStatus::Running,
            _ => CoreStatus::Done,
        };
        if machine.uses_rcu() {
            core.nest = r.u8();
        }
        for i in 0..thread.registers.len() {
            core.regs[i] = r.value();
        }
        let sb_len = r.u8();
        for _ in 0..sb_len {
            match r.u8() {
                u8::MAX => core.sb.push_marker(),
                loc => {
                    let v = r.value();
                    core.sb.push_store(Loc(loc), v);
                }
            }
        }
        if stale {
            let iq_len = r.u8();
            for _ in 0..iq_len {
                core.iq.push(Loc(r.u8()));
            }
            let mut valid = 0u32;
            for i in 0..mask_bytes {
                valid |= (r.u8() as u32) << (8 * i);
            }
            let mut bits = valid;
            while bits != 0 {
                let l = bits.trailing_zeros();
                bits &= bits - 1;
                let v = r.value();
                core.cache.fill(Loc(l as u8), v);
            }
        } else {
            // Without a queue every core may be taken to hold every line:
            // copies equal memory, so which are valid changes nothing.
        }
    }
    for l in 0..machine.locations() {
        state.mem[l] = r.value();
    }
    if !stale && !machine.config.model.is_out_of_order() {
        for c in 0..machine.cores() {
            for l in 0..machine.locations() {
                let v = state.mem[l];
                state.cores[c].cache.fill(Loc(l as u8), v);
            }
        }
    }
    assert_eq!(r.at, bytes.len(), "decoded state left bytes unread");
}

/// The out-of-order models: per core its fetch pc and status, depth,
/// registers and window (each instance's pc and done bit, and its value);
/// memory; then the pairing and each pair buffer, on a model with pairs.
fn encode_out_of_order(machine: &Machine, state: &State, out: &mut Vec<u8>) {
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &state.cores[c];
        let done = matches!(core.status, CoreStatus::Done) as u32;
        put_varint(out, ((core.pc as u32) << 1) | done);
        if machine.uses_rcu() {
            out.push(core.nest);
        }
        for &r in &core.regs[..thread.registers.len()] {
            put_value(out, r);
        }
        let window = &state.windows[c];
        out.push(window.len() as u8);
        for i in window.instances() {
            put_varint(out, ((i.pc as u32) << 1) | i.done as u32);
            put_value(out, i.val);
        }
    }
    for &v in &state.mem[..machine.locations()] {
        put_value(out, v);
    }
    if machine.config.parameters().smt_pairs {
        out.push(state.pairing);
        let pairs = machine
            .pairings()
            .get(state.pairing as usize)
            .map_or(0, pairs_in);
        for pb in &state.pair_buffers[..pairs] {
            out.push(pb.len() as u8);
            for e in pb.entries() {
                match e.store() {
                    Some((loc, v)) => {
                        out.push(loc.0);
                        out.push(e.core);
                        put_value(out, v);
                    }
                    None => {
                        out.push(u8::MAX);
                        out.push(e.core);
                    }
                }
            }
        }
    }
}

fn pairs_in(pairing: &memory_model::out_of_order::Pairing) -> usize {
    pairing
        .iter()
        .filter(|&&p| p != memory_model::out_of_order::UNPAIRED)
        .map(|&p| p as usize + 1)
        .max()
        .unwrap_or(0)
}

fn decode_out_of_order(machine: &Machine, r: &mut Reader, state: &mut State) {
    for (c, thread) in machine.scenario.threads.iter().enumerate() {
        let core = &mut state.cores[c];
        *core = Default::default();
        let pc = r.varint();
        core.pc = (pc >> 1) as u16;
        core.status = match pc & 1 {
            0 => CoreStatus::Running,
            _ => CoreStatus::Done,
        };
        if machine.uses_rcu() {
            core.nest = r.u8();
        }
        for i in 0..thread.registers.len() {
            core.regs[i] = r.value();
        }
        let window = &mut state.windows[c];
        *window = Default::default();
        let len = r.u8();
        for _ in 0..len {
            let pc = r.varint();
            let val = r.value();
            window.push_instance(memory_model::state::Instance {
                pc: (pc >> 1) as u16,
                done: pc & 1 != 0,
                val,
            });
        }
    }
    for l in 0..machine.locations() {
        state.mem[l] = r.value();
    }
    state.pair_buffers = Default::default();
    state.pairing = 0;
    if machine.config.parameters().smt_pairs {
        state.pairing = r.u8();
        let pairs = machine
            .pairings()
            .get(state.pairing as usize)
            .map_or(0, pairs_in);
        for pb in &mut state.pair_buffers[..pairs] {
            let len = r.u8();
            for _ in 0..len {
                let loc = r.u8();
                let core = r.u8();
                if loc == u8::MAX {
                    pb.push_marker(core);
                } else {
                    let v = r.value();
                    pb.push_store(Loc(loc), v, core);
                }
            }
        }
    }
}

/// A value as a zigzag varint: small magnitudes of either sign take one
/// byte.
fn put_value(out: &mut Vec<u8>, v: Value) {
    put_varint(out, ((v << 1) ^ (v >> 31)) as u32);
}

/// Seven bits a byte, low first; the high bit says more follow.
fn put_varint(out: &mut Vec<u8>, mut x: u32) {
    while x >= 0x80 {
        out.push(x as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
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

    fn varint(&mut self) -> u32 {
        let mut x = 0u32;
        let mut shift = 0;
        loop {
            let b = self.u8();
            x |= ((b & 0x7f) as u32) << shift;
            if b < 0x80 {
                return x;
            }
            shift += 7;
        }
    }

    fn value(&mut self) -> Value {
        let z = self.varint();
        ((z >> 1) as i32) ^ -((z & 1) as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memory_model::{Config, ModelName};

    #[test]
    fn values_round_trip_through_their_varints() {
        for v in [0, 1, -1, 63, -64, 64, -65, 1 << 20, i32::MAX, i32::MIN] {
            let mut out = Vec::new();
            put_value(&mut out, v);
            let mut r = Reader { bytes: &out, at: 0 };
            assert_eq!(r.value(), v);
            assert_eq!(r.at, out.len());
        }
        let mut out = Vec::new();
        put_value(&mut out, -64);
        put_value(&mut out, 63);
        assert_eq!(out.len(), 2, "small values take a byte");
    }

    /// Every state a walk reaches decodes to a state that encodes to the
    /// same bytes, on every model.
    #[test]
    fn reached_states_round_trip() {
        for name in ["SB", "MP", "IRIW", "2+2W+wmbs"] {
            let scenario = scenarios::builtin::builtin(name).unwrap().scenario();
            for model in ModelName::ALL {
                let config = Config::new(model, None, None, 4).unwrap();
                let machine = Machine::new(&scenario, config);
                let mut seen = std::collections::BTreeSet::new();
                let mut todo = vec![machine.initial_state()];
                let (mut bytes, mut again) = (Vec::new(), Vec::new());
                while let Some(state) = todo.pop() {
                    encode(&machine, &state, &mut bytes);
                    if !seen.insert(bytes.clone()) || seen.len() > 5000 {
                        continue;
                    }
                    encode(&machine, &decode(&machine, &bytes), &mut again);
                    assert_eq!(bytes, again, "{name} on {model:?}");
                    machine.for_each_enabled(&state, |t| {
                        let mut next = state;
                        machine.apply(&mut next, t);
                        todo.push(next);
                    });
                }
                assert!(seen.len() > 10, "{name} on {model:?}");
            }
        }
    }
}
