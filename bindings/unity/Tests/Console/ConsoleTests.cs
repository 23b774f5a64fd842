// The wrapper's end-to-end test, run under Mono by tests/unity.rs against a mediator and the
// real native library. Participants are played by the Rust harness through a line protocol on
// stdin/stdout: a line "@ COMMAND args" asks for something (JOIN key, INPUT key json,
// WAIT_METHOD key method, LEAVE key, SPARKS user, DONE) and the harness answers with one line:
// "OK [data]", "ERR code" or "FAIL why". Every other line is a report; the last one is
// "N passed, N failed".
//
// Waits are deadline-bounded loops around Update(): a short nap between empty polls is never the
// synchronisation itself.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MixPlay;

static partial class ConsoleTests
{
    static TextWriter Out;
    static TextReader In;
    static string baseUrl;
    static string layoutFile;
    static int waitMs = 10000;
    static int passed, failed;
    static int mainThread;

    static int Main(string[] args)
    {
        Out = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        In = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: mono MixPlay.ConsoleTests.exe BASE_URL LAYOUT_FILE (run by tests/unity.rs)");
            return 2;
        }
        baseUrl = args[0];
        layoutFile = args[1];
        string w = Environment.GetEnvironmentVariable("MIXPLAY_TEST_WAIT_MS");
        if (!string.IsNullOrEmpty(w)) waitMs = int.Parse(w);
        mainThread = Thread.CurrentThread.ManagedThreadId;

        int baseThreads = Threads();
        Run("library: versions, result text, last error", Library);
        Run("layout: Marshal.SizeOf/OffsetOf match the C compiler", Layout);
        Run("settings errors become MixPlayException with the last-error detail", SettingsErrors);
        Run("strings: UTF-8 in and out, NUL refused, no leak", Strings);
        Run("session: connect, cache, events only from Update on this thread", Connect);
        Run("session: scenes, groups and controls from the cache", Cache);
        Run("session: ready and a participant joins", ReadyAndJoin);
        Run("input: button down/held/up and who pressed", Buttons);
        Run("input: joystick mean this frame", Joystick);
        Run("input: textbox submissions this frame", Textbox);
        Run("controls: coalesced setters reach the participant; getters and TryX", ControlUpdates);
        Run("sparks: capture a transaction (twice: the second is refused)", Transactions);
        Run("groups: move a participant to a group", GroupMove);
        Run("input helpers: screen clicks with x/y, per-participant joystick and buttons, typing", InputHelpers);
        Run("sparks: transactions captured automatically on press", AutoCapture);
        Run("raw method call and awaitable request", RawCall);
        Run("files: upload, served to viewers, refused, deleted", Files);
        Run("handler exceptions are routed and the drain continues", HandlerExceptions);
        Run("a participant leaves", Leave);
        Run("tokens: automatic refresh raises TokensRefreshed; the next reconnection uses the new token", TokenRefresh);
        Run("short-code sign-in: a viewer approves the code, the game gets tokens", SignIn);
        Run("chat: the streamer and the signed-in viewer talk; anonymous sends are refused", Chat);
        Run("chat: the user's own channel, permissions, a swapped token", OwnChat);
        Run("token store: tokens survive serialisation; anything else is refused", TokenStore);
        Run("sign-in: stored tokens sign in silently; a spent refresh token falls back to a code", SilentSignIn);
        Run("shutdown: dispose leaves no native thread behind", () => Shutdown(baseThreads));
        Run("lifecycle: sessions made and disposed in a loop, ShutdownAll", () => Lifecycle(baseThreads));

        if (Cmd("DONE") != 0) failed++;
        Out.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    // ----- the little test framework -----

    sealed class CheckFailed : Exception
    {
        public CheckFailed(string m) : base(m) { }
    }

    static void Run(string name, Action test)
    {
        try
        {
            test();
            passed++;
            Out.WriteLine("ok - " + name);
        }
        catch (Exception e)
        {
            failed++;
            Out.WriteLine("not ok - " + name + ": " + e.Message.Replace('\n', ' '));
            Console.Error.WriteLine("FAILED " + name + ":\n" + e);
        }
    }

    static void Check(bool cond, string what)
    {
        if (!cond) throw new CheckFailed("check failed: " + what);
    }

    static void Eq<T>(T actual, T expected, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            throw new CheckFailed(what + ": got <" + actual + ">, expected <" + expected + ">");
    }

    static T Throws<T>(Action a, string what) where T : Exception
    {
        try
        {
            a();
        }
        catch (T e)
        {
            return e;
        }
        throw new CheckFailed(what + ": no " + typeof(T).Name + " was thrown");
    }

    // ----- the line protocol -----

    static string answer = "";

    /// <summary>Sends a command; 0 for OK (data in `answer`), the code for ERR.</summary>
    static int Cmd(string line)
    {
        Out.WriteLine("@ " + line);
        string a = In.ReadLine();
        if (a == null) throw new CheckFailed("the harness closed the protocol");
        if (a == "OK" || a.StartsWith("OK ", StringComparison.Ordinal))
        {
            answer = a.Length > 3 ? a.Substring(3) : "";
            return 0;
        }
        if (a.StartsWith("ERR ", StringComparison.Ordinal)) return int.Parse(a.Substring(4));
        throw new CheckFailed("the harness answered " + a);
    }

    static string Join(string key)
    {
        Eq(Cmd("JOIN " + key), 0, "JOIN " + key);
        return answer;
    }

    static int Input(string key, string json)
    {
        return Cmd("INPUT " + key + " " + json);
    }

    static int Button(string key, string control, string ev)
    {
        return Input(key, "{\"controlID\":\"" + control + "\",\"event\":\"" + ev + "\",\"button\":0}");
    }

    // ----- waiting -----

    static MixPlaySession s;

    /// <summary>Runs `update` until `done` holds (checked after each call) or the deadline passes.</summary>
    static void PumpWith(Action update, Func<bool> done, string what)
    {
        DateTime end = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (true)
        {
            update();
            if (done()) return;
            if (DateTime.UtcNow > end) throw new CheckFailed("timed out waiting for " + what);
            Thread.Sleep(1);
        }
    }

    /// <summary>Runs Update until `done` holds (checked after each Update) or the deadline passes.</summary>
    static void Pump(Func<bool> done, string what)
    {
        DateTime end = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (true)
        {
            s.Update();
            if (done()) return;
            if (DateTime.UtcNow > end) throw new CheckFailed("timed out waiting for " + what);
            Thread.Sleep(1);
        }
    }

    static MixPlayReply Await(MixPlayRequest r, string what)
    {
        Pump(() => r.IsCompleted, "the reply to " + what);
        return r.Reply;
    }

    static MixPlayReply Ok(MixPlayRequest r, string what)
    {
        MixPlayReply rep = Await(r, what);
        if (!rep.Success) throw new CheckFailed(what + " failed: " + rep);
        return rep;
    }

    /// <summary>Pumps until an input for `control` of the given kind was raised; returns it.
    /// The frame that delivered it is the current one when this returns.</summary>
    static T WaitInput<T>(string control, MixPlayInputKind kind) where T : MixPlayInput
    {
        T got = null;
        EventHandler<MixPlayInput> h = (o, i) =>
        {
            if (got == null && i.ControlId == control && i.Kind == kind) got = (T)i;
        };
        s.InputReceived += h;
        try
        {
            Pump(() => got != null, kind + " on " + control);
        }
        finally
        {
            s.InputReceived -= h;
        }
        return got;
    }

