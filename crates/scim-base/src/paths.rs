//! How per-connection files are named: one slug rule for ids, change logs, snapshots and checks.

/// A file-name-safe form of a name: ASCII letters and digits, `-` for the rest. Connection ids, and
/// the per-connection files (change log, snapshots, checks) are named with it.
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "connection".to_owned()
    } else {
        s
    }
}
