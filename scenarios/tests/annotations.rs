//! What the litmus lowering tells LKMM about each instruction: its
//! annotation (plain or marked, the ordering tag, which full fence) and
//! where in the file it comes from. The data-race check reads both.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;

use memory_model::ir::{Annotation, Fence, Instr, Position, Scenario, Thread};
use scenarios::litmus::parse_litmus;

/// Parses `body` as the code of P0, whose parameters are the locations
/// `x`, `y`, `l` (a spinlock) and `v` (an `atomic_t`). The body starts on
/// line 7.
fn p0(body: &str) -> Thread {
    let src = format!(
        "C t\n\n{{}}\n\nP0(int *x, int *y, spinlock_t *l, atomic_t *v)\n{{\n{body}\n}}\n\nexists (x=0)\n"
    );
    let s: Scenario = parse_litmus(&src, "t.litmus").unwrap_or_else(|e| panic!("{e}\n{src}"));
    s.threads[0].clone()
}

/// What each instruction is, in a form easy to compare: its kind in a
/// word, its annotation, its line and column.
fn shape(t: &Thread) -> Vec<(&'static str, Annotation, u32, u32)> {
    t.instrs
        .iter()
        .zip(&t.annotations)
        .zip(&t.positions)
        .map(|((i, a), p)| {
            let kind = match i {
                Instr::Load { .. } => "load",
                Instr::Store { .. } => "store",
                Instr::Rmw { .. } => "rmw",
                Instr::CondLoad { .. } => "condload",
                Instr::Lock { .. } => "lock",
                Instr::TryLock { .. } => "trylock",
                Instr::Fence(Fence::Mb) => "mb",
                Instr::Fence(Fence::Rmb) => "rmb",
                Instr::Fence(Fence::Wmb) => "wmb",
                Instr::Fence(Fence::Acquire) => "acquire",
                Instr::Fence(Fence::Release) => "release",
                Instr::Rcu(_) => "rcu",
                Instr::Assign { .. } => "assign",
                Instr::Branch { .. } => "branch",
                Instr::Jump { .. } => "jump",
            };
            (kind, *a, p.line, p.col)
        })
        .collect()
}

use Annotation::*;

#[test]
fn plain_store() {
    let t = p0("\t*x = 1;");
    assert_eq!(shape(&t), [("store", Plain, 7, 2)]);
}

#[test]
fn plain_load() {
    let t = p0("\tint r0;\n\tr0 = *y;");
    assert_eq!(shape(&t), [("load", Plain, 8, 7)]);
}

#[test]
fn plain_load_in_a_declaration() {
    let t = p0("\tint r1 = *x;\n\tintptr_t r2 = *y;");
    assert_eq!(shape(&t), [("load", Plain, 7, 11), ("load", Plain, 8, 16)]);
}

#[test]
fn plain_loads_inside_an_expression() {
    // Each `*` where it is written; the store where its statement starts.
    let t = p0("\t*x = *y + *x;");
    assert_eq!(
        shape(&t),
        [
            ("load", Plain, 7, 7),
            ("load", Plain, 7, 12),
            ("store", Plain, 7, 2)
        ]
    );
}

#[test]
fn plain_load_through_a_cast() {
    let t = p0("\tint r0 = *(intptr_t *)x;\n\tint *r1 = *(int **)y;");
    assert_eq!(shape(&t), [("load", Plain, 7, 11), ("load", Plain, 8, 12)]);
}

#[test]
fn a_plain_pointer_read_inside_read_once() {
    // `READ_ONCE(**p)`: the pointer `*p` (the inner `*`) is read plainly,
    // then the marked read through it, at `READ_ONCE`.
    let src = "C t\n\n{\n\tint *p = x;\n}\n\nP0(int **p)\n{\n\tint r0 = READ_ONCE(**p);\n}\n\nexists (0:r0=0)\n";
    let s = parse_litmus(src, "t.litmus").unwrap();
    assert_eq!(
        shape(&s.threads[0]),
        [("load", Plain, 9, 22), ("load", Once, 9, 11)]
    );
}

#[test]
fn read_once_and_write_once_are_marked() {
    let t = p0("\tint r0 = READ_ONCE(*x);\n\tWRITE_ONCE(*y, r0);");
    assert_eq!(shape(&t), [("load", Once, 7, 11), ("store", Once, 8, 2)]);
}

#[test]
fn nested_calls_each_at_their_own_name() {
    let t = p0("\tWRITE_ONCE(*y, READ_ONCE(*x));");
    assert_eq!(shape(&t), [("load", Once, 7, 17), ("store", Once, 7, 2)]);
}

#[test]
fn load_acquire_and_store_release() {
    let t = p0("\tint r0 = smp_load_acquire(x);\n\tsmp_store_release(y, 1);");
    assert_eq!(
        shape(&t),
        [
            ("load", Acquire, 7, 11),
            ("acquire", Implied, 7, 11),
            ("release", Implied, 8, 2),
            ("store", Release, 8, 2),
        ]
    );
}

#[test]
fn rcu_assign_pointer_is_a_release() {
    let t = p0("\trcu_assign_pointer(*x, 1);\n\tint r0 = rcu_dereference(*y);");
    assert_eq!(
        shape(&t),
        [
            ("release", Implied, 7, 2),
            ("store", Release, 7, 2),
            ("load", Once, 8, 11),
        ]
    );
}

#[test]
fn rmw_orderings() {
    let t = p0(
        "\tint r0 = xchg(x, 1);\n\tint r1 = xchg_acquire(x, 2);\n\tint r2 = xchg_release(x, 3);\n\tint r3 = xchg_relaxed(x, 4);",
    );
    assert_eq!(
        shape(&t),
        [
            ("mb", Implied, 7, 11),
            ("rmw", Mb, 7, 11),
            ("mb", Implied, 7, 11),
            ("rmw", Acquire, 8, 11),
            ("acquire", Implied, 8, 11),
            ("rmw", Release, 9, 11),
            ("rmw", Once, 10, 11),
        ]
    );
}

