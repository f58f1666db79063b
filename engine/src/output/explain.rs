//! Explanations: for each rule that fired or stayed undetermined, each alert raised or
//! undecided, and each dose given, its message, the values it read (with units), what it
//! missed and its sources, as data and as one sentence a person reads.

use crate::decision::{Citation, DoseTrace, Explanation, Reading, RuleResult};
use crate::eval::decide::Truth;
use crate::eval::decide::{EvaluationError, Raised};
use crate::eval::kleene::{Missing, MissingRef, Verdicts};
use crate::eval::ladder;
use crate::input::{time, Document};
use crate::ir::decision::{Alert, Decision, Rule, Tier};
use crate::ir::expr::{Expr, ItemRef, Value};
use crate::ir::schema::FieldType;
use crate::ir::Program;
use crate::ir::{FieldId, FieldSlot, LadderId, ListSlot, SourceId};
use std::fmt::Write as _;

/// These sources of the program, as cited in an explanation.
fn citations(program: &Program, cited: &[SourceId]) -> Vec<Citation> {
    cited
        .iter()
        .filter_map(|s| program.source(*s))
        .map(|s| Citation { key: s.key.clone(), title: s.title.clone(), url: s.url.clone() })
        .collect()
}

/// Appends ` Missing: a, b.` when something is missing.
fn push_missing(text: &mut String, missing: &[String]) {
    push_list(text, " Missing: ", ", ", missing.iter().map(|m| [m.as_str()]));
}

/// Appends ` Sources: K (title); ….` when there are any.
fn push_sources(text: &mut String, sources: &[Citation]) {
    push_list(text, " Sources: ", "; ", sources.iter().map(|s| [s.key.as_str(), " (", s.title.as_str(), ")"]));
}

/// Appends `prefix`, the items (each written as its parts) separated by `separator`, and a
/// full stop; nothing when there is no item. Written in place, with no string per item.
fn push_list<'a, P: IntoIterator<Item = &'a str>>(
    text: &mut String,
    prefix: &str,
    separator: &str,
    items: impl Iterator<Item = P>,
) {
    let mut first = true;
    for parts in items {
        text.push_str(if first { prefix } else { separator });
        first = false;
        parts.into_iter().for_each(|part| text.push_str(part));
    }
    if !first {
        text.push('.');
    }
}

/// The unit a field is read in, for people (none for a plain number).
fn unit_of(ty: &FieldType) -> Option<String> {
    match ty {
        FieldType::Number { unit, .. } if !unit.is_none() => Some(unit.to_string()),
        _ => None,
    }
}

/// The explanation of an alert raised at `raised` (at the item `raised_item` of its list),
/// or undecided for want of `undecided`.
pub(crate) fn explain_alert(
    program: &Program,
    decision: &Decision,
    alert: &Alert,
    raised: Raised,
    undecided: &Missing,
    doc: &Document,
) -> Explanation {
    let sources = citations(program, &alert.sources);
    let missing = paths(program, undecided);
    let (result, state) = match raised {
        Some((t, _)) => (RuleResult::Fired, format!("raised at {}", time::format_utc(t).unwrap_or_default())),
        None => (RuleResult::Undetermined, "undecided".to_string()),
    };
    let mut text = format!(
        "{}: {} alert `{}` {state}: {}.",
        decision.name,
        alert.severity,
        alert.id,
        alert.message.trim_end_matches('.')
    );
    if let (Some(action), Some(_)) = (&alert.action, raised) {
        let _ = write!(text, " Action: {}.", action.trim_end_matches('.'));
    }
    push_missing(&mut text, &missing);
    // What raised it: the reading it was raised at (and the one before, for `.previous`),
    // or the inputs of its `or when` condition.
    let read = match (raised, &alert.otherwise) {
        (Some((_, Some(i))), _) => {
            let mut read = Vec::new();
            item_readings(program, &alert.when, doc, Some((alert.list_slot, i)), &mut read);
            read
        }
        (Some((_, None)), Some((cond, _))) => {
            let mut fields = Vec::new();
            cond.visit_fields(&mut |f| fields.push(f));
            fields.sort_unstable();
            fields.dedup();
            let mut read = field_readings(program, &fields, doc);
            item_readings(program, cond, doc, None, &mut read);
            read
        }
        _ => Vec::new(),
    };
    push_read(&mut text, &read);
    push_sources(&mut text, &sources);
    Explanation {
        decision: decision.name.clone(),
        kind: "alert".into(),
        rule: alert.id.clone(),
        result,
        message: alert.message.clone(),
        help: None,
        sources,
        read,
        missing,
        text,
        dose: None,
    }
}

