//! Presentation-mode masking: the one implementation of its rules (which attributes are personal,
//! what an email or a token looks like). `scim_services::presentation` applies it to everything the app
//! serves while presenting, and the exports apply it when the user asks; the UI masks nothing.

use std::sync::OnceLock;

use regex::Regex;

const SENSITIVE: &[&str] = &[
    "username",
    "displayname",
    "nickname",
    "name",
    "formatted",
    "familyname",
    "givenname",
    "middlename",
    "emails",
    "email",
    "phonenumbers",
    "addresses",
    "ims",
    "externalid",
    "employeenumber",
    "manager",
    "member",
    "user",
    "streetaddress",
];

/// Keys whose values are personal only inside a personal attribute (`emails[].value`,
/// `manager.display`), not everywhere (a group's `value`).
const INHERITING: &[&str] = &["value", "display"];
/// Sub-attributes that say what a value is, never who: kept even inside a personal attribute.
const DESCRIPTIVE: &[&str] = &["type", "primary"];

fn email() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-])[A-Za-z0-9.-]*\.([A-Za-z]{2,})",
        )
        .expect("email pattern")
    })
}

fn token() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"[A-Za-z0-9._~+/=-]{24,}").expect("token pattern"))
}

fn word() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"([\p{L}\p{N}])[\p{L}\p{N}'’-]*").expect("word pattern"))
}

/// Emails and token-looking runs (letters and digits, 24+ long) in any text.
pub fn mask_text(s: &str) -> String {
    let s = email().replace_all(s, "$1•••@$2•••.$3");
    token()
        .replace_all(&s, |c: &regex::Captures<'_>| {
            let m = &c[0];
            let mixed =
                m.chars().any(|c| c.is_ascii_digit()) && m.chars().any(|c| c.is_ascii_alphabetic());
            if mixed {
                "••••••••".to_owned()
            } else {
                m.to_owned()
            }
        })
        .into_owned()
}

/// True when a column (an attribute path or a report column) holds personal data.
pub fn is_sensitive(column: &str) -> bool {
    let path = column.rsplit(':').next().unwrap_or(column);
    path.split('.')
        .any(|part| SENSITIVE.contains(&part.to_ascii_lowercase().as_str()))
}

/// A cell: personal columns masked word by word (a fixed-width mask: a name's length says too
/// much), every cell scrubbed of emails and tokens.
pub fn mask_cell(column: &str, value: &str) -> String {
    let scrubbed = mask_text(value);
    if is_sensitive(column) && scrubbed == value {
        mask_words(value)
    } else {
        scrubbed
    }
}

/// A name's words masked to a fixed width (`Ana Díaz` → `A••• D•••`).
pub fn mask_words(value: &str) -> String {
    word().replace_all(value, "$1•••").into_owned()
}

/// A JSON document (pretty-printed) with its personal values masked and every string scrubbed of
/// emails and tokens; text that is not JSON is scrubbed as text. Keys are never changed, so the
/// document keeps its shape.
pub fn mask_json(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            mask_value(&mut v, false);
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Err(_) => mask_text(text),
    }
}

/// Masks `v` in place; `personal` is true inside a personal attribute.
pub fn mask_value(v: &mut serde_json::Value, personal: bool) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let scrubbed = mask_text(s);
            *s = if personal && scrubbed == *s {
                mask_words(s)
            } else {
                scrubbed
            };
        }
        Value::Array(items) => items.iter_mut().for_each(|x| mask_value(x, personal)),
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                let key = k.rsplit(':').next().unwrap_or(k).to_ascii_lowercase();
                let inner = if INHERITING.contains(&key.as_str()) {
                    personal
                } else {
                    SENSITIVE.contains(&key.as_str())
                        || (personal && !DESCRIPTIVE.contains(&key.as_str()))
                };
                mask_value(x, inner);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_emails_and_tokens_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_cell("userName", "ana.diaz@example.com"),
            "a•••@e•••.com"
        );
        assert_eq!(mask_cell("displayName", "Ana Díaz"), "A••• D•••");
        assert_eq!(mask_cell("active", "true"), "true");
        assert_eq!(
            mask_cell("group", "Profile: Administrator"),
            "Profile: Administrator"
        );
        assert_eq!(
            mask_text(&format!("token {} here", token_like())),
            "token •••••••• here"
        );
    }

    /// A run shaped like an API key or a JWT (letters, digits, dots, 24+ long), built here so the
    /// repository holds nothing that looks like a real credential.
    fn token_like() -> String {
        ["aB3", "cD4", "eF5"].map(|p| p.repeat(4)).join(".")
    }

    /// Moved from the UI's `presentation.test.ts` when the masking moved to Rust (its one home).
    #[test]
    fn the_rules_the_ui_once_applied_hold_here() {
        assert_eq!(
            mask_text("write to ana.diaz@example.com today"),
            "write to a•••@e•••.com today"
        );
        assert_eq!(
            mask_text(&format!("Bearer {}", token_like())),
            "Bearer ••••••••"
        );
        assert_eq!(mask_text("Profile: Data Entry"), "Profile: Data Entry");
        assert!(is_sensitive("userName") && is_sensitive("name.givenName"));
        assert!(is_sensitive(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
        ));
        assert!(!is_sensitive("title"));
        assert_eq!(mask_cell("title", "Field engineer"), "Field engineer");
        assert_eq!(mask_cell("emails", "ana@example.com"), "a•••@e•••.com");
        let doc = r#"{"userName":"ana.diaz","name":{"givenName":"Ana"},
            "emails":[{"value":"ana@example.com","type":"work","primary":true}],
            "groups":[{"value":"g1","display":"Profile: Admin"}],"active":true}"#;
        let out: serde_json::Value = serde_json::from_str(&mask_json(doc)).unwrap();
        assert_eq!(out["userName"], "a•••.d•••");
        assert_eq!(out["name"]["givenName"], "A•••");
        assert_eq!(
            out["emails"][0],
            serde_json::json!({"value": "a•••@e•••.com", "type": "work", "primary": true})
        );
        assert_eq!(out["groups"][0]["display"], "Profile: Admin");
        assert_eq!(out["active"], true);
    }

    #[test]
    fn json_masks_personal_attributes_and_keeps_shape_and_plain_values() {
        let doc = r#"{"id":"u1","userName":"ana","name":{"givenName":"Ana"},"active":true,
            "emails":[{"value":"ana@example.com","type":"work","primary":true}],
            "groups":[{"value":"g1","display":"Admins"}],
            "manager":{"value":"m1","display":"Ben Ode"},"title":"Engineer"}"#;
        let masked: serde_json::Value = serde_json::from_str(&mask_json(doc)).unwrap();
        assert_eq!(masked["userName"], "a•••");
        assert_eq!(masked["name"]["givenName"], "A•••");
        assert_eq!(masked["emails"][0]["value"], "a•••@e•••.com");
        assert_eq!(masked["emails"][0]["type"], "work", "what a value is stays");
        assert_eq!(
            masked["groups"][0]["display"], "Admins",
            "a group is not a person"
        );
        assert_eq!(masked["manager"]["display"], "B••• O•••");
        assert_eq!(
            (masked["id"].as_str(), masked["title"].as_str()),
            (Some("u1"), Some("Engineer"))
        );
        assert_eq!(masked["active"], true);
        assert_eq!(
            mask_json("not json ana@example.com"),
            "not json a•••@e•••.com"
        );
    }
}
