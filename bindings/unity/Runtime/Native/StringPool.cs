using System;

namespace MixPlay
{
    /// <summary>
    /// The ids the library hands out again and again (participants, controls), decoded once: a
    /// look-up by their UTF-8 bytes gives back the same string without allocating, so an input
    /// event costs the game its input object and nothing else. Bounded: it holds at most
    /// <see cref="MaxEntries"/> ids and starts over when full; text longer than an id is decoded
    /// every time. One per session, used only on the thread that runs its Update.
    /// </summary>
    internal sealed unsafe class StringPool
    {
        internal const int MaxEntries = 4096;
        const int MaxPooledBytes = 128;
        // Open addressing, never more than half full, so a look-up ends at a free slot soon.
        const int Slots = MaxEntries * 2;

        readonly int[] hashes = new int[Slots];
        readonly byte[][] keys = new byte[Slots][];
        readonly string[] texts = new string[Slots];
        int count;

        /// <summary>The string for <paramref name="s"/>, decoded as <c>mixplay_str.ToString</c>
        /// decodes it.</summary>
        public string Get(mixplay_str s)
        {
            ulong length = s.len.ToUInt64();
            if (length == 0 || length > MaxPooledBytes || s.ptr == IntPtr.Zero) return s.ToString();
            int n = (int)length;
            byte* p = (byte*)s.ptr;
            int hash = Hash(p, n);
            int slot = hash & (Slots - 1);
            for (; keys[slot] != null; slot = (slot + 1) & (Slots - 1))
            {
                if (hashes[slot] == hash && Same(keys[slot], p, n)) return texts[slot];
            }
            string text = s.ToString();
            if (count == MaxEntries)
            {
                Array.Clear(keys, 0, Slots);
                Array.Clear(texts, 0, Slots);
                count = 0;
                slot = hash & (Slots - 1);
            }
            byte[] key = new byte[n];
            for (int i = 0; i < n; i++) key[i] = p[i];
            hashes[slot] = hash;
            keys[slot] = key;
            texts[slot] = text;
            count++;
            return text;
        }

        // Eight bytes a step (a session id is 36) on 64-bit platforms, whose processors (x86-64,
        // arm64) read unaligned words; byte by byte elsewhere (32-bit ARM faults on some unaligned
        // 64-bit loads, and the library's strings have no alignment).
        static readonly bool WordReads = IntPtr.Size == 8;

        static int Hash(byte* p, int n)
        {
            ulong h = 14695981039346656037UL ^ (ulong)n;
            int i = 0;
            if (WordReads)
            {
                for (; i + 8 <= n; i += 8)
                {
                    h = (h ^ *(ulong*)(p + i)) * 1099511628211UL;
                    h ^= h >> 32;
                }
            }
            for (; i < n; i++) h = (h ^ p[i]) * 1099511628211UL;
            return (int)(h ^ (h >> 29));
        }

        static bool Same(byte[] key, byte* p, int n)
        {
            if (key.Length != n) return false;
            fixed (byte* k = key)
            {
                int i = 0;
                if (WordReads)
                {
                    for (; i + 8 <= n; i += 8)
                        if (*(ulong*)(k + i) != *(ulong*)(p + i)) return false;
                }
                for (; i < n; i++)
                    if (k[i] != p[i]) return false;
            }
            return true;
        }
    }
}
