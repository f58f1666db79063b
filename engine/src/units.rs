//! Units of measure: what the engine knows of physics and calendars (and nothing of
//! ketamine). A [`Unit`] is a product of atoms with exponents (`mg/kg` is mg¹·kg⁻¹); its
//! dimension decides what may be compared or added, and its exact ratio to the base units
//! decides the conversion factor.

use rust_decimal::Decimal;
use std::fmt;

/// Number of base dimensions: mass, length, time, calendar year, pressure, percent,
/// heart beats, breaths.
const DIMS: usize = 8;

/// Exponents of the base dimensions.
pub type Dimension = [i8; DIMS];

struct AtomDef {
    names: &'static [&'static str],
    display: &'static str,
    dimension: Dimension,
    /// Size in base units (g, m, s, year, mmHg, %), as numerator / denominator.
    factor: (i128, i128),
}

const MASS: Dimension = [1, 0, 0, 0, 0, 0, 0, 0];
const LENGTH: Dimension = [0, 1, 0, 0, 0, 0, 0, 0];
const VOLUME: Dimension = [0, 3, 0, 0, 0, 0, 0, 0];
const TIME: Dimension = [0, 0, 1, 0, 0, 0, 0, 0];
const YEAR: Dimension = [0, 0, 0, 1, 0, 0, 0, 0];
const PRESSURE: Dimension = [0, 0, 0, 0, 1, 0, 0, 0];
const PERCENT: Dimension = [0, 0, 0, 0, 0, 1, 0, 0];
const HEART_RATE: Dimension = [0, 0, -1, 0, 0, 0, 1, 0];
const BEATS: Dimension = [0, 0, 0, 0, 0, 0, 1, 0];
const BREATHS: Dimension = [0, 0, 0, 0, 0, 0, 0, 1];
const NONE: Dimension = [0; DIMS];

const ATOMS: &[AtomDef] = &[
    AtomDef { names: &["mcg", "µg", "ug"], display: "mcg", dimension: MASS, factor: (1, 1_000_000) },
    AtomDef { names: &["mg"], display: "mg", dimension: MASS, factor: (1, 1000) },
    AtomDef { names: &["g"], display: "g", dimension: MASS, factor: (1, 1) },
    AtomDef { names: &["kg"], display: "kg", dimension: MASS, factor: (1000, 1) },
    AtomDef { names: &["mm"], display: "mm", dimension: LENGTH, factor: (1, 1000) },
    AtomDef { names: &["cm"], display: "cm", dimension: LENGTH, factor: (1, 100) },
    AtomDef { names: &["m"], display: "m", dimension: LENGTH, factor: (1, 1) },
    AtomDef { names: &["mL", "ml"], display: "mL", dimension: VOLUME, factor: (1, 1_000_000) },
    AtomDef { names: &["L", "l"], display: "L", dimension: VOLUME, factor: (1, 1000) },
    AtomDef { names: &["s", "sec", "second", "seconds"], display: "s", dimension: TIME, factor: (1, 1) },
    AtomDef { names: &["min", "minute", "minutes"], display: "min", dimension: TIME, factor: (60, 1) },
    AtomDef { names: &["h", "hour", "hours"], display: "h", dimension: TIME, factor: (3600, 1) },
    AtomDef { names: &["day", "days"], display: "days", dimension: TIME, factor: (86_400, 1) },
    AtomDef { names: &["week", "weeks"], display: "weeks", dimension: TIME, factor: (604_800, 1) },
    AtomDef { names: &["year", "years"], display: "years", dimension: YEAR, factor: (1, 1) },
    AtomDef { names: &["mmHg"], display: "mmHg", dimension: PRESSURE, factor: (1, 1) },
    AtomDef { names: &["%"], display: "%", dimension: PERCENT, factor: (1, 1) },
    AtomDef { names: &["bpm"], display: "bpm", dimension: HEART_RATE, factor: (1, 60) },
    AtomDef { names: &["beats"], display: "beats", dimension: BEATS, factor: (1, 1) },
    AtomDef { names: &["breaths"], display: "breaths", dimension: BREATHS, factor: (1, 1) },
];

