//! Where tokens live: the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on
//! Linux) behind a small trait, with an in-memory store for tests and for "keep it for this session
//! only". There is no plaintext fallback: when no keychain is reachable the user is told so.

use std::collections::HashMap;
use std::sync::Mutex;

use scim_client::Secret;

use crate::error::{AppError, ErrorKind};

/// The keychain service name; debug builds use their own so development never touches real entries.
pub const SERVICE: &str = if cfg!(debug_assertions) {
    "scim-explorer-dev"
} else {
    "scim-explorer"
};

/// A place to keep secrets, keyed by account (`<connection id>/token`).
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn get(&self, account: &str) -> Result<Option<Secret>, AppError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), AppError>;
    /// Deleting what is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), AppError>;
    /// Shown in the UI and the CLI ("OS keychain", "this session only").
    fn describe(&self) -> &'static str;
}

/// The OS keychain through the `keyring` crate.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new(SERVICE)
    }
}

impl Keychain {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, AppError> {
        keyring::Entry::new(&self.service, account).map_err(keychain_error)
    }
}

/// Turns keyring failures into messages a person can act on (never including the secret).
pub fn keychain_error(e: keyring::Error) -> AppError {
    let message = match &e {
        keyring::Error::NoStorageAccess(_) => {
            "The keychain is locked or refused access. Unlock it (log in to your desktop session) and try again, or keep the token for this session only.".to_owned()
        }
        keyring::Error::PlatformFailure(inner) => format!(
            "No keychain is available ({inner}). On Linux, SCIM Explorer needs a Secret Service such as gnome-keyring running in your session. You can keep the token for this session only."
        ),
        keyring::Error::BadEncoding(_) => "The keychain entry is not valid text; replace the token.".to_owned(),
        keyring::Error::TooLong(what, max) => format!("The {what} is too long for the keychain (at most {max})."),
        keyring::Error::Invalid(what, why) => format!("The keychain refused the {what}: {why}."),
        keyring::Error::Ambiguous(_) => "Several keychain entries match this connection; remove the duplicates in your keychain app.".to_owned(),
        other => format!("The keychain failed: {other}."),
    };
    AppError::new(ErrorKind::Keychain, message)
}

impl SecretStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<Secret>, AppError> {
        match self.entry(account)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), AppError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<(), AppError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn describe(&self) -> &'static str {
        "OS keychain"
    }
}

/// Secrets held in memory only: for unit tests, and for "keep the token for this session only" when
/// no keychain is available. Gone when the app quits.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<HashMap<String, Secret>>);

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, AppError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account)
            .cloned())
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), AppError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.to_owned(), secret.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), AppError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account);
        Ok(())
    }
    fn describe(&self) -> &'static str {
        "this session only"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_store_round_trips_and_forgets() {
        let s = MemoryStore::default();
        assert!(s.get("a/token").expect("get").is_none());
        s.set("a/token", &Secret::new("t1")).expect("set");
        assert_eq!(
            s.get("a/token")
                .expect("get")
                .map(|t| t.expose().to_owned()),
            Some("t1".into())
        );
        s.delete("a/token").expect("delete");
        s.delete("a/token").expect("deleting twice is fine");
        assert!(s.get("a/token").expect("get").is_none());
    }

    #[test]
    fn keychain_errors_are_actionable_and_typed() {
        let e = keychain_error(keyring::Error::NoStorageAccess(Box::new(
            std::io::Error::other("locked"),
        )));
        assert_eq!(e.kind, ErrorKind::Keychain);
        assert!(
            e.message.contains("locked") && e.message.contains("this session only"),
            "{}",
            e.message
        );
    }

    #[test]
    fn debug_builds_use_their_own_keychain_namespace() {
        assert_eq!(
            SERVICE,
            if cfg!(debug_assertions) {
                "scim-explorer-dev"
            } else {
                "scim-explorer"
            }
        );
    }
}
