//! Commands of the browse screens: open the directory, list users and groups, check a filter, and
//! convert filters to and from the visual builder's tree.

use std::sync::Arc;

use scim_core::ResourceKind;
use scim_services::demo::{DemoCatalog, DemoOptions};
use scim_services::filter_tree::{self, FilterAttribute, FilterNode, TreeResult};
use scim_services::{
    check_filter as check, AppError, Directory, DirectorySummary, FilterCheck, GroupRow,
    ResourceDetail, RowsPage, RowsQuery, UserRow, ViewSettings,
};
use tauri::State;

use crate::state::AppState;

/// Users in the built-in demo directory (realistic, deterministic data); `SCIMX_DEMO_USERS`
/// overrides it, e.g. 100000 to try a large directory.
fn demo_users() -> usize {
    std::env::var("SCIMX_DEMO_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250)
}

pub(crate) async fn current(state: &AppState) -> Result<Arc<Directory>, AppError> {
    state
        .directory
        .lock()
        .await
        .clone()
        .ok_or_else(|| AppError::invalid_input("No directory is open yet."))
}

/// Opens a demo directory (starting its server on a random loopback port): the one `options` name
/// (a profile, a size, a slow network, rate limits), else the one last opened, else the default.
/// The last one opened is kept aside, so switching back to it is instant.
#[tauri::command]
#[specta::specta]
pub async fn open_demo_directory(
    state: State<'_, AppState>,
    options: Option<DemoOptions>,
) -> Result<DirectorySummary, AppError> {
    crate::guard::guarded(async move {
        let mut demo = state.demo.lock().await;
        let directory = match (demo.as_ref(), options) {
            (Some((kept, open)), asked) if asked.as_ref().is_none_or(|a| a == kept) => open.clone(),
            (_, asked) => {
                let opened = Arc::new(match &asked {
                    Some(options) => Directory::open_demo_with(options).await?,
                    None => Directory::open_demo(demo_users()).await?,
                });
                let kept = asked.unwrap_or(DemoOptions {
                    users: demo_users().min(u32::MAX as usize) as u32,
                    ..DemoOptions::default()
                });
                *demo = Some((kept, opened.clone()));
                opened
            }
        };
        let summary = directory.summary();
        *state.directory.lock().await = Some(directory);
        Ok(summary)
    })
    .await
}

/// What the open directory's users are keyed to single sign-on by, and why.
#[tauri::command]
#[specta::specta]
pub async fn identity_key(
    state: State<'_, AppState>,
) -> Result<scim_services::IdentityKey, AppError> {
    crate::guard::guarded(async move { Ok(current(&state).await?.identity_key()) }).await
}

/// The demo directories the connection menu offers.
#[tauri::command]
#[specta::specta]
pub fn demo_catalog() -> DemoCatalog {
    scim_services::demo::catalog()
}

#[tauri::command]
#[specta::specta]
pub async fn list_users(
    state: State<'_, AppState>,
    query: RowsQuery,
) -> Result<RowsPage<UserRow>, AppError> {
    crate::guard::guarded(async move { current(&state).await?.users(&query).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_groups(
    state: State<'_, AppState>,
    query: RowsQuery,
) -> Result<RowsPage<GroupRow>, AppError> {
    crate::guard::guarded(async move { current(&state).await?.groups(&query).await }).await
}

/// One user or group as the server sent it, for the detail pane.
#[tauri::command]
#[specta::specta]
pub async fn get_resource(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
) -> Result<ResourceDetail, AppError> {
    crate::guard::guarded(async move {
        let detail = current(&state).await?.resource(&kind, &id).await?;
        Ok(state.presentation.apply(detail))
    })
    .await
}

/// Validates a filter as the user types (no request is sent).
#[tauri::command]
#[specta::specta]
pub fn check_filter(text: String) -> FilterCheck {
    check(&text)
}

#[tauri::command]
#[specta::specta]
pub fn filter_to_tree(text: String) -> TreeResult {
    filter_tree::tree_result(&text)
}

/// The canonical text of a builder tree.
#[tauri::command]
#[specta::specta]
pub fn tree_to_filter(tree: FilterNode) -> Result<String, AppError> {
    crate::guard::guarded_sync(move || filter_tree::to_text(&tree))
}

/// The attributes the builder's picker offers for Users or Groups.
#[tauri::command]
#[specta::specta]
pub async fn filter_attributes(
    state: State<'_, AppState>,
    kind: ResourceKind,
) -> Result<Vec<FilterAttribute>, AppError> {
    crate::guard::guarded(async move { current(&state).await?.filter_attributes(&kind) }).await
}

/// The open directory's view settings (role rules, columns, dismissed warnings).
#[tauri::command]
#[specta::specta]
pub async fn view_settings(state: State<'_, AppState>) -> Result<ViewSettings, AppError> {
    crate::guard::guarded(async move { current(&state).await?.view_settings() }).await
}

/// Saves the open directory's view settings with its connection (by id).
#[tauri::command]
#[specta::specta]
pub async fn save_view_settings(
    state: State<'_, AppState>,
    settings: ViewSettings,
) -> Result<(), AppError> {
    crate::guard::guarded(async move { current(&state).await?.save_view_settings(settings) }).await
}
