//! The data-race search: a scenario's executions, as LKMM candidate
//! executions, checked with LKMM's own race rule (`memory_model::lkmm`).
//!
//! Three breadth-first searches over execution prefixes. The first keeps
//! reads to the newest write: sequentially consistent executions, each
//! consistent under LKMM, with the plainest witnesses. The second lets a
//! read return any write to its location that its thread has not seen
//! overwritten, and puts each write anywhere in coherence order after the
//! writes its thread has seen: every execution in which each read reads a
//! write performed before it (store buffering, stale reads, writes that
//! reach memory out of order), kept only where LKMM's axioms allow it
//! (`Execution::is_consistent`). The third also lets a load read a value
//! that a write of another thread performs later (`Reads::Later`: load
//! buffering; the values are those the second search saw written, and the
//! write is chosen once the execution is complete). A race found in any is
//! one herd7 flags: never a false alarm. Missed: executions where an RMW or
//! a lock reads an older write (they read the newest write and write right
//! after it), and whatever lies past the bound.
//!
//! A node is the threads' events so far, with what each read read and
//! each location's coherence order; interleavings that build the same
//! prefix meet in one node. Local instructions run eagerly after each
//! access. Dependencies follow registers: a register is tainted by the
//! reads its value came from; a branch on a tainted register makes every
//! event until its immediate post-dominator (the join) control-dependent,
//! as herd7's C semantics does. Only executions a litmus `filter` admits
//! count, as in herd7.

use memory_model::condition::holds;
use memory_model::eval::eval;
use memory_model::ir::{
    location_at, Address, Annotation, ExprId, Fence, Instr, Loc, Observable, RcuOp, Scenario,
    Thread, Value, LOCK_HELD,
};
use memory_model::lkmm::{Event, EventKind, Execution, FenceKind, Tag};
use memory_model::transition::{rmw_new_value, rmw_result};
use rustc_hash::FxHashMap;

/// Executions prefixes the search visits before it stops by default.
pub const RACE_NODES_MAX_DEFAULT: usize = 200_000;
/// Events a thread may have in one execution (a register's taint is a
/// bit set over them); a longer run (a spinning loop) is cut there.
const THREAD_EVENTS_MAX: usize = 64;

/// One access of a race: a thread's instruction and what it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RaceAccess {
    pub core: usize,
    pub pc: usize,
    pub loc: Loc,
    pub write: bool,
    pub plain: bool,
}

/// A data race and the shortest SC run that reaches it: the run's steps
/// up to the later of the two accesses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Race {
    pub first: RaceAccess,
    pub second: RaceAccess,
    pub witness: Vec<RaceStep>,
    /// Whether the witness is sequentially consistent: every read reads
    /// the newest write.
    pub sequentially_consistent: bool,
}

/// One step of a race's witness: a thread performs one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaceStep {
    pub core: usize,
    pub pc: usize,
    /// The value it read, and where.
    pub read: Option<(Loc, Value)>,
    /// The write it read was not the newest in coherence order.
    pub stale: bool,
    /// The write it read was performed later in the run (load buffering).
    pub later: bool,
    /// The value it wrote, and where.
    pub wrote: Option<(Loc, Value)>,
}

/// What the search found and what it covered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RaceReport {
    pub races: Vec<Race>,
    /// Sequentially consistent executions checked.
    pub executions: usize,
    /// Executions checked whose reads may read older writes (those
    /// included), kept where LKMM's axioms allow them.
    pub weaker_executions: usize,
    /// Whether the search stopped at its bound (or cut a run at
    /// `THREAD_EVENTS_MAX` events): then races may be missing.
    pub bounded: bool,
    /// Whether the scenario has a plain access at all (without one there
    /// is nothing to search).
    pub has_plain: bool,
}

/// One thread's event, by its place in that thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct ThreadEvent {
    pc: u16,
    kind: Kind,
    tag: TagCode,
    loc: Option<Loc>,
    /// The value read or written.
    value: Value,
    /// For a read: the write it read, `(thread, index)`, `INIT` for the
    /// initial write (index: the location).
    rf: Option<(u8, u8)>,
    addr: u64,
    data: u64,
    ctrl: u64,
    /// The RMW this event belongs to wrote: `rmw` pairs it with the next.
    rmw_read: bool,
    rmw_instruction: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Read,
    Write,
    Fence(u8),
}

