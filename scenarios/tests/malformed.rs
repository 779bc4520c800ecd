//! Malformed and unsupported litmus inputs give the right kind of error at
//! the right place (and never panic); small programs lower to the expected
//! IR.

use memory_model::ir::{
    address_of, Address, Expr, Fence, Instr, Loc, Observable, RcuOp, Reg, RmwOp, RmwOrder,
    RmwResult, Scenario,
};
use scenarios::litmus::{parse_litmus, LitmusError};

const FILE: &str = "t.litmus";

fn err(src: &str) -> LitmusError {
    match parse_litmus(src, FILE) {
        Ok(s) => panic!("expected an error, got a scenario {s:?}"),
        Err(e) => e,
    }
}

fn ok(src: &str) -> Scenario {
    parse_litmus(src, FILE).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks kind, position and a substring of the message.
fn check(src: &str, kind: &str, line: usize, col: usize, needle: &str) {
    let e = err(src);
    let (k, msg) = match &e {
        LitmusError::Parse { expected, .. } => ("parse", expected.clone()),
        LitmusError::Unsupported { construct, .. } => ("unsupported", construct.clone()),
        LitmusError::Invalid { message, .. } => ("invalid", message.clone()),
    };
    let pos = e.position();
    assert_eq!(
        (k, pos.line, pos.col),
        (kind, line, col),
        "wrong kind or position for error: {e}"
    );
    assert!(msg.contains(needle), "`{msg}` does not contain `{needle}`");
}

/// A well-formed two-thread test with `body0` as P0's body.
fn with_p0(body0: &str) -> String {
    format!(
        "C t\n{{\n}}\nP0(int *x, int *y)\n{{\n{body0}\n}}\nP1(int *x, int *y)\n{{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n}}\nexists (1:r0=0)\n"
    )
}

const SB: &str = "C SB\n{\n}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONCE(*y);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\n\tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}\n\nexists (0:r0=0 /\\ 1:r0=0)\n";

// ---- malformed: Parse ----

#[test]
fn empty_file() {
    check("", "parse", 1, 1, "`C <name>`");
}

#[test]
fn only_a_comment() {
    check("(* nothing *)\n", "parse", 2, 1, "`C <name>`");
}

#[test]
fn not_a_c_test() {
    check("X86 SB\n{}\n", "parse", 1, 1, "`C <name>` header");
}

#[test]
fn missing_name() {
    check("C\n{}\n", "parse", 1, 2, "name after `C`");
}

#[test]
fn truncated_in_a_thread() {
    let cut = &SB[..SB.find("r0 = READ_ONCE(*y)").unwrap()];
    check(cut, "parse", 10, 2, "`}` closing the block");
}

#[test]
fn truncated_before_the_condition_is_forall_true_as_in_herd7() {
    let cut = &SB[..SB.find("exists").unwrap()];
    let s = ok(cut);
    assert_eq!(s.condition.quantifier, memory_model::ir::Quantifier::Forall);
    assert_eq!(s.condition.prop, memory_model::ir::Prop::True);
}

#[test]
fn unbalanced_braces() {
    let src = SB.replace("r0 = READ_ONCE(*x);\n}", "r0 = READ_ONCE(*x);\n}}");
    check(&src, "parse", 19, 2, "found `}`");
}

#[test]
fn missing_semicolon() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 1)");
    check(&src, "parse", 10, 2, "`;` after the statement, found `r0`");
}

#[test]
fn bad_condition_operator() {
    let src = SB.replace("0:r0=0 /\\", "0:r0 ~ 0 /\\");
    check(&src, "parse", 21, 14, "comparison operator");
}

#[test]
fn unclosed_condition() {
    let src = SB.replace("1:r0=0)", "1:r0=0");
    check(&src, "parse", 22, 1, "`)`");
}

#[test]
fn unterminated_herd_comment() {
    let src = SB.replace("{\n}\n\nP0", "{\n}\n(* oops\nP0");
    check(&src, "parse", 4, 1, "`*)`");
}