/// A rule that fired or stayed undetermined, as an explanation entry.
pub(crate) fn explain_rule(
    program: &Program,
    decision: &Decision,
    rule: &Rule,
    truth: &Truth<'_>,
    doc: &Document,
) -> Explanation {
    let kind = decision.kinds.get(rule.kind).map(|k| k.name.as_str()).unwrap_or_default();
    let what = (kind, rule.id.as_str(), rule.message.as_str(), rule.help.as_ref());
    entry(program, decision, what, &rule.sources, &rule.reads, &rule.when, truth, doc)
}

/// A verdict given by its `when` condition, not by rules, as an explanation entry of kind
/// `verdict`, the condition as written for its message: what it read and, when it was
/// unknown, what it missed.
pub(crate) fn explain_verdict(
    program: &Program,
    decision: &Decision,
    tier: &Tier,
    when: &Expr,
    truth: &Truth<'_>,
    doc: &Document,
) -> Explanation {
    let mut reads = Vec::new();
    when.visit_fields(&mut |f| reads.push(f));
    reads.sort_unstable();
    reads.dedup();
    let what = ("verdict", tier.verdict.as_str(), tier.when_text.as_str(), None);
    entry(program, decision, what, &[], &reads, when, truth, doc)
}

/// An explanation entry: `what` (kind, id, message, help) fired or stayed undetermined, with
/// the sources it cites and what its condition `when` read (the fields `reads`, and items).
#[allow(clippy::too_many_arguments)]
fn entry(
    program: &Program,
    decision: &Decision,
    (kind, id, message, help): (&str, &str, &str, Option<&String>),
    cites: &[SourceId],
    reads: &[FieldId],
    when: &Expr,
    truth: &Truth<'_>,
    doc: &Document,
) -> Explanation {
    let sources = citations(program, cites);
    let mut read = field_readings(program, reads, doc);
    item_readings(program, when, doc, None, &mut read);
    let (result, missing) = match truth {
        Truth::Unknown(m) => (RuleResult::Undetermined, paths(program, m)),
        _ => (RuleResult::Fired, Vec::new()),
    };
    // `eligibility: exclude `minor` fired: Younger than 18.`, written in place.
    let state = if result == RuleResult::Fired { "` fired: " } else { "` is undetermined: " };
    let mut text = String::with_capacity(256);
    for part in [decision.name.as_str(), ": ", kind, " `", id, state] {
        text.push_str(part);
    }
    text.push_str(message.trim_end_matches('.'));
    text.push('.');
    push_missing(&mut text, &missing);
    push_read(&mut text, &read);
    push_sources(&mut text, &sources);
    Explanation {
        decision: decision.name.clone(),
        kind: kind.to_string(),
        rule: id.to_string(),
        result,
        message: message.to_string(),
        help: help.cloned(),
        sources,
        read,
        missing,
        text,
        dose: None,
    }
}

