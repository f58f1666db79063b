//! `missing` is complete and sound (section 0 of the reference protocol), on generated
//! documents and for every decision that has a verdict:
//!
//! - *complete*: filling every path an `indeterminate` decision lists, with valid values
//!   (those of a session that proceeds, and random ones), leaves it decided;
//! - *sound*: filling one absent input it does not list, with a valid value, never changes
//!   its verdict (for `session`: verdict, level and dose).
//!
//! The documents are the conformance corpus's, with inputs dropped at random, and sessions
//! that would proceed with the inputs the dose ladder reads dropped (previous levels, flags,
//! weight, PHQ-9). Documents made invalid by a fill (a timestamp out of order) are skipped
//! and counted; the tests fail if too many are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::schema::{FieldType, Required, Schema};
use kap_engine::Protocol;
use kap_tests::{cases, reference, root};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Inputs read only as a record (`is known`): section 0 excepts them from soundness.
const RECORD_INPUTS: &[&str] = &[
    "today.hcg",
    "today.hcg_at",
    "today.event_reviewed",
    "observations.physician_cleared",
    "observations.physician_cleared_at",
];

/// The C-SSRS ideation of a reading other than the last: a record input of the discharge's
/// `suicide_screen` ("no reading has a known ideation of 1 or more").
fn earlier_reading_ideation(schema: &Schema, leaf: &Leaf, doc: &Value) -> bool {
    let readings = doc["observations"]["readings"].as_array().map_or(0, Vec::len);
    schema.fields[leaf.field].path == "observations.readings[].cssrs_ideation"
        && leaf.item.is_some_and(|i| i + 1 < readings)
}

/// How many unlisted absent inputs are filled, one at a time, per document and decision.
const SOUND_FILLS: usize = 5;

/// The decisions with a verdict, and where each is in the output.
const DECISIONS: &[&[&str]] = &[&["eligibility"], &["session"], &["monitoring", "discharge"]];

/// The inputs a session's dose ladder reads, dropped from sessions that would proceed.
const LADDER_INPUTS: &[&str] = &[
    "patient.weight",
    "patient.age",
    "today.phq9",
    "screening.phq9",
    "course.route",
    "course.sessions[].level",
    "course.sessions[].max_systolic",
    "course.sessions[].max_diastolic",
    "course.sessions[].bp_high_minutes",
    "course.sessions[].moaas_min",
    "course.sessions[].spo2_low",
    "course.sessions[].distress",
    "course.sessions[].vomiting",
    "course.sessions[].prolonged_perceptual",
    "course.sessions[].crisis_symptoms",
];

struct World {
    protocol: Protocol,
    /// Every corpus document, parsed.
    docs: Vec<Value>,
    /// The indices in `docs` of those whose session proceeds.
    proceeding: Vec<usize>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let protocol = reference();
        let docs: Vec<Value> = cases(&root().join("tests/corpus"))
            .iter()
            .map(|c| serde_json::from_str(&std::fs::read_to_string(&c.input).unwrap()).unwrap())
            .collect();
        let proceeding = docs
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                let out = evaluate(&protocol, d);
                out.is_some_and(|o| o["decisions"]["session"]["verdict"] == "proceed")
            })
            .map(|(i, _)| i)
            .collect();
        World { protocol, docs, proceeding }
    })
}

fn evaluate(protocol: &Protocol, doc: &Value) -> Option<Value> {
    protocol.evaluate_json(&doc.to_string()).ok().map(|o| serde_json::to_value(&o).unwrap())
}

/// A leaf input of a document: a field, and for a list item's field its position.
#[derive(Debug, Clone, PartialEq)]
struct Leaf {
    field: usize,
    item: Option<usize>,
}

impl Leaf {
    /// The path as `missing` writes it (`course.sessions[1].distress`).
    fn path(&self, schema: &Schema) -> String {
        let path = &schema.fields[self.field].path;
        match (self.item, path.rsplit_once("[].")) {
            (Some(i), Some((list, name))) => format!("{list}[{i}].{name}"),
            _ => path.clone(),
        }
    }

