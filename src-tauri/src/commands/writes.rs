//! Commands of the write screens: the PATCH builder (attributes, dry run, apply), the create, PUT and
//! delete forms, and the change log with undo. Every write first returns a preview with the exact
//! request; the UI sends it only after the user confirms.

use scim_core::ResourceKind;
use scim_services::change_log::ChangeRow;
use scim_services::patch_paths::PatchAttribute;
use scim_services::writes::{
    BatchOutcome, CreateOutcome, PatchDraft, UndoPreview, WriteOutcome, WritePreview,
};
use scim_services::AppError;
use tauri::State;

use crate::commands::directory::current;
use crate::state::AppState;

/// What the path picker offers for a resource of `kind` (its JSON adds its undeclared attributes).
#[tauri::command]
#[specta::specta]
pub async fn patch_attributes(
    state: State<'_, AppState>,
    kind: ResourceKind,
    resource_json: Option<String>,
) -> Result<Vec<PatchAttribute>, AppError> {
    crate::guard::guarded(async move {
        let resource = resource_json.and_then(|j| serde_json::from_str(&j).ok());
        current(&state)
            .await?
            .patch_attributes(&kind, resource.as_ref())
    })
    .await
}

/// The dry run: requests as they will be sent, the predicted resource and its diff.
#[tauri::command]
#[specta::specta]
pub async fn preview_patch(
    state: State<'_, AppState>,
    draft: PatchDraft,
) -> Result<WritePreview, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_patch(&draft)
            .await?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

/// Sends the previewed change (If-Match `etag`), then reports the actual diff and mismatches.
#[tauri::command]
#[specta::specta]
pub async fn apply_patch(
    state: State<'_, AppState>,
    draft: PatchDraft,
    etag: Option<String>,
) -> Result<WriteOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state).await?.apply_patch(&draft, etag).await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}

/// The requests a change to several resources will send (one Bulk request when the server offers it).
#[tauri::command]
#[specta::specta]
pub async fn preview_patch_many(
    state: State<'_, AppState>,
    draft: PatchDraft,
    ids: Vec<String>,
) -> Result<BatchOutcome, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_patch_many(&draft, &ids)
            .await?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

/// Applies one change to several resources, each recorded (and undoable) on its own.
#[tauri::command]
#[specta::specta]
pub async fn apply_patch_many(
    state: State<'_, AppState>,
    draft: PatchDraft,
    ids: Vec<String>,
) -> Result<BatchOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state)
            .await?
            .apply_patch_many(&draft, &ids)
            .await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_create(
    state: State<'_, AppState>,
    kind: ResourceKind,
    body: String,
) -> Result<WritePreview, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_create(&kind, &body)?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_resource(
    state: State<'_, AppState>,
    kind: ResourceKind,
    body: String,
) -> Result<CreateOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state).await?.create(&kind, &body).await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_put(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
    body: String,
) -> Result<WritePreview, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_put(&kind, &id, &body)
            .await?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn replace_resource(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
    body: String,
    etag: Option<String>,
) -> Result<WriteOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state)
            .await?
            .replace(&kind, &id, &body, etag)
            .await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_delete(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
) -> Result<WritePreview, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_delete(&kind, &id)
            .await?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

/// DELETE, only when `typed` is the userName / displayName shown in the preview.
#[tauri::command]
#[specta::specta]
pub async fn delete_resource(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
    typed: String,
    etag: Option<String>,
) -> Result<WriteOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state)
            .await?
            .delete(&kind, &id, &typed, etag)
            .await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}

/// The connection's change log, newest first.
#[tauri::command]
#[specta::specta]
pub async fn change_log(state: State<'_, AppState>) -> Result<Vec<ChangeRow>, AppError> {
    crate::guard::guarded(async move {
        let rows = current(&state).await?.change_log().rows()?;
        Ok(state.presentation.apply(rows))
    })
    .await
}

/// Writes the change log as JSON to `path`.
#[tauri::command]
#[specta::specta]
pub async fn export_change_log(
    state: State<'_, AppState>,
    path: String,
) -> Result<String, AppError> {
    crate::guard::guarded(async move {
        let path = state.files.for_writing(&path)?;
        let json = current(&state).await?.change_log().export_json()?;
        scim_services::export::write_file(&path, (json + "\n").as_bytes())
    })
    .await
}

/// What undoing change `id` (the latest undoable one when absent) would send.
#[tauri::command]
#[specta::specta]
pub async fn preview_undo(
    state: State<'_, AppState>,
    id: Option<String>,
) -> Result<UndoPreview, AppError> {
    crate::guard::guarded(async move {
        let preview = current(&state)
            .await?
            .writer()
            .preview_undo(id.as_deref())
            .await?;
        Ok(state.presentation.apply(preview))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn undo_change(state: State<'_, AppState>, id: String) -> Result<WriteOutcome, AppError> {
    crate::guard::guarded(async move {
        let outcome = current(&state).await?.undo(&id).await?;
        Ok(state.presentation.apply(outcome))
    })
    .await
}
