//! Masking secrets in any JSON (bodies, PATCH operations): never a panic, and afterwards no key that
//! names a secret, and no `value` of an operation on one, holds anything but the mask.
use scim_core::secrets::SecretAttributes;
use serde_json::Value;

fn check(v: &Value, s: &SecretAttributes) {
    match v {
        Value::Object(o) => {
            let op = s.is_secret_operation(o);
            for (k, child) in o {
                if s.is_secret_path(k) || (op && k.eq_ignore_ascii_case("value")) {
                    assert!(child.is_null() || child == "***", "{k}: {child}");
                } else {
                    check(child, s);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| check(i, s)),
        _ => {}
    }
}

pub fn run(data: &[u8]) {
    let Ok(mut value) = serde_json::from_slice::<Value>(data) else { return };
    let mut s = SecretAttributes::default();
    s.add("pin");
    s.mask(&mut value, "***");
    check(&value, &s);
    s.strip(&mut value);
}
