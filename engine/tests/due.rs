//! Schedules: `due` items at computed times, per list item or at offsets, `when` (only when
//! true) and `unless` (also when unknown: when in doubt, it is due), ordered by time then id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Due" version "1" status draft
input at: timestamp required with course "Now"
input course.stopped: boolean "Stopped"
input course.sessions: list in 0..6 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"
input course.sessions[].flag: boolean "Flag"

decision follow_up
  given course
  due call [wellbeing] at s.at + 24 h for s in course.sessions
    unless s.at > course.sessions[0].at and not s.flag
  due check [phq9, cssrs] at course.sessions[-1].at after 3 days, 7 days
    when count(course.sessions) >= 3 or course.stopped
"#;

fn due(sessions: Value, stopped: Option<bool>) -> Value {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut doc = json!({"at": "2026-11-30T00:00:00Z", "course": {"sessions": sessions}});
    if let Some(s) = stopped {
        doc["course"]["stopped"] = json!(s);
    }
    let out = p.evaluate_json(&doc.to_string()).unwrap();
    serde_json::to_value(&out).unwrap()["decisions"]["follow_up"].clone()
}

#[test]
fn a_schedule_has_no_verdict_and_lists_items_in_time_order() {
    let d = due(
        json!([{"at": "2026-11-10T10:00:00Z", "flag": false}, {"at": "2026-11-12T10:00:00Z", "flag": true}]),
        Some(false),
    );
    assert_eq!(
        d,
        json!({"due": [
            {"id": "call", "at": "2026-11-11T10:00:00Z", "checks": ["wellbeing"]},
            {"id": "call", "at": "2026-11-13T10:00:00Z", "checks": ["wellbeing"]}
        ]})
    );
}

#[test]
fn unless_includes_an_item_when_in_doubt_and_when_needs_true() {
    // The second session's flag is unknown: call anyway. `stopped` is unknown: no check.
    let d = due(json!([{"at": "2026-11-10T10:00:00Z", "flag": false}, {"at": "2026-11-12T10:00:00Z"}]), None);
    let ids: Vec<&str> = d["due"].as_array().unwrap().iter().map(|i| i["at"].as_str().unwrap()).collect();
    assert_eq!(ids, ["2026-11-11T10:00:00Z", "2026-11-13T10:00:00Z"]);
}

#[test]
fn offsets_give_one_item_each_and_ties_order_by_id() {
    let d = due(
        json!([{"at": "2026-11-10T10:00:00Z", "flag": false}, {"at": "2026-11-12T10:00:00Z", "flag": false}, {"at": "2026-11-14T10:00:00Z", "flag": false}]),
        Some(false),
    );
    let got: Vec<(String, String)> = d["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["at"].as_str().unwrap().to_string(), i["id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-11-11T10:00:00Z".to_string(), "call".to_string()),
            ("2026-11-17T10:00:00Z".to_string(), "check".to_string()),
            ("2026-11-21T10:00:00Z".to_string(), "check".to_string()),
        ]
    );
}

#[test]
fn a_schedule_has_no_verdict_to_read() {
    let reader = "\ndecision reader\n  given course\n  verdict v otherwise\n  value read = follow_up.verdict\n";
    let d = Protocol::check(&format!("{SOURCE}{reader}"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "unknown-name");
    assert_eq!(d[0].message, "decision `follow_up` has no verdict");
    assert!(d[0].hint.as_deref().is_some_and(|h| h.contains("`verdict` entries")), "{:?}", d[0].hint);
}
