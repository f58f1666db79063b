//! A strict JSON reader (RFC 8259).
//!
//! Unlike a general-purpose JSON library, this reader keeps every number as
//! the exact text written in the document (so `68.50` stays `68.50` and no
//! precision is lost), keeps every object member in document order —
//! including a member named twice, so that the validator can report it with
//! its path — and reports syntax errors with a byte offset, a 1-based line and
//! a 1-based column counted in characters.
//!
//! The reader is strict: no trailing commas, no comments, no leading zeros,
//! no `NaN`/`Infinity`, no raw control characters inside text, no unpaired
//! UTF-16 surrogates in `\u` escapes, no byte order mark, and nothing but
//! whitespace after the document. Nesting is limited to [`MAX_DEPTH`] levels,
//! so no input can overflow the stack, and no input makes it panic.

use std::fmt;

/// A JSON value read exactly as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text exactly as written in the document (e.g. "4e1", "68.50", "-0.5").
    Number(String),
    /// A text (JSON string), with its escapes decoded.
    String(String),
    /// A list (JSON array), elements in document order.
    Array(Vec<Json>),
    /// Members in document order; duplicates are KEPT here (the validator reports them with their path).
    Object(Vec<(String, Json)>),
}

/// A syntax error in a JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset into the text where the problem was found.
    pub offset: usize,
    /// 1-based line of `offset` (lines are separated by `\n`).
    pub line: usize,
    /// 1-based column of `offset`, counted in characters (not bytes).
    pub column: usize,
    /// What was wrong, in plain words (e.g. "expected `:` after a member name, found `,`").
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for JsonError {}

/// The deepest nesting accepted (arrays/objects); deeper documents are refused, never overflow the stack.
pub const MAX_DEPTH: usize = crate::limits::MAX_JSON_DEPTH;

/// Reads one JSON document (RFC 8259, strictly).
///
/// Leading and trailing whitespace (space, tab, line feed, carriage return)
/// is allowed; anything else after the value is an error. Never panics.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_at(parser.pos, "unexpected text after the document"));
    }
    Ok(value)
}

impl Json {
    /// "null", "true/false", "number", "text", "list", "object" — for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "true/false",
            Json::Number(_) => "number",
            Json::String(_) => "text",
            Json::Array(_) => "list",
            Json::Object(_) => "object",
        }
    }

    /// Writes it back as compact JSON text (numbers as their original text, strings escaped).
    ///
    /// Object members are written in order, duplicates included. Works
    /// without recursion, so even a hand-built, very deep value is written
    /// without exhausting the stack.
    pub fn to_text(&self) -> String {
        enum Task<'a> {
            Value(&'a Json),
            Name(&'a str),
            Literal(&'static str),
        }
        let mut out = String::new();
        let mut tasks = vec![Task::Value(self)];
        while let Some(task) = tasks.pop() {
            match task {
                Task::Literal(text) => out.push_str(text),
                Task::Name(name) => {
                    write_escaped(&mut out, name);
                    out.push(':');
                }
                Task::Value(value) => match value {
                    Json::Null => out.push_str("null"),
                    Json::Bool(true) => out.push_str("true"),
                    Json::Bool(false) => out.push_str("false"),
                    Json::Number(text) => out.push_str(text),
                    Json::String(text) => write_escaped(&mut out, text),
                    Json::Array(items) => {
                        out.push('[');
                        tasks.push(Task::Literal("]"));
                        for (index, item) in items.iter().enumerate().rev() {
                            tasks.push(Task::Value(item));
                            if index > 0 {
                                tasks.push(Task::Literal(","));
                            }
                        }
                    }
                    Json::Object(members) => {
                        out.push('{');
                        tasks.push(Task::Literal("}"));
                        for (index, (name, item)) in members.iter().enumerate().rev() {
                            tasks.push(Task::Value(item));
                            tasks.push(Task::Name(name));
                            if index > 0 {
                                tasks.push(Task::Literal(","));
                            }
                        }
                    }
                },
            }
        }
        out
    }
}

/// Appends `text` as a quoted JSON string, escaping `"`, `\` and control characters.
fn write_escaped(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Line and column (both 1-based, column in characters) of a byte offset.
fn line_and_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let prefix = bytes.get(..offset).unwrap_or(bytes);
    let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count();
    let line_start = prefix.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = 1 + prefix
        .get(line_start..)
        .unwrap_or(&[])
        .iter()
        // Count every byte that starts a character (skip UTF-8 continuation bytes).
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count();
    (line, column)
}

/// The longest word shown when describing what was found.
const MAX_WORD_CHARS: usize = 16;

/// Why the text at a position is not a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotANumber {
    /// `01`: a leading zero.
    LeadingZero,
    /// No digit where the number starts (after a `-`).
    DigitAfterMinus,
    /// No digit after the decimal point.
    DigitAfterPoint,
    /// No digit in the exponent.
    DigitInExponent,
}

