//! Pages larger than the client reads: a page of groups whose members run to hundreds of megabytes
//! is asked for again in smaller pieces until each fits, in order and each resource once; a single
//! resource too large on its own ends the load partial, saying which.

use std::sync::{Arc, Mutex};

use scim_client::{Auth, CancelFlag, ClientConfig, ClientError, LoadOptions, ScimClient, Secret};
use scim_core::raw_list::{raw_id, raw_value, RawResource};
use scim_explorer_tests::hostile::{Hostile, Mode, HEAVY_PAGES_USERS};

fn client(base: &str, max_body_bytes: u64) -> ScimClient {
    let mut config = ClientConfig::new(base, Auth::Bearer(Secret::new("t")));
    config.max_body_bytes = max_body_bytes;
    ScimClient::new(config).expect("client")
}

fn options() -> LoadOptions {
    LoadOptions {
        page_size: 50,
        concurrency: 4,
        ..LoadOptions::default()
    }
}

/// Every user of `c`'s server, as one load with `options`.
async fn load_users(c: &ScimClient, options: &LoadOptions) -> scim_client::LoadAll {
    c.load_all("Users", options, &CancelFlag::default(), &|_| {})
        .await
}

fn expected() -> Vec<String> {
    (1..=HEAVY_PAGES_USERS)
        .map(|i| format!("u{i:03}"))
        .collect()
}

#[tokio::test]
async fn a_page_over_the_body_limit_is_loaded_in_smaller_pieces() {
    let server = Hostile::start().await;
    // A page of 50 plain users is ~10 kB; each heavy user ~125 kB, the page with both ~250 kB.
    let c = client(&server.base_url(Mode::HeavyPages), 200 * 1024);
    let all = load_users(&c, &options()).await;
    assert!(all.error.is_none(), "{:?}", all.error);
    let ids: Vec<String> = all.resources.iter().filter_map(|r| raw_id(r)).collect();
    assert_eq!(ids, expected(), "every user once, in the server's order");
    let heavy = raw_value(&all.resources[59]);
    assert!(
        heavy["x-members"]
            .as_array()
            .is_some_and(|m| m.len() > 1000),
        "the heavy user came whole"
    );
    let warning = all
        .warnings
        .iter()
        .find(|w| w.code == "paging.pageTooLarge")
        .expect("a warning says pages were split");
    assert!(warning.message.contains("200.0 kB"), "{}", warning.message);
}

#[tokio::test]
async fn a_streamed_load_splits_a_large_page_and_keeps_the_order() {
    let server = Hostile::start().await;
    let c = client(&server.base_url(Mode::HeavyPages), 200 * 1024);
    let got = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink_got = got.clone();
    let mut sink = move |page: Vec<RawResource>| {
        sink_got
            .lock()
            .expect("lock")
            .extend(page.iter().filter_map(|r| raw_id(r)));
        Ok(())
    };
    let result = c
        .stream_all(
            "Users",
            &options(),
            &CancelFlag::default(),
            &|_| {},
            &mut sink,
        )
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(*got.lock().expect("lock"), expected());
}

#[tokio::test]
async fn one_resource_too_large_alone_ends_the_load_partial_naming_it() {
    let server = Hostile::start().await;
    // Each heavy user alone is over 100 kB: nothing can be split further.
    let c = client(&server.base_url(Mode::HeavyPages), 100 * 1024);
    let all = load_users(&c, &options()).await;
    let Some(ClientError::TooLarge { url, .. }) = &all.error else {
        panic!("expected a too-large error, got {:?}", all.error);
    };
    assert!(
        url.contains("count=1") && (url.contains("startIndex=60") || url.contains("startIndex=61")),
        "the error names the one resource: {url}"
    );
    assert!(
        all.resume_from.contains(&60) || all.resume_from.contains(&61),
        "and Resume knows where: {:?}",
        all.resume_from
    );
    // Everything else that was asked for is kept.
    assert!(all.resources.len() >= 90, "kept {}", all.resources.len());
}

#[tokio::test]
async fn a_first_page_too_large_makes_the_load_ask_for_smaller_pages() {
    let server = Hostile::start().await;
    // 25 plain users of ~230 bytes: a page of 100 (all 25) is ~6 kB, over a 2 kB limit.
    let c = client(&server.base_url(Mode::IgnoredFilter), 2 * 1024);
    let options = LoadOptions {
        page_size: 100,
        ..LoadOptions::default()
    };
    let all = load_users(&c, &options).await;
    assert!(all.error.is_none(), "{:?}", all.error);
    let ids: Vec<String> = all.resources.iter().filter_map(|r| raw_id(r)).collect();
    let expected: Vec<String> = (1..=25).map(|i| format!("u{i}")).collect();
    assert_eq!(ids, expected);
    assert!(all.page_step < 25, "paged by {}", all.page_step);
    assert!(
        all.warnings.iter().any(|w| w.code == "paging.pageTooLarge"),
        "{:?}",
        all.warnings
    );
    assert!(
        !all.warnings.iter().any(|w| w.code == "paging.serverCap"),
        "the smaller pages were ours, not a server cap: {:?}",
        all.warnings
    );
}

#[tokio::test]
async fn an_endless_body_is_read_past_the_limit_a_bounded_number_of_times() {
    let server = Hostile::start().await;
    // No Content-Length: each try reads the whole limit before it is refused, so tries are few.
    let c = client(&server.base_url(Mode::EndlessBody), 256 * 1024);
    let all = load_users(&c, &LoadOptions::default()).await;
    assert!(
        matches!(
            all.error,
            Some(ClientError::TooLarge {
                announced: false,
                ..
            })
        ),
        "{:?}",
        all.error
    );
    let asked = server.requests();
    assert!(
        (2..=4).contains(&asked),
        "a first page of 500 cut eight ways three times at most, then given up: {asked} requests"
    );
}

#[tokio::test]
async fn an_announced_huge_answer_is_refused_unread_and_cut_down_to_one_resource() {
    let server = Hostile::start().await;
    let c = client(&server.base_url(Mode::HugeLength), 1024 * 1024);
    let all = load_users(&c, &LoadOptions::default()).await;
    let Some(ClientError::TooLarge { url, announced, .. }) = &all.error else {
        panic!("{:?}", all.error);
    };
    assert!(*announced);
    assert!(url.contains("count=1"), "{url}");
    // 500, 125, 31, 7, 1: five requests, each refused by its Content-Length before a byte was read
    // (the server builds each answer: halving would have asked it ten times).
    assert_eq!(server.requests(), 5);
}
