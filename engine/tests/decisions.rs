//! Decisions that read other decisions, verdict tiers with `when` conditions, the reasons of
//! the verdict's tier, output values, and missing inputs joined from another decision.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Decisions" version "1" status draft
source S "s"
input at: timestamp required with course "Now"
input patient.age: integer years in 0..120 "Age"
input course.sessions: list in 0..6 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"
input today.escort: boolean "Escort"
input today.phq9: integer in 0..27 "PHQ-9"

decision eligibility
  given patient
  list exclusions of exclude
  verdict ineligible if any exclude
  verdict indeterminate if unknown exclude
  verdict eligible otherwise
  exclude minor "Minor" when patient.age < 18 years [S]

decision session
  given course
  value number = count(course.sessions) + 1
  list reasons of verdict
  kinds stop, complete, hold
  list warnings of warning advisory
  verdict stop if any stop
  verdict complete if any complete
  verdict hold if any hold
  verdict indeterminate if unknown stop or unknown complete or unknown hold
    or when eligibility.verdict = indeterminate
  verdict proceed otherwise
  value first_at = course.sessions[0].at for proceed, hold
  missing of eligibility when eligibility.verdict = indeterminate
  stop ineligible "Ineligible" when eligibility.verdict = ineligible [S]
  complete course_complete "Six given" when count(course.sessions) >= 6 [S]
  hold no_escort "No escort" when not today.escort [S]
  hold too_soon "Too soon" when count(course.sessions) >= 1 and at - course.sessions[-1].at < 48 h [S]
  warning low_mood "Low mood" when today.phq9 >= 20 [S]
"#;

fn run(patient: Option<Value>, sessions: usize, today: Value) -> Value {
    let protocol = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let sessions: Vec<Value> =
        (0..sessions).map(|i| json!({"at": format!("2026-11-{:02}T10:00:00Z", 10 + i)})).collect();
    let mut doc = json!({"at": "2026-11-23T10:00:00Z", "course": {"sessions": sessions}, "today": today});
    if let Some(p) = patient {
        doc["patient"] = p;
    }
    let out = protocol.evaluate_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&out).unwrap()["decisions"].clone()
}

#[test]
fn a_decision_reads_an_earlier_one_that_is_not_output() {
    let d = run(None, 2, json!({"escort": true, "phq9": 5}));
    assert!(d.get("eligibility").is_none(), "no patient group: eligibility is not output");
    assert_eq!(
        d["session"],
        json!({"verdict": "indeterminate", "number": 3, "reasons": [], "warnings": [], "missing": ["patient.age"]})
    );
}

#[test]
fn reasons_are_the_true_rules_of_the_verdicts_tier_and_values_follow_their_verdicts() {
    let d = run(Some(json!({"age": 40})), 2, json!({"escort": false, "phq9": 22}));
    assert_eq!(
        d["session"],
        json!({"verdict": "hold", "number": 3, "reasons": ["no_escort"], "warnings": ["low_mood"],
               "first_at": "2026-11-10T10:00:00Z", "missing": []})
    );
    let d = run(Some(json!({"age": 16})), 2, json!({"escort": false, "phq9": 5}));
    assert_eq!(
        d["session"],
        json!({"verdict": "stop", "number": 3, "reasons": ["ineligible"], "warnings": [], "missing": []})
    );
    let d = run(Some(json!({"age": 40})), 6, json!({"escort": true, "phq9": 5}));
    assert_eq!(d["session"]["verdict"], "complete");
    assert_eq!(d["session"]["reasons"], json!(["course_complete"]));
    let d = run(Some(json!({"age": 40})), 2, json!({"escort": true, "phq9": 5}));
    assert_eq!(d["session"]["verdict"], "proceed");
    assert_eq!(d["session"]["first_at"], "2026-11-10T10:00:00Z");
}

