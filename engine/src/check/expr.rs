//! Names, types and units of expressions, lowered to the compiled [`Expr`].

mod arith;
mod builtins;
mod calendar;
mod calls;
mod compare;
mod inline;
mod literals;
mod logic;
mod membership;
mod paths;

pub(crate) use builtins::Builtin;

use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::ir::decision::ValueShape;
use crate::ir::expr::{Direction, Expr, ItemRef, Quantifier, Value};
use crate::ir::fold;
use crate::ir::schema::{FieldType, Schema};
use crate::ir::{position, with_ids, DecisionId, FieldId, GroupId, LadderId, ListId, ListSlot};
use crate::syntax::ast::{self, ArithOp, CmpOp, ExprKind};
use crate::units::{Factor, Unit};
use rust_decimal::Decimal;
// Insertion-ordered maps: diagnostics that list names list them in declaration order, the
// same on every run.
use indexmap::IndexMap;

/// The static type of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// true or false.
    Bool,
    /// A number in a unit.
    Num(Unit),
    /// One of a set of choices.
    Choice(ChoiceSet),
    /// A point in time.
    Time,
    /// An item of this list.
    Item(ListId),
    /// A text.
    Text,
    /// A list of constants.
    List(Box<Ty>),
}

/// Where the choices of a choice type are declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceSet {
    /// A field declared `one of ...`: its choices, in declared order.
    Field(FieldId),
    /// A decision checked earlier: its verdicts, in order.
    Verdicts(DecisionId),
}

/// A checked expression and its type.
type Typed = (Expr, Ty);

/// The longest expression a message quotes whole.
const QUOTE_WIDTH: usize = 40;

/// How deep definitions may call one another.
const MAX_INLINE: usize = 32;

/// How much checking work a file may cause, counted in expressions checked after
/// definitions are expanded: a file whose definitions expand beyond this is refused
/// rather than exhaust memory.
const MAX_WORK: usize = 200_000;

/// The deepest compiled expression accepted, after definitions are expanded: the evaluator
/// recurses this deep at most.
pub const MAX_EVAL_DEPTH: usize = 200;

/// The largest compiled expression accepted, in nodes, after definitions are expanded.
pub const MAX_NODES: usize = 20_000;

/// What names resolve to while checking.
pub struct Names<'a> {
    /// The inputs.
    pub schema: &'a Schema,
    fields: IndexMap<&'a str, FieldId>,
    groups: IndexMap<&'a str, GroupId>,
    defines: IndexMap<&'a str, &'a ast::Define>,
    /// Alerts by id, with every decision's that declares one: `raised(ID)` reads them.
    alerts: IndexMap<&'a str, Vec<&'a ast::AlertDecl>>,
    /// Names whose declaration did not parse: already reported, never again.
    broken: &'a indexmap::IndexSet<String>,
    /// The rule source, to quote expressions in messages.
    source: &'a str,
    /// The header's time zone, for `day` and `week`.
    zone: Zone<'a>,
    /// The schedules, written out: `full(NAME, t)` and `due_by(NAME)` read them.
    schedules: &'a [super::schedule::Expanded],
}

/// The protocol's time zone, as `day` and `week` need it.
#[derive(Debug, Clone, Copy)]
pub enum Zone<'a> {
    /// The header declares none.
    Undeclared,
    /// The header declares one that is already reported as wrong.
    Broken,
    /// The header's time zone.
    Declared(&'a crate::ir::TimeZone),
}

