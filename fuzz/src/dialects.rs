//! Any PatchOp body (as the builder's JSON tab or a pasted request holds it): read, reduced to
//! logical changes and rendered in every IdP's dialect without a panic.
use scim_core::patch::{logical_changes, render_patch, Dialect, PatchOp};

pub fn run(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(patch) = PatchOp::from_json(&value) else { return };
    let changes = logical_changes(&patch.value);
    let current = serde_json::json!({"id": "1", "userName": "a", "members": [{"value": "2"}]});
    for d in Dialect::ALL {
        let _ = render_patch(d, &changes, Some(&current));
        let _ = render_patch(d, &changes, None);
    }
}
