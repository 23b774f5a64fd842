// Short-code sign-in ("enter ABC123 at …/go"), polled by Update() like the session.
using System;

namespace MixPlay
{
    /// <summary>
    /// A short-code OAuth sign-in: <see cref="Start"/>, then call <see cref="Update"/> once a
    /// frame; show <see cref="Code"/> and <see cref="Url"/> while <see cref="State"/> is Waiting,
    /// take <see cref="AccessToken"/> once Approved (it is the Token of <see cref="MixPlaySettings"/>
    /// or of a <see cref="MixPlayChat"/>), and Start again after Expired. The tokens are secrets:
    /// keep them out of logs.
    /// </summary>
    public sealed unsafe class MixPlayAuth : IDisposable
    {
        readonly HandleOwner<MixPlayAuthHandle> native;

        public MixPlayAuthState State { get; private set; }
        /// <summary>Waiting: the code to show.</summary>
        public string Code { get; private set; }
        /// <summary>Waiting: where the user enters it (with the code filled in).</summary>
        public string Url { get; private set; }
        /// <summary>Waiting: how long the code still works.</summary>
        public TimeSpan CodeExpiresIn { get; private set; }
        public string AccessToken { get; private set; }
        public string RefreshToken { get; private set; }
        /// <summary>The access token's lifetime from <see cref="GrantedAt"/>.</summary>
        public TimeSpan ExpiresIn { get; private set; }
        public DateTimeOffset GrantedAt { get; private set; }
        /// <summary>Failed: what went wrong.</summary>
        public string Message { get; private set; }

        /// <summary>Approved: the tokens, to keep (see <see cref="IMixPlayTokenStore"/>); else null.</summary>
        public MixPlayTokens Tokens { get; private set; }

        /// <summary>Raised from Update when <see cref="State"/> or <see cref="Code"/> changes.</summary>
        public event EventHandler StateChanged;

        /// <summary>Where the last <see cref="FetchUser"/> stands.</summary>
        public MixPlayUserState UserState { get; private set; }
        /// <summary>Found: who the token belongs to.</summary>
        public MixPlayUser User { get; private set; }
        /// <summary>Failed: why the user was not found.</summary>
        public string UserMessage { get; private set; }

        /// <summary>Raised from Update when <see cref="UserState"/> changes.</summary>
        public event EventHandler UserChanged;

        /// <summary>A sign-in for OAuth app <paramref name="clientId"/> asking for
        /// <paramref name="scopes"/> (space-separated) at the service <paramref name="baseUrl"/>.
        /// <paramref name="clientSecret"/> stays null for apps on players' machines.</summary>
        public MixPlayAuth(string baseUrl, string clientId, string scopes, string clientSecret = null, MixPlaySettings settings = null)
        {
            MixPlayLibrary.EnsureCompatible();
            BaseUrl = baseUrl;
            ClientId = clientId;
            Code = Url = AccessToken = RefreshToken = Message = UserMessage = string.Empty;
            using (MixPlayConfigHandle config = MixPlaySession.BuildConfigOrDefaults(settings))
            {
                MixPlayAuthHandle h;
                MixPlayResult rc;
                fixed (byte* u = Utf8.Required(baseUrl, "baseUrl"))
                fixed (byte* c = Utf8.Required(clientId, "clientId"))
                fixed (byte* sec = Utf8.Encode(string.IsNullOrEmpty(clientSecret) ? null : clientSecret))
                fixed (byte* sc = Utf8.Encode(scopes ?? ""))
                    rc = Native.mixplay_auth_new(u, c, sec, sc, config, out h);
                native = new HandleOwner<MixPlayAuthHandle>(rc, h, "mixplay_auth_new", this);
            }
        }

        public void Dispose()
        {
            native.Dispose();
        }

        public bool IsDisposed
        {
            get { return native.IsDisposed; }
        }

        MixPlayAuthHandle H
        {
            get { return native.Handle; }
        }

