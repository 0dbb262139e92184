//! Skipping a JSON array or object by its structure only: where it ends, without
//! checking what is inside.
//!
//! [`skip_container`] finds the bracket that closes the one at a given position. It
//! follows strings (a quote preceded by an odd number of backslashes does not end
//! one), brackets outside strings, and their kinds (`{` must close with `}`, `[` with
//! `]`), and refuses nesting deeper than serde_json's limit. It checks nothing else:
//! not the grammar between brackets (commas, colons, keys, numbers, literals), not
//! escapes, control characters or UTF-8 inside strings. A caller that needs the value
//! itself parses it and gets those checks then.
//!
//! It runs like the first stage of simdjson: 64 bytes at a time, each classified into
//! bit masks (quotes, backslashes, brackets) with SSE2 — part of every x86-64 — or
//! with AVX2 and a carry-less multiply where the processor has them (checked once, at
//! run time), then escaped quotes removed, the inside of strings found with a prefix
//! XOR, and only the brackets outside strings visited one by one. No recursion, no
//! allocation: the kinds of the open brackets fit one `u128`, since nesting stops at
//! 128 levels.

use crate::json_skip::{NESTING_LIMIT, SkipError};

/// Bytes classified at a time.
const BLOCK: usize = 64;

/// Every odd bit of a mask (bytes 1, 3, 5, …).
const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// The bit masks of one block: bit `i` describes byte `i`.
struct Masks {
    /// `"`.
    quote: u64,
    /// `\`.
    backslash: u64,
    /// `{`, `[`, `}` and `]`.
    bracket: u64,
}

/// Skips the array or object whose opening bracket is at `start` in `bytes` (which
/// must hold `{` or `[` there), itself nested inside `depth` arrays/objects; returns
/// the position just after its closing bracket. Fails on nesting as deep as
/// serde_json refuses, on a closing bracket of the wrong kind, and when `bytes` ends
/// before the container does.
pub(crate) fn skip_container(bytes: &[u8], start: usize, depth: usize) -> Result<usize, SkipError> {
    debug_assert!(matches!(bytes.get(start), Some(b'{' | b'[')));
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: the processor has both features (checked just above).
        return unsafe { avx2::skip_container(bytes, start, depth) };
    }
    skip_with::<false>(bytes, start, depth)
}

