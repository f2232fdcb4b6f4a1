//! `make bench`: the Rust side of the browse screens over a 100,000-user demo directory loaded in
//! full — the column list, a sort, one window of rows, the quick filter (first keystroke builds the
//! search index, later ones scan it) and the role-group matrix: the work behind each load, scroll,
//! keystroke and tab switch. Prints Markdown rows.

use scim_core::ResourceKind;
use std::time::{Duration, Instant};

use scim_services::roles::{self, MatrixQuery};
use scim_services::{Directory, WindowQuery};

const USERS: usize = 100_000;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed(), v)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let dir = Directory::open_demo(USERS).await.expect("demo directory");
        let t = Instant::now();
        let users = dir.load(&ResourceKind::Users, None, &|_| {}).await.expect("users");
        let t_load = t.elapsed();
        let groups = dir.load(&ResourceKind::Groups, None, &|_| {}).await.expect("groups");
        assert!(users.complete && groups.complete);
        let shown: Vec<String> = users
            .columns
            .iter()
            .filter(|c| c.default_visible)
            .map(|c| c.id.clone())
            .collect();
        let q = |sort: &str, quick: Option<&str>, offset: u32| WindowQuery {
            offset,
            limit: 100,
            columns: shown.clone(),
            sort_by: Some(sort.into()),
            descending: false,
            quick: quick.map(str::to_owned),
        };
        let (t_sort, _) = timed(|| dir.window(&ResourceKind::Users, &q("displayName", None, 0)).expect("sort"));
        let (t_window, w) =
            timed(|| dir.window(&ResourceKind::Users, &q("displayName", None, 50_000)).expect("window"));
        assert_eq!(w.rows.len(), 100);
        let (t_quick1, w1) = timed(|| dir.window(&ResourceKind::Users, &q("displayName", Some("an"), 0)).expect("quick"));
        let (t_quick2, w2) = timed(|| dir.window(&ResourceKind::Users, &q("displayName", Some("ana"), 0)).expect("quick"));
        let (t_find1, f1) = timed(|| dir.find("ana.be", 8));
        let (t_find2, f2) = timed(|| dir.find("berg1048@", 8));
        let (t_find3, _) = timed(|| dir.find("ana.ber", 8));
        assert!(!f1.is_empty() && !f2.is_empty());
        let rules = roles::default_rules();
        let mq = MatrixQuery {
            rules,
            holders_only: true,
            limit: 100,
            ..MatrixQuery::default()
        };
        let (t_matrix1, m) = {
            let t = Instant::now();
            let m = dir.role_matrix(&mq).await.expect("matrix");
            (t.elapsed(), m)
        };
        let (t_matrix2, _) = {
            let t = Instant::now();
            let m = dir.role_matrix(&mq).await.expect("matrix");
            (t.elapsed(), m)
        };
        println!(
            "| Benchmark (demo directory: {USERS} users, {} groups, loaded in {}) | Time | Budget |",
            groups.loaded,
            ms(t_load)
        );
        println!("|---|---|---|");
        println!("| Sort {USERS} users by displayName (first window after a sort change) | {} | per sort change |", ms(t_sort));
        println!("| One window of 100 rows × {} columns, sorted (a scroll) | {} | ≤ 16 ms |", shown.len(), ms(t_window));
        println!("| Quick filter, first keystroke \"an\" ({} matches; builds the search index) | {} | ≤ 500 ms |", w1.matched, ms(t_quick1));
        println!("| Quick filter, next keystroke \"ana\" ({} matches) | {} | ≤ 100 ms |", w2.matched, ms(t_quick2));
        println!("| Palette: first search \"ana.be\" among {USERS} users and the groups (builds its index: userName, displayName, emails, externalId, id), best 8 | {} | once per load |", ms(t_find1));
        println!("| Palette: next search \"berg1048@\" (part of an email) | {} | ≤ 33 ms (two frames) |", ms(t_find2));
        println!("| Palette: next keystroke \"ana.ber\" | {} | ≤ 33 ms |", ms(t_find3));
        println!("| Membership matrix, first query ({} users hold one of {} role groups; memberships computed) | {} | per tab switch |", m.matched, m.columns.len(), ms(t_matrix1));
        println!("| Membership matrix, next window of the same query (a scroll) | {} | ≤ 16 ms |", ms(t_matrix2));
        drop(dir);
        first_rows_from_a_slow_server().await;
    });
}

/// Progressive display: against a server taking 100 ms a page, when can the table read its first
/// window? The goal is one page's time plus 100 ms, not the whole load's.
async fn first_rows_from_a_slow_server() {
    let options = scim_services::demo::DemoOptions {
        users: USERS as u32,
        slow: true,
        ..scim_services::demo::DemoOptions::default()
    };
    let dir = Directory::open_demo_with(&options)
        .await
        .expect("slow demo");
    let columns: Vec<String> = ["userName", "displayName"].map(String::from).to_vec();
    let first_window = std::sync::Mutex::new(None);
    let started = Instant::now();
    let loaded = dir
        .load(&ResourceKind::Users, None, &|p| {
            if p.preview.is_some() {
                let w = dir
                    .window(
                        &ResourceKind::Users,
                        &WindowQuery {
                            offset: 0,
                            limit: 100,
                            columns: columns.clone(),
                            ..WindowQuery::default()
                        },
                    )
                    .expect("window while loading");
                if !w.rows.is_empty() {
                    first_window
                        .lock()
                        .expect("lock")
                        .get_or_insert(started.elapsed());
                }
            }
        })
        .await
        .expect("users");
    let t_all = started.elapsed();
    let first = first_window
        .lock()
        .expect("lock")
        .expect("a first window while loading");
    let page_ms = dir
        .request_log()
        .entries()
        .iter()
        .filter(|e| e.url.contains("/Users?") && e.url.contains("startIndex=1&"))
        .map(|e| e.duration_ms)
        .min()
        .expect("the first page in the log");
    let goal = Duration::from_millis(page_ms + 100);
    println!(
        "| First rows readable while loading {} users from a server answering in {} ms (pages of 1000) | {} (the whole load {}) | ≤ the first page ({page_ms} ms) + 100 ms = {}: **{}** |",
        loaded.loaded,
        scim_services::demo::SLOW_MS,
        ms(first),
        ms(t_all),
        ms(goal),
        if first <= goal { "met" } else { "missed" },
    );
}