impl<'a> Names<'a> {
    /// Indexes the schema and definitions.
    pub fn new(
        schema: &'a Schema,
        defines: &[&'a ast::Define],
        alerts: &[&'a ast::AlertDecl],
        broken: &'a indexmap::IndexSet<String>,
        source: &'a str,
    ) -> Self {
        let mut by_id: IndexMap<&'a str, Vec<&'a ast::AlertDecl>> = IndexMap::new();
        for a in alerts {
            by_id.entry(a.id.node.as_str()).or_default().push(*a);
        }
        Names {
            alerts: by_id,
            broken,
            source,
            schema,
            fields: with_ids(&schema.fields).map(|(i, f): (FieldId, _)| (f.path.as_str(), i)).collect(),
            groups: with_ids(&schema.groups).map(|(i, g): (GroupId, &String)| (g.as_str(), i)).collect(),
            defines: defines.iter().map(|d| (d.name.node.as_str(), *d)).collect(),
            zone: Zone::Undeclared,
            schedules: &[],
        }
    }

    /// With the schedules, for `full` and `due_by`.
    pub fn with_schedules(self, schedules: &'a [super::schedule::Expanded]) -> Self {
        Names { schedules, ..self }
    }

    /// With the header's time zone, for `day` and `week`.
    pub fn with_zone(self, zone: Zone<'a>) -> Self {
        Names { zone, ..self }
    }

    /// A group outside lists.
    pub fn group(&self, path: &str) -> Option<GroupId> {
        self.groups.get(path).copied()
    }

    /// All group paths, for suggestions.
    pub fn group_paths(&self) -> impl Iterator<Item = &str> {
        self.schema.groups.iter().map(String::as_str)
    }
}

/// Checks expressions against the names, collecting diagnostics.
pub struct Checker<'a, 'd> {
    names: &'a Names<'a>,
    diagnostics: &'d mut Vec<Diagnostic>,
    frames: Vec<IndexMap<String, Typed>>,
    /// Items bound by the quantifiers around the expression, outermost first: name, list.
    items: Vec<(String, ListId)>,
    calling: Vec<String>,
    constants: IndexMap<String, Option<Typed>>,
    /// Expressions checked so far, against [`MAX_WORK`].
    work: usize,
    /// Definitions used so far.
    used: indexmap::IndexSet<String>,
    /// The uses of the definitions being expanded, innermost last: errors inside a
    /// definition's body name them.
    call_sites: Vec<(String, Span)>,
    /// The diagnostics this checker reported, by code, place and message, with their index.
    reported: IndexMap<(Code, Span, String), usize>,
    /// Decisions checked so far, with their verdicts: later ones can read them.
    decisions: Vec<(String, Vec<String>)>,
    /// Ladders checked so far, with their levels.
    ladders: Vec<(String, Vec<String>)>,
    /// Texts used as values, interned.
    texts: Vec<String>,
    /// Lists of constants used as values.
    lists: Vec<Vec<Value>>,
}

impl<'a, 'd> Checker<'a, 'd> {
    /// A checker over `names`.
    pub fn new(names: &'a Names<'a>, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Checker {
            names,
            diagnostics,
            frames: Vec::new(),
            items: Vec::new(),
            calling: Vec::new(),
            constants: IndexMap::new(),
            work: 0,
            used: indexmap::IndexSet::new(),
            call_sites: Vec::new(),
            reported: IndexMap::new(),
            decisions: Vec::new(),
            ladders: Vec::new(),
            texts: Vec::new(),
            lists: Vec::new(),
        }
    }

    fn error<T>(&mut self, code: Code, span: Span, message: String, hint: String) -> Option<T> {
        self.push(Diagnostic::error(code, span, message).with_hint(hint));
        None
    }

    /// A `type` error at `span` about a value of type `ty`: `message` is given the type in
    /// words (`a number in mg`).
    fn type_error<T>(&mut self, span: Span, ty: &Ty, message: &dyn Fn(&str) -> String, hint: String) -> Option<T> {
        let t = self.describe(ty);
        self.error(Code::Type, span, message(&t), hint)
    }

    /// Reports a diagnostic, naming where the definitions being expanded are used. A
    /// diagnostic already reported (the same code, place and message: a mistake inside a
    /// definition, met again at its next use) is reported once, with the new uses added to it.
    fn push(&mut self, mut d: Diagnostic) {
        for (name, site) in self.call_sites.iter().rev() {
            d = d.with_note(format!("in `{name}`, used here"), *site);
        }
        let key = (d.code, d.span, d.message.clone());
        match self.reported.get(&key).and_then(|&i| self.diagnostics.get_mut(i)) {
            Some(first) => {
                for note in d.notes {
                    if !first.notes.contains(&note) {
                        first.notes.push(note);
                    }
                }
            }
            None => {
                self.reported.insert(key, self.diagnostics.len());
                self.diagnostics.push(d);
            }
        }
    }

    /// The source text of `span` on one line.
    pub(crate) fn one_line(&self, span: Span) -> String {
        let text = self.names.source.get(span.start..span.end).unwrap_or_default();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The source text of `span` on one line, shortened past [`QUOTE_WIDTH`] characters.
    fn quote(&self, span: Span) -> String {
        let text = self.one_line(span);
        if text.chars().count() > QUOTE_WIDTH {
            text.chars().take(QUOTE_WIDTH).collect::<String>() + "…"
        } else {
            text
        }
    }

    /// Checks a rule's condition: true or false, and small enough to evaluate.
    pub fn rule_condition(&mut self, e: &ast::Expr) -> Option<Expr> {
        let expr = self.condition(e, "a rule's condition")?;
        let (depth, nodes) = measure(&expr);
        if depth > MAX_EVAL_DEPTH || nodes > MAX_NODES {
            return self.error(Code::TooLarge, e.span, format!("with its definitions expanded, this condition is {nodes} operations, {depth} deep; kap accepts {MAX_NODES}, {MAX_EVAL_DEPTH} deep"), "simplify the definitions it uses".into());
        }
        if let Expr::Const(Value::Bool(b)) = expr {
            self.push(
                Diagnostic::warning(Code::Constant, e.span, format!("this condition is always {b}"))
                    .with_hint("a rule's condition should depend on the patient's data"),
            );
        }
        Some(expr)
    }

    /// Checks a condition: it must be true or false.
    pub fn condition(&mut self, e: &ast::Expr, what: &str) -> Option<Expr> {
        let (expr, ty) = self.expr(e)?;
        if ty != Ty::Bool {
            return self.type_error(
                e.span,
                &ty,
                &|t| format!("{what} must be true or false, but this is {t}"),
                "compare it: `x > 3`, `x = value`, `x is known`".into(),
            );
        }
        Some(expr)
    }

    /// Checks the body of a definition without parameters, once.
    pub fn define(&mut self, d: &ast::Define) {
        if d.params.is_empty() {
            let used = self.used.contains(&d.name.node);
            let _ = self.constant(&d.name.node, d.name.span);
            if !used {
                // Checking a definition is not using it.
                self.used.swap_remove(&d.name.node);
            }
        }
    }

    fn describe(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "true or false".into(),
            Ty::Num(u) if u.is_none() => "a number without unit".into(),
            Ty::Num(u) => format!("a number in {u}"),
            Ty::Choice(f) => format!("one of {}", self.choices(*f).join(", ")),
            Ty::Time => "a timestamp".into(),
            Ty::Text => "a text".into(),
            Ty::List(t) => format!("a list of {}", self.describe(t)),
            Ty::Item(l) => {
                format!("an item of `{}`", self.names.schema.list(*l).map_or("a list", |l| l.path.as_str()))
            }
        }
    }

    /// The choices of a choice type: a field's, or a decision's verdicts.
    fn choices(&self, set: ChoiceSet) -> &[String] {
        match set {
            ChoiceSet::Verdicts(d) => self.decisions.get(d.index()).map_or(&[][..], |(_, v)| v.as_slice()),
            ChoiceSet::Field(f) => match self.names.schema.field(f).map(|f| &f.ty) {
                Some(FieldType::Choice(c)) => c,
                _ => &[],
            },
        }
    }

    /// The name of a choice type's source, for messages.
    fn choice_source(&self, set: ChoiceSet) -> String {
        match set {
            ChoiceSet::Verdicts(d) => self.decisions.get(d.index()).map(|(n, _)| format!("{n}.verdict")),
            ChoiceSet::Field(f) => self.names.schema.field(f).map(|f| f.path.clone()),
        }
        .unwrap_or_default()
    }

    /// How a value of this type is written in the output.
    pub fn shape(&self, ty: &Ty) -> Option<ValueShape> {
        Some(match ty {
            Ty::Bool => ValueShape::Bool,
            Ty::Num(u) => ValueShape::Number((!u.is_none()).then(|| u.to_string())),
            Ty::Choice(f) => ValueShape::Choice(self.choices(*f).to_vec()),
            Ty::Time => ValueShape::Time,
            Ty::Text => ValueShape::Text,
            Ty::List(t) => ValueShape::List(Box::new(self.shape(t)?)),
            Ty::Item(_) => return None,
        })
    }

    /// Folds an expression that reads no input into a constant.
    fn fold(&mut self, expr: Expr, span: Span) -> Expr {
        if matches!(expr, Expr::Const(_)) || !expr.is_constant() {
            return expr;
        }
        match fold::constant(&expr) {
            Ok(Some(value)) => Expr::Const(value),
            Ok(None) => expr,
            Err(e) => {
                self.push(
                    Diagnostic::error(
                        Code::Arithmetic,
                        span,
                        format!("this constant cannot be computed: {}", e.message),
                    )
                    .with_hint("check the numbers: a division by zero or a result too large"),
                );
                expr
            }
        }
    }

    /// Checks an expression.
    pub fn expr(&mut self, e: &ast::Expr) -> Option<Typed> {
        let span = e.span;
        self.work += 1;
        if self.work == MAX_WORK {
            return self.error(Code::TooLarge, span, "the definitions of this file expand beyond what kap checks".into(), "definitions that use each other several times grow exponentially: share a value with a parameterless `define`, or simplify".into());
        }
        if self.work > MAX_WORK {
            return None;
        }
        match &e.node {
            ExprKind::Bool(b) => Some((Expr::Const(Value::Bool(*b)), Ty::Bool)),
            ExprKind::Quantity(v, unit) => self.quantity(*v, unit.as_ref()),
            ExprKind::Text(text) => self.text(text),
            ExprKind::List(items) => self.list(items),
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Call(func, args) => self.call(func, args, span),
            ExprKind::Neg(inner) => self.negate(inner, span),
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, span),
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, span),
            ExprKind::InSet(inner, names, negated) => self.in_set(inner, names, *negated),
            ExprKind::InRange(inner, lo, hi, negated) => self.in_range(inner, (lo, hi), *negated, span),
            ExprKind::IsKnown(inner, known) => self.is_known(inner, *known),
            ExprKind::IsTruth(inner, value) => self.is_truth(inner, *value),
            ExprKind::Choose(arms, otherwise) => self.choose(arms, otherwise, span),
            ExprKind::Quantifier { kind, var, list, cond } => self.quantifier(*kind, var, list, cond.as_deref(), span),
            ExprKind::Not(inner) => self.not(inner),
            ExprKind::And(parts) => Some((Expr::And(self.conditions(parts, "each side of `and`")?), Ty::Bool)),
            ExprKind::Or(parts) => Some((Expr::Or(self.conditions(parts, "each side of `or`")?), Ty::Bool)),
        }
    }

