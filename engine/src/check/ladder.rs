//! Dose ladders: the levels of each route with a fixed amount or a rate per kg, rounding,
//! caps, hard limits and infusion times, checked for names, units and completeness.

use super::expr::{Checker, Ty};
use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::exact::Exact;
use crate::ir::ladder::{Ladder, Limit, RouteSteps, Step};
use crate::ir::schema::{FieldType, Schema};
use crate::ir::Source;
use crate::ir::{position, FieldId, SourceId};
use crate::syntax::ast::{LadderDecl, LadderEntry, Name, Node};
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
fn citations(cites: &[Name], sources: &[Source], diagnostics: &mut Vec<Diagnostic>) -> Vec<SourceId> {
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
    decl.entries
        .iter()
        .find_map(|e| match e {
            LadderEntry::Levels(path) => schema.fields.iter().find(|f| f.path == path.node),
            _ => None,
        })
        .and_then(|f| match &f.ty {
            FieldType::Choice(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default()
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
    let choice_field =
        |path: &Name, root_only: bool, diagnostics: &mut Vec<Diagnostic>| -> Option<(FieldId, Vec<String>)> {
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
        };
    let mut levels: Option<Vec<String>> = None;
    let mut route: Option<(FieldId, Vec<String>)> = None;
    let mut weight = None;
    for entry in &decl.entries {
        match entry {
            LadderEntry::Levels(path) => levels = choice_field(path, false, diagnostics).map(|(_, c)| c),
            LadderEntry::Route(path) => route = choice_field(path, true, diagnostics),
            LadderEntry::Weight(e) => {
                let (x, ty) = checker.expr(e)?;
                let kg = unit("kg");
                weight = match &ty {
                    Ty::Num(u) if u.same_dimension(&kg) => Some((checker.convert(x, u, &kg, e.span)?, e.span)),
                    other => {
                        let t = checker.describe_type(other);
                        diagnostics.push(
                            Diagnostic::error(
                                Code::UnitMismatch,
                                e.span,
                                format!("the dosing weight must be a mass; this is {t}"),
                            )
                            .with_hint("such as `min(patient.weight, 100 kg)`"),
                        );
                        None
                    }
                };
            }
            _ => {}
        }
    }
    let (Some(levels), Some((route_field, routes))) = (levels, route) else {
        diagnostics.push(
            Diagnostic::error(
                Code::Ladder,
                decl.name.span,
                format!("ladder `{}` needs its `levels` and its `route`", decl.name.node),
            )
            .with_hint("add `levels course.sessions[].level` and `route course.route` (the inputs that hold them)"),
        );
        return None;
    };
    let mut by_route: Vec<RouteSteps> =
        routes.iter().map(|_| RouteSteps { steps: vec![None; levels.len()], ..RouteSteps::default() }).collect();
    let mut needs_weight: Option<Span> = None;
    let mut allow_above = None;
    for entry in &decl.entries {
        match entry {
            LadderEntry::Dose { route: r, level, amount, cites } => {
                let (Some(r), Some(l)) =
                    (choice(&routes, r, "route", diagnostics), choice(&levels, level, "level", diagnostics))
                else {
                    continue;
                };
                let Some((value, per)) = quantity(amount, &["mg", "mg/kg"], diagnostics) else { continue };
                let cited = citations(cites, sources, diagnostics);
                if per == 1 {
                    needs_weight.get_or_insert(amount.span);
                }
                let Some(slot) = by_route.get_mut(r).and_then(|s| s.steps.get_mut(l)) else { continue };
                if slot.is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            level.span,
                            format!(
                                "level `{}` of route `{}` is given twice",
                                level.node,
                                routes.get(r).map_or("", String::as_str)
                            ),
                        )
                        .with_hint("keep one dose per level and route"),
                    );
                }
                *slot = Some(Step { amount: value, per_kg: per == 1, sources: cited, span: amount.span });
            }
            LadderEntry::Round(r, step) => {
                let Some(r) = choice(&routes, r, "route", diagnostics) else { continue };
                let Some((mg, _)) = quantity(step, &["mg"], diagnostics) else { continue };
                if mg <= Decimal::ZERO {
                    diagnostics.push(
                        Diagnostic::error(Code::Range, step.span, "doses are rounded down to a positive multiple")
                            .with_hint("such as `round intramuscular down to 5 mg`"),
                    );
                }
                if let Some(s) = by_route.get_mut(r) {
                    s.round = Some(mg);
                }
            }
            LadderEntry::Cap(r, e) => {
                let Some(r) = choice(&routes, r, "route", diagnostics) else { continue };
                // A cap may read the dosing weight; a ladder of fixed doses has none, and its
                // cap is a plain dose (`cap intranasal 84 mg`).
                let checked = match &weight {
                    Some((w, _)) => {
                        checker.bind("weight", (w.clone(), Ty::Num(unit("kg"))));
                        let checked = checker.expr(e);
                        checker.unbind();
                        checked
                    }
                    None => checker.expr(e),
                };
                let Some((x, ty)) = checked else { continue };
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
                if let (Some(s), Some(cap)) = (by_route.get_mut(r), cap) {
                    s.cap = Some(cap);
                }
            }
            LadderEntry::Limit(r, qs) => {
                let Some(r) = choice(&routes, r, "route", diagnostics) else { continue };
                for q in qs {
                    if let Some((v, per)) = quantity(q, &["mg", "mg/kg"], diagnostics) {
                        if per == 1 {
                            needs_weight.get_or_insert(q.span);
                        }
                        if let Some(s) = by_route.get_mut(r) {
                            s.limits.push((if per == 1 { Limit::MgPerKg(v) } else { Limit::Mg(v) }, q.span));
                        }
                    }
                }
            }
            LadderEntry::Infusion(r, q) => {
                let Some(r) = choice(&routes, r, "route", diagnostics) else { continue };
                if let (Some((minutes, _)), Some(s)) = (quantity(q, &["min"], diagnostics), by_route.get_mut(r)) {
                    s.infusion_minutes = Some(minutes);
                }
            }
            LadderEntry::AllowAbove { level, when, cites } => {
                citations(cites, sources, diagnostics);
                let Some(l) = choice(&levels, level, "level", diagnostics) else { continue };
                if allow_above.is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            level.span,
                            format!("ladder `{}` has two `allow above` entries", decl.name.node),
                        )
                        .with_hint("join the conditions with `and` in one entry"),
                    );
                    continue;
                }
                let Some(condition) = checker.condition(when, "an `allow above` condition") else { continue };
                allow_above = Some((u16::try_from(l).ok()?, condition));
            }
            LadderEntry::Levels(_) | LadderEntry::Route(_) | LadderEntry::Weight(_) => {}
        }
    }
    if let (Some(span), None) = (needs_weight, &weight) {
        diagnostics.push(
            Diagnostic::error(
                Code::Ladder,
                span,
                format!("ladder `{}` has doses or limits per kg but no dosing weight", decl.name.node),
            )
            .with_hint("add `weight EXPRESSION`, such as `weight min(patient.weight, 100 kg)`"),
        );
    }
    for (r, steps) in by_route.iter().enumerate() {
        if steps.steps.iter().any(Option::is_some) && steps.cap.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    Code::Ladder,
                    decl.name.span,
                    format!(
                        "route `{}` of ladder `{}` has no cap",
                        routes.get(r).map_or("", String::as_str),
                        decl.name.node
                    ),
                )
                .with_hint("every route with doses needs `cap ROUTE EXPRESSION`: no dose above it is allowed"),
            );
        }
    }
    if diagnostics.len() > errors_before {
        return None;
    }
    let route_slot = schema.field(route_field).map(|f| f.slot)?;
    Some(Ladder {
        name: decl.name.node.clone(),
        levels,
        routes,
        route_field,
        route_slot,
        weight: weight.map(|(w, _)| w),
        by_route,
        allow_above,
    })
}
