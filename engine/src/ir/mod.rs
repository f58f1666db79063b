//! The compiled program, the one representation the stages share: the checker builds it,
//! the static analyses and the evaluator read it, and `input`, `describe` and `output` read
//! its declarations. Inputs are resolved to slots, units to exact scale factors, definitions
//! are inlined and constants folded, so evaluating a document never looks a name up.
//!
//! One module a domain: [`schema`] the declared inputs, [`expr`] compiled expressions and
//! their values, [`decision`] decisions with their rules, verdicts and outputs, [`ladder`]
//! dose ladders; `id` their typed ids. `ops` says what each operator does to known values,
//! and `fold` computes constants with it: the evaluator and the checker share both.

pub mod decision;
pub mod expr;
pub(crate) mod fold;
mod id;
pub mod ladder;
pub(crate) mod ops;
pub mod schema;
pub(crate) mod share;

pub(crate) use id::{position, with_ids};
pub use id::{DecisionId, FieldId, FieldSlot, GroupId, LadderId, ListId, ListSlot, SourceId};

use decision::Decision;
use expr::Value;
use ladder::Ladder;
use schema::Schema;

/// A citable source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The key rules cite.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Where to read it.
    pub url: Option<String>,
}

/// The protocol header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// draft, testing, production or retired.
    pub status: String,
    /// Who signs it off.
    pub owner: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// The clinic's time zone, where days and weeks are counted.
    pub timezone: Option<TimeZone>,
}

/// A time zone declared by a protocol: its IANA name and its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// The IANA name (`America/New_York`).
    pub name: String,
    /// Its current rule.
    pub rule: crate::calendar::ZoneRule,
}

/// A compiled protocol, ready to evaluate documents.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The header.
    pub header: Header,
    /// Sources, in declaration order.
    pub sources: Vec<Source>,
    /// The inputs.
    pub schema: Schema,
    /// Decisions, in declaration order.
    pub decisions: Vec<Decision>,
    /// Dose ladders, in declaration order.
    pub ladders: Vec<Ladder>,
    /// Texts used as values (`"escalate"`), by index.
    pub texts: Vec<String>,
    /// Lists of constants used as values (`[20, 40]`), by index.
    pub lists: Vec<Vec<Value>>,
    /// The subexpressions the quick evaluator computes once per document, by number: what
    /// each [`expr::Expr::Shared`] holds ([`share`]). The checker gives the bodies of the
    /// definitions without parameters; [`share::share`] keeps those worth sharing.
    pub shared: Vec<expr::Expr>,
}

impl Program {
    /// A decision.
    pub fn decision(&self, id: DecisionId) -> Option<&Decision> {
        self.decisions.get(id.index())
    }

    /// A dose ladder.
    pub fn ladder(&self, id: LadderId) -> Option<&Ladder> {
        self.ladders.get(id.index())
    }

    /// A source.
    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.index())
    }
}
