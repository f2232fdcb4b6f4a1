//! Safe writes: every change to a live directory goes through here, for the GUI's PATCH builder and
//! forms and for `scimx patch` / `scimx undo` alike.
//!
//! The order is always the same: read the resource, predict the result with the core's `apply`
//! (the dry run), show the exact request, and only then send it — with `If-Match` when the server has
//! ETags — read the result, compare it with the prediction (a mismatch is how a consultant finds a
//! provider's bug), and record the change with its inverse so it can be undone.
//!
//! Here: the types the screens see, the [`Writer`] and its public face (masked by schema). The steps
//! live beside it: `patch`, `batch` (multi-selection, Bulk), `resource` (create, PUT, delete),
//! `undo`, and `send` (the one path every write takes).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use scim_client::{ClientError, Discovery, ScimClient};
use scim_core::diff::{diff_resources, field_changes, DiffOptions};
use scim_core::names::get_ci;
use scim_core::patch::{
    apply_patch, logical_changes, render_patch, ApplyOptions, PatchOp, RenderedRequest,
};
use scim_core::schema::Mutability;
use scim_core::secrets::SecretAttributes;
use scim_core::{Resource, ResourceKind};

use crate::change_log::{ChangeAction, ChangeEntry, ChangeLog, LoggedRequest, UndoAction};
use crate::error::{AppError, ErrorKind};
use crate::loaded::check_kind;
use crate::write_masking::{without_secret_mismatches, MaskSecrets};

pub use scim_core::patch::DialectName;

/// A change as the builder holds it.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PatchDraft {
    pub kind: ResourceKind,
    pub id: String,
    /// The PatchOp body as JSON text (the builder's raw JSON tab edits the same text).
    pub body: String,
    #[serde(default)]
    pub dialect: DialectName,
    /// Send the predicted resource with PUT instead (for servers without PATCH).
    #[serde(default)]
    pub as_put: bool,
}

/// One request exactly as it will be sent (headers other than `If-Match` hold secrets: not shown).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    pub if_match: Option<String>,
    /// Pretty JSON, or empty for a DELETE.
    pub body: String,
    /// Why an identity provider's request looks this way.
    pub note: Option<String>,
}

pub use scim_audit::compare::FieldDiff;

/// Where a draft is wrong: the operation (0-based) when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftProblem {
    pub operation: Option<u32>,
    pub message: String,
}

/// The dry run: what would be sent and what the resource would look like.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WritePreview {
    pub label: String,
    /// The version the prediction is based on; sent back as `If-Match`.
    pub etag: Option<String>,
    pub requests: Vec<PlannedRequest>,
    pub before: String,
    pub predicted: Option<String>,
    /// Predicted changes, field by field.
    pub changes: Vec<FieldDiff>,
    /// Set when the draft cannot be sent as it is.
    pub problem: Option<DraftProblem>,
    pub warnings: Vec<String>,
    /// The server declares PATCH support; when it does not, offer PUT.
    pub patch_supported: bool,
    /// The connection is read-only: the preview is shown, sending is refused.
    pub read_only: bool,
}

/// What one sent request got back.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeResult {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub body: Option<String>,
}

/// The result of a write.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WriteOutcome {
    pub resource_id: String,
    pub label: String,
    pub responses: Vec<ExchangeResult>,
    /// The resource as the server now has it (`None` after a delete).
    pub after: Option<String>,
    /// What really changed, field by field.
    pub actual: Vec<FieldDiff>,
    /// Where the server's result differs from the prediction (empty when it did what was predicted).
    pub mismatches: Vec<FieldDiff>,
    pub warnings: Vec<String>,
    /// The change log entry written for it.
    pub change_id: String,
}

/// Creating can meet an existing resource with the same userName/displayName.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum CreateOutcome {
    Created {
        outcome: WriteOutcome,
    },
    /// The server refused for uniqueness (409); `existing_id` is the one that holds the name.
    Conflict {
        message: String,
        #[serde(rename = "existingId")]
        existing_id: Option<String>,
    },
}

