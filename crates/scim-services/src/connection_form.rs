//! What the create/edit connection form sends, and how it becomes a saved connection: secrets cross
//! from the UI to Rust once, here, and go straight to the keychain (or to memory for "this session
//! only"); they never travel back to the UI.

use serde::Deserialize;
use specta::Type;

use scim_client::Secret;

use crate::connections::{AuthKind, Connection, Connections};
use crate::error::AppError;

/// An extra header as the form edits it; `value: None` on an edit keeps the stored value.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeaderInput {
    pub name: String,
    pub value: Option<String>,
}

/// The create/edit form. `id` is set when editing; an empty `secret` then keeps the stored one.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub base_url: String,
    pub auth: AuthKind,
    /// The bearer token, the basic password or the OAuth2 client secret.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub headers: Vec<HeaderInput>,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub ca_bundle_path: Option<String>,
    #[serde(default)]
    pub accept_invalid_certs: bool,
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default)]
    pub timeout_secs: Option<u32>,
    #[serde(default)]
    pub session_only: bool,
    /// The most resources one load holds (`None`: the default, 5,000,000).
    #[serde(default)]
    pub max_resources: Option<u32>,
    /// The most requests in flight at once (`None`: 8).
    #[serde(default)]
    pub max_in_flight: Option<u32>,
    /// At most this many requests per second (`None`: no limit).
    #[serde(default)]
    pub requests_per_second: Option<u32>,
    /// What users are keyed to single sign-on by (`None`: suggested from the users).
    #[serde(default)]
    pub sso_key: Option<scim_core::identity::SsoKey>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl ConnectionInput {
    /// Creates the connection, or updates it when `id` is set.
    pub fn save(self, store: &Connections) -> Result<Connection, AppError> {
        let secret = non_empty(self.secret).map(Secret::new);
        let editing = self.id.is_some();
        if !editing && secret.is_none() && self.auth != AuthKind::None {
            return Err(AppError::invalid_input(match self.auth {
                AuthKind::Basic { .. } => "Enter the password.",
                AuthKind::OAuth2 { .. } => "Enter the client secret.",
                _ => "Enter the token (or choose \"No authentication\").",
            }));
        }
        let auth = match self.auth {
            AuthKind::Basic { user } if user.trim().is_empty() => {
                return Err(AppError::invalid_input(
                    "Enter the user name for basic authentication.",
                ))
            }
            AuthKind::OAuth2 { token_url, .. } if !token_url.trim().starts_with("http") => {
                return Err(AppError::invalid_input(format!(
                    "The token endpoint must be an https:// URL (got \"{}\").",
                    token_url.trim()
                )))
            }
            AuthKind::OAuth2 { client_id, .. } if client_id.trim().is_empty() => {
                return Err(AppError::invalid_input("Enter the OAuth2 client id."))
            }
            AuthKind::OAuth2 {
                token_url,
                client_id,
                scope,
            } => AuthKind::OAuth2 {
                token_url: token_url.trim().to_owned(),
                client_id: client_id.trim().to_owned(),
                scope: non_empty(scope),
            },
            AuthKind::Basic { user } => AuthKind::Basic {
                user: user.trim().to_owned(),
            },
            other => other,
        };
        let kept = match &self.id {
            Some(id) => store.list()?.into_iter().find(|c| &c.id == id),
            None => None,
        };
        let stored: Vec<String> = kept
            .as_ref()
            .map(|c| c.header_names.clone())
            .unwrap_or_default();
        let mut header_values = Vec::new();
        let mut header_names: Vec<String> = Vec::new();
        for h in self.headers {
            let name = h.name.trim().to_owned();
            if name.is_empty() {
                continue;
            }
            if header_names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                return Err(AppError::invalid_input(format!(
                    "The header {name} is listed twice."
                )));
            }
            match non_empty(h.value) {
                Some(v) => header_values.push((name.clone(), Secret::new(v))),
                None if !stored.iter().any(|n| n.eq_ignore_ascii_case(&name)) => {
                    return Err(AppError::invalid_input(format!(
                        "Enter a value for the header {name}."
                    )))
                }
                None => {}
            }
            header_names.push(name);
        }
        let proxy = non_empty(self.proxy);
        let proxy_user = kept
            .as_ref()
            .filter(|c| c.proxy.as_deref().map(str::trim) == proxy.as_deref().map(str::trim))
            .and_then(|c| c.proxy_user.clone());
        let connection = Connection {
            id: self.id.clone().unwrap_or_default(),
            name: self.name.trim().to_owned(),
            base_url: self.base_url.trim().to_owned(),
            auth,
            color: non_empty(self.color),
            read_only: self.read_only,
            notes: self.notes,
            ca_bundle_path: non_empty(self.ca_bundle_path),
            accept_invalid_certs: self.accept_invalid_certs,
            proxy,
            timeout_secs: self.timeout_secs.filter(|t| *t > 0),
            header_names,
            session_only: self.session_only,
            max_resources: self.max_resources.filter(|m| *m > 0),
            max_in_flight: self.max_in_flight.filter(|m| *m > 0).map(|m| m.min(64)),
            requests_per_second: self.requests_per_second.filter(|r| *r > 0),
            sso_key: self.sso_key,
            // Not on the form: kept as it was (a quirk a load remembered).
            omit_count: kept.as_ref().is_some_and(|c| c.omit_count),
            // The same proxy keeps its user (and keychain password); a URL typed with `user:pass@`
            // gets split again when saved.
            proxy_user,
            view: Default::default(),
        };
        if let Some(path) = &connection.ca_bundle_path {
            let pem = std::fs::read(path).map_err(|e| {
                AppError::invalid_input(format!("Cannot read the CA bundle {path}: {e}."))
            })?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(AppError::invalid_input(format!(
                    "{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)."
                )));
            }
        }
        if editing {
            store.edit(connection, secret, &header_values)
        } else {
            store.add_with_headers(connection, secret, &header_values)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::secrets::{MemoryStore, SecretStore};

    fn input(name: &str) -> ConnectionInput {
        ConnectionInput {
            id: None,
            name: name.into(),
            base_url: "https://scim.example/v2/".into(),
            auth: AuthKind::Bearer,
            secret: Some("tok-1".into()),
            headers: Vec::new(),
            color: Some(String::new()),
            read_only: false,
            notes: String::new(),
            ca_bundle_path: None,
            accept_invalid_certs: false,
            proxy: None,
            timeout_secs: None,
            session_only: false,
            max_resources: None,
            max_in_flight: None,
            requests_per_second: None,
            sso_key: None,
        }
    }

    fn stores() -> (tempfile::TempDir, Arc<MemoryStore>, Connections) {
        let dir = tempfile::tempdir().expect("dir");
        let keychain = Arc::new(MemoryStore::default());
        let c = Connections::new(dir.path(), keychain.clone());
        (dir, keychain, c)
    }

    #[test]
    fn headers_are_saved_by_name_with_values_in_the_keychain() {
        let (dir, keychain, store) = stores();
        let mut i = input("Tenant");
        i.headers = vec![HeaderInput {
            name: "X-Tenant-Key".into(),
            value: Some("hdr-secret-99".into()),
        }];
        let saved = i.save(&store).expect("save");
        assert_eq!(saved.header_names, vec!["X-Tenant-Key".to_owned()]);
        assert_eq!(saved.color, None);
        let file = std::fs::read_to_string(dir.path().join("connections.json")).expect("file");
        assert!(!file.contains("hdr-secret-99") && !file.contains("tok-1"));
        assert_eq!(
            keychain
                .get("tenant/header/x-tenant-key")
                .expect("get")
                .map(|s| s.expose().to_owned()),
            Some("hdr-secret-99".into())
        );
        // The client sends it.
        let client = store.client("Tenant").expect("client");
        let sent: Vec<(&str, &str)> = client
            .config()
            .extra_headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.expose()))
            .collect();
        assert_eq!(sent, vec![("X-Tenant-Key", "hdr-secret-99")]);
    }

    #[test]
    fn a_request_rate_is_saved_and_paces_the_client() {
        let (_dir, _keychain, store) = stores();
        let mut i = input("Slow SaaS");
        i.max_in_flight = Some(1000);
        i.requests_per_second = Some(5);
        let saved = i.save(&store).expect("save");
        assert_eq!(saved.max_in_flight, Some(64), "at most 64 at once");
        let pacing = store.client("Slow SaaS").expect("client").config().pacing;
        assert_eq!(pacing.max_in_flight, 64);
        assert_eq!(pacing.requests_per_second, Some(5.0));
        // Zero means "the default", as for the other limits.
        let mut again = input("Other");
        again.max_in_flight = Some(0);
        let other = again.save(&store).expect("save");
        assert_eq!(other.max_in_flight, None);
        assert_eq!(
            store.client("Other").expect("client").config().pacing,
            scim_client::PacingConfig::default()
        );
    }

    #[test]
    fn an_edit_keeps_secrets_not_given_and_drops_removed_headers() {
        let (_dir, keychain, store) = stores();
        let mut i = input("Tenant");
        i.headers = vec![
            HeaderInput {
                name: "X-A".into(),
                value: Some("a".into()),
            },
            HeaderInput {
                name: "X-B".into(),
                value: Some("b".into()),
            },
        ];
        let saved = i.save(&store).expect("save");
        let mut edit = input("Tenant renamed");
        edit.id = Some(saved.id.clone());
        edit.secret = None;
        edit.headers = vec![HeaderInput {
            name: "X-A".into(),
            value: None,
        }];
        edit.read_only = true;
        let edited = edit.save(&store).expect("edit");
        assert_eq!((edited.id.as_str(), edited.read_only), ("tenant", true));
        assert_eq!(store.find("Tenant renamed").expect("find").id, "tenant");
        assert!(keychain.get("tenant/token").expect("get").is_some());
        assert!(keychain.get("tenant/header/x-a").expect("get").is_some());
        assert!(keychain.get("tenant/header/x-b").expect("get").is_none());
    }

    #[test]
    fn session_only_secrets_stay_out_of_the_keychain_and_move_when_switched() {
        let (dir, keychain, store) = stores();
        let mut i = input("Temp");
        i.session_only = true;
        let saved = i.save(&store).expect("save");
        assert!(keychain.get("temp/token").expect("get").is_none());
        assert!(store.client("Temp").is_ok());
        // Another process (a restart) has no session secrets and says why.
        let restarted = Connections::new(dir.path(), keychain.clone());
        let err = restarted.client("Temp").expect_err("gone");
        assert!(err.message.contains("one session only"), "{}", err.message);
        // Switching to the keychain moves the token there.
        let mut edit = input("Temp");
        edit.id = Some(saved.id);
        edit.secret = None;
        edit.session_only = false;
        edit.save(&store).expect("edit");
        assert!(keychain.get("temp/token").expect("get").is_some());
        assert!(restarted.client("Temp").is_ok());
    }

    #[test]
    fn the_form_explains_what_is_missing() {
        let (_dir, _k, store) = stores();
        let mut i = input("A");
        i.secret = Some("  ".into());
        assert!(i
            .save(&store)
            .expect_err("no token")
            .message
            .contains("Enter the token"));
        let mut i = input("B");
        i.auth = AuthKind::Basic { user: " ".into() };
        assert!(i
            .save(&store)
            .expect_err("no user")
            .message
            .contains("user name"));
        let mut i = input("C");
        i.headers = vec![HeaderInput {
            name: "Bad Header".into(),
            value: Some("v".into()),
        }];
        assert!(i
            .save(&store)
            .expect_err("bad")
            .message
            .contains("not a valid header name"));
        let mut i = input("D");
        i.proxy = Some("proxy:3128".into());
        assert!(i.save(&store).expect_err("proxy").message.contains("proxy"));
        let mut i = input("E");
        i.ca_bundle_path = Some("/nonexistent/ca.pem".into());
        assert!(i
            .save(&store)
            .expect_err("ca")
            .message
            .contains("CA bundle"));
        assert!(store.list().expect("list").is_empty(), "nothing half-saved");
    }
}
