//! `kap diff` run as a process, on edited copies of the reference protocol over small sets of
//! documents chosen so that the counts are known: a threshold changed, a rule removed, a
//! dose changed; the same name and version; identical files; refused documents; JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{kap, root, text, RULES};
use serde_json::{json, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A folder of its own for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kap-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The reference protocol with each `(from, to)` replaced (each must be found), written to
/// `dir/name`; with `version`, the version too.
fn edited(dir: &Path, name: &str, edits: &[(&str, &str)], version: Option<&str>) -> String {
    let mut source = std::fs::read_to_string(root().join(RULES)).unwrap();
    let mut all = edits.to_vec();
    let line = version.map(|v| format!("version \"{v}\""));
    if let Some(line) = &line {
        all.push(("version \"2027.1.0\"", line));
    }
    for (from, to) in all {
        assert_eq!(source.matches(from).count(), 1, "{from}");
        source = source.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path.to_str().unwrap().to_string()
}

/// A base document of the shipped test suite with members set (`"patient.age"` = 17).
fn document(base: &str, set: &[(&str, Value)]) -> Value {
    let path = root().join("rules/tests/documents").join(base);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (path, value) in set {
        let (group, member) = path.split_once('.').unwrap();
        doc[group][member] = value.clone();
    }
    doc
}

/// The documents as a JSON Lines file.
fn lines(dir: &Path, docs: &[Value]) -> String {
    let text: String = docs.iter().map(|d| format!("{}\n", serde_json::to_string(d).unwrap())).collect();
    let path = dir.join("documents.jsonl");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn ages(ages: &[u32]) -> Vec<Value> {
    ages.iter().map(|a| document("intake.json", &[("patient.age", json!(a))])).collect()
}

const MINOR: (&str, &str) = ("when patient.age < 18 years [K2]", "when patient.age < 21 years [K2]");

#[test]
fn a_threshold_changed_moves_the_documents_between_its_old_and_new_value() {
    // Ages 18 and 20 become minors under 21; 17, 21 and 40 keep their verdict.
    let dir = folder("threshold");
    let new = edited(&dir, "new.kap", &[MINOR], Some("2027.2.0"));
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[17, 18, 20, 21, 40]))]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("5 documents: 2 changed, 3 unchanged, 0 refused by both protocols\n"), "{stdout}");
    let file = dir.join("documents.jsonl");
    let expected = format!(
        "\neligibility.verdict: eligible -> ineligible: 2 documents\n  rule minor: false -> true: 2\n  e.g. {f}:2, {f}:3\n\
         \neligibility.exclusions: added minor: 2 documents\n  rule minor: false -> true: 2\n  e.g. {f}:2, {f}:3\n",
        f = file.display()
    );
    assert!(stdout.ends_with(&expected), "{stdout}");
    assert!(!stdout.contains("warning"), "{stdout}");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_rule_removed_releases_its_holds() {
    // The session base proceeds; with a stimulant today it holds for `stimulant` alone, and
    // with no escort as well for two reasons. Without the rule the first proceeds at its
    // level and dose, the second holds for `no_escort` alone.
    let dir = folder("removed");
    let rule = "  hold stimulant \"Stimulant taken today\"\n    when today.stimulant_today [K18]\n";
    let new = edited(&dir, "new.kap", &[(rule, "")], Some("2027.2.0"));
    let docs = [
        document("session.json", &[]),
        document("session.json", &[("today.stimulant_today", json!(true))]),
        document("session.json", &[("today.stimulant_today", json!(true)), ("today.escort_confirmed", json!(false))]),
    ];
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &docs), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        (report["documents"].clone(), report["changed"].clone(), report["unchanged"].clone()),
        (json!(3), json!(2), json!(1))
    );
    let groups: Vec<(String, u64)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let name = format!(
                "{}.{} {} {}",
                g["decision"].as_str().unwrap(),
                g["field"].as_str().unwrap(),
                g["kind"].as_str().unwrap(),
                g["what"].as_str().unwrap()
            );
            (name.trim_end().to_string(), g["documents"].as_u64().unwrap())
        })
        .collect();
    let expected = [
        ("session.verdict verdict hold -> proceed", 1),
        ("session.dose value", 1),
        ("session.level value", 1),
        ("session.level_change value", 1),
        ("session.reasons removed stimulant", 2),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(groups, expected);
    let reasons = &report["groups"][4];
    assert_eq!(reasons["rules"], json!([{"rule": "stimulant", "old": "true", "new": "absent", "documents": 2}]));
    let dose = &report["groups"][1];
    assert_eq!(dose["values"], json!([{"old": null, "new": {"value": 40, "unit": "mg"}, "documents": 1}]));
    let file = dir.join("documents.jsonl").display().to_string();
    assert_eq!(reasons["examples"], json!([format!("{file}:2"), format!("{file}:3")]));
}

