//! Exact timestamps.
//!
//! An instant is held as the exact number of seconds since
//! 1970-01-01T00:00:00Z, as a [`Decimal`]; fractional seconds are allowed.
//! Only instants in the years 0000 to 9999 (UTC) are read or written.
//!
//! Reading accepts exactly the RFC 3339 timestamps ("date-time" of section
//! 5.6) that the `time` crate's RFC 3339 parser accepts (it was used here
//! before, and is kept as the oracle of this module's tests), except that
//! [`parse_rfc3339`] additionally refuses:
//!
//! * a date/time separator other than `T` or `t` (`time` accepts any single
//!   byte, e.g. a space);
//! * a leap second (`:60`): `time` would silently read it as
//!   `23:59:59.999999999`, which is not the instant written, and an instant
//!   that cannot be held exactly is refused rather than approximated;
//! * more than nine fractional digits: `time` would silently drop the digits
//!   past nanoseconds;
//! * an instant whose UTC form falls outside the years 0000 to 9999 (e.g.
//!   `0000-01-01T00:00:00+01:00`), so every instant read can be written back
//!   by [`format_utc`].
//!
//! The calendar is the proleptic Gregorian one (year 0000 is a leap year);
//! dates are converted with Howard Hinnant's `days_from_civil` and
//! `civil_from_days` algorithms, in plain integer arithmetic (no dependency,
//! no float, no formatting machinery: this module is part of the WebAssembly
//! build, whose size is budgeted).

use rust_decimal::Decimal;

/// Seconds from the epoch to 0000-01-01T00:00:00Z, the first instant accepted.
const FIRST_SECOND: i64 = -62_167_219_200;
/// Seconds from the epoch to 10000-01-01T00:00:00Z, the first instant refused after the range.
const END_SECOND: i64 = 253_402_300_800;
/// Nanoseconds in a second.
const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// The most fractional-second digits read (nanoseconds).
const MAX_FRACTION_DIGITS: usize = 9;
/// Seconds in a day.
const SECONDS_PER_DAY: i64 = 86_400;
/// Days in a 400-year Gregorian era.
const DAYS_PER_ERA: i64 = 146_097;
/// Days from 0000-03-01 to 1970-01-01.
const EPOCH_FROM_MARCH_0000: i64 = 719_468;

