//! The exhaustive driver: every reachable state of the LTS, breadth first,
//! with a state table, so that it can say an outcome *never* happens on a
//! model and give the shortest transition sequence to one that does.
//!
//! The state table (`state_table`) holds encoded states (`encoding`): a
//! state's number is its discovery order, the table doubles as the
//! breadth-first queue, and its parent column gives back the path to any
//! state. With `ExploreOptions::threads` above 1, `frontier` expands many
//! states at once and inserts what they found in the order this loop
//! would: the results do not depend on the thread count.
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

use memory_model::ir::{Loc, Observable, Value};
pub use memory_model::BlockedCore;
use memory_model::{Machine, State, Transition};

use crate::encoding::{decode_into, encode};
use crate::path::PathReplay;
use crate::reduction::PartialOrder;
use crate::state_table::{Found, Full, StateTable};
use crate::symmetry::PairingSymmetry;

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
    /// Threads that expand states (1: one loop, no thread pool). Results
    /// are the same at any count.
    pub threads: usize,
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
            threads: 1,
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
    pub(crate) table: StateTable,
    policy: Policy,
}

/// What the options and the machine decide once for a whole exploration,
/// asked for every state (`successors`).
pub(crate) struct Policy {
    options: ExploreOptions,
    partial_order: Option<PartialOrder>,
    skip_evictions: bool,
    /// Pairings explored through a symmetric one instead (`symmetry`).
    symmetry: Option<PairingSymmetry>,
}

