//! Running a test file against a protocol: each case's document is built (its base
//! document, then its edits), evaluated, and its expectations compared with the output.

use super::ast::{Case, DocumentBody, Edit, TestFile};
use super::coverage::Coverage;
use super::expect::{self, Mismatch};
use super::{document, parse, Loader};
use crate::diagnostic::{did_you_mean, line_col, Code, Diagnostic, Span};
use crate::input::json::{self, Json};
use crate::protocol::{Error, Protocol};
use std::collections::HashMap;

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its 1-based line in the test file.
    pub line: usize,
    /// The source keys it cites.
    pub sources: Vec<String>,
    /// Passed, or how it failed.
    pub outcome: CaseOutcome,
}

impl CaseResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.outcome == CaseOutcome::Passed
    }
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Every expectation held.
    Passed,
    /// Some expectations did not hold.
    Failed {
        /// Each, with its line.
        failures: Vec<Failure>,
    },
    /// The case's document was refused: the input error. A case is never passed silently.
    InvalidInput {
        /// The input error, naming the path and what was expected.
        error: String,
    },
    /// The evaluation failed.
    EvaluationFailed {
        /// What failed, and where in the rule file.
        error: String,
    },
}

/// An expectation that did not hold, with its line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The 1-based line of the `expect` step.
    pub line: usize,
    /// What was expected and what came out.
    #[serde(flatten)]
    pub mismatch: Mismatch,
}

/// Runs every case of the test file `source` against `protocol`, reading its documents
/// through `loader`, and adds each evaluation to `coverage` when given. A test file that
/// does not parse, names what does not exist (a document, a decision, a source) or whose
/// documents cannot be read or edited gives its diagnostics, and no case is run.
pub fn run(
    protocol: &Protocol,
    source: &str,
    loader: &mut dyn Loader,
    mut coverage: Option<&mut Coverage>,
) -> Result<Vec<CaseResult>, Vec<Diagnostic>> {
    let file = parse(source)?;
    let mut diagnostics = check(&file, protocol);
    let documents = load(&file, loader, &mut diagnostics);
    let mut prepared = Vec::with_capacity(file.cases.len());
    for case in &file.cases {
        let base = match &case.from {
            None => Ok(Json::Object(Vec::new())),
            Some((name, _)) => documents.get(name.as_str()).cloned().unwrap_or_else(|| Ok(Json::Object(Vec::new()))),
        };
        let doc = match base {
            Ok(json) => match document::apply(json, &case.edits) {
                Ok(doc) => Ok(doc),
                Err((i, message)) => {
                    let at = case.edits.get(i).map_or(case.span, edit_span);
                    diagnostics.push(Diagnostic::error(Code::TestDocument, at, message));
                    continue;
                }
            },
            Err(text) => Err(text),
        };
        prepared.push((case, doc));
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.sort_by_key(|d| d.span);
        return Err(diagnostics);
    }
    let line = |span: Span| line_col(source, span.start).0;
    let mut results = Vec::with_capacity(prepared.len());
    for (case, doc) in prepared {
        let outcome = match doc {
            Err(text) => CaseOutcome::InvalidInput { error: refused(protocol, &text) },
            Ok(doc) => match protocol.evaluate_traced(&doc) {
                Ok((out, trace)) => {
                    if let Some(c) = coverage.as_deref_mut() {
                        c.add(&trace);
                    }
                    let decisions = serde_json::to_value(&out.decisions).unwrap_or_default();
                    let failures: Vec<Failure> = case
                        .expects
                        .iter()
                        .filter_map(|e| {
                            expect::check(e, &decisions).map(|m| Failure { line: line(e.span), mismatch: m })
                        })
                        .collect();
                    if failures.is_empty() {
                        CaseOutcome::Passed
                    } else {
                        CaseOutcome::Failed { failures }
                    }
                }
                Err(e @ Error::Input(_)) => CaseOutcome::InvalidInput { error: e.to_string() },
                Err(Error::Evaluation(e)) => CaseOutcome::EvaluationFailed { error: e.to_string() },
            },
        };
        let sources = case.sources.iter().map(|(k, _)| k.clone()).collect();
        results.push(CaseResult { name: case.name.clone(), line: line(case.span), sources, outcome });
    }
    Ok(results)
}

fn edit_span(edit: &Edit) -> Span {
    match edit {
        Edit::Set { span, .. } | Edit::Remove { span, .. } => *span,
    }
}

/// Why the engine refuses a document that is not JSON, as `kap eval` would say it.
fn refused(protocol: &Protocol, text: &str) -> String {
    match protocol.evaluate_json(text) {
        Err(e) => e.to_string(),
        Ok(_) => "the document is not valid JSON".into(),
    }
}

