//! The demo server's profiles, seen through the client: each behaves like the server it imitates.

use scim_client::{Auth, CancelFlag, ClientConfig, ListParams, LoadOptions, ScimClient};
use scim_core::patch::{OpKind, PatchOp, PatchOperation};
use scim_core::Resource;
use scim_demo_server::{DemoConfig, DemoServer, Profile, SeedOptions};
use serde_json::json;

async fn serve(profile: Profile, users: usize) -> (DemoServer, ScimClient) {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users,
            ..SeedOptions::default()
        },
        profile,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let client = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).expect("client");
    (server, client)
}

#[tokio::test]
async fn netdata_has_users_only_caps_results_at_200_and_no_etag() {
    let (_s, c) = serve(Profile::Netdata, 450).await;
    let d = c.discover().await.expect("discovery");
    assert_eq!(
        d.resource_types
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        vec!["User"]
    );
    assert_eq!(d.config.filter_max_results, Some(200));
    assert!(!d.config.etag);
    assert_eq!(
        c.list("Groups", &ListParams::default())
            .await
            .expect_err("no groups")
            .status(),
        Some(404)
    );
    let all = c
        .load_all(
            "Users",
            &LoadOptions {
                page_size: 500,
                ..LoadOptions::default()
            },
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert_eq!(all.resources.len(), 450);
    assert!(all.warnings.iter().any(|w| w.code == "paging.serverCap"));
    assert!(
        all.values()
            .iter()
            .all(|u| u.pointer("/meta/version").is_none()),
        "no versions without ETag support"
    );
}

#[tokio::test]
async fn netdata_requires_external_id_and_keeps_only_the_primary_email() {
    let (_s, c) = serve(Profile::Netdata, 3).await;
    let err = c
        .create("Users", &json!({"userName": "no.sub@example.com"}))
        .await
        .expect_err("externalId required");
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("OIDC"), "{err}");
    let created = c
        .create("Users", &json!({"userName": "sub@example.com", "externalId": "oidc|42", "emails": [
            {"value": "home@example.com", "type": "home"}, {"value": "work@example.com", "type": "work", "primary": true}]}))
        .await
        .expect("create")
        .body
        .expect("body");
    assert_eq!(
        created["emails"],
        json!([{"value": "work@example.com", "type": "work", "primary": true}])
    );
}

#[tokio::test]
async fn profiles_projects_exposes_only_role_groups() {
    let (_s, c) = serve(Profile::ProfilesProjects, 30).await;
    let groups = c
        .list("Groups", &ListParams::default())
        .await
        .expect("groups");
    assert!(!groups.value.resources.is_empty());
    for g in &groups.value.resources {
        let name = g.display_name().unwrap_or_default();
        assert!(
            name.starts_with("Profile: ") || name.starts_with("Project: "),
            "{name}"
        );
    }
}

#[tokio::test]
async fn secoda_has_an_undeclared_role_refuses_patch_and_keeps_invited_users_out_of_groups() {
    let (_s, c) = serve(Profile::Secoda, 60).await;
    let d = c.discover().await.expect("discovery");
    assert!(!d.config.patch);
    let users = c
        .list("Users", &ListParams::default())
        .await
        .expect("users")
        .value
        .resources;
    let first = &users[0];
    assert!(
        first
            .undeclared_attributes(&d.schemas)
            .contains(&"secodaRole"),
        "secodaRole is undeclared"
    );
    let patch = PatchOp::new(vec![PatchOperation::new(
        OpKind::Replace,
        Some("secodaRole"),
        Some(json!("admin")),
    )]);
    let err = c
        .patch("Users", first.id().expect("id"), &patch, None)
        .await
        .expect_err("no PATCH");
    assert_eq!(err.status(), Some(501));

    let invited: Vec<&Resource> = users.iter().filter(|u| u.active() == Some(false)).collect();
    assert!(!invited.is_empty(), "the seed has invited (inactive) users");
    let groups = c
        .list("Groups", &ListParams::default())
        .await
        .expect("groups")
        .value
        .resources;
    let group = &groups[0];
    let mut body = group.0.clone();
    body["members"] = json!([{"value": invited[0].id()}, {"value": users.iter().find(|u| u.active() == Some(true)).and_then(|u| u.id())}]);
    let updated = c
        .replace("Groups", group.id().expect("id"), &body, None)
        .await
        .expect("put")
        .body
        .expect("body");
    assert_eq!(
        updated["members"].as_array().map(Vec::len),
        Some(1),
        "the invited user was left out: {updated}"
    );
}

#[tokio::test]
async fn a_throttled_server_is_loaded_completely_by_waiting() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 120,
            ..SeedOptions::default()
        },
        max_results: 20,
        throttle_every: Some(4),
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let c = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).expect("client");
    let all = c
        .load_all(
            "Users",
            &LoadOptions {
                page_size: 20,
                concurrency: 2,
                ..LoadOptions::default()
            },
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(all.error.is_none(), "{:?}", all.error);
    assert_eq!(all.resources.len(), 120);
}
