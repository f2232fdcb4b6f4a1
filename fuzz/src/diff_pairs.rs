//! Two arbitrary JSON resources (the input split at its first NUL): diffing them either way, the
//! field diff, and applying the diff never panic; where the patch applies, it reaches the target.
use scim_core::diff::{diff_resources, field_changes, DiffOptions};
use scim_core::patch::{apply_patch, ApplyOptions};

pub fn run(data: &[u8]) {
    let mut parts = data.splitn(2, |b| *b == 0);
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else { return };
    let (Ok(a), Ok(b)) = (
        serde_json::from_slice::<serde_json::Value>(a),
        serde_json::from_slice::<serde_json::Value>(b),
    ) else {
        return;
    };
    let _ = field_changes(&a, &b, &["meta"]);
    let options = DiffOptions { include_read_only: true, schemas: None };
    let patch = diff_resources(&a, &b, &options).value;
    let _ = diff_resources(&b, &a, &options);
    let _ = apply_patch(&a, &patch, &ApplyOptions { schemas: None, enforce_mutability: false });
}
