//! Lowers a parsed test to a [`Scenario`] through [`ScenarioBuilder`]:
//! the init block's locations and initial values, then each thread
//! (`lower_thread`), then the final clauses (`lower_cond`), then `build()`,
//! which checks the machine's limits once more.

use memory_model::ir::{address_of, Loc, Scenario, Value, ADDRESS_TAG, LOCATIONS_MAX};

use super::ast::{Ident, InitTarget, InitValue, Litmus};
use super::error::{LitmusError, Pos, Source};
use super::{lower_cond, lower_thread};
use crate::builder::ScenarioBuilder;

pub(crate) type Result<T> = std::result::Result<T, LitmusError>;

/// `N:reg = value` from the init block, applied when thread `N` is built.
pub(crate) struct RegInit {
    pub thread: usize,
    pub name: Ident,
    pub value: Option<Value>,
}

pub(crate) fn lower(src: Source<'_>, test: &Litmus) -> Result<Scenario> {
    let mut sb = ScenarioBuilder::new(&test.name);
    let mut reg_inits = Vec::new();
    for item in &test.init {
        let value = match &item.value {
            None => None,
            Some(v) => Some(init_value(src, &mut sb, v)?),
        };
        match &item.target {
            InitTarget::Location(id) => {
                ensure_location(src, &mut sb, id)?;
                if let Some(v) = value {
                    sb.location(&id.name, v);
                }
            }
            InitTarget::Register {
                thread,
                thread_pos,
                name,
            } => {
                if *thread >= test.threads.len() {
                    return Err(src.invalid(
                        *thread_pos,
                        format!(
                            "register `{thread}:{}` names a thread P{thread} that does not exist",
                            name.name
                        ),
                    ));
                }
                reg_inits.push(RegInit {
                    thread: *thread,
                    name: name.clone(),
                    value,
                });
            }
        }
    }
    for def in &test.threads {
        let inits: Vec<&RegInit> = reg_inits.iter().filter(|r| r.thread == def.index).collect();
        let tb = lower_thread::lower_thread(src, &mut sb, def, &inits)?;
        sb.add_thread(tb);
    }
    lower_cond::lower_final(src, &mut sb, &test.fin, test.threads.len())?;
    sb.build()
        .map_err(|message| src.invalid(Pos { line: 1, col: 1 }, message))
}

fn init_value(src: Source<'_>, sb: &mut ScenarioBuilder, v: &InitValue) -> Result<Value> {
    match v {
        InitValue::Int(v, pos) => check_value(src, *v, *pos),
        InitValue::Address(id) => Ok(address_of(ensure_location(src, sb, id)?)),
    }
}

/// The location `id`, created holding 0 if new (its initial value is kept
/// if it exists: `int *p = &x; int x = 1;` declares `x` late).
pub(crate) fn ensure_location(
    src: Source<'_>,
    sb: &mut ScenarioBuilder,
    id: &Ident,
) -> Result<Loc> {
    if let Some(l) = sb.find_location(&id.name) {
        return Ok(l);
    }
    if sb.location_count() >= LOCATIONS_MAX {
        return Err(src.invalid(
            id.pos,
            format!(
                "too many locations: `{}` would be number {}, the machine has at most {LOCATIONS_MAX}",
                id.name,
                LOCATIONS_MAX + 1
            ),
        ));
    }
    Ok(sb.location(&id.name, 0))
}

/// Rejects a number that the machine would take for an address (see
/// `ir::ADDRESS_TAG`): it would print, and compare, as a location.
pub(crate) fn check_value(src: Source<'_>, v: Value, pos: Pos) -> Result<Value> {
    if v & !0xff == ADDRESS_TAG {
        return Err(src.invalid(
            pos,
            format!("value {v} collides with the machine's encoding of addresses"),
        ));
    }
    Ok(v)
}
