//! The transitions of the machine, and the one place that says when each is
//! enabled and what it does.
//!
//! `Machine::enabled` and `Machine::apply` are the whole semantics: one match
//! arm per transition and per IR instruction, to be read beside MACHINE.md.
//! Both drivers (timed and exhaustive) call these and nothing else, so that
//! no rule exists in only one driver.

use serde::{Deserialize, Serialize};

use crate::eval::eval;
use crate::ir::{
    location_at, Address, Fence, Instr, Loc, RcuOp, RmwOp, RmwOrder, RmwResult, Scenario, Thread,
    Value, LOCK_HELD,
};
use crate::liveness::live_loads;
use crate::model::{Config, DrainOrder, ModelParameters};
use crate::state::{CoreStatus, State};

/// One atomic transition of the LTS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Transition {
    /// Core `core` executes its next instruction.
    Step { core: u8 },
    /// Slot `slot` of `core`'s store buffer becomes globally visible.
    Drain { core: u8, slot: u8 },
    /// The oldest entry of `core`'s invalidation queue is applied.
    Invalidate { core: u8 },
    /// `core` drops its copy of `loc`.
    Evict { core: u8, loc: Loc },
    /// Out of order: the instance in window slot `slot` of `core` performs
    /// (a load is satisfied, a store commits, an RMW, lock or RCU
    /// primitive takes effect).
    Perform { core: u8, slot: u8 },
    /// Out of order: fetch past the branch at `core`'s fetch pc, guessing
    /// the direction.
    Guess { core: u8, taken: bool },
    /// `power`: slot `slot` of the pair buffer of the pair whose first core
    /// is `core` reaches memory.
    PairDrain { core: u8, slot: u8 },
    /// `power`: the run's SMT pairing, the first transition of a run whose
    /// machine has several.
    Pairing { index: u8 },
}

impl Transition {
    pub fn core(&self) -> usize {
        match *self {
            Transition::Step { core }
            | Transition::Drain { core, .. }
            | Transition::Invalidate { core }
            | Transition::Evict { core, .. }
            | Transition::Perform { core, .. }
            | Transition::Guess { core, .. }
            | Transition::PairDrain { core, .. } => core as usize,
            Transition::Pairing { .. } => 0,
        }
    }
}

/// Where a load's value came from, for timelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadSource {
    /// Forwarded from the core's own store buffer.
    StoreBuffer,
    /// A valid cache copy equal to memory.
    Cache,
    /// A valid cache copy older than memory: an invalidation is still queued.
    StaleCache,
    /// A miss: read from memory, and the line is now cached.
    Memory,
    /// `power`: the SMT pair's shared buffer, a store not yet in memory.
    PairBuffer,
}

/// A value read by a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Read {
    pub loc: Loc,
    pub value: Value,
    pub source: ReadSource,
}

/// What a transition did, for timelines and timing. Computing it allocates
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    Step {
        /// The instruction executed (its index in the thread).
        pc: u16,
        read: Option<Read>,
        /// A store entered the store buffer.
        buffered: Option<(Loc, Value)>,
        /// Memory was written (write-through store, RMW, lock).
        published: Option<(Loc, Value)>,
        /// How many other cores were sent an invalidation (or lost a copy).
        invalidations: u8,
    },
    Drain {
        loc: Loc,
        value: Value,
        invalidations: u8,
    },
    Invalidate {
        loc: Loc,
    },
    Evict {
        loc: Loc,
    },
    /// A branch fetched with a guessed direction.
    Guess {
        pc: u16,
        taken: bool,
    },
    /// The run's SMT pairing was chosen.
    Pairing {
        index: u8,
    },
}

/// Why a core's next step is not enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlockReason {
    /// A fence waits for the store buffer and/or invalidation queue.
    FenceWaits,
    /// A store waits for a free store-buffer slot.
    StoreBufferFull,
    /// A write waits for a full invalidation queue of another core.
    InvalidationQueueFull,
    /// An RMW waits for store-buffer entries ahead of it.
    RmwWaitsForStoreBuffer,
    /// An access through a register waits for the invalidation queue
    /// (address-dependency rule).
    AddressDependency,
    /// The register used as an address holds no location's address.
    BadAddress,
    /// `spin_lock` of a held lock.
    LockHeld,
    /// `smp_cond_load_*` whose condition the visible value does not meet.
    ConditionNotMet,
    /// `synchronize_rcu()` while a core is inside a read-side critical
    /// section (itself included: a deadlock, as in the kernel).
    GracePeriodWaitsForReaders,
}

