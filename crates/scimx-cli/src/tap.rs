//! `scimx tap` and `scimx inbox`: SCIM Tap in a terminal. A tap sits in front of an application and
//! records what an identity provider sends it; an inbox stands in for the application. With
//! `--follow` each exchange prints as it arrives; on Ctrl-C the capture is written as HAR and/or
//! JSON lines. `scimx tap show FILE.har` reads a capture back.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use scim_client::forward::ForwardAuth;
use scim_services::private_files::{write_atomic, Place};
use scim_services::AppError;
use scim_tap::{Capture, Inbox, InboxConfig, RunningTap, TapConfig, TapExchange};

/// Where a capture is written when the tap stops.
#[derive(clap::Args, Debug, Clone)]
pub struct Outputs {
    /// Write the capture as HAR 1.2 here when stopped (secrets masked).
    #[arg(long)]
    pub har: Option<PathBuf>,
    /// Write the capture as JSON lines here when stopped.
    #[arg(long)]
    pub jsonl: Option<PathBuf>,
    /// Print each exchange as it arrives.
    #[arg(long)]
    pub follow: bool,
}

/// The HAR files a capture may be read from: bigger ones are refused rather than read.
const MAX_HAR_BYTES: u64 = 512 * 1024 * 1024;

/// One exchange as a terminal line: time, method, path, status, duration, sender, words, findings.
pub fn line(e: &TapExchange) -> String {
    let time = scim_core::datetime::format_epoch_ms(e.started_at_ms as i64, true);
    let time = time.get(11..23).unwrap_or(&time);
    let status = e.status.map_or_else(|| "---".to_owned(), |s| s.to_string());
    let sender = e
        .sender
        .as_ref()
        .map(|s| format!("  {}{}", s.name, if s.certain { "" } else { "?" }))
        .unwrap_or_default();
    let mut out = format!(
        "{time}  {:<6} {}{}  {status}  {} ms{sender}",
        e.method,
        e.path,
        e.query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default(),
        e.duration_ms
    );
    for w in &e.words {
        out.push_str(&format!("\n    {w}"));
    }
    if let Some(err) = &e.error {
        out.push_str(&format!("\n    ✗ {err}"));
    }
    for f in &e.findings {
        out.push_str(&format!("\n    ⚠ {} ({})", f.message, f.code));
    }
    out
}

