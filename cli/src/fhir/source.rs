//! The checked mapping: each declared input the mapping writes and where its value comes
//! from (an Observation, a Condition, a medication, an answer, the birth date), the past
//! dosing sessions and the route. [`super::mapping`] makes it; [`super::document`] and
//! [`super::prefetch`] read it.

use rust_decimal::Decimal;

/// A code, or a code prefix (`F31*`), in a code system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatch {
    /// The system URI.
    pub system: String,
    /// The code, without the `*`.
    pub code: String,
    /// Whether every code starting with `code` matches.
    pub prefix: bool,
}

impl CodeMatch {
    /// Whether `system|code` matches.
    pub fn matches(&self, system: &str, code: &str) -> bool {
        system == self.system && if self.prefix { code.starts_with(&self.code) } else { code == self.code }
    }

    /// `system|code` as FHIR search writes a token.
    pub fn token(&self) -> String {
        format!("{}|{}", self.system, self.code)
    }
}

/// The value kind of a declared input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// true or false.
    Boolean,
    /// A whole number.
    Integer,
    /// An exact decimal.
    Decimal,
    /// One of the declared choices.
    Choice,
    /// An RFC 3339 time.
    Timestamp,
    /// A list of items.
    List,
}

/// A declared input the mapping writes: its path, kind, unit, range and choices.
#[derive(Debug, Clone)]
pub struct Target {
    /// Dotted path (`list[].field` for a list item's field).
    pub path: String,
    /// Its kind.
    pub kind: Kind,
    /// Its unit as the protocol writes it.
    pub unit: Option<String>,
    /// Smallest admissible value.
    pub min: Option<Decimal>,
    /// Largest admissible value.
    pub max: Option<Decimal>,
    /// Its choices.
    pub choices: Vec<String>,
}

/// Which Conditions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    /// active, recurrence or relapse (and not refuted or entered in error).
    Current,
    /// any clinical status, not refuted or entered in error: a lifetime history.
    Ever,
}

/// One checked source of an input.
#[derive(Debug, Clone)]
pub enum Source {
    /// Age in whole years from Patient.birthDate.
    Age,
    /// An Observation (or a component of one) by code.
    Observation {
        /// Its codes.
        codes: Vec<CodeMatch>,
        /// Panels whose components carry them.
        panels: Vec<CodeMatch>,
        /// How far back.
        within: time::Duration,
        /// The target UCUM unit.
        unit: Option<String>,
        /// The earliest in the window rather than the latest.
        earliest: bool,
        /// The mean of the first N chosen, rounded half away from zero.
        mean_of: Option<u8>,
        /// Coded values to choices.
        values: Vec<(CodeMatch, String)>,
        /// The input that receives the Observation's time.
        time_path: Option<Target>,
    },
    /// A Condition by code.
    Condition {
        /// Its codes.
        codes: Vec<CodeMatch>,
        /// Codes among those that do not count (an "in remission" code under a category).
        except: Vec<CodeMatch>,
        /// Which clinical statuses count.
        counts: Counts,
        /// Counts only when it began within this window.
        onset_within: Option<time::Duration>,
        /// Also counts when it ended within this window.
        abated_within: Option<time::Duration>,
        /// The choice it gives (a choice input), else `true`.
        value: Option<String>,
    },
    /// An active MedicationStatement or MedicationRequest by code.
    Medication {
        /// Its codes.
        codes: Vec<CodeMatch>,
        /// With `absent_means_false`: the system URI every medication of a reconciled list
        /// is classified in; `false` when such a list was read and none matches.
        classified_by: Option<String>,
    },
    /// An answer of a QuestionnaireResponse.
    Answer {
        /// The Questionnaire's canonical URL.
        questionnaire: String,
        /// The item.
        link_id: String,
        /// How far back.
        within: time::Duration,
        /// The answer's UCUM unit, for a quantity or a number.
        unit: Option<String>,
        /// Coded answers to choices.
        values: Vec<(CodeMatch, String)>,
    },
}

/// One input and where its value comes from.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The input.
    pub target: Target,
    /// The source.
    pub source: Source,
}

/// The past dosing sessions: one Observation each.
#[derive(Debug, Clone)]
pub struct Sessions {
    /// The list input.
    pub path: String,
    /// The Observation code of a session.
    pub code: CodeMatch,
    /// How far back.
    pub within: time::Duration,
    /// An empty list when none is found (the clinic records every session).
    pub absent_means_none: bool,
    /// Item fields and the component code of each.
    pub fields: Vec<(Target, CodeMatch)>,
    /// The most items the list admits.
    pub list_max: Option<usize>,
}

/// The route of the course, from the ketamine order.
#[derive(Debug, Clone)]
pub struct Route {
    /// The choice input.
    pub target: Target,
    /// The medication codes of the order.
    pub medications: Vec<CodeMatch>,
    /// Route codes to choices.
    pub values: Vec<(CodeMatch, String)>,
}

/// The checked mapping.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The decisions and the input groups each reads.
    pub decisions: Vec<(String, Vec<String>)>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// The sessions, if mapped.
    pub sessions: Option<Sessions>,
    /// The route, if mapped.
    pub route: Option<Route>,
}
