//! The client against servers that misbehave the ways real ones do (../shared scim-reference §4): each
//! test stands up a tiny HTTP server with one quirk and checks the client copes and says so.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use scim_client::{
    Auth, CancelFlag, ClientConfig, ClientError, ListParams, LoadOptions, ScimClient,
};
use serde_json::{json, Value};

type Handler = Arc<dyn Fn(usize, &HashMap<String, String>) -> Response + Send + Sync>;

/// A server whose `/Users` answers with `handler(request_number, query)`.
struct Quirky {
    base_url: String,
    requests: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

async fn quirky(
    handler: impl Fn(usize, &HashMap<String, String>) -> Response + Send + Sync + 'static,
) -> Quirky {
    let handler: Handler = Arc::new(handler);
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = Router::new().route(
        "/scim/v2/Users",
        axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let handler = handler.clone();
            async move { handler(n, &q) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Quirky {
        base_url: format!("http://{addr}/scim/v2"),
        requests,
        _task: task,
    }
}

fn client(q: &Quirky) -> ScimClient {
    let mut config = ClientConfig::new(&q.base_url, Auth::None);
    config.max_retries = 3;
    ScimClient::new(config).expect("client")
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

fn users(range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(|i| json!({"id": format!("u{i}"), "userName": format!("user{i}")}))
        .collect()
}

fn param(q: &HashMap<String, String>, key: &str, default: usize) -> usize {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A well-behaved page of a `total`-user directory, capped at `cap` per page.
fn page(q: &HashMap<String, String>, total: usize, cap: usize) -> Value {
    let start = param(q, "startIndex", 1).max(1);
    let count = param(q, "count", cap).min(cap);
    let end = (start - 1 + count).min(total);
    let items = if start - 1 < total {
        users(start - 1..end)
    } else {
        Vec::new()
    };
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": total, "startIndex": start, "itemsPerPage": items.len(), "Resources": items})
}

async fn load(q: &Quirky, page_size: u64) -> scim_client::LoadAll {
    client(q)
        .load_all(
            "Users",
            &LoadOptions {
                page_size,
                concurrency: 3,
                ..LoadOptions::default()
            },
            &CancelFlag::default(),
            &|_| {},
        )
        .await
}

#[tokio::test]
async fn an_html_proxy_page_becomes_a_readable_error() {
    let q = quirky(|_, _| {
        (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>",
        )
            .into_response()
    })
    .await;
    let err = client(&q)
        .list("Users", &ListParams::default())
        .await
        .expect_err("502");
    let ClientError::Http {
        status: 502,
        scim: None,
        body: Some(body),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(body.contains("502 Bad Gateway"), "{body}");
    assert_eq!(q.requests.load(Ordering::SeqCst), 1, "a 502 is not retried");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let q = quirky(|n, query| {
        if n == 0 {
            let mut h = HeaderMap::new();
            h.insert("retry-after", HeaderValue::from_static("1"));
            return (StatusCode::TOO_MANY_REQUESTS, h, "slow down").into_response();
        }
        json_response(StatusCode::OK, page(query, 3, 100))
    })
    .await;
    let started = std::time::Instant::now();
    let list = client(&q)
        .list("Users", &ListParams::default())
        .await
        .expect("list after waiting");
    assert_eq!(list.value.resources.len(), 3);
    assert_eq!(q.requests.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "waited as told"
    );
}

#[tokio::test]
async fn a_429_storm_gives_up_after_the_retry_budget() {
    let q = quirky(|_, _| {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("0"));
        (StatusCode::TOO_MANY_REQUESTS, h, r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"Rate limit"}"#).into_response()
    })
    .await;
    let err = client(&q)
        .list("Users", &ListParams::default())
        .await
        .expect_err("429");
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        q.requests.load(Ordering::SeqCst),
        4,
        "the first try and 3 retries, no more"
    );
}

#[tokio::test]
async fn missing_total_results_pages_until_an_empty_page() {
    let q = quirky(|_, query| {
        let mut p = page(query, 27, 10);
        p.as_object_mut().expect("object").remove("totalResults");
        json_response(StatusCode::OK, p)
    })
    .await;
    let result = load(&q, 10).await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 27);
    assert!(result
        .warnings
        .iter()
        .any(|w| w.code == "list.missingTotalResults"));
}

#[tokio::test]
async fn a_server_page_cap_below_the_request_is_followed() {
    let q = quirky(|_, query| json_response(StatusCode::OK, page(query, 50, 7))).await;
    let result = load(&q, 20).await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 50);
    assert!(result.warnings.iter().any(|w| w.code == "paging.serverCap"));
}

#[tokio::test]
async fn short_pages_in_the_middle_are_filled_in() {
    // A WSO2-like server that sometimes returns fewer than asked although more remain.
    let q = quirky(|_, query| {
        let mut p = page(query, 40, 10);
        if param(query, "startIndex", 1) == 11 {
            let items = p["Resources"].as_array().expect("array")[..4].to_vec();
            p["Resources"] = Value::Array(items);
        }
        json_response(StatusCode::OK, p)
    })
    .await;
    let result = load(&q, 10).await;
    assert_eq!(result.resources.len(), 40, "{:?}", result.warnings);
    assert!(result
        .warnings
        .iter()
        .any(|w| w.code == "paging.shortPages"));
}

#[tokio::test]
async fn overlapping_pages_are_deduplicated_with_a_warning() {
    // The directory "shifts" by one: every page after the first repeats the previous page's last user.
    let q = quirky(|_, query| {
        let start = param(query, "startIndex", 1);
        let shifted = if start > 1 { start - 1 } else { start };
        let mut q2 = query.clone();
        q2.insert("startIndex".into(), shifted.to_string());
        let mut p = page(&q2, 30, 10);
        p["totalResults"] = json!(30);
        json_response(StatusCode::OK, p)
    })
    .await;
    let result = load(&q, 10).await;
    let ids: std::collections::HashSet<_> =
        result.values().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids.len(), result.resources.len(), "no duplicates kept");
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.code == "paging.duplicates"),
        "{:?}",
        result.warnings
    );
}

