// Tokens that outlive a long stream: the token pair a sign-in or an automatic refresh gives, the
// settings that make a session or a chat refresh by itself, the store that keeps the tokens
// across runs (replaceable: the Unity manager defaults to PlayerPrefs), and the signed-in user.
using System;
using System.Globalization;

namespace MixPlay
{
    /// <summary>An OAuth token pair. The tokens are secrets: keep them out of logs
    /// (<see cref="ToString"/> leaves them out).</summary>
    public sealed class MixPlayTokens
    {
        public string AccessToken { get; private set; }
        public string RefreshToken { get; private set; }
        /// <summary>The access token's lifetime from <see cref="GrantedAt"/>.</summary>
        public TimeSpan ExpiresIn { get; private set; }
        public DateTimeOffset GrantedAt { get; private set; }

        public MixPlayTokens(string accessToken, string refreshToken, TimeSpan expiresIn, DateTimeOffset grantedAt)
        {
            if (string.IsNullOrEmpty(accessToken)) throw new ArgumentException("the access token is empty", "accessToken");
            AccessToken = accessToken;
            RefreshToken = refreshToken ?? "";
            ExpiresIn = expiresIn;
            GrantedAt = grantedAt;
        }

        internal static MixPlayTokens FromNative(ref mixplay_tokens t)
        {
            return new MixPlayTokens(t.access_token.ToString(), t.refresh_token.ToString(),
                                     TimeSpan.FromSeconds(t.expires_in), MixPlayParticipant.FromUnixMs(t.granted_at * 1000));
        }

        internal long GrantedAtUnixSeconds
        {
            get { return (long)(GrantedAt - MixPlayParticipant.FromUnixMs(0)).TotalSeconds; }
        }

        /// <summary>Past half its lifetime: time to refresh.</summary>
        public bool IsStale
        {
            get { return MixPlayAuth.IsTokenStale(GrantedAt, ExpiresIn); }
        }

        /// <summary>Past its lifetime (when it has a known one).</summary>
        public bool IsExpired
        {
            get { return ExpiresIn > TimeSpan.Zero && DateTimeOffset.UtcNow >= GrantedAt + ExpiresIn; }
        }

        const string Format = "mixplay-tokens-1";

        /// <summary>One line of text for a store: the format's name, then the fields separated by
        /// tabs (tokens hold no tabs or newlines).</summary>
        public string Serialize()
        {
            return string.Join("\t", new[]
            {
                Format, AccessToken, RefreshToken,
                ((long)ExpiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                GrantedAtUnixSeconds.ToString(CultureInfo.InvariantCulture),
            });
        }

        /// <summary>Reads what <see cref="Serialize"/> wrote; false for anything else.</summary>
        public static bool TryParse(string text, out MixPlayTokens tokens)
        {
            tokens = null;
            if (string.IsNullOrEmpty(text)) return false;
            string[] f = text.Split('\t');
            long expires, granted;
            if (f.Length != 5 || f[0] != Format || f[1].Length == 0) return false;
            if (!long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out expires)) return false;
            if (!long.TryParse(f[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out granted)) return false;
            if (granted < 0 || granted > 253402300799L) return false; // up to the year 9999
            tokens = new MixPlayTokens(f[1], f[2], TimeSpan.FromSeconds(expires), MixPlayParticipant.FromUnixMs(granted * 1000));
            return true;
        }

        public override string ToString()
        {
            return "MixPlayTokens(granted " + GrantedAt.ToString("u", CultureInfo.InvariantCulture) + ", lifetime " + ExpiresIn + ")";
        }
    }

    /// <summary>How a session or a chat refreshes its token by itself: the OAuth service and app,
    /// and the tokens whose access token it was given. A session and a chat given the same
    /// refresh token share one refresh (refresh tokens work once).</summary>
    public sealed unsafe class MixPlayTokenRefresh
    {
        /// <summary>The OAuth service, e.g. https://mixer.com (its token endpoint is under /api/v1).</summary>
        public string BaseUrl;
        /// <summary>The OAuth app the tokens were granted to.</summary>
        public string ClientId;
        public string RefreshToken;
        /// <summary>The access token's lifetime (zero when unknown: refreshed only when refused).</summary>
        public TimeSpan ExpiresIn;
        public DateTimeOffset GrantedAt;

