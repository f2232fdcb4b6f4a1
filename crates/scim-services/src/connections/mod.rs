//! Saved connections: a versioned, human-readable file in the OS config directory holding everything
//! about each tenant except its secrets, which live in the keychain. Writes are atomic (temp file +
//! rename); a corrupt or newer file is reported and never overwritten. Making a client of one and
//! testing it is in `client`, export and import in `share`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use specta::Type;

use scim_client::{Auth, ClientConfig, ClientCredentials, ScimClient, Secret};

use crate::error::{AppError, ErrorKind};
use crate::secrets::{MemoryStore, SecretStore};
use crate::view_settings::ViewSettings;

/// The file format version this build writes.
pub const FILE_VERSION: u32 = 1;

/// How a connection authenticates; the secret part is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthKind {
    None,
    /// A bearer token (keychain: `<id>/token`).
    Bearer,
    /// HTTP basic (keychain: `<id>/token` holds the password).
    #[serde(rename_all = "camelCase")]
    Basic {
        user: String,
    },
    /// OAuth2 client credentials (keychain: `<id>/token` holds the client secret).
    #[serde(rename_all = "camelCase")]
    OAuth2 {
        token_url: String,
        client_id: String,
        scope: Option<String>,
    },
}

/// One saved connection (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Stable identifier (a slug of the first name), used for keychain accounts.
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub auth: AuthKind,
    /// Colour tag shown in the window so production looks different from staging (`#rrggbb`).
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub notes: String,
    /// PEM file of extra CAs to trust.
    #[serde(default)]
    pub ca_bundle_path: Option<String>,
    /// Opt-in for self-signed test servers, shown as a warning.
    #[serde(default)]
    pub accept_invalid_certs: bool,
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default)]
    pub timeout_secs: Option<u32>,
    /// Extra headers sent with every request (a tenant id, an API key). Only the names are here:
    /// the values are secrets, kept with the token.
    #[serde(default)]
    pub header_names: Vec<String>,
    /// The secrets are held in memory for this session only (no keychain was available, or the user
    /// chose so): after a restart the token must be entered again.
    #[serde(default)]
    pub session_only: bool,
    /// The most resources one load holds before it stops partial (with Resume); `None` is
    /// [`scim_client::DEFAULT_MAX_RESOURCES`].
    #[serde(default)]
    pub max_resources: Option<u32>,
    /// The most requests in flight at once (`None`: 8); the client adapts below it.
    #[serde(default)]
    pub max_in_flight: Option<u32>,
    /// At most this many requests per second (`None`: no limit), for APIs that allow only a few.
    #[serde(default)]
    pub requests_per_second: Option<u32>,
    /// What users are keyed to single sign-on by (`None`: suggested from the users loaded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_key: Option<scim_core::identity::SsoKey>,
    /// Remembered from a load: the server fails on `count`, so pages are asked for without it.
    #[serde(default)]
    pub omit_count: bool,
    /// The proxy's user name; its password is a secret (keychain `<id>/proxy`), never in `proxy`.
    #[serde(default)]
    pub proxy_user: Option<String>,
    /// Role rules, columns and dismissed warnings: kept with the record (by id), so a rename keeps
    /// them and an export carries them. Changed only through [`Connections::save_view`].
    #[serde(default, skip_serializing_if = "ViewSettings::is_default")]
    pub view: ViewSettings,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConnectionsFile {
    version: u32,
    connections: Vec<Connection>,
}

/// The OS config directory for SCIM Explorer (`SCIMX_CONFIG_DIR` overrides, for tests and portable use).
pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SCIMX_CONFIG_DIR") {
        return PathBuf::from(dir);
    }
    let base = if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    base.unwrap_or_else(|| PathBuf::from("."))
        .join("scim-explorer")
}

/// The default file for "Export connections": the user's Downloads folder (XDG on Linux), else home.
pub fn default_export_path() -> PathBuf {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let downloads = std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join("Downloads"));
    let dir = if downloads.is_dir() { downloads } else { home };
    dir.join("scim-explorer-connections.json")
}

