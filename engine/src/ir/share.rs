//! Shared subexpressions: a definition without parameters, which the checker writes out at
//! each use (in several rules, values and verdicts), is numbered, and each place that holds
//! it is wrapped in [`Expr::Shared`], so that the quick evaluator computes it once per
//! document. Its value depends on the document alone: having no parameters, it reads no item
//! bound outside it, and the checker refuses a verdict in it (checked before any decision);
//! one that read a verdict would not be shared. A ladder's own expressions (its dosing weight,
//! its caps, its `allow above` condition) are shared the same way: each dose and level
//! checked reads them.
//!
//! The pass runs last, on the checked and analysed program; it changes no value, so every
//! evaluator that reads through [`Expr::Shared`] gives what it gave before.

use super::expr::Expr;
use super::Program;

/// Expressions smaller than this (in nodes) are cheaper to compute again than to look up.
const SMALLEST: usize = 4;

/// The most definitions shared: each node of the program is compared with each of them, so
/// a file of thousands of definitions compiles in bounded time (those past it are computed
/// where they are used, as without sharing).
const MOST: usize = 256;

/// Keeps in [`Program::shared`] the definitions worth sharing, and wraps each place in the
/// decisions of `program` that holds one of them.
pub(crate) fn share(program: &mut Program) {
    program
        .shared
        .retain(|e| crate::check::expr::measure(e).1 >= SMALLEST && !e.any(&|x| matches!(x, Expr::Verdict(_))));
    program.shared.truncate(MOST);
    share_ladders(program);
    if program.shared.is_empty() {
        return;
    }
    let shared = &program.shared;
    for d in &mut program.decisions {
        for rule in &mut d.rules {
            wrap(&mut rule.when, shared);
        }
        for when in d.tiers.iter_mut().filter_map(|t| t.when.as_mut()) {
            wrap(when, shared);
        }
        for v in &mut d.values {
            // A value that is a dose stays one at the top: its explanation is written from it.
            match &mut v.expr {
                Expr::Dose(_, level) => wrap(level, shared),
                e => wrap(e, shared),
            }
        }
        for (source, when) in &mut d.missing_of {
            if let Some(w) = when {
                wrap(w, shared);
            }
            if let super::decision::MissingSource::Expr(e) = source {
                wrap(e, shared);
            }
        }
    }
}

/// Shares each ladder's own expressions (its dosing weight, each route's cap, its `allow
/// above` condition): every level checked on a document reads them, a dose and the highest
/// allowed level several times, and they read the document alone. Those that read a verdict
/// are left as they are, and so are those past [`MOST`].
fn share_ladders(program: &mut Program) {
    let shared = &mut program.shared;
    for ladder in &mut program.ladders {
        let caps = ladder.by_route.iter_mut().filter_map(|r| r.cap.as_mut());
        let own = ladder.weight.iter_mut().chain(caps).chain(ladder.allow_above.iter_mut().map(|(_, c)| c));
        for expr in own {
            if shared.len() >= MOST || expr.any(&|x| matches!(x, Expr::Verdict(_))) {
                continue;
            }
            let Ok(id) = u32::try_from(shared.len()) else { continue };
            shared.push(expr.clone());
            let inner = std::mem::replace(expr, Expr::Const(super::expr::Value::Bool(false)));
            *expr = Expr::Shared(id, Box::new(inner));
        }
    }
}

