//! SCIM Tap between two programs that share none of our code: python-scim's scim2-tester (a
//! client, recording what it sent and received) pushes through the tap into scim2-server. The
//! capture must hold every exchange, each request and answer as the client saw it, and no secret.

use scim_client::{Auth, ClientConfig, ScimClient};
use scim_tap::{RunningTap, TapConfig};
use serde_json::Value;

/// A JSON body compared as data (key order and spacing aside), with masked fields left out of the
/// comparison: the capture masks passwords, the client saw them.
fn same_body(captured: Option<&str>, seen: &str) -> bool {
    let seen = seen.trim();
    match captured {
        None => seen.is_empty(),
        Some(c) => match (
            serde_json::from_str::<Value>(c),
            serde_json::from_str::<Value>(seen),
        ) {
            (Ok(a), Ok(b)) => equal_unmasked(&a, &b),
            _ => c == seen,
        },
    }
}

fn equal_unmasked(captured: &Value, seen: &Value) -> bool {
    match (captured, seen) {
        (Value::String(s), _) if s == "••••••" => true,
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| equal_unmasked(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| equal_unmasked(v, w))
        }
        (a, b) => a == b,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scim2_tester_through_the_tap_into_scim2_server_is_captured_exactly() {
    let peer = crate::scim2_server::start_peer();
    let upstream = ScimClient::new(ClientConfig::new(peer.base_url(), Auth::None)).unwrap();
    let tap = RunningTap::start(TapConfig::new("127.0.0.1:0".parse().unwrap(), upstream))
        .await
        .expect("tap");
    let python = crate::pyenv_bin("python");
    let script = scim_explorer_tests::workspace_root().join("tests/peers/run_tester_recorded.py");
    let url = tap.base_url.clone();
    let token = crate::scim2_server::TOKEN;
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(url)
            .arg(token)
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
    let report: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON");
    let seen = report["exchanges"].as_array().cloned().unwrap_or_default();
    let passed = report["counts"]["SUCCESS"].as_u64().unwrap_or(0);
    assert!(
        passed >= 20 && seen.len() >= 20,
        "too little ran: {}",
        report["counts"]
    );
    let captured = tap.capture.settled_exchanges().await;
    assert_eq!(
        captured.len(),
        seen.len(),
        "one capture per exchange the client made"
    );
    for (c, s) in captured.iter().zip(&seen) {
        let url = match &c.query {
            Some(q) => format!("http://{}{}?{q}", tap.addr, c.path),
            None => format!("http://{}{}", tap.addr, c.path),
        };
        assert_eq!(c.method, s["method"].as_str().unwrap());
        assert_eq!(url, s["url"].as_str().unwrap());
        assert_eq!(
            c.status,
            s["status"].as_u64().map(|s| s as u16),
            "{} {url}",
            c.method
        );
        assert!(
            same_body(
                c.request_body.as_deref(),
                s["request"].as_str().unwrap_or("")
            ),
            "request of {} {url}:\n captured {:?}\n sent {}",
            c.method,
            c.request_body,
            s["request"]
        );
        assert!(
            same_body(
                c.response_body.as_deref(),
                s["response"].as_str().unwrap_or("")
            ),
            "answer to {} {url}:\n captured {:?}\n received {}",
            c.method,
            c.response_body,
            s["response"]
        );
    }
    let everything = serde_json::to_string(&captured).unwrap();
    let har = scim_tap::har::to_har(&captured, &format!("http://{}", tap.addr)).to_string();
    for text in [&everything, &har] {
        assert!(
            !text.contains(token),
            "the bearer token reached the capture"
        );
    }
    // The HAR is valid for a third-party validator (npm har-validator).
    let path = scim_explorer_tests::target_dir().join("tap-scim2-tester.har");
    std::fs::write(&path, &har).unwrap();
    let validator = scim_explorer_tests::workspace_root().join("ui/tests/har/validate.mjs");
    let out = std::process::Command::new("node")
        .arg(validator)
        .arg(&path)
        .current_dir(scim_explorer_tests::workspace_root().join("ui"))
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "har-validator refused the HAR: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    tap.stop().await;
}