impl BlockReason {
    pub fn describe(self) -> &'static str {
        match self {
            BlockReason::FenceWaits => "fence waits for its buffers to empty",
            BlockReason::StoreBufferFull => "store buffer full",
            BlockReason::InvalidationQueueFull => "another core's invalidation queue is full",
            BlockReason::RmwWaitsForStoreBuffer => "RMW waits for its store buffer",
            BlockReason::AddressDependency => "dependent access waits for its invalidation queue",
            BlockReason::BadAddress => "register does not hold a location's address",
            BlockReason::LockHeld => "lock is held",
            BlockReason::ConditionNotMet => "condition not met",
            BlockReason::GracePeriodWaitsForReaders => {
                "synchronize_rcu waits for a read-side critical section to end"
            }
        }
    }
}

/// A core that is not done and cannot step, where it stands and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockedCore {
    pub core: usize,
    pub pc: usize,
    /// `None` when the step is enabled: a core of a state that is not
    /// deadlocked.
    pub reason: Option<BlockReason>,
}

/// A scenario on a configuration: the static part of the LTS. The dynamic
/// part is a [`State`].
#[derive(Clone, Debug)]
pub struct Machine<'s> {
    pub scenario: &'s Scenario,
    pub config: Config,
    pub(crate) params: ModelParameters,
    /// For each core and pc, the locations the core may still load at or
    /// after that pc (one bit each), for the exhaustive driver's reduction.
    live_loads: Vec<Vec<u32>>,
    /// Whether a thread has an RCU primitive: only then can a core's
    /// read-side depth be other than 0.
    uses_rcu: bool,
    /// For each core and expression, the registers it reads (one bit
    /// each): the out-of-order models' readiness.
    pub(crate) expr_regs: Vec<Vec<u32>>,
    /// The SMT pairings a run may have (out of order; one, empty, on arm).
    pub(crate) pairings: Vec<crate::out_of_order::Pairing>,
}

