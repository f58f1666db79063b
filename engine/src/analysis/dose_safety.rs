//! The static dose proof: over every admissible input (the declared ranges), no dose a
//! ladder can give is above its route's hard limits. Each limit is first proved by interval
//! arithmetic; when that is not enough, the admissible values of the one input the doses
//! depend on are searched exactly for a patient that breaks it (a counterexample), and a
//! limit that can be neither proved nor broken is reported as unproved. The same analysis
//! reports levels no admissible patient can ever be allowed at, and ladders whose doses do
//! not rise with the level.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::eval::kleene::{self, Outcome};
use crate::exact::{floor, Exact};
use crate::input::{Document, Record};
use crate::ir::expr::{Direction, Expr, Value};
use crate::ir::ladder::{Ladder, Limit, Step};
use crate::ir::schema::FieldType;
use crate::ir::{position, FieldId, FieldSlot, Program};
use crate::syntax::ast::ArithOp;
use rust_decimal::Decimal;

/// An interval of exact decimals, both ends included.
type Interval = (Decimal, Decimal);

/// The most values of the one input searched for a counterexample.
const MAX_SEARCH: usize = 20_000;

/// Proves every ladder of `program` safe, or reports why not.
pub fn prove(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ladder in &program.ladders {
        prove_ladder(program, ladder, &mut out);
    }
    prove_steps(program, &mut out);
    out
}

/// How far above the previous item's level an expression can be: `Some(n)` at most `n`
/// steps, `None` without a bound. The previous level is the last item's field of a ladder's
/// levels; a `choose` branch taken only when the list is empty (the first session) starts
/// the course and is not a move.
fn rise(e: &Expr, levels_field: FieldId) -> Option<i64> {
    match e {
        Expr::ItemField { field, item: crate::ir::expr::ItemRef::Position(-1), .. } if *field == levels_field => {
            Some(0)
        }
        Expr::Step(x, direction, _) => {
            let r = rise(x, levels_field)?;
            Some(if *direction == Direction::Next { r + 1 } else { r })
        }
        // Never above its argument.
        Expr::HighestAllowed(_, x) => rise(x, levels_field),
        // Never above any of its arguments: bounded by the lowest bound among them, whatever
        // the others are (a requested level, say).
        Expr::Min(xs) => xs.iter().filter_map(|x| rise(x, levels_field)).min(),
        // As high as the highest of them: every one must be bounded.
        Expr::Max(xs) => xs.iter().map(|x| rise(x, levels_field)).try_fold(None, |most: Option<i64>, r| {
            let r = r?;
            Some(Some(most.map_or(r, |m| m.max(r))))
        })?,
        Expr::Choose(arms, otherwise) => {
            let mut most = rise(otherwise, levels_field)?;
            for (cond, value) in arms {
                if starts_course(cond) {
                    continue;
                }
                most = most.max(rise(value, levels_field)?);
            }
            Some(most)
        }
        _ => None,
    }
}

/// Whether a condition holds only when a list is empty: the branch of a course's first
/// item. Decided by its meaning, not its spelling: `count(LIST) = 0`, `count(LIST) < 1`,
/// `not (count(LIST) >= 1)` and their combinations with `and`, `or`, `not` all qualify.
fn starts_course(cond: &Expr) -> bool {
    let mut most = Decimal::ZERO;
    if !count_condition(cond, &mut most) {
        return false;
    }
    // Comparisons with constants up to `most` are settled for every count by the counts up
    // to `most + 1`; a condition that is false for all of those is false for every longer list.
    let Some(top) = most.add_exact(Decimal::ONE).and_then(crate::exact::ceil).and_then(|t| u32::try_from(t).ok())
    else {
        return false;
    };
    top <= 10_000 && (1..=top).all(|n| truth_at(cond, Decimal::from(n)) == Some(false))
}

/// Whether `e` is built only from comparisons of one `count(LIST)` with constants, with
/// `and`, `or` and `not`; `most` becomes the largest constant.
fn count_condition(e: &Expr, most: &mut Decimal) -> bool {
    let is_count =
        |x: &Expr| matches!(x, Expr::Quantifier { kind: crate::ir::expr::Quantifier::Count, cond: None, .. });
    match e {
        Expr::Compare(_, a, b) => match (&**a, &**b) {
            (c, Expr::Const(Value::Num(n))) | (Expr::Const(Value::Num(n)), c) if is_count(c) => {
                *most = (*most).max(n.abs());
                true
            }
            _ => false,
        },
        Expr::Not(x) => count_condition(x, most),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().all(|x| count_condition(x, most)),
        _ => false,
    }
}

