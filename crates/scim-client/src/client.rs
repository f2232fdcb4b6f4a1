//! The SCIM HTTP client: builds requests strictly (percent-encoded ids and filters, SCIM media type),
//! reads answers tolerantly through the core, retries only what is safe to retry, and maps every
//! failure to a [`ClientError`].

use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH, RETRY_AFTER,
};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use scim_core::error::ScimErrorBody;
use scim_core::messages::ListResponse;
use scim_core::patch::PatchOp;
use scim_core::raw_list::RawListResponse;
use scim_core::{Tolerant, Warning};

use crate::error::ClientError;
use crate::log::{
    redact_body, redact_headers, redact_headers_also, redact_json, redact_raw_page, Exchange,
    RequestLog,
};
use crate::secret::Secret;

const SCIM_JSON: &str = "application/scim+json";

/// How an answer's body is read: into one `Value`, or — a list page — with its resources kept raw.
#[derive(Debug, Clone, Copy)]
enum Reading {
    Value,
    RawList,
}

/// An answer's body as read.
enum Body {
    Value(Option<Value>),
    RawList(Result<Tolerant<RawListResponse>, String>),
}

/// An answer after retries: what `send` interprets and `list_raw` hands on.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    bytes: bytes::Bytes,
    body: Body,
}

/// How to authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(Secret),
    Basic {
        user: String,
        password: Secret,
    },
    /// OAuth2 client credentials (RFC 6749 §4.4): a token fetched from `token_url`, refreshed before it
    /// expires and once more if the server answers 401.
    OAuth2(crate::oauth::ClientCredentials),
}

/// Connection settings for one SCIM server.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://app.example.com/scim/v2`
    pub base_url: String,
    pub auth: Auth,
    pub timeout: Duration,
    /// Attempts after the first for idempotent requests answered 429/503 or lost on the network.
    pub max_retries: u32,
    /// The longest `Retry-After` honoured before giving up, so a bad header cannot stall the app.
    pub max_retry_wait: Duration,
    /// Opt-in for self-signed test servers; shown as a warning on the connection.
    pub accept_invalid_certs: bool,
    /// Extra PEM certificates to trust (a company CA), in addition to the system's.
    pub ca_bundle_pem: Option<Vec<u8>>,
    /// `http://host:port` or `socks5://…`; `None` uses the environment (HTTPS_PROXY…).
    pub proxy: Option<String>,
    /// The proxy's user name and password (kept in the keychain, never in the proxy URL).
    pub proxy_auth: Option<(String, Secret)>,
    /// Headers some servers need (a tenant id, an API key). Values are secrets: masked in the log.
    pub extra_headers: Vec<(String, Secret)>,
    /// The largest answer body read; a larger one (announced or streamed) fails with a message.
    pub max_body_bytes: u64,
    /// The longest wait for more of a body that has started: a stalled answer fails with a message.
    pub read_idle_timeout: Duration,
    /// How many requests go at once and how fast ([`crate::pacing`]).
    pub pacing: crate::pacing::PacingConfig,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(30),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
            accept_invalid_certs: false,
            ca_bundle_pem: None,
            proxy: None,
            proxy_auth: None,
            extra_headers: Vec::new(),
            max_body_bytes: crate::body::DEFAULT_MAX_BODY_BYTES,
            read_idle_timeout: Duration::from_secs(20),
            pacing: crate::pacing::PacingConfig::default(),
        }
    }
}

/// Query parameters of a list request (RFC 7644 §3.4.2).
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub descending: bool,
    pub start_index: Option<u64>,
    pub count: Option<u64>,
    pub attributes: Vec<String>,
    pub excluded_attributes: Vec<String>,
    /// RFC 9865 cursor paging: `Some("")` asks for the first page, then the server's `nextCursor`.
    pub cursor: Option<String>,
}

/// An answer with a body.
#[derive(Debug, Clone)]
pub struct ScimResponse {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Option<Value>,
}

