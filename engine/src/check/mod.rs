//! The checker: from the syntax tree to a typed, unit-checked [`Program`], reporting every
//! problem it finds (unknown names with a did-you-mean, types, units, unknown choices,
//! duplicate ids, citations of undeclared sources) in one run.

pub mod cost;
pub mod dose_safety;
pub mod expr;
pub mod inputs;
pub mod ladder;

use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::program::{
    Decision, FieldType, Header, Kind, MissingSource, Output, OutputValue, Program, Rule, Source, Tier, ValueShape,
    TONES,
};
use crate::exact::Exact;
use crate::syntax::ast::{self, Entry, Item, RuleFile};
use expr::{Checker, Names};
use indexmap::IndexSet;

/// The statuses a protocol can have.
pub const STATUSES: &[&str] = &["draft", "testing", "production", "retired"];

/// Checks a parsed file. The program is returned only when there is no error.
pub fn check(file: &RuleFile, source: &str) -> (Option<Program>, Vec<Diagnostic>) {
    let broken = &file.broken;
    let mut diagnostics = Vec::new();
    let mut headers = Vec::new();
    let mut source_decls = Vec::new();
    let mut input_decls = Vec::new();
    let mut defines = Vec::new();
    let mut decision_decls = Vec::new();
    let mut ladder_decls = Vec::new();
    for item in &file.items {
        match item {
            Item::Protocol(h) => headers.push(h),
            Item::Source(s) => source_decls.push(s),
            Item::Input(i) => input_decls.push(i),
            Item::Define(d) => defines.push(d),
            Item::Decision(d) => decision_decls.push(d),
            Item::Ladder(l) => ladder_decls.push(l),
        }
    }

    let header = header(&headers, &mut diagnostics);
    let sources = sources(&source_decls, &mut diagnostics);
    let schema = inputs::schema(&input_decls, &mut diagnostics);

    let mut define_names = IndexSet::new();
    for d in &defines {
        if !define_names.insert(d.name.node.as_str()) {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, d.name.span, format!("`{}` is defined twice", d.name.node))
                    .with_hint("rename one of the definitions"),
            );
        } else if schema.fields.iter().any(|f| f.path == d.name.node) {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, d.name.span, format!("`{}` is already an input", d.name.node))
                    .with_hint("give the definition another name"),
            );
        }
    }
    for d in &defines {
        let name = d.name.node.as_str();
        let clash = if schema.groups.iter().any(|g| g == name) {
            Some("a group of inputs")
        } else if expr::BUILTINS.contains(&name) {
            Some("a built-in function")
        } else {
            None
        };
        if let Some(what) = clash {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, d.name.span, format!("`{name}` is already {what}"))
                    .with_hint("give the definition another name"),
            );
        }
        let mut params = IndexSet::new();
        for p in &d.params {
            if !params.insert(p.node.as_str()) {
                diagnostics.push(
                    Diagnostic::error(Code::Duplicate, p.span, format!("parameter `{}` is listed twice", p.node))
                        .with_hint("give each parameter its own name"),
                );
            }
        }
    }
    let alert_decls: Vec<&ast::AlertDecl> = decision_decls
        .iter()
        .flat_map(|d| d.entries.iter())
        .filter_map(|e| match e {
            Entry::Alert(a) => Some(&**a),
            _ => None,
        })
        .collect();
    let names = Names::new(&schema, &defines, &alert_decls, broken, source);
    let mut decisions = Vec::new();
    let mut ladders = Vec::new();
    let texts;
    let lists;
    {
        let mut pending = Vec::new();
        let mut checker = Checker::new(&names, &mut diagnostics);
        let mut ladder_names = IndexSet::new();
        for l in &ladder_decls {
            if !ladder_names.insert(l.name.node.as_str()) {
                pending.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        l.name.span,
                        format!("ladder `{}` is declared twice", l.name.node),
                    )
                    .with_hint("give each ladder its own name"),
                );
                continue;
            }
            match ladder::ladder(l, &schema, &sources, &mut checker, &mut pending) {
                Some(ladder) => {
                    checker.add_ladder(&ladder.name, ladder.levels.clone());
                    ladders.push(ladder);
                }
                // Its errors are reported; its uses are still checked, not reported again.
                None => checker.add_ladder(&l.name.node, ladder::declared_levels(l, &schema)),
            }
        }
        for d in &defines {
            checker.define(d);
        }
        let mut seen = IndexSet::new();
        for d in &decision_decls {
            if !seen.insert(d.name.node.as_str()) {
                pending.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        d.name.span,
                        format!("decision `{}` is declared twice", d.name.node),
                    )
                    .with_hint("give each decision its own name"),
                );
                continue;
            }
            let made = decision(d, &names, &sources, &mut checker, &mut pending);
            // Later decisions can read its verdict even when it has errors of its own: those
            // are reported once, not again at each use.
            let verdicts = d
                .entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Verdict { name, .. } => Some(name.node.clone()),
                    _ => None,
                })
                .collect();
            checker.add_decision(&d.name.node, verdicts);
            if let Some(decision) = made {
                decisions.push(decision);
            }
        }
        for d in &defines {
            if !checker.is_used(&d.name.node) {
                let hint = if d.params.is_empty() {
                    "use it in a rule, or remove it"
                } else {
                    "use it in a rule, or remove it; a definition with parameters is only checked where it is used"
                };
                pending.push(
                    Diagnostic::warning(
                        Code::Unused,
                        d.name.span,
                        format!("definition `{}` is never used", d.name.node),
                    )
                    .with_hint(hint),
                );
            }
        }
        texts = checker.texts();
        lists = checker.lists();
        drop(checker);
        diagnostics.extend(pending);
    }
    if decision_decls.is_empty() {
        diagnostics.push(
            Diagnostic::error(Code::NoDecision, crate::diagnostic::Span::new(0, 0), "the file has no decision")
                .with_hint("add `decision NAME` with its rules and verdicts"),
        );
    }

    diagnostics.sort_by(|a, b| a.span.cmp(&b.span).then(a.code.cmp(&b.code)).then(a.message.cmp(&b.message)));
    diagnostics.dedup();
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    let program = ok.then(|| Program { header, sources, schema, decisions, ladders, texts, lists });
    (program, diagnostics)
}

