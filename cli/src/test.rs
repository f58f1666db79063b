//! `kap test`: runs a protocol's test files (`.kaptest`), prints each failure with its
//! file and line, and, with `--coverage`, what the cases exercise of the protocol.

use kap_engine::testing::{self, CaseOutcome, CaseResult, Coverage, CoverageReport};
use kap_engine::{Diagnostic, Protocol};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `kap test` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// One line per failure, then the counts (and the coverage table).
    Text,
    /// One JSON object: every case's result, the counts and the coverage.
    Json,
    /// JUnit XML, for CI servers.
    Junit,
}

/// What `kap test` was asked.
pub struct TestOptions<'a> {
    /// The rule file.
    pub rules: &'a Path,
    /// Test files and folders.
    pub tests: &'a [PathBuf],
    /// The output format.
    pub format: TestFormat,
    /// Whether to report coverage.
    pub coverage: bool,
    /// The least coverage accepted, in percent.
    pub min_coverage: Option<f64>,
}

/// The results of one test file.
struct FileResults {
    file: String,
    cases: Vec<CaseResult>,
}

/// Runs the tests; exit 0 when every case passes (and the coverage is enough), 1 when a
/// case fails or the coverage is below the minimum, 2 when a test file cannot be read or is
/// invalid.
pub fn run(protocol: &Protocol, options: &TestOptions<'_>) -> ExitCode {
    let default = [options.rules.parent().unwrap_or(Path::new(".")).join("tests")];
    let roots = if options.tests.is_empty() { &default[..] } else { options.tests };
    let mut files = Vec::new();
    let mut unreadable = false;
    for root in roots {
        if let Err(e) = collect(root, &mut files) {
            eprintln!("kap: cannot read {}: {e}", root.display());
            if options.tests.is_empty() {
                eprintln!("kap: with no test file named, kap test reads the folder `tests` beside the rule file; name the test files or their folder after the rule file");
            }
            unreadable = true;
        }
    }
    let mut coverage = (options.coverage || options.min_coverage.is_some()).then(|| Coverage::new(protocol));
    let mut results = Vec::new();
    let mut not_run = 0;
    for file in &files {
        match run_file(protocol, file, coverage.as_mut()) {
            Ok(cases) => results.push(FileResults { file: file.display().to_string(), cases }),
            Err(()) => {
                unreadable = true;
                not_run += 1;
            }
        }
    }
    let report = coverage.map(|c| c.report());
    let failed = results.iter().flat_map(|f| &f.cases).filter(|c| !c.passed()).count();
    let passed = results.iter().map(|f| f.cases.len()).sum::<usize>() - failed;
    let enough = match (&report, options.min_coverage) {
        (Some(r), Some(min)) => r.meets(min),
        _ => true,
    };
    match options.format {
        TestFormat::Text => out!("{}", text(&results, (passed, failed, not_run), report.as_ref())),
        TestFormat::Json => outln!("{}", json(&results, passed, failed, report.as_ref(), options.min_coverage)),
        TestFormat::Junit => out!("{}", junit(&results, report.as_ref())),
    }
    if let (Some(r), Some(min), false) = (&report, options.min_coverage, enough) {
        eprintln!("kap: coverage {} % is below the minimum of {min} %", r.percent());
    }
    if unreadable {
        ExitCode::from(2)
    } else if failed > 0 || !enough {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A test file, or every `.kaptest` file below a folder, sorted by path.
fn collect(root: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !root.is_dir() {
        std::fs::metadata(root)?;
        files.push(root.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "kaptest") {
                found.push(path);
            }
        }
    }
    found.sort();
    files.extend(found);
    Ok(())
}

/// Runs one file; its diagnostics are printed, as `kap check` prints them.
fn run_file(protocol: &Protocol, file: &Path, coverage: Option<&mut Coverage>) -> Result<Vec<CaseResult>, ()> {
    let source =
        std::fs::read_to_string(file).map_err(|e| eprintln!("kap: cannot read test file {}: {e}", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut loader = |path: &str| std::fs::read_to_string(dir.join(path)).map_err(|e| e.to_string());
    testing::run(protocol, &source, &mut loader, coverage).map_err(|diagnostics: Vec<Diagnostic>| {
        let name = file.display().to_string();
        for d in &diagnostics {
            eprintln!("{}", d.locate(&name, &source).render());
        }
        eprintln!("kap: {name} is not a valid test file");
    })
}

/// Each failure of a case, one line each, as `FILE:LINE: "case": what`.
fn failure_lines(file: &str, case: &CaseResult) -> Vec<String> {
    let at = |line: usize, what: String| format!("{file}:{line}: \"{}\": {what}", case.name);
    match &case.outcome {
        CaseOutcome::Passed => Vec::new(),
        CaseOutcome::Failed { failures } => failures
            .iter()
            .map(|f| at(f.line, format!("expected {}, got {}", f.mismatch.expected, f.mismatch.actual)))
            .collect(),
        CaseOutcome::InvalidInput { error } | CaseOutcome::EvaluationFailed { error } => {
            vec![at(case.line, error.clone())]
        }
    }
}

/// The failures, the coverage and the closing line (`N passed, N failed`, and the test files
/// not run because they are invalid or unreadable, whose diagnostics went to standard error).
fn text(
    results: &[FileResults],
    (passed, failed, not_run): (usize, usize, usize),
    report: Option<&CoverageReport>,
) -> String {
    let mut out = String::new();
    for f in results {
        for case in &f.cases {
            for line in failure_lines(&f.file, case) {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    if let Some(r) = report {
        out.push_str(&r.render());
    }
    out.push_str(&format!("{passed} passed, {failed} failed"));
    match not_run {
        0 => out.push('\n'),
        1 => out.push_str("; 1 test file not run (see its errors)\n"),
        n => out.push_str(&format!("; {n} test files not run (see their errors)\n")),
    }
    out
}

fn json(
    results: &[FileResults],
    passed: usize,
    failed: usize,
    report: Option<&CoverageReport>,
    min: Option<f64>,
) -> String {
    let files: Vec<serde_json::Value> =
        results.iter().map(|f| serde_json::json!({"file": f.file, "cases": f.cases})).collect();
    let mut out = serde_json::json!({"files": files, "passed": passed, "failed": failed});
    if let (Some(r), Some(map)) = (report, out.as_object_mut()) {
        let mut coverage = serde_json::to_value(r).unwrap_or_default();
        if let Some(c) = coverage.as_object_mut() {
            c.insert("percent".into(), r.percent().into());
            if let Some(min) = min {
                c.insert("min_percent".into(), min.into());
                c.insert("enough".into(), r.meets(min).into());
            }
        }
        map.insert("coverage".into(), coverage);
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// Text for an XML attribute or element: markup escaped, characters XML cannot hold left out.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a test suite per file, a test case per case, a `failure` per failed case.
fn junit(results: &[FileResults], report: Option<&CoverageReport>) -> String {
    let count = |cases: &[CaseResult]| (cases.len(), cases.iter().filter(|c| !c.passed()).count());
    let (tests, failures) = results.iter().map(|f| count(&f.cases)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<testsuites name=\"kap test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"));
    if let Some(r) = report {
        out.push_str(&format!(
            "  <properties><property name=\"coverage\" value=\"{}\"/><property name=\"covered\" value=\"{} of {}\"/></properties>\n",
            r.percent(),
            r.covered,
            r.total
        ));
    }
    for f in results {
        let (n, failed) = count(&f.cases);
        let file = xml(&f.file);
        out.push_str(&format!("  <testsuite name=\"{file}\" tests=\"{n}\" failures=\"{failed}\" errors=\"0\">\n"));
        for case in &f.cases {
            let name = xml(&case.name);
            out.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"{file}\" file=\"{file}\" line=\"{}\"",
                case.line
            ));
            let lines = failure_lines(&f.file, case);
            match lines.first() {
                None => out.push_str("/>\n"),
                Some(first) => {
                    out.push_str(&format!(">\n      <failure message=\"{}\">", xml(first)));
                    out.push_str(&xml(&lines.join("\n")));
                    out.push_str("</failure>\n    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
