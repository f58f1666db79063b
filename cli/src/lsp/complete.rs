//! Completion, from what the line holds before the cursor: source keys inside a citation's
//! `[`, the choices of a `one of` input after `in {`, units after a number, the rule kinds
//! and entry keywords at the start of an entry line (item keywords at the first column), and
//! otherwise names: input paths member by member after a dot, a decision's outputs after its
//! name, definitions, ladders and decisions.

use super::text::Lines;
use kap_engine::schema::declared_path;
use kap_engine::syntax::{
    self,
    ast::{DecisionDecl, Entry, InputDecl, Item, RuleFile, TypeExpr},
};
use kap_engine::units::Unit;
use lsp_types::{CompletionItem, CompletionItemKind, CompletionResponse, Position};
use std::collections::BTreeMap;

/// The keywords that start an item.
const ITEMS: [&str; 6] = ["protocol", "source", "input", "define", "decision", "ladder"];
/// The keywords that start a decision's entry besides its rule kinds.
const DECISION_ENTRIES: [&str; 8] = ["given", "list", "kinds", "verdict", "value", "missing", "alert", "due"];
/// The keywords that start a ladder's entry.
const LADDER_ENTRIES: [&str; 9] = ["levels", "route", "weight", "dose", "round", "cap", "limit", "infusion", "allow"];

/// The completions at `position`.
pub fn complete(text: &str, position: Position) -> CompletionResponse {
    let offset = Lines::new(text).offset(position);
    let line_start = text.get(..offset).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let before = text.get(line_start..offset).unwrap_or_default();
    let (file, _) = syntax::parse(text);
    let items = if in_citation(before) {
        sources(&file)
    } else if let Some(subject) = choice_subject(before) {
        choices(&file, subject)
    } else if after_number(before) {
        Unit::known_names().chain(["mg/kg", "mcg/kg"]).map(|u| item(u, CompletionItemKind::UNIT, None)).collect()
    } else if before.trim_start().chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        if before.starts_with([' ', '\t']) {
            entry_keywords(&file, line_start)
        } else {
            ITEMS.iter().map(|k| item(k, CompletionItemKind::KEYWORD, None)).collect()
        }
    } else {
        names(&file, path_before(before))
    };
    CompletionResponse::Array(items)
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem { label: label.to_string(), kind: Some(kind), detail, ..CompletionItem::default() }
}

/// Whether the cursor is inside a citation: after a `[` that follows a space and is not
/// closed, with only keys and commas since.
fn in_citation(before: &str) -> bool {
    let Some(open) = before.rfind('[') else { return false };
    let after = before.get(open + 1..).unwrap_or_default();
    let spaced = open == 0 || before.get(..open).is_some_and(|b| b.ends_with([' ', '\t']));
    spaced && after.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',' || c == ' ')
}

/// The path before `in {` or `not in {` when the cursor is inside that set.
fn choice_subject(before: &str) -> Option<&str> {
    let open = before.rfind('{')?;
    let inside = before.get(open + 1..)?;
    if !inside.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',' || c == ' ') {
        return None;
    }
    let head = before.get(..open)?.trim_end().strip_suffix("in")?.trim_end();
    let head = head.strip_suffix(" not").map_or(head, str::trim_end);
    let subject = path_before(head);
    (!subject.is_empty()).then_some(subject)
}

/// Whether the cursor follows a number and a space, perhaps in the middle of a unit.
fn after_number(before: &str) -> bool {
    let head = before.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '%');
    let Some(head) = head.strip_suffix(' ') else { return false };
    let number = head.rsplit([' ', '(', ',', '-', '+', '*', '/', '<', '>', '=']).next().unwrap_or_default();
    !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.starts_with(|c: char| c.is_ascii_digit())
}

/// The path being written just before the cursor: `patient.`, `course.sessions[-1].a`.
fn path_before(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-'))
        .last()
        .map_or(before.len(), |(i, _)| i);
    before.get(start..).unwrap_or_default().trim_start_matches('-')
}

fn sources(file: &RuleFile) -> Vec<CompletionItem> {
    file.items
        .iter()
        .filter_map(|i| match i {
            Item::Source(s) => Some(item(&s.key.node, CompletionItemKind::REFERENCE, Some(s.title.node.clone()))),
            _ => None,
        })
        .collect()
}

fn inputs(file: &RuleFile) -> impl Iterator<Item = &InputDecl> {
    file.items.iter().filter_map(|i| if let Item::Input(input) = i { Some(input) } else { None })
}

