//! Per-client request rate limits: a token bucket per client, in a table of
//! bounded size.
//!
//! Each client may send `burst` requests at once and `rate` per second
//! sustained. A bucket is kept as one instant: the time at which it will be
//! full again ([`TokenBucket`]). This is the token bucket in the form of
//! the generic cell rate algorithm: the same decisions, but exact integer
//! time arithmetic and nothing to refill, and a refusal says how long until
//! the next token (the `Retry-After` of the 429).
//!
//! The table forgets a client once its bucket is full again (it then carries
//! no more than a fresh one), in a sweep at most every [`SWEEP_EVERY`]. When
//! it holds `max_clients` clients with partly spent buckets, it drops the
//! half whose buckets are fullest, the clients that spent the least of their
//! allowance: the table's memory stays bounded while a client that keeps
//! pressing the limit stays tracked.
//!
//! Time is passed in (`now`), so tests run on an invented clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::client::ClientKey;

/// How often idle clients are swept from the table.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// A refused rate.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RateError {
    /// Not a positive, finite number of requests per second (at least one
    /// per day).
    #[error("a rate must be between 1/86400 and 10^9 requests per second, not {0}")]
    Rate(f64),
    /// A burst of zero would refuse every request.
    #[error("a burst must be at least 1")]
    Burst,
}

/// A sustained rate and a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Time for one token to come back.
    interval: Duration,
    /// Bucket size.
    burst: u32,
    /// `(burst - 1) * interval`: how far ahead of now a bucket's full-again
    /// time may be while a token is still left.
    slack: Duration,
}

impl Rate {
    /// `per_second` requests per second sustained, `burst` at once.
    pub fn new(per_second: f64, burst: u32) -> Result<Self, RateError> {
        if !per_second.is_finite() || !(1.0 / 86_400.0..=1e9).contains(&per_second) {
            return Err(RateError::Rate(per_second));
        }
        if burst == 0 {
            return Err(RateError::Burst);
        }
        // At least 1 ns (rate <= 10^9), at most a day (8.64e13 ns).
        let interval = Duration::from_nanos((1e9 / per_second).round() as u64);
        Ok(Self {
            interval,
            burst,
            slack: interval.saturating_mul(burst - 1),
        })
    }

    /// Time for one token to come back.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The bucket size.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

/// One client's bucket: the instant at which it is full again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    full_at: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(now: Instant) -> Self {
        Self { full_at: now }
    }

    /// Takes a token, or says how long until one is back.
    pub fn take(&mut self, rate: &Rate, now: Instant) -> Result<(), Duration> {
        let from = self.full_at.max(now);
        // Time still owed to the bucket: (burst - tokens) * interval.
        let owed = from - now;
        if owed > rate.slack {
            return Err(owed - rate.slack);
        }
        self.full_at = from + rate.interval;
        Ok(())
    }

    /// Whether the bucket is full at `now` (a fresh one would be the same).
    pub fn is_full(&self, now: Instant) -> bool {
        self.full_at <= now
    }
}

/// The buckets of the clients seen lately.
pub struct RateLimiter {
    rate: Rate,
    max_clients: usize,
    table: Mutex<Table>,
}

struct Table {
    buckets: HashMap<ClientKey, TokenBucket>,
    next_sweep: Instant,
}

impl Table {
    /// Forgets the clients whose buckets are full; returns how many.
    fn sweep(&mut self, now: Instant) -> usize {
        let before = self.buckets.len();
        self.buckets.retain(|_, b| !b.is_full(now));
        self.next_sweep = now + SWEEP_EVERY;
        before - self.buckets.len()
    }

    /// Makes room for one more client below `max`: forgets the full buckets,
    /// then if need be the fullest half of the rest.
    fn make_room(&mut self, max: usize, now: Instant) -> usize {
        let mut dropped = self.sweep(now);
        if self.buckets.len() >= max {
            let mut times: Vec<Instant> = self.buckets.values().map(|b| b.full_at).collect();
            // The fullest half: every bucket full by the median time or sooner.
            let mid = (times.len() / 2).saturating_sub(1);
            let (_, cut, _) = times.select_nth_unstable(mid);
            let cut = *cut;
            let before = self.buckets.len();
            self.buckets.retain(|_, b| b.full_at > cut);
            dropped += before - self.buckets.len();
        }
        dropped
    }
}

impl RateLimiter {
    /// A limiter of `rate` per client, tracking at most `max_clients`
    /// (at least one).
    pub fn new(rate: Rate, max_clients: usize, now: Instant) -> Self {
        Self {
            rate,
            max_clients: max_clients.max(1),
            table: Mutex::new(Table {
                buckets: HashMap::new(),
                next_sweep: now + SWEEP_EVERY,
            }),
        }
    }

    /// The rate each client gets.
    pub fn rate(&self) -> &Rate {
        &self.rate
    }

    /// Counts one request of `client` at `now`: `Ok`, or how long until it
    /// may send again.
    pub fn check(&self, client: ClientKey, now: Instant) -> Result<(), Duration> {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if now >= table.next_sweep {
            table.sweep(now);
        }
        if let Some(bucket) = table.buckets.get_mut(&client) {
            return bucket.take(&self.rate, now);
        }
        if table.buckets.len() >= self.max_clients {
            let dropped = table.make_room(self.max_clients, now);
            tracing::debug!(
                dropped,
                max = self.max_clients,
                "rate limiter table full: forgot the clients closest to a full bucket"
            );
        }
        let mut bucket = TokenBucket::full(now);
        let verdict = bucket.take(&self.rate, now);
        table.buckets.insert(client, bucket);
        verdict
    }

