//! Commands of the audit screens: snapshots (take, list, open offline), the compare screen (two
//! directories diffed in Rust, served as windows of narrated lines) and the reports, each exportable
//! with its provenance and, when presenting, masked on request.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use scim_services::compare::{
    CompareSummary, Comparison, DiffQuery, DiffWindow, LineDetail, MatchBy, SideSpec,
};
use scim_services::reports::{self, Provenance, Report};
use scim_services::snapshot::{self, Snapshot, SnapshotListing};
use scim_services::{AppError, Directory, DirectorySummary};

use crate::commands::directory::current;
use crate::state::AppState;

/// The open connection's snapshots, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_snapshots(state: State<'_, AppState>) -> Result<Vec<SnapshotListing>, AppError> {
    crate::guard::guarded(async move { Ok(current(&state).await?.snapshots()) }).await
}

/// Saves the open directory to a new snapshot in its connection's folder.
#[tauri::command]
#[specta::specta]
pub async fn take_snapshot(state: State<'_, AppState>) -> Result<SnapshotListing, AppError> {
    crate::guard::guarded(async move { current(&state).await?.take_snapshot().await }).await
}

/// Opens a snapshot offline (read-only) in place of the open directory.
#[tauri::command]
#[specta::specta]
pub async fn open_snapshot(
    state: State<'_, AppState>,
    path: String,
) -> Result<DirectorySummary, AppError> {
    crate::guard::guarded(async move {
        let directory = Arc::new(Directory::open_snapshot(Path::new(&path)).await?);
        let summary = directory.summary();
        *state.directory.lock().await = Some(directory);
        Ok(summary)
    })
    .await
}

async fn side(state: &AppState, spec: &SideSpec) -> Result<(Snapshot, String), AppError> {
    match spec {
        SideSpec::Snapshot { path } => {
            let snap = Snapshot::read(Path::new(path))?;
            let label = format!(
                "Snapshot {} of {}",
                snap.header.taken_at, snap.header.connection
            );
            Ok((snap, label))
        }
        SideSpec::Live => {
            let directory = current(state).await?;
            let snap = directory.data().await?;
            Ok((snap, format!("{} (now)", directory.name)))
        }
        SideSpec::Connection { name } => {
            let directory = Directory::open_saved(&state.connections, name).await?;
            let snap = directory.read_now().await?;
            Ok((snap, format!("{name} (now)")))
        }
    }
}

fn comparison(state: &AppState) -> Result<Arc<Comparison>, AppError> {
    state
        .comparison
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| AppError::invalid_input("Nothing is being compared yet."))
}

/// Compares A with B (what changed from A to B) and keeps the result for the windows below.
#[tauri::command]
#[specta::specta]
pub async fn compare_directories(
    state: State<'_, AppState>,
    a: SideSpec,
    b: SideSpec,
    by: MatchBy,
) -> Result<CompareSummary, AppError> {
    crate::guard::guarded(async move {
        let (left, left_label) = side(&state, &a).await?;
        let (right, right_label) = side(&state, &b).await?;
        let computed = tokio::task::spawn_blocking(move || {
            Comparison::new(left, left_label, right, right_label, by)
        })
        .await
        .map_err(|e| AppError::internal(format!("the comparison stopped: {e}")))?;
        let summary = computed.summary.clone();
        *state.comparison.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(computed));
        Ok(summary)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub fn diff_window(state: State<'_, AppState>, query: DiffQuery) -> Result<DiffWindow, AppError> {
    crate::guard::guarded_sync(move || Ok(comparison(&state)?.window(&query)))
}

#[tauri::command]
#[specta::specta]
pub fn diff_line(state: State<'_, AppState>, index: u32) -> Result<LineDetail, AppError> {
    crate::guard::guarded_sync(move || comparison(&state)?.detail(index))
}

/// Writes the selected lines as CSV (provenance first); `mask` hides the people they name.
#[tauri::command]
#[specta::specta]
pub fn export_diff(
    state: State<'_, AppState>,
    query: DiffQuery,
    path: String,
    mask: bool,
) -> Result<String, AppError> {
    crate::guard::guarded_sync(move || {
        let csv = comparison(&state)?.to_csv(&query, mask);
        scim_services::export::write_file(&path, csv.as_bytes())
    })
}

/// A report as the reports screen shows it: everything but its rows.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub name: String,
    pub title: String,
    pub description: String,
    pub columns: Vec<String>,
    pub rows: u32,
    pub provenance: Provenance,
}

/// One report of the catalogue.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportInfo {
    pub name: String,
    pub title: String,
    pub description: String,
}

