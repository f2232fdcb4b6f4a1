//! HTTP surface of the demo server (axum): RFC 7644 endpoints under `/scim/v2`, bearer-token auth,
//! SCIM error bodies for every failure, `application/scim+json` responses.

use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use scim_core::error::{ScimErrorBody, ScimType};
use scim_core::messages::{ListResponse, SearchRequest};
use scim_core::Resource;

use crate::store::{scim_error, Kind, ListQuery, Store};

const SCIM_JSON: &str = "application/scim+json";

#[derive(Debug)]
pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub token: Option<String>,
    pub profile: crate::profile::Profile,
    pub latency_ms: u64,
    pub throttle_every: Option<u32>,
    pub endpoint_form: crate::EndpointForm,
    pub fail_on_count: bool,
    pub strict_users: bool,
    pub soft_delete: bool,
    pub create_answers_200: bool,
    pub error_form: crate::ErrorForm,
    pub filters_unsupported: bool,
    pub limiter: crate::rate_limit::Limiter,
}

type Shared = Arc<AppState>;

pub(crate) fn router(state: Shared) -> Router {
    let mut scim = Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/.search", axum::routing::post(search_root))
        .merge(resource_routes(Kind::Users));
    if state.profile.supports_bulk() {
        scim = scim.route("/Bulk", axum::routing::post(bulk));
    }
    // Netdata has no Groups endpoint: it answers 404 like any unknown path.
    if state.profile.has_groups() {
        scim = scim.merge(resource_routes(Kind::Groups));
    }
    if state.profile.has_roles() {
        scim = scim.merge(resource_routes(Kind::Roles));
    }
    let scim = scim
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state);
    Router::new().nest("/scim/v2", scim)
}

fn scim_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

fn error_response(err: ScimErrorBody) -> Response {
    let status = StatusCode::from_u16(err.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    scim_response(status, err.to_json())
}

/// A resource with its ETag header (RFC 7644 §3.14) and, for creations, its Location.
fn resource_response(status: StatusCode, resource: Value) -> Response {
    let resource = crate::store::project(&resource, &[], &[]);
    let version = resource["meta"]["version"].as_str().map(str::to_owned);
    let location = resource["meta"]["location"].as_str().map(str::to_owned);
    let mut response = scim_response(status, resource);
    if let Some(v) = version.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED {
        if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LOCATION, l);
        }
    }
    response
}

/// A GET whose query has a `count` parameter.
fn asks_count(request: &axum::extract::Request) -> bool {
    request.method() == axum::http::Method::GET
        && request.uri().query().is_some_and(|q| {
            q.split('&').any(|pair| {
                pair.split('=')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case("count"))
            })
        })
}

/// Every request passes here: injected latency and rate limiting (for demos and tests), then the
/// bearer token.
async fn gate(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // Counted as work from its arrival, the injected latency included: a server that is slow to
    // answer is busy meanwhile.
    let _working = match state.limiter.admit() {
        Ok(working) => working,
        Err(wait) => return too_many(wait, "rate limit exceeded"),
    };
    if state.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(state.latency_ms)).await;
    }
    let n = state
        .limiter
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    if let Some(every) = state.throttle_every.filter(|e| *e > 0) {
        if n % u64::from(every) == 0 {
            state
                .limiter
                .throttled
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut response = error_response(scim_error(
                429,
                None,
                "rate limit exceeded; retry after 1 second",
            ));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    }
    if state.fail_on_count && asks_count(&request) {
        let page = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>java.lang.NumberFormatException at ListController.count</p></body></html>";
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response();
    }
    // The server listens on loopback only; a Host naming anything else is a web page that rebound a
    // domain of its own to 127.0.0.1 (DNS rebinding) to read the directory: refused.
    if !loopback_host(&request) {
        return error_response(scim_error(
            403,
            None,
            "this server answers requests to 127.0.0.1 or localhost only",
        ));
    }
    if let Some(token) = &state.token {
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            });
        if presented != Some(token.as_str()) {
            let mut response =
                error_response(scim_error(401, None, "missing or wrong bearer token"));
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"scim-demo\""),
            );
            return response;
        }
    }
    let form = state.error_form;
    crate::error_form::reform(form, next.run(request).await).await
}

