//! Calls: of definitions and of built-in functions (dispatched on [`Builtin`]), the built-ins
//! on ladders and alerts, and `choose`.

use super::builtins::Builtin;
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
            self.push(Builtin::Raised.wrong_arguments(span));
            return None;
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

    /// A call: of a definition, with its parameters bound to the arguments, or of a
    /// built-in function.
    pub(super) fn call(&mut self, func: &ast::Name, args: &[ast::Expr], span: Span) -> Option<Typed> {
        if let Some(d) = self.names.defines.get(func.node.as_str()).copied() {
            return self.call_definition(d, args, span);
        }
        let Some(builtin) = Builtin::from_name(&func.node) else {
            return self.unknown_function(func);
        };
        match builtin {
            Builtin::Min => self.extreme(builtin, Expr::Min, args, span),
            Builtin::Max => self.extreme(builtin, Expr::Max, args, span),
            Builtin::Abs => self.abs(args, span),
            Builtin::Count => self.count(args, span),
            Builtin::Next => self.step(builtin, Direction::Next, args, span),
            Builtin::Previous => self.step(builtin, Direction::Previous, args, span),
            Builtin::Dose | Builtin::Allowed | Builtin::HighestAllowed => self.ladder_call(builtin, args, span),
            Builtin::Raised => self.raised(args, span),
            Builtin::Floor => self.floor(args, span),
            Builtin::Day => self.day(args, span),
            Builtin::Week => self.week(args, span),
            Builtin::DayStart => self.day_start(args, span),
            Builtin::Full | Builtin::DueBy => self.schedule(builtin, args, span),
        }
    }

    /// `full(SCHEDULE, t)` and `due_by(SCHEDULE)`: the schedule's expressions, inlined (see
    /// `check::schedule`).
    fn schedule(&mut self, builtin: Builtin, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let (name, name_span, time) = match args {
            [ast::Node { node: ExprKind::Name(n), span: s }, t] if builtin == Builtin::Full => (n, *s, Some(t)),
            [ast::Node { node: ExprKind::Name(n), span: s }] if builtin == Builtin::DueBy => (n, *s, None),
            _ => {
                self.push(builtin.wrong_arguments(span));
                return None;
            }
        };
        let Some(schedule) = self.names.schedules.iter().find(|s| s.name == *name) else {
            if self.names.broken.contains(name.as_str()) {
                return None; // its declaration does not parse: already reported
            }
            let hint = match did_you_mean(name, self.names.schedules.iter().map(|s| s.name.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "declare it with `schedule NAME \"Title\" of LIST[].TIME` and its phases".into(),
            };
            return self.error(Code::UnknownName, name_span, format!("no schedule named `{name}`"), hint);
        };
        let (full, due_by) = schedule.written.as_ref()?;
        let key = format!("{}({name})", builtin.name());
        self.may_inline(&key, span, || (format!("schedule `{name}` depends on itself"), String::new()))?;
        match time {
            Some(t) => {
                let t = self.expr(t)?;
                let frame = std::iter::once(("t".to_string(), t)).collect();
                self.inline(&key, Some(frame), full, span)
            }
            None => self.inline(&key, None, due_by, span),
        }
    }

    /// `NAME(args)` of a `define NAME(params)`: its body, inlined with the arguments.
    fn call_definition(&mut self, d: &ast::Define, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let name = d.name.node.as_str();
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
        self.inline(name, Some(frame), &d.body, span)
    }

    /// A call of a function that is neither built in nor defined.
    fn unknown_function(&mut self, func: &ast::Name) -> Option<Typed> {
        let name = func.node.as_str();
        let mut candidates: Vec<&str> = Builtin::names().collect();
        candidates.extend(self.names.defines.keys().copied());
        let hint = match did_you_mean(name, candidates) {
            Some(near) => format!("did you mean `{near}`?"),
            None => {
                format!("the functions are {} and your definitions", Builtin::names().collect::<Vec<_>>().join(", "))
            }
        };
        self.error(Code::UnknownName, func.span, format!("no function named `{name}`"), hint)
    }

    /// `dose(LADDER, level)`, `allowed(LADDER, level)`, `highest_allowed(LADDER, level)`.
    pub(super) fn ladder_call(&mut self, builtin: Builtin, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let name = builtin.name();
        let [ast::Node { node: ExprKind::Name(ladder), span: ladder_span }, level] = args else {
            self.push(builtin.wrong_arguments(span));
            return None;
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
            return self.type_error(
                level.span,
                &ty,
                &|t| format!("`{name}` needs a level; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        };
        if self.choices(set) != levels.as_slice() {
            return self.type_error(
                level.span,
                &ty,
                &|t| format!("`{name}` needs a level of `{ladder}`; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        }
        let (l, x) = (index, Box::new(x));
        Some(match builtin {
            Builtin::Dose => (Expr::Dose(l, x), Ty::Num(Unit::parse("mg").ok()?)),
            Builtin::Allowed => (Expr::Allowed(l, x), Ty::Bool),
            _ => (Expr::HighestAllowed(l, x), Ty::Choice(set)),
        })
    }

    /// An amount, or a `choose` of amounts, read as the numeric level of that amount
    /// (`28 mg` is the choice `28 mg` of `one of 28 mg < 56 mg`); `None` when it is not one.
    fn as_level(&self, x: &Expr, unit: &Unit, set: ChoiceSet) -> Option<Expr> {
        match x {
            Expr::Const(Value::Num(n)) => {
                let name = crate::syntax::parser::level_name(&n.to_string(), &unit.to_string());
                let i = self.choices(set).iter().position(|c| *c == name)?;
                Some(Expr::Const(Value::Choice(u16::try_from(i).ok()?)))
            }
            Expr::Choose(arms, other) => {
                let arms: Option<Vec<_>> =
                    arms.iter().map(|(c, v)| Some((c.clone(), self.as_level(v, unit, set)?))).collect();
                Some(Expr::Choose(arms?, Box::new(self.as_level(other, unit, set)?)))
            }
            _ => None,
        }
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
        // Numeric levels: amounts (`28 mg`) where another branch gives a level of that list.
        let mut levels = None;
        for (_, (_, t), _) in &checked {
            if let (None, Ty::Choice(set)) = (levels, t) {
                levels = Some(*set);
            }
        }
        if let (None, Ty::Choice(set)) = (levels, &ty) {
            levels = Some(*set);
        }
        let level = |checker: &Self, (x, t): Typed| match (levels, &t) {
            (Some(set), Ty::Num(unit)) => match checker.as_level(&x, unit, set) {
                Some(l) => (l, Ty::Choice(set)),
                None => (x, t),
            },
            _ => (x, t),
        };
        let (last, ty) = level(self, (last, ty));
        let mut out = Vec::new();
        for (c, v, vspan) in checked {
            let (v, vt) = level(self, v);
            let v = match (&ty, &vt) {
                (Ty::Num(u), Ty::Num(_)) => self.convert_to((v, vt), u, vspan, otherwise.span)?,
                (Ty::Choice(a), Ty::Choice(b)) if self.choices(*a) == self.choices(*b) => v,
                _ if ty == vt && !matches!(ty, Ty::Item(_)) => v,
                // Numeric levels are the choices whose names are amounts (with a space).
                (Ty::Choice(set), Ty::Num(_)) | (Ty::Num(_), Ty::Choice(set))
                    if self.choices(*set).iter().any(|c| c.contains(' ')) =>
                {
                    let levels = self.choices(*set).join(", ");
                    return self.error(
                        Code::Type,
                        vspan,
                        format!("`choose` mixes amounts with levels of one of {levels}"),
                        format!("give every branch one of the levels ({levels}), or a definition that gives one"),
                    );
                }
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
