//! `missing of`: another decision's missing inputs, or an expression's, taken into this
//! decision's `missing`.

use super::*;

/// `missing of DECISION [when C]` or `missing of EXPR [when C]`.
pub(super) fn missing_of(
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
