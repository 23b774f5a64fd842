// Layer 2: one SafeHandle per C handle type. The native pointer is a registry token, so a late
// or repeated free is an error code, never a crash; ReleaseHandle ignores it.
using System;
using Microsoft.Win32.SafeHandles;

namespace MixPlay
{
    /// <summary>Owns a <c>mixplay_config *</c>; releasing it calls <c>mixplay_config_free</c>.</summary>
    internal sealed class MixPlayConfigHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public MixPlayConfigHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            return Native.mixplay_config_free(handle) == MixPlayResult.Ok;
        }
    }

    /// <summary>Owns a <c>mixplay_session *</c>; releasing it calls <c>mixplay_session_free</c>,
    /// which closes the connection (and, for the last session, joins the library's threads).
    /// The marshaller's ref-count keeps the handle alive during calls on other threads.</summary>
    internal sealed class MixPlaySessionHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public MixPlaySessionHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            return Native.mixplay_session_free(handle) == MixPlayResult.Ok;
        }
    }
}

namespace MixPlay
{
    /// <summary>Owns a <c>mixplay_auth *</c>; releasing it calls <c>mixplay_auth_free</c>.</summary>
    internal sealed class MixPlayAuthHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public MixPlayAuthHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            return Native.mixplay_auth_free(handle) == MixPlayResult.Ok;
        }
    }

    /// <summary>Owns a <c>mixplay_chat *</c>; releasing it calls <c>mixplay_chat_free</c>.</summary>
    internal sealed class MixPlayChatHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public MixPlayChatHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            return Native.mixplay_chat_free(handle) == MixPlayResult.Ok;
        }
    }
}
