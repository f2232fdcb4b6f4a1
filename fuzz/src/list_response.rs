//! Any bytes a server might send: reading them as a ListResponse, an error body, a schema or a
//! ServiceProviderConfig never panics, and every resource accessor copes with what it finds.
use scim_core::error::ScimErrorBody;
use scim_core::messages::{ListResponse, ServiceProviderConfig};
use scim_core::schema::{Schema, SchemaRegistry};

pub fn run(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = ScimErrorBody::from_json(&value);
    let _ = ServiceProviderConfig::from_json(&value);
    let _ = Schema::from_json(&value);
    if let Ok(list) = ListResponse::from_json(&value) {
        let registry = SchemaRegistry::builtin();
        for r in &list.value.resources {
            let _ = (r.id_string(), r.label(), r.emails(), r.active(), r.members(), r.enterprise());
            let _ = r.undeclared_attributes(&registry);
        }
    }
}
