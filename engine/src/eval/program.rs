//! The compiled program: what the checker produces and the evaluator runs. Inputs are
//! resolved to slots, units to exact scale factors, definitions are inlined and constants
//! folded, so evaluating a document never looks a name up.

use crate::diagnostic::Span;
use crate::syntax::ast::{ArithOp, CmpOp};
use crate::units::Unit;
use indexmap::IndexMap;
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
    /// A text, by index in [`Program::texts`].
    Text(u32),
    /// A list of constants, by index in [`Program::lists`].
    List(u32),
}

/// The type of a field's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `boolean`.
    Boolean,
    /// `integer` or `decimal`, with its unit.
    Number {
        /// Whether only whole numbers are admissible.
        integer: bool,
        /// Its unit ([`Unit::none`] for scores and counts).
        unit: Unit,
    },
    /// `one of ...`, in declared order.
    Choice(Vec<String>),
    /// `timestamp`.
    Timestamp,
}

/// A declared input value.
#[derive(Debug, Clone)]
pub struct Field {
    /// Full dotted path; list elements are written `[]` (`course.sessions[].at`).
    pub path: String,
    /// Its type.
    pub ty: FieldType,
    /// Admissible range, both ends included, in its unit.
    pub range: Option<(Decimal, Decimal)>,
    /// Label for people.
    pub label: String,
    /// Help text for people.
    pub help: Option<String>,
    /// The list whose items hold it, if any.
    pub list: Option<usize>,
    /// Its slot within its record (the document root or a list item).
    pub slot: usize,
    /// When it must be present.
    pub required: Required,
    /// In a list: no item has a smaller value than the item before it.
    pub ordered: bool,
    /// Never later than (above) this field of the document root, by index.
    pub not_after: Option<usize>,
    /// Where it was declared.
    pub span: Span,
}

/// When an input must be present in a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Required {
    /// It may always be absent.
    #[default]
    No,
    /// Whenever the object holding it is present (every item, for a list item's field).
    WithParent,
    /// Whenever one of these groups (indices in [`Schema::groups`]) is present.
    WithGroups(Vec<usize>),
}

/// A declared list of records.
#[derive(Debug, Clone)]
pub struct ListDecl {
    /// Full dotted path.
    pub path: String,
    /// Admissible number of items.
    pub range: Option<(Decimal, Decimal)>,
    /// Label for people.
    pub label: String,
    /// Help text for people.
    pub help: Option<String>,
    /// The list whose items hold it, if any.
    pub list: Option<usize>,
    /// Its slot among its record's lists.
    pub slot: usize,
    /// The shape of one item.
    pub item: Shape,
    /// How many field slots an item has.
    pub item_fields: usize,
    /// How many list slots an item has.
    pub item_lists: usize,
    /// When it must be present.
    pub required: Required,
    /// Where it was declared.
    pub span: Span,
}

/// The expected structure of a JSON object in an input document.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Members by name, in declaration order.
    pub members: IndexMap<String, Member>,
    /// For a group outside lists, its index in [`Schema::groups`].
    pub group: Option<usize>,
}

/// What a member of an object holds.
#[derive(Debug, Clone)]
pub enum Member {
    /// A field, by index in [`Schema::fields`].
    Field(usize),
    /// A nested object.
    Group(Shape),
    /// A list, by index in [`Schema::lists`].
    List(usize),
}

