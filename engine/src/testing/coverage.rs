//! Coverage of a protocol by its tests: for every rule of every decision, how many cases
//! made it true, false and unknown; every verdict reached; every level of every ladder
//! reached on each of its routes; every alert raised and not raised; every `due` item given
//! (and, when a condition or a list decides whether it is given, not given in another case).
//!
//! An item is covered when the cases exercise it both ways: a rule true in some case and
//! false in another, an alert raised in one and not raised in another; a verdict or a level
//! when some case reaches it. The percentage is covered items / items.

use super::trace::{RuleTruth, Trace};
use crate::protocol::Protocol;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What an item of coverage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A rule of a decision: covered when true in a case and false in another.
    Rule,
    /// A verdict of a decision: covered when reached.
    Verdict,
    /// A level of a ladder on one route: covered when a dose is given at it.
    Level,
    /// An alert of a decision: covered when raised in a case and not raised in another.
    Alert,
    /// A `due` item of a decision: covered when given in a case and, when a condition or a
    /// list decides whether it is given, not given in another where the decision was made.
    Due,
}

impl ItemKind {
    /// Its name, as written in reports (`rule`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Rule => "rule",
            ItemKind::Verdict => "verdict",
            ItemKind::Level => "level",
            ItemKind::Alert => "alert",
            ItemKind::Due => "due",
        }
    }
}

/// One item and how the cases exercised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// The decision it belongs to, or the ladder of a level.
    pub scope: String,
    /// The rule id, verdict, alert id, or `route level` of a ladder level.
    pub name: String,
    /// Cases where it was true (a rule), raised (an alert) or reached (a verdict, a level).
    #[serde(rename = "true")]
    pub times_true: usize,
    /// Cases where it was false (a rule) or not raised (an alert).
    #[serde(rename = "false")]
    pub times_false: usize,
    /// Cases where it could not be decided.
    pub unknown: usize,
    /// Whether it must also be seen false (or not given): a rule, an alert, a `due` item
    /// with a condition or a list.
    #[serde(skip)]
    both_ways: bool,
}

impl Item {
    /// Whether the cases exercise it both ways (a verdict or a level: reached).
    pub fn covered(&self) -> bool {
        self.times_true > 0 && (!self.both_ways || self.times_false > 0)
    }

    /// What no case does with it, for people (`never false`); empty when covered.
    pub fn lacking(&self) -> String {
        let (yes, no) = match self.kind {
            ItemKind::Rule => ("true", "false"),
            ItemKind::Alert => ("raised", "not raised"),
            ItemKind::Due if self.both_ways => ("given", "not given"),
            ItemKind::Due => ("given", ""),
            ItemKind::Verdict | ItemKind::Level => ("reached", ""),
        };
        match (self.times_true, self.times_false, no.is_empty()) {
            (0, _, true) => format!("never {yes}"),
            (0, 0, false) => format!("never {yes} nor {no}"),
            (0, _, false) => format!("never {yes}"),
            (_, 0, false) => format!("never {no}"),
            _ => String::new(),
        }
    }
}

/// Coverage gathered over the cases run against one protocol.
#[derive(Debug, Clone)]
pub struct Coverage {
    items: Vec<Item>,
    index: HashMap<(ItemKind, String, String), usize>,
    cases: usize,
}

impl Coverage {
    /// Every item of `protocol`, none exercised yet.
    pub fn new(protocol: &Protocol) -> Self {
        let program = protocol.program();
        let mut items = Vec::new();
        let mut item = |kind, scope: &str, name: String, both| items.push((kind, scope.to_string(), name, both));
        for d in &program.decisions {
            d.rules.iter().for_each(|r| item(ItemKind::Rule, &d.name, r.id.clone(), true));
            d.tiers.iter().for_each(|t| item(ItemKind::Verdict, &d.name, t.verdict.clone(), false));
            d.alerts.iter().for_each(|a| item(ItemKind::Alert, &d.name, a.id.clone(), true));
            for due in &d.due {
                item(ItemKind::Due, &d.name, due.id.clone(), due.when.is_some() || due.each.is_some());
            }
        }
        for ladder in &program.ladders {
            for (route, steps) in ladder.routes.iter().zip(&ladder.by_route) {
                for (level, step) in ladder.levels.iter().zip(&steps.steps) {
                    if step.is_some() {
                        item(ItemKind::Level, &ladder.name, format!("{route} {level}"), false);
                    }
                }
            }
        }
        let mut coverage = Coverage { items: Vec::new(), index: HashMap::new(), cases: 0 };
        for (kind, scope, name, both_ways) in items {
            coverage.index.insert((kind, scope.clone(), name.clone()), coverage.items.len());
            coverage.items.push(Item { kind, scope, name, times_true: 0, times_false: 0, unknown: 0, both_ways });
        }
        coverage
    }

