// UTF-8 both ways without leaks and without NUL scans.
//
// In: strings are encoded to a NUL-terminated byte[] that the caller pins with `fixed` for the
// duration of the call (the GC frees it; nothing native to free). Identifiers the per-frame
// helpers pass every frame (control ids) come from a small cache, so polling-style calls
// allocate nothing after the first frame. Out: mixplay_str is decoded from ptr + len.
using System;
using System.Collections.Generic;
using System.Text;

namespace MixPlay
{
    internal static unsafe class Utf8
    {
        static readonly UTF8Encoding Strict = new UTF8Encoding(false, false);
        const int IdCacheLimit = 1024;
        static readonly object IdLock = new object();
        static readonly Dictionary<string, byte[]> Ids = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        /// <summary>NUL-terminated UTF-8 of <paramref name="s"/>; null for null (a NULL pointer
        /// once pinned). Lone surrogates become U+FFFD, so the library never sees bad UTF-8.</summary>
        internal static byte[] Encode(string s)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0) throw new ArgumentException("strings passed to mixplay cannot contain NUL characters");
            int n = Strict.GetByteCount(s);
            byte[] buf = new byte[n + 1];
            Strict.GetBytes(s, 0, s.Length, buf, 0);
            return buf;
        }

        /// <summary>Like <see cref="Encode"/> but throws for null (required arguments).</summary>
        internal static byte[] Required(string s, string name)
        {
            if (s == null) throw new ArgumentNullException(name);
            return Encode(s);
        }

        /// <summary>The cached encoding of an identifier (control, scene, group id). The returned
        /// array is shared: never write to it.</summary>
        internal static byte[] Id(string s, string name)
        {
            if (s == null) throw new ArgumentNullException(name);
            lock (IdLock)
            {
                byte[] b;
                if (Ids.TryGetValue(s, out b)) return b;
                b = Encode(s);
                if (Ids.Count >= IdCacheLimit) Ids.Clear();
                Ids[s] = b;
                return b;
            }
        }

        internal static string Decode(IntPtr ptr, UIntPtr len)
        {
            ulong n = len.ToUInt64();
            if (n == 0 || ptr == IntPtr.Zero) return string.Empty;
            if (n > int.MaxValue) throw new OverflowException("string too long");
            return Strict.GetString((byte*)ptr, (int)n);
        }

        /// <summary>Decodes a static NUL-terminated string (version, result text); the only
        /// place that scans for NUL, for the two functions that return <c>const char *</c>.</summary>
        internal static string DecodeStatic(byte* p)
        {
            if (p == null) return string.Empty;
            int n = 0;
            while (p[n] != 0) n++;
            return Strict.GetString(p, n);
        }
    }
}
