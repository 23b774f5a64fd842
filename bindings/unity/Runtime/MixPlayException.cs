using System;

namespace MixPlay
{
    /// <summary>A mixplay call failed: <see cref="Code"/> is the library's result, <see
    /// cref="Detail"/> the text of <c>mixplay_last_error</c> captured right after the call.
    /// Service errors (4xxx) are not exceptions: they arrive in <see cref="MixPlayReply"/>.</summary>
    public class MixPlayException : Exception
    {
        public MixPlayResult Code { get; private set; }
        public string Function { get; private set; }
        public string Detail { get; private set; }

        public MixPlayException(MixPlayResult code, string function, string detail)
            : base(Format(code, function, detail))
        {
            Code = code;
            Function = function;
            Detail = detail ?? string.Empty;
        }

        static string Format(MixPlayResult code, string function, string detail)
        {
            string text = MixPlayLibrary.ResultText(code);
            string s = function + " failed: " + code + " (" + text + ")";
            if (!string.IsNullOrEmpty(detail)) s += ": " + detail;
            return s;
        }

        /// <summary>Throws for anything but OK, with the thread's last-error detail. Call it
        /// straight after the native call, before any other mixplay call on this thread.</summary>
        internal static void Check(MixPlayResult rc, string function)
        {
            if (rc != MixPlayResult.Ok) throw new MixPlayException(rc, function, MixPlayLibrary.LastError());
        }
    }
}
