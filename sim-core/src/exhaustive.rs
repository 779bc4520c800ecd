//! The exhaustive driver: every reachable state of the LTS, breadth first,
//! with a state table, so that it can say an outcome *never* happens on a
//! model and give the shortest transition sequence to one that does.
//!
//! The state table is an `IndexSet` of encoded states: a state's index is its
//! discovery order, the set doubles as the breadth-first queue, and a parent
//! table gives back the path to any state.
//!
//! Reductions (MACHINE.md, "Exhaustive driver"), each on only when
//! `ExploreOptions::reductions` is set so a property test can compare them
//! with the plain driver:
//! * a state whose cores are all done with empty store buffers is final;
//! * local instructions run eagerly;
//! * where copies can be stale, a copy of a location its core will never
//!   load again is evicted, and such a location's invalidation at the head
//!   of a queue is applied, eagerly;
//! * only stale copies are evicted where no queue can fill (a copy equal to
//!   memory reads the same as a miss would);
//! * only a persistent subset of the enabled transitions is explored
//!   (`reduction.rs`).
//!
//! Every eager move is a real transition (`Step`, `Evict`, `Invalidate`), so
//! a witness is a path of the LTS and replays transition by transition.
//! Caches are not explored where copies cannot be stale (`sc`, `tso`, no
//! queue): there they cannot change an outcome.

use std::collections::BTreeMap;
use std::time::Instant;

use indexmap::IndexSet;
use memory_model::ir::{Loc, Observable, Value};
pub use memory_model::BlockedCore;
use memory_model::{Machine, State, Transition};
use rustc_hash::FxBuildHasher;

use crate::encoding::{decode_into, encode};
use crate::reduction::PartialOrder;

#[derive(Clone, Copy, Debug)]
pub struct ExploreOptions {
    /// States after which the exploration stops, reported as bound exceeded.
    pub states_max: usize,
    /// Bytes of the state table (as `Exploration::memory_bytes` counts
    /// them) past which it would have to grow to go on: the exploration
    /// stops, reported as bound exceeded, before it allocates them.
    pub memory_max: usize,
    pub reductions: bool,
    /// With `reductions`: run local instructions eagerly.
    pub eager_local_steps: bool,
    /// With `reductions`: evict dead copies and apply their invalidations
    /// eagerly. Off, a witness has no moves that a shortest run would not
    /// make (`minimize` wants that), at the cost of more states.
    pub eager_dead_moves: bool,
    /// With `reductions`: leave out harmless evictions where no queue can
    /// fill (`Machine::queues_never_fill`).
    pub skip_harmless_evictions: bool,
    /// With `reductions`: explore only a persistent subset of the enabled
    /// transitions (`reduction.rs`). Keeps final states and deadlocks, not
    /// shortest paths.
    pub partial_order: bool,
    /// A wall-clock limit, reported as bound exceeded like the state bound.
    /// The only clock the drivers consult: it can stop an exploration, never
    /// change what a finished one found.
    pub deadline: Option<std::time::Instant>,
}

impl Default for ExploreOptions {
    fn default() -> ExploreOptions {
        ExploreOptions {
            states_max: 10_000_000,
            memory_max: MEMORY_MAX_DEFAULT,
            reductions: true,
            eager_local_steps: true,
            eager_dead_moves: true,
            skip_harmless_evictions: true,
            partial_order: true,
            deadline: None,
        }
    }
}

/// The default `memory_max`: 4 GiB, under what a developer's machine or a
/// CI runner has, where the default `states_max` of wide scenarios (a
/// kilobyte a state) would take more than ten.
pub const MEMORY_MAX_DEFAULT: usize = 4 << 30;

/// Which bound stopped an exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    /// `ExploreOptions::states_max` states were found.
    States,
    /// `ExploreOptions::deadline` passed.
    Time,
    /// The state table would have grown past `ExploreOptions::memory_max`.
    Memory,
}

impl Bound {
    /// The word for it: `states`, `time` or `memory`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::States => "states",
            Bound::Time => "time",
            Bound::Memory => "memory",
        }
    }
}

/// herd's three verdicts on the condition's proposition over final states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Verdict {
    Never,
    Sometimes,
    Always,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Never, Verdict::Sometimes, Verdict::Always];

    /// herd's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Never => "Never",
            Verdict::Sometimes => "Sometimes",
            Verdict::Always => "Always",
        }
    }

    /// `Never`, `Sometimes` or `Always`, in any case.
    pub fn parse(word: &str) -> Option<Verdict> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(word))
    }
}

