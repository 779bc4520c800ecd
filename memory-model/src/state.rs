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
///
/// The in-order models use `cores` and `mem`. The out-of-order ones
/// (OUT-OF-ORDER.md) use `mem`, and of each core its fetch pc (`pc`), its
/// architectural registers (`regs`), `status` and `nest`; the store
/// buffer, queue and cache are replaced by each core's `window` and, on
/// `power`, the `pair_buffers` of the SMT pairs `pairing` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct State {
    pub cores: [Core; CORES_MAX],
    pub mem: [Value; LOCATIONS_MAX],
    pub windows: [Window; CORES_MAX],
    pub pair_buffers: [PairBuffer; PAIRS_MAX],
    /// Which of the machine's pairings this run has (`power`), or
    /// `PAIRING_UNCHOSEN` before the run's first transition chooses one.
    pub pairing: u8,
}

impl Default for State {
    fn default() -> State {
        State {
            cores: [Core::default(); CORES_MAX],
            mem: [0; LOCATIONS_MAX],
            windows: [Window::default(); CORES_MAX],
            pair_buffers: [PairBuffer::default(); PAIRS_MAX],
            pairing: 0,
        }
    }
}

/// The most instances an out-of-order core holds: fetch stops when its
/// window is full (fewer behaviours, never more).
pub const WINDOW_MAX: usize = 32;
/// The most SMT pairs: every core paired.
pub const PAIRS_MAX: usize = CORES_MAX / 2;
/// Slots of a pair buffer, entries and markers.
pub const PAIR_SLOTS: usize = 32;
/// `State::pairing` before a pairing is chosen.
pub const PAIRING_UNCHOSEN: u8 = u8::MAX;

/// One fetched instruction instance (OUT-OF-ORDER.md 1): which
/// instruction, whether it is done, and its value (the value loaded or
/// computed; for a branch, 1 if the path fetched after it is the taken one).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Instance {
    pub pc: u16,
    pub done: bool,
    pub val: Value,
}

/// A core's window: its fetched instances in program order, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    instances: [Instance; WINDOW_MAX],
    len: u8,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            instances: [Instance::default(); WINDOW_MAX],
            len: 0,
        }
    }
}

impl Window {
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_full(&self) -> bool {
        self.len as usize == WINDOW_MAX
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances[..self.len as usize]
    }

    pub fn get(&self, slot: usize) -> Option<&Instance> {
        self.instances().get(slot)
    }

    pub fn push(&mut self, pc: u16) {
        self.push_instance(Instance {
            pc,
            done: false,
            val: 0,
        });
    }

    pub fn push_instance(&mut self, instance: Instance) {
        assert!(!self.is_full(), "window overflow");
        self.instances[self.len as usize] = instance;
        self.len += 1;
    }

    pub fn finish(&mut self, slot: usize, val: Value) {
        let i = &mut self.instances[slot];
        i.done = true;
        i.val = val;
    }

    /// Removes the oldest instance (retire).
    pub fn pop_front(&mut self) -> Instance {
        assert!(self.len > 0, "retire from an empty window");
        let first = self.instances[0];
        self.instances.copy_within(1..self.len as usize, 0);
        self.len -= 1;
        self.instances[self.len as usize] = Instance::default();
        first
    }

    /// Removes every instance from `slot` on (a squash). Removed slots are
    /// reset so that equal windows compare equal.
    pub fn truncate(&mut self, slot: usize) {
        for i in slot..self.len as usize {
            self.instances[i] = Instance::default();
        }
        self.len = self.len.min(slot as u8);
    }
}

/// `loc` of a pair-buffer slot that holds a marker `M(core)`.
const PAIR_MARKER: u8 = u8::MAX;

/// One slot of a pair buffer: a committed store `(x, v, c)` not yet in
/// memory, or a marker `M(c)` of an `smp_wmb`/release of core `c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PairEntry {
    loc: u8,
    pub core: u8,
    pub value: Value,
}

impl PairEntry {
    pub fn store(&self) -> Option<(Loc, Value)> {
        (self.loc != PAIR_MARKER).then_some((Loc(self.loc), self.value))
    }

    pub fn is_marker(&self) -> bool {
        self.loc == PAIR_MARKER
    }
}

/// The store buffer an SMT pair shares (`power`), oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PairBuffer {
    entries: [PairEntry; PAIR_SLOTS],
    len: u8,
}

impl Default for PairBuffer {
    fn default() -> PairBuffer {
        PairBuffer {
            entries: [PairEntry::default(); PAIR_SLOTS],
            len: 0,
        }
    }
}

impl PairBuffer {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether a store and a marker after it still fit.
    pub fn has_room(&self) -> bool {
        (self.len as usize) + 2 <= PAIR_SLOTS
    }

    pub fn entries(&self) -> &[PairEntry] {
        &self.entries[..self.len as usize]
    }

