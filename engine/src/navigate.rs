//! Where each name of a rule file is declared and where it is used: the inputs, definitions
//! and their parameters, ladders, decisions, rules and sources. An editor reads it to go to a
//! declaration, to list a name's uses and to say what the name under the cursor is.
//!
//! The index is built from the syntax tree alone, so it works on a file with errors: every
//! item that parsed is indexed. A name is resolved as the checker does: a parameter of the
//! definition it is in, an item of a list bound by `any(s in ...)` or `for r in ...`
//! (`s.at` is `course.sessions[].at`), a declared input (`course.sessions[-1].at` is
//! `course.sessions[].at`), a definition, a ladder, or the decision whose output it reads
//! (`eligibility.verdict`).

use crate::diagnostic::Span;
use crate::ir::schema::declared_path;
use crate::syntax::ast::{DecisionDecl, Entry, Expr, ExprKind, Item, LadderDecl, LadderEntry, Name, RuleFile};
use std::collections::HashSet;

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An input, by its declared path (`course.sessions[].at`).
    Input,
    /// A definition.
    Define,
    /// A parameter of a definition, named `define.param`.
    Param,
    /// A dose ladder.
    Ladder,
    /// A decision.
    Decision,
    /// A schedule.
    Schedule,
    /// A rule, named `decision.id`.
    Rule,
    /// A citable source, by its key.
    Source,
}

/// A declared thing: its kind and its name (see [`Kind`] for how each is named).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Symbol {
    /// What it is.
    pub kind: Kind,
    /// Its name.
    pub name: String,
}

/// One place a symbol is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The symbol.
    pub symbol: Symbol,
    /// The text that names it.
    pub span: Span,
    /// Whether this is its declaration (else a use).
    pub declaration: bool,
}

/// Every declaration and use of a name in a rule file, in source order of items.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Declarations and uses.
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes the items of `file`.
    pub fn new(file: &RuleFile) -> Index {
        let mut walker = Walker { declared: Declared::of(file), scope: Vec::new(), out: Vec::new() };
        for item in &file.items {
            walker.item(item);
        }
        Index { occurrences: walker.out }
    }

    /// The occurrence at byte `offset` (its end included, so a cursor just after a name
    /// finds it); the narrowest when several hold it.
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
            .min_by_key(|o| o.span.end - o.span.start)
    }

    /// Where `symbol` is declared.
    pub fn declaration(&self, symbol: &Symbol) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| o.declaration && &o.symbol == symbol)
    }

    /// Every place `symbol` is written, its declaration included.
    pub fn references<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| &o.symbol == symbol)
    }
}

/// The names the file declares, to resolve uses against.
struct Declared {
    inputs: HashSet<String>,
    defines: HashSet<String>,
    ladders: HashSet<String>,
    schedules: HashSet<String>,
    decisions: HashSet<String>,
}

impl Declared {
    fn of(file: &RuleFile) -> Declared {
        let mut d = Declared {
            inputs: HashSet::new(),
            defines: HashSet::new(),
            ladders: HashSet::new(),
            schedules: HashSet::new(),
            decisions: HashSet::new(),
        };
        for item in &file.items {
            match item {
                Item::Input(i) => {
                    d.inputs.insert(i.path.node.clone());
                }
                Item::Define(def) => {
                    d.defines.insert(def.name.node.clone());
                }
                Item::Ladder(l) => {
                    d.ladders.insert(l.name.node.clone());
                }
                Item::Schedule(s) => {
                    d.schedules.insert(s.name.node.clone());
                }
                Item::Decision(dec) => {
                    d.decisions.insert(dec.name.node.clone());
                }
                Item::Protocol(_) | Item::Source(_) => {}
            }
        }
        d
    }
}

/// A name bound while walking: a definition's parameter, or an item of a list.
enum Binding {
    /// A parameter of this definition.
    Param(String, String),
    /// An item of the list with this declared path.
    Item(String, String),
}

struct Walker {
    declared: Declared,
    scope: Vec<Binding>,
    out: Vec<Occurrence>,
}

