//! Any PATCH body against a realistic user and group: reading and applying it never panics, and an
//! applied patch is undone the way the product undoes it — the diff from the result back to the
//! resource, without read-only attributes, applied by a server that enforces mutability — back to
//! exactly the resource it started from.
use scim_core::diff::{diff_resources, DiffOptions};
use scim_core::patch::{apply_patch, ApplyOptions, PatchOp};
use scim_core::schema::SchemaRegistry;

pub fn run(data: &[u8]) {
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
    let schemas = SchemaRegistry::builtin();
    let server = ApplyOptions { schemas: Some(&schemas), enforce_mutability: true };
    let product_undo = DiffOptions { include_read_only: false, schemas: Some(&schemas) };
    for before in &resources {
        let _ = apply_patch(before, &patch.value, &ApplyOptions { schemas: None, enforce_mutability: false });
        let Ok(after) = apply_patch(before, &patch.value, &server) else { continue };
        let undo = diff_resources(&after.value, before, &product_undo).value;
        let restored = apply_patch(&after.value, &undo, &server)
            .unwrap_or_else(|e| panic!("the undo of {value} is refused: {e}\nundo: {}", undo.to_json()));
        assert_eq!(
            restored.value, *before,
            "the undo of {value} does not restore the resource\nafter: {}\nundo: {}",
            after.value, undo.to_json()
        );
    }
}
