//! Properties that must hold for every rule file and every document, checked on generated
//! ones: nothing panics, missing data never makes a patient eligible, and the same input
//! always gives the same output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::describe::Limit;
use kap_engine::schema::{FieldType, Schema};
use kap_engine::{Error, Protocol};
use kap_tests::{reference, reference_source};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// How many intake fields the shipped protocol declares.
const INTAKE_FIELDS: usize = 41;

fn protocol() -> &'static Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    P.get_or_init(reference)
}

/// The fields the eligibility decision can read: every field outside lists under `patient`
/// and `screening`.
fn intake_fields(schema: &Schema) -> Vec<usize> {
    schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.list.is_none() && (f.path.starts_with("patient.") || f.path.starts_with("screening.")))
        .map(|(i, _)| i)
        .collect()
}

/// A value of field `index` chosen by `seed`, inside its declared range: near the ends and
/// the rules' thresholds as often as anywhere else.
fn value_for(schema: &Schema, index: usize, seed: u64) -> Value {
    let field = &schema.fields[index];
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
fn document(schema: &Schema, chosen: &[(usize, u64)]) -> Value {
    let mut root = Map::new();
    root.insert("at".into(), Value::String("2026-11-22T09:00:00Z".into()));
    for &(index, seed) in chosen {
        let path = &schema.fields[index].path;
        let (group, name) = path.split_once('.').unwrap();
        let entry = root.entry(group.to_string()).or_insert_with(|| Value::Object(Map::new()));
        entry.as_object_mut().unwrap().insert(name.to_string(), value_for(schema, index, seed));
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
        let schema = protocol().schema();
        let fields = intake_fields(schema);
        let chosen: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).collect();
        let mut doc = document(schema, &chosen);
        let (index, _) = chosen[which.index(chosen.len())];
        let (group, name) = schema.fields[index].path.split_once('.').unwrap();
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
        let schema = protocol().schema();
        let fields = intake_fields(schema);
        let full: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).collect();
        let before = verdict(&document(schema, &full));
        let partial: Vec<(usize, u64)> = full.iter().zip(&keep).filter(|(_, k)| **k).map(|(f, _)| *f).collect();
        let after = verdict(&document(schema, &partial));
        if before == "ineligible" || before == "indeterminate" {
            prop_assert!(after == "ineligible" || after == "indeterminate", "{before} became {after}");
        }
        if before == "eligible_with_cautions" {
            prop_assert!(after != "eligible", "{before} became {after}");
        }
    }

    #[test]
    fn evaluation_is_deterministic(seeds in prop::collection::vec(any::<u64>(), INTAKE_FIELDS), keep in prop::collection::vec(any::<bool>(), INTAKE_FIELDS)) {
        let schema = protocol().schema();
        let fields = intake_fields(schema);
        let chosen: Vec<(usize, u64)> = fields.iter().copied().zip(seeds).zip(&keep).filter(|(_, k)| **k).map(|(f, _)| f).collect();
        let text = document(schema, &chosen).to_string();
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
    assert_eq!(intake_fields(protocol().schema()).len(), INTAKE_FIELDS);
}

/// A given session: level index, highest systolic and diastolic, minutes at or above
/// 180/110, lowest MOAA/S, and spo2_low (then its lowest SpO2 is 88 %, a breathing event),
/// vomiting, distress, prolonged_perceptual and airway_intervention.
type Given = (u8, u32, u32, u32, u8, [bool; 5]);

/// Route, weight, age, sessions given, PHQ-9 today.
type CourseCase = (String, String, u32, Vec<Given>, u32);

/// A course of `n` sessions given every three days up to three days before `at`, with the
/// drawn levels and flags, and a patient who is eligible and fit today.
fn course_doc(route: &str, weight: &str, age: u32, sessions: &[Given], phq9_today: u32) -> Value {
    let n = sessions.len();
    let items: Vec<Value> = sessions
        .iter()
        .enumerate()
        .map(|(i, (level, sys, dia, minutes, moaas, flags))| {
            let day = 23 - 3 * (n - i) as u32;
            serde_json::json!({
                "at": format!("2026-11-{day:02}T10:00:00Z"),
                "level": format!("L{level}"),
                "max_systolic": sys, "max_diastolic": dia, "bp_high_minutes": minutes, "moaas_min": moaas,
                "crisis_symptoms": false, "spo2_low": flags[0], "vomiting": flags[1], "distress": flags[2],
                "prolonged_perceptual": flags[3], "spo2_min": if flags[0] { 88 } else { 96 },
                "airway_intervention": flags[4],
            })
        })
        .collect();
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(kap_tests::root().join("tests/corpus/examples/04-session3-im-escalate.json")).unwrap(),
    )
    .unwrap();
    doc["at"] = Value::from("2026-11-23T10:00:00Z");
    doc["patient"]["weight"] = serde_json::from_str(weight).unwrap();
    doc["patient"]["age"] = Value::from(age);
    doc["course"]["route"] = Value::from(route);
    doc["course"]["sessions"] = Value::Array(items);
    doc["today"]["phq9"] = Value::from(phq9_today);
    // A physician reviewed any event of the previous session: the level rules are what runs.
    doc["today"]["event_reviewed"] = Value::from(true);
    doc
}

