//! Rate limiting the way SaaS SCIM APIs do it, so clients can be tested and measured against it:
//! a request beyond `max_in_flight` concurrent ones, or beyond `per_second` (a token bucket holding
//! one second's worth), is answered 429 with a `Retry-After` saying when to come back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits; `None` leaves that one out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// Requests the server works on at once (the injected latency counts as work).
    pub max_in_flight: Option<u32>,
    /// Requests started per second, in bursts of at most that many.
    pub per_second: Option<u32>,
}

impl RateLimit {
    pub fn is_set(&self) -> bool {
        self.max_in_flight.is_some() || self.per_second.is_some()
    }
}

/// What the server counted, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestStats {
    pub requests: u64,
    /// Of them, answered 429 by the rate limit or `throttle_every`.
    pub throttled: u64,
    /// The most requests the server was working on at once.
    pub peak_in_flight: u64,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) throttled: AtomicU64,
    /// Tokens left and when they were last counted.
    bucket: Mutex<(f64, Instant)>,
}

/// A request the server is working on; counted down when dropped.
pub(crate) struct Working<'a>(&'a Limiter);

impl Drop for Working<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let tokens = f64::from(limit.per_second.unwrap_or(0));
        Self {
            limit,
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            bucket: Mutex::new((tokens, Instant::now())),
        }
    }

    /// Admits a request, or says how long to wait (the `Retry-After`, whole seconds, at least 1).
    pub(crate) fn admit(&self) -> Result<Working<'_>, u64> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let now_working = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let working = Working(self);
        if self
            .limit
            .max_in_flight
            .is_some_and(|k| now_working > u64::from(k))
        {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            return Err(1);
        }
        if let Some(rate) = self.limit.per_second.filter(|r| *r > 0) {
            let rate = f64::from(rate);
            let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let (tokens, at) = *bucket;
            let tokens = (tokens + now.duration_since(at).as_secs_f64() * rate).min(rate);
            if tokens < 1.0 {
                *bucket = (tokens, now);
                self.throttled.fetch_add(1, Ordering::Relaxed);
                let wait = Duration::from_secs_f64((1.0 - tokens) / rate);
                return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
            }
            *bucket = (tokens - 1.0, now);
        }
        self.peak_in_flight
            .fetch_max(now_working, Ordering::Relaxed);
        Ok(working)
    }

    pub(crate) fn stats(&self) -> RequestStats {
        RequestStats {
            requests: self.requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            peak_in_flight: self.peak_in_flight.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_k_at_once_is_refused_and_a_finished_one_makes_room() {
        let l = Limiter::new(RateLimit {
            max_in_flight: Some(2),
            per_second: None,
        });
        let a = l.admit().expect("first");
        let _b = l.admit().expect("second");
        assert_eq!(l.admit().err(), Some(1), "a third at once");
        drop(a);
        assert!(l.admit().is_ok(), "room again");
        let s = l.stats();
        assert_eq!((s.requests, s.throttled, s.peak_in_flight), (4, 1, 2));
    }

    #[test]
    fn a_burst_past_the_rate_is_refused_until_tokens_come_back() {
        let l = Limiter::new(RateLimit {
            max_in_flight: None,
            per_second: Some(5),
        });
        let admitted = (0..8).filter(|_| l.admit().is_ok()).count();
        assert_eq!(admitted, 5, "one second's worth, then 429");
        std::thread::sleep(Duration::from_millis(450));
        assert!(l.admit().is_ok(), "two tokens came back in 0.4 s");
    }
}
