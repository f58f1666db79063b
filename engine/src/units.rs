//! Units of measure: what the engine knows of physics and calendars (and nothing of
//! ketamine). A [`Unit`] is a product of atoms with exponents (`mg/kg` is mg¹·kg⁻¹); its
//! dimension decides what may be compared or added, and its exact ratio to the base units
//! decides the conversion factor.

use rust_decimal::Decimal;
use std::fmt;

/// Number of base dimensions: mass, length, time, calendar year, pressure, percent,
/// heart beats, breaths, amount of substance (mol), enzyme units (U), international units
/// (IU, which are defined substance by substance, so never converted to U).
const DIMS: usize = 11;

/// Exponents of the base dimensions.
pub type Dimension = [i8; DIMS];

struct AtomDef {
    names: &'static [&'static str],
    display: &'static str,
    dimension: Dimension,
    /// Size in base units (g, m, s, year, mmHg, %), as numerator / denominator.
    factor: (i128, i128),
}

const MASS: Dimension = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const LENGTH: Dimension = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const VOLUME: Dimension = [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const TIME: Dimension = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
const YEAR: Dimension = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
const PRESSURE: Dimension = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
const PERCENT: Dimension = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
const HEART_RATE: Dimension = [0, 0, -1, 0, 0, 0, 1, 0, 0, 0, 0];
const BEATS: Dimension = [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
const BREATHS: Dimension = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
const AMOUNT: Dimension = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
const ENZYME_UNITS: Dimension = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
const INTERNATIONAL_UNITS: Dimension = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
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
    // Laboratory values: decilitres (`mg/dL`), amounts of substance (`mmol/L`), enzyme units
    // (`U/L`) and international units (`mIU/L`).
    AtomDef { names: &["dL", "dl"], display: "dL", dimension: VOLUME, factor: (1, 10_000) },
    AtomDef { names: &["mol"], display: "mol", dimension: AMOUNT, factor: (1, 1) },
    AtomDef { names: &["mmol"], display: "mmol", dimension: AMOUNT, factor: (1, 1000) },
    AtomDef { names: &["umol", "µmol"], display: "umol", dimension: AMOUNT, factor: (1, 1_000_000) },
    AtomDef { names: &["nmol"], display: "nmol", dimension: AMOUNT, factor: (1, 1_000_000_000) },
    AtomDef { names: &["U"], display: "U", dimension: ENZYME_UNITS, factor: (1, 1) },
    AtomDef { names: &["mU"], display: "mU", dimension: ENZYME_UNITS, factor: (1, 1000) },
    AtomDef { names: &["IU"], display: "IU", dimension: INTERNATIONAL_UNITS, factor: (1, 1) },
    AtomDef { names: &["mIU"], display: "mIU", dimension: INTERNATIONAL_UNITS, factor: (1, 1000) },
];

/// A unit: atoms with non-zero exponents, sorted by atom. The empty unit is "no unit".
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Unit {
    atoms: Vec<(usize, i8)>,
}

/// A unit name that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownUnit(pub String);

/// An exact positive factor between units, as a reduced fraction: `1 day` per `1 s` is
/// 86400, `1 s` per `1 day` is 1/86400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    num: i128,
    den: i128,
}

impl Factor {
    /// No conversion.
    pub const ONE: Factor = Factor { num: 1, den: 1 };

    /// `num / den`, reduced; `None` unless both are positive.
    fn new(num: i128, den: i128) -> Option<Factor> {
        if num <= 0 || den <= 0 {
            return None;
        }
        let g = gcd(num, den);
        Some(Factor { num: num / g, den: den / g })
    }

    fn times(self, other: Factor) -> Option<Factor> {
        // Cross-reduce first so that the products stay small.
        let g1 = gcd(self.num, other.den);
        let g2 = gcd(other.num, self.den);
        Factor::new((self.num / g1).checked_mul(other.num / g2)?, (self.den / g2).checked_mul(other.den / g1)?)
    }

