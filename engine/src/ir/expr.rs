//! Compiled expressions and the values they take, with the one traversal that knows the
//! shape of every kind of expression ([`Expr::children`]).

use super::{DecisionId, FieldId, FieldSlot, GroupId, LadderId, ListId, ListSlot};
use crate::calendar::ZoneRule;
use crate::diagnostic::Span;
use crate::syntax::ast::{ArithOp, CmpOp};
use rust_decimal::Decimal;

/// A value an input or expression can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// An exact decimal, in the unit its type says.
    Num(Decimal),
    /// The index of an enumeration value in its field's list of choices.
    Choice(u16),
    /// Seconds since 1970-01-01T00:00:00Z.
    Time(Decimal),
    /// A text, by index in [`Program::texts`](super::Program::texts).
    Text(u32),
    /// A list of constants, by index in [`Program::lists`](super::Program::lists).
    List(u32),
}

/// Which item of a list an expression reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    /// By position: 0 is the first item, -1 the last.
    Position(i32),
    /// The item bound by an enclosing quantifier: 0 the innermost, 1 the one around it...
    Bound(u8),
    /// The item just before that one in its list (`r.previous`).
    BoundBefore(u8),
}

pub use crate::syntax::ast::Quantifier;

/// Which way `next` and `previous` step through choices in declared order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `next`: the choice after.
    Next,
    /// `previous`: the choice before.
    Previous,
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// A field of the document root.
    Field {
        /// The field, to name it when absent.
        field: FieldId,
        /// Its slot in the root record.
        slot: FieldSlot,
    },
    /// Whether a group is in the document.
    GroupPresent(GroupId),
    /// The verdict of an earlier decision, as the index of the verdict in its tiers.
    Verdict(DecisionId),
    /// An item of a list, as a whole: only ever read through [`Expr::ItemField`]; the
    /// checker never lets it be evaluated.
    Item {
        /// The list.
        list: ListId,
        /// Which item.
        item: ItemRef,
    },
    /// A field of an item of a top-level list.
    ItemField {
        /// The list.
        list: ListId,
        /// The list's slot in the root record.
        list_slot: ListSlot,
        /// Which item.
        item: ItemRef,
        /// The field.
        field: FieldId,
        /// The field's slot in an item.
        slot: FieldSlot,
    },
    /// `any`, `all` or `count` over the items of a top-level list.
    Quantifier {
        /// Which one.
        kind: Quantifier,
        /// The list.
        list: ListId,
        /// The list's slot in the root record.
        list_slot: ListSlot,
        /// The condition, with the item bound as `Bound(0)`; `None` takes every item.
        cond: Option<Box<Expr>>,
    },
    /// Ordered rules: the value of the first arm whose condition is true, provided every
    /// condition before it is false; otherwise the last value.
    Choose(Vec<(Expr, Expr)>, Box<Expr>),
    /// The next or previous choice in declared order, staying at the ends; the number of
    /// choices is given.
    Step(Box<Expr>, Direction, u16),
    /// A ladder's dose (mg) at a level, on the document's route.
    Dose(LadderId, Box<Expr>),
    /// Whether a level exists on the route and its dose is within the cap.
    Allowed(LadderId, Box<Expr>),
    /// The highest allowed level at or below a level.
    HighestAllowed(LadderId, Box<Expr>),
    /// Kleene negation.
    Not(Box<Expr>),
    /// Kleene conjunction.
    And(Vec<Expr>),
    /// Kleene disjunction.
    Or(Vec<Expr>),
    /// Comparison of two values of the same type (numbers already in one unit).
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `lo <= e <= hi`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Arithmetic; the span names the place of an overflow.
    Arith(ArithOp, Box<Expr>, Box<Expr>, Span),
    /// Negation of a number.
    Neg(Box<Expr>),
    /// Multiplication by an exact unit conversion factor.
    Scale(Box<Expr>, Decimal),
    /// Smallest of numbers in one unit.
    Min(Vec<Expr>),
    /// Largest of numbers in one unit.
    Max(Vec<Expr>),
    /// Absolute value.
    Abs(Box<Expr>),
    /// Membership of a choice in a set of choice indices.
    InSet(Box<Expr>, Vec<u16>),
    /// Whether the operand is known: never unknown itself.
    IsKnown(Box<Expr>),
    /// The largest whole number not above a plain number (`floor`).
    Floor(Box<Expr>),
    /// The local calendar day of a timestamp by the protocol's time zone rule, in days since
    /// 1970-01-01: `day(t)`.
    LocalDay(Box<Expr>, Box<ZoneRule>),
    /// The instant a local calendar day (days since 1970-01-01) starts by the protocol's time
    /// zone rule: `day_start(d)`.
    DayStart(Box<Expr>, Box<ZoneRule>),
    /// A subexpression the program holds more than once (a definition used in several
    /// places), numbered: its value is the value of the expression within, which the quick
    /// evaluator computes once per document ([`super::share`]). Only around an expression
    /// that reads no bound item and no verdict, so that its value depends on the document
    /// alone.
    Shared(u32, Box<Expr>),
}

/// The expressions directly within an expression, in order: [`Expr::children`].
#[derive(Debug, Clone)]
pub struct Children<'a> {
    /// The arms of `choose`: each condition, then its value.
    arms: std::slice::Iter<'a, (Expr, Expr)>,
    /// The value of the arm whose condition came last.
    value: Option<&'a Expr>,
    /// The operands of `and`, `or`, `min` and `max`.
    list: std::slice::Iter<'a, Expr>,
    /// Up to three operands, after those above (`otherwise` after the arms of `choose`).
    fixed: std::array::IntoIter<Option<&'a Expr>, 3>,
}

