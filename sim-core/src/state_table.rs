//! The exhaustive driver's state table: every encoded state found, its
//! number (discovery order), and the edge it was first reached by.
//!
//! Built for millions of states of a few tens of bytes each, so nothing is
//! allocated per state:
//! * the encodings are appended to a byte arena of chunks (a state never
//!   straddles two), located by one `u64` span each (start and length);
//! * the index is a `hashbrown::HashTable<u32>` of state numbers: the hash
//!   of a candidate is computed once (`StateTable::hash`), and finding it or
//!   inserting it is one probe (`find_or_insert`);
//! * the parent table is a `u32` parent number and a `u16` packed
//!   transition per state;
//! * 32 bits of each state's hash are kept beside it, so that growing the
//!   index rehashes from them rather than from the arena (which cost an
//!   eighth of the time of a large exploration);
//! * the per-state columns (spans, parents, transitions) grow by blocks,
//!   not by doubling: no copy on growth and no half-empty tail.
//!
//! Every container grows only through `room_for`, which first checks that
//! the bytes it would then take stay under the caller's bound: the memory
//! bound holds before each insertion, not only between checks.

use hashbrown::hash_table::{Entry, HashTable};
use memory_model::ir::Loc;
use memory_model::Transition;
use std::hash::Hasher;

/// The largest arena chunk. Chunks start small (a small scenario's table
/// fits in a few kilobytes) and double up to this.
const CHUNK_MAX: usize = 1 << 20;
const CHUNK_MIN: usize = 4 << 10;
/// The smallest capacity the per-state tables grow to from empty.
const CAPACITY_MIN: usize = 1024;
/// Bits of a span that hold the length (the start takes the rest).
const LEN_BITS: u32 = 20;

pub struct StateTable {
    arena: Arena,
    /// State numbers, by the hash of their encoding.
    index: HashTable<u32>,
}

/// Everything kept per state, in state order.
struct Arena {
    /// Encoded states back to back, each whole in one chunk.
    chunks: Vec<Vec<u8>>,
    /// Where state `i` starts (global offset: chunk index times
    /// `CHUNK_MAX` plus the offset in it) and its length, packed.
    spans: Column<u64>,
    /// The state each state was first reached from (`u32::MAX` for the
    /// initial state), and by which transition (`pack`).
    parents: Column<u32>,
    moves: Column<u16>,
    /// Each state's `StateTable::hash`, in its 32 bits that count.
    hashes: Column<u32>,
    /// The chunks' capacities, summed.
    chunk_bytes: usize,
}

/// Why the table refused a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    States,
    Memory,
}

/// What `find_or_insert` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The state was already in the table.
    Old,
    /// The state is new: it was given the next number.
    New,
    /// The state is new and a bound refused it: the table is unchanged.
    Refused(Full),
}

impl Default for StateTable {
    fn default() -> Self {
        StateTable::new()
    }
}

impl StateTable {
    pub fn new() -> StateTable {
        StateTable {
            arena: Arena {
                chunks: Vec::new(),
                spans: Column::new(),
                parents: Column::new(),
                moves: Column::new(),
                hashes: Column::new(),
                chunk_bytes: 0,
            },
            index: HashTable::new(),
        }
    }

