//! `kap`: check, evaluate and inspect KAP rule files.
//!
//! Exit status: 0 success; 1 the rule file has errors (`kap test`: a case failed; `kap
//! diff`: a document changed); 2 a file cannot be read, the input document is invalid, or
//! the command line is wrong; 3 the evaluation failed; 141 the reader of the output stopped
//! early (`kap describe | head`).

use clap::{Parser, Subcommand, ValueEnum};
use kap_engine::{Diagnostic, Error, Protocol};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes to standard output like `print!`; when the reader has gone (`kap describe | head`)
/// the program ends quietly with the status a shell gives a process stopped by SIGPIPE (141),
/// and any other failure to write is reported with status 2. Never a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(&e)
        }
    }};
}

/// [`out!`] with a newline, like `println!`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(&e)
        }
    }};
}

/// Writes to standard error like `eprint!` (which panics when it cannot): when the reader
/// has gone (`kap check FILE 2>&1 | head`) the program ends quietly with status 141, as for
/// standard output; any other failure to write a message is ignored (there is nowhere left to
/// report it). Never a panic. Every control character but a line break or a tab is written as
/// an escape ([`terminal_text`]): messages quote what documents hold, such as a member's name.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        $crate::write_stderr(&format!($($arg)*))
    }};
}

/// [`eprint!`] with a newline, like `eprintln!`.
macro_rules! eprintln {
    () => {{
        $crate::write_stderr("\n")
    }};
    ($($arg:tt)*) => {{
        $crate::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    }};
}

/// A progress count on a terminal, written as it is (it begins with a carriage return).
macro_rules! eprogress {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stderr().lock(), $($arg)*) {
            $crate::stderr_failed(&e)
        }
    }};
}

/// Writes `text` to standard error as [`terminal_text`] shows it.
fn write_stderr(text: &str) {
    use std::io::Write as _;
    if let Err(e) = std::io::stderr().lock().write_all(terminal_text(text).as_bytes()) {
        stderr_failed(&e)
    }
}

/// `text` as it may reach a terminal: each control character but a line break or a tab
/// written as its escape (`\u{1b}`), so that an escape sequence in a document (in a member's
/// name, quoted by the message that refuses it) cannot move the cursor, recolour or clear the
/// terminal, or hide the message behind a carriage return.
fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    std::borrow::Cow::Owned(shown)
}

/// After a failed write to standard error (see [`eprint!`]): status 141 when its reader has
/// gone, otherwise nothing.
fn stderr_failed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
}

/// Ends the program after a failed write to standard output (see [`out!`]).
fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    eprintln!("kap: cannot write the output: {e}");
    std::process::exit(2)
}

mod course;
mod diff;
mod fhir;
mod fmt;
mod jsonl;
mod lsp;
mod serve;
mod summary;
mod test;
mod tzdata;

