//! The machine state: memory, and for each core its registers, store
//! buffer, invalidation queue and cache.
//!
//! Everything here is fixed-size and `Copy`, so that a timed run mutates one
//! value in place and allocates nothing. The limits are the IR's
//! (`CORES_MAX`, `LOCATIONS_MAX`, `REGISTERS_MAX`) plus the buffer depths
//! below.

use crate::ir::{Loc, Value, CORES_MAX, LOCATIONS_MAX, REGISTERS_MAX};

/// The deepest store buffer a model may be given.
pub const SB_DEPTH_MAX: usize = 16;
/// The deepest invalidation queue a model may be given.
pub const IQ_DEPTH_MAX: usize = 16;

/// Slots of a store buffer: stores, plus the `smp_wmb` markers between them.
/// Consecutive markers collapse into one and a marker at the head vanishes,
/// so there is at most one marker after each store.
const SB_SLOTS: usize = 2 * SB_DEPTH_MAX;

/// `loc` of a store-buffer slot that holds an `smp_wmb` marker.
const MARKER: u8 = u8::MAX;

/// One slot of a store buffer: a store `(x, value)` or a marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SbEntry {
    loc: u8,
    value: Value,
}

impl SbEntry {
    /// The store this slot holds, or `None` for a marker.
    pub fn store(&self) -> Option<(Loc, Value)> {
        (self.loc != MARKER).then_some((Loc(self.loc), self.value))
    }

    pub fn is_marker(&self) -> bool {
        self.loc == MARKER
    }
}

/// A core's store buffer, oldest entry first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoreBuffer {
    entries: [SbEntry; SB_SLOTS],
    len: u8,
    stores: u8,
}

impl Default for StoreBuffer {
    fn default() -> StoreBuffer {
        StoreBuffer {
            entries: [SbEntry::default(); SB_SLOTS],
            len: 0,
            stores: 0,
        }
    }
}

impl StoreBuffer {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots in use, markers included.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Stores held: what counts toward `sb_depth`.
    pub fn stores(&self) -> usize {
        self.stores as usize
    }

    pub fn entries(&self) -> &[SbEntry] {
        &self.entries[..self.len as usize]
    }

    pub fn push_store(&mut self, loc: Loc, value: Value) {
        assert!((self.len as usize) < SB_SLOTS, "store buffer overflow");
        self.entries[self.len as usize] = SbEntry { loc: loc.0, value };
        self.len += 1;
        self.stores += 1;
    }

    /// Appends an `smp_wmb` marker. A marker with no store before it orders
    /// nothing, and two in a row order no more than one: both are dropped.
    pub fn push_marker(&mut self) {
        if self.len == 0 || self.entries[self.len as usize - 1].is_marker() {
            return;
        }
        self.entries[self.len as usize] = SbEntry {
            loc: MARKER,
            value: 0,
        };
        self.len += 1;
    }

    /// The youngest store to `loc`: what a load of `loc` forwards.
    pub fn youngest(&self, loc: Loc) -> Option<Value> {
        self.entries()
            .iter()
            .rev()
            .find(|e| e.loc == loc.0)
            .map(|e| e.value)
    }

    pub fn has_entry_for(&self, loc: Loc) -> bool {
        self.entries().iter().any(|e| e.loc == loc.0)
    }

    pub fn has_marker(&self) -> bool {
        self.entries().iter().any(|e| e.is_marker())
    }

    /// Whether slot `i` may drain when stores drain oldest-first per
    /// location, held back by any marker before them.
    pub fn drainable_per_location(&self, i: usize) -> bool {
        let Some((loc, _)) = self.entries().get(i).and_then(|e| e.store()) else {
            return false;
        };
        self.entries[..i]
            .iter()
            .all(|e| !e.is_marker() && e.loc != loc.0)
    }

    /// Removes the store in slot `i`; markers that reach the head vanish.
    pub fn remove(&mut self, i: usize) -> (Loc, Value) {
        let (loc, value) = self.entries[i].store().expect("drain of a marker");
        self.entries.copy_within(i + 1..self.len as usize, i);
        self.len -= 1;
        self.stores -= 1;
        let head_markers = self.entries().iter().take_while(|e| e.is_marker()).count();
        if head_markers > 0 {
            self.entries.copy_within(head_markers..self.len as usize, 0);
            self.len -= head_markers as u8;
        }
        (loc, value)
    }
}