/// How a dose given in the output was computed, as an explanation entry.
pub(crate) fn dose_trace(
    program: &Program,
    decision: &Decision,
    ladder: LadderId,
    level: &Expr,
    doc: &Document,
    verdicts: &Verdicts,
    shared: &crate::eval::quick::Memo,
) -> Result<Option<Explanation>, EvaluationError> {
    let fail = |e: crate::ir::ops::EvalError| EvaluationError::new(&decision.name, "dose", e.message, Some(e.span));
    let Some(l) = program.ladder(ladder) else { return Ok(None) };
    let Some(calc) = ladder::dose_given(l, level, doc, verdicts, &program.ladders, shared).map_err(fail)? else {
        return Ok(None);
    };
    let (r, lv) = (calc.route, calc.level);
    let Some(steps) = l.by_route.get(usize::from(r)) else { return Ok(None) };
    let Some(Some(step)) = steps.steps.get(usize::from(lv)) else { return Ok(None) };
    let num = |d: rust_decimal::Decimal| d.normalize().to_string();
    let (weight, raw, dose, cap) = (calc.weight, calc.raw, calc.dose, calc.cap);
    // A ladder without a route input has one route: only a chosen route is named.
    let route_name = l.routes.get(usize::from(r)).cloned().unwrap_or_default();
    let route = if l.route_input.is_some() { format!(" ({route_name})") } else { String::new() };
    let level_name = l.levels.get(usize::from(lv)).cloned().unwrap_or_default();
    let amount = if step.per_kg { format!("{} mg/kg", num(step.amount)) } else { format!("{} mg", num(step.amount)) };
    // Written in place: a decimal's Display needs no text of its own.
    let mut text = String::with_capacity(192);
    let _ = write!(text, "{}: dose at {level_name}{route}: {amount}", decision.name);
    if let Some(w) = weight {
        let _ = write!(text, " × {} kg dosing weight = {} mg", w.normalize(), raw.normalize());
    }
    // Rounding that changes nothing is named once ("= 70 mg, a multiple of 1 mg"), not as a
    // second equal amount.
    match steps.round {
        Some(q) if dose == raw => {
            let _ = write!(text, ", a multiple of {} mg", q.normalize());
        }
        Some(q) => {
            let _ = write!(text, ", rounded down to a multiple of {} mg = {} mg", q.normalize(), dose.normalize());
        }
        None => {}
    }
    if let Some(c) = cap {
        // A dose above its cap is an evaluation error, never given (ladder::given_dose).
        let _ = write!(text, "; within the cap of {} mg for this patient", c.normalize());
    }
    if let Some(m) = steps.infusion_minutes {
        let _ = write!(text, "; infused over {} min", m.normalize());
    }
    text.push('.');
    let sources = citations(program, &step.sources);
    let mut reads = Vec::new();
    if let Some(w) = &l.weight {
        w.visit_fields(&mut |f| reads.push(f));
    }
    reads.extend(l.route_input.map(|(f, _)| f));
    reads.sort_unstable();
    reads.dedup();
    let read = field_readings(program, &reads, doc);
    Ok(Some(Explanation {
        decision: decision.name.clone(),
        kind: "dose".into(),
        rule: l.name.clone(),
        result: RuleResult::Computed,
        message: format!("Dose at {level_name}{route}"),
        help: None,
        sources,
        read,
        missing: Vec::new(),
        text,
        dose: Some(DoseTrace {
            ladder: l.name.clone(),
            route: route_name,
            level: level_name,
            amount,
            weight_kg: weight.map(num),
            raw_mg: num(raw),
            round_down_to_mg: steps.round.map(num),
            dose_mg: num(dose),
            cap_mg: cap.map(num),
        }),
    }))
}

/// The top-level inputs `fields` as read: path, value (when present) and unit.
pub(crate) fn field_readings(program: &Program, fields: &[FieldId], doc: &Document) -> Vec<Reading> {
    fields
        .iter()
        .filter_map(|f| program.schema.field(*f))
        .map(|field| {
            let value = doc.root.fields.get(field.slot.index()).copied().flatten().map(|v| show(&field.ty, v));
            Reading { path: field.path.clone(), value, unit: unit_of(&field.ty) }
        })
        .collect()
}

/// Appends ` Read: path = value unit, ….` for the readings that have a value.
fn push_read(text: &mut String, read: &[Reading]) {
    let shown = read.iter().filter_map(|r| {
        let unit = r.unit.as_deref();
        let value = r.value.as_deref()?;
        Some([r.path.as_str(), " = ", value, if unit.is_some() { " " } else { "" }, unit.unwrap_or_default()])
    });
    push_list(text, " Read: ", ", ", shown);
}

