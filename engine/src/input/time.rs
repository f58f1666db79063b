//! Exact timestamps.
//!
//! An instant is held as the exact number of seconds since
//! 1970-01-01T00:00:00Z, as a [`Decimal`]; fractional seconds are allowed.
//! Only instants in the years 0000 to 9999 (UTC) are read or written.
//!
//! Reading uses the `time` crate's RFC 3339 parser and refuses everything it
//! refuses. Because that parser is more lenient, or less exact, than we want
//! in a few places, [`parse_rfc3339`] additionally refuses:
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

use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Seconds from the epoch to 0000-01-01T00:00:00Z, the first instant accepted.
const FIRST_SECOND: i64 = -62_167_219_200;
/// Seconds from the epoch to 10000-01-01T00:00:00Z, the first instant refused after the range.
const END_SECOND: i64 = 253_402_300_800;
/// Nanoseconds in a second.
const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// The most fractional-second digits read (nanoseconds).
const MAX_FRACTION_DIGITS: usize = 9;

/// Reads an RFC 3339 timestamp ("2026-11-22T09:00:00Z", "2026-11-22T10:00:00.250+01:00", lowercase t/z accepted too) as exact seconds since the Unix epoch.
///
/// Returns `None` for anything the `time` crate's RFC 3339 parser refuses
/// (missing offset, impossible dates such as month 13 or February 30, missing
/// seconds, ...) and also for a separator other than `T`/`t`, a leap second
/// (`:60`), more than nine fractional digits, or an instant outside the years
/// 0000 to 9999 in UTC. The result is normalized (no trailing zeros), so
/// `...00.250Z` gives the same `Decimal` representation as `...00.25Z`.
pub fn parse_rfc3339(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    // RFC 3339 fixes the layout "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)", and the
    // `time` parser checks it; these checks only narrow what it accepts.
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
    let nanos = i128::from(whole).checked_mul(NANOS_PER_SECOND)?.checked_add(i128::from(instant.nanosecond()))?;
    Decimal::try_from_i128_with_scale(nanos, 9).ok().map(|seconds| seconds.normalize())
}

/// Writes seconds since the epoch as RFC 3339 in UTC: "2026-11-22T09:00:00Z"; fractional seconds only when non-zero, without trailing zeros ("2026-11-22T09:00:00.25Z"). None when out of the range years 0000..9999.
///
/// The fraction is written exactly, never rounded: a value finer than
/// nanoseconds is written with all its digits (which [`parse_rfc3339`], limited
/// to nanoseconds, will not read back).
pub fn format_utc(seconds: Decimal) -> Option<String> {
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
        // 0 < fraction < 1 with no trailing zeros: its digits are the mantissa,
        // left-padded with zeros to the scale.
        let width = usize::try_from(fraction.scale()).ok()?;
        out.push('.');
        out.push_str(&format!("{:0width$}", fraction.mantissa()));
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
