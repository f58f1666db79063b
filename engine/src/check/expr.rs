//! Names, types and units of expressions, lowered to the compiled [`Expr`].

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

/// Functions the language provides.
pub const BUILTINS: &[&str] =
    &["min", "max", "abs", "count", "next", "previous", "dose", "allowed", "highest_allowed", "raised"];

/// The message and hint of a definition that uses itself.
fn definition_cycle(name: &str) -> (String, String) {
    (
        format!("definition `{name}` refers to itself"),
        "a definition cannot use itself, directly or through others".into(),
    )
}

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
        }
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

    /// The source text of `span` on one line, shortened past [`QUOTE_WIDTH`] characters.
    fn quote(&self, span: Span) -> String {
        let text = self.names.source.get(span.start..span.end).unwrap_or_default();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
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
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                e.span,
                format!("{what} must be true or false, but this is {t}"),
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
            ExprKind::Quantity(v, unit) => {
                let unit = match unit {
                    Some(u) => super::inputs::unit(u, self.diagnostics)?,
                    None => Unit::none(),
                };
                Some((Expr::Const(Value::Num(*v)), Ty::Num(unit)))
            }
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Call(func, args) => self.call(func, args, span),
            ExprKind::Neg(inner) => {
                let (x, ty) = self.expr(inner)?;
                match ty {
                    Ty::Num(_) => Some((self.fold(Expr::Neg(Box::new(x)), span), ty)),
                    other => {
                        let t = self.describe(&other);
                        self.error(
                            Code::Type,
                            inner.span,
                            format!("only a number can be negated; this is {t}"),
                            "remove the `-`".into(),
                        )
                    }
                }
            }
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, span),
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, span),
            ExprKind::InSet(inner, names, negated) => {
                let (x, ty) = self.expr(inner)?;
                let Ty::Choice(of) = ty else {
                    let t = self.describe(&ty);
                    return self.error(
                        Code::Type,
                        inner.span,
                        format!("`in {{...}}` needs one of a set of choices; this is {t}"),
                        "use `in lo..hi` for a range of numbers".into(),
                    );
                };
                let mut set = Vec::new();
                let mut ok = true;
                for n in names {
                    match self.choice_index(of, &n.node, n.span) {
                        Some(i) => set.push(i),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let test = Expr::InSet(Box::new(x), set);
                Some((if *negated { Expr::Not(Box::new(test)) } else { test }, Ty::Bool))
            }
            ExprKind::InRange(inner, lo, hi, negated) => {
                let x = self.expr(inner);
                let mut lo_t = self.expr(lo);
                let hi_t = self.expr(hi);
                let ((x, xt), (lo_e, lo_ty), (hi_e, hi_ty)) = (x?, lo_t.take()?, hi_t?);
                // `1..3 mmHg`: a bare number at the low end takes the high end's unit.
                let lo_ty = match (&lo.node, &lo_ty, &hi_ty) {
                    (ExprKind::Quantity(_, None), Ty::Num(u), Ty::Num(h)) if u.is_none() && !h.is_none() => {
                        hi_ty.clone()
                    }
                    _ => lo_ty,
                };
                let Ty::Num(_) = xt else {
                    let t = self.describe(&xt);
                    return self.error(
                        Code::Type,
                        inner.span,
                        format!("`in lo..hi` needs a number; this is {t}"),
                        "use `in {a, b}` for choices".into(),
                    );
                };
                let (x1, lo_e) = self.unify((x.clone(), xt.clone()), (lo_e, lo_ty), inner.span, lo.span, span)?;
                let (x2, hi_e) = self.unify((x, xt), (hi_e, hi_ty), inner.span, hi.span, span)?;
                if let (Expr::Const(Value::Num(l)), Expr::Const(Value::Num(h))) = (&lo_e, &hi_e) {
                    if l > h {
                        return self.error(
                            Code::Range,
                            lo.span.to(hi.span),
                            format!("empty range: {l} is above {h}"),
                            "write the lower end first: `in lo..hi`".into(),
                        );
                    }
                }
                // The same unit must serve both ends: convert ends, never the tested value twice.
                let test = if x1 == x2 {
                    Expr::Between(Box::new(x1), Box::new(self.fold(lo_e, lo.span)), Box::new(self.fold(hi_e, hi.span)))
                } else {
                    Expr::And(vec![
                        Expr::Compare(CmpOp::Le, Box::new(lo_e), Box::new(x1)),
                        Expr::Compare(CmpOp::Le, Box::new(x2), Box::new(hi_e)),
                    ])
                };
                Some((if *negated { Expr::Not(Box::new(test)) } else { test }, Ty::Bool))
            }
            ExprKind::IsKnown(inner, known) => {
                let group = match &inner.node {
                    ExprKind::Name(n) if self.lookup_value(n).is_none() => self.names.group(n),
                    _ => None,
                };
                let test = match group {
                    Some(g) => Expr::GroupPresent(g),
                    None => Expr::IsKnown(Box::new(self.expr(inner)?.0)),
                };
                Some((if *known { test } else { Expr::Not(Box::new(test)) }, Ty::Bool))
            }
            ExprKind::IsTruth(inner, value) => {
                // Compiled as `c is known and c` (or `and not c`): false, never unknown, when
                // an input of `c` is absent, so nothing is listed as missing for it.
                let test = self.condition(inner, "`is true` and `is false`")?;
                let known = Expr::IsKnown(Box::new(test.clone()));
                let test = if *value { test } else { Expr::Not(Box::new(test)) };
                Some((Expr::And(vec![known, test]), Ty::Bool))
            }
            ExprKind::Choose(arms, otherwise) => self.choose(arms, otherwise, span),
            ExprKind::List(items) => {
                let mut values = Vec::new();
                let mut elem: Option<Ty> = None;
                for item in items {
                    let (x, ty) = self.expr(item)?;
                    let Expr::Const(v) = x else {
                        return self.error(
                            Code::Type,
                            item.span,
                            "a list holds constants".into(),
                            "write numbers or texts, such as `[20, 40, 60]`".into(),
                        );
                    };
                    if let Some(t) = &elem {
                        if *t != ty {
                            let (a, b) = (self.describe(&ty), self.describe(t));
                            return self.error(
                                Code::Type,
                                item.span,
                                format!("this is {a}, the list's first item {b}"),
                                "every item of a list has the same type".into(),
                            );
                        }
                    }
                    elem = Some(ty);
                    values.push(v);
                }
                let index = u32::try_from(self.lists.len()).ok()?;
                self.lists.push(values);
                Some((Expr::Const(Value::List(index)), Ty::List(Box::new(elem.unwrap_or(Ty::Num(Unit::none()))))))
            }
            ExprKind::Text(text) => {
                let index = match self.texts.iter().position(|t| t == text) {
                    Some(i) => i,
                    None => {
                        self.texts.push(text.clone());
                        self.texts.len() - 1
                    }
                };
                Some((Expr::Const(Value::Text(u32::try_from(index).ok()?)), Ty::Text))
            }
            ExprKind::Quantifier { kind, var, list, cond } => self.quantifier(*kind, var, list, cond.as_deref(), span),
            ExprKind::Not(inner) => {
                let x = self.condition(inner, "the operand of `not`")?;
                Some((Expr::Not(Box::new(x)), Ty::Bool))
            }
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                let what = if matches!(e.node, ExprKind::And(_)) { "each side of `and`" } else { "each side of `or`" };
                let checked: Vec<Option<Expr>> = parts.iter().map(|p| self.condition(p, what)).collect();
                let parts: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
                Some((if matches!(e.node, ExprKind::And(_)) { Expr::And(parts) } else { Expr::Or(parts) }, Ty::Bool))
            }
        }
    }

    fn lookup_value(&self, name: &str) -> Option<()> {
        let bound =
            self.frames.last().is_some_and(|f| f.contains_key(name)) || self.items.iter().any(|(n, _)| n == name);
        (bound || self.names.defines.contains_key(name) || self.names.fields.contains_key(name)).then_some(())
    }

    /// The item bound to `name` by a quantifier around the expression.
    fn bound_item(&self, name: &str) -> Option<Typed> {
        let from_inside = self.items.iter().rev().position(|(n, _)| n == name)?;
        let (_, list) = self.items.get(self.items.len() - 1 - from_inside)?;
        let item = ItemRef::Bound(u8::try_from(from_inside).ok()?);
        Some((Expr::Item { list: *list, item }, Ty::Item(*list)))
    }

    /// A parameter's argument, seen from under the quantifiers opened since the call.
    fn argument(&self, name: &str) -> Option<Typed> {
        let (expr, ty) = self.frames.last()?.get(name)?;
        let depth = u8::try_from(self.items.len()).unwrap_or(u8::MAX);
        Some((shift(expr.clone(), depth, 0), ty.clone()))
    }

    fn name(&mut self, name: &str, span: Span) -> Option<Typed> {
        if let Some(bound) = self.argument(name) {
            return Some(bound);
        }
        if let Some(item) = self.bound_item(name) {
            return Some(item);
        }
        if let Some((decision, k)) = name.strip_suffix(".verdict").and_then(|d| Some((d, self.decision_index(d)?))) {
            if self.choices(ChoiceSet::Verdicts(k)).is_empty() {
                return self.error(
                    Code::UnknownName,
                    span,
                    format!("decision `{decision}` has no verdict"),
                    "it only lists what is due or raised: read the verdict of a decision that has `verdict` entries"
                        .into(),
                );
            }
            return Some((Expr::Verdict(k), Ty::Choice(ChoiceSet::Verdicts(k))));
        }
        if let Some(resolved) = self.item_path(name, span) {
            return resolved;
        }
        if let Some(d) = self.names.defines.get(name) {
            if !d.params.is_empty() {
                let n = d.params.len();
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` needs {n} argument(s)"),
                    format!(
                        "call it: `{name}({})`",
                        d.params.iter().map(|p| p.node.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            return self.constant(name, span);
        }
        if let Some(&index) = self.names.fields.get(name) {
            let field = self.names.schema.field(index)?;
            if field.list.is_some() {
                return self.error(
                    Code::ListField,
                    span,
                    format!("`{name}` is a field of each item of a list, not one value"),
                    "read it through its list".into(),
                );
            }
            let ty = match &field.ty {
                FieldType::Boolean => Ty::Bool,
                FieldType::Number { unit, .. } => Ty::Num(unit.clone()),
                FieldType::Choice(_) => Ty::Choice(ChoiceSet::Field(index)),
                FieldType::Timestamp => Ty::Time,
            };
            let expr = Expr::Field { field: index, slot: field.slot };
            return Some((expr, ty));
        }
        if self.names.group(name).is_some() {
            return self.error(
                Code::Type,
                span,
                format!("`{name}` is a group of inputs, not a value"),
                format!("name one of its inputs (`{name}.…`), or test `{name} is known`"),
            );
        }
        if self.names.schema.lists.iter().any(|l| l.path == name) {
            return self.error(
                Code::Type,
                span,
                format!("`{name}` is a list, not a value"),
                "read it with `count(...)`, `any(...)`, `all(...)` or an item such as `[-1]`".into(),
            );
        }
        if let Some(found) = self.unique_choice(name) {
            return Some(found);
        }
        if self
            .names
            .broken
            .iter()
            .any(|b| name == b || name.strip_prefix(b.as_str()).is_some_and(|r| r.starts_with(['.', '['])))
        {
            return None; // its declaration has a syntax error, reported already
        }
        let candidates: Vec<&str> = self
            .frames
            .last()
            .into_iter()
            .flat_map(|f| f.keys().map(String::as_str))
            .chain(self.names.defines.keys().copied())
            .chain(self.names.fields.keys().copied())
            .chain(self.decisions.iter().map(|(n, _)| n.as_str()))
            .collect();
        let hint = match did_you_mean(name, candidates) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "declare it with `input` or `define` first".into(),
        };
        self.error(Code::UnknownName, span, format!("no input or definition named `{name}`"), hint)
    }

    /// `dose(LADDER, level)`, `allowed(LADDER, level)`, `highest_allowed(LADDER, level)`.
    fn ladder_call(&mut self, name: &str, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [ast::Node { node: ExprKind::Name(ladder), span: ladder_span }, level] = args else {
            return self.error(
                Code::Arguments,
                span,
                format!("`{name}` takes a ladder and a level"),
                format!("`{name}(ketamine, course.sessions[-1].level)`"),
            );
        };
        let Some(index) = position::<LadderId, _>(&self.ladders, |(n, _)| n == ladder) else {
            let hint = match did_you_mean(ladder, self.ladders.iter().map(|(n, _)| n.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "declare it above with `ladder NAME`".into(),
            };
            return self.error(Code::UnknownName, *ladder_span, format!("no ladder named `{ladder}`"), hint);
        };
        let (x, ty) = self.expr(level)?;
        let levels = self.ladders.get(index.index()).map(|(_, l)| l.clone()).unwrap_or_default();
        if levels.is_empty() {
            return None; // the ladder's own errors are reported where it is declared
        }
        let Ty::Choice(set) = ty else {
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                level.span,
                format!("`{name}` needs a level; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        };
        if self.choices(set) != levels.as_slice() {
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                level.span,
                format!("`{name}` needs a level of `{ladder}`; this is {t}"),
                format!("a level is one of {}", levels.join(", ")),
            );
        }
        let l = index;
        Some(match name {
            "dose" => (Expr::Dose(l, Box::new(x)), Ty::Num(Unit::parse("mg").ok()?)),
            "allowed" => (Expr::Allowed(l, Box::new(x)), Ty::Bool),
            _ => (Expr::HighestAllowed(l, Box::new(x)), Ty::Choice(set)),
        })
    }

    /// `choose when c then e ... otherwise e`: conditions true or false, values of one type.
    fn choose(&mut self, arms: &[(ast::Expr, ast::Expr)], otherwise: &ast::Expr, span: Span) -> Option<Typed> {
        let mut checked = Vec::new();
        let mut ok = true;
        for (c, e) in arms {
            let cond = self.condition(c, "a `when` of `choose`");
            let value = self.expr(e);
            match (cond, value) {
                (Some(c), Some(v)) => checked.push((c, v, e.span)),
                _ => ok = false,
            }
        }
        let (last, ty) = self.expr(otherwise)?;
        if !ok {
            return None;
        }
        let mut out = Vec::new();
        for (c, (v, vt), vspan) in checked {
            let v = match (&ty, &vt) {
                (Ty::Num(u), Ty::Num(_)) => self.convert_to((v, vt), u, vspan, otherwise.span)?,
                (Ty::Choice(a), Ty::Choice(b)) if self.choices(*a) == self.choices(*b) => v,
                _ if ty == vt && !matches!(ty, Ty::Item(_)) => v,
                _ => {
                    let (a, b) = (self.describe(&vt), self.describe(&ty));
                    return self.error(
                        Code::Type,
                        vspan,
                        format!("`choose` gives {a} here but {b} after `otherwise`"),
                        "every branch must give the same kind of value".into(),
                    );
                }
            };
            out.push((c, v));
        }
        Some((self.fold(Expr::Choose(out, Box::new(last)), span), ty))
    }

    /// Resolves `LIST[k]`, `LIST[k].field` and `item.field` (an item bound by a quantifier or
    /// passed as an argument); `None` when the name is none of these.
    fn item_path(&mut self, name: &str, span: Span) -> Option<Option<Typed>> {
        let (item, rest) = if let Some((list_path, after)) = name.split_once('[') {
            let (index, rest) = after.split_once(']')?;
            let Some(list) = position(&self.names.schema.lists, |l| l.path == list_path) else {
                let hint = match did_you_mean(list_path, self.names.schema.lists.iter().map(|l| l.path.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "name a declared list".into(),
                };
                return Some(self.error(Code::UnknownName, span, format!("no list named `{list_path}`"), hint));
            };
            let Ok(position) = index.parse::<i32>() else {
                return Some(self.error(
                    Code::Index,
                    span,
                    format!("`[{index}]` is not a position"),
                    "0 is the first item, -1 the last".into(),
                ));
            };
            let typed = (Expr::Item { list, item: ItemRef::Position(position) }, Ty::Item(list));
            (typed, rest.strip_prefix('.').or(if rest.is_empty() { Some("") } else { None })?)
        } else {
            let (head, rest) = name.split_once('.')?;
            let mut bound = self.argument(head).or_else(|| self.bound_item(head))?;
            if !matches!(bound.1, Ty::Item(_)) {
                return None;
            }
            // `r.previous`: the item before a bound one.
            let rest = match rest.strip_prefix("previous") {
                Some(after) if after.is_empty() || after.starts_with('.') => {
                    if let (Expr::Item { item: ItemRef::Bound(i), .. }, _) = &mut bound {
                        let up = *i;
                        if let (Expr::Item { item, .. }, _) = &mut bound {
                            *item = ItemRef::BoundBefore(up);
                        }
                    } else {
                        return Some(self.error(
                            Code::ListField,
                            span,
                            "`previous` follows an item bound by `for` or a quantifier".into(),
                            "such as `r.previous.systolic` in `for r in observations.readings`".into(),
                        ));
                    }
                    after.strip_prefix('.').unwrap_or(after)
                }
                _ => rest,
            };
            (bound, rest)
        };
        if rest.is_empty() {
            return Some(Some(item));
        }
        let (Expr::Item { list, item }, Ty::Item(list_index)) = item else { return Some(None) };
        let decl = self.names.schema.list(list_index)?;
        if decl.list.is_some() {
            return Some(self.error(
                Code::ListField,
                span,
                "lists inside list items cannot be read yet".into(),
                "move the list to the top level".into(),
            ));
        }
        let path = format!("{}[].{rest}", decl.path);
        let Some(&index) = self.names.fields.get(path.as_str()) else {
            let prefix = format!("{}[].", decl.path);
            let fields: Vec<&str> = self.names.fields.keys().filter_map(|p| p.strip_prefix(prefix.as_str())).collect();
            let hint = match did_you_mean(rest, fields.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the items of `{}` have {}", decl.path, fields.join(", ")),
            };
            return Some(self.error(
                Code::UnknownName,
                span,
                format!("the items of `{}` have no field `{rest}`", decl.path),
                hint,
            ));
        };
        let field = self.names.schema.field(index)?;
        let ty = match &field.ty {
            FieldType::Boolean => Ty::Bool,
            FieldType::Number { unit, .. } => Ty::Num(unit.clone()),
            FieldType::Choice(_) => Ty::Choice(ChoiceSet::Field(index)),
            FieldType::Timestamp => Ty::Time,
        };
        let expr = Expr::ItemField { list, list_slot: decl.slot, item, field: index, slot: field.slot };
        Some(Some((expr, ty)))
    }

    fn quantifier(
        &mut self,
        kind: Quantifier,
        var: &ast::Name,
        list: &ast::Name,
        cond: Option<&ast::Expr>,
        span: Span,
    ) -> Option<Typed> {
        let (index, list_slot) = self.top_level_list(list)?;
        if self.items.len() >= usize::from(u8::MAX) {
            return self.error(
                Code::TooDeep,
                span,
                "quantifiers nested too deeply".into(),
                "split the condition with `define`".into(),
            );
        }
        if self.names.fields.contains_key(var.node.as_str()) || self.names.defines.contains_key(var.node.as_str()) {
            return self.error(
                Code::Duplicate,
                var.span,
                format!("`{}` is already an input or a definition", var.node),
                "choose another name for the item".into(),
            );
        }
        let cond = match cond {
            Some(c) => {
                self.items.push((var.node.clone(), index));
                let checked = self.condition(c, "the condition of a quantifier");
                self.items.pop();
                Some(Box::new(checked?))
            }
            None => None,
        };
        let expr = Expr::Quantifier { kind, list: index, list_slot, cond };
        let ty = if kind == Quantifier::Count { Ty::Num(Unit::none()) } else { Ty::Bool };
        Some((expr, ty))
    }

    /// The top-level list named `list`, with its slot in the document root; `None` when
    /// there is none (reported).
    fn top_level_list(&mut self, list: &ast::Name) -> Option<(ListId, ListSlot)> {
        let Some(index) = position(&self.names.schema.lists, |l| l.path == list.node && l.list.is_none()) else {
            let hint = match did_you_mean(&list.node, self.names.schema.lists.iter().map(|l| l.path.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "name a declared top-level list".into(),
            };
            return self.error(Code::UnknownName, list.span, format!("no list named `{}`", list.node), hint);
        };
        Some((index, self.names.schema.list(index)?.slot))
    }

    /// Binds `name` to each item of the top-level list `list` while checking expressions,
    /// until [`Checker::pop_item`]; the list and its slot, or `None` (reported).
    pub fn push_item(&mut self, name: &ast::Name, list: &ast::Name) -> Option<(ListId, ListSlot)> {
        let (index, slot) = self.top_level_list(list)?;
        self.items.push((name.node.clone(), index));
        Some((index, slot))
    }

    /// Undoes the last [`Checker::push_item`].
    pub fn pop_item(&mut self) {
        self.items.pop();
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

    /// A definition without parameters: checked once, then reused.
    fn constant(&mut self, name: &str, span: Span) -> Option<Typed> {
        self.used.insert(name.to_string());
        if let Some(done) = self.constants.get(name) {
            return done.clone();
        }
        let d = *self.names.defines.get(name)?;
        self.may_inline(name, span, || definition_cycle(name))?;
        let result = self.inline(name, None, &d.body, span);
        self.constants.insert(name.to_string(), result.clone());
        result
    }

    /// Refuses an expanded definition that grew past [`MAX_NODES`].
    fn small_enough(&mut self, typed: Typed, span: Span) -> Option<Typed> {
        let (depth, nodes) = measure(&typed.0);
        if depth > MAX_EVAL_DEPTH || nodes > MAX_NODES {
            return self.error(Code::TooLarge, span, format!("expanded, this definition is {nodes} operations, {depth} deep; kap accepts {MAX_NODES}, {MAX_EVAL_DEPTH} deep"), "simplify the definitions it uses".into());
        }
        Some(typed)
    }

    /// Refuses to expand `key` inside itself, or deeper than [`MAX_INLINE`] expansions.
    fn may_inline(&mut self, key: &str, span: Span, cycle: impl FnOnce() -> (String, String)) -> Option<()> {
        if self.calling.iter().any(|c| c == key) {
            let (message, hint) = cycle();
            return self.error(Code::Cycle, span, message, hint);
        }
        if self.calling.len() >= MAX_INLINE {
            return self.error(
                Code::TooDeep,
                span,
                "definitions call each other too deeply".into(),
                "flatten the chain of definitions".into(),
            );
        }
        Some(())
    }

    /// Checks `body` in place of its use at `span` (a definition, an alert read by
    /// `raised`): in a scope of its own, where the caller's parameters and bound items are
    /// not visible, with `params` as its parameters. Errors inside it name the use.
    fn inline(
        &mut self,
        key: &str,
        params: Option<IndexMap<String, Typed>>,
        body: &ast::Expr,
        span: Span,
    ) -> Option<Typed> {
        let saved_frames = std::mem::take(&mut self.frames);
        self.frames.extend(params);
        let saved_items = std::mem::take(&mut self.items);
        self.calling.push(key.to_string());
        self.call_sites.push((key.to_string(), span));
        let result = self.expr(body);
        self.call_sites.pop();
        self.calling.pop();
        self.items = saved_items;
        self.frames = saved_frames;
        result.and_then(|r| self.small_enough(r, span))
    }

    /// `raised(ALERT)`: whether an alert is raised, read as its decision raises it: true
    /// when its condition holds for some item of its list (or its `or when` condition
    /// holds), false when it fails for every item (and the other condition fails), else
    /// unknown, with what its conditions miss. The alert's conditions are checked here as
    /// written there, so the two can never drift apart.
    fn raised(&mut self, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let [ast::Node { node: ExprKind::Name(id), span: id_span }] = args else {
            return self.error(
                Code::Arguments,
                span,
                "`raised` takes the id of an alert".into(),
                "such as `raised(bp_persistent)`".into(),
            );
        };
        let alert = match self.names.alerts.get(id.as_str()).map(Vec::as_slice) {
            Some([one]) => *one,
            Some(_) => {
                return self.error(
                    Code::Duplicate,
                    *id_span,
                    format!("alert `{id}` is declared by more than one decision"),
                    "give the alerts different ids".into(),
                )
            }
            None => {
                let hint = match did_you_mean(id, self.names.alerts.keys().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None if self.names.alerts.is_empty() => "no alert is declared".into(),
                    None => {
                        format!("the alerts are {}", self.names.alerts.keys().copied().collect::<Vec<_>>().join(", "))
                    }
                };
                return self.error(Code::UnknownName, *id_span, format!("no alert named `{id}`"), hint);
            }
        };
        let key = format!("raised({id})");
        self.may_inline(&key, span, || {
            (
                format!("alert `{id}` depends on itself"),
                "an alert's condition cannot read `raised` of itself, directly or through others".into(),
            )
        })?;
        let (var, list) = &alert.each;
        let each = ast::Node::new(
            ExprKind::Quantifier {
                kind: Quantifier::Any,
                var: var.clone(),
                list: list.clone(),
                cond: Some(Box::new(alert.when.clone())),
            },
            alert.when.span,
        );
        let test = match &alert.otherwise {
            Some((c, _)) => ast::Node::new(ExprKind::Or(vec![each, c.clone()]), alert.span),
            None => each,
        };
        let (x, ty) = self.inline(&key, None, &test, span)?;
        if ty != Ty::Bool {
            return self.error(
                Code::Type,
                alert.when.span,
                "an alert's condition must be true or false".into(),
                String::new(),
            );
        }
        Some((x, ty))
    }

    fn call(&mut self, func: &ast::Name, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let name = func.node.as_str();
        if let Some(d) = self.names.defines.get(name).copied() {
            self.used.insert(name.to_string());
            if d.params.len() != args.len() {
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` takes {} argument(s), not {}", d.params.len(), args.len()),
                    format!("declared at `define {name}(...)`"),
                );
            }
            self.may_inline(name, span, || definition_cycle(name))?;
            let checked: Vec<Option<Typed>> = args.iter().map(|a| self.expr(a)).collect();
            let values: Vec<Typed> = checked.into_iter().collect::<Option<_>>()?;
            let frame = d.params.iter().map(|p| p.node.clone()).zip(values).collect();
            return self.inline(name, Some(frame), &d.body, span);
        }
        if matches!(name, "dose" | "allowed" | "highest_allowed") {
            return self.ladder_call(name, args, span);
        }
        if name == "raised" {
            return self.raised(args, span);
        }
        if name == "next" || name == "previous" {
            let [arg] = args else {
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` takes one choice"),
                    format!("`{name}(course.sessions[-1].level)`"),
                );
            };
            let (x, ty) = self.expr(arg)?;
            let Ty::Choice(set) = ty else {
                let t = self.describe(&ty);
                return self.error(
                    Code::Type,
                    arg.span,
                    format!("`{name}` needs a choice; this is {t}"),
                    "it steps through the choices in the order they are declared".into(),
                );
            };
            let count = u16::try_from(self.choices(set).len()).ok()?;
            let direction = if name == "next" { Direction::Next } else { Direction::Previous };
            return Some((self.fold(Expr::Step(Box::new(x), direction, count), span), Ty::Choice(set)));
        }
        if name == "count" {
            // `count(LIST)`: the number of items.
            return match args {
                [ast::Node { node: ExprKind::Name(list), span: list_span }] => {
                    let list = ast::Node::new(list.clone(), *list_span);
                    let var = ast::Node::new(String::new(), span);
                    self.quantifier(Quantifier::Count, &var, &list, None, span)
                }
                _ => self.error(
                    Code::Arguments,
                    span,
                    "`count` takes a list".into(),
                    "`count(course.sessions)` or `count(s in course.sessions where ...)`".into(),
                ),
            };
        }
        if !BUILTINS.contains(&name) {
            let candidates: Vec<&str> = BUILTINS.iter().copied().chain(self.names.defines.keys().copied()).collect();
            let hint = match did_you_mean(name, candidates) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the functions are {} and your definitions", BUILTINS.join(", ")),
            };
            return self.error(Code::UnknownName, func.span, format!("no function named `{name}`"), hint);
        }
        let checked: Vec<Option<Typed>> = args.iter().map(|a| self.expr(a)).collect();
        let typed: Vec<Typed> = checked.into_iter().collect::<Option<_>>()?;
        if name == "abs" {
            let [(x, ty)] = <[Typed; 1]>::try_from(typed).ok().or_else(|| {
                self.diagnostics.push(
                    Diagnostic::error(Code::Arguments, span, "`abs` takes one argument").with_hint("`abs(x - y)`"),
                );
                None
            })?;
            if !matches!(ty, Ty::Num(_)) {
                let t = self.describe(&ty);
                return self.error(
                    Code::Type,
                    span,
                    format!("`abs` needs a number; this is {t}"),
                    "`abs(x - y)`".into(),
                );
            }
            return Some((self.fold(Expr::Abs(Box::new(x)), span), ty));
        }
        if typed.len() < 2 {
            return self.error(
                Code::Arguments,
                span,
                format!("`{name}` takes two or more arguments"),
                format!("`{name}(a, b)`"),
            );
        }
        let spans: Vec<Span> = args.iter().map(|a| a.span).collect();
        let first_span = spans.first().copied().unwrap_or(span);
        // The common unit: one that every argument converts to exactly.
        let units: Vec<Unit> =
            typed.iter().filter_map(|(_, t)| if let Ty::Num(u) = t { Some(u.clone()) } else { None }).collect();
        let unit = units
            .iter()
            .find(|target| units.iter().all(|u| u == *target || u.conversion_to(target).is_some()))
            .or(units.first())
            .cloned();
        let Some(unit) = unit else {
            let t = typed.first().map(|(_, t)| self.describe(t)).unwrap_or_default();
            return self.error(
                Code::Type,
                first_span,
                format!("`{name}` needs numbers; this is {t}"),
                "pass numbers with units".into(),
            );
        };
        let mut parts = Vec::new();
        for ((x, ty), s) in typed.into_iter().zip(spans) {
            let converted = self.convert_to((x, ty), &unit, s, first_span)?;
            parts.push(converted);
        }
        let expr = if name == "min" { Expr::Min(parts) } else { Expr::Max(parts) };
        Some((self.fold(expr, span), Ty::Num(unit)))
    }

    /// Converts a number to `unit`, exactly, or reports why it cannot.
    fn convert_to(&mut self, (x, ty): Typed, unit: &Unit, span: Span, other: Span) -> Option<Expr> {
        let Ty::Num(from) = &ty else {
            let t = self.describe(&ty);
            return self.error(
                Code::Type,
                span,
                format!("expected a number in {unit}; this is {t}"),
                "pass numbers with the same unit".into(),
            );
        };
        if from == unit {
            return Some(x);
        }
        match from.conversion_to(unit) {
            Some(f) => Some(self.fold(Expr::Scale(Box::new(x), f), span)),
            None => {
                self.mismatch(from, unit, span, other, Some(&x));
                None
            }
        }
    }

    /// Reports two units that cannot meet. `bare` is the unitless side's value, when it is a
    /// constant, to show the fix; `span` is the side to mark when one has no unit. When both
    /// have a unit, `span` is the side in `a` and `other` the side in `b`: the message quotes
    /// each with its unit.
    fn mismatch(&mut self, a: &Unit, b: &Unit, span: Span, other: Span, bare: Option<&Expr>) {
        let (message, hint) = if a.is_none() || b.is_none() {
            let with = if a.is_none() { b } else { a };
            let hint = match bare {
                Some(Expr::Const(Value::Num(n))) => format!("give the number its unit: `{n} {with}`"),
                Some(e) if with.is_ratio() && is_product(e) => format!(
                    "a ratio of two quantities of the same kind is a plain number, while {with} is a unit of its \
                     own: compare the ratio with a plain number, or multiply instead of dividing \
                     (`a > 2 {with} * b`, not `a / b > 2 {with}`)"
                ),
                _ => format!("both sides need the same kind of unit; this side has none and the other is in {with}"),
            };
            (format!("unit mismatch: a number without unit against a number in {with}"), hint)
        } else if a.same_dimension(b) {
            (format!("no exact conversion between {a} and {b}"), format!("write both in {a} or both in {b}"))
        } else {
            let (ta, tb) = (self.quote(span), self.quote(other));
            (
                format!("unit mismatch: `{ta}` is {a}, `{tb}` is {b}"),
                "these measure different things; check the input and the unit".into(),
            )
        };
        let span = if a.is_none() || b.is_none() { span } else { span.to(other) };
        self.push(Diagnostic::error(Code::UnitMismatch, span, message).with_hint(hint));
    }

    /// Brings two numbers to one unit: the one that needs no inexact conversion.
    fn unify(
        &mut self,
        (a, at): Typed,
        (b, bt): Typed,
        a_span: Span,
        b_span: Span,
        whole: Span,
    ) -> Option<(Expr, Expr)> {
        let (Ty::Num(ua), Ty::Num(ub)) = (&at, &bt) else {
            let (ta, tb) = (self.describe(&at), self.describe(&bt));
            return self.error(
                Code::Type,
                whole,
                format!("cannot compare {ta} with {tb}"),
                "both sides must be numbers".into(),
            );
        };
        if ua == ub {
            return Some((a, b));
        }
        if ua.is_none() || ub.is_none() || !ua.same_dimension(ub) {
            let (span, other, bare) = match (ua.is_none(), ub.is_none()) {
                (true, _) => (a_span, b_span, &a),
                (false, true) => (b_span, a_span, &b),
                (false, false) => (a_span, b_span, &b),
            };
            self.mismatch(ua, ub, span, other, Some(bare));
            return None;
        }
        if let Some(f) = ub.conversion_to(ua) {
            return Some((a, self.fold(Expr::Scale(Box::new(b), f), b_span)));
        }
        if let Some(f) = ua.conversion_to(ub) {
            return Some((self.fold(Expr::Scale(Box::new(a), f), a_span), b));
        }
        self.mismatch(ua, ub, a_span, b_span, None);
        None
    }

    fn arith(&mut self, op: ArithOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Option<Typed> {
        let left = self.expr(a);
        let right = self.expr(b);
        let ((x, xt), (y, yt)) = (left?, right?);
        let node = |x: Expr, y: Expr| Expr::Arith(op, Box::new(x), Box::new(y), span);
        let seconds = Unit::parse("s").ok()?;
        let result = match (op, &xt, &yt) {
            (ArithOp::Add | ArithOp::Sub, Ty::Num(_), Ty::Num(_)) => {
                let unit = match (&xt, &yt) {
                    (Ty::Num(ua), Ty::Num(ub)) if ua == ub || ub.conversion_to(ua).is_some() => ua.clone(),
                    (_, Ty::Num(ub)) => ub.clone(),
                    _ => Unit::none(),
                };
                let (x, y) = self.unify((x, xt), (y, yt), a.span, b.span, span)?;
                (node(x, y), Ty::Num(unit))
            }
            (ArithOp::Mul | ArithOp::Div, Ty::Num(ua), Ty::Num(ub)) => {
                let meet = if op == ArithOp::Mul { ua.times(ub) } else { ua.per(ub) };
                let Some((unit, factor)) = meet else {
                    return self.error(
                        Code::UnitMismatch,
                        span,
                        format!("{ua} and {ub} are too far apart to convert exactly"),
                        "convert one side to a unit closer to the other's first".into(),
                    );
                };
                let x = (x, a.span);
                let y = (y, b.span);
                (self.scaled(op, x, y, factor, span)?, Ty::Num(unit))
            }
            (ArithOp::Sub, Ty::Time, Ty::Time) => (node(x, y), Ty::Num(seconds)),
            (ArithOp::Add | ArithOp::Sub, Ty::Time, Ty::Num(_)) => {
                let y = self.convert_to((y, yt), &seconds, b.span, a.span)?;
                (node(x, y), Ty::Time)
            }
            (ArithOp::Add, Ty::Num(_), Ty::Time) => {
                let x = self.convert_to((x, xt), &seconds, a.span, b.span)?;
                (node(x, y), Ty::Time)
            }
            _ => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                let sym = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                };
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compute {ta} {sym} {tb}"),
                    "arithmetic works on numbers, and on timestamps with durations".into(),
                );
            }
        };
        Some((self.fold(result.0, span), result.1))
    }

    /// `x * y` or `x / y` with the exact factor that brings the result into its unit
    /// ([`Unit::times`], [`Unit::per`]): a quotient is `(x·n) / (y·d)` for a factor n/d, so
    /// that its only rounding is the division's own; a product is scaled once when n/d is a
    /// terminating decimal, and is otherwise `(x·y·n) / d`.
    fn scaled(
        &mut self,
        op: ArithOp,
        (x, xs): (Expr, Span),
        (y, ys): (Expr, Span),
        f: Factor,
        span: Span,
    ) -> Option<Expr> {
        let node = |x: Expr, y: Expr| Expr::Arith(op, Box::new(x), Box::new(y), span);
        if f.is_one() {
            return Some(node(x, y));
        }
        let (Some(n), Some(d)) = (f.numerator(), f.denominator()) else {
            return self.error(
                Code::UnitMismatch,
                span,
                "the units of this expression are too far apart to convert exactly".into(),
                "convert one side to a unit closer to the other's first".into(),
            );
        };
        let mut scale = |e: Expr, by: Decimal, at: Span| {
            if by == Decimal::ONE {
                e
            } else {
                self.fold(Expr::Scale(Box::new(e), by), at)
            }
        };
        Some(match (op, f.exact()) {
            (ArithOp::Div, _) => {
                let (x, y) = (scale(x, n, xs), scale(y, d, ys));
                node(x, y)
            }
            (_, Some(exact)) => scale(node(x, y), exact, span),
            (_, None) => {
                let product = scale(node(x, y), n, span);
                Expr::Arith(ArithOp::Div, Box::new(product), Box::new(Expr::Const(Value::Num(d))), span)
            }
        })
    }

    /// Warns about a comparison of an input with a constant that its declared range decides.
    fn lint_threshold(&mut self, op: CmpOp, x: &Expr, y: &Expr, span: Span) {
        let (field, c, op) = match (x, y) {
            (Expr::Field { field, .. }, Expr::Const(Value::Num(c))) => (*field, *c, op),
            (Expr::Const(Value::Num(c)), Expr::Field { field, .. }) => {
                let flipped = match op {
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    other => other,
                };
                (*field, *c, flipped)
            }
            _ => return,
        };
        let Some(f) = self.names.schema.field(field) else { return };
        let Some((lo, hi)) = f.range else { return };
        let (always, never) = match op {
            CmpOp::Lt => (hi < c, lo >= c),
            CmpOp::Le => (hi <= c, lo > c),
            CmpOp::Gt => (lo > c, hi <= c),
            CmpOp::Ge => (lo >= c, hi < c),
            CmpOp::Eq => (lo == c && hi == c, c < lo || c > hi),
            CmpOp::Ne => (c < lo || c > hi, lo == c && hi == c),
        };
        if always || never {
            let unit = match &f.ty {
                FieldType::Number { unit, .. } if !unit.is_none() => format!(" {unit}"),
                _ => String::new(),
            };
            let verdict = if always { "always true" } else { "never true" };
            self.push(
                Diagnostic::warning(
                    Code::Range,
                    span,
                    format!(
                        "this comparison is {verdict} for an admissible value: `{}` is declared in {lo}..{hi}{unit}",
                        f.path
                    ),
                )
                .with_hint("check the threshold, or the declared range of the input"),
            );
        }
    }

    /// A bare word that is a choice of exactly one list of choices (`L2`), wherever it is.
    fn unique_choice(&self, name: &str) -> Option<Typed> {
        if name.contains('.') {
            return None;
        }
        let mut found: Option<(FieldId, &[String])> = None;
        for (i, f) in with_ids(&self.names.schema.fields) {
            if let FieldType::Choice(c) = &f.ty {
                if c.iter().any(|x| x == name) {
                    match found {
                        Some((_, seen)) if seen == c.as_slice() => {}
                        Some(_) => return None,
                        None => found = Some((i, c)),
                    }
                }
            }
        }
        let (field, choices) = found?;
        let index = u16::try_from(choices.iter().position(|c| c == name)?).ok()?;
        Some((Expr::Const(Value::Choice(index)), Ty::Choice(ChoiceSet::Field(field))))
    }

    /// A bare name on one side of a comparison with a choice may be one of its values.
    fn choice_literal(&mut self, e: &ast::Expr, set: ChoiceSet) -> Option<Option<Typed>> {
        let ExprKind::Name(n) = &e.node else {
            return None;
        };
        if self.lookup_value(n).is_some() || n.contains('.') {
            return None;
        }
        Some(self.choice_index(set, n, e.span).map(|i| (Expr::Const(Value::Choice(i)), Ty::Choice(set))))
    }

    fn choice_index(&mut self, set: ChoiceSet, name: &str, span: Span) -> Option<u16> {
        let choices = self.choices(set);
        if let Some(i) = choices.iter().position(|c| c == name) {
            return u16::try_from(i).ok();
        }
        let path = self.choice_source(set);
        let hint = match did_you_mean(name, choices.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`? `{path}` is one of {}", choices.join(", ")),
            None => format!("`{path}` is one of {}", choices.join(", ")),
        };
        self.error(Code::UnknownChoice, span, format!("`{name}` is not a choice of `{path}`"), hint)
    }

    fn compare(&mut self, op: CmpOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Option<Typed> {
        // A choice against a bare word: the word is one of its values.
        let left = match &a.node {
            ExprKind::Name(n) if self.lookup_value(n).is_none() && !n.contains('.') => None,
            _ => Some(self.expr(a)),
        };
        let (left, right) = match left {
            Some(l) => {
                let l = l?;
                let r = match &l.1 {
                    Ty::Choice(f) => match self.choice_literal(b, *f) {
                        Some(r) => r,
                        None => self.expr(b),
                    },
                    _ => self.expr(b),
                };
                (l, r?)
            }
            None => {
                let r = self.expr(b)?;
                let l = match &r.1 {
                    Ty::Choice(f) => self.choice_literal(a, *f).unwrap_or_else(|| self.expr(a)),
                    _ => self.expr(a),
                };
                (l?, r)
            }
        };
        let ((x, xt), (y, yt)) = (left, right);
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let expr = match (&xt, &yt) {
            (Ty::Num(_), Ty::Num(_)) => {
                let (x, y) = self.unify((x, xt), (y, yt), a.span, b.span, span)?;
                self.lint_threshold(op, &x, &y, span);
                Expr::Compare(op, Box::new(x), Box::new(y))
            }
            (Ty::Time, Ty::Time) => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Bool, Ty::Bool) if equality => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Choice(f), Ty::Choice(g)) if equality && self.choices(*f) == self.choices(*g) => {
                Expr::Compare(op, Box::new(x), Box::new(y))
            }
            (Ty::Choice(_), Ty::Choice(_)) if equality => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compare {ta} with {tb}"),
                    "compare choices of the same list".into(),
                );
            }
            // Choices of one list are ordered as declared (levels: L0 < L1 < ...).
            (Ty::Choice(f), Ty::Choice(g))
                if self.choices(*f) == self.choices(*g) && ordered_choices(self.choices(*f)) =>
            {
                Expr::Compare(op, Box::new(x), Box::new(y))
            }
            (Ty::Text, Ty::Text) if equality => Expr::Compare(op, Box::new(x), Box::new(y)),
            (Ty::Bool | Ty::Choice(_), _) if !equality && xt == yt => {
                let t = self.describe(&xt);
                return self.error(
                    Code::Type,
                    span,
                    format!("`{}` does not order {t}", op.symbol()),
                    "use `=` or `!=`".into(),
                );
            }
            _ => {
                let (ta, tb) = (self.describe(&xt), self.describe(&yt));
                return self.error(
                    Code::Type,
                    span,
                    format!("cannot compare {ta} with {tb}"),
                    "both sides must have the same type".into(),
                );
            }
        };
        Some((self.fold(expr, span), Ty::Bool))
    }
}

