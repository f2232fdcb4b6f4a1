//! What every export shares: RFC 4180 CSV fields and lines (with cells a spreadsheet would run as
//! formulas neutralised), and writing an export file with a message a person can act on when the
//! path is wrong.

use crate::error::{AppError, ErrorKind};

/// Said in every CSV's provenance line, so a reader knows why some cells start with `'`.
pub const FORMULA_NOTE: &str =
    "cells starting with = + - @ tab or CR are prefixed with ' so spreadsheets do not run them";

/// True for a cell a spreadsheet would evaluate (OWASP's CSV injection list).
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// RFC 4180: quote fields holding a comma, quote, CR or LF; double inner quotes. A value anyone
/// could choose (a displayName) starting like a formula gets a leading `'` (OWASP), so opening the
/// export in Excel or Sheets shows it instead of running it.
pub fn csv_field(s: &str) -> String {
    let neutral;
    let s = if is_formula_like(s) {
        neutral = format!("'{s}");
        neutral.as_str()
    } else {
        s
    };
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
/// Exports hold directory data: written privately (0600) and whole, like every file we keep.
pub fn write_file(path: &str, bytes: &[u8]) -> Result<String, AppError> {
    let target = std::path::Path::new(path);
    let parent_exists = target
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || p.exists());
    if !parent_exists {
        // A path the user chose: say it is wrong rather than create folders they did not ask for.
        return Err(AppError::new(
            ErrorKind::Storage,
            format!("Cannot write {path}: the folder does not exist."),
        ));
    }
    crate::private_files::write_atomic(target, crate::private_files::Place::Replace, |f| {
        std::io::Write::write_all(f, bytes)
    })
    .map_err(|e| AppError::new(ErrorKind::Storage, e.message))?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised() {
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_field("a=b"), "a=b", "only a leading sign counts");
        assert_eq!(csv_field("名前=x"), "名前=x");
    }

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
