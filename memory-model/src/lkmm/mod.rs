//! LKMM's data-race rule, evaluated on one execution.
//!
//! An [`Execution`] is a candidate execution in herd7's sense: events
//! (reads, writes, fences) in program order per thread, with `rf`, `co`,
//! `rmw` and the dependencies. [`Execution::races`] computes the relations
//! of `linux-kernel.cat` that the rule needs (`hb`, `pb`, `rb`, `vis`, the
//! lifetimes of plain accesses) and returns the pairs in `ww-race`,
//! `wr-race` and `rw-race`: exactly the executions herd7 flags
//! `data-race`. [`Execution::is_consistent`] checks the model's axioms;
//! a race counts only in a consistent execution, as in herd7.
//!
//! Each `let` below is the cat file's, in its order: a definition that the
//! file later extends (`fence`, `strong-fence` with RCU) is used in its
//! earlier form where the file uses it before the extension.

pub mod relation;

use crate::ir::Loc;
use relation::{Relation, Set, EVENTS_MAX};

/// What an event is, with the tags LKMM gives it (`linux-kernel.bell`,
/// `lock.cat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Read,
    Write,
    Fence(FenceKind),
}

/// The fences of `linux-kernel.bell` that the IR has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FenceKind {
    Mb,
    Rmb,
    Wmb,
    BeforeAtomic,
    AfterAtomic,
    AfterSpinlock,
    AfterUnlockLock,
    RcuLock,
    RcuUnlock,
    SyncRcu,
}

/// An access's tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Plain,
    Once,
    Acquire,
    Release,
    /// A fully ordered RMW's read or write.
    Mb,
    /// The read of an RMW that returns nothing (`atomic_inc`).
    Noreturn,
    /// `spin_lock`'s read (`LKR`) and write (`LKW`), `spin_unlock`'s write
    /// (`UL`), a failed `spin_trylock`'s read (`LF`).
    LockRead,
    LockWrite,
    Unlock,
    LockFailed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// `None`: the initial write of a location.
    pub thread: Option<usize>,
    /// The instruction, in its thread.
    pub pc: usize,
    pub kind: EventKind,
    pub tag: Tag,
    pub loc: Option<Loc>,
    /// Part of an RMW instruction (`RMW` in the bell), failed or not.
    pub rmw_instruction: bool,
}

impl Event {
    pub fn is_read(&self) -> bool {
        self.kind == EventKind::Read
    }

    pub fn is_write(&self) -> bool {
        self.kind == EventKind::Write
    }
}

/// One candidate execution. Events are numbered by their index; a
/// thread's events are in program order among themselves.
#[derive(Clone, Debug, Default)]
pub struct Execution {
    pub events: Vec<Event>,
    /// `(write, read)`.
    pub rf: Vec<(usize, usize)>,
    /// Each location's writes in coherence order, its initial write first.
    pub co: Vec<Vec<usize>>,
    /// `(read, write)` of each RMW that wrote.
    pub rmw: Vec<(usize, usize)>,
    /// `(read, event)` dependencies, as the code carries them through
    /// registers (the bell's `carry-dep` through memory is added here).
    pub addr: Vec<(usize, usize)>,
    pub data: Vec<(usize, usize)>,
    pub ctrl: Vec<(usize, usize)>,
}

/// A data race: two events and which of the cat's relations holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RacePair {
    pub first: usize,
    pub second: usize,
}

/// The relations and sets of one execution, as the cat file names them.
struct Base {
    n: usize,
    po: Relation,
    int: Relation,
    ext: Relation,
    loc: Relation,
    rf: Relation,
    co: Relation,
    fr: Relation,
    rmw: Relation,
    addr: Relation,
    data: Relation,
    ctrl: Relation,
    reads: Set,
    writes: Set,
    accesses: Set,
    initial: Set,
    marked: Set,
    plain: Set,
    acquire: Set,
    release: Set,
    mb: Set,
    noreturn: Set,
    rmw_events: Set,
    lock_read: Set,
    lock_write: Set,
    unlock: Set,
    fences: [Set; 10],
}

