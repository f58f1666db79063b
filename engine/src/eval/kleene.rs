//! The evaluator: three-valued (Kleene) logic over exact decimals, tracking which absent
//! inputs left a result unknown.

use super::ladder;
use crate::input::{Document, Record};
use crate::ir::expr::{unary, Expr, ItemRef, Quantifier, Value};
use crate::ir::ladder::Ladder;
use crate::ir::ops::{self, compare, internal, EvalError};
use crate::ir::{FieldId, FieldSlot, ListId, ListSlot};
use crate::syntax::ast::CmpOp;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// An absent input that left a result unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MissingRef {
    /// A top-level field.
    Field(FieldId),
    /// A field of one item of a list: the field, and the item's position.
    ItemField(FieldId, u32),
    /// A whole list.
    List(ListId),
    /// A list that is present but has no item at a position read (`readings[-2]` of a list
    /// of one): the list is named by its path.
    ShortList(ListId),
}

/// The absent inputs that left a result unknown: sorted, without repeats. Empty only when
/// nothing could be added to decide it: the item before the first of a list (`r.previous`),
/// a level a route does not have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Missing(pub Vec<MissingRef>);

impl Missing {
    pub(super) fn one(what: MissingRef) -> Missing {
        Missing(vec![what])
    }

    /// Adds every field of `other`.
    pub fn merge(&mut self, other: &Missing) {
        if other.0.is_empty() {
            return;
        }
        self.0.extend_from_slice(&other.0);
        self.0.sort_unstable();
        self.0.dedup();
    }
}

/// The result of an expression: a value, or unknown because of some absent inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Known.
    Known(Value),
    /// Unknown, and why.
    Unknown(Missing),
}

pub(super) type Eval = Result<Outcome, EvalError>;

/// Evaluates `expr` over a validated document.
pub fn eval(expr: &Expr, doc: &Document) -> Eval {
    eval_with(expr, doc, &[], &[])
}

/// The verdict of each decision above the one being made, by decision: the index of its
/// verdict in its tiers, or `None` when it was not made (no decision made reads it) or has
/// no verdicts (the checker lets no decision read such a verdict).
pub type Verdicts = [Option<u16>];

/// Evaluates `expr` over a validated document, with the verdicts of the decisions made so
/// far and the protocol's dose ladders.
pub fn eval_with(expr: &Expr, doc: &Document, verdicts: &Verdicts, ladders: &[Ladder]) -> Eval {
    eval_in(expr, &Scope { doc, verdicts, ladders, shared: &[] }, None)
}

/// Evaluates `expr` with the item at `index` bound, as in the condition of a quantifier.
pub fn eval_for_item(expr: &Expr, doc: &Document, verdicts: &Verdicts, ladders: &[Ladder], index: usize) -> Eval {
    eval_in(expr, &Scope { doc, verdicts, ladders, shared: &[] }, Some(&Env { index, outer: None }))
}

/// What an expression reads besides its bound items.
pub(super) struct Scope<'a> {
    pub(super) doc: &'a Document,
    pub(super) verdicts: &'a Verdicts,
    pub(super) ladders: &'a [Ladder],
    /// The values of the shared subexpressions the quick evaluator has computed on this
    /// document, by number (empty for the full evaluator, which computes each where it is).
    pub(super) shared: &'a super::quick::Memo,
}

