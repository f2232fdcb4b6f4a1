//! SCIM messages (RFC 7644 §3.4.2, §3.4.3, §3.7) and discovery documents (RFC 7643 §5, §6), read
//! tolerantly and written strictly.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::names::{get_ci, BULK_REQUEST, LIST_RESPONSE, SEARCH_REQUEST};
use crate::resource::Resource;
use crate::warning::{Tolerant, Warning};

/// A page of resources (RFC 7644 §3.4.2), plus the cursor fields of RFC 9865.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse {
    /// `None` when the server omitted it (RFC 9865 allows that with cursors).
    pub total_results: Option<u64>,
    pub start_index: Option<u64>,
    pub items_per_page: Option<u64>,
    pub resources: Vec<Resource>,
    pub next_cursor: Option<String>,
    pub previous_cursor: Option<String>,
}

impl ListResponse {
    /// Reads a list as a server sent it. Accepts a bare array (RFC 7643 §8.6–8.7 discovery examples),
    /// lowercase `resources` (IBM and others), numbers sent as strings, and a missing `Resources` or
    /// `totalResults`; each deviation is a warning. Fails only when nothing list-like is there.
    pub fn from_json(value: &Value) -> Result<Tolerant<ListResponse>, String> {
        Self::from_value(value.clone())
    }

    /// As [`Self::from_json`], taking the parsed body by value so resources are moved, not copied
    /// (loading 100k users should not copy 100k users).
    pub fn from_value(value: Value) -> Result<Tolerant<ListResponse>, String> {
        let mut warnings = Vec::new();
        let mut obj = match value {
            Value::Array(items) => {
                warnings.push(Warning::new(
                    "list.bareArray",
                    "the server sent a bare JSON array instead of a ListResponse",
                ));
                return Ok(Tolerant {
                    value: ListResponse {
                        total_results: Some(items.len() as u64),
                        start_index: None,
                        items_per_page: None,
                        resources: items.into_iter().map(Resource::new).collect(),
                        next_cursor: None,
                        previous_cursor: None,
                    },
                    warnings,
                });
            }
            Value::Object(obj) => obj,
            other => {
                return Err(format!(
                    "expected a ListResponse object, got {}",
                    kind_of(&other)
                ))
            }
        };
        let resources = match obj.shift_remove("Resources") {
            Some(v) => Some(v),
            None => {
                let lower = crate::names::remove_ci(&mut obj, "resources");
                if lower.is_some() {
                    warnings.push(Warning::new(
                        "list.resourcesCase",
                        "the list uses a differently cased `Resources` key",
                    ));
                }
                lower
            }
        };
        let total_results = read_count(&obj, "totalResults", &mut warnings);
        let resources = match resources {
            Some(Value::Array(items)) => items.into_iter().map(Resource::new).collect(),
            Some(Value::Null) | None => {
                if total_results.is_some_and(|t| t > 0) {
                    warnings.push(Warning::new(
                        "list.missingResources",
                        "the list says it has results but sent no `Resources`",
                    ));
                }
                Vec::new()
            }
            Some(other) => {
                return Err(format!(
                    "`Resources` should be an array, got {}",
                    kind_of(&other)
                ))
            }
        };
        let next_cursor = get_ci(&obj, "nextCursor")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if total_results.is_none() && next_cursor.is_none() {
            warnings.push(Warning::new(
                "list.missingTotalResults",
                "the list has no `totalResults`; paging continues until an empty page",
            ));
        }
        let has_schema = get_ci(&obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(LIST_RESPONSE))
                })
            });
        if !has_schema {
            warnings.push(Warning::new(
                "list.missingSchema",
                "the list does not declare the ListResponse schema",
            ));
        }
        Ok(Tolerant {
            value: ListResponse {
                total_results,
                start_index: read_count(&obj, "startIndex", &mut warnings),
                items_per_page: read_count(&obj, "itemsPerPage", &mut warnings),
                resources,
                next_cursor,
                previous_cursor: get_ci(&obj, "previousCursor")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            warnings,
        })
    }

    /// The RFC form, as the demo server sends it.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("schemas".into(), Value::from(vec![LIST_RESPONSE]));
        if let Some(t) = self.total_results {
            obj.insert("totalResults".into(), t.into());
        }
        if let Some(s) = self.start_index {
            obj.insert("startIndex".into(), s.into());
        }
        if let Some(i) = self.items_per_page {
            obj.insert("itemsPerPage".into(), i.into());
        }
        if let Some(c) = &self.next_cursor {
            obj.insert("nextCursor".into(), c.clone().into());
        }
        if let Some(c) = &self.previous_cursor {
            obj.insert("previousCursor".into(), c.clone().into());
        }
        obj.insert(
            "Resources".into(),
            Value::Array(self.resources.iter().map(|r| r.0.clone()).collect()),
        );
        Value::Object(obj)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn read_count(obj: &Map<String, Value>, key: &str, warnings: &mut Vec<Warning>) -> Option<u64> {
    match get_ci(obj, key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => {
            let parsed = s.trim().parse().ok();
            warnings.push(Warning::new(
                "list.numberAsString",
                format!("`{key}` is the string \"{s}\" instead of a number"),
            ));
            parsed
        }
        _ => None,
    }
}

