//! The impact report of `kap diff`: documents counted, differences grouped by decision and
//! kind, each group with its count, the values before and after, the rules whose result
//! changed and a few example documents; and the documents either protocol refused.

use super::compare::{self, Difference, Key, Kind, Observation, RuleChange};
use kap_engine::decision::tone_rank as rank;
use serde_json::{json, Value};
use std::collections::HashMap;

/// How many example documents a group names.
const EXAMPLES: usize = 3;
/// How many value transitions and rules a group shows as text (the JSON has them all).
const SHOWN: usize = 8;
/// How many refused documents the text lists (the JSON lists them all).
const REFUSED_SHOWN: usize = 20;

/// A document refused by either protocol, with each side's error.
pub struct Refused {
    /// The document.
    pub document: String,
    /// The old protocol's error, if it refused it.
    pub old: Option<String>,
    /// The new protocol's error, if it refused it.
    pub new: Option<String>,
}

/// The documents behind one group of differences.
#[derive(Default)]
struct Group {
    documents: usize,
    /// For a value: how many documents went from one value to another.
    values: HashMap<(String, String), usize>,
    /// How many documents saw each rule's result change, and how.
    rules: HashMap<RuleChange, usize>,
    examples: Vec<String>,
}

/// The differences over every document read so far.
pub struct Report {
    /// The documents read.
    pub documents: usize,
    /// The documents whose outputs differ, or that one protocol refuses and the other not.
    pub changed: usize,
    /// The documents both protocols evaluate alike.
    pub unchanged: usize,
    /// The documents both protocols refuse.
    pub refused_by_both: usize,
    /// Every document refused by either protocol.
    pub refused: Vec<Refused>,
    /// The decisions' names in the protocols' order, to sort the groups.
    order: Vec<String>,
    /// The tone of each verdict, by decision name and verdict (the new protocol's where
    /// both give one), to tell a transition that is less restrictive.
    tones: HashMap<(String, String), String>,
    groups: HashMap<Key, Group>,
}

impl Report {
    /// An empty report; `order` names the decisions in the order the groups are listed,
    /// `tones` the tone of each verdict by decision and verdict.
    pub fn new(order: Vec<String>, tones: HashMap<(String, String), String>) -> Report {
        Report {
            tones,
            documents: 0,
            changed: 0,
            unchanged: 0,
            refused_by_both: 0,
            refused: Vec::new(),
            order,
            groups: HashMap::new(),
        }
    }

    /// Counts one document.
    pub fn add(&mut self, observation: Observation) {
        self.documents += 1;
        let Observation { label, refused, differences, .. } = observation;
        if let Some((old, new)) = refused {
            let both = old.is_some() && new.is_some();
            self.refused.push(Refused { document: label.clone(), old, new });
            if both {
                self.refused_by_both += 1;
                return;
            }
        }
        if differences.is_empty() {
            self.unchanged += 1;
            return;
        }
        self.changed += 1;
        for (Difference { key, values }, changes) in differences {
            let group = self.groups.entry(key).or_default();
            group.documents += 1;
            if let Some(pair) = values {
                *group.values.entry(pair).or_default() += 1;
            }
            for change in changes {
                *group.rules.entry(change).or_default() += 1;
            }
            if group.examples.len() < EXAMPLES {
                group.examples.push(label.clone());
            }
        }
    }

    /// Whether any document changed.
    pub fn has_differences(&self) -> bool {
        self.changed > 0
    }

    /// Whether a group is a verdict's transition to a less restrictive one (by the tones
    /// of the two verdicts): what a medical director reviews first.
    fn less_restrictive(&self, key: &Key) -> bool {
        if key.kind != Kind::Verdict {
            return false;
        }
        let decision = key.decision.rsplit('.').next().unwrap_or_default();
        let tone = |v: &str| self.tones.get(&(decision.to_string(), v.to_string())).and_then(|t| rank(t));
        match key.what.split_once(" -> ") {
            Some((old, new)) => matches!((tone(old), tone(new)), (Some(a), Some(b)) if b > a),
            None => false,
        }
    }

    /// The groups in the order listed: verdicts that became less restrictive first, then
    /// the input, then by decision in the protocols' order, by kind, by field, the largest
    /// first.
    fn sorted(&self) -> Vec<(&Key, &Group)> {
        let rank = |k: &Key| {
            let name = k.decision.rsplit('.').next().unwrap_or_default();
            if k.kind == Kind::Input {
                0
            } else {
                self.order.iter().position(|d| d == name).map_or(usize::MAX, |p| p + 1)
            }
        };
        let mut groups: Vec<(&Key, &Group)> = self.groups.iter().collect();
        groups.sort_by(|(a, ga), (b, gb)| {
            (!self.less_restrictive(a), rank(a), &a.decision, a.kind, &a.field)
                .cmp(&(!self.less_restrictive(b), rank(b), &b.decision, b.kind, &b.field))
                .then(gb.documents.cmp(&ga.documents))
                .then(a.what.cmp(&b.what))
        });
        groups
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        format!(
            "{} document{}: {} changed, {} unchanged, {} refused by both protocols",
            self.documents,
            if self.documents == 1 { "" } else { "s" },
            self.changed,
            self.unchanged,
            self.refused_by_both
        )
    }

