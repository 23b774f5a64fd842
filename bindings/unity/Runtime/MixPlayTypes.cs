// Public value types of the wrapper: settings, replies and requests, inputs, participants, the
// cache's scenes/groups/controls, and the event argument classes. All strings are copies: they
// stay valid after the next Update.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MixPlay
{
    /// <summary>How to connect. Plain fields, so a MonoBehaviour can serialise them.</summary>
    [Serializable]
    public sealed class MixPlaySettings
    {
        /// <summary>The service's hosts endpoint, e.g. https://example.com/api/v1/interactive/hosts.
        /// A bare base URL (no path) gets /api/v1/interactive/hosts appended.</summary>
        public string ServiceUrl = "http://127.0.0.1:8080";
        /// <summary>Game-client websocket URLs to use instead of discovery (optional).</summary>
        public List<string> Endpoints = new List<string>();
        /// <summary>The streamer's OAuth token (without "Bearer ").</summary>
        public string Token = "";
        /// <summary>The interactive project version to run.</summary>
        public uint VersionId;
        /// <summary>The share code of a project shared by its author (optional).</summary>
        public string ShareCode = "";
        /// <summary>Compression schemes to offer, most preferred first ("lz4,gzip"; "none").</summary>
        public string Compression = "lz4,gzip";
        /// <summary>Call ready by itself once synchronised.</summary>
        public bool AutoReady;
        public bool Reconnect = true;
        public uint ReconnectInitialDelayMs = 500;
        public uint ReconnectMaxDelayMs = 20000;
        /// <summary>Failed attempts in a row to allow; -1 for no limit.</summary>
        public int ReconnectMaxAttempts = -1;
        public uint ConnectTimeoutMs = 10000;
        public uint RequestTimeoutMs = 15000;
        /// <summary>Extra PEM roots for wss/https (optional).</summary>
        public string TlsRootsPem = "";
        public bool TlsAlsoSystemRoots = true;
        public bool HandshakeInQuery;
        public uint EventQueueCapacity = 65536;
        /// <summary>Refresh <see cref="Token"/> by itself before it expires, and at a reconnection
        /// that finds it refused or expired (optional; <see cref="MixPlaySession.TokensRefreshed"/>
        /// hands over the new tokens). For a chat made with these settings, the refresh of its
        /// token.</summary>
        [NonSerialized] public MixPlayTokenRefresh TokenRefresh;
        /// <summary>Capture the spark transaction of every press and submission as it arrives,
        /// before the input events are raised (<see cref="MixPlayInput.AutoCapture"/> tells how
        /// it went). Off by default: capture after the game has granted what was paid for.</summary>
        public bool AutoCaptureTransactions;

        /// <summary>The discovery URL the library is given.</summary>
        public string HostsUrl
        {
            get
            {
                string u = (ServiceUrl ?? "").Trim();
                int scheme = u.IndexOf("://", StringComparison.Ordinal);
                bool hasPath = scheme >= 0 && u.IndexOf('/', scheme + 3) >= 0 && !u.EndsWith("/");
                if (hasPath) return u;
                return u.TrimEnd('/') + "/api/v1/interactive/hosts";
            }
        }
    }

    /// <summary>The answer to a request: success with a JSON result, or the service's error.</summary>
    public sealed class MixPlayReply : EventArgs
    {
        public ulong RequestId { get; private set; }
        public bool Success { get; private set; }
        /// <summary>The result as JSON text (success).</summary>
        public string Json { get; private set; }
        /// <summary>The service's error code (failure), e.g. 4006 for an unknown transaction.</summary>
        public uint Code { get; private set; }
        public string Message { get; private set; }
        /// <summary>The path of the offending parameter, when the service gave one.</summary>
        public string Path { get; private set; }

        internal MixPlayReply(ulong id, bool success, string json, uint code, string message, string path)
        {
            RequestId = id;
            Success = success;
            Json = json;
            Code = code;
            Message = message;
            Path = path;
        }

        public override string ToString()
        {
            return Success ? "ok " + Json : "error " + Code + ": " + Message + (Path.Length > 0 ? " (" + Path + ")" : "");
        }
    }

    /// <summary>A request on its way. Completed inside <see cref="MixPlaySession.Update"/>, so
    /// continuations (<c>await</c>, <see cref="Then"/>) run on the thread that calls Update.
    /// Control property setters made in one frame share one request per scene.</summary>
    public sealed class MixPlayRequest : INotifyCompletion
    {
        List<Action> continuations;

        public ulong Id { get; private set; }
        public bool IsCompleted { get; private set; }
        /// <summary>The reply, once completed; null before.</summary>
        public MixPlayReply Reply { get; private set; }

        internal MixPlayRequest(ulong id)
        {
            Id = id;
        }

        /// <summary>Runs <paramref name="action"/> with the reply (now, if it has arrived).</summary>
        public MixPlayRequest Then(Action<MixPlayReply> action)
        {
            if (action == null) throw new ArgumentNullException("action");
            OnCompleted(() => action(Reply));
            return this;
        }

        internal void Complete(MixPlayReply reply)
        {
            if (IsCompleted) return;
            Reply = reply;
            IsCompleted = true;
            List<Action> cs = continuations;
            continuations = null;
            if (cs == null) return;
            foreach (Action c in cs)
            {
                try
                {
                    c();
                }
                catch (Exception e)
                {
                    MixPlayLibrary.Report(e);
                }
            }
        }

        public MixPlayRequest GetAwaiter()
        {
            return this;
        }

        public void OnCompleted(Action continuation)
        {
            if (IsCompleted)
            {
                continuation();
                return;
            }
            if (continuations == null) continuations = new List<Action>(1);
            continuations.Add(continuation);
        }

        /// <summary>The reply (for <c>await</c>); throws if it has not arrived.</summary>
        public MixPlayReply GetResult()
        {
            if (!IsCompleted) throw new InvalidOperationException("request " + Id + " has no reply yet");
            return Reply;
        }
    }

    /// <summary>A participant as the cache held it when this object was made.</summary>
    public sealed class MixPlayParticipant
    {
        public string SessionId { get; private set; }
        /// <summary>0 for anonymous viewers.</summary>
        public uint UserId { get; private set; }
        public uint Level { get; private set; }
        public string Username { get; private set; }
        public string GroupId { get; private set; }
        public DateTimeOffset ConnectedAt { get; private set; }
        /// <summary>Null before the first input.</summary>
        public DateTimeOffset? LastInputAt { get; private set; }
        public bool IsDisabled { get; private set; }
        public bool IsAnonymous { get; private set; }

        internal MixPlayParticipant(ref mixplay_participant p)
        {
            SessionId = p.session_id.ToString();
            UserId = p.user_id;
            Level = p.level;
            Username = p.username.ToString();
            GroupId = p.group.ToString();
            ConnectedAt = FromUnixMs(p.connected_at);
            LastInputAt = p.last_input_at == 0 ? (DateTimeOffset?)null : FromUnixMs(p.last_input_at);
            IsDisabled = p.disabled != 0;
            IsAnonymous = p.anonymous != 0;
        }

        static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

        internal static DateTimeOffset FromUnixMs(long ms)
        {
            return Epoch.AddMilliseconds(ms);
        }

        public override string ToString()
        {
            return Username + " (" + SessionId + ")";
        }
    }

    /// <summary>Base of every input: who gave it, to which control, and any spark transaction
    /// it opened (capture it with <see cref="MixPlaySession.Capture"/>).</summary>
    public class MixPlayInput : EventArgs
    {
        readonly MixPlaySession session;

        public MixPlayInputKind Kind { get; private set; }
        public string ParticipantId { get; private set; }
        public string ControlId { get; private set; }
        /// <summary>The spark transaction this input opened; empty when none.</summary>
        public string TransactionId { get; private set; }
        /// <summary>The raw input object (custom inputs); empty otherwise.</summary>
        public string Json { get; private set; }

        public bool HasTransaction
        {
            get { return TransactionId.Length > 0; }
        }

        /// <summary>The participant, looked up in the cache now; null if they have left.</summary>
        public MixPlayParticipant Participant
        {
            get
            {
                MixPlayParticipant p;
                return session.TryGetParticipant(ParticipantId, out p) ? p : null;
            }
        }

        internal MixPlayInput(MixPlaySession session, ref mixplay_event e)
        {
            this.session = session;
            Kind = (MixPlayInputKind)e.input_kind;
            ParticipantId = session.Ids.Get(e.participant);
            ControlId = session.Ids.Get(e.control);
            TransactionId = e.transaction.ToString();
            Json = e.json.ToString();
        }

        /// <summary>With <see cref="MixPlaySettings.AutoCaptureTransactions"/>: the capture the
        /// session made for this input's transaction (await it, or check it later); else null.</summary>
        public MixPlayRequest AutoCapture { get; internal set; }

        /// <summary>Charges the transaction this input opened.</summary>
        public MixPlayRequest Capture()
        {
            if (!HasTransaction) throw new InvalidOperationException("this input opened no transaction");
            return session.Capture(TransactionId);
        }
    }

    /// <summary>A button pressed or released, with the mouse, a touch or its key.</summary>
    public sealed class ButtonInput : MixPlayInput
    {
        /// <summary>True for mousedown/keydown, false for mouseup/keyup.</summary>
        public bool IsDown { get; private set; }
        public bool IsKey { get; private set; }
        /// <summary>The mouse button (0 for touch and keys).</summary>
        public int MouseButton { get; private set; }
        public bool HasPosition { get; private set; }
        public double X { get; private set; }
        public double Y { get; private set; }

        internal ButtonInput(MixPlaySession s, ref mixplay_event e) : base(s, ref e)
        {
            MixPlayInputKind k = (MixPlayInputKind)e.input_kind;
            IsDown = k == MixPlayInputKind.MouseDown || k == MixPlayInputKind.KeyDown;
            IsKey = k == MixPlayInputKind.KeyDown || k == MixPlayInputKind.KeyUp;
            MouseButton = e.button;
            HasPosition = e.has_position != 0;
            X = e.x;
            Y = e.y;
        }
    }

    /// <summary>A joystick or screen move.</summary>
    public sealed class MoveInput : MixPlayInput
    {
        public double X { get; private set; }
        public double Y { get; private set; }

        internal MoveInput(MixPlaySession s, ref mixplay_event e) : base(s, ref e)
        {
            X = e.x;
            Y = e.y;
        }
    }

    /// <summary>A textbox change (typing) or submission.</summary>
    public sealed class TextInput : MixPlayInput
    {
        public string Text { get; private set; }
        public bool IsSubmit { get; private set; }

        internal TextInput(MixPlaySession s, ref mixplay_event e) : base(s, ref e)
        {
            Text = e.text.ToString();
            IsSubmit = e.input_kind == (uint)MixPlayInputKind.TextSubmit;
        }
    }

    /// <summary>Any other input event: its name and the raw input object.</summary>
    public sealed class CustomInput : MixPlayInput
    {
        public string EventName { get; private set; }

        internal CustomInput(MixPlaySession s, ref mixplay_event e) : base(s, ref e)
        {
            EventName = e.text.ToString();
        }
    }

    /// <summary>A text submitted to a textbox this frame, and who sent it.</summary>
    public struct TextSubmission
    {
        public string ParticipantId;
        public string Text;

        public TextSubmission(string participantId, string text)
        {
            ParticipantId = participantId;
            Text = text;
        }
    }

    public enum MixPlayChange
    {
        Created,
        Updated,
        Deleted,
    }

    public sealed class ConnectionChangedEventArgs : EventArgs
    {
        public MixPlayConnectionState State { get; private set; }
        /// <summary>The close code, 0 if none.</summary>
        public uint CloseCode { get; private set; }
        public string Message { get; private set; }

        internal ConnectionChangedEventArgs(MixPlayConnectionState state, uint code, string message)
        {
            State = state;
            CloseCode = code;
            Message = message;
        }
    }

    public sealed class ReadyChangedEventArgs : EventArgs
    {
        public bool IsReady { get; private set; }

        internal ReadyChangedEventArgs(bool ready)
        {
            IsReady = ready;
        }
    }

    public sealed class ParticipantEventArgs : EventArgs
    {
        /// <summary>The participant as the cache holds them after the event.</summary>
        public MixPlayParticipant Participant { get; private set; }

        internal ParticipantEventArgs(MixPlayParticipant p)
        {
            Participant = p;
        }
    }

    public sealed class ParticipantLeftEventArgs : EventArgs
    {
        public string SessionId { get; private set; }
        /// <summary>Their last known properties, as JSON.</summary>
        public string Json { get; private set; }

        internal ParticipantLeftEventArgs(string sid, string json)
        {
            SessionId = sid;
            Json = json;
        }
    }

    public sealed class SceneEventArgs : EventArgs
    {
        public MixPlayChange Change { get; private set; }
        public string SceneId { get; private set; }
        /// <summary>Deleted: the scene its groups moved to.</summary>
        public string ReassignedTo { get; private set; }

        internal SceneEventArgs(MixPlayChange c, string scene, string to)
        {
            Change = c;
            SceneId = scene;
            ReassignedTo = to;
        }
    }

    public sealed class GroupEventArgs : EventArgs
    {
        public MixPlayChange Change { get; private set; }
        public string GroupId { get; private set; }
        /// <summary>Deleted: the group its participants moved to.</summary>
        public string ReassignedTo { get; private set; }

        internal GroupEventArgs(MixPlayChange c, string group, string to)
        {
            Change = c;
            GroupId = group;
            ReassignedTo = to;
        }
    }

    public sealed class ControlEventArgs : EventArgs
    {
        public MixPlayChange Change { get; private set; }
        public string SceneId { get; private set; }
        public string ControlId { get; private set; }

        internal ControlEventArgs(MixPlayChange c, string scene, string control)
        {
            Change = c;
            SceneId = scene;
            ControlId = control;
        }
    }

    public sealed class MemoryWarningEventArgs : EventArgs
    {
        public ulong UsedBytes { get; private set; }
        /// <summary>The cap; 0 when uncapped.</summary>
        public ulong TotalBytes { get; private set; }
        public string Json { get; private set; }

        internal MemoryWarningEventArgs(ulong used, ulong total, string json)
        {
            UsedBytes = used;
            TotalBytes = total;
            Json = json;
        }
    }

    public sealed class MethodEventArgs : EventArgs
    {
        public string Method { get; private set; }
        public string ParamsJson { get; private set; }

        internal MethodEventArgs(string method, string json)
        {
            Method = method;
            ParamsJson = json;
        }
    }

    public sealed class MixPlayErrorEventArgs : EventArgs
    {
        public MixPlayErrorKind Kind { get; private set; }
        public uint Code { get; private set; }
        public string Message { get; private set; }

        internal MixPlayErrorEventArgs(MixPlayErrorKind kind, uint code, string message)
        {
            Kind = kind;
            Code = code;
            Message = message;
        }
    }

    /// <summary>A group of the cache (snapshot).</summary>
    public sealed class MixPlayGroup
    {
        public string Id { get; private set; }
        public string SceneId { get; private set; }

        internal MixPlayGroup(string id, string scene)
        {
            Id = id;
            SceneId = scene;
        }
    }

    /// <summary>A scene of the cache (snapshot of its control ids when made).</summary>
    public sealed class MixPlayScene
    {
        public string Id { get; private set; }
        public IReadOnlyList<MixPlayControl> Controls { get; private set; }

        internal MixPlayScene(string id, IReadOnlyList<MixPlayControl> controls)
        {
            Id = id;
            Controls = controls;
        }
    }

    /// <summary>A control, by id: reads go to the cache, writes are coalesced per frame.</summary>
    public sealed class MixPlayControl
    {
        readonly MixPlaySession session;

        public string Id { get; private set; }
        /// <summary>The scene it was listed in (empty when made by id alone).</summary>
        public string SceneId { get; private set; }

        internal MixPlayControl(MixPlaySession session, string id, string scene)
        {
            this.session = session;
            Id = id;
            SceneId = scene;
        }

        public string Kind
        {
            get { return session.GetControlString(Id, "kind"); }
        }

        /// <summary>All properties as JSON.</summary>
        public string Json
        {
            get { return session.GetControlJson(Id); }
        }

        public MixPlayRequest SetText(string text)
        {
            return session.SetControlText(Id, text);
        }

        public MixPlayRequest SetTooltip(string tooltip)
        {
            return session.SetControlTooltip(Id, tooltip);
        }

        public MixPlayRequest SetProgress(double progress)
        {
            return session.SetControlProgress(Id, progress);
        }

        public MixPlayRequest SetCooldown(TimeSpan duration)
        {
            return session.SetControlCooldown(Id, duration);
        }

        public MixPlayRequest SetDisabled(bool disabled)
        {
            return session.SetControlDisabled(Id, disabled);
        }

        public MixPlayRequest SetCost(uint sparks)
        {
            return session.SetControlCost(Id, sparks);
        }

        public override string ToString()
        {
            return Id;
        }
    }
}
