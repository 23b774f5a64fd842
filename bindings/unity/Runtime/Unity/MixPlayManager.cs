// Layer 4: Unity glue. The only file of the package that references UnityEngine; it lives in its
// own assembly (MixPlay.Unity.asmdef) so the engine-free core (MixPlay.Runtime) is what the
// console tests compile and run. Without Unity this file is only compile-checked, against the
// stand-in declarations in Tests/StandIn (see README.md).
using System;
using UnityEngine;
#if UNITY_EDITOR
using UnityEditor;
#endif

namespace MixPlay.Unity
{
    /// <summary>
    /// Connects a <see cref="MixPlaySession"/> from the settings in the inspector, calls its
    /// Update once per frame (so MixPlay's C# events fire on the main thread, during this
    /// component's Update), survives scene loads, and frees the native side on quit, when
    /// disabled or destroyed, and before the editor reloads scripts (the native library stays
    /// loaded across domain reloads, so anything left running would leak or call into a dead
    /// domain). Put it on one GameObject in the first scene; give it an early Script Execution
    /// Order so game scripts reading <see cref="GetButtonDown"/> see the current frame.
    /// <para>In ShortCode mode the streamer signs in once: the tokens are kept in
    /// <see cref="TokenStore"/> (PlayerPrefs unless replaced) and the next run signs in silently;
    /// the session (and the chat) refresh the token by themselves and the store follows.</para>
    /// </summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("MixPlay/MixPlay Manager")]
    public sealed class MixPlayManager : MonoBehaviour
    {
        [Header("Service")]
        [Tooltip("The MixPlay service: its base URL (the discovery path is appended) or its full /api/v1/interactive/hosts URL.")]
        [SerializeField] string serviceUrl = "http://127.0.0.1:8080";
        [Tooltip("The interactive project version to run.")]
        [SerializeField] int versionId;
        [Tooltip("The project's share code, if its author shared it with you.")]
        [SerializeField] string shareCode = "";

        /// <summary>How the manager gets the streamer's token.</summary>
        public enum SignInMode
        {
            /// <summary>Use <see cref="Token"/> as set in the inspector or from code.</summary>
            Token,
            /// <summary>Show a short code; the streamer approves it in a browser.</summary>
            ShortCode,
        }

        [Header("Sign-in")]
        [SerializeField] SignInMode signIn = SignInMode.Token;
        [Tooltip("The streamer's OAuth token (without \"Bearer \"). Keep real tokens out of version control.")]
        [SerializeField] string token = "";
        [Tooltip("Short-code sign-in: the OAuth app's client id.")]
        [SerializeField] string clientId = "";
        [Tooltip("Short-code sign-in: the scopes to ask for, space-separated.")]
        [SerializeField] string scopes = "interactive:robot:self";
        [Tooltip("Short-code sign-in: draw the code and URL on screen while waiting (or handle ShortCodeShown yourself).")]
        [SerializeField] bool showCodeOnScreen = true;
        [Tooltip("Short-code sign-in: keep the tokens between runs (in TokenStore, PlayerPrefs by default) and sign in silently next time.")]
        [SerializeField] bool rememberSignIn = true;

        [Header("Behaviour")]
        [SerializeField] bool connectOnStart = true;
        [Tooltip("Tell the service the game is ready as soon as it is connected.")]
        [SerializeField] bool autoReady = true;
        [Tooltip("Capture every press's spark transaction as it arrives (else capture yourself, after granting what was paid for).")]
        [SerializeField] bool autoCaptureSparks;
        [Tooltip("Also join the chat of the streamer's own channel once connected.")]
        [SerializeField] bool connectChat;
        [SerializeField] bool persistAcrossScenes = true;
        [SerializeField] MixPlayLogLevel logLevel = MixPlayLogLevel.Warning;

        /// <summary>The manager of the running game (the first one made; later ones remove themselves).</summary>
        public static MixPlayManager Instance { get; private set; }

        /// <summary>The live session, or null when not connected (or connecting failed).</summary>
        public MixPlaySession Session { get; private set; }

