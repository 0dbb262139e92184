//! Property tests: the parsers that read what a server sends, and the validation of
//! what a caller passes, never panic on arbitrary input and keep their invariants.
//!
//! `make test` runs a bounded number of cases (proptest's default, 256 per property);
//! `make fuzz` runs the same properties with `PROPTEST_CASES` set much higher.

use proptest::prelude::*;
use std::time::Duration;
use zdkit::error::ZendeskErrorBody;
use zdkit::iterate::{find_items_key, parse_link_next};
use zdkit::ratelimit::{MAX_RETRY_AFTER, RateLimit, parse_retry_after};
use zdkit::{Client, Config, Headers};

/// Text that looks like what servers send, with the awkward characters included.
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[0-9eE.+-]{0,30}",
        "[ a-z=;,0-9]{0,40}",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
    ]
}

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        let key = prop_oneof![
            Just("error".to_owned()),
            Just("errors".to_owned()),
            Just("description".to_owned()),
            Just("details".to_owned()),
            Just("message".to_owned()),
            Just("title".to_owned()),
            Just("code".to_owned()),
            Just("detail".to_owned()),
            ".{0,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Any body, JSON or not, gives an error description without control characters
    /// and of bounded length when it is not JSON.
    #[test]
    fn error_envelopes_never_panic(body in prop::collection::vec(any::<u8>(), 0..600)) {
        let parsed = ZendeskErrorBody::parse(&body);
        if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
            prop_assert!(parsed.code.is_none());
            if let Some(description) = parsed.description {
                prop_assert!(description.chars().count() <= 301);
                prop_assert!(!description.chars().any(char::is_control));
            }
        }
    }

    /// Any JSON shape gives an answer; a string `error` with a description is the code.
    #[test]
    fn error_envelope_shapes(value in json_value(), code in "[A-Za-z_]{1,20}", text in ".{1,30}") {
        let _ = ZendeskErrorBody::parse(value.to_string().as_bytes());
        let body = serde_json::json!({"error": code, "description": text});
        let parsed = ZendeskErrorBody::parse(body.to_string().as_bytes());
        prop_assert_eq!(parsed.code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(parsed.description.as_deref(), Some(text.as_str()));
    }

    /// Rate-limit headers of any content never panic, and the reset hint is bounded.
    #[test]
    fn rate_limit_headers_never_panic(
        pairs in prop::collection::vec((prop_oneof![
            Just("ratelimit-reset".to_owned()),
            Just("ratelimit-remaining".to_owned()),
            Just("X-Rate-Limit".to_owned()),
            Just("zendesk-ratelimit-tickets-index".to_owned()),
            Just("Zendesk-Rate-Limit-x".to_owned()),
            "[a-z-]{1,20}",
        ], header_text()), 0..8)
    ) {
        let mut headers = Headers::new();
        for (name, value) in &pairs {
            headers.push(name.as_str(), value.as_str());
        }
        let rate = RateLimit::from_headers(&headers);
        if let Some(hint) = rate.reset_hint() {
            prop_assert!(hint <= MAX_RETRY_AFTER);
        }
    }

    /// A well-formed endpoint bucket reads back exactly.
    #[test]
    fn endpoint_buckets_round_trip(total in any::<u64>(), remaining in any::<u64>(), resets in any::<u64>()) {
        let mut headers = Headers::new();
        headers.push(
            "zendesk-ratelimit-search",
            format!("total={total}; remaining={remaining}; resets={resets}"),
        );
        let rate = RateLimit::from_headers(&headers);
        prop_assert_eq!(rate.endpoints.len(), 1);
        prop_assert_eq!(rate.endpoints[0].total, Some(total));
        prop_assert_eq!(rate.endpoints[0].remaining, Some(remaining));
        prop_assert_eq!(rate.endpoints[0].resets, Some(resets));
        prop_assert!(rate.reset_hint().unwrap() <= MAX_RETRY_AFTER);
    }

    /// `Retry-After` never panics and never exceeds the cap; whole seconds read back.
    #[test]
    fn retry_after_is_bounded(value in header_text(), seconds in 0u64..100_000) {
        if let Some(wait) = parse_retry_after(&value) {
            prop_assert!(wait <= MAX_RETRY_AFTER);
        }
        prop_assert_eq!(
            parse_retry_after(&seconds.to_string()),
            Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
        );
    }

    /// The `Link` parser never panics, and finds the next link among others whatever
    /// commas and semicolons its URL holds.
    #[test]
    fn link_headers(
        noise in ".{0,60}",
        url in "https://[a-z]{1,8}\\.test/[a-z0-9,;=&?/]{0,30}",
        before in prop::option::of("https://[a-z]{1,8}\\.test/[a-z0-9,;]{0,10}"),
        title in "[a-z ,;]{0,10}",
    ) {
        let _ = parse_link_next(&noise);
        let mut header = String::new();
        if let Some(before) = &before {
            header.push_str(&format!("<{before}>; rel=\"prev\"; title=\"{title}\", "));
        }
        header.push_str(&format!("<{url}>; title=\"{title}\"; rel=\"next\""));
        prop_assert_eq!(parse_link_next(&header), Some(url));
    }

    /// The items key is always the name of an array in the page.
    #[test]
    fn items_key_names_a_list(path in "/[a-z/._0-9]{0,30}", page in json_value()) {
        if let Some(key) = find_items_key(&path, &page) {
            prop_assert!(page.get(&key).is_some_and(serde_json::Value::is_array));
        }
    }

    /// Whatever the target, a resolved URL stays on the client's origin, carries no
    /// credentials and no fragment.
    #[test]
    fn resolved_urls_stay_on_the_origin(
        target in prop_oneof![
            ".{0,40}",
            "[/\\\\]{0,3}[a-z.:@%?#=/\\\\]{0,30}",
            "https?://[a-z@:.]{0,20}/[a-z?=:/]{0,10}",
        ],
        query in prop::collection::vec((".{0,8}", ".{0,8}"), 0..3),
    ) {
        let client = Client::new(
            Config::builder()
                .subdomain("acme")
                .oauth_token("canary-token")
                .build()
                .unwrap(),
        )
        .unwrap();
        if let Ok(url) = client.resolve_url(&target, &query) {
            prop_assert_eq!(url.origin().ascii_serialization(), "https://acme.zendesk.com");
            prop_assert!(url.username().is_empty() && url.password().is_none());
            prop_assert!(url.fragment().is_none());
        }
    }
}

