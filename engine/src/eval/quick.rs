//! The quick evaluator: the Kleene evaluator of [`super::kleene`] without the names of what
//! is missing. An unknown result says only whether it names an absent input, which is all a
//! decision needs when nothing is missing; a decision that meets an unknown naming something
//! (or an error) is made again by the full evaluator, which names what is missing (or says
//! where the error is). So the quick evaluator never decides anything the full one would not:
//! each function below mirrors the one of `kleene` it is named after, with a [`Missing`] set
//! replaced by whether it is empty.
//!
//! [`Missing`]: super::kleene::Missing

use super::kleene::{self, Env, Outcome, Scope};
use crate::ir::expr::{unary, Expr, ItemRef, Quantifier, Value};
use crate::ir::ops::{self, compare};
use crate::ir::ListSlot;
use crate::syntax::ast::CmpOp;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The result of an expression, as the quick evaluator knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quick {
    /// Known.
    Known(Value),
    /// Unknown; `names` when the full evaluator would name some absent input for it (its
    /// [`Missing`](super::kleene::Missing) set is not empty).
    Unknown {
        /// Whether some absent input is named.
        names: bool,
    },
    /// An error, or something the quick evaluator leaves to the full one.
    Stop,
}

use Quick::{Known, Stop, Unknown};

/// The value of each shared subexpression ([`Expr::Shared`]) on one document, by number,
/// once computed.
pub(crate) type Memo = [std::cell::Cell<Option<Quick>>];

const TRUE: Quick = Known(Value::Bool(true));
const FALSE: Quick = Known(Value::Bool(false));

/// Evaluates `expr`, with the item at `index` bound when given (a quantifier's condition,
/// an alert or due item at one item of its list).
pub(super) fn eval(expr: &Expr, scope: &Scope<'_>, index: Option<usize>) -> Quick {
    match index {
        Some(index) => eval_in(expr, scope, Some(&Env { index, outer: None })),
        None => eval_in(expr, scope, None),
    }
}

/// The quick result of what the full evaluator gives for `expr`.
fn full(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    match kleene::eval_scoped(expr, scope, env) {
        Ok(Outcome::Known(v)) => Known(v),
        Ok(Outcome::Unknown(m)) => Unknown { names: !m.0.is_empty() },
        Err(_) => Stop,
    }
}

fn eval_in(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    let doc = scope.doc;
    match expr {
        Expr::Const(v) => Known(*v),
        Expr::Field { slot, .. } => value_of(slot_in(&doc.root.fields, slot.index())),
        Expr::ItemField { list_slot, item, slot, .. } => {
            value_of(item_field(scope, env, *list_slot, *item, slot.index()))
        }
        Expr::Verdict(d) => match scope.verdicts.get(d.index()) {
            Some(Some(v)) => Known(Value::Choice(*v)),
            _ => Stop,
        },
        Expr::GroupPresent(g) => doc.groups.get(g.index()).map_or(Stop, |present| Known(Value::Bool(*present))),
        Expr::Quantifier { kind, list_slot, cond, .. } => quantifier(*kind, *list_slot, cond.as_deref(), scope, env),
        // Doses: the one dose computation, at the level the quick evaluator knows; an
        // unknown level or route through the full evaluator, which names what is missing.
        Expr::Dose(l, level) | Expr::Allowed(l, level) | Expr::HighestAllowed(l, level) => {
            dose(expr, *l, level, scope, env)
        }
        Expr::Item { .. } => Stop,
        // Computed once per document: it reads no bound item and no verdict.
        Expr::Shared(id, x) => match scope.shared.get(*id as usize) {
            Some(memo) => memo.get().unwrap_or_else(|| {
                let value = eval_in(x, scope, env);
                memo.set(Some(value));
                value
            }),
            None => eval_in(x, scope, env),
        },
        Expr::Choose(arms, otherwise) => choose(arms, otherwise, scope, env),
        unary!(e) => match eval_in(e, scope, env) {
            Known(v) => ops::unary(expr, v).map_or(Stop, Known),
            other => other,
        },
        Expr::And(parts) => junction(parts, false, scope, env),
        Expr::Or(parts) => junction(parts, true, scope, env),
        Expr::IsKnown(e) => match eval_in(e, scope, env) {
            Known(_) => TRUE,
            Unknown { .. } => FALSE,
            Stop => Stop,
        },
        // Something against a constant, the most common condition (`patient.age < 18 years`,
        // `patient.child_pugh = C`): compared in place, a field read in place. Values are
        // compared where they lie, never copied first: a copy of a value just returned reloads
        // it in pieces that do not line up with its stores, and the processor waits on them.
        Expr::Compare(op, a, b) if matches!(&**b, Expr::Const(_)) => {
            let Expr::Const(limit) = &**b else { return Stop };
            let computed;
            let x = match place(a, scope, env) {
                Some(x) => x,
                None => {
                    computed = eval_in(a, scope, env);
                    match &computed {
                        Known(x) => Ok(x),
                        unknown => Err(*unknown),
                    }
                }
            };
            match x {
                Ok(x) => compare(*op, x, limit).map_or(Stop, |b| Known(Value::Bool(b))),
                Err(unknown) => unknown,
            }
        }
        Expr::Compare(..) | Expr::Between(..) | Expr::Arith(..) => operands(expr, scope, env),
        Expr::Min(parts) => extreme(parts, Ordering::Less, scope, env),
        Expr::Max(parts) => extreme(parts, Ordering::Greater, scope, env),
    }
}

