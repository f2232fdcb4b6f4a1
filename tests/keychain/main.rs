//! Secrets against a real Secret Service (gnome-keyring on a private session bus): `make keychain`
//! runs this binary inside `dbus-run-session` with an unlocked, throw-away keyring. Includes the leak
//! test: a scripted `scimx` session whose files and outputs must never contain the token.

use std::path::Path;
use std::process::{Command, Output};

use scim_client::Secret;
use scim_demo_server::{DemoConfig, DemoServer};
use scim_services::{Keychain, SecretStore};

const TOKEN: &str = "tok-LEAKCHECK-7f3a9c21e4";
const HEADER_VALUE: &str = "hdr-LEAKCHECK-51c0de";
/// A password set through a PATCH whose `path` is `password` (a dry run, then sent).
const PASSWORD: &str = "pw-LEAKCHECK-Zz9!";

fn scimx(args: &[&str], config_dir: &Path, envs: &[(&str, &str)]) -> Output {
    let bin = scim_explorer_tests::target_dir()
        .join("debug")
        .join("scimx");
    assert!(
        bin.exists(),
        "{} is missing — `make keychain` builds it",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    // Home and data directories inside the test's folder too, so the leak check sees them.
    let root = config_dir.parent().unwrap_or(config_dir);
    cmd.args(args)
        .env("SCIMX_CONFIG_DIR", config_dir)
        .env("HOME", root.join("home"))
        .env_remove("SCIM_TOKEN");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run scimx")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "scimx failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_os_keychain_stores_reads_and_deletes_secrets() {
    let store = Keychain::new(&format!("scim-explorer-test-{}", std::process::id()));
    store
        .set("demo/token", &Secret::new("round-trip-secret"))
        .expect("set in the real keychain");
    assert_eq!(
        store
            .get("demo/token")
            .expect("get")
            .map(|s| s.expose().to_owned()),
        Some("round-trip-secret".into())
    );
    store
        .set("demo/token", &Secret::new("rotated"))
        .expect("replace");
    assert_eq!(
        store
            .get("demo/token")
            .expect("get")
            .map(|s| s.expose().to_owned()),
        Some("rotated".into())
    );
    store.delete("demo/token").expect("delete");
    assert!(
        store.get("demo/token").expect("get").is_none(),
        "NoEntry reads as None"
    );
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scripted_session_never_writes_the_token_anywhere() {
    let server = DemoServer::start(DemoConfig {
        token: Some(TOKEN.into()),
        ..DemoConfig::default()
    })
    .await
    .expect("demo");
    let work = std::env::temp_dir().join(format!("scimx-leak-{}", std::process::id()));
    let config = work.join("config");
    std::fs::create_dir_all(&config).expect("dir");
    let url = server.base_url.clone();
    let work2 = work.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let mut outputs = Vec::new();
        outputs.push(ok(&scimx(
            &[
                "connections",
                "add",
                "Demo",
                "--url",
                &url,
                "--color",
                "#2e7d32",
                "--header",
                "X-Tenant-Id",
            ],
            &config,
            &[
                ("SCIM_TOKEN", TOKEN),
                ("SCIM_HEADER_X_TENANT_ID", HEADER_VALUE),
            ],
        )));
        outputs.push(ok(&scimx(&["connections", "test", "Demo"], &config, &[])));
        outputs.push(ok(&scimx(&["connections", "list"], &config, &[])));
        let log = work2.join("request-log.json");
        let csv = ok(&scimx(
            &[
                "users",
                "list",
                "--connection",
                "Demo",
                "--format",
                "csv",
                "--log",
                log.to_str().expect("utf-8"),
            ],
            &config,
            &[],
        ));
        assert_eq!(
            csv.split("\r\n").filter(|l| !l.is_empty()).count(),
            251,
            "the token came back from the keychain"
        );
        let first_id = csv
            .split("\r\n")
            .nth(1)
            .and_then(|row| row.split(',').next())
            .expect("a user")
            .to_owned();
        outputs.push(csv);
        let value = format!("\"{PASSWORD}\"");
        let patch = |extra: &[&str]| {
            let mut args = vec![
                "patch",
                "users",
                &first_id,
                "--connection",
                "Demo",
                "--op",
                "replace",
                "--path",
                "password",
                "--value",
                &value,
            ];
            args.extend_from_slice(extra);
            ok(&scimx(&args, &config, &[]))
        };
        outputs.push(patch(&["--dry-run"]));
        outputs.push(patch(&["--yes"]));
        let logged = std::fs::read_to_string(&log).expect("request log");
        assert!(
            logged.to_ascii_lowercase().contains("x-tenant-id"),
            "the extra header was sent (and logged masked)"
        );
        let export = ok(&scimx(&["connections", "export"], &config, &[]));
        std::fs::write(work2.join("export.json"), &export).expect("write export");
        outputs.push(export);
        outputs
    })
    .await
    .expect("join");

    let mut checked = 0;
    for file in files(&work) {
        let bytes = std::fs::read(&file).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TOKEN) && !text.contains(HEADER_VALUE) && !text.contains(PASSWORD),
            "a secret leaked into {}",
            file.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "config, request log, change log and export were checked ({checked} files)"
    );
    for out in &outputs {
        assert!(
            !out.contains(TOKEN) && !out.contains(HEADER_VALUE) && !out.contains(PASSWORD),
            "a secret leaked into output: {out}"
        );
    }
    // It is in the keychain, under the debug namespace the scimx debug build uses.
    let stored = Keychain::default()
        .get("demo/token")
        .expect("keychain read");
    assert_eq!(
        stored.map(|s| s.expose().to_owned()),
        Some(TOKEN.to_owned())
    );
    ok(&scimx(
        &["connections", "remove", "Demo"],
        &work.join("config"),
        &[],
    ));
    assert!(
        Keychain::default()
            .get("demo/token")
            .expect("keychain read")
            .is_none(),
        "removing a connection deletes its secret"
    );
    assert!(
        Keychain::default()
            .get("demo/header/x-tenant-id")
            .expect("keychain read")
            .is_none(),
        "and its header values"
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn without_a_keychain_the_user_is_told_and_nothing_is_saved() {
    let config = std::env::temp_dir().join(format!("scimx-nokeychain-{}", std::process::id()));
    std::fs::create_dir_all(&config).expect("dir");
    let out = scimx(
        &[
            "connections",
            "add",
            "Nowhere",
            "--url",
            "https://scim.example.com/v2",
        ],
        &config,
        &[
            ("SCIM_TOKEN", TOKEN),
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keychain"), "{err}");
    assert!(!err.contains(TOKEN));
    assert!(
        !config.join("connections.json").exists(),
        "no connection without its secret"
    );
    let _ = std::fs::remove_dir_all(&config);
}
