//! Commands about the app itself (version, build) for the About panel and bug reports.

use scim_services::{AppError, AppInfo};

#[tauri::command]
#[specta::specta]
pub fn get_app_info() -> Result<AppInfo, AppError> {
    crate::guard::guarded_sync(move || Ok(AppInfo::current()))
}
