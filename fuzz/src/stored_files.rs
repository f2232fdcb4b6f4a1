//! Snapshot files and change logs as found on disk (damaged, truncated, crafted): read or refused
//! with a message, never a panic, and never more unpacked than the cap allows.

pub fn run(data: &[u8]) {
    let _ = scim_services::snapshot::Snapshot::read_from(data, data.len() as u64, "fuzz.scimsnap");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = scim_services::change_log::parse_lines(text);
    }
}
