//! Commands of the audit screens: snapshots (take, list, open offline), the compare screen (two
//! directories diffed in Rust, served as windows of narrated lines) and the reports, each exportable
//! with its provenance and, when presenting, masked on request.

use std::path::Path;
use std::sync::Arc;

use tauri::State;

use scim_services::compare::{
    CompareSummary, Comparison, DiffQuery, DiffWindow, LineDetail, MatchBy, SideSpec,
};
use scim_services::presentation::ReportCells;
use scim_services::reports::{
    self, ExportFormat, Provenance, Report, ReportInfo, ReportKind, ReportQuery, ReportRows,
    ReportView,
};
use scim_services::snapshot::{Snapshot, SnapshotListing};
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
    crate::guard::guarded_sync(move || {
        Ok(state.presentation.apply(comparison(&state)?.window(&query)))
    })
}

#[tauri::command]
#[specta::specta]
pub fn diff_line(state: State<'_, AppState>, index: u32) -> Result<LineDetail, AppError> {
    crate::guard::guarded_sync(move || {
        Ok(state.presentation.apply(comparison(&state)?.detail(index)?))
    })
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
        let snap = match snapshot {
            Some(path) => Snapshot::read(Path::new(&path))?,
            None => current(&state).await?.data().await?,
        };
        let provenance = Provenance::of_snapshot(&snap);
        let built = tokio::task::spawn_blocking(move || {
            reports::build(&report, &snap.users, &snap.groups, provenance)
        })
        .await
        .map_err(|e| AppError::internal(format!("the report stopped: {e}")))??;
        let view = built.view();
        *state.report.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(built));
        Ok(view)
    })
    .await
}

fn shown_report(state: &AppState) -> Result<Arc<Report>, AppError> {
    state
        .report
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| AppError::invalid_input("No report has been run yet."))
}

#[tauri::command]
#[specta::specta]
pub fn report_rows(state: State<'_, AppState>, query: ReportQuery) -> Result<ReportRows, AppError> {
    crate::guard::guarded_sync(move || {
        let report = shown_report(&state)?;
        let rows = report.window(&query);
        Ok(state
            .presentation
            .apply(ReportCells(rows, &report.columns))
            .0)
    })
}

/// Exports the shown report as `format`; `mask` applies presentation-mode masking.
#[tauri::command]
#[specta::specta]
pub fn export_report(
    state: State<'_, AppState>,
    format: ExportFormat,
    path: String,
    mask: bool,
) -> Result<String, AppError> {
    crate::guard::guarded_sync(move || {
        let shown = shown_report(&state)?;
        let r = if mask {
            reports::masked(&shown)
        } else {
            (*shown).clone()
        };
        scim_services::export::write_file(&path, &reports::encode(&r, format)?)
    })
}