/// Wraps `expr` when it is one of `shared`, and then what is within it.
fn wrap(expr: &mut Expr, shared: &[Expr]) {
    let kind = std::mem::discriminant(expr);
    let found = shared.iter().position(|s| std::mem::discriminant(s) == kind && s == expr);
    expr.for_each_child_mut(&mut |child| wrap(child, shared));
    if let Some(id) = found.and_then(|i| u32::try_from(i).ok()) {
        let inner = std::mem::replace(expr, Expr::Const(super::expr::Value::Bool(false)));
        *expr = Expr::Shared(id, Box::new(inner));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::ir::expr::Expr;
    use crate::Protocol;

    const SOURCE: &str = "protocol \"P\" version \"1\" status draft
source S \"s\"
input patient.age: integer years in 0..120 \"Age\"
input patient.weight: decimal kg in 1..300 \"Weight\"
input course.sessions: list in 0..6 \"Sessions\"
input course.sessions[].dose: decimal mg in 0..400 \"Dose\"
define heavy_and_old = patient.weight * 2 > 150 kg and patient.age > 60 years
define high(s) = s.dose > patient.weight * 1 mg/kg
decision d
  list l of k
  verdict v if any k
  verdict i if unknown k or when heavy_and_old
  verdict u otherwise
  k a \"A\" when heavy_and_old [S]
  k b \"B\" when not heavy_and_old and patient.age > 3 years [S]
  k c \"C\" when any(s in course.sessions where high(s)) [S]
  k e \"E\" when all(s in course.sessions where high(s)) [S]
decision later
  list l of k
  verdict v if any k
  verdict i if unknown k
  verdict u otherwise
  k f \"F\" when d.verdict = v and patient.age > 70 years [S]
  k g \"G\" when d.verdict = v and patient.age > 70 years and heavy_and_old [S]
";

    /// Every expression of every rule and tier of the program, with those within them.
    fn shared_nodes(protocol: &Protocol) -> Vec<(u32, Expr)> {
        let mut out = Vec::new();
        for d in &protocol.program().decisions {
            let roots = d.rules.iter().map(|r| &r.when).chain(d.tiers.iter().filter_map(|t| t.when.as_ref()));
            for root in roots {
                root.walk(&mut |e| {
                    if let Expr::Shared(id, body) = e {
                        out.push((*id, (**body).clone()));
                    }
                });
            }
        }
        out
    }

    #[test]
    fn a_definition_used_in_several_places_is_one_shared_expression() {
        let protocol = Protocol::compile(SOURCE).unwrap();
        let shared = shared_nodes(&protocol);
        // `heavy_and_old`, four times (two rules, a tier, a rule of a later decision), as one.
        assert_eq!(protocol.program().shared.len(), 1, "{shared:?}");
        assert_eq!(shared.len(), 4);
        assert!(shared.iter().all(|(id, body)| *id == 0 && *body == shared[0].1));
        assert!(matches!(shared[0].1, Expr::And(_)));
    }

    #[test]
    fn what_reads_a_bound_item_or_a_verdict_is_not_shared() {
        let protocol = Protocol::compile(SOURCE).unwrap();
        for (_, body) in shared_nodes(&protocol) {
            assert!(!body.any(&|e| matches!(e, Expr::Verdict(_))));
            // `high(s)`, twice, reads the item each quantifier binds: never shared.
            assert!(!body.any(&|e| matches!(e, Expr::ItemField { .. })), "{body:?}");
        }
    }

    #[test]
    fn at_most_256_definitions_are_shared_and_the_rest_still_decide() {
        let mut source = String::from(
            "protocol \"P\" version \"1\" status draft\nsource S \"s\"\ninput patient.age: integer years in 0..120 \"Age\"\n",
        );
        for i in 0..300 {
            source += &format!("define d{i} = patient.age > {} years and patient.age < 119 years\n", i % 100);
        }
        source += "decision d\n  list l of k\n  verdict v if any k\n  verdict i if unknown k\n  verdict u otherwise\n";
        for i in 0..300 {
            source += &format!("  k r{i} \"R\" when d{i} [S]\n");
        }
        let protocol = Protocol::compile(&source).unwrap();
        assert_eq!(protocol.program().shared.len(), 256);
        let e = serde_json::to_value(protocol.evaluate_json(r#"{"patient": {"age": 50}}"#).unwrap()).unwrap();
        // r{i} fires when 50 > i % 100: i % 100 below 50, three times each below 300.
        assert_eq!(e["decisions"]["d"]["l"].as_array().unwrap().len(), 150);
    }

    #[test]
    fn sharing_changes_no_decision() {
        let protocol = Protocol::compile(SOURCE).unwrap();
        let decide = |doc: &str| serde_json::to_value(protocol.evaluate_json(doc).unwrap()).unwrap();
        for (weight, age) in [(100, 75), (60, 75), (100, 50), (100, 2), (200, 75), (200, 2)] {
            let doc = format!(
                r#"{{"patient": {{"age": {age}, "weight": {weight}}}, "course": {{"sessions": [{{"dose": 150}}]}}}}"#
            );
            let heavy_and_old = weight * 2 > 150 && age > 60;
            let mut fired = vec![];
            fired.extend(heavy_and_old.then_some("a"));
            fired.extend((!heavy_and_old && age > 3).then_some("b"));
            fired.extend((150 > weight).then_some("c"));
            fired.extend((150 > weight).then_some("e"));
            let e = decide(&doc);
            assert_eq!(e["decisions"]["d"]["l"], serde_json::json!(fired), "{doc}");
            assert_eq!(e["decisions"]["d"]["verdict"], if fired.is_empty() { "u" } else { "v" }, "{doc}");
            let mut later = vec![];
            later.extend((!fired.is_empty() && age > 70).then_some("f"));
            later.extend((!fired.is_empty() && age > 70 && heavy_and_old).then_some("g"));
            assert_eq!(e["decisions"]["later"]["l"], serde_json::json!(later), "{doc}");
        }
        // Unknown: what is missing is named as by the full evaluator.
        let e = decide(r#"{"patient": {"age": 70}, "course": {"sessions": [{"dose": 150}]}}"#);
        assert_eq!(e["decisions"]["d"]["verdict"], "i");
        assert_eq!(e["decisions"]["d"]["missing"], serde_json::json!(["patient.weight"]));
    }
}
