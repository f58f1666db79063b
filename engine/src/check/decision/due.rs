//! Things due: `due ID [KINDS] at TIME [+ offsets] for s in LIST unless ...`.

use super::*;

/// A `due` entry: a timestamp, offsets, an optional list to go through and a condition.
pub(super) fn due_item(
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
    let done = due.done.as_ref().map(|c| checker.condition(c, "the condition of `done when`"));
    if each.is_some() {
        checker.pop_item();
    }
    let (at, ty) = at?;
    if ty != crate::check::expr::Ty::Time {
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
    let done = match done {
        Some(Some(c)) => Some(c),
        Some(None) => return None,
        None => None,
    };
    let seconds = crate::units::Unit::parse("s").ok()?;
    let mut after = Vec::new();
    for q in &due.after {
        let (value, unit) = &q.node;
        let given = match unit {
            Some(u) => crate::check::inputs::unit(u, diagnostics)?,
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
        done,
    })
}