fn header(headers: &[&ast::Header], diagnostics: &mut Vec<Diagnostic>) -> Header {
    let Some(first) = headers.first() else {
        diagnostics.push(
            Diagnostic::error(Code::Header, crate::diagnostic::Span::new(0, 0), "the file has no `protocol` header")
                .with_hint("start with: protocol \"Name\" version \"1.0\" status draft owner \"Who signs it off\""),
        );
        return Header::default();
    };
    for extra in headers.iter().skip(1) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, extra.name.span, "a second `protocol` header")
                .with_hint("a file describes one protocol"),
        );
    }
    let mut h = Header { name: first.name.node.clone(), ..Header::default() };
    let mut seen = IndexSet::new();
    for (key, value) in &first.fields {
        if !seen.insert(key.node.as_str()) {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, key.span, format!("`{}` is given twice", key.node))
                    .with_hint("keep one"),
            );
            continue;
        }
        match key.node.as_str() {
            "version" => h.version = value.node.clone(),
            "owner" => h.owner = Some(value.node.clone()),
            "description" => h.description = Some(value.node.clone()),
            _ => {
                one_of(value, STATUSES, (Code::Header, "status", "statuses"), diagnostics);
                h.status = value.node.clone();
            }
        }
    }
    for (field, example) in [("version", "version \"2026.11.0\""), ("status", "status draft")] {
        if !seen.contains(field) {
            diagnostics.push(
                Diagnostic::error(Code::Header, first.span, format!("the header has no {field}"))
                    .with_hint(format!("add `{example}`")),
            );
        }
    }
    h
}

fn sources(decls: &[&ast::SourceDecl], diagnostics: &mut Vec<Diagnostic>) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    for s in decls {
        if out.iter().any(|o| o.key == s.key.node) {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, s.key.span, format!("source `{}` is declared twice", s.key.node))
                    .with_hint("give each source its own key"),
            );
            continue;
        }
        out.push(Source {
            key: s.key.node.clone(),
            title: s.title.node.clone(),
            url: s.url.as_ref().map(|u| u.node.clone()),
        });
    }
    out
}

