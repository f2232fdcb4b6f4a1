//! xsd:dateTime text from any server: parsed or refused, never a panic; a parse is a real instant.

pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some((_, nanos)) = scim_core::datetime::parse_datetime(s) {
        assert!(nanos < 1_000_000_000);
    }
}
