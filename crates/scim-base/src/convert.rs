//! Maps lower-level failures (client, core) to the [`AppError`] the UI and CLI show.

use scim_client::ClientError;

use crate::error::{AppError, ErrorKind, ScimErrorInfo};

impl From<ClientError> for AppError {
    fn from(e: ClientError) -> Self {
        let message = e.to_string();
        match e {
            ClientError::InvalidInput(m) => AppError::new(ErrorKind::InvalidInput, m),
            ClientError::Network { .. } => AppError::new(ErrorKind::Network, message),
            ClientError::Decode(_) | ClientError::TooLarge { .. } => {
                AppError::new(ErrorKind::Server, message)
            }
            ClientError::ResourceCap { .. } => AppError::new(ErrorKind::Server, message),
            ClientError::Cancelled => AppError::new(ErrorKind::Cancelled, "Cancelled."),
            ClientError::Output(_) => AppError::new(ErrorKind::Storage, message),
            ClientError::Http {
                status, scim, body, ..
            } => {
                let kind = if matches!(status, 401 | 403) {
                    ErrorKind::Auth
                } else {
                    ErrorKind::Server
                };
                // The status and the server's own words travel in `scim`; the message says what it means.
                let meaning = scim_client::status_meaning(status);
                let mut sentence = meaning.to_owned();
                if let Some(first) = sentence.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                AppError::new(kind, format!("{sentence}.")).with_scim(ScimErrorInfo {
                    http_status: Some(status),
                    scim_type: scim.as_ref().and_then(|s| s.scim_type.clone()),
                    detail: scim.and_then(|s| s.detail).or(body),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_are_their_own_kind() {
        let e: AppError = ClientError::Http {
            status: 403,
            scim: None,
            body: Some("SCIM disabled".into()),
            retry_after: None,
        }
        .into();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(
            e.scim.as_ref().and_then(|s| s.detail.as_deref()),
            Some("SCIM disabled")
        );
    }
}
