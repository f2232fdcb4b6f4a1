//! Safe writes against the demo server: every builder path lands as the dry run predicted, undo puts
//! the resource back exactly, a stale ETag is a 412, and a read-only connection sends nothing.

use scim_client::{Auth, ClientConfig, Discovery, ScimClient};
use scim_core::diff::field_changes;
use scim_core::ResourceKind;
use scim_demo_server::{DemoConfig, DemoServer, Profile, SeedOptions};
use scim_services::change_log::ChangeLog;
use scim_services::writes::{CreateOutcome, DialectName, PatchDraft, Writer};
use serde_json::{json, Value};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

struct Setup {
    _server: DemoServer,
    client: ScimClient,
    discovery: Discovery,
    log: ChangeLog,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn new(profile: Profile) -> Self {
        Self::with(DemoConfig {
            profile,
            ..DemoConfig::default()
        })
        .await
    }

    async fn with(config: DemoConfig) -> Self {
        let server = DemoServer::start(DemoConfig {
            seed: SeedOptions {
                users: 40,
                ..SeedOptions::default()
            },
            ..config
        })
        .await
        .expect("demo server");
        // With a request log, as the app's client has: a refused write points at its request.
        let client = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None))
            .unwrap()
            .with_log(scim_client::RequestLog::default());
        let discovery = client.discover().await.expect("discovery");
        let dir = tempfile::tempdir().unwrap();
        let log = ChangeLog::new(dir.path(), "demo");
        Self {
            _server: server,
            client,
            discovery,
            log,
            _dir: dir,
        }
    }

    fn writer(&self, read_only: bool) -> Writer<'_> {
        Writer {
            client: &self.client,
            discovery: &self.discovery,
            connection: "Demo",
            read_only,
            log: &self.log,
        }
    }

    async fn get(&self, kind: &str, id: &str) -> Value {
        self.client.get(kind, id).await.unwrap().body.unwrap()
    }

    /// A user who is not a member of `group`.
    async fn outsider(&self, group: &Value) -> String {
        let held: Vec<&str> = group["members"]
            .as_array()
            .map(|m| m.iter().filter_map(|x| x["value"].as_str()).collect())
            .unwrap_or_default();
        let page = self
            .client
            .list(
                "Users",
                &scim_client::ListParams {
                    count: Some(40),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        page.value
            .resources
            .iter()
            .filter_map(|r| r.id_string())
            .find(|i| !held.contains(&i.as_str()))
            .expect("a user outside the group")
    }

    async fn first(&self, kind: &str, filter: Option<&str>) -> Value {
        let params = scim_client::ListParams {
            filter: filter.map(str::to_owned),
            count: Some(1),
            ..Default::default()
        };
        let page = self.client.list(kind, &params).await.unwrap();
        let id = page.value.resources[0].id_string().unwrap();
        self.get(kind, &id).await
    }
}

fn draft(kind: &str, id: &str, ops: Value) -> PatchDraft {
    PatchDraft {
        kind: ResourceKind::from_endpoint(kind),
        id: id.into(),
        body:
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
                .to_string(),
        dialect: DialectName::Rfc,
        as_put: false,
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Applies `ops` through preview + apply and checks the server's resource is the predicted one.
async fn lands_as_predicted(s: &Setup, kind: &str, id: &str, ops: Value) -> Value {
    let w = s.writer(false);
    let d = draft(kind, id, ops.clone());
    let preview = w.preview_patch(&d).await.unwrap();
    assert!(preview.problem.is_none(), "{ops}: {:?}", preview.problem);
    assert!(
        !preview.changes.is_empty(),
        "{ops}: the dry run predicts a change"
    );
    let outcome = w.apply_patch(&d, preview.etag.clone()).await.unwrap();
    assert!(
        outcome.mismatches.is_empty(),
        "{ops}: server differs from prediction: {:?}",
        outcome.mismatches
    );
    let predicted: Value = serde_json::from_str(preview.predicted.as_deref().unwrap()).unwrap();
    let now = s.get(kind, id).await;
    assert_eq!(
        field_changes(&predicted, &now, &["meta"]),
        vec![],
        "{ops}: GET after the write equals the dry run"
    );
    assert_eq!(outcome.actual.len(), preview.changes.len(), "{ops}");
    now
}

#[tokio::test]
async fn every_builder_path_lands_as_the_dry_run_predicted_and_undo_restores_it() {
    let s = Setup::new(Profile::Rfc).await;
    let user = s.first("Users", None).await;
    let uid = id_of(&user);
    let group = s.first("Groups", None).await;
    let gid = id_of(&group);
    let other_user = s.outsider(&group).await;
    let user_cases = [
        json!([{"op": "replace", "path": "active", "value": !user["active"].as_bool().unwrap()}]),
        json!([{"op": "replace", "path": "name.givenName", "value": "Zoë"}]),
        json!([{"op": "add", "path": "emails", "value": [{"value": "second@example.org", "type": "home"}]}]),
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "renamed@example.com"}]),
        json!([{"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Audit"}]),
        json!([{"op": "remove", "path": "title"}]),
        json!([{"op": "replace", "value": {"displayName": "Zoë Q", "nickName": "zq"}}]),
    ];
    for ops in user_cases {
        lands_as_predicted(&s, "Users", &uid, ops).await;
    }
    let group_cases = [
        json!([{"op": "add", "path": "members", "value": [{"value": other_user}]}]),
        json!([{"op": "remove", "path": format!("members[value eq \"{other_user}\"]")}]),
        json!([{"op": "replace", "path": "displayName", "value": "Project: Renamed (Full access)"}]),
    ];
    for ops in group_cases {
        lands_as_predicted(&s, "Groups", &gid, ops).await;
    }

    // Undo everything, newest first: both resources come back exactly.
    let w = s.writer(false);
    let mut narrated = Vec::new();
    while w.preview_undo(None).await.is_ok() {
        let preview = w.preview_undo(None).await.unwrap();
        assert!(preview.warnings.is_empty(), "{:?}", preview.warnings);
        // Each undo says what it does in words; a member is named, never shown as its id.
        assert!(!preview.narration.is_empty(), "{preview:?}");
        if preview
            .requests
            .iter()
            .any(|r| r.body.contains(&other_user))
        {
            let words = preview.narration.join(" ");
            assert!(!words.contains(&other_user[..8]), "an id in {words:?}");
            narrated.push(words);
        }
        w.undo(None).await.unwrap();
    }
    assert_eq!(
        narrated.len(),
        2,
        "the member's removal and addition undone: {narrated:?}"
    );
    assert!(
        narrated[0].starts_with("Add ") && narrated[1].starts_with("Remove "),
        "{narrated:?}"
    );
    assert_eq!(
        field_changes(&user, &s.get("Users", &uid).await, &["meta"]),
        vec![]
    );
    assert_eq!(
        field_changes(&group, &s.get("Groups", &gid).await, &["meta"]),
        vec![]
    );
    let rows = s.log.rows().unwrap();
    assert_eq!(rows.len(), 20, "10 changes and 10 undos, all recorded");
    assert!(rows.iter().all(|r| !r.undoable));
}

