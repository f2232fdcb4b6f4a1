//! One PATCH: the dry run (read, predict with the core, render in the chosen dialect) and the send.

use super::*;

impl Writer<'_> {
    /// The dry run of a PATCH draft: reads the resource, predicts the result, renders the requests.
    pub(super) async fn preview_patch_unmasked(
        &self,
        draft: &PatchDraft,
    ) -> Result<WritePreview, AppError> {
        check_kind(&draft.kind)?;
        let (before, etag) = self.fetch(draft.kind.endpoint(), &draft.id).await?;
        Ok(self.plan_patch(draft, &before, etag))
    }

    pub(super) fn plan_patch(
        &self,
        draft: &PatchDraft,
        before: &Value,
        etag: Option<String>,
    ) -> WritePreview {
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

    /// Sends a PATCH draft after its preview was shown; `etag` is the version the user saw.
    pub(super) async fn apply_patch_unmasked(
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
}