        /// <summary>Starts (or starts over): Starting, then Waiting with a new code.</summary>
        public void Start()
        {
            MixPlayException.Check(Native.mixplay_auth_start(H), "mixplay_auth_start");
        }

        /// <summary>Trades a refresh token for new tokens: Refreshing, then Approved or Failed.</summary>
        public void Refresh(string refreshToken)
        {
            fixed (byte* t = Utf8.Required(refreshToken, "refreshToken"))
                MixPlayException.Check(Native.mixplay_auth_refresh(H, t), "mixplay_auth_refresh");
        }

        /// <summary>Asks who <paramref name="accessToken"/> belongs to, and their channel; the
        /// answer arrives in <see cref="User"/> (raising <see cref="UserChanged"/>) from Update.</summary>
        public void FetchUser(string accessToken)
        {
            fixed (byte* t = Utf8.Required(accessToken, "accessToken"))
                MixPlayException.Check(Native.mixplay_auth_fetch_user(H, t), "mixplay_auth_fetch_user");
            UserState = MixPlayUserState.Fetching;
            User = null;
        }

        /// <summary>The base URL this sign-in talks to (for <see cref="MixPlayTokenRefresh"/>).</summary>
        public string BaseUrl { get; private set; }
        /// <summary>The OAuth app it signs in to.</summary>
        public string ClientId { get; private set; }

        /// <summary>Stops checking or refreshing: Idle.</summary>
        public void Cancel()
        {
            MixPlayException.Check(Native.mixplay_auth_cancel(H), "mixplay_auth_cancel");
        }

        /// <summary>Reads the status (cheap) and raises <see cref="StateChanged"/> on a change.</summary>
        public void Update()
        {
            mixplay_auth_status st;
            MixPlayException.Check(Native.mixplay_auth_poll(H, &st), "mixplay_auth_poll");
            MixPlayAuthState state = (MixPlayAuthState)st.state;
            string code = st.code.ToString();
            bool changed = state != State || code != Code;
            State = state;
            Code = code;
            Url = st.url.ToString();
            CodeExpiresIn = TimeSpan.FromMilliseconds(st.code_expires_in_ms);
            Message = st.message.ToString();
            if (state == MixPlayAuthState.Approved)
            {
                AccessToken = st.access_token.ToString();
                RefreshToken = st.refresh_token.ToString();
                ExpiresIn = TimeSpan.FromSeconds(st.expires_in);
                GrantedAt = MixPlayParticipant.FromUnixMs(st.granted_at * 1000);
                Tokens = new MixPlayTokens(AccessToken, RefreshToken, ExpiresIn, GrantedAt);
            }
            else
            {
                Tokens = null;
            }
            if (changed) MixPlayLibrary.Raise(StateChanged, this, EventArgs.Empty);
            UpdateUser();
        }

        void UpdateUser()
        {
            mixplay_user u;
            MixPlayException.Check(Native.mixplay_auth_user(H, &u), "mixplay_auth_user");
            MixPlayUserState state = (MixPlayUserState)u.state;
            if (state == UserState) return;
            UserState = state;
            User = state == MixPlayUserState.Found ? new MixPlayUser(ref u) : null;
            UserMessage = u.message.ToString();
            MixPlayLibrary.Raise(UserChanged, this, EventArgs.Empty);
        }

        /// <summary>Whether a token granted at <paramref name="grantedAt"/> for
        /// <paramref name="expiresIn"/> is past half its lifetime (time to <see cref="Refresh"/>).</summary>
        public static bool IsTokenStale(DateTimeOffset grantedAt, TimeSpan expiresIn)
        {
            byte stale;
            long granted = (long)(grantedAt - MixPlayParticipant.FromUnixMs(0)).TotalSeconds;
            MixPlayException.Check(Native.mixplay_token_is_stale(granted, (ulong)expiresIn.TotalSeconds, &stale), "mixplay_token_is_stale");
            return stale != 0;
        }
    }
}