/// Every declared input of a protocol.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// All fields, in declaration order.
    pub fields: Vec<Field>,
    /// All lists, in declaration order.
    pub lists: Vec<ListDecl>,
    /// Paths of the groups outside lists (`patient`, `screening`), in declaration order.
    pub groups: Vec<String>,
    /// The document's shape.
    pub root: Shape,
    /// Field slots of the document root.
    pub root_fields: usize,
    /// List slots of the document root.
    pub root_lists: usize,
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

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// A field of the document root, by index in [`Schema::fields`] and slot.
    Field {
        /// Index in [`Schema::fields`], to name it when absent.
        field: u32,
        /// Slot in the root record.
        slot: u32,
    },
    /// Whether a group (by index in [`Schema::groups`]) is in the document.
    GroupPresent(u32),
    /// The verdict of an earlier decision (by index in [`Program::decisions`]), as the
    /// index of the verdict in its tiers.
    Verdict(u32),
    /// An item of a list, as a whole: only ever read through [`Expr::ItemField`]; the
    /// checker never lets it be evaluated.
    Item {
        /// Index in [`Schema::lists`].
        list: u32,
        /// Which item.
        item: ItemRef,
    },
    /// A field of an item of a top-level list.
    ItemField {
        /// Index in [`Schema::lists`].
        list: u32,
        /// The list's slot in the root record.
        list_slot: u32,
        /// Which item.
        item: ItemRef,
        /// Index in [`Schema::fields`].
        field: u32,
        /// The field's slot in an item.
        slot: u32,
    },
    /// `any`, `all` or `count` over the items of a top-level list.
    Quantifier {
        /// Which one.
        kind: Quantifier,
        /// Index in [`Schema::lists`].
        list: u32,
        /// The list's slot in the root record.
        list_slot: u32,
        /// The condition, with the item bound as `Bound(0)`; `None` takes every item.
        cond: Option<Box<Expr>>,
    },
    /// Ordered rules: the value of the first arm whose condition is true, provided every
    /// condition before it is false; otherwise the last value.
    Choose(Vec<(Expr, Expr)>, Box<Expr>),
    /// The next (`true`) or previous choice in declared order, staying at the ends; the
    /// number of choices is given.
    Step(Box<Expr>, bool, u16),
    /// A ladder's dose (mg) at a level, on the document's route.
    Dose(u32, Box<Expr>),
    /// Whether a level exists on the route and its dose is within the cap.
    Allowed(u32, Box<Expr>),
    /// The highest allowed level at or below a level.
    HighestAllowed(u32, Box<Expr>),
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
}

impl Expr {
    /// Calls `f` on each expression directly within this one, in order: the one place that
    /// knows the shape of every kind of expression, for the traversals that need no more.
    pub fn for_each_child(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Expr::Const(_)
            | Expr::Field { .. }
            | Expr::GroupPresent(_)
            | Expr::Verdict(_)
            | Expr::Item { .. }
            | Expr::ItemField { .. } => {}
            Expr::Quantifier { cond, .. } => {
                if let Some(c) = cond {
                    f(c);
                }
            }
            Expr::Choose(arms, otherwise) => {
                for (c, v) in arms {
                    f(c);
                    f(v);
                }
                f(otherwise);
            }
            Expr::Dose(_, x)
            | Expr::Allowed(_, x)
            | Expr::HighestAllowed(_, x)
            | Expr::Step(x, _, _)
            | Expr::Not(x)
            | Expr::Neg(x)
            | Expr::Scale(x, _)
            | Expr::Abs(x)
            | Expr::InSet(x, _)
            | Expr::IsKnown(x) => f(x),
            Expr::And(xs) | Expr::Or(xs) | Expr::Min(xs) | Expr::Max(xs) => xs.iter().for_each(&mut *f),
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
        self.for_each_child(&mut |c| c.walk(f));
    }

