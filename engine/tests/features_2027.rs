//! The language features revision 2027.1 of the reference protocol needed: an alert's
//! `action`, `c is true` / `c is false`, `raised(ALERT)`, and a ladder's `allow above`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const MONITORING: &str = r#"
protocol "Features" version "1" status draft
source S "s"
input at: timestamp required with observations "Now"
input observations.crisis: boolean "Crisis symptoms"
input observations.reviewed: boolean "Reviewed"
input observations.readings: list in 0..100 required "Readings"
input observations.readings[].at: timestamp required ordered not after at "At"
input observations.readings[].systolic: integer mmHg in 40..300 "Systolic"
input observations.readings[].spo2: integer % in 50..100 "SpO2"

decision monitoring
  given observations
  alert high critical "Systolic 200 mmHg or more, or crisis symptoms"
    for r in observations.readings when r.systolic >= 200 mmHg at r.at
    or when observations.crisis at at [S]
    action "Stop dosing; call emergency services"
  alert low warning "SpO2 below 92 %"
    for r in observations.readings when r.spo2 < 92 % at r.at [S]

decision discharge within monitoring
  given observations
  list unmet of unmet
  verdict not_ready if any unmet
  verdict indeterminate if unknown unmet
  verdict ready otherwise
  unmet high_alert "A critical alert was raised and nobody reviewed it"
    when raised(high) and not (observations.reviewed is true) [S]
  unmet reviewed_false "The review said no"
    when observations.reviewed is false [S]
"#;

