//! The app's cross-tenant compare (what the Diff screen's "another connection" runs): this directory
//! now against another saved connection read now, paired by email although every id differs.

use std::sync::Arc;

use scim_client::Secret;
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};
use scim_services::compare::{DiffQuery, MatchBy, SideSpec};
use scim_services::connections::{Connection, Connections};
use scim_services::directory::Directory;

#[tokio::test(flavor = "multi_thread")]
async fn another_saved_connection_is_compared_now_and_paired_by_email() {
    let a_data = scim_demo_server::generate(&SeedOptions {
        users: 15,
        ..SeedOptions::default()
    });
    let mut b_data = a_data.in_another_tenant("b-");
    let changed = a_data.users[2]["userName"].as_str().unwrap().to_owned();
    b_data.users[2]["userName"] = "moved.in.b@example.com".into();
    let gone = a_data.users[7]["userName"].as_str().unwrap().to_owned();
    let gone_id = b_data.users[7]["id"].as_str().unwrap().to_owned();
    b_data.users.remove(7);
    for group in &mut b_data.groups {
        if let Some(members) = group["members"].as_array_mut() {
            members.retain(|m| m["value"] != gone_id.as_str());
        }
    }
    let serve = |data, token: &str| {
        DemoServer::start(DemoConfig {
            data: Some(data),
            token: Some(token.to_owned()),
            ..DemoConfig::default()
        })
    };
    let a = serve(a_data, "tenant-a-token").await.unwrap();
    let b = serve(b_data, "tenant-b-token").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Connections::new(dir.path(), Arc::new(scim_services::MemoryStore::default()));
    store
        .add(
            Connection::bearer("Tenant A", &a.base_url),
            Some(Secret::new("tenant-a-token")),
        )
        .unwrap();
    store
        .add(
            Connection::bearer("Tenant B", &b.base_url),
            Some(Secret::new("tenant-b-token")),
        )
        .unwrap();
    let open = Directory::open_saved(&store, "Tenant A").await.unwrap();
    let summary = open
        .compare(
            &store,
            &SideSpec::Live,
            &SideSpec::Connection {
                name: "Tenant B".into(),
            },
            MatchBy::Email,
        )
        .await
        .expect("compare with the other connection");
    assert_eq!(summary.user_match, [14, 15, 14], "{summary:?}");
    let window = open
        .diff_window(&DiffQuery {
            limit: 100,
            ..DiffQuery::default()
        })
        .unwrap();
    let narrations: Vec<String> = window.lines.iter().map(|l| l.narration.clone()).collect();
    assert!(
        narrations
            .iter()
            .any(|n| n.contains("moved.in.b@example.com") && n.contains("userName")),
        "{changed} paired by email, its userName changed: {narrations:?}"
    );
    assert!(
        narrations
            .iter()
            .any(|n| n.contains(&gone) && n.contains("removed")),
        "{gone} is only in A: {narrations:?}"
    );
    let by_id = open
        .compare(
            &store,
            &SideSpec::Live,
            &SideSpec::Connection {
                name: "Tenant B".into(),
            },
            MatchBy::Id,
        )
        .await
        .unwrap();
    assert_eq!(by_id.user_match[0], 0, "no id is shared across tenants");
}
