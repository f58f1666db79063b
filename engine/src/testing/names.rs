//! The names an expectation uses, checked against the protocol before any case runs: the
//! output field it reads, a verdict it expects, and the rule, alert or due ids it expects
//! in a list. A misspelt name would otherwise make an expectation that can never fail
//! (`lacks hypertensio`, `exclusion absent`).

use super::ast::{Check, Expect, TestValue};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::input::json::Json;
use crate::ir::decision::{Decision, Output};
use crate::ir::Program;

/// What the items of an output field are named after.
enum Names<'a> {
    /// A verdict of the decision.
    Verdicts(&'a Decision),
    /// Rule ids: of one kind (`Some`) or of any kind.
    Rules(&'a Decision, Option<usize>),
    /// Alert ids.
    Alerts(&'a Decision),
    /// Due ids.
    Due(&'a Decision),
    /// Anything: values, missing inputs, a nested object.
    Free,
}

/// Checks the field path and the names of one expectation; `decision` is its first segment.
pub(super) fn check_expect(program: &Program, decision: &Decision, e: &Expect, out: &mut Vec<Diagnostic>) {
    let mut decision = decision;
    let mut fields = e.path.split('.').skip(1).map(|f| f.split('[').next().unwrap_or(f));
    let names = loop {
        let Some(field) = fields.next() else { break Names::Free };
        match field_names(program, decision, field) {
            Ok(Field::Nested(d)) => decision = d,
            Ok(Field::Items(names)) => break names,
            Err(known) => {
                let message = format!("decision `{}` has no output `{field}`", decision.name);
                let mut d = Diagnostic::error(Code::UnknownName, e.span, message);
                if let Some(near) = did_you_mean(field, known.iter().map(String::as_str)) {
                    d = d.with_hint(format!("did you mean `{near}`?"));
                }
                out.push(d);
                return;
            }
        }
    };
    // Only the field itself, not a member of one of its items (`alerts[0].at`).
    if fields.next().is_some() || e.path.ends_with(']') {
        return;
    }
    let value = match &e.check {
        Check::Equals(TestValue::Json(v))
        | Check::Contains(TestValue::Json(v), _)
        | Check::Lacks(TestValue::Json(v)) => v,
        _ => return,
    };
    let words: Vec<&str> = match value {
        Json::String(s) => vec![s.as_str()],
        Json::Array(items) => {
            items.iter().filter_map(|i| if let Json::String(s) = i { Some(s.as_str()) } else { None }).collect()
        }
        _ => return,
    };
    let (what, known) = match names {
        Names::Verdicts(d) => ("verdict", d.tiers.iter().map(|t| t.verdict.as_str()).collect::<Vec<_>>()),
        Names::Rules(d, kind) => (
            kind.and_then(|k| d.kinds.get(k)).map_or("rule", |k| k.name.as_str()),
            d.rules.iter().filter(|r| kind.is_none_or(|k| r.kind == k)).map(|r| r.id.as_str()).collect(),
        ),
        Names::Alerts(d) => ("alert", d.alerts.iter().map(|a| a.id.as_str()).collect()),
        Names::Due(d) => ("due item", d.due.iter().map(|x| x.id.as_str()).collect()),
        Names::Free => return,
    };
    for word in words.into_iter().filter(|w| !known.contains(w)) {
        let message = format!("decision `{}` has no {what} `{word}`", decision.name);
        let mut d = Diagnostic::error(Code::UnknownName, e.span, message);
        if let Some(near) = did_you_mean(word, known.iter().copied()) {
            d = d.with_hint(format!("did you mean `{near}`?"));
        }
        out.push(d);
    }
}

/// An output field of a decision.
enum Field<'a> {
    /// A decision written within it.
    Nested(&'a Decision),
    /// A field, and what its items are named after.
    Items(Names<'a>),
}

/// The field `name` of `decision`'s output, or the names it has.
fn field_names<'a>(program: &'a Program, decision: &'a Decision, name: &str) -> Result<Field<'a>, Vec<String>> {
    if name == "verdict" && !decision.tiers.is_empty() {
        return Ok(Field::Items(Names::Verdicts(decision)));
    }
    if name == "missing" {
        return Ok(Field::Items(Names::Free));
    }
    let mut known = vec!["missing".to_string()];
    if !decision.tiers.is_empty() {
        known.push("verdict".into());
    }
    for output in &decision.outputs {
        let (field, names) = match output {
            Output::Kind(k) => (decision.kinds.get(*k).map(|k| k.list.clone()), Names::Rules(decision, Some(*k))),
            Output::Reasons(list) => (Some(list.clone()), Names::Rules(decision, None)),
            Output::Value(v) => (decision.values.get(*v).map(|v| v.name.clone()), Names::Free),
            Output::Due => (Some("due".into()), Names::Due(decision)),
            Output::Alerts => (Some("alerts".into()), Names::Alerts(decision)),
        };
        match field {
            Some(f) if f == name => return Ok(Field::Items(names)),
            Some(f) => known.push(f),
            None => {}
        }
    }
    let id = program.decisions.iter().position(|d| std::ptr::eq(d, decision));
    for nested in program.decisions.iter().filter(|d| d.within.is_some_and(|w| Some(w.index()) == id)) {
        if nested.name == name {
            return Ok(Field::Nested(nested));
        }
        known.push(nested.name.clone());
    }
    Err(known)
}
