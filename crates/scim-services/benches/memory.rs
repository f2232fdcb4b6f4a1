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
    let sizes: Vec<usize> = std::env::var("MEMORY_USERS")
        .unwrap_or_else(|_| "100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    println!("| Directory | JSON received | Resident after the load | After sort, quick filter, palette | Ratio to the JSON | Goal |");
    println!("|---|---|---|---|---|---|");
    for users in sizes {
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
            let json_mib = dir
                .request_log()
                .entries()
                .iter()
                .map(|e| e.response_bytes as f64)
                .sum::<f64>()
                / 1_048_576.0;
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
            println!(
                "| {users} users, loaded in {:.1} s | {json_mib:.0} MiB | {loaded:.0} MiB | {used:.0} MiB (peak of the process {:.0} MiB) | **{:.2}×** after the load, **{:.2}×** after the screens | ≤ 3× |",
                took.as_secs_f64(),
                status_mib("VmHWM:"),
                loaded / json_mib.max(0.001),
                used / json_mib.max(0.001),
            );
        });
    }
}