/// A SCIM client for one server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct ScimClient {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    log: Option<RequestLog>,
    oauth: crate::oauth::TokenCache,
    /// Shared by the clones: one connection's requests are paced together.
    pacer: std::sync::Arc<crate::pacing::Pacer>,
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so filters travel as `%20`, not `+`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query_string(params: &ListParams) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(f) = &params.filter {
        pairs.push(("filter", f.clone()));
    }
    if let Some(s) = &params.sort_by {
        pairs.push(("sortBy", s.clone()));
        if params.descending {
            pairs.push(("sortOrder", "descending".into()));
        }
    }
    if let Some(s) = params.start_index {
        pairs.push(("startIndex", s.to_string()));
    }
    if let Some(c) = params.count {
        pairs.push(("count", c.to_string()));
    }
    if !params.attributes.is_empty() {
        pairs.push(("attributes", params.attributes.join(",")));
    }
    if !params.excluded_attributes.is_empty() {
        pairs.push(("excludedAttributes", params.excluded_attributes.join(",")));
    }
    if let Some(c) = &params.cursor {
        pairs.push(("cursor", c.clone()));
    }
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
fn retry_after(headers: &HeaderMap) -> Option<u64> {
    retry_after_secs(headers.get(RETRY_AFTER)?.to_str().ok()?)
}

/// A `Retry-After` value as seconds from now: delta-seconds or an HTTP date; `None` for anything
/// else. Whatever it says, the client waits at most `max_retry_wait`.
pub fn retry_after_secs(value: &str) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs);
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .map_or(0, |d| d.as_secs()),
    )
}