/// Random page-like documents: the paging keys with values of any type (so wrong types
/// come up), items arrays, big integers, nesting, duplicate-free objects.
fn page_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<u64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        "[a-z:/.?=&%0-9\"\\\\\u{e9}\u{1F600}]{0,12}".prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(5, 48, 6, |inner| {
        let key = prop_oneof![
            Just("meta".to_owned()),
            Just("links".to_owned()),
            Just("has_more".to_owned()),
            Just("after_cursor".to_owned()),
            Just("next".to_owned()),
            Just("id".to_owned()),
            Just("updated_at".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let top_key = prop_oneof![
        Just("tickets".to_owned()),
        Just("results".to_owned()),
        Just("meta".to_owned()),
        Just("links".to_owned()),
        Just("next_page".to_owned()),
        Just("end_of_stream".to_owned()),
        Just("after_cursor".to_owned()),
        Just("end_time".to_owned()),
        Just("count".to_owned()),
        "[a-z_]{1,8}",
    ];
    prop_oneof![
        3 => prop::collection::btree_map(top_key, value.clone(), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => value,
    ]
}

/// What `serde_json::Value` says a field is, in the scanner's terms.
fn field_of<T>(
    value: Option<&serde_json::Value>,
    read: impl Fn(&serde_json::Value) -> Option<T>,
) -> zdkit::page_scan::Field<T> {
    use zdkit::page_scan::Field;
    match value {
        None => Field::Absent,
        Some(serde_json::Value::Null) => Field::Null,
        Some(v) => read(v).map_or(Field::Wrong, Field::Is),
    }
}

/// Checks every field of a scan against the `Value` of the same bytes.
fn assert_scan_matches(bytes: &[u8], value: &serde_json::Value) -> Result<(), TestCaseError> {
    use serde_json::Value;
    use zdkit::page_scan::{Field, PageScan};
    let scan = PageScan::scan(bytes).map_err(|e| TestCaseError::fail(e.0))?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    prop_assert_eq!(scan.is_object, value.is_object());
    let meta = value.get("meta").filter(|m| m.is_object());
    prop_assert_eq!(scan.meta.is_some(), meta.is_some());
    if let (Some(fields), Some(meta)) = (&scan.meta, meta) {
        prop_assert_eq!(
            &fields.has_more,
            &field_of(meta.get("has_more"), Value::as_bool)
        );
        prop_assert_eq!(
            &fields.after_cursor,
            &field_of(meta.get("after_cursor"), text)
        );
    }
    let links_next = match value.get("links").filter(|l| l.is_object()) {
        Some(links) => field_of(links.get("next"), text),
        None => Field::Absent,
    };
    prop_assert_eq!(&scan.links_next, &links_next);
    prop_assert_eq!(&scan.next_page, &field_of(value.get("next_page"), text));
    prop_assert_eq!(
        &scan.end_of_stream,
        &field_of(value.get("end_of_stream"), Value::as_bool)
    );
    prop_assert_eq!(
        &scan.after_cursor,
        &field_of(value.get("after_cursor"), text)
    );
    prop_assert_eq!(
        &scan.end_time,
        &field_of(value.get("end_time"), Value::as_i64)
    );
    prop_assert_eq!(&scan.count, &field_of(value.get("count"), Value::as_u64));
    let object = value.as_object();
    prop_assert_eq!(scan.keys.len(), object.map_or(0, |o| o.len()));
    for (key, ranges) in &scan.keys {
        let expected = &object.unwrap()[key.as_str()];
        let is_paging_key = zdkit::page_scan::PAGING_KEYS.contains(&key.as_str());
        match (ranges, expected.as_array().filter(|_| !is_paging_key)) {
            (Some(ranges), Some(items)) => {
                prop_assert_eq!(ranges.len(), items.len());
                for (range, item) in ranges.iter().zip(items) {
                    let parsed: Value = serde_json::from_slice(&bytes[range.clone()])
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&parsed, item);
                }
            }
            (None, None) => {}
            _ => prop_assert!(false, "{key}: array in one, not the other"),
        }
    }
    Ok(())
}

/// The reading of a scan without the ends of the item ranges (a patched item is shorter).
fn reading(scan: &zdkit::page_scan::PageScan) -> String {
    let keys: Vec<_> = scan
        .keys
        .iter()
        .map(|(key, ranges)| {
            let starts: Option<Vec<usize>> =
                ranges.as_ref().map(|r| r.iter().map(|r| r.start).collect());
            (key.clone(), starts)
        })
        .collect();
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        scan.is_object,
        scan.meta,
        scan.links_next,
        scan.next_page,
        scan.end_of_stream,
        scan.after_cursor,
        scan.end_time,
        scan.count,
        keys
    )
}

/// Checks the structure-only scan of `body` against the full one: the same reading when
/// the full scan accepts; when only the structure-only scan accepts, what the full scan
/// refuses lies inside items: with every object or array item replaced by `0` (padded
/// with spaces), the full scan accepts the page and reads it the same.
fn assert_structure_scan_is_confined_to_items(body: &[u8]) -> Result<(), TestCaseError> {
    use zdkit::page_scan::{Checking, PageScan};
    let full = PageScan::scan_with(body, Checking::Full);
    let structure = PageScan::scan_with(body, Checking::Structure);
    match (&full, &structure) {
        (Ok(full), Ok(structure)) => prop_assert_eq!(full, structure),
        (Ok(_), Err(error)) => prop_assert!(false, "only the full scan accepts: {}", error),
        (Err(_), Err(error)) => prop_assert!(!error.0.is_empty()),
        (Err(_), Ok(structure)) => {
            let mut patched = body.to_vec();
            for (_, ranges) in &structure.keys {
                for range in ranges.iter().flatten() {
                    prop_assert!(range.end <= body.len() && range.start < range.end);
                    if matches!(body[range.start], b'{' | b'[') {
                        patched[range.clone()].fill(b' ');
                        patched[range.start] = b'0';
                    }
                }
            }
            let again = PageScan::scan_with(&patched, Checking::Full)
                .map_err(|e| TestCaseError::fail(format!("outside the items: {}", e.0)))?;
            prop_assert_eq!(reading(&again), reading(structure));
        }
    }
    Ok(())
}

/// Damaged pages from `value`: its text with the byte at `flip` set to `byte`, whole and
/// cut at `cut`; `noise`; and a page whose items array holds `value` with one byte
/// changed, whole and cut.
fn damaged_bodies(
    value: &serde_json::Value,
    cut: prop::sample::Index,
    flip: prop::sample::Index,
    byte: u8,
    noise: Vec<u8>,
) -> Vec<Vec<u8>> {
    let mut bytes = value.to_string().into_bytes();
    let at = flip.index(bytes.len());
    bytes[at] = byte;
    let end = cut.index(bytes.len() + 1);
    let item = serde_json::json!([value]).to_string().into_bytes();
    let mut page = br#"{"tickets":"#.to_vec();
    let item_at = page.len() + flip.index(item.len());
    page.extend_from_slice(&item);
    page.extend_from_slice(br#","meta":{"has_more":false}}"#);
    page[item_at] = byte;
    let page_end = cut.index(page.len() + 1);
    vec![
        bytes[..end].to_vec(),
        bytes,
        noise,
        page[..page_end].to_vec(),
        page,
    ]
}

/// The paging fields and key names of a scan, and which keys hold arrays (not their
/// elements): what a bounds-only scan reads.
fn paging_reading(scan: &zdkit::page_scan::PageScan) -> String {
    let keys: Vec<_> = scan
        .keys
        .iter()
        .map(|(key, ranges)| (key.clone(), ranges.is_some()))
        .collect();
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        scan.is_object,
        scan.meta,
        scan.links_next,
        scan.next_page,
        scan.end_of_stream,
        scan.after_cursor,
        scan.end_time,
        scan.count,
        keys
    )
}

/// `body` with every array that is the value of a top-level key other than the
/// paging keys replaced by `0` (padded with spaces), found a byte at a time: strings
/// followed (a quote after an odd run of backslashes does not end one), brackets
/// counted outside strings. Only meaningful when the top level is well formed.
fn without_top_level_arrays(body: &[u8]) -> Vec<u8> {
    let mut patched = body.to_vec();
    let (mut depth, mut in_string, mut backslashes) = (0usize, false, 0usize);
    let mut string_start = 0;
    let mut last_key = String::new();
    let mut array_start = None;
    for (i, &byte) in body.iter().enumerate() {
        let escaped = backslashes % 2 == 1;
        backslashes = if byte == b'\\' { backslashes + 1 } else { 0 };
        match byte {
            b'"' if !escaped => {
                in_string = !in_string;
                if in_string {
                    string_start = i;
                } else if depth == 1 {
                    last_key = serde_json::from_slice(&body[string_start..=i]).unwrap_or_default();
                }
            }
            b'{' | b'[' if !in_string => {
                if depth == 1
                    && byte == b'['
                    && !zdkit::page_scan::PAGING_KEYS.contains(&last_key.as_str())
                {
                    array_start = Some(i);
                }
                depth += 1;
            }
            b'}' | b']' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    if let Some(start) = array_start.take() {
                        patched[start..=i].fill(b' ');
                        patched[start] = b'0';
                    }
                }
            }
            _ => {}
        }
    }
    patched
}

