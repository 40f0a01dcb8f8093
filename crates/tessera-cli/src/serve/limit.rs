//! Rate limits of `tessera serve`: a token bucket per client (the `--rate-limit`), and
//! one per caller address for failed authentications, so that guessing a client's
//! secret is slowed to a few tries a second before any check is made.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Failed authentications a caller address may make per second (a burst of
/// [`FAILURE_BURST`]).
const FAILURES_PER_SECOND: f64 = 2.0;
const FAILURE_BURST: f64 = 10.0;
/// Buckets kept before the full ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets by key, each refilled at `rate` per second up to `burst`.
struct Buckets<K> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    fn new(rate: f64, burst: f64) -> Self {
        Buckets {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.at = now;
    }

    /// Takes one token from `key`'s bucket; false when it is empty.
    fn take(&self, key: &K) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| {
                let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
                b.tokens + elapsed * rate < burst
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether `key`'s bucket has a token, without taking it.
    fn has(&self, key: &K) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        match buckets.get_mut(key) {
            None => true,
            Some(bucket) => {
                self.refill(bucket, now);
                bucket.tokens >= 1.0
            }
        }
    }
}

/// The service's limits.
pub(crate) struct Limits {
    clients: Buckets<String>,
    failures: Buckets<IpAddr>,
}

impl Limits {
    /// `per_client` requests per second for each client.
    pub fn new(per_client: u32) -> Self {
        let rate = f64::from(per_client);
        Limits {
            clients: Buckets::new(rate, rate),
            failures: Buckets::new(FAILURES_PER_SECOND, FAILURE_BURST),
        }
    }

    /// Counts a request of an authenticated client; false: over its limit.
    pub fn client_may(&self, client: &str) -> bool {
        self.clients.take(&client.to_string())
    }

    /// Whether `peer` may try to authenticate (it has not failed too often).
    pub fn peer_may_try(&self, peer: IpAddr) -> bool {
        self.failures.has(&peer)
    }

    /// Counts a failed authentication of `peer`.
    pub fn peer_failed(&self, peer: IpAddr) {
        self.failures.take(&peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits() {
        let limits = Limits::new(5);
        let granted = (0..20).filter(|_| limits.client_may("api")).count();
        assert_eq!(granted, 5);
        // Another client has its own bucket.
        assert!(limits.client_may("other"));
        std::thread::sleep(std::time::Duration::from_millis(450));
        assert!(limits.client_may("api"), "refilled at 5 a second");
    }

    #[test]
    fn failures_of_a_peer_stop_its_tries() {
        let limits = Limits::new(100);
        let peer: IpAddr = "127.0.0.1".parse().expect("an address");
        for _ in 0..10 {
            assert!(limits.peer_may_try(peer));
            limits.peer_failed(peer);
        }
        assert!(!limits.peer_may_try(peer));
        assert!(limits.peer_may_try("127.0.0.2".parse().expect("an address")));
    }
}
