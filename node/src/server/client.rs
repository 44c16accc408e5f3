//! Who a request comes from: the address limits count against.
//!
//! A client is its IP address as the connection shows it, unless the
//! connection comes from a trusted proxy (by default the loopback, where an
//! operator's reverse proxy runs): then the client is the nearest address in
//! `X-Forwarded-For` that is not itself a trusted proxy, read from the right,
//! since each proxy appends the address it saw and only the trusted ones can
//! be believed. IPv6 clients are counted by /64, the block one host or
//! household usually holds, so that walking through the addresses of one
//! block does not multiply a client's allowance.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// Most `X-Forwarded-For` hops looked at, from the right.
const MAX_FORWARDED_HOPS: usize = 16;

/// What per-client limits are counted against: an IPv4 address, or the /64
/// of an IPv6 address (IPv4-mapped IPv6 addresses count as IPv4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key of `ip`.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Self(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}"),
            IpAddr::V6(a) => write!(f, "{a}/64"),
        }
    }
}

/// An address block: an address and how many leading bits of it count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Whether `ip` is in this block (IPv4-mapped IPv6 addresses as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A malformed address list on the command line.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an address or block (like 10.0.0.0/8, 192.0.2.7, ::1, fd00::/8), `loopback` or `none`")]
pub struct NetListError(String);

/// A list of address blocks: trusted proxies, or clients without limits.
///
/// Written as a comma-separated list of addresses and blocks in CIDR
/// notation; `loopback` stands for `127.0.0.0/8,::1/128`, and `none` for the
/// empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetList(Vec<Net>);

impl NetList {
    /// The loopback blocks, `127.0.0.0/8` and `::1/128`.
    pub fn loopback() -> Self {
        Self(vec![
            Net {
                addr: IpAddr::from([127, 0, 0, 0]),
                prefix: 8,
            },
            Net {
                addr: IpAddr::V6(Ipv6Addr::LOCALHOST),
                prefix: 128,
            },
        ])
    }

    /// Whether some block of the list holds `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for NetList {
    type Err = NetListError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") || s.is_empty() {
            return Ok(Self::default());
        }
        let mut nets = Vec::new();
        for item in s.split(',').map(str::trim) {
            if item.eq_ignore_ascii_case("loopback") {
                nets.extend(Self::loopback().0);
                continue;
            }
            let bad = || NetListError(item.to_string());
            let (addr, prefix) = match item.split_once('/') {
                Some((a, p)) => (
                    a.parse::<IpAddr>().map_err(|_| bad())?,
                    Some(p.parse::<u8>().map_err(|_| bad())?),
                ),
                None => (item.parse::<IpAddr>().map_err(|_| bad())?, None),
            };
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad());
            }
            nets.push(Net { addr, prefix });
        }
        Ok(Self(nets))
    }
}

impl fmt::Display for NetList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

/// The client's address: `peer` (the connection's), or, when `peer` is a
/// trusted proxy, the rightmost `X-Forwarded-For` address that is not a
/// trusted proxy (the leftmost one if all are). A hop that does not parse
/// ends the walk at the last address believed, so a proxy that forwards
/// garbage is itself the client.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &NetList) -> IpAddr {
    let mut client = peer.to_canonical();
    if trusted.is_empty() || !trusted.contains(client) {
        return client;
    }
    let mut values = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        match v.to_str() {
            Ok(s) => values.push(s),
            Err(_) => return client,
        }
    }
    let hops = values.iter().flat_map(|v| v.split(',')).rev();
    for hop in hops.take(MAX_FORWARDED_HOPS) {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` element: an address, possibly with a port
/// (`192.0.2.7:4711`, `[2001:db8::1]:4711`) or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = hop.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn lists_parse_and_match() {
        let l: NetList = "10.0.0.0/8, 192.0.2.7,fd00::/8".parse().expect("list");
        assert!(l.contains(ip("10.200.3.4")));
        assert!(!l.contains(ip("11.0.0.1")));
        assert!(l.contains(ip("192.0.2.7")));
        assert!(!l.contains(ip("192.0.2.8")));
        assert!(l.contains(ip("fd12::1")));
        assert!(
            l.contains(ip("::ffff:10.1.1.1")),
            "IPv4-mapped counts as IPv4"
        );
        assert_eq!(l.to_string(), "10.0.0.0/8,192.0.2.7/32,fd00::/8");
        let lo: NetList = "loopback".parse().expect("loopback");
        assert!(lo.contains(ip("127.0.0.2")) && lo.contains(ip("::1")));
        assert!(!lo.contains(ip("192.0.2.1")));
        let none: NetList = "none".parse().expect("none");
        assert!(none.is_empty() && !none.contains(ip("127.0.0.1")));
        assert_eq!(none.to_string(), "none");
        let all: NetList = "0.0.0.0/0,::/0".parse().expect("all");
        assert!(all.contains(ip("203.0.113.9")) && all.contains(ip("2001:db8::1")));
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "example.org",
            "10.0.0.1/x",
            "1.2.3",
        ] {
            assert!(bad.parse::<NetList>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv6_clients_count_by_64() {
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2:aaaa::1")),
            ClientKey::of(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            ClientKey::of(ip("::ffff:192.0.2.1")),
            ClientKey::of(ip("192.0.2.1"))
        );
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2::1")).to_string(),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: NetList = "loopback,10.0.0.0/8".parse().expect("list");
        // Straight from the internet: the header is the client's own words.
        assert_eq!(
            client_ip(ip("203.0.113.5"), &xff(&["198.51.100.1"]), &trusted),
            ip("203.0.113.5")
        );
        // Through the local proxy: the address it saw.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["198.51.100.1"]), &trusted),
            ip("198.51.100.1")
        );
        // A forged left part is skipped: the rightmost untrusted hop counts.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &xff(&["6.6.6.6, 198.51.100.1", "10.1.2.3"]),
                &trusted
            ),
            ip("198.51.100.1")
        );
        // Ports and brackets.
        assert_eq!(
            client_ip(ip("::1"), &xff(&["[2001:db8::7]:443"]), &trusted),
            ip("2001:db8::7")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        // Garbage ends the walk at the last believed hop.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["198.51.100.1, bogus"]), &trusted),
            ip("127.0.0.1")
        );
        // Nobody trusted: the header is ignored.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &xff(&["198.51.100.1"]),
                &NetList::default()
            ),
            ip("127.0.0.1")
        );
    }
}
