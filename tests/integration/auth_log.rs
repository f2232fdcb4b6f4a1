//! Authentication variants and the request log: what is sent is recorded, and no secret is.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use scim_client::{
    Auth, ClientConfig, ClientCredentials, ListParams, RequestLog, ScimClient, Secret,
};
use scim_demo_server::{DemoConfig, DemoServer};
use serde_json::json;

#[tokio::test]
async fn the_log_records_every_exchange_with_secrets_masked() {
    let server = DemoServer::start(DemoConfig {
        token: Some("tok-SECRET-123".into()),
        ..DemoConfig::default()
    })
    .await
    .expect("demo");
    let log = RequestLog::new(100);
    let mut config = ClientConfig::new(
        &server.base_url,
        Auth::Bearer(Secret::new("tok-SECRET-123")),
    );
    config.extra_headers = vec![("X-Tenant-Key".into(), Secret::new("tenant-SECRET-9"))];
    let c = ScimClient::new(config)
        .expect("client")
        .with_log(log.clone());
    c.list(
        "Users",
        &ListParams {
            count: Some(2),
            ..Default::default()
        },
    )
    .await
    .expect("list");
    c.create(
        "Users",
        &json!({"userName": "pw.user@example.com", "password": "hunter2-SECRET"}),
    )
    .await
    .expect("create");
    let _ = c.get("Users", "does-not-exist").await;

    let entries = log.entries();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        (entries[0].method.as_str(), entries[0].status),
        ("GET", Some(200))
    );
    assert!(
        entries[0].url.ends_with("/Users?count=2"),
        "{}",
        entries[0].url
    );
    assert_eq!(
        (entries[1].method.as_str(), entries[1].status),
        ("POST", Some(201))
    );
    assert_eq!(entries[2].status, Some(404));
    assert!(entries[1]
        .request_body
        .as_deref()
        .is_some_and(|b| b.contains("pw.user@example.com")));
    let auth = entries[0]
        .request_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .expect("authorization");
    assert_eq!(auth.1, "Bearer ••••••");
    let everything = serde_json::to_string(&entries).expect("json");
    for secret in ["tok-SECRET-123", "tenant-SECRET-9", "hunter2-SECRET"] {
        assert!(!everything.contains(secret), "{secret} leaked into the log");
    }
    assert!(entries.iter().all(|e| e.response_bytes > 0));
}

/// A token endpoint and a SCIM endpoint that accepts only the latest token it issued.
async fn oauth_server(secret: &'static str) -> (String, Arc<AtomicUsize>) {
    let issued = Arc::new(AtomicUsize::new(0));
    let i1 = issued.clone();
    let i2 = issued.clone();
    let app = Router::new()
        .route(
            "/token",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let issued = i1.clone();
                async move {
                    let expected = format!("Basic {}", base64_encode(&format!("explorer:{secret}")));
                    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                    if auth != expected || !body.contains("grant_type=client_credentials") {
                        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"}))).into_response();
                    }
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    axum::Json(json!({"access_token": format!("at-{n}"), "token_type": "Bearer", "expires_in": 3600})).into_response()
                }
            }),
        )
        .route(
            "/scim/v2/Users",
            axum::routing::get(move |headers: HeaderMap| {
                let issued = i2.clone();
                async move {
                    let current = format!("Bearer at-{}", issued.load(Ordering::SeqCst));
                    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(current.as_str()) {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    axum::Json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0})).into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), issued)
}

fn base64_encode(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn oauth_client(base: &str, secret: &str) -> ScimClient {
    ScimClient::new(ClientConfig::new(
        format!("{base}/scim/v2"),
        Auth::OAuth2(ClientCredentials {
            token_url: format!("{base}/token"),
            client_id: "explorer".into(),
            client_secret: Secret::new(secret),
            scope: Some("scim.read".into()),
        }),
    ))
    .expect("client")
}

#[tokio::test]
async fn oauth2_client_credentials_fetch_cache_and_refresh_the_token() {
    let (base, issued) = oauth_server("s3cr3t").await;
    let c = oauth_client(&base, "s3cr3t");
    c.list("Users", &ListParams::default())
        .await
        .expect("first list");
    c.list("Users", &ListParams::default())
        .await
        .expect("second list");
    assert_eq!(issued.load(Ordering::SeqCst), 1, "the token is cached");
    // Another client gets a newer token: ours is now refused (401), so it refreshes once and succeeds.
    oauth_client(&base, "s3cr3t")
        .list("Users", &ListParams::default())
        .await
        .expect("other client");
    c.list("Users", &ListParams::default())
        .await
        .expect("refreshed after 401");
    assert_eq!(issued.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn refused_client_credentials_say_so() {
    let (base, _) = oauth_server("s3cr3t").await;
    let err = oauth_client(&base, "wrong-one")
        .list("Users", &ListParams::default())
        .await
        .expect_err("refused");
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(
        text.contains("refused the client credentials")
            && text.contains("Client authentication failed"),
        "{text}"
    );
    assert!(!text.contains("wrong-one"));
}

#[tokio::test]
async fn a_bad_ca_bundle_or_proxy_is_a_clear_input_error() {
    let mut config = ClientConfig::new("https://scim.example.com/scim/v2", Auth::None);
    config.ca_bundle_pem = Some(b"not a certificate".to_vec());
    let err = ScimClient::new(config).expect_err("bad PEM");
    assert!(err.to_string().contains("CA bundle"), "{err}");
    let mut config = ClientConfig::new("https://scim.example.com/scim/v2", Auth::None);
    config.proxy = Some("::not a url::".into());
    let err = ScimClient::new(config).expect_err("bad proxy");
    assert!(err.to_string().contains("proxy"), "{err}");
}
