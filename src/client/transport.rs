//! Getting a socket: endpoint discovery over HTTP(S), and the websocket handshake over TCP or
//! TLS with the protocol's headers (or query parameters).

use std::time::Duration;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::config::Config;
use crate::net::{request, tls_config, ConnectError, TlsRoots};
use crate::protocol::PROTOCOL_VERSION;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Asks a hosts endpoint for the game-client sockets, best first.
pub(super) async fn discover(url: &str, roots: &TlsRoots, timeout: Duration) -> Result<Vec<String>, ConnectError> {
    let reply = request(roots, timeout, url, None, None)
        .await
        .map_err(|e| e.map_message(|m| format!("discovery failed: {m}")))?;
    if reply.status != 200 {
        return Err(ConnectError::Transient(format!("discovery at {url} answered HTTP {}", reply.status)));
    }
    let hosts = reply.json().ok_or_else(|| ConnectError::Transient(format!("discovery at {url} sent bad JSON")))?;
    let list: Vec<String> = hosts
        .as_array()
        .map(|a| a.iter().filter_map(|h| h.get("address")?.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if list.is_empty() {
        return Err(ConnectError::Transient(format!("discovery at {url} listed no servers")));
    }
    Ok(list)
}

/// Opens the game-client websocket at `url` with the handshake values of `config` and `token`.
pub(super) async fn open(url: &str, config: &Config, token: &str) -> Result<Socket, ConnectError> {
    let version = config.version_id.to_string();
    let auth = format!("Bearer {token}");
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