        /// <summary>Raised after a session is made, before its first Update: subscribe to its events here.</summary>
        public event Action<MixPlaySession> SessionStarted;

        /// <summary>The sign-in (ShortCode mode), or null before it starts.</summary>
        public MixPlaySignIn SignIn { get; private set; }

        /// <summary>Where the signed-in tokens are kept between runs. Replace it (before the
        /// manager connects) to keep them elsewhere; the default is PlayerPrefs (or memory when
        /// rememberSignIn is off).</summary>
        public IMixPlayTokenStore TokenStore { get; set; }

        /// <summary>Who signed in (ShortCode mode, once looked up): their name and channel.</summary>
        public MixPlayUser CurrentUser
        {
            get { return SignIn != null ? SignIn.User : null; }
        }

        /// <summary>The streamer's chat (connectChat, or <see cref="ConnectChat"/>), or null.</summary>
        public MixPlayChat Chat { get; private set; }

        /// <summary>Raised after the chat is made, before its first Update.</summary>
        public event Action<MixPlayChat> ChatStarted;

        /// <summary>Raised when a short code is ready to show: (code, url).</summary>
        public event Action<string, string> ShortCodeShown;

        /// <summary>Raised just before the session is disposed.</summary>
        public event Action<MixPlaySession> SessionStopping;

        bool started;

        public string ServiceUrl { get { return serviceUrl; } set { serviceUrl = value; } }
        public int VersionId { get { return versionId; } set { versionId = value; } }
        public string ShareCode { get { return shareCode; } set { shareCode = value; } }
        public string Token { get { return token; } set { token = value; } }

        void Awake()
        {
            if (Instance != null && Instance != this)
            {
                Debug.LogWarning("MixPlay: a second MixPlayManager was removed; one per game is enough.");
                Destroy(gameObject);
                return;
            }
            Instance = this;
            if (persistAcrossScenes) DontDestroyOnLoad(gameObject);
            MixPlayLibrary.ExceptionHandler = e => Debug.LogException(e);
        }

        void OnEnable()
        {
#if UNITY_EDITOR
            AssemblyReloadEvents.beforeAssemblyReload -= OnBeforeAssemblyReload;
            AssemblyReloadEvents.beforeAssemblyReload += OnBeforeAssemblyReload;
#endif
            // Re-enabled after a disable: connect again.
            if (started && connectOnStart && Session == null && Instance == this) Connect();
        }

        void Start()
        {
            started = true;
            if (connectOnStart && Session == null && Instance == this) Connect();
        }

        void Update()
        {
            if (SignIn != null)
            {
                try
                {
                    SignIn.Update();
                }
                catch (Exception e)
                {
                    Debug.LogException(e, this);
                    StopSignIn();
                }
            }
            if (Chat != null)
            {
                try
                {
                    Chat.Update();
                }
                catch (Exception e)
                {
                    Debug.LogException(e, this);
                    DisconnectChat();
                }
            }
            if (Session == null) return;
            try
            {
                Session.Update();
            }
            catch (Exception e)
            {
                // A poisoned or failed session: report it once and stop polling it.
                Debug.LogException(e, this);
                Shutdown();
            }
        }

        void OnDisable()
        {
#if UNITY_EDITOR
            AssemblyReloadEvents.beforeAssemblyReload -= OnBeforeAssemblyReload;
#endif
            Shutdown();
        }

        void OnDestroy()
        {
            Shutdown();
            if (Instance == this) Instance = null;
        }

        void OnApplicationQuit()
        {
            Shutdown();
            MixPlayLibrary.ShutdownAll();
        }

#if UNITY_EDITOR
        static void OnBeforeAssemblyReload()
        {
            // Every session and the log sink go before the domain does.
            MixPlayLibrary.ShutdownAll();
        }
#endif

        void OnGUI()
        {
            MixPlaySignIn a = SignIn;
            if (!showCodeOnScreen || a == null || a.State != MixPlaySignInState.ShowingCode || a.Code.Length == 0) return;
            GUI.Box(new Rect(10, 10, 460, 64), "MixPlay: go to " + a.Url + "\nand enter the code " + a.Code);
        }

