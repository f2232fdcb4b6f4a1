//! The change log: every write this app sends to a connection, appended to a local JSON-lines file
//! (`changes/<connection>.jsonl` in the config directory) with the resource before and after and what
//! would undo it. It is how an admin answers "what did I change?" and how Undo knows what to send.
//!
//! Append-only: a line is written once, never edited; an undo is a new line pointing at the one it
//! reverts. No secret is in it: headers are never recorded and `password` values are masked.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use scim_core::secrets::SecretAttributes;
use scim_core::ResourceKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::error::{AppError, ErrorKind};

/// What sending would revert a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum UndoAction {
    /// PATCH the resource with this body (the inverse of a PATCH or PUT).
    Patch { body: Value },
    /// DELETE the resource (the inverse of a create).
    Delete,
    /// POST this resource again (the inverse of a delete; the server gives it a new id).
    Create { resource: Value },
}

/// One request as sent (no headers: they hold the token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub if_match: Option<String>,
    #[serde(default)]
    pub body: Option<Value>,
}

/// What a change did, as written in the change log (`"patch"`, `"create"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Patch,
    Put,
    Create,
    Delete,
    /// The undo of a PATCH or PUT: the inverse change.
    Undo,
    /// The undo of a delete: the resource created again (under a new id).
    Recreate,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Patch => "patch",
            ChangeAction::Put => "put",
            ChangeAction::Create => "create",
            ChangeAction::Delete => "delete",
            ChangeAction::Undo => "undo",
            ChangeAction::Recreate => "recreate",
        }
    }

    /// The write made a new resource (its id is the server's answer, not the request's).
    pub fn creates(self) -> bool {
        matches!(self, ChangeAction::Create | ChangeAction::Recreate)
    }
}

impl std::fmt::Display for ChangeAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    /// Unique within the file: `<unix millis>-<n>`.
    pub id: String,
    pub time: String,
    pub connection: String,
    pub base_url: String,
    pub kind: ResourceKind,
    pub resource_id: String,
    pub label: String,
    pub action: ChangeAction,
    pub requests: Vec<LoggedRequest>,
    /// The last HTTP status (0 when no answer came).
    pub status: u16,
    /// Why the write failed, when it did.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub before: Option<Value>,
    #[serde(default)]
    pub after: Option<Value>,
    /// What would revert it; `None` for failed writes (nothing changed) and for undos.
    #[serde(default)]
    pub undo: Option<UndoAction>,
    /// For an undo: the entry it reverted.
    #[serde(default)]
    pub undoes: Option<String>,
}

/// A change log entry as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRow {
    pub id: String,
    pub time: String,
    pub kind: ResourceKind,
    pub resource_id: String,
    pub label: String,
    pub action: ChangeAction,
    pub status: u16,
    pub error: Option<String>,
    /// The requests, one per line: `PATCH https://…/Users/42`.
    pub summary: String,
    /// It can be undone now (it succeeded, has an inverse, and no later undo reverted it).
    pub undoable: bool,
    /// The id of the undo that reverted it.
    pub undone_by: Option<String>,
    /// The whole entry as pretty JSON (request bodies, before, after), for the detail view.
    pub json: String,
}

/// The entries of a change log's text and how many lines were damaged (a crash mid-write, an
/// edit by hand): those are skipped and counted, never fatal.
pub fn parse_lines(text: &str) -> (Vec<ChangeEntry>, usize) {
    let mut damaged = 0;
    let entries = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| match serde_json::from_str(l) {
            Ok(e) => Some(e),
            Err(_) => {
                damaged += 1;
                None
            }
        })
        .collect();
    (entries, damaged)
}

/// One connection's change log file.
#[derive(Debug)]
pub struct ChangeLog {
    path: PathBuf,
    /// Serialises appends from concurrent writes in one process.
    lock: Mutex<()>,
    counter: std::sync::atomic::AtomicU64,
    /// Masked in every entry: `password`, and what the server's schemas mark secret.
    secrets: Mutex<SecretAttributes>,
}

