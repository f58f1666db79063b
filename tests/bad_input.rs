//! Bad input documents are refused with the error class and input path their
//! `.expected.json` names, never evaluated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Error;
use kap_tests::{cases, read_json, reference, root};

#[test]
fn every_bad_document_is_refused_with_its_code_and_path() {
    let protocol = reference();
    let cases = cases(&root().join("tests/bad-input"));
    assert!(cases.len() >= 20, "only {} bad-input cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(&case.input).unwrap();
        let expected = read_json(&case.expected);
        let (code, path) = (expected["error"]["code"].as_str().unwrap(), expected["error"]["path"].as_str().unwrap());
        match protocol.evaluate_json(&text) {
            Err(Error::Input(e)) if e.code == code && e.path == path => {
                assert!(!e.expected.is_empty(), "{}: the error says what was expected", case.name);
            }
            Err(e) => failures.push(format!("{}: expected {code} at `{path}`, got {e:?}", case.name)),
            Ok(out) => failures.push(format!("{}: accepted, verdicts {:?}", case.name, out.decisions)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn input_errors_name_the_path_and_what_was_expected() {
    let protocol = reference();
    let err = protocol.evaluate_json(r#"{"patient": {"age": 121}}"#).unwrap_err();
    assert_eq!(err.to_string(), "invalid input: patient.age: 121 is out of range; expected an integer in 0..120 years");
    let err = protocol.evaluate_json(r#"{"patient": {"agee": 40}}"#).unwrap_err();
    assert!(err.to_string().contains("patient.agee: no such input (did you mean `patient.age`?)"), "{err}");
    let err = protocol.evaluate_json(r#"{"patient": {"mood_episode": "Manic"}}"#).unwrap_err();
    assert!(err.to_string().contains("did you mean \"manic\""), "{err}");
    let err = protocol
        .evaluate_json(r#"{"course": {"sessions": [{"at": "2026-11-20T10:00:00Z", "level": "L9"}]}}"#)
        .unwrap_err();
    assert!(err.to_string().starts_with("invalid input: course.sessions[0].level:"), "{err}");
}

/// A document with an error in a member (given twice, not declared, `null`, of another JSON
/// type) and a value refused (out of range, not whole...) is refused for the member, wherever
/// it is: a form that can show the refused value at its field is never told that error alone,
/// and never opens a document that means something else than it shows. Of values alone, the
/// first in document order.
#[test]
fn a_member_error_is_named_before_a_refused_value() {
    let protocol = reference();
    let code_path = |doc: &str| match protocol.evaluate_json(doc) {
        Err(Error::Input(e)) => (e.code.as_str(), e.path),
        other => panic!("{doc}: {other:?}"),
    };
    let cases = [
        (r#"{"patient": {"age": 130, "weight": 68.5, "weight": 150}}"#, ("duplicate_member", "patient.weight")),
        (r#"{"patient": {"age": 130, "agee": 40}}"#, ("unknown_member", "patient.agee")),
        (r#"{"patient": {"age": 40.5, "pregnant": null}}"#, ("null_value", "patient.pregnant")),
        (r#"{"patient": {"age": 130}, "screening": {"audit": "7"}}"#, ("wrong_type", "screening.audit")),
        (
            r#"{"at": "2026-11-23T10:00:00Z", "course": {"sessions": [{"at": "2026-11-20T10:00:00Z", "level": "L9"}],
                "route": "sublingual", "route": "oral"}}"#,
            ("duplicate_member", "course.route"),
        ),
        (r#"{"patient": {"age": 130, "weight": 5}}"#, ("out_of_range", "patient.age")),
        (r#"{"patient": {"weight": 5, "age": 130}}"#, ("out_of_range", "patient.weight")),
        (r#"{"patient": {"age": 30.5, "weight": 5}}"#, ("not_whole", "patient.age")),
    ];
    for (doc, (code, path)) in cases {
        assert_eq!(code_path(doc), (code, path.to_string()), "{doc}");
    }
}

#[test]
fn structure_allows_ties_and_empty_lists() {
    let protocol = reference();
    let doc = r#"{"at": "2026-11-23T10:00:00Z", "course": {"sessions": [
        {"at": "2026-11-20T10:00:00Z"}, {"at": "2026-11-20T10:00:00Z"}, {"at": "2026-11-23T10:00:00Z"}]}}"#;
    assert!(protocol.evaluate_json(doc).is_ok(), "{:?}", protocol.evaluate_json(doc).err());
    let doc = r#"{"at": "2026-11-23T10:00:00Z", "course": {"sessions": []}, "observations": {"readings": []}}"#;
    assert!(protocol.evaluate_json(doc).is_ok());
    // Without course or observations, `at` may be absent.
    assert!(protocol.evaluate_json(r#"{"patient": {"age": 40}}"#).is_ok());
}
