//! Evaluating a condition's proposition on a state: the values of the
//! observables, and whether a final state fails the test.

use crate::ir::{Observable, Prop, Term, Value};
use crate::state::State;
use crate::transition::Machine;

impl Machine<'_> {
    /// The value of an observable in a state.
    pub fn observe(&self, state: &State, o: Observable) -> Value {
        match o {
            Observable::Register(core, r) => state.cores[core as usize].regs[r.0 as usize],
            Observable::Location(l) => state.mem[l.0 as usize],
        }
    }

    /// Whether `prop` holds in `state`.
    pub fn holds(&self, state: &State, prop: &Prop) -> bool {
        holds_with(prop, &|o| self.observe(state, o))
    }

    /// Whether the scenario's filter admits `state` (without a filter,
    /// every state): a state it rejects does not count toward the verdict.
    pub fn filter_admits(&self, state: &State) -> bool {
        self.scenario
            .filter
            .as_ref()
            .is_none_or(|f| self.holds(state, f))
    }

    /// Whether a run that completed in `state` fails the test: the filter
    /// admits it and the condition fails there ([`Condition::fails_when`]).
    /// The one rule that fuzz counts, traces record and minimize keeps.
    ///
    /// [`Condition::fails_when`]: crate::ir::Condition::fails_when
    pub fn final_state_fails(&self, state: &State) -> bool {
        let condition = &self.scenario.condition;
        self.filter_admits(state) && condition.fails_when(self.holds(state, &condition.prop))
    }
}

/// Whether `prop` holds, given the value of each observable.
pub fn holds(prop: &Prop, value: &dyn Fn(Observable) -> Value) -> bool {
    holds_with(prop, value)
}

/// `holds` with the lookup known at compile time: a fuzz campaign evaluates
/// the condition once per run, and a call through `dyn Fn` per observable
/// cost more than the comparisons.
fn holds_with<F: Fn(Observable) -> Value + ?Sized>(prop: &Prop, value: &F) -> bool {
    let term = |t: &Term| match *t {
        Term::Observable(o) => value(o),
        Term::Const(v) => v,
    };
    match prop {
        Prop::True => true,
        Prop::False => false,
        Prop::Compare(cmp, a, b) => {
            let (a, b) = (term(a), term(b));
            use crate::ir::Comparison::*;
            match cmp {
                Eq => a == b,
                Ne => a != b,
                Lt => a < b,
                Le => a <= b,
                Gt => a > b,
                Ge => a >= b,
            }
        }
        Prop::Not(p) => !holds_with(p, value),
        Prop::And(a, b) => holds_with(a, value) && holds_with(b, value),
        Prop::Or(a, b) => holds_with(a, value) || holds_with(b, value),
    }
}
