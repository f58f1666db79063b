//! Ordered rules (`choose`), stepping through ordered choices (`next`, `previous`) and bare
//! choice names, as the level of a dosing session needs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Choose" version "1" status draft
source S "s"
input at: timestamp required with course "Now"
input patient.age: integer years in 0..120 "Age"
input course.sessions: list in 0..6 required "Sessions"
input course.sessions[].at: timestamp required "At"
input course.sessions[].level: one of L0 < L1 < L2 < L3 "Level"
input course.sessions[].distress: boolean "Distress"
input today.phq9: integer in 0..27 "PHQ-9"

define level_now = choose
    when count(course.sessions) = 0 then choose when patient.age >= 65 years then L0 otherwise L1
    when course.sessions[-1].distress then previous(course.sessions[-1].level)
    when today.phq9 <= 5 then course.sessions[-1].level
    otherwise next(course.sessions[-1].level)

decision session
  given course
  kinds hold
  list reasons of verdict
  verdict hold if any hold
  verdict indeterminate if unknown hold or when level_now is missing
  verdict proceed otherwise
  value level = level_now for proceed
  missing of level_now
  hold low_mood "Very low mood" when today.phq9 >= 25 [S]
"#;

fn session(age: Option<u32>, last: Option<Value>, phq9: Option<u32>) -> Value {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut doc = json!({"at": "2026-11-23T10:00:00Z", "course": {"sessions": []}, "patient": {}, "today": {}});
    if let Some(a) = age {
        doc["patient"]["age"] = json!(a);
    }
    if let Some(s) = last {
        doc["course"]["sessions"] = json!([s]);
    }
    if let Some(q) = phq9 {
        doc["today"]["phq9"] = json!(q);
    }
    let out = p.evaluate_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&out).unwrap()["decisions"]["session"].clone()
}

fn given(level: &str, distress: Option<bool>) -> Option<Value> {
    let mut s = json!({"at": "2026-11-20T10:00:00Z", "level": level});
    if let Some(d) = distress {
        s["distress"] = json!(d);
    }
    Some(s)
}

#[test]
fn the_first_session_starts_lower_for_older_adults() {
    assert_eq!(session(Some(70), None, Some(10))["level"], "L0");
    assert_eq!(session(Some(40), None, Some(10))["level"], "L1");
    let s = session(None, None, Some(10));
    assert_eq!((s["verdict"].as_str(), s["missing"].clone()), (Some("indeterminate"), json!(["patient.age"])));
}

#[test]
fn later_sessions_step_from_the_previous_level_and_stay_in_range() {
    assert_eq!(session(Some(40), given("L2", Some(true)), Some(10))["level"], "L1");
    assert_eq!(session(Some(40), given("L0", Some(true)), Some(10))["level"], "L0");
    assert_eq!(session(Some(40), given("L2", Some(false)), Some(3))["level"], "L2");
    assert_eq!(session(Some(40), given("L2", Some(false)), Some(10))["level"], "L3");
    assert_eq!(session(Some(40), given("L3", Some(false)), Some(10))["level"], "L3");
}

#[test]
fn an_unknown_earlier_rule_leaves_the_level_unknown() {
    // Distress unknown: the rules after it cannot decide, even if one of them is true.
    let s = session(Some(40), given("L2", None), Some(3));
    assert_eq!(s["verdict"], "indeterminate");
    assert_eq!(s["missing"], json!(["course.sessions[0].distress"]));
    assert!(s.get("level").is_none());
    // A true rule before an unknown one decides.
    let s = session(Some(40), given("L2", Some(true)), None);
    assert_eq!(s["verdict"], "indeterminate", "the hold rule itself reads the missing PHQ-9");
    let s = session(Some(40), given("L2", Some(false)), None);
    assert_eq!(s["missing"], json!(["today.phq9"]));
}

#[test]
fn branches_must_agree() {
    let broken = SOURCE.replace("then L0 otherwise L1", "then 0 otherwise L1");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].code, "type");
    assert!(
        d[0].message
            .starts_with("`choose` gives a number without unit here but one of L0, L1, L2, L3 after `otherwise`"),
        "{d:#?}"
    );
    let broken = SOURCE.replace("previous(course.sessions[-1].level)", "previous(today.phq9)");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].message, "`previous` needs a choice; this is a number without unit");
}
