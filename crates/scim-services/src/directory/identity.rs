//! What a directory's users are keyed to single sign-on by: the connection's choice, else the demo
//! profile's rule, else what the loaded users suggest. The user's page shows it ("externalId 00u9x…
//! — the OIDC sub"), the audit of missing and shared keys reads it, the cross-tenant compare
//! defaults to it.

use super::*;

use scim_core::identity::{self, SsoKey};

/// The key and why it is the one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IdentityKey {
    pub key: SsoKey,
    pub why: String,
    /// Set on the connection (or by the demo profile), not suggested from the data.
    pub chosen: bool,
}

/// One user's key, as their page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IdentityLine {
    pub key: SsoKey,
    /// The user's value; `None` when they have none (they cannot sign in by it).
    pub value: Option<String>,
    /// What the key is here ("the OIDC sub for this application").
    pub meaning: String,
    pub why: String,
}

impl Directory {
    /// Sets the key (the connection's choice, a demo profile's rule) and why.
    pub fn set_identity(&self, key: SsoKey, why: impl Into<String>) {
        *self.identity.lock().unwrap_or_else(|p| p.into_inner()) = Some(IdentityKey {
            key,
            why: why.into(),
            chosen: true,
        });
    }

    /// The key users are keyed by: the one set, else the one the loaded users suggest (computed
    /// once per load).
    pub fn identity_key(&self) -> IdentityKey {
        if let Some(set) = self
            .identity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return set;
        }
        let users = self.loaded_set("Users").ok();
        // Held weakly, so the set's address cannot be reused by a later load while it is cached.
        let same = |k: &Option<std::sync::Weak<LoadedSet>>| match (k, &users) {
            (Some(k), Some(u)) => std::sync::Weak::ptr_eq(k, &Arc::downgrade(u)),
            (None, None) => true,
            _ => false,
        };
        let mut cached = self.suggested.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, key)) = cached.as_ref() {
            if same(k) {
                return key.clone();
            }
        }
        // From the columns (kept for the table anyway), not by parsing every user.
        let (key, why) = match &users {
            Some(u) => u.with_columns(&["externalId", "userName"], |cells| {
                identity::suggest_from((0..cells[0].len()).map(|i| {
                    let ext = cells[0][i].as_deref().is_some_and(|v| !v.trim().is_empty());
                    let email = cells[1][i].as_deref().is_some_and(|n| n.contains('@'));
                    (ext, email)
                }))
            }),
            None => identity::suggest(&[]),
        };
        let key = IdentityKey {
            key,
            why,
            chosen: false,
        };
        *cached = Some((users.as_ref().map(Arc::downgrade), key.clone()));
        key
    }

    /// `user`'s key as their page shows it.
    pub fn identity_line(&self, user: &Resource) -> IdentityLine {
        let IdentityKey { key, why, .. } = self.identity_key();
        IdentityLine {
            key,
            value: key.value_of(user),
            meaning: key.meaning().to_owned(),
            why,
        }
    }
}
