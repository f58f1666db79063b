//! Calendar time: the header's `timezone`, `day`, `week` and `floor`. Days are counted in the
//! clinic's zone: two sessions an hour apart across local midnight fall on two days, a day
//! that daylight time shortens to 23 hours is one day, and week 1 is the first seven days
//! from the first session's day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;
use serde_json::{json, Value};

const SOURCE: &str = r#"
protocol "Calendar" version "1" status draft
  timezone "America/New_York" "EST5EDT,M3.2.0,M11.1.0"
source S "s"
input at: timestamp required with course "Now"
input course.sessions: list in 0..20 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"

decision d
  given course
  kinds hold
  list reasons of verdict
  verdict hold if any hold
  verdict indeterminate if unknown hold
  verdict proceed otherwise
  hold twice_this_week "Two sessions already this week in weeks 1 to 4"
    when week(at, course.sessions[0].at) <= 4
     and count(s in course.sessions where week(s.at, course.sessions[0].at) = week(at, course.sessions[0].at)) >= 2 [S]
  hold same_day "A session already today"
    when count(course.sessions) >= 1 and day(at) = day(course.sessions[-1].at) [S]
  value days = day(at) - day(course.sessions[-1].at)
  value week = week(at, course.sessions[0].at)
  value weeks = floor((day(at) - day(course.sessions[0].at)) / 7 days)
"#;

fn decide(at: &str, sessions: &[&str]) -> Value {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let sessions: Vec<Value> = sessions.iter().map(|s| json!({"at": s})).collect();
    let doc = json!({"at": at, "course": {"sessions": sessions}});
    serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap()["decisions"]["d"].clone()
}

#[test]
fn days_are_counted_in_the_clinics_zone() {
    // 23:30 and 00:30 in New York (04:30 and 05:30 UTC in winter): an hour apart, two days.
    let d = decide("2027-01-12T05:30:00Z", &["2027-01-12T04:30:00Z"]);
    assert_eq!(d["days"], json!({"value": 1, "unit": "days"}));
    assert_eq!(d["verdict"], "proceed");
    // 09:00 and 17:00 the same local day: a session already today.
    let d = decide("2027-01-12T22:00:00Z", &["2027-01-12T14:00:00Z"]);
    assert_eq!(d["days"], json!({"value": 0, "unit": "days"}));
    assert_eq!(d["reasons"], json!(["same_day"]));
}

#[test]
fn a_day_shortened_by_daylight_time_is_one_day() {
    // 11:00 EST on 13 March 2027, then 11:00 EDT on 14 March: 23 hours, one day.
    let d = decide("2027-03-14T15:00:00Z", &["2027-03-13T16:00:00Z"]);
    assert_eq!(d["days"], json!({"value": 1, "unit": "days"}));
    // 11:00 EDT on 6 November, then 11:00 EST on 7 November: 25 hours, one day.
    let d = decide("2027-11-07T16:00:00Z", &["2027-11-06T15:00:00Z"]);
    assert_eq!(d["days"], json!({"value": 1, "unit": "days"}));
}

#[test]
fn week_one_is_the_first_seven_days_from_the_first_session() {
    let first = "2027-01-04T15:00:00Z"; // Monday 10:00 local
                                        // Sunday 18:00 local (Monday 00:00 UTC): still week 1 where the clinic is.
    let d = decide("2027-01-11T00:00:00Z", &[first]);
    assert_eq!((d["week"].clone(), d["weeks"].clone()), (json!(1), json!(0)));
    // The next Monday 10:00: week 2.
    let d = decide("2027-01-11T15:00:00Z", &[first]);
    assert_eq!((d["week"].clone(), d["weeks"].clone()), (json!(2), json!(1)));
    // Two sessions in week 1 hold a third in week 1, not one in week 2.
    let d = decide("2027-01-09T15:00:00Z", &[first, "2027-01-07T15:00:00Z"]);
    assert_eq!(d["reasons"], json!(["twice_this_week"]));
    let d = decide("2027-01-11T15:00:00Z", &[first, "2027-01-07T15:00:00Z"]);
    assert_eq!(d["verdict"], "proceed");
    // From week 5 on the rule does not apply.
    let d = decide("2027-02-04T15:00:00Z", &[first, "2027-02-01T15:00:00Z", "2027-02-02T15:00:00Z"]);
    assert_eq!((d["week"].clone(), d["verdict"].clone()), (json!(5), json!("proceed")));
}

