//! Pacing: how many requests one connection has in flight, and how fast it starts them. SaaS SCIM
//! APIs limit both (a few requests at once, a few per second) and say so with 429 or 503; a server
//! at the end of its strength says so with answers that take longer and longer. The window adapts
//! like TCP's (AIMD): it grows while answers come back as fast as before and halves on a 429 or 503
//! (once per round trip, however many of the requests in flight were refused). A `Retry-After`
//! holds every request of the connection, not only the one refused, and a requests-per-second
//! limit spaces the starts. Every request of a client goes through here, loads and writes alike.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How a connection paces its requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacingConfig {
    /// The most requests in flight at once; the window never grows past it.
    pub max_in_flight: usize,
    /// Where the window starts.
    pub initial_in_flight: usize,
    /// At most this many requests started per second; `None` for no limit.
    pub requests_per_second: Option<f64>,
}

impl Default for PacingConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 8,
            // A limit is found by crossing it (a 429, and its Retry-After, for the whole
            // connection): the first requests that cross it together cost one pause; slow start
            // doubles the window each round trip from here while nothing says stop.
            initial_in_flight: 4,
            requests_per_second: None,
        }
    }
}

/// What the pacer did, for the load's summary, tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PacingStats {
    /// The window now (requests allowed in flight).
    pub window: usize,
    /// The widest it has been.
    pub peak_window: usize,
    /// Answers that were 429 or 503.
    pub throttled: u64,
    /// Times the window was cut (on 429/503, or on answers far slower than the fastest).
    pub cuts: u64,
    /// Requests sent.
    pub sent: u64,
}

/// Answers slower than this many times the fastest one seen mean the server is queueing: the window
/// is cut (gently) rather than grown.
const SLOW: f64 = 4.0;
/// Below this many times the fastest answer the window may grow.
const FAST: f64 = 2.0;
/// After a 429 or 503 the window stays below where it was refused for this many answers, then
/// probes above it again (the server's limit may have been raised, or was another client's).
const PROBE_AFTER: u64 = 200;

#[derive(Debug)]
struct State {
    window: f64,
    in_flight: usize,
    /// The earliest the next request may start (the requests-per-second limit).
    next_start: Instant,
    /// A `Retry-After` in force for the whole connection.
    paused_until: Option<Instant>,
    /// The fastest answer seen: the server's latency with no queue.
    fastest: Option<Duration>,
    /// No cut yet: grow by one per answer (doubling per round trip), as TCP's slow start.
    slow_start: bool,
    last_cut: Option<Instant>,
    /// The window a 429 or 503 came at: grown back to just below it, not past it, for a while.
    ceiling: Option<f64>,
    /// Requests sent before the last refusal's cut still in flight: when the first of them comes
    /// back fine, the ones still out were all admitted at once, so the limit is at least that.
    sent_before_refusal: usize,
    /// That first answer has been read for this refusal.
    admitted_counted: bool,
    answers_since_cut: u64,
    stats: PacingStats,
}

/// One connection's pacer, shared by the clones of its client.
#[derive(Debug)]
pub struct Pacer {
    config: PacingConfig,
    state: Mutex<State>,
    changed: Notify,
}

/// Leave to send one request; the pacer counts it in flight until it is dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    sent_at: Instant,
    /// Requests in flight when this one was sent, itself included: a 429 to it says the server
    /// takes fewer than this many at once (what is in flight when the answer comes is no guide:
    /// the others may have been answered meanwhile).
    in_flight_at_send: usize,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut s = self.pacer.lock();
        s.in_flight -= 1;
        if s.last_cut.is_some_and(|c| self.sent_at < c) {
            s.sent_before_refusal = s.sent_before_refusal.saturating_sub(1);
        }
        drop(s);
        self.pacer.changed.notify_waiters();
    }
}

