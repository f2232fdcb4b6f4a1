//! Hostile and broken servers (tests/support/hostile.rs), through what users run: the `scimx` binary
//! and the services the app calls. Each case must end in bounded time and memory, with a clear
//! message and no panic.

use scim_core::ResourceKind;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scim_explorer_tests::hostile::{Hostile, Mode, FORMULAS, SHELL_ETAG, SHELL_MARKER};
use scim_services::{AuthKind, Connection, Connections, Directory, MemoryStore};

/// What a `scimx` run left: its output, how long it took and the most memory it held.
pub(crate) struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub peak_rss_mb: u64,
}

/// The `scimx` binary, brought up to date once per test process (this crate cannot name another
/// package's binary, and a stale one would test yesterday's code); a no-op build takes a second.
pub(crate) fn scimx_binary() -> PathBuf {
    // `SCIMX_BIN` runs these cases against another build (say, an older release, to see them fail).
    if let Some(bin) = std::env::var_os("SCIMX_BIN") {
        return PathBuf::from(bin);
    }
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "scimx", "--locked", "--quiet"])
            .current_dir(scim_explorer_tests::workspace_root())
            .status()
            .expect("cargo build -p scimx");
        assert!(status.success(), "scimx did not build");
    });
    scim_explorer_tests::target_dir()
        .join("debug")
        .join("scimx")
}

/// The peak resident memory of a running process, in MB (`VmHWM`, the high-water mark).
fn peak_rss_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Runs scimx with `args`, killed at `limit` (a hang is a failure, reported as such).
fn scimx(args: &[&str], limit: Duration) -> Run {
    let config = tempfile::tempdir().expect("config dir");
    // Built (or found fresh) before the clock starts: a cold build is not a hang.
    let bin = scimx_binary();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env("SCIMX_CONFIG_DIR", config.path())
        .env_remove("SCIM_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scimx");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(mb) = peak_rss_mb(child.id()) {
            peak = peak.max(mb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "scimx {args:?} was still running after {limit:?} (peak {peak} MB); stderr so far: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        ok: status.success(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed: started.elapsed(),
        peak_rss_mb: peak,
    }
}

/// [`scimx`] from an async test, on a blocking thread (the hostile server runs on the test's runtime).
pub(crate) async fn scimx_in_background(args: &[&str], limit_secs: u64) -> Run {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        scimx(&args, Duration::from_secs(limit_secs))
    })
    .await
    .expect("run")
}

