//! Per-frame input, the way engines read it: for each control, the presses and releases since
//! the frame began, who holds it, the mean joystick position and the text submitted this frame.
//!
//! A frame begins at the first `poll` after the previous poll found no more events (or after
//! `Session::end_frame`). Counters are reset in place, so an idle frame allocates nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::events::{Event, Input, InputKind, SessionId};

/// One control's input this frame.
#[derive(Debug, Default)]
pub struct ControlFrame {
    /// mousedown/keydown events this frame.
    pub presses: u32,
    /// mouseup/keyup events this frame.
    pub releases: u32,
    /// Who pressed it this frame, in order (a participant who pressed twice appears twice).
    pub pressed_by: Vec<SessionId>,
    /// Sum and count of joystick/screen moves this frame.
    move_sum: (f64, f64),
    pub moves: u32,
    /// The last position moved to, kept across frames.
    pub last_position: Option<(f64, f64)>,
    /// Textbox submissions this frame: who, and what they sent.
    pub submissions: Vec<(SessionId, String)>,
    /// Who is holding the button down now (kept across frames).
    pub held_by: Vec<SessionId>,
    /// The members of `held_by`, so a press finds out in O(1) whether its participant already
    /// holds the button (a scan of `held_by` costs O(holders) per press on busy channels).
    held: HashSet<SessionId, RandomState>,
}

impl ControlFrame {
    /// The mean of this frame's moves, if there were any.
    pub fn mean_position(&self) -> Option<(f64, f64)> {
        (self.moves > 0).then(|| (self.move_sum.0 / f64::from(self.moves), self.move_sum.1 / f64::from(self.moves)))
    }

    /// `id` no longer holds the button.
    fn release(&mut self, id: &SessionId) {
        if self.held.remove(id) {
            self.held_by.retain(|p| p != id);
        }
    }

    /// Counts one input on this control.
    fn record(&mut self, input: &Input) {
        match &input.kind {
            InputKind::Button { action, .. } | InputKind::ScreenButton { action, .. } => {
                if action.is_press() {
                    self.presses += 1;
                    self.pressed_by.push(input.participant.clone());
                    if self.held.insert(input.participant.clone()) {
                        self.held_by.push(input.participant.clone());
                    }
                } else {
                    self.releases += 1;
                    self.release(&input.participant);
                }
            }
            InputKind::Move { x, y } => {
                self.move_sum.0 += x;
                self.move_sum.1 += y;
                self.moves += 1;
                self.last_position = Some((*x, *y));
            }
            InputKind::Text { submit: true, text } => self.submissions.push((input.participant.clone(), text.clone())),
            InputKind::Text { submit: false, .. } | InputKind::Custom { .. } => {}
        }
    }

    fn reset(&mut self) {
        self.presses = 0;
        self.releases = 0;
        self.pressed_by.clear();
        self.move_sum = (0.0, 0.0);
        self.moves = 0;
        self.submissions.clear();
    }
}

/// Input gathered over the current frame, per control id.
#[derive(Debug, Default)]
pub struct FrameInput {
    controls: HashMap<Arc<str>, ControlFrame, RandomState>,
    /// Whether any counter changed since the last reset (so an idle frame touches nothing).
    dirty: bool,
}

impl FrameInput {
    /// Starts a new frame: this frame's counters go back to zero; held buttons stay held.
    #[inline]
    pub fn new_frame(&mut self) {
        if self.dirty {
            self.controls.values_mut().for_each(ControlFrame::reset);
            self.dirty = false;
        }
    }

    /// Counts an input handed to the game.
    pub fn record(&mut self, input: &Input) {
        self.dirty = true;
        // Looked up by text first: cloning the id for `entry` costs an atomic per input.
        match self.controls.get_mut(&*input.control) {
            Some(c) => c.record(input),
            None => self.controls.entry(input.control.clone()).or_default().record(input),
        }
    }

    /// Takes note of an event `poll` is handing out.
    pub(super) fn observe(&mut self, event: &Event) {
        match event {
            Event::Input(input) => self.record(input),
            Event::ParticipantLeft { participant, .. } => self.participant_left(participant),
            _ => {}
        }
    }

    /// A participant who left holds nothing any more.
    pub fn participant_left(&mut self, id: &SessionId) {
        for c in self.controls.values_mut() {
            c.release(id);
        }
    }

    /// A control's input this frame, if it ever had any.
    pub fn control(&self, id: &str) -> Option<&ControlFrame> {
        self.controls.get(id)
    }

    pub fn presses(&self, id: &str) -> u32 {
        self.control(id).map_or(0, |c| c.presses)
    }

    pub fn releases(&self, id: &str) -> u32 {
        self.control(id).map_or(0, |c| c.releases)
    }

    /// Whether anyone holds the button down now.
    pub fn is_held(&self, id: &str) -> bool {
        self.control(id).is_some_and(|c| !c.held_by.is_empty())
    }

    pub fn mean_position(&self, id: &str) -> Option<(f64, f64)> {
        self.control(id).and_then(ControlFrame::mean_position)
    }

    pub fn submissions(&self, id: &str) -> &[(SessionId, String)] {
        self.control(id).map_or(&[], |c| c.submissions.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::super::events::ButtonAction;
    use super::*;

    fn input(p: &str, kind: InputKind) -> Input {
        Input { participant: SessionId::parse(p), control: Arc::from("c"), kind, transaction: None, raw: String::new() }
    }

    #[test]
    fn frames_count_and_reset() {
        let mut f = FrameInput::default();
        let down = InputKind::Button { action: ButtonAction::MouseDown, button: 0 };
        let up = InputKind::Button { action: ButtonAction::MouseUp, button: 0 };
        f.record(&input("a", down.clone()));
        f.record(&input("b", down));
        f.record(&input("a", up));
        f.record(&input("a", InputKind::Move { x: 1.0, y: 0.0 }));
        f.record(&input("b", InputKind::Move { x: 0.0, y: 1.0 }));
        f.record(&input("b", InputKind::Text { submit: true, text: "hi".into() }));
        assert_eq!((f.presses("c"), f.releases("c"), f.is_held("c")), (2, 1, true));
        assert_eq!(f.mean_position("c"), Some((0.5, 0.5)));
        assert_eq!(f.submissions("c").len(), 1);
        f.new_frame();
        assert_eq!((f.presses("c"), f.releases("c"), f.is_held("c")), (0, 0, true));
        assert_eq!(f.mean_position("c"), None);
        f.participant_left(&SessionId::parse("b"));
        assert!(!f.is_held("c"));
        assert_eq!(f.presses("nope"), 0);
    }
}
