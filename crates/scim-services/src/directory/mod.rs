//! An open directory — the session the app and `scimx` hold per server: a SCIM client bound to it,
//! its discovered capabilities, and the caches its screens read. Opening and reading single
//! resources are here; loading and windows in `load`, role groups and the matrix in `role_groups`,
//! a group's members in `group_members`, and the writes that keep the caches right in `writes`.

use serde::Serialize;
use serde_json::Value;
use specta::Type;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use scim_client::{Auth, ClientConfig, Discovery, ListParams, RequestLog, ScimClient};
use scim_core::names::get_ci;
use scim_core::{Resource, ResourceKind};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

use crate::error::AppError;
use crate::loaded::{self, LoadedSet, RunningLoads};
use crate::roles::Memberships;

/// A capability as the UI shows it: a short badge ("filter ≤200", "no ETag").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityBadge {
    pub label: String,
    /// False for missing capabilities, shown muted.
    pub supported: bool,
}

/// What the window header shows about the open directory.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySummary {
    pub name: String,
    /// The connection's colour tag (`#rrggbb`); `None` for the demo directory's own colour.
    pub color: Option<String>,
    pub read_only: bool,
    pub base_url: String,
    pub is_demo: bool,
    pub badges: Vec<CapabilityBadge>,
    /// Odd things noticed during discovery, shown once.
    pub warnings: Vec<String>,
    /// Set when this is a snapshot opened offline (read-only): what it is a record of.
    pub snapshot: Option<crate::snapshot::SnapshotHeader>,
    /// What the last server check found that changes how requests are built for this server.
    pub quirks: crate::server_check::ServerQuirks,
    /// The resource types the server declares (`User`, `Group`, custom ones such as `Role`), for
    /// resource-type rules.
    pub resource_types: Vec<String>,
}

/// One row of the users table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub id: String,
    pub user_name: String,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub email: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
}

/// One row of the groups table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroupRow {
    pub id: String,
    pub display_name: String,
    /// `None` when the server did not return members.
    pub member_count: Option<u32>,
}

/// A page of rows and the total the server announced.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowsPage<T> {
    pub total: Option<u32>,
    pub rows: Vec<T>,
}

/// Parameters of a users or groups query from the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowsQuery {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub count: Option<u32>,
}

/// One resource as the detail pane shows it: the exact JSON the server sent, and a few fields read
/// from it for the formatted view.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDetail {
    pub id: String,
    pub label: String,
    /// Pretty-printed JSON, attributes in the server's order.
    pub json: String,
    pub etag: Option<String>,
    /// Groups the server lists on the user (`groups`, RFC 7643 §4.1.2), or, when it lists none,
    /// computed from the loaded groups (see `groups_computed`).
    pub groups: Vec<String>,
    /// True when `groups` was computed from the loaded groups rather than sent by the server.
    pub groups_computed: bool,
    /// A group's members that are neither a loaded user nor a loaded group (labels), when the users
    /// are loaded; a sign of deleted users still referenced, or of a server-side inconsistency.
    pub missing_members: Vec<String>,
    /// Attributes no schema declares (e.g. Secoda's `secodaRole`), shown as "undeclared".
    pub undeclared: Vec<String>,
    /// A group's members as labels ("Ana Díaz", or the id when the server sent no display), nested
    /// groups marked "(group)"; `None` when the server did not return members.
    pub members: Option<Vec<String>>,
    /// Where it was read (`Users`, `Groups`, `Roles`).
    pub endpoint: String,
    /// The formatted view (`crate::resource_view`): a user's sections, or a few fields.
    pub sections: Vec<crate::resource_view::SummarySection>,
    /// A user's single-sign-on key (`None` for groups).
    pub identity: Option<IdentityLine>,
}

