//! Revision 2027.1 of the reference protocol: each finding of the clinical review, reproduced
//! on the worked examples, gives the revised answer (reference protocol, section 7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use kap_tests::{read_json, reference, root};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn protocol() -> &'static Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    P.get_or_init(reference)
}

fn example(name: &str) -> Value {
    read_json(&root().join("tests/corpus/examples").join(format!("{name}.json")))
}

fn decisions(doc: &Value) -> Value {
    let out = protocol().evaluate_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(out).unwrap()["decisions"].clone()
}

/// Example 06 at 11:45, 125 minutes after the first administration: every criterion met.
fn monitored() -> Value {
    let mut doc = example("06-monitoring");
    doc["at"] = json!("2026-11-26T11:45:00Z");
    doc
}

fn discharge(doc: &Value) -> Value {
    decisions(doc)["monitoring"]["discharge"].clone()
}

#[test]
fn the_base_of_the_monitoring_reproductions_is_ready() {
    assert_eq!(discharge(&monitored()), json!({"verdict": "ready", "unmet": [], "missing": []}));
}

#[test]
fn crisis_symptoms_with_normal_late_vital_signs_are_not_ready() {
    let mut doc = monitored();
    doc["observations"]["crisis_symptoms"] = json!(true);
    let d = decisions(&doc);
    assert_eq!(
        d["monitoring"]["alerts"][1],
        json!({"id": "bp_emergency", "severity": "critical", "at": "2026-11-26T11:45:00Z", "action": "Stop dosing; call emergency services"})
    );
    assert_eq!(
        d["monitoring"]["discharge"],
        json!({"verdict": "not_ready", "unmet": ["critical_alerts_cleared", "no_crisis"], "missing": []})
    );
    // A physician's clearance after the last reading settles the alert, never the crisis.
    doc["observations"]["physician_cleared"] = json!(true);
    doc["observations"]["physician_cleared_at"] = json!("2026-11-26T11:40:00Z");
    assert_eq!(discharge(&doc)["unmet"], json!(["no_crisis"]));
}

#[test]
fn a_persistent_high_pressure_near_a_high_baseline_is_not_ready() {
    let mut doc = monitored();
    doc["observations"]["baseline_systolic"] = json!(140);
    doc["observations"]["baseline_diastolic"] = json!(90);
    let readings = doc["observations"]["readings"].as_array_mut().unwrap();
    let n = readings.len();
    (readings[n - 2]["systolic"], readings[n - 2]["diastolic"]) = (json!(185), json!(112));
    (readings[n - 1]["systolic"], readings[n - 1]["diastolic"]) = (json!(160), json!(110));
    let d = decisions(&doc);
    let ids: Vec<&str> =
        d["monitoring"]["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bp_urgent", "bp_persistent"]);
    assert_eq!(d["monitoring"]["alerts"][1]["at"], json!("2026-11-26T11:05:00Z"));
    // Within 20 mmHg of baseline, and still not ready: above the ceiling, and a critical
    // alert that no physician cleared.
    assert_eq!(
        d["monitoring"]["discharge"],
        json!({"verdict": "not_ready", "unmet": ["bp_below_ceiling", "critical_alerts_cleared"], "missing": []})
    );
}

#[test]
fn ideation_at_an_earlier_reading_needs_a_clearance_after_the_last_reading() {
    let mut doc = monitored();
    doc["observations"]["readings"][2]["cssrs_ideation"] = json!(3);
    assert_eq!(discharge(&doc), json!({"verdict": "not_ready", "unmet": ["suicide_screen"], "missing": []}));
    // Cleared before the last reading: it does not cover that reading.
    doc["observations"]["physician_cleared"] = json!(true);
    doc["observations"]["physician_cleared_at"] = json!("2026-11-26T11:00:00Z");
    assert_eq!(discharge(&doc)["unmet"], json!(["suicide_screen"]));
    // Cleared after it: met. Recorded as not cleared: unmet.
    doc["observations"]["physician_cleared_at"] = json!("2026-11-26T11:06:00Z");
    assert_eq!(discharge(&doc), json!({"verdict": "ready", "unmet": [], "missing": []}));
    doc["observations"]["physician_cleared"] = json!(false);
    assert_eq!(discharge(&doc)["unmet"], json!(["suicide_screen"]));
}