fn decision(
    d: &ast::DecisionDecl,
    names: &Names<'_>,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Decision> {
    let mut kinds: Vec<Kind> = Vec::new();
    let mut given = Vec::new();
    let mut outputs = Vec::new();
    let mut reasons_seen = false;
    let mut value_count = 0;
    for entry in &d.entries {
        match entry {
            Entry::List { name, kind, .. } if kind.node == "verdict" => {
                if reasons_seen {
                    diagnostics.push(
                        Diagnostic::error(Code::Duplicate, kind.span, "the verdict's reasons are listed twice")
                            .with_hint("keep one `list NAME of verdict`"),
                    );
                }
                reasons_seen = true;
                outputs.push(Output::Reasons(name.node.clone()));
            }
            Entry::Value { .. } => {
                outputs.push(Output::Value(value_count));
                value_count += 1;
            }
            Entry::Due(_) => {
                if !outputs.contains(&Output::Due) {
                    outputs.push(Output::Due);
                }
            }
            Entry::Alert(_) => {
                if !outputs.contains(&Output::Alerts) {
                    outputs.push(Output::Alerts);
                }
            }
            Entry::Kinds(names) => {
                for kind in names {
                    if kinds.iter().any(|k| k.name == kind.node) {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::Duplicate,
                                kind.span,
                                format!("rule kind `{}` is declared twice", kind.node),
                            )
                            .with_hint("declare each kind once"),
                        );
                    } else {
                        kinds.push(Kind {
                            name: kind.node.clone(),
                            list: String::new(),
                            quiet: false,
                            advisory: false,
                        });
                    }
                }
            }
            Entry::List { name, kind, quiet, advisory, .. } => {
                if kinds.iter().any(|k| k.name == kind.node) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            kind.span,
                            format!("rule kind `{}` is listed twice", kind.node),
                        )
                        .with_hint("one `list` entry per kind"),
                    );
                } else if kinds.iter().any(|k| k.list == name.node) || name.node == "verdict" || name.node == "missing"
                {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            name.span,
                            format!("output field `{}` is already used", name.node),
                        )
                        .with_hint("choose another name for the list"),
                    );
                } else {
                    outputs.push(Output::Kind(kinds.len()));
                    kinds.push(Kind {
                        name: kind.node.clone(),
                        list: name.node.clone(),
                        quiet: *quiet,
                        advisory: *advisory,
                    });
                }
            }
            Entry::Given(paths) => {
                for p in paths {
                    match names.group(&p.node) {
                        Some(g) => given.push(u32::try_from(g).unwrap_or(0)),
                        None => {
                            let hint = match did_you_mean(&p.node, names.group_paths()) {
                                Some(near) => format!("did you mean `{near}`?"),
                                None => {
                                    format!("the groups are {}", names.group_paths().collect::<Vec<_>>().join(", "))
                                }
                            };
                            diagnostics.push(
                                Diagnostic::error(
                                    Code::UnknownName,
                                    p.span,
                                    format!("no group of inputs named `{}`", p.node),
                                )
                                .with_hint(hint),
                            );
                        }
                    }
                }
            }
            Entry::Verdict { .. } | Entry::Rule(_) | Entry::MissingOf { .. } => {}
        }
    }
    let kind_index = |name: &ast::Name, diagnostics: &mut Vec<Diagnostic>| -> Option<usize> {
        let found = kinds.iter().position(|k| k.name == name.node);
        if found.is_none() {
            let hint = match did_you_mean(&name.node, kinds.iter().map(|k| k.name.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None if kinds.is_empty() => {
                    format!("declare it in the decision: `list OUTPUT of {}` or `kinds {}`", name.node, name.node)
                }
                None => format!(
                    "the kinds of `{}` are {}",
                    d.name.node,
                    kinds.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownKind,
                    name.span,
                    format!("no rule kind `{}` in decision `{}`", name.node, d.name.node),
                )
                .with_hint(hint),
            );
        }
        found
    };

    let mut tiers: Vec<Tier> = Vec::new();
    let mut otherwise_seen = None;
    let mut rules: Vec<Rule> = Vec::new();
    let mut ids: IndexSet<String> = IndexSet::new();
    let mut ok = true;
    for entry in &d.entries {
        match entry {
            Entry::Verdict { name, tone, when, condition, span } => {
                if otherwise_seen.is_some() {
                    diagnostics.push(
                        Diagnostic::error(Code::Verdict, *span, "a verdict after `otherwise` can never be reached")
                            .with_hint("`verdict NAME otherwise` comes last"),
                    );
                    ok = false;
                }
                if tiers.iter().any(|t| t.verdict == name.node) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            name.span,
                            format!("verdict `{}` is listed twice", name.node),
                        )
                        .with_hint("merge the conditions with `or`"),
                    );
                    ok = false;
                }
                let tone = tone
                    .as_ref()
                    .filter(|t| one_of(t, TONES, (Code::UnknownTone, "tone", "tones"), diagnostics))
                    .map(|t| t.node.clone());
                let mut tier =
                    Tier { verdict: name.node.clone(), any: Vec::new(), unknown: Vec::new(), when: None, tone };
                if let Some(c) = condition {
                    match checker.condition(c, "a verdict's `when` condition") {
                        Some(e) => tier.when = Some(e),
                        None => ok = false,
                    }
                }
                match when {
                    None => otherwise_seen = Some(*span),
                    Some(terms) => {
                        for term in terms {
                            match kind_index(&term.kind, diagnostics) {
                                Some(k) if term.any => tier.any.push(k),
                                Some(k) => tier.unknown.push(k),
                                None => ok = false,
                            }
                        }
                    }
                }
                tiers.push(tier);
            }
            Entry::Rule(r) => {
                let kind = kind_index(&r.kind, diagnostics);
                if !ids.insert(r.id.node.clone()) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            r.id.span,
                            format!("rule id `{}` is used twice in decision `{}`", r.id.node, d.name.node),
                        )
                        .with_hint("ids are stable names that outputs and tests rely on: give each rule its own"),
                    );
                    ok = false;
                }
                let mut cited = Vec::new();
                for key in &r.cites {
                    match sources.iter().position(|s| s.key == key.node) {
                        Some(i) if cited.contains(&i) => {
                            diagnostics.push(
                                Diagnostic::error(
                                    Code::Duplicate,
                                    key.span,
                                    format!("source `{}` is cited twice", key.node),
                                )
                                .with_hint("cite each source once"),
                            );
                            ok = false;
                        }
                        Some(i) => cited.push(i),
                        None => {
                            let hint = match did_you_mean(&key.node, sources.iter().map(|s| s.key.as_str())) {
                                Some(near) => format!("did you mean `{near}`?"),
                                None => format!("declare it: `source {} \"Title\" url \"...\"`", key.node),
                            };
                            diagnostics.push(
                                Diagnostic::error(
                                    Code::UnknownSource,
                                    key.span,
                                    format!("source `{}` is not declared", key.node),
                                )
                                .with_hint(hint),
                            );
                            ok = false;
                        }
                    }
                }
                if r.cites.is_empty() {
                    diagnostics.push(
                        Diagnostic::warning(Code::NoSource, r.id.span, format!("rule `{}` cites no source", r.id.node))
                            .with_hint("cite the evidence in brackets after the condition: `[K2]`"),
                    );
                }
                let when = checker.rule_condition(&r.when);
                match (kind, when) {
                    (Some(kind), Some(when)) => {
                        let mut reads = Vec::new();
                        when.visit_fields(&mut |f| reads.push(f));
                        reads.sort_unstable();
                        reads.dedup();
                        rules.push(Rule {
                            kind,
                            id: r.id.node.clone(),
                            message: r.message.node.clone(),
                            help: r.help.as_ref().map(|h| h.node.clone()),
                            sources: cited,
                            when,
                            reads,
                            span: r.span,
                        });
                    }
                    _ => ok = false,
                }
            }
            Entry::List { .. }
            | Entry::Kinds(_)
            | Entry::Given(_)
            | Entry::Value { .. }
            | Entry::MissingOf { .. }
            | Entry::Due(_)
            | Entry::Alert(_) => {}
        }
    }
    let mut missing_of = Vec::new();
    let mut values = Vec::new();
    let mut due_items = Vec::new();
    let mut alerts = Vec::new();
    for entry in &d.entries {
        match entry {
            Entry::MissingOf { what, when } => {
                let decision = match &what.node {
                    ast::ExprKind::Name(n) => checker.decision_index(n),
                    _ => None,
                };
                let source = match decision {
                    Some(index) => MissingSource::Decision(index),
                    None => match checker.expr(what) {
                        Some((e, _)) => MissingSource::Expr(e),
                        None => {
                            ok = false;
                            continue;
                        }
                    },
                };
                let when = match when {
                    Some(w) => match checker.condition(w, "the condition of `missing of`") {
                        Some(e) => Some(e),
                        None => {
                            ok = false;
                            continue;
                        }
                    },
                    None => None,
                };
                missing_of.push((source, when));
            }
            Entry::Due(due) => match due_item(due, checker, diagnostics) {
                Some(item) => due_items.push(item),
                None => ok = false,
            },
            Entry::Alert(a) => match alert(a, sources, checker, diagnostics) {
                Some(item) => {
                    if alerts.iter().any(|x: &crate::eval::program::Alert| x.id == item.id) {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::Duplicate,
                                a.id.span,
                                format!("alert `{}` is declared twice", a.id.node),
                            )
                            .with_hint("one alert per id: join the conditions with `or`"),
                        );
                        ok = false;
                    }
                    alerts.push(item);
                }
                None => ok = false,
            },
            Entry::Value { name, value, verdicts, minutes_after, .. } => {
                let mut given_for = Vec::new();
                for v in verdicts {
                    match tiers.iter().position(|t| t.verdict == v.node) {
                        Some(i) => given_for.push(i),
                        None => {
                            let hint = match did_you_mean(&v.node, tiers.iter().map(|t| t.verdict.as_str())) {
                                Some(near) => format!("did you mean `{near}`?"),
                                None => format!(
                                    "the verdicts are {}",
                                    tiers.iter().map(|t| t.verdict.as_str()).collect::<Vec<_>>().join(", ")
                                ),
                            };
                            diagnostics.push(
                                Diagnostic::error(
                                    Code::UnknownName,
                                    v.span,
                                    format!("no verdict `{}` in `{}`", v.node, d.name.node),
                                )
                                .with_hint(hint),
                            );
                            ok = false;
                        }
                    }
                }
                if ["verdict", "missing"].contains(&name.node.as_str()) || kinds.iter().any(|k| k.list == name.node) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            name.span,
                            format!("output field `{}` is already used", name.node),
                        )
                        .with_hint("choose another name for the value"),
                    );
                    ok = false;
                }
                let Some((expr, ty)) = checker.expr(value) else {
                    ok = false;
                    continue;
                };
                let Some(shape) = checker.shape(&ty) else {
                    diagnostics.push(
                        Diagnostic::error(Code::Type, value.span, "a whole list item cannot be an output value")
                            .with_hint("output one of its fields")
                            .clone(),
                    );
                    ok = false;
                    continue;
                };
                // A ladder's dose is written with its infusion time, when its route has one.
                let shape = match &expr {
                    crate::eval::program::Expr::Dose(l, _) => ValueShape::Dose(*l),
                    _ => shape,
                };
                let minutes_after =
                    minutes_after.as_ref().and_then(|t| minutes_after_of(t, &shape, names, diagnostics));
                values.push(OutputValue {
                    name: name.node.clone(),
                    expr,
                    shape,
                    verdicts: given_for,
                    minutes_after,
                    span: value.span,
                });
            }
            _ => {}
        }
    }
    // A decision with no verdict (a schedule of things due) has no `otherwise` either.
    if otherwise_seen.is_none() && !tiers.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Code::Verdict,
                d.name.span,
                format!("decision `{}` has no `otherwise` verdict", d.name.node),
            )
            .with_hint("end the verdicts with one that always holds: `verdict NAME otherwise`"),
        );
        ok = false;
    }
    // Fail closed: a kind that can decide the verdict must, when undecided, also decide
    // it (typically `indeterminate`) before the default verdict is reached.
    for (k, kind) in kinds.iter().enumerate() {
        let decides = tiers.iter().any(|t| t.any.contains(&k));
        let covered = tiers.iter().any(|t| t.unknown.contains(&k));
        if decides && !covered {
            diagnostics.push(
                Diagnostic::error(Code::FailOpen, d.name.span, format!("in decision `{}`, a `{}` rule that cannot be decided never changes the verdict: a patient with missing data would get a later verdict", d.name.node, kind.name))
                    .with_hint(format!("add `unknown {}` to a verdict before `otherwise`, such as `verdict indeterminate if unknown {}`", kind.name, kind.name)),
            );
            ok = false;
        } else if !decides && !kind.quiet && !kind.advisory {
            diagnostics.push(
                Diagnostic::warning(Code::UnusedKind, d.name.span, format!("`{}` rules never change the verdict of `{}`", kind.name, d.name.node))
                    .with_hint(format!("use them in a verdict (`verdict NAME if any {}`), or mark `list {} of {}` as `advisory` (listed, and unknown ones named in `missing`) or `quiet` (listed only)", kind.name, kind.list, kind.name)),
            );
        }
    }
    let mut reads_decisions = Vec::new();
    {
        let mut note = |d: u32| reads_decisions.push(d as usize);
        for r in &rules {
            r.when.visit_verdicts(&mut note);
        }
        for t in &tiers {
            if let Some(w) = &t.when {
                w.visit_verdicts(&mut note);
            }
        }
        for v in &values {
            v.expr.visit_verdicts(&mut note);
        }
        for item in &due_items {
            item.at.visit_verdicts(&mut note);
            if let Some((_, c)) = &item.when {
                c.visit_verdicts(&mut note);
            }
        }
        for (source, when) in &missing_of {
            match source {
                MissingSource::Decision(d) => reads_decisions.push(*d),
                MissingSource::Expr(e) => e.visit_verdicts(&mut |d| reads_decisions.push(d as usize)),
            }
            if let Some(w) = when {
                w.visit_verdicts(&mut |d| reads_decisions.push(d as usize));
            }
        }
    }
    reads_decisions.sort_unstable();
    reads_decisions.dedup();
    for a in &alerts {
        let mut note = |d: u32| reads_decisions.push(d as usize);
        a.when.visit_verdicts(&mut note);
        a.at.visit_verdicts(&mut note);
    }
    reads_decisions.sort_unstable();
    reads_decisions.dedup();
    let within = match &d.within {
        None => None,
        Some(parent) => match checker.decision_index(&parent.node) {
            Some(i) => Some(i),
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        parent.span,
                        format!("no decision `{}` above `{}`", parent.node, d.name.node),
                    )
                    .with_hint("a decision can be within a decision declared above it"),
                );
                ok = false;
                None
            }
        },
    };
    let mut labels = Vec::new();
    for e in &d.entries {
        if let Entry::List { name, label: Some(l), .. } | Entry::Value { name, label: Some(l), .. } = e {
            labels.push((name.node.clone(), l.node.clone()));
        }
    }
    ok.then(|| Decision {
        labels,
        alerts,
        within,
        reads_decisions,
        due: due_items,
        values,
        outputs,
        missing_of,
        name: d.name.node.clone(),
        title: d.title.as_ref().map(|t| t.node.clone()),
        given,
        kinds,
        rules,
        tiers,
    })
}

