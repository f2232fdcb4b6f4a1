//! What every export shares: RFC 4180 CSV fields and lines, and writing an export file with a message
//! a person can act on when the path is wrong.

use crate::error::{AppError, ErrorKind};

/// RFC 4180: quote fields holding a comma, quote, CR or LF; double inner quotes.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One CSV record with its CRLF line end.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Writes an export to `path` and returns the path, for "Exported to …" messages.
pub fn write_file(path: &str, bytes: &[u8]) -> Result<String, AppError> {
    std::fs::write(path, bytes)
        .map_err(|e| AppError::new(ErrorKind::Storage, format!("Cannot write {path}: {e}.")))?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_line(&["a,b", "c"]), "\"a,b\",c\r\n");
        let err = write_file("/nonexistent-dir/x.csv", b"x").expect_err("no dir");
        assert!(err
            .message
            .starts_with("Cannot write /nonexistent-dir/x.csv"));
    }
}
