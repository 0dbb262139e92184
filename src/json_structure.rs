//! Skipping a JSON array or object by its structure and its characters: where it ends,
//! without parsing what is inside.
//!
//! [`skip_container`] finds the bracket that closes the one at a given position, and
//! checks on the way what can be checked byte by byte:
//!
//! - strings (a quote after an odd run of backslashes does not end one) and brackets
//!   outside strings, of matching kinds (`{` closes with `}`, `[` with `]`), nested no
//!   deeper than serde_json allows;
//! - outside strings, only the characters JSON has there: whitespace, `{}[],:"`,
//!   digits, `-+.eE` and the letters of `true`, `false` and `null` — so `NaN`,
//!   `Infinity`, a backslash or stray text fail;
//! - inside strings, no raw control character;
//! - UTF-8.
//!
//! It does not check the order of the tokens (commas, colons, keys), the spelling of
//! literals and numbers (`tru`, `1-2`) or escapes (`\x`): whoever parses the value gets
//! those checks then.
//!
//! It runs like the first stage of simdjson: 64 bytes at a time, each classified into
//! bit masks (quotes, backslashes, brackets, characters allowed outside strings,
//! control characters, non-ASCII bytes) with AVX2 table lookups, then escaped quotes
//! removed and the inside of strings found with a carry-less multiply (prefix XOR);
//! only brackets outside strings are visited one by one. Processors without AVX2 and
//! PCLMULQDQ (checked once, at run time) classify a byte at a time. UTF-8 is checked
//! only for a value holding a non-ASCII byte. No recursion, no allocation: the kinds of
//! the open brackets fit one `u128`, since nesting stops at 128 levels.

use crate::json_skip::{NESTING_LIMIT, SkipError};

/// Bytes classified at a time.
pub(crate) const BLOCK: usize = 64;

/// Every odd bit of a mask (bytes 1, 3, 5, …).
const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// The bytes JSON allows outside strings.
const ALLOWED_OUTSIDE_STRINGS: &[u8] = b" \t\n\r{}[],:\"0123456789-+.eEtruefalsn";

/// Classes of a byte, by table lookup on its two nibbles: bits 0 to 6 are set for an
/// allowed byte whose high nibble is 0, 2, 3, …, 7 (no allowed byte has 1 or more than
/// 7), bit 7 for a control character (high nibble 0 or 1). `LOW[b & 15] & HIGH[b >> 4]` is non-zero
/// in bits 0-6 exactly for the allowed bytes, in bit 7 exactly for control characters.
const CONTROL: u8 = 0x80;
const LOW: [u8; 16] = nibble_tables().0;
const HIGH: [u8; 16] = nibble_tables().1;

const fn nibble_tables() -> ([u8; 16], [u8; 16]) {
    let mut low = [CONTROL; 16];
    let mut high = [0u8; 16];
    high[0] = CONTROL;
    high[1] = CONTROL;
    let mut i = 0;
    while i < ALLOWED_OUTSIDE_STRINGS.len() {
        let byte = ALLOWED_OUTSIDE_STRINGS[i];
        let high_nibble = byte >> 4;
        let group = 1u8 << high_nibble.saturating_sub(1);
        low[(byte & 15) as usize] |= group;
        high[(byte >> 4) as usize] |= group;
        i += 1;
    }
    (low, high)
}

/// The bit masks of one block: bit `i` describes byte `i`.
#[derive(Default)]
struct Masks {
    /// `"`.
    quote: u64,
    /// `\`.
    backslash: u64,
    /// `{`, `[`, `}` and `]`.
    bracket: u64,
    /// Bytes JSON does not allow outside strings.
    not_allowed: u64,
    /// Control characters (below 0x20).
    control: u64,
    /// Bytes above 0x7F.
    non_ascii: u64,
}

/// Skips the array or object whose opening bracket is at `start` in `bytes` (which
/// must hold `{` or `[` there), itself nested inside `depth` arrays/objects; returns
/// the position just after its closing bracket. Fails on what the module
/// documentation lists, and when `bytes` ends before the container does.
pub(crate) fn skip_container(bytes: &[u8], start: usize, depth: usize) -> Result<usize, SkipError> {
    debug_assert!(matches!(bytes.get(start), Some(b'{' | b'[')));
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: the processor has both features (checked just above).
        return unsafe { avx2::skip_container(bytes, start, depth) };
    }
    skip_with::<false>(bytes, start, depth)
}

