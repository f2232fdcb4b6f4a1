//! Our client against python-scim's scim2-server 0.8.3 (base path `/v2`, PATCH answers 204, HTTP/1.0).

use scim_core::ResourceKind;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scim_client::{Auth, CancelFlag, ClientConfig, ListParams, LoadOptions, ScimClient, Secret};
use scim_core::patch::{OpKind, PatchOp, PatchOperation};
use serde_json::json;

pub(crate) const TOKEN: &str = "peer-token";

/// A scim2-server process, killed on drop.
pub(crate) struct Peer {
    child: Child,
    base_url: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }
}

pub(crate) fn start_peer() -> Peer {
    let port = scim_explorer_tests::free_port();
    let child = Command::new(crate::pyenv_bin("scim2-server"))
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--bearer-token",
            TOKEN,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start scim2-server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "scim2-server did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Peer {
        child,
        base_url: format!("http://127.0.0.1:{port}/v2"),
    }
}

pub(crate) fn client(peer: &Peer) -> ScimClient {
    ScimClient::new(ClientConfig::new(
        &peer.base_url,
        Auth::Bearer(Secret::new(TOKEN)),
    ))
    .expect("client")
}

async fn seed(c: &ScimClient, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("peer.user{i:03}@example.com"),
            "name": {"givenName": "Peer", "familyName": format!("User{i}")},
            "active": i % 5 != 0,
            "emails": [{"value": format!("peer.user{i:03}@example.com"), "type": "work", "primary": true}]
        });
        let created = c.create("Users", &user).await.expect("create user");
        ids.push(
            created.body.expect("body")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_load_all_filters_and_writes_work_against_scim2_server() {
    let peer = start_peer();
    let c = client(&peer);

    let d = c.discover().await.expect("discovery");
    assert!(d.config_declared);
    assert!(d.config.patch, "scim2-server supports PATCH");
    assert!(d.resource_types.iter().any(|r| r.endpoint == "/Users"));

    let ids = seed(&c, 45).await;
    let all = c
        .load_all(
            "Users",
            &LoadOptions {
                page_size: 10,
                concurrency: 3,
                ..LoadOptions::default()
            },
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(all.error.is_none(), "{:?}", all.error);
    assert_eq!(all.resources.len(), 45);
    assert_eq!(all.total, Some(45));

    let inactive = c
        .list(
            "Users",
            &ListParams {
                filter: Some("active eq false".into()),
                ..Default::default()
            },
        )
        .await
        .expect("filter");
    assert_eq!(inactive.value.total_results, Some(9));
    let one = c
        .list(
            "Users",
            &ListParams {
                filter: Some(r#"userName eq "PEER.USER007@example.com""#.into()),
                ..Default::default()
            },
        )
        .await
        .expect("filter");
    assert_eq!(one.value.resources.len(), 1, "userName is case-insensitive");

    // scim2-server answers PATCH with 204: the client reads the resource again and says so.
    let patch = PatchOp::new(vec![PatchOperation::new(
        OpKind::Replace,
        Some("displayName"),
        Some(json!("Renamed")),
    )]);
    let (after, warnings) = c
        .patch("Users", &ids[0], &patch, None)
        .await
        .expect("patch");
    assert_eq!(after.body.expect("body")["displayName"], "Renamed");
    assert!(
        warnings.iter().any(|w| w.code == "patch.noContent"),
        "{warnings:?}"
    );

    let mut user = c
        .get("Users", &ids[1])
        .await
        .expect("get")
        .body
        .expect("body");
    user["title"] = json!("Tester");
    let replaced = c.replace("Users", &ids[1], &user, None).await.expect("put");
    assert_eq!(replaced.body.expect("body")["title"], "Tester");

    c.delete("Users", &ids[2], None).await.expect("delete");
    assert_eq!(
        c.get("Users", &ids[2]).await.expect_err("gone").status(),
        Some(404)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_etag_is_refused_by_scim2_server() {
    let peer = start_peer();
    let c = client(&peer);
    let ids = seed(&c, 1).await;
    let first = c.get("Users", &ids[0]).await.expect("get");
    let version = first.etag.clone().expect("scim2-server sends versions");
    let patch = PatchOp::new(vec![PatchOperation::new(
        OpKind::Replace,
        Some("title"),
        Some(json!("A")),
    )]);
    c.patch("Users", &ids[0], &patch, Some(&version))
        .await
        .expect("first patch with the current version");
    let err = c
        .patch("Users", &ids[0], &patch, Some(&version))
        .await
        .expect_err("stale version");
    assert_eq!(err.status(), Some(412), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn scimx_lists_every_scim2_server_user_as_csv() {
    let peer = start_peer();
    seed(&client(&peer), 23).await;
    let scimx = scim_explorer_tests::target_dir()
        .join("debug")
        .join("scimx");
    assert!(
        scimx.exists(),
        "{} is missing — `make peers` builds it",
        scimx.display()
    );
    let url = peer.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(scimx)
            .args(["users", "list", "--url", &url, "--format", "csv"])
            .env("SCIM_TOKEN", TOKEN)
            .output()
    })
    .await
    .expect("join")
    .expect("run scimx");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 24, "header + 23 users:\n{text}");
    assert!(rows[1..].iter().all(|r| r.contains("@example.com")));
}

/// The PATCH builder's paths against scim2-server: each lands as the dry run predicted (the 204 answer
/// is followed by a read), a stale version is refused, and undo puts everything back.
#[tokio::test(flavor = "multi_thread")]
async fn builder_writes_land_as_predicted_on_scim2_server_and_undo_restores_them() {
    use scim_core::diff::field_changes;
    use scim_services::change_log::ChangeLog;
    use scim_services::writes::{CreateOutcome, DialectName, PatchDraft, Writer};

    let peer = start_peer();
    let c = client(&peer);
    let ids = seed(&c, 3).await;
    let discovery = c.discover().await.expect("discovery");
    let dir = tempfile::tempdir().unwrap();
    let log = ChangeLog::new(dir.path(), "peer");
    let w = Writer {
        client: &c,
        discovery: &discovery,
        connection: "scim2-server",
        read_only: false,
        log: &log,
    };
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Project: Peer (Read-only)", "members": [{"value": ids[0]}]});
    let CreateOutcome::Created { outcome } = w
        .create(&ResourceKind::Groups, &group.to_string())
        .await
        .unwrap()
    else {
        panic!("group created")
    };
    let gid = outcome.resource_id;
    let original_user = c.get("Users", &ids[1]).await.unwrap().body.unwrap();
    let original_group = c.get("Groups", &gid).await.unwrap().body.unwrap();
    let cases = [
        (
            "Users",
            ids[1].clone(),
            json!([{"op": "replace", "path": "active", "value": false}]),
        ),
        (
            "Users",
            ids[1].clone(),
            json!([{"op": "replace", "path": "name.givenName", "value": "Zoë"}]),
        ),
        (
            "Users",
            ids[1].clone(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "moved@example.com"}]),
        ),
        (
            "Users",
            ids[1].clone(),
            json!([{"op": "add", "path": "nickName", "value": "zo"}]),
        ),
        (
            "Groups",
            gid.clone(),
            json!([{"op": "add", "path": "members", "value": [{"value": ids[2]}]}]),
        ),
        (
            "Groups",
            gid.clone(),
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]),
        ),
    ];
    for (kind, id, ops) in cases {
        let d = PatchDraft {
            kind: ResourceKind::from_endpoint(kind),
            id: id.clone(),
            body: json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
                .to_string(),
            dialect: DialectName::Rfc,
            as_put: false,
        };
        let preview = w.preview_patch(&d).await.unwrap();
        assert!(preview.problem.is_none(), "{ops}: {:?}", preview.problem);
        let outcome = w.apply_patch(&d, preview.etag.clone()).await.unwrap();
        assert!(
            outcome.warnings.iter().any(|w| w.contains("204")),
            "{ops}: scim2-server answers 204 and we say so: {:?}",
            outcome.warnings
        );
        assert!(
            outcome.mismatches.is_empty(),
            "{ops}: {:?}",
            outcome.mismatches
        );
        let predicted: serde_json::Value =
            serde_json::from_str(preview.predicted.as_deref().unwrap()).unwrap();
        let now = c.get(kind, &id).await.unwrap().body.unwrap();
        assert_eq!(field_changes(&predicted, &now, &["meta"]), vec![], "{ops}");
    }
    // A version seen before the last change is refused.
    let stale = PatchDraft {
        kind: ResourceKind::Users,
        id: ids[1].clone(),
        body: json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}).to_string(),
        dialect: DialectName::Rfc,
        as_put: false,
    };
    let old_version = original_user["meta"]["version"].as_str().map(str::to_owned);
    assert!(old_version.is_some());
    let err = w.apply_patch(&stale, old_version).await.unwrap_err();
    assert_eq!(err.scim.and_then(|s| s.http_status), Some(412));
    // Undo all six, newest first.
    for _ in 0..6 {
        w.undo(None).await.unwrap();
    }
    let user_now = c.get("Users", &ids[1]).await.unwrap().body.unwrap();
    let group_now = c.get("Groups", &gid).await.unwrap().body.unwrap();
    assert_eq!(field_changes(&original_user, &user_now, &["meta"]), vec![]);
    assert_eq!(
        field_changes(&original_group, &group_now, &["meta"]),
        vec![]
    );
}