    /// The leaf of a path `missing` lists, or `None` for a whole list.
    fn parse(schema: &Schema, path: &str) -> Option<Leaf> {
        if let Some(field) = schema.fields.iter().position(|f| f.path == path && f.list.is_none()) {
            return Some(Leaf { field, item: None });
        }
        let (head, name) = path.rsplit_once('.')?;
        let (list, index) = head.strip_suffix(']')?.rsplit_once('[')?;
        let field = schema.fields.iter().position(|f| f.path == format!("{list}[].{name}"))?;
        Some(Leaf { field, item: Some(index.parse().ok()?) })
    }

    /// The JSON object holding it and its member name, created on the way when `create`.
    fn slot<'a>(
        &self,
        schema: &Schema,
        doc: &'a mut Value,
        create: bool,
    ) -> Option<(&'a mut Map<String, Value>, String)> {
        let path = &schema.fields[self.field].path;
        let (outer, inner) = match path.split_once("[].") {
            Some((list, name)) => (list, Some(name)),
            None => (path.as_str(), None),
        };
        let mut parts: Vec<&str> = outer.split('.').collect();
        let last = if inner.is_none() { parts.pop() } else { None };
        let mut at = doc;
        for p in parts {
            let obj = at.as_object_mut()?;
            if !obj.contains_key(p) {
                if !create {
                    return None;
                }
                obj.insert(p.to_string(), Value::Object(Map::new()));
            }
            at = obj.get_mut(p)?;
        }
        match (inner, self.item) {
            (Some(name), Some(i)) => Some((at.as_array_mut()?.get_mut(i)?.as_object_mut()?, name.to_string())),
            (None, None) => Some((at.as_object_mut()?, last?.to_string())),
            _ => None,
        }
    }

    fn get(&self, schema: &Schema, doc: &Value) -> Option<Value> {
        let mut copy = doc.clone();
        let (obj, name) = self.slot(schema, &mut copy, false)?;
        obj.get(&name).cloned()
    }

    fn set(&self, schema: &Schema, doc: &mut Value, value: Value) {
        if let Some((obj, name)) = self.slot(schema, doc, true) {
            obj.insert(name, value);
        }
    }

    fn remove(&self, schema: &Schema, doc: &mut Value) {
        if let Some((obj, name)) = self.slot(schema, doc, false) {
            obj.remove(&name);
        }
    }
}

/// Every leaf a document can hold: the fields outside lists, and the fields of each item of
/// the lists it has.
fn leaves(schema: &Schema, doc: &Value) -> Vec<Leaf> {
    let mut out = Vec::new();
    for (i, f) in schema.fields.iter().enumerate() {
        match f.path.split_once("[].") {
            None => out.push(Leaf { field: i, item: None }),
            Some((list, _)) => {
                let mut at = doc;
                for p in list.split('.') {
                    at = at.get(p).unwrap_or(&Value::Null);
                }
                for item in 0..at.as_array().map_or(0, Vec::len) {
                    out.push(Leaf { field: i, item: Some(item) });
                }
            }
        }
    }
    out
}

/// A valid value of a leaf, chosen by `seed`: within its declared range, near the ends as
/// often as anywhere. Timestamps take `fallback` (a value of the base document), else `at`.
fn random_value(schema: &Schema, leaf: &Leaf, seed: u64, doc: &Value, fallback: Option<Value>) -> Value {
    let field = &schema.fields[leaf.field];
    match &field.ty {
        FieldType::Boolean => Value::Bool(seed.is_multiple_of(2)),
        FieldType::Choice(choices) => Value::String(choices[(seed as usize) % choices.len()].clone()),
        FieldType::Timestamp => fallback.or_else(|| doc.get("at").cloned()).unwrap_or(Value::Null),
        FieldType::Number { integer, .. } => {
            let (lo, hi) = field
                .range
                .map(|(l, h)| {
                    (l.to_string().parse::<f64>().unwrap_or(0.0), h.to_string().parse::<f64>().unwrap_or(100.0))
                })
                .unwrap_or((0.0, 100.0));
            let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
            let whole = match seed % 4 {
                0 => lo,
                1 => hi,
                _ => lo + ((seed / 4) % ((hi - lo).max(0) as u64 + 1)) as i64,
            };
            if *integer || whole == hi {
                Value::from(whole)
            } else {
                serde_json::from_str(&format!("{whole}.{}", (seed / 13) % 10)).unwrap()
            }
        }
    }
}

