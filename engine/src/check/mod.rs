//! The checker: from the syntax tree to a typed, unit-checked [`Program`], reporting every
//! problem it finds (unknown names with a did-you-mean, types, units, unknown choices,
//! duplicate ids, citations of undeclared sources) in one run.

mod decision;
pub mod expr;
pub mod inputs;
pub mod ladder;
pub mod schedule;

use crate::calendar::ZoneRule;
use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::decision::Decision;
use crate::ir::ladder::Ladder;
use crate::ir::schema::Schema;
use crate::ir::{Header, Program, Source, TimeZone};
use crate::syntax::ast::{self, Entry, Item, RuleFile};
use expr::{Checker, Names, Zone};
use indexmap::IndexSet;

/// The statuses a protocol can have.
pub const STATUSES: &[&str] = &["draft", "testing", "production", "retired"];

/// The items of a file, by kind, in order.
#[derive(Default)]
struct Items<'f> {
    headers: Vec<&'f ast::Header>,
    sources: Vec<&'f ast::SourceDecl>,
    inputs: Vec<&'f ast::InputDecl>,
    defines: Vec<&'f ast::Define>,
    decisions: Vec<&'f ast::DecisionDecl>,
    ladders: Vec<&'f ast::LadderDecl>,
    schedules: Vec<&'f ast::ScheduleDecl>,
}

impl<'f> Items<'f> {
    /// Sorts the file's items by kind.
    fn of(file: &'f RuleFile) -> Self {
        let mut items = Items::default();
        for item in &file.items {
            match item {
                Item::Protocol(h) => items.headers.push(h),
                Item::Source(s) => items.sources.push(s),
                Item::Input(i) => items.inputs.push(i),
                Item::Define(d) => items.defines.push(d),
                Item::Decision(d) => items.decisions.push(d),
                Item::Ladder(l) => items.ladders.push(l),
                Item::Schedule(s) => items.schedules.push(s),
            }
        }
        items
    }

    /// The alerts declared in all the decisions.
    fn alerts(&self) -> Vec<&'f ast::AlertDecl> {
        let mut alerts = Vec::new();
        for d in &self.decisions {
            for e in &d.entries {
                if let Entry::Alert(a) = e {
                    alerts.push(&**a);
                }
            }
        }
        alerts
    }
}

/// Checks a parsed file. The program is returned only when there is no error.
pub fn check(file: &RuleFile, source: &str) -> (Option<Program>, Vec<Diagnostic>) {
    let items = Items::of(file);
    let mut diagnostics = Vec::new();
    let header = header(&items.headers, &mut diagnostics);
    let sources = sources(&items.sources, &mut diagnostics);
    let schema = inputs::schema(&items.inputs, &mut diagnostics);
    definition_names(&items.defines, &schema, &mut diagnostics);
    let alert_decls = items.alerts();
    let zone = match (&header.timezone, items.headers.first().is_some_and(|h| !h.timezones.is_empty())) {
        (Some(zone), _) => Zone::Declared(zone),
        (None, true) => Zone::Broken,
        (None, false) => Zone::Undeclared,
    };
    let schedules = schedule::expand_all(&items.schedules, &schema, &sources, &mut diagnostics);
    let names = Names::new(&schema, &items.defines, &alert_decls, &file.broken, source)
        .with_zone(zone)
        .with_schedules(&schedules);
    let (ladders, decisions, texts, lists, shared) = {
        let mut pending = Vec::new();
        let mut checker = Checker::new(&names, &mut diagnostics);
        let ladders = ladders(&items.ladders, &schema, &sources, &mut checker, &mut pending);
        for d in &items.defines {
            checker.define(d);
        }
        let decisions = decisions(&items.decisions, &names, &sources, &mut checker, &mut pending);
        unused_definitions(&items.defines, &checker, &mut pending);
        let texts = checker.texts();
        let lists = checker.lists();
        let shared = checker.definitions();
        drop(checker);
        diagnostics.extend(pending);
        (ladders, decisions, texts, lists, shared)
    };
    if items.decisions.is_empty() {
        diagnostics.push(
            Diagnostic::error(Code::NoDecision, crate::diagnostic::Span::new(0, 0), "the file has no decision")
                .with_hint("add `decision NAME` with its rules and verdicts"),
        );
    }

    diagnostics.sort_by(|a, b| a.span.cmp(&b.span).then(a.code.cmp(&b.code)).then(a.message.cmp(&b.message)));
    diagnostics.dedup();
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    let program = ok.then(|| Program { header, sources, schema, decisions, ladders, texts, lists, shared });
    (program, diagnostics)
}

