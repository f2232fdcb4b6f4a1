//! Forwarding a request as it came (the tap): the caller's method, path, query, headers and body go
//! to this client's server byte for byte, through the client's TLS settings, proxy, timeouts and
//! body cap, and the answer comes back raw. Nothing is retried: the sender decides that.

use std::time::Instant;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::{Method, Url};

use crate::client::{Auth, ScimClient};
use crate::error::ClientError;

/// Whose credentials a forwarded request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardAuth {
    /// The sender's own `Authorization`, passed through.
    PassThrough,
    /// This client's (the connection's secret), replacing the sender's.
    Connection,
}

/// One request to forward. `path_and_query` is the part after the origin (`/scim/v2/Users?x`).
#[derive(Debug, Clone)]
pub struct ForwardRequest {
    pub method: Method,
    pub path_and_query: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: bytes::Bytes,
    pub auth: ForwardAuth,
}

/// The answer, as the server sent it (hop-by-hop headers aside).
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: bytes::Bytes,
    pub duration_ms: u64,
}

/// Headers that belong to one connection, not to the request (RFC 9110 §7.6.1), plus those the
/// HTTP stack sets itself. `accept-encoding` is dropped so answers arrive readable for the capture.
pub fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
            | "accept-encoding"
    )
}

impl ScimClient {
    /// The origin of the base URL with `path_and_query` (which must start with `/`).
    fn origin_url(&self, path_and_query: &str) -> Result<Url, ClientError> {
        let base = Url::parse(self.base_url())
            .map_err(|e| ClientError::InvalidInput(format!("base URL: {e}")))?;
        base.join(path_and_query).map_err(|e| {
            ClientError::InvalidInput(format!("`{path_and_query}` is not a usable path: {e}"))
        })
    }

    /// Sends `request` as it is and returns the answer raw, read under the client's body cap.
    pub async fn forward(&self, request: ForwardRequest) -> Result<Forwarded, ClientError> {
        let url = self.origin_url(&request.path_and_query)?;
        let mut builder = self.http_client().request(request.method, url.clone());
        for (name, value) in &request.headers {
            if is_hop_by_hop(name)
                || (request.auth == ForwardAuth::Connection
                    && name.eq_ignore_ascii_case("authorization"))
            {
                continue;
            }
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) else {
                continue;
            };
            builder = builder.header(name, value);
        }
        if request.auth == ForwardAuth::Connection {
            builder = match &self.config().auth {
                Auth::None => builder,
                Auth::Bearer(token) => builder.header(AUTHORIZATION, crate::client::bearer(token)?),
                Auth::Basic { user, password } => builder.basic_auth(user, Some(password.expose())),
                Auth::OAuth2(oauth) => {
                    let token = self.oauth_token(oauth).await?;
                    builder.header(AUTHORIZATION, crate::client::bearer(&token)?)
                }
            };
        }
        let started = Instant::now();
        let response =
            builder
                .body(request.body)
                .send()
                .await
                .map_err(|e| ClientError::Network {
                    url: url.to_string(),
                    message: crate::client::network_message(&e),
                    timeout: e.is_timeout(),
                })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(k, _)| !is_hop_by_hop(k.as_str()))
            .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect();
        let config = self.config();
        let limits = crate::body::BodyLimits {
            max_bytes: config.max_body_bytes,
            idle: config.read_idle_timeout.min(config.timeout),
            deadline: started + config.timeout,
        };
        let body = crate::body::read_capped(response, url.as_str(), limits).await?;
        Ok(Forwarded {
            status,
            headers,
            body,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }
}
