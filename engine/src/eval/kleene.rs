//! The evaluator: three-valued (Kleene) logic over exact decimals, tracking which absent
//! inputs left a result unknown.

use super::program::{Expr, ItemRef, Ladder, Limit, Quantifier, Value};
use crate::diagnostic::Span;
use crate::input::{Document, Record};
use crate::syntax::ast::{ArithOp, CmpOp};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// An absent input that left a result unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MissingRef {
    /// A top-level field, by index in the schema's fields.
    Field(u32),
    /// A field of one item of a list: the field's index, and the item's position.
    ItemField(u32, u32),
    /// A whole list, by index in the schema's lists.
    List(u32),
    /// A list that is present but has no item at a position read (`readings[-2]` of a list
    /// of one): the list, by index in the schema's lists, is named by its path.
    ShortList(u32),
}

/// The absent inputs that left a result unknown: sorted, without repeats. Empty only when
/// nothing could be added to decide it: the item before the first of a list (`r.previous`),
/// a level a route does not have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Missing(pub Vec<MissingRef>);

impl Missing {
    fn one(what: MissingRef) -> Missing {
        Missing(vec![what])
    }

    /// Adds every field of `other`.
    pub fn merge(&mut self, other: &Missing) {
        if other.0.is_empty() {
            return;
        }
        self.0.extend_from_slice(&other.0);
        self.0.sort_unstable();
        self.0.dedup();
    }
}

/// The result of an expression: a value, or unknown because of some absent inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Known.
    Known(Value),
    /// Unknown, and why.
    Unknown(Missing),
}

/// Something that went wrong while evaluating: an overflow, a division by zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What happened.
    pub message: String,
    /// Where in the rule file.
    pub span: Span,
}

type Eval = Result<Outcome, EvalError>;

fn internal(what: &str) -> EvalError {
    EvalError {
        message: format!("internal type error ({what}); the rule file passed the checker but cannot be evaluated"),
        span: Span::default(),
    }
}

/// Evaluates an expression that reads no input; `None` when it is unknown.
pub fn constant(expr: &Expr) -> Result<Option<Value>, EvalError> {
    let doc = Document::default();
    Ok(match eval(expr, &doc)? {
        Outcome::Known(v) => Some(v),
        Outcome::Unknown(_) => None,
    })
}

/// Evaluates `expr` over a validated document.
pub fn eval(expr: &Expr, doc: &Document) -> Eval {
    eval_with(expr, doc, &[], &[])
}

/// Evaluates `expr` over a validated document, with the verdicts (indices in their tiers)
/// of the decisions made so far and the protocol's dose ladders.
pub fn eval_with(expr: &Expr, doc: &Document, verdicts: &[u16], ladders: &[Ladder]) -> Eval {
    eval_in(expr, &Scope { doc, verdicts, ladders }, None)
}

/// Evaluates `expr` with the item at `index` bound, as in the condition of a quantifier.
pub fn eval_for_item(expr: &Expr, doc: &Document, verdicts: &[u16], ladders: &[Ladder], index: usize) -> Eval {
    eval_in(expr, &Scope { doc, verdicts, ladders }, Some(&Env { index, outer: None }))
}

/// What an expression reads besides its bound items.
struct Scope<'a> {
    doc: &'a Document,
    verdicts: &'a [u16],
    ladders: &'a [Ladder],
}

