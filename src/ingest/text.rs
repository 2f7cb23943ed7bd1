//! The text of an input that is not event XML (JSON, CSV, Export-Clixml), as UTF-8 whatever it
//! was written in, with the place in the original bytes of every offset: what the JSON, CSV and
//! Clixml readers scan.
//!
//! The encoding is told from the byte-order mark or, without one, from zero bytes next to ASCII
//! (PowerShell 5.1 writes `> file`, `Out-File` and `Export-Clixml` as UTF-16 LE with a BOM).
//! Unpaired surrogates become U+FFFD, and the reader says so with the document they were in
//! ([`TextStream::document`]); a UTF-8 input is kept as it is (each reader checks the documents
//! it takes).

use crate::decoder::{advance_position, Position, ProblemKind, Stats, TextEncoding};
use std::ops::Range;

/// UTF-8 text fed in pieces of any size; see the [module documentation](self).
#[derive(Debug)]
pub(crate) struct TextStream {
    /// The first bytes, until the encoding is known.
    sniff: Vec<u8>,
    encoding: Option<TextEncoding>,
    /// UTF-16: a byte waiting for its pair, and a high surrogate waiting for its low half.
    odd: Option<u8>,
    high: Option<u16>,
    /// The text; `buf[..head]` is consumed and may be dropped.
    pub buf: Vec<u8>,
    head: usize,
    /// A known place: `buf[cursor.0]` is at `cursor.1` in the original input.
    cursor: (usize, Position),
    /// Where in `buf` a U+FFFD replaced bad UTF-16 (an unpaired surrogate, an odd last byte),
    /// in order.
    bad_utf16: Vec<usize>,
    /// Bytes of the input pushed so far.
    bytes: u64,
}

impl TextStream {
    pub fn new() -> Self {
        Self {
            sniff: Vec::with_capacity(4),
            encoding: None,
            odd: None,
            high: None,
            buf: Vec::new(),
            head: 0,
            cursor: (
                0,
                Position {
                    byte: 0,
                    line: 1,
                    column: 1,
                },
            ),
            bad_utf16: Vec::new(),
            bytes: 0,
        }
    }

    /// A reader's running totals: `decoded`'s counts, with the bytes read and the encoding of
    /// this text.
    pub fn stats(&self, decoded: &Stats) -> Stats {
        Stats {
            bytes: self.bytes,
            encoding: self.encoding,
            ..decoded.clone()
        }
    }

    fn utf16(&self) -> Option<bool> {
        match self.encoding {
            Some(TextEncoding::Utf16Le) => Some(true),
            Some(TextEncoding::Utf16Be) => Some(false),
            _ => None,
        }
    }

    /// Appends the next piece of the input.
    pub fn push(&mut self, mut bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        if self.encoding.is_none() {
            let take = (4 - self.sniff.len()).min(bytes.len());
            self.sniff.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.sniff.len() < 4 {
                return;
            }
            self.decide();
        }
        self.append(bytes);
    }

