//! SCIM Tap in front of the demo server: every exchange is captured as both sides saw it, masked,
//! explained (sender, findings, words), exported as HAR and read back; the tap is no open proxy,
//! and the inbox asks for the token it generated.

use std::io::{Read, Write};
use std::net::SocketAddr;

use scim_client::forward::ForwardAuth;
use scim_client::{Auth, ClientConfig, RequestLog, ScimClient, Secret};
use scim_demo_server::{DemoConfig, DemoServer, Profile, SeedOptions};
use scim_services::scenarios;
use scim_tap::{Inbox, InboxConfig, RunningTap, TapConfig};

const TOKEN: &str = "tap-test-token-0123456789";

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn demo() -> DemoServer {
    DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 20,
            ..SeedOptions::default()
        },
        token: Some(TOKEN.into()),
        ..DemoConfig::default()
    })
    .await
    .expect("demo server")
}

fn client(base_url: &str, token: &str) -> ScimClient {
    ScimClient::new(ClientConfig::new(
        base_url,
        Auth::Bearer(Secret::new(token)),
    ))
    .unwrap()
}

async fn tap_in_front(server: &DemoServer) -> RunningTap {
    let upstream = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).unwrap();
    RunningTap::start(TapConfig::new(loopback(), upstream))
        .await
        .expect("tap")
}

/// Each built-in scenario pushed through the tap: the capture holds each exchange the client made,
/// with the same method, URL path, status and body; the token is masked everywhere; the scenario's
/// IdP is recognised from its request shapes (a guess: the player sends our User-Agent).
#[tokio::test]
async fn every_exchange_of_each_idp_scenario_is_captured_as_sent_and_its_sender_recognised() {
    let expected = [
        ("okta-onboarding", "Okta"),
        ("entra-joiner-mover-leaver", "Entra ID (aadOptscim062020)"),
        ("authentik-group-sync", "authentik"),
    ];
    for (name, sender) in expected {
        let server = demo().await;
        let tap = tap_in_front(&server).await;
        let log = RequestLog::default();
        let c = client(&tap.base_url, TOKEN).with_log(log.clone());
        let mut run = scenarios::start(&c, name).unwrap();
        scenarios::run_all(&c, &mut run).await.unwrap();
        scenarios::cleanup(&c, &mut run).await;
        assert!(
            run.passed(),
            "{name} through the tap:\n{}",
            run.to_markdown()
        );
        // The client's view: the player's step logs and the reads and cleanup of `c` itself.
        let steps: Vec<(String, String, Option<u16>)> = run
            .steps
            .iter()
            .flat_map(|s| s.exchanges.iter())
            .map(|e| (e.method.clone(), e.url.clone(), e.status))
            .collect();
        let own = log.entries();
        let captured = tap.capture.settled_exchanges().await;
        // The player also reads for its own checks, outside both logs: the capture holds those too.
        assert!(
            captured.len() >= steps.len() + own.len(),
            "{name}: {} captured for {} steps' and {} own exchanges",
            captured.len(),
            steps.len(),
            own.len()
        );
        let url_of = |e: &scim_tap::TapExchange| match &e.query {
            Some(q) => format!("http://{}{}?{q}", tap.addr, e.path),
            None => format!("http://{}{}", tap.addr, e.path),
        };
        // The steps, in order, within the capture, as sent and answered.
        let mut at = captured.iter();
        for (method, url, status) in &steps {
            assert!(
                at.any(|c| &c.method == method && &url_of(c) == url && c.status == *status),
                "{name}: {method} {url} → {status:?} not captured in order"
            );
        }
        // The client's own exchanges, byte for byte (masked alike).
        for s in &own {
            let c = captured.iter().find(|c| {
                c.method == s.method
                    && url_of(c) == s.url
                    && c.request_body == s.request_body
                    && c.response_body == s.response_body
                    && c.status == s.status
            });
            assert!(
                c.is_some(),
                "{name}: {} {} not captured as the client saw it",
                s.method,
                s.url
            );
        }
        let text = serde_json::to_string(&captured).unwrap();
        assert!(
            !text.contains(TOKEN),
            "{name}: the token reached the capture"
        );
        let har = scim_tap::har::to_har(&captured, &format!("http://{}", tap.addr)).to_string();
        assert!(!har.contains(TOKEN), "{name}: the token reached the HAR");
        // The IdP's known oddities are flagged on its requests.
        let flagged: Vec<&str> = captured
            .iter()
            .flat_map(|c| c.findings.iter().map(|f| f.code.as_str()))
            .collect();
        let oddity = match name {
            "entra-joiner-mover-leaver" => Some("patch.pathKeys"),
            "authentik-group-sync" => Some("patch.removeMembersValueList"),
            _ => None,
        };
        if let Some(code) = oddity {
            assert!(flagged.contains(&code), "{name}: {code} not in {flagged:?}");
        }
        let who = tap.capture.sender().unwrap_or_else(|| {
            panic!(
                "{name}: no sender in {:?}",
                captured
                    .iter()
                    .map(|c| (
                        c.method.clone(),
                        c.sender.clone(),
                        c.request_headers
                            .iter()
                            .find(|h| h.0 == "user-agent")
                            .cloned()
                    ))
                    .collect::<Vec<_>>()
            )
        });
        assert_eq!(who.name, sender, "{name}: {who:?}");
        assert!(!who.certain, "a shape is a guess");
        tap.stop().await;
    }
}