fn storage(message: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Storage, message)
}

pub use scim_base::paths::slug;

/// The result of "Test connection".
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    pub ok: bool,
    /// One line: what happened, e.g. "Connected: PATCH, ETag, filter ≤200".
    pub summary: String,
    pub latency_ms: u32,
    pub warnings: Vec<String>,
}

/// Saved connections and their secrets.
#[derive(Debug, Clone)]
pub struct Connections {
    path: PathBuf,
    secrets: Arc<dyn SecretStore>,
    /// Secrets of `session_only` connections: gone when the app quits.
    session: Arc<MemoryStore>,
}

impl Connections {
    pub fn new(dir: &Path, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            path: dir.join("connections.json"),
            secrets,
            session: Arc::new(MemoryStore::default()),
        }
    }

    /// Where this connection's secrets live.
    fn store_for(&self, c: &Connection) -> &dyn SecretStore {
        if c.session_only {
            self.session.as_ref()
        } else {
            self.secrets.as_ref()
        }
    }

    /// Stores a connection's token and header values; `None` leaves a secret as it is.
    fn store_secrets(
        &self,
        c: &Connection,
        secret: Option<&Secret>,
        headers: &[(String, Secret)],
    ) -> Result<(), AppError> {
        let store = self.store_for(c);
        if let Some(secret) = secret {
            store.set(&account(&c.id), secret)?;
        }
        for (name, value) in headers {
            store.set(&header_account(&c.id, name), value)?;
        }
        Ok(())
    }

    /// Deletes every secret a connection may have, in both stores.
    fn delete_secrets(&self, c: &Connection) -> Result<(), AppError> {
        let mut accounts = vec![account(&c.id), proxy_account(&c.id)];
        accounts.extend(c.header_names.iter().map(|n| header_account(&c.id, n)));
        for a in &accounts {
            self.session.delete(a)?;
        }
        for a in &accounts {
            self.secrets.delete(a)?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn secret_store(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    fn read(&self) -> Result<ConnectionsFile, AppError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConnectionsFile {
                    version: FILE_VERSION,
                    connections: Vec::new(),
                })
            }
            Err(e) => {
                return Err(storage(format!(
                    "Cannot read {}: {e}.",
                    self.path.display()
                )))
            }
        };
        let probe: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            storage(format!(
                "{} is not valid JSON ({e}). It was left untouched: fix it or move it away.",
                self.path.display()
            ))
        })?;
        let version = probe
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version > u64::from(FILE_VERSION) {
            return Err(storage(format!(
                "{} was written by a newer SCIM Explorer (format {version}, this one reads {FILE_VERSION}). It was left untouched; update the app.",
                self.path.display()
            )));
        }
        serde_json::from_value(probe).map_err(|e| {
            storage(format!("{} does not describe connections ({e}). It was left untouched: fix it or move it away.", self.path.display()))
        })
    }

    /// Writes atomically and privately (0600, fsynced, renamed into place): a crash mid-write
    /// leaves the old file, never half a file.
    fn write(&self, file: &ConnectionsFile) -> Result<(), AppError> {
        let text = serde_json::to_string_pretty(file).map_err(|e| storage(e.to_string()))? + "\n";
        crate::private_files::write_atomic(&self.path, crate::private_files::Place::Replace, |f| {
            f.write_all(text.as_bytes())
        })
    }

    pub fn list(&self) -> Result<Vec<Connection>, AppError> {
        Ok(self.read()?.connections)
    }

    /// Finds a connection by name (case-insensitive) or id.
    pub fn find(&self, name: &str) -> Result<Connection, AppError> {
        self.list()?
            .into_iter()
            .find(|c| c.name.eq_ignore_ascii_case(name) || c.id == name)
            .ok_or_else(|| {
                AppError::invalid_input(format!("No saved connection is called \"{name}\"."))
            })
    }

    fn validate(c: &Connection) -> Result<(), AppError> {
        if c.name.trim().is_empty() {
            return Err(AppError::invalid_input("Give the connection a name."));
        }
        let url = c.base_url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(AppError::invalid_input(format!(
                "The base URL must start with https:// (got \"{url}\")."
            )));
        }
        // The client refuses what must never be saved: credentials in the URL, an OAuth token URL
        // over plain http.
        let auth = match &c.auth {
            AuthKind::OAuth2 {
                token_url,
                client_id,
                scope,
            } => Auth::OAuth2(ClientCredentials {
                token_url: token_url.clone(),
                client_id: client_id.clone(),
                client_secret: Secret::new(""),
                scope: scope.clone(),
            }),
            _ => Auth::None,
        };
        ScimClient::new(ClientConfig::new(url, auth))?;
        for name in &c.header_names {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.!#$%&'*+^`|~".contains(&b));
            if !valid {
                return Err(AppError::invalid_input(format!(
                    "\"{name}\" is not a valid header name (letters, digits and - only)."
                )));
            }
            if name.eq_ignore_ascii_case("authorization") {
                return Err(AppError::invalid_input(
                    "Set the Authorization header through the authentication kind, not as an extra header.",
                ));
            }
        }
        if let Some(url) = &c.proxy {
            if !(url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("socks5://"))
            {
                return Err(AppError::invalid_input(format!(
                    "The proxy must look like http://proxy.example:3128 (got \"{url}\")."
                )));
            }
        }
        if let Some(color) = &c.color {
            let ok = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|ch| ch.is_ascii_hexdigit());
            if !ok {
                return Err(AppError::invalid_input(format!(
                    "The colour tag must look like #1e88e5 (got \"{color}\")."
                )));
            }
        }
        Ok(())
    }

    /// Saves a new connection and its secret. The id is derived from the name.
    pub fn add(
        &self,
        connection: Connection,
        secret: Option<Secret>,
    ) -> Result<Connection, AppError> {
        self.add_with_headers(connection, secret, &[])
    }

    /// As [`Connections::add`], with the values of its extra headers.
    pub fn add_with_headers(
        &self,
        mut connection: Connection,
        secret: Option<Secret>,
        headers: &[(String, Secret)],
    ) -> Result<Connection, AppError> {
        let proxy_password = split_proxy_credentials(&mut connection);
        Self::validate(&connection)?;
        // Read, change, write under the file's lock: the app and scimx may both be saving.
        crate::private_files::with_lock(&self.path, || {
            let mut file = self.read()?;
            if file
                .connections
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&connection.name))
            {
                return Err(AppError::invalid_input(format!(
                    "A connection called \"{}\" already exists.",
                    connection.name
                )));
            }
            let base = slug(&connection.name);
            let mut id = base.clone();
            let mut n = 2;
            while file.connections.iter().any(|c| c.id == id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            connection.id = id;
            connection.base_url = connection.base_url.trim().trim_end_matches('/').to_owned();
            // Secret first: a connection without its token would be useless, an orphan token harmless.
            self.store_secrets(&connection, secret.as_ref(), headers)?;
            if let Some(p) = &proxy_password {
                self.store_for(&connection)
                    .set(&proxy_account(&connection.id), p)?;
            }
            file.connections.push(connection.clone());
            file.version = FILE_VERSION;
            self.write(&file)?;
            Ok(connection)
        })
    }

    /// Replaces a connection's settings (not its secret).
    pub fn update(&self, connection: Connection) -> Result<Connection, AppError> {
        self.edit(connection, None, &[])
    }

    /// Replaces a connection's settings, and its token or header values where given (`None` and
    /// absent headers keep what is stored). Secrets follow a switch to or from "this session only";
    /// headers no longer configured lose their stored values.
    pub fn edit(
        &self,
        mut connection: Connection,
        secret: Option<Secret>,
        headers: &[(String, Secret)],
    ) -> Result<Connection, AppError> {
        let proxy_password = split_proxy_credentials(&mut connection);
        Self::validate(&connection)?;
        connection.base_url = connection.base_url.trim().trim_end_matches('/').to_owned();
        if let Some(p) = &proxy_password {
            self.store_for(&connection)
                .set(&proxy_account(&connection.id), p)?;
        }
        crate::private_files::with_lock(&self.path, || {
            let mut file = self.read()?;
            if file
                .connections
                .iter()
                .any(|c| c.id != connection.id && c.name.eq_ignore_ascii_case(&connection.name))
            {
                return Err(AppError::invalid_input(format!(
                    "A connection called \"{}\" already exists.",
                    connection.name
                )));
            }
            let slot = file
                .connections
                .iter_mut()
                .find(|c| c.id == connection.id)
                .ok_or_else(|| {
                    AppError::invalid_input(format!(
                        "No saved connection has the id \"{}\".",
                        connection.id
                    ))
                })?;
            let before = slot.clone();
            // The form does not carry the view settings: an edit keeps them.
            connection.view = before.view.clone();
            if before.session_only != connection.session_only {
                // Move what is stored to the other store before anything is deleted.
                let from = self.store_for(&before);
                let mut moved = Vec::new();
                if let Some(t) = from.get(&account(&before.id))? {
                    moved.push((account(&before.id), t));
                }
                for n in &connection.header_names {
                    if let Some(v) = from.get(&header_account(&before.id, n))? {
                        moved.push((header_account(&before.id, n), v));
                    }
                }
                let to = self.store_for(&connection);
                for (a, v) in &moved {
                    to.set(a, v)?;
                }
                for (a, _) in &moved {
                    from.delete(a)?;
                }
            }
            self.store_secrets(&connection, secret.as_ref(), headers)?;
            let store = self.store_for(&connection);
            for gone in before.header_names.iter().filter(|n| {
                !connection
                    .header_names
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(n))
            }) {
                store.delete(&header_account(&before.id, gone))?;
            }
            *slot = connection.clone();
            self.write(&file)?;
            Ok(connection)
        })
    }

    /// The view settings of connection `name`.
    pub fn view(&self, name: &str) -> Result<ViewSettings, AppError> {
        Ok(self.find(name)?.view)
    }

    /// Saves the view settings of the connection with id `id` (only they change).
    pub fn save_view(&self, id: &str, view: ViewSettings) -> Result<(), AppError> {
        let view = view.checked()?;
        crate::private_files::with_lock(&self.path, || {
            let mut file = self.read()?;
            let slot = file
                .connections
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| {
                    AppError::invalid_input(format!("No saved connection has the id \"{id}\"."))
                })?;
            slot.view = view;
            self.write(&file)
        })
    }

    /// Renames connection `from` to `to`. The id stays, and with it the keychain entries, the
    /// change log, the snapshots and the view settings.
    pub fn rename(&self, from: &str, to: &str) -> Result<Connection, AppError> {
        let mut c = self.find(from)?;
        c.name = to.trim().to_owned();
        self.edit(c, None, &[])
    }

    /// Deletes a connection and its keychain entries.
    pub fn remove(&self, name: &str) -> Result<(), AppError> {
        let target = self.find(name)?;
        crate::private_files::with_lock(&self.path, || {
            let mut file = self.read()?;
            file.connections.retain(|c| c.id != target.id);
            self.write(&file)
        })?;
        self.delete_secrets(&target)
    }

    /// Replaces the secret ("Replace token"), e.g. after Netdata's "Regenerate Token".
    pub fn rotate(&self, name: &str, secret: &Secret) -> Result<Connection, AppError> {
        let target = self.find(name)?;
        self.store_for(&target).set(&account(&target.id), secret)?;
        Ok(target)
    }
}

