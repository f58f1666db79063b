//! A test file as read: its base documents and its cases, each with its place in the file.

use crate::diagnostic::Span;
use crate::input::json::Json;

/// A test file (`.kaptest`): named base documents and the cases derived from them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestFile {
    /// `document NAME ...` items, in file order.
    pub documents: Vec<DocumentDecl>,
    /// `case "..."` items, in file order.
    pub cases: Vec<Case>,
}

/// A base document a case can start from.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentDecl {
    /// Its name, for `from NAME`.
    pub name: String,
    /// Where its JSON is.
    pub body: DocumentBody,
    /// The whole item.
    pub span: Span,
}

/// Where a base document's JSON is.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentBody {
    /// A file, by a path relative to the test file, read through the caller's loader.
    Path(String, Span),
    /// Written in the test file.
    Inline(Json),
}

/// One case: a document, and what the protocol must decide for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    /// Its name, saying what it shows.
    pub name: String,
    /// The source keys it cites, each with its place.
    pub sources: Vec<(String, Span)>,
    /// The base document it starts from (`from NAME`); an empty document when none.
    pub from: Option<(String, Span)>,
    /// The edits made to the base document, in order.
    pub edits: Vec<Edit>,
    /// What must hold of the output; only the fields named are compared.
    pub expects: Vec<Expect>,
    /// The whole case.
    pub span: Span,
}

/// A change to a case's document.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// `set PATH = VALUE`: writes a member, making the objects on its way; an index one past
    /// the end of a list adds an item.
    Set {
        /// The dotted path, with list indices (`course.sessions[-1].level`).
        path: String,
        /// The value written.
        value: Json,
        /// The step.
        span: Span,
    },
    /// `remove PATH`: the member or list item is left out.
    Remove {
        /// The dotted path.
        path: String,
        /// The step.
        span: Span,
    },
}

/// `expect PATH CHECK`: what must hold of one field of the output.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// The output field: a decision, then its fields (`eligibility.verdict`,
    /// `monitoring.discharge.unmet`, `session.dose.value`).
    pub path: String,
    /// What must hold of it.
    pub check: Check,
    /// The step.
    pub span: Span,
}

/// What an expectation checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `= VALUE`: the field equals the value (a list of names in any order; an object by
    /// the members it names).
    Equals(TestValue),
    /// `contains VALUE [at TIME]`: the list has an item equal to the value, or whose `id` is
    /// the value; with `at`, at that time (a timestamp, or `HH:MM` in UTC).
    Contains(TestValue, Option<String>),
    /// `lacks VALUE`: the list has no such item.
    Lacks(TestValue),
    /// `absent`: the field (or the decision) is not in the output.
    Absent,
}

/// A value in a test file.
#[derive(Debug, Clone, PartialEq)]
pub enum TestValue {
    /// JSON, a list, a quoted text or a bare word.
    Json(Json),
    /// A number with a unit (`40 mg`): an output quantity `{"value": 40, "unit": "mg"}`.
    Quantity(String, String),
}
