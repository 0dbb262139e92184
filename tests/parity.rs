//! Settings parity: every setting of the core (`zdkit::config::SETTINGS`) is reachable from C
//! (a `zdk_config_set_*` function in the committed header) and from Python (a keyword
//! of `zdkit.Client` or of the native `Client` in its stub). The files are read as
//! text; `tests/c/test_config.c` (`test_every_setter`) calls every C setter on the real
//! library, and the Python tests do the same for the keywords.

use std::path::Path;

/// The C setter of a setting: `zdk_config_set_<name>`, except where named here.
fn c_setter(setting: &str) -> String {
    let name = match setting {
        "log" => "log_callback",
        "connect_timeout" => "connect_timeout_ms",
        "timeout" => "timeout_ms",
        "deadline" => "deadline_ms",
        other => other,
    };
    format!("zdk_config_set_{name}")
}

/// The Python keywords that together give a setting: the setting's own name, except
/// where named here. `log` has none: Python always logs to `logging.getLogger("zdkit")`
/// (checked separately).
fn python_keywords(setting: &str) -> Vec<&str> {
    match setting {
        "api_token" => vec!["email", "api_token"],
        "oauth_client_credentials" => vec![
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_scope",
            "oauth_expires_in",
        ],
        "oauth_refresh_token" => vec![
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_refresh_token",
            "on_rotate",
        ],
        "client_cert" => vec!["client_cert", "client_key"],
        "log" => vec![],
        "event_callback" => vec!["on_event"],
        other => vec![other],
    }
}

/// C setters that are not settings: another way to give the target, and the refusal
/// of passwords.
const EXTRA_C_SETTERS: &[&str] = &["zdk_config_set_target", "zdk_config_set_password"];

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text from `start` up to and including the first `end` after it.
fn section<'a>(text: &'a str, start: &str, end: &str, file: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{file}: no {start:?}"));
    let rest = &text[from..];
    let to = rest
        .find(end)
        .unwrap_or_else(|| panic!("{file}: no {end:?} after {start:?}"));
    &rest[..to + end.len()]
}

/// True when `signature` declares a parameter `name` (`name: type`).
fn has_parameter(signature: &str, name: &str) -> bool {
    signature.lines().any(|line| {
        line.trim_start()
            .strip_prefix(name)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Every `zdk_config_set_*` function the header declares.
fn header_setters() -> Vec<String> {
    let header = read("include/zdkit.h");
    let mut setters: Vec<String> = header
        .match_indices("zdk_config_set_")
        .filter_map(|(at, _)| {
            let name: String = header[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            header[at + name.len()..].starts_with('(').then_some(name)
        })
        .collect();
    setters.sort();
    setters.dedup();
    setters
}

#[test]
fn every_setting_has_a_c_setter_and_every_setter_a_setting() {
    let declared = header_setters();
    assert!(declared.len() > 10, "header parse failed: {declared:?}");
    let expected: Vec<String> = zdkit::config::SETTINGS
        .iter()
        .map(|s| c_setter(s))
        .collect();
    let missing: Vec<&String> = expected.iter().filter(|s| !declared.contains(s)).collect();
    assert!(
        missing.is_empty(),
        "settings without a C setter in include/zdkit.h: {missing:?}"
    );
    let orphans: Vec<&String> = declared
        .iter()
        .filter(|s| !expected.contains(s) && !EXTRA_C_SETTERS.contains(&s.as_str()))
        .collect();
    assert!(
        orphans.is_empty(),
        "C setters that are no zdkit::config::SETTINGS entry: {orphans:?}"
    );
}

#[test]
fn the_c_test_calls_every_setter() {
    let test = read("tests/c/test_config.c");
    let every = section(
        &test,
        "static void test_every_setter(",
        "\n}\n",
        "tests/c/test_config.c",
    );
    for setter in zdkit::config::SETTINGS.iter().map(|s| c_setter(s)) {
        assert!(
            every.contains(&format!("{setter}(")),
            "test_every_setter does not call {setter}"
        );
    }
}

#[test]
fn every_setting_has_a_python_keyword() {
    let client_py = read("bindings/python/python/zdkit/_client.py");
    let stub = read("bindings/python/python/zdkit/_native.pyi");
    let public = section(&client_py, "    def __init__(", ") -> None:", "_client.py");
    let native = section(&stub, "class Client:", ") -> Client:", "_native.pyi");
    let mut missing = Vec::new();
    for setting in zdkit::config::SETTINGS {
        for keyword in python_keywords(setting) {
            if !has_parameter(public, keyword) && !has_parameter(native, keyword) {
                missing.push(format!("{setting}: {keyword}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "settings without a Python keyword (zdkit.Client in _client.py or the native \
         Client in _native.pyi): {missing:?}"
    );
    let package = ["__init__.py", "_client.py"]
        .map(|f| read(&format!("bindings/python/python/zdkit/{f}")))
        .concat();
    assert!(
        package.contains("logging.getLogger(\"zdkit\")"),
        "the log setting: Python logs to logging.getLogger(\"zdkit\")"
    );
}

#[test]
fn the_mappings_are_checked_against_real_text() {
    // The helpers find what is there and nothing else.
    assert!(has_parameter("    proxy: Optional[str] = None,", "proxy"));
    assert!(!has_parameter(
        "    no_proxy: Optional[str] = None,",
        "proxy"
    ));
    assert!(!has_parameter("    proxy_url: str,", "proxy"));
    assert_eq!(c_setter("deadline"), "zdk_config_set_deadline_ms");
    assert_eq!(c_setter("ca_dir"), "zdk_config_set_ca_dir");
}