/// A reachable deadlock: observed values and where each core is stuck
/// (states differing only in caches or queues count once).
#[derive(Clone, Debug)]
pub struct Deadlock {
    /// Observed values, as for final states.
    pub values: Vec<Value>,
    pub blocked: Vec<BlockedCore>,
    /// Index of the state, for `Exploration::path_to`.
    pub state: usize,
}

/// A reachable final state (complete run), projected on the scenario's
/// observables.
#[derive(Clone, Debug)]
pub struct FinalState {
    pub values: Vec<Value>,
    /// The condition's proposition holds here.
    pub satisfies: bool,
    /// The filter rejects this state: it does not count toward the verdict.
    pub filtered_out: bool,
    /// The first (shortest-path) state with these values.
    pub state: usize,
}

pub struct Exploration<'m, 's> {
    machine: &'m Machine<'s>,
    options: ExploreOptions,
    /// Distinct final states by observed values, in value order.
    pub finals: BTreeMap<Vec<Value>, FinalState>,
    pub deadlocks: Vec<Deadlock>,
    pub explored_states: usize,
    /// The exploration stopped at a bound (`bound_hit` says which): what
    /// it found is a part, with no verdict.
    pub bound_exceeded: bool,
    pub bound_hit: Option<Bound>,
    states: IndexSet<Box<[u8]>, FxBuildHasher>,
    parents: Vec<(u32, Transition)>,
    /// Bytes of the encoded states' own allocations, counted as inserted.
    state_bytes: usize,
}

impl<'m, 's> Exploration<'m, 's> {
    /// Explores every state reachable from the initial state.
    pub fn run(machine: &'m Machine<'s>, options: ExploreOptions) -> Exploration<'m, 's> {
        let mut x = Exploration {
            machine,
            options,
            finals: BTreeMap::new(),
            deadlocks: Vec::new(),
            explored_states: 0,
            bound_exceeded: false,
            bound_hit: None,
            states: IndexSet::with_hasher(FxBuildHasher),
            parents: Vec::new(),
            state_bytes: 0,
        };
        x.explore();
        x
    }

    fn explore(&mut self) {
        let m = self.machine;
        let mut buf = Vec::with_capacity(256);
        let mut initial = m.initial_state();
        self.canonicalize(&mut initial, &mut |_| {});
        encode(m, &initial, &mut buf);
        if let Some(bound) = self.room_for(buf.len()) {
            self.stop(bound);
            return;
        }
        self.states.insert(buf.clone().into_boxed_slice());
        self.parents.push((u32::MAX, Transition::Step { core: 0 }));
        let mut successors: Vec<Transition> = Vec::new();
        let cores = m.cores();
        let mut state = State::default();
        let mut s = State::default();
        let mut next = 0;
        let reductions = self.options.reductions;
        let partial_order =
            (reductions && self.options.partial_order).then(|| PartialOrder::new(m));
        let skip_evictions =
            reductions && self.options.skip_harmless_evictions && m.queues_never_fill();
        while next < self.states.len() {
            let index = next;
            next += 1;
            if index % 1024 == 0 && self.options.deadline.is_some_and(|d| Instant::now() >= d) {
                self.stop(Bound::Time);
                return;
            }
            decode_into(m, &self.states[index], &mut state);
            if self.options.reductions && m.is_complete(&state) {
                self.record_final(&state, index);
                continue;
            }
            successors.clear();
            let stale = m.copies_can_be_stale();
            m.for_each_enabled(&state, |t| {
                let wanted = match t {
                    // Caches are explored only where copies can be stale,
                    // and the reductions take no skippable eviction.
                    Transition::Evict { .. } => {
                        stale && !(skip_evictions && m.is_harmless(&state, t))
                    }
                    Transition::Step { .. }
                    | Transition::Drain { .. }
                    | Transition::Invalidate { .. } => true,
                };
                if wanted {
                    successors.push(t);
                }
            });
            if successors.is_empty() {
                if m.is_complete(&state) {
                    self.record_final(&state, index);
                } else {
                    self.record_deadlock(&state, index);
                }
                continue;
            }
            if let Some(por) = &partial_order {
                por.narrow(m, &state, &mut successors);
            }
            for &t in &successors {
                // Copy only what the scenario uses: a whole State is
                // several kilobytes, most of it idle cores.
                s.cores[..cores].copy_from_slice(&state.cores[..cores]);
                s.mem = state.mem;
                m.apply(&mut s, t);
                self.canonicalize(&mut s, &mut |_| {});
                encode(m, &s, &mut buf);
                if !self.states.contains(buf.as_slice()) {
                    if let Some(bound) = self.room_for(buf.len()) {
                        self.stop(bound);
                        return;
                    }
                    self.states.insert(buf.clone().into_boxed_slice());
                    self.parents.push((index as u32, t));
                }
            }
        }
        self.explored_states = self.states.len();
    }

