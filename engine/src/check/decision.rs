//! A decision, checked in passes over its entries: its shape (rule kinds, output lists and
//! values, the groups it is given for), its verdicts and rules, then what reads them (values,
//! `missing of`, due items, alerts), and last the rules that hold for the whole decision: an
//! `otherwise` verdict, and no rule kind that fails open.

use super::expr::{Checker, Names};
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
use indexmap::IndexSet;

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

/// The first pass: rule kinds (`list NAME of KIND`, `kinds`), the output fields in order,
/// and `given`.
fn shape(d: &ast::DecisionDecl, names: &Names<'_>, diagnostics: &mut Vec<Diagnostic>) -> Shape {
    let mut shape = Shape { kinds: Vec::new(), outputs: Vec::new(), given: Vec::new() };
    let mut reasons_seen = false;
    let mut value_count = 0;
    for entry in &d.entries {
        match entry {
            Entry::List { name, kind, .. } if kind.node == "verdict" => {
                if reasons_seen {
                    diagnostics.push(
                        Diagnostic::error(Code::Duplicate, kind.span, "the verdict's reasons are listed twice")
                            .with_hint("keep one `list NAME of verdict`"),
                    );
                }
                reasons_seen = true;
                shape.outputs.push(Output::Reasons(name.node.clone()));
            }
            Entry::Value { .. } => {
                shape.outputs.push(Output::Value(value_count));
                value_count += 1;
            }
            Entry::Due(_) if !shape.outputs.contains(&Output::Due) => shape.outputs.push(Output::Due),
            Entry::Alert(_) if !shape.outputs.contains(&Output::Alerts) => shape.outputs.push(Output::Alerts),
            Entry::Kinds(kinds) => {
                for kind in kinds {
                    if shape.kinds.iter().any(|k| k.name == kind.node) {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::Duplicate,
                                kind.span,
                                format!("rule kind `{}` is declared twice", kind.node),
                            )
                            .with_hint("declare each kind once"),
                        );
                    } else {
                        shape.kinds.push(Kind {
                            name: kind.node.clone(),
                            list: String::new(),
                            quiet: false,
                            advisory: false,
                        });
                    }
                }
            }
            Entry::List { name, kind, quiet, advisory, .. } => {
                list_entry(&mut shape, name, kind, (*quiet, *advisory), diagnostics)
            }
            Entry::Given(paths) => given(&mut shape, paths, names, diagnostics),
            _ => {}
        }
    }
    shape
}

/// `list NAME of KIND [quiet|advisory]`: a rule kind and its output list.
fn list_entry(
    shape: &mut Shape,
    name: &ast::Name,
    kind: &ast::Name,
    (quiet, advisory): (bool, bool),
    diagnostics: &mut Vec<Diagnostic>,
) {
    if shape.kinds.iter().any(|k| k.name == kind.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, kind.span, format!("rule kind `{}` is listed twice", kind.node))
                .with_hint("one `list` entry per kind"),
        );
    } else if shape.kinds.iter().any(|k| k.list == name.node) || name.node == "verdict" || name.node == "missing" {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("output field `{}` is already used", name.node))
                .with_hint("choose another name for the list"),
        );
    } else {
        shape.outputs.push(Output::Kind(shape.kinds.len()));
        shape.kinds.push(Kind { name: kind.node.clone(), list: name.node.clone(), quiet, advisory });
    }
}

/// `given GROUP or GROUP`: the groups of inputs whose presence makes the decision.
fn given(shape: &mut Shape, paths: &[ast::Name], names: &Names<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for p in paths {
        match names.group(&p.node) {
            Some(g) => shape.given.push(g),
            None => {
                let hint = match did_you_mean(&p.node, names.group_paths()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the groups are {}", names.group_paths().collect::<Vec<_>>().join(", ")),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownName, p.span, format!("no group of inputs named `{}`", p.node))
                        .with_hint(hint),
                );
            }
        }
    }
}

