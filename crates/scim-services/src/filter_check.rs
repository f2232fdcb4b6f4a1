//! Live validation of the filter a user types: the core parser's verdict, with the span to underline
//! and the canonical text, so the UI can show errors before anything is sent.

use serde::Serialize;
use specta::Type;

/// The verdict on a filter text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FilterCheck {
    pub valid: bool,
    /// The parser's message when invalid ("expected a comparison operator after `userName` at column 10").
    pub message: Option<String>,
    /// Character offsets (UTF-16 code units, as JavaScript counts) of the part to underline.
    pub error_start: Option<u32>,
    pub error_end: Option<u32>,
    /// The canonical form when valid.
    pub canonical: Option<String>,
}

fn utf16_offset(text: &str, byte: usize) -> u32 {
    let byte = byte.min(text.len());
    let prefix = text.get(..byte).unwrap_or(text);
    prefix.encode_utf16().count() as u32
}

pub fn check_filter(text: &str) -> FilterCheck {
    if text.trim().is_empty() {
        return FilterCheck {
            valid: true,
            message: None,
            error_start: None,
            error_end: None,
            canonical: None,
        };
    }
    match scim_core::filter::parse_filter(text) {
        Ok(f) => FilterCheck {
            valid: true,
            message: None,
            error_start: None,
            error_end: None,
            canonical: Some(f.to_string()),
        },
        Err(e) => FilterCheck {
            valid: false,
            message: Some(e.to_string()),
            error_start: Some(utf16_offset(text, e.span.start)),
            error_end: Some(utf16_offset(text, e.span.end.max(e.span.start + 1))),
            canonical: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_filter_gets_its_canonical_form() {
        let c = check_filter(r#"userName SW "ana""#);
        assert!(c.valid);
        assert_eq!(c.canonical.as_deref(), Some(r#"userName sw "ana""#));
    }

    #[test]
    fn an_invalid_filter_points_at_the_error_in_utf16_units() {
        let c = check_filter(r#"displayName eq "Zoë" and"#);
        assert!(!c.valid);
        assert!(c.message.as_deref().is_some_and(|m| m.contains("column")));
        // The error is at the end, after a 2-byte "ë" counted as one UTF-16 unit.
        assert_eq!(c.error_start, Some(24));
    }

    #[test]
    fn an_empty_filter_is_fine() {
        assert!(check_filter("  ").valid);
    }
}