impl FenceKind {
    pub const ALL: [FenceKind; 10] = [
        FenceKind::Mb,
        FenceKind::Rmb,
        FenceKind::Wmb,
        FenceKind::BeforeAtomic,
        FenceKind::AfterAtomic,
        FenceKind::AfterSpinlock,
        FenceKind::AfterUnlockLock,
        FenceKind::RcuLock,
        FenceKind::RcuUnlock,
        FenceKind::SyncRcu,
    ];

    /// Its place in [`FenceKind::ALL`].
    pub fn index(self) -> usize {
        FenceKind::ALL.iter().position(|&f| f == self).unwrap()
    }
}

fn set_of(events: &[Event], f: impl Fn(&Event) -> bool) -> Set {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| f(e))
        .fold(0, |s, (i, _)| s | 1 << i)
}

impl Execution {
    /// Whether the execution has few enough events for the check.
    pub fn fits(&self) -> bool {
        self.events.len() <= EVENTS_MAX
    }

    fn base(&self) -> Base {
        let n = self.events.len();
        let ev = &self.events;
        let pairs = |list: &[(usize, usize)]| {
            let mut r = Relation::empty(n);
            for &(a, b) in list {
                r.add(a, b);
            }
            r
        };
        let po = Relation::from_fn(n, |i, j| {
            i < j && ev[i].thread.is_some() && ev[i].thread == ev[j].thread
        });
        let int = Relation::from_fn(n, |i, j| {
            ev[i].thread.is_some() && ev[i].thread == ev[j].thread
        });
        let ext = Relation::from_fn(n, |i, j| !int.contains(i, j));
        let loc = Relation::from_fn(n, |i, j| ev[i].loc.is_some() && ev[i].loc == ev[j].loc);
        let rf = pairs(&self.rf);
        let mut co = Relation::empty(n);
        for order in &self.co {
            for (k, &a) in order.iter().enumerate() {
                for &b in &order[k + 1..] {
                    co.add(a, b);
                }
            }
        }
        let fr = rf.inverse().seq(&co);
        let rmw = pairs(&self.rmw);
        let in_rmw = rmw.domain() | rmw.range();
        let rmw_events = set_of(ev, |e| e.rmw_instruction);
        let failed_rmw = rmw_events & !in_rmw;
        let reads = set_of(ev, Event::is_read);
        let writes = set_of(ev, Event::is_write);
        let accesses = reads | writes;
        let initial = set_of(ev, |e| e.thread.is_none());
        let tagged = |t: Tag| set_of(ev, |e| e.tag == t && (e.is_read() || e.is_write()));
        let lock_read = tagged(Tag::LockRead);
        let lock_write = tagged(Tag::LockWrite);
        let unlock = tagged(Tag::Unlock);
        let lock_failed = tagged(Tag::LockFailed);
        let mut fences = [0; 10];
        for (i, e) in ev.iter().enumerate() {
            if let EventKind::Fence(f) = e.kind {
                fences[f.index()] |= 1 << i;
            }
        }
        let all: Set = if n == EVENTS_MAX { !0 } else { (1 << n) - 1 };
        let marked = (all & !accesses)
            | initial
            | tagged(Tag::Once)
            | tagged(Tag::Release)
            | tagged(Tag::Acquire)
            | in_rmw
            | lock_read
            | lock_write
            | unlock
            | lock_failed
            // A failed RMW's read is marked as its primitive is (herd7
            // tags it so: only `Mb`, `Acquire` and `Release` are dropped).
            | failed_rmw;
        let plain = accesses & !marked;
        let acquire = (tagged(Tag::Acquire) & !writes & !failed_rmw) | lock_read;
        let release = (tagged(Tag::Release) & !reads & !failed_rmw) | unlock;
        let mb = ((tagged(Tag::Mb) & !failed_rmw) & accesses) | fences[FenceKind::Mb.index()];
        let noreturn = tagged(Tag::Noreturn) & !writes;
        Base {
            n,
            po,
            int,
            ext,
            loc,
            rf,
            co,
            fr,
            rmw,
            addr: pairs(&self.addr),
            data: pairs(&self.data),
            ctrl: pairs(&self.ctrl),
            reads,
            writes,
            accesses,
            initial,
            marked,
            plain,
            acquire,
            release,
            mb,
            noreturn,
            rmw_events,
            lock_read,
            lock_write,
            unlock,
            fences,
        }
    }

