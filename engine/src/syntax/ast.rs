//! The syntax tree of a rule file. Every node carries the span of the text it came from.

use crate::diagnostic::Span;
use rust_decimal::Decimal;

/// A syntax node with the span of source text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    /// The node itself.
    pub node: T,
    /// Where it stands in the source.
    pub span: Span,
}

impl<T> Node<T> {
    /// Wraps `node` with its span.
    pub fn new(node: T, span: Span) -> Self {
        Node { node, span }
    }
}

/// A name as written: an identifier or a dotted path.
pub type Name = Node<String>;

/// A parsed rule file: the items that parsed, in source order.
#[derive(Debug, Clone, Default)]
pub struct RuleFile {
    /// Top-level items.
    pub items: Vec<Item>,
    /// Names declared by items that did not parse (`input NAME`, `define NAME`): the
    /// checker does not report their uses again.
    pub broken: indexmap::IndexSet<String>,
}

/// One top-level item.
#[derive(Debug, Clone)]
pub enum Item {
    /// `protocol "Name" version "..." status draft owner "..."`.
    Protocol(Header),
    /// `source KEY "Title" url "..."`.
    Source(SourceDecl),
    /// `input path: type unit in lo..hi "Label" help "..."`.
    Input(InputDecl),
    /// `define name(params) = expression`.
    Define(Define),
    /// `decision name "Title"` with its entries.
    Decision(DecisionDecl),
    /// `ladder name "Title"` with its entries.
    Ladder(LadderDecl),
    /// `schedule name "Title" of LIST[].TIME` with its phases.
    Schedule(ScheduleDecl),
}

/// A dose ladder: levels per route, with fixed amounts or rates per kg.
#[derive(Debug, Clone)]
pub struct LadderDecl {
    /// Its name, used in `dose(NAME, level)`.
    pub name: Name,
    /// A title for people.
    pub title: Option<Node<String>>,
    /// Entries that parsed.
    pub entries: Vec<LadderEntry>,
    /// The header line.
    pub span: Span,
}

/// One entry of a ladder.
#[derive(Debug, Clone)]
pub enum LadderEntry {
    /// `levels PATH`.
    Levels(Name),
    /// `route PATH`.
    Route(Name),
    /// `weight EXPR`.
    Weight(Expr),
    /// `dose ROUTE LEVEL AMOUNT [SOURCES]` (no route: the ladder's only one).
    Dose {
        /// The route.
        route: Option<Name>,
        /// The level.
        level: Name,
        /// A fixed amount or a rate per kg.
        amount: Node<(Decimal, Option<Name>)>,
        /// Cited sources.
        cites: Vec<Name>,
    },
    /// `round ROUTE down to STEP`.
    Round(Option<Name>, Node<(Decimal, Option<Name>)>),
    /// `cap ROUTE EXPR`.
    Cap(Option<Name>, Expr),
    /// `limit ROUTE Q, Q`.
    Limit(Option<Name>, Vec<Node<(Decimal, Option<Name>)>>),
    /// `infusion ROUTE DURATION`.
    Infusion(Option<Name>, Node<(Decimal, Option<Name>)>),
    /// `allow above LEVEL when CONDITION [SOURCES]`.
    AllowAbove {
        /// The highest level the condition does not apply to.
        level: Name,
        /// When the levels above it are allowed.
        when: Expr,
        /// Cited sources.
        cites: Vec<Name>,
    },
}

/// The protocol header.
#[derive(Debug, Clone)]
pub struct Header {
    /// The protocol's name.
    pub name: Node<String>,
    /// `key value` fields: version, status, owner, description.
    pub fields: Vec<(Name, Node<String>)>,
    /// `timezone "IANA name" "POSIX TZ rule"`: the clinic's time zone (once; a second is
    /// reported by the checker).
    pub timezones: Vec<TimeZoneDecl>,
    /// The whole header.
    pub span: Span,
}

/// `timezone "America/New_York" "EST5EDT,M3.2.0,M11.1.0"`: the zone's IANA name and its
/// current rule as a POSIX TZ string.
#[derive(Debug, Clone)]
pub struct TimeZoneDecl {
    /// The IANA name.
    pub name: Node<String>,
    /// The rule; `None` when left out (enough for `UTC`).
    pub rule: Option<Node<String>>,
}

/// A citable source.
#[derive(Debug, Clone)]
pub struct SourceDecl {
    /// The key rules cite it by.
    pub key: Name,
    /// Its title.
    pub title: Node<String>,
    /// Where to read it.
    pub url: Option<Node<String>>,
}

/// The declared type of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `boolean`.
    Boolean,
    /// `integer UNIT?`.
    Integer(Option<Name>),
    /// `decimal UNIT?`.
    Decimal(Option<Name>),
    /// `one of a, b, c`, or, ordered (`true`), `one of a < b < c`.
    Choice(Vec<Name>, bool),
    /// `timestamp`.
    Timestamp,
    /// `list`: a list of records whose fields are declared as `path[].field`.
    List,
}

