//! The conformance corpus: every document under `tests/corpus/` evaluated by the shipped
//! reference protocol gives the decisions its `.expected.json` names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_tests::{cases, read_json, reference, root};
use serde_json::Value;

#[test]
fn every_corpus_document_gives_the_expected_outcome_of_each_decision_the_protocol_declares() {
    let protocol = reference();
    let declared: Vec<String> = protocol.program().decisions.iter().map(|d| d.name.clone()).collect();
    let cases = cases(&root().join("tests/corpus"));
    assert!(cases.len() > 100, "the corpus has only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut not_yet = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(&case.input).unwrap();
        let out = match protocol.evaluate_json(&text) {
            Ok(out) => serde_json::to_value(&out).unwrap(),
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.name));
                continue;
            }
        };
        let expected = read_json(&case.expected);
        let want = expected["decisions"].as_object().unwrap();
        let got = out["decisions"].as_object().unwrap();
        for (name, decision) in want {
            if !declared.contains(name) {
                not_yet.push(format!("{}: {name}", case.name));
                continue;
            }
            match got.get(name) {
                Some(g) if g == decision => {}
                Some(g) => failures.push(format!("{}: {name}\n  expected {decision}\n  got      {g}", case.name)),
                None => failures.push(format!("{}: {name} is missing from the output", case.name)),
            }
        }
        for name in got.keys() {
            if !want.contains_key(name) {
                failures.push(format!("{}: unexpected decision {name}: {}", case.name, got[name]));
            }
        }
        // The contract's other fields.
        assert_eq!(out["protocol"]["name"], Value::from("KAP reference"));
        assert_eq!(out["protocol"]["sha256"].as_str().map(str::len), Some(64));
        assert!(out["engine"].is_string());
    }
    // Expectations of decisions the shipped rules do not declare yet (the session,
    // monitoring and follow-up of the worked examples) are listed, not silently passed.
    if !not_yet.is_empty() {
        println!(
            "{} expected decisions not declared by the shipped rules yet:\n  {}",
            not_yet.len(),
            not_yet.join("\n  ")
        );
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
