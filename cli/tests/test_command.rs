//! `kap test` run as a process: failures with their file and line, invalid test files,
//! JUnit XML, coverage and the shipped suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{kap, root, text, RULES};
use std::path::PathBuf;

/// A folder of its own with these test files, and the intake document beside them.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kap-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("more")).unwrap();
    std::fs::copy(root().join("rules/tests/documents/intake.json"), dir.join("intake.json")).unwrap();
    for (file, source) in files {
        std::fs::write(dir.join(file), source).unwrap();
    }
    dir
}

const PASSING: &str =
    "document intake \"intake.json\"\ncase \"baseline\"\n  from intake\n  expect eligibility.verdict = eligible\n";
const FAILING: &str = "document intake \"../intake.json\"\n\ncase \"17 <is> & a minor\" [K2]\n  from intake\n  set patient.age = 17\n  expect eligibility.verdict = eligible\n  expect eligibility.exclusions contains minor\n";

#[test]
fn a_failing_case_is_reported_with_its_file_line_and_the_difference() {
    let dir = folder("failing", &[("a.kaptest", PASSING), ("more/b.kaptest", FAILING)]);
    let out = kap(&["test", RULES, dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let file = dir.join("more/b.kaptest");
    let line =
        format!("{}:6: \"17 <is> & a minor\": expected eligibility.verdict = eligible, got ineligible", file.display());
    assert!(stdout.contains(&line), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
    // One file alone; the passing one exits 0.
    let out = kap(&["test", RULES, dir.join("a.kaptest").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "1 passed, 0 failed\n");
}

#[test]
fn an_invalid_test_file_is_reported_with_a_diagnostic_and_exits_2() {
    let broken = "case \"x\"\n  from intake\n  expect eligibility.verdict = eligible\n";
    let dir = folder("invalid", &[("broken.kaptest", broken)]);
    let out = kap(&["test", RULES, dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[unknown-name]: no document named `intake`"), "{stderr}");
    assert!(stderr.contains(&format!("--> {}:2:8", dir.join("broken.kaptest").display())), "{stderr}");
    // The closing line says that a file was not run, not a bare "0 passed, 0 failed".
    assert_eq!(text(&out.stdout), "0 passed, 0 failed; 1 test file not run (see its errors)\n");
    let out = kap(&["test", RULES, dir.join("absent.kaptest").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// Well-formed XML, checked by hand: tags balanced and named alike, attributes quoted, no
/// raw `<` or `&` in text.
fn well_formed(xml: &str) -> Result<usize, String> {
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").ok_or("no declaration")?;
    let mut open: Vec<String> = Vec::new();
    let mut elements = 0;
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        let between = &rest[..start];
        if between.contains('>')
            || between
                .replace("&amp;", "")
                .replace("&lt;", "")
                .replace("&gt;", "")
                .replace("&quot;", "")
                .replace("&apos;", "")
                .contains('&')
        {
            return Err(format!("raw markup in text: {between}"));
        }
        let end = rest[start..].find('>').ok_or("unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if tag.contains('<') || tag.matches('"').count() % 2 == 1 {
            return Err(format!("bad tag {tag}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop().as_deref() != Some(name) {
                return Err(format!("</{name}> closes nothing"));
            }
        } else {
            elements += 1;
            if !tag.ends_with('/') {
                open.push(tag.split_whitespace().next().unwrap_or("").to_string());
            }
        }
        rest = &rest[end + 1..];
    }
    if open.is_empty() && rest.trim().is_empty() {
        Ok(elements)
    } else {
        Err(format!("unclosed {open:?}"))
    }
}

#[test]
fn junit_output_is_well_formed_with_a_failure_per_failed_case() {
    let dir = folder("junit", &[("a.kaptest", PASSING), ("more/b.kaptest", FAILING)]);
    let out = kap(&["test", "--format", "junit", "--coverage", RULES, dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out.stdout);
    well_formed(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(xml.contains("<testsuites name=\"kap test\" tests=\"2\" failures=\"1\""), "{xml}");
    assert!(xml.contains("name=\"17 &lt;is&gt; &amp; a minor\""), "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("<property name=\"coverage\""), "{xml}");
    assert!(well_formed("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>").is_err());
}

#[test]
fn the_shipped_suite_passes_at_full_coverage() {
    let out = kap(&["test", "--coverage", "--min-coverage", "100", RULES, "rules/tests"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("coverage: 110 of 110 items (100.0 %)"), "{stdout}");
    assert!(stdout.contains("  ketamine.sublingual L7"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_slice(&kap(&["test", "--format", "json", "--coverage", RULES]).stdout).unwrap();
    assert_eq!(json["failed"], 0);
    assert_eq!(json["coverage"]["percent"], "100.0");
    let minor = json["coverage"]["items"].as_array().unwrap().iter().find(|i| i["name"] == "minor").unwrap();
    assert!(minor["true"].as_u64().unwrap() >= 1 && minor["false"].as_u64().unwrap() >= 1, "{minor}");
}

#[test]
fn coverage_below_the_minimum_exits_1() {
    let dir = folder("minimum", &[("a.kaptest", PASSING)]);
    let out = kap(&["test", "--min-coverage", "50", RULES, dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("rule eligibility.minor: never true"), "{stdout}");
    assert!(text(&out.stderr).contains("is below the minimum of 50 %"));
    assert_eq!(kap(&["test", "--min-coverage", "101", RULES]).status.code(), Some(2));
}

#[test]
fn help_describes_the_test_command() {
    let help = text(&kap(&["test", "--help"]).stdout);
    for word in ["--coverage", "--min-coverage", "junit", "expect", "FILE:LINE", "covered items / items"] {
        assert!(help.contains(word), "kap test --help lacks {word}:\n{help}");
    }
    assert!(text(&kap(&["--help"]).stdout).contains("test"));
}