fn first_error(source: &str) -> (String, String, String) {
    let d = Protocol::compile(source).unwrap_err();
    let e = d.iter().find(|d| d.is_error()).unwrap();
    (e.code.to_string(), e.message.clone(), e.hint.clone().unwrap_or_default())
}

#[test]
fn the_time_zone_is_declared_once_with_a_rule_kap_reads() {
    let without = SOURCE.replace("  timezone \"America/New_York\" \"EST5EDT,M3.2.0,M11.1.0\"\n", "");
    let (code, message, hint) = first_error(&without);
    assert_eq!(code, "header");
    assert_eq!(message, "days and weeks are counted in the clinic's time zone, and the header declares none");
    assert!(hint.contains("timezone \"America/New_York\" \"EST5EDT,M3.2.0,M11.1.0\""), "{hint}");
    let no_rule = SOURCE.replace(" \"EST5EDT,M3.2.0,M11.1.0\"", "");
    let (code, message, hint) = first_error(&no_rule);
    assert_eq!((code.as_str(), message.as_str()), ("header", "the time zone `America/New_York` needs its rule"));
    assert!(hint.contains("/usr/share/zoneinfo/America/New_York"), "{hint}");
    let bad_rule = SOURCE.replace("EST5EDT,M3.2.0,M11.1.0", "Eastern");
    let (_, message, _) = first_error(&bad_rule);
    assert_eq!(message, "`Eastern` is not a time zone rule kap reads");
    // A broken zone is reported once, not again at every `day` and `week`.
    assert_eq!(Protocol::compile(&bad_rule).unwrap_err().iter().filter(|d| d.is_error()).count(), 1);
    let twice = SOURCE.replace("status draft\n", "status draft\n  timezone \"UTC\"\n");
    assert_eq!(first_error(&twice).1, "a second `timezone`");
    // UTC needs no rule: 23:30 and 00:30 UTC are two days.
    let utc = SOURCE.replace("\"America/New_York\" \"EST5EDT,M3.2.0,M11.1.0\"", "\"UTC\"");
    let p = Protocol::compile(&utc).unwrap();
    let doc = json!({"at": "2027-01-12T00:30:00Z", "course": {"sessions": [{"at": "2027-01-11T23:30:00Z"}]}});
    let out = serde_json::to_value(p.evaluate_json(&doc.to_string()).unwrap()).unwrap();
    assert_eq!(out["decisions"]["d"]["days"], json!({"value": 1, "unit": "days"}));
}

#[test]
fn floor_day_and_week_take_what_they_say() {
    let floor_days = SOURCE.replace("floor((day(at) - day(course.sessions[0].at)) / 7 days)", "floor(day(at))");
    let (code, message, hint) = first_error(&floor_days);
    assert_eq!((code.as_str(), message.as_str()), ("type", "`floor` needs a plain number; this is a number in days"));
    assert!(hint.contains("/ 7 days"), "{hint}");
    let day_of_number = SOURCE.replace("day(at) = day(course.sessions[-1].at)", "day(3) = day(course.sessions[-1].at)");
    assert_eq!(first_error(&day_of_number).1, "`day` needs a timestamp; this is a number without unit");
    let one_argument = SOURCE.replace("value week = week(at, course.sessions[0].at)", "value week = week(at)");
    let (code, message, _) = first_error(&one_argument);
    assert_eq!(code, "arguments");
    assert_eq!(message, "`week` takes a timestamp and the timestamp whose day starts week 1");
}