impl Shape {
    /// The index of a rule kind of the decision, or an error naming the nearest.
    fn kind_index(&self, d: &ast::DecisionDecl, name: &ast::Name, diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
        let found = self.kinds.iter().position(|k| k.name == name.node);
        if found.is_none() {
            let hint = match did_you_mean(&name.node, self.kinds.iter().map(|k| k.name.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None if self.kinds.is_empty() => {
                    format!("declare it in the decision: `list OUTPUT of {}` or `kinds {}`", name.node, name.node)
                }
                None => format!(
                    "the kinds of `{}` are {}",
                    d.name.node,
                    self.kinds.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownKind,
                    name.span,
                    format!("no rule kind `{}` in decision `{}`", name.node, d.name.node),
                )
                .with_hint(hint),
            );
        }
        found
    }
}

/// A verdict entry's parts: name, tone, `any`/`unknown` terms (none for `otherwise`), `when`
/// condition, and the whole entry.
type VerdictParts<'e> =
    (&'e ast::Name, Option<&'e ast::Name>, Option<&'e [ast::TierTerm]>, Option<&'e ast::Expr>, crate::diagnostic::Span);

/// `verdict NAME if any K or unknown K or when C [tone T]`, or `verdict NAME otherwise`.
fn verdict(
    d: &ast::DecisionDecl,
    shape: &Shape,
    (name, tone, terms, condition, span): VerdictParts<'_>,
    verdicts: &mut Verdicts,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    if verdicts.otherwise.is_some() {
        diagnostics.push(
            Diagnostic::error(Code::Verdict, span, "a verdict after `otherwise` can never be reached")
                .with_hint("`verdict NAME otherwise` comes last"),
        );
        ok = false;
    }
    if verdicts.tiers.iter().any(|t| t.verdict == name.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("verdict `{}` is listed twice", name.node))
                .with_hint("merge the conditions with `or`"),
        );
        ok = false;
    }
    let tone = tone
        .filter(|t| super::one_of(t, TONES, (Code::UnknownTone, "tone", "tones"), diagnostics))
        .map(|t| t.node.clone());
    let mut tier = Tier { verdict: name.node.clone(), any: Vec::new(), unknown: Vec::new(), when: None, tone };
    if let Some(c) = condition {
        match checker.condition(c, "a verdict's `when` condition") {
            Some(e) => tier.when = Some(e),
            None => ok = false,
        }
    }
    match terms {
        None => verdicts.otherwise = Some(span),
        Some(terms) => {
            for term in terms {
                match shape.kind_index(d, &term.kind, diagnostics) {
                    Some(k) if term.any => tier.any.push(k),
                    Some(k) => tier.unknown.push(k),
                    None => ok = false,
                }
            }
        }
    }
    verdicts.tiers.push(tier);
    ok
}

/// `KIND id "message" when C [SOURCES] help "..."`.
fn rule(
    d: &ast::DecisionDecl,
    shape: &Shape,
    r: &ast::RuleDecl,
    sources: &[Source],
    verdicts: &mut Verdicts,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    let kind = shape.kind_index(d, &r.kind, diagnostics);
    if !verdicts.ids.insert(r.id.node.clone()) {
        diagnostics.push(
            Diagnostic::error(
                Code::Duplicate,
                r.id.span,
                format!("rule id `{}` is used twice in decision `{}`", r.id.node, d.name.node),
            )
            .with_hint("ids are stable names that outputs and tests rely on: give each rule its own"),
        );
        ok = false;
    }
    let cited = match citations(&r.cites, sources, diagnostics) {
        Some(cited) => cited,
        None => {
            ok = false;
            Vec::new()
        }
    };
    if r.cites.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::NoSource, r.id.span, format!("rule `{}` cites no source", r.id.node))
                .with_hint("cite the evidence in brackets after the condition: `[K2]`"),
        );
    }
    let when = checker.rule_condition(&r.when);
    let (Some(kind), Some(when)) = (kind, when) else { return false };
    let mut reads = Vec::new();
    when.visit_fields(&mut |f| reads.push(f));
    reads.sort_unstable();
    reads.dedup();
    verdicts.rules.push(Rule {
        kind,
        id: r.id.node.clone(),
        message: r.message.node.clone(),
        help: r.help.as_ref().map(|h| h.node.clone()),
        sources: cited,
        when,
        reads,
        span: r.span,
    });
    ok
}

