//! Decisions: every rule evaluated, the verdict chosen by the first tier that holds, the
//! missing inputs gathered, and an explanation written for each rule that fired or stayed
//! undetermined.

use super::kleene::{self, Missing, Outcome, Scope, Verdicts};
use super::quick::{self, Memo, Quick};
pub(crate) use super::truths::{Truth, Truths};
use crate::decision::{DecisionOutcome, Evaluation, Explanation, OutputField, ProtocolRef};
use crate::exact::Exact;
use crate::flags::Flags;
use crate::input::Document;
use crate::ir::decision::{Alert, Decision, DueCondition, MissingSource, Tier, ValueShape};
use crate::ir::expr::{Expr, Value};
use crate::ir::ops::EvalError;
use crate::ir::ListSlot;
use crate::ir::Program;
use crate::output::{explain, outcome};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use std::cell::Cell;

/// An evaluation that could not be completed: never read as a verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvaluationError {
    /// The decision.
    pub decision: String,
    /// The rule.
    pub rule: String,
    /// What went wrong.
    pub message: String,
    /// Where in the rule file the expression that failed is written (1-based), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Its 1-based column, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The byte offset of the expression that failed, located by the protocol that knows
    /// the source.
    #[serde(skip)]
    pub(crate) offset: Option<u32>,
}

impl EvaluationError {
    /// An error of a decision's rule, with the place of the expression that failed if any.
    pub(crate) fn new(decision: &str, rule: &str, message: String, span: Option<crate::diagnostic::Span>) -> Self {
        // Internal errors carry no place: an empty span names nothing.
        let offset = span.filter(|s| s.end > s.start).and_then(|s| u32::try_from(s.start).ok());
        EvaluationError {
            decision: decision.to_string(),
            rule: rule.to_string(),
            message,
            line: None,
            column: None,
            offset,
        }
    }

    /// Names the line and column of its expression in `source`, the rule file it ran.
    pub(crate) fn located(mut self, source: &str) -> Self {
        if let Some(offset) = self.offset {
            let (line, column, _) = crate::diagnostic::line_col(source, (offset as usize).min(source.len()));
            (self.line, self.column) = (u32::try_from(line).ok(), u32::try_from(column).ok());
        }
        self
    }
}

impl std::fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decision `{}`, rule `{}`", self.decision, self.rule)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for EvaluationError {}

/// Why a decision was not made: an error, or an unknown the quick evaluator cannot name
/// (the decision is made again by the full evaluator).
pub(crate) enum Halt {
    /// The evaluation failed.
    Failed(EvaluationError),
    /// Make the decision again with the full evaluator.
    Retry,
}

impl From<EvaluationError> for Halt {
    fn from(e: EvaluationError) -> Self {
        Halt::Failed(e)
    }
}

/// The version of this engine, written into every output.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Evaluates every decision of `program`, in order (a decision may read the verdicts of
/// those above it), and outputs those whose groups are in `doc`.
pub(crate) fn evaluate(
    program: &Program,
    doc: &Document,
    protocol: ProtocolRef,
) -> Result<Evaluation, EvaluationError> {
    evaluate_traced::<NoRecord, EXPLAINED>(program, doc, protocol, None)
}

/// Whether an evaluation builds its explanation, as the `EXPLAIN` parameter of
/// [`evaluate_traced`]: every rule that fired or stayed undetermined, every alert and dose,
/// explained; or the decisions only (a batch, a comparison), the explanation left empty. A
/// parameter of the type, so that each kind of evaluation holds only its own code.
pub(crate) const EXPLAINED: bool = true;
/// See [`EXPLAINED`].
pub(crate) const UNEXPLAINED: bool = false;

/// An evaluation that records nothing: the type of the recorder [`evaluate_traced`] is not
/// given. Evaluation is generic over its recorder, so that the code of an evaluation without
/// one (the browser's) holds none of the recording.
pub(crate) type NoRecord = fn(&Decision, &Made, &Document, &Verdicts) -> Result<(), EvaluationError>;