    static int Threads()
    {
        return Directory.GetDirectories("/proc/self/task").Length;
    }

    static void WaitThreads(int baseline, string when)
    {
        DateTime end = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (Threads() != baseline)
        {
            if (DateTime.UtcNow > end) throw new CheckFailed(when + ": " + Threads() + " threads, baseline " + baseline);
            Thread.Sleep(1);
        }
    }

    static MixPlaySettings Settings()
    {
        MixPlaySettings st = new MixPlaySettings();
        st.ServiceUrl = baseUrl; // a bare base URL: the hosts path is appended
        st.Token = "demo-streamer";
        st.VersionId = 1;
        return st;
    }

    // ----- the tests -----

    static void Library()
    {
        Eq(MixPlayLibrary.AbiVersion, MixPlayLibrary.ExpectedAbiVersion, "ABI version");
        MixPlayLibrary.EnsureCompatible();
        Check(MixPlayLibrary.Version.Contains("."), "version looks like x.y.z: " + MixPlayLibrary.Version);
        Eq(MixPlayLibrary.ResultText(MixPlayResult.Ok), "ok", "text of OK");
        Eq(MixPlayLibrary.ResultText((MixPlayResult)12345), "unknown result code", "text of an unknown code");
        Eq(MixPlayLibrary.LastError(), "", "no error yet");
        Eq(new MixPlaySettings { ServiceUrl = "http://h:1" }.HostsUrl, "http://h:1/api/v1/interactive/hosts", "hosts URL from a base");
        Eq(new MixPlaySettings { ServiceUrl = "http://h:1/x/hosts" }.HostsUrl, "http://h:1/x/hosts", "hosts URL kept");
    }

    static void Layout()
    {
        // Lines "struct size N" and "struct field offset", printed by a C program compiled
        // against include/mixplay.h (generated by tests/unity.rs from the header's structs).
        Dictionary<string, Type> types = new Dictionary<string, Type>();
        types["mixplay_str"] = typeof(MixPlay.mixplay_str);
        types["mixplay_event"] = typeof(MixPlay.mixplay_event);
        types["mixplay_participant"] = typeof(MixPlay.mixplay_participant);
        types["mixplay_auth_status"] = typeof(MixPlay.mixplay_auth_status);
        types["mixplay_chat_event"] = typeof(MixPlay.mixplay_chat_event);
        types["mixplay_tokens"] = typeof(MixPlay.mixplay_tokens);
        types["mixplay_user"] = typeof(MixPlay.mixplay_user);
        Dictionary<string, int> fieldsSeen = new Dictionary<string, int>();
        int lines = 0;
        foreach (string raw in File.ReadAllLines(layoutFile))
        {
            string[] p = raw.Trim().Split(' ');
            if (p.Length != 3) continue;
            lines++;
            Type t;
            Check(types.TryGetValue(p[0], out t), "the C# side declares " + p[0]);
            int want = int.Parse(p[2]);
            if (p[1] == "size")
            {
                Eq(Marshal.SizeOf(t), want, "Marshal.SizeOf(" + p[0] + ")");
                Eq(UnsafeSize(p[0]), want, "sizeof(" + p[0] + ")");
            }
            else
            {
                Check(t.GetField(p[1]) != null, p[0] + " has a field " + p[1]);
                Eq((int)Marshal.OffsetOf(t, p[1]), want, "Marshal.OffsetOf(" + p[0] + ", " + p[1] + ")");
                fieldsSeen[p[0]] = (fieldsSeen.ContainsKey(p[0]) ? fieldsSeen[p[0]] : 0) + 1;
            }
        }
        Check(lines > 30, "the layout file lists the structs (" + lines + " lines)");
        foreach (KeyValuePair<string, Type> kv in types)
            Eq(kv.Value.GetFields().Length, fieldsSeen.ContainsKey(kv.Key) ? fieldsSeen[kv.Key] : 0, "fields of " + kv.Key + " in C and C#");
    }

    static unsafe int UnsafeSize(string name)
    {
        switch (name)
        {
            case "mixplay_str": return sizeof(MixPlay.mixplay_str);
            case "mixplay_event": return sizeof(MixPlay.mixplay_event);
            case "mixplay_auth_status": return sizeof(MixPlay.mixplay_auth_status);
            case "mixplay_chat_event": return sizeof(MixPlay.mixplay_chat_event);
            case "mixplay_participant": return sizeof(MixPlay.mixplay_participant);
            case "mixplay_tokens": return sizeof(MixPlay.mixplay_tokens);
            case "mixplay_user": return sizeof(MixPlay.mixplay_user);
            default: throw new CheckFailed("no C# struct " + name);
        }
    }

    static void SettingsErrors()
    {
        MixPlaySettings bad = Settings();
        bad.ServiceUrl = "ftp://example.com/hosts";
        MixPlayException e = Throws<MixPlayException>(() => new MixPlaySession(bad), "an ftp service URL");
        Eq(e.Code, MixPlayResult.InvalidArgument, "code");
        Eq(e.Function, "mixplay_config_set_discovery_url", "function");
        Check(e.Detail.Length > 0 && e.Message.Contains(e.Detail), "the detail is in the message: " + e.Message);

        MixPlaySettings noToken = Settings();
        noToken.Token = "";
        e = Throws<MixPlayException>(() => new MixPlaySession(noToken), "no token");
        Eq(e.Code, MixPlayResult.InvalidArgument, "code");
        Eq(e.Function, "mixplay_session_new", "function");

        MixPlaySettings badCompression = Settings();
        badCompression.Compression = "zip";
        e = Throws<MixPlayException>(() => new MixPlaySession(badCompression), "unknown compression");
        Eq(e.Code, MixPlayResult.InvalidArgument, "code");
        Eq(MixPlayLibrary.LiveSessions, 0, "no session was left behind");
    }

    static void Strings()
    {
        Throws<ArgumentException>(() => Utf8Probe("a\0b"), "a NUL inside a string");
        // Lone surrogates cannot reach the library as bad UTF-8: they become U+FFFD.
        Eq(Utf8Probe("\ud800"), "\ufffd", "lone surrogate");
        Eq(Utf8Probe("Grüße 🎮"), "Grüße 🎮", "round trip");
        // Encoding many strings must not grow unmanaged memory (the buffers are GC arrays).
        long before = GC.GetTotalMemory(true);
        for (int i = 0; i < 20000; i++) Utf8Probe("the quick brown fox " + i);
        long after = GC.GetTotalMemory(true);
        Check(after - before < 4 * 1024 * 1024, "managed memory settles (" + (after - before) + " bytes)");

        // Input ids come from the session's pool: decoded once, then the same string without
        // allocating; past its bound it starts over and still answers right.
        MixPlay.StringPool pool = new MixPlay.StringPool();
        byte[] control = MixPlay.Utf8.Encode("control-1");
        string first = PoolProbe(pool, control);
        Eq(first, "control-1", "a pooled id");
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        string again = PoolProbe(pool, control);
        long a1 = GC.GetAllocatedBytesForCurrentThread();
        Check(ReferenceEquals(first, again), "a pooled id is decoded once");
        Eq(a1 - a0, 0L, "bytes allocated by a pooled look-up");
        Eq(PoolProbe(pool, MixPlay.Utf8.Encode("control-2")), "control-2", "another id");
        for (int i = 0; i < MixPlay.StringPool.MaxEntries + 10; i++)
            Eq(PoolProbe(pool, MixPlay.Utf8.Encode("id-" + i)), "id-" + i, "ids past the bound");
        Eq(PoolProbe(pool, control), "control-1", "an id after the pool started over");
        Eq(PoolProbe(pool, MixPlay.Utf8.Encode(new string('x', 300))), new string('x', 300), "text longer than an id");
        Eq(PoolProbe(pool, new byte[] { 0x61, 0xff, 0 }), "a\ufffd", "bad UTF-8 decodes as everywhere else");
    }