#[test]
fn discharge_needs_spo2_94_percent() {
    let mut doc = monitored();
    let last = doc["observations"]["readings"].as_array().unwrap().len() - 1;
    doc["observations"]["readings"][last]["spo2"] = json!(93);
    assert_eq!(discharge(&doc)["unmet"], json!(["spo2"]));
    doc["observations"]["readings"][last]["spo2"] = json!(94);
    assert_eq!(discharge(&doc)["unmet"], json!([]));
}

#[test]
fn the_cautions_that_need_longer_observation_extend_it_to_180_minutes() {
    let mut doc = monitored();
    let patient = &mut doc["patient"];
    patient["benzodiazepine_dose"] = json!(30);
    patient["opioid_or_cns_depressant"] = json!(true);
    patient["maoi"] = json!(true);
    patient["bmi"] = json!(41);
    patient["stop_bang"] = json!(6);
    let d = decisions(&doc);
    assert_eq!(d["eligibility"]["verdict"], json!("eligible_with_cautions"));
    assert_eq!(
        d["eligibility"]["cautions"],
        json!(["airway_risk", "benzodiazepine", "cns_depressant", "pressor_interaction"])
    );
    assert_eq!(
        (d["monitoring"]["min_observation_minutes"].clone(), d["monitoring"]["spo2_continuous_until"].clone()),
        (json!(180), json!(180))
    );
    assert_eq!(d["monitoring"]["discharge"]["unmet"], json!(["observation_time"]));
    // Unknown counts as longer, and what would settle it is asked for.
    let mut doc = monitored();
    doc["patient"].as_object_mut().unwrap().remove("stop_bang");
    let d = decisions(&doc);
    assert_eq!(d["monitoring"]["min_observation_minutes"], json!(180));
    assert_eq!(d["monitoring"]["missing"], json!(["patient.stop_bang"]));
    assert_eq!(
        d["monitoring"]["discharge"],
        json!({"verdict": "indeterminate", "unmet": [], "missing": ["patient.stop_bang"]})
    );
}

/// Example 04 (70 kg, intramuscular, L1 then L2) with its second session changed.
fn session_after(change: impl Fn(&mut Value)) -> Value {
    let mut doc = example("04-session3-im-escalate");
    change(&mut doc["course"]["sessions"][1]);
    decisions(&doc)["session"].clone()
}

#[test]
fn a_sedation_or_breathing_event_holds_until_a_physician_reviews_it() {
    let event = |s: &mut Value| {
        s["moaas_min"] = json!(0);
        s["spo2_low"] = json!(true);
        s["spo2_min"] = json!(85);
    };
    let session = session_after(event);
    assert_eq!((session["verdict"].clone(), session["reasons"].clone()), (json!("hold"), json!(["event_review"])));
    // Reviewed: one level down, L1 = 35 mg.
    let mut doc = example("04-session3-im-escalate");
    event(&mut doc["course"]["sessions"][1]);
    doc["today"]["event_reviewed"] = json!(true);
    let session = decisions(&doc)["session"].clone();
    assert_eq!(
        (
            session["verdict"].clone(),
            session["level"].clone(),
            session["level_change"].clone(),
            session["dose"]["value"].clone()
        ),
        (json!("proceed"), json!("L1"), json!("decrease"), json!(35))
    );
}

#[test]
fn the_dose_rises_only_after_a_session_tolerated_well_at_a_kept_level() {
    // L1 then L1 with MOAA/S 3: kept at L1.
    let session = session_after(|s| s["level"] = json!("L1"));
    assert_eq!((session["level"].clone(), session["level_change"].clone()), (json!("L1"), json!("maintain")));
    // L1 then L1 with MOAA/S 4: one step up, L2 = 42 rounded down to 40 mg.
    let session = session_after(|s| {
        s["level"] = json!("L1");
        s["moaas_min"] = json!(4);
    });
    assert_eq!(
        (session["level"].clone(), session["level_change"].clone(), session["dose"]["value"].clone()),
        (json!("L2"), json!("escalate"), json!(40))
    );
    // L1 then L2 with MOAA/S 4: session 2 was itself a step up, kept at L2.
    let session = session_after(|s| s["moaas_min"] = json!(4));
    assert_eq!((session["level"].clone(), session["level_change"].clone()), (json!("L2"), json!("maintain")));
}