#[test]
fn unterminated_c_comment() {
    let src = SB.replace("\tWRITE_ONCE(*y, 1);", "\t/* WRITE_ONCE(*y, 1);");
    check(&src, "parse", 17, 2, "`*/`");
}

#[test]
fn non_ascii_outside_comments() {
    let src = SB.replace(
        "\tWRITE_ONCE(*y, 1);",
        "\tWRITE_ONCE(*y, 1); // ok: é\n\tr0 = ré;",
    );
    check(&src, "parse", 18, 8, "non-ASCII character `é`");
}

#[test]
fn non_ascii_in_the_header() {
    check("C t\nrésumé\n{}\n", "parse", 2, 2, "non-ASCII");
}

#[test]
fn stray_else() {
    check(
        &with_p0("\telse r0 = 1;"),
        "parse",
        6,
        2,
        "a statement, found `else`",
    );
}

// ---- malformed: Invalid ----

#[test]
fn unknown_register_in_exists() {
    let src = SB.replace("1:r0=0)", "1:r9=0)");
    check(&src, "invalid", 21, 21, "thread P1 has no register `r9`");
}

#[test]
fn unknown_thread_in_exists() {
    let src = SB.replace("1:r0=0)", "2:r0=0)");
    check(&src, "invalid", 21, 19, "no thread P2");
}

#[test]
fn unknown_location_in_condition() {
    let src = SB.replace("exists (0:r0=0", "exists (w=1 /\\ 0:r0=0");
    check(&src, "invalid", 21, 9, "unknown location `w`");
}

#[test]
fn unknown_address_in_condition() {
    let src = SB.replace("1:r0=0)", "1:r0=w)");
    check(&src, "invalid", 21, 24, "unknown location `w`");
}

#[test]
fn duplicate_thread() {
    let src = SB.replace("P1(int *x, int *y)", "P0(int *x, int *y)");
    check(&src, "invalid", 13, 1, "duplicate thread P0");
}

#[test]
fn p1_before_p0() {
    let src = SB.replace("P0(int *x, int *y)", "P1(int *x, int *y)");
    check(&src, "invalid", 5, 1, "expected thread P0, found P1");
}

#[test]
fn wrong_argument_count() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x);");
    check(
        &src,
        "invalid",
        9,
        2,
        "`WRITE_ONCE` takes 2 arguments, found 1",
    );
    let src = SB.replace("WRITE_ONCE(*x, 1);", "smp_mb(x);");
    check(&src, "invalid", 9, 2, "`smp_mb` takes 0 arguments, found 1");
}

#[test]
fn number_too_large() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 2147483648);");
    check(&src, "invalid", 9, 17, "does not fit in a 32-bit");
    let src = SB.replace(
        "WRITE_ONCE(*x, 1);",
        "WRITE_ONCE(*x, 99999999999999999999999);",
    );
    check(&src, "invalid", 9, 17, "does not fit in a 32-bit");
    let src = SB.replace("0:r0=0 /\\", "0:r0=4294967296 /\\");
    check(&src, "invalid", 21, 14, "does not fit in a 32-bit");
}

#[test]
fn value_that_looks_like_an_address() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 0x40000001);");
    check(&src, "invalid", 9, 17, "encoding of addresses");
}

#[test]
fn unknown_identifier() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, q);");
    check(&src, "invalid", 9, 17, "unknown identifier `q`");
}

#[test]
fn register_init_for_a_missing_thread() {
    let src = SB.replace("{\n}\n", "{\n\t5:r0=1;\n}\n");
    check(&src, "invalid", 3, 2, "thread P5 that does not exist");
}

#[test]
fn too_many_threads() {
    let mut src = String::from("C t\n{}\n");
    for i in 0..9 {
        src.push_str(&format!("P{i}(int *x)\n{{\n\tWRITE_ONCE(*x, 1);\n}}\n"));
    }
    src.push_str("exists (x=1)\n");
    check(&src, "invalid", 35, 1, "at most 8 cores");
}

#[test]
fn too_many_locations() {
    let decls: String = (0..33).map(|i| format!("int v{i};\n")).collect();
    let src =
        format!("C t\n{{\n{decls}}}\nP0(int *v0)\n{{\n\tWRITE_ONCE(*v0, 1);\n}}\nexists (v0=1)\n");
    check(&src, "invalid", 35, 5, "too many locations");
}

