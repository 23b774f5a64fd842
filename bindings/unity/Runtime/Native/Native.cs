// Layer 1: the C ABI of include/mixplay.h, declared by hand, one P/Invoke per C function, in the
// header's order. Kept in step with the header by tests/unity_bindings.rs (names, parameter
// counts and types, enum values, struct fields) and by the layout check in Tests/Console
// (Marshal.SizeOf / OffsetOf against a C program compiled with the header).
//
// Type mapping (the checker enforces it):
//   uint32_t uint, int32_t int, uint64_t ulong, int64_t long, double double, size_t UIntPtr,
//   bool [MarshalAs(UnmanagedType.U1)] bool (bool * and struct fields: byte),
//   const char * / char * byte*, T * T* (pointers to blittable structs and numbers),
//   mixplay_config * / mixplay_session * their SafeHandle (IntPtr in the _free functions, which
//   the SafeHandles call from ReleaseHandle, and in mixplay_session_poll_many, which Update calls
//   in a loop holding one reference to the SafeHandle itself), mixplay_X ** out XHandle, void * IntPtr,
//   mixplay_result MixPlayResult, function pointer typedefs the delegates below.
using System;
using System.Runtime.InteropServices;

namespace MixPlay
{
    /// <summary>What every mixplay function returns (<c>mixplay_result</c>). 0 is success.</summary>
    public enum MixPlayResult : uint
    {
        Ok = 0,
        NullArgument = 1,
        InvalidHandle = 2,
        InvalidUtf8 = 3,
        InvalidArgument = 4,
        InvalidJson = 5,
        BufferTooSmall = 6,
        Busy = 7,
        Panic = 8,
        Closed = 100,
        NotFound = 101,
        WrongType = 102,
        QueueFull = 103,
        RuntimeFailed = 200,
    }

    /// <summary>Where a short-code sign-in is (<c>mixplay_auth_state</c>).</summary>
    public enum MixPlayAuthState : uint
    {
        Idle = 0,
        Starting = 1,
        Waiting = 2,
        Approved = 3,
        Denied = 4,
        Expired = 5,
        Refreshing = 6,
        Failed = 7,
    }

    /// <summary>What a chat event is about (<c>mixplay_chat_event_kind</c>).</summary>
    public enum MixPlayChatEventKind : uint
    {
        None = 0,
        Connection = 1,
        Joined = 2,
        Message = 3,
        Event = 4,
        Reply = 5,
        Tokens = 6,
    }

    /// <summary>Where a look-up of the signed-in user is (<c>mixplay_user_state</c>).</summary>
    public enum MixPlayUserState : uint
    {
        None = 0,
        Fetching = 1,
        Found = 2,
        Failed = 3,
    }

    /// <summary>The connection's state (<c>mixplay_connection_state</c>).</summary>
    public enum MixPlayConnectionState : uint
    {
        Connecting = 1,
        Connected = 2,
        Reconnecting = 3,
        Disconnected = 4,
    }

    /// <summary>What an Error event is about (<c>mixplay_error_kind</c>).</summary>
    public enum MixPlayErrorKind : uint
    {
        None = 0,
        Connection = 1,
        Protocol = 2,
        QueueOverflow = 3,
        Internal = 4,
    }

    /// <summary>What an event is about (<c>mixplay_event_kind</c>).</summary>
    public enum MixPlayEventKind : uint
    {
        None = 0,
        Connection = 1,
        Ready = 2,
        Input = 3,
        ParticipantJoined = 4,
        ParticipantLeft = 5,
        ParticipantUpdated = 6,
        SceneCreated = 7,
        SceneUpdated = 8,
        SceneDeleted = 9,
        GroupCreated = 10,
        GroupUpdated = 11,
        GroupDeleted = 12,
        ControlCreated = 13,
        ControlUpdated = 14,
        ControlDeleted = 15,
        WorldUpdated = 16,
        MemoryWarning = 17,
        Reply = 18,
        UnhandledMethod = 19,
        Error = 20,
        Tokens = 21,
    }

    /// <summary>The kind of an input (<c>mixplay_input_kind</c>).</summary>
    public enum MixPlayInputKind : uint
    {
        None = 0,
        MouseDown = 1,
        MouseUp = 2,
        KeyDown = 3,
        KeyUp = 4,
        Move = 5,
        TextChange = 6,
        TextSubmit = 7,
        Custom = 8,
    }

    /// <summary>Log levels (<c>mixplay_log_level</c>).</summary>
    public enum MixPlayLogLevel : uint
    {
        Off = 0,
        Error = 1,
        Warning = 2,
        Info = 3,
        Debug = 4,
    }