/// A 429 with its `Retry-After` (RFC 6585 §4).
fn too_many(wait_secs: u64, why: &str) -> Response {
    let mut response = error_response(scim_error(
        429,
        None,
        format!("{why}; retry after {wait_secs} s"),
    ));
    if let Ok(v) = HeaderValue::from_str(&wait_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// True when the request's Host (or HTTP/2 authority) is a loopback name; a request without one
/// (HTTP/1.0 from a local tool) is let through, since browsers always send it.
fn loopback_host(request: &axum::extract::Request) -> bool {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    let Some(host) = host else { return true };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host.as_str(),
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

async fn not_found() -> Response {
    error_response(scim_error(404, None, "no such SCIM endpoint"))
}

fn read_store(state: &Shared) -> std::sync::RwLockReadGuard<'_, Store> {
    // A panic while holding the lock cannot leave the directory half-written (writes are whole-value
    // swaps), so a poisoned lock is still safe to read.
    state.store.read().unwrap_or_else(|p| p.into_inner())
}

fn write_store(state: &Shared) -> std::sync::RwLockWriteGuard<'_, Store> {
    state.store.write().unwrap_or_else(|p| p.into_inner())
}

fn list_split(v: Option<&String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn parse_number(
    params: &std::collections::HashMap<String, String>,
    key: &str,
) -> Result<Option<i64>, ScimErrorBody> {
    let value = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v);
    match value {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| {
            scim_error(
                400,
                Some(ScimType::InvalidValue),
                format!("`{key}` must be an integer, got \"{v}\""),
            )
        }),
    }
}

fn query_from_params(
    params: &std::collections::HashMap<String, String>,
) -> Result<ListQuery, ScimErrorBody> {
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    };
    Ok(ListQuery {
        filter: get("filter").cloned(),
        sort_by: get("sortBy").cloned(),
        descending: get("sortOrder").is_some_and(|o| o.eq_ignore_ascii_case("descending")),
        start_index: parse_number(params, "startIndex")?,
        count: parse_number(params, "count")?,
        attributes: list_split(get("attributes")),
        excluded_attributes: list_split(get("excludedAttributes")),
        cursor: get("cursor").cloned(),
    })
}

fn list_response(state: &Shared, kind: Kind, query: &ListQuery) -> Response {
    let store = read_store(state);
    page_response(store.list(kind, query))
}

fn page_response(page: crate::store::ScimResult<crate::store::Page>) -> Response {
    match page {
        Ok(page) => {
            let list = ListResponse {
                total_results: Some(page.total as u64),
                start_index: Some(page.start_index as u64),
                items_per_page: Some(page.resources.len() as u64),
                resources: page.resources.into_iter().map(Resource::new).collect(),
                next_cursor: page.next_cursor,
                previous_cursor: None,
            };
            scim_response(StatusCode::OK, list.to_json())
        }
        Err(e) => error_response(e),
    }
}

async fn list(
    state: Shared,
    kind: Kind,
    params: std::collections::HashMap<String, String>,
) -> Response {
    match query_from_params(&params) {
        Ok(query) => list_response(&state, kind, &query),
        Err(e) => error_response(e),
    }
}