/// Whether `word` is one of `known`; else an error of code `what.0` ("unknown {what.1}
/// `word`") whose hint names the nearest of them, if any, and all of them (`what.2`: the plural).
fn one_of(word: &ast::Name, known: &[&str], what: (Code, &str, &str), diagnostics: &mut Vec<Diagnostic>) -> bool {
    let found = known.contains(&word.node.as_str());
    if !found {
        let hint = match did_you_mean(&word.node, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? The {} are {}", what.2, known.join(", ")),
            None => format!("the {} are {}", what.2, known.join(", ")),
        };
        diagnostics
            .push(Diagnostic::error(what.0, word.span, format!("unknown {} `{}`", what.1, word.node)).with_hint(hint));
    }
    found
}

/// The input of `minutes after PATH` on a value: a timestamp outside lists, and a value that
/// is a number without unit (or a list of them); else an error.
fn minutes_after_of(
    path: &ast::Name,
    shape: &ValueShape,
    names: &Names<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let mut times: Vec<&str> = Vec::new();
    for f in &names.schema.fields {
        if f.ty == FieldType::Timestamp && f.list.is_none() {
            times.push(&f.path);
        }
    }
    let minutes = match shape {
        ValueShape::List(inner) => **inner == ValueShape::Number(None),
        other => *other == ValueShape::Number(None),
    };
    if !one_of(path, &times, (Code::UnknownName, "timestamp input", "timestamp inputs outside lists"), diagnostics) {
        return None;
    }
    if !minutes {
        diagnostics.push(
            Diagnostic::error(Code::Type, path.span, "only a number without unit, or a list of them, counts minutes")
                .with_hint("drop `minutes after`, or give the value as a number of minutes"),
        );
        return None;
    }
    Some(path.node.clone())
}

