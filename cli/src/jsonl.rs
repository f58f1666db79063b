//! `kap eval RULES --jsonl FILE|-`: a stream of JSON Lines evaluated on every core, one output
//! line per input line, in input order. A line is read, evaluated and written as `kap eval`
//! would (the same decisions JSON, compact, explained unless `--no-explain`); a line that
//! is refused gives `{"line": N, "error": {...}}` on its line and the stream goes on. Lines
//! are read in chunks, so memory stays bounded whatever the length of the stream.

use kap_engine::{Error, Protocol};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Lines read, evaluated and written at a time, per thread.
const LINES_PER_THREAD: usize = 2048;

/// What became of the lines: whether one was refused, whether one failed to evaluate.
#[derive(Default, Clone, Copy)]
struct Tally {
    lines: u64,
    invalid: bool,
    failed: bool,
}

/// Evaluates every line of `input` (`-`: standard input) with `protocol`, writing one line
/// each to standard output. Exit status 0 when every line was evaluated, 2 when a line was
/// refused (or the input cannot be read), 3 when an evaluation failed.
pub(crate) fn run(protocol: &Protocol, input: &Path, explain: bool) -> ExitCode {
    let reader: Box<dyn BufRead> = if input == Path::new("-") {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        match std::fs::File::open(input) {
            Ok(file) => Box::new(BufReader::with_capacity(1 << 16, file)),
            Err(e) => {
                eprintln!("kap: cannot read {}: {e}", input.display());
                return ExitCode::from(2);
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(16);
    match stream(protocol, reader, explain, threads) {
        Ok(t) if t.invalid => ExitCode::from(2),
        Ok(t) if t.failed => ExitCode::from(3),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(141),
        Err(e) => {
            eprintln!("kap: {}: {e}", input.display());
            ExitCode::from(2)
        }
    }
}

/// Reads, evaluates and writes chunk after chunk; a progress count on a terminal.
fn stream(protocol: &Protocol, mut reader: Box<dyn BufRead>, explain: bool, threads: usize) -> std::io::Result<Tally> {
    let progress = std::io::stderr().is_terminal();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut tally = Tally::default();
    loop {
        let mut chunk = Vec::with_capacity(LINES_PER_THREAD * threads);
        while chunk.len() < LINES_PER_THREAD * threads {
            match read_line(&mut *reader)? {
                Some(line) => chunk.push(line),
                None => break,
            }
        }
        if chunk.is_empty() {
            break;
        }
        let first = tally.lines.saturating_add(1);
        tally.lines = tally.lines.saturating_add(chunk.len() as u64);
        for (text, kind) in evaluate_all(protocol, &chunk, first, explain, threads) {
            tally.invalid |= kind == Kind::Invalid;
            tally.failed |= kind == Kind::Failed;
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        if progress {
            eprogress!("\rkap eval: {} documents", tally.lines);
        }
    }
    if progress {
        eprogress!("\r{:40}\r", "");
    }
    Ok(tally)
}

/// One line of the input: its text, or why it is not read.
enum Line {
    /// The line, without its end.
    Text(String),
    /// Not UTF-8: the offset of the first byte that is not.
    NotUtf8(usize),
    /// Longer than a document may be: its length, without its end.
    TooLong(u64),
}

/// Reads one line, keeping no more of it than a document may be, so that one long line
/// does not fill the memory; `None` at the end of the input.
fn read_line(reader: &mut dyn BufRead) -> std::io::Result<Option<Line>> {
    let limit = kap_engine::limits::MAX_DOCUMENT_BYTES;
    // The bytes kept, the line's length, and its last two bytes (for its end).
    let (mut bytes, mut length, mut last) = (Vec::new(), 0u64, [0u8; 2]);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let (take, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let taken = buf.get(..take).unwrap_or_default();
        length = length.saturating_add(take as u64);
        for &b in taken.iter().rev().take(2).rev() {
            last = [last[1], b];
        }
        // One byte past the limit is enough to know the line is too long.
        let room = (limit + 2).saturating_sub(bytes.len());
        bytes.extend_from_slice(taken.get(..take.min(room)).unwrap_or_default());
        reader.consume(take);
        if end {
            break;
        }
    }
    if length == 0 {
        return Ok(None);
    }
    // The line's end (`\n` or `\r\n`) is not part of the document.
    let ending: u64 = match last {
        [b'\r', b'\n'] if length >= 2 => 2,
        [_, b'\n'] => 1,
        _ => 0,
    };
    let document = length.saturating_sub(ending);
    if document > limit as u64 {
        return Ok(Some(Line::TooLong(document)));
    }
    bytes.truncate(usize::try_from(document).unwrap_or(usize::MAX));
    Ok(Some(match String::from_utf8(bytes) {
        Ok(text) => Line::Text(text),
        Err(e) => Line::NotUtf8(e.utf8_error().valid_up_to()),
    }))
}

/// How a line went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Evaluated,
    Invalid,
    Failed,
}

/// The output lines of a chunk, in order, worked out on `threads` threads; `first` is the
/// number of the chunk's first line.
fn evaluate_all(protocol: &Protocol, chunk: &[Line], first: u64, explain: bool, threads: usize) -> Vec<(String, Kind)> {
    let size = chunk.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunk
            .chunks(size)
            .enumerate()
            .map(|(i, slice)| {
                let start = first.saturating_add((i * size) as u64);
                scope.spawn(move || {
                    slice
                        .iter()
                        .zip(start..)
                        .map(|(line, n)| evaluate_line(protocol, line, n, explain))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A thread that failed would be a bug in the engine: its panic is passed on.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// One line's output: the decisions JSON, or `{"line": N, "error": {...}}`.
fn evaluate_line(protocol: &Protocol, text: &Line, line: u64, explain: bool) -> (String, Kind) {
    let result = match text {
        Line::Text(text) if explain => protocol.evaluate_json(text),
        Line::Text(text) => decide_text(protocol, text),
        Line::NotUtf8(offset) => Err(Error::Input(kap_engine::input::not_utf8(*offset))),
        Line::TooLong(bytes) => Err(Error::Input(kap_engine::input::too_large(*bytes))),
    };
    let (error, kind) = match result {
        Ok(out) => match serde_json::to_string(&out) {
            Ok(json) => return (json, Kind::Evaluated),
            Err(e) => (
                serde_json::json!({"kind": "evaluation", "message": e.to_string(), "text": e.to_string()}),
                Kind::Failed,
            ),
        },
        Err(Error::Input(e)) => (
            serde_json::json!({
                "kind": "input",
                "code": e.code,
                "path": e.path,
                "message": e.message,
                "expected": e.expected,
                "text": e.to_string(),
            }),
            Kind::Invalid,
        ),
        Err(Error::Evaluation(e)) => {
            let text = Error::Evaluation(e.clone()).to_string();
            (serde_json::json!({"kind": "evaluation", "message": e.to_string(), "text": text}), Kind::Failed)
        }
    };
    (serde_json::json!({"line": line, "error": error}).to_string(), kind)
}

/// The decisions of a JSON text without the explanation: read and validated as
/// [`Protocol::evaluate_json`] reads it (the same errors), decided without explaining.
fn decide_text(protocol: &Protocol, text: &str) -> Result<kap_engine::Evaluation, Error> {
    Ok(protocol.read(text)?.decide()?.to_evaluation())
}