/// kap: a clinical decision-support rules engine for ketamine-assisted psychotherapy.
///
/// A clinic writes its protocol (who may take part, how the dose escalates, how a patient
/// is watched) in a rule file. `kap check` validates rule files; `kap eval` applies one to a
/// patient document and says what it decides, and why; `kap test` runs a protocol's tests;
/// `kap diff` says what an edit of a protocol changes for a set of documents.
#[derive(Debug, Parser)]
#[command(name = "kap", version, about, long_about, propagate_version = true)]
#[command(
    after_help = "Exit status: 0 success, 1 rule file errors (kap test: a case failed; kap diff: a document changed; kap fmt --check: a file would change), 2 unreadable file, invalid input document or wrong command line, 3 evaluation failed, 141 output closed early (| head).\n\nExamples:\n  kap check rules/kap-reference.kap\n  kap eval rules/kap-reference.kap --input patient.json\n  kap eval rules/kap-reference.kap --input patient.json --format text\n  kap eval rules/kap-reference.kap --fhir bundle.json --at 2026-12-01T09:00:00Z\n  kap check rules/fhir-mapping.toml\n  kap course rules/kap-reference.kap --input patient.json\n  kap test --coverage rules/kap-reference.kap rules/tests\n  kap diff rules/kap-reference.kap edited.kap --inputs tests/corpus\n  kap fmt --check rules/kap-reference.kap\n  kap serve --port 8080\n  kap serve --cds rules/cds-service.toml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files: syntax, names, types, units, choices, ids and sources.
    ///
    /// Prints every diagnostic with its file, line and column, the source line with a
    /// marker and a hint. Exits 0 when no file has an error, 1 otherwise.
    Check {
        /// The rule files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format: `text` for people, `json` for tools (an array of diagnostics).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Treat warnings (such as a rule citing no source) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Evaluate a patient document against a rule file and print the decisions.
    ///
    /// The document is a JSON object whose members are the inputs the rule file declares;
    /// an absent member is unknown. The output is the decisions JSON (verdicts, the rules
    /// that fired, the missing inputs, and an explanation), or a readable summary with
    /// `--format text`.
    Eval {
        /// The rule file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The input document (JSON); `-` reads standard input.
        #[arg(long, short, value_name = "DOC.json", required_unless_present_any = ["jsonl", "fhir"], conflicts_with_all = ["jsonl", "fhir"])]
        input: Option<PathBuf>,
        /// Map a FHIR R4 Bundle (or one resource) to the input document with the clinic's
        /// mapping file, and evaluate that; notes on what was ignored go to standard error.
        #[arg(long, value_name = "BUNDLE.json", conflicts_with = "jsonl")]
        fhir: Option<PathBuf>,
        /// With `--fhir`: the mapping file (default: fhir-mapping.toml beside the rule file).
        #[arg(long, value_name = "FILE", requires = "fhir")]
        mapping: Option<PathBuf>,
        /// With `--fhir`: the draft orders of an order hook (a Bundle or a MedicationRequest).
        #[arg(long, value_name = "ORDERS.json", requires = "fhir")]
        draft_orders: Option<PathBuf>,
        /// With `--fhir`: the time of the decision, RFC 3339 (default: now).
        #[arg(long, value_name = "TIME", requires = "fhir")]
        at: Option<String>,
        /// With `--fhir`: print the mapped input document, what was read and the notes, as
        /// JSON, instead of evaluating it.
        #[arg(long, requires = "fhir")]
        mapped: bool,
        /// Output format: `json` (the contract other tools read) or `text` for people.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Evaluate a stream of documents, one JSON object a line (`-` reads standard input),
        /// on every core: one line out for each line in, in order, the decisions JSON as
        /// `kap eval` prints it (compact, explained), or `{"line": N, "error": {...}}` for
        /// a line that is refused (`kind`, `code`, `path`, `message`, `expected`, `text`, as
        /// the WebAssembly package gives them); the stream goes on. Exit status 2 when a line
        /// was refused, 3 when an evaluation failed.
        #[arg(long, value_name = "FILE.jsonl")]
        jsonl: Option<PathBuf>,
        /// With `--jsonl`: leave the explanation out (`"explanation": []`), for batches that
        /// read only the decisions; faster (1.5 to 2 times, measured over a million documents).
        #[arg(long, requires = "jsonl")]
        no_explain: bool,
    },
    /// Describe a rule file's inputs, decisions and sources as JSON, for tools and forms.
    ///
    /// With `--json-schema`, print a JSON Schema (draft 2020-12) of its input documents.
    Describe {
        /// The rule file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Print the JSON Schema of input documents instead.
        #[arg(long)]
        json_schema: bool,
    },
    /// Plan a whole course: each session's verdict and values, if every session goes well.
    ///
    /// Starting from the document (its time input is the first session to plan), the next
    /// session is decided; if it is given, a session that went well is added to the list of
    /// sessions, and the next is decided, until the course ends or a session is not given.
    /// The plan file (by default course-plan.json beside the rule file) says how far apart the
    /// sessions are ("every", "sessions"; or "phases", a list of phases, each with "sessions",
    /// "every", optionally "set", inputs by dotted path set from that phase on, and "name"),
    /// the decision to read ("decision"), its verdict when a session is given ("given_when"),
    /// the list a given session joins ("list"), the input holding a session's time ("time"),
    /// the decision's values a given session records ("record") besides what a session that
    /// went well records ("session"), and the values shown with their headings ("columns").
    Course {
        /// The rule file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The patient document (JSON).
        #[arg(long, short, value_name = "DOC.json")]
        input: PathBuf,
        /// The course plan [default: course-plan.json beside the rule file].
        #[arg(long, value_name = "PLAN.json")]
        plan: Option<PathBuf>,
        /// Output format: `text` (a table) or `json` (the planned sessions: number, the
        /// session's place in the list; with phases, phase and phase_name; its time; verdict;
        /// the plan's columns; reasons; missing).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run a protocol's tests (`.kaptest` files) and, with `--coverage`, say what they exercise.
    ///
    /// A test file names base documents (`document adult "cases/adult.json"`, a path
    /// relative to the test file, or inline JSON) and cases: `case "17 is a minor" [K2]`,
    /// then, indented, `from adult`, `set patient.age = 17`, `remove patient.weight`, and
    /// `expect eligibility.verdict = ineligible`, `expect eligibility.exclusions contains
    /// minor` (or `lacks`), `expect session.dose = 40 mg`, `expect monitoring.alerts contains
    /// bp_urgent at 08:20`, `expect session.level absent`. Only the fields named are compared.
    /// A folder runs every .kaptest file in it, recursively, in order of their paths; with no
    /// TEST, the folder `tests` beside the rule file.
    ///
    /// Prints one line per failure, `FILE:LINE: "case": expected ..., got ...` (the line of
    /// the expectation; for a document the engine refuses, the line of the case and the
    /// input error), then `N passed, N failed`. With `--coverage`, every rule of every
    /// decision with how many cases made it true, false and unknown, every verdict, every
    /// ladder level on every route, every alert raised and not raised, the items no case
    /// exercises both ways, and the coverage: covered items / items, where a rule or an alert
    /// counts when some case makes it true and another false, a verdict or a level when some
    /// case reaches it.
    ///
    /// Exits 0 when every case passes, 1 when a case fails or the coverage is below
    /// `--min-coverage`, 2 when a test file cannot be read or is invalid (its diagnostics are
    /// printed with their line and column).
    #[command(
        after_help = "Examples:\n  kap test rules/kap-reference.kap\n  kap test rules/kap-reference.kap rules/tests/eligibility.kaptest\n  kap test --coverage --min-coverage 100 rules/kap-reference.kap rules/tests\n  kap test --format junit rules/kap-reference.kap rules/tests > report.xml"
    )]
    Test {
        /// The rule file.
        #[arg(value_name = "RULES")]
        rules: PathBuf,
        /// Test files, or folders of them [default: the folder `tests` beside the rule file].
        #[arg(value_name = "TEST")]
        tests: Vec<PathBuf>,
        /// Output format: `text` for people, `json` for tools, `junit` (JUnit XML) for CI.
        #[arg(long, value_enum, default_value_t = test::TestFormat::Text)]
        format: test::TestFormat,
        /// Report what the cases exercise: rules true and false, verdicts, ladder levels, alerts.
        #[arg(long)]
        coverage: bool,
        /// Fail (exit 1) when the coverage is below this percentage (0 to 100); implies --coverage.
        #[arg(long, value_name = "PERCENT", value_parser = percent)]
        min_coverage: Option<f64>,
    },
    /// Format rule files in the one canonical layout; comments, order and line breaks kept.
    ///
    /// Rewrites each FILE in place (`-`: reads standard input, writes standard output). With
    /// `--check`, changes nothing: names each file that would change, with its first
    /// differences, and exits 1. A file that does not parse is left as it is: its diagnostics
    /// are printed and the exit status is 2.
    #[command(
        after_help = "Examples:\n  kap fmt rules/kap-reference.kap\n  kap fmt --check rules/*.kap\n  kap fmt - < draft.kap > formatted.kap"
    )]
    Fmt {
        /// The rule files; `-` formats standard input to standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 and show the differences when a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Compare two versions of a protocol: what the edit changes in the file and for a set of
    /// documents.
    ///
    /// Both rule files are compiled once; each document (every .json file below a folder,
    /// `.expected.json` left out, or each line of a JSON Lines file; `-` reads JSON Lines
    /// from standard input) is evaluated by both. The report starts with a warning when the
    /// files differ but claim the same protocol name and version, then a summary line (N
    /// documents: N changed, N unchanged, N refused by both protocols), then the protocol
    /// changes (each input, rule, verdict, alert, ladder dose... added, removed or changed,
    /// with its line in each file and the tokens that differ, `18 -> 21`; layout and comments
    /// are not changes), then the documents' differences grouped by decision and kind: a verdict's transition (`session.verdict: proceed ->
    /// hold`), a value changed (level, dose...) with its values before and after, a member
    /// of a list or an item (an alert) added or removed, a document accepted by one protocol
    /// and refused by the other; each group with its number of documents, the rules whose
    /// result changed (true, false, unknown, or absent, before -> after) and up to three
    /// example documents (a file, or FILE:LINE). Last, every document either protocol
    /// refused, with the error. Identical files print `no change`.
    ///
    /// Exits 0 when no document changes, 1 when some do, 2 when a file cannot be read, a
    /// rule file is invalid (its diagnostics are printed as `kap check` prints them) or the
    /// command line is wrong.
    #[command(
        after_help = "Examples:\n  kap diff rules/kap-reference.kap edited.kap --inputs tests/corpus\n  kap diff old.kap new.kap --inputs patients.jsonl --format json\n  cat patients.jsonl | kap diff old.kap new.kap --inputs -"
    )]
    Diff {
        /// The protocol as it is.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The protocol as edited.
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// The documents: a folder of JSON files (recursively), a JSON Lines file, or `-`
        /// for JSON Lines on standard input.
        #[arg(long, value_name = "PATH")]
        inputs: PathBuf,
        /// Output format: `text` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run the language server for rule files on standard input and output, for editors.
    ///
    /// Speaks the Language Server Protocol: diagnostics as you type (those of `kap check`),
    /// hover, go to definition, find references, completion, document symbols and
    /// formatting. Point the editor's LSP client at the command `kap lsp` for `.kap` files.
    Lsp,
    /// Serve the web form on http://127.0.0.1:PORT/ (build it first with scripts/web-build),
    /// and with `--cds CONFIG` the CDS Hooks service an EHR calls.
    ///
    /// The form's files are served as they are: the rules run in the browser, patient data
    /// never reaches the server, and the page forbids itself any connection once loaded. With
    /// `--cds`, the same server answers CDS Hooks 2.0 at /cds-services (discovery) and
    /// /cds-services/{id} (the calls): the configuration file names the protocol, the FHIR
    /// mapping, the services exposed and the EHRs trusted (see rules/cds-service.toml).
    /// It binds 127.0.0.1 (this machine only) unless `--host` names another address.
    #[command(
        after_help = "Examples:\n  kap serve --port 8080\n  kap serve --cds rules/cds-service.toml\n  kap serve --cds /etc/kap/cds-service.toml --host 0.0.0.0 --port 8443"
    )]
    Serve {
        /// The port; 0 picks a free one (the printed URL names it).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The directory of the built form [default: wasm/www; with --cds, the service alone
        /// when there is no such directory].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The address to bind; other machines can connect only when it is not a loopback
        /// address (0.0.0.0: every interface).
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Also serve the CDS Hooks service, configured by this file.
        #[arg(long, value_name = "CONFIG.toml")]
        cds: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable by people.
    Text,
    /// Machine-readable JSON.
    Json,
}

