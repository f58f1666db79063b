//! Decisions: every rule evaluated, the verdict chosen by the first tier that holds, the
//! missing inputs gathered, and an explanation written for each rule that fired or stayed
//! undetermined.

use super::kleene::{self, EvalError, Missing, MissingRef, Outcome};
use super::program::{Decision, FieldType, MissingSource, Output, Program, Value, ValueShape};
use crate::decision::{
    Citation, DecisionOutcome, DoseTrace, Evaluation, Explanation, OutputField, ProtocolRef, Reading, RuleResult,
};
use crate::input::{time, Document};
use indexmap::IndexMap;
use std::fmt::Write as _;

/// An evaluation that could not be completed: never read as a verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("decision `{decision}`, rule `{rule}`: {message}")]
pub struct EvaluationError {
    /// The decision.
    pub decision: String,
    /// The rule.
    pub rule: String,
    /// What went wrong.
    pub message: String,
}

/// The version of this engine, written into every output.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

enum Truth {
    True,
    False,
    Unknown(Missing),
}

/// Evaluates every decision of `program`, in order (a decision may read the verdicts of
/// those above it), and outputs those whose groups are in `doc`.
pub(crate) fn evaluate(
    program: &Program,
    doc: &Document,
    protocol: ProtocolRef,
) -> Result<Evaluation, EvaluationError> {
    let mut decisions: IndexMap<String, DecisionOutcome> = IndexMap::new();
    let mut explanation = Vec::new();
    let mut verdicts: Vec<u16> = Vec::with_capacity(program.decisions.len());
    let mut missings: Vec<Missing> = Vec::with_capacity(program.decisions.len());
    // A decision is made when it is output, or when a decision that is made reads it.
    let mut applies = Vec::with_capacity(program.decisions.len());
    for decision in &program.decisions {
        let mut a = decision.given.is_empty();
        for g in &decision.given {
            a |= *doc.groups.get(*g as usize).ok_or_else(|| EvaluationError {
                decision: decision.name.clone(),
                rule: String::new(),
                message: "internal error: a group outside the document".into(),
            })?;
        }
        applies.push(a);
    }
    let mut needed = applies.clone();
    for (i, decision) in program.decisions.iter().enumerate().rev() {
        if needed.get(i).copied().unwrap_or(false) {
            for d in &decision.reads_decisions {
                if let Some(n) = needed.get_mut(*d) {
                    *n = true;
                }
            }
        }
    }
    for (i, decision) in program.decisions.iter().enumerate() {
        let fail = |message: &str| EvaluationError {
            decision: decision.name.clone(),
            rule: String::new(),
            message: format!("internal error: {message}"),
        };
        let applies = applies.get(i).copied().unwrap_or(false);
        if !needed.get(i).copied().unwrap_or(false) {
            // Nothing reads it: keep the indices of later decisions in step.
            verdicts.push(u16::MAX);
            missings.push(Missing::default());
            continue;
        }
        // Explanations only for the decisions that are output.
        let mut notes = applies.then(Vec::new);
        let made = decide(program, decision, doc, &verdicts, &missings, notes.as_mut())?;
        verdicts.push(match made.verdict {
            Some(v) => u16::try_from(v).map_err(|_| fail("too many verdicts"))?,
            None => u16::MAX,
        });
        missings.push(made.missing.clone());
        if applies {
            explanation.extend(notes.unwrap_or_default());
            for (v, value) in decision.values.iter().zip(&made.values) {
                if let (ValueShape::Dose(l), super::program::Expr::Dose(_, level), Some(_)) = (&v.shape, &v.expr, value)
                {
                    let trace = dose_trace(program, decision, *l, level, doc, &verdicts)?;
                    explanation.extend(trace);
                }
            }
            let made_outcome = outcome(program, decision, &made);
            // A decision `within` another is a field of its output, when that one is made.
            let parent = decision.within.and_then(|p| program.decisions.get(p)).map(|p| p.name.clone());
            match parent.and_then(|p| decisions.get_mut(&p)) {
                Some(parent) => {
                    let value = serde_json::to_value(&made_outcome).map_err(|e| fail(&e.to_string()))?;
                    parent.fields.push((decision.name.clone(), OutputField::Value(value)));
                }
                None => {
                    decisions.insert(decision.name.clone(), made_outcome);
                }
            }
        }
    }
    Ok(Evaluation { protocol, engine: ENGINE_VERSION, decisions, explanation })
}

