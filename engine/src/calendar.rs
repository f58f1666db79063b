//! Calendar time in a clinic's time zone: which local day an instant falls on.
//!
//! A protocol that counts days and weeks of a course ("twice a week in weeks 1 to 4")
//! needs day boundaries where the clinic is, not in UTC. The zone is declared in the rule
//! file by its IANA name and its current rule as a POSIX TZ string (the footer of every
//! TZif file, RFC 8536 section 3.3), for example `EST5EDT,M3.2.0,M11.1.0`. The rule is all
//! the engine needs: it is exact for every date since the zone's rules last changed, it
//! needs no time-zone database (none ships in the WebAssembly build), and the same rule
//! file gives the same days on every machine.
//!
//! Supported: a standard name and offset (`UTC0`, `<+0530>-5:30`), optionally a daylight
//! name, offset (one hour ahead by default) and the two transition rules, each `Mm.w.d`
//! (month, week 1 to 5 where 5 is the last, weekday 0 = Sunday), with an optional time from
//! -167 to 167 hours (2:00 by default). POSIX also allows a day of the year (`Jn`, `n`); no
//! zone of the tz database writes its rule so, and the engine refuses it.

use crate::input::time::{civil_from_days, days_from_civil};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A time zone's rule: its offsets from UTC and when daylight time applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRule {
    /// Seconds east of UTC in standard time (New York: -18,000).
    standard: i64,
    /// Daylight time, when the zone has it.
    daylight: Option<Daylight>,
}

/// Daylight time: its offset and the two transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Daylight {
    /// Seconds east of UTC in daylight time.
    offset: i64,
    /// When daylight time starts, in standard local time.
    start: Transition,
    /// When it ends, in daylight local time.
    end: Transition,
}

/// A transition: a day of the year and a local time of that day.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    day: TransitionDay,
    /// Seconds after local midnight (may be negative or past a day).
    time: i64,
}

/// The day of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TransitionDay {
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = the last) of month `m`.
    Month { month: i64, week: i64, weekday: i64 },
}

impl ZoneRule {
    /// Reads a POSIX TZ string; `None` when it is not one this module supports.
    pub fn parse(text: &str) -> Option<ZoneRule> {
        let mut r = Reader { bytes: text.as_bytes(), at: 0 };
        r.name()?;
        let standard = -r.offset()?;
        if r.done() {
            return Some(ZoneRule { standard, daylight: None });
        }
        r.name()?;
        let offset = if r.peek() == Some(b',') { standard + 3600 } else { -r.offset()? };
        r.expect(b',')?;
        let start = r.transition()?;
        r.expect(b',')?;
        let end = r.transition()?;
        r.done().then_some(ZoneRule { standard, daylight: Some(Daylight { offset, start, end }) })
    }

    /// The offset from UTC, in seconds, in effect at `instant` (seconds since the epoch).
    pub fn offset_at(&self, instant: i64) -> i64 {
        let Some(d) = &self.daylight else { return self.standard };
        let (year, _, _) = civil_from_days((instant + self.standard).div_euclid(DAY));
        // The transitions of the year around the instant, and of the years next to it,
        // so that a rule crossing a new year is read right.
        let mut daylight = false;
        let mut latest: Option<i64> = None;
        for y in [year - 1, year, year + 1] {
            let start = d.start.instant(y, self.standard);
            let end = d.end.instant(y, d.offset);
            for (at, is_start) in [(start, true), (end, false)] {
                if at <= instant && latest.is_none_or(|l| at >= l) {
                    latest = Some(at);
                    daylight = is_start;
                }
            }
        }
        if daylight {
            d.offset
        } else {
            self.standard
        }
    }

    /// The instant the local day `day` (days since 1970-01-01) starts: its first second
    /// by the clock of the zone (midnight, or the end of a daylight-saving gap at midnight).
    pub fn day_start(&self, day: i64) -> i64 {
        let midnight = day * DAY;
        let guess = midnight - self.offset_at(midnight - self.standard);
        let at = midnight - self.offset_at(guess);
        if self.local_day(at) == day {
            at
        } else {
            guess
        }
    }

    /// The local calendar day of `instant`, as days since 1970-01-01.
    pub fn local_day(&self, instant: i64) -> i64 {
        (instant + self.offset_at(instant)).div_euclid(DAY)
    }
}

impl Transition {
    /// The instant of this transition in `year`, local time being `offset` east of UTC.
    fn instant(&self, year: i64, offset: i64) -> i64 {
        let day = match self.day {
            TransitionDay::Month { month, week, weekday } => {
                let first = days_from_civil(year, month, 1);
                // 1970-01-01 was a Thursday (weekday 4).
                let first_weekday = (first + 4).rem_euclid(7);
                let mut day = first + (weekday - first_weekday).rem_euclid(7) + 7 * (week - 1);
                let next_month =
                    if month == 12 { days_from_civil(year + 1, 1, 1) } else { days_from_civil(year, month + 1, 1) };
                while day >= next_month {
                    day -= 7;
                }
                day
            }
        };
        day * DAY + self.time - offset
    }
}

