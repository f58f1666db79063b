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
mod tests;
