//! Where a barrier can go in a litmus test, what can go there, and the test
//! rewritten with one choice at each such site: the input of `wmsim
//! fences`.
//!
//! Sites are found on the syntax tree and rewritten in the text, so a
//! placement is the user's own file with a few lines changed (what a diff
//! shows and a reviewer reads), and herd7 input like the file. Three kinds:
//!
//! - a **gap** between two statements of a thread with a memory access
//!   before and after it: nothing, `smp_rmb()`, `smp_wmb()` or `smp_mb()`
//!   inserted on a line of its own;
//! - an existing **fence** statement: the same order, from nothing up
//!   (`barrier()` among them only where the file has one: it constrains the
//!   compiler alone, so on the machines it is never needed); the other full
//!   fences (`smp_mb__before_atomic()` ...) are kept or dropped;
//! - an **access** that has an ordered variant: `READ_ONCE` <
//!   `smp_load_acquire`, `WRITE_ONCE` < `smp_store_release`, `atomic_read`
//!   < `atomic_read_acquire`, `atomic_set` < `atomic_set_release`,
//!   `WRITE_ONCE` < `smp_store_mb` where the file has the latter, and a
//!   value-returning RMW's `_relaxed` < `_acquire`, `_release` < fully
//!   ordered.
//!
//! Choice 0 of a site is its weakest, the last its strongest; each choice
//! knows the choices directly above it, its text, and its cost
//! ([`Cost`]). Rewriting with every site at its original choice gives the
//! input back byte for byte (tested).

use super::ast::{Call, Expr, ExprKind, Stmt};
use super::error::{LitmusError, Source};
use super::primitives::{lookup, Lookup, Primitive};
use crate::builder::{FullFence, Ordering};

/// The extra cost of a choice over its site's weakest, per architecture, in
/// the units of the table in `docs/fences.md`: x86 counts locked
/// instructions (`smp_mb()` is `lock; addl`; `smp_rmb()`, `smp_wmb()`,
/// acquire and release are compiler barriers there, and an RMW is locked
/// whatever its ordering); arm64 counts `dmb ish` as 2 and `dmb ishld`,
/// `dmb ishst`, `ldar`, `stlr` and an RMW's acquire or release half as 1
/// (arch/x86 and arch/arm64 `asm/barrier.h`, `asm/atomic_lse.h`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cost {
    pub x86: u32,
    pub arm64: u32,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            x86: self.x86 + o.x86,
            arm64: self.arm64 + o.arm64,
        }
    }
}

/// What a site can hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// How it reads in prose: `smp_mb()`, `smp_load_acquire()`, `nothing`.
    pub name: String,
    /// The text that stands at the site.
    text: String,
    pub cost: Cost,
    /// The choices directly stronger than this one.
    pub above: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// Between two statements: a barrier inserted.
    Gap,
    /// A barrier the file has.
    Fence,
    /// An access with ordered variants.
    Access,
}

/// One place a placement chooses for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub thread: usize,
    pub kind: SiteKind,
    /// Where it is: the statement it follows (a gap) or its own start.
    pub line: usize,
    pub col: usize,
    /// The source of the statement the site follows or is in, for prose.
    pub statement: String,
    pub choices: Vec<Choice>,
    /// The file's own choice.
    pub original: usize,
    /// The bytes replaced by the choice's text.
    start: usize,
    end: usize,
}

impl Site {
    /// The strongest choice.
    pub fn top(&self) -> usize {
        self.choices.len() - 1
    }

    /// Where, in words: `P0 after line 12` or `P1 line 14`.
    pub fn place(&self) -> String {
        match self.kind {
            SiteKind::Gap => format!("P{} after line {}", self.thread, self.line),
            _ => format!("P{} line {}", self.thread, self.line),
        }
    }
}

/// The sites of a litmus test, in thread and then source order.
pub fn fence_sites(source: &str, file: &str) -> Result<Vec<Site>, LitmusError> {
    let src = Source { file, text: source };
    let test = super::parser::parse(src)?;
    let mut sites = Vec::new();
    for t in &test.threads {
        let mut accesses = Vec::new();
        collect_accesses(source, &t.body, &mut accesses);
        let finder = Finder {
            source,
            thread: t.index,
            accesses: &accesses,
        };
        finder.list(&t.body, &mut sites);
    }
    sites.sort_by_key(|s| (s.thread, s.start, s.end));
    Ok(sites)
}