    /// The cat file's relations up to the races.
    fn relations(&self) -> Relations {
        let b = self.base();
        let n = b.n;
        let all: Set = if n == EVENTS_MAX { !0 } else { (1 << n) - 1 };
        let id = |s: Set| Relation::identity(n, s);
        let m = b.accesses;
        let fence = |f: FenceKind| b.fences[f.index()];
        // fencerel(S) = po ; [S] ; po
        let fencerel = |s: Set| b.po.restrict(all, s).seq(&b.po);
        let rfi = b.rf.inter(&b.int);
        let rfe = b.rf.inter(&b.ext);

        // linux-kernel.bell: dependencies carried through plain accesses.
        let carry_dep = b.data.seq(&rfi).star();
        let addr = carry_dep.seq(&b.addr);
        let ctrl = carry_dep.seq(&b.ctrl);
        let data = carry_dep.seq(&b.data);

        let acq_po = b.po.restrict(b.acquire, m);
        let po_rel = b.po.restrict(m, b.release);
        let po_unlock_lock_po = Relation::chain(&[
            &b.po.restrict(all, b.unlock),
            &b.po.union(&b.rf).restrict(all, b.lock_read),
            &b.po,
        ]);
        let r4rmb = b.reads & !b.noreturn;
        let rmb = fencerel(fence(FenceKind::Rmb)).restrict(r4rmb, r4rmb);
        let wmb = fencerel(fence(FenceKind::Wmb)).restrict(b.writes, b.writes);
        let mb = fencerel(b.mb)
            .restrict(m, m)
            .union(&b.po.restrict(m, b.mb & b.reads))
            .union(&b.po.restrict(b.mb & b.writes, m))
            .union(
                &fencerel(fence(FenceKind::BeforeAtomic))
                    .restrict(m, b.rmw_events)
                    .seq(&b.po.optional())
                    .restrict(all, m),
            )
            .union(
                &b.po
                    .optional()
                    .restrict(m, b.rmw_events)
                    .seq(&fencerel(fence(FenceKind::AfterAtomic)))
                    .restrict(all, m),
            )
            .union(
                &b.po
                    .optional()
                    .restrict(m, b.lock_write)
                    .seq(&fencerel(fence(FenceKind::AfterSpinlock)))
                    .restrict(all, m),
            )
            .union(
                &po_unlock_lock_po
                    .restrict(m, fence(FenceKind::AfterUnlockLock))
                    .seq(&b.po)
                    .restrict(all, m),
            );
        let gp =
            b.po.restrict(all, fence(FenceKind::SyncRcu))
                .seq(&b.po.optional());
        let strong_fence0 = mb.union(&gp);
        let nonrw_fence = strong_fence0.union(&po_rel).union(&acq_po);
        let fence0 = nonrw_fence.union(&wmb).union(&rmb);

        let po_loc = b.po.inter(&b.loc);
        let w_barrier =
            b.po.optional()
                .restrict(all, (all & !b.accesses) | b.marked)
                .seq(&b.po.optional());
        let po_loc_unbarred = po_loc.minus(&w_barrier);
        let rmb_plain = Relation::chain(&[
            &b.po.restrict(r4rmb, fence(FenceKind::Rmb)),
            &b.po
                .minus(&b.po.restrict(all, b.writes).seq(&po_loc_unbarred)),
        ])
        .restrict(all, r4rmb & b.plain);
        let plain_wmb =
            b.po.minus(&Relation::chain(&[
                &po_loc_unbarred,
                &b.po.restrict(all, b.writes),
                &b.po,
            ]))
            .restrict(b.writes & b.plain, fence(FenceKind::Wmb))
            .seq(&b.po)
            .restrict(all, b.writes);

        let dep = addr.union(&data);
        let rwdep = dep.union(&ctrl).restrict(all, b.writes);
        let overwrite = b.co.union(&b.fr);
        let to_w = Relation::chain(&[
            &addr.union(&rmb_plain).optional(),
            &rwdep,
            &plain_wmb.optional(),
        ])
        .union(&overwrite.inter(&b.int))
        .union(&addr.restrict(all, b.plain).seq(&wmb));
        let to_r = addr
            .restrict(all, b.reads)
            .union(&dep.restrict(all, b.marked).seq(&rfi));
        let ppo = to_r
            .union(&to_w)
            .union(&fence0.inter(&b.int))
            .union(&po_unlock_lock_po.inter(&b.int));

        let a_cumul = |r: &Relation| rfe.restrict(all, b.marked).optional().seq(r);
        let rmw_sequence = b.rf.seq(&b.rmw).star();
        let cumul_fence = a_cumul(&strong_fence0.union(&po_rel))
            .union(&wmb)
            .union(&po_unlock_lock_po)
            .restrict(b.marked, b.marked)
            .seq(&rmw_sequence);
        let prop = Relation::chain(&[
            &overwrite.inter(&b.ext).optional().restrict(b.marked, all),
            &cumul_fence.star(),
            &rfe.optional().restrict(b.marked, b.marked),
        ]);
        let prop_int = prop.minus(&id(all)).inter(&b.int);
        let hb = ppo
            .union(&rfe)
            .union(&prop_int)
            .restrict(b.marked, b.marked);
        let hb_star = hb.star();
        let pb = Relation::chain(&[&prop, &strong_fence0, &hb_star]).restrict(all, b.marked);
        let pb_star = pb.star();

        // RCU: read-side critical sections matched by nesting, per thread.
        let rscs = self.rcu_critical_sections(&b);
        let rcu_gp = id(fence(FenceKind::SyncRcu));
        let rscsi = rscs.inverse();
        let rcu_link = Relation::chain(&[&b.po.optional(), &hb_star, &pb_star, &prop, &b.po]);
        let gp_link = rcu_gp.seq(&rcu_link);
        let rscsi_link = rscsi.seq(&rcu_link);
        let mut rcu_order = rcu_gp.clone();
        loop {
            let order_link = rcu_order.seq(&rcu_link);
            let next = rcu_gp
                .union(&gp_link.seq(&rscsi))
                .union(&rscsi_link.seq(&rcu_gp))
                .union(&Relation::chain(&[&gp_link, &order_link, &rscsi]))
                .union(&Relation::chain(&[&rscsi_link, &order_link, &rcu_gp]))
                .union(&order_link.seq(&rcu_order));
            if next == rcu_order {
                break;
            }
            rcu_order = next;
        }
        let rcu_fence = Relation::chain(&[&b.po, &rcu_order, &b.po.optional()]);
        let fence_all = fence0.union(&rcu_fence);
        let strong_fence = strong_fence0.union(&rcu_fence);
        let rb = Relation::chain(&[&prop, &rcu_fence, &hb_star, &pb_star]).restrict(all, b.marked);

        let xbstar = hb.union(&pb).union(&rb).star();
        let vis = Relation::chain(&[
            &cumul_fence.star(),
            &rfe.optional().restrict(all, b.marked),
            &strong_fence
                .restrict(all, b.marked)
                .seq(&xbstar)
                .union(&xbstar.inter(&b.int)),
        ]);
        let w_pre_bounded = addr.union(&fence_all).optional().restrict(b.marked, all);
        let r_pre_bounded = addr
            .union(&nonrw_fence)
            .union(&fencerel(fence(FenceKind::Rmb)).restrict(r4rmb, all & !b.noreturn))
            .optional()
            .restrict(b.marked, all);
        let w_post_bounded = fence_all
            .optional()
            .restrict(all, b.marked)
            .seq(&rmw_sequence);
        let r_post_bounded = nonrw_fence
            .union(&fencerel(fence(FenceKind::Rmb)).restrict(all & !b.noreturn, r4rmb))
            .optional()
            .restrict(all, b.marked);
        let ww_vis = fence_all
            .union(&Relation::chain(&[&strong_fence, &xbstar, &w_pre_bounded]))
            .union(&Relation::chain(&[&w_post_bounded, &vis, &w_pre_bounded]));
        let wr_vis = fence_all
            .union(&Relation::chain(&[&strong_fence, &xbstar, &r_pre_bounded]))
            .union(&Relation::chain(&[&w_post_bounded, &vis, &r_pre_bounded]));
        let rw_xbstar = fence_all.union(&Relation::chain(&[
            &r_post_bounded,
            &xbstar,
            &w_pre_bounded,
        ]));
        Relations {
            base: b,
            hb,
            pb,
            rb,
            ww_vis,
            wr_vis,
            rw_xbstar,
            po_loc,
        }
    }

