//! Provisioning scenarios: what an identity provider does to a service provider over time (a joiner,
//! a mover, a leaver; a group pushed and synced), played step by step against a connection in that
//! IdP's exact request shapes (its dialect), with the resource after each step and expected-vs-actual
//! checks. Every resource a run creates is named `scimx-scenario-…` and deleted by `cleanup`.
//! A finished run exports Markdown and JSON a consultant can hand to a vendor.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;

use scim_client::{ClientError, RequestLog, ScimClient};
use scim_core::names::ENTERPRISE_USER_SCHEMA;
use scim_core::patch::{render_patch, LogicalChange};
use scim_core::Resource;

use crate::server_check::ProbeExchange;
use scim_base::error::AppError;
use scim_core::patch::DialectName;

/// The prefix of every resource a scenario creates.
pub const PREFIX: &str = "scimx-scenario-";

/// What one step does. `user`/`group` are the scenario's own names for resources it created.
#[derive(Debug, Clone)]
enum Action {
    CreateUser {
        user: &'static str,
        given: &'static str,
        family: &'static str,
        department: &'static str,
    },
    CreateGroup {
        group: &'static str,
        name: &'static str,
        members: Vec<&'static str>,
    },
    Update {
        user: &'static str,
        changes: Vec<(&'static str, Value)>,
    },
    AddMember {
        group: &'static str,
        user: &'static str,
    },
    RemoveMember {
        group: &'static str,
        user: &'static str,
    },
    RenameGroup {
        group: &'static str,
        name: &'static str,
    },
    DeleteUser {
        user: &'static str,
    },
    DeleteGroup {
        group: &'static str,
    },
}

/// What must hold after a step.
#[derive(Debug, Clone)]
enum Expect {
    Field {
        user: &'static str,
        path: &'static str,
        value: Value,
    },
    Member {
        group: &'static str,
        user: &'static str,
        present: bool,
    },
    GroupName {
        group: &'static str,
        name: &'static str,
    },
    Gone {
        user: Option<&'static str>,
        group: Option<&'static str>,
    },
}

#[derive(Debug, Clone)]
struct Step {
    title: &'static str,
    action: Action,
    expect: Vec<Expect>,
    /// Set where the IdP sends a request outside RFC 7644 that a strict server may refuse.
    refusal: Option<Refusal>,
}

/// How a step whose request is outside RFC 7644 may be refused safely: with a 400, changing nothing.
/// Such a refusal is the server doing its job, so the step passes, and the run carries `finding` —
/// the integration problem the consultant must take to the vendor.
#[derive(Debug, Clone)]
struct Refusal {
    finding: &'static str,
    /// What must still hold after the refusal (nothing half-applied).
    unchanged: Vec<Expect>,
}

#[derive(Debug, Clone)]
struct Scenario {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    dialect: DialectName,
    steps: Vec<Step>,
}

/// A scenario as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioInfo {
    pub name: String,
    pub title: String,
    pub description: String,
    pub dialect: DialectName,
    pub steps: Vec<String>,
}

/// One expected-vs-actual check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub what: String,
    pub expected: String,
    pub actual: String,
    pub pass: bool,
}

/// One step played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub index: u32,
    pub title: String,
    pub exchanges: Vec<ProbeExchange>,
    /// The resource the step acted on, read after it.
    pub resource: Option<String>,
    pub checks: Vec<CheckResult>,
    pub error: Option<String>,
    /// An integration problem the step showed though the server behaved safely (a request outside
    /// RFC 7644 refused with nothing changed).
    pub finding: Option<String>,
    pub passed: bool,
}

/// A run, in progress or finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    pub scenario: ScenarioInfo,
    pub base_url: String,
    pub started_at: String,
    /// The suffix of this run's resource names.
    pub tag: String,
    pub steps: Vec<StepResult>,
    pub finished: bool,
    pub cleaned_up: bool,
    /// What cleanup could not delete.
    pub leftovers: Vec<String>,
    /// The scenario's names → server ids (users as `user:ana`, groups as `group:sales`).
    pub ids: HashMap<String, String>,
}

