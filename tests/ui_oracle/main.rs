//! The real services code answering the browser harness over loopback HTTP. The UI tests in
//! Chromium mock the Tauri IPC; for the commands that compute as the user types — the filter check,
//! the filter builder's tree and text, the attributes both builders offer, the PATCH dry run and its
//! dialects — a JavaScript stand-in
//! would test itself, so the harness asks this process instead. It prints its base URL on the first
//! line of stdout and serves until stdin closes (the test runner that started it went away).
//!
//! The Tap screen's commands are answered by a real tap session (module `scim_services::tap`) in
//! front of a demo server of its own, so the browser test sends real requests through a real tap.
//!
//! The PATCH dry run is planned by the services `Writer` with the discovery of a demo server in the
//! RFC profile, against the resource the harness holds; nothing is sent anywhere.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use scim_client::{Auth, ClientConfig, Discovery, ScimClient};
use scim_demo_server::{DemoConfig, DemoServer};
use scim_services::change_log::ChangeLog;
use scim_services::filter_tree::{self, FilterNode};
use scim_services::writes::{PatchDraft, Writer};
use serde::Deserialize;
use serde_json::{json, Value};

/// Where the harness's resource URLs point (its `BASE`), so planned requests name the same URLs.
const HARNESS_BASE: &str = "http://127.0.0.1:4010/scim/v2";

struct Oracle {
    client: ScimClient,
    discovery: Discovery,
    log: ChangeLog,
    _log_dir: tempfile::TempDir,
    /// The Tap screen's session, for real: a tap forwards to `tapped` (a demo server), an inbox
    /// is a demo server of its own; the test sends it real requests.
    tap: scim_services::tap::TapSession,
    tapped: ScimClient,
    _tapped_server: DemoServer,
    /// What the harness's "user" chose in dialogs, held by the services' own rule.
    files: scim_services::file_choices::FileChoices,
    captures: std::path::PathBuf,
}

/// A JSON answer any page may read: the harness is served from another port (a "simple" text/plain
/// POST needs no preflight, only this header).
fn answer(value: Value) -> Response {
    let mut response = axum::Json(value).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Reads the question, answers it with `f`; a question it cannot read is answered with why.
fn respond<Q: for<'de> Deserialize<'de>>(body: &str, f: impl FnOnce(Q) -> Value) -> Response {
    answer(match serde_json::from_str::<Q>(body) {
        Ok(q) => f(q),
        Err(e) => json!({"oracleError": format!("a question the oracle cannot read: {e}")}),
    })
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

async fn check_filter(body: String) -> Response {
    respond(&body, |q: Text| json!(scim_services::check_filter(&q.text)))
}

async fn filter_to_tree(body: String) -> Response {
    respond(&body, |q: Text| json!(filter_tree::tree_result(&q.text)))
}

async fn tree_to_filter(body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        tree: FilterNode,
    }
    respond(&body, |q: Q| match filter_tree::to_text(&q.tree) {
        Ok(text) => json!({"ok": text}),
        Err(e) => json!({"error": e}),
    })
}

/// The attributes the filter builder offers: the schemas', then `undeclared` (seen in the data).
async fn filter_attributes(State(oracle): State<Arc<Oracle>>, body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        kind: String,
        undeclared: Vec<String>,
    }
    respond(&body, |q: Q| {
        json!(filter_tree::attributes(
            &q.kind,
            &oracle.discovery.schemas,
            &q.undeclared
        ))
    })
}

/// The attributes the PATCH builder offers for `kind`, with those `resource` has undeclared.
async fn patch_attributes(State(oracle): State<Arc<Oracle>>, body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        kind: String,
        resource: Option<Value>,
    }
    respond(&body, |q: Q| {
        json!(scim_services::patch_paths::patch_attributes(
            &q.kind,
            &oracle.discovery.schemas,
            q.resource.as_ref()
        ))
    })
}

/// A PATCH draft, the resource as the harness holds it, its version and whether the connection is
/// read-only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DryRun {
    draft: PatchDraft,
    resource: Value,
    etag: Option<String>,
    read_only: bool,
}

