//! A validating JSON skipper: walks one JSON value without building anything and says
//! where it ends, or why it is not JSON.
//!
//! It checks the grammar serde_json checks when it skips a value (`IgnoredAny`):
//! structure, string escapes (`\u` with four hex digits), no raw control characters in
//! strings, number syntax, the literals, and serde_json's nesting limit (128 levels).
//! Like serde_json's skipping, it does not check that numbers fit a float or that
//! `\u` escapes pair up. UTF-8 is checked by the caller, once, for the whole text.
//!
//! It exists for speed: strings — most of a Zendesk page — are crossed eight bytes at a
//! time, and the loop keeps its own stack instead of recursing, so it runs several
//! times faster than serde_json's skipping and cannot exhaust the call stack.

/// The deepest nesting serde_json accepts (a document nested this deep is refused).
pub(crate) const NESTING_LIMIT: usize = 128;

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SkipError {
    /// What was wrong.
    pub what: &'static str,
    /// The byte offset where it was found.
    pub at: usize,
}

/// A position in a JSON text.
pub(crate) struct Skipper<'a> {
    bytes: &'a [u8],
    /// The next byte to read.
    pub pos: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Bytes of `word` that are zero get their high bit set (the lowest such bit is exact;
/// bits above it may be false positives, which the callers never look at).
#[inline]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The first byte at or after `pos` that is a quote, a backslash or below 0x20
/// (`bytes.len()` when there is none): sixteen bytes at a time with SSE2 (part of
/// every x86-64), then eight at a time, then one.
#[inline]
fn next_special(bytes: &[u8], mut pos: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = bytes.get(pos..pos + 16) {
        let special = sse2::special_bytes(chunk);
        if special != 0 {
            return pos + special.trailing_zeros() as usize;
        }
        pos += 16;
    }
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let special = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
        if special != 0 {
            return pos + (special.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes
        .get(pos)
        .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
    {
        pos += 1;
    }
    pos
}

impl<'a> Skipper<'a> {
    /// A skipper at `pos` in `bytes`.
    pub(crate) fn new(bytes: &'a [u8], pos: usize) -> Skipper<'a> {
        Skipper { bytes, pos }
    }

    fn fail<T>(&self, what: &'static str) -> Result<T, SkipError> {
        Err(SkipError { what, at: self.pos })
    }

    /// The next byte, if any.
    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips JSON whitespace; the next byte, if any.
    #[inline]
    pub(crate) fn skip_whitespace(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(byte);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `byte` (after whitespace) or fails with `what`.
    #[inline]
    pub(crate) fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), SkipError> {
        if self.skip_whitespace() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(what)
        }
    }

    /// Skips a string whose opening quote is at `pos`; returns whether it held an escape.
    #[inline]
    pub(crate) fn skip_string(&mut self) -> Result<bool, SkipError> {
        self.pos += 1; // the opening quote
        let mut escaped = false;
        loop {
            self.pos = next_special(self.bytes, self.pos);
            let Some(&byte) = self.bytes.get(self.pos) else {
                return self.fail("EOF while parsing a string");
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                    match self.bytes.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail("invalid \\u escape in a string");
                            }
                            self.pos += 5;
                        }
                        Some(_) => return self.fail("invalid escape in a string"),
                        None => return self.fail("EOF while parsing a string"),
                    }
                }
                0x00..=0x1f => return self.fail("control character in a string"),
                _ => self.pos += 1,
            }
        }
    }

    /// Skips a number starting at `pos` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    fn skip_number(&mut self) -> Result<(), SkipError> {
        let digits = |s: &mut Self| {
            let start = s.pos;
            while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                s.pos += 1;
            }
            s.pos > start
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return self.fail("invalid number (leading zero)");
                }
            }
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return self.fail("invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return self.fail("invalid number (no digit after the point)");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return self.fail("invalid number (no digit in the exponent)");
            }
        }
        Ok(())
    }

    #[inline]
    fn skip_literal(&mut self, literal: &'static [u8]) -> Result<(), SkipError> {
        // Compared byte by byte: a call to memcmp costs more than these 4 or 5 bytes.
        let found = self.bytes.get(self.pos..self.pos + literal.len());
        if found.is_some_and(|found| found.iter().zip(literal).all(|(a, b)| a == b)) {
            self.pos += literal.len();
            Ok(())
        } else {
            self.fail("expected a value")
        }
    }

    /// Skips one value (after whitespace) that sits inside `depth` arrays/objects.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Result<(), SkipError> {
        // The open containers below `depth`: true for an object.
        let mut stack: Vec<bool> = Vec::new();
        'value: loop {
            // A value starts here.
            let Some(byte) = self.skip_whitespace() else {
                return self.fail("EOF while parsing a value");
            };
            match byte {
                b'"' => {
                    self.skip_string()?;
                }
                b'-' | b'0'..=b'9' => self.skip_number()?,
                b't' => self.skip_literal(b"true")?,
                b'f' => self.skip_literal(b"false")?,
                b'n' => self.skip_literal(b"null")?,
                b'{' | b'[' => {
                    let object = byte == b'{';
                    if depth + stack.len() + 1 >= NESTING_LIMIT {
                        return self.fail("recursion limit exceeded");
                    }
                    self.pos += 1;
                    let close = if object { b'}' } else { b']' };
                    if self.skip_whitespace() == Some(close) {
                        self.pos += 1;
                    } else {
                        stack.push(object);
                        if object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                }
                _ => return self.fail("expected a value"),
            }
            // A value ended: close containers or go on to the next element.
            loop {
                let Some(&object) = stack.last() else {
                    return Ok(());
                };
                match self.skip_whitespace() {
                    Some(b',') => {
                        self.pos += 1;
                        if object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if object => {
                        self.pos += 1;
                        stack.pop();
                    }
                    Some(b']') if !object => {
                        self.pos += 1;
                        stack.pop();
                    }
                    Some(_) => return self.fail("expected `,` or the end of the container"),
                    None => return self.fail("EOF while parsing a container"),
                }
            }
        }
    }

    /// Skips `"key" :` (after whitespace).
    fn skip_key(&mut self) -> Result<(), SkipError> {
        if self.skip_whitespace() != Some(b'"') {
            return self.fail("expected an object key");
        }
        self.skip_string()?;
        self.expect(b':', "expected `:` after an object key")
    }
}