/// [`skip_container`] with the AVX2 kernels when `AVX2` (only valid where the
/// processor has AVX2 and PCLMULQDQ), the baseline ones otherwise.
#[inline(always)]
fn skip_with<const AVX2: bool>(
    bytes: &[u8],
    start: usize,
    depth: usize,
) -> Result<usize, SkipError> {
    let mut pos = start;
    // All ones when the previous block ended inside a string.
    let mut in_string_carry = 0u64;
    // 1 when the first byte of the next block is escaped by a backslash.
    let mut escaped_carry = 0u64;
    // Open containers of this value, and their kinds (bit i set: level i is an object).
    let mut open = 0usize;
    let mut objects = 0u128;
    let mut padded = [b' '; BLOCK];
    while pos < bytes.len() {
        let block: &[u8; BLOCK] = match bytes.get(pos..pos + BLOCK) {
            Some(full) => full.try_into().unwrap_or(&padded),
            None => {
                // The last bytes, padded with spaces (which are never structure).
                let rest = &bytes[pos..];
                padded[..rest.len()].copy_from_slice(rest);
                padded[rest.len()..].fill(b' ');
                &padded
            }
        };
        let masks = if AVX2 {
            // SAFETY: `AVX2` is only set by `avx2::skip_container`, which runs where
            // the processor has AVX2 and PCLMULQDQ.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                avx2::classify(block)
            }
            #[cfg(not(target_arch = "x86_64"))]
            classify(block)
        } else {
            classify(block)
        };
        let escaped = escaped_bytes(masks.backslash, &mut escaped_carry);
        let quotes = masks.quote & !escaped;
        let inside = if AVX2 {
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                avx2::prefix_xor(quotes)
            }
            #[cfg(not(target_arch = "x86_64"))]
            prefix_xor(quotes)
        } else {
            prefix_xor(quotes)
        };
        let in_string = inside ^ in_string_carry;
        in_string_carry = ((in_string as i64) >> 63) as u64;
        let mut brackets = masks.bracket & !in_string;
        while brackets != 0 {
            let at = brackets.trailing_zeros() as usize;
            brackets &= brackets - 1;
            let byte = block[at];
            // `{` 0x7B and `[` 0x5B have bit 1 set, `}` 0x7D and `]` 0x5D do not;
            // braces have bit 5 set, square brackets do not.
            let is_object = byte & 0x20 != 0;
            if byte & 0x02 != 0 {
                if depth + open + 1 >= NESTING_LIMIT {
                    return Err(SkipError {
                        what: "recursion limit exceeded",
                        at: pos + at,
                    });
                }
                objects = (objects & !(1u128 << open)) | (u128::from(is_object) << open);
                open += 1;
            } else {
                if open == 0 || ((objects >> (open - 1)) & 1 == 1) != is_object {
                    return Err(SkipError {
                        what: "a closing bracket of the wrong kind",
                        at: pos + at,
                    });
                }
                open -= 1;
                if open == 0 {
                    return Ok(pos + at + 1);
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

/// Each bit set in the result is at or after a set bit of `x` an odd number of times:
/// with `x` the unescaped quotes, the bytes inside strings (opening quote included,
/// closing quote not).
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The bytes escaped by a backslash (the byte after an odd run of backslashes), given
/// the block's backslashes; `carry` says whether the block's first byte is escaped
/// and is updated for the next block. This is simdjson's branch-free method: a run of
/// backslashes starting on an even byte is told from one starting on an odd byte by a
/// subtraction that carries through the run.
#[inline]
fn escaped_bytes(backslash: u64, carry: &mut u64) -> u64 {
    if backslash == 0 {
        return std::mem::take(carry);
    }
    let potential_escape = backslash & !*carry;
    let maybe_escaped_and_odd = (potential_escape << 1) | ODD_BITS;
    let escape_and_terminal = maybe_escaped_and_odd.wrapping_sub(potential_escape) ^ ODD_BITS;
    let escaped = escape_and_terminal ^ (backslash | *carry);
    *carry = (escape_and_terminal & backslash) >> 63;
    escaped
}

/// The masks of one block.
#[inline]
fn classify(block: &[u8; BLOCK]) -> Masks {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::classify(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_portable(block)
    }
}

/// The masks of one block, a byte at a time (other architectures, and the tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_portable(block: &[u8; BLOCK]) -> Masks {
    let mut masks = Masks {
        quote: 0,
        backslash: 0,
        bracket: 0,
    };
    for (i, &byte) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match byte {
            b'"' => masks.quote |= bit,
            b'\\' => masks.backslash |= bit,
            b'{' | b'[' | b'}' | b']' => masks.bracket |= bit,
            _ => {}
        }
    }
    masks
}

/// The SSE2 classification of a block.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{BLOCK, Masks};
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    #[inline]
    pub(super) fn classify(block: &[u8; BLOCK]) -> Masks {
        let mut masks = Masks {
            quote: 0,
            backslash: 0,
            bracket: 0,
        };
        // SAFETY: SSE2 is part of the x86-64 baseline; each load reads 16 of the
        // block's 64 bytes (unaligned loads are allowed).
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let case = _mm_set1_epi8(0x20);
            let open = _mm_set1_epi8(b'{' as i8);
            let close = _mm_set1_epi8(b'}' as i8);
            for part in 0..BLOCK / 16 {
                let bytes = _mm_loadu_si128(block.as_ptr().add(part * 16).cast::<__m128i>());
                let shift = part * 16;
                masks.quote |=
                    u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote)) as u16) << shift;
                masks.backslash |=
                    u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, backslash)) as u16) << shift;
                // `[` and `]` are `{` and `}` without bit 5.
                let folded = _mm_or_si128(bytes, case);
                let brackets =
                    _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close));
                masks.bracket |= u64::from(_mm_movemask_epi8(brackets) as u16) << shift;
            }
        }
        masks
    }
}