impl ScimClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let trimmed = config.base_url.trim().trim_end_matches('/');
        let base = Url::parse(trimmed).map_err(|e| {
            ClientError::InvalidInput(format!("`{trimmed}` is not a valid URL: {e}"))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::InvalidInput(format!(
                "`{trimmed}` must start with https:// (or http:// for local servers)"
            )));
        }
        // Credentials in a URL end up in logs, exports and shell history: they belong in the keychain.
        if !base.username().is_empty() || base.password().is_some() {
            return Err(ClientError::InvalidInput(
                "the base URL has a user name or password in it (https://user:pass@host); remove them and choose Basic authentication instead, so they are kept in the keychain".into(),
            ));
        }
        if let Auth::OAuth2(oauth) = &config.auth {
            let token_url = Url::parse(oauth.token_url.trim()).map_err(|e| {
                ClientError::InvalidInput(format!(
                    "the OAuth token URL `{}` is not a valid URL: {e}",
                    oauth.token_url
                ))
            })?;
            if token_url.scheme() != "https" && !is_loopback(&token_url) {
                return Err(ClientError::InvalidInput(format!(
                    "the OAuth token URL `{}` must use https: the client secret is sent to it",
                    oauth.token_url
                )));
            }
            if !token_url.username().is_empty() || token_url.password().is_some() {
                return Err(ClientError::InvalidInput(
                    "the OAuth token URL has a user name or password in it; remove them".into(),
                ));
            }
        }
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .danger_accept_invalid_certs(config.accept_invalid_certs)
            .user_agent(concat!("scim-explorer/", env!("CARGO_PKG_VERSION")))
            // Redirects could carry the Authorization header to another host; follow none automatically.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &config.ca_bundle_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ClientError::InvalidInput(format!("the CA bundle is not valid PEM: {e}"))
            })?;
            if certs.is_empty() {
                return Err(ClientError::InvalidInput(
                    "the CA bundle holds no certificate".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(proxy) = config.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
            let mut proxy = reqwest::Proxy::all(proxy).map_err(|e| {
                ClientError::InvalidInput(format!("`{proxy}` is not a usable proxy URL: {e}"))
            })?;
            if let Some((user, password)) = &config.proxy_auth {
                proxy = proxy.basic_auth(user, password.expose());
            }
            builder = builder.proxy(proxy);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::InvalidInput(format!("cannot set up HTTP: {e}")))?;
        let pacer = std::sync::Arc::new(crate::pacing::Pacer::new(config.pacing));
        Ok(Self {
            http,
            base,
            config,
            log: None,
            oauth: crate::oauth::TokenCache::default(),
            pacer,
        })
    }

    /// What the user should know about how requests travel: plain http beyond this machine (the
    /// token crosses the network readable), certificates not checked.
    pub fn transport_warning(&self) -> Option<String> {
        if self.base.scheme() == "http" && !is_loopback(&self.base) {
            return Some(format!(
                "This connection uses plain http to {}: the token and every answer cross the network unencrypted. Use https unless this is a test server.",
                self.base.host_str().unwrap_or("the server")
            ));
        }
        if self.config.accept_invalid_certs {
            return Some("Certificates are not checked for this connection (accept invalid certificates is on): anyone on the network path could read the token.".to_owned());
        }
        None
    }

    /// The pacer of this client's requests (shared with its clones).
    pub fn pacer(&self) -> &crate::pacing::Pacer {
        &self.pacer
    }

    /// The settings this client was made with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The HTTP stack, for the raw forwarding of [`crate::forward`].
    pub(crate) fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// A current OAuth2 access token (fetched or cached), for the raw forwarding.
    pub(crate) async fn oauth_token(
        &self,
        oauth: &crate::oauth::ClientCredentials,
    ) -> Result<Secret, ClientError> {
        self.oauth.token(&self.http, oauth, false).await
    }

    /// Records every exchange of this client (and its clones) in `log`.
    #[must_use]
    pub fn with_log(mut self, log: RequestLog) -> Self {
        self.log = Some(log);
        self
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The log this client records in, when it has one.
    pub fn request_log(&self) -> Option<&RequestLog> {
        self.log.as_ref()
    }

    /// `base/segment/segment…` with each segment percent-encoded (ids may contain `@` or `/`).
    pub fn url(&self, segments: &[&str], query: Option<&str>) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        url.set_query(query.filter(|q| !q.is_empty()));
        url
    }

    fn is_idempotent(method: &Method) -> bool {
        matches!(
            *method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD
        )
    }

    /// Sends one request; retries idempotent ones on 429/503 and network loss, never a POST or PATCH.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Result<ScimResponse, ClientError> {
        let answer = self
            .exchange(method, url, body, if_match, Reading::Value)
            .await?;
        match answer.body {
            Body::Value(parsed) => interpret(answer.status, &answer.headers, &answer.bytes, parsed),
            // Not asked for: a raw page is only read by `list_raw`.
            Body::RawList(_) => interpret(answer.status, &answer.headers, &answer.bytes, None),
        }
    }

    /// One request with its retries, the answer read as `reading` says, and logged.
    async fn exchange(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        if_match: Option<&str>,
        reading: Reading,
    ) -> Result<Answer, ClientError> {
        let body_text = body.map(Value::to_string);
        let mut attempt = 0;
        loop {
            let mut builder = self
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, format!("{SCIM_JSON}, application/json"));
            builder = match &self.config.auth {
                Auth::None => builder,
                Auth::Bearer(token) => builder.header(AUTHORIZATION, bearer(token)?),
                // reqwest marks basic credentials sensitive itself.
                Auth::Basic { user, password } => builder.basic_auth(user, Some(password.expose())),
                Auth::OAuth2(oauth) => {
                    let token = self.oauth.token(&self.http, oauth, attempt > 0).await?;
                    builder.header(AUTHORIZATION, bearer(&token)?)
                }
            };
            for (name, value) in &self.config.extra_headers {
                builder = builder.header(name.as_str(), sensitive(value.expose(), name)?);
            }
            if let Some(v) = if_match {
                builder = builder.header(IF_MATCH, v);
            }
            if let Some(b) = &body_text {
                builder = builder.header(CONTENT_TYPE, SCIM_JSON).body(b.clone());
            }
            let request = builder
                .build()
                .map_err(|e| ClientError::InvalidInput(format!("cannot build the request: {e}")))?;
            // Waits here for the connection's pacing, so the log's times are those of the exchange.
            let permit = self.pacer.acquire().await;
            let secret_names: Vec<&str> = self
                .config
                .extra_headers
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            let secrets = self
                .log
                .as_ref()
                .map(RequestLog::secret_attributes)
                .unwrap_or_default();
            let mut entry = self.log.as_ref().map(|_| {
                log_entry(
                    &request,
                    body_text.as_deref(),
                    attempt + 1,
                    &secret_names,
                    &secrets,
                )
            });
            let started = Instant::now();
            let retryable = Self::is_idempotent(&method) && attempt < self.config.max_retries;
            let response = match self.http.execute(request).await {
                Ok(r) => r,
                Err(e) => {
                    drop(permit);
                    if let (Some(log), Some(mut entry)) = (&self.log, entry.take()) {
                        entry.duration_ms = started.elapsed().as_millis() as u64;
                        entry.error = Some(network_message(&e));
                        log.push(entry);
                    }
                    if retryable && !e.is_timeout() {
                        attempt += 1;
                        tokio::time::sleep(backoff(attempt)).await;
                        continue;
                    }
                    return Err(ClientError::Network {
                        url: url.to_string(),
                        message: network_message(&e),
                        timeout: e.is_timeout(),
                    });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let limits = crate::body::BodyLimits {
                max_bytes: self.config.max_body_bytes,
                idle: self.config.read_idle_timeout.min(self.config.timeout),
                deadline: started + self.config.timeout,
            };
            let bytes = crate::body::read_capped(response, url.as_str(), limits).await;
            let throttled = matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            );
            self.pacer.answered(
                &permit,
                throttled,
                retry_after(&headers)
                    .map(|s| Duration::from_secs(s).min(self.config.max_retry_wait)),
            );
            drop(permit);
            let bytes = match bytes {
                Ok(bytes) => bytes,
                Err(e) => {
                    if let (Some(log), Some(mut entry)) = (&self.log, entry.take()) {
                        entry.duration_ms = started.elapsed().as_millis() as u64;
                        entry.status = Some(status.as_u16());
                        entry.error = Some(e.to_string());
                        log.push(entry);
                    }
                    return Err(e);
                }
            };
            // Parsed once, for the log and for the answer: a page of 1000 users is worth not parsing twice.
            let parsed = match reading {
                Reading::RawList if status.is_success() => {
                    Body::RawList(RawListResponse::from_slice(&bytes))
                }
                _ if bytes.iter().all(u8::is_ascii_whitespace) => Body::Value(None),
                _ => Body::Value(serde_json::from_slice(&bytes).ok()),
            };
            if let (Some(log), Some(mut entry)) = (&self.log, entry.take()) {
                entry.duration_ms = started.elapsed().as_millis() as u64;
                entry.status = Some(status.as_u16());
                entry.response_headers = redact_headers(
                    headers
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("(binary)"))),
                );
                entry.response_bytes = bytes.len();
                entry.response_body = match &parsed {
                    Body::Value(Some(v)) => Some(redact_json(v, bytes.len(), &secrets)),
                    Body::RawList(Ok(page)) => {
                        Some(redact_raw_page(&page.value, bytes.len(), &secrets))
                    }
                    Body::Value(None) | Body::RawList(Err(_)) => redact_body(&bytes, &secrets),
                };
                log.push(entry);
            }
            if retryable
                && (status == StatusCode::TOO_MANY_REQUESTS
                    || status == StatusCode::SERVICE_UNAVAILABLE)
            {
                let wait = retry_after(&headers)
                    .map(Duration::from_secs)
                    .unwrap_or_else(|| backoff(attempt + 1));
                if wait <= self.config.max_retry_wait {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            // An expired OAuth2 token: fetch a fresh one and try once more (any method: nothing was done).
            if status == StatusCode::UNAUTHORIZED
                && matches!(self.config.auth, Auth::OAuth2(_))
                && attempt == 0
            {
                attempt += 1;
                continue;
            }
            return Ok(Answer {
                status,
                headers,
                bytes,
                body: parsed,
            });
        }
    }

    pub async fn get_json(&self, segments: &[&str]) -> Result<ScimResponse, ClientError> {
        self.send(Method::GET, self.url(segments, None), None, None)
            .await
    }

    /// One page of `endpoint` with its resources kept as raw JSON (checked, not built): what loading a
    /// whole collection reads, since most resources are only ever shown as a few cells.
    pub async fn list_raw(
        &self,
        endpoint: &str,
        params: &ListParams,
    ) -> Result<Tolerant<RawListResponse>, ClientError> {
        let url = self.url(&[endpoint], Some(&query_string(params)));
        let answer = self
            .exchange(Method::GET, url, None, None, Reading::RawList)
            .await?;
        match answer.body {
            Body::RawList(Ok(page)) => Ok(page),
            Body::RawList(Err(reason)) => {
                if answer.bytes.iter().all(u8::is_ascii_whitespace) {
                    return Err(ClientError::Decode("the list answer had no body".into()));
                }
                // Not JSON at all: the same error as any other answer (a proxy's HTML page…).
                let parsed = serde_json::from_slice::<Value>(&answer.bytes).ok();
                match parsed {
                    None => interpret(answer.status, &answer.headers, &answer.bytes, None)
                        .and(Err(ClientError::Decode(reason))),
                    Some(_) => Err(ClientError::Decode(reason)),
                }
            }
            Body::Value(parsed) => {
                interpret(answer.status, &answer.headers, &answer.bytes, parsed)?;
                Err(ClientError::Decode("the list answer had no body".into()))
            }
        }
    }

    /// One page of `endpoint` (`Users`, `Groups`).
    pub async fn list(
        &self,
        endpoint: &str,
        params: &ListParams,
    ) -> Result<Tolerant<ListResponse>, ClientError> {
        let url = self.url(&[endpoint], Some(&query_string(params)));
        let response = self.send(Method::GET, url, None, None).await?;
        let body = response
            .body
            .ok_or_else(|| ClientError::Decode("the list answer had no body".into()))?;
        ListResponse::from_value(body).map_err(ClientError::Decode)
    }

    /// `POST /{endpoint}/.search` (or `/.search` with no endpoint), RFC 7644 §3.4.3: filters too long
    /// for a URL, and no filter in server access logs.
    pub async fn search(
        &self,
        endpoint: Option<&str>,
        request: &scim_core::messages::SearchRequest,
    ) -> Result<Tolerant<ListResponse>, ClientError> {
        let segments: Vec<&str> = endpoint.into_iter().chain([".search"]).collect();
        let response = self
            .send(
                Method::POST,
                self.url(&segments, None),
                Some(&request.to_json()),
                None,
            )
            .await?;
        let body = response
            .body
            .ok_or_else(|| ClientError::Decode("the search answer had no body".into()))?;
        ListResponse::from_value(body).map_err(ClientError::Decode)
    }

    /// `POST /Bulk` (RFC 7644 §3.7). Never retried; keep within the server's `maxOperations`.
    pub async fn bulk(
        &self,
        request: &scim_core::messages::BulkRequest,
    ) -> Result<Vec<scim_core::messages::BulkResult>, ClientError> {
        let response = self
            .send(
                Method::POST,
                self.url(&["Bulk"], None),
                Some(&request.to_json()),
                None,
            )
            .await?;
        let body = response
            .body
            .ok_or_else(|| ClientError::Decode("the bulk answer had no body".into()))?;
        scim_core::messages::read_bulk_response(&body).map_err(ClientError::Decode)
    }

    pub async fn get(&self, endpoint: &str, id: &str) -> Result<ScimResponse, ClientError> {
        self.get_json(&[endpoint, id]).await
    }

    /// GET with a projection (`attributes` / `excludedAttributes`).
    pub async fn get_projected(
        &self,
        endpoint: &str,
        id: &str,
        attributes: &[&str],
        excluded: &[&str],
    ) -> Result<ScimResponse, ClientError> {
        let params = ListParams {
            attributes: attributes.iter().map(|a| (*a).to_owned()).collect(),
            excluded_attributes: excluded.iter().map(|a| (*a).to_owned()).collect(),
            ..ListParams::default()
        };
        self.send(
            Method::GET,
            self.url(&[endpoint, id], Some(&query_string(&params))),
            None,
            None,
        )
        .await
    }

    /// A group without its members: cheap even for a 50k-member group (load members on demand).
    pub async fn get_group_summary(&self, id: &str) -> Result<ScimResponse, ClientError> {
        self.get_projected("Groups", id, &[], &["members"]).await
    }

    /// Only a group's members, fetched when the user opens them.
    pub async fn get_group_members(
        &self,
        id: &str,
    ) -> Result<scim_core::resource::Members, ClientError> {
        let response = self.get_projected("Groups", id, &["members"], &[]).await?;
        let body = response
            .body
            .ok_or_else(|| ClientError::Decode("the group answer had no body".into()))?;
        Ok(scim_core::Resource::new(body).members())
    }

    /// POST: never retried automatically (it is not idempotent).
    pub async fn create(
        &self,
        endpoint: &str,
        resource: &Value,
    ) -> Result<ScimResponse, ClientError> {
        self.send(
            Method::POST,
            self.url(&[endpoint], None),
            Some(resource),
            None,
        )
        .await
    }

    pub async fn replace(
        &self,
        endpoint: &str,
        id: &str,
        resource: &Value,
        if_match: Option<&str>,
    ) -> Result<ScimResponse, ClientError> {
        self.send(
            Method::PUT,
            self.url(&[endpoint, id], None),
            Some(resource),
            if_match,
        )
        .await
    }

    /// PATCH; a 204 answer is followed by a GET so the caller always sees the resulting resource.
    pub async fn patch(
        &self,
        endpoint: &str,
        id: &str,
        patch: &PatchOp,
        if_match: Option<&str>,
    ) -> Result<(ScimResponse, Vec<Warning>), ClientError> {
        let response = self
            .send(
                Method::PATCH,
                self.url(&[endpoint, id], None),
                Some(&patch.to_json()),
                if_match,
            )
            .await?;
        if response.body.is_some() {
            return Ok((response, Vec::new()));
        }
        let fetched = self.get(endpoint, id).await?;
        Ok((
            fetched,
            vec![Warning::new(
                "patch.noContent",
                "the server answered PATCH with no body (204); the resource was read again",
            )],
        ))
    }

    /// A write named by its method (`PATCH`, `PUT`, `POST`, `DELETE`) with a body as it stands, for
    /// callers that replay what an identity provider would send. A 204 comes back with no body.
    pub async fn write(
        &self,
        method: &str,
        segments: &[&str],
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Result<ScimResponse, ClientError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| ClientError::InvalidInput(format!("`{method}` is not an HTTP method")))?;
        self.send(method, self.url(segments, None), body, if_match)
            .await
    }

    pub async fn delete(
        &self,
        endpoint: &str,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<(), ClientError> {
        self.send(
            Method::DELETE,
            self.url(&[endpoint, id], None),
            None,
            if_match,
        )
        .await
        .map(|_| ())
    }
}

