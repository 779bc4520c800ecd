//! Lowers calls of kernel primitives inside a thread: evaluates their
//! arguments (pointers to an `Address`, values to local expressions, in
//! source order) and calls the one `ThreadBuilder` method for each; the
//! builder holds what each primitive means on the machine.

use memory_model::ir::{Expr as IrExpr, Reg, RmwOp, UnaryOp};

use super::ast::{Call, Expr};
use super::error::Pos;
use super::lower::Result;
use super::lower_thread::ThreadCx;
use super::primitives::{Primitive, RmwKind, RmwSpec};

/// Where a call's result goes.
#[derive(Clone, Copy)]
pub(super) enum Dst {
    Into(Reg),
    /// A fresh temporary (the call is inside an expression).
    Temp,
    /// Nowhere (a statement `xchg(x, 1);`); loads still need a register.
    Discard,
}

impl ThreadCx<'_, '_> {
    fn arg<'c>(&self, call: &'c Call, i: usize, pos: Pos) -> Result<&'c Expr> {
        call.args.get(i).ok_or_else(|| {
            self.invalid(pos, format!("`{}`: missing argument {}", call.name, i + 1))
        })
    }

    fn result_register(&mut self, dst: Dst, pos: Pos) -> Result<Reg> {
        match dst {
            Dst::Into(r) => Ok(r),
            Dst::Temp | Dst::Discard => self.temp(pos),
        }
    }

    /// Lowers a call; returns the register that holds its value, if any.
    pub(super) fn call(&mut self, call: &Call, pos: Pos, dst: Dst) -> Result<Option<Reg>> {
        let text = self.text.clone();
        let text = text.as_str();
        match call.prim {
            Primitive::ReadOnce | Primitive::RcuDereference => {
                let addr = self.lvalue(self.arg(call, 0, pos)?, call)?;
                let d = self.result_register(dst, pos)?;
                self.at(pos);
                self.tb.read_once(d, addr, text);
                Ok(Some(d))
            }
            Primitive::WriteOnce | Primitive::StoreMb | Primitive::RcuAssignPointer => {
                let addr = self.lvalue(self.arg(call, 0, pos)?, call)?;
                let v = self.value(self.arg(call, 1, pos)?)?;
                self.at(pos);
                match call.prim {
                    Primitive::RcuAssignPointer => self.tb.store_release(addr, v, text),
                    _ => self.tb.write_once(addr, v, text),
                }
                if call.prim == Primitive::StoreMb {
                    self.tb.smp_mb(text);
                }
                Ok(None)
            }
            Primitive::Mb(which) => {
                self.at(pos);
                self.tb.full_fence(which, text);
                Ok(None)
            }
            Primitive::Rmb => {
                self.at(pos);
                self.tb.smp_rmb(text);
                Ok(None)
            }
            Primitive::Wmb => {
                self.at(pos);
                self.tb.smp_wmb(text);
                Ok(None)
            }
            Primitive::Barrier => Ok(None),
            Primitive::Rcu(op) => {
                self.at(pos);
                self.tb.rcu(op, text);
                Ok(None)
            }
            Primitive::LoadAcquire | Primitive::AtomicRead => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                let d = self.result_register(dst, pos)?;
                self.at(pos);
                if call.prim == Primitive::LoadAcquire {
                    self.tb.load_acquire(d, addr, text);
                } else {
                    self.tb.read_once(d, addr, text);
                }
                Ok(Some(d))
            }
            Primitive::StoreRelease | Primitive::AtomicSet => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                let v = self.value(self.arg(call, 1, pos)?)?;
                self.at(pos);
                if call.prim == Primitive::StoreRelease {
                    self.tb.store_release(addr, v, text);
                } else {
                    self.tb.write_once(addr, v, text);
                }
                Ok(None)
            }
            Primitive::SpinLock => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                self.at(pos);
                self.tb.spin_lock(addr, text);
                Ok(None)
            }
            Primitive::SpinUnlock => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                self.at(pos);
                self.tb.spin_unlock(addr, text);
                Ok(None)
            }
            Primitive::SpinTrylock | Primitive::SpinIsLocked => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                let d = self.result_register(dst, pos)?;
                self.at(pos);
                if call.prim == Primitive::SpinTrylock {
                    self.tb.spin_trylock(d, addr, text);
                } else {
                    self.tb.spin_is_locked(d, addr, text);
                }
                Ok(Some(d))
            }
            Primitive::CondLoad { acquire } => {
                let addr = self.address(self.arg(call, 0, pos)?)?;
                let cond_expr = self.arg(call, 1, pos)?;
                if cond_expr.has_effects() {
                    return Err(self.invalid(
                        cond_expr.pos,
                        format!("the condition of `{}` must not access memory", call.name),
                    ));
                }
                self.val_ok = true;
                let cond = self.value(cond_expr);
                self.val_ok = false;
                let cond = cond?;
                let d = self.result_register(dst, pos)?;
                self.at(pos);
                self.tb.cond_load(d, addr, cond, acquire, text);
                Ok(Some(d))
            }
            Primitive::Rmw(spec) => self.rmw(call, spec, pos, dst, text),
        }
    }

    fn rmw(
        &mut self,
        call: &Call,
        spec: RmwSpec,
        pos: Pos,
        dst: Dst,
        text: &str,
    ) -> Result<Option<Reg>> {
        let (_, ptr_index) = spec.kind.shape();
        // Arguments are evaluated in source order, the pointer among them.
        let mut addr = None;
        let mut operands = Vec::new();
        for (i, a) in call.args.iter().enumerate() {
            if i == ptr_index {
                addr = Some(self.address(a)?);
            } else {
                operands.push(self.value(a)?);
            }
        }
        let addr =
            addr.ok_or_else(|| self.invalid(pos, format!("`{}` needs a pointer", call.name)))?;
        let operand = |i: usize| {
            operands
                .get(i)
                .copied()
                .ok_or_else(|| self.invalid(pos, format!("`{}`: missing operand", call.name)))
        };
        let op = match spec.kind {
            RmwKind::Xchg => RmwOp::Xchg(operand(0)?),
            RmwKind::CmpXchg => RmwOp::CmpXchg {
                expected: operand(0)?,
                new: operand(1)?,
            },
            RmwKind::Add => RmwOp::Add(operand(0)?),
            RmwKind::Sub => {
                let x = operand(0)?;
                RmwOp::Add(self.ex(IrExpr::Unary(UnaryOp::Neg, x), pos)?)
            }
            RmwKind::Inc => RmwOp::Add(self.ex(IrExpr::Const(1), pos)?),
            RmwKind::Dec => RmwOp::Add(self.ex(IrExpr::Const(-1), pos)?),
            RmwKind::And => RmwOp::And(operand(0)?),
            RmwKind::Or => RmwOp::Or(operand(0)?),
            RmwKind::Xor => RmwOp::Xor(operand(0)?),
            RmwKind::AndNot => RmwOp::AndNot(operand(0)?),
            RmwKind::AddUnless => RmwOp::AddUnless {
                add: operand(0)?,
                unless: operand(1)?,
            },
            RmwKind::IncNotZero => RmwOp::AddUnless {
                add: self.ex(IrExpr::Const(1), pos)?,
                unless: self.ex(IrExpr::Const(0), pos)?,
            },
        };
        let d = match (spec.returns, dst) {
            (false, _) | (true, Dst::Discard) => None,
            (true, Dst::Into(r)) => Some(r),
            (true, Dst::Temp) => Some(self.temp(pos)?),
        };
        self.at(pos);
        if spec.returns {
            self.tb.rmw(d, addr, op, spec.result, spec.ordering, text);
        } else {
            self.tb.rmw_void(addr, op, spec.ordering, text);
        }
        Ok(d)
    }
}
