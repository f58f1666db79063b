//! Reading a document straight from its text into the slots the protocol declared, in one
//! pass, validating as it reads, without building a tree of the JSON first.
//!
//! This is the quick way for the common document, and only that: whatever is not plain (an
//! escape in a member name or a text, anything refused, a syntax error) stops it, and the
//! document is then read the full way ([`super::json::parse`] then [`super::validate`]),
//! which says what is wrong and where. What it accepts, it reads with the same steps as the
//! full way (the member found by [`Shape::find`], the field's value by
//! [`super::values::store_scalar`], the structure by [`super::structure`]), so both give the
//! same document; a test holds them to it on every document of the test corpus.

use super::values::{store_scalar, Scalar};
use super::{structure, Document, Path, Record};
use crate::flags::Flags;
use crate::ir::schema::{ListDecl, Member, Schema, Shape};
use crate::limits::{MAX_DOCUMENT_BYTES, MAX_JSON_DEPTH};
use rust_decimal::Decimal;

/// Reads `text` into a document of `schema`; `None` when it is not read this way (see the
/// module's documentation), never a document the full way would refuse or read otherwise.
pub(crate) fn read(schema: &Schema, text: &str) -> Option<Document> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return None;
    }
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0 };
    let mut doc = Document {
        root: Record { fields: vec![None; schema.root_fields], lists: vec![None; schema.root_lists] },
        groups: vec![false; schema.groups.len()],
    };
    reader.space();
    let mut root = std::mem::take(&mut doc.root);
    reader.object(schema, &schema.root, &mut root, &mut doc.groups, 1)?;
    doc.root = root;
    reader.space();
    if reader.pos != reader.bytes.len() {
        return None;
    }
    structure(schema, &doc).ok()?;
    Some(doc)
}

/// The text being read, and where.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    // Inlined even where the .wasm is optimised for size: called at every byte, the call
    // itself cost WebAssembly 8 % of an evaluation (measured in Node; +340 B gzipped).
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips JSON whitespace (inlined, as `peek`).
    #[inline(always)]
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Takes `byte`, after whitespace.
    fn take(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// A text without escapes or control characters, at the current `"`.
    fn plain_text(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let rest = self.bytes.get(start..)?;
        let len = text_end(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }

    /// The member declared at position `next` of `shape`, when the text names it here
    /// (`"name"`): what [`Shape::find`] finds first for a document that writes its members in
    /// declared order, as forms do, without searching the name's end first. (A member's name
    /// is a word of the rule language: no quote, backslash or control character in it.)
    fn declared<'s>(&mut self, shape: &'s Shape, next: usize) -> Option<(usize, &'s Member)> {
        let (name, member) = shape.members.get_index(next)?;
        let name = name.as_bytes();
        let end = self.pos.checked_add(name.len())?.checked_add(2)?;
        let [b'"', inner @ .., b'"'] = self.bytes.get(self.pos..end)? else { return None };
        (inner == name).then(|| {
            self.pos = end;
            (next, member)
        })
    }

    /// A number, its text as written, checked as the full reader checks it.
    fn number(&mut self) -> Option<&'a str> {
        let end = super::json::number_end(self.bytes, self.pos).ok()?;
        let text = self.text.get(self.pos..end)?;
        self.pos = end;
        Some(text)
    }

    /// A literal word.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        let matches = self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(word));
        matches.then(|| self.pos += word.len())
    }

    /// A scalar: true, false, a number or a plain text.
    fn scalar(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b't' => self.word(b"true").map(|()| Scalar::Bool(true)),
            b'f' => self.word(b"false").map(|()| Scalar::Bool(false)),
            b'"' => self.plain_text().map(Scalar::Text),
            b'-' | b'0'..=b'9' => self.number().map(Scalar::Number),
            _ => None,
        }
    }

    /// The members of an object of `shape`, at its `{`, into `record`, as
    /// [`super::members::object`] reads them.
    fn object(
        &mut self,
        schema: &Schema,
        shape: &Shape,
        record: &mut Record,
        groups: &mut [bool],
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.take(b'{')?;
        self.space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        let mut seen = Flags::new(shape.members.len());
        let mut next = 0;
        loop {
            self.space();
            let (index, member) = match self.declared(shape, next) {
                Some(found) => found,
                None => shape.find(self.plain_text()?, next)?,
            };
            self.take(b':')?;
            self.space();
            next = index.saturating_add(1);
            if !seen.insert(index) {
                return None;
            }
            match member {
                Member::Field(id) => {
                    let field = schema.field(*id)?;
                    let slot = record.fields.get_mut(field.slot.index())?;
                    store_scalar(field, self.scalar()?, &Path::Root, slot).ok()?;
                }
                Member::Group(inner) => {
                    if let Some(present) = inner.group.and_then(|g| groups.get_mut(g.index())) {
                        *present = true;
                    }
                    self.object(schema, inner, record, groups, depth + 1)?;
                }
                Member::List(id) => {
                    let list = schema.list(*id)?;
                    let items = self.list(schema, list, depth + 1)?;
                    *record.lists.get_mut(list.slot.index())? = Some(items);
                }
            }
            self.space();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The items of `list`, at its `[`, each a record, as [`super::members`] reads them.
    fn list(&mut self, schema: &Schema, list: &ListDecl, depth: usize) -> Option<Vec<Record>> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.take(b'[')?;
        self.space();
        let mut records = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let mut rec = Record { fields: vec![None; list.item_fields], lists: vec![None; list.item_lists] };
                self.space();
                self.object(schema, &list.item, &mut rec, &mut [], depth + 1)?;
                records.push(rec);
                self.space();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b']' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if let Some((lo, hi)) = list.range {
            let n = Decimal::from(records.len());
            if n < lo || n > hi {
                return None;
            }
        }
        Some(records)
    }
}

