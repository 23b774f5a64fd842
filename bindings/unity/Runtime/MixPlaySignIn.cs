// Signing in once and staying signed in across runs: the tokens of the last sign-in are kept in a
// store, and the next run trades their refresh token for fresh tokens without asking the
// streamer; only when there are none, or the service refuses them, is a short code shown.
using System;

namespace MixPlay
{
    /// <summary>Where a <see cref="MixPlaySignIn"/> stands.</summary>
    public enum MixPlaySignInState
    {
        /// <summary>Not started, or signed out.</summary>
        Idle,
        /// <summary>Trading the stored refresh token for fresh tokens (no code is shown).</summary>
        Resuming,
        /// <summary>Show <see cref="MixPlaySignIn.Code"/> and <see cref="MixPlaySignIn.Url"/>.</summary>
        ShowingCode,
        /// <summary>Signed in: <see cref="MixPlaySignIn.Tokens"/> are current.</summary>
        SignedIn,
        /// <summary>Denied, or the service failed: <see cref="MixPlaySignIn.Message"/> says why.</summary>
        Failed,
    }

    /// <summary>
    /// Signs the streamer in and keeps them signed in across runs. <see cref="Start"/> first tries
    /// the store's tokens (silently); without any, or when the service refuses them, it shows a
    /// short code (and a new one when a code expires). Once signed in, the tokens are saved and
    /// the user is looked up (<see cref="User"/>: who, and which channel is theirs). Call
    /// <see cref="Update"/> once a frame; the events are raised from it. Give sessions and chats
    /// <see cref="TokenRefresh"/> and hand the tokens they refresh to <see cref="Remember"/>, so
    /// the store always holds the newest (refresh tokens work once).
    /// </summary>
    public sealed class MixPlaySignIn : IDisposable
    {
        readonly MixPlayAuth auth;
        readonly IMixPlayTokenStore store;
        string shownCode = "";

        public MixPlaySignInState State { get; private set; }
        /// <summary>ShowingCode: the code to show, and where to enter it (the code filled in).</summary>
        public string Code { get; private set; }
        public string Url { get; private set; }
        /// <summary>SignedIn: the current tokens (secrets).</summary>
        public MixPlayTokens Tokens { get; private set; }
        /// <summary>SignedIn: whether the stored tokens did it, without a code.</summary>
        public bool SignedInSilently { get; private set; }
        /// <summary>Who signed in, once looked up (null before).</summary>
        public MixPlayUser User { get; private set; }
        /// <summary>Failed: why.</summary>
        public string Message { get; private set; }

        /// <summary>A code to show: (code, url).</summary>
        public event Action<string, string> CodeShown;
        /// <summary>Signed in (silently or by code); <see cref="Tokens"/> holds the tokens.</summary>
        public event EventHandler SignedIn;
        /// <summary>The user was looked up: <see cref="User"/>.</summary>
        public event EventHandler UserFound;
        /// <summary>The sign-in failed: <see cref="Message"/>.</summary>
        public event EventHandler Failed;

        /// <summary>A sign-in for OAuth app <paramref name="clientId"/> asking for
        /// <paramref name="scopes"/> at <paramref name="baseUrl"/>, keeping its tokens in
        /// <paramref name="store"/>.</summary>
        public MixPlaySignIn(string baseUrl, string clientId, string scopes, IMixPlayTokenStore store, MixPlaySettings settings = null)
        {
            if (store == null) throw new ArgumentNullException("store");
            this.store = store;
            auth = new MixPlayAuth(baseUrl, clientId, scopes, null, settings);
            Code = Url = Message = "";
        }

        public void Dispose()
        {
            auth.Dispose();
        }

        /// <summary>The refresh of the current tokens, for a session's or a chat's settings; null
        /// before signing in.</summary>
        public MixPlayTokenRefresh TokenRefresh
        {
            get { return Tokens == null ? null : MixPlayTokenRefresh.Of(Tokens, auth.BaseUrl, auth.ClientId); }
        }

        /// <summary>Starts: silently with the stored tokens when there are some, else with a code.</summary>
        public void Start()
        {
            MixPlayTokens stored;
            Tokens = null;
            User = null;
            SignedInSilently = false;
            if (store.TryLoad(out stored) && stored.RefreshToken.Length > 0)
            {
                State = MixPlaySignInState.Resuming;
                auth.Refresh(stored.RefreshToken);
            }
            else
            {
                ShowCode();
            }
        }

        void ShowCode()
        {
            State = MixPlaySignInState.ShowingCode;
            shownCode = "";
            auth.Start();
        }

        /// <summary>Forgets the stored tokens (the next <see cref="Start"/> shows a code).</summary>
        public void SignOut()
        {
            auth.Cancel();
            store.Clear();
            Tokens = null;
            User = null;
            State = MixPlaySignInState.Idle;
        }

        /// <summary>Keeps tokens a session or a chat refreshed (saving them in the store).</summary>
        public void Remember(MixPlayTokens tokens)
        {
            if (tokens == null) throw new ArgumentNullException("tokens");
            Tokens = tokens;
            store.Save(tokens);
        }

        /// <summary>Advances the sign-in and raises its events (once a frame).</summary>
        public void Update()
        {
            auth.Update();
            switch (State)
            {
                case MixPlaySignInState.Resuming:
                    if (auth.State == MixPlayAuthState.Approved) Done(true);
                    else if (auth.State == MixPlayAuthState.Failed)
                    {
                        // The stored refresh token no longer works (spent, revoked, expired).
                        store.Clear();
                        ShowCode();
                    }
                    break;
                case MixPlaySignInState.ShowingCode:
                    switch (auth.State)
                    {
                        case MixPlayAuthState.Waiting:
                            if (auth.Code != shownCode)
                            {
                                shownCode = Code = auth.Code;
                                Url = auth.Url;
                                Action<string, string> shown = CodeShown;
                                if (shown != null) shown(Code, Url);
                            }
                            break;
                        case MixPlayAuthState.Expired:
                            ShowCode();
                            break;
                        case MixPlayAuthState.Approved:
                            Done(false);
                            break;
                        case MixPlayAuthState.Denied:
                            Fail("the streamer denied the sign-in");
                            break;
                        case MixPlayAuthState.Failed:
                            Fail(auth.Message);
                            break;
                    }
                    break;
                case MixPlaySignInState.SignedIn:
                    if (User == null && auth.UserState == MixPlayUserState.Found)
                    {
                        User = auth.User;
                        MixPlayLibrary.Raise(UserFound, this, EventArgs.Empty);
                    }
                    break;
            }
        }

        void Done(bool silently)
        {
            Remember(auth.Tokens);
            SignedInSilently = silently;
            State = MixPlaySignInState.SignedIn;
            auth.FetchUser(Tokens.AccessToken);
            MixPlayLibrary.Raise(SignedIn, this, EventArgs.Empty);
        }

        void Fail(string why)
        {
            State = MixPlaySignInState.Failed;
            Message = why;
            MixPlayLibrary.Raise(Failed, this, EventArgs.Empty);
        }
    }
}