type TagCode = u8;
const INIT: u8 = u8::MAX;
/// A read's `rf` thread while it reads a write not yet performed (load
/// buffering): which write is chosen when the execution is complete.
const LATER: u8 = u8::MAX - 1;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ThreadState {
    pc: u16,
    regs: Vec<Value>,
    taint: Vec<u64>,
    /// Open control dependencies: the reads a branch depended on, and
    /// the join where the dependency ends.
    ctrl: Vec<(u64, u16)>,
    rcu_depth: u8,
    events: Vec<ThreadEvent>,
    /// Per location, the coherence position of the newest write this
    /// thread has read or written: it may not read or write before it.
    seen: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Node {
    threads: Vec<ThreadState>,
    /// Each location's writes in coherence order, its initial write first:
    /// `(thread, index, value)`.
    co: Vec<Vec<CoEntry>>,
}

/// A write in a coherence order: `(thread, index in the thread, value)`;
/// the initial write is `(INIT, location, initial value)`.
type CoEntry = (u8, u8, Value);

impl Node {
    /// A location's value at the end of the coherence order.
    fn last_value(&self, loc: Loc) -> Value {
        self.co[loc.0 as usize].last().expect("an initial write").2
    }
}

/// The static facts of a thread the search needs: where each branch's
/// control dependency ends.
struct ThreadFacts {
    join: Vec<u16>,
    /// Each expression's registers (`Thread::expr_registers`).
    expr_registers: Vec<u32>,
}

/// Searches `scenario`'s executions for LKMM data races: first the
/// sequentially consistent ones (their witnesses are the plainest), then
/// every execution whose reads read earlier writes, each search visiting
/// at most `nodes_max` execution prefixes.
pub fn find_races(scenario: &Scenario, nodes_max: usize) -> RaceReport {
    let has_plain = scenario
        .threads
        .iter()
        .any(|t| t.annotations.contains(&Annotation::Plain));
    let mut report = RaceReport {
        has_plain,
        ..RaceReport::default()
    };
    if !has_plain {
        return report;
    }
    let mut seen = Vec::new();
    let mut written = Written::new(scenario);
    let mut later_values: Vec<Vec<Value>> = Vec::new();
    for reads in [Reads::Latest, Reads::Any, Reads::Later] {
        let mut bounded = false;
        let executions = search(
            scenario,
            reads,
            &later_values,
            nodes_max,
            &mut bounded,
            &mut |nodes, parent, at| {
                if reads == Reads::Any {
                    written.add(&nodes[at]);
                }
                for complete in later_writes(&nodes[at]).iter() {
                    check_execution(
                        scenario,
                        complete,
                        nodes,
                        parent,
                        at,
                        &mut seen,
                        &mut report,
                    );
                }
                false
            },
        );
        report.bounded |= bounded;
        if reads == Reads::Latest {
            report.executions = executions;
        } else {
            report.weaker_executions += executions;
        }
        if reads == Reads::Any {
            later_values = written.values();
        }
    }
    report
}

/// The values each location is written in the executions visited: what a
/// load may read from a later write (`Reads::Later`).
struct Written(Vec<Vec<Value>>);

impl Written {
    fn new(scenario: &Scenario) -> Written {
        Written(vec![Vec::new(); scenario.locations.len()])
    }

    fn add(&mut self, node: &Node) {
        for (l, order) in node.co.iter().enumerate() {
            for &(t, _, v) in order {
                if t != INIT && !self.0[l].contains(&v) {
                    self.0[l].push(v);
                }
            }
        }
    }

    fn values(&self) -> Vec<Vec<Value>> {
        let mut v = self.0.clone();
        for values in &mut v {
            values.sort_unstable();
        }
        v
    }
}

/// What LKMM's own check found about a scenario's condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LkmmOutcome {
    /// A run to an execution LKMM's axioms allow whose final state fails
    /// the condition (as `check`'s witnesses do), if one was found.
    pub witness: Option<Vec<RaceStep>>,
    /// Complete executions checked.
    pub executions: usize,
    /// A bound stopped the search.
    pub bounded: bool,
}

