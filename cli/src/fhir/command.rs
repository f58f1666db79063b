//! What `kap check` and `kap eval --fhir` do with a mapping file: find its protocol, check
//! it, and turn a FHIR Bundle into an input document.

use super::{Context, Mapped, Mapping};
use kap_engine::{Code, Diagnostic, Protocol};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Whether a file given to `kap check` is a FHIR mapping file (by its `.toml` extension).
pub fn is_mapping(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "toml")
}

/// The protocol file a mapping names, relative to the mapping file's folder.
fn protocol_path(mapping: &Path, named: &str) -> PathBuf {
    mapping.parent().unwrap_or(Path::new(".")).join(named)
}

/// Checks the mapping file `file` (read as `text`) against the protocol it names: its
/// diagnostics, all placed in `text`. A protocol that cannot be read or has errors is one
/// error at the place that names it.
pub fn check(file: &Path, text: &str) -> Vec<Diagnostic> {
    match load(file, text) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics,
    }
}

/// The protocol a mapping names, compiled, and the mapping checked against it.
pub fn load(file: &Path, text: &str) -> Result<(Protocol, Mapping), Vec<Diagnostic>> {
    let (named, at) = Mapping::protocol_of(text)?;
    let path = protocol_path(file, &named);
    let source = std::fs::read_to_string(&path).map_err(|e| {
        vec![Diagnostic::error(Code::UnknownName, at, format!("cannot read the protocol `{}`: {e}", path.display()))
            .with_hint("name the rule file relative to the mapping file")]
    })?;
    let protocol = Protocol::compile(&source).map_err(|_| {
        vec![Diagnostic::error(Code::UnknownName, at, format!("the protocol `{}` has errors", path.display()))
            .with_hint(format!("run `kap check {}`", path.display()))]
    })?;
    let mapping = Mapping::compile(text, &file.display().to_string(), &protocol)?;
    Ok((protocol, mapping))
}

/// Maps the resources of a FHIR JSON file (a Bundle or one resource) with `mapping`, at
/// `now`, with the draft orders of `orders` (a Bundle or one MedicationRequest), if any.
pub fn map(mapping: &Mapping, fhir: &str, orders: Option<&str>, now: String) -> Result<Mapped, String> {
    let read = |text: &str, what: &str| -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| format!("{what} is not JSON: {e}"))
    };
    let resources = read(fhir, "the FHIR file")?;
    let draft_orders = match orders {
        Some(text) => vec![read(text, "the draft orders file")?],
        None => Vec::new(),
    };
    Ok(mapping.document(&[resources], &Context { now, draft_orders, patient: None }))
}

/// The current time in UTC, RFC 3339, for `kap eval --fhir` without `--at`.
pub fn now() -> String {
    super::select::utc(time::OffsetDateTime::now_utc())
}

/// The mapped document with what was read and the notes, as `kap eval --fhir --mapped`
/// prints it.
pub fn mapped_json(mapped: &Mapped) -> Value {
    let read: Vec<Value> = mapped
        .read
        .iter()
        .map(|r| serde_json::json!({"path": r.path, "resource": r.resource, "code": r.code, "shown": r.shown}))
        .collect();
    serde_json::json!({"document": mapped.document, "read": read, "notes": mapped.notes})
}
