//! WebAssembly bindings of the kap engine, for the prescriber web form and for JavaScript
//! applications. The same engine facade as the CLI: a rule source is compiled once into a
//! [`CompiledProtocol`] kept on the JavaScript side, and documents are evaluated against it.
//!
//! Values cross the boundary as JSON text (serialised by `serde_json`, compact), so native
//! and WebAssembly outputs are byte-identical and exact decimals survive the trip. The
//! hand-written wrapper `js/kap.js` parses them into typed objects.
//!
//! Built for plain `wasm32-unknown-unknown`: no WASI, no threads, no clock.

#![forbid(unsafe_code)]

use kap_engine::{Diagnostic, Error, Protocol};
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The file name diagnostics give to a rule source when the caller names none.
pub const DEFAULT_SOURCE_NAME: &str = "rules.kap";

/// The engine version, as the `engine` member of every evaluation reports it.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The diagnostics of `source` located in `file`, as the JSON array `kap check --format json`
/// prints (compact).
pub fn diagnostics_json(file: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let located: Vec<_> = diagnostics.iter().map(|d| d.locate(file, source)).collect();
    serde_json::to_string(&located).unwrap_or_else(|e| {
        let internal =
            object(&[("file", file), ("severity", "error"), ("code", "internal"), ("message", &e.to_string())]);
        compact(&Value::Array(vec![internal]))
    })
}

/// The JSON object of these text members, in order (what `serde_json::json!` would build,
/// without the code of `serde_json::to_value`).
fn object(members: &[(&str, &str)]) -> Value {
    Value::Object(members.iter().map(|(name, text)| (name.to_string(), Value::from(*text))).collect())
}

/// `value` as compact JSON text: what its `Display` (`to_string()`) writes, through the
/// serialiser every other output goes through, so that the module holds one copy of it (the
/// `Display` impl instantiates a second one; smaller .wasm, same text).
fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Evaluates the JSON text `document`: `Ok` with the compact decisions JSON (section 6 of the
/// reference protocol), or `Err` with a compact JSON object describing why the document was
/// refused: `{"kind": "input", "code", "path", "message", "expected", "text"}` for a
/// document that does not fit the declared inputs, `{"kind": "evaluation", "message",
/// "text"}` when the evaluation itself failed.
pub fn evaluate_text(protocol: &Protocol, document: &str) -> Result<String, String> {
    match protocol.evaluate_json(document) {
        Ok(out) => serde_json::to_string(&out).map_err(|e| {
            let e = e.to_string();
            compact(&object(&[("kind", "evaluation"), ("message", &e), ("text", &e)]))
        }),
        Err(Error::Input(e)) => Err(compact(&object(&[
            ("kind", "input"),
            ("code", e.code.as_str()),
            ("path", &e.path),
            ("message", &e.message),
            ("expected", &e.expected),
            ("text", &e.to_string()),
        ]))),
        Err(e @ Error::Evaluation(_)) => {
            let text = e.to_string();
            let message = match e {
                Error::Evaluation(inner) => inner.to_string(),
                Error::Input(inner) => inner.to_string(),
            };
            Err(compact(&object(&[("kind", "evaluation"), ("message", &message), ("text", &text)])))
        }
    }
}

/// Checks a rule source: a JSON array of diagnostics (file, line, column, end_line,
/// source_line, marker_width, severity, code, message, hint), the shape
/// `kap check --format json` prints. Empty (`[]`) when the source is clean. `file` names the
/// source in the diagnostics (default `rules.kap`).
#[wasm_bindgen]
pub fn check(source: &str, file: Option<String>) -> String {
    let file = file.unwrap_or_else(|| DEFAULT_SOURCE_NAME.to_string());
    diagnostics_json(&file, source, &Protocol::check(source))
}

/// The engine version (the `engine` member of every evaluation).
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    ENGINE_VERSION.to_string()
}

/// A compiled protocol, ready to evaluate documents. Compile once, evaluate many; call
/// `free()` when done with it.
#[wasm_bindgen]
pub struct CompiledProtocol {
    inner: Protocol,
    file: String,
    source_warnings: String,
}