/// The first segment of a path: `s` of `s.at`, `course` of `course.sessions[-1]`.
fn first_segment(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

impl Walker {
    fn push(&mut self, kind: Kind, name: impl Into<String>, span: Span, declaration: bool) {
        self.out.push(Occurrence { symbol: Symbol { kind, name: name.into() }, span, declaration });
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Protocol(_) => {}
            Item::Source(s) => self.push(Kind::Source, s.key.node.clone(), s.key.span, true),
            Item::Input(i) => {
                self.push(Kind::Input, i.path.node.clone(), i.path.span, true);
                for flag in &i.flags {
                    if let crate::syntax::ast::InputFlag::NotAfter(path) = &flag.node {
                        self.name(path);
                    }
                }
            }
            Item::Define(d) => {
                self.push(Kind::Define, d.name.node.clone(), d.name.span, true);
                for p in &d.params {
                    self.push(Kind::Param, format!("{}.{}", d.name.node, p.node), p.span, true);
                    self.scope.push(Binding::Param(p.node.clone(), d.name.node.clone()));
                }
                self.expr(&d.body);
                self.scope.clear();
            }
            Item::Decision(d) => self.decision(d),
            Item::Ladder(l) => self.ladder(l),
            Item::Schedule(s) => {
                self.push(Kind::Schedule, s.name.node.clone(), s.name.span, true);
                self.name(&s.of);
                for p in &s.phases {
                    self.cites(&p.cites);
                }
            }
        }
    }

    fn decision(&mut self, d: &DecisionDecl) {
        self.push(Kind::Decision, d.name.node.clone(), d.name.span, true);
        if let Some(parent) = &d.within {
            self.push(Kind::Decision, parent.node.clone(), parent.span, false);
        }
        for entry in &d.entries {
            match entry {
                Entry::Given(_) | Entry::List { .. } | Entry::Kinds(_) => {}
                Entry::Due(due) => {
                    let bound = due.each.as_ref().map(|(var, list)| self.bind(var, list));
                    self.expr(&due.at);
                    if let Some((_, when)) = &due.when {
                        self.expr(when);
                    }
                    self.unbind(bound);
                }
                Entry::Alert(a) => {
                    let bound = Some(self.bind(&a.each.0, &a.each.1));
                    self.expr(&a.when);
                    self.expr(&a.at);
                    self.unbind(bound);
                    if let Some((when, at)) = &a.otherwise {
                        self.expr(when);
                        self.expr(at);
                    }
                    self.cites(&a.cites);
                }
                Entry::Verdict { condition, .. } => {
                    if let Some(c) = condition {
                        self.expr(c);
                    }
                }
                Entry::Value { minutes_after, value, .. } => {
                    if let Some(path) = minutes_after {
                        self.name(path);
                    }
                    self.expr(value);
                }
                Entry::MissingOf { what, when } => {
                    self.expr(what);
                    if let Some(w) = when {
                        self.expr(w);
                    }
                }
                Entry::Rule(r) => {
                    self.push(Kind::Rule, format!("{}.{}", d.name.node, r.id.node), r.id.span, true);
                    self.expr(&r.when);
                    self.cites(&r.cites);
                }
            }
        }
    }

    fn ladder(&mut self, l: &LadderDecl) {
        self.push(Kind::Ladder, l.name.node.clone(), l.name.span, true);
        for entry in &l.entries {
            match entry {
                LadderEntry::Levels(path) | LadderEntry::Route(path) => self.name(path),
                LadderEntry::Weight(e) | LadderEntry::Cap(_, e) => self.expr(e),
                LadderEntry::Dose { cites, .. } => self.cites(cites),
                LadderEntry::AllowAbove { when, cites, .. } => {
                    self.expr(when);
                    self.cites(cites);
                }
                LadderEntry::Round(..) | LadderEntry::Limit(..) | LadderEntry::Infusion(..) => {}
            }
        }
    }

    fn cites(&mut self, cites: &[Name]) {
        for c in cites {
            self.push(Kind::Source, c.node.clone(), c.span, false);
        }
    }

    /// Binds `var` to the items of `list` (itself a use); gives back how many to unbind.
    fn bind(&mut self, var: &Name, list: &Name) -> usize {
        let path = self.resolve(&list.node).map_or_else(|| declared_path(&list.node), |(_, path, _)| path);
        self.name(list);
        self.scope.push(Binding::Item(var.node.clone(), path));
        1
    }

    fn unbind(&mut self, bound: Option<usize>) {
        for _ in 0..bound.unwrap_or(0) {
            self.scope.pop();
        }
    }

    /// What `name` stands for here: its kind, its name, and how many of its first bytes
    /// name it (all, except for a decision's output such as `eligibility.verdict`).
    fn resolve(&self, name: &str) -> Option<(Kind, String, usize)> {
        let first = first_segment(name);
        for binding in self.scope.iter().rev() {
            match binding {
                Binding::Param(p, define) if p == first => {
                    return (p == name).then(|| (Kind::Param, format!("{define}.{p}"), name.len()));
                }
                Binding::Item(var, list) if var == first => {
                    let rest = name.get(first.len()..).unwrap_or_default();
                    let path = declared_path(&format!("{list}[]{rest}"));
                    return self.declared.inputs.contains(&path).then_some((Kind::Input, path, name.len()));
                }
                _ => {}
            }
        }
        let path = declared_path(name);
        if self.declared.inputs.contains(&path) {
            Some((Kind::Input, path, name.len()))
        } else if self.declared.defines.contains(name) {
            Some((Kind::Define, name.to_string(), name.len()))
        } else if self.declared.ladders.contains(name) {
            Some((Kind::Ladder, name.to_string(), name.len()))
        } else if self.declared.schedules.contains(name) {
            Some((Kind::Schedule, name.to_string(), name.len()))
        } else if self.declared.decisions.contains(first) {
            Some((Kind::Decision, first.to_string(), first.len()))
        } else {
            None
        }
    }

    /// Records the use of a name written at `span`.
    fn use_at(&mut self, name: &str, span: Span) {
        if let Some((kind, symbol, length)) = self.resolve(name) {
            self.push(kind, symbol, Span::new(span.start, span.start + length), false);
        }
    }

    fn name(&mut self, name: &Name) {
        self.use_at(&name.node, name.span);
    }

    fn expr(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Bool(_) | ExprKind::Quantity(..) | ExprKind::Text(_) => {}
            ExprKind::Name(n) => self.use_at(n, e.span),
            ExprKind::List(items) | ExprKind::And(items) | ExprKind::Or(items) => {
                items.iter().for_each(|i| self.expr(i));
            }
            ExprKind::Call(f, args) => {
                if self.declared.defines.contains(&f.node) {
                    self.push(Kind::Define, f.node.clone(), f.span, false);
                }
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::IsKnown(x, _) | ExprKind::IsTruth(x, _) => self.expr(x),
            ExprKind::InSet(x, _, _) => self.expr(x),
            ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::InRange(x, lo, hi, _) => {
                self.expr(x);
                self.expr(lo);
                self.expr(hi);
            }
            ExprKind::Quantifier { var, list, cond, .. } => {
                let bound = Some(self.bind(var, list));
                if let Some(c) = cond {
                    self.expr(c);
                }
                self.unbind(bound);
            }
            ExprKind::Choose(arms, otherwise) => {
                for (when, then) in arms {
                    self.expr(when);
                    self.expr(then);
                }
                self.expr(otherwise);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const SOURCE: &str = "source K2 \"Criteria\"\n\
        input patient.age: integer years in 0..120 \"Age\"\n\
        input course.sessions: list in 0..6 \"Sessions\"\n\
        input course.sessions[].at: timestamp \"At\"\n\
        define old(a) = a >= 65 years\n\
        decision eligibility\n  list exclusions of exclude\n  verdict ineligible if any exclude\n  verdict eligible otherwise\n\
        \x20 exclude minor \"Under 18\" when patient.age < 18 years or old(patient.age) [K2]\n\
        \x20 exclude recent \"Recent\" when any(s in course.sessions where s.at is known) or course.sessions[-1].at is known [K2]\n\
        decision later\n  list info of info quiet\n  verdict done otherwise\n  info x \"X\" when eligibility.verdict = ineligible\n";

    fn index() -> Index {
        let (file, _) = crate::syntax::parse(SOURCE);
        Index::new(&file)
    }

    fn symbol(kind: Kind, name: &str) -> Symbol {
        Symbol { kind, name: name.into() }
    }

    #[test]
    fn uses_resolve_to_their_declarations() {
        let index = index();
        let age = symbol(Kind::Input, "patient.age");
        assert_eq!(index.references(&age).count(), 3);
        let at = symbol(Kind::Input, "course.sessions[].at");
        assert_eq!(index.references(&at).count(), 3, "{:?}", index.occurrences);
        assert_eq!(index.references(&symbol(Kind::Source, "K2")).count(), 3);
        assert_eq!(index.references(&symbol(Kind::Define, "old")).count(), 2);
        assert_eq!(index.references(&symbol(Kind::Param, "old.a")).count(), 2);
        let decision = symbol(Kind::Decision, "eligibility");
        let uses: Vec<_> = index.references(&decision).filter(|o| !o.declaration).collect();
        assert_eq!(uses.len(), 1);
        assert_eq!(&SOURCE[uses[0].span.start..uses[0].span.end], "eligibility");
    }

    #[test]
    fn the_name_under_a_cursor_is_found() {
        let index = index();
        let at = SOURCE.find("s.at is").unwrap() + 2;
        let found = index.at(at).unwrap();
        assert_eq!(found.symbol, symbol(Kind::Input, "course.sessions[].at"));
        let minor = SOURCE.find("minor").unwrap();
        assert_eq!(index.at(minor).unwrap().symbol, symbol(Kind::Rule, "eligibility.minor"));
        let declaration = index.declaration(&symbol(Kind::Input, "patient.age")).unwrap();
        assert_eq!(&SOURCE[declaration.span.start..declaration.span.end], "patient.age");
    }
}