/// The choices of the input `subject` names; when it is an item of a list bound to a name
/// (`s.level`), of the list field with that member (`course.sessions[].level`).
fn choices(file: &RuleFile, subject: &str) -> Vec<CompletionItem> {
    let path = declared_path(subject);
    let member = path.split_once('.').map(|(_, rest)| format!("[].{rest}")).unwrap_or_default();
    let input = inputs(file)
        .find(|i| i.path.node == path)
        .or_else(|| inputs(file).find(|i| !member.is_empty() && i.path.node.ends_with(&member)));
    match input.map(|i| (&i.ty.node, &i.path.node)) {
        Some((TypeExpr::Choice(names, _), path)) => names
            .iter()
            .map(|n| item(&n.node, CompletionItemKind::ENUM_MEMBER, Some(format!("a choice of {path}"))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The rule kinds and entry keywords of the decision (or ladder) the line is in.
fn entry_keywords(file: &RuleFile, offset: usize) -> Vec<CompletionItem> {
    let mut enclosing = None;
    for i in &file.items {
        match i {
            Item::Decision(d) if d.span.start <= offset => enclosing = Some(Some(d)),
            Item::Ladder(l) if l.span.start <= offset => enclosing = Some(None),
            _ => {}
        }
    }
    match enclosing {
        Some(Some(decision)) => {
            let mut out: Vec<CompletionItem> = kinds(decision)
                .into_iter()
                .map(|k| item(&k, CompletionItemKind::KEYWORD, Some(format!("a rule kind of {}", decision.name.node))))
                .collect();
            out.extend(DECISION_ENTRIES.iter().map(|k| item(k, CompletionItemKind::KEYWORD, None)));
            out
        }
        Some(None) => LADDER_ENTRIES.iter().map(|k| item(k, CompletionItemKind::KEYWORD, None)).collect(),
        None => Vec::new(),
    }
}

/// The rule kinds a decision declares (`list exclusions of exclude`, `kinds stop`).
fn kinds(d: &DecisionDecl) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &d.entries {
        let names: Vec<&String> = match e {
            Entry::List { kind, .. } if kind.node != "verdict" => vec![&kind.node],
            Entry::Kinds(k) => k.iter().map(|n| &n.node).collect(),
            _ => Vec::new(),
        };
        out.extend(names.into_iter().filter(|n| !out.contains(n)).cloned().collect::<Vec<_>>());
    }
    out
}

/// Names that continue `written`: after `a.b.`, the members of `a.b`; after a decision's
/// name and a dot, its verdict, lists and values; else the first segments of input paths,
/// definitions, ladders and decisions.
fn names(file: &RuleFile, written: &str) -> Vec<CompletionItem> {
    let Some((prefix, _)) = written.rsplit_once('.') else { return first_names(file) };
    let prefix = declared_path(prefix);
    let mut members: BTreeMap<String, Option<String>> = BTreeMap::new();
    for input in inputs(file) {
        let Some(rest) = input.path.node.strip_prefix(&prefix).and_then(|r| r.strip_prefix('.')) else { continue };
        let member = rest.split(['.', '[']).next().unwrap_or(rest);
        let leaf = (member == rest).then(|| input.label.node.clone());
        members.entry(member.to_string()).or_insert(leaf);
    }
    for i in &file.items {
        if let Item::Decision(d) = i {
            if d.name.node == prefix {
                members.insert("verdict".into(), Some("the decision's verdict".into()));
                for e in &d.entries {
                    if let Entry::List { name, .. } | Entry::Value { name, .. } = e {
                        members.insert(name.node.clone(), Some(format!("an output of {prefix}")));
                    }
                }
            }
        }
    }
    members.into_iter().map(|(m, detail)| item(&m, CompletionItemKind::FIELD, detail)).collect()
}

fn first_names(file: &RuleFile) -> Vec<CompletionItem> {
    let mut out: BTreeMap<String, (CompletionItemKind, Option<String>)> = BTreeMap::new();
    for i in &file.items {
        let (name, kind, detail) = match i {
            Item::Input(input) => {
                let first = input.path.node.split(['.', '[']).next().unwrap_or_default();
                let leaf = (first == input.path.node).then(|| input.label.node.clone());
                (first.to_string(), CompletionItemKind::MODULE, leaf)
            }
            Item::Define(d) => (d.name.node.clone(), CompletionItemKind::FUNCTION, Some("define".into())),
            Item::Ladder(l) => (l.name.node.clone(), CompletionItemKind::STRUCT, Some("ladder".into())),
            Item::Schedule(s) => (s.name.node.clone(), CompletionItemKind::EVENT, Some("schedule".into())),
            Item::Decision(d) => (d.name.node.clone(), CompletionItemKind::CLASS, Some("decision".into())),
            Item::Protocol(_) | Item::Source(_) => continue,
        };
        out.entry(name).or_insert((kind, detail));
    }
    out.into_iter().map(|(name, (kind, detail))| item(&name, kind, detail)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_told_apart() {
        assert!(in_citation("  exclude minor \"M\" when a < 18 years [K2, S"));
        assert!(!in_citation("  when course.sessions[-1"));
        assert_eq!(choice_subject("    when patient.mood_episode in {manic, "), Some("patient.mood_episode"));
        assert_eq!(choice_subject("when s.level not in {"), Some("s.level"));
        assert_eq!(choice_subject("when x in 1..2"), None);
        assert!(after_number("when patient.age < 18 "));
        assert!(after_number("  dose intramuscular L3 0.75 mg/"));
        assert!(!after_number("when L3 "));
        assert_eq!(path_before("when patient.ag"), "patient.ag");
        assert_eq!(path_before("(course.sessions[-1]."), "course.sessions[-1].");
    }
}
