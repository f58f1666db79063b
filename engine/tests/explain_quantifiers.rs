//! An explanation's `read` names the fields of the items a quantifier (`count`, `any`,
//! `all`) read, at every item of its list: a hold for too many sessions in a week shows the
//! sessions it counted, and an alert over a list shows the readings its own `count` read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;

const SOURCE: &str = r#"
protocol "Week" version "1" status draft
source S "s"
input at: timestamp "Now"
input course.sessions: list in 0..50 "Sessions"
input course.sessions[].at: timestamp "Given at"
input course.sessions[].dose: decimal mg in 0..100 "Dose"
input observations.readings: list in 0..100 "Readings"
input observations.readings[].at: timestamp "At"
input observations.readings[].systolic: integer mmHg in 40..300 "Systolic"

define this_week(s) = at - s.at < 7 days

decision session
  given course
  kinds hold
  verdict held if any hold
  verdict undecided if unknown hold
  verdict go otherwise
  hold twice "Two sessions this week already"
    when count(s in course.sessions where this_week(s)) >= 2 [S]
  hold big "A dose above 50 mg this week"
    when any(s in course.sessions where this_week(s) and s.dose > 50 mg) [S]

decision monitoring
  given observations
  alert sustained warning "Three high readings"
    for r in observations.readings
    when r.systolic > 160 mmHg and count(q in observations.readings where q.systolic > 160 mmHg) >= 3 at r.at
    or when all(q in observations.readings where q.systolic > 150 mmHg) at at [S]
"#;

fn read(p: &Protocol, doc: &str, rule: &str) -> Vec<String> {
    let out = p.evaluate_json(doc).unwrap();
    let e = out.explanation.iter().find(|e| e.rule == rule).unwrap_or_else(|| panic!("{rule}: {out:#?}"));
    e.read.iter().map(|r| format!("{} = {}", r.path, r.value.clone().unwrap_or_default())).collect()
}

#[test]
fn a_count_names_the_items_it_read() {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let doc = r#"{"at": "2027-01-10T10:00:00Z", "course": {"sessions": [
        {"at": "2027-01-05T10:00:00Z", "dose": 60}, {"at": "2027-01-08T10:00:00Z", "dose": 20}]}}"#;
    assert_eq!(
        read(&p, doc, "twice"),
        [
            "at = 2027-01-10T10:00:00Z",
            "course.sessions[0].at = 2027-01-05T10:00:00Z",
            "course.sessions[1].at = 2027-01-08T10:00:00Z"
        ]
    );
    let big = read(&p, doc, "big");
    assert!(big.contains(&"course.sessions[0].dose = 60".to_string()), "{big:?}");
    assert!(big.contains(&"course.sessions[1].dose = 20".to_string()), "{big:?}");
}

#[test]
fn an_alert_names_every_reading_its_own_quantifier_read() {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let readings = |s: [u32; 3]| {
        format!(
            r#"{{"at": "2027-01-10T11:00:00Z", "observations": {{"readings": [
            {{"at": "2027-01-10T10:00:00Z", "systolic": {}}}, {{"at": "2027-01-10T10:10:00Z", "systolic": {}}},
            {{"at": "2027-01-10T10:20:00Z", "systolic": {}}}]}}}}"#,
            s[0], s[1], s[2]
        )
    };
    // Raised at the first reading: the count read all three.
    let r = read(&p, &readings([170, 165, 180]), "sustained");
    for i in 0..3 {
        assert!(r.iter().any(|x| x.starts_with(&format!("observations.readings[{i}].systolic = "))), "{r:?}");
    }
    // Raised by `or when`: the readings `all` read are named too.
    let r = read(&p, &readings([155, 158, 152]), "sustained");
    assert!(r.contains(&"observations.readings[2].systolic = 152".to_string()), "{r:?}");
}