/// The bits of a mask up to and including bit `at`.
#[inline]
fn through(at: usize) -> u64 {
    u64::MAX >> (63 - at)
}

/// [`skip_container`] with the AVX2 kernels when `AVX2` (only valid where the
/// processor has AVX2 and PCLMULQDQ), the portable ones otherwise.
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
    let mut non_ascii = false;
    let mut padded = [b' '; BLOCK];
    while pos < bytes.len() {
        let block = block_at(bytes, pos, &mut padded);
        let (masks, inside) = classify_block::<AVX2>(block, &mut escaped_carry);
        let in_string = inside ^ in_string_carry;
        in_string_carry = ((in_string as i64) >> 63) as u64;
        // Wrong bytes of this block (only those before the closing bracket count).
        let wrong = (masks.control & in_string) | (masks.not_allowed & !in_string);
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
                    let end = pos + at + 1;
                    check_bytes(wrong & through(at), pos, in_string)?;
                    non_ascii |= masks.non_ascii & through(at) != 0;
                    if non_ascii {
                        check_utf8(bytes, start, end)?;
                    }
                    return Ok(end);
                }
            }
        }
        check_bytes(wrong, pos, in_string)?;
        non_ascii |= masks.non_ascii != 0;
        pos += BLOCK;
    }
    Err(SkipError {
        what: "EOF while parsing a container",
        at: bytes.len(),
    })
}

/// The masks of a block and its bytes inside strings, if the block starts outside one
/// (`escaped_carry` as for [`escaped_bytes`]): with the AVX2 kernels when `AVX2`.
#[inline(always)]
fn classify_block<const AVX2: bool>(block: &[u8; BLOCK], escaped_carry: &mut u64) -> (Masks, u64) {
    #[cfg(target_arch = "x86_64")]
    let masks = if AVX2 {
        // SAFETY: `AVX2` is only set by `avx2::skip_container`, which runs where the
        // processor has AVX2 and PCLMULQDQ.
        unsafe { avx2::classify(block) }
    } else {
        classify_portable(block)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let masks = classify_portable(block);
    let inside = inside_strings::<AVX2>(masks.quote, masks.backslash, escaped_carry);
    (masks, inside)
}

/// The 64 bytes of `bytes` at `pos`, or its last bytes there padded with spaces (which
/// JSON allows outside strings, and which are never structure) in `padded`.
#[inline(always)]
pub(crate) fn block_at<'a>(
    bytes: &'a [u8],
    pos: usize,
    padded: &'a mut [u8; BLOCK],
) -> &'a [u8; BLOCK] {
    match bytes.get(pos..pos + BLOCK) {
        Some(full) => full.try_into().unwrap_or(padded),
        None => {
            let rest = &bytes[pos..];
            padded[..rest.len()].copy_from_slice(rest);
            padded[rest.len()..].fill(b' ');
            padded
        }
    }
}

/// The bytes of a block inside strings (opening quote included, closing quote not),
/// if the block starts outside one, given its quotes and backslashes (`escaped_carry`
/// as for [`escaped_bytes`]): the prefix XOR as a carry-less multiply when `AVX2` (only
/// valid where the processor has PCLMULQDQ).
#[inline(always)]
pub(crate) fn inside_strings<const AVX2: bool>(
    quote: u64,
    backslash: u64,
    escaped_carry: &mut u64,
) -> u64 {
    let quotes = quote & !escaped_bytes(backslash, escaped_carry);
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is only set by kernels that run where the processor has
        // PCLMULQDQ.
        return unsafe { avx2::prefix_xor(quotes) };
    }
    prefix_xor(quotes)
}

/// Fails at the first wrong byte of the block at `pos`, if any.
#[inline]
fn check_bytes(wrong: u64, pos: usize, in_string: u64) -> Result<(), SkipError> {
    if wrong == 0 {
        return Ok(());
    }
    let at = wrong.trailing_zeros() as usize;
    Err(SkipError {
        what: if (in_string >> at) & 1 == 1 {
            "control character in a string"
        } else {
            "a character JSON does not allow outside strings"
        },
        at: pos + at,
    })
}

/// Checks that the value at `start..end` is UTF-8.
#[cold]
fn check_utf8(bytes: &[u8], start: usize, end: usize) -> Result<(), SkipError> {
    std::str::from_utf8(&bytes[start..end])
        .map(|_| ())
        .map_err(|e| SkipError {
            what: "invalid UTF-8",
            at: start + e.valid_up_to(),
        })
}

