//! Connection caps: at most `max` connections open in all, and at most
//! `per_client` from one client ([`ClientKey`] of the connection's address),
//! shared by every listener of the node.
//!
//! A listener takes a global slot ([`ConnLimiter::slot`]) before it accepts,
//! so beyond the global cap new connections wait in the kernel's backlog
//! rather than fail; once it has accepted, it asks for the client's share
//! ([`ConnLimiter::admit`]), and a client already at its cap has the new
//! connection closed at once, so it cannot hold the slots others need.
//! The [`ConnPermit`] of an admitted connection gives both back when the
//! connection ends. Clients on the unlimited list have no per-client cap
//! (a reverse proxy on the same host carries everybody's connections).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tanji_api::Metrics;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::client::{ClientKey, NetList};

/// The caps and the connections open now.
pub struct ConnLimiter {
    global: Arc<Semaphore>,
    max: usize,
    per_client: usize,
    unlimited: NetList,
    open: Mutex<HashMap<ClientKey, usize>>,
    metrics: Arc<Metrics>,
    /// When the full cap was last logged (at most once a minute).
    warned: Mutex<Option<Instant>>,
}

/// A global slot, taken before accepting a connection.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// An admitted connection's place in the caps, given back on drop.
pub struct ConnPermit {
    limiter: Arc<ConnLimiter>,
    client: Option<ClientKey>,
    _slot: Slot,
}

/// A connection refused because its client already has `open` connections.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("client {client} already has {open} connections open (the most per client)")]
pub struct TooManyConnections {
    /// The client.
    pub client: ClientKey,
    /// Its connections open.
    pub open: usize,
}

impl ConnLimiter {
    /// At most `max` connections, `per_client` from one client except from
    /// `unlimited` addresses (both at least one).
    pub fn new(
        max: usize,
        per_client: usize,
        unlimited: NetList,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        Arc::new(Self {
            global: Arc::new(Semaphore::new(max)),
            max,
            per_client: per_client.max(1),
            unlimited,
            open: Mutex::new(HashMap::new()),
            metrics,
            warned: Mutex::new(None),
        })
    }

    /// Waits for a global slot (logging, at most once a minute, that the
    /// cap was reached).
    pub async fn slot(&self) -> Slot {
        if let Ok(p) = self.global.clone().try_acquire_owned() {
            return Slot { _permit: p };
        }
        {
            let mut warned = self.warned.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if warned.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(60)) {
                *warned = Some(now);
                tracing::warn!(
                    max = self.max,
                    "HTTP connection cap reached: new connections wait until one closes"
                );
            }
        }
        match self.global.clone().acquire_owned().await {
            Ok(p) => Slot { _permit: p },
            // The semaphore is never closed.
            Err(_) => std::future::pending().await,
        }
    }

    /// A global slot if one is free now.
    pub fn try_slot(&self) -> Option<Slot> {
        self.global
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|p| Slot { _permit: p })
    }

    /// Admits a connection from `peer` into `slot`, or refuses it when its
    /// client is at the per-client cap.
    pub fn admit(
        self: &Arc<Self>,
        slot: Slot,
        peer: IpAddr,
    ) -> Result<ConnPermit, TooManyConnections> {
        let client = if self.unlimited.contains(peer) {
            None
        } else {
            let key = ClientKey::of(peer);
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let n = open.entry(key).or_insert(0);
            if *n >= self.per_client {
                let open = *n;
                self.metrics.http_connections_refused.inc();
                return Err(TooManyConnections { client: key, open });
            }
            *n += 1;
            Some(key)
        };
        self.metrics.http_connections.inc();
        Ok(ConnPermit {
            limiter: self.clone(),
            client,
            _slot: slot,
        })
    }

    /// Connections open now from `peer`'s client.
    pub fn open_from(&self, peer: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&ClientKey::of(peer)).copied().unwrap_or(0)
    }

    /// Clients with connections open now (unlimited ones aside).
    pub fn clients(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The global cap.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        self.limiter.metrics.http_connections.dec();
        if let Some(key) = self.client {
            let mut open = self.limiter.open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = open.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&key);
                }
            }
        }
    }
}