        /// <summary>The refresh of <paramref name="tokens"/>, granted by <paramref name="baseUrl"/>
        /// to app <paramref name="clientId"/>.</summary>
        public static MixPlayTokenRefresh Of(MixPlayTokens tokens, string baseUrl, string clientId)
        {
            if (tokens == null) throw new ArgumentNullException("tokens");
            return new MixPlayTokenRefresh
            {
                BaseUrl = baseUrl, ClientId = clientId, RefreshToken = tokens.RefreshToken,
                ExpiresIn = tokens.ExpiresIn, GrantedAt = tokens.GrantedAt,
            };
        }

        internal delegate MixPlayResult Setter(byte* baseUrl, byte* clientId, byte* refreshToken, ulong expiresIn, long grantedAt);

        /// <summary>Hands these settings (or "off" for null) to a mixplay_*_set_token_refresh call.</summary>
        internal static void Apply(MixPlayTokenRefresh r, Setter set, string function)
        {
            if (r == null)
            {
                MixPlayException.Check(set(null, null, null, 0, 0), function);
                return;
            }
            long granted = (long)(r.GrantedAt - MixPlayParticipant.FromUnixMs(0)).TotalSeconds;
            fixed (byte* u = Utf8.Required(r.BaseUrl, "BaseUrl"))
            fixed (byte* c = Utf8.Required(r.ClientId, "ClientId"))
            fixed (byte* t = Utf8.Required(r.RefreshToken, "RefreshToken"))
                MixPlayException.Check(set(u, c, t, (ulong)Math.Max(0, r.ExpiresIn.TotalSeconds), granted), function);
        }
    }

    /// <summary>What automatic refresh did: new tokens to store (<see cref="Refreshed"/>), or the
    /// refresh token was refused (<see cref="Message"/> says why; sign in again).</summary>
    public sealed class TokensEventArgs : EventArgs
    {
        public bool Refreshed { get; private set; }
        /// <summary>The new tokens (null when refused).</summary>
        public MixPlayTokens Tokens { get; private set; }
        public string Message { get; private set; }

        internal TokensEventArgs(bool refreshed, MixPlayTokens tokens, string message)
        {
            Refreshed = refreshed;
            Tokens = tokens;
            Message = message;
        }
    }

    /// <summary>Where signed-in tokens are kept between runs. The Unity manager uses PlayerPrefs
    /// by default; a game can keep them in its own (encrypted, per-player) storage instead.</summary>
    public interface IMixPlayTokenStore
    {
        /// <summary>The stored tokens, if any (and readable).</summary>
        bool TryLoad(out MixPlayTokens tokens);
        void Save(MixPlayTokens tokens);
        void Clear();
    }

    /// <summary>A store that keeps the tokens in memory only (tests, or games that never persist
    /// secrets).</summary>
    public sealed class MixPlayMemoryTokenStore : IMixPlayTokenStore
    {
        string text;

        public bool TryLoad(out MixPlayTokens tokens)
        {
            return MixPlayTokens.TryParse(text, out tokens);
        }

        public void Save(MixPlayTokens tokens)
        {
            if (tokens == null) throw new ArgumentNullException("tokens");
            text = tokens.Serialize();
        }

        public void Clear()
        {
            text = null;
        }

        /// <summary>What a store would hold (for tests that tamper with it).</summary>
        public string Text
        {
            get { return text; }
            set { text = value; }
        }
    }

    /// <summary>The user a token belongs to (GET /api/v1/users/current).</summary>
    public sealed class MixPlayUser
    {
        public uint Id { get; private set; }
        public string Username { get; private set; }
        public uint Level { get; private set; }
        public ulong Sparks { get; private set; }
        /// <summary>The user's own channel (0 when none): the channel of their chat.</summary>
        public uint ChannelId { get; private set; }
        /// <summary>The service's whole answer.</summary>
        public string Json { get; private set; }

        internal MixPlayUser(ref mixplay_user u)
        {
            Id = u.id;
            Username = u.username.ToString();
            Level = u.level;
            Sparks = u.sparks;
            ChannelId = u.channel_id;
            Json = u.json.ToString();
        }

        public override string ToString()
        {
            return Username + " (" + Id + ")";
        }
    }
}
