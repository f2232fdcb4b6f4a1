//! Server check: what a SCIM service provider declares against what it does. Each probe sends real
//! requests and judges the answer — pass, a note (allowed but worth knowing, such as 204 on PATCH), a
//! deviation from RFC 7643/7644, unsupported (and declared so), or failed (could not be checked) —
//! with the exact exchanges behind it. Read-only unless writes are enabled; write probes work on
//! resources named `scimx-check-…` and delete them afterwards, saying so when they could not.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;

use scim_client::{ClientError, Discovery, ListParams, RequestLog, ScimClient};
use scim_core::filter::{evaluate, parse_filter, EvalOptions};
use scim_core::names::get_ci;
use scim_core::patch::{OpKind, PatchOp, PatchOperation};
use scim_core::Resource;

use scim_base::error::AppError;

/// How a probe came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pass,
    /// Allowed by the RFC, but a client must know (204 on PATCH, sorting not declared but done).
    Note,
    Deviation,
    /// Not offered, and declared so.
    Unsupported,
    /// The probe could not run (no user to probe with, a network failure).
    Failed,
}

/// One request and its answer, as the request log recorded them (secrets masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProbeExchange {
    pub method: String,
    pub url: String,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_body: Option<String>,
}

/// One item of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    /// Stable id (`filter.co`, `patch.response`…), for tests and saved results.
    pub id: String,
    /// `discovery`, `filter`, `paging`, `sort`, `projection`, `etag`, `errors`, `data`, `writes`.
    pub group: String,
    pub title: String,
    pub outcome: Outcome,
    pub detail: String,
    pub exchanges: Vec<ProbeExchange>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub base_url: String,
    pub ran_at: String,
    pub writes: bool,
    pub items: Vec<CheckItem>,
    /// Test resources that could not be deleted (id and why): the user must remove them.
    pub leftovers: Vec<String>,
    /// What the app does differently for this server because of what the check found.
    #[serde(default)]
    pub quirks: ServerQuirks,
}

/// What the last check taught the app about this server, used when building requests for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerQuirks {
    /// Members are removed with `path: members` and a value list (the filter path is refused).
    pub remove_members_by_value_list: bool,
    /// PATCH is refused: changes go as a PUT of the whole resource.
    pub patch_unsupported: bool,
}

impl CheckReport {
    pub fn quirks(&self) -> ServerQuirks {
        let outcome = |id: &str| self.items.iter().find(|i| i.id == id).map(|i| i.outcome);
        ServerQuirks {
            remove_members_by_value_list: outcome("groups.remove.valueList") == Some(Outcome::Note),
            patch_unsupported: outcome("patch.response") == Some(Outcome::Unsupported),
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }

    pub fn deviations(&self) -> impl Iterator<Item = &CheckItem> {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Deviation)
    }

    /// The report as Markdown, for a vendor.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# SCIM server check\n\n- Server: {}\n- Run: {}\n- Write checks: {}\n- Result: {} pass, {} notes, {} deviations, {} unsupported, {} could not be checked\n\n",
            self.base_url,
            self.ran_at,
            if self.writes { "yes (test resources created and deleted)" } else { "no (read-only)" },
            self.count(Outcome::Pass),
            self.count(Outcome::Note),
            self.count(Outcome::Deviation),
            self.count(Outcome::Unsupported),
            self.count(Outcome::Failed),
        );
        out.push_str("| Check | Result | Detail |\n|---|---|---|\n");
        for i in &self.items {
            out.push_str(&format!(
                "| {} | {:?} | {} |\n",
                i.title,
                i.outcome,
                i.detail.replace('|', "\\|")
            ));
        }
        if !self.leftovers.is_empty() {
            out.push_str("\n## Test resources left behind\n\n");
            for l in &self.leftovers {
                out.push_str(&format!("- {l}\n"));
            }
        }
        out
    }
}

/// The prefix of every resource a write check creates.
pub const TEST_PREFIX: &str = "scimx-check-";

struct Checker<'a> {
    client: &'a ScimClient,
    log: RequestLog,
    discovery: &'a Discovery,
    seen: u64,
    items: Vec<CheckItem>,
}

fn excerpt(s: Option<&String>) -> Option<String> {
    s.map(|b| {
        if b.chars().count() > 2000 {
            format!("{}…", b.chars().take(2000).collect::<String>())
        } else {
            b.clone()
        }
    })
}