/// The hard limits the rule file declares for a route of a ladder (the dose trace names a
/// declared ladder and route).
fn route_limits(ladder: &str, route: &str) -> Vec<Limit> {
    protocol().hard_limits(ladder, route).unwrap_or_else(|| panic!("no ladder `{ladder}` with a route `{route}`"))
}

fn session_strategy() -> impl Strategy<Value = CourseCase> {
    let route =
        prop_oneof![Just("sublingual".to_string()), Just("intramuscular".to_string()), Just("intravenous".to_string())];
    let weight = (20u32..300, 0u32..10).prop_map(|(w, d)| format!("{w}.{d}"));
    let session = (0u8..8, 100u32..210, 60u32..125, 0u32..30, 0u8..6, any::<[bool; 5]>());
    (route, weight, 18u32..90, prop::collection::vec(session, 0..6), 0u32..27)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn a_dose_is_never_above_its_cap_nor_a_level_more_than_one_step_up_in_two_sessions(case in session_strategy()) {
        let (route, weight, age, sessions, phq9) = case;
        let doc = course_doc(&route, &weight, age, &sessions, phq9);
        let out = protocol().evaluate_json(&doc.to_string());
        let out = match out {
            Ok(out) => out,
            Err(e) => { prop_assert!(false, "{e} for {doc}"); unreachable!() }
        };
        let session = &out.decisions["session"];
        if session.verdict != "proceed" {
            return Ok(());
        }
        let level = session.value("level").and_then(Value::as_str).unwrap_or_default().to_string();
        let dose = out.explanation.iter().find_map(|e| e.dose.clone());
        let dose = match dose { Some(d) => d, None => { prop_assert!(false, "a proceed without a dose trace"); unreachable!() } };
        let (given, cap): (f64, f64) = (dose.dose_mg.parse().unwrap(), dose.cap_mg.clone().unwrap_or_default().parse().unwrap());
        prop_assert!(given <= cap, "dose {given} above cap {cap}");
        // Nor above any hard limit of its route, as the rule file declares them.
        let weight_kg: Option<f64> = dose.weight_kg.as_deref().map(|w| w.parse().unwrap());
        for limit in route_limits(&dose.ladder, &dose.route) {
            match limit {
                Limit::Mg(max) => prop_assert!(given <= max.to_string().parse::<f64>().unwrap(), "dose {given} above {max} mg"),
                Limit::MgPerKg(max) => {
                    let kg = weight_kg.unwrap_or_else(|| weight.parse::<f64>().unwrap().min(100.0));
                    prop_assert!(given <= max.to_string().parse::<f64>().unwrap() * kg + 1e-9, "dose {given} above {max} mg/kg at {kg} kg");
                }
            }
        }
        prop_assert_eq!(&dose.level, &level);
        if let Some(last) = sessions.last() {
            let previous = last.0;
            let now: u8 = level.trim_start_matches('L').parse().unwrap();
            prop_assert!(now <= previous + 1, "L{previous} -> {level}");
            // From 60 kg every route allows L0..L4: a level given before is still allowed,
            // and the next one moves at most one step down as well.
            let kg: f64 = weight.parse().unwrap();
            if kg >= 60.0 && previous <= 4 {
                prop_assert!(now + 1 >= previous, "L{previous} -> {level} at {weight} kg");
            }
            // A flag, an event, or a MOAA/S of 3 or less: no step up.
            let flagged = last.1 >= 180 || last.2 >= 110 || last.4 <= 3 || last.5.iter().any(|f| *f);
            if flagged {
                prop_assert!(now <= previous, "a flagged session L{previous} escalated to {level}");
                prop_assert_ne!(session.value("level_change").and_then(Value::as_str), Some("escalate"));
            }
            // At most one step up in any two sessions.
            if sessions.len() >= 2 && sessions[sessions.len() - 2].0 < previous {
                prop_assert!(now <= previous, "L{} -> L{previous} -> {level}", sessions[sessions.len() - 2].0);
            }
        }
        // Older adults stay at L3 or below.
        if age >= 65 {
            let now: u8 = level.trim_start_matches('L').parse().unwrap();
            prop_assert!(now <= 3, "{level} at {age} years");
        }
    }
}
