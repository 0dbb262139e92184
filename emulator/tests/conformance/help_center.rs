//! Help Center is not in Zendesk's Support OpenAPI file, so its answers are checked against
//! this hand-written description instead, in the same OpenAPI form, merged into the spec
//! before the run. It is written from Zendesk's public Help Center API reference: the
//! record shapes (every field required, no others allowed) and Help Center's own paging
//! envelopes (offset with `page_count`, `sort_by`, `sort_order`; cursor with `links` that
//! have no `next` on the last page).

use crate::cases::{Case, get, send};
use crate::common::Emu;
use serde_json::{Value, json};

fn integer() -> Value {
    json!({"type": "integer"})
}
fn nullable_integer() -> Value {
    json!({"type": "integer", "nullable": true})
}
fn string() -> Value {
    json!({"type": "string"})
}
fn boolean() -> Value {
    json!({"type": "boolean"})
}
fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

/// A closed object: every listed property required, nothing else allowed.
fn closed(props: Value) -> Value {
    let required: Vec<Value> = props
        .as_object()
        .map(|m| m.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    json!({"type": "object", "properties": props, "required": required,
        "additionalProperties": false})
}

fn schemas() -> Value {
    let article = closed(json!({
        "id": integer(), "url": string(), "html_url": string(), "author_id": integer(),
        "comments_disabled": boolean(), "draft": boolean(), "promoted": boolean(),
        "position": integer(), "vote_sum": integer(), "vote_count": integer(),
        "section_id": integer(), "created_at": string(), "updated_at": string(),
        "edited_at": string(), "name": string(), "title": string(), "source_locale": string(),
        "locale": string(), "outdated": boolean(), "outdated_locales": strings(),
        "permission_group_id": integer(), "user_segment_id": nullable_integer(),
        "label_names": strings(), "content_tag_ids": {"type": "array", "items": integer()},
        "body": string()
    }));
    let mut search_result = article.clone();
    search_result["properties"]["result_type"] = json!({"type": "string", "enum": ["article"]});
    search_result["properties"]["snippet"] = string();
    let section = closed(json!({
        "id": integer(), "url": string(), "html_url": string(), "category_id": integer(),
        "position": integer(), "sorting": string(), "created_at": string(),
        "updated_at": string(), "name": string(), "description": string(), "locale": string(),
        "source_locale": string(), "outdated": boolean(),
        "parent_section_id": nullable_integer(), "theme_template": string()
    }));
    let category = closed(json!({
        "id": integer(), "url": string(), "html_url": string(), "position": integer(),
        "created_at": string(), "updated_at": string(), "name": string(),
        "description": string(), "locale": string(), "source_locale": string(),
        "outdated": boolean()
    }));
    let link = json!({"type": "string", "nullable": true});
    // Open at the top: the items key and side-loads sit beside the paging fields.
    let offset = json!({"type": "object",
        "required": ["page", "per_page", "page_count", "count", "next_page", "previous_page"],
        "properties": {
        "page": integer(), "per_page": integer(), "page_count": integer(), "count": integer(),
        "next_page": link, "previous_page": link,
        "sort_by": {"type": "string", "enum": ["position", "title", "created_at", "updated_at"]},
        "sort_order": {"type": "string", "enum": ["asc", "desc"]}
    }});
    let cursor = json!({"type": "object", "required": ["meta", "links"], "properties": {
        "meta": closed(json!({"has_more": boolean(), "after_cursor": {"type": "string", "nullable": true},
            "before_cursor": {"type": "string", "nullable": true}})),
        // `first` always; `next` and `prev` only when such a page exists.
        "links": {"type": "object", "required": ["first"], "additionalProperties": false,
            "properties": {"first": string(), "next": string(), "prev": string()}}
    }});
    let translation = closed(json!({
        "id": integer(), "url": string(), "html_url": string(), "source_id": integer(),
        "source_type": {"type": "string", "enum": ["Article", "Section", "Category"]},
        "locale": string(), "title": string(), "body": string(), "outdated": boolean(),
        "draft": boolean(), "hidden": boolean(), "created_at": string(),
        "updated_at": string(), "created_by_id": integer(), "updated_by_id": integer()
    }));
    json!({
        "HelpCenterTranslation": translation,
        "HelpCenterArticle": article, "HelpCenterSection": section,
        "HelpCenterCategory": category, "HelpCenterSearchResult": search_result,
        "HelpCenterOffsetPage": offset, "HelpCenterCursorPage": cursor,
    })
}

fn one(key: &str, schema: &str) -> Value {
    json!({"type": "object", "required": [key], "additionalProperties": false,
        "properties": {key: {"$ref": format!("#/components/schemas/{schema}")}}})
}

/// A list answer: `{key: [...]}` with one of the two paging envelopes (anyOf keeps the
/// closer one, so a cursor page is held to the cursor envelope and an offset page to the
/// offset one).
fn list(key: &str, schema: &str) -> Value {
    let items = json!({"type": "object", "required": [key], "properties": {key: {"type": "array",
        "items": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let page = |envelope: &str| json!({"allOf": [items, {"$ref": format!("#/components/schemas/{envelope}")}]});
    json!({"anyOf": [page("HelpCenterCursorPage"), page("HelpCenterOffsetPage")]})
}

fn answer(schema: Value) -> Value {
    json!({"content": {"application/json": {"schema": schema}}})
}

fn read(template: &str, schema: Value) -> (String, Value) {
    (
        template.to_owned(),
        json!({"get": {"responses": {"200": answer(schema)}}}),
    )
}

/// Adds the Help Center paths and schemas to the spec's `root`. Panics when the Support
/// file itself starts describing one of them (then this file should go).
pub fn merge(root: &mut Value) {
    let base = "/api/v2/help_center";
    let mut paths = vec![
        read(
            &format!("{base}/articles"),
            list("articles", "HelpCenterArticle"),
        ),
        read(
            &format!("{base}/{{locale}}/articles"),
            list("articles", "HelpCenterArticle"),
        ),
        read(
            &format!("{base}/sections"),
            list("sections", "HelpCenterSection"),
        ),
        read(
            &format!("{base}/categories"),
            list("categories", "HelpCenterCategory"),
        ),
        read(
            &format!("{base}/sections/{{section_id}}/articles"),
            list("articles", "HelpCenterArticle"),
        ),
        read(
            &format!("{base}/categories/{{category_id}}/sections"),
            list("sections", "HelpCenterSection"),
        ),
        read(
            &format!("{base}/categories/{{category_id}}/articles"),
            list("articles", "HelpCenterArticle"),
        ),
        read(
            &format!("{base}/articles/search"),
            list("results", "HelpCenterSearchResult"),
        ),
    ];
    let article = answer(one("article", "HelpCenterArticle"));
    paths.push((
        format!("{base}/articles/{{article_id}}"),
        json!({"get": {"responses": {"200": article}}, "put": {"responses": {"200": article}},
            "delete": {"responses": {"204": {"description": "archived"}}}}),
    ));
    paths.push((
        format!("{base}/sections/{{section_id}}"),
        json!({"get": {"responses": {"200": answer(one("section", "HelpCenterSection"))}}}),
    ));
    paths.push((
        format!("{base}/categories/{{category_id}}"),
        json!({"get": {"responses": {"200": answer(one("category", "HelpCenterCategory"))}}}),
    ));
    let translation = answer(one("translation", "HelpCenterTranslation"));
    paths.push((
        format!("{base}/articles/{{article_id}}/translations"),
        json!({"get": {"responses": {"200": answer(list("translations", "HelpCenterTranslation"))}}}),
    ));
    paths.push((
        format!("{base}/articles/{{article_id}}/translations/{{locale}}"),
        json!({"get": {"responses": {"200": translation}}, "put": {"responses": {"200": translation}}}),
    ));
    paths.push((
        format!("{base}/sections/{{section_id}}/translations/{{locale}}"),
        json!({"get": {"responses": {"200": translation}}, "put": {"responses": {"200": translation}}}),
    ));
    let export = json!({"type": "object", "additionalProperties": false,
        "required": ["articles", "next_page", "count", "end_time", "end_of_stream"],
        "properties": {"articles": {"type": "array", "items": {"$ref": "#/components/schemas/HelpCenterArticle"}},
            "next_page": {"type": "string", "nullable": true}, "count": integer(),
            "end_time": integer(), "end_of_stream": boolean()}});
    paths.push((
        format!("{base}/incremental/articles"),
        json!({"get": {"responses": {"200": answer(export)}}}),
    ));
    // Articles are created in a section.
    if let Some((_, op)) = paths
        .iter_mut()
        .find(|(t, _)| t.ends_with("/sections/{section_id}/articles"))
    {
        op["post"] = json!({"responses": {"201": article}});
    }
    for (template, op) in paths {
        assert!(
            root["paths"].get(&template).is_none()
                || root["paths"][&template].get("x-help-center").is_some(),
            "the Support OpenAPI file now describes {template}: check Help Center against it"
        );
        let mut op = op;
        op["x-help-center"] = json!(true);
        root["paths"][&template] = op;
    }
    if let (Some(all), Some(ours)) = (
        root["components"]["schemas"].as_object_mut(),
        schemas().as_object(),
    ) {
        all.extend(ours.clone());
    }
}

/// The Help Center calls (reads of the seed, then writes).
pub fn cases(_emu: &Emu) -> Vec<Case> {
    let b = "/api/v2/help_center";
    vec![
        get(&format!("{b}/articles"), "/api/v2/help_center/articles"),
        get(
            &format!("{b}/articles?per_page=5&page=3&sort_by=title&sort_order=desc"),
            "/api/v2/help_center/articles",
        ),
        get(
            &format!("{b}/articles?page[size]=5"),
            "/api/v2/help_center/articles",
        ),
        get(
            &format!("{b}/en-us/articles?page[size]=100"),
            "/api/v2/help_center/{locale}/articles",
        ),
        get(&format!("{b}/sections"), "/api/v2/help_center/sections"),
        get(
            &format!("{b}/categories?page[size]=2"),
            "/api/v2/help_center/categories",
        ),
        get(
            &format!("{b}/sections/361200001/articles?page[size]=3"),
            "/api/v2/help_center/sections/{section_id}/articles",
        ),
        get(
            &format!("{b}/categories/361100001/sections"),
            "/api/v2/help_center/categories/{category_id}/sections",
        ),
        get(
            &format!("{b}/categories/361100002/articles?per_page=7"),
            "/api/v2/help_center/categories/{category_id}/articles",
        ),
        get(
            &format!("{b}/articles/361300004"),
            "/api/v2/help_center/articles/{article_id}",
        ),
        get(
            &format!("{b}/sections/361200004"),
            "/api/v2/help_center/sections/{section_id}",
        ),
        get(
            &format!("{b}/categories/361100000"),
            "/api/v2/help_center/categories/{category_id}",
        ),
        get(
            &format!("{b}/articles/search?query=export"),
            "/api/v2/help_center/articles/search",
        ),
        send(
            "POST",
            &format!("{b}/sections/361200002/articles"),
            "/api/v2/help_center/sections/{section_id}/articles",
            json!({"article": {"title": "Conformance article", "body": "<p>x</p>", "label_names": ["faq"]}}),
            201,
        ),
        send(
            "PUT",
            &format!("{b}/articles/361300010"),
            "/api/v2/help_center/articles/{article_id}",
            json!({"article": {"promoted": true, "title": "Renamed"}}),
            200,
        ),
        Case {
            method: "DELETE",
            path: format!("{b}/articles/361300011"),
            template: "/api/v2/help_center/articles/{article_id}",
            body: None,
            status: 204,
        },
    ]
}
