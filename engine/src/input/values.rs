//! The third step of validation: each field's JSON value against its declared type, range
//! and unit, read into an exact [`Value`]; numbers keep every digit written.

use super::*;

/// Describes what a field admits, for people: "an integer in 0..120 years".
pub(crate) fn describe(field: &Field) -> String {
    match &field.ty {
        FieldType::Boolean => "true or false".to_string(),
        FieldType::Timestamp => "an RFC 3339 timestamp such as \"2026-11-22T09:00:00Z\"".to_string(),
        FieldType::Choice(choices) => {
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            format!("one of {}", quoted.join(", "))
        }
        FieldType::Number { integer, unit } => {
            let kind = if *integer { "an integer" } else { "a number" };
            let unit = if unit.is_none() { String::new() } else { format!(" {unit}") };
            match field.range {
                Some((lo, hi)) => format!("{kind} in {lo}..{hi}{unit}"),
                None if unit.is_empty() => kind.to_string(),
                None => format!("{kind} in{unit}"),
            }
        }
    }
}

/// A field's value as written: a scalar, read from a parsed document or straight from the
/// text ([`super::direct`]).
#[derive(Debug, Clone, Copy)]
pub(super) enum Scalar<'a> {
    /// `true` or `false`.
    Bool(bool),
    /// A number, its text as written.
    Number(&'a str),
    /// A text, its escapes decoded.
    Text(&'a str),
}

impl Scalar<'_> {
    /// What was found, for an error message: as [`found`] says it of the same JSON value.
    fn found(&self) -> String {
        match self {
            Scalar::Bool(_) => "true or false".to_string(),
            Scalar::Number(n) => format!("the number {}", excerpt(n)),
            Scalar::Text(s) => format!("the text \"{}\"", excerpt(s)),
        }
    }
}

/// Reads a field's value from `json` into `slot`, as [`store_scalar`] does from a scalar.
pub(super) fn store_field(
    field: &Field,
    json: &Json,
    path: &Path<'_>,
    slot: &mut Option<Value>,
) -> Result<(), InputError> {
    let scalar = match json {
        Json::Bool(b) => Scalar::Bool(*b),
        Json::Number(n) => Scalar::Number(n),
        Json::String(s) => Scalar::Text(s),
        Json::Null | Json::Array(_) | Json::Object(_) => {
            return Err(error(InputCode::WrongType, &path.render(), format!("found {}", found(json)), describe(field)))
        }
    };
    store_scalar(field, scalar, path, slot)
}

/// Reads a field's value from a scalar into `slot` (left as it was on an error). Written
/// into its slot where it is made: a value made, returned and then copied into its slot was
/// stored and reloaded in pieces that do not line up (a byte of tag, then its payload), and
/// the processor waited on each reload, a fifth of the time of reading a document.
pub(super) fn store_scalar(
    field: &Field,
    json: Scalar<'_>,
    path: &Path<'_>,
    slot: &mut Option<Value>,
) -> Result<(), InputError> {
    let wrong = || error(InputCode::WrongType, &path.render(), format!("found {}", json.found()), describe(field));
    let value = match (&field.ty, json) {
        (FieldType::Boolean, Scalar::Bool(b)) => Value::Bool(b),
        (FieldType::Choice(choices), Scalar::Text(s)) => match choices.iter().position(|c| c == s) {
            Some(i) => Value::Choice(u16::try_from(i).map_err(|_| wrong())?),
            None => {
                let near = suggest(s, choices.iter().map(String::as_str));
                let message = match near {
                    Some(n) => format!("\"{}\" is not a choice (did you mean \"{n}\"?)", excerpt(s)),
                    None => format!("\"{}\" is not a choice", excerpt(s)),
                };
                return Err(error(InputCode::UnknownChoice, &path.render(), message, describe(field)));
            }
        },
        (FieldType::Timestamp, Scalar::Text(s)) => {
            let at = time::parse_rfc3339(s).ok_or_else(|| {
                error(
                    InputCode::BadTimestamp,
                    &path.render(),
                    format!("\"{}\" is not an RFC 3339 timestamp", excerpt(s)),
                    describe(field),
                )
            })?;
            Value::Time(at)
        }
        (FieldType::Number { integer, .. }, Scalar::Number(text)) => {
            let quoted = || excerpt(text);
            let n = number(text).map_err(|code| {
                let message = match code {
                    InputCode::NotFinite => format!("{} is too large to be a finite exact number", quoted()),
                    _ => format!("{} has more digits than kap keeps exactly (28)", quoted()),
                };
                error(code, &path.render(), message, describe(field))
            })?;
            // A number written without decimals is whole.
            if *integer && n.scale() != 0 && !crate::exact::is_whole(&n) {
                return Err(error(
                    InputCode::NotWhole,
                    &path.render(),
                    format!("{} is not a whole number", quoted()),
                    describe(field),
                ));
            }
            if let Some((lo, hi)) = field.range {
                let order = |a: &Decimal, b: &Decimal| crate::exact::compare(a, b);
                if order(&n, &lo).is_lt() || order(&n, &hi).is_gt() {
                    return Err(error(
                        InputCode::OutOfRange,
                        &path.render(),
                        format!("{} is out of range", quoted()),
                        describe(field),
                    ));
                }
            }
            // `number` gives it normal: no trailing zeros of the fraction, no negative zero.
            Value::Num(n)
        }
        _ => return Err(wrong()),
    };
    *slot = Some(value);
    Ok(())
}