    fn stop(&mut self, bound: Bound) {
        self.bound_exceeded = true;
        self.bound_hit = Some(bound);
        self.explored_states = self.states.len();
    }

    /// Makes room for one more state of `encoded_len` bytes, or says which
    /// bound forbids it. The tables grow here, by doubling, and only after
    /// the bytes they would take are known to fit: the memory bound holds
    /// before each insertion, not only between checks.
    fn room_for(&mut self, encoded_len: usize) -> Option<Bound> {
        let len = self.states.len();
        if len >= self.options.states_max {
            return Some(Bound::States);
        }
        let state_bytes = self.state_bytes + allocation_bytes(encoded_len);
        let capacity = if len < self.states.capacity() {
            self.states.capacity()
        } else {
            table_capacity(len.saturating_mul(2).max(TABLE_CAPACITY_MIN))
        };
        if table_bytes(capacity).saturating_add(state_bytes) > self.options.memory_max {
            return Some(Bound::Memory);
        }
        if capacity > self.states.capacity() {
            self.states.reserve_exact(capacity - len);
            self.parents.reserve_exact(self.states.capacity() - len);
        }
        self.state_bytes = state_bytes;
        assert!(self.memory_bytes() <= self.options.memory_max);
        None
    }

    /// The bytes the state table takes: the encoded states, the index
    /// set's entries and hash table (the set is also the breadth-first
    /// frontier: there is no other queue), and the parent table, each container
    /// at its capacity (what it allocated, not what it holds). Final
    /// states and deadlocks are left out: there is one per distinct
    /// outcome, a few next to the states.
    pub fn memory_bytes(&self) -> usize {
        table_bytes(self.states.capacity().max(self.parents.capacity())) + self.state_bytes
    }