    /// Calls `f` on every decision whose verdict this expression reads.
    pub fn visit_verdicts(&self, f: &mut impl FnMut(u32)) {
        match self {
            Expr::Verdict(d) => f(*d),
            Expr::Const(_)
            | Expr::Field { .. }
            | Expr::GroupPresent(_)
            | Expr::Item { .. }
            | Expr::ItemField { .. } => {}
            Expr::Quantifier { cond, .. } => {
                if let Some(c) = cond {
                    c.visit_verdicts(f)
                }
            }
            Expr::Choose(arms, otherwise) => {
                for (c, e) in arms {
                    c.visit_verdicts(f);
                    e.visit_verdicts(f);
                }
                otherwise.visit_verdicts(f)
            }
            Expr::Not(e)
            | Expr::Neg(e)
            | Expr::Scale(e, _)
            | Expr::Abs(e)
            | Expr::InSet(e, _)
            | Expr::IsKnown(e)
            | Expr::Step(e, _, _)
            | Expr::Dose(_, e)
            | Expr::Allowed(_, e)
            | Expr::HighestAllowed(_, e) => e.visit_verdicts(f),
            Expr::And(es) | Expr::Or(es) | Expr::Min(es) | Expr::Max(es) => es.iter().for_each(|e| e.visit_verdicts(f)),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b, _) => {
                a.visit_verdicts(f);
                b.visit_verdicts(f);
            }
            Expr::Between(a, b, c) => {
                a.visit_verdicts(f);
                b.visit_verdicts(f);
                c.visit_verdicts(f);
            }
        }
    }

    /// Calls `f` on every field this expression reads.
    pub fn visit_fields(&self, f: &mut impl FnMut(u32)) {
        match self {
            Expr::Field { field, .. } => f(*field),
            Expr::Const(_) | Expr::GroupPresent(_) | Expr::Verdict(_) | Expr::Item { .. } | Expr::ItemField { .. } => {}
            Expr::Quantifier { cond, .. } => {
                if let Some(c) = cond {
                    c.visit_fields(f)
                }
            }
            Expr::Choose(arms, otherwise) => {
                for (c, e) in arms {
                    c.visit_fields(f);
                    e.visit_fields(f);
                }
                otherwise.visit_fields(f)
            }
            Expr::Step(e, _, _) | Expr::Dose(_, e) | Expr::Allowed(_, e) | Expr::HighestAllowed(_, e) => {
                e.visit_fields(f)
            }
            Expr::Not(e) | Expr::Neg(e) | Expr::Scale(e, _) | Expr::Abs(e) | Expr::InSet(e, _) | Expr::IsKnown(e) => {
                e.visit_fields(f)
            }
            Expr::And(es) | Expr::Or(es) | Expr::Min(es) | Expr::Max(es) => es.iter().for_each(|e| e.visit_fields(f)),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b, _) => {
                a.visit_fields(f);
                b.visit_fields(f);
            }
            Expr::Between(a, b, c) => {
                a.visit_fields(f);
                b.visit_fields(f);
                c.visit_fields(f);
            }
        }
    }

    /// Whether the expression reads no input.
    pub fn is_constant(&self) -> bool {
        let mut reads = false;
        self.visit_fields(&mut |_| reads = true);
        !reads && !self.reads_document()
    }

    /// Whether it reads groups or lists, which `visit_fields` does not report.
    fn reads_document(&self) -> bool {
        match self {
            Expr::GroupPresent(_)
            | Expr::Verdict(_)
            | Expr::Item { .. }
            | Expr::ItemField { .. }
            | Expr::Quantifier { .. } => true,
            Expr::Const(_) | Expr::Field { .. } => false,
            Expr::Not(e) | Expr::Neg(e) | Expr::Scale(e, _) | Expr::Abs(e) | Expr::InSet(e, _) | Expr::IsKnown(e) => {
                e.reads_document()
            }
            Expr::And(es) | Expr::Or(es) | Expr::Min(es) | Expr::Max(es) => es.iter().any(Expr::reads_document),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b, _) => a.reads_document() || b.reads_document(),
            Expr::Choose(arms, otherwise) => {
                arms.iter().any(|(c, e)| c.reads_document() || e.reads_document()) || otherwise.reads_document()
            }
            Expr::Step(e, _, _) => e.reads_document(),
            Expr::Dose(..) | Expr::Allowed(..) | Expr::HighestAllowed(..) => true,
            Expr::Between(a, b, c) => a.reads_document() || b.reads_document() || c.reads_document(),
        }
    }
}

/// A citable source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The key rules cite.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Index of its kind in [`Decision::kinds`].
    pub kind: usize,
    /// Stable id, unique within its decision.
    pub id: String,
    /// The message for people.
    pub message: String,
    /// Help text.
    pub help: Option<String>,
    /// Indices of cited sources in [`Program::sources`].
    pub sources: Vec<usize>,
    /// Its condition.
    pub when: Expr,
    /// The fields its condition reads, sorted by declaration order.
    pub reads: Vec<u32>,
    /// Where it was declared.
    pub span: Span,
}

/// A kind of rule in a decision (`exclude`, `caution`, `info`).
#[derive(Debug, Clone)]
pub struct Kind {
    /// Its name as written in rules.
    pub name: String,
    /// The output list of the ids of its true rules.
    pub list: String,
    /// Quiet kinds never add to `missing`.
    pub quiet: bool,
    /// Advisory kinds never change the verdict, but unknown ones add to `missing`.
    pub advisory: bool,
}