/// Entra's legacy shapes are flagged, and worded with the names the session learnt.
#[tokio::test]
async fn entras_legacy_patch_is_flagged_and_worded_with_names() {
    let server = demo().await;
    let tap = tap_in_front(&server).await;
    let http = reqwest_like(&tap.base_url).with_token(TOKEN);
    // Read a user (the tap learns the name), then patch it as Entra's default mode does.
    let page = http.get("/Users?count=1", None).await;
    let user: serde_json::Value = serde_json::from_str(&page.1).unwrap();
    let id = user["Resources"][0]["id"].as_str().unwrap().to_owned();
    let name = user["Resources"][0]["userName"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#;
    let (status, _) = http
        .send(
            "PATCH",
            &format!("/Users/{id}"),
            Some(body),
            Some("Azure AD SCIM Client"),
        )
        .await;
    assert!(status < 300, "{status}");
    let last = tap.capture.settled_exchanges().await.pop().unwrap();
    let codes: Vec<&str> = last.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"patch.opCase") && codes.contains(&"request.boolString"),
        "{codes:?}"
    );
    assert_eq!(last.words, vec![format!("set active to False on {name}")]);
    let sender = last.sender.unwrap();
    assert_eq!(
        (sender.name.as_str(), sender.certain),
        ("Entra ID (legacy)", true)
    );
}

/// The tap forwards only under the application's base path: CONNECT, absolute-URI requests and
/// other paths are refused by the tap itself (never reaching the application) and recorded.
#[tokio::test]
async fn the_tap_is_no_open_proxy() {
    let server = demo().await;
    let tap = tap_in_front(&server).await;
    let addr = tap.addr;
    let connect = raw_request(
        addr,
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        connect.starts_with("HTTP/1.1 405") || connect.starts_with("HTTP/1.1 400"),
        "{connect}"
    );
    let absolute = raw_request(addr, "GET http://example.com/scim/v2/Users HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n").await;
    assert!(absolute.starts_with("HTTP/1.1 400"), "{absolute}");
    assert!(absolute.contains("not an open proxy"), "{absolute}");
    let http = reqwest_like(&format!("http://{addr}"));
    let (status, body) = http.get("/admin/secrets", None).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("outside the tapped base path"), "{body}");
    let errors: Vec<String> = tap
        .capture
        .settled_exchanges()
        .await
        .iter()
        .filter_map(|e| e.error.clone())
        .collect();
    assert!(errors.len() >= 2, "refusals are recorded: {errors:?}");
    // A body larger than the tap accepts is refused, not buffered.
    let upstream = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).unwrap();
    let mut config = TapConfig::new(loopback(), upstream);
    config.max_request_bytes = 1024;
    let small = RunningTap::start(config).await.unwrap();
    let big = format!("{{\"userName\":\"{}\"}}", "x".repeat(4096));
    let (status, _) = reqwest_like(&small.base_url)
        .send("POST", "/Users", Some(&big), None)
        .await;
    assert_eq!(status, 413);
    // A stopped tap leaves nothing listening.
    let addr = tap.addr;
    tap.stop().await;
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after stop"
    );
}

