//! Dose ladders: exact doses per route and level, rounding down, caps, the dosing weight,
//! and the checker's errors on ladders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Ladder" version "1" status draft
source S "s"
input patient.weight: decimal kg in 20..300 "Weight"
input course.route: one of oral, muscle, vein "Route"
input course.level: one of L0 < L1 < L2 < L3 "Level"

ladder k "Doses"
  levels course.level
  route course.route
  weight min(patient.weight, 100 kg)
  dose oral L0 50 mg [S]
  dose oral L1 100 mg [S]
  dose oral L2 150 mg [S]
  cap oral min(400 mg, 5 mg/kg * weight)
  dose muscle L1 0.5 mg/kg [S]
  dose muscle L2 0.75 mg/kg [S]
  round muscle down to 5 mg
  cap muscle min(1.0 mg/kg * weight, 100 mg)
  dose vein L2 0.7 mg/kg [S]
  dose vein L3 0.8 mg/kg [S]
  round vein down to 1 mg
  cap vein min(0.8 mg/kg * weight, 80 mg)
  infusion vein 40 min

decision d
  given course
  kinds never
  verdict no if any never
  verdict undecided if unknown never
  verdict yes otherwise
  value dose = dose(k, highest_allowed(k, course.level))
  value allowed = allowed(k, course.level)
  value best = highest_allowed(k, course.level)
  never nothing "Never" when course.route = oral and course.level = L3 [S]
"#;