/// Records in `dir`'s connections file that the server of connection `id` fails on `count`. Only
/// that flag changes; no secret is touched.
pub fn remember_omit_count(dir: &Path, id: &str) -> Result<(), AppError> {
    let store = Connections::new(dir, Arc::new(MemoryStore::default()));
    crate::private_files::with_lock(&store.path, || {
        let mut file = store.read()?;
        let Some(c) = file.connections.iter_mut().find(|c| c.id == id) else {
            return Ok(());
        };
        if c.omit_count {
            return Ok(());
        }
        c.omit_count = true;
        store.write(&file)
    })
}

/// The view settings saved with connection `id` in `dir`'s connections file (the defaults when
/// it has none, or is gone).
pub fn view_of(dir: &Path, id: &str) -> Result<ViewSettings, AppError> {
    let store = Connections::new(dir, Arc::new(MemoryStore::default()));
    Ok(store
        .list()?
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.view)
        .unwrap_or_default())
}

/// Saves the view settings of connection `id` in `dir`'s connections file; no secret is touched.
pub fn save_view_of(dir: &Path, id: &str, view: ViewSettings) -> Result<(), AppError> {
    Connections::new(dir, Arc::new(MemoryStore::default())).save_view(id, view)
}

/// The keychain account of a connection's secret.
pub fn account(connection_id: &str) -> String {
    format!("{connection_id}/token")
}

