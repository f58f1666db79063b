//! A decision, checked in passes over its entries: its shape (rule kinds, output lists and
//! values, the groups it is given for), its verdicts and rules, then what reads them (values,
//! `missing of`, due items, alerts), and last the rules that hold for the whole decision: an
//! `otherwise` verdict, and no rule kind that fails open.

mod alerts;
mod due;
mod kinds;
mod missing;
mod reads;
mod values;
mod verdicts;

use crate::check::expr::{Checker, Names};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::exact::Exact;
use crate::ir::decision::{
    Alert, Decision, Due, DueCondition, Kind, MissingSource, Output, OutputValue, Rule, Tier, ValueShape, SEVERITIES,
    TONES,
};
use crate::ir::expr::Expr;
use crate::ir::schema::FieldType;
use crate::ir::Source;
use crate::ir::{position, DecisionId, GroupId, SourceId};
use crate::syntax::ast::{self, Entry};
use alerts::alert_entry;
use due::due_item;
use indexmap::IndexSet;
use kinds::shape;
use missing::missing_of;
use reads::{reads_decisions, within};
use values::value_entry;
use verdicts::{rule, verdict};

/// What the first pass finds: the rule kinds with their output lists, the output fields in
/// order, and the groups of inputs the decision is made for.
struct Shape {
    kinds: Vec<Kind>,
    outputs: Vec<Output>,
    given: Vec<GroupId>,
}

/// The second pass: verdicts in order and rules, with the ids seen.
#[derive(Default)]
struct Verdicts {
    tiers: Vec<Tier>,
    otherwise: Option<crate::diagnostic::Span>,
    rules: Vec<Rule>,
    ids: IndexSet<String>,
}

/// The third pass: what reads the verdicts and rules.
#[derive(Default)]
struct Readers {
    missing_of: Vec<(MissingSource, Option<Expr>)>,
    values: Vec<OutputValue>,
    due: Vec<Due>,
    alerts: Vec<Alert>,
}

/// Checks a decision; `None` when it has an error (reported).
pub(super) fn decision(
    d: &ast::DecisionDecl,
    names: &Names<'_>,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Decision> {
    let shape = shape(d, names, diagnostics);
    let mut ok = true;
    let mut verdicts = Verdicts::default();
    let mut readers = Readers::default();
    for entry in &d.entries {
        ok &= match entry {
            Entry::Verdict { name, tone, when, condition, span } => verdict(
                d,
                &shape,
                (name, tone.as_ref(), when.as_deref(), condition.as_ref(), *span),
                &mut verdicts,
                checker,
                diagnostics,
            ),
            Entry::Rule(r) => rule(d, &shape, r, sources, &mut verdicts, checker, diagnostics),
            _ => true,
        };
    }
    for entry in &d.entries {
        ok &= match entry {
            Entry::MissingOf { what, when } => missing_of(what, when.as_ref(), &mut readers, checker),
            Entry::Due(due) => match due_item(due, checker, diagnostics) {
                Some(item) => {
                    readers.due.push(item);
                    true
                }
                None => false,
            },
            Entry::Alert(a) => alert_entry(a, sources, &mut readers, checker, diagnostics),
            Entry::Value { name, value, verdicts: given_for, minutes_after, .. } => value_entry(
                d,
                &shape,
                &verdicts.tiers,
                (name, value, given_for, minutes_after.as_ref()),
                &mut readers,
                (names, checker),
                diagnostics,
            ),
            _ => true,
        };
    }
    ok &= whole(d, &shape, &verdicts, diagnostics);
    let within = within(d, checker, diagnostics);
    ok &= d.within.is_none() || within.is_some();
    let reads_decisions = reads_decisions(&verdicts, &readers);
    let mut labels = Vec::new();
    for e in &d.entries {
        if let Entry::List { name, label: Some(l), .. } | Entry::Value { name, label: Some(l), .. } = e {
            labels.push((name.node.clone(), l.node.clone()));
        }
    }
    ok.then(|| Decision {
        labels,
        alerts: readers.alerts,
        within,
        reads_decisions,
        due: readers.due,
        values: readers.values,
        outputs: shape.outputs,
        missing_of: readers.missing_of,
        name: d.name.node.clone(),
        title: d.title.as_ref().map(|t| t.node.clone()),
        given: shape.given,
        kinds: shape.kinds,
        rules: verdicts.rules,
        tiers: verdicts.tiers,
    })
}

