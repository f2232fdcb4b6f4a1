//! Snapshots: a connection's whole directory (users, groups with members, schemas, capability
//! profile) saved to one file for offline browsing, diffs and audits. The file is gzip-compressed
//! JSON lines: a header line (what, where, when, counts, filters, SHA-256 of the rest), then one line
//! per record. The hash makes tampering or truncation visible when the file is opened.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use specta::Type;

use scim_base::error::{AppError, ErrorKind};

/// The format name in every header, so other JSON-lines files are recognised as such.
pub const FORMAT: &str = "scim-explorer-snapshot";
pub const VERSION: u32 = 1;

/// The first line of a snapshot file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotHeader {
    pub format: String,
    pub version: u32,
    pub connection: String,
    pub base_url: String,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub app_version: String,
    pub users: u32,
    pub groups: u32,
    /// The server-side filters used, by resource type (none means everything).
    #[serde(default)]
    pub user_filter: Option<String>,
    #[serde(default)]
    pub group_filter: Option<String>,
    /// SHA-256 (hex) of every line after this one, newline included.
    pub sha256: String,
}

/// A directory as saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub header: SnapshotHeader,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub schemas: Vec<Value>,
    /// The capability profile seen by discovery (ServiceProviderConfig as sent).
    pub capabilities: Value,
}

#[derive(Serialize, Deserialize)]
struct Line {
    kind: String,
    resource: Value,
}

fn storage(message: String) -> AppError {
    AppError::new(ErrorKind::Storage, message)
}

pub use scim_base::time::now_rfc3339;

impl Snapshot {
    /// The record lines (without the header) and their hash.
    fn body(&self) -> Result<(Vec<u8>, String), AppError> {
        let mut body = Vec::new();
        let mut push = |kind: &str, v: &Value| -> Result<(), AppError> {
            serde_json::to_writer(
                &mut body,
                &Line {
                    kind: kind.to_owned(),
                    resource: v.clone(),
                },
            )
            .map_err(|e| storage(e.to_string()))?;
            body.push(b'\n');
            Ok(())
        };
        push("capabilities", &self.capabilities)?;
        for s in &self.schemas {
            push("schema", s)?;
        }
        for u in &self.users {
            push("user", u)?;
        }
        for g in &self.groups {
            push("group", g)?;
        }
        let hash = hex(&Sha256::digest(&body));
        Ok((body, hash))
    }

    /// Writes the snapshot (header hash filled in) atomically: a temp file, then a rename.
    pub fn write(&mut self, path: &Path) -> Result<(), AppError> {
        let (body, hash) = self.body()?;
        self.header.sha256 = hash;
        self.header.users = self.users.len() as u32;
        self.header.groups = self.groups.len() as u32;
        let header = serde_json::to_vec(&self.header).map_err(|e| storage(e.to_string()))?;
        // Private, whole, and never over another snapshot (two windows taking one in the same
        // second get an error for the second, not a lost first).
        scim_base::private_files::write_atomic(path, scim_base::private_files::Place::New, |file| {
            // The fast level: at 100k users the file is ~1.6× larger (25 MB instead of 16) but
            // written in a third of the time, and a snapshot is taken while someone waits.
            let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::fast());
            gz.write_all(&header)?;
            gz.write_all(b"\n")?;
            gz.write_all(&body)?;
            gz.finish()?.flush()
        })
    }

    /// Reads and verifies a snapshot: the format, the version and the content hash.
    pub fn read(path: &Path) -> Result<Snapshot, AppError> {
        let file = std::fs::File::open(path)
            .map_err(|e| storage(format!("Cannot open {}: {e}.", path.display())))?;
        let compressed = file.metadata().map(|m| m.len()).unwrap_or(0);
        Self::read_from(file, compressed, &path.display().to_string())
    }

    /// [`Snapshot::read`] from any reader of the gzip bytes (`compressed` of them), named `name`
    /// in messages. Decompression is capped ([`max_unpacked`]): a crafted gzip that expands a
    /// thousandfold is refused, not unpacked into memory.
    pub fn read_from(file: impl Read, compressed: u64, name: &str) -> Result<Snapshot, AppError> {
        Self::read_within(file, compressed, max_unpacked(compressed), name)
    }

    fn read_within(
        file: impl Read,
        compressed: u64,
        cap: u64,
        name: &str,
    ) -> Result<Snapshot, AppError> {
        let mut reader = BufReader::new(GzDecoder::new(file).take(cap));
        let header = read_header_line(&mut reader, name)?;
        if header.version > VERSION {
            return Err(storage(format!(
                "{name} was written by a newer SCIM Explorer (snapshot format {}, this one reads {VERSION}).",
                header.version
            )));
        }
        let mut body = Vec::new();
        reader
            .read_to_end(&mut body)
            .map_err(|e| storage(format!("{name} is damaged or truncated ({e}).")))?;
        if reader.get_ref().limit() == 0 {
            return Err(storage(format!(
                "{name} unpacks to more than {} MB, far more than its {} kB of gzip could honestly hold; it was not read.",
                cap >> 20,
                compressed >> 10
            )));
        }
        if hex(&Sha256::digest(&body)) != header.sha256 {
            return Err(storage(format!(
                "{name} was changed after it was written (its SHA-256 does not match the header): it cannot be trusted as a record of the directory."
            )));
        }
        let mut snap = Snapshot {
            header,
            users: Vec::new(),
            groups: Vec::new(),
            schemas: Vec::new(),
            capabilities: Value::Null,
        };
        for (n, line) in body.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let rec: Line = serde_json::from_slice(line).map_err(|e| {
                storage(format!(
                    "{name} line {} is not a snapshot record: {e}.",
                    n + 2
                ))
            })?;
            match rec.kind.as_str() {
                "user" => snap.users.push(rec.resource),
                "group" => snap.groups.push(rec.resource),
                "schema" => snap.schemas.push(rec.resource),
                "capabilities" => snap.capabilities = rec.resource,
                // Records of later versions are skipped, not fatal.
                _ => {}
            }
        }
        Ok(snap)
    }
}

