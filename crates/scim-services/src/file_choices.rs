//! Files the user chose in the system's Save and Open dialogs: what each kind of file is called and
//! filtered by, which folder a dialog opens in (the last one used), and the rule that the backend
//! writes an export, or opens a file, only where the user chose in a dialog this session — so a page
//! that went wrong, or a pasted link, can never name a path such as `~/.ssh/authorized_keys`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{AppError, ErrorKind};

/// What a dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    /// Save: the membership matrix as CSV.
    RoleMatrix,
    /// Save: the request log as JSON (secrets masked).
    RequestLog,
    /// Save: the change log as JSON.
    ChangeLog,
    /// Save: a comparison's changes as CSV.
    Diff,
    /// Save: an audit report.
    ReportCsv,
    ReportXlsx,
    ReportJson,
    /// Save: the saved connections, without secrets.
    Connections,
    /// Save: a tap capture as HAR.
    CaptureHar,
    /// Save: a tap capture as JSON lines.
    CaptureJsonl,
    /// Save: the server check's report as Markdown, with its JSON beside it.
    CheckReport,
    /// Save: a scenario run as Markdown, with its JSON beside it.
    ScenarioRun,
    /// Open: a snapshot file.
    Snapshot,
    /// Open: a capture (HAR, or JSON lines).
    Capture,
}

/// A file type a dialog offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FileFilter {
    pub name: String,
    /// Without the dot.
    pub extensions: Vec<String>,
}

/// How a dialog opens: its title, the suggested name (Save), the types, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FileDialog {
    pub kind: FileKind,
    pub save: bool,
    pub title: String,
    pub file_name: Option<String>,
    pub filters: Vec<FileFilter>,
    pub folder: Option<String>,
}

fn filter(name: &str, extensions: &[&str]) -> FileFilter {
    FileFilter {
        name: name.to_owned(),
        extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
    }
}

impl FileKind {
    /// Saved (`true`) or opened.
    pub fn saves(self) -> bool {
        !matches!(self, FileKind::Snapshot | FileKind::Capture)
    }

    /// What the dialog says, and the name and extension of what it saves.
    fn parts(self) -> (&'static str, &'static str, FileFilter) {
        let csv = || filter("CSV (spreadsheets)", &["csv"]);
        let json = || filter("JSON", &["json"]);
        match self {
            FileKind::RoleMatrix => ("Export the membership matrix", "role-matrix", csv()),
            FileKind::RequestLog => ("Export the request log", "request-log", json()),
            FileKind::ChangeLog => ("Export the change log", "change-log", json()),
            FileKind::Diff => ("Export the changes", "changes", csv()),
            FileKind::ReportCsv => ("Export the report", "report", csv()),
            FileKind::ReportXlsx => (
                "Export the report",
                "report",
                filter("Excel workbook", &["xlsx"]),
            ),
            FileKind::ReportJson => ("Export the report", "report", json()),
            FileKind::Connections => ("Export the connections", "connections", json()),
            FileKind::CaptureHar => (
                "Export the capture",
                "capture",
                filter("HAR (browser dev tools)", &["har"]),
            ),
            FileKind::CaptureJsonl => (
                "Export the capture",
                "capture",
                filter("JSON lines", &["jsonl"]),
            ),
            FileKind::CheckReport => (
                "Export the server check (Markdown, and JSON beside it)",
                "server-check",
                filter("Markdown", &["md"]),
            ),
            FileKind::ScenarioRun => (
                "Export the scenario run (Markdown, and JSON beside it)",
                "scenario",
                filter("Markdown", &["md"]),
            ),
            FileKind::Snapshot => (
                "Open a snapshot",
                "",
                filter("SCIM Explorer snapshot", &["scimsnap"]),
            ),
            FileKind::Capture => (
                "Open a capture",
                "",
                filter("HAR or JSON lines", &["har", "jsonl", "json"]),
            ),
        }
    }

    /// The dialog for this kind: a Save dialog suggests `scim-explorer-<connection>-<what>-<date>`
    /// (names made file-safe, the date as YYYY-MM-DD) in `folder`; `detail` names what is saved
    /// more closely (a report's title) in place of the kind's word.
    pub fn dialog(
        self,
        connection: Option<&str>,
        detail: Option<&str>,
        date: &str,
        folder: Option<&Path>,
    ) -> FileDialog {
        let (title, what, filter) = self.parts();
        let what = detail
            .map(scim_base::paths::slug)
            .map(|d| d.get(..60).unwrap_or(&d).trim_end_matches('-').to_owned())
            .unwrap_or_else(|| what.to_owned());
        let file_name = self.saves().then(|| {
            let mut name = String::from("scim-explorer");
            if let Some(c) = connection.map(scim_base::paths::slug) {
                // Long names are cut: a file name has a limit, and a date after it must stay.
                name.push('-');
                name.push_str(c.get(..40).unwrap_or(&c).trim_end_matches('-'));
            }
            format!("{name}-{what}-{date}.{}", filter.extensions[0])
        });
        FileDialog {
            kind: self,
            save: self.saves(),
            title: title.to_owned(),
            file_name,
            filters: vec![filter],
            folder: folder.map(|f| f.display().to_string()),
        }
    }

