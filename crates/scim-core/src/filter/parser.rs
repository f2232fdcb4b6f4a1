//! Recursive-descent parser for RFC 7644 §3.4.2.2 filters, with errors a person can act on.
//!
//! Precedence (erratum 4670): grouping, then attribute operators, then `not`, `and`, `or`. The RFC's
//! ABNF is left-recursive, so `or` and `and` chains are parsed as loops and folded to the left.

use std::fmt;

use serde::Serialize;

use super::ast::{AttrPath, CompValue, CompareOp, Filter, Span};
use super::lexer::{tokenize, Tok, Token};
use crate::names::{is_attr_name, is_urn};

/// Why a filter or path could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseError {
    /// What is wrong, without the position (e.g. "expected a comparison operator after `userName`").
    pub message: String,
    /// Byte range in the source to underline.
    pub span: Span,
    /// 1-based column (in characters) of the span's start, for messages.
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

impl std::error::Error for ParseError {}

/// The longest filter or PATCH path accepted. Real filters are a few hundred bytes (Entra's longest
/// chain ids with `or`); a pasted 100 kB one is a mistake or an attack, and is refused with a message.
pub const MAX_SOURCE_BYTES: usize = 16 * 1024;
/// How deep `(`, `not (` and `[` may nest: each level is a recursion of the parser, the evaluator and
/// the printer, so the bound keeps all three off the end of the stack.
pub const MAX_NESTING: usize = 32;
/// How many comparisons one filter may chain with `and` / `or`: the tree is as deep as the chain.
pub const MAX_TERMS: usize = 1000;

/// Parses a filter such as `userName eq "ana" and emails[type eq "work"]`.
pub fn parse_filter(src: &str) -> Result<Filter, ParseError> {
    check_size(src, "filter")?;
    let mut parser = Parser::new(src)?;
    if parser.tokens.is_empty() {
        return Err(parser.error_at_end("the filter is empty"));
    }
    let filter = parser.parse_or(false)?;
    parser.expect_end("`and`, `or` or the end of the filter")?;
    Ok(filter)
}

const OPERATORS: &str = "eq, ne, co, sw, ew, gt, lt, ge, le";

