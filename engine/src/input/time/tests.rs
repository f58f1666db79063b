//! Tests of exact timestamps: reading RFC 3339 against the `time` crate as oracle, the
//! refusals beyond it, and writing back in UTC.

use super::*;
use proptest::prelude::*;
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The implementation this module had with the `time` crate: the oracle of the properties below.
fn oracle_parse(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    if !matches!(bytes.get(10), Some(b'T' | b't')) {
        return None;
    }
    if bytes.get(17..19) == Some(b"60".as_slice()) {
        return None;
    }
    if bytes.get(19) == Some(&b'.') {
        let digits = bytes.get(20..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > MAX_FRACTION_DIGITS {
            return None;
        }
    }
    let instant = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let whole = instant.unix_timestamp();
    if !(FIRST_SECOND..END_SECOND).contains(&whole) {
        return None;
    }
    let nanos = i128::from(whole) * NANOS_PER_SECOND + i128::from(instant.nanosecond());
    Decimal::try_from_i128_with_scale(nanos, 9).ok().map(|seconds| seconds.normalize())
}

/// The formatting this module had with the `time` crate: the oracle of the properties below.
fn oracle_format(seconds: Decimal) -> Option<String> {
    let whole_seconds = seconds.floor();
    let whole = i64::try_from(whole_seconds).ok()?;
    if !(FIRST_SECOND..END_SECOND).contains(&whole) {
        return None;
    }
    let fraction = seconds.checked_sub(whole_seconds)?.normalize();
    let instant = OffsetDateTime::from_unix_timestamp(whole).ok()?;
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        instant.year(),
        u8::from(instant.month()),
        instant.day(),
        instant.hour(),
        instant.minute(),
        instant.second()
    );
    if !fraction.is_zero() {
        let width = usize::try_from(fraction.scale()).ok()?;
        out.push('.');
        out.push_str(&format!("{:0width$}", fraction.mantissa()));
    }
    out.push('Z');
    Some(out)
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// 2026-11-22T09:00:00Z.
const NOV_22_0900: i64 = 1_795_338_000;

#[test]
fn reads_utc() {
    assert_eq!(parse_rfc3339("2026-11-22T09:00:00Z"), Some(Decimal::from(NOV_22_0900)));
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(Decimal::ZERO));
    assert_eq!(parse_rfc3339("0000-01-01T00:00:00Z"), Some(Decimal::from(FIRST_SECOND)));
    assert_eq!(parse_rfc3339("9999-12-31T23:59:59.999999999Z"), Some(Decimal::from(END_SECOND) - dec("0.000000001")));
}

#[test]
fn offsets_convert_to_utc_exactly() {
    let utc = Decimal::from(NOV_22_0900);
    assert_eq!(parse_rfc3339("2026-11-22T10:00:00+01:00"), Some(utc));
    assert_eq!(parse_rfc3339("2026-11-22T03:30:00-05:30"), Some(utc));
    assert_eq!(parse_rfc3339("2026-11-23T08:59:00+23:59"), Some(utc));
    assert_eq!(parse_rfc3339("2026-11-22T09:00:00+00:00"), Some(utc));
    assert_eq!(parse_rfc3339("2026-11-22T09:00:00-00:00"), Some(utc));
    assert_eq!(parse_rfc3339("2026-11-22T10:00:00.250+01:00"), Some(utc + dec("0.25")));
    assert_eq!(format_utc(parse_rfc3339("2026-11-22T10:00:00.250+01:00").unwrap()).unwrap(), "2026-11-22T09:00:00.25Z");
    // Crossing a day, a month and a year boundary.
    assert_eq!(format_utc(parse_rfc3339("2027-01-01T01:15:00+02:00").unwrap()).unwrap(), "2026-12-31T23:15:00Z");
}

#[test]
fn lowercase_t_and_z_are_accepted() {
    assert_eq!(parse_rfc3339("2026-11-22t09:00:00z"), Some(Decimal::from(NOV_22_0900)));
}

#[test]
fn fractional_seconds_are_exact() {
    let base = Decimal::from(NOV_22_0900);
    for (text, frac) in [
        ("2026-11-22T09:00:00.5Z", "0.5"),
        ("2026-11-22T09:00:00.000000001Z", "0.000000001"),
        ("2026-11-22T09:00:00.123456789Z", "0.123456789"),
        ("2026-11-22T09:00:00.100Z", "0.1"),
        ("2026-11-22T09:00:00.0Z", "0"),
    ] {
        let read = parse_rfc3339(text).unwrap();
        assert_eq!(read, base + dec(frac), "{text}");
        // Normalized: the representation carries no trailing zeros.
        assert_eq!(read.to_string(), (base + dec(frac)).normalize().to_string());
    }
    // Before the epoch the fraction still counts forwards from the whole second.
    assert_eq!(parse_rfc3339("1969-12-31T23:59:59.75Z"), Some(dec("-0.25")));
}