    fn count(&mut self, kind: ItemKind, scope: &str, name: &str, truth: RuleTruth) {
        let Some(i) = self.index.get(&(kind, scope.to_string(), name.to_string())) else { return };
        if let Some(item) = self.items.get_mut(*i) {
            match truth {
                RuleTruth::True => item.times_true += 1,
                RuleTruth::False => item.times_false += 1,
                RuleTruth::Unknown => item.unknown += 1,
            }
        }
    }

    /// Adds what one case's evaluation made of each item.
    pub fn add(&mut self, trace: &Trace) {
        self.cases += 1;
        for d in &trace.decisions {
            for (id, truth) in &d.rules {
                self.count(ItemKind::Rule, &d.decision, id, *truth);
            }
            if let Some(v) = &d.verdict {
                self.count(ItemKind::Verdict, &d.decision, v, RuleTruth::True);
            }
            for (id, truth) in &d.alerts {
                self.count(ItemKind::Alert, &d.decision, id, *truth);
            }
            for (id, given) in &d.due {
                let truth = if *given { RuleTruth::True } else { RuleTruth::False };
                self.count(ItemKind::Due, &d.decision, id, truth);
            }
            for dose in &d.doses {
                self.count(ItemKind::Level, &dose.ladder, &format!("{} {}", dose.route, dose.level), RuleTruth::True);
            }
        }
    }

    /// The figures so far.
    pub fn report(&self) -> CoverageReport {
        let covered = self.items.iter().filter(|i| i.covered()).count();
        CoverageReport { cases: self.cases, covered, total: self.items.len(), items: self.items.clone() }
    }
}

/// Coverage figures: every item, and how many are covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// Cases evaluated.
    pub cases: usize,
    /// Items covered.
    pub covered: usize,
    /// Items in all.
    pub total: usize,
    /// Every item: rules, verdicts, alerts and due items by decision, then ladder levels.
    pub items: Vec<Item>,
}

impl CoverageReport {
    /// Covered items / items, in percent with one decimal, rounded down (so `100.0` means
    /// every item); `100.0` for a protocol without items.
    pub fn percent(&self) -> String {
        let tenths = (self.covered * 1000).checked_div(self.total).unwrap_or(1000);
        format!("{}.{}", tenths / 10, tenths % 10)
    }

    /// Whether at least `percent` of the items are covered.
    pub fn meets(&self, percent: f64) -> bool {
        #[allow(clippy::cast_precision_loss)]
        let (covered, total) = (self.covered as f64, self.total as f64);
        covered * 100.0 >= percent * total
    }

    /// The items no case exercises both ways.
    pub fn uncovered(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.covered())
    }

    /// The report for people: a table of every item, the items not covered, and the figure.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let width = self.items.iter().map(|i| i.scope.len() + i.name.len() + 1).max().unwrap_or(0).max(4);
        for kind in [ItemKind::Rule, ItemKind::Verdict, ItemKind::Level, ItemKind::Alert, ItemKind::Due] {
            let of_kind: Vec<&Item> = self.items.iter().filter(|i| i.kind == kind).collect();
            if of_kind.is_empty() {
                continue;
            }
            let (heading, columns) = match kind {
                ItemKind::Rule => ("rules", "  true false unknown"),
                ItemKind::Verdict => ("verdicts", "  reached"),
                ItemKind::Level => ("ladder levels", "  reached"),
                ItemKind::Alert => ("alerts", "raised   not unknown"),
                ItemKind::Due => ("due items", " given   not"),
            };
            let covered = of_kind.iter().filter(|i| i.covered()).count();
            let _ = writeln!(out, "{heading}: {covered} of {} covered", of_kind.len());
            let _ = writeln!(out, "  {:width$}  {columns}", "");
            for i in of_kind {
                let name = format!("{}.{}", i.scope, i.name);
                let mark = if i.covered() { ' ' } else { '!' };
                let _ = match kind {
                    ItemKind::Rule | ItemKind::Alert => {
                        writeln!(out, "{mark} {name:width$}  {:6} {:5} {:7}", i.times_true, i.times_false, i.unknown)
                    }
                    ItemKind::Due => writeln!(out, "{mark} {name:width$}  {:6} {:5}", i.times_true, i.times_false),
                    ItemKind::Verdict | ItemKind::Level => writeln!(out, "{mark} {name:width$}  {:9}", i.times_true),
                };
            }
        }
        let uncovered: Vec<&Item> = self.uncovered().collect();
        if !uncovered.is_empty() {
            let _ = writeln!(out, "not exercised both ways:");
            for i in uncovered {
                let _ = writeln!(out, "  {} {}.{}: {}", i.kind.as_str(), i.scope, i.name, i.lacking());
            }
        }
        let _ = writeln!(
            out,
            "coverage: {} of {} items ({} %) over {} case{}",
            self.covered,
            self.total,
            self.percent(),
            self.cases,
            if self.cases == 1 { "" } else { "s" }
        );
        out
    }
}