/// What holds for the whole decision: an `otherwise` verdict (unless it has none, a schedule
/// of things due), and fail closed: a kind that can decide the verdict must, when undecided,
/// also decide it (typically `indeterminate`) before the default verdict is reached.
fn whole(d: &ast::DecisionDecl, shape: &Shape, verdicts: &Verdicts, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let mut ok = true;
    if verdicts.otherwise.is_none() && !verdicts.tiers.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Code::Verdict,
                d.name.span,
                format!("decision `{}` has no `otherwise` verdict", d.name.node),
            )
            .with_hint("end the verdicts with one that always holds: `verdict NAME otherwise`"),
        );
        ok = false;
    }
    for (k, kind) in shape.kinds.iter().enumerate() {
        let decides = verdicts.tiers.iter().any(|t| t.any.contains(&k));
        let covered = verdicts.tiers.iter().any(|t| t.unknown.contains(&k));
        if decides && !covered {
            diagnostics.push(
                Diagnostic::error(Code::FailOpen, d.name.span, format!("in decision `{}`, a `{}` rule that cannot be decided never changes the verdict: a patient with missing data would get a later verdict", d.name.node, kind.name))
                    .with_hint(format!("add `unknown {}` to a verdict before `otherwise`, such as `verdict indeterminate if unknown {}`", kind.name, kind.name)),
            );
            ok = false;
        } else if !decides && !kind.quiet && !kind.advisory {
            diagnostics.push(
                Diagnostic::warning(Code::UnusedKind, d.name.span, format!("`{}` rules never change the verdict of `{}`", kind.name, d.name.node))
                    .with_hint(format!("use them in a verdict (`verdict NAME if any {}`), or mark `list {} of {}` as `advisory` (listed, and unknown ones named in `missing`) or `quiet` (listed only)", kind.name, kind.list, kind.name)),
            );
        }
    }
    // A rule of a kind that decides the verdict whose condition is never unknown (`x is
    // true`): a missing input is decided as one side and never named. Meant for a record
    // ("none on record"); a warning, since elsewhere it is a patient let through unasked.
    for r in &verdicts.rules {
        let decides = verdicts.tiers.iter().any(|t| t.any.contains(&r.kind));
        if decides && !r.reads.is_empty() && !may_be_unknown(&r.when) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::FailOpen,
                    r.span,
                    format!("rule `{}` is never unknown: a missing input it reads is not named", r.id),
                )
                .with_hint(
                    "test the input (`x`, not `x is true`); `is true` is for a record, where absence means none",
                ),
            );
        }
    }
    // A verdict that lets a patient through (tone `ok` or `caution`) before one that holds
    // back more: whenever both hold, the patient gets the first.
    for (i, first) in verdicts.tiers.iter().enumerate() {
        if !matches!(first.tone.as_deref(), Some("ok" | "caution")) {
            continue;
        }
        for later in verdicts.tiers.iter().skip(i + 1) {
            if matches!(later.tone.as_deref(), Some("stop" | "hold" | "unknown" | "done")) {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::Verdict,
                        d.name.span,
                        format!("verdict `{}` comes before `{}`, which holds back more", first.verdict, later.verdict),
                    )
                    .with_hint("the first wins whenever both hold: put those that hold back first"),
                );
                break;
            }
        }
    }
    ok
}

/// Whether a condition can be unknown on some document: whatever reads an input, except `x is
/// known` (and `x is missing`), `c is true` and `c is false` (compiled `c is known and c`), a
/// constant, a group's presence and an earlier decision's verdict, which are always known;
/// but a verdict said not to be one (`eligibility.verdict != ineligible`) holds for one that
/// could not be decided (`indeterminate`), and counts as unknown.
pub(super) fn may_be_unknown(e: &Expr) -> bool {
    match e {
        Expr::Compare(crate::syntax::ast::CmpOp::Ne, a, b)
            if matches!(**a, Expr::Verdict(_)) || matches!(**b, Expr::Verdict(_)) =>
        {
            true
        }
        Expr::Const(_) | Expr::IsKnown(_) | Expr::GroupPresent(_) | Expr::Verdict(_) => false,
        Expr::And(parts) => match parts.as_slice() {
            [Expr::IsKnown(x), y] if **x == *y || matches!(y, Expr::Not(z) if **z == **x) => false,
            _ => parts.iter().any(may_be_unknown),
        },
        Expr::Or(parts) => parts.iter().any(may_be_unknown),
        Expr::Not(x) | Expr::InSet(x, _) => may_be_unknown(x),
        Expr::Compare(_, a, b) => may_be_unknown(a) || may_be_unknown(b),
        _ => true,
    }
}
