//! `kap diff OLD NEW --inputs PATH`: what an edit of a protocol changes, before it goes
//! live: first what changed in the rule file itself (`protocol`), then the impact on the
//! documents. Both protocols are compiled once; the documents are read one at a time and each is
//! evaluated by both (a traced evaluation, to say which rules' results changed); the
//! differences are grouped by decision and kind.

mod compare;
mod inputs;
mod protocol;
mod report;

use crate::Format;
use compare::{Observation, Outcome};
use inputs::{Document, Documents};
use kap_engine::input::json;
use kap_engine::Protocol;
use protocol::ProtocolChanges;
use report::Report;
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

/// What `kap diff` was asked.
pub struct DiffOptions<'a> {
    /// The protocol as it is.
    pub old: &'a Path,
    /// The protocol as edited.
    pub new: &'a Path,
    /// A folder of documents, a JSON Lines file, or `-`.
    pub inputs: &'a Path,
    /// The output format.
    pub format: Format,
}

/// One protocol: its file, compiled, with its name and version.
struct Side<'a> {
    file: &'a Path,
    protocol: Protocol,
    name: String,
    version: String,
}

impl Side<'_> {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({"file": self.file.display().to_string(), "name": self.name,
            "version": self.version, "sha256": self.protocol.sha256()})
    }

    fn text(&self) -> String {
        format!("{}: {} {} (sha256 {})", self.file.display(), self.name, self.version, self.protocol.sha256())
    }
}

fn side<'a>(file: &'a Path, source: &str) -> Result<Side<'a>, ExitCode> {
    let protocol = crate::compile_source(file, source, 2)?;
    let header = protocol.describe().protocol;
    Ok(Side { file, protocol, name: header.name, version: header.version })
}

