//! Dose ladders: the levels of each route with a fixed amount or a rate per kg, rounding,
//! caps, hard limits and infusion times, checked for names, units and completeness.

use super::expr::{Checker, Ty};
use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::exact::Exact;
use crate::ir::expr::Expr;
use crate::ir::ladder::{Ladder, Limit, RouteSteps, Step};
use crate::ir::schema::{FieldType, Schema};
use crate::ir::Source;
use crate::ir::{position, FieldId, SourceId};
use crate::syntax::ast::{self, LadderDecl, LadderEntry, Name, Node};
use crate::units::Unit;
use rust_decimal::Decimal;

fn unit(text: &str) -> Unit {
    Unit::parse(text).unwrap_or_default()
}

/// Finds a choice among `choices`, reporting a typo with the closest one.
fn choice(choices: &[String], name: &Name, what: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
    let found = choices.iter().position(|c| *c == name.node);
    if found.is_none() {
        let hint = match did_you_mean(&name.node, choices.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the {what}s are {}", choices.join(", ")),
        };
        diagnostics.push(
            Diagnostic::error(Code::UnknownChoice, name.span, format!("`{}` is not a {what}", name.node))
                .with_hint(hint),
        );
    }
    found
}

/// A quantity converted to `to`, exactly, or an error naming the units expected.
fn quantity(
    q: &Node<(Decimal, Option<Name>)>,
    to: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Decimal, usize)> {
    let (value, unit_name) = &q.node;
    let given = match unit_name {
        Some(u) => super::inputs::unit(u, diagnostics)?,
        None => Unit::none(),
    };
    for (i, target) in to.iter().enumerate() {
        if let Some(f) = given.conversion_to(&unit(target)) {
            return value.mul_exact(f).map(|v| (v.normalize(), i));
        }
    }
    diagnostics.push(
        Diagnostic::error(
            Code::UnitMismatch,
            q.span,
            format!("expected an amount in {}, found {given}", to.join(" or ")),
        )
        .with_hint(format!("write it in {}", to.join(" or "))),
    );
    None
}

/// The sources cited; an unknown key is reported with the closest one.
pub(super) fn citations(cites: &[Name], sources: &[Source], diagnostics: &mut Vec<Diagnostic>) -> Vec<SourceId> {
    let mut cited = Vec::new();
    for key in cites {
        match position(sources, |s| s.key == key.node) {
            Some(i) => cited.push(i),
            None => diagnostics.push(
                Diagnostic::error(Code::UnknownSource, key.span, format!("source `{}` is not declared", key.node))
                    .with_hint(match did_you_mean(&key.node, sources.iter().map(|s| s.key.as_str())) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!("declare it: `source {} \"Title\"`", key.node),
                    }),
            ),
        }
    }
    cited
}

/// The levels a ladder declares, when its `levels` entry names a choice input.
pub fn declared_levels(decl: &LadderDecl, schema: &Schema) -> Vec<String> {
    for e in &decl.entries {
        if let LadderEntry::Levels(path) = e {
            for f in &schema.fields {
                if f.path == path.node {
                    return match &f.ty {
                        FieldType::Choice(c) => c.clone(),
                        _ => Vec::new(),
                    };
                }
            }
            return Vec::new();
        }
    }
    Vec::new()
}

