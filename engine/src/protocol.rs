//! The facade the CLI, the WebAssembly package and embedding applications call.

use crate::analysis;
use crate::check;
use crate::decided::Input;
use crate::decision::{Evaluation, ProtocolRef};
use crate::describe::{Limit, ValueShape};
use crate::diagnostic::Diagnostic;
use crate::eval::decide::{self, EvaluationError};
use crate::input::{self, json::Json, InputError};
use crate::ir::Program;
use crate::schema::Schema;
use crate::syntax;
use sha2::{Digest, Sha256};

/// A compiled protocol: check once, evaluate many documents.
///
/// A `Protocol` is immutable, `Send` and `Sync`: one compiled protocol evaluates any number
/// of documents, on as many threads as the caller starts. The engine itself starts none (it
/// runs as it is in a browser); `kap eval --jsonl` is built this way. A batch on every core:
///
/// ```
/// use kap_engine::Protocol;
///
/// let protocol = Protocol::compile(r#"
/// protocol "Example" version "1" status draft
/// source K2 "Eligibility criteria"
/// input patient.age: integer years in 0..120 "Age"
/// decision eligibility
///   list exclusions of exclude
///   verdict ineligible if any exclude
///   verdict indeterminate if unknown exclude
///   verdict eligible otherwise
///   exclude minor "Younger than 18" when patient.age < 18 years [K2]
/// "#).map_err(|d| format!("{d:?}"))?;
/// let documents: Vec<String> = (0..1000).map(|age| format!(r#"{{"patient": {{"age": {}}}}}"#, age % 120)).collect();
/// let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
/// let chunk = documents.len().div_ceil(threads);
/// let verdicts: Vec<String> = std::thread::scope(|scope| {
///     let workers: Vec<_> = documents
///         .chunks(chunk)
///         .map(|part| {
///             let protocol = &protocol;
///             scope.spawn(move || {
///                 part.iter()
///                     .map(|doc| match protocol.evaluate_json(doc) {
///                         Ok(e) => e.decisions["eligibility"].verdict.clone(),
///                         Err(e) => format!("refused: {e}"),
///                     })
///                     .collect::<Vec<_>>()
///             })
///         })
///         .collect();
///     workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
/// });
/// assert_eq!(verdicts.len(), 1000);
/// assert_eq!(verdicts[17], "ineligible");
/// assert_eq!(verdicts[18], "eligible");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Protocol {
    program: Program,
    /// The rule source, to name the line of an expression whose evaluation fails.
    source: String,
    sha256: String,
    warnings: Vec<Diagnostic>,
}