#[wasm_bindgen]
impl CompiledProtocol {
    /// Compiles a rule source; on errors, throws the JSON array of diagnostics (as `check`
    /// returns it). `file` names the source in diagnostics (default `rules.kap`).
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str, file: Option<String>) -> Result<CompiledProtocol, JsValue> {
        let file = file.unwrap_or_else(|| DEFAULT_SOURCE_NAME.to_string());
        match Protocol::compile(source) {
            Ok(inner) => {
                let source_warnings = diagnostics_json(&file, source, inner.warnings());
                Ok(CompiledProtocol { inner, file, source_warnings })
            }
            Err(d) => Err(JsValue::from_str(&diagnostics_json(&file, source, &d))),
        }
    }

    /// Evaluates a JSON document (text): the decisions JSON, compact. Throws a JSON object
    /// `{"kind": "input", "code", "path", "message", "expected", "text"}` when the document is
    /// invalid, `{"kind": "evaluation", "message", "text"}` when the evaluation fails.
    pub fn evaluate(&self, document: &str) -> Result<String, JsValue> {
        evaluate_text(&self.inner, document).map_err(|e| JsValue::from_str(&e))
    }

    /// The inputs (grouped in sections, with types, units, ranges, choices, labels and
    /// help), the decisions and the sources, as JSON: what a form is generated from.
    pub fn describe(&self) -> String {
        serde_json::to_string(&self.inner.describe()).unwrap_or_default()
    }

    /// A JSON Schema (draft 2020-12) of the input documents.
    #[wasm_bindgen(js_name = jsonSchema)]
    pub fn json_schema(&self) -> String {
        compact(&self.inner.json_schema())
    }

    /// Hex SHA-256 of the rule source.
    pub fn sha256(&self) -> String {
        self.inner.sha256().to_string()
    }

    /// The warnings found while compiling, as a JSON array of diagnostics (`[]` if none).
    pub fn warnings(&self) -> String {
        self.source_warnings.clone()
    }

    /// The file name diagnostics give to the source.
    pub fn file(&self) -> String {
        self.file.clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    const REFERENCE: &str = include_str!("../../rules/kap-reference.kap");

    #[test]
    fn evaluation_text_is_the_compact_serialisation_of_the_engine_output() {
        let protocol = Protocol::compile(REFERENCE).unwrap();
        let doc = r#"{"at":"2026-11-20T10:00:00Z","patient":{"age":17,"weight":68.50}}"#;
        let text = evaluate_text(&protocol, doc).unwrap();
        let native = serde_json::to_string(&protocol.evaluate_json(doc).unwrap()).unwrap();
        assert_eq!(text, native);
        assert!(!text.contains('\n'));
    }

    #[test]
    fn an_invalid_document_names_its_path_and_code() {
        let protocol = Protocol::compile(REFERENCE).unwrap();
        let err = evaluate_text(&protocol, r#"{"patient":{"age":121}}"#).unwrap_err();
        let v: serde_json::Value = serde_json::from_str(&err).unwrap();
        assert_eq!(v["kind"], "input");
        assert_eq!(v["code"], "out_of_range");
        assert_eq!(v["path"], "patient.age");
        assert!(v["expected"].as_str().unwrap().contains("0..120"));
        assert!(v["text"].as_str().unwrap().starts_with("patient.age: "));
    }

    #[test]
    fn diagnostics_have_the_check_json_shape() {
        let bad = "protocol \"x\" version \"1\" status draft\ninput patient.age: integer years in 0..120 \"Age\"\ndecision d \"D\"\n  exclude minor \"m\" when patient.agee < 18 years\n";
        let text = diagnostics_json("bad.kap", bad, &Protocol::check(bad));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = &v.as_array().unwrap()[0];
        for key in ["file", "line", "column", "severity", "code", "message"] {
            assert!(first.get(key).is_some(), "no {key} in {first}");
        }
        assert_eq!(first["file"], "bad.kap");
    }
}