    /// The extension a saved file gets when the user typed a name without it.
    fn extension(self) -> &'static str {
        match self {
            FileKind::RoleMatrix | FileKind::Diff | FileKind::ReportCsv => "csv",
            FileKind::ReportXlsx => "xlsx",
            FileKind::CaptureHar => "har",
            FileKind::CaptureJsonl => "jsonl",
            FileKind::CheckReport | FileKind::ScenarioRun => "md",
            _ => "json",
        }
    }
}

/// Today as `YYYY-MM-DD` (UTC), for file names.
pub fn today() -> String {
    scim_base::time::now_rfc3339()
        .get(..10)
        .unwrap_or("today")
        .to_owned()
}

/// The user's Downloads folder (XDG's on Linux), else home: where the first dialog opens.
pub fn downloads_dir() -> Option<PathBuf> {
    crate::connections::default_export_path()
        .parent()
        .map(Path::to_path_buf)
}

/// The paths chosen in this session, and the folder the next dialog opens in.
#[derive(Debug, Default)]
pub struct FileChoices {
    chosen: Mutex<HashMap<PathBuf, FileKind>>,
    /// The last folder used (kept across sessions in the config folder when there is one).
    folder: Mutex<Option<PathBuf>>,
    /// `last-folder` under the config folder.
    store: Option<PathBuf>,
}

const LAST_FOLDER_FILE: &str = "last-folder";

fn denied(path: &str) -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        format!(
            "Not written: {path} was not chosen in a Save dialog. Use the Export button and pick \
             where the file goes."
        ),
    )
}

impl FileChoices {
    /// Choices whose last folder is kept in `config_dir` (read now, written on each choice).
    pub fn kept_in(config_dir: &Path) -> Self {
        let store = config_dir.join(LAST_FOLDER_FILE);
        // A path, so a few kilobytes at most: a damaged or huge file is read no further than that,
        // and anything that is not an existing folder is ignored.
        let mut text = String::new();
        let folder = std::fs::File::open(&store)
            .and_then(|f| {
                std::io::Read::read_to_string(&mut std::io::Read::take(f, 4096), &mut text)
            })
            .ok()
            .map(|_| PathBuf::from(text.trim()))
            .filter(|p| !p.as_os_str().is_empty() && p.is_dir());
        Self {
            chosen: Mutex::default(),
            folder: Mutex::new(folder),
            store: Some(store),
        }
    }

    /// The dialog for `kind`, opening in the last folder used (else Downloads).
    pub fn dialog(
        &self,
        kind: FileKind,
        connection: Option<&str>,
        detail: Option<&str>,
    ) -> FileDialog {
        let folder = self
            .folder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .or_else(downloads_dir);
        kind.dialog(connection, detail, &today(), folder.as_deref())
    }