impl RunState {
    pub fn passed(&self) -> bool {
        self.finished && self.steps.iter().all(|s| s.passed)
    }

    /// Integration problems the run showed, step by step (the server behaved safely in each).
    pub fn findings(&self) -> Vec<(&str, &str)> {
        self.steps
            .iter()
            .filter_map(|s| s.finding.as_deref().map(|f| (s.title.as_str(), f)))
            .collect()
    }

    /// The run as Markdown, for a vendor.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Provisioning scenario: {}\n\n{}\n\n- Identity provider dialect: {:?}\n- Server: {}\n- Run: {}\n- Result: {}\n- Cleanup: {}\n\n",
            self.scenario.title,
            self.scenario.description,
            self.scenario.dialect,
            self.base_url,
            self.started_at,
            if self.passed() {
                match self.findings().len() {
                    0 => "every step passed".to_owned(),
                    n => format!("every step passed, with {n} integration finding(s) below"),
                }
            } else {
                format!(
                    "{} of {} steps passed",
                    self.steps.iter().filter(|s| s.passed).count(),
                    self.scenario.steps.len()
                )
            },
            if !self.cleaned_up {
                "not run".to_owned()
            } else if self.leftovers.is_empty() {
                "every test resource deleted".to_owned()
            } else {
                format!("left behind: {}", self.leftovers.join(", "))
            }
        );
        let findings = self.findings();
        if !findings.is_empty() {
            out.push_str("## Findings\n\n");
            for (step, finding) in findings {
                out.push_str(&format!("- **{step}**: {finding}\n"));
            }
            out.push('\n');
        }
        for s in &self.steps {
            out.push_str(&format!(
                "## {}. {} — {}\n\n",
                s.index + 1,
                s.title,
                match (s.passed, &s.finding) {
                    (true, None) => "pass",
                    (true, Some(_)) => "pass (refused safely: finding)",
                    (false, _) => "FAIL",
                }
            ));
            if let Some(e) = &s.error {
                out.push_str(&format!("Error: {e}\n\n"));
            }
            for e in &s.exchanges {
                out.push_str(&format!(
                    "```http\n{} {}\n{}\n→ {}\n{}\n```\n\n",
                    e.method,
                    e.url,
                    e.request_body.as_deref().unwrap_or(""),
                    e.status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "no answer".into()),
                    e.response_body.as_deref().unwrap_or("")
                ));
            }
            if !s.checks.is_empty() {
                out.push_str("| Check | Expected | Actual | |\n|---|---|---|---|\n");
                for c in &s.checks {
                    out.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        c.what,
                        c.expected,
                        c.actual,
                        if c.pass { "✓" } else { "✗" }
                    ));
                }
                out.push('\n');
            }
        }
        out
    }
}

