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
        }
    }
}