/// A snapshot file as the list of a connection's snapshots shows it (header only, not verified).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotListing {
    pub path: String,
    /// The file's size (f64: exact to 2^53, and JavaScript numbers are doubles).
    pub bytes: f64,
    pub header: Option<SnapshotHeader>,
    /// Why the file could not be read as a snapshot.
    pub problem: Option<String>,
}

/// The folder of one connection's snapshots: `snapshots/<connection id>` in the config directory.
pub fn folder(config_dir: &Path, key: &str) -> std::path::PathBuf {
    config_dir
        .join("snapshots")
        .join(scim_base::paths::slug(key))
}

/// The most a snapshot of `compressed` bytes may unpack to: our files compress JSON lines about
/// 6:1 (fast gzip), so 100:1 leaves room for very repetitive directories and stops gzip bombs;
/// at least 64 MB, at most 16 GB.
pub fn max_unpacked(compressed: u64) -> u64 {
    compressed.saturating_mul(100).clamp(64 << 20, 16 << 30)
}

/// The first line, at most 64 kB (a header is a few hundred bytes), as a snapshot header.
fn read_header_line(reader: &mut impl BufRead, name: &str) -> Result<SnapshotHeader, AppError> {
    let mut first = Vec::new();
    reader
        .by_ref()
        .take(64 * 1024)
        .read_until(b'\n', &mut first)
        .map_err(|e| {
            storage(format!(
                "{name} is not a snapshot (not gzip-compressed JSON lines: {e})."
            ))
        })?;
    let header: SnapshotHeader = serde_json::from_slice(first.trim_ascii_end()).map_err(|_| {
        storage(format!(
            "{name} is not a SCIM Explorer snapshot (its first line is no snapshot header)."
        ))
    })?;
    if header.format != FORMAT {
        return Err(storage(format!(
            "{name} is a \"{}\" file, not a SCIM Explorer snapshot.",
            header.format
        )));
    }
    Ok(header)
}

/// Reads only the header line (for lists; `Snapshot::read` verifies the whole file).
pub fn read_header(path: &Path) -> Result<SnapshotHeader, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|e| storage(format!("Cannot open {}: {e}.", path.display())))?;
    read_header_line(
        &mut BufReader::new(GzDecoder::new(file)),
        &path.display().to_string(),
    )
}

/// The snapshots in `dir`, newest first.
pub fn list(dir: &Path) -> Vec<SnapshotListing> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<SnapshotListing> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "scimsnap"))
        .map(|e| {
            let path = e.path();
            let (header, problem) = match read_header(&path) {
                Ok(h) => (Some(h), None),
                Err(e) => (None, Some(e.message)),
            };
            SnapshotListing {
                path: path.to_string_lossy().into_owned(),
                bytes: e.metadata().map(|m| m.len() as f64).unwrap_or(0.0),
                header,
                problem,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let t = |l: &SnapshotListing| {
            l.header
                .as_ref()
                .map(|h| h.taken_at.clone())
                .unwrap_or_default()
        };
        t(b).cmp(&t(a)).then_with(|| b.path.cmp(&a.path))
    });
    out
}

