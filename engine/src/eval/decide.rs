//! Decisions: every rule evaluated, the verdict chosen by the first tier that holds, the
//! missing inputs gathered, and an explanation written for each rule that fired or stayed
//! undetermined.

use super::kleene::{self, EvalError, Missing, MissingRef, Outcome};
use super::program::{Decision, FieldType, Program, Value};
use crate::decision::{Citation, DecisionOutcome, Evaluation, Explanation, ProtocolRef, Reading, RuleResult};
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

/// Evaluates every decision of `program` whose groups are in `doc`.
pub fn evaluate(program: &Program, doc: &Document, protocol: ProtocolRef) -> Result<Evaluation, EvaluationError> {
    let mut decisions = IndexMap::new();
    let mut explanation = Vec::new();
    for decision in &program.decisions {
        let mut applies = decision.given.is_empty();
        for g in &decision.given {
            match doc.groups.get(*g as usize) {
                Some(present) => applies |= *present,
                None => {
                    return Err(EvaluationError {
                        decision: decision.name.clone(),
                        rule: String::new(),
                        message: "internal error: a group outside the document".into(),
                    })
                }
            }
        }
        if !applies {
            continue;
        }
        let outcome = decide(program, decision, doc, &mut explanation)?;
        decisions.insert(decision.name.clone(), outcome);
    }
    Ok(Evaluation { protocol, engine: ENGINE_VERSION, decisions, explanation })
}

fn decide(
    program: &Program,
    decision: &Decision,
    doc: &Document,
    explanation: &mut Vec<Explanation>,
) -> Result<DecisionOutcome, EvaluationError> {
    let mut truths = Vec::with_capacity(decision.rules.len());
    for rule in &decision.rules {
        let truth = match kleene::eval(&rule.when, doc) {
            Ok(Outcome::Known(Value::Bool(true))) => Truth::True,
            Ok(Outcome::Known(Value::Bool(false))) => Truth::False,
            Ok(Outcome::Unknown(m)) => Truth::Unknown(m),
            Ok(Outcome::Known(_)) => {
                return Err(EvaluationError {
                    decision: decision.name.clone(),
                    rule: rule.id.clone(),
                    message: "the condition is not true or false".into(),
                })
            }
            Err(EvalError { message, .. }) => {
                return Err(EvaluationError { decision: decision.name.clone(), rule: rule.id.clone(), message })
            }
        };
        truths.push(truth);
    }

    let mut lists: Vec<(String, Vec<String>)> = decision.kinds.iter().map(|k| (k.list.clone(), Vec::new())).collect();
    let mut missing = Missing::default();
    let mut fired_kinds = vec![false; decision.kinds.len()];
    let mut unknown_kinds = vec![false; decision.kinds.len()];
    for (rule, truth) in decision.rules.iter().zip(&truths) {
        let quiet = decision.kinds.get(rule.kind).is_some_and(|k| k.quiet);
        match truth {
            Truth::True => {
                if let Some((_, ids)) = lists.get_mut(rule.kind) {
                    ids.push(rule.id.clone());
                }
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
        if !matches!(truth, Truth::False) {
            explanation.push(explain(program, decision, rule, truth, doc));
        }
    }
    for (_, ids) in &mut lists {
        ids.sort_unstable();
    }

    let verdict = decision
        .tiers
        .iter()
        .find(|tier| {
            (tier.any.is_empty() && tier.unknown.is_empty())
                || tier.any.iter().any(|k| fired_kinds.get(*k).copied().unwrap_or(false))
                || tier.unknown.iter().any(|k| unknown_kinds.get(*k).copied().unwrap_or(false))
        })
        .map(|tier| tier.verdict.clone())
        .ok_or_else(|| EvaluationError {
            decision: decision.name.clone(),
            rule: String::new(),
            message: "no verdict holds".into(),
        })?;

    Ok(DecisionOutcome { verdict, lists, missing: paths(program, &missing) })
}

/// The dotted paths of missing fields, sorted by code point.
fn paths(program: &Program, missing: &Missing) -> Vec<String> {
    let schema = &program.schema;
    let mut out: Vec<String> = missing
        .0
        .iter()
        .filter_map(|m| match *m {
            MissingRef::Field(f) => schema.fields.get(f as usize).map(|f| f.path.clone()),
            MissingRef::List(l) => schema.lists.get(l as usize).map(|l| l.path.clone()),
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
    let read: Vec<Reading> = rule
        .reads
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
    }
}