/// A decision made: its verdict (index in its tiers), the truth of each rule, its missing
/// inputs and its output values.
struct Made {
    /// `None` for a decision without verdicts (a schedule).
    verdict: Option<usize>,
    /// Its `due` items: time, id, checks.
    due: Vec<(rust_decimal::Decimal, String, Vec<String>)>,
    /// Its alerts raised: time, id, and the alert's index in the decision.
    alerts: Vec<(rust_decimal::Decimal, String, usize)>,
    truths: Vec<Truth>,
    missing: Missing,
    /// Each value, with the infusion minutes of a dose given by infusion.
    values: Vec<Option<(Value, Option<rust_decimal::Decimal>)>>,
}

fn decide(
    program: &Program,
    decision: &Decision,
    doc: &Document,
    verdicts: &[u16],
    missings: &[Missing],
    mut explanation: Option<&mut Vec<Explanation>>,
) -> Result<Made, EvaluationError> {
    let error = |rule: &str, message: String| EvaluationError {
        decision: decision.name.clone(),
        rule: rule.to_string(),
        message,
    };
    let eval = |e: &super::program::Expr, rule: &str| {
        kleene::eval_with(e, doc, verdicts, &program.ladders).map_err(|EvalError { message, .. }| error(rule, message))
    };
    let mut truths = Vec::with_capacity(decision.rules.len());
    for rule in &decision.rules {
        let truth = match eval(&rule.when, &rule.id)? {
            Outcome::Known(Value::Bool(true)) => Truth::True,
            Outcome::Known(Value::Bool(false)) => Truth::False,
            Outcome::Unknown(m) => Truth::Unknown(m),
            Outcome::Known(_) => return Err(error(&rule.id, "the condition is not true or false".into())),
        };
        truths.push(truth);
    }

    let mut missing = Missing::default();
    let mut fired_kinds = vec![false; decision.kinds.len()];
    let mut unknown_kinds = vec![false; decision.kinds.len()];
    for (rule, truth) in decision.rules.iter().zip(&truths) {
        let quiet = decision.kinds.get(rule.kind).is_some_and(|k| k.quiet);
        match truth {
            Truth::True => {
                if let Some(f) = fired_kinds.get_mut(rule.kind) {
                    *f = true;
                }
            }
            Truth::Unknown(m) => {
                if !quiet {
                    missing.merge(m);
                }
                if let Some(u) = unknown_kinds.get_mut(rule.kind) {
                    *u = true;
                }
            }
            Truth::False => {}
        }
        if let (Some(notes), false) = (explanation.as_deref_mut(), matches!(truth, Truth::False)) {
            notes.push(explain(program, decision, rule, truth, doc));
        }
    }

    let mut verdict = None;
    for (index, tier) in decision.tiers.iter().enumerate() {
        let otherwise = tier.any.is_empty() && tier.unknown.is_empty() && tier.when.is_none();
        let by_rules = tier.any.iter().any(|k| fired_kinds.get(*k).copied().unwrap_or(false))
            || tier.unknown.iter().any(|k| unknown_kinds.get(*k).copied().unwrap_or(false));
        // A `when` condition holds when true, and also when unknown: fail closed.
        // Unknown, it names what it is missing when it decides the verdict.
        let (by_condition, undecided) = match &tier.when {
            Some(e) => match eval(e, &tier.verdict)? {
                Outcome::Known(Value::Bool(false)) => (false, None),
                Outcome::Unknown(m) => (true, Some(m)),
                _ => (true, None),
            },
            None => (false, None),
        };
        if otherwise || by_rules || by_condition {
            if let (false, Some(m)) = (by_rules, undecided) {
                missing.merge(&m);
            }
            verdict = Some(index);
            break;
        }
    }
    if verdict.is_none() && !decision.tiers.is_empty() {
        return Err(error("", "no verdict holds".into()));
    }

    for (source, when) in &decision.missing_of {
        let applies = match when {
            Some(w) => !matches!(eval(w, "")?, Outcome::Known(Value::Bool(false))),
            None => true,
        };
        if !applies {
            continue;
        }
        match source {
            MissingSource::Decision(other) => {
                if let Some(m) = missings.get(*other) {
                    missing.merge(m);
                }
            }
            MissingSource::Expr(e) => {
                if let Outcome::Unknown(m) = eval(e, "")? {
                    missing.merge(&m);
                }
            }
        }
    }

    let mut values = Vec::with_capacity(decision.values.len());
    for v in &decision.values {
        let given = v.verdicts.is_empty() || verdict.is_some_and(|x| v.verdicts.contains(&x));
        values.push(match (given, eval(&v.expr, &v.name)?) {
            (true, Outcome::Known(value)) => Some((value, infusion(program, &v.shape, doc))),
            _ => None,
        });
    }
    let mut due = Vec::new();
    for item in &decision.due {
        let items: Vec<Option<usize>> = match item.each {
            None => vec![None],
            Some((_, slot)) => {
                let n = doc.root.lists.get(slot as usize).and_then(Option::as_ref).map_or(0, Vec::len);
                (0..n).map(Some).collect()
            }
        };
        for index in items {
            let run = |e: &super::program::Expr| {
                match index {
                    Some(i) => kleene::eval_for_item(e, doc, verdicts, &program.ladders, i),
                    None => kleene::eval_with(e, doc, verdicts, &program.ladders),
                }
                .map_err(|EvalError { message, .. }| error(&item.id, message))
            };
            let included = match &item.when {
                None => true,
                // `when`: only when true. `unless`: unless true, so also when unknown.
                Some((true, c)) => matches!(run(c)?, Outcome::Known(Value::Bool(true))),
                Some((false, c)) => !matches!(run(c)?, Outcome::Known(Value::Bool(true))),
            };
            if !included {
                continue;
            }
            let Outcome::Known(Value::Time(at)) = run(&item.at)? else { continue };
            let offsets = if item.after.is_empty() { vec![rust_decimal::Decimal::ZERO] } else { item.after.clone() };
            for off in offsets {
                let when = at.checked_add(off).ok_or_else(|| error(&item.id, "a time overflows".into()))?;
                due.push((when, item.id.clone(), item.checks.clone()));
            }
        }
    }
    due.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));

    // Alerts: raised at the first item where the condition is true; every item where it is
    // unknown names its absent inputs, whether or not the alert was raised elsewhere.
    let mut alerts = Vec::new();
    for (alert_index, alert) in decision.alerts.iter().enumerate() {
        let fail = |EvalError { message, .. }| error(&alert.id, message);
        let n = doc.root.lists.get(alert.list_slot as usize).and_then(Option::as_ref).map_or(0, Vec::len);
        let mut raised = None;
        let mut raised_item = None;
        let mut undecided = Missing::default();
        for i in 0..n {
            match kleene::eval_for_item(&alert.when, doc, verdicts, &program.ladders, i).map_err(fail)? {
                Outcome::Known(Value::Bool(true)) if raised.is_none() => {
                    match kleene::eval_for_item(&alert.at, doc, verdicts, &program.ladders, i).map_err(fail)? {
                        Outcome::Known(Value::Time(t)) => {
                            raised = Some(t);
                            raised_item = Some(i);
                        }
                        Outcome::Unknown(m) => undecided.merge(&m),
                        Outcome::Known(_) => {
                            return Err(error(&alert.id, "an alert time that is not a timestamp".into()))
                        }
                    }
                }
                Outcome::Unknown(m) => undecided.merge(&m),
                _ => {}
            }
        }
        if let (None, Some((cond, at))) = (raised, &alert.otherwise) {
            match eval(cond, &alert.id)? {
                Outcome::Known(Value::Bool(true)) => match eval(at, &alert.id)? {
                    Outcome::Known(Value::Time(t)) => raised = Some(t),
                    Outcome::Unknown(m) => undecided.merge(&m),
                    Outcome::Known(_) => return Err(error(&alert.id, "an alert time that is not a timestamp".into())),
                },
                Outcome::Unknown(m) => undecided.merge(&m),
                Outcome::Known(_) => {}
            }
        }
        missing.merge(&undecided);
        if let Some(t) = raised {
            alerts.push((t, alert.id.clone(), alert_index));
        }
        if let (Some(notes), true) = (explanation.as_deref_mut(), raised.is_some() || !undecided.0.is_empty()) {
            let sources = alert
                .sources
                .iter()
                .filter_map(|s| program.sources.get(*s))
                .map(|s| Citation { key: s.key.clone(), title: s.title.clone(), url: s.url.clone() })
                .collect::<Vec<_>>();
            let missing_paths = paths(program, &undecided);
            let (result, state) = match raised {
                Some(t) => (RuleResult::Fired, format!("raised at {}", time::format_utc(t).unwrap_or_default())),
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
                text.push_str(&format!(" Action: {}.", action.trim_end_matches('.')));
            }
            if !missing_paths.is_empty() {
                text.push_str(&format!(" Missing: {}.", missing_paths.join(", ")));
            }
            // What raised it: the reading it was raised at (and the one before, for
            // `.previous`), or the inputs of its `or when` condition.
            let read = match (raised_item, &alert.otherwise) {
                (Some(i), _) => item_readings(program, &alert.when, doc, Some((alert.list_slot, i))),
                (None, Some((cond, _))) if raised.is_some() => {
                    let mut fields = Vec::new();
                    cond.visit_fields(&mut |f| fields.push(f));
                    fields.sort_unstable();
                    fields.dedup();
                    field_readings(program, &fields, doc)
                }
                _ => Vec::new(),
            };
            push_read(&mut text, &read);
            if !sources.is_empty() {
                let cited: Vec<String> = sources.iter().map(|s| format!("{} ({})", s.key, s.title)).collect();
                text.push_str(&format!(" Sources: {}.", cited.join("; ")));
            }
            notes.push(Explanation {
                decision: decision.name.clone(),
                kind: "alert".into(),
                rule: alert.id.clone(),
                result,
                message: alert.message.clone(),
                help: None,
                sources,
                read,
                missing: missing_paths,
                text,
                dose: None,
            });
        }
    }
    alerts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(Made { verdict, due, alerts, truths, missing, values })
}

