//! The tokens of one line of a rule file, as the formatter sees them.
//!
//! A string never spans lines and a comment runs to the end of its line, so every line can
//! be read alone. A token keeps its text exactly as written: the formatter only changes the
//! white space between tokens. What must stay together is one token: a path
//! (`course.sessions[-1].at`, `course.sessions[].level`) and a unit with a slash (`mg/kg`),
//! since a space inside either would change what the line means.

/// What a token is, as far as spacing and indentation need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name, a keyword, a path or a unit (`%` included).
    Word,
    /// `12`, `0.75`.
    Number,
    /// `"text"`, quotes and escapes as written.
    Text,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
    /// `,`.
    Comma,
    /// `:`.
    Colon,
    /// `..`.
    Range,
    /// `-`: a subtraction or a negation, told apart by the token before it.
    Minus,
    /// Another operator: `=`, `<=`, `+`, `×`, ...
    Operator,
}

/// One token of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its text, as written.
    pub text: &'a str,
}

/// A line split into its tokens and its end-of-line comment (`# ...`, trailing white space
/// removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// The tokens, in order.
    pub tokens: Vec<Token<'a>>,
    /// The comment that ends the line, if any, and its column (in characters) in the line.
    pub comment: Option<(usize, &'a str)>,
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The length of the identifier at the start of `rest` (0 if none starts there).
fn ident_len(rest: &str) -> usize {
    match rest.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len()),
        _ => 0,
    }
}

/// The length of the word (name, path, unit) at the start of `rest`.
fn word_len(rest: &str) -> usize {
    let mut len = if rest.starts_with('%') { 1 } else { ident_len(rest) };
    loop {
        let Some(tail) = rest.get(len..) else { return len };
        if let Some(after) = tail.strip_prefix('.') {
            let n = ident_len(after);
            if n > 0 {
                len += 1 + n;
                continue;
            }
        }
        if tail.starts_with("[].") {
            len += 2;
            continue;
        }
        if let Some(after) = tail.strip_prefix('[') {
            let digits = after.strip_prefix('-').unwrap_or(after);
            let n = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
            if n > 0 && digits.get(n..).is_some_and(|t| t.starts_with(']')) {
                len += 1 + (after.len() - digits.len()) + n + 1;
                continue;
            }
        }
        if let Some(after) = tail.strip_prefix('/') {
            // `mg/kg`, `%/min`: written without spaces, possibly a unit; kept as written.
            let n = if after.starts_with('%') { 1 } else { ident_len(after) };
            if n > 0 {
                len += 1 + n;
                continue;
            }
        }
        return len;
    }
}

/// The length of the number at the start of `rest`.
fn number_len(rest: &str) -> usize {
    let int = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let Some(after) = rest.get(int..).and_then(|t| t.strip_prefix('.')) else { return int };
    let frac = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
    if frac > 0 {
        int + 1 + frac
    } else {
        int
    }
}

/// The length of the string at the start of `rest` (which starts with `"`), its quotes
/// included; to the end of the line when it is not closed.
fn text_len(rest: &str) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

/// The kind and length of the operator or punctuation at the start of `rest`.
fn symbol(rest: &str) -> (Kind, usize) {
    for two in ["<=", ">=", "!="] {
        if rest.starts_with(two) {
            return (Kind::Operator, 2);
        }
    }
    if rest.starts_with("..") {
        return (Kind::Range, 2);
    }
    let c = rest.chars().next().unwrap_or(' ');
    let kind = match c {
        '(' | '[' | '{' => Kind::Open,
        ')' | ']' | '}' => Kind::Close,
        ',' => Kind::Comma,
        ':' => Kind::Colon,
        '-' => Kind::Minus,
        _ => Kind::Operator,
    };
    (kind, c.len_utf8())
}

/// Splits one line (without its line break) into tokens and its end-of-line comment.
pub fn line(text: &str) -> Line<'_> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(rest) = text.get(at..) {
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if c == '#' {
            let column = text.get(..at).map_or(0, |t| t.chars().count());
            return Line { tokens, comment: Some((column, rest.trim_end())) };
        }
        let (kind, len) = if c == '"' {
            (Kind::Text, text_len(rest))
        } else if c.is_ascii_digit() {
            (Kind::Number, number_len(rest))
        } else if c == '%' || c.is_ascii_alphabetic() || c == '_' {
            (Kind::Word, word_len(rest))
        } else {
            symbol(rest)
        };
        tokens.push(Token { kind, text: rest.get(..len).unwrap_or(rest) });
        at += len.max(1);
    }
    Line { tokens, comment: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        line(s).tokens.iter().map(|t| t.text).collect()
    }

    #[test]
    fn paths_units_and_indexes_stay_whole() {
        assert_eq!(texts("course.sessions[-1].at - 5 mg/kg"), ["course.sessions[-1].at", "-", "5", "mg/kg"]);
        assert_eq!(
            texts("input a.b[].c: integer % in 0..100"),
            ["input", "a.b[].c", ":", "integer", "%", "in", "0", "..", "100"]
        );
        assert_eq!(texts("x [K2]"), ["x", "[", "K2", "]"]);
        assert_eq!(texts("d[] at"), ["d", "[", "]", "at"]);
        assert_eq!(texts("0.75mg"), ["0.75", "mg"]);
    }

    #[test]
    fn strings_and_comments_are_kept_as_written() {
        let l = line(r#"k a "x # \" y" when b  # why (not)   "#);
        assert_eq!(l.tokens.iter().map(|t| t.text).collect::<Vec<_>>(), ["k", "a", r#""x # \" y""#, "when", "b"]);
        assert_eq!(l.comment, Some((23, "# why (not)")));
    }

    #[test]
    fn operators_are_single_tokens() {
        assert_eq!(texts("a<=b!=c..d≤e"), ["a", "<=", "b", "!=", "c", "..", "d", "≤", "e"]);
    }
}
