//! How a server writes its errors (RFC 7644 §3.12): a SCIM Error, `status` a string equal to the
//! HTTP status, served as JSON. HTML pages and numeric `status` are common in the field, and both
//! break clients typed by the RFC; this judges the error answers the check provoked.

use scim_client::Exchange;
use scim_core::error::ScimErrorBody;
use serde_json::Value;

use super::Outcome;

/// One error answer's faults, in words (empty when it is a proper SCIM Error).
fn faults(exchange: &Exchange) -> Vec<String> {
    let status = exchange.status.unwrap_or(0);
    let content_type = exchange
        .response_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let body = exchange.response_body.as_deref().unwrap_or("").trim();
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let Some(json) = parsed else {
        let what = if content_type.contains("html") || body.starts_with('<') {
            "an HTML page"
        } else if body.is_empty() {
            "an empty body"
        } else {
            "a body that is not JSON"
        };
        return vec![format!(
            "{status} was answered with {what}, not a SCIM Error"
        )];
    };
    let mut out = Vec::new();
    match ScimErrorBody::from_json(&json) {
        None => out.push(format!(
            "{status} was answered with JSON that is not an error"
        )),
        Some((error, warnings)) => {
            for w in warnings {
                out.push(format!("{status}: {}", w.message));
            }
            if error.status.is_some_and(|s| s != status) {
                out.push(format!(
                    "{status}: the body's `status` says {}",
                    error.status.unwrap_or_default()
                ));
            }
            if error.status.is_none() {
                out.push(format!("{status}: the error has no `status`"));
            }
        }
    }
    if !content_type.contains("json") {
        out.push(format!(
            "{status}: served as `{}`, not application/scim+json",
            if content_type.is_empty() {
                "no Content-Type"
            } else {
                &content_type
            }
        ));
    }
    out
}

/// The verdict on the error answers among `exchanges`; `None` when none was an error.
pub(super) fn verdict(exchanges: &[Exchange]) -> Option<(Outcome, String)> {
    let errors: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.status.is_some_and(|s| s >= 400))
        .collect();
    if errors.is_empty() {
        return None;
    }
    let mut found: Vec<String> = errors.iter().flat_map(|e| faults(e)).collect();
    found.dedup();
    Some(if found.is_empty() {
        (
            Outcome::Pass,
            format!(
                "{} error answer{} read, each a SCIM Error with `status` as a string",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
        )
    } else {
        (
            Outcome::Deviation,
            format!(
                "{}. RFC 7644 §3.12: errors are SCIM Error bodies (`status` a string); clients read the reason from them, and strict ones fail on anything else",
                found.join("; ")
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: &str, body: &str) -> Exchange {
        Exchange {
            seq: 1,
            started_at_ms: 0,
            method: "GET".into(),
            url: "http://x/Users/1".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(status),
            response_headers: vec![("Content-Type".into(), content_type.into())],
            response_body: Some(body.into()),
            duration_ms: 0,
            request_bytes: 0,
            response_bytes: body.len(),
            attempt: 1,
            error: None,
        }
    }

    const SCIM: &str = "application/scim+json";
    const ERROR: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no"}"#;

    #[test]
    fn a_scim_error_passes_and_anything_else_is_named() {
        assert_eq!(verdict(&[answer(200, SCIM, "{}")]), None);
        assert_eq!(
            verdict(&[answer(404, SCIM, ERROR)]).unwrap().0,
            Outcome::Pass
        );
        let numeric = ERROR.replace(r#""404""#, "404");
        let (outcome, detail) = verdict(&[answer(404, SCIM, &numeric)]).unwrap();
        assert_eq!(outcome, Outcome::Deviation);
        assert!(detail.contains("is a number"), "{detail}");
        let (outcome, detail) =
            verdict(&[answer(400, "text/html", "<!DOCTYPE html><html></html>")]).unwrap();
        assert_eq!(outcome, Outcome::Deviation);
        assert!(
            detail.contains("400 was answered with an HTML page"),
            "{detail}"
        );
        let (_, detail) =
            verdict(&[answer(404, SCIM, &ERROR.replace(r#""404""#, r#""500""#))]).unwrap();
        assert!(detail.contains("says 500"), "{detail}");
        let (_, detail) = verdict(&[answer(404, "text/plain", ERROR)]).unwrap();
        assert!(detail.contains("text/plain"), "{detail}");
        let (_, detail) = verdict(&[answer(404, SCIM, r#"{"message":"nope"}"#)]).unwrap();
        assert!(detail.contains("not a SCIM error"), "{detail}");
        let (_, detail) = verdict(&[answer(500, SCIM, "")]).unwrap();
        assert!(detail.contains("empty body"), "{detail}");
    }
}
