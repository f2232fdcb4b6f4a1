//! OAuth2 client credentials (RFC 6749 §4.4): fetch a bearer token from the token endpoint, cache it,
//! and refresh it a minute before it expires — the secret itself never leaves this module but to the
//! token endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use crate::client::percent_encode;
use crate::error::ClientError;
use crate::secret::Secret;

/// Where and how to get tokens.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scope: Option<String>,
}

/// The current token, shared by a client's clones.
#[derive(Debug, Clone, Default)]
pub struct TokenCache(Arc<tokio::sync::Mutex<Option<(Secret, Instant)>>>);

/// Tokens are renewed this long before they expire, so a long load never uses an expired one.
const EARLY: Duration = Duration::from_secs(60);

impl TokenCache {
    /// A valid token, from the cache unless `force_refresh` or it is about to expire.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        creds: &ClientCredentials,
        force_refresh: bool,
    ) -> Result<Secret, ClientError> {
        let mut slot = self.0.lock().await;
        if let Some((token, expires)) = slot.as_ref() {
            if !force_refresh && Instant::now() + EARLY < *expires {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = fetch(http, creds).await?;
        *slot = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }
}

async fn fetch(
    http: &reqwest::Client,
    creds: &ClientCredentials,
) -> Result<(Secret, Duration), ClientError> {
    let mut form = format!(
        "grant_type=client_credentials&client_id={}",
        percent_encode(&creds.client_id)
    );
    if let Some(scope) = &creds.scope {
        form.push_str(&format!("&scope={}", percent_encode(scope)));
    }
    let response = http
        .post(&creds.token_url)
        .basic_auth(&creds.client_id, Some(creds.client_secret.expose()))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(form)
        .send()
        .await
        .map_err(|e| ClientError::Network {
            url: creds.token_url.clone(),
            message: format!("token endpoint: {e}"),
            timeout: e.is_timeout(),
        })?;
    let status = response.status();
    // A token answer is a few hundred bytes: a small cap, so a wrong or hostile endpoint cannot
    // fill memory before the answer is even read.
    let limits = crate::body::BodyLimits {
        max_bytes: crate::body::TOKEN_MAX_BODY_BYTES,
        idle: Duration::from_secs(20),
        deadline: Instant::now() + Duration::from_secs(30),
    };
    let bytes = crate::body::read_capped(response, &creds.token_url, limits).await?;
    let body: Option<Value> = serde_json::from_slice(&bytes).ok();
    if !status.is_success() {
        // RFC 6749 §5.2 error body: {"error": "invalid_client", "error_description": …}
        let reason = body
            .as_ref()
            .and_then(|b| b.get("error_description").or_else(|| b.get("error")))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| scim_core::error::trim_body(&String::from_utf8_lossy(&bytes), 200));
        return Err(ClientError::Http {
            status: status.as_u16(),
            scim: None,
            body: Some(format!(
                "the token endpoint refused the client credentials: {reason}"
            )),
            retry_after: None,
        });
    }
    let body =
        body.ok_or_else(|| ClientError::Decode("the token endpoint did not answer JSON".into()))?;
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ClientError::Decode("the token endpoint's answer has no access_token".into())
        })?;
    let lifetime = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .unwrap_or(3600);
    Ok((Secret::new(token), Duration::from_secs(lifetime)))
}
