//! Reading what clients send: handshake values as headers or query parameters, and request bodies
//! as JSON or form fields.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use serde_json::Value;

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

/// Reads a request body as JSON or as form fields (by content type, else whichever parses).
/// Values that are not strings are kept as their JSON text.
pub fn body_fields(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, String> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().contains("x-www-form-urlencoded"));
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    if !form {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                return Ok(map
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| match v {
                        Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect())
            }
            Ok(_) => return Err("the body must be a JSON object".into()),
            Err(_) if text.trim_start().starts_with('{') => return Err("the body is not valid JSON".into()),
            Err(_) => {}
        }
    }
    Ok(url_pairs(text).collect())
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

    #[test]
    fn bodies_as_json_or_form() {
        let mut h = HeaderMap::new();
        let f = body_fields(&h, br#"{"client_id":"a","n":3,"s":null}"#).unwrap();
        assert_eq!((f["client_id"].as_str(), f["n"].as_str(), f.get("s")), ("a", "3", None));
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        let f = body_fields(&h, b"code=abc&token=t%20x").unwrap();
        assert_eq!(f["token"], "t x");
        assert!(body_fields(&HeaderMap::new(), b"{bad").is_err());
    }
}
