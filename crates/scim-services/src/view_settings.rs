//! Per-connection view settings — role rules, table columns, dismissed discovery warnings — kept
//! by the connection's stable id in Rust, so a rename keeps them, `scimx` uses the same role rules
//! and `connections export/import` carries them. A saved connection holds them in its record; the
//! demo directory (which has no record) in `views/demo.json` beside the connections file.

use std::io::Write;
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

/// The settings in `path`; a missing or unreadable file is the defaults (they are preferences:
/// losing one is never worth refusing to open a directory).
pub fn read_loose(path: &Path) -> ViewSettings {
    std::fs::read(path)
        .ok()
        .filter(|b| b.len() <= 4 * MAX_TEXT)
        .and_then(|b| serde_json::from_slice::<ViewSettings>(&b).ok())
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
