//! Dose ladders at evaluation: the one computation of a dose (the value given, the runtime
//! check against the route's cap and hard limits, and the trace the explanation shows all read
//! it), whether a level is allowed, the highest allowed level, and what an open level or route
//! still needs to be decided.

use super::kleene::{both, eval_outside, kleene_and, Eval, Missing, MissingRef, Outcome, Scope, Verdicts};
use crate::diagnostic::Span;
use crate::exact::Exact;
use crate::input::Document;
use crate::ir::expr::{Expr, Value};
use crate::ir::ladder::{Ladder, Limit};
use crate::ir::ops::{internal, overflow, step, EvalError};
use rust_decimal::Decimal;

/// `dose(L, level)`, `allowed(L, level)` or `highest_allowed(L, level)` (the kind of `expr`)
/// on the document's route. With the level or the route unknown: what is missing to decide
/// it, and to check every dose it can still come to (each level and route still possible).
pub(super) fn call(expr: &Expr, ladder: &Ladder, level: &Expr, scope: &Scope<'_>, ev: &impl Fn(&Expr) -> Eval) -> Eval {
    let level_expr = level;
    let level = match ev(level)? {
        Outcome::Known(Value::Choice(c)) => Ok(c),
        Outcome::Known(_) => return Err(internal("a level that is not a choice")),
        Outcome::Unknown(m) => Err(m),
    };
    let (r, level) = match (route(ladder, scope)?, level) {
        (Ok(r), Ok(level)) => (r, level),
        (route, level) => {
            return Ok(Outcome::Unknown(open_missing(expr, ladder, level_expr, route, level, scope, ev)?))
        }
    };
    at(expr, ladder, r, level, scope)
}

/// [`call`] at a level already known: `None` when the document's route is not known (the
/// caller then makes the call, which names what is missing).
pub(super) fn call_at_level(
    expr: &Expr,
    ladder: &Ladder,
    level: u16,
    scope: &Scope<'_>,
) -> Result<Option<Outcome>, EvalError> {
    match route(ladder, scope)? {
        Ok(r) => at(expr, ladder, r, level, scope).map(Some),
        Err(_) => Ok(None),
    }
}

/// The dose, whether it is allowed, or the highest allowed level, at a known level and route.
fn at(expr: &Expr, ladder: &Ladder, r: u16, level: u16, scope: &Scope<'_>) -> Eval {
    Ok(match expr {
        Expr::Dose(..) => match given_dose(ladder, r, level, scope)? {
            Ok(calc) => Outcome::Known(Value::Num(calc.dose)),
            Err(m) => Outcome::Unknown(m),
        },
        Expr::Allowed(..) => allowed_at(ladder, r, level, scope)?,
        _ => highest_allowed(ladder, r, level, scope)?,
    })
}

/// What an open level or route is missing: its own absent inputs, and for each level and
/// route it can still come to, what checking that dose reads.
fn open_missing(
    expr: &Expr,
    ladder: &Ladder,
    level_expr: &Expr,
    route: Result<u16, Missing>,
    level: Result<u16, Missing>,
    scope: &Scope<'_>,
    ev: &impl Fn(&Expr) -> Eval,
) -> Result<Missing, EvalError> {
    let mut m = Missing::default();
    let routes: Vec<u16> = match &route {
        Ok(r) => vec![*r],
        Err(n) => {
            m.merge(n);
            (0..ladder.by_route.len()).filter_map(|r| u16::try_from(r).ok()).collect()
        }
    };
    let mut levels: Vec<u16> = match &level {
        Ok(l) => vec![*l],
        Err(n) => {
            m.merge(n);
            match possible_choices(level_expr, ev)? {
                Some(levels) => levels,
                None => (0..ladder.levels.len()).filter_map(|l| u16::try_from(l).ok()).collect(),
            }
        }
    };
    // The highest allowed level at or below one of them may be any level down to the first
    // allowed one: each of those is checked.
    if let (Expr::HighestAllowed(..), Some(top)) = (expr, levels.iter().max().copied()) {
        levels = (0..=top).collect();
    }
    for r in routes {
        for l in &levels {
            m.merge(&dose_inputs_missing(ladder, r, *l, scope));
        }
    }
    Ok(m)
}

