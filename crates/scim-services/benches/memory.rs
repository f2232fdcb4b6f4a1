//! `make bench`: the memory a loaded directory costs the app, against the size of its JSON. A saved
//! connection (the app's own services, as a window opens it) on an external `scimx demo-server`
//! process, so the server's memory is not ours; resident memory of this process before the load,
//! after it, and after what the screens do next (a sort, the quick filter, the palette). Prints
//! Markdown rows. `MEMORY_USERS=100000,1000000` picks the sizes.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use scim_core::ResourceKind;
use scim_services::{ConnectionInput, Connections, Directory, MemoryStore, WindowQuery};

fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

struct Server(std::process::Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn demo(users: usize) -> (Server, String) {
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/scimx");
    let mut child = Command::new(bin)
        .args(["demo-server", "--port", "0", "--users", &users.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e} (make bench builds it)"));
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("base URL");
    (Server(child), line.trim().to_owned())
}

fn main() {
    // Each size is measured in a process of its own: memory freed by one size stays with the
    // process (the allocator keeps it) and would be counted against the next.
    if let Some(users) = std::env::var("MEMORY_ONE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        measure(users);
        return;
    }
    let sizes: Vec<usize> = std::env::var("MEMORY_USERS")
        .unwrap_or_else(|_| "100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let (mut users_rows, mut groups_rows) = (Vec::new(), Vec::new());
    for users in sizes {
        let out = Command::new(std::env::current_exe().expect("this bench"))
            .args(std::env::args().skip(1))
            .env("MEMORY_ONE", users.to_string())
            .stderr(Stdio::inherit())
            .output()
            .expect("one size");
        assert!(out.status.success(), "{users} users: {}", out.status);
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            match line.split_once('\t') {
                Some(("users", row)) => users_rows.push(row.to_owned()),
                Some(("groups", row)) => groups_rows.push(row.to_owned()),
                _ => {}
            }
        }
    }
    println!("| Directory | JSON received | Resident after the load | After sort, quick filter, palette | Ratio to the JSON | Goal |");
    println!("|---|---|---|---|---|---|");
    for row in users_rows {
        println!("{row}");
    }
    println!();
    println!("| Groups of the same directory | Loaded in | JSON received | Resident after (beside the users) | Largest group | Its members, first window | Resident after |");
    println!("|---|---|---|---|---|---|---|");
    for row in groups_rows {
        println!("{row}");
    }
}

/// One size: the users' row and the groups' row, tab-tagged for [`main`].
fn measure(users: usize) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    {
        let (_server, base) = demo(users);
        let config = tempfile::tempdir().expect("config dir");
        let connections = Connections::new(config.path(), Arc::new(MemoryStore::default()));
        let input: ConnectionInput = serde_json::from_value(serde_json::json!({
            "name": "bench",
            "baseUrl": base,
            "auth": {"kind": "none"},
        }))
        .expect("connection input");
        input.save(&connections).expect("connection");
        rt.block_on(async {
            let dir = Directory::open_saved(&connections, "bench").await.expect("open");
            let before = status_mib("VmRSS:");
            let started = Instant::now();
            let summary = dir
                .load(&ResourceKind::Users, None, &|_| {})
                .await
                .expect("load");
            let took = started.elapsed();
            assert!(summary.complete, "{summary:?}");
            let loaded = status_mib("VmRSS:") - before;
            let shown: Vec<String> = summary
                .columns
                .iter()
                .filter(|c| c.default_visible)
                .map(|c| c.id.clone())
                .collect();
            let q = |quick: Option<&str>| WindowQuery {
                offset: 0,
                limit: 100,
                columns: shown.clone(),
                sort_by: Some("displayName".into()),
                descending: false,
                quick: quick.map(str::to_owned),
            };
            dir.window(&ResourceKind::Users, &q(None)).expect("sort");
            dir.window(&ResourceKind::Users, &q(Some("ana"))).expect("quick");
            let _ = dir.find("ana.be", 8);
            let used = status_mib("VmRSS:") - before;
            let json_mib = json_of(&base, "Users").await;
            println!(
                "users\t| {users} users, loaded in {:.1} s | {json_mib:.0} MiB | {loaded:.0} MiB | {used:.0} MiB (peak of the process {:.0} MiB) | **{:.2}×** after the load, **{:.2}×** after the screens | ≤ 3× |",
                took.as_secs_f64(),
                status_mib("VmHWM:"),
                loaded / json_mib.max(0.001),
                used / json_mib.max(0.001),
            );
            println!("groups\t{}", rt_groups(&dir, &base, users).await);
        });
    }
}

/// The resources' JSON as the server sends it, MiB, counted in a streaming pass of its own (the
/// request log keeps only its latest exchanges, so it cannot count a directory of a million).
async fn json_of(base: &str, endpoint: &str) -> f64 {
    let client = scim_client::ScimClient::new(scim_client::ClientConfig::new(
        base,
        scim_client::Auth::None,
    ))
    .expect("client");
    let mut bytes = 0usize;
    let mut sink = |page: Vec<scim_core::raw_list::RawResource>| -> Result<(), String> {
        bytes += page.iter().map(|r| r.get().len()).sum::<usize>();
        Ok(())
    };
    let options = scim_client::LoadOptions::default();
    let done = client
        .stream_all(
            endpoint,
            &options,
            &scim_client::CancelFlag::default(),
            &|_| {},
            &mut sink,
        )
        .await;
    assert!(done.error.is_none(), "{:?}", done.error);
    bytes as f64 / 1_048_576.0
}

/// The groups loaded beside the users, then the largest group's members opened (every member
/// labelled from the loaded users): one Markdown row.
async fn rt_groups(dir: &Directory, base: &str, users: usize) -> String {
    let before = status_mib("VmRSS:");
    let started = Instant::now();
    let summary = dir
        .load(&ResourceKind::Groups, None, &|_| {})
        .await
        .expect("groups");
    let loaded_in = started.elapsed();
    if let Some(e) = summary.error.as_ref().filter(|_| !summary.complete) {
        // What the app says too (a page over the body limit is refused, not held): a row of it.
        return format!(
            "| groups of {users} users | not loaded in {:.1} s: {} | | | | | |",
            loaded_in.as_secs_f64(),
            e.message
        );
    }
    let after_load = status_mib("VmRSS:") - before;
    let json_mib = json_of(base, "Groups").await;
    let largest = dir
        .window(
            &ResourceKind::Groups,
            &WindowQuery {
                offset: 0,
                limit: 1,
                columns: vec![
                    "displayName".into(),
                    scim_services::table::MEMBER_COUNT.into(),
                ],
                sort_by: Some(scim_services::table::MEMBER_COUNT.into()),
                descending: true,
                quick: None,
            },
        )
        .expect("largest group");
    let row = &largest.rows[0];
    let started = Instant::now();
    let members = dir
        .group_members(
            &row.id,
            &scim_services::members::MembersQuery {
                offset: 0,
                limit: 100,
                quick: None,
            },
        )
        .await
        .expect("members");
    let opened_in = started.elapsed();
    assert_eq!(members.rows.len(), 100);
    format!(
        "| {} groups of {users} users | {:.1} s | {json_mib:.0} MiB | {after_load:.0} MiB ({:.2}× the JSON) | {} ({} members) | {:.2} s ({} unknown) | {:.0} MiB |",
        summary.loaded,
        loaded_in.as_secs_f64(),
        after_load / json_mib.max(0.001),
        row.cells[0].as_deref().unwrap_or("?"),
        row.cells[1].as_deref().unwrap_or("?"),
        opened_in.as_secs_f64(),
        members.missing,
        status_mib("VmRSS:") - before,
    )
}