#[test]
fn formats_utc() {
    assert_eq!(format_utc(Decimal::ZERO).unwrap(), "1970-01-01T00:00:00Z");
    assert_eq!(format_utc(Decimal::from(NOV_22_0900)).unwrap(), "2026-11-22T09:00:00Z");
    assert_eq!(format_utc(Decimal::from(FIRST_SECOND)).unwrap(), "0000-01-01T00:00:00Z");
    assert_eq!(format_utc(Decimal::from(END_SECOND) - dec("0.000000001")).unwrap(), "9999-12-31T23:59:59.999999999Z");
    assert_eq!(format_utc(dec("-0.5")).unwrap(), "1969-12-31T23:59:59.5Z");
    assert_eq!(format_utc(dec("0.05")).unwrap(), "1970-01-01T00:00:00.05Z");
    assert_eq!(format_utc(dec("951782400")).unwrap(), "2000-02-29T00:00:00Z");
}

#[test]
fn formatting_drops_trailing_zeros() {
    let base = Decimal::from(NOV_22_0900);
    assert_eq!(format_utc(base + dec("0.250000000")).unwrap(), "2026-11-22T09:00:00.25Z");
    assert_eq!(format_utc(base + dec("0.000")).unwrap(), "2026-11-22T09:00:00Z");
    assert_eq!(format_utc(dec("1795338000.000")).unwrap(), "2026-11-22T09:00:00Z");
    assert_eq!(format_utc(base + dec("0.100000")).unwrap(), "2026-11-22T09:00:00.1Z");
}

#[test]
fn formatting_never_rounds_finer_than_nanoseconds() {
    assert_eq!(format_utc(dec("0.0000000001")).unwrap(), "1970-01-01T00:00:00.0000000001Z");
    assert_eq!(
        format_utc(Decimal::ONE / Decimal::from(3)).unwrap(),
        "1970-01-01T00:00:00.3333333333333333333333333333Z"
    );
}

#[test]
fn formatting_out_of_range_is_none() {
    assert_eq!(format_utc(Decimal::from(FIRST_SECOND) - dec("0.5")), None);
    assert_eq!(format_utc(Decimal::from(FIRST_SECOND - 1)), None);
    assert_eq!(format_utc(Decimal::from(END_SECOND)), None);
    assert_eq!(format_utc(Decimal::MAX), None);
    assert_eq!(format_utc(Decimal::MIN), None);
}

#[test]
fn invalid_texts_are_none() {
    for text in [
        "",
        "2026-11-22T09:00:00",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-11-22 09:00",
        "2026-11-22T09:00Z",
        "2026-11-22",
        "2026-11-22T24:00:00Z",
        "2026-11-22T09:60:00Z",
        "2026-11-22T09:00:61Z",
        "2026-11-22T09:00:00.Z",
        "2026-11-22T09:00:00+01",
        "2026-11-22T09:00:00+0100",
        "2026-11-22T09:00:00+24:00",
        "2026-11-22T09:00:00+01:60",
        "2026-11-22T09:00:00 Z",
        "2026-11-22T09:00:00Z ",
        " 2026-11-22T09:00:00Z",
        "26-11-22T09:00:00Z",
        "+2026-11-22T09:00:00Z",
        "2026-11-22T9:00:00Z",
        "2026-11-22T09:00:00UTC",
        "2026-11-22é09:00:00Z",
        "not a time",
    ] {
        assert_eq!(parse_rfc3339(text), None, "{text:?}");
    }
}