/// An input declaration.
#[derive(Debug, Clone)]
pub struct InputDecl {
    /// Dotted path; `[]` marks the elements of a list (`course.sessions[].at`).
    pub path: Name,
    /// Its type.
    pub ty: Node<TypeExpr>,
    /// Admissible range, both ends included (for a list, its number of items).
    pub range: Option<Node<(Decimal, Decimal)>>,
    /// Structural constraints on the document.
    pub flags: Vec<Node<InputFlag>>,
    /// A label for people.
    pub label: Node<String>,
    /// Help text for people.
    pub help: Option<Node<String>>,
    /// The whole declaration.
    pub span: Span,
}

/// A structural constraint declared on an input.
#[derive(Debug, Clone, PartialEq)]
pub enum InputFlag {
    /// `required`, or `required with g1, g2`: must be present whenever its object is (or
    /// whenever one of these groups is).
    Required(Vec<Name>),
    /// `ordered`: in a list, no item has a smaller value than the item before it.
    Ordered,
    /// `not after PATH`: never later than (or above) that input.
    NotAfter(Name),
}

/// A schedule: how many items of a list (sessions, by their time) each week of a course
/// allows, phase by phase, and when the next one falls due.
#[derive(Debug, Clone)]
pub struct ScheduleDecl {
    /// Its name, used in `full(NAME, t)` and `due_by(NAME)`.
    pub name: Name,
    /// A title for people.
    pub title: Option<Node<String>>,
    /// The timestamp member of a list: `course.sessions[].at`.
    pub of: Name,
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// The whole item.
    pub span: Span,
}

/// One phase of a schedule: `weeks 1 to 4: 2 a week [S1]`,
/// `weeks 9 on: 1 every 1 to 2 weeks [S1]`.
#[derive(Debug, Clone)]
pub struct Phase {
    /// Its first week, from 1.
    pub from: Node<u32>,
    /// Its last week; `None` for `on`.
    pub to: Option<Node<u32>>,
    /// The most items in each block of `every` weeks.
    pub count: Node<u32>,
    /// The length of a block, in weeks.
    pub every: Node<u32>,
    /// The next item falls due within this many weeks of the block of the last one, once
    /// that block is full.
    pub within: Node<u32>,
    /// Cited sources.
    pub cites: Vec<Name>,
    /// The phase's line.
    pub span: Span,
}

/// A named expression, optionally with parameters.
#[derive(Debug, Clone)]
pub struct Define {
    /// Its name.
    pub name: Name,
    /// Parameter names.
    pub params: Vec<Name>,
    /// The expression it stands for.
    pub body: Expr,
}

/// A decision and its entries.
#[derive(Debug, Clone)]
pub struct DecisionDecl {
    /// Its name, the key in the output's `decisions`.
    pub name: Name,
    /// A title for people.
    pub title: Option<Node<String>>,
    /// Entries that parsed.
    pub entries: Vec<Entry>,
    /// `within PARENT`: its output is a field of that decision's.
    pub within: Option<Name>,
    /// The decision's header line.
    pub span: Span,
}

/// One entry of a decision.
#[derive(Debug, Clone)]
pub enum Entry {
    /// `given patient or screening`: the decision is made when one of these is in the document.
    Given(Vec<Name>),
    /// `list exclusions ["Label"] of exclude [quiet | advisory]`.
    List {
        /// Output field.
        name: Name,
        /// Its label for people (a display hint).
        label: Option<Node<String>>,
        /// Rule kind it lists.
        kind: Name,
        /// Quiet kinds never add to `missing`.
        quiet: bool,
        /// Advisory kinds never change the verdict (declared so, not by accident).
        advisory: bool,
    },
    /// `due ID [checks] at EXPR [after Q, Q] [for VAR in LIST] [when|unless EXPR]`.
    Due(Box<DueDecl>),
    /// `alert ID SEVERITY "message" for r in LIST when C at T [or when C at T] [SOURCES]
    /// [action "..."]`.
    Alert(Box<AlertDecl>),
    /// `kinds stop, complete, hold`: rule kinds without an output list of their own.
    Kinds(Vec<Name>),
    /// `verdict NAME if any K or unknown K or when EXPR` or `verdict NAME otherwise`, then
    /// `tone TONE`.
    Verdict {
        /// The verdict's name.
        name: Name,
        /// How it looks (a display hint: ok, caution, hold, stop, unknown, done).
        tone: Option<Name>,
        /// Its `any`/`unknown` terms; `None` for `otherwise`.
        when: Option<Vec<TierTerm>>,
        /// Its `when EXPR` term: holds when the expression is true or unknown.
        condition: Option<Expr>,
        /// The whole entry.
        span: Span,
    },
    /// `value NAME ["Label"] [minutes after PATH] = EXPR for V1, V2`: an output value, given
    /// for these verdicts (all when none is named), left out when unknown.
    Value {
        /// The output field.
        name: Name,
        /// Its label for people (a display hint).
        label: Option<Node<String>>,
        /// The timestamp input it counts minutes after (a display hint).
        minutes_after: Option<Name>,
        /// Its value.
        value: Expr,
        /// The verdicts it is given for; empty for all.
        verdicts: Vec<Name>,
    },
    /// `missing of DECISION when EXPR`: that decision's missing inputs join this one's when
    /// the condition holds; `missing of EXPR`: the absent inputs that leave it unknown.
    MissingOf {
        /// An earlier decision's name, or an expression.
        what: Expr,
        /// When; always if absent.
        when: Option<Expr>,
    },
    /// `KIND id "message" when CONDITION [SOURCES] help "..."`.
    Rule(Box<RuleDecl>),
}

