//! Lossy writes (`--lossy-writes`): a server that does not keep what it is sent, as real ones often
//! don't, so the writer's "the server's result differs from the prediction" can be seen working in
//! tests and demos. What it does is fixed, so a test can name the exact fields it expects flagged.

use scim_core::names::{get_ci, get_ci_mut, remove_ci};
use serde_json::{Map, Value};

use crate::store::Kind;

/// A user's attributes this server drops (it has nowhere to store them).
pub const DROPPED: &str = "nickName";
/// A user's attribute whose changes it ignores (its own system owns it).
pub const IGNORED: &str = "title";

/// Degrades a written resource: for users, drops [`DROPPED`], keeps the stored [`IGNORED`] and
/// lower-cases every email address; for groups, fills in each member's `display` and `$ref` from
/// the directory — which a client must *not* count as a deviation (RFC 7643 §4.2).
pub fn degrade(
    kind: Kind,
    stored: Option<&Value>,
    body: &mut Value,
    base_url: &str,
    user_label: &dyn Fn(&str) -> Option<String>,
) {
    let Some(o) = body.as_object_mut() else {
        return;
    };
    match kind {
        Kind::Users => {
            remove_ci(o, DROPPED);
            let kept = stored
                .and_then(Value::as_object)
                .and_then(|s| get_ci(s, IGNORED))
                .cloned();
            match kept {
                Some(v) => {
                    remove_ci(o, IGNORED);
                    o.insert(IGNORED.into(), v);
                }
                None => {
                    remove_ci(o, IGNORED);
                }
            }
            if let Some(Value::Array(emails)) = get_ci_mut(o, "emails") {
                for email in emails.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(Value::String(s)) = get_ci_mut(email, "value") {
                        *s = s.to_lowercase();
                    }
                }
            }
        }
        Kind::Groups => {
            if let Some(Value::Array(members)) = get_ci_mut(o, "members") {
                for member in members.iter_mut().filter_map(Value::as_object_mut) {
                    fill_member(member, base_url, user_label);
                }
            }
        }
        Kind::Roles => {}
    }
}

fn fill_member(
    member: &mut Map<String, Value>,
    base_url: &str,
    label: &dyn Fn(&str) -> Option<String>,
) {
    let Some(id) = get_ci(member, "value")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    if get_ci(member, "display").is_none() {
        if let Some(name) = label(&id) {
            member.insert("display".into(), Value::String(name));
        }
    }
    if get_ci(member, "$ref").is_none() {
        member.insert(
            "$ref".into(),
            Value::String(format!("{base_url}/Users/{id}")),
        );
    }
}