/// A log entry for a request about to be sent, headers and body already redacted.
fn log_entry(
    request: &reqwest::Request,
    body: Option<&str>,
    attempt: u32,
    secret_headers: &[&str],
    secrets: &scim_core::secrets::SecretAttributes,
) -> Exchange {
    Exchange {
        seq: 0,
        started_at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        method: request.method().to_string(),
        url: request.url().to_string(),
        request_headers: redact_headers_also(
            request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("(binary)"))),
            secret_headers,
        ),
        request_body: body.and_then(|b| redact_body(b.as_bytes(), secrets)),
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        duration_ms: 0,
        request_bytes: body.map_or(0, str::len),
        response_bytes: 0,
        attempt,
        error: None,
    }
}

/// A header value marked sensitive, so the HTTP stack never prints it (in debug output, HTTP/2
/// header compression tables) — secrets travel only as bytes on the wire.
fn sensitive(value: &str, name: &str) -> Result<HeaderValue, ClientError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        ClientError::InvalidInput(format!(
            "the value of the header {name} holds characters a header cannot carry"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

pub(crate) fn bearer(token: &Secret) -> Result<HeaderValue, ClientError> {
    sensitive(&format!("Bearer {}", token.expose()), "Authorization")
}

/// True for `localhost` and loopback addresses, where plain http stays on this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn backoff(attempt: u32) -> Duration {
    // Exponential with jitter from the clock's sub-second noise: no RNG dependency needed.
    let base = 250u64 << attempt.min(6);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_millis()),
    ) % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}