fn older(age: u32, levels: [&str; 2]) -> Value {
    let mut doc = example("04-session3-im-escalate");
    doc["patient"]["age"] = json!(age);
    for (i, level) in levels.iter().enumerate() {
        doc["course"]["sessions"][i]["level"] = json!(level);
        doc["course"]["sessions"][i]["moaas_min"] = json!(4);
    }
    decisions(&doc)["session"].clone()
}

#[test]
fn older_adults_stay_at_l3_or_below() {
    let level = |s: &Value| (s["level"].clone(), s["dose"]["value"].clone());
    assert_eq!(level(&older(64, ["L3", "L3"])), (json!("L4"), json!(60)));
    assert_eq!(level(&older(65, ["L3", "L3"])), (json!("L3"), json!(50)));
    // A kept L4 at 66 years falls to L3.
    let kept = older(66, ["L3", "L4"]);
    assert_eq!((level(&kept), kept["level_change"].clone()), ((json!("L3"), json!(50)), json!("decrease")));
}

fn intake(change: impl Fn(&mut Value)) -> Value {
    let mut doc = example("01-eligible-intake");
    change(&mut doc["patient"]);
    decisions(&doc)["eligibility"].clone()
}

#[test]
fn breastfeeding_excludes_whatever_the_childbearing_potential() {
    let e = intake(|p| {
        p["childbearing_potential"] = json!(false);
        p["breastfeeding"] = json!(true);
    });
    assert_eq!((e["verdict"].clone(), e["exclusions"].clone()), (json!("ineligible"), json!(["pregnancy"])));
}

#[test]
fn the_conditions_the_review_found_missing_are_read() {
    for (input, caution) in [
        ("stroke_or_tia_history", "cerebrovascular"),
        ("heart_failure_or_valve_disease", "heart_failure_or_valve"),
        ("hyperthyroidism_uncontrolled", "hyperthyroidism"),
        ("pulmonary_insufficiency", "pulmonary_insufficiency"),
        ("theophylline", "theophylline"),
    ] {
        let e = intake(|p| p[input] = json!(true));
        assert_eq!((e["verdict"].clone(), e["cautions"].clone()), (json!("eligible_with_cautions"), json!([caution])));
    }
    let e = intake(|p| p["ketamine_uropathy_history"] = json!(true));
    assert_eq!((e["verdict"].clone(), e["exclusions"].clone()), (json!("ineligible"), json!(["ketamine_uropathy"])));
    // A stored intake without them is not eligible: it is indeterminate, naming them.
    let e = intake(|p| {
        p.as_object_mut().unwrap().remove("theophylline");
    });
    assert_eq!((e["verdict"].clone(), e["missing"].clone()), (json!("indeterminate"), json!(["patient.theophylline"])));
}

#[test]
fn a_dose_increase_earns_a_phone_check() {
    // Example 04: session 2 (L2 after L1) was an increase.
    let doc = example("04-session3-im-escalate");
    let due: Vec<String> = decisions(&doc)["follow_up"]["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["at"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(due, ["2026-11-17T10:00:00Z", "2026-11-20T10:00:00Z"]);
    // Kept at L1: no call after session 2.
    let mut doc = example("04-session3-im-escalate");
    doc["course"]["sessions"][1]["level"] = json!("L1");
    assert_eq!(decisions(&doc)["follow_up"]["due"].as_array().unwrap().len(), 1);
}

#[test]
fn the_label_is_cited_from_its_current_version() {
    let mut doc = example("04-session3-im-escalate");
    doc["course"]["sessions"][1]["max_systolic"] = json!(205);
    let out = serde_json::to_value(protocol().evaluate_json(&doc.to_string()).unwrap()).unwrap();
    let stop = out["explanation"].as_array().unwrap().iter().find(|e| e["rule"] == "bp_crisis").unwrap();
    let s1 = stop["sources"].as_array().unwrap().iter().find(|s| s["key"] == "S1").unwrap();
    assert!(s1["url"].as_str().unwrap().starts_with("https://dailymed.nlm.nih.gov/"), "{s1}");
    assert!(s1["title"].as_str().unwrap().contains("Increase in Blood Pressure"), "{s1}");
    assert_eq!(out["protocol"]["version"], json!("2027.1.0"));
}