    /// Binds `name` to a value while checking an expression (a ladder's `weight`).
    pub fn bind(&mut self, name: &str, value: Typed) {
        let mut frame = IndexMap::new();
        frame.insert(name.to_string(), value);
        self.frames.push(frame);
    }

    /// Undoes the last [`Checker::bind`].
    pub fn unbind(&mut self) {
        self.frames.pop();
    }

    /// Converts a number from `from` to `to`, exactly, or reports why it cannot.
    pub fn convert(&mut self, x: Expr, from: &Unit, to: &Unit, span: Span) -> Option<Expr> {
        self.convert_to((x, Ty::Num(from.clone())), to, span, span)
    }

    /// The type, in words.
    pub fn describe_type(&self, ty: &Ty) -> String {
        self.describe(ty)
    }

    /// Makes a checked ladder usable in `dose`, `allowed` and `highest_allowed`.
    pub fn add_ladder(&mut self, name: &str, levels: Vec<String>) {
        self.ladders.push((name.to_string(), levels));
    }

    /// The texts used as values, by index.
    pub fn texts(&self) -> Vec<String> {
        self.texts.clone()
    }

    /// The lists of constants used as values, by index.
    pub fn lists(&self) -> Vec<Vec<Value>> {
        self.lists.clone()
    }

