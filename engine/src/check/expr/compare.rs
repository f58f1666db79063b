//! Comparisons: choices against bare words, ordered choices, numbers in one unit, and thresholds that
//! sit on a rounding edge.

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// A bare word that is a choice of exactly one list of choices (`L2`), wherever it is.
    pub(super) fn unique_choice(&self, name: &str) -> Option<Typed> {
        if name.contains('.') {
            return None;
        }
        let mut found: Option<(FieldId, &[String])> = None;
        for (i, f) in with_ids(&self.names.schema.fields) {
            if let FieldType::Choice(c) = &f.ty {
                if c.iter().any(|x| x == name) {
                    match found {
                        Some((_, seen)) if seen == c.as_slice() => {}
                        Some(_) => return None,
                        None => found = Some((i, c)),
                    }
                }
            }
        }
        let (field, choices) = found?;
        let index = u16::try_from(choices.iter().position(|c| c == name)?).ok()?;
        Some((Expr::Const(Value::Choice(index)), Ty::Choice(ChoiceSet::Field(field))))
    }

    /// A bare name on one side of a comparison with a choice may be one of its values; an
    /// amount (`56 mg`) is a numeric level.
    pub(super) fn choice_literal(&mut self, e: &ast::Expr, set: ChoiceSet) -> Option<Option<Typed>> {
        if let ExprKind::Quantity(n, Some(unit)) = &e.node {
            let name = crate::syntax::parser::level_name(&n.to_string(), &unit.node);
            return Some(
                self.choice_index(set, &name, e.span).map(|i| (Expr::Const(Value::Choice(i)), Ty::Choice(set))),
            );
        }
        let ExprKind::Name(n) = &e.node else {
            return None;
        };
        if self.lookup_value(n).is_some() || n.contains('.') {
            return None;
        }
        Some(self.choice_index(set, n, e.span).map(|i| (Expr::Const(Value::Choice(i)), Ty::Choice(set))))
    }

    pub(super) fn choice_index(&mut self, set: ChoiceSet, name: &str, span: Span) -> Option<u16> {
        let choices = self.choices(set);
        if let Some(i) = choices.iter().position(|c| c == name) {
            return u16::try_from(i).ok();
        }
        let path = self.choice_source(set);
        let hint = match did_you_mean(name, choices.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`? `{path}` is one of {}", choices.join(", ")),
            None => format!("`{path}` is one of {}", choices.join(", ")),
        };
        self.error(Code::UnknownChoice, span, format!("`{name}` is not a choice of `{path}`"), hint)
    }

    pub(super) fn compare(&mut self, op: CmpOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Option<Typed> {
        // A choice against a bare word: the word is one of its values.
        let left = match &a.node {
            ExprKind::Name(n) if self.lookup_value(n).is_none() && !n.contains('.') => None,
            ExprKind::Quantity(_, Some(_)) => None,
            _ => Some(self.expr(a)),
        };
        let (left, right) = match left {
            Some(l) => {
                let l = l?;
                let r = match &l.1 {
                    Ty::Choice(f) => match self.choice_literal(b, *f) {
                        Some(r) => r,
                        None => self.expr(b),
                    },
                    _ => self.expr(b),
                };
                (l, r?)
            }
            None => {
                let r = self.expr(b)?;
                let l = match &r.1 {
                    Ty::Choice(f) => self.choice_literal(a, *f).unwrap_or_else(|| self.expr(a)),
                    _ => self.expr(a),
                };
                (l?, r)
            }
        };
        let ((x, xt), (y, yt)) = (left, right);
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let expr = match (&xt, &yt) {
            (Ty::Num(_), Ty::Num(_)) => {
                let (x, y) = self.unify((x, xt), (y, yt), a.span, b.span, span)?;
                self.lint_threshold(op, &x, &y, span);
                Expr::Compare(op, Box::new(x), Box::new(y))
            }
            (Ty::Time, Ty::Time) => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Bool, Ty::Bool) if equality => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Choice(f), Ty::Choice(g)) if equality && self.choices(*f) == self.choices(*g) => {
                Expr::Compare(op, Box::new(x), Box::new(y))
            }
            (Ty::Choice(_), Ty::Choice(_)) if equality => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compare {ta} with {tb}"),
                    "compare choices of the same list".into(),
                );
            }
            // Choices declared in order (`one of a < b < c`) compare by that order.
            (Ty::Choice(f), Ty::Choice(g)) if self.choices(*f) == self.choices(*g) => {
                match [*f, *g].into_iter().find(|s| !self.choices_ordered(*s)) {
                    Some(unordered) => return self.unordered(unordered, op.symbol(), span),
                    None => Expr::Compare(op, Box::new(x), Box::new(y)),
                }
            }
            (Ty::Text, Ty::Text) if equality => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Bool, _) if !equality && xt == yt => {
                return self.type_error(
                    span,
                    &xt,
                    &|t| format!("`{}` does not order {t}", op.symbol()),
                    "use `=` or `!=`".into(),
                );
            }
            _ => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compare {ta} with {tb}"),
                    "both sides must have the same type".into(),
                );
            }
        };
        Some((self.fold(expr, span), Ty::Bool))
    }

    /// Whether a choice type is declared in order (`one of a < b < c`); verdicts are not.
    pub(super) fn choices_ordered(&self, set: ChoiceSet) -> bool {
        match set {
            ChoiceSet::Field(f) => self.names.schema.field(f).is_some_and(|f| f.choices_ordered),
            ChoiceSet::Verdicts(_) => false,
        }
    }

    /// Reports `what` (`<`, `next`) on choices not declared in order, saying how to declare it.
    pub(super) fn unordered(&mut self, set: ChoiceSet, what: &str, span: Span) -> Option<Typed> {
        let (path, choices) = (self.choice_source(set), self.choices(set).to_vec());
        let hint = match set {
            ChoiceSet::Field(_) => format!(
                "declare the order where `{path}` is declared: `one of {}`; or compare with `=`, `!=` or `in {{...}}`",
                choices.join(" < ")
            ),
            ChoiceSet::Verdicts(_) => "compare verdicts with `=`, `!=` or `in {...}`".into(),
        };
        let message = format!("`{what}` needs choices declared in order; `{path}` is one of {}", choices.join(", "));
        self.error(Code::Type, span, message, hint)
    }

    /// Warns about a comparison of an input with a constant that its declared range decides.
    pub(super) fn lint_threshold(&mut self, op: CmpOp, x: &Expr, y: &Expr, span: Span) {
        let (field, c, op) = match (x, y) {
            (Expr::Field { field, .. }, Expr::Const(Value::Num(c))) => (*field, *c, op),
            (Expr::Const(Value::Num(c)), Expr::Field { field, .. }) => {
                let flipped = match op {
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    other => other,
                };
                (*field, *c, flipped)
            }
            _ => return,
        };
        let Some(f) = self.names.schema.field(field) else { return };
        let Some((lo, hi)) = f.range else { return };
        let (always, never) = match op {
            CmpOp::Lt => (hi < c, lo >= c),
            CmpOp::Le => (hi <= c, lo > c),
            CmpOp::Gt => (lo > c, hi <= c),
            CmpOp::Ge => (lo >= c, hi < c),
            CmpOp::Eq => (lo == c && hi == c, c < lo || c > hi),
            CmpOp::Ne => (c < lo || c > hi, lo == c && hi == c),
        };
        if always || never {
            let unit = match &f.ty {
                FieldType::Number { unit, .. } if !unit.is_none() => format!(" {unit}"),
                _ => String::new(),
            };
            let verdict = if always { "always true" } else { "never true" };
            self.push(
                Diagnostic::warning(
                    Code::Range,
                    span,
                    format!(
                        "this comparison is {verdict} for an admissible value: `{}` is declared in {lo}..{hi}{unit}",
                        f.path
                    ),
                )
                .with_hint("check the threshold, or the declared range of the input"),
            );
        }
    }
}