/// Looks for an execution that LKMM allows (`linux-kernel.cat`'s axioms)
/// and whose final state fails the condition, among the executions
/// [`find_races`] visits: the sequentially consistent ones, then those
/// whose reads read older writes, then those whose reads may read later
/// writes (load buffering). Finding one proves LKMM allows the outcome;
/// finding none proves nothing about the executions it does not build.
pub fn lkmm_outcome(scenario: &Scenario, nodes_max: usize) -> LkmmOutcome {
    let mut outcome = LkmmOutcome {
        witness: None,
        executions: 0,
        bounded: false,
    };
    // The values each location is written, in the executions without load
    // buffering: what a load may read from a later write.
    let mut written = Written::new(scenario);
    let mut later_values: Vec<Vec<Value>> = Vec::new();
    for reads in [Reads::Latest, Reads::Any, Reads::Later] {
        let mut found = None;
        outcome.executions += search(
            scenario,
            reads,
            &later_values,
            nodes_max,
            &mut outcome.bounded,
            &mut |nodes, parent, at| {
                let node = &nodes[at];
                if reads == Reads::Any {
                    written.add(node);
                }
                let value = |o: Observable| match o {
                    Observable::Register(core, r) => node.threads[core as usize].regs[r.0 as usize],
                    Observable::Location(l) => node.last_value(l),
                };
                let condition = &scenario.condition;
                if !condition.fails_when(holds(&condition.prop, &value)) {
                    return false;
                }
                let allowed = later_writes(node).iter().any(|complete| {
                    let (execution, _) = execution_of(scenario, complete);
                    execution.fits() && execution.is_consistent()
                });
                if allowed {
                    found = Some(witness_to(nodes, parent, at, [(usize::MAX, 0); 2]));
                }
                allowed
            },
        );
        if found.is_some() {
            outcome.witness = found;
            break;
        }
        if reads == Reads::Any {
            later_values = written.values();
        }
    }
    outcome
}