/// A core's invalidation queue, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct InvalidationQueue {
    entries: [u8; IQ_DEPTH_MAX],
    len: u8,
}

impl InvalidationQueue {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn entries(&self) -> impl Iterator<Item = Loc> + '_ {
        self.entries[..self.len as usize].iter().map(|&l| Loc(l))
    }

    pub fn front(&self) -> Option<Loc> {
        (self.len > 0).then(|| Loc(self.entries[0]))
    }

    pub fn push(&mut self, loc: Loc) {
        assert!(
            (self.len as usize) < IQ_DEPTH_MAX,
            "invalidation queue overflow"
        );
        self.entries[self.len as usize] = loc.0;
        self.len += 1;
    }

    pub fn pop_front(&mut self) -> Loc {
        assert!(self.len > 0, "invalidate on an empty queue");
        let loc = Loc(self.entries[0]);
        self.entries.copy_within(1..self.len as usize, 0);
        self.len -= 1;
        loc
    }
}

/// A core's cache: for each location a valid copy with its value, or
/// invalid. A valid copy may be stale while an invalidation waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cache {
    valid: u32,
    values: [Value; LOCATIONS_MAX],
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            valid: 0,
            values: [0; LOCATIONS_MAX],
        }
    }
}

impl Cache {
    pub fn get(&self, loc: Loc) -> Option<Value> {
        (self.valid & (1 << loc.0) != 0).then(|| self.values[loc.0 as usize])
    }

    pub fn is_valid(&self, loc: Loc) -> bool {
        self.valid & (1 << loc.0) != 0
    }

    /// The set of valid lines, one bit per location.
    pub fn valid_mask(&self) -> u32 {
        self.valid
    }

    pub fn fill(&mut self, loc: Loc, value: Value) {
        self.valid |= 1 << loc.0;
        self.values[loc.0 as usize] = value;
    }

    pub fn invalidate(&mut self, loc: Loc) {
        self.valid &= !(1 << loc.0);
        // Keep invalid slots at 0 so equal caches compare equal.
        self.values[loc.0 as usize] = 0;
    }
}

/// Where a core is in its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CoreStatus {
    /// Executing (or blocked: a core is blocked when its next `Step` is not
    /// enabled; that is derived, not stored).
    #[default]
    Running,
    /// Past its last instruction. Its store buffer may still drain.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Core {
    pub pc: u16,
    pub status: CoreStatus,
    pub regs: [Value; REGISTERS_MAX],
    pub sb: StoreBuffer,
    pub iq: InvalidationQueue,
    pub cache: Cache,
    /// How deep the core is in RCU read-side critical sections.
    pub nest: u8,
}

/// The whole machine state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct State {
    pub cores: [Core; CORES_MAX],
    pub mem: [Value; LOCATIONS_MAX],
}

impl Default for State {
    fn default() -> State {
        State {
            cores: [Core::default(); CORES_MAX],
            mem: [0; LOCATIONS_MAX],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_collapse_and_vanish_at_the_head() {
        let mut sb = StoreBuffer::default();
        sb.push_marker();
        assert!(
            sb.is_empty(),
            "a marker with nothing before it orders nothing"
        );
        sb.push_store(Loc(0), 1);
        sb.push_marker();
        sb.push_marker();
        sb.push_store(Loc(1), 2);
        assert_eq!(sb.len(), 3);
        assert_eq!(sb.stores(), 2);
        assert!(sb.drainable_per_location(0));
        assert!(!sb.drainable_per_location(2), "held back by the marker");
        sb.remove(0);
        assert_eq!(sb.len(), 1, "the marker reached the head and vanished");
        assert!(sb.drainable_per_location(0));
    }

    #[test]
    fn forwarding_takes_the_youngest_store() {
        let mut sb = StoreBuffer::default();
        sb.push_store(Loc(0), 1);
        sb.push_store(Loc(0), 2);
        assert_eq!(sb.youngest(Loc(0)), Some(2));
        assert!(
            !sb.drainable_per_location(1),
            "an older store to x drains first"
        );
        assert_eq!(sb.youngest(Loc(1)), None);
    }

    #[test]
    fn invalidation_queue_is_fifo() {
        let mut iq = InvalidationQueue::default();
        iq.push(Loc(2));
        iq.push(Loc(1));
        assert_eq!(iq.pop_front(), Loc(2));
        assert_eq!(iq.front(), Some(Loc(1)));
    }
}