/// How a dose given in the output was computed, as an explanation entry.
fn dose_trace(
    program: &Program,
    decision: &Decision,
    ladder: u32,
    level: &super::program::Expr,
    doc: &Document,
    verdicts: &[u16],
) -> Result<Option<Explanation>, EvaluationError> {
    let fail = |message: String| EvaluationError { decision: decision.name.clone(), rule: "dose".into(), message };
    let Some(l) = program.ladders.get(ladder as usize) else { return Ok(None) };
    let Some(calc) = kleene::dose_given(l, level, doc, verdicts, &program.ladders).map_err(|e| fail(e.message))? else {
        return Ok(None);
    };
    let (r, lv) = (calc.route, calc.level);
    let Some(steps) = l.by_route.get(usize::from(r)) else { return Ok(None) };
    let Some(Some(step)) = steps.steps.get(usize::from(lv)) else { return Ok(None) };
    let num = |d: rust_decimal::Decimal| d.normalize().to_string();
    let (weight, raw, dose, cap) = (calc.weight, calc.raw, calc.dose, calc.cap);
    let route = l.routes.get(usize::from(r)).cloned().unwrap_or_default();
    let level_name = l.levels.get(usize::from(lv)).cloned().unwrap_or_default();
    let amount = if step.per_kg { format!("{} mg/kg", num(step.amount)) } else { format!("{} mg", num(step.amount)) };
    let mut text = format!("{}: dose at {level_name} ({route}): {amount}", decision.name);
    if let Some(w) = weight {
        text.push_str(&format!(" × {} kg dosing weight = {} mg", num(w), num(raw)));
    }
    if let Some(q) = steps.round {
        text.push_str(&format!(", rounded down to a multiple of {} mg = {} mg", num(q), num(dose)));
    }
    if let Some(c) = cap {
        // A dose above its cap is an evaluation error, never given (kleene::given_dose).
        text.push_str(&format!("; within the cap of {} mg for this patient", num(c)));
    }
    if let Some(m) = steps.infusion_minutes {
        text.push_str(&format!("; infused over {} min", num(m)));
    }
    text.push('.');
    let sources = step
        .sources
        .iter()
        .filter_map(|s| program.sources.get(*s))
        .map(|s| Citation { key: s.key.clone(), title: s.title.clone(), url: s.url.clone() })
        .collect();
    let mut reads = Vec::new();
    if let Some(w) = &l.weight {
        w.visit_fields(&mut |f| reads.push(f));
    }
    reads.push(l.route_field);
    reads.sort_unstable();
    reads.dedup();
    let read = reads
        .iter()
        .filter_map(|f| program.schema.fields.get(*f as usize))
        .map(|field| Reading {
            path: field.path.clone(),
            value: doc.root.fields.get(field.slot).copied().flatten().map(|v| show(&field.ty, v)),
            unit: match &field.ty {
                FieldType::Number { unit, .. } if !unit.is_none() => Some(unit.to_string()),
                _ => None,
            },
        })
        .collect();
    Ok(Some(Explanation {
        decision: decision.name.clone(),
        kind: "dose".into(),
        rule: l.name.clone(),
        result: RuleResult::Computed,
        message: format!("Dose at {level_name} ({route})"),
        help: None,
        sources,
        read,
        missing: Vec::new(),
        text,
        dose: Some(DoseTrace {
            ladder: l.name.clone(),
            route,
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

/// The output of a decision made.
fn outcome(program: &Program, decision: &Decision, made: &Made) -> DecisionOutcome {
    let tier = made.verdict.and_then(|v| decision.tiers.get(v));
    let ids = |wanted: &dyn Fn(usize) -> bool| {
        let mut ids: Vec<String> = decision
            .rules
            .iter()
            .zip(&made.truths)
            .filter(|(r, t)| matches!(t, Truth::True) && wanted(r.kind))
            .map(|(r, _)| r.id.clone())
            .collect();
        ids.sort_unstable();
        ids
    };
    let mut fields = Vec::with_capacity(decision.outputs.len());
    for output in &decision.outputs {
        match output {
            Output::Kind(k) => {
                if let Some(kind) = decision.kinds.get(*k) {
                    fields.push((kind.list.clone(), OutputField::Ids(ids(&|r| r == *k))));
                }
            }
            Output::Reasons(name) => {
                let of_tier = |r: usize| tier.is_some_and(|t| t.any.contains(&r));
                fields.push((name.clone(), OutputField::Ids(ids(&of_tier))));
            }
            Output::Alerts => {
                let items = made
                    .alerts
                    .iter()
                    .filter_map(|(at, id, index)| {
                        let alert = decision.alerts.get(*index)?;
                        let mut item = serde_json::Map::new();
                        item.insert("id".into(), id.clone().into());
                        item.insert("severity".into(), alert.severity.clone().into());
                        item.insert("at".into(), time::format_utc(*at).unwrap_or_default().into());
                        if let Some(action) = &alert.action {
                            item.insert("action".into(), action.clone().into());
                        }
                        Some(serde_json::Value::Object(item))
                    })
                    .collect();
                fields.push(("alerts".to_string(), OutputField::Value(serde_json::Value::Array(items))));
            }
            Output::Due => {
                let items = made
                    .due
                    .iter()
                    .map(|(at, id, checks)| {
                        serde_json::json!({"id": id, "at": time::format_utc(*at).unwrap_or_default(), "checks": checks})
                    })
                    .collect();
                fields.push(("due".to_string(), OutputField::Value(serde_json::Value::Array(items))));
            }
            Output::Value(i) => {
                if let (Some(v), Some(Some(value))) = (decision.values.get(*i), made.values.get(*i)) {
                    let (value, infusion) = value;
                    fields.push((v.name.clone(), OutputField::Value(json_value(&v.shape, *value, *infusion, program))));
                }
            }
        }
    }
    DecisionOutcome {
        verdict: tier.map(|t| t.verdict.clone()).unwrap_or_default(),
        fields,
        missing: paths(program, &made.missing),
        reports_missing: !decision.tiers.is_empty() || !decision.rules.is_empty() || !decision.alerts.is_empty(),
    }
}

/// An output value as JSON: a number with a unit is `{"value": n, "unit": "mg"}`.
/// The infusion time of a dose on the document's route, if it is given by infusion.
fn infusion(program: &Program, shape: &ValueShape, doc: &Document) -> Option<rust_decimal::Decimal> {
    let ValueShape::Dose(l) = shape else { return None };
    let ladder = program.ladders.get(*l as usize)?;
    let Some(Some(Value::Choice(r))) = doc.root.fields.get(ladder.route_slot as usize) else { return None };
    ladder.by_route.get(usize::from(*r))?.infusion_minutes
}

fn json_value(
    shape: &ValueShape,
    value: Value,
    infusion: Option<rust_decimal::Decimal>,
    program: &Program,
) -> serde_json::Value {
    let texts = &program.texts;
    let number = |n: rust_decimal::Decimal| {
        n.normalize()
            .to_string()
            .parse::<serde_json::Number>()
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    };
    match (shape, value) {
        (_, Value::Bool(b)) => serde_json::Value::Bool(b),
        (ValueShape::Number(Some(unit)), Value::Num(n)) => serde_json::json!({"value": number(n), "unit": unit}),
        (ValueShape::Dose(_), Value::Num(n)) => match infusion {
            Some(minutes) => serde_json::json!({"value": number(n), "unit": "mg", "infusion_minutes": number(minutes)}),
            None => serde_json::json!({"value": number(n), "unit": "mg"}),
        },
        (_, Value::Num(n)) => number(n),
        (ValueShape::Choice(choices), Value::Choice(c)) => {
            serde_json::Value::String(choices.get(usize::from(c)).cloned().unwrap_or_default())
        }
        (_, Value::Choice(c)) => serde_json::Value::from(c),
        (_, Value::Time(t)) => serde_json::Value::String(time::format_utc(t).unwrap_or_default()),
        (_, Value::Text(i)) => serde_json::Value::String(texts.get(i as usize).cloned().unwrap_or_default()),
        (ValueShape::List(elem), Value::List(i)) => serde_json::Value::Array(
            program
                .lists
                .get(i as usize)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|v| json_value(elem, *v, None, program))
                .collect(),
        ),
        (_, Value::List(_)) => serde_json::Value::Null,
    }
}

/// The top-level inputs `fields` as read: path, value (when present) and unit.
fn field_readings(program: &Program, fields: &[u32], doc: &Document) -> Vec<Reading> {
    fields
        .iter()
        .filter_map(|f| program.schema.fields.get(*f as usize))
        .map(|field| {
            let value = doc.root.fields.get(field.slot).copied().flatten().map(|v| show(&field.ty, v));
            let unit = match &field.ty {
                FieldType::Number { unit, .. } if !unit.is_none() => Some(unit.to_string()),
                _ => None,
            };
            Reading { path: field.path.clone(), value, unit }
        })
        .collect()
}

/// Appends ` Read: path = value unit, ….` for the readings that have a value.
fn push_read(text: &mut String, read: &[Reading]) {
    let shown: Vec<String> = read
        .iter()
        .filter_map(|r| {
            r.value.as_ref().map(|v| match &r.unit {
                Some(u) => format!("{} = {v} {u}", r.path),
                None => format!("{} = {v}", r.path),
            })
        })
        .collect();
    if !shown.is_empty() {
        let _ = write!(text, " Read: {}.", shown.join(", "));
    }
}

/// What an expression read from the items of lists: each item field it reads by position
/// (`course.sessions[-1].at`) at that item, and each it reads through a quantifier or
/// `.previous` (`count(s in course.sessions where at - s.at < 7 days)`) at every item, so
/// an explanation shows which items were counted. In path order, present values only.
fn item_readings(
    program: &Program,
    when: &super::program::Expr,
    doc: &Document,
    bound: Option<(u32, usize)>,
) -> Vec<Reading> {
    use super::program::{Expr, ItemRef};
    let mut wanted: Vec<(u32, u32, usize, Option<usize>)> = Vec::new();
    when.walk(&mut |e| {
        if let Expr::ItemField { list_slot, item, field, slot, .. } = e {
            let n = doc.root.lists.get(*list_slot as usize).and_then(Option::as_ref).map_or(0, Vec::len);
            let at = match *item {
                ItemRef::Position(p) if p >= 0 => usize::try_from(p).ok().filter(|i| *i < n).map(Some),
                ItemRef::Position(p) => {
                    n.checked_sub(usize::try_from(p.unsigned_abs()).unwrap_or(usize::MAX)).map(Some)
                }
                // The item an alert was raised at (and the one before it), for its list.
                ItemRef::Bound(_) | ItemRef::BoundBefore(_) => match bound {
                    Some((slot, i)) if slot == *list_slot => match item {
                        ItemRef::BoundBefore(_) => i.checked_sub(1).map(Some),
                        _ => Some(Some(i)),
                    },
                    _ => Some(None),
                },
            };
            if let Some(at) = at {
                wanted.push((*field, *list_slot, *slot as usize, at));
            }
        }
    });
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    for (field, list_slot, slot, at) in wanted {
        let Some(decl) = program.schema.fields.get(field as usize) else { continue };
        let Some((list, name)) = decl.path.rsplit_once("[].") else { continue };
        let Some(items) = doc.root.lists.get(list_slot as usize).and_then(Option::as_ref) else { continue };
        let unit = match &decl.ty {
            FieldType::Number { unit, .. } if !unit.is_none() => Some(unit.to_string()),
            _ => None,
        };
        for (i, record) in items.iter().enumerate() {
            if at.is_some_and(|a| a != i) {
                continue;
            }
            if let Some(Some(v)) = record.fields.get(slot) {
                out.push(Reading {
                    path: format!("{list}[{i}].{name}"),
                    value: Some(show(&decl.ty, *v)),
                    unit: unit.clone(),
                });
            }
        }
    }
    out
}

/// The dotted paths of missing fields, sorted by code point.
fn paths(program: &Program, missing: &Missing) -> Vec<String> {
    let schema = &program.schema;
    let mut out: Vec<String> = missing
        .0
        .iter()
        .filter_map(|m| match *m {
            MissingRef::Field(f) => schema.fields.get(f as usize).map(|f| f.path.clone()),
            MissingRef::List(l) | MissingRef::ShortList(l) => schema.lists.get(l as usize).map(|l| l.path.clone()),
            MissingRef::ItemField(f, index) => {
                let field = schema.fields.get(f as usize)?;
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

fn explain(
    program: &Program,
    decision: &Decision,
    rule: &super::program::Rule,
    truth: &Truth,
    doc: &Document,
) -> Explanation {
    let kind = decision.kinds.get(rule.kind).map(|k| k.name.clone()).unwrap_or_default();
    let sources: Vec<Citation> = rule
        .sources
        .iter()
        .filter_map(|s| program.sources.get(*s))
        .map(|s| Citation { key: s.key.clone(), title: s.title.clone(), url: s.url.clone() })
        .collect();
    let read: Vec<Reading> = field_readings(program, &rule.reads, doc)
        .into_iter()
        .chain(item_readings(program, &rule.when, doc, None))
        .collect();
    let (result, missing) = match truth {
        Truth::Unknown(m) => (RuleResult::Undetermined, paths(program, m)),
        _ => (RuleResult::Fired, Vec::new()),
    };
    let mut text = format!(
        "{}: {kind} `{}` {}: {}.",
        decision.name,
        rule.id,
        if result == RuleResult::Fired { "fired" } else { "is undetermined" },
        rule.message.trim_end_matches('.')
    );
    if !missing.is_empty() {
        let _ = write!(text, " Missing: {}.", missing.join(", "));
    }
    push_read(&mut text, &read);
    if !sources.is_empty() {
        let cited: Vec<String> = sources.iter().map(|s| format!("{} ({})", s.key, s.title)).collect();
        let _ = write!(text, " Sources: {}.", cited.join("; "));
    }
    Explanation {
        decision: decision.name.clone(),
        kind,
        rule: rule.id.clone(),
        result,
        message: rule.message.clone(),
        help: rule.help.clone(),
        sources,
        read,
        missing,
        text,
        dose: None,
    }
}
