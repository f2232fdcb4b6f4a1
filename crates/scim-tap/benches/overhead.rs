//! `make bench`: what SCIM Tap costs an identity provider. The release `scimx tap` (as a user runs
//! it) in front of the release demo server (10,000 users), against going to the server direct, in
//! one run with the two taking turns: requests per second with 8 in flight, and p50/p95 latency one
//! at a time, for a GET by id and a page of 100 users. Goal: ≥ 0.9× the direct throughput and p95
//! within +2 ms. Prints Markdown rows.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "bench-token";
const USERS: usize = 10_000;
const ROUNDS: usize = 3;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Process(Child);
impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `bin` and returns it with the first line it prints that starts with `prefix`, cut after it.
fn start(bin: &Path, args: &[&str], prefix: &str) -> (Process, String) {
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (make bench builds it)", bin.display()));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let found = loop {
        let line = lines.next().expect("a line").expect("read");
        if let Some(rest) = line.strip_prefix(prefix) {
            break rest.trim().to_owned();
        }
    };
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (Process(child), found)
}

/// Requests per second with `in_flight` at once for `for_how_long`.
async fn throughput(
    http: &reqwest::Client,
    url: &str,
    in_flight: usize,
    for_how_long: Duration,
) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + for_how_long;
    let mut tasks = Vec::new();
    for _ in 0..in_flight {
        let (http, url, done) = (http.clone(), url.to_owned(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                let r = http
                    .get(&url)
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .expect("send");
                assert!(r.status().is_success(), "{}", r.status());
                let _ = r.bytes().await.expect("body");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    for t in tasks {
        t.await.expect("task");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// p50 and p95 of `n` requests one at a time, in milliseconds.
async fn latency(http: &reqwest::Client, url: &str, n: usize) -> (f64, f64) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let r = http.get(url).bearer_auth(TOKEN).send().await.expect("send");
        let _ = r.bytes().await.expect("body");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[n / 2], times[n * 95 / 100])
}

/// A demo server with `latency_ms` and a `scimx tap` in front: (direct URL, tapped URL, processes).
fn start_pair(latency_ms: u64) -> (String, String, Vec<Process>) {
    let release = root().join("target/release");
    let (server, direct) = start(
        &release.join("scim-demo-server"),
        &[
            "--port",
            "0",
            "--users",
            &USERS.to_string(),
            "--token",
            TOKEN,
            "--latency-ms",
            &latency_ms.to_string(),
        ],
        "",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let (tap, tapped) = start(
        &release.join("scimx"),
        &["tap", "--listen", &listen, "--upstream", &direct],
        "Give the identity provider this base URL:",
    );
    (direct, tapped, vec![server, tap])
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let http = reqwest::Client::new();
    println!("| What (demo server, {USERS} users; `scimx tap` release build, pass-through; one machine, 2 cores shared by the load, the tap and the server) | Direct | Through the tap | Ratio / overhead | Goal |");
    println!("|---|---|---|---|---|");
    for latency_ms in [0u64, 20] {
        let (direct, tapped, _processes) = start_pair(latency_ms);
        let setting = if latency_ms == 0 {
            "loopback, no latency (CPU-bound: the tap's work competes with the server's)".to_owned()
        } else {
            format!("the server answering in {latency_ms} ms, as an application across a network")
        };
        let samples = if latency_ms == 0 { 400 } else { 100 };
        runtime.block_on(async {
            let first = http
                .get(format!("{direct}/Users?count=1"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap();
            let id = first["Resources"][0]["id"].as_str().unwrap().to_owned();
            let cases = [
                ("GET a user by id", format!("/Users/{id}")),
                ("GET a page of 100 users", "/Users?startIndex=1&count=100".to_owned()),
            ];
            for (what, path) in cases {
                let (d, t) = (format!("{direct}{path}"), format!("{tapped}{path}"));
                throughput(&http, &d, 4, Duration::from_millis(300)).await;
                throughput(&http, &t, 4, Duration::from_millis(300)).await;
                let (mut rd, mut rt) = (0.0f64, 0.0f64);
                let (mut ld, mut lt) = ((f64::MAX, f64::MAX), (f64::MAX, f64::MAX));
                for _ in 0..ROUNDS {
                    rd = rd.max(throughput(&http, &d, 8, Duration::from_secs(2)).await);
                    rt = rt.max(throughput(&http, &t, 8, Duration::from_secs(2)).await);
                    let a = latency(&http, &d, samples).await;
                    let b = latency(&http, &t, samples).await;
                    if a.1 < ld.1 {
                        ld = a;
                    }
                    if b.1 < lt.1 {
                        lt = b;
                    }
                }
                println!(
                    "| {what}, {setting}: requests/s, 8 in flight | {rd:.0} | {rt:.0} | **{:.2}×** | ≥ 0.9× |",
                    rt / rd
                );
                println!(
                    "| {what}, {setting}: latency one at a time, p50 / p95 | {:.2} / {:.2} ms | {:.2} / {:.2} ms | p95 **+{:.2} ms** | ≤ +2 ms |",
                    ld.0, ld.1, lt.0, lt.1, lt.1 - ld.1
                );
            }
        });
    }
}
