//! Expectations compared with an evaluation's output: only the fields named are compared,
//! numbers as exact decimals, a list of names in any order, an object by the members the
//! expectation names.

use super::ast::{Check, Expect, TestValue};
use super::document::{position, steps, Step};
use crate::input::json::Json;
use serde_json::Value;

/// An expectation that did not hold: what was expected and what came out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    /// The expectation as written (`eligibility.verdict = ineligible`).
    pub expected: String,
    /// What the output has there (`eligible`, or `absent`).
    pub actual: String,
}

/// Checks one expectation against the `decisions` of an output: `None` when it holds.
pub(crate) fn check(expect: &Expect, decisions: &Value) -> Option<Mismatch> {
    let actual = find(decisions, &expect.path);
    let holds = match (&expect.check, actual) {
        (Check::Absent, found) => found.is_none(),
        (_, None) => false,
        (Check::Equals(v), Some(a)) => equals(v, a),
        (Check::Contains(v, at), Some(Value::Array(items))) => items.iter().any(|i| item_is(v, at.as_deref(), i)),
        (Check::Lacks(v), Some(Value::Array(items))) => !items.iter().any(|i| item_is(v, None, i)),
        (Check::Contains(..) | Check::Lacks(_), Some(_)) => false,
    };
    (!holds).then(|| Mismatch {
        expected: format!("{} {}", expect.path, written(&expect.check)),
        actual: actual.map_or_else(|| "absent".to_string(), show),
    })
}

/// The output field at `path`: a decision, then its fields and list indices.
fn find<'a>(decisions: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = decisions;
    for step in steps(path)? {
        node = match (step, node) {
            (Step::Member(name), Value::Object(map)) => map.get(&name)?,
            (Step::Index(i), Value::Array(items)) => items.get(position(i, items.len())?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Whether a list item is the one named: equal to the value, or an item whose `id` is it
/// (and, with `at`, whose `at` is that time).
fn item_is(value: &TestValue, at: Option<&str>, item: &Value) -> bool {
    let by_id = match (value, item.get("id")) {
        (TestValue::Json(j), Some(id)) => json_equals(j, id),
        _ => false,
    };
    let time_ok = match (at, item.get("at").and_then(Value::as_str)) {
        (None, _) => true,
        (Some(t), Some(actual)) => same_time(t, actual),
        (Some(_), None) => false,
    };
    (by_id || equals(value, item)) && time_ok
}

/// `08:20` matches the time of day (UTC) of `2026-11-20T08:20:00Z`; a whole timestamp must
/// be equal.
fn same_time(expected: &str, actual: &str) -> bool {
    if expected.contains('T') {
        return expected == actual;
    }
    let clock = actual.split_once('T').map_or("", |(_, t)| t.trim_end_matches('Z'));
    clock == expected || clock.strip_prefix(expected).is_some_and(|rest| rest == ":00")
}

fn equals(expected: &TestValue, actual: &Value) -> bool {
    match expected {
        TestValue::Json(j) => json_equals(j, actual),
        // An amount: a quantity's value and unit, or a numeric level (`"84 mg"`).
        TestValue::Quantity(n, unit) => match actual {
            Value::String(level) => *level == crate::syntax::parser::level_name(n, unit),
            _ => {
                actual.get("unit").and_then(Value::as_str) == Some(unit.as_str())
                    && actual.get("value").is_some_and(|v| json_equals(&Json::Number(n.clone()), v))
            }
        },
    }
}

/// Exact decimals for numbers; lists of texts in any order; objects by the members named.
fn json_equals(expected: &Json, actual: &Value) -> bool {
    match (expected, actual) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(a), Value::Number(b)) => {
            matches!((crate::input::number(a), crate::input::number(&b.to_string())), (Ok(x), Ok(y)) if x == y)
        }
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let names = |items: &[Json]| items.iter().all(|i| matches!(i, Json::String(_)));
            if names(a) && b.iter().all(Value::is_string) {
                let mut x: Vec<&str> =
                    a.iter().filter_map(|i| if let Json::String(s) = i { Some(s.as_str()) } else { None }).collect();
                let mut y: Vec<&str> = b.iter().filter_map(Value::as_str).collect();
                x.sort_unstable();
                y.sort_unstable();
                x == y
            } else {
                a.iter().zip(b).all(|(x, y)| json_equals(x, y))
            }
        }
        (Json::Object(members), Value::Object(map)) => {
            members.iter().all(|(k, v)| map.get(k).is_some_and(|a| json_equals(v, a)))
        }
        _ => false,
    }
}

/// The check as it is written in a test file.
fn written(check: &Check) -> String {
    let value = |v: &TestValue| match v {
        TestValue::Json(j) => show_json(j),
        TestValue::Quantity(n, u) => format!("{n} {u}"),
    };
    match check {
        Check::Equals(v) => format!("= {}", value(v)),
        Check::Contains(v, None) => format!("contains {}", value(v)),
        Check::Contains(v, Some(at)) => format!("contains {} at {at}", value(v)),
        Check::Lacks(v) => format!("lacks {}", value(v)),
        Check::Absent => "absent".into(),
    }
}

/// A test file's value for people: a text without quotes, a list in brackets.
fn show_json(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        Json::Array(items) => format!("[{}]", items.iter().map(show_json).collect::<Vec<_>>().join(", ")),
        other => other.to_text(),
    }
}

/// An output value for people, as a test file would write it: `eligible`, `[minor, mania]`,
/// `40 mg`, or compact JSON for a record.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => match (map.get("value"), map.get("unit").and_then(Value::as_str)) {
            (Some(v), Some(u)) if map.len() == 2 => format!("{v} {u}"),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}