/// What is wrong with a server certificate, as far as the person at the screen is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertificateProblem {
    UnknownIssuer,
    Expired,
    NotYetValid,
    WrongHost,
    Revoked,
    Other,
}

impl CertificateProblem {
    fn of(e: &rustls::CertificateError) -> Self {
        use rustls::CertificateError as C;
        match e {
            C::UnknownIssuer => Self::UnknownIssuer,
            C::Expired | C::ExpiredContext { .. } => Self::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => Self::NotYetValid,
            C::NotValidForName | C::NotValidForNameContext { .. } => Self::WrongHost,
            C::Revoked => Self::Revoked,
            _ => Self::Other,
        }
    }

    /// From the error's text, for the layers (hyper's boxed errors) that hide the rustls error
    /// from `source()`: rustls' own wording, as `Display` and `Debug` write it.
    fn from_text(text: &str) -> Option<Self> {
        let at = text.find("invalid peer certificate")?;
        let rest = &text[at..];
        let has = |words: &[&str]| words.iter().any(|w| rest.contains(w));
        Some(if has(&["UnknownIssuer", "unknown issuer"]) {
            Self::UnknownIssuer
        } else if has(&["NotValidYet", "not valid yet", "not valid before"]) {
            Self::NotYetValid
        } else if has(&["Expired", "expired"]) {
            Self::Expired
        } else if has(&["NotValidForName", "not valid for name"]) {
            Self::WrongHost
        } else if has(&["Revoked", "revoked"]) {
            Self::Revoked
        } else {
            Self::Other
        })
    }
}

