//! Which resources count: times and windows, the status rules of Observations, Conditions,
//! medications and answers, and the most recent (or earliest) value within a window.

use super::resources::{CodeableConcept, Condition, MedicationRequest, MedicationStatement, Observation};
use super::source::Counts;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// A window written `"2 hours"`, `"365 days"`: a whole number and minutes, hours, days or
/// weeks (exact: a day is 24 h). Months and years are refused: their length varies.
pub fn window(text: &str) -> Option<Duration> {
    let (n, unit) = text.trim().split_once(' ')?;
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    match unit.trim() {
        "minute" | "minutes" => Some(Duration::minutes(n)),
        "hour" | "hours" => Some(Duration::hours(n)),
        "day" | "days" => Some(Duration::days(n)),
        "week" | "weeks" => Some(Duration::weeks(n)),
        _ => None,
    }
}

/// A FHIR dateTime with a time and a zone (RFC 3339). A date without a time is not read as
/// a time: which hour it meant is unknown.
pub fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// A FHIR date `YYYY-MM-DD` (a partial date is not read).
pub fn date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Whole years from `birth` to `on`.
pub fn age(birth: Date, on: Date) -> Option<i64> {
    let mut years = i64::from(on.year()) - i64::from(birth.year());
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    (years >= 0).then_some(years)
}

/// A time written in UTC as the engine reads it.
pub fn utc(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(&Rfc3339).unwrap_or_default()
}

/// The date part of a time, for the explanation.
pub fn day(t: OffsetDateTime) -> String {
    let d = t.to_offset(UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// A window as the mapping writes it: `2 hours`, `365 days`.
pub fn window_text(within: Duration) -> String {
    let (n, unit) = if within.whole_days() > 0 && within == Duration::days(within.whole_days()) {
        (within.whole_days(), "day")
    } else if within == Duration::hours(within.whole_hours()) {
        (within.whole_hours(), "hour")
    } else {
        (within.whole_minutes(), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Whether `t` is within `within` before `now` (and not after it).
pub fn in_window(t: OffsetDateTime, now: OffsetDateTime, within: Duration) -> bool {
    t <= now && now - t <= within
}

/// An Observation's time: effectiveDateTime, else the start of effectivePeriod.
pub fn observed_at(o: &Observation) -> Option<OffsetDateTime> {
    let text = o.effective_date_time.as_deref().or(o.effective_period.as_ref().and_then(|p| p.start.as_deref()))?;
    instant(text)
}

/// Whether an Observation's result stands: final, amended or corrected.
pub fn observation_counts(o: &Observation) -> bool {
    matches!(o.status.as_str(), "final" | "amended" | "corrected")
}

fn status_is(concept: Option<&CodeableConcept>, codes: &[&str]) -> bool {
    concept.is_some_and(|c| codes.iter().any(|code| c.has_code(code)))
}

/// Whether a Condition counts, as of `now`.
///
/// Never: refuted or entered in error (verificationStatus), or, for `Current`, a clinical
/// status other than active, recurrence or relapse (an absent clinical status is read as
/// not current, so only `Ever` counts it). With `onset_within`, only when its onset (or,
/// without one, its recorded date) is within the window; with `abated_within`, a Condition
/// that ended (inactive, remission, resolved) within the window counts as current.
pub fn condition_counts(
    c: &Condition,
    counts: Counts,
    onset_within: Option<Duration>,
    abated_within: Option<Duration>,
    now: OffsetDateTime,
) -> bool {
    if status_is(c.verification_status.as_ref(), &["refuted", "entered-in-error"]) {
        return false;
    }
    let current = status_is(c.clinical_status.as_ref(), &["active", "recurrence", "relapse"]);
    let recently_ended = abated_within
        .is_some_and(|w| c.abatement_date_time.as_deref().and_then(instant).is_some_and(|t| in_window(t, now, w)));
    let status_counts = match counts {
        Counts::Ever => true,
        Counts::Current => current || recently_ended,
    };
    let onset_counts = onset_within.is_none_or(|w| {
        let onset = c.onset_date_time.as_deref().or(c.recorded_date.as_deref()).and_then(instant);
        onset.is_some_and(|t| in_window(t, now, w))
    });
    status_counts && onset_counts
}

/// What a medication record says about taking the medication now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taking {
    /// An active statement, or an active order or plan (not a proposal).
    Yes,
    /// Intended, on hold, unknown, a draft or a proposal: not a yes, and not a no either.
    Doubtful,
    /// Completed, stopped, not taken, cancelled or entered in error.
    No,
}

/// What a MedicationStatement says.
pub fn statement_taking(m: &MedicationStatement) -> Taking {
    match m.status.as_str() {
        "active" => Taking::Yes,
        "completed" | "stopped" | "not-taken" | "entered-in-error" => Taking::No,
        _ => Taking::Doubtful,
    }
}

/// What a MedicationRequest says.
pub fn request_taking(m: &MedicationRequest) -> Taking {
    match m.status.as_str() {
        "active" if m.intent != "proposal" => Taking::Yes,
        "completed" | "stopped" | "cancelled" | "entered-in-error" => Taking::No,
        _ => Taking::Doubtful,
    }
}

/// Whether a MedicationRequest is an active order or plan (not a proposal, not a draft).
pub fn request_counts(m: &MedicationRequest) -> bool {
    request_taking(m) == Taking::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_exact_and_months_are_refused() {
        assert_eq!(window("2 hours"), Some(Duration::hours(2)));
        assert_eq!(window("365 days"), Some(Duration::days(365)));
        assert_eq!(window("1 month"), None);
        assert_eq!(window("two hours"), None);
    }

    #[test]
    fn age_counts_whole_years() {
        let on = date("2026-12-01").unwrap();
        assert_eq!(age(date("1990-12-01").unwrap(), on), Some(36));
        assert_eq!(age(date("1990-12-02").unwrap(), on), Some(35));
        assert_eq!(date("1990-12"), None);
    }
}