impl<'a> Children<'a> {
    fn new(arms: &'a [(Expr, Expr)], list: &'a [Expr], fixed: [Option<&'a Expr>; 3]) -> Self {
        Children { arms: arms.iter(), value: None, list: list.iter(), fixed: fixed.into_iter() }
    }

    fn operands(fixed: [Option<&'a Expr>; 3]) -> Self {
        Children::new(&[], &[], fixed)
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        if let Some(value) = self.value.take() {
            return Some(value);
        }
        if let Some((condition, value)) = self.arms.next() {
            self.value = Some(value);
            return Some(condition);
        }
        self.list.next().or_else(|| self.fixed.next().flatten())
    }
}

/// The pattern of an operation on one value that [`super::ops::unary`] computes (`not`, `-`,
/// `abs`, a unit conversion, `in {...}`, `next`, `previous`, `floor`, `day`), its operand
/// bound to `$e`: the one list of them, for the evaluator's dispatch and constant folding.
macro_rules! unary {
    ($e:ident) => {
        Expr::Not($e)
            | Expr::Neg($e)
            | Expr::Abs($e)
            | Expr::Scale($e, _)
            | Expr::InSet($e, _)
            | Expr::Step($e, ..)
            | Expr::Floor($e)
            | Expr::LocalDay($e, _)
            | Expr::DayStart($e, _)
    };
}
pub(crate) use unary;

/// The pattern of every expression with exactly one operand, bound to `$e`.
macro_rules! one_operand {
    ($e:ident) => {
        unary!($e)
            | Expr::Dose(_, $e)
            | Expr::Allowed(_, $e)
            | Expr::HighestAllowed(_, $e)
            | Expr::IsKnown($e)
            | Expr::Shared(_, $e)
    };
}

/// The pattern of every expression with no operand.
macro_rules! leaf {
    () => {
        Expr::Const(_)
            | Expr::Field { .. }
            | Expr::GroupPresent(_)
            | Expr::Verdict(_)
            | Expr::Item { .. }
            | Expr::ItemField { .. }
    };
}

impl Expr {
    /// The expressions directly within this one, in order: the one place that knows the
    /// shape of every kind of expression, for the traversals that need no more.
    pub fn children(&self) -> Children<'_> {
        match self {
            leaf!() => Children::operands([None; 3]),
            Expr::Quantifier { cond, .. } => Children::operands([cond.as_deref(), None, None]),
            Expr::Choose(arms, otherwise) => Children::new(arms, &[], [Some(otherwise), None, None]),
            one_operand!(x) => Children::operands([Some(x), None, None]),
            Expr::And(xs) | Expr::Or(xs) | Expr::Min(xs) | Expr::Max(xs) => Children::new(&[], xs, [None; 3]),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b, _) => Children::operands([Some(a), Some(b), None]),
            Expr::Between(a, b, c) => Children::operands([Some(a), Some(b), Some(c)]),
        }
    }

    /// Calls `f` on each expression directly within this one, in the order of
    /// [`Expr::children`], to change it.
    pub(crate) fn for_each_child_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        match self {
            leaf!() => {}
            Expr::Quantifier { cond, .. } => cond.as_deref_mut().into_iter().for_each(f),
            Expr::Choose(arms, otherwise) => {
                for (condition, value) in arms {
                    f(condition);
                    f(value);
                }
                f(otherwise);
            }
            one_operand!(x) => f(x),
            Expr::And(xs) | Expr::Or(xs) | Expr::Min(xs) | Expr::Max(xs) => xs.iter_mut().for_each(f),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b, _) => {
                f(a);
                f(b);
            }
            Expr::Between(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
        }
    }

    /// Calls `f` on this expression and every expression within it, outermost first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        for child in self.children() {
            child.walk(f);
        }
    }

    /// Whether this expression or one within it satisfies `p`.
    pub fn any(&self, p: &dyn Fn(&Expr) -> bool) -> bool {
        p(self) || self.children().any(|c| c.any(p))
    }

    /// Calls `f` on every decision whose verdict this expression reads, outermost first.
    pub fn visit_verdicts(&self, f: &mut impl FnMut(DecisionId)) {
        self.walk(&mut |e| {
            if let Expr::Verdict(d) = e {
                f(*d);
            }
        });
    }

    /// Calls `f` on every field of the document root this expression reads, outermost first.
    pub fn visit_fields(&self, f: &mut impl FnMut(FieldId)) {
        self.walk(&mut |e| {
            if let Expr::Field { field, .. } = e {
                f(*field);
            }
        });
    }

    /// Whether this node itself reads the document: a field, a group, a list, a verdict or
    /// a dose (on the document's route).
    pub fn reads_input(&self) -> bool {
        matches!(
            self,
            Expr::Field { .. }
                | Expr::GroupPresent(_)
                | Expr::Verdict(_)
                | Expr::Item { .. }
                | Expr::ItemField { .. }
                | Expr::Quantifier { .. }
                | Expr::Dose(..)
                | Expr::Allowed(..)
                | Expr::HighestAllowed(..)
        )
    }

    /// Whether the expression reads no input: no field, group, list, verdict or dose.
    pub fn is_constant(&self) -> bool {
        !self.any(&Expr::reads_input)
    }
}
