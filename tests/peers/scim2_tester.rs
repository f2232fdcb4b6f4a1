//! python-scim's conformance checker against the embedded demo server.

use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

#[tokio::test(flavor = "multi_thread")]
async fn scim2_tester_passes_every_check_on_the_demo_server() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 30,
            ..SeedOptions::default()
        },
        token: Some("tester-token".into()),
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let python = crate::pyenv_bin("python");
    let script = scim_explorer_tests::workspace_root().join("tests/peers/run_tester.py");
    let url = server.base_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(url)
            .arg("tester-token")
            .output()
    })
    .await
    .expect("join")
    .expect("run scim2-tester");
    assert!(
        output.status.success(),
        "scim2-tester crashed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON report");
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    assert!(
        problems.is_empty(),
        "scim2-tester found problems:\n{}",
        serde_json::to_string_pretty(&problems).unwrap_or_default()
    );
    let passed = report["counts"]["SUCCESS"].as_u64().unwrap_or(0);
    assert!(passed >= 100, "only {passed} checks ran: {report}");
}
