//! The system's Save and Open dialogs, opened from Rust so the page never names a path itself: each
//! export asks `choose_file` first, and the export commands write only where the user chose
//! (`scim_services::file_choices`). "Show in folder" reveals a file chosen so.

use scim_services::file_choices::{FileDialog, FileKind};
use scim_services::AppError;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;

use crate::state::AppState;

/// Opens the Save or Open dialog for `kind` (named after the open connection, `detail` — a report's
/// title — and today, in the last folder used); the chosen path, or `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn choose_file(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: FileKind,
    detail: Option<String>,
) -> Result<Option<String>, AppError> {
    crate::guard::guarded(async move {
        let connection = state
            .directory
            .lock()
            .await
            .as_ref()
            .map(|d| d.summary().name);
        let dialog = state
            .files
            .dialog(kind, connection.as_deref(), detail.as_deref());
        let Some(path) = show(&app, &dialog).await else {
            return Ok(None);
        };
        Ok(Some(state.files.chose(kind, path).display().to_string()))
    })
    .await
}

/// The dialog on screen until the user answers it.
async fn show(app: &AppHandle, dialog: &FileDialog) -> Option<std::path::PathBuf> {
    let mut builder = app.dialog().file().set_title(&dialog.title);
    if let Some(window) = app.get_webview_window("main") {
        builder = builder.set_parent(&window);
    }
    if let Some(folder) = &dialog.folder {
        builder = builder.set_directory(folder);
    }
    if let Some(name) = &dialog.file_name {
        builder = builder.set_file_name(name);
    }
    for f in &dialog.filters {
        let extensions: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
        builder = builder.add_filter(&f.name, &extensions);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let answer = move |picked: Option<tauri_plugin_dialog::FilePath>| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    };
    if dialog.save {
        builder.save_file(answer);
    } else {
        builder.pick_file(answer);
    }
    rx.await.ok().flatten()
}

/// Shows `path` (a file chosen in a dialog this session) in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn show_in_folder(state: State<'_, AppState>, path: String) -> Result<(), AppError> {
    crate::guard::guarded_sync(move || {
        if !state.files.was_chosen(&path) {
            return Err(AppError::invalid_input(
                "Only a file chosen in a dialog can be shown in its folder.",
            ));
        }
        tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
            AppError::new(
                scim_services::ErrorKind::Storage,
                format!("Could not show {path} in its folder: {e}"),
            )
        })
    })
}