/// The truth of a condition that `count_condition` accepts, for a list of `n` items.
fn truth_at(e: &Expr, n: Decimal) -> Option<bool> {
    use crate::syntax::ast::CmpOp;
    match e {
        Expr::Compare(op, a, b) => {
            let (x, y) = match (&**a, &**b) {
                (Expr::Const(Value::Num(c)), _) => (*c, n),
                (_, Expr::Const(Value::Num(c))) => (n, *c),
                _ => return None,
            };
            Some(match op {
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                CmpOp::Ge => x >= y,
                CmpOp::Eq => x == y,
                CmpOp::Ne => x != y,
            })
        }
        Expr::Not(x) => truth_at(x, n).map(|t| !t),
        Expr::And(xs) => xs.iter().try_fold(true, |acc, x| Some(acc && truth_at(x, n)?)),
        Expr::Or(xs) => xs.iter().try_fold(false, |acc, x| Some(acc || truth_at(x, n)?)),
        _ => None,
    }
}

/// No output level can move more than one step above the previous session's level.
fn prove_steps(program: &Program, out: &mut Vec<Diagnostic>) {
    for ladder in &program.ladders {
        // The ladder's levels input (a field of each list item).
        let levels_field = position(&program.schema.fields, |f| {
            f.list.is_some() && matches!(&f.ty, FieldType::Choice(c) if *c == ladder.levels)
        });
        let Some(levels_field) = levels_field else { continue };
        for decision in &program.decisions {
            for value in &decision.values {
                if matches!(&value.shape, crate::ir::decision::ValueShape::Choice(c) if *c == ladder.levels) {
                    report_rise(value, levels_field, &decision.name, out);
                }
            }
        }
    }
}

fn report_rise(
    value: &crate::ir::decision::OutputValue,
    levels_field: FieldId,
    decision: &str,
    out: &mut Vec<Diagnostic>,
) {
    match rise(&value.expr, levels_field) {
        Some(n) if n <= 1 => {}
        Some(n) => out.push(
            Diagnostic::error(Code::DoseStep, value.span, format!("`{}` of `{decision}` can rise {n} levels above the previous session's", value.name))
                .with_hint("a level moves at most one step from the previous session: use next(...) once"),
        ),
        None => out.push(
            Diagnostic::error(Code::DoseStep, value.span, format!("kap cannot bound how far `{}` of `{decision}` rises above the previous session's level", value.name))
                .with_hint("compute the level from the previous one with next(...), previous(...) and highest_allowed(...), with a fixed level only when no session was given (count(...) = 0); bound a requested level by the previous one: min(REQUESTED, next(PREVIOUS LEVEL))"),
        ),
    }
}

/// The interval of an expression over the declared ranges of the inputs it reads, or
/// `None` when it cannot be bounded.
fn interval(program: &Program, e: &Expr) -> Option<Interval> {
    let both = |a: &Expr, b: &Expr| Some((interval(program, a)?, interval(program, b)?));
    match e {
        Expr::Const(Value::Num(n)) => Some((*n, *n)),
        Expr::Field { field, .. } => match program.schema.field(*field) {
            Some(f) if matches!(f.ty, FieldType::Number { .. }) => f.range,
            _ => None,
        },
        Expr::Scale(x, f) => {
            let (lo, hi) = interval(program, x)?;
            let (a, b) = (lo.mul_exact(*f)?, hi.mul_exact(*f)?);
            Some((a.min(b), a.max(b)))
        }
        Expr::Neg(x) => interval(program, x).map(|(lo, hi)| (-hi, -lo)),
        Expr::Floor(x) => interval(program, x).and_then(|(lo, hi)| Some((floor(lo)?, floor(hi)?))),
        Expr::Min(xs) | Expr::Max(xs) => {
            let parts: Option<Vec<Interval>> = xs.iter().map(|x| interval(program, x)).collect();
            let parts = parts?;
            let is_min = matches!(e, Expr::Min(_));
            let pick = |f: fn(&Interval) -> Decimal| {
                let mut vals = parts.iter().map(f);
                let first = vals.next()?;
                Some(vals.fold(first, |acc, v| if is_min { acc.min(v) } else { acc.max(v) }))
            };
            Some((pick(|i| i.0)?, pick(|i| i.1)?))
        }
        Expr::Arith(op, a, b, _) => {
            let ((alo, ahi), (blo, bhi)) = both(a, b)?;
            match op {
                ArithOp::Add => Some((alo.add_exact(blo)?, ahi.add_exact(bhi)?)),
                ArithOp::Sub => Some((alo.sub_exact(bhi)?, ahi.sub_exact(blo)?)),
                ArithOp::Mul => {
                    let c = [alo.mul_exact(blo)?, alo.mul_exact(bhi)?, ahi.mul_exact(blo)?, ahi.mul_exact(bhi)?];
                    Some((c.iter().copied().min()?, c.iter().copied().max()?))
                }
                ArithOp::Div => {
                    if blo <= Decimal::ZERO && bhi >= Decimal::ZERO {
                        return None;
                    }
                    let c = [alo.div_exact(blo)?, alo.div_exact(bhi)?, ahi.div_exact(blo)?, ahi.div_exact(bhi)?];
                    Some((c.iter().copied().min()?, c.iter().copied().max()?))
                }
            }
        }
        _ => None,
    }
}

