//! Adaptive pacing against a demo server that rate-limits like SaaS SCIM APIs: the client finds the
//! server's limit, stays under it, honours Retry-After, and spaces its requests when told to.

use scim_client::{Auth, CancelFlag, ClientConfig, LoadOptions, PacingConfig, ScimClient, Secret};
use scim_demo_server::{DemoConfig, DemoServer, RateLimit, SeedOptions};

async fn limited(users: usize, rate_limit: RateLimit, latency_ms: u64) -> DemoServer {
    DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users,
            ..SeedOptions::default()
        },
        max_results: 100,
        latency_ms,
        rate_limit,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server")
}

fn client(base: &str, pacing: PacingConfig) -> ScimClient {
    let mut config = ClientConfig::new(base, Auth::Bearer(Secret::new("t")));
    config.pacing = pacing;
    ScimClient::new(config).expect("client")
}

#[tokio::test]
async fn a_server_allowing_two_at_once_is_loaded_whole_with_few_429s() {
    let server = limited(
        4_000,
        RateLimit {
            max_in_flight: Some(2),
            per_second: None,
        },
        20,
    )
    .await;
    let c = client(&server.base_url, PacingConfig::default());
    let result = c
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 4_000);
    let stats = server.stats();
    // 40 pages: a fixed 4 in flight had half of them refused (and ran out of retries); the pacer
    // crosses the limit once or twice to find it.
    assert!(
        stats.throttled * 10 <= stats.requests,
        "{} of {} requests answered 429",
        stats.throttled,
        stats.requests
    );
    let pacing = c.pacer().stats();
    assert!(pacing.cuts >= 1, "{pacing:?}");
    assert!(
        pacing.window <= 2,
        "settled at the server's limit: {pacing:?}"
    );
}

#[tokio::test]
async fn a_requests_per_second_limit_keeps_under_the_servers_rate() {
    let server = limited(
        1_500,
        RateLimit {
            max_in_flight: None,
            per_second: Some(10),
        },
        0,
    )
    .await;
    let c = client(
        &server.base_url,
        PacingConfig {
            requests_per_second: Some(8.0),
            ..PacingConfig::default()
        },
    );
    let result = c
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 1_500);
    assert_eq!(server.stats().throttled, 0, "8 per second never crosses 10");
}

#[tokio::test]
async fn without_a_limit_the_window_opens_to_the_maximum() {
    // 100 ms per answer: far above what a busy test machine adds, so the window sees a steady server.
    let server = limited(3_000, RateLimit::default(), 100).await;
    let c = client(&server.base_url, PacingConfig::default());
    let result = c
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 3_000);
    assert_eq!(c.pacer().stats().peak_window, 8, "{:?}", c.pacer().stats());
    assert!(server.stats().peak_in_flight >= 6, "{:?}", server.stats());
}

/// A connection allowed more than the default 8 at once gets them: the load's own cap is the
/// connection's (a default of 8 in the load options once held `--max-in-flight 16` to 8).
#[tokio::test]
async fn a_connection_allowing_sixteen_at_once_gets_more_than_eight() {
    let server = limited(4_000, RateLimit::default(), 100).await;
    let c = client(
        &server.base_url,
        PacingConfig {
            max_in_flight: 16,
            ..PacingConfig::default()
        },
    );
    let result = c
        .load_all(
            "Users",
            &LoadOptions::default(),
            &CancelFlag::default(),
            &|_| {},
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.resources.len(), 4_000);
    assert!(server.stats().peak_in_flight > 8, "{:?}", server.stats());
}
