//! Verifying the signature of a Zendesk webhook request.
//!
//! Zendesk signs every webhook request it sends: the header
//! `X-Zendesk-Webhook-Signature` holds the base64 HMAC-SHA256 of the
//! `X-Zendesk-Webhook-Signature-Timestamp` header's value followed by the raw request
//! body, keyed with the webhook's signing secret. [`verify`] recomputes it over the
//! raw bytes (never over re-serialised JSON), compares the tags in constant time and
//! refuses a timestamp further from now than the tolerance (a replayed request).

use crate::error::{Error, ErrorKind, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The header holding the signature.
pub const SIGNATURE_HEADER: &str = "X-Zendesk-Webhook-Signature";
/// The header holding the signed timestamp.
pub const TIMESTAMP_HEADER: &str = "X-Zendesk-Webhook-Signature-Timestamp";
/// How far the timestamp may be from now by default (five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// A signature header longer than this is refused before decoding (a real one is 44
/// characters: 32 bytes in base64).
const MAX_SIGNATURE_LEN: usize = 256;

/// Checks a webhook request: `Ok` when `signature` is the base64 HMAC-SHA256 of
/// `timestamp` followed by `body` under `secret`, and `timestamp` is within
/// `tolerance` of `now` (either side, for clock skew).
///
/// A request that fails the check (wrong signature, altered body, wrong secret, a
/// signature that is not base64, a timestamp that is not a time or is too old or too
/// far ahead) is an [`ErrorKind::Authentication`] error saying which. An empty secret
/// is an [`ErrorKind::InvalidArgument`] error. No message contains the secret.
///
/// The timestamp is the header's text as Zendesk sent it (RFC 3339 UTC, as in
/// `2026-06-09T16:42:11Z`; a plain number of Unix seconds is read too): it is signed
/// as it is, so it must not be reformatted.
pub fn verify(
    body: &[u8],
    signature: &str,
    timestamp: &str,
    secret: &str,
    tolerance: Duration,
    now: SystemTime,
) -> Result<()> {
    if secret.is_empty() {
        return Err(Error::invalid(
            "the webhook signing secret is empty: pass the secret shown on the webhook's page",
        ));
    }
    let refused = |why: &str| Error::new(ErrorKind::Authentication, format!("webhook {why}"));
    let signature = signature.trim();
    if signature.is_empty() || signature.len() > MAX_SIGNATURE_LEN {
        return Err(refused("signature is missing or too long"));
    }
    let tag = decode_base64(signature).ok_or_else(|| refused("signature is not base64"))?;
    let sent_at = parse_timestamp(timestamp)
        .ok_or_else(|| refused("timestamp is not an RFC 3339 time (2026-06-09T16:42:11Z)"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| Error::invalid("the webhook signing secret cannot key HMAC-SHA256"))?;
    mac.update(timestamp.as_bytes());
    mac.update(body);
    // `verify_slice` compares in constant time (and refuses a tag of another length).
    mac.verify_slice(&tag)
        .map_err(|_| refused("signature does not match the body, timestamp and secret"))?;
    let skew = match now.duration_since(sent_at) {
        Ok(age) => age,
        Err(ahead) => ahead.duration(),
    };
    if skew > tolerance {
        return Err(refused(&format!(
            "timestamp is {} s away from now, more than the tolerance of {} s (a replayed \
             request, or a clock that is off)",
            skew.as_secs(),
            tolerance.as_secs_f64()
        )));
    }
    Ok(())
}

/// The signature Zendesk would send for `body` at `timestamp` under `secret`
/// (base64 HMAC-SHA256), for tests and for emulating Zendesk.
pub fn sign(body: &[u8], timestamp: &str, secret: &str) -> Result<String> {
    use base64::Engine;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| Error::invalid("the webhook signing secret cannot key HMAC-SHA256"))?;
    mac.update(timestamp.as_bytes());
    mac.update(body);
    Ok(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// Standard base64 with padding, strictly (no whitespace, no URL-safe alphabet).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// A webhook timestamp: RFC 3339 (`2026-06-09T16:42:11Z`, fractional seconds and a
/// `±HH:MM` offset accepted) or whole Unix seconds. `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return UNIX_EPOCH.checked_add(Duration::from_secs(text.parse().ok()?));
    }
    let seconds = rfc3339_unix_seconds(text)?;
    let whole = u64::try_from(seconds).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(whole))
}