/// The dose interval of a step over a weight interval, rounded down as the route says.
fn dose_interval(step: &Step, weight: Option<Interval>, round: Option<Decimal>) -> Option<Interval> {
    let (lo, hi) = if step.per_kg {
        let (wlo, whi) = weight?;
        (step.amount.mul_exact(wlo)?, step.amount.mul_exact(whi)?)
    } else {
        (step.amount, step.amount)
    };
    let down = |x: Decimal| match round {
        Some(q) => crate::exact::round_down(x, q),
        None => Some(x),
    };
    Some((down(lo)?, down(hi)?))
}

/// The one top-level numeric input the weight and the cap read, with its range and whether
/// it is whole: the axis searched for counterexamples.
fn axis(program: &Program, ladder: &Ladder, cap: Option<&Expr>) -> Option<(FieldId, FieldSlot, Interval, bool)> {
    let mut fields = Vec::new();
    if let Some(w) = &ladder.weight {
        w.visit_fields(&mut |f| fields.push(f));
    }
    if let Some(c) = cap {
        c.visit_fields(&mut |f| fields.push(f));
    }
    fields.sort_unstable();
    fields.dedup();
    let [field] = fields.as_slice() else { return None };
    let f = program.schema.field(*field)?;
    let FieldType::Number { integer, .. } = f.ty else { return None };
    Some((*field, f.slot, f.range?, integer))
}

/// The values searched: every admissible value at the input's precision (whole numbers,
/// or tenths), when there are not too many.
fn search_values(range: Interval, integer: bool) -> Option<Vec<Decimal>> {
    let step = if integer { Decimal::ONE } else { Decimal::new(1, 1) };
    // Exact: a range as wide as a decimal can be overflows, and is not searched.
    let count = floor(range.1.sub_exact(range.0)?.div_exact(step)?)?;
    if count > Decimal::from(MAX_SEARCH) {
        return None;
    }
    let mut out = Vec::new();
    let mut v = range.0;
    while v <= range.1 && out.len() <= MAX_SEARCH {
        out.push(v);
        let next = v.add_exact(step)?;
        // Past 28 significant digits a step of a tenth is rounded away: such a range, however
        // narrow, is not searched.
        if next <= v {
            return None;
        }
        v = next;
    }
    if out.last() != Some(&range.1) {
        out.push(range.1);
    }
    Some(out)
}

/// The dosing weight (when the ladder has one) and the cap at one value; `None` where either
/// is not a number.
type Sample = Option<(Option<Decimal>, Decimal)>;

/// The dosing weight (when the ladder has one) and the cap of one route at the searched values
/// of the axis input, each computed when first asked for (`None` where either is not a
/// number): they do not depend on the level, so each level reads them again, not computes.
struct Samples<'a> {
    /// Each value, with its sample once computed.
    values: Vec<(Decimal, Option<Sample>)>,
    /// A document with nothing but the axis input, set to each value in turn.
    doc: Document,
    slot: FieldSlot,
    weight: Option<&'a Expr>,
    cap: &'a Expr,
}

