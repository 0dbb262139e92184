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