/// A complete node with each read of a later write given that write, one
/// node per way to choose: a write of another thread, to the location,
/// of the value read. None when a read has no such write; the node itself,
/// not a copy, when it has no read of a later write (every execution of
/// the first two passes).
fn later_writes(node: &Node) -> std::borrow::Cow<'_, [Node]> {
    let later = |e: &ThreadEvent| e.rf.is_some_and(|(w, _)| w == LATER);
    if !node.threads.iter().any(|ts| ts.events.iter().any(later)) {
        return std::borrow::Cow::Borrowed(std::slice::from_ref(node));
    }
    let mut out = vec![node.clone()];
    for (t, ts) in node.threads.iter().enumerate() {
        for (i, e) in ts.events.iter().enumerate() {
            if !later(e) {
                continue;
            }
            let Some(loc) = e.loc else {
                return std::borrow::Cow::Owned(Vec::new());
            };
            let writes: Vec<(u8, u8)> = node.co[loc.0 as usize]
                .iter()
                .filter(|&&(wt, _, v)| wt != INIT && wt as usize != t && v == e.value)
                .map(|&(wt, wi, _)| (wt, wi))
                .collect();
            out = out
                .into_iter()
                .flat_map(|n| {
                    writes.iter().map(move |&w| {
                        let mut m = n.clone();
                        m.threads[t].events[i].rf = Some(w);
                        m
                    })
                })
                .collect();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What the search does with each complete execution the filter admits:
/// the nodes, their parents, and the execution's node; `true` stops it.
type Visit<'v> = dyn FnMut(&[Node], &[Option<(usize, usize, usize)>], usize) -> bool + 'v;

/// One breadth-first search over execution prefixes; returns how many
/// complete executions it visited, and sets `bounded` when a bound cut it.
fn search(
    scenario: &Scenario,
    reads: Reads,
    later_values: &[Vec<Value>],
    nodes_max: usize,
    bounded: &mut bool,
    visit: &mut Visit<'_>,
) -> usize {
    let facts: Vec<ThreadFacts> = scenario.threads.iter().map(thread_facts).collect();
    let mut initial = Node {
        threads: scenario
            .threads
            .iter()
            .map(|t| ThreadState {
                pc: 0,
                regs: t.initial_registers.clone(),
                taint: vec![0; t.initial_registers.len()],
                ctrl: Vec::new(),
                rcu_depth: 0,
                events: Vec::new(),
                seen: vec![0; scenario.locations.len()],
            })
            .collect(),
        co: scenario
            .locations
            .iter()
            .enumerate()
            .map(|(l, loc)| vec![(INIT, l as u8, loc.initial)])
            .collect(),
    };
    for core in 0..scenario.threads.len() {
        run_locals(scenario, &facts, &mut initial, core);
    }
    let mut nodes: Vec<Node> = vec![initial.clone()];
    let mut parent: Vec<Option<(usize, usize, usize)>> = vec![None];
    let mut index: FxHashMap<Node, usize> = FxHashMap::default();
    index.insert(initial, 0);
    let mut executions = 0;
    let mut next = 0;
    while next < nodes.len() {
        let at = next;
        next += 1;
        let node = nodes[at].clone();
        let done = node
            .threads
            .iter()
            .zip(&scenario.threads)
            .all(|(s, t)| s.pc as usize >= t.instrs.len());
        if done {
            // herd7 checks only the executions the filter keeps.
            let admitted = scenario.filter.as_ref().is_none_or(|f| {
                holds(f, &|o| match o {
                    Observable::Register(core, r) => node.threads[core as usize].regs[r.0 as usize],
                    Observable::Location(l) => node.last_value(l),
                })
            });
            if admitted {
                executions += 1;
                if visit(&nodes, &parent, at) {
                    return executions;
                }
            }
            continue;
        }
        // Coherence positions are bytes: a location written that often
        // (long loops) ends the search there.
        if node.co.iter().any(|order| order.len() >= u8::MAX as usize) {
            *bounded = true;
            continue;
        }
        for core in 0..scenario.threads.len() {
            if node.threads[core].events.len() >= THREAD_EVENTS_MAX {
                *bounded = true;
                continue;
            }
            let pc = node.threads[core].pc as usize;
            for child in step(scenario, &facts, &node, core, reads, later_values) {
                if index.contains_key(&child) {
                    continue;
                }
                if nodes.len() >= nodes_max {
                    *bounded = true;
                    break;
                }
                index.insert(child.clone(), nodes.len());
                nodes.push(child);
                parent.push(Some((at, core, pc)));
            }
        }
    }
    executions
}

/// The steps from the initial node to `at`, up to the one that performs
/// the later of `events` (`(thread, index)`).
fn witness_to(
    nodes: &[Node],
    parent: &[Option<(usize, usize, usize)>],
    at: usize,
    events: [(usize, usize); 2],
) -> Vec<RaceStep> {
    let mut chain = Vec::new();
    let mut cur = at;
    while let Some((p, core, pc)) = parent[cur] {
        chain.push((p, cur, core, pc));
        cur = p;
    }
    chain.reverse();
    let mut steps = Vec::new();
    let mut pending = events.to_vec();
    for (p, c, core, pc) in chain {
        let before = nodes[p].threads[core].events.len();
        let new = &nodes[c].threads[core].events[before..];
        let mut step = RaceStep {
            core,
            pc,
            read: None,
            stale: false,
            later: false,
            wrote: None,
        };
        for e in new {
            match (e.kind, e.loc) {
                (Kind::Read, Some(l)) => {
                    step.read = Some((l, e.value));
                    let newest = nodes[p].co[l.0 as usize].last().map(|&(t, i, _)| (t, i));
                    step.later = e.rf.is_some_and(|(t, _)| t == LATER);
                    step.stale = !step.later && e.rf != newest;
                }
                (Kind::Write, Some(l)) => step.wrote = Some((l, e.value)),
                _ => {}
            }
        }
        steps.push(step);
        pending.retain(|&(t, i)| !(t == core && i < before + new.len()));
        if pending.is_empty() {
            break;
        }
    }
    steps
}

/// The races of `node`, a complete execution (node `at` of the search,
/// with each read of a later write given its write).
fn check_execution(
    scenario: &Scenario,
    node: &Node,
    nodes: &[Node],
    parent: &[Option<(usize, usize, usize)>],
    at: usize,
    seen: &mut Vec<(RaceAccess, RaceAccess)>,
    report: &mut RaceReport,
) {
    let (execution, places) = execution_of(scenario, node);
    if !execution.fits() {
        report.bounded = true;
        return;
    }
    let races = execution.races();
    if races.is_empty() || !execution.is_consistent() {
        return;
    }
    for pair in races {
        let access = |i: usize| {
            let e = execution.events[i];
            let (core, _) = places[i];
            RaceAccess {
                core,
                pc: e.pc,
                loc: e.loc.expect("a race on an access"),
                write: e.is_write(),
                plain: node.threads[core].events[places[i].1].tag == TAG_PLAIN,
            }
        };
        let (a, b) = (access(pair.first), access(pair.second));
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if seen.contains(&(a, b)) {
            continue;
        }
        seen.push((a, b));
        let witness = witness_to(nodes, parent, at, [places[pair.first], places[pair.second]]);
        let sequentially_consistent = witness.iter().all(|s| !s.stale && !s.later);
        report.races.push(Race {
            first: a,
            second: b,
            witness,
            sequentially_consistent,
        });
    }
}

const TAG_PLAIN: TagCode = 0;
const TAG_ONCE: TagCode = 1;
const TAG_ACQUIRE: TagCode = 2;
const TAG_RELEASE: TagCode = 3;
const TAG_MB: TagCode = 4;
const TAG_NORETURN: TagCode = 5;
const TAG_LOCK_READ: TagCode = 6;
const TAG_LOCK_WRITE: TagCode = 7;
const TAG_UNLOCK: TagCode = 8;
const TAG_LOCK_FAILED: TagCode = 9;

fn tag_of(code: TagCode) -> Tag {
    match code {
        TAG_PLAIN => Tag::Plain,
        TAG_ONCE => Tag::Once,
        TAG_ACQUIRE => Tag::Acquire,
        TAG_RELEASE => Tag::Release,
        TAG_MB => Tag::Mb,
        TAG_NORETURN => Tag::Noreturn,
        TAG_LOCK_READ => Tag::LockRead,
        TAG_LOCK_WRITE => Tag::LockWrite,
        TAG_UNLOCK => Tag::Unlock,
        _ => Tag::LockFailed,
    }
}

fn access_tag(a: Annotation) -> TagCode {
    match a {
        Annotation::Plain => TAG_PLAIN,
        Annotation::Acquire => TAG_ACQUIRE,
        Annotation::Release => TAG_RELEASE,
        Annotation::Mb => TAG_MB,
        Annotation::Unlock => TAG_UNLOCK,
        _ => TAG_ONCE,
    }
}

fn fence_code(f: FenceKind) -> u8 {
    f.index() as u8
}

/// The candidate execution of a complete node, and where each of its
/// events is: `(thread, index in the thread)` (`INIT`: initial writes).
fn execution_of(scenario: &Scenario, node: &Node) -> (Execution, Vec<(usize, usize)>) {
    let mut ex = Execution::default();
    let mut places = Vec::new();
    let locations = scenario.locations.len();
    for l in 0..locations {
        ex.events.push(Event {
            thread: None,
            pc: 0,
            kind: EventKind::Write,
            tag: Tag::Once,
            loc: Some(Loc(l as u8)),
            rmw_instruction: false,
        });
        places.push((INIT as usize, l));
    }
    let mut first = Vec::new();
    for (t, ts) in node.threads.iter().enumerate() {
        first.push(ex.events.len());
        for (i, e) in ts.events.iter().enumerate() {
            ex.events.push(Event {
                thread: Some(t),
                pc: e.pc as usize,
                kind: match e.kind {
                    Kind::Read => EventKind::Read,
                    Kind::Write => EventKind::Write,
                    Kind::Fence(f) => EventKind::Fence(FenceKind::ALL[f as usize]),
                },
                tag: tag_of(e.tag),
                loc: e.loc,
                rmw_instruction: e.rmw_instruction,
            });
            places.push((t, i));
        }
    }
    let global = |(t, i): (u8, u8)| {
        if t == INIT {
            i as usize
        } else {
            first[t as usize] + i as usize
        }
    };
    for (t, ts) in node.threads.iter().enumerate() {
        for (i, e) in ts.events.iter().enumerate() {
            let me = first[t] + i;
            if let Some(src) = e.rf {
                ex.rf.push((global(src), me));
            }
            if e.rmw_read {
                ex.rmw.push((me, me + 1));
            }
            for (deps, list) in [
                (e.addr, &mut ex.addr),
                (e.data, &mut ex.data),
                (e.ctrl, &mut ex.ctrl),
            ] {
                for k in 0..64 {
                    if deps >> k & 1 == 1 {
                        list.push((first[t] + k, me));
                    }
                }
            }
        }
    }
    for order in &node.co {
        ex.co
            .push(order.iter().map(|&(t, i, _)| global((t, i))).collect());
    }
    (ex, places)
}

/// The taint of an expression: the union of its registers' taints.
fn taint_of(facts: &ThreadFacts, taint: &[u64], id: ExprId) -> u64 {
    let mut regs = facts.expr_registers[id.0 as usize];
    let mut t = 0;
    while regs != 0 {
        t |= taint[regs.trailing_zeros() as usize];
        regs &= regs - 1;
    }
    t
}

/// Immediate post-dominators of each instruction (the end of the thread
/// is `instrs.len()`): where a branch's control dependency ends.
fn thread_facts(thread: &Thread) -> ThreadFacts {
    let n = thread.instrs.len();
    let succ = |pc: usize| -> Vec<usize> {
        match thread.instrs[pc] {
            Instr::Branch { target, .. } => vec![pc + 1, target as usize],
            Instr::Jump { target } => vec![target as usize],
            _ => vec![pc + 1],
        }
    };
    // pdom[p]: the nodes that post-dominate p (p itself included).
    let mut pdom: Vec<Vec<bool>> = (0..=n)
        .map(|p| {
            if p == n {
                (0..=n).map(|q| q == n).collect()
            } else {
                vec![true; n + 1]
            }
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for p in (0..n).rev() {
            let mut meet = vec![true; n + 1];
            for s in succ(p) {
                let s = s.min(n);
                for q in 0..=n {
                    meet[q] &= pdom[s][q];
                }
            }
            meet[p] = true;
            if meet != pdom[p] {
                pdom[p] = meet;
                changed = true;
            }
        }
    }
    let join = (0..n)
        .map(|p| {
            // The strict post-dominator post-dominated by all the others:
            // the one with the most post-dominators of its own.
            (0..=n)
                .filter(|&q| q != p && pdom[p][q])
                .max_by_key(|&q| pdom[q].iter().filter(|&&b| b).count())
                .unwrap_or(n) as u16
        })
        .collect();
    ThreadFacts {
        join,
        expr_registers: thread.expr_registers(),
    }
}

/// Runs `core`'s local instructions from its pc on, and closes the
/// control dependencies whose join it reaches.
fn run_locals(scenario: &Scenario, facts: &[ThreadFacts], node: &mut Node, core: usize) {
    let thread = &scenario.threads[core];
    let ts = &mut node.threads[core];
    // A loop back to a branch could spin forever on locals alone; a
    // thread that long is cut (its events bound covers the rest).
    for _ in 0..10_000 {
        let pc = ts.pc;
        ts.ctrl.retain(|&(_, join)| join != pc);
        let Some(&instr) = thread.instrs.get(pc as usize) else {
            return;
        };
        match instr {
            Instr::Assign { dst, value } => {
                ts.regs[dst.0 as usize] = eval(thread, &ts.regs, 0, value);
                ts.taint[dst.0 as usize] = taint_of(&facts[core], &ts.taint, value);
                ts.pc += 1;
            }
            Instr::Branch { cond, target } => {
                let t = taint_of(&facts[core], &ts.taint, cond);
                if t != 0 {
                    ts.ctrl.push((t, facts[core].join[pc as usize]));
                }
                ts.pc = if eval(thread, &ts.regs, 0, cond) != 0 {
                    target
                } else {
                    pc + 1
                };
            }
            Instr::Jump { target } => ts.pc = target,
            Instr::Fence(_) if thread.annotations[pc as usize] == Annotation::Implied => ts.pc += 1,
            Instr::Fence(Fence::Acquire | Fence::Release) => ts.pc += 1,
            _ => return,
        }
    }
}

/// Which writes a read may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The newest write: sequentially consistent executions.
    Latest,
    /// Any write to the location the thread has not seen overwritten,
    /// and a write goes anywhere in coherence order after those its thread
    /// has seen: every execution whose reads read earlier writes, checked
    /// against LKMM's axioms when complete.
    Any,
    /// As `Any`, and a plain or marked load may also read a value that a
    /// write of another thread will store later (`values`, per location):
    /// load buffering. Which write it read is chosen when the execution is
    /// complete, one execution per choice.
    Later,
}

/// The nodes after `core` performs its next instruction: none when it
/// cannot, several when a read may read several writes or a write may go
/// to several places in coherence order.
fn step(
    scenario: &Scenario,
    facts: &[ThreadFacts],
    node: &Node,
    core: usize,
    reads: Reads,
    later_values: &[Vec<Value>],
) -> Vec<Node> {
    let thread = &scenario.threads[core];
    let pc = node.threads[core].pc as usize;
    let Some(&instr) = thread.instrs.get(pc) else {
        return Vec::new();
    };
    let annotation = thread.annotations[pc];
    let locations = scenario.locations.len();
    let ts = &node.threads[core];
    let resolve = |addr: Address| -> Option<(Loc, u64)> {
        match addr {
            Address::Direct(l) => Some((l, 0)),
            Address::Indirect(r) => {
                location_at(ts.regs[r.0 as usize], locations).map(|l| (l, ts.taint[r.0 as usize]))
            }
        }
    };
    let ctrl = ts.ctrl.iter().fold(0, |s, &(t, _)| s | t);
    let me = core as u8;
    let index = ts.events.len() as u8;
    let event = |kind, tag, loc, addr, data| ThreadEvent {
        pc: pc as u16,
        kind,
        tag,
        loc,
        value: 0,
        rf: None,
        addr,
        data,
        ctrl,
        rmw_read: false,
        rmw_instruction: false,
    };
    // The coherence positions a read may read: from the newest write the
    // thread has seen (coherence forbids older) to the last.
    let readable = |loc: Loc| -> std::ops::RangeInclusive<usize> {
        let last = node.co[loc.0 as usize].len() - 1;
        match reads {
            Reads::Latest => last..=last,
            Reads::Any | Reads::Later => ts.seen[loc.0 as usize] as usize..=last,
        }
    };
    // Where a new write may go: after every write its thread has seen.
    let writable = |loc: Loc| -> std::ops::RangeInclusive<usize> {
        let len = node.co[loc.0 as usize].len();
        match reads {
            Reads::Latest => len..=len,
            Reads::Any | Reads::Later => ts.seen[loc.0 as usize] as usize + 1..=len,
        }
    };
    let mut out = Vec::new();
    match instr {
        Instr::Load { dst, addr } | Instr::CondLoad { dst, addr, .. } => {
            let Some((loc, addr_taint)) = resolve(addr) else {
                return out;
            };
            // The node after reading `value` from `rf`, at coherence
            // position `at` (none for a later write); none when a
            // conditional load's condition refuses the value.
            let read = |value: Value, rf: (u8, u8), at: Option<usize>| {
                if let Instr::CondLoad { cond, .. } = instr {
                    if eval(thread, &ts.regs, value, cond) == 0 {
                        return None;
                    }
                }
                let mut next = node.clone();
                let nts = &mut next.threads[core];
                let mut e = event(Kind::Read, access_tag(annotation), Some(loc), addr_taint, 0);
                e.rf = Some(rf);
                e.value = value;
                nts.events.push(e);
                nts.regs[dst.0 as usize] = value;
                nts.taint[dst.0 as usize] = 1 << index;
                if let Some(at) = at {
                    nts.seen[loc.0 as usize] = at as u8;
                }
                Some(next)
            };
            for at in readable(loc) {
                let (wt, wi, value) = node.co[loc.0 as usize][at];
                out.extend(read(value, (wt, wi), Some(at)));
            }
            // A value another thread will write later: chosen now, its
            // write chosen when the execution is complete.
            if reads == Reads::Later {
                for &value in later_values.get(loc.0 as usize).map_or(&[][..], |v| &v[..]) {
                    out.extend(read(value, (LATER, 0), None));
                }
            }
        }
        Instr::Store { addr, value } => {
            let Some((loc, addr_taint)) = resolve(addr) else {
                return out;
            };
            let v = eval(thread, &ts.regs, 0, value);
            let data = taint_of(&facts[core], &ts.taint, value);
            for at in writable(loc) {
                let mut next = node.clone();
                let mut e = event(
                    Kind::Write,
                    access_tag(annotation),
                    Some(loc),
                    addr_taint,
                    data,
                );
                e.value = v;
                next.threads[core].events.push(e);
                insert_write(&mut next, core, loc, at, (me, index, v));
                out.push(next);
            }
        }
        // RMWs and locks read the newest write and write right after it:
        // atomic, and in coherence order as they run (fewer executions
        // than LKMM has, never an inconsistent one).
        Instr::Rmw {
            dst,
            addr,
            op,
            result,
            returns,
            ..
        } => {
            let Some((loc, addr_taint)) = resolve(addr) else {
                return out;
            };
            let last = node.co[loc.0 as usize].len() - 1;
            let (wt, wi, old) = node.co[loc.0 as usize][last];
            let new = rmw_new_value(thread, &ts.regs, op, old);
            let operands = rmw_operand_taint(&facts[core], &ts.taint, op);
            let tag = access_tag(annotation);
            let read_tag = if returns { tag } else { TAG_NORETURN };
            let mut next = node.clone();
            let mut r = event(Kind::Read, read_tag, Some(loc), addr_taint, 0);
            r.rf = Some((wt, wi));
            r.value = old;
            r.rmw_instruction = true;
            r.rmw_read = new.is_some();
            next.threads[core].events.push(r);
            next.threads[core].seen[loc.0 as usize] = last as u8;
            if let Some(v) = new {
                let mut w = event(Kind::Write, tag, Some(loc), addr_taint, operands);
                w.value = v;
                w.rmw_instruction = true;
                next.threads[core].events.push(w);
                insert_write(&mut next, core, loc, last + 1, (me, index + 1, v));
            }
            if let Some(d) = dst {
                let nts = &mut next.threads[core];
                nts.regs[d.0 as usize] = rmw_result(result, old, new);
                nts.taint[d.0 as usize] = 1 << index;
            }
            out.push(next);
        }
        Instr::Lock { addr } | Instr::TryLock { addr, .. } => {
            let Some((loc, addr_taint)) = resolve(addr) else {
                return out;
            };
            let last = node.co[loc.0 as usize].len() - 1;
            let (wt, wi, old) = node.co[loc.0 as usize][last];
            let free = old == 0;
            if !free && matches!(instr, Instr::Lock { .. }) {
                return out;
            }
            let mut next = node.clone();
            let tag = if free { TAG_LOCK_READ } else { TAG_LOCK_FAILED };
            let mut r = event(Kind::Read, tag, Some(loc), addr_taint, 0);
            r.rf = Some((wt, wi));
            r.value = old;
            r.rmw_read = free;
            next.threads[core].events.push(r);
            next.threads[core].seen[loc.0 as usize] = last as u8;
            if free {
                let mut w = event(Kind::Write, TAG_LOCK_WRITE, Some(loc), addr_taint, 0);
                w.value = LOCK_HELD;
                next.threads[core].events.push(w);
                insert_write(&mut next, core, loc, last + 1, (me, index + 1, LOCK_HELD));
            }
            if let Instr::TryLock { dst, .. } = instr {
                let nts = &mut next.threads[core];
                nts.regs[dst.0 as usize] = free as Value;
                nts.taint[dst.0 as usize] = 1 << index;
            }
            out.push(next);
        }
        Instr::Fence(f) => {
            let kind = match (f, annotation) {
                (Fence::Mb, Annotation::BeforeAtomic) => FenceKind::BeforeAtomic,
                (Fence::Mb, Annotation::AfterAtomic) => FenceKind::AfterAtomic,
                (Fence::Mb, Annotation::AfterSpinlock) => FenceKind::AfterSpinlock,
                (Fence::Mb, Annotation::AfterUnlockLock) => FenceKind::AfterUnlockLock,
                (Fence::Mb, _) => FenceKind::Mb,
                (Fence::Rmb, _) => FenceKind::Rmb,
                (Fence::Wmb, _) => FenceKind::Wmb,
                // Run by `run_locals`: they make no event.
                (Fence::Acquire | Fence::Release, _) => return out,
            };
            let mut next = node.clone();
            next.threads[core].events.push(event(
                Kind::Fence(fence_code(kind)),
                TAG_ONCE,
                None,
                0,
                0,
            ));
            out.push(next);
        }
        Instr::Rcu(op) => {
            let mut next = node.clone();
            let nts = &mut next.threads[core];
            let kind = match op {
                RcuOp::ReadLock => {
                    nts.rcu_depth += 1;
                    FenceKind::RcuLock
                }
                RcuOp::ReadUnlock => {
                    nts.rcu_depth = nts.rcu_depth.saturating_sub(1);
                    FenceKind::RcuUnlock
                }
                RcuOp::Synchronize => {
                    if node.threads.iter().any(|t| t.rcu_depth > 0) {
                        return out;
                    }
                    FenceKind::SyncRcu
                }
            };
            nts.events
                .push(event(Kind::Fence(fence_code(kind)), TAG_ONCE, None, 0, 0));
            out.push(next);
        }
        // Locals run eagerly; one is left here only when a loop of locals
        // alone never ends (`run_locals` gives up): the thread is stuck.
        Instr::Assign { .. } | Instr::Branch { .. } | Instr::Jump { .. } => return out,
    }
    for next in &mut out {
        next.threads[core].pc += 1;
        run_locals(scenario, facts, next, core);
    }
    out
}

/// Puts `write` of `core` at position `at` of `loc`'s coherence order,
/// moving the positions the threads have seen past it.
fn insert_write(node: &mut Node, core: usize, loc: Loc, at: usize, write: CoEntry) {
    let l = loc.0 as usize;
    node.co[l].insert(at, write);
    for t in &mut node.threads {
        if t.seen[l] as usize >= at {
            t.seen[l] += 1;
        }
    }
    node.threads[core].seen[l] = at as u8;
}

fn rmw_operand_taint(facts: &ThreadFacts, taint: &[u64], op: memory_model::ir::RmwOp) -> u64 {
    use memory_model::ir::RmwOp;
    let t = |id| taint_of(facts, taint, id);
    match op {
        RmwOp::Xchg(v)
        | RmwOp::Add(v)
        | RmwOp::And(v)
        | RmwOp::Or(v)
        | RmwOp::Xor(v)
        | RmwOp::AndNot(v) => t(v),
        RmwOp::CmpXchg { expected, new } => t(expected) | t(new),
        RmwOp::AddUnless { add, unless } => t(add) | t(unless),
    }
}