/// Unix seconds of an RFC 3339 date-time (fractions of a second dropped).
fn rfc3339_unix_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let (sign, hhmm) = match rest.as_bytes().first()? {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => return None,
            };
            let (h, m) = hhmm.split_once(':')?;
            let valid = |s: &str| s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit());
            if !valid(h) || !valid(m) {
                return None;
            }
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
    const STAMP: &str = "2026-06-09T16:42:11Z";
    const BODY: &[u8] = br#"{"ticket":{"id":1}}"#;

    fn at(stamp: &str) -> SystemTime {
        parse_timestamp(stamp).unwrap()
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_fails() {
        let signature = sign(BODY, STAMP, SECRET).unwrap();
        let now = at(STAMP) + Duration::from_secs(10);
        verify(BODY, &signature, STAMP, SECRET, DEFAULT_TOLERANCE, now).unwrap();
        let fails = |body: &[u8], sig: &str, stamp: &str, secret: &str| {
            verify(body, sig, stamp, secret, DEFAULT_TOLERANCE, now)
                .unwrap_err()
                .kind()
        };
        assert_eq!(
            fails(b"{\"ticket\":{\"id\":2}}", &signature, STAMP, SECRET),
            ErrorKind::Authentication
        );
        assert_eq!(
            fails(BODY, &signature, STAMP, "another"),
            ErrorKind::Authentication
        );
        assert_eq!(
            fails(BODY, &signature, "2026-06-09T16:42:12Z", SECRET),
            ErrorKind::Authentication
        );
        assert_eq!(
            fails(BODY, "not base64!", STAMP, SECRET),
            ErrorKind::Authentication
        );
        assert_eq!(
            fails(BODY, &signature, STAMP, ""),
            ErrorKind::InvalidArgument
        );
        let error = verify(BODY, "x", STAMP, SECRET, DEFAULT_TOLERANCE, now).unwrap_err();
        assert!(!error.message().contains(SECRET));
    }

    #[test]
    fn the_timestamp_must_be_within_the_tolerance_either_side() {
        let signature = sign(BODY, STAMP, SECRET).unwrap();
        let check = |offset: i64| {
            let now = if offset >= 0 {
                at(STAMP) + Duration::from_secs(offset as u64)
            } else {
                at(STAMP) - Duration::from_secs(offset.unsigned_abs())
            };
            verify(BODY, &signature, STAMP, SECRET, DEFAULT_TOLERANCE, now).is_ok()
        };
        assert!(check(0) && check(300) && check(-300));
        assert!(!check(301) && !check(-301) && !check(86_400));
    }

    #[test]
    fn timestamps_parse_as_rfc3339_or_unix_seconds() {
        assert_eq!(rfc3339_unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_unix_seconds("2026-06-09T16:42:11Z"),
            Some(1_781_023_331)
        );
        assert_eq!(
            rfc3339_unix_seconds("2026-06-09T18:42:11.250+02:00"),
            Some(1_781_023_331)
        );
        assert_eq!(
            parse_timestamp("1781023331"),
            parse_timestamp("2026-06-09T16:42:11Z")
        );
        for bad in [
            "",
            "yesterday",
            "2026-02-30T00:00:00Z",
            "2026-06-09T16:42:11",
            "2026-06-09T25:00:00Z",
            "2026-06-09T16:42:11+2:00",
            "２０２６-06-09T16:42:11Z",
            "99999999999999999999",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }
}