/// The part of a decision's output that soundness keeps fixed.
fn fingerprint(out: &Value, at: &[&str]) -> Option<(Value, Value, Value)> {
    let mut d = &out["decisions"];
    for p in at {
        d = d.get(p)?;
    }
    Some((
        d["verdict"].clone(),
        d.get("level").cloned().unwrap_or(Value::Null),
        d.get("dose").cloned().unwrap_or(Value::Null),
    ))
}

fn listed(out: &Value, at: &[&str]) -> Vec<String> {
    let mut d = &out["decisions"];
    for p in at {
        d = &d[p];
    }
    d["missing"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// What was checked, for the closing figures.
#[derive(Debug, Default)]
struct Tally {
    documents: u64,
    indeterminate: u64,
    completed: u64,
    sound_fills: u64,
    skipped_invalid: u64,
}

/// Checks both properties on one document; `Err` names the counterexample.
fn check(doc: &Value, base: &Value, seed: u64, tally: &mut Tally) -> Result<(), String> {
    let w = world();
    let schema = w.protocol.schema();
    let Some(out) = evaluate(&w.protocol, doc) else {
        tally.skipped_invalid += 1;
        return Ok(());
    };
    tally.documents += 1;
    let all = leaves(schema, doc);
    for at in DECISIONS {
        let Some(before) = fingerprint(&out, at) else { continue };
        let missing = listed(&out, at);
        // Complete.
        if before.0 == "indeterminate" {
            tally.indeterminate += 1;
            let parsed: Option<Vec<Leaf>> = missing.iter().map(|p| Leaf::parse(schema, p)).collect();
            let Some(to_fill) = parsed else { continue }; // a whole list is named: nothing to fill
            for variant in 0..3u64 {
                let mut filled = doc.clone();
                for (k, leaf) in to_fill.iter().enumerate() {
                    let from_base = leaf.get(schema, base);
                    let value = match (variant, from_base) {
                        (0, Some(v)) => v,
                        (_, b) => {
                            random_value(schema, leaf, seed.wrapping_add(variant * 7919 + k as u64 * 104_729), doc, b)
                        }
                    };
                    leaf.set(schema, &mut filled, value);
                }
                let Some(after) = evaluate(&w.protocol, &filled) else {
                    tally.skipped_invalid += 1;
                    continue;
                };
                let now = fingerprint(&after, at).map(|f| f.0).unwrap_or(Value::Null);
                if now == "indeterminate" {
                    return Err(format!(
                        "incomplete: {} listed {missing:?}; filled, still indeterminate listing {:?}\ndocument: {doc}\nfilled: {filled}",
                        at.join("."),
                        listed(&after, at)
                    ));
                }
                tally.completed += 1;
            }
        }
        // Sound.
        let absent: Vec<&Leaf> = all
            .iter()
            .filter(|l| l.get(schema, doc).is_none())
            .filter(|l| !missing.contains(&l.path(schema)))
            .filter(|l| !RECORD_INPUTS.contains(&schema.fields[l.field].path.as_str()))
            .filter(|l| !earlier_reading_ideation(schema, l, doc))
            // A timestamp with no value to take from the base document would be a guess that
            // mostly breaks the order of the document's times.
            .filter(|l| schema.fields[l.field].ty != FieldType::Timestamp || l.get(schema, base).is_some())
            .collect();
        // Up to SOUND_FILLS absent inputs per document and decision, chosen by the seed.
        let step = absent.len() / SOUND_FILLS + 1;
        let offset = (seed as usize) % step;
        for (k, leaf) in absent.iter().enumerate().skip(offset).step_by(step) {
            let value =
                random_value(schema, leaf, seed.wrapping_mul(31).wrapping_add(k as u64), doc, leaf.get(schema, base));
            let mut filled = doc.clone();
            leaf.set(schema, &mut filled, value);
            let Some(after) = evaluate(&w.protocol, &filled) else {
                tally.skipped_invalid += 1;
                continue;
            };
            tally.sound_fills += 1;
            let now = fingerprint(&after, at);
            if now.as_ref() != Some(&before) {
                return Err(format!(
                    "unsound: {} changed from {before:?} to {now:?} when {} (not listed in {missing:?}) was filled\ndocument: {doc}",
                    at.join("."),
                    leaf.path(schema)
                ));
            }
        }
    }
    Ok(())
}

/// Runs `cases` generated documents through `check`, reporting the tally.
fn run(name: &str, cases: u32, strategy: impl Strategy<Value = (Value, Value, u64)>) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&strategy, |(doc, base, seed)| {
        check(&doc, &base, seed, &mut tally.borrow_mut()).map_err(TestCaseError::fail)
    });
    let tally = tally.into_inner();
    println!("{name}: {tally:?}");
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    assert!(tally.documents >= u64::from(cases) * 9 / 10, "{name}: too many invalid documents: {tally:?}");
    assert!(tally.indeterminate > 0 && tally.completed > 0 && tally.sound_fills > 0, "{name}: {tally:?}");
}

