//! SCIM filters (RFC 7644 §3.4.2.2): parse text into an AST with source spans, print it back as
//! canonical text, evaluate it locally over resources, and build it programmatically.
//!
//! Used to validate what the user types before sending it, to filter snapshots offline, to check
//! servers that ignore filters, and by the demo server to answer queries.

mod ast;
mod builder;
mod eval;
pub(crate) mod lexer;
mod parser;
mod print;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, Span};
pub use builder::{attr, FilterBuilder};
pub(crate) use eval::{builtin_schemas, matches_element};
pub use eval::{evaluate, values_at, EvalError, EvalOptions};
pub(crate) use parser::{check_size, Parser};
pub use parser::{parse_filter, ParseError, MAX_NESTING, MAX_SOURCE_BYTES, MAX_TERMS};
