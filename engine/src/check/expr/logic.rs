//! The logical operators and tests: `not`, `and`, `or`, `is known` and `is missing`, `is true`
//! and `is false`. Each gives true or false (or unknown, in Kleene's logic).

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// `not C`.
    pub(super) fn not(&mut self, inner: &ast::Expr) -> Option<Typed> {
        let x = self.condition(inner, "the operand of `not`")?;
        Some((Expr::Not(Box::new(x)), Ty::Bool))
    }

    /// The operands of `and` or `or`, each a condition; all are checked, so that every
    /// mistake among them is reported.
    pub(super) fn conditions(&mut self, parts: &[ast::Expr], what: &str) -> Option<Vec<Expr>> {
        let checked: Vec<Option<Expr>> = parts.iter().map(|p| self.condition(p, what)).collect();
        checked.into_iter().collect()
    }

    /// `X is known` (`known`) or `X is missing`; a group of inputs outside lists is known when
    /// it is present in the document.
    pub(super) fn is_known(&mut self, inner: &ast::Expr, known: bool) -> Option<Typed> {
        let group = match &inner.node {
            ExprKind::Name(n) if self.lookup_value(n).is_none() => self.names.group(n),
            _ => None,
        };
        let test = match group {
            Some(g) => Expr::GroupPresent(g),
            None => Expr::IsKnown(Box::new(self.expr(inner)?.0)),
        };
        Some((if known { test } else { Expr::Not(Box::new(test)) }, Ty::Bool))
    }

    /// `C is true` (`value`) or `C is false`.
    pub(super) fn is_truth(&mut self, inner: &ast::Expr, value: bool) -> Option<Typed> {
        // Compiled as `c is known and c` (or `and not c`): false, never unknown, when
        // an input of `c` is absent, so nothing is listed as missing for it.
        let test = self.condition(inner, "`is true` and `is false`")?;
        let known = Expr::IsKnown(Box::new(test.clone()));
        let test = if value { test } else { Expr::Not(Box::new(test)) };
        Some((Expr::And(vec![known, test]), Ty::Bool))
    }
}
