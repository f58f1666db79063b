//! The truth of each rule of a decision made: the rules that are true and those that are
//! unknown, as two sets of rule indices, and what each unknown rule is missing. A decision
//! made quickly (nothing missing) of at most 64 rules allocates nothing for them, and its
//! kinds and lists visit only the rules that are true or unknown.

use super::kleene::Missing;
use crate::flags::Flags;

/// The truth of one rule on a document, as read from [`Truths`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Truth<'a> {
    True,
    False,
    /// Unknown, missing these inputs (none named when the rule's kind is quiet or nothing
    /// could decide it).
    Unknown(&'a Missing),
}

/// What an unknown rule that names nothing is missing.
static NOTHING: Missing = Missing(Vec::new());

/// The truth of each rule of a decision, by rule index (every rule not true or unknown is
/// false).
#[derive(Debug, Clone)]
pub(crate) struct Truths {
    true_rules: Flags,
    unknown_rules: Flags,
    /// What each unknown rule that names something is missing, by rule index, in order.
    missing: Vec<(usize, Missing)>,
}

impl Truths {
    /// The truths of `rules` rules, all false.
    pub(crate) fn new(rules: usize) -> Truths {
        Truths { true_rules: Flags::new(rules), unknown_rules: Flags::new(rules), missing: Vec::new() }
    }

    /// Rule `rule` is true.
    pub(crate) fn set_true(&mut self, rule: usize) {
        self.true_rules.insert(rule);
    }

    /// Rule `rule` is unknown, missing `missing`. Rules are set in order.
    pub(crate) fn set_unknown(&mut self, rule: usize, missing: Missing) {
        self.unknown_rules.insert(rule);
        if !missing.0.is_empty() {
            self.missing.push((rule, missing));
        }
    }

    /// The truth of rule `rule`.
    pub(crate) fn get(&self, rule: usize) -> Truth<'_> {
        if self.true_rules.contains(rule) {
            Truth::True
        } else if self.unknown_rules.contains(rule) {
            Truth::Unknown(self.missing_of(rule))
        } else {
            Truth::False
        }
    }

    /// The rules that are true, in order.
    pub(crate) fn true_rules(&self) -> impl Iterator<Item = usize> + '_ {
        self.true_rules.iter()
    }

    /// The rules that are unknown, in order, with what each is missing.
    pub(crate) fn unknown_rules(&self) -> impl Iterator<Item = (usize, &Missing)> + '_ {
        self.unknown_rules.iter().map(|rule| (rule, self.missing_of(rule)))
    }

    /// What unknown rule `rule` is missing.
    fn missing_of(&self, rule: usize) -> &Missing {
        match self.missing.binary_search_by_key(&rule, |(r, _)| *r) {
            Ok(at) => self.missing.get(at).map_or(&NOTHING, |(_, m)| m),
            Err(_) => &NOTHING,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::eval::kleene::MissingRef;
    use crate::ir::FieldId;

    /// Each rule reads back as it was set, whatever the number of rules (a word of flags, or
    /// more), and the iterators visit the true and unknown rules in order.
    #[test]
    fn each_rule_reads_back_as_set() {
        for n in [0, 1, 5, 64, 65, 130] {
            let mut truths = Truths::new(n);
            let missing = |i: usize| Missing(vec![MissingRef::Field(FieldId::new(i).unwrap())]);
            for i in 0..n {
                match i % 4 {
                    0 => truths.set_true(i),
                    1 => truths.set_unknown(i, missing(i)),
                    2 => truths.set_unknown(i, Missing::default()),
                    _ => {}
                }
            }
            for i in 0..n {
                match (i % 4, truths.get(i)) {
                    (0, Truth::True) | (3, Truth::False) => {}
                    (1, Truth::Unknown(m)) => assert_eq!(*m, missing(i)),
                    (2, Truth::Unknown(m)) => assert!(m.0.is_empty()),
                    (_, t) => panic!("{n} rules: rule {i} reads {t:?}"),
                }
            }
            assert_eq!(truths.true_rules().collect::<Vec<_>>(), (0..n).step_by(4).collect::<Vec<_>>());
            let unknown: Vec<usize> = truths.unknown_rules().map(|(i, _)| i).collect();
            assert_eq!(unknown, (0..n).filter(|i| matches!(i % 4, 1 | 2)).collect::<Vec<_>>());
        }
    }
}