/// With `ForwardAuth::Connection` the tap sends the connection's secret, not the sender's.
#[tokio::test]
async fn the_tap_can_replace_the_senders_token_with_the_connections() {
    let server = demo().await;
    let upstream = client(&server.base_url, TOKEN);
    let mut config = TapConfig::new(loopback(), upstream);
    config.auth = ForwardAuth::Connection;
    let tap = RunningTap::start(config).await.unwrap();
    let (status, _) = reqwest_like(&tap.base_url)
        .get("/Users?count=1", None)
        .await;
    assert_eq!(status, 200, "the connection's token was used");
    let pass = tap_in_front(&server).await;
    let (status, _) = reqwest_like(&pass.base_url)
        .get("/Users?count=1", None)
        .await;
    assert_eq!(status, 401, "passed through, no token: refused");
}

/// A capture exported as HAR reads back with the same exchanges, and findings explained again.
#[tokio::test]
async fn a_har_export_reads_back_as_the_same_capture() {
    let server = demo().await;
    let tap = tap_in_front(&server).await;
    let c = client(&tap.base_url, TOKEN);
    let mut run = scenarios::start(&c, "entra-joiner-mover-leaver").unwrap();
    scenarios::run_all(&c, &mut run).await.unwrap();
    scenarios::cleanup(&c, &mut run).await;
    let captured = tap.capture.settled_exchanges().await;
    let har = scim_tap::har::to_har(&captured, &format!("http://{}", tap.addr));
    assert_eq!(har["log"]["version"], "1.2");
    let read = scim_tap::har::from_har(&har.to_string()).expect("read back");
    assert_eq!(read.skipped, 0);
    let back = read.capture.exchanges();
    assert_eq!(back.len(), captured.len());
    for (a, b) in captured.iter().zip(&back) {
        assert_eq!(
            (&a.method, &a.path, &a.query, a.status),
            (&b.method, &b.path, &b.query, b.status)
        );
        assert_eq!(a.request_body, b.request_body);
        assert_eq!(a.response_body, b.response_body);
        assert_eq!(a.findings, b.findings);
        assert_eq!(a.words.len(), b.words.len());
    }
    let lines = scim_tap::har::to_json_lines(&captured);
    assert_eq!(lines.lines().count(), captured.len());
}

/// The inbox asks for the token it generated, and a rotated token replaces the old one at once.
#[tokio::test]
async fn the_inbox_requires_its_token_and_rotation_replaces_it() {
    let inbox = Inbox::start(InboxConfig {
        listen: loopback(),
        profile: Profile::Netdata,
        users: 0,
        capacity: 100,
    })
    .await
    .expect("inbox");
    let url = inbox.tap.base_url.clone();
    let old = inbox.token.clone();
    assert_eq!(old.len(), 64);
    let (status, body) = reqwest_like(&url).get("/Users", None).await;
    assert_eq!(status, 401, "{body}");
    let ok = client(&url, &old);
    let page = ok
        .list("Users", &Default::default())
        .await
        .expect("list with the token");
    assert_eq!(page.value.total_results, Some(0), "an empty inbox is empty");
    let inbox = inbox.rotate_token().await.expect("rotate");
    assert_ne!(inbox.token, old);
    assert_eq!(inbox.tap.base_url, url, "same address after rotation");
    assert!(client(&url, &old)
        .list("Users", &Default::default())
        .await
        .is_err());
    assert!(client(&url, &inbox.token)
        .list("Users", &Default::default())
        .await
        .is_ok());
    let captured = inbox.tap.capture.settled_exchanges().await;
    assert!(
        captured.len() >= 4,
        "the capture survives rotation: {}",
        captured.len()
    );
    assert!(!serde_json::to_string(&captured)
        .unwrap()
        .contains(&inbox.token));
    inbox.stop().await;
}

/// Sends `request` as raw bytes and reads the whole answer.
async fn raw_request(addr: SocketAddr, request: &str) -> String {
    let request = request.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
    .await
    .unwrap()
}

/// A minimal HTTP/1.1 client for requests our SCIM client would never send (odd methods, paths
/// outside the base, a User-Agent of our choice).
struct RawHttp {
    base: String,
    token: Option<String>,
}

fn reqwest_like(base: &str) -> RawHttp {
    RawHttp {
        base: base.trim_end_matches('/').to_owned(),
        token: None,
    }
}

