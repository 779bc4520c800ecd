//! Parallel exploration: the exhaustive driver's breadth-first loop with the
//! expansion of states spread over threads, its results identical to the
//! one-loop driver's at any thread count.
//!
//! A round takes the next states of the queue (all already numbered), cut
//! into batches of consecutive states. In parallel, each batch decodes its
//! states, chooses their successors (`exhaustive::successors`), encodes
//! and hashes them, and drops those the table already holds (it is only
//! read meanwhile, and only grows, so a state found there stays found).
//! Then, on one thread, the batches are taken in order and each state's
//! outcome recorded and its candidates inserted in successor order: the
//! order the one-loop driver visits and inserts in. State numbers, parents
//! (so witnesses), final states, deadlocks, and the state at which a bound
//! stops the exploration are therefore the same.

use memory_model::{State, Transition};
use rayon::prelude::*;

use crate::encoding::decode_into;
use crate::exhaustive::{successor, successors, Bound, Exploration, Visit};
use crate::state_table::StateTable;

/// States a batch expands: enough to make a task worth its scheduling,
/// few enough that a round's candidates stay a few megabytes.
const BATCH_STATES: usize = 512;
/// Batches per thread in a round, so a slow batch does not idle the rest.
const BATCHES_PER_THREAD: usize = 4;

/// What one batch found, kept from round to round (no allocation once
/// the buffers have grown).
struct Batch {
    /// The states `first..end` of the table.
    first: usize,
    end: usize,
    /// Per state: what it is, and how many candidates it left.
    visits: Vec<(Visit, u32)>,
    /// New-looking successors: hash, length in `bytes`, transition.
    candidates: Vec<(u64, u32, Transition)>,
    bytes: Vec<u8>,
    state: Box<State>,
    scratch: Box<State>,
    out: Vec<Transition>,
    buf: Vec<u8>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            first: 0,
            end: 0,
            visits: Vec::new(),
            candidates: Vec::new(),
            bytes: Vec::new(),
            state: Box::default(),
            scratch: Box::default(),
            out: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Expands states `first..end` against `table` as it stands.
    fn expand(&mut self, x: &Exploration) {
        let (m, options) = (x.machine(), x.options());
        self.visits.clear();
        self.candidates.clear();
        self.bytes.clear();
        for index in self.first..self.end {
            decode_into(m, x.table.get(index), &mut self.state);
            let visit = successors(m, x.policy(), &self.state, &mut self.out);
            let mut kept = 0;
            if visit == Visit::Expand {
                for &t in &self.out {
                    successor(m, options, &self.state, t, &mut self.scratch, &mut self.buf);
                    let hash = StateTable::hash(&self.buf);
                    if !x.table.contains(hash, &self.buf) {
                        self.candidates.push((hash, self.buf.len() as u32, t));
                        self.bytes.extend_from_slice(&self.buf);
                        kept += 1;
                    }
                }
            }
            self.visits.push((visit, kept));
        }
    }
}

/// Explores from the states already in `x`'s table on `threads` threads.
pub(crate) fn explore(x: &mut Exploration) {
    let threads = x.options().threads;
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        // No threads to be had: the same results, one state at a time.
        Err(_) => return x.explore_in_one_loop(),
    };
    let mut batches: Vec<Batch> = (0..threads * BATCHES_PER_THREAD)
        .map(|_| Batch::new())
        .collect();
    let mut state = State::default();
    let mut next = 0;
    while next < x.table.len() {
        if x.past_deadline() {
            x.stop(Bound::Time);
            return;
        }
        let end = x.table.len().min(next + batches.len() * BATCH_STATES);
        let per_batch = (end - next).div_ceil(batches.len());
        for (i, b) in batches.iter_mut().enumerate() {
            b.first = (next + i * per_batch).min(end);
            b.end = (b.first + per_batch).min(end);
        }
        let reader: &Exploration = x;
        pool.install(|| batches.par_iter_mut().for_each(|b| b.expand(reader)));
        for b in &batches {
            let (mut c, mut at) = (0, 0);
            for (index, &(visit, kept)) in (b.first..b.end).zip(&b.visits) {
                match visit {
                    Visit::Final | Visit::Deadlock => {
                        decode_into(x.machine(), x.table.get(index), &mut state);
                        if visit == Visit::Final {
                            x.record_final(&state, index);
                        } else {
                            x.record_deadlock(&state, index);
                        }
                    }
                    Visit::Expand => {
                        for &(hash, len, t) in &b.candidates[c..c + kept as usize] {
                            let bytes = &b.bytes[at..at + len as usize];
                            at += len as usize;
                            if !x.insert_hashed(hash, bytes, Some((index, t))) {
                                return;
                            }
                        }
                        c += kept as usize;
                    }
                }
            }
        }
        next = end;
    }
    x.explored_states = x.table.len();
}
