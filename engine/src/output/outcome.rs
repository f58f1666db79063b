//! A decision's output: its verdict, its lists of rule ids, its values as JSON (a dose with
//! its unit and infusion time), its alerts and due items, and its missing inputs.

use super::explain::paths;
use super::{number, object, texts};
use crate::decision::{DecisionOutcome, OutputField};
use crate::eval::decide::Made;
use crate::input::{time, Document};
use crate::ir::decision::{Decision, Output, ValueShape};
use crate::ir::expr::Value;
use crate::ir::Program;

/// The output of a decision made.
pub(crate) fn outcome(program: &Program, decision: &Decision, made: &Made) -> DecisionOutcome {
    let tier = made.verdict.and_then(|v| decision.tiers.get(v));
    let ids = |wanted: &dyn Fn(usize) -> bool| rule_ids(decision, made, wanted).into_iter().map(String::from).collect();
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
                    .filter_map(|(at, index)| {
                        let alert = decision.alerts.get(*index)?;
                        let mut item = serde_json::Map::new();
                        item.insert("id".into(), alert.id.clone().into());
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
                    .filter_map(|d| {
                        let entry = decision.due.get(d.entry)?;
                        let mut members = vec![
                            ("id", entry.id.clone().into()),
                            ("at", time::format_utc(d.at).unwrap_or_default().into()),
                            ("checks", texts(&entry.checks)),
                        ];
                        if let Some(done) = d.done {
                            members.push(("done", done.into()));
                        }
                        Some(object(members))
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

/// The ids of the rules that are true and whose kind is `wanted`, sorted: a list of a
/// decision's output.
pub(crate) fn rule_ids<'d>(decision: &'d Decision, made: &Made, wanted: &dyn Fn(usize) -> bool) -> Vec<&'d str> {
    let mut ids: Vec<&str> = made
        .truths
        .true_rules()
        .filter_map(|i| decision.rules.get(i))
        .filter(|r| wanted(r.kind))
        .map(|r| r.id.as_str())
        .collect();
    ids.sort_unstable();
    ids
}

/// The infusion time of a dose on the document's route, if it is given by infusion.
pub(crate) fn infusion(program: &Program, shape: &ValueShape, doc: &Document) -> Option<rust_decimal::Decimal> {
    let ValueShape::Dose(l) = shape else { return None };
    let ladder = program.ladder(*l)?;
    let r = ladder.route_in(&doc.root.fields).ok()??;
    ladder.by_route.get(usize::from(r))?.infusion_minutes
}

/// An output value as JSON: a number with a unit is `{"value": n, "unit": "mg"}`.
fn json_value(
    shape: &ValueShape,
    value: Value,
    infusion: Option<rust_decimal::Decimal>,
    program: &Program,
) -> serde_json::Value {
    let texts = &program.texts;
    match (shape, value) {
        (_, Value::Bool(b)) => serde_json::Value::Bool(b),
        (ValueShape::Number(Some(unit)), Value::Num(n)) => {
            object(vec![("value", number(n)), ("unit", unit.clone().into())])
        }
        (ValueShape::Dose(_), Value::Num(n)) => match infusion {
            Some(minutes) => {
                object(vec![("value", number(n)), ("unit", "mg".into()), ("infusion_minutes", number(minutes))])
            }
            None => object(vec![("value", number(n)), ("unit", "mg".into())]),
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