impl Pacer {
    pub fn new(config: PacingConfig) -> Self {
        let config = PacingConfig {
            max_in_flight: config.max_in_flight.max(1),
            initial_in_flight: config
                .initial_in_flight
                .clamp(1, config.max_in_flight.max(1)),
            requests_per_second: config
                .requests_per_second
                .filter(|r| r.is_finite() && *r > 0.0),
        };
        Self {
            config,
            state: Mutex::new(State {
                window: config.initial_in_flight as f64,
                in_flight: 0,
                next_start: Instant::now(),
                paused_until: None,
                fastest: None,
                slow_start: true,
                last_cut: None,
                ceiling: None,
                sent_before_refusal: 0,
                admitted_counted: true,
                answers_since_cut: 0,
                stats: PacingStats {
                    window: config.initial_in_flight,
                    peak_window: config.initial_in_flight,
                    ..PacingStats::default()
                },
            }),
            changed: Notify::new(),
        }
    }

    pub fn config(&self) -> PacingConfig {
        self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding it leaves plain numbers: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests allowed in flight now.
    pub fn window(&self) -> usize {
        (self.lock().window as usize).max(1)
    }

    pub fn stats(&self) -> PacingStats {
        self.lock().stats
    }

    /// Waits until a request may be sent: a place in the window, the pause over, its turn in the
    /// requests-per-second spacing.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before looking, so a permit dropped in between still wakes us.
            notified.as_mut().enable();
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                if s.paused_until.is_some_and(|p| p <= now) {
                    s.paused_until = None;
                }
                let room = s.in_flight < (s.window as usize).max(1);
                match s.paused_until {
                    Some(until) => Some(until - now),
                    None if !room => None,
                    None if s.next_start > now => Some(s.next_start - now),
                    None => {
                        s.in_flight += 1;
                        s.stats.sent += 1;
                        if let Some(rate) = self.config.requests_per_second {
                            s.next_start =
                                s.next_start.max(now) + Duration::from_secs_f64(1.0 / rate);
                        }
                        return Permit {
                            pacer: self,
                            sent_at: now,
                            in_flight_at_send: s.in_flight,
                        };
                    }
                }
            };
            match wait {
                Some(d) => {
                    tokio::select! {
                        () = &mut notified => {}
                        () = tokio::time::sleep(d) => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// What the answer to `permit`'s request says about the server: `throttled` for a 429 or 503,
    /// with the `Retry-After` it gave.
    pub fn answered(&self, permit: &Permit<'_>, throttled: bool, retry_after: Option<Duration>) {
        let now = Instant::now();
        let took = now.saturating_duration_since(permit.sent_at);
        let max = self.config.max_in_flight as f64;
        let mut s = self.lock();
        // One cut per round trip: the requests sent before the last cut saw the old window.
        let after_last_cut = s.last_cut.is_none_or(|c| permit.sent_at >= c);
        if throttled {
            s.stats.throttled += 1;
            if let Some(wait) = retry_after {
                let until = now + wait;
                s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
            }
            let refused_at = permit.in_flight_at_send as f64;
            if !after_last_cut {
                // Another refusal of the same round: the limit is below the fewest in flight
                // any of them was sent with.
                s.ceiling = Some(s.ceiling.map_or(refused_at, |c| c.min(refused_at)));
            } else {
                // Sent with N in flight (this one included) and refused: the server's limit is
                // below N, whatever the window had grown to.
                s.ceiling = Some(refused_at.min(s.window.max(1.0)));
                s.sent_before_refusal = s.in_flight;
                s.admitted_counted = false;
                s.answers_since_cut = 0;
                s.window = (s.window / 2.0).max(1.0);
                s.slow_start = false;
                s.last_cut = Some(now);
                s.stats.cuts += 1;
            }
        } else {
            // Requests sent together reach the server in any order: the one refused may have been
            // sent third and arrived fifth. The first of the same round answered fine says how
            // many the server did take at once: those still in flight with it (it included).
            if !after_last_cut && !s.admitted_counted {
                s.admitted_counted = true;
                let admitted = s.sent_before_refusal as f64;
                if let Some(c) = s.ceiling {
                    s.ceiling = Some(c.max(admitted + 1.0));
                }
            }
            let fastest = *s.fastest.get_or_insert(took);
            let fastest = if took < fastest {
                s.fastest = Some(took);
                took
            } else {
                fastest
            };
            // Tens of milliseconds of jitter on a fast loopback server are not a queue.
            let floor = fastest.max(Duration::from_millis(5)).as_secs_f64();
            let ratio = took.as_secs_f64() / floor;
            if ratio > SLOW && after_last_cut && s.window > 1.0 {
                s.window = (s.window * 0.8).max(1.0);
                s.slow_start = false;
                s.last_cut = Some(now);
                s.stats.cuts += 1;
            } else if ratio <= FAST && s.in_flight as f64 * 2.0 >= s.window {
                // Grown only while at least half used (RFC 7661): a lone request, such as a load's
                // first page, says nothing about how many more the server would take.
                let step = if s.slow_start { 1.0 } else { 1.0 / s.window };
                s.answers_since_cut += 1;
                let mut grown = (s.window + step).min(max);
                match s.ceiling {
                    Some(_) if s.answers_since_cut >= PROBE_AFTER => s.ceiling = None,
                    Some(c) => grown = grown.min((c - 1.0).max(1.0)).max(s.window),
                    None => {}
                }
                s.window = grown;
            }
        }
        s.stats.window = (s.window as usize).max(1);
        s.stats.peak_window = s.stats.peak_window.max(s.stats.window);
        drop(s);
        self.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacer(max: usize, initial: usize, rps: Option<f64>) -> Pacer {
        Pacer::new(PacingConfig {
            max_in_flight: max,
            initial_in_flight: initial,
            requests_per_second: rps,
        })
    }

    /// One round trip with the window full: as many requests as it allows, all answered.
    async fn round_trip(p: &Pacer) {
        let permits = futures_join(p, p.window()).await;
        for permit in &permits {
            p.answered(permit, false, None);
        }
    }

    #[tokio::test]
    async fn the_window_grows_on_steady_answers_up_to_the_maximum() {
        let p = pacer(6, 2, None);
        for _ in 0..6 {
            round_trip(&p).await;
        }
        assert_eq!(p.window(), 6);
        assert_eq!(p.stats().peak_window, 6);
    }

    #[tokio::test]
    async fn a_lone_request_does_not_grow_the_window() {
        let p = pacer(8, 4, None);
        for _ in 0..10 {
            let permit = p.acquire().await;
            p.answered(&permit, false, None);
        }
        assert_eq!(p.window(), 4, "one at a time says nothing about four");
    }

    #[tokio::test]
    async fn a_429_halves_the_window_once_per_round_trip() {
        let p = pacer(8, 8, None);
        // Eight in flight, all refused: one cut, not eight.
        let permits: Vec<Permit<'_>> = futures_join(&p, 8).await;
        for permit in &permits {
            p.answered(permit, true, None);
        }
        assert_eq!(p.window(), 4);
        assert_eq!(p.stats().cuts, 1);
        assert_eq!(p.stats().throttled, 8);
        drop(permits);
        // A request sent after the cut and refused again cuts again.
        let permit = p.acquire().await;
        p.answered(&permit, true, None);
        assert_eq!(p.window(), 2);
    }

    #[tokio::test]
    async fn after_a_429_the_window_grows_back_to_just_below_where_it_was_refused() {
        let p = pacer(8, 3, None);
        let mut three = futures_join(&p, 3).await;
        let third = three.pop().expect("third");
        // The third at once is refused: the server takes two.
        p.answered(&third, true, None);
        drop((three, third));
        assert_eq!(p.window(), 1);
        for _ in 0..30 {
            round_trip(&p).await;
        }
        assert_eq!(p.window(), 2, "refused as the third: it holds at 2");
        for _ in 0..PROBE_AFTER {
            round_trip(&p).await;
        }
        assert!(p.window() > 2, "and probes again after a while");
    }

    #[tokio::test]
    async fn the_limit_is_read_from_how_many_were_in_flight_when_the_refused_one_was_sent() {
        // A server taking six: the seventh is refused, but its 429 comes back after the first six
        // were answered (only it is in flight by then).
        let p = pacer(8, 7, None);
        let mut seven = futures_join(&p, 7).await;
        let seventh = seven.pop().expect("seventh");
        for permit in &seven {
            p.answered(permit, false, None);
        }
        drop(seven);
        p.answered(&seventh, true, None);
        drop(seventh);
        for _ in 0..25 {
            round_trip(&p).await;
        }
        assert_eq!(p.window(), 6, "refused as the seventh: it grows back to 6");
    }

    #[tokio::test]
    async fn several_refusals_of_one_round_hold_below_the_lowest_of_them() {
        let p = pacer(8, 8, None);
        let mut eight = futures_join(&p, 8).await;
        // The server takes six: the seventh and eighth are refused (the eighth answered first).
        let eighth = eight.pop().expect("eighth");
        let seventh = eight.pop().expect("seventh");
        p.answered(&eighth, true, None);
        p.answered(&seventh, true, None);
        // A refused request's permit goes as soon as its 429 is read.
        drop((seventh, eighth));
        for permit in &eight {
            p.answered(permit, false, None);
        }
        drop(eight);
        for _ in 0..25 {
            round_trip(&p).await;
        }
        assert_eq!(
            p.window(),
            6,
            "two refusals in one round are one limit, not two"
        );
    }

    #[tokio::test]
    async fn a_refused_request_that_overtook_admitted_ones_does_not_set_the_limit_too_low() {
        // Six sent at once to a server taking four: the third and sixth arrive last and are
        // refused; the four others are still working when the refusals come back.
        let p = pacer(8, 6, None);
        let mut six = futures_join(&p, 6).await;
        let sixth = six.pop().expect("sixth");
        let third = six.remove(2);
        p.answered(&third, true, None);
        p.answered(&sixth, true, None);
        drop((third, sixth));
        for permit in &six {
            p.answered(permit, false, None);
        }
        drop(six);
        for _ in 0..25 {
            round_trip(&p).await;
        }
        assert_eq!(p.window(), 4, "four were taken at once: it grows back to 4");
    }

    async fn futures_join(p: &Pacer, n: usize) -> Vec<Permit<'_>> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(p.acquire().await);
        }
        out
    }

    #[tokio::test]
    async fn no_more_than_the_window_is_in_flight() {
        let p = pacer(2, 2, None);
        let a = p.acquire().await;
        let _b = p.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(50), p.acquire()).await;
        assert!(third.is_err(), "a third waits while two are in flight");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(500), p.acquire()).await;
        assert!(third.is_ok(), "and goes once one is done");
    }

    #[tokio::test]
    async fn retry_after_holds_every_request_of_the_connection() {
        let p = pacer(4, 4, None);
        let permit = p.acquire().await;
        p.answered(&permit, true, Some(Duration::from_millis(300)));
        drop(permit);
        let started = Instant::now();
        let _next = p.acquire().await;
        assert!(
            started.elapsed() >= Duration::from_millis(250),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn requests_per_second_space_the_starts() {
        let p = pacer(8, 8, Some(20.0));
        let started = Instant::now();
        for _ in 0..5 {
            let permit = p.acquire().await;
            p.answered(&permit, false, None);
        }
        // Five starts at 20 per second: the fifth at 200 ms at the earliest.
        assert!(
            started.elapsed() >= Duration::from_millis(190),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn nonsense_settings_are_made_safe() {
        let p = pacer(0, 99, Some(f64::NAN));
        assert_eq!(p.config().max_in_flight, 1);
        assert_eq!(p.config().initial_in_flight, 1);
        assert_eq!(p.config().requests_per_second, None);
    }
}
