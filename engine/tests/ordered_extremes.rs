//! `min` and `max` over choices declared in order, and the level-rise proof reading them:
//! a level requested by the prescriber, bounded by one step above the previous session's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

/// A protocol of one ladder whose level today is `level`.
fn source(levels: &str, level: &str) -> String {
    format!(
        r#"
protocol "Fixed" version "1" status draft
source S "Label"
input course.sessions: list in 0..10 "Sessions given"
input course.sessions[].level: {levels} "Level given"
input today.requested: {levels} "Level requested"

ladder esk "Esketamine"
  levels course.sessions[].level
  dose D28 28 mg [S]
  dose D56 56 mg [S]
  dose D84 84 mg [S]
  cap 84 mg
  limit 84 mg

define today_level = {level}

decision session
  given today
  kinds hold
  verdict held if any hold
  verdict undecided if unknown hold
  verdict proceed otherwise
  value level = today_level
  value dose = dose(esk, today_level)
  hold never "Never" when today.requested = D84 and false [S]
"#
    )
}

const ORDERED: &str = "one of D28 < D56 < D84";
const REQUESTED: &str =
    "choose when count(course.sessions) = 0 then D56 otherwise min(today.requested, next(course.sessions[-1].level))";

fn decide(p: &Protocol, doc: &str) -> Value {
    serde_json::to_value(p.evaluate_json(doc).unwrap()).unwrap()["decisions"]["session"].clone()
}

#[test]
fn min_and_max_of_ordered_choices_follow_the_declared_order() {
    let p = Protocol::compile(&source(ORDERED, REQUESTED)).unwrap_or_else(|d| panic!("{d:#?}"));
    let after = |previous: &str, requested: &str| after_in(&p, previous, requested);
    // The request, when it is at most one step above the previous level.
    assert_eq!(after("D56", "D84")["level"], "D84");
    assert_eq!(after("D84", "D56")["level"], "D56");
    assert_eq!(after("D28", "D28")["dose"], json!({"value": 28, "unit": "mg"}));
    // One step above the previous level, when more is requested.
    assert_eq!(after("D28", "D84")["level"], "D56");
    // The first session's level, whatever is requested.
    assert_eq!(decide(&p, r#"{"course": {"sessions": []}, "today": {"requested": "D84"}}"#)["level"], "D56");
    // No request: no level.
    let out = decide(&p, r#"{"course": {"sessions": [{"level": "D56"}]}, "today": {}}"#);
    assert_eq!(out.get("level"), None, "{out:#}");
    // `max` orders the same way, and so do constants the checker folds.
    let high = "hold high \"High\" when max(today.requested, course.sessions[-1].level) = D84 [S]";
    let p = Protocol::compile(
        &source(ORDERED, REQUESTED).replace("hold never \"Never\" when today.requested = D84 and false [S]", high),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(after_in(&p, "D84", "D28")["verdict"], "held");
    assert_eq!(after_in(&p, "D56", "D28")["verdict"], "proceed");
    let p = Protocol::compile(&source(ORDERED, "min(max(D28, D84), next(course.sessions[-1].level))"))
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(decide(&p, r#"{"course": {"sessions": [{"level": "D28"}]}, "today": {}}"#)["level"], "D56");
}

fn after_in(p: &Protocol, previous: &str, requested: &str) -> Value {
    decide(
        p,
        &format!(
            r#"{{"course": {{"sessions": [{{"level": "{previous}"}}]}}, "today": {{"requested": "{requested}"}}}}"#
        ),
    )
}

#[test]
fn min_of_choices_needs_one_ordered_list() {
    // Choices listed with commas have no order: the hint gives the declaration to write.
    let d = Protocol::compile(&source("one of D28, D56, D84", "min(today.requested, course.sessions[-1].level)"))
        .unwrap_err();
    let e = d
        .iter()
        .find(|d| d.message.starts_with("`min` needs choices declared in order"))
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(e.code, "type");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("`one of D28 < D56 < D84`")), "{e:#?}");
    // A choice and a number are not of one type.
    let d = Protocol::compile(&source(ORDERED, "choose when min(today.requested, 2) = D28 then D28 otherwise D56"))
        .unwrap_err();
    let e = d.iter().find(|d| d.code == "type").unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(
        e.message,
        "`min` takes values of one type: the first is one of D28, D56, D84, this is a number without unit"
    );
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("same ordered list")), "{e:#?}");
}

#[test]
fn the_rise_proof_bounds_a_request_by_the_previous_level() {
    // `min(X, next(previous))` rises at most one step, whatever X is.
    assert!(Protocol::compile(&source(ORDERED, REQUESTED)).is_ok());
    let step = |level: &str| {
        let d = Protocol::compile(&source(ORDERED, level)).unwrap_err();
        d.into_iter().find(|d| d.code == "dose-step").unwrap_or_else(|| panic!("{level}: no dose-step"))
    };
    // A request alone, or the larger of it and a bounded level, is not bounded.
    for level in ["today.requested", "max(today.requested, next(course.sessions[-1].level))"] {
        let e = step(level);
        assert_eq!(e.message, "kap cannot bound how far `level` of `session` rises above the previous session's level");
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("min(REQUESTED, next(PREVIOUS LEVEL))")), "{e:#?}");
    }
    // `min` is bounded by its lowest bound, `max` by its highest.
    let e = step("min(today.requested, next(next(course.sessions[-1].level)))");
    assert_eq!(e.message, "`level` of `session` can rise 2 levels above the previous session's");
    let e = step("max(next(course.sessions[-1].level), next(next(course.sessions[-1].level)))");
    assert_eq!(e.message, "`level` of `session` can rise 2 levels above the previous session's");
    let two = "min(next(next(course.sessions[-1].level)), today.requested, next(course.sessions[-1].level))";
    assert!(Protocol::compile(&source(ORDERED, two)).is_ok());
}