#[test]
fn a_dose_changed_changes_the_doses_given_at_that_level_and_no_rule() {
    // 70 kg intramuscular at L2: 0.6 mg/kg is 42, 40 mg rounded down to 5 mg; 0.65 is 45.5,
    // 45 mg. At 80 kg: 48 -> 45 mg, 52 -> 50 mg. An intake has no session. A folder, with an
    // expected output that is not read.
    let dir = folder("dose");
    let edit = ("dose intramuscular L2 0.6 mg/kg [R11]", "dose intramuscular L2 0.65 mg/kg [R11]");
    let new = edited(&dir, "new.kap", &[edit], Some("2027.2.0"));
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("more")).unwrap();
    std::fs::write(docs.join("a.json"), document("session.json", &[]).to_string()).unwrap();
    std::fs::write(docs.join("more/b.json"), document("session.json", &[("patient.weight", json!(80))]).to_string())
        .unwrap();
    std::fs::write(docs.join("c.json"), document("intake.json", &[]).to_string()).unwrap();
    std::fs::write(docs.join("a.expected.json"), "not read").unwrap();
    let out = kap(&["diff", RULES, &new, "--inputs", docs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let expected = format!(
        "\nsession.dose changed: 2 documents\n  40 mg -> 45 mg: 1\n  45 mg -> 50 mg: 1\n  no rule's result changed\n  e.g. {}, {}\n",
        docs.join("a.json").display(),
        docs.join("more/b.json").display()
    );
    assert!(stdout.starts_with("3 documents: 2 changed, 1 unchanged, 0 refused by both protocols\n"), "{stdout}");
    assert!(stdout.ends_with(&expected), "{stdout}");
}

#[test]
fn the_same_name_and_version_for_other_content_is_said_first() {
    let dir = folder("version");
    let new = edited(&dir, "new.kap", &[MINOR], None);
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[40]))]);
    // No document changes: exit 0, and the warning still comes first.
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let warning = format!(
        "warning: {RULES} and {new} differ but both claim protocol \"KAP reference\" version \"2027.1.0\": give the edited protocol a new version, so that every change can be told apart\n"
    );
    assert!(stdout.starts_with(&warning), "{stdout}");
    assert!(stdout[warning.len()..].starts_with("1 document: 0 changed, 1 unchanged, 0 refused by both protocols\n"));
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[40])), "--format", "json"]);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(report["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn identical_files_are_no_change() {
    let dir = folder("identical");
    let copy = dir.join("copy.kap");
    std::fs::copy(root().join(RULES), &copy).unwrap();
    let copy = copy.to_str().unwrap();
    let out = kap(&["diff", RULES, copy, "--inputs", "tests/corpus"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("no change: {RULES} and {copy} are identical (KAP reference 2027.1.0)\n"));
    let out = kap(&["diff", RULES, copy, "--inputs", "tests/corpus", "--format", "json"]);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(report["identical"], json!(true));
    assert_eq!(report["old"]["sha256"], report["new"]["sha256"]);
}

#[test]
fn refused_documents_are_counted_listed_and_a_new_refusal_is_a_difference() {
    // NEW accepts ages from 18 only: 17 is refused by NEW alone (a difference); a line that
    // is not JSON and an age of 150 are refused by both; 40 is unchanged; a blank line is
    // no document.
    let dir = folder("refused");
    let range = ("input patient.age: integer years in 0..120", "input patient.age: integer years in 18..120");
    let new = edited(&dir, "new.kap", &[range], Some("2027.2.0"));
    let [a, b, c] = [17, 40, 150].map(|age| serde_json::to_string(&ages(&[age])[0]).unwrap());
    let file = dir.join("documents.jsonl");
    std::fs::write(&file, format!("{a}\n{{not json\n{b}\n\n{c}\n")).unwrap();
    let out = kap(&["diff", RULES, &new, "--inputs", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let f = file.display();
    assert!(stdout.starts_with("4 documents: 1 changed, 1 unchanged, 2 refused by both protocols\n"), "{stdout}");
    assert!(stdout.contains(&format!("\ninput: accepted -> refused: 1 document\n  e.g. {f}:1\n")), "{stdout}");
    assert!(stdout.contains("\nRefused documents (3):\n"), "{stdout}");
    assert!(
        stdout
            .contains(&format!("  {f}:1:\n    old: accepted\n    new: invalid input: patient.age: 17 is out of range")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("  {f}:2: by both: invalid input: not valid JSON at line 1")), "{stdout}");
    assert!(
        stdout.contains(&format!("  {f}:5:\n    old: invalid input: patient.age: 150 is out of range")),
        "{stdout}"
    );
    // The same from standard input, as JSON.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(["diff", RULES, &new, "--inputs", "-", "--format", "json"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(&file).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(report["refused_by_both"], json!(2));
    assert_eq!(report["groups"][0]["kind"], json!("input"));
    assert_eq!(report["groups"][0]["examples"], json!(["stdin:1"]));
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(
        refused.iter().map(|r| r["document"].as_str().unwrap()).collect::<Vec<_>>(),
        ["stdin:1", "stdin:2", "stdin:5"]
    );
    assert_eq!(refused[0]["old"], Value::Null);
}

#[test]
fn the_json_report_has_the_counts_the_protocols_and_the_groups() {
    let dir = folder("json");
    let new = edited(&dir, "new.kap", &[MINOR], Some("2027.2.0"));
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[17, 18, 40])), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    let expected = [
        "documents",
        "changed",
        "unchanged",
        "refused_by_both",
        "groups",
        "refused",
        "old",
        "new",
        "identical",
        "protocol_changes",
        "warnings",
    ];
    assert_eq!(keys, expected);
    assert_eq!(report["new"]["version"], json!("2027.2.0"));
    assert_eq!(report["new"]["file"], json!(new));
    assert_eq!(report["old"]["name"], json!("KAP reference"));
    let file = dir.join("documents.jsonl").display().to_string();
    assert_eq!(
        report["groups"][0],
        json!({"decision": "eligibility", "field": "verdict", "kind": "verdict", "what": "eligible -> ineligible",
               "less_restrictive": false, "documents": 1, "rules": [{"rule": "minor", "old": "false", "new": "true", "documents": 1}],
               "examples": [format!("{file}:2")]})
    );
    assert_eq!(report["groups"].as_array().unwrap().len(), 2);
}

#[test]
fn unreadable_files_invalid_rules_and_wrong_arguments_exit_2() {
    let dir = folder("errors");
    let broken =
        edited(&dir, "broken.kap", &[("when patient.age < 18 years [K2]", "when patient.agee < 18 years [K2]")], None);
    let out = kap(&["diff", RULES, &broken, "--inputs", "tests/corpus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[unknown-name]: no input or definition named `patient.agee`"));
    let out = kap(&["diff", RULES, RULES, "--inputs", dir.join("absent").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "a wrong path is an error even for identical files");
    assert!(text(&out.stderr).contains("kap: cannot read the documents"), "{}", text(&out.stderr));
    let new = edited(&dir, "new.kap", &[MINOR], None);
    let out = kap(&["diff", RULES, &new, "--inputs", dir.join("absent").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("kap: cannot read the documents"), "{}", text(&out.stderr));
    assert_eq!(kap(&["diff", RULES, &new]).status.code(), Some(2));
    assert_eq!(kap(&["diff", "absent.kap", &new, "--inputs", "tests/corpus"]).status.code(), Some(2));
}

#[test]
fn the_protocol_level_changes_come_first_with_their_lines_on_both_sides() {
    // A threshold raised, a hold removed, a dose changed and the version bumped; a comment
    // and the spacing of a line changed too, which are not changes.
    let dir = folder("protocol");
    let rule = "  hold stimulant \"Stimulant taken today\"\n    when today.stimulant_today [K18]\n";
    let new = edited(
        &dir,
        "new.kap",
        &[
            MINOR,
            (rule, ""),
            ("dose intramuscular L2 0.6 mg/kg [R11]", "dose intramuscular L2 0.65 mg/kg [R11]"),
            ("# S1-S3: the current US label", "# S1 to S3: the current US label"),
            ("  hold no_escort", "  hold   no_escort"),
        ],
        Some("2027.2.0"),
    );
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[40]))]);
    let stdout = text(&out.stdout);
    let expected = "\nProtocol changes (4):\n\
         \x20 changed  protocol header (line 10 -> 10): \"2027.1.0\" -> \"2027.2.0\"\n\
         \x20 changed  rule eligibility.minor (line 371 -> 371): 18 -> 21\n\
         \x20 changed  dose ketamine.dose intramuscular L2 (line 476 -> 476): 0.6 -> 0.65\n\
         \x20 removed  rule session.stimulant (old line 605)\n";
    assert!(stdout.contains(expected), "{stdout}");
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &ages(&[40])), "--format", "json"]);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let changes = report["protocol_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4);
    assert_eq!(
        changes[1],
        json!({"change": "changed", "kind": "rule", "key": "eligibility.minor",
            "old": {"line": 371, "text": "exclude minor \"Younger than 18\" when patient.age < 18 years [ K2 ]"},
            "new": {"line": 371, "text": "exclude minor \"Younger than 18\" when patient.age < 21 years [ K2 ]"},
            "edits": [{"old": "18", "new": "21"}]})
    );
    assert_eq!(changes[3]["change"], "removed");
    assert_eq!(changes[3]["old"]["line"], 605);
}

