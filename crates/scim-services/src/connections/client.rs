//! A saved connection made into a client (its secrets from the keychain, its TLS, proxy and
//! timeout), and the connection test the form and `scimx connections test` run.

use super::*;

impl Connections {
    /// A client for the saved connection, with its secret from the keychain.
    pub fn client(&self, name: &str) -> Result<ScimClient, AppError> {
        let c = self.find(name)?;
        let store = self.store_for(&c);
        let missing = |what: &str| {
            let message = if c.session_only {
                format!("The {what} of \"{}\" was kept for one session only and is gone since the app restarted. Enter it again (Replace token, or Edit).", c.name)
            } else {
                format!(
                    "No {what} is stored for \"{}\" in the {}. Use \"Replace token\" (or Edit).",
                    c.name,
                    store.describe()
                )
            };
            AppError::new(ErrorKind::Keychain, message)
        };
        let secret = || -> Result<Secret, AppError> {
            store.get(&account(&c.id))?.ok_or_else(|| missing("token"))
        };
        let auth = match &c.auth {
            AuthKind::None => Auth::None,
            AuthKind::Bearer => Auth::Bearer(secret()?),
            AuthKind::Basic { user } => Auth::Basic {
                user: user.clone(),
                password: secret()?,
            },
            AuthKind::OAuth2 {
                token_url,
                client_id,
                scope,
            } => Auth::OAuth2(ClientCredentials {
                token_url: token_url.clone(),
                client_id: client_id.clone(),
                client_secret: secret()?,
                scope: scope.clone(),
            }),
        };
        let mut config = ClientConfig::new(&c.base_url, auth);
        for n in &c.header_names {
            let value = store
                .get(&header_account(&c.id, n))?
                .ok_or_else(|| missing(&format!("value of the {n} header")))?;
            config.extra_headers.push((n.clone(), value));
        }
        config.accept_invalid_certs = c.accept_invalid_certs;
        config.proxy = c.proxy.clone();
        if let Some(user) = &c.proxy_user {
            let password = store
                .get(&proxy_account(&c.id))?
                .unwrap_or_else(|| Secret::new(""));
            config.proxy_auth = Some((user.clone(), password));
        }
        config.pacing = c.pacing();
        if let Some(t) = c.timeout_secs {
            config.timeout = Duration::from_secs(u64::from(t.max(1)));
        }
        if let Some(path) = &c.ca_bundle_path {
            config.ca_bundle_pem = Some(
                std::fs::read(path)
                    .map_err(|e| storage(format!("Cannot read the CA bundle {path}: {e}.")))?,
            );
        }
        Ok(ScimClient::new(config)?)
    }

    /// "Test connection": discovery with timing, 401 and 403 explained differently.
    pub async fn test(&self, name: &str) -> Result<TestReport, AppError> {
        let client = self.client(name)?;
        let started = Instant::now();
        let result = client.discover().await;
        let latency_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        Ok(match result {
            Ok(d) => {
                let c = &d.config;
                let mut features = Vec::new();
                if c.patch {
                    features.push("PATCH".to_owned());
                }
                if c.etag {
                    features.push("ETag".to_owned());
                }
                if c.bulk {
                    features.push("Bulk".to_owned());
                }
                if let Some(m) = c.filter_max_results {
                    features.push(format!("filter ≤{m}"));
                }
                TestReport {
                    ok: true,
                    summary: format!(
                        "Connected: {}",
                        if features.is_empty() {
                            "no optional features".to_owned()
                        } else {
                            features.join(", ")
                        }
                    ),
                    latency_ms,
                    warnings: d.warnings.into_iter().map(|w| w.message).collect(),
                }
            }
            Err(e) => {
                let summary = match e.status() {
                    Some(401) => "The server refused the token (401): it is wrong, expired or was regenerated. Replace it.".to_owned(),
                    Some(403) => "The token was accepted but lacks permission (403), or SCIM is disabled for this tenant. Check the app's SCIM settings.".to_owned(),
                    _ => e.to_string(),
                };
                TestReport {
                    ok: false,
                    summary,
                    latency_ms,
                    warnings: Vec::new(),
                }
            }
        })
    }
}
