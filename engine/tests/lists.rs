//! Lists of records in the language: items by position, fields of items, quantifiers,
//! items passed to definitions, and the paths of missing item fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::Protocol;

const SOURCE: &str = r#"
protocol "Lists" version "1" status draft
source S "s"
input at: timestamp required with course "Now"
input course.sessions: list in 0..6 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"
input course.sessions[].distress: boolean "Distress"
input course.sessions[].max_systolic: integer mmHg in 40..300 "Highest systolic"

define flagged(s) = s.distress or s.max_systolic >= 180 mmHg

decision d
  given course
  list hits of k
  verdict hit if any k
  verdict unsure if unknown k
  verdict none otherwise
  k weekly "3 in 7 days" when count(s in course.sessions where at - s.at < 7 days) >= 3 [S]
  k last_flagged "last flagged" when count(course.sessions) >= 1 and flagged(course.sessions[-1]) [S]
  k two_flagged "two flagged" when flagged(course.sessions[-1]) and flagged(course.sessions[-2]) [S]
  k first_distress "first" when course.sessions[0].distress [S]
  k nested "second and flagged" when any(s in course.sessions where count(t in course.sessions where t.at <= s.at) = 2 and flagged(s)) [S]
"#;

fn eval(doc: &str) -> (String, Vec<String>, Vec<String>) {
    let p = Protocol::compile(SOURCE).unwrap_or_else(|d| panic!("{d:#?}"));
    let out = p.evaluate_json(doc).unwrap_or_else(|e| panic!("{e}"));
    let d = &out.decisions["d"];
    (d.verdict.clone(), d.list("hits").unwrap().to_vec(), d.missing.clone())
}