/// A refused server certificate, in words a person can act on (rustls names it by a variant).
fn certificate_problem(e: &reqwest::Error, chain: &str) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut found = None;
    while let Some(s) = source {
        // io::Error hides the error it wraps from `source()`: look inside it too.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|i| i as &(dyn std::error::Error + 'static));
        for candidate in [Some(s), inner].into_iter().flatten() {
            if let Some(rustls::Error::InvalidCertificate(c)) =
                candidate.downcast_ref::<rustls::Error>()
            {
                found = Some(CertificateProblem::of(c));
            }
        }
        source = s.source();
    }
    let host = e
        .url()
        .and_then(|u| u.host_str())
        .unwrap_or("the server")
        .to_owned();
    Some(match found.or_else(|| CertificateProblem::from_text(chain))? {
        CertificateProblem::UnknownIssuer => format!("the certificate of {host} is signed by an authority this computer does not trust: add the company's CA to the connection (CA bundle) or to the system's trust store, or check that nothing is intercepting the connection"),
        CertificateProblem::Expired => format!("the certificate of {host} has expired: the server's owner must renew it"),
        CertificateProblem::NotYetValid => format!("the certificate of {host} is not valid yet: check this computer's date and time"),
        CertificateProblem::WrongHost => format!("the certificate {host} presented is for another host name: check the URL, or ask the server's owner for a certificate naming {host}"),
        CertificateProblem::Revoked => format!("the certificate of {host} has been revoked"),
        CertificateProblem::Other => format!("the certificate of {host} could not be verified ({chain})"),
    })
}

