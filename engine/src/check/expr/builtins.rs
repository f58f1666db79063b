//! The functions the language provides, in one table: each one's name, the arguments it
//! takes, an example and what it does. The checker dispatches on [`Builtin`], a definition
//! cannot take one of its names, and the list of functions a message suggests is read from
//! it, so a built-in cannot be known in one place and missing in another. Here too are the
//! checks of the built-ins on numbers and choices (`min`, `max`, `abs`, `count`, `next`,
//! `previous`); those on ladders and alerts are with the other calls.

use super::*;

/// The arguments a built-in takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arguments {
    /// Two or more numbers, in units that convert to one another, or choices of one list
    /// declared in order.
    Numbers,
    /// One number.
    Number,
    /// A list of the input document (or a quantifier over one).
    List,
    /// One choice.
    Choice,
    /// A ladder and one of its levels.
    LadderLevel,
    /// The id of an alert.
    Alert,
    /// One timestamp.
    Timestamp,
    /// A timestamp, then the one whose day starts week 1.
    TwoTimestamps,
    /// A schedule, then a timestamp.
    ScheduleTime,
    /// A schedule.
    Schedule,
}

impl Arguments {
    /// The arguments, in words, as messages give them.
    const fn words(self) -> &'static str {
        match self {
            Arguments::Numbers => "two or more arguments",
            Arguments::Number => "one argument",
            Arguments::List => "a list",
            Arguments::Choice => "one choice",
            Arguments::LadderLevel => "a ladder and a level",
            Arguments::Alert => "the id of an alert",
            Arguments::Timestamp => "one timestamp",
            Arguments::TwoTimestamps => "a timestamp and the timestamp whose day starts week 1",
            Arguments::ScheduleTime => "a schedule and a timestamp",
            Arguments::Schedule => "a schedule",
        }
    }
}

/// Declares [`Builtin`] and its table from one list: variant, name, arguments, example, and
/// a line of documentation.
macro_rules! builtins {
    ($($(#[doc = $doc:literal])+ $variant:ident = $name:literal, $args:ident, $example:literal;)+) => {
        /// A function the language provides.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Builtin {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Builtin {
            /// Every built-in, in the order messages list them.
            pub(crate) const ALL: &'static [Builtin] = &[$(Builtin::$variant),+];

            /// Its name in rule files.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Builtin::$variant => $name,)+
                }
            }

            /// The arguments it takes.
            pub(crate) const fn arguments(self) -> Arguments {
                match self {
                    $(Builtin::$variant => Arguments::$args,)+
                }
            }

            /// A call of it, as a hint shows it.
            const fn example(self) -> &'static str {
                match self {
                    $(Builtin::$variant => $example,)+
                }
            }
        }
    };
}

builtins! {
    /// The smallest of two or more numbers, in the unit they all convert to, or the first
    /// in declared order of two or more choices of one ordered list.
    Min = "min", Numbers, "`min(a, b)`";
    /// The largest of two or more numbers, in the unit they all convert to, or the last in
    /// declared order of two or more choices of one ordered list.
    Max = "max", Numbers, "`max(a, b)`";
    /// A number's absolute value, in its unit.
    Abs = "abs", Number, "`abs(x - y)`";
    /// The number of items of a list (`count(s in LIST where C)` is a quantifier).
    Count = "count", List, "`count(course.sessions)` or `count(s in course.sessions where ...)`";
    /// The choice declared after this one, or the last.
    Next = "next", Choice, "`next(course.sessions[-1].level)`";
    /// The choice declared before this one, or the first.
    Previous = "previous", Choice, "`previous(course.sessions[-1].level)`";
    /// A ladder's dose at a level, in mg.
    Dose = "dose", LadderLevel, "`dose(ketamine, course.sessions[-1].level)`";
    /// Whether a ladder allows a level.
    Allowed = "allowed", LadderLevel, "`allowed(ketamine, course.sessions[-1].level)`";
    /// The highest level a ladder allows at or below a level.
    HighestAllowed = "highest_allowed", LadderLevel, "`highest_allowed(ketamine, course.sessions[-1].level)`";
    /// Whether an alert is raised, from the alert's own conditions.
    Raised = "raised", Alert, "such as `raised(bp_persistent)`";
    /// The whole number at or below a plain number.
    Floor = "floor", Number, "`floor((day(at) - day(course.sessions[0].at)) / 7 days)`";
    /// The local calendar day of a timestamp in the protocol's time zone, in days.
    Day = "day", Timestamp, "`day(at) - day(course.sessions[-1].at) >= 7 days`";
    /// The week of a timestamp, counted from the day of another: week 1 is its first 7 days.
    Week = "week", TwoTimestamps, "`week(at, course.sessions[0].at) <= 4`";
    /// The instant a local calendar day starts (midnight in the protocol's time zone), from
    /// the day as `day` gives it.
    DayStart = "day_start", Number, "`day_start(day(at) + 1 days)`";
    /// Whether one more item of a schedule's list at a time would go beyond the schedule.
    Full = "full", ScheduleTime, "`full(dosing, at)`";
    /// When the item after the last one of a schedule's list falls due.
    DueBy = "due_by", Schedule, "`due_by(dosing)`";
}