/// `any`, `all` and `count` over the items of a list: Kleene over the items (an unknown
/// item leaves the answer unknown unless another item decides it). An item whose condition
/// no input could decide (`r.previous` at the first item) is passed over, so that `raised`
/// of an alert agrees with the alert and an `indeterminate` always names what is missing.
fn quantifier(
    kind: Quantifier,
    list: ListId,
    list_slot: ListSlot,
    cond: Option<&Expr>,
    scope: &Scope<'_>,
    env: Option<&Env<'_>>,
) -> Eval {
    let Some(records) = items(scope.doc, list_slot) else {
        return Ok(Outcome::Unknown(Missing::one(MissingRef::List(list))));
    };
    let mut count: u32 = 0;
    let mut missing: Option<Missing> = None;
    for index in 0..records.len() {
        let truth = match cond {
            None => Outcome::Known(Value::Bool(true)),
            Some(c) => eval_in(c, scope, Some(&Env { index, outer: env }))?,
        };
        match (kind, truth) {
            (Quantifier::Any, Outcome::Known(Value::Bool(true))) => return Ok(Outcome::Known(Value::Bool(true))),
            (Quantifier::All, Outcome::Known(Value::Bool(false))) => return Ok(Outcome::Known(Value::Bool(false))),
            (Quantifier::Count, Outcome::Known(Value::Bool(true))) => count = count.saturating_add(1),
            (_, Outcome::Known(Value::Bool(_))) => {}
            (_, Outcome::Known(_)) => return Err(internal("quantifier")),
            // No input could ever decide this item (its condition reads the item before
            // the first): it has no pair to judge, so it counts for neither side, as an
            // alert over the same list is not raised at it.
            (_, Outcome::Unknown(m)) if m.0.is_empty() => {}
            (_, Outcome::Unknown(m)) => missing.get_or_insert_with(Missing::default).merge(&m),
        }
    }
    Ok(match (missing, kind) {
        (Some(m), _) => Outcome::Unknown(m),
        (None, Quantifier::Any) => Outcome::Known(Value::Bool(false)),
        (None, Quantifier::All) => Outcome::Known(Value::Bool(true)),
        (None, Quantifier::Count) => Outcome::Known(Value::Num(Decimal::from(count))),
    })
}

/// A field of a list item: the item at a position (0 first, -1 last) or the one bound by a
/// quantifier (or the one before it). Unknown when the list is absent (named), too short
/// (named as a list), or the field is absent (named with the item's index).
fn item_field(
    doc: &Document,
    env: Option<&Env<'_>>,
    list: ListId,
    list_slot: ListSlot,
    item: ItemRef,
    field: FieldId,
    slot: FieldSlot,
) -> Eval {
    let Some(records) = items(doc, list_slot) else {
        return Ok(Outcome::Unknown(Missing::one(MissingRef::List(list))));
    };
    let index = item_index(records.len(), item, env);
    let Some((index, record)) = index.and_then(|i| Some((i, records.get(i)?))) else {
        return Ok(Outcome::Unknown(match item {
            // No item at that position: the list is too short, and named.
            ItemRef::Position(_) => Missing::one(MissingRef::ShortList(list)),
            // The item before the first: there is none to add.
            _ => Missing::default(),
        }));
    };
    match record.fields.get(slot.index()) {
        Some(Some(v)) => Ok(Outcome::Known(*v)),
        None => Err(internal("an item field slot outside the item")),
        Some(None) => {
            Ok(Outcome::Unknown(Missing::one(MissingRef::ItemField(field, u32::try_from(index).unwrap_or(u32::MAX)))))
        }
    }
}

/// The items bound by the quantifiers around an expression, innermost first.
pub(super) struct Env<'a> {
    /// The index of the innermost item in its list.
    pub(super) index: usize,
    /// The items bound around it.
    pub(super) outer: Option<&'a Env<'a>>,
}

impl Env<'_> {
    /// The item `up` quantifiers out (0: the innermost).
    pub(super) fn bound(&self, up: u8) -> Option<usize> {
        let mut env = self;
        for _ in 0..up {
            env = env.outer?;
        }
        Some(env.index)
    }
}

/// The index an item reference reads in a list of `len` items: by position (0 first, -1
/// last), or the item bound by a quantifier (or the one before it); `None` when there is none.
pub(super) fn item_index(len: usize, item: ItemRef, env: Option<&Env<'_>>) -> Option<usize> {
    match item {
        ItemRef::Position(p) if p >= 0 => usize::try_from(p).ok(),
        ItemRef::Position(p) => len.checked_sub(usize::try_from(p.unsigned_abs()).unwrap_or(usize::MAX)),
        ItemRef::Bound(level) => env.and_then(|e| e.bound(level)),
        ItemRef::BoundBefore(level) => env.and_then(|e| e.bound(level)).and_then(|i| i.checked_sub(1)),
    }
}

/// The items of a top-level list, or `None` when the list is absent.
pub(super) fn items(doc: &Document, list_slot: ListSlot) -> Option<&[Record]> {
    doc.root.lists.get(list_slot.index())?.as_deref()
}

