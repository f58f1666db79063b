//! A protocol's tests through the engine API: derived cases, failures with their lines,
//! invalid test files, refused documents and coverage counted by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::testing::{self, CaseOutcome, Coverage, ItemKind};
use kap_engine::Protocol;

/// Two exclusions, one caution, four verdicts, an alert over a list of readings and a due
/// item for some readings.
const PROTOCOL: &str = r#"
protocol "Small" version "1" status draft
source K2 "Eligibility criteria"
input patient.age: integer years in 0..120 "Age"
input patient.pregnant: boolean "Pregnant"
input patient.readings: list in 0..10 "Readings"
input patient.readings[].at: timestamp "Time"
input patient.readings[].pulse: integer bpm in 20..250 "Pulse"
decision eligibility
  given patient
  list exclusions of exclude
  list cautions of caution
  verdict ineligible if any exclude
  verdict indeterminate if unknown exclude or unknown caution
  verdict eligible_with_cautions if any caution
  verdict eligible otherwise
  exclude minor "Younger than 18" when patient.age < 18 years [K2]
  exclude pregnancy "Pregnant" when patient.pregnant [K2]
  caution older "65 or older" when patient.age >= 65 years [K2]
  alert fast warning "Pulse above 120" for r in patient.readings when r.pulse > 120 bpm at r.at
    action "Recheck"
  due review [pulse] at r.at after 1 h for r in patient.readings when r.pulse > 120 bpm
"#;

fn protocol() -> Protocol {
    Protocol::compile(PROTOCOL).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn no_files(path: &str) -> Result<String, String> {
    Err(format!("no file {path}"))
}

#[test]
fn derived_cases_set_and_remove_members_of_one_base() {
    let tests = r#"
document adult {"patient": {"age": 18, "pregnant": false}}
case "18 is an adult" [K2]
  from adult
  expect eligibility.verdict = eligible
case "17 is a minor" [K2]
  from adult
  set patient.age = 17
  expect eligibility.verdict = ineligible
  expect eligibility.exclusions = [minor]
case "no age" [K2]
  from adult
  remove patient.age
  expect eligibility.verdict = indeterminate
  expect eligibility.missing = [patient.age]
  expect eligibility.exclusions lacks minor
"#;
    let results = testing::run(&protocol(), tests, &mut no_files, None).unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r.passed()), "{results:#?}");
    assert_eq!(results[1].name, "17 is a minor");
    assert_eq!(results[1].line, 6);
    assert_eq!(results[1].sources, ["K2"]);
}

#[test]
fn a_failure_names_the_line_of_its_expectation_and_what_came_out() {
    let tests = "document adult {\"patient\": {\"age\": 40, \"pregnant\": false}}\n\
                 case \"wrong\"\n  from adult\n  expect eligibility.verdict = eligible\n  expect eligibility.verdict = ineligible\n  expect eligibility.cautions contains older\n";
    let results = testing::run(&protocol(), tests, &mut no_files, None).unwrap();
    let CaseOutcome::Failed { failures } = &results[0].outcome else { panic!("{results:#?}") };
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].line, 5);
    assert_eq!(failures[0].mismatch.expected, "eligibility.verdict = ineligible");
    assert_eq!(failures[0].mismatch.actual, "eligible");
    assert_eq!(failures[1].line, 6);
    assert_eq!(failures[1].mismatch.actual, "[]");
}

#[test]
fn a_refused_document_fails_the_case_with_the_input_error() {
    let tests = "case \"out of range\"\n  set patient.age = 170\n  expect eligibility.verdict = ineligible\n";
    let results = testing::run(&protocol(), tests, &mut no_files, None).unwrap();
    let CaseOutcome::InvalidInput { error } = &results[0].outcome else { panic!("{results:#?}") };
    assert!(error.contains("patient.age") && error.contains("0..120"), "{error}");
    // A base document that is not JSON fails each case derived from it, never silently.
    let mut loader = |_: &str| Ok::<_, String>("{\"patient\": ".to_string());
    let tests = "document d \"d.json\"\ncase \"broken\"\n  from d\n  expect eligibility.verdict = eligible\n";
    let results = testing::run(&protocol(), tests, &mut loader, None).unwrap();
    let CaseOutcome::InvalidInput { error } = &results[0].outcome else { panic!("{results:#?}") };
    assert!(error.contains("not valid JSON"), "{error}");
}