/// What a masked secret reads as in the change log.
pub const MASK: &str = "********";

impl ChangeLog {
    /// The log of connection `key` (a connection id, or `url-…` for a bare URL) under `dir`.
    pub fn new(dir: &Path, key: &str) -> Self {
        Self {
            path: dir
                .join("changes")
                .join(format!("{}.jsonl", crate::connections::slug(key))),
            lock: Mutex::new(()),
            counter: std::sync::atomic::AtomicU64::new(0),
            secrets: Mutex::new(SecretAttributes::default()),
        }
    }

    /// The attributes masked from now on (from the server's schemas, after discovery).
    pub fn set_secret_attributes(&self, secrets: SecretAttributes) {
        *self.secrets.lock().unwrap_or_else(|p| p.into_inner()) = secrets;
    }

    /// The key for a connection reached by URL only (the CLI's `--url`).
    pub fn key_for_url(url: &str) -> String {
        format!("url-{}", url.trim_end_matches('/'))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new entry id.
    pub fn next_id(&self) -> String {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{millis}-{n}")
    }

    /// Appends one entry (request bodies masked) as one line.
    pub fn append(&self, entry: &ChangeEntry) -> Result<(), AppError> {
        let mut entry = entry.clone();
        let secrets = self
            .secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for r in &mut entry.requests {
            if let Some(body) = r.body.as_mut() {
                secrets.mask(body, MASK);
            }
        }
        // A server should never send a secret back, but one that echoes it must not put it here.
        for resource in [entry.before.as_mut(), entry.after.as_mut()]
            .into_iter()
            .flatten()
        {
            secrets.mask(resource, MASK);
        }
        // An undo is sent again: a masked value would become the new password, so secrets go.
        match entry.undo.as_mut() {
            Some(UndoAction::Create { resource }) => secrets.strip(resource),
            Some(UndoAction::Patch { body }) => secrets.strip(body),
            _ => {}
        }
        let mut line = serde_json::to_string(&entry)
            .map_err(|e| AppError::internal(format!("A change could not be recorded: {e}")))?;
        line.push('\n');
        let storage = |e: std::io::Error| {
            AppError::new(
                ErrorKind::Storage,
                format!(
                    "The change was sent but could not be recorded in {}: {e}",
                    self.path.display()
                ),
            )
        };
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        // Private (0600), locked against another process appending at the same moment, synced.
        crate::private_files::append_line(&self.path, line.as_bytes()).map_err(storage)
    }

    /// Every entry, oldest first. A damaged line (a crash mid-write) is skipped and counted.
    pub fn entries(&self) -> Result<(Vec<ChangeEntry>, usize), AppError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => {
                return Err(AppError::new(
                    ErrorKind::Storage,
                    format!(
                        "The change log {} could not be read: {e}",
                        self.path.display()
                    ),
                ))
            }
        };
        Ok(parse_lines(&text))
    }

    /// The entries as the UI lists them, newest first.
    pub fn rows(&self) -> Result<Vec<ChangeRow>, AppError> {
        let (entries, _) = self.entries()?;
        // Which successful undo reverted which entry, found once rather than per entry.
        let undone: std::collections::HashMap<&str, &str> = entries
            .iter()
            .filter(|u| u.error.is_none())
            .filter_map(|u| Some((u.undoes.as_deref()?, u.id.as_str())))
            .collect();
        let mut rows: Vec<ChangeRow> = entries
            .iter()
            .map(|e| {
                let undone_by = undone.get(e.id.as_str()).map(|u| (*u).to_owned());
                ChangeRow {
                    id: e.id.clone(),
                    time: e.time.clone(),
                    kind: e.kind.clone(),
                    resource_id: e.resource_id.clone(),
                    label: e.label.clone(),
                    action: e.action,
                    status: e.status,
                    error: e.error.clone(),
                    summary: e
                        .requests
                        .iter()
                        .map(|r| format!("{} {}", r.method, r.url))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    undoable: e.undo.is_some() && e.error.is_none() && undone_by.is_none(),
                    undone_by,
                    json: serde_json::to_string_pretty(e).unwrap_or_default(),
                }
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    /// The entry `id`, or the latest change that can still be undone when `id` is `None`.
    pub fn undo_target(&self, id: Option<&str>) -> Result<ChangeEntry, AppError> {
        let (entries, _) = self.entries()?;
        let undone = |e: &ChangeEntry| {
            entries
                .iter()
                .any(|u| u.undoes.as_deref() == Some(&e.id) && u.error.is_none())
        };
        let found = match id {
            Some(id) => entries.iter().find(|e| e.id == id),
            None => entries
                .iter()
                .rev()
                .find(|e| e.undo.is_some() && e.error.is_none() && !undone(e)),
        };
        let entry = found.ok_or_else(|| {
            AppError::invalid_input(match id {
                Some(id) => format!("No change {id} in {}.", self.path.display()),
                None => "Nothing to undo: no change in the log can be reverted.".to_owned(),
            })
        })?;
        if entry.undo.is_none() || entry.error.is_some() {
            return Err(AppError::invalid_input(format!(
                "Change {} cannot be undone (it failed, or it is itself an undo).",
                entry.id
            )));
        }
        if undone(entry) {
            return Err(AppError::invalid_input(format!(
                "Change {} was already undone.",
                entry.id
            )));
        }
        Ok(entry.clone())
    }

    /// The whole log as pretty JSON (an array), for export.
    pub fn export_json(&self) -> Result<String, AppError> {
        let (entries, _) = self.entries()?;
        serde_json::to_string_pretty(&entries)
            .map_err(|e| AppError::internal(format!("The change log could not be written: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use serde_json::json;

    fn entry(log: &ChangeLog, action: ChangeAction, undoes: Option<String>) -> ChangeEntry {
        ChangeEntry {
            id: log.next_id(),
            time: "2026-11-23T00:00:00Z".into(),
            connection: "Demo".into(),
            base_url: "http://x/scim/v2".into(),
            kind: ResourceKind::Users,
            resource_id: "1".into(),
            label: "ana".into(),
            action,
            requests: vec![LoggedRequest {
                method: "POST".into(),
                url: "http://x/scim/v2/Users".into(),
                if_match: None,
                body: Some(json!({"userName": "ana", "password": "hunter2"})),
            }],
            status: 201,
            error: None,
            before: None,
            after: Some(json!({"id": "1"})),
            undo: (action != ChangeAction::Undo).then_some(UndoAction::Delete),
            undoes,
        }
    }

    #[test]
    fn entries_append_and_undo_finds_the_latest_not_yet_undone() {
        let dir = tempfile::tempdir().unwrap();
        let log = ChangeLog::new(dir.path(), "Demo directory");
        let first = entry(&log, ChangeAction::Create, None);
        let second = entry(&log, ChangeAction::Create, None);
        log.append(&first).unwrap();
        log.append(&second).unwrap();
        assert_eq!(log.undo_target(None).unwrap().id, second.id);
        log.append(&entry(&log, ChangeAction::Undo, Some(second.id.clone())))
            .unwrap();
        assert_eq!(log.undo_target(None).unwrap().id, first.id);
        assert!(log.undo_target(Some(&second.id)).is_err(), "already undone");
        let rows = log.rows().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].action, ChangeAction::Undo, "newest first");
        assert!(!rows[1].undoable && rows[1].undone_by.is_some());
        assert!(rows[2].undoable);
    }

    #[test]
    fn passwords_never_reach_the_file_and_a_damaged_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let log = ChangeLog::new(dir.path(), "url-http://x/scim/v2");
        log.append(&entry(&log, ChangeAction::Create, None))
            .unwrap();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        file.write_all(b"{\"id\": \"half a li").unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(!text.contains("hunter2") && text.contains("********"));
        let (entries, damaged) = log.entries().unwrap();
        assert_eq!((entries.len(), damaged), (1, 1));
        assert!(log.path().ends_with("changes/url-http---x-scim-v2.jsonl"));
    }
}
