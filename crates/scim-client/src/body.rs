//! Reading an answer's body with a size cap and a stall check, so a server that sends an endless
//! body, announces a 50 GB one or trickles bytes cannot exhaust memory or hold a load forever.

use std::time::{Duration, Instant};

use crate::error::ClientError;

/// The largest body read by default: a page of 1,000 rich users is ~10 MB, a 50k-member group ~5 MB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 128 * 1024 * 1024;
/// The OAuth token endpoint answers a few hundred bytes; anything near this is not a token.
pub const TOKEN_MAX_BODY_BYTES: u64 = 64 * 1024;

/// How a body is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    pub max_bytes: u64,
    /// The longest wait for the next bytes of a body that has started.
    pub idle: Duration,
    /// When the whole body must have arrived (the request's own deadline).
    pub deadline: Instant,
}

/// The body of `response`, refused past `limits.max_bytes` (by `Content-Length` first, then while
/// streaming) and stopped when it stalls or is still arriving at the deadline.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    url: &str,
    limits: BodyLimits,
) -> Result<bytes::Bytes, ClientError> {
    let too_large = |seen: u64, announced: bool| ClientError::TooLarge {
        url: url.to_owned(),
        limit: limits.max_bytes,
        seen,
        announced,
    };
    if let Some(length) = response.content_length() {
        if length > limits.max_bytes {
            return Err(too_large(length, true));
        }
    }
    let started = Instant::now();
    let capacity = response.content_length().unwrap_or(0).min(limits.max_bytes) as usize;
    let mut body = bytes::BytesMut::with_capacity(capacity);
    loop {
        let now = Instant::now();
        let wait = limits
            .idle
            .min(limits.deadline.saturating_duration_since(now));
        let stalled = |received: usize| ClientError::Network {
            url: url.to_owned(),
            message: stall_message(
                received,
                started.elapsed(),
                Instant::now() + Duration::from_millis(50) >= limits.deadline,
            ),
            timeout: true,
        };
        let chunk = match tokio::time::timeout(wait, response.chunk()).await {
            Err(_) => return Err(stalled(body.len())),
            Ok(Err(e)) if e.is_timeout() => return Err(stalled(body.len())),
            Ok(Err(e)) => {
                return Err(ClientError::Network {
                    url: url.to_owned(),
                    message: format!(
                        "the connection broke after {} of the answer: {e}",
                        size(body.len() as u64)
                    ),
                    timeout: false,
                })
            }
            Ok(Ok(None)) => return Ok(body.freeze()),
            Ok(Ok(Some(chunk))) => chunk,
        };
        if body.len() as u64 + chunk.len() as u64 > limits.max_bytes {
            return Err(too_large(body.len() as u64 + chunk.len() as u64, false));
        }
        body.extend_from_slice(&chunk);
    }
}

fn stall_message(received: usize, elapsed: Duration, at_deadline: bool) -> String {
    let what = if received == 0 {
        "the server sent its headers but no body".to_owned()
    } else {
        format!(
            "the server stopped part-way through its answer ({} in {:.0} s)",
            size(received as u64),
            elapsed.as_secs_f64()
        )
    };
    if at_deadline {
        format!(
            "{what} and was still sending when the request's time ran out; the read was stopped"
        )
    } else {
        format!("{what}; nothing more arrived, so the read was stopped")
    }
}

/// `1.5 MB`, `312 bytes`: sizes in messages.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(312), "312 bytes");
        assert_eq!(size(1536), "1.5 kB");
        assert_eq!(size(128 * 1024 * 1024), "128.0 MB");
        assert_eq!(size(5 << 30), "5.0 GB");
    }

    #[test]
    fn stalls_say_what_arrived() {
        let m = stall_message(2048, Duration::from_secs(4), false);
        assert!(
            m.contains("2.0 kB in 4 s") && m.contains("nothing more arrived"),
            "{m}"
        );
        let m = stall_message(0, Duration::from_secs(1), true);
        assert!(m.contains("no body") && m.contains("time ran out"), "{m}");
    }
}
