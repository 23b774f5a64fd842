//! Reading the handshake values a client may send as headers or as query parameters.

use axum::http::HeaderMap;

/// Handshake values, looked up case-insensitively in the headers, then in the query string.
pub struct HandshakeParams {
    headers: HeaderMap,
    query: Vec<(String, String)>,
}

impl HandshakeParams {
    pub fn new(headers: &HeaderMap, query: Option<&str>) -> Self {
        let query = query.map(|q| url_pairs(q).map(|(k, v)| (k.to_ascii_lowercase(), v)).collect()).unwrap_or_default();
        HandshakeParams { headers: headers.clone(), query }
    }

    /// The value of `name` (case-insensitive), from a header or else a query parameter.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.headers.get(name).and_then(|v| v.to_str().ok()) {
            return Some(v.to_owned());
        }
        let lower = name.to_ascii_lowercase();
        self.query.iter().find(|(k, _)| *k == lower).map(|(_, v)| v.clone())
    }

    /// The bearer token from `Authorization` (with or without the `Bearer ` prefix).
    pub fn bearer(&self) -> Option<String> {
        let raw = self.get("authorization")?;
        let token = match raw.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => raw.trim(),
        };
        (!token.is_empty()).then(|| token.to_owned())
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs.
pub fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_then_query_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert("X-Interactive-Version", "7".parse().unwrap());
        let p = HandshakeParams::new(&h, Some("Authorization=Bearer%20abc&X-Protocol-Version=2.0&k=a+b"));
        assert_eq!(p.get("x-interactive-version").as_deref(), Some("7"));
        assert_eq!(p.get("X-PROTOCOL-VERSION").as_deref(), Some("2.0"));
        assert_eq!(p.bearer().as_deref(), Some("abc"));
        assert_eq!(p.get("k").as_deref(), Some("a b"));
        let q: Vec<_> = url_pairs("a=%zz&b=%4").collect();
        assert_eq!(q, vec![("a".into(), "%zz".into()), ("b".into(), "%4".into())]);
    }
}
