//! Exact decimal arithmetic, each operation compiled once for the whole engine: checked
//! (`None` on overflow, or on a division by zero), never rounding except the 28th digit of a
//! quotient that does not terminate. Keeping one out-of-line copy of each operation, rather
//! than one inlined at every use, keeps the WebAssembly module within its size budget.

use rust_decimal::Decimal;

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