/// A corpus document with each of its leaves dropped with probability `1/drop`.
fn dropped(
    from: Vec<usize>,
    drop: u64,
    only: Option<&'static [&'static str]>,
) -> impl Strategy<Value = (Value, Value, u64)> {
    (prop::sample::select(from), any::<u64>(), 2..=drop).prop_map(move |(i, seed, drop)| {
        let w = world();
        let schema = w.protocol.schema();
        let base = w.docs[i].clone();
        let mut doc = base.clone();
        let mut s = seed;
        for leaf in leaves(schema, &base) {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let path = &schema.fields[leaf.field].path;
            // Structure is required (section 0): dropping it only makes the document invalid.
            let required = schema.fields[leaf.field].required != Required::No;
            if required || only.is_some_and(|o| !o.contains(&path.as_str())) {
                continue;
            }
            if (s >> 33) % drop == 0 {
                leaf.remove(schema, &mut doc);
            }
        }
        (doc, base, seed)
    })
}

#[test]
fn missing_is_complete_and_sound_on_corpus_documents_with_inputs_dropped() {
    let n = world().docs.len();
    run("any input dropped", 6_000, dropped((0..n).collect(), 12, None));
}

#[test]
fn missing_is_complete_and_sound_when_the_ladders_inputs_are_dropped() {
    let proceeding = world().proceeding.clone();
    assert!(proceeding.len() >= 20, "the corpus has sessions that proceed");
    run("ladder inputs dropped", 4_000, dropped(proceeding, 4, Some(LADDER_INPUTS)));
}

#[test]
fn the_reproduction_needs_one_round() {
    // Section 0: a later session whose previous session vomited, with neither its distress
    // nor its level: both are named at once, and the weight once the level is open.
    let w = world();
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/examples/04-session3-im-escalate.json")).unwrap(),
    )
    .unwrap();
    let last = doc["course"]["sessions"].as_array_mut().unwrap().last_mut().unwrap().as_object_mut().unwrap();
    last.insert("vomiting".into(), Value::Bool(true));
    last.remove("distress");
    last.remove("level");
    let out = evaluate(&w.protocol, &doc).unwrap();
    assert_eq!(out["decisions"]["session"]["verdict"], "indeterminate");
    assert_eq!(listed(&out, &["session"]), ["course.sessions[1].distress", "course.sessions[1].level"]);
    doc["patient"].as_object_mut().unwrap().remove("weight");
    let out = evaluate(&w.protocol, &doc).unwrap();
    assert_eq!(
        listed(&out, &["session"]),
        ["course.sessions[1].distress", "course.sessions[1].level", "patient.weight"]
    );
    doc["course"]["sessions"][1]["distress"] = Value::Bool(false);
    doc["course"]["sessions"][1]["level"] = Value::from("L2");
    doc["patient"]["weight"] = Value::from(70);
    let out = evaluate(&w.protocol, &doc).unwrap();
    assert_eq!(out["decisions"]["session"]["verdict"], "proceed");
    assert_eq!(out["decisions"]["session"]["level"], "L2", "vomiting holds the level");
}