#[test]
fn too_many_registers() {
    let decls: String = (0..33).map(|i| format!("\tint r{i};\n")).collect();
    check(&with_p0(&decls), "invalid", 38, 6, "more than 32 registers");
}

#[test]
fn too_many_instructions() {
    let body = "\tsmp_mb();\n".repeat(1025);
    check(
        &with_p0(body.trim_end()),
        "invalid",
        1030,
        2,
        "more than 1024 instructions",
    );
}

#[test]
fn no_threads() {
    check(
        "C t\n{}\nexists (x=1)\n",
        "invalid",
        3,
        1,
        "at least one thread",
    );
}

#[test]
fn assignment_to_a_location() {
    check(
        &with_p0("\tx = 1;"),
        "invalid",
        6,
        2,
        "cannot assign to location `x`",
    );
}

#[test]
fn declared_twice() {
    check(
        &with_p0("\tint r0;\n\tint r0;"),
        "invalid",
        7,
        6,
        "declared twice",
    );
}

#[test]
fn void_primitive_used_as_a_value() {
    check(
        &with_p0("\tint r0;\n\tr0 = WRITE_ONCE(*x, 1);"),
        "invalid",
        7,
        7,
        "has no value",
    );
}

#[test]
fn read_once_of_a_pointer() {
    check(
        &with_p0("\tint r0;\n\tr0 = READ_ONCE(x);"),
        "invalid",
        7,
        17,
        "lvalue such as `*x`",
    );
}

#[test]
fn cond_load_that_reads_memory() {
    check(
        &with_p0("\tint r0;\n\tr0 = smp_cond_load_acquire(x, VAL == *y);"),
        "invalid",
        7,
        32,
        "must not access memory",
    );
}

#[test]
fn val_outside_cond_load() {
    check(&with_p0("\tint r0;\n\tr0 = VAL;"), "invalid", 7, 7, "`VAL`");
}

#[test]
fn reserved_temporary_name() {
    check(&with_p0("\tint __t0;"), "invalid", 6, 6, "reserved");
}

#[test]
fn nesting_too_deep() {
    let deep = format!("\tint r0 = {}1{};", "(".repeat(500), ")".repeat(500));
    let e = err(&with_p0(&deep));
    assert!(
        matches!(e, LitmusError::Invalid { ref message, .. } if message.contains("nested")),
        "{e}"
    );
    let chain = format!("\tint r0 = 1{};", "+1".repeat(5000));
    let e = err(&with_p0(&chain));
    assert!(
        matches!(e, LitmusError::Invalid { ref message, .. } if message.contains("nested")),
        "{e}"
    );
    let conj = (0..1000)
        .map(|_| "0:r0=0")
        .collect::<Vec<_>>()
        .join(" /\\ ");
    let src = SB.replace("0:r0=0 /\\ 1:r0=0", &conj);
    let e = err(&src);
    assert!(
        matches!(e, LitmusError::Invalid { ref message, .. } if message.contains("nested")),
        "{e}"
    );
}

// ---- unsupported ----

#[test]
fn unsupported_constructs() {
    check(
        &with_p0("\tcall_rcu(x, f);"),
        "unsupported",
        6,
        2,
        "call_rcu()",
    );
    check(
        &with_p0("\trcu_barrier();"),
        "unsupported",
        6,
        2,
        "rcu_barrier()",
    );
    check(
        &with_p0("\tint i = srcu_read_lock(x);"),
        "unsupported",
        6,
        10,
        "srcu_read_lock()",
    );
    check(
        &with_p0("\tfoo(x);"),
        "unsupported",
        6,
        2,
        "foo() (unknown function)",
    );
    check(
        &with_p0("\twhile (1) { }"),
        "unsupported",
        6,
        2,
        "`while` loop",
    );
    check(&with_p0("\tfor (;;) ;"), "unsupported", 6, 2, "`for` loop");
    check(
        &with_p0("\tdo { } while (0);"),
        "unsupported",
        6,
        2,
        "`do` loop",
    );
    check(&with_p0("\tgoto out;"), "unsupported", 6, 2, "`goto`");
    check(&with_p0("out:\n\tsmp_mb();"), "unsupported", 6, 1, "label");
    check(&with_p0("\tint r1 = x[1];"), "unsupported", 6, 12, "arrays");
    check(&with_p0("\tint a[2];"), "unsupported", 6, 7, "arrays");
    check(
        &with_p0("\tint r1 = x->f;"),
        "unsupported",
        6,
        12,
        "struct member access",
    );
    // An unsupported construct wins over what follows it not parsing.
    check(
        &with_p0("\twhile (READ_ONCE(*x) == 0) $$$ ;"),
        "unsupported",
        6,
        2,
        "`while` loop",
    );
}

