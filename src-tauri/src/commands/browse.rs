//! Commands of the loaded tables: load a whole collection (progress pushed as `load-progress`
//! events), cancel, resume, read windows of rows; role groups and their membership matrix; and the
//! request log screen.

use scim_core::ResourceKind;
use scim_services::loaded::Projection;
use scim_services::members::{MembersQuery, MembersWindow};
use scim_services::presentation::Rows;
use scim_services::roles::{self, MatrixQuery, MatrixWindow, RoleGroups, RoleRule};
use scim_services::{
    request_log, AppError, LoadProgress, LoadSummary, LogEntry, RowsWindow, WindowQuery,
};
use tauri::{AppHandle, Emitter, State};

use crate::commands::directory::current;
use crate::state::AppState;

/// The event carrying [`LoadProgress`] while a load runs.
pub const LOAD_PROGRESS: &str = "load-progress";

fn emitter(app: AppHandle) -> impl Fn(LoadProgress) + Send + Sync {
    move |p| {
        // A closed window cannot receive progress; the load itself goes on.
        let _ = app.emit(LOAD_PROGRESS, p);
    }
}

/// Loads every `kind` (Users or Groups) matching `filter`, all pages, in Rust.
#[tauri::command]
#[specta::specta]
pub async fn load_resources(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: ResourceKind,
    filter: Option<String>,
    projection: Option<Projection>,
) -> Result<LoadSummary, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        directory
            .load_projected(&kind, filter, projection.unwrap_or_default(), &emitter(app))
            .await
    })
    .await
}

/// Continues a load that stopped early.
#[tauri::command]
#[specta::specta]
pub async fn resume_load(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: ResourceKind,
) -> Result<LoadSummary, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        directory.resume(&kind, &emitter(app)).await
    })
    .await
}

/// Stops the running load of `kind`; what arrived stays browsable.
#[tauri::command]
#[specta::specta]
pub async fn cancel_load(state: State<'_, AppState>, kind: ResourceKind) -> Result<bool, AppError> {
    crate::guard::guarded(async move { Ok(current(&state).await?.cancel_load(&kind)) }).await
}

/// A window of the loaded rows, sorted and quick-filtered in Rust.
#[tauri::command]
#[specta::specta]
pub async fn rows_window(
    state: State<'_, AppState>,
    kind: ResourceKind,
    query: WindowQuery,
) -> Result<RowsWindow, AppError> {
    crate::guard::guarded(async move {
        let window = current(&state).await?.window(&kind, &query)?;
        Ok(state.presentation.apply(Rows(window, &query.columns)).0)
    })
    .await
}

/// Request log entries newer than `after_seq`.
#[tauri::command]
#[specta::specta]
pub async fn request_log_entries(
    state: State<'_, AppState>,
    after_seq: u32,
) -> Result<Vec<LogEntry>, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        Ok(state.presentation.apply(request_log::entries_after(
            directory.request_log(),
            after_seq,
        )))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn clear_request_log(state: State<'_, AppState>) -> Result<(), AppError> {
    crate::guard::guarded(async move {
        current(&state).await?.request_log().clear();
        Ok(())
    })
    .await
}

/// Writes the request log (secrets masked) as JSON to `path`.
#[tauri::command]
#[specta::specta]
pub async fn export_request_log(
    state: State<'_, AppState>,
    path: String,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        let directory = current(&state).await?;
        request_log::export(directory.request_log(), &path)
    })
    .await
}

/// The rules a connection starts with (profiles and projects).
#[tauri::command]
#[specta::specta]
pub fn default_role_rules() -> Vec<RoleRule> {
    roles::default_rules()
}

/// The role groups the rules find in the loaded groups (loading them first if needed).
#[tauri::command]
#[specta::specta]
pub async fn role_groups(
    state: State<'_, AppState>,
    rules: Vec<RoleRule>,
) -> Result<RoleGroups, AppError> {
    crate::guard::guarded(async move { current(&state).await?.role_groups(&rules).await }).await
}

/// The role groups user `id` holds: `groups` (the user's groups as the page lists them) matched by
/// name rules, and the resources of resource-type rules by membership.
#[tauri::command]
#[specta::specta]
pub async fn user_role_groups(
    state: State<'_, AppState>,
    id: String,
    groups: Vec<String>,
    rules: Vec<RoleRule>,
) -> Result<Vec<roles::HeldRole>, AppError> {
    crate::guard::guarded(async move {
        current(&state)
            .await?
            .user_role_groups(&id, &groups, &rules)
            .await
    })
    .await
}

/// A window of the users × role groups matrix.
#[tauri::command]
#[specta::specta]
pub async fn role_matrix(
    state: State<'_, AppState>,
    query: MatrixQuery,
) -> Result<MatrixWindow, AppError> {
    crate::guard::guarded(async move {
        let window = current(&state).await?.role_matrix(&query).await?;
        Ok(state.presentation.apply(window))
    })
    .await
}

/// Writes the whole matrix (every matching user) as CSV to `path`.
#[tauri::command]
#[specta::specta]
pub async fn export_role_matrix(
    state: State<'_, AppState>,
    query: MatrixQuery,
    path: String,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        let csv = current(&state).await?.role_matrix_csv(&query).await?;
        scim_services::export::write_file(&path, csv.as_bytes())
    })
    .await
}

/// A window of a group's members (read when the group is opened), labelled from the loaded data.
#[tauri::command]
#[specta::specta]
pub async fn group_members(
    state: State<'_, AppState>,
    id: String,
    query: MembersQuery,
) -> Result<MembersWindow, AppError> {
    crate::guard::guarded(async move {
        let window = current(&state).await?.group_members(&id, &query).await?;
        Ok(state.presentation.apply(window))
    })
    .await
}

/// Loaded users and groups matching `text`, best first (the command palette).
#[tauri::command]
#[specta::specta]
pub async fn find_resources(
    state: State<'_, AppState>,
    text: String,
    limit: u32,
) -> Result<Vec<scim_services::find::FoundResource>, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        Ok(state
            .presentation
            .apply(directory.find(&text, limit.min(50) as usize)))
    })
    .await
}
