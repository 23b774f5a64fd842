//! HTTP for every client: a blocking agent trusting the configured roots, and one REST request
//! run off the runtime's worker threads (inside `spawn_blocking`) and bounded as a whole by a
//! timeout. Discovery, the chat's details and the sign-in's OAuth calls all go through it.

use std::time::Duration;

use rustls_pki_types::CertificateDer;
use serde_json::Value;

use super::tls::{provider, root_certs, TlsRoots};
use super::ConnectError;

/// A blocking HTTP agent trusting `certs`, each phase of a request bounded by `timeout`; for use
/// inside `spawn_blocking`.
fn http_agent(certs: &[CertificateDer<'static>], timeout: Duration) -> ureq::Agent {
    let certs: Vec<ureq::tls::Certificate<'static>> =
        certs.iter().map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()).collect();
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
        .unversioned_rustls_crypto_provider(provider())
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        // Per phase, not global: with a global (or resolve) timeout ureq resolves the host
        // name on a detached thread of its own, which can outlive the session and the
        // library's runtime. Callers bound the whole request with their own timeout.
        .timeout_connect(Some(timeout))
        .timeout_send_request(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_recv_body(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

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
/// sentences without the token: `Fatal` when the TLS roots cannot be read, else `Transient`.
pub(crate) async fn request(
    roots: &TlsRoots,
    timeout: Duration,
    url: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Result<HttpReply, ConnectError> {
    // Plain http needs no roots (reading the system's store costs milliseconds per request).
    let certs = if url.starts_with("http://") { Vec::new() } else { root_certs(roots)? };
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
        read_reply(result.map_err(|e| format!("{url} failed: {e}"))?)
    });
    finish(task, timeout, || format!("{shown} timed out")).await
}

/// The status and body text of a response.
fn read_reply(mut response: ureq::http::Response<ureq::Body>) -> Result<HttpReply, String> {
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Ok(HttpReply { status, body })
}

/// Waits for a blocking request task at most `within`; `late` says what did not finish.
async fn finish(
    task: tokio::task::JoinHandle<Result<HttpReply, String>>,
    within: Duration,
    late: impl FnOnce() -> String,
) -> Result<HttpReply, ConnectError> {
    match tokio::time::timeout(within, task).await {
        Err(_) => Err(ConnectError::Transient(late())),
        Ok(Err(e)) => Err(ConnectError::Transient(format!("the request task failed: {e}"))),
        Ok(Ok(result)) => result.map_err(ConnectError::Transient),
    }
}

/// How long an upload may take on top of the request timeout: a second per 256 KiB (a slow
/// uplink sends 50 MB in under four minutes).
fn upload_allowance(bytes: usize) -> Duration {
    Duration::from_secs((bytes / (256 * 1024)) as u64)
}

/// `POST`s `bytes` to `url` with `Authorization: authorization` (the spec's file upload), bounded
/// by `timeout` plus time for the bytes. Errors as [`request`]'s.
pub(crate) async fn upload(
    roots: &TlsRoots,
    timeout: Duration,
    url: &str,
    authorization: &str,
    bytes: std::sync::Arc<[u8]>,
) -> Result<HttpReply, ConnectError> {
    let certs = if url.starts_with("http://") { Vec::new() } else { root_certs(roots)? };
    let (url, auth) = (url.to_owned(), authorization.to_owned());
    let whole = timeout + upload_allowance(bytes.len());
    let task = tokio::task::spawn_blocking(move || -> Result<HttpReply, String> {
        let agent = http_agent(&certs, timeout);
        let sent = agent
            .post(&url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", &auth)
            .send(&bytes[..]);
        read_reply(sent.map_err(|e| format!("uploading to {url} failed: {e}"))?)
    });
    finish(task, whole, || format!("the upload did not finish within {whole:?}")).await
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
