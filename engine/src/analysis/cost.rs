//! The cost of one evaluation, bounded before any document is read: every expression of
//! every decision is weighed by how many times the evaluator may visit each of its nodes on
//! the largest document the declarations allow (a quantifier over a list of at most 100
//! items visits its condition 100 times; a ladder function checks every level). A protocol
//! whose total is above [`MAX_EVALUATION_COST`] is refused, so no rule file that compiles can
//! make one evaluation slow on documents of the declared sizes. A list without a declared
//! size is weighed as [`UNBOUNDED_ITEMS`] items (a reference-size document), and a quantifier
//! nested with one over such a list is refused: its cost would grow with the square of the
//! document, and no document may make evaluation super-linear in its size.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::ir::expr::Expr;
use crate::ir::ladder::Ladder;
use crate::ir::{position, ListId, ListSlot, Program};
use crate::limits::MAX_EVALUATION_COST;
use rust_decimal::prelude::ToPrimitive;

/// What a list without a declared size is weighed as: the reference protocol's longest list.
pub const UNBOUNDED_ITEMS: u64 = 100;

/// The diagnostics of a protocol too costly to evaluate: one at the most costly decision, and
/// one at each rule that nests quantifiers with one over a list of no declared size.
pub fn check(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for d in &program.decisions {
        let rules = d.rules.iter().map(|r| (&r.id, &r.when, None, r.span));
        let values = d.values.iter().map(|v| (&v.name, &v.expr, None, v.span));
        let alerts = d.alerts.iter().map(|a| (&a.id, &a.when, alert_list(program, a.list_slot), span_of(d)));
        for (id, e, around, span) in rules.chain(values).chain(alerts) {
            if nests_unbounded(program, e, around) {
                out.push(
                    Diagnostic::error(
                        Code::TooCostly,
                        span,
                        format!("`{id}` nests quantifiers with one over a list of no declared size: its cost grows with the square of the document"),
                    )
                    .with_hint("declare the list's size (`list in 0..100`)"),
                );
            }
        }
    }
    if !out.is_empty() {
        // Its total would be reported too: one error for one mistake.
        return out;
    }
    let mut total: u64 = 0;
    let mut worst: Option<(u64, &str, Span)> = None;
    for d in &program.decisions {
        let cost = decision_cost(program, d);
        total = total.saturating_add(cost);
        let span = span_of(d);
        if worst.is_none_or(|(w, _, _)| cost > w) {
            worst = Some((cost, d.name.as_str(), span));
        }
    }
    match worst {
        Some((cost, name, span)) if total > MAX_EVALUATION_COST => out.push(Diagnostic::error(
            Code::TooCostly,
            span,
            format!(
                "one evaluation could visit {total} expression nodes on the largest document the inputs allow, above the limit of {MAX_EVALUATION_COST}; `{name}` alone visits {cost}"
            ),
        )
        .with_hint("bound the lists the rules go through (`list in 0..100`), and do not nest quantifiers over long lists")),
        _ => {}
    }
    out
}

/// Whether a list has no declared size.
fn unbounded(program: &Program, list: ListId) -> bool {
    program.schema.list(list).is_none_or(|l| l.range.is_none())
}

/// Whether `e` nests a quantifier in another (or in the alert over the list `around`) where
/// either goes over a list of no declared size.
fn nests_unbounded(program: &Program, e: &Expr, around: Option<ListId>) -> bool {
    let mut found = false;
    e.walk(&mut |x| {
        if let Expr::Quantifier { list, cond, .. } = x {
            found |= around.is_some_and(|a| unbounded(program, a) || unbounded(program, *list));
            if let Some(c) = cond {
                c.walk(&mut |y| {
                    if let Expr::Quantifier { list: inner, .. } = y {
                        found |= unbounded(program, *list) || unbounded(program, *inner);
                    }
                });
            }
        }
    });
    found
}