/// [`evaluate`], with or without the explanation, calling `record`, when given, with what
/// each decision output made of its rules, the document and the verdicts so far (for `kap
/// test --coverage`).
pub(crate) fn evaluate_traced<R, const EXPLAIN: bool>(
    program: &Program,
    doc: &Document,
    protocol: ProtocolRef,
    record: Option<&mut R>,
) -> Result<Evaluation, EvaluationError>
where
    R: FnMut(&Decision, &Made, &Document, &Verdicts) -> Result<(), EvaluationError>,
{
    let (made, explanation) = make_all::<R, EXPLAIN>(program, doc, record, true)?;
    Ok(assemble(program, &made, protocol, explanation))
}

/// The decisions made on a document: each decision that is output, by its index in the
/// program, with what it made, in the program's order.
pub(crate) type MadeAll = Vec<(usize, Made)>;

/// Makes every decision of `program` that is output on `doc` (and those they read), in
/// order, with the explanation of those output when `EXPLAIN`; `record`, when given, is
/// called with what each decision output made. Each decision is made `quick`ly first (see
/// [`super::quick`]) unless told otherwise: both ways give the same.
pub(crate) fn make_all<R, const EXPLAIN: bool>(
    program: &Program,
    doc: &Document,
    mut record: Option<&mut R>,
    quick: bool,
) -> Result<(MadeAll, Vec<Explanation>), EvaluationError>
where
    R: FnMut(&Decision, &Made, &Document, &Verdicts) -> Result<(), EvaluationError>,
{
    let mut made_all = Vec::new();
    let mut explanation = Vec::new();
    let mut verdicts: Vec<Option<u16>> = Vec::with_capacity(program.decisions.len());
    let mut missings: Vec<Missing> = Vec::with_capacity(program.decisions.len());
    let (applies, needed) = applies_and_needed(program, doc)?;
    // The shared subexpressions' values, computed once on this document by the quick evaluator.
    let memo: Option<Vec<Cell<Option<Quick>>>> = quick.then(|| vec![Cell::new(None); program.shared.len()]);
    for (i, decision) in program.decisions.iter().enumerate() {
        let fail = |message: &str| EvaluationError::new(&decision.name, "", format!("internal error: {message}"), None);
        let applies = applies.contains(i);
        if !needed.contains(i) {
            // Nothing reads it: keep the indices of later decisions in step.
            verdicts.push(None);
            missings.push(Missing::default());
            continue;
        }
        // Explanations only for the decisions that are output, and when asked.
        let mut notes = (applies && EXPLAIN).then(Vec::new);
        // Quickly when nothing is missing; otherwise again, naming what is missing.
        let made = match decide(program, decision, doc, &verdicts, &missings, notes.as_mut(), memo.as_deref()) {
            Ok(made) => made,
            Err(Halt::Failed(e)) => return Err(e),
            Err(Halt::Retry) => {
                if let Some(n) = notes.as_mut() {
                    n.clear();
                }
                match decide(program, decision, doc, &verdicts, &missings, notes.as_mut(), None) {
                    Ok(made) => made,
                    Err(Halt::Failed(e)) => return Err(e),
                    Err(Halt::Retry) => return Err(fail("the full evaluator halted")),
                }
            }
        };
        verdicts.push(made.verdict.map(|v| u16::try_from(v).map_err(|_| fail("too many verdicts"))).transpose()?);
        missings.push(made.missing.clone());
        if applies {
            explanation.extend(notes.unwrap_or_default());
            for (v, value) in decision.values.iter().zip(&made.values).filter(|_| EXPLAIN) {
                if let (ValueShape::Dose(l), Expr::Dose(_, level), Some(_)) = (&v.shape, &v.expr, value) {
                    let trace = explain::dose_trace(
                        program,
                        decision,
                        *l,
                        level,
                        doc,
                        &verdicts,
                        memo.as_deref().unwrap_or(&[]),
                    )?;
                    explanation.extend(trace);
                }
            }
            if let Some(record) = record.as_mut() {
                record(decision, &made, doc, &verdicts)?;
            }
            made_all.push((i, made));
        }
    }
    Ok((made_all, explanation))
}