/// `source` with choice `placement[i]` at site `i`.
pub fn rewrite(source: &str, sites: &[Site], placement: &[usize]) -> String {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((sites[i].start, sites[i].end)));
    let mut text = source.to_string();
    for i in order {
        let s = &sites[i];
        text.replace_range(s.start..s.end, &s.choices[placement[i]].text);
    }
    text
}

/// A memory access of a thread: where it is.
#[derive(Clone, Copy, Debug)]
struct Access {
    offset: usize,
}

fn collect_accesses(source: &str, body: &[Stmt], out: &mut Vec<Access>) {
    for s in body {
        match s {
            Stmt::Decl(ds) => {
                for d in ds {
                    if let Some(e) = &d.init {
                        expr_accesses(source, e, out);
                    }
                }
            }
            Stmt::Assign { target, value, .. } => {
                expr_accesses(source, value, out);
                if let ExprKind::Deref(inner) = &target.kind {
                    expr_accesses(source, inner, out);
                    out.push(Access {
                        offset: offset_of(source, target.pos),
                    });
                }
            }
            Stmt::Eval { expr, .. } => expr_accesses(source, expr, out),
            Stmt::If {
                cond, then, els, ..
            } => {
                expr_accesses(source, cond, out);
                collect_accesses(source, std::slice::from_ref(then), out);
                if let Some(e) = els {
                    collect_accesses(source, std::slice::from_ref(e), out);
                }
            }
            Stmt::Block(b) => collect_accesses(source, b, out),
        }
    }
}

fn expr_accesses(source: &str, e: &Expr, out: &mut Vec<Access>) {
    let here = || Access {
        offset: offset_of(source, e.pos),
    };
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Name(_) | ExprKind::AddrOf(_) => {}
        ExprKind::Deref(inner) => {
            expr_accesses(source, inner, out);
            out.push(here());
        }
        ExprKind::Unary(_, a) => expr_accesses(source, a, out),
        ExprKind::Binary(_, a, b) => {
            expr_accesses(source, a, out);
            expr_accesses(source, b, out);
        }
        ExprKind::Call(c) => {
            for a in &c.args {
                // `READ_ONCE(*x)`'s `*x` names the location, it is not a read of its own.
                if let ExprKind::Deref(inner) = &a.kind {
                    expr_accesses(source, inner, out);
                } else {
                    expr_accesses(source, a, out);
                }
            }
            let touches_memory = match c.prim {
                Primitive::ReadOnce
                | Primitive::LoadAcquire
                | Primitive::RcuDereference
                | Primitive::AtomicRead
                | Primitive::SpinIsLocked
                | Primitive::CondLoad { .. }
                | Primitive::WriteOnce
                | Primitive::StoreMb
                | Primitive::StoreRelease
                | Primitive::RcuAssignPointer
                | Primitive::AtomicSet
                | Primitive::SpinUnlock
                | Primitive::Rmw(_)
                | Primitive::SpinLock
                | Primitive::SpinTrylock => true,
                Primitive::Mb(_)
                | Primitive::Rmb
                | Primitive::Wmb
                | Primitive::Barrier
                | Primitive::Rcu(_) => false,
            };
            if touches_memory {
                out.push(here());
            }
        }
    }
}