/// Refuses a source longer than [`MAX_SOURCE_BYTES`] before tokenising it.
pub(crate) fn check_size(src: &str, what: &str) -> Result<(), ParseError> {
    if src.len() <= MAX_SOURCE_BYTES {
        return Ok(());
    }
    Err(ParseError {
        message: format!(
            "the {what} is {} bytes long; at most {MAX_SOURCE_BYTES} are accepted",
            src.len()
        ),
        span: Span::new(0, 0),
        column: 1,
    })
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) pos: usize,
    depth: usize,
    terms: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str) -> Result<Self, ParseError> {
        let tokens = tokenize(src).map_err(|e| make_error(src, e.message, e.span))?;
        Ok(Self {
            src,
            tokens,
            pos: 0,
            depth: 0,
            terms: 0,
        })
    }

    pub(crate) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn peek_is(&self, offset: usize, tok: &Tok) -> bool {
        self.tokens.get(self.pos + offset).map(|t| &t.tok) == Some(tok)
    }

    pub(crate) fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub(crate) fn error(&self, message: impl Into<String>, span: Span) -> ParseError {
        make_error(self.src, message.into(), span)
    }

    pub(crate) fn error_at_end(&self, message: impl Into<String>) -> ParseError {
        let end = self.src.trim_end().len();
        self.error(message, Span::new(end, end))
    }

    /// An error at the current token, or at the end of input when there is none.
    pub(crate) fn error_here(&self, message: impl Into<String>) -> ParseError {
        match self.peek() {
            Some(t) => self.error(message, t.span),
            None => self.error_at_end(message),
        }
    }

    pub(crate) fn expect_end(&self, expected: &str) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) if t.tok == Tok::RParen => {
                Err(self.error("this `)` has no matching `(`", t.span))
            }
            Some(t) if t.tok == Tok::RBracket => {
                Err(self.error("this `]` has no matching `[`", t.span))
            }
            Some(t) => Err(self.error(
                format!("expected {expected}, found {}", describe(&t.tok)),
                t.span,
            )),
        }
    }

    /// `FILTER *("or" FILTER)`, where each operand is an `and` chain.
    pub(crate) fn parse_or(&mut self, in_value_filter: bool) -> Result<Filter, ParseError> {
        let mut left = self.parse_and(in_value_filter)?;
        while self
            .peek_word()
            .is_some_and(|w| w.eq_ignore_ascii_case("or"))
        {
            self.pos += 1;
            let right = self.parse_and(in_value_filter)?;
            left = left.or(right);
        }
        Ok(left)
    }

    fn parse_and(&mut self, in_value_filter: bool) -> Result<Filter, ParseError> {
        let mut left = self.parse_unary(in_value_filter)?;
        while self
            .peek_word()
            .is_some_and(|w| w.eq_ignore_ascii_case("and"))
        {
            self.pos += 1;
            let right = self.parse_unary(in_value_filter)?;
            left = left.and(right);
        }
        Ok(left)
    }

    fn parse_unary(&mut self, in_value_filter: bool) -> Result<Filter, ParseError> {
        // `not` is a keyword only before `(` (errata 4690/7319 allow `not(` and `not (`).
        if self
            .peek_word()
            .is_some_and(|w| w.eq_ignore_ascii_case("not"))
            && self.peek_is(1, &Tok::LParen)
        {
            self.pos += 1;
            let inner = self.parse_group(in_value_filter)?;
            return Ok(inner.not());
        }
        self.parse_primary(in_value_filter)
    }

    /// Enters one level of `(` or `[`, refusing to go past [`MAX_NESTING`].
    fn enter(&mut self, open: Span) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(
                format!("brackets nest more than {MAX_NESTING} levels deep here"),
                open,
            ));
        }
        Ok(())
    }

    fn parse_group(&mut self, in_value_filter: bool) -> Result<Filter, ParseError> {
        let open = self.next().map(|t| t.span).unwrap_or_default();
        if self.peek().is_none() {
            return Err(self.error_at_end("expected a filter after `(`"));
        }
        self.enter(open)?;
        let inner = self.parse_or(in_value_filter)?;
        self.depth -= 1;
        match self.next() {
            Some(Token {
                tok: Tok::RParen, ..
            }) => Ok(inner),
            Some(t) => Err(self.error(
                format!("expected `and`, `or` or `)`, found {}", describe(&t.tok)),
                t.span,
            )),
            None => Err(self.error("this `(` is never closed", open)),
        }
    }

    fn parse_primary(&mut self, in_value_filter: bool) -> Result<Filter, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error_at_end("expected an attribute name or `(`"));
        };
        match &token.tok {
            Tok::LParen => self.parse_group(in_value_filter),
            Tok::Word(word) => {
                self.terms += 1;
                if self.terms > MAX_TERMS {
                    return Err(self.error(
                        format!("the filter chains more than {MAX_TERMS} comparisons"),
                        token.span,
                    ));
                }
                self.pos += 1;
                let attr = self.attr_path(word, token.span)?;
                self.parse_after_attr(attr, in_value_filter)
            }
            other => Err(self.error(
                format!("expected an attribute name, found {}", describe(other)),
                token.span,
            )),
        }
    }

    fn parse_after_attr(
        &mut self,
        attr: AttrPath,
        in_value_filter: bool,
    ) -> Result<Filter, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error_at_end(format!(
                "expected a comparison operator ({OPERATORS}) or `pr` after `{attr}`"
            )));
        };
        match &token.tok {
            Tok::LBracket => {
                if in_value_filter {
                    return Err(self.error("a value filter `[…]` cannot contain another one", token.span));
                }
                self.value_filter(attr)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("pr") => {
                self.pos += 1;
                Ok(Filter::Present { attr })
            }
            Tok::Word(w) => match CompareOp::parse(w) {
                Some(op) => {
                    self.pos += 1;
                    let value = self.comp_value(op)?;
                    Ok(Filter::Compare { attr, op, value })
                }
                None => Err(self.error(
                    format!("`{w}` is not a comparison operator; expected one of {OPERATORS} or `pr` after `{attr}`"),
                    token.span,
                )),
            },
            other => Err(self.error(
                format!("expected a comparison operator ({OPERATORS}) or `pr` after `{attr}`, found {}", describe(other)),
                token.span,
            )),
        }
    }

    /// `attr "[" valFilter "]"`, the `[` being the current token.
    pub(crate) fn value_filter(&mut self, attr: AttrPath) -> Result<Filter, ParseError> {
        let open = self.next().map(|t| t.span).unwrap_or_default();
        if attr.sub.is_some() {
            return Err(self.error(
                format!("a value filter applies to a multi-valued attribute, not to the sub-attribute `{attr}`"),
                attr.span,
            ));
        }
        if self.peek().is_some_and(|t| t.tok == Tok::RBracket) {
            return Err(self.error_here("expected a filter inside `[…]`"));
        }
        self.enter(open)?;
        let inner = self.parse_or(true)?;
        self.depth -= 1;
        match self.next() {
            Some(Token {
                tok: Tok::RBracket, ..
            }) => Ok(Filter::ValuePath {
                attr,
                filter: Box::new(inner),
            }),
            Some(t) => Err(self.error(
                format!("expected `and`, `or` or `]`, found {}", describe(&t.tok)),
                t.span,
            )),
            None => Err(self.error("this `[` is never closed", open)),
        }
    }

    fn comp_value(&mut self, op: CompareOp) -> Result<CompValue, ParseError> {
        let expected = format!(
            "expected a value (a \"string\", a number, true, false or null) after `{}`",
            op.as_str()
        );
        let Some(token) = self.next() else {
            return Err(self.error_at_end(expected));
        };
        match token.tok {
            Tok::Str(s) => Ok(CompValue::String(s)),
            Tok::Num(n) => Ok(CompValue::Number(n)),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Ok(CompValue::Bool(true)),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Ok(CompValue::Bool(false)),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Ok(CompValue::Null),
            Tok::Word(w) => Err(self.error(
                format!("{expected}; to compare with the text {w}, quote it: \"{w}\""),
                token.span,
            )),
            other => Err(self.error(
                format!("{expected}, found {}", describe(&other)),
                token.span,
            )),
        }
    }

    /// Splits a word into `[urn:]name[.sub]` and validates each part.
    pub(crate) fn attr_path(&self, word: &str, span: Span) -> Result<AttrPath, ParseError> {
        let (urn, rest) = if is_urn(word) {
            match word.rfind(':') {
                Some(idx) if idx + 1 < word.len() => {
                    (Some(word[..idx].to_owned()), &word[idx + 1..])
                }
                _ => {
                    return Err(self.error(
                        format!("`{word}` is a schema URN without an attribute name after it"),
                        span,
                    ))
                }
            }
        } else {
            (None, word)
        };
        let mut parts = rest.split('.');
        let name = parts.next().unwrap_or_default().to_owned();
        let sub = parts.next().map(str::to_owned);
        if parts.next().is_some() {
            return Err(self.error(
                format!("`{word}` goes too deep: SCIM paths are `attribute` or `attribute.subAttribute`"),
                span,
            ));
        }
        if !is_attr_name(&name) {
            return Err(self.error(format!("`{name}` is not a valid attribute name"), span));
        }
        if let Some(sub) = &sub {
            if !is_attr_name(sub) {
                return Err(self.error(format!("`{sub}` is not a valid sub-attribute name"), span));
            }
        }
        Ok(AttrPath {
            urn,
            name,
            sub,
            span,
        })
    }
}

fn make_error(src: &str, message: String, span: Span) -> ParseError {
    let start = span.start.min(src.len());
    let column = src
        .get(..start)
        .map_or(start, |prefix| prefix.chars().count())
        + 1;
    ParseError {
        message,
        span,
        column,
    }
}

pub(crate) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Str(s) => format!("the string {}", serde_json::Value::String(s.clone())),
        Tok::Num(n) => format!("the number {n}"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
    }
}
