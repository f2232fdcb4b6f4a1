//! A request in words, as a person would say what the IdP did: "add ana.diaz to Sales", "set
//! active to false on ana.diaz", "create user ana.diaz". Ids become names through `names`, which
//! knows what the session has seen (a user's userName, a group's displayName).

use serde_json::Value;

use super::{endpoint_of, SeenRequest};
use crate::names::get_ci;
use crate::patch::{logical_changes, LogicalChange, PatchOp};

/// Words for `request`, one line per change; `names` turns an id into a name when it is known.
pub fn describe(request: &SeenRequest<'_>, names: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let method = request.method.to_ascii_uppercase();
    let (endpoint, id) = endpoint_of(request.path);
    let Some(endpoint) = endpoint else {
        return vec![format!("{method} /")];
    };
    let kind = match endpoint.to_ascii_lowercase().as_str() {
        "users" => "user",
        "groups" => "group",
        _ => "resource",
    };
    let name_of = |id: &str| names(id).unwrap_or_else(|| short_id(id));
    let body_name = || {
        request.body.and_then(|b| {
            let o = b.as_object()?;
            get_ci(o, "userName")
                .or_else(|| get_ci(o, "displayName"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    };
    match (method.as_str(), id) {
        ("GET", None) => {
            let filter = request.query.and_then(|q| query_param(q, "filter"));
            match filter {
                Some(f) => vec![format!("look up {endpoint} where {f}")],
                None => vec![format!("list {endpoint}")],
            }
        }
        ("GET", Some(id)) => vec![format!("read {kind} {}", name_of(id))],
        ("POST", None) if endpoint.eq_ignore_ascii_case(".search") => vec!["search".into()],
        ("POST", None) => vec![format!(
            "create {kind} {}",
            body_name().unwrap_or_else(|| "(unnamed)".into())
        )],
        ("PUT", Some(id)) => vec![format!(
            "replace {kind} {}",
            body_name().unwrap_or_else(|| name_of(id))
        )],
        ("DELETE", Some(id)) => vec![format!("delete {kind} {}", name_of(id))],
        ("PATCH", Some(id)) => {
            let target = name_of(id);
            let Some(patch) = request.body.and_then(|b| PatchOp::from_json(b).ok()) else {
                return vec![format!("patch {kind} {target} (unreadable PatchOp)")];
            };
            let mut lines = Vec::new();
            for change in logical_changes(&patch.value) {
                let people = |ids: &[String]| {
                    ids.iter()
                        .map(|i| name_of(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                lines.push(match change {
                    LogicalChange::AddMembers { ids } => {
                        format!("add {} to {target}", people(&ids))
                    }
                    LogicalChange::RemoveMembers { ids } => {
                        format!("remove {} from {target}", people(&ids))
                    }
                    LogicalChange::Set { path, value }
                        if path.eq_ignore_ascii_case("displayName") && kind == "group" =>
                    {
                        format!("rename {target} to {}", plain(&value))
                    }
                    LogicalChange::Set { path, value } => {
                        format!("set {path} to {} on {target}", plain(&value))
                    }
                    LogicalChange::Clear { path } => format!("clear {path} on {target}"),
                    LogicalChange::Operation { operation } => format!(
                        "{} {}{} on {target}",
                        operation.op.as_str(),
                        operation.path.as_deref().unwrap_or("(no path)"),
                        operation
                            .value
                            .as_ref()
                            .map(|v| format!(" {}", plain(v)))
                            .unwrap_or_default()
                    ),
                });
            }
            lines
        }
        _ => vec![format!("{method} {}", request.path)],
    }
}

/// A value as a person reads it: strings without quotes, the rest as JSON, long ones cut.
fn plain(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// The first 8 characters of an id no name is known for.
fn short_id(id: &str) -> String {
    if id.chars().count() > 12 {
        format!("{}…", id.chars().take(8).collect::<String>())
    } else {
        id.to_owned()
    }
}

/// A query parameter's decoded value.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.eq_ignore_ascii_case(name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seen<'a>(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        body: Option<&'a Value>,
    ) -> SeenRequest<'a> {
        SeenRequest {
            method,
            path,
            query,
            user_agent: None,
            content_type: None,
            body,
            body_unreadable: false,
        }
    }

    #[test]
    fn a_patch_reads_as_what_it_does_with_names_for_ids() {
        let names = |id: &str| match id {
            "u1" => Some("ana.diaz".to_owned()),
            "g1" => Some("Project: Transmission line (Read-only)".to_owned()),
            _ => None,
        };
        let body = json!({"Operations": [
            {"op": "add", "path": "members", "value": [{"value": "u1"}]},
            {"op": "remove", "path": "members[value eq \"u2\"]"},
            {"op": "replace", "path": "displayName", "value": "Ops"}
        ]});
        assert_eq!(
            describe(&seen("PATCH", "/Groups/g1", None, Some(&body)), &names),
            [
                "add ana.diaz to Project: Transmission line (Read-only)",
                "remove u2 from Project: Transmission line (Read-only)",
                "rename Project: Transmission line (Read-only) to Ops"
            ]
        );
        let active = json!({"Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
        assert_eq!(
            describe(&seen("PATCH", "/Users/u1", None, Some(&active)), &names),
            ["set active to False on ana.diaz"]
        );
        assert_eq!(
            describe(
                &seen(
                    "GET",
                    "/Users",
                    Some("filter=userName%20eq%20%22ana%22&count=1"),
                    None
                ),
                &names
            ),
            ["look up Users where userName eq \"ana\""]
        );
        assert_eq!(
            describe(
                &seen("DELETE", "/Users/0123456789abcdef", None, None),
                &names
            ),
            ["delete user 01234567…"]
        );
        // Broken escapes are kept, never a panic.
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