impl Builtin {
    /// The built-in of this name.
    pub(crate) fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// The names of all built-ins, in the order messages list them.
    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        Builtin::ALL.iter().map(|b| b.name())
    }

    /// The error for a call with the wrong arguments.
    pub(super) fn wrong_arguments(self, span: Span) -> Diagnostic {
        Diagnostic::error(Code::Arguments, span, format!("`{}` takes {}", self.name(), self.arguments().words()))
            .with_hint(self.example())
    }
}

impl<'a, 'd> Checker<'a, 'd> {
    /// The arguments of a built-in on values, checked: all of them, so that every mistake
    /// among them is reported.
    fn arguments(&mut self, args: &[ast::Expr]) -> Option<Vec<Typed>> {
        let checked: Vec<Option<Typed>> = args.iter().map(|a| self.expr(a)).collect();
        checked.into_iter().collect()
    }

    /// `min(a, b, ...)` or `max(a, b, ...)`: numbers in the unit that every one converts to
    /// exactly (else the first's), built by `make`.
    pub(super) fn extreme(
        &mut self,
        builtin: Builtin,
        make: fn(Vec<Expr>) -> Expr,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<Typed> {
        let name = builtin.name();
        let typed = self.arguments(args)?;
        if typed.len() < 2 {
            self.push(builtin.wrong_arguments(span));
            return None;
        }
        let spans: Vec<Span> = args.iter().map(|a| a.span).collect();
        let first_span = spans.first().copied().unwrap_or(span);
        if let Some((_, Ty::Choice(set))) = typed.first() {
            let set = *set;
            return self.extreme_choices(builtin, make, typed, &spans, set, span);
        }
        // The common unit: one that every argument converts to exactly.
        let mut units: Vec<Unit> = Vec::new();
        for (_, t) in typed.iter() {
            if let Ty::Num(u) = t {
                units.push(u.clone());
            }
        }
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
        Some((self.fold(make(parts), span), Ty::Num(unit)))
    }

    /// `min` or `max` of choices of one list declared in order (`one of D28 < D56 < D84`):
    /// the first or the last of them in that order, of the same choice type.
    fn extreme_choices(
        &mut self,
        builtin: Builtin,
        make: fn(Vec<Expr>) -> Expr,
        typed: Vec<Typed>,
        spans: &[Span],
        set: ChoiceSet,
        span: Span,
    ) -> Option<Typed> {
        let name = builtin.name();
        let mut parts = Vec::new();
        for ((x, ty), s) in typed.into_iter().zip(spans.iter().copied()) {
            match ty {
                Ty::Choice(other) if self.choices(other) == self.choices(set) => {
                    if !self.choices_ordered(other) {
                        return self.unordered(other, name, s);
                    }
                    parts.push(x);
                }
                other => {
                    let (first, this) = (self.describe(&Ty::Choice(set)), self.describe(&other));
                    return self.error(
                        Code::Type,
                        s,
                        format!("`{name}` takes values of one type: the first is {first}, this is {this}"),
                        "pass choices of the same ordered list (or numbers only)".into(),
                    );
                }
            }
        }
        Some((self.fold(make(parts), span), Ty::Choice(set)))
    }

    /// `abs(x)`: a number's absolute value.
    pub(super) fn abs(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let typed = self.arguments(args)?;
        let Ok([(x, ty)]) = <[Typed; 1]>::try_from(typed) else {
            // Reported as it is, without the uses of the definitions being expanded.
            self.diagnostics.push(Builtin::Abs.wrong_arguments(span));
            return None;
        };
        if !matches!(ty, Ty::Num(_)) {
            let t = self.describe(&ty);
            return self.error(Code::Type, span, format!("`abs` needs a number; this is {t}"), "`abs(x - y)`".into());
        }
        Some((self.fold(Expr::Abs(Box::new(x)), span), ty))
    }

    /// `count(LIST)`: the number of items.
    pub(super) fn count(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        match args {
            [ast::Node { node: ExprKind::Name(list), span: list_span }] => {
                let list = ast::Node::new(list.clone(), *list_span);
                let var = ast::Node::new(String::new(), span);
                self.quantifier(Quantifier::Count, &var, &list, None, span)
            }
            _ => {
                self.push(Builtin::Count.wrong_arguments(span));
                None
            }
        }
    }

    /// `next(c)` or `previous(c)`: the choice declared after or before `c`.
    pub(super) fn step(
        &mut self,
        builtin: Builtin,
        direction: Direction,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<Typed> {
        let name = builtin.name();
        let [arg] = args else {
            self.push(builtin.wrong_arguments(span));
            return None;
        };
        let (x, ty) = self.expr(arg)?;
        let Ty::Choice(set) = ty else {
            return self.type_error(
                arg.span,
                &ty,
                &|t| format!("`{name}` needs a choice; this is {t}"),
                "it steps through the choices in the order they are declared".into(),
            );
        };
        if !self.choices_ordered(set) {
            return self.unordered(set, name, arg.span);
        }
        let count = u16::try_from(self.choices(set).len()).ok()?;
        Some((self.fold(Expr::Step(Box::new(x), direction, count), span), Ty::Choice(set)))
    }
}

#[cfg(test)]
mod tests {
    use super::Builtin;

    #[test]
    fn every_builtin_is_found_by_its_name_and_names_are_unique() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(*b));
        }
        let names: indexmap::IndexSet<&str> = Builtin::names().collect();
        assert_eq!(names.len(), Builtin::ALL.len());
        assert_eq!(Builtin::from_name("median"), None);
    }
}