#[tokio::test]
async fn a_failure_mid_paging_keeps_what_was_loaded_and_says_where_to_resume() {
    let q = quirky(|_, query| {
        if param(query, "startIndex", 1) >= 21 {
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "500", "detail": "database down"}));
        }
        json_response(StatusCode::OK, page(query, 60, 10))
    })
    .await;
    let result = load(&q, 10).await;
    let err = result.error.as_ref().expect("partial");
    assert_eq!(err.status(), Some(500));
    assert_eq!(result.resources.len(), 20, "the first two pages are kept");
    assert_eq!(result.resume_from.first(), Some(&21));
}

#[tokio::test]
async fn an_error_status_sent_as_a_number_is_read() {
    let q = quirky(|_, _| json_response(StatusCode::NOT_FOUND, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 404, "detail": "No such tenant"}))).await;
    let err = client(&q)
        .list("Users", &ListParams::default())
        .await
        .expect_err("404");
    let ClientError::Http {
        status: 404,
        scim: Some(body),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(body.status, Some(404));
    assert_eq!(body.detail.as_deref(), Some("No such tenant"));
}

#[tokio::test]
async fn an_empty_list_without_resources_is_empty() {
    let q = quirky(|_, _| json_response(StatusCode::OK, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0}))).await;
    let result = load(&q, 10).await;
    assert!(result.error.is_none());
    assert!(result.resources.is_empty());
}

#[tokio::test]
async fn a_success_that_is_not_json_is_a_decode_error() {
    let q = quirky(|_, _| (StatusCode::OK, "<html>Login page</html>").into_response()).await;
    let err = client(&q)
        .list("Users", &ListParams::default())
        .await
        .expect_err("not JSON");
    assert!(
        matches!(&err, ClientError::Decode(m) if m.contains("Login page")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_ends_paging_is_bounded() {
    // No totalResults and a page that is never empty: the loader must stop, not loop forever.
    let q = quirky(|_, query| {
        let start = param(query, "startIndex", 1);
        json_response(StatusCode::OK, json!({"Resources": users(start - 1..start + 9).into_iter().map(|mut u| { u["id"] = json!("same"); u }).collect::<Vec<_>>()}))
    })
    .await;
    let result = tokio::time::timeout(std::time::Duration::from_secs(60), load(&q, 10))
        .await
        .expect("the loader stops by itself");
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.code == "paging.noProgress"),
        "{:?}",
        result.warnings
    );
    assert!(
        q.requests.load(Ordering::SeqCst) <= 3,
        "stopped at the first page with nothing new"
    );
}

#[tokio::test]
async fn a_server_that_ignores_start_index_with_a_huge_total_is_bounded() {
    let q = quirky(|_, _| {
        json_response(StatusCode::OK, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1_000_000, "Resources": users(0..10)}))
    })
    .await;
    let result = tokio::time::timeout(std::time::Duration::from_secs(60), load(&q, 10))
        .await
        .expect("the loader stops by itself");
    assert_eq!(result.resources.len(), 10);
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.code == "paging.noProgress"),
        "{:?}",
        result.warnings
    );
    assert!(
        q.requests.load(Ordering::SeqCst) < 20,
        "{} requests",
        q.requests.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_partial_load_resumes_where_it_stopped() {
    // The server fails past user 20 for its first few answers there, then recovers.
    let failures = Arc::new(AtomicUsize::new(0));
    let f = failures.clone();
    let q = quirky(move |_, query| {
        if param(query, "startIndex", 1) >= 21 && f.fetch_add(1, Ordering::SeqCst) < 3 {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"status": "500", "detail": "try later"}),
            );
        }
        json_response(StatusCode::OK, page(query, 55, 10))
    })
    .await;
    let c = client(&q);
    let options = LoadOptions {
        page_size: 10,
        concurrency: 1,
        ..LoadOptions::default()
    };
    let partial = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert!(partial.error.is_some());
    assert_eq!(partial.resources.len(), 20);
    // The failing page is retried (3 answers used up by then), the rest fetched.
    let mut resumed = c
        .resume_load("Users", &options, partial, &CancelFlag::default(), &|_| {})
        .await;
    while resumed.error.is_some() {
        resumed = c
            .resume_load("Users", &options, resumed, &CancelFlag::default(), &|_| {})
            .await;
    }
    assert_eq!(resumed.resources.len(), 55);
    let ids: std::collections::HashSet<_> =
        resumed.values().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids.len(), 55);
}