// ---- error display ----

#[test]
fn parse_error_display() {
    let src = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 1)");
    let e = err(&src);
    assert_eq!(
        e.to_string(),
        "t.litmus:10:2: expected `;` after the statement, found `r0`\n\tr0 = READ_ONCE(*y);\n\t^"
    );
}

#[test]
fn unsupported_display() {
    let e = err(&with_p0("\trcu_barrier();"));
    assert_eq!(
        e.to_string(),
        "unsupported: rcu_barrier() (of RCU, only rcu_read_lock, rcu_read_unlock, \
         synchronize_rcu and synchronize_rcu_expedited are modelled) at t.litmus:6:2"
    );
}

#[test]
fn rcu_primitives_lower_to_their_instructions() {
    let s = ok(&with_p0(
        "\trcu_read_lock();\n\trcu_read_unlock();\n\tsynchronize_rcu();\n\tsynchronize_rcu_expedited();",
    ));
    assert_eq!(
        instrs(&s, 0),
        &[
            Instr::Rcu(RcuOp::ReadLock),
            Instr::Rcu(RcuOp::ReadUnlock),
            Instr::Rcu(RcuOp::Synchronize),
            Instr::Rcu(RcuOp::Synchronize),
        ]
    );
}

#[test]
fn invalid_display() {
    let src = SB.replace("1:r0=0)", "1:r9=0)");
    assert_eq!(
        err(&src).to_string(),
        "t.litmus:21:21: thread P1 has no register `r9`"
    );
}

// ---- lowering ----

fn instrs(s: &Scenario, t: usize) -> &[Instr] {
    &s.threads[t].instrs
}

fn reg(s: &Scenario, t: usize, name: &str) -> Reg {
    let i = s.threads[t]
        .registers
        .iter()
        .position(|r| r == name)
        .unwrap();
    Reg(i as u8)
}

fn loc(s: &Scenario, name: &str) -> Loc {
    Loc(s.locations.iter().position(|l| l.name == name).unwrap() as u8)
}

#[test]
fn sb_lowers_and_observes() {
    let s = ok(SB);
    assert_eq!(s.name, "SB");
    assert_eq!(s.threads.len(), 2);
    let (x, y) = (loc(&s, "x"), loc(&s, "y"));
    let r0 = reg(&s, 0, "r0");
    assert!(matches!(instrs(&s, 0)[0], Instr::Store { addr: Address::Direct(l), .. } if l == x));
    assert_eq!(
        instrs(&s, 0)[1],
        Instr::Load {
            dst: r0,
            addr: Address::Direct(y)
        }
    );
    assert_eq!(
        s.observed,
        vec![
            Observable::Register(0, reg(&s, 0, "r0")),
            Observable::Register(1, reg(&s, 1, "r0"))
        ]
    );
}

#[test]
fn load_acquire_is_load_then_acquire() {
    let s = ok(&with_p0("\tint r0;\n\tr0 = smp_load_acquire(x);"));
    let (r0, x) = (reg(&s, 0, "r0"), loc(&s, "x"));
    assert_eq!(
        instrs(&s, 0),
        &[
            Instr::Load {
                dst: r0,
                addr: Address::Direct(x)
            },
            Instr::Fence(Fence::Acquire)
        ]
    );
}