/// Checks the bounds-only scan of `body` against the full one: the same paging fields
/// and keys when the full scan accepts; when only the bounds-only scan accepts, what
/// the full scan refuses lies inside the top-level arrays: with each replaced by `0`,
/// the full scan accepts the page and reads the same paging fields and keys.
fn assert_bounds_scan_is_confined_to_arrays(body: &[u8]) -> Result<(), TestCaseError> {
    use zdkit::page_scan::{Checking, PageScan};
    let full = PageScan::scan_with(body, Checking::Full);
    let bounds = PageScan::scan_with(body, Checking::Bounds);
    if let Ok(bounds) = &bounds {
        for (_, ranges) in &bounds.keys {
            prop_assert!(ranges.as_ref().is_none_or(Vec::is_empty));
        }
    }
    match (&full, &bounds) {
        (Ok(full), Ok(bounds)) => prop_assert_eq!(paging_reading(full), paging_reading(bounds)),
        (Ok(_), Err(error)) => prop_assert!(false, "only the full scan accepts: {}", error),
        (Err(_), Err(error)) => prop_assert!(!error.0.is_empty()),
        (Err(_), Ok(bounds)) => {
            let patched = without_top_level_arrays(body);
            let again = PageScan::scan_with(&patched, Checking::Full).map_err(|e| {
                TestCaseError::fail(format!(
                    "outside the arrays: {} in {:?}",
                    e.0,
                    String::from_utf8_lossy(&patched)
                ))
            })?;
            let names = |scan: &PageScan| -> Vec<String> {
                scan.keys.iter().map(|(key, _)| key.clone()).collect()
            };
            prop_assert_eq!(names(&again), names(bounds));
            let mut same = again.clone();
            same.keys.clear();
            let mut other = bounds.clone();
            other.keys.clear();
            prop_assert_eq!(same, other);
        }
    }
    Ok(())
}