    /// `rcu-rscs` of the bell: each `rcu_read_lock` to the
    /// `rcu_read_unlock` that closes it, by nesting.
    fn rcu_critical_sections(&self, b: &Base) -> Relation {
        let mut r = Relation::empty(b.n);
        let mut open: Vec<(usize, usize)> = Vec::new();
        for (i, e) in self.events.iter().enumerate() {
            match (e.kind, e.thread) {
                (EventKind::Fence(FenceKind::RcuLock), Some(t)) => open.push((t, i)),
                (EventKind::Fence(FenceKind::RcuUnlock), Some(t)) => {
                    if let Some(k) = open.iter().rposition(|&(ot, _)| ot == t) {
                        let (_, lock) = open.remove(k);
                        r.add(lock, i);
                    }
                }
                _ => {}
            }
        }
        r
    }

    /// Whether the execution satisfies LKMM's axioms: coherence,
    /// atomicity, happens-before, propagation, rcu and plain coherence.
    pub fn is_consistent(&self) -> bool {
        let r = self.relations();
        let b = &r.base;
        let com = b.rf.union(&b.co).union(&b.fr);
        let fre = b.fr.inter(&b.ext);
        let coe = b.co.inter(&b.ext);
        let pre_race = self.pre_race(b);
        r.po_loc.union(&com).is_acyclic()
            && b.rmw.inter(&fre.seq(&coe)).is_empty()
            && r.hb.is_acyclic()
            && r.pb.is_acyclic()
            && r.rb.is_irreflexive()
            && pre_race
                .inter(&b.rf)
                .inter(&r.rw_xbstar.inverse())
                .is_empty()
            && pre_race.inter(&b.fr).inter(&r.wr_vis.inverse()).is_empty()
            && pre_race.inter(&b.co).inter(&r.ww_vis.inverse()).is_empty()
    }

