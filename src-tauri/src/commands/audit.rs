//! Commands of the audit screens: snapshots (take, list, open offline), the compare screen (two
//! directories diffed in Rust, served as windows of narrated lines) and the reports, each exportable
//! with its provenance and, when presenting, masked on request.

use std::path::Path;
use std::sync::Arc;

use tauri::State;

use scim_services::compare::{
    CompareSummary, DiffQuery, DiffWindow, LineDetail, MatchBy, SideSpec,
};
use scim_services::presentation::ReportCells;
use scim_services::reports::{
    self, ExportFormat, ReportInfo, ReportKind, ReportQuery, ReportRows, ReportView,
};
use scim_services::snapshot::SnapshotListing;
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
        // A snapshot the screen lists (the app's own folder) or one chosen in the Open dialog.
        let path = state
            .files
            .for_reading(&path, &[scim_services::connections::config_dir()])?;
        let directory = Arc::new(Directory::open_snapshot(Path::new(&path)).await?);
        let summary = directory.summary();
        *state.directory.lock().await = Some(directory);
        Ok(summary)
    })
    .await
}

/// Compares A with B (what changed from A to B); the open directory keeps the result for the
/// windows below.
#[tauri::command]
#[specta::specta]
pub async fn compare_directories(
    state: State<'_, AppState>,
    a: SideSpec,
    b: SideSpec,
    by: MatchBy,
) -> Result<CompareSummary, AppError> {
    crate::guard::guarded(async move {
        // A snapshot side is one the screen lists or one chosen in the Open dialog.
        for side in [&a, &b] {
            if let SideSpec::Snapshot { path } = side {
                state
                    .files
                    .for_reading(path, &[scim_services::connections::config_dir()])?;
            }
        }
        current(&state)
            .await?
            .compare(&state.connections, &a, &b, by)
            .await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn diff_window(
    state: State<'_, AppState>,
    query: DiffQuery,
) -> Result<DiffWindow, AppError> {
    crate::guard::guarded(async move {
        let window = current(&state).await?.diff_window(&query)?;
        Ok(state.presentation.apply(window))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn diff_line(state: State<'_, AppState>, index: u32) -> Result<LineDetail, AppError> {
    crate::guard::guarded(async move {
        let line = current(&state).await?.diff_line(index)?;
        Ok(state.presentation.apply(line))
    })
    .await
}

/// Writes the selected lines as CSV (provenance first); `mask` hides the people they name.
#[tauri::command]
#[specta::specta]
pub async fn export_diff(
    state: State<'_, AppState>,
    query: DiffQuery,
    path: String,
    mask: bool,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        let csv = current(&state).await?.diff_csv(&query, mask)?;
        scim_services::export::write_file(&path, csv.as_bytes())
    })
    .await
}

/// The audits the app can run.
#[tauri::command]
#[specta::specta]
pub fn report_catalog() -> Vec<ReportInfo> {
    reports::catalog()
}

/// Runs `report` over a snapshot file, or over the open directory when `snapshot` is absent.
#[tauri::command]
#[specta::specta]
pub async fn run_report(
    state: State<'_, AppState>,
    report: ReportKind,
    snapshot: Option<String>,
) -> Result<ReportView, AppError> {
    crate::guard::guarded(async move {
        current(&state)
            .await?
            .run_report(report, snapshot.as_deref().map(Path::new))
            .await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn report_rows(
    state: State<'_, AppState>,
    query: ReportQuery,
) -> Result<ReportRows, AppError> {
    crate::guard::guarded(async move {
        let report = current(&state).await?.shown_report()?;
        let rows = report.window(&query);
        Ok(state
            .presentation
            .apply(ReportCells(rows, &report.columns))
            .0)
    })
    .await
}

/// Exports the shown report as `format`; `mask` applies presentation-mode masking.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    state: State<'_, AppState>,
    format: ExportFormat,
    path: String,
    mask: bool,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        let bytes = current(&state).await?.report_bytes(format, mask)?;
        scim_services::export::write_file(&path, &bytes)
    })
    .await
}
