//! Calls: the built-in functions, ladder doses and `choose`.

use super::inline::definition_cycle;
use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// `raised(ALERT)`: whether an alert is raised, read as its decision raises it: true
    /// when its condition holds for some item of its list (or its `or when` condition
    /// holds), false when it fails for every item (and the other condition fails), else
    /// unknown, with what its conditions miss. The alert's conditions are checked here as
    /// written there, so the two can never drift apart.
    pub(super) fn raised(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [ast::Node { node: ExprKind::Name(id), span: id_span }] = args else {
            return self.error(
                Code::Arguments,
                span,
                "`raised` takes the id of an alert".into(),
                "such as `raised(bp_persistent)`".into(),
            );
        };
        let alert = match self.names.alerts.get(id.as_str()).map(Vec::as_slice) {
            Some([one]) => *one,
            Some(_) => {
                return self.error(
                    Code::Duplicate,
                    *id_span,
                    format!("alert `{id}` is declared by more than one decision"),
                    "give the alerts different ids".into(),
                )
            }
            None => {
                let hint = match did_you_mean(id, self.names.alerts.keys().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None if self.names.alerts.is_empty() => "no alert is declared".into(),
                    None => {
                        format!("the alerts are {}", self.names.alerts.keys().copied().collect::<Vec<_>>().join(", "))
                    }
                };
                return self.error(Code::UnknownName, *id_span, format!("no alert named `{id}`"), hint);
            }
        };
        let key = format!("raised({id})");
        self.may_inline(&key, span, || {
            (
                format!("alert `{id}` depends on itself"),
                "an alert's condition cannot read `raised` of itself, directly or through others".into(),
            )
        })?;
        let (var, list) = &alert.each;
        let each = ast::Node::new(
            ExprKind::Quantifier {
                kind: Quantifier::Any,
                var: var.clone(),
                list: list.clone(),
                cond: Some(Box::new(alert.when.clone())),
            },
            alert.when.span,
        );
        let test = match &alert.otherwise {
            Some((c, _)) => ast::Node::new(ExprKind::Or(vec![each, c.clone()]), alert.span),
            None => each,
        };
        let (x, ty) = self.inline(&key, None, &test, span)?;
        if ty != Ty::Bool {
            return self.error(
                Code::Type,
                alert.when.span,
                "an alert's condition must be true or false".into(),
                String::new(),
            );
        }
        Some((x, ty))
    }

    pub(super) fn call(&mut self, func: &ast::Name, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let name = func.node.as_str();
        if let Some(d) = self.names.defines.get(name).copied() {
            self.used.insert(name.to_string());
            if d.params.len() != args.len() {
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` takes {} argument(s), not {}", d.params.len(), args.len()),
                    format!("declared at `define {name}(...)`"),
                );
            }
            self.may_inline(name, span, || definition_cycle(name))?;
            let checked: Vec<Option<Typed>> = args.iter().map(|a| self.expr(a)).collect();
            let values: Vec<Typed> = checked.into_iter().collect::<Option<_>>()?;
            let frame = d.params.iter().map(|p| p.node.clone()).zip(values).collect();
            return self.inline(name, Some(frame), &d.body, span);
        }
        if matches!(name, "dose" | "allowed" | "highest_allowed") {
            return self.ladder_call(name, args, span);
        }
        if name == "raised" {
            return self.raised(args, span);
        }
        if name == "next" || name == "previous" {
            let [arg] = args else {
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` takes one choice"),
                    format!("`{name}(course.sessions[-1].level)`"),
                );
            };
            let (x, ty) = self.expr(arg)?;
            let Ty::Choice(set) = ty else {
                let t = self.describe(&ty);
                return self.error(
                    Code::Type,
                    arg.span,
                    format!("`{name}` needs a choice; this is {t}"),
                    "it steps through the choices in the order they are declared".into(),
                );
            };
            if !self.choices_ordered(set) {
                return self.unordered(set, name, arg.span);
            }
            let count = u16::try_from(self.choices(set).len()).ok()?;
            let direction = if name == "next" { Direction::Next } else { Direction::Previous };
            return Some((self.fold(Expr::Step(Box::new(x), direction, count), span), Ty::Choice(set)));
        }
        if name == "count" {
            // `count(LIST)`: the number of items.
            return match args {
                [ast::Node { node: ExprKind::Name(list), span: list_span }] => {
                    let list = ast::Node::new(list.clone(), *list_span);
                    let var = ast::Node::new(String::new(), span);
                    self.quantifier(Quantifier::Count, &var, &list, None, span)
                }
                _ => self.error(
                    Code::Arguments,
                    span,
                    "`count` takes a list".into(),
                    "`count(course.sessions)` or `count(s in course.sessions where ...)`".into(),
                ),
            };
        }
        if !BUILTINS.contains(&name) {
            let candidates: Vec<&str> = BUILTINS.iter().copied().chain(self.names.defines.keys().copied()).collect();
            let hint = match did_you_mean(name, candidates) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the functions are {} and your definitions", BUILTINS.join(", ")),
            };
            return self.error(Code::UnknownName, func.span, format!("no function named `{name}`"), hint);
        }
        let checked: Vec<Option<Typed>> = args.iter().map(|a| self.expr(a)).collect();
        let typed: Vec<Typed> = checked.into_iter().collect::<Option<_>>()?;
        if name == "abs" {
            let [(x, ty)] = <[Typed; 1]>::try_from(typed).ok().or_else(|| {
                self.diagnostics.push(
                    Diagnostic::error(Code::Arguments, span, "`abs` takes one argument").with_hint("`abs(x - y)`"),
                );
                None
            })?;
            if !matches!(ty, Ty::Num(_)) {
                let t = self.describe(&ty);
                return self.error(
                    Code::Type,
                    span,
                    format!("`abs` needs a number; this is {t}"),
                    "`abs(x - y)`".into(),
                );
            }
            return Some((self.fold(Expr::Abs(Box::new(x)), span), ty));
        }
        if typed.len() < 2 {
            return self.error(
                Code::Arguments,
                span,
                format!("`{name}` takes two or more arguments"),
                format!("`{name}(a, b)`"),
            );
        }
        let spans: Vec<Span> = args.iter().map(|a| a.span).collect();
        let first_span = spans.first().copied().unwrap_or(span);
        // The common unit: one that every argument converts to exactly.
        let units: Vec<Unit> =
            typed.iter().filter_map(|(_, t)| if let Ty::Num(u) = t { Some(u.clone()) } else { None }).collect();
        let unit = units
            .iter()
            .find(|target| units.iter().all(|u| u == *target || u.conversion_to(target).is_some()))
            .or(units.first())
            .cloned();
        let Some(unit) = unit else {
            let t = typed.first().map(|(_, t)| self.describe(t)).unwrap_or_default();
            return self.error(
                Code::Type,
                first_span,
                format!("`{name}` needs numbers; this is {t}"),
                "pass numbers with units".into(),
            );
        };
        let mut parts = Vec::new();
        for ((x, ty), s) in typed.into_iter().zip(spans) {
            let converted = self.convert_to((x, ty), &unit, s, first_span)?;
            parts.push(converted);
        }
        let expr = if name == "min" { Expr::Min(parts) } else { Expr::Max(parts) };
        Some((self.fold(expr, span), Ty::Num(unit)))
    }

    /// `dose(LADDER, level)`, `allowed(LADDER, level)`, `highest_allowed(LADDER, level)`.
    pub(super) fn ladder_call(&mut self, name: &str, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [ast::Node { node: ExprKind::Name(ladder), span: ladder_span }, level] = args else {
            return self.error(
                Code::Arguments,
                span,
                format!("`{name}` takes a ladder and a level"),
                format!("`{name}(ketamine, course.sessions[-1].level)`"),
            );
        };
        let Some(index) = position::<LadderId, _>(&self.ladders, |(n, _)| n == ladder) else {
            let hint = match did_you_mean(ladder, self.ladders.iter().map(|(n, _)| n.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "declare it above with `ladder NAME`".into(),
            };
            return self.error(Code::UnknownName, *ladder_span, format!("no ladder named `{ladder}`"), hint);
        };
        let (x, ty) = self.expr(level)?;
        let levels = self.ladders.get(index.index()).map(|(_, l)| l.clone()).unwrap_or_default();
        if levels.is_empty() {
            return None; // the ladder's own errors are reported where it is declared
        }
        let Ty::Choice(set) = ty else {
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                level.span,
                format!("`{name}` needs a level; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        };
        if self.choices(set) != levels.as_slice() {
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                level.span,
                format!("`{name}` needs a level of `{ladder}`; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        }
        let l = index;
        Some(match name {
            "dose" => (Expr::Dose(l, Box::new(x)), Ty::Num(Unit::parse("mg").ok()?)),
            "allowed" => (Expr::Allowed(l, Box::new(x)), Ty::Bool),
            _ => (Expr::HighestAllowed(l, Box::new(x)), Ty::Choice(set)),
        })
    }

    /// `choose when c then e ... otherwise e`: conditions true or false, values of one type.
    pub(super) fn choose(
        &mut self,
        arms: &[(ast::Expr, ast::Expr)],
        otherwise: &ast::Expr,
        span: Span,
    ) -> Option<Typed> {
        let mut checked = Vec::new();
        let mut ok = true;
        for (c, e) in arms {
            let cond = self.condition(c, "a `when` of `choose`");
            let value = self.expr(e);
            match (cond, value) {
                (Some(c), Some(v)) => checked.push((c, v, e.span)),
                _ => ok = false,
            }
        }
        let (last, ty) = self.expr(otherwise)?;
        if !ok {
            return None;
        }
        let mut out = Vec::new();
        for (c, (v, vt), vspan) in checked {
            let v = match (&ty, &vt) {
                (Ty::Num(u), Ty::Num(_)) => self.convert_to((v, vt), u, vspan, otherwise.span)?,
                (Ty::Choice(a), Ty::Choice(b)) if self.choices(*a) == self.choices(*b) => v,
                _ if ty == vt && !matches!(ty, Ty::Item(_)) => v,
                _ => {
                    let (a, b) = (self.describe(&vt), self.describe(&ty));
                    return self.error(
                        Code::Type,
                        vspan,
                        format!("`choose` gives {a} here but {b} after `otherwise`"),
                        "every branch must give the same kind of value".into(),
                    );
                }
            };
            out.push((c, v));
        }
        Some((self.fold(Expr::Choose(out, Box::new(last)), span), ty))
    }
}