pub(crate) fn network_message(e: &reqwest::Error) -> String {
    // reqwest's Display includes the URL (already shown) and never the headers, so no secret leaks.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    if let Some(words) = certificate_problem(e, &message) {
        return words;
    }
    if e.is_timeout() {
        "the server did not answer in time".to_owned()
    } else if e.is_connect() {
        format!("connection failed ({message})")
    } else {
        message
    }
}

fn interpret(
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &[u8],
    parsed: Option<Value>,
) -> Result<ScimResponse, ClientError> {
    let etag = headers
        .get(ETAG)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_owned);
    if status.is_success() {
        if !bytes.iter().all(u8::is_ascii_whitespace) && parsed.is_none() {
            return Err(ClientError::Decode(format!(
                "HTTP {} with a body that is not JSON: {}",
                status.as_u16(),
                scim_core::error::describe_body(bytes, 200)
            )));
        }
        let etag = etag.or_else(|| {
            parsed
                .as_ref()
                .and_then(|b| b.pointer("/meta/version"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        return Ok(ScimResponse {
            status: status.as_u16(),
            etag,
            body: parsed,
        });
    }
    if status.is_redirection() {
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(no Location)");
        return Err(ClientError::Http {
            status: status.as_u16(),
            scim: None,
            body: Some(format!(
                "redirected to {location}; update the connection's base URL"
            )),
            retry_after: None,
        });
    }
    let scim = parsed
        .as_ref()
        .and_then(ScimErrorBody::from_json)
        .map(|(body, _)| body);
    let body = if scim.is_none() {
        Some(scim_core::error::describe_body(bytes, 300))
    } else {
        None
    };
    Err(ClientError::Http {
        status: status.as_u16(),
        scim,
        body,
        retry_after: retry_after(headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_percent_encoded_with_percent_20() {
        let q = query_string(&ListParams {
            filter: Some(r#"userName eq "a+b@x.io""#.into()),
            count: Some(10),
            ..Default::default()
        });
        assert_eq!(q, "filter=userName%20eq%20%22a%2Bb%40x.io%22&count=10");
    }

    #[test]
    fn ids_are_encoded_as_path_segments() {
        let c = ScimClient::new(ClientConfig::new("https://x.example/scim/v2/", Auth::None))
            .expect("client");
        assert_eq!(
            c.url(&["Users", "a/b@c d"], None).as_str(),
            "https://x.example/scim/v2/Users/a%2Fb@c%20d"
        );
    }

    #[test]
    fn html_error_pages_become_trimmed_text() {
        let err = interpret(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            None,
        )
        .expect_err("error");
        let ClientError::Http {
            status, scim, body, ..
        } = &err
        else {
            panic!("http error")
        };
        assert_eq!((*status, scim.is_none()), (502, true));
        assert!(body
            .as_deref()
            .is_some_and(|b| b.contains("502 Bad Gateway")));
        assert!(err.to_string().starts_with("HTTP 502: the server failed"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(7));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(0));
    }

    #[test]
    fn a_bad_base_url_is_invalid_input() {
        assert!(matches!(
            ScimClient::new(ClientConfig::new("ftp://x", Auth::None)),
            Err(ClientError::InvalidInput(_))
        ));
        assert!(matches!(
            ScimClient::new(ClientConfig::new("not a url", Auth::None)),
            Err(ClientError::InvalidInput(_))
        ));
    }
}
