//! Schedules: `schedule NAME "Title" of LIST[].TIME` with its phases by week of the course,
//! read by `full(NAME, t)` and `due_by(NAME)`, and `due ... done when C`. Weeks are counted
//! in the clinic's time zone from the first item's day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const HEAD: &str = r#"
protocol "Schedules" version "1" status draft
  timezone "UTC"
source S "s"
input at: timestamp required with course "Now"
input course.sessions: list in 0..40 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"
input course.reviewed: boolean "Reviewed"
"#;

const SCHEDULE: &str = r#"
schedule dosing "Dosing" of course.sessions[].at
  weeks 1 to 2: 2 a week [S]
  weeks 3 to 6: 1 every 2 weeks [S]
  weeks 7 on: 1 every 1 to 3 weeks [S]
"#;

const DECISION: &str = r#"
decision d
  given course
  kinds hold
  list reasons of verdict
  verdict hold if any hold
  verdict indeterminate if unknown hold
  verdict proceed otherwise
  hold full "Beyond the schedule" when full(dosing, at) [S]
  value by = due_by(dosing)
  due next [session] at due_by(dosing) when count(course.sessions) >= 1
    done when course.reviewed
"#;

fn protocol(schedule: &str) -> Result<Protocol, Vec<kap_engine::Diagnostic>> {
    Protocol::compile(&format!("{HEAD}{schedule}{DECISION}"))
}

/// Day `n` of the course (day 0 = Monday 2027-01-04), at noon UTC.
fn day(n: i64) -> String {
    let t = 1_799_064_000 + n * 86_400; // 2027-01-04T12:00:00Z
    kap_engine::input::time::format_utc(rust_decimal::Decimal::from(t)).unwrap()
}

fn decide(at: i64, sessions: &[i64], reviewed: Option<bool>) -> Value {
    let p = protocol(SCHEDULE).unwrap_or_else(|d| panic!("{d:#?}"));
    let sessions: Vec<Value> = sessions.iter().map(|s| json!({"at": day(*s)})).collect();
    let mut doc = json!({"at": day(at), "course": {"sessions": sessions}});
    if let Some(r) = reviewed {
        doc["course"]["reviewed"] = json!(r);
    }
    serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap()["decisions"]["d"].clone()
}

fn midnight(n: i64) -> String {
    day(n).replace("T12:00:00Z", "T00:00:00Z")
}

#[test]
fn a_week_holds_as_many_items_as_its_phase_allows() {
    assert_eq!(decide(0, &[], None)["verdict"], "proceed", "an empty list is never full");
    assert_eq!(decide(2, &[0], None)["verdict"], "proceed");
    assert_eq!(decide(3, &[0, 2], None)["verdict"], "hold");
    assert_eq!(decide(3, &[0, 2], None)["reasons"], json!(["full"]));
    // Week 2 starts on day 7.
    assert_eq!(decide(7, &[0, 2], None)["verdict"], "proceed");
}

#[test]
fn a_block_of_two_weeks_counts_from_the_phase_start() {
    // Weeks 3-4 are one block (days 14 to 27), weeks 5-6 the next.
    assert_eq!(decide(20, &[0, 2, 7, 9, 15], None)["verdict"], "hold");
    assert_eq!(decide(27, &[0, 2, 7, 9, 15], None)["verdict"], "hold");
    assert_eq!(decide(28, &[0, 2, 7, 9, 15], None)["verdict"], "proceed");
}

#[test]
fn the_next_item_falls_due_by_the_end_of_the_block_or_within_weeks() {
    // Week 1 not full: by the end of week 1.
    assert_eq!(decide(1, &[0], None)["by"], midnight(7));
    // Week 1 full: by the end of week 2.
    assert_eq!(decide(3, &[0, 2], None)["by"], midnight(14));
    // Weeks 3-4 full: by the end of week 3 + 2, the block after.
    assert_eq!(decide(16, &[0, 2, 7, 9, 15], None)["by"], midnight(35));
    // Week 7 on, every 1 to 3 weeks: an item in week 7 (days 42-48) is next due by the end of week 10.
    assert_eq!(decide(44, &[0, 2, 7, 9, 15, 29, 43], None)["by"], midnight(70));
    // No item yet: no deadline, and nothing due.
    assert_eq!(decide(0, &[], None).get("by"), None);
    assert_eq!(decide(0, &[], None)["due"], json!([]));
}

#[test]
fn a_due_item_is_recorded_as_done_only_when_its_condition_is_true() {
    let item = |reviewed| decide(1, &[0], reviewed)["due"][0].clone();
    assert_eq!(item(Some(true))["done"], true);
    assert_eq!(item(Some(false))["done"], false);
    assert_eq!(item(None)["done"], false, "unknown is not done");
    assert_eq!(item(None)["id"], "next");
}

#[test]
fn without_done_when_an_item_has_no_done_member() {
    let source = format!("{HEAD}{SCHEDULE}{}", DECISION.replace("    done when course.reviewed\n", ""));
    let p = Protocol::compile(&source).unwrap_or_else(|d| panic!("{d:#?}"));
    let doc = json!({"at": day(1), "course": {"sessions": [{"at": day(0)}]}});
    let out = serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap();
    assert_eq!(out["decisions"]["d"]["due"][0], json!({"id": "next", "at": midnight(7), "checks": ["session"]}));
}