impl<'s> Machine<'s> {
    /// The scenario must have passed `Scenario::validate`.
    pub fn new(scenario: &'s Scenario, config: Config) -> Machine<'s> {
        assert!(
            scenario.validate().is_ok(),
            "a scenario that fails validation"
        );
        let live_loads = scenario
            .threads
            .iter()
            .map(|t| live_loads(t, scenario.locations.len()))
            .collect();
        let uses_rcu = scenario
            .threads
            .iter()
            .any(|t| t.instrs.iter().any(|i| matches!(i, Instr::Rcu(_))));
        let expr_regs = scenario
            .threads
            .iter()
            .map(Thread::expr_registers)
            .collect();
        let params = config.parameters();
        let pairings = if params.smt_pairs {
            match config.smt_pairs {
                // Fixed by `--smt-pairs`: the one pairing every run has.
                Some(pairing) => vec![pairing],
                None => Machine::relevant_pairings(&scenario.threads, scenario.locations.len()),
            }
        } else {
            vec![[crate::out_of_order::UNPAIRED; crate::ir::CORES_MAX]]
        };
        Machine {
            scenario,
            config,
            params,
            live_loads,
            uses_rcu,
            expr_regs,
            pairings,
        }
    }

    /// Whether the scenario uses RCU, so that read-side depths matter.
    pub fn uses_rcu(&self) -> bool {
        self.uses_rcu
    }

    pub fn cores(&self) -> usize {
        self.scenario.threads.len()
    }

    pub fn locations(&self) -> usize {
        self.scenario.locations.len()
    }

    /// The start of every run: initial memory and registers, every core
    /// holding a valid copy of every location (`warm`). Cold and drawn
    /// starts are `Evict` transitions applied by the driver at time 0.
    pub fn initial_state(&self) -> State {
        let mut s = State::default();
        for (i, l) in self.scenario.locations.iter().enumerate() {
            s.mem[i] = l.initial;
        }
        for (c, thread) in self.scenario.threads.iter().enumerate() {
            let core = &mut s.cores[c];
            core.regs[..thread.initial_registers.len()].copy_from_slice(&thread.initial_registers);
            if thread.instrs.is_empty() {
                core.status = CoreStatus::Done;
            }
            if self.out_of_order() {
                continue;
            }
            for (i, l) in self.scenario.locations.iter().enumerate() {
                core.cache.fill(Loc(i as u8), l.initial);
            }
        }
        if self.out_of_order() {
            self.initial_out_of_order(&mut s);
        }
        s
    }

    /// Whether instruction `pc` of `core` is nothing on this machine: a fence
    /// with nothing to order (MACHINE.md: on `tso`, `smp_wmb()` and
    /// `smp_rmb()` are compiler barriers; on `sc`, every fence is). Such an
    /// instruction is the same program as `barrier()`, which lowers to
    /// nothing, so the timed driver gives it no time and no draws.
    pub fn is_nothing(&self, core: usize, pc: usize) -> bool {
        let store_buffer = self.params.store_buffer && self.config.sb_depth > 0;
        let queue = self.params.invalidation_queue && self.config.iq_depth > 0;
        match self.scenario.threads[core].instrs.get(pc) {
            Some(Instr::Fence(f)) => match f.in_order() {
                Fence::Mb => !store_buffer && !queue,
                Fence::Rmb => !queue,
                _ => !store_buffer || self.params.drain != DrainOrder::PerLocation,
            },
            _ => false,
        }
    }

    /// The instruction `core` would execute next, if it is running.
    pub fn next_instr(&self, state: &State, core: usize) -> Option<Instr> {
        if self.out_of_order() {
            // The fetch pc says where fetch stands, not what runs next.
            return None;
        }
        let c = &state.cores[core];
        match c.status {
            CoreStatus::Running => self.scenario.threads[core]
                .instrs
                .get(c.pc as usize)
                .copied(),
            CoreStatus::Done => None,
        }
    }

    /// Locations `core` may still load from where it stands.
    pub fn live_loads(&self, state: &State, core: usize) -> u32 {
        let c = &state.cores[core];
        match c.status {
            CoreStatus::Running => self.live_loads[core][c.pc as usize],
            CoreStatus::Done => 0,
        }
    }

    /// Every core done and every store buffer empty: `mem` and registers can
    /// no longer change, so the outcome is final.
    pub fn is_complete(&self, state: &State) -> bool {
        if self.out_of_order() {
            return self.is_complete_out_of_order(state);
        }
        state.cores[..self.cores()]
            .iter()
            .all(|c| c.status == CoreStatus::Done && c.sb.is_empty())
    }

    /// Calls `f` with every enabled transition, in a fixed order: by core,
    /// then Step, Drains by slot, Invalidate, Evicts by location.
    pub fn for_each_enabled(&self, state: &State, mut f: impl FnMut(Transition)) {
        if self.out_of_order() {
            return self.for_each_enabled_out_of_order(state, &mut f);
        }
        for c in 0..self.cores() {
            let core = c as u8;
            if self.step_enabled(state, c) {
                f(Transition::Step { core });
            }
            for slot in 0..state.cores[c].sb.len() {
                let t = Transition::Drain {
                    core,
                    slot: slot as u8,
                };
                if self.enabled(state, t) {
                    f(t);
                }
            }
            if !state.cores[c].iq.is_empty() {
                f(Transition::Invalidate { core });
            }
            let mut valid = state.cores[c].cache.valid_mask();
            while valid != 0 {
                let loc = Loc(valid.trailing_zeros() as u8);
                valid &= valid - 1;
                f(Transition::Evict { core, loc });
            }
        }
    }

    /// Whether `t` may fire in `state` (MACHINE.md, "Transitions").
    pub fn enabled(&self, state: &State, t: Transition) -> bool {
        let core = t.core();
        if core >= self.cores() {
            return false;
        }
        if self.out_of_order() {
            return self.enabled_out_of_order(state, t);
        }
        let c = &state.cores[core];
        match t {
            Transition::Step { .. } => self.step_enabled(state, core),
            Transition::Drain { slot, .. } => {
                let slot = slot as usize;
                let Some((loc, _)) = c.sb.entries().get(slot).and_then(|e| e.store()) else {
                    return false;
                };
                let in_order = match self.params.drain {
                    DrainOrder::Fifo => slot == 0,
                    DrainOrder::PerLocation => c.sb.drainable_per_location(slot),
                };
                in_order && !self.backpressured(state, core, loc)
            }
            Transition::Invalidate { .. } => !c.iq.is_empty(),
            Transition::Evict { loc, .. } => {
                (loc.0 as usize) < self.locations() && c.cache.is_valid(loc)
            }
            Transition::Perform { .. }
            | Transition::Guess { .. }
            | Transition::PairDrain { .. }
            | Transition::Pairing { .. } => false,
        }
    }

    /// The slots of `core`'s store buffer whose `Drain` is enabled, one bit
    /// each: what `enabled` says slot by slot, found in one pass (a set of
    /// the locations met so far and of those back-pressured), not by a
    /// pass over the slots before each slot. Checked against `enabled`
    /// under the checks.
    pub fn drainable_slots(&self, state: &State, core: usize) -> u32 {
        const _: () = assert!(crate::state::SB_DEPTH_MAX * 2 <= 32);
        let sb = &state.cores[core].sb;
        let mut mask = 0u32;
        if !sb.is_empty() {
            let blocked = self.backpressured_locations(state, core);
            let mut seen = 0u32;
            for (slot, entry) in sb.entries().iter().enumerate() {
                // Nothing behind a marker drains, and the head is never one.
                let Some((loc, _)) = entry.store() else { break };
                let bit = 1u32 << loc.0;
                if (seen | blocked) & bit == 0 {
                    mask |= 1 << slot;
                }
                seen |= bit;
                if self.params.drain == DrainOrder::Fifo {
                    break;
                }
            }
        }
        if self.checks_enabled() {
            for slot in 0..sb.len() {
                let t = Transition::Drain {
                    core: core as u8,
                    slot: slot as u8,
                };
                assert_eq!(
                    mask & (1 << slot) != 0,
                    self.enabled(state, t),
                    "drainable_slots differs from enabled at slot {slot}"
                );
            }
        }
        mask
    }

    /// The locations a write by `core` would be back-pressured on: those
    /// held by another core whose invalidation queue is full.
    fn backpressured_locations(&self, state: &State, core: usize) -> u32 {
        let depth = self.config.iq_depth as usize;
        if depth == 0 {
            return 0;
        }
        state.cores[..self.cores()]
            .iter()
            .enumerate()
            .filter(|&(d, other)| d != core && other.iq.len() >= depth)
            .fold(0, |held, (_, other)| held | other.cache.valid_mask())
    }

    /// Whether `core` has a next instruction and it may execute now.
    pub fn step_enabled(&self, state: &State, core: usize) -> bool {
        match self.next_instr(state, core) {
            Some(instr) => self.instr_blocked(state, core, instr).is_none(),
            None => false,
        }
    }

    /// Why `core`'s next step cannot fire; `None` if it can or if the core
    /// is done.
    pub fn step_blocked(&self, state: &State, core: usize) -> Option<BlockReason> {
        let instr = self.next_instr(state, core)?;
        self.instr_blocked(state, core, instr)
    }

    /// The cores that are not done, each with its pc and why its step
    /// cannot fire: in a deadlocked state, the blocked cores, in core order.
    /// The one list that the exhaustive driver's deadlocks, a trace's ending
    /// and a fuzz campaign's report all give.
    pub fn blocked_cores(&self, state: &State) -> Vec<BlockedCore> {
        if self.out_of_order() {
            return self.blocked_cores_out_of_order(state);
        }
        (0..self.cores())
            .filter(|&c| self.next_instr(state, c).is_some())
            .map(|c| BlockedCore {
                core: c,
                pc: state.cores[c].pc as usize,
                reason: self.step_blocked(state, c),
            })
            .collect()
    }

    fn instr_blocked(&self, state: &State, core: usize, instr: Instr) -> Option<BlockReason> {
        let c = &state.cores[core];
        let loc = match instr.address() {
            Some(addr) => match self.resolve(state, core, addr) {
                Ok(loc) => Some(loc),
                Err(reason) => return Some(reason),
            },
            None => None,
        };
        let ok = |cond: bool, reason: BlockReason| (!cond).then_some(reason);
        match instr {
            Instr::Load { .. } => None,
            Instr::Store { .. } => {
                let loc = loc?;
                if self.config.sb_depth == 0 {
                    ok(
                        !self.backpressured(state, core, loc),
                        BlockReason::InvalidationQueueFull,
                    )
                } else {
                    ok(
                        c.sb.stores() < self.config.sb_depth as usize,
                        BlockReason::StoreBufferFull,
                    )
                }
            }
            Instr::Fence(f) => match f.in_order() {
                Fence::Mb => ok(c.sb.is_empty() && c.iq.is_empty(), BlockReason::FenceWaits),
                Fence::Rmb => ok(c.iq.is_empty(), BlockReason::FenceWaits),
                _ => None,
            },
            Instr::Rcu(op) => {
                // Every RCU primitive is a full fence (OUT-OF-ORDER.md 5).
                if !(c.sb.is_empty() && c.iq.is_empty()) {
                    return Some(BlockReason::FenceWaits);
                }
                let readers = state.cores[..self.cores()].iter().any(|d| d.nest > 0);
                ok(
                    op != RcuOp::Synchronize || !readers,
                    BlockReason::GracePeriodWaitsForReaders,
                )
            }
            Instr::Rmw { op, order, .. } => {
                let loc = loc?;
                let old = state.mem[loc.0 as usize];
                let writes = rmw_new_value(self.thread(core), &c.regs, op, old).is_some();
                self.rmw_blocked(state, core, loc, order, writes)
            }
            Instr::CondLoad { cond, .. } => {
                let loc = loc?;
                let (value, _) = self.read(state, core, loc);
                let met = eval(self.thread(core), &c.regs, value, cond) != 0;
                ok(met, BlockReason::ConditionNotMet)
            }
            Instr::Lock { .. } => {
                let loc = loc?;
                if state.mem[loc.0 as usize] != 0 {
                    return Some(BlockReason::LockHeld);
                }
                self.rmw_blocked(state, core, loc, RmwOrder::Relaxed, true)
            }
            Instr::TryLock { .. } => {
                let loc = loc?;
                let writes = state.mem[loc.0 as usize] == 0;
                self.rmw_blocked(state, core, loc, RmwOrder::Relaxed, writes)
            }
            Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => None,
        }
    }

    /// The store-buffer condition of an RMW (MACHINE.md's RMW rows), then
    /// back-pressure if it writes.
    fn rmw_blocked(
        &self,
        state: &State,
        core: usize,
        loc: Loc,
        order: RmwOrder,
        writes: bool,
    ) -> Option<BlockReason> {
        let sb = &state.cores[core].sb;
        let ready = match (order, self.params.drain) {
            (RmwOrder::Release, _) | (RmwOrder::Relaxed, DrainOrder::Fifo) => sb.is_empty(),
            (RmwOrder::Relaxed, DrainOrder::PerLocation) => {
                !sb.has_entry_for(loc) && !sb.has_marker()
            }
        };
        if !ready {
            return Some(BlockReason::RmwWaitsForStoreBuffer);
        }
        if writes && self.backpressured(state, core, loc) {
            return Some(BlockReason::InvalidationQueueFull);
        }
        None
    }

    /// The location an access goes to. Through a register, the access waits
    /// for the invalidation queue to empty: in-order execution alone does
    /// not keep an address dependency when a stale copy can be read.
    fn resolve(&self, state: &State, core: usize, addr: Address) -> Result<Loc, BlockReason> {
        match addr {
            Address::Direct(loc) => Ok(loc),
            Address::Indirect(r) => {
                let c = &state.cores[core];
                if !c.iq.is_empty() {
                    return Err(BlockReason::AddressDependency);
                }
                location_at(c.regs[r.0 as usize], self.locations()).ok_or(BlockReason::BadAddress)
            }
        }
    }

    /// A write to `loc` by `core` would have to queue an invalidation at a
    /// core whose queue is full.
    fn backpressured(&self, state: &State, core: usize, loc: Loc) -> bool {
        let depth = self.config.iq_depth as usize;
        depth > 0
            && state.cores[..self.cores()]
                .iter()
                .enumerate()
                .any(|(d, other)| d != core && other.cache.is_valid(loc) && other.iq.len() >= depth)
    }

    /// What a load of `loc` by `core` would read, and from where.
    pub fn read(&self, state: &State, core: usize, loc: Loc) -> (Value, ReadSource) {
        let c = &state.cores[core];
        if let Some(v) = c.sb.youngest(loc) {
            return (v, ReadSource::StoreBuffer);
        }
        let mem = state.mem[loc.0 as usize];
        match c.cache.get(loc) {
            Some(v) if v == mem => (v, ReadSource::Cache),
            Some(v) => (v, ReadSource::StaleCache),
            None => (mem, ReadSource::Memory),
        }
    }

    pub(crate) fn thread(&self, core: usize) -> &'s Thread {
        &self.scenario.threads[core]
    }