fn builtin() -> Vec<Scenario> {
    use Action::*;
    use Expect::*;
    vec![
        Scenario {
            name: "okta-onboarding",
            title: "Okta: onboarding with group push",
            description: "Okta creates a user, pushes a group and its membership, updates the profile with a PUT of the whole user, then deactivates with a pathless PATCH (Okta never deletes users).",
            dialect: DialectName::Okta,
            steps: vec![
                Step { title: "Create the user", action: CreateUser { user: "olivia", given: "Olivia", family: "Okta", department: "Sales" }, expect: vec![Field { user: "olivia", path: "active", value: json!(true) }], refusal: None },
                Step { title: "Push a group", action: CreateGroup { group: "team", name: "Okta push", members: vec![] }, expect: vec![GroupName { group: "team", name: "Okta push" }], refusal: None },
                Step { title: "Push the membership", action: AddMember { group: "team", user: "olivia" }, expect: vec![Member { group: "team", user: "olivia", present: true }], refusal: None },
                Step { title: "Update the profile (PUT)", action: Update { user: "olivia", changes: vec![("title", json!("Account executive")), ("name.givenName", json!("Liv"))] }, expect: vec![Field { user: "olivia", path: "title", value: json!("Account executive") }, Field { user: "olivia", path: "name.givenName", value: json!("Liv") }], refusal: None },
                Step { title: "Deactivate (pathless PATCH)", action: Update { user: "olivia", changes: vec![("active", json!(false))] }, expect: vec![Field { user: "olivia", path: "active", value: json!(false) }], refusal: None },
            ],
        },
        Scenario {
            name: "entra-joiner-mover-leaver",
            title: "Entra ID: joiner, mover, leaver",
            description: "Entra ID provisions a joiner into Sales, moves them to Finance (department and group), then deactivates and finally deletes them — in the shapes of its SCIM 2.0 compliant mode (aadOptscim062020, the one Microsoft recommends for new apps): pathless replace with dotted and URN keys, members removed by a value filter. The legacy default mode (\"Replace\", \"False\", removal by value list) is in the PATCH builder's dialects.",
            dialect: DialectName::Entra2020,
            steps: vec![
                Step { title: "Groups exist: Sales and Finance", action: CreateGroup { group: "sales", name: "Sales", members: vec![] }, expect: vec![GroupName { group: "sales", name: "Sales" }], refusal: None },
                Step { title: "Finance group", action: CreateGroup { group: "finance", name: "Finance", members: vec![] }, expect: vec![GroupName { group: "finance", name: "Finance" }], refusal: None },
                Step { title: "Joiner: create the user", action: CreateUser { user: "jo", given: "Jo", family: "Joiner", department: "Sales" }, expect: vec![Field { user: "jo", path: "active", value: json!(true) }, Field { user: "jo", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: json!("Sales") }], refusal: None },
                Step { title: "Joiner: add to Sales", action: AddMember { group: "sales", user: "jo" }, expect: vec![Member { group: "sales", user: "jo", present: true }], refusal: None },
                Step { title: "Mover: department Finance", action: Update { user: "jo", changes: vec![("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", json!("Finance")), ("title", json!("Controller"))] }, expect: vec![Field { user: "jo", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: json!("Finance") }], refusal: None },
                Step { title: "Mover: remove from Sales", action: RemoveMember { group: "sales", user: "jo" }, expect: vec![Member { group: "sales", user: "jo", present: false }], refusal: None },
                Step { title: "Mover: add to Finance", action: AddMember { group: "finance", user: "jo" }, expect: vec![Member { group: "finance", user: "jo", present: true }], refusal: None },
                Step { title: "Leaver: deactivate", action: Update { user: "jo", changes: vec![("active", json!(false))] }, expect: vec![Field { user: "jo", path: "active", value: json!(false) }], refusal: None },
                Step { title: "Leaver: delete", action: DeleteUser { user: "jo" }, expect: vec![Gone { user: Some("jo"), group: None }], refusal: None },
            ],
        },
        Scenario {
            name: "authentik-group-sync",
            title: "authentik: group sync",
            description: "authentik syncs a group: creates the users, creates the group empty and adds the members one per operation, renames the group with a pathless replace, removes a member (authentik sends `remove` on `members` with the member in a value list, not a value filter), and deletes the group.",
            dialect: DialectName::Authentik,
            steps: vec![
                Step { title: "Create user Ada", action: CreateUser { user: "ada", given: "Ada", family: "Authentik", department: "IT" }, expect: vec![Field { user: "ada", path: "active", value: json!(true) }], refusal: None },
                Step { title: "Create user Bo", action: CreateUser { user: "bo", given: "Bo", family: "Authentik", department: "IT" }, expect: vec![Field { user: "bo", path: "active", value: json!(true) }], refusal: None },
                // authentik creates the group without members when the server has PATCH, then
                // adds them one per operation (providers/scim/clients/groups.py).
                Step { title: "Create the group", action: CreateGroup { group: "ops", name: "Ops", members: vec![] }, expect: vec![GroupName { group: "ops", name: "Ops" }], refusal: None },
                Step { title: "Add Ada", action: AddMember { group: "ops", user: "ada" }, expect: vec![Member { group: "ops", user: "ada", present: true }], refusal: None },
                Step { title: "Add Bo", action: AddMember { group: "ops", user: "bo" }, expect: vec![Member { group: "ops", user: "bo", present: true }, Member { group: "ops", user: "ada", present: true }], refusal: None },
                Step { title: "Rename the group", action: RenameGroup { group: "ops", name: "Operations" }, expect: vec![GroupName { group: "ops", name: "Operations" }], refusal: None },
                // A `remove` with a value is outside RFC 7644 (§3.5.2.2 removes *every* member when a
                // path has no filter). Removing just Ada (authentik's intent) passes; a 400 with
                // nothing changed is a safe answer and a finding; losing Bo too fails.
                Step {
                    title: "Remove Ada",
                    action: RemoveMember { group: "ops", user: "ada" },
                    expect: vec![Member { group: "ops", user: "ada", present: false }, Member { group: "ops", user: "bo", present: true }],
                    refusal: Some(Refusal {
                        finding: "The server refused authentik's member removal (`remove` on `members` with the member in a value list — authentik's only removal form, outside RFC 7644's `members[value eq \"…\"]`). Nothing was lost, but with authentik a user removed from a group stays a member in this application until the vendor accepts that form.",
                        unchanged: vec![Member { group: "ops", user: "ada", present: true }, Member { group: "ops", user: "bo", present: true }],
                    }),
                },
                Step { title: "Delete the group", action: DeleteGroup { group: "ops" }, expect: vec![Gone { user: None, group: Some("ops") }], refusal: None },
            ],
        },
    ]
}

