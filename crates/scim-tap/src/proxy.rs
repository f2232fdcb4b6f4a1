//! The tap: a recording reverse proxy. It listens on a local address and forwards each request
//! under the upstream's base path to the upstream, byte for byte, through the client (its TLS
//! settings, timeouts and body cap), records the exchange in the capture and answers with what the
//! upstream said. It is no open proxy: absolute-URI and CONNECT requests, and paths outside the
//! base path, are refused (and recorded, so the user sees who tried).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use scim_client::forward::{is_hop_by_hop, ForwardAuth, ForwardRequest};
use scim_client::{Method, ScimClient};
use scim_core::error::ScimErrorBody;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::capture::{Capture, Pending};

/// How to run a tap.
#[derive(Debug, Clone)]
pub struct TapConfig {
    /// Where to listen; loopback unless the user asks otherwise (see [`exposure_warning`]).
    pub listen: SocketAddr,
    /// The application: its base URL (the tapped base path is its path), TLS and auth.
    pub upstream: ScimClient,
    pub auth: ForwardAuth,
    /// Exchanges kept (a rolling window).
    pub capacity: usize,
    /// The largest request body accepted from the sender.
    pub max_request_bytes: usize,
}

impl TapConfig {
    pub fn new(listen: SocketAddr, upstream: ScimClient) -> Self {
        Self {
            listen,
            upstream,
            auth: ForwardAuth::PassThrough,
            capacity: crate::capture::DEFAULT_CAPACITY,
            max_request_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Why a tap could not start.
#[derive(Debug, thiserror::Error)]
pub enum TapError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

/// What a user must know before listening on `addr`: `None` on loopback.
pub fn exposure_warning(addr: &SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "Listening on {addr}, beyond this machine: anyone who can reach it can send requests through it to the application, and read its answers. An identity provider in the cloud (Entra ID, Okta…) reaches only a public https address: put a tunnel (e.g. cloudflared, ngrok) or a reverse proxy with TLS in front, and stop the tap when done."
        )
    })
}

struct TapState {
    upstream: ScimClient,
    auth: ForwardAuth,
    /// The upstream's base path without its trailing slash (`/scim/v2`), or empty.
    base_path: String,
    capture: Capture,
    max_request_bytes: usize,
}

/// A running tap; stops (and stops listening) when dropped or on [`RunningTap::stop`].
#[derive(Debug)]
pub struct RunningTap {
    pub addr: SocketAddr,
    /// The URL to give the identity provider: this address with the upstream's base path.
    pub base_url: String,
    pub capture: Capture,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningTap {
    pub async fn start(config: TapConfig) -> Result<Self, TapError> {
        let capture = Capture::new(config.capacity);
        Self::start_with(config, capture).await
    }

    /// Starts with a given capture (the inbox shares one, a test may too).
    pub async fn start_with(config: TapConfig, capture: Capture) -> Result<Self, TapError> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| TapError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| TapError::Bind {
            addr: config.listen,
            source,
        })?;
        let upstream_url = config.upstream.base_url().to_owned();
        let path = upstream_url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_default();
        let base_path = path.trim_end_matches('/').to_owned();
        let state = Arc::new(TapState {
            upstream: config.upstream,
            auth: config.auth,
            base_path: base_path.clone(),
            capture: capture.clone(),
            max_request_bytes: config.max_request_bytes,
        });
        let app = Router::new().fallback(handle).with_state(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            base_url: format!("http://{addr}{base_path}"),
            capture,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Stops listening, waits until the port is free and every exchange is recorded.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.capture
            .settle(std::time::Duration::from_secs(10))
            .await;
    }
}

impl Drop for RunningTap {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An answer the tap gives itself, as a SCIM Error.
fn refuse(status: StatusCode, detail: &str) -> (u16, Vec<(String, Vec<u8>)>, bytes::Bytes) {
    let body = ScimErrorBody::new(status.as_u16(), None, detail)
        .to_json()
        .to_string();
    (
        status.as_u16(),
        vec![("content-type".to_owned(), b"application/scim+json".to_vec())],
        bytes::Bytes::from(body),
    )
}

async fn handle(State(tap): State<Arc<TapState>>, request: Request) -> Response {
    let started_at_ms = now_ms();
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    // An absolute-URI request is recorded as it named its target, so the user sees who tried what.
    let path = if parts.uri.scheme().is_some() || parts.uri.authority().is_some() {
        parts.uri.to_string()
    } else {
        parts.uri.path().to_owned()
    };
    let query = parts
        .uri
        .query()
        .filter(|_| parts.uri.scheme().is_none())
        .map(str::to_owned);
    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let under_base = path == tap.base_path
        || path.starts_with(&format!("{}/", tap.base_path))
        || tap.base_path.is_empty();
    let relative = path
        .strip_prefix(&tap.base_path)
        .unwrap_or(&path)
        .to_owned();
    let mut request_body = bytes::Bytes::new();
    let refused = if parts.method == axum::http::Method::CONNECT {
        Some((StatusCode::METHOD_NOT_ALLOWED, "CONNECT refused: this tap forwards SCIM requests to one application, it is not a proxy"))
    } else if parts.uri.scheme().is_some() || parts.uri.authority().is_some() {
        Some((StatusCode::BAD_REQUEST, "absolute-URI request refused: this tap forwards only paths under the application's base path, it is not an open proxy"))
    } else if !under_base {
        Some((
            StatusCode::NOT_FOUND,
            "outside the tapped base path: nothing is forwarded",
        ))
    } else {
        match axum::body::to_bytes(body, tap.max_request_bytes).await {
            Ok(b) => {
                request_body = b;
                None
            }
            Err(_) => Some((
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is larger than the tap accepts",
            )),
        }
    };
    let (status, response_headers, response_body, error) = match refused {
        Some((status, why)) => {
            let (s, h, b) = refuse(status, why);
            (s, h, b, Some(why.to_owned()))
        }
        None => {
            let forward = ForwardRequest {
                method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
                path_and_query: match &query {
                    Some(q) => format!("{path}?{q}"),
                    None => path.clone(),
                },
                headers: headers.clone(),
                body: request_body.clone(),
                auth: tap.auth,
            };
            match tap.upstream.forward(forward).await {
                Ok(answer) => (answer.status, answer.headers, answer.body, None),
                Err(e) => {
                    let why = format!("the application could not be reached: {e}");
                    let (s, h, b) = refuse(StatusCode::BAD_GATEWAY, &why);
                    (s, h, b, Some(why))
                }
            }
        }
    };
    let mut response = Response::new(Body::from(response_body.clone()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in &response_headers {
        if is_hop_by_hop(name) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    // Answered first, explained after: the capture's worker does the rest.
    tap.capture.enqueue(Pending {
        started_at_ms,
        duration_ms: started.elapsed().as_millis() as u64,
        method,
        path,
        query,
        relative_path: if relative.is_empty() {
            "/".to_owned()
        } else {
            relative
        },
        request_headers: headers,
        request_body,
        status: error.is_none().then_some(status),
        response_headers,
        response_body,
        error,
    });
    response.into_response()
}
