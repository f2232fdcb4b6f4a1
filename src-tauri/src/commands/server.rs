//! Commands of the Server screen: the server check (saved per connection; its deviations join the
//! connection's warnings) and provisioning scenarios played step by step, with their report.

use scim_services::scenarios::{self, RunState, ScenarioInfo};
use scim_services::server_check::{self, CheckReport};
use scim_services::AppError;
use tauri::State;

use crate::commands::directory::current;
use crate::state::AppState;

/// Runs the check (write probes only when `writes`, refused on a read-only connection) and saves it.
#[tauri::command]
#[specta::specta]
pub async fn run_server_check(
    state: State<'_, AppState>,
    writes: bool,
) -> Result<CheckReport, AppError> {
    crate::guard::guarded(async move {
        let directory = current(&state).await?;
        if writes && directory.read_only() {
            return Err(AppError::invalid_input(
                "This connection is read-only: the write checks cannot run. The read checks can.",
            ));
        }
        let report = server_check::run(directory.client(), writes).await?;
        server_check::save(&directory.check_path(), &report)?;
        Ok(state.presentation.apply(report))
    })
    .await
}

/// The connection's last check, if any.
#[tauri::command]
#[specta::specta]
pub async fn last_check(state: State<'_, AppState>) -> Result<Option<CheckReport>, AppError> {
    crate::guard::guarded(async move {
        let report = server_check::load(&current(&state).await?.check_path());
        Ok(state.presentation.apply(report))
    })
    .await
}

/// Writes the connection's last check to `path` as Markdown (for a vendor) and its JSON beside it.
#[tauri::command]
#[specta::specta]
pub async fn export_check(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<String>, AppError> {
    crate::guard::guarded(async move {
        let (md_path, json_path) = state.files.pair_for_writing(&path)?;
        let report = server_check::load(&current(&state).await?.check_path()).ok_or_else(|| {
            AppError::invalid_input("Run the check first: there is no result to export.")
        })?;
        let md = scim_services::export::write_file(&md_path, report.to_markdown().as_bytes())?;
        let json = scim_services::export::write_file(
            &json_path,
            serde_json::to_string_pretty(&report)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        Ok(vec![md, json])
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub fn list_scenarios() -> Vec<ScenarioInfo> {
    scenarios::list()
}

/// Starts a run of scenario `name` on the open directory (nothing is sent yet).
#[tauri::command]
#[specta::specta]
pub async fn start_scenario(
    state: State<'_, AppState>,
    name: String,
) -> Result<RunState, AppError> {
    crate::guard::guarded(async move {
        let run = current(&state).await?.start_scenario(&name).await?;
        Ok(state.presentation.apply(run))
    })
    .await
}

/// Plays the next step of the current run.
#[tauri::command]
#[specta::specta]
pub async fn step_scenario(state: State<'_, AppState>) -> Result<RunState, AppError> {
    crate::guard::guarded(async move {
        let run = current(&state).await?.step_scenario().await?;
        Ok(state.presentation.apply(run))
    })
    .await
}

/// Deletes what the current run created.
#[tauri::command]
#[specta::specta]
pub async fn cleanup_scenario(state: State<'_, AppState>) -> Result<RunState, AppError> {
    crate::guard::guarded(async move {
        let run = current(&state).await?.cleanup_scenario().await?;
        Ok(state.presentation.apply(run))
    })
    .await
}

/// The current run as it stands (asked again when presentation mode changes).
#[tauri::command]
#[specta::specta]
pub async fn scenario_run(state: State<'_, AppState>) -> Result<RunState, AppError> {
    crate::guard::guarded(async move {
        let run = current(&state).await?.scenario_run().await?;
        Ok(state.presentation.apply(run))
    })
    .await
}

/// Writes the current run to `path` as Markdown and its JSON beside it; returns both paths.
#[tauri::command]
#[specta::specta]
pub async fn export_scenario(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<String>, AppError> {
    crate::guard::guarded(async move {
        let (md_path, json_path) = state.files.pair_for_writing(&path)?;
        let run = current(&state).await?.scenario_run().await?;
        let md = scim_services::export::write_file(&md_path, run.to_markdown().as_bytes())?;
        let json = scim_services::export::write_file(
            &json_path,
            serde_json::to_string_pretty(&run)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        Ok(vec![md, json])
    })
    .await
}