/// Reads an RFC 3339 timestamp ("2026-11-22T09:00:00Z", "2026-11-22T10:00:00.250+01:00", lowercase t/z accepted too) as exact seconds since the Unix epoch.
///
/// The layout is exactly `YYYY-MM-DD(T|t)HH:MM:SS[.F](Z|z|+HH:MM|-HH:MM)`,
/// with one to nine fractional digits `F`; returns `None` for anything else:
/// missing offset, impossible dates such as month 13 or February 30, missing
/// seconds, hour 24, minute or second 60 and over (a leap second `:60` is
/// refused), an offset of 24 hours or more or with 60 minutes or more, more
/// than nine fractional digits, a separator other than `T`/`t`, or an instant
/// outside the years 0000 to 9999 in UTC. The result is normalized (no
/// trailing zeros), so `...00.250Z` gives the same `Decimal` representation
/// as `...00.25Z`.
pub fn parse_rfc3339(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let year = digits(bytes, 0, 4)?;
    literal(bytes, 4, b'-')?;
    let month = digits(bytes, 5, 2)?;
    literal(bytes, 7, b'-')?;
    let day = digits(bytes, 8, 2)?;
    if !matches!(bytes.get(10), Some(b'T' | b't')) {
        return None;
    }
    let hour = digits(bytes, 11, 2)?;
    literal(bytes, 13, b':')?;
    let minute = digits(bytes, 14, 2)?;
    literal(bytes, 16, b':')?;
    let second = digits(bytes, 17, 2)?;
    let mut pos = 19;
    let mut nanos = 0;
    if bytes.get(pos) == Some(&b'.') {
        let count = bytes.get(pos + 1..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=MAX_FRACTION_DIGITS).contains(&count) {
            return None;
        }
        nanos = digits(bytes, pos + 1, count)? * 10_i64.pow(u32::try_from(MAX_FRACTION_DIGITS - count).ok()?);
        pos += 1 + count;
    }
    let offset = match bytes.get(pos) {
        Some(b'Z' | b'z') => {
            pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let hours = digits(bytes, pos + 1, 2)?;
            literal(bytes, pos + 3, b':')?;
            let minutes = digits(bytes, pos + 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            pos += 6;
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    if pos != bytes.len()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let whole = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
    if !(FIRST_SECOND..END_SECOND).contains(&whole) {
        return None;
    }
    let nanos = i128::from(whole).checked_mul(NANOS_PER_SECOND)?.checked_add(i128::from(nanos))?;
    Decimal::try_from_i128_with_scale(nanos, 9).ok().map(|seconds| seconds.normalize())
}

/// The number written with exactly `count` ASCII digits at `start` (at most 18 digits); `None` if any is missing or not a digit.
fn digits(bytes: &[u8], start: usize, count: usize) -> Option<i64> {
    let field = bytes.get(start..start.checked_add(count)?)?;
    if field.len() > 18 {
        return None;
    }
    field.iter().try_fold(0_i64, |value, &b| b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0')))
}

/// `Some` if `bytes[at]` is `expected`.
fn literal(bytes: &[u8], at: usize, expected: u8) -> Option<()> {
    (bytes.get(at) == Some(&expected)).then_some(())
}

/// Days in `month` (1..=12) of `year`, proleptic Gregorian.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (proleptic Gregorian; `month` 1..=12, `day` valid in it).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years start on March 1st, so that the leap day is the last day of a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - EPOCH_FROM_MARCH_0000
}

/// The date (year, month 1..=12, day 1..=31) `days` after 1970-01-01, proleptic Gregorian.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + EPOCH_FROM_MARCH_0000;
    let era = days.div_euclid(DAYS_PER_ERA);
    let day_of_era = days - era * DAYS_PER_ERA;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `value` with at least `width` digits, zero-padded on the left.
fn push_padded(out: &mut String, value: u128, width: u32) {
    let mut divisor = 10_u128.pow(width.saturating_sub(1));
    while value / divisor >= 10 {
        divisor *= 10;
    }
    while divisor > 0 {
        out.push(char::from(b'0' + u8::try_from(value / divisor % 10).unwrap_or_default()));
        divisor /= 10;
    }
}

/// Appends the field `value` (in 0..=9999) of a date or time, zero-padded to `width` digits.
fn push_field(out: &mut String, value: i64, width: u32) {
    push_padded(out, u128::try_from(value).unwrap_or_default(), width);
}

/// Writes seconds since the epoch as RFC 3339 in UTC: "2026-11-22T09:00:00Z"; fractional seconds only when non-zero, without trailing zeros ("2026-11-22T09:00:00.25Z"). None when out of the range years 0000..9999.
///
/// The fraction is written exactly, never rounded: a value finer than
/// nanoseconds is written with all its digits (which [`parse_rfc3339`], limited
/// to nanoseconds, will not read back).
pub fn format_utc(seconds: Decimal) -> Option<String> {
    // seconds = mantissa / 10^scale exactly (scale <= 28, |mantissa| < 2^96).
    let scale = seconds.scale();
    let unit = 10_i128.checked_pow(scale)?;
    let mantissa = seconds.mantissa();
    // Rounded towards minus infinity: the fraction counts forwards from the whole second.
    let whole = i64::try_from(mantissa.div_euclid(unit)).ok()?;
    if !(FIRST_SECOND..END_SECOND).contains(&whole) {
        return None;
    }
    let (year, month, day) = civil_from_days(whole.div_euclid(SECONDS_PER_DAY));
    let second_of_day = whole.rem_euclid(SECONDS_PER_DAY);
    let mut out = String::with_capacity(32);
    push_field(&mut out, year, 4);
    out.push('-');
    push_field(&mut out, month, 2);
    out.push('-');
    push_field(&mut out, day, 2);
    out.push('T');
    push_field(&mut out, second_of_day / 3600, 2);
    out.push(':');
    push_field(&mut out, second_of_day / 60 % 60, 2);
    out.push(':');
    push_field(&mut out, second_of_day % 60, 2);
    // The fraction is numerator / 10^scale, 0 <= numerator < 10^scale: its digits are the
    // numerator's, left-padded with zeros to `scale` digits, without the trailing zeros.
    let mut numerator = u128::try_from(mantissa.rem_euclid(unit)).ok()?;
    if numerator != 0 {
        let mut digits = scale;
        while numerator % 10 == 0 {
            numerator /= 10;
            digits = digits.saturating_sub(1);
        }
        out.push('.');
        push_padded(&mut out, numerator, digits);
    }
    out.push('Z');
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
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
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59.999999999Z"),
            Some(Decimal::from(END_SECOND) - dec("0.000000001"))
        );
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
        assert_eq!(
            format_utc(parse_rfc3339("2026-11-22T10:00:00.250+01:00").unwrap()).unwrap(),
            "2026-11-22T09:00:00.25Z"
        );
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
        assert_eq!(
            format_utc(Decimal::from(END_SECOND) - dec("0.000000001")).unwrap(),
            "9999-12-31T23:59:59.999999999Z"
        );
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
        for (year, days) in [
            (0, 29),
            (4, 29),
            (100, 28),
            (400, 29),
            (1900, 28),
            (2000, 29),
            (2024, 29),
            (2026, 28),
            (2100, 28),
            (9996, 29),
        ] {
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
            for byte in [
                b'0', b'1', b'2', b'3', b'5', b'6', b'9', b'T', b't', b'Z', b'z', b'+', b'-', b':', b'.', b' ', b'/',
                b'a',
            ] {
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
}
