//! Sending planned requests in order, reading the result, comparing it with the prediction and
//! recording the change with its inverse: the one path every write takes.

use super::*;

impl Writer<'_> {
    /// Sends planned requests in order, reads the result, compares, records.
    pub(super) async fn send_planned(
        &self,
        write: PlannedWrite<'_>,
    ) -> Result<WriteOutcome, AppError> {
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
                    let mut error = write_error(e, index, requests.len());
                    // The refused request, for "Show request" in the request log.
                    error.request = self
                        .client
                        .request_log()
                        .and_then(crate::request_log::last_failed)
                        .map(Box::new);
                    failure = Some((status, error));
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
                    resource: super::undo::recreatable(b),
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
}

/// What a failed request means, saying which request of several it was.
pub(super) fn write_error(e: ClientError, index: usize, total: usize) -> AppError {
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