/// The route of a document for a ladder, as a choice index.
fn route(ladder: &Ladder, scope: &Scope<'_>) -> Result<Result<u16, Missing>, EvalError> {
    match ladder.route_in(&scope.doc.root.fields) {
        Ok(Some(r)) => Ok(Ok(r)),
        Err(field) => Ok(Err(Missing::one(MissingRef::Field(field)))),
        Ok(None) => Err(internal("a ladder's route")),
    }
}

/// How one dose was computed: the one computation that the value, the runtime limit check
/// and the explanation all read, so the explanation can never show another number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseCalc {
    /// The route, as a choice index of the ladder's routes.
    pub route: u16,
    /// The level, as a choice index of the ladder's levels.
    pub level: u16,
    /// The dosing weight (kg) the amount was multiplied by, for a dose per kg.
    pub weight: Option<Decimal>,
    /// Amount, or amount × weight, before rounding (mg).
    pub raw: Decimal,
    /// The dose (mg), rounded down as the route says.
    pub dose: Decimal,
    /// The route's cap for this patient (mg), when it is known.
    pub cap: Option<Decimal>,
}

/// An expression outside any list item (a ladder's dosing weight, a route's cap, the `allow
/// above` condition, a dose's level) on the document: as the quick evaluator knows it when it
/// does (the ladder's own are shared, so computed once per document however many levels read
/// them), otherwise as the full evaluator gives it, naming what is missing.
fn own(e: &Expr, scope: &Scope<'_>) -> Eval {
    match super::quick::eval(e, scope, None) {
        super::quick::Quick::Known(v) => Ok(Outcome::Known(v)),
        _ => eval_outside(e, scope),
    }
}

/// A number, or unknown.
fn number(e: &Expr, scope: &Scope<'_>, what: &str) -> Result<Result<Decimal, Missing>, EvalError> {
    match own(e, scope)? {
        Outcome::Known(Value::Num(n)) => Ok(Ok(n)),
        Outcome::Known(_) => Err(internal(what)),
        Outcome::Unknown(m) => Ok(Err(m)),
    }
}

/// A ladder's dose (mg) at a level on a route: unknown when the route has no such level
/// (nothing to add) or when the dosing weight is absent. The cap is not read.
fn dose_calc(
    ladder: &Ladder,
    route: u16,
    level: u16,
    scope: &Scope<'_>,
) -> Result<Result<DoseCalc, Missing>, EvalError> {
    let steps = ladder.by_route.get(usize::from(route)).ok_or_else(|| internal("a route outside its ladder"))?;
    let Some(step) = steps.steps.get(usize::from(level)).ok_or_else(|| internal("a level outside its ladder"))? else {
        return Ok(Err(Missing::default()));
    };
    let weight = if step.per_kg {
        let w = ladder.weight.as_ref().ok_or_else(|| internal("a dose per kg without a weight"))?;
        match number(w, scope, "a weight that is not a number")? {
            Ok(w) => Some(w),
            Err(m) => return Ok(Err(m)),
        }
    } else {
        None
    };
    let raw = match weight {
        Some(w) => step.amount.mul_exact(w).ok_or_else(|| overflow("a dose"))?,
        None => step.amount,
    };
    let dose = match steps.round {
        Some(q) => crate::exact::round_down(raw, q).ok_or_else(|| overflow("a rounding"))?,
        None => raw,
    };
    Ok(Ok(DoseCalc { route, level, weight, raw, dose: dose.normalize(), cap: None }))
}

fn dose_at(ladder: &Ladder, route: u16, level: u16, scope: &Scope<'_>) -> Eval {
    Ok(match dose_calc(ladder, route, level, scope)? {
        Ok(calc) => Outcome::Known(Value::Num(calc.dose)),
        Err(m) => Outcome::Unknown(m),
    })
}