    /// Applies the eager moves of the reductions, reporting each.
    fn canonicalize(&self, state: &mut State, moved: &mut dyn FnMut(Transition)) {
        if !self.options.reductions {
            return;
        }
        let m = self.machine;
        // A bound on eager local steps, so a local loop cannot hang us; past
        // it the state is explored as it is.
        let mut budget = 10_000;
        'again: loop {
            for c in 0..m.cores() {
                if self.options.eager_local_steps
                    && budget > 0
                    && m.next_instr(state, c).is_some_and(|i| i.is_local())
                {
                    budget -= 1;
                    let t = Transition::Step { core: c as u8 };
                    m.apply(state, t);
                    moved(t);
                    continue 'again;
                }
            }
            break;
        }
        if !m.copies_can_be_stale() || !self.options.eager_dead_moves {
            return;
        }
        for c in 0..m.cores() {
            let mut bits = m.dead_copies(state, c);
            while bits != 0 {
                let loc = Loc(bits.trailing_zeros() as u8);
                bits &= bits - 1;
                let t = Transition::Evict { core: c as u8, loc };
                m.apply(state, t);
                moved(t);
            }
            while let Some(loc) = state.cores[c].iq.front() {
                if !m.is_dead(state, c, loc) {
                    break;
                }
                let t = Transition::Invalidate { core: c as u8 };
                m.apply(state, t);
                moved(t);
            }
        }
    }

    fn observed_values(&self, state: &State) -> Vec<Value> {
        let m = self.machine;
        m.scenario
            .observed
            .iter()
            .map(|&o: &Observable| m.observe(state, o))
            .collect()
    }

    fn record_final(&mut self, state: &State, index: usize) {
        let values = self.observed_values(state);
        if self.finals.contains_key(&values) {
            return;
        }
        let m = self.machine;
        let satisfies = m.holds(state, &m.scenario.condition.prop);
        let filtered_out = !m.filter_admits(state);
        self.finals.insert(
            values.clone(),
            FinalState {
                values,
                satisfies,
                filtered_out,
                state: index,
            },
        );
    }

    fn record_deadlock(&mut self, state: &State, index: usize) {
        let m = self.machine;
        let blocked = m.blocked_cores(state);
        let values = self.observed_values(state);
        // Deadlocked states that differ only in caches or queues are one
        // deadlock to a reader: the first found (shortest path) stands.
        if self
            .deadlocks
            .iter()
            .any(|d| d.values == values && d.blocked == blocked)
        {
            return;
        }
        self.deadlocks.push(Deadlock {
            values,
            blocked,
            state: index,
        });
    }

    /// The scenario explored.
    pub fn scenario(&self) -> &'s memory_model::ir::Scenario {
        self.machine.scenario
    }

    /// The final states the condition is evaluated on (the filter applied).
    pub fn counted_finals(&self) -> impl Iterator<Item = &FinalState> {
        self.finals.values().filter(|f| !f.filtered_out)
    }

    /// herd's verdict: how often the proposition holds over final states.
    /// No final state at all (every one filtered out, or none complete) is
    /// `Never`.
    pub fn verdict(&self) -> Verdict {
        let (mut yes, mut no) = (0, 0);
        for f in self.counted_finals() {
            if f.satisfies {
                yes += 1;
            } else {
                no += 1;
            }
        }
        match (yes, no) {
            (0, _) => Verdict::Never,
            (_, 0) => Verdict::Always,
            _ => Verdict::Sometimes,
        }
    }

    /// The final state a witness should reach: one where the proposition
    /// holds (`exists`, `~exists`) or fails (`forall`), first found, so on a
    /// shortest path.
    pub fn witness(&self) -> Option<&FinalState> {
        let condition = &self.machine.scenario.condition;
        self.counted_finals()
            .filter(|f| condition.fails_when(f.satisfies))
            .min_by_key(|f| f.state)
    }

    /// Whether a finished exploration meets an expected verdict: the same
    /// verdict and, when `Never` is expected, no deadlock either (a run that
    /// hangs is as much a failure as the outcome itself).
    pub fn meets(&self, expected: Verdict) -> bool {
        let hangs = !self.deadlocks.is_empty();
        self.verdict() == expected && (expected != Verdict::Never || !hangs)
    }

    /// Final states the filter removed (they do not count toward the verdict).
    pub fn filtered_out(&self) -> usize {
        self.finals.values().filter(|f| f.filtered_out).count()
    }

    /// The transitions from the initial state to state `index`, eager moves
    /// included: a path of the LTS.
    pub fn path_to(&self, index: usize) -> Vec<Transition> {
        self.steps_to(index)
            .into_iter()
            .map(|s| s.transition)
            .collect()
    }

    /// `path_to`, each transition marked with whether the driver made it
    /// eagerly (a reduction's move, not a choice of the search).
    pub fn steps_to(&self, index: usize) -> Vec<PathStep> {
        let mut edges = Vec::new();
        let mut at = index;
        while at != 0 {
            let (parent, t) = self.parents[at];
            edges.push(t);
            at = parent as usize;
        }
        edges.reverse();
        let m = self.machine;
        let mut path = Vec::new();
        let mut state = m.initial_state();
        let eager = |t| PathStep {
            transition: t,
            eager: true,
        };
        self.canonicalize(&mut state, &mut |t| path.push(eager(t)));
        for t in edges {
            m.apply(&mut state, t);
            path.push(PathStep {
                transition: t,
                eager: false,
            });
            self.canonicalize(&mut state, &mut |t| path.push(eager(t)));
        }
        path
    }
}

/// The smallest capacity the state table grows to from empty.
const TABLE_CAPACITY_MIN: usize = 1024;

/// The bytes a heap allocation of `len` bytes takes, as common allocators
/// hand them out: a word of header, in steps of 16, at least 32.
fn allocation_bytes(len: usize) -> usize {
    (len + 8).next_multiple_of(16).max(32)
}

/// The capacity an index set reserved for `wanted` entries has: its hash
/// table has a power of two of buckets, at most 7/8 full.
fn table_capacity(wanted: usize) -> usize {
    table_buckets(wanted) / 8 * 7
}

fn table_buckets(capacity: usize) -> usize {
    (capacity.saturating_mul(8) / 7).next_power_of_two().max(16)
}

/// The bytes the state table's containers take at `capacity` entries
/// (parent table included): per bucket an index and a control byte; per
/// entry a cached hash and the boxed state's pointer and length; per
/// parent its index and transition.
fn table_bytes(capacity: usize) -> usize {
    let bucket = std::mem::size_of::<usize>() + 1;
    let entry = std::mem::size_of::<usize>() + std::mem::size_of::<Box<[u8]>>();
    let parent = std::mem::size_of::<(u32, Transition)>();
    table_buckets(capacity).saturating_mul(bucket) + capacity.saturating_mul(entry + parent)
}

/// One transition of a path, and whether a reduction made it eagerly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStep {
    pub transition: Transition,
    pub eager: bool,
}