/// One step of a decision's verdict: the first that holds is the verdict.
#[derive(Debug, Clone)]
pub struct Tier {
    /// The verdict's name.
    pub verdict: String,
    /// Holds when a rule of one of these kinds is true (`any`)...
    pub any: Vec<usize>,
    /// ... or unknown (`unknown`)...
    pub unknown: Vec<usize>,
    /// ... or when this condition is true or unknown. All empty: `otherwise`, always holds.
    pub when: Option<Expr>,
    /// How the verdict looks to people, when the rule file says (`tone hold`): one of
    /// [`TONES`].
    pub tone: Option<String>,
}

/// The tones a verdict can have: display hints that say how good or bad the news is, for
/// forms (a colour and an icon) and, later, CDS Hooks card indicators. A closed, small set:
/// ok (go ahead), caution (go ahead, with care), hold (not now: wait for something), stop
/// (no), unknown (data are missing), done (finished).
pub const TONES: &[&str] = &["ok", "caution", "hold", "stop", "unknown", "done"];

/// The severities of an alert, from the least to the most urgent: forms colour them, and a
/// CDS card takes its indicator from them.
pub const SEVERITIES: &[&str] = &["info", "warning", "critical"];

/// What a decision writes after its verdict, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The ids of the true rules of a kind, by index in [`Decision::kinds`].
    Kind(usize),
    /// The ids of the true rules of the verdict's tier, under this name.
    Reasons(String),
    /// A value, by index in [`Decision::values`].
    Value(usize),
    /// The `due` list of [`Decision::due`].
    Due,
    /// The `alerts` list of [`Decision::alerts`].
    Alerts,
}

/// An alert: raised at the first item of a list where its condition is true.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// Its severity.
    pub severity: String,
    /// The message for people.
    pub message: String,
    /// Cited sources (indices in [`Program::sources`]).
    pub sources: Vec<usize>,
    /// The list's slot in the document root.
    pub list_slot: u32,
    /// The condition, with the item bound.
    pub when: Expr,
    /// The time, with the item bound.
    pub at: Expr,
    /// Otherwise: a condition and a time, without items.
    pub otherwise: Option<(Expr, Expr)>,
    /// What the staff do when it is raised, written with it in the output.
    pub action: Option<String>,
}

/// Something to do at a computed time: `due` entries of a decision.
#[derive(Debug, Clone)]
pub struct Due {
    /// Its id.
    pub id: String,
    /// What to check.
    pub checks: Vec<String>,
    /// When: a timestamp, with the item bound when `each` is given.
    pub at: Expr,
    /// Seconds after `at`, one item each; empty for one item at `at`.
    pub after: Vec<Decimal>,
    /// One item per item of this top-level list (index in [`Schema::lists`], slot).
    pub each: Option<(u32, u32)>,
    /// `when` (true): due only when the condition is true; `unless` (false): due unless it
    /// is true, so also when it is unknown.
    pub when: Option<(bool, Expr)>,
}

/// How an output value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueShape {
    /// true or false.
    Bool,
    /// A number; with a unit, `{"value": n, "unit": "mg"}`.
    Number(Option<String>),
    /// One of these choices, as text.
    Choice(Vec<String>),
    /// A timestamp, in UTC.
    Time,
    /// A text.
    Text,
    /// A list of values of one shape.
    List(Box<ValueShape>),
    /// A ladder's dose: `{"value": n, "unit": "mg"}`, with `infusion_minutes` when the route
    /// has them.
    Dose(u32),
}

