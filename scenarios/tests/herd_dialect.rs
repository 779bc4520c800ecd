//! herd7's dialect: what herd7 accepts is read the same way here, and what
//! herd7 refuses but wmsim reads is reported as a warning.

use memory_model::ir::{Comparison, Observable, Prop, Quantifier, Reg, Term};
use scenarios::litmus::parse_litmus;

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