/// The dose given at a level: computed once, then checked at run time against the route's
/// cap for this patient and its hard limits. The static proof says a dose given never
/// exceeds them; this check is what still holds if the proof has a bug: such a dose is an
/// error, never an output. A limit that cannot be checked (an absent dosing weight for a
/// limit per kg) leaves the dose unknown.
fn given_dose(
    ladder: &Ladder,
    route: u16,
    level: u16,
    scope: &Scope<'_>,
) -> Result<Result<DoseCalc, Missing>, EvalError> {
    let mut calc = match dose_calc(ladder, route, level, scope)? {
        Ok(calc) => calc,
        Err(m) => return Ok(Err(m)),
    };
    let steps = ladder.by_route.get(usize::from(route)).ok_or_else(|| internal("a route outside its ladder"))?;
    let route_name = ladder.routes.get(usize::from(route)).map_or("", String::as_str);
    let level_name = ladder.levels.get(usize::from(level)).map_or("", String::as_str);
    let refuse = |what: String, span: Span| EvalError {
        message: format!(
            "the dose of ladder `{}` at {level_name} on `{route_name}` would be {} mg, above {what}; no dose is given",
            ladder.name, calc.dose
        ),
        span,
    };
    let mut missing = Missing::default();
    let cap = match &steps.cap {
        Some(c) => number(c, scope, "a cap that is not a number")?,
        None => return Err(internal("a route without a cap")),
    };
    match cap {
        Ok(c) if calc.dose > c => {
            return Err(refuse(format!("the route's cap of {} mg for this patient", c.normalize()), Span::default()))
        }
        Ok(c) => calc.cap = Some(c.normalize()),
        Err(m) => missing.merge(&m),
    }
    for (limit, span) in &steps.limits {
        match *limit {
            Limit::Mg(max) if calc.dose > max => {
                return Err(refuse(format!("the route's hard limit of {} mg", max.normalize()), *span))
            }
            Limit::Mg(_) => {}
            Limit::MgPerKg(max) => {
                let weight = match (calc.weight, &ladder.weight) {
                    (Some(w), _) => Ok(w),
                    (None, Some(w)) => number(w, scope, "a weight that is not a number")?,
                    (None, None) => return Err(internal("a limit per kg without a weight")),
                };
                match weight {
                    Ok(w) => {
                        let most = max.mul_exact(w).ok_or_else(|| overflow("a limit"))?;
                        if calc.dose > most {
                            return Err(refuse(
                                format!(
                                    "the route's hard limit of {} mg/kg ({} mg at {} kg)",
                                    max.normalize(),
                                    most.normalize(),
                                    w.normalize()
                                ),
                                *span,
                            ));
                        }
                    }
                    Err(m) => missing.merge(&m),
                }
            }
        }
    }
    if missing.0.is_empty() {
        Ok(Ok(calc))
    } else {
        Ok(Err(missing))
    }
}

/// The dose given at the level `level` evaluates to, on the document's route, as computed
/// for the output: `None` when the level, the route or the dose is unknown. `shared` holds
/// what the quick evaluator computed on this document (empty when nothing was): the level
/// it knows is read from there, not computed again.
pub fn dose_given(
    ladder: &Ladder,
    level: &Expr,
    doc: &Document,
    verdicts: &Verdicts,
    ladders: &[Ladder],
    shared: &super::quick::Memo,
) -> Result<Option<DoseCalc>, EvalError> {
    let scope = Scope { doc, verdicts, ladders, shared };
    // A level the quick evaluator knows is the level the full one gives.
    let Outcome::Known(Value::Choice(level)) = own(level, &scope)? else { return Ok(None) };
    let Ok(route) = route(ladder, &scope)? else { return Ok(None) };
    Ok(given_dose(ladder, route, level, &scope)?.ok())
}

/// Whether a level exists on a route, its dose is within the route's cap, and the ladder's
/// `allow above` condition holds when it applies to the level.
fn allowed_at(ladder: &Ladder, route: u16, level: u16, scope: &Scope<'_>) -> Eval {
    let steps = ladder.by_route.get(usize::from(route)).ok_or_else(|| internal("a route outside its ladder"))?;
    if steps.steps.get(usize::from(level)).is_none_or(Option::is_none) {
        return Ok(Outcome::Known(Value::Bool(false)));
    }
    let dose = dose_at(ladder, route, level, scope)?;
    let cap = match &steps.cap {
        Some(c) => own(c, scope)?,
        None => return Err(internal("a route without a cap")),
    };
    let within_cap = match both(dose, cap) {
        Ok((Value::Num(d), Value::Num(c))) => Outcome::Known(Value::Bool(d <= c)),
        Ok(_) => return Err(internal("a dose or cap that is not a number")),
        Err(m) => Outcome::Unknown(m),
    };
    // `allow above L when C`: a level above L needs C too; the levels up to L never read it.
    Ok(match &ladder.allow_above {
        Some((top, condition)) if level > *top => kleene_and(within_cap, own(condition, scope)?),
        _ => within_cap,
    })
}