/// [`kleene`]'s doses: the one dose computation, at the level the quick evaluator knows; an
/// unknown level or route through the full evaluator, which names what is missing. (Out of
/// [`eval_in`], as are the other rarer nodes, so that its frame stays small.)
#[inline(never)]
fn dose(expr: &Expr, l: crate::ir::LadderId, level: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    let Some(ladder) = scope.ladders.get(l.index()) else { return Stop };
    match eval_in(level, scope, env) {
        Known(Value::Choice(c)) => match super::ladder::call_at_level(expr, ladder, c, scope) {
            Ok(Some(Outcome::Known(v))) => Known(v),
            Ok(Some(Outcome::Unknown(m))) => Unknown { names: !m.0.is_empty() },
            Ok(None) => full(expr, scope, env),
            Err(_) => Stop,
        },
        Stop => Stop,
        _ => full(expr, scope, env),
    }
}

/// A comparison of two computed values, `between`, and arithmetic.
#[inline(never)]
fn operands(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    match expr {
        Expr::Compare(op, a, b) => {
            let (a, b) = (eval_in(a, scope, env), eval_in(b, scope, env));
            both(&a, &b, |x, y| compare(*op, x, y).map(Value::Bool))
        }
        Expr::Between(x, lo, hi) => {
            let (x, lo, hi) = (eval_in(x, scope, env), eval_in(lo, scope, env), eval_in(hi, scope, env));
            let low = both(&lo, &x, |l, v| compare(CmpOp::Le, l, v).map(Value::Bool));
            let high = both(&x, &hi, |v, h| compare(CmpOp::Le, v, h).map(Value::Bool));
            kleene_and(low, high)
        }
        Expr::Arith(op, a, b, span) => {
            let (a, b) = (eval_in(a, scope, env), eval_in(b, scope, env));
            both(&a, &b, |x, y| ops::arith(*op, *x, *y, *span))
        }
        _ => Stop,
    }
}

/// Two operands, both known for `f`; unknown naming what either names.
fn both(a: &Quick, b: &Quick, f: impl FnOnce(&Value, &Value) -> Result<Value, ops::EvalError>) -> Quick {
    match (a, b) {
        (Stop, _) | (_, Stop) => Stop,
        (Known(x), Known(y)) => f(x, y).map_or(Stop, Known),
        (Unknown { names: m }, Unknown { names: n }) => Unknown { names: *m || *n },
        (Unknown { names }, _) | (_, Unknown { names }) => Unknown { names: *names },
    }
}

/// [`kleene::kleene_and`].
fn kleene_and(a: Quick, b: Quick) -> Quick {
    match (a, b) {
        (Stop, _) | (_, Stop) => Stop,
        (FALSE, _) | (_, FALSE) => FALSE,
        (Unknown { names: m }, Unknown { names: n }) => Unknown { names: m || n },
        (Unknown { names }, _) | (_, Unknown { names }) => Unknown { names },
        _ => TRUE,
    }
}