impl RawHttp {
    fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    async fn get(&self, path: &str, ua: Option<&str>) -> (u16, String) {
        self.send("GET", path, None, ua).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        ua: Option<&str>,
    ) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let (host_port, full_path) = {
            let rest = url.strip_prefix("http://").unwrap();
            let i = rest.find('/').unwrap_or(rest.len());
            (rest[..i].to_owned(), rest[i..].to_owned())
        };
        let body = body.unwrap_or("").to_owned();
        let ua = ua.unwrap_or("raw-test").to_owned();
        let method = method.to_owned();
        let auth = self
            .token
            .as_ref()
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(&host_port).unwrap();
            let request = format!(
                "{method} {full_path} HTTP/1.1\r\nHost: {host_port}\r\nUser-Agent: {ua}\r\n{auth}Content-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(request.as_bytes()).unwrap();
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out);
            let text = String::from_utf8_lossy(&out).into_owned();
            let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
            (status, body)
        })
        .await
        .unwrap()
    }
}

/// A capture replayed against a fresh server passes, its ids rewritten as the new server assigns
/// them, and cleans up; against a server that behaves differently, it says where.
#[tokio::test]
async fn a_capture_replays_on_another_server_and_differences_are_named() {
    let recorded_on = demo().await;
    let tap = tap_in_front(&recorded_on).await;
    let c = client(&tap.base_url, TOKEN);
    let mut run = scenarios::start(&c, "okta-onboarding").unwrap();
    scenarios::run_all(&c, &mut run).await.unwrap();
    scenarios::cleanup(&c, &mut run).await;
    let capture = tap.capture.settled_exchanges().await;

    let fresh = demo().await;
    let target = client(&fresh.base_url, TOKEN);
    // The demo server's ids are repeatable: one create first, so this one assigns others.
    target
        .create("Users", &serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "someone.else@example.com"}))
        .await
        .unwrap();
    let mut replay = scim_tap::replay::Replay::plan(&capture);
    assert!(replay.steps.len() >= 10, "{}", replay.steps.len());
    replay.step(&target).await;
    assert_eq!(replay.outcomes.len(), 1, "one step at a time");
    replay.run_all(&target).await;
    assert!(replay.passed(), "{}", replay.to_markdown());
    assert!(
        !replay.ids.is_empty(),
        "the new server's ids replaced the recorded ones"
    );
    replay.cleanup(&target).await;
    assert!(replay.leftovers.is_empty(), "{:?}", replay.leftovers);
    let users = target
        .list("Users", &scim_client::ListParams::default())
        .await
        .unwrap();
    assert_eq!(users.value.total_results, Some(21), "nothing left behind");

    // A server that answers creates with 200 and lower-cases emails differs, step by step.
    let odd = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 20,
            ..SeedOptions::default()
        },
        token: Some(TOKEN.into()),
        create_answers_200: true,
        lossy_writes: true,
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let mut replay = scim_tap::replay::Replay::plan(&capture);
    replay.run_all(&client(&odd.base_url, TOKEN)).await;
    assert!(!replay.passed());
    let md = replay.to_markdown();
    let create = replay.outcomes.iter().find(|o| o.method == "POST").unwrap();
    assert_eq!(
        (create.expected_status, create.actual_status),
        (201, Some(200)),
        "{md}"
    );
}

/// A huge answer reaches the sender whole, while the capture keeps it cut at 64 KB and says how big it
/// was; a name with letters beyond ASCII is worded as it is.
#[tokio::test]
async fn a_huge_answer_is_forwarded_whole_and_recorded_cut() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 400,
            ..SeedOptions::default()
        },
        token: Some(TOKEN.into()),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let tap = tap_in_front(&server).await;
    let (status, body) = reqwest_like(&tap.base_url)
        .with_token(TOKEN)
        .get("/Users?count=400", None)
        .await;
    assert_eq!(status, 200);
    assert!(body.len() > 100_000, "the whole page: {} bytes", body.len());
    let page: serde_json::Value = serde_json::from_str(&body).expect("whole JSON");
    assert_eq!(page["Resources"].as_array().map(Vec::len), Some(400));
    let last = tap.capture.settled_exchanges().await.pop().unwrap();
    assert_eq!(last.response_bytes, body.len());
    let kept = last.response_body.unwrap_or_default();
    assert!(kept.len() < 70_000, "kept {} bytes", kept.len());
    assert!(
        kept.ends_with(&format!("({} bytes in all)", body.len())),
        "{}",
        &kept[kept.len() - 60..]
    );
    // Non-ASCII names are worded as they are.
    let c = client(&tap.base_url, TOKEN);
    c.create(
        "Users",
        &serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "zoë.øster@example.com"}),
    )
    .await
    .unwrap();
    let last = tap.capture.settled_exchanges().await.pop().unwrap();
    assert_eq!(
        last.words,
        vec!["create user zoë.øster@example.com".to_owned()]
    );
}