/// The allocator: mimalloc, whose per-thread free lists suit `--jsonl`, which allocates and
/// frees each document's output on every core.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files, format, deny_warnings } => check(&files, format, deny_warnings),
        Command::Eval { jsonl: Some(_), format: Format::Text, .. } => {
            eprintln!("kap: --jsonl writes one JSON line per document; --format text is for one document (--input)");
            ExitCode::from(2)
        }
        Command::Eval { jsonl: None, no_explain: true, .. } => {
            // clap lets `--input` through with it: `--jsonl` conflicts with `--input`, and an
            // argument that conflicts with one given is not required.
            eprintln!("kap: --no-explain is for a stream (--jsonl); one document is always explained");
            ExitCode::from(2)
        }
        Command::Eval { file, jsonl: Some(lines), no_explain, .. } => match compile(&file) {
            Ok(protocol) => jsonl::run(&protocol, &lines, !no_explain),
            Err(code) => code,
        },
        Command::Eval { file, fhir: Some(fhir), mapping, draft_orders, at, mapped, format, .. } => {
            let options = FhirOptions { fhir: &fhir, mapping, draft_orders, at, mapped };
            eval_fhir(&file, &options, format)
        }
        Command::Eval { file, input, format, .. } => eval(&file, input.as_deref().unwrap_or(Path::new("-")), format),
        Command::Describe { file, json_schema } => describe(&file, json_schema),
        Command::Course { file, input, plan, format } => plan_course(&file, &input, plan.as_deref(), format),
        Command::Test { rules, tests, format, coverage, min_coverage } => match compile(&rules) {
            Ok(protocol) => {
                let options = test::TestOptions { rules: &rules, tests: &tests, format, coverage, min_coverage };
                test::run(&protocol, &options)
            }
            Err(code) => code,
        },
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Diff { old, new, inputs, format } => {
            diff::run(&diff::DiffOptions { old: &old, new: &new, inputs: &inputs, format })
        }
        Command::Lsp => lsp::run(),
        Command::Serve { port, dir, host, cds } => match serve::serve(&serve::Options { dir, host, port, cds }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("kap: cannot serve: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// A percentage from 0 to 100.
fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

fn read_rules(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("kap: cannot read rule file {}: {e}", path.display());
        ExitCode::from(2)
    })
}

