//! Which attribute keys a user to single sign-on: the first thing an integration asks an admin to
//! get right (Netdata: SCIM `externalId` must equal the OIDC `sub`; authentik matches on
//! `externalId`, email or userName; Okta's unique identifier is the email). One rule for the user's
//! page, the audit of missing and shared keys, and the default of the cross-tenant compare.

use serde::{Deserialize, Serialize};

use crate::resource::Resource;

/// The attribute a connection's users are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SsoKey {
    /// The identity provider's own id for the user (an OIDC `sub`, an Entra object id).
    ExternalId,
    UserName,
    /// The primary email (else the first).
    Email,
}

impl SsoKey {
    pub const ALL: [SsoKey; 3] = [SsoKey::ExternalId, SsoKey::UserName, SsoKey::Email];

    /// As the screens and exports name it.
    pub fn label(self) -> &'static str {
        match self {
            SsoKey::ExternalId => "externalId",
            SsoKey::UserName => "userName",
            SsoKey::Email => "email",
        }
    }

    /// Reads `externalId`, `userName` or `email` (any case).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(name.trim()))
    }

    /// The user's key, when it has a non-empty one.
    pub fn value_of(self, user: &Resource) -> Option<String> {
        let v = match self {
            SsoKey::ExternalId => user.external_id().map(str::to_owned),
            SsoKey::UserName => user.user_name().map(str::to_owned),
            SsoKey::Email => user.emails().first().map(|e| (*e).to_owned()),
        };
        v.filter(|v| !v.trim().is_empty())
    }

    /// What the key is to the identity provider, for "externalId 00u9x… — …".
    pub fn meaning(self) -> &'static str {
        match self {
            SsoKey::ExternalId => "the identity provider's id for this user (an OIDC sub)",
            SsoKey::UserName => "the name this user signs in with",
            SsoKey::Email => "the email this user signs in with",
        }
    }
}

/// The key a directory's users seem to be keyed by, and why: `externalId` when nearly every user
/// has one (an IdP provisioned them with its ids), else `userName` (which IdPs such as Okta fill with
/// the email, their unique identifier).
pub fn suggest(users: &[Resource]) -> (SsoKey, String) {
    suggest_from(users.iter().map(|u| {
        (
            SsoKey::ExternalId.value_of(u).is_some(),
            u.user_name().is_some_and(|n| n.contains('@')),
        )
    }))
}

/// [`suggest`] from each user's `(has an externalId, has an email as userName)`, for callers that
/// hold those as columns rather than parsed users.
pub fn suggest_from(users: impl Iterator<Item = (bool, bool)>) -> (SsoKey, String) {
    let (mut total, mut external, mut emails) = (0usize, 0usize, 0usize);
    for (has_external, email_name) in users {
        total += 1;
        external += usize::from(has_external);
        emails += usize::from(email_name);
    }
    if total == 0 {
        return (
            SsoKey::UserName,
            "the usual key until users are loaded".into(),
        );
    }
    let share = external as f64 / total as f64;
    if share >= 0.9 {
        return (
            SsoKey::ExternalId,
            format!(
                "{:.0}% of the users carry an externalId: the identity provider keys them by it",
                share * 100.0
            ),
        );
    }
    if emails * 10 >= total * 9 {
        return (
            SsoKey::UserName,
            "the userNames are email addresses (Okta's and Entra's usual unique identifier)".into(),
        );
    }
    (
        SsoKey::UserName,
        format!(
            "only {:.0}% of the users carry an externalId: userName is what they share",
            share * 100.0
        ),
    )
}

/// Users whose key is missing, or shared with another user (compared case-insensitively for names
/// and emails, exactly for externalId, which IdPs treat as opaque): `(index, key, problem)`.
pub fn key_problems(users: &[Resource], key: SsoKey) -> Vec<(usize, Option<String>, String)> {
    let norm = |v: &str| match key {
        SsoKey::ExternalId => v.to_owned(),
        _ => v.to_lowercase(),
    };
    let values: Vec<Option<String>> = users.iter().map(|u| key.value_of(u)).collect();
    let mut count: std::collections::HashMap<String, usize> = Default::default();
    for v in values.iter().flatten() {
        *count.entry(norm(v)).or_default() += 1;
    }
    values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let problem = match &v {
                None => "missing".to_owned(),
                Some(v) => match count.get(&norm(v)).copied().unwrap_or(0) {
                    n if n > 1 => format!("shared by {n} users"),
                    _ => return None,
                },
            };
            Some((i, v, problem))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(v: serde_json::Value) -> Resource {
        Resource::new(v)
    }

    #[test]
    fn a_key_is_read_from_its_attribute_and_parsed_by_name() {
        let u = user(json!({
            "userName": "ana@example.com",
            "externalId": "00u9x",
            "emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]
        }));
        assert_eq!(SsoKey::ExternalId.value_of(&u).as_deref(), Some("00u9x"));
        assert_eq!(SsoKey::Email.value_of(&u).as_deref(), Some("a@x"));
        assert_eq!(SsoKey::parse("EXTERNALID"), Some(SsoKey::ExternalId));
        assert_eq!(SsoKey::parse("sub"), None);
        assert_eq!(
            SsoKey::ExternalId.value_of(&user(json!({"externalId": " "}))),
            None
        );
    }

    #[test]
    fn the_suggestion_follows_what_the_users_carry() {
        let with: Vec<Resource> = (0..10)
            .map(|i| user(json!({"userName": format!("u{i}"), "externalId": format!("x{i}")})))
            .collect();
        assert_eq!(suggest(&with).0, SsoKey::ExternalId);
        let emails: Vec<Resource> = (0..10)
            .map(|i| user(json!({"userName": format!("u{i}@x.com")})))
            .collect();
        let (key, why) = suggest(&emails);
        assert_eq!(key, SsoKey::UserName);
        assert!(why.contains("email"), "{why}");
        assert_eq!(suggest(&[]).0, SsoKey::UserName);
    }

    #[test]
    fn missing_and_shared_keys_are_found() {
        let users = vec![
            user(json!({"userName": "Ana", "externalId": "A"})),
            user(json!({"userName": "ana", "externalId": "a"})),
            user(json!({"userName": "ben"})),
        ];
        let by_name = key_problems(&users, SsoKey::UserName);
        assert_eq!(
            by_name.iter().map(|p| p.0).collect::<Vec<_>>(),
            [0, 1],
            "names compare without case"
        );
        assert_eq!(by_name[0].2, "shared by 2 users");
        let by_ext = key_problems(&users, SsoKey::ExternalId);
        assert_eq!(
            by_ext,
            vec![(2, None, "missing".to_owned())],
            "externalId is opaque"
        );
    }
}
