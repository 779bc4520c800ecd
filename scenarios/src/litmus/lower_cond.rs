//! Lowers `locations [...]`, `filter` and the final condition to the IR's
//! propositions, checking every register and location they name.

use memory_model::ir::{address_of, Observable, Prop, Term};

use super::ast::{CProp, CTerm, Final};
use super::error::Source;
use super::lower::{check_value, Result};
use super::lower_thread::is_reserved;
use crate::builder::ScenarioBuilder;

pub(crate) fn lower_final(
    src: Source<'_>,
    sb: &mut ScenarioBuilder,
    fin: &Final,
    threads: usize,
) -> Result<()> {
    for t in &fin.locations {
        match term(src, sb, t, threads)? {
            Term::Observable(o) => sb.observe(o),
            Term::Const(_) => {
                let pos = match t {
                    CTerm::Const(_, pos) => *pos,
                    CTerm::Register { thread_pos, .. } => *thread_pos,
                    CTerm::Value(id) | CTerm::Address(id) => id.pos,
                };
                return Err(
                    src.invalid(pos, "`locations` lists locations and registers, not values")
                );
            }
        }
    }
    if let Some(f) = &fin.filter {
        let p = prop(src, sb, f, threads)?;
        sb.filter(p);
    }
    let p = prop(src, sb, &fin.prop, threads)?;
    sb.condition(fin.quantifier, p);
    Ok(())
}

fn prop(src: Source<'_>, sb: &ScenarioBuilder, p: &CProp, threads: usize) -> Result<Prop> {
    let boxed = |p: &CProp| prop(src, sb, p, threads).map(Box::new);
    Ok(match p {
        CProp::True => Prop::True,
        CProp::False => Prop::False,
        CProp::Not(a) => Prop::Not(boxed(a)?),
        CProp::And(a, b) => Prop::And(boxed(a)?, boxed(b)?),
        CProp::Or(a, b) => Prop::Or(boxed(a)?, boxed(b)?),
        CProp::Compare(op, a, b) => {
            Prop::Compare(*op, term(src, sb, a, threads)?, term(src, sb, b, threads)?)
        }
    })
}

fn term(src: Source<'_>, sb: &ScenarioBuilder, t: &CTerm, threads: usize) -> Result<Term> {
    match t {
        CTerm::Register {
            thread,
            thread_pos,
            name,
        } => {
            if *thread >= threads {
                return Err(src.invalid(*thread_pos, format!("no thread P{thread} in this test")));
            }
            let found = if is_reserved(&name.name) {
                None
            } else {
                sb.reg_observable(*thread, &name.name)
            };
            found.map(Term::Observable).ok_or_else(|| {
                src.invalid(
                    name.pos,
                    format!("thread P{thread} has no register `{}`", name.name),
                )
            })
        }
        CTerm::Value(id) => sb
            .find_location(&id.name)
            .map(|l| Term::Observable(Observable::Location(l)))
            .ok_or_else(|| src.invalid(id.pos, format!("unknown location `{}`", id.name))),
        CTerm::Address(id) => sb
            .find_location(&id.name)
            .map(|l| Term::Const(address_of(l)))
            .ok_or_else(|| src.invalid(id.pos, format!("unknown location `{}`", id.name))),
        CTerm::Const(v, pos) => Ok(Term::Const(check_value(src, *v, *pos)?)),
    }
}