fn print_diagnostics(file: &Path, source: &str, diagnostics: &[Diagnostic]) {
    let name = file.display().to_string();
    for d in diagnostics {
        eprint!("{}", d.locate(&name, source).render());
        eprintln!();
    }
}

fn check(files: &[PathBuf], format: Format, deny_warnings: bool) -> ExitCode {
    let mut located = Vec::new();
    let mut failed = false;
    let mut unreadable = false;
    for file in files {
        let Ok(source) = read_rules(file) else {
            unreadable = true;
            continue;
        };
        let diagnostics = if fhir::command::is_mapping(file) {
            fhir::command::check(file, &source)
        } else {
            let mut diagnostics = Protocol::check(&source);
            diagnostics.extend(tzdata::warnings(&source));
            diagnostics
        };
        failed |= diagnostics.iter().any(|d| d.is_error() || deny_warnings);
        match format {
            Format::Text => {
                print_diagnostics(file, &source, &diagnostics);
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                let warnings = diagnostics.len() - errors;
                if errors == 0 {
                    outln!("{}: ok ({warnings} warning{})", file.display(), if warnings == 1 { "" } else { "s" });
                } else {
                    outln!(
                        "{}: {errors} error{}, {warnings} warning{}",
                        file.display(),
                        if errors == 1 { "" } else { "s" },
                        if warnings == 1 { "" } else { "s" }
                    );
                }
            }
            Format::Json => {
                let name = file.display().to_string();
                located.extend(diagnostics.iter().map(|d| d.locate(&name, &source)));
            }
        }
    }
    if format == Format::Json {
        match serde_json::to_string_pretty(&located) {
            Ok(text) => outln!("{text}"),
            Err(e) => {
                eprintln!("kap: {e}");
                return ExitCode::from(3);
            }
        }
    }
    if unreadable {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn compile(file: &Path) -> Result<Protocol, ExitCode> {
    compile_source(file, &read_rules(file)?, 1)
}

/// Compiles the rule file `file` read as `source`; on errors, prints them and gives `code`.
fn compile_source(file: &Path, source: &str, code: u8) -> Result<Protocol, ExitCode> {
    Protocol::compile(source).map_err(|diagnostics| {
        print_diagnostics(file, source, &diagnostics);
        eprintln!("kap: {} has errors; run `kap check {}`", file.display(), file.display());
        ExitCode::from(code)
    })
}

fn plan_course(file: &Path, input: &Path, plan: Option<&Path>, format: Format) -> ExitCode {
    let protocol = match compile(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let beside = dir.join("course-plan.json");
    let plan_text = match plan {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| format!("cannot read the course plan {} (given with --plan): {e}", p.display())),
        None => std::fs::read_to_string(&beside).map_err(|e| {
            format!(
                "cannot read the course plan {}: {e}\n  by default the plan is course-plan.json beside the rule file; \
                 pass another with --plan PLAN.json",
                beside.display()
            )
        }),
    };
    let read_input =
        |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read input document {}: {e}", p.display()));
    let output = plan_text.and_then(|text| course::plan(&text)).and_then(|plan| {
        let sessions = read_input(input).and_then(|doc| course::simulate(&protocol, &doc, &plan))?;
        match format {
            Format::Text => Ok(course::table(&plan, &sessions)),
            Format::Json => serde_json::to_string_pretty(&course::json(&plan, &sessions))
                .map(|t| t + "\n")
                .map_err(|e| e.to_string()),
        }
    });
    match output {
        Ok(text) => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kap: {e}");
            ExitCode::from(2)
        }
    }
}

fn describe(file: &Path, json_schema: bool) -> ExitCode {
    let protocol = match compile(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = if json_schema {
        serde_json::to_string_pretty(&protocol.json_schema())
    } else {
        serde_json::to_string_pretty(&protocol.describe())
    };
    match text {
        Ok(t) => {
            outln!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kap: {e}");
            ExitCode::from(3)
        }
    }
}

fn eval(file: &Path, input: &Path, format: Format) -> ExitCode {
    let protocol = match compile(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = if input == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map(|_| text)
    } else {
        std::fs::read_to_string(input)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kap: cannot read input document {}: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    evaluate_and_print(&protocol, &text, input, format)
}

/// The `--fhir` options of `kap eval`.
struct FhirOptions<'a> {
    fhir: &'a Path,
    mapping: Option<PathBuf>,
    draft_orders: Option<PathBuf>,
    at: Option<String>,
    mapped: bool,
}

/// `kap eval RULES --fhir BUNDLE.json`: maps the Bundle with the mapping file, then
/// evaluates the document as `kap eval` does.
fn eval_fhir(file: &Path, options: &FhirOptions<'_>, format: Format) -> ExitCode {
    let protocol = match compile(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mapping_file = options.mapping.clone().unwrap_or_else(|| dir.join("fhir-mapping.toml"));
    let Ok(mapping_text) = read_rules(&mapping_file) else { return ExitCode::from(2) };
    let mapping = match fhir::Mapping::compile(&mapping_text, &mapping_file.display().to_string(), &protocol) {
        Ok(m) => m,
        Err(diagnostics) => {
            print_diagnostics(&mapping_file, &mapping_text, &diagnostics);
            eprintln!("kap: {} has errors; run `kap check {}`", mapping_file.display(), mapping_file.display());
            return ExitCode::from(1);
        }
    };
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| eprintln!("kap: cannot read {}: {e}", p.display()));
    let Ok(bundle) = read(options.fhir) else { return ExitCode::from(2) };
    let orders = match options.draft_orders.as_deref().map(read).transpose() {
        Ok(o) => o,
        Err(()) => return ExitCode::from(2),
    };
    let now = options.at.clone().unwrap_or_else(fhir::command::now);
    let mapped = match fhir::command::map(&mapping, &bundle, orders.as_deref(), now) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("kap: {}: {e}", options.fhir.display());
            return ExitCode::from(2);
        }
    };
    for note in &mapped.notes {
        eprintln!("kap: note: {note}");
    }
    let text = if options.mapped {
        serde_json::to_string_pretty(&fhir::command::mapped_json(&mapped))
    } else {
        serde_json::to_string(&mapped.document)
    };
    match text {
        Ok(t) if options.mapped => {
            outln!("{t}");
            ExitCode::SUCCESS
        }
        Ok(t) => evaluate_and_print(&protocol, &t, options.fhir, format),
        Err(e) => {
            eprintln!("kap: {e}");
            ExitCode::from(3)
        }
    }
}

/// Evaluates the document `text` (read from `input`) and prints the decisions.
fn evaluate_and_print(protocol: &Protocol, text: &str, input: &Path, format: Format) -> ExitCode {
    match protocol.evaluate_json(text) {
        Ok(out) => {
            match format {
                Format::Json => match serde_json::to_string_pretty(&out) {
                    Ok(json) => outln!("{json}"),
                    Err(e) => {
                        eprintln!("kap: {e}");
                        return ExitCode::from(3);
                    }
                },
                Format::Text => out!("{}", summary::summary(&out, &protocol.describe())),
            }
            ExitCode::SUCCESS
        }
        Err(Error::Input(e)) => {
            eprintln!("kap: invalid input document {}: {e}", input.display());
            ExitCode::from(2)
        }
        Err(e @ Error::Evaluation(_)) => {
            eprintln!("kap: {e}");
            ExitCode::from(3)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