async fn preview_patch(State(oracle): State<Arc<Oracle>>, body: String) -> Response {
    respond(&body, |q: DryRun| {
        let writer = Writer {
            client: &oracle.client,
            discovery: &oracle.discovery,
            connection: "Demo directory",
            read_only: q.read_only,
            log: &oracle.log,
        };
        json!(writer.preview_patch_of(&q.draft, &q.resource, q.etag))
    })
}

/// The palette's search over the resources the harness holds, by the services' own ranking.
async fn find_resources(body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        users: Vec<Value>,
        groups: Vec<Value>,
        text: String,
        limit: usize,
    }
    respond(&body, |q: Q| {
        let users: Vec<scim_core::Resource> =
            q.users.into_iter().map(scim_core::Resource::new).collect();
        let groups: Vec<scim_core::Resource> =
            q.groups.into_iter().map(scim_core::Resource::new).collect();
        json!(scim_services::find::find_in(
            &[("Users", &users), ("Groups", &groups)],
            &q.text,
            q.limit
        ))
    })
}

/// The Tap screen's commands, answered by the services' real `TapSession`: `{"ok": …}` or
/// `{"error": AppError}`, as the IPC would carry them.
async fn tap(
    State(oracle): State<Arc<Oracle>>,
    axum::extract::Path(cmd): axum::extract::Path<String>,
    body: String,
) -> Response {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct Q {
        start: Option<scim_services::tap::TapStart>,
        after_seq: Option<u32>,
        path: Option<String>,
        format: Option<String>,
        to_end: Option<bool>,
    }
    let q: Q = serde_json::from_str(&body).unwrap_or_default();
    let session = &oracle.tap;
    let result: Result<Value, scim_services::AppError> = match cmd.as_str() {
        "tap_start" => match q.start {
            Some(start) => session
                .start(start, Some(oracle.tapped.clone()))
                .await
                .map(|s| json!(s)),
            None => Err(scim_services::AppError::invalid_input("no start")),
        },
        "tap_stop" => Ok(json!(session.stop().await)),
        "tap_status" => Ok(json!(session.status().await)),
        "tap_rotate_token" => session.rotate_token().await.map(|s| json!(s)),
        "tap_exchanges" => Ok(json!(session.rows_after(q.after_seq.unwrap_or(0)))),
        "tap_export" => match oracle.files.for_writing(q.path.as_deref().unwrap_or("")) {
            Ok(path) => session
                .export(&path, q.format.as_deref().unwrap_or("har"))
                .map(|p| json!(p)),
            Err(e) => Err(e),
        },
        "tap_open" => match oracle.files.for_reading(
            q.path.as_deref().unwrap_or(""),
            std::slice::from_ref(&oracle.captures),
        ) {
            Ok(path) => session.open(&path).await.map(|s| json!(s)),
            Err(e) => Err(e),
        },
        "tap_saved_captures" => Ok(json!(session.saved_captures())),
        "tap_replay_start" => session
            .replay_start(oracle.tapped.clone(), false)
            .await
            .map(|v| json!(v)),
        "tap_replay_step" => session
            .replay_step(q.to_end.unwrap_or(false))
            .await
            .map(|v| json!(v)),
        "tap_replay_cleanup" => session.replay_cleanup().await.map(|v| json!(v)),
        other => return answer(json!({"oracleError": format!("no tap command {other}")})),
    };
    answer(match result {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"error": e}),
    })
}

/// A dialog as Rust opens it (its suggested name, in the harness's Downloads folder), and what the
/// "user" chose in it (`chosen`; the suggestion when absent), recorded by the services' rule.
async fn file_dialog(State(oracle): State<Arc<Oracle>>, body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        kind: scim_services::file_choices::FileKind,
        detail: Option<String>,
        connection: Option<String>,
        chosen: Option<String>,
    }
    respond(&body, |q: Q| {
        let dialog = q.kind.dialog(
            q.connection.as_deref(),
            q.detail.as_deref(),
            &scim_services::file_choices::today(),
            Some(std::path::Path::new("/home/ana/Downloads")),
        );
        let chosen = q.chosen.or_else(|| {
            let name = dialog.file_name.as_deref()?;
            Some(format!("/home/ana/Downloads/{name}"))
        });
        let path = chosen.map(|c| oracle.files.chose(q.kind, c.into()).display().to_string());
        json!({"dialog": dialog, "path": path})
    })
}