/// [`kleene`]'s `item_field`: the value where it lies in the document, or what [`eval_in`]
/// gives when there is none.
fn item_field<'a>(
    scope: &Scope<'a>,
    env: Option<&Env<'_>>,
    list_slot: ListSlot,
    item: ItemRef,
    slot: usize,
) -> Result<&'a Value, Quick> {
    let Some(records) = kleene::items(scope.doc, list_slot) else { return Err(Unknown { names: true }) };
    let Some(record) = kleene::item_index(records.len(), item, env).and_then(|i| records.get(i)) else {
        // A list too short names the list; the item before the first names nothing.
        return Err(Unknown { names: matches!(item, ItemRef::Position(_)) });
    };
    slot_in(&record.fields, slot)
}

/// A field of the document or of an item, read where it lies (`None` for any other
/// expression): its value, or what [`eval_in`] gives when it is absent.
fn place<'a>(expr: &Expr, scope: &Scope<'a>, env: Option<&Env<'_>>) -> Option<Result<&'a Value, Quick>> {
    match expr {
        Expr::Field { slot, .. } => Some(slot_in(&scope.doc.root.fields, slot.index())),
        Expr::ItemField { list_slot, item, slot, .. } => Some(item_field(scope, env, *list_slot, *item, slot.index())),
        _ => None,
    }
}

/// A field read where it lies ([`slot_in`], [`item_field`]), as [`eval_in`] gives it.
fn value_of(read: Result<&Value, Quick>) -> Quick {
    read.map_or_else(|q| q, |v| Known(*v))
}

/// The value in slot `slot` of a record, where it lies: unknown, naming the field, when it is
/// absent; a slot outside the record stops (the checker lets none through).
#[inline]
fn slot_in(fields: &[Option<Value>], slot: usize) -> Result<&Value, Quick> {
    match fields.get(slot) {
        Some(Some(v)) => Ok(v),
        Some(None) => Err(Unknown { names: true }),
        None => Err(Stop),
    }
}

/// [`kleene`]'s `quantifier`.
fn quantifier(
    kind: Quantifier,
    list_slot: ListSlot,
    cond: Option<&Expr>,
    scope: &Scope<'_>,
    env: Option<&Env<'_>>,
) -> Quick {
    let Some(records) = kleene::items(scope.doc, list_slot) else { return Unknown { names: true } };
    let mut count: u32 = 0;
    let mut names = false;
    for index in 0..records.len() {
        let truth = match cond {
            None => TRUE,
            Some(c) => eval_in(c, scope, Some(&Env { index, outer: env })),
        };
        match (kind, truth) {
            (_, Stop) => return Stop,
            (Quantifier::Any, TRUE) => return TRUE,
            (Quantifier::All, FALSE) => return FALSE,
            (Quantifier::Count, TRUE) => count = count.saturating_add(1),
            (_, Known(Value::Bool(_))) => {}
            (_, Known(_)) => return Stop,
            // An item no input could decide counts for neither side.
            (_, Unknown { names: n }) => names |= n,
        }
    }
    match (names, kind) {
        (true, _) => Unknown { names: true },
        (false, Quantifier::Any) => FALSE,
        (false, Quantifier::All) => TRUE,
        (false, Quantifier::Count) => Known(Value::Num(Decimal::from(count))),
    }
}

/// [`kleene`]'s `choose`.
fn choose(arms: &[(Expr, Expr)], otherwise: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    // `None` until a condition is unknown; then whether what is missing names something.
    let mut missing: Option<bool> = None;
    // What a value that may still be taken names (an error names nothing, as in `kleene`).
    let value_names = |value: &Expr| matches!(eval_in(value, scope, env), Unknown { names: true });
    for (cond, value) in arms {
        match eval_in(cond, scope, env) {
            Stop => return Stop,
            FALSE => {}
            TRUE => {
                return match missing {
                    Some(names) => Unknown { names: names || value_names(value) },
                    None => eval_in(value, scope, env),
                }
            }
            Known(_) => return Stop,
            Unknown { names } => missing = Some(missing.unwrap_or(false) || names || value_names(value)),
        }
    }
    match missing {
        Some(names) => Unknown { names: names || value_names(otherwise) },
        None => eval_in(otherwise, scope, env),
    }
}