impl Scenario {
    fn info(&self) -> ScenarioInfo {
        ScenarioInfo {
            name: self.name.into(),
            title: self.title.into(),
            description: self.description.into(),
            dialect: self.dialect,
            steps: self.steps.iter().map(|s| s.title.to_owned()).collect(),
        }
    }
}

/// The built-in scenarios.
pub fn list() -> Vec<ScenarioInfo> {
    builtin().iter().map(Scenario::info).collect()
}

fn find(name: &str) -> Result<Scenario, AppError> {
    builtin()
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| {
            AppError::invalid_input(format!(
                "No scenario \"{name}\". Built-in: {}.",
                builtin()
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Starts a run (nothing is sent until the first step).
pub fn start(client: &ScimClient, name: &str) -> Result<RunState, AppError> {
    let scenario = find(name)?;
    let started_at = scim_audit::snapshot::now_rfc3339();
    let tag = started_at.replace([':', '-'], "").to_lowercase();
    Ok(RunState {
        scenario: scenario.info(),
        base_url: client.base_url().to_owned(),
        started_at,
        tag,
        steps: Vec::new(),
        finished: false,
        cleaned_up: false,
        leftovers: Vec::new(),
        ids: HashMap::new(),
    })
}

fn user_name(run: &RunState, user: &str) -> String {
    format!("{PREFIX}{user}-{}@example.invalid", run.tag)
}

fn group_name(run: &RunState, name: &str) -> String {
    format!("{PREFIX}{} {name}", run.tag)
}

/// The body an IdP sends to create a user.
fn user_body(
    d: DialectName,
    user_name: &str,
    given: &str,
    family: &str,
    department: &str,
) -> Value {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "externalId": format!("ext-{user_name}"),
        "active": true,
        "displayName": format!("{given} {family}"),
        "name": {"givenName": given, "familyName": family, "formatted": format!("{given} {family}")},
        "emails": [{"value": user_name, "type": "work", "primary": true}],
    });
    if matches!(d, DialectName::Entra | DialectName::Entra2020) {
        body["schemas"] = json!([
            "urn:ietf:params:scim:schemas:core:2.0:User",
            ENTERPRISE_USER_SCHEMA
        ]);
        body[ENTERPRISE_USER_SCHEMA] = json!({"department": department});
    }
    body
}

/// Why a step's requests failed, with the HTTP status when the server answered one.
#[derive(Debug)]
struct Failure {
    message: String,
    status: Option<u16>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            status: None,
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure {
            status: e.status(),
            message: e.to_string(),
        }
    }
}

struct Player<'a> {
    /// Sends what the IdP sends; its exchanges are the step's log.
    client: &'a ScimClient,
    /// Reads the player needs for itself, kept out of the step's log (the IdP does not send them).
    quiet: &'a ScimClient,
    log: RequestLog,
}

