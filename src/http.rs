//! One REST request off the runtime's worker threads: the chat and sign-in clients' HTTP, done
//! with a blocking agent inside `spawn_blocking` and bounded as a whole by a timeout.

use std::time::Duration;

use serde_json::Value;

use crate::client::{http_agent, root_certs, TlsRoots};

/// A REST answer: the status and the body's text.
pub(crate) struct HttpReply {
    pub status: u16,
    pub body: String,
}

impl HttpReply {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// `GET` (no body) or `POST` (a JSON body) `url`, with a bearer token when given. Errors are
/// sentences without the token.
pub(crate) async fn request(
    roots: &TlsRoots,
    timeout: Duration,
    url: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Result<HttpReply, String> {
    let certs = root_certs(roots).map_err(|e| e.to_string())?;
    let url = url.to_owned();
    let shown = url.clone();
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let task = tokio::task::spawn_blocking(move || -> Result<HttpReply, String> {
        let agent = http_agent(&certs, timeout);
        let result = match body {
            None => {
                let mut req = agent.get(&url).header("Accept", "application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            Some(body) => {
                let mut req =
                    agent.post(&url).header("Accept", "application/json").header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.send(body.to_string())
            }
        };
        let mut response = result.map_err(|e| format!("{url} failed: {e}"))?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Ok(HttpReply { status, body })
    });
    match tokio::time::timeout(timeout, task).await {
        Err(_) => Err(format!("{shown} timed out")),
        Ok(joined) => joined.map_err(|e| format!("the request task failed: {e}"))?,
    }
}

/// `base` without a trailing slash, plus `/api/v1`.
pub(crate) fn api_base(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    if base.ends_with("/api/v1") {
        base.to_owned()
    } else {
        format!("{base}/api/v1")
    }
}

/// The site a base URL names (without `/api/v1`).
pub(crate) fn site_base(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    base.strip_suffix("/api/v1").unwrap_or(base).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        assert_eq!(api_base("http://h:1/"), "http://h:1/api/v1");
        assert_eq!(api_base("http://h:1/api/v1/"), "http://h:1/api/v1");
        assert_eq!(site_base("https://mixer.com/api/v1"), "https://mixer.com");
        assert_eq!(site_base("https://mixer.com/"), "https://mixer.com");
    }
}
