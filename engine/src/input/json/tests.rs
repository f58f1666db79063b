//! Tests of the strict JSON reader: values, exact numbers, member order, every syntax error
//! with its line and column, the nesting limit, and properties over generated documents.

use super::*;
use proptest::prelude::*;

fn num(text: &str) -> Json {
    Json::Number(text.to_string())
}

fn text(t: &str) -> Json {
    Json::String(t.to_string())
}

fn err(input: &str) -> JsonError {
    match parse(input) {
        Ok(value) => panic!("expected an error for {input:?}, got {value:?}"),
        Err(e) => e,
    }
}

/// Asserts the error's message contains `needle` and returns the error.
fn err_with(input: &str, needle: &str) -> JsonError {
    let e = err(input);
    assert!(e.message.contains(needle), "input {input:?}: message {:?} does not contain {needle:?}", e.message);
    e
}

#[test]
fn reads_scalars() {
    assert_eq!(parse("null"), Ok(Json::Null));
    assert_eq!(parse("true"), Ok(Json::Bool(true)));
    assert_eq!(parse("false"), Ok(Json::Bool(false)));
    assert_eq!(parse("\"hi\""), Ok(text("hi")));
    assert_eq!(parse(" \t\r\n 1 \n"), Ok(num("1")));
}

#[test]
fn keeps_numbers_as_written() {
    for n in ["0", "-0", "4e1", "68.50", "-0.5", "1E+2", "1e-07", "0.000", "12345678901234567890123", "-0.0e0"] {
        assert_eq!(parse(n), Ok(num(n)), "{n}");
        assert_eq!(parse(n).unwrap().to_text(), n);
    }
}