fn monitoring() -> Protocol {
    Protocol::compile(MONITORING).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn run(p: &Protocol, doc: &Value) -> Value {
    serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap()
}

fn readings(items: &[Value]) -> Value {
    json!({"at": "2026-11-23T11:00:00Z", "observations": {"readings": items}})
}

#[test]
fn an_alert_carries_its_action_into_the_output_and_the_explanation() {
    let p = monitoring();
    let mut doc = readings(&[json!({"at": "2026-11-23T10:20:00Z", "systolic": 205, "spo2": 90})]);
    doc["observations"]["crisis"] = json!(false);
    let out = run(&p, &doc);
    let alerts = &out["decisions"]["monitoring"]["alerts"];
    assert_eq!(
        alerts[0],
        json!({"id": "high", "severity": "critical", "at": "2026-11-23T10:20:00Z", "action": "Stop dosing; call emergency services"})
    );
    // An alert without an action has none in the output.
    assert_eq!(alerts[1], json!({"id": "low", "severity": "warning", "at": "2026-11-23T10:20:00Z"}));
    let text = out["explanation"].as_array().unwrap().iter().find(|e| e["rule"] == "high").unwrap()["text"].clone();
    assert!(text.as_str().unwrap().contains("Action: Stop dosing; call emergency services."), "{text}");
}

#[test]
fn raised_reads_an_alert_as_its_decision_raises_it() {
    let p = monitoring();
    let discharge = |doc: &Value| run(&p, doc)["decisions"]["monitoring"]["discharge"].clone();
    // Raised from a reading: unmet, and the absent crisis input is absorbed.
    let doc = readings(&[json!({"at": "2026-11-23T10:20:00Z", "systolic": 210, "spo2": 97})]);
    assert_eq!(discharge(&doc), json!({"verdict": "not_ready", "unmet": ["high_alert"], "missing": []}));
    // Reviewed: met. `is true` never lists a record of a review as missing.
    let mut reviewed = doc.clone();
    reviewed["observations"]["reviewed"] = json!(true);
    assert_eq!(discharge(&reviewed), json!({"verdict": "ready", "unmet": [], "missing": []}));
    // `is false`: only a review recorded as false.
    reviewed["observations"]["reviewed"] = json!(false);
    assert_eq!(
        discharge(&reviewed),
        json!({"verdict": "not_ready", "unmet": ["high_alert", "reviewed_false"], "missing": []})
    );
    // Not raised at any reading and the `or when` undecided: unknown, naming what it misses.
    let doc = readings(&[json!({"at": "2026-11-23T10:20:00Z", "systolic": 150, "spo2": 97})]);
    assert_eq!(discharge(&doc), json!({"verdict": "indeterminate", "unmet": [], "missing": ["observations.crisis"]}));
    // An absent reading value leaves it unknown too.
    let mut doc = readings(&[json!({"at": "2026-11-23T10:20:00Z", "spo2": 97})]);
    doc["observations"]["crisis"] = json!(false);
    assert_eq!(
        discharge(&doc),
        json!({"verdict": "indeterminate", "unmet": [], "missing": ["observations.readings[0].systolic"]})
    );
    // Raised by its `or when`, at `at`.
    let mut doc = readings(&[]);
    doc["observations"]["crisis"] = json!(true);
    assert_eq!(discharge(&doc)["unmet"], json!(["high_alert"]));
    // False everywhere: not raised.
    doc["observations"]["crisis"] = json!(false);
    assert_eq!(discharge(&doc), json!({"verdict": "ready", "unmet": [], "missing": []}));
}

fn errors(source: &str) -> Vec<(String, String)> {
    match Protocol::compile(source) {
        Ok(_) => Vec::new(),
        Err(d) => d.into_iter().map(|d| (d.code.to_string(), d.message)).collect(),
    }
}

#[test]
fn raised_names_a_declared_alert_and_never_itself() {
    let typo = MONITORING.replace("raised(high)", "raised(hihg)");
    let found = errors(&typo);
    assert!(found.iter().any(|(c, m)| c == "unknown-name" && m.contains("no alert named `hihg`")), "{found:?}");
    let cycle = MONITORING.replace("when r.spo2 < 92 %", "when r.spo2 < 92 % and raised(low)");
    let found = errors(&cycle);
    assert!(found.iter().any(|(c, m)| c == "cycle" && m.contains("alert `low` depends on itself")), "{found:?}");
    let arity = MONITORING.replace("raised(high)", "raised(high, low)");
    assert!(errors(&arity).iter().any(|(c, _)| c == "arguments"));
    let not_bool = MONITORING.replace("observations.reviewed is false", "observations.readings[0].spo2 is false");
    assert!(errors(&not_bool).iter().any(|(c, _)| c == "type"), "{:?}", errors(&not_bool));
}

const LADDER: &str = r#"
protocol "Ceiling" version "1" status draft
source S "s"
input patient.age: integer years in 0..120 "Age"
input patient.weight: decimal kg in 20..300 "Weight"
input course.route: one of muscle "Route"
input course.level: one of L0 < L1 < L2 < L3 < L4 "Level"

ladder k "Doses"
  levels course.level
  route course.route
  weight min(patient.weight, 100 kg)
  dose muscle L1 0.5 mg/kg [S]
  dose muscle L2 0.6 mg/kg [S]
  dose muscle L3 0.75 mg/kg [S]
  dose muscle L4 0.9 mg/kg [S]
  round muscle down to 5 mg
  cap muscle min(1.0 mg/kg * weight, 100 mg)
  allow above L2 when patient.age < 65 years [S]

decision d
  given course
  kinds never
  verdict no if any never
  verdict undecided if unknown never or when highest_allowed(k, course.level) is missing
  verdict yes otherwise
  missing of highest_allowed(k, course.level)
  value level = highest_allowed(k, course.level)
  value allowed = allowed(k, course.level)
"#;

#[test]
fn allow_above_keeps_the_levels_above_it_for_those_it_allows() {
    let p = Protocol::compile(LADDER).unwrap_or_else(|d| panic!("{d:#?}"));
    let at = |age: Option<u32>, level: &str| {
        let mut doc = json!({"patient": {"weight": 70}, "course": {"route": "muscle", "level": level}});
        if let Some(a) = age {
            doc["patient"]["age"] = json!(a);
        }
        run(&p, &doc)["decisions"]["d"].clone()
    };
    // Younger than 65: L4 is allowed.
    assert_eq!(
        (at(Some(64), "L4")["level"].clone(), at(Some(64), "L4")["allowed"].clone()),
        (json!("L4"), json!(true))
    );
    // 65 and over: the levels above L2 are not; a kept L4 falls to L2.
    assert_eq!(
        (at(Some(65), "L4")["level"].clone(), at(Some(65), "L4")["allowed"].clone()),
        (json!("L2"), json!(false))
    );
    assert_eq!(at(Some(66), "L3")["level"], json!("L2"));
    // Up to L2 the age is never read: an absent age changes nothing and is not missing.
    let l2 = at(None, "L2");
    assert_eq!(
        (l2["verdict"].clone(), l2["level"].clone(), l2["missing"].clone()),
        (json!("yes"), json!("L2"), json!([]))
    );
    // Above it, an absent age leaves the level unknown, and names the age.
    let l4 = at(None, "L4");
    assert_eq!((l4["verdict"].clone(), l4["missing"].clone()), (json!("undecided"), json!(["patient.age"])));
    assert!(l4.get("level").is_none());
}

#[test]
fn allow_above_is_checked_like_any_ladder_entry() {
    let unknown_level = LADDER.replace("allow above L2", "allow above L9");
    assert!(errors(&unknown_level).iter().any(|(c, m)| c == "unknown-choice" && m.contains("`L9` is not a level")));
    let twice = LADDER.replace(
        "  allow above L2 when patient.age < 65 years [S]",
        "  allow above L2 when patient.age < 65 years [S]\n  allow above L3 when patient.age < 80 years [S]",
    );
    assert!(errors(&twice).iter().any(|(c, _)| c == "duplicate"), "{:?}", errors(&twice));
    let not_bool = LADDER.replace("when patient.age < 65 years [S]", "when patient.age [S]");
    assert!(errors(&not_bool).iter().any(|(c, _)| c == "type"), "{:?}", errors(&not_bool));
    let unknown_source = LADDER.replace("65 years [S]", "65 years [Q]");
    assert!(errors(&unknown_source).iter().any(|(c, _)| c == "unknown-source"));
}

#[test]
fn an_open_level_names_what_its_possible_outcomes_read_and_nothing_more() {
    let source = LADDER
        .replace("input course.level:", "input course.flag: boolean \"Flag\"\ninput course.level:")
        .replace("missing of highest_allowed(k, course.level)", "missing of highest_allowed(k, OPEN)");
    let missing = |open: &str| {
        let p = Protocol::compile(&source.replace("OPEN", open)).unwrap_or_else(|d| panic!("{d:#?}"));
        let doc = json!({"patient": {"weight": 70}, "course": {"route": "muscle", "level": "L1"}});
        run(&p, &doc)["decisions"]["d"]["missing"].clone()
    };
    // L1 or L2: the age is read only above L2, so it is not asked for.
    assert_eq!(missing("choose when course.flag then L1 otherwise L2"), json!(["course.flag"]));
    // L1 or L4: it is.
    assert_eq!(missing("choose when course.flag then L1 otherwise L4"), json!(["course.flag", "patient.age"]));
    // A condition known false takes its branch out of the outcomes.
    assert_eq!(
        missing("choose when course.level = L2 then L4 when course.flag then L1 otherwise next(course.level)"),
        json!(["course.flag"])
    );
}

#[test]
fn an_open_level_above_what_the_route_has_names_what_the_levels_below_read() {
    // The level can only be L4, which the route lacks: the highest allowed level below it
    // reads the dosing weight, which is named.
    let source = LADDER
        .replace("  dose muscle L4 0.9 mg/kg [S]\n", "")
        .replace("input course.level:", "input course.flag: boolean \"Flag\"\ninput course.level:")
        .replace("missing of highest_allowed(k, course.level)", "missing of highest_allowed(k, OPEN)")
        .replace("OPEN", "choose when course.flag then L4 otherwise L4");
    let p = Protocol::compile(&source).unwrap_or_else(|d| panic!("{d:#?}"));
    let doc = json!({"patient": {"age": 40}, "course": {"route": "muscle", "level": "L1"}});
    assert_eq!(run(&p, &doc)["decisions"]["d"]["missing"], json!(["course.flag", "patient.weight"]));
}

#[test]
fn an_alert_has_a_known_severity_and_says_what_to_do() {
    let codes = |source: &str| -> Vec<(String, bool)> {
        kap_engine::Protocol::check(source).into_iter().map(|d| (d.code.to_string(), d.is_error())).collect()
    };
    // Without an action: a warning. With an empty one: an error.
    assert!(codes(MONITORING).contains(&("no-action".to_string(), false)), "{:?}", codes(MONITORING));
    let empty = MONITORING.replace("action \"Stop dosing; call emergency services\"", "action \"  \"");
    assert!(codes(&empty).contains(&("no-action".to_string(), true)), "{:?}", codes(&empty));
    // A severity the forms and CDS cards do not know.
    let typo = MONITORING.replace("alert low warning", "alert low waring");
    let d = kap_engine::Protocol::check(&typo);
    let found = d.iter().find(|d| d.code == "unknown-severity").unwrap_or_else(|| panic!("{d:#?}"));
    assert!(found.hint.as_deref().unwrap_or("").contains("did you mean `warning`?"), "{found:?}");
}
