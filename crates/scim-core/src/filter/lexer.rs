//! Tokens of the filter and PATCH path grammars. Keywords (`and`, `eq`, `pr`, …) are plain words here:
//! whether a word is a keyword depends on where it stands, which only the parser knows.

use super::ast::Span;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An attribute path or keyword: letters, digits, `-`, `_`, `.`, `:`, `$`.
    Word(String),
    /// A JSON string literal, already unescaped.
    Str(String),
    /// A JSON number literal, as written.
    Num(serde_json::Number),
    LParen,
    RParen,
    LBracket,
    RBracket,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// A lexing failure: message and the byte range it concerns.
#[derive(Debug, Clone)]
pub(crate) struct LexError {
    pub message: String,
    pub span: Span,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '$')
}

pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' | ')' | '[' | ']' => {
                let tok = match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    _ => Tok::RBracket,
                };
                i += 1;
                out.push(Token {
                    tok,
                    span: Span::new(start, i),
                });
            }
            '"' => {
                i = string_end(src, start)?;
                let literal = &src[start..i];
                let value: String = serde_json::from_str(literal).map_err(|_| LexError {
                    message: format!("invalid escape in the string {literal}"),
                    span: Span::new(start, i),
                })?;
                out.push(Token {
                    tok: Tok::Str(value),
                    span: Span::new(start, i),
                });
            }
            '-' | '0'..='9' => {
                i = number_end(src, start);
                let literal = &src[start..i];
                let number: serde_json::Number =
                    serde_json::from_str(literal).map_err(|_| LexError {
                        message: format!("`{literal}` is not a valid JSON number"),
                        span: Span::new(start, i),
                    })?;
                out.push(Token {
                    tok: Tok::Num(number),
                    span: Span::new(start, i),
                });
            }
            c if is_word_char(c) => {
                while i < bytes.len() && is_word_char(bytes[i] as char) {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Word(src[start..i].to_owned()),
                    span: Span::new(start, i),
                });
            }
            '\'' => {
                return Err(LexError {
                    message: "strings are written in double quotes (\"…\"), not single quotes"
                        .into(),
                    span: Span::new(start, start + 1),
                })
            }
            other => {
                return Err(LexError {
                    message: format!("unexpected character `{other}`"),
                    span: Span::new(start, start + other.len_utf8()),
                })
            }
        }
    }
    Ok(out)
}

/// Index just past the closing quote of the string starting at `start`.
fn string_end(src: &str, start: usize) -> Result<usize, LexError> {
    let bytes = src.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(LexError {
        message: "this string is never closed: add a `\"`".into(),
        span: Span::new(start, src.len()),
    })
}

/// Index just past a JSON-number-looking run (validated by serde_json afterwards).
fn number_end(src: &str, start: usize) -> usize {
    let bytes = src.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let sign_after_exp =
            (b == b'+' || b == b'-') && i > start && matches!(bytes[i - 1], b'e' | b'E');
        if b.is_ascii_digit()
            || matches!(b, b'.' | b'e' | b'E')
            || sign_after_exp
            || (i == start && b == b'-')
        {
            i += 1;
        } else {
            break;
        }
    }
    i
}