impl<'a> Samples<'a> {
    fn new(program: &Program, ladder: &'a Ladder, cap: &'a Expr, slot: FieldSlot, values: Vec<Decimal>) -> Self {
        let doc = Document {
            root: Record {
                fields: vec![None; program.schema.root_fields],
                lists: vec![None; program.schema.root_lists],
            },
            groups: vec![true; program.schema.groups.len()],
        };
        let values = values.into_iter().map(|v| (v, None)).collect();
        Samples { values, doc, slot, weight: ladder.weight.as_ref(), cap }
    }

    /// The number of values.
    fn len(&self) -> usize {
        self.values.len()
    }

    /// Value `index`, with its weight and cap (`None` past the last value).
    fn get(&mut self, index: usize) -> Option<(Decimal, Sample)> {
        let (value, known) = *self.values.get(index)?;
        if let Some(sample) = known {
            return Some((value, sample));
        }
        let sample = self.at(value);
        if let Some((_, known)) = self.values.get_mut(index) {
            *known = Some(sample);
        }
        Some((value, sample))
    }

    /// The weight and cap with the axis input at `value`.
    fn at(&mut self, value: Decimal) -> Sample {
        *self.doc.root.fields.get_mut(self.slot.index())? = Some(Value::Num(value));
        let doc = &self.doc;
        let num = |e: &Expr| match kleene::eval(e, doc) {
            Ok(Outcome::Known(Value::Num(n))) => Some(n),
            _ => None,
        };
        let weight = match self.weight {
            Some(w) => Some(num(w)?),
            None => None,
        };
        Some((weight, num(self.cap)?))
    }
}

/// Dose, cap and dosing weight of `step` at one sample of the axis input.
fn at_value(step: &Step, round: Option<Decimal>, sample: Sample) -> Option<(Decimal, Decimal, Option<Decimal>)> {
    let (weight, cap) = sample?;
    let (dose, _) = dose_interval(step, weight.map(|w| (w, w)), round)?;
    Some((dose, cap, weight))
}