    fn pow(self, power: i8) -> Option<Factor> {
        let base = if power < 0 { Factor { num: self.den, den: self.num } } else { self };
        let mut result = Factor::ONE;
        for _ in 0..power.unsigned_abs() {
            result = result.times(base)?;
        }
        Some(result)
    }

    /// Whether this is no conversion at all.
    pub fn is_one(&self) -> bool {
        *self == Factor::ONE
    }

    /// The numerator, as a decimal (`None` when too large for one).
    pub fn numerator(&self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.num, 0).ok()
    }

    /// The denominator, as a decimal (`None` when too large for one).
    pub fn denominator(&self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.den, 0).ok()
    }

    /// The factor as a decimal, when it is one exactly (its denominator has no prime
    /// factor but 2 and 5).
    pub fn exact(&self) -> Option<Decimal> {
        let mut rest = self.den;
        for p in [2, 5] {
            while rest % p == 0 {
                rest /= p;
            }
        }
        if rest != 1 {
            return None;
        }
        self.numerator()?.checked_div(self.denominator()?)
    }
}

/// Whether an atom is the kilogram.
fn is_kg(atom: usize) -> bool {
    ATOMS.get(atom).is_some_and(|a| a.display == "kg")
}

/// Whether atoms are a mass per kilogram (`mg/kg`, `mcg/kg`): a dose per kg of body weight,
/// which stays in its unit rather than becoming a plain number like other ratios of one kind
/// (`mg / g` is a plain number; `mg / kg` is in mg/kg).
fn per_body_mass(atoms: &[(usize, i8)]) -> bool {
    let mass = |a: usize| ATOMS.get(a).is_some_and(|d| d.dimension == MASS);
    matches!(atoms, [(x, 1), (y, -1)] | [(y, -1), (x, 1)] if is_kg(*y) && mass(*x) && !is_kg(*x))
}

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
            unit = unit.combine(&Unit { atoms: vec![(atom, power)] });
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

    /// Whether this is a unit of no dimension that is not plain: a ratio of units of the same
    /// kind, such as `mg/kg` or `h/day`.
    pub fn is_ratio(&self) -> bool {
        !self.is_none() && self.dimension() == NONE
    }

    /// The product of two units as written side by side, atom by atom (`mg/kg` from `mg` and
    /// `/kg`): what a unit name means, with no conversion.
    fn combine(&self, other: &Unit) -> Unit {
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

    /// The unit of a product of a number in `self` by a number in `other`, and the exact
    /// factor by which the product of the two numbers is multiplied to be in that unit.
    ///
    /// Where the two units meet in atoms of one kind with opposite exponents, the right
    /// one is converted into the left one and they cancel: `h/day * min` is in `h` (with a
    /// factor of 1/1440) and `1/day * h` is a plain number (1/24). A unit that one side
    /// brings alone stays as written: `mg/kg * 2` is in `mg/kg`, `mg/kg * kg` in `mg`.
    /// `None` when the factor is too large to hold.
    pub fn times(&self, other: &Unit) -> Option<(Unit, Factor)> {
        self.meet(&other.atoms)
    }

    /// The unit of a quotient of a number in `self` by a number in `other`, and the exact
    /// factor by which the quotient of the two numbers is multiplied to be in that unit.
    /// A ratio of two quantities of the same kind is a plain number: `s` per `day` is no
    /// unit, with a factor of 1/86400; `mg/kg` per `g/kg` is no unit, with 1/1000.
    pub fn per(&self, other: &Unit) -> Option<(Unit, Factor)> {
        let inverse: Vec<(usize, i8)> = other.atoms.iter().map(|&(a, p)| (a, p.saturating_neg())).collect();
        self.meet(&inverse)
    }

    /// `self` times the atoms `right`, converting each right atom that meets a left atom of
    /// the same kind with the opposite sign into that left atom.
    fn meet(&self, right: &[(usize, i8)]) -> Option<(Unit, Factor)> {
        let mut atoms = self.atoms.clone();
        let mut factor = Factor::ONE;
        for &(atom, power) in right {
            if let Some(entry) = atoms.iter_mut().find(|(a, _)| *a == atom) {
                entry.1 = entry.1.saturating_add(power);
                continue;
            }
            let kind = ATOMS.get(atom)?.dimension;
            let meets = |&(a, p): &(usize, i8)| {
                p != 0
                    && (p > 0) != (power > 0)
                    && self.atoms.iter().any(|(l, _)| *l == a)
                    && ATOMS.get(a).is_some_and(|def| def.dimension == kind)
                    && !(is_kg(atom) && power < 0 && p > 0 && !is_kg(a))
            };
            match atoms.iter_mut().find(|entry| meets(entry)) {
                Some(entry) => {
                    // atom = (size of atom / size of entry) entry, raised to `power`.
                    let (n, d) = ATOMS.get(atom)?.factor;
                    let (m, e) = ATOMS.get(entry.0)?.factor;
                    let one = Factor::new(n.checked_mul(e)?, d.checked_mul(m)?)?;
                    factor = factor.times(one.pow(power)?)?;
                    entry.1 = entry.1.saturating_add(power);
                }
                None => atoms.push((atom, power)),
            }
        }
        atoms.retain(|(_, p)| *p != 0);
        atoms.sort_unstable();
        let unit = Unit { atoms };
        // What is left of both sides and measures nothing (`bpm` per `beats/min`, `mg/kg`
        // times `h/day`) is a plain number too; a ratio unit that one side brings alone
        // (`mg/kg * 2`) stays.
        let from_left = unit.atoms.iter().any(|(a, _)| self.atoms.iter().any(|(l, _)| l == a));
        let from_right = unit.atoms.iter().any(|(a, _)| self.atoms.iter().all(|(l, _)| l != a));
        if from_left && from_right && unit.dimension() == NONE && !per_body_mass(&unit.atoms) {
            let (n, d) = unit.factor()?;
            return Some((Unit::none(), factor.times(Factor::new(n, d)?)?));
        }
        Some((unit, factor))
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

    /// Whether one of `self` and `other` is calendar years and the other a duration (days,
    /// hours...): both measure time, but a year is no fixed number of days, so neither
    /// converts to the other.
    pub fn years_against_duration(&self, other: &Unit) -> bool {
        let (a, b) = (self.dimension(), other.dimension());
        (a == YEAR && b == TIME) || (a == TIME && b == YEAR)
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
        Factor::new(a.checked_mul(d)?, b.checked_mul(c)?)?.exact()
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
    /// `mg/kg`, `mg·min`, `1/h`, `m2`; `mg/day`, not `mg/days`; `no unit` for none. Written
    /// piece by piece into the formatter (an explanation writes a unit for every number it
    /// shows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = |atom: usize| ATOMS.get(atom).map_or("?", |a| a.display);
        let power = |f: &mut fmt::Formatter<'_>, p: u8| if p == 1 { Ok(()) } else { write!(f, "{p}") };
        let mut above = self.atoms.iter().filter(|(_, p)| *p > 0).peekable();
        let mut below = self.atoms.iter().filter(|(_, p)| *p < 0).peekable();
        if above.peek().is_none() && below.peek().is_none() {
            return f.write_str("no unit");
        }
        if above.peek().is_none() {
            f.write_str("1")?;
        }
        for (i, &(atom, p)) in above.enumerate() {
            f.write_str(if i == 0 { "" } else { "·" })?;
            f.write_str(base(atom))?;
            power(f, p.unsigned_abs())?;
        }
        for &(atom, p) in below {
            let name = match (base(atom), p.unsigned_abs()) {
                (plural @ ("days" | "weeks" | "years"), 1) => plural.trim_end_matches('s'),
                (name, _) => name,
            };
            f.write_str("/")?;
            f.write_str(name)?;
            power(f, p.unsigned_abs())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit as written, or `""` for none and `1/x` for the inverse of `x`.
    fn u(text: &str) -> Unit {
        match text.strip_prefix("1/") {
            _ if text.is_empty() => Unit::none(),
            Some(inverse) => Unit::none().per(&u(inverse)).unwrap_or_else(|| unreachable!("1/{inverse}")).0,
            None => Unit::parse(text).unwrap_or_else(|e| unreachable!("{e:?}")),
        }
    }

    fn times(a: &str, b: &str) -> (Unit, Factor) {
        u(a).times(&u(b)).unwrap_or_else(|| unreachable!("{a} * {b}"))
    }

    fn per(a: &str, b: &str) -> (Unit, Factor) {
        u(a).per(&u(b)).unwrap_or_else(|| unreachable!("{a} / {b}"))
    }

    fn factor(num: i128, den: i128) -> Factor {
        Factor::new(num, den).unwrap_or_else(|| unreachable!("{num}/{den}"))
    }

    #[test]
    fn rate_times_weight_is_a_mass() {
        let (dose, f) = times("mg/kg", "kg");
        assert_eq!((&dose, f), (&u("mg"), Factor::ONE));
        assert_eq!(dose.to_string(), "mg");
        // a weight in g meets the kg of the rate: 1 mg/kg × 1 g = 0.001 mg
        assert_eq!(times("mg/kg", "g"), (u("mg"), factor(1, 1000)));
        assert_eq!(times("kg", "mg/kg"), (u("mg"), Factor::ONE));
        assert_eq!(u("mg/kg").to_string(), "mg/kg");
        assert_eq!(u("kg/m2").to_string(), "kg/m2");
        assert_eq!(u("mg/day").to_string(), "mg/day");
        assert_eq!(u("days").to_string(), "days");
    }

    #[test]
    fn a_ratio_of_like_quantities_is_a_plain_number() {
        // the issue: a duration in s over a duration in days
        assert_eq!(per("s", "days"), (Unit::none(), factor(1, 86_400)));
        assert_eq!(per("days", "s"), (Unit::none(), factor(86_400, 1)));
        assert_eq!(per("days", "days"), (Unit::none(), Factor::ONE));
        assert_eq!(per("h", "days"), (Unit::none(), factor(1, 24)));
        assert_eq!(per("weeks", "days"), (Unit::none(), factor(7, 1)));
        assert_eq!(per("mg", "mg"), (Unit::none(), Factor::ONE));
        assert_eq!(per("mg", "g"), (Unit::none(), factor(1, 1000)));
        assert_eq!(per("mg/kg", "mg/kg"), (Unit::none(), Factor::ONE));
        assert_eq!(per("mg/kg", "mcg/kg"), (Unit::none(), factor(1000, 1)));
        assert_eq!(per("mg/kg", "g/kg"), (Unit::none(), factor(1, 1000)));
        assert_eq!(per("mL", "L"), (Unit::none(), factor(1, 1000)));
        assert_eq!(per("bpm", "bpm"), (Unit::none(), Factor::ONE));
        assert_eq!(times("1/days", "h"), (Unit::none(), factor(1, 24)));
        assert_eq!(times("min", "1/h"), (Unit::none(), factor(1, 60)));
        // exactly as a decimal, or not
        assert_eq!(factor(1, 24).exact(), None);
        assert_eq!(factor(1, 1000).exact(), Some(Decimal::new(1, 3)));
        assert_eq!(factor(86_400, 1).exact(), Some(Decimal::from(86_400)));
    }

    #[test]
    fn units_that_meet_cancel_and_the_rest_stay() {
        assert_eq!(times("h/day", "min"), (u("h"), factor(1, 1440)));
        assert_eq!(times("h/day", "days"), (u("h"), Factor::ONE));
        assert_eq!(times("mg/day", "h"), (u("mg"), factor(1, 24)));
        assert_eq!(per("mg", "h"), (u("mg/h"), Factor::ONE));
        assert_eq!(per("mg/h", "mg/day"), (Unit::none(), factor(24, 1)));
        // g over (mg/kg) is kg, 1000 of them per g/(mg/kg)
        assert_eq!(per("g", "mg/kg"), (u("kg"), factor(1000, 1)));
        // s over (day/h): the day meets the s, the h stays
        assert_eq!(per("s", "days/h"), (u("h"), factor(1, 86_400)));
        // a ratio unit that one side brings alone is kept as written
        assert_eq!(times("mg/kg", ""), (u("mg/kg"), Factor::ONE));
        assert_eq!(per("h/day", ""), (u("h/day"), Factor::ONE));
        assert_eq!(times("", "mg/kg"), (u("mg/kg"), Factor::ONE));
        // no meeting of different kinds
        assert_eq!(times("mg", "h"), (u("mg").combine(&u("h")), Factor::ONE));
        assert_eq!(per("beats", "min"), (u("beats/min"), Factor::ONE));
        // composite atoms, and ratio units from both sides, that measure nothing together
        assert_eq!(per("bpm", "beats/min"), (Unit::none(), Factor::ONE));
        assert_eq!(per("bpm", "beats/h"), (Unit::none(), factor(60, 1)));
        assert_eq!(times("mg/kg", "h/day"), (Unit::none(), factor(1, 24_000_000)));
        assert_eq!(times("bpm", "min"), (u("bpm").combine(&u("min")), Factor::ONE));
        // a ratio unit left from one side stays, though the other side met it
        assert_eq!(u("mg/kg").combine(&u("s")).per(&u("days")), Some((u("mg/kg"), factor(1, 86_400))));
        assert!(u("mg/kg").is_ratio());
        assert!(u("s/day").is_ratio());
        assert!(!Unit::none().is_ratio());
        assert!(!u("mg").is_ratio());
    }

    #[test]
    fn factors_too_large_are_refused() {
        let mut big = u("mcg");
        for _ in 0..6 {
            big = big.combine(&big);
        }
        // mcg^64 over kg^64: 10^(9·64), far beyond i128
        let mut kg = u("kg");
        for _ in 0..6 {
            kg = kg.combine(&kg);
        }
        assert_eq!(big.per(&kg), None);
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
        assert!(u("years").years_against_duration(&u("days")) && u("h").years_against_duration(&u("years")));
        assert!(!u("years").years_against_duration(&u("years")) && !u("years").years_against_duration(&u("mg")));
        assert!(!u("days").years_against_duration(&u("h")));
        assert!(u("mg/day").same_dimension(&u("g/h")));
    }

    #[test]
    fn laboratory_units_convert_exactly_within_their_kind() {
        let factor = |from: &str, to: &str| u(from).conversion_to(&u(to));
        assert_eq!(factor("mmol/L", "umol/L"), Some(Decimal::from(1000)));
        assert_eq!(factor("µmol/L", "mmol/L"), Some(Decimal::new(1, 3)));
        assert_eq!(factor("nmol/L", "umol/L"), Some(Decimal::new(1, 3)));
        assert_eq!(factor("mg/dL", "mg/L"), Some(Decimal::from(10)));
        assert_eq!(factor("mU/L", "U/L"), Some(Decimal::new(1, 3)));
        assert_eq!(factor("mIU/L", "IU/L"), Some(Decimal::new(1, 3)));
        // International units are defined substance by substance: never enzyme units, and an
        // amount of substance is no mass.
        assert_eq!(factor("IU/L", "U/L"), None);
        assert_eq!(factor("mmol/L", "mg/dL"), None);
        assert_eq!(u("umol/L").to_string(), "umol/L");
    }

    #[test]
    fn unknown_units_are_named() {
        assert_eq!(Unit::parse("mg/furlong"), Err(UnknownUnit("furlong".into())));
        assert_eq!(Unit::parse("mg0"), Err(UnknownUnit("mg0".into())));
        assert_eq!(Unit::parse("kg1"), Err(UnknownUnit("kg1".into())));
    }
}