/// Reports definitions and parameters named twice, and definitions named like an input, a
/// group of inputs or a built-in function.
fn definition_names(defines: &[&ast::Define], schema: &Schema, diagnostics: &mut Vec<Diagnostic>) {
    let mut define_names = IndexSet::new();
    for d in defines {
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
    for d in defines {
        let name = d.name.node.as_str();
        let clash = if schema.groups.iter().any(|g| g == name) {
            Some("a group of inputs")
        } else if expr::Builtin::from_name(name).is_some() {
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
}

/// Checks the ladders, in order, making each one's levels known to the checker.
fn ladders(
    decls: &[&ast::LadderDecl],
    schema: &Schema,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Ladder> {
    let mut ladders = Vec::new();
    let mut ladder_names = IndexSet::new();
    for l in decls {
        if !ladder_names.insert(l.name.node.as_str()) {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, l.name.span, format!("ladder `{}` is declared twice", l.name.node))
                    .with_hint("give each ladder its own name"),
            );
            continue;
        }
        match ladder::ladder(l, schema, sources, checker, diagnostics) {
            Some(ladder) => {
                checker.add_ladder(&ladder.name, ladder.levels.clone());
                ladders.push(ladder);
            }
            // Its errors are reported; its uses are still checked, not reported again.
            None => checker.add_ladder(&l.name.node, ladder::declared_levels(l, schema)),
        }
    }
    ladders
}

/// Checks the decisions, in order, making each one's verdicts known to the checker.
fn decisions(
    decls: &[&ast::DecisionDecl],
    names: &Names<'_>,
    sources: &[Source],
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Decision> {
    let mut decisions = Vec::new();
    let mut seen = IndexSet::new();
    for d in decls {
        if !seen.insert(d.name.node.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    d.name.span,
                    format!("decision `{}` is declared twice", d.name.node),
                )
                .with_hint("give each decision its own name"),
            );
            continue;
        }
        let made = decision::decision(d, names, sources, checker, diagnostics);
        // Later decisions can read its verdict even when it has errors of its own: those
        // are reported once, not again at each use.
        let mut verdicts = Vec::new();
        for e in &d.entries {
            if let Entry::Verdict { name, .. } = e {
                verdicts.push(name.node.clone());
            }
        }
        checker.add_decision(&d.name.node, verdicts);
        if let Some(decision) = made {
            decisions.push(decision);
        }
    }
    decisions
}

/// Warns of definitions never used.
fn unused_definitions(defines: &[&ast::Define], checker: &Checker<'_, '_>, diagnostics: &mut Vec<Diagnostic>) {
    for d in defines {
        if !checker.is_used(&d.name.node) {
            let hint = if d.params.is_empty() {
                "use it in a rule, or remove it"
            } else {
                "use it in a rule, or remove it; a definition with parameters is only checked where it is used"
            };
            diagnostics.push(
                Diagnostic::warning(Code::Unused, d.name.span, format!("definition `{}` is never used", d.name.node))
                    .with_hint(hint),
            );
        }
    }
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
    h.timezone = timezone(&first.timezones, diagnostics);
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

/// The header's `timezone`: its rule read (UTC needs none), once.
fn timezone(decls: &[ast::TimeZoneDecl], diagnostics: &mut Vec<Diagnostic>) -> Option<TimeZone> {
    const EXAMPLE: &str = "timezone \"America/New_York\" \"EST5EDT,M3.2.0,M11.1.0\"";
    for extra in decls.iter().skip(1) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, extra.name.span, "a second `timezone`")
                .with_hint("a protocol counts days in one time zone: keep one"),
        );
    }
    let decl = decls.first()?;
    let name = decl.name.node.clone();
    let rule = match &decl.rule {
        Some(rule) => match ZoneRule::parse(&rule.node) {
            Some(r) => r,
            None => {
                diagnostics.push(
                    Diagnostic::error(Code::Header, rule.span, format!("`{}` is not a time zone rule kap reads", rule.node))
                        .with_hint("write the zone's POSIX TZ rule, as in `EST5EDT,M3.2.0,M11.1.0` or `<+0530>-5:30`: the last line of its tzdata file"),
                );
                return None;
            }
        },
        None if matches!(name.as_str(), "UTC" | "Etc/UTC") => ZoneRule::parse("UTC0")?,
        None => {
            diagnostics.push(
                Diagnostic::error(Code::Header, decl.name.span, format!("the time zone `{name}` needs its rule"))
                    .with_hint(format!(
                    "give its rule after the name, as in `{EXAMPLE}`: the last line of `/usr/share/zoneinfo/{name}`"
                )),
            );
            return None;
        }
    };
    Some(TimeZone { name, rule })
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

/// Whether `word` is one of `known`; else an error of code `what.0` ("unknown {what.1}
/// `word`") whose hint names the nearest of them, if any, and all of them (`what.2`: the plural).
pub(crate) fn one_of(
    word: &ast::Name,
    known: &[&str],
    what: (Code, &str, &str),
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
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
