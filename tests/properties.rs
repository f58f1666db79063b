//! Properties that must hold for every rule file and every document, checked on generated
//! ones: nothing panics, missing data never makes a patient eligible, and the same input
//! always gives the same output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::eval::program::{FieldType, Program};
use kap_engine::{Error, Protocol};
use kap_tests::{reference, reference_source};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// How many intake fields the shipped protocol declares.
const INTAKE_FIELDS: usize = 35;

fn protocol() -> &'static Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    P.get_or_init(reference)
}

/// The fields the eligibility decision can read: every field outside lists under `patient`
/// and `screening`.
fn intake_fields(program: &Program) -> Vec<usize> {
    program
        .schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.list.is_none() && (f.path.starts_with("patient.") || f.path.starts_with("screening.")))
        .map(|(i, _)| i)
        .collect()
}

/// A value of field `index` chosen by `seed`, inside its declared range: near the ends and
/// the rules' thresholds as often as anywhere else.
fn value_for(program: &Program, index: usize, seed: u64) -> Value {
    let field = &program.schema.fields[index];
    match &field.ty {
        FieldType::Boolean => Value::Bool(seed.is_multiple_of(2)),
        FieldType::Choice(choices) => Value::String(choices[(seed as usize) % choices.len()].clone()),
        FieldType::Timestamp => Value::String("2026-11-22T09:00:00Z".into()),
        FieldType::Number { integer, .. } => {
            let (lo, hi) = field
                .range
                .map(|(l, h)| (l.to_string().parse::<i64>().unwrap_or(0), h.to_string().parse::<i64>().unwrap_or(100)))
                .unwrap_or((0, 100));
            let span = (hi - lo).max(0) as u64;
            let whole = lo + (seed % (span + 1)) as i64;
            if *integer || whole == hi {
                Value::from(whole)
            } else {
                let tenths = (seed / 7) % 10;
                serde_json::from_str(&format!("{whole}.{tenths}")).unwrap()
            }
        }
    }
}

/// A document with the chosen intake fields present.
fn document(program: &Program, chosen: &[(usize, u64)]) -> Value {
    let mut root = Map::new();
    root.insert("at".into(), Value::String("2026-11-22T09:00:00Z".into()));
    for &(index, seed) in chosen {
        let path = &program.schema.fields[index].path;
        let (group, name) = path.split_once('.').unwrap();
        let entry = root.entry(group.to_string()).or_insert_with(|| Value::Object(Map::new()));
        entry.as_object_mut().unwrap().insert(name.to_string(), value_for(program, index, seed));
    }
    Value::Object(root)
}

fn verdict(doc: &Value) -> String {
    let out = protocol().evaluate_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e} for {doc}"));
    out.decisions.get("eligibility").map(|d| d.verdict.clone()).unwrap_or_default()
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?"
            .prop_map(|s| serde_json::from_str(&s).unwrap_or(Value::Null)),
        "[a-z_A-Z0-9:.\\- ]{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("patient".to_string()),
                        Just("screening".to_string()),
                        Just("age".to_string()),
                        Just("course".to_string()),
                        Just("sessions".to_string()),
                        Just("at".to_string()),
                        "[a-z_]{1,12}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_checker_never_panics_on_any_text(text in "\\PC{0,400}") {
        let _ = Protocol::check(&text);
    }

    #[test]
    fn the_checker_never_panics_on_damaged_rule_files(cut in 0usize..30_000, len in 0usize..200, insert in "[ \\n(){}\\[\\]a-z0-9.<>=#\"-]{0,20}") {
        let source = reference_source();
        let mut at = cut.min(source.len());
        while !source.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(source.len());
        while !source.is_char_boundary(end) { end -= 1; }
        let damaged = format!("{}{}{}", &source[..at], insert, &source[end..]);
        let diagnostics = Protocol::check(&damaged);
        // Every diagnostic points inside the file.
        for d in &diagnostics {
            prop_assert!(d.span.start <= damaged.len() && d.span.end <= damaged.len(), "{d:?}");
            prop_assert!(d.hint.as_deref().is_some_and(|h| !h.is_empty()), "every diagnostic has a hint: {d:?}");
        }
    }

    #[test]
    fn evaluation_never_panics_on_any_json(doc in any_json()) {
        let _ = protocol().evaluate_json(&doc.to_string());
    }

    #[test]
    fn evaluation_never_panics_when_a_member_holds_anything(seeds in prop::collection::vec(any::<u64>(), INTAKE_FIELDS), which in any::<prop::sample::Index>(), junk in any_json()) {
        let program = protocol().program();
        let fields = intake_fields(program);
        let chosen: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).collect();
        let mut doc = document(program, &chosen);
        let (index, _) = chosen[which.index(chosen.len())];
        let (group, name) = program.schema.fields[index].path.split_once('.').unwrap();
        doc[group][name] = junk;
        match protocol().evaluate_json(&doc.to_string()) {
            Ok(out) => prop_assert!(out.decisions.contains_key("eligibility")),
            Err(Error::Input(e)) => prop_assert!(!e.path.is_empty() && !e.expected.is_empty(), "{e:?}"),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn removing_inputs_never_makes_a_patient_eligible(
        seeds in prop::collection::vec(any::<u64>(), INTAKE_FIELDS),
        keep in prop::collection::vec(any::<bool>(), INTAKE_FIELDS),
    ) {
        let program = protocol().program();
        let fields = intake_fields(program);
        let full: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).collect();
        let before = verdict(&document(program, &full));
        let partial: Vec<(usize, u64)> = full.iter().zip(&keep).filter(|(_, k)| **k).map(|(f, _)| *f).collect();
        let after = verdict(&document(program, &partial));
        if before == "ineligible" || before == "indeterminate" {
            prop_assert!(after == "ineligible" || after == "indeterminate", "{before} became {after}");
        }
        if before == "eligible_with_cautions" {
            prop_assert!(after != "eligible", "{before} became {after}");
        }
    }

    #[test]
    fn evaluation_is_deterministic(seeds in prop::collection::vec(any::<u64>(), INTAKE_FIELDS), keep in prop::collection::vec(any::<bool>(), INTAKE_FIELDS)) {
        let program = protocol().program();
        let fields = intake_fields(program);
        let chosen: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).zip(&keep).filter(|(_, k)| **k).map(|(f, _)| f).collect();
        let text = document(program, &chosen).to_string();
        let once = serde_json::to_string(&protocol().evaluate_json(&text).unwrap()).unwrap();
        let again = serde_json::to_string(&protocol().evaluate_json(&text).unwrap()).unwrap();
        let recompiled = serde_json::to_string(&reference().evaluate_json(&text).unwrap()).unwrap();
        prop_assert_eq!(&once, &again);
        prop_assert_eq!(&once, &recompiled);
    }
}

#[test]
fn the_generator_covers_every_intake_field() {
    // INTAKE_FIELDS seeds above: one per intake field of the shipped protocol.
    assert_eq!(intake_fields(protocol().program()).len(), INTAKE_FIELDS);
}
