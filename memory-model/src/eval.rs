//! The expression evaluator: the value of a thread-local expression over
//! its registers.

use crate::ir::{BinaryOp, Expr, ExprId, Thread, UnaryOp, Value};

/// Evaluates a local expression; `val` is what `VAL` stands for. Total: a
/// division by zero gives 0, arithmetic wraps.
pub fn eval(thread: &Thread, regs: &[Value], val: Value, id: ExprId) -> Value {
    match thread.expr(id) {
        Expr::Const(v) => v,
        Expr::Reg(r) => regs[r.0 as usize],
        Expr::Val => val,
        Expr::Unary(op, a) => {
            let a = eval(thread, regs, val, a);
            match op {
                UnaryOp::Neg => a.wrapping_neg(),
                UnaryOp::Not => (a == 0) as Value,
                UnaryOp::BitNot => !a,
            }
        }
        Expr::Binary(op, a, b) => {
            let a = eval(thread, regs, val, a);
            let b = eval(thread, regs, val, b);
            match op {
                BinaryOp::Add => a.wrapping_add(b),
                BinaryOp::Sub => a.wrapping_sub(b),
                BinaryOp::Mul => a.wrapping_mul(b),
                BinaryOp::Div => a.checked_div(b).unwrap_or(0),
                BinaryOp::Rem => a.checked_rem(b).unwrap_or(0),
                BinaryOp::And => a & b,
                BinaryOp::Or => a | b,
                BinaryOp::Xor => a ^ b,
                BinaryOp::Shl => a.wrapping_shl(b as u32),
                BinaryOp::Shr => a.wrapping_shr(b as u32),
                BinaryOp::Eq => (a == b) as Value,
                BinaryOp::Ne => (a != b) as Value,
                BinaryOp::Lt => (a < b) as Value,
                BinaryOp::Le => (a <= b) as Value,
                BinaryOp::Gt => (a > b) as Value,
                BinaryOp::Ge => (a >= b) as Value,
                BinaryOp::LogicalAnd => (a != 0 && b != 0) as Value,
                BinaryOp::LogicalOr => (a != 0 || b != 0) as Value,
            }
        }
    }
}
