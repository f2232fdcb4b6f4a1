//! A server's answer to POST /Bulk: read into per-operation results without a panic.

pub fn run(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = scim_core::messages::read_bulk_response(&value);
}
