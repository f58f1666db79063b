//! What the fuzz targets check, as plain functions: each target in `fuzz_targets/` feeds
//! libFuzzer's bytes to one of them. A panic here is a finding.

pub mod structured;

use kap_engine::input::json;
use kap_engine::limits::MAX_DOCUMENT_BYTES;
use kap_engine::{Diagnostic, Error, InputCode, InputError, Protocol};
use std::sync::LazyLock;

/// The shipped reference protocol's source.
pub const REFERENCE_SOURCE: &str = include_str!("../../rules/kap-reference.kap");

/// The shipped reference protocol, compiled once per process.
pub static REFERENCE: LazyLock<Protocol> = LazyLock::new(|| match Protocol::compile(REFERENCE_SOURCE) {
    Ok(p) => p,
    Err(d) => panic!("the shipped protocol must compile: {d:#?}"),
});

/// The longest message of an input error or a parser diagnostic, in characters: fixed words
/// plus at most an excerpt of the text it quotes, whatever the size of that text.
pub const MAX_MESSAGE_CHARS: usize = 400;

/// The longest path of an input error: declared names, list indices and at most an excerpt
/// of an undeclared member's name.
pub const MAX_PATH_CHARS: usize = 200;

/// The longest `expected` of an input error (it may list every member of a group).
pub const MAX_EXPECTED_CHARS: usize = 4000;

/// Checks an input error's shape: a known code, and messages that do not grow with the input.
pub fn check_input_error(e: &InputError) {
    // Every code is a variant of InputCode; `internal` would be the engine's fault, never
    // the document's.
    assert!(e.code != InputCode::Internal, "an internal input error: {e:?}");
    assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS, "message too long: {} chars", e.message.chars().count());
    assert!(e.path.chars().count() <= MAX_PATH_CHARS, "path too long: {} chars", e.path.chars().count());
    assert!(
        e.expected.chars().count() <= MAX_EXPECTED_CHARS,
        "expected too long: {} chars",
        e.expected.chars().count()
    );
    assert!(!e.message.is_empty() && !e.expected.is_empty(), "{e:?}");
}

/// The codes of the parser's diagnostics (`syntax/`; the checker's `too-deep` messages are
/// fixed words).
pub const PARSER_CODES: &[&str] = &["syntax", "number", "too-deep", "indentation", "file-too-large"];

/// A rule source through `check` and `compile`: never a panic, and the two agree.
pub fn check_rules(source: &str) {
    let checked = Protocol::check(source);
    for d in &checked {
        assert!(d.span.start <= d.span.end && d.span.end <= source.len() + 1, "span {:?} of {}", d.span, source.len());
        // The parser's diagnostics quote at most an excerpt of the source.
        if PARSER_CODES.contains(&d.code.as_str()) {
            assert!(d.is_error(), "a parser diagnostic is an error: {d:?}");
            assert!(d.message.chars().count() <= MAX_MESSAGE_CHARS, "parser message too long: {}", d.message.len());
        }
        let _ = d.locate("fuzz.kap", source).render();
    }
    let errors: Vec<&Diagnostic> = checked.iter().filter(|d| d.is_error()).collect();
    match Protocol::compile(source) {
        Ok(protocol) => {
            // One pipeline: `compile` runs every check `check` runs, the dose proof included.
            assert!(errors.is_empty(), "compile accepted a file that check refuses: {errors:#?}");
            assert_eq!(protocol.warnings(), checked.as_slice(), "compile and check disagree");
            for w in protocol.warnings() {
                assert!(!w.is_error() && checked.contains(w), "a warning of compile is not in check: {w:#?}");
            }
            assert!(serde_json::to_string(&protocol.describe()).is_ok());
            let _ = protocol.json_schema().to_string();
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(Diagnostic::is_error), "compile failed without an error: {diagnostics:#?}");
            assert_eq!(diagnostics, checked, "compile and check disagree");
            assert!(!errors.is_empty(), "compile refused a file that check passes: {diagnostics:#?}");
        }
    }
}

/// A document text through the reference protocol: never a panic, a refusal is a well-formed
/// input error, and reading the text or the parsed value gives the same answer.
pub fn read_input(text: &str) {
    let protocol = &*REFERENCE;
    let result = protocol.evaluate_json(text);
    match &result {
        Ok(out) => {
            assert!(serde_json::to_string(out).is_ok());
        }
        Err(Error::Input(e)) => check_input_error(e),
        Err(Error::Evaluation(e)) => panic!("the reference protocol failed on a document it accepted: {e}"),
    }
    // A parsed value has no size: only the text is refused for being too large.
    if text.len() <= MAX_DOCUMENT_BYTES {
        if let Ok(parsed) = json::parse(text) {
            assert_eq!(protocol.evaluate(&parsed), result, "evaluate(parse(text)) differs from evaluate_json(text)");
        }
    }
}

/// Splits a wasm_entry input: the rule source, then (after the first NUL byte) the document.
pub fn split_rules_and_document(text: &str) -> (&str, &str) {
    text.split_once('\0').unwrap_or((text, "{}"))
}

/// The WebAssembly crate's Rust side on a rule source and a document: every answer is JSON of
/// the documented shape, and the same as the engine's.
pub fn wasm_entry(rules: &str, document: &str) {
    let file = Some("fuzz.kap".to_string());
    let checked: serde_json::Value = match serde_json::from_str(&kap_wasm::check(rules, file.clone())) {
        Ok(v) => v,
        Err(e) => panic!("check() is not JSON: {e}"),
    };
    assert!(checked.is_array(), "check() is not an array: {checked}");
    assert!(!kap_wasm::engine_version().is_empty());
    let protocol = match Protocol::compile(rules) {
        Ok(p) => p,
        Err(d) => {
            let text = kap_wasm::diagnostics_json("fuzz.kap", rules, &d);
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            assert_eq!(v.as_array().map(Vec::len), Some(d.len()), "diagnostics_json: {text}");
            return;
        }
    };
    // The constructor only builds a JavaScript value on failure, which cannot be made natively;
    // the source compiles here, so it succeeds.
    let Ok(compiled) = kap_wasm::CompiledProtocol::new(rules, file) else {
        panic!("CompiledProtocol::new refused a source that compiles");
    };
    for text in [compiled.describe(), compiled.json_schema(), compiled.warnings()] {
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "not JSON: {text}");
    }
    assert_eq!(compiled.sha256(), protocol.sha256());
    assert_eq!(compiled.file(), "fuzz.kap");
    let native = protocol.evaluate_json(document);
    match kap_wasm::evaluate_text(&protocol, document) {
        Ok(text) => {
            let Ok(out) = &native else { panic!("evaluate_text succeeded where the engine failed: {native:?}") };
            assert_eq!(serde_json::to_string(out).ok().as_deref(), Some(text.as_str()));
        }
        Err(text) => {
            let v: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => panic!("evaluate_text's error is not JSON ({e}): {text}"),
            };
            match (&native, v["kind"].as_str()) {
                (Err(Error::Input(e)), Some("input")) => {
                    check_input_error(e);
                    assert_eq!(v["code"].as_str(), Some(e.code.as_str()));
                }
                (Err(Error::Evaluation(_)), Some("evaluation")) => {}
                other => panic!("evaluate_text's error does not match the engine's: {other:?}"),
            }
        }
    }
}
