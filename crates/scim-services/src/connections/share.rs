//! Sharing connections: export without secrets, import that asks before settings weakening
//! security take effect.

use super::*;

impl Connections {
    /// The connections as a shareable file (never with secrets).
    pub fn export(&self) -> Result<String, AppError> {
        let file = ConnectionsFile {
            version: FILE_VERSION,
            connections: self.list()?,
        };
        serde_json::to_string_pretty(&file).map_err(|e| storage(e.to_string()))
    }

    /// Adds the connections of an exported file (their secrets must be entered afterwards). Returns
    /// the names added; names that already exist are skipped. A file whose connections would turn
    /// off certificate checks, send traffic through a proxy or trust extra CAs is refused: use
    /// [`Connections::import_with`] and let the user confirm.
    pub fn import(&self, text: &str) -> Result<Vec<String>, AppError> {
        let outcome = self.import_with(text, false)?;
        if !outcome.needs_confirmation.is_empty() {
            return Err(AppError::invalid_input(format!(
                "Nothing was imported: {}. Import again and confirm to keep these settings.",
                outcome.needs_confirmation.join("; ")
            )));
        }
        Ok(outcome.added)
    }

    /// As [`Connections::import`]; with `confirmed` false, a file carrying settings that weaken
    /// security (invalid certificates accepted, a proxy, a CA bundle) imports nothing and says
    /// which, so the person importing a colleague's file sees them before they take effect.
    pub fn import_with(&self, text: &str, confirmed: bool) -> Result<ImportOutcome, AppError> {
        let incoming: ConnectionsFile = serde_json::from_str(text)
            .map_err(|e| AppError::invalid_input(format!("Not a connections file: {e}.")))?;
        if incoming.version > FILE_VERSION {
            return Err(AppError::invalid_input(format!(
                "The file is from a newer SCIM Explorer (format {}).",
                incoming.version
            )));
        }
        let existing = self.list()?;
        let new: Vec<Connection> = incoming
            .connections
            .into_iter()
            .filter(|c| {
                !existing
                    .iter()
                    .any(|e| e.name.eq_ignore_ascii_case(&c.name))
            })
            .collect();
        let risky: Vec<String> = new.iter().flat_map(risky_settings).collect();
        if !risky.is_empty() && !confirmed {
            return Ok(ImportOutcome {
                added: Vec::new(),
                needs_confirmation: risky,
            });
        }
        let mut added = Vec::new();
        for mut c in new {
            // Remembered quirks belong to the machine that learned them, not to a shared file.
            c.omit_count = false;
            // View settings a colleague's file carries are kept when they could have been saved
            // here; ones no screen could have written (sizes, a broken regex) are dropped.
            c.view = std::mem::take(&mut c.view).checked().unwrap_or_default();
            let name = c.name.clone();
            self.add(c, None)?;
            added.push(name);
        }
        Ok(ImportOutcome {
            added,
            needs_confirmation: Vec::new(),
        })
    }
}

/// What an import did, or what it needs confirmed first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub added: Vec<String>,
    /// Settings in the file that weaken security, one sentence each; nothing was imported.
    pub needs_confirmation: Vec<String>,
}

/// The settings of `c` that someone importing it should agree to explicitly.
fn risky_settings(c: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    if c.accept_invalid_certs {
        out.push(format!(
            "\"{}\" accepts invalid certificates (anyone on the network path could read its token)",
            c.name
        ));
    }
    if let Some(p) = c.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
        out.push(format!(
            "\"{}\" sends its traffic through the proxy {p}",
            c.name
        ));
    }
    if let Some(ca) = &c.ca_bundle_path {
        out.push(format!(
            "\"{}\" trusts the extra certificates in {ca}",
            c.name
        ));
    }
    out
}
