//! An open document's text, edited as the editor sends its changes, and the conversions
//! between the engine's byte offsets and the positions of the Language Server Protocol: a
//! line and a column counted in UTF-16 code units (`≤` is one unit and three bytes, an emoji
//! two units and four bytes).

use kap_engine::Span;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// The start of each line of a text, to turn offsets into positions and back.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    /// The byte offset of `position`: a column past the end of its line is the end of the
    /// line, a line past the end of the text is the end of the text, and a column inside a
    /// character (half of a surrogate pair) is the start of that character.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let end = self.starts.get(position.line as usize + 1).map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end).unwrap_or_default();
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            units += c.len_utf16() as u32;
            if units > position.character {
                return start + i;
            }
        }
        start + line.len()
    }

    /// The position of byte `offset` (clamped to the text, and back to a character's start).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units: usize = self.text.get(start..offset).unwrap_or_default().chars().map(char::len_utf16).sum();
        Position::new(line as u32, units as u32)
    }

    /// The range of `span`.
    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end.max(span.start)))
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        Range::new(Position::new(0, 0), self.position(self.text.len()))
    }
}

/// Applies the editor's changes to `text`, in order: a change with a range replaces that
/// range, one without replaces the whole text.
pub fn apply(text: &mut String, changes: Vec<TextDocumentContentChangeEvent>) {
    for change in changes {
        match change.range {
            Some(range) => {
                let lines = Lines::new(text);
                let (a, b) = (lines.offset(range.start), lines.offset(range.end));
                let (start, end) = (a.min(b), a.max(b));
                text.replace_range(start..end, &change.text);
            }
            None => *text = change.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn positions_count_utf16_units() {
        let text = "a ≤ b\r\né😀x\n";
        let lines = Lines::new(text);
        // `b` is after `≤` (3 bytes, 1 unit).
        assert_eq!(lines.position(6), Position::new(0, 4));
        assert_eq!(lines.offset(Position::new(0, 4)), 6);
        // `x` is after `é` (2 bytes, 1 unit) and `😀` (4 bytes, 2 units).
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(x), Position::new(1, 3));
        assert_eq!(lines.offset(Position::new(1, 3)), x);
        // Inside the surrogate pair: the start of the emoji; past the line: its end.
        assert_eq!(lines.offset(Position::new(1, 2)), x - 4);
        assert_eq!(lines.offset(Position::new(0, 99)), 7);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text.len() + 5), Position::new(2, 0));
    }

    #[test]
    fn changes_apply_in_order() {
        let mut text = String::from("when a ≤ 18 years\nnext\n");
        apply(&mut text, vec![change(Some(((0, 9), (0, 11))), "21"), change(Some(((1, 0), (1, 4))), "é")]);
        assert_eq!(text, "when a ≤ 21 years\né\n");
        apply(&mut text, vec![change(Some(((1, 1), (1, 1))), "!"), change(None, "all new")]);
        assert_eq!(text, "all new");
        // A reversed or out-of-range change never panics.
        apply(&mut text, vec![change(Some(((0, 5), (0, 2))), "X"), change(Some(((7, 0), (9, 9))), "?")]);
        assert_eq!(text, "alXew?");
    }
}
