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

        [Header("Behaviour")]
        [SerializeField] bool connectOnStart = true;
        [Tooltip("Tell the service the game is ready as soon as it is connected.")]
        [SerializeField] bool autoReady = true;
        [SerializeField] bool persistAcrossScenes = true;
        [SerializeField] MixPlayLogLevel logLevel = MixPlayLogLevel.Warning;

        /// <summary>The manager of the running game (the first one made; later ones remove themselves).</summary>
        public static MixPlayManager Instance { get; private set; }

        /// <summary>The live session, or null when not connected (or connecting failed).</summary>
        public MixPlaySession Session { get; private set; }

        /// <summary>Raised after a session is made, before its first Update: subscribe to its events here.</summary>
        public event Action<MixPlaySession> SessionStarted;

        /// <summary>The short-code sign-in in progress (ShortCode mode), or null.</summary>
        public MixPlayAuth Auth { get; private set; }

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
            if (Auth != null)
            {
                try
                {
                    Auth.Update();
                }
                catch (Exception e)
                {
                    Debug.LogException(e, this);
                    StopSignIn();
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
            MixPlayAuth a = Auth;
            if (!showCodeOnScreen || a == null || a.State != MixPlayAuthState.Waiting) return;
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

        /// <summary>Starts a short-code sign-in; on approval the token is used to connect.</summary>
        public void StartSignIn()
        {
            StopSignIn();
            try
            {
                Auth = new MixPlayAuth(ServiceBase, clientId, scopes);
                Auth.StateChanged += OnAuthStateChanged;
                Auth.Start();
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
                StopSignIn();
            }
        }

        void StopSignIn()
        {
            if (Auth == null) return;
            Auth.Dispose();
            Auth = null;
        }

        void OnAuthStateChanged(object sender, EventArgs args)
        {
            MixPlayAuth a = Auth;
            if (a == null) return;
            switch (a.State)
            {
                case MixPlayAuthState.Waiting:
                    Debug.Log("MixPlay: go to " + a.Url + " and enter the code " + a.Code);
                    Action<string, string> h = ShortCodeShown;
                    if (h != null) h(a.Code, a.Url);
                    break;
                case MixPlayAuthState.Expired:
                    a.Start(); // a new code
                    break;
                case MixPlayAuthState.Approved:
                    token = a.AccessToken;
                    StopSignIn();
                    ConnectWithToken();
                    break;
                case MixPlayAuthState.Denied:
                case MixPlayAuthState.Failed:
                    Debug.LogError("MixPlay: sign-in " + a.State + (a.Message.Length > 0 ? ": " + a.Message : ""));
                    StopSignIn();
                    break;
            }
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
            Shutdown();
            MixPlaySettings settings = new MixPlaySettings();
            settings.ServiceUrl = serviceUrl;
            settings.VersionId = versionId > 0 ? (uint)versionId : 0u;
            settings.ShareCode = shareCode;
            settings.Token = token;
            settings.AutoReady = autoReady;
            try
            {
                MixPlayLibrary.SetLogLevel(logLevel);
                MixPlayLibrary.MessageLogged -= OnLog;
                MixPlayLibrary.MessageLogged += OnLog;
                Session = new MixPlaySession(settings);
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
                Session = null;
                return;
            }
            Action<MixPlaySession> h = SessionStarted;
            if (h != null) h(Session);
        }

        /// <summary>Closes the session (the native threads stop when no session is left).</summary>
        public void Shutdown()
        {
            StopSignIn();
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
    }
}