/// Runs the comparison: exit 0 when no document changes, 1 when some do, 2 when a file
/// cannot be read or a rule file is invalid.
pub fn run(options: &DiffOptions<'_>) -> ExitCode {
    let sources = crate::read_rules(options.old).and_then(|a| Ok((a, crate::read_rules(options.new)?)));
    let (old_source, new_source) = match sources {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (old, new) = match (side(options.old, &old_source), side(options.new, &new_source)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let identical = old_source == new_source;
    let mut warnings = Vec::new();
    if !identical && old.name == new.name && old.version == new.version {
        warnings.push(format!(
            "{} and {} differ but both claim protocol \"{}\" version \"{}\": give the edited protocol a new version, so that every change can be told apart",
            old.file.display(),
            new.file.display(),
            old.name,
            old.version
        ));
    }
    // The documents are opened even when the files are identical: a wrong path is an error
    // whatever the protocols.
    let Ok(documents) = Documents::open(options.inputs).map_err(|e| {
        eprintln!("kap: cannot read the documents {}: {e}", options.inputs.display());
    }) else {
        return ExitCode::from(2);
    };
    if identical {
        return print_identical(&old, &new, options.format);
    }
    let changes = ProtocolChanges::new(&old_source, &new_source);
    let (report, unreadable) = evaluate_all(&old, &new, documents);
    let printed = match options.format {
        Format::Text => {
            let mut text: String = warnings.iter().map(|w| format!("warning: {w}\n")).collect();
            text.push_str(&format!("{}\nold {}\nnew {}\n", report.summary(), old.text(), new.text()));
            text.push_str(&changes.text());
            text.push_str(&report.text());
            text
        }
        Format::Json => {
            let mut value = report.json();
            if let Some(map) = value.as_object_mut() {
                map.insert("old".into(), old.json());
                map.insert("new".into(), new.json());
                map.insert("identical".into(), false.into());
                map.insert("protocol_changes".into(), changes.json());
                map.insert("warnings".into(), warnings.into());
            }
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
    };
    out!("{printed}");
    if unreadable {
        ExitCode::from(2)
    } else if report.has_differences() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_identical(old: &Side<'_>, new: &Side<'_>, format: Format) -> ExitCode {
    match format {
        Format::Text => outln!(
            "no change: {} and {} are identical ({} {})",
            old.file.display(),
            new.file.display(),
            old.name,
            old.version
        ),
        Format::Json => {
            let value = serde_json::json!({"identical": true, "old": old.json(), "new": new.json(), "warnings": []});
            outln!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        }
    }
    ExitCode::SUCCESS
}

/// How many documents are read before they are shared out among the threads.
const CHUNK: usize = 2048;

/// Evaluates every document by both protocols, the documents of a chunk shared out among
/// the machine's cores and counted in their order; whether a document could not be read.
/// On a terminal, a counter of the documents read is kept on standard error.
fn evaluate_all(old: &Side<'_>, new: &Side<'_>, mut documents: Documents) -> (Report, bool) {
    let mut order: Vec<String> = old.protocol.describe().decisions.into_iter().map(|d| d.name).collect();
    let mut tones = std::collections::HashMap::new();
    for d in old.protocol.describe().decisions.into_iter().chain(new.protocol.describe().decisions) {
        if let Some(serde_json::Value::Object(map)) = &d.tones {
            for (verdict, tone) in map {
                tones.insert((d.name.clone(), verdict.clone()), tone.as_str().unwrap_or_default().to_string());
            }
        }
        if !order.contains(&d.name) {
            order.push(d.name);
        }
    }
    let mut report = Report::new(order, tones);
    let mut unreadable = false;
    let progress = std::io::stderr().is_terminal();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(16);
    let pair = (&old.protocol, &new.protocol);
    loop {
        let chunk: Vec<Document> = documents.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        for observation in observe_all(pair, chunk, threads) {
            unreadable |= observation.unreadable;
            report.add(observation);
        }
        if progress {
            eprogress!("\rkap diff: {} documents", report.documents);
            let _ = std::io::stderr().flush();
        }
    }
    if progress {
        eprogress!("\r{:40}\r", "");
    }
    (report, unreadable)
}

/// The observations of a chunk of documents, in order, worked out on `threads` threads.
fn observe_all(pair: (&Protocol, &Protocol), chunk: Vec<Document>, threads: usize) -> Vec<Observation> {
    let size = chunk.len().div_ceil(threads.max(1));
    if threads <= 1 || chunk.len() < 2 * threads {
        return chunk.into_iter().map(|d| observe(pair, d)).collect();
    }
    let mut slices: Vec<Vec<Document>> = Vec::new();
    let mut rest = chunk.into_iter();
    loop {
        let slice: Vec<Document> = rest.by_ref().take(size).collect();
        if slice.is_empty() {
            break;
        }
        slices.push(slice);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = slices
            .into_iter()
            .map(|slice| scope.spawn(move || slice.into_iter().map(|d| observe(pair, d)).collect::<Vec<_>>()))
            .collect();
        // A thread that failed would be a bug in the engine: its panic is passed on.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// What the two protocols make of one document, its text parsed once. Both decide it
/// without explaining; only when their decisions differ, or one of them refuses it, is it evaluated
/// again with a trace, to say which rules' results changed.
fn observe((old, new): (&Protocol, &Protocol), document: Document) -> Observation {
    let text = match document.text {
        Ok(text) => text,
        Err(e) => return Observation::refused_by_both(document.label, e.message, e.io),
    };
    let parsed = if text.len() > kap_engine::limits::MAX_DOCUMENT_BYTES { None } else { json::parse(&text).ok() };
    let Some(doc) = parsed else {
        // Too large or not JSON: the engine's own error, the same for both.
        let error = old.evaluate_json(&text).err().map(|e| e.to_string()).unwrap_or_default();
        return Observation::refused_by_both(document.label, error, false);
    };
    match (old.decide(&doc), new.decide(&doc)) {
        (Ok(a), Ok(b)) if a.decisions == b.decisions => {
            return Observation { label: document.label, ..Observation::default() };
        }
        (Err(a), Err(b)) => {
            let (a, b) = (Outcome::Refused(a.to_string()), Outcome::Refused(b.to_string()));
            return Observation::of(document.label, &a, &b);
        }
        _ => {}
    }
    let outcome = |p: &Protocol| match p.evaluate_traced(&doc) {
        Ok(made) => Outcome::Made(Box::new(made)),
        Err(e) => Outcome::Refused(e.to_string()),
    };
    Observation::of(document.label, &outcome(old), &outcome(new))
}
