//! Choices are ordered only when declared so (`one of a < b < c`): `<`, `>`, `next` and
//! `previous` on other choices are errors that say how to declare the order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::Value;

fn source(level: &str, rule: &str) -> String {
    format!(
        r#"
protocol "P" version "1" status draft
source S "Label"
input course.level: {level} "Level"
input today.level: {level} "Level today"

decision d
  given course
  kinds hold
  verdict held if any hold
  verdict undecided if unknown hold
  verdict go otherwise
  hold up "Up" when {rule} [S]
"#
    )
}

fn held(p: &Protocol, doc: &str) -> Value {
    serde_json::to_value(p.evaluate_json(doc).unwrap()).unwrap()["decisions"]["d"]["verdict"].clone()
}

#[test]
fn declared_order_compares_and_steps() {
    let ordered = "one of D28 < D56 < D84";
    let p = Protocol::compile(&source(ordered, "today.level > course.level and today.level != next(course.level)"))
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(held(&p, r#"{"course": {"level": "D28"}, "today": {"level": "D84"}}"#), "held");
    assert_eq!(held(&p, r#"{"course": {"level": "D28"}, "today": {"level": "D56"}}"#), "go");
    // Names alone order nothing: choices named like levels are ordered by their declaration.
    let p = Protocol::compile(&source("one of L2 < L1 < L0", "previous(course.level) = L2 and L0 > L1"))
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(held(&p, r#"{"course": {"level": "L1"}}"#), "held");
}

#[test]
fn undeclared_order_is_an_error_saying_how_to_declare_it() {
    for rule in ["today.level > course.level", "D28 < D56", "next(course.level) = D84", "previous(today.level) = D28"] {
        for level in ["one of D28, D56, D84", "one of L0, L1, L2"] {
            let rule = if level.contains("L0") {
                rule.replace("D28", "L0").replace("D56", "L1").replace("D84", "L2")
            } else {
                rule.to_string()
            };
            let d = Protocol::compile(&source(level, &rule)).unwrap_err();
            let e = d.iter().find(|d| d.code == "type").unwrap_or_else(|| panic!("{rule}: {d:#?}"));
            assert!(e.message.contains("needs choices declared in order"), "{e:#?}");
            let want = if level.contains("L0") { "`one of L0 < L1 < L2`" } else { "`one of D28 < D56 < D84`" };
            assert!(e.hint.as_deref().is_some_and(|h| h.contains(want)), "{e:#?}");
        }
    }
    // Verdicts are not ordered.
    let verdicts = source("one of a < b", "course.level > a") + "decision e\n  kinds k\n  verdict x if any k\n  verdict z if unknown k\n  verdict y otherwise\n  k r \"R\" when d.verdict > go [S]\n";
    let d = Protocol::compile(&verdicts).unwrap_err();
    assert!(d.iter().any(|d| d.message.contains("`d.verdict` is one of")), "{d:#?}");
}

#[test]
fn a_ladder_needs_its_levels_in_order() {
    let rules = r#"
protocol "P" version "1" status draft
source S "Label"
input course.level: one of D56, D84 "Level"

ladder esk
  levels course.level
  dose D56 56 mg [S]
  dose D84 84 mg [S]
  cap 84 mg
"#;
    let d = Protocol::compile(rules).unwrap_err();
    assert!(
        d.iter()
            .any(|d| d.code == "ladder" && d.hint.as_deref() == Some("declare `course.level` as `one of D56 < D84`")),
        "{d:#?}"
    );
    // A mixed list is a syntax error.
    assert!(Protocol::compile(&rules.replace("D56, D84", "D28, D56 < D84")).is_err());
}
