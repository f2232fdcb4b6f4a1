//! Dialects: one logical change rendered as the request each identity provider would send for it, so
//! a consultant can see (and replay) exactly what Entra, Okta or authentik puts on the wire.
//!
//! Sources: ../shared/docs/scim-reference.md §3 (Entra compatibility notes, Okta's SCIM reference,
//! authentik's `providers/scim/clients`).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{apply_patch, ApplyOptions, OpKind, PatchOp, PatchOperation};
use crate::names::is_urn;

/// Whose shapes to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Dialect {
    /// Plain RFC 7644.
    Rfc7644,
    /// Entra ID's default mode: `Replace`/`Add`/`Remove`, booleans as strings, member removal by value list.
    EntraLegacy,
    /// Entra ID with `?aadOptscim062020`: lowercase ops, pathless replace with dotted keys.
    EntraAadOptscim062020,
    /// Okta: PUT for profile updates, PATCH only for (de)activation and group membership.
    Okta,
    /// authentik: PUT for users; for groups one member per operation and pathless replace for fields.
    Authentik,
}

impl Dialect {
    /// Every dialect, for whoever must render or check all of them.
    pub const ALL: [Dialect; 5] = [
        Dialect::Rfc7644,
        Dialect::EntraLegacy,
        Dialect::EntraAadOptscim062020,
        Dialect::Okta,
        Dialect::Authentik,
    ];
}

/// A change as a person thinks of it, independent of how a given IdP encodes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LogicalChange {
    /// Give an attribute a value: `active`, `name.givenName`, `emails[type eq "work"].value`, a URN path.
    Set { path: String, value: Value },
    /// Remove an attribute's value.
    Clear { path: String },
    /// Add members (ids) to a group.
    AddMembers { ids: Vec<String> },
    /// Remove members (ids) from a group.
    RemoveMembers { ids: Vec<String> },
    /// An operation none of the above describes (adding one more email, say), sent as written.
    Operation { operation: PatchOperation },
}

