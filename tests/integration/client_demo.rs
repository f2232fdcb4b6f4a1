//! The client and the demo server together: discovery, paging, filters, writes, ETags and errors, all
//! over real loopback HTTP.

use scim_client::{
    Auth, CancelFlag, ClientConfig, ClientError, ListParams, LoadOptions, ScimClient, Secret,
};
use scim_core::patch::{OpKind, PatchOp, PatchOperation};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};
use serde_json::json;

const TOKEN: &str = "demo-token-123";

async fn server(users: usize, max_results: usize) -> DemoServer {
    DemoServer::start(DemoConfig {
        port: 0,
        seed: SeedOptions {
            users,
            ..SeedOptions::default()
        },
        token: Some(TOKEN.into()),
        max_results,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server starts")
}

fn client(server: &DemoServer) -> ScimClient {
    ScimClient::new(ClientConfig::new(
        &server.base_url,
        Auth::Bearer(Secret::new(TOKEN)),
    ))
    .expect("client")
}

#[tokio::test]
async fn discovery_reads_the_capabilities_without_warnings() {
    let s = server(10, 100).await;
    let d = client(&s).discover().await.expect("discovery");
    assert!(d.config_declared);
    assert!(d.config.patch && d.config.etag && d.config.sort && d.config.bulk);
    assert_eq!(d.config.bulk_max_operations, Some(1000));
    assert_eq!(d.config.filter_max_results, Some(100));
    assert_eq!(
        d.resource_types
            .iter()
            .map(|r| r.endpoint.as_str())
            .collect::<Vec<_>>(),
        vec!["/Users", "/Groups", "/Roles"]
    );
    // The custom Role type's schema is served and read like the others.
    assert!(d.schemas.schema(scim_demo_server::ROLE_SCHEMA).is_some());
    assert!(d
        .schemas
        .schema(scim_core::names::ENTERPRISE_USER_SCHEMA)
        .is_some());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[tokio::test]
async fn load_all_pages_concurrently_through_a_server_cap_and_dedupes() {
    let s = server(1_234, 100).await;
    let c = client(&s);
    let progress = std::sync::Mutex::new(Vec::new());
    let result = c
        .load_all(
            "Users",
            &LoadOptions {
                page_size: 250,
                concurrency: 4,
                ..LoadOptions::default()
            },
            &CancelFlag::default(),
            &|p| progress.lock().expect("lock").push(p.loaded),
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.total, Some(1_234));
    assert_eq!(result.resources.len(), 1_234);
    let ids: std::collections::HashSet<_> = result
        .values()
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 1_234);
    assert!(
        result.warnings.iter().any(|w| w.code == "paging.serverCap"),
        "{:?}",
        result.warnings
    );
    assert_eq!(progress.lock().expect("lock").last().copied(), Some(1_234));
}

#[tokio::test]
async fn server_side_filters_match_the_core_evaluator() {
    let s = server(300, 1000).await;
    let c = client(&s);
    let filter = r#"active eq false and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Finance""#;
    let page = c
        .list(
            "Users",
            &ListParams {
                filter: Some(filter.into()),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let all = c
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    let parsed = scim_core::filter::parse_filter(filter).expect("filter");
    let expected = all
        .values()
        .iter()
        .filter(|u| scim_core::filter::evaluate(&parsed, u, &Default::default()).expect("eval"))
        .count();
    assert!(expected > 0, "the seed has inactive Finance users");
    assert_eq!(page.value.total_results, Some(expected as u64));
}

#[tokio::test]
async fn a_bad_filter_comes_back_as_a_typed_scim_error() {
    let s = server(5, 100).await;
    let err = client(&s)
        .list(
            "Users",
            &ListParams {
                filter: Some("userName eq".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("invalid filter");
    let ClientError::Http {
        status,
        scim: Some(body),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 400);
    assert_eq!(body.scim_type.as_deref(), Some("invalidFilter"));
    assert!(err.to_string().contains("[invalidFilter]"), "{err}");
}

#[tokio::test]
async fn a_wrong_token_is_401_and_never_echoed() {
    let s = server(5, 100).await;
    let c = ScimClient::new(ClientConfig::new(
        &s.base_url,
        Auth::Bearer(Secret::new("wrong-secret-value")),
    ))
    .expect("client");
    let err = c.discover().await.expect_err("unauthorised");
    assert_eq!(err.status(), Some(401));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrong-secret-value"), "{shown}");
}

#[tokio::test]
async fn create_patch_put_and_delete_with_etags() {
    let s = server(5, 100).await;
    let c = client(&s);
    let created = c
        .create("Users", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "new.person@example.com", "active": true}))
        .await
        .expect("create");
    assert_eq!(created.status, 201);
    let user = created.body.expect("body");
    let id = user["id"].as_str().expect("id").to_owned();
    let v1 = created.etag.expect("etag");

    let conflict = c
        .create("Users", &json!({"userName": "NEW.PERSON@example.com"}))
        .await
        .expect_err("duplicate");
    assert_eq!(conflict.status(), Some(409));

    let patch = PatchOp::new(vec![PatchOperation::new(
        OpKind::Replace,
        Some("active"),
        Some(json!(false)),
    )]);
    let (patched, _) = c
        .patch("Users", &id, &patch, Some(&v1))
        .await
        .expect("patch");
    assert_eq!(patched.body.expect("body")["active"], json!(false));

    let stale = c
        .replace("Users", &id, &user, Some(&v1))
        .await
        .expect_err("stale");
    assert_eq!(stale.status(), Some(412));
    assert!(stale
        .to_string()
        .contains("changed on the server since you loaded it"));

    c.delete("Users", &id, None).await.expect("delete");
    assert_eq!(
        c.get("Users", &id).await.expect_err("gone").status(),
        Some(404)
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let port = scim_explorer_tests::free_port();
    let c = ScimClient::new(ClientConfig::new(
        format!("http://127.0.0.1:{port}/scim/v2"),
        Auth::None,
    ))
    .expect("client");
    let err = c
        .list("Users", &ListParams::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ClientError::Network { timeout: false, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn cursor_paging_loads_everything_from_the_demo_server() {
    let s = server(333, 50).await;
    let c = client(&s);
    let d = c.discover().await.expect("discovery");
    assert!(d.config.cursor_paging);
    let options = LoadOptions {
        page_size: 50,
        cursor: true,
        ..LoadOptions::default()
    };
    let result = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 333);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let err = c
        .list(
            "Users",
            &ListParams {
                cursor: Some("forged".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("invalid cursor");
    assert!(err.to_string().contains("invalidCursor"), "{err}");
}

#[tokio::test]
async fn bulk_creates_with_bulk_id_references_and_reports_each_operation() {
    use scim_core::messages::{BulkOperation, BulkRequest};
    let s = server(3, 100).await;
    let c = client(&s);
    assert!(c.discover().await.expect("discovery").config.bulk);
    let request = BulkRequest {
        fail_on_errors: Some(1),
        operations: vec![
            BulkOperation {
                method: "POST".into(),
                path: "/Users".into(),
                bulk_id: Some("q1".into()),
                version: None,
                data: Some(json!({"userName": "bulk.one@example.com"})),
            },
            BulkOperation {
                method: "POST".into(),
                path: "/Groups".into(),
                bulk_id: Some("g1".into()),
                version: None,
                data: Some(
                    json!({"displayName": "Project: Bulk (Full access)", "members": [{"type": "User", "value": "bulkId:q1"}]}),
                ),
            },
            BulkOperation {
                method: "POST".into(),
                path: "/Users".into(),
                bulk_id: Some("q2".into()),
                version: None,
                data: Some(json!({"userName": "bulk.one@example.com"})),
            },
            BulkOperation {
                method: "POST".into(),
                path: "/Users".into(),
                bulk_id: Some("q3".into()),
                version: None,
                data: Some(json!({"userName": "never.reached@example.com"})),
            },
        ],
    };
    let results = c.bulk(&request).await.expect("bulk");
    assert_eq!(
        results.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![Some(201), Some(201), Some(409)],
        "failOnErrors=1 stops after the duplicate"
    );
    let group_location = results[1].location.clone().expect("location");
    let group_id = group_location.rsplit('/').next().expect("id");
    let group = c
        .get("Groups", group_id)
        .await
        .expect("group")
        .body
        .expect("body");
    let user_id = results[0]
        .location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .expect("user id");
    assert_eq!(
        group["members"][0]["value"],
        json!(user_id),
        "bulkId:q1 was resolved"
    );
}

#[tokio::test]
async fn search_posts_the_filter_in_the_body() {
    let s = server(40, 100).await;
    let c = client(&s);
    let request = scim_core::messages::SearchRequest {
        filter: Some("active eq false".into()),
        count: Some(5),
        ..Default::default()
    };
    let by_post = c.search(Some("Users"), &request).await.expect("search");
    let by_get = c
        .list(
            "Users",
            &ListParams {
                filter: Some("active eq false".into()),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(by_post.value.total_results, by_get.value.total_results);
    let everything = c
        .search(None, &scim_core::messages::SearchRequest::default())
        .await
        .expect("root search");
    assert!(
        everything.value.total_results > by_get.value.total_results,
        "root search spans users and groups"
    );
}

#[tokio::test]
async fn a_large_group_is_read_without_members_then_members_on_demand() {
    let s = server(400, 1000).await;
    let c = client(&s);
    let all_staff = c
        .list(
            "Groups",
            &ListParams {
                filter: Some(r#"displayName eq "All staff""#.into()),
                excluded_attributes: vec!["members".into()],
                ..Default::default()
            },
        )
        .await
        .expect("find the group");
    let id = all_staff.value.resources[0].id().expect("id").to_owned();
    let summary = c
        .get_group_summary(&id)
        .await
        .expect("summary")
        .body
        .expect("body");
    assert!(summary.get("members").is_none());
    assert_eq!(summary["displayName"], "All staff");
    let scim_core::resource::Members::Listed(members) =
        c.get_group_members(&id).await.expect("members")
    else {
        panic!("listed")
    };
    assert_eq!(members.len(), 400);
}

#[tokio::test]
async fn the_request_log_exports_and_copies_as_curl() {
    let s = server(2, 100).await;
    let log = scim_client::RequestLog::default();
    let c = client(&s).with_log(log.clone());
    c.list("Users", &ListParams::default()).await.expect("list");
    let exported: serde_json::Value = serde_json::from_str(&log.export_json()).expect("json");
    assert_eq!(exported.as_array().map(Vec::len), Some(1));
    let curl = log.entries()[0].to_curl();
    assert!(
        curl.contains("$SCIM_TOKEN") && !curl.contains(TOKEN),
        "{curl}"
    );
}

/// A load reads its pages raw, and the request log still shows each page: the list fields and the
/// first resources, cut at the cap and said so.
#[tokio::test]
async fn a_loads_pages_are_in_the_request_log_with_a_preview() {
    let s = server(1_500, 1000).await;
    let log = scim_client::RequestLog::default();
    let c = client(&s).with_log(log.clone());
    let options = LoadOptions {
        page_size: 1000,
        ..LoadOptions::default()
    };
    let all = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert_eq!(all.resources.len(), 1_500);
    let pages: Vec<_> = log
        .entries()
        .into_iter()
        .filter(|e| e.url.contains("/Users?"))
        .collect();
    assert_eq!(pages.len(), 2);
    for page in &pages {
        let body = page.response_body.as_deref().expect("a preview");
        assert!(
            body.contains("\"totalResults\":1500"),
            "{}",
            &body[..200.min(body.len())]
        );
        assert!(
            body.contains("\"Resources\":[{"),
            "{}",
            &body[..200.min(body.len())]
        );
        assert!(
            body.ends_with(&format!("({} bytes in all)", page.response_bytes)),
            "a 1000-user page is cut: …{}",
            &body[body.len().saturating_sub(80)..]
        );
    }
}