    /// <summary><c>mixplay_str</c>: UTF-8 owned by the library, <c>len</c> bytes at <c>ptr</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_str
    {
        public IntPtr ptr;
        public UIntPtr len;

        /// <summary>Decodes ptr+len (no NUL scan).</summary>
        public override string ToString()
        {
            return Utf8.Decode(ptr, len);
        }
    }

    /// <summary><c>mixplay_tokens</c>: a token pair in a TOKENS event.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_tokens
    {
        public mixplay_str access_token;
        public mixplay_str refresh_token;
        public ulong expires_in;
        public long granted_at;
    }

    /// <summary><c>mixplay_event</c>; bools are bytes so the struct stays blittable.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_event
    {
        public uint kind;
        public uint connection_state;
        public uint input_kind;
        public uint error_kind;
        public ulong request_id;
        public uint code;
        public int button;
        public byte flag;
        public byte has_position;
        public double x;
        public double y;
        public ulong used_bytes;
        public ulong total_bytes;
        public mixplay_str participant;
        public mixplay_str control;
        public mixplay_str scene;
        public mixplay_str group;
        public mixplay_str text;
        public mixplay_str json;
        public mixplay_str transaction;
        public mixplay_str path;
        public mixplay_tokens tokens;
    }

    /// <summary><c>mixplay_participant</c>; bools are bytes so the struct stays blittable.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_participant
    {
        public mixplay_str session_id;
        public uint user_id;
        public uint level;
        public mixplay_str username;
        public mixplay_str group;
        public long connected_at;
        public long last_input_at;
        public byte disabled;
        public byte anonymous;
    }

    /// <summary><c>mixplay_auth_status</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_auth_status
    {
        public uint state;
        public mixplay_str code;
        public mixplay_str url;
        public ulong code_expires_in_ms;
        public mixplay_str access_token;
        public mixplay_str refresh_token;
        public ulong expires_in;
        public long granted_at;
        public mixplay_str message;
    }

    /// <summary><c>mixplay_chat_event</c>; bools are bytes so the struct stays blittable.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_chat_event
    {
        public uint kind;
        public uint connection_state;
        public ulong request_id;
        public uint code;
        public uint user_id;
        public byte flag;
        public byte whisper;
        public byte action;
        public mixplay_str user_name;
        public mixplay_str message_id;
        public mixplay_str text;
        public mixplay_str target;
        public mixplay_str roles;
        public mixplay_str json;
        public uint channel_id;
        public mixplay_str permissions;
        public mixplay_tokens tokens;
    }

    /// <summary><c>mixplay_user</c>: who a token belongs to.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct mixplay_user
    {
        public uint state;
        public uint id;
        public uint channel_id;
        public uint level;
        public ulong sparks;
        public mixplay_str username;
        public mixplay_str json;
        public mixplay_str message;
    }

    /// <summary><c>mixplay_log_fn</c>. Called only inside a poll, on the polling thread.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void mixplay_log_fn(IntPtr user_data, uint level, mixplay_str message);

    /// <summary><c>mixplay_participant_fn</c>. Called inside for_each_participant only.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal unsafe delegate bool mixplay_participant_fn(IntPtr user_data, mixplay_participant* participant);

    internal static unsafe class Native
    {
#if (UNITY_IOS || UNITY_WEBGL) && !UNITY_EDITOR
        internal const string Lib = "__Internal";
#else
        internal const string Lib = "mixplay";
#endif

        /// <summary><c>MIXPLAY_ABI_VERSION</c> of the header this file mirrors.</summary>
        internal const uint MIXPLAY_ABI_VERSION = 2;

        [DllImport(Lib, EntryPoint = "mixplay_version", CallingConvention = CallingConvention.Cdecl)]
        internal static extern byte* mixplay_version();

