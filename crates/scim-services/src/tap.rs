//! SCIM Tap as the app runs it: one tap (in front of an application) or inbox (standing in for
//! one) at a time, its exchanges served to the live view as rows after a sequence number (the UI
//! polls), exported as HAR or JSON lines, and a HAR opened again to browse offline.

use std::net::SocketAddr;

use scim_client::forward::ForwardAuth;
use scim_client::ScimClient;
use scim_tap::{Capture, Inbox, InboxConfig, RunningTap, TapConfig, TapExchange};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::AppError;

/// What runs: a tap in front of an application, or the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum TapMode {
    Tap,
    Inbox,
}

/// How to start. `listen` is `host:port` (loopback unless the user means otherwise).
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapStart {
    pub mode: TapMode,
    pub listen: String,
    /// Tap: send the connection's secret instead of the sender's own Authorization.
    #[serde(default)]
    pub replace_auth: bool,
    /// Inbox: the demo profile (`rfc`, `netdata`, `profiles-projects`, `secoda`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Inbox: seeded users (0: empty).
    #[serde(default)]
    pub users: u32,
}

/// Who sent the capture (or an exchange), and how sure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapSender {
    pub name: String,
    pub certain: bool,
    pub why: String,
}

impl From<&scim_tap::capture::Sender> for TapSender {
    fn from(s: &scim_tap::capture::Sender) -> Self {
        Self {
            name: s.name.clone(),
            certain: s.certain,
            why: s.why.clone(),
        }
    }
}

/// The state of the tap screen.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapStatus {
    pub running: bool,
    pub mode: Option<TapMode>,
    /// The URL to give the identity provider.
    pub base_url: Option<String>,
    /// Tap: the application's URL.
    pub upstream: Option<String>,
    /// Inbox: its bearer token — only in the answer that started or rotated it (shown once).
    pub token: Option<String>,
    /// Listening beyond loopback: what that exposes, and the tunnel a cloud IdP needs.
    pub warning: Option<String>,
    pub exchanges: u32,
    /// Exchanges that rolled off the capture's window.
    pub dropped: u32,
    pub sender: Option<TapSender>,
    /// A capture opened from a file (offline), its path.
    pub opened: Option<String>,
    /// Where the last stopped capture was saved (HAR), when saving is on.
    pub saved: Option<String>,
}

/// One finding on an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapFindingRow {
    pub code: String,
    /// `request` (the IdP's) or `answer` (the application's).
    pub side: String,
    pub message: String,
}

/// The resource an exchange touched, to open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapResource {
    /// `Users`, `Groups`…
    pub endpoint: String,
    pub id: String,
}

/// One exchange, for the live view.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TapRow {
    pub seq: u32,
    pub started_at_ms: f64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: Option<u16>,
    pub duration_ms: u32,
    pub sender: Option<TapSender>,
    pub words: Vec<String>,
    pub findings: Vec<TapFindingRow>,
    pub error: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub resource: Option<TapResource>,
}