#[tokio::test]
async fn a_stale_etag_is_a_412_and_is_recorded_as_a_failed_attempt() {
    let s = Setup::new(Profile::Rfc).await;
    let user = s.first("Users", None).await;
    let uid = id_of(&user);
    let w = s.writer(false);
    let d = draft(
        "Users",
        &uid,
        json!([{"op": "replace", "path": "title", "value": "Chief"}]),
    );
    let seen = w.preview_patch(&d).await.unwrap().etag;
    assert!(seen.is_some(), "the rfc profile has ETags");
    // Someone else changes the user in between.
    lands_as_predicted(
        &s,
        "Users",
        &uid,
        json!([{"op": "replace", "path": "nickName", "value": "x"}]),
    )
    .await;
    let err = w.apply_patch(&d, seen).await.unwrap_err();
    assert_eq!(
        err.scim.as_ref().and_then(|x| x.http_status),
        Some(412),
        "{err:?}"
    );
    assert!(
        err.message.contains("changed on the server"),
        "{}",
        err.message
    );
    let request = err
        .request
        .as_ref()
        .expect("the refused request, for Show request");
    assert_eq!(request.method, "PATCH");
    assert!(
        request.url.ends_with(&format!("/Users/{uid}")),
        "{}",
        request.url
    );
    assert_eq!(
        s.get("Users", &uid).await["title"],
        user["title"],
        "nothing changed"
    );
    let rows = s.log.rows().unwrap();
    assert_eq!(rows[0].status, 412);
    assert!(rows[0].error.is_some() && !rows[0].undoable);
}

