//! Finding where a JSON array or object ends, and nothing else: the cheapest skip
//! that stays safe, for values a caller parses itself (the items of a page handed to
//! C).
//!
//! [`skip_bounds`] follows strings (a quote after an odd run of backslashes does not
//! end one) and counts bracket depth outside strings: `{` and `[` open a level, `}`
//! and `]` close one, whatever their kinds. Nesting deeper than serde_json allows
//! fails, as does a value that ends before its closing bracket. Nothing else is
//! checked: not the kinds of the brackets, not the characters, not UTF-8.
//!
//! It runs 64 bytes at a time: quotes, backslashes, opening and closing brackets as
//! bit masks (AVX2 compares where the processor has AVX2, PCLMULQDQ, POPCNT and BMI1, a byte at a
//! time otherwise), escaped quotes removed and the inside of strings found with a
//! prefix XOR (a carry-less multiply), as in `json_structure`. A block whose brackets
//! can neither close the value nor pass the nesting limit moves the depth by the
//! count of its opening brackets less the count of its closing ones; only other
//! blocks are walked bracket by bracket. No recursion, no allocation.

use crate::json_skip::{NESTING_LIMIT, SkipError};
use crate::json_structure::{BLOCK, block_at, inside_strings};

/// The bit masks of one block (bit `i` describes byte `i`).
#[derive(Default, Debug, PartialEq, Eq)]
struct Marks {
    /// `"`.
    quote: u64,
    /// `\`.
    backslash: u64,
    /// `{` and `[`.
    open: u64,
    /// `}` and `]`.
    close: u64,
}

/// Skips the array or object whose opening bracket is at `start` in `bytes` (which
/// must hold `{` or `[` there), itself nested inside `depth` arrays/objects; returns
/// the position just after the bracket that brings the depth back. Fails when the
/// nesting passes serde_json's limit or `bytes` ends first.
pub(crate) fn skip_bounds(bytes: &[u8], start: usize, depth: usize) -> Result<usize, SkipError> {
    debug_assert!(matches!(bytes.get(start), Some(b'{' | b'[')));
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("pclmulqdq")
        && std::is_x86_feature_detected!("popcnt")
        && std::is_x86_feature_detected!("bmi1")
    {
        // SAFETY: the processor has these features (checked just above).
        return unsafe { avx2::skip_bounds(bytes, start, depth) };
    }
    bounds_with::<false>(bytes, start, depth)
}

/// [`skip_bounds`] with the AVX2 kernels when `AVX2` (only valid where the processor
/// has AVX2, PCLMULQDQ, POPCNT and BMI1), the portable ones otherwise.
#[inline(always)]
fn bounds_with<const AVX2: bool>(
    bytes: &[u8],
    start: usize,
    depth: usize,
) -> Result<usize, SkipError> {
    // The most levels this value may open (its own included).
    let room = NESTING_LIMIT.saturating_sub(depth + 1);
    let mut pos = start;
    let mut in_string_carry = 0u64;
    let mut escaped_carry = 0u64;
    let mut open = 0usize;
    let mut padded = [b' '; BLOCK];
    while pos < bytes.len() {
        let block = block_at(bytes, pos, &mut padded);
        let (marks, inside) = mark_block::<AVX2>(block, &mut escaped_carry);
        let in_string = inside ^ in_string_carry;
        in_string_carry = ((in_string as i64) >> 63) as u64;
        let opens = marks.open & !in_string;
        let closes = marks.close & !in_string;
        let (opened, closed) = (opens.count_ones() as usize, closes.count_ones() as usize);
        if closed < open && open + opened <= room {
            // The depth stays above zero and within the limit all through the block.
            open = open + opened - closed;
        } else {
            let mut brackets = opens | closes;
            while brackets != 0 {
                let at = brackets.trailing_zeros() as usize;
                brackets &= brackets - 1;
                if (opens >> at) & 1 == 1 {
                    if open + 1 > room {
                        return Err(SkipError {
                            what: "recursion limit exceeded",
                            at: pos + at,
                        });
                    }
                    open += 1;
                } else {
                    if open == 0 {
                        // Only before the opening bracket, which `start` is.
                        return Err(SkipError {
                            what: "a closing bracket before the opening one",
                            at: pos + at,
                        });
                    }
                    open -= 1;
                    if open == 0 {
                        return Ok(pos + at + 1);
                    }
                }
            }
        }
        pos += BLOCK;
    }
    Err(SkipError {
        what: "EOF while parsing a container",
        at: bytes.len(),
    })
}