/// [`kleene`]'s `extreme`: `min` (`want` less) or `max`.
fn extreme(parts: &[Expr], want: Ordering, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    let mut best: Option<Value> = None;
    let mut names = false;
    for p in parts {
        match eval_in(p, scope, env) {
            Known(v) => match ops::extreme_value(best, v, want) {
                Ok(b) => best = Some(b),
                Err(_) => return Stop,
            },
            Unknown { names: n } => names |= n,
            Stop => return Stop,
        }
    }
    match best {
        Some(v) if !names => Known(v),
        _ => Unknown { names },
    }
}

/// [`kleene`]'s `junction`: `and` (`is_or` false) or `or`.
fn junction(parts: &[Expr], is_or: bool, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Quick {
    let mut missing: Option<bool> = None;
    for p in parts {
        match eval_in(p, scope, env) {
            Known(Value::Bool(b)) if b == is_or => return Known(Value::Bool(is_or)),
            Known(Value::Bool(_)) => {}
            Known(_) | Stop => return Stop,
            Unknown { names } => missing = Some(missing.unwrap_or(false) || names),
        }
    }
    match missing {
        Some(names) => Unknown { names },
        None => Known(Value::Bool(!is_or)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use crate::eval::decide::{self, NoRecord, EXPLAINED};
    use crate::Protocol;
    use serde_json::Value as J;
    use std::path::Path;

    /// Every document of `dir` and below (not the expected outputs).
    fn documents(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                documents(&path, out);
            } else if path.extension().is_some_and(|e| e == "json")
                && !path.to_string_lossy().ends_with(".expected.json")
            {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// The document without one member: each member of each object of the root, and of the
    /// first and last item of each list in them, in turn.
    fn without_one_member(doc: &J) -> Vec<J> {
        let mut out = Vec::new();
        let Some(root) = doc.as_object() else { return out };
        for (group, value) in root {
            let Some(members) = value.as_object() else { continue };
            for (name, inner) in members {
                let mut smaller = doc.clone();
                smaller[group].as_object_mut().unwrap().remove(name);
                out.push(smaller);
                let Some(items) = inner.as_array() else { continue };
                for index in [0, items.len().saturating_sub(1)] {
                    let Some(fields) = items.get(index).and_then(J::as_object) else { continue };
                    for field in fields.keys() {
                        let mut smaller = doc.clone();
                        smaller[group][name][index].as_object_mut().unwrap().remove(field);
                        out.push(smaller);
                    }
                }
            }
        }
        out
    }

    /// Made quickly first or by the full evaluator alone, every decision of the reference
    /// protocol is the same, explanation and missing inputs included, on every document of the
    /// corpus and on each of them with one member left out (unknowns of every kind).
    #[test]
    fn quick_first_gives_what_the_full_evaluator_gives() {
        let protocol = Protocol::compile(include_str!("../../../rules/kap-reference.kap")).unwrap();
        let program = protocol.program();
        let mut texts = Vec::new();
        documents(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus"), &mut texts);
        let (mut compared, mut retried) = (0, 0);
        for text in &texts {
            let Ok(json) = serde_json::from_str::<J>(text) else { continue };
            let mut variants = without_one_member(&json);
            variants.push(json);
            for variant in variants {
                let Ok(doc) = crate::input::read(&program.schema, &variant.to_string()) else { continue };
                let run = |quick| {
                    decide::make_all::<NoRecord, EXPLAINED>(program, &doc, None, quick)
                        .map(|(made, explanation)| decide::assemble(program, &made, protocol.reference(), explanation))
                };
                let (quick, full) = (run(true), run(false));
                assert_eq!(quick, full, "{variant}");
                compared += 1;
                retried +=
                    usize::from(quick.as_ref().is_ok_and(|e| e.decisions.values().any(|d| !d.missing.is_empty())));
            }
        }
        assert!(compared > 5000 && retried > 1000, "{compared} documents compared, {retried} with something missing");
    }
}
