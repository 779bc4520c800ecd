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
        holds(prop, &|o| self.observe(state, o))
    }
}

/// Whether `prop` holds, given the value of each observable.
pub fn holds(prop: &Prop, value: &dyn Fn(Observable) -> Value) -> bool {
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
        Prop::Not(p) => !holds(p, value),
        Prop::And(a, b) => holds(a, value) && holds(b, value),
        Prop::Or(a, b) => holds(a, value) || holds(b, value),
    }
}