    /// The hash of an encoded state: FxHash of its bytes (no per-process
    /// key, so the table behaves the same on every run).
    /// It is a function of 32 bits (the high half of the FxHash, its
    /// best mixed), so that it can be stored in four bytes and recomputed
    /// from them (`spread`).
    pub fn hash(bytes: &[u8]) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        h.write(bytes);
        spread((h.finish() >> 32) as u32)
    }

    pub fn len(&self) -> usize {
        self.arena.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.arena.spans.len() == 0
    }

    /// The encoding of state `i`.
    pub fn get(&self, i: usize) -> &[u8] {
        self.arena.get(i as u32)
    }

    /// The state state `i` was first reached from, and by which transition
    /// (`None` for the initial state).
    pub fn parent(&self, i: usize) -> Option<(usize, Transition)> {
        let p = self.arena.parents.get(i);
        (p != u32::MAX).then(|| (p as usize, unpack(self.arena.moves.get(i))))
    }

    /// Whether `bytes` (of hash `hash`) is a state of the table.
    pub fn contains(&self, hash: u64, bytes: &[u8]) -> bool {
        let arena = &self.arena;
        self.index.find(hash, |&i| arena.get(i) == bytes).is_some()
    }

    /// Finds `bytes` (of hash `hash`) or inserts it as a new state reached
    /// from `parent`, when `states_max` and `memory_max` allow one more.
    pub fn find_or_insert(
        &mut self,
        hash: u64,
        bytes: &[u8],
        parent: Option<(usize, Transition)>,
        states_max: usize,
        memory_max: usize,
    ) -> Found {
        let bound = Bound {
            states_max,
            memory_max,
        };
        if self.index.len() == self.index.capacity() {
            // `entry` would grow the index unchecked: look first, and grow
            // it under the bound only for a new state (once per doubling).
            if self.contains(hash, bytes) {
                return Found::Old;
            }
            let wanted = (self.index.len() * 2).max(CAPACITY_MIN);
            if let Err(full) = self.arena.room_for(bytes.len(), index_bytes(wanted), bound) {
                return Found::Refused(full);
            }
            let arena = &self.arena;
            self.index.reserve(wanted - self.index.len(), |&i| {
                spread(arena.hashes.get(i as usize))
            });
        }
        // One probe: the index has room, so `entry` does not grow it.
        let index_now = self.index.allocation_size();
        let arena = &mut self.arena;
        match self.index.entry(
            hash,
            |&i| arena.get(i) == bytes,
            |&i| spread(arena.hashes.get(i as usize)),
        ) {
            Entry::Occupied(_) => Found::Old,
            Entry::Vacant(slot) => {
                if let Err(full) = arena.room_for(bytes.len(), index_now, bound) {
                    return Found::Refused(full);
                }
                slot.insert(arena.append(hash, bytes, parent));
                assert!(
                    self.memory_bytes() <= memory_max,
                    "the memory bound was overrun"
                );
                Found::New
            }
        }
    }

    /// The bytes the table takes, each container at its capacity (what it
    /// allocated, not what it holds): arena chunks and their list, the
    /// index, spans, parents and moves.
    pub fn memory_bytes(&self) -> usize {
        self.arena.bytes() + self.index.allocation_size()
    }
}

#[derive(Clone, Copy)]
struct Bound {
    states_max: usize,
    memory_max: usize,
}

impl Arena {
    fn get(&self, i: u32) -> &[u8] {
        let span = self.spans.get(i as usize);
        let start = (span >> LEN_BITS) as usize;
        let len = (span & ((1 << LEN_BITS) - 1)) as usize;
        let at = start % CHUNK_MAX;
        &self.chunks[start / CHUNK_MAX][at..at + len]
    }

    /// Appends a state (room already made) and returns its number.
    fn append(&mut self, hash: u64, bytes: &[u8], parent: Option<(usize, Transition)>) -> u32 {
        let number = self.spans.len() as u32;
        let last = self.chunks.len() - 1;
        let chunk = &mut self.chunks[last];
        let start = last * CHUNK_MAX + chunk.len();
        chunk.extend_from_slice(bytes);
        self.spans
            .push(((start as u64) << LEN_BITS) | bytes.len() as u64);
        let (p, m) = match parent {
            Some((p, t)) => (p as u32, pack(t)),
            None => (u32::MAX, 0),
        };
        self.parents.push(p);
        self.moves.push(m);
        self.hashes.push(unspread(hash));
        number
    }

    /// Makes room for one more state of `len` bytes, the index then taking
    /// `index_bytes`, or says which bound forbids it. The containers grow
    /// here, by doubling, and only after the bytes they would take are
    /// known to fit.
    fn room_for(&mut self, len: usize, index_bytes: usize, bound: Bound) -> Result<(), Full> {
        let n = self.spans.len();
        if n >= bound.states_max || n >= u32::MAX as usize - 1 {
            return Err(Full::States);
        }
        assert!(len < 1 << LEN_BITS, "encoded state too long");
        let chunk_full = self
            .chunks
            .last()
            .is_none_or(|c| c.capacity() - c.len() < len);
        let new_chunk = if chunk_full {
            let last = self.chunks.last().map_or(0, Vec::capacity);
            (last * 2).clamp(CHUNK_MIN, CHUNK_MAX)
        } else {
            0
        };
        let grow_rows = n >= self.spans.capacity();
        let blocks = self.spans.blocks.len();
        let rows = self.spans.capacity() + if grow_rows { block_len(blocks) } else { 0 };
        let row_blocks = blocks + grow_rows as usize;
        let row_lists = if row_blocks > self.spans.blocks.capacity() {
            (row_blocks * 2).max(16)
        } else {
            self.spans.blocks.capacity()
        };
        let slots = if chunk_full && self.chunks.len() == self.chunks.capacity() {
            (self.chunks.len() * 2).max(16)
        } else {
            self.chunks.capacity()
        };
        let total = self.chunk_bytes
            + new_chunk
            + slots * std::mem::size_of::<Vec<u8>>()
            + index_bytes
            + rows * ROW_BYTES
            + row_lists * 4 * BLOCK_POINTER;
        if total > bound.memory_max {
            return Err(Full::Memory);
        }
        if chunk_full {
            self.chunks.reserve_exact(slots - self.chunks.len());
            self.chunks.push(Vec::with_capacity(new_chunk));
            self.chunk_bytes += new_chunk;
        }
        if grow_rows {
            self.spans.grow(row_lists);
            self.parents.grow(row_lists);
            self.moves.grow(row_lists);
            self.hashes.grow(row_lists);
        }
        Ok(())
    }

