//! The limits on what the engine reads (`kap_engine::limits`): each is a clear error with a
//! code, and no error message echoes more than an excerpt of what it quotes. Also the
//! regressions found by fuzzing the reader and the parser (fuzz/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::limits::{
    excerpt, MAX_BRACKET_NESTING, MAX_DOCUMENT_BYTES, MAX_JSON_DEPTH, MAX_QUOTED_CHARS, MAX_RULE_FILE_BYTES,
};
use kap_engine::{Error, InputError, Protocol};

const REFERENCE: &str = include_str!("../../rules/kap-reference.kap");

fn reference() -> Protocol {
    Protocol::compile(REFERENCE).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn refused(protocol: &Protocol, doc: &str) -> InputError {
    match protocol.evaluate_json(doc) {
        Err(Error::Input(e)) => e,
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// `text` padded with spaces (after the document, which JSON allows) to exactly `len` bytes.
fn padded(text: &str, len: usize) -> String {
    format!("{text}{}", " ".repeat(len - text.len()))
}

#[test]
fn a_document_over_1_mib_is_refused_before_it_is_parsed() {
    let p = reference();
    let doc = r#"{"patient": {"age": 17}}"#;
    assert!(p.evaluate_json(&padded(doc, MAX_DOCUMENT_BYTES)).is_ok());
    let e = refused(&p, &padded(doc, MAX_DOCUMENT_BYTES + 1));
    assert_eq!(e.code, "too_large");
    assert_eq!(e.path, "");
    assert_eq!(e.message, "the document is 1048577 bytes, more than kap reads");
    assert_eq!(e.expected, "a JSON document of at most 1048576 bytes (1 MiB)");
    // Not parsed: the same answer for a text that is not JSON at all.
    assert_eq!(refused(&p, &"[".repeat(MAX_DOCUMENT_BYTES + 1)).code, "too_large");
}

#[test]
fn a_rule_file_over_1_mib_is_refused_with_a_code_and_a_hint() {
    let at_limit = padded(REFERENCE, MAX_RULE_FILE_BYTES);
    assert!(Protocol::compile(&at_limit).is_ok());
    let over = padded(REFERENCE, MAX_RULE_FILE_BYTES + 1);
    let d = Protocol::compile(&over).unwrap_err();
    let first = &d[0];
    assert_eq!(first.code, "file-too-large");
    assert_eq!(first.message, "this rule file is 1048577 bytes, more than kap reads (1048576 bytes, 1 MiB)");
    assert!(first.hint.as_deref().unwrap_or_default().contains("split the protocol"));
    assert!(Protocol::check(&over).iter().any(|d| d.code == "file-too-large"));
}

#[test]
fn documents_nested_deeper_than_64_levels_are_refused() {
    let p = reference();
    let deep = |n: usize| format!(r#"{{"patient": {}1{}}}"#, "[".repeat(n), "]".repeat(n));
    // 64 levels in all (the document counts): read, then refused as `patient` is no object.
    assert_eq!(refused(&p, &deep(MAX_JSON_DEPTH - 1)).code, "not_an_object");
    let e = refused(&p, &deep(MAX_JSON_DEPTH));
    assert_eq!(e.code, "json_syntax");
    assert!(e.message.ends_with("nested deeper than 64 levels"), "{}", e.message);
    assert_eq!(refused(&p, &"[".repeat(MAX_DOCUMENT_BYTES)).code, "json_syntax");
}

/// Every input error that quotes a value of the document quotes at most an excerpt of it.
#[test]
fn input_errors_quote_at_most_an_excerpt_of_a_value() {
    let p = reference();
    let long = "9".repeat(100_000);
    let zeros = "0".repeat(100_000);
    let word = "x".repeat(100_000);
    let cases = [
        (format!(r#"{{"patient": {{"age": {long}}}}}"#), "not_finite", "patient.age", long.as_str()),
        (format!(r#"{{"patient": {{"age": 0.{zeros}1}}}}"#), "too_precise", "patient.age", "0.000"),
        (format!(r#"{{"patient": {{"age": 40.5{zeros}}}}}"#), "not_whole", "patient.age", "40.5000"),
        (format!(r#"{{"patient": {{"age": 121.{zeros}}}}}"#), "out_of_range", "patient.age", "121.000"),
        (format!(r#"{{"patient": {{"pregnant": {long}}}}}"#), "wrong_type", "patient.pregnant", long.as_str()),
        (format!(r#"{{"patient": {{"pregnant": "{word}"}}}}"#), "wrong_type", "patient.pregnant", word.as_str()),
        (format!(r#"{{"patient": {{"glaucoma": "{word}"}}}}"#), "unknown_choice", "patient.glaucoma", word.as_str()),
        (format!(r#"{{"at": "{word}"}}"#), "bad_timestamp", "at", word.as_str()),
        (format!(r#"{{"patient": "{word}"}}"#), "not_an_object", "patient", word.as_str()),
    ];
    for (doc, code, path, quoted) in cases {
        let e = refused(&p, &doc);
        assert_eq!((e.code.as_str(), e.path.as_str()), (code, path), "{e}");
        assert!(e.message.contains(excerpt(quoted).as_ref()), "{code}: {}", e.message);
        assert!(e.message.chars().count() < MAX_QUOTED_CHARS + 60, "{code}: {}", e.message);
        assert!(e.to_string().chars().count() < 400, "{code}: {e}");
    }
}

#[test]
fn an_undeclared_member_is_named_by_an_excerpt() {
    let p = reference();
    let name = "a".repeat(MAX_DOCUMENT_BYTES - 100);
    // No suggestion is searched for a name this long (comparing it with every declared one
    // took 10 s at 1 MiB); the benchmark, not this test, is where time is measured.
    let e = refused(&p, &format!(r#"{{"patient": {{"{name}": 1}}}}"#));
    assert_eq!(e.code, "unknown_member");
    assert_eq!(e.path, format!("patient.{}", excerpt(&name)));
    assert_eq!(e.message, "no such input");
    // A short one still gets its suggestion.
    let e = refused(&p, r#"{"patient": {"agee": 1}}"#);
    assert_eq!(e.message, "no such input (did you mean `patient.age`?)");
    let choice = "m".repeat(MAX_DOCUMENT_BYTES - 100);
    let e = refused(&p, &format!(r#"{{"patient": {{"mood_episode": "{choice}"}}}}"#));
    assert_eq!(e.message, format!("\"{}\" is not a choice", excerpt(&choice)));
}

#[test]
fn parser_diagnostics_quote_at_most_an_excerpt_of_the_source() {
    let word = "x".repeat(100_000);
    let src =
        REFERENCE.replacen("when patient.age < 18 years [K2]", &format!("whenn{word} patient.age < 18 years [K2]"), 1);
    let d = Protocol::check(&src);
    let syntax = d.iter().find(|d| d.code == "syntax").unwrap();
    assert!(syntax.message.contains(&format!("`whenn{}…`", "x".repeat(MAX_QUOTED_CHARS - 5))), "{}", syntax.message);
    assert!(syntax.message.chars().count() < 200, "{}", syntax.message);
    let digits = "1".repeat(100_000);
    let src =
        REFERENCE.replacen("when patient.age < 18 years [K2]", &format!("when patient.age < {digits} years [K2]"), 1);
    let d = Protocol::check(&src);
    let number = d.iter().find(|d| d.code == "number").unwrap();
    assert_eq!(
        number.message,
        format!("`{}…` is not a number kap can represent exactly", "1".repeat(MAX_QUOTED_CHARS))
    );
}

/// Found while writing the fuzz targets: `choose` nested a thousand deep (no brackets) made
/// the parser recurse until the WebAssembly stack overflowed ("memory access out of bounds");
/// natively pest stopped with a misleading "unexpected `true`".
#[test]
fn choose_nested_without_brackets_is_too_deep() {
    for n in [MAX_BRACKET_NESTING + 1, 1_000, 20_000] {
        let src = format!("define x = {}1{}\n", "choose when true then ".repeat(n), " otherwise 2".repeat(n));
        let d = Protocol::check(&src);
        let deep: Vec<&str> =
            d.iter().filter(|d| d.code != "header" && d.code != "no-decision").map(|d| d.code.as_str()).collect();
        assert_eq!(deep, ["too-deep"], "{n}: {d:#?}");
    }
}