/// The route of a document for a ladder, as a choice index.
fn route(ladder: &Ladder, scope: &Scope<'_>) -> Result<Result<u16, Missing>, EvalError> {
    match scope.doc.root.fields.get(ladder.route_slot as usize) {
        Some(Some(Value::Choice(r))) => Ok(Ok(*r)),
        Some(None) => Ok(Err(Missing::one(MissingRef::Field(ladder.route_field)))),
        _ => Err(internal("a ladder's route")),
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

/// A number, or unknown.
fn number(e: &Expr, scope: &Scope<'_>, what: &str) -> Result<Result<Decimal, Missing>, EvalError> {
    match eval_in(e, scope, None)? {
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
        Some(w) => step.amount.checked_mul(w).ok_or_else(|| overflow("a dose"))?,
        None => step.amount,
    };
    let dose = match steps.round {
        Some(q) if !q.is_zero() => raw
            .checked_div(q)
            .map(|x| x.floor())
            .and_then(|x| x.checked_mul(q))
            .ok_or_else(|| overflow("a rounding"))?,
        _ => raw,
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
                        let most = max.checked_mul(w).ok_or_else(|| overflow("a limit"))?;
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
/// for the output: `None` when the level, the route or the dose is unknown.
pub fn dose_given(
    ladder: &Ladder,
    level: &Expr,
    doc: &Document,
    verdicts: &[u16],
    ladders: &[Ladder],
) -> Result<Option<DoseCalc>, EvalError> {
    let scope = Scope { doc, verdicts, ladders };
    let Outcome::Known(Value::Choice(level)) = eval_in(level, &scope, None)? else { return Ok(None) };
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
        Some(c) => eval_in(c, scope, None)?,
        None => return Err(internal("a route without a cap")),
    };
    let within_cap = match both(dose, cap) {
        Ok((Value::Num(d), Value::Num(c))) => Outcome::Known(Value::Bool(d <= c)),
        Ok(_) => return Err(internal("a dose or cap that is not a number")),
        Err(m) => Outcome::Unknown(m),
    };
    // `allow above L when C`: a level above L needs C too; the levels up to L never read it.
    Ok(match &ladder.allow_above {
        Some((top, condition)) if level > *top => kleene_and(within_cap, eval_in(condition, scope, None)?),
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
        if let Ok(Outcome::Unknown(n)) = eval_in(e, scope, None) {
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
        Expr::Step(x, up, count) => possible_choices(x, ev)?.map(|values| {
            let last = count.saturating_sub(1);
            let mut out: Vec<u16> = values
                .into_iter()
                .map(|c| if *up { c.saturating_add(1).min(last) } else { c.saturating_sub(1) })
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        }),
        // The highest allowed level at or below any of them: one of the levels up to the top.
        Expr::HighestAllowed(_, x) => {
            possible_choices(x, ev)?.and_then(|v| v.into_iter().max()).map(|top| (0..=top).collect())
        }
        _ => None,
    })
}

fn overflow(what: &str) -> EvalError {
    EvalError { message: format!("{what} overflows the exact decimal range"), span: Span::default() }
}

/// The items bound by the quantifiers around an expression, innermost first.
struct Env<'a> {
    index: usize,
    outer: Option<&'a Env<'a>>,
}

impl Env<'_> {
    /// The item `up` quantifiers out (0: the innermost).
    fn bound(&self, up: u8) -> Option<usize> {
        let mut env = self;
        for _ in 0..up {
            env = env.outer?;
        }
        Some(env.index)
    }
}

/// The items of a top-level list, or `None` when the list is absent.
fn items(doc: &Document, list_slot: u32) -> Option<&[Record]> {
    doc.root.lists.get(list_slot as usize)?.as_deref()
}

fn eval_in(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Eval {
    let doc = scope.doc;
    let ev = |e: &Expr| eval_in(e, scope, env);
    Ok(match expr {
        Expr::Const(v) => Outcome::Known(*v),
        Expr::Field { field, slot } => match doc.root.fields.get(*slot as usize) {
            Some(Some(v)) => Outcome::Known(*v),
            Some(None) => Outcome::Unknown(Missing::one(MissingRef::Field(*field))),
            None => return Err(internal("a field slot outside the document")),
        },
        Expr::Item { .. } => return Err(internal("a whole list item")),
        Expr::Verdict(d) => match scope.verdicts.get(*d as usize) {
            Some(v) => Outcome::Known(Value::Choice(*v)),
            None => return Err(internal("a decision read before it is made")),
        },
        Expr::ItemField { list, list_slot, item, field, slot } => {
            let Some(records) = items(doc, *list_slot) else {
                return Ok(Outcome::Unknown(Missing::one(MissingRef::List(*list))));
            };
            let index = match *item {
                ItemRef::Position(p) if p >= 0 => usize::try_from(p).ok(),
                ItemRef::Position(p) => {
                    records.len().checked_sub(usize::try_from(p.unsigned_abs()).unwrap_or(usize::MAX))
                }
                ItemRef::Bound(level) => env.and_then(|e| e.bound(level)),
                ItemRef::BoundBefore(level) => env.and_then(|e| e.bound(level)).and_then(|i| i.checked_sub(1)),
            };
            let Some((index, record)) = index.and_then(|i| Some((i, records.get(i)?))) else {
                return Ok(Outcome::Unknown(match item {
                    // No item at that position: the list is too short, and named.
                    ItemRef::Position(_) => Missing::one(MissingRef::ShortList(*list)),
                    // The item before the first: there is none to add.
                    _ => Missing::default(),
                }));
            };
            match record.fields.get(*slot as usize) {
                Some(Some(v)) => Outcome::Known(*v),
                None => return Err(internal("an item field slot outside the item")),
                Some(None) => Outcome::Unknown(Missing::one(MissingRef::ItemField(
                    *field,
                    u32::try_from(index).unwrap_or(u32::MAX),
                ))),
            }
        }
        Expr::Quantifier { kind, list, list_slot, cond } => {
            let Some(records) = items(doc, *list_slot) else {
                return Ok(Outcome::Unknown(Missing::one(MissingRef::List(*list))));
            };
            let mut count: u32 = 0;
            let mut missing: Option<Missing> = None;
            for index in 0..records.len() {
                let truth = match cond {
                    None => Outcome::Known(Value::Bool(true)),
                    Some(c) => eval_in(c, scope, Some(&Env { index, outer: env }))?,
                };
                match (kind, truth) {
                    (Quantifier::Any, Outcome::Known(Value::Bool(true))) => {
                        return Ok(Outcome::Known(Value::Bool(true)))
                    }
                    (Quantifier::All, Outcome::Known(Value::Bool(false))) => {
                        return Ok(Outcome::Known(Value::Bool(false)))
                    }
                    (Quantifier::Count, Outcome::Known(Value::Bool(true))) => count = count.saturating_add(1),
                    (_, Outcome::Known(Value::Bool(_))) => {}
                    (_, Outcome::Known(_)) => return Err(internal("quantifier")),
                    (_, Outcome::Unknown(m)) => missing.get_or_insert_with(Missing::default).merge(&m),
                }
            }
            match (missing, kind) {
                (Some(m), _) => Outcome::Unknown(m),
                (None, Quantifier::Any) => Outcome::Known(Value::Bool(false)),
                (None, Quantifier::All) => Outcome::Known(Value::Bool(true)),
                (None, Quantifier::Count) => Outcome::Known(Value::Num(Decimal::from(count))),
            }
        }
        Expr::GroupPresent(g) => match doc.groups.get(*g as usize) {
            Some(present) => Outcome::Known(Value::Bool(*present)),
            None => return Err(internal("a group outside the document")),
        },
        Expr::Dose(l, level) | Expr::Allowed(l, level) | Expr::HighestAllowed(l, level) => {
            let ladder = scope.ladders.get(*l as usize).ok_or_else(|| internal("an undeclared ladder"))?;
            let level_expr = &**level;
            let level = match ev(level)? {
                Outcome::Known(Value::Choice(c)) => Ok(c),
                Outcome::Known(_) => return Err(internal("a level that is not a choice")),
                Outcome::Unknown(m) => Err(m),
            };
            let (r, level) = match (route(ladder, scope)?, level) {
                (Ok(r), Ok(level)) => (r, level),
                (route, level) => {
                    // Unknown: what is missing to decide it, and to check every dose it can
                    // still come to (each level and route still possible).
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
                            match possible_choices(level_expr, &ev)? {
                                Some(levels) => levels,
                                None => (0..ladder.levels.len()).filter_map(|l| u16::try_from(l).ok()).collect(),
                            }
                        }
                    };
                    // The highest allowed level at or below one of them may be any level
                    // down to the first allowed one: each of those is checked.
                    if let (Expr::HighestAllowed(..), Some(top)) = (expr, levels.iter().max().copied()) {
                        levels = (0..=top).collect();
                    }
                    for r in routes {
                        for l in &levels {
                            m.merge(&dose_inputs_missing(ladder, r, *l, scope));
                        }
                    }
                    return Ok(Outcome::Unknown(m));
                }
            };
            match expr {
                Expr::Dose(..) => match given_dose(ladder, r, level, scope)? {
                    Ok(calc) => Outcome::Known(Value::Num(calc.dose)),
                    Err(m) => Outcome::Unknown(m),
                },
                Expr::Allowed(..) => allowed_at(ladder, r, level, scope)?,
                _ => highest_allowed(ladder, r, level, scope)?,
            }
        }
        Expr::Choose(arms, otherwise) => {
            // Ordered rules: the first true condition decides, provided every one before it
            // is false. Until one is true, an unknown condition counts its absent inputs and
            // those of its value (the outcome it may still give), and the value of
            // `otherwise` counts when no condition is true.
            let mut missing: Option<Missing> = None;
            let value_missing = |value: &Expr, into: &mut Missing| {
                // A value that cannot be computed yet (a division by zero in a branch that may
                // never be taken) names nothing; it is reported if its branch is taken.
                if let Ok(Outcome::Unknown(m)) = ev(value) {
                    into.merge(&m);
                }
            };
            for (cond, value) in arms {
                match ev(cond)? {
                    Outcome::Known(Value::Bool(false)) => {}
                    Outcome::Known(Value::Bool(true)) => {
                        return Ok(match missing {
                            Some(mut m) => {
                                value_missing(value, &mut m);
                                Outcome::Unknown(m)
                            }
                            None => ev(value)?,
                        })
                    }
                    Outcome::Known(_) => return Err(internal("choose")),
                    Outcome::Unknown(m) => {
                        let all = missing.get_or_insert_with(Missing::default);
                        all.merge(&m);
                        value_missing(value, all);
                    }
                }
            }
            match missing {
                Some(mut m) => {
                    value_missing(otherwise, &mut m);
                    Outcome::Unknown(m)
                }
                None => ev(otherwise)?,
            }
        }
        Expr::Step(e, up, count) => match ev(e)? {
            Outcome::Known(Value::Choice(c)) => {
                let last = count.saturating_sub(1);
                Outcome::Known(Value::Choice(if *up { c.saturating_add(1).min(last) } else { c.saturating_sub(1) }))
            }
            Outcome::Known(_) => return Err(internal("next/previous")),
            unknown => unknown,
        },
        Expr::Not(e) => match ev(e)? {
            Outcome::Known(Value::Bool(b)) => Outcome::Known(Value::Bool(!b)),
            Outcome::Known(_) => return Err(internal("not")),
            unknown => unknown,
        },
        Expr::And(parts) => junction(parts, false, &ev)?,
        Expr::Or(parts) => junction(parts, true, &ev)?,
        Expr::IsKnown(e) => Outcome::Known(Value::Bool(matches!(ev(e)?, Outcome::Known(_)))),
        Expr::Compare(op, a, b) => {
            let (a, b) = (ev(a)?, ev(b)?);
            match both(a, b) {
                Ok((x, y)) => Outcome::Known(Value::Bool(compare(*op, x, y)?)),
                Err(missing) => Outcome::Unknown(missing),
            }
        }
        Expr::Between(x, lo, hi) => {
            let (x, lo, hi) = (ev(x)?, ev(lo)?, ev(hi)?);
            let low = match both(lo, x.clone()) {
                Ok((l, v)) => Outcome::Known(Value::Bool(compare(CmpOp::Le, l, v)?)),
                Err(m) => Outcome::Unknown(m),
            };
            let high = match both(x, hi) {
                Ok((v, h)) => Outcome::Known(Value::Bool(compare(CmpOp::Le, v, h)?)),
                Err(m) => Outcome::Unknown(m),
            };
            kleene_and(low, high)
        }
        Expr::Arith(op, a, b, span) => match both(ev(a)?, ev(b)?) {
            Ok((x, y)) => Outcome::Known(arith(*op, x, y, *span)?),
            Err(missing) => Outcome::Unknown(missing),
        },
        Expr::Neg(e) => match ev(e)? {
            Outcome::Known(Value::Num(n)) => Outcome::Known(Value::Num(-n)),
            Outcome::Known(_) => return Err(internal("negation")),
            unknown => unknown,
        },
        Expr::Abs(e) => match ev(e)? {
            Outcome::Known(Value::Num(n)) => Outcome::Known(Value::Num(n.abs())),
            Outcome::Known(_) => return Err(internal("abs")),
            unknown => unknown,
        },
        Expr::Scale(e, factor) => match ev(e)? {
            Outcome::Known(Value::Num(n)) => {
                let scaled = n.checked_mul(*factor).ok_or_else(|| EvalError {
                    message: "a unit conversion overflows".into(),
                    span: Span::default(),
                })?;
                Outcome::Known(Value::Num(scaled))
            }
            Outcome::Known(_) => return Err(internal("unit conversion")),
            unknown => unknown,
        },
        Expr::Min(parts) | Expr::Max(parts) => {
            let want = if matches!(expr, Expr::Min(_)) { Ordering::Less } else { Ordering::Greater };
            let mut best: Option<Decimal> = None;
            let mut missing = Missing::default();
            for p in parts {
                match ev(p)? {
                    Outcome::Known(Value::Num(n)) => {
                        if best.is_none_or(|b| n.cmp(&b) == want) {
                            best = Some(n);
                        }
                    }
                    Outcome::Known(_) => return Err(internal("min/max")),
                    Outcome::Unknown(m) => missing.merge(&m),
                }
            }
            match best {
                Some(n) if missing.0.is_empty() => Outcome::Known(Value::Num(n)),
                _ => Outcome::Unknown(missing),
            }
        }
        Expr::InSet(e, set) => match ev(e)? {
            Outcome::Known(Value::Choice(c)) => Outcome::Known(Value::Bool(set.contains(&c))),
            Outcome::Known(_) => return Err(internal("set membership")),
            unknown => unknown,
        },
    })
}

/// `and` (`is_or` false) or `or` (true): a deciding operand settles it, and then the
/// unknown ones do not count as missing.
fn junction(parts: &[Expr], is_or: bool, ev: &impl Fn(&Expr) -> Eval) -> Eval {
    let mut missing: Option<Missing> = None;
    for p in parts {
        match ev(p)? {
            Outcome::Known(Value::Bool(b)) if b == is_or => return Ok(Outcome::Known(Value::Bool(is_or))),
            Outcome::Known(Value::Bool(_)) => {}
            Outcome::Known(_) => return Err(internal("and/or")),
            Outcome::Unknown(m) => missing.get_or_insert_with(Missing::default).merge(&m),
        }
    }
    Ok(match missing {
        Some(m) => Outcome::Unknown(m),
        None => Outcome::Known(Value::Bool(!is_or)),
    })
}

fn kleene_and(a: Outcome, b: Outcome) -> Outcome {
    match (a, b) {
        (Outcome::Known(Value::Bool(false)), _) | (_, Outcome::Known(Value::Bool(false))) => {
            Outcome::Known(Value::Bool(false))
        }
        (Outcome::Unknown(mut m), Outcome::Unknown(n)) => {
            m.merge(&n);
            Outcome::Unknown(m)
        }
        (Outcome::Unknown(m), _) | (_, Outcome::Unknown(m)) => Outcome::Unknown(m),
        _ => Outcome::Known(Value::Bool(true)),
    }
}

fn both(a: Outcome, b: Outcome) -> Result<(Value, Value), Missing> {
    match (a, b) {
        (Outcome::Known(x), Outcome::Known(y)) => Ok((x, y)),
        (Outcome::Unknown(mut m), Outcome::Unknown(n)) => {
            m.merge(&n);
            Err(m)
        }
        (Outcome::Unknown(m), _) | (_, Outcome::Unknown(m)) => Err(m),
    }
}

fn compare(op: CmpOp, x: Value, y: Value) -> Result<bool, EvalError> {
    let ordering = match (x, y) {
        (Value::Num(a), Value::Num(b)) | (Value::Time(a), Value::Time(b)) => a.cmp(&b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(&b),
        (Value::Choice(a), Value::Choice(b)) => a.cmp(&b),
        (Value::Text(a), Value::Text(b)) => a.cmp(&b),
        _ => return Err(internal("comparison")),
    };
    Ok(match op {
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
    })
}

fn arith(op: ArithOp, x: Value, y: Value, span: Span) -> Result<Value, EvalError> {
    let overflow = |what: &str| EvalError { message: format!("{what} overflows the exact decimal range"), span };
    Ok(match (op, x, y) {
        (ArithOp::Add, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.checked_add(b).ok_or_else(|| overflow("an addition"))?)
        }
        (ArithOp::Sub, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.checked_sub(b).ok_or_else(|| overflow("a subtraction"))?)
        }
        (ArithOp::Mul, Value::Num(a), Value::Num(b)) => {
            Value::Num(a.checked_mul(b).ok_or_else(|| overflow("a multiplication"))?)
        }
        (ArithOp::Div, Value::Num(a), Value::Num(b)) => {
            if b.is_zero() {
                return Err(EvalError { message: "division by zero".into(), span });
            }
            Value::Num(a.checked_div(b).ok_or_else(|| overflow("a division"))?)
        }
        (ArithOp::Sub, Value::Time(a), Value::Time(b)) => {
            Value::Num(a.checked_sub(b).ok_or_else(|| overflow("a duration"))?)
        }
        (ArithOp::Add, Value::Time(a), Value::Num(b)) | (ArithOp::Add, Value::Num(b), Value::Time(a)) => {
            Value::Time(a.checked_add(b).ok_or_else(|| overflow("a time"))?)
        }
        (ArithOp::Sub, Value::Time(a), Value::Num(b)) => {
            Value::Time(a.checked_sub(b).ok_or_else(|| overflow("a time"))?)
        }
        _ => return Err(internal("arithmetic")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Expr {
        Expr::Const(Value::Bool(true))
    }
    fn f() -> Expr {
        Expr::Const(Value::Bool(false))
    }
    fn absent(field: u32) -> Expr {
        // the test document has one empty slot per field number below 10
        Expr::Field { field, slot: field }
    }
    fn m(fields: &[u32]) -> Missing {
        Missing(fields.iter().map(|f| MissingRef::Field(*f)).collect())
    }
    fn run(e: &Expr) -> Outcome {
        let doc = Document { root: Record { fields: vec![None; 10], lists: Vec::new() }, groups: Vec::new() };
        eval(e, &doc).unwrap_or_else(|e| unreachable!("{e:?}"))
    }

    #[test]
    fn kleene_and_or_absorb_unknowns() {
        assert_eq!(run(&Expr::And(vec![absent(1), f()])), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::Or(vec![absent(1), t()])), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::And(vec![absent(2), t(), absent(1)])), Outcome::Unknown(m(&[1, 2])));
        assert_eq!(run(&Expr::Or(vec![absent(1), f()])), Outcome::Unknown(m(&[1])));
        assert_eq!(run(&Expr::Not(Box::new(absent(3)))), Outcome::Unknown(m(&[3])));
    }

    #[test]
    fn is_known_is_never_unknown() {
        assert_eq!(run(&Expr::IsKnown(Box::new(absent(1)))), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::IsKnown(Box::new(t()))), Outcome::Known(Value::Bool(true)));
    }

    #[test]
    fn arithmetic_is_exact_and_overflow_is_an_error() {
        let n = |s: &str| Expr::Const(Value::Num(s.parse().unwrap_or_default()));
        let product = Expr::Arith(ArithOp::Mul, Box::new(n("0.7")), Box::new(n("70")), Span::default());
        assert_eq!(run(&product), Outcome::Known(Value::Num("49.0".parse().unwrap_or_default())));
        let sum = Expr::Arith(ArithOp::Add, Box::new(n("0.1")), Box::new(n("0.2")), Span::default());
        assert_eq!(constant(&Expr::Compare(CmpOp::Eq, Box::new(sum), Box::new(n("0.3")))), Ok(Some(Value::Bool(true))));
        let big = Expr::Arith(
            ArithOp::Mul,
            Box::new(Expr::Const(Value::Num(Decimal::MAX))),
            Box::new(n("2")),
            Span::new(3, 4),
        );
        assert_eq!(eval(&big, &Document::default()).map_err(|e| e.span), Err(Span::new(3, 4)));
        let div = Expr::Arith(ArithOp::Div, Box::new(n("1")), Box::new(n("0")), Span::new(5, 6));
        assert!(eval(&div, &Document::default()).is_err());
    }

    #[test]
    fn between_is_inclusive_and_unknown_when_absent() {
        let n = |v: i64| Box::new(Expr::Const(Value::Num(Decimal::from(v))));
        assert_eq!(run(&Expr::Between(n(8), n(8), n(19))), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::Between(n(19), n(8), n(19))), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::Between(n(20), n(8), n(19))), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::Between(Box::new(absent(4)), n(8), n(19))), Outcome::Unknown(m(&[4])));
    }
}