#[test]
fn stricter_than_time_where_documented() {
    // Separator other than T/t (time accepts any byte).
    assert!(OffsetDateTime::parse("2026-11-22 09:00:00Z", &Rfc3339).is_ok());
    assert_eq!(parse_rfc3339("2026-11-22 09:00:00Z"), None);
    assert_eq!(parse_rfc3339("2026-11-22X09:00:00Z"), None);
    // Leap second (time reads it as 23:59:59.999999999).
    assert!(OffsetDateTime::parse("2016-12-31T23:59:60Z", &Rfc3339).is_ok());
    assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), None);
    // More than nine fractional digits (time drops the rest).
    assert!(OffsetDateTime::parse("2026-11-22T09:00:00.1234567891Z", &Rfc3339).is_ok());
    assert_eq!(parse_rfc3339("2026-11-22T09:00:00.1234567891Z"), None);
    // Local time in range, but UTC outside years 0000..9999.
    assert!(OffsetDateTime::parse("0000-01-01T00:00:00+01:00", &Rfc3339).is_ok());
    assert_eq!(parse_rfc3339("0000-01-01T00:00:00+01:00"), None);
    assert_eq!(parse_rfc3339("9999-12-31T23:30:00-01:00"), None);
    assert_eq!(parse_rfc3339("0000-01-01T00:00:00-01:00"), Some(Decimal::from(FIRST_SECOND + 3600)));
}

#[test]
fn every_day_of_the_range_is_the_date_time_gives() {
    let first_day = FIRST_SECOND / SECONDS_PER_DAY;
    let end_day = END_SECOND / SECONDS_PER_DAY;
    for days in first_day..end_day {
        let date = OffsetDateTime::from_unix_timestamp(days * SECONDS_PER_DAY).unwrap();
        let civil = civil_from_days(days);
        assert_eq!(civil, (i64::from(date.year()), i64::from(u8::from(date.month())), i64::from(date.day())));
        assert_eq!(days_from_civil(civil.0, civil.1, civil.2), days);
        assert!(civil.2 <= days_in_month(civil.0, civil.1));
    }
    assert_eq!(civil_from_days(first_day), (0, 1, 1));
    assert_eq!(civil_from_days(end_day - 1), (9999, 12, 31));
}

#[test]
fn leap_years_are_gregorian() {
    for (year, days) in
        [(0, 29), (4, 29), (100, 28), (400, 29), (1900, 28), (2000, 29), (2024, 29), (2026, 28), (2100, 28), (9996, 29)]
    {
        assert_eq!(days_in_month(year, 2), days, "{year}");
        let text = format!("{year:04}-02-29T00:00:00Z");
        assert_eq!(parse_rfc3339(&text).is_some(), days == 29, "{text}");
    }
}

#[test]
fn edge_texts_are_read_as_time_reads_them() {
    let valid = "2026-11-22T09:00:00.123456789+05:30";
    // Every prefix, and every single-byte change of a valid timestamp.
    let mut texts: Vec<String> = (0..=valid.len()).map(|n| valid[..n].to_string()).collect();
    for at in 0..valid.len() {
        for byte in
            [b'0', b'1', b'2', b'3', b'5', b'6', b'9', b'T', b't', b'Z', b'z', b'+', b'-', b':', b'.', b' ', b'/', b'a']
        {
            let mut bytes = valid.as_bytes().to_vec();
            bytes[at] = byte;
            texts.push(String::from_utf8(bytes).unwrap());
        }
    }
    for text in [
        "0000-02-29T00:00:00Z",
        "0000-01-01T00:00:00+00:01",
        "0000-01-01T00:00:00-23:59",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:59:59.999999999+23:59",
        "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z",
        "2026-11-22T09:00:00+23:59",
        "2026-11-22T09:00:00-23:59",
        "2026-11-22T09:00:00+23:60",
        "2026-11-22T09:00:00+00:99",
        "2026-11-22T09:00:00-24:00",
        "2026-11-22T23:59:59.9Z",
        "2026-11-22T09:00:00.0000000000Z",
        "2026-11-22T09:00:00.000000000Z",
        "2026-11-22T09:00:00..5Z",
        "2026-11-22T09:00:00.5.5Z",
        "2026-11-22T09:00:00.5",
        "2026-11-22T09:00:00Zz",
        "2026-11-22T09:00:00+01:00Z",
        "2026-11-22T09:00:00+1:00",
        "2026-11-22T09:00:00+01:0",
        "2026-11-22T09:00:00+01:000",
        "2026-11-22T09:00:00\u{ff}Z",
        "2026-11-22T09:00:00.５Z",
        "２026-11-22T09:00:00Z",
        "2026-11-31T09:00:00Z",
        "2026-06-31T09:00:00Z",
        "2026-12-32T09:00:00Z",
        "2026-12-00T09:00:00Z",
        "2026-00-00T09:00:00Z",
        "2026-11-22T-9:00:00Z",
        "-026-11-22T09:00:00Z",
    ] {
        texts.push(text.to_string());
    }
    for text in &texts {
        assert_eq!(parse_rfc3339(text), oracle_parse(text), "{text:?}");
    }
}

