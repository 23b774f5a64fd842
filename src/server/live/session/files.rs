//! `uploadFile` and `deleteFile`: the game client's side of file storage (`server::files`). A
//! game reaches only its own channel's files.

use std::sync::Arc;

use serde_json::Value;

use super::input::store_trouble;
use super::{invalid, params_object, req_str, ChannelSession, Effects, Handled};
use crate::protocol::Method;
use crate::server::files::paths;
use crate::server::hub::Hub;

impl ChannelSession {
    /// Runs `uploadFile` or `deleteFile`; `None` for any other method.
    pub(super) fn file_method(&self, hub: &Arc<Hub>, m: &Method) -> Option<Handled> {
        let upload = match m.method.as_str() {
            "uploadFile" => true,
            "deleteFile" => false,
            _ => return None,
        };
        let path = match params_object(m).and_then(|p| req_str(&p, "path", "path").map(str::to_owned)) {
            Ok(path) => path,
            Err(e) => return Some(Handled::Now(Err(e))),
        };
        if upload {
            let granted = hub.files.authorize(self.channel_id, &path, &self.base_url);
            return Some(Handled::Now(granted.map_err(|m| invalid(m, "path"))));
        }
        if let Err(m) = paths::check(&path) {
            return Some(Handled::Now(Err(invalid(m, "path"))));
        }
        let (hub, channel) = (hub.clone(), self.channel_id);
        // In order with the game's next methods: an upload to the path after this finds it gone.
        Some(Handled::After(Box::pin(async move {
            let result = match hub.files.delete(channel, &path).await {
                Ok(()) => Ok(Value::Null),
                Err(e) => Err(store_trouble("the file could not be deleted", e)),
            };
            (result, Effects::default())
        })))
    }
}