    fn pre_race(&self, b: &Base) -> Relation {
        let n = b.n;
        let plain_any = Relation::product(n, b.plain, b.accesses);
        let any_plain = Relation::product(n, b.accesses & !b.initial, b.plain);
        b.ext.inter(&plain_any.union(&any_plain))
    }

    /// The pairs of `ww-race | wr-race | rw-race`, first event first.
    pub fn races(&self) -> Vec<RacePair> {
        let r = self.relations();
        let b = &r.base;
        let n = b.n;
        let pre_race = self.pre_race(b);
        let marked_w = Relation::product(n, b.marked, b.writes);
        let w_marked = Relation::product(n, b.writes, b.marked);
        let ww_nonrace = r
            .ww_vis
            .inter(&marked_w.union(&r.rw_xbstar))
            .inter(&w_marked.union(&r.wr_vis));
        let ww_race = pre_race.inter(&b.co).minus(&ww_nonrace);
        let wr_race = pre_race
            .inter(&b.co.optional().seq(&b.rf))
            .minus(&r.wr_vis)
            .minus(&r.rw_xbstar.inverse());
        let rw_race = pre_race.inter(&b.fr).minus(&r.rw_xbstar);
        let all = ww_race.union(&wr_race).union(&rw_race);
        let mut out: Vec<RacePair> = all
            .pairs()
            .map(|(a, c)| RacePair {
                first: a.min(c),
                second: a.max(c),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

struct Relations {
    base: Base,
    hb: Relation,
    pb: Relation,
    rb: Relation,
    ww_vis: Relation,
    wr_vis: Relation,
    rw_xbstar: Relation,
    po_loc: Relation,
}
