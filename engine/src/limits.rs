//! The limits the engine puts on what it reads, in one place: beyond them a rule file or a
//! document is refused with a clear error, never read at any cost. Each has an error code,
//! listed in the README's "Limits" section.

use std::borrow::Cow;

/// The largest input document read, in bytes (1 MiB); a longer text is refused with the
/// input error `too_large` before it is parsed. A document of the reference protocol with
/// every input and 100 readings is under 20 KiB.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The largest rule file read, in bytes (1 MiB); a longer source is refused with the
/// diagnostic `file-too-large` before it is parsed. The reference protocol is under 40 KiB.
pub const MAX_RULE_FILE_BYTES: usize = 1024 * 1024;

/// The deepest nesting of lists and objects in an input document (`json_syntax`, "nested
/// deeper than 64 levels"); the reader never recurses further, so no document can overflow
/// the stack.
pub const MAX_JSON_DEPTH: usize = 64;

/// The deepest nesting of brackets and `choose` expressions in one item of a rule file
/// (`too-deep`): the parser recurses this deep at most.
pub const MAX_BRACKET_NESTING: usize = 32;

/// The deepest expression tree in a rule file, operators and brackets nested (`too-deep`).
pub const MAX_EXPRESSION_DEPTH: usize = 128;

/// The most expression nodes one evaluation may visit, weighed before any document is read
/// on the largest document the declarations allow (`too-costly`): about three times the
/// reference protocol's (17,524 on its largest document, 6 sessions and 100 readings, which
/// evaluates in about a millisecond), so that a protocol several times its size passes and
/// no protocol can make one evaluation take more than a few milliseconds.
/// [`Protocol::evaluation_cost`](crate::Protocol::evaluation_cost) gives a protocol's.
pub const MAX_EVALUATION_COST: u64 = 50_000;

/// The most characters of a value from a document or of a rule file's text that an error
/// message quotes; a longer text is cut there and ends with `…`.
pub const MAX_QUOTED_CHARS: usize = 60;

/// `text` as an error message quotes it: whole when at most [`MAX_QUOTED_CHARS`] characters,
/// else its first [`MAX_QUOTED_CHARS`] characters and `…`.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", text.get(..cut).unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_quoted_whole() {
        assert_eq!(excerpt(""), "");
        let sixty = "é".repeat(MAX_QUOTED_CHARS);
        assert_eq!(excerpt(&sixty), sixty);
    }

    #[test]
    fn long_texts_are_cut_at_a_character_with_an_ellipsis() {
        let long = "😀".repeat(MAX_QUOTED_CHARS + 1);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(cut.ends_with("😀…"));
        assert_eq!(excerpt(&"9".repeat(100_000)), format!("{}…", "9".repeat(MAX_QUOTED_CHARS)));
    }
}