/// An open directory.
#[derive(Debug)]
pub struct Directory {
    pub name: String,
    color: Option<String>,
    read_only: bool,
    client: ScimClient,
    discovery: Discovery,
    /// Every exchange with the server, for the request log screen (secrets masked).
    log: RequestLog,
    /// Fully loaded collections by kind (`Users`, `Groups`).
    loaded: Mutex<HashMap<&'static str, Arc<LoadedSet>>>,
    running: RunningLoads,
    /// Group memberships of the loaded groups, computed once per load.
    memberships: Mutex<Option<(usize, Arc<Memberships>)>>,
    /// The members of the last group opened, resolved, so scrolling its list only slices.
    members: Mutex<Option<(String, Arc<Vec<crate::members::MemberRow>>)>>,
    /// The last matrix (its columns and every row), so scrolling it only slices.
    matrix: Mutex<Option<(String, Arc<MatrixParts>)>>,
    /// Every write sent through this directory, with what would undo it.
    changes: crate::change_log::ChangeLog,
    /// The config directory and the key of this connection's folders there (snapshots).
    config_dir: std::path::PathBuf,
    key: String,
    /// The snapshot this directory serves, when opened offline, and its file.
    snapshot: Option<crate::snapshot::SnapshotHeader>,
    snapshot_path: Option<std::path::PathBuf>,
    snapshot_config: Option<scim_core::messages::ServiceProviderConfig>,
    /// The connection's load limits; `omit_count` is set when a load finds the server fails on it.
    limits: Mutex<loaded::LoadLimits>,
    /// What the compare, reports and server screens keep (`workbench.rs`).
    comparison: Mutex<Option<Arc<scim_audit::compare::Comparison>>>,
    report: Mutex<Option<Arc<scim_audit::reports::Report>>>,
    scenario: tokio::sync::Mutex<Option<scim_conformance::scenarios::RunState>>,
    /// What users are keyed to single sign-on by, when set (`identity.rs`), and the suggestion
    /// from the loaded users (by the load it was computed from).
    identity: Mutex<Option<IdentityKey>>,
    suggested: Mutex<Option<(Option<std::sync::Weak<LoadedSet>>, IdentityKey)>>,
    /// Keeps the embedded server alive as long as the directory is open.
    _demo: Option<DemoServer>,
}

/// A fresh folder for the change log of a directory that lives one session only (the demo, whose
/// data is reseeded at each start; a snapshot opened offline). Unique per start — a PID alone is not
/// (PIDs are reused, and are the same in every sandboxed run) — and removed when the directory closes.
fn session_dir(what: &str) -> std::path::PathBuf {
    static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "scim-explorer-{what}-{}-{nanos}-{n}",
        std::process::id()
    ))
}

/// A random token for one embedded server: 128 bits from the standard library's randomly keyed
/// hasher (seeded by the OS), so no other local process or web page can read the server's data.
pub fn session_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let part = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("{:016x}{:016x}", part(1), part(2))
}

/// A client (with its request log) on an embedded server, and what discovery found there.
async fn served(
    server: &DemoServer,
    token: &str,
) -> Result<(ScimClient, Discovery, RequestLog), AppError> {
    let log = RequestLog::default();
    let auth = Auth::Bearer(scim_client::Secret::new(token));
    let client = ScimClient::new(ClientConfig::new(&server.base_url, auth))?.with_log(log.clone());
    let discovery = client.discover().await?;
    Ok((client, discovery, log))
}