/// `POST /.search` body (RFC 7644 §3.4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    pub attributes: Vec<String>,
    pub excluded_attributes: Vec<String>,
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    /// `ascending` or `descending`.
    pub sort_order: Option<String>,
    pub start_index: Option<u64>,
    pub count: Option<u64>,
    /// RFC 9865 cursor (empty string asks for the first cursor page).
    pub cursor: Option<String>,
}

impl SearchRequest {
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("schemas".into(), Value::from(vec![SEARCH_REQUEST]));
        if !self.attributes.is_empty() {
            obj.insert("attributes".into(), self.attributes.clone().into());
        }
        if !self.excluded_attributes.is_empty() {
            obj.insert(
                "excludedAttributes".into(),
                self.excluded_attributes.clone().into(),
            );
        }
        let strings = [
            ("filter", &self.filter),
            ("sortBy", &self.sort_by),
            ("sortOrder", &self.sort_order),
            ("cursor", &self.cursor),
        ];
        for (key, value) in strings {
            if let Some(v) = value {
                obj.insert(key.into(), v.clone().into());
            }
        }
        if let Some(s) = self.start_index {
            obj.insert("startIndex".into(), s.into());
        }
        if let Some(c) = self.count {
            obj.insert("count".into(), c.into());
        }
        Value::Object(obj)
    }

    /// Reads a search body; comma-separated attribute strings are accepted as well as arrays.
    pub fn from_json(value: &Value) -> Result<SearchRequest, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "a SearchRequest must be a JSON object".to_owned())?;
        let list = |key: &str| -> Vec<String> {
            match get_ci(obj, key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                Some(Value::String(s)) => s
                    .split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                _ => Vec::new(),
            }
        };
        let string = |key: &str| get_ci(obj, key).and_then(Value::as_str).map(str::to_owned);
        let number = |key: &str| match get_ci(obj, key) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        Ok(SearchRequest {
            attributes: list("attributes"),
            excluded_attributes: list("excludedAttributes"),
            filter: string("filter"),
            sort_by: string("sortBy"),
            sort_order: string("sortOrder"),
            start_index: number("startIndex"),
            count: number("count"),
            cursor: string("cursor"),
        })
    }
}

/// One operation of a bulk request (RFC 7644 §3.7).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    pub method: String,
    pub path: String,
    pub bulk_id: Option<String>,
    pub version: Option<String>,
    pub data: Option<Value>,
}

/// A bulk request (RFC 7644 §3.7.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRequest {
    pub fail_on_errors: Option<u32>,
    pub operations: Vec<BulkOperation>,
}

