//! One change to a multi-selection: each resource read and planned, then sent as one Bulk request
//! when the server offers it (in chunks of its limit), else one PATCH each; every item is recorded.

use super::*;

impl Writer<'_> {
    /// Reads and plans every resource of a multi-selection: the same operations for each.
    pub(super) async fn plan_many(
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
    pub(super) fn bulk_chunks(&self, draft: &PatchDraft, planned: &[Planned]) -> Option<usize> {
        let c = &self.discovery.config;
        let single_patch = planned
            .iter()
            .all(|p| p.preview.requests.len() == 1 && p.preview.requests[0].method == "PATCH");
        (c.bulk && c.patch && !draft.as_put && planned.len() > 1 && single_patch)
            .then(|| c.bulk_max_operations.unwrap_or(1000).clamp(1, 1000) as usize)
    }

    pub(super) fn bulk_request(
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
    pub(super) async fn preview_patch_many_unmasked(
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
    pub(super) async fn apply_patch_many_unmasked(
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
    pub(super) async fn record_bulk_item(
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
}
