//! UCUM units: which UCUM code writes a protocol's unit, and exact conversion between the
//! few UCUM codes a clinic's EHR sends for the mapped inputs.

use rust_decimal::Decimal;

/// The UCUM system URI.
pub const UCUM: &str = "http://unitsofmeasure.org";

/// The protocol's unit (as a rule file writes it) that a UCUM code stands for; `None` for a
/// UCUM code of a number without a unit (`{score}`, `1`).
const SAME: &[(&str, Option<&str>)] = &[
    ("mm[Hg]", Some("mmHg")),
    ("/min", Some("bpm")),
    ("{beats}/min", Some("bpm")),
    ("%", Some("%")),
    ("kg", Some("kg")),
    ("kg/m2", Some("kg/m2")),
    ("h", Some("h")),
    ("min", Some("min")),
    ("d", Some("days")),
    ("a", Some("years")),
    ("mg/d", Some("mg/day")),
    ("{score}", None),
    ("1", None),
];

/// Conversions `(from, to, factor)`: a value in `from` times `factor` is in `to`.
/// 1 [lb_av] = 0.45359237 kg exactly (UCUM's definition of the avoirdupois pound).
const FACTORS: &[(&str, &str, Decimal)] = &[
    ("[lb_av]", "kg", Decimal::from_parts(45_359_237, 0, 0, false, 8)),
    ("g", "kg", Decimal::from_parts(1, 0, 0, false, 3)),
    ("/min", "{beats}/min", Decimal::ONE),
    ("{beats}/min", "/min", Decimal::ONE),
    ("{score}", "1", Decimal::ONE),
    ("1", "{score}", Decimal::ONE),
];

/// Whether `ucum` (a mapping's target unit) writes the protocol's `unit`.
pub fn writes(ucum: &str, unit: Option<&str>) -> bool {
    SAME.iter().any(|(code, same)| *code == ucum && *same == unit)
}

/// Whether `ucum` is a unit this module knows.
pub fn known(ucum: &str) -> bool {
    SAME.iter().any(|(code, _)| *code == ucum)
}

/// The UCUM code that writes the protocol's `unit`, for hints.
pub fn for_unit(unit: Option<&str>) -> Option<&'static str> {
    SAME.iter().find(|(_, same)| *same == unit).map(|(code, _)| *code)
}

/// A UCUM code as people read it on a card: the protocol's unit when one writes it
/// (`mm[Hg]` is mmHg, `/min` bpm), nothing for a plain number (`{score}`, `1`), `lb` for
/// `[lb_av]`; otherwise the code itself.
pub fn shown(ucum: &str) -> &str {
    match SAME.iter().find(|(code, _)| *code == ucum) {
        Some((_, Some(unit))) => unit,
        Some((_, None)) => "",
        None if ucum == "[lb_av]" => "lb",
        None => ucum,
    }
}

/// A number and its UCUM unit as people read them: `152 mmHg`, `1` for a score.
pub fn with_unit(value: impl std::fmt::Display, ucum: &str) -> String {
    match shown(ucum) {
        "" => value.to_string(),
        unit => format!("{value} {unit}"),
    }
}

/// `value` in UCUM unit `from` converted to `to`, exactly; `None` when not convertible.
/// The minutes-to-hours row is handled by division, so the exactness holds there too.
pub fn convert(value: Decimal, from: &str, to: &str) -> Option<Decimal> {
    if from == to {
        return Some(value);
    }
    if from == "min" && to == "h" {
        return value.checked_div(Decimal::from(60));
    }
    FACTORS.iter().find(|(f, t, _)| *f == from && *t == to).and_then(|(_, _, factor)| value.checked_mul(*factor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn pounds_become_kilograms_exactly() {
        let kg = convert(Decimal::from_str("154.35").unwrap(), "[lb_av]", "kg").unwrap();
        assert_eq!(kg.to_string(), "70.0119823095");
    }

    #[test]
    fn centimetres_are_not_kilograms() {
        assert_eq!(convert(Decimal::ONE, "cm", "kg"), None);
        assert!(writes("mm[Hg]", Some("mmHg")) && !writes("mm[Hg]", Some("kg")));
        assert!(writes("{score}", None));
    }
}