#[tokio::test]
async fn a_read_only_connection_sends_nothing() {
    let s = Setup::new(Profile::Rfc).await;
    let user = s.first("Users", None).await;
    let uid = id_of(&user);
    let w = s.writer(true);
    let d = draft(
        "Users",
        &uid,
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    let preview = w.preview_patch(&d).await.unwrap();
    assert!(preview.read_only, "the preview says so, before any attempt");
    let err = w.apply_patch(&d, preview.etag).await.unwrap_err();
    assert!(err.message.contains("read-only"), "{}", err.message);
    assert!(w
        .create(&ResourceKind::Users, r#"{"userName": "new@example.com"}"#)
        .await
        .is_err());
    assert!(w
        .delete(
            &ResourceKind::Users,
            &uid,
            user["userName"].as_str().unwrap(),
            None
        )
        .await
        .is_err());
    assert_eq!(
        s.get("Users", &uid).await,
        user,
        "the resource is untouched"
    );
    assert!(
        s.log.rows().unwrap().is_empty(),
        "nothing was sent, nothing logged"
    );
}

#[tokio::test]
async fn create_conflict_points_at_the_existing_user_and_delete_needs_the_typed_name() {
    let s = Setup::new(Profile::Rfc).await;
    let w = s.writer(false);
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "new.person@example.com", "password": "s3cret!", "active": true})
    .to_string();
    let missing = w
        .preview_create(&ResourceKind::Users, r#"{"active": true}"#)
        .unwrap();
    assert!(missing.problem.unwrap().message.contains("userName"));
    let CreateOutcome::Created { outcome } = w.create(&ResourceKind::Users, &body).await.unwrap()
    else {
        panic!("created")
    };
    let id = outcome.resource_id.clone();
    assert!(!id.is_empty());
    match w.create(&ResourceKind::Users, &body).await.unwrap() {
        CreateOutcome::Conflict { existing_id, .. } => {
            assert_eq!(existing_id.as_deref(), Some(id.as_str()))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let log_text = std::fs::read_to_string(s.log.path()).unwrap();
    assert!(
        !log_text.contains("s3cret!"),
        "the password never reaches the change log"
    );
    assert!(
        w.delete(&ResourceKind::Users, &id, "new.person", None)
            .await
            .is_err(),
        "wrong name typed"
    );
    w.delete(&ResourceKind::Users, &id, "new.person@example.com", None)
        .await
        .unwrap();
    assert_eq!(
        s.client.get("Users", &id).await.unwrap_err().status(),
        Some(404)
    );
    // Undo of the delete creates it again (with a new id).
    let again = w.undo(None).await.unwrap();
    assert_ne!(again.resource_id, id);
    assert_eq!(
        s.get("Users", &again.resource_id).await["userName"],
        "new.person@example.com"
    );
}

#[tokio::test]
async fn every_profile_takes_a_deactivation_from_the_builder() {
    for profile in [
        Profile::Rfc,
        Profile::Netdata,
        Profile::ProfilesProjects,
        Profile::Secoda,
    ] {
        let s = Setup::new(profile).await;
        let user = s.first("Users", Some("active eq true")).await;
        let uid = id_of(&user);
        let w = s.writer(false);
        let mut d = draft(
            "Users",
            &uid,
            json!([{"op": "replace", "path": "active", "value": false}]),
        );
        let preview = w.preview_patch(&d).await.unwrap();
        if !preview.patch_supported {
            assert!(
                preview.warnings.iter().any(|w| w.contains("PUT")),
                "{profile:?}: offers PUT instead: {:?}",
                preview.warnings
            );
            d.as_put = true;
        }
        let outcome = w.apply_patch(&d, preview.etag).await.unwrap();
        assert_eq!(s.get("Users", &uid).await["active"], false, "{profile:?}");
        assert!(
            outcome.mismatches.is_empty(),
            "{profile:?}: {:?}",
            outcome.mismatches
        );
        w.undo(None).await.unwrap();
        assert_eq!(
            s.get("Users", &uid).await["active"],
            true,
            "{profile:?}: undone"
        );
    }
}

#[tokio::test]
async fn identity_provider_dialects_reach_the_same_result() {
    let s = Setup::new(Profile::Rfc).await;
    let group = s.first("Groups", None).await;
    let gid = id_of(&group);
    let user = s.first("Users", Some("active eq true")).await;
    let uid = id_of(&user);
    let w = s.writer(false);
    for dialect in [
        DialectName::Entra,
        DialectName::Entra2020,
        DialectName::Okta,
        DialectName::Authentik,
    ] {
        let mut d = draft(
            "Users",
            &uid,
            json!([{"op": "replace", "path": "active", "value": false}, {"op": "replace", "path": "title", "value": "Lead"}]),
        );
        d.dialect = dialect;
        let preview = w.preview_patch(&d).await.unwrap();
        assert!(
            preview.problem.is_none(),
            "{dialect:?}: {:?}",
            preview.problem
        );
        if dialect == DialectName::Entra {
            assert!(
                preview.requests[0].body.contains("\"False\""),
                "Entra sends booleans as strings"
            );
        }
        if dialect == DialectName::Okta {
            assert_eq!(
                preview
                    .requests
                    .iter()
                    .map(|r| r.method.as_str())
                    .collect::<Vec<_>>(),
                vec!["PATCH", "PUT"],
                "Okta: active by PATCH, profile by PUT"
            );
        }
        let outcome = w.apply_patch(&d, preview.etag).await.unwrap();
        assert!(
            outcome.mismatches.is_empty(),
            "{dialect:?}: {:?}",
            outcome.mismatches
        );
        let now = s.get("Users", &uid).await;
        assert_eq!(
            (now["active"].clone(), now["title"].clone()),
            (json!(false), json!("Lead"))
        );
        w.undo(None).await.unwrap();
    }
    let outsider = id_of(&s.first("Users", Some("active eq false")).await);
    let mut d = draft(
        "Groups",
        &gid,
        json!([{"op": "add", "path": "members", "value": [{"value": outsider}]}]),
    );
    d.dialect = DialectName::Authentik;
    let outcome = w.apply_patch(&d, None).await.unwrap();
    assert!(outcome.mismatches.is_empty(), "{:?}", outcome.mismatches);
    let members = s.get("Groups", &gid).await["members"].clone();
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"] == outsider.as_str()),
        "authentik's one-member-per-operation add landed"
    );
}

#[tokio::test]
async fn a_multi_selection_is_one_bulk_request_where_offered_and_each_resource_can_be_undone() {
    for (profile, bulk) in [(Profile::Rfc, true), (Profile::Netdata, false)] {
        let s = Setup::new(profile).await;
        let page = s
            .client
            .list(
                "Users",
                &scim_client::ListParams {
                    filter: Some("active eq true".into()),
                    count: Some(3),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ids: Vec<String> = page
            .value
            .resources
            .iter()
            .filter_map(|r| r.id_string())
            .collect();
        assert_eq!(ids.len(), 3);
        let mut with_missing = ids.clone();
        with_missing.push("no-such-user".into());
        let w = s.writer(false);
        let d = draft(
            "Users",
            "",
            json!([{"op": "replace", "path": "active", "value": false}]),
        );
        let preview = w.preview_patch_many(&d, &with_missing).await.unwrap();
        assert_eq!(preview.via_bulk, bulk, "{profile:?}");
        assert_eq!(
            preview.requests.len(),
            if bulk { 1 } else { 3 },
            "{profile:?}"
        );
        if bulk {
            assert!(preview.requests[0].body.contains("\"method\": \"PATCH\""));
        }
        let missing = preview
            .items
            .iter()
            .find(|i| i.id == "no-such-user")
            .unwrap();
        assert!(
            missing.error.as_deref().unwrap_or_default().contains("404"),
            "{missing:?}"
        );
        let outcome = w.apply_patch_many(&d, &with_missing).await.unwrap();
        assert_eq!(outcome.via_bulk, bulk);
        for id in &ids {
            assert_eq!(
                s.get("Users", id).await["active"],
                false,
                "{profile:?} {id}"
            );
            let item = outcome.items.iter().find(|i| &i.id == id).unwrap();
            assert!(
                item.error.is_none() && item.mismatches.is_empty(),
                "{item:?}"
            );
            assert_eq!(item.actual.len(), 1);
        }
        for _ in &ids {
            w.undo(None).await.unwrap();
        }
        for id in &ids {
            assert_eq!(
                s.get("Users", id).await["active"],
                true,
                "{profile:?}: undone"
            );
        }
    }
}

/// The demo directory's change log lives for one session: a new start never shows an old start's
/// changes (PIDs repeat, notably in sandboxes), and closing removes it.
#[tokio::test]
async fn each_demo_session_has_its_own_change_log_removed_when_it_closes() {
    let first = scim_services::Directory::open_demo(5).await.unwrap();
    let users = first
        .client()
        .list("Users", &Default::default())
        .await
        .unwrap();
    let id = users.value.resources[0].id_string().unwrap();
    first
        .writer()
        .apply_patch(
            &draft(
                "Users",
                &id,
                json!([{"op": "replace", "path": "title", "value": "X"}]),
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(first.change_log().rows().unwrap().len(), 1);
    let folder = first
        .change_log()
        .path()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let second = scim_services::Directory::open_demo(5).await.unwrap();
    assert!(
        second.change_log().rows().unwrap().is_empty(),
        "a new session starts empty"
    );
    drop(first);
    assert!(!folder.exists(), "closing removes the session's log");
    drop(second);
}

/// A snapshot opened offline is read-only and shows the capabilities of the server it was taken
/// from (here Netdata's: no ETag, no bulk), not those of the embedded server that serves it.
#[tokio::test]
async fn a_snapshot_opened_offline_is_read_only_with_its_servers_capabilities() {
    let s = Setup::new(Profile::Netdata).await;
    let mut snap = scim_services::take_snapshot::take(&s.client, "Netdata", None, None)
        .await
        .unwrap();
    let file = s._dir.path().join("n.scimsnap");
    snap.write(&file).unwrap();
    let offline = scim_services::Directory::open_snapshot(&file)
        .await
        .unwrap();
    let summary = offline.summary();
    assert!(summary.read_only && summary.snapshot.is_some());
    let labels: Vec<String> = summary.badges.iter().map(|b| b.label.clone()).collect();
    assert!(
        labels.contains(&"no ETag".to_owned()) && labels.contains(&"no bulk".to_owned()),
        "{labels:?}"
    );
    let users = offline
        .client()
        .list("Users", &Default::default())
        .await
        .unwrap();
    let id = users.value.resources[0].id_string().unwrap();
    let err = offline
        .writer()
        .apply_patch(
            &draft(
                "Users",
                &id,
                json!([{"op": "replace", "path": "active", "value": false}]),
            ),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("read-only"), "{}", err.message);
}

/// The mismatch check seen working: a server that drops, ignores and rewrites attributes (the demo's
/// lossy writes) is flagged field by field — and only there: what the server may fill in (a member's
/// `display` and `$ref`) and what it never returns (a password) are not deviations.
#[tokio::test]
async fn a_server_that_does_not_keep_what_it_is_sent_is_flagged_field_by_field() {
    let s = Setup::with(DemoConfig {
        lossy_writes: true,
        ..DemoConfig::default()
    })
    .await;
    let user = s.first("Users", Some("title pr")).await;
    let uid = id_of(&user);
    let w = s.writer(false);
    let d = draft(
        "Users",
        &uid,
        json!([
            {"op": "replace", "path": "nickName", "value": "zq"},
            {"op": "replace", "path": "title", "value": "Changed Title"},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "Mixed.Case@Example.COM"},
            {"op": "replace", "path": "displayName", "value": "Kept As Sent"},
            {"op": "replace", "path": "password", "value": "not-kept-in-the-answer-1"}
        ]),
    );
    let preview = w.preview_patch(&d).await.unwrap();
    assert!(preview.problem.is_none(), "{:?}", preview.problem);
    let outcome = w.apply_patch(&d, preview.etag).await.unwrap();
    let mut flagged: Vec<(String, Option<String>, Option<String>)> = outcome
        .mismatches
        .iter()
        .map(|m| (m.path.clone(), m.before.clone(), m.after.clone()))
        .collect();
    flagged.sort();
    // A multi-valued attribute's values are named by their value, as the diff names them.
    let email_path = r#"emails[value eq "Mixed.Case@Example.COM"]"#.to_owned();
    let mut expected = vec![
        (
            email_path,
            Some("\"Mixed.Case@Example.COM\"".to_owned()),
            Some("\"mixed.case@example.com\"".to_owned()),
        ),
        ("nickName".to_owned(), Some("\"zq\"".to_owned()), None),
        (
            "title".to_owned(),
            Some("\"Changed Title\"".to_owned()),
            Some(user["title"].to_string()),
        ),
    ];
    expected.sort();
    assert_eq!(
        flagged, expected,
        "dropped, ignored and rewritten fields, each with the predicted and the real value; the password (never returned) is not one"
    );
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w == "The server's result differs from the prediction in 3 fields."),
        "{:?}",
        outcome.warnings
    );
    let now = s.get("Users", &uid).await;
    assert_eq!(
        now["displayName"], "Kept As Sent",
        "what the server kept is not flagged"
    );

    // A member added as `{value}` comes back with the server's `display` and `$ref`: no deviation.
    let group = s.first("Groups", None).await;
    let gid = id_of(&group);
    let outsider = s.outsider(&group).await;
    let d = draft(
        "Groups",
        &gid,
        json!([{"op": "add", "path": "members", "value": [{"value": outsider}]}]),
    );
    let outcome = w.apply_patch(&d, None).await.unwrap();
    let added = s.get("Groups", &gid).await["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == outsider.as_str())
        .cloned()
        .expect("the member was added");
    assert!(
        added["display"].is_string() && added["$ref"].is_string(),
        "the lossy server fills both in: {added}"
    );
    assert_eq!(
        outcome.mismatches,
        vec![],
        "filled-in display and $ref are expected"
    );
    assert!(
        !outcome
            .warnings
            .iter()
            .any(|w| w.contains("differs from the prediction")),
        "{:?}",
        outcome.warnings
    );
}
