//! Any text: the filter parser returns a filter or an error, never panics; a parsed filter prints to
//! text that parses back to it, and evaluating it never panics.
use scim_core::filter::{evaluate, parse_filter, EvalOptions};

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(filter) = parse_filter(text) {
        let printed = filter.to_string();
        let reparsed = parse_filter(&printed).expect("canonical text parses");
        assert_eq!(reparsed, filter, "{printed}");
        let user = serde_json::json!({"userName": "a", "emails": [{"value": "x", "type": "work"}], "meta": {"lastModified": "2011-05-13T04:42:34Z"}, "active": true});
        let _ = evaluate(&filter, &user, &EvalOptions::default());
    }
}
