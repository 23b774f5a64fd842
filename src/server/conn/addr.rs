//! Where a request comes from: the connection's peer, or, when the peer is a trusted proxy, the
//! client it names in `X-Forwarded-For`. Limits are kept per [`AddrKey`]: an IPv4 address, or an
//! IPv6 /64 (what one subscriber usually gets).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::server::hub::Hub;

/// The address limits are kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddrKey(IpAddr);

impl AddrKey {
    pub fn of(ip: IpAddr) -> AddrKey {
        match ip {
            IpAddr::V4(_) => AddrKey(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddrKey(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    AddrKey(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

/// The client a request comes from (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn key(&self) -> AddrKey {
        AddrKey::of(self.0)
    }

    /// The client behind `peer`: the nearest address in `X-Forwarded-For` that is not a trusted
    /// proxy, when `peer` is one (proxies append the address they saw to the list).
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> ClientAddr {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| same(*t, *ip));
        if !is_trusted(&peer) {
            return ClientAddr(peer);
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if is_trusted(&ip) => continue,
                Ok(ip) => return ClientAddr(ip),
                // Garbage in the list: do not trust anything further left of it.
                Err(_) => break,
            }
        }
        ClientAddr(peer)
    }

    /// The client of a request the mediator's own listener accepted (requests made some other
    /// way, as in unit tests, count as coming from the unspecified address).
    pub fn of_parts(parts: &Parts, trusted: &[IpAddr]) -> ClientAddr {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        ClientAddr::resolve(peer, &parts.headers, trusted)
    }
}

/// The same address (an IPv4 address and its IPv6-mapped form are the same).
fn same(a: IpAddr, b: IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts<Arc<Hub>> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of_parts(parts, &hub.config.trusted_proxies))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn keys_group_ipv6_by_64_and_unmap_ipv4() {
        assert_eq!(AddrKey::of(ip("2001:db8:1:2:aaaa::1")), AddrKey::of(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(AddrKey::of(ip("2001:db8:1:2::1")), AddrKey::of(ip("2001:db8:1:3::1")));
        assert_eq!(AddrKey::of(ip("::ffff:10.0.0.1")), AddrKey::of(ip("10.0.0.1")));
        assert_ne!(AddrKey::of(ip("10.0.0.1")), AddrKey::of(ip("10.0.0.2")));
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.9")];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.9".parse().unwrap());
        assert_eq!(ClientAddr::resolve(ip("127.0.0.1"), &h, &trusted).0, ip("203.0.113.7"));
        assert_eq!(ClientAddr::resolve(ip("198.51.100.1"), &h, &trusted).0, ip("198.51.100.1"), "untrusted peer");
        assert_eq!(ClientAddr::resolve(ip("::ffff:127.0.0.1"), &h, &trusted).0, ip("203.0.113.7"));
        h.insert("x-forwarded-for", "203.0.113.7, nonsense".parse().unwrap());
        assert_eq!(ClientAddr::resolve(ip("127.0.0.1"), &h, &trusted).0, ip("127.0.0.1"));
        assert_eq!(ClientAddr::resolve(ip("127.0.0.1"), &HeaderMap::new(), &trusted).0, ip("127.0.0.1"));
    }
}