/// A failure that reads as a message: one line, no panic, no backtrace.
fn assert_clear_failure(run: &Run, says: &[&str]) {
    assert!(!run.ok, "expected a failure; stdout: {}", run.stdout);
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("internal error"),
        "{}",
        run.stderr
    );
    for s in says {
        assert!(run.stderr.contains(s), "stderr lacks {s:?}: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_total_is_clamped_and_loading_stops_at_the_cap() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::LyingTotal);
    let run = scimx_in_background(
        &["users", "list", "--url", &url, "--max-resources", "300"],
        90,
    )
    .await;
    assert_clear_failure(
        &run,
        &[
            "announces 1000000000000000",
            "the connection's cap",
            "Resume",
        ],
    );
    assert!(run.peak_rss_mb < 300, "peak {} MB", run.peak_rss_mb);
    // One resource per page, 300 of them: about 300 requests, not a trillion.
    assert!(server.requests() < 400, "{} requests", server.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_new_ids_without_a_total_stop_at_the_cap() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::EndlessIds);
    let run = scimx_in_background(
        &[
            "users",
            "list",
            "--url",
            url.as_str(),
            "--max-resources",
            "200",
        ],
        90,
    )
    .await;
    assert_clear_failure(&run, &["stopped after 200 resources"]);
    assert!(server.requests() < 300, "{} requests", server.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_are_read_with_a_size_cap_and_a_stall_check() {
    let server = Hostile::start().await;
    let urls: Vec<(Mode, String)> = [
        Mode::EndlessBody,
        Mode::HugeLength,
        Mode::Trickle,
        Mode::Stall,
    ]
    .into_iter()
    .map(|m| (m, server.base_url(m)))
    .collect();
    let runs = tokio::task::spawn_blocking(move || {
        urls.iter()
            .map(|(mode, url)| {
                let args = ["--timeout", "3", "users", "list", "--url", url.as_str()];
                (*mode, scimx(&args, Duration::from_secs(90)))
            })
            .collect::<Vec<_>>()
    })
    .await
    .expect("runs");
    for (mode, run) in &runs {
        match mode {
            Mode::EndlessBody => {
                assert_clear_failure(run, &["sent more than the 128.0 MB read at most"]);
                assert!(run.peak_rss_mb < 500, "peak {} MB", run.peak_rss_mb);
            }
            Mode::HugeLength => {
                assert_clear_failure(run, &["announced an answer of 50.0 GB"]);
                assert!(run.peak_rss_mb < 100, "peak {} MB", run.peak_rss_mb);
            }
            Mode::Trickle => {
                assert_clear_failure(run, &["still sending when the request's time ran out"])
            }
            Mode::Stall => assert_clear_failure(run, &["stopped part-way through its answer"]),
            _ => unreachable!(),
        }
        // Three seconds of patience, a few retries at most: never the minutes a trickle could take.
        assert!(
            run.elapsed < Duration::from_secs(60),
            "{mode:?} took {:?}",
            run.elapsed
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unicode_attribute_names_list_and_preview_without_a_panic() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::Unicode);
    let (listed, patched) = tokio::task::spawn_blocking(move || {
        let listed = scimx(
            &["users", "list", "--url", &url, "--format", "csv"],
            Duration::from_secs(60),
        );
        let patched = scimx(
            &[
                "patch",
                "users",
                "u1",
                "--url",
                &url,
                "--op",
                "replace",
                "--path",
                "displayName",
                "--value",
                "\"Zoë\"",
                "--dry-run",
            ],
            Duration::from_secs(60),
        );
        (listed, patched)
    })
    .await
    .expect("runs");
    assert!(listed.ok, "{}", listed.stderr);
    assert!(
        listed.stdout.contains("zoë.müller@exämple.de"),
        "{}",
        listed.stdout
    );
    assert!(listed.stdout.contains("עברית 🚀"), "{}", listed.stdout);
    assert!(patched.ok, "{}", patched.stderr);
    assert!(patched.stdout.contains("Zoë"), "{}", patched.stdout);
    assert!(!patched.stderr.contains("panicked"), "{}", patched.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_answers_get_short_specific_messages() {
    let server = Hostile::start().await;
    let urls: Vec<(Mode, String)> = [Mode::DeepJson, Mode::HugeRetryAfter, Mode::Html500]
        .into_iter()
        .map(|m| (m, server.base_url(m)))
        .collect();
    let runs = tokio::task::spawn_blocking(move || {
        urls.iter()
            .map(|(mode, url)| {
                let args = ["users", "list", "--url", url.as_str()];
                (*mode, scimx(&args, Duration::from_secs(60)))
            })
            .collect::<Vec<_>>()
    })
    .await
    .expect("runs");
    for (mode, run) in &runs {
        match mode {
            // Left out with a warning naming it, not turned into an empty row.
            Mode::DeepJson => {
                assert!(run.ok, "{}", run.stderr);
                assert!(
                    run.stderr.contains(
                        "nest deeper than 128 levels and cannot be read; they were left out (d)"
                    ),
                    "{}",
                    run.stderr
                );
                assert_eq!(
                    run.stdout.lines().count(),
                    1,
                    "no empty row: {}",
                    run.stdout
                );
            }
            Mode::HugeRetryAfter => {
                assert_clear_failure(run, &["HTTP 429", "rate limiting"]);
                assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
            }
            Mode::Html500 => {
                assert_clear_failure(
                    run,
                    &[
                        "HTTP 500",
                        "an HTML page titled '500 Internal Server Error'",
                    ],
                );
                assert!(!run.stderr.contains("Traceback"), "{}", run.stderr);
                assert!(run.stderr.len() < 400, "{}", run.stderr);
            }
            _ => unreachable!(),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_that_would_run_as_formulas_are_neutralised() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::Formulas);
    let run = scimx_in_background(
        &["users", "list", "--url", url.as_str(), "--format", "csv"],
        60,
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    for line in run.stdout.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?} in {line:?}"
            );
        }
    }
    assert!(run.stdout.contains("'=HYPERLINK("), "{}", run.stdout);
    assert!(run.stdout.contains("'+1+1"), "{}", run.stdout);
    assert!(FORMULAS.len() <= run.stdout.lines().count());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_the_server_ignores_is_applied_locally_with_a_warning() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::IgnoredFilter);
    let run = scimx_in_background(
        &[
            "users",
            "list",
            "--url",
            url.as_str(),
            "--format",
            "csv",
            "--filter",
            "userName eq \"user3\"",
        ],
        60,
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert!(rows[0].contains("user3"));
    assert!(
        run.stderr
            .contains("24 resources that do not match the filter"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_failing_on_count_is_paged_without_it() {
    let server = Hostile::start().await;
    let url = server.base_url(Mode::Count500);
    let run = scimx_in_background(
        &["users", "list", "--url", url.as_str(), "--format", "csv"],
        60,
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 26, "a header and 25 users");
    assert!(
        run.stderr.contains("failed on a request carrying `count`"),
        "{}",
        run.stderr
    );
}

// ---- through the services the app uses --------------------------------------------------------

/// A saved connection (no auth) to `url` in a throw-away config directory.
fn saved(url: &str, max_resources: Option<u32>) -> (tempfile::TempDir, Connections) {
    let dir = tempfile::tempdir().expect("dir");
    let connections = Connections::new(dir.path(), Arc::new(MemoryStore::default()));
    let mut c = Connection::bearer("Hostile", url);
    c.auth = AuthKind::None;
    c.max_resources = max_resources;
    connections.add(c, None).expect("add");
    (dir, connections)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_stops_a_lying_server_at_the_cap_and_resumes_from_there() {
    let server = Hostile::start().await;
    let (_dir, connections) = saved(&server.base_url(Mode::LyingTotal), Some(150));
    let dir = Directory::open_saved(&connections, "Hostile")
        .await
        .expect("open");
    let summary = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert!(!summary.complete);
    assert!(
        summary.loaded >= 150 && summary.loaded < 200,
        "{}",
        summary.loaded
    );
    let error = summary.error.as_ref().expect("partial");
    assert!(error.message.contains("cap"), "{}", error.message);
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.contains("announces 1000000000000000")),
        "{:?}",
        summary.warnings
    );
    let resumed = dir
        .resume(&ResourceKind::Users, &|_| {})
        .await
        .expect("resume");
    assert!(
        resumed.loaded >= 300 && resumed.loaded < 400,
        "{}",
        resumed.loaded
    );
    assert!(!resumed.complete);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_remembers_a_server_that_fails_on_count() {
    let server = Hostile::start().await;
    let (config, connections) = saved(&server.base_url(Mode::Count500), None);
    let dir = Directory::open_saved(&connections, "Hostile")
        .await
        .expect("open");
    let summary = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert!(summary.complete, "{:?}", summary.error);
    assert_eq!(summary.loaded, 25);
    assert!(summary.warnings.iter().any(|w| w.contains("`count`")));
    let again = Connections::new(config.path(), Arc::new(MemoryStore::default()));
    assert!(
        again.find("Hostile").expect("saved").omit_count,
        "remembered"
    );
    let before = server.requests();
    let dir = Directory::open_saved(&again, "Hostile")
        .await
        .expect("reopen");
    let summary = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert_eq!(summary.loaded, 25);
    // Discovery (3) and three pages of 10: no failed request with `count` first.
    assert_eq!(server.requests() - before, 6);
    assert!(dir.summary().warnings.iter().any(|w| w.contains("`count`")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_checks_results_against_the_filter_and_previews_unicode_users() {
    let server = Hostile::start().await;
    let (_d1, connections) = saved(&server.base_url(Mode::IgnoredFilter), None);
    let dir = Directory::open_saved(&connections, "Hostile")
        .await
        .expect("open");
    let summary = dir
        .load(
            &ResourceKind::Users,
            Some("userName eq \"user7\"".into()),
            &|_| {},
        )
        .await
        .expect("load");
    assert_eq!(summary.loaded, 1);
    assert!(summary
        .warnings
        .iter()
        .any(|w| w.contains("do not match the filter")));

    let (_d2, connections) = saved(&server.base_url(Mode::Unicode), None);
    let dir = Directory::open_saved(&connections, "Hostile")
        .await
        .expect("open");
    let summary = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert_eq!(summary.loaded, 2);
    let preview = dir
        .writer()
        .preview_patch(&scim_services::writes::PatchDraft {
            kind: ResourceKind::Users,
            id: "u1".into(),
            body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Zoë"}]}"#.into(),
            dialect: Default::default(),
            as_put: false,
        })
        .await
        .expect("preview");
    assert!(preview.predicted.is_some_and(|p| p.contains("Zoë")));
    let detail = dir
        .resource(&ResourceKind::Users, "u1")
        .await
        .expect("detail");
    assert!(format!("{detail:?}").contains("Numéro"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_explains_an_html_error_page() {
    let server = Hostile::start().await;
    let (_dir, connections) = saved(&server.base_url(Mode::Html500), None);
    // Discovery falls back to defaults, and says why in the connection's warnings.
    let dir = Directory::open_saved(&connections, "Hostile")
        .await
        .expect("open");
    let warnings = dir.summary().warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("an HTML page titled '500 Internal Server Error'")),
        "{warnings:?}"
    );
    let summary = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    let error = summary.error.expect("the load failed");
    let detail = error.scim.and_then(|s| s.detail).unwrap_or_default();
    assert!(
        detail.starts_with("an HTML page titled '500 Internal Server Error'"),
        "{detail}"
    );
    assert!(!detail.contains("Traceback"), "{detail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_as_curl_expands_nothing_but_the_placeholders() {
    let server = Hostile::start().await;
    let log = scim_client::RequestLog::default();
    let config = scim_client::ClientConfig::new(
        server.base_url(Mode::ShellEtag),
        scim_client::Auth::Bearer(scim_client::Secret::new("tok-123")),
    );
    let client = scim_client::ScimClient::new(config)
        .expect("client")
        .with_log(log.clone());
    let user = client.get("Users", "s1").await.expect("get");
    let etag = user.etag.expect("etag");
    assert_eq!(etag, SHELL_ETAG);
    let url = client.url(&["Users", "s1"], None);
    let _ = client
        .send(scim_client::Method::GET, url, None, Some(&etag))
        .await;
    let entry = log.entries().into_iter().last().expect("logged");
    let curl = scim_services::LogEntry::from(&entry).curl;
    assert!(curl.contains("if-match"), "{curl}");
    // Run it with `curl` standing in as a function that prints its arguments.
    let _ = std::fs::remove_file(SHELL_MARKER);
    let script = format!("curl() {{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }}\n{curl}\n");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("SCIM_TOKEN", "tok-from-env")
        .output()
        .expect("sh");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        !std::path::Path::new(SHELL_MARKER).exists(),
        "the shell ran the ETag"
    );
    assert!(
        printed.contains(&format!("if-match: {SHELL_ETAG}")),
        "{printed}"
    );
    assert!(
        printed.contains("authorization: Bearer tok-from-env"),
        "{printed}"
    );
    assert!(!curl.contains("tok-123"), "{curl}");
}
