//! herd7's dialect: what herd7 accepts is read the same way here, and what
//! herd7 refuses but wmsim reads is reported as a warning.

use memory_model::ir::{Comparison, Observable, Prop, Quantifier, Reg, Term};
use scenarios::litmus::{parse_litmus, parse_litmus_for_herd};

const FILE: &str = "t.litmus";

/// Store buffering with `fin` as its final clauses.
fn sb_with(fin: &str) -> String {
    format!(
        "C SB\n{{\n}}\n\nP0(int *x, int *y)\n{{\n\tint r0;\n\n\tWRITE_ONCE(*x, 1);\n\
         \tr0 = READ_ONCE(*y);\n}}\n\nP1(int *x, int *y)\n{{\n\tint r0;\n\n\
         \tWRITE_ONCE(*y, 1);\n\tr0 = READ_ONCE(*x);\n}}\n\n{fin}"
    )
}

fn condition(fin: &str) -> (Quantifier, Prop) {
    let s = parse_litmus(&sb_with(fin), FILE).unwrap_or_else(|e| panic!("{e}"));
    (s.condition.quantifier, s.condition.prop)
}

fn register_is_zero(thread: u8) -> Prop {
    Prop::Compare(
        Comparison::Eq,
        Term::Observable(Observable::Register(thread, Reg(0))),
        Term::Const(0),
    )
}

#[test]
fn exists_not_is_a_negation() {
    let both = Prop::And(Box::new(register_is_zero(0)), Box::new(register_is_zero(1)));
    assert_eq!(
        condition("exists not (0:r0=0 /\\ 1:r0=0)\n"),
        (Quantifier::Exists, Prop::Not(Box::new(both.clone())))
    );
    assert_eq!(
        condition("not exists (0:r0=0 /\\ 1:r0=0)\n"),
        (Quantifier::NotExists, both)
    );
}

#[test]
fn a_semicolon_may_end_the_condition() {
    assert_eq!(
        condition("exists (0:r0=0);\n"),
        (Quantifier::Exists, register_is_zero(0))
    );
}

#[test]
fn no_final_condition_means_forall_true() {
    assert_eq!(condition(""), (Quantifier::Forall, Prop::True));
    let s = parse_litmus(&sb_with("locations [x; y;]\n"), FILE).unwrap();
    assert_eq!(s.condition.quantifier, Quantifier::Forall);
    assert_eq!(s.observed.len(), 2);
}

/// A test that uses four things herd7's C front end refuses.
const EXTENDED: &str = "C ext\n{}\nP0(spinlock_t *lock, int *x)\n{\n\tint r0, r1;\n\
    \tspin_lock(lock);\n\tr0 = READ_ONCE(*x);\n\tr1 = READ_ONCE(*x);\n\
    \tif (!r0 && r1)\n\t\tWRITE_ONCE(*x, 0x2);\n\tspin_unlock(lock);\n}\nexists (x=2)\n";

#[test]
fn what_herd7_refuses_comes_back_as_warnings_in_source_order() {
    let parsed = parse_litmus_for_herd(EXTENDED, "f.litmus").unwrap_or_else(|e| panic!("{e}"));
    let printed: Vec<String> = parsed.herd_warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        printed,
        [
            "herd7 rejects `lock` as a name (a keyword of herd7's C) at f.litmus:3:16; wmsim accepts it",
            "herd7 rejects several variables in one declaration at f.litmus:5:8; wmsim accepts it",
            "herd7 rejects `lock` as a name (a keyword of herd7's C) at f.litmus:6:12; wmsim accepts it",
            "herd7 rejects `!` at f.litmus:9:6; wmsim accepts it",
            "herd7 rejects `&&` at f.litmus:9:10; wmsim accepts it",
            "herd7 rejects the hexadecimal number `0x2` at f.litmus:10:18; wmsim accepts it",
            "herd7 rejects `lock` as a name (a keyword of herd7's C) at f.litmus:11:14; wmsim accepts it",
        ]
    );
}

#[test]
fn herd7_s_own_dialect_gets_no_warning() {
    let text = sb_with("exists (0:r0=0 /\\ 1:r0=0)\n");
    let parsed = parse_litmus_for_herd(&text, FILE).unwrap();
    assert_eq!(parsed.herd_warnings, []);
    // `~` and `||`-free conditions are herd's state syntax, not C.
    let text = sb_with("~exists (0:r0=0 /\\ ~(1:r0=0))\n");
    assert_eq!(
        parse_litmus_for_herd(&text, FILE).unwrap().herd_warnings,
        []
    );
}

#[test]
fn every_builtin_is_herd7_input() {
    for b in scenarios::builtin::BUILTINS {
        let parsed = parse_litmus_for_herd(b.source, b.name).unwrap();
        assert_eq!(parsed.herd_warnings, [], "{}", b.name);
    }
    for v in scenarios::builtin::XenVariant::all() {
        let parsed = parse_litmus_for_herd(&v.source(), &v.name()).unwrap();
        assert_eq!(parsed.herd_warnings, [], "{}", v.name());
    }
}