    fn bytes(&self) -> usize {
        let lists = self.spans.blocks.capacity()
            + self.parents.blocks.capacity()
            + self.moves.blocks.capacity()
            + self.hashes.blocks.capacity();
        self.chunk_bytes
            + self.chunks.capacity() * std::mem::size_of::<Vec<u8>>()
            + self.spans.capacity() * ROW_BYTES
            + lists * BLOCK_POINTER
    }
}

/// Entries of a column block.
const BLOCK: usize = 1 << 14;
/// The first blocks are smaller, `FIRST_BLOCK` entries doubling up to
/// `BLOCK`, so that a small scenario's table stays small.
const FIRST_BLOCK: usize = 1 << 10;
const SMALL_BLOCKS: usize = 4;
/// Entries of the small blocks together.
const SMALL_ENTRIES: usize = FIRST_BLOCK * ((1 << SMALL_BLOCKS) - 1);

/// Entries of block `b`.
fn block_len(b: usize) -> usize {
    if b < SMALL_BLOCKS {
        FIRST_BLOCK << b
    } else {
        BLOCK
    }
}

/// The block of entry `i` and its place in it.
fn locate(i: usize) -> (usize, usize) {
    if i < SMALL_ENTRIES {
        let b = (usize::BITS - 1 - (i / FIRST_BLOCK + 1).leading_zeros()) as usize;
        (b, i - FIRST_BLOCK * ((1 << b) - 1))
    } else {
        let j = i - SMALL_ENTRIES;
        (SMALL_BLOCKS + j / BLOCK, j % BLOCK)
    }
}
/// The bytes of a block's entry in its column's list.
const BLOCK_POINTER: usize = std::mem::size_of::<Box<[u8]>>();

/// A per-state column, in blocks (`block_len`).
struct Column<T> {
    blocks: Vec<Box<[T]>>,
    len: usize,
}