proptest! {
    /// The tree-free page scan reads exactly what `serde_json::Value` reads: the paging
    /// fields with their types, and item ranges whose bytes parse to the same items,
    /// compact or pretty-printed.
    #[test]
    fn page_scan_agrees_with_value(value in page_value()) {
        // Compared with the `Value` of the same bytes (a float printed and read back
        // may move by one unit in the last place).
        for text in [value.to_string(), serde_json::to_string_pretty(&value).unwrap()] {
            let reread: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_scan_matches(text.as_bytes(), &reread)?;
        }
    }

    /// On any bytes the scan never panics, and it accepts a page whenever
    /// `serde_json::Value` does (with the same reading).
    #[test]
    fn page_scan_never_panics(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let scanned = zdkit::page_scan::PageScan::scan(&body);
        if body.iter().all(u8::is_ascii_whitespace) {
            prop_assert!(scanned.is_ok());
        } else if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            assert_scan_matches(&body, &value)?;
        }
    }

    /// A real page cut anywhere or with one byte changed: a typed error or the same
    /// reading as `Value`, never a panic, never a range outside the body.
    #[test]
    fn damaged_pages_fail_cleanly(value in page_value(), cut in any::<prop::sample::Index>(),
                                  flip in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = value.to_string().into_bytes();
        let at = flip.index(bytes.len());
        bytes[at] = byte;
        let end = cut.index(bytes.len() + 1);
        for body in [&bytes[..end], &bytes[..]] {
            match zdkit::page_scan::PageScan::scan(body) {
                Ok(scan) => {
                    for (_, ranges) in &scan.keys {
                        for range in ranges.iter().flatten() {
                            prop_assert!(range.end <= body.len());
                        }
                    }
                    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
                        assert_scan_matches(body, &value)?;
                    }
                }
                Err(error) => {
                    prop_assert!(!error.0.is_empty());
                    prop_assert!(serde_json::from_slice::<serde_json::Value>(body).is_err());
                }
            }
        }
    }

    /// The structure-only scan (the C pager's) reads valid pages exactly as the full
    /// scan does, compact or pretty-printed.
    #[test]
    fn structure_scan_reads_valid_pages_as_the_full_scan(value in page_value()) {
        for text in [value.to_string(), serde_json::to_string_pretty(&value).unwrap()] {
            assert_structure_scan_is_confined_to_items(text.as_bytes())?;
        }
    }

    /// On damaged pages and on any bytes the structure-only and bounds-only scans never
    /// panic, and what they let through that the full scan refuses is inside items
    /// (structure) or inside the top-level arrays (bounds).
    #[test]
    fn lenient_scans_are_confined_to_items(
        value in page_value(), cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(), byte in any::<u8>(),
        noise in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        for body in damaged_bodies(&value, cut, flip, byte, noise) {
            assert_structure_scan_is_confined_to_items(&body)?;
            assert_bounds_scan_is_confined_to_arrays(&body)?;
        }
    }

    /// The bounds-only scan (the C list pager's) reads the paging fields and keys of
    /// valid pages exactly as the full scan does, compact or pretty-printed, with
    /// strings full of quotes, backslashes and brackets crossing 64-byte blocks.
    #[test]
    fn bounds_scan_reads_valid_pages_as_the_full_scan(
        value in page_value(), pad in 0usize..70,
        text in "[\"\\\\\\[\\]{}a\u{e9}]{0,80}",
    ) {
        let page = serde_json::json!({
            "tickets": [value.clone(), {"s": text, "t": [text, [text]]}],
            "meta": {"has_more": true, "after_cursor": text},
            "x": " ".repeat(pad),
        });
        for shown in [value.to_string(), serde_json::to_string_pretty(&value).unwrap(),
                      page.to_string(), serde_json::to_string_pretty(&page).unwrap()] {
            let full = zdkit::page_scan::PageScan::scan(shown.as_bytes());
            prop_assert!(full.is_ok());
            assert_bounds_scan_is_confined_to_arrays(shown.as_bytes())?;
        }
    }

    /// De-duplication reads the same id and timestamp a full parse finds.
    #[test]
    fn item_identity_matches_value(value in page_value()) {
        let bytes = value.to_string();
        let value: serde_json::Value = serde_json::from_str(&bytes).unwrap();
        let identity = zdkit::page_scan::item_identity(bytes.as_bytes());
        let expected = value.get("id").map(|id| {
            let time = ["updated_at", "timestamp", "created_at"]
                .iter()
                .find_map(|k| value.get(*k).filter(|v| !v.is_null()));
            (id.clone(), time.cloned())
        });
        let got = identity.map(|i| {
            (serde_json::from_str::<serde_json::Value>(i.id).unwrap(),
             i.time.map(|t| serde_json::from_str::<serde_json::Value>(t).unwrap()))
        });
        prop_assert_eq!(got, expected);
    }
}
