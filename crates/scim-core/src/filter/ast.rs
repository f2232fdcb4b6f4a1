//! The filter AST (RFC 7644 §3.4.2.2). Names keep the spelling the user wrote; spans point back into the
//! source text for highlighting.

use std::fmt;

use serde::Serialize;

/// A byte range in the source text. Spans describe where a node came from, not what it means, so two
/// filters are equal regardless of their spans (this keeps `parse(print(f)) == f` meaningful).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Span {}

/// `[URI ":"] ATTRNAME ["." subAttr]`, e.g. `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttrPath {
    /// The schema URN when the path is qualified.
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
    pub span: Span,
}

impl AttrPath {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            urn: None,
            name: name.into(),
            sub: None,
            span: Span::default(),
        }
    }

    #[must_use]
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    #[must_use]
    pub fn with_urn(mut self, urn: impl Into<String>) -> Self {
        self.urn = Some(urn.into());
        self
    }

    /// Same attribute, compared the way SCIM compares names (case-insensitively).
    pub fn same_attribute(&self, other: &AttrPath) -> bool {
        fn eq(a: &Option<String>, b: &Option<String>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (None, None) => true,
                _ => false,
            }
        }
        eq(&self.urn, &other.urn)
            && self.name.eq_ignore_ascii_case(&other.name)
            && eq(&self.sub, &other.sub)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// The comparison operators of RFC 7644 §3.4.2.2, table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

impl CompareOp {
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// Ordering operators, invalid on booleans and binary values (RFC 7644 §3.4.2.2).
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Lt | CompareOp::Ge | CompareOp::Le
        )
    }

    /// Substring operators, meaningful on strings only.
    pub fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }
}

/// `compValue = false / null / true / number / string` (JSON literals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
}

impl CompValue {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CompValue::Null => serde_json::Value::Null,
            CompValue::Bool(b) => serde_json::Value::Bool(*b),
            CompValue::Number(n) => serde_json::Value::Number(n.clone()),
            CompValue::String(s) => serde_json::Value::String(s.clone()),
        }
    }
}

/// A filter expression. Grouping parentheses leave no node: `(a)` is `a`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Filter {
    /// `attrPath pr`: the attribute has a non-empty value.
    Present { attr: AttrPath },
    /// `attrPath op value`.
    Compare {
        attr: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `not (filter)`.
    Not { filter: Box<Filter> },
    And {
        left: Box<Filter>,
        right: Box<Filter>,
    },
    Or {
        left: Box<Filter>,
        right: Box<Filter>,
    },
    /// `attr[filter]`: some value of a multi-valued complex attribute matches `filter`, whose paths
    /// name sub-attributes.
    ValuePath { attr: AttrPath, filter: Box<Filter> },
}

impl Filter {
    pub fn and(self, right: Filter) -> Filter {
        Filter::And {
            left: Box::new(self),
            right: Box::new(right),
        }
    }

    pub fn or(self, right: Filter) -> Filter {
        Filter::Or {
            left: Box::new(self),
            right: Box::new(right),
        }
    }

    /// The attributes the filter reads, as named at the top level (`emails[type eq "x"]` reads
    /// `emails`; `name.givenName` reads `name`), URN-qualified names as written. A caller checking
    /// results against the filter needs them all to be in the results.
    pub fn attributes(&self) -> Vec<&AttrPath> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match f {
                Filter::Present { attr } | Filter::Compare { attr, .. } => out.push(attr),
                Filter::ValuePath { attr, .. } => out.push(attr),
                Filter::Not { filter } => stack.push(filter),
                Filter::And { left, right } | Filter::Or { left, right } => {
                    stack.push(left);
                    stack.push(right);
                }
            }
        }
        out
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter {
        Filter::Not {
            filter: Box::new(self),
        }
    }
}
