//! Hover: what the name under the cursor is, from its declaration. An input shows its type,
//! unit, range, label and help; a definition its body; a source its title and URL; a rule
//! its kind, message, sources and help; a decision or a ladder its title.

use super::text::Lines;
use kap_engine::navigate::{Index, Kind, Symbol};
use kap_engine::syntax::{
    self,
    ast::{Entry, InputDecl, Item, RuleFile, TypeExpr},
};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

/// The hover for the name at `position`, if it names something declared.
pub fn hover(text: &str, position: Position) -> Option<Hover> {
    let (file, _) = syntax::parse(text);
    let index = Index::new(&file);
    let lines = Lines::new(text);
    let found = index.at(lines.offset(position))?;
    let markdown = describe(text, &file, &found.symbol)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(lines.range(found.span)),
    })
}

/// The source text of a span.
fn source(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

/// What `symbol` is, in Markdown.
fn describe(text: &str, file: &RuleFile, symbol: &Symbol) -> Option<String> {
    let name = symbol.name.as_str();
    file.items.iter().find_map(|item| match (symbol.kind, item) {
        (Kind::Input, Item::Input(i)) if i.path.node == name => Some(input(text, i)),
        (Kind::Define, Item::Define(d)) if d.name.node == name => {
            Some(format!("```kap\ndefine {}\n```", source(text, d.name.span.start, d.body.span.end)))
        }
        (Kind::Param, Item::Define(d)) => {
            let param = name.strip_prefix(d.name.node.as_str())?.strip_prefix('.')?;
            Some(format!("parameter `{param}` of `{}`", d.name.node))
        }
        (Kind::Source, Item::Source(s)) if s.key.node == name => {
            let url = s.url.as_ref().map(|u| format!("\n\n<{}>", u.node)).unwrap_or_default();
            Some(format!("source **{}**: {}{url}", s.key.node, s.title.node))
        }
        (Kind::Decision, Item::Decision(d)) if d.name.node == name => {
            let title = d.title.as_ref().map(|t| format!(": {}", t.node)).unwrap_or_default();
            Some(format!("decision **{}**{title}", d.name.node))
        }
        (Kind::Ladder, Item::Ladder(l)) if l.name.node == name => {
            let title = l.title.as_ref().map(|t| format!(": {}", t.node)).unwrap_or_default();
            Some(format!("dose ladder **{}**{title}", l.name.node))
        }
        (Kind::Rule, Item::Decision(d)) => {
            let id = name.strip_prefix(d.name.node.as_str())?.strip_prefix('.')?;
            d.entries.iter().find_map(|e| match e {
                Entry::Rule(r) if r.id.node == id => Some(rule(file, &d.name.node, r)),
                _ => None,
            })
        }
        _ => None,
    })
}

/// An input's declaration: `patient.age`: integer, years, 0..120, its label and help.
fn input(text: &str, i: &InputDecl) -> String {
    let (kind, unit) = match &i.ty.node {
        TypeExpr::Boolean => ("boolean".to_string(), None),
        TypeExpr::Integer(u) => ("integer".to_string(), u.as_ref()),
        TypeExpr::Decimal(u) => ("decimal".to_string(), u.as_ref()),
        TypeExpr::Timestamp => ("timestamp".to_string(), None),
        TypeExpr::List => ("list".to_string(), None),
        TypeExpr::Choice(choices, ordered) => {
            let names: Vec<&str> = choices.iter().map(|c| c.node.as_str()).collect();
            (format!("one of {}", names.join(if *ordered { " < " } else { ", " })), None)
        }
    };
    let mut facts = vec![format!("type: {kind}")];
    if let Some(u) = unit {
        facts.push(format!("unit: {}", u.node));
    }
    if let Some(range) = &i.range {
        let (lo, hi) = range.node;
        let what = if i.ty.node == TypeExpr::List { "items" } else { "range" };
        facts.push(format!("{what}: {lo}..{hi}"));
    }
    let help = i.help.as_ref().map(|h| format!("\n\n{}", h.node)).unwrap_or_default();
    format!(
        "input **{}**: {}\n\n{}{help}\n\n```kap\ninput {}\n```",
        i.path.node,
        i.label.node,
        facts.join(" · "),
        source(text, i.path.span.start, i.span.end)
    )
}

/// A rule: its kind and id, message, the titles of the sources it cites, and its help.
fn rule(file: &RuleFile, decision: &str, r: &kap_engine::syntax::ast::RuleDecl) -> String {
    let mut out = format!("{} **{}** in `{decision}`: {}", r.kind.node, r.id.node, r.message.node);
    for cite in &r.cites {
        let title = file.items.iter().find_map(|item| match item {
            Item::Source(s) if s.key.node == cite.node => Some(s.title.node.as_str()),
            _ => None,
        });
        out.push_str(&format!("\n\n[{}] {}", cite.node, title.unwrap_or("(not declared)")));
    }
    if let Some(help) = &r.help {
        out.push_str(&format!("\n\n{}", help.node));
    }
    out
}