/// The AVX2 and carry-less multiply kernels.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{BLOCK, Masks, SkipError, skip_with};
    use std::arch::x86_64::{
        __m256i, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x, _mm_set1_epi8,
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };

    /// [`super::skip_container`] compiled for AVX2 and PCLMULQDQ.
    ///
    /// # Safety
    /// The processor must have AVX2 and PCLMULQDQ.
    #[target_feature(enable = "avx2,pclmulqdq")]
    pub(super) unsafe fn skip_container(
        bytes: &[u8],
        start: usize,
        depth: usize,
    ) -> Result<usize, SkipError> {
        skip_with::<true>(bytes, start, depth)
    }

    /// The masks of one block, 32 bytes at a time.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn classify(block: &[u8; BLOCK]) -> Masks {
        let mut masks = Masks {
            quote: 0,
            backslash: 0,
            bracket: 0,
        };
        // SAFETY: AVX2 is there (the caller's promise); each load reads 32 of the
        // block's 64 bytes (unaligned loads are allowed).
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
                masks.quote |= bits(_mm256_cmpeq_epi8(bytes, quote));
                masks.backslash |= bits(_mm256_cmpeq_epi8(bytes, backslash));
                let folded = _mm256_or_si256(bytes, case);
                masks.bracket |= bits(_mm256_or_si256(
                    _mm256_cmpeq_epi8(folded, open),
                    _mm256_cmpeq_epi8(folded, close),
                ));
            }
        }
        masks
    }

    /// [`super::prefix_xor`] as one carry-less multiply by all ones.
    ///
    /// # Safety
    /// The processor must have PCLMULQDQ.
    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    pub(super) unsafe fn prefix_xor(x: u64) -> u64 {
        // SAFETY: PCLMULQDQ is there (the caller's promise); SSE2 is baseline. (Rust
        // 1.87 and later call these intrinsics safely here; older ones need the block.)
        #[allow(unused_unsafe)]
        unsafe {
            let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set1_epi8(-1), 0);
            _mm_cvtsi128_si64(product) as u64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of the container at 0 found a byte at a time, or `None`: a quote after
    /// an odd run of backslashes delimits nothing; brackets count outside strings.
    fn reference(bytes: &[u8]) -> Option<usize> {
        let mut stack = Vec::new();
        let mut in_string = false;
        let mut backslashes = 0usize;
        for (i, &byte) in bytes.iter().enumerate() {
            let escaped = backslashes % 2 == 1;
            backslashes = if byte == b'\\' { backslashes + 1 } else { 0 };
            match byte {
                b'"' if !escaped => in_string = !in_string,
                b'{' | b'[' if !in_string => {
                    if stack.len() + 1 >= NESTING_LIMIT {
                        return None;
                    }
                    stack.push(byte);
                }
                b'}' | b']' if !in_string => {
                    let want = if byte == b'}' { b'{' } else { b'[' };
                    if stack.pop() != Some(want) {
                        return None;
                    }
                    if stack.is_empty() {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    #[test]
    fn agrees_with_a_byte_at_a_time_walk() {
        // Deterministic pseudo-random texts over the bytes that matter, long enough
        // to cross several blocks with strings and backslash runs on both sides.
        let alphabet = b"{}[]\"\\\\\\ax:,";
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for case in 0..20_000 {
            let len = 1 + case % 300;
            let mut text = vec![b'['];
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let ours = skip_container(&text, 0, 0).ok();
            assert_eq!(
                ours,
                reference(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
            let baseline = skip_with::<false>(&text, 0, 0).ok();
            assert_eq!(baseline, ours, "{:?}", String::from_utf8_lossy(&text));
        }
    }

    #[test]
    fn escapes_and_strings_across_blocks() {
        for pad in 0..130 {
            for run in 0..6 {
                // A string holding `run` backslashes before a quote, then `]`.
                let mut text = String::from("[");
                text.push_str(&" ".repeat(pad));
                text.push('"');
                text.push_str(&"\\".repeat(run));
                text.push_str("\"]\"]");
                let bytes = text.as_bytes();
                assert_eq!(
                    skip_container(bytes, 0, 0).ok(),
                    reference(bytes),
                    "{pad} {run}"
                );
            }
        }
    }

    #[test]
    fn classification_matches_the_portable_one() {
        let mut block = [0u8; BLOCK];
        for round in 0..256usize {
            for (i, byte) in block.iter_mut().enumerate() {
                *byte = (i * 7 + round * 13) as u8;
            }
            let (fast, slow) = (classify(&block), classify_portable(&block));
            assert_eq!(
                (fast.quote, fast.backslash, fast.bracket),
                (slow.quote, slow.backslash, slow.bracket)
            );
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
                // SAFETY: both features are there (checked just above).
                let wide = unsafe { avx2::classify(&block) };
                assert_eq!(
                    (wide.quote, wide.backslash, wide.bracket),
                    (slow.quote, slow.backslash, slow.bracket)
                );
                let word = slow.quote ^ (slow.bracket << 3) ^ round as u64;
                // SAFETY: as above.
                assert_eq!(unsafe { avx2::prefix_xor(word) }, prefix_xor(word));
            }
        }
    }

    #[test]
    fn depth_limit_and_kinds() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(skip_container(deep(127).as_bytes(), 0, 0).is_ok());
        assert!(skip_container(deep(128).as_bytes(), 0, 0).is_err());
        assert!(skip_container(deep(126).as_bytes(), 0, 1).is_ok());
        assert!(skip_container(deep(127).as_bytes(), 0, 1).is_err());
        assert!(skip_container(b"[}", 0, 0).is_err());
        assert!(skip_container(b"{]", 0, 0).is_err());
        assert!(skip_container(b"[\"]", 0, 0).is_err());
        assert_eq!(skip_container(b"{\"a\":[1,\"}\"]} tail", 0, 0), Ok(13));
        assert!(skip_container("[".repeat(100_000).as_bytes(), 0, 0).is_err());
    }
}
