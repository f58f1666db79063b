//! Decisions: rule kinds and rules, the verdicts in order, what a decision writes after its
//! verdict (lists, values, due items, alerts) and where its missing inputs come from.

use super::expr::Expr;
use super::{DecisionId, FieldId, GroupId, LadderId, ListId, ListSlot, SourceId};
use crate::diagnostic::Span;
use rust_decimal::Decimal;

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Index of its kind in [`Decision::kinds`].
    pub kind: usize,
    /// Stable id, unique within its decision.
    pub id: String,
    /// The message for people.
    pub message: String,
    /// Help text.
    pub help: Option<String>,
    /// Cited sources.
    pub sources: Vec<SourceId>,
    /// Its condition.
    pub when: Expr,
    /// The fields its condition reads, sorted by declaration order.
    pub reads: Vec<FieldId>,
    /// Where it was declared.
    pub span: Span,
}

/// A kind of rule in a decision (`exclude`, `caution`, `info`).
#[derive(Debug, Clone)]
pub struct Kind {
    /// Its name as written in rules.
    pub name: String,
    /// The output list of the ids of its true rules.
    pub list: String,
    /// Quiet kinds never add to `missing`.
    pub quiet: bool,
    /// Advisory kinds never change the verdict, but unknown ones add to `missing`.
    pub advisory: bool,
}

/// One step of a decision's verdict: the first that holds is the verdict.
#[derive(Debug, Clone)]
pub struct Tier {
    /// The verdict's name.
    pub verdict: String,
    /// Holds when a rule of one of these kinds is true (`any`)...
    pub any: Vec<usize>,
    /// ... or unknown (`unknown`)...
    pub unknown: Vec<usize>,
    /// ... or when this condition is true or unknown. All empty: `otherwise`, always holds.
    pub when: Option<Expr>,
    /// The condition as written (on one line, shortened), to explain a verdict it gave.
    pub when_text: String,
    /// How the verdict looks to people, when the rule file says (`tone hold`): one of
    /// [`TONES`].
    pub tone: Option<String>,
}

/// The tones a verdict can have: display hints that say how good or bad the news is, for
/// forms (a colour and an icon) and, later, CDS Hooks card indicators. A closed, small set:
/// ok (go ahead), caution (go ahead, with care), hold (not now: wait for something), stop
/// (no), unknown (data are missing), done (finished).
pub const TONES: &[&str] = &["ok", "caution", "hold", "stop", "unknown", "done"];

/// The severities of an alert, from the least to the most urgent: forms colour them, and a
/// CDS card takes its indicator from them.
pub const SEVERITIES: &[&str] = &["info", "warning", "critical"];

/// What a decision writes after its verdict, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The ids of the true rules of a kind, by index in [`Decision::kinds`].
    Kind(usize),
    /// The ids of the true rules of the verdict's tier, under this name.
    Reasons(String),
    /// A value, by index in [`Decision::values`].
    Value(usize),
    /// The `due` list of [`Decision::due`].
    Due,
    /// The `alerts` list of [`Decision::alerts`].
    Alerts,
}

/// An alert: raised at the first item of a list where its condition is true.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// Its severity.
    pub severity: String,
    /// The message for people.
    pub message: String,
    /// Cited sources.
    pub sources: Vec<SourceId>,
    /// The list's slot in the document root.
    pub list_slot: ListSlot,
    /// The condition, with the item bound.
    pub when: Expr,
    /// The time, with the item bound.
    pub at: Expr,
    /// Otherwise: a condition and a time, without items.
    pub otherwise: Option<(Expr, Expr)>,
    /// What the staff do when it is raised, written with it in the output.
    pub action: Option<String>,
}

/// Something to do at a computed time: `due` entries of a decision.
#[derive(Debug, Clone)]
pub struct Due {
    /// Its id.
    pub id: String,
    /// What to check.
    pub checks: Vec<String>,
    /// When: a timestamp, with the item bound when `each` is given.
    pub at: Expr,
    /// Seconds after `at`, one item each; empty for one item at `at`.
    pub after: Vec<Decimal>,
    /// One item per item of this top-level list, in this slot of the document root.
    pub each: Option<(ListId, ListSlot)>,
    /// The condition it is due under, if any.
    pub when: Option<DueCondition>,
    /// `done when C`: the condition under which it is recorded as done.
    pub done: Option<Expr>,
}

/// The condition of a due item.
#[derive(Debug, Clone)]
pub enum DueCondition {
    /// `when C`: due only when the condition is true.
    When(Expr),
    /// `unless C`: due unless the condition is true, so also when it is unknown.
    Unless(Expr),
}

impl DueCondition {
    /// The condition.
    pub fn expr(&self) -> &Expr {
        match self {
            DueCondition::When(c) | DueCondition::Unless(c) => c,
        }
    }
}

/// How an output value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueShape {
    /// true or false.
    Bool,
    /// A number; with a unit, `{"value": n, "unit": "mg"}`.
    Number(Option<String>),
    /// One of these choices, as text.
    Choice(Vec<String>),
    /// A timestamp, in UTC.
    Time,
    /// A text.
    Text,
    /// A list of values of one shape.
    List(Box<ValueShape>),
    /// A ladder's dose: `{"value": n, "unit": "mg"}`, with `infusion_minutes` when the route
    /// has them.
    Dose(LadderId),
}

/// A value a decision outputs.
#[derive(Debug, Clone)]
pub struct OutputValue {
    /// The output field.
    pub name: String,
    /// Its expression.
    pub expr: Expr,
    /// How it is written.
    pub shape: ValueShape,
    /// The verdicts (indices in [`Decision::tiers`]) it is given for; empty for all.
    pub verdicts: Vec<usize>,
    /// The timestamp input (its path) it counts minutes after, a display hint.
    pub minutes_after: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A compiled decision.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Its name in the output.
    pub name: String,
    /// Title for people.
    pub title: Option<String>,
    /// Groups one of which must be present for the decision to be made; empty means always.
    pub given: Vec<GroupId>,
    /// Rule kinds, in declaration order.
    pub kinds: Vec<Kind>,
    /// Rules, in declaration order.
    pub rules: Vec<Rule>,
    /// Verdicts, in order; the last always holds.
    pub tiers: Vec<Tier>,
    /// Output values.
    pub values: Vec<OutputValue>,
    /// What follows the verdict in the output, in order.
    pub outputs: Vec<Output>,
    /// Labels for people of the outputs that have one (output name, label): display hints.
    pub labels: Vec<(String, String)>,
    /// Other sources of missing inputs, joined when their condition holds (always without one).
    pub missing_of: Vec<(MissingSource, Option<Expr>)>,
    /// Things to do at computed times, written as the `due` list.
    pub due: Vec<Due>,
    /// The earlier decisions it reads: they are made even when not output.
    pub reads_decisions: Vec<DecisionId>,
    /// Alerts, written as the `alerts` list.
    pub alerts: Vec<Alert>,
    /// The earlier decision whose output holds this one's, as a field named after it.
    pub within: Option<DecisionId>,
}

/// Where a decision's `missing of` entry takes missing inputs from.
#[derive(Debug, Clone)]
pub enum MissingSource {
    /// An earlier decision.
    Decision(DecisionId),
    /// The absent inputs that leave this expression unknown.
    Expr(Expr),
}
