//! A small builder for filters, for code and for the UI's visual filter builder:
//! `attr("userName").eq("ana").and(attr("active").eq(true))`.

use super::ast::{AttrPath, CompValue, CompareOp, Filter};

/// Starts a condition on an attribute path written like `name.givenName` or a URN-qualified path.
pub fn attr(path: &str) -> FilterBuilder {
    let parsed =
        super::Parser::new(path)
            .ok()
            .and_then(|p| match p.tokens.first().map(|t| &t.tok) {
                Some(super::lexer::Tok::Word(w)) if p.tokens.len() == 1 => {
                    p.attr_path(w, Default::default()).ok()
                }
                _ => None,
            });
    FilterBuilder {
        attr: parsed.unwrap_or_else(|| AttrPath::new(path)),
    }
}

/// A condition waiting for its operator.
#[derive(Debug, Clone)]
pub struct FilterBuilder {
    attr: AttrPath,
}

impl From<&str> for CompValue {
    fn from(s: &str) -> Self {
        CompValue::String(s.to_owned())
    }
}
impl From<String> for CompValue {
    fn from(s: String) -> Self {
        CompValue::String(s)
    }
}
impl From<bool> for CompValue {
    fn from(b: bool) -> Self {
        CompValue::Bool(b)
    }
}
impl From<i64> for CompValue {
    fn from(n: i64) -> Self {
        CompValue::Number(n.into())
    }
}

impl FilterBuilder {
    pub fn op(self, op: CompareOp, value: impl Into<CompValue>) -> Filter {
        Filter::Compare {
            attr: self.attr,
            op,
            value: value.into(),
        }
    }
    pub fn eq(self, value: impl Into<CompValue>) -> Filter {
        self.op(CompareOp::Eq, value)
    }
    pub fn ne(self, value: impl Into<CompValue>) -> Filter {
        self.op(CompareOp::Ne, value)
    }
    pub fn co(self, value: impl Into<CompValue>) -> Filter {
        self.op(CompareOp::Co, value)
    }
    pub fn sw(self, value: impl Into<CompValue>) -> Filter {
        self.op(CompareOp::Sw, value)
    }
    pub fn pr(self) -> Filter {
        Filter::Present { attr: self.attr }
    }
    /// `attr[inner]`: some value of the multi-valued attribute matches `inner`.
    pub fn matching(self, inner: Filter) -> Filter {
        Filter::ValuePath {
            attr: self.attr,
            filter: Box::new(inner),
        }
    }
}
