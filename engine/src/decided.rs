//! Evaluating many documents: a document validated once for a protocol ([`Input`]), and the
//! decisions made on it without their explanation ([`Decided`]): verdicts, lists and missing
//! inputs read straight from what the evaluation recorded, the JSON contract built only when
//! asked ([`Decided::to_evaluation`]).
//!
//! ```
//! let protocol = kap_engine::Protocol::compile(include_str!("../../rules/kap-reference.kap"))
//!     .map_err(|d| format!("{d:?}"))?;
//! let input = protocol.read(include_str!("../../tests/corpus/examples/02-ineligible.json"))
//!     .map_err(|e| e.to_string())?;
//! let decided = input.decide().map_err(|e| e.to_string())?;
//! assert_eq!(decided.verdict("eligibility"), Some("ineligible"));
//! assert_eq!(decided.list("eligibility", "exclusions"), Some(vec!["hypertension", "recent_mania"]));
//! // The same decisions as the explained evaluation, byte for byte.
//! let full = input.evaluate().map_err(|e| e.to_string())?;
//! assert_eq!(decided.to_evaluation().decisions, full.decisions);
//! # Ok::<(), String>(())
//! ```

use crate::decision::Evaluation;
use crate::eval::decide::{self, Made, MadeAll};
use crate::input::Document;
use crate::ir::decision::{Decision, Output};
use crate::output::{explain, outcome};
use crate::protocol::{Error, Protocol};

/// A document validated against the inputs of one protocol, ready to be evaluated: made by
/// [`Protocol::read`] (from JSON text) or [`Protocol::input`] (from a parsed document), and
/// evaluated only by that protocol (it borrows it). Validating is most of the work of an
/// evaluation; a document evaluated more than once is validated once.
#[derive(Debug, Clone)]
pub struct Input<'p> {
    pub(crate) protocol: &'p Protocol,
    pub(crate) doc: Document,
}

impl<'p> Input<'p> {
    /// Makes every decision that applies, without the explanation: the verdicts, lists,
    /// values and missing inputs are those of [`Input::evaluate`].
    pub fn decide(&self) -> Result<Decided<'p>, Error> {
        let program = self.protocol.program();
        let (made, _) = decide::make_all::<decide::NoRecord, { decide::UNEXPLAINED }>(program, &self.doc, None, true)
            .map_err(|e| self.protocol.located(e))?;
        Ok(Decided { protocol: self.protocol, made })
    }

    /// Makes every decision that applies, explained: the JSON contract.
    pub fn evaluate(&self) -> Result<Evaluation, Error> {
        self.protocol.evaluate_document(&self.doc)
    }
}

/// The decisions made on one document, without their explanation: what a batch reads.
/// Each accessor reads what the evaluation recorded; [`Decided::to_evaluation`] builds the
/// output of [`Protocol::decide`] from it.
#[derive(Debug)]
pub struct Decided<'p> {
    protocol: &'p Protocol,
    made: MadeAll,
}

impl<'p> Decided<'p> {
    /// The decision named `name` and what it made, when it was made on this document.
    fn made(&self, name: &str) -> Option<(&'p Decision, &Made)> {
        let decisions = &self.protocol.program().decisions;
        self.made.iter().find_map(|(i, made)| decisions.get(*i).filter(|d| d.name == name).map(|d| (d, made)))
    }

    /// The names of the decisions made, in the protocol's order (a decision `within`
    /// another included).
    pub fn decisions(&self) -> impl Iterator<Item = &'p str> + '_ {
        let decisions = &self.protocol.program().decisions;
        self.made.iter().filter_map(|(i, _)| decisions.get(*i).map(|d| d.name.as_str()))
    }

    /// The verdict of decision `name`; `None` when it was not made, or has no verdicts.
    pub fn verdict(&self, name: &str) -> Option<&'p str> {
        let (decision, made) = self.made(name)?;
        decision.tiers.get(made.verdict?).map(|t| t.verdict.as_str())
    }

    /// The rule ids of the list `list` of decision `name` (a list of a rule kind, or of the
    /// reasons of its verdict), sorted as the output writes them; `None` when the decision
    /// was not made or has no such list.
    pub fn list(&self, name: &str, list: &str) -> Option<Vec<&'p str>> {
        let (decision, made) = self.made(name)?;
        let tier = made.verdict.and_then(|v| decision.tiers.get(v));
        // The rule kinds listed: one, or those of the verdict's tier.
        let kinds = decision.outputs.iter().find_map(|o| match o {
            Output::Kind(k) if decision.kinds.get(*k).is_some_and(|kind| kind.list == list) => {
                Some(std::slice::from_ref(k))
            }
            Output::Reasons(n) if n == list => Some(tier.map_or(&[][..], |t| t.any.as_slice())),
            _ => None,
        })?;
        Some(outcome::rule_ids(decision, made, &|kind| kinds.contains(&kind)))
    }

    /// The missing inputs of decision `name`, as paths; `None` when it was not made.
    pub fn missing(&self, name: &str) -> Option<Vec<String>> {
        let (_, made) = self.made(name)?;
        Some(explain::paths(self.protocol.program(), &made.missing))
    }

    /// Whether every decision made is complete: none names a missing input.
    pub fn is_complete(&self) -> bool {
        self.made.iter().all(|(_, made)| made.missing.0.is_empty())
    }

    /// The output of [`Protocol::decide`]: the JSON contract, its explanation empty.
    pub fn to_evaluation(&self) -> Evaluation {
        let program = self.protocol.program();
        decide::assemble(program, &self.made, self.protocol.reference(), Vec::new())
    }
}