impl BulkRequest {
    pub fn to_json(&self) -> Value {
        let ops: Vec<Value> = self
            .operations
            .iter()
            .map(|op| {
                let mut o = Map::new();
                o.insert("method".into(), op.method.clone().into());
                o.insert("path".into(), op.path.clone().into());
                if let Some(b) = &op.bulk_id {
                    o.insert("bulkId".into(), b.clone().into());
                }
                if let Some(v) = &op.version {
                    o.insert("version".into(), v.clone().into());
                }
                if let Some(d) = &op.data {
                    o.insert("data".into(), d.clone());
                }
                Value::Object(o)
            })
            .collect();
        let mut obj = Map::new();
        obj.insert("schemas".into(), Value::from(vec![BULK_REQUEST]));
        if let Some(f) = self.fail_on_errors {
            obj.insert("failOnErrors".into(), f.into());
        }
        obj.insert("Operations".into(), Value::Array(ops));
        Value::Object(obj)
    }
}

/// One result of a bulk response (RFC 7644 §3.7.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    pub method: Option<String>,
    pub bulk_id: Option<String>,
    pub location: Option<String>,
    pub version: Option<String>,
    pub status: Option<u16>,
    pub response: Option<Value>,
}

/// Reads a bulk response; `status` may be a string (RFC) or a number.
pub fn read_bulk_response(value: &Value) -> Result<Vec<BulkResult>, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| "a BulkResponse must be a JSON object".to_owned())?;
    let ops = get_ci(obj, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| "the BulkResponse has no `Operations`".to_owned())?;
    Ok(ops
        .iter()
        .filter_map(Value::as_object)
        .map(|o| {
            let s = |k: &str| get_ci(o, k).and_then(Value::as_str).map(str::to_owned);
            BulkResult {
                method: s("method"),
                bulk_id: s("bulkId"),
                location: s("location"),
                version: s("version"),
                status: match get_ci(o, "status") {
                    Some(Value::String(v)) => v.trim().parse().ok(),
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    Some(Value::Object(inner)) => get_ci(inner, "code")
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse().ok()),
                    _ => None,
                },
                response: get_ci(o, "response").cloned(),
            }
        })
        .collect())
}

/// `/ServiceProviderConfig` (RFC 7643 §5) with RFC 9865 pagination, missing parts read as "unsupported".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    pub patch: bool,
    pub bulk: bool,
    pub bulk_max_operations: Option<u64>,
    pub bulk_max_payload_size: Option<u64>,
    pub filter: bool,
    pub filter_max_results: Option<u64>,
    pub change_password: bool,
    pub sort: bool,
    pub etag: bool,
    pub cursor_paging: bool,
    pub index_paging: bool,
    pub default_page_size: Option<u64>,
    pub max_page_size: Option<u64>,
    pub authentication_schemes: Vec<String>,
}

impl ServiceProviderConfig {
    pub fn from_json(value: &Value) -> Result<Tolerant<ServiceProviderConfig>, String> {
        let mut warnings = Vec::new();
        // Some servers wrap the single document in a ListResponse.
        let value = match ListResponse::from_json(value) {
            Ok(list) if value.get("Resources").is_some() || value.is_array() => {
                warnings.push(Warning::new(
                    "spc.wrappedInList",
                    "/ServiceProviderConfig came wrapped in a list; the first entry was used",
                ));
                list.value
                    .resources
                    .into_iter()
                    .next()
                    .map(|r| r.0)
                    .ok_or_else(|| "/ServiceProviderConfig is an empty list".to_owned())?
            }
            _ => value.clone(),
        };
        let obj = value
            .as_object()
            .ok_or_else(|| "/ServiceProviderConfig is not a JSON object".to_owned())?;
        let feature = |key: &str,
                       warnings: &mut Vec<Warning>|
         -> (bool, Option<&Map<String, Value>>) {
            match get_ci(obj, key) {
                Some(Value::Object(o)) => {
                    let supported = match get_ci(o, "supported") {
                        Some(Value::Bool(b)) => *b,
                        Some(Value::String(s)) => {
                            warnings.push(Warning::new(
                                "spc.booleanAsString",
                                format!("`{key}.supported` is the string \"{s}\""),
                            ));
                            s.eq_ignore_ascii_case("true")
                        }
                        _ => false,
                    };
                    (supported, Some(o))
                }
                _ => {
                    warnings.push(Warning::new(
                        "spc.missingFeature",
                        format!("/ServiceProviderConfig does not mention `{key}`; treated as unsupported"),
                    ));
                    (false, None)
                }
            }
        };
        let num = |o: Option<&Map<String, Value>>, key: &str| -> Option<u64> {
            match get_ci(o?, key)? {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            }
        };
        let (patch, _) = feature("patch", &mut warnings);
        let (bulk, bulk_obj) = feature("bulk", &mut warnings);
        let (filter, filter_obj) = feature("filter", &mut warnings);
        let (change_password, _) = feature("changePassword", &mut warnings);
        let (sort, _) = feature("sort", &mut warnings);
        let (etag, _) = feature("etag", &mut warnings);
        let pagination = get_ci(obj, "pagination").and_then(Value::as_object);
        let flag = |key: &str| {
            pagination
                .and_then(|p| get_ci(p, key))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let authentication_schemes = get_ci(obj, "authenticationSchemes")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|s| {
                        s.as_object()
                            .and_then(|o| get_ci(o, "type"))
                            .and_then(Value::as_str)
                    })
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Tolerant {
            value: ServiceProviderConfig {
                patch,
                bulk,
                bulk_max_operations: num(bulk_obj, "maxOperations"),
                bulk_max_payload_size: num(bulk_obj, "maxPayloadSize"),
                filter,
                filter_max_results: num(filter_obj, "maxResults"),
                change_password,
                sort,
                etag,
                cursor_paging: flag("cursor"),
                // Index paging is RFC 7644's default; only an explicit `false` turns it off.
                index_paging: pagination
                    .and_then(|p| get_ci(p, "index"))
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                default_page_size: num(pagination, "defaultPageSize"),
                max_page_size: num(pagination, "maxPageSize"),
                authentication_schemes,
            },
            warnings,
        })
    }
}