/// A `due` entry: a timestamp, offsets, an optional list to go through and a condition.
fn due_item(
    due: &ast::DueDecl,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::eval::program::Due> {
    let each = match &due.each {
        Some((var, list)) => Some(checker.push_item(var, list)?),
        None => None,
    };
    let at = checker.expr(&due.at);
    let when = due.when.as_ref().map(|(positive, c)| (*positive, checker.condition(c, "the condition of `due`")));
    if each.is_some() {
        checker.pop_item();
    }
    let (at, ty) = at?;
    if ty != expr::Ty::Time {
        let t = checker.describe_type(&ty);
        diagnostics.push(
            Diagnostic::error(Code::Type, due.at.span, format!("`due ... at` needs a timestamp; this is {t}"))
                .with_hint("such as `s.at + 24 h`"),
        );
        return None;
    }
    let when = match when {
        Some((positive, Some(c))) => Some((positive, c)),
        Some((_, None)) => return None,
        None => None,
    };
    let seconds = crate::units::Unit::parse("s").ok()?;
    let mut after = Vec::new();
    for q in &due.after {
        let (value, unit) = &q.node;
        let given = match unit {
            Some(u) => inputs::unit(u, diagnostics)?,
            None => crate::units::Unit::none(),
        };
        match given.conversion_to(&seconds) {
            Some(f) => after.push(value.mul_exact(f)?),
            None => {
                diagnostics.push(
                    Diagnostic::error(Code::UnitMismatch, q.span, format!("`after` needs a duration; found {given}"))
                        .with_hint("such as `after 3 days, 7 days`"),
                );
                return None;
            }
        }
    }
    Some(crate::eval::program::Due {
        id: due.id.node.clone(),
        checks: due.checks.iter().map(|c| c.node.clone()).collect(),
        at,
        after,
        each,
        when,
    })
}

/// An `alert` entry: its condition and time for each item of a list, and an otherwise.
fn alert(
    a: &ast::AlertDecl,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::eval::program::Alert> {
    let (var, list) = &a.each;
    let (_, list_slot) = checker.push_item(var, list)?;
    let when = checker.condition(&a.when, "an alert's condition");
    let at = checker.expr(&a.at);
    checker.pop_item();
    let otherwise = match &a.otherwise {
        Some((c, t)) => Some((checker.condition(c, "an alert's condition")?, checker.expr(t)?)),
        None => None,
    };
    let (when, (at, at_ty)) = (when?, at?);
    let times_ok = at_ty == expr::Ty::Time && otherwise.as_ref().is_none_or(|(_, (_, t))| *t == expr::Ty::Time);
    if !times_ok {
        diagnostics.push(
            Diagnostic::error(Code::Type, a.at.span, "an alert's `at` is a timestamp").with_hint("such as `at r.at`"),
        );
        return None;
    }
    let mut cited = Vec::new();
    for key in &a.cites {
        match sources.iter().position(|s| s.key == key.node) {
            Some(i) => cited.push(i),
            None => {
                let hint = match did_you_mean(&key.node, sources.iter().map(|s| s.key.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("declare it: `source {} \"Title\"`", key.node),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownSource, key.span, format!("source `{}` is not declared", key.node))
                        .with_hint(hint),
                );
                return None;
            }
        }
    }
    Some(crate::eval::program::Alert {
        id: a.id.node.clone(),
        severity: a.severity.node.clone(),
        message: a.message.node.clone(),
        sources: cited,
        list_slot,
        when,
        at,
        otherwise: otherwise.map(|(c, (t, _))| (c, t)),
        action: a.action.as_ref().map(|t| t.node.clone()),
    })
}