async fn search(state: Shared, kind: Option<Kind>, body: Bytes) -> Response {
    let parsed: Result<SearchRequest, String> = serde_json::from_slice::<Value>(&body)
        .map_err(|e| e.to_string())
        .and_then(|v| SearchRequest::from_json(&v));
    match parsed {
        Ok(req) => {
            let query = ListQuery {
                filter: req.filter,
                sort_by: req.sort_by,
                descending: req
                    .sort_order
                    .is_some_and(|o| o.eq_ignore_ascii_case("descending")),
                start_index: req.start_index.map(|v| v as i64),
                count: req.count.map(|v| v as i64),
                attributes: req.attributes,
                excluded_attributes: req.excluded_attributes,
                cursor: req.cursor,
            };
            match kind {
                Some(kind) => list_response(&state, kind, &query),
                None => page_response(read_store(&state).list_all_kinds(&query)),
            }
        }
        Err(e) => error_response(scim_error(
            400,
            Some(ScimType::InvalidSyntax),
            format!("not a SearchRequest: {e}"),
        )),
    }
}

fn json_body(body: &Bytes) -> Result<Value, ScimErrorBody> {
    serde_json::from_slice(body).map_err(|e| {
        scim_error(
            400,
            Some(ScimType::InvalidSyntax),
            format!("the body is not valid JSON: {e}"),
        )
    })
}

fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn get_one(
    state: Shared,
    kind: Kind,
    id: String,
    params: std::collections::HashMap<String, String>,
    headers: HeaderMap,
) -> Response {
    let store = read_store(&state);
    match store.get(kind, &id) {
        Ok(resource) => {
            let version = resource["meta"]["version"].as_str().unwrap_or_default();
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(version)
            {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let query = query_from_params(&params).unwrap_or_default();
            let projected =
                crate::store::project(resource, &query.attributes, &query.excluded_attributes);
            resource_response(StatusCode::OK, projected)
        }
        Err(e) => error_response(e),
    }
}

async fn create(state: Shared, kind: Kind, body: Bytes) -> Response {
    let result = json_body(&body).and_then(|b| write_store(&state).create(kind, b));
    match result {
        Ok(created) if state.create_answers_200 => resource_response(StatusCode::OK, created),
        Ok(created) => resource_response(StatusCode::CREATED, created),
        Err(e) => error_response(e),
    }
}

async fn put(state: Shared, kind: Kind, id: String, headers: HeaderMap, body: Bytes) -> Response {
    let result = json_body(&body)
        .and_then(|b| write_store(&state).replace(kind, &id, b, if_match(&headers).as_deref()));
    match result {
        Ok(r) => resource_response(StatusCode::OK, r),
        Err(e) => error_response(e),
    }
}

async fn patch(state: Shared, kind: Kind, id: String, headers: HeaderMap, body: Bytes) -> Response {
    let result = json_body(&body)
        .and_then(|b| write_store(&state).patch(kind, &id, &b, if_match(&headers).as_deref()));
    match result {
        Ok(r) => resource_response(StatusCode::OK, r),
        Err(e) => error_response(e),
    }
}

async fn delete(state: Shared, kind: Kind, id: String, headers: HeaderMap) -> Response {
    if state.soft_delete && kind == Kind::Users {
        // Answers as if deleted; the user stays, deactivated.
        let patch = json!({"schemas": [scim_core::names::PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]});
        return match write_store(&state).patch(kind, &id, &patch, if_match(&headers).as_deref()) {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => error_response(e),
        };
    }
    match write_store(&state).delete(kind, &id, if_match(&headers).as_deref()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error_response(e),
    }
}

type Params = Query<std::collections::HashMap<String, String>>;

/// One resource type's endpoint: list, `.search` and create, then one resource's
/// GET/PUT/PATCH/DELETE — the same semantics for Users, Groups and Roles.
fn resource_routes(kind: Kind) -> Router<Shared> {
    let base = format!("/{}", kind.endpoint());
    Router::new()
        .route(
            &base,
            get(move |State(s): State<Shared>, Query(p): Params| list(s, kind, p))
                .post(move |State(s): State<Shared>, body: Bytes| create(s, kind, body)),
        )
        .route(
            &format!("{base}/.search"),
            axum::routing::post(move |State(s): State<Shared>, body: Bytes| {
                search(s, Some(kind), body)
            }),
        )
        .route(
            &format!("{base}/{{id}}"),
            get(
                move |State(s): State<Shared>,
                      Path(id): Path<String>,
                      Query(p): Params,
                      h: HeaderMap| { get_one(s, kind, id, p, h) },
            )
            .put(
                move |State(s): State<Shared>,
                      Path(id): Path<String>,
                      h: HeaderMap,
                      body: Bytes| { put(s, kind, id, h, body) },
            )
            .patch(
                move |State(s): State<Shared>,
                      Path(id): Path<String>,
                      h: HeaderMap,
                      body: Bytes| { patch(s, kind, id, h, body) },
            )
            .delete(
                move |State(s): State<Shared>, Path(id): Path<String>, h: HeaderMap| {
                    delete(s, kind, id, h)
                },
            ),
        )
}

async fn bulk(State(s): State<Shared>, body: Bytes) -> Response {
    let result = json_body(&body)
        .and_then(|request| crate::bulk::run(&mut write_store(&s), body.len(), &request));
    match result {
        Ok(response) => scim_response(StatusCode::OK, response),
        Err(e) => error_response(e),
    }
}

async fn search_root(State(s): State<Shared>, body: Bytes) -> Response {
    search(s, None, body).await
}

async fn service_provider_config(State(s): State<Shared>) -> Response {
    let max = read_store(&s).max_results;
    scim_response(
        StatusCode::OK,
        json!({
            "schemas": [scim_core::names::SERVICE_PROVIDER_CONFIG],
            "documentationUri": "https://example.invalid/scim-explorer/demo-server",
            "patch": {"supported": s.profile.supports_patch()},
            "bulk": if s.profile.supports_bulk() {
                json!({"supported": true, "maxOperations": crate::bulk::MAX_OPERATIONS, "maxPayloadSize": crate::bulk::MAX_PAYLOAD_BYTES})
            } else {
                json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0})
            },
            "filter": {"supported": !s.filters_unsupported, "maxResults": max},
            "changePassword": {"supported": false},
            "sort": {"supported": true},
            "etag": {"supported": s.profile.supports_etag()},
            "pagination": {"cursor": true, "index": true, "defaultPaginationMethod": "index", "defaultPageSize": max, "maxPageSize": max, "cursorTimeout": 3600},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": "Authentication with a bearer token", "primary": true}],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", read_store(&s).base_url)}
        }),
    )
}

