//! Per-peer rate limits (token buckets) and penalty accounting.
//!
//! Both are plain data structures driven by the swarm task with an explicit
//! clock, so they are tested without timing.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use libp2p::PeerId;

/// A token-bucket rate: `per_second` on average, with bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Tokens added per second (0: never refilled, the burst is all a peer
    /// ever gets; useful in tests).
    pub per_second: u32,
    /// Bucket capacity (a fresh peer starts with a full bucket).
    pub burst: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// One token bucket per peer.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: HashMap<PeerId, Bucket>,
}

impl RateLimiter {
    /// A limiter where every peer gets `limit`.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token from `peer`'s bucket; false if the bucket is empty.
    pub fn allow(&mut self, peer: PeerId, now: Instant) -> bool {
        let burst = f64::from(self.limit.burst);
        let rate = f64::from(self.limit.per_second);
        let bucket = self.buckets.entry(peer).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets buckets that would be full again by `now` (their state is the
    /// same as a fresh bucket), so memory stays bounded by active peers.
    pub fn prune(&mut self, now: Instant) {
        let burst = f64::from(self.limit.burst);
        let rate = f64::from(self.limit.per_second);
        self.buckets.retain(|_, b| {
            let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
            b.tokens + elapsed * rate < burst
        });
    }

    /// Number of peers with state (for tests).
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

/// Misbehaviour that costs a peer penalty points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offence {
    /// A sync request that could not be decoded or was larger than the limit.
    MalformedRequest,
    /// A sync response that could not be decoded or was larger than the
    /// limit.
    MalformedResponse,
    /// A sync request that decoded but is outside the protocol's limits (e.g.
    /// more than [`MAX_ENTRIES_PER_REQUEST`](super::MAX_ENTRIES_PER_REQUEST)
    /// entries).
    InvalidRequest,
    /// Gossip the application rejected ([`Verdict::Reject`](super::Verdict)),
    /// or gossip larger than the payload limit.
    RejectedGossip,
    /// A sync request or gossip message over the peer's rate limit.
    RateLimited,
}

impl Offence {
    /// Penalty points: 5 for a malformed request or response, 3 for rejected gossip, 2
    /// for an invalid request, 1 per message over the rate limit. With the
    /// default threshold of 10 a peer is banned after 2 malformed requests,
    /// 4 rejected gossip messages or 10 messages over its rate.
    pub fn points(self) -> u32 {
        match self {
            Offence::MalformedRequest | Offence::MalformedResponse => 5,
            Offence::RejectedGossip => 3,
            Offence::InvalidRequest => 2,
            Offence::RateLimited => 1,
        }
    }

    /// A short name for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Offence::MalformedRequest => "malformed_request",
            Offence::MalformedResponse => "malformed_response",
            Offence::InvalidRequest => "invalid_request",
            Offence::RejectedGossip => "rejected_gossip",
            Offence::RateLimited => "rate_limited",
        }
    }
}

/// Penalty points per peer within a sliding window.
#[derive(Debug)]
pub struct Penalties {
    threshold: u32,
    window: Duration,
    records: HashMap<PeerId, VecDeque<(Instant, u32)>>,
}

impl Penalties {
    /// A peer is over the limit with `threshold` points within `window`.
    pub fn new(threshold: u32, window: Duration) -> Self {
        Self {
            threshold,
            window,
            records: HashMap::new(),
        }
    }

    /// Adds points for `offence`; returns true if the peer has now reached
    /// the threshold (its record is then cleared: the caller bans it).
    pub fn add(&mut self, peer: PeerId, offence: Offence, now: Instant) -> bool {
        let window = self.window;
        let record = self.records.entry(peer).or_default();
        while let Some(&(at, _)) = record.front() {
            if now.saturating_duration_since(at) >= window {
                record.pop_front();
            } else {
                break;
            }
        }
        record.push_back((now, offence.points()));
        let total: u32 = record.iter().map(|&(_, p)| p).sum();
        if total >= self.threshold {
            self.records.remove(&peer);
            true
        } else {
            false
        }
    }

    /// Current points of `peer` within the window.
    pub fn points(&self, peer: &PeerId, now: Instant) -> u32 {
        self.records
            .get(peer)
            .map(|r| {
                r.iter()
                    .filter(|&&(at, _)| now.saturating_duration_since(at) < self.window)
                    .map(|&(_, p)| p)
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Drops records older than the window.
    pub fn prune(&mut self, now: Instant) {
        let window = self.window;
        self.records.retain(|_, r| {
            r.retain(|&(at, _)| now.saturating_duration_since(at) < window);
            !r.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> PeerId {
        PeerId::random()
    }

    #[test]
    fn p2p_token_bucket_burst_then_refill() {
        let mut rl = RateLimiter::new(RateLimit {
            per_second: 10,
            burst: 3,
        });
        let p = peer();
        let t0 = Instant::now();
        assert!(rl.allow(p, t0));
        assert!(rl.allow(p, t0));
        assert!(rl.allow(p, t0));
        assert!(!rl.allow(p, t0), "burst exhausted");
        // 100 ms at 10/s refills one token.
        let t1 = t0 + Duration::from_millis(100);
        assert!(rl.allow(p, t1));
        assert!(!rl.allow(p, t1));
        // Long idle refills only up to the burst.
        let t2 = t1 + Duration::from_secs(100);
        for _ in 0..3 {
            assert!(rl.allow(p, t2));
        }
        assert!(!rl.allow(p, t2));
        // Other peers have their own bucket.
        assert!(rl.allow(peer(), t2));
    }

    #[test]
    fn p2p_token_bucket_prune_forgets_full_buckets() {
        let mut rl = RateLimiter::new(RateLimit {
            per_second: 1,
            burst: 2,
        });
        let t0 = Instant::now();
        let p = peer();
        assert!(rl.allow(p, t0));
        rl.prune(t0);
        assert_eq!(rl.tracked(), 1);
        rl.prune(t0 + Duration::from_secs(5));
        assert_eq!(rl.tracked(), 0);
    }

    #[test]
    fn p2p_penalties_threshold_within_window() {
        let mut pen = Penalties::new(10, Duration::from_secs(60));
        let p = peer();
        let t0 = Instant::now();
        assert!(!pen.add(p, Offence::MalformedRequest, t0));
        assert_eq!(pen.points(&p, t0), 5);
        assert!(pen.add(p, Offence::MalformedRequest, t0), "10 points ban");
        assert_eq!(pen.points(&p, t0), 0, "record cleared after ban");
    }

    #[test]
    fn p2p_penalties_expire_outside_window() {
        let mut pen = Penalties::new(10, Duration::from_secs(60));
        let p = peer();
        let t0 = Instant::now();
        assert!(!pen.add(p, Offence::MalformedRequest, t0));
        let t1 = t0 + Duration::from_secs(61);
        assert!(
            !pen.add(p, Offence::MalformedRequest, t1),
            "first offence expired"
        );
        assert_eq!(pen.points(&p, t1), 5);
        for _ in 0..4 {
            assert!(!pen.add(p, Offence::RateLimited, t1));
        }
        assert!(pen.add(p, Offence::RateLimited, t1));
        pen.prune(t1 + Duration::from_secs(120));
        assert_eq!(pen.points(&p, t1), 0);
    }
}