#[test]
fn store_mb_is_store_then_mb() {
    let s = ok(&with_p0(
        "\tsmp_store_mb(*y, 2);\n\tsmp_mb__after_unlock_lock();",
    ));
    let is = instrs(&s, 0);
    assert!(matches!(is[0], Instr::Store { addr: Address::Direct(l), .. } if l == loc(&s, "y")));
    assert_eq!(
        &is[1..],
        &[Instr::Fence(Fence::Mb), Instr::Fence(Fence::Mb)]
    );
}

#[test]
fn store_release_is_release_then_store() {
    let s = ok(&with_p0("\tsmp_store_release(y, 2);"));
    let is = instrs(&s, 0);
    assert_eq!(is[0], Instr::Fence(Fence::Release));
    assert!(matches!(is[1], Instr::Store { addr: Address::Direct(l), .. } if l == loc(&s, "y")));
}

#[test]
fn xchg_is_mb_rmw_mb() {
    let s = ok(&with_p0("\tint r0;\n\tr0 = xchg(x, 1);"));
    let is = instrs(&s, 0);
    assert_eq!(is.len(), 3);
    assert_eq!(is[0], Instr::Fence(Fence::Mb));
    assert!(matches!(
        is[1],
        Instr::Rmw { dst: Some(d), addr: Address::Direct(l), op: RmwOp::Xchg(_), result: RmwResult::Old, order: RmwOrder::Release, returns: true }
            if d == reg(&s, 0, "r0") && l == loc(&s, "x")
    ));
    assert_eq!(is[2], Instr::Fence(Fence::Mb));
}

#[test]
fn relaxed_and_void_atomics() {
    let s = ok(&with_p0("\tatomic_inc(x);\n\txchg_relaxed(y, 3);"));
    let is = instrs(&s, 0);
    assert_eq!(is.len(), 2);
    assert!(matches!(
        is[0],
        Instr::Rmw {
            dst: None,
            op: RmwOp::Add(_),
            order: RmwOrder::Relaxed,
            returns: false,
            ..
        }
    ));
    assert!(matches!(
        is[1],
        Instr::Rmw {
            dst: None,
            op: RmwOp::Xchg(_),
            order: RmwOrder::Relaxed,
            returns: true,
            ..
        }
    ));
}

#[test]
fn add_unless_reports_success() {
    let s = ok(&with_p0("\tint r0 = atomic_add_unless(x, 1, 0);"));
    assert!(instrs(&s, 0).iter().any(|i| matches!(
        i,
        Instr::Rmw {
            op: RmwOp::AddUnless { .. },
            result: RmwResult::Succeeded,
            ..
        }
    )));
}

#[test]
fn pointer_registers_go_indirect() {
    let src = "C p\n{\n\tint *p = &x;\n\tint x = 1;\n}\nP0(int **p)\n{\n\tint *r0;\n\tint r1;\n\tr0 = rcu_dereference(*p);\n\tr1 = READ_ONCE(*r0);\n}\nexists (0:r0=x /\\ 0:r1=1)\n";
    let s = ok(src);
    let (p, x) = (loc(&s, "p"), loc(&s, "x"));
    assert_eq!(s.locations[p.0 as usize].initial, address_of(x));
    assert_eq!(s.locations[x.0 as usize].initial, 1);
    let (r0, r1) = (reg(&s, 0, "r0"), reg(&s, 0, "r1"));
    assert_eq!(
        instrs(&s, 0),
        &[
            Instr::Load {
                dst: r0,
                addr: Address::Direct(p)
            },
            Instr::Load {
                dst: r1,
                addr: Address::Indirect(r0)
            },
        ]
    );
    // `0:r0=x` compares with the address of x.
    let text = format!("{:?}", s.condition.prop);
    assert!(
        text.contains(&format!("Const({})", address_of(x))),
        "{text}"
    );
}

