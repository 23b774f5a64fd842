//! Getting a socket: endpoint discovery over HTTP(S), and the websocket handshake over TCP or
//! TLS with the protocol's headers (or query parameters).

use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::config::{Config, TlsRoots};
use crate::protocol::PROTOCOL_VERSION;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why no socket could be had.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Worth retrying: the network or the service failed.
    #[error("{0}")]
    Transient(String),
    /// Retrying cannot help (bad settings, or the service refused the protocol).
    #[error("{0}")]
    Fatal(String),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    match certs {
        Ok(c) if !c.is_empty() => Ok(c),
        Ok(_) => Err(ConnectError::Fatal("the TLS root PEM holds no certificate".into())),
        Err(e) => Err(ConnectError::Fatal(format!("the TLS root PEM cannot be read: {e}"))),
    }
}

/// The certificates to trust, per the configuration.
pub(crate) fn root_certs(roots: &TlsRoots) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let mut certs = Vec::new();
    if matches!(roots, TlsRoots::System | TlsRoots::SystemAndPem(_)) {
        // Unreadable entries in the system store are skipped, as browsers do.
        certs.extend(rustls_native_certs::load_native_certs().certs);
    }
    if let TlsRoots::Pem(pem) | TlsRoots::SystemAndPem(pem) = roots {
        certs.extend(pem_certs(pem)?);
    }
    Ok(certs)
}

/// A rustls client configuration for `wss://`.
pub fn tls_config(roots: &TlsRoots) -> Result<Arc<ClientConfig>, ConnectError> {
    let mut store = RootCertStore::empty();
    for cert in root_certs(roots)? {
        let _ = store.add(cert);
    }
    if store.is_empty() {
        return Err(ConnectError::Fatal("no trusted TLS root certificates".into()));
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Fatal(format!("TLS setup failed: {e}")))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A blocking HTTP agent trusting `certs`, each phase of a request bounded by `timeout`; for use
/// inside `spawn_blocking` (shared with the chat and sign-in clients).
pub(crate) fn http_agent(certs: &[CertificateDer<'static>], timeout: Duration) -> ureq::Agent {
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

/// Asks a hosts endpoint for the game-client sockets, best first.
pub async fn discover(url: &str, roots: &TlsRoots, timeout: Duration) -> Result<Vec<String>, ConnectError> {
    let certs = root_certs(roots)?;
    let shown = url.to_owned();
    let url = url.to_owned();
    let task = tokio::task::spawn_blocking(move || -> Result<Vec<String>, ConnectError> {
        let agent = http_agent(&certs, timeout);
        let mut response =
            agent.get(&url).call().map_err(|e| ConnectError::Transient(format!("discovery at {url} failed: {e}")))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(ConnectError::Transient(format!("discovery at {url} answered HTTP {status}")));
        }
        let hosts: serde_json::Value = response
            .body_mut()
            .read_json()
            .map_err(|e| ConnectError::Transient(format!("discovery at {url} sent bad JSON: {e}")))?;
        let list: Vec<String> = hosts
            .as_array()
            .map(|a| a.iter().filter_map(|h| h.get("address")?.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        if list.is_empty() {
            return Err(ConnectError::Transient(format!("discovery at {url} listed no servers")));
        }
        Ok(list)
    });
    match tokio::time::timeout(timeout, task).await {
        Err(_) => Err(ConnectError::Transient(format!("discovery at {shown} timed out"))),
        Ok(joined) => joined.map_err(|e| ConnectError::Transient(format!("discovery task failed: {e}")))?,
    }
}

/// Opens the game-client websocket at `url` with the handshake values of `config`.
pub async fn open(url: &str, config: &Config) -> Result<Socket, ConnectError> {
    let version = config.version_id.to_string();
    let auth = format!("Bearer {}", config.token);
    let mut values: Vec<(&str, &str)> = vec![
        ("Authorization", auth.as_str()),
        ("X-Interactive-Version", version.as_str()),
        ("X-Protocol-Version", PROTOCOL_VERSION),
    ];
    if let Some(code) = &config.share_code {
        values.push(("X-Interactive-Sharecode", code.as_str()));
    }
    let target = if config.handshake_in_query {
        let sep = if url.contains('?') { '&' } else { '?' };
        let query: String = form_encode(&values);
        format!("{url}{sep}{query}")
    } else {
        url.to_owned()
    };
    let mut request = target
        .as_str()
        .into_client_request()
        .map_err(|e| ConnectError::Fatal(format!("bad endpoint URL {url}: {e}")))?;
    if !config.handshake_in_query {
        for (k, v) in &values {
            let value = HeaderValue::from_str(v)
                .map_err(|_| ConnectError::Fatal(format!("{k} holds characters a header cannot carry")))?;
            request.headers_mut().insert(*k, value);
        }
    }
    let connector = if url.starts_with("wss:") { Some(Connector::Rustls(tls_config(&config.tls)?)) } else { None };
    let connect = tokio_tungstenite::connect_async_tls_with_config(request, None, true, connector);
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Err(_) => Err(ConnectError::Transient(format!("connecting to {url} timed out"))),
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
            let status = response.status().as_u16();
            let body = response.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            let message = format!("{url} refused the handshake with HTTP {status}: {body}");
            // 400 means the service does not speak our protocol version; retrying cannot help.
            if status == 400 {
                Err(ConnectError::Fatal(message))
            } else {
                Err(ConnectError::Transient(message))
            }
        }
        Ok(Err(e)) => Err(ConnectError::Transient(format!("connecting to {url} failed: {e}"))),
    }
}

fn form_encode(values: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in values {
        ser.append_pair(k, v);
    }
    ser.finish()
}