/// Whether the services would write (or read) `path`: `{"ok": path}` or `{"error": AppError}`.
async fn file_allowed(State(oracle): State<Arc<Oracle>>, body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        path: String,
        write: bool,
    }
    respond(&body, |q: Q| {
        let checked = if q.write {
            oracle.files.for_writing(&q.path)
        } else {
            oracle.files.for_reading(&q.path, &[])
        };
        match checked {
            Ok(p) => json!({"ok": p}),
            Err(e) => json!({"error": e}),
        }
    })
}

/// A user's single-sign-on line as the user page shows it: `key` when the connection sets one,
/// else what `users` suggest (the services' rule, `scim_core::identity`).
async fn identity_line(body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        user: Value,
        users: Vec<Value>,
        key: Option<scim_core::identity::SsoKey>,
    }
    respond(&body, |q: Q| {
        let users: Vec<scim_core::Resource> =
            q.users.into_iter().map(scim_core::Resource::new).collect();
        let (key, why) = match q.key {
            Some(k) => (k, "set on this connection".to_owned()),
            None => scim_core::identity::suggest(&users),
        };
        json!(scim_services::IdentityLine {
            key,
            value: key.value_of(&scim_core::Resource::new(q.user)),
            meaning: key.meaning().to_owned(),
            why,
        })
    })
}

/// The demo directories the connection menu offers, as Rust lists them.
async fn demo_catalog(_body: String) -> Response {
    answer(json!(scim_services::demo::catalog()))
}

/// The name a demo directory opens with, or why its options are refused.
async fn demo_open(body: String) -> Response {
    #[derive(Deserialize)]
    struct Q {
        options: scim_services::demo::DemoOptions,
    }
    respond(&body, |q: Q| match q.options.checked() {
        Ok(_) => json!({"ok": q.options.title()}),
        Err(e) => json!({"error": e}),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Discovery as the app would read it from a server in the RFC profile.
    let demo = DemoServer::start(DemoConfig::default())
        .await
        .expect("a demo server for discovery");
    let discovery = ScimClient::new(ClientConfig::new(&demo.base_url, Auth::None))
        .expect("client")
        .discover()
        .await
        .expect("discovery");
    drop(demo);
    let log_dir = tempfile::tempdir().expect("a temporary change log");
    let captures = log_dir.path().join("captures");
    let tapped_server = DemoServer::start(DemoConfig {
        seed: scim_demo_server::SeedOptions {
            users: 40,
            ..Default::default()
        },
        ..DemoConfig::default()
    })
    .await
    .expect("a demo server to tap");
    let tapped =
        ScimClient::new(ClientConfig::new(&tapped_server.base_url, Auth::None)).expect("client");
    let oracle = Arc::new(Oracle {
        client: ScimClient::new(ClientConfig::new(HARNESS_BASE, Auth::None)).expect("client"),
        discovery,
        log: ChangeLog::new(log_dir.path(), "oracle"),
        _log_dir: log_dir,
        tap: scim_services::tap::TapSession::saving_to(captures.clone(), 5),
        tapped,
        _tapped_server: tapped_server,
        files: scim_services::file_choices::FileChoices::default(),
        captures,
    });
    let app = Router::new()
        .route("/check_filter", post(check_filter))
        .route("/filter_to_tree", post(filter_to_tree))
        .route("/tree_to_filter", post(tree_to_filter))
        .route("/preview_patch", post(preview_patch))
        .route("/filter_attributes", post(filter_attributes))
        .route("/patch_attributes", post(patch_attributes))
        .route("/tap/{cmd}", post(tap))
        .route("/find_resources", post(find_resources))
        .route("/file_dialog", post(file_dialog))
        .route("/file_allowed", post(file_allowed))
        .route("/demo_catalog", post(demo_catalog))
        .route("/identity_line", post(identity_line))
        .route("/demo_open", post(demo_open))
        .with_state(oracle);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    println!("http://{}", listener.local_addr().expect("address"));
    // Stop when the runner's end of stdin closes: the oracle never outlives its test run.
    let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = closed.send(());
    });
    let stdin_closed = async {
        let _ = stdin_closed.await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stdin_closed)
        .await
        .expect("serve");
}