/// Reads a JSON number's text as an exact decimal.
///
/// Errors are `not_finite` (too large for 28 digits) and `too_precise` (digits below the
/// 28th decimal place that are not zero).
pub fn number(text: &str) -> Result<Decimal, InputCode> {
    plain_number(text).map_or_else(|| any_number(text), Ok)
}

/// The exponent of a number (the text after its `e`: a sign, then digits) as `str::parse`
/// reads an `i64`; beyond what an `i64` holds, or anything else, `i64::MIN` when it starts
/// with `-` and `i64::MAX` otherwise: far beyond any exact decimal either way. (A fold of its
/// digits: the standard library's parser cost the .wasm half a kilobyte.)
fn exponent(text: &str) -> i64 {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let beyond = if sign < 0 { i64::MIN } else { i64::MAX };
    if digits.is_empty() {
        return beyond;
    }
    digits
        .bytes()
        .try_fold(0i64, |n, d| {
            let digit = d.is_ascii_digit().then(|| i64::from(d - b'0'))?;
            n.checked_mul(10)?.checked_add(sign * digit)
        })
        .unwrap_or(beyond)
}

/// [`number`] for any JSON number: the digits normalised as text, then the exponent applied.
fn any_number(text: &str) -> Result<Decimal, InputCode> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at).unwrap_or(""), exponent(rest.get(at + 1..).unwrap_or(""))),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{int_part}{frac_part}");
    let mut exponent = exponent.saturating_sub(i64::try_from(frac_part.len()).unwrap_or(i64::MAX));
    // Normalise: no leading zeros, no trailing zeros (moved into the exponent).
    let trimmed = digits.trim_start_matches('0');
    digits = trimmed.to_string();
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    while digits.ends_with('0') {
        digits.pop();
        exponent = exponent.saturating_add(1);
    }
    if digits.len() > 28 {
        return Err(if exponent.saturating_add(i64::try_from(digits.len()).unwrap_or(i64::MAX)) > 28 {
            InputCode::NotFinite
        } else {
            InputCode::TooPrecise
        });
    }
    let magnitude = i64::try_from(digits.len()).unwrap_or(0).saturating_add(exponent);
    if magnitude > 29 {
        return Err(InputCode::NotFinite);
    }
    let mut m: i128 = digits.parse().map_err(|_| InputCode::NotFinite)?;
    if negative {
        m = -m;
    }
    if exponent >= 0 {
        let mut value = Decimal::try_from_i128_with_scale(m, 0).map_err(|_| InputCode::NotFinite)?;
        for _ in 0..exponent {
            value = value.mul_exact(Decimal::TEN).ok_or(InputCode::NotFinite)?;
        }
        Ok(value)
    } else {
        let scale = u32::try_from(exponent.unsigned_abs()).map_err(|_| InputCode::TooPrecise)?;
        if scale > 28 {
            return Err(InputCode::TooPrecise);
        }
        Decimal::try_from_i128_with_scale(m, scale).map_err(|_| InputCode::NotFinite)
    }
}