/// What an expression read from the items of lists: each item field it reads by position
/// (`course.sessions[-1].at`) at that item, and each it reads through a quantifier (`count`,
/// `any`, `all`: `count(s in course.sessions where at - s.at < 7 days)`) at every item of
/// its list, so an explanation shows which items were counted, even in an alert over that
/// same list; an alert's own item (and `.previous`) at the item it was raised at. In path
/// order, present values only; appended to `out`.
pub(crate) fn item_readings(
    program: &Program,
    when: &Expr,
    doc: &Document,
    bound: Option<(ListSlot, usize)>,
    out: &mut Vec<Reading>,
) {
    let mut wanted: Vec<(FieldId, ListSlot, FieldSlot, Option<usize>)> = Vec::new();
    item_fields(when, 0, doc, bound, &mut wanted);
    wanted.sort_unstable();
    wanted.dedup();
    for (field, list_slot, slot, at) in wanted {
        let Some(decl) = program.schema.field(field) else { continue };
        let Some((list, name)) = decl.path.rsplit_once("[].") else { continue };
        let Some(items) = doc.root.lists.get(list_slot.index()).and_then(Option::as_ref) else { continue };
        let unit = unit_of(&decl.ty);
        for (i, record) in items.iter().enumerate() {
            if at.is_some_and(|a| a != i) {
                continue;
            }
            if let Some(Some(v)) = record.fields.get(slot.index()) {
                out.push(Reading {
                    path: format!("{list}[{i}].{name}"),
                    value: Some(show(&decl.ty, *v)),
                    unit: unit.clone(),
                });
            }
        }
    }
}

/// The item fields `e` reads, each with the item it is read at (`None`: every item).
/// `depth` counts the quantifiers around `e`: `Bound(k)` below `depth` is a quantifier's
/// item, read at every item of its list; `Bound(depth)` is the item an alert is at.
fn item_fields(
    e: &Expr,
    depth: u8,
    doc: &Document,
    bound: Option<(ListSlot, usize)>,
    wanted: &mut Vec<(FieldId, ListSlot, FieldSlot, Option<usize>)>,
) {
    if let Expr::ItemField { list_slot, item, field, slot, .. } = e {
        let n = doc.root.lists.get(list_slot.index()).and_then(Option::as_ref).map_or(0, Vec::len);
        let at = match *item {
            ItemRef::Position(p) if p >= 0 => usize::try_from(p).ok().filter(|i| *i < n).map(Some),
            ItemRef::Position(p) => n.checked_sub(usize::try_from(p.unsigned_abs()).unwrap_or(usize::MAX)).map(Some),
            ItemRef::Bound(k) | ItemRef::BoundBefore(k) if k < depth => Some(None),
            ItemRef::Bound(_) | ItemRef::BoundBefore(_) => match bound {
                Some((s, i)) if s == *list_slot => match item {
                    ItemRef::BoundBefore(_) => i.checked_sub(1).map(Some),
                    _ => Some(Some(i)),
                },
                _ => Some(None),
            },
        };
        if let Some(at) = at {
            wanted.push((*field, *list_slot, *slot, at));
        }
    }
    let depth = depth.saturating_add(u8::from(matches!(e, Expr::Quantifier { .. })));
    for child in e.children() {
        item_fields(child, depth, doc, bound, wanted);
    }
}

/// The dotted paths of missing fields, sorted by code point.
pub(crate) fn paths(program: &Program, missing: &Missing) -> Vec<String> {
    let schema = &program.schema;
    let mut out: Vec<String> = missing
        .0
        .iter()
        .filter_map(|m| match *m {
            MissingRef::Field(f) => schema.field(f).map(|f| f.path.clone()),
            MissingRef::List(l) | MissingRef::ShortList(l) => schema.list(l).map(|l| l.path.clone()),
            MissingRef::ItemField(f, index) => {
                let field = schema.field(f)?;
                let (list, name) = field.path.rsplit_once("[].")?;
                Some(format!("{list}[{index}].{name}"))
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A field's value as a person reads it.
fn show(ty: &FieldType, value: Value) -> String {
    match (ty, value) {
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Num(n)) => n.normalize().to_string(),
        (FieldType::Choice(choices), Value::Choice(c)) => choices.get(usize::from(c)).cloned().unwrap_or_default(),
        (_, Value::Choice(c)) => c.to_string(),
        (_, Value::Time(t)) => time::format_utc(t).unwrap_or_else(|| t.to_string()),
        (_, Value::Text(i)) | (_, Value::List(i)) => i.to_string(),
    }
}
