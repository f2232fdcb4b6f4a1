//! An open directory: a SCIM client bound to one server (for now the built-in demo directory), its
//! discovered capabilities, and the queries the browse screens run. Shared by the app and `scimx`.

use serde::Serialize;
use serde_json::Value;
use specta::Type;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use scim_client::{Auth, ClientConfig, Discovery, ListParams, RequestLog, ScimClient};
use scim_core::names::get_ci;
use scim_core::{Resource, ResourceKind};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

use crate::error::AppError;
use crate::loaded::{self, LoadProgress, LoadSummary, LoadedSet, Projection, RunningLoads};
use crate::roles::{
    self, MatrixQuery, MatrixWindow, Memberships, RoleGroups, RoleRule, RuleKind, TypedRoles,
};
use crate::table::{RowsWindow, WindowQuery};

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
        let token = session_token();
        let server = DemoServer::start(DemoConfig {
            seed: SeedOptions {
                users,
                ..SeedOptions::default()
            },
            token: Some(token.clone()),
            ..DemoConfig::default()
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
            "Demo directory".into(),
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
            changes,
            config_dir,
            key,
            snapshot: None,
            snapshot_path: None,
            snapshot_config: None,
            limits: Mutex::new(loaded::LoadLimits::default()),
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
            self.client.get_group_summary(id).await?
        } else {
            self.client.get(kind, id).await?
        };
        let body = response.body.unwrap_or(Value::Null);
        let resource = Resource::new(body);
        let groups = resource
            .as_object()
            .and_then(|o| get_ci(o, "groups"))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|g| {
                        g.get("display")
                            .and_then(Value::as_str)
                            .or_else(|| g.get("value").and_then(Value::as_str))
                    })
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
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
            groups_computed,
            missing_members,
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

/// Loading whole collections and browsing them locally.
impl Directory {
    /// The request log of this directory's client.
    pub fn request_log(&self) -> &RequestLog {
        &self.log
    }

    /// The page size for load-all: 1000, or less when the server caps filter results lower.
    fn page_size(&self) -> u64 {
        self.discovery
            .config
            .filter_max_results
            .map_or(1000, |m| m.clamp(1, 1000))
    }

    /// Loads every resource of `kind` matching `filter` (all pages), reporting progress; replaces
    /// the previous set of that kind. Cancelling or failing keeps what arrived, browsable.
    pub async fn load(
        &self,
        kind: &ResourceKind,
        filter: Option<String>,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        self.load_projected(kind, filter, Projection::default(), on_progress)
            .await
    }

