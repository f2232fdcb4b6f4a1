//! Per-connection view settings — role rules, table columns, dismissed discovery warnings — kept
//! by the connection's stable id in Rust, so a rename keeps them, `scimx` uses the same role rules
//! and `connections export/import` carries them. A saved connection holds them in its record; the
//! demo directory (which has no record) in `views/demo.json` beside the connections file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{AppError, ErrorKind};
use crate::roles::RoleRule;

/// How one connection's screens are set up. Every field absent means "the defaults".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ViewSettings {
    /// Role-group rules; `None` is [`crate::roles::default_rules`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_rules: Option<Vec<RoleRule>>,
    /// The columns shown in the users table (column ids, in order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_columns: Option<Vec<String>>,
    /// The columns shown in the groups table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_columns: Option<Vec<String>>,
    /// The discovery warnings the user dismissed (their text, one per line): shown again only when
    /// they change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed_warnings: Option<String>,
}

/// More than any real table or rule list has: a hand-edited or hostile file is cut, not trusted.
const MAX_ITEMS: usize = 1000;
const MAX_TEXT: usize = 64 * 1024;

impl ViewSettings {
    pub fn is_default(&self) -> bool {
        self == &ViewSettings::default()
    }

    /// The role rules to classify with: the saved ones, else the defaults.
    pub fn rules(&self) -> Vec<RoleRule> {
        self.role_rules
            .clone()
            .unwrap_or_else(crate::roles::default_rules)
    }

    /// Refuses settings no screen could have produced (sizes), and rules whose regex is broken.
    pub fn checked(self) -> Result<Self, AppError> {
        let too_many = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| v.len() > MAX_ITEMS);
        if too_many(&self.user_columns)
            || too_many(&self.group_columns)
            || self
                .role_rules
                .as_ref()
                .is_some_and(|r| r.len() > MAX_ITEMS)
        {
            return Err(AppError::invalid_input(format!(
                "At most {MAX_ITEMS} columns or rules can be saved."
            )));
        }
        if self
            .dismissed_warnings
            .as_ref()
            .is_some_and(|w| w.len() > MAX_TEXT)
        {
            return Err(AppError::invalid_input(
                "The dismissed warnings are too long to save.",
            ));
        }
        if let Some(rules) = &self.role_rules {
            crate::roles::check_rules(rules)?;
        }
        Ok(self)
    }
}

/// Where the settings of a directory without a saved record (`demo`) are kept.
pub fn loose_path(config_dir: &Path, key: &str) -> PathBuf {
    config_dir
        .join("views")
        .join(format!("{}.json", crate::connections::slug(key)))
}

/// The most a settings file may hold: far more than any screen writes, so a file past it was not
/// written by us and is not read whole.
const MAX_FILE: u64 = 4 * MAX_TEXT as u64;

/// The settings in `path`; a missing, oversized or unreadable file is the defaults (they are
/// preferences: losing one is never worth refusing to open a directory).
pub fn read_loose(path: &Path) -> ViewSettings {
    let Ok(file) = std::fs::File::open(path) else {
        return ViewSettings::default();
    };
    let mut bytes = Vec::new();
    if file.take(MAX_FILE + 1).read_to_end(&mut bytes).is_err() || bytes.len() as u64 > MAX_FILE {
        return ViewSettings::default();
    }
    serde_json::from_slice::<ViewSettings>(&bytes)
        .ok()
        .and_then(|v| v.checked().ok())
        .unwrap_or_default()
}

pub fn write_loose(path: &Path, settings: &ViewSettings) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(settings)
        .map_err(|e| AppError::new(ErrorKind::Storage, e.to_string()))?;
    crate::private_files::write_atomic(path, crate::private_files::Place::Replace, |f| {
        f.write_all(text.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_a_hostile_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = loose_path(dir.path(), "demo");
        let view = ViewSettings {
            user_columns: Some(vec![
                "userName".into(),
                "urn:x:Numéro".into(),
                "名前".into(),
            ]),
            dismissed_warnings: Some("\u{202e} /ResourceTypes answered 404".into()),
            ..ViewSettings::default()
        };
        write_loose(&path, &view).unwrap();
        assert_eq!(read_loose(&path), view);
        // Oversized (never read whole), not JSON, or past the limits: the defaults, no error.
        std::fs::write(&path, vec![b' '; MAX_FILE as usize + 1]).unwrap();
        assert_eq!(read_loose(&path), ViewSettings::default());
        std::fs::write(&path, b"{\"userColumns\": [").unwrap();
        assert_eq!(read_loose(&path), ViewSettings::default());
        let many = serde_json::json!({"userColumns": vec!["c"; MAX_ITEMS + 1]});
        std::fs::write(&path, many.to_string()).unwrap();
        assert_eq!(read_loose(&path), ViewSettings::default());
        assert!(ViewSettings {
            role_rules: Some(vec![crate::roles::RoleRule {
                category: "Bad".into(),
                kind: crate::roles::RuleKind::Regex,
                pattern: "(".into(),
            }]),
            ..ViewSettings::default()
        }
        .checked()
        .is_err());
    }
}
