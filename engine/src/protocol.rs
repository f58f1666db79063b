//! The facade the CLI, the WebAssembly package and embedding applications call.

use crate::check;
use crate::decision::{Evaluation, ProtocolRef};
use crate::diagnostic::Diagnostic;
use crate::eval::decide::{self, EvaluationError};
use crate::eval::program::Program;
use crate::input::{self, json::Json, InputError};
use crate::syntax;
use sha2::{Digest, Sha256};

/// A compiled protocol: check once, evaluate many documents.
#[derive(Debug, Clone)]
pub struct Protocol {
    program: Program,
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

/// Parses and checks a rule source: every diagnostic, errors and warnings, in source order,
/// including the static dose proof of its ladders.
pub fn diagnostics(source: &str) -> Vec<Diagnostic> {
    let (file, mut diagnostics) = syntax::parse(source);
    let (program, more) = check::check(&file);
    diagnostics.extend(more);
    // The static dose proof runs on a file that compiles.
    if let (Some(program), true) = (program, diagnostics.iter().all(|d| !d.is_error())) {
        diagnostics.extend(check::dose_safety::prove(&program));
    }
    diagnostics.sort_by(|a, b| a.span.cmp(&b.span).then(a.code.cmp(b.code)));
    diagnostics
}

impl Protocol {
    /// Parses and checks `source`. On success the protocol keeps its warnings; on failure
    /// every diagnostic is returned, in source order.
    pub fn compile(source: &str) -> Result<Protocol, Vec<Diagnostic>> {
        let (file, syntax_errors) = syntax::parse(source);
        let (program, checked) = check::check(&file);
        let mut all = syntax_errors;
        let syntax_failed = !all.is_empty();
        all.extend(checked);
        all.sort_by(|a, b| a.span.cmp(&b.span).then(a.code.cmp(b.code)));
        match program {
            Some(program) if !syntax_failed => {
                let sha256 = Sha256::digest(source.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
                Ok(Protocol { program, sha256, warnings: all })
            }
            _ => Err(all),
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

    /// The compiled program: header, sources, inputs and decisions.
    pub fn program(&self) -> &Program {
        &self.program
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

    fn reference(&self) -> ProtocolRef {
        ProtocolRef {
            name: self.program.header.name.clone(),
            version: self.program.header.version.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// Validates and evaluates a JSON document.
    pub fn evaluate_json(&self, text: &str) -> Result<Evaluation, Error> {
        let doc = input::read(&self.program.schema, text)?;
        Ok(decide::evaluate(&self.program, &doc, self.reference())?)
    }

    /// Validates and evaluates a parsed JSON document.
    pub fn evaluate(&self, json: &Json) -> Result<Evaluation, Error> {
        let doc = input::validate(&self.program.schema, json)?;
        Ok(decide::evaluate(&self.program, &doc, self.reference())?)
    }
}