    /// As [`Directory::load`], asking only for some attributes (or all but some).
    pub async fn load_projected(
        &self,
        kind: &ResourceKind,
        filter: Option<String>,
        projection: Projection,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let projection = projection.checked()?;
        let filter = filter
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty());
        if let Some(f) = &filter {
            scim_core::filter::parse_filter(f)
                .map_err(|e| AppError::invalid_input(format!("The filter is not valid: {e}.")))?;
        }
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(
            filter.as_deref(),
            &projection,
            self.page_size(),
            self.limits(),
        );
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        let result = self.client.load_all(kind, &options, &cancel, &report).await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(kind, filter, projection, result, started))
    }

    /// Continues a load that stopped early (failure or cancel) from where it stopped.
    pub async fn resume(
        &self,
        kind: &ResourceKind,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let previous = self.loaded_set(kind)?;
        let Some(partial) = previous.take_partial() else {
            return Ok(previous.summary().clone());
        };
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(
            previous.filter.as_deref(),
            &previous.projection,
            self.page_size(),
            self.limits(),
        );
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        let result = self
            .client
            .resume_load(kind, &options, partial, &cancel, &report)
            .await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(
            kind,
            previous.filter.clone(),
            previous.projection.clone(),
            result,
            started,
        ))
    }

    fn limits(&self) -> loaded::LoadLimits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A load found the server fails on `count`: later loads of this session leave it out, and a
    /// saved connection remembers it.
    fn remember_count_refused(&self) {
        let mut limits = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        if limits.omit_count {
            return;
        }
        limits.omit_count = true;
        if self._demo.is_none() {
            // Best effort: the warning already told the user, and the next load retries anyway.
            let _ = crate::connections::remember_omit_count(&self.config_dir, &self.key);
        }
    }

    fn keep(
        &self,
        kind: &'static str,
        filter: Option<String>,
        projection: Projection,
        result: scim_client::LoadAll,
        started: Instant,
    ) -> LoadSummary {
        if result.count_refused {
            self.remember_count_refused();
        }
        let elapsed_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        let set = LoadedSet::new(
            kind,
            filter,
            projection,
            result,
            &self.discovery.schemas,
            elapsed_ms,
        );
        let summary = set.summary().clone();
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind, Arc::new(set));
        summary
    }

    /// Stops the running load of `kind`; what arrived is kept.
    pub fn cancel_load(&self, kind: &ResourceKind) -> bool {
        self.running.cancel(kind.endpoint())
    }

    fn loaded_set(&self, kind: &str) -> Result<Arc<LoadedSet>, AppError> {
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(kind)
            .cloned()
            .ok_or_else(|| AppError::invalid_input(format!("No {kind} are loaded yet.")))
    }

    /// A window of the loaded rows, sorted and quick-filtered.
    pub fn window(&self, kind: &ResourceKind, query: &WindowQuery) -> Result<RowsWindow, AppError> {
        Ok(self.loaded_set(kind.endpoint())?.window(query))
    }

    /// The attributes the filter builder offers for `kind`: from the schemas, plus attributes seen
    /// in the loaded data that no schema declares.
    pub fn filter_attributes(
        &self,
        kind: &ResourceKind,
    ) -> Result<Vec<crate::filter_tree::FilterAttribute>, AppError> {
        let kind = loaded::check_kind(kind)?;
        let undeclared: Vec<String> = self
            .loaded_set(kind)
            .map(|set| {
                set.columns
                    .iter()
                    .filter(|c| c.source == crate::table::ColumnSource::Undeclared)
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        Ok(crate::filter_tree::attributes(
            kind,
            &self.discovery.schemas,
            &undeclared,
        ))
    }

    /// The loaded resources of `kind` (for reports, matrices and the detail pane).
    pub fn loaded_resources(&self, kind: &ResourceKind) -> Option<Arc<LoadedSet>> {
        self.loaded_set(kind.endpoint()).ok()
    }
}

/// Role groups and the membership matrix, over the loaded users and groups.
impl Directory {
    /// The groups holding `user` among the loaded groups ("(nested)" when only through a nested
    /// group); nothing when the groups are not loaded.
    async fn computed_groups(&self, user: &str) -> (Vec<String>, bool) {
        if self.loaded_set("Groups").is_err() {
            return (Vec::new(), false);
        }
        let Ok((groups, m)) = self.memberships().await else {
            return (Vec::new(), false);
        };
        let mut out: Vec<String> = groups
            .resources()
            .iter()
            .filter_map(|g| {
                let id = g.id_string()?;
                let label = g.label();
                match m.holding(&id, user)? {
                    roles::Holding::Direct => Some(label),
                    roles::Holding::Nested => Some(format!("{label} (nested)")),
                }
            })
            .collect();
        out.sort_by_key(|s| s.to_lowercase());
        (out, true)
    }

    /// The loaded set of `kind`, loading it (all pages) first when it is not loaded yet.
    async fn ensure_loaded(&self, kind: &'static str) -> Result<Arc<LoadedSet>, AppError> {
        if let Ok(set) = self.loaded_set(kind) {
            return Ok(set);
        }
        let summary = self
            .load(&ResourceKind::from_endpoint(kind), None, &|_| {})
            .await?;
        if let Some(e) = summary.error {
            return Err(e);
        }
        self.loaded_set(kind)
    }

    async fn memberships(&self) -> Result<(Arc<LoadedSet>, Arc<Memberships>), AppError> {
        let groups = self.ensure_loaded("Groups").await?;
        let key = Arc::as_ptr(&groups) as usize;
        let mut cached = self.memberships.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, m)) = cached.as_ref() {
            if *k == key {
                return Ok((groups, m.clone()));
            }
        }
        let m = Arc::new(Memberships::compute(&groups.resources()));
        *cached = Some((key, m.clone()));
        Ok((groups, m))
    }

    /// The resources of the rules' resource-type rules, by category (each type loaded whole).
    async fn rule_resources(&self, rules: &[RoleRule]) -> Result<Vec<TypedRoles>, AppError> {
        let mut extra = Vec::new();
        for rule in rules.iter().filter(|r| r.kind == RuleKind::ResourceType) {
            let rt = self
                .discovery
                .resource_types
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(rule.pattern.trim()))
                .ok_or_else(|| {
                    let known: Vec<&str> = self
                        .discovery
                        .resource_types
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect();
                    AppError::invalid_input(format!(
                        "The server declares no resource type \"{}\" (it declares: {}).",
                        rule.pattern,
                        known.join(", ")
                    ))
                })?;
            let endpoint = rt.endpoint.trim_start_matches('/').to_owned();
            let load = self
                .client
                .load_all(
                    &endpoint,
                    &loaded::options(
                        None,
                        &Projection::default(),
                        self.page_size(),
                        self.limits(),
                    ),
                    &scim_client::CancelFlag::default(),
                    &|_| {},
                )
                .await;
            if let Some(e) = load.error {
                return Err(e.into());
            }
            extra.push(TypedRoles {
                category: rule.category.clone(),
                endpoint,
                resources: load.values().into_iter().map(Resource::new).collect(),
            });
        }
        Ok(extra)
    }

    /// What role groups are computed from: the loaded groups, the resources of resource-type rules,
    /// and memberships over both (a role whose member is a group is held through it).
    async fn role_inputs(&self, rules: &[RoleRule]) -> Result<RoleInputs, AppError> {
        let (groups, memberships) = self.memberships().await?;
        let extra = self.rule_resources(rules).await?;
        let memberships = if extra.is_empty() {
            memberships
        } else {
            Arc::new(memberships_over(&groups.resources(), &extra))
        };
        Ok(RoleInputs {
            groups,
            extra,
            memberships,
        })
    }

    /// The role groups the rules find, by category. Resource-type rules load that resource type.
    pub async fn role_groups(&self, rules: &[RoleRule]) -> Result<RoleGroups, AppError> {
        let inputs = self.role_inputs(rules).await?;
        roles::classify(
            &inputs.groups.resources(),
            rules,
            &inputs.extra,
            &inputs.memberships,
        )
    }

    /// The role groups user `id` holds, for the user's page. `groups` are the user's groups as the
    /// page lists them (from the server, or computed from the loaded groups); resource-type rules
    /// load their type, and count groups only when the groups are loaded (this never loads them).
    pub async fn user_role_groups(
        &self,
        id: &str,
        groups: &[String],
        rules: &[RoleRule],
    ) -> Result<Vec<roles::HeldRole>, AppError> {
        let extra = self.rule_resources(rules).await?;
        // Name rules read the listed groups; memberships only matter for the rules' resources.
        let memberships = if extra.is_empty() {
            Memberships::compute(&[])
        } else {
            let loaded = self.loaded_set("Groups").map(|g| g.resources());
            memberships_over(loaded.as_deref().map_or(&[][..], |g| g), &extra)
        };
        roles::held_roles(id, groups, rules, &extra, &memberships)
    }

    async fn matrix_parts(&self, q: &MatrixQuery) -> Result<Arc<MatrixParts>, AppError> {
        let users = self.ensure_loaded("Users").await?;
        let groups = self.ensure_loaded("Groups").await?;
        // Same data and same question: the rows computed for the previous window serve this one.
        let key = format!(
            "{:p}|{:p}|{}",
            Arc::as_ptr(&users),
            Arc::as_ptr(&groups),
            serde_json::json!([q.rules, q.category, q.quick, q.holders_only])
        );
        if let Some((k, parts)) = self
            .matrix
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if *k == key {
                return Ok(parts.clone());
            }
        }
        let inputs = self.role_inputs(&q.rules).await?;
        let classified = roles::classify(
            &inputs.groups.resources(),
            &q.rules,
            &inputs.extra,
            &inputs.memberships,
        )?;
        let columns: Vec<_> = classified
            .groups
            .into_iter()
            .filter(|g| q.category.as_ref().is_none_or(|c| &g.category == c))
            .collect();
        // Over the groups and the resource-type rules' resources: a Roles column has its holders.
        // The matrix reads ids, names and `active`: the light copy holds them.
        let people = users.with_attributes(&["id", "userName", "displayName", "active"]);
        let rows = roles::matrix_rows(&people, &columns, &inputs.memberships, q);
        let parts = Arc::new(MatrixParts {
            columns,
            rows,
            total_users: users.len().min(u32::MAX as usize) as u32,
            user_filter: users.filter.clone(),
        });
        *self.matrix.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, parts.clone()));
        Ok(parts)
    }

    /// A window of the users × role groups matrix.
    pub async fn role_matrix(&self, q: &MatrixQuery) -> Result<MatrixWindow, AppError> {
        let parts = self.matrix_parts(q).await?;
        let (columns, rows, total_users) = (parts.columns.clone(), &parts.rows, parts.total_users);
        let start = (q.offset as usize).min(rows.len());
        let end = (start + q.limit.min(1000) as usize).min(rows.len());
        Ok(MatrixWindow {
            columns,
            total_users,
            user_filter: parts.user_filter.clone(),
            matched: rows.len() as u32,
            offset: start as u32,
            rows: rows[start..end].to_vec(),
        })
    }

    /// The whole matrix (all matching users) as CSV.
    pub async fn role_matrix_csv(&self, q: &MatrixQuery) -> Result<String, AppError> {
        let parts = self.matrix_parts(q).await?;
        Ok(roles::matrix_csv(&parts.columns, &parts.rows))
    }
}

