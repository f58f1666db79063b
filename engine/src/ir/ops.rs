//! What each operator does to known values: the one definition the evaluator and the
//! checker's constant folding share, so that a folded constant is the value evaluation
//! would give, and fails where evaluation would fail.

use super::expr::{Direction, Expr, Value};
use crate::diagnostic::Span;
use crate::exact::Exact;
use crate::syntax::ast::{ArithOp, CmpOp};
use rust_decimal::prelude::ToPrimitive as _;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Something that went wrong while evaluating: an overflow, a division by zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What happened.
    pub message: String,
    /// Where in the rule file.
    pub span: Span,
}

/// A value of a type the checker never lets an operation meet: a fault of the engine.
pub(crate) fn internal(what: &str) -> EvalError {
    EvalError {
        message: format!("internal type error ({what}); the rule file passed the checker but cannot be evaluated"),
        span: Span::default(),
    }
}

/// A result beyond the exact decimal range, where no place in the rule file is known.
pub(crate) fn overflow(what: &str) -> EvalError {
    EvalError { message: format!("{what} overflows the exact decimal range"), span: Span::default() }
}

/// `next(c)` or `previous(c)` among `count` choices: one step, never past the ends.
pub(crate) fn step(c: u16, direction: Direction, count: u16) -> u16 {
    match direction {
        Direction::Next => c.saturating_add(1).min(count.saturating_sub(1)),
        Direction::Previous => c.saturating_sub(1),
    }
}

/// The value of `expr`, an operation on one operand (`not`, `-`, `abs`, a unit conversion,
/// `in {...}`, `next`, `previous`), whose operand is `v`.
pub(crate) fn unary(expr: &Expr, v: Value) -> Result<Value, EvalError> {
    match (expr, v) {
        (Expr::Not(_), Value::Bool(b)) => Ok(Value::Bool(!b)),
        (Expr::Not(_), _) => Err(internal("not")),
        (Expr::Neg(_), Value::Num(n)) => Ok(Value::Num(-n)),
        (Expr::Neg(_), _) => Err(internal("negation")),
        (Expr::Abs(_), Value::Num(n)) => Ok(Value::Num(n.abs())),
        (Expr::Abs(_), _) => Err(internal("abs")),
        (Expr::Scale(_, factor), Value::Num(n)) => n
            .mul_exact(*factor)
            .map(Value::Num)
            .ok_or_else(|| EvalError { message: "a unit conversion overflows".into(), span: Span::default() }),
        (Expr::Scale(..), _) => Err(internal("unit conversion")),
        (Expr::InSet(_, set), Value::Choice(c)) => Ok(Value::Bool(set.contains(&c))),
        (Expr::InSet(..), _) => Err(internal("set membership")),
        (Expr::Step(_, direction, count), Value::Choice(c)) => Ok(Value::Choice(step(c, *direction, *count))),
        (Expr::Step(..), _) => Err(internal("next/previous")),
        (Expr::Floor(_), Value::Num(n)) => crate::exact::floor(n).map(Value::Num).ok_or_else(|| internal("floor")),
        (Expr::Floor(_), _) => Err(internal("floor")),
        (Expr::LocalDay(_, zone), Value::Time(t)) => local_day(zone, t),
        (Expr::LocalDay(..), _) => Err(internal("day")),
        (Expr::DayStart(_, zone), Value::Num(d)) => day_start(zone, d),
        (Expr::DayStart(..), _) => Err(internal("day_start")),
        _ => Err(internal("an operation on one operand")),
    }
}

/// The local day of the instant `t` (seconds), as days since 1970-01-01; an instant outside
/// the years 1 to 9999 has no calendar day.
fn local_day(zone: &crate::calendar::ZoneRule, t: Decimal) -> Result<Value, EvalError> {
    let seconds =
        crate::exact::floor(t).and_then(|s| s.to_i64()).filter(|s| (FIRST..LAST).contains(s)).ok_or_else(outside)?;
    Ok(Value::Num(Decimal::from(zone.local_day(seconds))))
}

/// 0001-01-01 and 10000-01-01, in seconds since 1970-01-01: the calendar kap counts days in.
const FIRST: i64 = -62_135_596_800;
const LAST: i64 = 253_402_300_800;

fn outside() -> EvalError {
    EvalError { message: "a time outside the years 1 to 9999 has no calendar day".into(), span: Span::default() }
}

/// The instant the local day `d` (days since 1970-01-01; a fraction counts as its day)
/// starts.
fn day_start(zone: &crate::calendar::ZoneRule, d: Decimal) -> Result<Value, EvalError> {
    let day = crate::exact::floor(d)
        .and_then(|d| d.to_i64())
        .filter(|d| (FIRST / 86_400..LAST / 86_400).contains(d))
        .ok_or_else(outside)?;
    Ok(Value::Time(Decimal::from(zone.day_start(day))))
}