/// Which decisions apply to `doc` (their groups are in it), and which are needed: those that
/// apply and those a needed decision reads.
fn applies_and_needed(program: &Program, doc: &Document) -> Result<(Flags, Flags), EvaluationError> {
    let mut applies = Flags::new(program.decisions.len());
    for (i, decision) in program.decisions.iter().enumerate() {
        let mut a = decision.given.is_empty();
        for g in &decision.given {
            a |= *doc.groups.get(g.index()).ok_or_else(|| {
                EvaluationError::new(&decision.name, "", "internal error: a group outside the document".into(), None)
            })?;
        }
        if a {
            applies.insert(i);
        }
    }
    let mut needed = applies.clone();
    for (i, decision) in program.decisions.iter().enumerate().rev() {
        if needed.contains(i) {
            for d in &decision.reads_decisions {
                needed.insert(d.index());
            }
        }
    }
    Ok((applies, needed))
}

/// The output of the decisions made: each one's outcome, a decision `within` another a field
/// of that one's output.
pub(crate) fn assemble(
    program: &Program,
    made_all: &[(usize, Made)],
    protocol: ProtocolRef,
    explanation: Vec<Explanation>,
) -> Evaluation {
    let mut decisions: IndexMap<String, DecisionOutcome> = IndexMap::new();
    for (i, made) in made_all {
        let Some(decision) = program.decisions.get(*i) else { continue };
        let made_outcome = outcome::outcome(program, decision, made);
        // A decision `within` another is a field of its output, when that one is made.
        let parent = decision.within.and_then(|p| program.decision(p)).map(|p| p.name.clone());
        match parent.and_then(|p| decisions.get_mut(&p)) {
            Some(parent) => {
                parent.fields.push((decision.name.clone(), OutputField::Value(made_outcome.into_value())));
            }
            None => {
                decisions.insert(decision.name.clone(), made_outcome);
            }
        }
    }
    Evaluation { protocol, engine: ENGINE_VERSION, decisions, explanation }
}

/// An output value made, when it is known: the value, and the infusion minutes of a dose
/// given by infusion.
pub(crate) type MadeValue = Option<(Value, Option<Decimal>)>;

/// When an alert was raised, and at which item of its list (none when by its `or when`).
pub(crate) type Raised = Option<(Decimal, Option<usize>)>;

/// A `due` item: when, its entry (which names its id and what to check), and whether it is
/// recorded as done (`None` when its entry has no `done when`).
#[derive(Debug)]
pub(crate) struct DueItem {
    pub(crate) at: Decimal,
    /// Its entry's index in the decision's `due`.
    pub(crate) entry: usize,
    pub(crate) done: Option<bool>,
}

/// The offset of a `due` entry without `after`: at its time.
const AT_ITS_TIME: [Decimal; 1] = [Decimal::ZERO];

/// A decision made: its verdict (index in its tiers), the truth of each rule, its missing
/// inputs and its output values.
#[derive(Debug)]
pub(crate) struct Made {
    /// `None` for a decision without verdicts (a schedule).
    pub(crate) verdict: Option<usize>,
    /// Its `due` items, ordered by time then id.
    pub(crate) due: Vec<DueItem>,
    /// Its alerts raised, ordered by time then id: time, and the alert's index in the
    /// decision.
    pub(crate) alerts: Vec<(Decimal, usize)>,
    pub(crate) truths: Truths,
    pub(crate) missing: Missing,
    /// Each value, with the infusion minutes of a dose given by infusion.
    pub(crate) values: Vec<MadeValue>,
}

/// Whether a tier holds by its rule kinds: one of its `any` kinds has a true rule, or one of
/// its `unknown` kinds an unknown one.
fn by_rules(tier: &Tier, fired: &Flags, unknown: &Flags) -> bool {
    tier.any.iter().any(|k| fired.contains(*k)) || tier.unknown.iter().any(|k| unknown.contains(*k))
}

/// One decision being made on one document.
struct Making<'a> {
    /// By the quick evaluator, with the values of the shared subexpressions it computed on
    /// this document, when given: it halts the decision at an unknown that names something or
    /// an error, for the full evaluator to make it again.
    quick: Option<&'a Memo>,
    program: &'a Program,
    decision: &'a Decision,
    doc: &'a Document,
    /// The verdicts of the decisions above it.
    verdicts: &'a Verdicts,
}