/// A cursor over a POSIX TZ string.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    /// A zone abbreviation: three or more letters, or `<...>` of letters, digits and signs.
    fn name(&mut self) -> Option<()> {
        let start = self.at;
        if self.expect(b'<').is_some() {
            while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-') {
                self.at += 1;
            }
            let long_enough = self.at - start > 3;
            return self.expect(b'>').filter(|_| long_enough);
        }
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        (self.at - start >= 3).then_some(())
    }

    fn number(&mut self, most_digits: usize) -> Option<i64> {
        let start = self.at;
        while self.at - start < most_digits && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = self.bytes.get(start..self.at)?;
        if digits.is_empty() {
            return None;
        }
        digits.iter().try_fold(0i64, |n, d| n.checked_mul(10)?.checked_add(i64::from(d - b'0')))
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, hours up to `most_hours`.
    fn clock(&mut self, most_hours: i64) -> Option<i64> {
        let sign = match self.peek() {
            Some(b'-') => {
                self.at += 1;
                -1
            }
            Some(b'+') => {
                self.at += 1;
                1
            }
            _ => 1,
        };
        let hours = self.number(3).filter(|h| *h <= most_hours)?;
        let mut seconds = hours * 3600;
        for scale in [60, 1] {
            if self.expect(b':').is_none() {
                break;
            }
            seconds += self.number(2).filter(|n| *n < 60)? * scale;
        }
        Some(sign * seconds)
    }

    /// A POSIX offset (hours west of UTC, as written), in seconds.
    fn offset(&mut self) -> Option<i64> {
        self.clock(24)
    }

    fn transition(&mut self) -> Option<Transition> {
        let day = match self.peek()? {
            b'M' => {
                self.at += 1;
                let month = self.number(2).filter(|m| (1..=12).contains(m))?;
                self.expect(b'.')?;
                let week = self.number(1).filter(|w| (1..=5).contains(w))?;
                self.expect(b'.')?;
                let weekday = self.number(1).filter(|d| (0..=6).contains(d))?;
                TransitionDay::Month { month, week, weekday }
            }
            // `Jn` and `n` (a day of the year) are POSIX too, but no zone's rule uses them.
            _ => return None,
        };
        let time = if self.expect(b'/').is_some() { self.clock(167)? } else { 7200 };
        Some(Transition { day, time })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::time::parse_rfc3339;

    fn at(text: &str) -> i64 {
        let t = parse_rfc3339(text).unwrap();
        i64::try_from(t.trunc().mantissa()).unwrap()
    }

    #[test]
    fn new_york_changes_at_two_in_the_morning() {
        let ny = ZoneRule::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        // 2026: DST from Sunday 8 March 07:00 UTC to Sunday 1 November 06:00 UTC.
        assert_eq!(ny.offset_at(at("2026-03-08T06:59:59Z")), -5 * 3600);
        assert_eq!(ny.offset_at(at("2026-03-08T07:00:00Z")), -4 * 3600);
        assert_eq!(ny.offset_at(at("2026-11-01T05:59:59Z")), -4 * 3600);
        assert_eq!(ny.offset_at(at("2026-11-01T06:00:00Z")), -5 * 3600);
    }

    #[test]
    fn local_day_of_a_late_evening_is_the_day_before_in_utc_terms() {
        let ny = ZoneRule::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        // 03:30 UTC on 2 December is 22:30 on 1 December in New York.
        let utc_day = at("2026-12-02T03:30:00Z").div_euclid(DAY);
        assert_eq!(ny.local_day(at("2026-12-02T03:30:00Z")), utc_day - 1);
        assert_eq!(ny.local_day(at("2026-12-02T05:00:00Z")), utc_day);
    }

    #[test]
    fn southern_hemisphere_daylight_spans_the_new_year() {
        // Sydney: AEDT from the first Sunday of October to the first Sunday of April.
        let syd = ZoneRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(syd.offset_at(at("2026-01-15T00:00:00Z")), 11 * 3600);
        assert_eq!(syd.offset_at(at("2026-07-15T00:00:00Z")), 10 * 3600);
        assert_eq!(syd.offset_at(at("2026-12-31T23:00:00Z")), 11 * 3600);
    }

    #[test]
    fn fixed_and_quoted_zones() {
        let india = ZoneRule::parse("IST-5:30").unwrap();
        assert_eq!(india.offset_at(0), 5 * 3600 + 1800);
        let quoted = ZoneRule::parse("<+0530>-5:30").unwrap();
        assert_eq!(quoted.offset_at(0), 5 * 3600 + 1800);
        assert_eq!(ZoneRule::parse("UTC0").unwrap().offset_at(123), 0);
    }

    #[test]
    fn a_day_of_the_year_is_refused() {
        assert_eq!(ZoneRule::parse("EST5EDT,0/0,J365/25"), None);
        assert_eq!(ZoneRule::parse("EST5EDT,M3.2.0,100"), None);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "EST",
            "ES5",
            "EST5EDT,M3.2.0",
            "EST5EDT,M13.2.0,M11.1.0",
            "EST5EDT,M3.6.0,M11.1.0",
            "EST25",
            "<+05>-5:30x",
        ] {
            assert_eq!(ZoneRule::parse(bad), None, "{bad}");
        }
    }
}
