//! Files that hold directory data (snapshots, change logs, saved checks, connections, exports):
//! created readable by the user alone (0600 in 0700 folders), written whole to a temporary file,
//! fsynced and renamed into place, and read-modify-written under a lock, so two windows, or the app
//! and `scimx`, cannot lose each other's update or overwrite each other's snapshot.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{AppError, ErrorKind};

fn storage(message: String) -> AppError {
    AppError::new(ErrorKind::Storage, message)
}

/// Creates `dir` and any missing parents; the folders made here are 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), AppError> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(dir)
        .map_err(|e| storage(format!("Cannot create {}: {e}.", dir.display())))?;
    for made in missing {
        restrict(&made, 0o700);
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: on a filesystem without modes (a FAT stick) the data is still written.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) {}

/// Options for a new file only the user can read.
fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// A temporary name beside `path`, unique to this write (process, time, counter).
fn temp_beside(path: &Path) -> PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{nanos}-{n}.tmp", std::process::id()))
}

/// How a finished temporary file takes its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Replace what is there (settings, a saved check).
    Replace,
    /// Never replace: fail with `AlreadyExists` when the name is taken (snapshots).
    New,
}

/// Writes a private file whole: `fill` writes into a temporary file, which is fsynced and then put
/// in place; a crash leaves the old file (or none), never half of one.
pub fn write_atomic(
    path: &Path,
    place: Place,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), AppError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let tmp = temp_beside(path);
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        storage(format!("Cannot write {}: {e}.", path.display()))
    };
    let mut file = private_options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| storage(format!("Cannot write {}: {e}.", tmp.display())))?;
    fill(&mut file).map_err(fail)?;
    file.flush().map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(file);
    match place {
        Place::Replace => std::fs::rename(&tmp, path).map_err(fail)?,
        // A hard link fails when the name exists: no window in which another writer's file is lost.
        Place::New => {
            std::fs::hard_link(&tmp, path).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    storage(format!(
                        "{} already exists; nothing was overwritten.",
                        path.display()
                    ))
                } else {
                    storage(format!("Cannot write {}: {e}.", path.display()))
                }
            })?;
            let _ = std::fs::remove_file(&tmp);
        }
    }
    sync_dir(path);
    Ok(())
}

/// Makes the rename itself durable (the directory entry), where the platform allows.
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Appends one line to a private file, under an exclusive lock so lines of two processes never mix.
pub fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent).map_err(|e| std::io::Error::other(e.message))?;
    }
    let mut file = private_options().create(true).append(true).open(path)?;
    file.lock()?;
    // One write call per line, so a crash leaves at most one partial last line.
    let written = file.write_all(line).and_then(|()| file.sync_data());
    let _ = file.unlock();
    written
}

/// Runs `f` holding an exclusive lock tied to `path` (a `.lock` file beside it), for a
/// read-modify-write that another process may be doing at the same moment.
pub fn with_lock<T>(path: &Path, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock_path = path.with_file_name(format!(".{name}.lock"));
    let lock = private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| storage(format!("Cannot lock {}: {e}.", path.display())))?;
    lock.lock()
        .map_err(|e| storage(format!("Cannot lock {}: {e}.", path.display())))?;
    let result = f();
    let _ = lock.unlock();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    #[cfg(unix)]
    fn files_and_folders_are_private_and_snapshots_never_overwritten() {
        let root = tempfile::tempdir().expect("dir");
        let path = root.path().join("a/b/file.json");
        write_atomic(&path, Place::Replace, |f| f.write_all(b"one")).expect("write");
        write_atomic(&path, Place::Replace, |f| f.write_all(b"two")).expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        let e = write_atomic(&path, Place::New, |f| f.write_all(b"three")).expect_err("taken");
        assert!(e.message.contains("already exists"), "{}", e.message);
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(root.path().join("a/b"))
            .expect("list")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left behind");
        let log = root.path().join("c/log.jsonl");
        append_line(&log, b"x\n").expect("append");
        assert_eq!(mode(&log), 0o600);
    }

    #[test]
    fn concurrent_read_modify_writes_lose_nothing() {
        let root = tempfile::tempdir().expect("dir");
        let path = root.path().join("counter");
        std::fs::write(&path, "0").expect("seed");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        with_lock(&path, || {
                            let n: u32 = std::fs::read_to_string(&path)
                                .expect("read")
                                .parse()
                                .expect("number");
                            write_atomic(&path, Place::Replace, |f| {
                                f.write_all((n + 1).to_string().as_bytes())
                            })
                        })
                        .expect("update");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "200");
    }
}
