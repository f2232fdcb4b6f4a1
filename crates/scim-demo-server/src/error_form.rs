//! How the server writes its error bodies. RFC 7644 §3.12 gives one form (a SCIM Error with
//! `status` as a string); servers in the field also answer with `status` as a number, or with the
//! HTML page of the framework or proxy in front of them — this imitates both, for the check's tests.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde_json::Value;

/// The form of every error answer (status 400 and above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorForm {
    /// A SCIM Error, `status` a string.
    #[default]
    Scim,
    /// A SCIM Error whose `status` is a JSON number.
    NumericStatus,
    /// An HTML page, as a web framework's default error handler writes it.
    Html,
}

/// `response` with its error body rewritten in `form`; anything not an error passes unchanged.
pub(crate) async fn reform(form: ErrorForm, response: Response) -> Response {
    if form == ErrorForm::Scim || response.status().as_u16() < 400 {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The server's own error bodies are small; anything larger is passed on untouched.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let reformed = match form {
        ErrorForm::Scim => bytes.to_vec(),
        ErrorForm::NumericStatus => match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut error) => {
                if let Some(o) = error.as_object_mut() {
                    o.insert("status".into(), Value::from(parts.status.as_u16()));
                }
                error.to_string().into_bytes()
            }
            Err(_) => bytes.to_vec(),
        },
        ErrorForm::Html => {
            let code = parts.status.as_u16();
            let reason = parts.status.canonical_reason().unwrap_or("Error");
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            format!("<!DOCTYPE html><html><head><title>{code} {reason}</title></head><body><h1>Whitelabel Error Page</h1><p>There was an unexpected error (type={reason}, status={code}).</p></body></html>").into_bytes()
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(reformed))
}
