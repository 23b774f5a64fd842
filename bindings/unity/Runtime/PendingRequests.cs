// The requests of a session or a chat that wait for their replies: made from a call's result and
// request id, completed by the reply event that carries the id.
using System.Collections.Generic;

namespace MixPlay
{
    internal sealed class PendingRequests
    {
        readonly Dictionary<ulong, MixPlayRequest> pending = new Dictionary<ulong, MixPlayRequest>();

        internal int Count
        {
            get { return pending.Count; }
        }

        /// <summary>The request a call made: throws the call's failure, else the request waiting
        /// for reply <paramref name="id"/> (one object for the coalesced writes sharing an id).</summary>
        internal MixPlayRequest Track(MixPlayResult rc, ulong id, string function)
        {
            MixPlayException.Check(rc, function);
            MixPlayRequest r;
            if (!pending.TryGetValue(id, out r))
            {
                r = new MixPlayRequest(id);
                pending.Add(id, r);
            }
            return r;
        }

        /// <summary>Completes the request <paramref name="reply"/> answers, if one waits.</summary>
        internal void Complete(MixPlayReply reply)
        {
            MixPlayRequest r;
            if (!pending.TryGetValue(reply.RequestId, out r)) return;
            pending.Remove(reply.RequestId);
            r.Complete(reply);
        }
    }
}
