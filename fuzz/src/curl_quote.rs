//! "Copy as curl" over arbitrary URLs, header values and bodies: every argument, read back as a
//! POSIX shell would read it, is exactly what was logged — nothing is expanded but the placeholders.
use scim_client::Exchange;

/// Splits a command the way `sh` does for the quoting `to_curl` uses: '…', "$VAR" and bare words.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                    assert!(q != '`' && q != '\\' , "only a bare $VAR may be double-quoted: {cmd}");
                    cur.push(q);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c => {
                assert!(!matches!(c, '$' | '`' | ';' | '|' | '&' | '(' | ')' | '<' | '>'), "unquoted {c:?} in {cmd}");
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let parts: Vec<&str> = s.splitn(3, '\u{0}').collect();
    let [url, etag, body] = parts[..] else { return };
    if url.contains('\u{2022}') || etag.contains('\u{2022}') {
        return; // the mask character marks a placeholder: not server data
    }
    let e = Exchange {
        seq: 1,
        started_at_ms: 0,
        method: "PATCH".into(),
        url: url.into(),
        request_headers: vec![
            ("authorization".into(), "Bearer ••••••".into()),
            ("if-match".into(), etag.into()),
        ],
        request_body: Some(body.into()),
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        duration_ms: 0,
        request_bytes: 0,
        response_bytes: 0,
        attempt: 1,
        error: None,
    };
    let words = shell_words(&e.to_curl());
    assert_eq!(words[3], url);
    assert_eq!(words[5], "authorization: Bearer $SCIM_TOKEN");
    assert_eq!(words[7], format!("if-match: {etag}"));
    assert_eq!(words[9], body);
}
