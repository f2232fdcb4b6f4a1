//! `Retry-After` values from any server (seconds, HTTP dates, junk): read or refused, never a panic.

pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = scim_client::retry_after_secs(s);
}
