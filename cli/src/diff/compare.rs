//! What differs between two protocols' outputs for one document: verdicts, values, the
//! members of lists and the items (alerts, calls due) of item lists, each difference keyed
//! by the group of the report it belongs to; and which rules' results changed.
//!
//! The comparison reads only the output contract (the decisions' JSON), so it knows no
//! protocol: a list of names is compared as a set, a list of items with an `id` item by
//! item, anything else as a whole value.

use kap_engine::testing::{RuleTruth, Trace};
use kap_engine::Evaluation;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What one protocol made of a document: its output and trace, or why it refused it.
pub enum Outcome {
    /// The document was evaluated.
    Made(Box<(Evaluation, Trace)>),
    /// The document was refused (an input error) or its evaluation failed.
    Refused(String),
}

/// The kind of a difference, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One protocol accepts the document, the other refuses it.
    Input,
    /// One protocol makes the decision, the other does not.
    Decision,
    /// The verdict changed.
    Verdict,
    /// A value changed (a level, a dose, a schedule), or is given by one side only.
    Value,
    /// A member or an item is in the new output only.
    Added,
    /// A member or an item is in the old output only.
    Removed,
    /// An item is in both outputs with other members (an alert raised at another time).
    Changed,
}

/// What a difference is about: the key of a group of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The decision's path in the output (`session`, `monitoring.discharge`); empty for
    /// [`Kind::Input`].
    pub decision: String,
    /// The output field (`verdict`, `dose`, `reasons`, `alerts`).
    pub field: String,
    /// The kind.
    pub kind: Kind,
    /// `old -> new` for a verdict, a decision or the input; the member or item id for a
    /// list; empty for a value.
    pub what: String,
}

/// One difference of one document.
pub struct Difference {
    /// Its group.
    pub key: Key,
    /// For a value: the old and the new value as compact JSON, empty when absent.
    pub values: Option<(String, String)>,
}

/// What one document showed, worked out on any thread and counted in the documents' order.
#[derive(Default)]
pub struct Observation {
    /// The document.
    pub label: String,
    /// Each protocol's error, when either refused the document.
    pub refused: Option<(Option<String>, Option<String>)>,
    /// Whether the document could not be read at all.
    pub unreadable: bool,
    /// Each difference, with the rules of its decision whose result changed.
    pub differences: Vec<(Difference, Vec<RuleChange>)>,
}

impl Observation {
    /// A document that neither protocol could read or parse, for the same reason.
    pub fn refused_by_both(label: String, error: String, unreadable: bool) -> Observation {
        Observation { label, refused: Some((Some(error.clone()), Some(error))), unreadable, differences: Vec::new() }
    }

    /// What the two outcomes of a document show.
    pub fn of(label: String, old: &Outcome, new: &Outcome) -> Observation {
        let error = |o: &Outcome| match o {
            Outcome::Refused(e) => Some(e.clone()),
            Outcome::Made(_) => None,
        };
        let refused = Some((error(old), error(new))).filter(|(a, b)| a.is_some() || b.is_some());
        let traces = match (old, new) {
            (Outcome::Made(a), Outcome::Made(b)) => Some((&a.1, &b.1)),
            _ => None,
        };
        let mut rules: HashMap<String, Vec<RuleChange>> = HashMap::new();
        let mut differences = Vec::new();
        for difference in self::differences(old, new) {
            let changes = match traces {
                Some((a, b)) if difference.key.kind != Kind::Decision => rules
                    .entry(difference.key.decision.clone())
                    .or_insert_with(|| rule_changes(a, b, &difference.key.decision))
                    .clone(),
                _ => Vec::new(),
            };
            differences.push((difference, changes));
        }
        Observation { label, refused, unreadable: false, differences }
    }
}

fn key(decision: &str, field: &str, kind: Kind, what: String) -> Key {
    Key { decision: decision.to_string(), field: field.to_string(), kind, what }
}

