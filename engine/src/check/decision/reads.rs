//! The other decisions a decision reads: the one it is `within`, and those whose verdicts its
//! rules, values and `missing of` read, in order.

use super::*;

/// The decision a decision is `within`: one declared above it.
pub(super) fn within(
    d: &ast::DecisionDecl,
    checker: &Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DecisionId> {
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
pub(super) fn reads_decisions(verdicts: &Verdicts, readers: &Readers) -> Vec<DecisionId> {
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