    /// The compiled bodies of the definitions without parameters, written out at each use:
    /// what [`crate::ir::share`] may compute once.
    pub fn definitions(&self) -> Vec<Expr> {
        let mut bodies = Vec::new();
        for (e, _) in self.constants.values().flatten() {
            bodies.push(e.clone());
        }
        bodies
    }

    /// Makes a checked decision's verdict readable by later decisions as `NAME.verdict`.
    pub fn add_decision(&mut self, name: &str, verdicts: Vec<String>) {
        self.decisions.push((name.to_string(), verdicts));
    }

    /// A decision checked earlier.
    pub fn decision_index(&self, name: &str) -> Option<DecisionId> {
        position(&self.decisions, |(n, _)| n == name)
    }

    /// Whether a definition has been used by a rule or another used definition.
    pub fn is_used(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

/// The depth and number of nodes of a compiled expression, counting stops past the limits.
pub fn measure(expr: &Expr) -> (usize, usize) {
    fn walk(e: &Expr, depth: usize, nodes: &mut usize, deepest: &mut usize) {
        *nodes += 1;
        *deepest = (*deepest).max(depth);
        if *nodes > MAX_NODES || depth > MAX_EVAL_DEPTH {
            return;
        }
        for c in e.children() {
            walk(c, depth + 1, nodes, deepest);
        }
    }
    let (mut nodes, mut deepest) = (0, 0);
    walk(expr, 1, &mut nodes, &mut deepest);
    (deepest, nodes)
}
