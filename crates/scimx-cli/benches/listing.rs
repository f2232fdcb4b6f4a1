//! `make bench`: what a user runs end to end — the release `scimx users list` — against its floors:
//! (a) a 100k-user export to CSV against `curl --parallel 8` fetching the same pages to a file, with
//! wall time, CPU and peak memory of each; (b) a slow server (100 ms per answer, 200 per page)
//! against the ideal of pages × latency ÷ requests in flight; (c) the same server allowing only K
//! requests in flight (429 past it) against the ideal at K, with the share of requests refused.
//! Servers are `scimx demo-server` processes, so their CPU is theirs. Prints Markdown rows.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scimx() -> PathBuf {
    root().join("target/release/scimx")
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo(args: &[&str]) -> Server {
    let mut child = Command::new(scimx())
        .args(["demo-server", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (make bench builds it)", scimx().display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("base URL");
    Server {
        child,
        base: line.trim().to_owned(),
    }
}

/// The fields of `/proc/<who>/stat` after the command name (which may hold spaces), so field 3
/// (state) is index 0: utime/stime are 11, 12 and the waited-for children's cutime/cstime 13, 14.
fn stat_fields(who: &str) -> Vec<f64> {
    std::fs::read_to_string(format!("/proc/{who}/stat"))
        .unwrap_or_default()
        .rsplit_once(')')
        .map(|(_, r)| {
            r.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default()
}

/// CPU seconds (user + system) of the fields at `at`, in clock ticks of 1/100 s (Linux's USER_HZ).
fn cpu(fields: &[f64], at: usize) -> f64 {
    (fields.get(at).copied().unwrap_or(0.0) + fields.get(at + 1).copied().unwrap_or(0.0)) / 100.0
}

/// CPU seconds of a running process (a server).
fn process_cpu(pid: u32) -> f64 {
    cpu(&stat_fields(&pid.to_string()), 11)
}

/// CPU seconds of this process's waited-for children.
fn children_cpu() -> f64 {
    cpu(&stat_fields("self"), 13)
}

fn vm_hwm_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// One run of a command writing stdout to `out`: wall time, CPU seconds, peak resident MiB (polled
/// high-water mark).
struct Measured {
    wall: Duration,
    cpu: f64,
    peak_mib: f64,
}

fn measure(mut command: Command, out: &Path) -> Measured {
    let file = std::fs::File::create(out).expect("output file");
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = command
        .stdout(file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut peak: f64 = 0.0;
    let status = loop {
        if let Some(m) = vm_hwm_mib(child.id()) {
            peak = peak.max(m);
        }
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert!(status.success(), "{command:?} failed: {err}");
    Measured {
        wall,
        cpu: children_cpu() - cpu_before,
        peak_mib: peak,
    }
}

/// The best (fastest) of [`RUNS`] runs.
fn best(make: impl Fn() -> Command, out: &Path) -> Measured {
    (0..RUNS)
        .map(|_| measure(make(), out))
        .min_by(|a, b| a.wall.cmp(&b.wall))
        .expect("runs")
}

fn list(base: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(scimx());
    c.args(["users", "list", "--url", base, "--format", "csv"])
        .args(extra)
        .env(
            "SCIMX_CONFIG_DIR",
            std::env::temp_dir().join("scimx-bench-config"),
        );
    c
}

/// `curl --parallel` of every page, its list of URLs written in `dir` (the run's temporary folder).
fn curl(dir: &std::path::Path, base: &str, users: usize, page: usize, parallel: usize) -> Command {
    let config = dir.join("curl-pages.cfg");
    let mut f = std::fs::File::create(&config).expect("curl config");
    for start in (1..=users).step_by(page) {
        writeln!(f, "url = \"{base}/Users?startIndex={start}&count={page}\"").expect("write");
    }
    let mut c = Command::new("curl");
    c.args([
        "--parallel",
        "--parallel-max",
        &parallel.to_string(),
        "--silent",
        "--fail",
        "-K",
    ])
    .arg(&config);
    c
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn file_mib(p: &Path) -> f64 {
    std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

/// Status and duration (ms) of each request in a `--log` file (the request log's JSON export).
fn exchanges(log: &Path) -> Vec<(u64, u64)> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.get("status")?.as_u64()?, e.get("durationMs")?.as_u64()?)))
        .collect()
}

fn mean_ms(seen: &[(u64, u64)]) -> f64 {
    let ok: Vec<u64> = seen
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, d)| *d)
        .collect();
    ok.iter().sum::<u64>() as f64 / ok.len().max(1) as f64
}

fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let csv = tmp.path().join("users.csv");
    let raw = tmp.path().join("pages.json");

    // (a) 100,000 users, pages of 1000.
    let users = 100_000;
    let server = demo(&["--users", &users.to_string()]);
    let _warm = measure(list(&server.base, &[]), &csv);
    let ours = best(|| list(&server.base, &[]), &csv);
    let csv_mib = file_mib(&csv);
    let floor = best(|| curl(tmp.path(), &server.base, users, 1000, 8), &raw);
    let json_mib = file_mib(&raw);
    drop(server);
    println!("| Benchmark | Ours | Floor | Ratio | Goal |");
    println!("|---|---|---|---|---|");
    println!(
        "| `scimx users list --format csv > file`, {users} users from `scimx demo-server` (pages of 1000; {csv_mib:.1} MiB of CSV from {json_mib:.1} MiB of JSON) | {} wall, {:.2} s CPU, **{:.0} MiB peak** | `curl --parallel-max 8` of the same pages to a file: {} wall, {:.2} s CPU, {:.0} MiB peak | **{:.2}×** the floor's speed | ≥ 0.8×, ≤ 64 MiB |",
        secs(ours.wall),
        ours.cpu,
        ours.peak_mib,
        secs(floor.wall),
        floor.cpu,
        floor.peak_mib,
        floor.wall.as_secs_f64() / ours.wall.as_secs_f64(),
    );

    // (b) A slow server: 100 ms per answer, at most 200 per page (the netdata profile).
    let users = 20_000;
    let pages = users / 200;
    let server = demo(&[
        "--users",
        &users.to_string(),
        "--profile",
        "netdata",
        "--latency-ms",
        "100",
    ]);
    let server_cpu = process_cpu(server.child.id());
    let log = tmp.path().join("log-slow.json");
    let log_arg = log.to_string_lossy().into_owned();
    let slow = best(|| list(&server.base, &["--log", &log_arg]), &csv);
    let answer_ms = mean_ms(&exchanges(&log));
    let server_cpu = (process_cpu(server.child.id()) - server_cpu) / RUNS as f64;
    let ideal = pages as f64 * 0.1 / 8.0;
    println!(
        "| The same, {users} users from a server answering in 100 ms with at most 200 per page ({pages} pages) | {} (client {:.2} s CPU, server {server_cpu:.2} s CPU per run; answers took {answer_ms:.0} ms on average, read whole) | ideal: {pages} pages × 100 ms ÷ 8 in flight = {ideal:.2} s; at the measured answer time {:.2} s | **{:.2}×** the ideal ({:.2}× at the measured answer time) | ≥ 0.8× |",
        secs(slow.wall),
        slow.cpu,
        pages as f64 * answer_ms / 1000.0 / 8.0,
        ideal / slow.wall.as_secs_f64(),
        pages as f64 * answer_ms / 1000.0 / 8.0 / slow.wall.as_secs_f64(),
    );
    drop(server);

    // (c) The same server refusing more than K at once.
    for k in [2usize, 4] {
        let server = demo(&[
            "--users",
            &users.to_string(),
            "--profile",
            "netdata",
            "--latency-ms",
            "100",
            "--limit-in-flight",
            &k.to_string(),
        ]);
        let log = tmp.path().join(format!("log-{k}.json"));
        let log_arg = log.to_string_lossy().into_owned();
        let limited = best(|| list(&server.base, &["--log", &log_arg]), &csv);
        let seen = exchanges(&log);
        let refused = seen.iter().filter(|(s, _)| *s == 429).count();
        let ideal = pages as f64 * 0.1 / k as f64;
        println!(
            "| The same server allowing {k} requests in flight (429 with `Retry-After: 1` past it) | {}; {refused} of {} requests answered 429 ({:.1}%) | ideal at {k}: {ideal:.2} s | **{:.2}×** the ideal | ≥ 0.7×, ≤ 5% 429 |",
            secs(limited.wall),
            seen.len(),
            100.0 * refused as f64 / seen.len().max(1) as f64,
            ideal / limited.wall.as_secs_f64(),
        );
        drop(server);
    }
}