    /// Appends a store, kept in the buffer's canonical order: among the
    /// stores since the last marker, by location (a location's stores in
    /// the order they came). Nothing reads the order of two such stores to
    /// different locations: each drains when it is its location's oldest
    /// and no marker of its core is before it, and the same markers are
    /// before both. So buffers that differ only there behave alike, and
    /// one representative keeps the search from telling them apart.
    pub fn push_store(&mut self, loc: Loc, value: Value, core: u8) {
        assert!((self.len as usize) < PAIR_SLOTS, "pair buffer overflow");
        let mut at = self.len as usize;
        while at > 0 && !self.entries[at - 1].is_marker() && self.entries[at - 1].loc > loc.0 {
            self.entries[at] = self.entries[at - 1];
            at -= 1;
        }
        self.entries[at] = PairEntry {
            loc: loc.0,
            core,
            value,
        };
        self.len += 1;
    }

    /// Appends `M(core)` if the buffer holds a store and does not already
    /// end in a group of markers holding `M(core)`: a marker with nothing
    /// before it orders nothing.
    ///
    /// Markers side by side are kept by core, each once: two adjacent
    /// markers have the same stores before them, so their order, and a
    /// second copy, change nothing.
    pub fn push_marker(&mut self, core: u8) {
        let mut trailing = self.entries().iter().rev().take_while(|e| e.is_marker());
        if self.len == 0 || trailing.any(|e| e.core == core) {
            return;
        }
        assert!((self.len as usize) < PAIR_SLOTS, "pair buffer overflow");
        let mut at = self.len as usize;
        while at > 0 && self.entries[at - 1].is_marker() && self.entries[at - 1].core > core {
            self.entries[at] = self.entries[at - 1];
            at -= 1;
        }
        self.entries[at] = PairEntry {
            loc: PAIR_MARKER,
            core,
            value: 0,
        };
        self.len += 1;
    }

    /// The youngest store to `loc`, either core's.
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

    pub fn has_marker_of(&self, core: u8) -> bool {
        self.entries()
            .iter()
            .any(|e| e.is_marker() && e.core == core)
    }

    /// Whether slot `i` may drain (OUT-OF-ORDER.md 3.5): a store, the
    /// oldest for its location, with no marker of its own core before it.
    pub fn drainable(&self, i: usize) -> bool {
        let Some(entry) = self.entries().get(i) else {
            return false;
        };
        let Some((loc, _)) = entry.store() else {
            return false;
        };
        self.entries[..i]
            .iter()
            .all(|e| e.loc != loc.0 && !(e.is_marker() && e.core == entry.core))
    }

    /// Removes the store in slot `i`; markers left with no store before
    /// them vanish.
    pub fn remove(&mut self, i: usize) -> (Loc, Value) {
        let (loc, value) = self.entries[i].store().expect("drain of a marker");
        self.entries.copy_within(i + 1..self.len as usize, i);
        self.len -= 1;
        let head_markers = self.entries().iter().take_while(|e| e.is_marker()).count();
        if head_markers > 0 {
            self.entries.copy_within(head_markers..self.len as usize, 0);
            self.len -= head_markers as u8;
        }
        for e in &mut self.entries[self.len as usize..] {
            *e = PairEntry::default();
        }
        (loc, value)
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
    fn a_pair_buffer_keeps_one_order_for_what_its_order_cannot_change() {
        let store = |pb: &PairBuffer| -> Vec<(u8, u8, Value)> {
            pb.entries()
                .iter()
                .map(|e| (e.loc, e.core, e.value))
                .collect()
        };
        // Stores to different locations between markers, in either order:
        // the same buffer.
        let mut a = PairBuffer::default();
        a.push_store(Loc(1), 1, 0);
        a.push_store(Loc(0), 2, 1);
        let mut b = PairBuffer::default();
        b.push_store(Loc(0), 2, 1);
        b.push_store(Loc(1), 1, 0);
        assert_eq!(a, b);
        // A location's stores keep their order; a marker is a wall.
        a.push_store(Loc(0), 3, 0);
        a.push_marker(0);
        a.push_store(Loc(2), 4, 1);
        a.push_store(Loc(2), 5, 0);
        assert_eq!(
            store(&a),
            vec![
                (0, 1, 2),
                (0, 0, 3),
                (1, 0, 1),
                (PAIR_MARKER, 0, 0),
                (2, 1, 4),
                (2, 0, 5)
            ]
        );
        assert!(a.drainable(0) && !a.drainable(1) && a.drainable(2));
        assert!(a.drainable(4), "M(0) holds back only core 0's stores");
        assert!(!a.drainable(5));
        assert_eq!(a.youngest(Loc(0)), Some(3));
        // Adjacent markers: by core, each once.
        let mut m = PairBuffer::default();
        m.push_store(Loc(0), 1, 0);
        m.push_marker(1);
        m.push_marker(0);
        m.push_marker(1);
        assert_eq!(
            store(&m),
            vec![(0, 0, 1), (PAIR_MARKER, 0, 0), (PAIR_MARKER, 1, 0)]
        );
        m.remove(0);
        assert!(m.is_empty(), "markers with nothing before them vanish");
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