#[test]
fn formatting_is_what_time_gave() {
    for seconds in [
        "0",
        "-0",
        "-0.0",
        "0.5",
        "-0.5",
        "-1",
        "59.999",
        "86399.000000001",
        "86400",
        "-86400",
        "-86401",
        "951782399.99",
        "951782400",
        "-62167219200",
        "-62167219199.9999999999999999",
        "253402300799.999999999",
        "253402300799.9999999999999999",
        "253402300800",
        "1795338000.010",
    ] {
        let seconds = dec(seconds);
        assert_eq!(format_utc(seconds), oracle_format(seconds), "{seconds}");
    }
}

fn instant() -> impl Strategy<Value = Decimal> {
    (FIRST_SECOND..END_SECOND, 0i128..NANOS_PER_SECOND)
        .prop_map(|(whole, nanos)| Decimal::from_i128_with_scale(i128::from(whole) * NANOS_PER_SECOND + nanos, 9))
}

proptest! {
    #[test]
    fn format_then_parse_round_trips(seconds in instant()) {
        let text = format_utc(seconds).unwrap();
        let read = parse_rfc3339(&text).unwrap();
        prop_assert_eq!(read, seconds);
        prop_assert_eq!(format_utc(read), Some(text));
    }

    #[test]
    fn parse_then_format_round_trips_with_offsets(
        seconds in instant(),
        offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
        lowercase in any::<bool>(),
    ) {
        // Write the instant in a local offset, then read it back.
        let whole = seconds.floor();
        let fraction = format_utc(seconds - whole + Decimal::from(86_400))
            .unwrap()
            .split_once('.')
            .map(|(_, f)| format!(".{}", f.trim_end_matches('Z')))
            .unwrap_or_default();
        let local = i64::try_from(whole).unwrap() + offset_minutes * 60;
        let local_text = format_utc(Decimal::from(local));
        prop_assume!(local_text.is_some());
        let local_text = local_text.unwrap();
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let abs = offset_minutes.abs();
        let mut text = format!(
            "{}{}{}{:02}:{:02}",
            local_text.trim_end_matches('Z'),
            fraction,
            sign,
            abs / 60,
            abs % 60
        );
        if lowercase {
            text = text.replace('T', "t");
        }
        let read = parse_rfc3339(&text).unwrap();
        prop_assert_eq!(read, seconds);
        let utc = format_utc(read).unwrap();
        prop_assert_eq!(parse_rfc3339(&utc), Some(seconds));
    }

    #[test]
    fn parse_is_what_time_gave(text in any::<String>()) {
        prop_assert_eq!(parse_rfc3339(&text), oracle_parse(&text));
    }

    #[test]
    fn parse_is_what_time_gave_on_near_timestamps(
        text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
    ) {
        prop_assert_eq!(parse_rfc3339(&text), oracle_parse(&text));
    }

    #[test]
    fn parse_is_what_time_gave_on_plausible_timestamps(
        year in 0..=9999u32,
        month in 0..=13u32,
        day in 0..=32u32,
        hour in 0..=24u32,
        minute in 0..=60u32,
        second in 0..=61u32,
        fraction in "(\\.[0-9]{1,10})?",
        offset in "[Zz]|[+-](0[0-9]|1[0-9]|2[0-5]):[0-6][0-9]",
    ) {
        let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}");
        prop_assert_eq!(parse_rfc3339(&text), oracle_parse(&text));
    }

    #[test]
    fn format_is_what_time_gave(mantissa in any::<i64>(), scale in 0u32..=28) {
        let seconds = Decimal::new(mantissa, scale);
        prop_assert_eq!(format_utc(seconds), oracle_format(seconds));
    }

    #[test]
    fn format_is_what_time_gave_in_range(seconds in instant(), scale in 0u32..=28, extra in any::<i64>()) {
        // Fractions at every scale, including finer than nanoseconds.
        let finer = seconds + Decimal::new(extra.rem_euclid(1_000_000_000), scale.max(19));
        for value in [seconds, finer] {
            prop_assert_eq!(format_utc(value), oracle_format(value));
        }
    }

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = parse_rfc3339(&text);
    }

    #[test]
    fn parse_never_panics_on_near_timestamps(
        text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
    ) {
        if let Some(seconds) = parse_rfc3339(&text) {
            let utc = format_utc(seconds).unwrap();
            prop_assert_eq!(parse_rfc3339(&utc), Some(seconds));
        }
    }

    #[test]
    fn format_never_panics(mantissa in any::<i64>(), scale in 0u32..=28) {
        let _ = format_utc(Decimal::new(mantissa, scale));
    }
}
