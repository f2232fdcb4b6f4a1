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

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_diff_and_report_audit_a_change_made_between_two_snapshots() {
    let server = demo(60).await;
    let url = server.base_url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.snap"), dir.path().join("b.snap"));
    let (a2, b2, url2) = (a.clone(), b.clone(), url.clone());
    let first = tokio::task::spawn_blocking(move || {
        scimx(
            &[
                "snapshot",
                "--url",
                &url2,
                "--out",
                a2.to_str().expect("utf-8"),
            ],
            "cli-token",
        )
    })
    .await
    .expect("join");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("60 users"));

    // Deactivate one user between the two snapshots, through the real server.
    let client = scim_client::ScimClient::new(scim_client::ClientConfig::new(
        &url,
        scim_client::Auth::Bearer(scim_client::Secret::new("cli-token")),
    ))
    .expect("client");
    let page = client
        .list(
            "Users",
            &scim_client::ListParams {
                count: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let user = &page.value.resources[0];
    let id = user.id_string().expect("id");
    let patch = scim_core::patch::PatchOp::new(vec![scim_core::patch::PatchOperation::new(
        scim_core::patch::OpKind::Replace,
        Some("active"),
        Some(serde_json::json!(false)),
    )]);
    client
        .patch("Users", &id, &patch, None)
        .await
        .expect("patch");

    let out = tokio::task::spawn_blocking(move || {
        let second = scimx(
            &[
                "snapshot",
                "--url",
                &url,
                "--out",
                b2.to_str().expect("utf-8"),
            ],
            "cli-token",
        );
        assert!(second.status.success());
        let (a, b) = (a.to_str().expect("utf-8"), b.to_str().expect("utf-8"));
        let text = scimx(&["diff", a, b], "");
        let csv = scimx(
            &["diff", a, b, "--format", "csv", "--match", "userName"],
            "",
        );
        let report = scimx(&["report", "inactive-in-groups", "--snapshot", b], "");
        let before = scimx(&["report", "inactive-in-groups", "--snapshot", a], "");
        let unknown = scimx(&["report", "nonsense", "--snapshot", b], "");
        let xlsx_path = std::path::Path::new(b).with_extension("xlsx");
        let xlsx = scimx(
            &[
                "report",
                "membership-matrix",
                "--snapshot",
                b,
                "--format",
                "xlsx",
                "--out",
                xlsx_path.to_str().expect("utf-8"),
            ],
            "",
        );
        assert!(
            xlsx.status.success(),
            "{}",
            String::from_utf8_lossy(&xlsx.stderr)
        );
        assert_eq!(
            &std::fs::read(&xlsx_path).expect("xlsx written")[..2],
            b"PK"
        );
        let no_out = scimx(
            &["report", "no-group", "--snapshot", b, "--format", "xlsx"],
            "",
        );
        assert!(!no_out.status.success());
        assert!(String::from_utf8_lossy(&no_out.stderr).contains("--out"));
        (text, csv, report, before, unknown)
    })
    .await
    .expect("join");
    let (text, csv, report, before, unknown) = out;
    let user_name = user.user_name().expect("userName").to_owned();
    let narration = String::from_utf8_lossy(&text.stdout);
    assert!(
        narration.contains(&format!("{user_name}: deactivated")),
        "{narration}"
    );
    assert_eq!(
        narration.lines().count(),
        1,
        "exactly the one change: {narration}"
    );
    let csv = String::from_utf8_lossy(&csv.stdout);
    // The one diff layout, shared with the app's export (the CLI once wrote its own, headed `resource`).
    assert!(csv.starts_with("category,change,label,attributes,narration\r\n"));
    assert!(
        csv.contains(&format!("user,changed,{user_name},active,")),
        "{csv}"
    );
    let after_rows = String::from_utf8_lossy(&report.stdout)
        .matches(&user_name)
        .count();
    let before_rows = String::from_utf8_lossy(&before.stdout)
        .matches(&user_name)
        .count();
    assert_eq!(
        (before_rows, after_rows),
        (0, 1),
        "the deactivated user shows up only after"
    );
    assert!(String::from_utf8_lossy(&report.stderr).contains("snapshot sha256"));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("membership-matrix"));
}

