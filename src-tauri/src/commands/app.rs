//! Commands about the app itself (version, build) for the About panel and bug reports.

use scim_services::{AppError, AppInfo};

#[tauri::command]
#[specta::specta]
pub fn get_app_info() -> Result<AppInfo, AppError> {
    Ok(AppInfo::current())
}