#[test]
fn the_explanation_names_the_items_a_schedule_read() {
    let p = protocol(SCHEDULE).unwrap();
    let doc = json!({"at": day(3), "course": {"sessions": [{"at": day(0)}, {"at": day(2)}]}});
    let out = serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap();
    let text = out["explanation"].to_string();
    assert!(text.contains("course.sessions[1].at"), "{text}");
}

fn errors(schedule: &str) -> Vec<(String, String, String)> {
    match protocol(schedule) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code.to_string(), d.message.clone(), d.hint.clone().unwrap_or_default()))
            .collect(),
    }
}

#[test]
fn phases_follow_each_other_from_week_1_and_the_last_is_open() {
    let e = errors("schedule dosing of course.sessions[].at\n  weeks 2 on: 1 a week [S]\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "schedule");
    assert!(e[0].2.contains("start it at week 1"), "{e:?}");

    let e =
        errors("schedule dosing of course.sessions[].at\n  weeks 1 to 4: 2 a week [S]\n  weeks 6 on: 1 a week [S]\n");
    assert!(e[0].2.contains("start it at week 5"), "{e:?}");

    let e =
        errors("schedule dosing of course.sessions[].at\n  weeks 1 to 4: 2 a week [S]\n  weeks 4 on: 1 a week [S]\n");
    assert_eq!(e[0].1, "this phase starts at week 4, inside the phase before it", "{e:?}");

    let e = errors(
        "schedule dosing of course.sessions[].at\n  weeks 1 to 4: 1 every 3 weeks [S]\n  weeks 5 on: 1 a week [S]\n",
    );
    assert_eq!(e[0].1, "weeks 1 to 4 are 4 weeks, not a whole number of blocks of 3 weeks", "{e:?}");

    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 to 4: 2 a week [S]\n");
    assert!(e[0].1.contains("the last phase has an end"), "{e:?}");
    assert!(e[0].2.contains("weeks 1 on"), "{e:?}");

    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 on: 2 a week [S]\n  weeks 5 on: 1 a week [S]\n");
    assert!(e[0].1.contains("only the last phase is open-ended"), "{e:?}");

    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 on: 1 every 3 to 2 weeks [S]\n");
    assert!(e[0].1.contains("within 2 weeks when a block is 3 weeks"), "{e:?}");

    // A phase that does not parse is reported once, without knock-on errors where the
    // schedule is used.
    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 on: 0 a week [S]\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "number", "{e:?}");
    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 on: 1 per week [S]\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "syntax", "{e:?}");
}

#[test]
fn a_schedule_counts_a_list_items_time_and_cites_declared_sources() {
    let e = errors("schedule dosing of course.sessions[].time\n  weeks 1 on: 1 a week [S]\n");
    assert_eq!(e[0].0, "unknown-name", "{e:?}");
    assert!(e[0].2.contains("course.sessions[].at"), "{e:?}");

    let e = errors("schedule dosing of at\n  weeks 1 on: 1 a week [S]\n");
    assert_eq!(e[0].0, "unknown-name", "{e:?}");

    let e = errors("schedule dosing of course.sessions[].at\n  weeks 1 on: 1 a week [Q]\n");
    assert_eq!(e[0].0, "unknown-source", "{e:?}");
}

#[test]
fn full_and_due_by_name_a_declared_schedule() {
    let source = format!("{HEAD}{SCHEDULE}{}", DECISION.replace("full(dosing, at)", "full(dosnig, at)"));
    let d = Protocol::compile(&source).unwrap_err();
    let e = d.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(e.message, "no schedule named `dosnig`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `dosing`?"));

    let source = format!("{HEAD}{SCHEDULE}{}", DECISION.replace("full(dosing, at)", "full(dosing)"));
    let d = Protocol::compile(&source).unwrap_err();
    assert!(d.iter().any(|d| d.message == "`full` takes a schedule and a timestamp"), "{d:#?}");

    let source = format!("{HEAD}{SCHEDULE}{}", DECISION.replace("full(dosing, at)", "full(dosing, 3)"));
    let d = Protocol::compile(&source).unwrap_err();
    assert!(d.iter().any(|d| d.message.contains("needs a timestamp")), "{d:#?}");
}

#[test]
fn a_day_starts_at_local_midnight_across_daylight_time() {
    let source = r#"
protocol "Days" version "1" status draft
  timezone "America/New_York" "EST5EDT,M3.2.0,M11.1.0"
input at: timestamp "Now"
decision d
  value start = day_start(day(at))
  value next = day_start(day(at) + 1 days)
"#;
    let p = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
    let eval = |at: &str| {
        let out = serde_json::to_value(p.evaluate_json(&json!({"at": at}).to_string()).unwrap()).unwrap();
        (out["decisions"]["d"]["start"].clone(), out["decisions"]["d"]["next"].clone())
    };
    // 2026-11-01 01:30 EDT: daylight time ends at 02:00 that night.
    assert_eq!(eval("2026-11-01T05:30:00Z"), (json!("2026-11-01T04:00:00Z"), json!("2026-11-02T05:00:00Z")));
    // 2027-03-14: daylight time starts at 02:00; the day starts at 00:00 EST.
    assert_eq!(eval("2027-03-14T12:00:00Z"), (json!("2027-03-14T05:00:00Z"), json!("2027-03-15T04:00:00Z")));
}