/// The highest allowed level at or below `level`, in order from the top. An undecided
/// level above the first allowed one leaves it unknown, naming what every level down to the
/// first allowed one is missing (any of them may be the answer).
fn highest_allowed(ladder: &Ladder, route: u16, level: u16, scope: &Scope<'_>) -> Eval {
    let mut missing: Option<Missing> = None;
    for candidate in (0..=level).rev() {
        match allowed_at(ladder, route, candidate, scope)? {
            Outcome::Known(Value::Bool(true)) => {
                return Ok(match missing {
                    Some(m) => Outcome::Unknown(m),
                    None => Outcome::Known(Value::Choice(candidate)),
                })
            }
            Outcome::Known(_) => {}
            Outcome::Unknown(m) => missing.get_or_insert_with(Missing::default).merge(&m),
        }
    }
    Ok(Outcome::Unknown(missing.unwrap_or_default()))
}

/// The absent inputs that computing and checking the dose at a level on a route reads: its
/// dosing weight, its cap, and an `allow above` condition that applies to the level.
/// Nothing when the route has no such level.
fn dose_inputs_missing(ladder: &Ladder, route: u16, level: u16, scope: &Scope<'_>) -> Missing {
    let mut m = Missing::default();
    let Some(steps) = ladder.by_route.get(usize::from(route)) else { return m };
    if steps.steps.get(usize::from(level)).is_none_or(Option::is_none) {
        return m;
    }
    let weight_read = steps.limits.iter().any(|(l, _)| matches!(l, Limit::MgPerKg(_)))
        || steps.steps.get(usize::from(level)).is_some_and(|s| s.as_ref().is_some_and(|s| s.per_kg));
    let gate = ladder.allow_above.as_ref().filter(|(top, _)| level > *top).map(|(_, c)| c);
    let exprs = [weight_read.then_some(ladder.weight.as_ref()).flatten(), steps.cap.as_ref(), gate];
    for e in exprs.into_iter().flatten() {
        if let Ok(Outcome::Unknown(n)) = eval_outside(e, scope) {
            m.merge(&n);
        }
    }
    m
}

/// The choices (levels) an expression can still come to on this document: the one it has
/// when it is known; for ordered rules, the values of every branch still possible (up to the
/// first true condition, and `otherwise` when none is true); `None` when it cannot say, and
/// then any choice is possible. What an open level reads is counted for these levels only.
fn possible_choices(expr: &Expr, ev: &impl Fn(&Expr) -> Eval) -> Result<Option<Vec<u16>>, EvalError> {
    if let Outcome::Known(Value::Choice(c)) = ev(expr)? {
        return Ok(Some(vec![c]));
    }
    Ok(match expr {
        Expr::Choose(arms, otherwise) => {
            let mut out = Vec::new();
            let mut decided = false;
            for (condition, value) in arms {
                let taken = match ev(condition)? {
                    Outcome::Known(Value::Bool(false)) => continue,
                    Outcome::Known(Value::Bool(true)) => true,
                    _ => false,
                };
                let Some(values) = possible_choices(value, ev)? else { return Ok(None) };
                out.extend(values);
                if taken {
                    decided = true;
                    break;
                }
            }
            if !decided {
                let Some(values) = possible_choices(otherwise, ev)? else { return Ok(None) };
                out.extend(values);
            }
            out.sort_unstable();
            out.dedup();
            Some(out)
        }
        Expr::Step(x, direction, count) => possible_choices(x, ev)?.map(|values| {
            let mut out: Vec<u16> = values.into_iter().map(|c| step(c, *direction, *count)).collect();
            out.sort_unstable();
            out.dedup();
            out
        }),
        Expr::Shared(_, x) => possible_choices(x, ev)?,
        // The highest allowed level at or below any of them: one of the levels up to the top.
        Expr::HighestAllowed(_, x) => {
            possible_choices(x, ev)?.and_then(|v| v.into_iter().max()).map(|top| (0..=top).collect())
        }
        _ => None,
    })
}