/// A value a decision outputs.
#[derive(Debug, Clone)]
pub struct OutputValue {
    /// The output field.
    pub name: String,
    /// Its expression.
    pub expr: Expr,
    /// How it is written.
    pub shape: ValueShape,
    /// The verdicts (indices in [`Decision::tiers`]) it is given for; empty for all.
    pub verdicts: Vec<usize>,
    /// The timestamp input (its path) it counts minutes after, a display hint.
    pub minutes_after: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A compiled decision.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Its name in the output.
    pub name: String,
    /// Title for people.
    pub title: Option<String>,
    /// Groups (indices in [`Schema::groups`]) one of which must be present for the decision
    /// to be made; empty means always.
    pub given: Vec<u32>,
    /// Rule kinds, in declaration order.
    pub kinds: Vec<Kind>,
    /// Rules, in declaration order.
    pub rules: Vec<Rule>,
    /// Verdicts, in order; the last always holds.
    pub tiers: Vec<Tier>,
    /// Output values.
    pub values: Vec<OutputValue>,
    /// What follows the verdict in the output, in order.
    pub outputs: Vec<Output>,
    /// Labels for people of the outputs that have one (output name, label): display hints.
    pub labels: Vec<(String, String)>,
    /// Other sources of missing inputs, joined when their condition holds (always without one).
    pub missing_of: Vec<(MissingSource, Option<Expr>)>,
    /// Things to do at computed times, written as the `due` list.
    pub due: Vec<Due>,
    /// The earlier decisions (indices) it reads: they are made even when not output.
    pub reads_decisions: Vec<usize>,
    /// Alerts, written as the `alerts` list.
    pub alerts: Vec<Alert>,
    /// The earlier decision (index) whose output holds this one's, as a field named after it.
    pub within: Option<usize>,
}

/// Where a decision's `missing of` entry takes missing inputs from.
#[derive(Debug, Clone)]
pub enum MissingSource {
    /// An earlier decision, by index in [`Program::decisions`].
    Decision(usize),
    /// The absent inputs that leave this expression unknown.
    Expr(Expr),
}

/// The protocol header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// draft, testing, production or retired.
    pub status: String,
    /// Who signs it off.
    pub owner: Option<String>,
    /// What it is for.
    pub description: Option<String>,
}

/// A compiled protocol, ready to evaluate documents.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The header.
    pub header: Header,
    /// Sources, in declaration order.
    pub sources: Vec<Source>,
    /// The inputs.
    pub schema: Schema,
    /// Decisions, in declaration order.
    pub decisions: Vec<Decision>,
    /// Dose ladders, in declaration order.
    pub ladders: Vec<Ladder>,
    /// Texts used as values (`"escalate"`), by index.
    pub texts: Vec<String>,
    /// Lists of constants used as values (`[20, 40]`), by index.
    pub lists: Vec<Vec<Value>>,
}

/// A dose ladder: for each route, the dose at each level.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// Its name.
    pub name: String,
    /// Title for people.
    pub title: Option<String>,
    /// The levels, in order (the choices of the levels input).
    pub levels: Vec<String>,
    /// The routes (the choices of the route input).
    pub routes: Vec<String>,
    /// The route input: a top-level field, by index and slot.
    pub route_field: u32,
    /// The route input's slot in the document root.
    pub route_slot: u32,
    /// The dosing weight, in kg, for per-kg doses.
    pub weight: Option<Expr>,
    /// For each route (by choice index), its steps.
    pub by_route: Vec<RouteSteps>,
    /// `allow above LEVEL when C`: the levels above this one (by choice index) are allowed
    /// only when the condition is true.
    pub allow_above: Option<(u16, Expr)>,
    /// Where it is declared.
    pub span: Span,
}

/// A route's doses.
#[derive(Debug, Clone, Default)]
pub struct RouteSteps {
    /// For each level (by choice index), its dose, if the route has that level.
    pub steps: Vec<Option<Step>>,
    /// Doses are rounded down to a multiple of this, in mg.
    pub round: Option<Decimal>,
    /// No dose above this (mg) is allowed.
    pub cap: Option<Expr>,
    /// Hard limits the checker proves no dose exceeds, with where each is written.
    pub limits: Vec<(Limit, Span)>,
    /// Given over this many minutes.
    pub infusion_minutes: Option<Decimal>,
}

/// The dose at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// mg, or mg per kg of dosing weight.
    pub amount: Decimal,
    /// Whether `amount` is per kg.
    pub per_kg: bool,
    /// Cited sources.
    pub sources: Vec<usize>,
    /// Where it is written.
    pub span: Span,
}

/// A hard limit on a route's doses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Never above this many mg.
    Mg(Decimal),
    /// Never above this many mg per kg of dosing weight.
    MgPerKg(Decimal),
}