/// Finds the choice input `path` names (`root_only`: not inside a list), reporting an unknown
/// name or an input that is not a choice.
fn choice_field(
    schema: &Schema,
    path: &Name,
    root_only: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FieldId, Vec<String>)> {
    let index = position(&schema.fields, |f| f.path == path.node && (!root_only || f.list.is_none()));
    match index.and_then(|i| schema.field(i).map(|f| (i, f))) {
        Some((i, f)) => match &f.ty {
            FieldType::Choice(c) => Some((i, c.clone())),
            _ => {
                diagnostics.push(
                    Diagnostic::error(Code::Type, path.span, format!("`{}` is not a choice", path.node))
                        .with_hint("name an input declared `one of ...`"),
                );
                None
            }
        },
        None => {
            let hint = match did_you_mean(&path.node, schema.fields.iter().map(|f| f.path.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "name an input declared `one of ...`".into(),
            };
            diagnostics.push(
                Diagnostic::error(Code::UnknownName, path.span, format!("no input named `{}`", path.node))
                    .with_hint(hint),
            );
            None
        }
    }
}

/// The levels of the choice input `path` names, which must be declared in order: a ladder's
/// doses rise with its levels.
fn levels_field(schema: &Schema, path: &Name, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
    let (field, levels) = choice_field(schema, path, false, diagnostics)?;
    if levels.len() > 1 && schema.field(field).is_some_and(|f| !f.choices_ordered) {
        diagnostics.push(
            Diagnostic::error(
                Code::Ladder,
                path.span,
                format!("the levels of a ladder rise in order, but `{}` is not declared in order", path.node),
            )
            .with_hint(format!("declare `{}` as `one of {}`", path.node, levels.join(" < "))),
        );
    }
    Some(levels)
}

/// The dosing weight in kg, with its span; `Some(None)` when it is not a mass (reported),
/// `None` when the expression has an error.
fn weight(
    e: &ast::Expr,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Option<(Expr, Span)>> {
    let (x, ty) = checker.expr(e)?;
    let kg = unit("kg");
    Some(match &ty {
        Ty::Num(u) if u.same_dimension(&kg) => Some((checker.convert(x, u, &kg, e.span)?, e.span)),
        other => {
            let t = checker.describe_type(other);
            diagnostics.push(
                Diagnostic::error(Code::UnitMismatch, e.span, format!("the dosing weight must be a mass; this is {t}"))
                    .with_hint("such as `min(patient.weight, 100 kg)`"),
            );
            None
        }
    })
}

/// The levels and routes of a ladder, with the steps read so far.
struct Building<'l> {
    decl: &'l LadderDecl,
    sources: &'l [Source],
    levels: Vec<String>,
    routes: Vec<String>,
    weight: Option<(Expr, Span)>,
    by_route: Vec<RouteSteps>,
    /// The first dose or limit per kg, which needs a dosing weight.
    needs_weight: Option<Span>,
    allow_above: Option<(u16, Expr)>,
    /// Set when the ladder cannot be built at all.
    aborted: bool,
}

/// Checks a ladder; `None` when it has an error (reported).
pub fn ladder(
    decl: &LadderDecl,
    schema: &Schema,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Ladder> {
    let errors_before = diagnostics.len();
    let mut levels: Option<Vec<String>> = None;
    let mut route: Option<(FieldId, Vec<String>)> = None;
    let mut weight_found = None;
    for entry in &decl.entries {
        match entry {
            LadderEntry::Levels(path) => levels = levels_field(schema, path, diagnostics),
            LadderEntry::Route(path) => route = choice_field(schema, path, true, diagnostics),
            LadderEntry::Weight(e) => weight_found = weight(e, checker, diagnostics)?,
            _ => {}
        }
    }
    let Some(levels) = levels else {
        diagnostics.push(
            Diagnostic::error(Code::Ladder, decl.name.span, format!("ladder `{}` needs its `levels`", decl.name.node))
                .with_hint("add `levels course.sessions[].level` (the input that holds them)"),
        );
        return None;
    };
    let has_route = decl.entries.iter().any(|e| matches!(e, LadderEntry::Route(_)));
    // Without a `route` entry, the ladder has one route, named after it.
    let (route_field, routes) = match route {
        Some((field, routes)) => (Some(field), routes),
        None if has_route => return None,
        None => (None, vec![decl.name.node.clone()]),
    };
    let by_route =
        routes.iter().map(|_| RouteSteps { steps: vec![None; levels.len()], ..RouteSteps::default() }).collect();
    let mut building = Building {
        decl,
        sources,
        levels,
        routes,
        weight: weight_found,
        by_route,
        needs_weight: None,
        allow_above: None,
        aborted: false,
    };
    for entry in &decl.entries {
        building.entry(entry, checker, diagnostics);
        if building.aborted {
            return None;
        }
    }
    building.complete(diagnostics);
    if diagnostics.len() > errors_before {
        return None;
    }
    let route_input = match route_field {
        Some(field) => Some((field, schema.field(field).map(|f| f.slot)?)),
        None => None,
    };
    Some(Ladder {
        name: decl.name.node.clone(),
        levels: building.levels,
        routes: building.routes,
        route_input,
        weight: building.weight.map(|(w, _)| w),
        by_route: building.by_route,
        allow_above: building.allow_above,
    })
}

impl Building<'_> {
    /// Reads one entry into the steps; an entry with an error (reported) is skipped.
    fn entry(&mut self, entry: &LadderEntry, checker: &mut Checker<'_, '_>, diagnostics: &mut Vec<Diagnostic>) {
        match entry {
            LadderEntry::Dose { route, level, amount, cites } => {
                let r = self.route(route.as_ref(), level.span, diagnostics);
                self.dose(r, level, amount, cites, diagnostics)
            }
            LadderEntry::Round(r, step) => {
                let r = self.route(r.as_ref(), step.span, diagnostics);
                self.round(r, step, diagnostics)
            }
            LadderEntry::Cap(r, e) => {
                let r = self.route(r.as_ref(), e.span, diagnostics);
                self.cap(r, e, checker, diagnostics)
            }
            LadderEntry::Limit(r, qs) => {
                let span = qs.first().map_or(self.decl.name.span, |q| q.span);
                let r = self.route(r.as_ref(), span, diagnostics);
                self.limit(r, qs, diagnostics)
            }
            LadderEntry::Infusion(r, q) => {
                let r = self.route(r.as_ref(), q.span, diagnostics);
                self.infusion(r, q, diagnostics)
            }
            LadderEntry::AllowAbove { level, when, cites } => {
                self.allow_above(level, when, cites, checker, diagnostics)
            }
            LadderEntry::Levels(_) | LadderEntry::Route(_) | LadderEntry::Weight(_) => None,
        };
    }

    /// The route `r` names, reporting an unknown one; without a name, the ladder's only
    /// route (an entry at `span` on a ladder of several routes is reported).
    fn route(&self, r: Option<&Name>, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
        match (r, self.routes.as_slice()) {
            (Some(r), _) => choice(&self.routes, r, "route", diagnostics),
            (None, [_]) => Some(0),
            (None, routes) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Ladder,
                        span,
                        format!("ladder `{}` has several routes: name the one this entry is for", self.decl.name.node),
                    )
                    .with_hint(format!("write the route after the entry's first word, one of {}", routes.join(", "))),
                );
                None
            }
        }
    }

    /// The name of route `r`.
    fn route_name(&self, r: usize) -> &str {
        self.routes.get(r).map_or("", String::as_str)
    }

    /// `dose ROUTE LEVEL AMOUNT`.
    fn dose(
        &mut self,
        r: Option<usize>,
        level: &Name,
        amount: &Node<(Decimal, Option<Name>)>,
        cites: &[Name],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let (Some(r), Some(l)) = (r, choice(&self.levels, level, "level", diagnostics)) else {
            return None;
        };
        let (value, per) = quantity(amount, &["mg", "mg/kg"], diagnostics)?;
        let cited = citations(cites, self.sources, diagnostics);
        if per == 1 {
            self.needs_weight.get_or_insert(amount.span);
        }
        let route_name = self.route_name(r).to_owned();
        let slot = self.by_route.get_mut(r).and_then(|s| s.steps.get_mut(l))?;
        if slot.is_some() {
            diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    level.span,
                    format!("level `{}` of route `{route_name}` is given twice", level.node),
                )
                .with_hint("keep one dose per level and route"),
            );
        }
        *slot = Some(Step { amount: value, per_kg: per == 1, sources: cited, span: amount.span });
        Some(())
    }

    /// `round ROUTE down to STEP`.
    fn round(
        &mut self,
        r: Option<usize>,
        step: &Node<(Decimal, Option<Name>)>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let r = r?;
        let (mg, _) = quantity(step, &["mg"], diagnostics)?;
        if mg <= Decimal::ZERO {
            diagnostics.push(
                Diagnostic::error(Code::Range, step.span, "doses are rounded down to a positive multiple")
                    .with_hint("such as `round intramuscular down to 5 mg`"),
            );
        }
        self.by_route.get_mut(r)?.round = Some(mg);
        Some(())
    }

    /// `cap ROUTE EXPR`.
    fn cap(
        &mut self,
        r: Option<usize>,
        e: &ast::Expr,
        checker: &mut Checker<'_, '_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let r = r?;
        // A cap may read the dosing weight; a ladder of fixed doses has none, and its
        // cap is a plain dose (`cap intranasal 84 mg`).
        let checked = match &self.weight {
            Some((w, _)) => {
                checker.bind("weight", (w.clone(), Ty::Num(unit("kg"))));
                let checked = checker.expr(e);
                checker.unbind();
                checked
            }
            None => checker.expr(e),
        };
        let (x, ty) = checked?;
        let mg = unit("mg");
        let cap = match &ty {
            Ty::Num(u) if u.same_dimension(&mg) => checker.convert(x, u, &mg, e.span),
            other => {
                let t = checker.describe_type(other);
                diagnostics.push(
                    Diagnostic::error(Code::UnitMismatch, e.span, format!("a cap is a dose; this is {t}"))
                        .with_hint("such as `min(400 mg, 5 mg/kg * weight)`"),
                );
                None
            }
        };
        if let (Some(s), Some(cap)) = (self.by_route.get_mut(r), cap) {
            s.cap = Some(cap);
        }
        Some(())
    }

    /// `limit ROUTE Q, Q`.
    fn limit(
        &mut self,
        r: Option<usize>,
        qs: &[Node<(Decimal, Option<Name>)>],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let r = r?;
        for q in qs {
            if let Some((v, per)) = quantity(q, &["mg", "mg/kg"], diagnostics) {
                if per == 1 {
                    self.needs_weight.get_or_insert(q.span);
                }
                if let Some(s) = self.by_route.get_mut(r) {
                    s.limits.push((if per == 1 { Limit::MgPerKg(v) } else { Limit::Mg(v) }, q.span));
                }
            }
        }
        Some(())
    }

    /// `infusion ROUTE DURATION`.
    fn infusion(
        &mut self,
        r: Option<usize>,
        q: &Node<(Decimal, Option<Name>)>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let r = r?;
        if let (Some((minutes, _)), Some(s)) = (quantity(q, &["min"], diagnostics), self.by_route.get_mut(r)) {
            s.infusion_minutes = Some(minutes);
        }
        Some(())
    }

    /// `allow above LEVEL when CONDITION`.
    fn allow_above(
        &mut self,
        level: &Name,
        when: &ast::Expr,
        cites: &[Name],
        checker: &mut Checker<'_, '_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        citations(cites, self.sources, diagnostics);
        let l = choice(&self.levels, level, "level", diagnostics)?;
        if self.allow_above.is_some() {
            diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    level.span,
                    format!("ladder `{}` has two `allow above` entries", self.decl.name.node),
                )
                .with_hint("join the conditions with `and` in one entry"),
            );
            return None;
        }
        let condition = checker.condition(when, "an `allow above` condition")?;
        match u16::try_from(l) {
            Ok(l) => self.allow_above = Some((l, condition)),
            Err(_) => self.aborted = true,
        }
        Some(())
    }

    /// Reports a missing dosing weight and routes with doses but no cap.
    fn complete(&self, diagnostics: &mut Vec<Diagnostic>) {
        if let (Some(span), None) = (self.needs_weight, &self.weight) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Ladder,
                    span,
                    format!("ladder `{}` has doses or limits per kg but no dosing weight", self.decl.name.node),
                )
                .with_hint("add `weight EXPRESSION`, such as `weight min(patient.weight, 100 kg)`"),
            );
        }
        for (r, steps) in self.by_route.iter().enumerate() {
            if steps.steps.iter().any(Option::is_some) && steps.cap.is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Ladder,
                        self.decl.name.span,
                        format!("route `{}` of ladder `{}` has no cap", self.route_name(r), self.decl.name.node),
                    )
                    .with_hint("every route with doses needs `cap ROUTE EXPRESSION`: no dose above it is allowed"),
                );
            }
        }
    }
}