/// The SSE2 scan of a string's bytes.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// A bit per byte of `chunk` (16 bytes) that is a quote, a backslash or below 0x20.
    #[inline]
    pub(super) fn special_bytes(chunk: &[u8]) -> u32 {
        assert!(chunk.len() >= 16);
        // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads the 16 bytes
        // of `chunk` (checked above), unaligned loads being allowed.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
            let below = _mm_set1_epi8(0x1f);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, below), below);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(text: &str) -> Result<usize, SkipError> {
        let mut skipper = Skipper::new(text.as_bytes(), 0);
        skipper.skip_value(0).map(|()| skipper.pos)
    }

    #[test]
    fn agrees_with_serde_json_on_small_cases() {
        for text in [
            "0",
            "-0",
            "1.5e+3",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "true",
            "nul",
            "\"a\\u00e9\"",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"a\u{1}\"",
            "[1,2,]",
            "[1 2]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "[[],{}]",
            "{\"a\":[{\"b\":\"]\"}]}",
            "\"abcdefghijklmnop\\\"q\"",
            "[",
            "{\"a\":",
            "\"unterminated",
            "NaN",
            "[-1.0e-5,0.25,1E9]",
            "\"0123456789abcdef0123456789abcdef\"",
            "\"0123456789abcdef\\\"23456789abcdef\"",
            "\"0123456789abcde\u{7f}\u{1}89abcdef\"",
            "\"0123456789abcdef\u{e9}\u{80}x\"",
            "\"0123456789abcdef0123456789abcde\u{1f}\"",
        ] {
            let ours = skips(text).map(|end| end == text.len());
            let ours_ok = ours.clone().unwrap_or(false);
            let theirs = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            assert_eq!(ours_ok, theirs, "{text:?}: {ours:?}");
        }
    }
}
