//! Alerts over the readings of a list: raised at the first reading where they hold, and an
//! alert that cannot be decided is reported as undecided with what it is missing, whether
//! an input is absent or a list is too short for an item it reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::{decision::RuleResult, Protocol};

const SOURCE: &str = r#"
protocol "Alerts" version "1" status draft
source S "s"
input at: timestamp required with observations "Now"
input observations.readings: list in 0..100 required "Readings"
input observations.readings[].at: timestamp required ordered not after at "At"
input observations.readings[].spo2: integer % in 50..100 "SpO2"
input observations.devices: list in 0..5 required "Devices"
input observations.devices[].at: timestamp required not after at "Attached at"
input observations.devices[].alarm_on: boolean "Alarm switched on"

decision monitoring
  given observations
  alert silent_low critical "SpO2 below 90 % with the oximeter alarm off"
    for r in observations.readings
    when r.spo2 < 90 % and not observations.devices[0].alarm_on at r.at [S]

decision discharge within monitoring
  given observations
  list unmet of unmet
  verdict not_ready if any unmet
  verdict indeterminate if unknown unmet
  verdict ready otherwise
  unmet alarm "The oximeter alarm was not on"
    when not observations.devices[0].alarm_on [S]
"#;

fn doc(devices: &str) -> String {
    format!(
        r#"{{"at": "2026-11-23T10:30:00Z", "observations": {{"readings": [{{"at": "2026-11-23T10:10:00Z", "spo2": 85}}], "devices": [{devices}]}}}}"#
    )
}

#[test]
fn an_alert_undecided_for_a_list_too_short_is_reported_with_the_list() {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let out = p.evaluate_json(&doc("")).unwrap();
    let alert = out.explanation.iter().find(|e| e.rule == "silent_low").expect("the undecided alert is reported");
    assert_eq!(alert.result, RuleResult::Undetermined);
    assert_eq!(alert.missing, ["observations.devices"]);
    assert!(alert.text.contains("critical alert `silent_low` undecided"), "{}", alert.text);
    assert_eq!(out.decisions["monitoring"].missing, ["observations.devices"]);
    // The same alert undecided for lack of an input is reported the same way.
    let out = p.evaluate_json(&doc(r#"{"at": "2026-11-23T10:00:00Z"}"#)).unwrap();
    let alert = out.explanation.iter().find(|e| e.rule == "silent_low").unwrap();
    assert_eq!(
        (alert.result, alert.missing.clone()),
        (RuleResult::Undetermined, vec!["observations.devices[0].alarm_on".to_string()])
    );
    // Decided: raised.
    let out = p.evaluate_json(&doc(r#"{"at": "2026-11-23T10:00:00Z", "alarm_on": false}"#)).unwrap();
    let alert = out.explanation.iter().find(|e| e.rule == "silent_low").unwrap();
    assert_eq!(alert.result, RuleResult::Fired);
    // It shows the values of the reading that raised it, with their units, in the order the
    // inputs are declared.
    let read: Vec<(&str, Option<&str>, Option<&str>)> =
        alert.read.iter().map(|r| (r.path.as_str(), r.value.as_deref(), r.unit.as_deref())).collect();
    assert_eq!(
        read,
        [
            ("observations.readings[0].spo2", Some("85"), Some("%")),
            ("observations.devices[0].alarm_on", Some("false"), None)
        ]
    );
    assert!(
        alert.text.contains("Read: observations.readings[0].spo2 = 85 %, observations.devices[0].alarm_on = false."),
        "{}",
        alert.text
    );
}

#[test]
fn indeterminate_always_names_why() {
    let p = Protocol::compile(SOURCE).unwrap();
    let out = serde_json::to_value(p.evaluate_json(&doc("")).unwrap()).unwrap();
    let discharge = &out["decisions"]["monitoring"]["discharge"];
    assert_eq!(discharge["verdict"], "indeterminate");
    assert_eq!(discharge["missing"], serde_json::json!(["observations.devices"]));
    let out = serde_json::to_value(p.evaluate_json(&doc(r#"{"at": "2026-11-23T10:00:00Z"}"#)).unwrap()).unwrap();
    assert_eq!(
        out["decisions"]["monitoring"]["discharge"]["missing"],
        serde_json::json!(["observations.devices[0].alarm_on"])
    );
}

/// An alert over pairs of readings (`r.previous`) and a decision that reads it with
/// `raised`: the first reading has no pair, so it neither raises the alert nor leaves
/// `raised` unknown; `raised` agrees with the alert, and an `indeterminate` names what is
/// missing.
const PAIRS: &str = r#"
protocol "Pairs" version "1" status draft
source S "s"
input at: timestamp required with observations "Now"
input observations.readings: list in 0..100 required "Readings"
input observations.readings[].at: timestamp required ordered not after at "At"
input observations.readings[].systolic: integer mmHg in 40..300 "Systolic"

define high(r) = r.systolic >= 180 mmHg

decision monitoring
  given observations
  alert persistent critical "Two high readings in a row"
    for r in observations.readings when high(r) and high(r.previous) at r.at [S]

decision discharge within monitoring
  given observations
  list unmet of unmet
  verdict not_ready if any unmet
  verdict indeterminate if unknown unmet
  verdict ready otherwise
  unmet uncleared "A critical alert was raised" when raised(persistent) [S]
  unmet every_pair_rising "Not every reading above the one before"
    when not all(r in observations.readings where r.systolic > r.previous.systolic) [S]
"#;

fn pairs(readings: &[Option<u32>]) -> serde_json::Value {
    let items: Vec<String> = readings
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Some(s) => format!(r#"{{"at": "2026-11-23T10:{:02}:00Z", "systolic": {s}}}"#, 10 + i),
            None => format!(r#"{{"at": "2026-11-23T10:{:02}:00Z"}}"#, 10 + i),
        })
        .collect();
    let doc = format!(r#"{{"at": "2026-11-23T11:00:00Z", "observations": {{"readings": [{}]}}}}"#, items.join(", "));
    let p = Protocol::compile(PAIRS).unwrap_or_else(|d| panic!("{d:#?}"));
    serde_json::to_value(p.evaluate_json(&doc).unwrap()).unwrap()
}

#[test]
fn the_first_item_has_no_pair_and_leaves_nothing_undecided() {
    // One high reading: no pair, no alert, and discharge is decided.
    let out = pairs(&[Some(190)]);
    assert_eq!(out["decisions"]["monitoring"]["alerts"], serde_json::json!([]));
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["verdict"], "ready");
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["missing"], serde_json::json!([]));
    // A rising series: every reading with a pair rises; the first is passed over.
    let out = pairs(&[Some(120), Some(130), Some(140)]);
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["verdict"], "ready");
    // Two high in a row: raised, and `raised` says so.
    let out = pairs(&[Some(120), Some(185), Some(190)]);
    assert_eq!(out["decisions"]["monitoring"]["alerts"][0]["id"], "persistent");
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["verdict"], "not_ready");
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["unmet"], serde_json::json!(["uncleared"]));
    // An absent reading is named; filled either way, the decision is made.
    let out = pairs(&[Some(190), None]);
    assert_eq!(out["decisions"]["monitoring"]["discharge"]["verdict"], "indeterminate");
    assert_eq!(
        out["decisions"]["monitoring"]["discharge"]["missing"],
        serde_json::json!(["observations.readings[1].systolic"])
    );
    for filled in [100, 200] {
        let out = pairs(&[Some(190), Some(filled)]);
        assert_ne!(out["decisions"]["monitoring"]["discharge"]["verdict"], "indeterminate", "{filled}");
    }
}
