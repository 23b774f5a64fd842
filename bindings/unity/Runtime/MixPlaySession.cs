// Layer 3: the session. Engine-free (no UnityEngine), so it is what the console tests compile
// and run under Mono. Every C# event is raised only from Update(), on the thread calling it.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace MixPlay
{
    /// <summary>
    /// A game-client session: connects in the background when made; call <see cref="Update"/>
    /// once a frame (it drains the library's events, raises the C# events below on the calling
    /// thread, completes requests, and ends the input frame that the polling helpers such as
    /// <see cref="GetButtonDown(string)"/> describe). Dispose it to close the connection; disposing
    /// the last session stops the library's network threads.
    /// <para>Threads: use a session from the thread that calls Update (Unity's main thread).
    /// Only <see cref="Dispose"/> may be called from anywhere.</para>
    /// </summary>
    public sealed unsafe partial class MixPlaySession : IDisposable
    {
        const int BatchSize = 64;
        /// <summary>An Update hands out at most this many events, then ends the frame anyway,
        /// so a flood cannot hold the game loop.</summary>
        public const int MaxEventsPerUpdate = 8192;

        readonly HandleOwner<MixPlaySessionHandle> native;
        readonly mixplay_event[] batch = new mixplay_event[BatchSize];
        readonly PendingRequests pending = new PendingRequests();
        readonly InputFrame frame = new InputFrame();
        // Participant and control ids of inputs, decoded once (Update's thread only).
        readonly StringPool ids = new StringPool();

        internal StringPool Ids
        {
            get { return ids; }
        }
        bool updating;

        // ----- events (raised only inside Update) -----

        public event EventHandler<ConnectionChangedEventArgs> ConnectionChanged;
        public event EventHandler<ReadyChangedEventArgs> ReadyChanged;
        /// <summary>Every input; the typed events below are raised after it for their kinds.</summary>
        public event EventHandler<MixPlayInput> InputReceived;
        public event EventHandler<ButtonInput> ButtonInputReceived;
        public event EventHandler<MoveInput> MoveInputReceived;
        public event EventHandler<TextInput> TextInputReceived;
        public event EventHandler<CustomInput> CustomInputReceived;
        public event EventHandler<ParticipantEventArgs> ParticipantJoined;
        public event EventHandler<ParticipantLeftEventArgs> ParticipantLeft;
        public event EventHandler<ParticipantEventArgs> ParticipantUpdated;
        public event EventHandler<SceneEventArgs> SceneChanged;
        public event EventHandler<GroupEventArgs> GroupChanged;
        public event EventHandler<ControlEventArgs> ControlChanged;
        public event EventHandler WorldUpdated;
        public event EventHandler<MemoryWarningEventArgs> MemoryWarning;
        /// <summary>Every reply, after the request it answers has been completed.</summary>
        public event EventHandler<MixPlayReply> ReplyReceived;
        public event EventHandler<MethodEventArgs> UnhandledMethod;
        public event EventHandler<MixPlayErrorEventArgs> Error;
        /// <summary>Automatic refresh (<see cref="MixPlaySettings.TokenRefresh"/>) got new tokens
        /// (store them: the old refresh token is spent), or the refresh token was refused.</summary>
        public event EventHandler<TokensEventArgs> TokensRefreshed;

        /// <summary>Capture every input's spark transaction as it arrives (see
        /// <see cref="MixPlaySettings.AutoCaptureTransactions"/>).</summary>
        public bool AutoCaptureTransactions { get; set; }

        // ----- lifecycle -----

        /// <summary>Makes a session and starts connecting. Throws <see cref="MixPlayException"/>
        /// for bad settings (the message says which) and when the library cannot start.</summary>
        public MixPlaySession(MixPlaySettings settings)
        {
            if (settings == null) throw new ArgumentNullException("settings");
            MixPlayLibrary.EnsureCompatible();
            using (MixPlayConfigHandle config = BuildConfig(settings))
            {
                MixPlaySessionHandle h;
                MixPlayResult rc = Native.mixplay_session_new(config, out h);
                native = new HandleOwner<MixPlaySessionHandle>(rc, h, "mixplay_session_new", this);
            }
            AutoCaptureTransactions = settings.AutoCaptureTransactions;
        }

        /// <summary>The config for a chat or a sign-in: from <paramref name="settings"/>, or
        /// the library's defaults when it is null.</summary>
        internal static MixPlayConfigHandle BuildConfigOrDefaults(MixPlaySettings settings)
        {
            return settings != null ? BuildConfig(settings) : new MixPlayConfigHandle();
        }

        internal static MixPlayConfigHandle BuildConfig(MixPlaySettings s)
        {
            MixPlayConfigHandle c;
            MixPlayResult rc = Native.mixplay_config_new(out c);
            MixPlayException.Check(rc, "mixplay_config_new");
            try
            {
                if (s.Endpoints != null && s.Endpoints.Count > 0)
                {
                    foreach (string url in s.Endpoints)
                        fixed (byte* p = Utf8.Required(url, "Endpoints"))
                            MixPlayException.Check(Native.mixplay_config_add_endpoint(c, p), "mixplay_config_add_endpoint");
                }
                else
                {
                    fixed (byte* p = Utf8.Required(s.HostsUrl, "ServiceUrl"))
                        MixPlayException.Check(Native.mixplay_config_set_discovery_url(c, p), "mixplay_config_set_discovery_url");
                }
                if (!string.IsNullOrEmpty(s.Token))
                    fixed (byte* p = Utf8.Encode(s.Token))
                        MixPlayException.Check(Native.mixplay_config_set_token(c, p), "mixplay_config_set_token");
                if (s.VersionId != 0)
                    MixPlayException.Check(Native.mixplay_config_set_version_id(c, s.VersionId), "mixplay_config_set_version_id");
                fixed (byte* p = Utf8.Encode(string.IsNullOrEmpty(s.ShareCode) ? null : s.ShareCode))
                    MixPlayException.Check(Native.mixplay_config_set_share_code(c, p), "mixplay_config_set_share_code");
                fixed (byte* p = Utf8.Encode(s.Compression ?? ""))
                    MixPlayException.Check(Native.mixplay_config_set_compression(c, p), "mixplay_config_set_compression");
                MixPlayException.Check(Native.mixplay_config_set_auto_ready(c, s.AutoReady), "mixplay_config_set_auto_ready");
                MixPlayException.Check(Native.mixplay_config_set_reconnect(c, s.Reconnect, s.ReconnectInitialDelayMs, s.ReconnectMaxDelayMs, s.ReconnectMaxAttempts),
                                       "mixplay_config_set_reconnect");
                MixPlayException.Check(Native.mixplay_config_set_connect_timeout_ms(c, s.ConnectTimeoutMs), "mixplay_config_set_connect_timeout_ms");
                MixPlayException.Check(Native.mixplay_config_set_request_timeout_ms(c, s.RequestTimeoutMs), "mixplay_config_set_request_timeout_ms");
                if (!string.IsNullOrEmpty(s.TlsRootsPem))
                    fixed (byte* p = Utf8.Encode(s.TlsRootsPem))
                        MixPlayException.Check(Native.mixplay_config_set_tls_roots_pem(c, p, s.TlsAlsoSystemRoots), "mixplay_config_set_tls_roots_pem");
                MixPlayException.Check(Native.mixplay_config_set_handshake_in_query(c, s.HandshakeInQuery), "mixplay_config_set_handshake_in_query");
                MixPlayException.Check(Native.mixplay_config_set_event_queue_capacity(c, s.EventQueueCapacity), "mixplay_config_set_event_queue_capacity");
                if (s.TokenRefresh != null)
                    MixPlayTokenRefresh.Apply(s.TokenRefresh, (u, id, t, e, g) => Native.mixplay_config_set_token_refresh(c, u, id, t, e, g),
                                              "mixplay_config_set_token_refresh");
                return c;
            }
            catch
            {
                c.Dispose();
                throw;
            }
        }

        /// <summary>Closes the connection and frees the native session. Idempotent. Requests
        /// still waiting never complete.</summary>
        public void Dispose()
        {
            native.Dispose();
        }

        public bool IsDisposed
        {
            get { return native.IsDisposed; }
        }

        MixPlaySessionHandle H
        {
            get { return native.Handle; }
        }

        // ----- the token -----

        /// <summary>Connects with <paramref name="token"/> from the next reconnection on (the
        /// connection up now is kept); a later automatic refresh replaces it again.</summary>
        public void SetToken(string token)
        {
            fixed (byte* t = Utf8.Required(token, "token"))
                MixPlayException.Check(Native.mixplay_session_set_token(H, t), "mixplay_session_set_token");
        }

        /// <summary>Turns automatic refresh on (after <see cref="SetToken"/> with the access token
        /// that came with it), or off with null.</summary>
        public void SetTokenRefresh(MixPlayTokenRefresh refresh)
        {
            MixPlaySessionHandle h = H;
            MixPlayTokenRefresh.Apply(refresh, (u, c, t, e, g) => Native.mixplay_session_set_token_refresh(h, u, c, t, e, g),
                                      "mixplay_session_set_token_refresh");
        }

        // ----- the frame -----

        /// <summary>The frames Update has run (for diagnostics).</summary>
        public long FrameCount { get; private set; }

        /// <summary>
        /// Drains the library's events and raises the C# events for them, in order, on this
        /// thread. Exceptions thrown by handlers go to <see cref="MixPlayLibrary.ExceptionHandler"/>
        /// and the drain continues. When Update returns, the frame has ended: control property
        /// writes made since the last Update are sent, and the polling helpers describe the input
        /// handed out by this Update until the next one.
        /// </summary>
        public void Update()
        {
            if (updating) throw new InvalidOperationException("MixPlaySession.Update cannot be called from a MixPlay event handler");
            MixPlaySessionHandle h = H;
            bool held = false;
            updating = true;
            try
            {
                // One reference for the whole Update instead of one per poll: the handle stays
                // valid under it (a handler that disposes the session frees it as Update ends).
                h.DangerousAddRef(ref held);
                IntPtr raw = h.DangerousGetHandle();
                frame.Clear();
                FrameCount++;
                int total = 0;
                while (!native.IsDisposed)
                {
                    UIntPtr count;
                    MixPlayResult rc;
                    fixed (mixplay_event* buf = batch)
                        rc = Native.mixplay_session_poll_many(raw, buf, (UIntPtr)BatchSize, &count);
                    MixPlayException.Check(rc, "mixplay_session_poll_many");
                    int n = (int)count.ToUInt32();
                    for (int i = 0; i < n && !native.IsDisposed; i++)
                    {
                        try
                        {
                            Dispatch(ref batch[i]);
                        }
                        catch (Exception e)
                        {
                            MixPlayLibrary.Report(e);
                        }
                    }
                    total += n;
                    if (n < BatchSize) break;
                    if (total >= MaxEventsPerUpdate)
                    {
                        MixPlayException.Check(Native.mixplay_session_end_frame(h), "mixplay_session_end_frame");
                        break;
                    }
                }
            }
            finally
            {
                if (held) h.DangerousRelease();
                updating = false;
            }
        }

        /// <summary>Ends the frame without polling: sends the frame's control property writes.</summary>
        public void EndFrame()
        {
            MixPlayException.Check(Native.mixplay_session_end_frame(H), "mixplay_session_end_frame");
        }

        void Dispatch(ref mixplay_event e)
        {
            switch ((MixPlayEventKind)e.kind)
            {
                case MixPlayEventKind.Connection:
                    MixPlayLibrary.Raise(ConnectionChanged, this, new ConnectionChangedEventArgs((MixPlayConnectionState)e.connection_state, e.code, e.text.ToString()));
                    break;
                case MixPlayEventKind.Ready:
                    MixPlayLibrary.Raise(ReadyChanged, this, new ReadyChangedEventArgs(e.flag != 0));
                    break;
                case MixPlayEventKind.Input:
                    DispatchInput(ref e);
                    break;
                case MixPlayEventKind.ParticipantJoined:
                case MixPlayEventKind.ParticipantUpdated:
                {
                    EventHandler<ParticipantEventArgs> h = e.kind == (uint)MixPlayEventKind.ParticipantJoined ? ParticipantJoined : ParticipantUpdated;
                    if (h == null) break;
                    mixplay_participant p;
                    MixPlayResult rc;
                    fixed (byte* sid = Utf8.Encode(e.participant.ToString()))
                        rc = Native.mixplay_session_get_participant(H, sid, &p);
                    if (rc == MixPlayResult.NotFound) break; // left again within this poll
                    MixPlayException.Check(rc, "mixplay_session_get_participant");
                    MixPlayLibrary.Raise(h, this, new ParticipantEventArgs(new MixPlayParticipant(ref p)));
                    break;
                }
                case MixPlayEventKind.ParticipantLeft:
                    MixPlayLibrary.Raise(ParticipantLeft, this, new ParticipantLeftEventArgs(e.participant.ToString(), e.json.ToString()));
                    break;
                case MixPlayEventKind.SceneCreated:
                case MixPlayEventKind.SceneUpdated:
                case MixPlayEventKind.SceneDeleted:
                    MixPlayLibrary.Raise(SceneChanged, this, new SceneEventArgs((MixPlayChange)(e.kind - (uint)MixPlayEventKind.SceneCreated), e.scene.ToString(), e.text.ToString()));
                    break;
                case MixPlayEventKind.GroupCreated:
                case MixPlayEventKind.GroupUpdated:
                case MixPlayEventKind.GroupDeleted:
                    MixPlayLibrary.Raise(GroupChanged, this, new GroupEventArgs((MixPlayChange)(e.kind - (uint)MixPlayEventKind.GroupCreated), e.group.ToString(), e.text.ToString()));
                    break;
                case MixPlayEventKind.ControlCreated:
                case MixPlayEventKind.ControlUpdated:
                case MixPlayEventKind.ControlDeleted:
                    MixPlayLibrary.Raise(ControlChanged, this, new ControlEventArgs((MixPlayChange)(e.kind - (uint)MixPlayEventKind.ControlCreated), e.scene.ToString(), e.control.ToString()));
                    break;
                case MixPlayEventKind.WorldUpdated:
                    MixPlayLibrary.Raise(WorldUpdated, this, EventArgs.Empty);
                    break;
                case MixPlayEventKind.MemoryWarning:
                    MixPlayLibrary.Raise(MemoryWarning, this, new MemoryWarningEventArgs(e.used_bytes, e.total_bytes, e.json.ToString()));
                    break;
                case MixPlayEventKind.Reply:
                {
                    MixPlayReply reply = new MixPlayReply(e.request_id, e.flag != 0, e.json.ToString(), e.code, e.text.ToString(), e.path.ToString());
                    pending.Complete(reply);
                    MixPlayLibrary.Raise(ReplyReceived, this, reply);
                    break;
                }
                case MixPlayEventKind.UnhandledMethod:
                    MixPlayLibrary.Raise(UnhandledMethod, this, new MethodEventArgs(e.text.ToString(), e.json.ToString()));
                    break;
                case MixPlayEventKind.Error:
                    MixPlayLibrary.Raise(Error, this, new MixPlayErrorEventArgs((MixPlayErrorKind)e.error_kind, e.code, e.text.ToString()));
                    break;
                case MixPlayEventKind.Tokens:
                    MixPlayLibrary.Raise(TokensRefreshed, this, e.flag != 0
                        ? new TokensEventArgs(true, MixPlayTokens.FromNative(ref e.tokens), "")
                        : new TokensEventArgs(false, null, e.text.ToString()));
                    break;
            }
        }

        void DispatchInput(ref mixplay_event e)
        {
            MixPlayInputKind k = (MixPlayInputKind)e.input_kind;
            MixPlayInput input;
            switch (k)
            {
                case MixPlayInputKind.MouseDown:
                case MixPlayInputKind.MouseUp:
                case MixPlayInputKind.KeyDown:
                case MixPlayInputKind.KeyUp:
                    input = new ButtonInput(this, ref e);
                    break;
                case MixPlayInputKind.Move:
                    input = new MoveInput(this, ref e);
                    break;
                case MixPlayInputKind.TextChange:
                case MixPlayInputKind.TextSubmit:
                    input = new TextInput(this, ref e);
                    break;
                case MixPlayInputKind.Custom:
                    input = new CustomInput(this, ref e);
                    break;
                default:
                    input = new MixPlayInput(this, ref e);
                    break;
            }
            frame.Record(input);
            bool paid = k == MixPlayInputKind.MouseDown || k == MixPlayInputKind.KeyDown || k == MixPlayInputKind.TextSubmit;
            if (AutoCaptureTransactions && paid && input.HasTransaction) input.AutoCapture = Capture(input.TransactionId);
            MixPlayLibrary.Raise(InputReceived, this, input);
            if (input is ButtonInput) MixPlayLibrary.Raise(ButtonInputReceived, this, (ButtonInput)input);
            else if (input is MoveInput) MixPlayLibrary.Raise(MoveInputReceived, this, (MoveInput)input);
            else if (input is TextInput) MixPlayLibrary.Raise(TextInputReceived, this, (TextInput)input);
            else if (input is CustomInput) MixPlayLibrary.Raise(CustomInputReceived, this, (CustomInput)input);
        }

        // ----- state -----

        /// <summary>The connection state as of the events handed out so far.</summary>
        public MixPlayConnectionState ConnectionState
        {
            get
            {
                uint s;
                MixPlayException.Check(Native.mixplay_session_connection_state(H, &s), "mixplay_session_connection_state");
                return (MixPlayConnectionState)s;
            }
        }

        public bool IsConnected
        {
            get { return ConnectionState == MixPlayConnectionState.Connected; }
        }

        /// <summary>Whether the service is ready (participants can interact).</summary>
        public bool IsReady
        {
            get
            {
                byte b;
                MixPlayException.Check(Native.mixplay_session_is_ready(H, &b), "mixplay_session_is_ready");
                return b != 0;
            }
        }

        /// <summary>The service's clock, estimated at connect.</summary>
        public DateTimeOffset ServerTime
        {
            get
            {
                long ms;
                MixPlayException.Check(Native.mixplay_session_server_time_ms(H, &ms), "mixplay_session_server_time_ms");
                return MixPlayParticipant.FromUnixMs(ms);
            }
        }
    }
}