    /// The report for people, after the summary line: a paragraph a group, then the
    /// refused documents.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (key, group) in self.sorted() {
            let flag = if self.less_restrictive(key) { " (less restrictive)" } else { "" };
            out.push_str(&format!("\n{}: {}{flag}\n", title(key), count(group.documents)));
            for ((old, new), n) in most(&group.values).into_iter().take(SHOWN) {
                out.push_str(&format!("  {} -> {}: {n}\n", value_text(old), value_text(new)));
            }
            if group.values.len() > SHOWN {
                out.push_str(&format!("  ... and {} other changes\n", group.values.len() - SHOWN));
            }
            if key.kind != Kind::Input && key.kind != Kind::Decision && group.rules.is_empty() {
                out.push_str("  no rule's result changed\n");
            }
            for ((rule, before, after), n) in most(&group.rules).into_iter().take(SHOWN) {
                out.push_str(&format!("  rule {rule}: {before} -> {after}: {n}\n"));
            }
            if group.rules.len() > SHOWN {
                out.push_str(&format!("  ... and {} other rules\n", group.rules.len() - SHOWN));
            }
            out.push_str(&format!("  e.g. {}\n", group.examples.join(", ")));
        }
        if !self.refused.is_empty() {
            out.push_str(&format!("\nRefused documents ({}):\n", self.refused.len()));
            for r in self.refused.iter().take(REFUSED_SHOWN) {
                match (&r.old, &r.new) {
                    (Some(a), Some(b)) if a == b => out.push_str(&format!("  {}: by both: {a}\n", r.document)),
                    (a, b) => {
                        out.push_str(&format!("  {}:\n", r.document));
                        let side = |e: &Option<String>| e.clone().unwrap_or_else(|| "accepted".into());
                        out.push_str(&format!("    old: {}\n    new: {}\n", side(a), side(b)));
                    }
                }
            }
            if self.refused.len() > REFUSED_SHOWN {
                out.push_str(&format!(
                    "  ... and {} more (--format json lists them all)\n",
                    self.refused.len() - REFUSED_SHOWN
                ));
            }
        }
        out
    }

    /// The report as JSON: the counts, the groups and the refused documents.
    pub fn json(&self) -> Value {
        let groups: Vec<Value> = self
            .sorted()
            .into_iter()
            .map(|(key, group)| {
                let values: Vec<Value> = most(&group.values)
                    .into_iter()
                    .map(|((old, new), n)| json!({"old": parsed(old), "new": parsed(new), "documents": n}))
                    .collect();
                let rules: Vec<Value> = most(&group.rules)
                    .into_iter()
                    .map(
                        |((rule, before, after), n)| json!({"rule": rule, "old": before, "new": after, "documents": n}),
                    )
                    .collect();
                let mut g = json!({"decision": key.decision, "field": key.field, "kind": key.kind,
                    "what": key.what, "less_restrictive": self.less_restrictive(key),
                    "documents": group.documents, "rules": rules, "examples": group.examples});
                if let (Some(map), false) = (g.as_object_mut(), values.is_empty()) {
                    map.insert("values".into(), values.into());
                }
                g
            })
            .collect();
        let refused: Vec<Value> =
            self.refused.iter().map(|r| json!({"document": r.document, "old": r.old, "new": r.new})).collect();
        json!({"documents": self.documents, "changed": self.changed, "unchanged": self.unchanged,
            "refused_by_both": self.refused_by_both, "groups": groups, "refused": refused})
    }
}

/// A group's heading: `session.verdict: proceed -> hold`, `session.dose changed`,
/// `session.reasons: added bp_high`.
fn title(key: &Key) -> String {
    let field = format!("{}.{}", key.decision, key.field);
    match key.kind {
        Kind::Input => format!("input: {}", key.what),
        Kind::Decision => format!("{}: {}", key.decision, key.what),
        Kind::Verdict => format!("{field}: {}", key.what),
        Kind::Value => format!("{field} changed"),
        Kind::Added => format!("{field}: added {}", key.what),
        Kind::Removed => format!("{field}: removed {}", key.what),
        Kind::Changed => format!("{field}: {} changed", key.what),
    }
}

fn count(n: usize) -> String {
    format!("{n} document{}", if n == 1 { "" } else { "s" })
}

/// Entries by count, the largest first, then by key.
fn most<K: Ord>(map: &HashMap<K, usize>) -> Vec<(&K, usize)> {
    let mut entries: Vec<(&K, usize)> = map.iter().map(|(k, n)| (k, *n)).collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    entries
}

/// A value kept as compact JSON, for people; `none` when absent.
fn value_text(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(v) => compare::shown(&v),
        Err(_) => "none".into(),
    }
}

/// A value kept as compact JSON, as JSON; `null` when absent.
fn parsed(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}
