// Layer 3's shared lifecycle: MixPlaySession, MixPlayChat and MixPlayAuth each own one native
// handle through a HandleOwner, which takes it from the mixplay_*_new call (or throws that call's
// failure), tracks the wrapper for MixPlayLibrary.Shutdown, and refuses use after Dispose.
using System;
using System.Runtime.InteropServices;

namespace MixPlay
{
    internal sealed class HandleOwner<T> where T : SafeHandle
    {
        readonly T handle;
        readonly IDisposable owner;
        readonly string ownerName;
        bool disposed;

        /// <summary>Takes <paramref name="made"/>, the handle <paramref name="function"/> wrote
        /// with result <paramref name="rc"/>; on failure frees whatever it wrote and throws with
        /// the library's detail.</summary>
        internal HandleOwner(MixPlayResult rc, T made, string function, IDisposable owner)
        {
            if (rc != MixPlayResult.Ok)
            {
                string detail = MixPlayLibrary.LastError();
                if (made != null) made.Dispose();
                throw new MixPlayException(rc, function, detail);
            }
            handle = made;
            this.owner = owner;
            ownerName = owner.GetType().Name;
            MixPlayLibrary.Track(owner);
        }

        internal bool IsDisposed
        {
            get { return disposed; }
        }

        /// <summary>The handle; ObjectDisposedException after Dispose.</summary>
        internal T Handle
        {
            get
            {
                if (disposed) throw new ObjectDisposedException(ownerName);
                return handle;
            }
        }

        /// <summary>Frees the native object (once; later calls do nothing).</summary>
        internal void Dispose()
        {
            if (disposed) return;
            disposed = true;
            handle.Dispose();
            MixPlayLibrary.Untrack(owner);
        }
    }
}