fn scimx_in(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimx"))
        .args(args)
        .env("SCIM_TOKEN", "cli-token")
        .env("SCIMX_CONFIG_DIR", config)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run scimx")
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_shows_asks_sends_and_undo_reverts_it() {
    let server = demo(5).await;
    let url = server.base_url.clone();
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().to_owned();
    let (before, dry, unconfirmed, sent, undone, after) = tokio::task::spawn_blocking(move || {
        let list = scimx_in(&dir, &["users", "list", "--url", &url, "--format", "json"]);
        let users: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        let user = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["active"] == true)
            .unwrap()
            .clone();
        let id = user["id"].as_str().unwrap().to_owned();
        let patch = |extra: &[&str]| {
            let mut args = vec![
                "patch", "users", &id, "--url", &url, "--op", "replace", "--path", "active",
                "--value", "false",
            ];
            args.extend_from_slice(extra);
            scimx_in(&dir, &args)
        };
        let dry = patch(&["--dry-run", "--dialect", "entra"]);
        let unconfirmed = patch(&[]);
        let sent = patch(&["--yes"]);
        let undone = scimx_in(&dir, &["undo", "--url", &url, "--yes"]);
        let after = scimx_in(&dir, &["get", "users", &id, "--url", &url]);
        (user, dry, unconfirmed, sent, undone, after)
    })
    .await
    .unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let err = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(dry.status.success(), "{}", err(&dry));
    assert!(
        text(&dry).contains("\"value\": \"False\""),
        "Entra's body: {}",
        text(&dry)
    );
    assert!(text(&dry).contains("active: true → false") && text(&dry).contains("nothing was sent"));
    assert!(
        !unconfirmed.status.success(),
        "no terminal, no --yes: refused"
    );
    assert!(err(&unconfirmed).contains("--yes"));
    assert!(sent.status.success(), "{}", err(&sent));
    assert!(text(&sent).contains("→ 200") && text(&sent).contains("Recorded as change"));
    assert!(undone.status.success(), "{}", err(&undone));
    assert!(
        text(&undone).contains("active: false → true"),
        "{}",
        text(&undone)
    );
    let now: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(now["active"], before["active"]);
    let log = std::fs::read_dir(config.path().join("changes"))
        .unwrap()
        .count();
    assert_eq!(log, 1, "one change log file for the URL");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_and_scenario_run_against_the_demo_server() {
    let server = demo(10).await;
    let url = server.base_url.clone();
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().to_owned();
    let report = dir.join("okta.md");
    let report_arg = report.to_string_lossy().into_owned();
    let (check, writes_unconfirmed, scenario) = tokio::task::spawn_blocking(move || {
        (
            scimx_in(&dir, &["check", "--url", &url, "--format", "text"]),
            scimx_in(&dir, &["check", "--url", &url, "--writes"]),
            scimx_in(
                &dir,
                &[
                    "scenario",
                    "run",
                    "okta-onboarding",
                    "--url",
                    &url,
                    "--yes",
                    "--report",
                    &report_arg,
                ],
            ),
        )
    })
    .await
    .unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        check.status.success(),
        "{}{}",
        text(&check),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(text(&check).contains("0 deviations"), "{}", text(&check));
    assert!(
        !writes_unconfirmed.status.success(),
        "write checks need --yes without a terminal"
    );
    assert!(scenario.status.success(), "{}", text(&scenario));
    assert!(
        text(&scenario).contains("5. Deactivate (pathless PATCH) — pass"),
        "{}",
        text(&scenario)
    );
    assert!(text(&scenario).contains("Cleanup: every test resource deleted."));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.starts_with("# Provisioning scenario: Okta: onboarding with group push"));
}

/// `--timeout` is one flag for every command: saved with `connections add` (beside the load cap),
/// and it never collides with a subcommand's own option.
#[test]
fn connections_add_saves_its_timeout_and_resource_cap() {
    let config = tempfile::tempdir().expect("dir");
    let out = Command::new(env!("CARGO_BIN_EXE_scimx"))
        .args([
            "connections",
            "add",
            "Capped",
            "--url",
            "https://capped.example/scim",
            "--auth",
            "none",
            "--timeout",
            "7",
            "--max-resources",
            "1234",
        ])
        .env("SCIMX_CONFIG_DIR", config.path())
        .output()
        .expect("run scimx");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::read_to_string(config.path().join("connections.json")).expect("file");
    assert!(
        file.contains("\"timeoutSecs\": 7") && file.contains("\"maxResources\": 1234"),
        "{file}"
    );
}