/// The marks of a block and its bytes inside strings, if the block starts outside
/// one (`escaped_carry` as for `escaped_bytes`): with the AVX2 kernels when `AVX2`.
#[inline(always)]
fn mark_block<const AVX2: bool>(block: &[u8; BLOCK], escaped_carry: &mut u64) -> (Marks, u64) {
    #[cfg(target_arch = "x86_64")]
    let marks = if AVX2 {
        // SAFETY: `AVX2` is only set by `avx2::skip_bounds`, which runs where the
        // processor has AVX2, PCLMULQDQ, POPCNT and BMI1.
        unsafe { avx2::marks(block) }
    } else {
        marks_portable(block)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let marks = marks_portable(block);
    let inside = inside_strings::<AVX2>(marks.quote, marks.backslash, escaped_carry);
    (marks, inside)
}

/// The marks of one block, a byte at a time.
fn marks_portable(block: &[u8; BLOCK]) -> Marks {
    let mut marks = Marks::default();
    for (i, &byte) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match byte {
            b'"' => marks.quote |= bit,
            b'\\' => marks.backslash |= bit,
            b'{' | b'[' => marks.open |= bit,
            b'}' | b']' => marks.close |= bit,
            _ => {}
        }
    }
    marks
}

/// The AVX2 and carry-less multiply kernels.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{BLOCK, Marks, SkipError, bounds_with};
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };

    /// [`super::skip_bounds`] compiled for AVX2, PCLMULQDQ, POPCNT and BMI1 (bracket
    /// counts and positions in one instruction each).
    ///
    /// # Safety
    /// The processor must have AVX2, PCLMULQDQ, POPCNT and BMI1.
    #[target_feature(enable = "avx2,pclmulqdq,popcnt,bmi1")]
    pub(super) unsafe fn skip_bounds(
        bytes: &[u8],
        start: usize,
        depth: usize,
    ) -> Result<usize, SkipError> {
        bounds_with::<true>(bytes, start, depth)
    }

    /// The marks of one block, 32 bytes at a time.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn marks(block: &[u8; BLOCK]) -> Marks {
        let mut marks = Marks::default();
        // SAFETY: AVX2 is there (the caller's promise); each 32-byte load reads inside
        // the block (unaligned loads are allowed).
        unsafe {
            let quote = _mm256_set1_epi8(b'"' as i8);
            let backslash = _mm256_set1_epi8(b'\\' as i8);
            let case = _mm256_set1_epi8(0x20);
            let open = _mm256_set1_epi8(b'{' as i8);
            let close = _mm256_set1_epi8(b'}' as i8);
            for part in 0..BLOCK / 32 {
                let bytes = _mm256_loadu_si256(block.as_ptr().add(part * 32).cast::<__m256i>());
                let shift = part * 32;
                let bits = |m: __m256i| u64::from(_mm256_movemask_epi8(m) as u32) << shift;
                marks.quote |= bits(_mm256_cmpeq_epi8(bytes, quote));
                marks.backslash |= bits(_mm256_cmpeq_epi8(bytes, backslash));
                // `[` and `]` are `{` and `}` without bit 5.
                let folded = _mm256_or_si256(bytes, case);
                marks.open |= bits(_mm256_cmpeq_epi8(folded, open));
                marks.close |= bits(_mm256_cmpeq_epi8(folded, close));
            }
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_structure::tests::{ALPHABETS, escaped_quote_texts, random_texts};

    /// The end of the container at 0 found a byte at a time, or `None`: a quote after
    /// an odd run of backslashes delimits nothing; brackets count outside strings.
    fn reference(bytes: &[u8], depth: usize) -> Option<usize> {
        let mut open = 0usize;
        let mut in_string = false;
        let mut backslashes = 0usize;
        for (i, &byte) in bytes.iter().enumerate() {
            let escaped = backslashes % 2 == 1;
            backslashes = if byte == b'\\' { backslashes + 1 } else { 0 };
            match byte {
                b'"' if !escaped => in_string = !in_string,
                b'{' | b'[' if !in_string => {
                    if depth + open + 1 >= NESTING_LIMIT {
                        return None;
                    }
                    open += 1;
                }
                b'}' | b']' if !in_string => {
                    open = open.checked_sub(1)?;
                    if open == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Both kernels (where the processor has AVX2) on `text`.
    fn both(text: &[u8], depth: usize) -> Option<usize> {
        let portable = bounds_with::<false>(text, 0, depth).ok();
        assert_eq!(
            skip_bounds(text, 0, depth).ok(),
            portable,
            "{:?}",
            String::from_utf8_lossy(text)
        );
        portable
    }

    #[test]
    fn agrees_with_a_byte_at_a_time_walk() {
        // The texts of the structure check, and deeply nested ones, at three depths.
        let deep: &[u8] = b"[[[[[[{{{{]]]]]}}}}\"\\";
        let alphabets = [ALPHABETS[0], ALPHABETS[1], ALPHABETS[2], deep];
        for (case, text) in random_texts(&alphabets, 700).enumerate() {
            let depth = case % 3 * 60;
            assert_eq!(
                both(&text, depth),
                reference(&text, depth),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn escapes_and_strings_across_blocks() {
        for text in escaped_quote_texts() {
            assert_eq!(
                both(text.as_bytes(), 0),
                reference(text.as_bytes(), 0),
                "{text}"
            );
        }
    }

    #[test]
    fn depth_limit_in_every_block_position() {
        // The limit holds wherever the deepest bracket falls in a block, and on the
        // fast path (a long run of opening brackets after some padding).
        for pad in 0..70 {
            for n in [126, 127, 128, 129] {
                let text = format!(
                    "[{}{}{}]",
                    " ".repeat(pad),
                    "[".repeat(n - 1),
                    "]".repeat(n - 1)
                );
                let ok = n < NESTING_LIMIT;
                assert_eq!(both(text.as_bytes(), 0).is_some(), ok, "{pad} {n}");
                assert_eq!(both(text.as_bytes(), 0), reference(text.as_bytes(), 0));
            }
        }
        assert!(both("[".repeat(100_000).as_bytes(), 0).is_none());
        assert!(both(b"[1,2", 0).is_none());
        // Kinds, characters and UTF-8 are not checked; what follows does not count.
        assert_eq!(both(b"[}", 0), Some(2));
        assert_eq!(both(b"{\"a\":NaN,\"\xff\x01\"]] tail", 0), Some(14));
    }

    #[test]
    fn marks_match_the_portable_ones() {
        let mut block = [0u8; BLOCK];
        for round in 0..256usize {
            for (i, byte) in block.iter_mut().enumerate() {
                *byte = (i * 7 + round * 13) as u8;
            }
            let slow = marks_portable(&block);
            for (i, &byte) in block.iter().enumerate() {
                let bit = |mask: u64| (mask >> i) & 1 == 1;
                assert_eq!(bit(slow.open), byte == b'{' || byte == b'[');
                assert_eq!(bit(slow.close), byte == b'}' || byte == b']');
            }
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 is there (checked just above).
                assert_eq!(unsafe { avx2::marks(&block) }, slow);
            }
        }
    }
}