impl Drop for Directory {
    fn drop(&mut self) {
        // Only the session folders made above are removed; a saved connection's log stays.
        if self._demo.is_some() {
            if let Some(dir) = self.changes.path().parent().and_then(|p| p.parent()) {
                if dir.starts_with(std::env::temp_dir()) {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
        }
    }
}

fn badges(c: &scim_core::messages::ServiceProviderConfig) -> Vec<CapabilityBadge> {
    let badge = |label: String, supported: bool| CapabilityBadge { label, supported };
    let mut out = vec![match c.filter_max_results {
        Some(m) if c.filter => badge(format!("filter ≤{m}"), true),
        _ => badge(
            if c.filter { "filter" } else { "no filter" }.into(),
            c.filter,
        ),
    }];
    out.push(badge(
        if c.patch { "PATCH" } else { "no PATCH" }.into(),
        c.patch,
    ));
    out.push(badge(
        if c.etag { "ETag" } else { "no ETag" }.into(),
        c.etag,
    ));
    out.push(badge(
        if c.bulk { "Bulk" } else { "no bulk" }.into(),
        c.bulk,
    ));
    out.push(badge(
        if c.sort { "sort" } else { "no sort" }.into(),
        c.sort,
    ));
    out
}

impl Directory {
    /// Starts the embedded demo server on a random loopback port and opens it.
    pub async fn open_demo(users: usize) -> Result<Self, AppError> {
        let config = DemoConfig {
            seed: SeedOptions {
                users,
                ..SeedOptions::default()
            },
            ..DemoConfig::default()
        };
        Self::start_demo("Demo directory".into(), config).await
    }

    /// A demo directory of the window's connection menu: a profile, a size, and a slow network or
    /// rate limits when asked for ([`crate::demo`]).
    pub async fn open_demo_with(options: &crate::demo::DemoOptions) -> Result<Self, AppError> {
        let profile = options.checked()?;
        let (latency_ms, rate_limit) = options.conditions();
        let config = DemoConfig {
            seed: SeedOptions {
                users: options.users as usize,
                ..SeedOptions::default()
            },
            profile,
            latency_ms,
            rate_limit,
            ..DemoConfig::default()
        };
        let directory = Self::start_demo(options.title(), config).await?;
        if let Some((key, why)) = crate::demo::profile_key(profile) {
            directory.set_identity(key, why);
        }
        Ok(directory)
    }

    async fn start_demo(name: String, config: DemoConfig) -> Result<Self, AppError> {
        let token = session_token();
        let server = DemoServer::start(DemoConfig {
            token: Some(token.clone()),
            ..config
        })
        .await
        .map_err(|e| {
            AppError::new(
                crate::error::ErrorKind::Network,
                format!("The demo directory could not start: {e}"),
            )
        })?;
        let (client, discovery, log) = served(&server, &token).await?;
        Ok(Self::assemble(
            name,
            None,
            false,
            (client, discovery, log),
            // The demo directory is reseeded at every start: its log lives for the session only.
            crate::change_log::ChangeLog::new(&session_dir("demo"), "demo"),
            (crate::connections::config_dir(), "demo".into()),
            Some(server),
        ))
    }

    /// Opens a saved connection: its token comes from the keychain, then discovery runs.
    pub async fn open_saved(
        connections: &crate::connections::Connections,
        name: &str,
    ) -> Result<Self, AppError> {
        let saved = connections.find(name)?;
        let log = RequestLog::default();
        let client = connections.client(name)?.with_log(log.clone());
        let discovery = client.discover().await?;
        let config_dir = connections
            .path()
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf();
        let limits = saved.load_limits();
        let sso_key = saved.sso_key;
        let directory = Self::assemble(
            saved.name,
            saved.color,
            saved.read_only,
            (client, discovery, log),
            crate::change_log::ChangeLog::new(&config_dir, &saved.id),
            (config_dir, saved.id),
            None,
        );
        *directory.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
        if let Some(key) = sso_key {
            directory.set_identity(key, "set on this connection");
        }
        Ok(directory)
    }

    /// Opens a snapshot file offline, read-only, in the same screens: its resources are served by an
    /// embedded server on loopback, so browsing, role groups, the matrix and reports work unchanged.
    pub async fn open_snapshot(path: &std::path::Path) -> Result<Self, AppError> {
        let snap = crate::snapshot::Snapshot::read(path)?;
        let header = snap.header.clone();
        let snapshot_config =
            scim_core::messages::ServiceProviderConfig::from_json(&snap.capabilities)
                .ok()
                .map(|t| t.value);
        let token = session_token();
        let server = DemoServer::start(DemoConfig {
            token: Some(token.clone()),
            data: Some(scim_demo_server::SeedData {
                users: snap.users,
                groups: snap.groups,
                // A snapshot holds users and groups only.
                roles: Vec::new(),
            }),
            ..DemoConfig::default()
        })
        .await
        .map_err(|e| {
            AppError::new(
                crate::error::ErrorKind::Network,
                format!("The snapshot could not be served: {e}"),
            )
        })?;
        let parts = served(&server, &token).await?;
        let mut directory = Self::assemble(
            format!("Snapshot of {} · {}", header.connection, header.taken_at),
            None,
            true,
            parts,
            crate::change_log::ChangeLog::new(&session_dir("snapshot"), "snapshot"),
            (crate::connections::config_dir(), "snapshot".into()),
            Some(server),
        );
        directory.snapshot = Some(header);
        directory.snapshot_path = Some(path.to_path_buf());
        directory.snapshot_config = snapshot_config;
        Ok(directory)
    }

    /// The parts every way of opening shares; caches start empty.
    fn assemble(
        name: String,
        color: Option<String>,
        read_only: bool,
        (client, discovery, log): (ScimClient, Discovery, RequestLog),
        changes: crate::change_log::ChangeLog,
        (config_dir, key): (std::path::PathBuf, String),
        demo: Option<DemoServer>,
    ) -> Self {
        // Secrets by the server's schemas (password, and anything writeOnly or never returned) are
        // masked in both logs from the first write on.
        let secrets = scim_core::secrets::SecretAttributes::from_schemas(&discovery.schemas);
        log.set_secret_attributes(secrets.clone());
        changes.set_secret_attributes(secrets);
        Self {
            name,
            color,
            read_only,
            client,
            discovery,
            log,
            loaded: Mutex::default(),
            running: RunningLoads::default(),
            memberships: Mutex::default(),
            matrix: Mutex::default(),
            members: Mutex::default(),
            comparison: Mutex::default(),
            report: Mutex::default(),
            scenario: tokio::sync::Mutex::default(),
            changes,
            config_dir,
            key,
            snapshot: None,
            snapshot_path: None,
            snapshot_config: None,
            limits: Mutex::new(loaded::LoadLimits::default()),
            identity: Mutex::default(),
            suggested: Mutex::default(),
            _demo: demo,
        }
    }

    /// The client, for services that talk to the server themselves (the server check, scenarios).
    pub fn client(&self) -> &ScimClient {
        &self.client
    }

    /// Where this connection's last server check is kept.
    pub fn check_path(&self) -> std::path::PathBuf {
        crate::server_check::saved_path(&self.config_dir, &self.key)
    }

    /// The folder of this connection's snapshots.
    pub fn snapshot_folder(&self) -> std::path::PathBuf {
        crate::snapshot::folder(&self.config_dir, &self.key)
    }

    /// This connection's snapshots, newest first.
    pub fn snapshots(&self) -> Vec<crate::snapshot::SnapshotListing> {
        crate::snapshot::list(&self.snapshot_folder())
    }

    /// Saves the whole directory to a new snapshot in the connection's folder.
    pub async fn take_snapshot(&self) -> Result<crate::snapshot::SnapshotListing, AppError> {
        let mut snap =
            crate::take_snapshot::take_with(&self.client, &self.name, None, None, self.limits())
                .await?;
        let folder = self.snapshot_folder();
        crate::private_files::create_private_dir(&folder)?;
        // Two snapshots in the same second (two windows, the app and scimx) get two names.
        let name = crate::snapshot::file_name(&snap.header.taken_at);
        let mut path = folder.join(&name);
        let mut n = 2;
        while path.exists() {
            path = folder.join(name.replace(".scimsnap", &format!("-{n}.scimsnap")));
            n += 1;
        }
        snap.write(&path)?;
        Ok(crate::snapshot::SnapshotListing {
            bytes: std::fs::metadata(&path)
                .map(|m| m.len() as f64)
                .unwrap_or(0.0),
            path: path.to_string_lossy().into_owned(),
            header: Some(snap.header),
            problem: None,
        })
    }

    /// The directory's data for a report or a comparison: the snapshot file itself when this is a
    /// snapshot opened offline (its hash is the provenance), else the server read now.
    pub async fn data(&self) -> Result<crate::snapshot::Snapshot, AppError> {
        match &self.snapshot_path {
            Some(path) => crate::snapshot::Snapshot::read(path),
            None => self.read_now().await,
        }
    }

    /// The whole directory read now, as a snapshot in memory (one side of a comparison).
    pub async fn read_now(&self) -> Result<crate::snapshot::Snapshot, AppError> {
        crate::take_snapshot::take_with(&self.client, &self.name, None, None, self.limits()).await
    }

    /// Writes to this directory (PATCH, PUT, create, delete, undo), recorded in its change log.
    pub fn writer(&self) -> crate::writes::Writer<'_> {
        crate::writes::Writer {
            client: &self.client,
            discovery: &self.discovery,
            connection: &self.name,
            read_only: self.read_only,
            log: &self.changes,
        }
    }

    /// After a write: the row of the resource it produced is updated in the loaded table.
    pub fn record_outcome(&self, kind: &ResourceKind, outcome: &crate::writes::WriteOutcome) {
        let after: Option<Value> = outcome
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok());
        self.record_write(kind, &outcome.resource_id, after.as_ref());
    }

