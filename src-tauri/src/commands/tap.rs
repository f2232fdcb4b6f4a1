//! Commands of the Tap screen: start a tap in front of the open connection (or the inbox), poll its
//! exchanges, export the capture, open one from a file. The session is in the services.

use scim_services::tap::{ReplayView, TapRow, TapStart, TapStatus};
use scim_services::AppError;
use tauri::State;

use crate::commands::directory::current;
use crate::state::AppState;

/// Starts a tap in front of the open connection, or the inbox. The inbox's token is in this answer
/// only.
#[tauri::command]
#[specta::specta]
pub async fn tap_start(state: State<'_, AppState>, start: TapStart) -> Result<TapStatus, AppError> {
    crate::guard::guarded(async move {
        let upstream = current(&state).await.ok().map(|d| d.client().clone());
        state.tap.start(start, upstream).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn tap_stop(state: State<'_, AppState>) -> Result<TapStatus, AppError> {
    crate::guard::guarded(async move { Ok(state.tap.stop().await) }).await
}

#[tauri::command]
#[specta::specta]
pub async fn tap_status(state: State<'_, AppState>) -> Result<TapStatus, AppError> {
    crate::guard::guarded(async move { Ok(state.tap.status().await) }).await
}

/// A new inbox token; the old one stops working at once.
#[tauri::command]
#[specta::specta]
pub async fn tap_rotate_token(state: State<'_, AppState>) -> Result<TapStatus, AppError> {
    crate::guard::guarded(async move { state.tap.rotate_token().await }).await
}

/// The exchanges after `after_seq`, masked in presentation mode.
#[tauri::command]
#[specta::specta]
pub async fn tap_exchanges(
    state: State<'_, AppState>,
    after_seq: u32,
) -> Result<Vec<TapRow>, AppError> {
    crate::guard::guarded(
        async move { Ok(state.presentation.apply(state.tap.rows_after(after_seq))) },
    )
    .await
}

/// Writes the capture as `har` (HAR 1.2) or `jsonl` to `path`.
#[tauri::command]
#[specta::specta]
pub async fn tap_export(
    state: State<'_, AppState>,
    path: String,
    format: String,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        state.tap.export(&path, &format)
    })
    .await
}

/// Opens a HAR to browse it offline.
#[tauri::command]
#[specta::specta]
pub async fn tap_open(state: State<'_, AppState>, path: String) -> Result<TapStatus, AppError> {
    crate::guard::guarded(async move {
        // A capture the screen lists (saved when a tap stopped) or one chosen in the Open dialog.
        let path = state
            .files
            .for_reading(&path, &[scim_services::connections::config_dir()])?;
        state.tap.open(&path).await
    })
    .await
}

/// The captures saved when taps stopped, newest first.
#[tauri::command]
#[specta::specta]
pub fn tap_saved_captures(state: State<'_, AppState>) -> Vec<String> {
    state.tap.saved_captures()
}

/// Plans a replay of the shown capture against the open connection (refused when read-only).
#[tauri::command]
#[specta::specta]
pub async fn tap_replay_start(state: State<'_, AppState>) -> Result<ReplayView, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        let view = state
            .tap
            .replay_start(directory.client().clone(), directory.read_only())
            .await?;
        Ok(state.presentation.apply(view))
    })
    .await
}

/// Sends the replay's next step, or every remaining one with `toEnd`.
#[tauri::command]
#[specta::specta]
pub async fn tap_replay_step(
    state: State<'_, AppState>,
    to_end: bool,
) -> Result<ReplayView, AppError> {
    crate::guard::guarded(async move {
        Ok(state
            .presentation
            .apply(state.tap.replay_step(to_end).await?))
    })
    .await
}

/// Deletes what the replay created.
#[tauri::command]
#[specta::specta]
pub async fn tap_replay_cleanup(state: State<'_, AppState>) -> Result<ReplayView, AppError> {
    crate::guard::guarded(
        async move { Ok(state.presentation.apply(state.tap.replay_cleanup().await?)) },
    )
    .await
}