fn prove_ladder(program: &Program, ladder: &Ladder, out: &mut Vec<Diagnostic>) {
    let weight = ladder.weight.as_ref().and_then(|w| interval(program, w));
    // A dose per kg is a positive amount only for a positive dosing weight.
    let mut per_kg = None;
    for r in &ladder.by_route {
        for s in r.steps.iter().flatten() {
            if s.per_kg && per_kg.is_none() {
                per_kg = Some(s);
            }
        }
    }
    if let (Some(step), Some((lightest, _))) = (per_kg, weight) {
        if lightest <= Decimal::ZERO {
            out.push(
                Diagnostic::error(
                    Code::DoseStep,
                    step.span,
                    format!(
                        "the dosing weight of ladder `{}` can be {} kg for an admissible patient, and a dose per kg would then be 0 mg or less",
                        ladder.name,
                        lightest.normalize()
                    ),
                )
                .with_hint("declare the weight input's range above 0 kg, as `in 20..300`"),
            );
        }
    }
    for (r, route) in ladder.by_route.iter().enumerate() {
        let route_name = ladder.routes.get(r).map_or("", String::as_str);
        let Some(cap) = &route.cap else { continue };
        let cap_range = interval(program, cap);
        let axis = axis(program, ladder, Some(cap));
        let mut values = axis.and_then(|(_, slot, range, integer)| {
            Some(Samples::new(program, ladder, cap, slot, search_values(range, integer)?))
        });
        let mut previous: Option<(&Step, usize)> = None;
        for (l, step) in route.steps.iter().enumerate() {
            let Some(step) = step else { continue };
            let level = ladder.levels.get(l).map_or("", String::as_str);
            let dose = dose_interval(step, weight, route.round);
            // Doses rise with the level.
            if let Some((before, bl)) = previous {
                if before.per_kg == step.per_kg && step.amount <= before.amount {
                    let b = ladder.levels.get(bl).map_or("", String::as_str);
                    out.push(
                        Diagnostic::error(Code::DoseOrder, step.span, format!("on `{route_name}`, {level} is not above {b}: the doses of a ladder rise with the level"))
                            .with_hint("check the amounts of these two levels"),
                    );
                }
            }
            previous = Some((step, l));
            // A level that no admissible patient can be allowed at.
            let never = match (dose, cap_range) {
                (Some((dlo, _)), Some((_, chi))) if dlo > chi => true,
                _ => values.as_mut().is_some_and(|vals| {
                    (0..vals.len()).all(|i| {
                        vals.get(i)
                            .is_none_or(|(_, sample)| at_value(step, route.round, sample).is_none_or(|(d, c, _)| d > c))
                    })
                }),
            };
            if never {
                out.push(
                    Diagnostic::error(Code::DoseUnreachable, step.span, format!("no admissible patient is ever allowed {level} on `{route_name}`: its dose is above the cap for every admissible weight"))
                        .with_hint("a likely typo in the amount (10 mg/kg written for 1.0?); check it against the cap"),
                );
            }
            for (limit, limit_span) in &route.limits {
                check_limit(
                    program,
                    route_name,
                    level,
                    step,
                    route.round,
                    *limit,
                    *limit_span,
                    weight,
                    dose,
                    cap_range,
                    axis,
                    values.as_mut(),
                    out,
                );
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_limit(
    program: &Program,
    route: &str,
    level: &str,
    step: &Step,
    round: Option<Decimal>,
    limit: Limit,
    limit_span: Span,
    weight: Option<Interval>,
    dose: Option<Interval>,
    cap_range: Option<Interval>,
    axis: Option<(FieldId, FieldSlot, Interval, bool)>,
    values: Option<&mut Samples<'_>>,
    out: &mut Vec<Diagnostic>,
) {
    // Proved by intervals: the dose itself, or the cap that bounds every allowed dose.
    let proved = match limit {
        Limit::Mg(max) => dose.is_some_and(|(_, hi)| hi <= max) || cap_range.is_some_and(|(_, hi)| hi <= max),
        Limit::MgPerKg(max) => {
            if step.per_kg {
                step.amount <= max
            } else {
                match (dose, weight) {
                    (Some((_, hi)), Some((wlo, _))) if wlo > Decimal::ZERO => {
                        hi.div_exact(wlo).is_some_and(|r| r <= max)
                    }
                    _ => false,
                }
            }
        }
    };
    if proved {
        return;
    }
    let describe = match limit {
        Limit::Mg(max) => format!("{} mg", max.normalize()),
        Limit::MgPerKg(max) => format!("{} mg/kg", max.normalize()),
    };
    // A dose above the limit for every admissible patient, and always under the cap.
    if let (Some((lo, hi)), Some((cap_lo, _)), Limit::Mg(max)) = (dose, cap_range, limit) {
        if lo > max && hi <= cap_lo {
            out.push(
                Diagnostic::error(
                    Code::DoseLimit,
                    step.span,
                    format!(
                        "{level} on `{route}` gives {} mg to every admissible patient, above the limit of {describe}",
                        lo.normalize()
                    ),
                )
                .with_hint("lower the amount, or tighten the route's cap")
                .with_note("the limit", limit_span),
            );
            return;
        }
    }
    // Look for an admissible patient allowed a dose above the limit.
    if let (Some(vals), Some((field, _, _, _))) = (values, axis) {
        for (v, sample) in (0..vals.len()).filter_map(|i| vals.get(i)) {
            let Some((d, c, w)) = at_value(step, round, sample) else { continue };
            if d > c {
                continue; // not allowed: never given
            }
            let over = match limit {
                Limit::Mg(max) => d > max,
                Limit::MgPerKg(max) => w.is_some_and(|w| !w.is_zero() && d.div_exact(w).is_some_and(|r| r > max)),
            };
            if over {
                let path = program.schema.field(field).map_or("", |f| f.path.as_str());
                out.push(
                    Diagnostic::error(Code::DoseLimit, step.span, format!("{level} on `{route}` can give {} mg, above the limit of {describe}: for example with {path} = {}", d.normalize(), v.normalize()))
                        .with_hint("lower the amount, or tighten the route's cap")
                        .with_note("the limit", limit_span),
                );
                return;
            }
        }
        return; // every admissible value searched: the limit holds
    }
    out.push(
        Diagnostic::error(
            Code::DoseUnproved,
            step.span,
            format!("kap cannot prove that {level} on `{route}` stays within {describe}"),
        )
        .with_hint("bound the dosing weight and the cap by inputs with declared ranges, or simplify them")
        .with_note("the limit", limit_span),
    );
}