    /// Ends the input: what is left of the sniffed bytes or a UTF-16 unit is appended.
    pub fn finish(&mut self) {
        if self.encoding.is_none() {
            self.decide();
        }
        if self.odd.take().is_some() || self.high.take().is_some() {
            self.bad_utf16.push(self.buf.len());
            self.buf.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }

    fn decide(&mut self) {
        let s = std::mem::take(&mut self.sniff);
        let (encoding, bom) = match &s[..] {
            [0xEF, 0xBB, 0xBF, ..] => (TextEncoding::Utf8Bom, 3),
            [0xFF, 0xFE, ..] => (TextEncoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (TextEncoding::Utf16Be, 2),
            [a, 0, ..] if *a != 0 => (TextEncoding::Utf16Le, 0),
            [0, b, ..] if *b != 0 => (TextEncoding::Utf16Be, 0),
            _ => (TextEncoding::Utf8, 0),
        };
        self.encoding = Some(encoding);
        self.cursor.1.byte = bom as u64;
        self.append(&s[bom..]);
    }

    fn append(&mut self, bytes: &[u8]) {
        let Some(le) = self.utf16() else {
            self.buf.extend_from_slice(bytes);
            return;
        };
        let mut bytes = bytes;
        if let Some(b0) = self.odd.take() {
            let Some((&b1, rest)) = bytes.split_first() else {
                self.odd = Some(b0);
                return;
            };
            self.unit(if le { [b0, b1] } else { [b1, b0] });
            bytes = rest;
        }
        self.buf.reserve(bytes.len() / 2 + 4);
        let mut pairs = bytes.chunks_exact(2);
        for p in &mut pairs {
            let pair = if le { [p[0], p[1]] } else { [p[1], p[0]] };
            if pair[1] == 0 && pair[0] < 0x80 && self.high.is_none() {
                self.buf.push(pair[0]);
            } else {
                self.unit(pair);
            }
        }
        if let [b] = pairs.remainder() {
            self.odd = Some(*b);
        }
    }

    /// One UTF-16 code unit, `[low byte, high byte]`.
    fn unit(&mut self, pair: [u8; 2]) {
        let u = u16::from_le_bytes(pair);
        let put = |buf: &mut Vec<u8>, c: char| {
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        };
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                put(&mut self.buf, char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            self.bad_utf16.push(self.buf.len());
            put(&mut self.buf, '\u{FFFD}');
        }
        match u {
            0xD800..=0xDBFF => self.high = Some(u),
            0xDC00..=0xDFFF => {
                self.bad_utf16.push(self.buf.len());
                put(&mut self.buf, '\u{FFFD}');
            }
            _ => put(
                &mut self.buf,
                char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'),
            ),
        }
    }

    /// What was repaired in the document at `buf[range]`: invalid UTF-8 (a UTF-8 input is
    /// kept as it is; `bytes` is that document), or bad UTF-16 replaced while the input was
    /// turned into UTF-8. With it, the document's text, made valid.
    pub fn document(
        &self,
        range: Range<usize>,
    ) -> (std::borrow::Cow<'_, str>, Option<ProblemKind>) {
        let bytes = &self.buf[range.clone()];
        match simdutf8::basic::from_utf8(bytes) {
            Err(_) => (
                String::from_utf8_lossy(bytes),
                Some(ProblemKind::InvalidUtf8),
            ),
            Ok(text) => (text.into(), self.bad_utf16_in(range)),
        }
    }

    /// [`ProblemKind::InvalidUtf16`] when bad UTF-16 was replaced in `buf[range]`.
    pub fn bad_utf16_in(&self, range: Range<usize>) -> Option<ProblemKind> {
        let from = self.bad_utf16.partition_point(|&b| b < range.start);
        let bad = self.bad_utf16.get(from).is_some_and(|&b| b < range.end);
        bad.then_some(ProblemKind::InvalidUtf16)
    }

    /// Where `buf[offset]` is in the original input. Offsets asked for must not go back before
    /// the last one asked for (each reader asks in input order).
    pub fn locate(&mut self, offset: usize) -> Position {
        let (at, pos) = self.cursor;
        if offset < at {
            // Not reached by the readers; a place close enough.
            return pos;
        }
        let utf16 = self.utf16().is_some();
        let end = offset.min(self.buf.len());
        let pos = advance_position(pos, &self.buf[at..end], utf16);
        self.cursor = (end, pos);
        pos
    }

    /// Marks `buf[..offset]` consumed; the buffer drops consumed text now and then. Gives how
    /// many bytes were dropped from its front: every offset the caller keeps moves back by it.
    #[must_use]
    pub fn consume(&mut self, offset: usize) -> usize {
        self.head = self.head.max(offset.min(self.buf.len()));
        if self.head > 0 && (self.head >= self.buf.len() / 2 || self.head > 1 << 20) {
            self.locate(self.head);
            let head = self.head;
            self.buf.drain(..head);
            self.cursor.0 -= head;
            self.bad_utf16.retain(|&b| b >= head);
            for b in &mut self.bad_utf16 {
                *b -= head;
            }
            self.head = 0;
            return head;
        }
        0
    }
}
