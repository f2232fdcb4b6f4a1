//! PATCH paths (RFC 7644 §3.5.2): `PATH = attrPath / valuePath [subAttr]`, e.g. `name.familyName`,
//! `members[value eq "2819c223"]`, `emails[type eq "work"].value`, or URN-qualified paths.

use std::fmt;

use serde::Serialize;

use crate::filter::lexer::Tok;
use crate::filter::{AttrPath, Filter, ParseError, Parser, Span};

/// A parsed PATCH path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchPath {
    /// The attribute, possibly with a sub-attribute (`name.givenName`) when there is no filter.
    pub attr: AttrPath,
    /// The value filter of a valuePath (`emails[type eq "work"]`).
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`….value`).
    pub sub_after_filter: Option<String>,
}

impl PatchPath {
    pub fn attr(attr: AttrPath) -> Self {
        Self {
            attr,
            filter: None,
            sub_after_filter: None,
        }
    }

    /// The sub-attribute this path targets, before or after a filter.
    pub fn target_sub(&self) -> Option<&str> {
        self.sub_after_filter
            .as_deref()
            .or(self.attr.sub.as_deref())
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_after_filter {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Parses a PATCH path, with the same error quality as filters.
pub fn parse_path(src: &str) -> Result<PatchPath, ParseError> {
    crate::filter::check_size(src, "path")?;
    let mut p = Parser::new(src)?;
    let Some(first) = p.next() else {
        return Err(p.error_at_end("the path is empty"));
    };
    let Tok::Word(word) = first.tok else {
        return Err(p.error(
            "a path starts with an attribute name (e.g. `emails` or `name.givenName`)",
            first.span,
        ));
    };
    let attr = p.attr_path(&word, first.span)?;
    let Some(next) = p.peek().cloned() else {
        return Ok(PatchPath::attr(attr));
    };
    if next.tok != Tok::LBracket {
        return Err(p.error(
            "expected `[` or the end of the path after the attribute",
            next.span,
        ));
    }
    let Filter::ValuePath { attr, filter } = p.value_filter(attr)? else {
        return Err(p.error_at_end("expected a value filter"));
    };
    let mut sub_after_filter = None;
    if let Some(t) = p.peek().cloned() {
        match &t.tok {
            Tok::Word(w) if w.starts_with('.') => {
                let sub = &w[1..];
                if !crate::names::is_attr_name(sub) {
                    return Err(p.error(
                        format!("`{sub}` is not a valid sub-attribute name"),
                        Span::new(t.span.start + 1, t.span.end),
                    ));
                }
                sub_after_filter = Some(sub.to_owned());
                p.pos += 1;
            }
            _ => {}
        }
    }
    p.expect_end("`.subAttribute` or the end of the path")?;
    Ok(PatchPath {
        attr,
        filter: Some(*filter),
        sub_after_filter,
    })
}
