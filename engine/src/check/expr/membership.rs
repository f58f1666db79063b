//! Membership tests: `x in {a, b}` for choices and `x in lo..hi` for numbers, and their
//! `not in` forms.

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// `x in {a, b}` (or `not in` when `negated`): `x` one of a set of choices, each name one
    /// of them.
    pub(super) fn in_set(&mut self, inner: &ast::Expr, names: &[ast::Name], negated: bool) -> Option<Typed> {
        let (x, ty) = self.expr(inner)?;
        let Ty::Choice(of) = ty else {
            return self.type_error(
                inner.span,
                &ty,
                &|t| format!("`in {{...}}` needs one of a set of choices; this is {t}"),
                "use `in lo..hi` for a range of numbers".into(),
            );
        };
        let mut set = Vec::new();
        let mut ok = true;
        for n in names {
            match self.choice_index(of, &n.node, n.span) {
                Some(i) => set.push(i),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let test = Expr::InSet(Box::new(x), set);
        Some((if negated { Expr::Not(Box::new(test)) } else { test }, Ty::Bool))
    }

    /// `x in lo..hi` (or `not in` when `negated`): a number between two ends, inclusive, the
    /// three in units that convert to one another.
    pub(super) fn in_range(
        &mut self,
        inner: &ast::Expr,
        (lo, hi): (&ast::Expr, &ast::Expr),
        negated: bool,
        span: Span,
    ) -> Option<Typed> {
        let x = self.expr(inner);
        let mut lo_t = self.expr(lo);
        let hi_t = self.expr(hi);
        let ((x, xt), (lo_e, lo_ty), (hi_e, hi_ty)) = (x?, lo_t.take()?, hi_t?);
        // `1..3 mmHg`: a bare number at the low end takes the high end's unit.
        let lo_ty = match (&lo.node, &lo_ty, &hi_ty) {
            (ExprKind::Quantity(_, None), Ty::Num(u), Ty::Num(h)) if u.is_none() && !h.is_none() => hi_ty.clone(),
            _ => lo_ty,
        };
        let Ty::Num(_) = xt else {
            return self.type_error(
                inner.span,
                &xt,
                &|t| format!("`in lo..hi` needs a number; this is {t}"),
                "use `in {a, b}` for choices".into(),
            );
        };
        let (x1, lo_e) = self.unify((x.clone(), xt.clone()), (lo_e, lo_ty), inner.span, lo.span, span)?;
        let (x2, hi_e) = self.unify((x, xt), (hi_e, hi_ty), inner.span, hi.span, span)?;
        if let (Expr::Const(Value::Num(l)), Expr::Const(Value::Num(h))) = (&lo_e, &hi_e) {
            if l > h {
                return self.error(
                    Code::Range,
                    lo.span.to(hi.span),
                    format!("empty range: {l} is above {h}"),
                    "write the lower end first: `in lo..hi`".into(),
                );
            }
        }
        // The same unit must serve both ends: convert ends, never the tested value twice.
        let test = if x1 == x2 {
            Expr::Between(Box::new(x1), Box::new(self.fold(lo_e, lo.span)), Box::new(self.fold(hi_e, hi.span)))
        } else {
            Expr::And(vec![
                Expr::Compare(CmpOp::Le, Box::new(lo_e), Box::new(x1)),
                Expr::Compare(CmpOp::Le, Box::new(x2), Box::new(hi_e)),
            ])
        };
        Some((if negated { Expr::Not(Box::new(test)) } else { test }, Ty::Bool))
    }
}
