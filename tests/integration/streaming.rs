//! Streaming loads (`ScimClient::stream_all`): pages handed on in the server's order however they
//! arrive, each resource once, a bounded number of pages held, and a sink that fails stops the load.

use std::sync::{Arc, Mutex};

use scim_client::{Auth, CancelFlag, ClientConfig, ClientError, LoadOptions, ScimClient, Secret};
use scim_core::raw_list::{raw_id, RawResource};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};
use scim_explorer_tests::hostile::{Hostile, Mode, SLOW_PAGE_USERS};

fn client(base: &str) -> ScimClient {
    ScimClient::new(ClientConfig::new(base, Auth::Bearer(Secret::new("t")))).expect("client")
}

fn ids(page: &[RawResource]) -> Vec<String> {
    page.iter().map(|r| raw_id(r).expect("an id")).collect()
}

#[tokio::test]
async fn a_slow_early_page_holds_the_later_ones_and_everything_comes_out_in_order() {
    let server = Hostile::start().await;
    let c = client(&server.base_url(Mode::SlowPage));
    let options = LoadOptions {
        page_size: 20,
        concurrency: 4,
        ..LoadOptions::default()
    };
    let got = Arc::new(Mutex::new(Vec::<Vec<String>>::new()));
    let sink_got = got.clone();
    let mut sink = move |page: Vec<RawResource>| {
        sink_got.lock().expect("lock").push(ids(&page));
        Ok(())
    };
    let result = c
        .stream_all(
            "Users",
            &options,
            &CancelFlag::default(),
            &|_| {},
            &mut sink,
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.streamed, Some(SLOW_PAGE_USERS));
    assert!(
        result.resources.is_empty(),
        "a stream holds nothing when done"
    );
    let pages = got.lock().expect("lock").clone();
    let flat: Vec<String> = pages.iter().flatten().cloned().collect();
    let expected: Vec<String> = (1..=SLOW_PAGE_USERS).map(|i| format!("u{i:03}")).collect();
    assert_eq!(flat, expected, "every user once, in the server's order");
    // The page at 101 was short: its gap (106…120) came as a page of its own, in its place.
    assert!(
        pages
            .iter()
            .any(|p| p.first().map(String::as_str) == Some("u106")),
        "{pages:?}"
    );
    // While page 21 took its time, later pages waited, but never more than 2 per page in flight.
    assert!(
        result.peak_waiting_pages >= 2,
        "later pages did arrive first ({})",
        result.peak_waiting_pages
    );
    assert!(
        result.peak_waiting_pages <= 8,
        "held {} pages",
        result.peak_waiting_pages
    );
}

#[tokio::test]
async fn a_stream_hands_on_what_a_whole_load_holds() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 1_234,
            ..SeedOptions::default()
        },
        max_results: 100,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let c = client(&server.base_url);
    let options = LoadOptions {
        page_size: 250,
        concurrency: 4,
        ..LoadOptions::default()
    };
    let whole = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    let mut streamed = Vec::new();
    let mut sink = |page: Vec<RawResource>| {
        streamed.extend(page.into_iter().map(|r| r.get().to_owned()));
        Ok(())
    };
    let result = c
        .stream_all(
            "Users",
            &options,
            &CancelFlag::default(),
            &|_| {},
            &mut sink,
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    let held: Vec<String> = whole.resources.iter().map(|r| r.get().to_owned()).collect();
    assert_eq!(held.len(), 1_234);
    assert_eq!(
        streamed, held,
        "the same resources, byte for byte, in the same order"
    );
    // The same warnings too (the server caps pages at 100).
    assert_eq!(
        result.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        whole.warnings.iter().map(|w| w.code).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_sink_that_fails_stops_the_load_and_says_so() {
    let server = Hostile::start().await;
    let c = client(&server.base_url(Mode::SlowPage));
    let options = LoadOptions {
        page_size: 20,
        concurrency: 2,
        ..LoadOptions::default()
    };
    let mut pages = 0;
    let mut sink = |_page: Vec<RawResource>| {
        pages += 1;
        if pages == 3 {
            Err("Broken pipe (os error 32)".to_owned())
        } else {
            Ok(())
        }
    };
    let result = c
        .stream_all(
            "Users",
            &options,
            &CancelFlag::default(),
            &|_| {},
            &mut sink,
        )
        .await;
    assert_eq!(
        result.error,
        Some(ClientError::Output("Broken pipe (os error 32)".into()))
    );
    assert_eq!(pages, 3, "nothing is handed on after the sink failed");
    assert_eq!(result.streamed, Some(40), "two pages went out");
    // It stopped asking: far fewer than the 16 pages of the directory were requested.
    assert!(server.requests() < 10, "{} requests", server.requests());
}

/// `scimx users list` writes as the pages come: every user once, in the server's order, in memory
/// that does not hold the directory (the version that built the whole listing first peaked at
/// 327 MB for these 30,000 users, 31 MB of JSON; streaming, 39 MB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_streams_a_listing_in_order_without_holding_it() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 30_000,
            ..SeedOptions::default()
        },
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let whole = client(&server.base_url)
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    let expected: Vec<String> = whole
        .resources
        .iter()
        .map(|r| raw_id(r).expect("id"))
        .collect();
    drop(whole);
    let run = crate::hostile::scimx_in_background(
        &[
            "users",
            "list",
            "--url",
            &server.base_url,
            "--format",
            "jsonl",
        ],
        120,
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let got: Vec<String> = run
        .stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
            v["id"].as_str().expect("id").to_owned()
        })
        .collect();
    assert_eq!(got.len(), 30_000);
    assert_eq!(got, expected, "in the server's order, each once");
    assert!(
        run.peak_rss_mb < 120,
        "peak {} MB: the listing was held, not streamed",
        run.peak_rss_mb
    );
    // The JSON array and the CSV hold the same users.
    let json = crate::hostile::scimx_in_background(
        &[
            "users",
            "list",
            "--url",
            &server.base_url,
            "--format",
            "json",
        ],
        120,
    )
    .await;
    let array: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).expect("one JSON array");
    assert_eq!(array.len(), 30_000);
    let csv = crate::hostile::scimx_in_background(
        &[
            "users",
            "list",
            "--url",
            &server.base_url,
            "--format",
            "csv",
        ],
        120,
    )
    .await;
    assert_eq!(
        csv.stdout.split("\r\n").filter(|l| !l.is_empty()).count(),
        30_001,
        "a header and a row per user"
    );
}

/// A reader that stops early (`| head`) ends the listing quietly: no error, exit 0, and no more
/// pages asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_hangs_up_ends_the_listing_quietly() {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 20_000,
            ..SeedOptions::default()
        },
        max_results: 100,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let bin = crate::hostile::scimx_binary();
    let base = server.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "'{}' users list --url '{base}' --format csv | head -n 3; echo \"status ${{PIPESTATUS[0]}}\" >&2",
                bin.display()
            ))
            .env("SCIMX_CONFIG_DIR", std::env::temp_dir().join("scimx-hangup-test"))
            .output()
            .expect("bash")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stderr.contains("status 0"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    // 200 pages of 100: it stopped asking soon after the reader left.
    let asked = server.stats().requests;
    assert!(
        asked < 60,
        "{asked} requests after the reader hung up at the first page"
    );
}
