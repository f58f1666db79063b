//! A traced evaluation: besides the output, what each decision made of each of its rules
//! and alerts, the verdict it reached, each dose it gave (by ladder, route and level) and
//! each `due` item it gave.
//! Only `Protocol::evaluate_traced` records it; a plain evaluation records nothing.

use crate::eval::decide::{EvaluationError, Made, Truth};
use crate::eval::kleene::{self, Outcome};
use crate::eval::ladder;
use crate::input::Document;
use crate::ir::decision::{Alert, Decision, ValueShape};
use crate::ir::expr::{Expr, Value};
use crate::ir::Program;
use serde::Serialize;

/// What one evaluation decided, rule by rule, for each decision in the output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The decisions in the output, in the protocol's order.
    pub decisions: Vec<DecisionTrace>,
}

/// What one decision made of its rules and alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecisionTrace {
    /// The decision's name.
    pub decision: String,
    /// The verdict it reached; `None` for a decision without verdicts.
    pub verdict: Option<String>,
    /// Each rule, in the order written: its id and its truth.
    pub rules: Vec<(String, RuleTruth)>,
    /// Each alert, in the order written: its id, and whether it was raised (true), not
    /// raised (false: false at every item) or undecided.
    pub alerts: Vec<(String, RuleTruth)>,
    /// Each dose given.
    pub doses: Vec<DoseTrace>,
    /// Each `due` item, in the order written: its id, and whether the decision gave it.
    pub due: Vec<(String, bool)>,
}

/// Three-valued truth of a rule on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleTruth {
    /// The condition held.
    True,
    /// The condition was false.
    False,
    /// The condition depended on absent inputs.
    Unknown,
}

/// A dose given: the ladder, the route and the level it was given at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseTrace {
    /// The ladder's name.
    pub ladder: String,
    /// The route.
    pub route: String,
    /// The level.
    pub level: String,
}

/// Records what `decision` made on `doc` (the verdicts of the decisions above it given).
pub(crate) fn record(
    trace: &mut Trace,
    program: &Program,
    decision: &Decision,
    made: &Made,
    doc: &Document,
    verdicts: &[Option<u16>],
) -> Result<(), EvaluationError> {
    let failed = |e: crate::ir::ops::EvalError| EvaluationError::new(&decision.name, "", e.message, Some(e.span));
    let truth = |t: Truth<'_>| match t {
        Truth::True => RuleTruth::True,
        Truth::False => RuleTruth::False,
        Truth::Unknown(_) => RuleTruth::Unknown,
    };
    let rules = decision.rules.iter().enumerate().map(|(i, r)| (r.id.clone(), truth(made.truths.get(i)))).collect();
    let mut alerts = Vec::with_capacity(decision.alerts.len());
    for (index, alert) in decision.alerts.iter().enumerate() {
        let raised = made.alerts.iter().any(|(_, i)| *i == index);
        let truth = if raised { RuleTruth::True } else { not_raised(program, alert, doc, verdicts).map_err(failed)? };
        alerts.push((alert.id.clone(), truth));
    }
    let mut doses = Vec::new();
    for (value, made_value) in decision.values.iter().zip(&made.values) {
        let (ValueShape::Dose(l), Expr::Dose(_, level), Some(_)) = (&value.shape, &value.expr, made_value) else {
            continue;
        };
        let Some(ladder) = program.ladders.get(l.index()) else { continue };
        if let Some(calc) = ladder::dose_given(ladder, level, doc, verdicts, &program.ladders, &[]).map_err(failed)? {
            let name = |names: &[String], i: u16| names.get(usize::from(i)).cloned().unwrap_or_default();
            doses.push(DoseTrace {
                ladder: ladder.name.clone(),
                route: name(&ladder.routes, calc.route),
                level: name(&ladder.levels, calc.level),
            });
        }
    }
    let verdict = made.verdict.and_then(|v| decision.tiers.get(v)).map(|t| t.verdict.clone());
    // An id may be given to several entries: it is due when any of them is.
    let due_id = |item: &crate::eval::decide::DueItem| decision.due.get(item.entry).map(|e| e.id.as_str());
    let due =
        decision.due.iter().map(|d| (d.id.clone(), made.due.iter().any(|item| due_id(item) == Some(&d.id)))).collect();
    trace.decisions.push(DecisionTrace { decision: decision.name.clone(), verdict, rules, alerts, doses, due });
    Ok(())
}

/// An alert that was not raised: false when its condition is false at every item (and its
/// `or when` false), else undecided.
fn not_raised(
    program: &Program,
    alert: &Alert,
    doc: &Document,
    verdicts: &[Option<u16>],
) -> Result<RuleTruth, crate::ir::ops::EvalError> {
    let items = doc.root.lists.get(alert.list_slot.index()).and_then(Option::as_ref).map_or(0, Vec::len);
    let mut outcomes = Vec::with_capacity(items + 1);
    for i in 0..items {
        outcomes.push(kleene::eval_for_item(&alert.when, doc, verdicts, &program.ladders, i)?);
    }
    if let Some((condition, _)) = &alert.otherwise {
        outcomes.push(kleene::eval_with(condition, doc, verdicts, &program.ladders)?);
    }
    // A condition true at an item whose time is unknown leaves the alert undecided too; an
    // item no input could decide (`r.previous` at the first) is passed over, as it is when
    // the alert is raised.
    let decided = outcomes.iter().all(|o| match o {
        Outcome::Known(v) => *v == Value::Bool(false),
        Outcome::Unknown(m) => m.0.is_empty(),
    });
    Ok(if decided { RuleTruth::False } else { RuleTruth::Unknown })
}