    /// <summary>Looks up NUL-terminated UTF-8 (as Utf8.Encode gives it) in the pool.</summary>
    static unsafe string PoolProbe(MixPlay.StringPool pool, byte[] utf8)
    {
        fixed (byte* p = utf8)
        {
            MixPlay.mixplay_str s;
            s.ptr = (IntPtr)p;
            s.len = (UIntPtr)(uint)(utf8.Length - 1);
            return pool.Get(s);
        }
    }

    static unsafe string Utf8Probe(string x)
    {
        byte[] b = MixPlay.Utf8.Encode(x);
        Eq(b[b.Length - 1], (byte)0, "NUL terminator");
        fixed (byte* p = b)
            return MixPlay.Utf8.Decode((IntPtr)p, (UIntPtr)(uint)(b.Length - 1));
    }

    static readonly List<string> log = new List<string>();
    static bool logOffThread;

    static void OnLog(object sender, MixPlayLogEventArgs e)
    {
        if (Thread.CurrentThread.ManagedThreadId != mainThread) logOffThread = true;
        log.Add(e.Level + ": " + e.Message);
    }

    static readonly List<MixPlayConnectionState> states = new List<MixPlayConnectionState>();
    static bool offThread;

    static void Connect()
    {
        MixPlayLibrary.MessageLogged += OnLog;
        MixPlayLibrary.SetLogLevel(MixPlayLogLevel.Info);
        s = new MixPlaySession(Settings());
        Eq(MixPlayLibrary.LiveSessions, 1, "live sessions");
        s.ConnectionChanged += (o, e) =>
        {
            if (Thread.CurrentThread.ManagedThreadId != mainThread) offThread = true;
            states.Add(e.State);
        };
        s.InputReceived += (o, e) =>
        {
            if (Thread.CurrentThread.ManagedThreadId != mainThread) offThread = true;
        };
        // Nothing is raised outside Update, however long we wait here.
        Check(states.Count == 0, "no event before Update");
        Pump(() => states.Contains(MixPlayConnectionState.Connected), "Connected");
        Check(states[0] == MixPlayConnectionState.Connecting, "Connecting came first");
        Eq(s.ConnectionState, MixPlayConnectionState.Connected, "ConnectionState");
        Check(s.IsConnected, "IsConnected");
        Check(!s.IsReady, "not ready yet");
        Check(Math.Abs((s.ServerTime - DateTimeOffset.UtcNow).TotalSeconds) < 60, "server time is near");
        Check(!offThread, "events were raised on the main thread only");
        Check(log.Count > 0, "log records arrived (connection progress logs at Info)");
        Check(!logOffThread, "log records arrived on the main thread only");
        MixPlayLibrary.SetLogLevel(MixPlayLogLevel.Warning);
    }

    static void Cache()
    {
        IReadOnlyList<MixPlayScene> scenes = s.Scenes;
        Eq(scenes.Count, 1, "scenes");
        Eq(scenes[0].Id, "default", "scene id");
        Eq(scenes[0].Controls.Count, 0, "controls of default");
        Eq(s.Groups.Count, 1, "groups");
        Eq(s.Groups[0].Id + "/" + s.Groups[0].SceneId, "default/default", "group");
        Eq(s.ParticipantCount, 0, "participants");

        List<MixPlayChange> sceneChanges = new List<MixPlayChange>();
        s.SceneChanged += (o, e) => sceneChanges.Add(e.Change);
        Ok(s.CreateScenes("[{\"sceneID\":\"s2\",\"controls\":[{\"controlID\":\"c2\",\"kind\":\"button\"}]}]"), "createScenes");
        Check(sceneChanges.Contains(MixPlayChange.Created), "SceneChanged(Created)");
        Ok(s.CreateGroups("[{\"groupID\":\"g2\",\"sceneID\":\"s2\"}]"), "createGroups");
        List<string> created = new List<string>();
        s.ControlChanged += (o, e) =>
        {
            if (e.Change == MixPlayChange.Created) created.Add(e.SceneId + "/" + e.ControlId);
        };
        MixPlayRequest r = s.CreateControls("default",
            "[{\"controlID\":\"b\",\"kind\":\"button\",\"text\":\"B\"}," +
            "{\"controlID\":\"buy\",\"kind\":\"button\",\"cost\":10}," +
            "{\"controlID\":\"j\",\"kind\":\"joystick\"}," +
            "{\"controlID\":\"t\",\"kind\":\"textbox\"}]");
        Ok(r, "createControls");
        Pump(() => created.Count == 4, "four ControlChanged(Created)");
        Check(created.Contains("default/b") && created.Contains("default/t"), "created: " + string.Join(",", created.ToArray()));

        scenes = s.Scenes;
        Eq(scenes.Count, 2, "scenes now");
        MixPlayScene def = scenes[0].Id == "default" ? scenes[0] : scenes[1];
        Eq(def.Controls.Count, 4, "controls of default now");
        Eq(s.ControlsIn("s2")[0].Id, "c2", "control of s2");
        Eq(s.ControlsIn("nope").Count, 0, "controls of a missing scene");
        Eq(s.Control("j").Kind, "joystick", "kind of j");
        Check(s.GetControlJson("b").Contains("\"controlID\":\"b\""), "control JSON");
        Eq(s.GetControlJson("nope"), null, "JSON of a missing control");
        Eq(s.Groups.Count, 2, "groups now");
    }

    static string sid1;

    static void ReadyAndJoin()
    {
        bool readyEvent = false;
        s.ReadyChanged += (o, e) => readyEvent |= e.IsReady;
        Ok(s.Ready(true), "ready");
        Pump(() => readyEvent, "ReadyChanged(true)");
        Check(s.IsReady, "IsReady");

        MixPlayParticipant joined = null;
        s.ParticipantJoined += (o, e) => joined = e.Participant;
        sid1 = Join("demo-viewer-1");
        Pump(() => joined != null && joined.SessionId == sid1, "ParticipantJoined");
        Eq(joined.Username, "viewer1", "username");
        Eq(joined.UserId, 2u, "user id");
        Eq(joined.GroupId, "default", "group");
        Check(!joined.IsAnonymous && !joined.IsDisabled, "flags");
        Check(joined.ConnectedAt.Year >= 2024, "connected at");
        Eq(s.ParticipantCount, 1, "participant count");
        Eq(s.Participants.Count, 1, "Participants");
        Eq(s.Participants[0].SessionId, sid1, "Participants[0]");
        MixPlayParticipant p;
        Check(s.TryGetParticipantByUserId(2, out p) && p.SessionId == sid1, "by user id");
        Check(!s.TryGetParticipantByUserId(99, out p) && p == null, "no user 99");
        Check(!s.TryGetParticipant("00000000-0000-0000-0000-000000000000", out p), "no such session");
        Eq(Throws<MixPlayException>(() => s.GetParticipant("nope"), "GetParticipant(nope)").Code, MixPlayResult.NotFound, "code");
        Eq(s.ParticipantsInScene("default").Count, 1, "in scene default");
    }