/// View settings live with the connection, by its id: role rules set with `connections rules`
/// survive `connections rename`, classify `scimx roles` (the app's Role groups screen), and travel
/// in `connections export`.
#[tokio::test(flavor = "multi_thread")]
async fn role_rules_stay_with_a_connection_through_a_rename_and_an_export() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 30,
            ..SeedOptions::default()
        },
        token: None,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let url = server.base_url.clone();
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().to_owned();
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"[{"category":"Access","kind":"regex","pattern":"^Project: .*\\(Read-only\\)$"}]"#,
    )
    .unwrap();
    let outs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| scimx_in(&dir, args);
        let add = run(&[
            "connections",
            "add",
            "Stage",
            "--url",
            &url,
            "--auth",
            "none",
        ]);
        let default_roles = run(&["roles", "Stage"]);
        let set = run(&[
            "connections",
            "rules",
            "Stage",
            "--set",
            rules.to_str().unwrap(),
        ]);
        let rename = run(&["connections", "rename", "Stage", "Stage EU"]);
        let shown = run(&["connections", "rules", "Stage EU"]);
        let roles = run(&["roles", "Stage EU"]);
        let export = run(&["connections", "export"]);
        [add, default_roles, set, rename, shown, roles, export]
    })
    .await
    .unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let [_, default_roles, _, _, shown, roles, export] = &outs;
    assert!(
        text(default_roles).starts_with("Profiles\n")
            && text(default_roles).contains("\nProjects\n"),
        "the default rules first: {}",
        text(default_roles)
    );
    assert!(
        text(shown).contains("\"Access\"") && !text(shown).contains("Profiles"),
        "the rules kept through the rename: {}",
        text(shown)
    );
    let roles = text(roles);
    assert!(roles.starts_with("Access\n"), "{roles}");
    assert!(
        roles.contains("(Read-only)")
            && !roles.contains("Full access")
            && !roles.contains("Profiles"),
        "classified by the connection's rule: {roles}"
    );
    assert!(
        text(export).contains("\"roleRules\"") && text(export).contains("Stage EU"),
        "{}",
        text(export)
    );
}

/// Two tenants of one application hold the same people under different ids, and one person's
/// userName was changed in B. `scimx diff live:A live:B --match email` reads both saved connections
/// now, pairs everyone by email, and names exactly the differences; `--match id` pairs no one.
#[tokio::test(flavor = "multi_thread")]
async fn diff_pairs_two_live_tenants_by_email() {
    let seed = SeedOptions {
        users: 12,
        ..SeedOptions::default()
    };
    let a_data = scim_demo_server::generate(&seed);
    let mut b_data = a_data.in_another_tenant("b-");
    let renamed_from = a_data.users[3]["userName"].as_str().unwrap().to_owned();
    b_data.users[3]["userName"] = "renamed.in.b@example.com".into();
    let retitled = a_data.users[5]["userName"].as_str().unwrap().to_owned();
    b_data.users[5]["title"] = "Title only B has".into();
    let start = |data| {
        DemoServer::start(DemoConfig {
            data: Some(data),
            ..DemoConfig::default()
        })
    };
    let (a, b) = (start(a_data).await.unwrap(), start(b_data).await.unwrap());
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().to_owned();
    let (a_url, b_url) = (a.base_url.clone(), b.base_url.clone());
    let outs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| scimx_in(&dir, args);
        let add_a = run(&[
            "connections",
            "add",
            "Tenant A",
            "--url",
            &a_url,
            "--auth",
            "none",
        ]);
        let add_b = run(&[
            "connections",
            "add",
            "Tenant B",
            "--url",
            &b_url,
            "--auth",
            "none",
        ]);
        let by_email = run(&["diff", "live:Tenant A", "live:Tenant B", "--match", "email"]);
        let by_id = run(&["diff", "live:Tenant A", "live:Tenant B", "--match", "id"]);
        [add_a, add_b, by_email, by_id]
    })
    .await
    .unwrap();
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let [_, _, by_email, by_id] = &outs;
    let text = String::from_utf8_lossy(&by_email.stdout);
    let summary = String::from_utf8_lossy(&by_email.stderr);
    assert!(summary.contains("users 12 of 12 / 12 matched"), "{summary}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "exactly the two changed users: {text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("renamed.in.b@example.com") && l.contains("userName changed")),
        "paired by email although its userName ({renamed_from} in A) differs: {text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&retitled) && l.contains("title")),
        "{text}"
    );
    let summary = String::from_utf8_lossy(&by_id.stderr);
    assert!(summary.contains("users 0 of 12 / 12 matched"), "{summary}");
}