impl Policy {
    fn new(m: &Machine, options: ExploreOptions) -> Policy {
        let reductions = options.reductions;
        let skip_evictions = reductions && options.skip_harmless_evictions && m.queues_never_fill();
        Policy {
            options,
            partial_order: (reductions && options.partial_order)
                .then(|| PartialOrder::new(m, skip_evictions)),
            skip_evictions,
            symmetry: reductions.then(|| PairingSymmetry::of(m)).flatten(),
        }
    }
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
            table: StateTable::new(),
            policy: Policy::new(machine, options),
        };
        x.explore();
        if x.policy.symmetry.is_some() && !x.bound_exceeded && !x.add_symmetric_finals() {
            // An image the symmetry cannot stand for: every pairing, then.
            x.policy.symmetry = None;
            x.finals.clear();
            x.deadlocks.clear();
            x.explored_states = 0;
            x.table = StateTable::new();
            x.explore();
        }
        x
    }

    /// Adds the final states of the pairings the exploration skipped, as
    /// images of those of the pairings explored in their place (see
    /// `symmetry`); false when an image cannot be told that way.
    fn add_symmetric_finals(&mut self) -> bool {
        let Some(symmetry) = &self.policy.symmetry else {
            return true;
        };
        if !self.deadlocks.is_empty() {
            return false;
        }
        let m = self.machine;
        let observed = &m.scenario.observed;
        let mut state = State::default();
        let mut images = Vec::new();
        for f in self.finals.values() {
            decode_into(m, self.table.get(f.state), &mut state);
            for s in symmetry
                .skipped
                .iter()
                .filter(|s| s.explored == state.pairing as usize)
            {
                let values: Vec<Value> = s.image.iter().map(|&k| f.values[k]).collect();
                let known = std::cell::Cell::new(true);
                let value = |o: Observable| match observed.iter().position(|&x| x == o) {
                    Some(k) => values[k],
                    None => {
                        known.set(false);
                        0
                    }
                };
                let satisfies = memory_model::condition::holds(&m.scenario.condition.prop, &value);
                let filtered_out = m
                    .scenario
                    .filter
                    .as_ref()
                    .is_some_and(|p| !memory_model::condition::holds(p, &value));
                if !known.get() || satisfies != f.satisfies || filtered_out != f.filtered_out {
                    return false;
                }
                images.push(FinalState {
                    values,
                    satisfies,
                    filtered_out,
                    state: f.state,
                });
            }
        }
        for image in images {
            self.finals.entry(image.values.clone()).or_insert(image);
        }
        true
    }

    fn explore(&mut self) {
        let m = self.machine;
        let mut buf = Vec::with_capacity(256);
        let mut initial = m.initial_state();
        canonicalize(m, &self.options, &mut initial, &mut |_| {});
        encode(m, &initial, &mut buf);
        if !self.insert(&buf, None) {
            return;
        }
        if self.options.threads > 1 {
            crate::frontier::explore(self);
        } else {
            self.explore_in_one_loop();
        }
    }

    /// Breadth first, one state at a time.
    pub(crate) fn explore_in_one_loop(&mut self) {
        let m = self.machine;
        let mut buf = Vec::with_capacity(256);
        let mut out: Vec<Transition> = Vec::new();
        let mut state = State::default();
        let mut scratch = State::default();
        let mut next = 0;
        while next < self.table.len() {
            let index = next;
            next += 1;
            if index % 1024 == 0 && self.past_deadline() {
                self.stop(Bound::Time);
                return;
            }
            decode_into(m, self.table.get(index), &mut state);
            match successors(m, &self.policy, &state, &mut out) {
                Visit::Final => self.record_final(&state, index),
                Visit::Deadlock => self.record_deadlock(&state, index),
                Visit::Expand => {
                    for &t in &out {
                        successor(m, &self.options, &state, t, &mut scratch, &mut buf);
                        if !self.insert(&buf, Some((index, t))) {
                            return;
                        }
                    }
                }
            }
        }
        self.explored_states = self.table.len();
    }

    pub(crate) fn past_deadline(&self) -> bool {
        self.options.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Adds an encoded state reached from `parent` unless it is known;
    /// false when a bound refused it (the exploration is then stopped).
    pub(crate) fn insert(&mut self, bytes: &[u8], parent: Option<(usize, Transition)>) -> bool {
        self.insert_hashed(StateTable::hash(bytes), bytes, parent)
    }

    pub(crate) fn insert_hashed(
        &mut self,
        hash: u64,
        bytes: &[u8],
        parent: Option<(usize, Transition)>,
    ) -> bool {
        let found = self.table.find_or_insert(
            hash,
            bytes,
            parent,
            self.options.states_max,
            self.options.memory_max,
        );
        match found {
            Found::Old | Found::New => true,
            Found::Refused(Full::States) => {
                self.stop(Bound::States);
                false
            }
            Found::Refused(Full::Memory) => {
                self.stop(Bound::Memory);
                false
            }
        }
    }

    pub(crate) fn stop(&mut self, bound: Bound) {
        self.bound_exceeded = true;
        self.bound_hit = Some(bound);
        self.explored_states = self.table.len();
    }

    pub(crate) fn machine(&self) -> &'m Machine<'s> {
        self.machine
    }

    pub(crate) fn options(&self) -> &ExploreOptions {
        &self.options
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The bytes the state table takes (`StateTable::memory_bytes`: the
    /// encoded states, the index, the parent table, each container at its
    /// capacity). The table is also the breadth-first queue: there is no
    /// other. Final states and deadlocks are left out: there is one per
    /// distinct outcome, a few next to the states.
    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes()
    }

    fn observed_values(&self, state: &State) -> Vec<Value> {
        let m = self.machine;
        m.scenario
            .observed
            .iter()
            .map(|&o: &Observable| m.observe(state, o))
            .collect()
    }

    pub(crate) fn record_final(&mut self, state: &State, index: usize) {
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

    pub(crate) fn record_deadlock(&mut self, state: &State, index: usize) {
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
        while let Some((parent, t)) = self.table.parent(at) {
            edges.push(t);
            at = parent;
        }
        edges.reverse();
        // Re-simulated through the one checked replayer: every edge and
        // every eager move must be enabled where the path fires it, or the
        // table holds a path the LTS does not (a defect, so a panic).
        let m = self.machine;
        let options = &self.options;
        let mut replay = PathReplay::new(m);
        let mut path = Vec::new();
        let mut eager_moves = Vec::new();
        let mut fire_eager_moves = |replay: &mut PathReplay, path: &mut Vec<PathStep>| {
            let mut state = *replay.state();
            eager_moves.clear();
            canonicalize(m, options, &mut state, &mut |t| eager_moves.push(t));
            for &t in &eager_moves {
                replay
                    .fire(t)
                    .unwrap_or_else(|e| panic!("an eager move does not replay: {e}"));
                path.push(PathStep {
                    transition: t,
                    eager: true,
                });
            }
        };
        fire_eager_moves(&mut replay, &mut path);
        for t in edges {
            replay
                .fire(t)
                .unwrap_or_else(|e| panic!("a parent edge does not replay: {e}"));
            path.push(PathStep {
                transition: t,
                eager: false,
            });
            fire_eager_moves(&mut replay, &mut path);
        }
        path
    }
}

/// What the driver makes of a visited state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visit {
    /// A complete run: an outcome.
    Final,
    /// Nothing the driver explores is enabled, and the run is not complete.
    Deadlock,
    /// The successors in the list are to be explored.
    Expand,
}

/// The transitions the driver explores from `state`, into `out`, and what
/// the state is. The one place both the sequential loop and `frontier`
/// choose successors: a reduction that narrows the enabled transitions
/// (partial order) belongs here.
pub(crate) fn successors(
    m: &Machine,
    policy: &Policy,
    state: &State,
    out: &mut Vec<Transition>,
) -> Visit {
    out.clear();
    if policy.options.reductions && m.is_complete(state) {
        return Visit::Final;
    }
    let stale = m.copies_can_be_stale();
    let skip_evictions = policy.skip_evictions;
    m.for_each_enabled(state, |t| {
        let wanted = match t {
            // Caches are explored only where copies can be stale, and the
            // reductions take no skippable eviction.
            Transition::Evict { .. } => stale && !(skip_evictions && m.is_harmless(state, t)),
            Transition::Step { .. }
            | Transition::Drain { .. }
            | Transition::Invalidate { .. }
            | Transition::Perform { .. }
            | Transition::Guess { .. }
            | Transition::PairDrain { .. } => true,
            Transition::Pairing { index } => policy
                .symmetry
                .as_ref()
                .is_none_or(|sym| !sym.skips(index as usize)),
        };
        if wanted {
            out.push(t);
        }
    });
    if !out.is_empty() {
        if let Some(por) = &policy.partial_order {
            por.narrow(m, state, out);
        }
        Visit::Expand
    } else if m.is_complete(state) {
        Visit::Final
    } else {
        Visit::Deadlock
    }
}

/// The encoding (into `buf`) of the state `t` leads to from `state`, eager
/// moves applied; `scratch` is working space.
pub(crate) fn successor(
    m: &Machine,
    options: &ExploreOptions,
    state: &State,
    t: Transition,
    scratch: &mut State,
    buf: &mut Vec<u8>,
) {
    // Copy only what the scenario uses: a whole State is several
    // kilobytes, most of it idle cores.
    let cores = m.cores();
    scratch.cores[..cores].copy_from_slice(&state.cores[..cores]);
    scratch.mem = state.mem;
    if m.config.model.is_out_of_order() {
        scratch.windows[..cores].copy_from_slice(&state.windows[..cores]);
        scratch.pair_buffers = state.pair_buffers;
        scratch.pairing = state.pairing;
    }
    m.apply(scratch, t);
    canonicalize(m, options, scratch, &mut |_| {});
    encode(m, scratch, buf);
}

/// Applies the eager moves of the reductions, reporting each.
fn canonicalize(
    m: &Machine,
    options: &ExploreOptions,
    state: &mut State,
    moved: &mut dyn FnMut(Transition),
) {
    if !options.reductions {
        return;
    }
    // A bound on eager local steps, so a local loop cannot hang us; past
    // it the state is explored as it is.
    let mut budget = 10_000;
    'again: loop {
        for c in 0..m.cores() {
            if options.eager_local_steps
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
    if !m.copies_can_be_stale() || !options.eager_dead_moves {
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

/// One transition of a path, and whether a reduction made it eagerly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStep {
    pub transition: Transition,
    pub eager: bool,
}