impl Making<'_> {
    fn error(&self, rule: &str, message: String) -> Halt {
        Halt::Failed(EvaluationError::new(&self.decision.name, rule, message, None))
    }

    /// An evaluation error of a rule, with the place of the expression that failed.
    fn failed(&self, rule: &str, EvalError { message, span }: EvalError) -> EvaluationError {
        EvaluationError::new(&self.decision.name, rule, message, Some(span))
    }

    /// An expression on the document, outside any list item.
    fn eval(&self, e: &Expr, rule: &str) -> Result<Outcome, Halt> {
        self.eval_at(e, None, rule)
    }

    /// An expression at the item `index` of the list it iterates (outside any list item when
    /// `None`).
    fn eval_at(&self, e: &Expr, index: Option<usize>, rule: &str) -> Result<Outcome, Halt> {
        if let Some(shared) = self.quick {
            let scope = Scope { doc: self.doc, verdicts: self.verdicts, ladders: &self.program.ladders, shared };
            return match quick::eval(e, &scope, index) {
                Quick::Known(v) => Ok(Outcome::Known(v)),
                Quick::Unknown { names: false } => Ok(Outcome::Unknown(Missing::default())),
                Quick::Unknown { names: true } | Quick::Stop => Err(Halt::Retry),
            };
        }
        match index {
            Some(i) => kleene::eval_for_item(e, self.doc, self.verdicts, &self.program.ladders, i),
            None => kleene::eval_with(e, self.doc, self.verdicts, &self.program.ladders),
        }
        .map_err(|e| Halt::Failed(self.failed(rule, e)))
    }

    /// The number of items of a list of the document (none when it is absent).
    fn items(&self, list_slot: ListSlot) -> usize {
        self.doc.root.lists.get(list_slot.index()).and_then(Option::as_ref).map_or(0, Vec::len)
    }

    /// Every rule, evaluated: whatever the verdict, each is true, false or unknown.
    fn truths(&self) -> Result<Truths, Halt> {
        let mut truths = Truths::new(self.decision.rules.len());
        if let Some(shared) = self.quick {
            let scope = Scope { doc: self.doc, verdicts: self.verdicts, ladders: &self.program.ladders, shared };
            for (i, rule) in self.decision.rules.iter().enumerate() {
                match quick::eval(&rule.when, &scope, None) {
                    Quick::Known(Value::Bool(true)) => truths.set_true(i),
                    Quick::Known(Value::Bool(false)) => {}
                    Quick::Unknown { names: false } => truths.set_unknown(i, Missing::default()),
                    // An error, its place named, and a condition not true or false, by the
                    // full evaluator.
                    _ => return Err(Halt::Retry),
                }
            }
            return Ok(truths);
        }
        for (i, rule) in self.decision.rules.iter().enumerate() {
            match self.eval(&rule.when, &rule.id)? {
                Outcome::Known(Value::Bool(true)) => truths.set_true(i),
                Outcome::Known(Value::Bool(false)) => {}
                Outcome::Unknown(m) => truths.set_unknown(i, m),
                Outcome::Known(_) => return Err(self.error(&rule.id, "the condition is not true or false".into())),
            }
        }
        Ok(truths)
    }

    /// Which rule kinds have a true rule and which an unknown one; the unknown rules of kinds
    /// that are not quiet name their absent inputs.
    fn kinds(&self, truths: &Truths, missing: &mut Missing) -> (Flags, Flags) {
        let n = self.decision.kinds.len();
        let (mut fired, mut unknown) = (Flags::new(n), Flags::new(n));
        let rules = &self.decision.rules;
        for rule in truths.true_rules() {
            if let Some(r) = rules.get(rule) {
                fired.insert(r.kind);
            }
        }
        for (rule, m) in truths.unknown_rules() {
            let Some(k) = rules.get(rule).map(|r| r.kind) else { continue };
            if !self.decision.kinds.get(k).is_some_and(|k| k.quiet) {
                missing.merge(m);
            }
            unknown.insert(k);
        }
        (fired, unknown)
    }

    /// The first tier that holds: by its rule kinds, or by its `when` condition, which holds
    /// when true and also when unknown (fail closed), naming then what it is missing.
    fn verdict(&self, fired: &Flags, unknown: &Flags, missing: &mut Missing) -> Result<Option<usize>, Halt> {
        for (index, tier) in self.decision.tiers.iter().enumerate() {
            let otherwise = tier.any.is_empty() && tier.unknown.is_empty() && tier.when.is_none();
            let by_rules = by_rules(tier, fired, unknown);
            let (by_condition, undecided) = match &tier.when {
                Some(e) => match self.eval(e, &tier.verdict)? {
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
                return Ok(Some(index));
            }
        }
        if self.decision.tiers.is_empty() {
            Ok(None)
        } else {
            Err(self.error("", "no verdict holds".into()))
        }
    }

    /// A verdict given by its condition, not by rules, explained by the condition (evaluated
    /// again, for an explained evaluation only; out of line, off the path of a decision
    /// without explanation).
    #[inline(never)]
    fn explain_verdict(
        &self,
        verdict: Option<usize>,
        fired: &Flags,
        unknown: &Flags,
        notes: &mut Vec<Explanation>,
    ) -> Result<(), Halt> {
        let Some(tier) = verdict.and_then(|v| self.decision.tiers.get(v)) else { return Ok(()) };
        if let (Some(when), false) = (&tier.when, by_rules(tier, fired, unknown)) {
            let outcome = self.eval(when, &tier.verdict)?;
            let truth = if let Outcome::Unknown(m) = &outcome { Truth::Unknown(m) } else { Truth::True };
            notes.push(explain::explain_verdict(self.program, self.decision, tier, when, &truth, self.doc));
        }
        Ok(())
    }

    /// `missing of DECISION when C` and `missing of EXPR`: what they add to `missing`.
    fn missing_of(&self, missings: &[Missing], missing: &mut Missing) -> Result<(), Halt> {
        for (source, when) in &self.decision.missing_of {
            if let Some(w) = when {
                if matches!(self.eval(w, "")?, Outcome::Known(Value::Bool(false))) {
                    continue;
                }
            }
            match source {
                MissingSource::Decision(other) => {
                    if let Some(m) = missings.get(other.index()) {
                        missing.merge(m);
                    }
                }
                MissingSource::Expr(e) => {
                    if let Outcome::Unknown(m) = self.eval(e, "")? {
                        missing.merge(&m);
                    }
                }
            }
        }
        Ok(())
    }

    /// Each output value given for this verdict, when it is known.
    fn values(&self, verdict: Option<usize>) -> Result<Vec<MadeValue>, Halt> {
        let mut values = Vec::with_capacity(self.decision.values.len());
        for v in &self.decision.values {
            let given = v.verdicts.is_empty() || verdict.is_some_and(|x| v.verdicts.contains(&x));
            values.push(match (given, self.eval(&v.expr, &v.name)?) {
                (true, Outcome::Known(value)) => Some((value, outcome::infusion(self.program, &v.shape, self.doc))),
                _ => None,
            });
        }
        Ok(values)
    }

    /// The `due` items, ordered by time then id.
    fn due(&self) -> Result<Vec<DueItem>, Halt> {
        let mut due = Vec::new();
        for (entry, item) in self.decision.due.iter().enumerate() {
            // One item, or one per item of its list.
            let count = item.each.map_or(1, |(_, slot)| self.items(slot));
            for index in (0..count).map(|i| item.each.map(|_| i)) {
                let included = match &item.when {
                    None => true,
                    Some(DueCondition::When(c)) => {
                        matches!(self.eval_at(c, index, &item.id)?, Outcome::Known(Value::Bool(true)))
                    }
                    Some(DueCondition::Unless(c)) => {
                        !matches!(self.eval_at(c, index, &item.id)?, Outcome::Known(Value::Bool(true)))
                    }
                };
                if !included {
                    continue;
                }
                let Outcome::Known(Value::Time(at)) = self.eval_at(&item.at, index, &item.id)? else { continue };
                let done = match &item.done {
                    Some(c) => Some(matches!(self.eval_at(c, index, &item.id)?, Outcome::Known(Value::Bool(true)))),
                    None => None,
                };
                let offsets = if item.after.is_empty() { &AT_ITS_TIME[..] } else { &item.after[..] };
                for off in offsets {
                    let when = at.add_exact(*off).ok_or_else(|| self.error(&item.id, "a time overflows".into()))?;
                    due.push(DueItem { at: when, entry, done });
                }
            }
        }
        let id = |d: &DueItem| self.decision.due.get(d.entry).map(|e| e.id.as_str());
        due.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| id(a).cmp(&id(b))));
        Ok(due)
    }

    /// Whether an alert is raised, and when: at the first item where its condition is true
    /// (else by its `or when` condition, at its time). Every item where it is unknown names
    /// its absent inputs, whether or not the alert was raised elsewhere.
    fn alert(&self, alert: &Alert) -> Result<(Raised, Missing), Halt> {
        let time = |outcome: Outcome, undecided: &mut Missing| match outcome {
            Outcome::Known(Value::Time(t)) => Ok(Some(t)),
            Outcome::Unknown(m) => {
                undecided.merge(&m);
                Ok(None)
            }
            Outcome::Known(_) => Err(self.error(&alert.id, "an alert time that is not a timestamp".into())),
        };
        let mut raised = None;
        let mut undecided = Missing::default();
        for i in 0..self.items(alert.list_slot) {
            match self.eval_at(&alert.when, Some(i), &alert.id)? {
                Outcome::Known(Value::Bool(true)) if raised.is_none() => {
                    if let Some(t) = time(self.eval_at(&alert.at, Some(i), &alert.id)?, &mut undecided)? {
                        raised = Some((t, Some(i)));
                    }
                }
                Outcome::Unknown(m) => undecided.merge(&m),
                _ => {}
            }
        }
        if let (None, Some((cond, at))) = (raised, &alert.otherwise) {
            match self.eval(cond, &alert.id)? {
                Outcome::Known(Value::Bool(true)) => {
                    if let Some(t) = time(self.eval(at, &alert.id)?, &mut undecided)? {
                        raised = Some((t, None));
                    }
                }
                Outcome::Unknown(m) => undecided.merge(&m),
                Outcome::Known(_) => {}
            }
        }
        Ok((raised, undecided))
    }
}