/// Reads a PatchOp (as the builder writes it, in RFC form) back into logical changes, so any dialect
/// can render it. Operations with no simpler meaning stay `Operation`.
pub fn logical_changes(patch: &PatchOp) -> Vec<LogicalChange> {
    let member_ids = |v: &Value| -> Option<Vec<String>> {
        let items = v.as_array()?;
        items
            .iter()
            .map(|m| m.get("value").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let mut out = Vec::new();
    for operation in &patch.operations {
        let path = operation.path.as_deref();
        let is_members = path.is_some_and(|p| p.eq_ignore_ascii_case("members"));
        match (operation.op, path, &operation.value) {
            (OpKind::Add, Some(_), Some(v)) if is_members => match member_ids(v) {
                Some(ids) => out.push(LogicalChange::AddMembers { ids }),
                None => out.push(LogicalChange::Operation {
                    operation: operation.clone(),
                }),
            },
            (OpKind::Remove, Some(_), Some(v)) if is_members => match member_ids(v) {
                Some(ids) => out.push(LogicalChange::RemoveMembers { ids }),
                None => out.push(LogicalChange::Operation {
                    operation: operation.clone(),
                }),
            },
            (OpKind::Remove, Some(p), None) => match single_member_filter(p) {
                Some(id) => out.push(LogicalChange::RemoveMembers { ids: vec![id] }),
                None => out.push(LogicalChange::Clear { path: p.to_owned() }),
            },
            (OpKind::Replace, Some(p), Some(v)) => out.push(LogicalChange::Set {
                path: p.to_owned(),
                value: v.clone(),
            }),
            (OpKind::Replace | OpKind::Add, None, Some(Value::Object(fields))) => {
                // A pathless add of a list appends (RFC 7644 §3.5.2.1): as a `Set` (a replace)
                // it would drop the values already there, so it stays an add of that attribute.
                let appends = |value: &Value| operation.op == OpKind::Add && value.is_array();
                for (key, value) in fields {
                    match value {
                        v if appends(v) => out.push(LogicalChange::Operation {
                            operation: PatchOperation::new(OpKind::Add, Some(key), Some(v.clone())),
                        }),
                        Value::Object(block) if is_urn(key) => {
                            for (name, v) in block {
                                if appends(v) {
                                    out.push(LogicalChange::Operation {
                                        operation: PatchOperation::new(
                                            OpKind::Add,
                                            Some(&format!("{key}:{name}")),
                                            Some(v.clone()),
                                        ),
                                    });
                                    continue;
                                }
                                out.push(LogicalChange::Set {
                                    path: format!("{key}:{name}"),
                                    value: v.clone(),
                                });
                            }
                        }
                        _ => out.push(LogicalChange::Set {
                            path: key.clone(),
                            value: value.clone(),
                        }),
                    }
                }
            }
            _ => out.push(LogicalChange::Operation {
                operation: operation.clone(),
            }),
        }
    }
    out
}

/// `members[value eq "id"]` → `id`.
fn single_member_filter(path: &str) -> Option<String> {
    let rest = path
        .get(..8)?
        .eq_ignore_ascii_case("members[")
        .then(|| &path[8..])?;
    let inner = rest.strip_suffix(']')?.trim();
    let (attr, rest) = inner.split_once(char::is_whitespace)?;
    let (op, literal) = rest.trim().split_once(char::is_whitespace)?;
    if !attr.eq_ignore_ascii_case("value") || !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    serde_json::from_str::<String>(literal.trim()).ok()
}

/// One HTTP request an IdP would send.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedRequest {
    /// `PATCH` or `PUT`.
    pub method: &'static str,
    pub body: Value,
    /// Why the request looks the way it does, or what is missing to render it.
    pub note: Option<String>,
}

fn member(id: &str) -> Value {
    let mut o = Map::new();
    o.insert("value".into(), Value::String(id.to_owned()));
    Value::Object(o)
}

fn member_filter(id: &str) -> String {
    format!("members[value eq {}]", Value::String(id.to_owned()))
}

/// The RFC 7644 operations for `changes`.
fn rfc_operations(changes: &[LogicalChange]) -> Vec<PatchOperation> {
    let mut ops = Vec::new();
    for change in changes {
        match change {
            LogicalChange::Set { path, value } => ops.push(PatchOperation::new(
                OpKind::Replace,
                Some(path),
                Some(value.clone()),
            )),
            LogicalChange::Clear { path } => {
                ops.push(PatchOperation::new(OpKind::Remove, Some(path), None))
            }
            LogicalChange::AddMembers { ids } => ops.push(PatchOperation::new(
                OpKind::Add,
                Some("members"),
                Some(Value::Array(ids.iter().map(|i| member(i)).collect())),
            )),
            LogicalChange::RemoveMembers { ids } => {
                for id in ids {
                    ops.push(PatchOperation::new(
                        OpKind::Remove,
                        Some(&member_filter(id)),
                        None,
                    ));
                }
            }
            LogicalChange::Operation { operation } => ops.push(operation.clone()),
        }
    }
    ops
}

fn patch_request(ops: Vec<PatchOperation>, note: Option<&str>) -> RenderedRequest {
    RenderedRequest {
        method: "PATCH",
        body: PatchOp::new(ops).to_json(),
        note: note.map(str::to_owned),
    }
}

/// Replaces `"op":"add"` with the capitalised spelling Entra's legacy mode uses.
fn capitalise_ops(body: &mut Value) {
    if let Some(Value::Array(ops)) = body.get_mut("Operations") {
        for op in ops {
            if let Some(Value::String(s)) = op.get_mut("op") {
                let mut c = s.chars();
                if let Some(first) = c.next() {
                    *s = first.to_uppercase().chain(c).collect();
                }
            }
        }
    }
}

fn stringify_booleans(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(if *b { "True" } else { "False" }.to_owned()),
        Value::Array(items) => Value::Array(items.iter().map(stringify_booleans).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), stringify_booleans(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A PUT of the whole resource after `changes`, as Okta and authentik send profile updates.
fn put_request(changes: &[LogicalChange], current: Option<&Value>, who: &str) -> RenderedRequest {
    let Some(current) = current else {
        return RenderedRequest {
            method: "PUT",
            body: Value::Null,
            note: Some(format!("{who} updates profiles with a PUT of the whole resource; load the resource to see that body")),
        };
    };
    let patch = PatchOp::new(rfc_operations(changes));
    let options = ApplyOptions {
        schemas: None,
        enforce_mutability: false,
    };
    match apply_patch(current, &patch, &options) {
        Ok(updated) => {
            let mut body = updated.value;
            if let Some(o) = body.as_object_mut() {
                // Clients do not send server-owned metadata back.
                o.retain(|k, _| !k.eq_ignore_ascii_case("meta"));
            }
            RenderedRequest {
                method: "PUT",
                body,
                note: Some(format!(
                    "{who} sends profile changes as a PUT of the whole resource"
                )),
            }
        }
        Err(e) => RenderedRequest {
            method: "PUT",
            body: Value::Null,
            note: Some(format!(
                "the change cannot be applied to this resource: {e}"
            )),
        },
    }
}

/// Renders `changes` the way `dialect` sends them. `current` is the resource as last loaded; it is
/// needed for dialects that PUT the whole resource.
pub fn render_patch(
    dialect: Dialect,
    changes: &[LogicalChange],
    current: Option<&Value>,
) -> Vec<RenderedRequest> {
    let is_member_change = |c: &LogicalChange| {
        matches!(
            c,
            LogicalChange::AddMembers { .. } | LogicalChange::RemoveMembers { .. }
        )
    };
    match dialect {
        Dialect::Rfc7644 => vec![patch_request(rfc_operations(changes), None)],
        Dialect::EntraLegacy => {
            let mut ops = Vec::new();
            for change in changes {
                match change {
                    LogicalChange::Set { path, value } => ops.push(PatchOperation::new(
                        OpKind::Replace,
                        Some(path),
                        Some(stringify_booleans(value)),
                    )),
                    LogicalChange::RemoveMembers { ids } => ops.push(PatchOperation::new(
                        OpKind::Remove,
                        Some("members"),
                        Some(Value::Array(ids.iter().map(|i| member(i)).collect())),
                    )),
                    other => ops.extend(rfc_operations(std::slice::from_ref(other))),
                }
            }
            let mut request = patch_request(ops, Some("Entra's default mode: capitalised ops, booleans as strings, members removed by value list"));
            capitalise_ops(&mut request.body);
            vec![request]
        }
        Dialect::EntraAadOptscim062020 => {
            let mut pathless = Map::new();
            let mut ops = Vec::new();
            for change in changes {
                match change {
                    LogicalChange::Set { path, value } if !path.contains('[') => {
                        pathless.insert(path.clone(), value.clone());
                    }
                    other => ops.extend(rfc_operations(std::slice::from_ref(other))),
                }
            }
            if !pathless.is_empty() {
                ops.insert(
                    0,
                    PatchOperation::new(OpKind::Replace, None, Some(Value::Object(pathless))),
                );
            }
            vec![patch_request(
                ops,
                Some("Entra with aadOptscim062020: pathless replace with dotted keys"),
            )]
        }
        Dialect::Okta => {
            let mut requests = Vec::new();
            let (active, rest): (Vec<&LogicalChange>, Vec<&LogicalChange>) = changes
                .iter()
                .partition(|c| matches!(c, LogicalChange::Set { path, .. } if path.eq_ignore_ascii_case("active")));
            let (members, profile): (Vec<&LogicalChange>, Vec<&LogicalChange>) =
                rest.into_iter().partition(|c| is_member_change(c));
            if !active.is_empty() {
                let mut value = Map::new();
                for c in active {
                    if let LogicalChange::Set { value: v, .. } = c {
                        value.insert("active".into(), v.clone());
                    }
                }
                requests.push(patch_request(
                    vec![PatchOperation::new(
                        OpKind::Replace,
                        None,
                        Some(Value::Object(value)),
                    )],
                    Some("Okta (de)activates with a pathless replace"),
                ));
            }
            if !members.is_empty() {
                let owned: Vec<LogicalChange> = members.into_iter().cloned().collect();
                requests.push(patch_request(
                    rfc_operations(&owned),
                    Some("Okta pushes group membership with PATCH"),
                ));
            }
            if !profile.is_empty() {
                // Okta's PUT carries its whole view of the user, so an `active` sent in the same
                // change is in it too (built from the resource before, it would undo the PATCH).
                let owned: Vec<LogicalChange> = changes
                    .iter()
                    .filter(|c| !is_member_change(c))
                    .cloned()
                    .collect();
                requests.push(put_request(&owned, current, "Okta"));
            }
            requests
        }
        Dialect::Authentik => {
            let is_group = current
                .is_some_and(|c| crate::resource::Resource::new(c.clone()).is_group())
                || changes.iter().any(is_member_change);
            if !is_group {
                return vec![put_request(changes, current, "authentik")];
            }
            let mut ops = Vec::new();
            let mut fields = Map::new();
            for change in changes {
                match change {
                    LogicalChange::AddMembers { ids } | LogicalChange::RemoveMembers { ids } => {
                        let op = if matches!(change, LogicalChange::AddMembers { .. }) {
                            OpKind::Add
                        } else {
                            OpKind::Remove
                        };
                        for id in ids {
                            ops.push(PatchOperation::new(
                                op,
                                Some("members"),
                                Some(Value::Array(vec![member(id)])),
                            ));
                        }
                    }
                    LogicalChange::Set { path, value } if !is_urn(path) && !path.contains('[') => {
                        fields.insert(path.clone(), value.clone());
                    }
                    other => ops.extend(rfc_operations(std::slice::from_ref(other))),
                }
            }
            if !fields.is_empty() {
                ops.insert(
                    0,
                    PatchOperation::new(OpKind::Replace, None, Some(Value::Object(fields))),
                );
            }
            vec![patch_request(
                ops,
                Some("authentik: one member per operation; other fields by pathless replace"),
            )]
        }
    }
}

/// Whose request shapes to send (see the core's dialects).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum DialectName {
    #[default]
    Rfc,
    Entra,
    Entra2020,
    Okta,
    Authentik,
}

impl DialectName {
    /// The core's dialect of this name.
    pub fn dialect(self) -> Dialect {
        match self {
            DialectName::Rfc => Dialect::Rfc7644,
            DialectName::Entra => Dialect::EntraLegacy,
            DialectName::Entra2020 => Dialect::EntraAadOptscim062020,
            DialectName::Okta => Dialect::Okta,
            DialectName::Authentik => Dialect::Authentik,
        }
    }
}