fn say(text: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints exchanges as they arrive until the feed closes.
fn follow(capture: &Capture) -> tokio::task::JoinHandle<()> {
    let mut feed = capture.follow();
    tokio::spawn(async move {
        loop {
            match feed.recv().await {
                Ok(e) => say(&line(&e)),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    say(&format!("… {n} exchanges arrived faster than they could be printed (they are in the capture)"))
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), AppError> {
    write_atomic(path, Place::Replace, |f| f.write_all(text.as_bytes()))
}

/// Writes the capture where the user asked.
fn save(capture: &Capture, origin: &str, outputs: &Outputs) -> Result<(), AppError> {
    let exchanges = capture.exchanges();
    if let Some(path) = &outputs.har {
        let har = scim_tap::har::to_har(&exchanges, origin);
        let text =
            serde_json::to_string_pretty(&har).map_err(|e| AppError::internal(e.to_string()))?;
        write_file(path, &text)?;
        eprintln!(
            "{} exchanges written to {}",
            exchanges.len(),
            path.display()
        );
    }
    if let Some(path) = &outputs.jsonl {
        write_file(path, &scim_tap::har::to_json_lines(&exchanges))?;
        eprintln!(
            "{} exchanges written to {}",
            exchanges.len(),
            path.display()
        );
    }
    if capture.dropped() > 0 {
        eprintln!(
            "note: {} older exchanges rolled off the capture's window",
            capture.dropped()
        );
    }
    Ok(())
}

fn warn_exposure(addr: &SocketAddr) {
    if let Some(w) = scim_tap::proxy::exposure_warning(addr) {
        eprintln!("warning: {w}");
    }
}

/// `scimx tap --listen … --upstream …|--connection …`: runs until Ctrl-C.
pub async fn tap(
    listen: SocketAddr,
    upstream: scim_client::ScimClient,
    replace_auth: bool,
    outputs: &Outputs,
) -> Result<(), AppError> {
    let upstream_url = upstream.base_url().to_owned();
    let mut config = TapConfig::new(listen, upstream);
    config.auth = if replace_auth {
        ForwardAuth::Connection
    } else {
        ForwardAuth::PassThrough
    };
    let tap = RunningTap::start(config)
        .await
        .map_err(|e| AppError::invalid_input(e.to_string()))?;
    warn_exposure(&tap.addr);
    say(&format!("Tapping {upstream_url}"));
    say(&format!(
        "Give the identity provider this base URL: {}",
        tap.base_url
    ));
    eprintln!(
        "Ctrl-C stops the tap{}.",
        if outputs.har.is_some() || outputs.jsonl.is_some() {
            " and writes the capture"
        } else {
            ""
        }
    );
    let printer = outputs.follow.then(|| follow(&tap.capture));
    let _ = tokio::signal::ctrl_c().await;
    let capture = tap.capture.clone();
    let origin = format!("http://{}", tap.addr);
    tap.stop().await;
    if let Some(p) = printer {
        p.abort();
    }
    save(&capture, &origin, outputs)
}

/// `scimx inbox --listen … [--profile …] [--users N]`: runs until Ctrl-C.
pub async fn inbox(
    listen: SocketAddr,
    profile: scim_demo_server::Profile,
    users: usize,
    outputs: &Outputs,
) -> Result<(), AppError> {
    let inbox = Inbox::start(InboxConfig {
        listen,
        profile,
        users,
        capacity: scim_tap::capture::DEFAULT_CAPACITY,
    })
    .await
    .map_err(|e| AppError::invalid_input(e.to_string()))?;
    warn_exposure(&inbox.tap.addr);
    say(&format!(
        "SCIM inbox ({profile:?} profile, {users} users) at {}",
        inbox.tap.base_url
    ));
    // Shown once, as an application shows its SCIM token: it is not stored anywhere.
    say(&format!("Bearer token (shown once): {}", inbox.token));
    let printer = outputs.follow.then(|| follow(&inbox.tap.capture));
    let _ = tokio::signal::ctrl_c().await;
    let capture = inbox.tap.capture.clone();
    let origin = format!("http://{}", inbox.tap.addr);
    inbox.stop().await;
    if let Some(p) = printer {
        p.abort();
    }
    save(&capture, &origin, outputs)
}

/// A HAR file read back, within [`MAX_HAR_BYTES`].
fn read_har(path: &Path) -> Result<scim_tap::har::Imported, AppError> {
    let size = std::fs::metadata(path)
        .map_err(|e| AppError::invalid_input(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > MAX_HAR_BYTES {
        return Err(AppError::invalid_input(format!(
            "{} is {size} bytes; captures up to {MAX_HAR_BYTES} bytes are read",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::invalid_input(format!("cannot read {}: {e}", path.display())))?;
    scim_tap::har::from_har(&text).map_err(AppError::invalid_input)
}

/// `scimx tap show FILE.har`: a capture read back, one exchange per line, and its sender.
pub fn show(path: &Path) -> Result<(), AppError> {
    let read = read_har(path)?;
    for e in read.capture.exchanges() {
        say(&line(&e));
    }
    if let Some(s) = read.capture.sender() {
        say(&format!(
            "Sent by {}{} — {}",
            s.name,
            if s.certain { "" } else { " (a guess)" },
            s.why
        ));
    }
    if read.skipped > 0 {
        eprintln!(
            "note: {} entries could not be read and were left out",
            read.skipped
        );
    }
    Ok(())
}

/// `scimx tap replay FILE.har --url …`: the capture sent again, step by step, then cleaned up.
pub async fn replay(
    path: &Path,
    target: &scim_client::ScimClient,
    keep: bool,
) -> Result<(), AppError> {
    let read = read_har(path)?;
    let mut replay = scim_tap::replay::Replay::plan(&read.capture.exchanges());
    while !replay.finished() {
        replay.step(target).await;
        if let Some(o) = replay.outcomes.last() {
            eprintln!(
                "{} {:>3}. {} {} → {}",
                if o.passed() { "✓" } else { "✗" },
                o.index + 1,
                o.method,
                o.path,
                o.actual_status
                    .map_or_else(|| o.error.clone().unwrap_or_default(), |s| s.to_string())
            );
        }
    }
    if !keep {
        replay.cleanup(target).await;
    }
    say(&replay.to_markdown());
    if replay.passed() {
        Ok(())
    } else {
        Err(AppError::invalid_input(format!(
            "{} of {} steps did not go as recorded",
            replay.outcomes.iter().filter(|o| !o.passed()).count(),
            replay.outcomes.len()
        )))
    }
}