async fn resource_types(State(s): State<Shared>) -> Response {
    scim_response(StatusCode::OK, list_of(resource_type_documents(&s)))
}

async fn resource_type(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match resource_type_documents(&s).into_iter().find(|r| {
        r["id"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(&id))
    }) {
        Some(r) => scim_response(StatusCode::OK, r),
        None => error_response(scim_error(404, None, format!("no resource type {id}"))),
    }
}

/// The Role type's schema (RFC 7643 §7 form): a group-like resource with a description.
fn role_schema() -> Value {
    let string = |name: &str, description: &str, required: bool, uniqueness: &str| {
        json!({"name": name, "type": "string", "multiValued": false, "description": description,
               "required": required, "caseExact": false, "mutability": "readWrite",
               "returned": "default", "uniqueness": uniqueness})
    };
    let sub = |name: &str, t: &str, mutability: &str| {
        json!({"name": name, "type": t, "multiValued": false, "description": format!("The member's {name}."),
               "required": false, "caseExact": false, "mutability": mutability,
               "returned": "default", "uniqueness": "none"})
    };
    json!({
        "id": crate::seed::ROLE_SCHEMA,
        "name": "Role",
        "description": "An access level of the application, held by users directly or through a group",
        "attributes": [
            string("displayName", "The role's name", true, "server"),
            string("description", "What the role allows", false, "none"),
            {"name": "members", "type": "complex", "multiValued": true,
             "description": "Users and groups holding the role", "required": false,
             "mutability": "readWrite", "returned": "default", "uniqueness": "none",
             "subAttributes": [
                 sub("value", "string", "immutable"),
                 sub("display", "string", "readOnly"),
                 {"name": "type", "type": "string", "multiValued": false, "description": "User or Group.",
                  "required": false, "caseExact": false, "canonicalValues": ["User", "Group"],
                  "mutability": "immutable", "returned": "default", "uniqueness": "none"},
                 {"name": "$ref", "type": "reference", "referenceTypes": ["User", "Group"], "multiValued": false,
                  "description": "The member's URI.", "required": false, "caseExact": false,
                  "mutability": "immutable", "returned": "default", "uniqueness": "none"}
             ]}
        ]
    })
}