/// Each base document by name: its JSON, or, for a file that is not JSON, its text (the
/// cases from it fail with the engine's input error). A file that cannot be read is a
/// diagnostic.
fn load<'a>(
    file: &'a TestFile,
    loader: &mut dyn Loader,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<&'a str, Result<Json, String>> {
    let mut documents = HashMap::new();
    for decl in &file.documents {
        let json = match &decl.body {
            DocumentBody::Inline(json) => Ok(json.clone()),
            DocumentBody::Path(path, span) => match loader.load(path) {
                Ok(text) => json::parse(&text).map_err(|_| text),
                Err(why) => {
                    let message = format!("cannot read the document `{path}`: {why}");
                    diagnostics.push(
                        Diagnostic::error(Code::TestDocument, *span, message)
                            .with_hint("a document's path is relative to the test file"),
                    );
                    continue;
                }
            },
        };
        documents.insert(decl.name.as_str(), json);
    }
    documents
}

/// Names that a test file uses and the protocol or the file must declare: documents (once
/// each), cases (named once each), source keys, and the decision, field and names of
/// each expectation.
fn check(file: &TestFile, protocol: &Protocol) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let program = protocol.program();
    let mut documents: HashMap<&str, Span> = HashMap::new();
    for d in &file.documents {
        if let Some(first) = documents.insert(&d.name, d.span) {
            let message = format!("the document `{}` is declared twice", d.name);
            diagnostics
                .push(Diagnostic::error(Code::Duplicate, d.span, message).with_note("first declared here", first));
        }
    }
    let mut cases: HashMap<&str, Span> = HashMap::new();
    for case in &file.cases {
        if let Some(first) = cases.insert(&case.name, case.span) {
            let message = format!("two cases are named `{}`", case.name);
            let d = Diagnostic::error(Code::Duplicate, case.span, message).with_note("the first is here", first);
            diagnostics.push(d.with_hint("a failure is reported by the case's name: give each its own"));
        }
        check_case(case, &documents, protocol, &mut diagnostics);
    }
    let decisions: Vec<&str> = program.decisions.iter().map(|d| d.name.as_str()).collect();
    for e in file.cases.iter().flat_map(|c| &c.expects) {
        let name = e.path.split(['.', '[']).next().unwrap_or("");
        match program.decisions.iter().find(|d| d.name == name) {
            Some(decision) => super::names::check_expect(program, decision, e, &mut diagnostics),
            None => {
                let message = format!("the protocol has no decision named `{name}`");
                diagnostics.push(unknown(Code::UnknownName, e.span, message, name, decisions.iter().copied()));
            }
        }
    }
    diagnostics
}

fn check_case(case: &Case, documents: &HashMap<&str, Span>, protocol: &Protocol, out: &mut Vec<Diagnostic>) {
    if let Some((name, span)) = &case.from {
        if !documents.contains_key(name.as_str()) {
            let message = format!("no document named `{name}`");
            out.push(unknown(Code::UnknownName, *span, message, name, documents.keys().copied()));
        }
    }
    check_edits(case, protocol, out);
    let keys: Vec<&str> = protocol.program().sources.iter().map(|s| s.key.as_str()).collect();
    for (key, span) in &case.sources {
        if !keys.contains(&key.as_str()) {
            let mut d =
                Diagnostic::error(Code::UnknownSource, *span, format!("the protocol declares no source `{key}`"));
            if let Some(near) = did_you_mean(key, keys.iter().copied()) {
                d = d.with_hint(format!("did you mean `{near}`?"));
            }
            out.push(d);
        }
    }
}

/// The path of each `set` and `remove` must be an input the protocol declares (a field, a
/// list, an item of a list, or a group): a misspelt one would only make a document the
/// engine refuses, reported as a failed case far from the line that is wrong.
fn check_edits(case: &Case, protocol: &Protocol, out: &mut Vec<Diagnostic>) {
    let schema = &protocol.program().schema;
    let mut known: Vec<String> = schema.fields.iter().map(|f| f.path.clone()).collect();
    for list in &schema.lists {
        known.push(list.path.clone());
        known.push(format!("{}[]", list.path));
    }
    known.extend(schema.groups.iter().cloned());
    for edit in &case.edits {
        let (Edit::Set { path, span, .. } | Edit::Remove { path, span }) = edit;
        let declared = crate::ir::schema::declared_path(path);
        if !known.contains(&declared) {
            let message = format!("the protocol declares no input `{declared}`");
            out.push(unknown(Code::UnknownName, *span, message, &declared, known.iter().map(String::as_str)));
        }
    }
}

/// A name that is not declared, with the nearest declared one as a hint.
fn unknown<'a>(
    code: Code,
    span: Span,
    message: String,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let d = Diagnostic::error(code, span, message);
    match did_you_mean(name, known) {
        Some(near) => d.with_hint(format!("did you mean `{near}`?")),
        None => d,
    }
}