fn clamp(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

impl From<&TapExchange> for TapRow {
    fn from(e: &TapExchange) -> Self {
        let (_, relative) = scim_tap::har::split_base(&e.path);
        let mut parts = relative.trim_start_matches('/').split('/');
        let endpoint = parts.next().unwrap_or_default().to_owned();
        let created = e
            .response_body
            .as_deref()
            .filter(|_| e.method == "POST")
            .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
            .and_then(|v| v["id"].as_str().map(str::to_owned));
        let id = parts.next().map(str::to_owned).or(created);
        let resource = id
            .filter(|_| {
                ["users", "groups", "roles"].contains(&endpoint.to_ascii_lowercase().as_str())
            })
            .map(|id| TapResource {
                endpoint: endpoint.clone(),
                id,
            });
        Self {
            seq: clamp(e.seq),
            started_at_ms: e.started_at_ms as f64,
            method: e.method.clone(),
            path: e.path.clone(),
            query: e.query.clone(),
            status: e.status,
            duration_ms: clamp(e.duration_ms),
            sender: e.sender.as_ref().map(TapSender::from),
            words: e.words.clone(),
            findings: e
                .findings
                .iter()
                .map(|f| TapFindingRow {
                    code: f.code.clone(),
                    side: f.side.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            error: e.error.clone(),
            request_headers: e.request_headers.clone(),
            request_body: e.request_body.clone(),
            response_headers: e.response_headers.clone(),
            response_body: e.response_body.clone(),
            resource,
        }
    }
}

/// One replayed step, expected against actual.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReplayStepRow {
    pub index: u32,
    pub method: String,
    /// As sent (ids rewritten to the target's).
    pub path: String,
    pub words: Vec<String>,
    pub expected_status: u16,
    pub actual_status: Option<u16>,
    pub differences: Vec<String>,
    pub error: Option<String>,
    pub passed: bool,
}

/// A replay of the shown capture against the open connection.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReplayView {
    pub target: String,
    pub total: u32,
    pub done: Vec<ReplayStepRow>,
    /// Recorded exchanges not replayed, and why.
    pub skipped: Vec<String>,
    pub finished: bool,
    pub passed: bool,
    pub cleaned_up: bool,
    pub leftovers: Vec<String>,
    pub markdown: String,
}

#[derive(Debug)]
struct ReplayRun {
    replay: scim_tap::replay::Replay,
    target: ScimClient,
    cleaned_up: bool,
}

impl ReplayRun {
    fn view(&self) -> ReplayView {
        let r = &self.replay;
        ReplayView {
            target: self.target.base_url().to_owned(),
            total: clamp(r.steps.len()),
            done: r
                .outcomes
                .iter()
                .map(|o| ReplayStepRow {
                    index: clamp(o.index),
                    method: o.method.clone(),
                    path: o.path.clone(),
                    words: r
                        .steps
                        .get(o.index)
                        .map(|s| s.words.clone())
                        .unwrap_or_default(),
                    expected_status: o.expected_status,
                    actual_status: o.actual_status,
                    differences: o.differences.clone(),
                    error: o.error.clone(),
                    passed: o.passed(),
                })
                .collect(),
            skipped: r.skipped.clone(),
            finished: r.finished(),
            passed: r.passed(),
            cleaned_up: self.cleaned_up,
            leftovers: r.leftovers.clone(),
            markdown: r.to_markdown(),
        }
    }
}

#[derive(Debug)]
enum Running {
    Tap { tap: RunningTap, upstream: String },
    Inbox(Inbox),
}

/// The app's one tap session.
#[derive(Debug, Default)]
pub struct TapSession {
    running: tokio::sync::Mutex<Option<Running>>,
    /// The capture shown: the running one's, or one opened from a file.
    shown: std::sync::Mutex<Option<(Capture, String, Option<String>)>>,
    /// Where stopped captures are saved, and how many are kept (the oldest roll off).
    saving: Option<(std::path::PathBuf, usize)>,
    saved: std::sync::Mutex<Option<String>>,
    replay: tokio::sync::Mutex<Option<ReplayRun>>,
}

/// Captures kept in the app's captures folder by default.
pub const KEEP_CAPTURES: usize = 20;

/// The folder the app saves captures in.
pub fn captures_dir() -> std::path::PathBuf {
    crate::connections::config_dir().join("captures")
}

/// `scheme://host:port` of a URL (HAR URLs are absolute).
fn origin_of(url: &str) -> String {
    url.split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)))
        .unwrap_or_default()
}

fn listen_addr(text: &str) -> Result<SocketAddr, AppError> {
    let text = text.trim();
    let text = if text.starts_with(':') {
        format!("127.0.0.1{text}")
    } else {
        text.to_owned()
    };
    text.parse().map_err(|_| {
        AppError::invalid_input(format!(
            "`{text}` is not an address to listen on: give host:port, e.g. 127.0.0.1:8787"
        ))
    })
}

fn profile_of(name: Option<&str>) -> Result<scim_demo_server::Profile, AppError> {
    use scim_demo_server::Profile;
    Ok(match name.unwrap_or("rfc") {
        "rfc" => Profile::Rfc,
        "netdata" => Profile::Netdata,
        "profiles-projects" => Profile::ProfilesProjects,
        "secoda" => Profile::Secoda,
        other => {
            return Err(AppError::invalid_input(format!(
                "`{other}` is not a demo profile: rfc, netdata, profiles-projects or secoda"
            )))
        }
    })
}

impl TapSession {
    /// A session that saves each stopped capture as HAR in `dir`, keeping the newest `keep`.
    pub fn saving_to(dir: std::path::PathBuf, keep: usize) -> Self {
        Self {
            saving: Some((dir, keep.max(1))),
            ..Self::default()
        }
    }

