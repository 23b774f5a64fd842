//! The second half of `Session::upload_file`: once `uploadFile` has answered where to send the
//! bytes and with which authorization, they are `POST`ed there off the connection's loop (an
//! upload of megabytes must not hold up input), and the HTTP answer becomes the request's reply.

use std::sync::Arc;
use std::time::Duration;

use super::events::{Reply, ReplyError};
use super::incoming::Incoming;
use super::task::{Outbox, Shared};
use crate::net::{upload, ConnectError, HttpReply, LocalError, TlsRoots};
use serde_json::Value;

/// An upload waiting for `uploadFile`'s reply.
pub(super) struct Upload {
    pub request_id: u64,
    pub bytes: Arc<[u8]>,
    pub tls: TlsRoots,
    pub timeout: Duration,
}

impl Upload {
    /// Sends the bytes as `uploadFile`'s reply (`granted`, JSON text) says, then the request's
    /// reply to `replies`; gives up quietly when the session closes first.
    pub async fn send(self, granted: String, replies: Outbox, shared: Arc<Shared>) {
        let request_id = self.request_id;
        let result = tokio::select! {
            r = self.post(&granted) => r,
            _ = shared.closed() => return,
        };
        replies.put(Incoming::Reply(Reply { request_id, result })).await;
    }

    async fn post(self, granted: &str) -> Result<String, ReplyError> {
        let granted: Value = serde_json::from_str(granted).unwrap_or(Value::Null);
        let field = |name: &str| granted.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(url), Some(authorization)) = (field("url"), field("authorization")) else {
            let message = format!("uploadFile answered without a url and an authorization: {granted}");
            return Err(ReplyError::local(LocalError::ConnectionLost, message));
        };
        match upload(&self.tls, self.timeout, &url, &authorization, self.bytes).await {
            Ok(reply) => answer(reply),
            Err(ConnectError::Transient(m) | ConnectError::Fatal(m)) => {
                Err(ReplyError::local(LocalError::NotConnected, m))
            }
        }
    }
}

/// 200's body is the result; any other status is the error, with the service's sentence.
fn answer(reply: HttpReply) -> Result<String, ReplyError> {
    if reply.status == 200 {
        return Ok(reply.body);
    }
    let message = reply
        .json()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| reply.body.chars().take(500).collect());
    Err(ReplyError { code: u32::from(reply.status), message: format!("the upload was refused: {message}"), path: None })
}
