//! # kap-engine
//!
//! The rule language and evaluator of kap, a clinical decision-support engine for
//! ketamine-assisted psychotherapy protocols. A clinic writes its protocol in a rule file;
//! the engine checks it (names, types, units, sources) and evaluates patient documents
//! against it with three-valued logic and exact decimals, explaining every decision.
//!
//! The pipeline, one module each:
//!
//! ```text
//! rule file ──syntax──► syntax tree with spans ──check──► ir::Program
//!           ──eval (kleene, ladder, decide)──► output (fields, explanations)
//!           ──► decision::Evaluation (JSON)      input documents ──input──► Document
//! ```
//!
//! `protocol::Protocol` is the one way in: compiling runs every check (the dose proof and
//! the cost bound included), and evaluation validates the document first. Diagnostics carry
//! a typed [`Code`]; input errors an [`InputCode`].
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

pub mod analysis;
#[allow(dead_code)] // wired into the language by the calendar-time work of issue 15
mod calendar;
pub mod check;
pub mod decision;
pub mod describe;
pub mod diagnostic;
mod diagnostic_code;
pub mod eval;
mod exact;
pub mod format;
pub mod input;
pub mod ir;
pub mod limits;
mod output;
mod protocol;
pub mod syntax;
pub mod testing;
pub mod units;

pub use decision::{DecisionOutcome, Evaluation};
pub use diagnostic::{Code, Diagnostic, Located, Severity, Span};
pub use eval::decide::{EvaluationError, ENGINE_VERSION};
pub use input::{InputCode, InputError};
pub use protocol::{Error, Protocol};

/// The README's Rust examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
