//! Commands about the app itself (version, build) for the About panel and bug reports.

use scim_services::{AppError, AppInfo};

#[tauri::command]
#[specta::specta]
pub fn get_app_info() -> Result<AppInfo, AppError> {
    crate::guard::guarded_sync(move || Ok(AppInfo::current()))
}

/// Turns presentation mode on or off: from now on what every command serves is masked (or not).
#[tauri::command]
#[specta::specta]
pub fn set_presentation(
    state: tauri::State<'_, crate::state::AppState>,
    on: bool,
) -> Result<(), AppError> {
    crate::guard::guarded_sync(move || {
        state.presentation.set(on);
        Ok(())
    })
}