#[test]
fn reads_nested_structures_in_order() {
    let v = parse(r#" { "b" : [1, 2.50, {"c": null}], "a": {}, "e": [] } "#).unwrap();
    assert_eq!(
        v,
        Json::Object(vec![
            ("b".into(), Json::Array(vec![num("1"), num("2.50"), Json::Object(vec![("c".into(), Json::Null)])])),
            ("a".into(), Json::Object(vec![])),
            ("e".into(), Json::Array(vec![])),
        ])
    );
    assert_eq!(v.to_text(), r#"{"b":[1,2.50,{"c":null}],"a":{},"e":[]}"#);
}

#[test]
fn keeps_duplicate_members() {
    let v = parse(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(v, Json::Object(vec![("a".into(), num("1")), ("a".into(), num("2"))]));
    assert_eq!(v.to_text(), r#"{"a":1,"a":2}"#);
}

#[test]
fn decodes_escapes() {
    assert_eq!(parse(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#), Ok(text("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti")));
    assert_eq!(parse(r#""\u00e9\u00E9""#), Ok(text("éé")));
    assert_eq!(parse(r#""\u0000""#), Ok(text("\0")));
    assert_eq!(parse(r#""\ud83d\ude00""#), Ok(text("😀")));
    assert_eq!(parse(r#""\uD834\uDD1E x""#), Ok(text("𝄞 x")));
    assert_eq!(parse("\"raw ünïcödé 😀\""), Ok(text("raw ünïcödé 😀")));
}

#[test]
fn kinds() {
    assert_eq!(Json::Null.kind(), "null");
    assert_eq!(Json::Bool(true).kind(), "true/false");
    assert_eq!(num("1").kind(), "number");
    assert_eq!(text("x").kind(), "text");
    assert_eq!(Json::Array(vec![]).kind(), "list");
    assert_eq!(Json::Object(vec![]).kind(), "object");
}

#[test]
fn writes_escaped_text() {
    let v = text("q\"b\\n\nt\tc\u{1}\u{1f}d\u{7f}é😀/");
    assert_eq!(v.to_text(), "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001fd\u{7f}é😀/\"");
    assert_eq!(parse(&v.to_text()), Ok(v));
}

#[test]
fn error_empty_and_whitespace() {
    let e = err_with("", "expected a value, found the end of the text");
    assert_eq!((e.offset, e.line, e.column), (0, 1, 1));
    let e = err_with("  \n ", "expected a value");
    assert_eq!((e.offset, e.line, e.column), (4, 2, 2));
}

#[test]
fn error_trailing_text() {
    let e = err("{} x");
    assert_eq!(e.message, "unexpected text after the document");
    assert_eq!((e.offset, e.line, e.column), (3, 1, 4));
    err_with("1 2", "unexpected text after the document");
    err_with("truex", "unexpected text after the document");
    err_with("[1]]", "unexpected text after the document");
    err_with("\"a\"\"b\"", "unexpected text after the document");
}

#[test]
fn error_trailing_commas() {
    let e = err_with("[1,]", "trailing comma");
    assert_eq!(e.offset, 3);
    let e = err_with("{\"a\":1,}", "trailing comma");
    assert_eq!(e.offset, 7);
    err_with("[,]", "expected a value, found `,`");
    err_with("{,}", "expected a member name in double quotes or `}`");
}

#[test]
fn error_comments() {
    err_with("// hi\n1", "expected a value, found `/`");
    err_with("1 /* c */", "unexpected text after the document");
    err_with("[1 /* c */]", "expected `,` or `]` after a list element, found `/`");
    err_with("# c\n1", "expected a value, found `#`");
}

#[test]
fn error_numbers() {
    let e = err_with("01", "leading zero");
    assert_eq!(e.offset, 0);
    err_with("-01", "leading zero");
    err_with("[00]", "leading zero");
    let e = err_with("-", "expected a digit after `-`, found the end of the text");
    assert_eq!(e.offset, 1);
    err_with("-a", "expected a digit after `-`, found `a`");
    err_with("-Infinity", "expected a digit after `-`, found `Infinity`");
    let e = err_with("1.", "expected a digit after the decimal point");
    assert_eq!(e.offset, 2);
    err_with("1.e5", "expected a digit after the decimal point");
    err_with(".5", "expected a value, found `.`");
    err_with("+1", "expected a value, found `+`");
    let e = err_with("1e", "expected a digit in the exponent");
    assert_eq!(e.offset, 2);
    err_with("1e+", "expected a digit in the exponent");
    err_with("1E-x", "expected a digit in the exponent");
    err_with("NaN", "expected a value, found `NaN`");
    err_with("Infinity", "expected a value, found `Infinity`");
    err_with("0x10", "unexpected text after the document");
    err_with("1.5.2", "unexpected text after the document");
}

#[test]
fn error_literals() {
    err_with("tru", "expected a value, found `tru`");
    err_with("nul", "expected a value, found `nul`");
    err_with("True", "expected a value, found `True`");
    err_with("[f]", "expected a value, found `f`");
    err_with("undefined", "expected a value, found `undefined`");
}

#[test]
fn error_objects() {
    let e = err("{\"a\" 1}");
    assert_eq!(e.message, "expected `:` after a member name, found `1`");
    assert_eq!(e.offset, 5);
    err_with("{a:1}", "expected a member name in double quotes or `}`, found `a`");
    err_with("{'a':1}", "expected a member name in double quotes or `}`, found `'`");
    err_with("{\"a\":1 \"b\":2}", "expected `,` or `}` after a member value, found `\"`");
    err_with("{\"a\":1,2}", "expected a member name in double quotes after `,`, found `2`");
    err_with("{\"a\":}", "expected a value, found `}`");
    err_with("{\"a\":1", "expected `,` or `}` after a member value, found the end of the text");
    err_with("{", "expected a member name in double quotes or `}`, found the end of the text");
    err_with("{\"a\"", "expected `:` after a member name, found the end of the text");
}

#[test]
fn error_arrays() {
    err_with("[1 2]", "expected `,` or `]` after a list element, found `2`");
    err_with("[1", "expected `,` or `]` after a list element, found the end of the text");
    err_with("[", "expected a value, found the end of the text");
    err_with("[1,", "expected a value");
    err_with("]", "expected a value, found `]`");
    err_with("[1}", "expected `,` or `]` after a list element, found `}`");
}

#[test]
fn error_strings() {
    let e = err_with("\"abc", "never closed");
    assert_eq!(e.offset, 0);
    err_with("[\"abc\\", "never closed");
    let e = err_with("\"a\nb\"", "control character U+000A");
    assert_eq!((e.offset, e.line, e.column), (2, 1, 3));
    err_with("\"a\tb\"", "control character U+0009");
    err_with("\"\u{0}\"", "control character U+0000");
    let e = err_with(r#""ab\q""#, "invalid escape `\\q`");
    assert_eq!(e.offset, 3);
    err_with(r#""\x41""#, "invalid escape `\\x`");
    err_with("\"\\é\"", "invalid escape `\\é`");
    err_with(r#""\'""#, "invalid escape");
    err_with(r#""\u12""#, "expected four hex digits after `\\u`, found `\"`");
    err_with(r#""\u12G4""#, "expected four hex digits after `\\u`, found `G4`");
    err_with("\"\\u", "expected four hex digits after `\\u`, found the end of the text");
    err_with(r#""\U0041""#, "invalid escape `\\U`");
}

#[test]
fn error_surrogates() {
    let e = err_with(r#""x\ud800""#, "unpaired surrogate `\\uD800`");
    assert_eq!(e.offset, 2);
    err_with(r#""\ud800x""#, "unpaired surrogate `\\uD800`");
    err_with(r#""\ud800\u0041""#, "unpaired surrogate `\\uD800`");
    err_with(r#""\ud800\ud800""#, "unpaired surrogate `\\uD800`");
    err_with(r#""\udc00""#, "unpaired surrogate `\\uDC00`");
    err_with(r#""\ude00\ud83d""#, "unpaired surrogate `\\uDE00`");
    err_with(r#""\ud800\n""#, "unpaired surrogate");
    err_with(r#""\ud800\u12""#, "expected four hex digits");
}

#[test]
fn error_odd_characters() {
    err_with("\u{feff}{}", "byte order mark");
    err_with("\u{a0}1", "the character U+00A0");
    err_with("\u{b}1", "the character U+000B");
    err_with("é", "expected a value, found `é`");
    err_with("😀", "expected a value, found `😀`");
}

#[test]
fn lines_and_columns_count_characters() {
    let e = err("{\n  \"é😀\": 1,\n  \"b\" 2\n}");
    assert_eq!(e.message, "expected `:` after a member name, found `2`");
    assert_eq!((e.line, e.column), (3, 7));
    assert_eq!(e.offset, "{\n  \"é😀\": 1,\n  \"b\" ".len());
    let e = err("[\"ü\", ü]");
    assert_eq!((e.offset, e.line, e.column), (7, 1, 7));
    assert_eq!(e.to_string(), "line 1, column 7: expected a value, found `ü`");
}

#[test]
fn depth_limit() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let ok = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());

    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let e = err(&deep);
    assert_eq!(e.message, "nested deeper than 64 levels");
    assert_eq!(e.offset, MAX_DEPTH);
    let e = err(&"[{\"a\":".repeat(100_000));
    assert_eq!(e.message, "nested deeper than 64 levels");
    let e = err(&"[".repeat(1_000_000));
    assert_eq!(e.message, "nested deeper than 64 levels");
}

#[test]
fn to_text_of_deep_hand_built_value_does_not_recurse() {
    let mut v = Json::Null;
    for _ in 0..10_000 {
        v = Json::Array(vec![v]);
    }
    let t = v.to_text();
    assert_eq!(t.len(), 4 + 2 * 10_000);
    // Dismantle iteratively so the test itself does not overflow on drop.
    while let Json::Array(mut items) = v {
        v = items.pop().unwrap_or(Json::Null);
    }
}

fn json_number() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,8})?([eE][+-]?[0-9]{1,3})?"
}

fn json_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\"\\\\/\\x00-\\x1f\\x7f a-zé\u{2028}\u{fffd}\u{1F600}\u{10FFFF}]{0,12}",]
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        json_number().prop_map(Json::Number),
        json_text().prop_map(Json::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((json_text(), inner), 0..6).prop_map(Json::Object),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_json_like_strings(
        s in "[\\[\\]{}:,\"\\\\0-9eE+\\-. \\t\\n\\x00\\x1ftrueflasnu/éü😀]{0,48}"
    ) {
        if let Err(e) = parse(&s) {
            prop_assert!(e.offset <= s.len());
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }

    #[test]
    fn round_trips_generated_values(v in json_value()) {
        let t = v.to_text();
        prop_assert_eq!(parse(&t), Ok(v));
    }

    #[test]
    fn reads_every_character_as_a_unicode_escape(s in json_text()) {
        let mut doc = String::from("\"");
        for unit in s.encode_utf16() {
            doc.push_str(&format!("\\u{unit:04X}"));
        }
        doc.push('"');
        prop_assert_eq!(parse(&doc), Ok(Json::String(s)));
    }

    #[test]
    fn every_prefix_and_edit_of_a_document_is_handled(
        v in json_value(),
        cut in any::<prop::sample::Index>(),
        insert in any::<char>(),
    ) {
        let t = v.to_text();
        let boundaries: Vec<usize> =
            t.char_indices().map(|(i, _)| i).chain(std::iter::once(t.len())).collect();
        let at = boundaries[cut.index(boundaries.len())];
        let _ = parse(&t[..at]);
        let mut edited = t.clone();
        edited.insert(at, insert);
        let _ = parse(&edited);
        if at < t.len() {
            let mut removed = t.clone();
            removed.remove(at);
            let _ = parse(&removed);
        }
    }
}