/// Why a document could not be evaluated. Never a verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The document does not fit the declared inputs.
    #[error("invalid input: {0}")]
    Input(#[from] InputError),
    /// The evaluation failed (an overflow, a division by zero).
    #[error("evaluation failed: {0}")]
    Evaluation(#[from] EvaluationError),
}

/// The whole pipeline of checks, the one way from a rule source to a program: parse, check,
/// and (on a file without errors) the static dose proof of its ladders and the bound on the
/// cost of one evaluation. The program is
/// `None` unless every check passed; the diagnostics, errors and warnings, are in source
/// order.
fn analyse(source: &str) -> (Option<Program>, Vec<Diagnostic>) {
    let (file, mut diagnostics) = syntax::parse(source);
    let (program, more) = check::check(&file, source);
    diagnostics.extend(more);
    let program = match program {
        Some(mut program) if !diagnostics.iter().any(Diagnostic::is_error) => {
            diagnostics.extend(analysis::dose_safety::prove(&program));
            diagnostics.extend(analysis::cost::check(&program));
            // Last: the analyses read expressions as the checker wrote them.
            crate::ir::share::share(&mut program);
            Some(program)
        }
        _ => None,
    };
    diagnostics.sort_by(|a, b| a.span.cmp(&b.span).then(a.code.cmp(&b.code)));
    let program = program.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    (program, diagnostics)
}

/// Parses and checks a rule source: every diagnostic, errors and warnings, in source order,
/// including the static dose proof of its ladders.
pub fn diagnostics(source: &str) -> Vec<Diagnostic> {
    analyse(source).1
}

impl Protocol {
    /// The compiled program, for the crate's own tools (a protocol's tests and coverage).
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// Parses and checks `source`, running every check `kap check` runs, the static dose
    /// proof included: this is the only way to build a `Protocol`, so a rule file with any
    /// error is never evaluated. On success the protocol keeps its warnings; on failure every
    /// diagnostic is returned, in source order.
    pub fn compile(source: &str) -> Result<Protocol, Vec<Diagnostic>> {
        match analyse(source) {
            (Some(program), warnings) => {
                let sha256 = Sha256::digest(source.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
                Ok(Protocol { program, source: source.to_string(), sha256, warnings })
            }
            (None, all) => Err(all),
        }
    }

    /// Every diagnostic of `source`, errors and warnings.
    pub fn check(source: &str) -> Vec<Diagnostic> {
        diagnostics(source)
    }

    /// Warnings found while compiling.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The declared inputs: each field with its type, unit, range and flags, the lists and
    /// groups that hold them.
    pub fn schema(&self) -> &Schema {
        &self.program.schema
    }

    /// How value `value` of decision `decision` is written in the output (a number and its
    /// unit, a choice, a dose...): its type, as the checker found it. `None` when there is no
    /// such decision or value.
    pub fn value_shape(&self, decision: &str, value: &str) -> Option<&ValueShape> {
        let decision = self.program.decisions.iter().find(|d| d.name == decision)?;
        decision.values.iter().find(|v| v.name == value).map(|v| &v.shape)
    }

    /// The hard limits route `route` of dose ladder `ladder` declares (`limit ROUTE ...`), in
    /// the order written: compiling proved that no dose the ladder gives on that route is
    /// above any of them. `None` when there is no such ladder or route.
    pub fn hard_limits(&self, ladder: &str, route: &str) -> Option<Vec<Limit>> {
        let ladder = self.program.ladders.iter().find(|l| l.name == ladder)?;
        let route = ladder.routes.iter().position(|r| r == route)?;
        Some(ladder.by_route.get(route)?.limits.iter().map(|(limit, _)| *limit).collect())
    }

    /// The most expression nodes one evaluation can visit, weighed on the largest document
    /// the declarations allow; compiling refuses a protocol above
    /// [`MAX_EVALUATION_COST`](crate::limits::MAX_EVALUATION_COST).
    pub fn evaluation_cost(&self) -> u64 {
        analysis::cost::evaluation_cost(&self.program)
    }

    /// The inputs, decisions and sources, for user interfaces.
    pub fn describe(&self) -> crate::describe::Description {
        crate::describe::describe(&self.program, &self.sha256)
    }

    /// A JSON Schema of the input documents.
    pub fn json_schema(&self) -> serde_json::Value {
        crate::describe::json_schema(&self.program)
    }

    /// Hex SHA-256 of the rule source.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub(crate) fn reference(&self) -> ProtocolRef {
        ProtocolRef {
            name: self.program.header.name.clone(),
            version: self.program.header.version.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// An evaluation error, located in the rule source.
    pub(crate) fn located(&self, e: EvaluationError) -> Error {
        Error::Evaluation(e.located(&self.source))
    }

    /// Validates a JSON document against the protocol's inputs, once, for evaluating it
    /// (see [`Input`]).
    pub fn read(&self, text: &str) -> Result<Input<'_>, Error> {
        Ok(Input { protocol: self, doc: input::read(&self.program.schema, text)? })
    }

    /// Validates a parsed JSON document against the protocol's inputs, once, for evaluating
    /// it (see [`Input`]).
    pub fn input(&self, json: &Json) -> Result<Input<'_>, Error> {
        Ok(Input { protocol: self, doc: input::validate(&self.program.schema, json)? })
    }

    /// Evaluates a validated document, explained.
    pub(crate) fn evaluate_document(&self, doc: &input::Document) -> Result<Evaluation, Error> {
        decide::evaluate(&self.program, doc, self.reference()).map_err(|e| self.located(e))
    }

    /// Validates and evaluates a JSON document.
    pub fn evaluate_json(&self, text: &str) -> Result<Evaluation, Error> {
        self.read(text)?.evaluate()
    }

    /// Validates and evaluates a parsed JSON document, and records what each decision
    /// made of each rule, alert and dose (for a protocol's tests and their coverage). The
    /// output is the same as [`Protocol::evaluate`]'s.
    pub fn evaluate_traced(&self, json: &Json) -> Result<(Evaluation, crate::testing::Trace), Error> {
        let doc = input::validate(&self.program.schema, json)?;
        let mut trace = crate::testing::Trace::default();
        let program = &self.program;
        let mut record = |decision: &_, made: &_, doc: &_, verdicts: &_| {
            crate::testing::trace::record(&mut trace, program, decision, made, doc, verdicts)
        };
        let out =
            decide::evaluate_traced::<_, { decide::EXPLAINED }>(program, &doc, self.reference(), Some(&mut record))
                .map_err(|e| self.located(e))?;
        Ok((out, trace))
    }

    /// Validates and evaluates a parsed JSON document.
    pub fn evaluate(&self, json: &Json) -> Result<Evaluation, Error> {
        self.input(json)?.evaluate()
    }

    /// Validates and evaluates a parsed JSON document like [`Protocol::evaluate`], without
    /// building the explanation: the decisions are the same, `explanation` is empty. For
    /// batches and comparisons that read only the decisions (`kap diff`), where explaining
    /// every rule of every document is most of the work; evaluate the documents a person
    /// will read again with [`Protocol::evaluate`]. A batch that reads only verdicts and
    /// lists reads them from [`Input::decide`] without building this output.
    ///
    /// ```
    /// let protocol = kap_engine::Protocol::compile(include_str!("../../rules/kap-reference.kap"))
    ///     .map_err(|d| format!("{d:?}"))?;
    /// let text = include_str!("../../tests/corpus/examples/02-ineligible.json");
    /// let doc = kap_engine::input::json::parse(text).map_err(|e| format!("{e:?}"))?;
    /// let quick = protocol.decide(&doc).map_err(|e| e.to_string())?;
    /// let full = protocol.evaluate(&doc).map_err(|e| e.to_string())?;
    /// assert_eq!(quick.decisions, full.decisions);
    /// assert!(quick.explanation.is_empty() && !full.explanation.is_empty());
    /// # Ok::<(), String>(())
    /// ```
    pub fn decide(&self, json: &Json) -> Result<Evaluation, Error> {
        Ok(self.input(json)?.decide()?.to_evaluation())
    }
}

/// A compiled protocol is shared between threads as it is (see [`Protocol`]).
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Protocol>();
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    /// L1 can give 90 mg on `vein` under a hard limit of 50 mg.
    const OVER_LIMIT: &str = include_str!("../../tests/unsafe-rules/dose-over-limit.kap");
    const DOCUMENT: &str = include_str!("../../tests/unsafe-rules/dose-over-limit.json");

    #[test]
    fn a_protocol_that_fails_the_dose_proof_cannot_be_compiled() {
        let diagnostics = Protocol::compile(OVER_LIMIT).unwrap_err();
        assert!(diagnostics.iter().any(|d| d.code == "dose-limit"), "{diagnostics:#?}");
        assert_eq!(diagnostics, Protocol::check(OVER_LIMIT));
    }

    #[test]
    fn a_dose_above_its_hard_limit_is_an_error_even_if_the_proof_missed_it() {
        // Build the program without the dose proof, as if the proof had a bug.
        let (file, syntax_errors) = syntax::parse(OVER_LIMIT);
        assert!(syntax_errors.is_empty());
        let (program, diagnostics) = check::check(&file, OVER_LIMIT);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:#?}");
        let program = program.unwrap();
        let doc = input::read(&program.schema, DOCUMENT).unwrap();
        let reference = ProtocolRef { name: String::new(), version: String::new(), sha256: String::new() };
        let err = decide::evaluate(&program, &doc, reference.clone()).unwrap_err();
        assert_eq!(err.decision, "session");
        assert_eq!(
            err.message,
            "the dose of ladder `k` at L1 on `vein` would be 90 mg, above the route's hard limit of 50 mg; no dose is given"
        );
        // Under the limit, the same program gives the dose.
        let doc = input::read(&program.schema, &DOCUMENT.replace("100", "55")).unwrap();
        let out = decide::evaluate(&program, &doc, reference).unwrap();
        let value = serde_json::to_value(&out).unwrap();
        assert_eq!(value["decisions"]["session"]["dose"]["value"], 49.5);
    }

    #[test]
    fn a_limit_per_kg_is_checked_against_the_dosing_weight() {
        let source = OVER_LIMIT.replace("limit vein 50 mg", "limit vein 0.8 mg/kg");
        let (file, _) = syntax::parse(&source);
        let (program, _) = check::check(&file, &source);
        let program = program.unwrap();
        let doc = input::read(&program.schema, DOCUMENT).unwrap();
        let reference = ProtocolRef { name: String::new(), version: String::new(), sha256: String::new() };
        let err = decide::evaluate(&program, &doc, reference).unwrap_err();
        assert_eq!(
            err.message,
            "the dose of ladder `k` at L1 on `vein` would be 90 mg, above the route's hard limit of 0.8 mg/kg (80 mg at 100 kg); no dose is given"
        );
        assert!(Protocol::compile(&source).unwrap_err().iter().any(|d| d.code == "dose-limit"));
    }
}
