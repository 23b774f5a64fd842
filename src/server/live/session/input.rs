//! Participant input and sparks: `giveInput` is checked against the participant's scene and the
//! control, then forwarded to the game. Plain input never waits on the store; a costed press opens
//! a spark transaction, which is written to the store before the input (carrying its id) goes to
//! the game, so that a capture works even after a restart. `capture` is the store's transaction.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::{invalid, now_ms, params_object, ChannelSession, Effects, Handled, SessionState};
use crate::protocol::{ErrorBody, ErrorCode, Method, Tag};
use crate::server::hub::Hub;
use crate::server::store::CaptureError;

/// A checked input, ready for the game.
pub(super) enum Checked {
    /// Free: forward it now.
    Free(Value),
    /// Costed: forward it once its transaction (`user`, `control`, `cost`) is stored; the id goes
    /// into the params' `transactionID`.
    Costed { params: Map<String, Value>, user: u32, control: String, cost: u64 },
}

pub(super) fn store_trouble(what: &str, e: impl std::fmt::Display) -> ErrorBody {
    eprintln!("mixplay-server: {what}: {e}");
    ErrorBody::with_message(ErrorCode::InternalError, format!("{what}; try again"))
}

impl ChannelSession {
    /// `capture`: deducts the transaction's cost from the viewer's balance in one database
    /// transaction with its ledger row. Answered when the store has, without holding up the
    /// game's other methods.
    pub(super) fn capture(&self, hub: &Arc<Hub>, m: &Method) -> Handled {
        let id = match params_object(m).map(|p| p.get("transactionID").cloned()) {
            Ok(Some(Value::String(s))) => s,
            Ok(Some(Value::Number(n))) => n.to_string(),
            Ok(_) => return Handled::Now(Err(invalid("transactionID must be a string", "transactionID"))),
            Err(e) => return Handled::Now(Err(e)),
        };
        let (hub, channel) = (hub.clone(), self.channel_id);
        Handled::Detached(Box::pin(async move {
            match hub.sparks.capture(id, channel).await {
                Ok(Ok(_)) => Ok(Value::Null),
                Ok(Err(CaptureError::Unknown)) => {
                    Err(ErrorBody::new(ErrorCode::UnknownTransaction).at("transactionID"))
                }
                Ok(Err(CaptureError::NotEnoughSparks)) => Err(ErrorBody::new(ErrorCode::NotEnoughSparks)),
                Err(e) => Err(store_trouble("the capture could not be stored", e)),
            }
        }))
    }

    /// `giveInput` from a participant.
    pub(super) fn give_input(
        self: &Arc<Self>,
        hub: &Arc<Hub>,
        session_id: &str,
        m: &Method,
        fx: &mut Effects,
    ) -> Handled {
        let input = match &m.params {
            // interactive-node sends the input flat; accept `{input: {...}}` too.
            Value::Object(o) => match o.get("input") {
                Some(Value::Object(inner)) => inner.clone(),
                _ => o.clone(),
            },
            _ => return Handled::Now(Err(ErrorBody::with_message(ErrorCode::BadUserInput, "input must be an object"))),
        };
        let checked = {
            let mut st = self.state.lock();
            match st.check_input(hub, session_id, input) {
                Ok(Checked::Free(params)) => {
                    st.notify_game(fx, "giveInput", params);
                    return Handled::Now(Ok(Value::Null));
                }
                Ok(costed) => costed,
                Err(e) => return Handled::Now(Err(e)),
            }
        };
        let Checked::Costed { mut params, user, control, cost } = checked else { unreachable!("free input returned") };
        let (id, stored) = hub.sparks.open(user, self.channel_id, &control, cost);
        params.insert("transactionID".into(), Value::String(id));
        let session = self.clone();
        Handled::After(Box::pin(async move {
            let mut fx = Effects::default();
            if let Err(e) = stored.await {
                return (Err(store_trouble("the spark transaction could not be stored", e)), fx);
            }
            session.state.lock().notify_game(&mut fx, "giveInput", Value::Object(params));
            (Ok(Value::Null), fx)
        }))
    }
}