/// Every difference between the two outcomes of a document; none when both refused it.
pub fn differences(old: &Outcome, new: &Outcome) -> Vec<Difference> {
    let input = |what: &str| vec![Difference { key: key("", "input", Kind::Input, what.into()), values: None }];
    match (old, new) {
        (Outcome::Made(_), Outcome::Refused(_)) => input("accepted -> refused"),
        (Outcome::Refused(_), Outcome::Made(_)) => input("refused -> accepted"),
        (Outcome::Refused(_), Outcome::Refused(_)) => Vec::new(),
        (Outcome::Made(old), Outcome::Made(new)) if old.0.decisions == new.0.decisions => Vec::new(),
        (Outcome::Made(old), Outcome::Made(new)) => compare(&flatten(&old.0), &flatten(&new.0)),
    }
}

/// Each decision of an output as its JSON object, by path; a decision within another (an
/// object member with a verdict) is an entry of its own, `parent.name`.
fn flatten(out: &Evaluation) -> Vec<(String, Map<String, Value>)> {
    let mut flat = Vec::new();
    let mut stack: Vec<(String, Value)> = out
        .decisions
        .iter()
        .rev()
        .map(|(name, d)| (name.clone(), serde_json::to_value(d).unwrap_or_default()))
        .collect();
    while let Some((path, value)) = stack.pop() {
        let Value::Object(map) = value else { continue };
        let nested: Vec<(String, Value)> =
            map.iter().filter(|(_, v)| is_decision(v)).map(|(k, v)| (format!("{path}.{k}"), v.clone())).rev().collect();
        flat.push((path, map));
        stack.extend(nested);
    }
    flat
}

fn is_decision(value: &Value) -> bool {
    value.as_object().is_some_and(|m| m.contains_key("verdict"))
}

fn compare(old: &[(String, Map<String, Value>)], new: &[(String, Map<String, Value>)]) -> Vec<Difference> {
    let mut out = Vec::new();
    let find = |side: &[(String, Map<String, Value>)], path: &str| {
        side.iter().find(|(p, _)| p == path).map(|(_, m)| m.clone()).unwrap_or_default()
    };
    for (path, old_map) in old {
        if new.iter().any(|(p, _)| p == path) {
            compare_decision(path, old_map, &find(new, path), &mut out);
        } else {
            out.push(Difference { key: key(path, "", Kind::Decision, "made -> not made".into()), values: None });
        }
    }
    for (path, _) in new.iter().filter(|(p, _)| !old.iter().any(|(o, _)| o == p)) {
        out.push(Difference { key: key(path, "", Kind::Decision, "not made -> made".into()), values: None });
    }
    out
}

fn compare_decision(path: &str, old: &Map<String, Value>, new: &Map<String, Value>, out: &mut Vec<Difference>) {
    let names = old.keys().chain(new.keys().filter(|k| !old.contains_key(*k)));
    for name in names {
        let (a, b) = (old.get(name), new.get(name));
        if a == b || a.is_some_and(is_decision) || b.is_some_and(is_decision) {
            continue;
        }
        if name == "verdict" {
            let what = format!("{} -> {}", a.map_or("none".into(), shown), b.map_or("none".into(), shown));
            out.push(Difference { key: key(path, name, Kind::Verdict, what), values: None });
        } else if let (Some(Value::Array(a)), Some(Value::Array(b))) = (a, b) {
            compare_lists(path, name, a, b, out);
        } else {
            let text = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
            out.push(Difference { key: key(path, name, Kind::Value, String::new()), values: Some((text(a), text(b))) });
        }
    }
}

/// A value for people: text without quotes, a quantity as `40 mg`, a list in brackets.
pub fn shown(value: &Value) -> String {
    match value {
        Value::Array(_) => format!("[{}]", crate::summary::show(value)),
        other => crate::summary::show(other),
    }
}

fn item_id(value: &Value) -> Option<&str> {
    value.as_object().and_then(|m| m.get("id")).and_then(Value::as_str)
}