/// Where the JSON number (RFC 8259's grammar) that starts at byte `start` of `bytes` ends; or
/// the byte where it stops being one, and why. The one reading of a number's syntax, for the
/// parser and for the direct reader ([`super::direct`]).
pub(super) fn number_end(bytes: &[u8], start: usize) -> Result<usize, (usize, NotANumber)> {
    let at = |i: usize| bytes.get(i).copied();
    let digits = |mut i: usize| {
        while let Some(b'0'..=b'9') = at(i) {
            i += 1;
        }
        i
    };
    let mut pos = start;
    if at(pos) == Some(b'-') {
        pos += 1;
    }
    pos = match at(pos) {
        Some(b'0') if matches!(at(pos + 1), Some(b'0'..=b'9')) => return Err((start, NotANumber::LeadingZero)),
        Some(b'0') => pos + 1,
        Some(b'1'..=b'9') => digits(pos),
        _ => return Err((pos, NotANumber::DigitAfterMinus)),
    };
    if at(pos) == Some(b'.') {
        pos += 1;
        if !matches!(at(pos), Some(b'0'..=b'9')) {
            return Err((pos, NotANumber::DigitAfterPoint));
        }
        pos = digits(pos);
    }
    if let Some(b'e' | b'E') = at(pos) {
        pos += 1;
        if let Some(b'+' | b'-') = at(pos) {
            pos += 1;
        }
        if !matches!(at(pos), Some(b'0'..=b'9')) {
            return Err((pos, NotANumber::DigitInExponent));
        }
        pos = digits(pos);
    }
    Ok(pos)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> JsonError {
        let (line, column) = line_and_column(self.bytes, offset);
        JsonError { offset, line, column, message: message.into() }
    }

    /// An error at the current position: "`expected`, found <what is here>".
    fn expected(&self, expected: &str) -> JsonError {
        self.error_at(self.pos, format!("{expected}, found {}", self.found()))
    }

    /// Describes, for an error message, what is at the current position.
    fn found(&self) -> String {
        let Some(rest) = self.text.get(self.pos..) else {
            return "an invalid character".to_string();
        };
        let mut chars = rest.chars();
        let Some(first) = chars.next() else {
            return "the end of the text".to_string();
        };
        if first.is_alphanumeric() {
            let word: String =
                rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').take(MAX_WORD_CHARS).collect();
            return format!("`{word}`");
        }
        describe_char(first)
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            _ => Err(self.expected("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        let matches = self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(word.as_bytes()));
        if matches {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.expected("expected a value"))
        }
    }

    /// Checks the nesting limit on entering an array or object at the current position.
    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        let inner = depth + 1;
        if inner > MAX_DEPTH {
            Err(self.error_at(self.pos, format!("nested deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(inner)
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1; // `[`
        self.skip_whitespace();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            if !items.is_empty() && self.peek() == Some(b']') {
                return Err(self.expected("expected a value after `,` (a trailing comma is not allowed)"));
            }
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.expected("expected `,` or `]` after a list element")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1; // `{`
        self.skip_whitespace();
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                let expected = if members.is_empty() {
                    "expected a member name in double quotes or `}`"
                } else if self.peek() == Some(b'}') {
                    "expected a member name after `,` (a trailing comma is not allowed)"
                } else {
                    "expected a member name in double quotes after `,`"
                };
                return Err(self.expected(expected));
            }
            let name = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("expected `:` after a member name"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth)?;
            members.push((name, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.expected("expected `,` or `}` after a member value")),
            }
        }
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        match number_end(self.bytes, start) {
            // Both ends sit on ASCII bytes, so this slice is always on character boundaries.
            Ok(end) => match self.text.get(start..end) {
                Some(text) => {
                    self.pos = end;
                    Ok(Json::Number(text.to_string()))
                }
                None => Err(self.error_at(start, "invalid number")),
            },
            Err((_, NotANumber::LeadingZero)) => {
                Err(self.error_at(start, "a number must not start with a leading zero (write `1`, not `01`)"))
            }
            Err((at, why)) => {
                self.pos = at;
                Err(self.expected(match why {
                    NotANumber::DigitAfterMinus | NotANumber::LeadingZero => "expected a digit after `-`",
                    NotANumber::DigitAfterPoint => "expected a digit after the decimal point",
                    NotANumber::DigitInExponent => "expected a digit in the exponent",
                }))
            }
        }
    }

    /// Reads a quoted text starting at the opening `"`; returns it with escapes decoded.
    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.pos;
        self.pos += 1; // `"`
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, "this text is never closed: expected a closing `\"`")),
                Some(b'"') => {
                    self.push_run(&mut out, run_start)?;
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.push_run(&mut out, run_start)?;
                    self.escape(&mut out, open)?;
                    run_start = self.pos;
                }
                Some(byte) if byte < 0x20 => {
                    return Err(self.error_at(
                        self.pos,
                        format!(
                            "control character U+{byte:04X} is not allowed inside text; \
                             write it as an escape such as `\\n` or `\\u{byte:04X}`"
                        ),
                    ));
                }
                // Any other byte, including the bytes of a multi-byte character
                // (which are all >= 0x80 and so never match the cases above).
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Appends the unescaped characters from `run_start` up to the current position.
    fn push_run(&self, out: &mut String, run_start: usize) -> Result<(), JsonError> {
        // The run ends just before an ASCII byte (`"` or `\`), and starts just
        // after one, so it always lies on character boundaries.
        match self.text.get(run_start..self.pos) {
            Some(run) => {
                out.push_str(run);
                Ok(())
            }
            None => Err(self.error_at(run_start, "invalid text")),
        }
    }

    /// Decodes one escape starting at the current `\`.
    fn escape(&mut self, out: &mut String, open: usize) -> Result<(), JsonError> {
        let backslash = self.pos;
        self.pos += 1;
        let decoded = match self.peek() {
            None => return Err(self.error_at(open, "this text is never closed: expected a closing `\"`")),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let c = self.unicode_escape(backslash)?;
                out.push(c);
                return Ok(());
            }
            Some(_) => {
                let shown = self
                    .text
                    .get(self.pos..)
                    .and_then(|rest| rest.chars().next())
                    .map_or_else(String::new, |c| c.to_string());
                return Err(self.error_at(
                    backslash,
                    format!(
                        "invalid escape `\\{shown}` in text; the escapes are \
                         \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"
                    ),
                ));
            }
        };
        self.pos += 1;
        out.push(decoded);
        Ok(())
    }

    /// Reads the four hex digits after `\u` (the position is just after the `u`).
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.expected("expected four hex digits after `\\u`"))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// Decodes `\uXXXX` (the position is just after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self, backslash: usize) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                let low_start = self.pos;
                let has_escape = self.bytes.get(low_start..).is_some_and(|rest| rest.starts_with(b"\\u"));
                let low = if has_escape {
                    self.pos += 2;
                    let low = self.hex4()?;
                    (0xDC00..=0xDFFF).contains(&low).then_some(low)
                } else {
                    None
                };
                match low {
                    Some(low) => 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00),
                    None => {
                        return Err(self.error_at(
                            backslash,
                            format!(
                                "unpaired surrogate `\\u{first:04X}` in text: a high surrogate \
                                 must be followed by a `\\u` escape of a low surrogate \
                                 (DC00 to DFFF)"
                            ),
                        ))
                    }
                }
            }
            0xDC00..=0xDFFF => {
                return Err(self.error_at(
                    backslash,
                    format!(
                        "unpaired surrogate `\\u{first:04X}` in text: a low surrogate \
                         must follow a high surrogate (D800 to DBFF)"
                    ),
                ))
            }
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error_at(backslash, "invalid `\\u` escape in text"))
    }
}

/// Describes one character for an error message.
fn describe_char(c: char) -> String {
    match c {
        '\u{feff}' => "a byte order mark (U+FEFF), which is not allowed".to_string(),
        c if c.is_control() || c.is_whitespace() => format!("the character U+{:04X}", u32::from(c)),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests;