impl SessionState {
    /// Checks an input against the participant, the control and its kind, and the viewer's cached
    /// balance; notes the participant's `lastInputAt`.
    fn check_input(
        &mut self,
        hub: &Hub,
        session_id: &str,
        mut input: Map<String, Value>,
    ) -> Result<Checked, ErrorBody> {
        let bad = |m: &str| ErrorBody::with_message(ErrorCode::BadUserInput, m);
        let participant = self.participants.get(session_id).ok_or_else(|| bad("you are not in this session"))?;
        if participant.disabled() {
            return Err(bad("your input is disabled"));
        }
        let control_id =
            input.get("controlID").and_then(Value::as_str).ok_or_else(|| bad("controlID must be a string"))?;
        let event = input.get("event").and_then(Value::as_str).ok_or_else(|| bad("event must be a string"))?;
        let scene_id = self.scene_of_group(participant.group());
        let control = self
            .scenes
            .get(&scene_id)
            .and_then(|s| s.controls.get(control_id))
            .ok_or_else(|| bad("that control is not in your scene"))?;
        if control.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
            return Err(bad("that control is disabled"));
        }
        if control.get("cooldown").and_then(Value::as_i64).is_some_and(|c| c > now_ms()) {
            return Err(bad("that control is on cooldown"));
        }
        let kind = control.get("kind").and_then(Value::as_str).unwrap_or("");
        check_event(kind, event, &input).map_err(bad)?;
        // The game's methods take only whole costs; a control from elsewhere with another is never free.
        let cost = match control.get("cost") {
            None | Some(Value::Null) => 0,
            Some(c) => c.as_u64().ok_or_else(|| bad("that control's cost is not a whole number of sparks"))?,
        };
        let charges = cost > 0 && matches!(event, "mousedown" | "keydown" | "submit");
        let payer = if charges {
            let user = participant.user_id.ok_or_else(|| ErrorBody::new(ErrorCode::AnonymousSparkCost))?;
            if hub.sparks.balance(user) < cost {
                return Err(ErrorBody::new(ErrorCode::NotEnoughSparks));
            }
            Some(user)
        } else {
            None
        };
        let control_id = control_id.to_owned();
        // Only a costed input needs the id a second time (for its transaction row).
        let control = payer.map(|_| control_id.clone());
        input.insert("controlID".into(), Value::String(control_id));
        let seq = i64::from(self.participants.get(session_id).map(|p| p.peer.last_seq()).unwrap_or(0));
        if let Some(p) = self.participants.get_mut(session_id) {
            p.props.set("lastInputAt", json!(now_ms()), Tag::new(0, seq));
        }
        let mut params = Map::new();
        params.insert("participantID".into(), Value::String(session_id.to_owned()));
        params.insert("input".into(), Value::Object(input));
        Ok(match (payer, control) {
            (Some(user), Some(control)) => Checked::Costed { params, user, control, cost },
            _ => Checked::Free(Value::Object(params)),
        })
    }
}

/// Validates an input event against its control kind.
fn check_event(kind: &str, event: &str, input: &Map<String, Value>) -> Result<(), &'static str> {
    let number = |k: &str| input.get(k).and_then(Value::as_f64);
    match (kind, event) {
        ("button", "mousedown" | "mouseup" | "keydown" | "keyup") => Ok(()),
        ("button", _) => Err("buttons take mousedown, mouseup, keydown and keyup"),
        ("joystick", "move") => match (number("x"), number("y")) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() && x.abs() <= 1.0 && y.abs() <= 1.0 => {
                // Magnitude is at most 1; allow for rounding in the participant's maths.
                if x * x + y * y <= 1.0 + 1e-6 {
                    Ok(())
                } else {
                    Err("joystick position must lie within the unit circle")
                }
            }
            _ => Err("joystick moves need x and y in [-1, 1]"),
        },
        ("joystick", _) => Err("joysticks take move"),
        ("screen", "move" | "mousedown" | "mouseup") => match (number("x"), number("y")) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(()),
            _ => Err("screen input needs numeric x and y"),
        },
        ("screen", _) => Err("screens take move, mousedown and mouseup"),
        ("textbox", "change" | "submit") => match input.get("value") {
            Some(Value::String(_)) => Ok(()),
            _ => Err("textbox input needs a string value"),
        },
        ("textbox", _) => Err("textboxes take change and submit"),
        ("label", _) => Err("labels take no input"),
        _ => Err("unknown control kind"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::obj_of;
    use super::*;

    #[test]
    fn input_events_are_checked_per_kind() {
        let m = |v: Value| obj_of(v);
        assert!(check_event("button", "mousedown", &m(json!({"button": 0}))).is_ok());
        assert!(check_event("button", "move", &Map::new()).is_err());
        assert!(check_event("joystick", "move", &m(json!({"x": 0.6, "y": -0.8}))).is_ok());
        assert!(check_event("joystick", "move", &m(json!({"x": 1, "y": 1}))).is_err());
        assert!(check_event("joystick", "move", &m(json!({"x": "a", "y": 0}))).is_err());
        assert!(check_event("textbox", "submit", &m(json!({"value": "hi"}))).is_ok());
        assert!(check_event("textbox", "submit", &Map::new()).is_err());
        assert!(check_event("label", "mousedown", &Map::new()).is_err());
    }
}