    /// The saved captures, newest first.
    pub fn saved_captures(&self) -> Vec<String> {
        let Some((dir, _)) = &self.saving else {
            return Vec::new();
        };
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "har"))
                    .collect()
            })
            .unwrap_or_default();
        // Named by time (tap-YYYYMMDDTHHMMSSZ…), so the name orders them.
        files.sort();
        files.reverse();
        files
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    }

    /// Saves the shown capture (when saving is on and it holds anything), then prunes the folder.
    fn save_stopped(&self) -> Result<Option<String>, AppError> {
        let Some((dir, keep)) = &self.saving else {
            return Ok(None);
        };
        let name = format!(
            "tap-{}.har",
            scim_base::time::now_rfc3339().replace([':', '-'], "")
        );
        let path = dir.join(&name);
        let text = {
            let shown = self.shown();
            let Some((capture, base_url, _)) = shown.as_ref().filter(|s| !s.0.is_empty()) else {
                return Ok(None);
            };
            let har = scim_tap::har::to_har(&capture.exchanges(), &origin_of(base_url));
            serde_json::to_string(&har).map_err(|e| AppError::internal(e.to_string()))?
        };
        crate::private_files::write_atomic(&path, crate::private_files::Place::Replace, |f| {
            std::io::Write::write_all(f, text.as_bytes())
        })?;
        for old in self.saved_captures().into_iter().skip(*keep) {
            let _ = std::fs::remove_file(old);
        }
        Ok(Some(path.to_string_lossy().into_owned()))
    }

    fn shown(&self) -> std::sync::MutexGuard<'_, Option<(Capture, String, Option<String>)>> {
        self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a tap in front of `upstream` (the open connection), or the inbox. One at a time.
    pub async fn start(
        &self,
        start: TapStart,
        upstream: Option<ScimClient>,
    ) -> Result<TapStatus, AppError> {
        let mut running = self.running.lock().await;
        if running.is_some() {
            return Err(AppError::invalid_input(
                "A tap is already running: stop it first.",
            ));
        }
        let listen = listen_addr(&start.listen)?;
        *self.saved.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let setup = |e: scim_tap::TapError| AppError::invalid_input(e.to_string());
        let (now, token) = match start.mode {
            TapMode::Tap => {
                let upstream = upstream.ok_or_else(|| {
                    AppError::invalid_input(
                        "Open a connection to tap first: the tap forwards to it.",
                    )
                })?;
                let url = upstream.base_url().to_owned();
                let mut config = TapConfig::new(listen, upstream);
                config.auth = if start.replace_auth {
                    ForwardAuth::Connection
                } else {
                    ForwardAuth::PassThrough
                };
                let tap = RunningTap::start(config).await.map_err(setup)?;
                (Running::Tap { tap, upstream: url }, None)
            }
            TapMode::Inbox => {
                let inbox = Inbox::start(InboxConfig {
                    listen,
                    profile: profile_of(start.profile.as_deref())?,
                    users: start.users as usize,
                    capacity: scim_tap::capture::DEFAULT_CAPACITY,
                })
                .await
                .map_err(setup)?;
                let token = inbox.token.clone();
                (Running::Inbox(inbox), Some(token))
            }
        };
        let (capture, base_url) = match &now {
            Running::Tap { tap, .. } => (tap.capture.clone(), tap.base_url.clone()),
            Running::Inbox(i) => (i.tap.capture.clone(), i.tap.base_url.clone()),
        };
        *self.shown() = Some((capture, base_url, None));
        *running = Some(now);
        let mut status = Self::status_of(running.as_ref(), self.shown().as_ref());
        status.token = token;
        Ok(status)
    }

    /// Stops whatever runs; the capture stays on screen until another starts or opens.
    pub async fn stop(&self) -> TapStatus {
        let mut running = self.running.lock().await;
        let stopped = match running.take() {
            Some(Running::Tap { tap, .. }) => {
                tap.stop().await;
                true
            }
            Some(Running::Inbox(inbox)) => {
                inbox.stop().await;
                true
            }
            None => false,
        };
        if stopped {
            // A capture that cannot be saved is still on screen to export: say why, lose nothing.
            let saved = match self.save_stopped() {
                Ok(path) => path,
                Err(e) => Some(format!("not saved: {}", e.message)),
            };
            *self.saved.lock().unwrap_or_else(|p| p.into_inner()) = saved;
        }
        let mut status = Self::status_of(None, self.shown().as_ref());
        status.saved = self.saved.lock().unwrap_or_else(|p| p.into_inner()).clone();
        status
    }

    /// A new inbox token (the old one stops working); the only answer that carries it.
    pub async fn rotate_token(&self) -> Result<TapStatus, AppError> {
        let mut running = self.running.lock().await;
        let Some(Running::Inbox(inbox)) = running.take() else {
            return Err(AppError::invalid_input(
                "Only an inbox has a token to rotate.",
            ));
        };
        let inbox = inbox
            .rotate_token()
            .await
            .map_err(|e| AppError::invalid_input(e.to_string()))?;
        let token = inbox.token.clone();
        *running = Some(Running::Inbox(inbox));
        let mut status = Self::status_of(running.as_ref(), self.shown().as_ref());
        status.token = Some(token);
        Ok(status)
    }

    pub async fn status(&self) -> TapStatus {
        let running = self.running.lock().await;
        let mut status = Self::status_of(running.as_ref(), self.shown().as_ref());
        if running.is_none() {
            status.saved = self.saved.lock().unwrap_or_else(|p| p.into_inner()).clone();
        }
        status
    }

    fn status_of(
        running: Option<&Running>,
        shown: Option<&(Capture, String, Option<String>)>,
    ) -> TapStatus {
        let (mode, upstream, addr) = match running {
            Some(Running::Tap { tap, upstream }) => {
                (Some(TapMode::Tap), Some(upstream.clone()), Some(tap.addr))
            }
            Some(Running::Inbox(i)) => (Some(TapMode::Inbox), None, Some(i.tap.addr)),
            None => (None, None, None),
        };
        TapStatus {
            running: running.is_some(),
            mode,
            base_url: shown.map(|s| s.1.clone()),
            upstream,
            token: None,
            warning: addr.as_ref().and_then(scim_tap::proxy::exposure_warning),
            exchanges: shown.map_or(0, |s| clamp(s.0.len())),
            dropped: shown.map_or(0, |s| clamp(s.0.dropped())),
            sender: shown
                .and_then(|s| s.0.sender())
                .as_ref()
                .map(TapSender::from),
            opened: shown.and_then(|s| s.2.clone()),
            saved: None,
        }
    }

    /// The exchanges after `after_seq`, oldest first (the UI polls with the last it has).
    pub fn rows_after(&self, after_seq: u32) -> Vec<TapRow> {
        self.shown()
            .as_ref()
            .map(|(c, _, _)| {
                c.exchanges()
                    .iter()
                    .filter(|e| e.seq > u64::from(after_seq))
                    .map(TapRow::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Writes the capture shown as HAR 1.2 (`har`) or JSON lines (`jsonl`) to `path`.
    pub fn export(&self, path: &str, format: &str) -> Result<String, AppError> {
        let shown = self.shown();
        let Some((capture, base_url, _)) = shown.as_ref() else {
            return Err(AppError::invalid_input(
                "There is no capture to export yet.",
            ));
        };
        let exchanges = capture.exchanges();
        let text = match format {
            "jsonl" => scim_tap::har::to_json_lines(&exchanges),
            _ => {
                let origin = base_url
                    .split_once("://")
                    .map(|(scheme, rest)| {
                        format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
                    })
                    .unwrap_or_default();
                let har = scim_tap::har::to_har(&exchanges, &origin);
                serde_json::to_string_pretty(&har).map_err(|e| AppError::internal(e.to_string()))?
            }
        };
        crate::export::write_file(path, text.as_bytes())
    }

    /// Plans a replay of the shown capture against `target` (the open connection); nothing is sent
    /// until [`Self::replay_step`].
    pub async fn replay_start(
        &self,
        target: ScimClient,
        read_only: bool,
    ) -> Result<ReplayView, AppError> {
        if read_only {
            return Err(AppError::invalid_input(
                "This connection is read-only: a replay sends the capture's writes to it.",
            ));
        }
        let exchanges = match self.shown().as_ref() {
            Some((capture, _, _)) => capture.exchanges(),
            None => {
                return Err(AppError::invalid_input(
                    "There is no capture to replay yet.",
                ))
            }
        };
        let run = ReplayRun {
            replay: scim_tap::replay::Replay::plan(&exchanges),
            target,
            cleaned_up: false,
        };
        let view = run.view();
        *self.replay.lock().await = Some(run);
        Ok(view)
    }

    /// Sends the next step (or every remaining one, with `to_end`).
    pub async fn replay_step(&self, to_end: bool) -> Result<ReplayView, AppError> {
        let mut guard = self.replay.lock().await;
        let run = guard
            .as_mut()
            .ok_or_else(|| AppError::invalid_input("Start a replay first."))?;
        if to_end {
            run.replay.run_all(&run.target).await;
        } else {
            run.replay.step(&run.target).await;
        }
        Ok(run.view())
    }

    /// Deletes what the replay created.
    pub async fn replay_cleanup(&self) -> Result<ReplayView, AppError> {
        let mut guard = self.replay.lock().await;
        let run = guard
            .as_mut()
            .ok_or_else(|| AppError::invalid_input("Start a replay first."))?;
        run.replay.cleanup(&run.target).await;
        run.cleaned_up = true;
        Ok(run.view())
    }

    /// Opens a HAR (ours or another tool's) to browse offline; stops nothing that runs.
    pub async fn open(&self, path: &str) -> Result<TapStatus, AppError> {
        if self.running.lock().await.is_some() {
            return Err(AppError::invalid_input(
                "Stop the running tap before opening a capture.",
            ));
        }
        const MAX: u64 = 512 * 1024 * 1024;
        let size = std::fs::metadata(path)
            .map_err(|e| AppError::invalid_input(format!("Cannot read {path}: {e}")))?
            .len();
        if size > MAX {
            return Err(AppError::invalid_input(format!(
                "{path} is {size} bytes; captures up to {MAX} bytes are opened"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::invalid_input(format!("Cannot read {path}: {e}")))?;
        let read = scim_tap::har::from_har(&text).map_err(AppError::invalid_input)?;
        // The base URL the capture was sent to, so an export of it names the same URLs.
        let base_url = read.base_url.clone().unwrap_or_default();
        *self.shown() = Some((read.capture, base_url, Some(path.to_owned())));
        Ok(self.status().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox_start() -> TapStart {
        TapStart {
            mode: TapMode::Inbox,
            listen: "127.0.0.1:0".into(),
            replace_auth: false,
            profile: Some("rfc".into()),
            users: 3,
        }
    }

    /// Each stopped capture is saved as HAR in the captures folder, the newest `keep` kept; the
    /// inbox's token is in the start answer only, and in no saved file.
    #[tokio::test]
    async fn stopped_captures_are_saved_with_a_rolling_limit_and_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let session = TapSession::saving_to(dir.path().join("captures"), 2);
        let mut tokens = Vec::new();
        for _ in 0..3 {
            let started = session.start(inbox_start(), None).await.expect("inbox");
            let token = started.token.clone().expect("the token, once");
            assert_eq!(session.status().await.token, None, "shown once");
            let url = started.base_url.clone().unwrap();
            let idp = ScimClient::new(scim_client::ClientConfig::new(
                &url,
                scim_client::Auth::Bearer(scim_client::Secret::new(&token)),
            ))
            .unwrap();
            idp.list("Users", &Default::default()).await.expect("list");
            let stopped = session.stop().await;
            assert!(!stopped.running);
            let saved = stopped.saved.expect("saved");
            assert!(std::path::Path::new(&saved).exists(), "{saved}");
            assert_eq!(
                session.rows_after(0).len(),
                1,
                "the capture stays on screen"
            );
            tokens.push(token);
            // Names are by the second: make the next one differ.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        let saved = session.saved_captures();
        assert_eq!(saved.len(), 2, "the oldest rolled off: {saved:?}");
        for path in &saved {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                tokens.iter().all(|t| !text.contains(t.as_str())),
                "a token in {path}"
            );
        }
        // A saved capture opens again offline.
        let opened = session.open(&saved[0]).await.expect("open");
        assert_eq!(opened.opened.as_deref(), Some(saved[0].as_str()));
        let base = opened.base_url.clone().unwrap_or_default();
        assert!(
            base.starts_with("http://127.0.0.1:") && base.ends_with("/scim/v2"),
            "{base}"
        );
        assert_eq!(session.rows_after(0).len(), 1);
    }

    #[tokio::test]
    async fn a_tap_needs_a_connection_and_one_runs_at_a_time() {
        let session = TapSession::default();
        let mut start = inbox_start();
        start.mode = TapMode::Tap;
        let e = session.start(start, None).await.unwrap_err();
        assert!(e.message.contains("Open a connection"), "{}", e.message);
        session.start(inbox_start(), None).await.expect("inbox");
        let e = session.start(inbox_start(), None).await.unwrap_err();
        assert!(e.message.contains("already running"), "{}", e.message);
        let mut bad = inbox_start();
        bad.listen = "nowhere".into();
        session.stop().await;
        let e = session.start(bad, None).await.unwrap_err();
        assert!(e.message.contains("not an address"), "{}", e.message);
    }
}