    /// Whether the costly checks are on (debug builds, and memory-model's
    /// `checks` feature, which the tests turn on): drivers that keep their
    /// own incremental copy of what this module computes compare it with a
    /// full recomputation when this holds.
    pub fn checks_enabled(&self) -> bool {
        cfg!(any(debug_assertions, feature = "checks"))
    }

    /// Fires `t`, which must be enabled.
    pub fn apply(&self, state: &mut State, t: Transition) -> Effect {
        if cfg!(any(debug_assertions, feature = "checks")) {
            assert!(self.enabled(state, t), "{t:?} applied while not enabled");
        }
        if self.out_of_order() {
            return self.apply_out_of_order(state, t);
        }
        let core = t.core();
        match t {
            Transition::Step { .. } => self.step(state, core),
            Transition::Drain { slot, .. } => {
                let (loc, value) = state.cores[core].sb.remove(slot as usize);
                let invalidations = self.publish(state, core, loc, value);
                Effect::Drain {
                    loc,
                    value,
                    invalidations,
                }
            }
            Transition::Invalidate { .. } => {
                let c = &mut state.cores[core];
                let loc = c.iq.pop_front();
                c.cache.invalidate(loc);
                Effect::Invalidate { loc }
            }
            Transition::Evict { loc, .. } => {
                state.cores[core].cache.invalidate(loc);
                Effect::Evict { loc }
            }
            Transition::Perform { .. }
            | Transition::Guess { .. }
            | Transition::PairDrain { .. }
            | Transition::Pairing { .. } => unreachable!("{t:?} on an in-order model"),
        }
    }