impl Checker<'_> {
    /// Records an item with the exchanges sent since the previous one.
    fn record(
        &mut self,
        id: &str,
        group: &str,
        title: &str,
        outcome: Outcome,
        detail: impl Into<String>,
    ) {
        let exchanges: Vec<ProbeExchange> = self
            .log
            .entries()
            .into_iter()
            .filter(|e| e.seq > self.seen)
            .map(|e| ProbeExchange {
                method: e.method.clone(),
                url: e.url.clone(),
                request_body: excerpt(e.request_body.as_ref()),
                status: e.status,
                response_body: excerpt(e.response_body.as_ref()),
            })
            .collect();
        if let Some(last) = self.log.entries().last() {
            self.seen = last.seq;
        }
        self.items.push(CheckItem {
            id: id.into(),
            group: group.into(),
            title: title.into(),
            outcome,
            detail: detail.into(),
            exchanges,
        });
    }

    /// Skips whatever was sent without being an item (set-up reads).
    fn forget(&mut self) {
        if let Some(last) = self.log.entries().last() {
            self.seen = last.seq;
        }
    }

    async fn list(&self, endpoint: &str, params: ListParams) -> Result<Vec<Value>, ClientError> {
        self.client
            .list(endpoint, &params)
            .await
            .map(|l| l.value.resources.into_iter().map(|r| r.0).collect())
    }

    fn has_groups(&self) -> bool {
        self.discovery.resource_types.iter().any(|r| {
            r.endpoint
                .trim_start_matches('/')
                .eq_ignore_ascii_case("Groups")
        })
    }

    fn discovery_items(&mut self) {
        let d = self.discovery;
        let (outcome, detail) = if d.config_declared {
            (Outcome::Pass, "ServiceProviderConfig read".to_owned())
        } else {
            (
                Outcome::Deviation,
                "ServiceProviderConfig could not be read: capabilities are guesses".to_owned(),
            )
        };
        self.record(
            "discovery.config",
            "discovery",
            "ServiceProviderConfig",
            outcome,
            detail,
        );
        let warnings: Vec<String> = d.warnings.iter().map(|w| w.message.clone()).collect();
        let outcome = if warnings.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Deviation
        };
        self.record(
            "discovery.documents",
            "discovery",
            "Discovery documents (ResourceTypes, Schemas)",
            outcome,
            if warnings.is_empty() {
                format!(
                    "{} resource types, {} schemas",
                    d.resource_types.len(),
                    d.schemas.schemas.len()
                )
            } else {
                warnings.join("; ")
            },
        );
        if !self.has_groups() {
            self.record(
                "discovery.groups",
                "discovery",
                "Groups endpoint",
                Outcome::Unsupported,
                "No Group resource type is declared",
            );
        }
    }

    /// A filter probe: supported when answered, correct when every result matches it.
    async fn filter_probe(
        &mut self,
        id: &str,
        title: &str,
        filter: &str,
        must_include: Option<&str>,
    ) {
        let params = ListParams {
            filter: Some(filter.to_owned()),
            count: Some(20),
            ..Default::default()
        };
        match self.list("Users", params).await {
            Ok(found) => {
                let parsed = parse_filter(filter).ok();
                let wrong = parsed.as_ref().map_or(0, |f| {
                    found
                        .iter()
                        .filter(|r| {
                            !evaluate(
                                f,
                                r,
                                &EvalOptions {
                                    schemas: Some(&self.discovery.schemas),
                                },
                            )
                            .unwrap_or(true)
                        })
                        .count()
                });
                let missing = must_include.is_some_and(|want| {
                    !found
                        .iter()
                        .any(|r| Resource::new(r.clone()).id_string().as_deref() == Some(want))
                });
                if wrong > 0 {
                    self.record(id, "filter", title, Outcome::Deviation, format!("{wrong} of {} results do not match `{filter}`: the filter was ignored or misread", found.len()));
                } else if missing {
                    self.record(
                        id,
                        "filter",
                        title,
                        Outcome::Deviation,
                        format!("`{filter}` did not return the user it must match"),
                    );
                } else {
                    self.record(
                        id,
                        "filter",
                        title,
                        Outcome::Pass,
                        format!(
                            "{} result{}, all matching `{filter}`",
                            found.len(),
                            if found.len() == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
            Err(e) if e.status() == Some(400) || e.status() == Some(501) => {
                self.record(
                    id,
                    "filter",
                    title,
                    Outcome::Unsupported,
                    format!("refused: {e}"),
                );
            }
            Err(e) => self.record(id, "filter", title, Outcome::Failed, e.to_string()),
        }
    }

    async fn read_items(&mut self) {
        let first = match self
            .list(
                "Users",
                ListParams {
                    count: Some(5),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(users) if users.len() >= 2 => users,
            Ok(_) => {
                self.record(
                    "filter.setup",
                    "filter",
                    "Users to probe with",
                    Outcome::Failed,
                    "The server returned fewer than two users: the read checks need at least two.",
                );
                return;
            }
            Err(e) => {
                self.record(
                    "filter.setup",
                    "filter",
                    "Users to probe with",
                    Outcome::Failed,
                    e.to_string(),
                );
                return;
            }
        };
        self.forget();
        let user = Resource::new(first[0].clone());
        let id = user.id_string().unwrap_or_default();
        let name = user.user_name().unwrap_or_default().to_owned();
        let quoted = |s: &str| Value::String(s.to_owned()).to_string();
        let prefix: String = name.chars().take(3).collect();
        let middle: String = name.chars().skip(1).take(3).collect();
        let suffix: String = name
            .chars()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();

        if !self.discovery.config.filter {
            self.record(
                "filter.declared",
                "filter",
                "Filtering",
                Outcome::Unsupported,
                "The server declares no filter support",
            );
        }
        let (name_q, upper_q) = (quoted(&name), quoted(&name.to_uppercase()));
        let includes = Some(id.as_str());
        // (item, title, filter, the test user must be among the results)
        let probes = [
            (
                "filter.eq",
                "Filter: eq",
                format!("userName eq {name_q}"),
                includes,
            ),
            (
                "filter.ne",
                "Filter: ne",
                format!("userName ne {name_q}"),
                None,
            ),
            (
                "filter.co",
                "Filter: co",
                format!("userName co {}", quoted(&middle)),
                includes,
            ),
            (
                "filter.sw",
                "Filter: sw",
                format!("userName sw {}", quoted(&prefix)),
                includes,
            ),
            (
                "filter.ew",
                "Filter: ew",
                format!("userName ew {}", quoted(&suffix)),
                includes,
            ),
            (
                "filter.pr",
                "Filter: pr",
                "userName pr".to_owned(),
                includes,
            ),
            (
                "filter.gt",
                "Filter: gt (dateTime)",
                "meta.lastModified gt \"2000-01-01T00:00:00Z\"".to_owned(),
                None,
            ),
            (
                "filter.and",
                "Filter: and / or / not",
                format!("userName eq {name_q} or (userName pr and not (userName eq {name_q}))"),
                includes,
            ),
            // RFC 7643 §4.1: userName is case-insensitive (caseExact false).
            (
                "filter.case",
                "userName is case-insensitive",
                format!("userName eq {upper_q}"),
                includes,
            ),
        ];
        for (item, title, filter, must_include) in &probes {
            self.filter_probe(item, title, filter, *must_include).await;
        }

        // Paging.
        let p1 = self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    start_index: Some(1),
                    ..Default::default()
                },
            )
            .await;
        let p2 = self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    start_index: Some(2),
                    ..Default::default()
                },
            )
            .await;
        match (p1, p2) {
            (Ok(a), Ok(b)) => {
                let ida = a.value.resources.first().and_then(|r| r.id_string());
                let idb = b.value.resources.first().and_then(|r| r.id_string());
                if a.value.resources.len() > 1 || b.value.resources.len() > 1 {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Deviation,
                        "count=1 returned more than one resource",
                    );
                } else if ida.is_some() && ida == idb {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Deviation,
                        "startIndex=2 returned the same resource as startIndex=1",
                    );
                } else {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Pass,
                        format!(
                            "pages of one, totalResults {}",
                            a.value
                                .total_results
                                .map(|t| t.to_string())
                                .unwrap_or_else(|| "absent".into())
                        ),
                    );
                }
            }
            (Err(e), _) | (_, Err(e)) => self.record(
                "paging.count",
                "paging",
                "Paging: count and startIndex",
                Outcome::Failed,
                e.to_string(),
            ),
        }

        // Sort.
        match self
            .list(
                "Users",
                ListParams {
                    sort_by: Some("userName".into()),
                    count: Some(20),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(found) => {
                let names: Vec<String> = found
                    .iter()
                    .filter_map(|r| Resource::new(r.clone()).user_name().map(str::to_lowercase))
                    .collect();
                let sorted = names.windows(2).all(|w| w[0] <= w[1]);
                let (outcome, detail) = match (sorted, self.discovery.config.sort) {
                    (true, true) => (Outcome::Pass, "sorted by userName".to_owned()),
                    (true, false) => (
                        Outcome::Note,
                        "sorts, though sort is not declared".to_owned(),
                    ),
                    (false, true) => (
                        Outcome::Deviation,
                        "declares sort, but sortBy=userName came back unsorted".to_owned(),
                    ),
                    (false, false) => (
                        Outcome::Unsupported,
                        "no sort (and none declared)".to_owned(),
                    ),
                };
                self.record("sort", "sort", "Sort by userName", outcome, detail);
            }
            Err(e) => {
                let outcome = if self.discovery.config.sort {
                    Outcome::Deviation
                } else {
                    Outcome::Unsupported
                };
                self.record("sort", "sort", "Sort by userName", outcome, e.to_string());
            }
        }

        // Attribute projection.
        match self
            .list(
                "Users",
                ListParams {
                    attributes: vec!["userName".into()],
                    count: Some(5),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(found) => {
                let extra: Vec<String> = found
                    .iter()
                    .flat_map(|r| {
                        r.as_object()
                            .map(|o| o.keys().cloned().collect::<Vec<_>>())
                            .unwrap_or_default()
                    })
                    .filter(|k| {
                        !["id", "userName", "schemas", "meta"]
                            .iter()
                            .any(|a| k.eq_ignore_ascii_case(a))
                    })
                    .collect();
                if extra.is_empty() {
                    self.record(
                        "projection.attributes",
                        "projection",
                        "attributes=userName",
                        Outcome::Pass,
                        "only userName (and id, schemas) returned",
                    );
                } else {
                    let mut names = extra;
                    names.sort();
                    names.dedup();
                    self.record(
                        "projection.attributes",
                        "projection",
                        "attributes=userName",
                        Outcome::Deviation,
                        format!("also returned {}", names.join(", ")),
                    );
                }
            }
            Err(e) => self.record(
                "projection.attributes",
                "projection",
                "attributes=userName",
                Outcome::Unsupported,
                e.to_string(),
            ),
        }

        // ETag.
        match self.client.get("Users", &id).await {
            Ok(r) => {
                let version = r.etag.is_some()
                    || r.body
                        .as_ref()
                        .and_then(|b| b.pointer("/meta/version"))
                        .is_some();
                let (outcome, detail) = match (version, self.discovery.config.etag) {
                    (true, true) => (
                        Outcome::Pass,
                        format!(
                            "version {}",
                            r.etag.unwrap_or_else(|| "in meta.version".into())
                        ),
                    ),
                    (false, true) => (
                        Outcome::Deviation,
                        "declares ETag support but sends no ETag header or meta.version".to_owned(),
                    ),
                    (true, false) => (
                        Outcome::Note,
                        "sends versions though ETag is not declared".to_owned(),
                    ),
                    (false, false) => (
                        Outcome::Unsupported,
                        "no versions (and none declared)".to_owned(),
                    ),
                };
                self.record("etag", "etag", "ETag / meta.version", outcome, detail);
            }
            Err(e) => self.record(
                "etag",
                "etag",
                "ETag / meta.version",
                Outcome::Failed,
                e.to_string(),
            ),
        }

        // Undeclared attributes in the data.
        let undeclared: Vec<String> = {
            let mut names: Vec<String> = first
                .iter()
                .flat_map(|r| {
                    Resource::new(r.clone())
                        .undeclared_attributes(&self.discovery.schemas)
                        .into_iter()
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect();
            names.sort();
            names.dedup();
            names
        };
        if undeclared.is_empty() {
            self.record(
                "data.declared",
                "data",
                "Attributes declared in /Schemas",
                Outcome::Pass,
                "every attribute of the users read is declared",
            );
        } else {
            self.record(
                "data.declared",
                "data",
                "Attributes declared in /Schemas",
                Outcome::Deviation,
                format!(
                    "users carry attributes /Schemas does not declare: {}",
                    undeclared.join(", ")
                ),
            );
        }

        // Error format.
        match self.client.get("Users", "scimx-check-no-such-id").await {
            Err(ClientError::Http {
                status: 404,
                scim: Some(_),
                ..
            }) => {
                self.record(
                    "errors.404",
                    "errors",
                    "Unknown id: 404 with a SCIM error",
                    Outcome::Pass,
                    "404 with a SCIM Error body",
                );
            }
            Err(ClientError::Http {
                status,
                scim: None,
                body,
                ..
            }) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                format!(
                    "{status} without a SCIM Error body{}",
                    body.map(|b| format!(": {b}")).unwrap_or_default()
                ),
            ),
            Err(ClientError::Http { status, .. }) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                format!("answered {status} instead of 404"),
            ),
            Ok(_) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                "answered 200 for an id that does not exist",
            ),
            Err(e) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Failed,
                e.to_string(),
            ),
        }
        match self
            .list(
                "Users",
                ListParams {
                    filter: Some("userName qq \"x\"".into()),
                    ..Default::default()
                },
            )
            .await
        {
            Err(ClientError::Http {
                status: 400,
                scim: Some(s),
                ..
            }) if s
                .scim_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("invalidFilter")) =>
            {
                self.record(
                    "errors.filter",
                    "errors",
                    "Invalid filter: 400 invalidFilter",
                    Outcome::Pass,
                    "400 with scimType invalidFilter",
                );
            }
            Err(ClientError::Http { status, .. }) if (400..500).contains(&status) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Note,
                format!("refused with {status} but without scimType invalidFilter"),
            ),
            Ok(found) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Deviation,
                format!(
                    "accepted an invalid filter and returned {} resources",
                    found.len()
                ),
            ),
            Err(e) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Failed,
                e.to_string(),
            ),
        }
    }
}