impl Player<'_> {
    fn id(run: &RunState, kind: &str, name: &str) -> Result<String, String> {
        run.ids
            .get(&format!("{kind}:{name}"))
            .cloned()
            .ok_or_else(|| format!("the {kind} \"{name}\" was not created by an earlier step"))
    }

    async fn get(&self, endpoint: &str, id: &str) -> Option<Value> {
        self.client
            .get(endpoint, id)
            .await
            .ok()
            .and_then(|r| r.body)
    }

    /// Sends the requests a dialect renders for `changes` on a resource.
    async fn send_changes(
        &self,
        d: DialectName,
        endpoint: &str,
        id: &str,
        changes: &[LogicalChange],
    ) -> Result<(), Failure> {
        // The IdPs send from their own records; the player reads the server quietly to render
        // them. Okta alone reads the user before its PUT, so there that GET is part of the log.
        let current = self.quiet.get(endpoint, id).await.ok().and_then(|r| r.body);
        let mut requests = render_patch(d.dialect(), changes, current.as_ref());
        if d == DialectName::Okta && requests.iter().any(|r| r.method == "PUT") {
            let current = self.get(endpoint, id).await;
            requests = render_patch(d.dialect(), changes, current.as_ref());
        }
        for r in requests {
            if r.body.is_null() {
                return Err(r
                    .note
                    .unwrap_or_else(|| "the dialect cannot express this change".into())
                    .into());
            }
            self.client
                .write(r.method, &[endpoint, id], Some(&r.body), None)
                .await?;
        }
        Ok(())
    }

    async fn act(
        &self,
        run: &mut RunState,
        action: &Action,
    ) -> Result<Option<(String, String)>, Failure> {
        let d = run.scenario.dialect;
        match action {
            Action::CreateUser {
                user,
                given,
                family,
                department,
            } => {
                let body = user_body(d, &user_name(run, user), given, family, department);
                let created = self.client.create("Users", &body).await?;
                let id = created
                    .body
                    .and_then(|b| Resource::new(b).id_string())
                    .ok_or("the server sent no id for the new user")?;
                run.ids.insert(format!("user:{user}"), id.clone());
                Ok(Some(("Users".into(), id)))
            }
            Action::CreateGroup {
                group,
                name,
                members,
            } => {
                let mut ids = Vec::new();
                for m in members {
                    ids.push(json!({"value": Self::id(run, "user", m)?}));
                }
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": group_name(run, name),
                    "externalId": format!("ext-{}-{group}", run.tag),
                    "members": ids,
                });
                let created = self.client.create("Groups", &body).await?;
                let id = created
                    .body
                    .and_then(|b| Resource::new(b).id_string())
                    .ok_or("the server sent no id for the new group")?;
                run.ids.insert(format!("group:{group}"), id.clone());
                Ok(Some(("Groups".into(), id)))
            }
            Action::Update { user, changes } => {
                let id = Self::id(run, "user", user)?;
                let logical: Vec<LogicalChange> = changes
                    .iter()
                    .map(|(path, value)| LogicalChange::Set {
                        path: (*path).into(),
                        value: value.clone(),
                    })
                    .collect();
                self.send_changes(d, "Users", &id, &logical).await?;
                Ok(Some(("Users".into(), id)))
            }
            Action::AddMember { group, user } | Action::RemoveMember { group, user } => {
                let gid = Self::id(run, "group", group)?;
                let uid = Self::id(run, "user", user)?;
                let change = if matches!(action, Action::AddMember { .. }) {
                    LogicalChange::AddMembers { ids: vec![uid] }
                } else {
                    LogicalChange::RemoveMembers { ids: vec![uid] }
                };
                self.send_changes(d, "Groups", &gid, &[change]).await?;
                Ok(Some(("Groups".into(), gid)))
            }
            Action::RenameGroup { group, name } => {
                let gid = Self::id(run, "group", group)?;
                let change = LogicalChange::Set {
                    path: "displayName".into(),
                    value: json!(group_name(run, name)),
                };
                self.send_changes(d, "Groups", &gid, &[change]).await?;
                Ok(Some(("Groups".into(), gid)))
            }
            Action::DeleteUser { user } => {
                let id = Self::id(run, "user", user)?;
                self.client.delete("Users", &id, None).await?;
                Ok(None)
            }
            Action::DeleteGroup { group } => {
                let id = Self::id(run, "group", group)?;
                self.client.delete("Groups", &id, None).await?;
                Ok(None)
            }
        }
    }

    async fn verify(&self, run: &RunState, expect: &Expect) -> CheckResult {
        match expect {
            Expect::Field { user, path, value } => {
                let actual = match Self::id(run, "user", user) {
                    Ok(id) => self
                        .get("Users", &id)
                        .await
                        .map(|u| field(&u, path))
                        .unwrap_or(Value::Null),
                    Err(e) => Value::String(e),
                };
                CheckResult {
                    what: format!("{user}: {path}"),
                    expected: value.to_string(),
                    actual: actual.to_string(),
                    pass: same(&actual, value),
                }
            }
            Expect::Member {
                group,
                user,
                present,
            } => {
                let (gid, uid) = (Self::id(run, "group", group), Self::id(run, "user", user));
                let actual = match (gid, uid) {
                    (Ok(g), Ok(u)) => match self.get("Groups", &g).await {
                        Some(body) => Resource::new(body).members_ids().contains(&u),
                        None => false,
                    },
                    _ => false,
                };
                CheckResult {
                    what: format!("{user} in {group}"),
                    expected: if *present { "member" } else { "not a member" }.into(),
                    actual: if actual { "member" } else { "not a member" }.into(),
                    pass: actual == *present,
                }
            }
            Expect::GroupName { group, name } => {
                let want = group_name(run, name);
                let actual = match Self::id(run, "group", group) {
                    Ok(id) => self
                        .get("Groups", &id)
                        .await
                        .and_then(|g| g.get("displayName").cloned())
                        .unwrap_or(Value::Null),
                    Err(e) => Value::String(e),
                };
                CheckResult {
                    what: format!("{group}: displayName"),
                    expected: want.clone(),
                    actual: actual.as_str().unwrap_or_default().to_owned(),
                    pass: actual == json!(want),
                }
            }
            Expect::Gone { user, group } => {
                let (endpoint, kind, name) = match (user, group) {
                    (Some(u), _) => ("Users", "user", *u),
                    (_, Some(g)) => ("Groups", "group", *g),
                    _ => ("Users", "user", ""),
                };
                let gone = match Self::id(run, kind, name) {
                    Ok(id) => matches!(
                        self.client.get(endpoint, &id).await,
                        Err(ClientError::Http { status: 404, .. })
                    ),
                    Err(_) => false,
                };
                CheckResult {
                    what: format!("{name} deleted"),
                    expected: "404".into(),
                    actual: if gone { "404" } else { "still readable" }.into(),
                    pass: gone,
                }
            }
        }
    }
}