/// Each bit set in the result is at or after a set bit of `x` an odd number of times:
/// with `x` the unescaped quotes, the bytes inside strings (opening quote included,
/// closing quote not).
#[inline]
pub(crate) fn prefix_xor(mut x: u64) -> u64 {
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
pub(crate) fn escaped_bytes(backslash: u64, carry: &mut u64) -> u64 {
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

/// The masks of one block, a byte at a time.
fn classify_portable(block: &[u8; BLOCK]) -> Masks {
    let mut masks = Masks::default();
    for (i, &byte) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match byte {
            b'"' => masks.quote |= bit,
            b'\\' => masks.backslash |= bit,
            b'{' | b'[' | b'}' | b']' => masks.bracket |= bit,
            _ => {}
        }
        let class = LOW[usize::from(byte & 15)] & HIGH[usize::from(byte >> 4)];
        if class & !CONTROL == 0 {
            masks.not_allowed |= bit;
        }
        if class & CONTROL != 0 {
            masks.control |= bit;
        }
        if byte >= 0x80 {
            masks.non_ascii |= bit;
        }
    }
    masks
}

/// The AVX2 and carry-less multiply kernels.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use super::{BLOCK, CONTROL, HIGH, LOW, Masks, SkipError, skip_with};
    use std::arch::x86_64::{
        __m256i, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_set_epi64x,
        _mm_set1_epi8, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
        _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
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
        let mut masks = Masks::default();
        // SAFETY: AVX2 is there (the caller's promise); each 32-byte load reads inside
        // the block, each 16-byte load inside a table (unaligned loads are allowed).
        unsafe {
            let quote = _mm256_set1_epi8(b'"' as i8);
            let backslash = _mm256_set1_epi8(b'\\' as i8);
            let case = _mm256_set1_epi8(0x20);
            let open = _mm256_set1_epi8(b'{' as i8);
            let close = _mm256_set1_epi8(b'}' as i8);
            let nibble = _mm256_set1_epi8(0x0F);
            let allowed_bits = _mm256_set1_epi8(!CONTROL as i8);
            let low_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(LOW.as_ptr().cast()));
            let high_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(HIGH.as_ptr().cast()));
            for part in 0..BLOCK / 32 {
                let bytes = _mm256_loadu_si256(block.as_ptr().add(part * 32).cast::<__m256i>());
                let shift = part * 32;
                let bits = |m: __m256i| u64::from(_mm256_movemask_epi8(m) as u32) << shift;
                masks.quote |= bits(_mm256_cmpeq_epi8(bytes, quote));
                masks.backslash |= bits(_mm256_cmpeq_epi8(bytes, backslash));
                // `[` and `]` are `{` and `}` without bit 5.
                let folded = _mm256_or_si256(bytes, case);
                masks.bracket |= bits(_mm256_or_si256(
                    _mm256_cmpeq_epi8(folded, open),
                    _mm256_cmpeq_epi8(folded, close),
                ));
                let low = _mm256_and_si256(bytes, nibble);
                let high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble);
                let class = _mm256_and_si256(
                    _mm256_shuffle_epi8(low_table, low),
                    _mm256_shuffle_epi8(high_table, high),
                );
                masks.not_allowed |= bits(_mm256_cmpeq_epi8(
                    _mm256_and_si256(class, allowed_bits),
                    _mm256_setzero_si256(),
                ));
                masks.control |= bits(class);
                masks.non_ascii |= bits(bytes);
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
    pub(crate) unsafe fn prefix_xor(x: u64) -> u64 {
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
pub(crate) mod tests {
    use super::*;

    /// The end of the container at 0 found a byte at a time, or `None`: a quote after
    /// an odd run of backslashes delimits nothing; brackets count outside strings;
    /// outside strings only JSON's characters, inside no control character; UTF-8.
    fn reference(bytes: &[u8]) -> Option<usize> {
        let mut stack = Vec::new();
        let mut in_string = false;
        let mut backslashes = 0usize;
        for (i, &byte) in bytes.iter().enumerate() {
            let escaped = backslashes % 2 == 1;
            backslashes = if byte == b'\\' { backslashes + 1 } else { 0 };
            if in_string && byte < 0x20 {
                return None;
            }
            if !in_string && !ALLOWED_OUTSIDE_STRINGS.contains(&byte) {
                return None;
            }
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
                        return std::str::from_utf8(&bytes[..=i]).ok().map(|_| i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Both kernels (where the processor has AVX2) on `text`.
    fn both(text: &[u8]) -> Option<usize> {
        let portable = skip_with::<false>(text, 0, 0).ok();
        assert_eq!(
            skip_container(text, 0, 0).ok(),
            portable,
            "{:?}",
            String::from_utf8_lossy(text)
        );
        portable
    }

    #[test]
    fn agrees_with_a_byte_at_a_time_walk() {
        for text in random_texts(&ALPHABETS, 300) {
            assert_eq!(
                both(&text),
                reference(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    /// The bytes that matter to a skipper, mixed differently.
    pub(crate) const ALPHABETS: [&[u8]; 3] = [
        b"{}[]\"\\\\\\ax:,",
        b"{}[]\"\"\\  ,:1e\x01\xc3\xa9N",
        b"{}[]\"\"\"\\\\\\\\,,::nul",
    ];

    /// 30,000 deterministic pseudo-random texts over `alphabets` (in turn), each `[`
    /// and then 1 to `longest` bytes: long enough to cross several blocks with strings
    /// and backslash runs on both sides.
    pub(crate) fn random_texts<'a>(
        alphabets: &'a [&'a [u8]],
        longest: usize,
    ) -> impl Iterator<Item = Vec<u8>> + 'a {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        (0..30_000).map(move |case| {
            let alphabet = alphabets[case % alphabets.len()];
            let mut text = vec![b'['];
            for _ in 0..1 + case % longest {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            text
        })
    }

    /// Texts with `run` backslashes before a quote inside a string, then `]`, at every
    /// place of a block: escapes across 64-byte boundaries.
    pub(crate) fn escaped_quote_texts() -> impl Iterator<Item = String> {
        (0..130).flat_map(|pad| {
            (0..6).map(move |run| format!("[{}\"{}\"]\"]", " ".repeat(pad), "\\".repeat(run)))
        })
    }

    #[test]
    fn escapes_and_strings_across_blocks() {
        for text in escaped_quote_texts() {
            assert_eq!(both(text.as_bytes()), reference(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn classification_matches_the_tables() {
        let mut block = [0u8; BLOCK];
        for round in 0..256usize {
            for (i, byte) in block.iter_mut().enumerate() {
                *byte = (i * 7 + round * 13) as u8;
            }
            let slow = classify_portable(&block);
            for (i, &byte) in block.iter().enumerate() {
                let bit = |mask: u64| (mask >> i) & 1 == 1;
                assert_eq!(
                    bit(slow.not_allowed),
                    !ALLOWED_OUTSIDE_STRINGS.contains(&byte)
                );
                assert_eq!(bit(slow.control), byte < 0x20);
                assert_eq!(bit(slow.non_ascii), byte >= 0x80);
            }
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
                // SAFETY: both features are there (checked just above).
                let wide = unsafe { avx2::classify(&block) };
                assert_eq!(
                    (
                        wide.quote,
                        wide.backslash,
                        wide.bracket,
                        wide.not_allowed,
                        wide.control,
                        wide.non_ascii
                    ),
                    (
                        slow.quote,
                        slow.backslash,
                        slow.bracket,
                        slow.not_allowed,
                        slow.control,
                        slow.non_ascii
                    )
                );
                let word = slow.quote ^ (slow.bracket << 3) ^ round as u64;
                // SAFETY: as above.
                assert_eq!(unsafe { avx2::prefix_xor(word) }, prefix_xor(word));
            }
        }
    }

    #[test]
    fn depth_limit_kinds_and_characters() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(both(deep(127).as_bytes()).is_some());
        assert!(both(deep(128).as_bytes()).is_none());
        assert!(skip_container(deep(126).as_bytes(), 0, 1).is_ok());
        assert!(skip_container(deep(127).as_bytes(), 0, 1).is_err());
        for wrong in [
            &b"[}"[..],
            b"{]",
            b"[\"]",
            b"[NaN]",
            b"[1,Infinity]",
            b"{\"a\":\"\x01\"}",
            b"[\"\xff\"]",
            b"[<html>]",
            b"[\\\"]",
        ] {
            assert_eq!(both(wrong), None, "{:?}", String::from_utf8_lossy(wrong));
        }
        // After the closing bracket anything may follow.
        assert_eq!(both(b"{\"a\":[1,\"}\"]} NaN \xff"), Some(13));
        assert_eq!(both("[\"é\", tru, 1-2]".as_bytes()), Some(16));
        assert!(skip_container("[".repeat(100_000).as_bytes(), 0, 0).is_err());
    }
}