/// `/ResourceTypes` entry (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    pub id: Option<String>,
    pub name: String,
    pub endpoint: String,
    pub schema: String,
    /// (extension URN, required)
    pub schema_extensions: Vec<(String, bool)>,
}

/// The path of a URL (`https://h/scim/v2?x` → `/scim/v2`), or the text itself when it is no URL.
fn path_of(text: &str) -> &str {
    let rest = match text.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            match rest.find('/') {
                Some(i) => &rest[i..],
                None => "",
            }
        }
        _ => text,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// A resource type's endpoint as RFC 7643 §6 has it — relative to the base URL, `/Groups` — from
/// the forms servers send: that one, `Groups`, `/scim/v2/Groups` (with the base path) or
/// `https://host/scim/v2/Groups` (absolute). A non-standard form is read and named in a warning, so
/// the check, the client and the directory all find the same endpoint.
pub fn relative_endpoint(name: &str, endpoint: &str, base_url: &str) -> Tolerant<String> {
    let given = endpoint.trim();
    let absolute = given.contains("://");
    let mut path = path_of(given).trim_end_matches('/').to_owned();
    let base_path = path_of(base_url.trim()).trim_end_matches('/');
    let mut form = absolute.then_some("an absolute URL");
    let with_base = !base_path.is_empty()
        && path.len() > base_path.len()
        && path.is_char_boundary(base_path.len())
        && path[..base_path.len()].eq_ignore_ascii_case(base_path)
        && path[base_path.len()..].starts_with('/');
    if with_base {
        path = path[base_path.len()..].to_owned();
        form = form.or(Some("a path that repeats the base path"));
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
        form = form.or(Some("a path without its leading `/`"));
    }
    let warnings = form
        .map(|form| {
            Warning::new(
                "discovery.endpointForm",
                format!(
                    "/ResourceTypes gives the {name} endpoint as `{given}`, {form}; RFC 7643 §6 makes it relative to the base URL, so it is read as `{path}`"
                ),
            )
        })
        .into_iter()
        .collect();
    Tolerant {
        value: path,
        warnings,
    }
}