/// A file name for a snapshot taken now: `2026-11-23T10-15-00Z.scimsnap`.
pub fn file_name(taken_at: &str) -> String {
    format!("{}.scimsnap", taken_at.replace(':', "-"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Snapshot {
        Snapshot {
            header: SnapshotHeader {
                format: FORMAT.into(),
                version: VERSION,
                connection: "Demo".into(),
                base_url: "http://127.0.0.1:1/scim/v2".into(),
                taken_at: now_rfc3339(),
                app_version: "0.1.0".into(),
                users: 0,
                groups: 0,
                user_filter: None,
                group_filter: None,
                sha256: String::new(),
            },
            users: vec![
                json!({"id": "u1", "userName": "ana"}),
                json!({"id": "u2", "userName": "ben"}),
            ],
            groups: vec![json!({"id": "g1", "displayName": "Ops", "members": [{"value": "u1"}]})],
            schemas: vec![json!({"id": "urn:x"})],
            capabilities: json!({"patch": {"supported": true}}),
        }
    }

    #[test]
    fn snapshots_round_trip_with_counts_and_hash() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("a.scimsnap");
        let mut s = sample();
        s.write(&path).expect("write");
        let back = Snapshot::read(&path).expect("read");
        assert_eq!(back.users, s.users);
        assert_eq!(back.groups, s.groups);
        assert_eq!((back.header.users, back.header.groups), (2, 1));
        assert_eq!(back.header.sha256.len(), 64);
        assert!(now_rfc3339().ends_with('Z') && now_rfc3339().len() == 20);
    }

    #[test]
    fn tampering_truncation_and_other_files_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("a.scimsnap");
        let mut s = sample();
        s.write(&path).expect("write");
        // Rewrite the body with one changed user, keeping the old header (and hash).
        let mut text = String::new();
        GzDecoder::new(std::fs::File::open(&path).expect("open"))
            .read_to_string(&mut text)
            .expect("gunzip");
        let forged = text.replace("\"ben\"", "\"mallory\"");
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(forged.as_bytes()).expect("gz");
        std::fs::write(&path, gz.finish().expect("finish")).expect("write");
        let err = Snapshot::read(&path).expect_err("tampered");
        assert!(
            err.message.contains("changed after it was written"),
            "{}",
            err.message
        );
        std::fs::write(&path, b"not gzip").expect("write");
        assert!(Snapshot::read(&path).is_err());
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(b"{\"hello\": 1}\n").expect("gz");
        std::fs::write(&path, gz.finish().expect("finish")).expect("write");
        assert!(Snapshot::read(&path)
            .expect_err("not ours")
            .message
            .contains("not a SCIM Explorer snapshot"));
    }

    /// A crafted gzip (a bomb) is refused after a bounded amount of unpacking, with a message.
    #[test]
    fn a_gzip_bomb_and_an_endless_header_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bomb.scimsnap");
        let mut snap = Snapshot {
            header: SnapshotHeader {
                format: FORMAT.into(),
                version: VERSION,
                connection: "x".into(),
                base_url: "http://x".into(),
                taken_at: "2026-01-01T00:00:00Z".into(),
                app_version: "0".into(),
                users: 0,
                groups: 0,
                user_filter: None,
                group_filter: None,
                sha256: String::new(),
            },
            users: Vec::new(),
            groups: Vec::new(),
            schemas: Vec::new(),
            capabilities: Value::Null,
        };
        let header = serde_json::to_vec(&snap.header).expect("header");
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&header).expect("gz");
        gz.write_all(b"\n").expect("gz");
        gz.write_all(&vec![b' '; 8 << 20]).expect("gz");
        let bytes = gz.finish().expect("finish");
        assert!(bytes.len() < 64 << 10, "8 MB in {} bytes", bytes.len());
        // The cap of a file this small is the 64 MB floor; the same rule at a 4 MB cap:
        assert_eq!(max_unpacked(bytes.len() as u64), 64 << 20);
        let e = Snapshot::read_within(&bytes[..], bytes.len() as u64, 4 << 20, "bomb.scimsnap")
            .expect_err("bomb");
        assert!(
            e.message.contains("unpacks to more than 4 MB"),
            "{}",
            e.message
        );
        assert_eq!(max_unpacked(1 << 30), 16 << 30, "at most 16 GB");
        // A first line that never ends is not read whole either.
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&vec![b'a'; 4 << 20]).expect("gz");
        std::fs::write(&path, gz.finish().expect("finish")).expect("write");
        assert!(read_header(&path)
            .expect_err("no header")
            .message
            .contains("not a SCIM Explorer snapshot"));
        // Our own snapshot still reads.
        snap.write(&dir.path().join("ok.scimsnap")).expect("write");
        assert!(Snapshot::read(&dir.path().join("ok.scimsnap")).is_ok());
    }
}