/// A list of names as a set; a list of items with ids item by item (an id both removed and
/// added is an item changed); any other list as a value.
fn compare_lists(path: &str, name: &str, old: &[Value], new: &[Value], out: &mut Vec<Difference>) {
    let mut push = |kind: Kind, what: &str| {
        let k = key(path, name, kind, what.to_string());
        if !out.iter().any(|d| d.key == k) {
            out.push(Difference { key: k, values: None });
        }
    };
    let both = || old.iter().chain(new);
    if both().all(Value::is_string) {
        let has = |side: &[Value], v: &Value| side.contains(v);
        for v in old.iter().filter(|v| !has(new, v)) {
            push(Kind::Removed, &shown(v));
        }
        for v in new.iter().filter(|v| !has(old, v)) {
            push(Kind::Added, &shown(v));
        }
    } else if both().all(|v| item_id(v).is_some()) {
        let (removed, added) = unmatched(old, new);
        for id in &removed {
            push(if added.contains(id) { Kind::Changed } else { Kind::Removed }, id);
        }
        for id in added.iter().filter(|id| !removed.contains(id)) {
            push(Kind::Added, id);
        }
    } else {
        let values = Some((Value::from(old.to_vec()).to_string(), Value::from(new.to_vec()).to_string()));
        out.push(Difference { key: key(path, name, Kind::Value, String::new()), values });
    }
}

/// The ids of the old items with no equal new item, and of the new items with no equal old
/// item, counting repeated items.
fn unmatched<'a>(old: &'a [Value], new: &'a [Value]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut left: Vec<Option<&Value>> = new.iter().map(Some).collect();
    let mut removed = Vec::new();
    for item in old {
        match left.iter_mut().find(|n| n.is_some_and(|n| n == item)) {
            Some(slot) => *slot = None,
            None => removed.extend(item_id(item)),
        }
    }
    let added = left.into_iter().flatten().filter_map(item_id).collect();
    (removed, added)
}

/// A rule (or an alert) of a decision whose result changed: its id and its truth before and
/// after (`absent` where the protocol has no such rule or did not make the decision).
pub type RuleChange = (String, &'static str, &'static str);

fn truth(t: Option<RuleTruth>) -> &'static str {
    match t {
        Some(RuleTruth::True) => "true",
        Some(RuleTruth::False) => "false",
        Some(RuleTruth::Unknown) => "unknown",
        None => "absent",
    }
}

/// The rules and alerts of the decision at `path` whose result differs between the traces.
/// A rule that is false on one side and absent on the other (removed, or added and not
/// raised) changes nothing for the document and is left out.
pub fn rule_changes(old: &Trace, new: &Trace, path: &str) -> Vec<RuleChange> {
    let name = path.rsplit('.').next().unwrap_or(path);
    let results = |trace: &Trace| -> Vec<(String, RuleTruth)> {
        let decision = trace.decisions.iter().find(|d| d.decision == name);
        decision.map(|d| d.rules.iter().chain(&d.alerts).cloned().collect()).unwrap_or_default()
    };
    let (before, after) = (results(old), results(new));
    let after_map: HashMap<&str, RuleTruth> = after.iter().map(|(id, t)| (id.as_str(), *t)).collect();
    let mut changes = Vec::new();
    let mut push = |id: &str, a: Option<RuleTruth>, b: Option<RuleTruth>| {
        let silent = |t: Option<RuleTruth>| t.is_none() || t == Some(RuleTruth::False);
        if a != b && !(silent(a) && silent(b)) {
            changes.push((id.to_string(), truth(a), truth(b)));
        }
    };
    for (id, t) in &before {
        push(id, Some(*t), after_map.get(id.as_str()).copied());
    }
    for (id, t) in after.iter().filter(|(id, _)| !before.iter().any(|(b, _)| b == id)) {
        push(id, None, Some(*t));
    }
    changes
}