#[test]
fn the_output_keeps_the_declared_order() {
    let d = run(Some(json!({"age": 40})), 1, json!({"escort": true}));
    let keys: Vec<&String> = d["session"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["verdict", "number", "reasons", "warnings", "first_at", "missing"]);
    // An advisory warning that cannot be decided names its input but changes nothing.
    assert_eq!(d["session"]["verdict"], "proceed");
    assert_eq!(d["session"]["missing"], json!(["today.phq9"]));
}

#[test]
fn an_unknown_reason_makes_the_session_indeterminate() {
    let d = run(Some(json!({"age": 40})), 1, json!({"phq9": 5}));
    assert_eq!(d["session"]["verdict"], "indeterminate");
    assert_eq!(d["session"]["missing"], json!(["today.escort"]));
    assert!(d["session"].get("first_at").is_none());
}

#[test]
fn decision_references_are_checked() {
    let broken = SOURCE.replace("when eligibility.verdict = ineligible", "when eligibility.verdict = inelegible");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].code, "unknown-choice");
    assert_eq!(
        d[0].hint.as_deref(),
        Some("did you mean `ineligible`? `eligibility.verdict` is one of ineligible, indeterminate, eligible")
    );
    let broken = SOURCE.replace("missing of eligibility", "missing of eligibilty");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].message, "no input or definition named `eligibilty`");
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `eligibility`?"));
    let broken = SOURCE.replace("for proceed, hold", "for proceed, hodl");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `hold`?"));
}