    /// Reads `ids` again and updates their rows in the loaded table (after a multi-selection write,
    /// whose answers do not carry the resources).
    pub async fn refresh_rows(&self, kind: &ResourceKind, ids: &[String]) {
        for id in ids {
            match self.client.get(kind.endpoint(), id).await {
                Ok(r) => self.record_write(kind, id, r.body.as_ref()),
                Err(e) if e.status() == Some(404) => self.record_write(kind, id, None),
                // Unreadable now: the row keeps its last known state until the next load.
                Err(_) => {}
            }
        }
    }

    /// What the PATCH builder offers for a resource of `kind`.
    pub fn patch_attributes(
        &self,
        kind: &ResourceKind,
        resource: Option<&Value>,
    ) -> Result<Vec<crate::patch_paths::PatchAttribute>, AppError> {
        let kind = loaded::check_kind(kind)?;
        Ok(crate::patch_paths::patch_attributes(
            kind,
            &self.discovery.schemas,
            resource,
        ))
    }

    /// This directory's view settings (role rules, columns, dismissed warnings), by connection id.
    pub fn view_settings(&self) -> Result<crate::ViewSettings, AppError> {
        if self.is_saved() {
            crate::connections::view_of(&self.config_dir, &self.key)
        } else {
            Ok(crate::view_settings::read_loose(
                &crate::view_settings::loose_path(&self.config_dir, &self.key),
            ))
        }
    }

