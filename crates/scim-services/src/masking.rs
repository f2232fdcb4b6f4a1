//! Presentation-mode masking for exports: the same rules as the UI's `lib/presentation.svelte.ts`,
//! so a report exported during a demo carries no names, emails or tokens when the user asks for that.

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
        word().replace_all(value, "$1•••").into_owned()
    } else {
        scrubbed
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
            mask_text("token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 here"),
            "token •••••••• here"
        );
    }
}
