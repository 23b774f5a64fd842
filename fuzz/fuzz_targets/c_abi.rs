//! The C ABI's argument handling: the `mixplay_*` functions that take strings and JSON, called
//! with arbitrary bytes as NUL-terminated strings (or NULL), as a careless or hostile C caller
//! might.
//!
//! Every input makes a config and calls its setters; one session and one chat, made once per
//! process with addresses nothing listens on (`127.0.0.1:1`, so no fuzz input ever reaches the
//! network), receive requests and control property writes while they are not connected.
//!
//! Input: a sequence of calls, each a selector byte, then the call's numbers and string chunks
//! (see `mixplay_fuzz::Reader`; a chunk of the single byte 0xFF is NULL, any other is cut at its
//! first NUL and terminated).
//!
//! Checked: nothing panics or crashes (a panic would abort at the boundary), AddressSanitizer
//! sees no bad access, every failure has a valid, NUL-terminated UTF-8 detail in
//! `mixplay_last_error`, and every result has a name from `mixplay_result_str`.
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mixplay::ffi::*;
use mixplay_fuzz::Reader;

/// Handles made once per process (tokens, so plain integers).
struct Handles {
    session: usize,
    chat: usize,
}

/// Where nothing listens: connections are refused at once, so nothing leaves the machine.
const NOWHERE: &CStr = c"http://127.0.0.1:1/api/v1/interactive/hosts";
const NOWHERE_BASE: &CStr = c"http://127.0.0.1:1";

fn check(result: mixplay_result) {
    let name = mixplay_result_str(result as u32);
    assert!(!name.is_null(), "a result without a name");
    if result != mixplay_result::Ok {
        let detail = mixplay_last_error();
        assert!(!detail.ptr.is_null());
        // SAFETY: the library promises `len` bytes and a NUL at `ptr`.
        let bytes = unsafe { std::slice::from_raw_parts(detail.ptr.cast::<u8>(), detail.len + 1) };
        assert_eq!(bytes[detail.len], 0, "the error detail is not NUL-terminated");
        assert!(std::str::from_utf8(&bytes[..detail.len]).is_ok(), "the error detail is not UTF-8");
    }
}

fn handles() -> &'static Handles {
    static HANDLES: OnceLock<Handles> = OnceLock::new();
    HANDLES.get_or_init(|| unsafe {
        let mut config = ptr::null_mut();
        check(mixplay_config_new(&mut config));
        check(mixplay_config_set_discovery_url(config, NOWHERE.as_ptr()));
        check(mixplay_config_set_token(config, c"fuzz".as_ptr()));
        check(mixplay_config_set_version_id(config, 1));
        // Keep trying, slowly: the session stays "not connected" for the whole run.
        check(mixplay_config_set_reconnect(config, true, 60_000, 600_000, -1));
        let mut session = ptr::null_mut();
        check(mixplay_session_new(config, &mut session));
        let mut chat = ptr::null_mut();
        check(mixplay_chat_new(NOWHERE_BASE.as_ptr(), 1, c"fuzz".as_ptr(), c"fuzz".as_ptr(), config, &mut chat));
        check(mixplay_config_free(config));
        Handles { session: session as usize, chat: chat as usize }
    })
}

/// The strings of one call, kept alive until the call returns.
struct Args<'a, 'b> {
    input: &'b mut Reader<'a>,
    keep: Vec<CString>,
}

impl Args<'_, '_> {
    /// A string argument: NULL, or the chunk's bytes up to its first NUL.
    fn s(&mut self) -> *const c_char {
        let chunk = self.input.chunk();
        if chunk == [0xFF] {
            return ptr::null();
        }
        let end = chunk.iter().position(|&b| b == 0).unwrap_or(chunk.len());
        self.keep.push(CString::new(&chunk[..end]).expect("no NUL before the end"));
        self.keep.last().expect("just pushed").as_ptr()
    }

    fn b(&mut self) -> bool {
        self.input.u8() & 1 == 1
    }

    fn u32(&mut self) -> u32 {
        self.input.u32()
    }

    fn i64(&mut self) -> i64 {
        self.input.u64() as i64
    }

    fn f64(&mut self) -> f64 {
        f64::from_bits(self.input.u64())
    }
}