/// The fast way for a number as forms write them, without exponent and with digits that fit
/// 64 bits (`68.5`, `-12`, `140`): one pass over its bytes, its digits read as one machine
/// integer, trailing zeros of the fraction dropped from that integer. The same value and
/// scale as [`any_number`]; `None` for any other text (which [`any_number`] then reads).
fn plain_number(text: &str) -> Option<Decimal> {
    let (negative, bytes) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    let (mut m, mut digits, mut scale): (u64, u32, Option<u32>) = (0, 0, None);
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                m = m.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                digits = digits.checked_add(1)?;
                if let Some(s) = scale.as_mut() {
                    *s = s.checked_add(1)?;
                }
            }
            b'.' if scale.is_none() && digits > 0 => scale = Some(0),
            _ => return None,
        }
    }
    let mut scale = scale.unwrap_or(0);
    if digits == 0 {
        return None;
    }
    while scale > 0 && m % 10 == 0 {
        m /= 10;
        scale -= 1;
    }
    if scale > Decimal::MAX_SCALE {
        return None;
    }
    let (lo, mid) = (u32::try_from(m & 0xFFFF_FFFF).ok()?, u32::try_from(m >> 32).ok()?);
    Some(Decimal::from_parts(lo, mid, 0, negative && m != 0, scale))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{any_number, exponent, number, plain_number};

    /// At the ends of an `i64` and around them, signed or not, and nothing or a sign alone.
    #[test]
    fn an_exponent_saturates_where_the_standard_parser_gives_none() {
        for text in [
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "+9223372036854775808",
            "99999999999999999999999",
            "+12",
            "-007",
            "",
            "-",
            "+",
            "1-",
        ] {
            let standard: i64 = text.parse().unwrap_or(if text.starts_with('-') { i64::MIN } else { i64::MAX });
            assert_eq!(exponent(text), standard, "{text}");
        }
    }

    proptest::proptest! {
        /// An exponent is read as `str::parse` reads an `i64`, saturated where it gives none.
        #[test]
        fn an_exponent_is_read_as_the_standard_parser_reads_it(text in "[-+]?[-+0-9a]{0,21}") {
            let standard: i64 = text.parse().unwrap_or(if text.starts_with('-') { i64::MIN } else { i64::MAX });
            proptest::prop_assert_eq!(exponent(&text), standard);
        }
    }

    #[test]
    fn the_fast_way_reads_numbers_as_the_general_way_does() {
        let texts = [
            "0",
            "-0",
            "0.0",
            "-0.000",
            "7",
            "40",
            "40.0",
            "68.50",
            "-12",
            "140",
            "100.00",
            "0.5",
            "-0.05",
            "3.14159",
            "1234567890123456789",
            "-9999999999999999999",
            "18446744073709551615",
            "0.000000000000000001",
            "1234567890.123456789",
        ];
        for text in texts {
            let fast = plain_number(text).unwrap();
            let general = any_number(text).unwrap();
            assert_eq!((fast, fast.to_string()), (general, general.to_string()), "{text}");
        }
        let general = [
            "1e3",
            "1.5E-2",
            "12345678901234567890123456789",
            "0.00000000000000000000000000001",
            "0.000000000000000000000000000010",
            "18446744073709551616",
            "99999999999999999999",
            "1234567890123456789012345678",
            "-9999999999999999999999999999",
            "123456789012.3456789012345678",
            "",
            "-",
            ".5",
            "1.2.3",
            "1a",
        ];
        for text in general {
            assert_eq!(plain_number(text), None, "{text}");
        }
    }

    proptest::proptest! {
        /// Any number text is read as the general way reads it, value and scale, and normal
        /// (no trailing zeros of the fraction, no negative zero): the reader stores it as it
        /// comes.
        #[test]
        fn a_number_is_read_as_the_general_way_reads_it_and_normal(
            text in "-?[0-9]{1,30}(\\.[0-9]{0,30})?",
        ) {
            let (read, general) = (number(&text), any_number(&text));
            proptest::prop_assert_eq!(read.map(|d| (d, d.to_string())), general.map(|d| (d, d.to_string())));
            if let Ok(d) = read {
                proptest::prop_assert_eq!(d.to_string(), d.normalize().to_string());
            }
        }
    }
}
