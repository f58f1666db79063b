//! A rule file's diagnostics as the editor shows them: the same as `kap check` prints (the
//! dose proof's counterexamples included), each with its range, severity, code, its hint in
//! the message and its notes as related places.

use super::text::Lines;
use kap_engine::{Diagnostic, Protocol, Severity};
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

/// Checks `text` as `kap check` does and gives its diagnostics for the document `uri`.
pub fn check(uri: &Uri, text: &str) -> Vec<lsp_types::Diagnostic> {
    let mut diagnostics = Protocol::check(text);
    diagnostics.extend(crate::tzdata::warnings(text));
    let lines = Lines::new(text);
    diagnostics.iter().map(|d| convert(uri, &lines, d)).collect()
}

/// One diagnostic, located in the document.
fn convert(uri: &Uri, lines: &Lines<'_>, d: &Diagnostic) -> lsp_types::Diagnostic {
    let message = match &d.hint {
        Some(hint) => format!("{}\nhint: {hint}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .map(|n| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(n.span)),
            message: n.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: lines.range(d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("kap".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}
