//! Safe writes: every change to a live directory goes through here, for the GUI's PATCH builder and
//! forms and for `scimx patch` / `scimx undo` alike.
//!
//! The order is always the same: read the resource, predict the result with the core's `apply`
//! (the dry run), show the exact request, and only then send it — with `If-Match` when the server has
//! ETags — read the result, compare it with the prediction (a mismatch is how a consultant finds a
//! provider's bug), and record the change with its inverse so it can be undone.

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

    /// The dry run of a PATCH draft: reads the resource, predicts the result, renders the requests.
    async fn preview_patch_unmasked(&self, draft: &PatchDraft) -> Result<WritePreview, AppError> {
        check_kind(&draft.kind)?;
        let (before, etag) = self.fetch(draft.kind.endpoint(), &draft.id).await?;
        Ok(self.plan_patch(draft, &before, etag))
    }

    fn plan_patch(&self, draft: &PatchDraft, before: &Value, etag: Option<String>) -> WritePreview {
        let label = Resource::new(before.clone()).label();
        let patch_supported = self.discovery.config.patch;
        let mut preview = WritePreview {
            label,
            etag: etag.clone(),
            requests: Vec::new(),
            before: pretty(before),
            predicted: None,
            changes: Vec::new(),
            problem: None,
            warnings: Vec::new(),
            patch_supported,
            read_only: self.read_only,
        };
        let problem = |operation: Option<usize>, message: String| DraftProblem {
            operation: operation.map(|o| o as u32),
            message,
        };
        let parsed: Value = match serde_json::from_str(&draft.body) {
            Ok(v) => v,
            Err(e) => {
                preview.problem = Some(problem(
                    None,
                    format!(
                        "The PATCH body is not valid JSON (line {}, column {}): {e}",
                        e.line(),
                        e.column()
                    ),
                ));
                return preview;
            }
        };
        let patch = match PatchOp::from_json(&parsed) {
            Ok(p) => {
                preview
                    .warnings
                    .extend(p.warnings.into_iter().map(|w| w.message));
                p.value
            }
            Err(e) => {
                preview.problem = Some(problem(e.operation, e.message));
                return preview;
            }
        };
        if patch.is_empty() {
            preview.problem = Some(problem(None, "Add at least one operation.".into()));
            return preview;
        }
        let predicted = match apply_patch(before, &patch, &self.apply_options()) {
            Ok(p) => {
                preview
                    .warnings
                    .extend(p.warnings.into_iter().map(|w| w.message));
                p.value
            }
            Err(e) => {
                preview.problem = Some(problem(e.operation, e.message));
                return preview;
            }
        };
        preview.changes = field_changes(before, &predicted, SERVER_OWNED)
            .into_iter()
            .map(FieldDiff::from)
            .collect();
        if preview.changes.is_empty() {
            preview
                .warnings
                .push("The patch changes nothing: the resource already looks like this.".into());
        }
        let url = self.url(draft.kind.endpoint(), Some(&draft.id));
        let if_match = self.if_match(etag);
        let rendered: Vec<RenderedRequest> = if draft.as_put {
            vec![RenderedRequest {
                method: "PUT",
                body: put_body(&predicted),
                note: Some("The predicted resource, sent whole with PUT".into()),
            }]
        } else if draft.dialect == DialectName::Rfc {
            // Exactly the operations the user wrote, in canonical RFC 7644 form.
            vec![RenderedRequest {
                method: "PATCH",
                body: patch.to_json(),
                note: None,
            }]
        } else {
            render_patch(
                draft.dialect.dialect(),
                &logical_changes(&patch),
                Some(before),
            )
        };
        if !patch_supported && rendered.iter().any(|r| r.method == "PATCH") {
            preview.warnings.push(
                "This server does not declare PATCH support (ServiceProviderConfig): send the change \
                 as a PUT of the whole resource instead."
                    .into(),
            );
        }
        for (index, r) in rendered.into_iter().enumerate() {
            if r.body.is_null() {
                preview.problem = Some(problem(
                    None,
                    r.note
                        .clone()
                        .unwrap_or_else(|| "This dialect cannot express the change.".into()),
                ));
            }
            preview.requests.push(PlannedRequest {
                method: r.method.to_owned(),
                url: url.clone(),
                // Later requests of a dialect follow the version the first one produced.
                if_match: if index == 0 { if_match.clone() } else { None },
                body: pretty(&r.body),
                note: r.note,
            });
        }
        preview.predicted = Some(pretty(&predicted));
        preview
    }

    /// Reads and plans every resource of a multi-selection: the same operations for each.
    async fn plan_many(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<(Vec<Planned>, Vec<BatchItem>), AppError> {
        check_kind(&draft.kind)?;
        if ids.is_empty() {
            return Err(AppError::invalid_input("Select at least one resource."));
        }
        let mut planned = Vec::new();
        let mut skipped = Vec::new();
        for id in ids {
            let item = PatchDraft {
                id: id.clone(),
                ..draft.clone()
            };
            match self.fetch(draft.kind.endpoint(), id).await {
                Ok((before, etag)) => {
                    let preview = self.plan_patch(&item, &before, etag);
                    match &preview.problem {
                        Some(p) => skipped.push(BatchItem {
                            id: id.clone(),
                            label: preview.label.clone(),
                            status: 0,
                            error: Some(p.message.clone()),
                            actual: Vec::new(),
                            mismatches: Vec::new(),
                            change_id: None,
                        }),
                        None => planned.push(Planned {
                            id: id.clone(),
                            before,
                            preview,
                        }),
                    }
                }
                Err(e) => skipped.push(BatchItem {
                    id: id.clone(),
                    label: id.clone(),
                    status: e.scim.as_ref().and_then(|s| s.http_status).unwrap_or(0),
                    error: Some(e.message),
                    actual: Vec::new(),
                    mismatches: Vec::new(),
                    change_id: None,
                }),
            }
        }
        Ok((planned, skipped))
    }

    /// Bulk is used when the server offers it and the change is one plain RFC PATCH per resource.
    fn bulk_chunks(&self, draft: &PatchDraft, planned: &[Planned]) -> Option<usize> {
        let c = &self.discovery.config;
        let single_patch = planned
            .iter()
            .all(|p| p.preview.requests.len() == 1 && p.preview.requests[0].method == "PATCH");
        (c.bulk && c.patch && !draft.as_put && planned.len() > 1 && single_patch)
            .then(|| c.bulk_max_operations.unwrap_or(1000).clamp(1, 1000) as usize)
    }

    fn bulk_request(
        &self,
        kind: &str,
        chunk: &[Planned],
    ) -> Result<scim_core::messages::BulkRequest, AppError> {
        let mut operations = Vec::new();
        for p in chunk {
            let r = &p.preview.requests[0];
            operations.push(scim_core::messages::BulkOperation {
                method: "PATCH".into(),
                path: format!("/{kind}/{}", p.id),
                bulk_id: None,
                version: r.if_match.clone(),
                data: Some(serde_json::from_str(&r.body).map_err(|e| {
                    AppError::internal(format!("A planned request body is not JSON: {e}"))
                })?),
            });
        }
        Ok(scim_core::messages::BulkRequest {
            fail_on_errors: None,
            operations,
        })
    }

    /// The requests a multi-selection change will send, and what cannot be changed and why.
    async fn preview_patch_many_unmasked(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<BatchOutcome, AppError> {
        let (planned, skipped) = self.plan_many(draft, ids).await?;
        let mut requests = Vec::new();
        let via_bulk = match self.bulk_chunks(draft, &planned) {
            Some(size) => {
                for chunk in planned.chunks(size) {
                    requests.push(PlannedRequest {
                        method: "POST".into(),
                        url: self.client.url(&["Bulk"], None).to_string(),
                        if_match: None,
                        body: pretty(&self.bulk_request(draft.kind.endpoint(), chunk)?.to_json()),
                        note: Some(format!(
                            "One Bulk request for {} resources (the server offers Bulk)",
                            chunk.len()
                        )),
                    });
                }
                true
            }
            None => {
                for p in &planned {
                    requests.extend(p.preview.requests.iter().cloned());
                }
                false
            }
        };
        let mut warnings: Vec<String> = planned
            .iter()
            .flat_map(|p| p.preview.warnings.iter().cloned())
            .collect();
        warnings.sort();
        warnings.dedup();
        let mut items: Vec<BatchItem> = planned
            .iter()
            .map(|p| BatchItem {
                id: p.id.clone(),
                label: p.preview.label.clone(),
                status: 0,
                error: None,
                actual: p.preview.changes.clone(),
                mismatches: Vec::new(),
                change_id: None,
            })
            .collect();
        items.extend(skipped);
        Ok(BatchOutcome {
            via_bulk,
            requests,
            items,
            warnings,
        })
    }

    /// Applies the same change to several resources: with Bulk when the server offers it, else one
    /// request each. Every resource is recorded as its own change, so each can be undone.
    async fn apply_patch_many_unmasked(
        &self,
        draft: &PatchDraft,
        ids: &[String],
    ) -> Result<BatchOutcome, AppError> {
        self.refuse_if_read_only()?;
        let (planned, skipped) = self.plan_many(draft, ids).await?;
        let mut items = Vec::new();
        let mut requests = Vec::new();
        let mut warnings = Vec::new();
        let via_bulk = match self.bulk_chunks(draft, &planned) {
            Some(size) => {
                for chunk in planned.chunks(size) {
                    let request = self.bulk_request(draft.kind.endpoint(), chunk)?;
                    requests.push(PlannedRequest {
                        method: "POST".into(),
                        url: self.client.url(&["Bulk"], None).to_string(),
                        if_match: None,
                        body: pretty(&request.to_json()),
                        note: None,
                    });
                    let results = self.client.bulk(&request).await?;
                    for (index, p) in chunk.iter().enumerate() {
                        let result = results.get(index);
                        let status = result.and_then(|r| r.status).unwrap_or(0);
                        items.push(self.record_bulk_item(draft, p, status, result).await);
                    }
                }
                true
            }
            None => {
                for p in &planned {
                    let item = PatchDraft {
                        id: p.id.clone(),
                        ..draft.clone()
                    };
                    requests.extend(p.preview.requests.iter().cloned());
                    match self.apply_patch(&item, p.preview.etag.clone()).await {
                        Ok(o) => {
                            warnings.extend(o.warnings.iter().cloned());
                            items.push(BatchItem {
                                id: p.id.clone(),
                                label: o.label,
                                status: o.responses.last().map(|r| r.status).unwrap_or(0),
                                error: None,
                                actual: o.actual,
                                mismatches: o.mismatches,
                                change_id: Some(o.change_id),
                            })
                        }
                        Err(e) => items.push(BatchItem {
                            id: p.id.clone(),
                            label: p.preview.label.clone(),
                            status: e.scim.as_ref().and_then(|s| s.http_status).unwrap_or(0),
                            error: Some(e.message),
                            actual: Vec::new(),
                            mismatches: Vec::new(),
                            change_id: None,
                        }),
                    }
                }
                false
            }
        };
        items.extend(skipped);
        warnings.sort();
        warnings.dedup();
        Ok(BatchOutcome {
            via_bulk,
            requests,
            items,
            warnings,
        })
    }

    /// One resource of a Bulk request: read it again, compare with the prediction, record it.
    async fn record_bulk_item(
        &self,
        draft: &PatchDraft,
        p: &Planned,
        status: u16,
        result: Option<&scim_core::messages::BulkResult>,
    ) -> BatchItem {
        let r = &p.preview.requests[0];
        let mut entry = ChangeEntry {
            id: self.log.next_id(),
            time: crate::snapshot::now_rfc3339(),
            connection: self.connection.to_owned(),
            base_url: self.client.base_url().to_owned(),
            kind: draft.kind.clone(),
            resource_id: p.id.clone(),
            label: p.preview.label.clone(),
            action: ChangeAction::Patch,
            requests: vec![LoggedRequest {
                method: "PATCH (in Bulk)".into(),
                url: r.url.clone(),
                if_match: r.if_match.clone(),
                body: serde_json::from_str(&r.body).ok(),
            }],
            status,
            error: None,
            before: Some(p.before.clone()),
            after: None,
            undo: None,
            undoes: None,
        };
        let mut item = BatchItem {
            id: p.id.clone(),
            label: p.preview.label.clone(),
            status,
            error: None,
            actual: Vec::new(),
            mismatches: Vec::new(),
            change_id: Some(entry.id.clone()),
        };
        if !(200..300).contains(&status) {
            let detail = result
                .and_then(|r| r.response.as_ref())
                .and_then(|v| v.get("detail"))
                .and_then(Value::as_str)
                .map(|d| format!(" — {d}"))
                .unwrap_or_default();
            let message = format!(
                "HTTP {status}: {}{detail}",
                scim_client::status_meaning(status)
            );
            entry.error = Some(message.clone());
            item.error = Some(message);
            let _ = self.log.append(&entry);
            return item;
        }
        let after = match self.fetch(draft.kind.endpoint(), &p.id).await {
            Ok((a, _)) => a,
            Err(e) => {
                item.error = Some(format!(
                    "Changed, but it could not be read again: {}",
                    e.message
                ));
                let _ = self.log.append(&entry);
                return item;
            }
        };
        let predicted: Value = p
            .preview
            .predicted
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null);
        item.actual = field_changes(&p.before, &after, SERVER_OWNED)
            .into_iter()
            .map(FieldDiff::from)
            .collect();
        item.mismatches =
            without_secret_mismatches(mismatches(&predicted, &after), &self.secrets());
        let inverse = diff_resources(
            &after,
            &p.before,
            &DiffOptions {
                include_read_only: false,
                schemas: Some(&self.discovery.schemas),
            },
        )
        .value;
        entry.undo = (!inverse.is_empty()).then(|| UndoAction::Patch {
            body: inverse.to_json(),
        });
        entry.after = Some(after);
        let _ = self.log.append(&entry);
        item
    }

    /// Sends a PATCH draft after its preview was shown; `etag` is the version the user saw.
    async fn apply_patch_unmasked(
        &self,
        draft: &PatchDraft,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        self.refuse_if_read_only()?;
        check_kind(&draft.kind)?;
        let (before, current_etag) = self.fetch(draft.kind.endpoint(), &draft.id).await?;
        let preview = self.plan_patch(draft, &before, etag.clone().or(current_etag));
        if let Some(p) = &preview.problem {
            return Err(AppError::invalid_input(p.message.clone()));
        }
        let predicted: Value = preview
            .predicted
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(Value::Null);
        let action = if draft.as_put {
            ChangeAction::Put
        } else {
            ChangeAction::Patch
        };
        self.send_planned(PlannedWrite {
            kind: draft.kind.endpoint(),
            id: &draft.id,
            label: &preview.label,
            action,
            requests: &preview.requests,
            before: Some(before),
            predicted: Some(predicted),
            undoes: None,
        })
        .await
    }

    /// Sends planned requests in order, reads the result, compares, records.
    async fn send_planned(&self, write: PlannedWrite<'_>) -> Result<WriteOutcome, AppError> {
        let PlannedWrite {
            kind,
            id,
            label,
            action,
            requests,
            before,
            predicted,
            undoes,
        } = write;
        let mut responses = Vec::new();
        let mut logged = Vec::new();
        let mut warnings = Vec::new();
        let mut last_body: Option<Value> = None;
        let mut next_if_match: Option<String> = None;
        let mut failure: Option<(u16, AppError)> = None;
        for (index, r) in requests.iter().enumerate() {
            let body: Option<Value> = if r.body.trim().is_empty() {
                None
            } else {
                Some(serde_json::from_str(&r.body).map_err(|e| {
                    AppError::internal(format!("A planned request body is not JSON: {e}"))
                })?)
            };
            let if_match = if index == 0 {
                r.if_match.clone()
            } else {
                self.if_match(next_if_match.take())
            };
            logged.push(LoggedRequest {
                method: r.method.clone(),
                url: r.url.clone(),
                if_match: if_match.clone(),
                body: body.clone(),
            });
            let segments: Vec<&str> = if r.method == "POST" {
                vec![kind]
            } else {
                vec![kind, id]
            };
            match self
                .client
                .write(&r.method, &segments, body.as_ref(), if_match.as_deref())
                .await
            {
                Ok(response) => {
                    responses.push(ExchangeResult {
                        method: r.method.clone(),
                        url: r.url.clone(),
                        status: response.status,
                        body: response.body.as_ref().map(pretty),
                    });
                    next_if_match = response.etag.clone();
                    last_body = response.body;
                }
                Err(e) => {
                    let status = e.status().unwrap_or(0);
                    responses.push(ExchangeResult {
                        method: r.method.clone(),
                        url: r.url.clone(),
                        status,
                        body: None,
                    });
                    failure = Some((status, write_error(e, index, requests.len())));
                    break;
                }
            }
        }
        let change_id = self.log.next_id();
        let mut entry = ChangeEntry {
            id: change_id.clone(),
            time: crate::snapshot::now_rfc3339(),
            connection: self.connection.to_owned(),
            base_url: self.client.base_url().to_owned(),
            kind: ResourceKind::from_endpoint(kind),
            resource_id: id.to_owned(),
            label: label.to_owned(),
            action,
            requests: logged,
            status: responses.last().map(|r| r.status).unwrap_or(0),
            error: None,
            before: before.clone(),
            after: None,
            undo: None,
            undoes,
        };
        if let Some((_, error)) = failure {
            entry.error = Some(error.message.clone());
            // A failed write is still recorded: the admin sees what was tried. When this line
            // cannot be written the server's refusal matters more than the log.
            let _ = self.log.append(&entry);
            return Err(error);
        }
        // The resource after the write: the server's answer, or a fresh read when it sent none.
        let created_id = last_body
            .as_ref()
            .and_then(|b| Resource::new(b.clone()).id_string());
        let resource_id = if action.creates() {
            created_id.clone().unwrap_or_default()
        } else {
            id.to_owned()
        };
        let after = if action == ChangeAction::Delete {
            None
        } else {
            match last_body.filter(|b| b.is_object()) {
                Some(b) => Some(b),
                None => {
                    warnings.push(
                        "The server answered with no body (204); the resource was read again."
                            .into(),
                    );
                    Some(self.fetch(kind, &resource_id).await?.0)
                }
            }
        };
        let empty = Value::Object(Default::default());
        let actual = field_changes(
            before.as_ref().unwrap_or(&empty),
            after.as_ref().unwrap_or(&empty),
            SERVER_OWNED,
        )
        .into_iter()
        .map(FieldDiff::from)
        .collect();
        let mismatches = match (&predicted, &after) {
            (Some(p), Some(a)) => without_secret_mismatches(mismatches(p, a), &self.secrets()),
            _ => Vec::new(),
        };
        if !mismatches.is_empty() {
            warnings.push(format!(
                "The server's result differs from the prediction in {} field{}.",
                mismatches.len(),
                if mismatches.len() == 1 { "" } else { "s" }
            ));
        }
        entry.resource_id = resource_id.clone();
        entry.after = after.clone();
        entry.undo = if entry.undoes.is_some() {
            None
        } else {
            match (action, &before, &after) {
                (ChangeAction::Create | ChangeAction::Recreate, _, _) => Some(UndoAction::Delete),
                (ChangeAction::Delete, Some(b), _) => Some(UndoAction::Create {
                    resource: recreatable(b),
                }),
                (_, Some(b), Some(a)) => {
                    let inverse = diff_resources(
                        a,
                        b,
                        &DiffOptions {
                            include_read_only: false,
                            schemas: Some(&self.discovery.schemas),
                        },
                    )
                    .value;
                    (!inverse.is_empty()).then(|| UndoAction::Patch {
                        body: inverse.to_json(),
                    })
                }
                _ => None,
            }
        };
        if let Err(e) = self.log.append(&entry) {
            warnings.push(e.message);
        }
        Ok(WriteOutcome {
            resource_id,
            label: after
                .as_ref()
                .map(|a| Resource::new(a.clone()).label())
                .unwrap_or_else(|| label.to_owned()),
            responses,
            after: after.as_ref().map(pretty),
            actual,
            mismatches,
            warnings,
            change_id,
        })
    }

    /// The request a new resource would be created with, after checking it against the schema.
    fn preview_create_unmasked(&self, kind: &str, body: &str) -> Result<WritePreview, AppError> {
        let resource = parse_resource(body)?;
        let mut warnings = Vec::new();
        let missing = missing_required(&self.discovery.schemas, kind, &resource);
        let problem = (!missing.is_empty()).then(|| DraftProblem {
            operation: None,
            message: format!("Required: {}.", missing.join(", ")),
        });
        for name in read_only_present(&self.discovery.schemas, kind, &resource) {
            warnings.push(format!(
                "`{name}` is read-only: the server assigns it and will ignore the value given."
            ));
        }
        Ok(WritePreview {
            label: Resource::new(resource.clone()).label(),
            etag: None,
            requests: vec![PlannedRequest {
                method: "POST".into(),
                url: self.url(kind, None),
                if_match: None,
                body: pretty(&resource),
                note: None,
            }],
            before: String::new(),
            predicted: Some(pretty(&resource)),
            changes: field_changes(&Value::Object(Default::default()), &resource, SERVER_OWNED)
                .into_iter()
                .map(FieldDiff::from)
                .collect(),
            problem,
            warnings,
            patch_supported: self.discovery.config.patch,
            read_only: self.read_only,
        })
    }

    /// POST a new user or group. A uniqueness conflict names the existing resource to open instead.
    async fn create_unmasked(&self, kind: &str, body: &str) -> Result<CreateOutcome, AppError> {
        self.refuse_if_read_only()?;
        let preview = self.preview_create(&ResourceKind::from_endpoint(kind), body)?;
        if let Some(p) = preview.problem {
            return Err(AppError::invalid_input(p.message));
        }
        let resource = parse_resource(body)?;
        match self
            .send_planned(PlannedWrite {
                kind,
                id: "",
                label: &preview.label,
                action: ChangeAction::Create,
                requests: &preview.requests,
                before: None,
                predicted: None,
                undoes: None,
            })
            .await
        {
            Ok(outcome) => Ok(CreateOutcome::Created { outcome }),
            Err(e) if e.scim.as_ref().and_then(|s| s.http_status) == Some(409) => {
                Ok(CreateOutcome::Conflict {
                    message: e.message,
                    existing_id: self.find_existing(kind, &resource).await,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The resource holding `resource`'s userName (Users) or displayName (Groups), if the server says.
    async fn find_existing(&self, kind: &str, resource: &Value) -> Option<String> {
        let attr = if kind == "Users" {
            "userName"
        } else {
            "displayName"
        };
        let name = resource
            .as_object()
            .and_then(|o| get_ci(o, attr))?
            .as_str()?;
        let filter = format!("{attr} eq {}", Value::String(name.to_owned()));
        let params = scim_client::ListParams {
            filter: Some(filter),
            count: Some(1),
            ..Default::default()
        };
        let page = self.client.list(kind, &params).await.ok()?;
        page.value.resources.first().and_then(|r| r.id_string())
    }

    /// The PUT editor's dry run: the whole resource replaced by `body`.
    async fn preview_put_unmasked(
        &self,
        kind: &str,
        id: &str,
        body: &str,
    ) -> Result<WritePreview, AppError> {
        let (before, etag) = self.fetch(kind, id).await?;
        let resource = parse_resource(body)?;
        let mut warnings = Vec::new();
        let missing = missing_required(&self.discovery.schemas, kind, &resource);
        if let Some(rid) = Resource::new(resource.clone()).id_string() {
            if rid != id {
                return Err(AppError::invalid_input(format!(
                    "The JSON's id ({rid}) is not the resource's id ({id})."
                )));
            }
        }
        for name in read_only_present(&self.discovery.schemas, kind, &resource) {
            if name != "id" {
                warnings.push(format!(
                    "`{name}` is read-only: the server keeps its own value."
                ));
            }
        }
        Ok(WritePreview {
            label: Resource::new(before.clone()).label(),
            etag: etag.clone(),
            requests: vec![PlannedRequest {
                method: "PUT".into(),
                url: self.url(kind, Some(id)),
                if_match: self.if_match(etag),
                body: pretty(&resource),
                note: None,
            }],
            before: pretty(&before),
            predicted: Some(pretty(&resource)),
            changes: field_changes(&before, &resource, SERVER_OWNED)
                .into_iter()
                .map(FieldDiff::from)
                .collect(),
            problem: (!missing.is_empty()).then(|| DraftProblem {
                operation: None,
                message: format!("Required: {}.", missing.join(", ")),
            }),
            warnings,
            patch_supported: self.discovery.config.patch,
            read_only: self.read_only,
        })
    }

    /// Replaces a resource with PUT (the PUT editor).
    async fn replace_unmasked(
        &self,
        kind: &str,
        id: &str,
        body: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        self.refuse_if_read_only()?;
        let mut preview = self
            .preview_put(&ResourceKind::from_endpoint(kind), id, body)
            .await?;
        if let Some(p) = preview.problem {
            return Err(AppError::invalid_input(p.message));
        }
        if let Some(seen) = self.if_match(etag) {
            preview.requests[0].if_match = Some(seen);
        }
        let before: Value = serde_json::from_str(&preview.before).unwrap_or(Value::Null);
        let predicted = parse_resource(body)?;
        self.send_planned(PlannedWrite {
            kind,
            id,
            label: &preview.label,
            action: ChangeAction::Put,
            requests: &preview.requests,
            before: Some(before),
            predicted: Some(predicted),
            undoes: None,
        })
        .await
    }

    /// What a DELETE would send, and the name the user must type to confirm it.
    async fn preview_delete_unmasked(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<WritePreview, AppError> {
        let (before, etag) = self.fetch(kind, id).await?;
        Ok(WritePreview {
            label: confirmation_name(kind, &before),
            etag: etag.clone(),
            requests: vec![PlannedRequest {
                method: "DELETE".into(),
                url: self.url(kind, Some(id)),
                if_match: self.if_match(etag),
                body: String::new(),
                note: None,
            }],
            before: pretty(&before),
            predicted: None,
            changes: Vec::new(),
            problem: None,
            warnings: Vec::new(),
            patch_supported: self.discovery.config.patch,
            read_only: self.read_only,
        })
    }

    /// DELETE, only when `typed` is exactly the userName (Users) or displayName (Groups).
    async fn delete_unmasked(
        &self,
        kind: &str,
        id: &str,
        typed: &str,
        etag: Option<String>,
    ) -> Result<WriteOutcome, AppError> {
        self.refuse_if_read_only()?;
        let mut preview = self
            .preview_delete(&ResourceKind::from_endpoint(kind), id)
            .await?;
        if typed != preview.label {
            return Err(AppError::invalid_input(format!(
                "Type \u{201c}{}\u{201d} exactly to confirm the deletion.",
                preview.label
            )));
        }
        if let Some(seen) = self.if_match(etag) {
            preview.requests[0].if_match = Some(seen);
        }
        let before: Value = serde_json::from_str(&preview.before).unwrap_or(Value::Null);
        self.send_planned(PlannedWrite {
            kind,
            id,
            label: &preview.label,
            action: ChangeAction::Delete,
            requests: &preview.requests,
            before: Some(before),
            predicted: None,
            undoes: None,
        })
        .await
    }

    /// What undoing change `id` (or the latest undoable one) would send.
    async fn preview_undo_unmasked(&self, id: Option<&str>) -> Result<UndoPreview, AppError> {
        let entry = self.log.undo_target(id)?;
        let (requests, warnings) = self.undo_requests(&entry).await?;
        Ok(UndoPreview {
            change_id: entry.id,
            label: entry.label,
            action: entry.action,
            requests,
            warnings,
        })
    }

    async fn undo_requests(
        &self,
        entry: &ChangeEntry,
    ) -> Result<(Vec<PlannedRequest>, Vec<String>), AppError> {
        let mut warnings = Vec::new();
        if entry.base_url.trim_end_matches('/') != self.client.base_url().trim_end_matches('/') {
            return Err(AppError::invalid_input(format!(
                "Change {} was made on {}, not on this connection ({}).",
                entry.id,
                entry.base_url,
                self.client.base_url()
            )));
        }
        let current = match entry.undo {
            Some(UndoAction::Create { .. }) => None,
            _ => Some(
                self.fetch(entry.kind.endpoint(), &entry.resource_id)
                    .await?,
            ),
        };
        if let (Some((now, _)), Some(after)) = (&current, &entry.after) {
            let since = field_changes(after, now, SERVER_OWNED);
            if !since.is_empty() {
                warnings.push(format!(
                    "The resource changed since this change ({} field{}: {}); undo reverts only what \
                     this change did.",
                    since.len(),
                    if since.len() == 1 { "" } else { "s" },
                    since
                        .iter()
                        .take(3)
                        .map(|c| c.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let etag = current.as_ref().and_then(|(_, e)| self.if_match(e.clone()));
        if let (Some(UndoAction::Patch { body }), false, Some((now, _))) =
            (&entry.undo, self.discovery.config.patch, &current)
        {
            // A server without PATCH gets the reverted resource whole, as the change itself was sent.
            let inverse = PatchOp::from_json(body)
                .map_err(|e| AppError::internal(format!("The recorded inverse is unusable: {e}")))?
                .value;
            let reverted = apply_patch(now, &inverse, &self.apply_options())
                .map_err(|e| {
                    AppError::invalid_input(format!("The change cannot be reverted: {e}"))
                })?
                .value;
            return Ok((
                vec![PlannedRequest {
                    method: "PUT".into(),
                    url: self.url(entry.kind.endpoint(), Some(&entry.resource_id)),
                    if_match: etag,
                    body: pretty(&put_body(&reverted)),
                    note: Some(
                        "The resource as it was, sent whole (the server has no PATCH)".into(),
                    ),
                }],
                warnings,
            ));
        }
        let request = match &entry.undo {
            Some(UndoAction::Patch { body }) => PlannedRequest {
                method: "PATCH".into(),
                url: self.url(entry.kind.endpoint(), Some(&entry.resource_id)),
                if_match: etag,
                body: pretty(body),
                note: Some("The inverse of the change".into()),
            },
            Some(UndoAction::Delete) => PlannedRequest {
                method: "DELETE".into(),
                url: self.url(entry.kind.endpoint(), Some(&entry.resource_id)),
                if_match: etag,
                body: String::new(),
                note: Some("Deletes what the change created".into()),
            },
            Some(UndoAction::Create { resource }) => PlannedRequest {
                method: "POST".into(),
                url: self.url(entry.kind.endpoint(), None),
                if_match: None,
                body: pretty(resource),
                note: Some(
                    "Creates the deleted resource again; the server gives it a new id".into(),
                ),
            },
            None => return Err(AppError::invalid_input("This change cannot be undone.")),
        };
        Ok((vec![request], warnings))
    }

    /// Sends the inverse of change `id` (or of the latest undoable one), recorded as an undo.
    async fn undo_unmasked(&self, id: Option<&str>) -> Result<WriteOutcome, AppError> {
        self.refuse_if_read_only()?;
        let entry = self.log.undo_target(id)?;
        let (requests, _) = self.undo_requests(&entry).await?;
        let (action, before) = match &entry.undo {
            Some(UndoAction::Create { .. }) => (ChangeAction::Recreate, None),
            Some(UndoAction::Delete) => (
                ChangeAction::Delete,
                Some(
                    self.fetch(entry.kind.endpoint(), &entry.resource_id)
                        .await?
                        .0,
                ),
            ),
            _ => (
                ChangeAction::Undo,
                Some(
                    self.fetch(entry.kind.endpoint(), &entry.resource_id)
                        .await?
                        .0,
                ),
            ),
        };
        let predicted = match (&entry.undo, &before) {
            (Some(UndoAction::Patch { body }), Some(now)) => PatchOp::from_json(body)
                .ok()
                .and_then(|p| apply_patch(now, &p.value, &self.apply_options()).ok())
                .map(|t| t.value),
            _ => None,
        };
        let mut outcome = self
            .send_planned(PlannedWrite {
                kind: entry.kind.endpoint(),
                id: &entry.resource_id,
                label: &entry.label,
                action,
                requests: &requests,
                before,
                predicted,
                undoes: Some(entry.id.clone()),
            })
            .await?;
        outcome
            .warnings
            .insert(0, format!("Undid change {} ({}).", entry.id, entry.action));
        Ok(outcome)
    }
}

/// What a failed request means, saying which request of several it was.
fn write_error(e: ClientError, index: usize, total: usize) -> AppError {
    let mut error = AppError::from(e);
    if total > 1 {
        error.message = format!(
            "Request {} of {} failed: {}{}",
            index + 1,
            total,
            error.message,
            if index > 0 {
                " The earlier requests were applied."
            } else {
                ""
            }
        );
    }
    error
}

fn parse_resource(body: &str) -> Result<Value, AppError> {
    let v: Value = serde_json::from_str(body).map_err(|e| {
        AppError::invalid_input(format!(
            "The resource is not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if !v.is_object() {
        return Err(AppError::invalid_input(
            "The resource must be a JSON object.",
        ));
    }
    Ok(v)
}

fn core_urn(kind: &str) -> &'static str {
    if kind == "Users" {
        scim_core::names::USER_SCHEMA
    } else {
        scim_core::names::GROUP_SCHEMA
    }
}

/// Required attributes of the core schema that `resource` lacks (`id` is the server's).
fn missing_required(
    schemas: &scim_core::schema::SchemaRegistry,
    kind: &str,
    resource: &Value,
) -> Vec<String> {
    let Some(obj) = resource.as_object() else {
        return Vec::new();
    };
    let mut names: Vec<String> = schemas
        .schema(core_urn(kind))
        .map(|s| {
            s.attributes
                .iter()
                .filter(|a| a.required && a.mutability != Mutability::ReadOnly)
                .filter(|a| !a.name.eq_ignore_ascii_case("id"))
                .map(|a| a.name.clone())
                .collect()
        })
        .unwrap_or_default();
    // The RFC's own minimum, whatever the server's schema says.
    let minimum = if kind == "Users" {
        "userName"
    } else {
        "displayName"
    };
    if !names.iter().any(|n| n.eq_ignore_ascii_case(minimum)) {
        names.push(minimum.into());
    }
    names
        .into_iter()
        .filter(|n| {
            get_ci(obj, n)
                .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
        })
        .collect()
}

/// Read-only core attributes `resource` sets anyway.
fn read_only_present(
    schemas: &scim_core::schema::SchemaRegistry,
    kind: &str,
    resource: &Value,
) -> Vec<String> {
    let Some(obj) = resource.as_object() else {
        return Vec::new();
    };
    schemas
        .schema(core_urn(kind))
        .map(|s| {
            s.attributes
                .iter()
                .filter(|a| a.mutability == Mutability::ReadOnly && get_ci(obj, &a.name).is_some())
                .map(|a| a.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The name a user types to confirm a deletion.
fn confirmation_name(kind: &str, resource: &Value) -> String {
    let attr = if kind == "Users" {
        "userName"
    } else {
        "displayName"
    };
    resource
        .as_object()
        .and_then(|o| get_ci(o, attr))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| Resource::new(resource.clone()).label())
}

/// A deleted resource as it can be POSTed again: without id, meta and server-computed `groups`.
fn recreatable(resource: &Value) -> Value {
    let mut body = resource.clone();
    if let Some(o) = body.as_object_mut() {
        o.retain(|k, _| {
            !["id", "meta", "groups"]
                .iter()
                .any(|r| k.eq_ignore_ascii_case(r))
        });
    }
    body
}

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
