//! The clock as files and reports state it.

/// Now as RFC 3339 UTC (seconds), without a date library.
pub fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    scim_core::datetime::format_epoch_ms(ms, false)
}