    pub fn save_view_settings(&self, view: crate::ViewSettings) -> Result<(), AppError> {
        if self.is_saved() {
            crate::connections::save_view_of(&self.config_dir, &self.key, view)
        } else {
            crate::view_settings::write_loose(
                &crate::view_settings::loose_path(&self.config_dir, &self.key),
                &view.checked()?,
            )
        }
    }

    /// The role rules this directory classifies with: its saved ones, else the defaults.
    pub fn role_rules(&self) -> Result<Vec<crate::roles::RoleRule>, AppError> {
        Ok(self.view_settings()?.rules())
    }

    /// A saved connection (not the demo, not a snapshot opened offline): its settings are in its
    /// record.
    fn is_saved(&self) -> bool {
        self._demo.is_none() && self.snapshot.is_none()
    }

    pub fn change_log(&self) -> &crate::change_log::ChangeLog {
        &self.changes
    }

    /// Brings the loaded data up to date after a write to `kind`/`id` (`after` is `None` for a
    /// delete): the row changes in place, and the derived views (memberships, matrix) are recomputed
    /// on next use.
    pub fn record_write(&self, kind: &ResourceKind, id: &str, after: Option<&Value>) {
        {
            let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
            let key = if *kind == ResourceKind::Users {
                "Users"
            } else {
                "Groups"
            };
            if let Some(set) = loaded.get(key).cloned() {
                loaded.insert(key, Arc::new(set.with_change(id, after)));
            }
        }
        *self.memberships.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *self.members.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *self.matrix.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub fn summary(&self) -> DirectorySummary {
        // Read once: it gives both the warnings and the quirks.
        let check = crate::server_check::load(&self.check_path());
        DirectorySummary {
            name: self.name.clone(),
            color: self.color.clone(),
            read_only: self.read_only,
            base_url: self.client.base_url().to_owned(),
            is_demo: self._demo.is_some() && self.snapshot.is_none(),
            // A snapshot shows the capabilities of the server it was taken from, not those of the
            // embedded server that serves it offline.
            badges: badges(
                self.snapshot_config
                    .as_ref()
                    .unwrap_or(&self.discovery.config),
            ),
            warnings: self.warnings(check.as_ref()),
            snapshot: self.snapshot.clone(),
            resource_types: self
                .discovery
                .resource_types
                .iter()
                .map(|t| t.name.clone())
                .collect(),
            quirks: check.map(|r| r.quirks).unwrap_or_default(),
        }
    }

    /// Discovery's warnings, then the deviations the last server check found (so they are seen
    /// every time the connection opens, not only on the Server screen).
    fn warnings(&self, check: Option<&crate::server_check::CheckReport>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(w) = self.client.transport_warning() {
            out.push(w);
        }
        out.extend(self.discovery.warnings.iter().map(|w| w.message.clone()));
        if self.limits().omit_count {
            out.push("This server fails on requests carrying `count`: pages are asked for without it, at the server's own size.".to_owned());
        }
        if let Some(report) = check {
            out.extend(
                report
                    .deviations()
                    .map(|i| format!("Server check: {} — {}", i.title, i.detail)),
            );
        }
        out
    }

    /// Writes are refused (a read-only connection, or a snapshot opened offline).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    fn params(query: &RowsQuery) -> Result<ListParams, AppError> {
        let filter = query
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        if let Some(f) = &filter {
            scim_core::filter::parse_filter(f)
                .map_err(|e| AppError::invalid_input(format!("The filter is not valid: {e}.")))?;
        }
        Ok(ListParams {
            filter,
            sort_by: query.sort_by.clone(),
            count: Some(u64::from(query.count.unwrap_or(200).min(1000))),
            start_index: Some(1),
            ..ListParams::default()
        })
    }