#[test]
fn an_invalid_test_file_gives_diagnostics_with_their_places() {
    let protocol = protocol();
    let code_at = |tests: &str| {
        let diagnostics = testing::run(&protocol, tests, &mut no_files, None).unwrap_err();
        let d = &diagnostics[0];
        let located = d.locate("t.kaptest", tests);
        (d.code.to_string(), located.line, located.column)
    };
    assert_eq!(code_at("case \"x\"\n  expect eligibility.verdict == eligible\n"), ("syntax".into(), 2, 31));
    assert_eq!(code_at("case \"x\"\nexpect eligibility.verdict = eligible\n"), ("syntax".into(), 2, 1));
    assert_eq!(code_at("case \"x\" [K9]\n  expect eligibility.verdict = eligible\n"), ("unknown-source".into(), 1, 11));
    assert_eq!(
        code_at("case \"x\"\n  from nobody\n  expect eligibility.verdict = eligible\n"),
        ("unknown-name".into(), 2, 8)
    );
    assert_eq!(code_at("case \"x\"\n  expect eligibilty.verdict = eligible\n"), ("unknown-name".into(), 2, 3));
    assert_eq!(
        code_at("document d \"d.json\"\ncase \"x\"\n  from d\n  expect eligibility.verdict = eligible\n"),
        ("test-document".into(), 1, 12)
    );
    assert_eq!(
        code_at("case \"x\"\n  remove patient.age\n  expect eligibility.verdict = eligible\n"),
        ("test-document".into(), 2, 3)
    );
    assert_eq!(
        code_at("case \"x\"\n  set patient.age = 17 years\n  expect eligibility.verdict = eligible\n"),
        ("unit-mismatch".into(), 2, 3)
    );
    assert_eq!(code_at("case \"x\"\n  set patient.age = 17\n"), ("syntax".into(), 1, 1));
    // A misspelt input in `set` or `remove` is the file's error at its line, not a failed case.
    assert_eq!(
        code_at("case \"x\"\n  set patient.agee = 17\n  expect eligibility.verdict = eligible\n"),
        ("unknown-name".into(), 2, 3)
    );
    assert_eq!(
        code_at("case \"x\"\n  remove patient.readings[0].pulsee\n  expect eligibility.verdict = eligible\n"),
        ("unknown-name".into(), 2, 3)
    );
}

#[test]
fn a_malformed_step_says_how_that_step_is_written() {
    let protocol = protocol();
    let first = |tests: &str| {
        let d = testing::run(&protocol, tests, &mut no_files, None).unwrap_err().remove(0);
        (d.message, d.hint.unwrap_or_default())
    };
    let (message, hint) = first("case \"x\"\n  from adult extra\n  expect eligibility.verdict = eligible\n");
    assert_eq!(message, "unexpected `extra` after `from adult`");
    assert!(hint.starts_with("`from` names one document"), "{hint}");
    let (message, hint) = first("case \"x\"\n  set patient.age 17\n  expect eligibility.verdict = eligible\n");
    assert_eq!(message, "cannot read this `set` line");
    assert!(hint.starts_with("`set PATH = VALUE`"), "{hint}");
    let (_, hint) = first("case \"x\"\n  set patient.agee = 17\n  expect eligibility.verdict = eligible\n");
    assert_eq!(hint, "did you mean `patient.age`?");
    // A case's steps under a case still get the layout hint when a line starts wrongly.
    let (_, hint) = first("case \"x\"\n  fro adult\n");
    assert!(hint.contains("indented under"), "{hint}");
}

