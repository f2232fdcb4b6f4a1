//! The writes of an open directory that keep its caches right: each sends through the
//! [`Writer`](crate::writes::Writer) and then updates the loaded table (and the views derived from
//! it), so the app, the CLI and a test calling these see the same rows afterwards.

use scim_core::ResourceKind;

use crate::change_log::ChangeAction;
use crate::directory::Directory;
use crate::error::AppError;
use crate::writes::{BatchOutcome, CreateOutcome, PatchDraft, WriteOutcome};

impl Directory {
    /// Sends a PATCH (If-Match `etag`) and updates its row.
    pub async fn apply_patch(
        &self,
        draft: &PatchDraft,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let outcome = self.writer().apply_patch(draft, etag).await?;
        self.record_outcome(&draft.kind, &outcome);
        Ok(outcome)
    }

    /// Applies one change to several resources, then reads their rows again (Bulk answers do not
    /// carry the resources).
    pub async fn apply_patch_many(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<BatchOutcome, AppError> {
        let outcome = self.writer().apply_patch_many(draft, ids).await?;
        self.refresh_rows(&draft.kind, ids).await;
        Ok(outcome)
    }

    /// POSTs a new resource and adds its row.
    pub async fn create(&self, kind: &ResourceKind, body: &str) -> Result<CreateOutcome, AppError> {
        let outcome = self.writer().create(kind, body).await?;
        if let CreateOutcome::Created { outcome } = &outcome {
            self.record_outcome(kind, outcome);
        }
        Ok(outcome)
    }

    /// PUTs edited JSON and updates its row.
    pub async fn replace(
        &self,
        kind: &ResourceKind,
        id: &str,
        body: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let outcome = self.writer().replace(kind, id, body, etag).await?;
        self.record_outcome(kind, &outcome);
        Ok(outcome)
    }

    /// DELETEs once the name was typed, and drops its row.
    pub async fn delete(
        &self,
        kind: &ResourceKind,
        id: &str,
        typed: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let outcome = self.writer().delete(kind, id, typed, etag).await?;
        self.record_write(kind, id, None);
        Ok(outcome)
    }

    /// Undoes change `id` and brings the row to what the undo left: gone after undoing a create,
    /// the server's answer otherwise.
    pub async fn undo(&self, id: &str) -> Result<WriteOutcome, AppError> {
        let row = self.change_log().rows()?.into_iter().find(|r| r.id == id);
        let outcome = self.writer().undo(Some(id)).await?;
        if let Some(row) = row {
            if row.action == ChangeAction::Create {
                self.record_write(&row.kind, &row.resource_id, None);
            } else {
                self.record_outcome(&row.kind, &outcome);
            }
        }
        Ok(outcome)
    }
}
