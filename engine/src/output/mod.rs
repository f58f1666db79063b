//! From a decision made to what a person or a program reads: the output fields and the
//! explanation of every rule that fired or stayed undetermined.

pub(crate) mod explain;
pub(crate) mod outcome;

use serde_json::Value;

/// A JSON object of these members, in this order: what `serde_json::json!` builds, without
/// serialising each member into a value on the way (`json!` calls `serde_json::to_value` for
/// every member that is not a literal, and that serialiser is code of its own in the .wasm).
pub(crate) fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(members.into_iter().map(|(name, value)| (name.to_string(), value)).collect())
}

/// The JSON array of these texts.
pub(crate) fn texts(items: &[String]) -> Value {
    Value::Array(items.iter().map(|t| Value::String(t.clone())).collect())
}

/// An exact decimal as a JSON number, without trailing zeros (`68.50` is written `68.5`):
/// the digits of its text, kept as they are (serde_json's `arbitrary_precision`).
///
/// The same number that parsing that text (`str::parse::<serde_json::Number>`) gives, as the
/// tests check, without the code of serde_json's number parser (nor, through it, of its
/// float formatting) in the .wasm: a decimal's text is always a valid JSON number
/// (`-?digits(.digits)?`, no `-0`: zero is normalised to `0`).
pub(crate) fn number(d: rust_decimal::Decimal) -> Value {
    Value::Number(serde_json::Number::from_string_unchecked(d.normalize().to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{number, object, texts};
    use rust_decimal::Decimal;
    use serde_json::Value;

    #[test]
    fn a_number_is_what_parsing_its_text_gives() {
        let texts = [
            "0",
            "-0",
            "0.000",
            "-0.000",
            "1",
            "-1",
            "68.50",
            "-0.5",
            "40.0",
            "125",
            "0.0001",
            "-12.340",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
            "7.9228162514264337593543950335",
        ];
        for text in texts {
            let d: Decimal = text.parse().unwrap();
            let parsed = d.normalize().to_string().parse::<serde_json::Number>().unwrap();
            assert_eq!(number(d), Value::Number(parsed.clone()), "{text}");
            assert_eq!(serde_json::to_string(&number(d)).unwrap(), serde_json::to_string(&parsed).unwrap());
        }
        assert_eq!(serde_json::to_string(&number("-0.000".parse().unwrap())).unwrap(), "0");
        assert_eq!(serde_json::to_string(&number("68.50".parse().unwrap())).unwrap(), "68.5");
    }

    #[test]
    fn objects_are_what_json_gives() {
        let built = object(vec![("b", true.into()), ("a", texts(&["x".to_string()])), ("n", Value::Null)]);
        assert_eq!(serde_json::to_string(&built).unwrap(), r#"{"b":true,"a":["x"],"n":null}"#);
        assert_eq!(built, serde_json::json!({"b": true, "a": ["x"], "n": null}));
    }
}
