//! Header hygiene: every name `include/zdkit.h` defines — macros, struct and enum tags,
//! typedefs, enum values, functions — starts with `zdk_`, `ZDK_` or `ZDKIT_`, so the
//! header cannot clash with a C program's own names.

use std::path::Path;

const PREFIXES: [&str; 3] = ["zdk_", "ZDK_", "ZDKIT_"];

/// `text` without `/* */` and `//` comments and without string literals' contents.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else if let Some(after) = rest.strip_prefix('"') {
            rest = after.find('"').map_or("", |end| &after[end + 1..]);
            out.push_str("\"\"");
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn identifiers(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .collect()
}

fn last_identifier(text: &str) -> Option<&str> {
    identifiers(text).last().copied()
}

/// Every name the header declares at file scope (struct fields and parameters are not).
fn declared_names(header: &str) -> Vec<String> {
    let text = strip_comments(header);
    let mut names = Vec::new();
    let mut code = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(directive) = line.strip_prefix('#') {
            let mut words = directive.split_whitespace();
            if words.next() == Some("define") {
                let name = words.next().expect("#define has a name");
                names.push(name.split('(').next().expect("a name").to_string());
            }
        } else if line.starts_with("extern \"\"") || line == "}" {
            // the `extern "C" {` ... `}` wrapper for C++
        } else {
            code.push_str(line);
            code.push('\n');
        }
    }
    // Braced bodies: enum bodies declare their values; struct bodies only fields.
    let mut flat = String::new();
    let mut rest = code.as_str();
    while let Some(open) = rest.find('{') {
        let before = &rest[..open];
        let close = open + rest[open..].find('}').expect("a closing brace");
        if identifiers(before).iter().rev().nth(1) == Some(&"enum") {
            for value in rest[open + 1..close].split(',') {
                if let Some(name) = identifiers(value).first() {
                    names.push((*name).to_string());
                }
            }
        }
        flat.push_str(before);
        rest = &rest[close + 1..];
    }
    flat.push_str(rest);
    for statement in flat.split(';') {
        let statement = statement.trim();
        if statement.is_empty() {
            continue;
        }
        // tags: `struct NAME`, `enum NAME`
        let words = identifiers(statement);
        for pair in words.windows(2) {
            if matches!(pair[0], "struct" | "enum" | "union") {
                names.push(pair[1].to_string());
            }
        }
        let name = if let Some(pointer) = statement.find("(*") {
            // a function pointer typedef: `typedef void (*NAME)(...)`
            let end = statement[pointer..].find(')').expect("(*NAME)") + pointer;
            last_identifier(&statement[pointer + 2..end])
        } else if let Some(paren) = statement.find('(') {
            // a function: `RET NAME(params)`
            last_identifier(&statement[..paren])
        } else {
            last_identifier(statement)
        };
        names.push(name.expect("a declaration names something").to_string());
    }
    names.sort();
    names.dedup();
    names
}

fn unprefixed(names: &[String]) -> Vec<&String> {
    names
        .iter()
        .filter(|n| !PREFIXES.iter().any(|p| n.starts_with(p)))
        .collect()
}

#[test]
fn every_name_in_zdkit_h_is_prefixed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/zdkit.h");
    let header = std::fs::read_to_string(&path).expect("include/zdkit.h is readable");
    let names = declared_names(&header);
    // the scan finds each kind of name (so an empty or broken scan cannot pass)
    for expected in [
        "ZDKIT_H",
        "ZDKIT_VERSION_MAJOR",
        "zdk_result",
        "ZDK_OK",
        "ZDK_ERR_RESPONSE_TOO_LARGE",
        "ZDK_LOG_DEBUG",
        "zdk_client",
        "zdk_rate_limit",
        "zdk_log_callback",
        "zdk_token_rotation_callback",
        "zdk_client_new",
        "zdk_pager_has_more",
        "zdk_version",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not found in {names:?}"
        );
    }
    for field in ["limit", "remaining", "userdata", "config"] {
        assert!(
            !names.iter().any(|n| n == field),
            "{field} is a field or parameter, not a name"
        );
    }
    assert_eq!(
        unprefixed(&names),
        Vec::<&String>::new(),
        "zdkit.h defines names without zdk_/ZDK_/ZDKIT_"
    );
}

#[test]
fn the_scan_catches_unprefixed_names() {
    let header = "#define ZDKIT_H\n#define DEFAULT_PAGE_SIZE 100\n/* a comment */\n\
        typedef enum zdk_e { ZDK_A = 0, OOPS = 1, } zdk_e;\n\
        typedef struct zdk_s { int field; } zdk_s;\n\
        typedef struct handle handle;\n\
        typedef void (*callback)(void *userdata);\n\
        #ifdef __cplusplus\nextern \"C\" {\n#endif\n\
        int zdk_ok(const struct zdk_s *s);\n\
        bool has_more(const zdk_s *pager);\n\
        #ifdef __cplusplus\n}\n#endif\n";
    let names = declared_names(header);
    let bad: Vec<&str> = unprefixed(&names).iter().map(|s| s.as_str()).collect();
    assert_eq!(
        bad,
        [
            "DEFAULT_PAGE_SIZE",
            "OOPS",
            "callback",
            "handle",
            "has_more"
        ]
    );
}
