//! A set of flags by index: a word for the first 64, one flag each beyond, so that the small
//! sets an evaluation needs (the members of an object read, the rule kinds that fired, the
//! decisions that apply) are not allocated.

/// Flags `0..n`, all clear at first.
#[derive(Debug, Clone)]
pub(crate) enum Flags {
    /// Up to 64 flags, a bit each.
    Few(u64),
    /// More.
    Many(Vec<bool>),
}

impl Flags {
    /// `n` flags, all clear.
    pub(crate) fn new(n: usize) -> Flags {
        if n <= 64 {
            Flags::Few(0)
        } else {
            Flags::Many(vec![false; n])
        }
    }

    /// Sets flag `index`; false when it already was set (or is out of range).
    pub(crate) fn insert(&mut self, index: usize) -> bool {
        match self {
            Flags::Few(bits) => {
                let bit = Self::bit(index);
                let new = bit != 0 && *bits & bit == 0;
                *bits |= bit;
                new
            }
            Flags::Many(flags) => flags.get_mut(index).is_some_and(|f| !std::mem::replace(f, true)),
        }
    }

    /// Whether flag `index` is set.
    pub(crate) fn contains(&self, index: usize) -> bool {
        match self {
            Flags::Few(bits) => *bits & Self::bit(index) != 0,
            Flags::Many(flags) => flags.get(index).copied().unwrap_or(false),
        }
    }

    /// The flags set, in order.
    pub(crate) fn iter(&self) -> Set<'_> {
        Set { flags: self, next: 0 }
    }

    /// The bit of flag `index` in a word; 0 beyond 63.
    fn bit(index: usize) -> u64 {
        1u64.checked_shl(u32::try_from(index).unwrap_or(u32::MAX)).unwrap_or(0)
    }
}

/// The flags set of a [`Flags`], in order ([`Flags::iter`]).
pub(crate) struct Set<'a> {
    flags: &'a Flags,
    /// The first flag not visited yet.
    next: usize,
}

impl Iterator for Set<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let found = match self.flags {
            Flags::Few(bits) => {
                let rest = bits.checked_shr(u32::try_from(self.next).unwrap_or(u32::MAX)).unwrap_or(0);
                (rest != 0).then(|| self.next + rest.trailing_zeros() as usize)
            }
            Flags::Many(flags) => flags.get(self.next..)?.iter().position(|set| *set).map(|i| self.next + i),
        }?;
        self.next = found + 1;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_set_once_and_read_back_few_or_many() {
        for n in [0, 1, 63, 64, 65, 200] {
            let mut flags = Flags::new(n);
            for i in (0..n).step_by(3) {
                assert!(flags.insert(i), "{n} {i}");
                assert!(!flags.insert(i), "{n} {i}");
            }
            for i in 0..n + 2 {
                assert_eq!(flags.contains(i), i < n && i % 3 == 0, "{n} {i}");
            }
            assert!(!flags.insert(n + 70));
            assert_eq!(flags.iter().collect::<Vec<_>>(), (0..n).step_by(3).collect::<Vec<_>>(), "{n}");
        }
    }
}
