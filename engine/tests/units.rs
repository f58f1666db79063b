//! Units in arithmetic: a product or quotient whose units meet converts them exactly, and a
//! ratio of two quantities of the same kind is a plain number (`11 days / 7 days` is 11/7,
//! not 135771.43 s/day); comparisons and additions still convert between compatible units.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::describe::ValueShape;
use kap_engine::{Protocol, Severity};
use rust_decimal::Decimal;
use serde_json::Value;

const HEAD: &str = r#"
protocol "Units" version "1" status draft
input at: timestamp required with course "Now"
input course.sessions: list in 1..6 required "Sessions"
input course.sessions[].at: timestamp required ordered not after at "At"
input a.dose: decimal mg in 0..1000 "Dose"
input a.prev: decimal mg in 0..1000 "Previous dose"
input a.prev_g: decimal g in 0..1 "Previous dose, in g"
input a.weight: decimal kg in 20..300 "Weight"
input a.weight_g: decimal g in 20000..300000 "Weight, in g"
input a.rate: decimal mg/kg in 0..10 "Rate"
input a.rate_mcg: decimal mcg/kg in 0..10000 "Rate, in mcg/kg"
input a.daily: decimal mg/day in 0..1000 "Daily dose"
input a.hours: decimal h in 0..1000 "Hours"
input a.sleep: decimal h/day in 0..24 "Sleep"

define since_first = at - course.sessions[0].at
"#;

fn source(values: &str) -> String {
    format!("{HEAD}\ndecision d\n  given a or course\n{values}")
}

fn compile(values: &str) -> Protocol {
    Protocol::compile(&source(values)).unwrap_or_else(|d| panic!("{d:#?}"))
}

/// 11 days after the first session, and the `a` group.
const DOC: &str = r#"{
  "at": "2026-11-12T00:00:00Z",
  "course": {"sessions": [{"at": "2026-11-01T00:00:00Z"}]},
  "a": {"dose": 52.5, "prev": 35, "prev_g": 0.035, "weight": 70, "weight_g": 70000, "rate": 0.75,
        "rate_mcg": 750, "daily": 48, "hours": 60, "sleep": 7}
}"#;

/// The output values of `d` for a document.
fn values(p: &Protocol, doc: &str) -> Value {
    let out = p.evaluate_json(doc).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&out).unwrap()["decisions"]["d"].clone()
}

/// A number output exactly as the engine wrote it.
fn number(v: &Value) -> Decimal {
    assert!(v.is_number(), "not a plain number: {v}");
    v.to_string().parse().unwrap()
}

fn shape(p: &Protocol, name: &str) -> ValueShape {
    p.value_shape("d", name).unwrap().clone()
}

fn errors(values: &str) -> Vec<kap_engine::Diagnostic> {
    Protocol::check(&source(values)).into_iter().filter(|d| d.severity == Severity::Error).collect()
}

#[test]
fn a_duration_over_a_duration_is_a_plain_number() {
    let p = compile(
        "  value weeks = since_first / 7 days\n  value past_one = since_first / 7 days > 1\n  value past_two = since_first / 7 days >= 2\n  value days = since_first / 1 day\n",
    );
    assert_eq!(shape(&p, "weeks"), ValueShape::Number(None));
    let v = values(&p, DOC);
    // 11 days / 7 days = 11/7, to the 28th digit: one rounding, the division's own
    assert_eq!(number(&v["weeks"]), Decimal::from(11) / Decimal::from(7));
    assert_eq!(v["weeks"].to_string(), "1.5714285714285714285714285714");
    assert_eq!(v["past_one"], Value::Bool(true));
    assert_eq!(v["past_two"], Value::Bool(false));
    assert_eq!(number(&v["days"]), Decimal::from(11));
}

#[test]
fn a_constant_ratio_is_folded_to_a_plain_number() {
    let p = compile("  value c = 11 days / 7 days\n  value w = 3 weeks / 1 day\n  value h = 90 min / 1 h\n");
    assert_eq!(shape(&p, "c"), ValueShape::Number(None));
    let v = values(&p, DOC);
    assert_eq!(number(&v["c"]), Decimal::from(11) / Decimal::from(7));
    assert_eq!(number(&v["w"]), Decimal::from(21));
    assert_eq!(number(&v["h"]), Decimal::new(15, 1));
}