        /// <summary>The service's base URL (serviceUrl without a /api/v1/... path).</summary>
        string ServiceBase
        {
            get
            {
                string u = (serviceUrl ?? "").Trim();
                int api = u.IndexOf("/api/v1/", StringComparison.Ordinal);
                return (api >= 0 ? u.Substring(0, api) : u).TrimEnd('/');
            }
        }

        /// <summary>Signs in (silently with stored tokens, else by showing a short code); once
        /// signed in, connects with the token, refreshing it by itself.</summary>
        public void StartSignIn()
        {
            StopSignIn();
            if (TokenStore == null) TokenStore = rememberSignIn ? (IMixPlayTokenStore)new PlayerPrefsTokenStore() : new MixPlayMemoryTokenStore();
            try
            {
                SignIn = new MixPlaySignIn(ServiceBase, clientId, scopes, TokenStore);
                SignIn.CodeShown += OnCodeShown;
                SignIn.SignedIn += OnSignedIn;
                SignIn.Failed += OnSignInFailed;
                SignIn.Start();
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
                StopSignIn();
            }
        }

        /// <summary>Forgets the stored tokens and disconnects; the next Connect asks for a code.</summary>
        public void SignOut()
        {
            if (SignIn != null) SignIn.SignOut();
            else if (TokenStore != null) TokenStore.Clear();
            token = "";
            Shutdown();
        }

        void StopSignIn()
        {
            if (SignIn == null) return;
            SignIn.Dispose();
            SignIn = null;
        }

        void OnCodeShown(string code, string url)
        {
            Debug.Log("MixPlay: go to " + url + " and enter the code " + code);
            Action<string, string> h = ShortCodeShown;
            if (h != null) h(code, url);
        }

        void OnSignedIn(object sender, EventArgs args)
        {
            MixPlaySignIn s = SignIn;
            if (s == null) return;
            token = s.Tokens.AccessToken;
            if (Session == null)
            {
                ConnectWithToken();
                return;
            }
            // Signed in again while connected (a refresh token was refused): swap the tokens in.
            Session.SetToken(token);
            Session.SetTokenRefresh(s.TokenRefresh);
            if (Chat != null)
            {
                Chat.SetToken(token);
                Chat.SetTokenRefresh(s.TokenRefresh);
            }
        }

        void OnSignInFailed(object sender, EventArgs args)
        {
            MixPlaySignIn s = SignIn;
            Debug.LogError("MixPlay: sign-in failed: " + (s != null ? s.Message : ""));
        }

        /// <summary>New tokens from the session's or the chat's automatic refresh go to the store;
        /// a refused refresh token means signing in again.</summary>
        void OnTokensRefreshed(object sender, TokensEventArgs e)
        {
            MixPlaySignIn s = SignIn;
            if (s == null) return;
            if (e.Refreshed)
            {
                s.Remember(e.Tokens);
                return;
            }
            Debug.LogWarning("MixPlay: the token can no longer be refreshed (" + e.Message + "); sign in again.");
            s.SignOut();
            s.Start();
        }

        /// <summary>Connects with the current settings (closing any session first); in ShortCode
        /// mode without a token yet, starts the sign-in instead.</summary>
        public void Connect()
        {
            if (signIn == SignInMode.ShortCode && string.IsNullOrEmpty(token))
            {
                Shutdown();
                StartSignIn();
                return;
            }
            ConnectWithToken();
        }

        void ConnectWithToken()
        {
            Shutdown(false);
            MixPlaySettings settings = new MixPlaySettings();
            settings.ServiceUrl = serviceUrl;
            settings.VersionId = versionId > 0 ? (uint)versionId : 0u;
            settings.ShareCode = shareCode;
            settings.Token = token;
            settings.AutoReady = autoReady;
            settings.AutoCaptureTransactions = autoCaptureSparks;
            settings.TokenRefresh = SignIn != null ? SignIn.TokenRefresh : null;
            try
            {
                MixPlayLibrary.SetLogLevel(logLevel);
                MixPlayLibrary.MessageLogged -= OnLog;
                MixPlayLibrary.MessageLogged += OnLog;
                Session = new MixPlaySession(settings);
                Session.TokensRefreshed += OnTokensRefreshed;
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
                Session = null;
                return;
            }
            Action<MixPlaySession> h = SessionStarted;
            if (h != null) h(Session);
            if (connectChat) ConnectChat();
        }