/// Whether a number is computed by `*` or `/` (converted or not).
fn is_product(expr: &Expr) -> bool {
    match expr {
        Expr::Scale(e, _) => is_product(e),
        Expr::Arith(op, ..) => matches!(op, ArithOp::Mul | ArithOp::Div),
        _ => false,
    }
}

/// Moves the references to quantifier-bound items in `expr` outward by `by` levels: an
/// argument written outside `by` new quantifiers. References to quantifiers inside `expr`
/// itself (below `cutoff`) stay.
fn shift(expr: Expr, by: u8, cutoff: u8) -> Expr {
    if by == 0 {
        return expr;
    }
    let item = |item: ItemRef| match item {
        ItemRef::Bound(i) if i >= cutoff => ItemRef::Bound(i.saturating_add(by)),
        ItemRef::BoundBefore(i) if i >= cutoff => ItemRef::BoundBefore(i.saturating_add(by)),
        other => other,
    };
    let sh = |e: Box<Expr>| Box::new(shift(*e, by, cutoff));
    let all = |es: Vec<Expr>| es.into_iter().map(|e| shift(e, by, cutoff)).collect();
    match expr {
        Expr::Item { list, item: i } => Expr::Item { list, item: item(i) },
        Expr::ItemField { list, list_slot, item: i, field, slot } => {
            Expr::ItemField { list, list_slot, item: item(i), field, slot }
        }
        Expr::Quantifier { kind, list, list_slot, cond } => Expr::Quantifier {
            kind,
            list,
            list_slot,
            cond: cond.map(|c| Box::new(shift(*c, by, cutoff.saturating_add(1)))),
        },
        Expr::Const(_) | Expr::Field { .. } | Expr::GroupPresent(_) | Expr::Verdict(_) => expr,
        Expr::Choose(arms, otherwise) => Expr::Choose(
            arms.into_iter().map(|(c, e)| (shift(c, by, cutoff), shift(e, by, cutoff))).collect(),
            sh(otherwise),
        ),
        Expr::Step(e, direction, n) => Expr::Step(sh(e), direction, n),
        Expr::Dose(l, e) => Expr::Dose(l, sh(e)),
        Expr::Allowed(l, e) => Expr::Allowed(l, sh(e)),
        Expr::HighestAllowed(l, e) => Expr::HighestAllowed(l, sh(e)),
        Expr::Not(e) => Expr::Not(sh(e)),
        Expr::Neg(e) => Expr::Neg(sh(e)),
        Expr::Abs(e) => Expr::Abs(sh(e)),
        Expr::IsKnown(e) => Expr::IsKnown(sh(e)),
        Expr::Scale(e, f) => Expr::Scale(sh(e), f),
        Expr::InSet(e, set) => Expr::InSet(sh(e), set),
        Expr::And(es) => Expr::And(all(es)),
        Expr::Or(es) => Expr::Or(all(es)),
        Expr::Min(es) => Expr::Min(all(es)),
        Expr::Max(es) => Expr::Max(all(es)),
        Expr::Compare(op, a, b) => Expr::Compare(op, sh(a), sh(b)),
        Expr::Arith(op, a, b, span) => Expr::Arith(op, sh(a), sh(b), span),
        Expr::Between(a, b, c) => Expr::Between(sh(a), sh(b), sh(c)),
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

/// Whether a list of choices is ordered: every choice is a common prefix followed by its
/// position (`L0, L1, L2`), so that `<` and `>` mean something. Other choices compare only
/// with `=` and `!=`.
fn ordered_choices(choices: &[String]) -> bool {
    let prefix = |c: &str| c.trim_end_matches(|ch: char| ch.is_ascii_digit()).to_string();
    let Some(first) = choices.first() else { return false };
    let p = prefix(first);
    choices.len() > 1
        && choices
            .iter()
            .enumerate()
            .all(|(i, c)| prefix(c) == p && c.get(p.len()..).and_then(|n| n.parse::<usize>().ok()) == Some(i))
}
