//! Undo: the inverse of a logged change, previewed, then sent through the same path as any write.

use super::*;

impl Writer<'_> {
    /// What undoing change `id` (or the latest undoable one) would send.
    pub(super) async fn preview_undo_unmasked(
        &self,
        id: Option<&str>,
    ) -> Result<UndoPreview, AppError> {
        let entry = self.log.undo_target(id)?;
        let (requests, warnings) = self.undo_requests(&entry).await?;
        let narration = self.narrate(&entry, &requests).await;
        Ok(UndoPreview {
            change_id: entry.id,
            label: entry.label,
            action: entry.action,
            requests,
            warnings,
            narration,
        })
    }

    pub(super) async fn undo_requests(
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
    pub(super) async fn undo_unmasked(&self, id: Option<&str>) -> Result<WriteOutcome, AppError> {
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

/// A deleted resource as it can be POSTed again: without id, meta and server-computed `groups`.
pub(super) fn recreatable(resource: &Value) -> Value {
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

/// Members named by reading them when neither side of the change carries their `display`: a
/// handful is plenty for a sentence, and each read is one GET.
const NAMES_READ: usize = 10;

impl Writer<'_> {
    /// The undo's requests in words, with names for ids: the resource's own label, the members'
    /// `display` as the change's before and after hold them, else their userName read from the server.
    async fn narrate(&self, entry: &ChangeEntry, requests: &[PlannedRequest]) -> Vec<String> {
        let mut names = names_in(entry);
        let unnamed: Vec<String> = requests
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
            .flat_map(|b| member_ids_in(&b))
            .filter(|id| !names.contains_key(id))
            .take(NAMES_READ)
            .collect();
        for id in unnamed {
            if let Ok((user, _)) = self.fetch("Users", &id).await {
                let r = scim_core::Resource::new(user);
                if let Some(n) = r.display_name().or_else(|| r.user_name()) {
                    names.insert(id, n.to_owned());
                }
            }
        }
        narrate(entry, requests, &names)
    }
}

/// The ids a PATCH body names as members (in values and in `members[value eq "…"]` paths).
fn member_ids_in(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for op in body["Operations"].as_array().into_iter().flatten() {
        for m in op["value"].as_array().into_iter().flatten() {
            if let Some(v) = m["value"].as_str() {
                out.push(v.to_owned());
            }
        }
        if let Some(p) = op["path"].as_str() {
            if let Some(start) = p.find("value eq \"") {
                let rest = &p[start + 10..];
                if let Some(end) = rest.find('"') {
                    out.push(rest[..end].to_owned());
                }
            }
        }
    }
    out
}

fn names_in(entry: &ChangeEntry) -> std::collections::HashMap<String, String> {
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    names.insert(entry.resource_id.clone(), entry.label.clone());
    for resource in [&entry.before, &entry.after].into_iter().flatten() {
        if let scim_core::resource::Members::Listed(members) =
            scim_core::Resource::new(resource.clone()).members()
        {
            for m in members {
                if let Some(display) = m.display.filter(|d| !d.is_empty()) {
                    names.entry(m.value).or_insert(display);
                }
            }
        }
    }
    names
}

/// The undo's requests in words, with `names` for ids.
fn narrate(
    entry: &ChangeEntry,
    requests: &[PlannedRequest],
    names: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let endpoint = entry.kind.endpoint();
    requests
        .iter()
        .flat_map(|r| {
            let body: Option<Value> = serde_json::from_str(&r.body).ok();
            let id = (r.method != "POST").then_some(entry.resource_id.as_str());
            let path = match id {
                Some(id) => format!("/{endpoint}/{id}"),
                None => format!("/{endpoint}"),
            };
            let seen = scim_core::traffic::SeenRequest {
                method: &r.method,
                path: &path,
                query: None,
                user_agent: None,
                content_type: None,
                body: body.as_ref(),
                body_unreadable: false,
            };
            let mut lines =
                scim_core::traffic::words::describe(&seen, &|id: &str| names.get(id).cloned());
            // Sentences start with a capital, as the dialog reads them.
            for l in &mut lines {
                if let Some(first) = l.get(..1) {
                    *l = format!("{}{}", first.to_uppercase(), &l[1..]);
                }
            }
            lines
        })
        .collect()
}