impl<T: Copy + Default> Column<T> {
    fn new() -> Column<T> {
        Column {
            blocks: Vec::new(),
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn capacity(&self) -> usize {
        let b = self.blocks.len();
        if b <= SMALL_BLOCKS {
            FIRST_BLOCK * ((1 << b) - 1)
        } else {
            SMALL_ENTRIES + (b - SMALL_BLOCKS) * BLOCK
        }
    }

    fn get(&self, i: usize) -> T {
        let (b, at) = locate(i);
        self.blocks[b][at]
    }

    /// Adds a block, the list of blocks then holding `list` of them.
    fn grow(&mut self, list: usize) {
        self.blocks.reserve_exact(list - self.blocks.len());
        self.blocks
            .push(vec![T::default(); block_len(self.blocks.len())].into_boxed_slice());
    }

    fn push(&mut self, v: T) {
        let (b, at) = locate(self.len);
        self.blocks[b][at] = v;
        self.len += 1;
    }
}

/// Bytes per state outside the arena and the index: span, parent, move.
const ROW_BYTES: usize = 8 + 4 + 2 + 4;

/// The index's 64-bit hash from a state's 32 bits: multiplied by an odd
/// constant, which hashbrown's bucket (low) bits and tag (top seven bits)
/// both draw from, and which `unspread` undoes.
fn spread(h: u32) -> u64 {
    (h as u64).wrapping_mul(SPREAD)
}

fn unspread(hash: u64) -> u32 {
    hash.wrapping_mul(SPREAD_INVERSE) as u32
}

const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;
/// `SPREAD`'s inverse modulo 2^64.
const SPREAD_INVERSE: u64 = inverse(SPREAD);

/// The inverse of an odd number modulo 2^64 (Newton's iteration).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// The bytes hashbrown allocates for a table reserved for `capacity`
/// entries (at least `CAPACITY_MIN`): a power of two of buckets at most 7/8
/// full, each a `u32` and a control byte, and a group of trailing control
/// bytes.
fn index_bytes(capacity: usize) -> usize {
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<u32>() + 1) + 16
}

/// A transition in 16 bits: kind in the top three, core in the next five,
/// slot, location, direction or pairing in the low byte.
fn pack(t: Transition) -> u16 {
    const _: () = assert!(memory_model::ir::CORES_MAX <= 32);
    let (kind, core, arg) = match t {
        Transition::Step { core } => (0, core, 0),
        Transition::Drain { core, slot } => (1, core, slot),
        Transition::Invalidate { core } => (2, core, 0),
        Transition::Evict { core, loc } => (3, core, loc.0),
        Transition::Perform { core, slot } => (4, core, slot),
        Transition::Guess { core, taken } => (5, core, taken as u8),
        Transition::PairDrain { core, slot } => (6, core, slot),
        Transition::Pairing { index } => (7, 0, index),
    };
    (kind << 13) | ((core as u16) << 8) | arg as u16
}

fn unpack(m: u16) -> Transition {
    let core = ((m >> 8) & 0x1f) as u8;
    let arg = m as u8;
    match m >> 13 {
        0 => Transition::Step { core },
        1 => Transition::Drain { core, slot: arg },
        2 => Transition::Invalidate { core },
        3 => Transition::Evict {
            core,
            loc: Loc(arg),
        },
        4 => Transition::Perform { core, slot: arg },
        5 => Transition::Guess {
            core,
            taken: arg != 0,
        },
        6 => Transition::PairDrain { core, slot: arg },
        _ => Transition::Pairing { index: arg },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_kept_in_32_bits() {
        assert_eq!(SPREAD.wrapping_mul(SPREAD_INVERSE), 1);
        for bytes in [&b""[..], b"a", b"state"] {
            let h = StateTable::hash(bytes);
            assert_eq!(spread(unspread(h)), h);
        }
    }

    #[test]
    fn column_blocks_grow_then_stay_the_same_size() {
        let mut column = Column::new();
        for i in 0..SMALL_ENTRIES + 3 * BLOCK {
            if i == column.capacity() {
                column.grow(64);
            }
            column.push(i as u32);
        }
        assert_eq!(column.blocks.len(), SMALL_BLOCKS + 3);
        assert_eq!(column.capacity(), SMALL_ENTRIES + 3 * BLOCK);
        for i in [
            0,
            1023,
            1024,
            3071,
            3072,
            15359,
            15360,
            SMALL_ENTRIES + BLOCK,
        ] {
            assert_eq!(column.get(i), i as u32);
        }
        assert!((0..column.len()).all(|i| column.get(i) == i as u32));
    }

    #[test]
    fn transitions_pack_and_unpack() {
        for core in [0, 7] {
            for t in [
                Transition::Step { core },
                Transition::Drain { core, slot: 31 },
                Transition::Invalidate { core },
                Transition::Evict { core, loc: Loc(31) },
            ] {
                assert_eq!(unpack(pack(t)), t);
            }
        }
    }

    #[test]
    fn states_are_numbered_once_and_found_again() {
        let mut table = StateTable::new();
        let max = usize::MAX;
        for i in 0..5000u32 {
            let bytes = i.to_le_bytes();
            let h = StateTable::hash(&bytes);
            assert_eq!(table.find_or_insert(h, &bytes, None, max, max), Found::New);
        }
        for i in 0..5000u32 {
            let bytes = i.to_le_bytes();
            let h = StateTable::hash(&bytes);
            assert_eq!(table.find_or_insert(h, &bytes, None, max, max), Found::Old);
            assert_eq!(table.get(i as usize), &bytes);
        }
        assert_eq!(table.len(), 5000);
    }

    #[test]
    fn the_bounds_refuse_a_state_and_leave_the_table_as_it_was() {
        let mut table = StateTable::new();
        let b = [1u8; 8];
        let h = StateTable::hash(&b);
        assert_eq!(
            table.find_or_insert(h, &b, None, 0, usize::MAX),
            Found::Refused(Full::States)
        );
        assert_eq!(
            table.find_or_insert(h, &b, None, 9, 1000),
            Found::Refused(Full::Memory)
        );
        assert_eq!(table.len(), 0);
        let limit = 1 << 20;
        let mut n = 0u32;
        loop {
            let bytes = [n.to_le_bytes(), [7; 4]].concat();
            let h = StateTable::hash(&bytes);
            match table.find_or_insert(h, &bytes, None, usize::MAX, limit) {
                Found::New => n += 1,
                Found::Refused(full) => {
                    assert_eq!(full, Full::Memory);
                    break;
                }
                Found::Old => unreachable!(),
            }
            assert!(table.memory_bytes() <= limit);
        }
        assert_eq!(table.len(), n as usize);
        assert!(n > 10_000, "{n}");
    }
}