fn decision_cost(program: &Program, d: &crate::ir::decision::Decision) -> u64 {
    let cost = |e: &Expr| expr_cost(program, e);
    let mut total: u64 = 0;
    let mut add = |c: u64| total = total.saturating_add(c);
    for r in &d.rules {
        add(cost(&r.when));
    }
    for t in &d.tiers {
        if let Some(w) = &t.when {
            add(cost(w));
        }
    }
    for v in &d.values {
        add(cost(&v.expr));
    }
    for (source, when) in &d.missing_of {
        if let crate::ir::decision::MissingSource::Expr(e) = source {
            add(cost(e));
        }
        if let Some(w) = when {
            add(cost(w));
        }
    }
    for due in &d.due {
        let per_item = cost(&due.at).saturating_add(due.when.as_ref().map_or(0, |w| cost(w.expr())));
        let items = due.each.map_or(1, |(list, _)| list_items(program, list));
        add(per_item.saturating_mul(items));
    }
    for alert in &d.alerts {
        let items = alert_list(program, alert.list_slot).map_or(UNBOUNDED_ITEMS, |l| list_items(program, l));
        add(cost(&alert.when).saturating_add(cost(&alert.at)).saturating_mul(items));
        if let Some((c, at)) = &alert.otherwise {
            add(cost(c).saturating_add(cost(at)));
        }
    }
    total
}

/// Where a decision's cost is reported: its first rule or value.
fn span_of(d: &crate::ir::decision::Decision) -> Span {
    d.rules.first().map(|r| r.span).or_else(|| d.values.first().map(|v| v.span)).unwrap_or_default()
}

/// The top-level list in the document root's list slot `slot`.
fn alert_list(program: &Program, slot: ListSlot) -> Option<ListId> {
    position(&program.schema.lists, |l| l.slot == slot && l.list.is_none())
}

/// The most items a list can hold.
fn list_items(program: &Program, list: ListId) -> u64 {
    program
        .schema
        .list(list)
        .and_then(|l| l.range)
        .and_then(|(_, hi)| hi.to_u64())
        .map_or(UNBOUNDED_ITEMS, |n| n.min(UNBOUNDED_ITEMS))
}

/// What checking one level of a ladder costs: its dosing weight and one route's cap.
fn ladder_cost(program: &Program, ladder: &Ladder) -> u64 {
    let weight = ladder.weight.as_ref().map_or(0, |w| expr_cost(program, w));
    let mut cap = 0;
    for c in ladder.by_route.iter().filter_map(|r| r.cap.as_ref()) {
        cap = cap.max(expr_cost(program, c));
    }
    let gate = ladder.allow_above.as_ref().map_or(0, |(_, c)| expr_cost(program, c));
    weight.saturating_add(cap).saturating_add(gate).saturating_add(1)
}

/// The node visits of one evaluation of `e`, at most: one for the node, and those of the
/// expressions within it as often as they are evaluated.
fn expr_cost(program: &Program, e: &Expr) -> u64 {
    let cost = |x: &Expr| expr_cost(program, x);
    match e {
        Expr::Quantifier { list, cond, .. } => {
            let per_item = cond.as_ref().map_or(1, |c| cost(c));
            list_items(program, *list).saturating_mul(per_item).saturating_add(1)
        }
        Expr::Dose(l, level) | Expr::Allowed(l, level) | Expr::HighestAllowed(l, level) => {
            let ladder = program.ladder(*l);
            // Every level on every route, when the level or the route is still open.
            let outcomes = ladder.map_or(1, |l| (l.levels.len().max(1) * l.routes.len().max(1)) as u64);
            let per = ladder.map_or(1, |l| ladder_cost(program, l));
            cost(level).saturating_add(outcomes.saturating_mul(per))
        }
        _ => e.children().fold(1u64, |acc, x| acc.saturating_add(cost(x))),
    }
}

/// The cost of one evaluation of `program`'s decisions: what [`check`] bounds.
pub fn evaluation_cost(program: &Program) -> u64 {
    program.decisions.iter().fold(0u64, |acc, d| acc.saturating_add(decision_cost(program, d)))
}
