//! What an admin may change about a user: `PATCH /api/v1/users/{id}` with `{"pro": true|false}`
//! → `200 {id, username, pro, admin}`; 403 for anyone but an admin, 404 for an unknown user,
//! 400 for a body that is not such an object.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, forbidden, not_found, store_failed};

/// What a PATCH body sets: `pro`, the only field an admin changes here.
fn pro_of(body: &[u8]) -> Result<bool, String> {
    let shape = "the body must be a JSON object {\"pro\": true} or {\"pro\": false}";
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else { return Err(shape.into()) };
    if let Some(other) = fields.keys().find(|k| *k != "pro") {
        return Err(format!("{other:?} cannot be changed here; only \"pro\" can"));
    }
    fields.get("pro").and_then(Value::as_bool).ok_or_else(|| shape.into())
}

/// `PATCH /api/v1/users/{id}`.
pub async fn update_user(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller, body: Bytes) -> Response {
    if !caller.user.admin {
        return forbidden("only an admin may change other users");
    }
    let pro = match pro_of(&body) {
        Ok(pro) => pro,
        Err(e) => return bad_request(e),
    };
    let Ok(id) = id.parse::<u32>() else { return not_found(format!("user {id} not found")) };
    match hub.store.set_pro(id, pro).await {
        Ok(Some(u)) => {
            Json(json!({ "id": u.id, "username": u.username, "pro": u.pro, "admin": u.admin })).into_response()
        }
        Ok(None) => not_found(format!("user {id} not found")),
        Err(e) => store_failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::pro_of;

    #[test]
    fn only_pro_can_be_patched() {
        assert_eq!(pro_of(br#"{"pro": true}"#), Ok(true));
        assert_eq!(pro_of(br#"{"pro": false}"#), Ok(false));
        assert!(pro_of(br#"{"admin": true}"#).unwrap_err().contains("\"admin\""));
        assert!(pro_of(br#"{"pro": "yes"}"#).is_err());
        assert!(pro_of(b"pro=true").is_err());
    }
}
