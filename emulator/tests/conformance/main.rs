//! Conformance: every endpoint the emulator serves is called, and its status and JSON body
//! are validated against the operation's response schema in Zendesk's own OpenAPI file
//! (`tests/data/zendesk-oas/support-oas.yaml`). Accepted differences live in `allowed.rs`.

#[path = "../common/mod.rs"]
mod common;

mod allowed;
mod cases;
mod help_center;
mod schema;

use common::Emu;
use schema::{Mismatch, Spec};
use serde_json::Value;
use std::collections::BTreeSet;

fn load_spec() -> Spec {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/zendesk-oas/support-oas.yaml"
    );
    let text = std::fs::read_to_string(path).expect("read the OpenAPI file");
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("parse the OpenAPI file");
    let mut root = schema::yaml_to_json(&docs[0]);
    assert_eq!(root["openapi"], "3.0.3");
    assert_eq!(root["info"]["title"], "Support API");
    help_center::merge(&mut root);
    Spec { root }
}

#[test]
fn every_served_endpoint_matches_zendesks_openapi_description() {
    let spec = load_spec();
    let emu = Emu::start(&["--tickets", "30", "--users", "25"]);
    let mut unexpected: Vec<String> = Vec::new();
    let mut used: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut checked = 0;
    let mut grouped: std::collections::BTreeMap<(String, &str), (usize, String)> =
        Default::default();
    let mut all = cases::all(&emu);
    all.extend(help_center::cases(&emu));
    for case in all {
        let r = case.run(&emu);
        let label = format!("{} {} ({})", case.method, case.path, case.template);
        if r.status != case.status {
            unexpected.push(format!(
                "{label}: status {} instead of {}: {}",
                r.status,
                case.status,
                r.text()
            ));
            continue;
        }
        let template = case.template;
        if let Some((prefix, _)) = allowed::HAND_WRITTEN
            .iter()
            .find(|(p, _)| template.starts_with(p))
        {
            assert!(
                spec.root["paths"][template].get("x-help-center").is_some(),
                "{label}: {prefix} is checked against the hand-written description, which has no {template}"
            );
        }
        if allowed::NOT_IN_FILE.iter().any(|(t, _)| *t == template) {
            continue;
        }
        assert!(
            spec.root["paths"].get(template).is_some(),
            "{label}: the file has no path {template}: add it to NOT_IN_FILE with a reason, or fix the template"
        );
        let Some(schema) = spec.response_schema(template, &case.method.to_lowercase(), case.status)
        else {
            assert!(
                case.status != 204 || r.body.is_empty(),
                "{label}: 204 with a body"
            );
            continue;
        };
        let body: Value = serde_json::from_slice(&r.body)
            .unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {}", r.text()));
        let mut found: Vec<Mismatch> = Vec::new();
        spec.validate(schema, &body, "response", "$", &mut found);
        checked += 1;
        for m in found {
            match allowed::ALLOWED
                .iter()
                .find(|a| a.location == m.location && a.problem == m.problem)
            {
                Some(a) => {
                    used.insert((a.location, a.problem));
                }
                None => {
                    let e = grouped
                        .entry((m.location.clone(), m.problem))
                        .or_insert((0, format!("{label}: {}", m.detail)));
                    e.0 += 1;
                }
            }
        }
    }
    let stale: Vec<String> = allowed::ALLOWED
        .iter()
        .filter(|a| !used.contains(&(a.location, a.problem)))
        .map(|a| format!("{} {} ({})", a.location, a.problem, a.reason))
        .collect();
    for ((location, problem), (n, example)) in grouped {
        unexpected.push(format!("{location} {problem} ×{n}, e.g. {example}"));
    }
    assert!(
        unexpected.is_empty(),
        "{} mismatch(es) not in allowed.rs:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "allowed.rs entries no answer needs any more:\n{}",
        stale.join("\n")
    );
    assert!(checked >= 10, "only {checked} answers were validated");
}