#[test]
fn coverage_counts_each_rule_verdict_alert_and_due_item_by_hand() {
    let tests = r#"
document adult {"patient": {"age": 40, "pregnant": false, "readings": [{"at": "2026-01-01T10:00:00Z", "pulse": 80}]}}
case "adult"
  from adult
  expect eligibility.verdict = eligible
case "minor with a fast pulse"
  from adult
  set patient.age = 17
  set patient.readings[0].pulse = 130
  expect eligibility.verdict = ineligible
  expect eligibility.alerts contains fast at 10:00
case "older, pregnancy unknown"
  from adult
  set patient.age = 70
  remove patient.pregnant
  remove patient.readings[0].pulse
  expect eligibility.verdict = ineligible
"#;
    // The third case is wrong on purpose: it is still counted (indeterminate is reached).
    let protocol = protocol();
    let mut coverage = Coverage::new(&protocol);
    let results = testing::run(&protocol, tests, &mut no_files, Some(&mut coverage)).unwrap();
    assert_eq!(results.iter().filter(|r| r.passed()).count(), 2, "{results:#?}");
    let report = coverage.report();
    let counts = |kind: ItemKind, name: &str| {
        let i = report.items.iter().find(|i| i.kind == kind && i.name == name).unwrap();
        (i.times_true, i.times_false, i.unknown, i.covered())
    };
    // minor: false (40), true (17), false (70).
    assert_eq!(counts(ItemKind::Rule, "minor"), (1, 2, 0, true));
    // pregnancy: false, false, unknown: never true.
    assert_eq!(counts(ItemKind::Rule, "pregnancy"), (0, 2, 1, false));
    // older: false, false, true.
    assert_eq!(counts(ItemKind::Rule, "older"), (1, 2, 0, true));
    assert_eq!(counts(ItemKind::Verdict, "eligible").0, 1);
    assert_eq!(counts(ItemKind::Verdict, "ineligible").0, 1);
    assert_eq!(counts(ItemKind::Verdict, "indeterminate").0, 1);
    assert_eq!(counts(ItemKind::Verdict, "eligible_with_cautions"), (0, 0, 0, false));
    // fast: not raised (80), raised (130), undecided (no pulse).
    assert_eq!(counts(ItemKind::Alert, "fast"), (1, 1, 1, true));
    // review: not given (80), given (130), not given (no pulse: its condition is not true).
    assert_eq!(counts(ItemKind::Due, "review"), (1, 2, 0, true));
    // 3 rules + 4 verdicts + 1 alert + 1 due item; covered: minor, older, 3 verdicts, fast,
    // review.
    assert_eq!((report.covered, report.total, report.cases), (7, 9, 3));
    assert_eq!(report.percent(), "77.7");
    assert!(report.meets(77.7) && !report.meets(77.8));
    let lacking: Vec<String> = report.uncovered().map(|i| format!("{} {}", i.name, i.lacking())).collect();
    assert_eq!(lacking, ["pregnancy never true", "eligible_with_cautions never reached"]);
}

#[test]
fn a_traced_evaluation_gives_the_same_output_as_a_plain_one() {
    let protocol = protocol();
    let json = kap_engine::input::json::parse(r#"{"patient": {"age": 70}}"#).unwrap();
    let (traced, trace) = protocol.evaluate_traced(&json).unwrap();
    assert_eq!(traced, protocol.evaluate(&json).unwrap());
    assert_eq!(trace.decisions[0].verdict.as_deref(), Some("indeterminate"));
    let truths: Vec<String> = trace.decisions[0].rules.iter().map(|(id, t)| format!("{id} {t:?}")).collect();
    assert_eq!(truths, ["minor False", "pregnancy Unknown", "older True"]);
}

#[test]
fn the_shipped_suite_covers_every_level_of_every_route() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let protocol = Protocol::compile(&std::fs::read_to_string(root.join("rules/kap-reference.kap")).unwrap()).unwrap();
    let mut coverage = Coverage::new(&protocol);
    let dir = root.join("rules/tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "kaptest"));
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let mut loader = |path: &str| std::fs::read_to_string(dir.join(path)).map_err(|e| e.to_string());
        let results = testing::run(&protocol, &source, &mut loader, Some(&mut coverage)).unwrap();
        assert!(results.iter().all(|r| r.passed()), "{}: {results:#?}", file.display());
    }
    let report = coverage.report();
    let levels = report.items.iter().filter(|i| i.kind == ItemKind::Level).count();
    assert_eq!(levels, 8 + 6 + 5, "sublingual L0..L7, intramuscular L0..L5, intravenous L0..L4");
    assert_eq!(report.percent(), "100.0", "{}", report.render());
}

#[test]
fn a_misspelt_field_verdict_or_id_is_refused_so_no_expectation_passes_by_accident() {
    let tests = "document d {\"patient\": {\"age\": 30}}\ncase \"typos\"\n  from d\n  expect eligibility.exclusions lacks minr\n  expect eligibility.exclusion absent\n  expect eligibility.verdict = eligble\n  expect eligibility.cautions = [older, pregnancy]\n  expect eligibility.alerts lacks fst\n  expect eligibility.exclusions lacks minor\n  expect eligibility.missing = []\n";
    let diagnostics = testing::run(&protocol(), tests, &mut no_files, None).unwrap_err();
    let found: Vec<(usize, &str)> = diagnostics
        .iter()
        .map(|d| (kap_engine::diagnostic::line_col(tests, d.span.start).0, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (4, "decision `eligibility` has no exclude `minr`"),
            (5, "decision `eligibility` has no output `exclusion`"),
            (6, "decision `eligibility` has no verdict `eligble`"),
            (7, "decision `eligibility` has no caution `pregnancy`"),
            (8, "decision `eligibility` has no alert `fst`"),
        ]
    );
    assert!(diagnostics.iter().all(|d| d.code == "unknown-name"));
    assert_eq!(diagnostics[1].hint.as_deref(), Some("did you mean `exclusions`?"));
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean `minor`?"));
}
