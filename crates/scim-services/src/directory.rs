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
use scim_core::Resource;
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

use crate::error::AppError;
use crate::loaded::{self, LoadProgress, LoadSummary, LoadedSet, RunningLoads};
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
    /// Groups the server lists on the user (`groups`, RFC 7643 §4.1.2); empty when not returned.
    pub groups: Vec<String>,
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
    /// Keeps the embedded server alive as long as the directory is open.
    _demo: Option<DemoServer>,
}

fn badges(d: &Discovery) -> Vec<CapabilityBadge> {
    let c = &d.config;
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
        let server = DemoServer::start(DemoConfig {
            seed: SeedOptions {
                users,
                ..SeedOptions::default()
            },
            ..DemoConfig::default()
        })
        .await
        .map_err(|e| {
            AppError::new(
                crate::error::ErrorKind::Network,
                format!("The demo directory could not start: {e}"),
            )
        })?;
        let log = RequestLog::default();
        let client =
            ScimClient::new(ClientConfig::new(&server.base_url, Auth::None))?.with_log(log.clone());
        let discovery = client.discover().await?;
        Ok(Self {
            name: "Demo directory".into(),
            color: None,
            read_only: false,
            client,
            discovery,
            log,
            loaded: Mutex::default(),
            running: RunningLoads::default(),
            _demo: Some(server),
        })
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
        Ok(Self {
            name: saved.name,
            color: saved.color,
            read_only: saved.read_only,
            client,
            discovery,
            log,
            loaded: Mutex::default(),
            running: RunningLoads::default(),
            _demo: None,
        })
    }

    pub fn summary(&self) -> DirectorySummary {
        DirectorySummary {
            name: self.name.clone(),
            color: self.color.clone(),
            read_only: self.read_only,
            base_url: self.client.base_url().to_owned(),
            is_demo: self._demo.is_some(),
            badges: badges(&self.discovery),
            warnings: self
                .discovery
                .warnings
                .iter()
                .map(|w| w.message.clone())
                .collect(),
        }
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
    pub async fn resource(&self, kind: &str, id: &str) -> Result<ResourceDetail, AppError> {
        if kind != "Users" && kind != "Groups" {
            return Err(AppError::invalid_input(format!(
                "Unknown resource type \"{kind}\"."
            )));
        }
        let response = self.client.get(kind, id).await?;
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
        Ok(ResourceDetail {
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
        kind: &str,
        filter: Option<String>,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let filter = filter
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty());
        if let Some(f) = &filter {
            scim_core::filter::parse_filter(f)
                .map_err(|e| AppError::invalid_input(format!("The filter is not valid: {e}.")))?;
        }
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(filter.as_deref(), self.page_size());
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        let result = self.client.load_all(kind, &options, &cancel, &report).await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(kind, filter, result, started))
    }

    /// Continues a load that stopped early (failure or cancel) from where it stopped.
    pub async fn resume(
        &self,
        kind: &str,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let previous = self.loaded_set(kind)?;
        let Some(partial) = previous.take_partial() else {
            return Ok(previous.summary().clone());
        };
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(previous.filter.as_deref(), self.page_size());
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        let result = self
            .client
            .resume_load(kind, &options, partial, &cancel, &report)
            .await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(kind, previous.filter.clone(), result, started))
    }

    fn keep(
        &self,
        kind: &'static str,
        filter: Option<String>,
        result: scim_client::LoadAll,
        started: Instant,
    ) -> LoadSummary {
        let elapsed_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        let set = LoadedSet::new(kind, filter, result, &self.discovery.schemas, elapsed_ms);
        let summary = set.summary().clone();
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind, Arc::new(set));
        summary
    }

    /// Stops the running load of `kind`; what arrived is kept.
    pub fn cancel_load(&self, kind: &str) -> bool {
        self.running.cancel(kind)
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
    pub fn window(&self, kind: &str, query: &WindowQuery) -> Result<RowsWindow, AppError> {
        Ok(self.loaded_set(kind)?.window(query))
    }

    /// The loaded resources of `kind` (for reports, matrices and the detail pane).
    pub fn loaded_resources(&self, kind: &str) -> Option<Arc<LoadedSet>> {
        self.loaded_set(kind).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_load_reports_progress_can_be_cancelled_and_resumed() {
        let dir = Arc::new(Directory::open_demo(2500).await.expect("demo"));
        let seen = Mutex::new(Vec::new());
        let d2 = dir.clone();
        // Cancel as soon as the first page arrived: the rest is not fetched.
        let first = dir
            .load("Users", None, &|p: LoadProgress| {
                seen.lock().expect("lock").push(p.loaded);
                d2.cancel_load("Users");
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
        assert_eq!(dir.window("Users", &q).expect("window").total, first.loaded);
        // Resume fetches the rest.
        let resumed = dir.resume("Users", &|_| {}).await.expect("resume");
        assert!(resumed.complete, "{resumed:?}");
        assert_eq!(resumed.loaded, 2500);
        let w = dir.window("Users", &q).expect("window");
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
    async fn a_filtered_load_keeps_only_matches_and_bad_filters_are_refused() {
        let dir = Directory::open_demo(300).await.expect("demo");
        let s = dir
            .load("Users", Some("active eq false".into()), &|_| {})
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
        let w = dir.window("Users", &q).expect("window");
        assert!(w
            .rows
            .iter()
            .all(|r| r.cells[0].as_deref() == Some("false")));
        let err = dir
            .load("Users", Some("userName equals 1".into()), &|_| {})
            .await
            .expect_err("bad filter");
        assert!(err.message.contains("not valid"));
        assert!(dir.load("Widgets", None, &|_| {}).await.is_err());
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
    async fn a_group_detail_lists_members_and_marks_nested_groups() {
        let d = Directory::open_demo(30).await.expect("demo opens");
        let groups = d
            .groups(&RowsQuery {
                filter: Some(r#"displayName eq "Operations (all teams)""#.into()),
                ..Default::default()
            })
            .await
            .expect("groups");
        let detail = d
            .resource("Groups", &groups.rows[0].id)
            .await
            .expect("detail");
        let members = detail.members.expect("members returned");
        assert!(
            members.iter().filter(|m| m.ends_with("(group)")).count() == 2,
            "{members:?}"
        );
        assert!(detail
            .json
            .contains("\"displayName\": \"Operations (all teams)\""));
        let err = d.resource("Teams", "x").await.expect_err("unknown type");
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