fn run(weight: Option<&str>, route: &str, level: &str) -> Value {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let w = weight.map(|w| format!(r#""patient": {{"weight": {w}}},"#)).unwrap_or_default();
    let doc = format!(r#"{{{w} "course": {{"route": "{route}", "level": "{level}"}}}}"#);
    let out = p.evaluate_json(&doc).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&out).unwrap()["decisions"]["d"].clone()
}

#[test]
fn doses_are_exact_and_rounded_down() {
    // 0.7 mg/kg x 70 kg = 49 mg exactly; 0.7 x 90 = 63; 0.75 x 70 = 52.5, down to 50 (5 mg steps).
    assert_eq!(run(Some("70"), "vein", "L2")["dose"], json!({"value": 49, "unit": "mg", "infusion_minutes": 40}));
    assert_eq!(run(Some("90"), "vein", "L2")["dose"], json!({"value": 63, "unit": "mg", "infusion_minutes": 40}));
    assert_eq!(run(Some("70"), "muscle", "L2")["dose"], json!({"value": 50, "unit": "mg"}));
    // 82.5 kg x 0.7 = 57.75, down to 57 mg.
    assert_eq!(run(Some("82.5"), "vein", "L2")["dose"]["value"], 57);
    assert_eq!(run(Some("70"), "oral", "L1")["dose"], json!({"value": 100, "unit": "mg"}));
}

#[test]
fn the_dosing_weight_stops_at_100_kg() {
    assert_eq!(run(Some("120"), "muscle", "L2")["dose"]["value"], 75);
    assert_eq!(run(Some("300"), "vein", "L2")["dose"]["value"], 70);
}

#[test]
fn caps_decide_which_levels_are_allowed() {
    // 25 kg orally: cap min(400, 125) = 125 mg; L2 (150 mg) is not allowed, L1 is.
    let d = run(Some("25"), "oral", "L2");
    assert_eq!((d["allowed"].clone(), d["best"].clone()), (json!(false), json!("L1")));
    assert_eq!(d["dose"], json!({"value": 100, "unit": "mg"}));
    // 0.8 mg/kg IV at 70 kg is exactly the 0.8 mg/kg cap: allowed.
    let d = run(Some("70"), "vein", "L3");
    assert_eq!(
        (d["allowed"].clone(), d["best"].clone(), d["dose"]["value"].clone()),
        (json!(true), json!("L3"), json!(56))
    );
    // A level the route does not have is not allowed, and has no dose.
    let d = run(Some("70"), "vein", "L1");
    assert_eq!(d["allowed"], json!(false));
    assert!(d.get("dose").is_none());
    assert!(d.get("best").is_none(), "no allowed level at or below L1 on this route");
}

#[test]
fn without_a_weight_per_kg_doses_are_unknown() {
    let d = run(None, "muscle", "L2");
    assert!(d.get("dose").is_none() && d.get("allowed").is_none());
    // A fixed dose needs no weight, but its cap does, and a dose is given only once it is
    // known to be within its cap.
    let d = run(None, "oral", "L1");
    assert!(d.get("dose").is_none() && d.get("allowed").is_none());
}

#[test]
fn ladder_mistakes_are_reported() {
    let cases = [
        (
            "dose vein L3 0.8 mg/kg [S]",
            "dose vien L3 0.9 mg/kg [S]",
            "`vien` is not a route",
            Some("did you mean `vein`?"),
        ),
        ("dose vein L3 0.8 mg/kg [S]", "dose vein L4 0.9 mg/kg [S]", "`L4` is not a level", None),
        (
            "dose vein L3 0.8 mg/kg [S]",
            "dose vein L3 0.9 mmHg [S]",
            "expected an amount in mg or mg/kg, found mmHg",
            None,
        ),
        ("  cap vein min(0.8 mg/kg * weight, 80 mg)\n", "", "route `vein` of ladder `k` has no cap", None),
        (
            "  weight min(patient.weight, 100 kg)\n",
            "",
            "ladder `k` has doses or limits per kg but no dosing weight",
            None,
        ),
        (
            "value dose = dose(k, highest_allowed(k, course.level))",
            "value dose = dose(kk, highest_allowed(k, course.level))",
            "no ladder named `kk`",
            Some("did you mean `k`?"),
        ),
        (
            "value dose = dose(k, highest_allowed(k, course.level))",
            "value dose = dose(k, course.route)",
            "`dose` needs a level of `k`",
            None,
        ),
    ];
    for (find, replace, message, hint) in cases {
        assert!(SOURCE.contains(find), "{find}");
        let d = Protocol::compile(&SOURCE.replacen(find, replace, 1)).unwrap_err();
        assert!(d.iter().any(|d| d.message.starts_with(message)), "{replace}: {d:#?}");
        if let Some(h) = hint {
            assert!(d.iter().any(|d| d.hint.as_deref() == Some(h)), "{replace}: {d:#?}");
        }
    }
}

#[test]
fn the_explanation_shows_the_dose_arithmetic() {
    let p = Protocol::compile(SOURCE).unwrap();
    let out = p.evaluate_json(r#"{"patient": {"weight": 120}, "course": {"route": "vein", "level": "L2"}}"#).unwrap();
    let trace = out.explanation.iter().find_map(|e| e.dose.clone()).expect("a dose trace");
    assert_eq!(
        (
            trace.amount.as_str(),
            trace.weight_kg.as_deref(),
            trace.raw_mg.as_str(),
            trace.round_down_to_mg.as_deref(),
            trace.dose_mg.as_str(),
            trace.cap_mg.as_deref()
        ),
        ("0.7 mg/kg", Some("100"), "70", Some("1"), "70", Some("80"))
    );
    let text = &out.explanation.iter().find(|e| e.dose.is_some()).unwrap().text;
    assert_eq!(text, "d: dose at L2 (vein): 0.7 mg/kg × 100 kg dosing weight = 70 mg, a multiple of 1 mg; within the cap of 80 mg for this patient; infused over 40 min.");
    // Rounded when it changes the amount: both amounts, the rounding between them.
    let out = p.evaluate_json(r#"{"patient": {"weight": 68.5}, "course": {"route": "vein", "level": "L2"}}"#).unwrap();
    let text = &out.explanation.iter().find(|e| e.dose.is_some()).unwrap().text;
    assert_eq!(text, "d: dose at L2 (vein): 0.7 mg/kg × 68.5 kg dosing weight = 47.95 mg, rounded down to a multiple of 1 mg = 47 mg; within the cap of 54.8 mg for this patient; infused over 40 min.");
}

#[test]
fn a_dose_above_the_patients_cap_is_never_given() {
    // A rule file may ask for the dose of a level the patient is not allowed: the evaluation
    // fails, naming the ladder, route, level and cap, rather than output it.
    let source =
        SOURCE.replace("value dose = dose(k, highest_allowed(k, course.level))", "value dose = dose(k, course.level)");
    let p = Protocol::compile(&source).unwrap();
    let err =
        p.evaluate_json(r#"{"patient": {"weight": 25}, "course": {"route": "oral", "level": "L2"}}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "evaluation failed: decision `d`, rule `dose`: the dose of ladder `k` at L2 on `oral` would be 150 mg, above the route's cap of 125 mg for this patient; no dose is given"
    );
    // Within the cap, the same rule file gives the dose.
    let out = p.evaluate_json(r#"{"patient": {"weight": 25}, "course": {"route": "oral", "level": "L1"}}"#).unwrap();
    assert_eq!(serde_json::to_value(&out).unwrap()["decisions"]["d"]["dose"]["value"], 100);
}

#[test]
fn a_ladder_of_fixed_doses_needs_no_weight() {
    // One route, fixed doses in mg, a plain cap: no false "no cap" nor "doses per kg" error.
    let source = r#"
protocol "Fixed" version "1" status draft
source S "Label"
input course.route: one of intranasal "Route"
input course.level: one of D56 < D84 "Level"

ladder esk "Esketamine"
  levels course.level
  route course.route
  dose intranasal D56 56 mg [S]
  dose intranasal D84 84 mg [S]
  cap intranasal 84 mg
  limit intranasal 84 mg

decision d
  given course
  kinds never
  verdict no if any never
  verdict undecided if unknown never
  verdict yes otherwise
  value dose = dose(esk, highest_allowed(esk, course.level))
  never nothing "Never" when course.level = D84 and course.route != intranasal [S]
"#;
    let p = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
    let out = p.evaluate_json(r#"{"course": {"route": "intranasal", "level": "D84"}}"#).unwrap();
    assert_eq!(serde_json::to_value(&out).unwrap()["decisions"]["d"]["dose"], json!({"value": 84, "unit": "mg"}));
    // A limit per kg needs a dosing weight to be checked against.
    let d = Protocol::compile(&source.replace("limit intranasal 84 mg", "limit intranasal 1.5 mg/kg")).unwrap_err();
    assert!(d.iter().any(|d| d.message == "ladder `esk` has doses or limits per kg but no dosing weight"), "{d:#?}");
    // A cap that reads a weight the ladder does not declare is an unknown name.
    let d = Protocol::compile(&source.replace("cap intranasal 84 mg", "cap intranasal min(84 mg, 1 mg/kg * weight)"))
        .unwrap_err();
    assert!(d.iter().any(|d| d.code == "unknown-name"), "{d:#?}");
}

#[test]
fn a_ladder_of_one_route_names_no_route() {
    // No `route` entry: the ladder has one route, and its entries name none.
    let source = r#"
protocol "Fixed" version "1" status draft
source S "Label"
input course.level: one of D28 < D56 < D84 "Level"

ladder esk "Esketamine"
  levels course.level
  dose D28 28 mg [S]
  dose D56 56 mg [S]
  dose D84 84 mg [S]
  cap 84 mg
  limit 84 mg
"#
    .to_string()
        + &SOURCE[SOURCE.find("decision d").unwrap()..SOURCE.find("  value dose").unwrap()]
        + "  value dose = dose(esk, course.level)\n  never nothing \"Never\" when course.level = D84 and false [S]\n";
    let p = Protocol::compile(&source).unwrap_or_else(|d| panic!("{d:#?}"));
    let out = serde_json::to_value(p.evaluate_json(r#"{"course": {"level": "D56"}}"#).unwrap()).unwrap();
    assert_eq!(out["decisions"]["d"]["dose"], json!({"value": 56, "unit": "mg"}));
    let why = out["explanation"].as_array().unwrap();
    assert!(why.iter().any(|e| e["message"] == "Dose at D56" && e["dose"]["route"] == "esk"), "{why:#?}");
    assert_eq!(p.hard_limits("esk", "esk").map(|l| l.len()), Some(1));
    // The proof still holds every fixed dose to its limit.
    let d = Protocol::compile(&source.replace("limit 84 mg", "limit 80 mg")).unwrap_err();
    assert!(
        d.iter().any(|d| d.code == "dose-limit"
            && d.message == "D84 on `esk` gives 84 mg to every admissible patient, above the limit of 80 mg"),
        "{d:#?}"
    );
    // With several routes, each entry names its route.
    let two = source
        .replace("input course.level", "input course.route: one of nasal, oral \"Route\"\ninput course.level")
        .replace("  levels course.level\n", "  levels course.level\n  route course.route\n");
    let d = Protocol::compile(&two).unwrap_err();
    assert!(d.iter().any(|d| d.message == "ladder `esk` has several routes: name the one this entry is for"), "{d:#?}");
}