/// A write probe's resources, deleted whatever happens.
#[derive(Default)]
struct Created {
    users: Vec<String>,
    groups: Vec<String>,
}

impl Checker<'_> {
    async fn create(
        &self,
        endpoint: &str,
        body: &Value,
    ) -> Result<(Value, Option<String>), ClientError> {
        let r = self.client.create(endpoint, body).await?;
        let location = self.log.entries().last().and_then(|e| {
            e.response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                .map(|(_, v)| v.clone())
        });
        Ok((r.body.unwrap_or(Value::Null), location))
    }

    async fn patch(
        &self,
        endpoint: &str,
        id: &str,
        ops: Vec<PatchOperation>,
    ) -> Result<u16, ClientError> {
        let body = PatchOp::new(ops).to_json();
        self.client
            .write("PATCH", &[endpoint, id], Some(&body), None)
            .await
            .map(|r| r.status)
    }

    async fn fetch(&self, endpoint: &str, id: &str) -> Option<Value> {
        self.client
            .get(endpoint, id)
            .await
            .ok()
            .and_then(|r| r.body)
    }

    async fn write_items(&mut self, created: &mut Created) {
        let tag = format!(
            "{TEST_PREFIX}{}",
            scim_audit::snapshot::now_rfc3339()
                .replace([':', '-'], "")
                .to_lowercase()
        );
        let user_name = format!("{tag}@example.invalid");
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "externalId": format!("{tag}-ext"),
            "name": {"givenName": "Check", "familyName": "User"},
            "displayName": "SCIM Explorer check",
            "active": true,
            "emails": [
                {"value": user_name, "type": "work", "primary": true},
                {"value": format!("{tag}@home.invalid"), "type": "home"}
            ]
        });
        let (a, location) = match self.create("Users", &user).await {
            Ok(x) => x,
            Err(e) => {
                self.record(
                    "writes.create",
                    "writes",
                    "Create a user (POST)",
                    Outcome::Failed,
                    format!("the test user could not be created: {e}"),
                );
                return;
            }
        };
        let Some(a_id) = Resource::new(a.clone()).id_string() else {
            self.record(
                "writes.create",
                "writes",
                "Create a user (POST)",
                Outcome::Deviation,
                "201 without an id in the body",
            );
            return;
        };
        created.users.push(a_id.clone());
        match location {
            Some(l) => self.record(
                "writes.create",
                "writes",
                "Create a user (POST): 201 with Location",
                Outcome::Pass,
                format!("Location {l}"),
            ),
            None => self.record(
                "writes.create",
                "writes",
                "Create a user (POST): 201 with Location",
                Outcome::Deviation,
                "no Location header (RFC 7644 §3.3)",
            ),
        }
        let stored = self.fetch("Users", &a_id).await.unwrap_or(Value::Null);
        let count = |v: &Value| {
            v.as_object()
                .and_then(|o| get_ci(o, "emails"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        if count(&stored) == 2 {
            self.record(
                "writes.kept",
                "writes",
                "Attributes sent are kept",
                Outcome::Pass,
                "both emails stored",
            );
        } else {
            self.record(
                "writes.kept",
                "writes",
                "Attributes sent are kept",
                Outcome::Deviation,
                format!(
                    "2 emails sent, {} kept: the server dropped values it accepted",
                    count(&stored)
                ),
            );
        }

        // externalId is optional (RFC 7643 §3.1).
        let mut bare = user.clone();
        if let Some(o) = bare.as_object_mut() {
            o.remove("externalId");
            o.insert("userName".into(), json!(format!("{tag}-2@example.invalid")));
            o.insert("active".into(), json!(false));
            o.remove("emails");
        }
        let inactive = match self.create("Users", &bare).await {
            Ok((b, _)) => {
                let bid = Resource::new(b).id_string();
                if let Some(bid) = &bid {
                    created.users.push(bid.clone());
                }
                self.record(
                    "writes.externalId",
                    "writes",
                    "externalId is optional",
                    Outcome::Pass,
                    "a user without externalId was created",
                );
                bid
            }
            Err(e) => {
                self.record(
                    "writes.externalId",
                    "writes",
                    "externalId is optional",
                    Outcome::Deviation,
                    format!("a user without externalId was refused: {e}"),
                );
                None
            }
        };

        // Uniqueness.
        match self.create("Users", &user).await {
            Err(ClientError::Http { status: 409, .. }) => self.record(
                "writes.uniqueness",
                "writes",
                "Duplicate userName: 409",
                Outcome::Pass,
                "409 uniqueness",
            ),
            Err(e) => self.record(
                "writes.uniqueness",
                "writes",
                "Duplicate userName: 409",
                Outcome::Deviation,
                format!("refused with something else than 409: {e}"),
            ),
            Ok((dup, _)) => {
                if let Some(d) = Resource::new(dup).id_string() {
                    created.users.push(d);
                }
                self.record(
                    "writes.uniqueness",
                    "writes",
                    "Duplicate userName: 409",
                    Outcome::Deviation,
                    "a second user with the same userName was created",
                );
            }
        }

        // PATCH.
        if !self.discovery.config.patch {
            match self
                .patch(
                    "Users",
                    &a_id,
                    vec![PatchOperation::new(
                        OpKind::Replace,
                        Some("active"),
                        Some(json!(false)),
                    )],
                )
                .await
            {
                Ok(_) => self.record(
                    "patch.response",
                    "writes",
                    "PATCH",
                    Outcome::Note,
                    "PATCH works though it is not declared",
                ),
                Err(e) => self.record(
                    "patch.response",
                    "writes",
                    "PATCH",
                    Outcome::Unsupported,
                    format!("not supported (and declared so): {e}"),
                ),
            }
        } else {
            match self
                .patch(
                    "Users",
                    &a_id,
                    vec![PatchOperation::new(
                        OpKind::Replace,
                        Some("active"),
                        Some(json!(false)),
                    )],
                )
                .await
            {
                Ok(status) => {
                    let applied = self
                        .fetch("Users", &a_id)
                        .await
                        .and_then(|u| u.get("active").cloned())
                        == Some(json!(false));
                    let (outcome, detail) = match (status, applied) {
                        (_, false) => (Outcome::Deviation, format!("answered {status} but active is still true")),
                        (204, true) => (Outcome::Note, "204 No Content: no resource in the answer, clients must read it again (allowed by RFC 7644 §3.5.2)".to_owned()),
                        (s, true) => (Outcome::Pass, format!("{s} with the resource")),
                    };
                    self.record(
                        "patch.response",
                        "writes",
                        "PATCH replace with a path: 200 with the resource, or 204",
                        outcome,
                        detail,
                    );
                }
                Err(e) => self.record(
                    "patch.response",
                    "writes",
                    "PATCH replace with a path",
                    Outcome::Deviation,
                    format!("refused: {e}"),
                ),
            }
            match self
                .patch(
                    "Users",
                    &a_id,
                    vec![PatchOperation::new(
                        OpKind::Replace,
                        None,
                        Some(json!({"displayName": "SCIM Explorer check (pathless)"})),
                    )],
                )
                .await
            {
                Ok(_) => {
                    let applied = self
                        .fetch("Users", &a_id)
                        .await
                        .and_then(|u| u.get("displayName").cloned())
                        == Some(json!("SCIM Explorer check (pathless)"));
                    self.record(
                        "patch.pathless",
                        "writes",
                        "PATCH replace without a path (Okta, Entra)",
                        if applied {
                            Outcome::Pass
                        } else {
                            Outcome::Deviation
                        },
                        if applied {
                            "applied"
                        } else {
                            "accepted but not applied"
                        },
                    );
                }
                Err(e) => self.record(
                    "patch.pathless",
                    "writes",
                    "PATCH replace without a path (Okta, Entra)",
                    Outcome::Deviation,
                    format!("refused: {e}"),
                ),
            }
        }

        // Stale version.
        if self.discovery.config.etag {
            let stale = "W/\"scimx-check-stale\"";
            let body = self.fetch("Users", &a_id).await.unwrap_or(Value::Null);
            match self
                .client
                .replace("Users", &a_id, &body, Some(stale))
                .await
            {
                Err(ClientError::Http { status: 412, .. }) => self.record(
                    "etag.ifmatch",
                    "etag",
                    "Stale If-Match: 412",
                    Outcome::Pass,
                    "412 Precondition Failed",
                ),
                Err(e) => self.record(
                    "etag.ifmatch",
                    "etag",
                    "Stale If-Match: 412",
                    Outcome::Deviation,
                    format!("refused with something else than 412: {e}"),
                ),
                Ok(_) => self.record(
                    "etag.ifmatch",
                    "etag",
                    "Stale If-Match: 412",
                    Outcome::Deviation,
                    "a PUT with a stale If-Match was applied",
                ),
            }
        }

        // Groups: membership forms, and whether members are kept.
        if self.has_groups() {
            let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{tag} group"), "members": [{"value": a_id}]});
            match self.create("Groups", &group).await {
                Ok((g, _)) => match Resource::new(g).id_string() {
                    Some(gid) => {
                        created.groups.push(gid.clone());
                        self.record(
                            "groups.create",
                            "writes",
                            "Create a group with a member",
                            Outcome::Pass,
                            "created",
                        );
                        let members = |g: Option<Value>| -> Vec<String> {
                            g.and_then(|g| g.get("members").cloned())
                                .and_then(|m| m.as_array().cloned())
                                .unwrap_or_default()
                                .iter()
                                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                                .collect()
                        };
                        let patch = self.discovery.config.patch;
                        // Without PATCH, membership changes go as a PUT of the group (Secoda's way).
                        let put_members = |ids: Vec<&String>| {
                            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{tag} group"),
                                   "members": ids.iter().map(|i| json!({"value": i})).collect::<Vec<_>>()})
                        };
                        let form = if patch {
                            "PATCH add members"
                        } else {
                            "PUT with the members"
                        };
                        if let Some(b) = &inactive {
                            let add = if patch {
                                self.patch(
                                    "Groups",
                                    &gid,
                                    vec![PatchOperation::new(
                                        OpKind::Add,
                                        Some("members"),
                                        Some(json!([{"value": b}])),
                                    )],
                                )
                                .await
                            } else {
                                self.client
                                    .replace("Groups", &gid, &put_members(vec![&a_id, b]), None)
                                    .await
                                    .map(|r| r.status)
                            };
                            let now = members(self.fetch("Groups", &gid).await);
                            let title = format!("Add a member ({form})");
                            match add {
                                Ok(_) if now.contains(b) => self.record("groups.add", "writes", &title, Outcome::Pass, "kept"),
                                Ok(_) => self.record("groups.add", "writes", &title, Outcome::Deviation, "accepted, but the member (a user not yet active) is not in the group"),
                                Err(e) => self.record("groups.add", "writes", &title, Outcome::Deviation, format!("refused: {e}")),
                            }
                        }
                        let remove = if patch {
                            self.patch(
                                "Groups",
                                &gid,
                                vec![PatchOperation::new(
                                    OpKind::Remove,
                                    Some(&format!("members[value eq \"{a_id}\"]")),
                                    None,
                                )],
                            )
                            .await
                        } else {
                            self.client
                                .replace(
                                    "Groups",
                                    &gid,
                                    &put_members(inactive.iter().collect()),
                                    None,
                                )
                                .await
                                .map(|r| r.status)
                        };
                        let still = members(self.fetch("Groups", &gid).await).contains(&a_id);
                        let title = if patch {
                            "Remove a member (members[value eq …])"
                        } else {
                            "Remove a member (PUT without it)"
                        };
                        match remove {
                            Ok(_) if !still => self.record(
                                "groups.remove",
                                "writes",
                                title,
                                Outcome::Pass,
                                "removed",
                            ),
                            Ok(_) => self.record(
                                "groups.remove",
                                "writes",
                                title,
                                Outcome::Deviation,
                                "accepted, but the member is still there",
                            ),
                            Err(e) => self.record(
                                "groups.remove",
                                "writes",
                                title,
                                Outcome::Deviation,
                                format!("refused: {e}"),
                            ),
                        }
                        if patch && still {
                            // The form Entra (legacy) and authentik send: is that one accepted?
                            // If so, the app removes members that way on this server.
                            let legacy = self
                                .patch(
                                    "Groups",
                                    &gid,
                                    vec![PatchOperation::new(
                                        OpKind::Remove,
                                        Some("members"),
                                        Some(json!([{ "value": a_id }])),
                                    )],
                                )
                                .await;
                            let gone = !members(self.fetch("Groups", &gid).await).contains(&a_id);
                            let (outcome, detail) = match legacy {
                                Ok(_) if gone => (Outcome::Note, "accepts the member in a value list instead: the app removes members that way here".to_owned()),
                                Ok(_) => (Outcome::Deviation, "accepted, but the member is still there".to_owned()),
                                Err(e) => (Outcome::Deviation, format!("refused as well: {e}")),
                            };
                            self.record(
                                "groups.remove.valueList",
                                "writes",
                                "Remove a member (path members, value list: Entra, authentik)",
                                outcome,
                                detail,
                            );
                        }
                    }
                    None => self.record(
                        "groups.create",
                        "writes",
                        "Create a group with a member",
                        Outcome::Deviation,
                        "201 without an id",
                    ),
                },
                Err(e) => self.record(
                    "groups.create",
                    "writes",
                    "Create a group with a member",
                    Outcome::Failed,
                    e.to_string(),
                ),
            }
        }

        // Delete, then 404.
        if let Some(id) = created.users.first().cloned() {
            match self.client.delete("Users", &id, None).await {
                Ok(()) => {
                    created.users.retain(|u| u != &id);
                    let gone = matches!(
                        self.client.get("Users", &id).await,
                        Err(ClientError::Http { status: 404, .. })
                    );
                    self.record(
                        "writes.delete",
                        "writes",
                        "DELETE, then 404",
                        if gone {
                            Outcome::Pass
                        } else {
                            Outcome::Deviation
                        },
                        if gone {
                            "deleted"
                        } else {
                            "still readable after DELETE"
                        },
                    );
                }
                Err(e) => self.record(
                    "writes.delete",
                    "writes",
                    "DELETE, then 404",
                    Outcome::Deviation,
                    format!("refused: {e}"),
                ),
            }
        }
    }
}