        [DllImport(Lib, EntryPoint = "mixplay_abi_version", CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint mixplay_abi_version();

        // ----- short-code sign-in (mixplay_auth) -----

        [DllImport(Lib, EntryPoint = "mixplay_auth_new", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_new(byte* base_url, byte* client_id, byte* client_secret, byte* scopes, MixPlayConfigHandle settings, out MixPlayAuthHandle out_auth);

        [DllImport(Lib, EntryPoint = "mixplay_auth_free", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_free(IntPtr auth);

        [DllImport(Lib, EntryPoint = "mixplay_auth_start", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_start(MixPlayAuthHandle auth);

        [DllImport(Lib, EntryPoint = "mixplay_auth_refresh", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_refresh(MixPlayAuthHandle auth, byte* refresh_token);

        [DllImport(Lib, EntryPoint = "mixplay_auth_cancel", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_cancel(MixPlayAuthHandle auth);

        [DllImport(Lib, EntryPoint = "mixplay_auth_poll", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_poll(MixPlayAuthHandle auth, mixplay_auth_status* out_status);

        [DllImport(Lib, EntryPoint = "mixplay_auth_fetch_user", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_fetch_user(MixPlayAuthHandle auth, byte* access_token);

        [DllImport(Lib, EntryPoint = "mixplay_auth_user", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_auth_user(MixPlayAuthHandle auth, mixplay_user* out_user);

        [DllImport(Lib, EntryPoint = "mixplay_token_is_stale", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_token_is_stale(long granted_at, ulong expires_in, byte* out_stale);

        // ----- chat (mixplay_chat) -----

        [DllImport(Lib, EntryPoint = "mixplay_chat_new", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_new(byte* base_url, uint channel_id, byte* token, byte* client_id, MixPlayConfigHandle settings, out MixPlayChatHandle out_chat);

        [DllImport(Lib, EntryPoint = "mixplay_chat_free", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_free(IntPtr chat);

        [DllImport(Lib, EntryPoint = "mixplay_chat_poll", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_poll(MixPlayChatHandle chat, mixplay_chat_event* out_event, byte* out_has_event);

        [DllImport(Lib, EntryPoint = "mixplay_chat_connection_state", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_connection_state(MixPlayChatHandle chat, uint* out_state);

        [DllImport(Lib, EntryPoint = "mixplay_chat_set_token", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_set_token(MixPlayChatHandle chat, byte* token);

        [DllImport(Lib, EntryPoint = "mixplay_chat_set_token_refresh", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_set_token_refresh(MixPlayChatHandle chat, byte* base_url, byte* client_id, byte* refresh_token, ulong expires_in, long granted_at);

        [DllImport(Lib, EntryPoint = "mixplay_chat_call", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_call(MixPlayChatHandle chat, byte* method, byte* args_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_send", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_send(MixPlayChatHandle chat, byte* text, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_whisper", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_whisper(MixPlayChatHandle chat, byte* username, byte* text, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_timeout", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_timeout(MixPlayChatHandle chat, byte* username, byte* duration, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_purge", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_purge(MixPlayChatHandle chat, byte* username, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_delete_message", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_delete_message(MixPlayChatHandle chat, byte* message_id, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_clear_messages", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_clear_messages(MixPlayChatHandle chat, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_history", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_history(MixPlayChatHandle chat, uint count, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_start_poll", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_start_poll(MixPlayChatHandle chat, byte* question, byte* answers_json, uint seconds, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_chat_vote", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_chat_vote(MixPlayChatHandle chat, uint index, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_config_new", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_new(out MixPlayConfigHandle out_config);

        [DllImport(Lib, EntryPoint = "mixplay_config_free", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_free(IntPtr config);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_discovery_url", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_discovery_url(MixPlayConfigHandle config, byte* url);

        [DllImport(Lib, EntryPoint = "mixplay_config_add_endpoint", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_add_endpoint(MixPlayConfigHandle config, byte* url);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_token", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_token(MixPlayConfigHandle config, byte* token);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_token_refresh", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_token_refresh(MixPlayConfigHandle config, byte* base_url, byte* client_id, byte* refresh_token, ulong expires_in, long granted_at);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_version_id", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_version_id(MixPlayConfigHandle config, uint version_id);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_share_code", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_share_code(MixPlayConfigHandle config, byte* share_code);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_compression", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_compression(MixPlayConfigHandle config, byte* schemes);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_auto_ready", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_auto_ready(MixPlayConfigHandle config, [MarshalAs(UnmanagedType.U1)] bool auto_ready);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_reconnect", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_reconnect(MixPlayConfigHandle config, [MarshalAs(UnmanagedType.U1)] bool enabled, uint initial_delay_ms, uint max_delay_ms, int max_attempts);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_connect_timeout_ms", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_connect_timeout_ms(MixPlayConfigHandle config, uint ms);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_request_timeout_ms", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_request_timeout_ms(MixPlayConfigHandle config, uint ms);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_tls_roots_pem", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_tls_roots_pem(MixPlayConfigHandle config, byte* pem, [MarshalAs(UnmanagedType.U1)] bool also_system_roots);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_handshake_in_query", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_handshake_in_query(MixPlayConfigHandle config, [MarshalAs(UnmanagedType.U1)] bool in_query);

        [DllImport(Lib, EntryPoint = "mixplay_config_set_event_queue_capacity", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_config_set_event_queue_capacity(MixPlayConfigHandle config, uint capacity);

        [DllImport(Lib, EntryPoint = "mixplay_set_log_level", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_set_log_level(uint level);

        [DllImport(Lib, EntryPoint = "mixplay_set_log_sink", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_set_log_sink(mixplay_log_fn callback, IntPtr user_data);

        [DllImport(Lib, EntryPoint = "mixplay_result_str", CallingConvention = CallingConvention.Cdecl)]
        internal static extern byte* mixplay_result_str(uint code);

        [DllImport(Lib, EntryPoint = "mixplay_last_error", CallingConvention = CallingConvention.Cdecl)]
        internal static extern mixplay_str mixplay_last_error();

        [DllImport(Lib, EntryPoint = "mixplay_session_new", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_new(MixPlayConfigHandle config, out MixPlaySessionHandle out_session);

        [DllImport(Lib, EntryPoint = "mixplay_session_free", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_free(IntPtr session);

        [DllImport(Lib, EntryPoint = "mixplay_session_poll", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_poll(MixPlaySessionHandle session, mixplay_event* out_event, byte* out_has_event);

        [DllImport(Lib, EntryPoint = "mixplay_session_poll_many", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_poll_many(IntPtr session, mixplay_event* out_events, UIntPtr capacity, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_token", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_token(MixPlaySessionHandle session, byte* token);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_token_refresh", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_token_refresh(MixPlaySessionHandle session, byte* base_url, byte* client_id, byte* refresh_token, ulong expires_in, long granted_at);

        [DllImport(Lib, EntryPoint = "mixplay_session_end_frame", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_end_frame(MixPlaySessionHandle session);

        [DllImport(Lib, EntryPoint = "mixplay_session_connection_state", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_connection_state(MixPlaySessionHandle session, uint* out_state);

        [DllImport(Lib, EntryPoint = "mixplay_session_is_ready", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_is_ready(MixPlaySessionHandle session, byte* out_ready);

        [DllImport(Lib, EntryPoint = "mixplay_session_server_time_ms", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_server_time_ms(MixPlaySessionHandle session, long* out_ms);

        [DllImport(Lib, EntryPoint = "mixplay_session_call", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_call(MixPlaySessionHandle session, byte* method, byte* params_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_ready", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_ready(MixPlaySessionHandle session, [MarshalAs(UnmanagedType.U1)] bool is_ready, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_create_scenes", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_create_scenes(MixPlaySessionHandle session, byte* scenes_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_update_scenes", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_update_scenes(MixPlaySessionHandle session, byte* scenes_json, long priority, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_delete_scene", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_delete_scene(MixPlaySessionHandle session, byte* scene, byte* reassign_to, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_create_controls", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_create_controls(MixPlaySessionHandle session, byte* scene, byte* controls_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_update_controls", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_update_controls(MixPlaySessionHandle session, byte* scene, byte* controls_json, long priority, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_delete_controls", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_delete_controls(MixPlaySessionHandle session, byte* scene, byte* control_ids_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_create_groups", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_create_groups(MixPlaySessionHandle session, byte* groups_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_update_groups", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_update_groups(MixPlaySessionHandle session, byte* groups_json, long priority, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_delete_group", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_delete_group(MixPlaySessionHandle session, byte* group, byte* reassign_to, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_update_participants", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_update_participants(MixPlaySessionHandle session, byte* participants_json, long priority, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_move_participant", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_move_participant(MixPlaySessionHandle session, byte* participant, byte* group, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_participant_disabled", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_participant_disabled(MixPlaySessionHandle session, byte* participant, [MarshalAs(UnmanagedType.U1)] bool disabled, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_update_world", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_update_world(MixPlaySessionHandle session, byte* world_json, long priority, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_capture", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_capture(MixPlaySessionHandle session, byte* transaction, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_upload_file", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_upload_file(MixPlaySessionHandle session, byte* path, byte* bytes, UIntPtr len, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_delete_file", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_delete_file(MixPlaySessionHandle session, byte* path, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_broadcast_event", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_broadcast_event(MixPlaySessionHandle session, byte* scopes_json, byte* data_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_bandwidth_throttle", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_bandwidth_throttle(MixPlaySessionHandle session, byte* rules_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_throttle_state", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_throttle_state(MixPlaySessionHandle session, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_memory_stats", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_memory_stats(MixPlaySessionHandle session, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_time", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_time(MixPlaySessionHandle session, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_all_participants", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_all_participants(MixPlaySessionHandle session, long from, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_active_participants", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_active_participants(MixPlaySessionHandle session, long threshold, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_participants_by_user_id", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_participants_by_user_id(MixPlaySessionHandle session, byte* user_ids_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_participants_by_session_id", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_participants_by_session_id(MixPlaySessionHandle session, byte* session_ids_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_text", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_text(MixPlaySessionHandle session, byte* control, byte* text, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_tooltip", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_tooltip(MixPlaySessionHandle session, byte* control, byte* tooltip, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_progress", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_progress(MixPlaySessionHandle session, byte* control, double progress, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_cooldown", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_cooldown(MixPlaySessionHandle session, byte* control, ulong ms, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_disabled", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_disabled(MixPlaySessionHandle session, byte* control, [MarshalAs(UnmanagedType.U1)] bool disabled, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_cost", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_cost(MixPlaySessionHandle session, byte* control, uint sparks, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_key_code", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_key_code(MixPlaySessionHandle session, byte* control, uint key_code, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_int", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_int(MixPlaySessionHandle session, byte* control, byte* key, long value, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_bool", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_bool(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool value, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_float", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_float(MixPlaySessionHandle session, byte* control, byte* key, double value, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_string", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_string(MixPlaySessionHandle session, byte* control, byte* key, byte* value, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_json", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_json(MixPlaySessionHandle session, byte* control, byte* key, byte* value_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_set_control_meta_json", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_set_control_meta_json(MixPlaySessionHandle session, byte* control, byte* key, byte* value_json, ulong* out_request_id);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control_int", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control_int(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool meta, long* out_value);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control_float", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control_float(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool meta, double* out_value);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control_bool", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control_bool(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool meta, byte* out_value);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control_string", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control_string(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool meta, byte* buf, UIntPtr capacity, UIntPtr* out_len);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control_json", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control_json(MixPlaySessionHandle session, byte* control, byte* key, [MarshalAs(UnmanagedType.U1)] bool meta, mixplay_str* out_json);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_control", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_control(MixPlaySessionHandle session, byte* control, mixplay_str* out_json);

        [DllImport(Lib, EntryPoint = "mixplay_session_scene_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_scene_count(MixPlaySessionHandle session, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_scene_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_scene_at(MixPlaySessionHandle session, UIntPtr index, mixplay_str* out_scene);

        [DllImport(Lib, EntryPoint = "mixplay_session_control_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_control_count(MixPlaySessionHandle session, byte* scene, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_control_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_control_at(MixPlaySessionHandle session, byte* scene, UIntPtr index, mixplay_str* out_control);

        [DllImport(Lib, EntryPoint = "mixplay_session_group_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_group_count(MixPlaySessionHandle session, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_group_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_group_at(MixPlaySessionHandle session, UIntPtr index, mixplay_str* out_group, mixplay_str* out_scene);

        [DllImport(Lib, EntryPoint = "mixplay_session_participant_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_participant_count(MixPlaySessionHandle session, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_participant", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_participant(MixPlaySessionHandle session, byte* session_id, mixplay_participant* out_participant);

        [DllImport(Lib, EntryPoint = "mixplay_session_get_participant_by_user_id", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_get_participant_by_user_id(MixPlaySessionHandle session, uint user_id, mixplay_participant* out_participant);

        [DllImport(Lib, EntryPoint = "mixplay_session_for_each_participant", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_for_each_participant(MixPlaySessionHandle session, mixplay_participant_fn callback, IntPtr user_data);

        [DllImport(Lib, EntryPoint = "mixplay_session_button_counts", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_button_counts(MixPlaySessionHandle session, byte* control, uint* out_presses, uint* out_releases);

        [DllImport(Lib, EntryPoint = "mixplay_session_button_holder_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_button_holder_count(MixPlaySessionHandle session, byte* control, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_button_holder_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_button_holder_at(MixPlaySessionHandle session, byte* control, UIntPtr index, mixplay_str* out_participant);

        [DllImport(Lib, EntryPoint = "mixplay_session_button_presser_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_button_presser_at(MixPlaySessionHandle session, byte* control, UIntPtr index, mixplay_str* out_participant);

        [DllImport(Lib, EntryPoint = "mixplay_session_joystick_mean", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_joystick_mean(MixPlaySessionHandle session, byte* control, double* out_x, double* out_y, uint* out_moves);

        [DllImport(Lib, EntryPoint = "mixplay_session_text_submission_count", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_text_submission_count(MixPlaySessionHandle session, byte* control, UIntPtr* out_count);

        [DllImport(Lib, EntryPoint = "mixplay_session_text_submission_at", CallingConvention = CallingConvention.Cdecl)]
        internal static extern MixPlayResult mixplay_session_text_submission_at(MixPlaySessionHandle session, byte* control, UIntPtr index, mixplay_str* out_participant, mixplay_str* out_text);
    }
}
