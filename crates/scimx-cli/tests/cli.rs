//! `scimx` as scripts use it: the real binary against the demo server.

use std::process::Command;

use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

async fn demo(users: usize) -> DemoServer {
    DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users,
            ..SeedOptions::default()
        },
        token: Some("cli-token".into()),
        max_results: 40,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server")
}

fn scimx(args: &[&str], token: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimx"))
        .args(args)
        .env("SCIM_TOKEN", token)
        .output()
        .expect("run scimx")
}

#[tokio::test(flavor = "multi_thread")]
async fn users_list_csv_prints_every_user_once() {
    let server = demo(130).await;
    let url = server.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        scimx(
            &["users", "list", "--url", &url, "--format", "csv"],
            "cli-token",
        )
    })
    .await
    .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "id,userName,displayName,active,email,externalId");
    assert_eq!(lines.len(), 131, "header + 130 users");
    let ids: std::collections::HashSet<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect();
    assert_eq!(ids.len(), 130);
    // The server caps pages at 40: said on stderr, not mixed into the CSV.
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 40 resources per page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_is_an_array_of_resources() {
    let server = demo(12).await;
    let url = server.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        scimx(
            &["groups", "list", "--url", &url, "--format", "json"],
            "cli-token",
        )
    })
    .await
    .expect("join");
    assert!(out.status.success());
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(groups
        .as_array()
        .is_some_and(|g| g.iter().any(|g| g["displayName"] == "Profile: Data Entry")));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_exit_non_zero_with_the_reason_on_stderr() {
    let server = demo(3).await;
    let url = server.base_url.clone();
    let u = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        scimx(&["users", "list", "--url", &u], "zz-secret-9f3")
    })
    .await
    .expect("join");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(
        !err.contains("zz-secret-9f3"),
        "the token never appears: {err}"
    );
    assert!(out.stdout.is_empty());

    let out = tokio::task::spawn_blocking(move || {
        scimx(
            &["users", "list", "--url", &url, "--filter", "userName eq"],
            "cli-token",
        )
    })
    .await
    .expect("join");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid filter: expected a value"));
}
