//! Whole-resource writes: create (POST, checked against the schema first), replace (PUT of edited
//! JSON) and delete (only once the name was typed).

use super::*;

impl Writer<'_> {
    /// The request a new resource would be created with, after checking it against the schema.
    pub(super) fn preview_create_unmasked(
        &self,
        kind: &str,
        body: &str,
    ) -> Result<WritePreview, AppError> {
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
    pub(super) async fn create_unmasked(
        &self,
        kind: &str,
        body: &str,
    ) -> Result<CreateOutcome, AppError> {
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
    pub(super) async fn find_existing(&self, kind: &str, resource: &Value) -> Option<String> {
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
    pub(super) async fn preview_put_unmasked(
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
    pub(super) async fn replace_unmasked(
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
    pub(super) async fn preview_delete_unmasked(
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
    pub(super) async fn delete_unmasked(
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
}

pub(super) fn parse_resource(body: &str) -> Result<Value, AppError> {
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

pub(super) fn core_urn(kind: &str) -> &'static str {
    if kind == "Users" {
        scim_core::names::USER_SCHEMA
    } else {
        scim_core::names::GROUP_SCHEMA
    }
}

/// Required attributes of the core schema that `resource` lacks (`id` is the server's).
pub(super) fn missing_required(
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
pub(super) fn read_only_present(
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
pub(super) fn confirmation_name(kind: &str, resource: &Value) -> String {
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
