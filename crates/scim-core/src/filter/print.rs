//! Canonical filter text: lowercase keywords, JSON literals, single spaces, and only the parentheses the
//! precedence rules need, so that `parse_filter(&f.to_string()) == f`.

use std::fmt;

use super::ast::{CompValue, Filter};

/// Binding strength: higher binds tighter.
fn precedence(f: &Filter) -> u8 {
    match f {
        Filter::Or { .. } => 1,
        Filter::And { .. } => 2,
        _ => 3,
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Present { attr } => write!(f, "{attr} pr"),
            Filter::Compare { attr, op, value } => write!(f, "{attr} {} {value}", op.as_str()),
            Filter::Not { filter } => write!(f, "not ({filter})"),
            Filter::ValuePath { attr, filter } => write!(f, "{attr}[{filter}]"),
            Filter::And { left, right } | Filter::Or { left, right } => {
                let own = precedence(self);
                let keyword = if own == 1 { "or" } else { "and" };
                // Chains fold to the left, so a right operand of equal strength needs parentheses.
                write_operand(f, left, precedence(left) < own)?;
                write!(f, " {keyword} ")?;
                write_operand(f, right, precedence(right) <= own)
            }
        }
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, operand: &Filter, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({operand})")
    } else {
        write!(f, "{operand}")
    }
}