/// `path` in a resource (`title`, `name.givenName`, `urn:…:User:department`).
fn field(resource: &Value, path: &str) -> Value {
    let (base, rest) = match path.rsplit_once(':') {
        Some((urn, attr)) if path.starts_with("urn:") => {
            (resource.get(urn).cloned().unwrap_or(Value::Null), attr)
        }
        _ => (resource.clone(), path),
    };
    let mut v = base;
    for part in rest.split('.') {
        v = v
            .as_object()
            .and_then(|o| scim_core::names::get_ci(o, part))
            .cloned()
            .unwrap_or(Value::Null);
    }
    v
}

/// Values compare as SCIM servers store them: `"False"` (Entra) equals `false`.
fn same(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(s), Value::Bool(b)) => s.eq_ignore_ascii_case(&b.to_string()),
        _ => actual == expected,
    }
}

trait MemberIds {
    fn members_ids(&self) -> Vec<String>;
}

impl MemberIds for Resource {
    fn members_ids(&self) -> Vec<String> {
        match self.members() {
            scim_core::resource::Members::Listed(list) => {
                list.into_iter().map(|m| m.value).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Plays the next step: sends its requests, reads the resource, checks what must hold.
pub async fn step(client: &ScimClient, run: &mut RunState) -> Result<(), AppError> {
    if run.finished {
        return Err(AppError::invalid_input("This run is finished."));
    }
    let scenario = find(&run.scenario.name)?;
    let index = run.steps.len();
    let Some(step) = scenario.steps.get(index) else {
        run.finished = true;
        return Ok(());
    };
    let log = RequestLog::default();
    let player = Player {
        client: &client.clone().with_log(log.clone()),
        quiet: client,
        log,
    };
    let acted = player.act(run, &step.action).await;
    let exchanges: Vec<ProbeExchange> = player
        .log
        .entries()
        .into_iter()
        .map(|e| ProbeExchange {
            method: e.method,
            url: e.url,
            request_body: e.request_body,
            status: e.status,
            response_body: e.response_body,
        })
        .collect();
    let read_after = |endpoint: String, id: String| {
        let player = &player;
        async move {
            player
                .get(&endpoint, &id)
                .await
                .map(|r| serde_json::to_string_pretty(&r).unwrap_or_default())
        }
    };
    let mut checks = Vec::new();
    let mut finding = None;
    let (resource, error) = match acted {
        Ok(Some((endpoint, id))) => (read_after(endpoint, id).await, None),
        Ok(None) => (None, None),
        Err(f) => match (&step.refusal, f.status) {
            (Some(refusal), Some(400)) => {
                checks.push(CheckResult {
                    what: "the server's answer".into(),
                    expected: "done, or refused with 400 and nothing changed".into(),
                    actual: f.message.clone(),
                    pass: true,
                });
                for e in &refusal.unchanged {
                    checks.push(player.verify(run, e).await);
                }
                finding = Some(refusal.finding.to_owned());
                let resource = match &step.action {
                    Action::RemoveMember { group, .. } | Action::AddMember { group, .. } => {
                        match Player::id(run, "group", group) {
                            Ok(id) => read_after("Groups".into(), id).await,
                            Err(_) => None,
                        }
                    }
                    _ => None,
                };
                (resource, None)
            }
            _ => (None, Some(f.message)),
        },
    };
    if error.is_none() && finding.is_none() {
        for e in &step.expect {
            checks.push(player.verify(run, e).await);
        }
    }
    let passed = error.is_none() && checks.iter().all(|c| c.pass);
    run.steps.push(StepResult {
        index: index as u32,
        title: step.title.into(),
        exchanges,
        resource,
        checks,
        error,
        finding,
        passed,
    });
    if run.steps.len() == scenario.steps.len() {
        run.finished = true;
    }
    Ok(())
}

/// Plays every remaining step (a failed step does not stop the run: later steps show its effects).
pub async fn run_all(client: &ScimClient, run: &mut RunState) -> Result<(), AppError> {
    while !run.finished {
        step(client, run).await?;
    }
    Ok(())
}

/// Deletes every resource the run created and still exists; records what could not be deleted.
pub async fn cleanup(client: &ScimClient, run: &mut RunState) {
    let mut leftovers = Vec::new();
    let mut keys: Vec<(&String, &String)> = run.ids.iter().collect();
    // Groups first: a user in a group is then never a dangling member.
    keys.sort_by_key(|(k, _)| !k.starts_with("group:"));
    for (key, id) in keys {
        let endpoint = if key.starts_with("group:") {
            "Groups"
        } else {
            "Users"
        };
        match client.delete(endpoint, id, None).await {
            Ok(()) | Err(ClientError::Http { status: 404, .. }) => {}
            Err(e) => leftovers.push(format!("{endpoint}/{id} ({key}): {e}")),
        }
    }
    run.leftovers = leftovers;
    run.cleaned_up = true;
}