#[test]
fn void_atomics_are_relaxed() {
    let t = p0("\tatomic_inc(v);\n\tatomic_add(2, v);");
    assert_eq!(shape(&t), [("rmw", Once, 7, 2), ("rmw", Once, 8, 2)]);
    assert!(t
        .instrs
        .iter()
        .all(|i| matches!(i, Instr::Rmw { returns: false, .. })));
}

#[test]
fn a_fully_ordered_atomic_returning_a_value() {
    let t = p0("\tint r0 = atomic_inc_return(v);\n\tint r1 = atomic_read(v);\n\tatomic_set(v, 3);");
    assert_eq!(
        shape(&t),
        [
            ("mb", Implied, 7, 11),
            ("rmw", Mb, 7, 11),
            ("mb", Implied, 7, 11),
            ("load", Once, 8, 11),
            ("store", Once, 9, 2),
        ]
    );
}

#[test]
fn spinlocks() {
    let t = p0("\tspin_lock(l);\n\tspin_unlock(l);\n\tint r0 = spin_trylock(l);\n\tint r1 = spin_is_locked(l);");
    assert_eq!(
        shape(&t),
        [
            ("lock", Acquire, 7, 2),
            ("acquire", Implied, 7, 2),
            ("release", Implied, 8, 2),
            ("store", Unlock, 8, 2),
            ("trylock", Acquire, 9, 11),
            ("acquire", Implied, 9, 11),
            ("load", Once, 10, 11),
            ("assign", Once, 10, 11),
        ]
    );
}

#[test]
fn the_full_fences_are_told_apart() {
    let t = p0(
        "\tsmp_mb();\n\tsmp_mb__before_atomic();\n\tsmp_mb__after_atomic();\n\tsmp_mb__after_spinlock();\n\tsmp_mb__after_unlock_lock();\n\tsmp_rmb();\n\tsmp_wmb();",
    );
    assert_eq!(
        shape(&t),
        [
            ("mb", Once, 7, 2),
            ("mb", BeforeAtomic, 8, 2),
            ("mb", AfterAtomic, 9, 2),
            ("mb", AfterSpinlock, 10, 2),
            ("mb", AfterUnlockLock, 11, 2),
            ("rmb", Once, 12, 2),
            ("wmb", Once, 13, 2),
        ]
    );
}

#[test]
fn cond_loads() {
    let t = p0(
        "\tint r0 = smp_cond_load_acquire(x, VAL == 1);\n\tint r1 = smp_cond_load_relaxed(y, VAL != 0);",
    );
    assert_eq!(
        shape(&t),
        [
            ("condload", Acquire, 7, 11),
            ("acquire", Implied, 7, 11),
            ("condload", Once, 8, 11),
        ]
    );
}

#[test]
fn store_mb_is_a_marked_store_and_a_fence() {
    let t = p0("\tsmp_store_mb(*x, 1);");
    assert_eq!(shape(&t), [("store", Once, 7, 2), ("mb", Once, 7, 2)]);
}

#[test]
fn local_instructions_are_at_their_statement() {
    let t = p0("\tint r0 = *x;\n\tif (r0 == 1)\n\t\t*y = 2;\n\telse\n\t\tr0 = r0 + 1;");
    assert_eq!(
        shape(&t),
        [
            ("load", Plain, 7, 11),
            ("branch", Once, 8, 2),
            ("store", Plain, 9, 3),
            ("jump", Once, 8, 2),
            ("assign", Once, 11, 3),
        ]
    );
}

#[test]
fn a_compound_assignment_through_a_pointer_is_a_plain_load_and_store() {
    let t = p0("\t*x += 1;");
    assert_eq!(shape(&t), [("load", Plain, 7, 2), ("store", Plain, 7, 2)]);
}

#[test]
fn columns_count_characters() {
    // `é` is two bytes, one column.
    let t = p0("\t/* é */ *x = 1;");
    assert_eq!(shape(&t), [("store", Plain, 7, 10)]);
}

#[test]
fn every_instruction_has_an_annotation_and_a_position() {
    for b in scenarios::builtin::BUILTINS {
        for t in &b.scenario().threads {
            assert_eq!(t.annotations.len(), t.instrs.len(), "{}", b.name);
            assert_eq!(t.positions.len(), t.instrs.len(), "{}", b.name);
            assert!(
                t.positions.iter().all(|p| *p != Position::default()),
                "{}: an instruction without a position",
                b.name
            );
        }
    }
}

/// Every file of the corpus's `races/` folder (tests with plain accesses)
/// parses, has a plain access, and every plain access knows where it is.
#[test]
fn the_race_corpus_has_plain_accesses_with_positions() {
    let Some(root) = corpus::litmus_corpus("the_race_corpus_has_plain_accesses_with_positions")
    else {
        return;
    };
    let dir = root.join("races");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "litmus"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .litmus files in {}", dir.display());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        let s = match parse_litmus(&text, &name) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        let mut plain = 0;
        for (core, t) in s.threads.iter().enumerate() {
            for (i, a) in t.annotations.iter().enumerate() {
                if *a != Plain {
                    continue;
                }
                plain += 1;
                let p = t.positions[i];
                if p.line == 0 || p.col == 0 {
                    problems.push(format!(
                        "{name}: P{core} instruction {i} `{}` is plain with no position",
                        t.source[i]
                    ));
                }
            }
        }
        if plain == 0 {
            problems.push(format!("{name}: no plain access"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
