//! The conformance corpus: every document under `tests/corpus/` evaluated by the shipped
//! reference protocol gives the decisions its `.expected.json` names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_tests::{cases, read_json, reference, root};
use serde_json::Value;

#[test]
fn every_corpus_document_gives_its_expected_decisions() {
    let protocol = reference();
    let cases = cases(&root().join("tests/corpus"));
    assert!(cases.len() > 250, "the corpus has only {} cases", cases.len());
    let mut failures = Vec::new();
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
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// `Protocol::decide` (no explanation, for batches and `kap diff`) makes the same decisions
/// as `Protocol::evaluate` on every corpus document, and explains nothing.
#[test]
fn deciding_without_an_explanation_gives_the_same_decisions() {
    let protocol = reference();
    for case in cases(&root().join("tests/corpus")) {
        let text = std::fs::read_to_string(&case.input).unwrap();
        let json = kap_engine::input::json::parse(&text).unwrap();
        let (quick, full) = (protocol.decide(&json).unwrap(), protocol.evaluate(&json).unwrap());
        assert_eq!(quick.decisions, full.decisions, "{}", case.name);
        assert!(quick.explanation.is_empty(), "{}", case.name);
    }
}