/// `x op y` for two values of the same type (numbers already in one unit).
pub(crate) fn compare(op: CmpOp, x: &Value, y: &Value) -> Result<bool, EvalError> {
    // Numbers first, by a test rather than through the table of every pair of kinds: most
    // comparisons are of numbers, and a mispredicted jump through a table costs more.
    if let (Value::Num(a), Value::Num(b)) = (x, y) {
        return Ok(holds(op, crate::exact::compare(a, b)));
    }
    let ordering = match (x, y) {
        (Value::Num(a), Value::Num(b)) | (Value::Time(a), Value::Time(b)) => crate::exact::compare(a, b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Choice(a), Value::Choice(b)) => a.cmp(b),
        (Value::Text(a), Value::Text(b)) => a.cmp(b),
        _ => return Err(internal("comparison")),
    };
    Ok(holds(op, ordering))
}

/// Whether `x op y` holds, given how `x` orders against `y`: the orderings each operator
/// accepts as three bits (less, equal, greater), the ordering's bit tested (a shift, where a
/// `match` on both was a jump through a table at every comparison).
#[inline]
pub(crate) fn holds(op: CmpOp, ordering: Ordering) -> bool {
    let accepts: u8 = match op {
        CmpOp::Lt => 0b001,
        CmpOp::Le => 0b011,
        CmpOp::Gt => 0b100,
        CmpOp::Ge => 0b110,
        CmpOp::Eq => 0b010,
        CmpOp::Ne => 0b101,
    };
    let bit = match ordering {
        Ordering::Less => 0,
        Ordering::Equal => 1,
        Ordering::Greater => 2,
    };
    (accepts >> bit) & 1 == 1
}

/// `x op y` on numbers, and on timestamps with durations, exactly; an overflow or a
/// division by zero is an error at `span`.
pub(crate) fn arith(op: ArithOp, x: Value, y: Value, span: Span) -> Result<Value, EvalError> {
    let overflow = |what: &str| EvalError { message: format!("{what} overflows the exact decimal range"), span };
    Ok(match (op, x, y) {
        (ArithOp::Add, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.add_exact(b).ok_or_else(|| overflow("an addition"))?)
        }
        (ArithOp::Sub, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.sub_exact(b).ok_or_else(|| overflow("a subtraction"))?)
        }
        (ArithOp::Mul, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.mul_exact(b).ok_or_else(|| overflow("a multiplication"))?)
        }
        (ArithOp::Div, Value::Num(a), Value::Num(b)) => {
            if b.is_zero() {
                return Err(EvalError { message: "division by zero".into(), span });
            }
            Value::Num(a.div_exact(b).ok_or_else(|| overflow("a division"))?)
        }
        (ArithOp::Sub, Value::Time(a), Value::Time(b)) => {
            Value::Num(a.sub_exact(b).ok_or_else(|| overflow("a duration"))?)
        }
        (ArithOp::Add, Value::Time(a), Value::Num(b)) | (ArithOp::Add, Value::Num(b), Value::Time(a)) => {
            Value::Time(a.add_exact(b).ok_or_else(|| overflow("a time"))?)
        }
        (ArithOp::Sub, Value::Time(a), Value::Num(b)) => Value::Time(a.sub_exact(b).ok_or_else(|| overflow("a time"))?),
        _ => return Err(internal("arithmetic")),
    })
}

/// The smallest (`want` is `Less`) or largest (`Greater`) of `best` and `n`: `n` when
/// there is no `best` yet.
pub(crate) fn extreme(best: Option<Decimal>, n: Decimal, want: Ordering) -> Decimal {
    match best {
        Some(b) if n.cmp(&b) != want => b,
        _ => n,
    }
}

/// `min` (`want` is `Less`) or `max` (`Greater`) of `best` and `v`, for numbers in one unit
/// and for choices of one ordered list (by their declared order): `v` when there is no
/// `best` yet; the earlier of two equal values is kept.
pub(crate) fn extreme_value(best: Option<Value>, v: Value, want: Ordering) -> Result<Value, EvalError> {
    Ok(match (best, v) {
        (None, v @ (Value::Num(_) | Value::Choice(_))) => v,
        (Some(Value::Num(b)), Value::Num(n)) => Value::Num(extreme(Some(b), n, want)),
        (Some(Value::Choice(b)), Value::Choice(c)) => Value::Choice(if c.cmp(&b) == want { c } else { b }),
        _ => return Err(internal("min/max")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each operator holds of two numbers exactly when Rust's own operator does.
    #[test]
    fn each_operator_holds_as_its_symbol_says() {
        for a in 0..3 {
            for b in 0..3 {
                let ordering = a.cmp(&b);
                assert_eq!(holds(CmpOp::Lt, ordering), a < b);
                assert_eq!(holds(CmpOp::Le, ordering), a <= b);
                assert_eq!(holds(CmpOp::Gt, ordering), a > b);
                assert_eq!(holds(CmpOp::Ge, ordering), a >= b);
                assert_eq!(holds(CmpOp::Eq, ordering), a == b);
                assert_eq!(holds(CmpOp::Ne, ordering), a != b);
            }
        }
    }
}
