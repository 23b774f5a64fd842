using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: InternalsVisibleTo("MixPlay.Unity")]
[assembly: InternalsVisibleTo("MixPlay.ConsoleTests")]

namespace MixPlay
{
    /// <summary>Marks a static method called from native code. IL2CPP recognises the attribute
    /// by name (Unity's own lives in UnityEngine, which this engine-free assembly cannot use).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type) { }
    }

    /// <summary>Process-wide things: versions, log level and log records, the handler for
    /// exceptions thrown by game code inside event handlers, and shutting every session down.</summary>
    public static class MixPlayLibrary
    {
        /// <summary>The ABI version this wrapper was written against.</summary>
        public const uint ExpectedAbiVersion = Native.MIXPLAY_ABI_VERSION;

        static readonly object Gate = new object();
        static readonly List<WeakReference> Sessions = new List<WeakReference>();
        static mixplay_log_fn sinkDelegate; // kept alive while the library holds its pointer
        static bool abiChecked;

        /// <summary>The library's version, e.g. "0.1.0".</summary>
        public static unsafe string Version
        {
            get { return Utf8.DecodeStatic(Native.mixplay_version()); }
        }

        /// <summary>The ABI version of the loaded native library.</summary>
        public static uint AbiVersion
        {
            get { return Native.mixplay_abi_version(); }
        }

        /// <summary>The library's text for a result code.</summary>
        public static unsafe string ResultText(MixPlayResult code)
        {
            return Utf8.DecodeStatic(Native.mixplay_result_str((uint)code));
        }

        /// <summary>The detail of the last failed mixplay call on this thread.</summary>
        public static string LastError()
        {
            return Native.mixplay_last_error().ToString();
        }

        /// <summary>Called with exceptions thrown by game code in MixPlay event handlers,
        /// request continuations and log handlers; the drain continues after it. Defaults to
        /// writing to the console; the Unity manager routes it to Debug.LogException.</summary>
        public static Action<Exception> ExceptionHandler = DefaultExceptionHandler;

        static void DefaultExceptionHandler(Exception e)
        {
            Console.Error.WriteLine("MixPlay: an event handler threw: " + e);
        }

        internal static void Report(Exception e)
        {
            Action<Exception> h = ExceptionHandler;
            try
            {
                if (h != null) h(e);
                else DefaultExceptionHandler(e);
            }
            catch (Exception)
            {
                // The handler itself failed: nothing sensible is left to do.
            }
        }

        // The invocation lists of the events raised lately on this thread, by delegate:
        // GetInvocationList builds a new array at every call, and a delegate never changes, so
        // an event's list is built again only after its handlers changed. One thread-static
        // object, read once a call (each thread-static read is a runtime look-up under Mono).
        const int ListedEvents = 8;

        sealed class ListCache
        {
            public readonly Delegate[] For = new Delegate[ListedEvents];
            public readonly Delegate[][] Lists = new Delegate[ListedEvents][];
            public int Next;
        }

        [ThreadStatic] static ListCache listCache;

        static Delegate[] InvocationList(Delegate handlers)
        {
            ListCache cache = listCache;
            if (cache == null) listCache = cache = new ListCache();
            Delegate[] listedFor = cache.For;
            for (int i = 0; i < ListedEvents; i++)
                if (ReferenceEquals(listedFor[i], handlers)) return cache.Lists[i];
            Delegate[] list = handlers.GetInvocationList();
            listedFor[cache.Next] = handlers;
            cache.Lists[cache.Next] = list;
            cache.Next = (cache.Next + 1) % ListedEvents;
            return list;
        }

        /// <summary>Calls every handler of an event in turn; one that throws is reported to
        /// <see cref="ExceptionHandler"/> and the others still run.</summary>
        internal static void Raise<T>(EventHandler<T> handlers, object sender, T args) where T : EventArgs
        {
            if (handlers == null) return;
            foreach (Delegate d in InvocationList(handlers))
            {
                try
                {
                    ((EventHandler<T>)d)(sender, args);
                }
                catch (Exception e)
                {
                    Report(e);
                }
            }
        }

        /// <summary>The same for plain <see cref="EventHandler"/> events.</summary>
        internal static void Raise(EventHandler handlers, object sender, EventArgs args)
        {
            if (handlers == null) return;
            foreach (Delegate d in InvocationList(handlers))
            {
                try
                {
                    ((EventHandler)d)(sender, args);
                }
                catch (Exception e)
                {
                    Report(e);
                }
            }
        }

        /// <summary>Throws unless the loaded library speaks the ABI this wrapper expects.</summary>
        public static void EnsureCompatible()
        {
            if (abiChecked) return;
            uint abi;
            try
            {
                abi = Native.mixplay_abi_version();
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    "The native mixplay library was not found. Put mixplay.dll / libmixplay.dylib / " +
                    "libmixplay.so under Plugins/ (see the package README).", e);
            }
            if (abi != ExpectedAbiVersion)
                throw new InvalidOperationException("The native mixplay library has ABI version " + abi +
                                                    " but this wrapper expects " + ExpectedAbiVersion + ".");
            abiChecked = true;
        }

        /// <summary>Sets the process-wide log level (default Warning).</summary>
        public static void SetLogLevel(MixPlayLogLevel level)
        {
            MixPlayException.Check(Native.mixplay_set_log_level((uint)level), "mixplay_set_log_level");
        }

        static EventHandler<MixPlayLogEventArgs> messageLogged;

        /// <summary>Log records of the library. Subscribing routes the library's logging here
        /// instead of stderr; records are delivered only inside <see cref="MixPlaySession.Update"/>,
        /// on the thread that calls it. Unsubscribing the last handler goes back to stderr.</summary>
        public static event EventHandler<MixPlayLogEventArgs> MessageLogged
        {
            add
            {
                lock (Gate)
                {
                    messageLogged += value;
                    InstallSink(messageLogged != null);
                }
            }
            remove
            {
                lock (Gate)
                {
                    messageLogged -= value;
                    InstallSink(messageLogged != null);
                }
            }
        }

        static void InstallSink(bool on)
        {
            if (on && sinkDelegate == null)
            {
                sinkDelegate = OnLog;
                MixPlayException.Check(Native.mixplay_set_log_sink(sinkDelegate, IntPtr.Zero), "mixplay_set_log_sink");
            }
            else if (!on && sinkDelegate != null)
            {
                MixPlayException.Check(Native.mixplay_set_log_sink(null, IntPtr.Zero), "mixplay_set_log_sink");
                sinkDelegate = null;
            }
        }

        [MonoPInvokeCallback(typeof(mixplay_log_fn))]
        static void OnLog(IntPtr userData, uint level, mixplay_str message)
        {
            // Never let an exception unwind into native code.
            try
            {
                EventHandler<MixPlayLogEventArgs> h = messageLogged;
                if (h != null) h(null, new MixPlayLogEventArgs((MixPlayLogLevel)level, message.ToString()));
            }
            catch (Exception e)
            {
                Report(e);
            }
        }

        internal static void Track(IDisposable s)
        {
            lock (Gate)
            {
                Sessions.RemoveAll(w => !w.IsAlive);
                Sessions.Add(new WeakReference(s));
            }
        }

        internal static void Untrack(IDisposable s)
        {
            lock (Gate)
            {
                Sessions.RemoveAll(w => !w.IsAlive || ReferenceEquals(w.Target, s));
            }
        }

        /// <summary>How many sessions are alive (made and not disposed).</summary>
        public static int LiveSessions
        {
            get { return Live<MixPlaySession>(); }
        }

        /// <summary>How many sessions, chats and sign-ins are alive (made and not disposed).</summary>
        public static int LiveObjects
        {
            get { return Live<IDisposable>(); }
        }

        static int Live<T>() where T : class
        {
            lock (Gate)
            {
                Sessions.RemoveAll(w => !w.IsAlive);
                int n = 0;
                foreach (WeakReference w in Sessions)
                    if (w.Target is T) n++;
                return n;
            }
        }

        /// <summary>Disposes every live session, chat and sign-in (which stops and joins the library's threads)
        /// and detaches the log sink, so nothing native points into managed code any more. Call
        /// it before a Unity domain reload and on quit: the native library stays loaded across
        /// reloads, and a log callback into an unloaded domain would crash the editor.</summary>
        public static void ShutdownAll()
        {
            List<IDisposable> live = new List<IDisposable>();
            lock (Gate)
            {
                foreach (WeakReference w in Sessions)
                {
                    IDisposable s = w.Target as IDisposable;
                    if (s != null) live.Add(s);
                }
            }
            foreach (IDisposable s in live) s.Dispose();
            lock (Gate)
            {
                Sessions.Clear();
                messageLogged = null;
                InstallSink(false);
            }
        }
    }

    /// <summary>One log record of the library.</summary>
    public sealed class MixPlayLogEventArgs : EventArgs
    {
        public MixPlayLogLevel Level { get; private set; }
        public string Message { get; private set; }

        public MixPlayLogEventArgs(MixPlayLogLevel level, string message)
        {
            Level = level;
            Message = message;
        }
    }
}