    /// `mem[loc] = value` by `core`: its own copy becomes valid, every other
    /// holder is sent an invalidation (or loses its copy at once without a
    /// queue). Returns how many holders there were.
    fn publish(&self, state: &mut State, core: usize, loc: Loc, value: Value) -> u8 {
        state.mem[loc.0 as usize] = value;
        state.cores[core].cache.fill(loc, value);
        let queued = self.config.iq_depth > 0;
        let mut sent = 0;
        for (d, other) in state.cores[..self.cores()].iter_mut().enumerate() {
            if d == core || !other.cache.is_valid(loc) {
                continue;
            }
            sent += 1;
            if queued {
                assert!(
                    other.iq.len() < self.config.iq_depth as usize,
                    "publish into a full invalidation queue"
                );
                other.iq.push(loc);
            } else {
                other.cache.invalidate(loc);
            }
        }
        sent
    }

    /// What `Step` does, one arm per instruction (MACHINE.md, "Instructions").
    fn step(&self, state: &mut State, core: usize) -> Effect {
        let thread = self.thread(core);
        let pc = state.cores[core].pc;
        let instr = thread.instrs[pc as usize];
        let loc = instr.address().map(|a| {
            self.resolve(state, core, a)
                .expect("step with an unresolved address")
        });
        let mut next_pc = pc + 1;
        let mut read = None;
        let mut buffered = None;
        let mut published = None;
        let mut invalidations = 0;
        match instr {
            Instr::Load { dst, .. } | Instr::CondLoad { dst, .. } => {
                let loc = loc.expect("load without a location");
                let (value, source) = self.read(state, core, loc);
                let c = &mut state.cores[core];
                if source == ReadSource::Memory {
                    c.cache.fill(loc, value);
                }
                c.regs[dst.0 as usize] = value;
                read = Some(Read { loc, value, source });
            }
            Instr::Store { value, .. } => {
                let loc = loc.expect("store without a location");
                let c = &mut state.cores[core];
                let v = eval(thread, &c.regs, 0, value);
                if self.config.sb_depth == 0 {
                    invalidations = self.publish(state, core, loc, v);
                    published = Some((loc, v));
                } else {
                    c.sb.push_store(loc, v);
                    assert!(c.sb.stores() <= self.config.sb_depth as usize);
                    buffered = Some((loc, v));
                }
            }
            Instr::Fence(f) => {
                // Under FIFO drain every store is already ordered.
                if f.in_order() == Fence::Wmb && self.params.drain == DrainOrder::PerLocation {
                    state.cores[core].sb.push_marker();
                }
            }
            Instr::Rcu(RcuOp::ReadLock) => state.cores[core].nest += 1,
            Instr::Rcu(RcuOp::ReadUnlock) => {
                // An unlock outside any reader is the program's error, not
                // the machine's: it leaves the depth at 0.
                let c = &mut state.cores[core];
                c.nest = c.nest.saturating_sub(1);
            }
            Instr::Rcu(RcuOp::Synchronize) => {}
            Instr::Rmw {
                dst, op, result, ..
            } => {
                let loc = loc.expect("RMW without a location");
                let old = state.mem[loc.0 as usize];
                let c = &state.cores[core];
                let new = rmw_new_value(thread, &c.regs, op, old);
                if let Some(d) = dst {
                    let r = rmw_result(result, old, new);
                    state.cores[core].regs[d.0 as usize] = r;
                }
                (read, published, invalidations) = self.rmw_effect(state, core, loc, old, new);
            }
            Instr::Lock { .. } => {
                let loc = loc.expect("lock without a location");
                let old = state.mem[loc.0 as usize];
                (read, published, invalidations) =
                    self.rmw_effect(state, core, loc, old, Some(LOCK_HELD));
            }
            Instr::TryLock { dst, .. } => {
                let loc = loc.expect("trylock without a location");
                let old = state.mem[loc.0 as usize];
                let free = old == 0;
                state.cores[core].regs[dst.0 as usize] = free as Value;
                let new = free.then_some(LOCK_HELD);
                (read, published, invalidations) = self.rmw_effect(state, core, loc, old, new);
            }
            Instr::Assign { dst, value } => {
                let c = &mut state.cores[core];
                c.regs[dst.0 as usize] = eval(thread, &c.regs, 0, value);
            }
            Instr::Branch { cond, target } => {
                let c = &state.cores[core];
                if eval(thread, &c.regs, 0, cond) != 0 {
                    next_pc = target;
                }
            }
            Instr::Jump { target } => next_pc = target,
        }
        let c = &mut state.cores[core];
        c.pc = next_pc;
        if next_pc as usize >= thread.instrs.len() {
            c.status = CoreStatus::Done;
        }
        Effect::Step {
            pc,
            read,
            buffered,
            published,
            invalidations,
        }
    }

