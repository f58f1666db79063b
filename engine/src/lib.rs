//! # kap-engine
//!
//! The rule language and evaluator of kap, a clinical decision-support engine for
//! ketamine-assisted psychotherapy protocols. A clinic writes its protocol in a rule file;
//! the engine checks it (names, types, units, sources) and evaluates patient documents
//! against it with three-valued logic and exact decimals, explaining every decision.
//!
//! The pipeline, one module a stage, around one representation they share, the compiled
//! program (`ir`):
//!
//! ```text
//! rule file ──syntax──► syntax tree with spans ──check──► ir::Program ──analysis──► dose proof, cost bound
//! input document ──input──► validated document ──┐
//! ir::Program ───────────────────────────────────┴──eval (kleene, ladder, decide)──► output
//!           (fields, explanations) ──► decision::Evaluation (JSON)
//! ```
//!
//! `ir` holds the program by domain (the declared inputs, expressions and values,
//! decisions, dose ladders) with typed ids, what each operator does to known values, and
//! constant folding. `check` builds it and never evaluates; `analysis` proves its ladders
//! safe and bounds the cost of one evaluation; `eval` runs it on a document; `input`,
//! `describe` and `output` read its declarations. `calendar` reads a time zone's rule for
//! `day` and `week`. The stages are private to the crate.
//!
//! Beside the pipeline, the tools that read rule files: [`format`](mod@format) (`kap fmt`), [`outline`]
//! (the parts of a file and what changed between two, for `kap diff`), [`testing`] (test
//! files, their runner and coverage, for `kap test`) and [`navigate`] (for `kap lsp`).
//!
//! [`Protocol`] is the one way in: compiling runs every check (the dose proof and the cost
//! bound included), and evaluation validates the document first. The rest of the public
//! API is the output model ([`decision`]), diagnostics with a typed [`Code`], input errors
//! with an [`InputCode`] (and the [`input`] reader's JSON and time formats), [`describe`],
//! the declared inputs ([`schema`]), [`units`], [`limits`], the [`syntax`] tree and, for
//! editors, where each name is declared and used ([`navigate`]).
//!
//! The engine does no I/O, reads no clock and keeps no global state: the same source and
//! document give the same output, natively and in WebAssembly.
//!
//! ```
//! use kap_engine::Protocol;
//!
//! let source = r#"
//! protocol "Example" version "1" status draft
//! source K2 "Eligibility criteria"
//! input patient.age: integer years in 0..120 "Age"
//! decision eligibility
//!   list exclusions of exclude
//!   verdict ineligible if any exclude
//!   verdict indeterminate if unknown exclude
//!   verdict eligible otherwise
//!   exclude minor "Younger than 18" when patient.age < 18 years [K2]
//! "#;
//! let protocol = Protocol::compile(source).map_err(|d| format!("{d:?}"))?;
//! let out = protocol.evaluate_json(r#"{"patient": {"age": 17}}"#)?;
//! assert_eq!(out.decisions["eligibility"].verdict, "ineligible");
//! let out = protocol.evaluate_json(r#"{"patient": {}}"#)?;
//! assert_eq!(out.decisions["eligibility"].verdict, "indeterminate");
//! assert_eq!(out.decisions["eligibility"].missing, ["patient.age"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub(crate) mod analysis;
pub(crate) mod calendar;
pub(crate) mod check;
mod decided;
pub mod decision;
pub mod describe;
pub mod diagnostic;
mod diagnostic_code;
pub(crate) mod eval;
mod exact;
mod flags;
pub mod format;
pub mod input;
pub(crate) mod ir;
pub mod limits;
pub mod navigate;
pub mod outline;
mod output;
mod protocol;
pub mod syntax;
pub mod testing;
pub mod units;

/// The declared inputs of a compiled protocol, read-only ([`Protocol::schema`]): each field
/// with its type, unit, range, label and structural flags (`required`, `ordered`,
/// `not after`), the lists of records and the groups that hold them, and the shape a
/// document must have. Fields, lists and groups refer to one another by typed ids, each the
/// index of the item in [`Schema::fields`](schema::Schema::fields),
/// [`Schema::lists`](schema::Schema::lists) or [`Schema::groups`](schema::Schema::groups).
pub mod schema {
    pub use crate::ir::schema::{declared_path, Field, FieldType, ListDecl, Member, Required, Schema, Shape};
    pub use crate::ir::{FieldId, FieldSlot, GroupId, ListId, ListSlot};
}

pub use decided::{Decided, Input};
pub use decision::{DecisionOutcome, Evaluation};
pub use diagnostic::{Code, Diagnostic, Located, Severity, Span};
pub use eval::decide::{EvaluationError, ENGINE_VERSION};
pub use input::{InputCode, InputError};
pub use protocol::{Error, Protocol};

/// The README's Rust examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
