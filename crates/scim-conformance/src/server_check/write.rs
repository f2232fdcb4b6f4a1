//! The write probes: create, PATCH (each op), PUT, groups and membership, DELETE, on test
//! resources named `scimx-check-…` that are deleted whatever happens.

use std::future::Future;
use std::pin::Pin;

use super::*;

/// What every write probe starts from: the test user created first, and the tag naming all of
/// this run's test resources.
pub(super) struct WriteContext {
    tag: String,
    /// The body the test user was created with.
    user: Value,
    /// The server's id of the test user.
    a_id: String,
    /// The second test user, created inactive without an externalId (when the server took it).
    inactive: Option<String>,
}

/// A write probe: records its items; every resource it creates goes into `Created` (deleted
/// whatever happens).
type WriteProbe = for<'a, 'c> fn(
    &'a mut Checker<'c>,
    &'a mut WriteContext,
    &'a mut Created,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The write probes in report order, after the test user is created. A new probe is a method
/// below and one line here.
const WRITE_PROBES: &[(&str, WriteProbe)] = &[
    ("external_id", |c, x, made| Box::pin(c.external_id(x, made))),
    ("uniqueness", |c, x, made| Box::pin(c.uniqueness(x, made))),
    ("patch_ops", |c, x, made| Box::pin(c.patch_ops(x, made))),
    ("stale_version", |c, x, made| {
        Box::pin(c.stale_version(x, made))
    }),
    ("put", |c, x, made| Box::pin(c.put(x, made))),
    ("groups", |c, x, made| Box::pin(c.groups(x, made))),
    ("delete", |c, x, made| Box::pin(c.delete(x, made))),
];

/// What the write probes check, for a report that must say which were left unrun.
const WRITE_CHECKS: &[&str] = &[
    "attributes kept",
    "externalId optional",
    "uniqueness",
    "each PATCH operation",
    "stale version",
    "groups and membership",
    "DELETE",
];

/// A write probe's resources, deleted whatever happens.
#[derive(Default)]
pub(super) struct Created {
    pub(super) users: Vec<String>,
    pub(super) groups: Vec<String>,
}

impl Checker<'_> {
    pub(super) async fn create(
        &self,
        endpoint: &str,
        body: &Value,
    ) -> Result<(Value, Option<String>), ClientError> {
        let r = self.client.create(endpoint, body).await?;
        self.created_status
            .store(r.status, std::sync::atomic::Ordering::Relaxed);
        let location = self.log.entries().last().and_then(|e| {
            e.response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                .map(|(_, v)| v.clone())
        });
        Ok((r.body.unwrap_or(Value::Null), location))
    }

    pub(super) async fn patch(
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

    pub(super) async fn fetch(&self, endpoint: &str, id: &str) -> Option<Value> {
        self.client
            .get(endpoint, id)
            .await
            .ok()
            .and_then(|r| r.body)
    }

    /// The write probes: creates the test user, then runs [`WRITE_PROBES`] in order.
    pub(super) async fn write_items(&mut self, created: &mut Created) {
        let tag = format!(
            "{TEST_PREFIX}{}",
            scim_audit::snapshot::now_rfc3339()
                .replace([':', '-'], "")
                .to_lowercase()
        );
        let mut user = super::test_user::test_user(&tag, &self.discovery.schemas);
        // One retry without what the server refused (an address its validator dislikes, say): the
        // refusal is a finding of its own, and the checks after it still run.
        let (a, location) = match self.create("Users", &user).await {
            Ok(x) => x,
            Err(first) if first.status() == Some(400) => {
                let refusal = first.to_string();
                let left_out =
                    super::test_user::refused_attributes(&user, &refusal, &self.discovery.schemas);
                let mut lighter = user.clone();
                if let Some(o) = lighter.as_object_mut() {
                    o.retain(|k, _| !left_out.contains(k));
                }
                match self.create("Users", &lighter).await {
                    Ok(x) => {
                        self.record(
                            "writes.refused",
                            "writes",
                            "The test user as first sent",
                            Outcome::Note,
                            format!(
                                "refused ({refusal}); created without {}: the checks below use that user",
                                left_out.join(", ")
                            ),
                        );
                        user = lighter;
                        x
                    }
                    Err(second) => {
                        self.record(
                            "writes.create",
                            "writes",
                            "Create a user (POST)",
                            Outcome::Failed,
                            format!(
                                "the test user could not be created: {refusal}; without {} too: {second}. Not checked: {}",
                                left_out.join(", "),
                                WRITE_CHECKS.join(", ")
                            ),
                        );
                        return;
                    }
                }
            }
            Err(e) => {
                self.record(
                    "writes.create",
                    "writes",
                    "Create a user (POST)",
                    Outcome::Failed,
                    format!(
                        "the test user could not be created: {e}. Not checked: {}",
                        WRITE_CHECKS.join(", ")
                    ),
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
        let status = self
            .created_status
            .load(std::sync::atomic::Ordering::Relaxed);
        match location {
            _ if status != 201 => self.record(
                "writes.create",
                "writes",
                "Create a user (POST): 201 with Location",
                Outcome::Deviation,
                format!("answered {status} where 201 Created is due (RFC 7644 §3.3); IdPs that look for 201 count the user as not created"),
            ),
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
        let sent = count(&user);
        if sent == 0 {
            self.record(
                "writes.kept",
                "writes",
                "Attributes sent are kept",
                Outcome::Note,
                "not checked: the server refused the test user's emails",
            );
        } else if count(&stored) == sent {
            self.record(
                "writes.kept",
                "writes",
                "Attributes sent are kept",
                Outcome::Pass,
                format!("all {sent} emails stored"),
            );
        } else {
            self.record(
                "writes.kept",
                "writes",
                "Attributes sent are kept",
                Outcome::Deviation,
                format!(
                    "{sent} emails sent, {} kept: the server dropped values it accepted",
                    count(&stored)
                ),
            );
            self.rests_on("a GET right after the create showing what the server stored (no cache or replica behind)");
        }
        let mut context = WriteContext {
            tag,
            user,
            a_id,
            inactive: None,
        };
        for (_, probe) in WRITE_PROBES {
            probe(self, &mut context, created).await;
        }
    }

    /// externalId is optional (RFC 7643 §3.1): a user without it, created inactive.
    async fn external_id(&mut self, x: &mut WriteContext, created: &mut Created) {
        let (tag, user) = (&x.tag, &x.user);
        // externalId is optional (RFC 7643 §3.1).
        let mut bare = user.clone();
        if let Some(o) = bare.as_object_mut() {
            o.remove("externalId");
            o.insert("userName".into(), json!(format!("{tag}-2@example.com")));
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
        x.inactive = inactive;
    }

    /// A second user with the same userName is refused with 409 `uniqueness`.
    async fn uniqueness(&mut self, x: &mut WriteContext, created: &mut Created) {
        let user = &x.user;
        // Uniqueness.
        match self.create("Users", user).await {
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
        // The same userName in other case is the same userName (caseExact false, RFC 7643 §4.1.1);
        // only userName collides: the externalId and the emails are new.
        let mut variant = user.clone();
        let user_name = user["userName"].as_str().unwrap_or_default().to_uppercase();
        if let Some(o) = variant.as_object_mut() {
            o.insert("userName".into(), json!(user_name));
            o.insert("externalId".into(), json!(format!("{}-case", x.tag)));
            o.remove("emails");
        }
        let title = "A userName differing only in case: 409";
        match self.create("Users", &variant).await {
            Err(ClientError::Http { status: 409, .. }) => self.record(
                "writes.uniquenessCase",
                "writes",
                title,
                Outcome::Pass,
                format!("`{user_name}` refused as taken"),
            ),
            Err(e) => self.record(
                "writes.uniquenessCase",
                "writes",
                title,
                Outcome::Deviation,
                format!("refused with something else than 409: {e}"),
            ),
            Ok((dup, _)) => {
                if let Some(d) = Resource::new(dup).id_string() {
                    created.users.push(d);
                }
                self.record(
                    "writes.uniquenessCase",
                    "writes",
                    title,
                    Outcome::Deviation,
                    format!("`{user_name}` was created beside `{}`: userName is not case-exact, so these are one name — an IdP matching users by userName can pair either", user["userName"].as_str().unwrap_or_default()),
                );
            }
        }
        if self.user_name_declared_case_exact() {
            self.rests_on("RFC 7643 §4.1 fixes userName as caseExact false; this server's /Schemas declares it caseExact, and the check holds it to the RFC");
        }
    }

    /// PATCH: each operation on the test user, and what the server kept.
    async fn patch_ops(&mut self, x: &mut WriteContext, _: &mut Created) {
        let a_id = &x.a_id;
        // PATCH.
        if !self.discovery.config.patch {
            match self
                .patch(
                    "Users",
                    a_id,
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
                    a_id,
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
                        .fetch("Users", a_id)
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
                    a_id,
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
                        .fetch("Users", a_id)
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
    }

    /// PUT replaces the resource (RFC 7644 §3.5.1): what it sends is stored; what it leaves out
    /// MAY be kept, which the report says (a client that clears by omission, as Okta's PUT does,
    /// then leaves the old value behind) without calling it a deviation.
    async fn put(&mut self, x: &mut WriteContext, _: &mut Created) {
        let title = "PUT replaces the user";
        let Some(stored) = self.fetch("Users", &x.a_id).await else {
            self.record(
                "writes.put",
                "writes",
                title,
                Outcome::Failed,
                "the test user could not be read",
            );
            return;
        };
        let mut body = stored.clone();
        if let Some(o) = body.as_object_mut() {
            o.retain(|k, _| {
                !k.eq_ignore_ascii_case("meta") && !k.eq_ignore_ascii_case("displayName")
            });
            o.insert("title".into(), json!("scimx check (PUT)"));
        }
        if let Err(e) = self.client.replace("Users", &x.a_id, &body, None).await {
            self.record(
                "writes.put",
                "writes",
                title,
                Outcome::Deviation,
                format!("refused: {e}"),
            );
            return;
        }
        let after = self.fetch("Users", &x.a_id).await.unwrap_or(Value::Null);
        let field = |v: &Value, k: &str| v.as_object().and_then(|o| get_ci(o, k)).cloned();
        let (outcome, detail) = if field(&after, "title") != Some(json!("scimx check (PUT)")) {
            (
                Outcome::Deviation,
                "the title sent with PUT was not stored".to_owned(),
            )
        } else if field(&stored, "displayName").is_some() && field(&after, "displayName").is_some()
        {
            (
                Outcome::Note,
                "the attribute sent is stored; `displayName`, left out, was kept (RFC 7644 §3.5.1 allows this): a client that clears an attribute by leaving it out of a PUT leaves the old value".to_owned(),
            )
        } else {
            (
                Outcome::Pass,
                "the attribute sent is stored and the one left out is cleared".to_owned(),
            )
        };
        self.record("writes.put", "writes", title, outcome, detail);
    }

    /// A write with a stale If-Match is refused with 412, when the server has ETags.
    async fn stale_version(&mut self, x: &mut WriteContext, _: &mut Created) {
        let a_id = &x.a_id;
        // Stale version.
        if self.discovery.config.etag {
            let stale = "W/\"scimx-check-stale\"";
            let body = self.fetch("Users", a_id).await.unwrap_or(Value::Null);
            match self.client.replace("Users", a_id, &body, Some(stale)).await {
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
    }

    /// Groups: membership forms, and whether members are kept.
    async fn groups(&mut self, x: &mut WriteContext, created: &mut Created) {
        let (tag, a_id) = (&x.tag, &x.a_id);
        let inactive = &x.inactive;
        // Groups: membership forms, and whether members are kept.
        if self.has_groups() {
            let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{tag} group"), "members": [{"value": a_id}]});
            match self.create("Groups", &group).await {
                Ok((g, _)) => match Resource::new(g).id_string() {
                    Some(gid) => {
                        created.groups.push(gid.clone());
                        let patch = self.discovery.config.patch;
                        // Without PATCH, membership changes go as a PUT of the group (Secoda's way).
                        let put_members = |ids: Vec<&String>| {
                            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{tag} group"),
                                   "members": ids.iter().map(|i| json!({"value": i})).collect::<Vec<_>>()})
                        };
                        if self.member_ids(&gid).await.contains(a_id) {
                            self.record(
                                "groups.create",
                                "writes",
                                "Create a group with a member",
                                Outcome::Pass,
                                "created, with the member it was sent",
                            );
                        } else {
                            self.record(
                                "groups.create",
                                "writes",
                                "Create a group with a member",
                                Outcome::Deviation,
                                "created, but without the member it was sent: members in a POST are dropped, so an IdP that pushes a group with its members (Okta, Entra ID) leaves it empty until its next membership change",
                            );
                            // Put the member in another way, so the membership checks still run.
                            self.set_members(&gid, patch, &put_members(vec![a_id]), a_id)
                                .await;
                            self.forget();
                        }
                        if patch {
                            self.group_put(&gid, &put_members(vec![a_id]), a_id).await;
                        }
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
                            let now = self.member_ids(&gid).await;
                            let title = format!("Add a member ({form})");
                            match add {
                                Ok(_) if now.contains(b) => self.record(
                                    "groups.add",
                                    "writes",
                                    &title,
                                    Outcome::Pass,
                                    "kept",
                                ),
                                Ok(_) => {
                                    self.record("groups.add", "writes", &title, Outcome::Deviation, "accepted, but the member (a user not yet active) is not in the group");
                                    self.rests_on("the member added is a user created inactive without an externalId, as an invited user looks: a server that counts only signed-in users as members leaves it out by design, and then the IdP's membership differs from the application's until they sign in");
                                }
                                Err(e) => self.record(
                                    "groups.add",
                                    "writes",
                                    &title,
                                    Outcome::Deviation,
                                    format!("refused: {e}"),
                                ),
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
                        let still = self.member_ids(&gid).await.contains(a_id);
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
                            let gone = !self.member_ids(&gid).await.contains(a_id);
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
    }

    /// The ids of a group's members, asked for by name (`attributes=members`): a server may leave
    /// members out of a plain GET (`returned: request`), and a list not sent is not an empty one.
    async fn member_ids(&self, gid: &str) -> Vec<String> {
        let body = match self
            .client
            .get_projected("Groups", gid, &["members"], &[])
            .await
        {
            Ok(r) => r.body,
            Err(_) => self.fetch("Groups", gid).await,
        };
        match body.map(|g| Resource::new(g).members()) {
            Some(scim_core::resource::Members::Listed(members)) => {
                members.into_iter().map(|m| m.value).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Makes `member` a member of the group, by PATCH add or by a PUT of `with_member`.
    async fn set_members(&self, gid: &str, patch: bool, with_member: &Value, member: &str) {
        let _ = if patch {
            self.patch(
                "Groups",
                gid,
                vec![PatchOperation::new(
                    OpKind::Add,
                    Some("members"),
                    Some(json!([{ "value": member }])),
                )],
            )
            .await
        } else {
            self.client
                .replace("Groups", gid, with_member, None)
                .await
                .map(|r| r.status)
        };
    }

    /// A PUT of the group with its member and a new displayName must keep both (RFC 7644 §3.5.1:
    /// PUT replaces with what it is sent): a server that drops members on PUT empties the group of
    /// every IdP that pushes groups whole (Okta's group push does).
    async fn group_put(&mut self, gid: &str, body: &Value, member: &str) {
        let title = "PUT a group with its members";
        let mut body = body.clone();
        let renamed = format!(
            "{} (renamed)",
            body["displayName"].as_str().unwrap_or_default()
        );
        body["displayName"] = Value::String(renamed.clone());
        let answer = self.client.replace("Groups", gid, &body, None).await;
        let kept = self.member_ids(gid).await.contains(&member.to_owned());
        let stored = self.fetch("Groups", gid).await;
        let name_kept = stored
            .as_ref()
            .and_then(|g| Resource::new(g.clone()).display_name().map(str::to_owned))
            .is_some_and(|n| n == renamed);
        let (outcome, detail) = match answer {
            Err(e) => (Outcome::Deviation, format!("refused: {e}")),
            Ok(_) if kept && name_kept => (
                Outcome::Pass,
                "the new displayName and the member were both kept".to_owned(),
            ),
            Ok(_) if !kept => (
                Outcome::Deviation,
                "accepted, but the group lost the member it was sent: members in a PUT are dropped, so an IdP that pushes groups whole empties them".to_owned(),
            ),
            Ok(_) => (
                Outcome::Deviation,
                "accepted, but the new displayName was not stored".to_owned(),
            ),
        };
        self.record("groups.put", "writes", title, outcome, detail);
        if !kept {
            self.set_members(gid, true, &body, member).await;
            self.forget();
        }
    }

    /// DELETE, then a 404 for the deleted user.
    async fn delete(&mut self, _: &mut WriteContext, created: &mut Created) {
        // Delete, then 404.
        if let Some(id) = created.users.first().cloned() {
            match self.client.delete("Users", &id, None).await {
                Ok(()) => {
                    created.users.retain(|u| u != &id);
                    let after = self.client.get("Users", &id).await;
                    let (outcome, detail) = match after {
                        Err(ClientError::Http { status: 404, .. }) => {
                            (Outcome::Pass, "deleted".to_owned())
                        }
                        // Answered as deleted, yet still there: say what the server did instead.
                        Ok(r) => {
                            let inactive = r
                                .body
                                .as_ref()
                                .and_then(|b| Resource::new(b.clone()).active())
                                == Some(false);
                            (
                                Outcome::Deviation,
                                if inactive {
                                    format!("a soft delete: DELETE succeeded, yet GET still answers 200 with the user deactivated (RFC 7644 §3.6: a deleted resource answers 404); an IdP that deletes a user leaves an account behind (this check's test user stays too, deactivated: {id})")
                                } else {
                                    "DELETE succeeded, yet GET still answers 200 with the user unchanged".to_owned()
                                },
                            )
                        }
                        Err(e) => (
                            Outcome::Deviation,
                            format!("after DELETE, GET answers {e} instead of 404"),
                        ),
                    };
                    self.record(
                        "writes.delete",
                        "writes",
                        "DELETE, then 404",
                        outcome,
                        detail,
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