/// The byte offset of a line and column (columns count characters).
fn offset_of(source: &str, pos: super::error::Pos) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(pos.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &source[line_start..];
    line_start
        + line
            .char_indices()
            .nth(pos.col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

/// The line (1-based) and column of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

struct Finder<'a> {
    source: &'a str,
    thread: usize,
    accesses: &'a [Access],
}

/// Which fence a statement is, if it is one alone.
fn fence_statement(s: &Stmt) -> Option<(&Call, usize, usize)> {
    let Stmt::Eval { expr, text } = s else {
        return None;
    };
    let ExprKind::Call(c) = &expr.kind else {
        return None;
    };
    matches!(
        c.prim,
        Primitive::Mb(_) | Primitive::Rmb | Primitive::Wmb | Primitive::Barrier
    )
    .then_some((c, text.start, text.end))
}

/// The fence order's choices: nothing < [barrier() <] smp_rmb(), smp_wmb()
/// < smp_mb(), as (name, cost, above).
fn fence_choices(with_barrier: bool) -> Vec<(String, Cost, Vec<usize>)> {
    let c = |x86, arm64| Cost { x86, arm64 };
    let mut v = vec![("nothing".to_string(), c(0, 0), vec![1])];
    let base = v.len();
    if with_barrier {
        v.push(("barrier()".into(), c(0, 0), vec![base + 1]));
        v[0].2 = vec![base];
    }
    let b = v.len();
    if with_barrier {
        v[base].2 = vec![b, b + 1];
    } else {
        v[0].2 = vec![b, b + 1];
    }
    v.push(("smp_rmb()".into(), c(0, 1), vec![b + 2]));
    v.push(("smp_wmb()".into(), c(0, 1), vec![b + 2]));
    v.push(("smp_mb()".into(), c(1, 2), vec![]));
    v
}

impl Finder<'_> {
    fn list(&self, body: &[Stmt], out: &mut Vec<Site>) {
        for (i, s) in body.iter().enumerate() {
            self.stmt(s, out);
            let next_is_fence = body
                .get(i + 1)
                .is_some_and(|n| fence_statement(n).is_some());
            if fence_statement(s).is_none() && !next_is_fence {
                self.gap_after(s, out);
            }
        }
    }

    fn stmt(&self, s: &Stmt, out: &mut Vec<Site>) {
        if let Some((c, start, end)) = fence_statement(s) {
            self.fence_site(c, start, end, out);
            return;
        }
        match s {
            Stmt::Decl(ds) => {
                for d in ds {
                    if let Some(e) = &d.init {
                        self.expr(e, out);
                        self.plain_load_site(e, d.text.end, out);
                    }
                }
            }
            Stmt::Assign {
                target,
                value,
                text,
            } => {
                self.expr(target, out);
                self.expr(value, out);
                self.plain_site(target, value, text.start, text.end, out);
            }
            Stmt::Eval { expr, .. } => self.expr(expr, out),
            Stmt::If {
                cond, then, els, ..
            } => {
                // A braced branch is a list with gaps of its own; a bare
                // statement gets none (a barrier after it would leave the
                // branch, or split an `if` from its `else`).
                self.expr(cond, out);
                self.stmt(then, out);
                if let Some(e) = els {
                    self.stmt(e, out);
                }
            }
            Stmt::Block(b) => self.list(b, out),
        }
    }

    fn expr(&self, e: &Expr, out: &mut Vec<Site>) {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Name(_) | ExprKind::AddrOf(_) => {}
            ExprKind::Deref(a) | ExprKind::Unary(_, a) => self.expr(a, out),
            ExprKind::Binary(_, a, b) => {
                self.expr(a, out);
                self.expr(b, out);
            }
            ExprKind::Call(c) => {
                for a in &c.args {
                    self.expr(a, out);
                }
                self.access_site(e, c, out);
            }
        }
    }

    /// The end of a simple statement: just past its `;`.
    fn end_of_statement(&self, s: &Stmt) -> Option<(usize, usize)> {
        let (start, end) = match s {
            Stmt::Assign { text, .. } | Stmt::Eval { text, .. } => (text.start, text.end),
            Stmt::Decl(ds) => (ds.first()?.text.start, ds.last()?.text.end),
            _ => return None,
        };
        let semi = end + self.source.get(end..)?.find(';')?;
        Some((start, semi + 1))
    }

    fn gap_after(&self, s: &Stmt, out: &mut Vec<Site>) {
        let Some((start, after)) = self.end_of_statement(s) else {
            return;
        };
        let before_any = self.accesses.iter().any(|a| a.offset < after);
        let after_any = self.accesses.iter().any(|a| a.offset >= after);
        if !before_any || !after_any {
            return;
        }
        // On a line of its own when the statement ends its line (but for
        // spaces or a comment), else beside it.
        let rest_end = self.source[after..]
            .find('\n')
            .map_or(self.source.len(), |i| after + i);
        let rest = self.source[after..rest_end].trim();
        let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = self.source[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let own_line = rest.is_empty() || rest.starts_with("//") || rest.starts_with("/*");
        let at = if own_line { rest_end } else { after };
        let layout = |code: &str| {
            if own_line {
                format!("\n{indent}{code};")
            } else {
                format!(" {code};")
            }
        };
        let choices = fence_choices(false)
            .into_iter()
            .enumerate()
            .map(|(i, (name, cost, above))| Choice {
                text: if i == 0 { String::new() } else { layout(&name) },
                name,
                cost,
                above,
            })
            .collect();
        let (line, col) = line_col(self.source, start);
        out.push(Site {
            thread: self.thread,
            kind: SiteKind::Gap,
            line,
            col,
            statement: self.source[start..after].to_string(),
            choices,
            original: 0,
            start: at,
            end: at,
        });
    }

    fn fence_site(&self, c: &Call, start: usize, end: usize, out: &mut Vec<Site>) {
        let semi = end + self.source[end..].find(';').unwrap_or(0) + 1;
        let statement = self.source[start..semi].to_string();
        // The whole line goes when the fence is alone on it.
        let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.source[semi..]
            .find('\n')
            .map_or(self.source.len(), |i| semi + i + 1);
        let rest = self.source[semi..line_end].trim();
        let alone = self.source[line_start..start].trim().is_empty()
            && (rest.is_empty() || rest.starts_with("//") || rest.starts_with("/*"));
        let (from, to) = if alone {
            (line_start, line_end)
        } else {
            // With the spaces before it, so that dropping it leaves none.
            let spaces = self.source[..start].len()
                - self.source[..start].trim_end_matches([' ', '\t']).len();
            (start - spaces, semi)
        };
        let with = |code: &str| {
            format!(
                "{}{code};{}",
                &self.source[from..start],
                &self.source[semi..to]
            )
        };
        let (choices, original) = match c.prim {
            Primitive::Mb(FullFence::Mb) | Primitive::Rmb | Primitive::Wmb | Primitive::Barrier => {
                let with_barrier = c.prim == Primitive::Barrier;
                let table = fence_choices(with_barrier);
                let original = table
                    .iter()
                    .position(|(n, _, _)| n.trim_end_matches("()") == c.name)
                    .unwrap_or(table.len() - 1);
                let choices = table
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, cost, above))| Choice {
                        text: if i == 0 {
                            String::new()
                        } else if i == original {
                            self.source[from..to].to_string()
                        } else {
                            with(&name)
                        },
                        name,
                        cost,
                        above,
                    })
                    .collect();
                (choices, original)
            }
            _ => {
                // smp_mb__before_atomic() and its kind: kept or dropped.
                let choices = vec![
                    Choice {
                        name: "nothing".into(),
                        text: String::new(),
                        cost: Cost::default(),
                        above: vec![1],
                    },
                    Choice {
                        name: format!("{}()", c.name),
                        text: self.source[from..to].to_string(),
                        cost: Cost { x86: 1, arm64: 2 },
                        above: vec![],
                    },
                ];
                (choices, 1)
            }
        };
        let (line, col) = line_col(self.source, start);
        out.push(Site {
            thread: self.thread,
            kind: SiteKind::Fence,
            line,
            col,
            statement,
            choices,
            original,
            start: from,
            end: to,
        });
    }

    /// A plain access written as a whole statement, `*x = v` with `v` a
    /// register or a constant, or `r = *x`: marking it (`WRITE_ONCE`,
    /// `READ_ONCE`) and then ordering it. Under LKMM a plain access is
    /// ordered by nothing a barrier adds, so a racy program needs its
    /// accesses marked before any barrier helps.
    fn plain_site(
        &self,
        target: &Expr,
        value: &Expr,
        start: usize,
        end: usize,
        out: &mut Vec<Site>,
    ) {
        let simple = |e: &Expr| matches!(e.kind, ExprKind::Name(_) | ExprKind::Int(_));
        let pointer = |e: &Expr| match &e.kind {
            ExprKind::Deref(p) if matches!(p.kind, ExprKind::Name(_)) => {
                let at = offset_of(self.source, p.pos);
                let len = self.source[at..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(self.source.len() - at);
                Some(self.source[at..at + len].to_string())
            }
            _ => None,
        };
        if let ExprKind::Name(_) = &target.kind {
            return self.plain_load_site(value, end, out);
        }
        let (Some(p), true) = (pointer(target), simple(value)) else {
            return;
        };
        let c = |x86, arm64| Cost { x86, arm64 };
        let v = self.source[offset_of(self.source, value.pos)..end].trim();
        let variants = vec![
            (
                "a plain store".into(),
                c(0, 0),
                self.source[start..end].to_string(),
            ),
            (
                "WRITE_ONCE()".into(),
                c(0, 0),
                format!("WRITE_ONCE(*{p}, {v})"),
            ),
            (
                "smp_store_release()".into(),
                c(0, 1),
                format!("smp_store_release({p}, {v})"),
            ),
        ];
        self.push_plain(start, start, end, variants, out);
    }

    /// `*x` alone as the value of an assignment or an initializer, `end`
    /// its end: a plain load site.
    fn plain_load_site(&self, value: &Expr, end: usize, out: &mut Vec<Site>) {
        let ExprKind::Deref(p) = &value.kind else {
            return;
        };
        if !matches!(p.kind, ExprKind::Name(_)) {
            return;
        }
        let at = offset_of(self.source, value.pos);
        let p = self.source[offset_of(self.source, p.pos)..end].trim();
        if !p.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return;
        }
        let c = |x86, arm64| Cost { x86, arm64 };
        let statement_start = self.source[..at].rfind('\n').map_or(0, |i| i + 1);
        let variants = vec![
            (
                "a plain load".into(),
                c(0, 0),
                self.source[at..end].to_string(),
            ),
            ("READ_ONCE()".into(), c(0, 0), format!("READ_ONCE(*{p})")),
            (
                "smp_load_acquire()".into(),
                c(0, 1),
                format!("smp_load_acquire({p})"),
            ),
        ];
        self.push_plain(at, statement_start, end, variants, out);
    }

    /// A plain access's site: its text from `from` to `end` replaced, in
    /// the statement starting at `start`.
    fn push_plain(
        &self,
        from: usize,
        start: usize,
        end: usize,
        variants: Vec<(String, Cost, String)>,
        out: &mut Vec<Site>,
    ) {
        let choices = variants
            .into_iter()
            .enumerate()
            .map(|(i, (name, cost, text))| Choice {
                name,
                text,
                cost,
                above: if i < 2 { vec![i + 1] } else { vec![] },
            })
            .collect();
        let (line, col) = line_col(self.source, from);
        out.push(Site {
            thread: self.thread,
            kind: SiteKind::Access,
            line,
            col,
            statement: self.source[start..end].trim().to_string(),
            choices,
            original: 0,
            start: from,
            end,
        });
    }

    /// A site for a call with ordered variants. The site is the call's
    /// head only, its name and, where the variants spell the location
    /// differently (`READ_ONCE(*x` and `smp_load_acquire(x`), its first
    /// argument, so that a site in a later argument is a site of its own.
    fn access_site(&self, e: &Expr, c: &Call, out: &mut Vec<Site>) {
        let start = offset_of(self.source, e.pos);
        let Some(end) = call_end(self.source, start) else {
            return;
        };
        let call = &self.source[start..end];
        let Some(open) = call.find('(') else {
            return;
        };
        let args = &call[open + 1..call.len() - 1];
        let first = split_first_arg(args).map_or(args, |(first, _)| first);
        let c1 = |arm64| Cost { x86: 0, arm64 };
        let named =
            |n: &str, cost, above: Vec<usize>| (format!("{n}()"), cost, above, n.to_string());
        // (name, cost, above, head) for each choice, weakest first.
        let (variants, head_end): (Vec<Variant>, usize) = match c.prim {
            Primitive::ReadOnce
            | Primitive::LoadAcquire
            | Primitive::WriteOnce
            | Primitive::StoreRelease => {
                if first.contains('(') {
                    return; // a site inside would overlap this one
                }
                let lvalue_first = matches!(c.prim, Primitive::ReadOnce | Primitive::WriteOnce);
                let (lvalue, pointer) = lvalue_and_pointer(first, lvalue_first);
                let (weak, strong) =
                    if matches!(c.prim, Primitive::ReadOnce | Primitive::LoadAcquire) {
                        ("READ_ONCE", "smp_load_acquire")
                    } else {
                        ("WRITE_ONCE", "smp_store_release")
                    };
                let variants = vec![
                    (
                        format!("{weak}()"),
                        c1(0),
                        vec![1],
                        format!("{weak}({lvalue}"),
                    ),
                    (
                        format!("{strong}()"),
                        c1(1),
                        vec![],
                        format!("{strong}({pointer}"),
                    ),
                ];
                (variants, start + open + 1 + first.len())
            }
            _ => {
                let variants = match c.prim {
                    Primitive::StoreMb => vec![
                        named("WRITE_ONCE", c1(0), vec![1]),
                        named("smp_store_mb", Cost { x86: 1, arm64: 2 }, vec![]),
                    ],
                    Primitive::AtomicRead => vec![
                        named("atomic_read", c1(0), vec![1]),
                        named("atomic_read_acquire", c1(1), vec![]),
                    ],
                    Primitive::AtomicSet => vec![
                        named("atomic_set", c1(0), vec![1]),
                        named("atomic_set_release", c1(1), vec![]),
                    ],
                    Primitive::CondLoad { .. } => vec![
                        named("smp_cond_load_relaxed", c1(0), vec![1]),
                        named("smp_cond_load_acquire", c1(1), vec![]),
                    ],
                    Primitive::Rmw(spec) if spec.returns => {
                        let Some(base) = rmw_base(&c.name) else {
                            return;
                        };
                        let names = [
                            format!("{base}_relaxed"),
                            format!("{base}_acquire"),
                            format!("{base}_release"),
                            base.to_string(),
                        ];
                        // Only a family the dialect has in every ordering.
                        let same_family = names.iter().all(|n| match lookup(n) {
                            Lookup::Known(Primitive::Rmw(s)) => {
                                s.kind == spec.kind && s.result == spec.result && s.returns
                            }
                            _ => false,
                        });
                        if !same_family {
                            return;
                        }
                        let costs = [c1(0), c1(1), c1(1), c1(2)];
                        let above = [vec![1, 2], vec![3], vec![3], vec![]];
                        names
                            .iter()
                            .zip(costs)
                            .zip(above)
                            .map(|((n, cost), above)| named(n, cost, above))
                            .collect()
                    }
                    _ => return,
                };
                (variants, start + c.name.len())
            }
        };
        let end = head_end;
        let original = match c.prim {
            Primitive::Rmw(spec) => match spec.ordering {
                Ordering::Relaxed => 0,
                Ordering::Acquire => 1,
                Ordering::Release => 2,
                Ordering::Full => 3,
            },
            Primitive::LoadAcquire | Primitive::StoreRelease | Primitive::StoreMb => 1,
            Primitive::CondLoad { acquire } => usize::from(acquire),
            _ => 0,
        };
        let choices = variants
            .into_iter()
            .enumerate()
            .map(|(i, (name, cost, above, text))| Choice {
                name,
                text: if i == original {
                    self.source[start..end].to_string()
                } else {
                    text
                },
                cost,
                above,
            })
            .collect();
        let (line, col) = line_col(self.source, start);
        let statement_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let statement_end = self.source[start..]
            .find('\n')
            .map_or(self.source.len(), |i| start + i);
        out.push(Site {
            thread: self.thread,
            kind: SiteKind::Access,
            line,
            col,
            statement: self.source[statement_start..statement_end]
                .trim()
                .to_string(),
            choices,
            original,
            start,
            end,
        });
    }
}