/// The keychain account of an extra header's value (names are case-insensitive).
pub fn header_account(connection_id: &str, header: &str) -> String {
    format!("{connection_id}/header/{}", header.to_ascii_lowercase())
}

impl Connection {
    /// What bounds this connection's loads.
    pub fn load_limits(&self) -> crate::loaded::LoadLimits {
        crate::loaded::LoadLimits {
            max_resources: self
                .max_resources
                .map_or(scim_client::DEFAULT_MAX_RESOURCES, |m| m.max(1) as usize),
            omit_count: self.omit_count,
        }
    }

    /// How this connection's requests are paced (its own limits within the client's defaults).
    pub fn pacing(&self) -> scim_client::PacingConfig {
        let default = scim_client::PacingConfig::default();
        let max = self
            .max_in_flight
            .map_or(default.max_in_flight, |m| m.clamp(1, 64) as usize);
        scim_client::PacingConfig {
            max_in_flight: max,
            initial_in_flight: default.initial_in_flight.min(max),
            requests_per_second: self.requests_per_second.map(f64::from),
        }
    }

    /// A bearer-token connection with default settings.
    pub fn bearer(name: &str, base_url: &str) -> Self {
        Self {
            id: String::new(),
            name: name.to_owned(),
            base_url: base_url.to_owned(),
            auth: AuthKind::Bearer,
            color: None,
            read_only: false,
            notes: String::new(),
            ca_bundle_path: None,
            accept_invalid_certs: false,
            proxy: None,
            timeout_secs: None,
            header_names: Vec::new(),
            session_only: false,
            max_resources: None,
            max_in_flight: None,
            requests_per_second: None,
            sso_key: None,
            omit_count: false,
            proxy_user: None,
            view: Default::default(),
        }
    }
}

/// Takes `user:password@` out of a proxy URL: the URL is stored in the connections file, the
/// password goes to the keychain. Returns the password, when there was one.
fn split_proxy_credentials(c: &mut Connection) -> Option<Secret> {
    let proxy = c.proxy.as_deref()?.trim().to_owned();
    let (scheme, rest) = proxy.split_once("://")?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (userinfo, host) = rest[..host_end].rsplit_once('@')?;
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    c.proxy_user = Some(user.to_owned()).filter(|u| !u.is_empty());
    c.proxy = Some(format!("{scheme}://{host}{}", &rest[host_end..]));
    password.map(Secret::new)
}

/// The keychain account of a connection's proxy password.
pub fn proxy_account(connection_id: &str) -> String {
    format!("{connection_id}/proxy")
}

mod client;
mod share;
#[cfg(test)]
mod tests;

pub use share::ImportOutcome;