/// `scimx tap` as a user runs it: listen, print the URL to give the IdP, record with --follow, write
/// the HAR on Ctrl-C; `scimx tap show` reads it back and `scimx tap replay` sends it again.
#[tokio::test(flavor = "multi_thread")]
async fn scimx_tap_records_writes_a_har_on_ctrl_c_and_replays_it() {
    use std::io::{BufRead, BufReader};
    let server = demo(5).await;
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("capture.har");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimx"))
        .args([
            "tap",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--upstream",
            &server.base_url,
            "--follow",
            "--har",
            har.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("scimx tap");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("Tapping http://127.0.0.1:"), "{first}");
    let give = lines.next().unwrap().unwrap();
    let tap_url = format!("http://127.0.0.1:{port}/scim/v2");
    assert!(give.ends_with(&tap_url), "{give}");
    let c = scim_client::ScimClient::new(scim_client::ClientConfig::new(
        &tap_url,
        scim_client::Auth::Bearer(scim_client::Secret::new("cli-token")),
    ))
    .unwrap();
    let created = c
        .create(
            "Users",
            &serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "tapped@example.com"}),
        )
        .await
        .expect("create through the tap");
    let id = created.body.unwrap()["id"].as_str().unwrap().to_owned();
    c.delete("Users", &id, None)
        .await
        .expect("delete through the tap");
    // --follow prints each exchange as it arrives, in words.
    let followed = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for l in lines.by_ref() {
            let l = l.unwrap();
            let done = l.contains("DELETE");
            seen.push(l);
            if done {
                break;
            }
        }
        seen.join("\n")
    })
    .await
    .unwrap();
    assert!(
        followed.contains("create user tapped@example.com"),
        "{followed}"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens after the tap stopped"
    );
    let text = std::fs::read_to_string(&har).expect("the HAR was written");
    assert!(!text.contains("cli-token"), "the token reached the HAR");
    let shown = scimx(&["tap", "show", har.to_str().unwrap()], "");
    assert!(shown.status.success());
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("POST") && shown.contains("delete user tapped@example.com"),
        "{shown}"
    );
    // Replayed on another server: the create and delete go as recorded.
    let other = demo(5).await;
    let url = other.base_url.clone();
    let path = har.to_str().unwrap().to_owned();
    let replayed = tokio::task::spawn_blocking(move || {
        scimx(&["tap", "replay", &path, "--url", &url], "cli-token")
    })
    .await
    .unwrap();
    assert!(
        replayed.status.success(),
        "{}{}",
        String::from_utf8_lossy(&replayed.stdout),
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert!(String::from_utf8_lossy(&replayed.stdout).contains("2 replayed, 2 as recorded"));
}

/// Shell completions and the manual page come from the same command definitions as `--help`: every
/// subcommand is in them, the bash script is valid bash, and the page is roff `man` can read.
#[test]
fn completions_and_the_manual_page_cover_every_command() {
    let bash = scimx(&["completions", "bash"], "");
    assert!(bash.status.success());
    let script = String::from_utf8_lossy(&bash.stdout).into_owned();
    for sub in ["users", "groups", "snapshot", "tap", "check", "connections"] {
        assert!(script.contains(sub), "completion for {sub}");
    }
    let mut check = Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("bash");
    std::io::Write::write_all(check.stdin.as_mut().expect("stdin"), script.as_bytes())
        .expect("write");
    assert!(
        check.wait().expect("bash -n").success(),
        "the bash completion parses"
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = scimx(&["completions", shell], "");
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    let man = scimx(&["man"], "");
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout).into_owned();
    assert!(
        page.contains(".TH scimx 1"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains(&format!("scimx {}", env!("CARGO_PKG_VERSION"))));
    assert!(page.contains("demo\\-server") || page.contains("demo-server"));
}
