//! Constant folding: the value of an expression that reads no input, computed with the
//! evaluator's own operations ([`super::ops`]) and its three-valued logic, so that the
//! checker can fold constants without evaluating documents.

use super::expr::{unary as unary_pattern, Expr, Value};
use super::ops::{arith, compare, extreme_value, internal, unary, EvalError};
use crate::syntax::ast::CmpOp;
use std::cmp::Ordering;

/// The value of an expression that reads no input ([`Expr::is_constant`]), as evaluation
/// gives it: `None` when it is unknown (it has no value without a document), an error where
/// evaluation fails (an overflow, a division by zero).
pub(crate) fn constant(expr: &Expr) -> Result<Option<Value>, EvalError> {
    if expr.reads_input() {
        return Ok(None); // unknown without a document
    }
    Ok(match expr {
        Expr::Const(v) => Some(*v),
        Expr::Choose(arms, otherwise) => {
            // The first true condition decides, provided every one before it is false.
            let mut unknown = false;
            for (condition, value) in arms {
                match constant(condition)? {
                    Some(Value::Bool(false)) => {}
                    Some(Value::Bool(true)) => return if unknown { Ok(None) } else { constant(value) },
                    Some(_) => return Err(internal("choose")),
                    None => unknown = true,
                }
            }
            if unknown {
                None
            } else {
                constant(otherwise)?
            }
        }
        Expr::And(parts) | Expr::Or(parts) => {
            // A deciding operand settles it; else one unknown leaves it unknown.
            let is_or = matches!(expr, Expr::Or(_));
            let mut unknown = false;
            for p in parts {
                match constant(p)? {
                    Some(Value::Bool(b)) if b == is_or => return Ok(Some(Value::Bool(is_or))),
                    Some(Value::Bool(_)) => {}
                    Some(_) => return Err(internal("and/or")),
                    None => unknown = true,
                }
            }
            (!unknown).then_some(Value::Bool(!is_or))
        }
        Expr::IsKnown(e) => Some(Value::Bool(constant(e)?.is_some())),
        Expr::Shared(_, e) => constant(e)?,
        Expr::Compare(op, a, b) => match (constant(a)?, constant(b)?) {
            (Some(x), Some(y)) => Some(Value::Bool(compare(*op, &x, &y)?)),
            _ => None,
        },
        Expr::Arith(op, a, b, span) => match (constant(a)?, constant(b)?) {
            (Some(x), Some(y)) => Some(arith(*op, x, y, *span)?),
            _ => None,
        },
        Expr::Between(x, lo, hi) => {
            let (x, lo, hi) = (constant(x)?, constant(lo)?, constant(hi)?);
            let low = match (lo, x) {
                (Some(l), Some(v)) => Some(compare(CmpOp::Le, &l, &v)?),
                _ => None,
            };
            let high = match (x, hi) {
                (Some(v), Some(h)) => Some(compare(CmpOp::Le, &v, &h)?),
                _ => None,
            };
            match (low, high) {
                (Some(false), _) | (_, Some(false)) => Some(Value::Bool(false)),
                (Some(true), Some(true)) => Some(Value::Bool(true)),
                _ => None,
            }
        }
        Expr::Min(parts) | Expr::Max(parts) => {
            // An unknown part names no input here, so it does not leave the result unknown.
            let want = if matches!(expr, Expr::Min(_)) { Ordering::Less } else { Ordering::Greater };
            let mut best = None;
            for p in parts {
                if let Some(v) = constant(p)? {
                    best = Some(extreme_value(best, v, want)?);
                }
            }
            best
        }
        unary_pattern!(e) => match constant(e)? {
            Some(v) => Some(unary(expr, v)?),
            None => None,
        },
        // Each reads the document, answered above.
        _ => None,
    })
}
