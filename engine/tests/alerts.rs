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