    static void Buttons()
    {
        Eq(Button("demo-viewer-1", "b", "mousedown"), 0, "mousedown accepted");
        ButtonInput down = WaitInput<ButtonInput>("b", MixPlayInputKind.MouseDown);
        Check(down.IsDown && !down.IsKey && !down.HasTransaction, "a plain mouse press");
        Eq(down.ParticipantId, sid1, "who");
        Eq(down.Participant.Username, "viewer1", "typed participant");
        // The frame that delivered it:
        Check(s.GetButtonDown("b"), "GetButtonDown");
        Check(s.GetButton("b"), "GetButton");
        Check(!s.GetButtonUp("b"), "not GetButtonUp");
        Eq(s.GetButtonDownCount("b"), 1, "down count");
        Eq(s.GetButtonHeldCount("b"), 1, "held count");
        Check(s.GetButtonDown("b", sid1) && s.GetButton("b", sid1), "per participant");
        Check(!s.GetButtonDown("b", "someone-else"), "not someone else");
        Eq(string.Join(",", new List<string>(s.GetButtonPressers("b")).ToArray()), sid1, "pressers");
        Eq(string.Join(",", new List<string>(s.GetButtonHolders("b")).ToArray()), sid1, "holders");
        Check(!s.GetButtonDown("buy"), "another button");
        // A frame without input: no longer down this frame, still held.
        s.Update();
        Check(!s.GetButtonDown("b") && s.GetButton("b") && s.GetButton("b", sid1), "held in the next frame");
        Eq(Button("demo-viewer-1", "b", "mouseup"), 0, "mouseup accepted");
        ButtonInput up = WaitInput<ButtonInput>("b", MixPlayInputKind.MouseUp);
        Check(!up.IsDown, "a release");
        Check(s.GetButtonUp("b") && s.GetButtonUp("b", sid1), "GetButtonUp");
        Eq(s.GetButtonUpCount("b"), 1, "up count");
        Eq(s.GetButtonHeldCount("b"), 0, "nobody holds it");
        s.Update();
        Check(!s.GetButtonUp("b") && !s.GetButton("b") && !s.GetButtonUp("b", sid1), "a quiet frame");
        // Keys count as presses too.
        Eq(Input("demo-viewer-1", "{\"controlID\":\"b\",\"event\":\"keydown\"}"), 0, "keydown accepted");
        ButtonInput key = WaitInput<ButtonInput>("b", MixPlayInputKind.KeyDown);
        Check(key.IsKey && key.IsDown && s.GetButtonDown("b"), "keydown");
        Eq(Input("demo-viewer-1", "{\"controlID\":\"b\",\"event\":\"keyup\"}"), 0, "keyup accepted");
        WaitInput<ButtonInput>("b", MixPlayInputKind.KeyUp);
    }

    static void Joystick()
    {
        double x, y;
        Check(!s.TryGetJoystick("j", out x, out y), "no moves yet");
        MoveInput seen = null;
        s.MoveInputReceived += (o, e) => seen = e;
        Eq(Input("demo-viewer-1", "{\"controlID\":\"j\",\"event\":\"move\",\"x\":0.5,\"y\":-0.25}"), 0, "move accepted");
        MoveInput m = WaitInput<MoveInput>("j", MixPlayInputKind.Move);
        Check(ReferenceEquals(seen, m), "MoveInputReceived got the same object");
        Eq(m.X, 0.5, "x");
        Eq(m.Y, -0.25, "y");
        Check(s.TryGetJoystick("j", out x, out y) && x == 0.5 && y == -0.25, "mean this frame");
        Eq(s.GetJoystickX("j"), 0.5, "GetJoystickX");
        Eq(s.GetJoystickY("j"), -0.25, "GetJoystickY");
        Eq(s.GetJoystickMoveCount("j"), 1, "moves");
        s.Update();
        Eq(s.GetJoystickMoveCount("j"), 0, "no moves in a quiet frame");
        Eq(s.GetJoystickX("j"), 0.0, "X in a quiet frame");
    }

    static void Textbox()
    {
        const string text = "héllo wörld ✓";
        Eq(Input("demo-viewer-1", "{\"controlID\":\"t\",\"event\":\"change\",\"value\":\"hél\"}"), 0, "change accepted");
        TextInput change = WaitInput<TextInput>("t", MixPlayInputKind.TextChange);
        Check(!change.IsSubmit && change.Text == "hél", "a change: " + change.Text);
        Eq(Input("demo-viewer-1", "{\"controlID\":\"t\",\"event\":\"submit\",\"value\":\"" + text + "\"}"), 0, "submit accepted");
        TextInput submit = WaitInput<TextInput>("t", MixPlayInputKind.TextSubmit);
        Check(submit.IsSubmit, "a submission");
        Eq(submit.Text, text, "text (UTF-8 out)");
        IReadOnlyList<TextSubmission> subs = s.GetTextSubmissions("t");
        Eq(subs.Count, 1, "submissions this frame");
        Eq(subs[0].ParticipantId, sid1, "sender");
        Eq(subs[0].Text, text, "submitted text");
        s.Update();
        Eq(s.GetTextSubmissionCount("t"), 0, "none in a quiet frame");
    }

    static void ControlUpdates()
    {
        const string label = "Jump ✓ — ü";
        MixPlayRequest a = s.SetControlText("b", label);
        MixPlayRequest b = s.Control("b").SetProgress(0.5);
        MixPlayRequest c = s.SetControlProperty("b", "count", 7L);
        MixPlayRequest d = s.SetControlMetaJson("b", "owner", "\"me\"");
        Check(ReferenceEquals(a, b) && ReferenceEquals(b, c) && ReferenceEquals(c, d), "one request per scene and frame");
        Ok(a, "the frame's control writes");
        Eq(Cmd("WAIT_METHOD demo-viewer-1 onControlUpdate"), 0, "the participant got onControlUpdate");
        Check(answer.Contains(label), "the participant saw the UTF-8 text: " + answer);
        Eq(s.GetControlString("b", "text"), label, "text read back");
        Eq(s.GetControlFloat("b", "progress"), 0.5, "progress");
        Eq(s.GetControlInt("b", "count"), 7L, "count");
        Eq(s.GetControlString("b", "owner", true), "me", "meta owner");
        Eq(s.GetControlPropertyJson("b", "owner", true), "\"me\"", "meta JSON");
        long n;
        Check(!s.TryGetControlInt("b", "nothing", out n), "TryGet of a missing property");
        Check(!s.TryGetControlInt("b", "text", out n), "TryGet of another type");
        Check(!s.TryGetControlInt("nope", "count", out n), "TryGet of a missing control");
        MixPlayException e = Throws<MixPlayException>(() => s.SetControlText("nope", "x"), "a missing control");
        Eq(e.Code, MixPlayResult.NotFound, "code");
        Check(e.Detail.Length > 0, "last-error detail: " + e.Message);
        e = Throws<MixPlayException>(() => s.SetControlProgress("b", double.NaN), "NaN progress");
        Eq(e.Code, MixPlayResult.InvalidArgument, "code");
        Throws<ArgumentNullException>(() => s.SetControlText(null, "x"), "null control");
        // Getters and setters allocate nothing native: run many and check the process is fine.
        for (int i = 0; i < 2000; i++) s.GetButtonDown("b");
        s.Update();
    }