/// The sources cited: `None` when one is not declared or cited twice (reported).
pub(super) fn citations(
    keys: &[ast::Name],
    sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<SourceId>> {
    let mut cited = Vec::new();
    let mut ok = true;
    for key in keys {
        match position(sources, |s| s.key == key.node) {
            Some(i) if cited.contains(&i) => {
                diagnostics.push(
                    Diagnostic::error(Code::Duplicate, key.span, format!("source `{}` is cited twice", key.node))
                        .with_hint("cite each source once"),
                );
                ok = false;
            }
            Some(i) => cited.push(i),
            None => {
                let hint = match did_you_mean(&key.node, sources.iter().map(|s| s.key.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("declare it: `source {} \"Title\" url \"...\"`", key.node),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownSource, key.span, format!("source `{}` is not declared", key.node))
                        .with_hint(hint),
                );
                ok = false;
            }
        }
    }
    ok.then_some(cited)
}

/// `missing of DECISION [when C]` or `missing of EXPR [when C]`.
fn missing_of(
    what: &ast::Expr,
    when: Option<&ast::Expr>,
    readers: &mut Readers,
    checker: &mut Checker<'_, '_>,
) -> bool {
    let decision = match &what.node {
        ast::ExprKind::Name(n) => checker.decision_index(n),
        _ => None,
    };
    let source = match decision {
        Some(index) => MissingSource::Decision(index),
        None => match checker.expr(what) {
            Some((e, _)) => MissingSource::Expr(e),
            None => return false,
        },
    };
    let when = match when {
        Some(w) => match checker.condition(w, "the condition of `missing of`") {
            Some(e) => Some(e),
            None => return false,
        },
        None => None,
    };
    readers.missing_of.push((source, when));
    true
}

/// An `alert` entry, once per id.
fn alert_entry(
    a: &ast::AlertDecl,
    sources: &[Source],
    readers: &mut Readers,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let Some(item) = alert(a, sources, checker, diagnostics) else { return false };
    let fresh = !readers.alerts.iter().any(|x| x.id == item.id);
    if !fresh {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, a.id.span, format!("alert `{}` is declared twice", a.id.node))
                .with_hint("one alert per id: join the conditions with `or`"),
        );
    }
    readers.alerts.push(item);
    fresh
}

/// A value entry's parts: name, expression, the verdicts it is given for, `minutes after`.
type ValueParts<'e> = (&'e ast::Name, &'e ast::Expr, &'e [ast::Name], Option<&'e ast::Name>);

/// `value NAME ["label"] [minutes after T] = EXPR [for V, V]`: an output value.
fn value_entry(
    d: &ast::DecisionDecl,
    shape: &Shape,
    tiers: &[Tier],
    (name, value, given_for, minutes_after): ValueParts<'_>,
    readers: &mut Readers,
    (names, checker): (&Names<'_>, &mut Checker<'_, '_>),
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    let mut verdicts = Vec::new();
    for v in given_for {
        match tiers.iter().position(|t| t.verdict == v.node) {
            Some(i) => verdicts.push(i),
            None => {
                let hint = match did_you_mean(&v.node, tiers.iter().map(|t| t.verdict.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "the verdicts are {}",
                        tiers.iter().map(|t| t.verdict.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        v.span,
                        format!("no verdict `{}` in `{}`", v.node, d.name.node),
                    )
                    .with_hint(hint),
                );
                ok = false;
            }
        }
    }
    if ["verdict", "missing"].contains(&name.node.as_str()) || shape.kinds.iter().any(|k| k.list == name.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("output field `{}` is already used", name.node))
                .with_hint("choose another name for the value"),
        );
        ok = false;
    }
    let Some((expr, ty)) = checker.expr(value) else { return false };
    let Some(value_shape) = checker.shape(&ty) else {
        diagnostics.push(
            Diagnostic::error(Code::Type, value.span, "a whole list item cannot be an output value")
                .with_hint("output one of its fields"),
        );
        return false;
    };
    // A ladder's dose is written with its infusion time, when its route has one.
    let value_shape = match &expr {
        Expr::Dose(l, _) => ValueShape::Dose(*l),
        _ => value_shape,
    };
    let minutes_after = minutes_after.and_then(|t| minutes_after_of(t, &value_shape, names, diagnostics));
    readers.values.push(OutputValue {
        name: name.node.clone(),
        expr,
        shape: value_shape,
        verdicts,
        minutes_after,
        span: value.span,
    });
    ok
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
    ok
}

