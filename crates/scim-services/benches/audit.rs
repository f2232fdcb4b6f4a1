//! `make bench`: the audit loop end to end through the services, over HTTP, at 100,000 users and
//! 2,000 groups — take a snapshot (load everything, write the verified file), read it back, compare
//! it with a changed directory (5% of users changed, 0.5% gone and as many new, memberships moved),
//! then serve the compare screen. Floors: the bare HTTP load for the snapshot, the core diff for the
//! comparison. Prints Markdown rows.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use scim_client::{Auth, CancelFlag, ClientConfig, LoadOptions, ScimClient};
use scim_core::diff::{diff_directories, Directory as Side, MatchKey};
use scim_demo_server::{generate, DemoConfig, DemoServer, SeedData, SeedOptions};
use scim_services::compare::{Comparison, DiffQuery, MatchBy};
use scim_services::snapshot::Snapshot;

const USERS: usize = 100_000;
const GROUPS: usize = 2_000;

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// 100k generated users and 2k groups of ~150 members each (every user in three groups).
fn directory() -> SeedData {
    let mut data = generate(&SeedOptions {
        users: USERS,
        ..SeedOptions::default()
    });
    let ids: Vec<String> = data
        .users
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    data.groups = (0..GROUPS)
        .map(|g| {
            let members: Vec<Value> = (0..USERS)
                .filter(|i| i % GROUPS == g || (i * 7) % GROUPS == g || (i * 13) % GROUPS == g)
                .map(|i| json!({"value": ids[i], "type": "User"}))
                .collect();
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": format!("g{g:06}"),
                "displayName": format!("{}: Group {g}", if g % 2 == 0 { "Profile" } else { "Project" }),
                "members": members,
            })
        })
        .collect();
    data
}

/// The same directory a week later.
fn changed(mut data: SeedData) -> SeedData {
    let gone: Vec<Value> = data.users.drain(..USERS / 200).collect();
    for (i, u) in data.users.iter_mut().enumerate() {
        if i % 20 == 0 {
            u["title"] = json!("Senior field engineer");
        }
    }
    for (k, mut u) in gone.into_iter().enumerate() {
        u["id"] = json!(format!("new-{k:06}"));
        u["userName"] = json!(format!("new.user{k}@example.com"));
        data.users.push(u);
    }
    for (g, group) in data.groups.iter_mut().enumerate() {
        if g % 10 == 0 {
            if let Some(m) = group["members"].as_array_mut() {
                let kept: Vec<Value> = m
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 3 != 0)
                    .map(|(_, v)| v.clone())
                    .collect();
                *m = kept;
            }
        }
    }
    data
}

async fn serve(data: SeedData) -> (DemoServer, ScimClient) {
    let server = DemoServer::start(DemoConfig {
        data: Some(data),
        ..DemoConfig::default()
    })
    .await
    .expect("demo server");
    let client = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).expect("client");
    (server, client)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        eprintln!("generating {USERS} users and {GROUPS} groups…");
        let a_data = directory();
        let b_data = changed(a_data.clone());
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.scimsnap");

        let (server_a, client_a) = serve(a_data).await;
        // Floor: the bare HTTP load of both collections.
        let options = LoadOptions {
            page_size: 1000,
            concurrency: 4,
            ..LoadOptions::default()
        };
        let t = Instant::now();
        let users = client_a.load_all("Users", &options, &CancelFlag::default(), &|_| {}).await;
        let groups = client_a.load_all("Groups", &options, &CancelFlag::default(), &|_| {}).await;
        let t_load = t.elapsed();
        assert_eq!((users.resources.len(), groups.resources.len()), (USERS, GROUPS));
        drop((users, groups));

        let t = Instant::now();
        let mut snap = scim_services::take_snapshot::take(&client_a, "Bench", None, None).await.expect("snapshot");
        snap.write(&file).expect("write");
        let t_take = t.elapsed();
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        drop((snap, server_a));

        let t = Instant::now();
        let a = Snapshot::read(&file).expect("read");
        let t_read = t.elapsed();

        let (_server_b, client_b) = serve(b_data).await;
        let t = Instant::now();
        let b = scim_services::take_snapshot::take(&client_b, "Bench", None, None).await.expect("live side");
        let t_live = t.elapsed();

        // Floor: the core diff alone.
        let t = Instant::now();
        let core = diff_directories(
            &Side { users: &a.users, groups: &a.groups },
            &Side { users: &b.users, groups: &b.groups },
            MatchKey::Id,
        );
        let t_core = t.elapsed();
        let core_lines = core.users.len() + core.groups.len() + core.memberships.len();
        drop(core);

        let t = Instant::now();
        let c = Comparison::new(a, "A".into(), b, "B".into(), MatchBy::Id);
        let t_compare = t.elapsed();
        assert_eq!(c.summary.lines as usize, core_lines);
        let q = DiffQuery { limit: 100, ..DiffQuery::default() };
        let t = Instant::now();
        let w = c.window(&q);
        let t_window = t.elapsed();
        let t = Instant::now();
        let filtered = c.window(&DiffQuery {
            categories: vec![scim_services::compare::DiffCategory::Membership],
            changes: vec![scim_services::compare::DiffChange::Removed],
            quick: Some("profile".into()),
            limit: 100,
            ..DiffQuery::default()
        });
        let t_filter = t.elapsed();
        let t = Instant::now();
        let d = c.detail(w.lines[0].index).expect("detail");
        let t_detail = t.elapsed();
        let t = Instant::now();
        let csv = c.to_csv(&DiffQuery::default(), false);
        let t_csv = t.elapsed();
        let ratio = |x: Duration, floor: Duration| x.as_secs_f64() / floor.as_secs_f64().max(1e-9);

        println!("| Benchmark ({USERS} users, {GROUPS} groups, over loopback HTTP) | Time | Floor | Ratio |");
        println!("|---|---|---|---|");
        println!("| Snapshot: load everything and write the verified gzip file ({:.1} MB) | {} | bare HTTP load {} | {:.2}× |", size as f64 / 1e6, ms(t_take), ms(t_load), ratio(t_take, t_load));
        println!("| Read the snapshot back (gunzip, SHA-256 check, parse) | {} | — | — |", ms(t_read));
        println!("| Read the changed directory now (the compare's live side) | {} | — | — |", ms(t_live));
        println!("| Compare: {} narrated lines (users, groups, memberships), counters | {} | core diff {} | {:.2}× |", c.summary.lines, ms(t_compare), ms(t_core), ratio(t_compare, t_core));
        println!("| First window of 100 lines | {} | ≤ 16 ms | — |", ms(t_window));
        println!("| Counter + text filter over every line ({} match) | {} | ≤ 100 ms | — |", filtered.matched, ms(t_filter));
        println!("| One line's field diff ({} fields) | {} | ≤ 16 ms | — |", d.fields.len(), ms(t_detail));
        println!("| Export every line as CSV ({:.1} MB) | {} | — | — |", csv.len() as f64 / 1e6, ms(t_csv));
    });
}
