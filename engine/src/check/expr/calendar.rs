//! Calendar time: `day` (the local calendar day of a timestamp, in the protocol's time zone),
//! `week` (the week of a course) and `floor`. Days are counted where the clinic is, by the
//! header's `timezone`, so that a session at 23:30 and one at 00:30 the next morning fall on
//! two days, and a day that daylight time makes 23 or 25 hours long is one day.

use super::builtins::Builtin;
use super::*;
use crate::calendar::ZoneRule;

impl<'a, 'd> Checker<'a, 'd> {
    /// `floor(x)`: the whole number at or below a plain number.
    pub(super) fn floor(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [arg] = args else {
            self.push(Builtin::Floor.wrong_arguments(span));
            return None;
        };
        let (x, ty) = self.expr(arg)?;
        match ty {
            Ty::Num(unit) if unit.is_none() => Some((self.fold(Expr::Floor(Box::new(x)), span), Ty::Num(unit))),
            other => {
                let hint = match other {
                    Ty::Num(_) => "divide a quantity by its unit first, as in `floor((day(at) - day(s.at)) / 7 days)`",
                    Ty::Time => "count days with `day`, as in `floor((day(at) - day(s.at)) / 7 days)`",
                    _ => "`floor` takes a number: an integer or decimal input, or arithmetic on numbers",
                };
                self.type_error(
                    arg.span,
                    &other,
                    &|t| format!("`floor` needs a plain number; this is {t}"),
                    hint.into(),
                )
            }
        }
    }

    /// `day(t)`: the local calendar day of a timestamp, in days since 1970-01-01.
    pub(super) fn day(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [arg] = args else {
            self.push(Builtin::Day.wrong_arguments(span));
            return None;
        };
        let zone = self.zone(span)?;
        let x = self.timestamp(Builtin::Day, arg)?;
        Some((self.fold(Expr::LocalDay(Box::new(x), Box::new(zone)), span), Ty::Num(Unit::parse("days").ok()?)))
    }

    /// `week(t, start)`: `floor((day(t) - day(start)) / 7 days) + 1`, week 1 being the seven
    /// days from the day of `start`.
    pub(super) fn week(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [t, start] = args else {
            self.push(Builtin::Week.wrong_arguments(span));
            return None;
        };
        let zone = self.zone(span)?;
        let (t, start) = (self.timestamp(Builtin::Week, t), self.timestamp(Builtin::Week, start));
        let day = |x: Expr| Box::new(Expr::LocalDay(Box::new(x), Box::new(zone.clone())));
        let number = |n: i64| Box::new(Expr::Const(Value::Num(rust_decimal::Decimal::from(n))));
        let days = Expr::Arith(ast::ArithOp::Sub, day(t?), day(start?), span);
        let weeks = Expr::Floor(Box::new(Expr::Arith(ast::ArithOp::Div, Box::new(days), number(7), span)));
        let week = Expr::Arith(ast::ArithOp::Add, Box::new(weeks), number(1), span);
        Some((self.fold(week, span), Ty::Num(Unit::none())))
    }

    /// `day_start(d)`: the instant the local day `d` (in days since 1970-01-01, as `day`
    /// gives it; a fraction of a day counts as the day it falls in) starts.
    pub(super) fn day_start(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [arg] = args else {
            self.push(Builtin::DayStart.wrong_arguments(span));
            return None;
        };
        let zone = self.zone(span)?;
        let (x, ty) = self.expr(arg)?;
        let days = Unit::parse("days").ok()?;
        let x = self.convert_to((x, ty), &days, arg.span, arg.span)?;
        Some((self.fold(Expr::DayStart(Box::new(x), Box::new(zone)), span), Ty::Time))
    }

    /// The header's time zone rule, or an error at `span` saying how to declare one.
    fn zone(&mut self, span: Span) -> Option<ZoneRule> {
        match self.names.zone {
            Zone::Declared(zone) => Some(zone.rule.clone()),
            Zone::Broken => None,
            Zone::Undeclared => self.error(
                Code::Header,
                span,
                "days and weeks are counted in the clinic's time zone, and the header declares none".into(),
                "add it to the protocol header, as in `timezone \"America/New_York\" \"EST5EDT,M3.2.0,M11.1.0\"`, or `timezone \"UTC\"`".into(),
            ),
        }
    }

    /// An argument that must be a timestamp.
    fn timestamp(&mut self, builtin: Builtin, arg: &ast::Expr) -> Option<Expr> {
        let (x, ty) = self.expr(arg)?;
        if ty == Ty::Time {
            return Some(x);
        }
        self.type_error(
            arg.span,
            &ty,
            &|t| format!("`{}` needs a timestamp; this is {t}", builtin.name()),
            "such as `at` or `course.sessions[-1].at`".into(),
        )
    }
}
