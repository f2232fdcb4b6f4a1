//! SCIM PATCH (RFC 7644 §3.5.2): the operation model, path grammar, apply, invert, and the dialects in
//! which identity providers send the same change.

mod apply;
mod dialect;
mod path;

pub use apply::{apply_patch, invert_patch, ApplyOptions};
pub use dialect::{
    logical_changes, render_patch, Dialect, DialectName, LogicalChange, RenderedRequest,
};
pub use path::{parse_path, PatchPath};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ScimType;
use crate::names::{get_ci, PATCH_OP};
use crate::warning::{Tolerant, Warning};

/// `add`, `remove` or `replace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Add,
    Remove,
    Replace,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
        }
    }
}

/// One PATCH operation. The path is kept as text so a request can be shown exactly as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOperation {
    pub op: OpKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOperation {
    pub fn new(op: OpKind, path: Option<&str>, value: Option<Value>) -> Self {
        Self {
            op,
            path: path.map(str::to_owned),
            value,
        }
    }
}

/// A PatchOp request body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatchOp {
    pub operations: Vec<PatchOperation>,
}

/// Why a PATCH cannot be read or applied, with the RFC 7644 §3.12 `scimType` a server would answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct PatchError {
    pub scim_type: ScimType,
    pub message: String,
    /// Index of the failing operation, when one failed.
    pub operation: Option<usize>,
}

impl PatchError {
    pub fn new(scim_type: ScimType, message: impl Into<String>) -> Self {
        Self {
            scim_type,
            message: message.into(),
            operation: None,
        }
    }
}

impl PatchOp {
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        Self { operations }
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The RFC 7644 form of the request body.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("schemas".into(), Value::from(vec![PATCH_OP]));
        obj.insert(
            "Operations".into(),
            serde_json::to_value(&self.operations).unwrap_or(Value::Array(Vec::new())),
        );
        Value::Object(obj)
    }

    /// Reads a PatchOp as identity providers send it: capitalised ops (`Replace`, Entra),
    /// `operations` in any case, a missing `schemas`. Each deviation is a warning.
    pub fn from_json(value: &Value) -> Result<Tolerant<PatchOp>, PatchError> {
        let syntax = |m: &str| PatchError::new(ScimType::InvalidSyntax, m);
        let obj = value
            .as_object()
            .ok_or_else(|| syntax("a PATCH body must be a JSON object"))?;
        let mut warnings = Vec::new();
        let declares_schema = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter()
                    .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP)))
            });
        if !declares_schema {
            warnings.push(Warning::new(
                "patch.missingSchema",
                "the PATCH body does not declare the PatchOp schema",
            ));
        }
        let ops = get_ci(obj, "Operations")
            .and_then(Value::as_array)
            .ok_or_else(|| syntax("the PATCH body has no `Operations` array"))?;
        let mut operations = Vec::with_capacity(ops.len());
        for (index, raw) in ops.iter().enumerate() {
            let at = |m: String| PatchError {
                scim_type: ScimType::InvalidSyntax,
                message: m,
                operation: Some(index),
            };
            let o = raw
                .as_object()
                .ok_or_else(|| at(format!("operation {} is not a JSON object", index + 1)))?;
            let op_text = get_ci(o, "op")
                .and_then(Value::as_str)
                .ok_or_else(|| at(format!("operation {} has no `op`", index + 1)))?;
            let op = match op_text.to_ascii_lowercase().as_str() {
                "add" => OpKind::Add,
                "remove" => OpKind::Remove,
                "replace" => OpKind::Replace,
                other => {
                    return Err(at(format!(
                        "operation {}: `{other}` is not add, remove or replace",
                        index + 1
                    )))
                }
            };
            if op_text != op.as_str() {
                warnings.push(Warning::new(
                    "patch.opCase",
                    format!(
                        "operation {} spells its op `{op_text}` (Entra's legacy form)",
                        index + 1
                    ),
                ));
            }
            let path = match get_ci(o, "path") {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                Some(Value::String(_)) | Some(Value::Null) | None => None,
                Some(_) => {
                    return Err(at(format!(
                        "operation {}: `path` must be a string",
                        index + 1
                    )))
                }
            };
            operations.push(PatchOperation {
                op,
                path,
                value: get_ci(o, "value").cloned(),
            });
        }
        Ok(Tolerant {
            value: PatchOp { operations },
            warnings,
        })
    }
}
