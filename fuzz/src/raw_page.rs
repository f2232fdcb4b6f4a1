//! A list page as a server sends it, read the way loads read it: list fields parsed, resources kept
//! raw, ids found by the byte scanner. Never panics, and the scanner agrees with a full read.
use scim_core::raw_list::{raw_id, raw_value, RawListResponse};

pub fn run(data: &[u8]) {
    let Ok(page) = RawListResponse::from_slice(data) else { return };
    for r in &page.value.resources {
        let scanned = raw_id(r);
        let full = match raw_value(r).get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        // The scan reads the first top-level `id`; a full read keeps the last of duplicates.
        if scanned != full {
            let text = r.get();
            assert!(text.matches("\"id\"").count() > 1, "scan {scanned:?} vs read {full:?} in {text}");
        }
    }
}