/// A unit: atoms with non-zero exponents, sorted by atom. The empty unit is "no unit".
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Unit {
    atoms: Vec<(usize, i8)>,
}

/// A unit name that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownUnit(pub String);

impl Unit {
    /// No unit: a pure number or score.
    pub fn none() -> Unit {
        Unit::default()
    }

    /// Reads a unit as written in a rule file: `mg`, `mg/kg`, `kg/m2`, `%`.
    pub fn parse(text: &str) -> Result<Unit, UnknownUnit> {
        let mut unit = Unit::none();
        for (i, part) in text.split('/').enumerate() {
            let (name, power) = match part.char_indices().last() {
                Some((at, c)) if c.is_ascii_digit() && at > 0 => {
                    let power = i8::try_from(c.to_digit(10).unwrap_or(0)).unwrap_or(0);
                    if power < 2 {
                        return Err(UnknownUnit(part.to_string()));
                    }
                    (part.get(..at).unwrap_or(part), power)
                }
                _ => (part, 1),
            };
            let atom =
                ATOMS.iter().position(|a| a.names.contains(&name)).ok_or_else(|| UnknownUnit(part.to_string()))?;
            let power = if i == 0 { power } else { -power };
            unit = unit.times(&Unit { atoms: vec![(atom, power)] });
        }
        Ok(unit)
    }

