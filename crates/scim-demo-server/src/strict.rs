//! A strict server (`strict_users`): what real applications enforce on users that the RFC leaves
//! open — a required `name.formatted` (declared in its /Schemas) and email addresses that look
//! deliverable — so the server check can be seen getting its test user through.

use scim_core::names::{get_ci, USER_SCHEMA};
use serde_json::Value;

/// Domains reserved for documentation and testing (RFC 2606, RFC 6761), which validators refuse.
fn reserved(domain: &str) -> bool {
    let d = domain.to_ascii_lowercase();
    ["example.com", "example.net", "example.org"].contains(&d.as_str())
        || [".invalid", ".test", ".example", ".localhost", ".local"]
            .iter()
            .any(|t| d.ends_with(t))
}

/// Why `user` is refused, if it is.
pub fn check_user(user: &Value) -> Result<(), String> {
    let o = user.as_object().ok_or("a user must be a JSON object")?;
    let formatted = get_ci(o, "name")
        .and_then(Value::as_object)
        .and_then(|n| get_ci(n, "formatted"))
        .and_then(Value::as_str)
        .is_some_and(|f| !f.trim().is_empty());
    if !formatted {
        return Err("name.formatted is required".into());
    }
    for email in get_ci(o, "emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = email
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let domain = value.rsplit_once('@').map_or("", |(_, d)| d);
        if domain.is_empty() || reserved(domain) {
            return Err(format!(
                "emails: `{value}` is not a deliverable email address"
            ));
        }
    }
    Ok(())
}

/// Marks `name` and `name.formatted` required in the served core User schema.
pub fn require_name_formatted(documents: &mut [Value]) {
    for d in documents.iter_mut().filter(|d| d["id"] == USER_SCHEMA) {
        for a in d["attributes"].as_array_mut().into_iter().flatten() {
            if a["name"] == "name" {
                a["required"] = Value::Bool(true);
                for s in a["subAttributes"].as_array_mut().into_iter().flatten() {
                    if s["name"] == "formatted" {
                        s["required"] = Value::Bool(true);
                    }
                }
            }
        }
    }
}
