//! The largest documents the reference protocol's declarations allow (6 sessions given, 100
//! readings with every member) are evaluated in full; one item more is refused. Their time
//! is measured in the benchmark (`evaluate the largest document`), never asserted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_tests::{reference, root};
use serde_json::Value;

fn largest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/large/largest-course.json")).unwrap()).unwrap()
}

#[test]
fn the_largest_document_is_evaluated_in_full() {
    let protocol = reference();
    let doc = largest();
    assert_eq!(doc["course"]["sessions"].as_array().unwrap().len(), 6);
    assert_eq!(doc["observations"]["readings"].as_array().unwrap().len(), 100);
    let out = serde_json::to_value(protocol.evaluate_json(&doc.to_string()).unwrap()).unwrap();
    let d = &out["decisions"];
    assert_eq!(d["eligibility"]["verdict"], "eligible");
    // Six sessions given: the course is complete.
    assert_eq!(d["session"]["verdict"], "complete");
    assert_eq!(d["session"]["reasons"], serde_json::json!(["course_complete"]));
    // 185/112 at the 20th reading (10:01) raises bp_urgent there, once; the last two
    // readings are 1 min apart, so the pressure is not shown stable for discharge.
    assert_eq!(
        d["monitoring"]["alerts"],
        serde_json::json!([{"id": "bp_urgent", "severity": "warning", "at": "2026-11-26T10:01:00Z"}])
    );
    assert_eq!(d["monitoring"]["discharge"]["verdict"], "not_ready");
    assert_eq!(d["monitoring"]["discharge"]["unmet"], serde_json::json!(["bp_stable"]));
    // The same document always gives the same bytes.
    let again = serde_json::to_value(protocol.evaluate_json(&doc.to_string()).unwrap()).unwrap();
    assert_eq!(out, again);
}

#[test]
fn one_item_more_than_declared_is_refused() {
    let protocol = reference();
    for (list, path) in [("readings", "observations"), ("sessions", "course")] {
        let mut doc = largest();
        let items = doc[path][list].as_array_mut().unwrap();
        let last = items.last().unwrap().clone();
        items.push(last);
        let err = protocol.evaluate_json(&doc.to_string()).unwrap_err().to_string();
        assert!(err.contains(&format!("{path}.{list}")) && err.contains("items"), "{err}");
    }
}
