//! Any text: the PATCH path parser never panics, and what it accepts prints back to an equal path.
use scim_core::patch::parse_path;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(path) = parse_path(text) {
        let printed = path.to_string();
        assert_eq!(parse_path(&printed).expect("printed path parses"), path, "{printed}");
    }
}