    static void Transactions()
    {
        Eq(Button("demo-viewer-1", "buy", "mousedown"), 0, "costed press accepted");
        ButtonInput press = WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseDown);
        Check(press.HasTransaction, "the press opened a transaction");
        Ok(press.Capture(), "capture");
        Eq(Cmd("SPARKS 2"), 0, "SPARKS");
        Eq(answer, "990", "viewer1 was charged");
        MixPlayReply again = Await(s.Capture(press.TransactionId), "second capture");
        Check(!again.Success, "the second capture fails");
        Eq(again.Code, 4006u, "service code");
        Check(again.Message.Length > 0, "service message");
        Eq(Button("demo-viewer-1", "buy", "mouseup"), 0, "release");
        WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseUp);
    }

    static void GroupMove()
    {
        MixPlayParticipant updated = null;
        s.ParticipantUpdated += (o, e) => updated = e.Participant;
        Ok(s.MoveParticipant(sid1, "g2"), "moveParticipant");
        Pump(() => updated != null && updated.GroupId == "g2", "ParticipantUpdated to g2");
        Eq(s.GetParticipant(sid1).GroupId, "g2", "cache");
        Eq(s.ParticipantsInGroup("g2").Count, 1, "in g2");
        Eq(s.ParticipantsInScene("s2").Count, 1, "in scene s2");
        Eq(s.ParticipantsInGroup("default").Count, 0, "none left in default");
        // viewer1 now sees scene s2: b is gone for them, c2 works.
        Check(Button("demo-viewer-1", "b", "mousedown") != 0, "b refused in s2");
        Eq(Button("demo-viewer-1", "c2", "mousedown"), 0, "c2 accepted");
        WaitInput<ButtonInput>("c2", MixPlayInputKind.MouseDown);
        Check(s.GetButtonDown("c2", sid1), "pressed c2");
        Ok(s.MoveParticipant(sid1, "default"), "move back");
    }

    static void InputHelpers()
    {
        Ok(s.CreateControls("default", "[{\"controlID\":\"scr\",\"kind\":\"screen\"}]"), "a screen control");
        // A click on the video, a move over it, and the release elsewhere.
        Eq(Input("demo-viewer-1", "{\"controlID\":\"scr\",\"event\":\"mousedown\",\"button\":0,\"x\":0.25,\"y\":0.75}"), 0, "screen press");
        ButtonInput press = WaitInput<ButtonInput>("scr", MixPlayInputKind.MouseDown);
        Check(press.HasPosition && press.X == 0.25 && press.Y == 0.75, "the press has its place");
        Check(s.GetScreenDown("scr") && s.GetScreen("scr") && !s.GetScreenUp("scr"), "GetScreenDown/GetScreen");
        IReadOnlyList<ScreenClick> clicks = s.GetScreenClicks("scr");
        Eq(clicks.Count, 1, "one click");
        Check(clicks[0].ParticipantId == sid1 && clicks[0].X == 0.25 && clicks[0].Y == 0.75, "who and where");
        Eq(Input("demo-viewer-1", "{\"controlID\":\"scr\",\"event\":\"move\",\"x\":0.5,\"y\":0.125}"), 0, "screen move");
        WaitInput<MoveInput>("scr", MixPlayInputKind.Move);
        double x, y;
        Check(s.TryGetScreenPosition("scr", out x, out y) && x == 0.5 && y == 0.125, "mean position");
        Check(s.TryGetScreenPosition("scr", sid1, out x, out y) && x == 0.5, "the participant's position");
        Check(!s.TryGetScreenPosition("scr", "someone-else", out x, out y), "nobody else moved");
        Eq(Input("demo-viewer-1", "{\"controlID\":\"scr\",\"event\":\"mouseup\",\"button\":0,\"x\":0.5,\"y\":0.5}"), 0, "screen release");
        WaitInput<ButtonInput>("scr", MixPlayInputKind.MouseUp);
        Check(s.GetScreenUp("scr") && s.GetScreenReleases("scr").Count == 1 && s.GetScreenReleases("scr")[0].X == 0.5, "the release and its place");
        s.Update();
        Check(!s.GetScreenDown("scr") && s.GetScreenClicks("scr").Count == 0 && !s.TryGetScreenPosition("scr", sid1, out x, out y), "a quiet frame");

        // The joystick per participant.
        Eq(Input("demo-viewer-1", "{\"controlID\":\"j\",\"event\":\"move\",\"x\":-1,\"y\":0}"), 0, "move");
        WaitInput<MoveInput>("j", MixPlayInputKind.Move);
        Check(s.TryGetJoystick("j", sid1, out x, out y) && x == -1 && y == 0, "the participant's joystick");
        Eq(s.GetJoystickX("j", sid1), -1.0, "GetJoystickX per participant");
        Eq(s.GetJoystickY("j", "someone-else"), 0.0, "nobody else moved");

        // Buttons by participant and by user id.
        Eq(Button("demo-viewer-1", "b", "mousedown"), 0, "press");
        WaitInput<ButtonInput>("b", MixPlayInputKind.MouseDown);
        Check(s.GetButtonDown("b", 2u) && s.GetButton("b", 2u) && !s.GetButtonDown("b", 3u), "by user id");
        Eq(s.GetButtonDownCount("b", sid1), 1, "presses of the participant");
        Eq(Button("demo-viewer-1", "b", "mouseup"), 0, "release");
        WaitInput<ButtonInput>("b", MixPlayInputKind.MouseUp);
        Check(s.GetButtonUp("b", 2u) && s.GetButtonUpCount("b", sid1) == 1, "released by user id");

        // Typing and submissions by participant.
        Eq(Input("demo-viewer-1", "{\"controlID\":\"t\",\"event\":\"change\",\"value\":\"ty\"}"), 0, "typing");
        WaitInput<TextInput>("t", MixPlayInputKind.TextChange);
        IReadOnlyList<TextSubmission> typed = s.GetTextChanges("t");
        Check(typed.Count == 1 && typed[0].Text == "ty" && typed[0].ParticipantId == sid1, "GetTextChanges");
        Check(!s.HasSubmissions("t"), "no submission yet");
        Eq(Input("demo-viewer-1", "{\"controlID\":\"t\",\"event\":\"submit\",\"value\":\"typed\"}"), 0, "submit");
        WaitInput<TextInput>("t", MixPlayInputKind.TextSubmit);
        Check(s.HasSubmissions("t") && s.GetTextSubmissions("t", sid1)[0] == "typed", "HasSubmissions, by participant");
        Eq(s.GetTextSubmissions("t", "someone-else").Count, 0, "nobody else submitted");
    }

    static void AutoCapture()
    {
        s.AutoCaptureTransactions = true;
        try
        {
            Eq(Button("demo-viewer-1", "buy", "mousedown"), 0, "costed press accepted");
            ButtonInput press = WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseDown);
            Check(press.HasTransaction && press.AutoCapture != null, "the session captured it by itself");
            Ok(press.AutoCapture, "the automatic capture");
            Eq(Cmd("SPARKS 2"), 0, "SPARKS");
            Eq(answer, "980", "viewer1 was charged again");
            Eq(Button("demo-viewer-1", "buy", "mouseup"), 0, "release");
            ButtonInput up = WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseUp);
            Check(up.AutoCapture == null, "releases open no transaction");
        }
        finally
        {
            s.AutoCaptureTransactions = false;
        }
        Eq(Button("demo-viewer-1", "buy", "mousedown"), 0, "a press without auto-capture");
        Check(WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseDown).AutoCapture == null, "not captured");
        Eq(Button("demo-viewer-1", "buy", "mouseup"), 0, "release");
        WaitInput<ButtonInput>("buy", MixPlayInputKind.MouseUp);
    }

    static async Task<MixPlayReply> AwaitTime()
    {
        MixPlayReply r = await s.GetTime();
        // The continuation runs inside Update, on the main thread.
        if (Thread.CurrentThread.ManagedThreadId != mainThread) throw new CheckFailed("continuation off the main thread");
        return r;
    }

    static void RawCall()
    {
        MixPlayReply raw = Ok(s.Call("getTime", "null"), "call getTime");
        Check(raw.Json.Contains("\"time\""), "raw reply JSON: " + raw.Json);
        Task<MixPlayReply> t = AwaitTime();
        Check(!t.IsCompleted, "not completed before Update");
        Pump(() => t.IsCompleted, "the awaited getTime");
        Check(t.Result.Success && t.Result.Json.Contains("\"time\""), "awaited reply");
        MixPlayReply viaThen = null;
        MixPlayRequest r = s.GetMemoryStats().Then(rep => viaThen = rep);
        Pump(() => viaThen != null, "Then");
        Check(viaThen.Success && viaThen.Json.Contains("usedBytes"), "memory stats");
        Check(ReferenceEquals(r.Reply, viaThen), "Then got the request's reply");
        MixPlayReply bad = Await(s.Call("noSuchMethod", "{}"), "an unknown method");
        Check(!bad.Success && bad.Code > 0, "unknown method fails: " + bad);
        Eq(s.PendingRequests, 0, "nothing pending");
        Ok(s.UpdateWorld("{\"round\":3}"), "updateWorld");
    }

    static void HandlerExceptions()
    {
        List<Exception> routed = new List<Exception>();
        Action<Exception> old = MixPlayLibrary.ExceptionHandler;
        MixPlayLibrary.ExceptionHandler = routed.Add;
        int second = 0;
        EventHandler<MixPlayReply> thrower = (o, e) => { throw new InvalidOperationException("boom from a handler"); };
        EventHandler<MixPlayReply> counter = (o, e) => second++;
        EventHandler<MixPlayReply> reenter = (o, e) => s.Update();
        s.ReplyReceived += thrower;
        s.ReplyReceived += reenter;
        s.ReplyReceived += counter;
        try
        {
            MixPlayRequest a = s.GetTime();
            MixPlayRequest b = s.GetTime();
            Pump(() => a.IsCompleted && b.IsCompleted, "two replies");
            Eq(second, 2, "the handler after the throwing ones ran for both replies");
            Check(routed.Exists(e => e.Message == "boom from a handler"), "the exception was routed");
            Check(routed.Exists(e => e is InvalidOperationException && e.Message.Contains("cannot be called from")), "re-entrant Update refused");
            // The handlers raised are the event's handlers now (the wrapper keeps invocation lists).
            s.ReplyReceived -= counter;
            MixPlayRequest c = s.GetTime();
            Pump(() => c.IsCompleted, "a third reply");
            Eq(second, 2, "a handler taken off is not called");
            s.ReplyReceived += counter;
            MixPlayRequest d = s.GetTime();
            Pump(() => d.IsCompleted, "a fourth reply");
            Eq(second, 3, "a handler put back is called");
        }
        finally
        {
            s.ReplyReceived -= thrower;
            s.ReplyReceived -= reenter;
            s.ReplyReceived -= counter;
            MixPlayLibrary.ExceptionHandler = old;
        }
    }

    static void Leave()
    {
        ParticipantLeftEventArgs left = null;
        s.ParticipantLeft += (o, e) => left = e;
        Eq(Cmd("LEAVE demo-viewer-1"), 0, "LEAVE");
        Pump(() => left != null, "ParticipantLeft");
        Eq(left.SessionId, sid1, "who left");
        Check(left.Json.Contains("viewer1"), "last known properties: " + left.Json);
        Eq(s.ParticipantCount, 0, "nobody left");
    }

    /// <summary>Signs in by short code, approved by the user of <paramref name="token"/>.</summary>
    static MixPlayTokens SignInAs(string token)
    {
        using (MixPlayAuth auth = new MixPlayAuth(baseUrl, "unity-tests", "interactive:robot:self"))
        {
            auth.Start();
            PumpWith(auth.Update, () => auth.State == MixPlayAuthState.Waiting, "a code");
            Eq(Cmd("APPROVE " + auth.Code + " " + token), 0, "approved");
            PumpWith(auth.Update, () => auth.State == MixPlayAuthState.Approved, "approval");
            return auth.Tokens;
        }
    }

    static void TokenRefresh()
    {
        MixPlayTokens signedIn = SignInAs("demo-streamer");
        Check(signedIn != null && !signedIn.ToString().Contains(signedIn.AccessToken), "tokens, kept out of ToString");
        List<TokensEventArgs> refreshed = new List<TokensEventArgs>();
        s.TokensRefreshed += (o, e) => refreshed.Add(e);
        s.SetToken(signedIn.AccessToken);
        // Said to last 2 s, the token is refreshed after one.
        MixPlayTokenRefresh r = MixPlayTokenRefresh.Of(signedIn, baseUrl, "unity-tests");
        r.ExpiresIn = TimeSpan.FromSeconds(2);
        s.SetTokenRefresh(r);
        Pump(() => refreshed.Count > 0, "TokensRefreshed");
        Check(refreshed[0].Refreshed && refreshed[0].Tokens.AccessToken != signedIn.AccessToken, "new tokens: " + refreshed[0].Message);
        Check(refreshed[0].Tokens.RefreshToken != signedIn.RefreshToken, "a new refresh token");
        // The next reconnection connects with the refreshed token.
        s.SetTokenRefresh(null);
        states.Clear();
        Eq(Cmd("CLOSE_GAME 1012"), 0, "CLOSE_GAME");
        Pump(() => states.Contains(MixPlayConnectionState.Connected), "connected again");
        Check(!states.Contains(MixPlayConnectionState.Disconnected), "not stopped");
        // A token that does not work stops the next reconnection with 4019.
        uint code = 0;
        EventHandler<ConnectionChangedEventArgs> h = (o, e) =>
        {
            if (e.State == MixPlayConnectionState.Disconnected) code = e.CloseCode;
        };
        s.ConnectionChanged += h;
        s.SetToken("nobody");
        Eq(Cmd("CLOSE_GAME 1012"), 0, "CLOSE_GAME");
        Pump(() => code != 0, "the stop");
        Eq(code, 4019u, "refused");
        s.ConnectionChanged -= h;
        Throws<MixPlayException>(() => s.SetToken(""), "an empty token");
    }

    static string viewerToken;

    static void SignIn()
    {
        using (MixPlayAuth auth = new MixPlayAuth(baseUrl, "unity-tests", "chat:connect chat:chat"))
        {
            List<MixPlayAuthState> seen = new List<MixPlayAuthState>();
            auth.StateChanged += (o, e) => seen.Add(auth.State);
            auth.Update();
            Eq(auth.State, MixPlayAuthState.Idle, "idle before Start");
            auth.Start();
            PumpWith(auth.Update, () => auth.State == MixPlayAuthState.Waiting, "a code");
            Eq(auth.Code.Length, 6, "a six-character code: " + auth.Code);
            Check(auth.Url.Contains(auth.Code), "the URL carries the code: " + auth.Url);
            Check(auth.CodeExpiresIn > TimeSpan.Zero, "the code has time left");
            Eq(Cmd("APPROVE " + auth.Code + " demo-viewer-1"), 0, "the viewer approved");
            PumpWith(auth.Update, () => auth.State == MixPlayAuthState.Approved, "approval");
            Check(auth.AccessToken.Length > 0 && auth.RefreshToken.Length > 0, "tokens");
            Check(auth.ExpiresIn > TimeSpan.Zero, "a lifetime");
            Check(Math.Abs((auth.GrantedAt - DateTimeOffset.UtcNow).TotalMinutes) < 5, "granted now: " + auth.GrantedAt);
            Check(!MixPlayAuth.IsTokenStale(auth.GrantedAt, auth.ExpiresIn), "a fresh token is not stale");
            Check(MixPlayAuth.IsTokenStale(DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(1)), "an old one is");
            Check(seen.Contains(MixPlayAuthState.Waiting) && seen.Contains(MixPlayAuthState.Approved), "StateChanged saw Waiting and Approved");
            viewerToken = auth.AccessToken;
            // A refresh token trades for new tokens once.
            auth.Refresh(auth.RefreshToken);
            PumpWith(auth.Update, () => auth.State == MixPlayAuthState.Approved && auth.AccessToken != viewerToken, "a refresh");
            viewerToken = auth.AccessToken;
            // Who the token belongs to.
            auth.FetchUser(viewerToken);
            PumpWith(auth.Update, () => auth.UserState == MixPlayUserState.Found, "the user");
            Check(auth.User.Id == 2 && auth.User.Username == "viewer1" && auth.User.ChannelId == 2, "the viewer and their own channel: " + auth.User);
            auth.FetchUser("not-a-token");
            PumpWith(auth.Update, () => auth.UserState == MixPlayUserState.Failed, "a refused token");
            Check(auth.UserMessage.Contains("refused") && auth.User == null, "why: " + auth.UserMessage);
            auth.Cancel();
            auth.Update();
            Eq(auth.State, MixPlayAuthState.Idle, "idle after Cancel");
        }
        Throws<MixPlayException>(() => new MixPlayAuth("", "x", ""), "an empty base URL");
    }

    static void Chat()
    {
        Check(viewerToken != null, "the sign-in test gave a token");
        using (MixPlayChat streamer = new MixPlayChat(baseUrl, 1, "demo-streamer", "unity-tests"))
        using (MixPlayChat viewer = new MixPlayChat(baseUrl, 1, viewerToken, "unity-tests"))
        using (MixPlayChat anon = new MixPlayChat(baseUrl, 1, null))
        {
            Action all = () =>
            {
                streamer.Update();
                viewer.Update();
                anon.Update();
            };
            ChatJoinedEventArgs sj = null, vj = null, aj = null;
            streamer.Joined += (o, e) => sj = e;
            viewer.Joined += (o, e) => vj = e;
            anon.Joined += (o, e) => aj = e;
            PumpWith(all, () => sj != null && vj != null && aj != null, "three chats joined");
            Check(sj.IsSignedIn && sj.UserId == 1 && sj.RolesJson.Contains("Owner"), "the streamer: " + sj.RolesJson);
            Check(vj.IsSignedIn && vj.UserId == 2, "the viewer signed in with the short-code token");
            Check(!aj.IsSignedIn && aj.UserId == 0, "anonymous");
            Eq(streamer.ConnectionState, MixPlayConnectionState.Connected, "connected");

            List<ChatMessage> atStreamer = new List<ChatMessage>();
            streamer.MessageReceived += (o, e) => atStreamer.Add(e);
            const string hello = "hello from Unity ✓ — ü";
            MixPlayRequest sent = viewer.Send(hello);
            PumpWith(all, () => sent.IsCompleted && atStreamer.Count > 0, "the viewer's message");
            Check(sent.Reply.Success, "sent: " + sent.Reply);
            Eq(atStreamer[0].UserName, "viewer1", "sender");
            Eq(atStreamer[0].UserId, 2u, "sender id");
            Eq(atStreamer[0].Text, hello, "text (UTF-8 both ways)");
            Check(atStreamer[0].Id.Length > 0 && atStreamer[0].Json.Length > 0, "id and data");

            MixPlayRequest refused = anon.Send("hi");
            PumpWith(all, () => refused.IsCompleted, "the anonymous send's reply");
            Check(!refused.Reply.Success && refused.Reply.Message.Length > 0, "anonymous send refused: " + refused.Reply);

            MixPlayReply history = null;
            streamer.History(10).Then(r => history = r);
            PumpWith(all, () => history != null, "history");
            Check(history.Success && history.Json.Contains(hello), "history has the message: " + history.Json);
            Eq(MixPlayLibrary.LiveObjects, 4, "the session and three chats are live");
        }
        Eq(MixPlayLibrary.LiveObjects, 1, "the chats are gone");
    }

    static void OwnChat()
    {
        using (MixPlayChat own = new MixPlayChat(baseUrl, 0, "demo-streamer", "unity-tests"))
        {
            ChatJoinedEventArgs joined = null;
            own.Joined += (o, e) => joined = e;
            PumpWith(own.Update, () => joined != null, "joined");
            Eq(joined.ChannelId, 1u, "the streamer's own channel");
            Check(joined.HasPermission("poll_start") && joined.HasPermission("chat") && !joined.HasPermission("nothing"), "permissions: " + joined.PermissionsJson);
            Check(joined.Permissions.Count >= 5, "a list");
            // A swapped token is used at the next connection; the chat stays in its channel.
            own.SetToken(viewerToken);
            joined = null;
            Eq(Cmd("RESTART 0"), 0, "RESTART");
            PumpWith(own.Update, () => joined != null, "joined again");
            Check(joined.UserId == 2 && joined.ChannelId == 1 && !joined.HasPermission("poll_start"), "as the viewer, in channel 1");
        }
        Throws<MixPlayException>(() => new MixPlayChat(baseUrl, 0, null), "channel 0 without a token");
    }

    static void TokenStore()
    {
        MixPlayTokens t = new MixPlayTokens("acc", "ref", TimeSpan.FromSeconds(21600), MixPlayParticipant.FromUnixMs(1700000000000));
        MixPlayTokens back;
        Check(MixPlayTokens.TryParse(t.Serialize(), out back), "round trip");
        Check(back.AccessToken == "acc" && back.RefreshToken == "ref" && back.ExpiresIn == t.ExpiresIn && back.GrantedAt == t.GrantedAt, "the same tokens");
        Check(back.IsStale && back.IsExpired, "long past");
        foreach (string bad in new[] { null, "", "acc", "mixplay-tokens-1\t\tref\t1\t1", "mixplay-tokens-1\ta\tr\t-1\t1", "mixplay-tokens-2\ta\tr\t1\t1", "mixplay-tokens-1\ta\tr\t1\t99999999999999" })
            Check(!MixPlayTokens.TryParse(bad, out back) && back == null, "refused: " + bad);
        MixPlayMemoryTokenStore store = new MixPlayMemoryTokenStore();
        Check(!store.TryLoad(out back), "empty");
        store.Save(t);
        Check(store.TryLoad(out back) && back.AccessToken == "acc", "saved");
        store.Clear();
        Check(!store.TryLoad(out back), "cleared");
        Throws<ArgumentException>(() => new MixPlayTokens("", "r", TimeSpan.Zero, DateTimeOffset.UtcNow), "no access token");
    }

    static void SilentSignIn()
    {
        MixPlayMemoryTokenStore store = new MixPlayMemoryTokenStore();
        MixPlayTokens first;
        // No stored tokens: a code.
        using (MixPlaySignIn signIn = new MixPlaySignIn(baseUrl, "unity-tests", "interactive:robot:self", store))
        {
            string shown = null;
            bool found = false;
            signIn.CodeShown += (code, url) => shown = code;
            signIn.UserFound += (o, e) => found = true;
            signIn.Start();
            PumpWith(signIn.Update, () => shown != null, "a code");
            Eq(signIn.State, MixPlaySignInState.ShowingCode, "showing a code");
            Check(signIn.Url.Contains(shown), "the URL");
            Eq(Cmd("APPROVE " + shown), 0, "the streamer approved");
            PumpWith(signIn.Update, () => found, "signed in and looked up");
            Check(!signIn.SignedInSilently && signIn.User.Id == 1 && signIn.User.ChannelId == 1, "the streamer and their channel");
            first = signIn.Tokens;
            MixPlayTokens stored;
            Check(store.TryLoad(out stored) && stored.RefreshToken == first.RefreshToken, "saved");
            Eq(signIn.TokenRefresh.RefreshToken, first.RefreshToken, "the refresh for sessions and chats");
        }
        // The next run: silently, with fresh tokens (the stored refresh token is now spent).
        using (MixPlaySignIn signIn = new MixPlaySignIn(baseUrl, "unity-tests", "interactive:robot:self", store))
        {
            bool codeShown = false, signedIn = false;
            signIn.CodeShown += (code, url) => codeShown = true;
            signIn.SignedIn += (o, e) => signedIn = true;
            signIn.Start();
            Eq(signIn.State, MixPlaySignInState.Resuming, "resuming");
            PumpWith(signIn.Update, () => signedIn, "signed in silently");
            Check(signIn.SignedInSilently && !codeShown, "no code");
            Check(signIn.Tokens.AccessToken != first.AccessToken, "fresh tokens");
            MixPlayTokens stored;
            Check(store.TryLoad(out stored) && stored.RefreshToken == signIn.Tokens.RefreshToken, "the store follows");
            // Tokens a session refreshed are remembered.
            MixPlayTokens later = new MixPlayTokens("later", "later-refresh", TimeSpan.FromHours(6), DateTimeOffset.UtcNow);
            signIn.Remember(later);
            Check(store.TryLoad(out stored) && stored.RefreshToken == "later-refresh", "remembered");
        }
        // A spent refresh token in the store: back to a code, and the store is cleared.
        store.Save(first);
        using (MixPlaySignIn signIn = new MixPlaySignIn(baseUrl, "unity-tests", "interactive:robot:self", store))
        {
            string shown = null;
            signIn.CodeShown += (code, url) => shown = code;
            signIn.Start();
            PumpWith(signIn.Update, () => shown != null, "a code after the refusal");
            MixPlayTokens stored;
            Check(!store.TryLoad(out stored), "the spent tokens were forgotten");
            signIn.SignOut();
            Eq(signIn.State, MixPlaySignInState.Idle, "signed out");
        }
    }

    static void Shutdown(int baseThreads)
    {
        Check(Threads() > baseThreads, "the library's threads run while connected");
        s.Dispose();
        s.Dispose(); // idempotent
        Check(s.IsDisposed, "IsDisposed");
        Throws<ObjectDisposedException>(() => s.Update(), "Update after Dispose");
        Throws<ObjectDisposedException>(() => s.GetButtonDown("b"), "a helper after Dispose");
        Eq(MixPlayLibrary.LiveSessions, 0, "live sessions");
        WaitThreads(baseThreads, "after Dispose");
        MixPlayLibrary.MessageLogged -= OnLog;
    }

    /// <summary>A connected session. The mediator takes a moment to notice that the previous
    /// session of this game went away and until then refuses a new one with 4021; that is
    /// retried, within the deadline, as tests/c/lifecycle.c does.</summary>
    static MixPlaySession ConnectFresh(string what)
    {
        DateTime end = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (true)
        {
            MixPlaySession x = new MixPlaySession(Settings());
            ConnectionChangedEventArgs last = null;
            x.ConnectionChanged += (o, e) => last = e;
            s = x;
            Pump(() => last != null && (last.State == MixPlayConnectionState.Connected || last.State == MixPlayConnectionState.Disconnected), what);
            if (last.State == MixPlayConnectionState.Connected) return x;
            x.Dispose();
            if (last.CloseCode != 4021) throw new CheckFailed(what + ": disconnected with " + last.CloseCode + ": " + last.Message);
            if (DateTime.UtcNow > end) throw new CheckFailed(what + ": still refused with 4021");
            Thread.Sleep(1);
        }
    }

    static void Lifecycle(int baseThreads)
    {
        for (int round = 0; round < 3; round++)
        {
            MixPlaySession x = ConnectFresh("Connected (round " + round + ")");
            x.Dispose();
            WaitThreads(baseThreads, "round " + round);
        }
        // A handler may dispose its session inside Update: Update holds the native handle until
        // it returns (it polls with the raw handle), stops handing out events, and the session is
        // freed as it lets go.
        MixPlaySession d = new MixPlaySession(Settings());
        bool disposedInHandler = false;
        d.ConnectionChanged += (o, e) =>
        {
            if (e.State != MixPlayConnectionState.Connected && e.State != MixPlayConnectionState.Disconnected) return;
            d.Dispose();
            disposedInHandler = true;
        };
        PumpWith(() => { if (!d.IsDisposed) d.Update(); }, () => disposedInHandler, "a handler disposing its session");
        Check(d.IsDisposed, "disposed by its handler");
        Eq(MixPlayLibrary.LiveSessions, 0, "freed once Update let go");
        WaitThreads(baseThreads, "after a handler disposed its session");
        // Two sessions (one the game forgot about; it cannot sign in) and a log subscriber:
        // ShutdownAll is what the Unity manager calls before a domain reload and on quit.
        MixPlaySession a = ConnectFresh("a connected");
        MixPlaySettings bad = Settings();
        bad.Token = "no-such-token";
        MixPlaySession b = new MixPlaySession(bad);
        MixPlayLibrary.MessageLogged += OnLog;
        Eq(MixPlayLibrary.LiveSessions, 2, "two live sessions");
        Check(Threads() > baseThreads, "the library's threads run");
        MixPlayLibrary.ShutdownAll();
        Check(a.IsDisposed && b.IsDisposed, "both disposed");
        Eq(MixPlayLibrary.LiveSessions, 0, "none live");
        WaitThreads(baseThreads, "after ShutdownAll");
        MixPlayLibrary.MessageLogged -= OnLog; // already detached: harmless
    }
}