#[tokio::test]
async fn an_unasked_next_cursor_without_a_total_is_followed() {
    let q = quirky(|_, query| {
        // Offsets encoded in the cursor; no totalResults, as RFC 9865 allows.
        let offset: usize = query.get("cursor").and_then(|c| c.strip_prefix('o')).and_then(|c| c.parse().ok()).unwrap_or(0);
        let end = (offset + 10).min(35);
        let mut body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": users(offset..end)});
        if end < 35 {
            body["nextCursor"] = json!(format!("o{end}"));
        }
        json_response(StatusCode::OK, body)
    })
    .await;
    let result = load(&q, 10).await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 35);
    assert!(result
        .warnings
        .iter()
        .any(|w| w.code == "paging.cursorUnasked"));
}

#[tokio::test]
async fn an_expired_cursor_restarts_the_listing_once() {
    let expired_once = Arc::new(AtomicUsize::new(0));
    let e = expired_once.clone();
    let q = quirky(move |_, query| {
        let cursor = query.get("cursor").cloned().unwrap_or_default();
        if cursor == "o20" && e.fetch_add(1, Ordering::SeqCst) == 0 {
            return json_response(StatusCode::BAD_REQUEST, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "scimType": "expiredCursor", "detail": "cursor expired"}));
        }
        let offset: usize = cursor.strip_prefix('o').and_then(|c| c.parse().ok()).unwrap_or(0);
        let end = (offset + 10).min(30);
        let mut body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 30, "Resources": users(offset..end)});
        if end < 30 {
            body["nextCursor"] = json!(format!("o{end}"));
        }
        json_response(StatusCode::OK, body)
    })
    .await;
    let options = LoadOptions {
        page_size: 10,
        cursor: true,
        ..LoadOptions::default()
    };
    let result = client(&q)
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 30);
    assert!(result
        .warnings
        .iter()
        .any(|w| w.code == "paging.cursorExpired"));
}

/// Cursor paging bounded by the resource cap ends partial and resumes from the cursor it stopped at.
#[tokio::test]
async fn a_capped_cursor_load_resumes_from_its_cursor() {
    let q = quirky(move |_, query| {
        let cursor = query.get("cursor").cloned().unwrap_or_default();
        let offset: usize = cursor.strip_prefix('o').and_then(|c| c.parse().ok()).unwrap_or(0);
        let end = (offset + 10).min(60);
        let mut body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": users(offset..end)});
        if end < 60 {
            body["nextCursor"] = json!(format!("o{end}"));
        }
        json_response(StatusCode::OK, body)
    })
    .await;
    let options = LoadOptions {
        page_size: 10,
        cursor: true,
        max_resources: 25,
        ..LoadOptions::default()
    };
    let c = client(&q);
    let first = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert!(
        matches!(first.error, Some(ClientError::ResourceCap { cap: 25, .. })),
        "{:?}",
        first.error
    );
    assert_eq!(first.resources.len(), 30);
    assert_eq!(first.resume_cursor.as_deref(), Some("o30"));
    let second = c
        .resume_load("Users", &options, first, &CancelFlag::default(), &|_| {})
        .await;
    assert_eq!(second.resources.len(), 60, "{:?}", second.error);
    assert!(second.error.is_none(), "{:?}", second.error);
    let before = q.requests.load(Ordering::SeqCst);
    assert_eq!(before, 6, "every page asked for once");
}