/// The decision a decision is `within`: one declared above it.
fn within(d: &ast::DecisionDecl, checker: &Checker<'_, '_>, diagnostics: &mut Vec<Diagnostic>) -> Option<DecisionId> {
    let parent = d.within.as_ref()?;
    let found = checker.decision_index(&parent.node);
    if found.is_none() {
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownName,
                parent.span,
                format!("no decision `{}` above `{}`", parent.node, d.name.node),
            )
            .with_hint("a decision can be within a decision declared above it"),
        );
    }
    found
}

/// The decisions whose verdicts this one reads, in order, once each.
fn reads_decisions(verdicts: &Verdicts, readers: &Readers) -> Vec<DecisionId> {
    let mut out = Vec::new();
    let mut note = |d: DecisionId| out.push(d);
    for r in &verdicts.rules {
        r.when.visit_verdicts(&mut note);
    }
    for w in verdicts.tiers.iter().filter_map(|t| t.when.as_ref()) {
        w.visit_verdicts(&mut note);
    }
    for v in &readers.values {
        v.expr.visit_verdicts(&mut note);
    }
    for item in &readers.due {
        item.at.visit_verdicts(&mut note);
        if let Some(c) = &item.when {
            c.expr().visit_verdicts(&mut note);
        }
    }
    for (source, when) in &readers.missing_of {
        match source {
            MissingSource::Decision(d) => note(*d),
            MissingSource::Expr(e) => e.visit_verdicts(&mut note),
        }
        if let Some(w) = when {
            w.visit_verdicts(&mut note);
        }
    }
    for a in &readers.alerts {
        a.when.visit_verdicts(&mut note);
        a.at.visit_verdicts(&mut note);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The input of `minutes after PATH` on a value: a timestamp outside lists, and a value that
/// is a number without unit (or a list of them); else an error.
fn minutes_after_of(
    path: &ast::Name,
    shape: &ValueShape,
    names: &Names<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let mut times: Vec<&str> = Vec::new();
    for f in &names.schema.fields {
        if f.ty == FieldType::Timestamp && f.list.is_none() {
            times.push(&f.path);
        }
    }
    let minutes = match shape {
        ValueShape::List(inner) => **inner == ValueShape::Number(None),
        other => *other == ValueShape::Number(None),
    };
    if !super::one_of(
        path,
        &times,
        (Code::UnknownName, "timestamp input", "timestamp inputs outside lists"),
        diagnostics,
    ) {
        return None;
    }
    if !minutes {
        diagnostics.push(
            Diagnostic::error(Code::Type, path.span, "only a number without unit, or a list of them, counts minutes")
                .with_hint("drop `minutes after`, or give the value as a number of minutes"),
        );
        return None;
    }
    Some(path.node.clone())
}

/// A `due` entry: a timestamp, offsets, an optional list to go through and a condition.
fn due_item(
    due: &ast::DueDecl,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::ir::decision::Due> {
    let each = match &due.each {
        Some((var, list)) => Some(checker.push_item(var, list)?),
        None => None,
    };
    let at = checker.expr(&due.at);
    let when = due.when.as_ref().map(|(positive, c)| (*positive, checker.condition(c, "the condition of `due`")));
    if each.is_some() {
        checker.pop_item();
    }
    let (at, ty) = at?;
    if ty != super::expr::Ty::Time {
        let t = checker.describe_type(&ty);
        diagnostics.push(
            Diagnostic::error(Code::Type, due.at.span, format!("`due ... at` needs a timestamp; this is {t}"))
                .with_hint("such as `s.at + 24 h`"),
        );
        return None;
    }
    let when = match when {
        Some((true, Some(c))) => Some(DueCondition::When(c)),
        Some((false, Some(c))) => Some(DueCondition::Unless(c)),
        Some((_, None)) => return None,
        None => None,
    };
    let seconds = crate::units::Unit::parse("s").ok()?;
    let mut after = Vec::new();
    for q in &due.after {
        let (value, unit) = &q.node;
        let given = match unit {
            Some(u) => super::inputs::unit(u, diagnostics)?,
            None => crate::units::Unit::none(),
        };
        match given.conversion_to(&seconds) {
            Some(f) => after.push(value.mul_exact(f)?),
            None => {
                diagnostics.push(
                    Diagnostic::error(Code::UnitMismatch, q.span, format!("`after` needs a duration; found {given}"))
                        .with_hint("such as `after 3 days, 7 days`"),
                );
                return None;
            }
        }
    }
    Some(crate::ir::decision::Due {
        id: due.id.node.clone(),
        checks: due.checks.iter().map(|c| c.node.clone()).collect(),
        at,
        after,
        each,
        when,
    })
}

/// An `alert` entry: its condition and time for each item of a list, and an otherwise.
fn alert(
    a: &ast::AlertDecl,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::ir::decision::Alert> {
    let severity_ok =
        super::one_of(&a.severity, SEVERITIES, (Code::UnknownSeverity, "severity", "severities"), diagnostics);
    match &a.action {
        Some(text) if text.node.trim().is_empty() => diagnostics.push(
            Diagnostic::error(Code::NoAction, text.span, format!("alert `{}` has an empty action", a.id.node))
                .with_hint(
                    "say what the staff do when it is raised: `action \"Recheck in 5 minutes; tell the prescriber\"`",
                ),
        ),
        Some(_) => {}
        None => diagnostics.push(
            Diagnostic::warning(Code::NoAction, a.id.span, format!("alert `{}` says nothing to do", a.id.node))
                .with_hint("add what the staff do when it is raised: `action \"...\"` after its sources"),
        ),
    }
    let (var, list) = &a.each;
    let (_, list_slot) = checker.push_item(var, list)?;
    let when = checker.condition(&a.when, "an alert's condition");
    let at = checker.expr(&a.at);
    checker.pop_item();
    let otherwise = match &a.otherwise {
        Some((c, t)) => Some((checker.condition(c, "an alert's condition")?, checker.expr(t)?)),
        None => None,
    };
    let (when, (at, at_ty)) = (when?, at?);
    let times_ok =
        at_ty == super::expr::Ty::Time && otherwise.as_ref().is_none_or(|(_, (_, t))| *t == super::expr::Ty::Time);
    if !times_ok {
        diagnostics.push(
            Diagnostic::error(Code::Type, a.at.span, "an alert's `at` is a timestamp").with_hint("such as `at r.at`"),
        );
        return None;
    }
    let cited = citations(&a.cites, sources, diagnostics)?;
    if !severity_ok || a.action.as_ref().is_some_and(|t| t.node.trim().is_empty()) {
        return None;
    }
    Some(crate::ir::decision::Alert {
        id: a.id.node.clone(),
        severity: a.severity.node.clone(),
        message: a.message.node.clone(),
        sources: cited,
        list_slot,
        when,
        at,
        otherwise: otherwise.map(|(c, (t, _))| (c, t)),
        action: a.action.as_ref().map(|t| t.node.clone()),
    })
}