/// Makes sure the process may open `connections` more files than it needs
/// otherwise: raises the soft `RLIMIT_NOFILE` towards the hard one if need
/// be, and warns when even that is too low (connections beyond it would fail
/// to be accepted, not wait).
#[cfg(unix)]
pub fn ensure_file_limit(connections: usize) {
    /// Files the node needs besides connections: RocksDB, peers, logs.
    const RESERVE: libc::rlim_t = 1024;
    let need = (connections as libc::rlim_t).saturating_add(RESERVE);
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) writes one rlimit into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return;
    }
    let soft = lim.rlim_cur;
    if soft >= need {
        return;
    }
    let target = need.min(lim.rlim_max);
    if target > soft {
        let raised = libc::rlimit {
            rlim_cur: target,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit(2) reads one rlimit we own; raising the soft
        // limit up to the hard one is always permitted.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            tracing::info!(
                from = soft,
                to = target,
                "raised the open-file limit for HTTP connections"
            );
        }
    }
    if target < need {
        tracing::warn!(
            limit = target,
            connections,
            "the open-file limit is below the HTTP connection cap plus {RESERVE}: lower --http-max-connections or raise `ulimit -n`"
        );
    }
}

/// Other systems: nothing to do.
#[cfg(not(unix))]
pub fn ensure_file_limit(_connections: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_client_at_its_cap_is_refused_and_others_are_not() {
        let metrics = Arc::new(Metrics::new());
        let l = ConnLimiter::new(10, 2, NetList::default(), metrics.clone());
        let a1 = l
            .admit(l.try_slot().expect("slot"), ip("192.0.2.1"))
            .expect("first");
        let _a2 = l
            .admit(l.try_slot().expect("slot"), ip("192.0.2.1"))
            .expect("second");
        let refused = l
            .admit(l.try_slot().expect("slot"), ip("192.0.2.1"))
            .map(|_| ())
            .expect_err("third");
        assert_eq!(refused.open, 2);
        let _b = l
            .admit(l.try_slot().expect("slot"), ip("192.0.2.2"))
            .expect("another client");
        assert_eq!(l.open_from(ip("192.0.2.1")), 2);
        // The refused connection's slot came back at once.
        assert_eq!(l.global.available_permits(), 7);
        drop(a1);
        assert_eq!(l.open_from(ip("192.0.2.1")), 1);
        let _a3 = l
            .admit(l.try_slot().expect("slot"), ip("192.0.2.1"))
            .expect("room again");
        assert_eq!(metrics.http_connections_refused.get(), 1);
        assert_eq!(metrics.http_connections.get(), 3);
    }

    #[test]
    fn the_global_cap_holds_and_the_table_empties() {
        let l = ConnLimiter::new(3, 100, NetList::default(), Arc::new(Metrics::new()));
        let permits: Vec<_> = (1..=3u8)
            .map(|i| {
                let peer = IpAddr::from([198, 51, 100, i]);
                l.admit(l.try_slot().expect("slot"), peer)
                    .expect("admitted")
            })
            .collect();
        assert!(l.try_slot().is_none(), "all three slots are taken");
        assert_eq!(l.clients(), 3);
        drop(permits);
        assert_eq!(l.clients(), 0, "clients without connections are forgotten");
        assert!(l.try_slot().is_some());
    }

    #[test]
    fn unlimited_clients_have_no_per_client_cap() {
        let l = ConnLimiter::new(100, 1, NetList::loopback(), Arc::new(Metrics::new()));
        let held: Vec<_> = (0..10)
            .map(|_| {
                l.admit(l.try_slot().expect("slot"), ip("127.0.0.1"))
                    .expect("admitted")
            })
            .collect();
        assert_eq!(held.len(), 10);
        assert_eq!(l.clients(), 0);
    }

    #[test]
    fn ipv6_clients_share_a_cap_per_64() {
        let l = ConnLimiter::new(100, 1, NetList::default(), Arc::new(Metrics::new()));
        let _a = l
            .admit(l.try_slot().expect("slot"), ip("2001:db8::1"))
            .expect("first");
        assert!(l
            .admit(l.try_slot().expect("slot"), ip("2001:db8::2"))
            .is_err());
        assert!(l
            .admit(l.try_slot().expect("slot"), ip("2001:db8:0:1::2"))
            .is_ok());
    }
}