fn schema_documents(s: &Shared) -> Vec<Value> {
    let builtin: Value = serde_json::from_str(scim_core::schema::BUILTIN_SCHEMAS_JSON)
        .unwrap_or(Value::Array(Vec::new()));
    let mut documents = builtin.as_array().cloned().unwrap_or_default();
    if s.profile.has_roles() {
        documents.push(role_schema());
    }
    if s.strict_users {
        crate::strict::require_name_formatted(&mut documents);
    }
    // Served schemas are resources themselves (RFC 7643 §7): they carry their schema and meta.
    for d in &mut documents {
        let id = d["id"].clone();
        if let Some(o) = d.as_object_mut() {
            o.insert("schemas".into(), json!([scim_core::names::SCHEMA]));
            o.insert("meta".into(), json!({"resourceType": "Schema", "location": format!("/Schemas/{}", id.as_str().unwrap_or_default())}));
        }
    }
    documents
}

async fn schema(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    match schema_documents(&state).into_iter().find(|s| {
        s["id"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(&id))
    }) {
        Some(s) => scim_response(StatusCode::OK, s),
        None => error_response(scim_error(404, None, format!("no schema {id}"))),
    }
}

/// An endpoint in the form the server was asked to write it.
fn endpoint(form: crate::EndpointForm, base_url: &str, name: &str) -> String {
    use crate::EndpointForm::*;
    match form {
        Relative => format!("/{name}"),
        Bare => name.to_owned(),
        Absolute => format!("{base_url}/{name}"),
        WithBasePath => {
            let path = base_url
                .split_once("://")
                .map_or("", |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
            format!("{path}/{name}")
        }
    }
}

fn resource_type_documents(s: &Shared) -> Vec<Value> {
    let base = read_store(s).base_url.clone();
    let rt = |name: &str, schema: &str, ext: Option<&str>| {
        let mut v = json!({
            "schemas": [scim_core::names::RESOURCE_TYPE], "id": name, "name": name,
            "endpoint": endpoint(s.endpoint_form, &base, &format!("{name}s")), "schema": schema,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")}
        });
        if let Some(e) = ext {
            v["schemaExtensions"] = json!([{"schema": e, "required": false}]);
        }
        v
    };
    let mut types = vec![rt(
        "User",
        scim_core::names::USER_SCHEMA,
        Some(scim_core::names::ENTERPRISE_USER_SCHEMA),
    )];
    if s.profile.has_groups() {
        types.push(rt("Group", scim_core::names::GROUP_SCHEMA, None));
    }
    if s.profile.has_roles() {
        types.push(rt("Role", crate::seed::ROLE_SCHEMA, None));
    }
    types
}

fn list_of(items: Vec<Value>) -> Value {
    ListResponse {
        total_results: Some(items.len() as u64),
        start_index: Some(1),
        items_per_page: Some(items.len() as u64),
        resources: items.into_iter().map(Resource::new).collect(),
        next_cursor: None,
        previous_cursor: None,
    }
    .to_json()
}

async fn schemas(State(s): State<Shared>) -> Response {
    scim_response(StatusCode::OK, list_of(schema_documents(&s)))
}