fn session(at: &str, distress: Option<bool>, sys: Option<u32>) -> String {
    let mut s = format!(r#"{{"at": "{at}""#);
    if let Some(d) = distress {
        s.push_str(&format!(r#", "distress": {d}"#));
    }
    if let Some(v) = sys {
        s.push_str(&format!(r#", "max_systolic": {v}"#));
    }
    s + "}"
}

fn doc(sessions: &[String]) -> String {
    format!(r#"{{"at": "2026-11-23T10:00:00Z", "course": {{"sessions": [{}]}}}}"#, sessions.join(","))
}

#[test]
fn counts_and_positions() {
    let calm = |at: &str| session(at, Some(false), Some(130));
    let (v, hits, missing) =
        doc(&[calm("2026-11-16T10:00:00Z"), calm("2026-11-18T10:00:00Z"), calm("2026-11-20T10:00:00Z")])
            .pipe(|d| eval(&d));
    assert_eq!((v.as_str(), hits, missing), ("none", vec![], vec![]));
    let (v, hits, _) =
        eval(&doc(&[calm("2026-11-17T10:00:00Z"), calm("2026-11-19T10:00:00Z"), calm("2026-11-21T10:00:00Z")]));
    assert_eq!((v.as_str(), hits), ("hit", vec!["weekly".to_string()]));
}

#[test]
fn items_pass_through_definitions() {
    let (_, hits, missing) = eval(&doc(&[
        session("2026-11-19T10:00:00Z", Some(true), Some(120)),
        session("2026-11-21T10:00:00Z", Some(false), Some(185)),
    ]));
    assert_eq!(hits, ["first_distress", "last_flagged", "nested", "two_flagged"]);
    assert!(missing.is_empty());
}

#[test]
fn missing_item_fields_are_named_with_their_index() {
    let (v, hits, missing) = eval(&doc(&[
        session("2026-11-19T10:00:00Z", Some(false), Some(120)),
        session("2026-11-21T10:00:00Z", None, Some(150)),
    ]));
    assert_eq!(v, "unsure");
    assert!(hits.is_empty());
    assert_eq!(missing, ["course.sessions[1].distress"]);
    // Absorbed: the last session's high pressure settles `flagged` whatever its distress.
    let (_, hits, missing) = eval(&doc(&[
        session("2026-11-19T10:00:00Z", Some(true), Some(120)),
        session("2026-11-21T10:00:00Z", None, Some(190)),
    ]));
    assert_eq!(hits, ["first_distress", "last_flagged", "nested", "two_flagged"]);
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn an_item_that_does_not_exist_names_its_list() {
    // One session: `course.sessions[-2]` does not exist, so `two_flagged` is unknown, and the
    // list too short for it is named by its path.
    let (v, hits, missing) = eval(&doc(&[session("2026-11-21T10:00:00Z", Some(true), Some(120))]));
    assert_eq!(hits, ["first_distress", "last_flagged"]);
    assert_eq!(v, "hit");
    assert_eq!(missing, ["course.sessions"]);
    // No session at all: every item rule is unknown, and the verdict says why.
    let (v, hits, missing) = eval(&doc(&[]));
    assert_eq!((v.as_str(), hits, missing), ("unsure", vec![], vec!["course.sessions".to_string()]));
}

#[test]
fn list_mistakes_are_reported_with_hints() {
    let broken = SOURCE.replace("s.distress or", "s.distres or");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].code, "unknown-name");
    assert_eq!(d[0].message, "the items of `course.sessions` have no field `distres`");
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `distress`?"));
    let broken = SOURCE.replace("count(course.sessions)", "count(course.session)");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `course.sessions`?"));
    let broken = SOURCE.replace("course.sessions[0].distress", "course.sessions[0]");
    let d = Protocol::compile(&broken).unwrap_err();
    assert!(d[0].message.contains("must be true or false, but this is an item of `course.sessions`"), "{d:#?}");
    let broken = SOURCE.replace("course.sessions[0].distress [S]", "course.sessions.distress [S]");
    let d = Protocol::compile(&broken).unwrap_err();
    assert_eq!(d[0].code, "unknown-name", "{d:#?}");
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl Pipe for String {}

#[test]
fn an_explanation_names_the_items_a_count_read() {
    let p = Protocol::compile(SOURCE).unwrap();
    let calm = |at: &str| session(at, Some(false), Some(130));
    let out = p
        .evaluate_json(&doc(&[
            calm("2026-11-17T10:00:00Z"),
            calm("2026-11-19T10:00:00Z"),
            calm("2026-11-21T10:00:00Z"),
        ]))
        .unwrap();
    let weekly = out.explanation.iter().find(|e| e.rule == "weekly").unwrap();
    let read: Vec<(String, Option<String>)> = weekly.read.iter().map(|r| (r.path.clone(), r.value.clone())).collect();
    assert_eq!(
        read,
        [
            ("at".to_string(), Some("2026-11-23T10:00:00Z".to_string())),
            ("course.sessions[0].at".to_string(), Some("2026-11-17T10:00:00Z".to_string())),
            ("course.sessions[1].at".to_string(), Some("2026-11-19T10:00:00Z".to_string())),
            ("course.sessions[2].at".to_string(), Some("2026-11-21T10:00:00Z".to_string())),
        ]
    );
    assert!(weekly.text.contains("course.sessions[0].at = 2026-11-17T10:00:00Z"), "{}", weekly.text);
    // An item read by position is shown at that item only.
    let last = out.explanation.iter().find(|e| e.rule == "last_flagged");
    assert!(last.is_none(), "not fired, not undetermined");
    let out = p
        .evaluate_json(&doc(&[calm("2026-11-19T10:00:00Z"), session("2026-11-21T10:00:00Z", Some(true), Some(120))]))
        .unwrap();
    let last = out.explanation.iter().find(|e| e.rule == "last_flagged").unwrap();
    let paths: Vec<&str> = last.read.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["course.sessions[1].distress", "course.sessions[1].max_systolic"]);
}

/// A decision's lists of rule ids are sorted, however its rules are written, with a few rules
/// (their truths kept as one word of flags) and with more than 64: the same from the output
/// and from `Decided::list`, on every document.
#[test]
fn rule_ids_are_listed_sorted_with_few_rules_or_many() {
    for rules in [5usize, 64, 65, 130] {
        // Ids out of order (`r11`, `r48`, `r20`...), each rule true when its input is.
        let ids: Vec<String> = (0..rules).map(|i| format!("r{}", (i * 37 + 11) % rules)).collect();
        let mut source = String::from("protocol \"Many\" version \"1\" status draft\nsource S \"s\"\n");
        for i in 0..rules {
            source.push_str(&format!("input p.f{i}: boolean \"F{i}\"\n"));
        }
        source.push_str("decision d\n  given p\n  list hits of k\n  list others of j\n  verdict hit if any k\n  verdict unsure if unknown k or unknown j\n  verdict none otherwise\n");
        for (i, id) in ids.iter().enumerate() {
            let kind = if i % 3 == 0 { "j" } else { "k" };
            source.push_str(&format!("  {kind} {id} \"{id}\" when p.f{i} [S]\n"));
        }
        let protocol = Protocol::compile(&source).unwrap_or_else(|d| panic!("{d:#?}"));
        for seed in [1usize, 2, 5] {
            let fields: Vec<String> = (0..rules).map(|i| format!("\"f{i}\": {}", (i * seed + seed) % 4 == 0)).collect();
            let text = format!("{{\"p\": {{{}}}}}", fields.join(", "));
            let decided = protocol.read(&text).unwrap().decide().unwrap();
            let out = protocol.evaluate_json(&text).unwrap();
            for (list, others) in [("hits", false), ("others", true)] {
                let mut expected: Vec<&str> = (0..rules)
                    .filter(|i| (i % 3 == 0) == others && (i * seed + seed) % 4 == 0)
                    .map(|i| ids[i].as_str())
                    .collect();
                expected.sort_unstable();
                assert_eq!(decided.list("d", list).unwrap(), expected, "{rules} rules, seed {seed}, {list}");
                assert_eq!(out.decisions["d"].list(list).unwrap(), expected, "{rules} rules, seed {seed}, {list}");
            }
        }
    }
}