/// A group's members, loaded on demand.
impl Directory {
    /// The members of group `id`, resolved against the loaded users and groups. `fresh` reads them
    /// from the server (opening the group); otherwise the rows of the last read serve (scrolling).
    async fn member_rows(
        &self,
        id: &str,
        fresh: bool,
    ) -> Result<Arc<Vec<crate::members::MemberRow>>, AppError> {
        let users = self.loaded_set("Users").ok();
        let groups = self.loaded_set("Groups").ok();
        let key = format!(
            "{id}|{:?}|{:?}",
            users.as_ref().map(Arc::as_ptr),
            groups.as_ref().map(Arc::as_ptr)
        );
        if !fresh {
            if let Some((k, rows)) = self
                .members
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
            {
                if *k == key {
                    return Ok(rows.clone());
                }
            }
        }
        let list = match self.client.get_group_members(id).await? {
            scim_core::resource::Members::Listed(list) => list,
            _ => Vec::new(),
        };
        // Only a complete, unfiltered load of the users can say a member does not exist.
        let complete = users
            .as_ref()
            .is_some_and(|u| u.filter.is_none() && u.projection.is_empty() && u.summary().complete);
        let empty: Arc<Vec<Resource>> = Arc::default();
        // Members are labelled by id and name: the users' light copy holds them.
        let people = users.as_ref().map_or(empty.clone(), |u| {
            u.with_attributes(&["id", "userName", "displayName", "name"])
        });
        let rows = Arc::new(crate::members::resolve(
            list,
            &people,
            &groups.as_ref().map_or(empty, |g| g.resources()),
            complete,
        ));
        *self.members.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, rows.clone()));
        Ok(rows)
    }

    /// A window of group `id`'s members.
    pub async fn group_members(
        &self,
        id: &str,
        q: &crate::members::MembersQuery,
    ) -> Result<crate::members::MembersWindow, AppError> {
        let rows = self.member_rows(id, false).await?;
        Ok(crate::members::window(&rows, q))
    }
}

