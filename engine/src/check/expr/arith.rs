//! Types and units of the arithmetic operators: conversions between units, sums in one unit,
//! products and quotients of units.

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// Converts a number to `unit`, exactly, or reports why it cannot.
    pub(super) fn convert_to(&mut self, (x, ty): Typed, unit: &Unit, span: Span, other: Span) -> Option<Expr> {
        let Ty::Num(from) = &ty else {
            return self.type_error(
                span,
                &ty,
                &|t| format!("expected a number in {unit}; this is {t}"),
                "pass numbers with the same unit".into(),
            );
        };
        if from == unit {
            return Some(x);
        }
        match from.conversion_to(unit) {
            Some(f) => Some(self.fold(Expr::Scale(Box::new(x), f), span)),
            None => {
                self.mismatch(from, unit, span, other, Some(&x));
                None
            }
        }
    }

    /// Reports two units that cannot meet. `bare` is the unitless side's value, when it is a
    /// constant, to show the fix; `span` is the side to mark when one has no unit. When both
    /// have a unit, `span` is the side in `a` and `other` the side in `b`: the message quotes
    /// each with its unit.
    pub(super) fn mismatch(&mut self, a: &Unit, b: &Unit, span: Span, other: Span, bare: Option<&Expr>) {
        let (message, hint) = if a.is_none() || b.is_none() {
            let with = if a.is_none() { b } else { a };
            let hint = match bare {
                Some(Expr::Const(Value::Num(n))) => format!("give the number its unit: `{n} {with}`"),
                Some(e) if with.is_ratio() && is_product(e) => format!(
                    "a ratio of two quantities of the same kind is a plain number, while {with} is a unit of its \
                     own: compare the ratio with a plain number, or multiply instead of dividing \
                     (`a > 2 {with} * b`, not `a / b > 2 {with}`)"
                ),
                _ => format!("both sides need the same kind of unit; this side has none and the other is in {with}"),
            };
            (format!("unit mismatch: a number without unit against a number in {with}"), hint)
        } else if a.same_dimension(b) {
            (format!("no exact conversion between {a} and {b}"), format!("write both in {a} or both in {b}"))
        } else {
            let (ta, tb) = (self.quote(span), self.quote(other));
            let hint = if a.years_against_duration(b) {
                "a year is no fixed number of days: write both in years, or both in days"
            } else {
                "these measure different things; check the input and the unit"
            };
            (format!("unit mismatch: `{ta}` is {a}, `{tb}` is {b}"), hint.into())
        };
        let span = if a.is_none() || b.is_none() { span } else { span.to(other) };
        self.push(Diagnostic::error(Code::UnitMismatch, span, message).with_hint(hint));
    }

    /// Brings two numbers to one unit: the one that needs no inexact conversion.
    pub(super) fn unify(
        &mut self,
        (a, at): Typed,
        (b, bt): Typed,
        a_span: Span,
        b_span: Span,
        whole: Span,
    ) -> Option<(Expr, Expr)> {
        let (Ty::Num(ua), Ty::Num(ub)) = (&at, &bt) else {
            let (ta, tb) = (self.describe(&at), self.describe(&bt));
            return self.error(
                Code::Type,
                whole,
                format!("cannot compare {ta} with {tb}"),
                "both sides must be numbers".into(),
            );
        };
        if ua == ub {
            return Some((a, b));
        }
        if ua.is_none() || ub.is_none() || !ua.same_dimension(ub) {
            let (span, other, bare) = match (ua.is_none(), ub.is_none()) {
                (true, _) => (a_span, b_span, &a),
                (false, true) => (b_span, a_span, &b),
                (false, false) => (a_span, b_span, &b),
            };
            self.mismatch(ua, ub, span, other, Some(bare));
            return None;
        }
        if let Some(f) = ub.conversion_to(ua) {
            return Some((a, self.fold(Expr::Scale(Box::new(b), f), b_span)));
        }
        if let Some(f) = ua.conversion_to(ub) {
            return Some((self.fold(Expr::Scale(Box::new(a), f), a_span), b));
        }
        self.mismatch(ua, ub, a_span, b_span, None);
        None
    }

    pub(super) fn arith(&mut self, op: ArithOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Option<Typed> {
        let left = self.expr(a);
        let right = self.expr(b);
        let ((x, xt), (y, yt)) = (left?, right?);
        let node = |x: Expr, y: Expr| Expr::Arith(op, Box::new(x), Box::new(y), span);
        let seconds = Unit::parse("s").ok()?;
        let result = match (op, &xt, &yt) {
            (ArithOp::Add | ArithOp::Sub, Ty::Num(_), Ty::Num(_)) => {
                let unit = match (&xt, &yt) {
                    (Ty::Num(ua), Ty::Num(ub)) if ua == ub || ub.conversion_to(ua).is_some() => ua.clone(),
                    (_, Ty::Num(ub)) => ub.clone(),
                    _ => Unit::none(),
                };
                let (x, y) = self.unify((x, xt), (y, yt), a.span, b.span, span)?;
                (node(x, y), Ty::Num(unit))
            }
            (ArithOp::Mul | ArithOp::Div, Ty::Num(ua), Ty::Num(ub)) => {
                let meet = if op == ArithOp::Mul { ua.times(ub) } else { ua.per(ub) };
                let Some((unit, factor)) = meet else {
                    return self.error(
                        Code::UnitMismatch,
                        span,
                        format!("{ua} and {ub} are too far apart to convert exactly"),
                        "convert one side to a unit closer to the other's first".into(),
                    );
                };
                let x = (x, a.span);
                let y = (y, b.span);
                (self.scaled(op, x, y, factor, span)?, Ty::Num(unit))
            }
            (ArithOp::Sub, Ty::Time, Ty::Time) => (node(x, y), Ty::Num(seconds)),
            (ArithOp::Add | ArithOp::Sub, Ty::Time, Ty::Num(_)) => {
                let y = self.convert_to((y, yt), &seconds, b.span, a.span)?;
                (node(x, y), Ty::Time)
            }
            (ArithOp::Add, Ty::Num(_), Ty::Time) => {
                let x = self.convert_to((x, xt), &seconds, a.span, b.span)?;
                (node(x, y), Ty::Time)
            }
            _ => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                let sym = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                };
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compute {ta} {sym} {tb}"),
                    "arithmetic works on numbers, and on timestamps with durations".into(),
                );
            }
        };
        Some((self.fold(result.0, span), result.1))
    }

    /// `-x`: a number, negated.
    pub(super) fn negate(&mut self, inner: &ast::Expr, span: Span) -> Option<Typed> {
        let (x, ty) = self.expr(inner)?;
        match ty {
            Ty::Num(_) => Some((self.fold(Expr::Neg(Box::new(x)), span), ty)),
            other => self.type_error(
                inner.span,
                &other,
                &|t| format!("only a number can be negated; this is {t}"),
                "remove the `-`".into(),
            ),
        }
    }

    /// `x * y` or `x / y` with the exact factor that brings the result into its unit
    /// ([`Unit::times`], [`Unit::per`]): a quotient is `(x·n) / (y·d)` for a factor n/d, so
    /// that its only rounding is the division's own; a product is scaled once when n/d is a
    /// terminating decimal, and is otherwise `(x·y·n) / d`.
    pub(super) fn scaled(
        &mut self,
        op: ArithOp,
        (x, xs): (Expr, Span),
        (y, ys): (Expr, Span),
        f: Factor,
        span: Span,
    ) -> Option<Expr> {
        let node = |x: Expr, y: Expr| Expr::Arith(op, Box::new(x), Box::new(y), span);
        if f.is_one() {
            return Some(node(x, y));
        }
        let (Some(n), Some(d)) = (f.numerator(), f.denominator()) else {
            return self.error(
                Code::UnitMismatch,
                span,
                "the units of this expression are too far apart to convert exactly".into(),
                "convert one side to a unit closer to the other's first".into(),
            );
        };
        let mut scale = |e: Expr, by: Decimal, at: Span| {
            if by == Decimal::ONE {
                e
            } else {
                self.fold(Expr::Scale(Box::new(e), by), at)
            }
        };
        Some(match (op, f.exact()) {
            (ArithOp::Div, _) => {
                let (x, y) = (scale(x, n, xs), scale(y, d, ys));
                node(x, y)
            }
            (_, Some(exact)) => scale(node(x, y), exact, span),
            (_, None) => {
                let product = scale(node(x, y), n, span);
                Expr::Arith(ArithOp::Div, Box::new(product), Box::new(Expr::Const(Value::Num(d))), span)
            }
        })
    }
}