        /// <summary>Joins the chat of the signed-in streamer's own channel with the session's
        /// token (and its refresh, shared with the session), replacing any chat.</summary>
        public void ConnectChat()
        {
            DisconnectChat();
            if (string.IsNullOrEmpty(token))
            {
                Debug.LogWarning("MixPlay: the chat needs the streamer's token; sign in or set Token first.");
                return;
            }
            MixPlaySettings settings = new MixPlaySettings();
            settings.TokenRefresh = SignIn != null ? SignIn.TokenRefresh : null;
            try
            {
                Chat = new MixPlayChat(ServiceBase, 0, token, clientId, settings);
                Chat.TokensRefreshed += OnTokensRefreshed;
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
                Chat = null;
                return;
            }
            Action<MixPlayChat> h = ChatStarted;
            if (h != null) h(Chat);
        }

        /// <summary>Leaves the chat.</summary>
        public void DisconnectChat()
        {
            MixPlayChat c = Chat;
            if (c == null) return;
            Chat = null;
            c.Dispose();
        }

        /// <summary>Closes the session, the chat and any sign-in in progress (the native threads
        /// stop when nothing is left).</summary>
        public void Shutdown()
        {
            Shutdown(true);
        }

        void Shutdown(bool signInToo)
        {
            if (signInToo) StopSignIn();
            DisconnectChat();
            MixPlaySession s = Session;
            if (s == null) return;
            Session = null;
            Action<MixPlaySession> h = SessionStopping;
            if (h != null)
            {
                try
                {
                    h(s);
                }
                catch (Exception e)
                {
                    Debug.LogException(e, this);
                }
            }
            s.Dispose();
            if (MixPlayLibrary.LiveSessions == 0) MixPlayLibrary.MessageLogged -= OnLog;
        }

        static void OnLog(object sender, MixPlayLogEventArgs e)
        {
            switch (e.Level)
            {
                case MixPlayLogLevel.Error:
                    Debug.LogError("MixPlay: " + e.Message);
                    break;
                case MixPlayLogLevel.Warning:
                    Debug.LogWarning("MixPlay: " + e.Message);
                    break;
                default:
                    Debug.Log("MixPlay: " + e.Message);
                    break;
            }
        }

        // ----- Input-style statics over the current session (false/0 when not connected) -----

        static MixPlaySession Current
        {
            get { return Instance != null ? Instance.Session : null; }
        }

        public static bool GetButtonDown(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetButtonDown(control);
        }

        public static bool GetButton(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetButton(control);
        }

        public static bool GetButtonUp(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetButtonUp(control);
        }

        public static int GetButtonDownCount(string control)
        {
            MixPlaySession s = Current;
            return s != null ? s.GetButtonDownCount(control) : 0;
        }

        public static int GetButtonHeldCount(string control)
        {
            MixPlaySession s = Current;
            return s != null ? s.GetButtonHeldCount(control) : 0;
        }

        public static int GetButtonUpCount(string control)
        {
            MixPlaySession s = Current;
            return s != null ? s.GetButtonUpCount(control) : 0;
        }

        public static float GetJoystickX(string control)
        {
            MixPlaySession s = Current;
            return s != null ? (float)s.GetJoystickX(control) : 0f;
        }

        public static float GetJoystickY(string control)
        {
            MixPlaySession s = Current;
            return s != null ? (float)s.GetJoystickY(control) : 0f;
        }

        public static bool GetScreenDown(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetScreenDown(control);
        }

        public static bool GetScreen(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetScreen(control);
        }

        public static bool GetScreenUp(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.GetScreenUp(control);
        }

        public static bool HasSubmissions(string control)
        {
            MixPlaySession s = Current;
            return s != null && s.HasSubmissions(control);
        }
    }
}