/// Makes one decision: every rule, the verdict, the missing inputs, the values, the due
/// items and the alerts, with an explanation of each rule and alert that fired or stayed
/// undetermined when `explanation` is given.
fn decide(
    program: &Program,
    decision: &Decision,
    doc: &Document,
    verdicts: &Verdicts,
    missings: &[Missing],
    mut explanation: Option<&mut Vec<Explanation>>,
    quick: Option<&Memo>,
) -> Result<Made, Halt> {
    let making = Making { quick, program, decision, doc, verdicts };
    let truths = making.truths()?;
    let mut missing = Missing::default();
    let (fired, unknown) = making.kinds(&truths, &mut missing);
    if let Some(notes) = explanation.as_deref_mut() {
        for (i, rule) in decision.rules.iter().enumerate() {
            let truth = truths.get(i);
            if !matches!(truth, Truth::False) {
                notes.push(explain::explain_rule(program, decision, rule, &truth, doc));
            }
        }
    }
    let verdict = making.verdict(&fired, &unknown, &mut missing)?;
    if let Some(notes) = explanation.as_deref_mut() {
        making.explain_verdict(verdict, &fired, &unknown, notes)?;
    }
    making.missing_of(missings, &mut missing)?;
    let values = making.values(verdict)?;
    let due = making.due()?;
    let mut alerts = Vec::new();
    for (index, alert) in decision.alerts.iter().enumerate() {
        let (raised, undecided) = making.alert(alert)?;
        missing.merge(&undecided);
        if let Some((t, _)) = raised {
            alerts.push((t, index));
        }
        if let (Some(notes), true) = (explanation.as_deref_mut(), raised.is_some() || !undecided.0.is_empty()) {
            notes.push(explain::explain_alert(program, decision, alert, raised, &undecided, doc));
        }
    }
    let id = |index: usize| decision.alerts.get(index).map(|a| a.id.as_str());
    alerts.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| id(a.1).cmp(&id(b.1))));
    Ok(Made { verdict, due, alerts, truths, missing, values })
}