    /// Records what the user chose in a `kind` dialog and returns the path to use: a saved file
    /// named without an extension gets the kind's.
    pub fn chose(&self, kind: FileKind, path: PathBuf) -> PathBuf {
        let path = if kind.saves() && path.extension().is_none() {
            path.with_extension(kind.extension())
        } else {
            path
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            *self.folder.lock().unwrap_or_else(|p| p.into_inner()) = Some(parent.to_path_buf());
            if let Some(store) = &self.store {
                // The folder is a convenience: failing to remember it is not worth an error.
                let _ = crate::private_files::write_atomic(
                    store,
                    crate::private_files::Place::Replace,
                    |f| std::io::Write::write_all(f, parent.display().to_string().as_bytes()),
                );
            }
        }
        self.chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.clone(), kind);
        path
    }

    /// `path` when it was chosen in a Save dialog this session; refused otherwise.
    pub fn for_writing(&self, path: &str) -> Result<String, AppError> {
        let chosen = self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        match chosen.get(Path::new(path)) {
            Some(kind) if kind.saves() => Ok(path.to_owned()),
            _ => Err(denied(path)),
        }
    }

    /// A Markdown report chosen in a Save dialog and the JSON written beside it (same name,
    /// `.json`): the pair the server check and the scenario player export.
    pub fn pair_for_writing(&self, path: &str) -> Result<(String, String), AppError> {
        let md = self.for_writing(path)?;
        let json = Path::new(&md).with_extension("json").display().to_string();
        Ok((md, json))
    }

    /// `path` when it was chosen in an Open dialog (or a Save dialog) this session, or lies in
    /// one of `own` (the app's own folders, whose files the screens list); refused otherwise.
    pub fn for_reading(&self, path: &str, own: &[PathBuf]) -> Result<String, AppError> {
        if self
            .chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(Path::new(path))
        {
            return Ok(path.to_owned());
        }
        // Resolved first, so `own/../../elsewhere` is not inside `own`.
        let inside = std::fs::canonicalize(path).ok().is_some_and(|p| {
            own.iter()
                .filter_map(|d| std::fs::canonicalize(d).ok())
                .any(|d| p.starts_with(d))
        });
        if inside {
            Ok(path.to_owned())
        } else {
            Err(AppError::new(
                ErrorKind::InvalidInput,
                format!("Not opened: {path} was not chosen in an Open dialog."),
            ))
        }
    }

    /// True when `path` was chosen in this session (what "Show in folder" may reveal).
    pub fn was_chosen(&self, path: &str) -> bool {
        self.chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(Path::new(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_dialog_suggests_the_connection_the_report_and_the_date() {
        let d = FileKind::RoleMatrix.dialog(
            Some("Acme (Okta) / prod"),
            None,
            "2026-12-02",
            Some(Path::new("/home/ana/Downloads")),
        );
        assert!(d.save);
        assert_eq!(
            d.file_name.as_deref(),
            Some("scim-explorer-acme--okta----prod-role-matrix-2026-12-02.csv")
        );
        assert_eq!(d.filters[0].extensions, ["csv"]);
        assert_eq!(d.folder.as_deref(), Some("/home/ana/Downloads"));
        let long = "x".repeat(300);
        let name = FileKind::Diff
            .dialog(Some(&long), None, "2026-12-02", None)
            .file_name
            .expect("name");
        assert!(name.len() < 100 && name.ends_with("-changes-2026-12-02.csv"));
        let report = FileKind::ReportXlsx.dialog(
            Some("Acme"),
            Some("Inactive users with access"),
            "2026-12-02",
            None,
        );
        assert_eq!(
            report.file_name.as_deref(),
            Some("scim-explorer-acme-inactive-users-with-access-2026-12-02.xlsx")
        );
        let open = FileKind::Snapshot.dialog(None, None, "2026-12-02", None);
        assert!(!open.save && open.file_name.is_none());
        assert_eq!(open.filters[0].extensions, ["scimsnap"]);
    }

    #[test]
    fn only_chosen_paths_are_written_and_the_folder_is_remembered() {
        let config = tempfile::tempdir().expect("dir");
        let out = tempfile::tempdir().expect("dir");
        let choices = FileChoices::kept_in(config.path());
        let elsewhere = out.path().join("authorized_keys");
        assert!(choices
            .for_writing(&elsewhere.display().to_string())
            .is_err());
        let picked = choices.chose(FileKind::RoleMatrix, out.path().join("matrix"));
        assert_eq!(picked, out.path().join("matrix.csv"));
        let written = picked.display().to_string();
        assert_eq!(choices.for_writing(&written).expect("chosen"), written);
        // An Open choice is not a licence to write there.
        let opened = choices.chose(FileKind::Snapshot, out.path().join("a.scimsnap"));
        assert!(choices.for_writing(&opened.display().to_string()).is_err());
        // The next session opens its dialogs in the same folder.
        let again = FileChoices::kept_in(config.path());
        assert_eq!(
            again.dialog(FileKind::Diff, None, None).folder,
            Some(out.path().display().to_string())
        );
        assert!(!again.was_chosen(&written), "choices last one session");
    }

    #[test]
    fn a_damaged_last_folder_file_is_ignored() {
        let config = tempfile::tempdir().expect("dir");
        let store = config.path().join(LAST_FOLDER_FILE);
        for junk in [
            vec![b'x'; 1 << 20],
            vec![0xff, 0xfe, 0x00],
            "/no/such/folder/ä".as_bytes().to_vec(),
        ] {
            std::fs::write(&store, junk).expect("write");
            let choices = FileChoices::kept_in(config.path());
            assert_eq!(
                choices.dialog(FileKind::Diff, None, None).folder,
                downloads_dir().map(|d| d.display().to_string()),
                "falls back to Downloads"
            );
        }
    }

    #[test]
    fn reading_is_allowed_in_the_apps_own_folders_only() {
        let own = tempfile::tempdir().expect("dir");
        let other = tempfile::tempdir().expect("dir");
        let inside = own.path().join("s.scimsnap");
        std::fs::write(&inside, "x").expect("write");
        let outside = other.path().join("s.scimsnap");
        std::fs::write(&outside, "x").expect("write");
        let choices = FileChoices::default();
        let own_dirs = [own.path().to_path_buf()];
        assert!(choices
            .for_reading(&inside.display().to_string(), &own_dirs)
            .is_ok());
        let sneaky = own.path().join("..").join(
            other
                .path()
                .strip_prefix(own.path().parent().expect("parent"))
                .expect("sibling"),
        );
        let sneaky = sneaky.join("s.scimsnap");
        assert!(choices
            .for_reading(&sneaky.display().to_string(), &own_dirs)
            .is_err());
        assert!(choices
            .for_reading(&outside.display().to_string(), &own_dirs)
            .is_err());
        choices.chose(FileKind::Snapshot, outside.clone());
        assert!(choices
            .for_reading(&outside.display().to_string(), &own_dirs)
            .is_ok());
    }
}
