//! `make bench`: loading every user of a 100k-user demo server with the client's load-all, against
//! (a) `curl --parallel` fetching the same page URLs and discarding them — the floor: pure transfer,
//! no parsing — and (b) python-scim's scim2-client paging sequentially. Also 10k users from
//! scim2-server. Prints Markdown rows; peak memory is this process's VmHWM (the servers run apart).
//! `LOAD_ONLY=1` prints only ours against the floor (no Python peers), for quick iterations.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scim_client::{Auth, CancelFlag, ClientConfig, LoadOptions, ScimClient, Secret};
use serde_json::json;

const USERS: usize = 100_000;
const PAGE: u64 = 1000;
const TOKEN: &str = "bench-token";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server on {port} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start_demo() -> (Server, String) {
    let bin = root().join("target/release/scim-demo-server");
    let mut child = Command::new(&bin)
        .args([
            "--port",
            "0",
            "--users",
            &USERS.to_string(),
            "--token",
            TOKEN,
            "--max-results",
            &PAGE.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (make bench builds it)", bin.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("base URL");
    (Server(child), line.trim().to_owned())
}

fn client(base: &str) -> ScimClient {
    let mut config = ClientConfig::new(base, Auth::Bearer(Secret::new(TOKEN)));
    config.timeout = Duration::from_secs(120);
    // With the request log on, as the app and `scimx --log` run it.
    ScimClient::new(config)
        .expect("client")
        .with_log(scim_client::RequestLog::default())
}

async fn ours(base: &str, concurrency: usize) -> (Duration, usize) {
    let c = client(base);
    let options = LoadOptions {
        page_size: PAGE,
        concurrency,
        ..LoadOptions::default()
    };
    let started = Instant::now();
    let result = c
        .load_all("Users", &options, &CancelFlag::default(), &|_| {})
        .await;
    assert!(result.error.is_none(), "{:?}", result.error);
    (started.elapsed(), result.resources.len())
}

fn curl_parallel(base: &str, total: usize, parallel: usize) -> Duration {
    let config = std::env::temp_dir().join(format!("scimx-curl-{}.cfg", std::process::id()));
    let mut f = std::fs::File::create(&config).expect("curl config");
    for start in (1..=total).step_by(PAGE as usize) {
        writeln!(
            f,
            "url = \"{base}/Users?startIndex={start}&count={PAGE}\"\noutput = \"/dev/null\""
        )
        .expect("write");
    }
    drop(f);
    let started = Instant::now();
    let status = Command::new("curl")
        .args([
            "--parallel",
            "--parallel-max",
            &parallel.to_string(),
            "--silent",
            "--fail",
            "-H",
            &format!("Authorization: Bearer {TOKEN}"),
            "-K",
        ])
        .arg(&config)
        .status()
        .expect("curl");
    let elapsed = started.elapsed();
    let _ = std::fs::remove_file(&config);
    assert!(status.success(), "curl failed");
    elapsed
}

fn scim2_client(base: &str) -> (Duration, usize) {
    let python = root().join("target/pyenv/bin/python");
    let script = root().join("crates/scim-client/benches/scim2_client_load.py");
    let out = Command::new(&python)
        .arg(script)
        .args([base, TOKEN, &PAGE.to_string()])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "scim2-client: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let n: usize = parts.next().and_then(|p| p.parse().ok()).expect("count");
    let secs: f64 = parts.next().and_then(|p| p.parse().ok()).expect("seconds");
    (Duration::from_secs_f64(secs), n)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// CPU seconds (user + system) of a process, and of its waited-for children, from /proc (clock
/// ticks of 1/100 s, Linux's USER_HZ).
fn cpu_secs(pid: &str) -> (f64, f64) {
    let fields = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: count fields from after its closing parenthesis, where
    // field 3 (state) is index 0, so utime/stime (14, 15) are 11, 12 and cutime/cstime 13, 14.
    let rest: Vec<f64> = fields
        .rsplit_once(')')
        .map(|(_, r)| {
            r.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    let at = |i: usize| rest.get(i).copied().unwrap_or(0.0) / 100.0;
    (at(11) + at(12), at(13) + at(14))
}

/// Where the time goes on this machine: CPU seconds of one load for us and for the server, against
/// curl's, and what building `serde_json::Value`s for the pages costs on one core against only
/// checking them (what keeping resources as raw JSON until shown would cost).
async fn cpu_breakdown(base: &str, server_pid: &str, concurrency: usize) -> String {
    let me = std::process::id().to_string();
    let (server0, _) = cpu_secs(server_pid);
    let (self0, _) = cpu_secs(&me);
    let (ours_time, _) = ours(base, concurrency).await;
    let (self1, _) = cpu_secs(&me);
    let (server1, _) = cpu_secs(server_pid);
    let (_, curl0) = cpu_secs(&me);
    let curl_time = curl_parallel(base, USERS, 8);
    let (_, curl1) = cpu_secs(&me);
    let (server2, _) = cpu_secs(server_pid);

    let http = reqwest::Client::new();
    let mut pages = Vec::new();
    for start in (1..=USERS).step_by(PAGE as usize) {
        let page = http
            .get(format!("{base}/Users?startIndex={start}&count={PAGE}"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("page");
        pages.push(page.bytes().await.expect("body"));
    }
    let started = Instant::now();
    let values: Vec<serde_json::Value> = pages
        .iter()
        .map(|p| serde_json::from_slice(p).expect("json"))
        .collect();
    let build = started.elapsed();
    drop(values);
    let started = Instant::now();
    for p in &pages {
        let _: serde::de::IgnoredAny = serde_json::from_slice(p).expect("json");
    }
    let check = started.elapsed();
    let mib = pages.iter().map(|p| p.len()).sum::<usize>() as f64 / (1024.0 * 1024.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (client_cpu, ours_server_cpu) = (self1 - self0, server1 - server0);
    format!(
        "| Where the time goes: CPU seconds of one load on {cores} cores shared with the server (a load takes about (server + client CPU) / cores) | {:.2} s wall ({concurrency} in flight): client {client_cpu:.2} s CPU + server {ours_server_cpu:.2} s CPU | curl: {:.2} s wall: curl {:.2} s CPU + server {:.2} s CPU | client CPU = **{:.2}×** the server's | — |\n\
         | Of the client's CPU: building `serde_json::Value`s (preserve_order) for the {mib:.0} MiB of pages, one core | {:.2} s | only checking the same JSON: {:.2} s | {:.0}× | — |",
        ours_time.as_secs_f64(),
        curl_time.as_secs_f64(),
        curl1 - curl0,
        server2 - server1,
        client_cpu / ours_server_cpu.max(0.01),
        build.as_secs_f64(),
        check.as_secs_f64(),
        build.as_secs_f64() / check.as_secs_f64().max(1e-6),
    )
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn scim2_server_rows() {
    let port = free_port();
    let _server = Server(
        Command::new(root().join("target/pyenv/bin/scim2-server"))
            .args([
                "--hostname",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--bearer-token",
                TOKEN,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server"),
    );
    wait_for_port(port);
    let base = format!("http://127.0.0.1:{port}/v2");
    let c = client(&base);
    eprintln!("seeding scim2-server with 10,000 users…");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10_000 {
        let c = c.clone();
        tasks.spawn(async move {
            let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("bench{i:05}@example.com"), "active": true});
            c.create("Users", &user).await.map(|_| ())
        });
        if tasks.len() >= 8 {
            let _ = tasks.join_next().await;
        }
    }
    while tasks.join_next().await.is_some() {}
    let (ours_time, n) = ours(&base, 4).await;
    let (theirs, m) = scim2_client(&base);
    println!(
        "| Load all 10,000 users from python-scim's scim2-server ({n} / {m} loaded) | {} | scim2-client sequential: {} | **{:.1}×** faster | — |",
        secs(ours_time),
        secs(theirs),
        theirs.as_secs_f64() / ours_time.as_secs_f64()
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (server, base) = start_demo();
    let server_pid = server.0.id().to_string();
    eprintln!("demo server with {USERS} users at {base}");
    runtime.block_on(async {
        // Warm the server (first requests fault its pages in) before measuring anyone.
        let _ = ours(&base, 4).await;
        // Ours and the floor take turns, round after round, so a slow moment of the machine falls on
        // both alike; each keeps its best.
        let mut ours_best = [Duration::MAX; 4];
        let mut curl_best = Duration::MAX;
        for _round in 0..3 {
            for (i, concurrency) in [1, 2, 4, 8].into_iter().enumerate() {
                let (run, n) = ours(&base, concurrency).await;
                assert_eq!(n, USERS);
                ours_best[i] = ours_best[i].min(run);
            }
            for p in [2, 4, 8] {
                curl_best = curl_best.min(curl_parallel(&base, USERS, p));
            }
        }
        let by_concurrency: Vec<String> = [1, 2, 4, 8]
            .iter()
            .zip(ours_best)
            .map(|(c, t)| format!("{c}: {}", secs(t)))
            .collect();
        let best = [1, 2, 4, 8]
            .into_iter()
            .zip(ours_best)
            .map(|(c, t)| (t, c))
            .min()
            .expect("runs");
        let peak = peak_rss_mib();
        let curl = curl_best;
        let breakdown = cpu_breakdown(&base, &server_pid, best.1).await;
        if std::env::var_os("LOAD_ONLY").is_some() {
            println!("ours {} ({} in flight), curl {}, ratio {:.2}", secs(best.0), best.1, secs(curl), curl.as_secs_f64() / best.0.as_secs_f64());
            println!("{breakdown}");
            return;
        }
        let (python, n) = scim2_client(&base);
        assert_eq!(n, USERS);
        println!("| Benchmark | Ours | Peer | Ratio | Target |");
        println!("|---|---|---|---|---|");
        println!(
            "| Load all {USERS} users (pages of {PAGE}) from the demo server — every page checked, deduplicated by id, resources kept as raw JSON; ours by pages in flight ({}) | {} (best, {} in flight; peak memory of the load {:.0} MiB) | curl --parallel, best of 2/4/8: {} (the floor: no checking) | **{:.2}×** the floor's speed | ≥ 0.8× |",
            by_concurrency.join(", "),
            secs(best.0),
            best.1,
            peak,
            secs(curl),
            curl.as_secs_f64() / best.0.as_secs_f64()
        );
        println!("{breakdown}");
        println!(
            "| Same load against python-scim's scim2-client paging sequentially | {} | {} | **{:.1}×** faster | ≥ 5× |",
            secs(best.0),
            secs(python),
            python.as_secs_f64() / best.0.as_secs_f64()
        );
        scim2_server_rows().await;
    });
}