/// An expression outside any list item (a ladder's weight, cap or condition).
pub(super) fn eval_outside(expr: &Expr, scope: &Scope<'_>) -> Eval {
    eval_in(expr, scope, None)
}

/// Evaluates `expr` in `scope`, with the items bound by `env`.
pub(super) fn eval_scoped(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Eval {
    eval_in(expr, scope, env)
}

fn eval_in(expr: &Expr, scope: &Scope<'_>, env: Option<&Env<'_>>) -> Eval {
    let doc = scope.doc;
    let ev = |e: &Expr| eval_in(e, scope, env);
    Ok(match expr {
        Expr::Const(v) => Outcome::Known(*v),
        Expr::Field { field, slot } => match doc.root.fields.get(slot.index()) {
            Some(Some(v)) => Outcome::Known(*v),
            Some(None) => Outcome::Unknown(Missing::one(MissingRef::Field(*field))),
            None => return Err(internal("a field slot outside the document")),
        },
        Expr::Item { .. } => return Err(internal("a whole list item")),
        Expr::Verdict(d) => match scope.verdicts.get(d.index()) {
            Some(Some(v)) => Outcome::Known(Value::Choice(*v)),
            Some(None) => return Err(internal("the verdict of a decision not made, or without verdicts")),
            None => return Err(internal("a decision read before it is made")),
        },
        Expr::ItemField { list, list_slot, item, field, slot } => {
            item_field(doc, env, *list, *list_slot, *item, *field, *slot)?
        }
        Expr::Quantifier { kind, list, list_slot, cond } => {
            quantifier(*kind, *list, *list_slot, cond.as_deref(), scope, env)?
        }
        Expr::GroupPresent(g) => match doc.groups.get(g.index()) {
            Some(present) => Outcome::Known(Value::Bool(*present)),
            None => return Err(internal("a group outside the document")),
        },
        Expr::Dose(l, level) | Expr::Allowed(l, level) | Expr::HighestAllowed(l, level) => {
            let ladder = scope.ladders.get(l.index()).ok_or_else(|| internal("an undeclared ladder"))?;
            ladder::call(expr, ladder, level, scope, &ev)?
        }
        Expr::Choose(arms, otherwise) => choose(arms, otherwise, &ev)?,
        unary!(e) => match ev(e)? {
            Outcome::Known(v) => Outcome::Known(ops::unary(expr, v)?),
            unknown => unknown,
        },
        Expr::And(parts) => junction(parts, false, &ev)?,
        Expr::Or(parts) => junction(parts, true, &ev)?,
        Expr::IsKnown(e) => Outcome::Known(Value::Bool(matches!(ev(e)?, Outcome::Known(_)))),
        Expr::Compare(op, a, b) => {
            let (a, b) = (ev(a)?, ev(b)?);
            match both(a, b) {
                Ok((x, y)) => Outcome::Known(Value::Bool(compare(*op, &x, &y)?)),
                Err(missing) => Outcome::Unknown(missing),
            }
        }
        Expr::Between(x, lo, hi) => {
            let (x, lo, hi) = (ev(x)?, ev(lo)?, ev(hi)?);
            let low = match both(lo, x.clone()) {
                Ok((l, v)) => Outcome::Known(Value::Bool(compare(CmpOp::Le, &l, &v)?)),
                Err(m) => Outcome::Unknown(m),
            };
            let high = match both(x, hi) {
                Ok((v, h)) => Outcome::Known(Value::Bool(compare(CmpOp::Le, &v, &h)?)),
                Err(m) => Outcome::Unknown(m),
            };
            kleene_and(low, high)
        }
        Expr::Arith(op, a, b, span) => match both(ev(a)?, ev(b)?) {
            Ok((x, y)) => Outcome::Known(ops::arith(*op, x, y, *span)?),
            Err(missing) => Outcome::Unknown(missing),
        },
        Expr::Shared(_, x) => ev(x)?,
        Expr::Min(parts) => extreme(parts, Ordering::Less, &ev)?,
        Expr::Max(parts) => extreme(parts, Ordering::Greater, &ev)?,
    })
}

/// `choose`: ordered rules, the first true condition deciding.
fn choose(arms: &[(Expr, Expr)], otherwise: &Expr, ev: &impl Fn(&Expr) -> Eval) -> Eval {
    // Ordered rules: the first true condition decides, provided every one before it
    // is false. Until one is true, an unknown condition counts its absent inputs and
    // those of its value (the outcome it may still give), and the value of
    // `otherwise` counts when no condition is true.
    let mut missing: Option<Missing> = None;
    let value_missing = |value: &Expr, into: &mut Missing| {
        // A value that cannot be computed yet (a division by zero in a branch that may
        // never be taken) names nothing; it is reported if its branch is taken.
        if let Ok(Outcome::Unknown(m)) = ev(value) {
            into.merge(&m);
        }
    };
    for (cond, value) in arms {
        match ev(cond)? {
            Outcome::Known(Value::Bool(false)) => {}
            Outcome::Known(Value::Bool(true)) => {
                return Ok(match missing {
                    Some(mut m) => {
                        value_missing(value, &mut m);
                        Outcome::Unknown(m)
                    }
                    None => ev(value)?,
                })
            }
            Outcome::Known(_) => return Err(internal("choose")),
            Outcome::Unknown(m) => {
                let all = missing.get_or_insert_with(Missing::default);
                all.merge(&m);
                value_missing(value, all);
            }
        }
    }
    Ok(match missing {
        Some(mut m) => {
            value_missing(otherwise, &mut m);
            Outcome::Unknown(m)
        }
        None => ev(otherwise)?,
    })
}

/// `min` (`want` less) or `max` (greater): known when every part is known.
fn extreme(parts: &[Expr], want: Ordering, ev: &impl Fn(&Expr) -> Eval) -> Eval {
    let mut best: Option<Value> = None;
    let mut missing = Missing::default();
    for p in parts {
        match ev(p)? {
            Outcome::Known(v) => best = Some(ops::extreme_value(best, v, want)?),
            Outcome::Unknown(m) => missing.merge(&m),
        }
    }
    Ok(match best {
        Some(v) if missing.0.is_empty() => Outcome::Known(v),
        _ => Outcome::Unknown(missing),
    })
}

/// `and` (`is_or` false) or `or` (true): a deciding operand settles it, and then the
/// unknown ones do not count as missing.
fn junction(parts: &[Expr], is_or: bool, ev: &impl Fn(&Expr) -> Eval) -> Eval {
    let mut missing: Option<Missing> = None;
    for p in parts {
        match ev(p)? {
            Outcome::Known(Value::Bool(b)) if b == is_or => return Ok(Outcome::Known(Value::Bool(is_or))),
            Outcome::Known(Value::Bool(_)) => {}
            Outcome::Known(_) => return Err(internal("and/or")),
            Outcome::Unknown(m) => missing.get_or_insert_with(Missing::default).merge(&m),
        }
    }
    Ok(match missing {
        Some(m) => Outcome::Unknown(m),
        None => Outcome::Known(Value::Bool(!is_or)),
    })
}

pub(super) fn kleene_and(a: Outcome, b: Outcome) -> Outcome {
    match (a, b) {
        (Outcome::Known(Value::Bool(false)), _) | (_, Outcome::Known(Value::Bool(false))) => {
            Outcome::Known(Value::Bool(false))
        }
        (Outcome::Unknown(mut m), Outcome::Unknown(n)) => {
            m.merge(&n);
            Outcome::Unknown(m)
        }
        (Outcome::Unknown(m), _) | (_, Outcome::Unknown(m)) => Outcome::Unknown(m),
        _ => Outcome::Known(Value::Bool(true)),
    }
}

pub(super) fn both(a: Outcome, b: Outcome) -> Result<(Value, Value), Missing> {
    match (a, b) {
        (Outcome::Known(x), Outcome::Known(y)) => Ok((x, y)),
        (Outcome::Unknown(mut m), Outcome::Unknown(n)) => {
            m.merge(&n);
            Err(m)
        }
        (Outcome::Unknown(m), _) | (_, Outcome::Unknown(m)) => Err(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;
    use crate::ir::expr::Direction;
    use crate::ir::fold;
    use crate::syntax::ast::ArithOp;

    fn t() -> Expr {
        Expr::Const(Value::Bool(true))
    }
    fn f() -> Expr {
        Expr::Const(Value::Bool(false))
    }
    fn absent(field: usize) -> Expr {
        // the test document has one empty slot per field number below 10
        Expr::Field { field: FieldId::new(field).unwrap(), slot: FieldSlot::new(field).unwrap() }
    }
    fn m(fields: &[usize]) -> Missing {
        Missing(fields.iter().map(|f| MissingRef::Field(FieldId::new(*f).unwrap())).collect())
    }
    fn run(e: &Expr) -> Outcome {
        let doc = Document { root: Record { fields: vec![None; 10], lists: Vec::new() }, groups: Vec::new() };
        eval(e, &doc).unwrap_or_else(|e| unreachable!("{e:?}"))
    }

    #[test]
    fn kleene_and_or_absorb_unknowns() {
        assert_eq!(run(&Expr::And(vec![absent(1), f()])), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::Or(vec![absent(1), t()])), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::And(vec![absent(2), t(), absent(1)])), Outcome::Unknown(m(&[1, 2])));
        assert_eq!(run(&Expr::Or(vec![absent(1), f()])), Outcome::Unknown(m(&[1])));
        assert_eq!(run(&Expr::Not(Box::new(absent(3)))), Outcome::Unknown(m(&[3])));
    }

    #[test]
    fn is_known_is_never_unknown() {
        assert_eq!(run(&Expr::IsKnown(Box::new(absent(1)))), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::IsKnown(Box::new(t()))), Outcome::Known(Value::Bool(true)));
    }

    #[test]
    fn arithmetic_is_exact_and_overflow_is_an_error() {
        let n = |s: &str| Expr::Const(Value::Num(s.parse().unwrap_or_default()));
        let product = Expr::Arith(ArithOp::Mul, Box::new(n("0.7")), Box::new(n("70")), Span::default());
        assert_eq!(run(&product), Outcome::Known(Value::Num("49.0".parse().unwrap_or_default())));
        let sum = Expr::Arith(ArithOp::Add, Box::new(n("0.1")), Box::new(n("0.2")), Span::default());
        let equal = Expr::Compare(CmpOp::Eq, Box::new(sum), Box::new(n("0.3")));
        assert_eq!(eval(&equal, &Document::default()), Ok(Outcome::Known(Value::Bool(true))));
        let big = Expr::Arith(
            ArithOp::Mul,
            Box::new(Expr::Const(Value::Num(Decimal::MAX))),
            Box::new(n("2")),
            Span::new(3, 4),
        );
        assert_eq!(eval(&big, &Document::default()).map_err(|e| e.span), Err(Span::new(3, 4)));
        let div = Expr::Arith(ArithOp::Div, Box::new(n("1")), Box::new(n("0")), Span::new(5, 6));
        assert!(eval(&div, &Document::default()).is_err());
    }

    #[test]
    fn between_is_inclusive_and_unknown_when_absent() {
        let n = |v: i64| Box::new(Expr::Const(Value::Num(Decimal::from(v))));
        assert_eq!(run(&Expr::Between(n(8), n(8), n(19))), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::Between(n(19), n(8), n(19))), Outcome::Known(Value::Bool(true)));
        assert_eq!(run(&Expr::Between(n(20), n(8), n(19))), Outcome::Known(Value::Bool(false)));
        assert_eq!(run(&Expr::Between(Box::new(absent(4)), n(8), n(19))), Outcome::Unknown(m(&[4])));
    }

    /// Constant folding (`ir::fold`) gives what evaluation gives, errors and unknowns
    /// included, for every kind of expression that reads no input.
    #[test]
    fn folding_a_constant_gives_what_evaluation_gives() {
        let n = |s: &str| Box::new(Expr::Const(Value::Num(s.parse().unwrap())));
        let b = |v: bool| Box::new(Expr::Const(Value::Bool(v)));
        let c = |i: u16| Box::new(Expr::Const(Value::Choice(i)));
        let t = |s: &str| Box::new(Expr::Const(Value::Time(s.parse().unwrap())));
        let text = |i: u32| Box::new(Expr::Const(Value::Text(i)));
        let at = Span::new(1, 2);
        let max = || Box::new(Expr::Const(Value::Num(Decimal::MAX)));
        let div0 = || Expr::Arith(ArithOp::Div, n("1"), n("0"), at);
        // Unknown without a document: `min` of nothing (the checker never writes one).
        let none = || Box::new(Expr::Min(Vec::new()));
        let unknown = || Expr::Compare(CmpOp::Gt, none(), n("1"));
        let cases = vec![
            Expr::Arith(ArithOp::Div, n("1"), n("3"), at),
            div0(),
            Expr::Arith(ArithOp::Mul, max(), n("2"), at),
            Expr::Arith(ArithOp::Add, max(), n("1"), at),
            Expr::Arith(ArithOp::Sub, t("100"), t("40"), at),
            Expr::Arith(ArithOp::Add, t("100"), n("5"), at),
            Expr::Arith(ArithOp::Add, b(true), n("5"), at),
            Expr::Scale(n("2.5"), "0.001".parse().unwrap()),
            Expr::Scale(max(), Decimal::TEN),
            Expr::Neg(n("4")),
            Expr::Abs(n("-4")),
            Expr::Abs(b(true)),
            Expr::Not(b(true)),
            Expr::Not(n("1")),
            Expr::InSet(c(2), vec![1, 2]),
            Expr::InSet(c(0), vec![1, 2]),
            Expr::Step(c(2), Direction::Next, 3),
            Expr::Step(c(1), Direction::Next, 3),
            Expr::Step(c(0), Direction::Previous, 3),
            Expr::Floor(n("2.5")),
            Expr::Floor(n("-2.5")),
            Expr::Floor(b(true)),
            Expr::LocalDay(t("0"), Box::new(crate::calendar::ZoneRule::parse("EST5EDT,M3.2.0,M11.1.0").unwrap())),
            Expr::LocalDay(max(), Box::new(crate::calendar::ZoneRule::parse("UTC0").unwrap())),
            Expr::Compare(CmpOp::Lt, n("1"), n("2")),
            Expr::Compare(CmpOp::Ne, c(1), c(1)),
            Expr::Compare(CmpOp::Eq, text(0), text(1)),
            Expr::Compare(CmpOp::Eq, text(0), n("1")),
            Expr::Between(n("5"), n("1"), n("5")),
            Expr::Between(n("0"), n("1"), n("5")),
            Expr::Between(none(), n("1"), n("5")),
            Expr::Between(n("5"), none(), n("4")),
            Expr::And(vec![*b(true), Expr::Compare(CmpOp::Gt, n("2"), n("1"))]),
            Expr::And(vec![*b(false), Expr::Compare(CmpOp::Gt, Box::new(div0()), n("1"))]),
            Expr::And(vec![unknown(), *b(false)]),
            Expr::And(vec![unknown(), *b(true)]),
            Expr::Or(vec![*b(false), *b(false)]),
            Expr::Or(vec![Expr::Compare(CmpOp::Eq, Box::new(div0()), n("1")), *b(true)]),
            Expr::Or(vec![unknown(), *b(true)]),
            Expr::Choose(vec![(*b(false), *n("1")), (*b(true), *n("2"))], n("3")),
            Expr::Choose(vec![(*b(false), div0())], n("3")),
            Expr::Choose(vec![(*b(true), div0())], n("3")),
            Expr::Choose(vec![(unknown(), *n("1")), (*b(true), div0())], n("3")),
            Expr::Choose(vec![(unknown(), *n("1"))], Box::new(div0())),
            Expr::Choose(vec![(*n("1"), *n("1"))], n("3")),
            Expr::Min(vec![*n("3"), *n("-1"), *n("2")]),
            Expr::Max(vec![*n("3"), *n("-1")]),
            Expr::Max(vec![*n("3"), *b(true)]),
            *none(),
            Expr::Min(vec![*none(), *n("4")]),
            Expr::IsKnown(none()),
            Expr::IsKnown(n("1")),
            Expr::IsKnown(Box::new(div0())),
            Expr::Neg(none()),
        ];
        for e in &cases {
            let evaluated = eval(e, &Document::default()).map(|o| match o {
                Outcome::Known(v) => Some(v),
                Outcome::Unknown(_) => None,
            });
            assert_eq!(fold::constant(e), evaluated, "{e:?}");
        }
    }
}