    /// The atomic RMW effect: read `mem`, write `new` if any, leave the own
    /// copy valid with `mem`.
    fn rmw_effect(
        &self,
        state: &mut State,
        core: usize,
        loc: Loc,
        old: Value,
        new: Option<Value>,
    ) -> (Option<Read>, Option<(Loc, Value)>, u8) {
        let read = Some(Read {
            loc,
            value: old,
            source: ReadSource::Memory,
        });
        match new {
            Some(v) => {
                let sent = self.publish(state, core, loc, v);
                (read, Some((loc, v)), sent)
            }
            None => {
                state.cores[core].cache.fill(loc, old);
                (read, None, 0)
            }
        }
    }
}

/// The value an RMW writes, or `None` when it writes nothing (a failed
/// `cmpxchg` or `atomic_add_unless`).
pub fn rmw_new_value(thread: &Thread, regs: &[Value], op: RmwOp, old: Value) -> Option<Value> {
    let e = |id| eval(thread, regs, 0, id);
    match op {
        RmwOp::Xchg(v) => Some(e(v)),
        RmwOp::CmpXchg { expected, new } => (old == e(expected)).then(|| e(new)),
        RmwOp::Add(v) => Some(old.wrapping_add(e(v))),
        RmwOp::AddUnless { add, unless } => (old != e(unless)).then(|| old.wrapping_add(e(add))),
        RmwOp::And(v) => Some(old & e(v)),
        RmwOp::Or(v) => Some(old | e(v)),
        RmwOp::Xor(v) => Some(old ^ e(v)),
        RmwOp::AndNot(v) => Some(old & !e(v)),
    }
}

pub fn rmw_result(result: RmwResult, old: Value, new: Option<Value>) -> Value {
    match result {
        RmwResult::Old => old,
        RmwResult::New => new.unwrap_or(old),
        RmwResult::NewIsZero => (new.unwrap_or(old) == 0) as Value,
        RmwResult::NewIsNegative => (new.unwrap_or(old) < 0) as Value,
        RmwResult::Succeeded => new.is_some() as Value,
    }
}