fn provenance_of(snap: &Snapshot) -> Provenance {
    Provenance {
        connection: snap.header.connection.clone(),
        base_url: snap.header.base_url.clone(),
        taken_at: snap.header.taken_at.clone(),
        // A directory read now has no file, hence no hash.
        snapshot_sha256: (!snap.header.sha256.is_empty()).then(|| snap.header.sha256.clone()),
        filter: snap.header.user_filter.clone(),
        generated_at: snapshot::now_rfc3339(),
    }
}

/// The audits the app can run.
#[tauri::command]
#[specta::specta]
pub fn report_catalog() -> Vec<ReportInfo> {
    let empty = Provenance {
        connection: String::new(),
        base_url: String::new(),
        taken_at: String::new(),
        snapshot_sha256: None,
        filter: None,
        generated_at: String::new(),
    };
    reports::NAMES
        .iter()
        .filter_map(|n| reports::build(n, &[], &[], empty.clone()).ok())
        .map(|r| ReportInfo {
            name: r.name,
            title: r.title,
            description: r.description,
        })
        .collect()
}

/// Runs report `name` over a snapshot file, or over the open directory when `snapshot` is absent.
#[tauri::command]
#[specta::specta]
pub async fn run_report(
    state: State<'_, AppState>,
    name: String,
    snapshot: Option<String>,
) -> Result<ReportView, AppError> {
    crate::guard::guarded(async move {
        let snap = match snapshot {
            Some(path) => Snapshot::read(Path::new(&path))?,
            None => current(&state).await?.data().await?,
        };
        let provenance = provenance_of(&snap);
        let report = tokio::task::spawn_blocking(move || {
            reports::build(&name, &snap.users, &snap.groups, provenance)
        })
        .await
        .map_err(|e| AppError::internal(format!("the report stopped: {e}")))??;
        let view = ReportView {
            name: report.name.clone(),
            title: report.title.clone(),
            description: report.description.clone(),
            columns: report.columns.clone(),
            rows: report.rows.len() as u32,
            provenance: report.provenance.clone(),
        };
        *state.report.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(report));
        Ok(view)
    })
    .await
}

fn report(state: &AppState) -> Result<Arc<Report>, AppError> {
    state
        .report
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| AppError::invalid_input("No report has been run yet."))
}

/// Rows of the shown report that contain `quick` (any cell, case-insensitive).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportRows {
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportQuery {
    pub offset: u32,
    pub limit: u32,
    #[serde(default)]
    pub quick: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub fn report_rows(state: State<'_, AppState>, query: ReportQuery) -> Result<ReportRows, AppError> {
    crate::guard::guarded_sync(move || {
        let r = report(&state)?;
        let quick = query
            .quick
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        let mut matched = 0u32;
        let mut rows = Vec::new();
        for row in &r.rows {
            if let Some(q) = &quick {
                if !row.iter().any(|c| c.to_lowercase().contains(q.as_str())) {
                    continue;
                }
            }
            if matched >= query.offset && rows.len() < query.limit as usize {
                rows.push(row.clone());
            }
            matched += 1;
        }
        Ok(ReportRows {
            matched,
            offset: query.offset,
            rows,
        })
    })
}

/// Exports the shown report: `csv` (a provenance comment line, then RFC 4180), `xlsx` (with a
/// provenance sheet) or `json`; `mask` applies presentation-mode masking.
#[tauri::command]
#[specta::specta]
pub fn export_report(
    state: State<'_, AppState>,
    format: String,
    path: String,
    mask: bool,
) -> Result<String, AppError> {
    crate::guard::guarded_sync(move || {
        let shown = report(&state)?;
        let r = if mask {
            reports::masked(&shown)
        } else {
            (*shown).clone()
        };
        let bytes = match format.as_str() {
            "csv" => reports::to_csv_with_provenance(&r).into_bytes(),
            "xlsx" => reports::to_xlsx(std::slice::from_ref(&r))?,
            "json" => (serde_json::to_string_pretty(&r).unwrap_or_default() + "\n").into_bytes(),
            other => {
                return Err(AppError::invalid_input(format!(
                    "Unknown export format \"{other}\": use csv, xlsx or json."
                )))
            }
        };
        scim_services::export::write_file(&path, &bytes)
    })
}
