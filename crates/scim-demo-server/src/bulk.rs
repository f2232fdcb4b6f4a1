//! Bulk (RFC 7644 §3.7): several writes in one request, with `bulkId` references between them, limits
//! (`maxOperations`, `maxPayloadSize` → 413) and `failOnErrors`.

use std::collections::HashMap;

use serde_json::{json, Value};

use scim_core::error::{ScimErrorBody, ScimType};
use scim_core::names::{get_ci, BULK_RESPONSE};

use crate::store::{scim_error, Kind, ScimResult, Store};

pub const MAX_OPERATIONS: usize = 1000;
pub const MAX_PAYLOAD_BYTES: usize = 1_048_576;

/// Replaces `"bulkId:q1"` strings anywhere in `data` with the id created for `q1`.
fn resolve_bulk_ids(data: &mut Value, created: &HashMap<String, String>) -> Result<(), String> {
    match data {
        Value::String(s) => {
            if let Some(bulk_id) = s.strip_prefix("bulkId:") {
                let id = created
                    .get(bulk_id)
                    .ok_or_else(|| format!("bulkId:{bulk_id} refers to no earlier operation"))?;
                *s = id.clone();
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter_mut()
            .try_for_each(|v| resolve_bulk_ids(v, created)),
        Value::Object(o) => o
            .values_mut()
            .try_for_each(|v| resolve_bulk_ids(v, created)),
        _ => Ok(()),
    }
}

fn kind_and_id(path: &str) -> Option<(Kind, Option<String>)> {
    let mut parts = path.trim_matches('/').splitn(2, '/');
    let kind = match parts.next()? {
        "Users" => Kind::Users,
        "Groups" => Kind::Groups,
        _ => return None,
    };
    Some((kind, parts.next().map(str::to_owned)))
}

/// Runs a BulkRequest against the store and builds the BulkResponse.
pub fn run(store: &mut Store, body_len: usize, request: &Value) -> ScimResult<Value> {
    if body_len > MAX_PAYLOAD_BYTES {
        return Err(scim_error(
            413,
            None,
            format!("the bulk request is {body_len} bytes; the limit is {MAX_PAYLOAD_BYTES}"),
        ));
    }
    let obj = request.as_object().ok_or_else(|| {
        scim_error(
            400,
            Some(ScimType::InvalidSyntax),
            "a BulkRequest must be a JSON object",
        )
    })?;
    let ops = get_ci(obj, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            scim_error(
                400,
                Some(ScimType::InvalidSyntax),
                "the BulkRequest has no `Operations`",
            )
        })?;
    if ops.len() > MAX_OPERATIONS {
        return Err(scim_error(
            413,
            None,
            format!("{} operations; the limit is {MAX_OPERATIONS}", ops.len()),
        ));
    }
    let fail_on_errors = get_ci(obj, "failOnErrors")
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let mut created: HashMap<String, String> = HashMap::new();
    let mut results = Vec::new();
    let mut errors = 0;
    for op in ops {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let method = op
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
        let bulk_id = op.get("bulkId").and_then(Value::as_str).map(str::to_owned);
        let version = op.get("version").and_then(Value::as_str);
        let outcome = (|| -> Result<(u16, Option<Value>), ScimErrorBody> {
            let (kind, id) = kind_and_id(path).ok_or_else(|| {
                scim_error(
                    400,
                    Some(ScimType::InvalidPath),
                    format!("`{path}` is not /Users or /Groups"),
                )
            })?;
            let mut data = op.get("data").cloned().unwrap_or(Value::Null);
            resolve_bulk_ids(&mut data, &created)
                .map_err(|e| scim_error(409, Some(ScimType::InvalidValue), e))?;
            let id = id.map(|i| {
                i.strip_prefix("bulkId:")
                    .and_then(|b| created.get(b).cloned())
                    .unwrap_or(i)
            });
            match (method.as_str(), id) {
                ("POST", None) => {
                    let bulk = bulk_id.clone().ok_or_else(|| {
                        scim_error(
                            400,
                            Some(ScimType::InvalidSyntax),
                            "POST operations need a bulkId",
                        )
                    })?;
                    let r = store.create(kind, data)?;
                    if let Some(new_id) = r["id"].as_str() {
                        created.insert(bulk, new_id.to_owned());
                    }
                    Ok((201, Some(r)))
                }
                ("PUT", Some(id)) => Ok((200, Some(store.replace(kind, &id, data, version)?))),
                ("PATCH", Some(id)) => Ok((200, Some(store.patch(kind, &id, &data, version)?))),
                ("DELETE", Some(id)) => store.delete(kind, &id, version).map(|()| (204, None)),
                _ => Err(scim_error(
                    400,
                    Some(ScimType::InvalidSyntax),
                    format!("`{method} {path}` is not a bulk operation"),
                )),
            }
        })();
        let mut result = serde_json::Map::new();
        result.insert("method".into(), json!(method));
        if let Some(b) = &bulk_id {
            result.insert("bulkId".into(), json!(b));
        }
        match outcome {
            Ok((status, resource)) => {
                if let Some(r) = resource {
                    if let Some(l) = r.pointer("/meta/location") {
                        result.insert("location".into(), l.clone());
                    }
                    if let Some(v) = r.pointer("/meta/version") {
                        result.insert("version".into(), v.clone());
                    }
                }
                result.insert("status".into(), json!(status.to_string()));
            }
            Err(e) => {
                errors += 1;
                result.insert("status".into(), json!(e.status.unwrap_or(400).to_string()));
                result.insert("response".into(), e.to_json());
            }
        }
        results.push(Value::Object(result));
    }
    Ok(json!({"schemas": [BULK_RESPONSE], "Operations": results}))
}
