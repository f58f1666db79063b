//! `kap course` run as a process with a plan in phases: the phase of each session, the time
//! between sessions changing from phase to phase, inputs a phase sets, the plans refused
//! and why, the single `every`/`sessions` form as it was, and the esketamine course.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{kap, root, text, RULES};
use kap_engine::input::time::parse_rfc3339;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Output;

const SPRAVATO: &str = "rules/examples/spravato.kap";
const SPRAVATO_PLAN: &str = "rules/examples/spravato-course.json";
const SPRAVATO_START: &str = "rules/examples/spravato-course-start.json";

/// A folder of its own for one test's files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kap-course-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A JSON file of the repository.
fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

/// Runs `kap course RULES --input START --plan PLAN` (PLAN written into `dir`), with more
/// arguments after.
fn course(dir: &std::path::Path, rules: &str, start: &str, plan: &Value, more: &[&str]) -> Output {
    let file = dir.join("plan.json");
    std::fs::write(&file, serde_json::to_string_pretty(plan).unwrap()).unwrap();
    let start = root().join(start);
    kap(&[&["course", rules, "--input", start.to_str().unwrap(), "--plan", file.to_str().unwrap()], more].concat())
}

/// The sessions `kap course --format json` prints; the run must succeed.
fn planned(out: &Output) -> Vec<Value> {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

/// One member of every session, as text.
fn column(sessions: &[Value], name: &str) -> Vec<String> {
    sessions.iter().map(|s| s[name].as_str().map_or_else(|| s[name].to_string(), str::to_string)).collect()
}

/// The hours from each session to the next.
fn gaps(sessions: &[Value], time: &str) -> Vec<Decimal> {
    let times: Vec<Decimal> = sessions.iter().map(|s| parse_rfc3339(s[time].as_str().unwrap()).unwrap()).collect();
    times.windows(2).map(|w| (w[1] - w[0]) / Decimal::from(3600)).collect()
}

/// The worked example 04 of the reference protocol as the start of a course, written in `dir`.
fn reference_start(dir: &std::path::Path) -> String {
    let mut doc = read("tests/corpus/examples/04-session3-im-escalate.json");
    doc["course"]["sessions"] = json!([]);
    doc["at"] = json!("2026-11-16T10:00:00Z");
    let file = dir.join("start.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn the_esketamine_course_proceeds_through_its_three_phases() {
    let out = kap(&["course", SPRAVATO, "--input", SPRAVATO_START, "--plan", SPRAVATO_PLAN, "--format", "json"]);
    let sessions = planned(&out);
    assert_eq!(sessions.len(), 18);
    assert!(sessions.iter().all(|s| s["verdict"] == "proceed" && s["reasons"] == json!([])), "{sessions:#?}");
    let phases: Vec<String> = column(&sessions, "phase");
    assert_eq!(phases, [vec!["1"; 8], vec!["2"; 4], vec!["3"; 6]].concat());
    let names = column(&sessions, "phase_name");
    assert_eq!(names, [vec!["induction"; 8], vec!["weekly"; 4], vec!["every-2-weeks"; 6]].concat());
    // 84 h apart in induction; the first weekly session a week after the last of induction.
    let hours = |h: i64| Decimal::from(h);
    assert_eq!(gaps(&sessions, "at"), [vec![hours(84); 7], vec![hours(168); 4], vec![hours(336); 6]].concat());
    // Twice in each week of induction, once a week in weeks 5 to 8, then every other week.
    let weeks = column(&sessions, "week");
    assert_eq!(weeks, ["1", "1", "2", "2", "3", "3", "4", "4", "5", "6", "7", "8", "10", "12", "14", "16", "18", "20"]);
    // 56 mg to start; then the 84 mg induction sets as the requested dose.
    assert_eq!(column(&sessions, "level"), [vec!["D56"], vec!["D84"; 17]].concat());
    assert_eq!(sessions[8]["warnings"], json!(["induction_review"]));
    assert_eq!(sessions.iter().filter(|s| s["warnings"] != json!([])).count(), 1);

    let out = kap(&["course", SPRAVATO, "--input", SPRAVATO_START, "--plan", SPRAVATO_PLAN]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["#", "phase", "at", "verdict", "week", "level", "dose", "warnings", "reasons"]);
    let row = |n: usize| table.lines().nth(n + 1).unwrap().split_whitespace().collect::<Vec<_>>();
    assert_eq!(row(1)[..6], ["1", "induction", "2026-11-16T13:00:00Z", "proceed", "1", "D56"], "{table}");
    assert_eq!(row(9)[..4], ["9", "weekly", "2026-12-18T01:00:00Z", "proceed"], "{table}");
    assert_eq!(row(9)[8], "induction_review", "{table}");
    assert_eq!(row(18)[..4], ["18", "every-2-weeks", "2027-04-02T01:00:00Z", "proceed"], "{table}");
}

#[test]
fn a_too_frequent_esketamine_plan_holds() {
    let dir = folder("too-frequent");
    let plan = read(SPRAVATO_PLAN);
    // Every two days in induction: the third session falls in week 1.
    let mut fast = plan.clone();
    fast["phases"][0]["every"] = json!("2d");
    let sessions = planned(&course(&dir, SPRAVATO, SPRAVATO_START, &fast, &["--format", "json"]));
    assert_eq!(column(&sessions, "verdict"), ["proceed", "proceed", "hold"]);
    assert_eq!(sessions[2]["reasons"], json!(["off_schedule"]));
    assert_eq!(sessions[2]["phase_name"], "induction");
    // Twice a week after induction: the second session of week 5 holds.
    let mut fast = plan.clone();
    fast["phases"][1]["every"] = json!("84h");
    let sessions = planned(&course(&dir, SPRAVATO, SPRAVATO_START, &fast, &["--format", "json"]));
    assert_eq!(sessions.len(), 10);
    assert!(sessions[..9].iter().all(|s| s["verdict"] == "proceed"), "{sessions:#?}");
    assert_eq!((&sessions[9]["verdict"], &sessions[9]["week"]), (&json!("hold"), &json!(5)));
    assert_eq!(sessions[9]["reasons"], json!(["off_schedule"]));
    assert_eq!(sessions[9]["phase"], 2);
    // The table ends at the session that holds, with its reason.
    let out = course(&dir, SPRAVATO, SPRAVATO_START, &fast, &[]);
    let last = text(&out.stdout).lines().last().unwrap().to_string();
    assert!(last.starts_with("10  weekly") && last.contains("hold") && last.ends_with("off_schedule"), "{last}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_input_a_phase_sets_holds_from_that_phase_on() {
    let dir = folder("set");
    let plan = read(SPRAVATO_PLAN);
    let levels =
        |plan: &Value| column(&planned(&course(&dir, SPRAVATO, SPRAVATO_START, plan, &["--format", "json"])), "level");
    // 56 mg requested from the weekly phase on: the third phase, setting nothing, keeps it.
    let mut lower = plan.clone();
    lower["phases"][1]["set"] = json!({"today.requested_dose": "D56"});
    assert_eq!(levels(&lower), [vec!["D56"], vec!["D84"; 7], vec!["D56"; 10]].concat());
    // A later phase sets it again.
    lower["phases"][2]["set"] = json!({"today.requested_dose": "D84"});
    assert_eq!(levels(&lower), [vec!["D56"], vec!["D84"; 7], vec!["D56"; 4], vec!["D84"; 6]].concat());
    // Without induction's `set`, the start document requests no dose: the second session
    // cannot be decided.
    let mut unset = plan.clone();
    unset["phases"][0].as_object_mut().unwrap().remove("set");
    let sessions = planned(&course(&dir, SPRAVATO, SPRAVATO_START, &unset, &["--format", "json"]));
    assert_eq!(column(&sessions, "verdict"), ["proceed", "indeterminate"]);
    assert_eq!(sessions[1]["missing"], json!(["today.requested_dose"]));
    // A value the protocol refuses is an invalid document, named with the phase that set it.
    let mut wrong = plan.clone();
    wrong["phases"][1]["set"] = json!({"today.requested_dose": "D100"});
    let out = course(&dir, SPRAVATO, SPRAVATO_START, &wrong, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("today.requested_dose") && err.contains("\"D100\" is not a choice"), "{err}");
    assert!(err.contains("after phase 2's \"set\""), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn phases_without_names_show_their_numbers_and_change_the_time_between_sessions() {
    let dir = folder("numbers");
    let start = reference_start(&dir);
    let mut plan = read("rules/course-plan.json");
    let plan = plan.as_object_mut().unwrap();
    plan.remove("every");
    plan.remove("sessions");
    plan.insert("phases".into(), json!([{"sessions": 2, "every": "72h"}, {"sessions": 3, "every": "1w"}]));
    let plan = Value::Object(plan.clone());
    let file = dir.join("plan.json");
    std::fs::write(&file, plan.to_string()).unwrap();
    let args = ["course", RULES, "--input", &start, "--plan", file.to_str().unwrap()];
    let out = kap(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0][..4], ["#", "phase", "at", "verdict"]);
    let phases: Vec<(&str, &str, &str)> = rows[2..].iter().map(|r| (r[0], r[1], r[2])).collect();
    assert_eq!(
        phases,
        [
            ("1", "1", "2026-11-16T10:00:00Z"),
            ("2", "1", "2026-11-19T10:00:00Z"),
            ("3", "2", "2026-11-26T10:00:00Z"),
            ("4", "2", "2026-12-03T10:00:00Z"),
            ("5", "2", "2026-12-10T10:00:00Z")
        ],
        "{table}"
    );
    let sessions = planned(&kap(&[&args[..], &["--format", "json"]].concat()));
    assert_eq!(column(&sessions, "phase"), ["1", "1", "2", "2", "2"]);
    assert!(sessions.iter().all(|s| s.get("phase_name").is_none()), "{sessions:#?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_plan_with_every_and_sessions_is_one_phase_and_shows_no_phase() {
    let dir = folder("single");
    let start = reference_start(&dir);
    let plan = read("rules/course-plan.json");
    let args = ["course", RULES, "--input", &start, "--plan", "rules/course-plan.json"];
    let out = kap(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["#", "at", "verdict", "level", "change", "dose", "reasons"]);
    assert_eq!(table.lines().nth(2).unwrap(), "1  2026-11-16T10:00:00Z  proceed  L1     start     35 mg", "{table}");
    let single = planned(&kap(&[&args[..], &["--format", "json"]].concat()));
    assert_eq!(single.len(), 6);
    assert!(single.iter().all(|s| s.get("phase").is_none()), "{single:#?}");
    assert_eq!(gaps(&single, "at"), vec![Decimal::from(72); 5]);
    // The same plan written as one phase gives the same sessions, each in phase 1.
    let mut phased = plan.clone();
    let object = phased.as_object_mut().unwrap();
    object.remove("every");
    object.remove("sessions");
    object.insert("phases".into(), json!([{"sessions": 6, "every": "72h"}]));
    let mut one = planned(&course(&dir, RULES, start.as_str(), &phased, &["--format", "json"]));
    for s in &mut one {
        assert_eq!(s.as_object_mut().unwrap().remove("phase"), Some(json!(1)));
    }
    assert_eq!(one, single);
    // Without `sessions`, six.
    let mut six = plan.clone();
    six.as_object_mut().unwrap().remove("sessions");
    assert_eq!(planned(&course(&dir, RULES, start.as_str(), &six, &["--format", "json"])).len(), 6);
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs the esketamine course with the shipped plan changed by `edit`, which must be refused
/// (exit status 2, nothing printed); the error.
fn refused(dir: &std::path::Path, edit: impl FnOnce(&mut Value)) -> String {
    let mut plan = read(SPRAVATO_PLAN);
    edit(&mut plan);
    let out = course(dir, SPRAVATO, SPRAVATO_START, &plan, &[]);
    assert_eq!(out.status.code(), Some(2), "{plan}\n{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    text(&out.stderr)
}

/// Asserts that `err` holds every one of `words`.
fn says(err: &str, words: &[&str]) {
    for word in words {
        assert!(err.contains(word), "lacks {word}: {err}");
    }
}

#[test]
fn a_wrong_schedule_is_refused_with_what_to_write() {
    let dir = folder("refused-schedule");
    let err = refused(&dir, |p| p["every"] = json!("72h"));
    says(&err, &["both \"phases\" and a top-level \"every\"", "\"phases\": [{\"sessions\": 6, \"every\": \"72h\"}]"]);
    let err = refused(&dir, |p| {
        p["every"] = json!("72h");
        p["sessions"] = json!(4);
    });
    says(&err, &["top-level \"every\" and \"sessions\"", "[{\"sessions\": 4, \"every\": \"72h\"}]"]);
    let err = refused(&dir, |p| p["phases"] = json!([]));
    says(
        &err,
        &[
            "\"phases\" is empty",
            "a phase has:",
            "\"sessions\": how many",
            "\"every\": the time",
            "\"set\"",
            "\"name\"",
        ],
    );
    let err = refused(&dir, |p| p["phases"] = json!({"sessions": 4, "every": "7d"}));
    says(&err, &["\"phases\" must be a list", "such as [{"]);
    let err = refused(&dir, |p| p["phases"][1] = json!(4));
    says(&err, &["phase 2 must be an object", "a phase has:"]);
    let err = refused(&dir, |p| {
        p.as_object_mut().unwrap().remove("phases");
    });
    says(&err, &["the plan needs \"every\"", "or \"phases\", such as [{"]);
    let err = refused(&dir, |p| p["phase"] = p["phases"].take());
    says(&err, &["the plan has no member `phase` (did you mean `phases`?)", "about, every, sessions, phases"]);
    let err = refused(&dir, |p| p["phases"][1]["sesions"] = json!(4));
    says(&err, &["phase 2 has no member `sesions` (did you mean `sessions`?)", "sessions, every, set, name"]);
    let err = refused(&dir, |p| p["phases"][2]["seet"] = json!({}));
    says(&err, &["phase 3 has no member `seet` (did you mean `set`?)"]);
    let err = refused(&dir, |p| {
        p["phases"][1].as_object_mut().unwrap().remove("sessions");
    });
    says(&err, &["phase 2 needs \"sessions\"", "such as 4"]);
    let err = refused(&dir, |p| p["phases"][1]["sessions"] = json!(0));
    says(&err, &["phase 2: \"sessions\" must be 1 or more"]);
    let err = refused(&dir, |p| p["phases"][1]["sessions"] = json!("4"));
    says(&err, &["phase 2: \"sessions\" must be 1 or more"]);
    let err = refused(&dir, |p| p["phases"][1]["name"] = json!(2));
    says(&err, &["phase 2: \"name\" must be a text"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_wrong_duration_is_refused_with_what_to_write() {
    let dir = folder("refused-every");
    let write = "write a number and a unit (min, h, d or w), such as \"84h\", \"3.5d\" or \"2w\"";
    let err = refused(&dir, |p| p["phases"][1]["every"] = json!("7"));
    says(&err, &["phase 2: \"every\": `7` has no unit", write]);
    let err = refused(&dir, |p| p["phases"][1]["every"] = json!("7days"));
    says(&err, &["`7days`: `days` is not a unit", write]);
    let err = refused(&dir, |p| p["phases"][0]["every"] = json!("d"));
    says(&err, &["phase 1: \"every\": `d` is not a duration", write]);
    let err = refused(&dir, |p| p["phases"][2]["every"] = json!("0d"));
    says(&err, &["phase 3: \"every\": `0d` must be longer than 0", write]);
    let err = refused(&dir, |p| p["phases"][2]["every"] = json!("-14d"));
    says(&err, &["`-14d` must be longer than 0"]);
    let err = refused(&dir, |p| p["phases"][1]["every"] = json!(7));
    says(&err, &["phase 2: \"every\" must be a text, such as \"7d\""]);
    let err = refused(&dir, |p| {
        p["phases"][1].as_object_mut().unwrap().remove("every");
    });
    says(&err, &["phase 2 needs \"every\": the time from the previous session"]);
    // The single form's durations are read the same way.
    let dir2 = folder("refused-every-single");
    let start = reference_start(&dir2);
    let mut plan = read("rules/course-plan.json");
    plan["every"] = json!("72");
    let out = course(&dir2, RULES, &start, &plan, &[]);
    assert_eq!(out.status.code(), Some(2));
    says(&text(&out.stderr), &["\"every\": `72` has no unit", write]);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&dir2).ok();
}

#[test]
fn a_path_a_phase_may_not_set_is_refused_with_what_to_write() {
    let dir = folder("refused-set");
    let set = |path: &str, value: Value| {
        let path = path.to_string();
        move |p: &mut Value| p["phases"][1]["set"] = json!({ path: value })
    };
    let err = refused(&dir, set("today.requested_dos", json!("D56")));
    says(&err, &["phase 2: \"set\": `today.requested_dos` is not an input the protocol declares"]);
    says(&err, &["(did you mean `today.requested_dose`?)", "kap describe"]);
    let err = refused(&dir, set("course.sessions[0].level", json!("D56")));
    says(&err, &["`course.sessions[0].level` is in the list of sessions the course builds (`course.sessions`)"]);
    says(&err, &["set inputs outside that list"]);
    let err = refused(&dir, set("course.sessions", json!([])));
    says(&err, &["`course.sessions` is in the list of sessions the course builds"]);
    let err = refused(&dir, set("course", json!({"sessions": []})));
    says(&err, &["`course` holds the list of sessions the course builds"]);
    let err = refused(&dir, set("at", json!("2027-01-01T10:00:00Z")));
    says(&err, &["`at` is each session's time, which the plan sets; change a phase's \"every\" instead"]);
    let err = refused(&dir, set("course.sessions[].level", json!("D56")));
    says(&err, &["`course.sessions[].level` is not a dotted path", "`observations.readings[0].systolic`", "[-1]"]);
    let err = refused(&dir, set("observations.readings[2].systolic", json!(120)));
    says(
        &err,
        &["phase 2: \"set\": cannot set `observations.readings[2].systolic` in the document: the list has 0 items"],
    );
    let err = refused(&dir, |p| p["phases"][1]["set"] = json!([["today.requested_dose", "D56"]]));
    says(&err, &["phase 2: \"set\" must be an object of dotted paths and values, such as {\"today.requested_dose\""]);
    std::fs::remove_dir_all(&dir).ok();
}