/// The server check against scim2-server: its 204 answer to PATCH is reported (as allowed, worth
/// knowing), and nothing it does right is called a deviation.
#[tokio::test(flavor = "multi_thread")]
async fn the_server_check_reports_scim2_servers_204_and_nothing_false() {
    use scim_services::server_check::{self, Outcome};
    let peer = start_peer();
    let c = client(&peer);
    seed(&c, 3).await;
    let report = server_check::run(&c, true).await.expect("check");
    let patch = report
        .items
        .iter()
        .find(|i| i.id == "patch.response")
        .expect("a PATCH item");
    assert_eq!(patch.outcome, Outcome::Note, "{}", report.to_markdown());
    assert!(patch.detail.contains("204"), "{}", patch.detail);
    let deviations: Vec<String> = report
        .deviations()
        .map(|i| format!("{}: {}", i.id, i.detail))
        .collect();
    assert!(
        deviations.is_empty(),
        "{deviations:#?}\n{}",
        report.to_markdown()
    );
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
}

/// The built-in scenarios on scim2-server all pass. authentik's member removal — `remove` on
/// `members` with a value list, as authentik sends it, outside RFC 7644 — is refused by scim2-models
/// with a 400 and nothing changed: a safe answer, so the step passes, and the run carries the finding a
/// consultant takes to the vendor (with authentik, removed users stay members). Every run cleans up.
#[tokio::test(flavor = "multi_thread")]
async fn the_builtin_scenarios_pass_on_scim2_server_with_authentiks_removal_as_a_finding() {
    use scim_services::scenarios;
    let peer = start_peer();
    let c = client(&peer);
    for info in scenarios::list() {
        let mut run = scenarios::start(&c, &info.name).unwrap();
        scenarios::run_all(&c, &mut run).await.unwrap();
        assert!(run.passed(), "{}:\n{}", info.name, run.to_markdown());
        let findings: Vec<&str> = run.findings().iter().map(|(step, _)| *step).collect();
        if info.name == "authentik-group-sync" {
            assert_eq!(findings, vec!["Remove Ada"], "{}", run.to_markdown());
            let step = run.steps.iter().find(|s| s.title == "Remove Ada").unwrap();
            let answer = &step.checks[0];
            assert!(answer.actual.contains("400"), "{answer:?}");
            // Nothing half-applied: both members are still there.
            assert_eq!(step.checks.len(), 3, "{:?}", step.checks);
            assert!(step.checks.iter().all(|c| c.pass), "{:?}", step.checks);
            let md = run.to_markdown();
            assert!(
                md.contains("## 7. Remove Ada — pass (refused safely: finding)"),
                "{md}"
            );
            assert!(md.contains("## Findings"), "{md}");
        } else {
            assert!(findings.is_empty(), "{}: {findings:?}", info.name);
        }
        scenarios::cleanup(&c, &mut run).await;
        assert!(
            run.leftovers.is_empty(),
            "{}: {:?}",
            info.name,
            run.leftovers
        );
    }
    assert_eq!(
        scim_explorer_tests::users_named_with(&c, scenarios::PREFIX).await,
        0,
        "scenario users left behind"
    );
}
