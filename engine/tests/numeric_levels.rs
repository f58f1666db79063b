//! Numeric levels: choices named by their amount (`one of 28 mg < 56 mg < 84 mg`), as
//! clinicians name fixed doses. A level is written as its amount wherever a choice is read
//! (`today.requested_dose = 28 mg`, `in {28 mg, 56 mg}`, a `choose` of amounts giving a
//! level), a ladder's `dose 56 mg` is the level and its dose, and documents carry `"56 mg"`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Levels" version "1" status draft
source S "s"
input patient.age: integer years in 0..120 "Age"
input course.sessions: list in 0..20 required "Sessions"
input course.sessions[].level: one of 28 mg < 56 mg < 84 mg "Dose given"
input today.requested_dose: one of 28 mg < 56 mg < 84 mg "Dose requested"

ladder esk "Esketamine"
  levels course.sessions[].level
  dose 28 mg [S]
  dose 56.0 mg [S]
  dose 84 mg [S]
  cap 84 mg
  limit 84 mg

define start = choose when patient.age >= 65 years then 28 mg otherwise 56 mg
define level = choose
    when count(course.sessions) = 0 then start
    otherwise min(today.requested_dose, next(course.sessions[-1].level))

decision session
  given course
  kinds hold
  list reasons of verdict
  verdict hold if any hold
  verdict indeterminate if unknown hold or when level is missing
  verdict proceed otherwise
  hold low_dose "28 mg under 65" when patient.age < 65 years and 28 mg = today.requested_dose [S]
  hold not_top "Not at 56 or 84 mg" when count(course.sessions) >= 1 and course.sessions[-1].level not in {56 mg, 84 mg} [S]
  value level = level for proceed
  value dose = dose(esk, level) for proceed
"#;

fn session(doc: Value) -> Value {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap()["decisions"]["session"].clone()
}

#[test]
fn a_level_is_named_and_dosed_by_its_amount() {
    let first = session(json!({"patient": {"age": 70}, "course": {"sessions": []}}));
    assert_eq!(first["level"], "28 mg");
    assert_eq!(first["dose"], json!({"value": 28, "unit": "mg"}));
    let next = session(json!({"patient": {"age": 40}, "course": {"sessions": [{"level": "56 mg"}]},
                              "today": {"requested_dose": "84 mg"}}));
    assert_eq!(next["verdict"], "proceed");
    assert_eq!(next["level"], "84 mg");
    assert_eq!(next["dose"], json!({"value": 84, "unit": "mg"}));
}

#[test]
fn amounts_compare_with_levels_on_either_side_and_in_sets() {
    let low = session(json!({"patient": {"age": 40}, "course": {"sessions": [{"level": "56 mg"}]},
                             "today": {"requested_dose": "28 mg"}}));
    assert_eq!(low["reasons"], json!(["low_dose"]));
    let not_top = session(json!({"patient": {"age": 70}, "course": {"sessions": [{"level": "28 mg"}]},
                                 "today": {"requested_dose": "56 mg"}}));
    assert_eq!(not_top["reasons"], json!(["not_top"]));
}

#[test]
fn a_document_names_a_level_as_declared() {
    let p = Protocol::compile(SOURCE).unwrap();
    let doc = json!({"patient": {"age": 40}, "course": {"sessions": [{"level": "56.0 mg"}]}});
    let err = p.evaluate_json(&doc.to_string()).unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("course.sessions[0].level") && text.contains("56 mg"), "{text}");
}

#[test]
fn an_amount_that_is_no_level_is_refused_with_the_levels() {
    let refused = |from: &str, to: &str| {
        let d = Protocol::compile(&SOURCE.replacen(from, to, 1)).unwrap_err();
        d.into_iter().find(|d| d.is_error()).unwrap()
    };
    let d = refused("28 mg = today.requested_dose", "30 mg = today.requested_dose");
    assert_eq!(d.message, "`30 mg` is not a choice of `today.requested_dose`");
    assert_eq!(d.hint.as_deref(), Some("did you mean `28 mg`? `today.requested_dose` is one of 28 mg, 56 mg, 84 mg"));

    let d = refused("otherwise 56 mg", "otherwise 57 mg");
    assert_eq!(d.message, "`choose` mixes amounts with levels of one of 28 mg, 56 mg, 84 mg");

    let d = refused("{56 mg, 84 mg}", "{56 mg, 85 mg}");
    assert!(d.message.contains("`85 mg`"), "{d:?}");
}
