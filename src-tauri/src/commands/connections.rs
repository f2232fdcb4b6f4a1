//! Commands of the connections screens: list, add, test, replace token, remove, open.

use std::sync::Arc;

use scim_services::{AppError, Connection, Directory, DirectorySummary, NewConnection, TestReport};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    state.connections.list()
}

#[tauri::command]
#[specta::specta]
pub fn add_connection(
    state: State<'_, AppState>,
    input: NewConnection,
) -> Result<Connection, AppError> {
    input.save(&state.connections)
}

#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    name: String,
) -> Result<TestReport, AppError> {
    state.connections.test(&name).await
}

/// "Replace token": stores the new token, then tests the connection with it.
#[tauri::command]
#[specta::specta]
pub async fn replace_token(
    state: State<'_, AppState>,
    name: String,
    token: String,
) -> Result<TestReport, AppError> {
    state
        .connections
        .rotate(&name, &scim_client::Secret::new(token.trim()))?;
    state.connections.test(&name).await
}

#[tauri::command]
#[specta::specta]
pub fn remove_connection(state: State<'_, AppState>, name: String) -> Result<(), AppError> {
    state.connections.remove(&name)
}

/// Makes a saved connection the open directory.
#[tauri::command]
#[specta::specta]
pub async fn open_connection(
    state: State<'_, AppState>,
    name: String,
) -> Result<DirectorySummary, AppError> {
    let directory = Arc::new(Directory::open_saved(&state.connections, &name).await?);
    let summary = directory.summary();
    *state.directory.lock().await = Some(directory);
    Ok(summary)
}
