//! A protocol's tests, written by a clinician: a test file (`.kaptest`) names base
//! documents and cases derived from them, each stating what the protocol must decide; the
//! runner evaluates every case and compares only the fields named, and the coverage says
//! which rules, verdicts, ladder levels and alerts the cases exercise.
//!
//! No I/O here: a test file's documents are read through a [`Loader`] that the caller
//! gives (the CLI reads files beside the test file; a browser page could read its own).
//!
//! ```
//! use kap_engine::{testing, Protocol};
//!
//! let protocol = Protocol::compile(r#"
//! protocol "Example" version "1" status draft
//! source K2 "Eligibility criteria"
//! input patient.age: integer years in 0..120 "Age"
//! decision eligibility
//!   list exclusions of exclude
//!   verdict ineligible if any exclude
//!   verdict indeterminate if unknown exclude
//!   verdict eligible otherwise
//!   exclude minor "Younger than 18" when patient.age < 18 years [K2]
//! "#).map_err(|d| format!("{d:?}"))?;
//! let tests = r#"
//! document adult {"patient": {"age": 18}}
//! case "18 is an adult" [K2]
//!   from adult
//!   expect eligibility.verdict = eligible
//! case "17 is a minor" [K2]
//!   from adult
//!   set patient.age = 17
//!   expect eligibility.exclusions = [minor]
//! "#;
//! let mut coverage = testing::Coverage::new(&protocol);
//! let mut no_files = |path: &str| Err(format!("no file {path}"));
//! let results = testing::run(&protocol, tests, &mut no_files, Some(&mut coverage))
//!     .map_err(|d| format!("{d:?}"))?;
//! assert!(results.iter().all(|r| r.passed()));
//! assert_eq!(coverage.report().percent(), "75.0"); // `indeterminate` never reached
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ast;
mod coverage;
mod document;
mod expect;
mod names;
mod parse;
mod run;
pub(crate) mod trace;

pub use coverage::{Coverage, CoverageReport, Item, ItemKind};
pub use document::{position, steps, Step};
pub use expect::Mismatch;
pub use parse::parse;
pub use run::{run, CaseOutcome, CaseResult, Failure};
pub use trace::{DecisionTrace, DoseTrace, RuleTruth, Trace};

/// Reads the documents a test file names by path (`document adult "cases/adult.json"`),
/// relative to the test file: the text, or why it cannot be read.
pub trait Loader {
    /// The text of the document at `path`, as written in the test file.
    fn load(&mut self, path: &str) -> Result<String, String>;
}

impl<F: FnMut(&str) -> Result<String, String>> Loader for F {
    fn load(&mut self, path: &str) -> Result<String, String> {
        self(path)
    }
}
