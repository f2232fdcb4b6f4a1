//! The CSV writer over arbitrary cells: read back by an RFC 4180 reader, every cell is what was
//! written (with the leading ' that neutralises a formula), and no cell starts like a formula.
use scim_services::export::{csv_line, is_formula_like};

fn read_record(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().map(|s| s.push('"'));
            }
            ('"', true) => quoted = false,
            (',', false) => cells.push(String::new()),
            (c, _) => {
                cells.last_mut().map(|s| s.push(c));
            }
        }
    }
    cells
}

pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let cells: Vec<&str> = s.split('\u{0}').take(8).collect();
    let line = csv_line(&cells);
    let back = read_record(line.strip_suffix("\r\n").expect("CRLF"));
    assert_eq!(back.len(), cells.len(), "{line:?}");
    for (written, read) in cells.iter().zip(&back) {
        assert!(!is_formula_like(read), "{read:?}");
        if is_formula_like(written) {
            assert_eq!(read, &format!("'{written}"));
        } else {
            assert_eq!(read, written);
        }
    }
}