#[test]
fn an_evaluation_that_fails_names_the_line_and_column_of_its_expression() {
    let source = r#"protocol "Overflow" version "1" status draft
source S "s"
input patient.weight: decimal kg in 20..300 "Weight"
decision d
  given patient
  kinds k
  verdict yes if any k
  verdict unsure if unknown k
  verdict no otherwise
  k huge "Huge"
    when patient.weight * 99999999999999999999999999 * 1000 > 1 kg [S]
"#;
    let p = kap_engine::Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
    let err = p.evaluate_json(r#"{"patient": {"weight": 70}}"#).unwrap_err();
    let kap_engine::Error::Evaluation(e) = &err else { panic!("{err}") };
    assert_eq!((e.decision.as_str(), e.rule.as_str(), e.line, e.column), ("d", "huge", Some(11), Some(10)), "{err}");
    assert!(err.to_string().contains("rule `huge` (line 11, column 10)"), "{err}");
    assert!(err.to_string().contains("overflows"), "{err}");
}

/// A verdict taken by a `when` condition is taken when the condition is unknown too (fail
/// closed): the checker refuses one that would let a patient through that way (tone `ok` or
/// `caution`), unless the condition is never unknown (`(...) is true`, `x is missing`).
#[test]
fn a_verdict_on_a_condition_that_can_be_unknown_never_lets_a_patient_through() {
    let head = "protocol \"Gate\" version \"1\" status draft\n\
                input labs.egfr: decimal mL/min in 0..200 \"eGFR\"\n\
                input labs.pregnant: boolean \"Pregnant\"\n\
                decision gate\n  given labs\n";
    let check = |verdicts: &str| {
        let source = format!("{head}{verdicts}");
        let errors: Vec<_> = Protocol::check(&source).into_iter().filter(|d| d.is_error()).collect();
        errors
            .iter()
            .map(|d| (d.code.as_str().to_string(), source.get(d.span.start..d.span.end).unwrap_or("").to_string()))
            .collect::<Vec<_>>()
    };
    let refused = |condition: &str| vec![("fail-open".to_string(), condition.to_string())];
    // Permissive first: an unknown eGFR or pregnancy would be `eligible`.
    assert_eq!(
        check("  verdict eligible if when labs.egfr >= 30 mL/min and labs.pregnant = false tone ok\n  verdict ineligible otherwise tone stop\n"),
        refused("labs.egfr >= 30 mL/min and labs.pregnant = false")
    );
    assert_eq!(
        check("  verdict fine if when labs.pregnant = false tone caution\n  verdict unsure otherwise\n"),
        refused("labs.pregnant = false")
    );
    // Another decision's verdict said not to be one: true for `indeterminate` too.
    let reads = "decision next\n  given labs\n  verdict go if when gate.verdict != no tone ok\n  verdict wait otherwise tone hold\n";
    let gate = "  verdict no if when labs.egfr < 30 mL/min tone stop\n  verdict unsure if when labs.pregnant is missing tone unknown\n  verdict yes otherwise tone ok\n";
    assert_eq!(check(&format!("{gate}{reads}")), refused("gate.verdict != no"));
    assert_eq!(check(&format!("{gate}{}", reads.replace("!= no", "= yes"))), vec![]);
    // Held back when unknown: fail closed, accepted.
    assert_eq!(
        check("  verdict no if when labs.egfr < 30 mL/min tone stop\n  verdict yes otherwise tone ok\n"),
        vec![]
    );
    // Never unknown: accepted, and given only when known to hold.
    let known = "  verdict yes if when (labs.egfr >= 30 mL/min and labs.pregnant = false) is true tone ok\n  verdict no otherwise tone stop\n";
    assert_eq!(check(known), vec![]);
    assert_eq!(check("  verdict ask if when labs.egfr is missing tone ok\n  verdict no otherwise tone stop\n"), vec![]);
    let protocol = Protocol::compile(&format!("{head}{known}")).unwrap();
    let verdict = |doc: &str| protocol.evaluate_json(doc).unwrap().decisions["gate"].verdict.clone();
    assert_eq!(verdict(r#"{"labs": {"egfr": 90}}"#), "no");
    assert_eq!(verdict(r#"{"labs": {"egfr": 90, "pregnant": false}}"#), "yes");
}

/// A rule of a kind that decides the verdict, written so that it is never unknown (`x is
/// true`), decides a missing input as one side and never names it: a warning, at the rule.
#[test]
fn a_rule_that_is_never_unknown_is_warned_about() {
    let source = |rule: &str| {
        format!(
            "protocol \"Gate\" version \"1\" status draft\nsource S \"s\"\n\
             input labs.egfr: decimal mL/min in 0..200 \"eGFR\"\ninput labs.pregnant: boolean \"Pregnant\"\n\
             decision gate\n  given labs\n  list exclusions of exclude\n  verdict no if any exclude tone stop\n\
             \x20 verdict unsure if unknown exclude tone unknown\n  verdict yes otherwise tone ok\n  {rule} [S]\n"
        )
    };
    let warned = |rule: &str| {
        let source = source(rule);
        Protocol::check(&source)
            .into_iter()
            .map(|d| {
                (
                    d.severity,
                    d.code.as_str().to_string(),
                    source.get(d.span.start..d.span.end).unwrap_or("").to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    for rule in [
        "exclude pregnancy \"Pregnant\" when labs.pregnant is true",
        "exclude renal \"Low eGFR\" when not ((labs.egfr >= 30 mL/min) is true)",
        "exclude untested \"No eGFR\" when labs.egfr is missing",
    ] {
        assert_eq!(
            warned(rule),
            vec![(kap_engine::Severity::Warning, "fail-open".to_string(), format!("{rule} [S]"))],
            "{rule}"
        );
    }
    // Unknown when an input is missing, as a rule that decides is meant to be: no warning.
    for rule in [
        "exclude pregnancy \"Pregnant\" when labs.pregnant",
        "exclude renal \"Low eGFR\" when labs.pregnant and (labs.egfr >= 30 mL/min) is true",
    ] {
        assert_eq!(warned(rule), vec![], "{rule}");
    }
    // And it is what the warning says: the missing input is not named, the verdict given.
    let protocol = Protocol::compile(&source("exclude pregnancy \"Pregnant\" when labs.pregnant is true")).unwrap();
    let out = protocol.evaluate_json(r#"{"labs": {"egfr": 90}}"#).unwrap();
    assert_eq!((out.decisions["gate"].verdict.as_str(), out.decisions["gate"].missing.len()), ("yes", 0));
}

/// A verdict given by its `when` condition, not by rules, is explained by that condition: the
/// condition as written, what it read, and, when it was unknown, what it missed.
#[test]
fn a_verdict_given_by_its_condition_is_explained() {
    let source = "protocol \"Gate\" version \"1\" status draft\nsource S \"s\"\n\
                  input labs.egfr: decimal mL/min in 0..200 \"eGFR\"\n\
                  decision gate\n  given labs\n  list holds of hold\n\
                  \x20 verdict wait if any hold or when labs.egfr < 60 mL/min\n    tone hold\n\
                  \x20 verdict indeterminate if unknown hold tone unknown\n  verdict go otherwise tone ok\n\
                  \x20 hold never \"Never\" when labs.egfr > 500 mL/min [S]\n";
    let protocol = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
    let verdict_entries = |doc: &str| {
        let out = protocol.evaluate_json(doc).unwrap();
        let entries: Vec<_> = out.explanation.iter().filter(|e| e.kind == "verdict").cloned().collect();
        (out.decisions["gate"].verdict.clone(), entries)
    };
    let (verdict, entries) = verdict_entries(r#"{"labs": {"egfr": 45}}"#);
    assert_eq!(verdict, "wait");
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0].rule, "wait");
    assert_eq!(entries[0].message, "labs.egfr < 60 mL/min");
    assert_eq!(entries[0].text, "gate: verdict `wait` fired: labs.egfr < 60 mL/min. Read: labs.egfr = 45 mL/min.");
    // Unknown: given all the same (fail closed), and what it missed is named.
    let (verdict, entries) = verdict_entries(r#"{"labs": {}}"#);
    assert_eq!((verdict.as_str(), entries.len()), ("wait", 1));
    assert_eq!(entries[0].missing, vec!["labs.egfr".to_string()]);
    assert!(
        entries[0].text.starts_with("gate: verdict `wait` is undetermined: labs.egfr < 60 mL/min."),
        "{}",
        entries[0].text
    );
    // Given by another verdict, or by rules: no such entry.
    assert_eq!(verdict_entries(r#"{"labs": {"egfr": 90}}"#), ("go".to_string(), Vec::new()));
}

/// A verdict that lets a patient through placed before one that holds back more overrides it
/// whenever both hold: a warning naming both.
#[test]
fn a_permissive_verdict_before_a_stricter_one_is_warned_about() {
    let source = |verdicts: &str| {
        format!(
            "protocol \"Gate\" version \"1\" status draft\nsource S \"s\"\n\
             input labs.age: integer years in 0..120 \"Age\"\ninput labs.pregnant: boolean \"Pregnant\"\n\
             decision gate\n  given labs\n  list exclusions of exclude\n{verdicts}\
             \x20 exclude pregnancy \"Pregnant\" when labs.pregnant [S]\n"
        )
    };
    let warnings = |verdicts: &str| {
        Protocol::check(&source(verdicts)).into_iter().map(|d| (d.severity, d.message)).collect::<Vec<_>>()
    };
    assert_eq!(
        warnings("  verdict adult if when (labs.age >= 18 years) is true tone ok\n  verdict no if any exclude tone stop\n  verdict unsure if unknown exclude tone unknown\n  verdict minor otherwise tone hold\n"),
        vec![(
            kap_engine::Severity::Warning,
            "verdict `adult` comes before `no`, which holds back more".to_string()
        )]
    );
    assert_eq!(
        warnings("  verdict no if any exclude tone stop\n  verdict unsure if unknown exclude tone unknown\n  verdict yes otherwise tone ok\n"),
        vec![]
    );
}
