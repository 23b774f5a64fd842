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
    public sealed unsafe class MixPlaySession : IDisposable
    {
        const int BatchSize = 64;
        /// <summary>An Update hands out at most this many events, then ends the frame anyway,
        /// so a flood cannot hold the game loop.</summary>
        public const int MaxEventsPerUpdate = 8192;

        readonly HandleOwner<MixPlaySessionHandle> native;
        readonly mixplay_event[] batch = new mixplay_event[BatchSize];
        readonly PendingRequests pending = new PendingRequests();
        readonly List<KeyValuePair<string, string>> frameUps = new List<KeyValuePair<string, string>>();
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
            updating = true;
            try
            {
                frameUps.Clear();
                FrameCount++;
                int total = 0;
                while (!native.IsDisposed)
                {
                    UIntPtr count;
                    MixPlayResult rc;
                    fixed (mixplay_event* buf = batch)
                        rc = Native.mixplay_session_poll_many(h, buf, (UIntPtr)BatchSize, &count);
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
            }
        }

        void DispatchInput(ref mixplay_event e)
        {
            MixPlayInputKind k = (MixPlayInputKind)e.input_kind;
            if (k == MixPlayInputKind.MouseUp || k == MixPlayInputKind.KeyUp)
                frameUps.Add(new KeyValuePair<string, string>(e.control.ToString(), e.participant.ToString()));
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

        // ----- requests -----

        /// <summary>Requests waiting for their reply.</summary>
        public int PendingRequests
        {
            get { return pending.Count; }
        }

        MixPlayRequest Track(MixPlayResult rc, ulong id, string function)
        {
            return pending.Track(rc, id, function);
        }

        /// <summary>Calls any method with JSON params (an object, or "null").</summary>
        public MixPlayRequest Call(string method, string paramsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* m = Utf8.Required(method, "method"))
            fixed (byte* p = Utf8.Encode(paramsJson ?? "null"))
                rc = Native.mixplay_session_call(H, m, p, &id);
            return Track(rc, id, "mixplay_session_call");
        }

        /// <summary>Tells the service the game is ready (participants may interact) or not.</summary>
        public MixPlayRequest Ready(bool isReady)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_ready(H, isReady, &id);
            return Track(rc, id, "mixplay_session_ready");
        }

        public MixPlayRequest CreateScenes(string scenesJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(scenesJson, "scenesJson"))
                rc = Native.mixplay_session_create_scenes(H, j, &id);
            return Track(rc, id, "mixplay_session_create_scenes");
        }

        public MixPlayRequest UpdateScenes(string scenesJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(scenesJson, "scenesJson"))
                rc = Native.mixplay_session_update_scenes(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_scenes");
        }

        public MixPlayRequest DeleteScene(string sceneId, string reassignTo)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* r = Utf8.Id(reassignTo, "reassignTo"))
                rc = Native.mixplay_session_delete_scene(H, s, r, &id);
            return Track(rc, id, "mixplay_session_delete_scene");
        }

        public MixPlayRequest CreateControls(string sceneId, string controlsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlsJson, "controlsJson"))
                rc = Native.mixplay_session_create_controls(H, s, j, &id);
            return Track(rc, id, "mixplay_session_create_controls");
        }

        /// <summary>Updates controls now (not coalesced); see the SetControl* calls for per-frame writes.</summary>
        public MixPlayRequest UpdateControls(string sceneId, string controlsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlsJson, "controlsJson"))
                rc = Native.mixplay_session_update_controls(H, s, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_controls");
        }

        public MixPlayRequest DeleteControls(string sceneId, string controlIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlIdsJson, "controlIdsJson"))
                rc = Native.mixplay_session_delete_controls(H, s, j, &id);
            return Track(rc, id, "mixplay_session_delete_controls");
        }

        public MixPlayRequest CreateGroups(string groupsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(groupsJson, "groupsJson"))
                rc = Native.mixplay_session_create_groups(H, j, &id);
            return Track(rc, id, "mixplay_session_create_groups");
        }

        public MixPlayRequest UpdateGroups(string groupsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(groupsJson, "groupsJson"))
                rc = Native.mixplay_session_update_groups(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_groups");
        }

        public MixPlayRequest DeleteGroup(string groupId, string reassignTo)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* g = Utf8.Id(groupId, "groupId"))
            fixed (byte* r = Utf8.Id(reassignTo, "reassignTo"))
                rc = Native.mixplay_session_delete_group(H, g, r, &id);
            return Track(rc, id, "mixplay_session_delete_group");
        }

        public MixPlayRequest UpdateParticipants(string participantsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(participantsJson, "participantsJson"))
                rc = Native.mixplay_session_update_participants(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_participants");
        }

        /// <summary>Moves a participant to a group (and so to the group's scene).</summary>
        public MixPlayRequest MoveParticipant(string participantId, string groupId)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(participantId, "participantId"))
            fixed (byte* g = Utf8.Id(groupId, "groupId"))
                rc = Native.mixplay_session_move_participant(H, p, g, &id);
            return Track(rc, id, "mixplay_session_move_participant");
        }

        public MixPlayRequest SetParticipantDisabled(string participantId, bool disabled)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(participantId, "participantId"))
                rc = Native.mixplay_session_set_participant_disabled(H, p, disabled, &id);
            return Track(rc, id, "mixplay_session_set_participant_disabled");
        }

        public MixPlayRequest UpdateWorld(string worldJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(worldJson, "worldJson"))
                rc = Native.mixplay_session_update_world(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_world");
        }

        /// <summary>Charges a spark transaction an input opened. Reward the viewer only after a
        /// successful reply (4006: unknown or expired, 4007: not enough sparks).</summary>
        public MixPlayRequest Capture(string transactionId)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* t = Utf8.Required(transactionId, "transactionId"))
                rc = Native.mixplay_session_capture(H, t, &id);
            return Track(rc, id, "mixplay_session_capture");
        }

        /// <summary>Sends data to participants; scopes: "everyone", "group:ID", "scene:ID", "participant:SID".</summary>
        public MixPlayRequest BroadcastEvent(string scopesJson, string dataJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Required(scopesJson, "scopesJson"))
            fixed (byte* d = Utf8.Required(dataJson, "dataJson"))
                rc = Native.mixplay_session_broadcast_event(H, s, d, &id);
            return Track(rc, id, "mixplay_session_broadcast_event");
        }

        public MixPlayRequest SetBandwidthThrottle(string rulesJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(rulesJson, "rulesJson"))
                rc = Native.mixplay_session_set_bandwidth_throttle(H, j, &id);
            return Track(rc, id, "mixplay_session_set_bandwidth_throttle");
        }

        public MixPlayRequest GetThrottleState()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_throttle_state(H, &id);
            return Track(rc, id, "mixplay_session_get_throttle_state");
        }

        public MixPlayRequest GetMemoryStats()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_memory_stats(H, &id);
            return Track(rc, id, "mixplay_session_get_memory_stats");
        }

        public MixPlayRequest GetTime()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_time(H, &id);
            return Track(rc, id, "mixplay_session_get_time");
        }

        public MixPlayRequest GetAllParticipants(long fromUnixMs)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_all_participants(H, fromUnixMs, &id);
            return Track(rc, id, "mixplay_session_get_all_participants");
        }

        public MixPlayRequest GetActiveParticipants(long thresholdUnixMs)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_active_participants(H, thresholdUnixMs, &id);
            return Track(rc, id, "mixplay_session_get_active_participants");
        }

        public MixPlayRequest GetParticipantsByUserId(string userIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(userIdsJson, "userIdsJson"))
                rc = Native.mixplay_session_get_participants_by_user_id(H, j, &id);
            return Track(rc, id, "mixplay_session_get_participants_by_user_id");
        }

        public MixPlayRequest GetParticipantsBySessionId(string sessionIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(sessionIdsJson, "sessionIdsJson"))
                rc = Native.mixplay_session_get_participants_by_session_id(H, j, &id);
            return Track(rc, id, "mixplay_session_get_participants_by_session_id");
        }

        // ----- control property setters (coalesced per frame, one request per scene) -----

        public MixPlayRequest SetControlText(string control, string text)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* t = Utf8.Required(text, "text"))
                rc = Native.mixplay_session_set_control_text(H, c, t, &id);
            return Track(rc, id, "mixplay_session_set_control_text");
        }

        public MixPlayRequest SetControlTooltip(string control, string tooltip)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* t = Utf8.Required(tooltip, "tooltip"))
                rc = Native.mixplay_session_set_control_tooltip(H, c, t, &id);
            return Track(rc, id, "mixplay_session_set_control_tooltip");
        }

        /// <summary>Sets a button's progress bar, clamped to [0, 1].</summary>
        public MixPlayRequest SetControlProgress(string control, double progress)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_progress(H, c, progress, &id);
            return Track(rc, id, "mixplay_session_set_control_progress");
        }

        /// <summary>Starts a cooldown lasting <paramref name="duration"/> from now.</summary>
        public MixPlayRequest SetControlCooldown(string control, TimeSpan duration)
        {
            if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException("duration");
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_cooldown(H, c, (ulong)duration.TotalMilliseconds, &id);
            return Track(rc, id, "mixplay_session_set_control_cooldown");
        }

        public MixPlayRequest SetControlDisabled(string control, bool disabled)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_disabled(H, c, disabled, &id);
            return Track(rc, id, "mixplay_session_set_control_disabled");
        }

        public MixPlayRequest SetControlCost(string control, uint sparks)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_cost(H, c, sparks, &id);
            return Track(rc, id, "mixplay_session_set_control_cost");
        }

        public MixPlayRequest SetControlKeyCode(string control, uint keyCode)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_key_code(H, c, keyCode, &id);
            return Track(rc, id, "mixplay_session_set_control_key_code");
        }

        public MixPlayRequest SetControlProperty(string control, string key, long value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_int(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_int");
        }

        public MixPlayRequest SetControlProperty(string control, string key, bool value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_bool(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_bool");
        }

        public MixPlayRequest SetControlProperty(string control, string key, double value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_float(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_float");
        }

        public MixPlayRequest SetControlProperty(string control, string key, string value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(value, "value"))
                rc = Native.mixplay_session_set_control_string(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_string");
        }

        /// <summary>Sets a property to any JSON value (objects written twice in a frame merge).</summary>
        public MixPlayRequest SetControlPropertyJson(string control, string key, string valueJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(valueJson, "valueJson"))
                rc = Native.mixplay_session_set_control_json(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_json");
        }

        /// <summary>Sets meta property <paramref name="key"/> (meta.key.value) to a JSON value.</summary>
        public MixPlayRequest SetControlMetaJson(string control, string key, string valueJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(valueJson, "valueJson"))
                rc = Native.mixplay_session_set_control_meta_json(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_meta_json");
        }

        // ----- control property getters (the cache) -----

        static bool Missing(MixPlayResult rc)
        {
            return rc == MixPlayResult.NotFound || rc == MixPlayResult.WrongType;
        }

        /// <summary>Reads an integer property; false if the control or property is missing or
        /// holds another type. <paramref name="meta"/> reads meta.key.value.</summary>
        public bool TryGetControlInt(string control, string key, out long value, bool meta = false)
        {
            long v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_int(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok ? v : 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_int");
            return true;
        }

        public long GetControlInt(string control, string key, bool meta = false)
        {
            long v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_int(H, c, k, meta, &v);
            MixPlayException.Check(rc, "mixplay_session_get_control_int");
            return v;
        }

        public bool TryGetControlFloat(string control, string key, out double value, bool meta = false)
        {
            double v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_float(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok ? v : 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_float");
            return true;
        }

        public double GetControlFloat(string control, string key, bool meta = false)
        {
            double v;
            if (!TryGetControlFloat(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_float", control, key);
            return v;
        }

        public bool TryGetControlBool(string control, string key, out bool value, bool meta = false)
        {
            byte v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_bool(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok && v != 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_bool");
            return true;
        }

        public bool GetControlBool(string control, string key, bool meta = false)
        {
            bool v;
            if (!TryGetControlBool(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_bool", control, key);
            return v;
        }

        /// <summary>Reads a string property (copied out through a caller buffer, resized on
        /// BUFFER_TOO_SMALL).</summary>
        public bool TryGetControlString(string control, string key, out string value, bool meta = false)
        {
            value = null;
            byte[] c = Utf8.Id(control, "control");
            byte[] k = Utf8.Id(key, "key");
            byte[] buf = null;
            for (int attempt = 0; attempt < 4; attempt++)
            {
                UIntPtr len;
                MixPlayResult rc;
                fixed (byte* cp = c)
                fixed (byte* kp = k)
                fixed (byte* bp = buf)
                    rc = Native.mixplay_session_get_control_string(H, cp, kp, meta, bp, (UIntPtr)(buf == null ? 0 : buf.Length), &len);
                if (rc == MixPlayResult.Ok)
                {
                    value = System.Text.Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt32());
                    return true;
                }
                if (rc == MixPlayResult.BufferTooSmall)
                {
                    buf = new byte[(int)len.ToUInt32() + 1];
                    continue;
                }
                if (Missing(rc)) return false;
                MixPlayException.Check(rc, "mixplay_session_get_control_string");
            }
            throw new InvalidOperationException("the property kept changing size while being read");
        }

        public string GetControlString(string control, string key, bool meta = false)
        {
            string v;
            if (!TryGetControlString(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_string", control, key);
            return v;
        }

        /// <summary>A property (any type) as JSON text, or null if missing.</summary>
        public string GetControlPropertyJson(string control, string key, bool meta = false)
        {
            mixplay_str s;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_json(H, c, k, meta, &s);
            if (rc == MixPlayResult.NotFound) return null;
            MixPlayException.Check(rc, "mixplay_session_get_control_json");
            return s.ToString();
        }

        /// <summary>A whole control as JSON text, or null if the cache has no such control.</summary>
        public string GetControlJson(string control)
        {
            mixplay_str s;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_get_control(H, c, &s);
            if (rc == MixPlayResult.NotFound) return null;
            MixPlayException.Check(rc, "mixplay_session_get_control");
            return s.ToString();
        }

        void ThrowLast(string function, string control, string key)
        {
            string detail = MixPlayLibrary.LastError();
            throw new MixPlayException(MixPlayResult.NotFound, function,
                                       detail.Length > 0 ? detail : "control " + control + " has no property " + key + " of that type");
        }

        // ----- collections from the cache (snapshots) -----

        public IReadOnlyList<MixPlayScene> Scenes
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_scene_count(H, &n), "mixplay_session_scene_count");
                List<string> ids = new List<string>((int)n.ToUInt32());
                for (uint i = 0; i < n.ToUInt32(); i++)
                {
                    mixplay_str s;
                    MixPlayException.Check(Native.mixplay_session_scene_at(H, (UIntPtr)i, &s), "mixplay_session_scene_at");
                    ids.Add(s.ToString());
                }
                List<MixPlayScene> scenes = new List<MixPlayScene>(ids.Count);
                foreach (string id in ids) scenes.Add(new MixPlayScene(id, ControlsIn(id)));
                return scenes;
            }
        }

        /// <summary>The controls of a scene (empty if the cache has no such scene).</summary>
        public IReadOnlyList<MixPlayControl> ControlsIn(string sceneId)
        {
            List<MixPlayControl> list = new List<MixPlayControl>();
            byte[] scene = Utf8.Id(sceneId, "sceneId");
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* s = scene)
                rc = Native.mixplay_session_control_count(H, s, &n);
            if (rc == MixPlayResult.NotFound) return list;
            MixPlayException.Check(rc, "mixplay_session_control_count");
            for (uint i = 0; i < n.ToUInt32(); i++)
            {
                mixplay_str c;
                fixed (byte* s = scene)
                    MixPlayException.Check(Native.mixplay_session_control_at(H, s, (UIntPtr)i, &c), "mixplay_session_control_at");
                list.Add(new MixPlayControl(this, c.ToString(), sceneId));
            }
            return list;
        }

        /// <summary>A control by id (reads and writes go through the cache; it need not exist yet).</summary>
        public MixPlayControl Control(string controlId)
        {
            if (controlId == null) throw new ArgumentNullException("controlId");
            return new MixPlayControl(this, controlId, "");
        }

        public IReadOnlyList<MixPlayGroup> Groups
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_group_count(H, &n), "mixplay_session_group_count");
                List<MixPlayGroup> list = new List<MixPlayGroup>((int)n.ToUInt32());
                for (uint i = 0; i < n.ToUInt32(); i++)
                {
                    mixplay_str g, s;
                    MixPlayException.Check(Native.mixplay_session_group_at(H, (UIntPtr)i, &g, &s), "mixplay_session_group_at");
                    list.Add(new MixPlayGroup(g.ToString(), s.ToString()));
                }
                return list;
            }
        }

        public int ParticipantCount
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_participant_count(H, &n), "mixplay_session_participant_count");
                return (int)n.ToUInt32();
            }
        }

        static readonly mixplay_participant_fn Collector = Collect;

        [MonoPInvokeCallback(typeof(mixplay_participant_fn))]
        static bool Collect(IntPtr userData, mixplay_participant* p)
        {
            // Runs inside for_each_participant: no mixplay calls, no exceptions into native code.
            try
            {
                List<MixPlayParticipant> list = (List<MixPlayParticipant>)GCHandle.FromIntPtr(userData).Target;
                list.Add(new MixPlayParticipant(ref *p));
                return true;
            }
            catch (Exception e)
            {
                MixPlayLibrary.Report(e);
                return false;
            }
        }

        /// <summary>Every participant in the cache.</summary>
        public IReadOnlyList<MixPlayParticipant> Participants
        {
            get
            {
                List<MixPlayParticipant> list = new List<MixPlayParticipant>();
                GCHandle gc = GCHandle.Alloc(list);
                try
                {
                    MixPlayException.Check(Native.mixplay_session_for_each_participant(H, Collector, GCHandle.ToIntPtr(gc)),
                                           "mixplay_session_for_each_participant");
                }
                finally
                {
                    gc.Free();
                }
                return list;
            }
        }

        public IReadOnlyList<MixPlayParticipant> ParticipantsInGroup(string groupId)
        {
            List<MixPlayParticipant> list = new List<MixPlayParticipant>();
            foreach (MixPlayParticipant p in Participants)
                if (p.GroupId == groupId) list.Add(p);
            return list;
        }

        public IReadOnlyList<MixPlayParticipant> ParticipantsInScene(string sceneId)
        {
            HashSet<string> groups = new HashSet<string>();
            foreach (MixPlayGroup g in Groups)
                if (g.SceneId == sceneId) groups.Add(g.Id);
            List<MixPlayParticipant> list = new List<MixPlayParticipant>();
            foreach (MixPlayParticipant p in Participants)
                if (groups.Contains(p.GroupId)) list.Add(p);
            return list;
        }

        public bool TryGetParticipant(string sessionId, out MixPlayParticipant participant)
        {
            participant = null;
            if (sessionId == null) return false;
            mixplay_participant p;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Encode(sessionId))
                rc = Native.mixplay_session_get_participant(H, s, &p);
            if (rc == MixPlayResult.NotFound) return false;
            MixPlayException.Check(rc, "mixplay_session_get_participant");
            participant = new MixPlayParticipant(ref p);
            return true;
        }

        public MixPlayParticipant GetParticipant(string sessionId)
        {
            if (sessionId == null) throw new ArgumentNullException("sessionId");
            mixplay_participant p;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Encode(sessionId))
                rc = Native.mixplay_session_get_participant(H, s, &p);
            MixPlayException.Check(rc, "mixplay_session_get_participant");
            return new MixPlayParticipant(ref p);
        }

        public bool TryGetParticipantByUserId(uint userId, out MixPlayParticipant participant)
        {
            participant = null;
            mixplay_participant p;
            MixPlayResult rc = Native.mixplay_session_get_participant_by_user_id(H, userId, &p);
            if (rc == MixPlayResult.NotFound) return false;
            MixPlayException.Check(rc, "mixplay_session_get_participant_by_user_id");
            participant = new MixPlayParticipant(ref p);
            return true;
        }

        // ----- polling helpers (the input frame ended by the last Update) -----

        void ButtonCounts(string control, out uint presses, out uint releases)
        {
            uint p, r;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_button_counts(H, c, &p, &r);
            MixPlayException.Check(rc, "mixplay_session_button_counts");
            presses = p;
            releases = r;
        }

        /// <summary>How many times the button was pressed (mousedown/keydown) this frame.</summary>
        public int GetButtonDownCount(string control)
        {
            uint p, r;
            ButtonCounts(control, out p, out r);
            return (int)p;
        }

        /// <summary>How many times the button was released this frame.</summary>
        public int GetButtonUpCount(string control)
        {
            uint p, r;
            ButtonCounts(control, out p, out r);
            return (int)r;
        }

        /// <summary>How many participants hold the button down right now.</summary>
        public int GetButtonHeldCount(string control)
        {
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_button_holder_count(H, c, &n);
            MixPlayException.Check(rc, "mixplay_session_button_holder_count");
            return (int)n.ToUInt32();
        }

        /// <summary>Whether anyone pressed the button this frame.</summary>
        public bool GetButtonDown(string control)
        {
            return GetButtonDownCount(control) > 0;
        }

        /// <summary>Whether anyone released the button this frame.</summary>
        public bool GetButtonUp(string control)
        {
            return GetButtonUpCount(control) > 0;
        }

        /// <summary>Whether anyone holds the button down now, or pressed it this frame (so a
        /// press and release within one frame still reads as held for that frame).</summary>
        public bool GetButton(string control)
        {
            return GetButtonHeldCount(control) > 0 || GetButtonDownCount(control) > 0;
        }

        static bool Same(mixplay_str s, byte[] nulTerminated)
        {
            int n = nulTerminated.Length - 1;
            if ((ulong)n != s.len.ToUInt64()) return false;
            byte* p = (byte*)s.ptr;
            for (int i = 0; i < n; i++)
                if (p[i] != nulTerminated[i]) return false;
            return true;
        }

        /// <summary>Whether this participant pressed the button this frame.</summary>
        public bool GetButtonDown(string control, string participantId)
        {
            byte[] who = Utf8.Required(participantId, "participantId");
            byte[] c = Utf8.Id(control, "control");
            uint presses, releases;
            ButtonCounts(control, out presses, out releases);
            for (uint i = 0; i < presses; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_presser_at(H, cp, (UIntPtr)i, &s), "mixplay_session_button_presser_at");
                if (Same(s, who)) return true;
            }
            return false;
        }

        /// <summary>Whether this participant holds the button down now, or pressed it this frame.</summary>
        public bool GetButton(string control, string participantId)
        {
            byte[] who = Utf8.Required(participantId, "participantId");
            byte[] c = Utf8.Id(control, "control");
            int n = GetButtonHeldCount(control);
            for (int i = 0; i < n; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_holder_at(H, cp, (UIntPtr)(uint)i, &s), "mixplay_session_button_holder_at");
                if (Same(s, who)) return true;
            }
            return GetButtonDown(control, participantId);
        }

        /// <summary>Whether this participant released the button this frame. (The C API has no
        /// per-participant release list, so this one is kept by the wrapper from the frame's
        /// events.)</summary>
        public bool GetButtonUp(string control, string participantId)
        {
            foreach (KeyValuePair<string, string> up in frameUps)
                if (up.Key == control && up.Value == participantId) return true;
            return false;
        }

        /// <summary>Who pressed the button this frame, in order (twice if they pressed twice).</summary>
        public IReadOnlyList<string> GetButtonPressers(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            uint presses, releases;
            ButtonCounts(control, out presses, out releases);
            List<string> list = new List<string>((int)presses);
            for (uint i = 0; i < presses; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_presser_at(H, cp, (UIntPtr)i, &s), "mixplay_session_button_presser_at");
                list.Add(s.ToString());
            }
            return list;
        }

        /// <summary>Who holds the button down now.</summary>
        public IReadOnlyList<string> GetButtonHolders(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            int n = GetButtonHeldCount(control);
            List<string> list = new List<string>(n);
            for (int i = 0; i < n; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_holder_at(H, cp, (UIntPtr)(uint)i, &s), "mixplay_session_button_holder_at");
                list.Add(s.ToString());
            }
            return list;
        }

        /// <summary>The mean joystick (or screen) position of this frame's moves; false (and 0, 0)
        /// when there were none, so a game can keep the previous position.</summary>
        public bool TryGetJoystick(string control, out double x, out double y)
        {
            int moves;
            Joystick(control, out x, out y, out moves);
            return moves > 0;
        }

        /// <summary>How many moves the joystick got this frame.</summary>
        public int GetJoystickMoveCount(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return moves;
        }

        /// <summary>The mean X of this frame's moves (0 when none).</summary>
        public double GetJoystickX(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return x;
        }

        /// <summary>The mean Y of this frame's moves (0 when none).</summary>
        public double GetJoystickY(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return y;
        }

        void Joystick(string control, out double x, out double y, out int moves)
        {
            double mx, my;
            uint n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_joystick_mean(H, c, &mx, &my, &n);
            MixPlayException.Check(rc, "mixplay_session_joystick_mean");
            x = mx;
            y = my;
            moves = (int)n;
        }

        /// <summary>How many texts were submitted to the textbox this frame.</summary>
        public int GetTextSubmissionCount(string control)
        {
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_text_submission_count(H, c, &n);
            MixPlayException.Check(rc, "mixplay_session_text_submission_count");
            return (int)n.ToUInt32();
        }

        /// <summary>The texts submitted to the textbox this frame, in order, with their senders.</summary>
        public IReadOnlyList<TextSubmission> GetTextSubmissions(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            int n = GetTextSubmissionCount(control);
            List<TextSubmission> list = new List<TextSubmission>(n);
            for (int i = 0; i < n; i++)
            {
                mixplay_str who, text;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_text_submission_at(H, cp, (UIntPtr)(uint)i, &who, &text),
                                           "mixplay_session_text_submission_at");
                list.Add(new TextSubmission(who.ToString(), text.ToString()));
            }
            return list;
        }
    }
}