/// A computed membership matrix: its columns and every row.
/// Memberships over groups and the resources of resource-type rules together, so a role whose
/// member is a group is held through it.
fn memberships_over(groups: &[Resource], extra: &[TypedRoles]) -> Memberships {
    let mut all = groups.to_vec();
    all.extend(extra.iter().flat_map(|t| t.resources.iter().cloned()));
    Memberships::compute(&all)
}

struct RoleInputs {
    groups: Arc<LoadedSet>,
    extra: Vec<TypedRoles>,
    memberships: Arc<Memberships>,
}

#[derive(Debug)]
struct MatrixParts {
    columns: Vec<roles::RoleGroup>,
    rows: Vec<roles::MatrixRow>,
    total_users: u32,
    user_filter: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded server (demo, snapshot opened offline) answers only its own client: another
    /// local process without the session token, or a web page reaching it under a rebound domain
    /// name, reads nothing.
    #[tokio::test]
    async fn embedded_servers_need_the_session_token_and_a_loopback_host() {
        let dir = Directory::open_demo(5).await.expect("demo");
        assert_eq!(
            dir.users(&RowsQuery::default())
                .await
                .map(|p| !p.rows.is_empty())
                .ok(),
            Some(true)
        );
        let base = dir.client().base_url().to_owned();
        let outsider = ScimClient::new(ClientConfig::new(&base, Auth::None)).expect("client");
        let e = outsider.get_json(&["Users"]).await.expect_err("no token");
        assert_eq!(e.status(), Some(401));
        let a = session_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, session_token());
        // A browser sends the name it resolved: refused unless it is a loopback name.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .expect("host:port")
            .to_owned();
        let mut socket = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let token = dir.client().config().auth.clone();
        let Auth::Bearer(token) = token else {
            panic!("bearer")
        };
        let request = format!(
            "GET /scim/v2/Users HTTP/1.1\r\nHost: rebound.example:80\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            token.expose()
        );
        socket.write_all(request.as_bytes()).await.expect("send");
        let mut answer = String::new();
        socket.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    }

    #[tokio::test]
    async fn a_load_reports_progress_can_be_cancelled_and_resumed() {
        let dir = Arc::new(Directory::open_demo(2500).await.expect("demo"));
        let seen = Mutex::new(Vec::new());
        let d2 = dir.clone();
        // Cancel as soon as the first page arrived: the rest is not fetched.
        let first = dir
            .load(&ResourceKind::Users, None, &|p: LoadProgress| {
                seen.lock().expect("lock").push(p.loaded);
                d2.cancel_load(&ResourceKind::Users);
            })
            .await
            .expect("load");
        assert!(first.cancelled && !first.complete, "{first:?}");
        assert!(first.error.is_none(), "a cancel is not an error");
        assert!(first.loaded >= 1 && first.loaded < 2500, "{}", first.loaded);
        assert_eq!(first.total, Some(2500));
        assert!(!seen.lock().expect("lock").is_empty());
        // The partial set is browsable.
        let q = WindowQuery {
            offset: 0,
            limit: 10,
            columns: vec!["userName".into()],
            sort_by: Some("userName".into()),
            ..WindowQuery::default()
        };
        assert_eq!(
            dir.window(&ResourceKind::Users, &q).expect("window").total,
            first.loaded
        );
        // Resume fetches the rest.
        let resumed = dir
            .resume(&ResourceKind::Users, &|_| {})
            .await
            .expect("resume");
        assert!(resumed.complete, "{resumed:?}");
        assert_eq!(resumed.loaded, 2500);
        let w = dir.window(&ResourceKind::Users, &q).expect("window");
        assert_eq!((w.total, w.rows.len()), (2500, 10));
        let names: Vec<_> = w
            .rows
            .iter()
            .map(|r| r.cells[0].clone().unwrap_or_default())
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted);
        // Every exchange is in the request log.
        assert!(dir.request_log().entries().len() >= 3);
    }

    #[tokio::test]
    async fn role_groups_and_the_matrix_cover_the_loaded_directory() {
        let dir = Directory::open_demo(120).await.expect("demo");
        let rules = roles::default_rules();
        // Nothing loaded yet: both collections are loaded on demand.
        let r = dir.role_groups(&rules).await.expect("role groups");
        assert!(r
            .groups
            .iter()
            .any(|g| g.display_name == "Profile: Data Entry"));
        assert!(r
            .groups
            .iter()
            .all(|g| g.category == "Profiles" || g.category == "Projects"));
        let q = MatrixQuery {
            rules: rules.clone(),
            category: Some("Profiles".into()),
            holders_only: true,
            offset: 0,
            limit: 50,
            ..MatrixQuery::default()
        };
        let m = dir.role_matrix(&q).await.expect("matrix");
        assert_eq!(m.total_users, 120);
        assert!(m.matched > 0 && m.matched <= 120);
        assert!(m.columns.iter().all(|c| c.category == "Profiles"));
        assert!(m.rows.iter().all(|r| r.cells.iter().any(Option::is_some)));
        let csv = dir.role_matrix_csv(&q).await.expect("csv");
        assert_eq!(csv.matches("\r\n").count() as u32, m.matched + 1);
        let bad = vec![RoleRule {
            category: "Roles".into(),
            kind: RuleKind::ResourceType,
            pattern: "Roles".into(),
        }];
        let err = dir.role_groups(&bad).await.expect_err("no such type");
        assert!(
            err.message.contains("declares no resource type"),
            "{}",
            err.message
        );
        // A resource-type rule (here the core Group type): its resources are role groups, and a
        // user's page lists those holding them, by membership rather than by name.
        let by_type = vec![
            roles::default_rules()[0].clone(),
            RoleRule {
                category: "Everything".into(),
                kind: RuleKind::ResourceType,
                pattern: "group".into(),
            },
        ];
        let groups = dir.loaded_set("Groups").expect("loaded");
        let (holder, group) = groups
            .resources()
            .iter()
            .filter(|g| g.display_name().is_some_and(|n| n.starts_with("Profile:")))
            .find_map(|g| match g.members() {
                scim_core::resource::Members::Listed(m) if !m.is_empty() => Some((
                    m[0].value.clone(),
                    g.display_name().unwrap_or_default().to_owned(),
                )),
                _ => None,
            })
            .expect("a profile with a member");
        let held = dir
            .user_role_groups(&holder, std::slice::from_ref(&group), &by_type)
            .await
            .expect("held");
        let cats: Vec<(&str, &str)> = held
            .iter()
            .filter(|h| h.display_name == group)
            .map(|h| (h.category.as_str(), h.display_name.as_str()))
            .collect();
        assert_eq!(
            cats,
            vec![("Profiles", group.as_str()), ("Everything", group.as_str())]
        );
        assert!(held
            .iter()
            .all(|h| h.holding == roles::Holding::Direct || h.category == "Everything"));
        let err = dir
            .user_role_groups(&holder, &[], &bad)
            .await
            .expect_err("no such type");
        assert!(err.message.contains("declares no resource type"));
    }

    /// Users are kept raw with a light copy: the default columns, a sort and the quick filter read
    /// the light copy only; a column outside it is read from every attribute, parsed then; a write
    /// updates both.
    #[tokio::test]
    async fn the_users_table_reads_a_light_copy_and_the_rest_on_demand() {
        let dir = Directory::open_demo(300).await.expect("demo");
        dir.load(&ResourceKind::Users, None, &|_| {})
            .await
            .expect("load");
        let set = dir.loaded_set("Users").expect("set");
        let department = format!("{}:department", scim_core::names::ENTERPRISE_USER_SCHEMA);
        let q = WindowQuery {
            offset: 0,
            limit: 300,
            columns: vec![
                "userName".into(),
                "emails".into(),
                department.clone(),
                "active".into(),
            ],
            sort_by: Some("displayName".into()),
            quick: Some("a".into()),
            ..WindowQuery::default()
        };
        let light = dir.window(&ResourceKind::Users, &q).expect("window");
        assert!(light.total > 0);
        assert!(light
            .rows
            .iter()
            .all(|r| r.cells[0].is_some() && r.cells[2].is_some()));
        assert!(
            !set.fully_parsed(),
            "the default columns need no full parse"
        );
        // The same rows, read whole, give the same cells.
        let whole = set.resources();
        for row in &light.rows {
            let r = whole
                .iter()
                .find(|r| r.id() == Some(row.id.as_str()))
                .expect("row");
            assert_eq!(
                crate::table::CellPath::new(&department).cell(r),
                row.cells[2]
            );
        }
        // A column the light copy does not hold: phone numbers are read from the whole resources.
        let dir = Directory::open_demo(300).await.expect("demo");
        dir.load(&ResourceKind::Users, None, &|_| {})
            .await
            .expect("load");
        let phones = WindowQuery {
            offset: 0,
            limit: 300,
            columns: vec!["userName".into(), "phoneNumbers".into()],
            ..WindowQuery::default()
        };
        let w = dir.window(&ResourceKind::Users, &phones).expect("window");
        assert!(w
            .rows
            .iter()
            .any(|r| r.cells[1].as_deref().is_some_and(|p| p.starts_with('+'))));
        assert!(dir.loaded_set("Users").expect("set").fully_parsed());
        // A write lands in the table.
        let first = w.rows[0].id.clone();
        let detail = dir
            .resource(&ResourceKind::Users, &first)
            .await
            .expect("user");
        let mut json: Value = serde_json::from_str(&detail.json).expect("json");
        json["title"] = Value::String("Chief tester".into());
        dir.record_write(&ResourceKind::Users, &first, Some(&json));
        let titled = dir
            .window(
                &ResourceKind::Users,
                &WindowQuery {
                    offset: 0,
                    limit: 300,
                    columns: vec!["title".into()],
                    quick: Some("chief tester".into()),
                    ..WindowQuery::default()
                },
            )
            .expect("window");
        assert_eq!(titled.rows.len(), 1);
        assert_eq!(titled.rows[0].id, first);
    }

    /// The demo's custom Role type through a resource-type rule: its roles are role groups with
    /// their holders counted, the matrix shows who holds them (through a group too), and a user's
    /// page lists the roles they hold.
    #[tokio::test]
    async fn resource_type_roles_reach_the_tabs_the_matrix_and_the_users_page() {
        let dir = Directory::open_demo(200).await.expect("demo");
        assert!(dir.summary().resource_types.contains(&"Role".to_owned()));
        let rules = vec![RoleRule {
            category: "App roles".into(),
            kind: RuleKind::ResourceType,
            pattern: "Role".into(),
        }];
        let classified = dir.role_groups(&rules).await.expect("role groups");
        let approver = classified
            .groups
            .iter()
            .find(|g| g.display_name == "Approver")
            .expect("Approver");
        assert_eq!(approver.category, "App roles");
        // Held directly by a few, and by the whole Finance team through the group.
        assert!(approver.user_count > approver.direct_count && approver.direct_count > 0);
        let m = dir
            .role_matrix(&MatrixQuery {
                rules: rules.clone(),
                holders_only: true,
                limit: 1000,
                ..MatrixQuery::default()
            })
            .await
            .expect("matrix");
        let col = m
            .columns
            .iter()
            .position(|c| c.display_name == "Approver")
            .expect("column");
        let cells: Vec<roles::Holding> = m.rows.iter().filter_map(|r| r.cells[col]).collect();
        assert_eq!(cells.len() as u32, approver.user_count);
        assert!(cells.contains(&roles::Holding::Nested) && cells.contains(&roles::Holding::Direct));
        let nested_holder = m
            .rows
            .iter()
            .find(|r| r.cells[col] == Some(roles::Holding::Nested))
            .expect("a holder through Finance team");
        let held = dir
            .user_role_groups(&nested_holder.user_id, &[], &rules)
            .await
            .expect("held");
        assert!(
            held.iter()
                .any(|h| h.display_name == "Approver" && h.holding == roles::Holding::Nested),
            "{held:?}"
        );
        // The role opens from its own endpoint, with its members as labels.
        assert_eq!(approver.endpoint, "Roles");
        let detail = dir
            .resource(&ResourceKind::Custom("Roles".into()), &approver.id)
            .await
            .expect("role");
        assert_eq!(detail.label, "Approver");
        let members = detail.members.expect("members");
        assert!(
            members.iter().any(|m| m == "Finance team (group)"),
            "{members:?}"
        );
        let err = dir
            .resource(&ResourceKind::Custom("Nothing".into()), "x")
            .await
            .expect_err("undeclared");
        assert!(err.message.contains("Unknown resource type"));
    }

    #[tokio::test]
    async fn group_details_flag_members_missing_from_the_loaded_users() {
        use scim_core::patch::{OpKind, PatchOp, PatchOperation};
        let dir = Directory::open_demo(30).await.expect("demo");
        dir.load(&ResourceKind::Groups, None, &|_| {})
            .await
            .expect("groups");
        let groups = dir.loaded_set("Groups").expect("loaded");
        let g = groups
            .resources()
            .iter()
            .find(|g| g.display_name() == Some("Profile: Data Entry"))
            .and_then(Resource::id_string)
            .expect("a profile group");
        let ghost = serde_json::json!([{"value": "ghost-user-1", "display": "Ghost User"}]);
        let patch = PatchOp::new(vec![PatchOperation::new(
            OpKind::Add,
            Some("members"),
            Some(ghost),
        )]);
        dir.client
            .patch("Groups", &g, &patch, None)
            .await
            .expect("patch");
        // Without the users loaded nothing is claimed; with them, the ghost is flagged.
        assert!(dir
            .resource(&ResourceKind::Groups, &g)
            .await
            .expect("detail")
            .missing_members
            .is_empty());
        dir.load(&ResourceKind::Users, None, &|_| {})
            .await
            .expect("users");
        let detail = dir
            .resource(&ResourceKind::Groups, &g)
            .await
            .expect("detail");
        assert_eq!(detail.missing_members, vec!["Ghost User".to_owned()]);
    }

    #[tokio::test]
    async fn a_projected_load_asks_the_server_for_only_those_attributes() {
        let dir = Directory::open_demo(40).await.expect("demo");
        let p = Projection {
            attributes: vec!["userName".into(), " emails ".into()],
            excluded_attributes: Vec::new(),
        };
        let s = dir
            .load_projected(&ResourceKind::Users, None, p, &|_| {})
            .await
            .expect("load");
        assert_eq!(s.projection.attributes, vec!["userName", "emails"]);
        let set = dir.loaded_set("Users").expect("set");
        let first = set.resources()[0].as_object().expect("object").clone();
        assert!(first.contains_key("userName") && first.contains_key("id"));
        assert!(!first.contains_key("displayName"), "{first:?}");
        let last = dir.request_log().entries().last().cloned().expect("logged");
        assert!(
            last.url.contains("attributes=userName%2Cemails")
                || last.url.contains("attributes=userName,emails"),
            "{}",
            last.url
        );
        let both = Projection {
            attributes: vec!["userName".into()],
            excluded_attributes: vec!["emails".into()],
        };
        assert!(dir
            .load_projected(&ResourceKind::Users, None, both, &|_| {})
            .await
            .is_err());
        let bad = Projection {
            attributes: vec!["user name".into()],
            excluded_attributes: Vec::new(),
        };
        let err = dir
            .load_projected(&ResourceKind::Users, None, bad, &|_| {})
            .await
            .expect_err("bad");
        assert!(
            err.message.contains("not an attribute path"),
            "{}",
            err.message
        );
    }

    #[tokio::test]
    async fn groups_load_with_member_counts() {
        let dir = Directory::open_demo(250).await.expect("demo");
        let s = dir
            .load(&ResourceKind::Groups, None, &|_| {})
            .await
            .expect("load");
        assert!(s.complete && s.loaded > 10, "{s:?}");
        let q = WindowQuery {
            offset: 0,
            limit: 100,
            columns: vec!["displayName".into(), "#members".into()],
            sort_by: Some("displayName".into()),
            ..WindowQuery::default()
        };
        let w = dir.window(&ResourceKind::Groups, &q).expect("window");
        let staff = w
            .rows
            .iter()
            .find(|r| r.cells[0].as_deref() == Some("All staff"))
            .expect("All staff");
        assert_eq!(staff.cells[1].as_deref(), Some("250"));
    }

    #[tokio::test]
    async fn a_filtered_load_keeps_only_matches_and_bad_filters_are_refused() {
        let dir = Directory::open_demo(300).await.expect("demo");
        let s = dir
            .load(
                &ResourceKind::Users,
                Some("active eq false".into()),
                &|_| {},
            )
            .await
            .expect("load");
        assert!(s.complete);
        assert!(s.loaded > 0 && s.loaded < 300);
        assert_eq!(s.filter.as_deref(), Some("active eq false"));
        let q = WindowQuery {
            offset: 0,
            limit: 1000,
            columns: vec!["active".into()],
            ..WindowQuery::default()
        };
        let w = dir.window(&ResourceKind::Users, &q).expect("window");
        assert!(w
            .rows
            .iter()
            .all(|r| r.cells[0].as_deref() == Some("false")));
        let err = dir
            .load(
                &ResourceKind::Users,
                Some("userName equals 1".into()),
                &|_| {},
            )
            .await
            .expect_err("bad filter");
        assert!(err.message.contains("not valid"));
        assert!(dir
            .load(&ResourceKind::Custom("Widgets".into()), None, &|_| {})
            .await
            .is_err());
    }

    #[tokio::test]
    async fn the_demo_directory_opens_with_users_groups_and_badges() {
        let d = Directory::open_demo(40).await.expect("demo opens");
        let summary = d.summary();
        assert!(summary.is_demo);
        assert!(summary.badges.iter().any(|b| b.label == "filter ≤1000"));
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        let users = d.users(&RowsQuery::default()).await.expect("users");
        assert_eq!(users.total, Some(40));
        assert!(users
            .rows
            .iter()
            .all(|u| u.user_name.ends_with("@example.com")));
        let filtered = d
            .users(&RowsQuery {
                filter: Some("active eq false".into()),
                ..Default::default()
            })
            .await
            .expect("users");
        assert!(filtered.rows.iter().all(|u| u.active == Some(false)));
        let groups = d.groups(&RowsQuery::default()).await.expect("groups");
        assert!(groups
            .rows
            .iter()
            .any(|g| g.display_name == "All staff" && g.member_count == Some(40)));
    }

    #[tokio::test]
    async fn a_group_detail_comes_without_members_which_load_on_demand() {
        let d = Directory::open_demo(30).await.expect("demo opens");
        let groups = d
            .groups(&RowsQuery {
                filter: Some(r#"displayName eq "Operations (all teams)""#.into()),
                ..Default::default()
            })
            .await
            .expect("groups");
        let detail = d
            .resource(&ResourceKind::Groups, &groups.rows[0].id)
            .await
            .expect("detail");
        assert!(detail.members.is_none(), "asked without members");
        assert!(!detail.json.contains("\"members\""));
        assert!(detail
            .json
            .contains("\"displayName\": \"Operations (all teams)\""));
        let q = crate::members::MembersQuery {
            offset: 0,
            limit: 100,
            quick: None,
        };
        let w = d
            .group_members(&groups.rows[0].id, &q)
            .await
            .expect("members");
        let nested: Vec<_> = w
            .rows
            .iter()
            .filter(|m| m.kind == crate::members::MemberKind::Group)
            .collect();
        assert_eq!(nested.len(), 2, "{:?}", w.rows);
        assert!(
            w.rows[..2]
                .iter()
                .all(|m| m.kind == crate::members::MemberKind::Group),
            "groups listed first"
        );
        assert_eq!(w.missing, 0);
        let err = d
            .resource(&ResourceKind::Custom("Teams".into()), "x")
            .await
            .expect_err("unknown type");
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
    }

    #[tokio::test]
    async fn an_invalid_filter_is_refused_before_sending() {
        let d = Directory::open_demo(5).await.expect("demo opens");
        let err = d
            .users(&RowsQuery {
                filter: Some("userName eq".into()),
                ..Default::default()
            })
            .await
            .expect_err("invalid");
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        assert!(err.message.contains("column 12"), "{}", err.message);
    }
}
