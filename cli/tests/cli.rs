//! The `kap` command run as a process, as a clinic or a script would run it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn kap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kap")).args(args).current_dir(root()).output().unwrap()
}

fn kap_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kap")).args(args).current_dir(dir).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

const RULES: &str = "rules/kap-reference.kap";

#[test]
fn help_describes_every_subcommand_and_option() {
    let out = kap(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in ["check", "eval", "describe", "Exit status", "--version"] {
        assert!(help.contains(word), "kap --help lacks {word}:\n{help}");
    }
    let check = text(&kap(&["check", "--help"]).stdout);
    for word in ["--format", "--deny-warnings", "FILE", "line and column"] {
        assert!(check.contains(word), "kap check --help lacks {word}:\n{check}");
    }
    let eval = text(&kap(&["eval", "--help"]).stdout);
    for word in ["--input", "--format", "standard input", "missing inputs"] {
        assert!(eval.contains(word), "kap eval --help lacks {word}:\n{eval}");
    }
    assert!(text(&kap(&["--version"]).stdout).starts_with("kap "));
}

#[test]
fn check_accepts_the_shipped_rules() {
    let out = kap(&["check", RULES]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok (0 warnings)"));
}

#[test]
fn check_reports_every_error_with_its_place_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("kap-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = std::fs::read_to_string(root().join(RULES))
        .unwrap()
        .replacen("patient.age < 18 years", "patient.agee < 18 years", 1)
        .replacen("[K9]", "[K99]", 1);
    let file = dir.join("broken.kap");
    std::fs::write(&file, &broken).unwrap();
    let path = file.to_str().unwrap();
    let out = kap(&["check", path]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[unknown-name]: no input or definition named `patient.agee`"), "{err}");
    assert!(err.contains("= hint: did you mean `patient.age`?"), "{err}");
    assert!(err.contains("error[unknown-source]: source `K99` is not declared"), "{err}");
    assert!(text(&out.stdout).contains("2 errors"));

    let out = kap(&["check", "--format", "json", path]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], "unknown-name");
    assert_eq!(list[0]["file"], path);
    assert!(list[0]["line"].as_u64().unwrap() > 1 && list[0]["column"].as_u64().unwrap() > 1);
    assert_eq!(list[0]["hint"], "did you mean `patient.age`?");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn eval_prints_the_contract_json_for_every_corpus_document() {
    let corpus = root().join("tests/corpus");
    let mut checked = 0;
    for folder in std::fs::read_dir(&corpus).unwrap() {
        let folder = folder.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if !name.ends_with(".json") || name.ends_with(".expected.json") {
                continue;
            }
            let out = kap(&["eval", RULES, "--input", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
            let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let expected: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(path.with_file_name(name.replace(".json", ".expected.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(got["decisions"], expected["decisions"], "{name}");
            assert_eq!(got["protocol"]["version"], "2027.1.0");
            checked += 1;
        }
    }
    assert!(checked > 250, "only {checked} documents");
}

#[test]
fn eval_text_summary_names_verdict_reasons_and_sources() {
    let out = kap(&["eval", RULES, "--input", "tests/corpus/examples/02-ineligible.json", "--format", "text"]);
    assert_eq!(out.status.code(), Some(0));
    let summary = text(&out.stdout);
    // In the rule file's words: the decision's title, each rule's message.
    assert!(summary.contains("eligibility (Eligibility for a course (intake)): INELIGIBLE"), "{summary}");
    assert!(
        summary.contains(
            "  exclusions:\n    - hypertension: Blood pressure at screening above 140/90 mmHg (150 systolic from 65 years)\n    - recent_mania: "
        ),
        "{summary}"
    );
    assert!(summary.contains("patient.screening_systolic = 146 mmHg"), "{summary}");
    assert!(summary.contains("S10 (Cardiac safety of esketamine, CNS Drugs 2020)"), "{summary}");
}

#[test]
fn eval_reads_standard_input() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(["eval", RULES, "--input", "-"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"patient": {"age": 17}}"#).unwrap();
    let out = child.wait_with_output().unwrap();
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["decisions"]["eligibility"]["exclusions"], serde_json::json!(["minor"]));
}

#[test]
fn eval_refuses_bad_documents_with_exit_2_and_a_clear_message() {
    let out = kap(&["eval", RULES, "--input", "tests/bad-input/18-out-of-range-age-121.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("patient.age: 121 is out of range; expected an integer in 0..120 years"), "{err}");

    let out = kap(&["eval", RULES, "--input", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read input document no/such/file.json"));

    let out = kap(&["eval", RULES, "--input", "tests/bad-input/01-json-syntax-trailing-comma.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not valid JSON at line"), "{}", text(&out.stderr));
}

/// A document's member name with an escape sequence, a bell and a carriage return in it: the
/// message quoting it reaches the terminal with each written as an escape, never as the
/// control character itself (which could recolour or clear the terminal, or hide the message).
#[test]
fn messages_never_pass_a_documents_control_characters_to_the_terminal() {
    let dir = std::env::temp_dir().join(format!("kap-cli-control-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("doc.json");
    std::fs::write(&doc, r#"{"patient": {"a\u001b[2J\u0007g\re": 40}}"#).unwrap();
    let out = kap(&["eval", RULES, "--input", doc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(r"patient.a\u{1b}[2J\u{7}g\u{d}e: no such input"), "{err}");
    assert!(!out.stderr.iter().any(|b| matches!(b, 0x1b | 0x07 | b'\r')), "{err:?}");
    assert!(err.ends_with('\n'));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn describe_lists_inputs_for_forms_and_a_json_schema() {
    let out = kap(&["describe", RULES]);
    assert_eq!(out.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sections: Vec<&str> = d["sections"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(sections, ["", "patient", "screening", "course", "today", "observations"]);
    assert_eq!(
        d["decisions"][0]["verdicts"],
        serde_json::json!(["ineligible", "indeterminate", "eligible_with_cautions", "eligible"])
    );
    let out = kap(&["describe", "--json-schema", RULES]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        s["properties"]["patient"]["properties"]["glaucoma"]["enum"],
        serde_json::json!(["none", "controlled", "uncontrolled"])
    );
}

#[test]
fn check_goes_on_past_an_unreadable_file() {
    let out = kap(&["check", "--format", "json", RULES, "no/such.kap", RULES]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read rule file no/such.kap"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!([]));
}

#[test]
fn course_shows_a_whole_course_that_goes_well() {
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/examples/04-session3-im-escalate.json")).unwrap(),
    )
    .unwrap();
    doc["course"]["sessions"] = serde_json::json!([]);
    doc["at"] = serde_json::json!("2026-11-16T10:00:00Z");
    let dir = std::env::temp_dir().join(format!("kap-course-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("start.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = kap(&["course", RULES, "--input", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<Vec<&str>> = table.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
    // 70 kg, intramuscular, every session tolerated well (MOAA/S 5): one step up in any two
    // sessions, 0.5, 0.6, 0.75, 0.9 mg/kg rounded down to 5 mg.
    let doses: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[3], r[4], r[5])).collect();
    assert_eq!(
        doses,
        [
            ("L1", "start", "35"),
            ("L2", "escalate", "40"),
            ("L2", "maintain", "40"),
            ("L3", "escalate", "50"),
            ("L3", "maintain", "50"),
            ("L4", "escalate", "60")
        ],
        "{table}"
    );
    // A 65-year-old starts one level lower.
    doc["patient"]["age"] = serde_json::json!(67);
    std::fs::write(&file, doc.to_string()).unwrap();
    let table = text(&kap(&["course", RULES, "--input", file.to_str().unwrap()]).stdout);
    assert!(table.lines().nth(2).unwrap().contains("L0"), "{table}");
    // ... and stays at L3 or below: L0, L1, L1, L2, L2, L3.
    let levels: Vec<&str> = table.lines().skip(2).map(|l| l.split_whitespace().nth(3).unwrap_or("")).collect();
    assert_eq!(levels, ["L0", "L1", "L1", "L2", "L2", "L3"], "{table}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_rule_file_that_fails_the_dose_proof_is_never_evaluated() {
    // L1 can give 90 mg on `vein` under a hard limit of 50 mg.
    let rules = "tests/unsafe-rules/dose-over-limit.kap";
    let doc = "tests/unsafe-rules/dose-over-limit.json";
    let check = kap(&["check", rules]);
    assert_eq!(check.status.code(), Some(1));
    for args in
        [vec!["eval", rules, "--input", doc], vec!["course", rules, "--input", doc, "--plan", "rules/course-plan.json"]]
    {
        let out = kap(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(err.contains("error[dose-limit]") && err.contains("above the limit of 50 mg"), "{args:?}: {err}");
    }
}

/// A fresh directory outside the repository, holding a copy of the shipped rule file.
fn outside(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kap-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join(RULES), dir.join("kap-reference.kap")).unwrap();
    dir
}

/// The worked example 04 as the start of a course: no session given yet.
fn course_start(dir: &Path) {
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/examples/04-session3-im-escalate.json")).unwrap(),
    )
    .unwrap();
    doc["course"]["sessions"] = serde_json::json!([]);
    doc["at"] = serde_json::json!("2026-11-16T10:00:00Z");
    std::fs::write(dir.join("start.json"), doc.to_string()).unwrap();
}

#[test]
fn course_outside_the_repository_reads_the_plan_beside_the_rule_file() {
    let dir = outside("course-beside");
    course_start(&dir);
    // No plan beside the rule file: the error names the path tried and how to pass one.
    let out = kap_in(&dir, &["course", "kap-reference.kap", "--input", "start.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("cannot read the course plan ./course-plan.json"), "{err}");
    assert!(err.contains("--plan PLAN.json"), "{err}");
    assert!(!err.contains("rules/course-plan.json"), "{err}");
    // The same, with the rule file named by its full path from elsewhere.
    let rules = dir.join("kap-reference.kap");
    let out = kap(&["course", rules.to_str().unwrap(), "--input", dir.join("start.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(&dir.join("course-plan.json").display().to_string()), "{}", text(&out.stderr));
    // With --plan, the plan given is read.
    let plan = root().join("rules/course-plan.json");
    let out = kap_in(&dir, &["course", "kap-reference.kap", "--input", "start.json", "--plan", plan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 8, "{}", text(&out.stdout));
    // With the plan beside the rule file, no --plan is needed.
    std::fs::copy(&plan, dir.join("course-plan.json")).unwrap();
    let out = kap_in(&dir, &["course", "kap-reference.kap", "--input", "start.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("L4     escalate  60 mg"), "{}", text(&out.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn course_on_an_intake_document_says_what_to_add() {
    let out = kap(&["course", RULES, "--input", "tests/corpus/examples/01-eligible-intake.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for word in ["`session` decision", "`course` group", "`sessions`", "top-level `at`"] {
        assert!(err.contains(word), "lacks {word}: {err}");
    }
}

#[test]
fn course_reads_what_the_plan_names_and_says_what_an_old_plan_lacks() {
    let dir = outside("course-plan");
    course_start(&dir);
    let start = dir.join("start.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("rules/course-plan.json")).unwrap()).unwrap();
    let run = |plan: &serde_json::Value| {
        let file = dir.join("plan.json");
        std::fs::write(&file, plan.to_string()).unwrap();
        kap(&["course", RULES, "--input", start.to_str().unwrap(), "--plan", file.to_str().unwrap()])
    };
    // A plan from before: every member it lacks is named, with what it is for.
    let mut old = plan.clone();
    for key in ["decision", "given_when", "list", "time", "record", "columns"] {
        old.as_object_mut().unwrap().remove(key);
    }
    let out = run(&old);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for key in ["\"decision\"", "\"given_when\"", "\"list\"", "\"time\"", "\"record\"", "\"columns\""] {
        assert!(err.contains(key), "lacks {key}: {err}");
    }
    // A name the protocol does not have is refused, naming those it has.
    plan["given_when"] = serde_json::json!("procede");
    let err = text(&run(&plan).stderr);
    assert!(err.contains("`procede`") && err.contains("stop, complete, hold, indeterminate, proceed"), "{err}");
    // The columns shown are the plan's, under its headings.
    plan["given_when"] = serde_json::json!("proceed");
    plan["columns"] = serde_json::json!({"dose": "amount"});
    let out = run(&plan);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert_eq!(
        table.lines().next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["#", "at", "verdict", "amount", "reasons"]
    );
    assert!(table.lines().nth(2).unwrap().contains("35 mg"), "{table}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn course_wraps_long_reasons_and_prints_json() {
    let dir = outside("course-wrap");
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/examples/01-eligible-intake.json")).unwrap(),
    )
    .unwrap();
    doc["course"] = serde_json::json!({"route": "intramuscular", "sessions": []});
    let file = dir.join("intake.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let plan = root().join("rules/course-plan.json");
    let args = ["course", RULES, "--input", file.to_str().unwrap(), "--plan", plan.to_str().unwrap()];
    let out = kap(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    // Every input of the day is missing: the reasons wrap rather than run on.
    assert!(table.contains("missing: today."), "{table}");
    assert!(table.lines().count() > 4, "{table}");
    for line in table.lines() {
        assert!(line.chars().count() <= 120, "a line of {} characters:\n{table}", line.chars().count());
    }
    let out = kap(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["verdict"], "hold");
    assert!(json[0]["missing"].as_array().unwrap().contains(&serde_json::json!("today.systolic")));

    course_start(&dir);
    let start = dir.join("start.json");
    let out = kap(&["course", RULES, "--input", start.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sessions = json.as_array().unwrap();
    assert_eq!(sessions.len(), 6);
    assert_eq!(sessions[0]["number"], 1);
    assert_eq!(sessions[0]["at"], "2026-11-16T10:00:00Z");
    assert_eq!(sessions[0]["verdict"], "proceed");
    assert_eq!(sessions[0]["level"], "L1");
    assert_eq!(sessions[0]["dose"], serde_json::json!({"value": 35, "unit": "mg"}));
    assert_eq!(sessions[0]["reasons"], serde_json::json!([]));
    assert_eq!(sessions[5]["dose"]["value"], 60);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn eval_text_renders_every_output_field_as_text() {
    for example in std::fs::read_dir(root().join("tests/corpus/examples")).unwrap() {
        let path = example.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".expected.json") {
            continue;
        }
        let out = kap(&["eval", RULES, "--input", path.to_str().unwrap(), "--format", "text"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let summary = text(&out.stdout);
        let decisions = summary.split("\nWhy:\n").next().unwrap();
        for json in ["{", "[", "\"", ": \n"] {
            assert!(!decisions.contains(json), "{name}: `{json}` in\n{summary}");
        }
    }
    let hold = text(
        &kap(&["eval", RULES, "--input", "tests/corpus/examples/05-session-hold.json", "--format", "text"]).stdout,
    );
    assert!(
        hold.contains(
            "\nfollow_up (Follow-up calls and checks):\n  due:\n    - phone_check at 2026-11-21T08:30:00Z: cssrs, wellbeing\n"
        ),
        "{hold}"
    );
    let monitoring =
        text(&kap(&["eval", RULES, "--input", "tests/corpus/examples/06-monitoring.json", "--format", "text"]).stdout);
    for line in [
        "  dose: 49 mg (infusion_minutes 40)\n",
        "  schedule: 10, 20, 30, 40, 55, 70, 85, 100, 120\n",
        "  alerts:\n    - bp_urgent (warning) at 2026-11-26T10:20:00Z: Recheck in 5 minutes; pause dosing; tell the prescriber\n",
        "  instructions: no_alcohol_cannabis_24h, no_benzodiazepine_opioid_4h, no_driving_until_next_day_after_sleep\n",
        "  discharge: NOT READY\n    unmet: observation_time\n",
    ] {
        assert!(monitoring.contains(line), "lacks {line:?}:\n{monitoring}");
    }
}

/// A reader that stops early (`kap describe | head`) ends kap quietly, never with a panic.
#[test]
fn a_closed_output_pipe_ends_quietly_without_a_panic() {
    for args in [
        &["describe", "rules/kap-reference.kap"][..],
        &["test", "--format", "json", "rules/kap-reference.kap", "rules/tests"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
            .args(args)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before kap writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
    }
}

/// The same when what stops early reads standard error, where `kap check` writes its
/// diagnostics (`kap check FILE 2>&1 | head`): status 141, never a panic.
#[test]
fn a_closed_error_pipe_ends_quietly_without_a_panic() {
    let dir = std::env::temp_dir().join(format!("kap-closed-stderr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.kap");
    // Thousands of errors: more than a pipe holds, so kap still writes after the reader has
    // gone, however soon it is scheduled.
    let lines: String = (0..3000).map(|i| format!("input patient.a{i}: integer years in 0..120\n")).collect();
    std::fs::write(&file, format!("protocol \"P\"\n{lines}")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(["check", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before kap writes.
    drop(child.stderr.take());
    let out = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(141), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn eval_text_names_missing_inputs_by_their_labels() {
    let out = kap(&["eval", RULES, "--input", "tests/corpus/examples/03-indeterminate.json", "--format", "text"]);
    let summary = text(&out.stdout);
    assert!(summary.contains("  missing:\n    - screening.audit (AUDIT score)\n"), "{summary}");
}