/// Where a text's plain run ends in `rest`: at the first `"`, `\\` or control character.
/// Eight bytes at a time, as one word: a byte is found where the word less one in each byte
/// borrows into a byte that had its high bit clear (the lowest such byte is always exact).
fn text_end(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = rest.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
        let found = zero(word ^ (ONES * u64::from(b'"')))
            | zero(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::Protocol;
    use std::path::Path as FsPath;

    /// The documents of the test corpus and the bad inputs, with variations of their layout.
    fn documents() -> Vec<(String, String)> {
        let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in [
            "tests/corpus/eligibility",
            "tests/corpus/session",
            "tests/corpus/monitoring",
            "tests/corpus/examples",
            "tests/bad-input",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.display().to_string();
                if name.ends_with(".json") && !name.ends_with(".expected.json") {
                    files.push((name, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut varied = Vec::new();
        for (name, text) in &files {
            // Compact, and with a member's value or the end cut (syntax errors).
            let compact: String = text.split_whitespace().collect::<Vec<_>>().join("");
            varied.push((format!("{name} (compact)"), compact.clone()));
            varied.push((format!("{name} (cut)"), compact.get(..compact.len() / 2).unwrap_or("").to_string()));
            varied.push((format!("{name} (escaped)"), text.replacen("\"patient\"", "\"pat\\u0069ent\"", 1)));
            varied.push((format!("{name} (trailing)"), format!("{text} x")));
            // A member's name one letter short or long (unknown members), and followed by
            // spaces before its colon: the name read in place or searched gives the same.
            for (what, by) in [("short", "\"ag\""), ("long", "\"agee\""), ("spaced", "\"age\" \n ")] {
                varied.push((format!("{name} ({what} name)"), text.replacen("\"age\"", by, 1)));
            }
        }
        files.extend(varied);
        assert!(files.len() > 400, "{}", files.len());
        files
    }

    /// Where a plain text ends: the first `"`, `\\` or control character, at every position
    /// of a word and of the bytes after the last whole word, after any other bytes (text
    /// beyond ASCII included).
    #[test]
    fn a_text_ends_at_its_first_quote_backslash_or_control_character() {
        let plain = "aé€z09 ~!#[]\u{7f}".as_bytes();
        for len in 0..40 {
            let body: Vec<u8> = plain.iter().copied().cycle().take(len).collect();
            assert_eq!(text_end(&body), None, "{body:?}");
            for end in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for tail in [&b""[..], b"\"", b"x\\"] {
                    let mut text = body.clone();
                    text.push(end);
                    text.extend_from_slice(tail);
                    assert_eq!(text_end(&text), Some(len), "{text:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// On any bytes, where the byte-by-byte search ends a text (mostly printable bytes,
        /// so that texts run on past a word).
        #[test]
        fn a_text_ends_where_a_byte_by_byte_search_ends_it(
            bytes in proptest::collection::vec(proptest::prop_oneof![30 => 0x20u8..=0xff, 1 => proptest::num::u8::ANY], 0..64)
        ) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(text_end(&bytes), naive);
        }
    }

    /// Whatever the quick reader reads, the full one reads the same; every valid document of
    /// the corpus is read quickly; and what the full one refuses, the quick one never reads.
    #[test]
    fn the_quick_reader_reads_what_the_full_reader_reads() {
        let protocol = Protocol::compile(include_str!("../../../rules/kap-reference.kap")).unwrap();
        let schema = &protocol.program().schema;
        let (mut quick, mut valid) = (0, 0);
        for (name, text) in documents() {
            let full = super::super::json::parse(&text)
                .map_err(|_| ())
                .and_then(|j| super::super::validate(schema, &j).map_err(|_| ()));
            match (read(schema, &text), full) {
                (Some(doc), Ok(expected)) => {
                    assert_eq!(doc, expected, "{name}");
                    quick += 1;
                }
                (Some(_), Err(())) => panic!("{name}: read quickly, refused by the full reader"),
                (None, Ok(_)) if !text.contains('\\') => panic!("{name}: a plain valid document not read quickly"),
                (None, _) => {}
            }
            valid += usize::from(super::super::read(schema, &text).is_ok());
        }
        assert!(quick > 200 && quick <= valid, "{quick} read quickly, {valid} valid");
    }
}