    /// Clients tracked now.
    pub fn tracked(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .buckets
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn client(n: u32) -> ClientKey {
        ClientKey::of(IpAddr::from(n.to_be_bytes()))
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let rate = Rate::new(10.0, 5).expect("rate");
        assert_eq!(rate.interval(), ms(100));
        let t0 = Instant::now();
        let mut b = TokenBucket::full(t0);
        for _ in 0..5 {
            assert_eq!(b.take(&rate, t0), Ok(()));
        }
        // Empty: the next token is one interval away.
        assert_eq!(b.take(&rate, t0), Err(ms(100)));
        assert_eq!(b.take(&rate, t0 + ms(40)), Err(ms(60)));
        assert_eq!(b.take(&rate, t0 + ms(100)), Ok(()));
        assert_eq!(b.take(&rate, t0 + ms(100)), Err(ms(100)));
        // Refused requests cost nothing: waiting the time asked is enough.
        assert_eq!(b.take(&rate, t0 + ms(200)), Ok(()));
        // Sustained at the rate, forever.
        for i in 3..100u64 {
            assert_eq!(b.take(&rate, t0 + ms(100 * i)), Ok(()), "request {i}");
        }
        // A long pause fills it again, but not beyond the burst.
        let later = t0 + Duration::from_secs(3600);
        assert!(b.is_full(later));
        for _ in 0..5 {
            assert_eq!(b.take(&rate, later), Ok(()));
        }
        assert!(b.take(&rate, later).is_err());
        assert!(!b.is_full(later));
    }

    #[test]
    fn a_burst_of_one_is_a_plain_rate() {
        let rate = Rate::new(2.0, 1).expect("rate");
        let t0 = Instant::now();
        let mut b = TokenBucket::full(t0);
        assert_eq!(b.take(&rate, t0), Ok(()));
        assert_eq!(b.take(&rate, t0 + ms(100)), Err(ms(400)));
        assert_eq!(b.take(&rate, t0 + ms(500)), Ok(()));
    }

    #[test]
    fn bad_rates_are_refused() {
        assert_eq!(Rate::new(0.0, 1), Err(RateError::Rate(0.0)));
        assert!(Rate::new(f64::NAN, 1).is_err());
        assert!(Rate::new(-1.0, 1).is_err());
        assert!(Rate::new(f64::INFINITY, 1).is_err());
        assert_eq!(Rate::new(1.0, 0), Err(RateError::Burst));
        assert!(Rate::new(0.5, 1).is_ok());
    }

    #[test]
    fn clients_have_buckets_of_their_own() {
        let t0 = Instant::now();
        let limiter = RateLimiter::new(Rate::new(1.0, 2).expect("rate"), 100, t0);
        assert!(limiter.check(client(1), t0).is_ok());
        assert!(limiter.check(client(1), t0).is_ok());
        assert_eq!(limiter.check(client(1), t0), Err(Duration::from_secs(1)));
        assert!(
            limiter.check(client(2), t0).is_ok(),
            "another client is served"
        );
        assert_eq!(limiter.tracked(), 2);
    }

    #[test]
    fn idle_clients_are_swept() {
        let t0 = Instant::now();
        let limiter = RateLimiter::new(Rate::new(10.0, 3).expect("rate"), 100, t0);
        for n in 0..50 {
            assert!(limiter.check(client(n), t0).is_ok());
        }
        // Client 0 keeps going; the others go quiet.
        let mut t = t0;
        while t < t0 + SWEEP_EVERY {
            t += ms(100);
            assert!(limiter.check(client(0), t).is_ok());
        }
        assert_eq!(limiter.tracked(), 1, "full buckets were forgotten");
        // A forgotten client starts with a full bucket, as it would anyway.
        for _ in 0..3 {
            assert!(limiter.check(client(7), t).is_ok());
        }
        assert!(limiter.check(client(7), t).is_err());
    }

    #[test]
    fn the_table_stays_bounded_and_keeps_the_heaviest_clients() {
        let t0 = Instant::now();
        let max = 64;
        let limiter = RateLimiter::new(Rate::new(1.0, 10).expect("rate"), max, t0);
        // A heavy client empties its bucket.
        let heavy = client(u32::MAX);
        while limiter.check(heavy, t0).is_ok() {}
        // Many light ones (one request each) arrive within the sweep period.
        for n in 0..10_000 {
            let _ = limiter.check(client(n), t0 + ms(n as u64 / 1000));
            assert!(limiter.tracked() <= max, "{} tracked", limiter.tracked());
        }
        // The heavy client was never forgotten: it is still limited.
        assert!(limiter.check(heavy, t0 + ms(20)).is_err());
    }

    #[test]
    fn eviction_forgets_buckets_fuller_than_the_rest() {
        let t0 = Instant::now();
        let limiter = RateLimiter::new(Rate::new(1.0, 10).expect("rate"), 4, t0);
        // Clients 0..4 spend 1, 2, 3, 4 tokens.
        for n in 0..4u32 {
            for _ in 0..=n {
                assert!(limiter.check(client(n), t0).is_ok());
            }
        }
        // A fifth client: the two fullest (0 and 1) and nobody else go.
        assert!(limiter.check(client(9), t0).is_ok());
        assert_eq!(limiter.tracked(), 3);
        // Client 3 still has the 6 tokens it had left, not 10.
        for _ in 0..6 {
            assert!(limiter.check(client(3), t0).is_ok());
        }
        assert!(limiter.check(client(3), t0).is_err());
    }
}
