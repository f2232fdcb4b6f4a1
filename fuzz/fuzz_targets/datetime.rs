//! xsd:dateTime text from any server: parsed or refused, never a panic; a parse is a real instant.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some((_, nanos)) = scim_core::datetime::parse_datetime(s) {
        assert!(nanos < 1_000_000_000);
    }
});
