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
        serde_json::json!([{"id": "bp_urgent", "severity": "warning", "at": "2026-11-26T10:01:00Z",
            "action": "Recheck in 5 minutes; pause dosing; tell the prescriber"}])
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

#[test]
fn the_cost_of_one_evaluation_is_bounded_before_any_document_is_read() {
    use kap_engine::limits::MAX_EVALUATION_COST;
    let protocol = reference();
    let cost = protocol.evaluation_cost();
    println!("reference protocol: {cost} node visits at most per evaluation (limit {MAX_EVALUATION_COST})");
    assert!(cost > 1_000 && cost < MAX_EVALUATION_COST / 2, "{cost}");
    // A quantifier nested in another over the 100 readings is 100 x 100 visits: one such rule
    // is within the bound, two are refused.
    let source = kap_tests::reference_source();
    let anchor = "  unmet escort \"No escort present\"\n    when not observations.escort_present [R29]\n";
    assert!(source.contains(anchor));
    let nested = "  unmet echo \"Echo\"\n    when count(r in observations.readings where count(s in observations.readings where s.systolic > r.systolic) > 50) > 50 [R29]\n";
    assert!(kap_engine::Protocol::check(&source.replacen(anchor, &format!("{anchor}{nested}"), 1)).is_empty());
    let nested = format!("{nested}{}", nested.replace("echo", "echo_again"));
    let d = kap_engine::Protocol::check(&source.replacen(anchor, &format!("{anchor}{nested}"), 1));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "too-costly");
    assert!(d[0].message.contains("`discharge` alone visits"), "{}", d[0].message);
    assert!(kap_engine::Protocol::compile(&source.replacen(anchor, &format!("{anchor}{nested}"), 1)).is_err());
    println!("{}", d[0].message);
    // Nested over the 6 sessions: within the bound.
    let small = "  stop echo \"Echo\"\n    when count(r in course.sessions where count(s in course.sessions where s.at < r.at) > 3) > 3 [P]\n";
    let anchor = "  # The course is complete.\n";
    assert!(source.contains(anchor));
    let d = kap_engine::Protocol::check(&source.replacen(anchor, &format!("{small}{anchor}"), 1));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn quantifiers_nested_over_a_list_of_no_declared_size_are_refused() {
    let source = r#"
protocol "Unbounded" version "1" status draft
source S "s"
input at: timestamp required with course "Now"
input course.sessions: list required "Sessions"
input course.sessions[].at: timestamp required "At"
decision d
  given course
  kinds k
  verdict a if any k
  verdict b if unknown k
  verdict c otherwise
  k recent "Two sessions in a day" when count(s in course.sessions where at - s.at < 1 day) >= 2 [S]
"#;
    // One quantifier over it is linear in the document: accepted.
    assert!(kap_engine::Protocol::check(source).is_empty());
    // Nested, its cost grows with the square of the document: refused, with the fix.
    let nested = source.replace(
        "count(s in course.sessions where at - s.at < 1 day) >= 2",
        "any(s in course.sessions where count(t in course.sessions where s.at - t.at < 1 day) >= 2)",
    );
    let d = kap_engine::Protocol::check(&nested);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "too-costly");
    assert_eq!(d[0].hint.as_deref(), Some("declare the list's size (`list in 0..100`)"));
    // With a declared size it is bounded, and accepted.
    assert!(kap_engine::Protocol::check(&nested.replace("list required", "list in 0..20 required")).is_empty());
}
