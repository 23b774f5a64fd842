//! The Unity wrapper's P/Invoke layer (`bindings/unity/Runtime/Native/Native.cs`) matches
//! `include/mixplay.h`: every function (and no other) with the same parameters and mapped types,
//! the callback delegates, struct fields in order, enum values and the ABI constant. The struct
//! *layouts* (sizes and offsets) are compared at run time by the C# test in `tests/unity.rs`.
mod unity_support;

use unity_support::{compare, header_text, native_cs_text, parse_cs, parse_header};

#[test]
fn native_cs_matches_the_header() {
    let h = parse_header(&header_text());
    let cs = parse_cs(&native_cs_text());
    assert!(h.functions.len() >= 90, "the header parser found only {} functions", h.functions.len());
    assert!(h.structs.len() >= 3, "structs found: {:?}", h.structs.keys());
    assert!(h.enums.len() >= 6, "enums found: {:?}", h.enums.keys());
    assert_eq!(h.fn_typedefs.len(), 2, "callback types found: {:?}", h.fn_typedefs);
    let problems = compare(&h, &cs);
    assert!(
        problems.is_empty(),
        "bindings/unity/Runtime/Native/Native.cs is out of step with include/mixplay.h:\n  {}",
        problems.join("\n  ")
    );
}

/// The checker itself notices each kind of drift.
#[test]
fn the_check_catches_drift() {
    let h = parse_header(&header_text());
    let good = native_cs_text();
    let drift = |from: &str, to: &str| -> Vec<String> {
        assert!(good.contains(from), "Native.cs no longer contains {from:?}: update this test");
        compare(&h, &parse_cs(&good.replacen(from, to, 1)))
    };
    let expect = |problems: Vec<String>, needle: &str| {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "expected a problem mentioning {needle:?}, got {problems:#?}"
        );
    };
    // A function missing.
    expect(
        drift("internal static extern MixPlayResult mixplay_session_end_frame(MixPlaySessionHandle session);", ""),
        "mixplay_session_end_frame is in the header",
    );
    // An extra function.
    expect(
        drift(
            "internal static extern uint mixplay_abi_version();",
            "internal static extern uint mixplay_abi_version();\n        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]\n        internal static extern void mixplay_gone();",
        ),
        "mixplay_gone is declared in Native.cs but not in the header",
    );
    // A parameter count mismatch.
    expect(
        drift(
            "mixplay_session_capture(MixPlaySessionHandle session, byte* transaction, ulong* out_request_id)",
            "mixplay_session_capture(MixPlaySessionHandle session, ulong* out_request_id)",
        ),
        "mixplay_session_capture: 3 parameters in C, 2 in C#",
    );
    // A parameter type mismatch (int64_t priority as int).
    expect(
        drift("byte* world_json, long priority", "byte* world_json, int priority"),
        "mixplay_session_update_world: parameter `priority`",
    );
    // A C bool without MarshalAs(U1).
    expect(
        drift(
            "MixPlayConfigHandle config, [MarshalAs(UnmanagedType.U1)] bool auto_ready",
            "MixPlayConfigHandle config, bool auto_ready",
        ),
        "mixplay_config_set_auto_ready: parameter `auto_ready`",
    );
    // The wrong calling convention.
    expect(
        drift(
            "[DllImport(Lib, EntryPoint = \"mixplay_session_get_time\", CallingConvention = CallingConvention.Cdecl)]",
            "[DllImport(Lib, EntryPoint = \"mixplay_session_get_time\", CallingConvention = CallingConvention.StdCall)]",
        ),
        "mixplay_session_get_time: the [DllImport] must say",
    );
    // A struct field out of order / retyped.
    expect(
        drift(
            "public byte flag;\n        public byte has_position;",
            "public byte has_position;\n        public byte flag;",
        ),
        "struct mixplay_event",
    );
    expect(drift("public long connected_at;", "public int connected_at;"), "struct mixplay_participant");
    // An enum value.
    expect(drift("QueueFull = 103,", "QueueFull = 104,"), "enum mixplay_result");
    // The ABI constant.
    expect(drift("MIXPLAY_ABI_VERSION = 2;", "MIXPLAY_ABI_VERSION = 1;"), "MIXPLAY_ABI_VERSION");
}