#[test]
fn hours_and_days_convert_in_both_directions() {
    let p = compile(
        "  value hours_since = since_first / 1 h\n  value days_of_hours = a.hours / 1 day\n  value over_two_days = a.hours > 2 days\n  value hours_per_day = a.hours / since_first\n",
    );
    let v = values(&p, DOC);
    assert_eq!(number(&v["hours_since"]), Decimal::from(264));
    assert_eq!(number(&v["days_of_hours"]), Decimal::new(25, 1));
    assert_eq!(v["over_two_days"], Value::Bool(true));
    // 60 h over 11 days (264 h)
    assert_eq!(number(&v["hours_per_day"]), Decimal::from(60) / Decimal::from(264));
    // 48 h is not more than 2 days
    let v = values(&p, &DOC.replace(r#""hours": 60"#, r#""hours": 48"#));
    assert_eq!(v["over_two_days"], Value::Bool(false));
}

#[test]
fn a_dose_over_a_dose_is_a_plain_number() {
    let p = compile(
        "  value ratio = a.dose / a.prev\n  value ratio_g = a.dose / a.prev_g\n  value rates = a.rate / a.rate_mcg\n  value up_by_half = a.dose / a.prev >= 1.5\n",
    );
    for name in ["ratio", "ratio_g", "rates"] {
        assert_eq!(shape(&p, name), ValueShape::Number(None), "{name}");
    }
    let v = values(&p, DOC);
    assert_eq!(number(&v["ratio"]), Decimal::new(15, 1));
    assert_eq!(number(&v["ratio_g"]), Decimal::new(15, 1));
    assert_eq!(number(&v["rates"]), Decimal::ONE);
    assert_eq!(v["up_by_half"], Value::Bool(true));
}

#[test]
fn a_dose_per_body_weight_is_in_mg_per_kg() {
    let p = compile("  value per_kg = a.dose / a.weight\n  value per_kg_g = a.dose / a.weight_g\n");
    assert_eq!(shape(&p, "per_kg"), ValueShape::Number(Some("mg/kg".into())));
    let v = values(&p, DOC);
    // 52.5 mg over 70 kg
    assert_eq!(number(&v["per_kg"]["value"]), Decimal::new(75, 2));
    // over grams of weight: a plain ratio of masses
    assert_eq!(shape(&p, "per_kg_g"), ValueShape::Number(None));
}

#[test]
fn a_rate_times_a_weight_is_a_dose() {
    let p = compile(
        "  value kg = a.rate * a.weight\n  value g = a.rate * a.weight_g\n  value twice = a.rate * 2\n  value under = a.dose <= 1 mg/kg * a.weight_g\n",
    );
    assert_eq!(shape(&p, "kg"), ValueShape::Number(Some("mg".into())));
    assert_eq!(shape(&p, "g"), ValueShape::Number(Some("mg".into())));
    assert_eq!(shape(&p, "twice"), ValueShape::Number(Some("mg/kg".into())));
    let v = values(&p, DOC);
    assert_eq!(number(&v["kg"]["value"]), Decimal::new(525, 1));
    assert_eq!(number(&v["g"]["value"]), Decimal::new(525, 1));
    assert_eq!(number(&v["twice"]["value"]), Decimal::new(15, 1));
    assert_eq!(v["under"], Value::Bool(true));
}

#[test]
fn a_rate_per_day_over_hours_is_exact_to_the_division() {
    let p = compile(
        "  value amount = a.daily * 1 h\n  value sleep_week = a.sleep * 7 days\n  value sleep_share = a.sleep / 8 h/day\n",
    );
    assert_eq!(shape(&p, "amount"), ValueShape::Number(Some("mg".into())));
    assert_eq!(shape(&p, "sleep_week"), ValueShape::Number(Some("h".into())));
    assert_eq!(shape(&p, "sleep_share"), ValueShape::Number(None));
    let v = values(&p, DOC);
    assert_eq!(number(&v["amount"]["value"]), Decimal::from(2));
    assert_eq!(number(&v["sleep_week"]["value"]), Decimal::from(49));
    assert_eq!(number(&v["sleep_share"]), Decimal::new(875, 3));
    // 1 mg/day for 1 h is 1/24 mg
    let v = values(&p, &DOC.replace(r#""daily": 48"#, r#""daily": 1"#));
    assert_eq!(number(&v["amount"]["value"]), Decimal::ONE / Decimal::from(24));
}

#[test]
fn a_ratio_against_a_ratio_unit_is_refused_without_suggesting_the_unit() {
    let errs = errors("  value r = since_first / 7 days > 2 s/day\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].code, "unit-mismatch");
    let hint = errs[0].hint.clone().unwrap_or_default();
    assert!(!hint.contains("give the number its unit"), "{hint}");
    assert!(hint.contains("plain number"), "{hint}");
    // a mass per kg of body weight stays a dose per kg: compared with mg/kg, not a number
    assert!(errors("  value r = a.dose / a.weight > 1 mg/kg\n").is_empty());
    assert!(errors("  value r = a.dose > 1 mg/kg * a.weight\n").is_empty());
    assert_eq!(errors("  value r = a.dose / a.weight > 1\n").len(), 1);
}

#[test]
fn no_diagnostic_names_a_unit_that_is_a_plain_number() {
    // the hint of the issue: "give the number its unit: `2 s/day`"
    for values in [
        "  value r = since_first / 7 days > 2\n",
        "  value r = a.dose / a.prev_g < 2\n",
        "  value r = a.hours / 1 day + 1 = 3.5\n",
        "  value r = min(a.hours / 1 day, 3) > 1\n",
    ] {
        let all = Protocol::check(&source(values));
        assert!(all.iter().all(|d| d.severity != Severity::Error), "{values}: {all:#?}");
        for d in &all {
            let text = format!("{} {}", d.message, d.hint.clone().unwrap_or_default());
            assert!(!text.contains("s/day") && !text.contains("h/day") && !text.contains("mg/g"), "{text}");
        }
    }
}

#[test]
fn a_bare_number_against_a_quantity_still_needs_its_unit() {
    let errs = errors("  value r = a.hours > 2\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].hint.as_deref(), Some("give the number its unit: `2 h`"));
    let errs = errors("  value r = a.sleep > 6\n");
    assert_eq!(errs[0].hint.as_deref(), Some("give the number its unit: `6 h/day`"));
}

#[test]
fn a_ratio_by_a_zero_duration_is_an_error_not_a_panic() {
    let p = compile("  value r = 7 days / since_first\n");
    let same = DOC.replace("2026-11-01T00:00:00Z", "2026-11-12T00:00:00Z");
    assert!(p.evaluate_json(&same).is_err());
}

#[test]
fn units_too_far_apart_are_an_error_not_a_panic() {
    // (1 mcg / 1 kg)^4 = 1e-36: a fraction, but no decimal holds its denominator
    let errs = errors("  value r = 1 mcg4 / 1 kg4\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("too far apart"), "{errs:#?}");
    // (1 mcg / 1 kg)^9 = 1e-81: not even a fraction of 128-bit integers
    let errs = errors("  value r = 1 mcg9 / 1 kg9\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].message, "mcg9 and kg9 are too far apart to convert exactly");
}

#[test]
fn years_against_a_duration_say_why_they_do_not_convert() {
    // Both measure time, but a calendar year is no fixed number of days: the hint says so,
    // where two units of different kinds are told that they measure different things.
    let errs = errors("  value old = since_first > 2 years\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].message, "unit mismatch: `since_first` is s, `2 years` is years");
    assert!(errs[0].hint.as_deref().is_some_and(|h| h.starts_with("a year is no fixed number of days")), "{errs:#?}");
    let errs = errors("  value heavy = a.dose > 2 h\n");
    assert_eq!(errs[0].hint.as_deref(), Some("these measure different things; check the input and the unit"));
    // A misspelt year is suggested as the year, not as the nearest name of another unit.
    let errs = errors("  value old = since_first > 2 yrs\n");
    assert!(errs[0].hint.as_deref().is_some_and(|h| h.contains("`years`")), "{errs:#?}");
}

#[test]
fn laboratory_values_carry_their_units() {
    // A lithium level in mmol/L against a limit in umol/L, a TSH in mIU/L, a creatinine in
    // mg/dL: converted exactly where they are of one kind, refused where they are not.
    let source = "protocol \"Labs\" version \"1\" status draft\nsource S \"s\"\n\
                  input labs.lithium: decimal mmol/L in 0..5 \"Lithium\"\n\
                  input labs.tsh: decimal mIU/L in 0..100 \"TSH\"\n\
                  input labs.creatinine: decimal mg/dL in 0..20 \"Creatinine\"\n\
                  decision labs\n  given labs\n  list flags of flag advisory\n\
                  \x20 flag lithium_high \"Lithium high\" when labs.lithium > 1200 umol/L [S]\n\
                  \x20 flag tsh_high \"TSH high\" when labs.tsh > 4.5 mIU/L [S]\n\
                  \x20 flag creatinine_high \"Creatinine high\" when labs.creatinine > 15 mg/L [S]\n";
    let p = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
    let out = p.evaluate_json(r#"{"labs": {"lithium": 1.3, "tsh": 2.1, "creatinine": 1.6}}"#).unwrap();
    let flags = out.decisions["labs"].list("flags").unwrap().to_vec();
    assert_eq!(flags, vec!["creatinine_high".to_string(), "lithium_high".to_string()]);
    let refused = Protocol::check(&source.replace("> 4.5 mIU/L", "> 4.5 mU/L"));
    assert!(
        refused.iter().any(|d| d.message == "unit mismatch: `labs.tsh` is mIU/L, `4.5 mU/L` is mU/L"),
        "{refused:#?}"
    );
}
