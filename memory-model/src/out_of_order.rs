//! The out-of-order models `arm` and `power` (OUT-OF-ORDER.md): each core
//! fetches its instructions into a window of instances and performs them
//! out of program order, under the blocking rules of its section 3; on
//! `power`, SMT pairs share a store buffer.
//!
//! To be read beside the spec: `settle` is section 2 (the local rules, run
//! to a fixpoint inside every transition), `satisfy_blocked`,
//! `commit_blocked` and `rmw_blocked` are 3.1-3.3, `PairDrain` is 3.5, and
//! `pairings` is the topology of section 6. A branch whose condition is not
//! ready at fetch stops fetch until a `Guess` transition picks a direction;
//! while one is pending, guesses are the only transitions enabled, so that a
//! guess is made at once, as the spec's eager fetch makes it.

use crate::eval::eval;
use crate::ir::{
    location_at, Address, Fence, Instr, Loc, RcuOp, RmwOrder, Thread, Value, CORES_MAX, LOCK_HELD,
    REGISTERS_MAX,
};
use crate::state::{CoreStatus, PairBuffer, State, PAIRING_UNCHOSEN, PAIRS_MAX, PAIR_SLOTS};
use crate::transition::{
    rmw_new_value, rmw_result, BlockReason, BlockedCore, Effect, Machine, Read, ReadSource,
    Transition,
};

/// A core with no SMT sibling.
pub const UNPAIRED: u8 = u8::MAX;

/// Which pair each core belongs to (`UNPAIRED` for none); pairs are
/// numbered from 0 in the order of their lower core.
pub type Pairing = [u8; CORES_MAX];

/// How many fetch, settle and retire rounds one fixpoint may take: a
/// bound, so that a program looping on ready branches cannot hang us.
const FIXPOINT_BUDGET: usize = 4096;

/// The registers instance `slot` sees (OUT-OF-ORDER.md 1, "Register
/// view"): values, and which are pending (written by an older instance
/// that is not done).
#[derive(Clone, Copy)]
pub(crate) struct View {
    regs: [Value; REGISTERS_MAX],
    pending: u32,
}

impl View {
    /// The view before the oldest instance: the retired registers.
    fn of(state: &State, core: usize) -> View {
        View {
            regs: state.cores[core].regs,
            pending: 0,
        }
    }

    /// The view after instance `i` (of instruction `instr`): its register
    /// holds its value if it is done, else is pending.
    fn pass(&mut self, instr: &Instr, i: &crate::state::Instance) {
        if let Some(r) = written_register(instr) {
            let bit = 1u32 << r;
            if i.done {
                self.regs[r] = i.val;
                self.pending &= !bit;
            } else {
                self.pending |= bit;
            }
        }
    }
}

/// What an older instance that is not done yet is, one bit each: what the
/// blocking rules ask of the instances before the one they judge.
#[derive(Clone, Copy, Default)]
struct Older {
    bits: u32,
    /// Locations of older memory instances not done (known addresses).
    memory_at: u32,
    /// Locations of older loads, RMWs and locks not done.
    reads_at: u32,
    /// An older memory instance whose address is not known.
    unknown_address: bool,
}

const LOAD: u32 = 1 << 0;
const STORE: u32 = 1 << 1;
const RMW_RETURNING: u32 = 1 << 2;
const RMW_VOID: u32 = 1 << 3;
const LOCK: u32 = 1 << 4;
const MB: u32 = 1 << 5;
const RMB: u32 = 1 << 6;
const WMB: u32 = 1 << 7;
const REL: u32 = 1 << 8;
const ACQ: u32 = 1 << 9;
const RCU: u32 = 1 << 10;
const BRANCH: u32 = 1 << 11;
/// An older release store or release RMW not done (arm's RCsc rule).
const RELEASE_ACCESS: u32 = 1 << 12;

const FENCES: u32 = MB | RMB | WMB | REL | ACQ | RCU;
const MEMORY: u32 = LOAD | STORE | RMW_RETURNING | RMW_VOID | LOCK;

/// Where an access goes, as far as the instance knows.
enum Target {
    Unknown,
    /// Its register holds no location's address: it can never perform.
    Bad,
    At(Loc),
}

