//! Benchmark support only, not part of the API (hidden from the docs; may change at any time).
//!
//! [`Pipeline`] runs frames through the network task's packet reader and `poll`'s state
//! application and frame-input bookkeeping on the caller's thread, with no socket, channel or
//! runtime, so `benches/client_decode.rs` and `benches/client_memory.rs` can time and weigh that
//! path alone.

use std::collections::VecDeque;

use super::events::{ErrorKind, Event};
use super::incoming::{read_frame, Incoming, Interner, Work};
use super::input::FrameInput;
use super::state::StateCache;
use crate::protocol::{Decoder, Scheme};

/// The reading and applying half of a session, without the network.
pub struct Pipeline {
    decoder: Decoder,
    interner: Interner,
    work: Vec<Work>,
    state: StateCache,
    events: VecDeque<Event>,
    frame: FrameInput,
}

impl Pipeline {
    /// A pipeline whose compressed frames use `scheme` (text frames are always read).
    pub fn new(scheme: Scheme) -> Pipeline {
        Pipeline {
            decoder: Decoder::new(scheme),
            interner: Interner::default(),
            work: Vec::new(),
            state: StateCache::default(),
            events: VecDeque::new(),
            frame: FrameInput::default(),
        }
    }

    /// Reads a text frame as the network task does and applies what it holds to the cache as
    /// `poll` does; the events wait for [`Pipeline::poll`]. False when the frame is unreadable.
    pub fn feed_text(&mut self, text: &str) -> bool {
        let (work, interner) = (&mut self.work, &mut self.interner);
        let ok = read_frame(text, interner, work).is_ok();
        for w in self.work.drain(..) {
            let item = match w {
                Work::Item(item) | Work::Event(_, _, item) => item,
                Work::Bad(_, _, message) => Incoming::Error { kind: ErrorKind::Protocol, code: None, message },
                Work::Unhandled(_, _, method, params) => Incoming::Unhandled { method, params },
                Work::Ack(..) | Work::Reply(..) => continue,
            };
            self.state.apply(item, &mut self.events);
        }
        ok
    }

    /// Decodes a compressed frame of the stream, then reads it as [`Pipeline::feed_text`] does.
    pub fn feed_binary(&mut self, frame: &[u8]) -> Result<bool, String> {
        let text = self.decoder.decode_binary(frame).map_err(|e| e.to_string())?;
        Ok(self.feed_text(&text))
    }

    /// The next event, as `Session::poll` hands it out (input is counted into the frame input).
    pub fn poll(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        self.frame.observe(&event);
        Some(event)
    }

    /// Starts a new input frame, as `poll` does after it runs out of events.
    pub fn new_frame(&mut self) {
        self.frame.new_frame();
    }

    pub fn state(&self) -> &StateCache {
        &self.state
    }

    pub fn frame(&self) -> &FrameInput {
        &self.frame
    }
}