/// An alert: raised at the first item of a list where its condition is true.
#[derive(Debug, Clone)]
pub struct AlertDecl {
    /// Its id.
    pub id: Name,
    /// Its severity (info, warning, critical...).
    pub severity: Name,
    /// The message for people.
    pub message: Node<String>,
    /// The name each item is bound to, and the list.
    pub each: (Name, Name),
    /// The condition on an item.
    pub when: Expr,
    /// The time of an item.
    pub at: Expr,
    /// Otherwise: a condition and a time without items.
    pub otherwise: Option<(Expr, Expr)>,
    /// Cited sources.
    pub cites: Vec<Name>,
    /// What the staff do when it is raised, shown with it.
    pub action: Option<Node<String>>,
    /// The whole entry.
    pub span: Span,
}

/// An item of the `due` list: something to do at a computed time.
#[derive(Debug, Clone)]
pub struct DueDecl {
    /// Its id.
    pub id: Name,
    /// What to check.
    pub checks: Vec<Name>,
    /// When (a timestamp).
    pub at: Expr,
    /// Durations after `at`: one item each.
    pub after: Vec<Node<(Decimal, Option<Name>)>>,
    /// One item per item of this list, bound to this name.
    pub each: Option<(Name, Name)>,
    /// `when` (true: only when the condition is true) or `unless` (false).
    pub when: Option<(bool, Expr)>,
    /// `done when C`: recorded as done when C is true.
    pub done: Option<Expr>,
    /// The whole entry.
    pub span: Span,
}

/// `any KIND` or `unknown KIND` in a verdict's condition.
#[derive(Debug, Clone)]
pub struct TierTerm {
    /// `true` for `any` (a rule of the kind is true), `false` for `unknown`.
    pub any: bool,
    /// The rule kind.
    pub kind: Name,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct RuleDecl {
    /// Its kind (`exclude`, `caution`, ...).
    pub kind: Name,
    /// Its stable id.
    pub id: Name,
    /// The message for people.
    pub message: Node<String>,
    /// The condition under which it fires.
    pub when: Expr,
    /// Cited source keys.
    pub cites: Vec<Name>,
    /// Help text.
    pub help: Option<Node<String>>,
    /// The whole rule.
    pub span: Span,
}

/// An expression.
pub type Expr = Node<ExprKind>;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
        }
    }
}

/// Quantifiers over the items of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// True when the condition holds for some item.
    Any,
    /// True when the condition holds for every item.
    All,
    /// The number of items for which the condition holds.
    Count,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `true` or `false`.
    Bool(bool),
    /// A number with an optional unit: `18 years`, `0.5 mg/kg`, `3`.
    Quantity(Decimal, Option<Name>),
    /// A name: an input path, a definition, a parameter or an enumeration value.
    Name(String),
    /// A text: `"escalate"`.
    Text(String),
    /// A list of constants: `[20, 40]`.
    List(Vec<Expr>),
    /// `f(a, b)`.
    Call(Name, Vec<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `a + b`, `a * b`, ...
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `a < b`, ...
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `e in {a, b}` (or `not in`).
    InSet(Box<Expr>, Vec<Name>, bool),
    /// `e in lo..hi`, both ends included (or `not in`).
    InRange(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// `e is known` (true) or `e is missing` (false).
    IsKnown(Box<Expr>, bool),
    /// `c is true` (true) or `c is false` (false): known and of that value, never unknown.
    IsTruth(Box<Expr>, bool),
    /// `not e`.
    Not(Box<Expr>),
    /// `any(s in list where cond)`, `all(...)`, `count(...)`.
    Quantifier {
        /// Which one.
        kind: Quantifier,
        /// The name each item is bound to.
        var: Name,
        /// The list's path.
        list: Name,
        /// The condition; `None` counts every item.
        cond: Option<Box<Expr>>,
    },
    /// `choose when c1 then e1 when c2 then e2 otherwise e`.
    Choose(Vec<(Expr, Expr)>, Box<Expr>),
    /// `a and b and ...`.
    And(Vec<Expr>),
    /// `a or b or ...`.
    Or(Vec<Expr>),
}