#[test]
fn reads_in_conditions_go_to_temporaries() {
    let s = ok(&with_p0(
        "\tif (READ_ONCE(*x) == 1)\n\t\tWRITE_ONCE(*y, 1);",
    ));
    let t0 = reg(&s, 0, "__t0");
    let is = instrs(&s, 0);
    assert_eq!(
        is[0],
        Instr::Load {
            dst: t0,
            addr: Address::Direct(loc(&s, "x"))
        }
    );
    assert!(matches!(is[1], Instr::Branch { target: 3, .. }));
    assert!(matches!(is[2], Instr::Store { .. }));
    assert_eq!(s.threads[0].source[1], "if (READ_ONCE(*x) == 1)");
}

#[test]
fn if_else_jumps_over_the_else() {
    let s = ok(&with_p0("\tint r0 = READ_ONCE(*x);\n\tif (r0) {\n\t\tWRITE_ONCE(*y, 1);\n\t} else {\n\t\tWRITE_ONCE(*y, 2);\n\t}"));
    let is = instrs(&s, 0);
    assert!(matches!(is[1], Instr::Branch { target: 4, .. }));
    assert!(matches!(is[3], Instr::Jump { target: 5 }));
    assert_eq!(is.len(), 5);
}

#[test]
fn short_circuit_with_reads_branches() {
    let s = ok(&with_p0("\tint r0 = READ_ONCE(*x) && READ_ONCE(*y);"));
    let is = instrs(&s, 0);
    // The second read sits behind a branch.
    let branch = is
        .iter()
        .position(|i| matches!(i, Instr::Branch { .. }))
        .unwrap();
    let loads: Vec<usize> = is
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Instr::Load { .. }))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(loads.len(), 2);
    assert!(loads[0] < branch && branch < loads[1]);
    // Without reads on the right, no branch.
    let s = ok(&with_p0("\tint r0 = READ_ONCE(*x);\n\tint r1 = r0 && 1;"));
    assert!(!instrs(&s, 0)
        .iter()
        .any(|i| matches!(i, Instr::Branch { .. })));
}

#[test]
fn cond_load_uses_val() {
    let s = ok(&with_p0("\tint r0 = smp_cond_load_acquire(x, VAL == 1);"));
    let is = instrs(&s, 0);
    let Instr::CondLoad { cond, .. } = is[0] else {
        panic!("{is:?}")
    };
    let Expr::Binary(_, a, _) = s.threads[0].expr(cond) else {
        panic!()
    };
    assert_eq!(s.threads[0].expr(a), Expr::Val);
    assert_eq!(is[1], Instr::Fence(Fence::Acquire));
}

#[test]
fn locks_and_register_init() {
    let src = "C l\n{\n\tspinlock_t s;\n\t0:r1 = y;\n}\nP0(spinlock_t *s, int *y)\n{\n\tint r0;\n\tspin_lock(s);\n\tr0 = spin_trylock(s);\n\tspin_unlock(s);\n}\nlocations [s; 0:r1;]\nfilter (0:r0=0)\n~exists (0:r0=1)\n";
    let s = ok(src);
    let is = instrs(&s, 0);
    assert!(matches!(is[0], Instr::Lock { .. }));
    assert!(matches!(is[2], Instr::TryLock { .. }));
    let r1 = reg(&s, 0, "r1");
    assert_eq!(
        s.threads[0].initial_registers[r1.0 as usize],
        address_of(loc(&s, "y"))
    );
    assert!(s.filter.is_some());
    assert!(s.observed.contains(&Observable::Location(loc(&s, "s"))));
    assert!(s.observed.contains(&Observable::Register(0, r1)));
}

#[test]
fn comments_and_herd_syntax() {
    // Non-ASCII inside comments is fine; `(*` inside a thread is C.
    let src = "C c (* héllo *)\n\"a string\" Cycle=Rfe\n{ x = -2147483648; int *p = y; }\n// ça va\nP0(int *x, int **p) /* ö */\n{\n\tint r0 = READ_ONCE(*(int *)x);\n\t(void)xchg(x, 1);\n}\nexists (0:r0=-2147483648 \\/ ~(x=1) /\\ [p]=y) (* done *)\n";
    let s = ok(src);
    assert_eq!(s.locations[loc(&s, "x").0 as usize].initial, i32::MIN);
    assert_eq!(instrs(&s, 0).len(), 4);
}