/// Runs the check. `writes` enables the probes that create, change and delete test resources.
pub async fn run(client: &ScimClient, writes: bool) -> Result<CheckReport, AppError> {
    let log = RequestLog::default();
    let probe = client.clone().with_log(log.clone());
    let discovery = probe.discover().await?;
    let mut checker = Checker {
        client: &probe,
        log,
        discovery: &discovery,
        seen: 0,
        items: Vec::new(),
    };
    checker.discovery_items();
    checker.read_items().await;
    let mut leftovers = Vec::new();
    if writes {
        let mut created = Created::default();
        checker.write_items(&mut created).await;
        // Clean up whatever is left, and say what could not be.
        for (endpoint, ids) in [("Groups", &created.groups), ("Users", &created.users)] {
            for id in ids {
                match probe.delete(endpoint, id, None).await {
                    Ok(()) => {}
                    Err(ClientError::Http { status: 404, .. }) => {}
                    Err(e) => leftovers.push(format!("{endpoint}/{id}: {e}")),
                }
            }
        }
    }
    let mut report = CheckReport {
        base_url: client.base_url().to_owned(),
        ran_at: scim_audit::snapshot::now_rfc3339(),
        writes,
        items: checker.items,
        leftovers,
        quirks: ServerQuirks::default(),
    };
    report.quirks = report.quirks();
    Ok(report)
}

