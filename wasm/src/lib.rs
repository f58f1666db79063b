//! WebAssembly bindings of the kap engine, for the prescriber web form and for JavaScript
//! applications. The same engine as the CLI: a rule source is compiled once into a
//! [`CompiledProtocol`] kept on the JavaScript side, and documents are evaluated against it.
//!
//! Values cross the boundary as JSON text, so native and WebAssembly outputs are
//! byte-identical.

#![forbid(unsafe_code)]

use kap_engine::{Error, Protocol};
use wasm_bindgen::prelude::*;

/// The name diagnostics give to the rule source.
const SOURCE_NAME: &str = "rules.kap";

fn located_json(source: &str, diagnostics: &[kap_engine::Diagnostic]) -> String {
    let located: Vec<_> = diagnostics.iter().map(|d| d.locate(SOURCE_NAME, source)).collect();
    serde_json::to_string(&located).unwrap_or_else(|e| format!("[{{\"message\":\"{e}\"}}]"))
}

/// Checks a rule source: a JSON array of diagnostics (code, severity, message, line,
/// column, hint...), the shape `kap check --format json` prints. Empty when clean.
#[wasm_bindgen]
pub fn check(source: &str) -> String {
    located_json(source, &Protocol::check(source))
}

/// A compiled protocol, ready to evaluate documents.
#[wasm_bindgen]
pub struct CompiledProtocol {
    inner: Protocol,
}

#[wasm_bindgen]
impl CompiledProtocol {
    /// Compiles a rule source; on errors, throws the JSON array of diagnostics.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str) -> Result<CompiledProtocol, JsValue> {
        Protocol::compile(source)
            .map(|inner| CompiledProtocol { inner })
            .map_err(|d| JsValue::from_str(&located_json(source, &d)))
    }

    /// Evaluates a JSON document: the decisions JSON. Throws a JSON object
    /// `{"kind": "input" | "evaluation", "code", "path", "message"}` when the document is
    /// invalid or the evaluation fails.
    pub fn evaluate(&self, document: &str) -> Result<String, JsValue> {
        match self.inner.evaluate_json(document) {
            Ok(out) => serde_json::to_string(&out).map_err(|e| JsValue::from_str(&e.to_string())),
            Err(Error::Input(e)) => Err(JsValue::from_str(
                &serde_json::json!({"kind": "input", "code": e.code, "path": e.path, "message": e.to_string(), "expected": e.expected}).to_string(),
            )),
            Err(e @ Error::Evaluation(_)) => Err(JsValue::from_str(&serde_json::json!({"kind": "evaluation", "message": e.to_string()}).to_string())),
        }
    }

    /// The inputs (grouped in sections, with types, units, ranges, choices, labels and
    /// help), the decisions and the sources, as JSON: what a form is generated from.
    pub fn describe(&self) -> String {
        serde_json::to_string(&self.inner.describe()).unwrap_or_default()
    }

    /// A JSON Schema (draft 2020-12) of the input documents.
    #[wasm_bindgen(js_name = jsonSchema)]
    pub fn json_schema(&self) -> String {
        self.inner.json_schema().to_string()
    }

    /// Hex SHA-256 of the rule source.
    pub fn sha256(&self) -> String {
        self.inner.sha256().to_string()
    }
}