    pub async fn users(&self, query: &RowsQuery) -> Result<RowsPage<UserRow>, AppError> {
        let page = self.client.list("Users", &Self::params(query)?).await?;
        Ok(RowsPage {
            total: page
                .value
                .total_results
                .map(|t| t.min(u64::from(u32::MAX)) as u32),
            rows: page.value.resources.iter().map(user_row).collect(),
        })
    }

    /// A user or group, as sent (`kind` is `Users` or `Groups`).
    pub async fn resource(
        &self,
        kind: &ResourceKind,
        id: &str,
    ) -> Result<ResourceDetail, AppError> {
        let kind = kind.endpoint();
        // Users, Groups, or a custom type the server declares (a role of a resource-type rule).
        let declared = self.discovery.resource_types.iter().any(|t| {
            t.endpoint
                .trim_start_matches('/')
                .eq_ignore_ascii_case(kind)
        });
        if kind != "Users" && kind != "Groups" && !declared {
            return Err(AppError::invalid_input(format!(
                "Unknown resource type \"{kind}\"."
            )));
        }
        // A group can hold 100k members: its detail comes without them, and they load on demand.
        let response = if kind == "Groups" {
            self.client.get_group_summary(id).await
        } else {
            self.client.get(kind, id).await
        }
        .map_err(|e| self.with_failed_request(AppError::from(e)))?;
        let body = response.body.unwrap_or(Value::Null);
        let resource = Resource::new(body);
        let groups = listed_groups(&resource);
        let listed = resource
            .as_object()
            .is_some_and(|o| get_ci(o, "groups").is_some());
        let (groups, groups_computed) = if kind == "Users" && !listed {
            self.computed_groups(id).await
        } else {
            (groups, false)
        };
        let missing_members = if kind == "Groups" {
            self.member_rows(id, true)
                .await?
                .iter()
                .filter(|m| m.missing)
                .map(|m| m.label.clone())
                .collect()
        } else {
            Vec::new()
        };
        Ok(ResourceDetail {
            identity: (kind == "Users").then(|| self.identity_line(&resource)),
            groups_computed,
            missing_members,
            endpoint: kind.to_owned(),
            sections: crate::resource_view::sections(kind, &resource.0),
            id: resource.id_string().unwrap_or_else(|| id.to_owned()),
            label: resource.label(),
            json: serde_json::to_string_pretty(&resource.0).unwrap_or_default(),
            etag: response.etag,
            groups,
            undeclared: resource
                .undeclared_attributes(&self.discovery.schemas)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            members: match resource.members() {
                // Groups come without members (see above); a server may send them anyway.
                scim_core::resource::Members::Listed(list) => Some(
                    list.into_iter()
                        .map(|m| {
                            let label = m.display.unwrap_or(m.value);
                            if m.member_type.as_deref() == Some("Group") {
                                format!("{label} (group)")
                            } else {
                                label
                            }
                        })
                        .collect(),
                ),
                _ => None,
            },
        })
    }

