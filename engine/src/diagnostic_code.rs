//! The codes of diagnostics: one variant each, with what it means. A code is stable and
//! written in kebab-case (`unknown-name`) in `kap check`'s output and in JSON, so that tools
//! can act on it.

use serde::{Serialize, Serializer};

/// What a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// A function or definition called with the wrong number or kind of arguments.
    Arguments,
    /// Arithmetic the language refuses (a constant division by zero, an overflow found while checking).
    Arithmetic,
    /// A constant that cannot be held exactly, or a constant condition.
    Constant,
    /// A definition, or an alert read by `raised`, that uses itself.
    Cycle,
    /// A dose that some admissible patient could be given above a route's hard limit (the static dose proof, with a counterexample).
    DoseLimit,
    /// Doses that do not rise with the level.
    DoseOrder,
    /// A dose or rounding step that is not a positive amount.
    DoseStep,
    /// A route's doses that the static proof cannot bound.
    DoseUnproved,
    /// A level that no admissible patient is ever allowed.
    DoseUnreachable,
    /// A name, id, entry or member declared twice.
    Duplicate,
    /// Missing data could fall through to a verdict that is not `indeterminate` (a decision that fails open).
    FailOpen,
    /// A rule file larger than kap reads.
    FileTooLarge,
    /// A structural flag of an input (`required`, `ordered`, `not after`) that does not apply.
    Flag,
    /// The protocol header: a missing or unknown field.
    Header,
    /// An entry not indented under its item, or an item indented.
    Indentation,
    /// A position in a list (`[3]`) that cannot be read.
    Index,
    /// A dose ladder that is incomplete (no levels, route, cap or dosing weight).
    Ladder,
    /// A field of a list read without an item.
    ListField,
    /// An alert that says nothing to do (a warning), or an empty action (an error).
    NoAction,
    /// A rule file without any decision.
    NoDecision,
    /// A rule that cites no source (a warning).
    NoSource,
    /// A number that cannot be read.
    Number,
    /// A range or bound that is empty or out of order.
    Range,
    /// A schedule whose phases do not follow each other from week 1, or leave the end unsaid.
    Schedule,
    /// Text that does not parse.
    Syntax,
    /// A test file's document that cannot be read, or a `set` or `remove` that cannot be made to it.
    TestDocument,
    /// One evaluation could cost more than the bound on the largest document the inputs allow.
    TooCostly,
    /// Nesting deeper than kap reads.
    TooDeep,
    /// An expression larger than kap compiles.
    TooLarge,
    /// More items than kap allows (choices, verdicts, levels).
    TooMany,
    /// A value of the wrong type for where it is used.
    Type,
    /// Quantities of different dimensions compared or combined, or a bare number where a unit is needed.
    UnitMismatch,
    /// A choice that the input or ladder does not declare.
    UnknownChoice,
    /// A rule kind that no list or `kinds` entry declares.
    UnknownKind,
    /// A list that is not declared.
    UnknownList,
    /// A name that is not declared (input, definition, decision, alert or function).
    UnknownName,
    /// An alert severity outside info, warning and critical.
    UnknownSeverity,
    /// A cited source that is not declared.
    UnknownSource,
    /// A verdict tone outside the set the form knows.
    UnknownTone,
    /// A unit kap does not know.
    UnknownUnit,
    /// A definition or input that no rule reads (a warning).
    Unused,
    /// A rule kind that no verdict reads.
    UnusedKind,
    /// Verdicts out of order (one after `otherwise`, or none that always holds).
    Verdict,
}

impl Code {
    /// Every code, in the order of their names.
    pub const ALL: &'static [Code] = &[
        Code::Arguments,
        Code::Arithmetic,
        Code::Constant,
        Code::Cycle,
        Code::DoseLimit,
        Code::DoseOrder,
        Code::DoseStep,
        Code::DoseUnproved,
        Code::DoseUnreachable,
        Code::Duplicate,
        Code::FailOpen,
        Code::FileTooLarge,
        Code::Flag,
        Code::Header,
        Code::Indentation,
        Code::Index,
        Code::Ladder,
        Code::ListField,
        Code::NoAction,
        Code::NoDecision,
        Code::NoSource,
        Code::Number,
        Code::Range,
        Code::Schedule,
        Code::Syntax,
        Code::TestDocument,
        Code::TooCostly,
        Code::TooDeep,
        Code::TooLarge,
        Code::TooMany,
        Code::Type,
        Code::UnitMismatch,
        Code::UnknownChoice,
        Code::UnknownKind,
        Code::UnknownList,
        Code::UnknownName,
        Code::UnknownSeverity,
        Code::UnknownSource,
        Code::UnknownTone,
        Code::UnknownUnit,
        Code::Unused,
        Code::UnusedKind,
        Code::Verdict,
    ];

    /// The code as written (`unknown-name`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Arguments => "arguments",
            Code::Arithmetic => "arithmetic",
            Code::Constant => "constant",
            Code::Cycle => "cycle",
            Code::DoseLimit => "dose-limit",
            Code::DoseOrder => "dose-order",
            Code::DoseStep => "dose-step",
            Code::DoseUnproved => "dose-unproved",
            Code::DoseUnreachable => "dose-unreachable",
            Code::Duplicate => "duplicate",
            Code::FailOpen => "fail-open",
            Code::FileTooLarge => "file-too-large",
            Code::Flag => "flag",
            Code::Header => "header",
            Code::Indentation => "indentation",
            Code::Index => "index",
            Code::Ladder => "ladder",
            Code::ListField => "list-field",
            Code::NoAction => "no-action",
            Code::NoDecision => "no-decision",
            Code::NoSource => "no-source",
            Code::Number => "number",
            Code::Range => "range",
            Code::Schedule => "schedule",
            Code::Syntax => "syntax",
            Code::TestDocument => "test-document",
            Code::TooCostly => "too-costly",
            Code::TooDeep => "too-deep",
            Code::TooLarge => "too-large",
            Code::TooMany => "too-many",
            Code::Type => "type",
            Code::UnitMismatch => "unit-mismatch",
            Code::UnknownChoice => "unknown-choice",
            Code::UnknownKind => "unknown-kind",
            Code::UnknownList => "unknown-list",
            Code::UnknownName => "unknown-name",
            Code::UnknownSeverity => "unknown-severity",
            Code::UnknownSource => "unknown-source",
            Code::UnknownTone => "unknown-tone",
            Code::UnknownUnit => "unknown-unit",
            Code::Unused => "unused",
            Code::UnusedKind => "unused-kind",
            Code::Verdict => "verdict",
        }
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Codes order by their names, as written.
impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_listed_once_in_order_of_their_names() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