/// Where a connection's last check is kept: `checks/<connection>.json` in the config directory.
pub fn saved_path(config_dir: &std::path::Path, key: &str) -> std::path::PathBuf {
    config_dir
        .join("checks")
        .join(format!("{}.json", scim_base::paths::slug(key)))
}

pub fn save(path: &std::path::Path, report: &CheckReport) -> Result<(), AppError> {
    let text =
        serde_json::to_string_pretty(report).map_err(|e| AppError::internal(e.to_string()))?;
    scim_base::private_files::write_atomic(path, scim_base::private_files::Place::Replace, |f| {
        std::io::Write::write_all(f, text.as_bytes())
    })
}

pub fn load(path: &std::path::Path) -> Option<CheckReport> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, outcome: Outcome) -> CheckItem {
        CheckItem {
            id: id.into(),
            group: "writes".into(),
            title: id.into(),
            outcome,
            detail: String::new(),
            exchanges: Vec::new(),
        }
    }

    #[test]
    fn quirks_come_from_what_the_check_found() {
        let mut report = CheckReport {
            base_url: "http://x".into(),
            ran_at: "t".into(),
            writes: true,
            items: vec![
                item("groups.remove", Outcome::Deviation),
                item("groups.remove.valueList", Outcome::Note),
                item("patch.response", Outcome::Pass),
            ],
            leftovers: Vec::new(),
            quirks: ServerQuirks::default(),
        };
        assert_eq!(
            report.quirks(),
            ServerQuirks {
                remove_members_by_value_list: true,
                patch_unsupported: false
            }
        );
        report.items[2].outcome = Outcome::Unsupported;
        assert!(report.quirks().patch_unsupported);
        assert_eq!(report.deviations().count(), 1);
        let md = report.to_markdown();
        assert!(md.contains("| groups.remove | Deviation |"), "{md}");
    }

    #[test]
    fn a_saved_report_round_trips_and_lives_under_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = saved_path(dir.path(), "Demo directory");
        assert!(path.ends_with("checks/demo-directory.json"));
        let report = CheckReport {
            base_url: "http://x".into(),
            ran_at: "t".into(),
            writes: false,
            items: vec![item("filter.eq", Outcome::Pass)],
            leftovers: Vec::new(),
            quirks: ServerQuirks::default(),
        };
        save(&path, &report).unwrap();
        assert_eq!(load(&path), Some(report));
    }
}