/// Whether a number is computed by `*` or `/` (converted or not).
pub(super) fn is_product(expr: &Expr) -> bool {
    match expr {
        Expr::Scale(e, _) => is_product(e),
        Expr::Arith(op, ..) => matches!(op, ArithOp::Mul | ArithOp::Div),
        _ => false,
    }
}

/// Moves the references to quantifier-bound items in `expr` outward by `by` levels: an
/// argument written outside `by` new quantifiers. References to quantifiers inside `expr`
/// itself (below `cutoff`) stay.
pub(super) fn shift(mut expr: Expr, by: u8, cutoff: u8) -> Expr {
    if by > 0 {
        shift_in_place(&mut expr, by, cutoff);
    }
    expr
}

/// [`shift`], in place.
fn shift_in_place(expr: &mut Expr, by: u8, cutoff: u8) {
    match expr {
        Expr::Item { item, .. } | Expr::ItemField { item, .. } => {
            if let ItemRef::Bound(i) | ItemRef::BoundBefore(i) = item {
                if *i >= cutoff {
                    *i = i.saturating_add(by);
                }
            }
        }
        Expr::Quantifier { cond: Some(c), .. } => shift_in_place(c, by, cutoff.saturating_add(1)),
        other => other.for_each_child_mut(&mut |c| shift_in_place(c, by, cutoff)),
    }
}
