//! Commands of the connections screens: list, create/edit, test, replace token, remove, open,
//! import and export.

use std::sync::Arc;

use scim_services::{
    AppError, Connection, ConnectionInput, Directory, DirectorySummary, ImportOutcome, TestReport,
};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    crate::guard::guarded_sync(move || state.connections.list())
}

/// Creates a connection, or updates it when the input carries its id.
#[tauri::command]
#[specta::specta]
pub fn save_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> Result<Connection, AppError> {
    crate::guard::guarded_sync(move || input.save(&state.connections))
}

/// Writes the connections (never their secrets) to `path`, for sharing a setup with a team.
#[tauri::command]
#[specta::specta]
pub fn export_connections(state: State<'_, AppState>, path: String) -> Result<String, AppError> {
    crate::guard::guarded_sync(move || {
        let path = state.files.for_writing(&path)?;
        let text = state.connections.export()?;
        scim_services::export::write_file(&path, (text + "\n").as_bytes())
    })
}

/// Adds the connections of an exported file's text (existing names are skipped; their secrets
/// must be entered afterwards). Settings that weaken security need `confirmed`: without it nothing
/// is imported and the outcome lists them.
#[tauri::command]
#[specta::specta]
pub fn import_connections(
    state: State<'_, AppState>,
    text: String,
    confirmed: bool,
) -> Result<ImportOutcome, AppError> {
    crate::guard::guarded_sync(move || state.connections.import_with(&text, confirmed))
}

#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    name: String,
) -> Result<TestReport, AppError> {
    crate::guard::guarded(async move { state.connections.test(&name).await }).await
}

/// "Replace token": stores the new token, then tests the connection with it.
#[tauri::command]
#[specta::specta]
pub async fn replace_token(
    state: State<'_, AppState>,
    name: String,
    token: String,
) -> Result<TestReport, AppError> {
    crate::guard::guarded(async move {
        state
            .connections
            .rotate(&name, &scim_client::Secret::new(token.trim()))?;
        state.connections.test(&name).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub fn remove_connection(state: State<'_, AppState>, name: String) -> Result<(), AppError> {
    crate::guard::guarded_sync(move || state.connections.remove(&name))
}

/// Makes a saved connection the open directory.
#[tauri::command]
#[specta::specta]
pub async fn open_connection(
    state: State<'_, AppState>,
    name: String,
) -> Result<DirectorySummary, AppError> {
    crate::guard::guarded(async move {
        let directory = Arc::new(Directory::open_saved(&state.connections, &name).await?);
        let summary = directory.summary();
        *state.directory.lock().await = Some(directory);
        Ok(summary)
    })
    .await
}