fuzz_target!(|data: &[u8]| {
    let h = handles();
    let session = h.session as *mut mixplay_session;
    let chat = h.chat as *mut mixplay_chat;
    let mut input = Reader::new(data);
    let mut config = ptr::null_mut();
    // SAFETY: every pointer passed below is NULL, a live handle, or a live NUL-terminated string.
    unsafe {
        check(mixplay_config_new(&mut config));
        while !input.is_empty() {
            let op = input.u8();
            let mut a = Args { input: &mut input, keep: Vec::new() };
            let mut id = 0u64;
            let id = &mut id as *mut u64;
            let result = match op % 44 {
                0 => mixplay_config_set_discovery_url(config, a.s()),
                1 => mixplay_config_add_endpoint(config, a.s()),
                2 => mixplay_config_set_token(config, a.s()),
                3 => mixplay_config_set_share_code(config, a.s()),
                4 => mixplay_config_set_compression(config, a.s()),
                5 => mixplay_config_set_tls_roots_pem(config, a.s(), a.b()),
                6 => mixplay_config_set_reconnect(config, a.b(), a.u32(), a.u32(), a.u32() as i32),
                7 => mixplay_config_set_event_queue_capacity(config, a.u32()),
                8 => mixplay_session_call(session, a.s(), a.s(), id),
                9 => mixplay_session_create_scenes(session, a.s(), id),
                10 => mixplay_session_update_scenes(session, a.s(), a.i64(), id),
                11 => mixplay_session_delete_scene(session, a.s(), a.s(), id),
                12 => mixplay_session_create_controls(session, a.s(), a.s(), id),
                13 => mixplay_session_update_controls(session, a.s(), a.s(), a.i64(), id),
                14 => mixplay_session_delete_controls(session, a.s(), a.s(), id),
                15 => mixplay_session_create_groups(session, a.s(), id),
                16 => mixplay_session_update_groups(session, a.s(), a.i64(), id),
                17 => mixplay_session_delete_group(session, a.s(), a.s(), id),
                18 => mixplay_session_update_participants(session, a.s(), a.i64(), id),
                19 => mixplay_session_move_participant(session, a.s(), a.s(), id),
                20 => mixplay_session_set_participant_disabled(session, a.s(), a.b(), id),
                21 => mixplay_session_update_world(session, a.s(), a.i64(), id),
                22 => mixplay_session_capture(session, a.s(), id),
                23 => mixplay_session_broadcast_event(session, a.s(), a.s(), id),
                24 => mixplay_session_set_bandwidth_throttle(session, a.s(), id),
                25 => mixplay_session_get_participants_by_user_id(session, a.s(), id),
                26 => mixplay_session_get_participants_by_session_id(session, a.s(), id),
                27 => mixplay_session_set_control_text(session, a.s(), a.s(), id),
                28 => mixplay_session_set_control_tooltip(session, a.s(), a.s(), id),
                29 => mixplay_session_set_control_progress(session, a.s(), a.f64(), id),
                30 => mixplay_session_set_control_int(session, a.s(), a.s(), a.i64(), id),
                31 => mixplay_session_set_control_string(session, a.s(), a.s(), a.s(), id),
                32 => mixplay_session_set_control_json(session, a.s(), a.s(), a.s(), id),
                33 => mixplay_session_set_control_meta_json(session, a.s(), a.s(), a.s(), id),
                34 => {
                    let (control, key, meta) = (a.s(), a.s(), a.b());
                    let mut buf = vec![0 as c_char; usize::from(a.input.u8() % 16)];
                    let mut len = 0usize;
                    mixplay_session_get_control_string(
                        session,
                        control,
                        key,
                        meta,
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut len,
                    )
                }
                35 => {
                    let mut out = MaybeUninit::<mixplay_str>::uninit();
                    mixplay_session_get_control_json(session, a.s(), a.s(), a.b(), out.as_mut_ptr())
                }
                36 => mixplay_chat_call(chat, a.s(), a.s(), id),
                37 => mixplay_chat_send(chat, a.s(), id),
                38 => mixplay_chat_whisper(chat, a.s(), a.s(), id),
                39 => mixplay_chat_timeout(chat, a.s(), a.s(), id),
                40 => mixplay_chat_start_poll(chat, a.s(), a.s(), a.u32(), id),
                41 => mixplay_chat_delete_message(chat, a.s(), id),
                42 => mixplay_session_end_frame(session),
                _ => {
                    // Drain what the session reports (reply errors for requests it could not
                    // send), as a game's poll loop would.
                    let mut event = MaybeUninit::<mixplay_event>::uninit();
                    let mut has = true;
                    let mut n = 0;
                    while has && n < 64 {
                        check(mixplay_session_poll(session, event.as_mut_ptr(), &mut has));
                        n += 1;
                    }
                    mixplay_result::Ok
                }
            };
            check(result);
        }
        check(mixplay_config_free(config));
    }
});
