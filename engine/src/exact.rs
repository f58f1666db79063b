//! Exact decimal arithmetic, each operation compiled once for the whole engine: checked
//! (`None` on overflow, or on a division by zero), never rounding except the 28th digit of a
//! quotient that does not terminate. Keeping one out-of-line copy of each operation, rather
//! than one inlined at every use, keeps the WebAssembly module within its size budget.

use rust_decimal::Decimal;

/// Compares two exact decimals: as whole numbers when they are written with the same number
/// of decimals (the usual case: an input and the limit it is compared with), which is what
/// the general comparison of any two decimals gives, without aligning their scales.
#[inline]
pub(crate) fn compare(a: &Decimal, b: &Decimal) -> std::cmp::Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

/// The greatest whole number not above `x` (`Decimal::floor`, which subtracts with an
/// operator that panics on overflow: never for a number with a fraction, but the panicking
/// arithmetic then stays in the WebAssembly module). `None` cannot happen in practice.
pub(crate) fn floor(x: Decimal) -> Option<Decimal> {
    let whole = x.trunc();
    if x.is_sign_negative() && whole != x {
        whole.sub_exact(Decimal::ONE)
    } else {
        Some(whole)
    }
}

/// The least whole number not below `x` (see [`floor`]).
pub(crate) fn ceil(x: Decimal) -> Option<Decimal> {
    let whole = x.trunc();
    if x.is_sign_positive() && whole != x {
        whole.add_exact(Decimal::ONE)
    } else {
        Some(whole)
    }
}

/// `x` rounded down to a multiple of `step` (a route's `round ... down to`); `x` itself when
/// the step is zero. `None` on overflow.
pub(crate) fn round_down(x: Decimal, step: Decimal) -> Option<Decimal> {
    if step.is_zero() {
        return Some(x);
    }
    x.div_exact(step).and_then(floor).and_then(|v| v.mul_exact(step))
}

/// Whether `x` is a whole number.
pub(crate) fn is_whole(x: &Decimal) -> bool {
    x.trunc() == *x
}

/// Checked operations on exact decimals.
pub(crate) trait Exact: Sized {
    /// `self + other`.
    fn add_exact(self, other: Self) -> Option<Self>;
    /// `self - other`.
    fn sub_exact(self, other: Self) -> Option<Self>;
    /// `self * other`.
    fn mul_exact(self, other: Self) -> Option<Self>;
    /// `self / other`.
    fn div_exact(self, other: Self) -> Option<Self>;
}

impl Exact for Decimal {
    #[inline(never)]
    fn add_exact(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(other)
    }

    #[inline(never)]
    fn sub_exact(self, other: Decimal) -> Option<Decimal> {
        self.checked_sub(other)
    }

    #[inline(never)]
    fn mul_exact(self, other: Decimal) -> Option<Decimal> {
        self.checked_mul(other)
    }

    #[inline(never)]
    fn div_exact(self, other: Decimal) -> Option<Decimal> {
        self.checked_div(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The quick comparison gives what the general one gives, on decimals of the same and
    /// of different scales, signs and zeros included.
    #[test]
    fn compare_agrees_with_the_general_comparison() {
        let texts = [
            "0",
            "-0",
            "0.0",
            "-0.00",
            "1",
            "-1",
            "1.0",
            "1.00",
            "0.1",
            "-0.1",
            "68.5",
            "68.50",
            "90",
            "89.99",
            "180",
            "-180.5",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
            "7.9228162514264337593543950335",
            "-7.9228162514264337593543950335",
        ];
        let values: Vec<Decimal> = texts.iter().filter_map(|t| Decimal::from_str(t).ok()).collect();
        assert_eq!(values.len(), texts.len());
        for a in &values {
            for b in &values {
                assert_eq!(compare(a, b), a.cmp(b), "{a} vs {b}");
            }
            // Floor, ceiling and wholeness as the decimal library gives them, value and scale.
            let same = |ours: Option<Decimal>, theirs: Decimal| {
                ours.is_some_and(|o| o == theirs && o.scale() == theirs.scale() && o.to_string() == theirs.to_string())
            };
            assert!(same(floor(*a), a.floor()), "floor {a}");
            assert!(same(ceil(*a), a.ceil()), "ceil {a}");
            assert_eq!(is_whole(a), a.fract().is_zero(), "whole {a}");
        }
    }

    proptest::proptest! {
        /// On any decimal: floor, ceiling and wholeness as the decimal library gives them.
        #[test]
        fn floor_ceil_and_whole_are_the_libraries(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let a = Decimal::from_i128_with_scale(m % 79_228_162_514_264_337_593_543_950_336, scale);
            proptest::prop_assert_eq!(floor(a).map(|d| (d, d.to_string())), Some((a.floor(), a.floor().to_string())));
            proptest::prop_assert_eq!(ceil(a).map(|d| (d, d.to_string())), Some((a.ceil(), a.ceil().to_string())));
            proptest::prop_assert_eq!(is_whole(&a), a.fract().is_zero());
        }
    }
}