/// A choice at an access, before it is a [`Choice`]: name, cost, the
/// choices directly above, the call's head.
type Variant = (String, Cost, Vec<usize>, String);

/// The end of the call starting at `start` (its name): just past the `)`
/// that closes its argument list.
fn call_end(source: &str, start: usize) -> Option<usize> {
    let open = start + source[start..].find('(')?;
    let mut depth = 0usize;
    for (i, ch) in source[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `a, rest` split at the first top-level comma: (`a`, ` rest`).
fn split_first_arg(args: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (i, ch) in args.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return Some((&args[..i], &args[i + 1..])),
            _ => {}
        }
    }
    None
}

/// An access's location as an lvalue (`*x`, for `READ_ONCE`) and as a
/// pointer (`x`, for `smp_load_acquire`), from the argument as written.
fn lvalue_and_pointer(arg: &str, is_lvalue: bool) -> (String, String) {
    let a = arg.trim();
    let simple = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if is_lvalue {
        let pointer = match a.strip_prefix('*') {
            Some(p) => p.trim().to_string(),
            None => format!("&{a}"),
        };
        (a.to_string(), pointer)
    } else {
        let lvalue = match a.strip_prefix('&') {
            Some(l) => l.trim().to_string(),
            None if simple(a) => format!("*{a}"),
            None => format!("*({a})"),
        };
        (lvalue, a.to_string())
    }
}

/// An RMW's name without its ordering suffix.
fn rmw_base(name: &str) -> Option<&str> {
    for suffix in ["_relaxed", "_acquire", "_release"] {
        if let Some(base) = name.strip_suffix(suffix) {
            return Some(base);
        }
    }
    Some(name)
}