#[test]
fn verdicts_that_became_less_restrictive_come_first_and_are_flagged() {
    // The minimum age lowered to 16 and the escort hold removed: a 17-year-old becomes
    // eligible and a session without an escort proceeds (both less restrictive, listed
    // first); a 40-year-old with a stimulant today still holds.
    let dir = folder("restrictive");
    let escort = "  hold no_escort \"No escort home confirmed\"\n    when not today.escort_confirmed [S3]\n";
    let new = edited(&dir, "new.kap", &[(MINOR.0, "when patient.age < 16 years [K2]"), (escort, "")], Some("2027.2.0"));
    let docs = [
        document("intake.json", &[("patient.age", json!(17))]),
        document("session.json", &[("today.escort_confirmed", json!(false))]),
    ];
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &docs)]);
    let stdout = text(&out.stdout);
    let headings: Vec<&str> = stdout.lines().filter(|l| !l.starts_with(' ') && l.contains(": ")).skip(3).collect();
    assert_eq!(headings[0], "eligibility.verdict: ineligible -> eligible: 1 document (less restrictive)", "{stdout}");
    assert_eq!(headings[1], "session.verdict: hold -> proceed: 1 document (less restrictive)", "{stdout}");
    assert!(headings[2..].iter().all(|h| !h.contains("less restrictive")), "{stdout}");
    let out = kap(&["diff", RULES, &new, "--inputs", &lines(&dir, &docs), "--format", "json"]);
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let flagged: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["less_restrictive"] == json!(true))
        .map(|g| g["what"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["ineligible -> eligible", "hold -> proceed"]);
}