/// One resource of a multi-selection write.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    pub id: String,
    pub label: String,
    /// The HTTP status of its operation (0 when nothing was sent for it).
    pub status: u16,
    /// Why it was not changed, when it was not.
    pub error: Option<String>,
    pub actual: Vec<FieldDiff>,
    pub mismatches: Vec<FieldDiff>,
    pub change_id: Option<String>,
}

/// A change planned or applied for several resources at once.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutcome {
    /// Sent as one or more `POST /Bulk` requests (the server offers Bulk), else one request each.
    pub via_bulk: bool,
    /// The requests as sent (or, in a preview, as they will be).
    pub requests: Vec<PlannedRequest>,
    pub items: Vec<BatchItem>,
    pub warnings: Vec<String>,
}

/// A resource of a batch, read and planned.
struct Planned {
    id: String,
    before: Value,
    preview: WritePreview,
}

/// An undo about to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UndoPreview {
    pub change_id: String,
    pub label: String,
    pub action: ChangeAction,
    pub requests: Vec<PlannedRequest>,
    /// The resource now differs from what the change left (someone else changed it since).
    pub warnings: Vec<String>,
    /// What the undo does, in words and names ("remove Carla Costa from Project: …"); the ids are
    /// in the requests.
    #[serde(default)]
    pub narration: Vec<String>,
}

/// A write ready to send: its requests, and what the change log records about it.
struct PlannedWrite<'a> {
    kind: &'a str,
    id: &'a str,
    label: &'a str,
    action: ChangeAction,
    requests: &'a [PlannedRequest],
    before: Option<Value>,
    predicted: Option<Value>,
    /// For an undo: the change it reverts.
    undoes: Option<String>,
}

/// Server-owned fields that a prediction cannot know and a comparison must not count.
const SERVER_OWNED: &[&str] = &["meta"];

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Where the server's result differs from the prediction. A `display` or `$ref` the server filled
/// in is expected (RFC 7643 §2.4), not a deviation.
fn mismatches(predicted: &Value, actual: &Value) -> Vec<FieldDiff> {
    field_changes(predicted, actual, SERVER_OWNED)
        .into_iter()
        .filter(|c| {
            let filled_in =
                c.before.is_none() && (c.path.ends_with(".display") || c.path.ends_with(".$ref"));
            !filled_in
        })
        .map(FieldDiff::from)
        .collect()
}

/// A resource as it can be sent back with PUT: without server-owned metadata.
fn put_body(resource: &Value) -> Value {
    let mut body = resource.clone();
    if let Some(o) = body.as_object_mut() {
        o.retain(|k, _| !k.eq_ignore_ascii_case("meta"));
    }
    body
}

/// Writes to one connection.
#[derive(Debug)]
pub struct Writer<'a> {
    pub client: &'a ScimClient,
    pub discovery: &'a Discovery,
    /// The connection's name, recorded in the change log.
    pub connection: &'a str,
    pub read_only: bool,
    pub log: &'a ChangeLog,
}

impl Writer<'_> {
    fn refuse_if_read_only(&self) -> Result<(), AppError> {
        if self.read_only {
            return Err(AppError::invalid_input(format!(
                "\u{201c}{}\u{201d} is a read-only connection: nothing was sent. Edit the connection and \
                 clear \u{201c}Read-only\u{201d} to allow changes.",
                self.connection
            )));
        }
        Ok(())
    }

    fn url(&self, kind: &str, id: Option<&str>) -> String {
        match id {
            Some(id) => self.client.url(&[kind, id], None).to_string(),
            None => self.client.url(&[kind], None).to_string(),
        }
    }

    /// If-Match only where the server has ETags (a server without them may reject the header).
    fn if_match(&self, etag: Option<String>) -> Option<String> {
        etag.filter(|_| self.discovery.config.etag)
    }

    async fn fetch(&self, kind: &str, id: &str) -> Result<(Value, Option<String>), AppError> {
        let response = self.client.get(kind, id).await?;
        let body = response.body.ok_or_else(|| {
            AppError::new(
                ErrorKind::Server,
                format!("The server sent no body for {kind}/{id}."),
            )
        })?;
        // A server may state the version only in `meta.version` (RFC 7643 §3.1).
        let etag = response.etag.or_else(|| {
            body.pointer("/meta/version")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Ok((body, etag))
    }

    fn apply_options(&self) -> ApplyOptions<'_> {
        ApplyOptions {
            schemas: Some(&self.discovery.schemas),
            enforce_mutability: true,
        }
    }
}