impl ResourceType {
    pub fn from_json(value: &Value) -> Result<ResourceType, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "a ResourceType must be a JSON object".to_owned())?;
        let s = |k: &str| get_ci(obj, k).and_then(Value::as_str).map(str::to_owned);
        let name = s("name").ok_or_else(|| "a ResourceType has no `name`".to_owned())?;
        Ok(ResourceType {
            id: s("id"),
            endpoint: s("endpoint").unwrap_or_else(|| format!("/{name}s")),
            schema: s("schema").unwrap_or_default(),
            schema_extensions: get_ci(obj, "schemaExtensions")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_object)
                        .filter_map(|e| {
                            let urn = get_ci(e, "schema")?.as_str()?.to_owned();
                            let required = get_ci(e, "required")
                                .and_then(Value::as_bool)
                                .unwrap_or(false);
                            Some((urn, required))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            name,
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn resource_type_endpoints_in_every_form_seen_are_read_relative_to_the_base() {
        let base = "https://app.example.com/scim/v2";
        let read = |e: &str| {
            let r = relative_endpoint("Group", e, base);
            (r.value, r.warnings.len())
        };
        assert_eq!(
            read("/Groups"),
            ("/Groups".into(), 0),
            "the RFC form, no note"
        );
        assert_eq!(read("Groups"), ("/Groups".into(), 1));
        assert_eq!(read("/scim/v2/Groups"), ("/Groups".into(), 1));
        assert_eq!(read("/SCIM/V2/Groups/"), ("/Groups".into(), 1));
        assert_eq!(
            read("https://app.example.com/scim/v2/Groups"),
            ("/Groups".into(), 1)
        );
        assert_eq!(
            read("http://other:8080/scim/v2/Groups?x=1"),
            ("/Groups".into(), 1)
        );
        // A path that only starts like the base path is not cut.
        assert_eq!(read("/scim/v2Groups"), ("/scim/v2Groups".into(), 0));
        let note = &relative_endpoint("Group", "/scim/v2/Groups", base).warnings[0];
        assert_eq!(note.code, "discovery.endpointForm");
        assert!(
            note.message.contains("`/scim/v2/Groups`")
                && note.message.contains("read as `/Groups`"),
            "{}",
            note.message
        );
        // No base path: only the leading slash is at stake; hostile text stays bounded and whole.
        assert_eq!(
            relative_endpoint("User", "Users", "http://h").value,
            "/Users"
        );
        assert_eq!(
            relative_endpoint("X", "ünï/cödé", "http://h/é").value,
            "/ünï/cödé"
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn a_strict_list_has_no_warnings() {
        let l = ListResponse::from_json(&json!({
            "schemas": [LIST_RESPONSE], "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "Resources": [{"id": "1"}]
        }))
        .expect("list");
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        assert_eq!(l.value.resources.len(), 1);
    }

    #[test]
    fn empty_list_without_resources_is_fine() {
        let l = ListResponse::from_json(&json!({"schemas": [LIST_RESPONSE], "totalResults": 0}))
            .expect("list");
        assert!(l.value.resources.is_empty());
        assert!(l.warnings.is_empty());
    }

    #[test]
    fn lowercase_resources_and_string_numbers_are_accepted_with_warnings() {
        let l = ListResponse::from_json(
            &json!({"totalResults": "2", "resources": [{"id": "1"}, {"id": "2"}]}),
        )
        .expect("list");
        assert_eq!(l.value.total_results, Some(2));
        assert_eq!(l.value.resources.len(), 2);
        let codes: Vec<_> = l.warnings.iter().map(|w| w.code).collect();
        assert!(codes.contains(&"list.resourcesCase"));
        assert!(codes.contains(&"list.numberAsString"));
        assert!(codes.contains(&"list.missingSchema"));
    }

    #[test]
    fn a_bare_array_is_a_list() {
        let l = ListResponse::from_json(&json!([{"id": "a"}])).expect("list");
        assert_eq!(l.value.total_results, Some(1));
        assert_eq!(l.warnings[0].code, "list.bareArray");
    }

    #[test]
    fn missing_total_results_is_warned() {
        let l = ListResponse::from_json(&json!({"schemas": [LIST_RESPONSE], "Resources": []}))
            .expect("list");
        assert_eq!(l.value.total_results, None);
        assert_eq!(l.warnings[0].code, "list.missingTotalResults");
    }

    #[test]
    fn not_a_list_is_an_error_not_a_panic() {
        assert!(ListResponse::from_json(&json!("<html>")).is_err());
        assert!(ListResponse::from_json(&json!({"Resources": 3})).is_err());
    }
}
