//! `kap eval --fhir` and `kap check` on a FHIR mapping, run as a process: the FHIR R4
//! Bundles of tests/fhir/ mapped by the shipped rules/fhir-mapping.toml and decided by the
//! shipped protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{kap, root, text, RULES};
use serde_json::Value;

/// The time of every decision here: the morning of the session in tests/fhir/session.json.
const AT: &str = "--at=2026-12-01T09:00:00Z";

/// `kap eval --fhir BUNDLE` (plus `extra`), its decisions JSON and its standard error.
fn eval(bundle: &str, extra: &[&str]) -> (Value, String) {
    let path = format!("tests/fhir/{bundle}");
    let mut args = vec!["eval", RULES, "--fhir", &path, AT];
    args.extend(extra);
    let out = kap(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (serde_json::from_slice(&out.stdout).unwrap(), text(&out.stderr))
}

fn eligibility(bundle: &str) -> Value {
    eval(bundle, &[]).0["decisions"]["eligibility"].clone()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

#[test]
fn an_eligible_patient_is_eligible_with_nothing_missing() {
    let e = eligibility("eligible.json");
    assert_eq!(e["verdict"], "eligible", "{e}");
    assert_eq!(e["missing"], serde_json::json!([]));
}

#[test]
fn an_active_manic_episode_excludes_and_an_maoi_is_a_caution() {
    let e = eligibility("excluded.json");
    assert_eq!(e["verdict"], "ineligible");
    assert_eq!(strings(&e["exclusions"]), ["mania"]);
    assert_eq!(strings(&e["cautions"]), ["pressor_interaction"]);
}

#[test]
fn missing_data_is_indeterminate_and_named_never_guessed() {
    let e = eligibility("missing.json");
    assert_eq!(e["verdict"], "indeterminate");
    let missing = strings(&e["missing"]);
    // No Condition on record is not "no psychotic disorder", no medication list is not "no MAOI".
    for path in ["patient.psychotic_disorder_history", "patient.maoi", "patient.bipolar", "screening.audit"] {
        assert!(missing.contains(&path), "{path} not in {missing:?}");
    }
    // What the Bundle carries is read: age from birthDate, the weight.
    assert!(!missing.contains(&"patient.age"));
}

#[test]
fn refuted_entered_in_error_and_long_resolved_conditions_do_not_count() {
    let e = eligibility("refuted.json");
    assert_eq!(e["verdict"], "eligible", "{e}");
    let (mapped, _) = eval("refuted.json", &["--mapped"]);
    let patient = &mapped["document"]["patient"];
    assert_eq!(patient["psychotic_disorder_history"], false, "from the intake answer only");
    assert_eq!(patient["bipolar"], false);
    assert_eq!(patient["substance_use_disorder_past_90_days"], false);
}

#[test]
fn a_weight_in_pounds_is_converted_exactly_and_stale_or_centimetre_weights_are_ignored() {
    let (mapped, stderr) = eval("weight-lb.json", &["--mapped"]);
    assert_eq!(mapped["document"]["patient"]["weight"].to_string(), "70.0119823095");
    let read: Vec<&Value> =
        mapped["read"].as_array().unwrap().iter().filter(|r| r["path"] == "patient.weight").collect();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["resource"], "Observation/weight-lb");
    assert_eq!(read[0]["code"], "http://loinc.org|29463-7");
    assert_eq!(read[0]["shown"], "154.35 lb = 70.0119823095 kg on 2026-11-28");
    assert!(stderr.contains("Observation/weight-cm ignored for patient.weight: unit 'cm' not convertible to kg"));
    assert!(!stderr.contains("154") && !stderr.contains("170"), "notes name resources, never values: {stderr}");
}

#[test]
fn a_ketamine_order_proceeds_at_the_next_level_with_its_dose() {
    let (out, _) = eval("session.json", &["--draft-orders", "tests/fhir/draft-order-im.json"]);
    let s = &out["decisions"]["session"];
    assert_eq!(s["verdict"], "proceed", "{s}");
    assert_eq!(s["number"], 3);
    assert_eq!(s["level"], "L2");
    assert_eq!(s["level_change"], "escalate");
    // 72.5 kg x 0.6 mg/kg = 43.5 mg, rounded down to a multiple of 5 mg for IM.
    assert_eq!(s["dose"]["value"], 40);
}

#[test]
fn todays_pressure_is_the_reading_within_two_hours_not_an_older_one() {
    let (mapped, _) = eval("session.json", &["--mapped", "--draft-orders", "tests/fhir/draft-order-im.json"]);
    let doc = &mapped["document"];
    assert_eq!(doc["today"]["systolic"], 128, "the 182/112 reading of 05:30 is outside the window");
    assert_eq!(doc["patient"]["screening_systolic"], 126, "mean of 124 and 127, rounded half away from zero");
    assert_eq!(doc["course"]["route"], "intramuscular");
    assert_eq!(doc["course"]["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(doc["at"], "2026-12-01T09:00:00Z");
}

#[test]
fn sessions_without_an_order_leave_the_route_to_be_named() {
    let (out, _) = eval("session.json", &[]);
    let s = &out["decisions"]["session"];
    assert_eq!(s["verdict"], "indeterminate");
    assert_eq!(strings(&s["missing"]), ["course.route"]);
}

#[test]
fn the_shipped_mapping_checks_clean() {
    let out = kap(&["check", "rules/fhir-mapping.toml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("rules/fhir-mapping.toml: ok"));
}

/// A copy of the shipped mapping with `edit` applied, written where the protocol is found.
fn edited_mapping(name: &str, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let shipped = std::fs::read_to_string(root().join("rules/fhir-mapping.toml")).unwrap();
    let rules = root().join("rules/kap-reference.kap");
    let text = edit(&shipped).replace(
        "protocol = \"kap-reference.kap\"",
        &format!("protocol = {}", Value::String(rules.display().to_string())),
    );
    let dir = std::env::temp_dir().join(format!("kap-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_names_an_undeclared_path_and_a_wrong_unit_with_line_and_column() {
    let path = edited_mapping("bad.toml", |t| {
        t.replacen("path = \"patient.bmi\"", "path = \"patient.body_mass\"", 1).replacen(
            "within = \"365 days\"\nunit = \"kg\"\n",
            "within = \"365 days\"\nunit = \"mm[Hg]\"\n",
            1,
        )
    });
    let file = path.display().to_string();
    let out = kap(&["check", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let source = std::fs::read_to_string(&path).unwrap();
    let line_of = |needle: &str| source.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(
        stderr.contains("error[unit-mismatch]: `patient.weight` is in kg; UCUM `mm[Hg]` is not that unit"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{file}:{}:8", line_of("unit = \"mm[Hg]\""))), "{stderr}");
    assert!(stderr.contains("error[unknown-name]: the protocol declares no input `patient.body_mass`"), "{stderr}");
    assert!(stderr.contains(&format!("{file}:{}:8", line_of("patient.body_mass"))), "{stderr}");

    let json = kap(&["check", "--format", "json", &file]);
    let diagnostics: Value = serde_json::from_slice(&json.stdout).unwrap();
    let codes: Vec<&str> = diagnostics.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"unit-mismatch") && codes.contains(&"unknown-name"), "{codes:?}");
    assert!(diagnostics.as_array().unwrap().iter().all(|d| d["line"].as_u64().unwrap() > 1 && d["column"] == 8));
}

#[test]
fn check_refuses_an_empty_code_set_and_a_choice_the_protocol_lacks() {
    let path = edited_mapping("empty.toml", |t| {
        t.replacen("codes = [\"loinc|39156-5\"]", "codes = []", 1).replacen("= \"uncontrolled\" }", "= \"severe\" }", 1)
    });
    let out = kap(&["check", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("an empty code set matches nothing"), "{stderr}");
    assert!(stderr.contains("`severe` is not a choice of `patient.glaucoma`"), "{stderr}");
}

#[test]
fn check_refuses_codes_that_would_silently_match_nothing() {
    let path = edited_mapping("typos.toml", |t| {
        t.replacen("\"icd10cm|F31*\"", "\"icd10cm|f31*\"", 1)
            .replacen("\"loinc|39156-5\"", "\"loinc|39156-5 \"", 1)
            .replacen("mean_of = 2", "mean_of = 0", 1)
            .replacen("\"icd10cm|F20*\"", "\"icd10cm|F2*0\"", 1)
            .replacen("path = \"patient.weight\"", "path = \"patient.wieght\"", 1)
            .replacen("unit = \"mm[Hg]\"", "unit = \"mmHg\"", 1)
    });
    let out = kap(&["check", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "`icd10cm|f31*`: codes of this system are upper case: this one would match nothing",
        "hint: write `icd10cm|F31*`",
        "`loinc|39156-5 `: a code has no spaces",
        "hint: write `loinc|39156-5`",
        "`mean_of = 0` is the mean of no reading",
        "`icd10cm|F2*0`: `*` stands only at the end of a code",
        "the protocol declares no input `patient.wieght`",
        "hint: did you mean `patient.weight`?",
        "`mmHg` is not a UCUM unit this mapping knows",
        "write unit = \"mm[Hg]\"",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

#[test]
fn a_reading_outside_its_window_is_left_out_with_a_note_naming_it() {
    let out = kap(&["eval", RULES, "--fhir", "tests/fhir/eligible.json", "--at=2027-06-01T09:00:00Z"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: screening.phq9: left out: Observation/phq9-1 in the record, outside the mapping's window (within 120 days before the decision)"),
        "{stderr}"
    );
    let decisions: Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing = strings(&decisions["decisions"]["eligibility"]["missing"]);
    assert!(missing.contains(&"patient.screening_systolic"), "{missing:?}");
    assert!(stderr.contains("note: patient.screening_systolic: left out: Observation/bp-screen-1 and 1 more in the record, outside the mapping's window (within 90 days before the decision)"), "{stderr}");
}

#[test]
fn a_condition_read_shows_the_value_it_gave_and_the_diagnosis() {
    let (mapped, _) = eval("excluded.json", &["--mapped"]);
    let shown: Vec<&str> = mapped["read"].as_array().unwrap().iter().filter_map(|r| r["shown"].as_str()).collect();
    assert!(
        shown.contains(&"manic: Condition F31.2 (Bipolar disorder, current episode manic severe with psychotic features), clinical status active"),
        "{shown:#?}"
    );
}
