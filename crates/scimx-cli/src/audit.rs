//! `scimx snapshot`, `scimx diff` and `scimx report`: repeatable audits on the same services as the
//! app — a directory saved to a verified snapshot file, two directories compared (snapshots or live
//! connections), and the membership reports exported as CSV or JSON.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use serde_json::json;

use scim_client::ScimClient;
use scim_core::diff::{diff_directories, Directory, MatchKey, MatchRate};
use scim_services::reports::{self, ExportFormat, Provenance, ReportKind};
use scim_services::snapshot::Snapshot;
use scim_services::AppError;

#[derive(Clone, Copy, ValueEnum)]
pub enum MatchBy {
    Id,
    #[value(name = "externalId")]
    ExternalId,
    #[value(name = "userName")]
    UserName,
    Email,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Csv,
    Json,
    /// A workbook with the report's sheet and a provenance sheet (needs `--out`).
    Xlsx,
}

/// Saves the directory behind `client` to `out`.
pub async fn take_snapshot(
    client: &ScimClient,
    label: &str,
    out: &Path,
    user_filter: Option<String>,
    group_filter: Option<String>,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    let mut snap =
        scim_services::take_snapshot::take(client, label, user_filter, group_filter).await?;
    snap.write(out)?;
    let _ = writeln!(
        stdout,
        "{}: {} users, {} groups from {} at {} (sha256 {})",
        out.display(),
        snap.header.users,
        snap.header.groups,
        snap.header.base_url,
        snap.header.taken_at,
        snap.header.sha256
    );
    Ok(())
}

/// One side of a diff: a snapshot file, or `live:NAME` (a saved connection read now).
async fn side(
    spec: &str,
    live: &dyn Fn(&str) -> Result<ScimClient, AppError>,
) -> Result<Snapshot, AppError> {
    match spec.strip_prefix("live:") {
        Some(name) => scim_services::take_snapshot::take(&live(name)?, name, None, None).await,
        None => Snapshot::read(Path::new(spec)),
    }
}

/// Compares A with B and prints the changes.
pub async fn diff(
    a: &str,
    b: &str,
    by: MatchBy,
    format: DiffFormat,
    live: &dyn Fn(&str) -> Result<ScimClient, AppError>,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    let (left, right) = (side(a, live).await?, side(b, live).await?);
    let key = match by {
        MatchBy::Id => MatchKey::Id,
        MatchBy::ExternalId => MatchKey::ExternalId,
        MatchBy::UserName => MatchKey::UserName,
        MatchBy::Email => MatchKey::Email,
    };
    let d = diff_directories(
        &Directory {
            users: &left.users,
            groups: &left.groups,
        },
        &Directory {
            users: &right.users,
            groups: &right.groups,
        },
        key,
    );
    for w in &d.warnings {
        eprintln!("warning: {}", w.message);
    }
    let rate = |m: &MatchRate| format!("{} of {} / {} matched", m.matched, m.total_a, m.total_b);
    match format {
        DiffFormat::Text => {
            for line in d.narration() {
                let _ = writeln!(stdout, "{line}");
            }
            eprintln!(
                "{} user and {} group changes, {} membership changes; users {}, groups {}",
                d.users.len(),
                d.groups.len(),
                d.memberships.len(),
                rate(&d.user_match),
                rate(&d.group_match)
            );
        }
        DiffFormat::Json => {
            let doc = json!({
                "a": {"source": a, "connection": left.header.connection, "takenAt": left.header.taken_at, "sha256": left.header.sha256},
                "b": {"source": b, "connection": right.header.connection, "takenAt": right.header.taken_at, "sha256": right.header.sha256},
                "diff": d,
            });
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        DiffFormat::Csv => {
            let (lines, _) = scim_services::compare::lines_of(&d);
            let _ = write!(
                stdout,
                "{}",
                scim_services::compare::lines_to_csv(&lines, false)
            );
        }
    }
    Ok(())
}

/// Builds report `name` from a snapshot and prints it.
pub fn report(
    name: &str,
    snapshot_path: &Path,
    key: Option<&str>,
    format: ReportFormat,
    out: Option<&Path>,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    if matches!(format, ReportFormat::Xlsx) && out.is_none() {
        return Err(AppError::invalid_input(
            "An XLSX report is a file: give --out report.xlsx.",
        ));
    }
    let snap = Snapshot::read(snapshot_path)?;
    let key = match key {
        Some(k) => scim_core::identity::SsoKey::parse(k).ok_or_else(|| {
            AppError::invalid_input(format!("--key {k}: use externalId, userName or email."))
        })?,
        // What the snapshot's users suggest, as the app does for a connection with no key set.
        None => {
            let users: Vec<scim_core::Resource> = snap
                .users
                .iter()
                .cloned()
                .map(scim_core::Resource::new)
                .collect();
            scim_core::identity::suggest(&users).0
        }
    };
    let provenance = Provenance::of_snapshot(&snap);
    let r = reports::build_keyed(
        &ReportKind::parse(name)?,
        &snap.users,
        &snap.groups,
        provenance,
        key,
    )?;
    eprintln!(
        "{}: {} rows — {}",
        r.title,
        r.rows.len(),
        reports::provenance_line(&r.provenance)
    );
    let bytes = match format {
        // On a terminal the provenance went to stderr above, so the CSV stays one header + rows.
        ReportFormat::Csv => reports::to_csv(&r).into_bytes(),
        ReportFormat::Json => reports::encode(&r, ExportFormat::Json)?,
        ReportFormat::Xlsx => reports::encode(&r, ExportFormat::Xlsx)?,
    };
    match out {
        Some(path) => {
            scim_services::export::write_file(&path.display().to_string(), &bytes).map(|_| ())
        }
        None => {
            let _ = stdout.write_all(&bytes);
            Ok(())
        }
    }
}
