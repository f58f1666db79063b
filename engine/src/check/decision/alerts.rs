//! Alerts: a condition and a time for each item of a list, a severity, an action, the sources
//! cited, and an `or when` condition; one entry per id.

use super::verdicts::citations;
use super::*;

/// An `alert` entry, once per id.
pub(super) fn alert_entry(
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

/// An `alert` entry: its condition and time for each item of a list, and an otherwise.
pub(super) fn alert(
    a: &ast::AlertDecl,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::ir::decision::Alert> {
    let severity_ok =
        crate::check::one_of(&a.severity, SEVERITIES, (Code::UnknownSeverity, "severity", "severities"), diagnostics);
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
    let times_ok = at_ty == crate::check::expr::Ty::Time
        && otherwise.as_ref().is_none_or(|(_, (_, t))| *t == crate::check::expr::Ty::Time);
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