    pub async fn groups(&self, query: &RowsQuery) -> Result<RowsPage<GroupRow>, AppError> {
        let page = self.client.list("Groups", &Self::params(query)?).await?;
        Ok(RowsPage {
            total: page
                .value
                .total_results
                .map(|t| t.min(u64::from(u32::MAX)) as u32),
            rows: page.value.resources.iter().map(group_row).collect(),
        })
    }
}

fn user_row(r: &Resource) -> UserRow {
    let department = r
        .enterprise()
        .and_then(|e| get_ci(e, "department"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    UserRow {
        id: r.id_string().unwrap_or_default(),
        user_name: r.user_name().unwrap_or_default().to_owned(),
        display_name: r.display_name().map(str::to_owned),
        active: r.active(),
        email: r.emails().first().map(|e| (*e).to_owned()),
        title: r
            .as_object()
            .and_then(|o| get_ci(o, "title"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        department,
    }
}

fn group_row(r: &Resource) -> GroupRow {
    GroupRow {
        id: r.id_string().unwrap_or_default(),
        display_name: r.display_name().unwrap_or_default().to_owned(),
        member_count: match r.members() {
            scim_core::resource::Members::Listed(m) => Some(m.len() as u32),
            _ => None,
        },
    }
}

mod load;
use role_groups::MatrixParts;
mod group_members;
mod identity;
pub use identity::{IdentityKey, IdentityLine};
mod role_groups;
#[cfg(test)]
mod tests;
mod workbench;
mod writes;

/// The groups a server lists on a user (RFC 7643 §4.1.2), by name; those it marks `indirect`
/// (held through a nested group) say so, as the computed ones do.
fn listed_groups(resource: &Resource) -> Vec<String> {
    resource
        .as_object()
        .and_then(|o| get_ci(o, "groups"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|g| {
                    let name = g
                        .get("display")
                        .and_then(Value::as_str)
                        .or_else(|| g.get("value").and_then(Value::as_str))?;
                    let indirect = g
                        .get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("indirect"));
                    Some(if indirect {
                        format!("{name} (nested)")
                    } else {
                        name.to_owned()
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod listed_groups_tests {
    use super::*;

    #[test]
    fn groups_held_through_a_nested_group_say_so() {
        let user = Resource::new(serde_json::json!({"groups": [
            {"value": "g1", "display": "Sales", "type": "direct"},
            {"value": "g2", "display": "All staff", "type": "indirect"},
            {"value": "g3"}
        ]}));
        assert_eq!(listed_groups(&user), ["Sales", "All staff (nested)", "g3"]);
    }
}