impl Machine<'_> {
    pub(crate) fn out_of_order(&self) -> bool {
        self.params.out_of_order
    }

    /// The pair `core` belongs to in `state`'s pairing.
    pub fn pair_of(&self, state: &State, core: usize) -> Option<usize> {
        let pairing = self.pairings.get(state.pairing as usize)?;
        let p = pairing[core];
        (p != UNPAIRED).then_some(p as usize)
    }

    /// The pairings a run may have: on `power`, the maximal matchings of the
    /// cores that can matter to each other (OUT-OF-ORDER.md 6); otherwise
    /// none paired.
    pub fn pairings(&self) -> &[Pairing] {
        &self.pairings
    }

    /// The cores whose transitions share state with `core`'s, one bit
    /// each: itself and, on `power`, its SMT sibling (their pair buffer).
    pub fn unit_of(&self, state: &State, core: usize) -> u32 {
        let own = 1u32 << core;
        let Some(p) = self.pair_of(state, core) else {
            return own;
        };
        let pairing = &self.pairings[state.pairing as usize];
        (0..self.cores())
            .filter(|&c| pairing[c] as usize == p)
            .fold(own, |m, c| m | 1 << c)
    }

    /// The location instance `slot` of `core` accesses, where known.
    pub(crate) fn instance_location(&self, state: &State, core: usize, slot: usize) -> Option<Loc> {
        let i = state.windows[core].get(slot)?;
        let addr = self.thread(core).instrs[i.pc as usize].address()?;
        match self.target(&self.view(state, core, slot), addr) {
            Target::At(l) => Some(l),
            Target::Unknown | Target::Bad => None,
        }
    }

    /// Whether the instruction at `pc` of `core`'s thread accesses memory
    /// or orders accesses: what a witness names when a younger one
    /// performs ahead of it.
    pub fn orders_or_accesses(&self, core: usize, pc: usize) -> bool {
        !matches!(
            self.thread(core).instrs[pc],
            Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. }
        )
    }

    /// Whether instance `slot` of `core` is a store that commits straight
    /// to memory: `core` shares no pair buffer.
    pub fn commits_to_memory(&self, state: &State, core: usize, slot: usize) -> bool {
        let Some(i) = state.windows[core].get(slot) else {
            return false;
        };
        matches!(self.thread(core).instrs[i.pc as usize], Instr::Store { .. })
            && self.pair_of(state, core).is_none()
    }

    /// Whether an instance in `core`'s window waits for what only another
    /// core can change: a lock to be freed, a value that meets a
    /// condition, the readers to leave (a grace period). Other waits are
    /// on the core's own instances and its pair buffer.
    pub fn waits_for_other_cores(&self, state: &State, core: usize) -> bool {
        (0..state.windows[core].len()).any(|slot| {
            matches!(
                self.perform_blocked(state, core, slot),
                Some(
                    BlockReason::LockHeld
                        | BlockReason::ConditionNotMet
                        | BlockReason::GracePeriodWaitsForReaders
                )
            )
        })
    }

    /// The first core of pair `pair` in `state`'s pairing.
    fn pair_core(&self, state: &State, pair: usize) -> Option<usize> {
        let pairing = self.pairings.get(state.pairing as usize)?;
        (0..self.cores()).find(|&c| pairing[c] as usize == pair)
    }

    pub(crate) fn initial_out_of_order(&self, state: &mut State) {
        state.pairing = if self.pairings.len() > 1 {
            PAIRING_UNCHOSEN
        } else {
            0
        };
        for c in 0..self.cores() {
            self.settle(state, c);
        }
    }

    /// The registers `core`'s instance at `slot` sees.
    fn view(&self, state: &State, core: usize, slot: usize) -> View {
        let thread = self.thread(core);
        let mut view = View::of(state, core);
        for i in &state.windows[core].instances()[..slot] {
            view.pass(&thread.instrs[i.pc as usize], i);
        }
        view
    }

    fn ready(&self, core: usize, view: &View, expr: crate::ir::ExprId) -> bool {
        self.expr_regs[core][expr.0 as usize] & view.pending == 0
    }

    fn target(&self, view: &View, addr: Address) -> Target {
        match addr {
            Address::Direct(l) => Target::At(l),
            Address::Indirect(r) => {
                if view.pending & (1 << r.0) != 0 {
                    Target::Unknown
                } else {
                    match location_at(view.regs[r.0 as usize], self.locations()) {
                        Some(l) => Target::At(l),
                        None => Target::Bad,
                    }
                }
            }
        }
    }

    /// What the instances before `slot` that are not done are.
    fn older(&self, state: &State, core: usize, slot: usize) -> Older {
        let thread = self.thread(core);
        let mut older = Older::default();
        let window = &state.windows[core];
        // The view of each instance, kept as the loop goes (what `view`
        // computes, in one pass rather than one per instance: this runs for
        // every slot after every transition of the timed driver).
        let mut view = View::of(state, core);
        for i in &window.instances()[..slot] {
            let pc = i.pc as usize;
            let instr = thread.instrs[pc];
            // The instance's own target, on the view before it; then its
            // register write, for the younger ones.
            if !i.done {
                older.bits |= kind(thread, pc);
                if let Some(addr) = instr.address() {
                    match self.target(&view, addr) {
                        Target::Unknown => older.unknown_address = true,
                        Target::Bad => {}
                        Target::At(l) => {
                            older.memory_at |= 1 << l.0;
                            if !matches!(instr, Instr::Store { .. }) {
                                older.reads_at |= 1 << l.0;
                            }
                        }
                    }
                }
            }
            view.pass(&instr, i);
        }
        older
    }

    /// The local rules of OUT-OF-ORDER.md 2 (fetch, assignments, branch
    /// resolution, fence completion, retire) on `core`, to a fixpoint.
    pub(crate) fn settle(&self, state: &mut State, core: usize) {
        let thread = self.thread(core);
        let mut budget = FIXPOINT_BUDGET;
        loop {
            budget -= 1;
            // A retire makes room in a full window: fetch goes on.
            let changed = self.fetch(state, core)
                | self.settle_window(state, core)
                | self.retire(state, core);
            if !changed || budget == 0 {
                break;
            }
        }
        let c = &mut state.cores[core];
        if c.pc as usize >= thread.instrs.len() && state.windows[core].is_empty() {
            c.status = CoreStatus::Done;
        }
    }

    /// Fetches until the end, a full window, or a branch whose condition is
    /// not ready (a guess is then pending).
    fn fetch(&self, state: &mut State, core: usize) -> bool {
        let thread = self.thread(core);
        let mut changed = false;
        let mut budget = FIXPOINT_BUDGET;
        while budget > 0 {
            budget -= 1;
            let fpc = state.cores[core].pc as usize;
            let Some(&instr) = thread.instrs.get(fpc) else {
                break;
            };
            // `--rob`: a full window stops fetch (fewer behaviours, never more).
            if state.windows[core].len() >= self.config.window() {
                break;
            }
            match instr {
                Instr::Jump { target } => state.cores[core].pc = target,
                Instr::Branch { cond, target } => {
                    let len = state.windows[core].len();
                    let view = self.view(state, core, len);
                    if !self.ready(core, &view, cond) {
                        break;
                    }
                    let taken = eval(thread, &view.regs, 0, cond) != 0;
                    state.cores[core].pc = if taken { target } else { fpc as u16 + 1 };
                }
                _ => {
                    state.windows[core].push(fpc as u16);
                    state.cores[core].pc = fpc as u16 + 1;
                }
            }
            changed = true;
        }
        changed
    }

    /// Whether `core` waits for a guess: fetch stopped at a branch whose
    /// condition is not ready.
    pub fn guess_pending(&self, state: &State, core: usize) -> bool {
        let thread = self.thread(core);
        let fpc = state.cores[core].pc as usize;
        let window = &state.windows[core];
        match thread.instrs.get(fpc) {
            Some(Instr::Branch { cond, .. }) if window.len() < self.config.window() => {
                let view = self.view(state, core, window.len());
                !self.ready(core, &view, *cond)
            }
            _ => false,
        }
    }

    /// One pass over the window in program order: assignments whose
    /// operands are ready, branches whose condition is ready (squashing a
    /// wrong guess), fences whose condition holds.
    fn settle_window(&self, state: &mut State, core: usize) -> bool {
        let thread = self.thread(core);
        let mut changed = false;
        let mut slot = 0;
        while slot < state.windows[core].len() {
            let i = state.windows[core].instances()[slot];
            if !i.done {
                let pc = i.pc as usize;
                match thread.instrs[pc] {
                    Instr::Assign { value, .. } => {
                        let view = self.view(state, core, slot);
                        if self.ready(core, &view, value) {
                            let v = eval(thread, &view.regs, 0, value);
                            state.windows[core].finish(slot, v);
                            changed = true;
                        }
                    }
                    Instr::Branch { cond, target } => {
                        let view = self.view(state, core, slot);
                        if self.ready(core, &view, cond) {
                            let taken = eval(thread, &view.regs, 0, cond) != 0;
                            if taken != (i.val != 0) {
                                // A wrong guess: everything younger goes.
                                state.windows[core].truncate(slot + 1);
                                state.cores[core].pc = if taken { target } else { pc as u16 + 1 };
                            }
                            state.windows[core].finish(slot, taken as Value);
                            changed = true;
                        }
                    }
                    Instr::Fence(f) if self.fence_completes(state, core, slot, f) => {
                        if matches!(f, Fence::Wmb | Fence::Release) {
                            if let Some(p) = self.pair_of(state, core) {
                                state.pair_buffers[p].push_marker(core as u8);
                            }
                        }
                        state.windows[core].finish(slot, 0);
                        changed = true;
                    }
                    _ => {}
                }
            }
            slot += 1;
        }
        changed
    }

    /// OUT-OF-ORDER.md 2, rule 4. Each fence also waits for the older
    /// fences and RCU primitives of the kinds it waits for, and for `mb`
    /// and RCU ones always (stronger than the table where that changes
    /// nothing: an older `mb` blocks what a younger fence would order).
    fn fence_completes(&self, state: &State, core: usize, slot: usize, f: Fence) -> bool {
        if f == Fence::Acquire {
            // Only the acquiring access just before it (retired: done).
            return slot == 0 || state.windows[core].instances()[slot - 1].done;
        }
        let older = self.older(state, core, slot);
        let waits = match f {
            Fence::Mb | Fence::Release => MEMORY | FENCES,
            Fence::Rmb => LOAD | RMW_RETURNING | LOCK | RMB | ACQ | MB | RCU,
            Fence::Wmb => STORE | RMW_RETURNING | RMW_VOID | LOCK | WMB | REL | MB | RCU,
            Fence::Acquire => unreachable!(),
        };
        if older.bits & waits != 0 {
            return false;
        }
        let pair = self.pair_of(state, core).map(|p| &state.pair_buffers[p]);
        match (f, pair) {
            // Cumulativity: the pair's buffer is empty.
            (Fence::Mb, Some(pb)) => pb.is_empty(),
            // Room for the marker.
            (Fence::Wmb | Fence::Release, Some(pb)) => pb.len() < PAIR_SLOTS,
            _ => true,
        }
    }

    /// Retires the done instances at the head of the window; whether any.
    fn retire(&self, state: &mut State, core: usize) -> bool {
        let thread = self.thread(core);
        let mut retired = false;
        while state.windows[core].get(0).is_some_and(|i| i.done) {
            let i = state.windows[core].pop_front();
            if let Some(r) = written_register(&thread.instrs[i.pc as usize]) {
                state.cores[core].regs[r] = i.val;
            }
            retired = true;
        }
        retired
    }

    /// Whether any core waits for a guess: then only the lowest such core's
    /// guesses are enabled.
    fn first_guess(&self, state: &State) -> Option<usize> {
        (0..self.cores()).find(|&c| self.guess_pending(state, c))
    }

    pub(crate) fn for_each_enabled_out_of_order(
        &self,
        state: &State,
        f: &mut impl FnMut(Transition),
    ) {
        if state.pairing == PAIRING_UNCHOSEN {
            for index in 0..self.pairings.len() {
                f(Transition::Pairing { index: index as u8 });
            }
            return;
        }
        if let Some(c) = self.first_guess(state) {
            f(Transition::Guess {
                core: c as u8,
                taken: false,
            });
            f(Transition::Guess {
                core: c as u8,
                taken: true,
            });
            return;
        }
        for c in 0..self.cores() {
            for slot in 0..state.windows[c].len() {
                let t = Transition::Perform {
                    core: c as u8,
                    slot: slot as u8,
                };
                if self.perform_blocked(state, c, slot).is_none() {
                    f(t);
                }
            }
            if let Some(p) = self.pair_of(state, c) {
                if self.pair_core(state, p) == Some(c) {
                    let pb = &state.pair_buffers[p];
                    for slot in 0..pb.len() {
                        if pb.drainable(slot) {
                            f(Transition::PairDrain {
                                core: c as u8,
                                slot: slot as u8,
                            });
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn enabled_out_of_order(&self, state: &State, t: Transition) -> bool {
        if let Transition::Pairing { index } = t {
            return state.pairing == PAIRING_UNCHOSEN && (index as usize) < self.pairings.len();
        }
        if state.pairing == PAIRING_UNCHOSEN {
            return false;
        }
        let guess = self.first_guess(state);
        match t {
            Transition::Guess { core, .. } => guess == Some(core as usize),
            _ if guess.is_some() => false,
            Transition::Perform { core, slot } => {
                let core = core as usize;
                (slot as usize) < state.windows[core].len()
                    && self.perform_blocked(state, core, slot as usize).is_none()
            }
            Transition::PairDrain { core, slot } => {
                let core = core as usize;
                match self.pair_of(state, core) {
                    Some(p) => {
                        self.pair_core(state, p) == Some(core)
                            && state.pair_buffers[p].drainable(slot as usize)
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }

    /// Why the instance at `slot` cannot perform now (`None`: it can).
    /// Instances that perform nothing (local ones, fences) are never
    /// enabled: the local rules finish them.
    fn perform_blocked(&self, state: &State, core: usize, slot: usize) -> Option<BlockReason> {
        let thread = self.thread(core);
        let i = state.windows[core].instances()[slot];
        if i.done {
            return Some(BlockReason::FenceWaits);
        }
        let pc = i.pc as usize;
        let instr = thread.instrs[pc];
        match instr {
            Instr::Load { addr, .. } | Instr::CondLoad { addr, .. } => {
                self.satisfy(state, core, slot, addr).err()
            }
            Instr::Store { addr, value } => {
                let view = self.view(state, core, slot);
                let loc = match self.target(&view, addr) {
                    Target::At(l) => l,
                    Target::Unknown => return Some(BlockReason::AddressDependency),
                    Target::Bad => return Some(BlockReason::BadAddress),
                };
                if !self.ready(core, &view, value) {
                    return Some(BlockReason::AddressDependency);
                }
                let older = self.older(state, core, slot);
                if self.commit_blocked(&older, loc) {
                    return Some(BlockReason::FenceWaits);
                }
                match self.pair_of(state, core) {
                    Some(p) if !state.pair_buffers[p].has_room() => {
                        Some(BlockReason::StoreBufferFull)
                    }
                    _ => None,
                }
            }
            Instr::Rmw { addr, .. } | Instr::Lock { addr } | Instr::TryLock { addr, .. } => {
                let view = self.view(state, core, slot);
                let loc = match self.target(&view, addr) {
                    Target::At(l) => l,
                    Target::Unknown => return Some(BlockReason::AddressDependency),
                    Target::Bad => return Some(BlockReason::BadAddress),
                };
                if !rmw_operands(thread, &instr)
                    .iter()
                    .all(|&e| self.ready(core, &view, e))
                {
                    return Some(BlockReason::AddressDependency);
                }
                let older = self.older(state, core, slot);
                if self.commit_blocked(&older, loc) {
                    return Some(BlockReason::FenceWaits);
                }
                let release = matches!(
                    instr,
                    Instr::Rmw {
                        order: RmwOrder::Release,
                        ..
                    }
                );
                if release && older.bits & MEMORY != 0 {
                    return Some(BlockReason::RmwWaitsForStoreBuffer);
                }
                if let Some(p) = self.pair_of(state, core) {
                    let pb = &state.pair_buffers[p];
                    let waits = if release {
                        !pb.is_empty()
                    } else {
                        pb.has_entry_for(loc) || pb.has_marker_of(core as u8)
                    };
                    if waits {
                        return Some(BlockReason::RmwWaitsForStoreBuffer);
                    }
                }
                if matches!(instr, Instr::Lock { .. }) && state.mem[loc.0 as usize] != 0 {
                    return Some(BlockReason::LockHeld);
                }
                None
            }
            Instr::Rcu(op) => {
                // Every older instance done (then retired: it is the oldest).
                if slot != 0 {
                    return Some(BlockReason::FenceWaits);
                }
                if let Some(p) = self.pair_of(state, core) {
                    if !state.pair_buffers[p].is_empty() {
                        return Some(BlockReason::FenceWaits);
                    }
                }
                let readers = state.cores[..self.cores()].iter().any(|c| c.nest > 0);
                (op == RcuOp::Synchronize && readers)
                    .then_some(BlockReason::GracePeriodWaitsForReaders)
            }
            Instr::Fence(_) | Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => {
                Some(BlockReason::FenceWaits)
            }
        }
    }

    /// OUT-OF-ORDER.md 3.2's blocking rules for a store or RMW to `loc`.
    fn commit_blocked(&self, older: &Older, loc: Loc) -> bool {
        older.bits & (MB | RMB | ACQ | RCU | WMB | REL | BRANCH) != 0
            || older.unknown_address
            || older.memory_at & (1 << loc.0) != 0
    }

    /// OUT-OF-ORDER.md 3.1: the location and the value load `slot` would
    /// read, with where from, or why it cannot be satisfied.
    fn satisfy(
        &self,
        state: &State,
        core: usize,
        slot: usize,
        addr: Address,
    ) -> Result<(Loc, Value, ReadSource), BlockReason> {
        let thread = self.thread(core);
        let view = self.view(state, core, slot);
        let loc = match self.target(&view, addr) {
            Target::At(l) => l,
            Target::Unknown => return Err(BlockReason::AddressDependency),
            Target::Bad => return Err(BlockReason::BadAddress),
        };
        let older = self.older(state, core, slot);
        if older.bits & (MB | RMB | ACQ | RCU) != 0
            || older.unknown_address
            || older.reads_at & (1 << loc.0) != 0
        {
            return Err(BlockReason::FenceWaits);
        }
        let pc = state.windows[core].instances()[slot].pc as usize;
        let acquire = thread.instrs.get(pc + 1) == Some(&Instr::Fence(Fence::Acquire));
        if self.params.acquire_after_release && acquire && older.bits & RELEASE_ACCESS != 0 {
            return Err(BlockReason::FenceWaits);
        }
        // The youngest older store to `loc` not done forwards its data.
        let window = state.windows[core].instances();
        let mut forwarded = None;
        for (s, i) in window[..slot].iter().enumerate().rev() {
            let instr = thread.instrs[i.pc as usize];
            let Instr::Store { addr, value } = instr else {
                if matches!(
                    instr,
                    Instr::Rmw { .. } | Instr::Lock { .. } | Instr::TryLock { .. }
                ) {
                    let v = self.view(state, core, s);
                    if matches!(self.target(&v, instr.address().unwrap()), Target::At(l) if l == loc)
                    {
                        break;
                    }
                }
                continue;
            };
            let v = self.view(state, core, s);
            if !matches!(self.target(&v, addr), Target::At(l) if l == loc) {
                continue;
            }
            if !i.done {
                if !self.ready(core, &v, value) {
                    return Err(BlockReason::AddressDependency);
                }
                forwarded = Some(eval(thread, &v.regs, 0, value));
            }
            break;
        }
        let (value, source) = match forwarded {
            Some(v) => (v, ReadSource::StoreBuffer),
            None => match self
                .pair_of(state, core)
                .and_then(|p| state.pair_buffers[p].youngest(loc))
            {
                Some(v) => (v, ReadSource::PairBuffer),
                None => (state.mem[loc.0 as usize], ReadSource::Memory),
            },
        };
        if let Instr::CondLoad { cond, .. } = thread.instrs[pc] {
            if eval(thread, &view.regs, value, cond) == 0 {
                return Err(BlockReason::ConditionNotMet);
            }
        }
        Ok((loc, value, source))
    }

    pub(crate) fn apply_out_of_order(&self, state: &mut State, t: Transition) -> Effect {
        let effect = match t {
            Transition::Pairing { index } => {
                state.pairing = index;
                Effect::Pairing { index }
            }
            Transition::Guess { core, taken } => {
                let c = core as usize;
                let pc = state.cores[c].pc;
                let Instr::Branch { target, .. } = self.thread(c).instrs[pc as usize] else {
                    unreachable!("a guess at a pc that is no branch");
                };
                state.windows[c].push_instance(crate::state::Instance {
                    pc,
                    done: false,
                    val: taken as Value,
                });
                state.cores[c].pc = if taken { target } else { pc + 1 };
                Effect::Guess { pc, taken }
            }
            Transition::PairDrain { core, slot } => {
                let p = self
                    .pair_of(state, core as usize)
                    .expect("a drain of an unpaired core");
                let (loc, value) = state.pair_buffers[p].remove(slot as usize);
                state.mem[loc.0 as usize] = value;
                Effect::Drain {
                    loc,
                    value,
                    invalidations: 0,
                }
            }
            Transition::Perform { core, slot } => self.perform(state, core as usize, slot as usize),
            _ => unreachable!("{t:?} on an out-of-order model"),
        };
        // The local rules run to a fixpoint after every transition; a
        // drain or a commit can complete another core's fence, an RCU
        // primitive another core's grace period.
        for c in 0..self.cores() {
            self.settle(state, c);
        }
        effect
    }

    fn perform(&self, state: &mut State, core: usize, slot: usize) -> Effect {
        let thread = self.thread(core);
        let i = state.windows[core].instances()[slot];
        let pc = i.pc;
        let instr = thread.instrs[pc as usize];
        let view = self.view(state, core, slot);
        let mut effect_read = None;
        let mut buffered = None;
        let mut published = None;
        match instr {
            Instr::Load { addr, .. } | Instr::CondLoad { addr, .. } => {
                let (loc, value, source) = self
                    .satisfy(state, core, slot, addr)
                    .expect("a load satisfied while blocked");
                state.windows[core].finish(slot, value);
                effect_read = Some(Read { loc, value, source });
            }
            Instr::Store { addr, value } => {
                let Target::At(loc) = self.target(&view, addr) else {
                    unreachable!("a store committed without its address");
                };
                let v = eval(thread, &view.regs, 0, value);
                match self.pair_of(state, core) {
                    Some(p) => {
                        state.pair_buffers[p].push_store(loc, v, core as u8);
                        buffered = Some((loc, v));
                    }
                    None => {
                        state.mem[loc.0 as usize] = v;
                        published = Some((loc, v));
                    }
                }
                state.windows[core].finish(slot, 0);
            }
            Instr::Rmw {
                addr, op, result, ..
            } => {
                let Target::At(loc) = self.target(&view, addr) else {
                    unreachable!("an RMW without its address");
                };
                let old = state.mem[loc.0 as usize];
                let new = rmw_new_value(thread, &view.regs, op, old);
                if let Some(v) = new {
                    state.mem[loc.0 as usize] = v;
                    published = Some((loc, v));
                }
                state.windows[core].finish(slot, rmw_result(result, old, new));
                effect_read = Some(Read {
                    loc,
                    value: old,
                    source: ReadSource::Memory,
                });
            }
            Instr::Lock { addr } | Instr::TryLock { addr, .. } => {
                let Target::At(loc) = self.target(&view, addr) else {
                    unreachable!("a lock without its address");
                };
                let old = state.mem[loc.0 as usize];
                let free = old == 0;
                if free {
                    state.mem[loc.0 as usize] = LOCK_HELD;
                    published = Some((loc, LOCK_HELD));
                }
                state.windows[core].finish(slot, free as Value);
                effect_read = Some(Read {
                    loc,
                    value: old,
                    source: ReadSource::Memory,
                });
            }
            Instr::Rcu(op) => {
                let c = &mut state.cores[core];
                match op {
                    RcuOp::ReadLock => c.nest += 1,
                    RcuOp::ReadUnlock => c.nest = c.nest.saturating_sub(1),
                    RcuOp::Synchronize => {}
                }
                state.windows[core].finish(slot, 0);
            }
            Instr::Fence(_) | Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => {
                unreachable!("a local instance performed")
            }
        }
        Effect::Step {
            pc,
            read: effect_read,
            buffered,
            published,
            invalidations: 0,
        }
    }

    /// Every core fetched to the end with an empty window, every pair
    /// buffer empty.
    pub(crate) fn is_complete_out_of_order(&self, state: &State) -> bool {
        state.pairing != PAIRING_UNCHOSEN
            && state.cores[..self.cores()]
                .iter()
                .all(|c| c.status == CoreStatus::Done)
            && state.pair_buffers.iter().all(PairBuffer::is_empty)
    }

    /// The cores not done, each at its oldest instance (or its fetch pc),
    /// and why that instance cannot perform.
    pub(crate) fn blocked_cores_out_of_order(&self, state: &State) -> Vec<BlockedCore> {
        (0..self.cores())
            .filter(|&c| state.cores[c].status != CoreStatus::Done)
            .map(|c| {
                let window = &state.windows[c];
                let (pc, reason) = match window.get(0) {
                    Some(i) => (i.pc as usize, self.perform_blocked(state, c, 0)),
                    None => (state.cores[c].pc as usize, None),
                };
                BlockedCore {
                    core: c,
                    pc,
                    reason,
                }
            })
            .collect()
    }

    /// The maximal matchings of the relevance graph (OUT-OF-ORDER.md 6):
    /// cores `i` and `j` are linked when one has a plain load of a location
    /// the other may store (through a register: any location).
    pub(crate) fn relevant_pairings(threads: &[Thread], locations: usize) -> Vec<Pairing> {
        let all = if locations >= 32 {
            u32::MAX
        } else {
            (1u32 << locations) - 1
        };
        let mask = |t: &Thread, loads: bool| {
            t.instrs.iter().fold(0u32, |m, i| {
                let at = |a: Address| match a {
                    Address::Direct(l) => 1u32 << l.0,
                    Address::Indirect(_) => all,
                };
                m | match (*i, loads) {
                    (Instr::Load { addr, .. } | Instr::CondLoad { addr, .. }, true) => at(addr),
                    (
                        Instr::Store { addr, .. }
                        | Instr::Rmw { addr, .. }
                        | Instr::Lock { addr }
                        | Instr::TryLock { addr, .. },
                        false,
                    ) => at(addr),
                    _ => 0,
                }
            })
        };
        let n = threads.len();
        let loads: Vec<u32> = threads.iter().map(|t| mask(t, true)).collect();
        let stores: Vec<u32> = threads.iter().map(|t| mask(t, false)).collect();
        let linked = |i: usize, j: usize| loads[i] & stores[j] != 0 || loads[j] & stores[i] != 0;
        let mut out = Vec::new();
        let mut partner = vec![usize::MAX; n];
        matchings(0, n, &linked, &mut partner, &mut out);
        out
    }
}

/// Enumerates the matchings of cores `from..n` (those before are decided),
/// keeping the maximal ones: no two unmatched cores linked.
fn matchings(
    from: usize,
    n: usize,
    linked: &dyn Fn(usize, usize) -> bool,
    partner: &mut Vec<usize>,
    out: &mut Vec<Pairing>,
) {
    if from == n {
        let free: Vec<usize> = (0..n).filter(|&c| partner[c] == usize::MAX).collect();
        let maximal = free
            .iter()
            .all(|&a| free.iter().all(|&b| a == b || !linked(a, b)));
        if maximal {
            out.push(pairing_of_partners(&partner[..n]));
        }
        return;
    }
    if partner[from] != usize::MAX {
        return matchings(from + 1, n, linked, partner, out);
    }
    matchings(from + 1, n, linked, partner, out);
    for j in from + 1..n {
        if partner[j] == usize::MAX && linked(from, j) {
            partner[from] = j;
            partner[j] = from;
            matchings(from + 1, n, linked, partner, out);
            partner[from] = usize::MAX;
            partner[j] = usize::MAX;
        }
    }
}

/// The register an instruction's instance writes, if any.
/// The pairing where core `c` is paired with `partner[c]` (`usize::MAX`:
/// unpaired), pairs numbered from 0 in the order of their lower core.
pub(crate) fn pairing_of_partners(partner: &[usize]) -> Pairing {
    let mut pairing = [UNPAIRED; CORES_MAX];
    let mut next = 0u8;
    for (c, &p) in partner.iter().enumerate() {
        if p != usize::MAX && p > c {
            pairing[c] = next;
            pairing[p] = next;
            next += 1;
        }
    }
    debug_assert!((next as usize) <= PAIRS_MAX);
    pairing
}

fn written_register(instr: &Instr) -> Option<usize> {
    match *instr {
        Instr::Load { dst, .. } | Instr::CondLoad { dst, .. } | Instr::TryLock { dst, .. } => {
            Some(dst.0 as usize)
        }
        Instr::Rmw { dst, .. } => dst.map(|d| d.0 as usize),
        Instr::Assign { dst, .. } => Some(dst.0 as usize),
        _ => None,
    }
}

/// The expressions an RMW computes its write from.
fn rmw_operands(thread: &Thread, instr: &Instr) -> Vec<crate::ir::ExprId> {
    use crate::ir::RmwOp;
    let _ = thread;
    match *instr {
        Instr::Rmw { op, .. } => match op {
            RmwOp::Xchg(e)
            | RmwOp::Add(e)
            | RmwOp::And(e)
            | RmwOp::Or(e)
            | RmwOp::Xor(e)
            | RmwOp::AndNot(e) => vec![e],
            RmwOp::CmpXchg { expected, new } => vec![expected, new],
            RmwOp::AddUnless { add, unless } => vec![add, unless],
        },
        _ => Vec::new(),
    }
}

/// What an instance of the instruction at `pc` is, for the blocking rules.
fn kind(thread: &Thread, pc: usize) -> u32 {
    let release_store = pc > 0 && thread.instrs[pc - 1] == Instr::Fence(Fence::Release);
    match thread.instrs[pc] {
        Instr::Load { .. } | Instr::CondLoad { .. } => LOAD,
        Instr::Store { .. } if release_store => STORE | RELEASE_ACCESS,
        Instr::Store { .. } => STORE,
        Instr::Rmw { returns, order, .. } => {
            let release = if order == RmwOrder::Release {
                RELEASE_ACCESS
            } else {
                0
            };
            release | if returns { RMW_RETURNING } else { RMW_VOID }
        }
        Instr::Lock { .. } | Instr::TryLock { .. } => LOCK,
        Instr::Fence(Fence::Mb) => MB,
        Instr::Fence(Fence::Rmb) => RMB,
        Instr::Fence(Fence::Wmb) => WMB,
        Instr::Fence(Fence::Release) => REL,
        Instr::Fence(Fence::Acquire) => ACQ,
        Instr::Rcu(_) => RCU,
        Instr::Branch { .. } => BRANCH,
        Instr::Assign { .. } | Instr::Jump { .. } => 0,
    }
}