    /// All unit names the engine knows, for hints.
    pub fn known_names() -> impl Iterator<Item = &'static str> {
        ATOMS.iter().flat_map(|a| a.names.iter().copied())
    }

    /// Whether this is no unit at all.
    pub fn is_none(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The product of two units.
    pub fn times(&self, other: &Unit) -> Unit {
        let mut atoms = self.atoms.clone();
        for &(atom, power) in &other.atoms {
            match atoms.iter_mut().find(|(a, _)| *a == atom) {
                Some(entry) => entry.1 = entry.1.saturating_add(power),
                None => atoms.push((atom, power)),
            }
        }
        atoms.retain(|(_, p)| *p != 0);
        atoms.sort_unstable();
        Unit { atoms }
    }

    /// The quotient of two units.
    pub fn per(&self, other: &Unit) -> Unit {
        let inverse = Unit { atoms: other.atoms.iter().map(|&(a, p)| (a, p.saturating_neg())).collect() };
        self.times(&inverse)
    }

    /// The exponents of the base dimensions.
    pub fn dimension(&self) -> Dimension {
        let mut dim = NONE;
        for &(atom, power) in &self.atoms {
            if let Some(def) = ATOMS.get(atom) {
                for (d, base) in dim.iter_mut().zip(def.dimension) {
                    *d = d.saturating_add(base.saturating_mul(power));
                }
            }
        }
        dim
    }

    /// Size of the unit in base units, as a reduced fraction.
    fn factor(&self) -> Option<(i128, i128)> {
        let mut num: i128 = 1;
        let mut den: i128 = 1;
        for &(atom, power) in &self.atoms {
            let def = ATOMS.get(atom)?;
            let (n, d) = if power > 0 { def.factor } else { (def.factor.1, def.factor.0) };
            for _ in 0..power.unsigned_abs() {
                num = num.checked_mul(n)?;
                den = den.checked_mul(d)?;
                let g = gcd(num, den);
                num /= g;
                den /= g;
            }
        }
        Some((num, den))
    }

    /// Whether quantities in `self` and `other` measure the same thing.
    pub fn same_dimension(&self, other: &Unit) -> bool {
        self.dimension() == other.dimension()
    }

    /// The exact factor that turns a value in `self` into a value in `to`, when the units
    /// have the same dimension and the factor is a terminating decimal.
    pub fn conversion_to(&self, to: &Unit) -> Option<Decimal> {
        if !self.same_dimension(to) {
            return None;
        }
        let (a, b) = self.factor()?;
        let (c, d) = to.factor()?;
        // (a/b) / (c/d) = (a·d) / (b·c)
        let mut num = a.checked_mul(d)?;
        let mut den = b.checked_mul(c)?;
        let g = gcd(num, den);
        num /= g;
        den /= g;
        let mut rest = den;
        for p in [2, 5] {
            while rest % p == 0 {
                rest /= p;
            }
        }
        if rest != 1 {
            return None;
        }
        let num = Decimal::try_from_i128_with_scale(num, 0).ok()?;
        let den = Decimal::try_from_i128_with_scale(den, 0).ok()?;
        num.checked_div(den)
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    if a == 0 {
        1
    } else {
        a
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |atom: usize, power: i8| {
            let base = ATOMS.get(atom).map_or("?", |a| a.display);
            match power.unsigned_abs() {
                1 => base.to_string(),
                p => format!("{base}{p}"),
            }
        };
        let num: Vec<String> = self.atoms.iter().filter(|(_, p)| *p > 0).map(|&(a, p)| name(a, p)).collect();
        // "mg/day", not "mg/days".
        let singular = |atom: usize, power: i8| {
            let n = name(atom, power);
            match n.as_str() {
                "days" | "weeks" | "years" => n.trim_end_matches('s').to_string(),
                _ => n,
            }
        };
        let den: Vec<String> = self.atoms.iter().filter(|(_, p)| *p < 0).map(|&(a, p)| singular(a, p)).collect();
        if num.is_empty() && den.is_empty() {
            return f.write_str("no unit");
        }
        let mut text = if num.is_empty() { "1".to_string() } else { num.join("·") };
        for d in den {
            text.push('/');
            text.push_str(&d);
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(text: &str) -> Unit {
        Unit::parse(text).unwrap_or_else(|e| unreachable!("{e:?}"))
    }

    #[test]
    fn rate_times_weight_is_a_mass() {
        let dose = u("mg/kg").times(&u("kg"));
        assert_eq!(dose, u("mg"));
        assert_eq!(dose.to_string(), "mg");
        assert_eq!(u("mg/kg").to_string(), "mg/kg");
        assert_eq!(u("kg/m2").to_string(), "kg/m2");
        assert_eq!(u("mg/day").to_string(), "mg/day");
        assert_eq!(u("days").to_string(), "days");
    }

    #[test]
    fn conversions_are_exact_or_refused() {
        assert_eq!(u("g").conversion_to(&u("mg")), Some(Decimal::from(1000)));
        assert_eq!(u("mg").conversion_to(&u("g")), Some(Decimal::new(1, 3)));
        assert_eq!(u("days").conversion_to(&u("h")), Some(Decimal::from(24)));
        // an hour is 1/24 day: not a terminating decimal
        assert_eq!(u("h").conversion_to(&u("days")), None);
        assert_eq!(u("mg").conversion_to(&u("mmHg")), None);
        assert_eq!(u("bpm").conversion_to(&u("beats/min")), Some(Decimal::ONE));
        assert_eq!(u("bpm").conversion_to(&u("breaths/min")), None);
    }

    #[test]
    fn dimensions_decide_compatibility() {
        assert!(u("mg").same_dimension(&u("kg")));
        assert!(!u("mg").same_dimension(&u("mg/kg")));
        assert!(!u("years").same_dimension(&u("days")));
        assert!(u("mg/day").same_dimension(&u("g/h")));
    }

    #[test]
    fn unknown_units_are_named() {
        assert_eq!(Unit::parse("mg/furlong"), Err(UnknownUnit("furlong".into())));
        assert_eq!(Unit::parse("mg0"), Err(UnknownUnit("mg0".into())));
        assert_eq!(Unit::parse("kg1"), Err(UnknownUnit("kg1".into())));
    }
}