mod batch;
mod patch;
mod resource;
mod send;
mod undo;

/// The writer's public face: every preview and outcome leaves with its secrets masked by schema
/// (the request bodies shown, the resources before and after, field diffs), and a secret is never
/// counted as a mismatch. What is sent is planned again from the draft, never from these.
impl Writer<'_> {
    fn secrets(&self) -> SecretAttributes {
        SecretAttributes::from_schemas(&self.discovery.schemas)
    }

    /// The dry run of a PATCH draft: reads the resource, predicts the result, renders the requests.
    pub async fn preview_patch(&self, draft: &PatchDraft) -> Result<WritePreview, AppError> {
        let mut out = self.preview_patch_unmasked(draft).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// The dry run of a draft against `before`, a resource already read (no request is sent): what
    /// [`Writer::preview_patch`] computes once it has read the resource.
    pub fn preview_patch_of(
        &self,
        draft: &PatchDraft,
        before: &Value,
        etag: Option<String>,
    ) -> WritePreview {
        let mut out = self.plan_patch(draft, before, etag);
        out.mask_secrets(&self.secrets());
        out
    }

    /// The dry run of one draft for several resources.
    pub async fn preview_patch_many(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<BatchOutcome, AppError> {
        let mut out = self.preview_patch_many_unmasked(draft, ids).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Sends one draft for several resources (Bulk when the server offers it).
    pub async fn apply_patch_many(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<BatchOutcome, AppError> {
        let mut out = self.apply_patch_many_unmasked(draft, ids).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Sends a PATCH draft (planned again from the draft) and reads the result.
    pub async fn apply_patch(
        &self,
        draft: &PatchDraft,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let mut out = self.apply_patch_unmasked(draft, etag).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// The request a new resource would be created with, after checking it against the schema.
    pub fn preview_create(
        &self,
        kind: &ResourceKind,
        body: &str,
    ) -> Result<WritePreview, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.preview_create_unmasked(kind, body)?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Creates a resource (POST).
    pub async fn create(&self, kind: &ResourceKind, body: &str) -> Result<CreateOutcome, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.create_unmasked(kind, body).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// The dry run of a PUT of edited JSON.
    pub async fn preview_put(
        &self,
        kind: &ResourceKind,
        id: &str,
        body: &str,
    ) -> Result<WritePreview, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.preview_put_unmasked(kind, id, body).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Replaces a resource with edited JSON (PUT).
    pub async fn replace(
        &self,
        kind: &ResourceKind,
        id: &str,
        body: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.replace_unmasked(kind, id, body, etag).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// What a DELETE would send.
    pub async fn preview_delete(
        &self,
        kind: &ResourceKind,
        id: &str,
    ) -> Result<WritePreview, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.preview_delete_unmasked(kind, id).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Deletes a resource once its name was typed to confirm.
    pub async fn delete(
        &self,
        kind: &ResourceKind,
        id: &str,
        typed: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        let kind = check_kind(kind)?;
        let mut out = self.delete_unmasked(kind, id, typed, etag).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// The inverse request of a logged change, shown before it is sent.
    pub async fn preview_undo(&self, id: Option<&str>) -> Result<UndoPreview, AppError> {
        let mut out = self.preview_undo_unmasked(id).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }

    /// Sends the inverse of a logged change.
    pub async fn undo(&self, id: Option<&str>) -> Result<WriteOutcome, AppError> {
        let mut out = self.undo_unmasked(id).await?;
        out.mask_secrets(&self.secrets());
        Ok(out)
    }
}
