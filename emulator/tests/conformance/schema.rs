//! A small validator for the OpenAPI 3.0 schema subset Zendesk's file uses: `$ref`, `type`,
//! `nullable`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `allOf`,
//! `oneOf`/`anyOf`. `format`, `readOnly`, `minimum`/`maximum` and examples are not checked.

use serde_json::Value;

/// One difference between an answer and its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where in the schema: the component name and the property path, `TicketObject.due_at`.
    pub location: String,
    /// What: `null`, `missing`, `type`, `enum`, `unexpected`.
    pub problem: &'static str,
    /// Where in the answer and what was found, for the failure message.
    pub detail: String,
}

/// The OpenAPI document.
pub struct Spec {
    /// The whole file as JSON.
    pub root: Value,
}

impl Spec {
    /// Follows one `$ref` (`#/components/schemas/X`), returning the target and `X`.
    fn deref<'a>(&'a self, schema: &'a Value) -> (&'a Value, Option<String>) {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            return (schema, None);
        };
        let pointer = r.trim_start_matches('#');
        let target = self.root.pointer(pointer).unwrap_or(&Value::Null);
        (target, r.rsplit('/').next().map(String::from))
    }

    /// The JSON schema of `method path` answering `status`, if the file declares one.
    pub fn response_schema(&self, template: &str, method: &str, status: u16) -> Option<&Value> {
        let op = self.root.get("paths")?.get(template)?.get(method)?;
        let responses = op.get("responses")?;
        let resp = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))?;
        let (resp, _) = self.deref(resp);
        resp.get("content")?.get("application/json")?.get("schema")
    }

    /// Validates `value` against `schema`; `loc` names the schema position, `at` the
    /// position in the answer.
    pub fn validate(
        &self,
        schema: &Value,
        value: &Value,
        loc: &str,
        at: &str,
        out: &mut Vec<Mismatch>,
    ) {
        let (schema, name) = self.deref(schema);
        let loc = name.as_deref().unwrap_or(loc);
        let mismatch = |problem: &'static str, detail: String| Mismatch {
            location: loc.to_string(),
            problem,
            detail: format!("{at}: {detail}"),
        };
        if value.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            if !nullable && schema.get("type").is_some() {
                out.push(mismatch(
                    "null",
                    format!("null where the schema says {}", schema["type"]),
                ));
            }
            return;
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.validate(part, value, loc, at, out);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array) {
                let mut best: Option<Vec<Mismatch>> = None;
                for option in options {
                    let mut errs = Vec::new();
                    self.validate(option, value, loc, at, &mut errs);
                    if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                        best = Some(errs);
                    }
                }
                out.extend(best.unwrap_or_default());
            }
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                _ => true,
            };
            if !ok {
                out.push(mismatch("type", format!("{value} is not of type {t}")));
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                out.push(mismatch(
                    "enum",
                    format!("{value} is not one of {}", Value::Array(allowed.clone())),
                ));
            }
        }
        if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
            for (i, v) in list.iter().enumerate() {
                self.validate(items, v, &format!("{loc}[]"), &format!("{at}[{i}]"), out);
            }
        }
        let Some(obj) = value.as_object() else {
            return;
        };
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(k) = req.as_str() {
                if !obj.contains_key(k) {
                    out.push(Mismatch {
                        location: format!("{loc}.{k}"),
                        problem: "missing",
                        detail: format!("{at}: required property {k} is missing"),
                    });
                }
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => self.validate(s, v, &format!("{loc}.{k}"), &format!("{at}.{k}"), out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => out.push(Mismatch {
                        location: format!("{loc}.{k}"),
                        problem: "unexpected",
                        detail: format!("{at}: property {k} is not allowed"),
                    }),
                    Some(s @ Value::Object(_)) => {
                        self.validate(s, v, &format!("{loc}.*"), &format!("{at}.{k}"), out)
                    }
                    _ => {}
                },
            }
        }
    }
}

/// Converts a YAML document to JSON (mapping keys become strings).
pub fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .map_or(Value::String(s.clone()), Value::from),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

#[test]
fn the_validator_catches_what_it_claims_to() {
    let spec = Spec {
        root: serde_json::json!({"components": {"schemas": {"T": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "integer"}, "s": {"type": "string", "enum": ["a"]},
                "n": {"type": "string", "nullable": true}, "l": {"type": "array", "items": {"type": "boolean"}}}}}}}),
    };
    let schema = serde_json::json!({"$ref": "#/components/schemas/T"});
    let check = |v: Value| {
        let mut out = Vec::new();
        spec.validate(&schema, &v, "root", "$", &mut out);
        out.iter()
            .map(|m| format!("{} {}", m.location, m.problem))
            .collect::<Vec<_>>()
    };
    assert!(check(serde_json::json!({"id": 1, "s": "a", "n": null, "l": [true]})).is_empty());
    assert_eq!(
        check(serde_json::json!({"s": "b"})),
        ["T.id missing", "T.s enum"]
    );
    assert_eq!(
        check(serde_json::json!({"id": "1", "s": null, "l": [1]})),
        ["T.id type", "T.l[] type", "T.s null"]
    );
}
